"""Sentences of the robustness chapter, and the pilot chapter's headline, from collected results.

Every sentence is built from numbers handed in (the summary of the sweep's recorded results,
``helpers.analysis.robustness.summarise_specifications``; the leave-one-out and placebo-in-time
frames); no estimate is computed here. Words come from the message catalogue (``_``) and numbers
follow ``lang`` (en, fi, sv). Each sentence is one message with placeholders, so a translation
can order its words freely. A negative estimate is the favourable direction for every outcome of
the grid (a fall in unemployment, disadvantage or social assistance).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from helpers.i18n import N_, _, translated
from helpers.text import format_number, format_percent

ALPHA = 0.1  # the placebo p below which an estimate stands out (the sweep's alpha)
SCALE_WORDS = {"level": N_("in levels"), "log": N_("in logs")}
# Each outcome's label in the message catalogue (English text = helpers.analysis.outcomes' label;
# tests/test_robustness_text.py keeps the two in step).
OUTCOME_LABELS = {
    "unemployment_rate": N_("Unemployment rate"),
    "diak_long_term_social_assistance_25_64": N_("Long-term social assistance recipients aged 25-64 (Diak index)"),
    "diak_supplementary_social_assistance": N_("Supplementary social assistance (Diak index)"),
    "diak_long_term_unemployment": N_("Long-term unemployment (Diak index)"),
    "families_social_assistance_pct": N_("Families with children receiving social assistance"),
}
LOG_POINTS = N_("log points")


def outcome_label(outcome: str, lang: str = "en") -> str:
    """An outcome's label in ``lang`` (the outcome registry's own label in English)."""
    from helpers.analysis.outcomes import get_outcome

    label = OUTCOME_LABELS.get(outcome)
    return translated(label, lang) if label else get_outcome(outcome).label


def lower_first(label: str) -> str:
    """'Unemployment rate' -> 'unemployment rate', keeping names inside ('Diak index') as written."""
    return label[:1].lower() + label[1:]


def _n(value: float, lang: str) -> str:
    return format_number(value, 0, lang=lang)


def _x(value: float, lang: str, digits: int = 2) -> str:
    return format_number(value, digits, signed=True, lang=lang)


def _pct(share: float, lang: str) -> str:
    return format_percent(100.0 * share, 0, lang=lang)


def span(low: str, high: str, lang: str = "en") -> str:
    """Two formatted numbers as a range: '−0.40 to +0.80' (en)."""
    return _("{low} to {high}", lang, low=low, high=high)


def direction_phrase(n_negative: int, n_positive: int, lang: str = "en") -> str:
    """How the signs of ``n_negative + n_positive`` (+ zeros) estimates split, in words."""
    n = n_negative + n_positive
    neg, pos, total = _n(n_negative, lang), _n(n_positive, lang), _n(n, lang)
    if n == 0:
        return _("no estimate has a sign", lang)
    if n_negative == n:
        return _("all {n} estimates are negative (the favourable direction)", lang, n=total)
    if n_positive == n:
        return _("all {n} estimates are positive (the unfavourable direction)", lang, n=total)
    if n_negative == n_positive:
        return _(
            "the estimates split evenly: {negative} negative and {positive} positive", lang, negative=neg, positive=pos
        )
    if max(n_negative, n_positive) >= 0.9 * n:
        if n_negative > n_positive:
            return _(
                "{negative} of {n} estimates are negative (favourable), {positive} the other way",
                lang,
                negative=neg,
                positive=pos,
                n=total,
            )
        return _(
            "{positive} of {n} estimates are positive (unfavourable), {negative} the other way",
            lang,
            negative=neg,
            positive=pos,
            n=total,
        )
    return _(
        "the sign depends on the choices: {negative} estimates are negative (favourable) and {positive} positive "
        "(unfavourable)",
        lang,
        negative=neg,
        positive=pos,
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
    scale = str(row["scale"])
    return _(
        "For {label} {scale} ({unit}), {direction}; they run from {low} to {high} (median {median}), and "
        "{below} of {n} have a placebo p below {alpha}.",
        lang,
        label=lower_first(label),
        scale=translated(SCALE_WORDS[scale], lang) if scale in SCALE_WORDS else scale,
        unit=unit,
        direction=direction_phrase(n_negative, n_positive, lang),
        low=_x(row["min_estimate"], lang, digits),
        high=_x(row["max_estimate"], lang, digits),
        median=_x(row["median_estimate"], lang, digits),
        below=_n(n_below, lang),
        n=_n(n, lang),
        alpha=format_number(ALPHA, 1, lang=lang),
    )


def overall_sentence(overall: Mapping[str, Any], lang: str = "en") -> str:
    """All specifications of all outcomes together (signs and placebo p only: units differ)."""
    n = int(overall["n_specifications"])
    below = int(overall["n_placebo_p_below"])
    return _(
        "Over all {n} specifications of the {outcomes} outcomes, {direction}; {below} ({share}) have a placebo p "
        "below {alpha}, {negative} of them negative and {positive} positive.",
        lang,
        n=_n(n, lang),
        outcomes=_n(overall["n_outcomes"], lang),
        direction=direction_phrase(int(overall["n_negative"]), int(overall["n_positive"]), lang),
        below=_n(below, lang),
        share=_pct(below / n, lang),
        alpha=format_number(float(overall["alpha"]), 1, lang=lang),
        negative=_n(round(float(overall["share_negative_and_p_below"]) * n), lang),
        positive=_n(round(float(overall["share_positive_and_p_below"]) * n), lang),
    )


def pilot_headline(summary: Mapping[str, Any], outcome: str, label: str, unit: str, lang: str = "en") -> str:
    """Chapter 3's headline: what survives across the specifications of ``outcome`` (both scales),
    then across every outcome, from the collected sweep results (not from the chapter's own run).

    ``label``: the outcome's label in ``lang``; ``unit``: its unit as the outcome registry writes it."""
    rows = outcome_rows(summary, outcome)
    n = int(rows["n"].sum())
    n_negative = round(float((rows["share_negative"] * rows["n"]).sum()))
    n_positive = round(float((rows["share_positive"] * rows["n"]).sum()))
    n_below = round(float((rows["share_placebo_p_below"] * rows["n"]).sum()))
    first = _(
        "Across {n} specifications for {label}, which vary the comparison pool, the pre-period, the weighting and "
        "the scale, {direction}, and {below} have a placebo p below {alpha}.",
        lang,
        n=_n(n, lang),
        label=lower_first(label),
        direction=direction_phrase(n_negative, n_positive, lang),
        below=_n(n_below, lang),
        alpha=format_number(float(summary["overall"]["alpha"]), 1, lang=lang),
    )
    level = rows[rows["scale"] == "level"]
    sentences = [first]
    if not level.empty:
        row = level.iloc[0]
        sentences.append(
            _(
                "In levels the estimates run from {low} to {high} {unit} (median {median}).",
                lang,
                low=_x(row["min_estimate"], lang),
                high=_x(row["max_estimate"], lang),
                unit=unit_points(unit, lang),
                median=_x(row["median_estimate"], lang),
            )
        )
    agreement = max(n_negative, n_positive) / n if n else 0.0
    if agreement >= 0.9 and n_below >= 0.5 * n:
        verdict = _("The direction survives the choices, and most estimates stand out from placebo groups.", lang)
    elif agreement >= 0.9:
        verdict = _(
            "The direction survives the choices, but most estimates do not stand out from placebo groups of "
            "ordinary municipalities.",
            lang,
        )
    else:
        verdict = _("No direction survives across the specifications.", lang)
    return " ".join([*sentences, verdict])


def unit_points(unit: str, lang: str = "en") -> str:
    """The unit of a difference of ``unit`` values: a percentage is differenced in points."""
    if unit.startswith("%"):
        return _("percentage points", lang)
    if unit.startswith("index"):
        return _("index points", lang)
    return translated(unit, lang)


def names_list(names: Sequence[str] | pd.Series, lang: str = "en") -> str:
    """'Kuopio', 'Kuopio and Tampere', 'Kuopio, Raisio and Tampere' in ``lang``."""
    items = [str(name) for name in names]
    if len(items) == 1:
        return items[0]
    return _("{first} and {last}", lang, first=", ".join(items[:-1]), last=items[-1])


def leave_one_out_sentence(frame: pd.DataFrame, unit: str, lang: str = "en") -> str:
    """The full estimate, the range without each unit, and the unit whose removal moves it most.

    ``frame``: name (in ``lang``), estimate, dropped (None for the full group), change_from_all."""
    full = frame[frame["dropped"].isna()].iloc[0]
    rest = frame[frame["dropped"].notna()]
    biggest = rest.iloc[int(rest["change_from_all"].abs().to_numpy().argmax())]
    flips = rest[(rest["estimate"] > 0) != (full["estimate"] > 0)]
    flip_text = (
        _("No single municipality's removal changes the sign.", lang)
        if flips.empty
        else _("Without {names} the sign changes.", lang, names=names_list(flips["name"], lang))
    )
    main = _(
        "With all pilot municipalities the estimate is {estimate} {unit}. Leaving one out at a time gives {low} to "
        "{high}; the largest move comes from leaving out {name} ({change}).",
        lang,
        estimate=_x(full["estimate"], lang),
        unit=unit,
        low=_x(rest["estimate"].min(), lang),
        high=_x(rest["estimate"].max(), lang),
        name=biggest["name"],
        change=_x(biggest["change_from_all"], lang),
    )
    return f"{main} {flip_text}"


def placebo_in_time_sentence(frame: pd.DataFrame, real: Mapping[str, Any], unit: str, lang: str = "en") -> str:
    """Fake start years: their range, how many a placebo test flags, and the real start beside them.

    ``frame``: fake_start (a year or a window such as "2015–2017", as labelled), estimate, placebo_p,
    one row per fake start, the latest first; ``real``: start, estimate, placebo_p."""
    n = len(frame)
    flagged = frame[frame["placebo_p"] < ALPHA]
    latest, earliest = frame.iloc[0], frame.iloc[-1]
    alpha = format_number(ALPHA, 1, lang=lang)
    flagged_text = (
        _("none has a placebo p below {alpha}", lang, alpha=alpha)
        if flagged.empty
        else _(
            "{flagged} of {n} have a placebo p below {alpha} ({starts})",
            lang,
            flagged=_n(len(flagged), lang),
            n=_n(n, lang),
            alpha=alpha,
            starts=", ".join(str(start) for start in flagged["fake_start"]),
        )
    )
    return _(
        "Moving the whole design back to fake starts from {earliest} to {latest} gives estimates from {low} to "
        "{high} {unit}, where no pilot ran; {flagged}. The latest fake start, {latest}, gives {latest_estimate}; "
        "the real start, {real}, gives {real_estimate}.",
        lang,
        earliest=earliest["fake_start"],
        latest=latest["fake_start"],
        low=_x(frame["estimate"].min(), lang),
        high=_x(frame["estimate"].max(), lang),
        unit=unit,
        flagged=flagged_text,
        latest_estimate=_x(latest["estimate"], lang),
        real=real["start"],
        real_estimate=_x(real["estimate"], lang),
    )


def log_sentence(pairs: pd.DataFrame, label: str, default: Mapping[str, Any], lang: str = "en") -> str:
    """Levels against logs: how many specifications keep their sign, and the default's relative effect.

    ``pairs``: one row per specification in levels with its log twin (level, log columns);
    ``default``: estimate_relative_pct, relative_low, relative_high of the outcome's default in logs."""
    n = len(pairs)
    same = int(((pairs["level"] > 0) == (pairs["log"] > 0)).sum())
    return _(
        "In logs a difference-in-differences compares proportional changes, so a common proportional fall no "
        "longer makes high-level places fall more in points. Over all outcomes, {same} of {n} specifications keep "
        "their sign when levels are replaced by logs. For {label} the default specification in logs is a change "
        "of {relative} relative to the comparison group (placebo interval {low} to {high}).",
        lang,
        same=_n(same, lang),
        n=_n(n, lang),
        label=lower_first(label),
        relative=format_percent(default["estimate_relative_pct"], 1, signed=True, lang=lang),
        low=format_percent(default["relative_low"], 1, signed=True, lang=lang),
        high=format_percent(default["relative_high"], 1, signed=True, lang=lang),
    )


def interval_sentence(record: Mapping[str, Any], unit: str, lang: str = "en") -> str:
    """The default specification's interval from inverting the placebo test."""
    inside = record["interval_low"] <= 0 <= record["interval_high"]
    main = _(
        "For the default specification the estimate is {estimate} {unit}, and the effects the placebo test does "
        "not reject at {alpha} run from {low} to {high};",
        lang,
        estimate=_x(record["estimate"], lang),
        unit=unit,
        alpha=format_number(ALPHA, 1, lang=lang),
        low=_x(record["interval_low"], lang),
        high=_x(record["interval_high"], lang),
    )
    zero = (
        _("zero lies inside: the data are compatible with no effect at all.", lang)
        if inside
        else _("zero lies outside.", lang)
    )
    return f"{main} {zero}"
