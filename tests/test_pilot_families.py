"""The families-with-children social-assistance outcome on the REAL data release.

Pinned values were computed independently from the raw CSVs with plain pandas (no helpers code):
share = 100 x families_with_children_receiving_social_assistance / families_with_children;
comparison pool = non-pilot municipalities with a share in every year 2006-2021 and a 2017
population; DiD = sum_u w_u (change_u - weighted mean change of the pool) / sum_u w_u with
population on 31 Dec 2017 as w, Tornio's post period 2018 only.
"""

import csv
import math

import numpy as np
import pandas as pd
import pytest

from helpers.analysis.comparison_groups import comparison_pool
from helpers.analysis.did import did_estimate
from helpers.analysis.outcomes import OUTCOMES, outcome_panel
from helpers.analysis.pilot import periods_for, pilot_timing, unit_post_years
from helpers.analysis.robustness import log_panel
from helpers.data.municipalities import pilot_codes
from helpers.errors import MirrorNotFound

OUTCOME = "families_social_assistance_pct"
PRE, POST = [2013, 2014, 2015, 2016, 2017], [2018, 2019]


@pytest.fixture(scope="module")
def mirror():
    from helpers.data import mirror_path

    try:
        return mirror_path()
    except MirrorNotFound as err:
        pytest.fail(f"real-data tests need the data release (set BOOK_DATA_MIRROR): {err}")


@pytest.fixture(scope="module")
def panel(mirror):
    return outcome_panel(OUTCOME)


@pytest.fixture(scope="module")
def design(panel):
    o = OUTCOMES[OUTCOME]
    timing = {c: unit_post_years(c, o, POST) for c in pilot_timing()}
    pool = comparison_pool(panel, list(pilot_timing()), "all", pre_years=PRE)
    return timing, pool.codes


def test_outcome_is_registered_with_its_periods():
    o = OUTCOMES[OUTCOME]
    assert o.source_dataset == "families_social_assistance" and o.unit == "% of families with children"
    assert o.years == tuple(range(2006, 2022)) and o.window == (0, 0)
    periods = periods_for(OUTCOME)
    assert periods.pre_years == PRE and periods.post_years == POST
    assert "Kela" in o.interpretation and "cancels" in o.interpretation


def test_panel_values_match_the_raw_counts(mirror, panel):
    assert panel["municipality_code"].nunique() == 309
    assert sorted(panel["year"].unique()) == list(range(2006, 2022))
    v = panel.set_index(["municipality_code", "year"])["value"]
    # the release README's worked example: Tampere 2019, 3,488 / 21,575
    assert v[("837", 2019)] == pytest.approx(100 * 3488 / 21575, rel=1e-12)
    # suppressed counts stay gaps, never zeros: every raw row with an empty count is NaN here
    with open(mirror / "sotkanet" / "families_social_assistance_1990_2021.csv", newline="", encoding="utf-8") as fh:
        raw = [r for r in csv.DictReader(fh) if 2006 <= int(float(r["year"])) <= 2021]
    empty = [
        (r["municipality_code"], int(float(r["year"])))
        for r in raw
        if not r["families_with_children_receiving_social_assistance"]
    ]
    assert len(empty) > 100
    assert all(math.isnan(v[k]) for k in empty)
    full = [r for r in raw if r["families_with_children_receiving_social_assistance"] and r["families_with_children"]]
    for r in full[::97]:
        expected = (
            100 * float(r["families_with_children_receiving_social_assistance"]) / float(r["families_with_children"])
        )
        assert v[(r["municipality_code"], int(float(r["year"])))] == pytest.approx(expected, rel=1e-12)
    # 273 municipalities have a share in every year 2006-2021 (independent count), all pilots among them
    complete = panel.groupby("municipality_code")["complete"].first()
    assert int(complete.sum()) == 273 and complete[list(pilot_codes())].all()


def test_default_did_pinned_to_an_independent_computation(panel, design):
    timing, pool = design
    assert len(pool) == 267 and timing["851"] == [2018]
    assert did_estimate(panel, timing, pool, PRE, POST, "population", 2017).estimate == pytest.approx(
        0.5810527153146565, abs=1e-9
    )
    assert did_estimate(panel, timing, pool, PRE, POST, "equal").estimate == pytest.approx(
        0.24315198218566433, abs=1e-9
    )
    # the pre-period 2017 alone lies wholly after the Kela transfer
    assert did_estimate(panel, timing, pool, [2017], POST, "population", 2017).estimate == pytest.approx(
        0.09109786761258942, abs=1e-9
    )
    assert did_estimate(log_panel(panel), timing, pool, PRE, POST, "population", 2017).estimate == pytest.approx(
        0.01474460303363782, abs=1e-9
    )


def test_the_2017_kela_shift_is_not_common_to_all_municipalities(mirror, panel):
    """What the chapter must say about the transfer: the share jumped in 2017, and by more in large
    municipalities, so it does NOT cancel in a population-weighted DiD whose pre-period straddles
    2017 (the synthetic tests show a common shift would cancel)."""
    raw = pd.read_csv(
        mirror / "sotkanet" / "families_social_assistance_1990_2021.csv", dtype={"municipality_code": str}
    )
    both = raw.dropna(subset=["families_with_children", "families_with_children_receiving_social_assistance"])
    sums = both.groupby("year")[["families_with_children_receiving_social_assistance", "families_with_children"]].sum()
    pooled = 100 * sums.iloc[:, 0] / sums.iloc[:, 1]
    assert pooled[2017] - pooled[2016] > 1.5  # 9.18 -> 11.24 %
    assert abs(pooled[2016] - pooled[2015]) < 0.5 and abs(pooled[2018] - pooled[2017]) < 0.5
    v = panel.pivot(index="municipality_code", columns="year", values="value")
    pop = panel[panel["year"] == 2017].set_index("municipality_code")["population"]
    jump = (v[2017] - v[2016]).dropna()
    small = jump[pop[jump.index] < 5_000]
    large = jump[pop[jump.index] >= 100_000]
    assert np.average(large, weights=pop[large.index]) > np.average(small, weights=pop[small.index]) + 2.0
