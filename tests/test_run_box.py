"""The "Run this chapter" box: written from the run plan, its command line re-runs the page exactly."""

from __future__ import annotations

import html
import re
import shlex

import pytest
import yaml
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

from helpers import cli
from helpers.book import build
from helpers.book.params import validate_parameters
from helpers.book.run_box import add_run_box, box_html, box_text, run_arguments, run_command
from helpers.book.runplan import Page, load_run_plan
from helpers.paths import BOOK_DIR, REPO_ROOT

PLAN = load_run_plan()


def _cli_given(command: str, monkeypatch) -> tuple[str, str, dict]:
    """Run the command line through the real CLI, stopping where it would start papermill."""
    captured = {}

    def fake_run_single(notebook, output, given):
        captured.update(notebook=str(notebook), output=str(output), given=given)
        return 0

    monkeypatch.setattr(build, "run_single", fake_run_single)
    monkeypatch.chdir(REPO_ROOT)
    argv = shlex.split(command)
    assert argv[:4] == [".venv/bin/python", "-m", "helpers", "run"]
    assert cli.main(argv[3:]) == 0
    return captured["notebook"], captured["output"], captured["given"]


@pytest.mark.parametrize("page", PLAN.notebook_pages(), ids=lambda page: page.page)
def test_each_chapter_box_runs_its_run_plan_parameters(page, monkeypatch):
    notebook, output, given = _cli_given(run_command(page), monkeypatch)
    assert notebook == page.notebook and output == f"build/{page.notebook.split('/')[-1]}"
    assert set(given) == set(page.parameters)
    for name, value in page.parameters.items():
        # Text stays text (the CLI reads -p by the annotation); anything else reads back as YAML did.
        assert (given[name] == value) if isinstance(value, str) else (yaml.safe_load(str(given[name])) == value)
    assert validate_parameters(page.notebook_path, given) == validate_parameters(page.notebook_path, page.parameters)


def test_scalars_go_by_p_and_lists_by_one_yaml_mapping(monkeypatch):
    # The book's run plan states only what differs from a chapter's defaults, so this page is made up.
    pilot = Page(
        page="chapters/pilot",
        notebook="notebooks/pilot.ipynb",
        chapter="pilot",
        parameters={"municipalities": ["Tampere", "Kuopio"], "comparison": "matched", "n_placebo": 200},
    )
    argv = run_arguments(pilot)
    assert argv.count("-y") == 1 and argv[argv.index("-y") + 1].startswith("{municipalities: [")
    pairs = {argv[i + 1]: argv[i + 2] for i, arg in enumerate(argv) if arg == "-p"}
    assert pairs == {name: str(v) for name, v in pilot.parameters.items() if not isinstance(v, list)}
    notebook, _, given = _cli_given(run_command(pilot), monkeypatch)
    assert validate_parameters(REPO_ROOT / notebook, given) == validate_parameters(
        pilot.notebook_path, pilot.parameters
    )
    glossary = Page(page="chapters/glossary", notebook="notebooks/glossary.ipynb")
    assert run_command(glossary) == ".venv/bin/python -m helpers run notebooks/glossary.ipynb -o build/glossary.ipynb"


def test_box_escapes_every_value_and_round_trips_through_the_shell():
    hostile = Page(
        page="chapters/x",
        notebook="notebooks/comparisons.ipynb",
        parameters={
            "municipality": "</pre><script>alert('x')</script> & \"Co\"",
            "indicators": ["Kemi's", "a b", "<b>"],
            "flag": True,
        },
    )
    markup = box_html(hostile)
    assert "<script>" not in markup and "<b>" not in markup and "</pre><script>" not in markup
    shown = re.search(r"<pre>(.*?)</pre>", markup, re.S).group(1)
    assert html.unescape(shown) == run_command(hostile)
    argv = shlex.split(run_command(hostile))
    assert argv[argv.index("municipality") + 1] == hostile.parameters["municipality"]
    assert yaml.safe_load(argv[argv.index("-y") + 1]) == {"indicators": ["Kemi's", "a b", "<b>"]}
    assert argv[argv.index("flag") + 1] == "true"
    assert box_text(hostile).splitlines()[-1] == run_command(hostile)


def _doctree(title: str):
    document = new_document("test", get_default_settings(Parser))
    section = nodes.section()
    section += nodes.title(text=title)
    section += nodes.paragraph(text="First paragraph.")
    document += section
    return document


class _App:
    def __init__(self, docname: str):
        self.srcdir = str(BOOK_DIR)
        self.env = type("Env", (), {"docname": docname})()


def test_sphinx_hook_puts_the_box_under_the_title_of_chapter_pages_only():
    doctree = _doctree("The pilot")
    add_run_box(_App("chapters/pilot"), doctree)
    section = doctree.children[0]
    assert isinstance(section.children[0], nodes.title) and isinstance(section.children[1], nodes.raw)
    pilot = next(page for page in PLAN.notebook_pages() if page.page == "chapters/pilot")
    assert section.children[1].astext() == box_html(pilot) and section.children[1]["format"] == "html"
    for hand_written in ("pages/how-to-cite", "chapters/run-record", "genindex"):
        doctree = _doctree("Other")
        add_run_box(_App(hand_written), doctree)
        assert not list(doctree.findall(nodes.raw)), hand_written
