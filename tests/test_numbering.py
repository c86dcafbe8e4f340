"""Chapter, figure and section numbers come from the page's position in the run plan, never from prose."""

from __future__ import annotations

import re

import nbformat
import pytest
import yaml

from helpers.book import build, runplan
from helpers.chapters import CHAPTERS
from helpers.chapters import pilot as pilot_chapter
from helpers.chapters.numbering import CHAPTER_NUMBER_ENV, chapter_number, numbering
from helpers.paths import BOOK_DIR, NOTEBOOKS_DIR, REPO_ROOT

PLAN_TEXT = (BOOK_DIR / "runplan.yml").read_text(encoding="utf-8")
# "Figure 3.3", "section 3.4", "Table 2.1", a heading "## 3.1 ...", set_chapter(3), CHAPTER = 3, "see chapter 4"
NUMBER_LITERAL = re.compile(
    r"(?:\b(?:Figure|Figures|figure|Section|section|Table|Chapter|chapter)\s+\d+\.\d+)"
    r"|(?:^#+\s+\d+(?:\.\d+)*\s)|(?:set_chapter\(\s*\d)|(?:^CHAPTER\s*=\s*\d)"
    r"|(?:\b(?:see|in|of) (?:the )?chapter \d)",
    flags=re.MULTILINE,
)


def _reordered_plan(tmp_path):
    """The book's run plan with the survey chapter moved in front of the pilot chapter."""
    raw = yaml.safe_load(PLAN_TEXT)
    pages = raw["parts"][0]["pages"]
    order = [page["page"] for page in pages]
    pilot, survey = order.index("chapters/pilot"), order.index("chapters/survey")
    pages[pilot], pages[survey] = pages[survey], pages[pilot]
    path = tmp_path / "runplan.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return runplan.load_run_plan(path)


def test_chapter_numbers_follow_the_order_of_the_run_plan(tmp_path):
    book = runplan.load_run_plan().chapter_numbers_by_chapter()
    assert book == {"introduction": 1, "background": 2, "pilot": 3, "robustness": 4, "survey": 5, "comparisons": 6}
    reordered = _reordered_plan(tmp_path)
    assert reordered.chapter_numbers_by_chapter() == {
        "introduction": 1,
        "background": 2,
        "survey": 3,
        "robustness": 4,
        "pilot": 5,
        "comparisons": 6,
    }
    assert "pilot_spec" not in book, "the runs of an unpublished family are not chapters"
    assert "chapters/glossary" not in reordered.chapter_numbers(), "pages of unnumbered parts have no number"


def test_a_moved_chapter_renumbers_its_figures_sections_and_cross_references(tmp_path, monkeypatch):
    number = _reordered_plan(tmp_path).chapter_numbers()["chapters/pilot"]
    monkeypatch.setenv(CHAPTER_NUMBER_ENV, str(number))
    labels = numbering("pilot", pilot_chapter.FIGURES, pilot_chapter.SECTIONS).labels()
    assert labels["fig_trends"] == "5.3" and labels["sec_caveats"] == "5.7" and labels["fig_notifications"] == "5.6"
    page = pilot_chapter.prepare(pilot_chapter.validate({"n_placebo": 0}))
    assert "(Figure 5.4)" in page.report.texts["caveat_list"], "the caveats refer to the event study by its number"
    monkeypatch.setenv(CHAPTER_NUMBER_ENV, "")
    assert chapter_number("pilot") is None, "the build hands in '' for an unnumbered page"
    monkeypatch.delenv(CHAPTER_NUMBER_ENV)
    assert chapter_number("pilot") == 3, "without the build, the number is the page's position in book/runplan.yml"


def test_the_run_key_changes_when_a_page_moves():
    page = runplan.Page(page="chapters/pilot", notebook="notebooks/pilot.ipynb", chapter="pilot")
    assert build.run_key(page, {}, {}, "code", 3) != build.run_key(page, {}, {}, "code", 4)


def test_an_executed_chapter_takes_its_number_from_the_reordered_plan(tmp_path, monkeypatch):
    number = _reordered_plan(tmp_path).chapter_numbers()["chapters/survey"]
    monkeypatch.setenv(CHAPTER_NUMBER_ENV, str(number))
    output = tmp_path / "survey.ipynb"
    build.execute_notebook(NOTEBOOKS_DIR / "survey.ipynb", output, {}, tmp_path / "chart-data", log=lambda _: None)
    text = "\n".join(
        str(output_item.get("data", {}))
        for cell in nbformat.read(output, as_version=4).cells
        for output_item in cell.get("outputs", [])
    )
    assert "Figure 3.1. Share of Finland" in text and "Figure 3.4. Figures from related studies" in text
    assert "Figure 4." not in text


def _sources():
    for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            yield f"{path.name} cell {index}", cell.source
    for path in sorted((REPO_ROOT / "src" / "helpers").rglob("*.py")):
        yield str(path.relative_to(REPO_ROOT)), path.read_text(encoding="utf-8")


def test_no_chapter_number_is_written_in_prose_or_code():
    found = [(where, match.group(0)) for where, text in _sources() for match in NUMBER_LITERAL.finditer(text)]
    allowed = {("src/helpers/charts/render.py", "Figure 3.1")}  # the docstring's example of the format
    assert [item for item in found if item not in allowed] == []


@pytest.mark.parametrize("name", sorted(CHAPTERS))
def test_every_number_the_prose_refers_to_is_declared_by_the_chapter(name):
    module = CHAPTERS[name]
    page = next(page for page in runplan.load_run_plan().notebook_pages() if page.chapter == name)
    notebook = nbformat.read(page.notebook_path, as_version=4)
    text = "\n".join(cell.source for cell in notebook.cells)
    figures = set(getattr(module, "FIGURES", ()))
    sections = set(getattr(module, "SECTIONS", ()))
    assert set(re.findall(r"`fig_(\w+)`", text)) <= figures
    assert set(re.findall(r"`sec_(\w+)`", text)) <= sections
    assert set(re.findall(r'name="(\w+)"', text)) == figures, "every declared figure is drawn, under its name"
