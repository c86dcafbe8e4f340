"""sha256 of the build's files, remembered by (size, mtime) so that an unchanged file is not read.

A no-change rebuild compares thousands of files (run notebooks against the editions' sources, the
sources' fingerprint, the published files against the last build's): reading them all costs
seconds, looking at their sizes and times costs milliseconds. Like ``make`` and Sphinx, a file
whose size and modification time are unchanged is taken as unchanged. A file modified less than
``RACY_SECONDS`` ago is hashed but not remembered: a second write within the clock's resolution
could otherwise keep both its size and its time (git calls these "racily clean" entries). Files
the build writes itself are remembered with the digest of what it wrote (``remember``).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from helpers.data.hashing import sha256_of  # the data layer's streaming sha256 (``sha256_of`` is re-exported)

RACY_SECONDS = 2.0


def stat_key(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns


def files_under(folder: Path, skip: frozenset[str] | set[str] = frozenset()) -> list[Path]:
    """Every file under ``folder``, sorted, not descending into top-level entries named in ``skip``
    (book/_build holds the published versions: tens of thousands of files no source check needs)
    nor into ``.ipynb_checkpoints``."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        top = root == str(folder)
        dirs[:] = [name for name in dirs if name != ".ipynb_checkpoints" and not (top and name in skip)]
        found.extend(Path(root, name) for name in files if not (top and name in skip))
    return sorted(found)


class FileHashes:
    """A memo of file digests kept in one JSON file (path -> [size, mtime_ns, sha256]).

    ``save`` keeps only the entries looked up since loading, so the memo holds what the last
    build compared and does not grow with files that are gone."""

    def __init__(self, store: Path | None = None) -> None:
        self.store = store
        self._known: dict[str, list] = {}
        self._used: dict[str, list] = {}
        self.hashed = 0  # files read, for tests and benchmarks
        if store is not None:
            try:
                loaded = json.loads(store.read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    self._known = loaded
            except (OSError, ValueError):
                pass  # no memo yet, or a damaged one: hash everything once

    def sha256(self, path: Path) -> str:
        key = str(path)
        size, mtime_ns = stat_key(path)
        entry = self._known.get(key)
        if not (isinstance(entry, list) and len(entry) == 3 and entry[0] == size and entry[1] == mtime_ns):
            entry = [size, mtime_ns, sha256_of(path)]
            self.hashed += 1
            if time.time_ns() - mtime_ns < RACY_SECONDS * 1e9:
                self._used.pop(key, None)
                return entry[2]
            self._known[key] = entry
        self._used[key] = entry
        return entry[2]

    def remember(self, path: Path, digest: str) -> None:
        """Record the digest of a file this build has just written (its content is known)."""
        size, mtime_ns = stat_key(path)
        self._known[str(path)] = self._used[str(path)] = [size, mtime_ns, digest]

    def same_content(self, first: Path, second: Path) -> bool:
        """Whether two files have equal contents (sizes first: a different size needs no hashing)."""
        try:
            if os.stat(first).st_size != os.stat(second).st_size:
                return False
        except FileNotFoundError:
            return False
        return self.sha256(first) == self.sha256(second)

    def save(self) -> None:
        if self.store is None:
            return
        try:
            self.store.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.store.with_name(f"{self.store.name}.{os.getpid()}.tmp")
            temporary.write_text(json.dumps(self._used, separators=(",", ":")), encoding="utf-8")
            os.replace(temporary, self.store)
        except OSError:
            pass  # a read-only cache only costs the hashing next time
