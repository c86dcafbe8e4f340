"""Shared helpers of the data-layer tests (imported by tests/test_data_*.py)."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest


def shared_mirror() -> Path:
    """The real data release (read-only). Tests fail, not skip, when it is not configured."""
    value = os.environ.get("BOOK_DATA_MIRROR", "")
    if not value or not Path(value).is_dir():
        pytest.fail("BOOK_DATA_MIRROR must point at the data release (e.g. /work/shared/data) for the data tests.")
    return Path(value)


def copy_mirror(dest: Path, only: list[str] | None = None) -> Path:
    """Copy the mirror (or some of its relative paths) into a tmp folder for corruption tests."""
    src = shared_mirror()
    dest.mkdir(parents=True, exist_ok=True)
    rels = only or [str(p.relative_to(src)) for p in src.rglob("*") if p.is_file()]
    for rel in rels:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / rel, target)
        target.chmod(0o644)
    return dest


def tree_digest(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under folder (to prove nothing changed)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
