"""The built book: every figure links its downloads, and each CSV holds exactly the chart's data."""

from __future__ import annotations

import json
import re

import pytest

from helpers.charts.downloads import read_csv_records, tabular_data_urls
from helpers.paths import BOOK_DIR

HTML_DIR = BOOK_DIR / "_build" / "html" / "en"  # the English edition
CHART_DATA = HTML_DIR / "chart-data"


@pytest.fixture(scope="module")
def figure_specs():
    if not (HTML_DIR / "index.html").exists():
        pytest.fail(f"no built book at {HTML_DIR}: run `make book` first (`make test` does)")
    specs = sorted(CHART_DATA.glob("figure-*.vl.json"))
    assert specs, "the built book has no figure specs"
    return specs


def test_every_figure_on_every_page_links_files_that_exist(figure_specs):
    figures = 0
    for page in HTML_DIR.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for block in re.findall(r'<figure class="book-figure".*?</figure>', text, re.DOTALL):
            figures += 1
            links = re.findall(r'href="((?:\.\./)*chart-data/[^"]+)"', block)
            kinds = {link.rsplit(".", 1)[-1] for link in links}
            spec_link = next(link for link in links if link.endswith(".vl.json"))
            spec = json.loads((page.parent / spec_link).read_text(encoding="utf-8"))
            # A template's figure drawn with png=False (the 309 municipality pages) offers no PNG.
            wanted = {"csv", "svg", "json"} | (
                {"png"} if spec.get("usermeta", {}).get("book", {}).get("png", True) else set()
            )
            assert wanted <= kinds and ("png" in kinds) == ("png" in wanted), (page.name, links)
            for link in links:
                assert (page.parent / link).resolve().is_file(), (page.name, link)
            assert re.search(r'<noscript><img class="book-chart-static" src="[^"]+\.svg"', block), page.name
    assert figures == len(figure_specs)


def test_each_csv_holds_exactly_the_values_its_chart_draws(figure_specs):
    for spec_path in figure_specs:
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        stem = spec_path.name.removesuffix(".vl.json")
        urls = tabular_data_urls(spec, "chart-data/")
        names = [f"{stem}.csv"] if len(urls) == 1 else [f"{stem}-data{i}.csv" for i in range(1, len(urls) + 1)]
        for url, name in zip(urls, names, strict=True):
            drawn = json.loads((CHART_DATA / url.removeprefix("chart-data/")).read_text(encoding="utf-8"))
            header, rows = read_csv_records((CHART_DATA / name).read_text(encoding="utf-8"))
            assert len(rows) == len(drawn), name
            for row, record in zip(rows, drawn, strict=True):
                assert set(header) >= set(record), name
                for column, cell in zip(header, row, strict=True):
                    value = record.get(column)
                    if value is None:
                        assert cell == "", (name, column)
                    elif isinstance(value, bool):
                        assert cell == str(value).lower(), (name, column)
                    elif isinstance(value, (int, float)):
                        assert float(cell) == value, (name, column, cell, value)
                    elif isinstance(value, str):
                        assert cell == value, (name, column)


def test_static_images_show_the_charts_titles(figure_specs):
    for spec_path in figure_specs:
        stem = spec_path.name.removesuffix(".vl.json")
        svg = (CHART_DATA / f"{stem}.svg").read_text(encoding="utf-8")
        assert svg.startswith("<svg") and svg.count("<path") + svg.count("<rect") + svg.count("<line") > 3, stem
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        if spec.get("usermeta", {}).get("book", {}).get("png", True):
            assert (CHART_DATA / f"{stem}.png").read_bytes().startswith(b"\x89PNG"), stem
        else:  # a template's figure made without PNG (the municipality pages)
            assert not (CHART_DATA / f"{stem}.png").exists(), stem
