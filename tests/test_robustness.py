"""Robustness estimators on SYNTHETIC panels with known effects (no real data in this file).

Every panel here is generated in the test: value = unit level + common year shock + planted
effects (+ noise where said). The expected values follow from the construction, not from the
code under test.
"""

import json
import math

import numpy as np
import pandas as pd
import pytest

from helpers.analysis.did import did_estimate, event_study, placebo_distribution
from helpers.analysis.robustness import (
    SPEC_COMPARISONS,
    SPEC_KEYS,
    SPEC_PRE_PERIODS,
    StratifiedPlacebo,
    leave_one_out,
    level_matched_pool,
    log_panel,
    placebo_in_time,
    placebo_interval,
    placebo_p_value,
    relative_effect,
    size_band_pool,
    size_bands,
    specification_grid,
    stratified_placebo,
    summarise_specifications,
    validate_spec,
)
from helpers.errors import ParameterError

YEARS = list(range(2010, 2021))
PRE = [2013, 2014, 2015, 2016, 2017]
POST = [2018, 2019]


def synthetic_panel(n=60, effect=None, noise=0.0, seed=0, population=None, multiplicative=False):
    """SYNTHETIC panel. Additive: value = level_i + shock_t + effect_it (+ noise).
    Multiplicative: value = exp(log level_i + log shock_t) * (1 + effect_it) (+ noise on the log).

    ``effect`` maps code -> {year: effect} (points, or a proportion when multiplicative)."""
    rng = np.random.default_rng(seed)
    codes = [f"{i:03d}" for i in range(1, n + 1)]
    level = rng.uniform(5, 20, n)
    shock = rng.normal(0, 1, len(YEARS)).cumsum()
    pop = population if population is not None else rng.lognormal(9, 1, n).round()
    rows = []
    for i, c in enumerate(codes):
        for j, y in enumerate(YEARS):
            e = (effect or {}).get(c, {}).get(y, 0.0)
            if multiplicative:
                v = level[i] * math.exp(0.1 * shock[j]) * (1 + e)
                v *= math.exp(rng.normal(0, noise)) if noise else 1.0
            else:
                v = level[i] + shock[j] + e + (rng.normal(0, noise) if noise else 0.0)
            rows.append((c, y, v, float(pop[i])))
    return pd.DataFrame(rows, columns=["municipality_code", "year", "value", "population"]), codes


# ------------------------------------------------------------------ p-value and interval


def test_placebo_p_value_by_hand():
    placebo = np.arange(1, 1000, dtype=float)  # 1..999, n = 999
    # 5 placebo values <= 5, 995 >= 5: p = 2 * (5 + 1) / 1000
    assert placebo_p_value(5.0, placebo) == pytest.approx(0.012)
    # beyond every placebo value: k = 0, p = 2 / 1000, the smallest possible
    assert placebo_p_value(-3.0, placebo) == pytest.approx(0.002)
    # at the median: capped at 1
    assert placebo_p_value(500.0, placebo) == 1.0
    # signed, not |x|: a distribution centred at 10 makes 10 unremarkable and 0 extreme
    centred = np.linspace(9, 11, 999)
    assert placebo_p_value(10.0, centred) == 1.0
    assert placebo_p_value(0.0, centred) == pytest.approx(0.002)
    assert math.isnan(placebo_p_value(1.0, []))


def test_placebo_interval_by_hand_and_inverts_the_test():
    placebo = np.arange(1, 1000, dtype=float)  # n = 999, alpha 0.1: m = ceil(50) - 1 = 49
    lo, hi = placebo_interval(500.0, placebo, alpha=0.1)
    # not rejected: 500 - tau in [x_(49), x_(951)] = [49, 951]
    assert (lo, hi) == (500.0 - 951.0, 500.0 - 49.0)
    rng = np.random.default_rng(1)
    for _ in range(50):
        x = rng.normal(-0.15, 1.0, 1000)
        est = float(rng.normal(0, 2))
        lo, hi = placebo_interval(est, x, alpha=0.1)
        assert lo <= hi
        # the interval is exactly the set of effects with p >= alpha (endpoints up to float rounding
        # of est - (est - x): just inside is not rejected, just outside is)
        assert placebo_p_value(est - (lo + 1e-9), x) >= 0.1 and placebo_p_value(est - (hi - 1e-9), x) >= 0.1
        assert placebo_p_value(est - (lo - 1e-9), x) < 0.1 and placebo_p_value(est - (hi + 1e-9), x) < 0.1
        assert (not lo <= 0 <= hi) == (placebo_p_value(est, x) < 0.1)
    assert placebo_interval(1.0, [0.5, 0.7]) == (-math.inf, math.inf)  # too few draws to reject
    with pytest.raises(ParameterError, match="alpha"):
        placebo_interval(1.0, x, alpha=1.5)


# ------------------------------------------------------------------ true effect / no effect


def test_true_effect_recovered_and_placebo_distinguishes_it():
    treated = ["001", "002", "003", "004", "005", "006"]
    effect = {c: {2018: -2.0, 2019: -2.0} for c in treated}
    panel, codes = synthetic_panel(n=200, effect=effect, noise=0.3, seed=2)
    pool = [c for c in codes if c not in treated]
    est = did_estimate(panel, treated, pool, PRE, POST, "equal").estimate
    assert est == pytest.approx(-2.0, abs=0.3)
    pl = stratified_placebo(panel, treated, pool, PRE, POST, 1000, 7, "equal")
    assert placebo_p_value(est, pl.estimates) < 0.01
    lo, hi = placebo_interval(est, pl.estimates, alpha=0.01)
    assert lo < -2.0 < hi and hi < 0  # covers the truth, excludes no effect


def test_no_effect_gives_about_zero_and_an_unremarkable_placebo_p():
    panel, codes = synthetic_panel(n=200, noise=0.3, seed=4)
    treated = codes[:6]
    pool = codes[6:]
    exact = did_estimate(synthetic_panel(n=200, seed=4)[0], treated, pool, PRE, POST, "equal").estimate
    assert exact == pytest.approx(0.0, abs=1e-10)  # without noise exactly zero
    est = did_estimate(panel, treated, pool, PRE, POST, "equal").estimate
    assert abs(est) < 0.3  # SE about 0.3 * sqrt(1/2 + 1/5) * sqrt(1/6) ~ 0.1
    pl = stratified_placebo(panel, treated, pool, PRE, POST, 1000, 7, "equal")
    assert placebo_p_value(est, pl.estimates) > 0.1
    lo, hi = placebo_interval(est, pl.estimates)
    assert lo < 0 < hi


# ------------------------------------------------------------------ step before treatment


def test_step_before_treatment_shows_in_event_study_and_placebo_in_time():
    """Treated units step down by 1 from 2017 (a year BEFORE the treatment) and nothing after."""
    treated = ["001", "002", "003"]
    step = {c: {y: -1.0 for y in YEARS if y >= 2017} for c in treated}
    panel, codes = synthetic_panel(n=40, effect=step)
    control = codes[3:]
    # the DiD with pre 2013-2017 picks up 4/5 of the step although nothing happened in 2018-2019
    assert did_estimate(panel, treated, control, PRE, POST, "equal").estimate == pytest.approx(-0.8, abs=1e-10)
    # with 2017 alone as the pre-period it is zero
    assert did_estimate(panel, treated, control, [2017], POST, "equal").estimate == pytest.approx(0.0, abs=1e-10)
    # event study relative to 2017: +1 in every year before the step, 0 after
    rel = event_study(panel, treated, control, base_year=2017, weighting="equal").set_index("year")["relative_to_base"]
    assert np.allclose(rel.loc[2010:2016], 1.0) and np.allclose(rel.loc[2017:2020], 0.0)
    # placebo in time: the design moved back one year (pre 2012-2016, post 2017) finds the full step,
    # two years back (post 2016-2017) half of it, further back nothing
    pit = placebo_in_time(panel, treated, control, PRE, POST, last_clean_year=2017, weighting="equal")
    by_shift = pit.set_index("shift")
    assert by_shift.at[-1, "post_years"] == [2017] and by_shift.at[-1, "pre_years"] == [2012, 2013, 2014, 2015, 2016]
    assert by_shift.at[-1, "estimate"] == pytest.approx(-1.0, abs=1e-10)
    assert by_shift.at[-2, "estimate"] == pytest.approx(-0.5, abs=1e-10)
    assert by_shift.at[-3, "estimate"] == pytest.approx(0.0, abs=1e-10)
    assert list(by_shift.index) == [-1, -2, -3]  # shift -4 would need 2009, before the panel
    # no fake post year ever reaches into the real post-period
    assert max(max(p) for p in pit["post_years"]) <= 2017


def test_placebo_in_time_keeps_unit_timing_and_window_gap():
    """3-year windows: last clean index 2016; a unit treated 2018 only keeps its shorter timing."""
    panel, codes = synthetic_panel(n=30)
    timing = {"001": [2018, 2019], "002": [2018]}
    pit = placebo_in_time(panel, timing, codes[2:], [2014, 2015, 2016], [2018, 2019], last_clean_year=2016)
    first = pit.iloc[0]
    # shift -1 would put 2017 in the post period (> 2016): cut; unit 002's 2017 too -> dropped row
    assert (
        first["shift"] == -2
        and first["post_years"] == [2016]
        and first["n_treated"] == 2
        and first["pre_years"] == [2012, 2013, 2014]
    )
    with pytest.raises(ParameterError, match="shift"):
        placebo_in_time(panel, timing, codes[2:], [2014, 2015, 2016], [2018, 2019], 2016, shifts=[1])


# ------------------------------------------------------------------ leave one out


def test_leave_one_out_drops_the_right_unit():
    treated = ["001", "002", "003", "004"]
    effect = {"003": {2018: -8.0, 2019: -8.0}}  # only unit 003 has an effect
    panel, codes = synthetic_panel(n=30, effect=effect)
    control = codes[4:]
    loo = leave_one_out(panel, treated, control, PRE, POST, "equal")
    full = loo[loo["dropped"].isna()].iloc[0]
    assert full["estimate"] == pytest.approx(-2.0) and full["n_treated"] == 4
    rows = loo.dropna(subset=["dropped"]).set_index("dropped")
    assert list(rows.index) == treated and (rows["n_treated"] == 3).all()
    assert rows.at["003", "estimate"] == pytest.approx(0.0, abs=1e-10)  # without the unit that carries it
    for c in ("001", "002", "004"):
        assert rows.at[c, "estimate"] == pytest.approx(-8.0 / 3)
        assert rows.at[c, "own_estimate"] == pytest.approx(0.0, abs=1e-10)
    assert rows.at["003", "own_estimate"] == pytest.approx(-8.0)
    assert rows.at["003", "change_from_all"] == pytest.approx(2.0)
    with_p = leave_one_out(panel, treated, control, PRE, POST, "equal", n_placebo=200, seed=1)
    assert {"placebo_p", "interval_low", "interval_high"} <= set(with_p.columns)
    with pytest.raises(ParameterError, match="at least two"):
        leave_one_out(panel, ["001"], control, PRE, POST, "equal")


# ------------------------------------------------------------------ log version, common shocks


def test_log_version_recovers_a_proportional_effect():
    treated = [f"{i:03d}" for i in range(1, 7)]
    effect = {c: {2018: -0.10, 2019: -0.10} for c in treated}  # a 10 % fall
    panel, codes = synthetic_panel(n=50, effect=effect, multiplicative=True, seed=8)
    control = codes[6:]
    logp = log_panel(panel)
    est = did_estimate(logp, treated, control, PRE, POST, "population").estimate
    assert est == pytest.approx(math.log(0.9), abs=1e-10)
    assert relative_effect(est) == pytest.approx(-10.0, abs=1e-8)
    # in points the same effect depends on the treated units' levels: not -10 % of anything fixed
    level = did_estimate(panel, treated, control, PRE, POST, "population").estimate
    assert level < 0 and level != pytest.approx(est, abs=0.01)


def test_log_panel_turns_non_positive_values_into_gaps():
    panel, _ = synthetic_panel(n=5)
    panel.loc[0, "value"] = 0.0
    panel.loc[1, "value"] = -1.0
    out = log_panel(panel)
    assert out.attrs["non_positive"] == 2 and out.attrs["non_positive_units"] == ["001"]
    assert out["value"].isna().sum() == 2
    assert out.loc[2, "value"] == pytest.approx(math.log(panel.loc[2, "value"]))


def test_common_year_shock_cancels_in_levels_proportional_shock_in_logs():
    """A level shift common to every municipality in 2017 (like the Kela transfer, if common)
    leaves the DiD unchanged whichever pre-period straddles it; a shift proportional to the level
    does not cancel in points but does in logs."""
    treated = ["001", "002", "003"]
    effect = {c: {2018: -1.0, 2019: -1.0} for c in treated}
    panel, codes = synthetic_panel(n=40, effect=effect, seed=9)
    control = codes[3:]
    shocked = panel.copy()
    shocked.loc[shocked["year"] >= 2017, "value"] += 2.0  # same 2 points everywhere from 2017
    for pre in (PRE, [2016, 2017], [2017]):
        a = did_estimate(panel, treated, control, pre, POST, "population").estimate
        b = did_estimate(shocked, treated, control, pre, POST, "population").estimate
        assert a == pytest.approx(-1.0) and b == pytest.approx(a, abs=1e-10)
    # proportional shift: +20 % everywhere from 2017 (high-level places rise more in points)
    prop, codes = synthetic_panel(n=40, seed=10, multiplicative=True)
    prop_shocked = prop.copy()
    prop_shocked.loc[prop_shocked["year"] >= 2017, "value"] *= 1.2
    high = list(prop.groupby("municipality_code")["value"].mean().sort_values().index[-3:])
    ctrl = [c for c in codes if c not in high]
    base = did_estimate(prop, high, ctrl, PRE, POST, "equal").estimate
    moved = did_estimate(prop_shocked, high, ctrl, PRE, POST, "equal").estimate
    assert moved - base > 0.1  # does not cancel in points: the high-level group "rises more"
    lb = did_estimate(log_panel(prop), high, ctrl, PRE, POST, "equal").estimate
    lm = did_estimate(log_panel(prop_shocked), high, ctrl, PRE, POST, "equal").estimate
    assert lm == pytest.approx(lb, abs=1e-10)


# ------------------------------------------------------------------ the Tornio rule


def test_event_study_leaves_a_one_year_unit_out_of_the_other_post_year():
    """Unit 002 is treated in 2018 only (like Tornio); its 2019 value is wild. The event study
    must not count it in 2019, as the DiD does not."""
    panel, codes = synthetic_panel(n=20, seed=11)
    effect_2018 = {"001": -1.0, "002": -1.0}
    for c, e in effect_2018.items():
        panel.loc[(panel.municipality_code == c) & (panel.year == 2018), "value"] += e
    panel.loc[(panel.municipality_code == "001") & (panel.year == 2019), "value"] += -1.0
    panel.loc[(panel.municipality_code == "002") & (panel.year == 2019), "value"] += 50.0  # not its pilot year
    timing = {"001": [2018, 2019], "002": [2018]}
    control = codes[2:]
    es = event_study(panel, timing, control, 2017, "equal").set_index("year")
    assert es.at[2018, "relative_to_base"] == pytest.approx(-1.0)
    assert es.at[2019, "relative_to_base"] == pytest.approx(-1.0)  # 002's +50 is not in it
    assert es.at[2019, "n_treated"] == 1 and es.at[2018, "n_treated"] == 2 and es.at[2020, "n_treated"] == 2
    assert did_estimate(panel, timing, control, PRE, POST, "equal").estimate == pytest.approx(-1.0)
    # a plain list keeps the old behaviour: every unit in every year
    old = event_study(panel, ["001", "002"], control, 2017, "equal").set_index("year")
    assert old.at[2019, "relative_to_base"] == pytest.approx((-1.0 + 50.0) / 2)


def test_placebo_event_band_follows_the_same_rule():
    """Exhaustive placebo over a pool of 5: the 2019 band uses only the 2018-2019 slot."""
    panel, codes = synthetic_panel(n=7, seed=12)
    treated, pool = {"001": [2018, 2019], "002": [2018]}, codes[2:]
    pl = placebo_distribution(panel, treated, pool, PRE, POST, 1000, 1, "equal", base_year=2017, band=(0.0, 1.0))
    assert pl.exhaustive and pl.n_placebo == 20  # 5 x 4 ordered choices
    v = panel.pivot(index="municipality_code", columns="year", values="value")
    rel19 = v[2019] - v[2017]
    # by hand: slot 1 (2018-2019 cohort) = a, slot 2 = b; 2019 path = rel(a) - mean(rel(pool - {a, b}))
    paths = []
    for a in pool:
        for b in pool:
            if a != b:
                rest = [c for c in pool if c not in (a, b)]
                paths.append(rel19[a] - rel19[rest].mean())
    band = pl.event_bands.set_index("year")
    assert band.at[2019, "placebo_low"] == pytest.approx(min(paths))
    assert band.at[2019, "placebo_high"] == pytest.approx(max(paths))


# ------------------------------------------------------------------ strata and pools


def test_stratified_placebo_draws_each_stand_in_from_its_own_stratum():
    panel, codes = synthetic_panel(n=30, seed=13)
    # pool units 011-020 (stratum 1) all rise by 10 after 2017; stratum 0 units are flat
    big = [f"{i:03d}" for i in range(11, 21)]
    panel.loc[panel.municipality_code.isin(big) & (panel.year >= 2018), "value"] += 10.0
    strata = {c: (1 if c in big or c == "001" else 0) for c in codes}
    treated, pool = ["001", "002"], codes[2:]
    pl = stratified_placebo(panel, treated, pool, PRE, POST, 300, 3, "equal", strata=strata)
    assert isinstance(pl, StratifiedPlacebo) and pl.strata == {"001": 1, "002": 0}
    # every draw: one stratum-1 unit (+10) and one stratum-0 unit (0) against 26 units of which 9 rose
    expected = (10.0 + 0.0) / 2 - 9 * 10.0 / 26
    assert np.allclose(pl.estimates, expected)
    plain = stratified_placebo(panel, treated, pool, PRE, POST, 300, 3, "equal", strata=None)
    assert plain.estimates.std() > 1.0  # unstratified draws mix the strata
    # a thin stratum is merged into its neighbour, and said
    thin = {c: 0 for c in codes} | {"001": 2, "003": 2}
    thin["002"] = 2
    merged = stratified_placebo(panel, treated, pool, PRE, POST, 50, 3, "equal", strata=thin)
    assert any("merged" in n for n in merged.notes) and set(merged.strata.values()) == {0}
    with pytest.raises(ParameterError, match="strata lacks"):
        stratified_placebo(panel, treated, pool, PRE, POST, 10, 3, "equal", strata={"001": 0})


def test_size_bands_and_size_band_pool():
    assert size_bands({"a": 4_999, "b": 5_000, "c": 99_999, "d": 100_000, "e": 230_000}) == {
        "a": 0,
        "b": 1,
        "c": 4,
        "d": 5,
        "e": 5,
    }
    pop = np.array([150_000.0, 7_000.0] + [1_000.0] * 10 + [8_000.0] * 5 + [200_000.0] * 3)
    panel, codes = synthetic_panel(n=20, population=pop)
    pool = size_band_pool(panel, ["001", "002"], reference_year=2017, exclude=[])
    assert pool.codes == codes[12:]  # the 5-10k and 100k+ units, none of the <5k
    assert pool.method == "size_band" and "5-10k" in pool.description


def test_level_matched_pool_ignores_the_pre_trend():
    panel, codes = synthetic_panel(n=12, population=np.full(12, 10_000.0))
    v = panel.set_index(["municipality_code", "year"])["value"]
    treated_level = v["001"].loc[PRE].mean()
    # 002: same pre-period level as 001 but a steep trend; 003: same trend as 001, level far away
    slope = np.array(PRE) - np.mean(PRE)
    for y, s in zip(PRE, slope, strict=True):
        panel.loc[(panel.municipality_code == "002") & (panel.year == y), "value"] = treated_level + 5 * s
        panel.loc[(panel.municipality_code == "003") & (panel.year == y), "value"] = v[("001", y)] + 100
    pool = level_matched_pool(panel, ["001"], PRE, n_matched=1, reference_year=2017, exclude=[])
    assert pool.codes == ["002"] and pool.method == "matched_level"
    assert "not on the pre-trend" in pool.description


# ------------------------------------------------------------------ the grid (no data needed)


def test_specification_grid_shape_and_plain_dicts():
    grid = specification_grid()
    from helpers.analysis.outcomes import OUTCOMES

    assert len(grid) == len(OUTCOMES) * len(SPEC_COMPARISONS) * len(SPEC_PRE_PERIODS) * 2 * 2 >= 300
    ids = [g["spec_id"] for g in grid]
    assert len(set(ids)) == len(ids)
    assert json.loads(json.dumps(grid)) == grid  # plain, JSON-native: papermill can inject them
    assert {g["outcome"] for g in grid} == set(OUTCOMES)
    assert all(set(g) == set(SPEC_KEYS) for g in grid)
    assert all(g["n_placebo"] == 1000 for g in grid)
    one = next(g for g in grid if g["spec_id"] == "unemployment_rate|all|default|population|level")
    assert one["pre_years"] == [2013, 2014, 2015, 2016, 2017] and one["post_years"] == [2018, 2019]
    last = next(g for g in grid if g["spec_id"] == "diak_long_term_unemployment|all|last|equal|log")
    assert last["pre_years"] == [2016] and last["post_years"] == [2018]
    # every grid entry passes validation unchanged
    assert validate_spec(one)["pre_years"] == one["pre_years"]


def test_validate_spec_names_the_problem():
    with pytest.raises(ParameterError, match="unknown specification parameter 'colour'"):
        validate_spec({"outcome": "unemployment_rate", "colour": 1})
    with pytest.raises(ParameterError, match="comparison='nearby'"):
        validate_spec({"outcome": "unemployment_rate", "comparison": "nearby", "weighting": "equal", "scale": "log"})
    with pytest.raises(ParameterError, match="pre_years"):
        validate_spec(
            {
                "outcome": "unemployment_rate",
                "comparison": "all",
                "weighting": "equal",
                "scale": "log",
                "pre_years": [2018],
            }
        )


def test_summarise_specifications_by_hand():
    recs = [
        {"spec_id": "a", "outcome": "x", "scale": "level", "estimate": -2.0, "placebo_p": 0.05},
        {"spec_id": "b", "outcome": "x", "scale": "level", "estimate": -1.0, "placebo_p": 0.5},
        {"spec_id": "c", "outcome": "x", "scale": "level", "estimate": 3.0, "placebo_p": 0.09},
        {"spec_id": "d", "outcome": "y", "scale": "log", "estimate": 0.1, "placebo_p": 0.1},
    ]
    s = summarise_specifications(recs)
    o = s["overall"]
    assert o["n_specifications"] == 4 and o["n_negative"] == 2 and o["n_positive"] == 2
    assert o["share_negative"] == 0.5 and o["n_placebo_p_below"] == 2  # 0.1 is not below 0.1
    assert o["share_negative_and_p_below"] == 0.25 and o["share_positive_and_p_below"] == 0.25
    by = s["by_outcome"].set_index(["outcome", "scale"])
    assert by.at[("x", "level"), "median_estimate"] == -1.0 and by.at[("y", "log"), "n"] == 1
    assert by.at[("x", "level"), "share_placebo_p_below"] == pytest.approx(2 / 3)
    curve = s["curve"]
    assert list(curve["spec_id"]) == ["a", "b", "c", "d"] and list(curve["rank"]) == [1, 2, 3, 1]
    with pytest.raises(ParameterError, match="duplicate spec_id"):
        summarise_specifications(recs + recs[:1])
    with pytest.raises(ParameterError, match="no specification records"):
        summarise_specifications([])


def test_validate_spec_names_custom_pre_years_honestly():
    p = validate_spec(
        {
            "outcome": "unemployment_rate",
            "comparison": "all",
            "weighting": "equal",
            "scale": "level",
            "pre_period": "long",
            "pre_years": [2016, 2017],
        }
    )
    assert p["pre_period"] == "short" and p["spec_id"] == "unemployment_rate|all|short|equal|level"
    q = validate_spec(
        {
            "outcome": "unemployment_rate",
            "comparison": "all",
            "weighting": "equal",
            "scale": "level",
            "pre_years": [2014, 2017],
        }
    )
    assert q["pre_period"] == "custom" and q["n_placebo"] == 1000 and q["post_years"] == [2018, 2019]
