"""`data refresh`: fetch Sotkanet and StatFin data into a new, validated data release.

Flow (HTTP in helpers.data.download): download into a temporary folder next to the destination; write the files in the same
formats as the mirror (so the same schemas, checks and loaders apply) and a datapackage.json
describing them (checksums, retrieval time, query); link the resources that are not fetched from
the current release; run `data check` on the new folder; only if everything is complete and
valid, swap it in place of the destination by renaming. On any failure the temporary folder is
removed and the last good release is left exactly as it was.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
import os
import shutil
import signal
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from helpers.data import catalogue, paths, vocab
from helpers.data.download import RESPONSE_LIMITS_MB, UNCHANGED, Downloader, RefreshError
from helpers.data.hashing import sha256_file
from helpers.errors import MirrorNotFound, Terminated

SOTKANET_FIELDS = ("indicator", "region", "year", "gender", "value")
MIRROR_SOTKANET_HEADER = [
    "indicator",
    "region",
    "year",
    "gender",
    "primary.value",
    "absolute.value",
    "indicator.title.fi",
    "region.title.fi",
    "region.code",
    "region.category",
    "indicator.organization.title.fi",
]
# StatFin table "Työnhakijat ja avoimet työpaikat kuukauden lopussa alueittain" (successor of tyonv 1001).
STATFIN_MEASURES = {"unemployed": "TYOTTOMATLOPUSSA", "labour_force": "TYOVOIMATK", "open_vacancies": "AVPAIKATLOPUSSA"}


@dataclass
class RefreshConfig:
    years: list[int] = field(default_factory=lambda: [2019])
    population_years: list[int] = field(default_factory=lambda: list(range(2000, 2023)))
    unemployment_years: list[int] = field(default_factory=lambda: list(range(2006, 2021)))
    indicators: list[int] | None = None  # default: the book's 15 Sotkanet indicators
    sotkanet_base_url: str = "https://sotkanet.fi/rest/1.1"
    statfin_url: str = "https://pxdata.stat.fi/PXWeb/api/v1/fi/StatFin/tyonv/statfin_tyonv_pxt_12r5.px"
    statfin_measures: dict[str, str] = field(default_factory=lambda: dict(STATFIN_MEASURES))
    timeout: float = 30.0  # seconds for each request as a whole (the whole answer must arrive)
    retries: int = 4
    backoff: float = 1.0  # first retry delay (s), doubled each retry
    deadline: float = 1800.0  # seconds for the whole refresh
    max_response_mb: dict[str, float] = field(default_factory=lambda: dict(RESPONSE_LIMITS_MB))
    skip: set[str] = field(default_factory=set)  # "sotkanet", "population", "unemployment"

    def indicator_ids(self) -> list[int]:
        return list(self.indicators) if self.indicators else sorted(vocab.SOTKANET_INDICATORS)


def _require_fields(items, fields, what: str, url: str) -> None:
    if not isinstance(items, list):
        raise RefreshError(
            f"{what}: {url} returned {type(items).__name__}, expected a JSON array. The API may have changed."
        )
    for i, item in enumerate(items):
        missing = [f for f in fields if not isinstance(item, dict) or f not in item]
        if missing:
            raise RefreshError(
                f"{what}: item {i} of {url} lacks field(s) {missing} (expected fields {list(fields)}; found "
                f"{sorted(item) if isinstance(item, dict) else type(item).__name__}). The API's format changed: "
                "update helpers/data/refresh.py; the last good data release was not changed."
            )


# -------------------------------------------------------------------------------- Sotkanet


def sotkanet_query(base: str, indicator: int, years: list[int]) -> str:
    params = [("indicator", str(indicator))] + [("years", str(y)) for y in years] + [("genders", "total")]
    return f"{base.rstrip('/')}/json?{urllib.parse.urlencode(params)}"


def sotkanet_municipalities(cfg: RefreshConfig, http: Downloader) -> dict[int, dict]:
    """Sotkanet internal region id -> {code, title_fi} for category KUNTA (from /regions)."""
    url = f"{cfg.sotkanet_base_url.rstrip('/')}/regions"
    regions = http.get_json(url, what="Sotkanet regions", dataset="regions")
    _require_fields(regions, ("id", "code", "category", "title"), "Sotkanet regions", url)
    out = {
        int(r["id"]): {"code": str(r["code"]).zfill(3), "title_fi": (r.get("title") or {}).get("fi", "")}
        for r in regions
        if r["category"] == "KUNTA"
    }
    if not out:
        raise RefreshError(f"Sotkanet regions: {url} lists no region of category KUNTA. The API may have changed.")
    return out


def sotkanet_indicator_meta(cfg: RefreshConfig, indicator: int, http: Downloader) -> tuple[str, str]:
    url = f"{cfg.sotkanet_base_url.rstrip('/')}/indicators/{indicator}"
    meta = http.get_json(url, what=f"Sotkanet indicator {indicator} metadata", dataset="metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("title"), dict):
        raise RefreshError(
            f"Sotkanet indicator {indicator} metadata: {url} has no 'title' object. The API may have changed."
        )
    org = ((meta.get("organization") or {}).get("title") or {}).get("fi", "")
    return meta["title"].get("fi", ""), org


def _num(v) -> str:
    if v is None or v == "":
        return ""
    f = float(v)
    return str(int(f)) if f.is_integer() else repr(f)


def fetch_sotkanet_values(
    cfg: RefreshConfig, indicator: int, years: list[int], http: Downloader, dataset: str = "sotkanet"
) -> tuple[list[dict], str]:
    url = sotkanet_query(cfg.sotkanet_base_url, indicator, years)
    rows = http.get_json(url, what=f"Sotkanet indicator {indicator}", dataset=dataset)
    _require_fields(rows, SOTKANET_FIELDS, f"Sotkanet indicator {indicator}", url)
    return rows, url


# ---------------------------------------------------------------------------------- StatFin


def jsonstat2_records(doc: dict, what: str) -> list[dict]:
    """Flatten a JSON-stat 2.0 dataset into records {dim: category code, ..., 'value': v}."""
    try:
        ids, sizes, dims = doc["id"], doc["size"], doc["dimension"]
        values = doc["value"]
        cats = []
        for d in ids:
            index = dims[d]["category"]["index"]
            if isinstance(index, list):
                codes = list(index)
            else:
                codes = [c for c, _ in sorted(index.items(), key=lambda kv: kv[1])]
            cats.append(codes)
    except (KeyError, TypeError) as exc:
        raise RefreshError(f"{what}: not a JSON-stat 2.0 dataset (missing {exc}). The API's format changed.") from None
    total = 1
    for s in sizes:
        total *= s
    if isinstance(values, dict):
        values = [values.get(str(i)) for i in range(total)]
    if len(values) != total or [len(c) for c in cats] != list(sizes):
        raise RefreshError(
            f"{what}: JSON-stat sizes {sizes} do not match {len(values)} values. The response is incomplete."
        )
    out = []
    for flat, v in enumerate(values):
        rec, rest = {}, flat
        for d, codes, size in zip(reversed(ids), reversed(cats), reversed(sizes)):
            rec[d] = codes[rest % size]
            rest //= size
        rec["value"] = v
        out.append(rec)
    return out


def _labels(doc: dict, dim: str) -> dict[str, str]:
    return doc.get("dimension", {}).get(dim, {}).get("category", {}).get("label", {}) or {}


def _area_code(code: str) -> str | None:
    """StatFin area code -> municipality code ('KU020' or '020' -> '020'); None for other areas."""
    code = str(code)
    if code.startswith("KU") and code[2:].isdigit():
        return code[2:].zfill(3)
    if code.isdigit() and len(code) <= 3:
        return code.zfill(3)
    return None


def pxweb_variables(meta: dict, what: str) -> dict[str, dict[str, str]]:
    """PxWeb v1 table metadata -> {variable code: {value code: value text}}."""
    try:
        return {v["code"]: dict(zip(v["values"], v["valueTexts"])) for v in meta["variables"]}
    except (KeyError, TypeError) as exc:
        raise RefreshError(
            f"{what}: table metadata lacks {exc} (expected PxWeb v1 'variables' with values and valueTexts)."
        ) from None


def fetch_unemployment(cfg: RefreshConfig, http: Downloader) -> tuple[list[dict], list[dict]]:
    """Monthly unemployment by municipality from StatFin (one POST per year); rows + queries made."""
    what = "StatFin unemployment"
    log = http.log
    meta = http.get_json(cfg.statfin_url, what=f"{what} metadata", dataset="metadata")
    variables = pxweb_variables(meta, what)
    area_var = next((v for v in variables if v.startswith("Alue")), None)
    month_var = next((v for v in variables if v.startswith("Kuukausi")), None)
    if not area_var or not month_var or "Tiedot" not in variables:
        raise RefreshError(
            f"{what}: table variables {sorted(variables)} lack Alue/Kuukausi/Tiedot. Check --statfin-url."
        )
    missing = [m for m in cfg.statfin_measures.values() if m not in variables["Tiedot"]]
    if missing:
        raise RefreshError(f"{what}: measure(s) {missing} not in the table (found {sorted(variables['Tiedot'])}).")
    areas = [c for c in variables[area_var] if _area_code(c)]
    rows: list[dict] = []
    queries: list[dict] = []
    for year in sorted(cfg.unemployment_years):
        months = [m for m in variables[month_var] if m.startswith(f"{year}M")]
        if not months:
            continue
        query = {
            "query": [
                {"code": area_var, "selection": {"filter": "item", "values": areas}},
                {"code": month_var, "selection": {"filter": "item", "values": months}},
                {"code": "Tiedot", "selection": {"filter": "item", "values": list(cfg.statfin_measures.values())}},
            ],
            "response": {"format": "json-stat2"},
        }
        queries.append(query)
        doc = http.get_json(
            cfg.statfin_url, data=json.dumps(query).encode(), what=f"{what} {year}", dataset="unemployment"
        )
        if not isinstance(doc, dict):
            raise RefreshError(f"{what} {year}: expected a JSON-stat object, found {type(doc).__name__}.")
        labels = _labels(doc, area_var)
        by_key: dict[tuple[str, str], dict] = {}
        for rec in jsonstat2_records(doc, f"{what} {year}"):
            code = _area_code(rec.get(area_var, ""))
            if code is None:
                continue
            m = rec[month_var]
            month = f"{m[:4]}-{m[5:7]}"
            row = by_key.setdefault(
                (month, code),
                {"month": month, "municipality_code": code, "municipality_name_fi": labels.get(rec[area_var], code)},
            )
            for name, measure in cfg.statfin_measures.items():
                if rec["Tiedot"] == measure:
                    row[name] = rec["value"]
        rows.extend(by_key.values())
        log(f"  StatFin {year}: {len(by_key)} municipality-months")
    if not rows:
        raise RefreshError(f"{what}: no months of {cfg.unemployment_years} in the table.")
    return rows, queries


# ------------------------------------------------------------------------------ writing


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8"))


def _template(rid: str) -> dict:
    """The repository catalogue entry a refreshed resource is modelled on (schema, docs, licences)."""
    return copy.deepcopy({r["name"]: r for r in catalogue.package()["resources"]}[rid])


def _set_year_bounds(res: dict, column: str, years: list[int]) -> None:
    for f in res["schema"]["fields"]:
        if f["name"] == column:
            f.setdefault("constraints", {}).update({"minimum": min(years), "maximum": max(years)})


def _finish(res: dict, root: Path, now: str, rows: int) -> dict:
    p = root / res["path"]
    res["hash"] = "sha256:" + sha256_file(p, use_cache=False)
    res["bytes"] = p.stat().st_size
    res["x-rows"] = rows
    res["x-retrieved"] = now
    return res


def _division_of(codes: set[str], root: Path) -> int | None:
    """The latest reference year whose division has exactly these codes (None if none matches)."""
    try:
        from helpers.data.checks import using_mirror
        from helpers.data.loaders import load

        with using_mirror(root):
            ref = load("municipalities")
    except Exception:  # the reference may be unavailable; the check then accepts any known code
        return None
    for year in sorted(ref["year"].unique(), reverse=True):
        if set(ref.loc[ref["year"] == year, "municipality_code"]) == codes:
            return int(year)
    return None


def build_release(cfg: RefreshConfig, root: Path, http: Downloader) -> list[dict]:
    """Download everything into `root` (an empty folder); returns the resources written."""
    log = http.log
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    written: list[dict] = []
    need_regions = "sotkanet" not in cfg.skip or "population" not in cfg.skip
    munis = sotkanet_municipalities(cfg, http) if need_regions else {}
    if need_regions:
        log(f"Sotkanet regions: {len(munis)} municipalities (category KUNTA)")

    if "sotkanet" not in cfg.skip:
        by_year: dict[int, list[list]] = {y: [] for y in cfg.years}
        sources = []
        for ind in cfg.indicator_ids():
            title, org = sotkanet_indicator_meta(cfg, ind, http)
            items, url = fetch_sotkanet_values(cfg, ind, cfg.years, http)
            sources.append({"title": f"Sotkanet indicator {ind}: {title}", "path": url})
            kept = 0
            for it in items:
                region = munis.get(int(it["region"]))
                if region is None or int(it["year"]) not in by_year or it["gender"] != "total":
                    continue
                if it["value"] is None:
                    continue  # suppressed: absent, as in Sotkanet's own answer
                by_year[int(it["year"])].append(
                    [
                        int(it["indicator"]),
                        int(it["region"]),
                        int(it["year"]),
                        it["gender"],
                        _num(it["value"]),
                        _num(it.get("absValue")),
                        title,
                        region["title_fi"],
                        region["code"],
                        "KUNTA",
                        org,
                    ]
                )
                kept += 1
            log(f"Sotkanet indicator {ind}: {kept} municipality values")
        for year, rows in by_year.items():
            rows.sort(key=lambda r: (r[0], r[8]))
            res = _template("sotkanet_2019")
            res["name"] = f"sotkanet_{year}"
            res["title"] = f"Sotkanet indicators by municipality, {year}"
            res["path"] = f"sotkanet/indicators_{year}_municipalities.csv"
            _set_year_bounds(res, "year", [year])
            for f in res["schema"]["fields"]:
                if f["name"] == "indicator":
                    f["constraints"]["enum"] = cfg.indicator_ids()
            res["sources"] = sources + [
                {"title": "Sotkanet regions", "path": f"{cfg.sotkanet_base_url.rstrip('/')}/regions"}
            ]
            res.pop("x-compilation", None)
            _write_csv(root / res["path"], MIRROR_SOTKANET_HEADER, rows)
            res["x-division"] = None
            written.append(_finish(res, root, now, len(rows)))

    if "population" not in cfg.skip:
        years = sorted(cfg.population_years)
        items, url = fetch_sotkanet_values(cfg, vocab.POPULATION_INDICATOR, years, http, "population")
        rows = []
        for it in items:
            region = munis.get(int(it["region"]))
            if region is None or int(it["year"]) not in years or it["gender"] != "total" or it["value"] is None:
                continue
            rows.append([int(region["code"]), _num(it["value"]), int(it["year"])])
        rows.sort(key=lambda r: (r[0], r[2]))
        log(f"Sotkanet population (127): {len(rows)} municipality-years")
        res = _template("population")
        res["path"] = f"sotkanet/population_{years[0]}_{years[-1]}.csv"
        res["title"] = f"Population on 31 December by municipality, {years[0]}-{years[-1]}"
        _set_year_bounds(res, "year", years)
        res["sources"] = [{"title": "Sotkanet indicator 127: population on 31 December", "path": url}]
        res.pop("x-compilation", None)
        _write_csv(root / res["path"], ["municipality_code", "primary.value", "year"], rows)
        res["x-division"] = None
        written.append(_finish(res, root, now, len(rows)))

    if "unemployment" not in cfg.skip:
        recs, queries = fetch_unemployment(cfg, http)
        rows = []
        for r in sorted(recs, key=lambda r: (r["municipality_code"], r["month"])):
            u, lf = r.get("unemployed"), r.get("labour_force")
            rate = f"{100 * float(u) / float(lf):.2f}" if u not in (None, "") and lf not in (None, "", 0) else ""
            rows.append(
                [
                    r["month"],
                    r["municipality_code"],
                    r["municipality_name_fi"],
                    _num(u),
                    _num(lf),
                    _num(r.get("open_vacancies")),
                    rate,
                ]
            )
        months = sorted({r[0] for r in rows})
        res = _template("unemployment_monthly")
        res["path"] = f"statfin/unemployment_monthly_{months[0][:4]}_{months[-1][:4]}.csv"
        res["title"] = (
            f"Unemployed job seekers, labour force and open vacancies by municipality and month, {months[0]} to {months[-1]}"
        )
        res["sources"] = [
            {
                "title": "StatFin PxWeb API v1, POST json-stat2 (one query per year; see x-query)",
                "path": cfg.statfin_url,
            }
        ]
        res["x-query"] = queries
        res.pop("x-compilation", None)
        _write_csv(
            root / res["path"],
            [
                "month",
                "municipality_code",
                "municipality_name_fi",
                "unemployed",
                "labour_force",
                "open_vacancies",
                "unemployment_rate_pct",
            ],
            rows,
        )
        res["x-division"] = None
        written.append(_finish(res, root, now, len(rows)))
    return written


def _link_static(root: Path, written: list[dict], source: Path | None, dest: Path, log) -> list[str]:
    """Make the resources not fetched available in the new release (symlinks to the source release).

    Files of the source that live inside the destination being replaced are copied instead (they
    are earlier downloads, not mirror files). Returns resource ids that could not be provided.
    """
    paths_written = {r["path"] for r in written}
    missing = []
    for rid, res in {r["name"]: r for r in catalogue.package()["resources"]}.items():
        if res.get("x-location") == "repo" or res["path"] in paths_written:
            continue
        src = (source / res["path"]) if source else None
        if src is None or not src.exists():
            missing.append(rid)
            continue
        target = root / res["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        real = Path(os.path.realpath(src))
        if dest.resolve() in real.parents:
            shutil.copy2(real, target)
        else:
            target.symlink_to(real)
    if missing:
        log(f"not provided (no source release): {', '.join(missing)}")
    return missing


def _source_release(dest: Path) -> Path | None:
    try:
        return paths.mirror_path()
    except MirrorNotFound:
        return dest if paths.is_valid_release(dest) else None


def refresh(cfg: RefreshConfig | None = None, dest: Path | None = None, log: Callable[[str], None] = print) -> Path:
    """Fetch, validate and atomically install a data release at `dest` (default .cache/data-release/)."""
    cfg = cfg or RefreshConfig()
    dest = Path(dest) if dest else paths.local_release_dir()
    dest.parent.mkdir(parents=True, exist_ok=True)
    source = _source_release(dest)
    tmp = dest.parent / f".{dest.name}.tmp-{os.getpid()}-{time.time_ns()}"
    tmp.mkdir()
    http = Downloader(
        timeout=cfg.timeout,
        retries=cfg.retries,
        backoff=cfg.backoff,
        deadline=cfg.deadline,
        limits_mb=cfg.max_response_mb,
        log=log,
    )
    try:
        with http, _terminate_cleanly():
            written = _download_and_validate(cfg, tmp, source, dest, http)
            _swap(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    from helpers.data.loaders import clear_cache

    clear_cache()
    log(f"installed {len(written)} refreshed resource(s) in {dest}")
    return dest


READ_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError, OverflowError)


def _download_and_validate(cfg: RefreshConfig, tmp: Path, source: Path | None, dest: Path, http: Downloader) -> list:
    """Everything but the swap: download into `tmp`, describe, trust and validate; returns the resources."""
    from helpers.data.checks import check_release

    log = http.log
    try:
        written = build_release(cfg, tmp, http)
    except READ_ERRORS as exc:
        # An answer of the right JSON shape but unexpected content (a string where a number belongs,
        # nesting too deep to walk, ...) is the API's fault, reported like the other refresh faults.
        raise RefreshError(
            f"{http.step}: the answer could not be read ({type(exc).__name__}: {str(exc)[:200]}). The API's "
            f"format may have changed: check the URL or update helpers/data/refresh.py; {UNCHANGED}."
        ) from None
    if not written:
        raise RefreshError("nothing to refresh (every part skipped).")
    _link_static(tmp, written, source, dest, log)
    for res in written:
        codes = _codes_in(tmp / res["path"], res)
        res["x-division"] = _division_of(codes, tmp) if codes else None
        if res["x-division"] is None:
            res.pop("x-division")
    manifest = {
        "profile": "data-package",
        "name": "finnish-social-assistance-book-data-release",
        "title": "Refreshed data release (downloaded by `python -m helpers data refresh`)",
        "x-retrieved": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "x-base-release": str(source) if source else None,
        "x-config": {k: (sorted(v) if isinstance(v, set) else v) for k, v in cfg.__dict__.items()},
        "resources": written,
    }
    manifest_path = tmp / paths.RELEASE_CATALOGUE
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    # The release's own catalogue overrides the project's checksums only when its hash is recorded
    # here, outside the release (see helpers.data.catalogue.release_package).
    digest = catalogue.trust_release_manifest(manifest_path, dest)
    log("validating the new release …")
    try:
        problems = [
            p
            for p in check_release(
                tmp, [r["name"] for r in written] + (["municipalities"] if (tmp / "reference").exists() else [])
            )
            if not p.message.startswith("municipality codes not checked")
        ]
    except BaseException:
        catalogue.distrust_release_manifest(digest)
        raise
    if problems:
        catalogue.distrust_release_manifest(digest)
        shown = "\n  ".join(str(p) for p in problems[:10])
        raise RefreshError(
            f"the downloaded data failed validation ({len(problems)} problem(s)):\n  {shown}\n"
            "The last good data release was not changed."
        )
    return written


@contextlib.contextmanager
def _terminate_cleanly():
    """Turn SIGTERM into an exception while refreshing, so the temporary folder is removed as on Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigterm(signum, frame):
        raise Terminated(f"terminated by signal {signum}; {UNCHANGED}")

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _codes_in(path: Path, res: dict) -> set[str]:
    col = next((f["name"] for f in res.get("schema", {}).get("fields", []) if f.get("x-municipality-code")), None)
    if not col:
        return set()
    with open(path, encoding="utf-8", newline="") as fh:
        return {str(r[col]).zfill(3) for r in csv.DictReader(fh) if r.get(col)}


def _swap(tmp: Path, dest: Path) -> None:
    """Put `tmp` where `dest` is: two renames on the same filesystem, with rollback."""
    old = dest.parent / f".{dest.name}.old-{os.getpid()}-{time.time_ns()}"
    had_old = dest.exists()
    if had_old:
        os.replace(dest, old)
    try:
        os.replace(tmp, dest)
    except OSError:
        if had_old:
            os.replace(old, dest)
        raise
    if had_old:
        shutil.rmtree(old, ignore_errors=True)
