"""Run-plan sections: pages (and families) nested under a page in the table of contents."""

import pytest
import yaml

from helpers.book import runplan
from helpers.errors import ParameterError

TEMPLATE = "tests/data/batch_template.ipynb"


def write_plan(tmp_path, *entries, numbered=False):
    path = tmp_path / "runplan.yml"
    part = {"caption": "Runs", "pages": list(entries)}
    if numbered:
        part["numbered"] = True
    body = {"root": {"page": "pages/how-to-cite"}, "parts": [part]}
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return path


FAMILY = {
    "family": "listed",
    "page": "m/{municipality}",
    "notebook": TEMPLATE,
    "over": {"list": [{"municipality": "091"}, {"municipality": "837"}]},
}


def test_a_family_nested_under_a_page_becomes_its_sections_in_the_toc(tmp_path):
    index = {"page": "pages/references", "sections": [FAMILY, {"page": "pages/rerun-and-extend"}]}
    plan = runplan.load_run_plan(
        write_plan(tmp_path, index, {"page": "chapters/run-record", "generated": "run_record"})
    )
    # The plan's pages stay flat, in reading order, each section after its parent page.
    assert [(page.page, page.parent) for page in plan.parts[0].pages] == [
        ("pages/references", None),
        ("m/091", "pages/references"),
        ("m/837", "pages/references"),
        ("pages/rerun-and-extend", "pages/references"),
        ("chapters/run-record", None),
    ]
    assert [page.page for page in plan.notebook_pages()] == ["m/091", "m/837"]
    assert runplan.toc_from_plan(plan)["parts"][0]["chapters"] == [
        {
            "file": "pages/references",
            "sections": [{"file": "m/091"}, {"file": "m/837"}, {"file": "pages/rerun-and-extend"}],
        },
        {"file": "chapters/run-record"},
    ]


def test_sections_nest_in_sections_and_are_not_numbered_chapters(tmp_path):
    inner = {"page": "pages/rerun-and-extend", "sections": [FAMILY]}
    outer = {"page": "pages/references", "sections": [inner]}
    plan = runplan.load_run_plan(write_plan(tmp_path, outer, numbered=True))
    chapters = runplan.toc_from_plan(plan)["parts"][0]["chapters"]
    assert chapters == [
        {
            "file": "pages/references",
            "sections": [{"file": "pages/rerun-and-extend", "sections": [{"file": "m/091"}, {"file": "m/837"}]}],
        }
    ]
    assert plan.chapter_numbers() == {"pages/references": 1}


@pytest.mark.parametrize("sections", [[], {"page": "pages/references"}, "pages/references"])
def test_sections_that_are_not_a_list_of_entries_fail_clearly(tmp_path, sections):
    with pytest.raises(ParameterError, match=r"'sections' must be a non-empty list of entries"):
        runplan.load_run_plan(write_plan(tmp_path, {"page": "pages/how-to-cite", "sections": sections}))


def test_a_nested_page_is_still_made_once(tmp_path):
    index = {"page": "pages/references", "sections": [{"page": "pages/rerun-and-extend"}]}
    with pytest.raises(ParameterError, match="appears twice"):
        runplan.load_run_plan(write_plan(tmp_path, index, {"page": "pages/rerun-and-extend"}))


def test_the_root_page_cannot_hold_sections(tmp_path):
    path = tmp_path / "runplan.yml"
    path.write_text(yaml.safe_dump({"root": {"page": "pages/how-to-cite", "sections": [{"page": "pages/references"}]}}))
    with pytest.raises(ParameterError, match="root page cannot have sections"):
        runplan.load_run_plan(path)
