"""The comparisons chapter's words from data, in the edition's language.

Indicator labels and units, region and group names, the Diak indices' names and the division notes
come from the data release in English; the chapter shows them through the message catalogue, so a
label the catalogue lacks falls back to English and ``python -m helpers i18n check`` reports it.
Municipality names are the edition's own: Swedish where a municipality has one (Åbo, Tammerfors),
otherwise the Finnish name, which is also the English edition's.
"""

from __future__ import annotations

import re

from helpers.i18n import N_, _, translated

# Sotkanet's indicator labels and units as the release spells them (marked here for extraction).
INDICATOR_LABELS = (
    N_("Social assistance recipients aged 25-64, % of population of the same age"),
    N_("Families with children, % of families"),
    N_("Unemployed, % of labour force"),
    N_("Economic dependency ratio (non-employed per 100 employed)"),
    N_("Divorces per 1,000 married persons aged 25-64"),
    N_("Recipients of a full national pension, % of population aged 65+"),
    N_("Social assistance, EUR per resident"),
    N_("Demographic dependency ratio (aged 0-14 and 65+ per 100 aged 15-64)"),
    N_("Long-term social assistance recipients aged 18-24, % of population of the same age"),
    N_("Households receiving general housing allowance, % of households"),
    N_("Swedish-speaking residents, % of population on 31 Dec"),
    N_("Municipal low-income rate (at-risk-of-poverty rate)"),
    N_("Gini coefficient of disposable income"),
    N_("Residents with tertiary education, % of those aged 20+"),
    N_("Long-term unemployed, % of labour force"),
)
UNITS = (
    N_("% of population aged 25-64"),
    N_("% of families"),
    N_("% of labour force"),
    N_("non-employed per 100 employed"),
    N_("per 1,000 married persons aged 25-64"),
    N_("% of population aged 65+"),
    N_("EUR per resident"),
    N_("persons per 100 aged 15-64"),
    N_("% of population aged 18-24"),
    N_("% of households"),
    N_("% of population"),
    N_("% of residents"),
    N_("Gini coefficient, 0-100"),
    N_("% of population aged 20+"),
)
# Region (maakunta) and urban–rural group names of the classification, and the national series.
AREA_NAMES = (
    N_("Central Finland"),
    N_("Central Ostrobothnia"),
    N_("Kainuu"),
    N_("Kanta-Häme"),
    N_("Kymenlaakso"),
    N_("Lapland"),
    N_("North Karelia"),
    N_("North Ostrobothnia"),
    N_("North Savo"),
    N_("Ostrobothnia"),
    N_("Pirkanmaa"),
    N_("Päijät-Häme"),
    N_("Satakunta"),
    N_("South Karelia"),
    N_("South Ostrobothnia"),
    N_("South Savo"),
    N_("Southwest Finland"),
    N_("Uusimaa"),
    N_("Åland"),
    N_("Rural municipalities"),
    N_("Semi-urban municipalities"),
    N_("Urban municipalities"),
    N_("Finland"),
)
DIAK_LABELS = (
    N_("Long-term social assistance recipients aged 25–64"),
    N_("Disadvantage, all components (composite index)"),
)


def municipality_name(name_fi: str, name_sv: str | None, lang: str) -> str:
    """The municipality's name in the edition: Swedish in ``sv`` where one exists, else Finnish."""
    return name_sv if lang == "sv" and name_sv else name_fi


def other_name(name_fi: str, name_sv: str | None, lang: str) -> str:
    """The municipality's name in the other national language ("" when it is the same)."""
    shown = municipality_name(name_fi, name_sv, lang)
    other = name_fi if shown != name_fi else (name_sv or "")
    return "" if other == shown else other


def label(text: str, lang: str) -> str:
    """A label from the data (indicator, unit, area, Diak index) in ``lang``."""
    return translated(text, lang) if text else text


def indicator_label(label_text: str, unit: str, lang: str) -> str:
    """'Long-term unemployed (% of labour force)': the measure (before ", % of …") and its unit."""
    shown = label(label_text, lang)
    head, sep, _tail = shown.partition(", ")
    return _("{measure} ({unit})", lang, measure=head if sep else shown, unit=label(unit, lang))


_NOTE_PATTERNS = (
    (
        re.compile(
            r"No data: merged into (?P<into>.+) on 1 January (?P<year>\d{4}); the (?P<source>\d{4}) data include"
        ),
        N_(
            "No data: merged into {into} on 1 January {year}; the {source} data include its area in the value of {into}."
        ),
    ),
    (
        re.compile(r"The value covers (?P<name>.+?) and (?P<others>.+) \(merged later; (?P<source>\d{4}) division\)\."),
        N_("The value covers {name} and {others} (merged later; {source} division)."),
    ),
    (
        re.compile(r"Counts of (?P<name>.+?) and (?P<others>.+) added together \(merged by (?P<year>\d{4})\)"),
        N_("Counts of {name} and {others} added together (merged by {year}); the rate is recomputed from the sums."),
    ),
    (
        re.compile(r"No data: not in the (?P<source>\d{4}) division of the data\."),
        N_("No data: not in the {source} division of the data."),
    ),
)


def division_note(note: str, lang: str, names: dict[str, str] | None = None) -> str:
    """A division note of ``municipal_indicators.coverage`` in ``lang``; ``names`` maps the
    Finnish municipality names it quotes to the edition's."""
    if lang == "en" or not note:
        return note
    rename = names or {}
    for pattern, message in _NOTE_PATTERNS:
        found = pattern.match(note)
        if found:
            parts = {
                key: ", ".join(rename.get(part, part) for part in value.split(", "))
                for key, value in found.groupdict().items()
            }
            return translated(message, lang, **parts)
    return translated(note, lang)  # an unknown form: falls back to English, and the check reports it


# The peer table's short column labels (``helpers.analysis.indicators``: peer_label).
PEER_LABELS = (
    N_("Social assistance 25–64, %"),
    N_("Long-term unemployed, %"),
    N_("Low income, %"),
    N_("Tertiary education, %"),
    N_("Dependency ratio"),
)


def listing(items: list[str], lang: str) -> str:
    """'a, b and c' in ``lang`` ('a, b ja c', 'a, b och c')."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + _(" and ", lang) + items[-1]
