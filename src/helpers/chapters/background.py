"""Chapter: background, the system and national statistics (notebooks/background.ipynb)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from helpers.analysis import long_run, national, survey
from helpers.analysis.pilot_checks import change_by_size_band
from helpers.chapters import background_text, survey_tables
from helpers.chapters.model import named, param, typed_values
from helpers.chapters.numbering import Numbering, numbering

NAME = "background"
FIGURES = ("national_series", "long_run", "families")


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
    long_run_spread: pd.DataFrame  # indicator 493 across municipalities, 1990-2011 (analysis.long_run)
    long_run_pilots: pd.DataFrame  # the pilot municipalities in their 2013 borders
    families: pd.DataFrame  # the national families share from counts, 1992-2021
    families_bands: pd.DataFrame  # its 2016-2017 change by size band
    texts: dict[str, str]  # glue:md paragraphs

    def glue_values(self) -> dict[str, Any]:
        return {
            **national.published_figures(),
            **survey_tables.term_labels(self.params.lang),
            "transfer_date": survey_tables.published_figures()["evidence_transfer_to_kela_date"],
            "lang_name": survey.LANGUAGE_NAMES[self.params.lang],
            **self.numbering.labels(),
        }


def prepare(params: Params) -> BackgroundPage:
    from helpers.data.municipalities import pilot_municipalities

    measures = tuple(params.series)
    spread = long_run.long_run_spread(long_run.LONG_RUN_RECIPIENTS)
    euros = long_run.long_run_spread(long_run.LONG_RUN_EUR_PER_RESIDENT)
    pilots = pilot_municipalities()
    pilot_lines = long_run.long_run_municipalities(pilots)
    families = long_run.families_national()
    jump = long_run.transfer_jump(families)
    bands = change_by_size_band("families_social_assistance_pct", long_run.TRANSFER_YEAR - 1, long_run.TRANSFER_YEAR)
    merged = long_run.merged_since_2013()
    n_2013 = long_run.n_municipalities_2013()
    texts = {
        "long_run_paragraph": background_text.long_run_paragraph(spread, pilot_lines, euros),
        "families_paragraph": background_text.families_paragraph(families, jump, bands),
        "series_caveats": "\n".join(
            f"- {item}" for item in background_text.caveat_items(spread, families, merged, n_2013, dict(pilots))
        ),
    }
    return BackgroundPage(
        params=params,
        numbering=numbering(NAME, FIGURES),
        measures=measures,
        national_table=national.published_table(measures),
        long_run_spread=spread,
        long_run_pilots=pilot_lines,
        families=families,
        families_bands=bands,
        texts=texts,
    )


def size_band_table(bands: pd.DataFrame) -> pd.DataFrame:
    """The 2016-2017 change by size band as the chapter shows it (numbers through format_number)."""
    from helpers.text import format_number

    return pd.DataFrame(
        {
            "Population (31 Dec 2017)": bands["band_label"],
            "Municipalities": [format_number(v, 0) for v in bands["n_municipalities"]],
            "Change 2016–2017 (percentage points)": [format_number(v, 2, signed=True) for v in bands["change"]],
            "Source": "THL, Sotkanet.fi indicators 423, 179 and 127 (CC BY 4.0); own calculation",
        }
    )
