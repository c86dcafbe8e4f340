"""The municipality index and the comparisons map without a kernel: search, filters and links to
the municipality pages (book path helpers.data.municipalities.municipality_page(code))."""

from __future__ import annotations

import pytest
from test_book_pages import PageVisit

from helpers.data.municipalities import municipality_page

pytestmark = pytest.mark.browser
INDEX = "municipalities/index.html"
COMPARISONS = "chapters/comparisons.html"
LINKED = ".book-chart:has(select[name='municipality_pick'])"


def open_index(browser, base_url) -> PageVisit:
    visit = PageVisit(browser, base_url, INDEX)
    visit.page.wait_for_selector(".municipality-index[data-rendered='true']", timeout=20000)
    return visit


def shown_rows(page) -> list[dict]:
    return page.locator(".municipality-index-table tbody tr[data-code]:not([hidden])").evaluate_all(
        """rows => rows.map(r => ({code: r.dataset.code, name: r.cells[0].innerText, region: r.cells[2].innerText,
                                   href: r.querySelector('a').href}))"""
    )


def count_text(page) -> str:
    return page.locator(".municipality-index-count").inner_text()


def test_the_index_lists_every_municipality_with_a_line_and_a_link(browser, base_url):
    visit = open_index(browser, base_url)
    try:
        rows = shown_rows(visit.page)
        assert len(rows) == 309 and count_text(visit.page) == "Showing 309 of 309 municipalities."
        assert visit.page.locator(".municipality-index-table svg.municipality-sparkline").count() == 309
        narpes = next(row for row in rows if row["code"] == "545")
        assert narpes["name"].split() == ["Närpiö", "Närpes"]
        # Each link is the municipality's page, relative to the index, from file:// and a server alike.
        assert narpes["href"] == base_url + municipality_page("545") + ".html"
        label = visit.page.locator("tr[data-code='545'] svg.municipality-sparkline").get_attribute("aria-label")
        assert label.startswith("Närpiö. Families with children receiving social assistance") and "1992" in label
        assert not visit.console_errors and not visit.outside_requests
    finally:
        visit.close()


@pytest.mark.parametrize(
    "query, codes",
    [
        ("narpio", {"545"}),  # Finnish name, without its accents
        ("NÄRPES", {"545"}),  # Swedish name, in capitals
        ("tammerfors", {"837"}),
        ("837", {"837"}),
        ("091", {"091"}),
        # Digits match the codes they begin, and the code they make with leading zeros: Helsinki 091,
        # Varkaus 915 and Vehmaa 918.
        ("91", {"091", "915", "918"}),
        ("mariehamn", {"478"}),
    ],
)
def test_search_by_finnish_or_swedish_name_or_code_ignores_case_and_accents(browser, base_url, query, codes):
    visit = open_index(browser, base_url)
    try:
        visit.page.locator("input[name='municipality-search']").fill(query)
        assert {row["code"] for row in shown_rows(visit.page)} == codes
        assert count_text(visit.page) == f"Showing {len(codes)} of 309 municipalities."
    finally:
        visit.close()


def test_the_region_filter_narrows_the_list_and_combines_with_the_search(browser, base_url):
    visit = open_index(browser, base_url)
    try:
        visit.page.locator("select[name='municipality-region']").select_option(label="Åland")
        rows = shown_rows(visit.page)
        assert len(rows) == 16 and {row["region"] for row in rows} == {"Åland"}
        search = visit.page.locator("input[name='municipality-search']")
        search.fill("marie")
        assert [row["code"] for row in shown_rows(visit.page)] == ["478"]
        search.fill("tampere")  # not in Åland
        assert shown_rows(visit.page) == [] and count_text(visit.page) == "Showing 0 of 309 municipalities."
        assert visit.page.locator("td:has-text('No municipality matches.')").is_visible()
        visit.page.locator("select[name='municipality-region']").select_option(label="All regions")
        assert [row["code"] for row in shown_rows(visit.page)] == ["837"]
    finally:
        visit.close()


# A point inside a mark item's own shape that the browser hit-tests to that municipality (areas are
# not convex, bars are a pixel or two wide), in viewport coordinates; and the item's municipality code.
# Vega's SVG renderer keeps each item's element in item._svg and each element's item in __data__.
_FIND_ITEM = """
([el, markPrefix, code]) => {
  const items = [];
  (function walk(node) {
    if (node.marktype && node.name && node.name.indexOf(markPrefix) === 0) {
      node.items.forEach(item => { if (item.datum && (code === null || item.datum.c === code)) { items.push(item); } });
    }
    (node.items || []).forEach(child => { if (child.items || child.marktype) { walk(child); } });
  })(el.vegaView.scenegraph().root);
  // Without a code: the tallest bar (the highest value of the ranking).
  items.sort((a, b) => (b.height || 0) - (a.height || 0));
  for (const item of items) {
    const shape = item._svg;
    if (!shape) { continue; }
    shape.scrollIntoView({block: "center", inline: "center"});
    const box = shape.getBBox(), matrix = shape.getScreenCTM();
    for (let i = 1; i < 12; i++) {
      for (let j = 1; j < 12; j++) {
        const point = new DOMPoint(box.x + box.width * i / 12, box.y + box.height * j / 12);
        if (!shape.isPointInFill(point)) { continue; }
        const screen = point.matrixTransform(matrix);
        const hit = document.elementFromPoint(screen.x, screen.y);
        // The chosen municipality's outline lies over its area and links to the same page.
        if (hit && hit.__data__ && hit.__data__.datum && hit.__data__.datum.c === item.datum.c) {
          return {x: screen.x, y: screen.y, code: item.datum.c};
        }
      }
    }
  }
  return null;
}
"""


def click_mark(visit: PageVisit, mark_prefix: str, code: str | None) -> str:
    """Click the municipality's item of a mark of the linked figure; return the URL that opens."""
    chart = visit.page.locator(LINKED)
    target = visit.page.evaluate(_FIND_ITEM, [chart.element_handle(), mark_prefix, code])
    assert target, f"no clickable {mark_prefix} item for {code}"
    expected = visit.base_url + municipality_page(target["code"]) + ".html"
    with visit.page.expect_request(lambda request: request.is_navigation_request() and request.url == expected):
        visit.page.mouse.click(target["x"], target["y"])
    return target["code"]


@pytest.mark.parametrize("code", ["837", "545", "478"])
def test_clicking_a_municipality_on_the_map_opens_its_page(browser, base_url, code):
    visit = PageVisit(browser, base_url, COMPARISONS)
    try:
        visit.wait_for_charts()
        assert click_mark(visit, "map_areas", code) == code
        assert not visit.console_errors and not visit.outside_requests
    finally:
        visit.close()


def test_clicking_a_bar_of_the_ranking_opens_that_municipalitys_page(browser, base_url):
    visit = PageVisit(browser, base_url, COMPARISONS)
    try:
        visit.wait_for_charts()
        # The pickers still drive the figure: choose Kuopio, then click its marker above its bar.
        visit.page.locator(f"{LINKED} select[name='municipality_pick']").select_option("297")
        visit.page.wait_for_function(
            "el => el.querySelector(\"g[class*='ranking_label'] text\").textContent.indexOf('Kuopio') === 0",
            arg=visit.page.locator(LINKED).element_handle(),
        )
        assert click_mark(visit, "ranking_chosen", "297") == "297"
        visit.close()
        visit = PageVisit(browser, base_url, COMPARISONS)
        visit.wait_for_charts()
        clicked = click_mark(visit, "ranking_bars", None)  # the tallest bar
        assert len(clicked) == 3 and clicked.isdigit()
        assert not visit.console_errors and not visit.outside_requests
    finally:
        visit.close()
