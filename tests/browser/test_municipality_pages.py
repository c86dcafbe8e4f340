"""Municipality pages (the run plan's family, at municipality_page(code)) in the browser: they draw
their charts offline, and the index and the comparisons map open them.

Cases: a Swedish-named municipality (Närpiö / Närpes), one with merger history (Kuopio absorbed
Maaninka in 2015 and Juankoski in 2017) and an Åland municipality with suppressed data (Sottunga).
Names and mergers are read from the data release and mergers.csv, not typed from the pages.
"""

from __future__ import annotations

import pytest
from test_book_pages import PageVisit, charts_in_executed_notebook
from test_municipality_links import COMPARISONS, click_mark, open_index

from helpers.analysis import municipal_comparisons as cmp
from helpers.data import municipalities as munis

pytestmark = pytest.mark.browser
SWEDISH_NAMED, MERGED, ALAND_SUPPRESSED = "545", "297", "766"


def page_path(code: str) -> str:
    return munis.municipality_page(code) + ".html"


def open_municipality(browser, base_url, code: str) -> PageVisit:
    visit = PageVisit(browser, base_url, page_path(code))
    count = visit.wait_for_charts()
    assert count >= 1 and count == charts_in_executed_notebook(page_path(code)), "every figure must be on the page"
    states = visit.page.eval_on_selector_all(".book-chart", "els => els.map(e => e.getAttribute('data-rendered'))")
    assert states == ["true"] * count, f"charts not drawn on {page_path(code)}: {states}"
    return visit


def heading(visit: PageVisit) -> str:
    return visit.page.locator("main h1, article h1").first.inner_text()


@pytest.mark.parametrize("code", [SWEDISH_NAMED, MERGED, ALAND_SUPPRESSED])
def test_a_municipality_page_draws_its_charts_offline_and_names_the_municipality(browser, base_url, code):
    visit = open_municipality(browser, base_url, code)
    try:
        name_fi, name_sv = munis.name(code, 2021, "fi"), munis.name(code, 2021, "sv")
        assert code != SWEDISH_NAMED or name_fi != name_sv  # the Swedish-named case is real
        assert name_fi in heading(visit)
        assert name_sv in visit.page.locator("main").inner_text()
        visit.page.wait_for_load_state("networkidle")
        assert not visit.console_errors, visit.console_errors
        assert not visit.outside_requests, visit.outside_requests
    finally:
        visit.close()


def test_the_merged_municipality_page_tells_its_merger_history(browser, base_url):
    absorbed = [m.absorbed_name for m in munis.mergers() if m.absorbing_code == MERGED]
    assert len(absorbed) >= 2  # Maaninka and Juankoski
    visit = open_municipality(browser, base_url, MERGED)
    try:
        text = visit.page.locator("main").inner_text()
        assert all(name in text for name in absorbed), absorbed
    finally:
        visit.close()


def test_the_aland_page_shows_suppressed_values_as_no_data(browser, base_url):
    row = cmp.comparison_table(2019, 2021).set_index("municipality_code").loc[ALAND_SUPPRESSED]
    assert row["region_en"] == "Åland"
    assert row[list(cmp.indicator_catalogue()["indicator"])].isna().any()  # the case is real
    visit = open_municipality(browser, base_url, ALAND_SUPPRESSED)
    try:
        assert visit.page.locator("main table td:has-text('no data')").count() >= 1
    finally:
        visit.close()


def test_a_row_of_the_index_opens_its_municipality_page(browser, base_url):
    visit = open_index(browser, base_url)
    try:
        visit.page.locator("input[name='municipality-search']").fill("narpes")
        with visit.page.expect_navigation():
            visit.page.locator(f".municipality-index-table tr[data-code='{SWEDISH_NAMED}'] a").click()
        assert visit.page.url == base_url + page_path(SWEDISH_NAMED)
        assert munis.name(SWEDISH_NAMED, 2021, "fi") in heading(visit)
    finally:
        visit.close()


@pytest.mark.parametrize("code", ["837", MERGED])
def test_a_click_on_the_map_opens_the_municipality_page(browser, base_url, code):
    visit = PageVisit(browser, base_url, COMPARISONS)
    try:
        visit.wait_for_charts()
        click_mark(visit, "map_areas", code)
        visit.page.wait_for_url(base_url + page_path(code))
        visit.page.wait_for_selector(".book-chart[data-rendered='true']", timeout=20000)
        assert munis.name(code, 2021, "fi") in heading(visit)
        assert not visit.console_errors
    finally:
        visit.close()


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_the_swedish_edition_names_tampere_tammerfors_and_links_back_to_the_swedish_index(
    browser, server_url, site_dir, scheme
):
    name_sv = munis.name("837", 2021, "sv")
    assert name_sv != munis.name("837", 2021, "fi")  # Tammerfors: the case is real
    edition = server_url + "sv/" if scheme == "http" else (site_dir / "sv").as_uri() + "/"
    visit = PageVisit(browser, edition, page_path("837"))
    try:
        assert visit.wait_for_charts() == 1
        assert heading(visit).strip() == name_sv
        assert visit.page.title().startswith(name_sv)
        assert visit.page.locator("html").get_attribute("lang") == "sv"
        index = edition + f"{munis.MUNICIPALITY_PAGES}/index.html"
        hrefs = visit.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        assert index in hrefs, "the page must link the Swedish edition's municipality index"
        with visit.page.expect_navigation():  # the link as the page writes it (relative), followed
            visit.page.evaluate(
                "url => [...document.querySelectorAll('a[href]')].find(a => a.href === url).click()", index
            )
        assert visit.page.url == index
        visit.page.wait_for_selector(".municipality-index[data-rendered='true']", timeout=20000)
        row = visit.page.locator(".municipality-index-table tr[data-code='837'] a")
        assert row.inner_text() == name_sv
        assert not visit.console_errors, visit.console_errors
        assert not visit.outside_requests, visit.outside_requests
    finally:
        visit.close()
