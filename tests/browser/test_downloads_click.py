"""Readers can download every figure's data (CSV) and images (SVG, PNG) from the page, over http and file://.

Over http every link downloads. From file:// Chromium treats each file as its own origin and
ignores the `download` attribute for images it can show: the click opens the SVG or PNG (the
reader saves it from there), so there the test checks that the opened image is the figure's.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

CHAPTERS = ["chapters/background.html", "chapters/survey.html", "chapters/comparisons.html"]


@pytest.mark.parametrize("page_path", CHAPTERS)
def test_clicking_each_figure_download_saves_the_file(browser, base_url, page_path, tmp_path):
    context = browser.new_context(accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(base_url + page_path, wait_until="load")
        count = page.locator("figure.book-figure").count()
        assert count >= 1
        page.close()
        for index in range(count):
            # A fresh tab per figure: chromium holds back a tab's downloads after ten or so in a row.
            page = context.new_page()
            page.goto(base_url + page_path, wait_until="load")
            _download_each(page, page.locator("figure.book-figure").nth(index), base_url, page_path, tmp_path)
            page.close()
    finally:
        context.close()


def _download_each(page, figure, base_url, page_path, tmp_path):
    links = figure.locator("a.book-download")
    labels = links.all_inner_texts()
    assert "chart (SVG)" in labels and "chart (PNG)" in labels and any("(CSV)" in x for x in labels), labels
    for position, label in enumerate(labels):
        if label == "Vega-Lite spec":
            continue
        if base_url.startswith("file:") and label.startswith("chart ("):
            _check_opened_image(page, links.nth(position), label)
            continue
        with page.expect_download(timeout=15000) as info:
            links.nth(position).click()
        download = info.value
        assert download.failure() is None, (page_path, label, download.failure())
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        data = saved.read_bytes()
        if label.endswith("(CSV)"):
            text = data.decode("utf-8")
            assert text.startswith("# Figure ") and "# Columns:" in text and text.count("\n") >= 6
        elif label == "chart (SVG)":
            assert data.lstrip().startswith(b"<svg") and b"</svg>" in data
        else:
            assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 2000


def _check_opened_image(page, link, label):
    href = link.get_attribute("href")
    page_url = page.url
    link.click()
    page.wait_for_url("**/" + href.rsplit("/", 1)[-1], timeout=15000)
    if label == "chart (SVG)":
        assert page.evaluate("document.documentElement.tagName.toLowerCase()") == "svg"
        assert page.locator("text").count() > 0
    else:
        assert page.evaluate("document.images.length === 1 && document.images[0].naturalWidth > 100")
    page.goto(page_url, wait_until="load")
