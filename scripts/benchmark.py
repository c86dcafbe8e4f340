"""Benchmark the book from a clean state and print the figures (not a test: it asserts nothing).

    .venv/bin/python scripts/benchmark.py            # fresh clone of HEAD in a temporary folder
    .venv/bin/python scripts/benchmark.py --in-place # this work tree, as it is
    .venv/bin/python scripts/benchmark.py --pages    # only page weights and draw times of the built book

Prints: set-up time, full build, rebuild with nothing changed, rebuild after touching one
notebook (and which notebooks re-executed), nbval time, and for every page its weight with
everything it loads and the time until all its charts are drawn (headless chromium).
Needs BOOK_DATA_MIRROR. Targets (issue #2/#6): rebuild < 5 s, full build < 60 s, pages < 2 MB,
charts drawn < 2 s.

    .venv/bin/python scripts/benchmark.py --batch    # the batch engine against naive papermill

`--batch` runs the labelled test template (tests/data/batch_template.ipynb: one dataset, one
figure per municipality) for the same 24 municipalities twice, from a clean run cache: a naive
sequential loop (one papermill call and one kernel start per run) and the batch engine (warm
kernels, two workers); it prints per-run seconds, the speed-up, where the batch time goes, and
the time of a no-change rebuild of the whole book in this work tree. Targets (issue #11):
speed-up >= 10x per page, no-change rebuild < 5 s.

    .venv/bin/python scripts/benchmark.py --municipalities   # the municipality pages (in place)

`--municipalities` works in this work tree: it forgets the family's cached runs, the profile panel
and Sphinx's parsed documents, then builds (the whole family executed and built, the rest of the
book from its cache); runs the naive papermill loop and the batch engine side by side on the same
24 municipalities of notebooks/municipality.ipynb; rebuilds with one page's parameter changed
(which pages re-executed) and with nothing changed; and prints every page's own bytes (its HTML
and the chart data it loads). Targets (issue #11): family < 90 s, >= 10x per page, no-change
rebuild < 5 s, a page's own bytes < 150 KB.
    .venv/bin/python scripts/benchmark.py --sweep    # the robustness sweep through the engine

`--sweep` works in this work tree: it deletes the cached runs of the run plan's family
`pilot-specifications` (only those), runs `python -m helpers sweep pilot-specifications` from that
clean cache (every specification x 1,000 placebo draws on warm kernels), runs it again with
nothing changed, then `python -m helpers build` twice (the first brings the other chapters up to
date, the second must execute nothing). It prints wall and CPU time (the machine is shared, so
wall time alone says little), where the time goes (papermill and the kernels around the cells,
the analysis inside the cells, the same analysis in one plain process) and what each step
executed. Target (issue #12): >= 300 specifications in < 3 minutes; a no-change rerun executes none.
    .venv/bin/python scripts/benchmark.py --editions # what the fi and sv editions cost

`--editions` builds, from cold caches, the English edition alone (BOOK_EDITIONS=en), then all three,
then rebuilds all three with nothing changed. Targets (issue #13): the two extra editions add at
most 1.5x the English build's time; the no-change rebuild stays under 5 s.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def timed(label: str, command: list[str], cwd: Path) -> tuple[float, str]:
    print(f"· {label}: {' '.join(command)}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout[-3000:] + completed.stderr[-3000:])
        raise SystemExit(f"benchmark step '{label}' failed (exit {completed.returncode})")
    return seconds, completed.stdout


def executed_pages(build_output: str) -> list[str]:
    """Pages a build executed, from its plain progress lines ("  [2/7] chapters/x: executed in 1.0 s")."""
    return [
        line.split("] ", 1)[-1].split(":")[0].strip() for line in build_output.splitlines() if ": executed in" in line
    ]


def touch_one_notebook(tree: Path) -> str:
    """Change one markdown cell of the introduction, as an author's edit would."""
    path = tree / "notebooks" / "introduction.ipynb"
    notebook = nbformat.read(path, as_version=4)
    markdown = next(cell for cell in notebook.cells if cell.cell_type == "markdown")
    markdown.source += "\n"
    nbformat.write(notebook, path)
    return "notebooks/introduction.ipynb"


def book_pages(tree: Path) -> list[str]:
    toc = yaml.safe_load((tree / "book" / "_toc.yml").read_text())
    return [toc["root"] + ".html"] + [c["file"] + ".html" for part in toc.get("parts", []) for c in part["chapters"]]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_static(html_dir: Path) -> tuple[str, http.server.ThreadingHTTPServer]:
    """Serve html_dir on a free loopback port (plain files, no compression): its URL and the server to shut down."""
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


def record_response_sizes(page) -> dict[str, int]:
    """Bytes of every response the page receives, by URL (filled in as the page loads)."""
    sizes: dict[str, int] = {}

    def on_response(response):
        try:
            sizes[response.url] = len(response.body())
        except Exception:  # a redirect or aborted response has no body
            pass

    page.on("response", on_response)
    return sizes


def measure_pages(tree: Path) -> list[dict]:
    from playwright.sync_api import sync_playwright

    html_dir = tree / "book" / "_build" / "html" / "en"  # the English edition

    base, server = serve_static(html_dir)
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        for page_path in book_pages(tree):
            context = browser.new_context()
            page = context.new_page()
            sizes = record_response_sizes(page)
            started = time.perf_counter()
            page.goto(base + page_path, wait_until="load")
            charts = page.locator(".book-chart").count()
            if charts:
                page.wait_for_function(
                    "n => document.querySelectorAll('.book-chart[data-rendered]').length === n",
                    arg=charts,
                    timeout=60000,
                )
            drawn = time.perf_counter() - started
            page.wait_for_load_state("networkidle")
            rows.append(
                {
                    "page": page_path,
                    "bytes": sum(sizes.values()),
                    "requests": len(sizes),
                    "charts": charts,
                    "charts_drawn_s": drawn if charts else None,
                }
            )
            context.close()
        browser.close()
    server.shutdown()
    return rows


def _cell_seconds(notebook: nbformat.NotebookNode) -> float:
    """Time spent inside the cells (papermill's per-cell durations): the analysis itself."""
    return sum(float(cell.metadata.get("papermill", {}).get("duration") or 0.0) for cell in notebook.cells)


def batch_benchmark(runs: int = 24, workers: int = 2) -> dict:
    """Naive papermill loop vs the batch engine on the same runs of the test template."""
    sys.path.insert(0, str(ROOT / "src"))
    from helpers.book import batch, build, runplan

    template = ROOT / "tests" / "data" / "batch_template.ipynb"
    codes = [parameters["municipality"] for parameters, _ in runplan.municipalities_in_release(2021)][:runs]
    work = Path(tempfile.mkdtemp(prefix="book-batch-bench-"))
    figures: dict = {"runs": len(codes), "workers": workers}

    print(f"· naive: {len(codes)} sequential papermill runs, one kernel each", file=sys.stderr, flush=True)
    naive_runs, naive_cells = [], []
    started = time.perf_counter()
    for code in codes:
        output = work / "naive" / f"{code}.ipynb"
        output.parent.mkdir(parents=True, exist_ok=True)
        run_started = time.perf_counter()
        build.execute_notebook(
            template, output, {"municipality": code}, work / "naive" / "chart-data", log=lambda _: None
        )
        naive_runs.append(time.perf_counter() - run_started)
        naive_cells.append(_cell_seconds(nbformat.read(output, as_version=4)))
    figures["naive_s"] = time.perf_counter() - started

    print(f"· batch engine: the same runs on {workers} warm kernels, clean cache", file=sys.stderr, flush=True)
    text = template.read_text(encoding="utf-8")
    specs = [
        batch.RunSpec(
            key=code,
            label=code,
            template_name="tests/data/batch_template.ipynb",
            template_text=text,
            parameters={"municipality": code},
            cwd=str(template.parent),
            preload=tuple(batch.template_imports(text)),
        )
        for code in codes
    ]
    writing = [0.0]
    cells = []

    def store(outcome) -> None:
        write_started = time.perf_counter()
        folder = work / "batch" / outcome.key
        (folder / "chart-data").mkdir(parents=True)
        (folder / "notebook.ipynb").write_bytes(outcome.notebook)
        for name, content in outcome.chart_files.items():
            (folder / "chart-data" / name).write_bytes(content)
        cells.append(_cell_seconds(nbformat.reads(outcome.notebook.decode("utf-8"), as_version=4)))
        writing[0] += time.perf_counter() - write_started

    started = time.perf_counter()
    outcomes = batch.run_batch(specs, workers=workers, on_outcome=store)
    figures["batch_s"] = time.perf_counter() - started
    failed = [outcome.label for outcome in outcomes if not outcome.ok]
    if failed:
        raise SystemExit(f"batch benchmark: runs failed: {failed}")
    figures["batch_kernel_s"] = sum(outcome.kernel_seconds for outcome in outcomes)
    figures["batch_execute_s"] = sum(outcome.execute_seconds for outcome in outcomes)
    figures["batch_reset_s"] = sum(outcome.reset_seconds for outcome in outcomes)
    figures["batch_cells_s"] = sum(cells)
    figures["batch_writing_s"] = writing[0]
    figures["batch_restarts"] = sum(1 for o in outcomes for event in o.kernel_events if event.startswith("restarted"))
    figures["batch_warm_run_s"] = sorted(o.seconds for o in outcomes if o.kernel_seconds == 0.0)
    figures["naive_run_s"] = naive_runs
    figures["naive_cells_s"] = sum(naive_cells)
    shutil.rmtree(work, ignore_errors=True)

    python = str(ROOT / ".venv" / "bin" / "python")
    timed("book build (brings the cache up to date)", [python, "-m", "helpers", "build"], ROOT)
    figures["rebuild_unchanged_s"], output = timed("rebuild, nothing changed", [python, "-m", "helpers", "build"], ROOT)
    figures["rebuild_unchanged_output"] = output.strip().splitlines()[:3]
    return figures


def print_batch(figures: dict) -> None:
    runs, workers = figures["runs"], figures["workers"]
    naive_per_run = figures["naive_s"] / runs
    batch_per_run = figures["batch_s"] / runs
    warm = figures["batch_warm_run_s"]
    print(f"\nBatch engine vs naive papermill — {runs} runs of tests/data/batch_template.ipynb, clean cache")
    print(
        f"  naive loop (1 papermill + 1 kernel per run): {figures['naive_s']:6.1f} s  = {naive_per_run:5.2f} s per run"
    )
    print(
        f"  batch engine ({workers} warm kernels):        {figures['batch_s']:6.1f} s  = {batch_per_run:5.2f} s per run"
        f"  (wall time / runs)"
    )
    print(f"  speed-up per page:                           {naive_per_run / batch_per_run:6.1f}x  (target >= 10x)")
    if warm:
        print(
            f"  a run on a warm kernel (worker time):        median {warm[len(warm) // 2]:.2f} s, "
            f"min {warm[0]:.2f} s, max {warm[-1]:.2f} s"
        )
    print("  where the batch time goes (summed over workers):")
    print(
        f"    kernel start + preloaded imports:          {figures['batch_kernel_s']:6.1f} s  ({figures['batch_restarts']} restarts)"
    )
    print(f"    analysis (inside the cells):               {figures['batch_cells_s']:6.1f} s")
    print(
        f"    papermill/nbclient around the cells:       {figures['batch_execute_s'] - figures['batch_cells_s']:6.1f} s"
    )
    print(f"    kernel reset between runs:                 {figures['batch_reset_s']:6.1f} s")
    print(f"    writing notebooks and chart data:          {figures['batch_writing_s']:6.1f} s")
    print(
        f"  naive: inside the cells {figures['naive_cells_s']:.1f} s of {figures['naive_s']:.1f} s "
        "(the rest is kernel starts, imports and papermill)"
    )
    print(f"  no-change rebuild of the whole book:         {figures['rebuild_unchanged_s']:6.1f} s  (target < 5 s)")


def timed_cpu(label: str, command: list[str], cwd: Path) -> tuple[float, float, str]:
    """``timed`` plus the CPU seconds (user + system) of the command and every process it waited for
    (its kernels included)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds, output = timed(label, command, cwd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), output


SWEEP_FAMILY = "pilot-specifications"


def sweep_benchmark() -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    import shutil as _shutil

    from helpers.book import sweep
    from helpers.chapters import pilot_spec

    python = str(ROOT / ".venv" / "bin" / "python")
    runs = sweep.family_runs(SWEEP_FAMILY)
    figures: dict = {"specifications": len(runs), "cpus": os.cpu_count(), "load_before": os.getloadavg()}
    for run in runs:  # a clean cache for this family only: the other chapters' runs stay
        _shutil.rmtree(run.folder, ignore_errors=True)
    command = [python, "-m", "helpers", "sweep", SWEEP_FAMILY]
    figures["sweep_s"], figures["sweep_cpu_s"], output = timed_cpu("sweep from a clean cache", command, ROOT)
    figures["sweep_summary"] = output.strip().splitlines()[-1]
    figures["sweep_executed"] = len(executed_pages(output))
    figures["rerun_s"], figures["rerun_cpu_s"], output = timed_cpu("sweep again, nothing changed", command, ROOT)
    figures["rerun_summary"] = output.strip().splitlines()[-1]
    figures["rerun_executed"] = len(executed_pages(output))

    worker, cells = 0.0, 0.0
    for run in sweep.family_runs(SWEEP_FAMILY):
        worker += json.loads((run.folder / "run.json").read_text(encoding="utf-8"))["seconds"]
        cells += _cell_seconds(nbformat.read(run.folder / "notebook.ipynb", as_version=4))
    figures["worker_s"], figures["cells_s"] = worker, cells

    started = time.perf_counter()  # the same analysis in one plain process: the floor
    for run in runs:
        pilot_spec.prepare(pilot_spec.validate(json.loads((run.folder / "run.json").read_text())["parameters"]))
    figures["in_process_s"] = time.perf_counter() - started

    build = [python, "-m", "helpers", "build"]
    _, _, output = timed_cpu("book build (brings the other chapters up to date)", build, ROOT)
    figures["build_executed"] = executed_pages(output)
    figures["rebuild_s"], figures["rebuild_cpu_s"], output = timed_cpu("book rebuild, nothing changed", build, ROOT)
    figures["rebuild_executed"] = executed_pages(output)
    figures["load_after"] = os.getloadavg()
    return figures


def print_sweep(figures: dict) -> None:
    n = figures["specifications"]
    print(f"\nRobustness sweep — {n} specifications x 1,000 placebo draws, family {SWEEP_FAMILY}, this work tree")
    print(
        f"  machine: {figures['cpus']} cores; load average before {figures['load_before'][0]:.1f}, "
        f"after {figures['load_after'][0]:.1f} (shared)"
    )
    print(
        f"  full sweep from a clean cache:  {figures['sweep_s']:6.1f} s wall, {figures['sweep_cpu_s']:6.1f} s CPU  "
        f"(target < 180 s wall; executed {figures['sweep_executed']})"
    )
    print(f"    {figures['sweep_summary']}")
    print(
        f"  sweep again, nothing changed:   {figures['rerun_s']:6.1f} s wall, {figures['rerun_cpu_s']:6.1f} s CPU  "
        f"(executed {figures['rerun_executed']})"
    )
    print(f"    {figures['rerun_summary']}")
    print("  where the sweep's time goes:")
    print(
        f"    worker time per run (kernel, papermill, reset): {figures['worker_s'] / n:5.3f} s "
        f"(sum {figures['worker_s']:.1f} s over the workers)"
    )
    print(
        f"    analysis inside the cells:                      {figures['cells_s'] / n:5.3f} s "
        f"(sum {figures['cells_s']:.1f} s)"
    )
    print(
        f"    the same {n} specifications in one process:     {figures['in_process_s']:5.1f} s "
        "(no notebooks: the floor)"
    )
    print(f"  book build after the sweep executed: {figures['build_executed'] or 'nothing'}")
    print(
        f"  book rebuild, nothing changed:  {figures['rebuild_s']:6.1f} s wall, {figures['rebuild_cpu_s']:6.1f} s CPU "
        f"(executed {figures['rebuild_executed'] or 'nothing'})"
    )


# Records, in the page, when the first chart is drawn (performance.now(): ms since navigation start).
_FIRST_CHART_PROBE = """
new MutationObserver(function (changes, observer) {
  for (const change of changes) {
    if (change.attributeName === "data-rendered" && change.target.getAttribute("data-rendered") === "true") {
      window.__firstChartDrawnMs = performance.now();
      observer.disconnect();
      return;
    }
  }
}).observe(document, {attributes: true, subtree: true, attributeFilter: ["data-rendered"]});
"""


def page_weights(html_dir: Path, pages: list[str], repeats: int = 3) -> list[dict]:
    """Bytes each page loads (plain static server, no compression, empty cache) and when its first chart is drawn.

    Each page is opened ``repeats`` times in a fresh browser context; the draw time is the median.
    """
    import statistics

    from playwright.sync_api import sync_playwright

    base, server = serve_static(html_dir)
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        for page_path in pages:
            draws, all_drawn = [], []
            for _ in range(repeats):
                context = browser.new_context()
                context.add_init_script(_FIRST_CHART_PROBE)
                page = context.new_page()
                sizes = record_response_sizes(page)
                page.goto(base + page_path, wait_until="load")
                charts = page.locator(".book-chart").count()
                if charts:
                    page.wait_for_function(
                        "n => document.querySelectorAll('.book-chart[data-rendered]').length === n",
                        arg=charts,
                        timeout=60000,
                    )
                    draws.append(page.evaluate("window.__firstChartDrawnMs || null"))
                    all_drawn.append(page.evaluate("performance.now()"))
                page.wait_for_load_state("networkidle")
                context.close()
            rows.append(
                {
                    "page": page_path,
                    "bytes": sum(sizes.values()),
                    "requests": len(sizes),
                    "charts": charts,
                    "first_chart_ms": statistics.median(draws) if draws and None not in draws else None,
                    "all_charts_ms": statistics.median(all_drawn) if all_drawn else None,
                    "largest": sorted(((size, url.removeprefix(base)) for url, size in sizes.items()), reverse=True)[
                        :4
                    ],
                }
            )
        browser.close()
    server.shutdown()
    return rows


def print_page_weights(rows: list[dict]) -> None:
    print("pages (plain static server, no compression; bytes with everything the page loads):")
    for row in rows:
        drawn = (
            f"first chart {row['first_chart_ms']:5.0f} ms, all {row['charts']} by {row['all_charts_ms']:5.0f} ms"
            if row["charts"]
            else "no charts"
        )
        print(f"  {row['page']:<34} {row['bytes'] / 1e3:7.0f} KB {row['requests']:3d} requests  {drawn}")
        print("      largest: " + ", ".join(f"{url} {size / 1e3:.0f} KB" for size, url in row["largest"]))
    text_pages = [r for r in rows if not r["charts"]]
    chart_pages = [r for r in rows if r["charts"]]
    if text_pages:
        print(f"  heaviest text-only page:  {max(r['bytes'] for r in text_pages) / 1e3:.0f} KB (target < 400 KB)")
    if chart_pages:
        print(f"  heaviest chart page:      {max(r['bytes'] for r in chart_pages) / 1e3:.0f} KB (target < 1200 KB)")
        print(f"  slowest first chart:      {max(r['first_chart_ms'] for r in chart_pages):.0f} ms (target < 1000 ms)")


# ------------------------------------------------------------------------------ municipality pages

FAMILY_PREFIX = "municipalities/"
CHANGED_PARAMETER = {"peers": 5}


def _build_lines(output: str) -> dict:
    """What a build printed: runs executed, their worker seconds, Sphinx's time, images rendered."""
    executed = [line for line in output.splitlines() if ": executed in " in line]
    worker = sum(float(line.split(": executed in ")[1].split(" s")[0]) for line in executed)
    sphinx = [line for line in output.splitlines() if line.startswith("book built in ")]
    pdf = [line for line in output.splitlines() if line.startswith("PDF edition printed")]
    return {
        "executed": executed_pages(output),
        "worker_s": worker,
        "jupyter_book_s": float(sphinx[0].split("book built in ")[1].split(" s")[0]) if sphinx else 0.0,
        "pdf_s": float(pdf[0].split(" in ")[1].split(" s")[0]) if pdf else 0.0,
    }


def _family_cells(runs_dir: Path) -> dict:
    """Time inside the cells of the family's cached runs, by cell kind (from papermill's metadata)."""
    totals = {"prepare": 0.0, "figure": 0.0, "tables": 0.0, "other": 0.0, "runs": 0, "run_s": 0.0}
    for record in runs_dir.glob("*/run.json"):
        meta = json.loads(record.read_text(encoding="utf-8"))
        if not str(meta.get("page", "")).startswith(FAMILY_PREFIX):
            continue
        notebook = nbformat.read(record.with_name("notebook.ipynb"), as_version=4)
        totals["runs"] += 1
        totals["run_s"] += float(meta.get("seconds") or 0.0)
        for cell in notebook.cells:
            seconds = float(cell.metadata.get("papermill", {}).get("duration") or 0.0)
            source = cell.source if cell.cell_type == "code" else ""
            kind = (
                "prepare"
                if ".prepare(" in source
                else "figure"
                if "charts.figure(" in source
                else "tables"
                if "charts.table(" in source
                else "other"
            )
            totals[kind] += seconds
    return totals


def own_page_bytes(html_dir: Path, pages: list[str]) -> list[dict]:
    """A page's own bytes: its HTML and the chart-data scripts it loads (the shared Vega bundle, theme
    and fonts load once for the whole book and are cached)."""
    import re

    rows = []
    for page in pages:
        html = (html_dir / page).read_bytes()
        files = set()
        for listed in re.findall(rb"var files = (\[[^\]]*\]);", html):
            files.update(json.loads(listed))
        data = sum((html_dir / name.replace(".json", ".js")).stat().st_size for name in files)
        rows.append({"page": page, "html": len(html), "data": data, "own": len(html) + data})
    return rows


def build_with_one_page_changed(page: str) -> int:
    """(Internal, run in a subprocess) build with ``page``'s parameters changed by CHANGED_PARAMETER."""
    import dataclasses

    sys.path.insert(0, str(ROOT / "src"))
    from helpers.book import build, runplan

    plan = runplan.load_run_plan()
    parts = tuple(
        dataclasses.replace(
            part,
            pages=tuple(
                dataclasses.replace(p, parameters={**p.parameters, **CHANGED_PARAMETER}) if p.page == page else p
                for p in part.pages
            ),
        )
        for part in plan.parts
    )
    changed = dataclasses.replace(plan, parts=parts)
    build.load_run_plan = lambda *args, **kwargs: changed  # the build reads this plan instead of the file
    return build.build_book()


def municipality_benchmark(runs: int = 24, workers: int = 2) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from helpers.analysis import municipality_profile
    from helpers.book import batch, build, runplan

    python = str(ROOT / ".venv" / "bin" / "python")
    figures: dict = {"runs": runs, "workers": workers}

    # 1. The whole family from a clean cache: its runs, the profile panel and Sphinx's parsed documents.
    forgotten = 0
    for record in build.RUNS_DIR.glob("*/run.json"):
        if str(json.loads(record.read_text(encoding="utf-8")).get("page", "")).startswith(FAMILY_PREFIX):
            shutil.rmtree(record.parent)
            forgotten += 1
    shutil.rmtree(municipality_profile.PANEL_DIR, ignore_errors=True)
    shutil.rmtree(build.WORK_BUILD_DIR, ignore_errors=True)
    figures["forgotten_runs"] = forgotten
    figures["family_build_s"], output = timed(
        "build: the family from a clean cache", [python, "-m", "helpers", "build"], ROOT
    )
    figures["family_build"] = _build_lines(output)
    figures["family_cells"] = _family_cells(build.RUNS_DIR)

    # 2. Naive papermill loop vs the batch engine, same 24 municipalities, same template.
    template = ROOT / "notebooks" / "municipality.ipynb"
    codes = [parameters["municipality"] for parameters, _ in runplan.municipalities_in_release(2021)][:runs]
    work = Path(tempfile.mkdtemp(prefix="book-muni-bench-"))
    print(f"· naive: {len(codes)} sequential papermill runs of municipality.ipynb", file=sys.stderr, flush=True)
    shutil.rmtree(municipality_profile.PANEL_DIR, ignore_errors=True)
    started = time.perf_counter()
    for code in codes:
        build.execute_notebook(
            template,
            work / "naive" / f"{code}.ipynb",
            {"municipality": code},
            work / "naive" / "chart-data",
            log=lambda _: None,
        )
    figures["naive_s"] = time.perf_counter() - started
    print(f"· batch engine: the same runs on {workers} warm kernels", file=sys.stderr, flush=True)
    shutil.rmtree(municipality_profile.PANEL_DIR, ignore_errors=True)
    text = template.read_text(encoding="utf-8")
    specs = [
        batch.RunSpec(
            key=code,
            label=code,
            template_name="notebooks/municipality.ipynb",
            template_text=text,
            parameters={"municipality": code},
            cwd=str(template.parent),
            preload=tuple(batch.template_imports(text)),
            environment={"BOOK_CHAPTER_NUMBER": ""},
        )
        for code in codes
    ]
    started = time.perf_counter()
    outcomes = batch.run_batch(specs, workers=workers)
    figures["batch_s"] = time.perf_counter() - started
    failed = [outcome.label for outcome in outcomes if not outcome.ok]
    if failed:
        raise SystemExit(f"municipality benchmark: runs failed: {failed}")
    figures["batch_kernel_s"] = sum(outcome.kernel_seconds for outcome in outcomes)
    figures["batch_reset_s"] = sum(outcome.reset_seconds for outcome in outcomes)
    shutil.rmtree(work, ignore_errors=True)

    # 3. One page's parameter changed: only that page re-executes; then back, and nothing changed.
    page = "municipalities/837"
    figures["changed_s"], output = timed(
        f"build with {page} changed {CHANGED_PARAMETER}",
        [python, str(Path(__file__).resolve()), "--changed-page", page],
        ROOT,
    )
    figures["changed"] = _build_lines(output)
    figures["restored_s"], output = timed("build with the run plan as it is", [python, "-m", "helpers", "build"], ROOT)
    figures["restored"] = _build_lines(output)
    figures["unchanged_s"], output = timed("rebuild, nothing changed", [python, "-m", "helpers", "build"], ROOT)
    figures["unchanged"] = _build_lines(output)
    figures["unchanged_output"] = output.strip().splitlines()[-3:]

    # 4. Page weights.
    # from the run plan: the family's pages are nested under the index in _toc.yml (sections)
    pages = [f"{p.page}.html" for p in runplan.load_run_plan().pages() if p.page.startswith(FAMILY_PREFIX)]
    figures["weights"] = own_page_bytes(ROOT / "book" / "_build" / "html" / "en", pages)
    return figures


def print_municipalities(figures: dict) -> None:
    family = figures["family_build"]
    cells = figures["family_cells"]
    runs, workers = figures["runs"], figures["workers"]
    naive, batched = figures["naive_s"] / runs, figures["batch_s"] / runs
    print("\nMunicipality pages (notebooks/municipality.ipynb x 309, 2021 division) — this work tree")
    print(
        f"  family executed and built, clean cache:   {figures['family_build_s']:6.1f} s  (target < 90 s; "
        f"{len(family['executed'])} runs executed)"
    )
    execution = figures["family_build_s"] - family["jupyter_book_s"]
    print(f"    validation, execution, images, assembly: {execution:6.1f} s wall")
    print(
        f"    Jupyter Book (Sphinx read + write, PDF): {family['jupyter_book_s']:6.1f} s  (PDF {family['pdf_s']:.1f} s)"
    )
    if cells["runs"]:
        n = cells["runs"]
        print(f"    per run (worker time, mean of {n}):        {cells['run_s'] / n:6.2f} s, of which in the cells:")
        print(
            f"      prepare (validation, profile): {cells['prepare'] / n:.3f} s; figure (spec, Vega, SVG): "
            f"{cells['figure'] / n:.3f} s; tables: {cells['tables'] / n:.3f} s; other: {cells['other'] / n:.3f} s"
        )
        rest = (cells["run_s"] - cells["prepare"] - cells["figure"] - cells["tables"] - cells["other"]) / n
        print(f"      papermill/nbclient and the kernel reset around the cells: {rest:.3f} s")
    print(
        f"  naive loop, {runs} runs (1 papermill + 1 kernel each): {figures['naive_s']:6.1f} s = {naive:5.2f} s per page"
    )
    print(
        f"  batch engine, same {runs} runs ({workers} warm kernels):     {figures['batch_s']:6.1f} s = {batched:5.2f} s per page"
    )
    print(f"  speed-up per page:                                  {naive / batched:6.1f}x  (target >= 10x)")
    print(
        f"    (kernel starts {figures['batch_kernel_s']:.1f} s, resets {figures['batch_reset_s']:.1f} s, summed over workers)"
    )
    changed = figures["changed"]
    print(
        f"  one page's parameter changed ({CHANGED_PARAMETER}): {figures['changed_s']:6.1f} s, re-executed "
        f"{changed['executed'] or 'nothing'}"
    )
    print(
        f"  changed back:                               {figures['restored_s']:6.1f} s, re-executed {figures['restored']['executed'] or 'nothing'}"
    )
    print(
        f"  no-change rebuild of the whole book:        {figures['unchanged_s']:6.1f} s, re-executed "
        f"{figures['unchanged']['executed'] or 'nothing'}  (target < 5 s)"
    )
    weights = sorted(figures["weights"], key=lambda row: row["own"])
    if weights:
        median = weights[len(weights) // 2]
        heaviest = weights[-1]
        print(
            f"  page own bytes (HTML + chart data it loads), {len(weights)} pages: min {weights[0]['own'] / 1e3:.0f} KB, "
            f"median {median['own'] / 1e3:.0f} KB, max {heaviest['own'] / 1e3:.0f} KB ({heaviest['page']}: HTML "
            f"{heaviest['html'] / 1e3:.0f} KB + data {heaviest['data'] / 1e3:.0f} KB)  (target < 150 KB)"
        )


# ------------------------------------------------------------------------------ editions

COLD_CACHES = (
    ".cache/runs",
    ".cache/jupyter-book",
    ".cache/pdf",
    ".cache/figure-images",
    ".cache/editions",
    "book/_build",
)


def editions_benchmark(tree: Path, python: str) -> dict[str, float]:
    """Cold build of the English edition alone (BOOK_EDITIONS=en), then a cold build of all three,
    then a no-change rebuild of all three. Target (issue #13): the two extra editions add at most
    1.5x the English build's time; the no-change rebuild stays under 5 s."""

    def cold() -> None:
        for name in COLD_CACHES:
            shutil.rmtree(tree / name, ignore_errors=True)

    figures: dict[str, float] = {}
    cold()
    english = {**os.environ, "BOOK_EDITIONS": "en"}
    print("· English edition alone, cold", file=sys.stderr, flush=True)
    started = time.perf_counter()
    subprocess.run([python, "-m", "helpers", "build"], cwd=tree, env=english, check=True, capture_output=True)
    figures["english_cold_s"] = time.perf_counter() - started
    cold()
    figures["three_cold_s"], _ = timed("fi, sv and en, cold", [python, "-m", "helpers", "build"], tree)
    figures["three_noop_s"], _ = timed("fi, sv and en, nothing changed", [python, "-m", "helpers", "build"], tree)
    figures["extra_s"] = figures["three_cold_s"] - figures["english_cold_s"]
    figures["extra_ratio"] = figures["extra_s"] / figures["english_cold_s"]
    return figures


def print_editions(figures: dict[str, float]) -> None:
    print("Editions (fi, sv, en from one source; cold = empty run, Sphinx, image and PDF caches):")
    print(f"  English edition alone, cold:     {figures['english_cold_s']:6.1f} s")
    print(f"  three editions, cold:            {figures['three_cold_s']:6.1f} s")
    print(
        f"  the two extra editions add:      {figures['extra_s']:6.1f} s = {figures['extra_ratio']:.2f}x "
        "the English build (target <= 1.5x)"
    )
    print(f"  no-change rebuild of all three:  {figures['three_noop_s']:6.1f} s (target < 5 s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--in-place", action="store_true", help="benchmark this work tree instead of a fresh clone")
    parser.add_argument("--keep", action="store_true", help="keep the temporary clone")
    parser.add_argument("--batch", action="store_true", help="only the batch engine against naive papermill")
    parser.add_argument(
        "--municipalities", action="store_true", help="the municipality pages: family build, naive vs engine, weights"
    )
    parser.add_argument("--changed-page", help=argparse.SUPPRESS)  # internal: one build with a page's parameter changed
    parser.add_argument(
        "--editions",
        action="store_true",
        help="only the cost of the fi and sv editions (fresh clone unless --in-place)",
    )
    parser.add_argument(
        "--pages", action="store_true", help="only measure the pages of the book already built in this work tree"
    )
    parser.add_argument("--sweep", action="store_true", help="only the robustness sweep through the batch engine")
    args = parser.parse_args()
    if args.pages:
        html_dir = ROOT / "book" / "_build" / "html" / "en"  # the English edition
        if not (html_dir / "index.html").exists():
            print("error: no built book in book/_build/html: run `make book` first", file=sys.stderr)
            return 2
        print_page_weights(page_weights(html_dir, book_pages(ROOT)))
        return 0
    if not os.environ.get("BOOK_DATA_MIRROR"):
        print("error: set BOOK_DATA_MIRROR to a copy of the data release", file=sys.stderr)
        return 2
    if args.changed_page:
        return build_with_one_page_changed(args.changed_page)
    if args.municipalities:
        figures = municipality_benchmark()
        print_municipalities(figures)
        print(json.dumps(figures, default=str), file=sys.stderr)
        return 0
    if args.sweep:
        figures = sweep_benchmark()
        print_sweep(figures)
        print(json.dumps(figures, default=str), file=sys.stderr)
        return 0
    if args.batch:
        figures = batch_benchmark()
        print_batch(figures)
        print(json.dumps(figures, default=str), file=sys.stderr)
        return 0

    if args.in_place:
        tree = ROOT
    else:
        tree = Path(tempfile.mkdtemp(prefix="book-bench-")) / "book"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(tree)], check=True)
    python = str(tree / ".venv" / "bin" / "python")
    figures: dict[str, object] = {}
    if args.editions:
        if not args.in_place:
            timed("set-up (venv from uv.lock, kernel, npm)", ["make", "setup"], tree)
        edition_figures = editions_benchmark(tree, python)
        print_editions(edition_figures)
        print(json.dumps(edition_figures), file=sys.stderr)
        return 0

    figures["setup_s"], _ = timed("set-up (venv from uv.lock, kernel, npm)", ["make", "setup"], tree)
    figures["full_build_s"], output = timed("full build", [python, "-m", "helpers", "build"], tree)
    figures["full_build_executed"] = executed_pages(output)
    figures["rebuild_unchanged_s"], output = timed("rebuild, nothing changed", [python, "-m", "helpers", "build"], tree)
    figures["rebuild_unchanged_executed"] = executed_pages(output)
    touched = touch_one_notebook(tree)
    figures["rebuild_touched_s"], output = timed(
        f"rebuild after touching {touched}", [python, "-m", "helpers", "build"], tree
    )
    figures["rebuild_touched_executed"] = executed_pages(output)
    subprocess.run(["git", "checkout", "--quiet", "--", "notebooks"], cwd=tree, check=False)
    figures["nbval_s"], _ = timed(
        "nbval",
        [
            python,
            "-m",
            "pytest",
            "notebooks",
            "--nbval",
            "-q",
            "-p",
            "no:cacheprovider",
            "--nbval-sanitize-with",
            "tests/nbval_sanitize.cfg",
        ],
        tree,
    )
    pages = measure_pages(tree)

    print("\nBenchmark (2-core machine)" + (" — fresh clone of HEAD" if not args.in_place else " — work tree"))
    print(f"  set-up:                          {figures['setup_s']:6.1f} s")
    print(
        f"  full build:                      {figures['full_build_s']:6.1f} s  "
        f"(executed {len(figures['full_build_executed'])} notebooks)"
    )
    print(
        f"  rebuild, nothing changed:        {figures['rebuild_unchanged_s']:6.1f} s  "
        f"(executed {figures['rebuild_unchanged_executed'] or 'nothing'})"
    )
    print(
        f"  rebuild after touching 1 notebook: {figures['rebuild_touched_s']:4.1f} s  "
        f"(executed {figures['rebuild_touched_executed']})"
    )
    print(f"  nbval on notebooks/:             {figures['nbval_s']:6.1f} s")
    print("  pages (weight with everything loaded; time until all charts are drawn):")
    for row in sorted(pages, key=lambda r: -r["bytes"]):
        drawn = f"{row['charts_drawn_s']:.2f} s for {row['charts']} charts" if row["charts"] else "no charts"
        print(f"    {row['page']:<40} {row['bytes'] / 1e6:6.2f} MB  {row['requests']:3d} requests  {drawn}")
    largest = max(pages, key=lambda r: r["bytes"])
    print(f"  largest page: {largest['page']} {largest['bytes'] / 1e6:.2f} MB")
    print(json.dumps({**figures, "pages": pages}, default=str), file=sys.stderr)
    if not args.in_place and not args.keep:
        shutil.rmtree(tree.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
