"""Municipality comparisons: everything the comparisons chapter shows for one municipality.

The chapter's analysis is split by responsibility: ``municipal_indicators`` (2019 values, ranks,
divisions, coverage), ``unemployment_trends`` (unemployment and Diak over time), ``peers`` (the most
similar municipalities and the explorer's groups). This module puts them together for one
municipality (``compare``) and re-exports their public names, so charts and widgets import one module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

import pandas as pd

from helpers import data
from helpers.data import municipalities as munis

from .indicators import peer_indicators
from .municipal_indicators import (
    DEFAULT_DIVISION,
    DEFAULT_INDICATORS,
    DIAK,
    MAP_DIVISIONS,
    SOTKANET,
    UNEMPLOYMENT,
    available_years,
    comparison_table,
    coverage,
    data_division,
    display_name,
    division_codes,
    finnish_sort_key,
    indicator_catalogue,
    indicator_label,
    indicator_values,
    municipality_frame,
    national_ranks,
    rank_of,
    resolve_indicator,
    unmatched_codes,
)
from .peers import GROUPS, N_PEERS, Peers, group_members, peers
from .unemployment_trends import (
    DIAK_VARIABLES,
    aggregate_rates,
    annual_rates,
    annual_unemployment,
    classification,
    diak_series,
    group_unemployment,
    trend_series,
    unemployment_monthly,
)

# ------------------------------------------------------------------------------------ chapter


@dataclass
class Comparisons:
    """Everything the comparisons chapter shows, for one set of parameters."""

    code: str
    name_fi: str
    name_sv: str
    year: int
    division: int
    indicators: list[str]  # scatter x, y
    table: pd.DataFrame  # comparison_table
    values: pd.DataFrame  # wide, data division
    ranks: pd.DataFrame
    peers: Peers
    notes: pd.DataFrame  # map municipalities with a division note
    facts: dict = field(default_factory=dict)


def compare(code: str, indicators: Sequence[str], year: int, division: int) -> Comparisons:
    """Everything the chapter shows for checked values (``helpers.chapters.comparisons.validate``)."""
    table = comparison_table(year, division)
    values = indicator_values(year)
    ranks = national_ranks(values)
    row = table.set_index("municipality_code").loc[code]
    x_indicator, y_indicator = indicators
    rank, n_ranked = (
        rank_of(values, code, y_indicator) if code in values.index else (None, int(values[y_indicator].notna().sum()))
    )
    notes = table[table["note"] != ""][["municipality_code", "name_fi", "note"]].reset_index(drop=True)
    facts = {
        "name": str(row["name_fi"]),
        "name_sv": str(row["name_sv"]),
        "y_label": indicator_label(y_indicator, with_unit=False),
        "y_unit": str(indicator_catalogue().set_index("indicator").loc[y_indicator, "unit"]),
        "y_value": float(row[y_indicator]) if pd.notna(row[y_indicator]) else float("nan"),
        "y_rank": rank,
        "y_ranked": n_ranked,
        "n_map": len(table),
        "n_data": int(len(values)),
        "n_no_data_map": int(table[list(values.columns)].isna().all(axis=1).sum()),
        "n_indicators": int(values.shape[1]),
        "data_division": data_division(SOTKANET),
    }
    return Comparisons(
        code,
        cast(str, facts["name"]),
        cast(str, facts["name_sv"]),
        year,
        division,
        list(indicators),
        table,
        values,
        ranks,
        peers(values, code),
        notes,
        facts,
    )


def ranking_table(chapter: Comparisons, indicator: str) -> pd.DataFrame:
    """Every map municipality's value and national rank on ``indicator``: the map's table
    alternative (alphabetical, as in the picker; 'no data' where there is no value)."""
    table = chapter.table
    ranks = national_ranks(chapter.values[[indicator]])[indicator]
    cov = coverage(chapter.division, SOTKANET).set_index("municipality_code")["data_code"]
    rank = table["municipality_code"].map(cov).map(ranks)
    unit = indicator_catalogue().set_index("indicator").at[indicator, "unit"]
    return pd.DataFrame(
        {
            "Municipality": [display_name(fi, sv) for fi, sv in zip(table["name_fi"], table["name_sv"])],
            f"Value ({unit})": table[indicator].astype("float64"),
            "Rank (1 = highest)": [None if pd.isna(r) else f"{int(r)}" for r in rank],
        }
    )


__all__ = [
    "Comparisons",
    "DEFAULT_DIVISION",
    "DEFAULT_INDICATORS",
    "DIAK",
    "DIAK_VARIABLES",
    "GROUPS",
    "MAP_DIVISIONS",
    "N_PEERS",
    "Peers",
    "SOTKANET",
    "UNEMPLOYMENT",
    "aggregate_rates",
    "annual_rates",
    "annual_unemployment",
    "available_years",
    "classification",
    "compare",
    "comparison_table",
    "coverage",
    "data",
    "data_division",
    "diak_series",
    "display_name",
    "division_codes",
    "finnish_sort_key",
    "group_members",
    "group_unemployment",
    "indicator_catalogue",
    "indicator_label",
    "indicator_values",
    "municipality_frame",
    "munis",
    "national_ranks",
    "peer_indicators",
    "peers",
    "rank_of",
    "ranking_table",
    "resolve_indicator",
    "trend_series",
    "unemployment_monthly",
    "unmatched_codes",
]
