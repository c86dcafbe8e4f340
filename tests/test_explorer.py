"""The live explorer's logic, called directly (no browser, no kernel)."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.analysis import municipal_comparisons as cmp
from helpers.charts.render import spec_nodes  # noqa: E402
from helpers.errors import ParameterError
from helpers.widgets import build_explorer, explorer_state
from helpers.widgets.explorer import PNG_SCALE, Explorer, explorer_summary, resolve_choice, shown_table


@pytest.fixture(autouse=True)
def chart_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOK_CHART_DATA_DIR", str(tmp_path / "chart-data"))


def _titles(spec) -> list[str]:
    return [node["title"] for node in spec_nodes(spec) if isinstance(node.get("title"), str)]


def _rows(chart, field):
    """Rows of the data frames the chart's panels draw that have ``field``."""
    frames = [panel.data for panel in chart.hconcat if isinstance(panel.data, pd.DataFrame)]
    return [row for frame in frames if field in frame.columns for row in frame.to_dict("records")]


def test_state_shows_the_municipality_its_region_and_the_indicator():
    chart, table = explorer_state("Tampere", "unemployment_rate_pct", "region", (2010, 2019))
    region = cmp.group_members("837", "region")
    assert len(table) == len(region) == 22
    assert set(table["code"]) == set(region)
    value_column = table.columns[2]
    assert value_column.startswith("Unemployed") and "(% of labour force), 2019" in value_column
    tampere = table.set_index("code").loc["837"]
    assert tampere[value_column] == cmp.indicator_values().loc["837", "unemployment_rate_pct"]
    assert table[value_column].dropna().is_monotonic_decreasing
    titles = _titles(chart.to_dict())
    assert any("Tampere" in t and "Unemployed" in t for t in titles)
    assert "Unemployment rate 2010–2019" in titles
    years = {row["year"] for row in _rows(chart, "rate")}
    assert years == set(range(2010, 2020))


def test_group_line_is_the_weighted_rate_of_the_group():
    chart, _ = explorer_state("Kuopio", "gini", "pilots", (2015, 2016))
    lines = {(row["series"], row["year"]): row["rate"] for row in _rows(chart, "rate")}
    members = cmp.group_members("297", "pilots")
    monthly = cmp.unemployment_monthly(2021)
    sub = monthly[monthly["municipality_code"].isin(members) & (monthly["year"] == 2016)]
    months = sub.groupby("month")[["unemployed", "labour_force"]].sum()
    expected = (100 * months["unemployed"] / months["labour_force"]).mean()
    assert lines[("Group: pilot municipalities", 2016)] == pytest.approx(expected, abs=0.005)
    assert ("Kuopio", 2015) in lines


def test_swedish_names_codes_and_groups_resolve():
    _, by_swedish = explorer_state("Tammerfors", "gini", "peers", (2006, 2020))
    _, by_code = explorer_state(837, "3126", "peers", (2006, 2020))
    assert by_swedish.equals(by_code) and len(by_swedish) == cmp.N_PEERS + 1
    _, everyone = explorer_state("Tampere", "gini", "all", (2006, 2020))
    assert len(everyone) == 309 and everyone.iloc[-1].isna().any()  # no data sorts last


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("Tampre", "gini", "region", (2006, 2020)), "Nearest names: Tampere"),
        (("Tampere", "ginni", "region", (2006, 2020)), "nearest: gini"),
        (("Tampere", "gini", "county", (2006, 2020)), "valid: region"),
        (("Tampere", "gini", "region", (2004, 2020)), "outside the unemployment data 2006–2020"),
    ],
)
def test_bad_controls_raise_with_the_fix(arguments, message):
    with pytest.raises(ParameterError, match=message):
        explorer_state(*arguments)


def test_widget_callbacks_redraw_from_the_controls():
    explorer = build_explorer("Tampere", "social_assistance_recipients_25_64_pct", "region", (2006, 2020))
    assert isinstance(explorer, Explorer) and repr(explorer).startswith("Municipality explorer")
    assert [c.description for c in explorer.children[:4]] == [
        "Municipality",
        "Indicator (2019)",
        "Comparison group",
        "Unemployment years",
    ]
    assert "837" in set(explorer.table["code"])
    explorer.municipality.value = "Kuopio"  # the observer calls refresh()
    assert "297" in set(explorer.table["code"]) and "837" not in set(explorer.table["code"])
    assert any("Kuopio" in t for t in _titles(explorer.chart.to_dict()))
    explorer.indicator.value = "gini"
    assert explorer.table.columns[2].startswith("Gini coefficient")
    explorer.years.value = (2012, 2014)
    assert {row["year"] for row in _rows(explorer.chart, "rate")} == {2012, 2013, 2014}
    explorer.municipality.value = "Kuopoi"
    assert "Nearest names: Kuopio" in explorer.message
    assert "297" in set(explorer.table["code"])  # the last good state is kept
    explorer.municipality.value = "Kuopio"
    assert explorer.message == ""


def test_shown_chart_is_the_svg_with_a_text_line():
    explorer = build_explorer("Tampere", "gini", "pilots", (2018, 2019))
    bundles = [output["data"] for output in explorer.output.outputs]
    summary, chart, table = bundles
    assert chart["image/svg+xml"] == explorer.svg and chart["text/plain"].startswith("[Chart: Tampere and pilot")
    assert "Tampere and pilot municipalities, 2019" in explorer.svg
    assert summary["text/plain"] == explorer.summary and "explorer-summary" in summary["text/html"]
    assert table["text/html"].count("<tr>") == len(explorer.table) + 1  # header and one row each


def test_summary_states_value_rank_group_range_and_unemployment():
    chart, table = explorer_state("Tampere", "gini", "region", (2006, 2019))
    choice = resolve_choice("Tampere", "gini", "region", (2006, 2019))
    text = explorer_summary(choice, table)
    values = cmp.indicator_values(2019)["gini"]
    rank = int((values > cmp.indicator_values().loc["837", "gini"]).sum()) + 1
    assert f"national rank {rank} of {int(values.notna().sum())}" in text
    region = table.set_index("code")
    value_column = table.columns[2]
    low, high = region[value_column].min(), region[value_column].max()
    assert f"from {low:,.1f} (" in text and f"to {high:,.1f} (" in text
    assert "Comparison group (same region, 22 municipalities" in text
    own = {(r["series"], r["year"]): r["rate"] for r in _rows(chart, "rate")}
    assert f"Unemployment rate 2019: {own[('Tampere', 2019)]:,.1f} % in Tampere" in text
    assert f"{own[('Group: same region', 2019)]:,.1f} % in the group" in text


def test_csv_export_equals_the_table_shown(tmp_path):
    explorer = build_explorer("Kuopio", "gini", "urban_rural", (2010, 2020), export_dir=tmp_path / "exports")
    path = explorer.export("csv")
    assert path == tmp_path / "exports" / "explorer_297_gini_urban_rural_2010-2020.csv"
    assert path.name in explorer.export_status.value and "Wrote the table" in explorer.export_status.value
    written = pd.read_csv(path, dtype={"Municipality code": str, "National rank (1 = highest)": str})
    shown = shown_table(explorer.table)
    assert list(written.columns) == list(shown.columns) and len(written) == len(shown)
    assert written["Municipality code"].tolist() == shown["Municipality code"].tolist()
    assert written["Municipality"].tolist() == shown["Municipality"].tolist()
    for column in shown.columns[2:]:
        pd.testing.assert_series_equal(
            pd.to_numeric(written[column]), pd.to_numeric(shown[column]), check_names=False, rtol=1e-12
        )
    # The HTML table shown is the same rows in the same order.
    html_rows = explorer.output.outputs[2]["data"]["text/html"].split("<tbody>")[1].split("</tr>")[:-1]
    assert [row.count("<td>") for row in html_rows] == [len(shown.columns)] * len(shown)
    assert all(name in row for name, row in zip(shown["Municipality"], html_rows))


def test_svg_and_png_exports_are_valid_images_of_the_chart_shown(tmp_path):
    import struct
    import xml.etree.ElementTree as ElementTree
    import zlib

    explorer = build_explorer("Tornio", "gini", "pilots", (2015, 2019), export_dir=tmp_path)
    svg_path = explorer.export("svg")
    assert svg_path.read_text(encoding="utf-8") == explorer.svg
    root = ElementTree.fromstring(svg_path.read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {"".join(node.itertext()) for node in root.iter("{http://www.w3.org/2000/svg}text")}
    assert "Tornio and pilot municipalities, 2019" in texts and "Unemployment rate 2015–2019" in texts
    png = explorer.export("png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, offset = [], 8
    while offset < len(png):  # walk the chunks, checking each CRC, up to IEND
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind, body = png[offset + 4 : offset + 8], png[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", png[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        chunks.append((kind, body))
        offset += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND" and offset == len(png)
    width, height = struct.unpack(">II", chunks[0][1][:8])
    svg_width, svg_height = float(root.get("width")), float(root.get("height"))
    assert (width, height) == (round(svg_width * PNG_SCALE), round(svg_height * PNG_SCALE))
    pixels = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    assert len(set(pixels)) > 10  # drawn, not a blank canvas


def test_export_writes_what_is_shown_after_a_bad_control(tmp_path):
    explorer = build_explorer("Raisio", "gini", "region", (2006, 2020), export_dir=tmp_path)
    explorer.group.value = "pilots"
    explorer.municipality.value = "Raisoi"
    assert "Nearest names: Raisio" in explorer.message
    shown = explorer.output.outputs
    assert "Raisoi" in shown[0]["data"]["text/plain"]
    assert [output["data"] for output in shown[1:]] == list(explorer._view)  # the last good view stays
    path = explorer.export("csv")
    assert path.name == "explorer_680_gini_pilots_2006-2020.csv"
    assert len(pd.read_csv(path)) == len(cmp.group_members("680", "pilots"))


def test_export_says_why_it_could_not_write(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the export folder should be")
    explorer = build_explorer("Tampere", "gini", "pilots", (2018, 2019), export_dir=blocker)
    assert explorer.export("csv") is None
    assert "Could not write" in explorer.export_status.value and "Fix:" in explorer.export_status.value
    explorer.export_buttons["svg"].click()  # the button calls the same export
    assert "Could not write" in explorer.export_status.value and ".svg" in explorer.export_status.value
    with pytest.raises(ParameterError, match="valid: csv, svg, png"):
        explorer.export("pdf")


def test_export_buttons_write_into_the_export_folder(tmp_path):
    explorer = build_explorer("Kemijärvi", "gini", "pilots", (2018, 2019), export_dir=tmp_path)
    for kind, button in explorer.export_buttons.items():
        button.click()
        assert (tmp_path / f"explorer_320_gini_pilots_2018-2019.{kind}").stat().st_size > 0
    # No temporary files left (the chart-data folder of this test's fixture also lives in tmp_path).
    assert sorted(p.suffix for p in tmp_path.iterdir() if p.is_file()) == [".csv", ".png", ".svg"]
