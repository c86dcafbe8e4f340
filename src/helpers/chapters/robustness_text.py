"""Sentences of the robustness chapter, and the pilot chapter's headline, from collected results.

Every sentence is built from numbers handed in (the summary of the sweep's recorded results,
``helpers.analysis.robustness.summarise_specifications``; the leave-one-out and placebo-in-time
frames); no estimate is computed here. Words are English; numbers follow ``lang`` (en, fi, sv).
A negative estimate is the favourable direction for every outcome of the grid (a fall in
unemployment, disadvantage or social assistance).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from helpers.text import format_number, format_percent

SCALE_WORDS = {"level": "in levels", "log": "in logs"}


def lower_first(label: str) -> str:
    """'Unemployment rate' -> 'unemployment rate', keeping names inside ('Diak index') as written."""
    return label[:1].lower() + label[1:]


def _n(value: float, lang: str) -> str:
    return format_number(value, 0, lang=lang)


def _x(value: float, lang: str, digits: int = 2) -> str:
    return format_number(value, digits, signed=True, lang=lang)


def _pct(share: float, lang: str) -> str:
    return format_percent(100.0 * share, 0, lang=lang)


def direction_phrase(n_negative: int, n_positive: int, lang: str = "en") -> str:
    """How the signs of ``n_negative + n_positive`` (+ zeros) estimates split, in words."""
    n = n_negative + n_positive
    if n == 0:
        return "no estimate has a sign"
    if n_negative == n:
        return f"all {_n(n, lang)} estimates are negative (the favourable direction)"
    if n_positive == n:
        return f"all {_n(n, lang)} estimates are positive (the unfavourable direction)"
    majority, minority = max(n_negative, n_positive), min(n_negative, n_positive)
    word = "negative (favourable)" if n_negative > n_positive else "positive (unfavourable)"
    if n_negative == n_positive:
        return f"the estimates split evenly: {_n(n_negative, lang)} negative and {_n(n_positive, lang)} positive"
    if majority >= 0.9 * n:
        return f"{_n(majority, lang)} of {_n(n, lang)} estimates are {word}, {_n(minority, lang)} the other way"
    return (
        f"the sign depends on the choices: {_n(n_negative, lang)} estimates are negative (favourable) and "
        f"{_n(n_positive, lang)} positive (unfavourable)"
    )


def outcome_rows(summary: Mapping[str, Any], outcome: str) -> pd.DataFrame:
    """The summary's rows (one per scale) of one outcome."""
    rows = summary["by_outcome"]
    found = rows[rows["outcome"] == outcome]
    if found.empty:
        raise ValueError(f"the summary has no specifications of outcome {outcome!r}: {sorted(rows['outcome'])}")
    return found.sort_values("scale")


def outcome_sentence(row: Mapping[str, Any], label: str, unit: str, lang: str = "en") -> str:
    """One outcome and scale: how many specifications, their range, median, signs and placebo p."""
    n = int(row["n"])
    n_negative = round(float(row["share_negative"]) * n)
    n_positive = round(float(row["share_positive"]) * n)
    n_below = round(float(row["share_placebo_p_below"]) * n)
    digits = 3 if row["scale"] == "log" else 2  # log points are small numbers
    return (
        f"For {lower_first(label)} {SCALE_WORDS.get(str(row['scale']), str(row['scale']))} ({unit}), "
        f"{direction_phrase(n_negative, n_positive, lang)}; they run from {_x(row['min_estimate'], lang, digits)} to "
        f"{_x(row['max_estimate'], lang, digits)} (median {_x(row['median_estimate'], lang, digits)}), and "
        f"{_n(n_below, lang)} of {_n(n, lang)} have a placebo p below {format_number(0.1, 1, lang=lang)}."
    )


def overall_sentence(overall: Mapping[str, Any], lang: str = "en") -> str:
    """All specifications of all outcomes together (signs and placebo p only: units differ)."""
    n = int(overall["n_specifications"])
    alpha = format_number(float(overall["alpha"]), 1, lang=lang)
    below = int(overall["n_placebo_p_below"])
    negative_below = round(float(overall["share_negative_and_p_below"]) * n)
    positive_below = round(float(overall["share_positive_and_p_below"]) * n)
    return (
        f"Over all {_n(n, lang)} specifications of the {_n(overall['n_outcomes'], lang)} outcomes, "
        f"{direction_phrase(int(overall['n_negative']), int(overall['n_positive']), lang)}; "
        f"{_n(below, lang)} ({_pct(below / n, lang)}) have a placebo p below {alpha}, "
        f"{_n(negative_below, lang)} of them negative and {_n(positive_below, lang)} positive."
    )


def pilot_headline(summary: Mapping[str, Any], outcome: str, label: str, unit: str, lang: str = "en") -> str:
    """Chapter 3's headline: what survives across the specifications of ``outcome`` (both scales),
    then across every outcome, from the collected sweep results (not from the chapter's own run)."""
    rows = outcome_rows(summary, outcome)
    n = int(rows["n"].sum())
    n_negative = round(float((rows["share_negative"] * rows["n"]).sum()))
    n_positive = round(float((rows["share_positive"] * rows["n"]).sum()))
    n_below = round(float((rows["share_placebo_p_below"] * rows["n"]).sum()))
    level = rows[rows["scale"] == "level"]
    spread = ""
    if not level.empty:
        row = level.iloc[0]
        spread = (
            f" In levels the estimates run from {_x(row['min_estimate'], lang)} to {_x(row['max_estimate'], lang)} "
            f"{unit_points(unit)} (median {_x(row['median_estimate'], lang)})."
        )
    agreement = max(n_negative, n_positive) / n if n else 0.0
    if agreement >= 0.9 and n_below >= 0.5 * n:
        verdict = "The direction survives the choices, and most estimates stand out from placebo groups."
    elif agreement >= 0.9:
        verdict = (
            "The direction survives the choices, but most estimates do not stand out from placebo groups of "
            "ordinary municipalities."
        )
    else:
        verdict = "No direction survives across the specifications."
    return (
        f"Across {_n(n, lang)} specifications for {lower_first(label)}, which vary the comparison pool, the "
        f"pre-period, the weighting and the scale, {direction_phrase(n_negative, n_positive, lang)}, and "
        f"{_n(n_below, lang)} have a placebo p below {format_number(float(summary['overall']['alpha']), 1, lang=lang)}."
        f"{spread} {verdict}"
    )


def unit_points(unit: str) -> str:
    """The unit of a difference of ``unit`` values: a percentage is differenced in points."""
    if unit.startswith("%"):
        return "percentage points"
    if unit.startswith("index"):
        return "index points"
    return unit


def leave_one_out_sentence(frame: pd.DataFrame, unit: str, lang: str = "en") -> str:
    """The full estimate, the range without each unit, and the unit whose removal moves it most.

    ``frame``: label, estimate, dropped (None for the full group), change_from_all."""
    full = frame[frame["dropped"].isna()].iloc[0]
    rest = frame[frame["dropped"].notna()]
    biggest = rest.iloc[int(rest["change_from_all"].abs().to_numpy().argmax())]
    flips = rest[(rest["estimate"] > 0) != (full["estimate"] > 0)]
    flip_text = (
        "No single municipality's removal changes the sign."
        if flips.empty
        else f"Without {_names(flips['name'])} the sign changes."
    )
    return (
        f"With all pilot municipalities the estimate is {_x(full['estimate'], lang)} {unit}. Leaving one out at a "
        f"time gives {_x(rest['estimate'].min(), lang)} to {_x(rest['estimate'].max(), lang)}; the largest move comes "
        f"from leaving out {biggest['name']} ({_x(biggest['change_from_all'], lang)}). {flip_text}"
    )


def _names(names: Sequence[str] | pd.Series) -> str:
    items = list(names)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def placebo_in_time_sentence(frame: pd.DataFrame, real: Mapping[str, Any], unit: str, lang: str = "en") -> str:
    """Fake start years: their range, how many a placebo test flags, and the real start beside them.

    ``frame``: fake_start (a year or a window such as "2015–2017", as labelled), estimate, placebo_p,
    one row per fake start, the latest first; ``real``: start, estimate, placebo_p."""
    n = len(frame)
    flagged = frame[frame["placebo_p"] < 0.1]
    latest, earliest = frame.iloc[0], frame.iloc[-1]
    flagged_text = (
        "none has a placebo p below 0.1"
        if flagged.empty
        else f"{_n(len(flagged), lang)} of {_n(n, lang)} have a placebo p below 0.1 ("
        + ", ".join(str(start) for start in flagged["fake_start"])
        + ")"
    )
    return (
        f"Moving the whole design back to fake starts from {earliest['fake_start']} to {latest['fake_start']} "
        f"gives estimates from {_x(frame['estimate'].min(), lang)} to {_x(frame['estimate'].max(), lang)} {unit}, "
        f"where no pilot ran; {flagged_text}. The latest fake start, {latest['fake_start']}, gives "
        f"{_x(latest['estimate'], lang)}; the real start, {real['start']}, gives {_x(real['estimate'], lang)}."
    )


def log_sentence(pairs: pd.DataFrame, label: str, default: Mapping[str, Any], lang: str = "en") -> str:
    """Levels against logs: how many specifications keep their sign, and the default's relative effect.

    ``pairs``: one row per specification in levels with its log twin (level, log columns);
    ``default``: estimate_relative_pct, relative_low, relative_high of the outcome's default in logs."""
    n = len(pairs)
    same = int(((pairs["level"] > 0) == (pairs["log"] > 0)).sum())
    return (
        f"In logs a difference-in-differences compares proportional changes, so a common proportional fall no "
        f"longer makes high-level places fall more in points. Over all outcomes, {_n(same, lang)} of {_n(n, lang)} "
        f"specifications keep their sign when levels are replaced by logs. For {lower_first(label)} the default "
        f"specification in logs is a change of {format_percent(default['estimate_relative_pct'], 1, signed=True, lang=lang)}"
        f" relative to the comparison group (placebo interval "
        f"{format_percent(default['relative_low'], 1, signed=True, lang=lang)} to "
        f"{format_percent(default['relative_high'], 1, signed=True, lang=lang)})."
    )


def interval_sentence(record: Mapping[str, Any], unit: str, lang: str = "en") -> str:
    """The default specification's interval from inverting the placebo test."""
    inside = record["interval_low"] <= 0 <= record["interval_high"]
    return (
        f"For the default specification the estimate is {_x(record['estimate'], lang)} {unit}, and the effects the "
        f"placebo test does not reject at 0.1 run from {_x(record['interval_low'], lang)} to "
        f"{_x(record['interval_high'], lang)}; "
        + ("zero lies inside: the data are compatible with no effect at all." if inside else "zero lies outside.")
    )
