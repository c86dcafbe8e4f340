"""Chapter: Introduction (notebooks/introduction.ipynb): key figures and the pilot municipalities."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from helpers.analysis import overview
from helpers.analysis.indicators import overview_indicators, overview_names
from helpers.chapters.model import param, typed_values
from helpers.chapters.numbering import Numbering, numbering
from helpers.errors import ParameterError
from helpers.i18n import N_, _, checked_edition, translated
from helpers.text import format_number, format_percent, nearest_names

NAME = "introduction"
FIGURES = ("pilot_indicators",)
EDITION_PARAMETER = "lang"  # the build runs this chapter once per edition

# The key figures' labels, units and sources in words ({year} filled in); the analysis returns numbers.
KEY_FIGURE_LABELS = {
    "national_population": N_("Population of Finland, 31 Dec {year}"),
    "pilot_population": N_("Population of the six pilot municipalities, 31 Dec {year}"),
    "pilot_population_share": N_("Pilot municipalities' share of the population"),
    "unemployed_december": N_(
        "Unemployed job seekers at the end of December {year}, summed over municipalities with a published figure"
    ),
    "unemployed_december_municipalities": N_(
        "Municipalities with a published count of unemployed job seekers, December {year}"
    ),
    "unemployed_december_suppressed": N_(
        "Municipalities whose count for December {year} is not published (small numbers)"
    ),
    "municipalities_with_recipient_rate": N_(
        "Municipalities with a published rate of social assistance recipients aged 25–64, {year}"
    ),
    "recipient_rate_median": N_("Median municipality's recipients aged 25–64, {year}"),
    "recipient_rate_max": N_("Highest municipal rate of recipients aged 25–64, {year}"),
}
UNITS = {  # "%" needs no translation
    "persons": N_("persons"),
    "municipalities": N_("municipalities"),
    "% of residents aged 25–64": N_("% of residents aged 25–64"),
}
SOURCES = {
    "THL Sotkanet, indicator 127 (population 31 Dec), 2022 municipal division": N_(
        "THL Sotkanet, indicator 127 (population 31 Dec), 2022 municipal division"
    ),
    "Ministry of Economic Affairs and Employment, employment service statistics (StatFin)": N_(
        "Ministry of Economic Affairs and Employment, employment service statistics (StatFin)"
    ),
    "THL Sotkanet, indicator 5": N_("THL Sotkanet, indicator 5"),
}


@dataclass(frozen=True)
class Params:
    year: int = param(2019, "Sotkanet year of the key figures (the data release holds 2019)")
    indicator: str = param("social_assistance_recipients_25_64_pct", "indicator first shown in the pilot chart")
    lang: str = param("en", "edition language of the page's generated text and number formats: en, fi or sv")


def validate(given: Mapping[str, Any]) -> Params:
    """Names and types, then the year inside the data and the indicator among the overview's."""
    values = typed_values(Params, given)
    values["lang"] = checked_edition(values["lang"])
    years = overview.available_sotkanet_years()
    if values["year"] not in years:
        raise ParameterError(
            f"parameter 'year' = {values['year']} is outside the data: the Sotkanet release holds {years}"
        )
    if values["indicator"] not in overview_indicators():
        nearest = nearest_names(values["indicator"], overview_indicators(), cutoff=0.3)
        raise ParameterError(
            f"parameter 'indicator' = {values['indicator']!r} is not one of the overview indicators; "
            f"nearest: {', '.join(nearest) or 'none'}; valid: {', '.join(overview_indicators())}"
        )
    return Params(**values)


@dataclass
class Introduction:
    params: Params
    numbering: Numbering
    key_figures: dict[str, overview.KeyFigure]
    key_figures_table: pd.DataFrame
    indicator_table: pd.DataFrame

    @property
    def pilot_chart_alt_text(self) -> str:
        return pilot_chart_alt_text(self.params.lang)

    @property
    def key_figures_caption(self) -> str:
        return _("Key figures, {year}", self.params.lang, year=self.params.year)

    @property
    def pilot_chart_caption(self) -> str:
        return _(
            "The six pilot municipalities and the median municipality, {year}. Source: THL, Sotkanet.fi (CC BY 4.0).",
            self.params.lang,
            year=self.params.year,
        )

    def glue_values(self) -> dict[str, Any]:
        """The numbers (the English prose formats them) and, as ``<name>_text``, each written in the
        edition's convention, for the translated prose (``12,3 %``, ``5 517 919``)."""
        return {
            **{name: figure.value for name, figure in self.key_figures.items()},
            **{f"{name}_text": key_figure_text(figure, self.params.lang) for name, figure in self.key_figures.items()},
            "year": self.params.year,
            **self.numbering.labels(),
        }


def key_figure_text(figure: overview.KeyFigure, lang: str) -> str:
    """A key figure as the prose shows it: percentages with one decimal and the sign, counts whole."""
    if figure.unit.startswith("%"):
        return format_percent(figure.value, 1, lang=lang)
    return format_number(figure.value, 0, lang=lang)


def key_figures_table(figures: dict[str, overview.KeyFigure], year: int, lang: str) -> pd.DataFrame:
    """The key figures with their labels, units and sources in ``lang``."""
    rows = [
        {
            _("Figure", lang): translated(KEY_FIGURE_LABELS[name], lang, year=year)
            if name in KEY_FIGURE_LABELS
            else figure.label,
            _("Value", lang): format_number(figure.value, 1 if figure.unit.startswith("%") else 0, lang=lang),
            _("Unit", lang): translated(UNITS[figure.unit], lang) if figure.unit in UNITS else figure.unit,
            _("Source", lang): translated(SOURCES[figure.source], lang) if figure.source in SOURCES else figure.source,
        }
        for name, figure in figures.items()
    ]
    return pd.DataFrame(rows)


def pilot_chart_alt_text(lang: str = "en") -> str:
    """What the pilot chart shows, naming the overview's indicators of the registry."""
    names = [translated(name, lang) for name in overview_names()]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + _(" or ", lang) + names[-1]
    return _(
        "Horizontal bars, one per pilot municipality plus the median municipality, for the indicator chosen "
        "in the dropdown: {listed}.",
        lang,
        listed=listed,
    )


def prepare(params: Params) -> Introduction:
    figures = overview.key_figures(params.year)
    table = (
        overview.key_figures_table(figures)
        if params.lang == "en"
        else key_figures_table(figures, params.year, params.lang)
    )
    return Introduction(
        params=params,
        numbering=numbering(NAME, FIGURES, lang=params.lang),
        key_figures=figures,
        key_figures_table=table,
        indicator_table=overview.pilot_indicator_table(params.year),
    )
