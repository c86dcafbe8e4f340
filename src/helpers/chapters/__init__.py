"""The book's chapters: one module per chapter, each with one parameter model, ``validate`` and ``prepare``.

``Params`` (a frozen dataclass) declares every parameter once: name, type, default, help. The
notebook's ``parameters`` cell repeats it for papermill and a test holds the two equal.
``validate(given)`` checks a parameter set once, before any kernel starts (names, types, values
against the data) and returns the checked ``Params``; ``prepare(params)`` computes what the page
shows. The run plan names each page's chapter (``chapter:`` in book/runplan.yml).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

from helpers.chapters import (
    background,
    comparisons,
    data_and_sources,
    glossary,
    introduction,
    municipality,
    municipality_index,
    pilot,
    pilot_spec,
    robustness,
    survey,
)
from helpers.chapters.model import model_specs
from helpers.errors import ParameterError
from helpers.text import nearest_names

CHAPTERS: dict[str, ModuleType] = {
    module.NAME: module
    for module in (
        introduction,
        background,
        pilot,
        pilot_spec,
        robustness,
        survey,
        comparisons,
        glossary,
        data_and_sources,
        municipality,
        municipality_index,
    )
}


def chapter_module(name: str) -> ModuleType:
    """The chapter module of that name; a typo gets the nearest names."""
    if name not in CHAPTERS:
        nearest = nearest_names(name, CHAPTERS, cutoff=0.0)
        raise ParameterError(
            f"unknown chapter {name!r}; nearest: {', '.join(nearest)}; chapters: {', '.join(CHAPTERS)}"
        )
    return CHAPTERS[name]


def notebook_values(chapter: ModuleType, namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The chapter's parameters as the notebook holds them (its defaults or the values the build injected)."""
    return {name: namespace[name] for name in model_specs(chapter.Params)}


def checked_parameters(chapter: ModuleType, namespace: Mapping[str, Any]) -> Any:
    """In the kernel: the chapter's ``validate`` on the notebook's values (a cheap re-check of checked values)."""
    return chapter.validate(notebook_values(chapter, namespace))


__all__ = ["CHAPTERS", "chapter_module", "checked_parameters", "notebook_values"]
