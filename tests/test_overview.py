"""Key figures of the introduction, checked against the raw files of the data release."""

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "data"))
from support import shared_mirror  # noqa: E402

from helpers.analysis import overview  # noqa: E402
from helpers.chapters import introduction  # noqa: E402
from helpers.errors import ParameterError  # noqa: E402

PILOT_CODES = {211, 320, 297, 680, 837, 851}  # Kangasala, Kemijärvi, Kuopio, Raisio, Tampere, Tornio


@pytest.fixture(scope="module")
def figures():
    return overview.key_figures(2019)


def test_population_totals_match_the_raw_sotkanet_file(figures):
    raw = pd.read_csv(shared_mirror() / "sotkanet" / "population_2000_2022.csv")
    in_2019 = raw[raw["year"] == 2019]
    assert figures["national_population"].value == in_2019["primary.value"].sum() == 5_525_292
    pilots = in_2019[in_2019["municipality_code"].isin(PILOT_CODES)]["primary.value"].sum()
    assert figures["pilot_population"].value == pilots
    assert figures["pilot_population_share"].value == pytest.approx(100 * pilots / 5_525_292)


def test_unemployed_sum_counts_published_and_withheld_municipalities(figures):
    raw = pd.read_csv(
        shared_mirror() / "statfin" / "unemployment_monthly_2006_2020.csv", dtype={"municipality_code": str}
    )
    december = raw[raw["month"] == "2019-12"]
    assert figures["unemployed_december"].value == december["unemployed"].sum()
    assert figures["unemployed_december_municipalities"].value == december["unemployed"].notna().sum()
    assert figures["unemployed_december_suppressed"].value == december["unemployed"].isna().sum() > 0


def test_recipient_rate_spread_matches_indicator_5(figures):
    raw = pd.read_csv(shared_mirror() / "sotkanet" / "indicators_2019_municipalities.csv")
    rates = raw[(raw["indicator"] == 5)]["primary.value"].dropna()
    assert figures["municipalities_with_recipient_rate"].value == len(rates) == 302
    assert figures["recipient_rate_median"].value == rates.median()
    assert figures["recipient_rate_max"].value == rates.max()


def test_pilot_indicator_table_has_each_pilot_and_the_median():
    table = overview.pilot_indicator_table(2019)
    tampere = table[
        (table["municipality"] == "Tampere") & (table["indicator"] == "social_assistance_recipients_25_64_pct")
    ]
    assert tampere["value"].tolist() == [12.3]  # THL Sotkanet indicator 5, Tampere 2019
    assert set(table["municipality"]) == {
        "Kangasala",
        "Kemijärvi",
        "Kuopio",
        "Raisio",
        "Tampere",
        "Tornio",
        "Median municipality",
    }


def test_validator_names_the_years_and_the_nearest_indicator():
    with pytest.raises(ParameterError, match=r"'year' = 2030 is outside the data.*\[2019\]"):
        introduction.validate({"year": 2030, "indicator": "unemployment_rate_pct"})
    with pytest.raises(ParameterError, match="nearest: unemployment_rate_pct"):
        introduction.validate({"year": 2019, "indicator": "unemployment_rate"})
    assert introduction.validate({"year": "2019"}) == introduction.Params(year=2019)
