"""Municipalities: reference table by year, name/code resolution, harmonisation across mergers.

The reference is Statistics Finland's classification for each year 2013–2026 (division valid on
1 January). Mergers come from the committed table `mergers.csv` (with citations), verified
against the reference: the absorbed code exists in year Y−1 and not in Y; the absorbing one in both.
"""

from __future__ import annotations

import csv
import functools
import posixpath
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from helpers.errors import ParameterError
from helpers.text import nearest_names

PILOT_TABLE = "pilot_municipalities"  # data/facts/pilot_municipalities.csv, with a citation per row


@dataclass(frozen=True)
class PilotMunicipality:
    """One municipality of the participatory social security pilot, as its fact table publishes it."""

    code: str
    name_fi: str
    name_sv: str
    start_date: str  # at its published precision: "2018" or "2017-11-01"
    end_date: str  # "2019-12-31", or "2018" where no exact day is published
    years: tuple[int, ...]  # calendar years of participation
    notes: str
    source: str


@functools.cache
def pilot_table() -> dict[str, PilotMunicipality]:
    """The pilot municipalities (code -> row) read from their fact table, checked against the catalogue."""
    from helpers.data.loaders import load

    frame = load(PILOT_TABLE)
    rows = {}
    for record in frame.to_dict(orient="records"):
        code = str(record["municipality_code"]).zfill(3)
        years = tuple(int(year) for year in str(record["years_participating"]).split(";") if year.strip())
        rows[code] = PilotMunicipality(
            code=code,
            name_fi=str(record["name_fi"]),
            name_sv=str(record["name_sv"]),
            start_date=str(record["start_date"]),
            end_date=str(record["end_date"]),
            years=years,
            notes="" if pd.isna(record["notes"]) or not record["notes"] else str(record["notes"]),
            source=str(record["source"]),
        )
    return rows


def pilot_codes() -> tuple[str, ...]:
    """Codes of the pilot municipalities, sorted."""
    return tuple(sorted(pilot_table()))


FIRST_YEAR, LAST_YEAR = 2013, 2026
MERGERS_FILE = Path(__file__).with_name("mergers.csv")

# Column names that hold rates, ratios, shares or indices: summing them over merged municipalities
# is meaningless, so harmonise(how="sum") refuses them.
_RATE_PATTERN = re.compile(r"(pct|percent|rate|ratio|share|index|per_|_per|gini|mean|median|avg|average)", re.I)


@dataclass(frozen=True)
class Merger:
    division_year: int  # first year in which the absorbed municipality no longer exists
    absorbed_code: str
    absorbed_name: str
    absorbing_code: str
    absorbing_name: str
    source: str


def _load_reference() -> pd.DataFrame:
    from helpers.data.loaders import load  # local import: loaders do not depend on this module

    return load("municipalities")


@functools.lru_cache(maxsize=1)
def _reference_cached(sha: str) -> pd.DataFrame:
    return _load_reference()


def _all_years() -> pd.DataFrame:
    from helpers.data.loaders import verified_file

    _, sha = verified_file("municipalities")
    return _reference_cached(sha)


def reference(year: int | None = None) -> pd.DataFrame:
    """Municipalities of the division valid on 1 January `year` (2013–2026); all years if None."""
    df = _all_years()
    if year is None:
        return df.copy(deep=False)
    year = _check_year(year)
    return df[df["year"] == year].reset_index(drop=True)


def _check_year(year) -> int:
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise ParameterError(f"year must be an integer {FIRST_YEAR}–{LAST_YEAR}; found {year!r}.") from None
    if not FIRST_YEAR <= y <= LAST_YEAR:
        raise ParameterError(
            f"No municipal division for {y}: the reference covers {FIRST_YEAR}–{LAST_YEAR}. "
            f"Fix: use a year in that range (e.g. {min(max(y, FIRST_YEAR), LAST_YEAR)})."
        )
    return y


@functools.lru_cache(maxsize=1)
def mergers() -> tuple[Merger, ...]:
    """The municipal mergers 2013–2026 from mergers.csv, oldest first."""
    with open(MERGERS_FILE, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return tuple(
        Merger(
            int(r["division_year"]),
            r["absorbed_code"].zfill(3),
            r["absorbed_name"],
            r["absorbing_code"].zfill(3),
            r["absorbing_name"],
            r["source"],
        )
        for r in sorted(rows, key=lambda r: (int(r["division_year"]), r["absorbed_code"]))
    )


def mergers_table() -> pd.DataFrame:
    return pd.DataFrame([m.__dict__ for m in mergers()])


def verify_mergers() -> list[str]:
    """Problems with mergers.csv against the reference (empty list = consistent).

    Each merger must show in the key file as: absorbed code present in Y−1 and absent in Y, the
    absorbing code present in both; and every code that disappears must be covered by a merger.
    """
    ref = _all_years()
    codes = {int(cast(int, y)): set(g["municipality_code"]) for y, g in ref.groupby("year")}
    problems: list[str] = []
    covered = set()
    for m in mergers():
        y = m.division_year
        covered.add((y, m.absorbed_code))
        if y - 1 not in codes or y not in codes:
            problems.append(
                f"{m.absorbed_name} {m.absorbed_code} -> {m.absorbing_code} in {y}: year outside the reference"
            )
            continue
        if m.absorbed_code not in codes[y - 1]:
            problems.append(f"{m.absorbed_name} {m.absorbed_code} not in the {y - 1} division")
        if m.absorbed_code in codes[y]:
            problems.append(f"{m.absorbed_name} {m.absorbed_code} still in the {y} division")
        for yy in (y - 1, y):
            if m.absorbing_code not in codes[yy]:
                problems.append(f"{m.absorbing_name} {m.absorbing_code} not in the {yy} division")
    for y in sorted(codes):
        if y + 1 in codes:
            for gone in sorted(codes[y] - codes[y + 1]):
                if (y + 1, gone) not in covered:
                    problems.append(f"code {gone} disappears between {y} and {y + 1} but mergers.csv has no entry")
            for new in sorted(codes[y + 1] - codes[y]):
                problems.append(f"code {new} appears in {y + 1}: new municipalities are not handled by harmonise()")
    return problems


# ------------------------------------------------------------------------------ name resolution


def normalise_name(text: str) -> str:
    """Case-, diacritics- and punctuation-insensitive key: 'Torneå' -> 'tornea'."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^0-9a-z]+", " ", text.casefold())
    return text.strip()


@functools.lru_cache(maxsize=1)
def _name_index_cached(sha: str) -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    ref = _reference_cached(sha)
    index: dict[str, set[str]] = {}
    display: dict[str, str] = {}
    latest = ref.sort_values("year").groupby("municipality_code").last()
    for code, row in latest.iterrows():
        sv = f" / {row['name_sv']}" if row["name_sv"] and row["name_sv"] != row["name_fi"] else ""
        display[str(code)] = f"{row['name_fi']}{sv} ({code})"
    for col in ("name_fi", "name_sv", "name_en"):
        for code, name in zip(ref["municipality_code"], ref[col]):
            if not name:
                continue
            variants = {name, *re.split(r"\s+-\s+", name)}  # "Maarianhamina - Mariehamn"
            for v in variants:
                key = normalise_name(v)
                if key:
                    index.setdefault(key, set()).add(code)
    return {k: frozenset(v) for k, v in index.items()}, display


def _name_index() -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    from helpers.data.loaders import verified_file

    _, sha = verified_file("municipalities")
    return _name_index_cached(sha)


def _merged_into(code: str, year: int) -> Merger | None:
    for m in mergers():
        if m.absorbed_code == code and m.division_year <= year:
            return m
    return None


def _years_of(code: str) -> list[int]:
    ref = _all_years()
    return sorted(ref.loc[ref["municipality_code"] == code, "year"].unique().tolist())


def resolve(name_or_code, year: int | None = None) -> str:
    """Municipality code (3-digit string) for a code or a Finnish/Swedish/English name.

    Accepts 837, "837", "0837"-style padding, "Tampere", "tammerfors", "TORNEÅ", "kemijarvi".
    With `year`, the municipality must exist in that year's division. Unknown names raise
    ParameterError listing the three nearest names.
    """
    if year is not None:
        year = _check_year(year)
    if isinstance(name_or_code, (bool, float)) or name_or_code is None:
        raise ParameterError(f"A municipality is a name or a code (e.g. 'Tampere' or '837'); found {name_or_code!r}.")
    text = str(name_or_code).strip()
    if isinstance(name_or_code, (int, np.integer)) or re.fullmatch(r"\d{1,4}", text):
        code = str(int(text)).zfill(3)
        # A code present in the wanted year needs no name index (the common case: a checked value
        # re-checked in a kernel, where building the index would be most of the page's work).
        if year is not None and year in _years_of(code):
            return code
        index, display = _name_index()
        if code not in display:
            raise ParameterError(
                f"Unknown municipality code {text!r}: no municipality has code {code} in {FIRST_YEAR}–{LAST_YEAR}. "
                f"Fix: use a code from helpers.data.municipalities.reference(year), e.g. 837 (Tampere)."
            )
        candidates = {code}
    else:
        index, display = _name_index()
        key = normalise_name(text)
        candidates = set(index.get(key, ()))
        if not candidates:
            keys = nearest_names(key, index, n=12, cutoff=0.0)
            near: list[str] = []
            for k in keys:
                for c in sorted(index[k]):
                    if display[c] not in near:
                        near.append(display[c])
            raise ParameterError(
                f"Unknown municipality {text!r}. Nearest names: {', '.join(near[:3])}. "
                "Fix: use a Finnish, Swedish or English name, or a 3-digit code."
            )
    if year is not None:
        present = {c for c in candidates if year in _years_of(c)}
        if not present:
            c = sorted(candidates)[0]
            m = _merged_into(c, year)
            if m:
                raise ParameterError(
                    f"{display[c]} no longer exists in {year}: it merged into {m.absorbing_name} ({m.absorbing_code}) "
                    f"on 1 January {m.division_year}. Fix: use {m.absorbing_code!r} for {year}, or a year before {m.division_year}."
                )
            raise ParameterError(f"{display[c]} is not in the {year} division (years present: {_years_of(c)}).")
        candidates = present
    if len(candidates) > 1:
        raise ParameterError(
            f"{text!r} is ambiguous: {', '.join(display[c] for c in sorted(candidates))}. Fix: use the code."
        )
    return next(iter(candidates))


def name(code, year: int | None = None, lang: str = "fi") -> str:
    """Name of a municipality (lang fi, sv or en), from the given year's division or its latest."""
    code = resolve(code, year)
    ref = _all_years()
    rows = ref[ref["municipality_code"] == code]
    if year is not None:
        rows = rows[rows["year"] == int(year)]
    col = {"fi": "name_fi", "sv": "name_sv", "en": "name_en"}.get(lang)
    if col is None:
        raise ParameterError(f"lang must be 'fi', 'sv' or 'en'; found {lang!r}.")
    return str(rows.sort_values("year").iloc[-1][col])


def pilot_municipalities(year: int | None = None) -> dict[str, str]:
    """Pilot municipalities (code -> Finnish name, by code); with a year, those taking part that year."""
    table = pilot_table()
    return {code: row.name_fi for code, row in sorted(table.items()) if year is None or int(year) in row.years}


MUNICIPALITY_PAGES = "municipalities"  # the book folder of the municipality pages and their index


def municipality_page(code: str) -> str:
    """The book page of one municipality, by its code (stable across names and editions):
    '837' -> 'municipalities/837'. The run plan's municipality family writes exactly these pages;
    the comparisons map, the ranking and the index link to them."""
    return f"{MUNICIPALITY_PAGES}/{str(code).zfill(3)}"


def page_url(target_page: str, from_page: str) -> str:
    """The relative link from one built book page to another (both as paths under book/ without
    suffix): 'municipalities/837' from 'chapters/comparisons' -> '../municipalities/837.html'. A
    relative URL with the file name works from file:// and from any web server folder."""
    return posixpath.relpath(f"{target_page}.html", posixpath.dirname(from_page) or ".")


def municipality_page_url(code: str, from_page: str) -> str:
    """The link from ``from_page`` to a municipality's page: '837' from 'municipalities/index' -> '837.html'."""
    return page_url(municipality_page(code), from_page)


_URL_MARKER = "999"  # a code no municipality has: it marks where the code goes in a page's link


def municipality_url_parts(from_page: str) -> tuple[str, str]:
    """(prefix, suffix) such that prefix + code + suffix == municipality_page_url(code, from_page) for
    every 3-digit code: a page's script or a Vega expression builds the links from the codes."""
    url = municipality_page_url(_URL_MARKER, from_page)
    if url.count(_URL_MARKER) != 1:
        raise ValueError(f"cannot split the municipality link {url!r} around its code")
    prefix, _, suffix = url.partition(_URL_MARKER)
    return prefix, suffix


# --------------------------------------------------------------------------------- harmonise


def successor(code: str, to_division_year: int) -> str:
    """The code that holds `code`'s area in the division of `to_division_year` (follows mergers)."""
    code = str(code).zfill(3)
    for m in mergers():  # oldest first, so chains resolve in order
        if m.absorbed_code == code and m.division_year <= to_division_year:
            code = m.absorbing_code
    return code


def is_rate_column(column: str) -> bool:
    return bool(_RATE_PATTERN.search(column))


def harmonise(
    df: pd.DataFrame,
    to_division_year: int,
    value_cols,
    how: str = "sum",
    *,
    weight_col: str | None = None,
    code_col: str = "municipality_code",
    keys: list[str] | None = None,
) -> pd.DataFrame:
    """Re-express municipality data in the division of `to_division_year`.

    Rows of municipalities merged before that year are combined with their absorbing municipality.
    how="sum": count columns are summed (NaN if any component is NaN or missing, never a partial
    sum); rate/ratio/index columns are refused when a merger actually combines rows — use
    how="weighted_mean" with `weight_col` (e.g. population or labour_force), or recompute the rate
    from harmonised counts. Each input row contributes to exactly one output row; duplicated input
    keys raise (they would double count). Columns other than the code, values and weight are
    grouping `keys` (default: the non-numeric columns plus year/month/*_id columns; other numeric
    columns are dropped), and municipality name columns are replaced by the target's names.
    The result's attrs["harmonise"] records merged, incomplete and dropped columns.
    """
    to_year = int(to_division_year)
    if isinstance(value_cols, str):
        value_cols = [value_cols]
    value_cols = list(value_cols)
    missing = [c for c in [code_col, *value_cols, *([weight_col] if weight_col else [])] if c not in df.columns]
    if missing:
        raise ParameterError(f"harmonise: column(s) {missing} not in the data (columns: {list(df.columns)}).")
    if how not in ("sum", "weighted_mean"):
        raise ParameterError(f"harmonise: how must be 'sum' or 'weighted_mean'; found {how!r}.")
    if how == "weighted_mean" and not weight_col:
        raise ParameterError("harmonise(how='weighted_mean') needs weight_col (e.g. 'population' or 'labour_force').")

    name_cols = [c for c in df.columns if c != code_col and ("name" in c.lower())]
    rest = [c for c in df.columns if c not in {code_col, *value_cols, *name_cols} and c != weight_col]
    if keys is None:
        key_cols = [
            c
            for c in rest
            if not pd.api.types.is_numeric_dtype(df[c])
            or "year" in c.lower()
            or c.lower() in ("month", "quarter")
            or c.endswith("_id")
        ]
    else:
        key_cols = [k for k in keys if k != code_col]
        bad = [k for k in key_cols if k not in df.columns]
        if bad:
            raise ParameterError(f"harmonise: key column(s) {bad} not in the data (columns: {list(df.columns)}).")
    dropped = [c for c in rest if c not in key_cols]
    work = df.copy()
    work[code_col] = work[code_col].astype(str).str.zfill(3)

    dup = work.duplicated([code_col, *key_cols], keep=False)
    if dup.any():
        ex = work.loc[dup, [code_col, *key_cols]].head(3).to_dict("records")
        raise ParameterError(
            f"harmonise: {int(dup.sum())} rows share the same {[code_col, *key_cols]} (e.g. {ex}); summing them would "
            "double count. Fix: aggregate or de-duplicate first, or pass value columns so the remaining columns identify rows."
        )

    mapping = {c: successor(c, to_year) for c in work[code_col].unique()}
    work["_target"] = work[code_col].map(mapping)
    if FIRST_YEAR <= to_year <= LAST_YEAR:
        valid = set(reference(to_year)["municipality_code"])
        unknown = sorted(set(work["_target"]) - valid)
        if unknown:
            raise ParameterError(
                f"harmonise: code(s) {unknown[:10]} do not exist in the {to_year} division and no merger maps them there "
                f"(a later division cannot be split back). Fix: harmonise to a later year, or check the codes with resolve()."
            )

    sizes = work.groupby(["_target", *key_cols], dropna=False)[code_col].transform("size")
    combined = sizes > 1
    merged_groups = sorted(set(work.loc[combined, "_target"]))
    if how == "sum" and combined.any():
        rates = [c for c in value_cols if is_rate_column(c)]
        if rates:
            merged_examples = {t: sorted(k for k, v in mapping.items() if v == t) for t in merged_groups[:3]}
            raise ParameterError(
                f"harmonise: column(s) {rates} look like rates/ratios/indices, which cannot be summed over merged "
                f"municipalities (merged here: {merged_examples}). Fix: harmonise the counts and recompute the rate, or use "
                "how='weighted_mean' with weight_col='population' (or another denominator)."
            )

    group_keys = ["_target", *key_cols]
    grouped = work.groupby(group_keys, dropna=False, sort=True)
    if how == "sum":
        agg = grouped[value_cols].sum(min_count=1)
        anynan = work[value_cols].isna().groupby([work[k] for k in group_keys], dropna=False, sort=True).any()
        agg = agg.mask(anynan)
    else:
        assert weight_col is not None  # checked on entry: weighted_mean needs it
        w = work[weight_col].astype("float64")
        tmp = work[group_keys].copy()
        for c in value_cols:
            tmp[c] = work[c].astype("float64") * w
        tmp["_w"] = w
        tmp["_nan"] = work[value_cols].isna().any(axis=1) | w.isna()
        g2 = tmp.groupby(group_keys, dropna=False, sort=True)
        agg = g2[value_cols].sum(min_count=1).div(g2["_w"].sum(min_count=1), axis=0)
        agg = agg.mask(g2["_nan"].any(), axis=0)
        agg[weight_col] = grouped[weight_col].sum(min_count=1)
    agg = agg.reset_index()

    # Completeness, only where a target has several source codes in the data: the expected
    # components are the source codes that existed in that row's year (when a year column says
    # which division the row is in); a missing one makes the sum partial, so it becomes NaN.
    incomplete = []
    sources_of: dict[str, set[str]] = {}
    for c, t in mapping.items():
        sources_of.setdefault(t, set()).add(c)
    multi = {t for t, cs in sources_of.items() if len(cs) > 1}
    if multi:
        year_col = "year" if "year" in key_cols else None
        codes_in_year = {y: set(g["municipality_code"]) for y, g in _all_years().groupby("year")} if year_col else {}
        sub = work[work["_target"].isin(multi)]
        members = sub.groupby(group_keys, dropna=False, sort=False)[code_col].agg(frozenset)
        for key, have in members.items():
            key = key if isinstance(key, tuple) else (key,)
            target = key[0]
            expected = sources_of[target]
            if year_col is not None:
                y = key[1 + key_cols.index(year_col)]
                if y in codes_in_year:
                    expected = {c for c in expected if c in codes_in_year[y]} or expected
            if not expected <= have:
                incomplete.append(
                    {"municipality_code": target, **dict(zip(key_cols, key[1:])), "missing": sorted(expected - have)}
                )
        if incomplete:
            incomplete_keys = pd.DataFrame(
                [{"_target": r["municipality_code"], **{k: r[k] for k in key_cols}} for r in incomplete]
            )
            flag = (
                agg[group_keys]
                .merge(incomplete_keys.assign(_bad=True), on=group_keys, how="left")["_bad"]
                .fillna(False)
                .to_numpy(dtype=bool)
            )
            agg.loc[flag, value_cols] = np.nan
    agg = agg.rename(columns={"_target": code_col})
    if name_cols and FIRST_YEAR <= to_year <= LAST_YEAR:
        ref = reference(to_year).set_index("municipality_code")
        for c in name_cols:
            src = "name_sv" if c.endswith("_sv") else "name_en" if c.endswith("_en") else "name_fi"
            agg[c] = agg[code_col].map(ref[src])
    ordered = [c for c in df.columns if c in agg.columns] + [c for c in agg.columns if c not in df.columns]
    out = agg[ordered]
    out.attrs = dict(df.attrs)
    out.attrs["harmonise"] = {
        "to_division_year": to_year,
        "how": how,
        "merged": {t: sorted(k for k, v in mapping.items() if v == t) for t in merged_groups},
        "incomplete": incomplete,
        "dropped": dropped,
    }
    return out
