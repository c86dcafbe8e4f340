"""Run-plan families and the build's batch execution: expansion, cache per dataset read, failures.

Families here use the labelled test template (tests/data/batch_template.ipynb) or synthetic
notebooks; the generator test reads the municipality list of the data release.
"""

import json

import nbformat
import pytest
import yaml

from helpers.book import batch, build, runplan
from helpers.errors import BuildError, ParameterError
from helpers.paths import REPO_ROOT

TEMPLATE = "tests/data/batch_template.ipynb"


def write_plan(tmp_path, *entries):
    path = tmp_path / "runplan.yml"
    body = {"root": {"page": "pages/how-to-cite"}, "parts": [{"caption": "Runs", "pages": list(entries)}]}
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return path


def test_a_family_expands_from_a_list_or_a_product_into_named_pages(tmp_path):
    listed = {
        "family": "listed",
        "page": "m/{municipality}",
        "title": "Population of {municipality}",
        "notebook": TEMPLATE,
        "over": {"list": [{"municipality": "091"}, {"municipality": "837"}]},
    }
    product = {
        "family": "sweep",
        "page": "sweep/{outcome}-{seed}",
        "notebook": "notebooks/pilot.ipynb",
        "parameters": {"n_placebo": 100},
        "over": {"product": {"outcome": ["unemployment_rate", "Työttömyysaste ä"], "seed": [1, 2]}},
    }
    plan = runplan.load_run_plan(write_plan(tmp_path, listed, product))
    pages = plan.notebook_pages()
    assert [page.page for page in pages] == [
        "m/091",
        "m/837",
        "sweep/unemployment-rate-1",
        "sweep/unemployment-rate-2",
        "sweep/tyottomyysaste-a-1",
        "sweep/tyottomyysaste-a-2",
    ]
    assert pages[0].title == "Population of 091" and pages[0].family == "listed"
    assert pages[2].parameters == {"n_placebo": 100, "outcome": "unemployment_rate", "seed": 1}
    toc = runplan.toc_from_plan(plan)
    assert [chapter["file"] for chapter in toc["parts"][0]["chapters"]] == [page.page for page in pages]


def test_every_municipality_in_the_release_is_one_family_entry(tmp_path):
    family = {
        "family": "municipalities",
        "page": "municipalities/{code}-{name}",
        "title": "{name} ({name_sv})",
        "notebook": TEMPLATE,
        "over": {"generator": "municipalities_in_release", "options": {"division": 2021}},
    }
    pages = runplan.load_run_plan(write_plan(tmp_path, family)).notebook_pages()
    assert len(pages) == 309  # Finland's municipalities in the 2021 division, Åland's included
    by_code = {page.parameters["municipality"]: page for page in pages}
    assert by_code["091"].page == "municipalities/091-helsinki"
    assert by_code["091"].title == "Helsinki (Helsingfors)"
    assert by_code["545"].page == "municipalities/545-narpio"  # Närpiö / Närpes
    assert by_code["478"].title.startswith("Maarianhamina")  # Mariehamn, Åland


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({}, "exactly one of"),
        ({"list": [], "product": {}}, "exactly one of"),
        ({"generator": "every_village"}, "unknown generator 'every_village'"),
        ({"product": {"municipality": []}}, "non-empty list"),
        ({"list": [{"municipality": "091"}], "extra": 1}, r"unknown keys in 'over': \['extra'\]"),
    ],
)
def test_a_family_with_a_bad_over_fails_with_a_clear_message(tmp_path, over, message):
    family = {"family": "bad", "page": "m/{municipality}", "notebook": TEMPLATE, "over": over}
    with pytest.raises(ParameterError, match=message):
        runplan.load_run_plan(write_plan(tmp_path, family))


def test_a_page_pattern_naming_an_unknown_value_says_what_is_available(tmp_path):
    family = {"family": "f", "page": "m/{kunta}", "notebook": TEMPLATE, "over": {"list": [{"municipality": "091"}]}}
    with pytest.raises(ParameterError, match=r"names 'kunta'.*available: \['municipality'\]"):
        runplan.load_run_plan(write_plan(tmp_path, family))


def test_the_books_own_run_plan_still_loads_unchanged(tmp_path):
    plan = runplan.load_run_plan()
    # Two families: the municipality pages (tests/test_municipality_profile.py checks its pages) and
    # the robustness sweep, runs that are not pages.
    assert {page.family for page in plan.pages()} == {None, "municipality-pages", "pilot-specifications"}
    assert {page.family for page in plan.published_pages()} == {None, "municipality-pages"}
    assert [page.page for page in plan.notebook_pages()][:2] == ["chapters/introduction", "chapters/background"]


# ---------------------------------------------------------------- the build's batch execution


def synthetic_template(tmp_path) -> str:
    """A synthetic notebook that loads the dataset named by its parameter (committed fact tables)."""
    notebook = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell('dataset: str = "glossary"  # a dataset id')
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [
        parameters,
        nbformat.v4.new_code_cell(
            "from helpers import data\n"
            "if dataset == 'fail':\n    raise RuntimeError('synthetic failure')\n"
            "print(dataset, len(data.load(dataset)))"
        ),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "notebooks" / "loads_one.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(notebook, path)
    return str(path)


@pytest.fixture
def runs_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "RUNS_DIR", tmp_path / "runs")
    monkeypatch.setattr(build, "PRELOAD_FILE", tmp_path / "preload.json")
    monkeypatch.setenv("CI", "true")
    return tmp_path / "runs"


def family_plan(tmp_path, notebook, datasets):
    family = {"family": "f", "page": "runs/{dataset}", "notebook": notebook, "over": {"product": {"dataset": datasets}}}
    return runplan.load_run_plan(write_plan(tmp_path, family))


def executed(output: str) -> list[str]:
    return sorted(line.split("] ", 1)[1].split(":")[0] for line in output.splitlines() if ": executed in" in line)


def test_a_changed_data_file_re_executes_only_the_runs_that_read_it(tmp_path, runs_dir, capsys):
    plan = family_plan(tmp_path, synthetic_template(tmp_path), ["glossary", "pilot_facts", "survey_findings"])
    validated = build.validate_plan(plan)
    checksums = {"glossary": "a", "pilot_facts": "b", "survey_findings": "c", "population": "d"}

    first = build.run_pages(plan, validated, checksums, workers=2)
    assert executed(capsys.readouterr().out) == ["runs/glossary", "runs/pilot-facts", "runs/survey-findings"]
    record = json.loads((first[0].folder / "run.json").read_text())
    assert record["datasets"] == {"glossary": "a"}

    again = build.run_pages(plan, validated, checksums, workers=2)
    assert executed(capsys.readouterr().out) == []
    assert [result.key for result in again] == [result.key for result in first]
    assert all(result.cached for result in again)

    unrelated = build.run_pages(plan, validated, {**checksums, "population": "changed"}, workers=2)
    assert executed(capsys.readouterr().out) == [], "no run read population"
    assert all(result.cached for result in unrelated)

    one = build.run_pages(plan, validated, {**checksums, "pilot_facts": "changed"}, workers=2)
    assert executed(capsys.readouterr().out) == ["runs/pilot-facts"]
    assert [result.cached for result in one] == [True, False, True]
    assert one[1].key != first[1].key


def test_changed_parameters_re_execute_only_that_run(tmp_path, runs_dir, capsys):
    notebook = synthetic_template(tmp_path)
    checksums = {"glossary": "a", "pilot_facts": "b", "survey_findings": "c"}
    plan = family_plan(tmp_path, notebook, ["glossary", "pilot_facts"])
    build.run_pages(plan, build.validate_plan(plan), checksums, workers=2)
    capsys.readouterr()
    changed = family_plan(tmp_path, notebook, ["glossary", "survey_findings"])
    build.run_pages(changed, build.validate_plan(changed), checksums, workers=2)
    assert executed(capsys.readouterr().out) == ["runs/survey-findings"]


def test_one_failing_run_does_not_stop_the_others_and_is_listed_with_its_notebook(tmp_path, runs_dir, capsys):
    plan = family_plan(tmp_path, synthetic_template(tmp_path), ["glossary", "fail", "pilot_facts"])
    with pytest.raises(BuildError) as failure:
        build.run_pages(plan, build.validate_plan(plan), {"glossary": "a", "pilot_facts": "b"}, workers=2)
    captured = capsys.readouterr()
    message = str(failure.value)
    assert "1 of 3 runs failed" in message and "runs/fail" in message and "synthetic failure" in message
    failed_notebook = message.split("failed notebook: ")[1].split()[0]
    assert "synthetic failure" in (REPO_ROOT / failed_notebook).read_text()
    assert "FAILED" in captured.err, "a failing run is reported on stderr as it happens"
    assert executed(captured.out) == ["runs/glossary", "runs/pilot-facts"]
    assert len(list(runs_dir.glob("*/run.json"))) == 2, "the good runs are cached, the failed one is not"


def test_progress_in_ci_prints_count_rate_and_eta(tmp_path, runs_dir, capsys):
    plan = family_plan(tmp_path, synthetic_template(tmp_path), ["glossary", "pilot_facts"])
    build.run_pages(plan, build.validate_plan(plan), {}, workers=1)
    lines = [line for line in capsys.readouterr().out.splitlines() if "executed in" in line]
    assert [line.split("]")[0].strip() for line in lines] == ["[1/2", "[2/2"]
    assert all("runs/s" in line and "ETA" in line for line in lines)


def test_template_imports_lists_what_a_kernel_should_preload():
    text = (REPO_ROOT / TEMPLATE).read_text()
    assert batch.template_imports(text)[:3] == ["altair", "helpers", "helpers.charts"]
