"""The comparisons page without a kernel: the pickers drive the map, the ranking and the scatter."""

from __future__ import annotations

import pytest
from test_book_pages import PageVisit

pytestmark = pytest.mark.browser
PAGE = "chapters/comparisons.html"
LINKED = ".book-chart:has(select[name='municipality_pick'])"


def _state(page) -> dict:
    chart = page.locator(LINKED)
    return {
        "map_chosen": chart.locator("g[class*='map_chosen'] path").first.get_attribute("d"),
        "map_fills": chart.locator("g[class*='map_areas'] path").evaluate_all(
            "paths => paths.slice(0, 40).map(p => p.getAttribute('fill')).join(',')"
        ),
        "ranking_label": chart.locator("g[class*='ranking_label'] text").first.text_content(),
        "scatter_label": chart.locator("g[class*='scatter_label'] text").first.text_content(),
        "black_bars": chart.locator("g[class*='ranking_bars'] path[fill='#000000']").count(),
    }


def _wait_for_change(page, before: dict, key: str) -> dict:
    for _ in range(50):
        after = _state(page)
        if after[key] != before[key]:
            return after
        page.wait_for_timeout(100)
    raise AssertionError(f"{key} did not change: {before[key]!r}")


def test_picking_a_municipality_moves_the_map_ranking_and_scatter(browser, base_url):
    visit = PageVisit(browser, base_url, PAGE)
    try:
        visit.wait_for_charts()
        before = _state(visit.page)
        assert "Tampere" in before["ranking_label"] and before["black_bars"] == 1
        visit.page.locator(f"{LINKED} select[name='municipality_pick']").select_option("297")  # Kuopio
        after = _wait_for_change(visit.page, before, "ranking_label")
        assert "Kuopio" in after["ranking_label"] and "Kuopio" in after["scatter_label"]
        assert after["map_chosen"] != before["map_chosen"], "the map must outline the new municipality"
        assert after["black_bars"] == 1
        assert not visit.console_errors and not visit.outside_requests
    finally:
        visit.close()


def test_picking_an_indicator_recolours_the_map_and_reranks(browser, base_url):
    visit = PageVisit(browser, base_url, PAGE)
    try:
        visit.wait_for_charts()
        select = visit.page.locator(f"{LINKED} select[name='indicator_pick']")
        before = _state(visit.page)
        current = select.input_value()
        other = next(v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v != current)
        select.select_option(other)
        after = _wait_for_change(visit.page, before, "map_fills")
        assert after["ranking_label"] != before["ranking_label"]
        assert not visit.console_errors
    finally:
        visit.close()


def test_the_explorer_saved_state_loads_on_request_from_the_book_itself(browser, base_url):
    visit = PageVisit(browser, base_url, PAGE)
    try:
        visit.wait_for_charts()
        loader = visit.page.locator(".book-widget-loader")
        assert "needs a Jupyter kernel" in loader.inner_text()
        assert visit.page.evaluate("typeof window.require") == "undefined", "widget scripts must wait for a click"
        loader.locator("button").click()
        visit.page.wait_for_selector(".widget-subarea .jupyter-widgets", timeout=30000)
        assert not visit.outside_requests, visit.outside_requests
        assert not visit.console_errors, visit.console_errors
    finally:
        visit.close()
