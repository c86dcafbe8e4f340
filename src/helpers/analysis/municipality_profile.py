"""One municipality's profile: its 2019 figures with rank and median, its peers, and its trends
against its region, its urban–rural group and Finland. Numbers only; the sentences are in
``helpers.chapters.municipality_text``.

Division. The pages follow the 2021 division of the map (309 municipalities). Each dataset is
published in its own division (``municipal_indicators``): the families series is in the 2021
division already; unemployment (2020 division) is harmonised by adding Honkajoki's counts to
Kankaanpää; the 2019 Sotkanet values are in the 2025 division, so Pertunmaa (merged into
Mäntyharju in 2025) has no 2019 value of its own and Mäntyharju's value covers both.

Aggregates. Region and urban–rural group are Statistics Finland's 2020 classification (as in the
comparisons chapter). Families with children receiving social assistance: 100 × Σ receiving /
Σ families over the members whose two counts are both published that year (suppressed small
municipalities are left out, never filled in; ``n_reporting`` says how many took part).
Unemployment: 100 × Σ unemployed / Σ labour force over the members reporting that month. Diak's
indices are ratios to the median municipality and carry no counts, so no regional or national
index can be computed: Finland's median municipality is 100 by construction, and for the region
and the group the page shows the median of their members' indices, labelled as such.

Every page of the family needs the same national tables; ``panel()`` computes them once per data
release and keeps them on disk (keyed on the checksums of the datasets and this code), so a page
only slices them. Loading the panel registers its datasets as read, so the batch engine's cache
key of a run still names every dataset the page depends on.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

from helpers import data
from helpers.data import municipalities as munis
from helpers.paths import CACHE_DIR, REPO_ROOT

from .indicators import INDICATORS
from .municipal_indicators import (
    DIAK,
    SOTKANET,
    UNEMPLOYMENT,
    coverage,
    indicator_catalogue,
    indicator_values,
    municipality_frame,
    national_ranks,
)
from .peers import N_PEERS, Peers, peers
from .unemployment_trends import aggregate_rates, classification, unemployment_monthly

DIVISION = 2021  # the map's division: one page per municipality of it
YEAR = 2019  # the year of the Sotkanet figures
FAMILIES = "families_social_assistance"
FAMILY_YEARS = (1992, 2021)  # the years THL publishes the families count (1990–1991 are empty)
DIAK_VARIABLES = ("long_term_social_assistance_25_64", "disadvantage_total")
ROLES = ("municipality", "region", "urban_rural", "finland")
# Every dataset the panel is computed from: registered as read whenever a page uses the panel.
PANEL_DATASETS = (SOTKANET, FAMILIES, UNEMPLOYMENT, DIAK, "municipalities", "boundaries_2017", "boundaries_2021")
PANEL_DIR = CACHE_DIR / "derived"


def profile_indicators() -> tuple[str, ...]:
    """The 2019 indicators a page lists: those of the registry, in its order."""
    return tuple(item.id for item in INDICATORS)


# --------------------------------------------------------------------------- national tables


@dataclass(frozen=True)
class Figure2019:
    """One 2019 indicator of the municipality: value, national rank and median."""

    indicator: str
    label: str  # "Long-term unemployed, % of labour force"
    unit: str
    value: float  # NaN when THL publishes none for the municipality
    rank: int | None  # 1 = highest value
    n_ranked: int  # municipalities with a value
    median: float  # of the municipalities with a value


@dataclass
class Panel:
    """The national tables every page slices (one per data release), wide so a page only looks up rows."""

    frame: pd.DataFrame  # map municipalities: code, names, region, urban–rural group (indexed by code)
    figures: dict[str, list[Figure2019]]  # map code -> its 2019 figures
    data_notes: dict[str, str]  # map code -> why its 2019 values are not its own ("" if they are)
    values: pd.DataFrame  # 2019 Sotkanet values, wide, indexed by the data's codes (2025 division)
    data_codes: dict[str, str | None]  # map code -> the data's code holding its 2019 values
    families: pd.DataFrame  # % by code (rows) and year (columns)
    families_groups: pd.DataFrame  # % by series (R06, G1, FI) and year
    families_reporting: pd.DataFrame  # municipalities reporting, by series and year
    unemployment: pd.DataFrame  # % by code and month
    unemployment_groups: pd.DataFrame  # % by series and month
    diak: pd.DataFrame  # index by (code, variable) and year
    diak_groups: pd.DataFrame  # median index by (series, variable) and year
    checksums: dict[str, str] = field(default_factory=dict)


def group_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """Each municipality's series keys: R<region code>, G<urban–rural code>, FI."""
    return pd.DataFrame(
        {
            "municipality_code": frame["municipality_code"],
            "region": "R" + frame["region_code"].astype(str),
            "urban_rural": "G" + frame["urban_rural_code"].astype(str),
            "finland": "FI",
        }
    )


def _long_keys(keys: pd.DataFrame) -> pd.DataFrame:
    return keys.melt(id_vars="municipality_code", value_name="series")[["municipality_code", "series"]]


def families_aggregates(families: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """Share of families with children receiving social assistance in every region, group and
    Finland: 100 × Σ receiving / Σ families over members with both counts published that year."""
    both = families["families_with_children"].notna() & families["families_receiving_social_assistance"].notna()
    members = _long_keys(keys)
    rows = families.assign(_both=both).merge(members, on="municipality_code", how="inner")
    reporting = rows[rows["_both"]]
    summed = reporting.groupby(["series", "year"], as_index=False).agg(
        families=("families_with_children", "sum"),
        receiving=("families_receiving_social_assistance", "sum"),
        n_reporting=("municipality_code", "nunique"),
    )
    sizes = members.groupby("series")["municipality_code"].nunique().rename("n_members")
    summed = summed.join(sizes, on="series")
    summed["pct"] = 100.0 * summed["receiving"] / summed["families"].where(summed["families"] > 0)
    return summed[["series", "year", "pct", "n_reporting", "n_members"]].sort_values(
        ["series", "year"], ignore_index=True
    )


def diak_group_medians(diak: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """Median of the members' Diak indices per region and group and year (not an index of the
    region: Diak publishes none, and indices cannot be added up)."""
    members = _long_keys(keys)
    members = members[members["series"] != "FI"]
    rows = diak.merge(members, on="municipality_code", how="inner").dropna(subset=["index_value"])
    out = rows.groupby(["series", "variable", "year_mid"], as_index=False).agg(
        median_index=("index_value", "median"), n_members=("municipality_code", "nunique")
    )
    return out.sort_values(["series", "variable", "year_mid"], ignore_index=True)


def _families_table() -> pd.DataFrame:
    frame = data.load(FAMILIES)
    frame = frame[frame["year"].between(*FAMILY_YEARS)]
    return frame[
        ["municipality_code", "year", "families_with_children", "families_receiving_social_assistance"]
    ].assign(pct=frame["families_social_assistance_pct"])


def _diak_table() -> pd.DataFrame:
    raw = data.load(DIAK)
    raw = raw[raw["variable"].isin(DIAK_VARIABLES)]
    cov = coverage(DIVISION, DIAK)
    mapped = cov.dropna(subset=["data_code"])[["municipality_code", "data_code"]]
    frame = raw.merge(mapped, left_on="municipality_code", right_on="data_code", suffixes=("_data", ""))
    return frame[["municipality_code", "variable", "year_mid", "index_value"]].reset_index(drop=True)


def all_figures(
    values: pd.DataFrame, data_codes: dict[str, str | None], indicators: tuple[str, ...], catalogue: pd.DataFrame
) -> dict[str, list[Figure2019]]:
    """Every map municipality's 2019 figures: value, rank (1 = highest value, ties share the best
    rank, missing values unranked) and the median of the municipalities with a value."""
    ranks = national_ranks(values[list(indicators)])
    labels = catalogue.set_index("indicator")
    columns = {
        indicator: (
            values[indicator].to_dict(),
            ranks[indicator].to_dict(),
            int(values[indicator].notna().sum()),
            float(values[indicator].median()),
            str(labels.at[indicator, "indicator_label"]),
            str(labels.at[indicator, "unit"]),
        )
        for indicator in indicators
    }
    out = {}
    for code, data_code in data_codes.items():
        figures = []
        for indicator, (by_code, rank_by_code, n_ranked, median, label, unit) in columns.items():
            value = by_code.get(data_code, np.nan) if data_code is not None else np.nan
            present = not pd.isna(value)
            rank = rank_by_code.get(data_code) if present else None
            figures.append(
                Figure2019(
                    indicator=indicator,
                    label=label,
                    unit=unit,
                    value=float(value) if present else float("nan"),
                    rank=None if rank is None or pd.isna(rank) else int(rank),
                    n_ranked=n_ranked,
                    median=median,
                )
            )
        out[code] = figures
    return out


def figures_2019(values: pd.DataFrame, data_code: str | None, indicators: tuple[str, ...]) -> list[Figure2019]:
    """One municipality's 2019 figures (``all_figures`` for one code)."""
    return all_figures(values, {"_": data_code}, indicators, indicator_catalogue())["_"]


def compute_panel() -> Panel:
    """The national tables, computed from the data release (a few seconds; ``panel`` caches them)."""
    frame = municipality_frame(DIVISION)
    keys = group_keys(frame)
    families = _families_table()
    monthly = unemployment_monthly(DIVISION)
    raw_monthly = data.load(UNEMPLOYMENT)
    groups = aggregate_rates(raw_monthly, classification())
    diak = _diak_table()
    diak_groups = diak_group_medians(diak, keys)
    families_groups = families_aggregates(families, keys)
    cov = coverage(DIVISION, SOTKANET).set_index("municipality_code")
    data_codes = {str(c): (None if pd.isna(v) else str(v)) for c, v in cov["data_code"].items()}
    values = indicator_values(YEAR)
    years = list(range(FAMILY_YEARS[0], FAMILY_YEARS[1] + 1))
    codes = list(frame["municipality_code"])
    return Panel(
        frame=frame.set_index("municipality_code"),
        figures=all_figures(values, data_codes, profile_indicators(), indicator_catalogue()),
        data_notes={str(c): str(n) for c, n in cov["note"].items()},
        values=values,
        data_codes=data_codes,
        families=families.pivot(index="municipality_code", columns="year", values="pct").reindex(
            index=codes, columns=years
        ),
        families_groups=families_groups.pivot(index="series", columns="year", values="pct").reindex(columns=years),
        families_reporting=families_groups.pivot(index="series", columns="year", values="n_reporting").reindex(
            columns=years
        ),
        unemployment=monthly.pivot(index="municipality_code", columns="month", values="rate").reindex(index=codes),
        unemployment_groups=groups.pivot(index="series", columns="month", values="rate"),
        diak=diak.pivot_table(index=["municipality_code", "variable"], columns="year_mid", values="index_value"),
        diak_groups=diak_groups.pivot_table(index=["series", "variable"], columns="year_mid", values="median_index"),
    )


@functools.cache  # code does not change under a running process; each page's validation asks
def _code_version() -> str:
    """Hash of the code that shapes the panel: the analysis and data modules, pandas' version."""
    digest = hashlib.sha256(pd.__version__.encode())
    for folder in ("analysis", "data"):
        for path in sorted((REPO_ROOT / "src" / "helpers" / folder).glob("*")):
            if path.suffix in (".py", ".csv"):
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@functools.lru_cache(maxsize=2)
def _panel_for(key: str) -> Panel:
    target = PANEL_DIR / f"municipality-panel-{key}.pkl"
    try:
        with open(target, "rb") as handle:
            loaded = pickle.load(handle)
        if isinstance(loaded, Panel):
            return loaded
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError):
        pass
    computed = compute_panel()
    try:
        PANEL_DIR.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        with open(temporary, "wb") as handle:
            pickle.dump(computed, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, target)
        for old in PANEL_DIR.glob("municipality-panel-*.pkl"):
            if old != target:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only cache only costs the recomputation
    return computed


def panel() -> Panel:
    """The national tables for the current data release (computed once, then read from disk)."""
    from helpers.data.loaders import verified_file

    checksums = {dataset: verified_file(dataset)[1] for dataset in PANEL_DATASETS}  # registers them as read
    key = hashlib.sha256(repr((sorted(checksums.items()), _code_version())).encode()).hexdigest()[:20]
    result = _panel_for(key)
    result.checksums = checksums
    return result


# ------------------------------------------------------------------------------- one profile


@dataclass(frozen=True)
class MergerEvent:
    year: int  # first year of the new division
    absorbed: str  # name
    absorbed_code: str
    absorbing: str
    absorbing_code: str
    role: str  # "absorbed_others" (this municipality grew) or "was_absorbed" (later merged away)


@dataclass
class Profile:
    code: str
    name_fi: str
    name_sv: str
    region_code: str
    region: str
    urban_rural_code: int
    urban_rural: str
    region_size: int  # municipalities of the region on the map
    group_size: int
    figures: list[Figure2019]
    data_note: str  # why the 2019 values are not its own (merged later), "" otherwise
    peers: Peers
    peer_names: dict[str, str]
    families: pd.DataFrame  # wide: year, municipality, region, urban_rural, finland (%)
    families_coverage: pd.DataFrame  # year, n_reporting of region, group, Finland
    unemployment: pd.DataFrame  # wide monthly: month, municipality, region, urban_rural, finland (%)
    unemployment_note: str
    diak: pd.DataFrame  # year, variable, municipality, region (median), urban_rural (median)
    mergers: list[MergerEvent]
    pilot: munis.PilotMunicipality | None
    labels: dict[str, str]  # role -> series name (Tampere, Pirkanmaa, Urban municipalities, Finland)
    facts: dict[str, object] = field(default_factory=dict)


def merger_events(code: str) -> list[MergerEvent]:
    """Mergers 2013–2026 this municipality took part in (mergers.csv), oldest first."""
    events = []
    for m in munis.mergers():
        if m.absorbing_code == code or m.absorbed_code == code:
            events.append(
                MergerEvent(
                    year=m.division_year,
                    absorbed=m.absorbed_name,
                    absorbed_code=m.absorbed_code,
                    absorbing=m.absorbing_name,
                    absorbing_code=m.absorbing_code,
                    role="absorbed_others" if m.absorbing_code == code else "was_absorbed",
                )
            )
    return events


def _row(table: pd.DataFrame, key: Any) -> np.ndarray:
    """A row of a wide table as floats; all missing when the key is absent."""
    if key in table.index:
        return table.loc[key].to_numpy(dtype="float64")
    return np.full(len(table.columns), np.nan)


def _wide(index_name: str, index: list, own: np.ndarray, groups: pd.DataFrame, keys: dict[str, str]) -> pd.DataFrame:
    """One column per role: the municipality's own values and its three aggregates."""
    columns = {index_name: index, "municipality": own}
    for role in ("region", "urban_rural", "finland"):
        columns[role] = _row(groups.reindex(columns=index), keys[role])
    return pd.DataFrame(columns)


def profile(code: str, source: Panel | None = None, n_peers: int = N_PEERS) -> Profile:
    """Everything one page shows, for a checked code of the 2021 division."""
    tables = panel() if source is None else source
    row = tables.frame.loc[code]
    group_code = int(cast(int, row["urban_rural_code"]))
    keys = {"region": f"R{row['region_code']}", "urban_rural": f"G{group_code}", "finland": "FI"}
    years = list(tables.families.columns)
    families = _wide("year", years, _row(tables.families, code), tables.families_groups, keys)
    reporting = {role: _row(tables.families_reporting, key) for role, key in keys.items()}
    families_coverage = pd.DataFrame({"year": years, **reporting})
    months = list(tables.unemployment_groups.columns)
    own_unemployment = _row(tables.unemployment.reindex(columns=months), code)
    unemployment = _wide("month", months, own_unemployment, tables.unemployment_groups, keys)
    diak_years = list(tables.diak_groups.columns)
    diak_parts = []
    for variable in DIAK_VARIABLES:
        part = {
            "year": diak_years,
            "variable": variable,
            "municipality": _row(tables.diak.reindex(columns=diak_years), (code, variable)),
            "region": _row(tables.diak_groups, (keys["region"], variable)),
            "urban_rural": _row(tables.diak_groups, (keys["urban_rural"], variable)),
        }
        diak_parts.append(pd.DataFrame(part))
    diak = pd.concat(diak_parts, ignore_index=True)
    data_code = tables.data_codes.get(code)
    peer_result = peers(tables.values, data_code if data_code is not None else code, n=n_peers)
    frame = tables.frame
    peer_names = {
        str(c): str(frame.at[c, "name_fi"]) if c in frame.index else str(c)
        for c in peer_result.table["municipality_code"]
    }
    unemployment_note = (
        "none" if np.isnan(own_unemployment).all() else "gaps" if np.isnan(own_unemployment).any() else ""
    )
    return Profile(
        code=code,
        name_fi=str(row["name_fi"]),
        name_sv=str(row["name_sv"]),
        region_code=str(row["region_code"]),
        region=str(row["region_en"]),
        urban_rural_code=group_code,
        urban_rural=str(row["urban_rural_en"]),
        region_size=int((frame["region_code"] == row["region_code"]).sum()),
        group_size=int((frame["urban_rural_code"] == row["urban_rural_code"]).sum()),
        figures=list(tables.figures[code]),
        data_note=tables.data_notes.get(code, ""),
        peers=peer_result,
        peer_names=peer_names,
        families=families,
        families_coverage=families_coverage,
        unemployment=unemployment,
        unemployment_note=unemployment_note,
        diak=diak,
        mergers=merger_events(code),
        pilot=munis.pilot_table().get(code),
        labels={
            "municipality": str(row["name_fi"]),
            "region": str(row["region_en"]),
            "urban_rural": str(row["urban_rural_en"]),
            "finland": "Finland",
        },
        facts={"n_map": len(frame), "data_code": data_code, "n_peers": n_peers},
    )


def map_codes() -> list[str]:
    """Codes of the municipalities that get a page (the 2021 map's), from the panel."""
    return list(panel().frame.index)
