"""Chapter: the Kuntaliitto survey of 2019 (notebooks/survey.ipynb)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from helpers.chapters import survey_tables
from helpers.chapters.model import param, typed_values
from helpers.chapters.numbering import Numbering, numbering
from helpers.charts.facts_wording import check_edition, edition_terms, figure_texts, period_text
from helpers.i18n import N_, _

NAME = "survey"
FIGURES = ("coverage", "decision_growth", "decision_makers", "related")
EDITION_PARAMETER = "lang"  # the build runs this chapter once per edition

# The figures the prose quotes, written in the edition's convention as "<key>_text" (decimals,
# signed) for the translated prose; the English prose formats the glued number itself.
PROSE_FIGURES: dict[str, tuple[int, bool]] = {
    "survey_respondents": (0, False),
    "survey_population_coverage_pct": (1, False),
    "survey_decisions_growth_pct": (0, False),
    "survey_preventive_by_social_workers_instructors_pct": (0, False),
    "survey_preventive_by_benefit_handlers_pct": (0, False),
    "survey_supplementary_by_benefit_handlers_pct": (0, False),
    "evidence_kuntaliitto2017_preventive_decisions": (1, False),
    "evidence_kuntaliitto2017_client_households": (0, False),
    "evidence_kuntaliitto2017_normal_growth": (0, False),
    "evidence_barometer_social_workers": (0, False),
    "evidence_barometer_kela_staff": (0, False),
    "evidence_kuntaliitto2018_freed_cost": (0, False),
    "evidence_kuntaliitto2018_freed_person_years": (0, False),
    "evidence_kuntaliitto2018_gross_cost_change": (0, False),
    "evidence_thl2021_time_on_kela_matters": (0, False),
    "evidence_fcg_benefit_handlers": (0, True),
    "evidence_fcg_social_workers": (0, True),
    "notification_supplementary_or_preventive_application": (0, False),
    "notification_reduced_basic_amount": (0, False),
    "notification_long_term_unemployed_over_25": (0, False),
    "notification_need_for_social_work": (0, False),
    "notification_managing_daily_life": (0, False),
    "notification_income": (0, False),
    "notification_housing": (0, False),
    "notification_health": (0, False),
}

CAPTIONS = {
    "response": N_("Who answered Kuntaliitto's 2019 survey, and when"),
    "coverage": N_(
        "Share of Finland's population living in the municipalities and cooperation areas that answered "
        "Kuntaliitto's 2019 survey; coverage of the population, not a sample size. Source: {source}."
    ),
    "decision_growth": N_(
        "Change in the number of supplementary and preventive social assistance decisions in the responding "
        "municipalities and cooperation areas, 2018 compared with 2017. Source: {source}."
    ),
    "decision_makers": N_(
        "Published shares of supplementary and preventive assistance decisions made by benefit handlers and by "
        "social workers and social instructors in the responding areas (the source gives no year); shares the summary "
        "does not give are "
        "marked 'not published'. Source: {source}."
    ),
    "key_findings": N_("The survey's published figures on supplementary and preventive decisions"),
    "qualitative": N_("Qualitative findings of Kuntaliitto's 2019 survey, by theme"),
    "related": N_(
        "Figures from related studies of social assistance and social work after basic assistance moved to Kela, "
        "by date of publication; each row is one published figure. Sources: {sources}."
    ),
    "related_table": N_("Related evidence, by date, with sources"),
    "timeline_shown": N_(
        "Figure {figure} places the figures of these studies on a timeline by date, and the table under it lists "
        "each with its source."
    ),
    "timeline_left_out": N_(
        "This edition leaves out the timeline of these studies (parameter show_related is False); the figures "
        "below are quoted with their sources."
    ),
}


def caption(name: str, lang: str, **values: object) -> str:
    return _(CAPTIONS[name], lang, **values)


@dataclass(frozen=True)
class Params:
    lang: str = param("en", "edition language (en, fi or sv); the glossary terms follow it")
    show_related: bool = param(True, "show the related evidence as a dated timeline and its table")


def validate(given: Mapping[str, Any]) -> Params:
    values = typed_values(Params, given)
    return Params(lang=check_edition(values["lang"]), show_related=values["show_related"])


@dataclass
class SurveyPage:
    params: Params
    numbering: Numbering

    def glue_values(self) -> dict[str, Any]:
        lang = self.params.lang
        figures = survey_tables.published_figures()
        timeline = (
            caption("timeline_shown", lang, figure=self.numbering.figure("related"))
            if self.params.show_related
            else caption("timeline_left_out", lang)
        )
        return {
            **figures,
            # the fieldwork period in the edition's words ("March–April 2019" is the English figure)
            "survey_fieldwork_period_text": period_text(survey_tables.fieldwork_period(), lang),
            **figure_texts({k: v for k, v in figures.items() if isinstance(v, float)}, PROSE_FIGURES, lang),
            **edition_terms(lang),
            "related_timeline_sentence": timeline,
            **self.numbering.labels(),
        }


def prepare(params: Params) -> SurveyPage:
    return SurveyPage(params=params, numbering=numbering(NAME, FIGURES, lang=params.lang))
