"""Robustness of the pilot's difference-in-differences estimate: pure functions, no sentences.

Two layers:

* **Estimators** that know nothing about the pilot (long panel in, numbers out, the same DiD
  formula as :mod:`helpers.analysis.did`): :func:`leave_one_out`, :func:`placebo_in_time`,
  :func:`log_panel` / :func:`relative_effect` (the log, i.e. proportional, version),
  :func:`stratified_placebo` (placebo groups drawn within size or urban-rural strata),
  :func:`placebo_p_value` and :func:`placebo_interval` (the set of effects the placebo test does
  not reject), and the extra comparison pools :func:`size_band_pool` and
  :func:`level_matched_pool`.
* **The specification grid** of the pilot: :func:`specification_grid` lists plain parameter dicts
  (one per specification: JSON-native, so a papermill sweep can inject one dict per run);
  :func:`spec_result` turns one dict into one flat result record; :func:`summarise_specifications`
  summarises a list of records (shares by sign, share with placebo p < 0.1, medians, the curve's
  order) without recomputing any estimate.

Plugging into a batch engine: one run = one parameter dict -> one record. A lean papermill
template needs a parameters cell ``spec = {}`` (the injected dict from :func:`specification_grid`)
and one cell ``record = spec_result(spec)`` that stores ``record`` in the executed notebook (its
metadata or a glued output); the summary then reads the stored records back, and
``params_hash`` lets an engine skip a run whose parameters and record are unchanged.

Inference conventions, used everywhere in this module:

* Placebo estimates are compared **signed**, with **equal tails**: the two-sided placebo p-value
  of an estimate ``e`` against ``n`` placebo estimates ``x`` is
  ``min(1, 2 * (min(#{x <= e}, #{x >= e}) + 1) / (n + 1))``. No centre has to be chosen: the
  placebo distribution's own tails are used, so a distribution centred away from zero (about
  -0.15 points for the default unemployment specification) is respected, which ``|x| >= |e|`` is
  not. ``(k + 1) / (n + 1)`` counts the real estimate as one of the ``n + 1`` ranked values (the
  exact randomisation p-value); it is the only p-value formula here. "Placebo share" in the
  summaries means this p-value.
* The placebo interval inverts that test: under a constant additive effect ``tau`` in every
  treated unit the treated units' DiD is ``e - tau`` while the placebo estimates (drawn from the
  comparison pool, which excludes the pilot municipalities) do not depend on ``tau``; the interval
  is every ``tau`` whose p-value is at least ``alpha``. So ``0`` lies outside the interval exactly
  when ``p < alpha``. It runs from ``e`` minus the placebo distribution's upper quantile to ``e``
  minus its lower one, so it is centred on ``e - median(placebo)``, not on ``e``: when placebo
  groups drift (a non-zero median) the interval corrects for it.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers.data.municipalities import pilot_codes
from helpers.errors import ParameterError

from .comparison_groups import ComparisonPool, _greedy_match, comparison_pool, complete_units, matching_features
from .did import (
    _changes,
    _cohorts,
    _did_from_draws,
    _normalise_treated,
    _random_assignments,
    did_estimate,
    panel_matrix,
    unit_weights,
)

# Population size bands (31 Dec of the reference year), lower bounds inclusive. Statistics
# Finland's usual breaks; the pilot municipalities fall in 5-10k (Kemijärvi), 20-50k (Kangasala,
# Raisio, Tornio) and 100k+ (Kuopio, Tampere).
SIZE_BAND_BREAKS = (0, 5_000, 10_000, 20_000, 50_000, 100_000)
SIZE_BAND_LABELS = ("<5k", "5-10k", "10-20k", "20-50k", "50-100k", "100k+")
DEFAULT_ALPHA = 0.1  # placebo p below this counts as "distinguishable from placebo groups"


# --------------------------------------------------------------------------- inference


def placebo_p_value(estimate: float, placebo: Sequence[float] | np.ndarray) -> float:
    """Two-sided, equal-tailed placebo p-value ``min(1, 2 (min(L, U) + 1) / (n + 1))``.

    ``L`` = placebo estimates <= ``estimate``, ``U`` = placebo estimates >= ``estimate``
    (signed, no centring; see the module docstring). NaN without placebo estimates.
    """
    x = np.asarray(placebo, dtype=float)
    n = len(x)
    if n == 0 or not math.isfinite(estimate):
        return float("nan")
    low = int(np.count_nonzero(x <= estimate))
    high = int(np.count_nonzero(x >= estimate))
    return float(min(1.0, 2.0 * (min(low, high) + 1) / (n + 1)))


def placebo_interval(
    estimate: float, placebo: Sequence[float] | np.ndarray, alpha: float = DEFAULT_ALPHA
) -> tuple[float, float]:
    """The effects ``tau`` that the placebo test does not reject at ``alpha``.

    ``tau`` is not rejected when ``placebo_p_value(estimate - tau, placebo) >= alpha``, i.e. when
    ``estimate - tau`` lies in ``[x_(m), x_(n-m+1)]`` (order statistics, 1-based) with
    ``m = ceil(alpha (n + 1) / 2) - 1``; so the interval is ``[estimate - x_(n-m+1), estimate -
    x_(m)]``. With too few draws to reject anything (``m < 1``) it is ``(-inf, inf)``.
    """
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha={alpha!r} must be between 0 and 1, e.g. 0.1")
    x = np.sort(np.asarray(placebo, dtype=float))
    n = len(x)
    m = math.ceil(alpha * (n + 1) / 2 - 1e-12) - 1
    if n == 0 or m < 1:
        return float("-inf"), float("inf")
    return float(estimate - x[n - m]), float(estimate - x[m - 1])


# --------------------------------------------------------------------------- log version


def log_panel(panel: pd.DataFrame) -> pd.DataFrame:
    """The panel with ``value`` replaced by its natural log (the proportional version).

    A DiD on logs compares proportional changes: a common proportional fall (the same percentage
    everywhere) cancels, where in points it would make high-level places fall more. Values <= 0
    have no log and become gaps (NaN); ``attrs['non_positive']`` counts them, so the caller can
    say how many municipality-years were lost.
    """
    out = panel.copy()
    v = pd.to_numeric(out["value"]).astype(float)
    bad = v <= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        out["value"] = np.log(v.where(~bad))
    out.attrs["non_positive"] = int(bad.sum())
    out.attrs["non_positive_units"] = sorted(out.loc[bad, "municipality_code"].astype(str).unique())
    return out


def relative_effect(log_estimate: float) -> float:
    """A DiD in log points as a proportional effect in percent: ``100 (exp(x) - 1)``."""
    return 100.0 * math.expm1(log_estimate)


# --------------------------------------------------------------------------- leave one out


def leave_one_out(
    panel: pd.DataFrame,
    treated: Mapping[str, Sequence[int]] | Sequence[str],
    control: Sequence[str],
    pre_years: Sequence[int],
    post_years: Sequence[int],
    weighting: str = "population",
    weight_year: int | None = None,
    n_placebo: int = 0,
    seed: int | None = 2018,
    alpha: float = DEFAULT_ALPHA,
    strata: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """The DiD with each treated unit dropped in turn (and with none dropped, first row).

    ``DataFrame[dropped, n_treated, estimate, change_from_all, own_estimate]``: ``dropped`` is the
    code left out (``None`` for the full group), ``own_estimate`` the dropped unit's own DiD
    against the same comparison group (its row of the full estimate's ``unit_effects``). With
    ``n_placebo > 0`` also ``placebo_p``, ``interval_low``, ``interval_high`` from placebo groups of
    the reduced size drawn from ``control`` (within ``strata`` if given, see
    :func:`stratified_placebo`).
    """
    timing = _normalise_treated(treated, post_years)
    if len(timing) < 2:
        raise ParameterError("leave_one_out needs at least two treated units (one is left out each time)")
    full = did_estimate(panel, timing, control, pre_years, post_years, weighting, weight_year)
    own = full.unit_effects.set_index("municipality_code")["did"]
    rows = [(None, timing)] + [(code, {c: v for c, v in timing.items() if c != code}) for code in timing]
    out = []
    for dropped, sub in rows:
        est = did_estimate(panel, sub, control, pre_years, post_years, weighting, weight_year).estimate
        row = {
            "dropped": dropped,
            "n_treated": len(sub),
            "estimate": est,
            "change_from_all": est - full.estimate,
            "own_estimate": float(own[dropped]) if dropped is not None else float("nan"),
        }
        if n_placebo:
            pl = stratified_placebo(
                panel, sub, control, pre_years, post_years, n_placebo, seed, weighting, weight_year, strata
            )
            row["placebo_p"] = placebo_p_value(est, pl.estimates)
            row["interval_low"], row["interval_high"] = placebo_interval(est, pl.estimates, alpha)
        out.append(row)
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- placebo in time


def placebo_in_time(
    panel: pd.DataFrame,
    treated: Mapping[str, Sequence[int]] | Sequence[str],
    control: Sequence[str],
    pre_years: Sequence[int],
    post_years: Sequence[int],
    last_clean_year: int,
    shifts: Iterable[int] | None = None,
    weighting: str = "population",
    weight_year: int | None = None,
    n_placebo: int = 0,
    seed: int | None = 2018,
    alpha: float = DEFAULT_ALPHA,
    strata: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """The same design moved back in time: fake start years before the real one.

    For a shift ``-d`` (``d >= 1`` years) every pre year and every treated unit's post years move
    back by ``d``; post years after ``last_clean_year`` (the last time index whose data contain no
    treated year: 2017 for annual data, year_mid 2016 for 3-year windows) are cut off, so a fake
    post period never contains the real treatment. A unit left with no fake post year is dropped
    from that row. Shifts whose pre years would fall outside the panel are skipped; default: every
    shift that fits. The gap between pre- and post-period stays the one of the real design.

    ``DataFrame[shift, fake_start, pre_years, post_years, n_treated, estimate]`` (``post_years``:
    the union over units; ``fake_start`` its first year), ``weight_year`` moving with the shift when
    given; with ``n_placebo > 0`` also ``placebo_p``, ``interval_low``, ``interval_high`` (placebo
    groups within ``strata`` if given).
    A real step shortly before the real start shows up here as a fake estimate of similar size.
    """
    timing = _normalise_treated(treated, post_years)
    pre = sorted(int(y) for y in pre_years)
    first_post = min(min(v) for v in timing.values())
    years = set(int(y) for y in pd.to_numeric(panel["year"]).unique())
    if shifts is None:
        shifts = [-d for d in range(1, first_post - min(years) + 1)]
    out = []
    for shift in sorted({int(s) for s in shifts}, reverse=True):
        if shift >= 0:
            raise ParameterError(f"shift={shift}: a placebo in time moves the design back (shift < 0)")
        fake_pre = [y + shift for y in pre]
        fake = {c: tuple(y + shift for y in v if y + shift <= last_clean_year) for c, v in timing.items()}
        fake = {c: v for c, v in fake.items() if v}
        if not fake or not set(fake_pre) <= years:
            continue
        fake_post = sorted(set().union(*fake.values()))
        if max(fake_pre) >= min(fake_post):
            continue
        wy = None if weight_year is None else weight_year + shift
        est = did_estimate(panel, fake, control, fake_pre, fake_post, weighting, wy).estimate
        row = {
            "shift": shift,
            "fake_start": fake_post[0],
            "pre_years": fake_pre,
            "post_years": fake_post,
            "n_treated": len(fake),
            "estimate": est,
        }
        if n_placebo:
            pl = stratified_placebo(panel, fake, control, fake_pre, fake_post, n_placebo, seed, weighting, wy, strata)
            row["placebo_p"] = placebo_p_value(est, pl.estimates)
            row["interval_low"], row["interval_high"] = placebo_interval(est, pl.estimates, alpha)
        out.append(row)
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- stratified placebo


@dataclass
class StratifiedPlacebo:
    """Placebo DiD estimates from pseudo-treated groups drawn within strata."""

    estimates: np.ndarray  # (n_placebo,)
    strata: dict[str, int]  # treated code -> stratum its pseudo-treated stand-in was drawn from
    stratum_sizes: dict[int, int]  # stratum -> pool units available
    n_possible: int  # distinct pseudo-treated assignments (product over strata)
    seed: int | None
    notes: list[str] = field(default_factory=list)


def _merge_thin_strata(
    treated_strata: dict[str, int], pool_strata: dict[str, int]
) -> tuple[dict[str, int], dict[str, int], list[str]]:
    """Merge each stratum with too few pool units into its lower neighbour (the upper one for the
    lowest) until every stratum holds at least as many pool units as treated units; strata are
    ordered integers (size bands, urban-rural codes)."""
    t, p = dict(treated_strata), dict(pool_strata)
    notes: list[str] = []
    while True:
        need = pd.Series(t).value_counts()
        have = pd.Series(p, dtype="int64").value_counts()
        thin = [s for s in sorted(need.index) if have.get(s, 0) < need[s]]
        if not thin:
            return t, p, notes
        s = thin[0]
        present = sorted(set(t.values()) | set(p.values()))
        lower = [x for x in present if x < s]
        higher = [x for x in present if x > s]
        if not lower and not higher:
            raise ParameterError(
                f"the placebo pool has {len(p)} municipalities but the draw needs {len(t)}; use a larger comparison group"
            )
        into = lower[-1] if lower else higher[0]
        notes.append(f"stratum {s} has {have.get(s, 0)} pool units for {need[s]} treated; merged into {into}")
        t = {c: (into if v == s else v) for c, v in t.items()}
        p = {c: (into if v == s else v) for c, v in p.items()}


def stratified_placebo(
    panel: pd.DataFrame,
    treated: Mapping[str, Sequence[int]] | Sequence[str],
    pool: Sequence[str],
    pre_years: Sequence[int],
    post_years: Sequence[int],
    n_placebo: int = 1000,
    seed: int | None = 2018,
    weighting: str = "population",
    weight_year: int | None = None,
    strata: Mapping[str, int] | None = None,
) -> StratifiedPlacebo:
    """Placebo DiD estimates; each treated unit's stand-in drawn from its own stratum.

    ``strata`` maps every treated and pool code to an ordered integer stratum (e.g. the size band
    index from :func:`size_bands`); ``None`` puts everyone in one stratum (plain random placebo
    groups). Each draw picks, for every treated unit, a distinct pool unit of the same stratum,
    which inherits that unit's post years (so Tornio's one-year timing goes to a unit of
    Tornio's size); the rest of the pool is the draw's comparison group. A stratum with fewer pool
    units than treated units is merged into its neighbour (``notes`` says so). Same estimator as
    :func:`helpers.analysis.did.placebo_distribution` (pool totals minus the drawn units).
    """
    if isinstance(n_placebo, bool) or not isinstance(n_placebo, (int, np.integer)) or not 0 <= n_placebo <= 100_000:
        raise ParameterError(f"n_placebo={n_placebo!r} must be an integer in 0..100000")
    pre = sorted(int(y) for y in pre_years)
    timing = _normalise_treated(treated, post_years)
    pool = [str(c) for c in pool]
    inside = sorted(set(pool) & set(timing))
    if inside:
        raise ParameterError(f"treated municipalities {inside} are in the placebo pool; the pool must exclude them")
    if len(pool) <= len(timing):
        raise ParameterError(
            f"the placebo pool has {len(pool)} municipalities but each draw needs {len(timing)} pseudo-treated "
            "plus at least one comparison unit; use a larger comparison group"
        )
    weight_year = pre[-1] if weight_year is None else weight_year
    notes: list[str]
    if strata is None:
        t_strata, p_strata, notes = dict.fromkeys(timing, 0), dict.fromkeys(pool, 0), []
    else:
        missing = [c for c in list(timing) + pool if c not in strata]
        if missing:
            raise ParameterError(f"strata lacks municipalities {missing[:5]}; give a stratum for every code")
        t_strata, p_strata, notes = _merge_thin_strata(
            {c: int(strata[c]) for c in timing}, {c: int(strata[c]) for c in pool}
        )

    m = panel_matrix(panel)
    p_rows = m.rows(pool)
    cohorts, cohort_of = _cohorts(timing)
    _, _, change_all = _changes(m, pre, cohorts)
    change = change_all[:, p_rows]  # (G, P)
    if not np.isfinite(change).all():
        bad = [pool[i] for i in np.nonzero(~np.isfinite(change).all(axis=0))[0][:5]]
        raise ParameterError(f"placebo pool units {bad} lack values in the years used; drop them from the pool")
    w = unit_weights(m, p_rows, weighting, weight_year)
    wc_total = change * w
    sum_wc, sum_w = wc_total.sum(axis=1), w.sum()

    rng = np.random.default_rng(seed)
    t_codes = list(timing)
    idx = np.empty((n_placebo, len(t_codes)), dtype=int)
    n_possible, sizes = 1, {}
    pool_strata_arr = np.array([p_strata[c] for c in pool])
    for s in sorted(set(t_strata.values())):
        slots = [i for i, c in enumerate(t_codes) if t_strata[c] == s]
        members = np.nonzero(pool_strata_arr == s)[0]
        sizes[s] = len(members)
        n_possible *= math.perm(len(members), len(slots))
        if n_placebo:
            idx[:, slots] = members[_random_assignments(rng, n_placebo, len(members), len(slots))]
    if n_placebo == 0:
        est = np.empty(0)
    else:
        wt = w[idx]
        drawn = np.stack([wc_total[g][idx].sum(axis=1) for g in range(len(cohorts))], axis=1)
        control_mean = (sum_wc[None, :] - drawn) / (sum_w - wt.sum(axis=1))[:, None]
        est = _did_from_draws(change, w, idx, cohort_of, control_mean)
    for s, size in sizes.items():
        n_slots = sum(v == s for v in t_strata.values())
        if strata is not None and size < 10 * n_slots:
            notes.append(
                f"stratum {s}: {n_slots} treated unit(s) drawn from only {size} pool units "
                f"({math.perm(size, n_slots):,} ordered choices), so that part of the placebo distribution is coarse"
            )
    if n_possible < 20 * max(n_placebo, 1):
        notes.append(f"only {n_possible:,} distinct placebo assignments exist: draws repeat")
    return StratifiedPlacebo(est, t_strata, sizes, n_possible, seed, notes)


# --------------------------------------------------------------------------- pools and strata


def size_bands(population: Mapping[str, float] | pd.Series) -> dict[str, int]:
    """Size band index (0 = under 5,000 ... 5 = 100,000 and more; see ``SIZE_BAND_LABELS``)."""
    s = pd.Series(population, dtype=float)
    if s.isna().any() or (s <= 0).any():
        raise ParameterError(f"no positive population for {list(s[s.isna() | (s <= 0)].index[:5])}; cannot band them")
    return {str(c): int(np.searchsorted(SIZE_BAND_BREAKS, v, side="right") - 1) for c, v in s.items()}


def _reference_population(panel: pd.DataFrame, codes: Iterable[str], reference_year: int) -> pd.Series:
    m = panel_matrix(panel)
    rows = m.rows(codes)
    return pd.Series(m.population[rows, m.cols([reference_year], "reference_year")[0]], index=list(m.codes[rows]))


def size_band_pool(
    panel: pd.DataFrame,
    treated: Sequence[str],
    reference_year: int = 2017,
    *,
    exclude: Iterable[str] | None = None,
) -> ComparisonPool:
    """Non-treated municipalities with complete data in any population size band of the treated
    ones (population on 31 Dec of ``reference_year``)."""
    treated = [str(c) for c in treated]
    complete, incomplete = complete_units(panel, reference_year=reference_year)
    excluded = set(str(c) for c in (pilot_codes() if exclude is None else exclude)) | set(treated)
    lacking = [c for c in treated if c not in complete]
    if lacking:
        raise ParameterError(f"treated municipalities {lacking} lack complete data for this outcome")
    candidates = [c for c in complete if c not in excluded]
    bands = size_bands(_reference_population(panel, treated + candidates, reference_year))
    wanted = {bands[c] for c in treated}
    codes = sorted(c for c in candidates if bands[c] in wanted)
    if not codes:
        raise ParameterError("comparison='size_band': no candidate shares a size band with the treated units")
    labels = ", ".join(SIZE_BAND_LABELS[b] for b in sorted(wanted))
    return ComparisonPool(
        codes=codes,
        method="size_band",
        description=f"non-pilot municipalities in the treated municipalities' population size bands ({labels})",
        n_candidates=len(candidates),
        incomplete=[c for c in incomplete if c not in excluded],
        table=pd.DataFrame({"municipality_code": codes, "size_band": [SIZE_BAND_LABELS[bands[c]] for c in codes]}),
    )


def level_matched_pool(
    panel: pd.DataFrame,
    treated: Sequence[str],
    pre_years: Sequence[int],
    n_matched: int = 5,
    reference_year: int = 2017,
    *,
    exclude: Iterable[str] | None = None,
) -> ComparisonPool:
    """Nearest neighbours on pre-period LEVEL and log population only, ``n_matched`` per treated
    unit, greedy without replacement (as ``comparison_pool(method='matched')``).

    The pre-period trend is left out of the matching on purpose: it is the check of parallel
    trends afterwards, and a group matched on it passes that check by construction.
    """
    treated = [str(c) for c in treated]
    complete, incomplete = complete_units(panel, reference_year=reference_year)
    excluded = set(str(c) for c in (pilot_codes() if exclude is None else exclude)) | set(treated)
    candidates = [c for c in complete if c not in excluded]
    if n_matched * len(treated) > len(candidates):
        raise ParameterError(
            f"n_matched={n_matched} for {len(treated)} treated needs {n_matched * len(treated)} candidates; "
            f"only {len(candidates)} have complete data"
        )
    feats = matching_features(panel, treated + candidates, pre_years, reference_year)
    x = feats[["pre_level", "log_population"]].to_numpy(dtype=float)
    sd = x.std(axis=0)
    sd[sd == 0] = 1.0
    z = (x - x.mean(axis=0)) / sd
    zt, zc = z[: len(treated)], z[len(treated) :]
    dist = np.sqrt(((zt[:, None, :] - zc[None, :, :]) ** 2).sum(axis=2))
    matches = _greedy_match(dist, int(n_matched))
    table = pd.DataFrame(
        [
            {"municipality_code": candidates[j], "matched_to": treated[i], "match_rank": r, "distance": d}
            for i, j, r, d in matches
        ]
    ).sort_values(["matched_to", "match_rank"], ignore_index=True)
    return ComparisonPool(
        codes=sorted(table["municipality_code"]),
        method="matched_level",
        description=(
            f"nearest non-pilot municipalities on pre-period level and log population ({n_matched} per "
            "treated municipality, without replacement; not on the pre-trend)"
        ),
        n_candidates=len(candidates),
        incomplete=[c for c in incomplete if c not in excluded],
        table=table,
    )


# --------------------------------------------------------------------------- the specification grid

SPEC_COMPARISONS = ("all", "same_urban_rural_group", "same_region", "size_band", "matched_level")
SPEC_PRE_PERIODS = ("long", "default", "short", "last")
SPEC_WEIGHTINGS = ("population", "equal")
SPEC_SCALES = ("level", "log")
SPEC_PLACEBO_STRATA = ("urban_rural", "size_band", "none")
# Placebo groups are drawn within Statistics Finland's urban-rural groups by default: the pilot
# municipalities are five urban and one semi-urban, so plain random groups are mostly small rural
# municipalities. Size bands would match sizes more closely, but the 100k+ band holds only seven
# non-pilot cities for the two big pilot slots (Tampere, Kuopio: about 80 % of the population
# weight); in a check on fake start years (placebo in time: no pilot there, so about 10 % of
# p-values should fall below 0.1) size-band groups gave p < 0.1 for 22 % of 240 fake estimates,
# urban-rural groups for 12 %, plain random groups for 8 %. Every record also carries the plain
# random p-value.
SPEC_KEYS = (
    "spec_id",
    "outcome",
    "comparison",
    "pre_period",
    "pre_years",
    "post_years",
    "weighting",
    "scale",
    "n_placebo",
    "seed",
    "placebo_strata",
    "n_matched",
    "alpha",
)
SPEC_DEFAULTS = {
    "n_placebo": 1000,
    "seed": 2018,
    "placebo_strata": "urban_rural",
    "n_matched": 5,
    "alpha": DEFAULT_ALPHA,
}


def pre_period_variants(outcome_id: str) -> dict[str, list[int]]:
    """The grid's pre-periods of an outcome, all ending at its default last pre year ``L``:
    ``long`` (up to 8 years: ``max(first year, L-7)..L``), ``default`` (the outcome's default),
    ``short`` (``L-1..L``) and ``last`` (``L`` alone)."""
    from .outcomes import get_outcome

    o = get_outcome(outcome_id)
    last = max(o.default_pre_years)
    return {
        "long": list(range(max(o.years[0], last - 7), last + 1)),
        "default": sorted(o.default_pre_years),
        "short": [last - 1, last],
        "last": [last],
    }


def _spec_id(p: Mapping) -> str:
    return f"{p['outcome']}|{p['comparison']}|{p['pre_period']}|{p['weighting']}|{p['scale']}"


def specification_grid(
    outcomes: Sequence[str] | None = None, n_placebo: int = 1000, seed: int = 2018, placebo_strata: str = "urban_rural"
) -> list[dict]:
    """Every specification as a plain, JSON-native parameter dict (one papermill run each).

    outcomes (default: every supported one) x ``SPEC_COMPARISONS`` x ``SPEC_PRE_PERIODS`` x
    ``SPEC_WEIGHTINGS`` x ``SPEC_SCALES``; post years are each outcome's default. ``spec_id`` is
    unique and readable (``outcome|comparison|pre_period|weighting|scale``).
    """
    from .outcomes import OUTCOMES, get_outcome

    grid = []
    for oid in outcomes if outcomes is not None else list(OUTCOMES):
        o = get_outcome(oid)
        for comparison in SPEC_COMPARISONS:
            for name, pre in pre_period_variants(oid).items():
                for weighting in SPEC_WEIGHTINGS:
                    for scale in SPEC_SCALES:
                        p = {
                            "outcome": o.id,
                            "comparison": comparison,
                            "pre_period": name,
                            "pre_years": pre,
                            "post_years": list(o.default_post_years),
                            "weighting": weighting,
                            "scale": scale,
                            "n_placebo": int(n_placebo),
                            "seed": int(seed),
                            "placebo_strata": placebo_strata,
                            "n_matched": SPEC_DEFAULTS["n_matched"],
                            "alpha": DEFAULT_ALPHA,
                        }
                        grid.append({"spec_id": _spec_id(p), **p})
    return grid


def validate_spec(params: Mapping) -> dict:
    """One specification's parameters checked and filled in (ParameterError naming the problem)."""
    from .outcomes import OUTCOMES
    from .pilot import periods_for

    unknown = [k for k in params if k not in SPEC_KEYS]
    if unknown:
        raise ParameterError(f"unknown specification parameter {unknown[0]!r}; parameters: {list(SPEC_KEYS)}")
    p = {**SPEC_DEFAULTS, **dict(params)}
    if p.get("outcome") not in OUTCOMES:
        raise ParameterError(f"outcome={p.get('outcome')!r} is not a known outcome; choose one of {list(OUTCOMES)}")
    for key, allowed in (
        ("comparison", SPEC_COMPARISONS),
        ("weighting", SPEC_WEIGHTINGS),
        ("scale", SPEC_SCALES),
        ("placebo_strata", SPEC_PLACEBO_STRATA),
    ):
        if p.get(key) not in allowed:
            raise ParameterError(f"{key}={p.get(key)!r} is not allowed; choose one of {list(allowed)}")
    variants = pre_period_variants(p["outcome"])
    if p.get("pre_years") is None:
        if p.get("pre_period") not in variants:
            raise ParameterError(f"give pre_years or pre_period (one of {list(variants)})")
        p["pre_years"] = variants[p["pre_period"]]
    periods = periods_for(p["outcome"], p["pre_years"], p.get("post_years"))
    p["pre_years"], p["post_years"] = periods.pre_years, periods.post_years
    # the name always says which years were used ("custom" when they are none of the variants)
    p["pre_period"] = next((k for k, v in variants.items() if v == p["pre_years"]), "custom")
    for key in ("n_placebo", "seed", "n_matched"):
        if isinstance(p[key], bool) or not isinstance(p[key], (int, np.integer)) or p[key] < 0:
            raise ParameterError(f"{key}={p[key]!r} must be a non-negative whole number")
    if not 0 < float(p["alpha"]) < 1:
        raise ParameterError(f"alpha={p['alpha']!r} must be between 0 and 1")
    p.setdefault("spec_id", _spec_id(p))
    return p


def pilot_pool(
    outcome_id: str, comparison: str, pre_years: Sequence[int], n_matched: int = 5, codes: Sequence[str] | None = None
) -> ComparisonPool:
    """The comparison pool of one grid specification (chosen on the level panel, whatever the scale)."""
    from .outcomes import outcome_panel
    from .pilot import REFERENCE_YEAR

    panel = outcome_panel(outcome_id)
    codes = list(pilot_codes() if codes is None else codes)
    if comparison == "size_band":
        return size_band_pool(panel, codes, REFERENCE_YEAR)
    if comparison == "matched_level":
        return level_matched_pool(panel, codes, pre_years, n_matched, REFERENCE_YEAR)
    return comparison_pool(panel, codes, comparison, n_matched, pre_years, REFERENCE_YEAR)


def placebo_strata_for(codes: Iterable[str], how: str) -> dict[str, int] | None:
    """Strata for :func:`stratified_placebo`: size band (population 31 Dec 2017), Statistics
    Finland's urban-rural group (2017 classification), or ``None`` for ``how='none'``."""
    from .pilot import REFERENCE_YEAR

    codes = [str(c) for c in codes]
    if how == "none":
        return None
    if how == "size_band":
        from .outcomes import population_table

        pop = population_table()
        population = pop[pop["year"] == REFERENCE_YEAR].set_index("municipality_code")["population"]
        return size_bands(population.reindex(codes))
    if how == "urban_rural":
        from helpers.data import municipalities as muni

        ref = muni.reference(REFERENCE_YEAR).set_index("municipality_code")["urban_rural_code"]
        order = {k: i for i, k in enumerate(sorted(ref.astype(str).unique()))}
        return {c: order[str(ref[c])] for c in codes}
    raise ParameterError(f"placebo_strata={how!r} is not allowed; choose one of {list(SPEC_PLACEBO_STRATA)}")


def pilot_checks(params: Mapping) -> dict[str, pd.DataFrame]:
    """Leave-one-out and placebo in time for one grid specification (pilot timing, its pool,
    scale and placebo strata): ``{"leave_one_out": ..., "placebo_in_time": ...}`` as returned by
    :func:`leave_one_out` and :func:`placebo_in_time` (with placebo p-values and intervals, fake
    post years ending before the first window that contains a pilot year)."""
    p = validate_spec(params)
    from .outcomes import get_outcome, outcome_panel
    from .pilot import LAST_PRE_PILOT_YEAR, REFERENCE_YEAR, pilot_timing, unit_post_years

    outcome = get_outcome(p["outcome"])
    codes = list(pilot_timing())
    timing = {c: unit_post_years(c, outcome, p["post_years"]) for c in codes}
    pool = pilot_pool(outcome.id, p["comparison"], p["pre_years"], int(p["n_matched"]), codes)
    panel = outcome_panel(outcome.id)
    panel = panel[panel["municipality_code"].isin(set(codes) | set(pool.codes))]
    if p["scale"] == "log":
        panel = log_panel(panel)
    control = [c for c in pool.codes if panel.loc[panel["municipality_code"] == c, "value"].notna().all()]
    strata = placebo_strata_for(codes + control, p["placebo_strata"])
    common = {
        "weighting": p["weighting"],
        "weight_year": REFERENCE_YEAR,
        "n_placebo": int(p["n_placebo"]),
        "seed": int(p["seed"]),
        "alpha": float(p["alpha"]),
        "strata": strata,
    }
    return {
        "leave_one_out": leave_one_out(panel, timing, control, p["pre_years"], p["post_years"], **common),
        "placebo_in_time": placebo_in_time(
            panel,
            timing,
            control,
            p["pre_years"],
            p["post_years"],
            LAST_PRE_PILOT_YEAR - outcome.window[1],
            **common,
        ),
    }


def _native(x: object) -> object:
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating, float)):
        return float(x) if math.isfinite(float(x)) else None
    return x


def spec_result(params: Mapping) -> dict:
    """One specification computed: a flat, JSON-native record (one run of the sweep).

    Fields: the validated parameters, ``estimate`` (points, or log points for ``scale='log'``),
    ``estimate_relative_pct`` (log only: ``100 (exp(estimate) - 1)``), ``unit``,
    ``n_treated``, ``n_comparison``, ``placebo_p`` (equal-tailed, ``(k+1)/(n+1)``, placebo groups
    drawn within ``placebo_strata``), ``placebo_p_unstratified`` (the same with plain random groups), ``interval_low`` / ``interval_high`` (the effects not rejected
    at ``alpha``), ``placebo_median``, ``placebo_n``, ``placebo_distinct``, ``n_dropped_log``
    (comparison units without a log), ``notes``, ``seconds`` and ``params_hash``.
    """
    t0 = time.perf_counter()
    p = validate_spec(params)
    from .outcomes import get_outcome, outcome_panel
    from .pilot import REFERENCE_YEAR, pilot_timing, unit_post_years

    outcome = get_outcome(p["outcome"])
    codes = list(pilot_timing())
    timing = {c: unit_post_years(c, outcome, p["post_years"]) for c in codes}
    pool = pilot_pool(outcome.id, p["comparison"], p["pre_years"], int(p["n_matched"]), codes)
    panel = outcome_panel(outcome.id)
    panel = panel[panel["municipality_code"].isin(set(codes) | set(pool.codes))]
    notes = list(pool.notes)
    control = list(pool.codes)
    dropped = 0
    if p["scale"] == "log":
        panel = log_panel(panel)
        used = set(p["pre_years"]) | set(p["post_years"])
        lost = panel[panel["value"].isna() & panel["year"].isin(used)]["municipality_code"].unique()
        if set(lost) & set(codes):
            raise ParameterError(f"treated municipalities {sorted(set(lost) & set(codes))} have values <= 0: no log")
        control = [c for c in control if c not in set(lost)]
        dropped = len(pool.codes) - len(control)
        if dropped:
            notes.append(f"{dropped} comparison municipalities with a value <= 0 in the years used have no log")
    did = did_estimate(panel, timing, control, p["pre_years"], p["post_years"], p["weighting"], REFERENCE_YEAR)
    strata = placebo_strata_for(codes + control, p["placebo_strata"])
    pl = stratified_placebo(
        panel,
        timing,
        control,
        p["pre_years"],
        p["post_years"],
        int(p["n_placebo"]),
        int(p["seed"]),
        p["weighting"],
        REFERENCE_YEAR,
        strata,
    )
    notes.extend(pl.notes)
    # the plain random placebo too, so the effect of stratifying can be read off every record
    plain = (
        pl
        if strata is None
        else stratified_placebo(
            panel,
            timing,
            control,
            p["pre_years"],
            p["post_years"],
            int(p["n_placebo"]),
            int(p["seed"]),
            p["weighting"],
            REFERENCE_YEAR,
            None,
        )
    )
    lo, hi = placebo_interval(did.estimate, pl.estimates, float(p["alpha"])) if len(pl.estimates) else (None, None)
    unit = (
        "log points"
        if p["scale"] == "log"
        else ("percentage points" if outcome.unit.startswith("%") else "index points")
    )
    record = {
        **{k: p[k] for k in SPEC_KEYS},
        "estimate": did.estimate,
        "estimate_relative_pct": relative_effect(did.estimate) if p["scale"] == "log" else None,
        "unit": unit,
        "n_treated": did.n_treated,
        "n_comparison": did.n_control,
        "placebo_p": placebo_p_value(did.estimate, pl.estimates),
        "placebo_p_unstratified": placebo_p_value(did.estimate, plain.estimates),
        "interval_low": lo,
        "interval_high": hi,
        "placebo_median": float(np.median(pl.estimates)) if len(pl.estimates) else None,
        "placebo_n": len(pl.estimates),
        "placebo_distinct": pl.n_possible,
        "n_dropped_log": dropped,
        "notes": notes,
    }
    record["params_hash"] = hashlib.sha256(
        json.dumps({k: p[k] for k in SPEC_KEYS}, sort_keys=True).encode()
    ).hexdigest()[:16]
    record = {k: _native(v) for k, v in record.items()}
    record["seconds"] = time.perf_counter() - t0
    return record


def summarise_specifications(records: Sequence[Mapping], alpha: float = DEFAULT_ALPHA) -> dict:
    """Summary of result records (from :func:`spec_result`, e.g. read back from executed notebooks).

    Returns ``{"overall": {...}, "by_outcome": DataFrame, "curve": DataFrame}``:

    * ``overall``: ``n_specifications``, ``n_negative`` / ``n_positive`` / ``n_zero`` and their
      shares, ``share_placebo_p_below`` (``placebo_p < alpha``), the same among negative and
      positive estimates, ``n_outcomes``; a negative estimate is the favourable direction for every
      outcome here (higher = more unemployment, disadvantage or social assistance);
    * ``by_outcome``: one row per outcome and scale: counts, shares by sign, share with
      ``placebo_p < alpha``, median, min and max estimate (estimates in different units are never
      pooled into one median);
    * ``curve``: the records sorted by estimate within outcome and scale (``rank`` 1 = most
      negative), with the interval and the specification columns for the panel below the curve.
    """
    if not records:
        raise ParameterError("no specification records to summarise; run the sweep first")
    df = pd.DataFrame([dict(r) for r in records])
    need = {"spec_id", "outcome", "scale", "estimate", "placebo_p"}
    if not need <= set(df.columns):
        raise ParameterError(f"records lack fields {sorted(need - set(df.columns))}; give spec_result records")
    dup = df["spec_id"].duplicated()
    if dup.any():
        raise ParameterError(f"duplicate spec_id {df.loc[dup, 'spec_id'].iloc[0]!r}: one record per specification")
    est = df["estimate"].astype(float)
    sig = df["placebo_p"].astype(float) < alpha
    n = len(df)
    overall = {
        "n_specifications": n,
        "n_outcomes": int(df["outcome"].nunique()),
        "n_negative": int((est < 0).sum()),
        "n_positive": int((est > 0).sum()),
        "n_zero": int((est == 0).sum()),
        "share_negative": float((est < 0).mean()),
        "share_positive": float((est > 0).mean()),
        "n_placebo_p_below": int(sig.sum()),
        "share_placebo_p_below": float(sig.mean()),
        "share_placebo_p_unstratified_below": (
            float((df["placebo_p_unstratified"].astype(float) < alpha).mean())
            if "placebo_p_unstratified" in df.columns
            else None
        ),
        "share_negative_and_p_below": float(((est < 0) & sig).mean()),
        "share_positive_and_p_below": float(((est > 0) & sig).mean()),
        "alpha": alpha,
    }
    rows = []
    for (oid, scale), g in df.groupby(["outcome", "scale"], sort=True):
        e = g["estimate"].astype(float)
        s = g["placebo_p"].astype(float) < alpha
        rows.append(
            {
                "outcome": oid,
                "scale": scale,
                "n": len(g),
                "share_negative": float((e < 0).mean()),
                "share_positive": float((e > 0).mean()),
                "share_placebo_p_below": float(s.mean()),
                "median_estimate": float(e.median()),
                "min_estimate": float(e.min()),
                "max_estimate": float(e.max()),
            }
        )
    curve = df.sort_values(["outcome", "scale", "estimate", "spec_id"], ignore_index=True)
    curve["rank"] = curve.groupby(["outcome", "scale"]).cumcount() + 1
    curve["placebo_p_below"] = curve["placebo_p"].astype(float) < alpha
    cols = [
        c
        for c in (
            "outcome",
            "scale",
            "rank",
            "spec_id",
            "estimate",
            "interval_low",
            "interval_high",
            "placebo_p",
            "placebo_p_below",
            "comparison",
            "pre_period",
            "weighting",
            "n_comparison",
        )
        if c in curve.columns
    ]
    return {"overall": overall, "by_outcome": pd.DataFrame(rows), "curve": curve[cols]}
