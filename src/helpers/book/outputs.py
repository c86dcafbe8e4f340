"""Check what `python -m helpers run` reads and writes before any kernel starts.

The input must be a notebook file. The output must be a new or existing notebook file outside the
project's sources: never a notebook tracked by git (the reference editions nbval checks), never
anything under book/ (the build's sources and the published HTML) or .cache/ (the run cache),
never an existing file that is not a notebook, never a folder. ``--overwrite-source`` lifts the
protection of tracked notebooks and non-notebook files for someone who means it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from helpers.errors import ParameterError
from helpers.paths import BOOK_DIR, CACHE_DIR, NOTEBOOKS_DIR, REPO_ROOT

EXAMPLE_INPUT = "notebooks/pilot.ipynb"


def _read_notebook_json(path: Path) -> dict | None:
    """The file as notebook JSON, or None when it is not one."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(1)
            if head != b"{":
                return None
            document = json.loads(head + handle.read())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or "cells" not in document or "nbformat" not in document:
        return None
    return document


def check_notebook_input(path: Path) -> Path:
    """The notebook to run: an existing ``.ipynb`` file holding a notebook; ParameterError otherwise."""
    if not path.exists():
        raise ParameterError(
            f"notebook {path} not found; the book's notebooks are in notebooks/ (e.g. {EXAMPLE_INPUT})"
        )
    if path.is_dir():
        raise ParameterError(f"{path} is a folder, not a notebook; give one notebook file such as {EXAMPLE_INPUT}")
    if not path.is_file():
        raise ParameterError(f"{path} is not a regular file; give a notebook file such as {EXAMPLE_INPUT}")
    if path.suffix != ".ipynb":
        raise ParameterError(f"{path} is not a notebook (.ipynb); give a notebook file such as {EXAMPLE_INPUT}")
    if _read_notebook_json(path) is None:
        raise ParameterError(
            f"{path} is not a valid Jupyter notebook (not notebook JSON); restore it with `git checkout -- {path}` "
            f"or give another notebook such as {EXAMPLE_INPUT}"
        )
    return path


def _tracked_by_git(path: Path) -> bool:
    try:
        relative = path.relative_to(REPO_ROOT)
    except ValueError:
        return False
    try:
        completed = subprocess.run(
            ["git", "ls-files", "--error-unmatch", "--", str(relative)],
            cwd=REPO_ROOT,
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return path.suffix == ".ipynb" and NOTEBOOKS_DIR.resolve() in path.parents
    return completed.returncode == 0


def _inside(path: Path, folder: Path) -> bool:
    folder = folder.resolve()
    return path == folder or folder in path.parents


def check_run_output(notebook: Path, output: Path, *, overwrite_source: bool = False) -> Path:
    """Where `run` may write; ParameterError naming the problem and the fix otherwise."""
    fix = "write to a new file such as build/NAME.ipynb"
    if output.is_dir():
        raise ParameterError(f"-o {output} is a folder; give a file name inside it, such as {output / notebook.name}")
    if output.suffix != ".ipynb":
        raise ParameterError(f"-o {output}: the executed notebook needs a .ipynb name; {fix}")
    parent = output.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise ParameterError(f"-o {output}: {parent} is a file, not a folder; {fix}")
    resolved = output.resolve()
    for folder, what in ((BOOK_DIR, "the book's sources and published HTML"), (CACHE_DIR, "the build cache")):
        if _inside(resolved, folder):
            raise ParameterError(
                f"-o {output} is inside {folder.relative_to(REPO_ROOT)}/ ({what}), which only `build` writes; {fix}"
            )
    if overwrite_source:
        return output
    if resolved == notebook.resolve():
        raise ParameterError(
            f"-o {output} is the notebook being run: writing there would overwrite its source; {fix} "
            "(or add --overwrite-source if you mean to)"
        )
    if _tracked_by_git(resolved):
        raise ParameterError(
            f"-o {output} is a file tracked by git (a source of the book); {fix} "
            "(or add --overwrite-source if you mean to replace it)"
        )
    if output.exists() and _read_notebook_json(output) is None:
        raise ParameterError(
            f"-o {output} exists and is not a notebook; {fix} (or add --overwrite-source if you mean to replace it)"
        )
    return output
