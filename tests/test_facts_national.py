"""National series from the fact table: full year grid, gaps as NaN, scopes kept apart."""

from __future__ import annotations

import json
import math

import altair as alt
import pandas as pd
import pytest
from test_facts_support import FACTS_DIR, chart_rows, fact_numbers, read_table

from helpers.analysis import national
from helpers.charts import national as national_charts
from helpers.errors import DataError, ParameterError


@pytest.fixture(autouse=True)
def chart_data_dir(tmp_path, monkeypatch):
    # The book's renderer writes chart data files; keep them out of the working tree.
    monkeypatch.setenv("BOOK_CHART_DATA_DIR", str(tmp_path / "chart-data"))
    return tmp_path / "chart-data"


def test_series_is_a_full_grid_with_nan_for_unpublished_years():
    series = national.national_series()
    assert len(series) == len(national.DEFAULT_MEASURES) * 7
    assert sorted(series["year"].unique().tolist()) == list(range(2014, 2021))
    gaps = series[series["year"].isin([2015, 2016])]
    assert gaps["value"].isna().all(), "2015 and 2016 are not in the record: NaN, not 0 or interpolated"
    assert (gaps["status"] == national.NOT_PUBLISHED).all()
    assert gaps["source"].isna().all()


def test_published_points_equal_the_csv_and_carry_their_source():
    series = national.national_series("all")
    published = series[series["value"].notna()]
    csv_rows = {(int(r["year"]), r["measure"]): r for r in read_table("national_statistics")}
    assert len(published) == len(csv_rows)
    for row in published.itertuples():
        source = csv_rows[(row.year, row.measure)]
        assert row.value == float(source["value"])
        assert row.source == source["source"] and row.bibkey == source["bibkey"]


def test_no_value_is_interpolated_between_published_years():
    series = national.national_series(["expenditure_total_meur"]).set_index("year")["value"]
    # 744.8 (2014) and about 780 (2019) are published; nothing in between is.
    assert series[2014] == 744.8 and series[2019] == 780
    assert series.loc[2015:2018].isna().all() and math.isnan(series[2020])


def test_scopes_are_separate_measures():
    registry = national.measure_table().set_index("measure")
    assert registry.loc["recipients_persons_any_assistance", "scope"] == "all_social_assistance"
    assert registry.loc["kela_basic_persons", "scope"] == "kela_basic"
    series = national.national_series()
    assert series.groupby("measure")["scope"].nunique().max() == 1


def test_every_csv_measure_is_registered_with_the_same_unit():
    for row in read_table("national_statistics"):
        measure = national.MEASURES[row["measure"]]
        assert (measure.unit, measure.scope, measure.area) == (row["unit"], row["scope"], row["area"])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, national.DEFAULT_MEASURES),
        ("default", national.DEFAULT_MEASURES),
        ("kela_basic_persons", ("kela_basic_persons",)),
        ("kela_basic_persons, expenditure_total_meur", ("kela_basic_persons", "expenditure_total_meur")),
        (["households_any_assistance", "households_any_assistance"], ("households_any_assistance",)),
    ],
)
def test_series_parameter_accepts_ids(value, expected):
    assert national.validate_series_parameter(value) == expected


def test_series_parameter_all_lists_every_measure():
    assert set(national.validate_series_parameter("all")) == set(national.MEASURES)


def test_unknown_series_names_the_nearest_valid_ids():
    with pytest.raises(ParameterError) as info:
        national.validate_series_parameter("recipents_persons_any_assistance")
    message = str(info.value)
    assert "recipents_persons_any_assistance" in message
    assert "Nearest valid ids: recipients_persons_any_assistance" in message


@pytest.mark.parametrize("value", [3, ["kela_basic_persons", 2], "", " , "])
def test_malformed_series_parameter_is_a_parameter_error(value):
    with pytest.raises(ParameterError):
        national.validate_series_parameter(value)


def test_loaded_table_equals_the_committed_csv():
    # Through helpers.data.load (checksum-verified); compared with a plain read of the file.
    loaded = national.national_statistics()
    raw = pd.read_csv(FACTS_DIR / "national_statistics.csv", dtype=str, keep_default_na=False)
    assert loaded["value"].tolist() == [float(v) for v in raw["value"]]
    assert loaded["year"].tolist() == [int(y) for y in raw["year"]]
    assert loaded["source"].tolist() == raw["source"].tolist()
    # Empty cells are missing values, not empty strings.
    assert loaded["qualifier"].isna().sum() == (raw["qualifier"] == "").sum()


def test_a_corrupt_fact_table_is_reported_not_hidden(monkeypatch):
    import helpers.data

    def corrupt(dataset_id):
        raise DataError("checksum mismatch")

    monkeypatch.setattr(helpers.data, "load", corrupt)
    with pytest.raises(DataError):
        national.national_statistics()


def test_unknown_fact_table_names_the_nearest():
    with pytest.raises(ParameterError) as info:
        national.load_fact_table("national_statistic")
    assert "national_statistics" in str(info.value)


def test_a_measure_missing_from_the_registry_is_a_data_error(monkeypatch):
    real = national.load_fact_table("national_statistics")
    synthetic = real.copy()  # synthetic: one measure id misspelt
    synthetic.loc[0, "measure"] = "expenditure_totl_meur"
    monkeypatch.setattr(national, "load_fact_table", lambda table_id: synthetic.copy())
    with pytest.raises(DataError, match="expenditure_totl_meur"):
        national.national_statistics()


# --- the chart -------------------------------------------------------------------------------


def _spec(chart) -> dict:
    return chart.to_dict()


def test_chart_is_deterministic_white_and_titled():
    first = json.dumps(_spec(national_charts.national_series_chart()), sort_keys=True)
    second = json.dumps(_spec(national_charts.national_series_chart()), sort_keys=True)
    assert first == second
    spec = json.loads(first)
    assert spec["background"] == "white" and spec["title"]["text"]
    assert not any(token in first for token in ('"param_', '"view_', '"selector0'))


def test_chart_has_one_panel_per_measure_with_unit_axis_titles():
    spec = _spec(national_charts.national_series_chart())
    panels = spec["concat"]
    assert len(panels) == len(national.DEFAULT_MEASURES)
    for panel, measure_id in zip(panels, national.DEFAULT_MEASURES):
        assert panel["title"]["text"] == national.MEASURES[measure_id].label
        y = panel["layer"][0]["encoding"]["y"]
        assert y["title"].lower() == national.MEASURES[measure_id].unit.lower()
        tooltip_fields = {t["field"] for t in panel["layer"][1]["encoding"]["tooltip"]}
        assert {"value_label", "unit", "source"} <= tooltip_fields


def test_lines_never_bridge_a_missing_year(chart_data_dir):
    spec = _spec(national_charts.national_series_chart("all"))
    (rows,) = chart_rows(spec, chart_data_dir)
    frame = pd.DataFrame(rows)
    assert frame["value"].notna().all(), "only published points are drawn"
    for _, segment in frame.groupby("segment"):
        years = sorted(segment["year"])
        assert years == list(range(years[0], years[0] + len(years))), segment
    assert not ({2015, 2016} & set(frame["year"]))


def test_chart_data_are_minimal_and_only_fact_table_figures(chart_data_dir):
    spec = _spec(national_charts.national_series_chart("all"))
    (rows,) = chart_rows(spec, chart_data_dir)
    assert set(rows[0]) == {"measure", "year", "value", "value_label", "unit", "scope_label", "source", "segment"}
    assert {row["value"] for row in rows} <= fact_numbers()
    assert "municipality_code" not in json.dumps(rows)


def test_alt_text_names_published_figures_and_gaps():
    text = national_charts.national_series_alt_text(["expenditure_total_meur"])
    assert "744.8 M€" in text and "about 780 M€" in text
    assert "No published figure for 2015, 2016, 2017, 2018, 2020" in text


def test_inline_transformer_gives_the_same_rows():
    with alt.data_transformers.enable("default"):
        spec = national_charts.national_series_chart().to_dict()
    (rows,) = spec["datasets"].values()
    assert len(rows) == national.national_series()["value"].notna().sum()
