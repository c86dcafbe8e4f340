"""The pilot chapter's page: the analysis with its tables, sentences and captions (``build_chapter``).

Nothing here estimates anything: ``helpers.analysis.pilot`` analyses; ``pilot_facts`` shapes the
fact tables, ``pilot_tables`` the tables and chart frames, ``pilot_text`` the sentences. This module
puts them together for one checked parameter set and re-exports their public names for the notebook.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from helpers.analysis.outcomes import OUTCOMES
from helpers.analysis.pilot import PilotAnalysis, analyse, periods_for, pilot_timing
from helpers.analysis.pilot_checks import (
    PilotChecks,
    in_estimate_tail,
    outcome_overview,
    run_checks,
    transfer_check,
)
from helpers.chapters.pilot_checks_text import (
    DEFAULT_OUTCOME,
    leave_one_out_paragraph,
    outcome_choice_sentence,
    outcomes_paragraph,
    transfer_paragraph,
)
from helpers.chapters.pilot_facts import (
    CONTEXT_SOURCE,
    OUTCOME_SOURCES,
    PILOT_FACTS_SOURCE,
    POPULATION_SOURCE,
    fact_items,
    fact_value,
    municipalities_display_table,
    notifications_frame,
    pilot_facts,
    timeline_milestones,
    timeline_table,
)
from helpers.chapters.pilot_summary import period_text, pilot_notes
from helpers.chapters.pilot_tables import (
    comparison_display_table,
    context_display_table,
    context_frames,
    did_display_table,
    leave_one_out_display_table,
    outcome_overview_display_table,
    parameters_display_table,
    period_bands,
    pilot_names,
    pilot_series_label,
    transfer_display_table,
    treated_display_table,
    trend_frame,
    windows_display_table,
)
from helpers.chapters.pilot_text import (
    _caveat_items,
    _comparison_sentence,
    _estimate_paragraph,
    _placebo_paragraph,
    _pre_trend_paragraph,
    context_paragraph,
    notifications_paragraph,
)
from helpers.chapters.wording import MarkdownText, bilingual, join_names, native, plural, span_text
from helpers.text import format_number


@dataclass
class PilotChapter:
    """Everything the pilot chapter shows for one parameter set."""

    parameters: dict  # the engine's normalised parameters
    analysis: PilotAnalysis
    timeline: pd.DataFrame
    milestones: pd.DataFrame
    context_values: pd.DataFrame
    context_national: pd.DataFrame
    context: pd.DataFrame
    periods_windows: pd.DataFrame  # period rectangles for shading (see period_bands)
    notifications: pd.DataFrame  # the pilot-era study's published shares (notifications_frame)
    checks: PilotChecks  # event-study split, placebo in time, last pre year, leave-one-out (analysis.pilot_checks)
    overview: pd.DataFrame  # every outcome with this run's design (analysis.pilot_checks.outcome_overview)
    transfer: pd.DataFrame | None  # the 2016-2017 families jump by size band (analysis.pilot_checks.transfer_check)
    numbers: dict[str, object] = field(default_factory=dict)  # glue:text values
    texts: dict[str, str] = field(default_factory=dict)  # glue:md paragraphs (MyST)
    captions: dict[str, str] = field(default_factory=dict)

    @property
    def outcome(self):
        return self.analysis.outcome

    def placebo_tail(self):
        """Mask of the placebo estimates in the pilot estimate's own tail (what the p-value counts)."""
        pl = self.analysis.placebo
        return None if pl is None else in_estimate_tail(self.analysis.did.estimate, pl.estimates)


def build_chapter(checked: Mapping, figures: Mapping[str, str]) -> PilotChapter:
    """Run the pilot analysis for checked parameters (``helpers.chapters.pilot.validate``) and prepare the page.

    ``figures`` maps the chapter's figure names to their numbers (from the run plan) for cross-references.
    """
    analysis = analyse(checked)
    p = analysis.parameters
    checks = run_checks(analysis)
    overview = outcome_overview(p)
    transfer = transfer_check(p)
    codes = p["municipalities"]
    o = analysis.outcome
    timeline = timeline_table(codes)
    values, national, context = context_frames(codes)
    windows = period_bands(analysis.periods.windows, o)
    d, nums = analysis.did, analysis.numbers
    pl = analysis.placebo
    names = [pilot_timing()[c].name_fi for c in sorted(codes, key=lambda c: pilot_timing()[c].name_fi)]
    names_bi = [
        bilingual(pilot_timing()[c].name_fi, pilot_timing()[c].name_sv)
        for c in sorted(codes, key=lambda c: pilot_timing()[c].name_fi)
    ]
    facts = pilot_facts()
    notifications = notifications_frame()
    unit = str(nums["unit"])
    time_word = "year" if o.time_variable == "year" else "year_mid"

    numbers: dict[str, object] = {
        "n_treated": d.n_treated,
        "n_comparison": d.n_control,
        "treated_names": join_names(names_bi),
        "outcome_label": o.label,
        "outcome_label_lower": o.label[0].lower() + o.label[1:],
        "outcome_unit": o.unit,
        "did_unit": unit,
        "did_estimate": d.estimate,
        "did_estimate_text": format_number(d.estimate, 2, signed=True),
        "treated_change": d.treated_change,
        "comparison_change": d.control_change,
        "pre_span": span_text(d.pre_years),
        "post_span": span_text(d.post_years),
        "base_year": p["base_year"],
        "time_word": time_word,
        "comparison_method": p["comparison"],
        "weighting": p["weighting"],
        "n_placebo": pl.n_placebo if pl is not None else 0,
        "seed": p["seed"],
        "placebo_n_at_or_below": nums.get("placebo_n_at_or_below", 0),
        "placebo_n_at_or_above": nums.get("placebo_n_at_or_above", 0),
        "placebo_p_value": nums.get("placebo_p_equal_tailed", float("nan")),
        "placebo_p_value_text": format_number(nums.get("placebo_p_equal_tailed"), 3),  # type: ignore[arg-type]
        "outcome_is_default": "yes" if o.id == DEFAULT_OUTCOME else "no",
        "kemijarvi_max_visitors": int(fact_value("kemijarvi_lounge_max_visitors_week", facts)),
        "kemijarvi_days_sv": int(fact_value("kemijarvi_lounge_days_sv", facts)),
        "kemijarvi_days_fi": int(fact_value("kemijarvi_lounge_days_fi", facts)),
        "avain_seinajoki_clients": int(fact_value("avain_earlier_test_clients", facts)),
        "final_report_isbn": fact_value("final_report_isbn", facts),
        "n_municipalities_2018": len(fact_items("municipalities_2018", facts)),
        "n_municipalities_2019": len(fact_items("municipalities_2019", facts)),
    }
    numbers = {k: native(v) for k, v in numbers.items()}

    periods_paragraph = period_text(analysis.periods)
    if o.time_variable == "year":
        diak_example = period_text(periods_for("diak_long_term_social_assistance_25_64"))
        periods_paragraph += (
            " The Diak outcomes (another choice of the `outcome` parameter) need different periods. " + diak_example
        )

    if d.n_treated == 1:
        design = (
            f"This run analyses **{names_bi[0]}** alone, with the pilot's timing for {names[0]}"
            f" ({span_text(pilot_timing()[codes[0]].pilot_years)})."
        )
    elif d.n_treated == len(pilot_timing()):
        design = f"This run analyses all {d.n_treated} pilot municipalities together as one group."
    else:
        design = (
            f"This run analyses {d.n_treated} of the six pilot municipalities as one group: {join_names(names_bi)}."
        )
    design += " " + _comparison_sentence(analysis, figures)

    texts = {
        "design_paragraph": design,
        "period_paragraph": periods_paragraph,
        "estimate_paragraph": _estimate_paragraph(analysis),
        "pre_trend_paragraph": _pre_trend_paragraph(analysis, checks),
        "leave_one_out_paragraph": leave_one_out_paragraph(analysis, checks),
        "outcomes_paragraph": outcomes_paragraph(overview),
        "transfer_paragraph": transfer_paragraph(transfer, overview),
        "outcome_choice": outcome_choice_sentence(o.id),
        "placebo_paragraph": _placebo_paragraph(analysis),
        "context_paragraph": context_paragraph(context),
        "caveat_list": "\n".join(f"- {item}" for item in _caveat_items(analysis, figures)),
        "technical_notes": "\n".join(f"- {n}" for n in pilot_notes(analysis)),
        "outcome_description": o.description + " " + o.interpretation,
        "notifications_paragraph": notifications_paragraph(notifications),
    }

    outcome_source = OUTCOME_SOURCES.get(o.source_dataset, o.citation)
    group_word = "the pilot municipality" if d.n_treated == 1 else "the pilot municipalities"
    captions = {
        "timeline": (
            "When each municipality took part in the participatory social security pilot"
            + ("" if len(codes) == len(pilot_timing()) else " (faded: not in this run's analysis)")
            + ". Source: "
            + PILOT_FACTS_SOURCE
            + " (data/facts/pilot_municipalities.csv)."
        ),
        "context": (
            "The analysed pilot municipalities among all municipalities in 2019; choose the indicator "
            "under the chart. The national line is population-weighted and computed from the municipal "
            "values, not THL's published national figure. Source: " + CONTEXT_SOURCE + "."
        ),
        "trends": (
            f"{o.label}: {group_word} and the comparison group ({d.n_control} municipalities), "
            f"{'population-weighted' if p['weighting'] == 'population' else 'unweighted'} means per "
            f"{time_word}, with the pre- and post-periods shaded. Source: {outcome_source}; "
            f"{POPULATION_SOURCE if p['weighting'] == 'population' else 'no weights'}."
        ),
        "event_study": (
            f"Event study: the gap between {group_word} and the comparison group in each {time_word}, "
            f"relative to {time_word} {p['base_year']}"
            + (
                f", with the 5–95 % range of {pl.n_placebo:,} placebo groups (seed {pl.seed})"
                if pl is not None
                else " (no placebo band: n_placebo=0)"
            )
            + f". Source: {outcome_source}; own calculation."
        ),
        "placebo": (
            (
                f"Placebo distribution: the difference-in-differences estimate for {pl.n_placebo:,} "
                f"{'possible' if pl.exhaustive else 'random'} sets of {pl.group_size} comparison "
                f"{plural(pl.group_size, 'municipality', 'municipalities')} given the pilot's timing"
                f"{'' if pl.exhaustive else f' (seed {pl.seed})'}, with the pilot's estimate marked. "
                f"Source: {outcome_source}; own calculation."
            )
            if pl is not None
            else "Placebo distribution: switched off in this run (n_placebo=0). Source: own calculation."
        ),
        "notifications": (
            "Kela's notifications to municipal social work in the pilot-era study, shares as published "
            "(they do not add up to 100 %). Source: Jokela, Kivipelto & Ylikännö (2019), THL "
            "Työpaperi 26/2019 (data/facts/kela_notifications.csv)."
        ),
    }
    return PilotChapter(
        parameters=p,
        analysis=analysis,
        timeline=timeline,
        milestones=timeline_milestones(),
        context_values=values,
        context_national=national,
        context=context,
        periods_windows=windows,
        notifications=notifications,
        checks=checks,
        overview=overview,
        transfer=transfer,
        numbers=numbers,
        texts=texts,
        captions=captions,
    )


__all__ = [
    "OUTCOMES",
    "MarkdownText",
    "PilotChapter",
    "bilingual",
    "build_chapter",
    "comparison_display_table",
    "context_display_table",
    "context_frames",
    "did_display_table",
    "leave_one_out_display_table",
    "outcome_overview_display_table",
    "transfer_display_table",
    "municipalities_display_table",
    "notifications_frame",
    "parameters_display_table",
    "period_bands",
    "pilot_names",
    "pilot_series_label",
    "span_text",
    "timeline_table",
    "treated_display_table",
    "trend_frame",
    "windows_display_table",
]
