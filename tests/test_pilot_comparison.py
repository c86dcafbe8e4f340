"""Comparison-group selection and period definitions.

Comparison tests use SYNTHETIC panels and a synthetic classification (generated here); the
period tests use only the outcome registry (no data).
"""

import numpy as np
import pandas as pd
import pytest

from helpers.analysis.comparison_groups import comparison_pool, matching_features
from helpers.analysis.outcomes import OUTCOMES, get_outcome
from helpers.analysis.pilot import periods_for, pilot_timing, unit_exposure, unit_post_years
from helpers.chapters.pilot_summary import period_text
from helpers.data.municipalities import pilot_codes
from helpers.errors import ParameterError

YEARS = list(range(2010, 2021))
PRE = [2013, 2014, 2015, 2016, 2017]


def synthetic_panel(levels, trends, populations, missing=()):
    """SYNTHETIC: value = level + trend * (year - 2015); population constant per unit."""
    rows = []
    for code in levels:
        for y in YEARS:
            v = np.nan if (code, y) in missing else levels[code] + trends[code] * (y - 2015)
            rows.append((code, y, v, populations[code]))
    return pd.DataFrame(rows, columns=["municipality_code", "year", "value", "population"])


@pytest.fixture()
def world():
    # two treated units; candidates built so each treated unit has a known nearest neighbour
    levels = {
        "901": 10.0,
        "902": 20.0,
        "101": 10.1,
        "102": 10.5,
        "103": 19.8,
        "104": 21.0,
        "105": 15.0,
        "106": 30.0,
        "107": 5.0,
        "108": 12.0,
        "837": 10.0,
    }
    trends = {c: 0.0 for c in levels}
    trends.update({"102": 0.8, "104": -0.5})
    pops = {c: 10_000.0 for c in levels}
    pops.update({"103": 12_000.0, "106": 1_000_000.0})
    panel = synthetic_panel(levels, trends, pops, missing={("108", 2012)})
    cls = pd.DataFrame(
        {
            "municipality_code": list(levels),
            "region_code": ["A", "B", "A", "A", "B", "C", "C", "B", "C", "A", "A"],
            "urban_rural_code": [1, 1, 2, 1, 3, 3, 1, 2, 3, 1, 1],
        }
    )
    return panel, cls


def test_all_excludes_pilots_treated_and_incomplete(world):
    panel, cls = world
    pool = comparison_pool(panel, ["901", "902"], "all", exclude=["837"])
    assert pool.codes == ["101", "102", "103", "104", "105", "106", "107"]
    assert "837" not in pool and "108" in pool.incomplete
    assert pool.n_candidates == 7
    # default exclusion is the six real pilot municipalities
    assert set(pilot_codes()) == set(pilot_timing())
    assert "837" not in comparison_pool(panel, ["901"], "all")


def test_same_region_and_urban_rural_group_use_classification(world):
    panel, cls = world
    region = comparison_pool(panel, ["901", "902"], "same_region", classification=cls, exclude=["837"])
    assert region.codes == ["101", "102", "103", "106"]  # regions A and B; 108 incomplete
    urban = comparison_pool(panel, ["901"], "same_urban_rural_group", classification=cls, exclude=["837"])
    assert urban.codes == ["102", "105", "902"]  # group 1 only (902 is not treated here)


def test_empty_group_raises_with_numbers(world):
    panel, cls = world
    cls = cls.assign(region_code=cls["region_code"].where(cls["municipality_code"] != "901", "Z"))
    with pytest.raises(ParameterError, match=r"0 of 8 candidates"):
        comparison_pool(panel, ["901"], "same_region", classification=cls, exclude=["837"])


def test_matched_finds_planted_neighbours_without_replacement(world):
    panel, _ = world
    pool = comparison_pool(panel, ["901", "902"], "matched", n_matched=1, pre_years=PRE, exclude=["837"])
    t = pool.table.set_index("matched_to")
    assert t.at["901", "municipality_code"] == "101"  # same trend, closest level, same population
    assert t.at["902", "municipality_code"] == "103"
    two = comparison_pool(panel, ["901", "902"], "matched", n_matched=2, pre_years=PRE, exclude=["837"])
    assert len(two) == 4 and len(set(two.codes)) == 4  # no unit used twice
    assert sorted(two.table.groupby("matched_to").size().tolist()) == [2, 2]
    assert (two.table["distance"] >= 0).all()
    assert two.table.groupby("matched_to")["match_rank"].apply(list).tolist() == [[1, 2], [1, 2]]


def test_matched_features_are_level_trend_log_population(world):
    panel, _ = world
    f = matching_features(panel, ["102", "106"], PRE, 2017).set_index("municipality_code")
    assert f.at["102", "pre_level"] == pytest.approx(10.5 + 0.8 * np.mean([-2, -1, 0, 1, 2]))
    assert f.at["102", "pre_trend"] == pytest.approx(0.8)
    assert f.at["106", "log_population"] == pytest.approx(np.log(1_000_000))


def test_n_matched_larger_than_pool_raises_with_numbers(world):
    panel, _ = world
    with pytest.raises(ParameterError, match=r"needs 8 distinct .* only 7 .* n_matched <= 3"):
        comparison_pool(panel, ["901", "902"], "matched", n_matched=4, pre_years=PRE, exclude=["837"])
    with pytest.raises(ParameterError, match="needs pre_years"):
        comparison_pool(panel, ["901"], "matched", n_matched=1, exclude=["837"])
    with pytest.raises(ParameterError, match="not a comparison method"):
        comparison_pool(panel, ["901"], "nearest")


def test_treated_without_complete_data_is_refused(world):
    panel, _ = world
    with pytest.raises(ParameterError, match=r"\['108'\] lack a value"):
        comparison_pool(panel, ["108"], "all")


# ------------------------------------------------------------------ periods (registry only)


def test_default_periods_are_valid_for_every_outcome():
    for oid, outcome in OUTCOMES.items():
        d = periods_for(oid)
        assert d.pre_years == list(outcome.default_pre_years)
        assert d.post_years == list(outcome.default_post_years)
        assert period_text(d) and set(d.windows["used_as"]) == {"pre", "post", "not used"}


def test_diak_windows_refuse_mixed_periods():
    diak = "diak_long_term_social_assistance_25_64"
    with pytest.raises(ParameterError, match=r"year_mid 2017 \(mean of 2016–2018\).*use year_mid <= 2016"):
        periods_for(diak, pre_years=[2015, 2016, 2017])
    with pytest.raises(ParameterError, match=r"only 1 of 3 years in the pilot.*valid post years.*\[2018, 2019\]"):
        periods_for(diak, post_years=[2017])
    with pytest.raises(ParameterError, match=r"year_mid 2020"):
        periods_for(diak, post_years=[2020])
    ok = periods_for(diak, pre_years=[2011, 2012, 2013, 2014, 2015, 2016], post_years=[2019])
    text = period_text(ok)
    assert "COVID-19" in text and "2010–2017" in text
    w = ok.windows.set_index("year")
    assert w.at[2017, "role"] == "mixed" and w.at[2018, "pilot_share"] == pytest.approx(2 / 3)


def test_annual_periods():
    with pytest.raises(ParameterError, match="after the pilot"):
        periods_for("unemployment_rate", post_years=[2019, 2020])
    with pytest.raises(ParameterError, match="not a pre-pilot period"):
        periods_for("unemployment_rate", pre_years=[2016, 2017, 2018])
    with pytest.raises(ParameterError, match=r"\[2005\] outside the data .* 2006–2020"):
        periods_for("unemployment_rate", pre_years=[2005, 2006])
    with pytest.raises(ParameterError, match="pre_years is empty"):
        periods_for("unemployment_rate", pre_years=[])
    d = periods_for("unemployment_rate", pre_years="2010-2017", post_years=2018)
    assert d.pre_years == list(range(2010, 2018)) and d.post_years == [2018]


def test_period_text_names_tornio_and_raisio_only_when_analysed():
    everyone = periods_for("unemployment_rate")
    assert everyone.municipalities == tuple(sorted(pilot_timing()))
    text = period_text(everyone)
    assert "Tornio took part in 2018 only" in text and "Raisio's pilot began on 1 Nov 2017" in text
    tampere = periods_for("unemployment_rate", municipalities=["837"])
    assert tampere.municipalities == ("837",)
    assert "Tornio" not in period_text(tampere) and "Raisio" not in period_text(tampere)
    # Tornio's 2019 sentence needs 2019 in the post-period
    assert "Tornio" not in period_text(periods_for("unemployment_rate", post_years=[2018], municipalities=["851"]))


def test_unit_post_years_handle_tornio_and_raisio():
    annual, diak = get_outcome("unemployment_rate"), get_outcome("diak_long_term_unemployment")
    assert unit_post_years("851", annual, [2018, 2019]) == [2018]
    assert unit_post_years("837", annual, [2018, 2019]) == [2018, 2019]
    assert unit_post_years("851", diak, [2018, 2019]) == [2018, 2019]  # both windows hold 2018
    assert unit_exposure("851", diak, [2018]) == pytest.approx(1 / 3)
    assert unit_exposure("680", diak, [2018]) == pytest.approx(2 / 3)
    assert unit_exposure("851", annual, [2018, 2019]) == 1.0
    assert pilot_timing()["680"].start == "2017-11-01" and pilot_timing()["851"].pilot_years == (2018,)
