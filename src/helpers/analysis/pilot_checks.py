"""Checks of one pilot run, and the same run for every outcome: numbers only, no sentences.

* :func:`run_checks` (one :class:`~helpers.analysis.pilot.PilotAnalysis`): the signed,
  equal-tailed placebo p-value of the estimate (:func:`helpers.analysis.robustness.placebo_p_value`),
  the estimate split through the event study into the part before the base year and the part
  after it (:func:`event_step`), the estimate with the last pre-period year alone, the placebo in
  time (the design moved back to the nearest fake start that fits) and leave-one-out.
* :func:`outcome_overview`: the same municipalities, comparison method and weighting for every
  outcome of the registry with its default periods, plus the size-band comparison group; one row
  per outcome.
* :func:`change_by_size_band`: how much an annual outcome moved between two years in each
  population size band (the Kela transfer of 2017 in the families-with-children series), and how
  the pilot and comparison groups' weights spread over the bands.

Every p-value here is the robustness layer's one rule: two-sided, equal-tailed, signed,
``min(1, 2 (min(L, U) + 1) / (n + 1))``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.errors import ParameterError

from . import robustness as rb
from .did import did_estimate, placebo_distribution
from .outcomes import OUTCOMES, get_outcome, outcome_panel, population_table
from .pilot import LAST_PRE_PILOT_YEAR, REFERENCE_YEAR, PilotAnalysis, analyse, unit_post_years
from .pilot_parameters import validate_pilot_parameters


@dataclass(frozen=True)
class PlaceboTails:
    """Where the estimate falls among the placebo estimates (signed, no centring)."""

    n_placebo: int
    n_at_or_below: int  # placebo estimates <= the estimate
    n_at_or_above: int  # placebo estimates >= the estimate
    p_value: float  # min(1, 2 (min(below, above) + 1) / (n + 1))
    median: float

    @property
    def tail(self) -> str:
        """The tail the estimate lies in: "low" when fewer placebo estimates are at or below it."""
        return "low" if self.n_at_or_below <= self.n_at_or_above else "high"

    @property
    def n_in_tail(self) -> int:
        return min(self.n_at_or_below, self.n_at_or_above)


def placebo_tails(estimate: float, placebo: Sequence[float] | np.ndarray) -> PlaceboTails:
    x = np.asarray(placebo, dtype=float)
    return PlaceboTails(
        n_placebo=len(x),
        n_at_or_below=int(np.count_nonzero(x <= estimate)),
        n_at_or_above=int(np.count_nonzero(x >= estimate)),
        p_value=rb.placebo_p_value(estimate, x),
        median=float(np.median(x)) if len(x) else math.nan,
    )


def in_estimate_tail(estimate: float, placebo: Sequence[float] | np.ndarray) -> np.ndarray:
    """Mask of the placebo estimates in the estimate's own tail (at or beyond it on its side)."""
    x = np.asarray(placebo, dtype=float)
    t = placebo_tails(estimate, x)
    return x <= estimate if t.tail == "low" else x >= estimate


@dataclass(frozen=True)
class EventStep:
    """The DiD estimate read through the event study (gaps relative to ``base_year``).

    With every treated unit in every post year, ``estimate = mean(post gaps) - mean(pre gaps)``
    (the base year's gap is 0 by construction and counts among the pre gaps), so the estimate
    splits into ``before_base = -mean(pre gaps)`` (how far the gap had already moved by the base
    year, before the pilot) and ``after_base = mean(post gaps)``. ``earlier_pre_mean`` is the mean
    gap of the pre years other than the base year.
    """

    base_year: int
    earlier_pre_years: tuple[int, ...]
    earlier_pre_mean: float
    post_mean: float
    before_base: float
    after_base: float


def event_step(event: pd.DataFrame, pre_years: Sequence[int], post_years: Sequence[int], base_year: int) -> EventStep:
    gaps = event.set_index("year")["relative_to_base"]
    pre = [int(y) for y in pre_years]
    earlier = tuple(y for y in pre if y != base_year)
    post_mean = float(gaps.loc[list(post_years)].mean())
    return EventStep(
        base_year=int(base_year),
        earlier_pre_years=earlier,
        earlier_pre_mean=float(gaps.loc[list(earlier)].mean()) if earlier else math.nan,
        post_mean=post_mean,
        before_base=-float(gaps.loc[pre].mean()),
        after_base=post_mean,
    )


@dataclass
class PilotChecks:
    """The checks of one run (see the module docstring)."""

    tails: PlaceboTails | None
    step: EventStep
    last_pre_year: dict  # pre_years, estimate, placebo_p (None without placebo draws)
    fake_start: dict | None  # shift, fake_start, pre_years, post_years, estimate, placebo_p; None if none fits
    leave_one_out: pd.DataFrame | None  # rb.leave_one_out with names; None for a single treated unit
    largest_drop: dict | None  # the leave-one-out row that moves the estimate most


def _design(analysis: PilotAnalysis) -> tuple[pd.DataFrame, dict[str, list[int]], list[str]]:
    p = analysis.parameters
    outcome = analysis.outcome
    codes = list(p["municipalities"])
    control = list(analysis.comparison.codes)
    panel = outcome_panel(outcome.id)
    panel = panel[panel["municipality_code"].isin(set(codes) | set(control))]
    timing = {c: unit_post_years(c, outcome, analysis.periods.post_years) for c in codes}
    return panel, timing, control


def _placebo_p(panel, timing, control, pre, post, p: Mapping, estimate: float) -> float | None:
    if not p["n_placebo"]:
        return None
    pl = placebo_distribution(
        panel, timing, control, pre, post, p["n_placebo"], p["seed"], p["weighting"], REFERENCE_YEAR
    )
    return rb.placebo_p_value(estimate, pl.estimates)


def run_checks(analysis: PilotAnalysis) -> PilotChecks:
    """The checks of one analysed run (its municipalities, comparison group, periods, weighting, seed)."""
    p = analysis.parameters
    outcome = analysis.outcome
    panel, timing, control = _design(analysis)
    pre, post = analysis.periods.pre_years, analysis.periods.post_years
    est = analysis.did.estimate
    tails = placebo_tails(est, analysis.placebo.estimates) if analysis.placebo is not None else None
    step = event_step(analysis.event_study, pre, post, p["base_year"])

    last = [max(pre)]
    last_est = did_estimate(panel, timing, control, last, post, p["weighting"], REFERENCE_YEAR).estimate
    last_pre = {
        "pre_years": last,
        "estimate": last_est,
        "placebo_p": _placebo_p(panel, timing, control, last, post, p, last_est),
    }

    # the nearest fake start whose fake post years contain no pilot year
    fake = rb.placebo_in_time(
        panel,
        timing,
        control,
        pre,
        post,
        LAST_PRE_PILOT_YEAR - outcome.window[1],
        shifts=range(-1, -6, -1),
        weighting=p["weighting"],
        weight_year=REFERENCE_YEAR,
    )
    fake_start = None
    if len(fake):
        row = fake.iloc[0]
        fake_timing = {
            c: [y + int(row["shift"]) for y in v if y + int(row["shift"]) <= LAST_PRE_PILOT_YEAR - outcome.window[1]]
            for c, v in timing.items()
        }
        fake_timing = {c: v for c, v in fake_timing.items() if v}
        wy = REFERENCE_YEAR + int(row["shift"])
        fake_p = None
        if p["n_placebo"]:
            pl = placebo_distribution(
                panel,
                fake_timing,
                control,
                list(row["pre_years"]),
                list(row["post_years"]),
                p["n_placebo"],
                p["seed"],
                p["weighting"],
                wy,
            )
            fake_p = rb.placebo_p_value(float(row["estimate"]), pl.estimates)
        fake_start = {
            "shift": int(row["shift"]),
            "fake_start": int(row["fake_start"]),
            "pre_years": [int(y) for y in row["pre_years"]],
            "post_years": [int(y) for y in row["post_years"]],
            "estimate": float(row["estimate"]),
            "placebo_p": fake_p,
        }

    loo, largest = None, None
    if len(timing) >= 2:
        loo = rb.leave_one_out(panel, timing, control, pre, post, p["weighting"], REFERENCE_YEAR)
        loo["name_fi"] = loo["dropped"].map(lambda c: analysis.names.get(c, ("", ""))[0] if c else None)
        rest = loo[loo["dropped"].notna()].reset_index(drop=True)
        top = rest.iloc[int(np.argmax(rest["change_from_all"].abs().to_numpy()))]
        largest = {
            "dropped": str(top["dropped"]),
            "name_fi": str(top["name_fi"]),
            "estimate": float(top["estimate"]),
            "change_from_all": float(top["change_from_all"]),
            "own_estimate": float(top["own_estimate"]),
            "sign_flips": bool(np.sign(top["estimate"]) != np.sign(est)),
        }
    return PilotChecks(tails, step, last_pre, fake_start, loo, largest)


def _run(params: Mapping, outcome_id: str, comparison: str) -> PilotAnalysis:
    given = {**dict(params), "outcome": outcome_id, "comparison": comparison}
    given.update(pre_years=None, post_years=None, base_year=None)
    return analyse(validate_pilot_parameters(given))


def outcome_overview(params: Mapping) -> pd.DataFrame:
    """Every outcome with the run's municipalities, comparison method, weighting and placebo draws,
    at its default periods (base year: the last pre-period year); one row per outcome.

    Columns: ``outcome``, ``label``, ``unit``, ``pre_years``, ``post_years``, ``estimate``,
    ``placebo_p``, ``placebo_median``, ``before_base`` / ``after_base`` (:class:`EventStep`),
    ``last_pre_estimate`` / ``last_pre_p``, ``fake_start`` / ``fake_estimate`` / ``fake_p``,
    ``loo_name`` / ``loo_estimate`` (the unit whose removal moves the estimate most),
    ``size_band_estimate`` / ``size_band_p`` (comparison group: non-pilot municipalities in the
    pilot municipalities' size bands; NaN when that group is too small for the draws), ``note``
    (why a row is empty: e.g. a municipality without data for that outcome).
    """
    rows = []
    for oid, outcome in OUTCOMES.items():
        row: dict[str, object] = {"outcome": oid, "label": outcome.label, "unit": outcome.unit, "note": ""}
        try:
            a = _run(params, oid, params["comparison"])
        except ParameterError as err:
            row["note"] = str(err)
            rows.append(row)
            continue
        c = run_checks(a)
        row.update(
            pre_years=list(a.periods.pre_years),
            post_years=list(a.periods.post_years),
            time_variable=outcome.time_variable,
            estimate=a.did.estimate,
            placebo_p=c.tails.p_value if c.tails else math.nan,
            placebo_median=c.tails.median if c.tails else math.nan,
            before_base=c.step.before_base,
            after_base=c.step.after_base,
            base_year=c.step.base_year,
            last_pre_estimate=c.last_pre_year["estimate"],
            last_pre_p=c.last_pre_year["placebo_p"],
            fake_start=c.fake_start["fake_start"] if c.fake_start else None,
            fake_estimate=c.fake_start["estimate"] if c.fake_start else math.nan,
            fake_p=c.fake_start["placebo_p"] if c.fake_start else None,
            loo_name=c.largest_drop["name_fi"] if c.largest_drop else None,
            loo_estimate=c.largest_drop["estimate"] if c.largest_drop else math.nan,
        )
        row.update(_size_band_row(a))
        rows.append(row)
    return pd.DataFrame(rows)


def _size_band_row(a: PilotAnalysis) -> dict:
    p = a.parameters
    codes = list(p["municipalities"])
    full = outcome_panel(a.outcome.id)
    try:
        pool = rb.size_band_pool(full, codes, REFERENCE_YEAR)
    except ParameterError:
        return {"size_band_estimate": math.nan, "size_band_p": None, "size_band_n": 0}
    panel = full[full["municipality_code"].isin(set(codes) | set(pool.codes))]
    timing = {c: unit_post_years(c, a.outcome, a.periods.post_years) for c in codes}
    pre, post = a.periods.pre_years, a.periods.post_years
    est = did_estimate(panel, timing, pool.codes, pre, post, p["weighting"], REFERENCE_YEAR).estimate
    pval = _placebo_p(panel, timing, pool.codes, pre, post, p, est) if len(pool) > len(codes) else None
    return {"size_band_estimate": est, "size_band_p": pval, "size_band_n": len(pool)}


def change_by_size_band(
    outcome_id: str,
    from_year: int,
    to_year: int,
    treated: Sequence[str] | None = None,
    control: Sequence[str] | None = None,
    reference_year: int = REFERENCE_YEAR,
) -> pd.DataFrame:
    """Population-weighted mean change of an annual outcome from ``from_year`` to ``to_year`` by
    population size band (population on 31 Dec of ``reference_year``), over every municipality
    with both values.

    ``DataFrame[size_band, band_label, n_municipalities, change, treated_weight_share,
    control_weight_share]``: the last two say how the population weights of ``treated`` and
    ``control`` (codes; empty columns when not given) spread over the bands. ``attrs`` holds
    ``treated_change`` and ``control_change`` (the two groups' own weighted changes) and
    ``mix_change`` (the treated-minus-control difference the band changes alone imply:
    ``sum_b (treated share_b - control share_b) x change_b``).
    """
    outcome = get_outcome(outcome_id)
    if outcome.time_variable != "year":
        raise ParameterError(f"change_by_size_band needs an annual outcome; {outcome_id!r} is {outcome.time_variable}")
    missing = [y for y in (from_year, to_year) if y not in outcome.years]
    if missing:
        raise ParameterError(f"years {missing} are outside {outcome_id}'s data {outcome.years[0]}–{outcome.years[-1]}")
    wide = outcome_panel(outcome_id).pivot(index="municipality_code", columns="year", values="value")
    change = (wide[to_year] - wide[from_year]).dropna()
    pop = population_table()
    weight = pop[pop["year"] == reference_year].set_index("municipality_code")["population"]
    change = change[change.index.isin(weight.index)]
    bands = pd.Series(rb.size_bands(weight.reindex(change.index)))
    frame = pd.DataFrame({"change": change, "weight": weight.reindex(change.index), "band": bands})

    def share(codes: Sequence[str] | None) -> pd.Series:
        if codes is None:
            return pd.Series(np.nan, index=range(len(rb.SIZE_BAND_LABELS)))
        g = frame.reindex([str(c) for c in codes]).dropna()
        return (
            g.groupby("band")["weight"].sum().reindex(range(len(rb.SIZE_BAND_LABELS)), fill_value=0.0)
            / g["weight"].sum()
        )

    def weighted(codes: Sequence[str] | None) -> float:
        if codes is None:
            return math.nan
        g = frame.reindex([str(c) for c in codes]).dropna()
        return float(np.average(g["change"], weights=g["weight"]))

    frame["weighted_change"] = frame["change"] * frame["weight"]
    sums = frame.groupby("band")[["weighted_change", "weight"]].sum()
    by_band = pd.DataFrame(
        {
            "n_municipalities": frame.groupby("band").size(),
            "change": sums["weighted_change"] / sums["weight"],
        }
    )
    t_share, c_share = share(treated), share(control)
    out = pd.DataFrame(
        {
            "size_band": list(range(len(rb.SIZE_BAND_LABELS))),
            "band_label": list(rb.SIZE_BAND_LABELS),
        }
    )
    out["n_municipalities"] = out["size_band"].map(by_band["n_municipalities"]).fillna(0).astype(int)
    out["change"] = out["size_band"].map(by_band["change"])
    out["treated_weight_share"] = out["size_band"].map(t_share)
    out["control_weight_share"] = out["size_band"].map(c_share)
    out.attrs["treated_change"] = weighted(treated)
    out.attrs["control_change"] = weighted(control)
    diff = (out["treated_weight_share"] - out["control_weight_share"]) * out["change"]
    out.attrs["mix_change"] = float(diff.sum()) if treated is not None and control is not None else math.nan
    return out


TRANSFER_OUTCOME = "families_social_assistance_pct"  # the one annual municipal social-assistance series through 2017
TRANSFER_YEAR = 2017  # basic social assistance moved from the municipalities to Kela on 1 Jan 2017


def transfer_check(params: Mapping) -> pd.DataFrame | None:
    """The 2016-2017 change of the families-with-children series by size band
    (:func:`change_by_size_band`), with the run's municipalities as ``treated`` and, as
    ``control``, the comparison group the run's method gives for that series at its default
    pre-period; None when a run's municipality has no complete families series."""
    from .comparison_groups import comparison_pool
    from .pilot_timing import periods_for

    codes = list(params["municipalities"])
    periods = periods_for(TRANSFER_OUTCOME, None, None, codes)
    try:
        pool = comparison_pool(
            outcome_panel(TRANSFER_OUTCOME),
            codes,
            params["comparison"],
            params["n_matched"],
            periods.pre_years,
            REFERENCE_YEAR,
        )
    except ParameterError:
        return None
    return change_by_size_band(TRANSFER_OUTCOME, TRANSFER_YEAR - 1, TRANSFER_YEAR, codes, pool.codes)
