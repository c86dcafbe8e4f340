"""Text helpers shared by every layer (imports nothing from helpers): nearest valid names on a typo."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence


def nearest_names(value: object, choices: Iterable[str], n: int = 3, cutoff: float = 0.4) -> list[str]:
    """Up to `n` of `choices` closest to `value` (difflib similarity >= `cutoff`), best first.

    Error messages use this to name the valid ids nearest a typo; `cutoff=0.0` always returns
    `n` names (when there are that many choices).
    """
    return difflib.get_close_matches(str(value), list(choices), n=n, cutoff=cutoff)


# ------------------------------------------------------------------------------------ numbers

MISSING = "no data"
_MINUS = "\u2212"  # a real minus sign, not a hyphen
_NBSP = "\u00a0"  # fi/sv thousands separator and the space before %: never broken across lines
_SEPARATORS = {"en": (",", "."), "fi": (_NBSP, ","), "sv": (_NBSP, ",")}


def format_number(value: float | None, digits: int | None = None, *, signed: bool = False, lang: str = "en") -> str:
    """A number for prose and tables in ``lang``: the one formatter of the book.

    ``digits`` fixes the decimals (``None`` keeps a published figure's own, up to ten significant
    digits). English: ``1,234.5``; Finnish and Swedish: ``1 234,5`` with a non-breaking space. A
    real minus sign; ``signed`` adds ``+`` to positive values; a missing value reads "no data".
    """
    if value is None or value != value:  # NaN
        return MISSING
    if lang not in _SEPARATORS:
        raise ValueError(f"lang must be one of {', '.join(_SEPARATORS)}; got {lang!r}")
    thousands, decimal = _SEPARATORS[lang]
    number = float(value)
    if digits is not None:
        text = f"{number:+,.{digits}f}" if signed else f"{number:,.{digits}f}"  # Python's rounding and signs
    else:
        magnitude = abs(number)
        if magnitude == int(magnitude):
            text = f"{int(magnitude):,}"
        else:
            text = f"{magnitude:,.10g}"
        text = ("-" if number < 0 else "+" if signed and number > 0 else "") + text
    text = text.replace(",", "\x00").replace(".", decimal).replace("\x00", thousands)
    return text.replace("-", _MINUS)


def format_percent(value: float | None, digits: int | None = 1, *, signed: bool = False, lang: str = "en") -> str:
    """``12.3 %`` (en) or ``12,3 %`` (fi, sv; a non-breaking space before the sign)."""
    number = format_number(value, digits, signed=signed, lang=lang)
    if number == MISSING:
        return number
    return f"{number} %" if lang == "en" else f"{number}{_NBSP}%"


def year_span(years: Sequence[int]) -> str:
    """Years as a reader writes them: [2013, 2014, 2015] -> '2013–2015'; gaps listed; [] -> 'none'."""
    years = sorted(years)
    if not years:
        return "none"
    if years == list(range(years[0], years[-1] + 1)) and len(years) > 1:
        return f"{years[0]}–{years[-1]}"
    return ", ".join(str(y) for y in years)
