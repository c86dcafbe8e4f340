"""Survey chapter charts: deterministic specs, titled, white, cited, fact-table data only."""

from __future__ import annotations

import json
import re

import pytest
from test_facts_support import chart_rows, fact_numbers, read_table

from helpers.charts import style
from helpers.charts import survey as charts

CHARTS = {
    "survey_coverage": (charts.survey_coverage_chart, charts.survey_coverage_alt_text),
    "decision_growth": (charts.decision_growth_chart, charts.decision_growth_alt_text),
    "decision_makers": (charts.decision_makers_chart, charts.decision_makers_alt_text),
    "related_evidence": (charts.related_evidence_chart, charts.related_evidence_alt_text),
    "kela_notifications": (charts.kela_notifications_chart, charts.kela_notifications_alt_text),
}
NUMERIC_FIELDS = {"coverage_pct", "change_pct", "share_pct", "value", "year"}


@pytest.fixture(autouse=True)
def chart_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOK_CHART_DATA_DIR", str(tmp_path / "chart-data"))
    return tmp_path / "chart-data"


def _encodings(node, found):
    if isinstance(node, dict):
        if "encoding" in node:
            found.append(node["encoding"])
        for value in node.values():
            _encodings(value, found)
    elif isinstance(node, list):
        for value in node:
            _encodings(value, found)
    return found


@pytest.mark.parametrize("name", CHARTS)
def test_spec_is_deterministic_and_names_no_generated_params(name):
    build, _ = CHARTS[name]
    first = json.dumps(build().to_dict(), sort_keys=True)
    assert first == json.dumps(build().to_dict(), sort_keys=True)
    assert not re.search(r'"(param|view|selector)_?\d+"', first)


@pytest.mark.parametrize("name", CHARTS)
def test_chart_is_white_titled_with_quantitative_axis_titles_and_sources(name):
    build, _ = CHARTS[name]
    spec = build().to_dict()
    assert spec["background"] == "white"
    assert spec["title"]["text"] and spec["title"].get("subtitle")
    encodings = _encodings(spec, [])
    quantitative = [e["x"] for e in encodings if e.get("x", {}).get("type") == "quantitative" and "title" in e["x"]]
    assert quantitative and all("(%)" in x["title"] or x["title"].startswith("Year") for x in quantitative), (
        quantitative
    )
    tooltips = [t["field"] for e in encodings for t in e.get("tooltip", [])]
    assert "source" in tooltips


@pytest.mark.parametrize("name", CHARTS)
def test_colours_come_from_the_shared_palette(name):
    build, _ = CHARTS[name]
    text = json.dumps(build().to_dict())
    colours = set(re.findall(r"#[0-9A-Fa-f]{6}", text))
    allowed = set(style.OKABE_ITO.values()) | {style.CONTEXT_COLOUR, charts.NOT_PUBLISHED_COLOUR}
    assert colours <= allowed, colours - allowed


@pytest.mark.parametrize("name", CHARTS)
def test_chart_data_hold_only_fact_table_figures_and_no_municipality(name, chart_data_dir):
    build, _ = CHARTS[name]
    spec = build().to_dict()
    datasets = chart_rows(spec, chart_data_dir)
    assert datasets, "the chart has data"
    allowed = fact_numbers()
    names = {r["name_fi"] for r in read_table("pilot_municipalities")} | {
        r["name_sv"] for r in read_table("pilot_municipalities")
    }
    for rows in datasets:
        for row in rows:
            assert "municipality_code" not in row
            for field, value in row.items():
                if field in NUMERIC_FIELDS and value is not None:
                    assert float(value) in allowed, (field, value)
                if isinstance(value, str):
                    assert not any(n in value for n in names), (field, value)


def test_unpublished_share_is_labelled_not_drawn(chart_data_dir):
    (rows,) = chart_rows(charts.decision_makers_chart().to_dict(), chart_data_dir)
    missing = [r for r in rows if r["status"] != "published"]
    assert len(missing) == 1 and missing[0]["share_pct"] is None
    assert missing[0]["text"] == "Social workers and social instructors: not published"


def test_timeline_rows_follow_the_dates(chart_data_dir):
    (rows,) = chart_rows(charts.related_evidence_chart().to_dict(), chart_data_dir)
    assert [r["year"] for r in rows] == sorted(r["year"] for r in rows)
    assert rows[0]["label"] == "1 January 2017"


@pytest.mark.parametrize("name", CHARTS)
def test_alt_text_states_the_published_figures(name):
    _, alt_text = CHARTS[name]
    text = alt_text()
    expected = {
        "survey_coverage": ["92.0 %", "133", "not a sample size"],
        "decision_growth": ["+21 %"],
        "decision_makers": ["38 %", "3 %", "92 %", "Not published"],
        "related_evidence": ["−657", "+651", "about 25 %", "1 January 2017"],
        "kela_notifications": ["51 %", "35 %", "90 %", "86 %"],
    }[name]
    for fragment in expected:
        assert fragment in text, (name, fragment)
