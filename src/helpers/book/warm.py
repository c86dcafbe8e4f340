"""Warm kernels and the papermill engine that executes on them (the worker side of the batch engine).

Imported only where runs execute (a local worker thread or a Dask worker), so a build with
nothing to run never pays for papermill, nbclient and jupyter_client. See ``helpers.book.batch``.
"""

from __future__ import annotations

import ast
import atexit
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import nbformat
import papermill
from jupyter_client import BlockingKernelClient
from jupyter_client.session import Session
from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.utils import remove_args

from helpers.book.batch import ENGINE_NAME, KERNEL_NAME, RunOutcome, RunSpec
from helpers.book.kernels import LocalKernelManager

STATE_MODULE = "helpers.book.kernel_state"
# The kernel keeps no input history: runs are not interactive sessions, and two kernels writing
# one history database only slow each other down.
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]
ALWAYS_PRELOAD = ("json", "pandas", "numpy", "altair", "helpers", "helpers.data")
CAPTURE_TIMEOUT = 300.0  # importing the preload on a busy machine


# ------------------------------------------------------------------------------ the warm kernel


class KernelStateError(RuntimeError):
    """The control code in a warm kernel failed (the kernel is restarted)."""


def _silent(_message: dict) -> None:
    pass


class WarmKernel:
    """One kernel kept running between runs, with the state snapshot it is reset to."""

    def __init__(self, preload: Iterable[str] = (), startup_timeout: float = 60.0) -> None:
        self.preload: list[str] = list(dict.fromkeys([*ALWAYS_PRELOAD, STATE_MODULE, *preload]))
        self.startup_timeout = startup_timeout
        self.km: LocalKernelManager | None = None
        self.control: BlockingKernelClient | None = None
        self.client: Any = None  # the AsyncKernelClient papermill's engine executes through
        self.last_notebook: Any = None  # the notebook being executed (kept for a failure record)
        self.needs_restart: list[str] = []
        self.starts = 0
        self.warmup_datasets: list[str] = []
        self.events: list[str] = []

    # -- life cycle
    def start(self) -> float:
        started = time.perf_counter()
        km = LocalKernelManager(kernel_name=KERNEL_NAME)

        async def launch() -> None:
            await km.start_kernel(extra_arguments=KERNEL_ARGUMENTS)

        run_sync(launch)()
        # A session of its own: a client sharing the manager's session id would share its socket
        # identity with nbclient's client, and the kernel would send our replies to theirs.
        info = km.get_connection_info(session=False)
        session = Session(key=info.pop("key"), signature_scheme=info.pop("signature_scheme"))
        # parent=km: "is it alive" asks the process, not a heartbeat that a busy machine delays.
        control = BlockingKernelClient(**info, session=session, parent=km)
        control.start_channels()
        control.wait_for_ready(timeout=self.startup_timeout)
        # One notebook client for every run: connecting a new one costs ~0.2 s per run.
        client = km.client()
        client.start_channels()

        async def ready() -> None:
            await client.wait_for_ready(timeout=self.startup_timeout)

        run_sync(ready)()
        self.km, self.control, self.client = km, control, client
        report = self.call(
            f"__import__({STATE_MODULE!r}, fromlist=['capture']).capture({self.preload!r})", timeout=CAPTURE_TIMEOUT
        )
        self.warmup_datasets = list(report.get("warmup_datasets", []))
        self.starts += 1
        self.needs_restart = []
        return time.perf_counter() - started

    def shutdown(self) -> None:
        km, control, client = self.km, self.control, self.client
        self.km = self.control = self.client = None
        for channels in (control, client):
            if channels is not None:
                channels.stop_channels()
        if km is not None:

            async def stop() -> None:
                await km.shutdown_kernel(now=True)

            try:
                run_sync(stop)()
            except Exception:  # the kernel may already be gone; its folder is cleaned below
                pass

    def ensure_ready(self, preload: Iterable[str] = ()) -> float:
        """Start or restart the kernel when needed; return the seconds that took."""
        wanted = [name for name in preload if name not in self.preload]
        self.preload = list(dict.fromkeys([*self.preload, *preload]))
        if self.km is not None and not self.needs_restart and run_sync(self._alive)():
            if wanted:
                # The kernel is back in its snapshot (the last reset was clean): import what this
                # run's template needs and take the snapshot again, as a fresh start would.
                started = time.perf_counter()
                report = self.call(
                    f"__import__({STATE_MODULE!r}, fromlist=['capture']).capture({wanted!r})", timeout=CAPTURE_TIMEOUT
                )
                self.warmup_datasets = sorted({*self.warmup_datasets, *report.get("warmup_datasets", [])})
                return time.perf_counter() - started
            return 0.0
        if self.km is not None:
            self.events.append("restarted: " + ("; ".join(self.needs_restart) or "kernel died"))
            self.shutdown()
        return self.start()

    async def _alive(self) -> bool:
        assert self.km is not None
        return bool(await self.km.is_alive())

    # -- control calls, outside the notebook's history and execution count
    def call(self, expression: str, timeout: float = 60.0) -> dict:
        assert self.control is not None
        reply = self.control.execute_interactive(
            "",
            silent=False,
            store_history=False,
            user_expressions={"result": expression},
            timeout=timeout,
            output_hook=_silent,
        )
        result = reply["content"].get("user_expressions", {}).get("result", {})
        if result.get("status") != "ok":
            raise KernelStateError(f"{expression}: {result.get('ename')}: {result.get('evalue')}")
        return json.loads(ast.literal_eval(result["data"]["text/plain"]))

    def prepare(self, cwd: str, environment: dict[str, str]) -> None:
        self.call(f"__import__({STATE_MODULE!r}, fromlist=['prepare']).prepare({cwd!r}, {environment!r}) or 'null'")

    def finish(self) -> tuple[list[str], list[list[str]]]:
        """The datasets the run read and its messages that fell back to English, then the snapshot
        restored (see ``reset``)."""
        report = self.reset()
        return list(report.get("datasets_read", [])), list(report.get("untranslated", []))

    def reset(self) -> dict:
        """Restore the snapshot; when that is not provably clean, restart before the next run."""
        try:
            report = self.call(f"__import__({STATE_MODULE!r}, fromlist=['reset']).reset()")
        except Exception as error:
            report = {"clean": False, "reasons": [f"reset failed: {error}"], "new_modules": [], "datasets_read": []}
        self.last_reset = report
        if not report["clean"]:
            self.preload = list(dict.fromkeys([*self.preload, *report.get("new_modules", [])]))
            self.needs_restart = list(report["reasons"])
        return report


_local = threading.local()
_all_kernels: list[WarmKernel] = []
_kernels_lock = threading.Lock()


def _shutdown_all() -> None:
    with _kernels_lock:
        kernels = list(_all_kernels)
        _all_kernels.clear()
    for kernel in kernels:
        kernel.shutdown()


atexit.register(_shutdown_all)


def worker_kernel() -> WarmKernel:
    """This thread's warm kernel (a worker thread of the local pool or of a Dask worker)."""
    kernel = getattr(_local, "kernel", None)
    if kernel is None:
        kernel = _local.kernel = WarmKernel()
        with _kernels_lock:
            _all_kernels.append(kernel)
    return kernel


def shutdown_worker_kernels() -> None:
    """Stop every warm kernel of this process (the local pool calls it when a batch ends)."""
    _shutdown_all()
    _local.__dict__.clear()


# ------------------------------------------------------------------------ the papermill engine


class WarmKernelEngine(NBClientEngine):
    """papermill's nbclient engine, executing against an already running kernel."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        warm_kernel: WarmKernel | None = None,
        **kwargs,
    ):
        if warm_kernel is None or warm_kernel.km is None:
            raise ValueError(f"the {ENGINE_NAME} engine needs warm_kernel=WarmKernel (started)")
        kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
        warm_kernel.last_notebook = nb_man.nb
        client = PapermillNotebookClient(
            nb_man,
            km=warm_kernel.km,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
            **kwargs,
        )
        client.kc = warm_kernel.client  # nbclient's constructor clears it; set it after
        return client.execute()


papermill_engines.register(ENGINE_NAME, WarmKernelEngine)


def _hide_injected_parameters(notebook: nbformat.NotebookNode) -> None:
    """Tag papermill's injected-parameters cell so the book hides it (readers see the defaults)."""
    for cell in notebook.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")


def _finish_notebook(path: Path, spec: RunSpec, datasets: list[str]) -> bytes:
    notebook = nbformat.read(path, as_version=4)
    _hide_injected_parameters(notebook)
    # papermill records the worker's temporary paths; record the logical ones, so a run reads
    # the same wherever it executed.
    notebook.metadata.setdefault("papermill", {})
    notebook.metadata["papermill"]["input_path"] = spec.template_name
    notebook.metadata["papermill"]["output_path"] = spec.output_name
    notebook.metadata["book_run"] = {"datasets_read": datasets}
    return nbformat.writes(notebook).encode("utf-8")


def execute_run(spec: RunSpec) -> RunOutcome:
    """Execute one run on this thread's warm kernel; never raises for a failing notebook."""
    started = time.perf_counter()
    kernel = worker_kernel()
    events_before = len(kernel.events)
    kernel_seconds = execute_seconds = reset_seconds = 0.0
    error: str | None = None
    datasets: list[str] = []
    untranslated: list[list[str]] = []
    notebook_bytes = b""
    chart_files: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="book-run-") as folder:
        work = Path(folder)
        template, output, chart_dir = work / "template.ipynb", work / "notebook.ipynb", work / "chart-data"
        template.write_text(spec.template_text, encoding="utf-8")
        chart_dir.mkdir()
        kernel.last_notebook = None
        try:
            kernel_seconds = kernel.ensure_ready(spec.preload)
            kernel.prepare(spec.cwd, {**spec.environment, "BOOK_CHART_DATA_DIR": str(chart_dir)})
        except Exception as error_starting:
            kernel.needs_restart = [f"could not start or prepare: {error_starting}"]
            error = f"the kernel could not start: {type(error_starting).__name__}: {error_starting}"
        if error is None:
            execute_started = time.perf_counter()
            try:
                papermill.execute_notebook(
                    str(template),
                    str(output),
                    parameters=spec.parameters,
                    engine_name=ENGINE_NAME,
                    kernel_name=KERNEL_NAME,
                    progress_bar=False,
                    request_save_on_cell_execute=False,
                    execution_timeout=spec.timeout,
                    warm_kernel=kernel,
                )
            except papermill.PapermillExecutionError as failure:
                error = f"cell {failure.exec_count}: {failure.ename}: {failure.evalue}"
            except Exception as failure:  # a timeout or a dead kernel: this kernel is not reused
                kind = "timed out" if isinstance(failure, TimeoutError) else "failed"
                last_line = (str(failure).strip().splitlines() or [""])[-1]
                error = f"{kind}: {type(failure).__name__}: {last_line}"
                kernel.needs_restart = [f"the previous run {kind}"]
            execute_seconds = time.perf_counter() - execute_started
            reset_started = time.perf_counter()
            if not kernel.needs_restart:
                read, untranslated = kernel.finish()
                datasets = sorted(set(read) | set(kernel.warmup_datasets))
            reset_seconds = time.perf_counter() - reset_started
        if not output.exists() and kernel.last_notebook is not None and error is not None:
            # papermill saves a failed notebook itself, but not one whose cell timed out
            nbformat.write(kernel.last_notebook, output)
        if output.exists():
            notebook_bytes = _finish_notebook(output, spec, datasets)
        elif error is None:
            error = "papermill wrote no notebook"
        chart_files = {path.name: path.read_bytes() for path in sorted(chart_dir.iterdir()) if path.is_file()}
    return RunOutcome(
        key=spec.key,
        label=spec.label,
        ok=error is None,
        notebook=notebook_bytes,
        chart_files=chart_files,
        datasets_read=datasets,
        error=error,
        seconds=time.perf_counter() - started,
        kernel_seconds=kernel_seconds,
        execute_seconds=execute_seconds,
        reset_seconds=reset_seconds,
        kernel_events=kernel.events[events_before:]
        + ([f"restart pending: {kernel.needs_restart}"] if kernel.needs_restart else []),
        learned_preload=list(kernel.preload),
        worker=f"{os.uname().nodename}:{os.getpid()}:{threading.current_thread().name}",
        untranslated=untranslated,
    )
