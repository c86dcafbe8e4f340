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
from helpers.text import nearest_names

NAME = "introduction"
FIGURES = ("pilot_indicators",)


@dataclass(frozen=True)
class Params:
    year: int = param(2019, "Sotkanet year of the key figures (the data release holds 2019)")
    indicator: str = param("social_assistance_recipients_25_64_pct", "indicator first shown in the pilot chart")


def validate(given: Mapping[str, Any]) -> Params:
    """Names and types, then the year inside the data and the indicator among the overview's."""
    values = typed_values(Params, given)
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
        return pilot_chart_alt_text()

    def glue_values(self) -> dict[str, Any]:
        return {
            **{name: figure.value for name, figure in self.key_figures.items()},
            "year": self.params.year,
            **self.numbering.labels(),
        }


def pilot_chart_alt_text() -> str:
    """What the pilot chart shows, naming the overview's indicators of the registry."""
    names = list(overview_names())
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return (
        "Horizontal bars, one per pilot municipality plus the median municipality, for the indicator chosen "
        f"in the dropdown: {listed}."
    )


def prepare(params: Params) -> Introduction:
    figures = overview.key_figures(params.year)
    return Introduction(
        params=params,
        numbering=numbering(NAME, FIGURES),
        key_figures=figures,
        key_figures_table=overview.key_figures_table(figures),
        indicator_table=overview.pilot_indicator_table(params.year),
    )
