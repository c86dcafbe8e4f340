"""SHA-256 of data files, remembered per (path, size, mtime_ns) so unchanged files hash once."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

from helpers.data.paths import cache_dir

_memory: dict[tuple[str, int, int], str] = {}
_lock = threading.Lock()
_disk_loaded = False
_DISK_NAME = "verified-hashes.json"


def _key(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return (str(path.resolve()), st.st_size, st.st_mtime_ns)


def _disk_file() -> Path:
    return cache_dir() / _DISK_NAME


def _load_disk() -> None:
    global _disk_loaded
    if _disk_loaded:
        return
    _disk_loaded = True
    try:
        rows = json.loads(_disk_file().read_text(encoding="utf-8"))
        for path, size, mtime_ns, digest in rows:
            _memory.setdefault((path, int(size), int(mtime_ns)), digest)
    except (OSError, ValueError, TypeError):
        pass


def _save_disk() -> None:
    try:
        target = _disk_file()
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps([[*k, v] for k, v in _memory.items()]), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        pass  # a read-only checkout still works, just without the cross-process cache


def sha256_file(path: Path, *, use_cache: bool = True) -> str:
    """Hex SHA-256 of a file; cached on (resolved path, size, mtime_ns) in memory and on disk."""
    path = Path(path)
    if not use_cache:
        return sha256_of(path)
    key = _key(path)
    with _lock:
        _load_disk()
        hit = _memory.get(key)
    if hit:
        return hit
    digest = sha256_of(path)
    with _lock:
        _memory[key] = digest
        _save_disk()
    return digest


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
