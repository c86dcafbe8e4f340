"""Validate a page's parameters before any kernel starts: once, by the page's chapter module.

A notebook that is a chapter of the book (its run-plan entry names the ``chapter``) is checked by
that chapter's ``validate`` (``helpers.chapters``): names, types and values against the data, in
one place. A notebook outside the run plan (your own experiment) is checked against its
``parameters`` cell only: names and annotated types.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers.chapters.model import (  # re-exported: the CLI and tests read values through these
    CliText,
    ParameterSpec,
    as_values,
    check_names_and_types,
    coerce,
    parse_cli_value,
)
from helpers.errors import ParameterError

if TYPE_CHECKING:
    import nbformat


def _parameters_cell_source(notebook: nbformat.NotebookNode, path: Path) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            return cell.source
    raise ParameterError(f"{path}: no cell tagged 'parameters'; tag the cell that sets the defaults")


def parameter_specs(path: Path) -> dict[str, ParameterSpec]:
    """Parse ``name: type = default  # help`` lines of the notebook's parameters cell."""
    import nbformat  # here, not at the top: a build with nothing to run never needs it (1 s to import)

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
        end_line = node.end_lineno or node.lineno
        line = lines[end_line - 1]
        help_text = line.split("#", 1)[1].strip() if "#" in line[node.value.end_col_offset or 0 :] else ""
        specs[node.target.id] = ParameterSpec(
            name=node.target.id,
            type_name=ast.unparse(node.annotation),
            default=ast.literal_eval(node.value),
            help=help_text,
        )
    return specs


def chapter_of_notebook(path: Path) -> str | None:
    """The chapter the run plan gives this notebook (None when the notebook is not a page of the book)."""
    from helpers.book.runplan import load_run_plan

    resolved = path.resolve()
    for page in load_run_plan().notebook_pages():
        if page.notebook_path.resolve() == resolved:
            return page.chapter
    return None


def validate_parameters(path: Path, given: dict[str, Any], chapter: str | None = None) -> dict[str, Any]:
    """The checked parameter set (defaults + given) or ParameterError naming the notebook and the problem.

    ``chapter`` comes from the run plan (the build passes the page's; ``python -m helpers run``
    looks the notebook up in the run plan).
    """
    chapter = chapter or chapter_of_notebook(path)
    if chapter is None:
        return check_names_and_types(parameter_specs(path), given, path.name)
    from helpers.chapters import chapter_module

    try:
        return as_values(chapter_module(chapter).validate(given))
    except ParameterError as error:
        raise ParameterError(f"{path.name}: {error}") from None


__all__ = [
    "CliText",
    "ParameterSpec",
    "chapter_of_notebook",
    "coerce",
    "parameter_specs",
    "parse_cli_value",
    "validate_parameters",
]
