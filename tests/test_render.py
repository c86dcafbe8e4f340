"""The offline chart renderer: data go to published files, specs stay small and deterministic."""

import json

import altair as alt
import pandas as pd
import pytest

from helpers.charts import render

SYNTHETIC = pd.DataFrame({"municipality": ["A", "B", "C"], "value": [1.5, None, 3.0]})  # synthetic


@pytest.fixture(autouse=True)
def chart_data(tmp_path, monkeypatch):
    monkeypatch.setenv(render.CHART_DATA_ENV, str(tmp_path / "chart-data"))
    render.set_chapter(None)
    return tmp_path / "chart-data"


def _chart(frame):
    return alt.Chart(frame).mark_bar().encode(x="municipality:N", y="value:Q")


def test_spec_references_a_published_file_instead_of_inline_rows(chart_data):
    spec = render.figure(_chart(SYNTHETIC), caption="c", alt_text="a").spec()
    assert "values" not in json.dumps(spec)
    url = spec["data"]["url"]
    assert url.startswith("chart-data/") and url.endswith(".json")
    stem = url.removeprefix("chart-data/").removesuffix(".json")
    rows = json.loads((chart_data / f"{stem}.json").read_text())
    assert rows == [
        {"municipality": "A", "value": 1.5},
        {"municipality": "B", "value": None},
        {"municipality": "C", "value": 3.0},
    ]
    script = (chart_data / f"{stem}.js").read_text()
    assert script.startswith(f"(window.{render.JS_DATA_REGISTRY}=") and json.dumps(stem) in script


def test_linked_views_share_one_copy_of_their_data(chart_data):
    left = _chart(SYNTHETIC)
    right = alt.Chart(SYNTHETIC).mark_point().encode(x="value:Q")
    render.figure(left | right, caption="c", alt_text="a").spec()
    assert len(list(chart_data.glob("*.json"))) == 1


def test_mimebundle_is_deterministic_and_loads_nothing_from_outside():
    first = render.figure(_chart(SYNTHETIC), caption="Cap", alt_text="Alt")._repr_mimebundle_()
    render.set_chapter(None)
    second = render.figure(_chart(SYNTHETIC), caption="Cap", alt_text="Alt")._repr_mimebundle_()
    assert first == second
    html = first["text/html"]
    assert "http://" not in html and "https://" not in html.replace("https://vega.github.io/schema", "")
    assert render.VEGA_BUNDLE_PATH in html and "data-content_root" in html
    assert "<figcaption>Figure 1. Cap</figcaption>" in html and 'aria-label="Alt"' in html


def test_figures_are_numbered_within_a_chapter():
    render.set_chapter(3)
    numbers = [render.figure(_chart(SYNTHETIC), caption="c", alt_text="a").number for _ in range(2)]
    assert numbers == ["3.1", "3.2"]


def test_a_figure_needs_caption_and_alt_text():
    with pytest.raises(ValueError, match="caption and alt text"):
        render.figure(_chart(SYNTHETIC), caption="", alt_text="a")


def test_vega_bundle_is_the_vega_runtime_alone_in_a_function_scope():
    source = render.vega_bundle_source()
    assert source.split("\n", 2)[1] == "(function(){"
    assert source.rstrip().endswith("})();")
    assert "window.vega={View:" in source.replace(" ", "")
    # Vega-Lite and vega-embed stay out: the page gets specs already compiled to Vega.
    assert "window.vegaEmbed" not in source and "window.vegaLite" not in source
    assert len(source) < 700_000


def test_page_gets_a_vega_spec_and_jupyterlab_the_vega_lite_spec():
    bundle = render.figure(_chart(SYNTHETIC), caption="Cap", alt_text="Alt")._repr_mimebundle_()
    vega_lite = next(value for key, value in bundle.items() if key.startswith("application/vnd.vegalite"))
    assert vega_lite["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert vega_lite["mark"] == {"type": "bar"} or vega_lite["mark"] == "bar"
    html = bundle["text/html"]
    assert "https://vega.github.io/schema/vega/v" in html and "schema/vega-lite" not in html
    assert "new vega.View(vega.parse(" in html


def test_chart_data_urls_lists_each_file_once_in_spec_order():
    spec = {
        "vconcat": [
            {"data": {"url": "chart-data/b.json"}, "layer": [{"data": {"url": "chart-data/a.json"}}]},
            {"data": {"url": "chart-data/b.json"}},
            {"transform": [{"lookup": "k", "from": {"data": {"url": "chart-data/c.json"}}}]},
            {"data": {"url": "https://example.org/not-ours.json"}},
        ]
    }
    assert render.chart_data_urls(spec) == ["chart-data/b.json", "chart-data/a.json", "chart-data/c.json"]
