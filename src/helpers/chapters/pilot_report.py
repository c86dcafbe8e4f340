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
    code_name,
    comparison_display_table,
    context_display_table,
    context_frames,
    did_display_table,
    did_unit,
    join_words,
    leave_one_out_display_table,
    local_name,
    lower_first,
    outcome_label,
    outcome_overview_display_table,
    outcome_unit,
    parameters_display_table,
    period_bands,
    pilot_names,
    pilot_series_label,
    transfer_display_table,
    treated_display_table,
    trend_frame,
    windows_display_table,
    years_text,
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
from helpers.chapters.wording import MarkdownText, bilingual, native, span_text
from helpers.i18n import N_, _, translated
from helpers.text import format_number


def outcome_source(outcome, lang: str = "en") -> str:
    """The outcome's source as the captions cite it, in the edition's language."""
    if outcome.source_dataset in OUTCOME_SOURCE_MESSAGES:
        return translated(OUTCOME_SOURCE_MESSAGES[outcome.source_dataset], lang)
    return outcome.citation


# helpers.chapters.pilot_facts.OUTCOME_SOURCES (the robustness chapter reads those), for translation.
OUTCOME_SOURCE_MESSAGES = {
    "unemployment_monthly": N_(
        "Ministry of Economic Affairs and Employment, employment service statistics, via "
        "Statistics Finland's StatFin (CC BY 4.0)"
    ),
    "diak_indices": N_("Diak, municipal disadvantage indices (karttasovellus), from THL's Sotkanet (CC BY 4.0)"),
    "families_social_assistance": N_(
        "THL, Sotkanet.fi indicators 179 (families with children) and 423 (families with children receiving "
        "social assistance), 2021 municipal division (CC BY 4.0)"
    ),
}


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
    captions: dict[str, str] = field(default_factory=dict)  # figure and table captions, alt text, in ``lang``
    lang: str = "en"  # the edition the sentences, captions and tables are written for

    @property
    def outcome(self):
        return self.analysis.outcome

    def placebo_tail(self):
        """Mask of the placebo estimates in the pilot estimate's own tail (what the p-value counts)."""
        pl = self.analysis.placebo
        return None if pl is None else in_estimate_tail(self.analysis.did.estimate, pl.estimates)


def build_chapter(checked: Mapping, figures: Mapping[str, str], lang: str = "en") -> PilotChapter:
    """Run the pilot analysis for checked parameters (``helpers.chapters.pilot.validate``) and prepare the page
    in the edition ``lang`` (the analysis, and so every number, is the same in every edition).

    ``figures`` maps the chapter's figure names to their numbers (from the run plan) for cross-references.
    """
    analysis = analyse(checked)
    p = analysis.parameters
    checks = run_checks(analysis)
    overview = outcome_overview(p)
    transfer = transfer_check(p)
    codes = p["municipalities"]
    o = analysis.outcome
    timeline = timeline_table(codes, lang)
    values, national, context = context_frames(codes, lang)
    windows = period_bands(analysis.periods.windows, o, lang)
    d, nums = analysis.did, analysis.numbers
    pl = analysis.placebo
    ordered = sorted(codes, key=lambda c: pilot_timing()[c].name_fi)
    names_local = [local_name(pilot_timing()[c].name_fi, pilot_timing()[c].name_sv, lang) for c in ordered]
    facts = pilot_facts()
    notifications = notifications_frame(lang)
    unit = str(nums["unit"])
    time_word = "year" if o.time_variable == "year" else "year_mid"
    label = outcome_label(o.label, lang)

    numbers: dict[str, object] = {
        "n_treated": d.n_treated,
        "n_comparison": d.n_control,
        "treated_names": join_words(names_local, lang),
        "outcome_label": label,
        "outcome_label_lower": lower_first(label),
        "outcome_unit": outcome_unit(o.unit, lang),
        "did_unit": did_unit(unit, lang),
        "did_estimate": d.estimate,
        "did_estimate_text": format_number(d.estimate, 2, signed=True, lang=lang),
        "treated_change": d.treated_change,
        "comparison_change": d.control_change,
        "pre_span": years_text(d.pre_years, lang),
        "post_span": years_text(d.post_years, lang),
        "base_year": p["base_year"],
        "time_word": time_word if time_word == "year_mid" else _("year", lang),
        "comparison_method": p["comparison"],
        "weighting": p["weighting"],
        "n_placebo": pl.n_placebo if pl is not None else 0,
        "seed": p["seed"],
        "placebo_n_at_or_below": nums.get("placebo_n_at_or_below", 0),
        "placebo_n_at_or_above": nums.get("placebo_n_at_or_above", 0),
        "placebo_p_value": nums.get("placebo_p_equal_tailed", float("nan")),
        "placebo_p_value_text": format_number(nums.get("placebo_p_equal_tailed"), 3, lang=lang),  # type: ignore[arg-type]
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

    periods_paragraph = period_text(analysis.periods, lang)
    if o.time_variable == "year":
        diak_example = period_text(periods_for("diak_long_term_social_assistance_25_64"), lang)
        periods_paragraph += (
            " "
            + _("The Diak outcomes (another choice of the `outcome` parameter) need different periods.", lang)
            + " "
            + diak_example
        )

    if d.n_treated == 1:
        design = _(
            "This run analyses **{name}** alone, with the pilot's timing for {single} ({years}).",
            lang,
            name=names_local[0],
            single=code_name(ordered[0], lang),
            years=years_text(pilot_timing()[codes[0]].pilot_years, lang),
        )
    elif d.n_treated == len(pilot_timing()):
        design = _("This run analyses all {n} pilot municipalities together as one group.", lang, n=d.n_treated)
    else:
        design = _(
            "This run analyses {n} of the six pilot municipalities as one group: {names}.",
            lang,
            n=d.n_treated,
            names=join_words(names_local, lang),
        )
    design += " " + _comparison_sentence(analysis, figures, lang)

    texts = {
        "design_paragraph": design,
        "period_paragraph": periods_paragraph,
        "estimate_paragraph": _estimate_paragraph(analysis, lang),
        "pre_trend_paragraph": _pre_trend_paragraph(analysis, checks, lang),
        "leave_one_out_paragraph": leave_one_out_paragraph(analysis, checks, lang),
        "outcomes_paragraph": outcomes_paragraph(overview, lang),
        "transfer_paragraph": transfer_paragraph(transfer, overview, lang),
        "outcome_choice": outcome_choice_sentence(o.id, lang),
        "placebo_paragraph": _placebo_paragraph(analysis, lang),
        "context_paragraph": context_paragraph(context, lang),
        "caveat_list": "\n".join(f"- {item}" for item in _caveat_items(analysis, figures, lang)),
        "technical_notes": "\n".join(f"- {n}" for n in pilot_notes(analysis, lang)),
        "outcome_description": o.description + " " + o.interpretation
        if lang == "en"
        else translated(o.description, lang) + " " + translated(o.interpretation.strip(), lang),
        "notifications_paragraph": notifications_paragraph(notifications, lang),
    }

    source = outcome_source(o, lang)
    population = _("population 31 Dec 2017 from THL's Sotkanet (CC BY 4.0)", lang)
    weighted = p["weighting"] == "population"
    one = d.n_treated == 1
    time_label = time_word if time_word == "year_mid" else _("year", lang)
    if pl is None:
        band = " " + _("(no placebo band: n_placebo=0)", lang)
    else:
        band = _(
            ", with the 5–95 % range of {n} placebo groups (seed {seed})",
            lang,
            n=format_number(pl.n_placebo, 0, lang=lang),
            seed=pl.seed,
        )
    if pl is None:
        placebo_caption = _(
            "Placebo distribution: switched off in this run (n_placebo=0). Source: own calculation.", lang
        )
    else:
        placebo_caption = _(
            "Placebo distribution: the difference-in-differences estimate for {n} {kind} sets of {k} comparison "
            "{municipalities} given the pilot's timing{seed}, with the pilot's estimate marked. "
            "Source: {source}; own calculation.",
            lang,
            n=format_number(pl.n_placebo, 0, lang=lang),
            kind=_("possible", lang) if pl.exhaustive else _("random", lang),
            k=pl.group_size,
            municipalities=_("municipality", lang) if pl.group_size == 1 else _("municipalities", lang),
            seed="" if pl.exhaustive else " " + _("(seed {seed})", lang, seed=pl.seed),
            source=source,
        )
    captions = {
        "timeline": (
            _("When each municipality took part in the participatory social security pilot", lang)
            + ("" if len(codes) == len(pilot_timing()) else " " + _("(faded: not in this run's analysis)", lang))
            + ". "
            + _(
                "Source: {source} (data/facts/pilot_municipalities.csv).",
                lang,
                source=_("STM/THL press release 202/2018 (Finnish and Swedish versions); City of Raisio", lang),
            )
        ),
        "context": _(
            "The analysed pilot municipalities among all municipalities in 2019; choose the indicator "
            "under the chart. The national line is population-weighted and computed from the municipal "
            "values, not THL's published national figure. Source: {source}.",
            lang,
            source=CONTEXT_SOURCE,
        ),
        "trends": _(
            "{label}: {group} and the comparison group ({n} municipalities), {weighting} means per {time}, with "
            "the pre- and post-periods shaded. Source: {source}; {weights}.",
            lang,
            label=label,
            group=_("the pilot municipality", lang) if one else _("the pilot municipalities", lang),
            n=d.n_control,
            weighting=_("population-weighted", lang) if weighted else _("unweighted", lang),
            time=time_label,
            source=source,
            weights=population if weighted else _("no weights", lang),
        ),
        "event_study": _(
            "Event study: the gap between {group} and the comparison group in each {time}, relative to "
            "{time} {base}{band}. Source: {source}; own calculation.",
            lang,
            group=_("the pilot municipality", lang) if one else _("the pilot municipalities", lang),
            time=time_label,
            base=p["base_year"],
            band=band,
            source=source,
        ),
        "placebo": placebo_caption,
        "municipalities_table": _(
            "The pilot municipalities. Source: STM/THL press release 202/2018 (Finnish and Swedish versions); "
            "City of Raisio; Sosiaalivakuutus 2019 (data/facts/pilot_municipalities.csv).",
            lang,
        ),
        "context_table": _(
            "The analysed pilot municipalities in 2019: value, rank among all municipalities with a value, "
            "the median municipality and the population-weighted national figure computed from municipal values. "
            "Source: THL, Sotkanet.fi (CC BY 4.0).",
            lang,
        ),
        "windows_table": _(
            "Pre- and post-period of the outcome '{outcome}': which years enter the estimate and why.",
            lang,
            outcome=o.id,
        ),
        "matches_table": _(
            "Matched comparison municipalities: each pilot municipality's nearest "
            "neighbours before the pilot (standardised level, trend and log population).",
            lang,
        ),
        "treated_table": _(
            "Each analysed pilot municipality: the post-period years it contributes, its share of the pilot group's "
            "weight, its pre- and post-period means and its own difference-in-differences against the comparison "
            "group.",
            lang,
        ),
        "did_table": _(
            "Difference-in-differences, {label} ({unit}): group means in the pre- and post-period and their "
            "changes; the bottom-right cell is the estimate.",
            lang,
            label=label.lower() if lang == "en" else lower_first(label),
            unit=outcome_unit(o.unit, lang),
        ),
        "leave_one_out_table": _(
            "Leave-one-out: the estimate ({unit}) without each pilot municipality, and each municipality's own "
            "estimate against the same comparison group. Source: {source}; own calculation.",
            lang,
            unit=did_unit(unit, lang),
            source=source,
        ),
        "transfer_table": _(
            "Share of families with children receiving social assistance: population-weighted change from "
            "2016 to 2017 by population size band, and how the pilot and comparison groups' population weights "
            "spread over the bands. Source: {source}; population 31 Dec 2017 from THL's Sotkanet; own calculation.",
            lang,
            source=translated(OUTCOME_SOURCE_MESSAGES["families_social_assistance"], lang),
        ),
        "overview_table": _(
            "Every outcome with this run's municipalities, comparison method, weighting and placebo draws, at its "
            "default periods (event-study base: the last pre-period year). Placebo p: signed, equal-tailed, "
            "2 × (smaller tail + 1) / (draws + 1). Size-band comparison group: non-pilot municipalities in the pilot "
            "municipalities' population size bands. Sources: as for each outcome; own calculation.",
            lang,
        ),
        "parameters_table": _("Parameters of this run.", lang),
        "placebo_off_alt": _("A note saying that the placebo check was switched off in this run.", lang),
        "notifications": _(
            "Kela's notifications to municipal social work in the pilot-era study, shares as published "
            "(they do not add up to 100 %). Source: Jokela, Kivipelto & Ylikännö (2019), THL "
            "Työpaperi 26/2019 (data/facts/kela_notifications.csv).",
            lang,
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
        lang=lang,
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
