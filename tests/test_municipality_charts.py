"""The municipality page's figure: a valid Vega-Lite spec whose data are published files, never inline."""

from __future__ import annotations

import json

import altair as alt
import pytest

from helpers.analysis import municipality_profile as mp
from helpers.charts import municipality as chart
from helpers.charts import render


@pytest.fixture(scope="module")
def profiles():
    tables = mp.panel()
    return {code: mp.profile(code, tables) for code in ("837", "766", "588")}


@pytest.fixture()
def chart_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(render.CHART_DATA_ENV, str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("code", ["837", "766", "588"])
def test_the_spec_is_valid_vega_lite_and_loads_its_data_from_published_files(profiles, chart_dir, code):
    spec = chart.trends_spec(profiles[code])
    alt.VConcatChart.from_dict(spec)  # raises on anything the Vega-Lite schema refuses
    assert not [node for node in render.spec_nodes(spec) if "values" in (node.get("data") or {})]  # none inline
    urls = render.chart_data_urls(spec)
    assert len(urls) == 3 and all(url.startswith(f"chart-data/municipality-{code}-") for url in urls)
    for url in urls:
        assert (chart_dir / url.removeprefix("chart-data/")).exists()
    render.vega_spec(spec)  # compiles offline


def test_the_published_rows_are_the_profile_values_rounded(profiles, chart_dir):
    profile = profiles["837"]
    spec = chart.trends_spec(profile)
    families_url = next(u for u in render.chart_data_urls(spec) if "-families-" in u)
    rows = json.loads((chart_dir / families_url.removeprefix("chart-data/")).read_text())
    assert len(rows) == 30 and rows[0]["year"] == 1992 and rows[-1]["year"] == 2021
    by_year = {row["year"]: row for row in rows}
    expected = profile.families.set_index("year").at[2019, "municipality"]
    assert by_year[2019]["municipality"] == pytest.approx(round(expected, 2))


def test_a_municipality_without_data_keeps_its_lines_empty_not_zero(profiles, chart_dir):
    spec = chart.trends_spec(profiles["766"])  # Sottunga: every families count suppressed
    families_url = next(u for u in render.chart_data_urls(spec) if "-families-" in u)
    rows = json.loads((chart_dir / families_url.removeprefix("chart-data/")).read_text())
    assert all(row["municipality"] is None for row in rows)
    assert all(row["region"] is not None for row in rows)


def test_a_figure_without_png_renders_its_svg_in_the_run_and_offers_no_png(profiles, chart_dir):
    figure = render.figure(chart.trends_chart(profiles["837"]), caption="Synthetic caption", alt_text="alt", png=False)
    bundle = figure._repr_mimebundle_()
    html = bundle["text/html"]
    assert "chart (SVG)" in html and "chart (PNG)" not in html
    svgs = list(chart_dir.glob("figure-*.svg"))
    assert len(svgs) == 1 and svgs[0].read_text().startswith("<svg")
    (spec_file,) = chart_dir.glob("figure-*.vl.json")
    assert json.loads(spec_file.read_text())["usermeta"] == {"book": {"png": False}}


def test_the_build_renders_no_png_for_such_a_figure_and_keeps_the_runs_svg(profiles, chart_dir, tmp_path):
    from helpers.charts.downloads import figure_images

    figure = render.figure(chart.trends_chart(profiles["588"]), caption="Synthetic caption", alt_text="alt", png=False)
    figure._repr_mimebundle_()
    files = {path.name: path.read_bytes() for path in chart_dir.iterdir() if path.is_file()}
    images = figure_images(
        files, tmp_path / "image-cache", "chart-data/", render.vega_lite_version(), log=lambda _: None
    )
    assert images == {}  # the SVG came with the run; no PNG is wanted
    files = {name: data for name, data in files.items() if not name.endswith(".svg")}
    images = figure_images(
        files, tmp_path / "image-cache", "chart-data/", render.vega_lite_version(), log=lambda _: None
    )
    assert [name.rsplit(".", 1)[1] for name in images] == ["svg"]  # an older run: the build renders the SVG only
