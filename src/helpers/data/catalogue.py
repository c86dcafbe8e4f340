"""The data catalogue (data/datapackage.json, Frictionless Data Package) and what it says.

A refreshed data release carries its own datapackage.json; its resources override the repository
catalogue's entries of the same name (new checksums, retrieval time, query) and may add new ids.
That file lives inside the release, where anyone who can change a data file can change it too,
so it counts only when `data refresh` wrote it: refresh records the file's sha256 outside the
release (``.cache/trusted-release-catalogues.json``) after downloading, and a release catalogue
whose hash is not recorded there is refused. Every resource path must stay inside its release.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import time
from pathlib import Path

import pandas as pd

from helpers.data import paths
from helpers.errors import DataError, MirrorNotFound, ParameterError
from helpers.text import nearest_names

_cache: dict[str, tuple[tuple[int, int], dict]] = {}


def _read_json(path: Path) -> dict:
    st = path.stat()
    key = (st.st_size, st.st_mtime_ns)
    hit = _cache.get(str(path))
    if hit and hit[0] == key:
        return hit[1]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise DataError(f"{path} is not valid JSON ({exc}). Fix: restore it from version control.") from exc
    _cache[str(path)] = (key, data)
    return data


def package() -> dict:
    """The repository catalogue, as parsed JSON (do not modify the returned dict)."""
    path = paths.catalogue_path()
    if not path.is_file():
        raise DataError(
            f"The data catalogue {path} is missing. Fix: restore data/datapackage.json from version control."
        )
    return _read_json(path)


def _trusted() -> dict[str, dict]:
    try:
        document = json.loads(paths.trust_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return document if isinstance(document, dict) else {}


def _write_trusted(document: dict[str, dict]) -> None:
    target = paths.trust_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(document, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(temporary, target)


MAX_TRUSTED = 50


def trust_release_manifest(manifest: Path, dest: Path) -> str:
    """Record the sha256 of a release catalogue `data refresh` just wrote; returns the hash."""
    digest = hashlib.sha256(manifest.read_bytes()).hexdigest()
    document = _trusted()
    document[digest] = {"release": str(dest), "written": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    newest = sorted(document.items(), key=lambda item: item[1].get("written", ""))[-MAX_TRUSTED:]
    _write_trusted(dict(newest))
    return digest


def distrust_release_manifest(digest: str) -> None:
    document = _trusted()
    if document.pop(digest, None) is not None:
        _write_trusted(document)


def release_package(root: Path | None = None) -> dict | None:
    """The active release's own datapackage.json, if it has one and `data refresh` wrote it.

    A catalogue whose sha256 `data refresh` did not record (copied in, planted or edited after
    the refresh) raises DataError rather than letting it override the project's checksums.
    """
    if root is None:
        try:
            root = paths.mirror_path()
        except MirrorNotFound:
            return None
    manifest = Path(root) / paths.RELEASE_CATALOGUE
    if not manifest.is_file():
        return None
    digest = hashlib.sha256(manifest.read_bytes()).hexdigest()
    if digest not in _trusted():
        raise DataError(
            f"{manifest} is not a catalogue written by `data refresh` on this checkout (its sha256 {digest[:12]}… "
            f"is not recorded in {paths.trust_file()}), so its checksums are not trusted. Fix: remove it to use "
            "the project's catalogue (data/datapackage.json), or run `python -m helpers data refresh` to make a "
            "new release."
        )
    return _read_json(manifest)


def _checked_paths(entries: list[dict], where: Path) -> list[dict]:
    for entry in entries:
        if not paths.is_inside_release(entry.get("path")):
            raise DataError(
                f"{where}: resource {entry.get('name')!r} has path {str(entry.get('path'))[:200]!r}, which leaves "
                "its release (absolute, '..' or a drive); every path must be relative and inside the release. "
                f"Fix: restore {where.name} from version control or re-run `data refresh`."
            )
    return entries


_merged: list = []  # [(repository catalogue, release catalogue, mirror), merged resources]: the last merge


def resources(*, include_release: bool = True) -> dict[str, dict]:
    """Resource id -> catalogue entry, repository entries overridden by the active release's."""
    repository = package()
    rel = release_package() if include_release else None
    mirror = str(paths.mirror_path()) if rel else None
    # Both catalogues are parsed once per file version (``_read_json``): while both are the same
    # objects, the merge is too (a build validates hundreds of pages, each reading several ids).
    if _merged and _merged[0][0] is repository and _merged[0][1] is rel and _merged[0][2] == mirror:
        return dict(_merged[1])
    out = {r["name"]: r for r in _checked_paths(repository["resources"], paths.catalogue_path())}
    if rel:
        for r in _checked_paths(rel.get("resources", []), paths.mirror_path() / paths.RELEASE_CATALOGUE):
            merged = copy.deepcopy(out.get(r["name"], {}))
            merged.update(r)
            merged.setdefault("x-location", "mirror")
            out[r["name"]] = merged
    _merged[:] = [(repository, rel, mirror), out]
    return dict(out)


def dataset_ids(*, include_samples: bool = False) -> list[str]:
    return [k for k, r in resources().items() if include_samples or r.get("x-role") != "api-sample"]


def resource(dataset_id: str) -> dict:
    res = resources()
    if dataset_id not in res:
        near = nearest_names(dataset_id, res, cutoff=0.0)
        raise ParameterError(
            f"Unknown dataset id {dataset_id!r}. Nearest: {', '.join(near)}. "
            f"Valid ids: {', '.join(dataset_ids())}. (Fact tables must be listed in data/datapackage.json: "
            "run `python -m helpers data catalogue --update-facts`.)"
        )
    return res[dataset_id]


def resource_file(res: dict) -> Path:
    """Where the resource's file is: in the data release (mirror) or in the repository's data/."""
    if res.get("x-location") == "repo":
        return paths.repo_root() / "data" / res["path"]
    return paths.mirror_path() / res["path"]


def expected_sha256(res: dict) -> str | None:
    h = res.get("hash")
    if not h:
        return None
    return h.split(":", 1)[1] if h.startswith("sha256:") else h


def describe(dataset_id: str, *, raw: bool = False) -> pd.DataFrame:
    """Column docs of a dataset as `load()` returns it (raw=True: as in the file): name, type, description, unit."""
    res = resource(dataset_id)
    schema = res.get("schema", {}) if raw else res.get("x-tidy-schema") or res.get("schema", {})
    rows = [
        {
            "name": f["name"],
            "type": f.get("type", "string"),
            "description": f.get("description", ""),
            "unit": f.get("x-unit", ""),
        }
        for f in schema.get("fields", [])
    ]
    df = pd.DataFrame(rows, columns=["name", "type", "description", "unit"])
    df.attrs["dataset_id"] = dataset_id
    df.attrs["title"] = res.get("title", "")
    return df


def _licence_text(res: dict) -> str:
    return "; ".join(lic.get("name", lic.get("title", "")) for lic in res.get("licenses", []))


def catalogue_table(*, include_samples: bool = False) -> pd.DataFrame:
    """One row per dataset for the book's "Data and sources" page (works without the mirror)."""
    rows = []
    for rid, res in resources().items():
        if res.get("x-role") == "api-sample" and not include_samples:
            continue
        sources = res.get("sources", [])
        sha = expected_sha256(res) or ""
        rows.append(
            {
                "id": rid,
                "title": res.get("title", ""),
                "attribution": res.get("x-attribution", ""),
                "licence": _licence_text(res),
                "official_source": sources[0].get("path", "") if sources else "",
                "source_count": len(sources),
                "location": res.get("x-location", "mirror"),
                "file": res.get("path", ""),
                "rows": res.get("x-rows", res.get("x-topojson", {}).get("geometries")),
                "bytes": res.get("bytes"),
                "sha256_short": sha[:12],
                "retrieved": res.get("x-retrieved", ""),
            }
        )
    df = pd.DataFrame(rows)
    df["rows"] = df["rows"].astype("Int64")
    df["bytes"] = df["bytes"].astype("Int64")
    return df
