"""Benchmark the book from a clean state and print the figures (not a test: it asserts nothing).

    .venv/bin/python scripts/benchmark.py            # fresh clone of HEAD in a temporary folder
    .venv/bin/python scripts/benchmark.py --in-place # this work tree, as it is

Prints: set-up time, full build, rebuild with nothing changed, rebuild after touching one
notebook (and which notebooks re-executed), nbval time, and for every page its weight with
everything it loads and the time until all its charts are drawn (headless chromium).
Needs BOOK_DATA_MIRROR. Targets (issue #2/#6): rebuild < 5 s, full build < 60 s, pages < 2 MB,
charts drawn < 2 s.
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
    return [line.split(":")[0].strip() for line in build_output.splitlines() if ": executed in" in line]


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


def measure_pages(tree: Path) -> list[dict]:
    from playwright.sync_api import sync_playwright

    html_dir = tree / "book" / "_build" / "html"

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--in-place", action="store_true", help="benchmark this work tree instead of a fresh clone")
    parser.add_argument("--keep", action="store_true", help="keep the temporary clone")
    args = parser.parse_args()
    if not os.environ.get("BOOK_DATA_MIRROR"):
        print("error: set BOOK_DATA_MIRROR to a copy of the data release", file=sys.stderr)
        return 2

    if args.in_place:
        tree = ROOT
    else:
        tree = Path(tempfile.mkdtemp(prefix="book-bench-")) / "book"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(tree)], check=True)
    python = str(tree / ".venv" / "bin" / "python")
    figures: dict[str, object] = {}

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
