"""Chapter: background, the system and national statistics (notebooks/background.ipynb)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from helpers.analysis import national, survey
from helpers.chapters import survey_tables
from helpers.chapters.model import named, param, typed_values
from helpers.chapters.numbering import Numbering, numbering

NAME = "background"
FIGURES = ("national_series",)


@dataclass(frozen=True)
class Params:
    lang: str = param("fi", "language of the term shown beside English text: fi, sv or en")
    series: list[str] = param(
        ["default"],
        "national series to chart: measure ids of helpers.analysis.national.MEASURES, or default or all",
    )


def validate(given: Mapping[str, Any]) -> Params:
    """The language code and the series as measure ids (the shortcuts default and all expanded)."""
    values = typed_values(Params, given)
    lang = named("lang", survey.validate_language, values["lang"])
    series = named("series", national.validate_series_parameter, values["series"])
    return Params(lang=lang, series=list(series))


@dataclass
class BackgroundPage:
    params: Params
    numbering: Numbering
    measures: tuple[str, ...]
    national_table: pd.DataFrame

    def glue_values(self) -> dict[str, Any]:
        return {
            **national.published_figures(),
            **survey_tables.term_labels(self.params.lang),
            "transfer_date": survey_tables.published_figures()["evidence_transfer_to_kela_date"],
            "lang_name": survey.LANGUAGE_NAMES[self.params.lang],
            **self.numbering.labels(),
        }


def prepare(params: Params) -> BackgroundPage:
    measures = tuple(params.series)
    return BackgroundPage(
        params=params,
        numbering=numbering(NAME, FIGURES),
        measures=measures,
        national_table=national.published_table(measures),
    )
