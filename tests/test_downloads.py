"""Figure downloads: CSV with the chart's own values, the Vega-Lite spec, SVG/PNG rendered once."""

import json

import altair as alt
import pandas as pd
import pytest

from helpers.charts import downloads, render

# Synthetic data, labelled so: not from any statistics.
SYNTHETIC = pd.DataFrame(
    {"municipality": ["Aa", "Bö, Cc", "Dd"], "value": [1.23456789, None, 3.0], "year": [2019, 2019, 2019]}
)


@pytest.fixture(autouse=True)
def chart_data(tmp_path, monkeypatch):
    monkeypatch.setenv(render.CHART_DATA_ENV, str(tmp_path / "chart-data"))
    render.set_chapter(None)
    return tmp_path / "chart-data"


def _figure(**kwargs):
    chart = (
        alt.Chart(SYNTHETIC)
        .mark_bar()
        .encode(
            x=alt.X("municipality:N", title="Municipality"),
            y=alt.Y("value:Q", title="Recipients, % of population"),
            tooltip=["year:O"],
        )
    )
    return render.figure(chart, caption="Synthetic caption", alt_text="Synthetic bars", **kwargs)


def test_csv_holds_the_values_the_chart_draws_under_a_documented_header(chart_data):
    bundle = _figure(source="Synthetic test data")._repr_mimebundle_()
    csv_files = list(chart_data.glob("figure-1-*.csv"))
    assert len(csv_files) == 1
    text = csv_files[0].read_text(encoding="utf-8")
    assert text.startswith("# Figure 1. Synthetic caption\n# Source: Synthetic test data\n")
    assert "#   value: Recipients, % of population (number)" in text
    assert "#   municipality: Municipality (category)" in text
    header, rows = downloads.read_csv_records(text)
    spec = next(v for k, v in bundle.items() if "vegalite" in k)
    drawn = json.loads((chart_data / spec["data"]["url"].removeprefix("chart-data/")).read_text())
    assert header == list(drawn[0])
    assert rows == [["Aa", "1.23457", "2019"], ["Bö, Cc", "", "2019"], ["Dd", "3.0", "2019"]]
    assert [[str(r[c]) if r[c] is not None else "" for c in header] for r in drawn] == rows


def test_links_under_the_figure_and_a_static_image_without_javascript(chart_data):
    html = _figure()._repr_mimebundle_()["text/html"]
    stem = next(chart_data.glob("figure-1-*.csv")).stem
    for name in (f"{stem}.csv", f"{stem}.svg", f"{stem}.png", f"{stem}.vl.json"):
        assert f'href="chart-data/{name}" download="{name}"' in html
    assert f'<noscript><img class="book-chart-static" src="chart-data/{stem}.svg" alt="Synthetic bars">' in html
    spec = json.loads((chart_data / f"{stem}.vl.json").read_text())
    assert spec["mark"] in ("bar", {"type": "bar"}) and spec["data"]["url"].startswith("chart-data/")


def test_a_figure_with_two_data_sets_gets_two_csvs(chart_data):
    other = pd.DataFrame({"municipality": ["Aa"], "limit": [2.0]})  # synthetic
    chart = alt.Chart(SYNTHETIC).mark_bar().encode(x="municipality:N", y="value:Q") + alt.Chart(
        other
    ).mark_rule().encode(y="limit:Q")
    render.figure(chart, caption="c", alt_text="a")._repr_mimebundle_()
    names = sorted(p.name.split("-data")[1] for p in chart_data.glob("figure-1-*-data*.csv"))
    assert names == ["1.csv", "2.csv"]


def test_images_are_rendered_once_and_taken_from_the_cache_after(chart_data, tmp_path):
    _figure()._repr_mimebundle_()
    files = {p.name: p.read_bytes() for p in chart_data.iterdir()}
    logs: list[str] = []
    images = downloads.figure_images(files, tmp_path / "cache", "chart-data/", render.vega_lite_version(), logs.append)
    stem = next(chart_data.glob("figure-1-*.csv")).stem
    assert sorted(images) == [f"{stem}.png", f"{stem}.svg"]
    assert images[f"{stem}.png"].startswith(b"\x89PNG")
    svg = images[f"{stem}.svg"].decode()
    assert svg.startswith("<svg") and "Recipients, % of population" in svg
    assert logs == ["rendered SVG and PNG of 1 figure(s) with vl-convert"]
    logs.clear()
    again = downloads.figure_images(files, tmp_path / "cache", "chart-data/", render.vega_lite_version(), logs.append)
    assert again == images and logs == []


def test_a_spec_naming_missing_data_is_a_clear_error():
    with pytest.raises(FileNotFoundError, match="chart-data/gone.json"):
        downloads.inline_data({"data": {"url": "chart-data/gone.json"}}, {}, "chart-data/")


def test_a_table_links_its_csv_with_full_precision_values(chart_data):
    from helpers.charts import table

    frame = pd.DataFrame({"municipality": ["Aa", "Bb"], "share": [12.345678, None]})  # synthetic
    html = table(frame, caption="Synthetic table")._repr_html_()
    (csv_file,) = chart_data.glob("table-*.csv")
    assert f'href="chart-data/{csv_file.name}" download="{csv_file.name}">table (CSV)</a>' in html
    assert csv_file.read_text(encoding="utf-8") == "# Synthetic table\nmunicipality,share\nAa,12.345678\nBb,\n"
