"""Build the book: validate every run, execute what changed with papermill, build with Jupyter Book.

Execution is separate from rendering. Each notebook run is keyed on the notebook's source,
its parameters, the data checksums and the code of ``helpers``; a run whose key is cached is
reused, so a rebuild with nothing changed executes nothing. Jupyter Book builds into a
working folder and the finished HTML is swapped into ``book/_build/html`` only when the
build succeeded, so a failed run or build leaves the last good book in place.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from helpers.book import publish
from helpers.book import record as run_record
from helpers.book.kernels import KERNEL_MANAGER_CLASS
from helpers.book.locking import book_lock
from helpers.book.params import validate_parameters
from helpers.book.runplan import Page, RunPlan, load_run_plan, toc_text
from helpers.chapters.numbering import CHAPTER_NUMBER_ENV
from helpers.errors import BuildError, ParameterError
from helpers.paths import BOOK_DIR, CACHE_DIR, REPO_ROOT

RUNS_DIR = CACHE_DIR / "runs"
EXTRA_DIR = BOOK_DIR / "_extra"
FAVICON_ICO = BOOK_DIR / "_static" / "favicon.ico"  # favicon.svg as a 32x32 PNG in an ICO container
HTML_DIR = BOOK_DIR / "_build" / "html"
WORK_BUILD_DIR = CACHE_DIR / "jupyter-book"
PUBLISHED_MANIFEST = CACHE_DIR / "published-book.json"
NODE_MODULES = REPO_ROOT / "node_modules"
REQUIRE_JS = NODE_MODULES / "requirejs" / "require.js"
HTML_MANAGER_DIST = NODE_MODULES / "@jupyter-widgets" / "html-manager" / "dist"


def widget_script_files() -> dict[str, Path]:
    """require.js and the widget html-manager (with the font files it loads beside itself)."""
    files = {"require.min.js": REQUIRE_JS}
    if HTML_MANAGER_DIST.exists():
        for path in HTML_MANAGER_DIST.iterdir():
            if path.suffix in (".woff", ".woff2", ".ttf", ".eot", ".svg") or path.name == "embed-amd.js":
                files[path.name] = path
    return files


def say(message: str) -> None:
    print(message, flush=True)


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def notebook_source_hash(path: Path) -> str:
    """Hash what a run depends on in a notebook: its cells' sources and types, not its outputs."""
    notebook = nbformat.read(path, as_version=4)
    cells = [(cell.cell_type, cell.source, sorted(cell.get("metadata", {}).get("tags", []))) for cell in notebook.cells]
    return _sha256_bytes(json.dumps([cells, notebook.metadata.get("book", {})], sort_keys=True).encode())


def code_hash() -> str:
    """Hash the package's code and the lock: a changed helper re-executes the notebooks using it."""
    digest = hashlib.sha256()
    for path in sorted((REPO_ROOT / "src" / "helpers").rglob("*")):
        if path.suffix in (".py", ".csv", ".json", ".yml") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(REPO_ROOT)).encode())
            digest.update(path.read_bytes())
    for extra in ("uv.lock",):
        digest.update((REPO_ROOT / extra).read_bytes())
    for path in sorted((REPO_ROOT / "data").rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(REPO_ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def run_key(
    page: Page,
    parameters: dict[str, Any],
    data_checksums: dict[str, str],
    code: str,
    chapter_number: int | None = None,
) -> str:
    material = {
        "notebook": page.notebook,
        "source": notebook_source_hash(page.notebook_path),
        "parameters": parameters,
        "data": data_checksums,
        "code": code,
        "chapter_number": chapter_number,  # moving a page in the run plan renumbers its figures
    }
    return _sha256_bytes(json.dumps(material, sort_keys=True, default=str).encode())[:20]


@dataclass
class RunResult:
    page: Page
    parameters: dict[str, Any]
    key: str
    folder: Path
    seconds: float
    cached: bool
    executed_at: str


def hide_injected_parameters(path: Path) -> None:
    """Tag papermill's injected-parameters cell so the book hides it (readers see the defaults cell)."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
    nbformat.write(notebook, path)


def execute_notebook(
    notebook_path: Path,
    output_path: Path,
    parameters: dict[str, Any],
    chart_data_dir: Path,
    log: Callable[[str], None] = say,
) -> float:
    """Run one notebook with papermill (kernel python3) and return its duration in seconds."""
    import papermill

    chart_data_dir.mkdir(parents=True, exist_ok=True)
    previous = os.environ.get("BOOK_CHART_DATA_DIR")
    os.environ["BOOK_CHART_DATA_DIR"] = str(chart_data_dir)
    started = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(notebook_path),
            str(output_path),
            parameters=parameters,
            kernel_name="python3",
            cwd=str(notebook_path.parent),
            progress_bar=False,
            request_save_on_cell_execute=False,
            kernel_manager_class=KERNEL_MANAGER_CLASS,
        )
    except papermill.PapermillExecutionError as error:
        raise BuildError(
            f"{notebook_path.name} failed in cell {error.exec_count}: {error.ename}: {error.evalue}\n"
            f"  the partly executed notebook is at {output_path}; the last good book is unchanged"
        ) from None
    finally:
        if previous is None:
            os.environ.pop("BOOK_CHART_DATA_DIR", None)
        else:
            os.environ["BOOK_CHART_DATA_DIR"] = previous
    hide_injected_parameters(output_path)
    return time.perf_counter() - started


def validate_plan(plan: RunPlan) -> dict[str, dict[str, Any]]:
    """Validate every page's parameters before any kernel starts, each by its chapter's ``validate``."""
    validated = {}
    for page in plan.notebook_pages():
        validated[page.page] = validate_parameters(page.notebook_path, page.parameters, page.chapter)
    return validated


def _execute_run(page_notebook: str, given: dict[str, Any], staging: str, chapter_number: int | None = None) -> float:
    """Worker: execute one notebook into its staging folder (runs in a separate process).

    The page's chapter number (its position in the run plan, '' when unnumbered) reaches the kernel
    in BOOK_CHAPTER_NUMBER; this worker process is the run's own, so the setting ends with it.
    """
    os.environ[CHAPTER_NUMBER_ENV] = "" if chapter_number is None else str(chapter_number)
    staging_path = Path(staging)
    return execute_notebook(
        REPO_ROOT / page_notebook, staging_path / "notebook.ipynb", given, staging_path / "chart-data"
    )


def run_pages(
    plan: RunPlan, validated: dict[str, dict[str, Any]], data_checksums: dict[str, str], workers: int | None = None
) -> list[RunResult]:
    """Reuse cached runs; execute the others, two at a time on these 2-core machines."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    code = code_hash()
    pages = plan.notebook_pages()
    numbers = plan.chapter_numbers()
    results: dict[str, RunResult] = {}
    pending: list[tuple[Page, str]] = []
    for index, page in enumerate(pages, start=1):
        key = run_key(page, validated[page.page], data_checksums, code, numbers.get(page.page))
        meta_path = RUNS_DIR / key / "run.json"
        if meta_path.exists():
            meta = json.loads(meta_path.read_text())
            say(f"[{index}/{len(pages)}] {page.page}: up to date (run {key[:8]}, executed {meta['executed_at']})")
            results[page.page] = RunResult(
                page, validated[page.page], key, RUNS_DIR / key, meta["seconds"], True, meta["executed_at"]
            )
        else:
            pending.append((page, key))
    if pending:
        workers = workers or max(1, min(len(pending), os.cpu_count() or 1, 2))
        say(f"executing {len(pending)} notebook(s), {workers} at a time ...")
        failures = []
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {}
            for page, key in pending:
                staging = RUNS_DIR / f"{key}.partial"
                shutil.rmtree(staging, ignore_errors=True)
                staging.mkdir(parents=True)
                typed = {name: validated[page.page][name] for name in page.parameters}
                run = pool.submit(_execute_run, page.notebook, typed, str(staging), numbers.get(page.page))
                futures[run] = (page, key, staging)
            for future in as_completed(futures):
                page, key, staging = futures[future]
                try:
                    seconds = future.result()
                except BuildError as error:
                    say(f"  {page.page}: FAILED")
                    failures.append(str(error))
                    continue
                executed_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
                meta = {
                    "page": page.page,
                    "notebook": page.notebook,
                    "parameters": validated[page.page],
                    "seconds": round(seconds, 2),
                    "executed_at": executed_at,
                    "key": key,
                }
                (staging / "run.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False))
                folder = RUNS_DIR / key
                shutil.rmtree(folder, ignore_errors=True)
                staging.replace(folder)
                say(f"  {page.page}: executed in {seconds:.1f} s")
                results[page.page] = RunResult(page, validated[page.page], key, folder, seconds, False, executed_at)
        if failures:
            raise BuildError("\n".join(failures))
    return [results[page.page] for page in pages]


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
    return True


def _sync_folder(target: Path, files: dict[str, bytes]) -> int:
    """Make ``target`` hold exactly ``files`` (name -> content); return how many changed."""
    changed = 0
    target.mkdir(parents=True, exist_ok=True)
    for existing in target.iterdir():
        if existing.name not in files:
            existing.unlink() if existing.is_file() else shutil.rmtree(existing)
            changed += 1
    for name, data in files.items():
        changed += _write_if_changed(target / name, data)
    return changed


def vega_bundle_bytes() -> bytes:
    """The Vega bundle, generated once per vl-convert version and cached."""
    import vl_convert

    from helpers.charts.render import vega_bundle_source

    cached = CACHE_DIR / "vendor" / f"vega-bundle-{vl_convert.__version__}.js"
    if not cached.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(vega_bundle_source(), encoding="utf-8")
    return cached.read_bytes()


def assemble_sources(plan: RunPlan, results: list[RunResult], record: dict) -> int:
    """Put executed notebooks, chart data, vendor scripts and generated pages under book/."""
    changed = 0
    for result in results:
        changed += _write_if_changed(result.page.output_path, (result.folder / "notebook.ipynb").read_bytes())
    chart_files: dict[str, bytes] = {}
    for result in results:
        data_dir = result.folder / "chart-data"
        if data_dir.exists():
            for path in data_dir.iterdir():
                chart_files[path.name] = path.read_bytes()
    changed += _sync_folder(EXTRA_DIR / "chart-data", chart_files)
    vendor = {"vega-bundle.js": vega_bundle_bytes()}
    if not HTML_MANAGER_DIST.joinpath("embed-amd.js").exists():
        raise BuildError(
            "node_modules/@jupyter-widgets/html-manager is missing: run `npm ci` "
            "(the README's `make book` does it for you)"
        )
    for name, source in widget_script_files().items():
        if not source.exists():
            raise BuildError(
                f"{source.relative_to(REPO_ROOT)} is missing: the widget scripts come from npm; run `npm ci` "
                "(the README's `make book` does it for you)"
            )
        vendor[name] = source.read_bytes()
    changed += _sync_folder(EXTRA_DIR / "_vendor", vendor)
    # Browsers ask for /favicon.ico at the site's root whatever the pages link (a 404 there is a
    # console error); html_extra_path puts _extra/favicon.ico at the book's root.
    changed += _write_if_changed(EXTRA_DIR / "favicon.ico", FAVICON_ICO.read_bytes())
    for stray in set(EXTRA_DIR.iterdir()) - {
        EXTRA_DIR / "chart-data",
        EXTRA_DIR / "_vendor",
        EXTRA_DIR / "favicon.ico",
    }:
        stray.unlink() if stray.is_file() or stray.is_symlink() else shutil.rmtree(stray)
        changed += 1
    for page in plan.pages():
        if page.generated == "run_record":
            changed += _write_if_changed(page.output_path, run_record.record_markdown(record).encode("utf-8"))
    changed += _write_if_changed(BOOK_DIR / "_toc.yml", toc_text(plan).encode("utf-8"))
    return changed


def sources_fingerprint() -> str:
    """Everything Jupyter Book reads, hashed: equal fingerprints mean an identical book."""
    digest = hashlib.sha256()
    for path in sorted(BOOK_DIR.rglob("*")):
        relative = path.relative_to(BOOK_DIR)
        if relative.parts[0] == "_build" or not path.is_file() or ".ipynb_checkpoints" in relative.parts:
            continue
        digest.update(str(relative).encode())
        digest.update(path.read_bytes())
    digest.update(
        (REPO_ROOT / "data" / "references.bib").read_bytes()
        if (REPO_ROOT / "data" / "references.bib").exists()
        else b""
    )
    return digest.hexdigest()


def jupyter_book_build() -> None:
    """Build into a working folder; on success publish the result as book/_build/html."""
    command = [
        str(Path(sys.executable).with_name("jupyter-book")),
        "build",
        str(BOOK_DIR),
        "--path-output",
        str(WORK_BUILD_DIR),
        "-W",
        "-n",
        "--keep-going",
        "--builder",
        "html",
    ]
    # Sphinx never deletes an output it no longer makes (chart data of another release, a page taken
    # out of the plan): start every build from an empty HTML folder. The parsed documents
    # (_build/.doctrees) are kept, so unchanged pages are not read again, only written.
    shutil.rmtree(WORK_BUILD_DIR / "_build" / "html", ignore_errors=True)
    log_path = CACHE_DIR / "jupyter-book.log"
    say("building the book with Jupyter Book (-W -n --keep-going) ...")
    started = time.perf_counter()
    with open(log_path, "w", encoding="utf-8") as log:
        completed = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
    output = log_path.read_text(encoding="utf-8", errors="replace")
    problems = [line for line in output.splitlines() if "WARNING" in line or "ERROR" in line]
    if completed.returncode != 0 or problems:
        shown = "\n  ".join(problems[:20]) or output[-2000:]
        raise BuildError(f"Jupyter Book build failed (log: {log_path}):\n  {shown}\nthe last good book is unchanged")
    publish.publish(WORK_BUILD_DIR / "_build" / "html", HTML_DIR, PUBLISHED_MANIFEST)
    say(f"book built in {time.perf_counter() - started:.1f} s: {os.path.relpath(HTML_DIR, REPO_ROOT)}/index.html")


def build_book(force: bool = False, plan_path: Path | None = None) -> int:
    """The whole build, one at a time (a second build waits for the first); returns an exit code."""
    with book_lock("build"):
        return _build_book(force, plan_path)


def _build_book(force: bool, plan_path: Path | None) -> int:
    from helpers import data as book_data

    started = time.perf_counter()
    book_data.mirror_path()  # fails at once, with how to provide the data, when there is none
    plan = load_run_plan(plan_path) if plan_path else load_run_plan()
    say(f"validating parameters of {len(plan.notebook_pages())} notebooks ...")
    validated = validate_plan(plan)
    checksums = book_data.dataset_checksums()
    results = run_pages(plan, validated, checksums)
    record = run_record.make_record(results, checksums)
    assemble_sources(plan, results, record)
    fingerprint = sources_fingerprint()
    # Up to date means: same sources as the last publish, and the published files are still
    # exactly what that build produced (a deleted or edited page is rebuilt).
    stale = "--force" if force else publish.why_republish(HTML_DIR, PUBLISHED_MANIFEST, fingerprint)
    if stale is None:
        say("book is up to date: nothing changed since the last build, published files intact")
    else:
        say(f"publishing a new book: {stale}")
        jupyter_book_build()
        publish.record_fingerprint(PUBLISHED_MANIFEST, fingerprint)
    run_record.save(record)
    say(f"done in {time.perf_counter() - started:.1f} s")
    return 0


def run_single(notebook: Path, output: Path, given: dict[str, Any]) -> int:
    """`python -m helpers run`: validate, then execute one notebook with papermill."""
    from helpers import data as book_data

    merged = validate_parameters(notebook, given)
    say(f"parameters valid: {json.dumps(merged, ensure_ascii=False)}")
    output.parent.mkdir(parents=True, exist_ok=True)
    # The notebook gets the values as validated (typed by their annotations), not as typed on the line.
    seconds = execute_notebook(notebook, output, {name: merged[name] for name in given}, output.parent / "chart-data")
    record = {
        "notebook": str(notebook),
        "output": str(output),
        "parameters": merged,
        "seconds": round(seconds, 2),
        "executed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "git_commit": run_record.git_commit(),
        "data_checksums": book_data.dataset_checksums(),
        "packages": run_record.package_versions(),
    }
    record_path = output.with_suffix(".run.json")
    record_path.write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
    say(f"executed {notebook.name} -> {output} in {seconds:.1f} s (run record: {record_path})")
    return 0


__all__ = ["build_book", "run_single", "validate_plan", "ParameterError"]
