"""Chapter: the municipality index (notebooks/municipality_index.ipynb), the first page of the
"Municipalities" part: every municipality of the 2021 division, searchable, each linking to its page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from helpers.analysis import municipality_index as analysis
from helpers.chapters.model import param, typed_values
from helpers.chapters.numbering import Numbering, chapter_page, numbering
from helpers.data.municipalities import MUNICIPALITY_PAGES
from helpers.errors import ParameterError
from helpers.text import format_number

NAME = "municipality_index"
DEFAULT_PAGE = f"{MUNICIPALITY_PAGES}/index"  # where the run plan puts it; links are computed from the plan
SERIES_LABEL = "Families with children receiving social assistance, % of families with children"


@dataclass(frozen=True)
class Params:
    sparkline_years: list[int] = param(
        [1992, 2021], "first and last year of each municipality's line (inside 1992–2021, the published years)"
    )


def validate(given: Mapping[str, Any]) -> Params:
    values = typed_values(Params, given)
    years = values["sparkline_years"]
    if len(years) != 2:
        raise ParameterError(
            f"parameter 'sparkline_years' = {years!r}: give two years, first then last, e.g. [1992, 2021]"
        )
    try:
        first, last = analysis.check_years(int(years[0]), int(years[1]))
    except ParameterError as error:
        raise ParameterError(f"parameter 'sparkline_years': {error}") from None
    return Params(sparkline_years=[first, last])


@dataclass
class MunicipalityIndexPage:
    params: Params
    numbering: Numbering
    index: analysis.MunicipalityIndex
    page: str  # this page's path in the book, e.g. "municipalities/index": the rows' links start here

    def glue_values(self) -> dict[str, Any]:
        coverage = self.index.coverage()
        first, last = self.index.first_year, self.index.last_year
        median = self.index.median
        first_published, last_published = analysis.series_years()
        return {
            "first_published": first_published,
            "last_published": last_published,
            "n_municipalities": len(self.index.table),
            "n_regions": len(self.index.regions),
            "division": self.index.division,
            "first_year": first,
            "last_year": last,
            "n_complete": coverage["complete"],
            "n_gaps": coverage["gaps"],
            "n_none": coverage["none"],
            "median_sentence": median_sentence(float(median[first]), float(median[last]), first, last),
        }


def median_sentence(first_value: float, last_value: float, first: int, last: int) -> str:
    """The grey line's two ends: the median over the municipalities with a published share."""
    return (
        f"Across the municipalities with a published share, the median was {format_number(first_value, 1)} % "
        f"in {first} and {format_number(last_value, 1)} % in {last}."
    )


def prepare(params: Params) -> MunicipalityIndexPage:
    first, last = params.sparkline_years
    return MunicipalityIndexPage(
        params=params,
        numbering=numbering(NAME),
        index=analysis.municipality_index(first, last),
        page=chapter_page(NAME) or DEFAULT_PAGE,
    )
