"""Key figures for the introduction, computed from the data release (never typed in).

Sums of municipal counts give national totals (population, unemployed job seekers). The release
holds no published national rate of social assistance recipients aged 25–64, so the book computes
one from Sotkanet's municipal counts (:func:`national_rate_from_counts`) and shows it beside the
spread of the municipal rates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers import data
from helpers.analysis.indicators import overview_indicators
from helpers.data.municipalities import pilot_municipalities
from helpers.text import format_number


@dataclass(frozen=True)
class KeyFigure:
    name: str
    label: str
    value: float
    unit: str
    source: str


MIN_COUNT_COVERAGE = 0.9  # share of municipalities with a rate that must also have a count


def national_rate_from_counts(rates, counts) -> tuple[float, int]:
    """A national rate from municipal rates and the absolute counts Sotkanet gives with them.

    Each municipality's denominator is implied by its count and its rate (``count / rate x 100``);
    the national rate is ``100 x sum(counts) / sum(implied denominators)`` over municipalities with
    both a count and a positive rate. Returns ``(rate, municipalities used)``; the rate is NaN when
    fewer than ``MIN_COUNT_COVERAGE`` of the municipalities with a rate have a count (the sum would
    then leave too much of the country out).
    """
    v = np.asarray(rates, dtype=float)
    a = np.asarray(counts, dtype=float)
    has = np.isfinite(a) & np.isfinite(v) & (v > 0)
    n_rates = int(np.isfinite(v).sum())
    if n_rates == 0 or has.sum() < MIN_COUNT_COVERAGE * n_rates:
        return math.nan, int(has.sum())
    return float(100.0 * a[has].sum() / (a[has] / v[has] * 100.0).sum()), int(has.sum())


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
        "recipient_rate_national_from_counts": KeyFigure(
            "recipient_rate_national_from_counts",
            f"Recipients aged 25–64, whole country computed from municipal counts, {year}",
            national_rate_from_counts(recipients["value"], recipients["absolute_value"])[0],
            "% of residents aged 25–64",
            "THL Sotkanet, indicator 5 (values and absolute values); own calculation",
        ),
        "recipient_rate_count_municipalities": KeyFigure(
            "recipient_rate_count_municipalities",
            f"Municipalities with both a rate and a count of recipients aged 25–64, {year}",
            float(national_rate_from_counts(recipients["value"], recipients["absolute_value"])[1]),
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
        format_number(v, 1 if u in ("%", "% of residents aged 25–64") else 0)
        for v, u in zip(table["Value"], table["Unit"], strict=True)
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
