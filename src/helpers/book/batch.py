"""The batch engine: many (notebook, parameters) runs through papermill on warm kernels.

A naive run (one papermill call, one kernel start) spends seconds starting the kernel and
importing pandas and Altair for milliseconds of analysis. Here each worker keeps one kernel
warm and papermill executes against it through a registered engine (``ENGINE_NAME``), so
papermill still injects the parameters, writes its metadata and records a failed notebook.

Isolation: after every run ``helpers.book.kernel_state.reset`` restores the kernel to the
snapshot taken after start-up (names, module attributes, settings, working folder,
environment; random generators reseeded). When it cannot vouch for the result -- the run
imported a new module, left a thread running, timed out, killed the kernel, or restoring
raised -- the kernel is restarted before the next run instead. Modules a run imported are
remembered and preloaded by the restarted kernel, so a batch over one template restarts a
worker's kernel at most once or twice, then reuses it.

The worker side (warm kernels, the engine) is ``helpers.book.warm``; this module is what a
build needs to plan and collect runs, light to import.

``execute_run(spec) -> RunOutcome`` is the one function a worker runs; it takes and returns
plain picklable values (the template's text in, the executed notebook's and chart files'
bytes out), so the same function runs on the embedded thread pool (``run_batch`` with no
scheduler) or on a Dask distributed cluster (``run_batch(..., scheduler="tcp://...")``);
workers need the project installed and the data release at the same path.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

ENGINE_NAME = "book-warm-kernel"
KERNEL_NAME = "python3"
DEFAULT_TIMEOUT = 600.0


# ------------------------------------------------------------------------------ one run


@dataclass(frozen=True)
class RunSpec:
    """Everything a worker needs for one run; plain values, so it travels to a Dask worker."""

    key: str  # the cache key of the run
    label: str  # what messages call it, e.g. the page
    template_name: str  # the template's path from the repository root (recorded in metadata)
    template_text: str  # the template notebook itself
    parameters: dict[str, Any]
    cwd: str  # the kernel's working folder: the template's folder, same path on every worker
    output_name: str = ""  # where the executed notebook goes (recorded in metadata)
    preload: tuple[str, ...] = ()
    timeout: float | None = DEFAULT_TIMEOUT  # per cell, seconds
    environment: dict[str, str] = field(default_factory=dict)


@dataclass
class RunOutcome:
    key: str
    label: str
    ok: bool
    notebook: bytes  # the executed notebook (on failure: papermill's failed notebook, if any)
    chart_files: dict[str, bytes]
    datasets_read: list[str]
    error: str | None
    seconds: float  # the whole run in the worker
    kernel_seconds: float  # starting or restarting the kernel before this run
    execute_seconds: float  # papermill executing the notebook
    reset_seconds: float  # restoring the kernel afterwards
    kernel_events: list[str]
    learned_preload: list[str]
    worker: str
    untranslated: list[list[str]] = field(default_factory=list)  # [lang, message] that fell back to English


# The worker side lives in helpers.book.warm (papermill, nbclient, jupyter_client): imported on
# first use, so a build with nothing to execute stays light.


def execute_run(spec: RunSpec) -> RunOutcome:
    """Execute one run on this thread's warm kernel (see ``helpers.book.warm.execute_run``)."""
    from helpers.book import warm

    return warm.execute_run(spec)


def worker_kernel() -> Any:
    from helpers.book import warm

    return warm.worker_kernel()


def shutdown_worker_kernels() -> None:
    """Stop every warm kernel of this process."""
    import sys as _sys

    warm = _sys.modules.get("helpers.book.warm")
    if warm is not None:
        warm.shutdown_worker_kernels()


def template_imports(notebook_text: str) -> list[str]:
    """Modules a template imports at the top level of its code cells: what to preload."""
    import ast

    notebook = json.loads(notebook_text)
    names: list[str] = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        try:
            tree = ast.parse("".join(source) if isinstance(source, list) else source)
        except SyntaxError:  # IPython magics: the cell is left to the kernel
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.append(node.module)
                names += [f"{node.module}.{alias.name}" for alias in node.names]
    return list(dict.fromkeys(names))


# ---------------------------------------------------------------------- running many runs


def _local_outcomes(specs: list[RunSpec], workers: int) -> Iterator[RunOutcome]:
    from concurrent.futures import ThreadPoolExecutor, as_completed

    # Threads suffice: each thread drives its own kernel process, where the work happens.
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="book-batch")
    try:
        futures = [pool.submit(execute_run, spec) for spec in specs]
        for future in as_completed(futures):
            yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        shutdown_worker_kernels()


def _dask_outcomes(specs: list[RunSpec], scheduler: str) -> Iterator[RunOutcome]:
    from distributed import Client, as_completed

    try:
        client = Client(scheduler, timeout="20s")
    except OSError as error:
        from helpers.errors import BuildError

        raise BuildError(
            f"cannot reach the Dask scheduler at {scheduler} ({error}); start one with "
            "`dask scheduler` and its workers with `dask worker ADDRESS` (see the README)"
        ) from None
    with client:
        futures = client.map(execute_run, specs, pure=False, key=[f"book-run-{spec.key}" for spec in specs])
        by_key = {future.key: spec for future, spec in zip(futures, specs)}
        for future in as_completed(futures):
            spec = by_key[future.key]
            try:
                yield future.result()
            except Exception as failure:  # the worker itself died: report the run as failed
                yield RunOutcome(
                    spec.key,
                    spec.label,
                    False,
                    b"",
                    {},
                    [],
                    f"the Dask worker failed: {failure}",
                    0.0,
                    0.0,
                    0.0,
                    0.0,
                    [],
                    [],
                    "dask",
                )


def run_batch(
    specs: list[RunSpec],
    workers: int | None = None,
    scheduler: str | None = None,
    on_outcome: Callable[[RunOutcome], None] | None = None,
) -> list[RunOutcome]:
    """Execute every spec (locally on ``workers`` warm kernels, or on the Dask cluster at
    ``scheduler``); one failing run never stops the others. Outcomes come back in spec order."""
    if not specs:
        return []
    if scheduler:
        outcomes = _dask_outcomes(specs, scheduler)
    else:
        workers = workers or max(1, min(len(specs), os.cpu_count() or 1))
        outcomes = _local_outcomes(specs, workers)
    collected: dict[str, RunOutcome] = {}
    for outcome in outcomes:
        collected[outcome.key] = outcome
        if on_outcome is not None:
            on_outcome(outcome)
    return [collected[spec.key] for spec in specs]


# ----------------------------------------------------------------------------- progress


def is_plain_output(stream: Any = None) -> bool:
    """Plain lines in CI logs and pipes; a live bar on a terminal."""
    stream = stream or sys.stderr
    return os.environ.get("CI", "").lower() in ("1", "true", "yes") or not getattr(stream, "isatty", lambda: False)()


class Progress:
    """A tqdm bar (count, rate, ETA) on a terminal; one line per run otherwise. Errors: stderr."""

    def __init__(self, total: int, description: str, say: Callable[[str], None]) -> None:
        self.total, self.done, self.say = total, 0, say
        self.started = time.perf_counter()
        self.bar = None
        if not is_plain_output():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=description, unit="run", file=sys.stderr, dynamic_ncols=True)

    def update(self, label: str, message: str, failed: bool = False) -> None:
        self.done += 1
        line = f"  [{self.done}/{self.total}] {label}: {message}"
        if self.bar is not None:
            if failed:
                self.bar.write(line, file=sys.stderr)
            self.bar.update(1)
        elif failed:
            print(line, file=sys.stderr, flush=True)
        else:
            elapsed = time.perf_counter() - self.started
            rate = self.done / elapsed if elapsed else 0.0
            eta = (self.total - self.done) / rate if rate else 0.0
            self.say(f"{line}  ({rate:.1f} runs/s, ETA {eta:.0f} s)")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
