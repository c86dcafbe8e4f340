"""A printed chapter shows every chart: with JavaScript (the drawn charts) and without (the build-time SVGs)."""

from __future__ import annotations

import html
import re

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.browser

CHAPTER = "chapters/pilot.html"


def chart_texts(svg: str) -> set[str]:
    """The words a chart draws (axis titles, labels, legends), from its build-time SVG."""
    return {html.unescape(" ".join(t.split())) for t in re.findall(r"<text[^>]*>([^<]+)</text>", svg)}


def figure_texts_only_in_charts(html_dir) -> list[set[str]]:
    """Per figure of the chapter: texts its chart draws that appear nowhere else on the page."""
    page = (html_dir / CHAPTER).read_text(encoding="utf-8")
    outside = html.unescape(re.sub(r'<figure class="book-figure".*?</figure>', " ", page, flags=re.DOTALL))
    stems = re.findall(r'href="\.\./chart-data/(figure-[^"]+)\.svg"', page)
    assert stems, f"no figures on {CHAPTER}"
    per_figure = []
    for stem in stems:
        svg = (html_dir / "chart-data" / f"{stem}.svg").read_text(encoding="utf-8")
        per_figure.append({t for t in chart_texts(svg) if len(t) > 6 and t not in outside})
    assert all(per_figure), f"a figure of {CHAPTER} draws no text of its own to look for: {per_figure}"
    return per_figure


def pdf_text(path) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(path).pages)


@pytest.mark.parametrize("javascript", [True, False], ids=["drawn-charts", "no-javascript"])
def test_a_printed_chapter_shows_every_chart(browser, server_url, html_dir, tmp_path, javascript):
    wanted = figure_texts_only_in_charts(html_dir)
    context = browser.new_context(java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.goto(server_url + "en/" + CHAPTER, wait_until="load")
        if javascript:
            page.wait_for_function(
                "document.querySelectorAll('.book-chart[data-rendered=\"true\"]').length === "
                "document.querySelectorAll('.book-chart').length",
                timeout=30000,
            )
        else:  # no script runs: the <noscript> SVGs are the charts
            page.wait_for_load_state("networkidle")
        path = tmp_path / "chapter.pdf"
        page.pdf(path=str(path), format="A4", print_background=True)
    finally:
        context.close()
    text = pdf_text(path)
    missing = [sorted(titles) for titles in wanted if not any(" ".join(t.split()) in text for t in titles)]
    assert not missing, f"charts missing from the printed chapter (none of their texts found): {missing}"
