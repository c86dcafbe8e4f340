"""Sweeps: results recorded in executed notebooks, families that are runs and not pages
(``publish: false``), pages that need a family's results, and collecting them back.

The templates here are SYNTHETIC notebooks written by the tests (they record x and x squared);
the grid test reads the book's own run plan.
"""

import json
import math

import nbformat
import pytest
import yaml

from helpers.book import build, runplan, sweep
from helpers.book import record as run_record
from helpers.errors import BuildError, ParameterError


def write_plan(tmp_path, *entries):
    path = tmp_path / "runplan.yml"
    body = {
        "root": {"page": "pages/how-to-cite"},
        "parts": [{"caption": "Runs", "numbered": True, "pages": list(entries)}],
    }
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return path


def write_notebook(path, *sources, parameters="x: int = 1  # a number"):
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    notebook.cells = [cell] + [nbformat.v4.new_code_cell(source) for source in sources]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return str(path)


RECORDING = 'from helpers.book import sweep\nsweep.record({"x": x, "square": x * x}, summary=f"x={x}")'


def squares_family(notebook, xs, publish=False):
    return {
        "family": "squares",
        "page": "squares/{x}",
        "notebook": notebook,
        "publish": publish,
        "over": {"list": [{"x": x} for x in xs]},
    }


def reader_page(notebook):
    # A page names a chapter module; the glossary's defaults validate and the synthetic notebook ignores them.
    return {"page": "chapters/reader", "notebook": notebook, "chapter": "glossary", "needs": ["squares"]}


@pytest.fixture
def runs_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "RUNS_DIR", tmp_path / "runs")
    monkeypatch.setattr(build, "PRELOAD_FILE", tmp_path / "preload.json")
    # The synthetic reader borrows the glossary's parameters, and the glossary runs once per edition;
    # these tests are about sweeps, so every page here is one run shared by the editions.
    monkeypatch.setattr(build, "edition_parameter", lambda page: None)
    monkeypatch.setenv("CI", "true")
    return tmp_path / "runs"


def executed(output: str) -> list[str]:
    return sorted(line.split("] ", 1)[1].split(":")[0] for line in output.splitlines() if ": executed in" in line)


# ------------------------------------------------------------------ recording and reading


def test_a_recorded_value_is_read_back_from_the_notebook_outputs(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append((obj, raw)))
    sweep.record({"estimate": -1.25, "notes": ["a"]}, summary="one line")
    sweep.record([1, 2], name="other")
    (first, raw), (second, _) = shown
    assert raw and first["text/plain"] == "one line" and set(first) == {sweep.RESULT_MIME, "text/plain"}
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": "text"},
            {
                "cell_type": "code",
                "outputs": [
                    {"output_type": "stream", "text": "hello"},
                    {"output_type": "display_data", "data": first, "metadata": {}},
                    {"output_type": "display_data", "data": second, "metadata": {}},
                ],
            },
        ]
    }
    assert sweep.recorded(notebook) == {"result": {"estimate": -1.25, "notes": ["a"]}, "other": [1, 2]}
    assert sweep.recorded(json.dumps(notebook).encode()) == sweep.recorded(notebook)


def test_a_value_json_cannot_hold_is_refused_when_recorded(monkeypatch):
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: None)
    with pytest.raises(ValueError):
        sweep.record({"estimate": math.nan})


def test_the_digest_follows_the_results_not_their_key_order():
    assert sweep.results_digest([{"a": 1, "b": 2}]) == sweep.results_digest([{"b": 2, "a": 1}])
    assert sweep.results_digest([{"a": 1}]) != sweep.results_digest([{"a": 2}])
    assert sweep.results_digest([{"a": 1}, {"a": 2}]) != sweep.results_digest([{"a": 2}, {"a": 1}])


# ------------------------------------------------------------------ the run plan


def test_an_unpublished_family_is_runs_not_pages(tmp_path):
    template = write_notebook(tmp_path / "nb" / "square.ipynb", RECORDING)
    reader = write_notebook(tmp_path / "nb" / "reader.ipynb", "print('reads squares')", parameters="")
    plan = runplan.load_run_plan(write_plan(tmp_path, squares_family(template, [1, 2, 3]), reader_page(reader)))
    runs = plan.family_pages("squares")
    assert [page.page for page in runs] == ["squares/1", "squares/2", "squares/3"]
    assert all(not page.publish for page in runs) and all(page in plan.notebook_pages() for page in runs)
    assert [page.page for page in plan.published_pages()] == ["pages/how-to-cite", "chapters/reader"]
    toc = runplan.toc_from_plan(plan)
    assert toc["parts"][0]["chapters"] == [{"file": "chapters/reader"}]
    assert plan.chapter_numbers() == {"chapters/reader": 1}, "unpublished runs take no chapter number"
    assert plan.pages()[-1].needs == ("squares",)
    published = runplan.load_run_plan(write_plan(tmp_path, squares_family(template, [1], publish=True)))
    assert [c["file"] for c in runplan.toc_from_plan(published)["parts"][0]["chapters"]] == ["squares/1"]


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (lambda t, r: [squares_family(t, [1]) | {"publish": "no"}], "'publish' is true or false"),
        (lambda t, r: [reader_page(r)], "needs family 'squares', which the plan does not have"),
        (lambda t, r: [squares_family(t, [1]), reader_page(r) | {"needs": "squares"}], "must be a list of family"),
        (lambda t, r: [{"page": "pages/how-to-cite", "needs": ["x"]}], "only a notebook page"),
    ],
)
def test_bad_publish_or_needs_fail_with_a_clear_message(tmp_path, entries, message):
    template = write_notebook(tmp_path / "nb" / "square.ipynb", RECORDING)
    reader = write_notebook(tmp_path / "nb" / "reader.ipynb", "1", parameters="")
    with pytest.raises(ParameterError, match=message):
        runplan.load_run_plan(write_plan(tmp_path, *entries(template, reader)))
    with pytest.raises(ParameterError, match="no family 'cubes'"):
        runplan.load_run_plan(write_plan(tmp_path, squares_family(template, [1]))).family_pages("cubes")


def test_the_books_sweep_is_the_specification_grid_unpublished_and_needed_by_the_robustness_chapter():
    from helpers.analysis.robustness import specification_grid

    plan = runplan.load_run_plan()
    runs = plan.family_pages("pilot-specifications")
    grid = specification_grid()
    assert len(runs) == len(grid) >= 300
    assert [page.parameters["outcome"] for page in runs] == [spec["outcome"] for spec in grid]
    assert {(p.parameters["comparison"], p.parameters["scale"]) for p in runs} == {
        (s["comparison"], s["scale"]) for s in grid
    }
    assert not any(page.publish for page in runs)
    toc_files = {c["file"] for part in runplan.toc_from_plan(plan)["parts"] for c in part["chapters"]}
    assert not any(file.startswith("specifications/") for file in toc_files)
    robustness = next(page for page in plan.pages() if page.chapter == "robustness")
    assert robustness.needs == ("pilot-specifications",) and robustness.page in toc_files


# ------------------------------------------------------------------ the build


def test_a_sweep_runs_once_and_the_page_that_needs_it_follows_its_results(tmp_path, runs_dir, capsys, monkeypatch):
    template = write_notebook(tmp_path / "nb" / "square.ipynb", RECORDING)
    reader = write_notebook(tmp_path / "nb" / "reader.ipynb", "print('reads squares')", parameters="")
    plan_path = write_plan(tmp_path, squares_family(template, [1, 2, 3]), reader_page(reader))
    plan = runplan.load_run_plan(plan_path)

    first = build.run_pages(plan, build.validate_plan(plan), {}, workers=2)
    assert executed(capsys.readouterr().out) == ["chapters/reader", "squares/1", "squares/2", "squares/3"]
    reader_key = first[-1].key
    record = json.loads((first[-1].folder / "run.json").read_text())
    digest = sweep.results_digest([{"x": x, "square": x * x} for x in (1, 2, 3)])
    assert record["inputs"] == {"squares": digest}, "the page's run is keyed on the digest of the results"

    # nothing changed: nothing runs
    again = build.run_pages(plan, build.validate_plan(plan), {}, workers=2)
    assert executed(capsys.readouterr().out) == [] and all(result.cached for result in again)

    # the template changes but its results do not: the runs re-execute, the page that reads them does not
    write_notebook(tmp_path / "nb" / "square.ipynb", "# a comment, same results", RECORDING)
    plan = runplan.load_run_plan(plan_path)
    same = build.run_pages(plan, build.validate_plan(plan), {}, workers=2)
    assert executed(capsys.readouterr().out) == ["squares/1", "squares/2", "squares/3"]
    assert same[-1].cached and same[-1].key == reader_key

    # one result changes: that run and the page re-execute
    plan = runplan.load_run_plan(write_plan(tmp_path, squares_family(template, [1, 2, 4]), reader_page(reader)))
    changed = build.run_pages(plan, build.validate_plan(plan), {}, workers=2)
    assert executed(capsys.readouterr().out) == ["chapters/reader", "squares/4"]
    assert changed[-1].key != reader_key

    # collected back from the executed notebooks, in the plan's order
    monkeypatch.setattr("helpers.data.dataset_checksums", lambda: {})
    assert sweep.collect("squares", plan_path=plan_path) == [{"x": x, "square": x * x} for x in (1, 2, 4)]


def test_collect_names_stale_runs_and_the_command_that_runs_them(tmp_path, runs_dir, monkeypatch):
    template = write_notebook(tmp_path / "nb" / "square.ipynb", RECORDING)
    plan_path = write_plan(tmp_path, squares_family(template, [1, 2]))
    monkeypatch.setattr("helpers.data.dataset_checksums", lambda: {})
    with pytest.raises(BuildError, match=r"2 of 2 runs of family 'squares'.*python -m helpers sweep squares"):
        sweep.collect("squares", plan_path=plan_path)
    assert [run.up_to_date for run in sweep.family_runs("squares", plan_path)] == [False, False]


def test_a_run_that_recorded_nothing_is_an_error_naming_it(tmp_path):
    path = tmp_path / "run.ipynb"
    path.write_text(json.dumps({"cells": []}))
    with pytest.raises(BuildError, match="squares/1: the executed notebook .* recorded no result 'result'"):
        sweep.read_runs([("squares/1", path)])


def test_a_failed_sweep_run_keeps_the_page_that_needs_it_from_running(tmp_path, runs_dir, capsys):
    failing = 'if x == 2:\n    raise RuntimeError("synthetic failure")\n' + RECORDING
    template = write_notebook(tmp_path / "nb" / "square.ipynb", failing)
    reader = write_notebook(tmp_path / "nb" / "reader.ipynb", "print('reads squares')", parameters="")
    plan = runplan.load_run_plan(write_plan(tmp_path, squares_family(template, [1, 2]), reader_page(reader)))
    with pytest.raises(BuildError) as failure:
        build.run_pages(plan, build.validate_plan(plan), {}, workers=1)
    assert "synthetic failure" in str(
        failure.value
    ) and "not run, because runs they read failed: chapters/reader" in str(failure.value)
    assert executed(capsys.readouterr().out) == ["squares/1"]


def test_the_run_record_lists_an_unpublished_family_as_one_row(tmp_path):
    family_page = runplan.Page(page="squares/1", notebook="nb/s.ipynb", family="squares", publish=False)
    chapter = runplan.Page(page="chapters/reader", notebook="nb/r.ipynb", chapter="reader")
    results = [
        build.RunResult(family_page, {"x": 1}, "k1", tmp_path, 1.5, True, "2026-01-01T00:00:00Z"),
        build.RunResult(
            runplan.Page(page="squares/2", notebook="nb/s.ipynb", family="squares", publish=False),
            {"x": 2},
            "k2",
            tmp_path,
            2.0,
            False,
            "2026-01-02T00:00:00Z",
        ),
        build.RunResult(chapter, {}, "k3", tmp_path, 3.0, False, "2026-01-02T00:00:00Z"),
    ]
    record = run_record.make_record(results, {})
    assert [run["page"] for run in record["runs"]] == ["chapters/reader"]
    assert record["families"] == [
        {"family": "squares", "notebook": "nb/s.ipynb", "runs": 2, "seconds": 3.5, "last": "2026-01-02T00:00:00Z"}
    ]
    assert "| squares | `nb/s.ipynb` | 2 | 2026-01-02T00:00:00Z | 3.5 |" in run_record.record_markdown(
        {**record, "git_commit": "abc"}
    )


def test_validate_lists_an_unpublished_family_as_one_line(capsys):
    from helpers.cli import main

    assert main(["validate"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "family pilot-specifications: ok, 400 runs (not pages)" in lines
    assert not any(line.startswith("specifications/") for line in lines)
    assert any(line.startswith("chapters/robustness: ok") for line in lines)
