"""Municipality comparisons: 2019 indicators on a map, national ranks, peers and trends.

Divisions. Each dataset is published in one municipal division (the catalogue's ``x-division``):
Sotkanet 2019 indicators in the 2025 division (THL re-bases its series to the division current at
retrieval, so Nurmes includes Valtimo, Kankaanpää includes Honkajoki and Mäntyharju includes
Pertunmaa), unemployment in the 2020 division, Diak indices in the 2021 division. The map uses a
boundary set (``division`` 2021, the closest to the data, or 2017). Rates cannot be split or
summed, so when a map municipality was later merged into another, it shows **no data** with a note
naming the municipality whose value covers its area, and the absorbing municipality carries a note
that its value covers both. Unemployment counts are harmonised forward by summing (a merged
municipality's unemployed and labour force added to its successor, then the rate recomputed).

Ranks: national rank per indicator among the municipalities with a value, 1 = the highest value;
ties share the lowest rank (pandas ``method="min"``, the same rule as Vega's ``rank``).

Peers: Euclidean distance on z-scores (mean and sample standard deviation over the municipalities
with a value on every peer indicator) of ``PEER_INDICATORS``; municipalities missing any of them
are excluded and listed, never imputed.

Trend aggregates: region and urban–rural group from Statistics Finland's 2020 classification (the
division of the unemployment data); rates are weighted, 100 × Σ unemployed / Σ labour force over
the municipalities reporting that month. Annual rates are means of the monthly rates (the labour
force is an annual figure), for municipalities only in years with every month reported.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers import data
from helpers.data import catalogue
from helpers.data import municipalities as munis
from helpers.errors import ParameterError
from helpers.text import nearest_names

SOTKANET = "sotkanet_2019"
UNEMPLOYMENT = "unemployment_monthly"
DIAK = "diak_indices"

# Boundary sets: division year -> (dataset id, TopoJSON object, property holding the code).
MAP_DIVISIONS: dict[int, tuple[str, str, str]] = {
    2017: ("boundaries_2017", "kuntarajat", "code"),
    2021: ("boundaries_2021", "munis", "id"),
}
DEFAULT_DIVISION = 2021
# Region and urban–rural group of the trend comparisons: the unemployment data's own division.
CLASSIFICATION_YEAR = 2020

PEER_INDICATORS: tuple[str, ...] = (
    "social_assistance_recipients_25_64_pct",
    "long_term_unemployment_pct",
    "low_income_rate_pct",
    "tertiary_education_pct",
    "demographic_dependency_ratio",
)
N_PEERS = 10

# Diak indices shown for the chosen municipality (English labels of Diak's variables).
DIAK_VARIABLES: dict[str, str] = {
    "long_term_social_assistance_25_64": "Long-term social assistance recipients aged 25–64",
    "disadvantage_total": "Disadvantage, all components (composite index)",
}

DEFAULT_INDICATORS = ("long_term_unemployment_pct", "social_assistance_recipients_25_64_pct")


# ------------------------------------------------------------------------------------ caching


def _data_cached(*dataset_ids: str) -> Callable:
    """Memoise a function of plain arguments on the checksums of the datasets it reads (so a changed
    data release is never served from the cache); callers get copies, never the cached object."""

    def decorate(function: Callable) -> Callable:
        results: dict = {}

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            from helpers.data.loaders import verified_file

            key = (tuple(verified_file(d)[1] for d in dataset_ids), args, tuple(sorted(kwargs.items())))
            if key not in results:
                results[key] = function(*args, **kwargs)
            return copy.deepcopy(results[key]) if not isinstance(results[key], pd.DataFrame) else results[key].copy()

        wrapper.cache_clear = results.clear  # type: ignore[attr-defined]
        return wrapper

    return decorate


# ------------------------------------------------------------------------------------ catalogue


def data_division(dataset_id: str) -> int:
    """The municipal division a dataset is published in (catalogue field ``x-division``)."""
    return int(catalogue.resource(dataset_id)["x-division"])


def available_years() -> list[int]:
    return sorted(int(y) for y in data.load(SOTKANET)["year"].unique())


@_data_cached(SOTKANET)
def indicator_catalogue() -> pd.DataFrame:
    """Every Sotkanet indicator of the release: id, short id, label and unit, by Sotkanet id."""
    frame = data.load(SOTKANET)[["indicator_id", "indicator", "indicator_label", "unit"]]
    return frame.drop_duplicates().sort_values("indicator_id").reset_index(drop=True)


def resolve_indicator(value: object) -> str:
    """Short indicator id from a short id or a Sotkanet number ('5', 5, 'gini'); nearest on typos."""
    cat = indicator_catalogue()
    ids = list(cat["indicator"])
    text = str(value).strip()
    if text.isdigit() and int(text) in set(cat["indicator_id"]):
        return str(cat.loc[cat["indicator_id"] == int(text), "indicator"].iloc[0])
    if text in ids:
        return text
    nearest = nearest_names(text, ids, cutoff=0.0)
    raise ParameterError(
        f"unknown indicator {value!r}; nearest: {', '.join(nearest)}. Valid: a short id or Sotkanet number of "
        + ", ".join(f"{row.indicator} ({row.indicator_id})" for row in cat.itertuples())
    )


def indicator_label(indicator: str, with_unit: bool = True) -> str:
    """'Long-term unemployed (% of labour force)': the measure (before the label's ", % of …" part)
    and its unit; without the unit, the full label."""
    cat = indicator_catalogue().set_index("indicator")
    label, unit = str(cat.at[indicator, "indicator_label"]), str(cat.at[indicator, "unit"])
    if not with_unit:
        return label
    head, sep, _ = label.partition(", ")
    return f"{head if sep else label} ({unit})"


# ------------------------------------------------------------------------------------- values


@_data_cached(SOTKANET)
def indicator_values(year: int = 2019) -> pd.DataFrame:
    """Wide table: one row per municipality of the data division, one column per indicator."""
    frame = data.load(SOTKANET)
    frame = frame[frame["year"] == int(year)]
    wide = frame.pivot(index="municipality_code", columns="indicator", values="value")
    order = list(indicator_catalogue()["indicator"])
    wide = wide[order]
    wide.columns.name = None
    return wide.sort_index()


def national_ranks(values: pd.DataFrame) -> pd.DataFrame:
    """Rank of every municipality on every indicator: 1 = highest value; ties share the lowest
    rank; missing values stay missing (nullable Int64)."""
    return values.rank(ascending=False, method="min").astype("Int64")


def rank_of(values: pd.DataFrame, code: str, indicator: str) -> tuple[int | None, int]:
    """(rank, number of ranked municipalities) of ``code`` on ``indicator``; rank None if no value."""
    column = values[indicator]
    ranks = national_ranks(values[[indicator]])[indicator]
    rank = ranks.get(code, pd.NA)
    return (None if pd.isna(rank) else int(rank)), int(column.notna().sum())


# ---------------------------------------------------------------------------------- divisions


@_data_cached("boundaries_2017", "boundaries_2021")
def division_codes(division: int) -> list[str]:
    """Codes of the municipalities on the map of ``division`` (its boundary file)."""
    dataset_id, obj, prop = MAP_DIVISIONS[int(division)]
    topo = data.load_topojson(dataset_id)
    return sorted(str(g["properties"][prop]).zfill(3) for g in topo["objects"][obj]["geometries"])


@_data_cached("boundaries_2017", "boundaries_2021", "municipalities")
def coverage(division: int, dataset_id: str) -> pd.DataFrame:
    """How a dataset's municipalities map onto a division's map municipalities.

    One row per map municipality: ``data_code`` (the dataset's code whose value the map shows for
    it, or missing when its area is only available inside a merged municipality), ``covers`` (map
    codes whose area that value covers) and ``note`` (empty when the match is one to one).
    """
    division = int(division)
    source = data_division(dataset_id)
    codes = division_codes(division)
    names = _names(range(min(division, source), max(division, source) + 1))
    rows = []
    if source >= division:
        # Later data division: a map municipality merged since has no value of its own.
        target = {c: munis.successor(c, source) for c in codes}
        covers: dict[str, list[str]] = {}
        for c, t in target.items():
            covers.setdefault(t, []).append(c)
        for c in codes:
            t = target[c]
            if t != c:
                m = _merger_of(c)
                note = (
                    f"No data: merged into {names[t]} on 1 January {m.division_year}; the {source} data "
                    f"include its area in {names[t]}'s value."
                )
                rows.append((c, None, (c,), note))
            elif len(covers[c]) > 1:
                others = [o for o in covers[c] if o != c]
                note = (
                    f"The value covers {names[c]} and {', '.join(names[o] for o in others)} "
                    f"(merged later; {source} division)."
                )
                rows.append((c, c, tuple(sorted(covers[c])), note))
            else:
                rows.append((c, c, (c,), ""))
    else:
        # Earlier data division: counts of municipalities merged since are added to the successor.
        present = set(_division_reference(source)["municipality_code"])
        absorbed: dict[str, list[str]] = {}
        for p in present:
            t = munis.successor(p, division)
            if t != p:
                absorbed.setdefault(t, []).append(p)
        for c in codes:
            if c in absorbed:
                merged = sorted(absorbed[c])
                note = (
                    f"Counts of {names[c]} and {', '.join(names[o] for o in merged)} added together "
                    f"(merged by {division}); the rate is recomputed from the sums."
                )
                rows.append((c, c, (c,), note))
            elif c in present:
                rows.append((c, c, (c,), ""))
            else:
                rows.append((c, None, (c,), f"No data: not in the {source} division of the data."))
    out = pd.DataFrame(rows, columns=["municipality_code", "data_code", "covers", "note"])
    out.attrs.update({"division": division, "data_division": source, "dataset_id": dataset_id})
    return out


def _merger_of(code: str) -> munis.Merger:
    return next(m for m in munis.mergers() if m.absorbed_code == code)


def _division_reference(year: int) -> pd.DataFrame:
    year = min(max(int(year), munis.FIRST_YEAR), munis.LAST_YEAR)
    return munis.reference(year)


def _names(years: Iterable[int]) -> dict[str, str]:
    """Code -> Finnish name from the latest of ``years`` that holds the code."""
    out: dict[str, str] = {}
    for y in sorted(years):
        ref = _division_reference(y)
        out.update(zip(ref["municipality_code"], ref["name_fi"]))
    return out


@_data_cached("boundaries_2017", "boundaries_2021", "municipalities")
def municipality_frame(division: int = DEFAULT_DIVISION) -> pd.DataFrame:
    """Map municipalities with names (fi/sv, from the division's year), region and urban–rural group
    (2020 classification, the division's own where a code is not in 2020), sorted by Finnish name."""
    division = int(division)
    codes = division_codes(division)
    own = _division_reference(division).set_index("municipality_code")
    classified = _division_reference(CLASSIFICATION_YEAR).set_index("municipality_code")
    frame = pd.DataFrame({"municipality_code": codes})
    frame["name_fi"] = frame["municipality_code"].map(own["name_fi"])
    frame["name_sv"] = frame["municipality_code"].map(own["name_sv"])
    for column in ("region_code", "region_en", "urban_rural_code", "urban_rural_en"):
        frame[column] = (
            frame["municipality_code"].map(classified[column]).fillna(frame["municipality_code"].map(own[column]))
        )
    frame["urban_rural_code"] = frame["urban_rural_code"].astype("int64")
    missing = frame[frame["name_fi"].isna()]
    if len(missing):
        raise ParameterError(
            f"boundary file of {division} has codes {list(missing['municipality_code'])} that are not in the "
            f"{division} classification; check helpers.data.municipalities.reference({division})."
        )
    frame["sort_key"] = frame["name_fi"].map(finnish_sort_key)
    return frame.sort_values(["sort_key", "municipality_code"]).drop(columns="sort_key").reset_index(drop=True)


def finnish_sort_key(name: str) -> str:
    """Alphabetical order as in Finnish: ... z, å, ä, ö."""
    return str(name).casefold().translate(str.maketrans({"å": "{", "ä": "|", "ö": "}"}))


def display_name(name_fi: str, name_sv: str) -> str:
    return name_fi if not name_sv or name_sv == name_fi else f"{name_fi} ({name_sv})"


@_data_cached(SOTKANET, "boundaries_2017", "boundaries_2021", "municipalities")
def comparison_table(year: int = 2019, division: int = DEFAULT_DIVISION) -> pd.DataFrame:
    """One row per map municipality: names, region, group, every indicator (NaN = no data), note."""
    frame = municipality_frame(division)
    cov = coverage(division, SOTKANET).set_index("municipality_code")
    values = indicator_values(year)
    data_code = frame["municipality_code"].map(cov["data_code"])
    wide = values.reindex(data_code.where(data_code.notna(), "")).reset_index(drop=True)
    out = pd.concat([frame, wide], axis=1)
    out["note"] = frame["municipality_code"].map(cov["note"])
    out.attrs["coverage"] = cov.reset_index()
    return out


# --------------------------------------------------------------------------------------- peers


@dataclass
class Peers:
    code: str
    indicators: tuple[str, ...]
    table: pd.DataFrame  # the nearest municipalities: code, distance, indicator values
    excluded: list[str]  # municipalities left out for a missing value on a peer indicator
    n_candidates: int  # municipalities with complete data (the chosen one included)
    message: str = ""  # why no peers could be listed (chosen municipality lacks data)


def peers(
    values: pd.DataFrame,
    code: str,
    indicators: Sequence[str] = PEER_INDICATORS,
    n: int = N_PEERS,
) -> Peers:
    """The ``n`` municipalities nearest to ``code`` by Euclidean distance on z-scores.

    ``values`` is a wide frame indexed by municipality code. Z-scores use the mean and sample
    standard deviation over municipalities with a value on every indicator; the others are
    excluded (listed in ``excluded``), never imputed. Ties in distance are ordered by code.
    """
    indicators = tuple(indicators)
    subset = values[list(indicators)]
    complete_mask = subset.notna().all(axis=1)
    complete = subset[complete_mask].astype("float64")
    excluded = sorted(subset.index[~complete_mask])
    columns = ["municipality_code", "distance", *indicators]
    if code not in complete.index:
        missing = [i for i in indicators if code in subset.index and pd.isna(subset.at[code, i])]
        why = (
            f"no value for {', '.join(PEER_LABELS.get(i, i) for i in missing)}"
            if missing
            else "no 2019 indicator values"
        )
        return Peers(
            code,
            indicators,
            pd.DataFrame(columns=columns),
            excluded,
            len(complete),
            message=f"No peers: {why} for this municipality.",
        )
    spread = complete.std(ddof=1).replace(0.0, np.nan)
    z = (complete - complete.mean()) / spread
    z = z.fillna(0.0)  # an indicator without spread does not separate anyone
    distance = np.sqrt(((z - z.loc[code]) ** 2).sum(axis=1))
    result = pd.DataFrame({"municipality_code": complete.index, "distance": distance.to_numpy()})
    result = result[result["municipality_code"] != code]
    result = result.sort_values(["distance", "municipality_code"]).head(n)
    result = result.join(complete, on="municipality_code").reset_index(drop=True)
    return Peers(code, indicators, result[columns], excluded, len(complete))


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


# ------------------------------------------------------------------------------------- tables


def unmatched_codes(division: int = DEFAULT_DIVISION, dataset_id: str = SOTKANET) -> dict[str, list[str]]:
    """Codes that do not match one to one: map municipalities without data of their own, and data
    municipalities without a boundary in the map (both lists should be short and explained)."""
    cov = coverage(division, dataset_id)
    values = data.load(dataset_id)
    data_codes = set(values["municipality_code"])
    return {
        "map_without_data": sorted(cov.loc[cov["data_code"].isna(), "municipality_code"]),
        "data_without_map": sorted(data_codes - set(cov["municipality_code"])),
        "values_covering_several": sorted(cov.loc[cov["covers"].map(len) > 1, "municipality_code"]),
    }


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


PEER_LABELS = {  # short column headers of the peer table (the chapter names the full indicators)
    "social_assistance_recipients_25_64_pct": "Social assistance 25–64, %",
    "long_term_unemployment_pct": "Long-term unemployed, %",
    "low_income_rate_pct": "Low income, %",
    "tertiary_education_pct": "Tertiary education, %",
    "demographic_dependency_ratio": "Dependency ratio",
}


def peers_table(chapter: Comparisons) -> pd.DataFrame:
    """The chosen municipality, then its nearest peers, with the peer indicators' values."""
    result = chapter.peers
    names = chapter.table.set_index("municipality_code")
    rows = []
    if not result.table.empty:
        own = chapter.values.loc[chapter.code, list(result.indicators)]
        rows.append(
            {
                "Rank": "chosen",
                "Municipality": display_name(names.at[chapter.code, "name_fi"], names.at[chapter.code, "name_sv"]),
                "Distance": "",
                **{i: float(own[i]) for i in result.indicators},
            }
        )
    for k, row in enumerate(result.table.itertuples(index=False), start=1):
        code = row.municipality_code
        rows.append(
            {
                "Rank": str(k),
                "Municipality": display_name(names.at[code, "name_fi"], names.at[code, "name_sv"]),
                "Distance": f"{row.distance:.2f}",
                **{i: float(getattr(row, i)) for i in result.indicators},
            }
        )
    frame = pd.DataFrame(rows, columns=["Rank", "Municipality", "Distance", *result.indicators])
    return frame.rename(columns={i: PEER_LABELS.get(i, indicator_label(i)) for i in result.indicators})


# ---------------------------------------------------------------------------- explorer groups

GROUPS: dict[str, str] = {
    "region": "Same region",
    "urban_rural": "Same urban–rural group",
    "peers": "Ten most similar municipalities",
    "pilots": "Pilot municipalities",
    "all": "All municipalities",
}


def group_members(code: str, group: str, division: int = DEFAULT_DIVISION, year: int = 2019) -> list[str]:
    """Codes of the comparison group of ``code`` (the municipality itself included), sorted."""
    if group not in GROUPS:
        nearest = nearest_names(group, GROUPS, cutoff=0.0)
        raise ParameterError(
            f"unknown comparison group {group!r}; nearest: {', '.join(nearest)}; valid: {', '.join(GROUPS)}"
        )
    frame = municipality_frame(division).set_index("municipality_code")
    if code not in frame.index:
        raise ParameterError(f"municipality {code} is not on the {division} map")
    if group == "region":
        members = frame.index[frame["region_code"] == frame.at[code, "region_code"]]
    elif group == "urban_rural":
        members = frame.index[frame["urban_rural_code"] == frame.at[code, "urban_rural_code"]]
    elif group == "peers":
        members = [code, *peers(indicator_values(year), code).table["municipality_code"]]
    elif group == "pilots":
        members = [code, *munis.pilot_codes()]
    else:
        members = frame.index
    return sorted(set(members))


def group_unemployment(codes: Sequence[str], division: int = DEFAULT_DIVISION) -> pd.DataFrame:
    """Annual weighted unemployment rate of a group: 100 × Σ unemployed / Σ labour force over the
    members reporting each month, then the mean of the months (columns year, rate)."""
    monthly = unemployment_monthly(division)
    monthly = monthly[monthly["municipality_code"].isin(list(codes)) & monthly["unemployed"].notna()]
    summed = monthly.groupby(["month", "year"], as_index=False)[["unemployed", "labour_force"]].sum()
    summed["rate"] = 100 * summed["unemployed"] / summed["labour_force"]
    return summed.groupby("year", as_index=False)["rate"].mean()


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
        facts["name"],
        facts["name_sv"],
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


def narrative(chapter: Comparisons) -> dict[str, object]:
    """Numbers and sentences the chapter's prose shows (glued; never typed into the text)."""
    f = chapter.facts
    year = chapter.year
    measure = f["y_label"].partition(", ")[0].lower() if ", " in f["y_label"] else f["y_label"].lower()
    if f["y_rank"] is not None:
        standing = (
            f"In {year}, {f['name']} had {f['y_value']:.1f} ({f['y_unit']}) on {measure}: rank {f['y_rank']} "
            f"of the {f['y_ranked']} municipalities with a published value (1 = the highest)."
        )
    else:
        note = chapter.table.set_index("municipality_code").at[chapter.code, "note"]
        standing = f"THL publishes no {year} value of {measure} for {f['name']}" + (
            f": it {note.removeprefix('No data: ')}" if note else " (the value is suppressed)."
        )
    peers_result = chapter.peers
    if peers_result.table.empty:
        peers_sentence = f"{peers_result.message} The table below is therefore empty."
    else:
        first = chapter.table.set_index("municipality_code").at[
            peers_result.table["municipality_code"].iloc[0], "name_fi"
        ]
        peers_sentence = (
            f"The municipality most similar to {f['name']} is {first} "
            f"(distance {peers_result.table['distance'].iloc[0]:.2f} standard deviations)."
        )
    unmatched = unmatched_codes(chapter.division)
    names = chapter.table.set_index("municipality_code")["name_fi"]
    without = ", ".join(f"{names[c]} ({c})" for c in unmatched["map_without_data"]) or "none"
    covering = ", ".join(f"{names[c]} ({c})" for c in unmatched["values_covering_several"]) or "none"
    trend = trend_series(chapter.code, chapter.division, "annual")
    last_full_year = int(trend.loc[trend["year"] < trend["year"].max(), "year"].max())
    at = trend[trend["year"] == last_full_year].set_index("role")["rate"]
    region = trend.loc[trend["role"] == "region", "series"].iloc[0]
    if "municipality" in at.index and pd.notna(at.get("municipality")):
        trend_sentence = (
            f"In {last_full_year}, {at['municipality']:.1f} % of the labour force in {f['name']} was unemployed, "
            f"against {at['region']:.1f} % in {region} and {at['finland']:.1f} % in Finland."
        )
    else:
        trend_sentence = (
            f"The employment statistics hold no {last_full_year} series for {f['name']}; {region} had "
            f"{at['region']:.1f} % unemployed and Finland {at['finland']:.1f} %."
        )
    diak = diak_series(chapter.code, division=chapter.division)
    if diak.empty:
        diak_sentence = (
            f"Diak publishes no index for {f['name']}: its panel covers the mainland municipalities of "
            "the 2021 division."
        )
    else:
        latest = diak[diak["year_mid"] == diak["year_mid"].max()].set_index("variable")["index_value"]
        first_variable = next(v for v in DIAK_VARIABLES if v in latest.index)
        diak_sentence = (
            f"Centred on {int(diak['year_mid'].max())}, the index of "
            f"{DIAK_VARIABLES[first_variable][0].lower()}{DIAK_VARIABLES[first_variable][1:]} in {f['name']} "
            f"was {latest[first_variable]:.0f}."
        )
    other = [d for d in MAP_DIVISIONS if d != chapter.division][0]
    other_missing = unmatched_codes(other)["map_without_data"]
    other_names = _names(range(min(other, chapter.division), data_division(SOTKANET) + 1))
    listed = [other_names[c] for c in other_missing]
    listed = " and ".join([", ".join(listed[:-1]), listed[-1]]) if len(listed) > 1 else "".join(listed)
    if len(other_missing) > len(unmatched["map_without_data"]):
        other_sentence = (
            f"On the {other} boundaries {listed} would show no data, their values being included in "
            "the municipalities they later merged into."
        )
    else:
        other_sentence = f"The {other} boundaries match the data more closely: only {listed or 'none'} without data."
    return {
        "other_division_sentence": other_sentence,
        "peer_indicator_list": ", ".join(indicator_label(i) for i in PEER_INDICATORS),
        "diak_sentence": diak_sentence,
        "name": f["name"],
        "name_sv": f["name_sv"],
        "year": year,
        "division": chapter.division,
        "data_division": f["data_division"],
        "n_map": f["n_map"],
        "n_data": f["n_data"],
        "n_indicators": f["n_indicators"],
        "standing_sentence": standing,
        "peers_sentence": peers_sentence,
        "n_peer_candidates": peers_result.n_candidates,
        "n_peer_excluded": len(peers_result.excluded),
        "unmatched_without_data": without,
        "unmatched_covering": covering,
        "trend_sentence": trend_sentence,
        "x_label": indicator_label(chapter.indicators[0]),
        "y_label": indicator_label(chapter.indicators[1]),
    }
