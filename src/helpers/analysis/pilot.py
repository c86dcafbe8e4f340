"""The participatory social security pilot (2018-2019): timing, periods, parameters, analysis.

What the chapter calls:

* ``validate_pilot_parameters(params)``: the engine's checks of a complete parameter set;
* ``run_pilot_analysis(params)``: everything the chapter shows, as a :class:`PilotAnalysis`;
* ``periods_for(outcome_id, pre_years, post_years)``: the pre/post definition and why;
* ``pilot_context_2019()``: each pilot municipality against all municipalities in 2019.

Timing (``pilot_timing()``; STM/THL press release 202/2018 and the City of Raisio): the pilot ran
in 2018 in six municipalities and in 2019 in five (not Tornio). Raisio dates its own pilot from
1 Nov 2017, so its calendar year 2017 contains two pilot months; it is still treated as a
pre-period year (10 of 12 months before the pilot) and the chapter says so.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers.data.municipalities import pilot_codes, pilot_table
from helpers.errors import DataError, ParameterError
from helpers.text import format_number, nearest_names

from .comparison_groups import COMPARISON_METHODS, ComparisonPool, comparison_pool
from .did import (
    WEIGHTINGS,
    DidResult,
    PlaceboResult,
    did_estimate,
    event_study,
    group_means_by_year,
    placebo_distribution,
    pre_trend,
)
from .indicators import Indicator, pilot_context_indicators
from .outcomes import OUTCOMES, Outcome, get_outcome, outcome_panel, population_table

# --------------------------------------------------------------------------- timing


PILOT_YEARS = (2018, 2019)  # the programme's years (2018: six municipalities, 2019: five)


@dataclass(frozen=True)
class PilotTiming:
    """One pilot municipality's participation."""

    municipality_code: str
    name_fi: str
    name_sv: str
    start: str  # ISO date
    end: str  # ISO date (Tornio: end of 2018; exact date not published)
    pilot_years: tuple[int, ...]  # full calendar years in the pilot
    partial_months: Mapping[int, int] = field(default_factory=dict)  # year -> pilot months
    note: str = ""


def _first_day(published: str) -> str:
    return f"{published}-01-01" if len(published) == 4 else published


def _last_day(published: str) -> str:
    return f"{published}-12-31" if len(published) == 4 else published


@functools.cache
def pilot_timing() -> dict[str, PilotTiming]:
    """Each pilot municipality's participation, from ``data/facts/pilot_municipalities.csv``.

    A start before the pilot's first year (Raisio: 1 Nov 2017) gives that year's pilot months,
    which the analysis counts as pre-period; a municipality with fewer years (Tornio: 2018 only)
    uses only post-period windows that contain its years.
    """
    timing = {}
    for code, row in pilot_table().items():
        start = _first_day(row.start_date)
        start_day = pd.Timestamp(start)
        partial = {start_day.year: 13 - start_day.month} if start_day.year < PILOT_YEARS[0] else {}
        if partial:
            note = (
                f"{row.name_fi}'s own pilot period began on {start_day.day} {start_day.strftime('%b')} "
                f"{start_day.year}: its {start_day.year} contains {_number_word(partial[start_day.year])} pilot "
                "months, counted as pre-period here."
            )
        elif row.years != PILOT_YEARS:
            only = " and ".join(str(year) for year in row.years)
            note = f"{row.name_fi} took part in {only} only; its post period uses only windows containing {only}."
        else:
            note = ""
        timing[code] = PilotTiming(
            code, row.name_fi, row.name_sv, start, _last_day(row.end_date), row.years, partial, note
        )
    return timing


def _number_word(n: int) -> str:
    return {1: "one", 2: "two", 3: "three"}.get(n, str(n))


LAST_PRE_PILOT_YEAR = 2017
# Population year for weights and for the matching feature: the last calendar year before the
# pilot (31 Dec 2017), the same for every outcome so estimates are comparable.
REFERENCE_YEAR = 2017

PARAMETER_NAMES = (
    "municipalities",
    "outcome",
    "comparison",
    "n_matched",
    "pre_years",
    "post_years",
    "base_year",
    "weighting",
    "n_placebo",
    "seed",
)
MAX_PLACEBO = 100_000


# --------------------------------------------------------------------------- periods


@dataclass
class PeriodDefinition:
    """Pre and post periods of one outcome, with the reasoning spelled out."""

    outcome_id: str
    pre_years: list[int]
    post_years: list[int]
    text: str
    windows: pd.DataFrame  # year, calendar_years, pilot_years_in_window, pilot_share, role, reason


def _window_role(outcome: Outcome, t: int) -> tuple[str, float, str]:
    """('pre' | 'post' | 'mixed' | 'after', pilot share of the window, reason)."""
    cal = outcome.calendar_years(t)
    inside = [y for y in cal if y in PILOT_YEARS]
    share = len(inside) / len(cal)
    span = f"{cal[0]}–{cal[-1]}" if len(cal) > 1 else str(cal[0])
    if max(cal) <= LAST_PRE_PILOT_YEAR:
        return "pre", share, f"{span}: before the pilot"
    if min(cal) > PILOT_YEARS[-1]:
        return "after", share, f"{span}: after the pilot ended (2020 is also the COVID-19 year)"
    if share >= 0.5:
        return "post", share, f"{span}: {len(inside)} of {len(cal)} years in the pilot"
    return (
        "mixed",
        share,
        f"{span}: only {len(inside)} of {len(cal)} years in the pilot, the rest before or after it",
    )


def _year_list(value: object, name: str) -> list[int]:
    """Years from a list/tuple/range of ints, an int, or a string '2013-2017' / '2013,2015'."""
    if isinstance(value, bool):
        raise ParameterError(f"{name}={value!r} must be a list of years such as [2013, 2014]")
    if isinstance(value, (int, np.integer)):
        return [int(value)]
    if isinstance(value, str):
        text = value.replace("–", "-").replace(" ", "")
        try:
            if "-" in text and "," not in text:
                a, b = text.split("-")
                return list(range(int(a), int(b) + 1))
            return [int(v) for v in text.split(",") if v]
        except ValueError:
            raise ParameterError(
                f"{name}={value!r} is not a list of years; write e.g. [2013, 2014, 2015] or '2013-2017'"
            ) from None
    if isinstance(value, Iterable):
        out = []
        for v in value:
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                if isinstance(v, float) and v.is_integer():
                    v = int(v)
                else:
                    raise ParameterError(
                        f"{name}={value!r} contains {v!r}, which is not a whole year; "
                        "give years as integers, e.g. [2013, 2014]"
                    )
            out.append(int(v))
        return out
    raise ParameterError(f"{name}={value!r} ({type(value).__name__}) must be a list of years such as [2013, 2014]")


def _span(years: Sequence[int]) -> str:
    years = sorted(years)
    if not years:
        return "none"
    if years == list(range(years[0], years[-1] + 1)) and len(years) > 1:
        return f"{years[0]}–{years[-1]}"
    return ", ".join(str(y) for y in years)


def periods_for(
    outcome_id: str,
    pre_years: Iterable[int] | str | None = None,
    post_years: Iterable[int] | str | None = None,
    municipalities: Iterable[str] | None = None,
) -> PeriodDefinition:
    """Validate and explain the pre/post periods for an outcome (defaults when None).

    Rules, applied to the calendar years each time index covers (annual: the year itself;
    Diak: year_mid - 1 ... year_mid + 1):

    * a pre year must cover only years up to 2017 (before the pilot);
    * a post year must cover at least half pilot years (2018-2019): annual 2018 and 2019,
      Diak year_mid 2018 (2017-2019) and 2019 (2018-2020, which also holds COVID-19 2020);
    * Diak year_mid 2017 (2016-2018) and 2020 (2019-2021) are mostly outside the pilot and are
      refused in either period, as is annual 2020 (after the pilot); they are still shown in the
      trend chart and event study;
    * no year in both periods, none outside the outcome's data, neither period empty.

    Raises ParameterError with the reason; returns the definition with a ``text`` explanation
    (mentioning Tornio's and Raisio's timing when they are among ``municipalities``, codes;
    default all six).
    """
    outcome = get_outcome(outcome_id)
    pre = sorted(set(_year_list(pre_years, "pre_years"))) if pre_years is not None else list(outcome.default_pre_years)
    post = (
        sorted(set(_year_list(post_years, "post_years")))
        if post_years is not None
        else list(outcome.default_post_years)
    )
    lo, hi = outcome.years[0], outcome.years[-1]
    for name, years in (("pre_years", pre), ("post_years", post)):
        if not years:
            raise ParameterError(f"{name} is empty; give at least one year ({outcome.id}: {lo}–{hi})")
        outside = [y for y in years if y not in outcome.years]
        if outside:
            raise ParameterError(
                f"{name}={years}: {outside} outside the data of {outcome.id!r} "
                f"({outcome.time_variable} {lo}–{hi}); choose years inside it"
            )
    for y in pre:
        role, _, reason = _window_role(outcome, y)
        if role != "pre":
            raise ParameterError(
                f"pre_years contains {outcome.describe_index(y)}, which is not a pre-pilot period "
                f"({reason}); pre years must cover only years up to {LAST_PRE_PILOT_YEAR}"
                + (
                    f": for {outcome.id!r} use year_mid <= {LAST_PRE_PILOT_YEAR - outcome.window[1]}"
                    if outcome.window != (0, 0)
                    else ""
                )
            )
    for y in post:
        role, _, reason = _window_role(outcome, y)
        if role != "post":
            valid = [t for t in outcome.years if _window_role(outcome, t)[0] == "post"]
            raise ParameterError(
                f"post_years contains {outcome.describe_index(y)}, which is not a pilot period "
                f"({reason}); valid post years for {outcome.id!r}: {valid}"
            )
    overlap = sorted(set(pre) & set(post))
    if overlap:  # unreachable with the rules above; kept as a guard if the rules change
        raise ParameterError(f"years {overlap} are in both pre_years and post_years; a year can be in one only")
    rows = []
    for t in outcome.years:
        role, share, reason = _window_role(outcome, t)
        cal = outcome.calendar_years(t)
        rows.append(
            {
                "year": t,
                "calendar_years": f"{cal[0]}–{cal[-1]}" if len(cal) > 1 else str(cal[0]),
                "pilot_years_in_window": sum(y in PILOT_YEARS for y in cal),
                "pilot_share": share,
                "role": role,
                "used_as": "pre" if t in pre else "post" if t in post else "not used",
                "reason": reason,
            }
        )
    windows = pd.DataFrame(rows)
    codes = set(pilot_timing() if municipalities is None else municipalities)
    return PeriodDefinition(outcome.id, pre, post, _period_text(outcome, pre, post, codes), windows)


def _period_text(outcome: Outcome, pre: list[int], post: list[int], codes: set[str]) -> str:
    tornio, raisio = "851" in codes, "680" in codes
    if outcome.window == (0, 0):
        parts = [
            f"Pre-period: {_span(pre)} (calendar years before the pilot). Post-period: {_span(post)} (pilot years)."
        ]
        if tornio and 2019 in post:
            parts.append(
                "Tornio took part in 2018 only, so its post-period is 2018 alone and its 2019 is "
                "left out of the estimate."
            )
        if raisio and 2017 in pre:
            parts.append("Raisio's pilot began on 1 Nov 2017, so its 2017 includes two pilot months.")
        if 2020 in outcome.years:
            parts.append(
                "2020 is after the pilot (and the COVID-19 year): it appears in the charts but in neither period."
            )
        return " ".join(parts)
    pre_cal = (min(pre) + outcome.window[0], max(pre) + outcome.window[1])
    post_desc = "; ".join(outcome.describe_index(t) for t in post)
    parts = [
        f"Diak values are 3-year centred means: year_mid t covers t−1, t and t+1. Pre-period: "
        f"year_mid {_span(pre)}, covering calendar years {pre_cal[0]}–{pre_cal[1]}, none of them "
        f"a pilot year. Post-period: {post_desc}; each window holds two pilot years and one year "
        "outside the pilot, so an effect would show diluted (about two thirds of a full-period "
        "effect)."
    ]
    if tornio:
        parts.append("Tornio was in the pilot in 2018 only, so its post windows hold one pilot year of three.")
    if raisio and max(pre) + outcome.window[1] >= 2017:
        parts.append("Raisio's pilot began on 1 Nov 2017, so its last pre-period window includes two pilot months.")
    parts.append(
        "year_mid 2017 (2016–2018) is in neither period: it mixes the first pilot year with two "
        "pre-pilot years. year_mid 2019 (2018–2020) also contains 2020, the first COVID-19 year, "
        "and year_mid 2020 (2019–2021) is mostly after the pilot."
    )
    return " ".join(parts)


def unit_post_years(code: str, outcome: Outcome, post_years: Iterable[int]) -> list[int]:
    """The post years whose window contains at least one of this municipality's pilot years."""
    pilot = set(pilot_timing()[code].pilot_years)
    return [t for t in post_years if pilot & set(outcome.calendar_years(t))]


def unit_exposure(code: str, outcome: Outcome, post_years: Iterable[int]) -> float:
    """Mean share of the unit's post windows that falls in its own pilot years."""
    pilot = set(pilot_timing()[code].pilot_years)
    years = unit_post_years(code, outcome, post_years)
    if not years:
        return 0.0
    return float(np.mean([len(pilot & set(outcome.calendar_years(t))) / len(outcome.calendar_years(t)) for t in years]))


# --------------------------------------------------------------------------- validation


def _nearest(value: object, choices: Iterable[str]) -> str:
    near = nearest_names(value, choices)
    return f" Did you mean {', '.join(repr(n) for n in near)}?" if near else ""


def _int_param(params: Mapping, name: str, lo: int, hi: int | None = None) -> int:
    value = params[name]
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        else:
            raise ParameterError(
                f"{name}={value!r} ({type(value).__name__}) must be a whole number"
                + (f" in {lo}..{hi}" if hi is not None else f" >= {lo}")
            )
    value = int(value)
    if value < lo or (hi is not None and value > hi):
        rng = f"{lo}..{hi}" if hi is not None else f">= {lo}"
        raise ParameterError(f"{name}={value} is outside the allowed range {rng}")
    return value


def _resolve_municipalities(value: object) -> list[str]:
    if isinstance(value, (str, int, np.integer)) and not isinstance(value, bool):
        value = [v.strip() for v in str(value).split(",")] if isinstance(value, str) else [value]
    if not isinstance(value, Iterable):
        raise ParameterError(f"municipalities={value!r} must be a list of names or codes, e.g. ['Tampere', 'Kuopio']")
    items = [v for v in value if not (isinstance(v, str) and not v.strip())]
    if not items:
        raise ParameterError(
            "municipalities is empty; give at least one pilot municipality, e.g. ['Tampere'] "
            f"(pilot municipalities: {_pilot_names()})"
        )
    from helpers.data import municipalities as muni

    codes: list[str] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int, np.integer)):
            raise ParameterError(f"municipalities contains {item!r} ({type(item).__name__}); give names or codes")
        try:
            code = muni.resolve(str(item).zfill(3) if isinstance(item, (int, np.integer)) else item)
        except ParameterError as err:
            raise ParameterError(f"municipalities: {err}") from None
        if code not in pilot_timing():
            raise ParameterError(
                f"municipalities: {item!r} ({code}) was not a pilot municipality; the analysis "
                f"needs the pilot's timing. Pilot municipalities: {_pilot_names()}"
            )
        if code not in codes:
            codes.append(code)
    return codes


def _pilot_names() -> str:
    return ", ".join(
        f"{t.name_fi}" + (f" ({t.name_sv})" if t.name_sv != t.name_fi else "") + f" {c}"
        for c, t in pilot_timing().items()
    )


def _check_keys(params: Mapping) -> None:
    unknown = [k for k in params if k not in PARAMETER_NAMES]
    if unknown:
        k = unknown[0]
        raise ParameterError(
            f"unknown parameter {k!r}.{_nearest(k, PARAMETER_NAMES)} Parameters: {list(PARAMETER_NAMES)}"
        )
    missing = [k for k in PARAMETER_NAMES if k not in params]
    if missing:  # the defaults live in one place, the chapter's model (helpers.chapters.pilot.Params)
        raise ParameterError(f"missing parameters {missing}; validate through helpers.chapters.pilot.validate")


def validate_pilot_parameters(params: Mapping | None = None, **overrides) -> dict:
    """The engine's checks of a complete parameter set (``helpers.chapters.pilot.validate`` calls it once).

    Checks types, municipality names/codes (Finnish or Swedish, via
    ``helpers.data.municipalities.resolve``; pilot municipalities only), the outcome id (nearest
    ids on a typo), the comparison method, years inside the outcome's data and valid as pre/post
    (``periods_for``), base_year inside the pre-period, n_matched against the candidate pool,
    the pool against the placebo draw size, n_placebo in 0..100000 and the weighting. Raises
    ParameterError naming the parameter, the bad value and the valid choices. Returns a dict with
    every parameter filled in (municipality codes, explicit years); validating it again returns
    the same dict.
    """
    params = dict(params or {})
    params.update(overrides)
    _check_keys(params)
    p = params

    codes = _resolve_municipalities(p["municipalities"])
    outcome_id = p["outcome"]
    if not isinstance(outcome_id, str) or outcome_id not in OUTCOMES:
        raise ParameterError(
            f"outcome={outcome_id!r} is not a known outcome.{_nearest(outcome_id, OUTCOMES)} "
            f"Valid outcomes: {list(OUTCOMES)}"
        )
    outcome = OUTCOMES[outcome_id]
    comparison = p["comparison"]
    if not isinstance(comparison, str) or comparison not in COMPARISON_METHODS:
        raise ParameterError(
            f"comparison={comparison!r} is not allowed.{_nearest(comparison, COMPARISON_METHODS)} "
            f"Choose one of {list(COMPARISON_METHODS)}"
        )
    weighting = p["weighting"]
    if not isinstance(weighting, str) or weighting not in WEIGHTINGS:
        raise ParameterError(
            f"weighting={weighting!r} is not allowed.{_nearest(weighting, WEIGHTINGS)} Choose one of {list(WEIGHTINGS)}"
        )
    n_matched = _int_param(p, "n_matched", 1)
    n_placebo = _int_param(p, "n_placebo", 0, MAX_PLACEBO)
    seed = _int_param(p, "seed", 0, 2**32 - 1)

    periods = periods_for(outcome_id, p["pre_years"], p["post_years"])
    if p["base_year"] is None:
        base_year = periods.pre_years[-1]
    else:
        base_year = _int_param(p, "base_year", 0)
        if base_year not in periods.pre_years:
            where = (
                f"is outside the outcome's data ({outcome.time_variable} {outcome.years[0]}–{outcome.years[-1]}) and "
                if base_year not in outcome.years
                else ""
            )
            raise ParameterError(
                f"base_year={base_year} {where}is not in the pre-period {_span(periods.pre_years)}; "
                f"the event study is normalised to a pre-pilot year. Choose one of {periods.pre_years}"
            )
    for code in codes:
        if not unit_post_years(code, outcome, periods.post_years):
            t = pilot_timing()[code]
            raise ParameterError(
                f"post_years={periods.post_years} contain none of {t.name_fi}'s pilot years "
                f"{list(t.pilot_years)} ({outcome.id}); choose post years that include them"
            )

    # pool sizes need the data (cached loaders; fast after the first call)
    panel = outcome_panel(outcome_id)
    try:
        pool = comparison_pool(panel, codes, comparison, n_matched, periods.pre_years, REFERENCE_YEAR, seed)
    except ParameterError as err:
        name = "n_matched" if "n_matched" in str(err) else "comparison"
        msg = str(err) if str(err).startswith(name) else f"{name}: {err}"
        raise ParameterError(msg) from None
    if n_placebo > 0 and len(pool) <= len(codes):
        raise ParameterError(
            f"n_placebo={n_placebo}: the comparison group ({comparison!r}) has {len(pool)} "
            f"municipalities, but each placebo draw needs {len(codes)} pseudo-treated plus at least "
            f"one comparison municipality; use a larger comparison group"
            + (" (raise n_matched to at least 2)" if comparison == "matched" else "")
            + " or n_placebo=0"
        )
    return {
        "municipalities": codes,
        "outcome": outcome_id,
        "comparison": comparison,
        "n_matched": n_matched,
        "pre_years": periods.pre_years,
        "post_years": periods.post_years,
        "base_year": base_year,
        "weighting": weighting,
        "n_placebo": n_placebo,
        "seed": seed,
    }


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


def _names(codes: Iterable[str], year: int = REFERENCE_YEAR) -> dict[str, tuple[str, str]]:
    from helpers.data import municipalities as muni

    ref = muni.reference(year).set_index("municipality_code")
    return {c: (str(ref.at[c, "name_fi"]), str(ref.at[c, "name_sv"])) for c in codes if c in ref.index}


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
                "weight_share": float(ue.at[c, "weight_share"]),
                "pre_mean": float(ue.at[c, "pre_mean"]),
                "post_mean": float(ue.at[c, "post_mean"]),
                "did": float(ue.at[c, "did"]),
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


# --------------------------------------------------------------------------- context 2019


def _context_indicators() -> dict[int, Indicator]:
    """The pilot context's indicators by Sotkanet number, in the registry's order."""
    return {item.sotkanet_id: item for item in pilot_context_indicators()}


def context_values_2019(municipalities: Iterable[str] | None = None) -> pd.DataFrame:
    """All municipalities' 2019 values of the four context indicators (tidy, for strip charts).

    ``DataFrame[indicator_id, indicator, indicator_label, unit, municipality_code, name_fi,
    name_sv, value, absolute_value, population, is_pilot]``; suppressed values are dropped.
    ``municipalities`` (codes) are flagged ``is_pilot``; default the six pilot municipalities.
    """
    from helpers.data import load

    codes = set(pilot_codes() if municipalities is None else municipalities)
    s = load("sotkanet_2019")
    s = s[s["indicator_id"].isin(list(_context_indicators())) & (s["year"] == 2019)].copy()
    s = s[s["value"].notna()]
    pop = population_table()
    s = s.merge(pop[pop["year"] == 2019][["municipality_code", "population"]], on="municipality_code", how="left")
    names = _names(s["municipality_code"].unique(), 2019)
    s["name_fi"] = s["municipality_code"].map(lambda c: names.get(c, ("", ""))[0])
    s["name_sv"] = s["municipality_code"].map(lambda c: names.get(c, ("", ""))[1])
    s["is_pilot"] = s["municipality_code"].isin(codes)
    cols = [
        "indicator_id",
        "indicator",
        "indicator_label",
        "unit",
        "municipality_code",
        "name_fi",
        "name_sv",
        "value",
        "absolute_value",
        "population",
        "is_pilot",
    ]
    return s[cols].sort_values(["indicator_id", "municipality_code"], ignore_index=True)


def pilot_context_2019(municipalities: Iterable[str] | None = None) -> pd.DataFrame:
    """Each pilot municipality against all municipalities in 2019 (Sotkanet), one row per
    indicator and municipality.

    Columns: indicator_id, indicator, indicator_label, unit, municipality_code, name_fi, name_sv,
    value, rank_from_highest (1 = highest), n_municipalities, percentile (share of municipalities
    with a lower value, ties half, in %), min, q1, median, q3, max (over all municipalities with a
    value), national_population_weighted (weights: total population 31 Dec 2019),
    national_from_counts (sum of Sotkanet's absolute values / sum of the denominators they imply;
    NaN where Sotkanet gives no absolute values), weight_note. These national figures are computed
    from the municipal figures, not THL's published national values. ``attrs['notes']`` repeats
    the weight notes and the coverage.
    """
    vals = context_values_2019(municipalities)
    codes = list(pilot_codes() if municipalities is None else municipalities)
    rows, notes = [], []
    for ind_id, indicator in _context_indicators().items():
        g = vals[vals["indicator_id"] == ind_id]
        if g.empty:
            raise DataError(f"sotkanet_2019 has no 2019 values for indicator {ind_id}; check the data release")
        v = g["value"].to_numpy(float)
        q1, med, q3 = np.quantile(v, [0.25, 0.5, 0.75])
        w = g["population"].to_numpy(float)
        ok = np.isfinite(w)
        weighted = float(np.sum(v[ok] * w[ok]) / np.sum(w[ok]))
        a = g["absolute_value"].to_numpy(float)
        has = np.isfinite(a) & (v > 0)
        from_counts = (
            float(100.0 * a[has].sum() / (a[has] / v[has] * 100.0).sum()) if has.sum() >= 0.9 * len(v) else np.nan
        )
        first = g.iloc[0]
        notes.append(
            f"{first['indicator_label']}: {len(v)} municipalities with a value"
            f" ({int((~ok).sum())} without population left out of the weighted figure). " + indicator.weight_note
        )
        for c in codes:
            hit = g[g["municipality_code"] == c]
            x = float(hit["value"].iloc[0]) if len(hit) else np.nan
            rows.append(
                {
                    "indicator_id": int(ind_id),
                    "indicator": first["indicator"],
                    "indicator_label": first["indicator_label"],
                    "unit": first["unit"],
                    "municipality_code": c,
                    "name_fi": pilot_timing()[c].name_fi if c in pilot_timing() else "",
                    "name_sv": pilot_timing()[c].name_sv if c in pilot_timing() else "",
                    "value": x,
                    "rank_from_highest": int(np.sum(v > x) + 1) if np.isfinite(x) else pd.NA,
                    "n_municipalities": len(v),
                    "percentile": 100.0 * (np.sum(v < x) + 0.5 * np.sum(v == x)) / len(v) if np.isfinite(x) else np.nan,
                    "min": float(v.min()),
                    "q1": float(q1),
                    "median": float(med),
                    "q3": float(q3),
                    "max": float(v.max()),
                    "national_population_weighted": weighted,
                    "national_from_counts": from_counts,
                    "weight_note": indicator.weight_note,
                }
            )
    out = pd.DataFrame(rows)
    out.attrs["notes"] = notes + [
        "National figures here are computed from the municipal values (THL, Sotkanet.fi, CC BY 4.0), "
        "not THL's own published national figures.",
        "Quartiles: numpy's linear interpolation over the municipalities with a value.",
    ]
    return out
