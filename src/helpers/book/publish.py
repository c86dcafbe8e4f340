"""Publish a built book in one atomic step, and tell whether the published book is still intact.

``book/_build/html`` is a symbolic link to one complete version under
``book/_build/html-versions/``. A new version is copied in full beside the others, then the link
is replaced by a new one with a single ``os.replace`` (an atomic rename): a reader, a web server
or a browser opening ``file://…/html/index.html`` sees either the old book or the new one, never
a mix and never "not found". The previous version is kept so that a reader who resolved the old
link a moment ago can still fetch its chart data; older versions are removed. A build killed at
any point leaves the link, and so the last good book, untouched (at worst an unfinished
``*.partial`` folder that the next publish removes).

A manifest outside the published folder (``.cache/published-book.json``) records which version is
published, the sha256 of each of its files and the fingerprint of the sources it was built from;
:func:`why_republish` compares all three, so a deleted or edited page is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

from helpers.book.filehash import FileHashes, sha256_of

VERSIONS_DIR_NAME = "html-versions"
KEEP_VERSIONS = 2  # the published one and the one before it (for readers mid-page)


def versions_dir(html_dir: Path) -> Path:
    return html_dir.with_name(VERSIONS_DIR_NAME)


def file_hashes(folder: Path, memo: FileHashes | None = None, written: bool = False) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``folder`` (``memo``: digests remembered by size and
    time; ``written``: the files were just written by this build, so remember them at once)."""
    hashes = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            if memo is None:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            elif written:
                digest = sha256_of(path)
                memo.remember(path, digest)
            else:
                digest = memo.sha256(path)
            hashes[path.relative_to(folder).as_posix()] = digest
    return hashes


def _read_manifest(manifest: Path) -> dict:
    try:
        document = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return document if isinstance(document, dict) else {}


def _write_manifest(manifest: Path, document: dict) -> None:
    manifest.parent.mkdir(parents=True, exist_ok=True)
    temporary = manifest.with_name(f"{manifest.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(document, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(temporary, manifest)


def _new_version_name(versions: Path) -> str:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    name = f"{stamp}-{time.time_ns() % 1_000_000_000:09d}"
    while (versions / name).exists():
        name += "x"
    return name


def publish(
    built: Path | dict[str, Path],
    html_dir: Path,
    manifest: Path,
    root_files: dict[str, bytes] | None = None,
    memo: FileHashes | None = None,
) -> Path:
    """Copy ``built`` into a new version and point ``html_dir`` at it atomically; returns the version.

    ``built`` is one built folder, or several published side by side (folder name -> built folder,
    e.g. the editions ``{"fi": ..., "sv": ..., "en": ...}``) with ``root_files`` beside them: the
    whole tree is the unit that is switched in."""
    versions = versions_dir(html_dir)
    versions.mkdir(parents=True, exist_ok=True)
    name = _new_version_name(versions)
    staging = versions / f"{name}.partial"
    if isinstance(built, Path):
        shutil.copytree(built, staging)
    else:
        staging.mkdir()
        for folder, source in built.items():
            shutil.copytree(source, staging / folder)
    for file_name, data in (root_files or {}).items():
        (staging / file_name).write_bytes(data)
    final = versions / name
    staging.replace(final)
    hashes = file_hashes(final, memo, written=True)  # the final paths: what the next build compares
    link = html_dir.with_name(f".{html_dir.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    link.symlink_to(Path(VERSIONS_DIR_NAME) / name)
    if html_dir.is_dir() and not html_dir.is_symlink():
        # The layout before versions: a real folder. Moving it aside is the one moment, once per
        # checkout, when the folder is absent.
        html_dir.replace(versions / "00000000T000000Z-unversioned")  # sorts first: pruned first
    os.replace(link, html_dir)
    document = _read_manifest(manifest)
    document.update({"version": name, "files": hashes})
    document.pop("fingerprint", None)  # set by record_fingerprint once the build is complete
    _write_manifest(manifest, document)
    prune(html_dir)
    return final


def record_fingerprint(manifest: Path, fingerprint: str) -> None:
    document = _read_manifest(manifest)
    document["fingerprint"] = fingerprint
    _write_manifest(manifest, document)


def published_version(html_dir: Path) -> str | None:
    """The version ``html_dir`` points at (None when it is not a link into the versions folder)."""
    if not html_dir.is_symlink():
        return None
    target = Path(os.readlink(html_dir))
    if target.parent != Path(VERSIONS_DIR_NAME):
        return None
    return target.name


def prune(html_dir: Path) -> list[str]:
    """Remove unfinished copies and all versions but the newest KEEP_VERSIONS; returns what went."""
    versions = versions_dir(html_dir)
    current = published_version(html_dir)
    finished = sorted(p.name for p in versions.iterdir() if p.is_dir() and not p.name.endswith(".partial"))
    keep = set(finished[-KEEP_VERSIONS:]) | ({current} if current else set())
    removed = []
    for leftover in html_dir.parent.glob(f".{html_dir.name}.link-*"):  # links of killed publishes
        leftover.unlink(missing_ok=True)
    for path in versions.iterdir():
        if path.name in keep:
            continue
        shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
        removed.append(path.name)
    return removed


def why_republish(html_dir: Path, manifest: Path, fingerprint: str, memo: FileHashes | None = None) -> str | None:
    """None when the published book is the one these sources make and intact; else the reason."""
    document = _read_manifest(manifest)
    if document.get("fingerprint") != fingerprint:
        return "the sources changed since the last build" if document else "no record of a published book"
    version = published_version(html_dir)
    if version is None or version != document.get("version"):
        return f"{html_dir.name} is not the version the last build published"
    recorded: dict[str, str] = document.get("files") or {}
    found = file_hashes(html_dir.resolve(), memo)
    missing = sorted(set(recorded) - set(found))
    changed = sorted(name for name in set(recorded) & set(found) if recorded[name] != found[name])
    added = sorted(set(found) - set(recorded))
    if not (missing or changed or added):
        return None
    parts = [
        f"{label} {', '.join(names[:3])}{' …' if len(names) > 3 else ''}"
        for label, names in (("missing", missing), ("changed", changed), ("not built", added))
        if names
    ]
    return "published files differ from the last build: " + "; ".join(parts)
