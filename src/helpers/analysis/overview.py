"""Key figures for the introduction, computed from the data release (never typed in).

Sums of municipal counts give national totals (population, unemployed job seekers); shares
of recipients are shown as each municipality's published rate and the spread across
municipalities, because a national rate for the 25–64 age group is not in the release.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from helpers import data
from helpers.analysis.indicators import overview_indicators
from helpers.data.municipalities import pilot_municipalities


@dataclass(frozen=True)
class KeyFigure:
    name: str
    label: str
    value: float
    unit: str
    source: str


def available_sotkanet_years() -> list[int]:
    return sorted(int(year) for year in data.load("sotkanet_2019")["year"].unique())


def key_figures(year: int) -> dict[str, KeyFigure]:
    """National and pilot totals for ``year`` from Sotkanet population and the employment statistics."""
    population = data.load("population")
    in_year = population[population["year"] == year]
    national_population = float(in_year["population"].sum())
    pilot_population = float(in_year[in_year["municipality_code"].isin(pilot_municipalities())]["population"].sum())

    unemployment = data.load("unemployment_monthly")
    december = unemployment[unemployment["month"] == f"{year}-12"]
    sotkanet = data.load("sotkanet_2019")
    recipients = sotkanet[
        (sotkanet["indicator"] == "social_assistance_recipients_25_64_pct") & sotkanet["value"].notna()
    ]

    population_source = "THL Sotkanet, indicator 127 (population 31 Dec), 2022 municipal division"
    employment_source = "Ministry of Economic Affairs and Employment, employment service statistics (StatFin)"
    return {
        "national_population": KeyFigure(
            "national_population",
            f"Population of Finland, 31 Dec {year}",
            national_population,
            "persons",
            population_source,
        ),
        "pilot_population": KeyFigure(
            "pilot_population",
            f"Population of the six pilot municipalities, 31 Dec {year}",
            pilot_population,
            "persons",
            population_source,
        ),
        "pilot_population_share": KeyFigure(
            "pilot_population_share",
            "Pilot municipalities' share of the population",
            100 * pilot_population / national_population,
            "%",
            population_source,
        ),
        "unemployed_december": KeyFigure(
            "unemployed_december",
            f"Unemployed job seekers at the end of December {year}, summed over municipalities with a published figure",
            float(december["unemployed"].sum()),
            "persons",
            employment_source,
        ),
        "unemployed_december_municipalities": KeyFigure(
            "unemployed_december_municipalities",
            f"Municipalities with a published count of unemployed job seekers, December {year}",
            float(december["unemployed"].notna().sum()),
            "municipalities",
            employment_source,
        ),
        "unemployed_december_suppressed": KeyFigure(
            "unemployed_december_suppressed",
            f"Municipalities whose count for December {year} is not published (small numbers)",
            float(december["unemployed"].isna().sum()),
            "municipalities",
            employment_source,
        ),
        "municipalities_with_recipient_rate": KeyFigure(
            "municipalities_with_recipient_rate",
            f"Municipalities with a published rate of social assistance recipients aged 25–64, {year}",
            float(recipients["municipality_code"].nunique()),
            "municipalities",
            "THL Sotkanet, indicator 5",
        ),
        "recipient_rate_median": KeyFigure(
            "recipient_rate_median",
            f"Median municipality's recipients aged 25–64, {year}",
            float(recipients["value"].median()),
            "% of residents aged 25–64",
            "THL Sotkanet, indicator 5",
        ),
        "recipient_rate_max": KeyFigure(
            "recipient_rate_max",
            f"Highest municipal rate of recipients aged 25–64, {year}",
            float(recipients["value"].max()),
            "% of residents aged 25–64",
            "THL Sotkanet, indicator 5",
        ),
    }


def key_figures_table(figures: dict[str, KeyFigure]) -> pd.DataFrame:
    rows = [{"Figure": f.label, "Value": f.value, "Unit": f.unit, "Source": f.source} for f in figures.values()]
    table = pd.DataFrame(rows)
    table["Value"] = [
        f"{v:,.1f}" if u in ("%", "% of residents aged 25–64") else f"{v:,.0f}"
        for v, u in zip(table["Value"], table["Unit"])
    ]
    return table


def pilot_indicator_table(year: int) -> pd.DataFrame:
    """Each pilot municipality's value of the overview indicators beside the median municipality."""
    sotkanet = data.load("sotkanet_2019")
    sotkanet = sotkanet[(sotkanet["year"] == year) & sotkanet["indicator"].isin(overview_indicators())]
    medians = sotkanet.groupby(["indicator", "indicator_label", "unit"], as_index=False)[["value"]].median()
    medians["municipality"] = "Median municipality"
    pilots = sotkanet[sotkanet["municipality_code"].isin(pilot_municipalities())].copy()
    pilots["municipality"] = pilots["municipality_code"].map(pilot_municipalities())
    columns = ["indicator", "indicator_label", "unit", "municipality", "value"]
    combined = pd.concat([pilots[columns], medians[columns]], ignore_index=True)
    combined["value"] = combined["value"].round(2)
    return combined.sort_values(["indicator", "municipality"]).reset_index(drop=True)
