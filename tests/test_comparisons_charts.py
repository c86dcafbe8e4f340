"""Comparison charts: deterministic, small, named controls, shared data, faithful boundaries."""

from __future__ import annotations

import json
import math
import re

import pytest

from helpers import charts
from helpers.analysis import municipal_comparisons as cmp
from helpers.chapters import comparisons as comparisons_chapter
from helpers.charts import comparisons as cc
from helpers.charts import comparisons_boundaries as boundaries

CHART_DATA_BUDGET = 200_000  # bytes of chart data the default chapter may publish (page limit 2 MB)


@pytest.fixture(autouse=True)
def chart_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOK_CHART_DATA_DIR", str(tmp_path / "chart-data"))
    return tmp_path / "chart-data"


@pytest.fixture(scope="module")
def chapter():
    return comparisons_chapter.prepare(comparisons_chapter.validate({})).comparisons


@pytest.fixture(scope="module")
def page(chapter):
    return cc.page_data(chapter)


def _figures(page, chapter):
    charts.set_chapter(5)
    linked = charts.figure(cc.linked_views(page, chapter), **cc.linked_views_text(chapter))
    over_time = charts.figure(cc.over_time_chart(chapter.code, chapter.division), **cc.over_time_text(chapter))
    return linked, over_time


def _params(spec) -> dict:
    return {p["name"]: p for p in spec.get("params", [])}


def test_default_chapter_publishes_little_chart_data_and_shares_it(page, chapter, chart_data_dir):
    linked, over_time = _figures(page, chapter)
    specs = [linked.spec(), over_time.spec()]
    table = cc.table_alternative(page, chapter, linked.number)._repr_html_()
    files = sorted(chart_data_dir.glob("*.json"))
    total = sum(f.stat().st_size for f in files)
    assert total < CHART_DATA_BUDGET, f"chart data {total} bytes: {[(f.name, f.stat().st_size) for f in files]}"
    # One municipality file and one boundary file, shared by every view that needs them.
    names = [f.name for f in files]
    assert sum(n.startswith("comparisons-municipalities-") for n in names) == 1
    assert sum(n.startswith("comparisons-boundaries-2021-") for n in names) == 1
    urls = json.dumps(specs[0]).count("chart-data/comparisons-municipalities-")
    assert urls >= 4  # map, ranking, scatter and peers read the same file
    # The map's table alternative reads that same file in the page instead of repeating the values.
    key = next(n for n in names if n.startswith("comparisons-municipalities-"))[: -len(".json")]
    assert json.dumps(key) in table and "<td>7.6</td>" not in table
    # The inline specs stay small too (they are part of the page).
    assert len(json.dumps(specs[0], separators=(",", ":"))) < 35_000


def test_specs_are_deterministic_white_and_named(page, chapter):
    first = [f.spec() for f in _figures(page, chapter)]
    second = [f.spec() for f in _figures(cc.page_data(chapter), chapter)]
    assert first == second
    for spec in first:
        assert spec["background"] == "white"
        for param in spec.get("params", []):
            assert param["name"] and not param["name"].startswith("param_")
        assert "description" in spec


def test_linked_controls_are_labelled_and_start_on_the_parameters(page, chapter):
    spec = _figures(page, chapter)[0].spec()
    params = _params(spec)
    picker = params[cc.MUNICIPALITY_PARAM]
    assert picker["value"] == "837" and picker["bind"]["name"] == "Municipality: "
    assert len(picker["bind"]["options"]) == 309
    labels = dict(zip(picker["bind"]["options"], picker["bind"]["labels"]))
    assert labels["837"] == "Tampere (Tammerfors)" and labels["588"] == "Pertunmaa"
    options = picker["bind"]["options"]
    assert options.index("989") > options.index("980") > options.index("091")  # Ähtäri after Ylöjärvi: Finnish order
    indicator = params[cc.INDICATOR_PARAM]
    assert indicator["value"] == chapter.indicators[1] and indicator["bind"]["name"].startswith("Indicator")
    assert len(indicator["bind"]["options"]) == 15
    units = cmp.indicator_catalogue()["unit"]
    assert all(f"({unit})" in label for label, unit in zip(indicator["bind"]["labels"], units))
    assert params[cc.SCATTER_X_PARAM]["value"] == chapter.indicators[0]
    assert params[cc.SCATTER_Y_PARAM]["value"] == chapter.indicators[1]
    names = [view.get("name") for view in [spec["hconcat"][0], *spec["hconcat"][1]["vconcat"]]]
    assert names == ["comparison_map", "comparison_ranking", "comparison_scatter", "comparison_peers"]


def test_municipality_record_holds_published_values_in_tenths(page, chapter):
    record = page.municipalities
    assert len(record) == 1 and list(record.columns) == cc.MUNICIPALITY_COLUMNS
    codes = page.column("c")
    assert len(codes) == len(set(codes)) == 309
    values = dict(zip(codes, page.column("v")))
    order = list(page.indicators["indicator"])
    published = chapter.values
    for code in ("837", "091", "851"):
        for k, indicator in enumerate(order):
            value = published.loc[code, indicator]
            assert values[code][k] == (None if math.isnan(value) else round(value * 10))
    assert values["588"] == [None] * 15  # Pertunmaa: merged into Mäntyharju in the data, no value of its own
    assert set(page.notes) == {"507", "588"}
    swedish = dict(zip(codes, page.column("s")))
    assert swedish["837"] == "Tammerfors" and swedish["020"] == "Ackas" and swedish["005"] == ""


def test_simplified_boundaries_keep_every_municipality_and_ring(page):
    original = cc.compact_topology(2021)
    simplified = page.topology
    assert [g["id"] for g in simplified["objects"]["municipalities"]["geometries"]] == cmp.division_codes(2021)
    assert len(simplified["arcs"]) == len(original["arcs"])  # shared borders stay shared
    scale = simplified["transform"]["scale"][0] / original["transform"]["scale"][0]
    before = [boundaries._decode(a) for a in original["arcs"]]
    after = [boundaries._decode(a) for a in simplified["arcs"]]
    for geometry in original["objects"]["municipalities"]["geometries"]:
        for ring in boundaries._rings(geometry):
            a0, a1 = boundaries._ring_area(ring, before), boundaries._ring_area(ring, after) * scale * scale
            assert a0 * a1 > 0 and abs(a1) > 0.5 * abs(a0), geometry["id"]
    assert sum(len(a) for a in simplified["arcs"]) < sum(len(a) for a in original["arcs"])
    assert len(json.dumps(simplified)) < 0.75 * len(json.dumps(cmp.data.load_topojson("boundaries_2021")))


def test_over_time_record_has_the_four_series(chapter):
    record = cc.trend_record(chapter.code, chapter.division)
    assert list(record.at[0, "names"]) == ["Tampere", "Pirkanmaa", "Urban municipalities", "Finland"]
    assert len(record.at[0, "m0"]) == 178 and len(record.at[0, "a0"]) == 15
    annual = cmp.trend_series(chapter.code, chapter.division, "annual")
    finland_2019 = annual[(annual["role"] == "finland") & (annual["year"] == 2019)]["rate"].iloc[0]
    assert record.at[0, "a3"][2019 - 2006] == round(finland_2019 * 10)
    spec = cc.over_time_chart(chapter.code, chapter.division).to_dict()
    assert _params(spec)[cc.FREQUENCY_PARAM]["bind"]["name"] == "Unemployment series: "
    assert "an index, not a rate" in json.dumps(spec)


def test_a_municipality_outside_diak_gets_the_trend_alone():
    chapter = comparisons_chapter.prepare(comparisons_chapter.validate({"municipality": "Brändö"})).comparisons  # Åland
    spec = cc.over_time_chart(chapter.code, chapter.division).to_dict()
    assert "vconcat" not in spec and spec["name"] == "comparison_trend"
    assert "Diak" not in cc.over_time_text(chapter)["caption"]


def test_title_lines_split_the_measure_from_its_denominator():
    assert cc.title_lines("Unemployed, % of labour force") == ["Unemployed", "% of labour force"]
    assert cc.title_lines("Divorces per 1,000 married persons aged 25-64") == [
        "Divorces per 1,000 married persons aged 25-64",
        "",
    ]
    assert (
        cc.option_label("Social assistance, EUR per resident", "EUR per resident")
        == "Social assistance (EUR per resident)"
    )


def _named_layers(spec) -> dict:
    """Every named sub-chart of the spec, by name (without the index the layer helper appends)."""
    found = {}

    def walk(node):
        if isinstance(node, dict):
            if "name" in node and ("mark" in node or "layer" in node):
                found[re.sub(r"_\d+$", "", node["name"])] = node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def test_map_and_ranking_link_each_municipality_to_its_page_and_keep_the_pickers(page, chapter):
    from helpers.data.municipalities import municipality_page_url

    spec = cc.linked_views(page, chapter, book_page="chapters/comparisons").to_dict()
    layers = _named_layers(spec)
    for name in ("map_areas", "map_chosen", "ranking_bars", "ranking_chosen"):
        assert layers[name]["encoding"]["href"] == {"field": "page_link", "type": "nominal"}, name
    for name in ("scatter_points", "peer_list"):
        assert "href" not in layers[name].get("encoding", {}), name
    calculations = [
        t["calculate"]
        for t in (layers["comparison_map"]["transform"] + layers["comparison_ranking"]["transform"])
        if t.get("as") == "page_link"
    ]
    assert len(calculations) == 2
    # The expression, evaluated for a code as Vega would, gives the page's relative link.
    for code in ("837", "545", "005"):
        url = "".join(json.loads(part) if part.startswith('"') else code for part in calculations[0].split(" + "))
        assert url == municipality_page_url(code, "chapters/comparisons") == f"../municipalities/{code}.html"
    assert {"municipality_pick", "indicator_pick", "scatter_x_pick", "scatter_y_pick"} <= set(_params(spec))
    # Outside the book (no page to link from), the figure draws no links.
    plain = cc.linked_views(page, chapter).to_dict()
    assert "page_link" not in json.dumps(plain)
