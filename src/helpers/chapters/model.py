"""Parameter models: one frozen dataclass per chapter declares names, types, defaults and help.

A chapter module declares ``Params`` with :func:`param` fields; :func:`typed_values` does the
part of validation every chapter shares (unknown names get the nearest known ones, values are read
by the annotated type, so a code typed as ``091`` keeps its leading zero), and the chapter's own
``validate`` then checks the values against the data. Nothing here reads a notebook.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from helpers.errors import ParameterError
from helpers.text import nearest_names


@dataclass(frozen=True)
class ParameterSpec:
    """One parameter as a notebook's ``parameters`` cell or a chapter model declares it."""

    name: str
    type_name: str
    default: Any
    help: str


def param(default: Any, help: str) -> Any:
    """A model field with its default and help text (lists get a fresh copy per instance)."""
    if isinstance(default, list):
        items = list(default)
        return dataclasses.field(default_factory=lambda: list(items), metadata={"help": help})
    return dataclasses.field(default=default, metadata={"help": help})


def model_specs(model: type) -> dict[str, ParameterSpec]:
    """The model's fields as specs, in declaration order (type names as written, e.g. ``list[str]``)."""
    specs = {}
    for item in dataclasses.fields(model):
        if item.default is not dataclasses.MISSING:
            default = item.default
        elif item.default_factory is not dataclasses.MISSING:
            default = item.default_factory()
        else:
            raise TypeError(f"{model.__qualname__}.{item.name} needs a default: every parameter has one")
        type_name = item.type if isinstance(item.type, str) else getattr(item.type, "__name__", str(item.type))
        specs[item.name] = ParameterSpec(item.name, type_name, default, item.metadata.get("help", ""))
    return specs


def as_values(params: Any) -> dict[str, Any]:
    """A model instance as plain values (what papermill injects and the run record stores)."""
    return {item.name: _plain(getattr(params, item.name)) for item in dataclasses.fields(params)}


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _describe(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)


class CliText(str):
    """A ``-p NAME VALUE`` value as typed: read by the parameter's annotated type, so "091" stays a code."""


_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}
_SCALAR_TYPES: dict[str, tuple[type, ...]] = {"int": (int,), "float": (int, float), "str": (str,), "bool": (bool,)}


def _prefix(where: str) -> str:
    return f"{where}: " if where else ""


def coerce(spec: ParameterSpec, value: Any, where: str = "") -> Any:
    """Check ``value`` against the annotated type; accept ints for floats and scalars for lists.

    Text from the command line is read as the annotation says; a whole number given for a text
    parameter (YAML reads `837` as a number) is taken as its text, so municipality codes work.
    """
    type_name = spec.type_name.replace(" ", "")
    problem = _prefix(where) + f"parameter '{spec.name}' expects {spec.type_name}, got {_describe(value)}"
    if type_name in _SCALAR_TYPES:
        if isinstance(value, bool) and type_name != "bool":
            raise ParameterError(problem)
        if type_name == "str" and isinstance(value, int):
            return str(value)
        if type_name == "bool" and isinstance(value, str):
            if value.strip().lower() in _TRUE:
                return True
            if value.strip().lower() in _FALSE:
                return False
            raise ParameterError(problem + " (use true or false)")
        if not isinstance(value, _SCALAR_TYPES[type_name]):
            if type_name in ("int", "float") and isinstance(value, str):
                try:
                    return int(value) if type_name == "int" else float(value)
                except ValueError:
                    pass
            raise ParameterError(problem)
        # isinstance above checked the value against the type named in the spec.
        return float(cast(float, value)) if type_name == "float" else str(value) if type_name == "str" else value
    if type_name.startswith("list[") and type_name.endswith("]"):
        item_spec = ParameterSpec(spec.name, type_name[5:-1], None, spec.help)
        items = value if isinstance(value, list) else [value]
        return [coerce(item_spec, item, where) for item in items]
    if isinstance(value, CliText):  # an annotation we do not read generically: as papermill would
        return parse_cli_value(value)
    return value


def parse_cli_value(raw: str) -> Any:
    """Interpret text as papermill does for ``-p``: number, bool, None or string."""
    lowered = raw.strip()
    if lowered in ("True", "true"):
        return True
    if lowered in ("False", "false"):
        return False
    if lowered in ("None", "null"):
        return None
    for convert in (int, float):
        try:
            return convert(lowered)
        except ValueError:
            continue
    return str(raw)


def check_names_and_types(
    specs: Mapping[str, ParameterSpec], given: Mapping[str, Any], where: str = ""
) -> dict[str, Any]:
    """Defaults merged with ``given``, each value read by its type; unknown names get the nearest ones."""
    unknown = [name for name in given if name not in specs]
    if unknown:
        name = unknown[0]
        nearest = nearest_names(name, specs)
        hint = f"did you mean {', '.join(nearest)}?" if nearest else f"known parameters: {', '.join(specs)}"
        raise ParameterError(_prefix(where) + f"unknown parameter '{name}'; {hint}")
    merged = {name: spec.default for name, spec in specs.items()}
    for name, value in given.items():
        merged[name] = coerce(specs[name], value, where)
    return merged


def typed_values(model: type, given: Mapping[str, Any], where: str = "") -> dict[str, Any]:
    """The model's defaults merged with ``given``, names and types checked (see ``check_names_and_types``)."""
    return check_names_and_types(model_specs(model), given, where)


def named(name: str, check: Any, value: Any) -> Any:
    """Run ``check(value)``; a ParameterError it raises is prefixed with the parameter and value."""
    try:
        return check(value)
    except ParameterError as error:
        raise ParameterError(f"parameter '{name}' = {value!r}: {error}") from None
