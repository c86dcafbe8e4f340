"""Validate a notebook's parameters before any kernel starts.

Two layers: the generic one reads the notebook's ``parameters`` cell (names, annotated types,
defaults, help) and rejects unknown names and wrong types; then the notebook's own validator,
named in its metadata (``metadata.book.validator = "module:function"``), checks values against
the data (known municipalities, years inside the series, sizes of comparison pools).
"""

from __future__ import annotations

import ast
import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from helpers.errors import ParameterError
from helpers.text import nearest_names


@dataclass(frozen=True)
class ParameterSpec:
    name: str
    type_name: str
    default: Any
    help: str


def _parameters_cell_source(notebook: nbformat.NotebookNode, path: Path) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            return cell.source
    raise ParameterError(f"{path}: no cell tagged 'parameters'; tag the cell that sets the defaults")


def parameter_specs(path: Path) -> dict[str, ParameterSpec]:
    """Parse ``name: type = default  # help`` lines of the notebook's parameters cell."""
    notebook = nbformat.read(path, as_version=4)
    source = _parameters_cell_source(notebook, path)
    lines = source.splitlines()
    specs: dict[str, ParameterSpec] = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.AnnAssign) or not isinstance(node.target, ast.Name) or node.value is None:
            if isinstance(node, ast.Assign):
                raise ParameterError(
                    f"{path}: parameter on line {node.lineno} has no type annotation; "
                    "write `name: type = default  # help`"
                )
            continue
        line = lines[node.end_lineno - 1]
        help_text = line.split("#", 1)[1].strip() if "#" in line[node.value.end_col_offset :] else ""
        specs[node.target.id] = ParameterSpec(
            name=node.target.id,
            type_name=ast.unparse(node.annotation),
            default=ast.literal_eval(node.value),
            help=help_text,
        )
    return specs


def notebook_validator(path: Path) -> Callable[[dict[str, Any]], Any] | None:
    notebook = nbformat.read(path, as_version=4)
    target = notebook.metadata.get("book", {}).get("validator")
    if not target:
        return None
    module_name, _, function_name = target.partition(":")
    return getattr(importlib.import_module(module_name), function_name)


def _describe(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)


class CliText(str):
    """A ``-p NAME VALUE`` value as typed: read by the parameter's annotated type, so "091" stays a code."""


_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


def coerce(spec: ParameterSpec, value: Any, notebook: str) -> Any:
    """Check ``value`` against the annotated type; accept ints for floats and scalars for lists.

    Text from the command line is read as the annotation says; a whole number given for a text
    parameter (YAML reads `837` as a number) is taken as its text, so municipality codes work.
    """
    type_name = spec.type_name.replace(" ", "")
    problem = f"{notebook}: parameter '{spec.name}' expects {spec.type_name}, got {_describe(value)}"
    scalar_types: dict[str, tuple[type, ...]] = {"int": (int,), "float": (int, float), "str": (str,), "bool": (bool,)}
    if type_name in scalar_types:
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
        if not isinstance(value, scalar_types[type_name]):
            if type_name in ("int", "float") and isinstance(value, str):
                try:
                    return int(value) if type_name == "int" else float(value)
                except ValueError:
                    pass
            raise ParameterError(problem)
        return float(value) if type_name == "float" else str(value) if type_name == "str" else value
    if type_name.startswith("list[") and type_name.endswith("]"):
        item_spec = ParameterSpec(spec.name, type_name[5:-1], None, spec.help)
        items = value if isinstance(value, list) else [value]
        return [coerce(item_spec, item, notebook) for item in items]
    if isinstance(value, CliText):  # an annotation we do not read generically: as papermill would
        return parse_cli_value(value)
    return value  # the notebook's validator checks it


def validate_parameters(path: Path, given: dict[str, Any]) -> dict[str, Any]:
    """Return the full parameter set (defaults + given) or raise ParameterError naming what is wrong."""
    specs = parameter_specs(path)
    notebook = path.name
    unknown = [name for name in given if name not in specs]
    if unknown:
        name = unknown[0]
        nearest = nearest_names(name, specs)
        hint = f"did you mean {', '.join(nearest)}?" if nearest else f"known parameters: {', '.join(specs)}"
        raise ParameterError(f"{notebook}: unknown parameter '{name}'; {hint}")
    merged = {name: spec.default for name, spec in specs.items()}
    for name, value in given.items():
        merged[name] = coerce(specs[name], value, notebook)
    validator = notebook_validator(path)
    if validator is not None:
        try:
            validator(dict(merged))
        except ParameterError as error:
            raise ParameterError(f"{notebook}: {error}") from None
    return merged


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
