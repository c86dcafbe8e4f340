"""Committed fact tables (data/facts/*.csv): register them in the catalogue, refresh their hashes.

`python -m helpers data catalogue --update-facts` runs `update_fact_tables()`: every CSV under
data/facts/ gets (or keeps) a catalogue resource with x-location "repo", its sha256, size, row
count and a Table Schema derived from its header and values. Hand-written descriptions, titles
and units in existing entries are kept; only derived parts are recomputed.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import os
import re
from pathlib import Path

from helpers.data import paths
from helpers.errors import DataError

FACTS_DIR = "facts"

_KNOWN_DESCRIPTIONS = {
    "source": "Citation of the publication the value is transcribed from",
    "bibkey": "Key(s) of the source in data/references.bib (several separated by ';')",
    "note": "Transcriber's note: scope, caveats, differences between sources",
    "notes": "Transcriber's notes",
    "qualifier": "Qualifier of the value as published (e.g. 'up to', 'about')",
    "unit": "Unit of the value",
    "value": "Value as published",
    "year": "Year the value refers to",
    "municipality_code": "Municipality code, 3-digit zero-padded",
    "name_fi": "Name in Finnish",
    "name_sv": "Name in Swedish",
}


def _infer_type(name: str, values: list[str]) -> str:
    vals = [v for v in values if v != ""]
    if name.endswith("_code") or name in ("code", "bibkey", "source") or not vals:
        return "string"
    if all(re.fullmatch(r"[+-]?\d+", v) for v in vals) and not any(re.fullmatch(r"0\d+", v) for v in vals):
        return "integer"
    try:
        for v in vals:
            float(v)
        return "number"
    except ValueError:
        return "string"


def derive_resource(csv_path: Path, existing: dict | None = None) -> dict:
    """A catalogue resource for one fact table, keeping hand-written fields of `existing`."""
    raw = csv_path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{csv_path} is not UTF-8 ({exc}). Fix: save it as UTF-8.") from exc
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise DataError(f"{csv_path} is empty. Fix: add a header row with at least `source` and `bibkey`.")
    header, body = rows[0], rows[1:]
    res = copy.deepcopy(existing) if existing else {}
    old_fields = {f["name"]: f for f in (res.get("schema") or {}).get("fields", [])}
    fields = []
    for i, name in enumerate(header):
        values = [r[i] if i < len(r) else "" for r in body]
        field = {
            "name": name,
            "type": _infer_type(name, values),
            "description": old_fields.get(name, {}).get("description")
            or _KNOWN_DESCRIPTIONS.get(name, name.replace("_", " ")),
        }
        for extra in ("x-unit",):
            if extra in old_fields.get(name, {}):
                field[extra] = old_fields[name][extra]
        cons: dict[str, object] = {}
        if name in ("source",) or (i == 0 and name.endswith("_id")):
            cons["required"] = True
        if name == "municipality_code":
            cons["pattern"] = "^[0-9]{3}$"
            field["x-municipality-code"] = True
        if cons:
            field["constraints"] = cons
        fields.append(field)
    stem = csv_path.stem
    schema: dict[str, object] = {"fields": fields}
    first = header[0] if header else None
    if first and (first.endswith("_id") or first == "term_id"):
        firsts = [r[0] for r in body if r]
        if len(set(firsts)) == len(firsts):
            schema["primaryKey"] = [first]
    res.update(
        {
            "name": res.get("name", stem),
            "title": res.get("title") or f"Fact table: {stem.replace('_', ' ')}",
            "description": res.get("description")
            or "Figures transcribed from published sources, each row with its citation (source, bibkey).",
            "path": f"{FACTS_DIR}/{csv_path.name}",
            "x-location": "repo",
            "x-loader": "fact_table",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "hash": "sha256:" + hashlib.sha256(raw).hexdigest(),
            "bytes": len(raw),
            "x-rows": len(body),
            "schema": schema,
            "sources": res.get("sources")
            or [{"title": "See the source and bibkey columns (data/references.bib)", "path": "data/references.bib"}],
            "licenses": res.get("licenses")
            or [
                {
                    "name": "CC-BY-4.0",
                    "title": "Transcribed figures; cite the original publishers",
                    "path": "https://creativecommons.org/licenses/by/4.0/",
                }
            ],
            "x-attribution": res.get("x-attribution") or "Publishers as cited in each row",
        }
    )
    if stem == "glossary":
        res["x-role"] = "glossary"
    return res


def update_fact_tables(*, write: bool = True) -> list[str]:
    """Register/refresh every data/facts/*.csv in data/datapackage.json; returns what changed."""
    cat_path = paths.catalogue_path()
    package = json.loads(cat_path.read_text(encoding="utf-8"))
    facts_dir = cat_path.parent / FACTS_DIR
    files = sorted(facts_dir.glob("*.csv")) if facts_dir.is_dir() else []
    by_path = {r["path"]: r for r in package["resources"] if r.get("x-location") == "repo"}
    changes: list[str] = []
    new_repo = []
    for f in files:
        rel = f"{FACTS_DIR}/{f.name}"
        old = by_path.get(rel)
        res = derive_resource(f, old)
        if old is None:
            changes.append(f"added {res['name']} ({rel}, {res['x-rows']} rows)")
        elif old != res:
            what = "hash" if old.get("hash") != res["hash"] else "schema/metadata"
            changes.append(f"updated {res['name']} ({rel}): {what}")
        new_repo.append(res)
    present = {f"{FACTS_DIR}/{f.name}" for f in files}
    for rel, old in by_path.items():
        if rel not in present:
            changes.append(f"removed {old['name']} ({rel}: file no longer exists)")
    package["resources"] = [r for r in package["resources"] if r.get("x-location") != "repo"] + new_repo
    if write and changes:
        tmp = cat_path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, cat_path)
    return changes
