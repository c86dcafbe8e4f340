"""The municipality page's figure: its trends against its region, its urban–rural group and Finland.

One figure of four panels (families with children receiving social assistance, monthly
unemployment, two Diak indices), so the page carries one embedding. The data go to three small
published files (one wide row per year or month), never inline.

The spec is written as plain Vega-Lite data rather than through Altair's objects: the template
runs 309 times, and building and validating Altair's object tree cost more than all the rest of
a page (0.2–0.3 s a run). ``tests/test_municipality_charts.py`` validates the spec against
Vega-Lite's schema with Altair, so it cannot drift from what Altair would accept.
"""

from __future__ import annotations

import json
from typing import Any

import altair as alt
import pandas as pd

from helpers.analysis.municipality_profile import DIAK_VARIABLES, ROLES, Profile
from helpers.charts.comparisons import TREND_RANGE
from helpers.charts.render import PreparedSpec, publish_chart_data
from helpers.i18n import N_, translated

PANEL_WIDTH = 560
HALF_WIDTH = 250
# Words of the chart (titles, axes, tooltips): messages of the code catalogue.
TEXT = {
    "families_title": N_("Families with children receiving social assistance"),
    "families_axis": N_("% of families with children"),
    "unemployment_title": N_("Unemployment rate by month"),
    "unemployment_axis": N_("% of labour force"),
    "diak_axis": N_("Index (median municipality = 100)"),
    "diak_long_term_social_assistance_25_64": N_("Diak: long-term social assistance, 25–64"),
    "diak_disadvantage_total": N_("Diak: disadvantage, composite index"),
    "diak_subtitle": N_("Region and group: median of their municipalities"),
    "series": N_("Series"),
    "year": N_("Year"),
    "month": N_("Month"),
    "value": N_("Value"),
    "region_suffix": N_("{region} (region)"),
    "description": N_("{name}: trends against its region, urban–rural group and Finland"),
}


def word(key: str, lang: str, **values: Any) -> str:
    return translated(TEXT[key], lang, **values)


def series_labels(profile: Profile, lang: str = "en") -> list[str]:
    """Legend labels in the order of ``ROLES``, in the edition's names."""
    from helpers.chapters.municipality_text import series_labels as names

    labels = names(profile, lang)
    return [
        labels["municipality"],
        word("region_suffix", lang, region=labels["region"]),
        labels["urban_rural"],
        labels["finland"],
    ]


def _rounded(frame: pd.DataFrame, columns: list[str], digits: int) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        out[column] = out[column].astype("float64").round(digits)
    return out


def trend_files(profile: Profile) -> dict[str, pd.DataFrame]:
    """The three data sets the figure draws, rounded a decimal beyond what the page shows."""
    families = _rounded(profile.families, list(ROLES), 2)
    families["year"] = families["year"].astype("int64")
    unemployment = _rounded(profile.unemployment, list(ROLES), 2)
    diak = _rounded(profile.diak, ["municipality", "region", "urban_rural"], 1)
    return {"families": families, "unemployment": unemployment, "diak": diak}


def _data(url: str) -> dict[str, Any]:
    return {"url": url, "format": {"type": "json"}}


def _title(text: str, subtitle: str | None = None) -> dict[str, Any]:
    title: dict[str, Any] = {"text": text, "anchor": "start", "fontSize": 12}
    if subtitle:
        title["subtitle"] = subtitle
    return title


def _lines(
    roles: list[str],
    labels: list[str],
    x: dict[str, Any],
    y_title: str,
    index: dict[str, Any],
    points: bool,
    lang: str = "en",
) -> dict[str, Any]:
    """Lines of ``roles`` from a wide table (one column per role), folded to long form in the page."""
    mapping = {role: labels[ROLES.index(role)] for role in roles}
    mark: dict[str, Any] = {"type": "line", "invalid": "break-paths-show-domains"}
    if points:
        mark["point"] = {"size": 10}
    return {
        "mark": mark,
        "transform": [
            {"fold": roles, "as": ["role", "value"]},
            {"calculate": f"{json.dumps(mapping, ensure_ascii=False)}[datum.role]", "as": "series"},
        ],
        "encoding": {
            "x": x,
            "y": {"field": "value", "type": "quantitative", "title": y_title, "scale": {"zero": True}},
            "color": {
                "field": "series",
                "type": "nominal",
                "sort": labels,
                "scale": {"domain": labels, "range": TREND_RANGE},
                "legend": {"title": None, "orient": "bottom", "columns": 2, "labelLimit": 320},
            },
            "strokeWidth": {"condition": {"test": "datum.role === 'municipality'", "value": 2.6}, "value": 1.4},
            "tooltip": [
                {"field": "series", "type": "nominal", "title": word("series", lang)},
                index,
                {"field": "value", "type": "quantitative", "title": word("value", lang), "format": ".1f"},
            ],
        },
    }


def trends_spec(profile: Profile, lang: str = "en") -> dict[str, Any]:
    """The figure's Vega-Lite spec; its data are published as files named by the municipality's code
    (the same files in every edition: only the words differ)."""
    labels = series_labels(profile, lang)
    files = trend_files(profile)
    code = profile.code
    urls = {name: publish_chart_data(frame, f"municipality-{code}-{name}") for name, frame in files.items()}
    families = {
        "data": _data(urls["families"]),
        **_lines(
            list(ROLES),
            labels,
            {"field": "year", "type": "quantitative", "title": None, "axis": {"format": "d", "tickCount": 10}},
            word("families_axis", lang),
            {"field": "year", "type": "quantitative", "title": word("year", lang)},
            points=True,
            lang=lang,
        ),
        "width": PANEL_WIDTH,
        "height": 170,
        "title": _title(word("families_title", lang)),
    }
    unemployment = {
        "data": _data(urls["unemployment"]),
        **_lines(
            list(ROLES),
            labels,
            {"field": "month", "type": "temporal", "title": None, "axis": {"format": "%Y", "tickCount": 8}},
            word("unemployment_axis", lang),
            {"field": "month", "type": "nominal", "title": word("month", lang)},
            points=False,  # 178 months: a point each would only blur the lines (and weigh on the page)
            lang=lang,
        ),
        "width": PANEL_WIDTH,
        "height": 170,
        "title": _title(word("unemployment_title", lang)),
    }
    median_rule = {
        "transform": [{"aggregate": [{"op": "count", "as": "n"}]}, {"calculate": "100", "as": "y"}],
        "mark": {"type": "rule", "color": TREND_RANGE[3], "strokeDash": [4, 3]},
        "encoding": {"y": {"field": "y", "type": "quantitative"}},
    }
    diak_panels = []
    for variable in DIAK_VARIABLES:
        lines = _lines(
            ["municipality", "region", "urban_rural"],
            labels,
            {
                "field": "year",
                "type": "ordinal",
                "title": None,
                "axis": {"labelAngle": 0, "values": [2011, 2014, 2017, 2020]},
            },
            word("diak_axis", lang),
            {"field": "year", "type": "ordinal", "title": word("year", lang)},
            points=True,
            lang=lang,
        )
        lines["transform"] = [{"filter": f"datum.variable === {json.dumps(variable)}"}, *lines["transform"]]
        diak_panels.append(
            {
                "data": _data(urls["diak"]),
                "layer": [median_rule, lines],
                "width": HALF_WIDTH,
                "height": 150,
                "title": _title(word(f"diak_{variable}", lang), word("diak_subtitle", lang)),
            }
        )
    return {
        "$schema": alt.SCHEMA_URL,
        "config": {"view": {"continuousWidth": 300, "continuousHeight": 300, "stroke": None}},
        "background": "white",
        "description": word("description", lang, name=labels[0]),
        "vconcat": [families, unemployment, {"hconcat": diak_panels, "spacing": 40}],
        "spacing": 28,
        "resolve": {"scale": {"color": "shared"}},
    }


def trends_chart(profile: Profile, lang: str = "en") -> PreparedSpec:
    """The figure, ready for ``charts.figure``."""
    return PreparedSpec(trends_spec(profile, lang))
