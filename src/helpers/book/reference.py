"""Re-execute the committed notebooks with their default parameters: the reference edition.

nbval re-runs these notebooks and compares every output with the stored one, so the stored
outputs must come from exactly this kind of run: a fresh kernel in the notebook's folder, no
injected parameters. Volatile execution metadata is dropped to keep diffs readable.
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from helpers.book.kernels import LocalKernelManager
from helpers.book.params import validate_parameters
from helpers.paths import NOTEBOOKS_DIR


def _strip_volatile_metadata(notebook: nbformat.NotebookNode) -> None:
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
    notebook.metadata.pop("papermill", None)
    notebook.metadata.pop("widgets", None)


def execute_reference_editions(names: list[str] | None = None) -> int:
    paths = [Path(name) for name in names] if names else sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    for index, path in enumerate(paths, start=1):
        validate_parameters(path, {})
        notebook = nbformat.read(path, as_version=4)
        started = time.perf_counter()
        client = NotebookClient(
            notebook,
            kernel_name="python3",
            timeout=600,
            kernel_manager_class=LocalKernelManager,
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute()
        _strip_volatile_metadata(notebook)
        nbformat.write(notebook, path)
        print(f"[{index}/{len(paths)}] {path.name}: executed in {time.perf_counter() - started:.1f} s", flush=True)
    return 0
