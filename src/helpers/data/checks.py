"""`data check`: verify every catalogued resource of a data release and the committed fact tables.

Every problem is reported (not just the first): missing files, checksum mismatches, encoding,
header, types, constraints, primary keys, unknown municipality codes for the dataset's division,
TopoJSON structure, fact-table rows without a source. A corrupted file still gets its structural
checks after a checksum mismatch, so the report says what is wrong, not only that something is.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from helpers.data import catalogue, paths
from helpers.data.hashing import sha256_file
from helpers.data.tables import MAX_EXAMPLES, Problem, decode_utf8, read_strings, typed_table
from helpers.errors import BookError, MirrorNotFound


@contextlib.contextmanager
def using_mirror(mirror: Path | str | None) -> Iterator[None]:
    """Temporarily point BOOK_DATA_MIRROR at `mirror` (None: leave the environment alone)."""
    if mirror is None:
        yield
        return
    old = os.environ.get(paths.MIRROR_ENV)
    os.environ[paths.MIRROR_ENV] = str(mirror)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(paths.MIRROR_ENV, None)
        else:
            os.environ[paths.MIRROR_ENV] = old


def _reference_codes() -> tuple[dict[int, set[str]] | None, str | None]:
    """Municipality codes per year from the release's own reference table, or why it is unusable."""
    from helpers.data.loaders import load

    try:
        ref = load("municipalities")
    except BookError as exc:
        return None, str(exc).splitlines()[0]
    return {int(cast(int, y)): set(g["municipality_code"]) for y, g in ref.groupby("year")}, None


def _check_codes(
    dataset: str, file: str, typed: pd.DataFrame, res: dict, codes_by_year: dict[int, set[str]]
) -> list[Problem]:
    problems: list[Problem] = []
    division = res.get("x-division")
    all_codes = set().union(*codes_by_year.values())
    line_no = np.arange(2, len(typed) + 2)
    for field in res.get("schema", {}).get("fields", []):
        name = field["name"]
        if not field.get("x-municipality-code") or name not in typed.columns:
            continue
        raw = typed[name]
        # A value that failed its type check becomes NaN and turns the column to floats; read whole
        # numbers back as codes so one bad cell is reported once (as a type error), not for every row.
        text = raw.map(lambda v: str(int(v)) if isinstance(v, float) and v == v and v.is_integer() else str(v))
        text = text.str.strip()
        numeric = text.str.fullmatch(r"\d{1,3}")
        codes = text.where(~numeric, text.str.zfill(3))
        empty = (text == "") | (text == "nan")
        if division == "year":
            years = pd.to_numeric(typed["year"], errors="coerce")
            known = np.array(
                [c in codes_by_year.get(int(y), set()) if y == y else False for c, y in zip(codes, years)], dtype=bool
            )
            expect = "the division of the row's year"
        elif isinstance(division, int) and division in codes_by_year:
            valid = codes_by_year[division]
            known = codes.isin(valid).to_numpy()
            expect = f"the {division} division ({len(valid)} municipalities), documented for this dataset"
        else:
            known = codes.isin(all_codes).to_numpy()
            expect = "any division 2013–2026"
        bad = ~known & ~empty.to_numpy()
        if bad.any():
            ex = "; ".join(
                f"line {int(ln)}: {c!r}" for ln, c in zip(line_no[bad][:MAX_EXAMPLES], codes[bad].iloc[:MAX_EXAMPLES])
            )
            more = int(bad.sum()) - MAX_EXAMPLES
            problems.append(
                Problem(
                    dataset,
                    file,
                    "municipality",
                    f"{int(bad.sum())} unknown municipality code(s) (expected codes of {expect}; found {ex}"
                    f"{f'; and {more} more' if more > 0 else ''})",
                    line=int(line_no[bad][0]),
                    column=name,
                )
            )
    return problems


def _check_topojson(dataset: str, file: str, text: str, res: dict, codes_by_year) -> list[Problem]:
    try:
        topo = json.loads(text)
    except ValueError as exc:
        return [
            Problem(
                dataset,
                file,
                "parse",
                f"not valid JSON (expected TopoJSON; {exc}). Fix: restore the file from the data release.",
            )
        ]
    spec = res.get("x-topojson", {})
    obj = spec.get("object")
    problems: list[Problem] = []
    if topo.get("type") != "Topology":
        problems.append(
            Problem(dataset, file, "structure", f"expected a TopoJSON Topology; found type {topo.get('type')!r}")
        )
    objects = topo.get("objects", {})
    if obj not in objects:
        problems.append(
            Problem(dataset, file, "structure", f"expected object {obj!r}; found objects {sorted(objects)}")
        )
        return problems
    geoms = objects[obj].get("geometries", [])
    if spec.get("geometries") is not None and len(geoms) != spec["geometries"]:
        problems.append(
            Problem(
                dataset, file, "structure", f"expected {spec['geometries']} geometries in {obj!r}; found {len(geoms)}"
            )
        )
    prop = spec.get("code_property")
    division = res.get("x-division")
    if prop and codes_by_year and isinstance(division, int) and division in codes_by_year:
        codes = [str((g.get("properties") or {}).get(prop, "")).zfill(3) for g in geoms]
        unknown = sorted(set(codes) - codes_by_year[division])
        if unknown:
            problems.append(
                Problem(
                    dataset,
                    file,
                    "municipality",
                    f"{len(unknown)} unknown municipality code(s) in property {prop!r} (expected codes of the "
                    f"{division} division; found {unknown[:MAX_EXAMPLES]})",
                )
            )
        dup = sorted({c for c in codes if codes.count(c) > 1})
        if dup:
            problems.append(
                Problem(
                    dataset,
                    file,
                    "primary-key",
                    f"municipality code(s) {dup[:MAX_EXAMPLES]} appear more than once (expected unique)",
                )
            )
    return problems


def _check_facts(dataset: str, file: str, typed: pd.DataFrame, bibkeys: set[str] | None) -> list[Problem]:
    problems: list[Problem] = []
    line_no = np.arange(2, len(typed) + 2)
    if "source" not in typed.columns:
        problems.append(
            Problem(
                dataset,
                file,
                "header",
                "fact table has no 'source' column (expected every fact to cite its source)",
                line=1,
            )
        )
    else:
        empty = typed["source"].astype(str).str.strip().isin(["", "nan"]).to_numpy()
        if empty.any():
            problems.append(
                Problem(
                    dataset,
                    file,
                    "source",
                    f"{int(empty.sum())} row(s) without a source (expected a citation; found empty at lines "
                    f"{', '.join(str(int(x)) for x in line_no[empty][:MAX_EXAMPLES])})",
                    line=int(line_no[empty][0]),
                    column="source",
                )
            )
    if bibkeys is not None and "bibkey" in typed.columns:
        keys = typed["bibkey"].astype(str).str.strip()
        # a cell may cite several keys separated by ';' (or ',')
        bad = np.array(
            [any(k.strip() and k.strip() not in bibkeys for k in re.split(r"[;,]", v)) for v in keys], dtype=bool
        )
        if bad.any():
            problems.append(
                Problem(
                    dataset,
                    file,
                    "bibkey",
                    f"{int(bad.sum())} bibkey(s) not in data/references.bib (found "
                    f"{sorted(set(keys[bad]))[:MAX_EXAMPLES]})",
                    line=int(line_no[bad][0]),
                    column="bibkey",
                )
            )
    return problems


def _bibkeys() -> set[str] | None:
    bib = paths.repo_root() / "data" / "references.bib"
    if not bib.is_file():
        return None
    return set(re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", bib.read_text(encoding="utf-8", errors="replace")))


def check_resource(rid: str, res: dict, codes_by_year, ref_problem: str | None, bibkeys) -> list[Problem]:
    problems: list[Problem] = []
    try:
        path = catalogue.resource_file(res)
    except MirrorNotFound as exc:
        return [Problem(rid, res.get("path", "?"), "missing-file", str(exc))]
    file = str(path)
    if not path.is_file():
        return [
            Problem(
                rid,
                file,
                "missing-file",
                f"file is missing (expected {res.get('path')} in "
                f"{'the repository data/' if res.get('x-location') == 'repo' else 'the data release'}). "
                "Fix: restore it from the data release, or point BOOK_DATA_MIRROR at a complete copy.",
            )
        ]
    raw = path.read_bytes()
    expected = catalogue.expected_sha256(res)
    actual = sha256_file(path, use_cache=False)
    if expected and actual != expected:
        size = (
            f"; size expected {res.get('bytes')} bytes, found {len(raw)}"
            if res.get("bytes") not in (None, len(raw))
            else ""
        )
        fix = (
            "run `python -m helpers data catalogue --update-facts` if the edit was intended"
            if res.get("x-location") == "repo"
            else "restore the file from the data release"
        )
        problems.append(
            Problem(rid, file, "checksum", f"sha256 mismatch (expected {expected}, found {actual}{size}). Fix: {fix}.")
        )
    text, enc = decode_utf8(raw, rid, file)
    problems += enc
    if text is None:
        return problems
    fmt = res.get("format")
    if fmt == "topojson":
        return problems + _check_topojson(rid, file, text, res, codes_by_year)
    if fmt == "json":
        try:
            json.loads(text)
        except ValueError as exc:
            problems.append(Problem(rid, file, "parse", f"not valid JSON ({exc})"))
        return problems
    if fmt != "csv":
        return problems
    strings, parse_problems = read_strings(text, rid, file, res.get("dialect", {}).get("delimiter", ","))
    problems += parse_problems
    if strings is None:
        return problems
    schema = res.get("schema")
    if schema:
        typed, schema_problems = typed_table(strings, schema, rid, file)
        problems += schema_problems
    else:
        typed = strings
    if (
        res.get("x-rows") is not None
        and len(strings) != res["x-rows"]
        and not any(p.kind in ("parse",) for p in problems)
    ):
        problems.append(
            Problem(
                rid,
                file,
                "rows",
                f"expected {res['x-rows']} data rows; found {len(strings)} (truncated or extended file?)",
            )
        )
    if any(f.get("x-municipality-code") for f in (schema or {}).get("fields", [])):
        if codes_by_year is None:
            if rid != "municipalities":
                problems.append(
                    Problem(
                        rid,
                        file,
                        "municipality",
                        f"municipality codes not checked: reference table unusable ({ref_problem})",
                    )
                )
        else:
            problems += _check_codes(rid, file, typed, res, codes_by_year)
    if res.get("x-location") == "repo":
        problems += _check_facts(rid, file, typed, bibkeys)
    return problems


SHA256SUMS = "SHA256SUMS"


def check_sha256sums(root: Path, resources: dict[str, dict], *, only_listed_resources: bool) -> list[Problem]:
    """The release's own SHA256SUMS (``sha256  ./path`` lines), when it has one: every line names a
    file inside the release whose hash it matches, agrees with the project's catalogue for the same
    file, and every catalogued file of the release is listed."""
    sums = root / SHA256SUMS
    if not sums.is_file():
        return []
    where = str(sums)
    catalogued = {r["path"]: (rid, r) for rid, r in resources.items() if r.get("x-location") != "repo"}
    problems: list[Problem] = []
    listed: set[str] = set()
    for number, line in enumerate(sums.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        digest, _, name = line.strip().partition(" ")
        name = name.strip().lstrip("*")
        relative = name[2:] if name.startswith("./") else name
        if not re.fullmatch(r"[0-9a-f]{64}", digest) or not relative:
            problems.append(Problem("*", where, "sha256sums", f"line {number} is not 'sha256  path' ({line[:80]!r})"))
            continue
        if not paths.is_inside_release(relative):
            problems.append(
                Problem("*", where, "sha256sums", f"line {number} names {relative[:80]!r}, outside the release")
            )
            continue
        listed.add(relative)
        rid, res = catalogued.get(relative, ("*", None))
        if only_listed_resources and res is None:
            continue
        expected = catalogue.expected_sha256(res) if res else None
        if expected and expected != digest:
            problems.append(
                Problem(
                    rid,
                    where,
                    "sha256sums",
                    f"line {number}: {relative} listed with sha256 {digest[:12]}…, the project's catalogue says "
                    f"{expected[:12]}…; the release is not the one catalogued. Fix: point BOOK_DATA_MIRROR at the "
                    "catalogued release",
                )
            )
            continue
        if expected == digest:
            continue  # the file itself is checked against the same hash by check_resource
        target = root / relative
        if not target.is_file():
            problems.append(Problem(rid, where, "sha256sums", f"line {number}: {relative} is listed but missing"))
        elif sha256_file(target, use_cache=False) != digest:
            problems.append(
                Problem(rid, where, "sha256sums", f"line {number}: {relative} does not match its listed sha256")
            )
    for relative, (rid, _) in sorted(catalogued.items()):
        if relative not in listed and (root / relative).exists():
            problems.append(Problem(rid, where, "sha256sums", f"{relative} is catalogued but not listed"))
    return problems


def check_release(
    mirror: Path | str | None = None,
    datasets: list[str] | None = None,
    progress: Callable[[str, list[Problem]], None] | None = None,
) -> list[Problem]:
    """Check every catalogued resource (or `datasets`); returns all problems found (empty = valid)."""
    with using_mirror(mirror):
        if mirror is not None and not Path(mirror).is_dir():
            return [Problem("*", str(mirror), "missing-file", f"mirror folder {mirror} does not exist")]
        resources = catalogue.resources()
        if datasets:
            unknown = [d for d in datasets if d not in resources]
            if unknown:
                catalogue.resource(unknown[0])  # raises ParameterError with nearest ids
            resources = {k: v for k, v in resources.items() if k in datasets}
        from helpers.data import loaders

        loaders.clear_cache()  # never trust tables parsed from another release
        codes_by_year, ref_problem = _reference_codes()
        bibkeys = _bibkeys()
        problems: list[Problem] = []
        for rid, res in resources.items():
            found = check_resource(rid, res, codes_by_year, ref_problem, bibkeys)
            if rid == "municipalities" and codes_by_year is not None:
                from helpers.data import municipalities

                found += [
                    Problem(rid, str(municipalities.MERGERS_FILE), "mergers", msg)
                    for msg in municipalities.verify_mergers()
                ]
            problems += found
            if progress:
                progress(rid, found)
        try:
            root = paths.mirror_path()
        except MirrorNotFound:
            root = None  # reported above as missing files
        if root is not None:
            problems += check_sha256sums(root, resources, only_listed_resources=bool(datasets))
        loaders.clear_cache()
        return problems
