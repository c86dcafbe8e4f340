"""Robustness layer on the REAL data release.

Pinned values were computed independently from the raw CSVs with plain pandas (no helpers code):
annual unemployment rate = 100 x mean monthly unemployed / labour force (a year counts only with
every published month; Honkajoki 099 summed into Kankaanpää 214); pool = non-pilot municipalities
with a rate in every year 2006-2020 and a 2017 population (295); weights = population 31 Dec 2017;
Tornio's post period 2018 only.
"""

import json
import time

import numpy as np
import pytest

from helpers.analysis.outcomes import OUTCOMES, get_outcome, outcome_panel
from helpers.analysis.pilot import analyse, pilot_timing, unit_post_years
from helpers.analysis.robustness import (
    leave_one_out,
    pilot_checks,
    pilot_pool,
    placebo_in_time,
    spec_result,
    specification_grid,
    summarise_specifications,
)
from helpers.chapters import pilot as pilot_chapter
from helpers.chapters.model import as_values
from helpers.errors import MirrorNotFound

PRE, POST = [2013, 2014, 2015, 2016, 2017], [2018, 2019]
DEFAULT = "unemployment_rate|all|default|population|level"


@pytest.fixture(scope="module", autouse=True)
def mirror():
    from helpers.data import mirror_path

    try:
        return mirror_path()
    except MirrorNotFound as err:
        pytest.fail(f"real-data tests need the data release (set BOOK_DATA_MIRROR): {err}")


@pytest.fixture(scope="module")
def unemployment():
    o = get_outcome("unemployment_rate")
    timing = {c: unit_post_years(c, o, POST) for c in pilot_timing()}
    return outcome_panel(o.id), timing, pilot_pool(o.id, "all", PRE).codes


@pytest.fixture(scope="module")
def grid_records():
    t0 = time.perf_counter()
    records = [spec_result(p) for p in specification_grid()]
    return records, time.perf_counter() - t0


def test_leave_one_out_and_own_estimates_pinned(unemployment):
    panel, timing, pool = unemployment
    assert len(pool) == 295
    loo = leave_one_out(panel, timing, pool, PRE, POST, "population", 2017).set_index("dropped", drop=False)
    assert loo.iloc[0]["estimate"] == pytest.approx(-1.3511688736364282, abs=1e-9)
    assert loo.loc["837", "estimate"] == pytest.approx(-0.3688522532045841, abs=1e-9)  # without Tampere
    assert loo.loc["297", "own_estimate"] == pytest.approx(0.47969725962224263, abs=1e-9)  # Kuopio alone: positive


def test_placebo_in_time_pinned(unemployment):
    panel, timing, pool = unemployment
    pit = placebo_in_time(panel, timing, pool, PRE, POST, 2017, weighting="population", weight_year=2017)
    first = pit.iloc[0]
    assert first["shift"] == -1 and first["pre_years"] == [2012, 2013, 2014, 2015, 2016]
    assert first["post_years"] == [2017]
    # weights move with the design: population 31 Dec 2016
    assert first["estimate"] == pytest.approx(-0.6984745819918986, abs=1e-9)


def test_event_study_leaves_tornio_out_of_2019_like_the_did(mirror):
    # the unemployment outcome at the chapter's other defaults (base year: the last pre-period year, 2017)
    a = analyse(as_values(pilot_chapter.validate({"outcome": "unemployment_rate"})))
    es = a.event_study.set_index("year")
    assert es.at[2019, "n_treated"] == 5 and es.at[2018, "n_treated"] == 6
    # independent: weighted mean of (2019 - 2017) over the five 2019 pilots minus the pool's
    assert es.at[2019, "relative_to_base"] == pytest.approx(-0.6570089220318263, abs=1e-9)
    assert a.did.estimate == pytest.approx(-1.3511688736364282, abs=1e-9)


def test_spec_result_record_pinned_and_plain(mirror):
    grid = {g["spec_id"]: g for g in specification_grid()}
    rec = spec_result(grid[DEFAULT])
    assert rec["estimate"] == pytest.approx(-1.3511688736364282, abs=1e-9)
    assert rec["n_treated"] == 6 and rec["n_comparison"] == 295 and rec["placebo_n"] == 1000
    assert json.loads(json.dumps(rec)) == rec  # one run -> one JSON-native record
    assert rec["interval_low"] < rec["estimate"] < rec["interval_high"]
    # 0 outside the interval exactly when the placebo p is below alpha
    assert (not rec["interval_low"] <= 0 <= rec["interval_high"]) == (rec["placebo_p"] < rec["alpha"])
    log = spec_result(grid[DEFAULT.replace("|level", "|log")])
    assert log["estimate"] == pytest.approx(-0.0698659980437662, abs=1e-9)
    assert log["estimate_relative_pct"] == pytest.approx(100 * np.expm1(-0.0698659980437662), abs=1e-7)
    band = spec_result(grid["unemployment_rate|size_band|default|population|level"])
    assert band["n_comparison"] == 114 and band["estimate"] == pytest.approx(-1.4472868789628666, abs=1e-9)
    diak = spec_result(grid["diak_long_term_social_assistance_25_64|all|default|population|level"])
    assert diak["n_comparison"] == 276 and diak["estimate"] == pytest.approx(20.08656756074643, abs=1e-9)
    matched = spec_result(grid["unemployment_rate|matched_level|default|equal|level"])
    assert matched["n_comparison"] == 30  # 5 per pilot municipality, without replacement


def test_whole_grid_runs_fast_and_summarises(grid_records):
    records, seconds = grid_records
    print(f"{len(records)} specifications in {seconds:.1f} s")
    assert len(records) >= 300 and seconds < 180
    assert {r["outcome"] for r in records} == set(OUTCOMES)
    assert all(np.isfinite(r["estimate"]) and r["placebo_n"] == 1000 for r in records)
    assert all(0 < r["placebo_p"] <= 1 for r in records)
    s = summarise_specifications(records)
    o = s["overall"]
    assert o["n_specifications"] == len(records) and o["n_negative"] + o["n_positive"] + o["n_zero"] == len(records)
    assert len(s["by_outcome"]) == 2 * len(OUTCOMES)
    default = next(r for r in records if r["spec_id"] == DEFAULT)
    assert default["estimate"] == pytest.approx(-1.3511688736364282, abs=1e-9)


def test_pilot_checks_on_diak_windows_stop_before_the_pilot(mirror):
    """3-year windows: year_mid 2017 (2016-2018) contains a pilot year, so the first fake start is
    year_mid 2016 (pre 2012-2014, weights moved to 2015). Independent value from the raw Diak CSV."""
    grid = {g["spec_id"]: g for g in specification_grid()}
    checks = pilot_checks(grid["diak_long_term_social_assistance_25_64|all|default|population|level"])
    pit = checks["placebo_in_time"]
    assert list(pit["fake_start"]) == [2016, 2015]
    assert pit.iloc[0]["pre_years"] == [2012, 2013, 2014]
    assert pit.iloc[0]["estimate"] == pytest.approx(22.111344881438566, abs=1e-9)
    loo = checks["leave_one_out"]
    assert len(loo) == 7 and loo.iloc[0]["estimate"] == pytest.approx(20.08656756074643, abs=1e-9)
    assert {"placebo_p", "interval_low", "interval_high"} <= set(loo.columns)
