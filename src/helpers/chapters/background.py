"""Chapter: background, the system and national statistics (notebooks/background.ipynb)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from helpers.analysis import long_run, national
from helpers.analysis.facts_common import reader_source
from helpers.analysis.pilot_checks import change_by_size_band
from helpers.chapters import background_text
from helpers.chapters.model import named, param, typed_values
from helpers.chapters.numbering import Numbering, numbering
from helpers.charts.facts_wording import (
    check_edition,
    date_text,
    edition_terms,
    figure_texts,
    text_in,
    value_text,
)
from helpers.i18n import N_, _
from helpers.text import format_number

NAME = "background"
FIGURES = ("national_series", "long_run", "families")
EDITION_PARAMETER = "lang"  # the build runs this chapter once per edition

# The national figures the prose quotes, written in the edition's convention as "<key>_text"
# (decimals, signed) for the translated prose; the English prose formats the glued number itself.
PROSE_FIGURES: dict[str, tuple[int, bool]] = {
    "expenditure_total_meur_2014": (1, False),
    "recipients_share_of_population_pct_2014": (1, False),
    "recipients_persons_any_assistance_2017": (0, False),
    "recipients_persons_any_assistance_2018": (0, False),
    "recipients_persons_any_assistance_2019": (0, False),
    "households_any_assistance_2019": (0, False),
    "recipients_share_of_population_pct_2019": (1, False),
    "expenditure_total_meur_2019": (0, False),
    "kela_basic_applicant_households_2017": (0, False),
    "kela_basic_households_2017": (0, False),
    "kela_basic_households_share_of_applicants_pct_2017": (0, False),
    "kela_basic_persons_2017": (0, False),
    "kela_basic_expenditure_meur_2018": (1, False),
    "kela_basic_expenditure_change_pct_2018": (1, True),
    "kela_basic_households_2018": (0, False),
    "kela_basic_households_change_pct_2018": (1, True),
    "kela_basic_persons_2018": (0, False),
    "kela_basic_persons_change_pct_2018": (1, True),
    "kela_basic_persons_18_24_2018": (0, False),
    "kela_basic_persons_18_24_change_pct_2018": (1, True),
    "kela_basic_persons_25_plus_2018": (0, False),
    "kela_basic_persons_25_plus_change_pct_2018": (1, True),
    "kela_basic_recipients_change_pct_2020": (0, False),
    "six_cities_basic_households_2018": (0, False),
    "six_cities_basic_persons_2018": (0, False),
    "six_cities_gross_cost_meur_2018": (1, False),
}
NATIONAL_COLUMNS = {
    "Series": N_("Series"),
    "Scope": N_("Scope"),
    "Year": N_("Year"),
    "Figure": N_("Figure"),
    "Source": N_("Source"),
    "Note": N_("Note"),
}


@dataclass(frozen=True)
class Params:
    lang: str = param("en", "edition language (en, fi or sv); the glossary terms follow it")
    series: list[str] = param(
        ["default"],
        "national series to chart: measure ids of helpers.analysis.national.MEASURES, or default or all",
    )


def validate(given: Mapping[str, Any]) -> Params:
    """The edition and the series as measure ids (the shortcuts default and all expanded)."""
    values = typed_values(Params, given)
    lang = check_edition(values["lang"])
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
    texts: dict[str, str]  # generated sentences, glued as text so the prose around them is translated

    def glue_values(self) -> dict[str, Any]:
        lang = self.params.lang
        figures = national.published_figures()
        return {
            **figures,
            **figure_texts(figures, PROSE_FIGURES, lang),
            **edition_terms(lang),
            "transfer_date": date_text(TRANSFER_DATE, lang),
            **self.numbering.labels(),
        }


TRANSFER_DATE = "2017-01-01"  # basic assistance moved to Kela (data/facts/related_evidence.csv)


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
    lang = params.lang
    texts = {
        "long_run_paragraph": background_text.long_run_paragraph(spread, pilot_lines, euros, lang),
        "families_paragraph": background_text.families_paragraph(families, jump, bands, lang),
        **background_text.caveat_items(spread, families, merged, n_2013, dict(pilots), lang),
    }
    return BackgroundPage(
        params=params,
        numbering=numbering(NAME, FIGURES, lang=lang),
        measures=measures,
        national_table=national_table(measures, lang),
        long_run_spread=spread,
        long_run_pilots=pilot_lines,
        families=families,
        families_bands=bands,
        texts=texts,
    )


def national_table(measures, lang: str = "en") -> pd.DataFrame:
    """The published national figures drawn in the chart, one row each with its source, in the edition."""
    series = national.national_series(measures)
    published = series[series["value"].notna()]
    columns = zip(published["value"], published["qualifier"], published["unit"], published["value_text"])
    table = pd.DataFrame(
        {
            "Series": [text_in(label, lang) for label in published["label"]],
            "Scope": [text_in(scope, lang) for scope in published["scope_label"]],
            "Year": published["year"].astype("int64"),
            "Figure": [value_text(v, q, u, lang=lang, text=t) for v, q, u, t in columns],
            "Source": [text_in(reader_source(source), lang) for source in published["source"]],
            "Note": [text_in(note, lang) for note in published["note"]],
        }
    ).reset_index(drop=True)
    return table.rename(columns={key: _(value, lang) for key, value in NATIONAL_COLUMNS.items()})


def size_band_table(bands: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The 2016-2017 change by size band as the chapter shows it (numbers in the edition's format)."""
    return pd.DataFrame(
        {
            _("Population (31 Dec 2017)", lang): [band_text(int(band), lang) for band in bands["size_band"]],
            _("Municipalities", lang): [format_number(v, 0, lang=lang) for v in bands["n_municipalities"]],
            _("Change 2016–2017 (percentage points)", lang): [
                format_number(v, 2, signed=True, lang=lang) for v in bands["change"]
            ],
            _("Source", lang): _("THL, Sotkanet.fi indicators 423, 179 and 127 (CC BY 4.0); own calculation", lang),
        }
    )


SIZE_BAND_LIMITS = (5000, 10000, 20000, 50000, 100000)  # helpers.analysis.robustness.SIZE_BAND_LABELS


def band_text(band: int, lang: str) -> str:
    """Size band 0 -> 'under 5,000' (en) / 'alle 5 000' (fi); the last -> '100,000 or more'."""
    if band == 0:
        return _("under {limit}", lang, limit=format_number(SIZE_BAND_LIMITS[0], 0, lang=lang))
    if band >= len(SIZE_BAND_LIMITS):
        return _("{limit} or more", lang, limit=format_number(SIZE_BAND_LIMITS[-1], 0, lang=lang))
    low, high = SIZE_BAND_LIMITS[band - 1], SIZE_BAND_LIMITS[band]
    return f"{format_number(low, 0, lang=lang)}–{format_number(high - 1, 0, lang=lang)}"


# Captions and labels the notebook shows (the notebook passes the edition).
def caption(name: str, lang: str, **values: object) -> str:
    return _(CAPTIONS[name], lang, **values)


CAPTIONS = {
    "parts": N_("The three parts of social assistance and who decides on them"),
    "national_series": N_(
        "Published national figures on social assistance, 2014–2020, one panel per series; a break in a line or a "
        "missing point is a year without a published figure. Sources: {sources}."
    ),
    "national_table": N_("The published figures drawn in Figure {figure}, each with its source"),
    "long_run": N_(
        "Persons who received social assistance during the year, % of residents, 1990–2011: the middle half and the "
        "median of the municipalities with a value, and the pilot municipalities in their 2013 borders. Source: THL, "
        "Sotkanet.fi indicator 493, 2013 municipal division (CC BY 4.0)."
    ),
    "families": N_(
        "Families with children receiving social assistance, % of families with children, whole country, computed "
        "from the municipal counts published each year. Source: THL, Sotkanet.fi indicators 423 and 179, 2021 "
        "municipal division (CC BY 4.0); own calculation."
    ),
    "size_bands": N_(
        "Share of families with children receiving social assistance: population-weighted change from 2016 to 2017 "
        "by municipal population size band (population 31 Dec 2017). Source: THL, Sotkanet.fi indicators 423, 179 "
        "and 127 (CC BY 4.0); own calculation."
    ),
    "transfer_mark": N_("Basic assistance to Kela"),
    "unit_residents": N_("% of residents"),
}
