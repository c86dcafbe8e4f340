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
import math

from helpers.analysis.municipality_index import SERIES_UNIT, MunicipalityIndex
from helpers.charts.render import publish_chart_json
from helpers.data.municipalities import municipality_url_parts

DATA_NAME = "municipality-index"
PAGE_SCRIPT = "municipality-index"  # book/_static/page-scripts/<name>.js; see helpers.book.sphinx_offline


def tenths(value: float) -> int | None:
    """A share as integer tenths of a percentage point (6.44 -> 64); missing -> None."""
    return None if value is None or math.isnan(value) else int(round(float(value) * 10))


def short_group(label: str) -> str:
    """A group's name for a narrow column: 'Semi-urban municipalities' -> 'Semi-urban'."""
    return label.removesuffix(" municipalities")


def index_document(index: MunicipalityIndex) -> dict:
    """The list's data file: one record of parallel columns (see the module docstring)."""
    table = index.table
    regions, groups = index.regions, index.groups
    series = [[tenths(v) for v in row] for row in index.series.itertuples(index=False)]
    published = [v for row in series for v in row if v is not None]
    return {
        "c": list(table["municipality_code"]),
        "n": list(table["name_fi"]),
        "s": ["" if sv == fi else sv for fi, sv in zip(table["name_fi"], table["name_sv"])],
        "r": [regions.index(region) for region in table["region_en"]],
        "g": [groups.index(group) for group in table["urban_rural_en"]],
        "v": series,
        "regions": regions,
        "groups": [short_group(group) for group in groups],
        "years": [index.first_year, index.last_year],
        "median": [tenths(v) for v in index.median],
        "max": max(published) if published else 0,
    }


class IndexList:
    """The index element: controls, a count, and a table whose rows the page script draws."""

    def __init__(self, index: MunicipalityIndex, page: str, series_label: str):
        self.index = index
        self.page = page
        self.series_label = series_label
        self.url = publish_chart_json(index_document(index), DATA_NAME)
        self.link_prefix, self.link_suffix = municipality_url_parts(page)

    def _repr_html_(self) -> str:
        first, last = self.index.first_year, self.index.last_year
        attributes = {
            "class": "municipality-index",
            "data-page-script": PAGE_SCRIPT,
            "data-index": self.url,
            "data-link-prefix": self.link_prefix,
            "data-link-suffix": self.link_suffix,
            "data-series-label": self.series_label,
            "data-series-unit": SERIES_UNIT,
        }
        opening = " ".join(f'{name}="{html.escape(value)}"' for name, value in attributes.items())
        label = html.escape(self.series_label)
        return (
            f"<div {opening}>"
            '<form class="municipality-index-controls" role="search" onsubmit="return false">'
            '<label>Search <input type="search" name="municipality-search" autocomplete="off" '
            'placeholder="Finnish or Swedish name, or code"></label> '
            '<label>Region <select name="municipality-region"><option value="">All regions</option></select></label> '
            '<label>Urban–rural group <select name="municipality-group"><option value="">All groups</option>'
            "</select></label></form>"
            '<p class="municipality-index-count" aria-live="polite"></p>'
            '<table class="book-table municipality-index-table">'
            f"<caption>Municipalities of the {self.index.division} division. The line: {label}, "
            f"{first}–{last} (black; grey: the median municipality; one scale for every row). "
            "Source: THL, Sotkanet.fi (CC BY 4.0); Statistics Finland's municipality classification.</caption>"
            "<thead><tr><th>Municipality</th><th>Code</th><th>Region</th><th>Urban–rural group</th>"
            f"<th>{first}–{last}</th><th>{last} (%)</th></tr></thead>"
            '<tbody><tr><td colspan="6">The list is drawn by the page from the book\'s data file (this needs '
            "JavaScript); the table of contents lists every municipality page.</td></tr></tbody></table></div>"
        )

    def __repr__(self) -> str:
        return (
            f"Municipality index: {len(self.index.table)} municipalities of the {self.index.division} division, "
            "drawn in the published page from its data file"
        )


def index_list(index: MunicipalityIndex, page: str, series_label: str) -> IndexList:
    return IndexList(index, page, series_label)
