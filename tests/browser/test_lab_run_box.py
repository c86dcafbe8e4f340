"""The "Run this chapter" box in the built book: on every chapter page, with that page's command."""

from __future__ import annotations

import html
import re

import pytest
from test_book_pages import PageVisit

from helpers.book.run_box import run_command
from helpers.book.runplan import load_run_plan

pytestmark = pytest.mark.browser
PLAN = load_run_plan()
BOX = re.compile(r'<div class="admonition tip run-this-chapter">.*?<pre>(.*?)</pre>', re.S)


def test_every_chapter_page_has_one_box_with_its_own_command(html_dir):
    for page in PLAN.published_pages():
        text = (html_dir / f"{page.page}.html").read_text(encoding="utf-8")
        boxes = BOX.findall(text)
        if page.kind == "notebook":
            assert len(boxes) == 1, page.page
            assert html.unescape(boxes[0]) == run_command(page), page.page
        else:
            assert not boxes, f"{page.page} is not made from a notebook and has no box"


def test_reader_sees_the_box_under_the_chapter_title(browser, base_url):
    pilot = next(page for page in PLAN.notebook_pages() if page.page == "chapters/pilot")
    visit = PageVisit(browser, base_url, "chapters/pilot.html")
    try:
        box = visit.page.locator(".run-this-chapter")
        box.wait_for(state="visible")
        assert box.locator(".admonition-title").inner_text() == "Run this chapter"
        assert "make lab" in box.inner_text()
        assert box.locator("pre").inner_text().strip() == run_command(pilot)
        # Directly under the chapter's title, before its first paragraph.
        assert visit.page.evaluate(
            "() => document.querySelector('section > h1').nextElementSibling"
            " === document.querySelector('.run-this-chapter')"
        )
        assert not visit.outside_requests, visit.outside_requests
        assert not visit.console_errors, visit.console_errors
    finally:
        visit.close()
