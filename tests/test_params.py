"""Parameters are validated once before any kernel starts: by the page's chapter, or a stray notebook's cell."""

import json
import subprocess
import sys
import time

import nbformat
import pytest

from helpers.book import params
from helpers.errors import ParameterError
from helpers.paths import REPO_ROOT

PARAMETERS_CELL = """\
municipalities: list[str] = ["Tampere", "Kuopio"]  # names or codes, Finnish or Swedish
year: int = 2019  # the year shown
share: float = 0.5  # a share between 0 and 1
outcome: str = "unemployment_rate"  # an outcome id
"""


def synthetic_notebook(tmp_path, source=PARAMETERS_CELL):
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["parameters"]
    notebook.cells = [cell, nbformat.v4.new_code_cell("print(year)")]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "synthetic.ipynb"
    nbformat.write(notebook, path)
    return path


def test_specs_read_types_defaults_and_help(tmp_path):
    specs = params.parameter_specs(synthetic_notebook(tmp_path))
    assert list(specs) == ["municipalities", "year", "share", "outcome"]
    assert specs["municipalities"].type_name == "list[str]"
    assert specs["municipalities"].default == ["Tampere", "Kuopio"]
    assert specs["year"].help == "the year shown"


def test_unknown_parameter_names_the_nearest_known_one(tmp_path):
    with pytest.raises(ParameterError, match=r"unknown parameter 'municipality'; did you mean municipalities"):
        params.validate_parameters(synthetic_notebook(tmp_path), {"municipality": ["Tampere"]})


def test_wrong_type_names_parameter_expected_type_and_value(tmp_path):
    with pytest.raises(ParameterError, match=r"parameter 'year' expects int, got 'last year'"):
        params.validate_parameters(synthetic_notebook(tmp_path), {"year": "last year"})
    with pytest.raises(ParameterError, match=r"'share' expects float, got true"):
        params.validate_parameters(synthetic_notebook(tmp_path), {"share": True})


def test_scalars_become_lists_and_numeric_strings_numbers(tmp_path):
    merged = params.validate_parameters(synthetic_notebook(tmp_path), {"municipalities": "Raisio", "year": "2018"})
    assert merged["municipalities"] == ["Raisio"] and merged["year"] == 2018
    assert merged["share"] == 0.5 and merged["outcome"] == "unemployment_rate"


def test_a_book_notebook_is_validated_by_the_chapter_its_run_plan_entry_names(tmp_path):
    notebook = REPO_ROOT / "notebooks" / "introduction.ipynb"
    assert params.chapter_of_notebook(notebook) == "introduction"
    assert params.chapter_of_notebook(synthetic_notebook(tmp_path)) is None
    assert params.validate_parameters(notebook, {"year": params.CliText("2019")})["year"] == 2019
    with pytest.raises(ParameterError, match=r"^introduction.ipynb: parameter 'year' = 2030 is outside the data"):
        params.validate_parameters(notebook, {"year": 2030})
    with pytest.raises(ParameterError, match=r"unknown parameter 'yaer'; did you mean year"):
        params.validate_parameters(notebook, {"yaer": 2019})


def test_unannotated_parameter_is_refused(tmp_path):
    path = synthetic_notebook(tmp_path, source="year = 2019\n")
    with pytest.raises(ParameterError, match="no type annotation"):
        params.parameter_specs(path)


def test_cli_values_are_read_as_papermill_reads_them():
    assert params.parse_cli_value("2019") == 2019
    assert params.parse_cli_value("0.25") == 0.25
    assert params.parse_cli_value("True") is True
    assert params.parse_cli_value("Tampere") == "Tampere"


def test_cli_run_rejects_bad_parameters_before_starting_a_kernel(tmp_path):
    path = synthetic_notebook(tmp_path)
    output = tmp_path / "out.ipynb"
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "helpers", "run", str(path), "-o", str(output), "-p", "yeer", "2019"],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 2
    assert "unknown parameter 'yeer'; did you mean year" in completed.stderr
    assert not output.exists(), "no notebook may be executed when a parameter is invalid"
    assert time.perf_counter() - started < 30


def test_cli_run_executes_with_yaml_and_scalar_parameters(tmp_path):
    path = synthetic_notebook(tmp_path)
    output = tmp_path / "out.ipynb"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "helpers",
            "run",
            str(path),
            "-o",
            str(output),
            "-p",
            "year",
            "2017",
            "-y",
            "{municipalities: [Tampere, Kuopio]}",
        ],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr
    executed = nbformat.read(output, as_version=4)
    injected = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "remove-cell" in injected.metadata["tags"]
    assert executed.cells[-1].outputs[0]["text"] == "2017\n"
    record = json.loads((tmp_path / "out.run.json").read_text())
    assert record["parameters"] == {
        "municipalities": ["Tampere", "Kuopio"],
        "year": 2017,
        "share": 0.5,
        "outcome": "unemployment_rate",
    }
    assert record["data_checksums"] and record["packages"]["papermill"]


def test_command_line_text_is_read_by_the_annotated_type(tmp_path):
    path = synthetic_notebook(tmp_path)
    merged = params.validate_parameters(
        path,
        {"outcome": params.CliText("091"), "year": params.CliText("2018"), "municipalities": params.CliText("837")},
    )
    assert merged["outcome"] == "091", "a code typed as 091 must keep its leading zero"
    assert merged["year"] == 2018 and merged["municipalities"] == ["837"]


def test_yaml_numbers_for_text_parameters_become_codes(tmp_path):
    merged = params.validate_parameters(synthetic_notebook(tmp_path), {"municipalities": [837, "Kuopio"]})
    assert merged["municipalities"] == ["837", "Kuopio"]


def test_bool_text_must_be_true_or_false():
    spec = params.ParameterSpec("show", "bool", True, "")
    assert params.coerce(spec, params.CliText("false"), "nb") is False
    with pytest.raises(ParameterError, match="use true or false"):
        params.coerce(spec, params.CliText("maybe"), "nb")


def test_malformed_yaml_names_the_option_and_shows_a_valid_mapping(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "helpers", "run", str(synthetic_notebook(tmp_path)), "-y", "{municipalities: [Tampere"],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 2
    assert "-y '{municipalities: [Tampere' is not valid YAML" in completed.stderr
    assert "{municipalities: [Tampere, Kuopio], year: 2019}" in completed.stderr
