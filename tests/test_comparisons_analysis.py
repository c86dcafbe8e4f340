"""Municipality comparisons: ranks, peers, weighted aggregates, divisions and parameter validation.

Synthetic frames (labelled as such) pin down the rules with known answers; the real data release
(read through BOOK_DATA_MIRROR) checks published values and the division matching.
"""

from __future__ import annotations

import csv
import math

import numpy as np
import pandas as pd
import pytest
from data.support import shared_mirror

from helpers.analysis import municipal_comparisons as cmp
from helpers.chapters import comparisons as comparisons_chapter
from helpers.chapters import comparisons_text
from helpers.errors import ParameterError


def _published_sotkanet(indicator_id: int, code: int) -> float:
    """A value as THL published it, straight from the mirror's CSV (no loader involved)."""
    path = shared_mirror() / "sotkanet" / "indicators_2019_municipalities.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if int(row["indicator"]) == indicator_id and int(row["region.code"]) == code:
                return float(row["primary.value"])
    raise AssertionError(f"indicator {indicator_id} has no value for {code} in the mirror")


# ------------------------------------------------------------------------------ ranks (synthetic)


def test_ranks_put_the_highest_first_share_ties_and_skip_missing():
    synthetic = pd.DataFrame({"a": [3.0, 9.5, np.nan, 9.5, 1.0]}, index=["001", "002", "003", "004", "005"])
    ranks = cmp.national_ranks(synthetic)["a"]
    assert ranks["002"] == 1 and ranks["004"] == 1  # tie: both get the best rank
    assert ranks["001"] == 3 and ranks["005"] == 4  # the next rank counts the tied ones
    assert pd.isna(ranks["003"])  # suppressed value: no rank, not last place
    assert cmp.rank_of(synthetic, "005", "a") == (4, 4)
    assert cmp.rank_of(synthetic, "003", "a") == (None, 4)


# ------------------------------------------------------------------------------ peers (synthetic)


def _synthetic_peer_frame() -> pd.DataFrame:
    # Synthetic: A=(0, 0), B=(1, 0), C=(0, 10) and D with a suppressed x. On raw values B is ten times
    # nearer to A than C is; on z-scores (sample SD over A, B, C) both are exactly sqrt(3) away.
    return pd.DataFrame({"x": [0.0, 1.0, 0.0, np.nan], "y": [0.0, 0.0, 10.0, 5.0]}, index=["A", "B", "C", "D"])


def test_peers_use_standardised_distance_and_exclude_missing_values():
    result = cmp.peers(_synthetic_peer_frame(), "A", indicators=("x", "y"), n=10)
    assert list(result.table["municipality_code"]) == ["B", "C"]  # equal distance: ordered by code
    assert result.table["distance"].tolist() == pytest.approx([math.sqrt(3), math.sqrt(3)])
    assert result.excluded == ["D"] and result.n_candidates == 3  # D is left out, not imputed
    assert result.table.set_index("municipality_code").loc["C", "y"] == 10.0  # values travel with the peers


def test_peers_do_not_depend_on_units():
    frame = _synthetic_peer_frame().assign(x=[0.0, 1.0, 0.5, np.nan])  # Synthetic: C now nearer than B
    scaled = frame.assign(y=frame["y"] * 1000)
    first = cmp.peers(frame, "A", indicators=("x", "y"))
    second = cmp.peers(scaled, "A", indicators=("x", "y"))
    assert list(first.table["municipality_code"]) == list(second.table["municipality_code"]) == ["C", "B"]
    assert first.table["distance"].tolist() == pytest.approx(second.table["distance"].tolist())


def test_peers_of_a_municipality_without_values_is_an_explained_empty_result():
    result = cmp.peers(_synthetic_peer_frame(), "D", indicators=("x", "y"))
    assert result.table.empty
    assert "No peers" in result.message and "x" in result.message


# ------------------------------------------------------------------------- aggregates (synthetic)


def test_aggregate_rates_are_weighted_and_count_only_reporting_municipalities():
    # Synthetic: two regions; municipality "003" does not report in February.
    monthly = pd.DataFrame(
        {
            "municipality_code": ["001", "002", "003"] * 2,
            "month": ["2019-01"] * 3 + ["2019-02"] * 3,
            "year": [2019] * 6,
            "unemployed": [10.0, 300.0, 40.0, 20.0, 300.0, np.nan],
            "labour_force": [100, 2000, 400, 100, 2000, 400],
        }
    )
    classes = pd.DataFrame(
        {
            "municipality_code": ["001", "002", "003"],
            "region_code": ["01", "01", "02"],
            "region_en": ["North", "North", "South"],
            "urban_rural_code": [3, 1, 3],
            "urban_rural_en": ["Rural", "Urban", "Rural"],
        }
    )
    rates = cmp.aggregate_rates(monthly, classes).set_index(["series", "month"])["rate"]
    assert rates[("FI", "2019-01")] == pytest.approx(100 * 350 / 2500)  # 14.0, not the mean of rates 11.67
    assert rates[("FI", "2019-01")] != pytest.approx(np.mean([10.0, 15.0, 10.0]))
    assert rates[("FI", "2019-02")] == pytest.approx(100 * 320 / 2100)  # "003" left out of both sums
    assert rates[("R01", "2019-01")] == pytest.approx(100 * 310 / 2100)
    assert rates[("G3", "2019-01")] == pytest.approx(100 * 50 / 500)
    assert ("R02", "2019-02") not in rates.index


def test_annual_rate_needs_every_month_of_the_year():
    # Synthetic: "001" misses March, "002" reports all three months of the (short) data year.
    monthly = pd.DataFrame(
        {
            "municipality_code": ["001", "001", "002", "002", "002"],
            "month": ["2020-01", "2020-02", "2020-01", "2020-02", "2020-03"],
            "year": [2020] * 5,
            "rate": [10.0, 12.0, 5.0, 6.0, 7.0],
        }
    )
    annual = cmp.annual_rates(monthly).set_index("municipality_code")["rate"]
    assert math.isnan(annual["001"]) and annual["002"] == pytest.approx(6.0)


# ------------------------------------------------------------------------------- the real data


def test_sotkanet_values_are_the_published_ones_and_ranked_from_the_highest():
    values = cmp.indicator_values(2019)
    assert values.shape == (308, 15)
    assert list(values.columns) == list(cmp.indicator_catalogue()["indicator"])
    tampere = values.loc["837", "social_assistance_recipients_25_64_pct"]
    assert tampere == _published_sotkanet(5, 837)
    column = values["social_assistance_recipients_25_64_pct"]
    rank, ranked = cmp.rank_of(values, "837", "social_assistance_recipients_25_64_pct")
    assert ranked == int(column.notna().sum())
    assert rank == int((column > tampere).sum()) + 1


def test_divisions_match_codes_and_report_the_merged_municipalities():
    on_2021 = cmp.unmatched_codes(2021)
    assert on_2021 == {"map_without_data": ["588"], "data_without_map": [], "values_covering_several": ["507"]}
    on_2017 = cmp.unmatched_codes(2017)
    assert on_2017["map_without_data"] == ["099", "588", "911"]  # Honkajoki, Pertunmaa, Valtimo
    assert on_2017["values_covering_several"] == ["214", "507", "541"]  # Kankaanpää, Mäntyharju, Nurmes
    table = cmp.comparison_table(2019, 2021).set_index("municipality_code")
    assert len(table) == 309 and table.loc["588", list(cmp.indicator_values().columns)].isna().all()
    assert "Mäntyharju" in table.loc["588", "note"] and "Pertunmaa" in table.loc["507", "note"]


def test_unemployment_on_the_2021_map_adds_honkajoki_to_kankaanpaa():
    source = cmp.data.load(cmp.UNEMPLOYMENT)
    january = source[source["month"] == "2019-01"].set_index("municipality_code")
    harmonised = cmp.unemployment_monthly(2021)
    row = harmonised[(harmonised["municipality_code"] == "214") & (harmonised["month"] == "2019-01")].iloc[0]
    assert row["unemployed"] == january.loc["214", "unemployed"] + january.loc["099", "unemployed"]
    assert row["rate"] == pytest.approx(
        100 * row["unemployed"] / (january.loc["214", "labour_force"] + january.loc["099", "labour_force"])
    )
    assert "099" not in set(harmonised["municipality_code"])
    assert "911" not in set(cmp.unemployment_monthly(2017)["municipality_code"])  # Valtimo: inside Nurmes


def test_trend_compares_the_municipality_with_weighted_region_group_and_finland():
    trend = cmp.trend_series("837", 2021, "annual")
    assert list(trend["role"].unique()) == ["municipality", "region", "urban_rural", "finland"]
    assert set(trend.loc[trend["role"] == "region", "series"]) == {"Pirkanmaa"}
    source = cmp.data.load(cmp.UNEMPLOYMENT)
    december = source[(source["month"] == "2019-12") & source["unemployed"].notna()]
    monthly = cmp.trend_series("837", 2021, "monthly").set_index(["role", "period"])["rate"]
    assert monthly[("finland", "2019-12")] == pytest.approx(
        100 * december["unemployed"].sum() / december["labour_force"].sum()
    )
    tampere = source[(source["municipality_code"] == "837") & (source["year"] == 2019)]
    annual = trend.set_index(["role", "year"])["rate"]
    assert annual[("municipality", 2019)] == pytest.approx(
        (100 * tampere["unemployed"] / tampere["labour_force"]).mean()
    )


def _prepared(municipality: str) -> cmp.Comparisons:
    return comparisons_chapter.prepare(comparisons_chapter.validate({"municipality": municipality})).comparisons


def test_peers_of_tampere_on_real_data_exclude_incomplete_municipalities():
    chapter = _prepared("Tampere")
    assert chapter.peers.n_candidates + len(chapter.peers.excluded) == 308
    assert len(chapter.peers.table) == cmp.N_PEERS
    assert chapter.peers.table["distance"].is_monotonic_increasing
    table = comparisons_text.peers_table(chapter)
    assert table.iloc[0]["Rank"] == "chosen" and table.iloc[0]["Municipality"] == "Tampere (Tammerfors)"
    assert len(table) == cmp.N_PEERS + 1


def test_group_members_and_their_weighted_unemployment():
    region = cmp.group_members("837", "region")
    assert "211" in region and "837" in region and "091" not in region  # Kangasala yes, Helsinki no
    assert cmp.group_members("837", "pilots") == sorted(cmp.munis.pilot_codes())
    assert len(cmp.group_members("837", "peers")) == cmp.N_PEERS + 1
    with pytest.raises(ParameterError, match="region"):
        cmp.group_members("837", "regoin")


def test_narrative_explains_a_municipality_without_its_own_values():
    text = comparisons_text.narrative(_prepared("Pertunmaa"))
    assert "Mäntyharju" in text["standing_sentence"] and "No peers" in text["peers_sentence"]
    tampere = comparisons_text.narrative(_prepared("Tammerfors"))
    assert tampere["name"] == "Tampere" and "rank" in tampere["standing_sentence"]


# ------------------------------------------------------------------------------------ validator


def _params(**overrides):
    return {
        "municipality": "Tampere",
        "indicators": list(cmp.DEFAULT_INDICATORS),
        "year": 2019,
        "division": 2021,
        **overrides,
    }


def test_validator_resolves_names_in_both_languages_and_indicator_numbers():
    assert comparisons_chapter.validate(_params(municipality="Torneå")).municipality == "851"
    assert comparisons_chapter.validate(_params(municipality="837")).municipality == "837"
    resolved = comparisons_chapter.validate(_params(indicators=["3562", "5"]))
    assert resolved.indicators == ["long_term_unemployment_pct", "social_assistance_recipients_25_64_pct"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"year": 2018}, r"'year' = 2018 .*\[2019\]"),
        ({"division": 2019}, r"'division' = 2019.*\[2017, 2021\]"),
        ({"municipality": "Tampre"}, r"'municipality'.*Nearest names: Tampere"),
        ({"municipality": "Valtimo"}, r"merged into Nurmes"),
        ({"indicators": ["gini"]}, r"give two indicators"),
        ({"indicators": ["gini", "gini"]}, r"must differ"),
        ({"indicators": ["gini", "ginni_index"]}, r"'indicators'.*nearest: gini"),
    ],
)
def test_validator_rejects_bad_parameters_with_the_fix(overrides, message):
    with pytest.raises(ParameterError, match=message):
        comparisons_chapter.validate(_params(**overrides))


def test_valtimo_is_valid_on_the_2017_map_and_shows_no_data():
    assert comparisons_chapter.validate(_params(municipality="Valtimo", division=2017)).municipality == "911"
    table = cmp.comparison_table(2019, 2017).set_index("municipality_code")
    assert "Nurmes" in table.loc["911", "note"]
