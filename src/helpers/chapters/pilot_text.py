"""The pilot chapter's sentences: what the parameters and the results say, in words glued into the prose."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import cast

import pandas as pd

from helpers.analysis.pilot import REFERENCE_YEAR, PilotAnalysis, pilot_timing
from helpers.analysis.pilot_checks import PilotChecks, placebo_tails
from helpers.chapters.pilot_checks_text import placebo_rule_sentence, placebo_verdict, step_paragraph
from helpers.chapters.pilot_facts import POPULATION_SOURCE, notifications_frame
from helpers.chapters.pilot_summary import ordinal
from helpers.chapters.pilot_tables import context_labels, context_order, national_figure, national_method
from helpers.chapters.wording import bilingual, join_names, plural, span_text
from helpers.errors import DataError
from helpers.text import format_number


def context_paragraph(context: pd.DataFrame) -> str:
    """Sentences on where the analysed pilot municipalities stand in 2019 (any number of them)."""
    parts = []
    for ind in context_order():
        g = context[context["indicator_id"] == ind].dropna(subset=["value"]).sort_values("value", ascending=False)
        if g.empty:
            continue
        label = context_labels()[ind].split(" (")[0].lower()
        unit = " €" if ind == 453 else " %"
        median = float(g["median"].iloc[0])
        national = float(national_figure(g).iloc[0])
        how = national_method(g)[0]
        n_all = int(g["n_municipalities"].iloc[0])
        above = int((g["value"] > median).sum())
        top = g.iloc[0]
        if len(g) == 1:
            lead = (
                f"**{label.capitalize()}**: {top['name_fi']} {format_number(top['value'], 1)}{unit}, "
                f"{ordinal(int(top['rank_from_highest']))} highest of {n_all} municipalities"
            )
        else:
            lead = (
                f"**{label.capitalize()}**: {above} of the {len(g)} pilot municipalities were above the "
                f"median municipality; the highest was {top['name_fi']} ({format_number(top['value'], 1)}{unit}, "
                f"{ordinal(int(top['rank_from_highest']))} of {n_all}) and the lowest "
                f"{g.iloc[-1]['name_fi']} ({format_number(g.iloc[-1]['value'], 1)}{unit})"
            )
        parts.append(
            f"{lead}. Median municipality {format_number(median, 1)}{unit}; national figure "
            f"{format_number(national, 1)}{unit}, {how}."
        )
    return "\n".join(f"- {p}" for p in parts)


def notifications_paragraph(frame: pd.DataFrame | None = None) -> str:
    """The published shares in a sentence per distribution (never completed to 100 %)."""
    frame = notifications_frame() if frame is None else frame
    out = []
    for table, lead in (
        ("all_notifications", "Of Kela's notifications to municipal social work,"),
        ("need_for_social_work", "Of the notifications about a need for social work,"),
    ):
        g = frame[frame["table"] == table]
        if g.empty:
            raise DataError(f"data/facts/kela_notifications.csv has no rows for table {table!r}")
        if table == "need_for_social_work":
            items = [f"{r.share_label} were about {str(r.category).lower()}" for r in g.itertuples()]
        else:
            items = [f"{r.share_label} {str(r.category)[0].lower() + str(r.category)[1:]}" for r in g.itertuples()]
        total = format_number(float(g["published_total_pct"].iloc[0]), 0)
        out.append(
            f"{lead} {join_names(items)}. The published shares add up to {total} %; the study does not "
            "break down the rest, and the book leaves it as published."
        )
    return " ".join(out)


def _group_phrase(n: int) -> str:
    return "the pilot municipality" if n == 1 else "the pilot municipalities"


def _comparison_sentence(analysis: PilotAnalysis, figures: Mapping[str, str]) -> str:
    pool = analysis.comparison
    p = analysis.parameters
    n = len(pool)
    treated_names = [
        bilingual(cast(str, r.name_fi), cast(str, r.name_sv))
        for r in analysis.treated.sort_values("name_fi").itertuples()
    ]
    if pool.method == "all":
        text = (
            f"The comparison group is every other municipality with a value in every year of the "
            f"outcome: {n} municipalities"
        )
    elif pool.method in ("same_region", "same_urban_rural_group"):
        col = "region" if pool.method == "same_region" else "urban_rural"
        groups = sorted(set(str(v) for v in pool.table.get(col, pd.Series(dtype=str)).dropna()))
        what = "region" if pool.method == "same_region" else "urban–rural group"
        text = (
            f"The comparison group is the {n} other municipalities in the same {what}"
            f"{'s' if len(groups) > 1 else ''} ({join_names(groups)}) with complete data"
        )
    else:
        k = int(p["n_matched"])
        whom = f"the {k} {plural(k, 'municipality', 'municipalities')} closest to " + (
            f"{analysis.treated['name_fi'].iloc[0]}" if len(treated_names) == 1 else "each pilot municipality"
        )
        text = (
            f"The comparison group is matched: {whom} before the pilot in level "
            f"and trend of the outcome ({span_text(analysis.periods.pre_years)}) and in population "
            f"({REFERENCE_YEAR}), each neighbour used once ({n} in all; the table after Figure {figures['trends']} lists them). "
            "Because the matching already uses the pre-period trend, a flat pre-period in the event study is "
            "partly built in and checks little here; the robustness layer's level-matched pool "
            "(helpers.analysis.robustness.level_matched_pool) matches on level and population only, leaving "
            "the trend as a check"
        )
    excluded = sorted(set(pilot_timing()) - set(p["municipalities"]))
    if excluded:
        names = sorted(pilot_timing()[c].name_fi for c in excluded)
        text += (
            f". The other pilot {plural(len(names), 'municipality', 'municipalities')} "
            f"({join_names(names)}) {plural(len(names), 'is', 'are')} left out of the comparison "
            "group, because the pilot may have affected them too"
        )
    text += "."
    weighting = (
        f"Means are weighted by population ({POPULATION_SOURCE}), so large municipalities count more"
        if p["weighting"] == "population"
        else "Every municipality counts equally in the means (weighting='equal')"
    )
    if p["weighting"] == "population" and len(treated_names) > 1:
        top = analysis.treated.sort_values("weight_share", ascending=False).iloc[0]
        weighting += (
            f"; {top['name_fi']} alone carries {100 * float(top['weight_share']):.0f} % of the pilot group's weight"
        )
    return text + " " + weighting + "."


HIGHER_MEANS = {
    "unemployment_rate": "more unemployment",
    "diak_long_term_social_assistance_25_64": "more long-term social assistance receipt relative to the median municipality",
    "diak_supplementary_social_assistance": "more supplementary assistance relative to the median municipality",
    "diak_long_term_unemployment": "more long-term unemployment relative to the median municipality",
    "families_social_assistance_pct": "more families with children receiving social assistance",
}


def _direction(x: float) -> str:
    return "fell" if x < 0 else "rose" if x > 0 else "stayed the same"


def _estimate_paragraph(analysis: PilotAnalysis) -> str:
    d = analysis.did
    o = analysis.outcome
    unit = str(analysis.numbers["unit"])
    n = d.n_treated
    who = _group_phrase(n)
    mean = "mean" if analysis.parameters["weighting"] == "equal" else "population-weighted mean"
    if n == 1:
        own = f"In {analysis.treated['name_fi'].iloc[0]} the {o.label[0].lower() + o.label[1:]}"
    else:
        own = f"In {who} the {mean} of the {o.label[0].lower() + o.label[1:]}"
    t_change, c_change = d.treated_change, d.control_change
    text = (
        f"{own} {_direction(t_change)} by {format_number(abs(t_change), 2)} {unit} between the pre-period "
        f"and the post-period; in the comparison group it {_direction(c_change)} by "
        f"{format_number(abs(c_change), 2)} {unit}. "
    )
    est = d.estimate
    if est == 0:
        text += "The difference of the two changes, the difference-in-differences estimate, is zero."
    else:
        way = "down" if est < 0 else "up"
        text += (
            f"The difference of the two changes, the difference-in-differences estimate, is "
            f"**{format_number(est, 2, signed=True)} {unit}**: {who} moved {format_number(abs(est), 2)} {unit} "
            f"further {way} than the comparison group (higher values mean {HIGHER_MEANS.get(o.id, 'more of the outcome')}). "
            "Whether that difference has anything to do with the pilot is what the rest of this section checks."
        )
    return text


def _pre_trend_paragraph(analysis: PilotAnalysis, checks: PilotChecks | None = None) -> str:
    nums = analysis.numbers
    slope, proj = float(cast(float, nums["pre_trend_per_year"])), float(cast(float, nums["pre_trend_projection"]))
    unit = str(nums["unit"])
    est = analysis.did.estimate
    es = analysis.event_study
    pre = analysis.periods.pre_years
    label = "year_mid " if analysis.outcome.time_variable == "year_mid" else ""
    parts = [step_paragraph(analysis, checks)] if checks is not None else []
    if math.isfinite(slope):
        parts.append(
            f"Before the pilot the gap between {_group_phrase(analysis.did.n_treated)} and the comparison "
            f"group changed by {format_number(slope, 2, signed=True)} {unit} a year ({label}{span_text(pre)}). "
            f"Had that trend simply continued, it would by itself give a difference-in-differences of "
            f"{format_number(proj, 2, signed=True)} {unit}"
        )
        if abs(proj) >= 0.5 * abs(est) and est != 0:
            parts[-1] += (
                ", at least half of the estimate: **the parallel-trends assumption is doubtful here**, "
                "and the event study says more than the single number."
            )
        else:
            parts[-1] += (
                f", against the estimate of {format_number(est, 2, signed=True)} {unit}. A straight line "
                "through the pre-period smooths over a step such as the one the split above shows, so "
                "the slope alone does not clear the assumption."
            )
    else:
        parts.append("With a single pre-period year there is no pre-period trend to check.")
    if {"placebo_low", "placebo_high"} <= set(es.columns):
        outside = es[(es["relative_to_base"] < es["placebo_low"]) | (es["relative_to_base"] > es["placebo_high"])]
        pre_out = [int(y) for y in outside["year"] if int(y) in pre]
        post_out = [int(y) for y in outside["year"] if int(y) in analysis.periods.post_years]
        other_out = [int(y) for y in outside["year"] if int(y) not in pre and int(y) not in analysis.periods.post_years]
        if pre_out:
            parts.append(
                f"In the event study the pre-period {plural(len(pre_out), 'value', 'values')} for "
                f"{label}{span_text(pre_out)} {plural(len(pre_out), 'lies', 'lie')} outside the placebo "
                "band: the gap between the groups was already moving more than it does between random groups "
                "before the pilot began."
            )
        else:
            parts.append(
                "In the event study every pre-period value lies inside the placebo band: before the pilot "
                "the gap moved no more than it does between random groups of municipalities."
            )
        if post_out:
            parts.append(
                f"Post-period {plural(len(post_out), 'value', 'values')} outside the band: "
                f"{label}{span_text(post_out)}."
            )
        else:
            parts.append("No post-period value lies outside the band.")
        if other_out:
            parts.append(f"Outside the band in years used in neither period: {label}{span_text(other_out)}.")
    return " ".join(parts)


def _placebo_paragraph(analysis: PilotAnalysis) -> str:
    pl = analysis.placebo
    if pl is None:
        return (
            "The placebo check is switched off in this run (n_placebo=0), so the estimate has no "
            "yardstick: it cannot be told apart from ordinary differences between municipalities."
        )
    unit = str(analysis.numbers["unit"])
    k = pl.group_size
    how = f"All {pl.n_placebo:,} possible sets" if pl.exhaustive else f"{pl.n_placebo:,} random sets (seed {pl.seed})"
    tails = placebo_tails(pl.pilot_estimate, pl.estimates)
    text = (
        f"{how} of {k} comparison {plural(k, 'municipality', 'municipalities')} were treated as if "
        f"{plural(k, 'it', 'they')} had been in the pilot, with the same timing, and the same "
        "estimate was computed for each. "
        + placebo_rule_sentence(tails, pl.pilot_estimate, unit)
        + " "
        + placebo_verdict(tails.p_value, pl.n_placebo)
    )
    return text


def _caveat_items(analysis: PilotAnalysis, figures: Mapping[str, str]) -> list[str]:
    o = analysis.outcome
    p = analysis.parameters
    items = [
        "**Aggregates, not the pilot's clients.** The outcome covers "
        + (
            "the whole labour force of each municipality"
            if o.id == "unemployment_rate"
            else "all residents the indicator counts in each municipality"
        )
        + ". The pilot's target group, long-term unemployed clients over 25, is only part of it, so even "
        "a real effect on the clients could be too small to see here, and a "
        "difference here need not come from the pilot.",
        "**Not a randomised experiment.** The pilot municipalities were selected for the pilot, not "
        "drawn at random; the comparison group shows what happened elsewhere, not what would have "
        "happened in the pilot municipalities without the pilot. Other local changes in 2018–2019 "
        "(the economy, other projects, Kela's new role since 2017) move the same figures.",
        "**COVID-19.** 2020 is the first pandemic year; unemployment jumped everywhere. It is drawn "
        "in the charts but used in neither period"
        + (
            ", except that Diak's year_mid 2019 window (2018–2020) already contains it and is "
            "therefore left out as well."
            if o.time_variable == "year_mid"
            else (". The 2020 unemployment figures cover January–October only." if o.id == "unemployment_rate" else ".")
        ),
        (
            "**Diak values are an index relative to the median municipality** (median = 100), "
            "averaged over three years: a nationwide rise or fall does not show, and each value mixes "
            "pilot and non-pilot years."
            if o.time_variable == "year_mid"
            else "**The Diak outcomes** (the other choices of the `outcome` parameter) are indices "
            "relative to the median municipality, averaged over three years: a nationwide change does "
            "not show in them, and each value mixes pilot and non-pilot years."
        ),
        "**Pre-trends.** The estimate assumes that without the pilot the gap between the groups would "
        f"have stayed as it was; the event study (Figure {figures['event_study']}) shows how far that held "
        "before 2018.",
        "**What the evaluation itself measured is not here.** THL's final report (2020) followed the "
        "clients with AVAIN and drew on statistics from THL, Kela and others; its outcome figures are not "
        "in the public material available to this book, and the book does not estimate them.",
    ]
    if "851" in p["municipalities"]:
        items.append("**Tornio** took part in 2018 only; its estimate uses only post-period values that contain 2018.")
    if "680" in p["municipalities"]:
        items.append(
            "**Raisio** dates its own pilot from 1 Nov 2017, so its last pre-period year contains two pilot months."
        )
    if analysis.placebo is not None and analysis.placebo.n_ranked < 20:
        items.append(
            f"**Few placebo sets.** With a comparison group of {len(analysis.comparison)} the placebo "
            f"check has only {analysis.placebo.n_placebo:,} sets and cannot rank the estimate "
            "meaningfully; use comparison='all' or more matched neighbours."
        )
    return items
