"""The background chapter's municipal series (helpers.analysis.long_run, charts.long_run).

Synthetic frames are labelled synthetic; the real-data checks need BOOK_DATA_MIRROR and compare
with the data release's README and with the raw CSV read independently of the loaders.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from helpers.analysis import long_run as lr
from helpers.charts import long_run as lc
from tests.test_pilot_charts import check_chart


@pytest.fixture
def chart_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOK_CHART_DATA_DIR", str(tmp_path / "chart-data"))
    return tmp_path / "chart-data"


# --------------------------------------------------------------------------- synthetic


def synthetic_families() -> pd.DataFrame:
    """SYNTHETIC: three municipalities, 2010-2017; C's count of families receiving is suppressed in 2016."""
    rows = []
    for year in range(2010, 2018):
        rows.append(("A", year, 1000.0, 100.0))
        rows.append(("B", year, 3000.0, 150.0 + (150.0 if year == 2017 else 0.0)))
        rows.append(("C", year, 10.0, float("nan") if year == 2016 else 1.0))
    d = pd.DataFrame(
        rows, columns=["municipality_code", "year", "families_with_children", "families_receiving_social_assistance"]
    )
    return d


def test_families_national_sums_published_counts_and_says_what_it_covers(monkeypatch):
    monkeypatch.setattr(lr, "_load", lambda dataset: synthetic_families())
    n = lr.families_national().set_index("year")
    # 2015: (100 + 150 + 1) / (1000 + 3000 + 10); 2016: C suppressed, left out, not filled in
    assert n.at[2015, "share_pct"] == pytest.approx(100 * 251 / 4010)
    assert n.at[2016, "share_pct"] == pytest.approx(100 * 250 / 4000)
    assert n.at[2016, "n_municipalities"] == 2 and n.at[2016, "coverage_pct"] == pytest.approx(100 * 4000 / 4010)
    jump = lr.transfer_jump(n.reset_index(), year=2017, before=5)
    assert jump["change"] == pytest.approx(100 * 401 / 4010 - 100 * 250 / 4000)
    assert jump["share_year"] == pytest.approx(100 * 401 / 4010)
    assert jump["largest_earlier_change"] == pytest.approx(100 * 250 / 4000 - 100 * 251 / 4010)
    with pytest.raises(Exception, match="not in the families series"):
        lr.transfer_jump(n.reset_index(), year=2017, before=9)


def test_long_run_spread_quartiles_and_zeros(monkeypatch):
    # SYNTHETIC: five municipalities, one year, one zero
    d = pd.DataFrame(
        {
            "municipality_code": list("ABCDE"),
            "year": [2000] * 5,
            "indicator_id": [493] * 5,
            "value": [0.0, 2.0, 4.0, 6.0, 8.0],
            "unit": ["% of residents"] * 5,
            "indicator_label": ["synthetic"] * 5,
        }
    )
    monkeypatch.setattr(lr, "_load", lambda dataset: d)
    s = lr.long_run_spread(493).iloc[0]
    assert (s["q1"], s["median"], s["q3"], s["n_zero"], s["n_municipalities"]) == (2.0, 4.0, 6.0, 1, 5)
    with pytest.raises(Exception, match="indicator 451 is not in social_assistance_long_run"):
        lr.long_run_spread(451)


def test_charts_pass_the_chart_checks(chart_data_dir):
    spread = pd.DataFrame(  # synthetic
        {"year": [2000, 2001], "q1": [1.0, 2.0], "median": [2.0, 3.0], "q3": [3.0, 4.0], "n_municipalities": [5, 5]}
    )
    units = pd.DataFrame(  # synthetic
        {"year": [2000, 2001], "municipality_code": ["837", "837"], "name_fi": ["Tampere"] * 2, "value": [4.0, 5.0]}
    )
    spec = check_chart(lc.long_run_chart(spread, units, unit="% of residents"), chart_data_dir)
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["area", "line", "line"]
    assert "Tampere 5.0" in lc.long_run_alt_text(spread, units, unit="% of residents")
    national = pd.DataFrame(  # synthetic
        {"year": [2016, 2017], "share_pct": [9.0, 11.0], "n_municipalities": [3, 3], "coverage_pct": [99.0, 99.0]}
    )
    spec = check_chart(lc.families_chart(national, transfer_year=2017, marks={2017: "Kela"}), chart_data_dir)
    domains = {str(layer["encoding"]["x"].get("scale", {}).get("domain")) for layer in spec["layer"]}
    assert domains == {"[2016, 2017]"}, "every layer shares the years' scale"
    assert "9.0 % in 2016 and 11.0 % in 2017" in lc.families_alt_text(national, transfer_year=2017)


# --------------------------------------------------------------------------- real data


def _mirror() -> Path:
    from helpers.data import mirror_path

    return Path(mirror_path())


def test_long_run_spot_values_match_the_release_readme():
    # README: "Spot values: Tampere 2010: 493 = 9.2"
    t = lr.long_run_municipalities(["837"]).set_index("year")
    assert t.at[2010, "value"] == pytest.approx(9.2)
    assert lr.n_municipalities_2013() == 320  # README: 320 municipalities, 2013 division
    merged = lr.merged_since_2013()
    assert {"Maaninka", "Juankoski"} <= set(merged.loc[merged["successor_2022"] == "297", "name_fi"])


def test_families_national_matches_the_raw_file():
    raw = pd.read_csv(_mirror() / "sotkanet" / "families_social_assistance_1990_2021.csv")
    both = raw.dropna(subset=["families_with_children", "families_with_children_receiving_social_assistance"])
    y = both[both["year"] == 2017]
    expected = 100 * y["families_with_children_receiving_social_assistance"].sum() / y["families_with_children"].sum()
    n = lr.families_national().set_index("year")
    assert n.at[2017, "share_pct"] == pytest.approx(expected)
    assert 290 <= n["n_municipalities"].min() and n["n_municipalities"].max() <= 301  # README: 290-301 a year
    jump = lr.transfer_jump(lr.families_national())
    assert jump["change"] > 5 * abs(jump["largest_earlier_change"]) > 0, "2017 stands out from the years before"
    assert not math.isnan(jump["receiving_change_pct"])


def test_background_chapter_glues_its_paragraphs_and_draws_both_figures():
    from helpers.chapters import background

    page = background.prepare(background.validate({}))
    assert background.FIGURES == ("national_series", "long_run", "families")
    assert {"long_run_paragraph", "families_paragraph", "caveat_division", "caveat_suppression", "caveat_zeros"} <= set(
        page.texts
    )
    text = page.texts["families_paragraph"]
    assert "+2.06 percentage points" in text and "0.24 points" in text and "3.12 in those" in text
    caveats = " ".join(page.texts[key] for key in ("caveat_division", "caveat_suppression", "caveat_zeros"))
    for phrase in ("320 municipalities of 2013", "not published", "exactly 0"):
        assert phrase in caveats
