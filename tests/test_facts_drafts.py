"""The chapter drafts cite real sources, mark real charts, and quote only fact-table figures."""

from __future__ import annotations

import re

import pytest
from test_facts_support import FACTS_DIR, bib_keys, fact_numbers, read_table

from helpers.charts import national as national_charts
from helpers.charts import survey as survey_charts

DRAFTS = ("DRAFT-background.md", "DRAFT-survey.md")
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


def _text(name: str) -> str:
    return (FACTS_DIR / name).read_text(encoding="utf-8")


def _prose_numbers(text: str) -> list[float]:
    """Numbers a reader sees as figures: not citations, comments, code, dates, years or headings."""
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"\{cite\}`[^`]*`", " ", text)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"^#+ .*$", " ", text, flags=re.M)
    text = re.sub(rf"\b\d{{1,2}} ({MONTHS}) \d{{4}}\b", " ", text)  # a date
    text = re.sub(r"\b\d+/\d{4}\b", " ", text)  # a series number such as 4/2019
    text = re.sub(r"\b(19|20)\d{2}(–(19|20)?\d{2})?\b", " ", text)  # years and year ranges
    tokens = re.findall(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", text)
    return [float(t.replace(",", "")) for t in tokens]


@pytest.mark.parametrize("name", DRAFTS)
def test_every_citation_key_exists(name):
    cited = re.findall(r"\{cite\}`([^`]+)`", _text(name))
    assert cited, "the draft cites its sources"
    keys = set(bib_keys())
    for group in cited:
        for key in group.split(","):
            assert key.strip() in keys, key


@pytest.mark.parametrize("name", DRAFTS)
def test_every_number_in_the_prose_is_a_fact_table_figure(name):
    allowed = {abs(n) for n in fact_numbers()}
    stray = [n for n in _prose_numbers(_text(name)) if n not in allowed]
    assert not stray, f"{name}: numbers not in any fact table: {stray}"


@pytest.mark.parametrize("name", DRAFTS)
def test_every_paragraph_with_a_figure_cites_a_source(name):
    body = re.sub(r"<!--.*?-->", " ", _text(name), flags=re.S)
    for paragraph in re.split(r"\n\s*\n", body):
        if paragraph.lstrip().startswith("#") or "`series" in paragraph or "`lang" in paragraph:
            continue
        for item in re.split(r"\n- ", paragraph):
            if re.search(r"\d+(?:\.\d+)? ?(%|M€)|\d{1,3},\d{3}", item):
                assert "{cite}" in item, f"{name}: figure without a citation: {item[:120]!r}"


@pytest.mark.parametrize("name", DRAFTS)
def test_chart_markers_name_existing_builders_with_alt_text(name):
    markers = re.findall(r"<!-- chart: (\w+)\(", _text(name))
    assert markers
    for function in markers:
        module = national_charts if hasattr(national_charts, function) else survey_charts
        assert hasattr(module, function), function
        assert hasattr(module, function.removesuffix("_chart") + "_alt_text"), function


@pytest.mark.parametrize("name", DRAFTS)
def test_term_markers_name_glossary_terms(name):
    ids = {row["term_id"] for row in read_table("glossary")}
    used = re.findall(r"<!-- term: (\w+) -->", _text(name))
    assert used and set(used) <= ids


def test_survey_draft_has_the_limits_section_and_names_no_municipality():
    text = _text("DRAFT-survey.md")
    assert "## What the survey cannot tell" in text and "comparisons chapter" in text
    for row in read_table("pilot_municipalities"):
        for name in (row["name_fi"], row["name_sv"]):
            assert name not in text, name
