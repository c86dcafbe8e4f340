"""Re-execute the committed notebooks with their default parameters: the reference edition.

nbval re-runs these notebooks and compares every output with the stored one, so the stored
outputs must come from exactly this kind of run: the notebook's folder as working folder, no
injected parameters, execution counts from 1. The batch engine gives that on warm kernels
(each run starts from the kernel's clean snapshot); volatile execution metadata is dropped to
keep diffs readable.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from helpers.book import batch
from helpers.book.params import validate_parameters
from helpers.errors import BuildError
from helpers.paths import NOTEBOOKS_DIR


def _strip_volatile_metadata(notebook: nbformat.NotebookNode) -> None:
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        if cell.metadata.get("tags") == []:  # papermill adds an empty list to every cell
            del cell.metadata["tags"]
    for key in ("papermill", "widgets", "book_run"):
        notebook.metadata.pop(key, None)


def families_needed(paths: list[Path]) -> list[str]:
    """The families whose results the run plan's pages of these notebooks read (``needs``)."""
    from helpers.book.runplan import load_run_plan

    wanted = {path.resolve() for path in paths}
    pages = [page for page in load_run_plan().notebook_pages() if page.notebook_path.resolve() in wanted]
    return sorted({name for page in pages for name in page.needs})


def execute_reference_editions(
    names: list[str] | None = None, scheduler: str | None = None, workers: int | None = None
) -> int:
    paths = [Path(name).resolve() for name in names] if names else sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    needed = families_needed(paths)
    if needed:  # a chapter that reads a sweep's results needs the sweep up to date (cached runs are reused)
        from helpers.book.build import run_families

        run_families(needed, scheduler=scheduler, workers=workers)
    specs = []
    for path in paths:
        validate_parameters(path, {})
        text = path.read_text(encoding="utf-8")
        specs.append(
            batch.RunSpec(
                key=str(path),
                label=path.name,
                template_name=path.name,
                template_text=text,
                parameters={},
                cwd=str(path.parent),
                output_name=path.name,
                preload=tuple(batch.template_imports(text)),
            )
        )
    progress = batch.Progress(len(specs), "reference", lambda line: print(line, flush=True))
    failures = []

    def write(outcome: batch.RunOutcome) -> None:
        if not outcome.ok:
            failures.append(f"{outcome.label}: {outcome.error} (the stored notebook is unchanged)")
            progress.update(outcome.label, f"FAILED: {outcome.error}", failed=True)
            return
        notebook = nbformat.reads(outcome.notebook.decode("utf-8"), as_version=4)
        _strip_volatile_metadata(notebook)
        nbformat.write(notebook, outcome.key)
        # As an interactive run would: the chart data beside the notebook (git-ignored).
        chart_data = Path(outcome.key).parent / "chart-data"
        chart_data.mkdir(exist_ok=True)
        for name, content in outcome.chart_files.items():
            (chart_data / name).write_bytes(content)
        progress.update(outcome.label, f"executed in {outcome.seconds:.1f} s")

    try:
        batch.run_batch(specs, workers=workers, scheduler=scheduler, on_outcome=write)
    finally:
        progress.close()
    if failures:
        print("\n".join(failures), file=sys.stderr)
        raise BuildError(f"{len(failures)} of {len(specs)} notebooks failed")
    return 0
