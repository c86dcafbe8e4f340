"""The participatory social security pilot (2018-2019): timing, periods, parameters, analysis.

What the chapter calls:

* ``validate_pilot_parameters(params)`` (``pilot_parameters``): the engine's checks of a complete parameter set;
* ``run_pilot_analysis(params)``: everything the chapter shows, as a :class:`PilotAnalysis`;
* ``periods_for(outcome_id, pre_years, post_years)``: the pre/post definition and why;
* ``pilot_context_2019()``: each pilot municipality against all municipalities in 2019.

Timing (``pilot_timing()``; STM/THL press release 202/2018 and the City of Raisio): the pilot ran
in 2018 in six municipalities and in 2019 in five (not Tornio). Raisio dates its own pilot from
1 Nov 2017, so its calendar year 2017 contains two pilot months; it is still treated as a
pre-period year (10 of 12 months before the pilot) and the chapter says so.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from .comparison_groups import ComparisonPool, comparison_pool
from .did import (
    DidResult,
    PlaceboResult,
    did_estimate,
    event_study,
    group_means_by_year,
    placebo_distribution,
    pre_trend,
)
from .outcomes import OUTCOMES, Outcome, outcome_panel, population_table
from .pilot_context import context_values_2019, pilot_context_2019
from .pilot_parameters import MAX_PLACEBO, PARAMETER_NAMES, validate_pilot_parameters
from .pilot_timing import (
    LAST_PRE_PILOT_YEAR,
    PILOT_YEARS,
    REFERENCE_YEAR,
    PeriodDefinition,
    PilotTiming,
    _names,
    periods_for,
    pilot_timing,
    unit_exposure,
    unit_post_years,
)
from .robustness import placebo_p_value

# --------------------------------------------------------------------------- the analysis


@dataclass
class PilotAnalysis:
    """Everything the pilot chapter displays for one parameter set."""

    parameters: dict
    outcome: Outcome
    periods: PeriodDefinition
    treated: pd.DataFrame  # one row per treated municipality (timing, post years used, weight)
    comparison: ComparisonPool
    trends: pd.DataFrame  # year, series, kind ('group' | 'municipality'), value, n_units, period
    did: DidResult
    event_study: pd.DataFrame  # year, difference, relative_to_base (+ placebo band), period
    placebo: PlaceboResult | None
    numbers: dict[str, object]  # the numbers the chapter's sentences are built from (chapters.pilot_summary)
    names: dict[str, tuple[str, str]]  # municipality code -> (Finnish, Swedish) name, every unit involved
    timings: dict[str, float]


def run_pilot_analysis(params: Mapping | None = None, **overrides) -> PilotAnalysis:
    """Check a raw parameter set (``validate_pilot_parameters``), then :func:`analyse` it.

    For scripts and tests; the chapter validates once before the kernel starts and calls
    :func:`analyse` with the checked values.
    """
    return analyse(validate_pilot_parameters(params, **overrides))


def analyse(p: Mapping) -> PilotAnalysis:
    """The pilot analysis for an already checked parameter set (``validate_pilot_parameters``'s result).

    Returns a :class:`PilotAnalysis`: the trend table (treated vs comparison mean per year, and
    each treated municipality), the DiD estimate, the event study with a placebo band, the
    placebo distribution and the numbers the chapter's sentences need.
    """
    p = dict(p)
    t0 = time.perf_counter()
    outcome = OUTCOMES[p["outcome"]]
    codes = p["municipalities"]
    periods = periods_for(outcome.id, p["pre_years"], p["post_years"], codes)
    full_panel = outcome_panel(outcome.id)
    pool = comparison_pool(
        full_panel, codes, p["comparison"], p["n_matched"], periods.pre_years, REFERENCE_YEAR, p["seed"]
    )
    panel = full_panel[full_panel["municipality_code"].isin(set(codes) | set(pool.codes))]
    timing = {c: unit_post_years(c, outcome, periods.post_years) for c in codes}
    did = did_estimate(panel, timing, pool.codes, periods.pre_years, periods.post_years, p["weighting"], REFERENCE_YEAR)
    es = event_study(panel, timing, pool.codes, p["base_year"], p["weighting"], REFERENCE_YEAR)
    t_did = time.perf_counter()
    placebo = None
    if p["n_placebo"] > 0:
        placebo = placebo_distribution(
            panel,
            timing,
            pool.codes,
            periods.pre_years,
            periods.post_years,
            p["n_placebo"],
            p["seed"],
            p["weighting"],
            REFERENCE_YEAR,
            base_year=p["base_year"],
        )
        assert placebo.event_bands is not None  # set whenever a base year is given, as here
        es = es.merge(placebo.event_bands, on="year", how="left")
    t_placebo = time.perf_counter()
    role = periods.windows.set_index("year")["used_as"]
    es["period"] = es["year"].map(role)

    names = _names(set(codes) | set(pool.codes) | set(pool.incomplete))
    # trends: group means and each treated municipality's own series
    groups = group_means_by_year(
        panel,
        codes,
        pool.codes,
        p["weighting"],
        REFERENCE_YEAR,
        labels=("Pilot municipalities", "Comparison group"),
    ).rename(columns={"group": "series", "mean": "value"})
    groups["kind"] = "group"
    groups["municipality_code"] = pd.NA
    units = panel[panel["municipality_code"].isin(codes)][["municipality_code", "year", "value"]].copy()
    units["series"] = units["municipality_code"].map(lambda c: pilot_timing()[c].name_fi)
    units["kind"] = "municipality"
    units["n_units"] = 1
    trends = pd.concat([groups, units], ignore_index=True)
    trends["period"] = trends["year"].map(role)
    trends = trends[["year", "series", "kind", "municipality_code", "value", "n_units", "period"]]

    pop = population_table()
    pop_ref = pop[pop["year"] == REFERENCE_YEAR].set_index("municipality_code")["population"]
    ue = did.unit_effects.set_index("municipality_code")
    treated = pd.DataFrame(
        [
            {
                "municipality_code": c,
                "name_fi": pilot_timing()[c].name_fi,
                "name_sv": pilot_timing()[c].name_sv,
                "pilot_start": pilot_timing()[c].start,
                "pilot_end": pilot_timing()[c].end,
                "pilot_years": list(pilot_timing()[c].pilot_years),
                "post_years_used": timing[c],
                "exposure_share": unit_exposure(c, outcome, periods.post_years),
                f"population_{REFERENCE_YEAR}": float(pop_ref.get(c, np.nan)),
                "weight_share": float(cast(float, ue.at[c, "weight_share"])),
                "pre_mean": float(cast(float, ue.at[c, "pre_mean"])),
                "post_mean": float(cast(float, ue.at[c, "post_mean"])),
                "did": float(cast(float, ue.at[c, "did"])),
                "note": pilot_timing()[c].note,
            }
            for c in codes
        ]
    )
    pool.table = pool.table.assign(
        name_fi=pool.table["municipality_code"].map(lambda c: names.get(c, ("", ""))[0]),
        name_sv=pool.table["municipality_code"].map(lambda c: names.get(c, ("", ""))[1]),
    )

    n_with_data = int(full_panel["municipality_code"].nunique())
    numbers = _numbers(p, outcome, periods, did, placebo, es, n_with_data)
    timings = {
        "did_and_event_study_s": t_did - t0,
        "placebo_s": t_placebo - t_did,
        "total_s": time.perf_counter() - t0,
    }
    return PilotAnalysis(
        parameters=p,
        outcome=outcome,
        periods=periods,
        treated=treated,
        comparison=pool,
        trends=trends,
        did=did,
        event_study=es,
        placebo=placebo,
        numbers=numbers,
        names=names,
        timings=timings,
    )


def _numbers(p, outcome, periods, did, placebo, es, n_with_data):
    """The numbers the chapter's sentences and glue need (``helpers.chapters.pilot_summary``)."""
    numbers: dict[str, object] = {
        "estimate": did.estimate,
        "treated_change": did.treated_change,
        "comparison_change": did.control_change,
        "treated_pre_mean": did.treated_pre_mean,
        "treated_post_mean": did.treated_post_mean,
        "comparison_pre_mean": did.control_pre_mean,
        "comparison_post_mean": did.control_post_mean,
        "n_treated": did.n_treated,
        "n_comparison": did.n_control,
        "unit": "percentage points" if outcome.unit.startswith("%") else "index points",
        "n_municipalities_with_data": n_with_data,
    }
    slope, projection = pre_trend(es, periods.pre_years, periods.post_years)
    numbers["pre_trend_per_year"] = slope
    numbers["pre_trend_projection"] = projection
    if placebo is not None:
        numbers.update(
            {
                "placebo_rank": placebo.rank,
                "placebo_n_ranked": placebo.n_ranked,
                "placebo_n_as_extreme": placebo.n_as_extreme,
                "placebo_share_as_extreme": placebo.share_as_extreme,
                "placebo_share_as_low": placebo.share_as_low,
                "placebo_p_value": placebo.p_value,
                "placebo_n": placebo.n_placebo,
                "placebo_exhaustive": placebo.exhaustive,
                "placebo_seed": placebo.seed,
                "placebo_sd": float(np.std(placebo.estimates)) if placebo.n_placebo else math.nan,
                # the signed, equal-tailed rule (helpers.analysis.robustness.placebo_p_value): the
                # placebo distribution is not centred on zero, so |estimate| ranks are not used for words
                "placebo_n_at_or_below": int(np.count_nonzero(placebo.estimates <= did.estimate)),
                "placebo_n_at_or_above": int(np.count_nonzero(placebo.estimates >= did.estimate)),
                "placebo_p_equal_tailed": placebo_p_value(did.estimate, placebo.estimates),
                "placebo_median": float(np.median(placebo.estimates)) if placebo.n_placebo else math.nan,
            }
        )
    return numbers


__all__ = [
    "LAST_PRE_PILOT_YEAR",
    "MAX_PLACEBO",
    "PARAMETER_NAMES",
    "PILOT_YEARS",
    "REFERENCE_YEAR",
    "PeriodDefinition",
    "PilotAnalysis",
    "PilotTiming",
    "analyse",
    "context_values_2019",
    "periods_for",
    "pilot_context_2019",
    "pilot_timing",
    "run_pilot_analysis",
    "unit_exposure",
    "unit_post_years",
    "validate_pilot_parameters",
]
