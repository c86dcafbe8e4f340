"""The municipality index as a page element: a searchable, filterable list drawn from one data file.

The list's data are published once as a chart-data file (``municipality-index-<hash>.json`` and
its ``.js`` twin, which also loads from ``file://``), never written into the notebook's output:
one record of parallel columns, ``c`` code, ``n`` Finnish name, ``s`` Swedish name ("" when the
same), ``r`` and ``g`` positions in ``regions`` and ``groups``, ``v`` the series per municipality
as integer tenths (null = not published), ``median`` the median municipality per year, ``max``
the top of the sparklines' common scale. The book's own script
``book/_static/page-scripts/municipality-index.js`` (loaded only on a page holding this element)
draws the rows, the sparklines and the filters; links to the municipality pages are
``prefix + code + suffix`` from ``municipalities.municipality_url_parts``.
"""

from __future__ import annotations

import html
import json
import math

from helpers.analysis.municipality_index import SERIES_UNIT, MunicipalityIndex
from helpers.charts.render import publish_chart_json
from helpers.data import municipalities as munis
from helpers.data.municipalities import municipality_url_parts
from helpers.i18n import N_, translated

DATA_NAME = "municipality-index"
PAGE_SCRIPT = "municipality-index"  # book/_static/page-scripts/<name>.js; see helpers.book.sphinx_offline

# Every word of the element, and those the page script writes (handed to it in data-words, so
# the script holds no language of its own).
WORDS = {
    "search": N_("Search"),
    "search_placeholder": N_("Finnish or Swedish name, or code"),
    "region": N_("Region"),
    "all_regions": N_("All regions"),
    "group": N_("Urban–rural group"),
    "all_groups": N_("All groups"),
    "caption": N_(
        "Municipalities of the {division} division. The line: {label}, {first}–{last} (black; grey: the median "
        "municipality; one scale for every row). Source: THL, Sotkanet.fi (CC BY 4.0); Statistics Finland's "
        "municipality classification."
    ),
    "municipality": N_("Municipality"),
    "code": N_("Code"),
    "last_share": N_("{last} (%)"),
    "needs_script": N_(
        "The list is drawn by the page from the book's data file (this needs JavaScript); the table of contents "
        "lists every municipality page."
    ),
}
SCRIPT_WORDS = {  # {placeholders} are filled in by the script
    "showing": N_("Showing {shown} of {total} municipalities."),
    "no_match": N_("No municipality matches."),
    "not_published": N_("not published"),
    "no_value": N_("{label}, {first}–{last}: no published value."),
    "values": N_("{label}: {start} % in {start_year}, {end} % in {end_year}"),
    "gap_one": N_("; {n} year not published (small counts)"),
    "gap_many": N_("; {n} years not published (small counts)"),
    "median": N_(". Median municipality in {year}: {value} %."),
    "failed": N_("The list could not be drawn: {error}"),
}
# Statistics Finland's urban–rural groups, short for a narrow column.
SHORT_GROUPS = {
    "Urban municipalities": N_("Urban"),
    "Semi-urban municipalities": N_("Semi-urban"),
    "Rural municipalities": N_("Rural"),
}
DECIMAL = {"en": ".", "fi": ",", "sv": ","}


def tenths(value: float) -> int | None:
    """A share as integer tenths of a percentage point (6.44 -> 64); missing -> None."""
    return None if value is None or math.isnan(value) else int(round(float(value) * 10))


def short_group(label: str, lang: str = "en") -> str:
    """A group's name for a narrow column: 'Semi-urban municipalities' -> 'Semi-urban'."""
    if label in SHORT_GROUPS:
        return translated(SHORT_GROUPS[label], lang)
    return label.removesuffix(" municipalities")


def region_names(index: MunicipalityIndex, lang: str) -> dict[str, str]:
    """English region name -> its name in the edition (Statistics Finland's fi, sv and en names)."""
    if lang == "en":
        return {region: region for region in index.regions}
    table = munis.reference(index.division).drop_duplicates("region_en")
    return dict(zip(table["region_en"], table[f"region_{lang}"], strict=True))


def index_document(index: MunicipalityIndex, lang: str = "en") -> dict:
    """The list's data file: one record of parallel columns (see the module docstring). In the
    Swedish edition ``n`` is the Swedish name and ``s`` the Finnish one when they differ."""
    table = index.table
    regions, groups = index.regions, index.groups
    local_regions = region_names(index, lang)
    series = [[tenths(v) for v in row] for row in index.series.itertuples(index=False)]
    published = [v for row in series for v in row if v is not None]
    first, second = (table["name_sv"], table["name_fi"]) if lang == "sv" else (table["name_fi"], table["name_sv"])
    return {
        "c": list(table["municipality_code"]),
        "n": list(first),
        "s": ["" if other == own else other for own, other in zip(first, second)],
        "r": [regions.index(region) for region in table["region_en"]],
        "g": [groups.index(group) for group in table["urban_rural_en"]],
        "v": series,
        "regions": [local_regions[region] for region in regions],
        "groups": [short_group(group, lang) for group in groups],
        "years": [index.first_year, index.last_year],
        "median": [tenths(v) for v in index.median],
        "max": max(published) if published else 0,
    }


class IndexList:
    """The index element: controls, a count, and a table whose rows the page script draws."""

    def __init__(self, index: MunicipalityIndex, page: str, series_label: str, lang: str = "en"):
        self.index = index
        self.page = page
        self.series_label = series_label
        self.lang = lang
        self.url = publish_chart_json(index_document(index, lang), DATA_NAME)
        self.link_prefix, self.link_suffix = municipality_url_parts(page)

    def word(self, key: str, **values: object) -> str:
        return html.escape(translated(WORDS[key], self.lang, **values))

    def script_words(self) -> str:
        words = {key: translated(text, self.lang) for key, text in SCRIPT_WORDS.items()}
        other = "fi" if self.lang == "sv" else "sv"  # the language of the second name in a row
        return json.dumps({**words, "decimal": DECIMAL[self.lang], "other_lang": other}, ensure_ascii=False)

    def _repr_html_(self) -> str:
        first, last = self.index.first_year, self.index.last_year
        word = self.word
        attributes = {
            "class": "municipality-index",
            "data-page-script": PAGE_SCRIPT,
            "data-index": self.url,
            "data-link-prefix": self.link_prefix,
            "data-link-suffix": self.link_suffix,
            "data-series-label": self.series_label,
            "data-series-unit": SERIES_UNIT,
            "data-words": self.script_words(),
        }
        opening = " ".join(f'{name}="{html.escape(value)}"' for name, value in attributes.items())
        caption = word("caption", division=self.index.division, label=self.series_label, first=first, last=last)
        return (
            f"<div {opening}>"
            '<form class="municipality-index-controls" role="search" onsubmit="return false">'
            f'<label>{word("search")} <input type="search" name="municipality-search" autocomplete="off" '
            f'placeholder="{word("search_placeholder")}"></label> '
            f'<label>{word("region")} <select name="municipality-region"><option value="">{word("all_regions")}'
            "</option></select></label> "
            f'<label>{word("group")} <select name="municipality-group"><option value="">{word("all_groups")}</option>'
            "</select></label></form>"
            '<p class="municipality-index-count" aria-live="polite"></p>'
            '<table class="book-table municipality-index-table">'
            f"<caption>{caption}</caption>"
            f"<thead><tr><th>{word('municipality')}</th><th>{word('code')}</th><th>{word('region')}</th>"
            f"<th>{word('group')}</th><th>{first}–{last}</th><th>{word('last_share', last=last)}</th></tr></thead>"
            f'<tbody><tr><td colspan="6">{word("needs_script")}</td></tr></tbody></table></div>'
        )

    def __repr__(self) -> str:
        return (
            f"Municipality index: {len(self.index.table)} municipalities of the {self.index.division} division, "
            "drawn in the published page from its data file"
        )


def index_list(index: MunicipalityIndex, page: str, series_label: str, lang: str = "en") -> IndexList:
    return IndexList(index, page, series_label, lang)
