"""The municipality index: its rows, series and median from the data release, its data file, the
chapter's checks, and the page script that only the index page loads."""

from __future__ import annotations

import csv
import functools
import json
import statistics
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "data"))
from support import shared_mirror  # noqa: E402

from helpers.analysis import municipality_index as analysis  # noqa: E402
from helpers.book import runplan  # noqa: E402
from helpers.book.sphinx_offline import keep_page_scripts, page_script_name  # noqa: E402
from helpers.chapters import municipality_index as chapter  # noqa: E402
from helpers.charts import municipality_index as index_charts  # noqa: E402
from helpers.errors import ParameterError  # noqa: E402
from helpers.paths import BOOK_DIR  # noqa: E402

FAMILIES_CSV = "sotkanet/families_social_assistance_1990_2021.csv"


@pytest.fixture(autouse=True)
def _mirror(monkeypatch, tmp_path):
    monkeypatch.setenv("BOOK_DATA_MIRROR", str(shared_mirror()))
    monkeypatch.setenv("BOOK_CHART_DATA_DIR", str(tmp_path / "chart-data"))


@pytest.fixture(scope="module")
def index():
    return analysis.municipality_index(1992, 2021)


@functools.cache
def raw_shares() -> dict[tuple[str, int], float | None]:
    """The shares straight from the release's CSV counts (receiving / families), not via the loader."""
    shares: dict[tuple[str, int], float | None] = {}
    with open(shared_mirror() / FAMILIES_CSV, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            receiving, families = (
                row["families_with_children_receiving_social_assistance"],
                row["families_with_children"],
            )
            share = 100 * float(receiving) / float(families) if receiving and families else None
            shares[(row["municipality_code"], int(row["year"]))] = share
    return shares


def raw_share(code: str, year: int) -> float | None:
    return raw_shares()[(code, year)]


def test_every_municipality_of_2021_once_in_finnish_alphabetical_order(index):
    table = index.table
    assert len(table) == 309 and table["municipality_code"].is_unique
    names = list(table["name_fi"])
    # Finnish order puts å, ä and ö after z: Äänekoski is last, and Ähtäri comes after Ylöjärvi.
    assert names[-1] == "Äänekoski" and names.index("Ähtäri") > names.index("Ylöjärvi")
    row = table.set_index("municipality_code").loc["545"]
    assert (row["name_fi"], row["name_sv"], row["region_en"]) == ("Närpiö", "Närpes", "Ostrobothnia")
    assert index.groups == ["Urban municipalities", "Semi-urban municipalities", "Rural municipalities"]
    assert len(index.regions) == 19 and "Åland" in index.regions


def test_the_series_is_the_published_share_with_suppressed_years_as_gaps(index):
    assert list(index.series.columns) == list(range(1992, 2022))
    for code, year in [("545", 1992), ("837", 2021), ("211", 2005), ("478", 2010)]:
        expected = raw_share(code, year)
        assert index.series.loc[code, year] == pytest.approx(expected)
    coverage = index.coverage()
    assert sum(coverage.values()) == 309 and coverage["gaps"] > 0 and coverage["none"] > 0
    # A municipality with no published year at all is all gaps, never zeros.
    empty = index.series[index.series.notna().sum(axis=1) == 0]
    assert len(empty) == coverage["none"]
    assert all(raw_share(code, 2021) is None for code in empty.index[:2])


def test_the_median_line_is_the_median_of_published_shares(index):
    for year in (1992, 2021):
        published = [share for (code, y), share in raw_shares().items() if y == year and share is not None]
        assert index.median[year] == pytest.approx(statistics.median(published))


def test_years_outside_the_data_and_other_divisions_are_refused():
    with pytest.raises(ParameterError, match=r"published for 1992–2021"):
        analysis.municipality_index(1990, 2021)
    with pytest.raises(ParameterError, match="first < last"):
        analysis.check_years(2021, 2021)
    with pytest.raises(ParameterError, match="lists the 2021 division"):
        analysis.municipality_index(1992, 2021, division=2017)


def test_chapter_validation_reads_two_years_and_names_the_parameter():
    assert chapter.validate({}).sparkline_years == [1992, 2021]
    assert chapter.validate({"sparkline_years": ["2000", "2010"]}).sparkline_years == [2000, 2010]
    with pytest.raises(ParameterError, match=r"parameter 'sparkline_years'.*give two years"):
        chapter.validate({"sparkline_years": [2000]})
    with pytest.raises(ParameterError, match=r"parameter 'sparkline_years'.*1992–2021"):
        chapter.validate({"sparkline_years": [1980, 2021]})


def test_the_data_file_holds_every_row_compactly_and_links_follow_the_page(index, tmp_path):
    shown = index_charts.index_list(index, "municipalities/index", chapter.SERIES_LABEL)
    html = shown._repr_html_()
    assert 'data-page-script="municipality-index"' in html
    assert 'data-link-prefix="" data-link-suffix=".html"' in html
    name = shown.url.removeprefix("chart-data/")
    document = json.loads((tmp_path / "chart-data" / name).read_text(encoding="utf-8"))
    assert len(document["c"]) == len(document["v"]) == 309
    position = document["c"].index("545")
    assert (document["n"][position], document["s"][position]) == ("Närpiö", "Närpes")
    assert document["regions"][document["r"][position]] == "Ostrobothnia"
    assert (
        document["groups"] == ["Urban", "Semi-urban", "Rural"]
        and document["groups"][document["g"][position]] == "Rural"
    )
    assert document["v"][position][0] == round(raw_share("545", 1992) * 10)
    tampere = document["c"].index("837")
    assert document["s"][tampere] == "Tammerfors"
    assert document["max"] == max(v for row in document["v"] for v in row if v is not None)
    # No value of the data release is written into the notebook's output itself.
    assert "Närpiö" not in html and "Ostrobothnia" not in html
    # The same index from another page links one folder up.
    elsewhere = index_charts.index_list(index, "chapters/comparisons", chapter.SERIES_LABEL)._repr_html_()
    assert 'data-link-prefix="../municipalities/"' in elsewhere


def test_the_index_is_the_first_page_of_the_municipalities_part():
    plan = runplan.load_run_plan()
    part = next(part for part in plan.parts if part.caption == "Municipalities")
    assert part.pages[0].page == chapter.DEFAULT_PAGE and part.pages[0].chapter == chapter.NAME
    assert plan.chapter_pages()[chapter.NAME] == chapter.DEFAULT_PAGE


def test_a_page_script_stays_only_on_pages_that_hold_its_element():
    scripts = ["_static/documentation_options.js", "_static/page-scripts/municipality-index.js?v=1a2b"]
    assert page_script_name(scripts[1]) == "municipality-index" and page_script_name(scripts[0]) is None
    assert keep_page_scripts(scripts, '<div data-page-script="municipality-index">') == scripts
    assert keep_page_scripts(scripts, "<p>another page</p>") == scripts[:1]
    assert (BOOK_DIR / "_static" / "page-scripts" / f"{index_charts.PAGE_SCRIPT}.js").exists()
