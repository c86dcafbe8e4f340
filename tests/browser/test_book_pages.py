"""Every page of the built book loads offline, draws its charts and loads nothing from outside."""

from __future__ import annotations

import re

import pytest
import yaml

from helpers.paths import BOOK_DIR

pytestmark = pytest.mark.browser


# The 309 municipality pages come from one template: a sample stands for them here (a pilot, an
# Åland municipality with suppressed counts, one merged away in 2025, a Swedish-speaking one).
MUNICIPALITY_SAMPLE = {"municipalities/837", "municipalities/766", "municipalities/588", "municipalities/545"}


def toc_files(entries: list[dict]) -> list[str]:
    """The files of table-of-contents entries, each followed by its sections'."""
    return [file for entry in entries for file in [entry["file"], *toc_files(entry.get("sections", []))]]


def book_pages() -> list[str]:
    toc = yaml.safe_load((BOOK_DIR / "_toc.yml").read_text())
    pages = [toc["root"] + ".html"]
    for part in toc.get("parts", []):
        pages += [
            file + ".html"
            for file in toc_files(part["chapters"])
            if not re.fullmatch(r"municipalities/\d{3}", file) or file in MUNICIPALITY_SAMPLE
        ]
    return pages


class PageVisit:
    """Opens a page, recording console errors, page errors and every request's URL."""

    def __init__(self, browser, base_url: str, page_path: str):
        self.base_url = base_url
        self.console_errors: list[str] = []
        self.outside_requests: list[str] = []
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.context.route("**/*", self._route)
        self.page.goto(base_url + page_path, wait_until="load")

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.base_url) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.outside_requests.append(url)
            route.abort()

    def wait_for_charts(self) -> int:
        charts = self.page.locator(".book-chart")
        count = charts.count()
        for index in range(count):
            chart = charts.nth(index)
            chart.scroll_into_view_if_needed()
            self.page.wait_for_function(
                "el => el.getAttribute('data-rendered') !== null", arg=chart.element_handle(), timeout=20000
            )
        return count

    def close(self):
        self.context.close()


def charts_in_executed_notebook(page_path: str) -> int:
    """How many figures the page's executed notebook holds (0 for pages that are not notebooks)."""
    notebook = BOOK_DIR / page_path.replace(".html", ".ipynb")
    if not notebook.exists():
        return 0
    import nbformat

    cells = nbformat.read(notebook, as_version=4).cells
    return sum(
        'class="book-chart"' in output.get("data", {}).get("text/html", "")
        for cell in cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )


# An error that shows on some loads only (a favicon request racing the page, a chart drawn before
# its data) must not pass because the one load a test made was a lucky one: every page is loaded
# LOADS times, each in a fresh browser context (no cache), and every load must be clean.
LOADS = 3


@pytest.mark.parametrize("page_path", book_pages())
def test_page_loads_offline_with_working_charts(browser, base_url, page_path):
    for load in range(1, LOADS + 1):
        visit = PageVisit(browser, base_url, page_path)
        try:
            count = visit.wait_for_charts()
            assert count == charts_in_executed_notebook(page_path), "every figure of the notebook must be on the page"
            states = visit.page.eval_on_selector_all(
                ".book-chart", "els => els.map(e => e.getAttribute('data-rendered'))"
            )
            assert states == ["true"] * count, f"charts not drawn on {page_path} (load {load}): {states}"
            views = visit.page.eval_on_selector_all(".book-chart", "els => els.filter(e => e.vegaView).length")
            assert views == count
            visit.page.wait_for_load_state("networkidle")  # late requests (the favicon) have answered
            assert not visit.console_errors, f"console errors on {page_path} (load {load}): {visit.console_errors}"
            assert not visit.outside_requests, f"{page_path} requested outside the book: {visit.outside_requests}"
        finally:
            visit.close()


def test_the_book_root_serves_a_favicon_where_browsers_ask_for_it(browser, server_url):
    context = browser.new_context()
    try:
        response = context.request.get(server_url + "favicon.ico")
        assert response.status == 200
        assert response.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    finally:
        context.close()
    for load in range(1, LOADS + 1):
        visit = PageVisit(browser, server_url, "index.html")
        failed: list[str] = []
        visit.page.on("response", lambda r, failed=failed: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
        try:
            visit.page.wait_for_url("**/" + root_page())
            visit.page.wait_for_load_state("networkidle")
            assert not failed and not visit.console_errors, f"load {load}: {failed} {visit.console_errors}"
        finally:
            visit.close()


def root_page() -> str:
    return yaml.safe_load((BOOK_DIR / "_toc.yml").read_text())["root"] + ".html"


def test_index_leads_to_the_first_page_with_charts(browser, server_url):
    visit = PageVisit(browser, server_url, "index.html")
    visit.page.wait_for_url("**/" + root_page())
    try:
        assert visit.wait_for_charts() >= 1
    finally:
        visit.close()


def test_bound_dropdown_changes_what_the_chart_shows(browser, base_url):
    visit = PageVisit(browser, base_url, root_page())
    try:
        visit.wait_for_charts()
        select = visit.page.locator(".vega-bindings select").first
        options = select.locator("option").all_inner_texts()
        assert len(options) >= 2
        chart = visit.page.locator(".book-chart").first
        before = chart.locator("svg").inner_html()
        select.select_option(
            index=1 if select.input_value() != select.locator("option").nth(1).get_attribute("value") else 0
        )
        visit.page.wait_for_function(
            "([el, old]) => el.querySelector('svg').innerHTML !== old",
            arg=[chart.element_handle(), before],
            timeout=10000,
        )
        after = chart.locator("svg").inner_html()
        assert after != before
        assert not visit.console_errors
    finally:
        visit.close()


def test_no_built_page_names_a_third_party_script_or_stylesheet(html_dir):
    import re

    pattern = re.compile(r'<(?:script|link)[^>]+(?:src|href)="(https?:)?//', re.IGNORECASE)
    offenders = [str(p.relative_to(html_dir)) for p in html_dir.rglob("*.html") if pattern.search(p.read_text())]
    assert not offenders, f"pages that load scripts or styles from outside the book: {offenders}"
    assert not [p for p in html_dir.rglob("*.html") if "THEBE_JS_URL" in p.read_text()]


def test_search_finds_a_municipality(browser, base_url):
    visit = PageVisit(browser, base_url, "search.html?q=Kemij%C3%A4rvi")
    try:
        visit.page.wait_for_selector("#search-results ul.search li", timeout=20000)
        hits = visit.page.locator("#search-results ul.search li a").all_inner_texts()
        assert any("pilot" in hit.lower() for hit in hits), hits
        assert not visit.outside_requests
    finally:
        visit.close()
