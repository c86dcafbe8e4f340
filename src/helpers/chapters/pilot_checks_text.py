"""The pilot chapter's sentences on the checks of the estimate: the event study's split, the
placebo in time, the last pre-period year alone, leave-one-out, every outcome side by side and the
Kela transfer of 2017 (numbers from :mod:`helpers.analysis.pilot_checks`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from helpers.analysis.pilot import PilotAnalysis
from helpers.analysis.pilot_checks import TRANSFER_YEAR, PilotChecks, PlaceboTails
from helpers.chapters.pilot_tables import did_unit, join_words, outcome_label, single_name, years_text
from helpers.i18n import _
from helpers.text import format_number, format_percent

DEFAULT_OUTCOME = (
    "diak_long_term_social_assistance_25_64"  # helpers.chapters.pilot.Params' default (a test holds them equal)
)
DEFAULT_ALPHA = 0.1  # a placebo p-value below this is called "few random sets show a difference this large"


def signed(x: float, lang: str = "en") -> str:
    return format_number(x, 2, signed=True, lang=lang)


def p_text(p: float | None, lang: str = "en") -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return _("no placebo draws", lang)
    return format_number(p, 3, lang=lang)


def index_label(outcome, years: Sequence[int], lang: str = "en") -> str:
    return ("year_mid " if outcome.time_variable == "year_mid" else "") + years_text(list(years), lang)


def _name(name_fi: str, lang: str) -> str:
    """A municipality the analysis names in Finnish, in the edition's single name."""
    from helpers.analysis.pilot import pilot_timing

    for timing in pilot_timing().values():
        if timing.name_fi == name_fi:
            return single_name(timing.name_fi, timing.name_sv, lang)
    return name_fi


def placebo_rule_sentence(tails: PlaceboTails, estimate: float, unit: str, lang: str = "en") -> str:
    """One consistent statement of the placebo p-value (signed, equal tails, (k + 1) / (n + 1))."""
    n = tails.n_placebo
    return _(
        "Of the {n} placebo estimates, {below} are at or below the pilot's {estimate} {unit} and {above} at or "
        "above it. The placebo p-value takes the smaller of the two counts, adds the pilot's own estimate and "
        "doubles the share for the two tails: 2 × ({tail} + 1) / ({n} + 1) = **{p}** (at most 1). The placebo "
        "estimates are centred on {median} {unit}, not on zero; counting each tail with its sign respects "
        "that, where comparing absolute sizes would not.",
        lang,
        n=format_number(n, 0, lang=lang),
        below=format_number(tails.n_at_or_below, 0, lang=lang),
        above=format_number(tails.n_at_or_above, 0, lang=lang),
        estimate=signed(estimate, lang),
        unit=did_unit(unit, lang),
        tail=format_number(tails.n_in_tail, 0, lang=lang),
        p=p_text(tails.p_value, lang),
        median=signed(tails.median, lang),
    )


def placebo_verdict(p: float, n_placebo: int, lang: str = "en") -> str:
    if n_placebo < 19:
        return _(
            "With only {n} placebo sets the check cannot say much: the smallest "
            "p-value it can give is large. Use a larger comparison group (more matched neighbours, or "
            "comparison='all') for a usable placebo distribution.",
            lang,
            n=format_number(n_placebo, 0, lang=lang),
        )
    if p >= DEFAULT_ALPHA:
        return _(
            "An estimate of this size is common among randomly chosen municipalities: these public "
            "aggregate statistics cannot tell a pilot effect apart from ordinary differences between "
            "municipalities.",
            lang,
        )
    return _(
        "Few random sets show a difference this large. This is a difference between municipalities in "
        "public aggregate statistics, not evidence that the pilot caused it: the checks below show how "
        "much of it was there before the pilot began and how much rests on one municipality.",
        lang,
    )


def step_paragraph(analysis: PilotAnalysis, checks: PilotChecks, lang: str = "en") -> str:
    """The event study's split of the estimate, the placebo in time and the last pre-period year alone."""
    o = analysis.outcome
    unit = did_unit(str(analysis.numbers["unit"]), lang)
    est = analysis.did.estimate
    s = checks.step
    base = index_label(o, [s.base_year], lang)
    parts = []
    if s.earlier_pre_years:
        parts.append(
            _(
                "The event study splits the estimate in two. Relative to {base}, the gap between the groups "
                "averaged {earlier} {unit} in {earlier_years} and {post} {unit} in the post-period. So {before} of "
                "the {estimate} {unit} had happened by {base}, before the pilot began, and {after} came after it.",
                lang,
                base=base,
                earlier=signed(s.earlier_pre_mean, lang),
                unit=unit,
                earlier_years=index_label(o, s.earlier_pre_years, lang),
                post=signed(s.post_mean, lang),
                before=signed(s.before_base, lang),
                estimate=signed(est, lang),
                after=signed(s.after_base, lang),
            )
        )
    else:
        parts.append(
            _(
                "With {base} as the only pre-period {time}, the whole estimate is the move after it.",
                lang,
                base=base,
                time=o.time_variable if o.time_variable == "year_mid" else _("year", lang),
            )
        )
    f = checks.fake_start
    if f is not None:
        parts.append(
            _(
                "A placebo in time moves the whole design back to a fake start in {start} (pre-period {pre}, "
                "post-period {post}), when there was no pilot: it gives {estimate} {unit} (placebo p-value {p}).",
                lang,
                start=index_label(o, [f["fake_start"]], lang),
                pre=index_label(o, f["pre_years"], lang),
                post=index_label(o, f["post_years"], lang),
                estimate=signed(f["estimate"], lang),
                unit=unit,
                p=p_text(f["placebo_p"], lang),
            )
        )
    last = checks.last_pre_year
    if s.earlier_pre_years:
        parts.append(
            _(
                "With {years} alone as the pre-period the estimate is {estimate} {unit} (placebo p-value {p}).",
                lang,
                years=index_label(o, last["pre_years"], lang),
                estimate=signed(last["estimate"], lang),
                unit=unit,
                p=p_text(last["placebo_p"], lang),
            )
        )
    return " ".join(parts)


def leave_one_out_paragraph(analysis: PilotAnalysis, checks: PilotChecks, lang: str = "en") -> str:
    if checks.leave_one_out is None or checks.largest_drop is None:
        return _("With one municipality analysed there is nothing to leave out.", lang)
    unit = did_unit(str(analysis.numbers["unit"]), lang)
    top = checks.largest_drop
    loo = checks.leave_one_out
    rest = loo[loo["dropped"].notna() & (loo["dropped"] != top["dropped"])]
    weights = analysis.treated.set_index("municipality_code")["weight_share"]
    name = _name(str(top["name_fi"]), lang)
    weight = (
        " "
        + _(
            "(weight {share} of the pilot group)",
            lang,
            share=format_percent(100 * float(weights[top["dropped"]]), 0, lang=lang),
        )
        if analysis.parameters["weighting"] == "population"
        else ""
    )
    text = _(
        "Leaving out one pilot municipality at a time moves the estimate most when {name} goes{weight}: without "
        "it the estimate is {without} {unit} instead of {estimate}, and {name}'s own estimate against the "
        "same comparison group is {own}.",
        lang,
        name=name,
        weight=weight,
        without=signed(top["estimate"], lang),
        unit=unit,
        estimate=signed(analysis.did.estimate, lang),
        own=signed(top["own_estimate"], lang),
    )
    if top["sign_flips"]:
        text += " " + _("The sign of the estimate changes without it.", lang)
    if len(rest):
        text += " " + _(
            "Without any one of the others it lies between {low} and {high} {unit}.",
            lang,
            low=signed(float(rest["estimate"].min()), lang),
            high=signed(float(rest["estimate"].max()), lang),
            unit=unit,
        )
    own = loo[loo["dropped"].notna()]
    against = own[(own["own_estimate"] * analysis.did.estimate) < 0]
    if len(against):
        names = sorted(_name(str(n), lang) for n in against["name_fi"])
        text += " " + _("The own estimate points the other way for {names}.", lang, names=join_words(names, lang))
    return text + " " + _("The table after the figure lists every municipality left out.", lang)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _finite(x: Any) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(float(x))


def outcomes_paragraph(overview: pd.DataFrame, lang: str = "en") -> str:
    """What the outcomes' estimates say together (every outcome at its default periods)."""
    ok = [r for r in _records(overview) if r["note"] == ""]
    below = [r for r in ok if _finite(r["placebo_p"]) and float(r["placebo_p"]) < DEFAULT_ALPHA]
    alpha = format_number(DEFAULT_ALPHA, 1, lang=lang)
    parts = [
        _(
            "The table runs the same design (this run's municipalities, comparison method, weighting and placebo "
            "draws) for each of the {n} outcomes at its default periods, with the checks of this section.",
            lang,
            n=len(overview),
        )
    ]
    if below:
        items = []
        for i, r in enumerate(below):
            label = outcome_label(str(r["label"]), lang)
            items.append(
                f"{label.lower() if i else label} ({signed(float(r['estimate']), lang)}, "
                f"p {p_text(float(r['placebo_p']), lang)})"
            )
        parts.append(
            _(
                "{k} of the {n} estimates has a placebo p-value below {alpha}: {items}.",
                lang,
                k=len(below),
                n=len(ok),
                alpha=alpha,
                items=join_words(items, lang),
            )
            if len(below) == 1
            else _(
                "{k} of the {n} estimates have a placebo p-value below {alpha}: {items}.",
                lang,
                k=len(below),
                n=len(ok),
                alpha=alpha,
                items=join_words(items, lang),
            )
        )
    else:
        parts.append(_("None of the {n} estimates has a placebo p-value below {alpha}.", lang, n=len(ok), alpha=alpha))
    for r in ok:
        est = float(r["estimate"])
        flags = []
        loo = r["loo_estimate"]
        if _finite(loo) and (math.copysign(1, float(loo)) != math.copysign(1, est) or abs(float(loo)) < 0.5 * abs(est)):
            flags.append(
                _(
                    "without {name} it is {value}",
                    lang,
                    name=_name(str(r["loo_name"]), lang),
                    value=signed(float(loo), lang),
                )
            )
        fake = r["fake_estimate"]
        if (
            _finite(fake)
            and abs(float(fake)) >= 0.5 * abs(est)
            and math.copysign(1, float(fake)) == math.copysign(1, est)
        ):
            mid = "year_mid " if r["time_variable"] == "year_mid" else ""
            flags.append(
                _(
                    "the fake start in {start} alone gives {value} (p {p})",
                    lang,
                    start=f"{mid}{int(r['fake_start'])}",
                    value=signed(float(fake), lang),
                    p=p_text(r["fake_p"] if _finite(r["fake_p"]) else None, lang),
                )
            )
        if flags:
            parts.append(
                _(
                    "{label}: estimate {estimate}, but {flags}.",
                    lang,
                    label=outcome_label(str(r["label"]), lang),
                    estimate=signed(est, lang),
                    flags=_(" and ", lang).join(flags),
                )
            )
    return " ".join(parts)


def transfer_paragraph(transfer: pd.DataFrame | None, overview: pd.DataFrame, lang: str = "en") -> str:
    """The Kela transfer of 2017: what cancels in a DiD, and what the families series shows it did."""
    lead = _(
        "Basic social assistance moved from the municipalities to Kela on 1 January {year}, inside the "
        "pre-period of the annual outcomes and in the last pre-period window of the Diak indices. A shift in "
        "the level of an outcome that is the same in every municipality in a year cancels in a "
        "difference-in-differences: both groups move by it, and the difference of their changes is unaffected.",
        lang,
        year=TRANSFER_YEAR,
    )
    if transfer is None:
        return (
            lead
            + " "
            + _(
                "This run's municipalities have no complete families-with-children series, so the book cannot "
                "check it.",
                lang,
            )
        )
    b = transfer.set_index("band_label")
    low, high = b.iloc[0], b.iloc[-1]
    top_t = float(high["treated_weight_share"])
    top_c = float(high["control_weight_share"])
    text = " " + _(
        "The data show that the {year} shift was not the same everywhere. In the share of families with children "
        "receiving social assistance, the one annual municipal social-assistance series in the data through "
        "{year}, the population-weighted mean rose from {previous} to {year} by {low} percentage points in "
        "municipalities of under {small} residents and by {high} in those of {large} or more, growing with size "
        "band by band (table below). In this run {top_t} of the pilot group's population weight is in the "
        "largest band, against {top_c} of the comparison group's, so the size mix alone implies a {year} jump "
        "{mix} points larger in the pilot group; its actual jump was {treated} against {control} in the "
        "comparison group. A level estimate whose pre-period reaches back before {year} and whose post-period "
        "follows it therefore carries part of the transfer's size-related shift, which pushes the pilot group's "
        "estimate up whatever the pilot did.",
        lang,
        year=TRANSFER_YEAR,
        previous=TRANSFER_YEAR - 1,
        low=signed(float(low["change"]), lang),
        small=format_number(5000, 0, lang=lang),
        high=signed(float(high["change"]), lang),
        large=format_number(100000, 0, lang=lang),
        top_t=format_percent(100 * top_t, 0, lang=lang),
        top_c=format_percent(100 * top_c, 0, lang=lang),
        mix=signed(transfer.attrs["mix_change"], lang),
        treated=signed(transfer.attrs["treated_change"], lang),
        control=signed(transfer.attrs["control_change"], lang),
    )
    fam = [r for r in _records(overview) if r["outcome"] == "families_social_assistance_pct" and r["note"] == ""]
    for r in fam:
        text += " " + _(
            "With {year} alone as the pre-period, so that both periods come after the transfer, the families "
            "estimate is {last} (placebo p-value {p}) against {estimate} with the default pre-period.",
            lang,
            year=TRANSFER_YEAR,
            last=signed(float(r["last_pre_estimate"]), lang),
            p=p_text(r["last_pre_p"] if _finite(r["last_pre_p"]) else None, lang),
            estimate=signed(float(r["estimate"]), lang),
        )
    text += " " + _(
        "The Diak indices divide by the median municipality of each window, so a shift common to all "
        "municipalities cancels in them even before the estimate; a shift that grows with municipal size does not.",
        lang,
    )
    return lead + text


def outcome_choice_sentence(outcome_id: str, lang: str = "en") -> str:
    """Whether this run uses the chapter's default outcome (the reasons are in the chapter's prose)."""
    if outcome_id == DEFAULT_OUTCOME:
        return _("This run uses the chapter's default outcome.", lang)
    return _(
        "This run uses another outcome, chosen with the `outcome` parameter (`{outcome}`); the chapter's "
        "default is `{default}`.",
        lang,
        outcome=outcome_id,
        default=DEFAULT_OUTCOME,
    )
