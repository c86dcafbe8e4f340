"""`load(dataset_id)`: checksum-verified, schema-checked, tidy, cached tables.

Cache layers: an in-process dict keyed on (id, file sha256), then pickles under .cache/parsed/
keyed on (id, file sha256, loader code version). The file hash itself is cached on
(path, size, mtime_ns), so an unchanged file is never re-read just to be verified.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import pickle
import time
from pathlib import Path

import pandas as pd

from helpers.data import catalogue, paths, vocab
from helpers.data.hashing import sha256_file
from helpers.data.tables import read_table
from helpers.errors import DataError, MirrorNotFound, ParameterError

_memory: dict[tuple[str, str], pd.DataFrame] = {}
_topojson_memory: dict[tuple[str, str], dict] = {}
# Dataset ids this process has read since the last `forget_datasets_read()`: the batch engine
# keys each run's cache on the checksums of exactly these files.
_datasets_read: set[str] = set()
_code_version: str | None = None
MAX_PROBLEMS_IN_ERROR = 10


def code_version() -> str:
    """Hash of the modules that shape a parsed table: edits to them invalidate the disk cache."""
    global _code_version
    if _code_version is None:
        h = hashlib.sha256(pd.__version__.encode())
        here = Path(__file__).parent
        for name in ("loaders.py", "tables.py", "vocab.py"):
            h.update((here / name).read_bytes())
        _code_version = h.hexdigest()[:12]
    return _code_version


# ---------------------------------------------------------------- file resolution + verification


def verified_file(dataset_id: str, res: dict | None = None) -> tuple[Path, str]:
    """The resource's file and its sha256, after checking it exists and matches the catalogue."""
    res = res or catalogue.resource(dataset_id)
    _datasets_read.add(dataset_id)
    try:
        path = catalogue.resource_file(res)
    except MirrorNotFound:
        raise
    if not path.is_file():
        where = "the data release" if res.get("x-location") != "repo" else "the repository (data/)"
        raise DataError(
            f"[{dataset_id}] file {path} is missing from {where}. Fix: check BOOK_DATA_MIRROR "
            f"(now {os.environ.get(paths.MIRROR_ENV, 'unset')}) points at a complete data release, "
            "or run `python -m helpers data check` to list what is missing."
        )
    actual = sha256_file(path)
    expected = catalogue.expected_sha256(res)
    if expected and actual != expected:
        fix = (
            "run `python -m helpers data catalogue --update-facts` if you edited this fact table on purpose"
            if res.get("x-location") == "repo"
            else "restore the file from the data release (`sha256sum -c SHA256SUMS` there), or run "
            "`python -m helpers data check` for the full list of problems"
        )
        raise DataError(
            f"[{dataset_id}] checksum mismatch for {path}: expected sha256 {expected}, found {actual}. Fix: {fix}."
        )
    return path, actual


# ---------------------------------------------------------------------------- tidy transforms


def _codes(series: pd.Series) -> pd.Series:
    """Municipality codes as 3-digit zero-padded strings."""
    if pd.api.types.is_string_dtype(series):
        return series.str.strip().str.zfill(3)
    return series.astype("int64").astype(str).str.zfill(3)


def _tidy_sotkanet(raw: pd.DataFrame, res: dict) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "municipality_code": _codes(raw["region.code"]),
            "year": raw["year"].astype("int64"),
            "indicator_id": raw["indicator"].astype("int64"),
            "value": raw["primary.value"].astype("float64"),
            "absolute_value": raw["absolute.value"].astype("float64"),
        }
    )
    titles = dict(zip(raw["indicator"].astype("int64"), raw["indicator.title.fi"]))
    # Suppressed values are absent from Sotkanet's answer: make every (indicator, municipality, year)
    # explicit so a gap is a NaN row, never a silent omission or a zero.
    grid = pd.MultiIndex.from_product(
        [sorted(df["indicator_id"].unique()), sorted(df["municipality_code"].unique()), sorted(df["year"].unique())],
        names=["indicator_id", "municipality_code", "year"],
    )
    df = df.set_index(["indicator_id", "municipality_code", "year"]).reindex(grid).reset_index()
    meta = {
        i: vocab.SOTKANET_INDICATORS.get(
            int(i), (f"sotkanet_{int(i)}", titles.get(i, f"Sotkanet indicator {int(i)}"), "see Sotkanet")
        )
        for i in df["indicator_id"].unique()
    }
    df["indicator"] = df["indicator_id"].map({k: v[0] for k, v in meta.items()}).astype(str)
    df["indicator_label"] = df["indicator_id"].map({k: v[1] for k, v in meta.items()}).astype(str)
    df["unit"] = df["indicator_id"].map({k: v[2] for k, v in meta.items()}).astype(str)
    df["year"] = df["year"].astype("int64")
    df["indicator_id"] = df["indicator_id"].astype("int64")
    cols = [
        "municipality_code",
        "year",
        "indicator_id",
        "indicator",
        "indicator_label",
        "unit",
        "value",
        "absolute_value",
    ]
    return df[cols].sort_values(["indicator_id", "municipality_code", "year"], ignore_index=True)


def _tidy_population(raw: pd.DataFrame, res: dict) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "municipality_code": _codes(raw["municipality_code"]),
            "year": raw["year"].astype("int64"),
            "population": raw["primary.value"].astype("int64"),
        }
    )
    return df.sort_values(["municipality_code", "year"], ignore_index=True)


def _tidy_unemployment(raw: pd.DataFrame, res: dict) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "month": raw["month"].astype(str),
            "year": raw["month"].str[:4].astype("int64"),
            "municipality_code": _codes(raw["municipality_code"]),
            "municipality_name_fi": raw["municipality_name_fi"].astype(str),
            "unemployed": raw["unemployed"].astype("float64"),
            "labour_force": raw["labour_force"],
            "open_vacancies": raw["open_vacancies"].astype("float64"),
            "unemployment_rate_pct": raw["unemployment_rate_pct"].astype("float64"),
        }
    )
    return df.sort_values(["municipality_code", "month"], ignore_index=True)


def _tidy_families(raw: pd.DataFrame, res: dict) -> pd.DataFrame:
    families = raw["families_with_children"].astype("float64")
    receiving = raw["families_with_children_receiving_social_assistance"].astype("float64")
    df = pd.DataFrame(
        {
            "municipality_code": _codes(raw["municipality_code"]),
            "year": raw["year"].astype("int64"),
            "families_with_children": families,
            "families_receiving_social_assistance": receiving,
            # A share only where both counts are published: a suppressed count stays a gap.
            "families_social_assistance_pct": 100.0 * receiving / families.where(families > 0),
            "unemployment_rate_pct": raw["unemployment_rate_pct"].astype("float64"),
            "low_income_children": raw["low_income_children"].astype("float64"),
            "children_0_17": raw["children_0_17"].astype("float64"),
        }
    )
    return df.sort_values(["municipality_code", "year"], ignore_index=True)


def _tidy_long_run(raw: pd.DataFrame, res: dict) -> pd.DataFrame:
    ids = raw["indicator"].astype("int64")
    df = pd.DataFrame(
        {
            "municipality_code": _codes(raw["municipality_code_2013"]),
            "municipality_name_fi": raw["municipality_name_fi"].astype(str),
            "region_fi": raw["region_fi"].astype(str),
            "year": raw["year"].astype("int64"),
            "indicator_id": ids,
            "indicator": ids.map(lambda i: vocab.LONG_RUN_INDICATORS[i][0]).astype(str),
            "indicator_label": ids.map(lambda i: vocab.LONG_RUN_INDICATORS[i][1]).astype(str),
            "unit": ids.map(lambda i: vocab.LONG_RUN_INDICATORS[i][2]).astype(str),
            "value": raw["value"].astype("float64"),
        }
    )
    return df.sort_values(["indicator_id", "municipality_code", "year"], ignore_index=True)


def _tidy_diak(raw: pd.DataFrame, res: dict) -> pd.DataFrame:
    names = raw["variable"].astype(str)
    ids = {n: vocab.diak_variable_id(n) for n in names.unique()}
    unknown = sorted(n for n, v in ids.items() if v is None)
    if unknown:
        raise DataError(
            f"[diak_indices] variable name(s) without an English id: {unknown}. Fix: add them to "
            "DIAK_VARIABLES in src/helpers/data/vocab.py."
        )
    classes = raw["var_class"].astype(str)
    df = pd.DataFrame(
        {
            "municipality_code": _codes(raw["municipality_code"]),
            "municipality_name_fi": raw["municipality_name_fi"].astype(str),
            "year_mid": raw["year_mid"].astype("int64"),
            "variable": names.map(ids).astype(str),
            "variable_fi": names,
            "var_class": classes.map(lambda c: vocab.diak_class_id(c) or "other").astype(str),
            "var_class_fi": classes,
            "index_value": raw["index_value"].astype("float64"),
        }
    )
    df.attrs["unit"] = vocab.DIAK_UNIT
    return df.sort_values(["variable", "municipality_code", "year_mid"], ignore_index=True)


def _tidy_diak_variables(raw: pd.DataFrame, res: dict) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "variable": raw["Muuttuja"].map(lambda n: vocab.diak_variable_id(n) or "").astype(str),
            "variable_fi": raw["Muuttuja"],
            "var_class_fi": raw["Muuttujaluokka"],
            "area_levels_fi": raw["Aluetasot"],
            "description_fi": raw["Kuvaus"],
            "unit": vocab.DIAK_UNIT,
        }
    )


def _tidy_municipality_key(raw: pd.DataFrame, res: dict) -> pd.DataFrame:
    def s(col: str) -> pd.Series:
        return raw[col].astype(str).str.strip().str.replace(r"\s+", " ", regex=True)

    df = pd.DataFrame(
        {
            "municipality_code": _codes(raw["kunta"]),
            "year": raw["year"].astype("int64"),
            "name_fi": s("municipality_name_fi"),
            "name_sv": s("municipality_name_sv"),
            "name_en": s("municipality_name_en"),
            "region_code": raw["maakunta_code"].astype("int64").astype(str).str.zfill(2),
            "region_fi": s("maakunta_name_fi"),
            "region_sv": s("maakunta_name_sv"),
            "region_en": s("maakunta_name_en"),
            "urban_rural_code": raw["kuntaryhmitys_code"].astype("int64"),
            "urban_rural_en": s("kuntaryhmitys_name_en"),
            "language_status_en": s("kielisuhde_name_en"),
        }
    )
    return df.sort_values(["year", "municipality_code"], ignore_index=True)


def _tidy_fact_table(raw: pd.DataFrame, res: dict) -> pd.DataFrame:
    df = raw.copy()
    for f in res.get("schema", {}).get("fields", []):
        if f.get("x-municipality-code") and f["name"] in df.columns:
            col = df[f["name"]]
            df[f["name"]] = col.where(col == "", col.str.zfill(3)) if pd.api.types.is_string_dtype(col) else col
    return df


TIDY = {
    "sotkanet_indicators": _tidy_sotkanet,
    "sotkanet_population": _tidy_population,
    "statfin_unemployment": _tidy_unemployment,
    "sotkanet_families": _tidy_families,
    "sotkanet_long_run": _tidy_long_run,
    "diak_indices": _tidy_diak,
    "diak_variables": _tidy_diak_variables,
    "municipality_key": _tidy_municipality_key,
    "fact_table": _tidy_fact_table,
}


def loader_name(res: dict) -> str | None:
    if res.get("x-loader"):
        return res["x-loader"]
    if res.get("x-location") == "repo" and str(res.get("path", "")).endswith(".csv"):
        return "fact_table"
    return None


# ---------------------------------------------------------------------------------- caching


def _disk_cache_file(dataset_id: str, sha: str) -> Path:
    return paths.cache_dir() / f"{dataset_id}-{sha[:16]}-{code_version()}.pkl"


def _read_disk(dataset_id: str, sha: str) -> pd.DataFrame | None:
    target = _disk_cache_file(dataset_id, sha)
    try:
        with open(target, "rb") as fh:
            df = pickle.load(fh)
        return df if isinstance(df, pd.DataFrame) else None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError):
        return None


def _write_disk(dataset_id: str, sha: str, df: pd.DataFrame) -> None:
    target = _disk_cache_file(dataset_id, sha)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(df, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
        # Old versions of the same dataset are dead weight.
        for old in target.parent.glob(f"{dataset_id}-*.pkl"):
            if old != target:
                old.unlink(missing_ok=True)
    except OSError:
        pass


def clear_cache(*, disk: bool = False) -> None:
    """Forget parsed tables (in-process; with disk=True also the pickles under .cache/parsed/)."""
    _memory.clear()
    _topojson_memory.clear()
    if disk:
        for p in paths.cache_dir().glob("*.pkl"):
            p.unlink(missing_ok=True)


# ------------------------------------------------------------------------------------- public


def parse(dataset_id: str, path: Path, res: dict) -> pd.DataFrame:
    """Read a file against its schema and tidy it (no caching). Raises DataError listing problems."""
    kind = loader_name(res)
    if kind not in TIDY:
        if res.get("format") == "topojson":
            raise ParameterError(
                f"{dataset_id!r} is a map, not a table. Use helpers.data.load_topojson({dataset_id!r})."
            )
        raise ParameterError(f"{dataset_id!r} is not a table the book loads (format {res.get('format')!r}).")
    raw, problems = read_table(
        path, res.get("schema", {}), dataset_id, delimiter=res.get("dialect", {}).get("delimiter", ",")
    )
    if problems:
        shown = "\n  ".join(str(p) for p in problems[:MAX_PROBLEMS_IN_ERROR])
        more = len(problems) - MAX_PROBLEMS_IN_ERROR
        raise DataError(
            f"[{dataset_id}] {path} does not match its schema in data/datapackage.json:\n  {shown}"
            + (f"\n  … and {more} more" if more > 0 else "")
            + "\nFix: restore the file from the data release; `python -m helpers data check` lists every problem."
        )
    assert raw is not None  # read_table returns no frame only together with problems
    df = TIDY[kind](raw, res)
    return df


def load(dataset_id: str) -> pd.DataFrame:
    """A dataset as a tidy DataFrame (see `describe(dataset_id)` for its columns and units).

    The file is verified against the catalogue's sha256 and parsed against its schema; results are
    cached in-process and on disk (keyed on the file's checksum). Returns a copy you may modify.
    """
    res = catalogue.resource(dataset_id)
    path, sha = verified_file(dataset_id, res)
    key = (dataset_id, sha)
    df = _memory.get(key)
    if df is None:
        df = _read_disk(dataset_id, sha)
        if df is None:
            df = parse(dataset_id, path, res)
            _write_disk(dataset_id, sha, df)
        df.attrs.update({"dataset_id": dataset_id, "sha256": sha, "title": res.get("title", "")})
        _memory[key] = df
    return df.copy(deep=False)


def load_topojson(dataset_id: str) -> dict:
    """A boundary file ("boundaries_2017" or "boundaries_2021") as a TopoJSON dict (checksum verified)."""
    res = catalogue.resource(dataset_id)
    if res.get("format") != "topojson":
        topo = [k for k, r in catalogue.resources().items() if r.get("format") == "topojson"]
        raise ParameterError(f"{dataset_id!r} is not a boundary file. Valid: {', '.join(topo)}.")
    path, sha = verified_file(dataset_id, res)
    key = (dataset_id, sha)
    if key not in _topojson_memory:
        try:
            _topojson_memory[key] = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise DataError(
                f"[{dataset_id}] {path} is not valid UTF-8 JSON ({exc}). Fix: restore it from the data release."
            ) from exc
    # Callers (chart builders) may edit properties: never hand out the cached object itself.
    return copy.deepcopy(_topojson_memory[key])


def dataset_checksums() -> dict[str, str]:
    """Resource id -> sha256 (hex) of the file actually in use, for run records.

    Covers every book dataset whose file is present (mirror resources and committed fact tables);
    API samples are test fixtures and are left out.
    """
    out: dict[str, str] = {}
    for rid, res in catalogue.resources().items():
        if res.get("x-role") == "api-sample":
            continue
        try:
            path = catalogue.resource_file(res)
        except MirrorNotFound:
            continue
        if path.is_file():
            out[rid] = sha256_file(path)
    _datasets_read.update(out)  # a run that lists every checksum depends on every file
    return out


def datasets_read() -> list[str]:
    """Dataset ids verified (loaded, or checksummed) by this process since `forget_datasets_read()`."""
    return sorted(_datasets_read)


def forget_datasets_read() -> None:
    _datasets_read.clear()


def book_dataset_ids() -> list[str]:
    """Tables `load()` serves (mirror tables and fact tables), in catalogue order."""
    return [rid for rid, res in catalogue.resources().items() if loader_name(res) in TIDY]


def benchmark_load_all() -> dict[str, tuple[int, float]]:
    """Load every table (and map) the book uses; dataset id -> (rows, seconds) in this process."""
    out: dict[str, tuple[int, float]] = {}
    for rid in book_dataset_ids():
        t0 = time.perf_counter()
        df = load(rid)
        out[rid] = (len(df), time.perf_counter() - t0)
    for rid, res in catalogue.resources().items():
        if res.get("format") == "topojson":
            t0 = time.perf_counter()
            topo = load_topojson(rid)
            obj = res.get("x-topojson", {}).get("object")
            n = len(topo["objects"][obj]["geometries"]) if obj in topo.get("objects", {}) else 0
            out[rid] = (n, time.perf_counter() - t0)
    return out
