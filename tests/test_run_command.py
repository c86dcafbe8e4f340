"""`python -m helpers run`: what it reads, what it may overwrite and how it reads -y, all decided
before any kernel starts (the kernel is replaced by a stub that fails the test if it is reached)."""

from __future__ import annotations

import time

import nbformat
import pytest

from helpers import cli
from helpers.book import build, runplan
from helpers.errors import ParameterError
from helpers.paths import REPO_ROOT


@pytest.fixture
def kernel(monkeypatch):
    """Records the parameters a run would hand to papermill instead of starting a kernel."""
    calls: list[dict] = []

    def fake_execute(notebook_path, output_path, parameters, chart_data_dir, log=None):
        calls.append(dict(parameters))
        nbformat.write(nbformat.v4.new_notebook(), output_path)
        return 0.0

    monkeypatch.setattr(build, "execute_notebook", fake_execute)
    return calls


def run(capsys, *argv):
    code = cli.main(["run", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------ inputs and outputs (cases 2, 10)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("README.md", "is not a notebook (.ipynb)"),
        ("notebooks", "is a folder, not a notebook"),
        ("/dev/null", "is not a regular file"),
        ("notebooks/no-such.ipynb", "not found"),
    ],
)
def test_an_input_that_is_not_a_notebook_is_one_line_and_exit_2(capsys, kernel, tmp_path, given, expected):
    code, out, err = run(capsys, REPO_ROOT / given if not given.startswith("/") else given, "-o", tmp_path / "x.ipynb")
    assert code == 2
    assert expected in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and "notebooks/pilot.ipynb" in err  # the fix names a notebook
    assert kernel == []


def test_an_ipynb_that_is_not_notebook_json_is_refused(capsys, kernel, tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text("not json")
    code, _, err = run(capsys, broken, "-o", tmp_path / "x.ipynb")
    assert code == 2 and "is not a valid Jupyter notebook" in err and kernel == []


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("notebooks/glossary.ipynb", "the notebook being run"),  # the run's own source
        ("notebooks/survey.ipynb", "tracked by git"),  # another reference edition
        ("book/chapters/glossary.ipynb", "inside book/"),  # the build's sources
        ("book/_build/html/glossary.ipynb", "inside book/"),  # the published HTML
        (".cache/runs/x.ipynb", "inside .cache/"),
        ("README.md", "needs a .ipynb name"),
    ],
)
def test_protected_outputs_are_refused_before_any_kernel(capsys, kernel, output, expected):
    before = (REPO_ROOT / output).read_bytes() if (REPO_ROOT / output).is_file() else None
    code, _, err = run(
        capsys, REPO_ROOT / "notebooks/glossary.ipynb", "-o", REPO_ROOT / output, "-y", "{lang_order: [en, sv, fi]}"
    )
    assert code == 2, err
    assert expected in err and len(err.strip().splitlines()) == 1
    assert kernel == []
    if before is not None:
        assert (REPO_ROOT / output).read_bytes() == before


def test_an_existing_non_notebook_file_and_a_folder_are_refused(capsys, kernel, tmp_path):
    notes = tmp_path / "notes.ipynb"
    notes.write_text("my notes, not a notebook")
    code, _, err = run(capsys, REPO_ROOT / "notebooks/glossary.ipynb", "-o", notes)
    assert code == 2 and "exists and is not a notebook" in err and "--overwrite-source" in err
    assert notes.read_text() == "my notes, not a notebook"
    code, _, err = run(capsys, REPO_ROOT / "notebooks/glossary.ipynb", "-o", tmp_path)
    assert code == 2 and "is a folder" in err and str(tmp_path / "glossary.ipynb") in err
    assert kernel == []


def test_overwrite_source_lets_someone_who_means_it_replace_a_non_notebook_file(capsys, kernel, tmp_path):
    notes = tmp_path / "notes.ipynb"
    notes.write_text("my notes, not a notebook")
    code, _, err = run(capsys, REPO_ROOT / "notebooks/glossary.ipynb", "-o", notes, "--overwrite-source")
    assert code == 0, err
    assert len(kernel) == 1


# ------------------------------------------------------------------ codes with leading zeros (case 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{municipality: 075}", {"municipality": "075"}),  # YAML 1.1: octal 61
        ("{municipality: 020}", {"municipality": "020"}),  # YAML 1.1: octal 16
        ("{municipalities: [020, 091, 837]}", {"municipalities": ["020", "091", 837]}),
        ("{municipalities: [0x1F, 0o17, 1:20, 00, 0_75]}", {"municipalities": ["0x1F", "0o17", "1:20", "00", "0_75"]}),
        ("{a: {b: [075]}}", {"a": {"b": ["075"]}}),
        ("{year: 2019, n: -3, zero: 0, share: 0.5, flag: true, none: null}", None),
    ],
)
def test_yaml_numbers_are_plain_decimals_and_everything_else_stays_text(text, expected):
    from helpers.book.yaml_params import parse_yaml_mapping

    parsed = parse_yaml_mapping(text)
    if expected is None:  # plain numbers and the other scalars still read as YAML says
        assert parsed == {"year": 2019, "n": -3, "zero": 0, "share": 0.5, "flag": True, "none": None}
    else:
        assert parsed == expected


def test_a_code_given_with_y_reaches_the_notebook_as_typed(capsys, kernel, tmp_path):
    code, out, err = run(
        capsys, REPO_ROOT / "notebooks/comparisons.ipynb", "-o", tmp_path / "x.ipynb", "-y", "{municipality: 075}"
    )
    assert code == 0, err
    assert kernel[0]["municipality"] == "075"  # Hamina; YAML 1.1 made it 61 (Forssa)


def test_codes_in_a_y_list_reach_the_validator_as_typed(capsys, kernel, tmp_path):
    # Akaa (020) is not a pilot municipality: the validator must be told about 020, not about 16 (Asikkala)
    code, out, err = run(
        capsys, REPO_ROOT / "notebooks/pilot.ipynb", "-o", tmp_path / "x.ipynb", "-y", "{municipalities: [020]}"
    )
    assert code == 2 and "'020'" in err and "'16'" not in err


def test_the_run_plan_reads_codes_as_typed_too(tmp_path):
    path = tmp_path / "runplan.yml"
    path.write_text(
        "root:\n  page: chapters/comparisons\n  notebook: notebooks/comparisons.ipynb\n  chapter: comparisons\n"
        "  parameters:\n    municipality: 075\n"
    )
    assert runplan.load_run_plan(path).root.parameters == {"municipality": "075"}


# ------------------------------------------------------------------ bounded values (case 6)


ALIAS_BOMB = (
    "{lang_order: [[&a [x,x,x,x,x,x,x,x,x], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a], &c [*b,*b,*b,*b,*b,*b,*b,*b,*b], "
    "&d [*c,*c,*c,*c,*c,*c,*c,*c,*c], &e [*d,*d,*d,*d,*d,*d,*d,*d,*d], &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]]]}"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ALIAS_BOMB, "aliases"),
        ("{lang_order: " + "[" * 50 + "x" + "]" * 50 + "}", "nested more than"),
        ("{lang_order: [" + "x" * 10_000_000 + "]}", "characters of YAML"),
        ("{lang_order: [" + "y" * 5_000 + "]}", "values are at most"),
        ("{lang_order: [" + ",".join(["fi"] * 20_000) + "]}", "more than 10000 values"),
        ("[" + "x" * 9_000 + "", "is not valid YAML"),
    ],
    ids=["alias-bomb", "deep", "10MB", "long-scalar", "many-values", "invalid"],
)
def test_large_or_deep_values_fail_fast_with_a_short_message(capsys, kernel, tmp_path, text, expected):
    started = time.perf_counter()
    code, _, err = run(capsys, REPO_ROOT / "notebooks/glossary.ipynb", "-o", tmp_path / "x.ipynb", "-y", text)
    assert time.perf_counter() - started < 5
    assert code == 2 and expected in err
    assert len(err) < 400, f"{len(err)} characters: {err[:400]}"
    assert kernel == []


def test_a_long_p_value_is_bounded_too(capsys, kernel, tmp_path):
    code, _, err = run(
        capsys,
        REPO_ROOT / "notebooks/comparisons.ipynb",
        "-o",
        tmp_path / "x.ipynb",
        "-p",
        "municipality",
        "x" * 100_000,
    )
    assert code == 2 and "values are at most" in err and len(err) < 400


def test_parameter_errors_are_parameter_errors():
    from helpers.book.yaml_params import parse_yaml_mapping

    with pytest.raises(ParameterError):
        parse_yaml_mapping("a")
