"""Wording shared by the chapters: lists of names, spans of years, bilingual names, glued Markdown."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def join_names(items: Sequence[str]) -> str:
    items = list(items)
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def span_text(years: Sequence[int]) -> str:
    years = sorted(int(y) for y in years)
    if not years:
        return "none"
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return join_names([str(y) for y in years])


def bilingual(name_fi: str, name_sv: str) -> str:
    """'Tampere (Tammerfors)'; one name when both languages use the same."""
    return name_fi if not name_sv or name_sv == name_fi else f"{name_fi} ({name_sv})"


def plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def native(value: object) -> object:
    """Python scalars for glue (numpy's reprs, e.g. 'np.float64(1.0)', do not format in myst-nb)."""
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (float, np.floating)):
        # 12 significant digits: the last bits of a weighted sum differ between kernels (summation
        # order), and a glued value is stored in the notebook that nbval compares.
        return float(f"{float(value):.12g}")
    return value


class MarkdownText:
    """Text to glue as Markdown ({glue:md}): a plain repr, so stored outputs hold no addresses."""

    def __init__(self, text: str):
        self.text = text

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text
