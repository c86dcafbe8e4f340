"""Unemployment and Diak's disadvantage indices over time, for one municipality and its groups.

Unemployment counts are harmonised forward by summing (a merged municipality's unemployed and
labour force added to its successor, then the rate recomputed). Region and urban–rural group come
from Statistics Finland's 2020 classification (the division of the unemployment data); rates are
weighted, 100 × Σ unemployed / Σ labour force over the municipalities reporting that month. Annual
rates are means of the monthly rates (the labour force is an annual figure), for municipalities
only in years with every month reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from helpers import data
from helpers.data import municipalities as munis
from helpers.errors import ParameterError

from .municipal_indicators import (
    CLASSIFICATION_YEAR,
    DEFAULT_DIVISION,
    DIAK,
    UNEMPLOYMENT,
    _data_cached,
    _division_reference,
    coverage,
    data_division,
    municipality_frame,
)

# Diak indices shown for the chosen municipality (English labels of Diak's variables).
DIAK_VARIABLES: dict[str, str] = {
    "long_term_social_assistance_25_64": "Long-term social assistance recipients aged 25–64",
    "disadvantage_total": "Disadvantage, all components (composite index)",
}


# -------------------------------------------------------------------------------- unemployment


def unemployment_monthly(division: int = DEFAULT_DIVISION, monthly: pd.DataFrame | None = None) -> pd.DataFrame:
    """Monthly unemployed, labour force and rate per map municipality of ``division``.

    Data from a division earlier than the map's are harmonised by summing counts (then the rate
    is recomputed); map municipalities merged before the data's division have no rows.
    """
    if monthly is None:
        return _unemployment_monthly_release(int(division))
    return _unemployment_monthly(int(division), monthly)


@_data_cached(UNEMPLOYMENT, "municipalities")
def _unemployment_monthly_release(division: int) -> pd.DataFrame:
    return _unemployment_monthly(division, data.load(UNEMPLOYMENT))


@_data_cached(UNEMPLOYMENT, "municipalities")
def annual_unemployment(division: int = DEFAULT_DIVISION) -> pd.DataFrame:
    """Annual unemployment rate per map municipality (``annual_rates`` of the release's months)."""
    return annual_rates(unemployment_monthly(division))


def _unemployment_monthly(division: int, monthly: pd.DataFrame) -> pd.DataFrame:
    frame = monthly[["municipality_code", "month", "year", "unemployed", "labour_force"]]
    source = data_division(UNEMPLOYMENT)
    if int(division) > source:
        frame = munis.harmonise(frame, int(division), ["unemployed", "labour_force"], how="sum", keys=["month", "year"])
    frame = frame.assign(rate=100 * frame["unemployed"] / frame["labour_force"])
    return frame.sort_values(["municipality_code", "month"]).reset_index(drop=True)


def annual_rates(monthly: pd.DataFrame, key: str = "municipality_code") -> pd.DataFrame:
    """Annual rate = mean of the monthly rates, only where every month of the year is reported
    (a year's expected months = the months of that year present anywhere in the data)."""
    months_in_year = monthly.groupby("year")["month"].nunique()
    grouped = monthly.groupby([key, "year"])
    out = grouped["rate"].agg(["mean", "count"]).reset_index()
    complete = out["count"] == out["year"].map(months_in_year)
    out["rate"] = out["mean"].where(complete)
    return out[[key, "year", "rate"]]


def aggregate_rates(monthly: pd.DataFrame, classification: pd.DataFrame) -> pd.DataFrame:
    """Monthly weighted rates of every region, urban–rural group and Finland.

    rate = 100 × Σ unemployed / Σ labour force over the municipalities with a value that month.
    ``classification``: municipality_code, region_code, region_en, urban_rural_code, urban_rural_en.
    Returns series (key "R<code>" / "G<code>" / "FI"), label, kind, month, year, rate.
    """
    reporting = monthly[monthly["unemployed"].notna()].merge(
        classification[["municipality_code", "region_code", "region_en", "urban_rural_code", "urban_rural_en"]],
        on="municipality_code",
        how="left",
        validate="many_to_one",
    )
    unclassified = reporting[reporting["region_code"].isna()]["municipality_code"].unique()
    if len(unclassified):
        raise ParameterError(f"municipalities {sorted(unclassified)[:5]} have no region in the classification")
    parts = []
    groupings = [
        ("region", "R" + reporting["region_code"].astype(str), reporting["region_en"]),
        ("urban_rural", "G" + reporting["urban_rural_code"].astype(str), reporting["urban_rural_en"]),
        ("finland", pd.Series("FI", index=reporting.index), pd.Series("Finland", index=reporting.index)),
    ]
    for kind, series, label in groupings:
        summed = (
            reporting.assign(series=series, label=label)
            .groupby(["series", "label", "month", "year"], as_index=False)[["unemployed", "labour_force"]]
            .sum()
        )
        summed["kind"] = kind
        parts.append(summed)
    out = pd.concat(parts, ignore_index=True)
    out["rate"] = 100 * out["unemployed"] / out["labour_force"]
    return (
        out[["series", "label", "kind", "month", "year", "rate"]]
        .sort_values(["series", "month"])
        .reset_index(drop=True)
    )


def classification(year: int = CLASSIFICATION_YEAR) -> pd.DataFrame:
    return _division_reference(year)[
        ["municipality_code", "region_code", "region_en", "urban_rural_code", "urban_rural_en"]
    ]


def trend_series(
    code: str,
    division: int = DEFAULT_DIVISION,
    frequency: str = "annual",
    years: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """The unemployment rate of ``code`` beside its region, its urban–rural group and Finland.

    Columns: series (label), role (municipality/region/urban_rural/finland), period (month
    'YYYY-MM' or year), year, rate. ``frequency`` 'monthly' or 'annual'.
    """
    if frequency not in ("monthly", "annual"):
        raise ParameterError(f"frequency must be 'monthly' or 'annual'; found {frequency!r}")
    own = unemployment_monthly(division)
    classes = classification()
    aggregates = aggregate_rates(data.load(UNEMPLOYMENT), classes)
    frame = municipality_frame(division).set_index("municipality_code")
    row = frame.loc[code]
    mine = own[own["municipality_code"] == code][["month", "year", "rate"]].assign(
        series=row["name_fi"], role="municipality"
    )
    wanted = {f"R{row['region_code']}": "region", f"G{row['urban_rural_code']}": "urban_rural", "FI": "finland"}
    others = aggregates[aggregates["series"].isin(wanted)]
    others = others.assign(role=others["series"].map(wanted), series=others["label"])[
        ["month", "year", "rate", "series", "role"]
    ]
    combined = pd.concat([mine, others], ignore_index=True)
    if frequency == "annual":
        combined = annual_rates(
            combined.rename(columns={"series": "key"}).assign(key=lambda f: f["key"] + "|" + f["role"]), key="key"
        )
        split = combined["key"].str.split("|", n=1, expand=True)
        combined = combined.assign(series=split[0], role=split[1], period=combined["year"]).drop(columns="key")
    else:
        combined = combined.assign(period=combined["month"]).drop(columns="month")
    if years is not None:
        combined = combined[combined["year"].between(int(years[0]), int(years[1]))]
    order = {"municipality": 0, "region": 1, "urban_rural": 2, "finland": 3}
    combined = combined.assign(_o=combined["role"].map(order)).sort_values(["_o", "period"]).drop(columns="_o")
    return combined[["series", "role", "period", "year", "rate"]].reset_index(drop=True)


# ----------------------------------------------------------------------------------------- Diak


def diak_series(
    code: str, variables: Iterable[str] = tuple(DIAK_VARIABLES), division: int = DEFAULT_DIVISION
) -> pd.DataFrame:
    """Diak index values (median municipality = 100) of ``code``: variable, label, year_mid, index_value."""
    frame = data.load(DIAK)
    cov = coverage(division, DIAK).set_index("municipality_code")
    data_code = cov["data_code"].get(code)
    frame = frame[(frame["municipality_code"] == data_code) & frame["variable"].isin(list(variables))]
    frame = frame.assign(label=frame["variable"].map(DIAK_VARIABLES))
    return (
        frame[["variable", "label", "year_mid", "index_value"]]
        .sort_values(["variable", "year_mid"])
        .reset_index(drop=True)
    )


def group_unemployment(codes: Sequence[str], division: int = DEFAULT_DIVISION) -> pd.DataFrame:
    """Annual weighted unemployment rate of a group: 100 × Σ unemployed / Σ labour force over the
    members reporting each month, then the mean of the months (columns year, rate)."""
    monthly = unemployment_monthly(division)
    monthly = monthly[monthly["municipality_code"].isin(list(codes)) & monthly["unemployed"].notna()]
    summed = monthly.groupby(["month", "year"], as_index=False)[["unemployed", "labour_force"]].sum()
    summed["rate"] = 100 * summed["unemployed"] / summed["labour_force"]
    return summed.groupby("year", as_index=False)[["rate"]].mean()
