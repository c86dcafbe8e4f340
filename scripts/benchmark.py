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
            sizes: dict[str, int] = {}

            def on_response(response, sizes=sizes):
                try:
                    sizes[response.url] = len(response.body())
                except Exception:  # a redirect or aborted response has no body
                    pass

            page.on("response", on_response)
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
                sizes: dict[str, int] = {}

                def on_response(response, sizes=sizes):
                    try:
                        sizes[response.url] = len(response.body())
                    except Exception:  # a redirect or aborted response has no body
                        pass

                page.on("response", on_response)
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
        "--editions",
        action="store_true",
        help="only the cost of the fi and sv editions (fresh clone unless --in-place)",
    )
    parser.add_argument(
        "--pages", action="store_true", help="only measure the pages of the book already built in this work tree"
    )
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
