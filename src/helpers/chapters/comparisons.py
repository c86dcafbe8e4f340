"""Chapter: municipality comparisons (notebooks/comparisons.ipynb)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from helpers.analysis import municipal_comparisons as comparisons
from helpers.chapters import comparisons_text
from helpers.chapters.model import param, typed_values
from helpers.chapters.numbering import Numbering, chapter_page, numbering
from helpers.data import municipalities as munis
from helpers.errors import ParameterError
from helpers.i18n import checked_edition

NAME = "comparisons"
EDITION_PARAMETER = "lang"  # the build runs this chapter once per edition
FIGURES = ("linked_views", "over_time")


@dataclass(frozen=True)
class Params:
    municipality: str = param("Tampere", "municipality shown first: Finnish or Swedish name, or code")
    indicators: list[str] = param(
        list(comparisons.DEFAULT_INDICATORS),
        "scatter x then y (short ids or Sotkanet numbers); the map opens on y",
    )
    year: int = param(2019, "Sotkanet year (the data release holds 2019 only)")
    division: int = param(2021, "boundary set of the map: 2021 (closest to the data) or 2017")
    lang: str = param("en", "edition language of the page's generated text and number formats: en, fi or sv")


def validate(given: Mapping[str, Any]) -> Params:
    """The year and boundary set inside the data, the municipality as a code on that map, two indicators."""
    values = typed_values(Params, given)
    values["lang"] = checked_edition(values["lang"])
    years = comparisons.available_years()
    year, division = values["year"], values["division"]
    if year not in years:
        raise ParameterError(f"parameter 'year' = {year!r} is outside the data: the Sotkanet release holds {years}.")
    if division not in comparisons.MAP_DIVISIONS:
        raise ParameterError(
            f"parameter 'division' = {division!r}: boundaries exist for {sorted(comparisons.MAP_DIVISIONS)} "
            f"({comparisons.DEFAULT_DIVISION} is closest to the data's "
            f"{comparisons.data_division(comparisons.SOTKANET)} division)."
        )
    try:
        code = munis.resolve(values["municipality"], year=division)
    except ParameterError as error:
        raise ParameterError(f"parameter 'municipality': {error}") from None
    if code not in comparisons.division_codes(division):
        raise ParameterError(f"parameter 'municipality': code {code} has no boundary in the {division} map.")
    chosen = values["indicators"]
    if len(chosen) != 2:
        raise ParameterError(
            f"parameter 'indicators' = {chosen!r}: give two indicators (scatter x then y), "
            f"e.g. {list(comparisons.DEFAULT_INDICATORS)}."
        )
    try:
        resolved = [comparisons.resolve_indicator(item) for item in chosen]
    except ParameterError as error:
        raise ParameterError(f"parameter 'indicators': {error}") from None
    if resolved[0] == resolved[1]:
        raise ParameterError(f"parameter 'indicators': the two indicators must differ; both are {resolved[0]!r}.")
    return Params(municipality=code, indicators=resolved, year=year, division=division, lang=values["lang"])


@dataclass
class ComparisonsPage:
    params: Params
    numbering: Numbering
    comparisons: comparisons.Comparisons
    page: str | None  # this chapter's page in the book (the run plan's); the map links from it

    def glue_values(self) -> dict[str, Any]:
        return {**comparisons_text.narrative(self.comparisons, self.params.lang), **self.numbering.labels()}

    @property
    def peers_caption(self) -> str:
        return comparisons_text.peers_caption(self.comparisons, self.params.lang)


def prepare(params: Params) -> ComparisonsPage:
    return ComparisonsPage(
        params=params,
        numbering=numbering(NAME, FIGURES, lang=params.lang),
        comparisons=comparisons.compare(params.municipality, params.indicators, params.year, params.division),
        page=chapter_page(NAME),
    )
