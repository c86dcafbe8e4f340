"""The build: run plan and table of contents agree, runs are keyed, failures keep the last good book."""

import os
import subprocess
import sys
import time

import nbformat
import pytest
import yaml

from helpers.book import build, runplan
from helpers.errors import BuildError, ParameterError
from helpers.paths import BOOK_DIR, REPO_ROOT


def test_committed_toc_is_the_one_the_run_plan_implies():
    plan = runplan.load_run_plan()
    assert (BOOK_DIR / "_toc.yml").read_text(encoding="utf-8") == runplan.toc_text(plan)


def test_every_notebook_in_the_run_plan_validates_with_its_parameters():
    plan = runplan.load_run_plan()
    validated = build.validate_plan(plan)
    assert set(validated) == {page.page for page in plan.notebook_pages()}


def _write_plan(tmp_path, body):
    path = tmp_path / "runplan.yml"
    path.write_text(yaml.safe_dump(body))
    return path


def test_run_plan_rejects_duplicate_pages_unknown_keys_and_missing_notebooks(tmp_path):
    page = {"page": "chapters/introduction", "notebook": "notebooks/introduction.ipynb"}
    with pytest.raises(ParameterError, match="appears twice"):
        runplan.load_run_plan(_write_plan(tmp_path, {"root": page, "parts": [{"caption": "x", "pages": [dict(page)]}]}))
    with pytest.raises(ParameterError, match=r"unknown keys \['params'\]"):
        runplan.load_run_plan(_write_plan(tmp_path, {"root": {**page, "params": {}}}))
    with pytest.raises(ParameterError, match="notebooks/nope.ipynb does not exist"):
        runplan.load_run_plan(_write_plan(tmp_path, {"root": {"page": "x", "notebook": "notebooks/nope.ipynb"}}))


def test_run_key_follows_parameters_data_and_source_but_not_outputs(tmp_path):
    page = runplan.Page(page="chapters/introduction", notebook="notebooks/introduction.ipynb")
    key = build.run_key(page, {"year": 2019}, {"population": "abc"}, "code")
    assert key == build.run_key(page, {"year": 2019}, {"population": "abc"}, "code")
    assert key != build.run_key(page, {"year": 2018}, {"population": "abc"}, "code")
    assert key != build.run_key(page, {"year": 2019}, {"population": "abd"}, "code")
    assert key != build.run_key(page, {"year": 2019}, {"population": "abc"}, "other code")

    notebook = nbformat.read(page.notebook_path, as_version=4)
    copy = tmp_path / "copy.ipynb"
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    nbformat.write(notebook, copy)
    assert build.notebook_source_hash(copy) == build.notebook_source_hash(page.notebook_path)
    notebook.cells[0].source += " "
    nbformat.write(notebook, copy)
    assert build.notebook_source_hash(copy) != build.notebook_source_hash(page.notebook_path)


def _environment_without_mirror(tmp_path):
    environment = dict(os.environ)
    environment["BOOK_DATA_MIRROR"] = str(tmp_path / "no-such-release")
    return environment


def test_build_without_data_stops_at_once_and_says_how_to_provide_it(tmp_path):
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "helpers", "build"],
        capture_output=True,
        text=True,
        env=_environment_without_mirror(tmp_path),
        cwd=REPO_ROOT,
    )
    elapsed = time.perf_counter() - started
    assert completed.returncode == 3, completed.stderr
    assert "BOOK_DATA_MIRROR" in completed.stderr
    assert "executing" not in completed.stdout, "no notebook may run without data"
    assert elapsed < 20


@pytest.fixture
def last_good_book(tmp_path, monkeypatch):
    html = tmp_path / "book" / "_build" / "html"
    html.mkdir(parents=True)
    (html / "index.html").write_text("last good book")
    monkeypatch.setattr(build, "HTML_DIR", html)
    monkeypatch.setattr(build, "RUNS_DIR", tmp_path / "runs")
    return html


def test_a_failing_notebook_leaves_the_last_good_book_in_place(tmp_path, last_good_book):
    notebook = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell("year: int = 2019  # a year")
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters, nbformat.v4.new_code_cell("raise RuntimeError('synthetic failure')")]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (tmp_path / "notebooks").mkdir()
    nbformat.write(notebook, tmp_path / "notebooks" / "failing.ipynb")
    plan = runplan.RunPlan(
        root=runplan.Page(page="chapters/failing", notebook=str(tmp_path / "notebooks" / "failing.ipynb")), parts=()
    )
    with pytest.raises(BuildError, match="synthetic failure"):
        build.run_pages(plan, {"chapters/failing": {"year": 2019}}, {"population": "x"}, workers=1)
    assert (last_good_book / "index.html").read_text() == "last good book"
    assert not list((tmp_path / "runs").glob("*/run.json")), "a failed run must not be cached as done"


def test_a_failing_jupyter_book_build_leaves_the_last_good_book_in_place(tmp_path, monkeypatch, last_good_book):
    source = tmp_path / "broken-book"
    source.mkdir()
    (source / "_config.yml").write_text("title: synthetic\nexecute:\n  execute_notebooks: 'off'\n")
    (source / "_toc.yml").write_text("format: jb-book\nroot: intro\n")
    (source / "intro.md").write_text("# Synthetic\n\nA link to {doc}`a-page-that-does-not-exist`.\n")
    monkeypatch.setattr(build, "BOOK_DIR", source)
    monkeypatch.setattr(build, "WORK_BUILD_DIR", tmp_path / "work")
    monkeypatch.setattr(build, "CACHE_DIR", tmp_path)
    with pytest.raises(BuildError, match="Jupyter Book build failed"):
        build.jupyter_book_build()
    assert (last_good_book / "index.html").read_text() == "last good book"
