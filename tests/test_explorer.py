"""The live explorer's logic, called directly (no browser, no kernel)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from helpers.analysis import comparisons as cmp
from helpers.charts.render import spec_nodes  # noqa: E402
from helpers.errors import ParameterError
from helpers.widgets import build_explorer, explorer_state
from helpers.widgets.explorer import Explorer


@pytest.fixture(autouse=True)
def chart_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOK_CHART_DATA_DIR", str(tmp_path / "chart-data"))


def _titles(spec) -> list[str]:
    return [node["title"] for node in spec_nodes(spec) if isinstance(node.get("title"), str)]


def _rows(chart, field):
    """Rows of the data frames the chart's panels draw that have ``field``."""
    frames = [panel.data for panel in chart.hconcat if isinstance(panel.data, pd.DataFrame)]
    return [row for frame in frames if field in frame.columns for row in frame.to_dict("records")]


def test_state_shows_the_municipality_its_region_and_the_indicator():
    chart, table = explorer_state("Tampere", "unemployment_rate_pct", "region", (2010, 2019))
    region = cmp.group_members("837", "region")
    assert len(table) == len(region) == 22
    assert set(table["code"]) == set(region)
    value_column = table.columns[2]
    assert value_column.startswith("Unemployed") and "(% of labour force), 2019" in value_column
    tampere = table.set_index("code").loc["837"]
    assert tampere[value_column] == cmp.indicator_values().loc["837", "unemployment_rate_pct"]
    assert table[value_column].dropna().is_monotonic_decreasing
    titles = _titles(chart.to_dict())
    assert any("Tampere" in t and "Unemployed" in t for t in titles)
    assert "Unemployment rate 2010–2019" in titles
    years = {row["year"] for row in _rows(chart, "rate")}
    assert years == set(range(2010, 2020))


def test_group_line_is_the_weighted_rate_of_the_group():
    chart, _ = explorer_state("Kuopio", "gini", "pilots", (2015, 2016))
    lines = {(row["series"], row["year"]): row["rate"] for row in _rows(chart, "rate")}
    members = cmp.group_members("297", "pilots")
    monthly = cmp.unemployment_monthly(2021)
    sub = monthly[monthly["municipality_code"].isin(members) & (monthly["year"] == 2016)]
    months = sub.groupby("month")[["unemployed", "labour_force"]].sum()
    expected = (100 * months["unemployed"] / months["labour_force"]).mean()
    assert lines[("Group: pilot municipalities", 2016)] == pytest.approx(expected, abs=0.005)
    assert ("Kuopio", 2015) in lines


def test_swedish_names_codes_and_groups_resolve():
    _, by_swedish = explorer_state("Tammerfors", "gini", "peers", (2006, 2020))
    _, by_code = explorer_state(837, "3126", "peers", (2006, 2020))
    assert by_swedish.equals(by_code) and len(by_swedish) == cmp.N_PEERS + 1
    _, everyone = explorer_state("Tampere", "gini", "all", (2006, 2020))
    assert len(everyone) == 309 and everyone.iloc[-1].isna().any()  # no data sorts last


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("Tampre", "gini", "region", (2006, 2020)), "Nearest names: Tampere"),
        (("Tampere", "ginni", "region", (2006, 2020)), "nearest: gini"),
        (("Tampere", "gini", "county", (2006, 2020)), "valid: region"),
        (("Tampere", "gini", "region", (2004, 2020)), "outside the unemployment data 2006–2020"),
    ],
)
def test_bad_controls_raise_with_the_fix(arguments, message):
    with pytest.raises(ParameterError, match=message):
        explorer_state(*arguments)


def test_widget_callbacks_redraw_from_the_controls():
    explorer = build_explorer("Tampere", "social_assistance_recipients_25_64_pct", "region", (2006, 2020))
    assert isinstance(explorer, Explorer) and repr(explorer).startswith("Municipality explorer")
    assert [c.description for c in explorer.children[:4]] == [
        "Municipality",
        "Indicator (2019)",
        "Comparison group",
        "Unemployment years",
    ]
    assert "837" in set(explorer.table["code"])
    explorer.municipality.value = "Kuopio"  # the observer calls refresh()
    assert "297" in set(explorer.table["code"]) and "837" not in set(explorer.table["code"])
    assert any("Kuopio" in t for t in _titles(explorer.chart.to_dict()))
    explorer.indicator.value = "gini"
    assert explorer.table.columns[2].startswith("Gini coefficient")
    explorer.years.value = (2012, 2014)
    assert {row["year"] for row in _rows(explorer.chart, "rate")} == {2012, 2013, 2014}
    explorer.municipality.value = "Kuopoi"
    assert "Nearest names: Kuopio" in explorer.message
    assert "297" in set(explorer.table["code"])  # the last good state is kept
    explorer.municipality.value = "Kuopio"
    assert explorer.message == ""


def test_live_chart_carries_the_spec_and_a_text_line():
    from helpers.widgets.explorer import LiveChart

    chart, _ = explorer_state("Tampere", "gini", "pilots", (2018, 2019))
    bundle = LiveChart(chart, "Chart: a test.")._repr_mimebundle_()
    spec = next(v for k, v in bundle.items() if k.startswith("application/vnd.vegalite"))
    assert json.dumps(spec).count("chart-data/") >= 2  # data as files, not inline rows
    assert bundle["text/plain"].startswith("[Chart: a test.")
