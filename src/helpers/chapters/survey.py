"""Chapter: the Kuntaliitto survey of 2019 (notebooks/survey.ipynb)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from helpers.analysis import survey
from helpers.chapters import survey_tables
from helpers.chapters.model import named, param, typed_values
from helpers.chapters.numbering import Numbering, numbering

NAME = "survey"
FIGURES = ("coverage", "decision_growth", "decision_makers", "related")


@dataclass(frozen=True)
class Params:
    lang: str = param("fi", "language of the term shown beside English text: fi, sv or en")
    show_related: bool = param(True, "show the related evidence as a dated timeline and its table")


def validate(given: Mapping[str, Any]) -> Params:
    values = typed_values(Params, given)
    return Params(lang=named("lang", survey.validate_language, values["lang"]), show_related=values["show_related"])


@dataclass
class SurveyPage:
    params: Params
    numbering: Numbering

    def glue_values(self) -> dict[str, Any]:
        return {
            **survey_tables.published_figures(),
            **survey_tables.term_labels(self.params.lang),
            "lang_name": survey.LANGUAGE_NAMES[self.params.lang],
            **self.numbering.labels(),
        }


def prepare(params: Params) -> SurveyPage:
    return SurveyPage(params=params, numbering=numbering(NAME, FIGURES))
