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
from helpers.i18n import N_, checked_edition, translated
from helpers.text import format_percent

NAME = "municipality_index"
EDITION_PARAMETER = "lang"  # the build runs this page once per edition
DEFAULT_PAGE = f"{MUNICIPALITY_PAGES}/index"  # where the run plan puts it; links are computed from the plan
SERIES_LABEL = N_("Families with children receiving social assistance, % of families with children")

# The page's headings and paragraphs (the template's markdown only places them), in markdown.
PROSE = {
    "heading": N_("Municipality index"),
    "intro_text": N_(
        "Every municipality of the {division} municipal division has a page of its own in this book: the "
        "{n_municipalities} municipalities of the comparisons chapter's map, in {n_regions} regions. Find one "
        "below by its Finnish or Swedish name or by its code (capitals and accents do not matter: *narpio* finds "
        "Närpes, *tammerfors* finds Tampere), or narrow the list to a region or an urban–rural group; a "
        "municipality's name opens its page. The list and its filters work in the page itself, from the book's "
        "own files, without a server or a Jupyter kernel."
    ),
    "lines_text": N_(
        "Each row's line is the share of families with children that received social assistance during the "
        "year, {first_year}–{last_year} (THL, Sotkanet, back-cast by THL to the {division} division), in black, "
        "against the median municipality of each year in grey. One scale serves every row, so the lines' "
        "heights can be compared; the last column gives the {last_year} share. {median_sentence} THL does not "
        "publish small counts: {n_gaps} municipalities have years missing from their line (shown as a gap, never "
        "bridged) and {n_none} have no published year at all; {n_complete} have every year. Basic social "
        "assistance moved from the municipalities to Kela at the start of 2017, so a level shift at 2017 common "
        "to every municipality is possible."
    ),
    "heading_parameters": N_("Parameters"),
    "parameters_text": N_(
        "`sparkline_years` — the first and the last year of each municipality's line, inside the published "
        "years {first_published}–{last_published}. It is checked before the notebook runs; years outside the "
        "data are rejected with the range that exists."
    ),
}
MARKDOWN = ("intro_text", "lines_text", "parameters_text")  # glued as markdown; the headings as text
MEDIAN_SENTENCE = N_(
    "Across the municipalities with a published share, the median was {first_value} in {first} and "
    "{last_value} in {last}."
)


@dataclass(frozen=True)
class Params:
    sparkline_years: list[int] = param(
        [1992, 2021], "first and last year of each municipality's line (inside 1992–2021, the published years)"
    )
    lang: str = param("en", "edition language of the page's text, names and number formats: en, fi or sv")


def validate(given: Mapping[str, Any]) -> Params:
    values = typed_values(Params, given)
    values["lang"] = checked_edition(values["lang"])
    years = values["sparkline_years"]
    if len(years) != 2:
        raise ParameterError(
            f"parameter 'sparkline_years' = {years!r}: give two years, first then last, e.g. [1992, 2021]"
        )
    try:
        first, last = analysis.check_years(int(years[0]), int(years[1]))
    except ParameterError as error:
        raise ParameterError(f"parameter 'sparkline_years': {error}") from None
    return Params(sparkline_years=[first, last], lang=values["lang"])


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
        lang = self.params.lang
        values = {
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
            "median_sentence": median_sentence(float(median[first]), float(median[last]), first, last, lang),
        }
        return {**values, **{key: translated(text, lang, **values) for key, text in PROSE.items()}}

    @property
    def series_label(self) -> str:
        return translated(SERIES_LABEL, self.params.lang)


def median_sentence(first_value: float, last_value: float, first: int, last: int, lang: str = "en") -> str:
    """The grey line's two ends: the median over the municipalities with a published share."""
    return translated(
        MEDIAN_SENTENCE,
        lang,
        first_value=format_percent(first_value, 1, lang=lang),
        first=first,
        last_value=format_percent(last_value, 1, lang=lang),
        last=last,
    )


def prepare(params: Params) -> MunicipalityIndexPage:
    first, last = params.sparkline_years
    return MunicipalityIndexPage(
        params=params,
        numbering=numbering(NAME, lang=params.lang),
        index=analysis.municipality_index(first, last),
        page=chapter_page(NAME) or DEFAULT_PAGE,
    )
