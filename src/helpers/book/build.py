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
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.book import batch, editions, publish
from helpers.book import record as run_record
from helpers.book.filehash import FileHashes, files_under
from helpers.book.kernels import KERNEL_MANAGER_CLASS
from helpers.book.locking import book_lock
from helpers.book.params import validate_parameters
from helpers.book.runplan import Page, RunPlan, load_run_plan, toc_text
from helpers.chapters.numbering import CHAPTER_NUMBER_ENV
from helpers.errors import BuildError, ParameterError
from helpers.i18n import SOURCE_LANGUAGE
from helpers.paths import BOOK_DIR, CACHE_DIR, REPO_ROOT

EDITIONS = editions.built_editions()  # fi, sv, en (BOOK_EDITIONS=en builds one, e.g. to benchmark)
RUNS_DIR = CACHE_DIR / "runs"
EXTRA_DIR = BOOK_DIR / "_extra"  # the English edition's; the others' are in their source folders
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
    # Plain JSON, not nbformat: a build with nothing to run should not pay for nbformat's validator.
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = [
        (
            cell["cell_type"],
            "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"],
            sorted(cell.get("metadata", {}).get("tags", [])),
        )
        for cell in notebook["cells"]
    ]
    return _sha256_bytes(json.dumps([cells, notebook.get("metadata", {}).get("book", {})], sort_keys=True).encode())


def code_hash() -> str:
    """Hash the package's code and the lock: a changed helper re-executes the notebooks using it."""
    digest = hashlib.sha256()
    for path in sorted((REPO_ROOT / "src" / "helpers").rglob("*")):
        if path.suffix in (".py", ".csv", ".json", ".yml", ".po") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(REPO_ROOT)).encode())
            digest.update(path.read_bytes())
    for extra in ("uv.lock",):
        digest.update((REPO_ROOT / extra).read_bytes())
    for path in sorted((REPO_ROOT / "data").rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(REPO_ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def run_identity(
    page: Page,
    parameters: dict[str, Any],
    code: str,
    source: str | None = None,
    chapter_number: int | None = None,
    inputs: dict[str, str] | None = None,
) -> str:
    """What a run is, before any data: its template's source, its parameters, the code, the
    page's chapter number and, for a page that ``needs`` families, the digests of their results.

    The run's cache folder is named by it; whether the cached run is still good also depends on
    the checksums of the datasets the run actually read (recorded when it ran)."""
    material = {
        "notebook": page.notebook,
        "source": source or notebook_source_hash(page.notebook_path),
        "parameters": parameters,
        "code": code,
        "chapter_number": chapter_number,  # moving a page in the run plan renumbers its figures
    }
    if inputs:  # a changed result of a family the page reads re-executes the page
        material["inputs"] = inputs
    return _sha256_bytes(json.dumps(material, sort_keys=True, default=str).encode())[:20]


def run_key(
    page: Page,
    parameters: dict[str, Any],
    data_checksums: dict[str, str | None],
    code: str,
    chapter_number: int | None = None,
    inputs: dict[str, str] | None = None,
) -> str:
    """The full key of a run: its identity and the checksums of the data it read."""
    material = {"run": run_identity(page, parameters, code, None, chapter_number, inputs), "data": data_checksums}
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
    edition: str | None = None  # the edition this run is for; None: one run shared by every edition


def edition_parameter(page: Page) -> str | None:
    """The parameter that carries the edition's language into the page's run (``lang``), or None
    when the chapter's output does not depend on the language: then one run serves every edition
    and only its prose is translated (by Sphinx)."""
    if not page.chapter:
        return None
    from helpers.chapters import chapter_module

    return getattr(chapter_module(page.chapter), "EDITION_PARAMETER", None)


def page_runs(
    plan: RunPlan, validated: dict[str, dict[str, Any]], pages: list[Page] | None = None
) -> list[tuple[Page, str | None, dict[str, Any]]]:
    """(page, edition, checked parameters) of every run the editions need: one run per edition for
    a page whose chapter takes the edition's language, one shared run for any other page."""
    runs: list[tuple[Page, str | None, dict[str, Any]]] = []
    for page in plan.notebook_pages() if pages is None else pages:
        name = edition_parameter(page)
        if name is None:
            runs.append((page, None, validated[page.page]))
            continue
        for lang in EDITIONS:
            runs.append((page, lang, {**validated[page.page], name: lang}))
    return runs


def hide_injected_parameters(path: Path) -> None:
    """Tag papermill's injected-parameters cell so the book hides it (readers see the defaults cell)."""
    import nbformat

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


PRELOAD_FILE = CACHE_DIR / "batch" / "preload.json"


def _cached_run(folder: Path, data_checksums: dict[str, str]) -> dict | None:
    """The record of a cached run whose datasets are unchanged, else None."""
    try:
        meta = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    datasets = meta.get("datasets")
    if not isinstance(datasets, dict) or not (folder / "notebook.ipynb").exists():
        return None
    if any(data_checksums.get(name) != checksum for name, checksum in datasets.items()):
        return None
    return meta


def _read_preload() -> dict[str, list[str]]:
    try:
        return json.loads(PRELOAD_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _store_run(identity: str, outcome: batch.RunOutcome, meta: dict) -> Path:
    """Write one executed run into the cache, atomically: a crash leaves no half-written run."""
    staging = RUNS_DIR / f"{identity}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "chart-data").mkdir(parents=True)
    (staging / "notebook.ipynb").write_bytes(outcome.notebook)
    for name, data in outcome.chart_files.items():
        (staging / "chart-data" / name).write_bytes(data)
    (staging / "run.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    folder = RUNS_DIR / identity
    shutil.rmtree(folder, ignore_errors=True)
    staging.replace(folder)
    shutil.rmtree(RUNS_DIR / f"{identity}.failed", ignore_errors=True)
    return folder


def _store_failure(identity: str, outcome: batch.RunOutcome) -> Path | None:
    if not outcome.notebook:
        return None
    folder = RUNS_DIR / f"{identity}.failed"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notebook.ipynb").write_bytes(outcome.notebook)
    return folder / "notebook.ipynb"


def run_pages(
    plan: RunPlan,
    validated: dict[str, dict[str, Any]],
    data_checksums: dict[str, str],
    workers: int | None = None,
    scheduler: str | None = None,
    timeout: float | None = batch.DEFAULT_TIMEOUT,
    pages: list[Page] | None = None,
) -> list[RunResult]:
    """Reuse cached runs; execute the others with the batch engine (warm kernels, locally or on
    the Dask cluster at ``scheduler``). Every run is attempted; failures are listed at the end.

    Two stages: first every run that reads no family's results, then the pages that ``need``
    a family, keyed on the digest of the results its runs recorded (``helpers.book.sweep``).
    ``pages`` limits the runs to some of the plan's (``python -m helpers sweep``)."""
    from helpers.book import sweep

    code = code_hash()
    pages = plan.notebook_pages() if pages is None else pages
    runs = page_runs(plan, validated, pages)
    numbers = plan.chapter_numbers()
    templates: dict[str, tuple[str, str]] = {}  # notebook -> (text, source hash)
    preload = _read_preload()
    results: dict[tuple[str, str | None], RunResult] = {}  # (page, edition) -> its run
    failures: list[str] = []
    learned: dict[str, list[str]] = {}
    inputs_of: dict[str, dict[str, str]] = {}  # page -> {family: digest of its results}

    def execute(stage: list[tuple[Page, str | None, dict[str, Any]]]) -> None:
        pending: dict[str, list[tuple[Page, str | None, dict[str, Any]]]] = {}  # identity -> the runs it makes
        specs: list[batch.RunSpec] = []
        reused = 0
        for page, edition, parameters in stage:
            assert page.notebook is not None
            if page.notebook not in templates:
                templates[page.notebook] = (
                    page.notebook_path.read_text(encoding="utf-8"),
                    notebook_source_hash(page.notebook_path),
                )
            text, source = templates[page.notebook]
            language = edition_parameter(page)
            given = {name: parameters[name] for name in page.parameters}
            if language:
                given[language] = parameters[language]
            number = numbers.get(page.page)
            identity = run_identity(page, parameters, code, source, number, inputs_of.get(page.page))
            meta = _cached_run(RUNS_DIR / identity, data_checksums)
            if meta is not None:
                results[page.page, edition] = RunResult(
                    page,
                    parameters,
                    meta["key"],
                    RUNS_DIR / identity,
                    meta["seconds"],
                    True,
                    meta["executed_at"],
                    edition,
                )
                reused += 1
                continue
            if identity in pending:  # two pages made by the same run: execute it once
                pending[identity].append((page, edition, parameters))
                continue
            pending[identity] = [(page, edition, parameters)]
            specs.append(
                batch.RunSpec(
                    key=identity,
                    label=page.page if edition is None else f"{page.page} [{edition}]",
                    template_name=page.notebook,
                    template_text=text,
                    parameters=given,
                    cwd=str(page.notebook_path.parent),
                    output_name=str(page.output_path.relative_to(BOOK_DIR.parent))
                    if page.output_path.is_relative_to(BOOK_DIR.parent)
                    else str(page.output_path),
                    preload=tuple(dict.fromkeys([*batch.template_imports(text), *preload.get(page.notebook, [])])),
                    timeout=timeout,
                    # The page's chapter number (its place in the run plan) numbers its figures.
                    environment={CHAPTER_NUMBER_ENV: "" if number is None else str(number)},
                )
            )
        if not stage:
            return
        say(
            f"{reused} of {len(stage)} runs up to date (editions {', '.join(EDITIONS)}); executing {len(specs)}"
            + (f" on the Dask cluster at {scheduler}" if scheduler and specs else "")
            + (f" on {workers or min(len(specs), os.cpu_count() or 1)} warm kernels" if specs and not scheduler else "")
        )
        progress = batch.Progress(len(specs), "executing", say)

        def record(outcome: batch.RunOutcome) -> None:
            identity = outcome.key
            page, _edition, parameters = pending[identity][0]
            if not outcome.ok:
                failed = _store_failure(identity, outcome)
                where = f"\n    failed notebook: {failed}" if failed else ""
                failures.append(f"{outcome.label} ({page.notebook}): {outcome.error}{where}")
                progress.update(outcome.label, f"FAILED: {outcome.error}", failed=True)
                return
            executed_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            datasets = {name: data_checksums.get(name) for name in outcome.datasets_read}
            inputs = inputs_of.get(page.page)
            key = run_key(page, parameters, datasets, code, numbers.get(page.page), inputs)
            meta = {
                "page": page.page,
                "notebook": page.notebook,
                "parameters": parameters,
                "seconds": round(outcome.seconds, 2),
                "executed_at": executed_at,
                "key": key,
                "identity": identity,
                "datasets": datasets,
                "untranslated": outcome.untranslated,
                "worker": outcome.worker,
                **({"inputs": inputs} if inputs else {}),
            }
            folder = _store_run(identity, outcome, meta)
            notebook = page.notebook or ""
            learned[notebook] = list(dict.fromkeys([*learned.get(notebook, []), *outcome.learned_preload]))
            for same, edition, same_parameters in pending[identity]:
                results[same.page, edition] = RunResult(
                    same, same_parameters, key, folder, outcome.seconds, False, executed_at, edition
                )
            progress.update(outcome.label, f"executed in {outcome.seconds:.1f} s")

        try:
            batch.run_batch(specs, workers=workers, scheduler=scheduler, on_outcome=record)
        finally:
            progress.close()

    execute([run for run in runs if not run[0].needs])
    dependent = [run for run in runs if run[0].needs]
    if dependent and not failures:
        digests: dict[str, str] = {}
        for family in sorted({name for page, _, _ in dependent for name in page.needs}):
            members = plan.family_pages(family)
            collected = [results[page.page, None] for page in members if (page.page, None) in results]
            if len(collected) != len(members):
                raise BuildError(f"family {family!r} was not run; run the whole plan (`python -m helpers build`)")
            records = sweep.read_runs([(run.page.page, run.folder / "notebook.ipynb") for run in collected])
            digests[family] = sweep.results_digest(records)
            say(f"family {family}: {len(records)} results collected (digest {digests[family][:12]})")
        for page, _, _ in dependent:
            inputs_of[page.page] = {name: digests[name] for name in page.needs}
        execute(dependent)
    elif dependent:
        failures.append(
            f"not run, because runs they read failed: {', '.join(sorted({page.page for page, _, _ in dependent}))}"
        )
    if learned:
        PRELOAD_FILE.parent.mkdir(parents=True, exist_ok=True)
        PRELOAD_FILE.write_text(json.dumps({**preload, **learned}, indent=1, sort_keys=True), encoding="utf-8")
    if failures:
        raise BuildError(
            f"{len(failures)} of {len(runs)} runs failed (the others are cached; the last good book is unchanged):\n  "
            + "\n  ".join(failures)
        )
    return [results[page.page, edition] for page, edition, _ in runs]


def edition_results(results: list[RunResult], lang: str) -> list[RunResult]:
    """The runs that make ``lang``'s edition: its own runs and the shared ones, in page order."""
    return [result for result in results if result.edition in (None, lang)]


def run_families(
    names: list[str] | None = None,
    plan_path: Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
) -> list[RunResult]:
    """Validate and run the families ``names`` (default: every family the plan's pages need), cached."""
    from helpers import data as book_data

    book_data.mirror_path()
    plan = load_run_plan(plan_path) if plan_path else load_run_plan()
    names = names or sorted({name for page in plan.pages() for name in page.needs})
    pages = [page for name in names for page in plan.family_pages(name)]
    validated = {page.page: validate_parameters(page.notebook_path, page.parameters, page.chapter) for page in pages}
    return run_pages(plan, validated, book_data.dataset_checksums(), workers=workers, scheduler=scheduler, pages=pages)


FILE_HASHES = CACHE_DIR / "file-hashes.json"  # the digests of the files a no-change build compares

Content = bytes | Path  # a file's new content, or the file to copy it from


def _write_if_changed(path: Path, data: Content, hashes: FileHashes | None = None) -> bool:
    """Write ``data`` (bytes, or a file's content) to ``path`` unless it already holds it; an
    unchanged file keeps its time, so Sphinx does not read it again. With ``hashes``, files are
    compared by remembered digests instead of being read."""
    if isinstance(data, Path):
        if hashes is not None:
            if path.exists() and hashes.same_content(data, path):
                return False
        elif path.exists() and path.read_bytes() == data.read_bytes():
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        shutil.copyfile(data, temporary)
        temporary.replace(path)
        if hashes is not None:
            hashes.remember(path, hashes.sha256(data))
        return True
    if path.exists() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
    if hashes is not None:
        hashes.remember(path, hashlib.sha256(data).hexdigest())
    return True


def _sync_folder(target: Path, files: Mapping[str, Content], hashes: FileHashes | None = None) -> int:
    """Make ``target`` hold exactly ``files`` (name -> content); return how many changed."""
    changed = 0
    target.mkdir(parents=True, exist_ok=True)
    for existing in target.iterdir():
        if existing.name not in files:
            existing.unlink() if existing.is_file() else shutil.rmtree(existing)
            changed += 1
    for name, data in files.items():
        changed += _write_if_changed(target / name, data, hashes)
    return changed


class FileContents(Mapping[str, bytes]):
    """name -> bytes of files, read only when asked for (most of a no-change build's are not)."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files

    def __getitem__(self, name: str) -> bytes:
        return self.files[name].read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)


def vega_bundle_bytes() -> bytes:
    """The Vega runtime bundle, generated once per vl-convert version and cached."""

    from helpers.charts.downloads import vl_convert_version
    from helpers.charts.render import vega_bundle_source

    cached = CACHE_DIR / "vendor" / f"vega-runtime-{vl_convert_version()}.js"
    if not cached.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(vega_bundle_source(), encoding="utf-8")
    return cached.read_bytes()


def figure_image_files(chart_files: Mapping[str, bytes]) -> dict[str, bytes]:
    """SVG and PNG of every figure among the chart data, rendered at build time (cached by content)."""
    from helpers.charts.downloads import figure_images
    from helpers.charts.render import CHART_DATA_URL_PREFIX, vega_lite_version

    return figure_images(chart_files, CACHE_DIR / "figure-images", CHART_DATA_URL_PREFIX, vega_lite_version(), say)


def assemble_sources(
    plan: RunPlan,
    results: list[RunResult],
    record: dict,
    lang: str = SOURCE_LANGUAGE,
    hashes: FileHashes | None = None,
) -> int:
    """Put one edition's executed notebooks, chart data, vendor scripts and generated pages into its
    source folder (``book/`` itself for English; a mirror of ``book/`` for the others)."""
    source_dir = editions.source_dir(lang)
    hashes = hashes or FileHashes()

    def write(path: Path, data: Content) -> bool:
        return _write_if_changed(path, data, hashes)

    # a sweep's runs are not pages
    results = [result for result in edition_results(results, lang) if result.page.publish]
    generated: dict[str, Content] = {}  # path under the source folder -> content
    for result in results:
        generated[result.page.output_path.relative_to(BOOK_DIR).as_posix()] = result.folder / "notebook.ipynb"
    for page in plan.pages():
        if page.generated == "run_record":
            generated[page.output_path.relative_to(BOOK_DIR).as_posix()] = run_record.record_markdown(
                record, lang
            ).encode()
            # the download the page links to: every run, beside the page
            generated[(page.output_path.parent / run_record.RUNS_CSV).relative_to(BOOK_DIR).as_posix()] = (
                run_record.record_csv(record).encode("utf-8")
            )
    generated["_toc.yml"] = toc_text(plan).encode("utf-8")
    if lang == SOURCE_LANGUAGE:
        changed = sum(write(source_dir / name, data) for name, data in generated.items())
    else:
        generated["_config.yml"] = editions.config_text(lang).encode("utf-8")
        changed = editions.sync_sources(source_dir, generated, write)
    run_files: dict[str, Path] = {}
    for result in results:
        data_dir = result.folder / "chart-data"
        if data_dir.exists():
            for path in data_dir.iterdir():
                run_files[path.name] = path
    chart_files: dict[str, Content] = {**run_files, **figure_image_files(FileContents(run_files))}
    extra_dir = source_dir / "_extra"
    changed += _sync_folder(extra_dir / "chart-data", chart_files, hashes)
    vendor: dict[str, Content] = {"vega-bundle.js": vega_bundle_bytes()}
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
        vendor[name] = source
    changed += _sync_folder(extra_dir / "_vendor", vendor, hashes)
    # Browsers ask for /favicon.ico at the site's root whatever the pages link (a 404 there is a
    # console error); html_extra_path puts _extra/favicon.ico at the book's root.
    changed += write(extra_dir / "favicon.ico", FAVICON_ICO)
    for stray in set(extra_dir.iterdir()) - {
        extra_dir / "chart-data",
        extra_dir / "_vendor",
        extra_dir / "favicon.ico",
    }:
        stray.unlink() if stray.is_file() or stray.is_symlink() else shutil.rmtree(stray)
        changed += 1
    return changed


def _hash_tree(digest: Any, folder: Path, label: str, hashes: FileHashes) -> None:
    for path in files_under(folder, {"_build"}):
        relative = path.relative_to(folder)
        if path.suffix == ".mo":  # compiled by Sphinx from the .po during a build
            continue
        digest.update(f"{label}/{relative}\0{hashes.sha256(path)}\0".encode())


def sources_fingerprint(hashes: FileHashes | None = None) -> str:
    """Everything the editions' Jupyter Book builds read, hashed: equal fingerprints mean an identical book."""
    hashes = hashes or FileHashes()
    digest = hashlib.sha256()
    _hash_tree(digest, BOOK_DIR, SOURCE_LANGUAGE, hashes)
    for lang in EDITIONS:
        if lang != SOURCE_LANGUAGE and editions.source_dir(lang).exists():
            _hash_tree(digest, editions.source_dir(lang), lang, hashes)
    digest.update(
        (REPO_ROOT / "data" / "references.bib").read_bytes()
        if (REPO_ROOT / "data" / "references.bib").exists()
        else b""
    )
    for path in (Path(__file__).with_name("editions.py"), Path(__file__).with_name("sphinx_offline.py")):
        digest.update(path.read_bytes())  # what every page says around its content (switcher, links)
    return digest.hexdigest()


def _jupyter_book_command(lang: str, source_dir: Path) -> list[str]:
    return [
        str(Path(sys.executable).with_name("jupyter-book")),
        "build",
        str(source_dir),
        "--path-output",
        str(WORK_BUILD_DIR / lang),
        "-W",
        "-n",
        "--keep-going",
        "--builder",
        "html",
    ]


def jupyter_book_build(sources: dict[str, Path] | None = None, hashes: FileHashes | None = None) -> None:
    """Build every edition (``sources``: language -> source folder; by default the three editions')
    into a working folder; on success publish them as one book (``book/_build/html/{fi,sv,en}/``
    and the root page that opens the reader's language)."""
    if sources is None:
        sources = {lang: editions.source_dir(lang) for lang in EDITIONS}
    # Sphinx never deletes an output it no longer makes (chart data of another release, a page taken
    # out of the plan): start every build from an empty HTML folder. The parsed documents
    # (_build/.doctrees) are kept, so unchanged pages are not read again, only written.
    say(f"building the editions {', '.join(sources)} with Jupyter Book (-W -n --keep-going) ...")
    started = time.perf_counter()
    running = {}
    for lang, source_dir in sources.items():
        shutil.rmtree(WORK_BUILD_DIR / lang / "_build" / "html", ignore_errors=True)
        log_path = CACHE_DIR / f"jupyter-book-{lang}.log"
        log = open(log_path, "w", encoding="utf-8")
        process = subprocess.Popen(
            _jupyter_book_command(lang, source_dir), stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT
        )
        running[lang] = (process, log, log_path)
    errors = []
    for lang, (process, log, log_path) in running.items():
        returncode = process.wait()
        log.close()
        output = log_path.read_text(encoding="utf-8", errors="replace")
        problems = [line for line in output.splitlines() if "WARNING" in line or "ERROR" in line]
        if returncode != 0 or problems:
            shown = "\n  ".join(problems[:20]) or output[-2000:]
            errors.append(f"edition {lang} (log: {log_path}):\n  {shown}")
    if errors:
        raise BuildError("Jupyter Book build failed: " + "\n".join(errors) + "\nthe last good book is unchanged")
    built = {lang: WORK_BUILD_DIR / lang / "_build" / "html" for lang in sources}
    for lang, html_dir in built.items():
        pdf_edition(html_dir, lang, sources[lang])  # printed before publishing: part of the same book
    publish.publish(built, HTML_DIR, PUBLISHED_MANIFEST, editions.root_files(tuple(sources)), hashes)
    say(f"book built in {time.perf_counter() - started:.1f} s: {os.path.relpath(HTML_DIR, REPO_ROOT)}/index.html")


def pdf_edition(html_dir: Path, lang: str, source_dir: Path) -> None:
    """One edition's PDF, printed by chromium from its built HTML; cached, so reprinted only on change."""
    import yaml

    from helpers.book.pdf import build_pdf

    title = yaml.safe_load((source_dir / "_config.yml").read_text(encoding="utf-8"))["title"]
    try:
        build_pdf(html_dir, source_dir, CACHE_DIR / "pdf", title, log=say, lang=lang)
    except RuntimeError as error:
        raise BuildError(f"the PDF edition could not be made: {error}") from None


def build_book(
    force: bool = False, plan_path: Path | None = None, scheduler: str | None = None, workers: int | None = None
) -> int:
    """The whole build, one at a time (a second build waits for the first); returns an exit code."""
    with book_lock("build"):
        return _build_book(force, plan_path, scheduler, workers)


def _build_book(force: bool, plan_path: Path | None, scheduler: str | None = None, workers: int | None = None) -> int:
    from helpers import data as book_data

    started = time.perf_counter()
    book_data.mirror_path()  # fails at once, with how to provide the data, when there is none
    plan = load_run_plan(plan_path) if plan_path else load_run_plan()
    say(f"validating parameters of {len(plan.notebook_pages())} notebooks ...")
    validated = validate_plan(plan)
    checksums = book_data.dataset_checksums()
    results = run_pages(plan, validated, checksums, workers=workers, scheduler=scheduler)
    record = run_record.make_record(edition_results(results, SOURCE_LANGUAGE), checksums)
    editions.write_runs_index(
        {lang: {r.page.page: str(r.folder) for r in edition_results(results, lang)} for lang in EDITIONS}
    )
    hashes = FileHashes(FILE_HASHES)
    try:
        for lang in EDITIONS:
            assemble_sources(plan, results, record, lang, hashes)
        fingerprint = sources_fingerprint(hashes)
        # Up to date means: same sources as the last publish, and the published files are still
        # exactly what that build produced (a deleted or edited page is rebuilt).
        stale = "--force" if force else publish.why_republish(HTML_DIR, PUBLISHED_MANIFEST, fingerprint, hashes)
        if stale is None:
            say("book is up to date: nothing changed since the last build, published files intact")
        else:
            say(f"publishing a new book: {stale}")
            jupyter_book_build(hashes=hashes)
            publish.record_fingerprint(PUBLISHED_MANIFEST, fingerprint)
    finally:
        hashes.save()
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
