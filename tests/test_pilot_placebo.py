"""Placebo (randomisation) inference on SYNTHETIC panels whose truth is known.

All panels here are synthetic (generated in the test), never real data.
"""

import math
import time

import numpy as np
import pandas as pd
import pytest

from helpers.analysis.did import did_estimate, placebo_distribution
from helpers.errors import ParameterError

YEARS = list(range(2006, 2021))
PRE = [2013, 2014, 2015, 2016, 2017]
POST = [2018, 2019]
# the pilot's timing: five units in 2018-2019, one ("Tornio") in 2018 only
TIMING = {"001": POST, "002": POST, "003": POST, "004": POST, "005": POST, "006": [2018]}


def synthetic_panel(n=300, effect=0.0, noise=1.0, seed=0):
    """SYNTHETIC: unit level + year shock + unit-year noise + ``effect`` in treated pilot years."""
    rng = np.random.default_rng(seed)
    codes = np.array([f"{i:03d}" for i in range(1, n + 1)])
    y = rng.normal(10, 3, (n, 1)) + rng.normal(0, 1, (1, len(YEARS))).cumsum(axis=1)
    y = y + rng.normal(0, noise, y.shape)
    for code, years in TIMING.items():
        i = int(code) - 1
        for yr in years:
            y[i, YEARS.index(yr)] += effect
    pop = rng.lognormal(9, 1, n).round()
    return (
        pd.DataFrame(
            {
                "municipality_code": np.repeat(codes, len(YEARS)),
                "year": np.tile(YEARS, n),
                "value": y.ravel(),
                "population": np.repeat(pop, len(YEARS)),
            }
        ),
        list(codes),
    )


@pytest.fixture(scope="module")
def null_panel():
    return synthetic_panel(effect=0.0, seed=11)


def pool_of(codes):
    return [c for c in codes if c not in TIMING]


def test_placebo_centred_on_zero_without_effect(null_panel):
    panel, codes = null_panel
    r = placebo_distribution(panel, TIMING, pool_of(codes), PRE, POST, 2000, seed=1, weighting="equal")
    sd = r.estimates.std()
    assert r.n_placebo == 2000 and not r.exhaustive
    # mean of 2,000 draws is within ~4 standard errors of zero
    assert abs(r.estimates.mean()) < 4 * sd / math.sqrt(2000)
    assert 0.0 < r.share_as_extreme <= 1.0
    assert r.n_ranked == 2001 and 1 <= r.rank <= 2001
    assert r.rank == r.n_as_extreme + 1
    assert r.p_value == pytest.approx((1 + r.n_as_extreme) / 2001)


def test_large_planted_effect_ranks_first():
    panel, codes = synthetic_panel(effect=-8.0, noise=0.5, seed=2)
    r = placebo_distribution(panel, TIMING, pool_of(codes), PRE, POST, 1000, seed=3, weighting="population")
    assert r.rank == 1
    assert r.n_as_extreme == 0 and r.share_as_extreme == 0.0
    assert r.share_as_low == 0.0  # nothing as low as a large reduction
    assert r.pilot_estimate == pytest.approx(-8.0, abs=1.0)


def test_each_draw_equals_the_estimator_on_that_set(null_panel):
    """The vectorised draws are the same DiD as did_estimate with control = rest of pool."""
    panel, codes = null_panel
    pool = pool_of(codes)[:60]
    r = placebo_distribution(panel, TIMING, pool, PRE, POST, 25, seed=9, weighting="population")
    for d in range(25):
        positions = r.draws[d]
        pseudo = {r.pool[p]: r.draw_post_years[j] for j, p in enumerate(positions)}
        assert len(set(pseudo)) == 6  # no unit twice in a draw
        rest = [c for c in pool if c not in pseudo]
        ref = did_estimate(panel, pseudo, rest, PRE, POST, "population")
        assert r.estimates[d] == pytest.approx(ref.estimate, abs=1e-9)
    # one pseudo-treated unit per draw carries the 2018-only timing, like Tornio
    assert sorted(map(len, r.draw_post_years)) == [1, 2, 2, 2, 2, 2]


def test_same_seed_same_output_different_seed_different_draws(null_panel):
    panel, codes = null_panel
    pool = pool_of(codes)
    a = placebo_distribution(panel, TIMING, pool, PRE, POST, 500, seed=42)
    b = placebo_distribution(panel, TIMING, pool, PRE, POST, 500, seed=42)
    c = placebo_distribution(panel, TIMING, pool, PRE, POST, 500, seed=43)
    assert np.array_equal(a.estimates, b.estimates) and np.array_equal(a.draws, b.draws)
    assert a.rank == b.rank and a.seed == 42
    assert not np.array_equal(a.draws, c.draws)
    assert not np.allclose(a.estimates, c.estimates)


def test_chunked_draws_match_unchunked(null_panel, monkeypatch):
    import helpers.analysis.did as did

    panel, codes = null_panel
    pool = pool_of(codes)
    whole = placebo_distribution(panel, TIMING, pool, PRE, POST, 300, seed=5)
    monkeypatch.setattr(did, "PLACEBO_CHUNK", 64)
    chunked = placebo_distribution(panel, TIMING, pool, PRE, POST, 300, seed=5)
    assert len(chunked.estimates) == 300
    # chunks consume the generator's stream in the same order: the very same draws, whatever the chunk size
    assert np.array_equal(chunked.draws, whole.draws)
    assert np.array_equal(chunked.estimates, whole.estimates)


def test_small_pool_is_enumerated_exactly():
    panel, codes = synthetic_panel(n=12, seed=4)
    timing = {"001": POST}
    pool = codes[1:6]  # 5 units -> 5 possible pseudo-treated sets
    r = placebo_distribution(panel, timing, pool, PRE, POST, 1000, seed=1)
    assert r.exhaustive and r.n_possible == 5 and r.n_placebo == 5 and r.n_ranked == 6
    assert sorted(r.draws[:, 0].tolist()) == [0, 1, 2, 3, 4]
    assert "all were used" in r.notes[0]
    # with two cohorts the count is C(5,1) * C(4,1) = 20 ordered assignments
    two = placebo_distribution(panel, {"001": POST, "012": [2018]}, pool, PRE, POST, 100, seed=1)
    assert two.exhaustive and two.n_possible == 20 and len({tuple(d) for d in two.draws}) == 20


def test_event_bands_are_zero_at_base_and_cover_null(null_panel):
    panel, codes = null_panel
    r = placebo_distribution(panel, TIMING, pool_of(codes), PRE, POST, 400, seed=2, weighting="equal", base_year=2017)
    b = r.event_bands.set_index("year")
    assert b.loc[2017, "placebo_low"] == pytest.approx(0.0, abs=1e-12)
    assert b.loc[2017, "placebo_high"] == pytest.approx(0.0, abs=1e-12)
    assert (b["placebo_low"] <= b["placebo_high"]).all()
    assert b.loc[2018, "placebo_low"] < 0 < b.loc[2018, "placebo_high"]


def test_placebo_errors(null_panel):
    panel, codes = null_panel
    with pytest.raises(ParameterError, match="must exclude them"):
        placebo_distribution(panel, TIMING, codes, PRE, POST, 10)
    with pytest.raises(ParameterError, match=r"placebo pool has 6 municipalities .* needs 6"):
        placebo_distribution(panel, TIMING, pool_of(codes)[:6], PRE, POST, 10)
    with pytest.raises(ParameterError, match="0..100000"):
        placebo_distribution(panel, TIMING, pool_of(codes), PRE, POST, 100_001)


def test_thousand_draws_over_300_units_are_fast(null_panel):
    panel, codes = null_panel
    pool = pool_of(codes)
    placebo_distribution(panel, TIMING, pool, PRE, POST, 10, seed=0)  # warm-up
    t = time.perf_counter()
    r = placebo_distribution(panel, TIMING, pool, PRE, POST, 1000, seed=0, weighting="population", base_year=2017)
    seconds = time.perf_counter() - t
    print(f"\n1,000 placebo draws over {len(pool)} units: {seconds:.3f} s")
    assert r.n_placebo == 1000
    assert seconds < 5.0  # the brief's hard limit; typically ~0.02 s here
