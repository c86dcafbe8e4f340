"""The pilot's timing and its pre- and post-periods, from the pilot municipalities' fact table.

Timing (``pilot_timing()``, read from ``data/facts/pilot_municipalities.csv``: STM/THL press release
202/2018 and the City of Raisio): the pilot ran in 2018 in six municipalities and in 2019 in five
(not Tornio). Raisio dates its own pilot from 1 Nov 2017, so its calendar year 2017 contains two
pilot months; it is still treated as a pre-period year (10 of 12 months before the pilot).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers.data.municipalities import pilot_table
from helpers.errors import ParameterError

from .outcomes import Outcome, get_outcome

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

# --------------------------------------------------------------------------- periods


@dataclass
class PeriodDefinition:
    """Pre and post periods of one outcome, with each window's role (``helpers.chapters.pilot_summary.period_text``
    explains them in a sentence)."""

    outcome_id: str
    pre_years: list[int]
    post_years: list[int]
    municipalities: tuple[str, ...]  # the pilot municipalities analysed (codes): Tornio's and Raisio's timing
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

    Raises ParameterError with the reason; returns the definition, with ``municipalities`` (codes;
    default all six) so the chapter can mention Tornio's and Raisio's timing.
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
    codes = tuple(sorted(set(pilot_timing() if municipalities is None else municipalities)))
    return PeriodDefinition(outcome.id, pre, post, codes, windows)


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


def _names(codes: Iterable[str], year: int = REFERENCE_YEAR) -> dict[str, tuple[str, str]]:
    from helpers.data import municipalities as muni

    ref = muni.reference(year).set_index("municipality_code")
    return {c: (str(ref.at[c, "name_fi"]), str(ref.at[c, "name_sv"])) for c in codes if c in ref.index}
