"""The municipality index: every municipality of a division with its region, group and one series.

The index lists the municipalities of the map's division (2021) in Finnish alphabetical order with
their Finnish and Swedish names, region and urban–rural group, and per municipality the share of
families with children that received social assistance in each year (THL Sotkanet, back-cast by
THL to the 2021 division; a suppressed small count stays a gap). The median municipality of each
year is the reference the sparklines are drawn against. Tidy frames and numbers only: the page's
words are in ``helpers.chapters.municipality_index``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from helpers.analysis.municipal_indicators import finnish_sort_key
from helpers.data import municipalities as munis
from helpers.errors import ParameterError

INDEX_DIVISION = 2021  # the division of the map and of the municipality pages
SERIES_DATASET = "families_social_assistance"
SERIES_COLUMN = "families_social_assistance_pct"
SERIES_UNIT = "% of families with children"


@dataclass(frozen=True)
class MunicipalityIndex:
    """The index's rows and the series drawn in each row."""

    table: pd.DataFrame  # code, name_fi, name_sv, region_en, urban_rural_en; Finnish alphabetical order
    series: pd.DataFrame  # index: municipality code (table order); columns: years; NaN = not published
    median: pd.Series  # per year: the median of the municipalities with a published value
    first_year: int
    last_year: int
    division: int = INDEX_DIVISION

    @property
    def regions(self) -> list[str]:
        return sorted(self.table["region_en"].unique(), key=finnish_sort_key)

    @property
    def groups(self) -> list[str]:
        """Urban–rural groups in Statistics Finland's order: urban, semi-urban, rural."""
        order = self.table.drop_duplicates("urban_rural_en").sort_values("urban_rural_code")
        return list(order["urban_rural_en"])

    def coverage(self) -> dict[str, int]:
        """How many municipalities have every year, some years (gaps: suppressed counts) or none."""
        published = self.series.notna().sum(axis=1)
        years = self.series.shape[1]
        return {
            "complete": int((published == years).sum()),
            "gaps": int(((published > 0) & (published < years)).sum()),
            "none": int((published == 0).sum()),
        }


def series_years() -> tuple[int, int]:
    """First and last year with a published share in the data release (1992 and 2021)."""
    values = _series_frame()
    years = values.loc[values[SERIES_COLUMN].notna(), "year"]
    return int(years.min()), int(years.max())


def _series_frame() -> pd.DataFrame:
    from helpers.data.loaders import load

    return load(SERIES_DATASET)


def check_years(first_year: int, last_year: int) -> tuple[int, int]:
    """The sparkline's years, inside the data release and at least two of them."""
    low, high = series_years()
    if not (low <= first_year < last_year <= high):
        raise ParameterError(
            f"sparkline years {first_year}–{last_year} are outside the data: the share of families receiving "
            f"social assistance is published for {low}–{high}. Fix: choose two years in that range, first < last."
        )
    return first_year, last_year


def municipality_rows(division: int = INDEX_DIVISION) -> pd.DataFrame:
    """Every municipality of the division: code, names, region, urban–rural group (Finnish alphabetical)."""
    columns = ["municipality_code", "name_fi", "name_sv", "region_en", "urban_rural_code", "urban_rural_en"]
    table = munis.reference(division)[columns]
    order = table["name_fi"].map(finnish_sort_key)
    return (
        table.assign(_order=order)
        .sort_values(["_order", "municipality_code"])
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def municipality_index(first_year: int, last_year: int, division: int = INDEX_DIVISION) -> MunicipalityIndex:
    """The index of ``division`` with each municipality's share of families receiving social assistance."""
    if division != INDEX_DIVISION:
        raise ParameterError(
            f"the index lists the {INDEX_DIVISION} division (the map's and the municipality pages'); got {division}"
        )
    first_year, last_year = check_years(first_year, last_year)
    table = municipality_rows(division)
    values = _series_frame()
    values = values[values["year"].between(first_year, last_year)]
    unknown = sorted(set(values["municipality_code"]) - set(table["municipality_code"]))
    if unknown:
        raise ParameterError(
            f"{SERIES_DATASET} has codes outside the {division} division: {unknown[:5]}; "
            "the series must be in the index's division"
        )
    wide = values.pivot(index="municipality_code", columns="year", values=SERIES_COLUMN)
    wide = wide.reindex(index=table["municipality_code"], columns=range(first_year, last_year + 1))
    wide.columns.name = "year"
    return MunicipalityIndex(
        table=table,
        series=wide,
        median=wide.median(axis=0, skipna=True),
        first_year=first_year,
        last_year=last_year,
        division=division,
    )
