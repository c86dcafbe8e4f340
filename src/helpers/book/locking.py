"""One writer at a time: an advisory lock (``fcntl.flock``) on a file under .cache/locks/.

`build` and `reference` take the lock ``book`` (they write book/, .cache/runs, the published HTML
and notebooks/); `run` takes a lock named after its output folder. A second command waits for
the first and says so, rather than failing: the second build then finds the first one's runs
cached and has almost nothing left to do, and scripts that start two builds both succeed. The
operating system releases the lock when the holder exits, however it exits (a kill included),
so a stale lock cannot block anyone.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from helpers.paths import CACHE_DIR

LOCK_DIR = CACHE_DIR / "locks"


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return "another process"
    return text or "another process"


@contextlib.contextmanager
def exclusive(
    name: str, doing: str, log: Callable[[str], None] = lambda message: print(message, flush=True)
) -> Iterator[None]:
    """Hold the lock ``name`` while the block runs; wait (saying so) while someone else holds it."""
    LOCK_DIR.mkdir(parents=True, exist_ok=True)
    path = LOCK_DIR / f"{name}.lock"
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"waiting: {_holder(path)} holds the lock {path}; {doing} starts when it ends")
            started = time.monotonic()
            fcntl.flock(handle, fcntl.LOCK_EX)
            log(f"lock acquired after {time.monotonic() - started:.1f} s")
        handle.seek(0)
        handle.truncate()
        handle.write(f"{doing} (pid {os.getpid()})\n")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)


def book_lock(doing: str) -> contextlib.AbstractContextManager[None]:
    """The lock of everything `build` and `reference` write."""
    return exclusive("book", doing)


def output_lock(output: Path, doing: str) -> contextlib.AbstractContextManager[None]:
    """The lock of one output folder of `run` (its notebook, run record and chart-data/)."""
    key = hashlib.sha256(str(output.resolve().parent).encode()).hexdigest()[:16]
    return exclusive(f"run-{key}", doing)
