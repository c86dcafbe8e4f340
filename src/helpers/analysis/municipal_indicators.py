"""Municipal indicators: the 2019 Sotkanet values on the map's divisions, national ranks, coverage.

Divisions. Each dataset is published in one municipal division (the catalogue's ``x-division``):
Sotkanet 2019 indicators in the 2025 division (THL re-bases its series to the division current at
retrieval, so Nurmes includes Valtimo, Kankaanpää includes Honkajoki and Mäntyharju includes
Pertunmaa), unemployment in the 2020 division, Diak indices in the 2021 division. The map uses a
boundary set (``division`` 2021, the closest to the data, or 2017). Rates cannot be split or
summed, so when a map municipality was later merged into another, it shows **no data** with a note
naming the municipality whose value covers its area, and the absorbing municipality carries a note
that its value covers both.

Ranks: national rank per indicator among the municipalities with a value, 1 = the highest value;
ties share the lowest rank (pandas ``method="min"``, the same rule as Vega's ``rank``).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable

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
    rows: list[tuple[str, str | None, tuple[str, ...], str]] = []
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
    return str(name).casefold().translate(str.maketrans("åäö", "{|}"))


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
