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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from helpers.text import format_number

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
    _span,
    periods_for,
    pilot_timing,
    unit_exposure,
    unit_post_years,
)

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
    summary: dict[str, str]  # sentences built from the numbers
    numbers: dict[str, object]  # the numbers themselves (for glue)
    notes: list[str]  # caveats the chapter must state
    timings: dict[str, float]


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 1,001st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def _join(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


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
    placebo distribution, summary sentences and the caveats to state.
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
    if pool.incomplete:  # name them instead of listing bare codes
        pool.notes = [n for n in pool.notes if "without complete data" not in n] + [
            f"{len(pool.incomplete)} municipalit{'y' if len(pool.incomplete) == 1 else 'ies'} "
            "without a value in every year of this outcome "
            f"({outcome.time_variable} {outcome.years[0]}–{outcome.years[-1]}) or without a "
            f"{REFERENCE_YEAR} population left out of the comparison group: "
            + ", ".join(f"{names.get(c, ('?', ''))[0]} ({c})" for c in pool.incomplete)
            + "."
        ]
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

    numbers, summary, notes = _summarise(p, outcome, periods, treated, pool, did, placebo, es)
    n_with_data = int(full_panel["municipality_code"].nunique())
    notes.append(
        f"Coverage: {n_with_data} municipalities (2022 division) appear in the {outcome.source_dataset} "
        "data for this outcome"
        + (" (Diak's panel leaves out the Åland municipalities)." if outcome.source_dataset == "diak_indices" else ".")
    )
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
        summary=summary,
        numbers=numbers,
        notes=notes,
        timings=timings,
    )


def _summarise(p, outcome, periods, treated, pool, did, placebo, es):
    unit = "percentage points" if outcome.unit.startswith("%") else "index points"
    names = list(treated["name_fi"])
    weighting = "population-weighted" if p["weighting"] == "population" else "unweighted (equal weights)"
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
        "unit": unit,
    }
    summary = {
        "design": (
            f"{_join(names)} ({len(names)} pilot municipalit{'y' if len(names) == 1 else 'ies'}) "
            f"against {len(pool)} comparison municipalities ({pool.description}); outcome: "
            f"{outcome.label} ({outcome.unit}); {weighting} means."
        ),
        "periods": periods.text,
        "estimate": (
            f"Difference-in-differences estimate: {format_number(did.estimate, 2, signed=True)} {unit}. Between the pre- "
            f"and post-period the pilot municipalities' {weighting} mean changed by "
            f"{format_number(did.treated_change, 2, signed=True)} and the comparison group's by {format_number(did.control_change, 2, signed=True)}."
        ),
    }
    slope, projection = pre_trend(es, periods.pre_years, periods.post_years)
    numbers["pre_trend_per_year"] = slope
    numbers["pre_trend_projection"] = projection
    if np.isfinite(slope):
        summary["pre_trend"] = (
            f"Before the pilot the gap between the pilot municipalities and the comparison group "
            f"changed by {format_number(slope, 2, signed=True)} {unit} a year "
            f"({'years' if outcome.time_variable == 'year' else 'year_mid'} "
            f"{_span(periods.pre_years)}); had that continued, it alone would give a "
            f"difference-in-differences of {format_number(projection, 2, signed=True)}."
        )
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
            }
        )
        how = (
            f"all {placebo.n_placebo:,} possible sets"
            if placebo.exhaustive
            else f"{placebo.n_placebo:,} random sets (seed {placebo.seed})"
        )
        summary["placebo"] = (
            f"Placebo check: {how} of {placebo.group_size} comparison "
            f"municipalit{'y' if placebo.group_size == 1 else 'ies'} were given the "
            f"pilot's timing and the same estimate computed. The pilot's estimate ranks "
            f"{ordinal(placebo.rank)} of {placebo.n_ranked:,} by absolute size; "
            f"{placebo.n_as_extreme:,} of the {placebo.n_placebo:,} placebo estimates "
            f"({100 * placebo.share_as_extreme:.1f}%) are at least as large in absolute value."
        )
        if placebo.n_ranked < 20:
            verdict = (
                f"With only {placebo.n_placebo:,} placebo sets the check cannot say much: even the "
                f"most extreme estimate would rank 1st of {placebo.n_ranked:,}, a share of "
                f"1/{placebo.n_ranked:,}. Use a larger comparison group (more matched neighbours, "
                "or comparison='all') for a usable placebo distribution."
            )
        elif placebo.share_as_extreme >= 0.10:
            verdict = (
                "An estimate of this size is common among randomly chosen municipalities: these "
                "public aggregate statistics cannot tell a pilot effect apart from ordinary "
                "differences between municipalities."
            )
        else:
            verdict = (
                "Few random sets show a difference this large. This is a difference between "
                "municipalities in public aggregate statistics, not evidence that the pilot caused "
                "it: the pilot's clients are a small part of the population these figures cover, "
                "and other local changes happened at the same time."
            )
        summary["placebo_verdict"] = verdict
    notes = [
        "Exploratory: the pilot's own outcome figures (Kela register, AVAIN) are not public; these "
        "are municipal aggregates that include everyone, not only the pilot's clients.",
        "The pilot municipalities were not chosen at random, so the comparison group shows what "
        "happened elsewhere, not what would have happened in the pilot municipalities.",
        outcome.interpretation,
    ]
    if np.isfinite(projection) and abs(projection) >= 0.5 * abs(did.estimate):
        notes.append(
            "Parallel trends are doubtful here: the pre-period trend of the gap alone would produce "
            f"{format_number(projection, 2, signed=True)} of the {format_number(did.estimate, 2, signed=True)} estimate ({unit}); read the event "
            "study, not the single number."
        )
    if "851" in treated["municipality_code"].values:
        notes.append(
            "Tornio took part in 2018 only: its estimate uses only post years whose data contain "
            "2018 (post years used: "
            f"{_span(treated.set_index('municipality_code').at['851', 'post_years_used'])})."
        )
    if "680" in treated["municipality_code"].values:
        notes.append(pilot_timing()["680"].note)
    if p["weighting"] == "population":
        top = treated.sort_values("weight_share", ascending=False).head(2)
        largest = ", ".join(f"{r.name_fi} {100 * r.weight_share:.0f}%" for r in top.itertuples())
        notes.append(
            f"Weights: population on 31 Dec {REFERENCE_YEAR} (Sotkanet, 2022 division) for every "
            "municipality" + (f"; largest shares of the pilot group's weight: {largest}." if len(treated) > 1 else ".")
        )
    if outcome.id == "unemployment_rate":
        notes.append("Annual unemployment rates are means of monthly counts; 2020 covers January–October.")
    notes.extend(pool.notes)
    if placebo is not None:
        notes.extend(placebo.notes)
        notes.append(
            "The placebo distribution shows how much the same estimate varies when the 'pilot' is "
            "a random set of comparison municipalities; it is not a sampling confidence interval."
        )
    return numbers, summary, notes


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
    "ordinal",
    "periods_for",
    "pilot_context_2019",
    "pilot_timing",
    "run_pilot_analysis",
    "unit_exposure",
    "unit_post_years",
    "validate_pilot_parameters",
]
