"""Facts shared by the national-statistics and survey modules: figures and sources as a reader
sees them, and the glossary languages.

Both `national` and `survey` import this module (survey builds on national's fact-table
loading, so these cannot live in survey without an import cycle). `survey` re-exports every
name, so `helpers.analysis.survey.format_value` etc. keep working.
"""

from __future__ import annotations

import re

import numpy as np

from helpers.errors import ParameterError
from helpers.text import format_number, nearest_names

LANGUAGES: tuple[str, ...] = ("fi", "sv", "en")
LANGUAGE_NAMES = {"fi": "Finnish", "sv": "Swedish", "en": "English"}


def format_value(value: float, qualifier=None, unit: str = "", signed: bool = False, text=None) -> str:
    """Readable label for a figure with its qualifier ('about', 'up to') and unit.

    `text` is the figure as published (e.g. "716.0"); when given, its decimals are kept.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    number = format_number(value)
    if isinstance(text, str) and "." in text:
        decimals = len(text.rsplit(".", 1)[1])
        number = ("−" if value < 0 else "") + f"{abs(value):,.{decimals}f}"
    if signed and value > 0:
        number = "+" + number
    unit = unit or ""
    if unit.startswith("%"):
        text = f"{number} {unit}"
    elif unit.startswith("times"):
        text = f"{number}× {unit.removeprefix('times').strip()}".strip()
    elif unit in ("M€", "M€ increase"):
        text = f"{number} M€"
    elif unit in ("change in staff", ""):
        text = number
    else:
        text = f"{number} {unit}"
    text = text.replace("% change", "%").replace("% increase", "%")
    qualifier = qualifier if isinstance(qualifier, str) and qualifier else ""
    return f"{qualifier} {text}".strip()


def validate_language(lang) -> str:
    """Return 'fi', 'sv' or 'en' (case-insensitive); anything else raises ParameterError."""
    if isinstance(lang, str) and lang.strip().lower() in LANGUAGES:
        return lang.strip().lower()
    names = {**{code: code for code in LANGUAGES}, **{v.lower(): k for k, v in LANGUAGE_NAMES.items()}}
    hint = ""
    if isinstance(lang, str):
        close = nearest_names(lang.strip().lower(), names)
        if close:
            hint = f" Nearest valid: {', '.join(dict.fromkeys(names[c] for c in close))}."
    raise ParameterError(
        f"Unknown language {lang!r} for glossary terms.{hint} "
        f"Fix: use one of {', '.join(LANGUAGES)} (Finnish, Swedish, English)."
    )


_SEED_MARK = re.compile(r"\s*\((?:project )?seed \d{3}\)", flags=re.IGNORECASE)


def reader_source(source) -> str:
    """A fact table's `source` as a reader sees it: without the project's internal seed numbers.

    '(Seed 004)' tells the project which stored copy was read; the publication itself is named
    in the rest of the citation and in the bibliography.
    """
    if source is None or (isinstance(source, float) and np.isnan(source)):
        return ""
    return _SEED_MARK.sub("", str(source)).strip()
