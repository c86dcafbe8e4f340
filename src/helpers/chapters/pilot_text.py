"""The pilot chapter's sentences: what the parameters and the results say, in words glued into the prose."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import cast

import pandas as pd

from helpers.analysis.pilot import REFERENCE_YEAR, PilotAnalysis, pilot_timing
from helpers.analysis.pilot_checks import PilotChecks, placebo_tails
from helpers.chapters.pilot_checks_text import placebo_rule_sentence, placebo_verdict, step_paragraph
from helpers.chapters.pilot_facts import notifications_frame
from helpers.chapters.pilot_summary import ordinal
from helpers.chapters.pilot_tables import (
    code_name,
    context_labels,
    context_order,
    did_unit,
    join_words,
    lower_first,
    national_figure,
    national_method,
    outcome_label,
    single_name,
    years_text,
)
from helpers.errors import DataError
from helpers.i18n import N_, _, translated
from helpers.text import format_number


def context_paragraph(context: pd.DataFrame, lang: str = "en") -> str:
    """Sentences on where the analysed pilot municipalities stand in 2019 (any number of them)."""
    parts = []
    for ind in context_order():
        g = context[context["indicator_id"] == ind].dropna(subset=["value"]).sort_values("value", ascending=False)
        if g.empty:
            continue
        label = context_labels(lang)[ind].split(" (")[0]
        unit = "\u00a0€" if lang != "en" and ind == 453 else " €" if ind == 453 else "\u00a0%" if lang != "en" else " %"
        median = float(g["median"].iloc[0])
        national = float(national_figure(g).iloc[0])
        how = national_method(g, lang)[0]
        n_all = int(g["n_municipalities"].iloc[0])
        above = int((g["value"] > median).sum())
        top = g.iloc[0]
        bottom = g.iloc[-1]
        if len(g) == 1:
            lead = _(
                "**{label}**: {name} {value}{unit}, {rank} highest of {n} municipalities",
                lang,
                label=label,
                name=single_name(top["name_fi"], top["name_sv"], lang),
                value=format_number(top["value"], 1, lang=lang),
                unit=unit,
                rank=ordinal(int(top["rank_from_highest"]), lang),
                n=n_all,
            )
        else:
            lead = _(
                "**{label}**: {above} of the {k} pilot municipalities were above the median municipality; the "
                "highest was {top} ({top_value}{unit}, {rank} of {n}) and the lowest {bottom} ({bottom_value}{unit})",
                lang,
                label=label,
                above=above,
                k=len(g),
                top=single_name(top["name_fi"], top["name_sv"], lang),
                top_value=format_number(top["value"], 1, lang=lang),
                unit=unit,
                rank=ordinal(int(top["rank_from_highest"]), lang),
                n=n_all,
                bottom=single_name(bottom["name_fi"], bottom["name_sv"], lang),
                bottom_value=format_number(bottom["value"], 1, lang=lang),
            )
        parts.append(
            lead
            + ". "
            + _(
                "Median municipality {median}{unit}; national figure {national}{unit}, {how}.",
                lang,
                median=format_number(median, 1, lang=lang),
                unit=unit,
                national=format_number(national, 1, lang=lang),
                how=how,
            )
        )
    return "\n".join(f"- {p}" for p in parts)


def notifications_paragraph(frame: pd.DataFrame | None = None, lang: str = "en") -> str:
    """The published shares in a sentence per distribution (never completed to 100 %)."""
    frame = notifications_frame(lang) if frame is None else frame
    out = []
    for table, lead in (
        ("all_notifications", N_("Of Kela's notifications to municipal social work, {items}.")),
        ("need_for_social_work", N_("Of the notifications about a need for social work, {items}.")),
    ):
        g = frame[frame["table"] == table]
        if g.empty:
            raise DataError(f"data/facts/kela_notifications.csv has no rows for table {table!r}")
        if table == "need_for_social_work":
            items = [
                _("{share} were about {category}", lang, share=r.share_label, category=str(r.category).lower())
                for r in g.itertuples()
            ]
        else:
            items = [f"{r.share_label} {lower_first(str(r.category))}" for r in g.itertuples()]
        total = format_number(float(g["published_total_pct"].iloc[0]), 0, lang=lang)
        out.append(
            translated(lead, lang, items=join_words(items, lang))
            + " "
            + _(
                "The published shares add up to {total} %; the study does not break down the rest, and the book "
                "leaves it as published.",
                lang,
                total=total,
            )
        )
    return " ".join(out)


def _group_phrase(n: int, lang: str = "en") -> str:
    return _("the pilot municipality", lang) if n == 1 else _("the pilot municipalities", lang)


def _comparison_sentence(analysis: PilotAnalysis, figures: Mapping[str, str], lang: str = "en") -> str:
    pool = analysis.comparison
    p = analysis.parameters
    n = len(pool)
    treated = analysis.treated.sort_values("name_fi")
    if pool.method == "all":
        text = _(
            "The comparison group is every other municipality with a value in every year of the outcome: "
            "{n} municipalities",
            lang,
            n=n,
        )
    elif pool.method in ("same_region", "same_urban_rural_group"):
        col = "region" if pool.method == "same_region" else "urban_rural"
        groups = sorted(set(str(v) for v in pool.table.get(col, pd.Series(dtype=str)).dropna()))
        if pool.method == "same_region":
            what = _("region", lang) if len(groups) == 1 else _("regions", lang)
        else:
            what = _("urban–rural group", lang) if len(groups) == 1 else _("urban–rural groups", lang)
        text = _(
            "The comparison group is the {n} other municipalities in the same {what} ({groups}) with complete data",
            lang,
            n=n,
            what=what,
            groups=join_words(groups, lang),
        )
    else:
        k = int(p["n_matched"])
        if len(treated) == 1:
            row = treated.iloc[0]
            name = single_name(cast(str, row["name_fi"]), cast(str, row["name_sv"]), lang)
            if k == 1:
                whom = _("the {k} municipality closest to {name}", lang, k=k, name=name)
            else:
                whom = _("the {k} municipalities closest to {name}", lang, k=k, name=name)
        elif k == 1:
            whom = _("the {k} municipality closest to each pilot municipality", lang, k=k)
        else:
            whom = _("the {k} municipalities closest to each pilot municipality", lang, k=k)
        text = _(
            "The comparison group is matched: {whom} before the pilot in level and trend of the outcome ({years}) "
            "and in population ({year}), each neighbour used once ({n} in all; the table after Figure {figure} "
            "lists them). Because the matching already uses the pre-period trend, a flat pre-period in the event "
            "study is partly built in and checks little here; the robustness layer's level-matched pool "
            "(helpers.analysis.robustness.level_matched_pool) matches on level and population only, leaving "
            "the trend as a check",
            lang,
            whom=whom,
            years=years_text(analysis.periods.pre_years, lang),
            year=REFERENCE_YEAR,
            n=n,
            figure=figures["trends"],
        )
    excluded = sorted(set(pilot_timing()) - set(p["municipalities"]))
    if excluded:
        names = sorted(single_name(pilot_timing()[c].name_fi, pilot_timing()[c].name_sv, lang) for c in excluded)
        text += ". " + (
            _(
                "The other pilot municipality ({names}) is left out of the comparison group, because the pilot "
                "may have affected it too",
                lang,
                names=join_words(names, lang),
            )
            if len(names) == 1
            else _(
                "The other pilot municipalities ({names}) are left out of the comparison group, because the "
                "pilot may have affected them too",
                lang,
                names=join_words(names, lang),
            )
        )
    text += "."
    if p["weighting"] == "population":
        weighting = _(
            "Means are weighted by population ({source}), so large municipalities count more",
            lang,
            source=_("population 31 Dec 2017 from THL's Sotkanet (CC BY 4.0)", lang),
        )
    else:
        weighting = _("Every municipality counts equally in the means (weighting='equal')", lang)
    if p["weighting"] == "population" and len(treated) > 1:
        top = analysis.treated.sort_values("weight_share", ascending=False).iloc[0]
        weighting += "; " + _(
            "{name} alone carries {share} of the pilot group's weight",
            lang,
            name=single_name(top["name_fi"], top["name_sv"], lang),
            share=f"{format_number(100 * float(top['weight_share']), 0, lang=lang)}"
            + ("\u00a0%" if lang != "en" else " %"),
        )
    return text + " " + weighting + "."


HIGHER_MEANS = {
    "unemployment_rate": N_("more unemployment"),
    "diak_long_term_social_assistance_25_64": N_(
        "more long-term social assistance receipt relative to the median municipality"
    ),
    "diak_supplementary_social_assistance": N_("more supplementary assistance relative to the median municipality"),
    "diak_long_term_unemployment": N_("more long-term unemployment relative to the median municipality"),
    "families_social_assistance_pct": N_("more families with children receiving social assistance"),
}


def _direction(x: float, lang: str = "en") -> str:
    return _("fell", lang) if x < 0 else _("rose", lang) if x > 0 else _("stayed the same", lang)


def _estimate_paragraph(analysis: PilotAnalysis, lang: str = "en") -> str:
    d = analysis.did
    o = analysis.outcome
    unit = did_unit(str(analysis.numbers["unit"]), lang)
    n = d.n_treated
    who = _group_phrase(n, lang)
    label = lower_first(outcome_label(o.label, lang))
    if n == 1:
        row = analysis.treated.iloc[0]
        own = _("In {name} the {label}", lang, name=single_name(row["name_fi"], row["name_sv"], lang), label=label)
    elif analysis.parameters["weighting"] == "equal":
        own = _("In {who} the mean of the {label}", lang, who=who, label=label)
    else:
        own = _("In {who} the population-weighted mean of the {label}", lang, who=who, label=label)
    t_change, c_change = d.treated_change, d.control_change
    text = (
        _(
            "{own} {direction} by {change} {unit} between the pre-period and the post-period; in the comparison "
            "group it {control_direction} by {control_change} {unit}.",
            lang,
            own=own,
            direction=_direction(t_change, lang),
            change=format_number(abs(t_change), 2, lang=lang),
            unit=unit,
            control_direction=_direction(c_change, lang),
            control_change=format_number(abs(c_change), 2, lang=lang),
        )
        + " "
    )
    est = d.estimate
    if est == 0:
        text += _("The difference of the two changes, the difference-in-differences estimate, is zero.", lang)
    else:
        higher = translated(HIGHER_MEANS[o.id], lang) if o.id in HIGHER_MEANS else _("more of the outcome", lang)
        text += _(
            "The difference of the two changes, the difference-in-differences estimate, is **{estimate} {unit}**: "
            "{who} moved {size} {unit} further {way} than the comparison group (higher values mean {higher}). "
            "Whether that difference has anything to do with the pilot is what the rest of this section checks.",
            lang,
            estimate=format_number(est, 2, signed=True, lang=lang),
            unit=unit,
            who=who,
            size=format_number(abs(est), 2, lang=lang),
            way=_("down", lang) if est < 0 else _("up", lang),
            higher=higher,
        )
    return text


def _pre_trend_paragraph(analysis: PilotAnalysis, checks: PilotChecks | None = None, lang: str = "en") -> str:
    nums = analysis.numbers
    slope, proj = float(cast(float, nums["pre_trend_per_year"])), float(cast(float, nums["pre_trend_projection"]))
    unit = did_unit(str(nums["unit"]), lang)
    est = analysis.did.estimate
    es = analysis.event_study
    pre = analysis.periods.pre_years
    label = "year_mid " if analysis.outcome.time_variable == "year_mid" else ""
    parts = [step_paragraph(analysis, checks, lang)] if checks is not None else []
    if math.isfinite(slope):
        parts.append(
            _(
                "Before the pilot the gap between {who} and the comparison group changed by {slope} {unit} a year "
                "({years}). Had that trend simply continued, it would by itself give a difference-in-differences "
                "of {projection} {unit}",
                lang,
                who=_group_phrase(analysis.did.n_treated, lang),
                slope=format_number(slope, 2, signed=True, lang=lang),
                unit=unit,
                years=label + years_text(pre, lang),
                projection=format_number(proj, 2, signed=True, lang=lang),
            )
        )
        if abs(proj) >= 0.5 * abs(est) and est != 0:
            parts[-1] += _(
                ", at least half of the estimate: **the parallel-trends assumption is doubtful here**, "
                "and the event study says more than the single number.",
                lang,
            )
        else:
            parts[-1] += _(
                ", against the estimate of {estimate} {unit}. A straight line through the pre-period smooths over "
                "a step such as the one the split above shows, so the slope alone does not clear the assumption.",
                lang,
                estimate=format_number(est, 2, signed=True, lang=lang),
                unit=unit,
            )
    else:
        parts.append(_("With a single pre-period year there is no pre-period trend to check.", lang))
    if {"placebo_low", "placebo_high"} <= set(es.columns):
        outside = es[(es["relative_to_base"] < es["placebo_low"]) | (es["relative_to_base"] > es["placebo_high"])]
        pre_out = [int(y) for y in outside["year"] if int(y) in pre]
        post_out = [int(y) for y in outside["year"] if int(y) in analysis.periods.post_years]
        other_out = [int(y) for y in outside["year"] if int(y) not in pre and int(y) not in analysis.periods.post_years]
        if pre_out and len(pre_out) == 1:
            parts.append(
                _(
                    "In the event study the pre-period value for {years} lies outside the placebo band: the gap "
                    "between the groups was already moving more than it does between random groups before the "
                    "pilot began.",
                    lang,
                    years=label + years_text(pre_out, lang),
                )
            )
        elif pre_out:
            parts.append(
                _(
                    "In the event study the pre-period values for {years} lie outside the placebo band: the "
                    "gap between the groups was already moving more than it does between random groups before the "
                    "pilot began.",
                    lang,
                    years=label + years_text(pre_out, lang),
                )
            )
        else:
            parts.append(
                _(
                    "In the event study every pre-period value lies inside the placebo band: before the pilot "
                    "the gap moved no more than it does between random groups of municipalities.",
                    lang,
                )
            )
        if len(post_out) == 1:
            parts.append(
                _("Post-period value outside the band: {years}.", lang, years=label + years_text(post_out, lang))
            )
        elif post_out:
            parts.append(
                _("Post-period values outside the band: {years}.", lang, years=label + years_text(post_out, lang))
            )
        else:
            parts.append(_("No post-period value lies outside the band.", lang))
        if other_out:
            parts.append(
                _(
                    "Outside the band in years used in neither period: {years}.",
                    lang,
                    years=label + years_text(other_out, lang),
                )
            )
    return " ".join(parts)


def _placebo_paragraph(analysis: PilotAnalysis, lang: str = "en") -> str:
    pl = analysis.placebo
    if pl is None:
        return _(
            "The placebo check is switched off in this run (n_placebo=0), so the estimate has no "
            "yardstick: it cannot be told apart from ordinary differences between municipalities.",
            lang,
        )
    unit = str(analysis.numbers["unit"])
    k = pl.group_size
    n = format_number(pl.n_placebo, 0, lang=lang)
    tails = placebo_tails(pl.pilot_estimate, pl.estimates)
    if pl.exhaustive and k == 1:
        how = _("All {n} possible sets of {k} comparison municipality", lang, n=n, k=k)
    elif pl.exhaustive:
        how = _("All {n} possible sets of {k} comparison municipalities", lang, n=n, k=k)
    elif k == 1:
        how = _("{n} random sets (seed {seed}) of {k} comparison municipality", lang, n=n, seed=pl.seed, k=k)
    else:
        how = _("{n} random sets (seed {seed}) of {k} comparison municipalities", lang, n=n, seed=pl.seed, k=k)
    text = (
        _(
            "{how} were treated as if they had been in the pilot, with the same timing, and the same estimate "
            "was computed for each.",
            lang,
            how=how,
        )
        + " "
        + placebo_rule_sentence(tails, pl.pilot_estimate, unit, lang)
        + " "
        + placebo_verdict(tails.p_value, pl.n_placebo, lang)
    )
    return text


def _caveat_items(analysis: PilotAnalysis, figures: Mapping[str, str], lang: str = "en") -> list[str]:
    o = analysis.outcome
    p = analysis.parameters
    if o.time_variable == "year_mid":
        covid_tail = _(
            ", except that Diak's year_mid 2019 window (2018–2020) already contains it and is therefore left out "
            "as well.",
            lang,
        )
    elif o.id == "unemployment_rate":
        covid_tail = ". " + _("The 2020 unemployment figures cover January–October only.", lang)
    else:
        covid_tail = "."
    items = [
        _(
            "**Aggregates, not the pilot's clients.** The outcome covers {what}. The pilot's target group, "
            "long-term unemployed clients over 25, is only part of it, so even a real effect on the clients could "
            "be too small to see here, and a difference here need not come from the pilot.",
            lang,
            what=_("the whole labour force of each municipality", lang)
            if o.id == "unemployment_rate"
            else _("all residents the indicator counts in each municipality", lang),
        ),
        _(
            "**Not a randomised experiment.** The pilot municipalities were selected for the pilot, not "
            "drawn at random; the comparison group shows what happened elsewhere, not what would have "
            "happened in the pilot municipalities without the pilot. Other local changes in 2018–2019 "
            "(the economy, other projects, Kela's new role since 2017) move the same figures.",
            lang,
        ),
        _(
            "**COVID-19.** 2020 is the first pandemic year; unemployment jumped everywhere. It is drawn "
            "in the charts but used in neither period",
            lang,
        )
        + covid_tail,
        (
            _(
                "**Diak values are an index relative to the median municipality** (median = 100), "
                "averaged over three years: a nationwide rise or fall does not show, and each value mixes "
                "pilot and non-pilot years.",
                lang,
            )
            if o.time_variable == "year_mid"
            else _(
                "**The Diak outcomes** (the other choices of the `outcome` parameter) are indices "
                "relative to the median municipality, averaged over three years: a nationwide change does "
                "not show in them, and each value mixes pilot and non-pilot years.",
                lang,
            )
        ),
        _(
            "**Pre-trends.** The estimate assumes that without the pilot the gap between the groups would "
            "have stayed as it was; the event study (Figure {figure}) shows how far that held before 2018.",
            lang,
            figure=figures["event_study"],
        ),
        _(
            "**What the evaluation itself measured is not here.** THL's final report (2020) followed the "
            "clients with AVAIN and drew on statistics from THL, Kela and others; its outcome figures are not "
            "in the public material available to this book, and the book does not estimate them.",
            lang,
        ),
    ]
    if "851" in p["municipalities"]:
        items.append(
            _(
                "**{tornio}** took part in 2018 only; its estimate uses only post-period values that contain 2018.",
                lang,
                tornio=code_name("851", lang),
            )
        )
    if "680" in p["municipalities"]:
        items.append(
            _(
                "**{raisio}** dates its own pilot from 1 Nov 2017, so its last pre-period year contains two "
                "pilot months.",
                lang,
                raisio=code_name("680", lang),
            )
        )
    if analysis.placebo is not None and analysis.placebo.n_ranked < 20:
        items.append(
            _(
                "**Few placebo sets.** With a comparison group of {n} the placebo check has only {k} sets and "
                "cannot rank the estimate meaningfully; use comparison='all' or more matched neighbours.",
                lang,
                n=len(analysis.comparison),
                k=format_number(analysis.placebo.n_placebo, 0, lang=lang),
            )
        )
    return items
