"""The Finnish and Swedish editions in the browser: the root page opens the reader's language,
every page loads offline with its charts drawn, and the switcher opens the same page."""

from __future__ import annotations

import pytest
from test_book_pages import PageVisit, book_pages

from helpers.book import editions

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("locale", "edition"), [("sv-FI", "sv"), ("fi-FI", "fi"), ("en-GB", "en"), ("de-DE", "fi")])
@pytest.mark.parametrize("scheme", ["http", "file"])
def test_the_root_page_opens_the_readers_language_or_finnish(browser, server_url, site_dir, locale, edition, scheme):
    root = server_url if scheme == "http" else site_dir.as_uri() + "/"
    context = browser.new_context(locale=locale)
    try:
        page = context.new_page()
        page.goto(root + "index.html")
        page.wait_for_url(f"**/{edition}/chapters/introduction.html")
        assert page.locator("html").get_attribute("lang") == edition
    finally:
        context.close()


@pytest.mark.parametrize("edition", ["fi", "sv"])
@pytest.mark.parametrize("page_path", book_pages())
def test_every_page_of_the_edition_loads_offline_with_its_charts(browser, server_url, edition, page_path):
    visit = PageVisit(browser, server_url + f"{edition}/", page_path)
    try:
        count = visit.wait_for_charts()
        notebook = editions.source_dir(edition) / page_path.replace(".html", ".ipynb")
        expected = notebook.read_text(encoding="utf-8").count('class=\\"book-chart\\"') if notebook.exists() else 0
        assert count == expected, "every figure of the edition's notebook must be on the page"
        states = visit.page.eval_on_selector_all(".book-chart", "els => els.map(e => e.getAttribute('data-rendered'))")
        assert states == ["true"] * count, f"charts not drawn on {edition}/{page_path}: {states}"
        visit.page.wait_for_load_state("networkidle")
        assert not visit.console_errors, f"console errors on {edition}/{page_path}: {visit.console_errors}"
        assert not visit.outside_requests, f"{edition}/{page_path} requested outside its edition"
    finally:
        visit.close()


def test_the_switcher_opens_the_same_page_in_the_other_edition(browser, server_url):
    visit = PageVisit(browser, server_url, "fi/chapters/glossary.html")
    try:
        visit.page.click("nav.book-editions a[hreflang=sv]")
        visit.page.wait_for_url("**/sv/chapters/glossary.html")
        assert visit.page.locator("h1").first.inner_text().startswith("Ordlista")
    finally:
        visit.close()
