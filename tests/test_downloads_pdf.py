"""The PDF edition built with the book: every chapter, numbered figures drawn as images, page numbers."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from helpers.book.pdf import PDF_NAME, chapters, toc_pages
from helpers.paths import BOOK_DIR

HTML_DIR = BOOK_DIR / "_build" / "html" / "en"  # the English edition


@pytest.fixture(scope="module")
def pdf_pages() -> list[str]:
    path = HTML_DIR / PDF_NAME
    if not path.exists():
        pytest.fail(f"no PDF edition at {path}: run `make book` first (`make test` does)")
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(str(path)).pages]


def test_the_pdf_has_a_title_page_contents_and_every_chapter_in_order(pdf_pages):
    titles = [title for title, _ in chapters(HTML_DIR, toc_pages(BOOK_DIR))]
    assert len(titles) >= 8
    assert len(pdf_pages) >= len(titles) + 2
    assert pdf_pages[0].startswith("Social assistance in Finland")
    contents = pdf_pages[1]
    assert contents.startswith("Contents")
    listed = [int(n) for n in re.findall(r"\d+\. .+? (\d+)(?= \d+\. | \d+ / )", contents + " ")]
    assert len(listed) == len(titles) and listed == sorted(listed), contents
    for title, page_number in zip(titles, listed, strict=True):
        assert pdf_pages[page_number - 1].startswith(title), (title, page_number)


def test_every_page_is_numbered(pdf_pages):
    total = len(pdf_pages)
    for number, text in enumerate(pdf_pages, start=1):
        assert f"{number} / {total}" in text, number


def test_every_figure_is_in_the_pdf_with_its_number_and_its_chart(pdf_pages):
    text = " ".join(pdf_pages)
    numbers = sorted(
        {m for page in HTML_DIR.rglob("*.html") for m in re.findall(r"<figcaption>Figure ([\d.]+)\.", page.read_text())}
    )
    assert len(numbers) >= 10
    for number in numbers:
        assert f"Figure {number}." in text, number
    # Key figures drawn, not just captioned: words only their charts draw are in the PDF's text.
    for stem_prefix in ("figure-3.4-", "figure-4.1-", "figure-5.1-"):
        (svg,) = (HTML_DIR / "chart-data").glob(f"{stem_prefix}*.svg")
        drawn = {" ".join(t.split()) for t in re.findall(r"<text[^>]*>([^<]{8,})</text>", svg.read_text())}
        assert drawn and any(t.replace("&amp;", "&") in text for t in drawn), stem_prefix


def test_the_bibliography_is_in_the_pdf(pdf_pages):
    references = next(page for page in pdf_pages if page.startswith("References"))
    assert len(references) > 300


def test_every_page_links_the_pdf():
    for page_path in toc_pages(BOOK_DIR):
        assert f'{PDF_NAME}" download=' in (HTML_DIR / page_path).read_text(encoding="utf-8"), page_path


def test_print_document_lists_the_chapters_with_their_pages():
    from helpers.book.pdf import print_document

    parts = [("One", "<h1>One</h1><p>a</p>"), ("Two & more", "<h1>Two &amp; more</h1>")]  # synthetic
    document = print_document("Book", "English edition", parts, [3, 7])
    assert "<span>1. One</span>" in document and "<span>2. Two &amp; more</span>" in document
    assert "<span>3</span>" in document and "<span>7</span>" in document
    assert document.index("<h1>One</h1>") < document.index("<h1>Two &amp; more</h1>")
    assert "<script" not in document
