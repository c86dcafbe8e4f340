"""Difference-in-differences, event study and placebo inference on a municipality panel.

Pure functions on a long panel ``DataFrame[municipality_code, year, value, population]``
(``year`` is the outcome's time index: the calendar year, or ``year_mid`` for 3-year centred
means). Nothing here loads data or knows about the pilot: the caller says which units are treated,
which years are pre and post for each treated unit, and which units form the comparison group.

Estimator (one formula everywhere, so the pilot's estimate and each placebo estimate are computed
by the same code):

* each unit's change  ``c_u = mean(y_u, post years of u's timing) - mean(y_u, pre years)``
  (years weighted equally);
* treated units may have different post years (Tornio was in the pilot in 2018 only). Units that
  share the same post years form a *timing cohort* ``g``; the comparison change for cohort ``g`` is
  the weighted mean of ``c`` over the comparison units computed over cohort ``g``'s post years;
* ``DiD = sum_u w_u (c_u - cbar_{g(u)}) / sum_u w_u`` over treated units ``u``.

With one cohort this is the textbook 2x2 ``(T_post - T_pre) - (C_post - C_pre)``. Weights ``w``
are the population on 31 Dec of ``weight_year`` (``weighting="population"``) or 1
(``weighting="equal"``); the same weights are used for the treated mean and the comparison mean.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers.errors import ParameterError

WEIGHTINGS = ("population", "equal")
PANEL_COLUMNS = ("municipality_code", "year", "value", "population")
# Placebo draws are processed in chunks of this many so memory stays ~ chunk x pool floats.
PLACEBO_CHUNK = 20_000
# |estimate| differences below this count as ties when ranking ("at least as extreme").
TIE_TOLERANCE = 1e-9


# --------------------------------------------------------------------------- panel helpers


@dataclass(frozen=True)
class PanelMatrix:
    """A long panel as a unit-by-year matrix (rows: ``codes``, columns: ``years``)."""

    codes: np.ndarray  # (N,) object array of municipality codes, sorted
    years: np.ndarray  # (T,) int array, sorted
    values: np.ndarray  # (N, T) float, NaN where missing
    population: np.ndarray  # (N, T) float, NaN where missing

    def rows(self, codes: Iterable[str]) -> np.ndarray:
        """Row positions of ``codes`` (ParameterError naming codes not in the panel)."""
        index = {c: i for i, c in enumerate(self.codes)}
        codes = list(codes)
        missing = [c for c in codes if c not in index]
        if missing:
            raise ParameterError(
                f"municipality codes {missing} are not in the outcome panel "
                f"({len(self.codes)} municipalities); choose municipalities that have data for this outcome"
            )
        return np.array([index[c] for c in codes], dtype=int)

    def cols(self, years: Iterable[int], what: str = "years") -> np.ndarray:
        index = {int(y): j for j, y in enumerate(self.years)}
        years = [int(y) for y in years]
        missing = [y for y in years if y not in index]
        if missing:
            raise ParameterError(
                f"{what} {missing} are outside the panel's years "
                f"{int(self.years.min())}–{int(self.years.max())}; choose years inside the data"
            )
        return np.array([index[y] for y in years], dtype=int)


def panel_matrix(panel: pd.DataFrame) -> PanelMatrix:
    """Pivot a long panel to a :class:`PanelMatrix` (duplicates are an error, not averaged)."""
    missing_cols = [c for c in ("municipality_code", "year", "value") if c not in panel.columns]
    if missing_cols:
        raise ParameterError(f"panel lacks columns {missing_cols}; expected columns {list(PANEL_COLUMNS)}")
    df = panel.copy()
    if "population" not in df.columns:
        df["population"] = np.nan
    df["municipality_code"] = df["municipality_code"].astype(str)
    df["year"] = df["year"].astype(int)
    dup = df.duplicated(["municipality_code", "year"])
    if dup.any():
        first = df.loc[dup, ["municipality_code", "year"]].iloc[0].tolist()
        raise ParameterError(
            f"panel has {int(dup.sum())} duplicate municipality-year rows (first: {first}); "
            "give one row per municipality_code and year"
        )
    codes = np.array(sorted(df["municipality_code"].unique()), dtype=object)
    years = np.array(sorted(df["year"].unique()), dtype=int)
    r = pd.Index(codes).get_indexer(df["municipality_code"])
    c = pd.Index(years).get_indexer(df["year"])
    values = np.full((len(codes), len(years)), np.nan)
    population = np.full((len(codes), len(years)), np.nan)
    values[r, c] = pd.to_numeric(df["value"]).to_numpy(dtype=float)
    population[r, c] = pd.to_numeric(df["population"]).to_numpy(dtype=float)
    return PanelMatrix(codes, years, values, population)


def unit_weights(matrix: PanelMatrix, rows: np.ndarray, weighting: str, weight_year: int | None) -> np.ndarray:
    """Weights of the given rows: population in ``weight_year`` or all ones."""
    if weighting not in WEIGHTINGS:
        raise ParameterError(f"weighting={weighting!r} is not allowed; choose one of {list(WEIGHTINGS)}")
    if weighting == "equal":
        return np.ones(len(rows))
    if weight_year is None:
        raise ParameterError("weighting='population' needs weight_year (the population year)")
    col = matrix.cols([weight_year], "weight_year")[0]
    w = matrix.population[rows, col]
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        raise ParameterError(
            f"no population in {weight_year} for municipalities {list(matrix.codes[rows[bad]])}; "
            "use weighting='equal' or drop them"
        )
    return w


def _normalise_treated(
    treated: Sequence[str] | Mapping[str, Sequence[int]], post_years: Sequence[int]
) -> dict[str, tuple[int, ...]]:
    """Treated units as ``{code: post years}``; a plain list gets ``post_years`` for everyone."""
    if isinstance(treated, Mapping):
        out = {str(k): tuple(sorted(int(y) for y in v)) for k, v in treated.items()}
    else:
        out = {str(k): tuple(sorted(int(y) for y in post_years)) for k in treated}
    if not out:
        raise ParameterError("no treated municipalities given; give at least one")
    empty = [k for k, v in out.items() if not v]
    if empty:
        raise ParameterError(
            f"treated municipalities {empty} have no post-period years; each treated unit needs at least one post year"
        )
    return out


def _cohorts(timing: dict[str, tuple[int, ...]]) -> tuple[list[tuple[int, ...]], np.ndarray]:
    """Distinct post-year sets (cohorts) and the cohort index of each treated unit, in order."""
    cohorts = sorted(set(timing.values()), key=lambda t: (-len(t), t))
    index = {c: i for i, c in enumerate(cohorts)}
    return cohorts, np.array([index[t] for t in timing.values()], dtype=int)


def _changes(
    matrix: PanelMatrix, pre_years: Sequence[int], cohorts: list[tuple[int, ...]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-unit pre mean (N,), post mean per cohort (G, N) and change per cohort (G, N)."""
    pre = matrix.values[:, matrix.cols(pre_years, "pre_years")].mean(axis=1)
    post = np.vstack([matrix.values[:, matrix.cols(c, "post_years")].mean(axis=1) for c in cohorts])
    return pre, post, post - pre[None, :]


def _check_finite(matrix: PanelMatrix, rows: np.ndarray, years: Sequence[int], who: str) -> None:
    vals = matrix.values[np.ix_(rows, matrix.cols(years))]
    bad = ~np.isfinite(vals)
    if bad.any():
        r, c = np.nonzero(bad)
        examples = [f"{matrix.codes[rows[i]]}/{int(years[int(j)])}" for i, j in list(zip(r, c, strict=True))[:5]]
        raise ParameterError(
            f"{who}: {int(bad.sum())} missing values in the years used (e.g. {examples}); "
            "drop these municipalities or choose years where they have data"
        )


# --------------------------------------------------------------------------- DiD


@dataclass
class DidResult:
    """An exploratory difference-in-differences estimate and everything needed to show it."""

    estimate: float
    weighting: str
    weight_year: int | None
    pre_years: list[int]
    post_years: list[int]
    treated: dict[str, tuple[int, ...]]  # code -> post years used for that unit
    control: list[str]
    treated_pre_mean: float
    treated_post_mean: float
    control_pre_mean: float
    control_post_mean: float  # aligned to the treated units' timing (see module docstring)
    unit_effects: pd.DataFrame  # one row per treated unit: its own DiD against the comparison
    table: pd.DataFrame  # tidy: group, period, mean, n_units (+ a difference row)

    @property
    def n_treated(self) -> int:
        return len(self.treated)

    @property
    def n_control(self) -> int:
        return len(self.control)

    @property
    def treated_change(self) -> float:
        return self.treated_post_mean - self.treated_pre_mean

    @property
    def control_change(self) -> float:
        return self.control_post_mean - self.control_pre_mean


def _did_from_draws(
    change: np.ndarray,
    weights: np.ndarray,
    treated_rows: np.ndarray,
    cohort_of_position: np.ndarray,
    control_mean: np.ndarray,
) -> np.ndarray:
    """DiD per draw.

    change (G, N); weights (N,); treated_rows (D, k) row of each treated position per draw;
    cohort_of_position (k,); control_mean (D, G) comparison mean change per draw and cohort.
    """
    w = weights[treated_rows]  # (D, k)
    c = change[cohort_of_position[None, :], treated_rows]  # (D, k)
    cbar = np.take_along_axis(control_mean, np.broadcast_to(cohort_of_position, treated_rows.shape), axis=1)  # (D, k)
    return (w * (c - cbar)).sum(axis=1) / w.sum(axis=1)


def did_estimate(
    panel: pd.DataFrame,
    treated: Sequence[str] | Mapping[str, Sequence[int]],
    control: Sequence[str],
    pre_years: Sequence[int],
    post_years: Sequence[int],
    weighting: str = "population",
    weight_year: int | None = None,
) -> DidResult:
    """Difference-in-differences of ``value`` between treated and control municipalities.

    ``treated`` is a list of codes (all use ``post_years``) or ``{code: post years}`` for units
    with their own timing (each unit's post years must be a subset of ``post_years``).
    ``weight_year`` (population year for ``weighting="population"``) defaults to the last pre year.
    Units must have a value in every pre and post year they use (ParameterError otherwise).
    """
    pre_years = sorted(int(y) for y in pre_years)
    post_years = sorted(int(y) for y in post_years)
    if not pre_years or not post_years:
        raise ParameterError("pre_years and post_years must both be non-empty")
    overlap = sorted(set(pre_years) & set(post_years))
    if overlap:
        raise ParameterError(f"years {overlap} are in both pre_years and post_years")
    timing = _normalise_treated(treated, post_years)
    outside = {k: v for k, v in timing.items() if not set(v) <= set(post_years)}
    if outside:
        raise ParameterError(f"treated post years {outside} are not inside post_years {post_years}")
    control = [str(c) for c in control]
    both = sorted(set(control) & set(timing))
    if both:
        raise ParameterError(f"municipalities {both} are both treated and control")
    if not control:
        raise ParameterError("the comparison group is empty; give at least one control unit")
    if weight_year is None:
        weight_year = pre_years[-1]

    m = panel_matrix(panel)
    t_rows = m.rows(timing)
    c_rows = m.rows(control)
    _check_finite(m, t_rows, pre_years + post_years, "treated units")
    _check_finite(m, c_rows, pre_years + post_years, "comparison units")

    cohorts, cohort_of = _cohorts(timing)
    pre, post, change = _changes(m, pre_years, cohorts)
    wt = unit_weights(m, t_rows, weighting, weight_year)
    wc = unit_weights(m, c_rows, weighting, weight_year)

    control_change = (change[:, c_rows] * wc).sum(axis=1) / wc.sum()  # (G,)
    control_post = (post[:, c_rows] * wc).sum(axis=1) / wc.sum()  # (G,)
    full_weights = np.zeros(len(m.codes))
    full_weights[t_rows] = wt
    # the same function the placebo draws use, with one "draw": the real treated units
    estimate = float(_did_from_draws(change, full_weights, t_rows[None, :], cohort_of, control_change[None, :])[0])

    share = wt / wt.sum()
    t_pre = float(share @ pre[t_rows])
    t_post = float(share @ post[cohort_of, t_rows])
    c_pre = float(wc @ pre[c_rows] / wc.sum())
    c_post_aligned = float(share @ control_post[cohort_of])

    unit_effects = pd.DataFrame(
        {
            "municipality_code": list(timing),
            "post_years": [list(v) for v in timing.values()],
            "weight": wt,
            "weight_share": share,
            "pre_mean": pre[t_rows],
            "post_mean": post[cohort_of, t_rows],
            "change": change[cohort_of, t_rows],
            "comparison_change": control_change[cohort_of],
        }
    )
    unit_effects["did"] = unit_effects["change"] - unit_effects["comparison_change"]

    table = pd.DataFrame(
        {
            "group": ["treated", "treated", "comparison", "comparison", "difference", "difference"],
            "period": ["pre", "post", "pre", "post", "pre", "post"],
            "mean": [t_pre, t_post, c_pre, c_post_aligned, t_pre - c_pre, t_post - c_post_aligned],
            "n_units": [len(t_rows), len(t_rows), len(c_rows), len(c_rows), np.nan, np.nan],
        }
    )
    return DidResult(
        estimate=estimate,
        weighting=weighting,
        weight_year=weight_year if weighting == "population" else None,
        pre_years=pre_years,
        post_years=post_years,
        treated=timing,
        control=control,
        treated_pre_mean=t_pre,
        treated_post_mean=t_post,
        control_pre_mean=c_pre,
        control_post_mean=c_post_aligned,
        unit_effects=unit_effects,
        table=table,
    )


# --------------------------------------------------------------------------- event study


def group_means_by_year(
    panel: pd.DataFrame,
    treated: Sequence[str],
    control: Sequence[str],
    weighting: str = "population",
    weight_year: int | None = None,
    labels: tuple[str, str] = ("treated", "comparison"),
) -> pd.DataFrame:
    """Tidy ``DataFrame[year, group, mean, n_units]``: weighted group means per year.

    Units missing a year are left out of that year's mean (``n_units`` shows it); weights are
    fixed per unit (population in ``weight_year``; default the panel's last year with population).
    """
    m = panel_matrix(panel)
    if weight_year is None and weighting == "population":
        weight_year = int(m.years[np.isfinite(m.population).any(axis=0)].max())
    frames = []
    for label, codes in zip(labels, (list(treated), list(control)), strict=True):
        rows = m.rows([str(c) for c in codes])
        w = unit_weights(m, rows, weighting, weight_year)
        v = m.values[rows]
        ok = np.isfinite(v)
        ww = np.where(ok, w[:, None], 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = (np.where(ok, v, 0.0) * ww).sum(axis=0) / ww.sum(axis=0)
        frames.append(pd.DataFrame({"year": m.years, "group": label, "mean": mean, "n_units": ok.sum(axis=0)}))
    return pd.concat(frames, ignore_index=True)


def active_in_year(timing: Mapping[str, Sequence[int]], years: Sequence[int] | np.ndarray) -> np.ndarray:
    """(k, T) bool: is each treated unit (in ``timing`` order) counted as treated in each year?

    The rule the DiD estimate uses: a year that is a post year of some treated unit but not of
    this unit (Tornio in 2019: the pilot ran there in 2018 only) is not one of its treated years,
    so the unit is left out of that year. Every other year (pre-period, years in neither period)
    keeps every unit.
    """
    any_post = set().union(*(set(int(y) for y in v) for v in timing.values())) if timing else set()
    return np.array(
        [[not (int(y) in any_post and int(y) not in set(int(t) for t in v)) for y in years] for v in timing.values()],
        dtype=bool,
    ).reshape(len(timing), len(years))


def event_study(
    panel: pd.DataFrame,
    treated: Sequence[str] | Mapping[str, Sequence[int]],
    control: Sequence[str],
    base_year: int,
    weighting: str = "population",
    weight_year: int | None = None,
) -> pd.DataFrame:
    """Yearly treated-minus-comparison difference, and the same relative to ``base_year``.

    Returns ``DataFrame[year, treated_mean, control_mean, difference, relative_to_base,
    n_treated]`` where ``difference = treated_mean - control_mean`` and ``relative_to_base`` is
    the weighted mean over the treated units of ``y[t] - y[base_year]`` minus the same for the
    comparison group (exactly 0 in the base year). ``treated`` is a list of codes (every unit
    treated in every year) or ``{code: post years}`` as for :func:`did_estimate`: a unit is then
    left out of the post years that are not its own (Tornio in 2019), as in the DiD estimate, and
    ``n_treated`` shows it. Because ``relative_to_base`` averages each unit's own change from the
    base year, leaving a unit out of a year does not turn a difference in levels into a jump; with
    the same units in every year it equals ``difference - difference[base_year]``. A balanced
    panel is required (every unit needs a value in every year). ``weight_year`` defaults to
    ``base_year``.
    """
    timing = (
        {str(k): tuple(int(y) for y in v) for k, v in treated.items()}
        if isinstance(treated, Mapping)
        else {str(c): () for c in treated}
    )
    control = [str(c) for c in control]
    if not timing or not control:
        raise ParameterError("event_study needs non-empty treated and control groups")
    m = panel_matrix(panel)
    base_col = m.cols([base_year], "base_year")[0]
    t_rows, c_rows = m.rows(timing), m.rows(control)
    _check_finite(m, t_rows, list(m.years), "treated units (event study needs every year)")
    _check_finite(m, c_rows, list(m.years), "comparison units (event study needs every year)")
    wy = base_year if weight_year is None else weight_year
    wt = unit_weights(m, t_rows, weighting, wy)
    wc = unit_weights(m, c_rows, weighting, wy)
    active = active_in_year(timing, m.years)  # (k, T)
    wt_year = np.where(active, wt[:, None], 0.0)  # (k, T)
    t_vals = m.values[t_rows]
    t_mean = (wt_year * t_vals).sum(axis=0) / wt_year.sum(axis=0)
    c_mean = wc @ m.values[c_rows] / wc.sum()
    diff = t_mean - c_mean
    t_rel = (wt_year * (t_vals - t_vals[:, [base_col]])).sum(axis=0) / wt_year.sum(axis=0)
    c_rel = c_mean - c_mean[base_col]
    rel = t_rel - c_rel
    rel[base_col] = 0.0  # exactly zero, not a rounding residue
    return pd.DataFrame(
        {
            "year": m.years,
            "treated_mean": t_mean,
            "control_mean": c_mean,
            "difference": diff,
            "relative_to_base": rel,
            "n_treated": active.sum(axis=0),
        }
    )


def pre_trend(event: pd.DataFrame, pre_years: Sequence[int], post_years: Sequence[int]) -> tuple[float, float]:
    """Pre-period trend of the treated-minus-comparison difference, and its projection.

    Returns ``(slope per year, projection)``: the OLS slope of ``difference`` over the pre years
    of an :func:`event_study` table, and ``slope x (mean post year - mean pre year)`` -- the DiD
    estimate that the pre-existing trend alone would produce if it continued. NaN with one pre year.
    """
    pre = sorted(int(y) for y in pre_years)
    if len(pre) < 2:
        return float("nan"), float("nan")
    d = event.set_index("year").loc[pre, "difference"].to_numpy(float)
    x = np.asarray(pre, float) - np.mean(pre)
    slope = float((d - d.mean()) @ x / (x @ x))
    return slope, slope * (float(np.mean(list(post_years))) - float(np.mean(pre)))


# --------------------------------------------------------------------------- placebo


@dataclass
class PlaceboResult:
    """Placebo (randomisation) distribution of the DiD estimate."""

    estimates: np.ndarray  # (n_placebo,) placebo DiD estimates, in draw order
    pilot_estimate: float
    rank: int  # rank of |pilot| among n_placebo + 1 values, 1 = most extreme (ties count against)
    n_ranked: int  # n_placebo + 1
    n_as_extreme: int  # placebo draws with |estimate| >= |pilot estimate|
    share_as_extreme: float  # n_as_extreme / n_placebo (two-sided)
    share_as_low: float  # share of placebo estimates <= pilot estimate (one-sided, "reduced")
    p_value: float  # (1 + n_as_extreme) / (n_placebo + 1)
    seed: int | None
    n_placebo: int  # draws actually made
    n_placebo_requested: int
    exhaustive: bool  # True when every possible pseudo-treated assignment was enumerated
    n_possible: int  # number of distinct pseudo-treated assignments
    pool_size: int
    group_size: int
    seconds: float
    event_bands: pd.DataFrame | None = None  # year, low, high, placebo quantiles of relative_to_base
    pool: list[str] = field(default_factory=list)  # the pool's codes; draws index into it
    draws: np.ndarray | None = None  # (n_placebo, k) pool positions of each draw's pseudo-treated
    draw_post_years: list[tuple[int, ...]] = field(default_factory=list)  # post years by position
    notes: list[str] = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        """Tidy ``DataFrame[draw, estimate, as_extreme]`` for a histogram."""
        return pd.DataFrame(
            {
                "draw": np.arange(1, len(self.estimates) + 1),
                "estimate": self.estimates,
                "as_extreme": np.abs(self.estimates) >= abs(self.pilot_estimate) - TIE_TOLERANCE,
            }
        )


def _n_assignments(pool: int, cohort_sizes: Sequence[int] | np.ndarray) -> int:
    """Distinct ways to pick disjoint cohorts of the given sizes from ``pool`` units."""
    n, total = pool, 1
    for s in cohort_sizes:
        total *= math.comb(n, s)
        n -= s
    return total


def _enumerate_assignments(pool: int, cohort_sizes: Sequence[int] | np.ndarray) -> np.ndarray:
    """All assignments as a (n_possible, k) array of pool positions, cohort blocks in order."""

    def rec(available: tuple[int, ...], sizes: Sequence[int]):
        if not sizes:
            yield ()
            return
        for pick in itertools.combinations(available, sizes[0]):
            rest = tuple(a for a in available if a not in pick)
            for tail in rec(rest, sizes[1:]):
                yield pick + tail

    rows = list(rec(tuple(range(pool)), list(cohort_sizes)))
    return np.array(rows, dtype=int).reshape(len(rows), sum(cohort_sizes))


def _random_assignments(rng: np.random.Generator, n: int, pool: int, k: int) -> np.ndarray:
    """(n, k) random pool positions without replacement within a row, in random order."""
    keys = rng.random((n, pool))
    if k < pool:
        chosen = np.argpartition(keys, k - 1, axis=1)[:, :k]
    else:
        chosen = np.tile(np.arange(pool), (n, 1))
    # order the chosen by their key: a uniformly random order, so cohort blocks are random too
    order = np.argsort(np.take_along_axis(keys, chosen, axis=1), axis=1)
    return np.take_along_axis(chosen, order, axis=1)


def placebo_distribution(
    panel: pd.DataFrame,
    treated: Sequence[str] | Mapping[str, Sequence[int]],
    pool: Sequence[str],
    pre_years: Sequence[int],
    post_years: Sequence[int],
    n_placebo: int = 1000,
    seed: int | None = 2018,
    weighting: str = "population",
    weight_year: int | None = None,
    base_year: int | None = None,
    band: tuple[float, float] = (0.05, 0.95),
) -> PlaceboResult:
    """Randomisation distribution of the DiD estimate under the pilot's timing.

    Each draw picks, from ``pool`` (the comparison group; pilot municipalities must not be in
    it), a pseudo-treated set of the same size as ``treated`` with the same timing cohorts (for the
    pilot: five units with post years 2018-2019 and one with 2018 only); the rest of the pool is
    that draw's comparison group. The pilot's own estimate uses the whole pool as comparison.

    Vectorised: per-unit changes are computed once; a draw only gathers k rows, and the
    comparison mean is the pool total minus the drawn units, so a draw costs O(k), not O(N).
    When the number of distinct assignments is <= ``n_placebo`` they are all enumerated instead
    (``exhaustive=True``: an exact randomisation distribution; the seed plays no role).

    ``rank`` is the pilot's position by absolute size among the placebo estimates and its own
    (1 = most extreme; placebo estimates equal in size rank ahead of it), ``share_as_extreme`` the
    share of placebo estimates with ``|x| >= |pilot|``. With ``base_year`` the result also carries
    ``event_bands``: the ``band`` quantiles of each year's placebo event-study value.
    """
    t0 = time.perf_counter()
    if isinstance(n_placebo, bool) or not isinstance(n_placebo, (int, np.integer)) or not (0 <= n_placebo <= 100_000):
        raise ParameterError(f"n_placebo={n_placebo!r} must be an integer in 0..100000")
    pre_years = sorted(int(y) for y in pre_years)
    post_years = sorted(int(y) for y in post_years)
    timing = _normalise_treated(treated, post_years)
    pool = [str(c) for c in pool]
    inside = sorted(set(pool) & set(timing))
    if inside:
        raise ParameterError(f"treated municipalities {inside} are in the placebo pool; the pool must exclude them")
    k = len(timing)
    if len(pool) <= k:
        raise ParameterError(
            f"the placebo pool has {len(pool)} municipalities but each draw needs {k} pseudo-treated "
            f"plus at least one comparison unit ({k + 1}); use a larger comparison group"
        )
    weight_year = pre_years[-1] if weight_year is None else weight_year

    pilot = did_estimate(panel, timing, pool, pre_years, post_years, weighting, weight_year)
    m = panel_matrix(panel)
    p_rows = m.rows(pool)
    cohorts, cohort_of = _cohorts(timing)
    cohort_sizes = np.bincount(cohort_of, minlength=len(cohorts))
    # positions sorted so cohort 0 first, then cohort 1, ...
    cohort_of_position = np.repeat(np.arange(len(cohorts)), cohort_sizes)

    _, _, change_all = _changes(m, pre_years, cohorts)
    change = change_all[:, p_rows]  # (G, P)
    w = unit_weights(m, p_rows, weighting, weight_year)  # (P,)
    wc_total = change * w  # (G, P)
    sum_wc = wc_total.sum(axis=1)  # (G,)
    sum_w = w.sum()

    n_possible = _n_assignments(len(pool), cohort_sizes)
    exhaustive = n_possible <= n_placebo
    rng = np.random.default_rng(seed)
    blocks: Iterable[np.ndarray]
    if exhaustive:
        blocks = [_enumerate_assignments(len(pool), cohort_sizes)]
    else:
        blocks = (
            _random_assignments(rng, min(PLACEBO_CHUNK, n_placebo - start), len(pool), k)
            for start in range(0, n_placebo, PLACEBO_CHUNK)
        )

    rel = None
    if base_year is not None:
        base_col = m.cols([base_year], "base_year")[0]
        _check_finite(m, p_rows, list(m.years), "placebo pool (event bands need every year)")
        rel = m.values[p_rows] - m.values[p_rows, base_col][:, None]  # (P, T)
        sum_wrel = w @ rel  # (T,)
        # the event study's rule: a drawn unit in a cohort without year t among its post years
        # (Tornio's slot in 2019) is not treated that year -- left out of both groups' means
        active = active_in_year({str(i): cohorts[g] for i, g in enumerate(cohort_of_position)}, list(m.years)).astype(
            float
        )  # (k, T)

    estimates, paths, all_draws = [], [], []
    for idx in blocks:
        if idx.shape[0] == 0:
            continue
        all_draws.append(idx.astype(np.int32))
        wt = w[idx]  # (D, k)
        wsum_t = wt.sum(axis=1)  # (D,)
        # comparison = pool minus the drawn units, for every cohort's post years
        drawn = np.stack([(wc_total[g][idx]).sum(axis=1) for g in range(len(cohorts))], axis=1)
        control_mean = (sum_wc[None, :] - drawn) / (sum_w - wsum_t)[:, None]  # (D, G)
        estimates.append(_did_from_draws(change, w, idx, cohort_of_position, control_mean))
        if rel is not None:
            wt_year = wt[:, :, None] * active[None, :, :]  # (D, k, T)
            drawn_rel = np.einsum("dk,dkt->dt", wt, rel[idx])  # every drawn unit leaves the comparison
            t_path = np.einsum("dkt,dkt->dt", wt_year, rel[idx]) / wt_year.sum(axis=1)
            c_path = (sum_wrel[None, :] - drawn_rel) / (sum_w - wsum_t)[:, None]
            paths.append(t_path - c_path)
    est = np.concatenate(estimates) if estimates else np.empty(0)

    a = abs(pilot.estimate)
    n_ext = int(np.count_nonzero(np.abs(est) >= a - TIE_TOLERANCE))
    n = len(est)
    notes = []
    if exhaustive:
        notes.append(
            f"Only {n_possible:,} distinct pseudo-treated sets exist in a pool of {len(pool)}; "
            f"all were used instead of {n_placebo:,} random draws (exact randomisation distribution)."
        )
    elif n_possible < 20 * n_placebo:
        notes.append(
            f"The pool allows only {n_possible:,} distinct pseudo-treated sets, so some of the "
            f"{n_placebo:,} random draws repeat."
        )
    bands = None
    if rel is not None and paths:
        allp = np.vstack(paths)
        lo, hi = np.quantile(allp, band, axis=0)
        bands = pd.DataFrame({"year": m.years, "placebo_low": lo, "placebo_high": hi})
    return PlaceboResult(
        estimates=est,
        pilot_estimate=pilot.estimate,
        rank=n_ext + 1,
        n_ranked=n + 1,
        n_as_extreme=n_ext,
        share_as_extreme=n_ext / n if n else float("nan"),
        share_as_low=float(np.mean(est <= pilot.estimate + TIE_TOLERANCE)) if n else float("nan"),
        p_value=(1 + n_ext) / (n + 1),
        seed=seed,
        n_placebo=n,
        n_placebo_requested=int(n_placebo),
        exhaustive=exhaustive,
        n_possible=n_possible,
        pool_size=len(pool),
        group_size=k,
        seconds=time.perf_counter() - t0,
        event_bands=bands,
        pool=pool,
        draws=np.vstack(all_draws) if all_draws else np.empty((0, k), dtype=np.int32),
        draw_post_years=[cohorts[g] for g in cohort_of_position],
        notes=notes,
    )
