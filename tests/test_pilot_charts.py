"""Pilot chapter (chapter 3): chart builders, the chapter glue and its parameter validation.

Synthetic frames below are made up for the tests (labelled "synthetic"); the real-data tests read
the data release through BOOK_DATA_MIRROR and never copy its rows into the repository.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from helpers.analysis.pilot import pilot_timing
from helpers.chapters import pilot as pilot_chapter
from helpers.chapters import pilot_report as report
from helpers.charts import pilot as pc
from helpers.charts import render, style
from helpers.charts.render import spec_nodes  # noqa: E402
from helpers.errors import ParameterError
from helpers.text import format_number

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "pilot.ipynb"


@pytest.fixture(autouse=True)
def chart_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(render.CHART_DATA_ENV, str(tmp_path / "chart-data"))
    return tmp_path / "chart-data"


# --------------------------------------------------------------------------- spec helpers


def _rows(data: dict, data_dir: Path) -> list[dict] | None:
    url = data.get("url")
    if isinstance(url, str) and url.startswith("chart-data/"):
        return json.loads((data_dir / url.removeprefix("chart-data/")).read_text(encoding="utf-8"))
    return None


def _field_names(encoding: dict) -> list[str]:
    names = []
    for channel in encoding.values():
        for item in channel if isinstance(channel, list) else [channel]:
            if isinstance(item, dict) and isinstance(item.get("field"), str):
                names.append(item["field"])
            if isinstance(item, dict) and isinstance(item.get("condition"), dict):
                names.extend(_field_names({"c": item["condition"]}))
    return names


def missing_fields(spec: dict, data_dir: Path) -> list[str]:
    """Encoded fields that are neither in the view's data file nor made by one of its transforms."""
    problems: list[str] = []

    def walk(node, columns: set[str] | None, path: str):
        if isinstance(node, list):
            for i, child in enumerate(node):
                walk(child, columns, f"{path}[{i}]")
            return
        if not isinstance(node, dict):
            return
        if isinstance(node.get("data"), dict):
            rows = _rows(node["data"], data_dir)
            if rows is not None:
                columns = set().union(*(r.keys() for r in rows)) if rows else set()
        for t in node.get("transform", []):
            made = t.get("as")
            if isinstance(made, str):
                columns = (columns or set()) | {made}
            elif isinstance(made, list):
                columns = (columns or set()) | set(made)
        facet = node.get("facet") if isinstance(node.get("facet"), dict) else {}
        facet = {"facet": facet} if "field" in facet else facet
        for field in _field_names(node.get("encoding", {})) + _field_names(facet):
            if columns is None or field not in columns:
                problems.append(f"{path}: field {field!r} not in data {sorted(columns or [])}")
        for key in ("layer", "hconcat", "vconcat", "concat", "spec"):
            if key in node:
                walk(node[key], columns, f"{path}.{key}")

    walk(spec, None, "spec")
    return problems


def inline_rows(spec) -> list:
    """Rows written into the spec itself (forbidden: chart data go to chart-data files)."""
    found = [
        node["values"]
        for node in spec_nodes(spec)
        if isinstance(node.get("values"), list) and node["values"] and all(isinstance(v, dict) for v in node["values"])
    ]
    return found + list(spec.get("datasets", {}).values())


def param_names(spec) -> list[str]:
    return [param["name"] for node in spec_nodes(spec) for param in node.get("params", [])]


def check_chart(chart, data_dir: Path) -> dict:
    """The checks every pilot chart must pass; returns its spec."""
    first = json.dumps(chart.to_dict(), sort_keys=True)
    second = json.dumps(chart.to_dict(), sort_keys=True)
    assert first == second, "the spec changes between two calls"
    spec = json.loads(first)
    assert spec["background"] == "white"
    assert spec.get("title"), "every chart has a title"
    assert not inline_rows(spec), "rows inlined into the spec instead of a chart-data file"
    assert missing_fields(spec, data_dir) == []
    assert not re.search(r'"(param|view|selector)_?\d+"', first), "unnamed (generated) param names"
    colours = set(c.upper() for c in re.findall(r"#[0-9A-Fa-f]{6}", first))
    allowed = {c.upper() for c in style.OKABE_ITO.values()} | {style.CONTEXT_COLOUR.upper()}
    assert colours <= allowed, f"colours outside the shared palette: {colours - allowed}"
    return spec


# --------------------------------------------------------------------------- synthetic frames


def synthetic_timeline() -> pd.DataFrame:  # synthetic
    return pd.DataFrame(
        {
            "municipality_code": ["211", "680", "851"],
            "label": ["Kangasala", "Raisio (Reso)", "Tornio (Torneå)"],
            "start": ["2018-01-01", "2017-11-01", "2018-01-01"],
            "end": ["2019-12-31", "2019-12-31", "2018-12-31"],
            "end_exclusive": ["2020-01-01", "2020-01-01", "2019-01-01"],
            "period_label": ["synthetic a", "synthetic b", "synthetic c"],
            "in_analysis": [True, True, False],
            "unused_column": [1, 2, 3],
        }
    )


def synthetic_context() -> tuple[pd.DataFrame, pd.DataFrame]:  # synthetic
    values = pd.DataFrame(
        {
            "label": ["A (%)"] * 4 + ["B (€)"] * 4,
            "municipality": ["M1", "M2", "Tampere (Tammerfors)", "Kuopio"] * 2,
            "value": [1.0, 2.0, 3.0, 4.0, 10.0, 20.0, 30.0, 40.0],
            "pilot": ["", "", "Tampere (Tammerfors)", "Kuopio"] * 2,
            "jitter": [0.1, -0.2, 0.3, -0.4] * 2,
        }
    )
    summary = pd.DataFrame(
        {
            "label": ["A (%)", "B (€)"],
            "min": [1.0, 10.0],
            "q1": [1.75, 17.5],
            "median": [2.5, 25.0],
            "q3": [3.25, 32.5],
            "max": [4.0, 40.0],
            "national": [2.7, 27.0],
            "national_label": ["National 2.7 (synthetic)", "National 27.0 (synthetic)"],
        }
    )
    return values, summary


def synthetic_trends() -> tuple[pd.DataFrame, pd.DataFrame]:  # synthetic
    years = list(range(2013, 2021))
    rows = []
    for series, kind, base in (
        (pc.PILOT_GROUP_LABEL, "group", 10.0),
        (pc.COMPARISON_LABEL, "group", 8.0),
        ("Kuopio", "municipality", 11.0),
        ("Tampere", "municipality", 9.0),
    ):
        rows += [
            {"year": y, "series": series, "kind": kind, "value": base - 0.1 * (y - 2013), "n_units": 1} for y in years
        ]
    bands = pd.DataFrame(
        {
            "period": ["Pre-period", "Post-period"],
            "start": [2012.5, 2017.5],
            "end": [2017.5, 2019.5],
            "years": ["2013–2017", "2018–2019"],
        }
    )
    return pd.DataFrame(rows), bands


def synthetic_event(with_band: bool = True) -> pd.DataFrame:  # synthetic
    frame = pd.DataFrame({"year": range(2013, 2021), "relative_to_base": [0.5, 0.3, 0.2, 0.1, 0.0, -0.4, -0.6, -0.2]})
    if with_band:
        frame["placebo_low"] = [-1.0, -0.8, -0.5, -0.3, 0.0, -0.5, -0.7, -1.2]
        frame["placebo_high"] = [1.0, 0.8, 0.5, 0.3, 0.0, 0.5, 0.7, 1.2]
    frame["period"] = "synthetic"
    return frame


# --------------------------------------------------------------------------- synthetic tests


def test_timeline_chart_from_synthetic_frame(chart_data_dir):
    chart = pc.timeline_chart(synthetic_timeline(), pd.DataFrame({"date": ["2018-12-10"], "event": ["synthetic"]}))
    spec = check_chart(chart, chart_data_dir)
    text = json.dumps(spec)
    for code in ("211", "680", "851"):
        assert style.PILOT_COLOURS[code] in text  # each municipality in its fixed colour
    assert "unused_column" not in text
    rows = [r for d in (_rows(layer.get("data", {}), chart_data_dir) for layer in spec["layer"]) if d for r in d]
    assert all("unused_column" not in r for r in rows), "only the needed columns reach the chart data"
    # the synthetic frame's years: 2018 has three municipalities, 2019 two
    years = pc.participation_by_year(synthetic_timeline())
    assert list(years["text"]) == ["2018: 3 municipalities", "2019: 2 municipalities"]


def test_context_chart_has_a_named_dropdown_and_fixed_pilot_colours(chart_data_dir):
    values, summary = synthetic_context()
    chart = pc.context_strip_chart(values, summary, {"837": "Tampere (Tammerfors)", "297": "Kuopio"})
    spec = check_chart(chart, chart_data_dir)
    assert param_names(spec) == [pc.CONTEXT_PARAM]
    param = spec["params"][0]
    assert param["bind"]["input"] == "select" and param["bind"]["labels"] == ["A (%)", "B (€)"]
    assert param["bind"]["options"] == [0, 1] and param["value"] == 0
    colour_scales = [
        layer["encoding"]["color"]["scale"] for layer in spec["layer"] if "color" in layer.get("encoding", {})
    ]
    assert {
        "domain": ["Tampere (Tammerfors)", "Kuopio"],
        "range": [style.PILOT_COLOURS["837"], style.PILOT_COLOURS["297"]],
    } in colour_scales
    alt_text = pc.context_alt_text(summary, values)
    assert "4 municipalities" in alt_text and "Kuopio 4.0" in alt_text and "national figure" in alt_text


def test_trend_chart_uses_group_colours_and_skips_single_municipality_lines(chart_data_dir):
    trends, bands = synthetic_trends()
    spec = check_chart(
        pc.trend_chart(trends, bands, outcome_label="Synthetic rate", unit="% of synthetic"), chart_data_dir
    )
    scales = [layer["encoding"]["color"]["scale"] for layer in spec["layer"] if "color" in layer.get("encoding", {})]
    assert {
        "domain": [pc.PILOT_GROUP_LABEL, pc.COMPARISON_LABEL],
        "range": [style.PILOT_GROUP_COLOUR, style.COMPARISON_COLOUR],
    } in scales
    n_layers = len(spec["layer"])
    one = trends[(trends["kind"] == "group") | (trends["series"] == "Kuopio")]
    spec_one = check_chart(pc.trend_chart(one, bands, outcome_label="Synthetic rate", unit="%"), chart_data_dir)
    assert len(spec_one["layer"]) == n_layers - 1  # no thin line layer for a single pilot municipality
    alt_text = pc.trend_alt_text(trends, outcome_label="Synthetic rate", unit="%")
    assert "10.0 in 2013" in alt_text and "2 pilot municipalities" in alt_text


@pytest.mark.parametrize("with_band", [True, False])
def test_event_study_chart_with_and_without_placebo_band(chart_data_dir, with_band):
    trends, bands = synthetic_trends()
    event = synthetic_event(with_band)
    spec = check_chart(pc.event_study_chart(event, bands, base_year=2017, unit="pp"), chart_data_dir)
    text = json.dumps(spec, ensure_ascii=False)
    assert (pc.BAND_SERIES in text) is with_band
    assert "period" not in json.dumps(_rows(spec["layer"][-1]["data"], chart_data_dir)[0])
    alt_text = pc.event_study_alt_text(event, base_year=2017, unit="pp", pre_years=[2013, 2017], post_years=[2018])
    assert "2013: +0.50" in alt_text and "2018: −0.40" in alt_text


def test_placebo_histogram_marks_the_extreme_draws(chart_data_dir):
    estimates = [-2.0, -1.0, -0.5, 0.0, 0.4, 1.5] * 10  # synthetic, 60 draws
    flags = [abs(e) >= 1.2 for e in estimates]
    frame = pc.placebo_frame(estimates, flags)
    spec = check_chart(pc.placebo_histogram(frame, pilot_estimate=-1.2, unit="pp"), chart_data_dir)
    assert spec["layer"][0]["mark"]["type"] == "bar"
    text = pc.placebo_alt_text(frame, pilot_estimate=-1.2, unit="pp")
    assert "60 placebo" in text and "20 placebo estimates (33.3 %)" in text
    few = pc.placebo_frame(estimates[:5], flags[:5])
    spec_few = check_chart(pc.placebo_histogram(few, pilot_estimate=-1.2, unit="pp"), chart_data_dir)
    assert spec_few["layer"][0]["mark"]["type"] == "tick"  # too few for a histogram
    check_chart(pc.placebo_placeholder(), chart_data_dir)


def test_notifications_chart_draws_the_shares_as_published(chart_data_dir):
    frame = pd.DataFrame(  # synthetic
        {
            "panel": ["P1", "P1", "P2"],
            "category": ["a", "b", "c"],
            "share_pct": [50.0, 20.0, 35.0],
            "share_label": ["50 %", "20 %", "35 %"],
            "published_total_pct": [70.0, 70.0, 35.0],
            "source": ["synthetic"] * 3,
        }
    )
    spec = check_chart(pc.kela_notifications_chart(frame), chart_data_dir)
    assert [v["title"]["subtitle"] for v in spec["vconcat"]] == [
        "Published shares add up to 70 %",
        "Published shares add up to 35 %",
    ]
    assert all(v["layer"][0]["encoding"]["x"]["scale"]["domain"] == [0, 100] for v in spec["vconcat"])
    assert "P1: a 50 %, b 20 % (published shares add up to 70 %)" in pc.kela_notifications_alt_text(frame)


def test_builders_name_the_missing_column():
    with pytest.raises(ValueError, match="missing \\['end_exclusive'\\]"):
        pc.timeline_chart(synthetic_timeline().drop(columns=["end_exclusive"]))


def test_engine_parameters_adapter():
    adapted = pilot_chapter.engine_parameters({"pre_years": [], "post_years": [2018], "base_year": 0})
    assert adapted == {"pre_years": None, "post_years": [2018], "base_year": None}
    assert report.span_text([2013, 2014, 2015]) == "2013–2015" and report.span_text([2013, 2015]) == "2013 and 2015"
    assert report.bilingual("Tampere", "Tammerfors") == "Tampere (Tammerfors)"
    assert report.bilingual("Kuopio", "Kuopio") == "Kuopio"
    assert format_number(-1.2345, 2, signed=True) == "−1.23"


# --------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def default_chapter():
    return pilot_chapter.prepare(pilot_chapter.validate({})).report


@pytest.fixture(scope="module")
def tampere_chapter():
    given = {"municipalities": ["Tammerfors"], "comparison": "matched", "outcome": "unemployment_rate"}
    return pilot_chapter.prepare(pilot_chapter.validate(given)).report


def _real_charts(ch):
    a = ch.analysis
    unit = ch.numbers["did_unit"]
    summary = pc.context_summary(ch.context, ch.context_national)
    charts = {
        "timeline": pc.timeline_chart(ch.timeline, ch.milestones),
        "context": pc.context_strip_chart(
            ch.context_values, summary, report.pilot_names(ch.parameters["municipalities"])
        ),
        "trends": pc.trend_chart(
            report.trend_frame(a),
            ch.periods_windows,
            outcome_label=a.outcome.label,
            unit=a.outcome.unit,
            pilot_label=report.pilot_series_label(a),
        ),
        "event": pc.event_study_chart(
            a.event_study, ch.periods_windows, base_year=ch.parameters["base_year"], unit=unit
        ),
        "notifications": pc.kela_notifications_chart(ch.notifications),
    }
    if a.placebo is not None:
        frame = pc.placebo_frame(a.placebo.estimates, a.placebo.table()["as_extreme"])
        charts["placebo"] = pc.placebo_histogram(frame, pilot_estimate=a.did.estimate, unit=unit)
    return charts


@pytest.mark.parametrize("which", ["default", "tampere"])
def test_real_charts_pass_the_chart_checks(which, default_chapter, tampere_chapter, chart_data_dir):
    ch = default_chapter if which == "default" else tampere_chapter
    charts = _real_charts(ch)
    assert set(charts) == {"timeline", "context", "trends", "event", "notifications", "placebo"}
    for chart in charts.values():
        check_chart(chart, chart_data_dir)
    # small data: the context strip sends one row per municipality, the four indicators side by side
    spec = charts["context"].to_dict()
    data = [_rows(layer["data"], chart_data_dir) for layer in spec["layer"] if "data" in layer]
    strip = max(data, key=len)
    assert {"municipality", "pilot", "jitter"} <= set(strip[0]) and "label" not in strip[0]
    assert {key for key in strip[0] if key.startswith("v")} == {"v0", "v1", "v2", "v3"}
    assert len(strip) <= 310


def test_real_timeline_matches_the_engine_and_the_record(default_chapter):
    tl = default_chapter.timeline.set_index("municipality_code")
    assert list(default_chapter.timeline["name_fi"]) == sorted(t.name_fi for t in pilot_timing().values())
    for code, timing in pilot_timing().items():
        assert tl.at[code, "start"] == timing.start and tl.at[code, "end"] == timing.end
    assert tl.at["680", "period_label"] == "from 1 Nov 2017 to 31 Dec 2019"  # Raisio's own dates
    assert tl.at["851", "period_label"] == "2018 only (exact end date not published)"
    assert tl.at["851", "label"] == "Tornio (Torneå)" and tl.at["837", "label"] == "Tampere (Tammerfors)"
    assert list(pc.participation_by_year(default_chapter.timeline)["text"]) == [
        "2018: 6 municipalities",
        "2019: 5 municipalities",
    ]


def test_published_facts_reach_the_chapter(default_chapter):
    n = default_chapter.numbers
    assert (n["kemijarvi_max_visitors"], n["kemijarvi_days_sv"], n["kemijarvi_days_fi"]) == (117, 5, 4)
    assert n["final_report_isbn"] == "978-952-343-488-2"
    assert (n["n_municipalities_2018"], n["n_municipalities_2019"]) == (6, 5)
    shares = default_chapter.notifications.groupby("table")["share_pct"].apply(list).to_dict()
    assert shares == {"all_notifications": [51, 20, 10, 9], "need_for_social_work": [35, 24, 19, 8]}
    text = default_chapter.texts["notifications_paragraph"]
    for share in ("51 %", "20 %", "10 %", "9 %", "35 %", "24 %", "19 %", "8 %", "90 %", "86 %"):
        assert share in text
    assert "100 %" not in text  # shares are never completed


def test_did_table_and_glue_numbers_agree_with_the_engine(default_chapter):
    a = default_chapter.analysis
    table = report.did_display_table(a)
    assert table.iloc[2, 3] == pytest.approx(a.did.estimate)
    assert table.iloc[2, 1] == pytest.approx(table.iloc[0, 1] - table.iloc[1, 1])
    assert table.iloc[2, 3] == pytest.approx(table.iloc[2, 2] - table.iloc[2, 1])
    n = default_chapter.numbers
    assert n["did_estimate"] == pytest.approx(a.did.estimate)
    assert n["n_comparison"] == len(a.comparison) and n["n_treated"] == 6
    x, e = a.placebo.estimates, a.did.estimate
    below, above = int((x <= e).sum()), int((x >= e).sum())
    assert (n["placebo_n_at_or_below"], n["placebo_n_at_or_above"]) == (below, above)
    assert n["placebo_p_value"] == pytest.approx(min(1.0, 2 * (min(below, above) + 1) / (len(x) + 1)))
    assert all(type(v) in (int, float, str) for v in n.values()), "glue values are plain Python scalars"
    text = default_chapter.texts["placebo_paragraph"]
    # one statement of the rule: the counts of both tails and the p-value, no |x| ranks or shares
    assert f"{below:,} are at or below" in text and f"{above:,} at or above" in text
    assert f"**{n['placebo_p_value_text']}**" in text
    assert "absolute value" not in text.replace("comparing absolute sizes would not", "")
    assert "ranks" not in text


def test_prose_adapts_to_a_single_matched_municipality(tampere_chapter, default_chapter):
    t, d = tampere_chapter.texts, default_chapter.texts
    assert "**Tampere (Tammerfors)** alone" in t["design_paragraph"]
    assert "closest to Tampere" in t["design_paragraph"]
    assert "Kangasala, Kemijärvi, Kuopio, Raisio and Tornio" in t["design_paragraph"]
    assert t["estimate_paragraph"].startswith("In Tampere the unemployment rate")
    assert "cannot say much" in t["placebo_paragraph"] and "All 5 possible sets" in t["placebo_paragraph"]
    assert "Few placebo sets" in t["caveat_list"] and "Few placebo sets" not in d["caveat_list"]
    assert "Tornio" not in t["caveat_list"] and "**Tornio**" in d["caveat_list"]
    assert (
        report.comparison_display_table(tampere_chapter.analysis)["Pilot municipality"].eq("Tampere (Tammerfors)").all()
    )
    assert report.comparison_display_table(default_chapter.analysis) is None
    # the default run (a Diak outcome) explains the Diak periods
    assert "year_mid 2017 (2016–2018) is in neither period" in d["period_paragraph"]


def test_validation_returns_the_checked_values_and_is_idempotent():
    from helpers.book.params import validate_parameters

    used = validate_parameters(NOTEBOOK, {})
    # the default outcome: long-term social assistance recipients aged 25-64, its windows and base year
    assert used["outcome"] == "diak_long_term_social_assistance_25_64"
    assert used["pre_years"] == [2014, 2015, 2016] and used["post_years"] == [2018]
    assert used["municipalities"] == ["211", "320", "297", "680", "837", "851"] and used["base_year"] == 2016
    assert validate_parameters(NOTEBOOK, used) == used, "the kernel's re-check of checked values changes nothing"
    diak = validate_parameters(NOTEBOOK, {"outcome": "diak_long_term_unemployment", "base_year": 0})
    assert diak["base_year"] == 2016 and diak["pre_years"] == [2014, 2015, 2016]


@pytest.mark.parametrize(
    "given, message",
    [
        ({"municipalities": []}, r"municipalities is empty.*Tampere \(Tammerfors\)"),
        ({"comparison": "matched", "n_matched": 60}, r"n_matched=60 .* use n_matched <= \d+"),
        (
            {"outcome": "unemployment_rate", "pre_years": [2004, 2005]},
            r"pre_years=\[2004, 2005\].*outside the data.*2006–2020",
        ),
        ({"post_years": [2021]}, r"post_years=\[2021\].*outside the data"),
        (
            {"outcome": "diak_long_term_unemployment", "base_year": 2017},
            r"base_year=2017 .*Choose one of \[2014, 2015, 2016\].*base_year=0",
        ),
        ({"municipalities": ["Helsingfors"]}, r"'Helsingfors' \(091\) was not a pilot municipality"),
    ],
)
def test_invalid_parameters_fail_before_execution_with_clear_messages(given, message):
    from helpers.book.params import validate_parameters

    with pytest.raises(ParameterError, match=message) as err:
        validate_parameters(NOTEBOOK, given)
    assert str(err.value).startswith("pilot.ipynb: ")


def test_the_field_check_catches_a_missing_column(chart_data_dir):
    import altair as alt

    frame = pd.DataFrame({"a": [1, 2], "b": [3, 4]})  # synthetic
    good = alt.layer(alt.Chart(frame).mark_point().encode(x="a:Q", y="b:Q"))
    bad = alt.layer(alt.Chart(frame).mark_point().encode(x="a:Q", y="missing:Q"))
    assert missing_fields(good.to_dict(), chart_data_dir) == []
    assert missing_fields(bad.to_dict(), chart_data_dir) == ["spec.layer[0]: field 'missing' not in data ['a', 'b']"]
