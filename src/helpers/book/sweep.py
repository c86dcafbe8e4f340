"""Results recorded in executed notebooks, and collected back from a family's cached runs.

A run of a template records what it computed with :func:`record`: one output of the custom
MIME type ``RESULT_MIME`` (a JSON value under a name, beside a one-line text/plain summary), so
the executed notebook itself carries its result (as scrapbook does, without the dependency).
:func:`recorded` reads those outputs back from an executed notebook.

:func:`collect` gathers one family's results from the run cache: it works out each run's cache
folder exactly as the build does (the template's source, the validated parameters, the helpers
code; ``helpers.book.build.run_identity``), checks that the run is up to date with the data, and
reads the recorded result from its executed notebook. Nothing is recomputed; a run that is
missing or stale is an error that says how to run the family. The build keys a page that
``needs`` the family on :func:`results_digest` of the same records.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.errors import BuildError

RESULT_MIME = "application/vnd.book.result+json"
DEFAULT_NAME = "result"


def record(value: Any, name: str = DEFAULT_NAME, summary: str | None = None) -> None:
    """Record ``value`` (JSON-native) in the running notebook as an output named ``name``."""
    from IPython.display import display

    text = json.dumps(value, sort_keys=True, allow_nan=False)  # refuses NaN: JSON readers would choke
    display(
        {RESULT_MIME: {"name": name, "value": json.loads(text)}, "text/plain": summary or f"recorded {name!r}"},
        raw=True,
    )


def recorded(notebook: Any) -> dict[str, Any]:
    """Name -> value of every result recorded in an executed notebook (its JSON, bytes, or a dict)."""
    if isinstance(notebook, (bytes, str)):
        notebook = json.loads(notebook)
    found: dict[str, Any] = {}
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            item = output.get("data", {}).get(RESULT_MIME)
            if isinstance(item, dict) and "name" in item:
                found[str(item["name"])] = item.get("value")
    return found


def results_digest(records: Sequence[Any]) -> str:
    """SHA-256 of the records in order: equal digests, equal results."""
    return hashlib.sha256(json.dumps(list(records), sort_keys=True).encode()).hexdigest()


def read_runs(notebooks: Iterable[tuple[str, Path]], name: str = DEFAULT_NAME) -> list[Any]:
    """The result ``name`` of each (label, executed notebook path); the one way results are read."""
    records = []
    for label, path in notebooks:
        values = recorded(path.read_bytes())
        if name not in values:
            raise BuildError(f"{label}: the executed notebook {path} recorded no result {name!r}")
        records.append(values[name])
    return records


@dataclass(frozen=True)
class FamilyRun:
    label: str  # the run's page name in the run plan
    folder: Path  # its cache folder
    up_to_date: bool  # executed with the current template, parameters, code and data


def family_runs(family: str, plan_path: Path | None = None) -> list[FamilyRun]:
    """Where each run of ``family`` is cached and whether it is up to date (nothing is executed)."""
    from helpers import data as book_data
    from helpers.book import build
    from helpers.book.params import validate_parameters
    from helpers.book.runplan import load_run_plan

    plan = load_run_plan(plan_path) if plan_path else load_run_plan()
    pages = plan.family_pages(family)
    numbers = plan.chapter_numbers()
    code = build.code_hash()
    checksums = book_data.dataset_checksums()
    sources: dict[str, str] = {}
    runs = []
    for page in pages:
        assert page.notebook is not None
        if page.notebook not in sources:
            sources[page.notebook] = build.notebook_source_hash(page.notebook_path)
        validated = validate_parameters(page.notebook_path, page.parameters, page.chapter)
        identity = build.run_identity(page, validated, code, sources[page.notebook], numbers.get(page.page))
        folder = build.RUNS_DIR / identity
        runs.append(FamilyRun(page.page, folder, build._cached_run(folder, checksums) is not None))
    return runs


def collect(family: str, name: str = DEFAULT_NAME, plan_path: Path | None = None) -> list[Any]:
    """The result ``name`` recorded by every run of ``family``, in the run plan's order.

    Raises BuildError when a run has not been executed with the current code and data, naming
    how many and the command that runs them.
    """
    runs = family_runs(family, plan_path)
    stale = [run.label for run in runs if not run.up_to_date]
    if stale:
        raise BuildError(
            f"{len(stale)} of {len(runs)} runs of family {family!r} are not executed with the current code and "
            f"data (first: {stale[0]}); run them with `python -m helpers sweep {family}` "
            "(or `python -m helpers build`)"
        )
    return read_runs([(run.label, run.folder / "notebook.ipynb") for run in runs], name)


__all__ = ["RESULT_MIME", "collect", "family_runs", "read_runs", "record", "recorded", "results_digest"]
