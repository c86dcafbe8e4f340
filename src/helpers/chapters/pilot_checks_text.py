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
from helpers.chapters.wording import join_names, span_text
from helpers.text import format_number, format_percent

DEFAULT_OUTCOME = (
    "diak_long_term_social_assistance_25_64"  # helpers.chapters.pilot.Params' default (a test holds them equal)
)
DEFAULT_ALPHA = 0.1  # a placebo p-value below this is called "few random sets show a difference this large"


def signed(x: float) -> str:
    return format_number(x, 2, signed=True)


def p_text(p: float | None) -> str:
    return "no placebo draws" if p is None or (isinstance(p, float) and math.isnan(p)) else format_number(p, 3)


def index_label(outcome, years: Sequence[int]) -> str:
    return ("year_mid " if outcome.time_variable == "year_mid" else "") + span_text(list(years))


def placebo_rule_sentence(tails: PlaceboTails, estimate: float, unit: str) -> str:
    """One consistent statement of the placebo p-value (signed, equal tails, (k + 1) / (n + 1))."""
    n = tails.n_placebo
    return (
        f"Of the {format_number(n, 0)} placebo estimates, {format_number(tails.n_at_or_below, 0)} are at or "
        f"below the pilot's {signed(estimate)} {unit} and {format_number(tails.n_at_or_above, 0)} at or above it. "
        f"The placebo p-value takes the smaller of the two counts, adds the pilot's own estimate and doubles "
        f"the share for the two tails: 2 × ({format_number(tails.n_in_tail, 0)} + 1) / "
        f"({format_number(n, 0)} + 1) = **{p_text(tails.p_value)}** (at most 1). The placebo estimates are "
        f"centred on {signed(tails.median)} {unit}, not on zero; counting each tail with its sign respects "
        "that, where comparing absolute sizes would not."
    )


def placebo_verdict(p: float, n_placebo: int) -> str:
    if n_placebo < 19:
        return (
            f"With only {format_number(n_placebo, 0)} placebo sets the check cannot say much: the smallest "
            "p-value it can give is large. Use a larger comparison group (more matched neighbours, or "
            "comparison='all') for a usable placebo distribution."
        )
    if p >= DEFAULT_ALPHA:
        return (
            "An estimate of this size is common among randomly chosen municipalities: these public "
            "aggregate statistics cannot tell a pilot effect apart from ordinary differences between "
            "municipalities."
        )
    return (
        "Few random sets show a difference this large. This is a difference between municipalities in "
        "public aggregate statistics, not evidence that the pilot caused it: the checks below show how "
        "much of it was there before the pilot began and how much rests on one municipality."
    )


def step_paragraph(analysis: PilotAnalysis, checks: PilotChecks) -> str:
    """The event study's split of the estimate, the placebo in time and the last pre-period year alone."""
    o = analysis.outcome
    unit = str(analysis.numbers["unit"])
    est = analysis.did.estimate
    s = checks.step
    base = index_label(o, [s.base_year])
    parts = []
    if s.earlier_pre_years:
        parts.append(
            f"The event study splits the estimate in two. Relative to {base}, the gap between the groups "
            f"averaged {signed(s.earlier_pre_mean)} {unit} in {index_label(o, s.earlier_pre_years)} and "
            f"{signed(s.post_mean)} {unit} in the post-period. So {signed(s.before_base)} of the "
            f"{signed(est)} {unit} had happened by {base}, before the pilot began, and {signed(s.after_base)} "
            f"came after it."
        )
    else:
        parts.append(f"With {base} as the only pre-period {o.time_variable}, the whole estimate is the move after it.")
    f = checks.fake_start
    if f is not None:
        parts.append(
            f"A placebo in time moves the whole design back to a fake start in {index_label(o, [f['fake_start']])} "
            f"(pre-period {index_label(o, f['pre_years'])}, post-period {index_label(o, f['post_years'])}), when "
            f"there was no pilot: it gives {signed(f['estimate'])} {unit} (placebo p-value {p_text(f['placebo_p'])})."
        )
    last = checks.last_pre_year
    if s.earlier_pre_years:
        parts.append(
            f"With {index_label(o, last['pre_years'])} alone as the pre-period the estimate is "
            f"{signed(last['estimate'])} {unit} (placebo p-value {p_text(last['placebo_p'])})."
        )
    return " ".join(parts)


def leave_one_out_paragraph(analysis: PilotAnalysis, checks: PilotChecks) -> str:
    if checks.leave_one_out is None or checks.largest_drop is None:
        return "With one municipality analysed there is nothing to leave out."
    unit = str(analysis.numbers["unit"])
    top = checks.largest_drop
    loo = checks.leave_one_out
    rest = loo[loo["dropped"].notna() & (loo["dropped"] != top["dropped"])]
    weights = analysis.treated.set_index("municipality_code")["weight_share"]
    weight = (
        f" (weight {format_percent(100 * float(weights[top['dropped']]), 0)} of the pilot group)"
        if analysis.parameters["weighting"] == "population"
        else ""
    )
    text = (
        f"Leaving out one pilot municipality at a time moves the estimate most when {top['name_fi']} goes"
        f"{weight}: without it the estimate is {signed(top['estimate'])} {unit} instead of "
        f"{signed(analysis.did.estimate)}, and {top['name_fi']}'s own estimate against the same comparison "
        f"group is {signed(top['own_estimate'])}."
    )
    if top["sign_flips"]:
        text += " The sign of the estimate changes without it."
    if len(rest):
        text += (
            f" Without any one of the others it lies between {signed(float(rest['estimate'].min()))} and "
            f"{signed(float(rest['estimate'].max()))} {unit}."
        )
    own = loo[loo["dropped"].notna()]
    against = own[(own["own_estimate"] * analysis.did.estimate) < 0]
    if len(against):
        names = sorted(str(n) for n in against["name_fi"])
        text += f" The own estimate points the other way for {join_names(names)}."
    return text + " The table after the figure lists every municipality left out."


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _finite(x: Any) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(float(x))


def outcomes_paragraph(overview: pd.DataFrame) -> str:
    """What the outcomes' estimates say together (every outcome at its default periods)."""
    ok = [r for r in _records(overview) if r["note"] == ""]
    below = [r for r in ok if _finite(r["placebo_p"]) and float(r["placebo_p"]) < DEFAULT_ALPHA]
    parts = [
        f"The table runs the same design (this run's municipalities, comparison method, weighting and placebo "
        f"draws) for each of the {len(overview)} outcomes at its default periods, with the checks of this section."
    ]
    if below:
        items = [
            f"{str(r['label']).lower() if i else str(r['label'])} ({signed(float(r['estimate']))}, "
            f"p {p_text(float(r['placebo_p']))})"
            for i, r in enumerate(below)
        ]
        parts.append(
            f"{len(below)} of the {len(ok)} estimates {'has' if len(below) == 1 else 'have'} a placebo p-value "
            f"below {format_number(DEFAULT_ALPHA, 1)}: " + join_names(items) + "."
        )
    else:
        parts.append(f"None of the {len(ok)} estimates has a placebo p-value below {format_number(DEFAULT_ALPHA, 1)}.")
    for r in ok:
        est = float(r["estimate"])
        flags = []
        loo = r["loo_estimate"]
        if _finite(loo) and (math.copysign(1, float(loo)) != math.copysign(1, est) or abs(float(loo)) < 0.5 * abs(est)):
            flags.append(f"without {r['loo_name']} it is {signed(float(loo))}")
        fake = r["fake_estimate"]
        if (
            _finite(fake)
            and abs(float(fake)) >= 0.5 * abs(est)
            and math.copysign(1, float(fake)) == math.copysign(1, est)
        ):
            mid = "year_mid " if r["time_variable"] == "year_mid" else ""
            flags.append(
                f"the fake start in {mid}{int(r['fake_start'])} alone gives {signed(float(fake))} "
                f"(p {p_text(r['fake_p'] if _finite(r['fake_p']) else None)})"
            )
        if flags:
            parts.append(f"{r['label']}: estimate {signed(est)}, but " + " and ".join(flags) + ".")
    return " ".join(parts)


def transfer_paragraph(transfer: pd.DataFrame | None, overview: pd.DataFrame) -> str:
    """The Kela transfer of 2017: what cancels in a DiD, and what the families series shows it did."""
    lead = (
        f"Basic social assistance moved from the municipalities to Kela on 1 January {TRANSFER_YEAR}, inside the "
        "pre-period of the annual outcomes and in the last pre-period window of the Diak indices. A shift in "
        "the level of an outcome that is the same in every municipality in a year cancels in a "
        "difference-in-differences: both groups move by it, and the difference of their changes is unaffected."
    )
    if transfer is None:
        return (
            lead
            + " This run's municipalities have no complete families-with-children series, so the book cannot check it."
        )
    b = transfer.set_index("band_label")
    low, high = b.iloc[0], b.iloc[-1]
    top_t = float(high["treated_weight_share"])
    top_c = float(high["control_weight_share"])
    text = (
        f" The data show that the {TRANSFER_YEAR} shift was not the same everywhere. In the share of families "
        f"with children receiving social assistance, the one annual municipal social-assistance series in the "
        f"data through {TRANSFER_YEAR}, the population-weighted mean rose from {TRANSFER_YEAR - 1} to "
        f"{TRANSFER_YEAR} by {signed(float(low['change']))} percentage points in municipalities of under "
        f"{format_number(5000, 0)} residents and by {signed(float(high['change']))} in those of "
        f"{format_number(100000, 0)} or more, growing with size band by band (table below). In this run "
        f"{format_percent(100 * top_t, 0)} of the pilot group's population weight is in the largest band, "
        f"against {format_percent(100 * top_c, 0)} of the comparison group's, so the size mix alone implies a "
        f"{TRANSFER_YEAR} jump {signed(transfer.attrs['mix_change'])} points larger in the pilot group; its "
        f"actual jump was {signed(transfer.attrs['treated_change'])} against "
        f"{signed(transfer.attrs['control_change'])} in the comparison group. A level estimate whose pre-period "
        f"reaches back before {TRANSFER_YEAR} and whose post-period follows it therefore carries part of the "
        "transfer's size-related shift, which pushes the pilot group's estimate up whatever the pilot did."
    )
    fam = [r for r in _records(overview) if r["outcome"] == "families_social_assistance_pct" and r["note"] == ""]
    for r in fam:
        text += (
            f" With {TRANSFER_YEAR} alone as the pre-period, so that both periods come after the transfer, "
            f"the families estimate is {signed(float(r['last_pre_estimate']))} (placebo p-value "
            f"{p_text(r['last_pre_p'] if _finite(r['last_pre_p']) else None)}) against "
            f"{signed(float(r['estimate']))} with the default pre-period."
        )
    text += (
        " The Diak indices divide by the median municipality of each window, so a shift common to all "
        "municipalities cancels in them even before the estimate; a shift that grows with municipal size does not."
    )
    return lead + text


def outcome_choice_sentence(outcome_id: str) -> str:
    """Whether this run uses the chapter's default outcome (the reasons are in the chapter's prose)."""
    if outcome_id == DEFAULT_OUTCOME:
        return "This run uses the chapter's default outcome."
    return (
        f"This run uses another outcome, chosen with the `outcome` parameter (`{outcome_id}`); the chapter's "
        f"default is `{DEFAULT_OUTCOME}`."
    )
