"""Difference-in-differences and event study on SYNTHETIC panels whose true effect is known.

All panels here are synthetic (generated in the test), never real data.
"""

import numpy as np
import pandas as pd
import pytest

from helpers.analysis.did import (
    did_estimate,
    event_study,
    group_means_by_year,
    panel_matrix,
    pre_trend,
)
from helpers.errors import ParameterError

YEARS = list(range(2010, 2021))
PRE = [2013, 2014, 2015, 2016, 2017]
POST = [2018, 2019]


def synthetic_panel(n=60, effect=None, noise=0.0, seed=0, population=None, trend=None):
    """SYNTHETIC panel: value = unit level + common year shock + effect(unit, year) + noise.

    ``effect`` maps code -> {year: effect}. ``trend`` maps code -> slope per year (a unit-specific
    linear trend, to break parallel trends on purpose).
    """
    rng = np.random.default_rng(seed)
    codes = [f"{i:03d}" for i in range(1, n + 1)]
    level = rng.normal(10, 3, n)
    shock = rng.normal(0, 1, len(YEARS)).cumsum()
    pop = population if population is not None else rng.lognormal(9, 1, n).round()
    rows = []
    for i, c in enumerate(codes):
        for j, y in enumerate(YEARS):
            v = level[i] + shock[j] + (effect or {}).get(c, {}).get(y, 0.0)
            v += (trend or {}).get(c, 0.0) * (y - YEARS[0])
            v += rng.normal(0, noise) if noise else 0.0
            rows.append((c, y, v, float(pop[i])))
    return pd.DataFrame(rows, columns=["municipality_code", "year", "value", "population"]), codes


def test_planted_effect_recovered_exactly_without_noise():
    treated = ["001", "002", "003"]
    effect = {c: {2018: -2.0, 2019: -2.0} for c in treated}
    panel, codes = synthetic_panel(effect=effect)
    control = [c for c in codes if c not in treated]
    for weighting in ("population", "equal"):
        r = did_estimate(panel, treated, control, PRE, POST, weighting)
        assert r.estimate == pytest.approx(-2.0, abs=1e-10)
        assert r.n_treated == 3 and r.n_control == 57
        # the 2x2 table adds up to the estimate
        t = r.table.set_index(["group", "period"])["mean"]
        assert (t["treated", "post"] - t["treated", "pre"]) - (
            t["comparison", "post"] - t["comparison", "pre"]
        ) == pytest.approx(r.estimate, abs=1e-10)
        assert np.allclose(r.unit_effects["did"], -2.0)


def test_planted_effect_recovered_approximately_with_noise():
    treated = [f"{i:03d}" for i in range(1, 41)]
    effect = {c: {2018: 1.5, 2019: 1.5} for c in treated}
    panel, codes = synthetic_panel(n=200, effect=effect, noise=0.5, seed=3)
    control = [c for c in codes if c not in treated]
    r = did_estimate(panel, treated, control, PRE, POST, "equal")
    # standard error of the DiD here is about 0.5 * sqrt(1/2 + 1/5) * sqrt(1/40 + 1/160) ~ 0.07
    assert r.estimate == pytest.approx(1.5, abs=0.3)
    assert r.estimate != pytest.approx(1.5, abs=1e-6)  # the noise is really there


def test_unit_specific_timing_like_tornio():
    """One treated unit is treated in 2018 only; its 2019 value returns to baseline."""
    effect = {"001": {2018: -3.0, 2019: -3.0}, "002": {2018: -3.0}}
    panel, codes = synthetic_panel(effect=effect)
    control = codes[2:]
    timing = {"001": [2018, 2019], "002": [2018]}
    r = did_estimate(panel, timing, control, PRE, POST, "equal")
    assert r.estimate == pytest.approx(-3.0, abs=1e-10)
    # ignoring the timing (both treated 2018-2019) dilutes unit 002's effect to -1.5
    naive = did_estimate(panel, ["001", "002"], control, PRE, POST, "equal")
    assert naive.estimate == pytest.approx((-3.0 + -1.5) / 2, abs=1e-10)
    assert r.unit_effects.set_index("municipality_code").at["002", "post_years"] == [2018]


def test_population_and_equal_weighting_differ_as_constructed():
    """Big unit effect -1, small unit effect -5: population weights 9:1 give -1.4, equal -3."""
    population = np.full(20, 1000.0)
    population[0], population[1] = 9000.0, 1000.0
    effect = {"001": {2018: -1.0, 2019: -1.0}, "002": {2018: -5.0, 2019: -5.0}}
    panel, codes = synthetic_panel(n=20, effect=effect, population=population)
    control = codes[2:]
    pop = did_estimate(panel, ["001", "002"], control, PRE, POST, "population")
    eq = did_estimate(panel, ["001", "002"], control, PRE, POST, "equal")
    assert pop.estimate == pytest.approx(0.9 * -1.0 + 0.1 * -5.0, abs=1e-10)
    assert eq.estimate == pytest.approx(-3.0, abs=1e-10)
    assert pop.weight_year == PRE[-1] and eq.weight_year is None


def test_population_weighting_weights_control_units_too():
    """Controls differ in their change; population weighting must follow their populations."""
    panel, codes = synthetic_panel(n=4)
    # control 003 (pop 3000) rises by 1 after 2017, control 004 (pop 1000) is flat
    panel.loc[(panel.municipality_code == "003") & (panel.year >= 2018), "value"] += 1.0
    panel["population"] = panel["municipality_code"].map({"001": 500.0, "002": 500.0, "003": 3000.0, "004": 1000.0})
    r = did_estimate(panel, ["001", "002"], ["003", "004"], PRE, POST, "population")
    e = did_estimate(panel, ["001", "002"], ["003", "004"], PRE, POST, "equal")
    assert r.estimate == pytest.approx(-0.75, abs=1e-10)
    assert e.estimate == pytest.approx(-0.5, abs=1e-10)


def test_event_study_zero_in_base_year_and_recovers_dynamic_path():
    path = {2016: 0.0, 2017: 0.0, 2018: -1.0, 2019: -2.5, 2020: -0.5}
    treated = ["001", "002", "003", "004"]
    effect = {c: dict(path) for c in treated}
    panel, codes = synthetic_panel(n=50, effect=effect, seed=5)
    control = [c for c in codes if c not in treated]
    es = event_study(panel, treated, control, base_year=2017, weighting="population")
    assert list(es.columns[:1]) == ["year"] and {"difference", "relative_to_base"} <= set(es.columns)
    rel = es.set_index("year")["relative_to_base"]
    assert rel[2017] == 0.0
    for year, value in path.items():
        assert rel[year] == pytest.approx(value, abs=1e-10)
    for year in range(2010, 2016):
        assert rel[year] == pytest.approx(0.0, abs=1e-10)
    # difference is the raw gap; relative_to_base removes the base-year gap
    d = es.set_index("year")["difference"]
    assert (d - d[2017]).to_numpy() == pytest.approx(rel.to_numpy(), abs=1e-12)


def test_event_study_other_base_year():
    effect = {"001": {2018: 2.0, 2019: 2.0}}
    panel, codes = synthetic_panel(n=10, effect=effect)
    es = event_study(panel, ["001"], codes[1:], base_year=2014, weighting="equal")
    rel = es.set_index("year")["relative_to_base"]
    assert rel[2014] == 0.0 and rel[2018] == pytest.approx(2.0)


def test_pre_trend_detects_diverging_trend():
    """A treated unit on its own +0.5/year trend: DiD picks it up, pre_trend explains it."""
    panel, codes = synthetic_panel(n=30, trend={"001": 0.5})
    es = event_study(panel, ["001"], codes[1:], base_year=2017, weighting="equal")
    slope, projection = pre_trend(es, PRE, POST)
    assert slope == pytest.approx(0.5, abs=1e-10)
    r = did_estimate(panel, ["001"], codes[1:], PRE, POST, "equal")
    # mean post year 2018.5 - mean pre year 2015 = 3.5 years of trend
    assert projection == pytest.approx(1.75, abs=1e-10)
    assert r.estimate == pytest.approx(projection, abs=1e-10)


def test_group_means_by_year_match_weighted_means():
    panel, codes = synthetic_panel(n=8)
    g = group_means_by_year(panel, codes[:2], codes[2:], "population", 2017)
    p17 = panel[panel.year == 2017].set_index("municipality_code")["population"]
    sub = panel[(panel.year == 2012) & panel.municipality_code.isin(codes[:2])]
    expected = np.average(sub["value"], weights=p17[sub["municipality_code"]].to_numpy())
    got = g[(g.group == "treated") & (g.year == 2012)]["mean"].iloc[0]
    assert got == pytest.approx(expected)
    assert set(g["n_units"]) == {2, 6}


def test_errors_name_the_problem():
    panel, codes = synthetic_panel(n=10)
    with pytest.raises(ParameterError, match="both treated and control"):
        did_estimate(panel, ["001"], codes[:3], PRE, POST)
    with pytest.raises(ParameterError, match=r"in both pre_years and post_years"):
        did_estimate(panel, ["001"], codes[1:], [2017, 2018], POST)
    with pytest.raises(ParameterError, match="comparison group is empty"):
        did_estimate(panel, ["001"], [], PRE, POST)
    with pytest.raises(ParameterError, match=r"\[2030\] are outside the panel's years"):
        did_estimate(panel, ["001"], codes[1:], PRE, [2030])
    with pytest.raises(ParameterError, match="not in the outcome panel"):
        did_estimate(panel, ["999"], codes[1:], PRE, POST)
    gap = panel.copy()
    gap.loc[(gap.municipality_code == "005") & (gap.year == 2015), "value"] = np.nan
    with pytest.raises(ParameterError, match=r"005/2015"):
        did_estimate(gap, ["001"], codes[1:], PRE, POST)
    with pytest.raises(ParameterError, match="duplicate"):
        panel_matrix(pd.concat([panel, panel.head(1)]))
    with pytest.raises(ParameterError, match="weighting='median'"):
        did_estimate(panel, ["001"], codes[1:], PRE, POST, weighting="median")
