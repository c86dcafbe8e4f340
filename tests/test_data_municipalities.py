"""helpers.data.municipalities: resolution, reference by year, mergers and harmonisation."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "data"))
from support import shared_mirror  # noqa: E402

from helpers import data  # noqa: E402
from helpers.data import municipalities as m  # noqa: E402
from helpers.errors import ParameterError  # noqa: E402


@pytest.fixture(autouse=True)
def _mirror(monkeypatch):
    monkeypatch.setenv("BOOK_DATA_MIRROR", str(shared_mirror()))


@pytest.mark.parametrize(
    "query, code",
    [
        ("Tammerfors", "837"),
        ("reso", "680"),
        ("Torneå", "851"),
        ("kemijarvi", "320"),
        ("KEMIJÄRVI", "320"),
        ("Tampere", "837"),
        ("  tampere ", "837"),
        ("Helsingfors", "091"),
        ("Mariehamn", "478"),
        ("Maarianhamina", "478"),
        (91, "091"),
        ("91", "091"),
        ("091", "091"),
        (837, "837"),
        ("Kangasala", "211"),
        ("Kuopio", "297"),
        ("Tornio", "851"),
    ],
)
def test_resolve(query, code):
    assert m.resolve(query) == code


def test_resolve_unknown_lists_nearest():
    with pytest.raises(ParameterError, match="Tampere") as exc:
        m.resolve("Tampre")
    assert "Nearest names" in str(exc.value)
    with pytest.raises(ParameterError, match="code 999"):
        m.resolve(999)


def test_resolve_with_year_knows_mergers():
    assert m.resolve("Valtimo", 2019) == "911"
    with pytest.raises(ParameterError, match=r"merged into Nurmes \(541\) on 1 January 2020"):
        m.resolve("Valtimo", 2020)
    with pytest.raises(ParameterError, match="2013–2026"):
        m.resolve("Tampere", 2040)


def test_pilot_constants_match_reference():
    ref = m.reference(2018).set_index("municipality_code")
    for code, name in m.pilot_municipalities().items():
        assert ref.loc[code, "name_fi"] == name
        assert m.resolve(name) == code
    assert "851" not in m.pilot_municipalities(2019) and len(m.pilot_municipalities(2018)) == 6


def test_reference_by_year():
    assert len(m.reference(2013)) == 320
    assert len(m.reference(2020)) == 310
    assert len(m.reference(2025)) == 308
    with pytest.raises(ParameterError, match="2013–2026"):
        m.reference(2012)


def test_mergers_agree_with_the_key_file():
    assert m.verify_mergers() == []
    table = m.mergers_table()
    assert len(table) == 12
    row = table.set_index("absorbed_code").loc["099"]
    assert (row.absorbing_code, row.division_year) == ("214", 2021)
    assert table["source"].str.contains("Statistics Finland").all()
    # every disappearance between consecutive years is covered, with the absorber present both years
    ref = m.reference()
    codes = {y: set(g.municipality_code) for y, g in ref.groupby("year")}
    gone = {(y + 1, c) for y in range(2013, 2026) for c in codes[y] - codes[y + 1]}
    assert gone == {(r.division_year, r.absorbed_code) for r in table.itertuples()}


def test_successor_follows_mergers():
    assert m.successor("099", 2020) == "099"
    assert m.successor("099", 2021) == "214"
    assert m.successor("174", 2026) == "297"
    assert m.successor("837", 2026) == "837"


def test_harmonise_sums_counts_on_real_data():
    u = data.load("unemployment_monthly")  # 2020 division: Honkajoki 099 still separate
    dec = u[u.month == "2019-12"][["municipality_code", "month", "unemployed", "labour_force"]]
    out = m.harmonise(dec, 2021, ["unemployed", "labour_force"])
    assert len(out) == 309 and "099" not in set(out.municipality_code)
    k = out.set_index("municipality_code")
    src = dec.set_index("municipality_code")
    assert k.loc["214", "labour_force"] == src.loc["214", "labour_force"] + src.loc["099", "labour_force"]
    assert k.loc["837", "unemployed"] == src.loc["837", "unemployed"]
    assert out["labour_force"].sum() == dec["labour_force"].sum()  # never double counts
    assert out.attrs["harmonise"]["merged"] == {"214": ["099", "214"]}
    both = m.harmonise(dec, 2021, ["unemployed"])
    assert "labour_force" not in both.columns and both.attrs["harmonise"]["dropped"] == ["labour_force"]


def test_harmonise_refuses_rates_but_weights_them():
    dec = data.load("unemployment_monthly")
    dec = dec[dec.month == "2019-12"][
        ["municipality_code", "month", "unemployed", "labour_force", "unemployment_rate_pct"]
    ]
    with pytest.raises(ParameterError, match="unemployment_rate_pct.*cannot be summed.*weighted_mean"):
        m.harmonise(dec, 2021, ["unemployment_rate_pct"])
    out = m.harmonise(dec, 2021, ["unemployment_rate_pct"], how="weighted_mean", weight_col="labour_force")
    row = out.set_index("municipality_code").loc["214"]
    src = dec.set_index("municipality_code")
    expected = (
        src.loc["214", "unemployment_rate_pct"] * src.loc["214", "labour_force"]
        + src.loc["099", "unemployment_rate_pct"] * src.loc["099", "labour_force"]
    ) / (src.loc["214", "labour_force"] + src.loc["099", "labour_force"])
    assert row["unemployment_rate_pct"] == pytest.approx(expected)
    # rates pass untouched when no merger combines rows
    same = m.harmonise(dec, 2020, ["unemployment_rate_pct"])
    assert len(same) == 310


def test_harmonise_synthetic_chain_nan_and_duplicates():
    # synthetic: Juankoski (174) and Maaninka (476) merged into Kuopio (297); year-specific divisions
    df = pd.DataFrame(
        {
            "municipality_code": ["297", "174", "476", "297", "174", "297", "099", "214"],
            "year": [2014, 2014, 2014, 2016, 2016, 2017, 2020, 2020],
            "count": [100.0, 10.0, 1.0, 111.0, np.nan, 200.0, 5.0, 50.0],
        }
    )
    out = m.harmonise(df, 2026, ["count"]).set_index(["municipality_code", "year"])["count"]
    assert out[("297", 2014)] == 111.0
    assert np.isnan(out[("297", 2016)])  # a component is NaN: no partial sum
    assert out[("297", 2017)] == 200.0  # Juankoski already inside Kuopio in 2017's division
    assert out[("214", 2020)] == 55.0
    # 2015: Kuopio present but Juankoski (still separate in 2015 and present elsewhere in the data) missing
    df2 = pd.concat([df, pd.DataFrame({"municipality_code": ["297"], "year": [2015], "count": [5.0]})])
    out2 = m.harmonise(df2, 2026, ["count"])
    assert np.isnan(out2.set_index(["municipality_code", "year"]).loc[("297", 2015), "count"])
    assert out2.attrs["harmonise"]["incomplete"][0]["missing"] == ["174"]
    with pytest.raises(ParameterError, match="double count"):
        m.harmonise(pd.concat([df, df.head(1)]), 2026, ["count"])
    with pytest.raises(ParameterError, match="cannot be split"):
        m.harmonise(pd.DataFrame({"municipality_code": ["999"], "year": [2019], "n": [1]}), 2019, ["n"])


def test_name_lookup():
    assert m.name("837", lang="sv") == "Tammerfors"
    assert m.name("Reso") == "Raisio"


def test_municipality_page_is_the_code_under_the_pages_folder():
    from helpers.data.municipalities import municipality_page

    assert municipality_page("837") == "municipalities/837"
    # Codes are three digits everywhere in the release; a code read as a number is padded back.
    assert municipality_page("5") == "municipalities/005"


def test_links_to_a_municipality_page_are_relative_and_name_the_html_file():
    from helpers.data.municipalities import municipality_page_url, page_url

    assert municipality_page_url("837", "chapters/comparisons") == "../municipalities/837.html"
    assert municipality_page_url("837", "municipalities/index") == "837.html"
    assert municipality_page_url("5", "index") == "municipalities/005.html"
    assert page_url("chapters/pilot", "chapters/comparisons") == "pilot.html"


@pytest.mark.parametrize("from_page", ["chapters/comparisons", "municipalities/index", "index", "a/b/c"])
def test_the_link_pattern_rebuilds_every_municipality_link(from_page):
    from helpers.data.municipalities import municipality_page_url, municipality_url_parts

    prefix, suffix = municipality_url_parts(from_page)
    codes = m.reference(2021)["municipality_code"]
    assert all(prefix + code + suffix == municipality_page_url(code, from_page) for code in codes)
