"""Read notebook parameters written as YAML (`run -y`, the run plan) without silent mis-reads.

YAML 1.1, which PyYAML implements, reads ``075`` as the octal number 61, ``020`` as 16, ``0x1F``
as 31 and ``1:20`` as the base-60 number 80. Municipality codes have leading zeros, so here a
number is a number only when it is written plainly (``2019``, ``-3``, ``0``, ``0.5``); everything
else stays the text that was typed. Aliases (``*name``) are refused and the size and nesting of a
value are bounded before anything is parsed or echoed, so a small input cannot expand into a
huge value or a huge error message (a "billion laughs" alias bomb).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from helpers.errors import ParameterError

MAX_TEXT_CHARS = 65_536  # all municipalities by name fit in about 4 000 characters
MAX_DEPTH = 6  # mapping -> list -> list -> scalar is the deepest a parameter needs
MAX_NODES = 10_000
MAX_SCALAR_CHARS = 1_000
SHOWN_CHARS = 60

_PLAIN_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_PLAIN_FLOAT = re.compile(
    r"^(?:[-+]?(?:[0-9][0-9]*)?\.[0-9]+(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+\.(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


def clip(text: str, limit: int = SHOWN_CHARS) -> str:
    """``text`` as repr, cut to about ``limit`` characters with how much was left out."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text)} characters)"


class ParameterLoader(yaml.SafeLoader):
    """SafeLoader whose numbers are plain decimal ones and which refuses aliases and deep nesting."""

    yaml_implicit_resolvers = {
        first: [
            (tag, regexp)
            for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
        ]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str, where: str, max_depth: int = MAX_DEPTH) -> None:
        super().__init__(stream)
        self.where = where
        self.max_depth = max_depth
        self.nodes = 0
        self.depth = 0

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ParameterError(
                f"{self.where}: YAML aliases ({event.start_mark.line + 1}:{event.start_mark.column + 1}: "
                f"*{clip(event.anchor, 20)[1:-1]}) are not accepted in parameters; write the values out"
            )
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ParameterError(f"{self.where}: more than {MAX_NODES} values; parameters are small — pass fewer")
        self.depth += 1
        if self.depth > self.max_depth:
            raise ParameterError(
                f"{self.where}: values nested more than {self.max_depth} levels deep; a parameter is a value or a list"
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


_INT_FIRST = "-+0123456789"
for _first in _INT_FIRST:
    ParameterLoader.add_implicit_resolver("tag:yaml.org,2002:int", _PLAIN_INT, [_first])
for _first in "-+0123456789.":
    ParameterLoader.add_implicit_resolver("tag:yaml.org,2002:float", _PLAIN_FLOAT, [_first])


def _check_scalars(value: Any, where: str) -> None:
    if isinstance(value, str) and len(value) > MAX_SCALAR_CHARS:
        raise ParameterError(
            f"{where}: a value of {len(value)} characters ({clip(value)}); values are at most {MAX_SCALAR_CHARS}"
        )
    if isinstance(value, dict):
        for key, item in value.items():
            _check_scalars(key, where)
            _check_scalars(item, where)
    elif isinstance(value, list):
        for item in value:
            _check_scalars(item, where)


def load_parameter_yaml(
    text: str, where: str = "-y", *, max_depth: int = MAX_DEPTH, max_chars: int = MAX_TEXT_CHARS
) -> Any:
    """Parse ``text`` with :class:`ParameterLoader`; ParameterError (short, one line) on any problem.

    The run plan, a document around the parameters, passes a larger depth and size.
    """
    if len(text) > max_chars:
        raise ParameterError(f"{where}: {len(text)} characters of YAML; parameters take at most {max_chars}")
    loader = ParameterLoader(text, where, max_depth)
    try:
        value = loader.get_single_data()
    except yaml.YAMLError as error:
        problem = str(getattr(error, "problem", None) or error).splitlines()[0]
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ParameterError(
            f"{where} is not valid YAML ({clip(problem, 120)[1:-1]}{at}); write a mapping such as "
            "'{municipalities: [Tampere, Kuopio], year: 2019}'"
        ) from None
    except RecursionError:
        raise ParameterError(f"{where}: values nested too deeply; a parameter is a value or a list") from None
    finally:
        loader.dispose()
    _check_scalars(value, where)
    return value


def parse_yaml_mapping(text: str, where: str = "-y") -> dict[str, Any]:
    """One ``-y`` argument: a YAML mapping of parameter names to values."""
    parsed = load_parameter_yaml(text, f"{where} {clip(text)}")
    if not isinstance(parsed, dict):
        raise ParameterError(
            f"{where} takes a YAML mapping such as '{{municipalities: [Tampere, Kuopio]}}', got {clip(text)}"
        )
    return parsed


def check_cli_value(name: str, value: str) -> str:
    """A ``-p NAME VALUE`` value: bounded like a -y value, kept as typed."""
    _check_scalars(value, f"-p {clip(name, 40)[1:-1]}")
    return value
