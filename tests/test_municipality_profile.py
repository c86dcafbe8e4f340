"""The municipality page's analysis: aggregates from counts, ranks and medians, and how missing data read.

Unit tests run on SYNTHETIC panels (labelled so; made-up codes and counts); spot checks run on the
real data release and compare with values computed independently from the release's CSV files or
quoted in its README.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.analysis import municipality_profile as mp
from helpers.book import runplan
from helpers.chapters import municipality, municipality_text
from helpers.data.municipalities import municipality_page
from helpers.errors import ParameterError

# ------------------------------------------------------------------------- synthetic panels


def synthetic_keys() -> pd.DataFrame:
    """SYNTHETIC: four municipalities in two regions and two groups."""
    frame = pd.DataFrame(
        {
            "municipality_code": ["901", "902", "903", "904"],
            "region_code": ["01", "01", "02", "02"],
            "urban_rural_code": [1, 2, 2, 2],
        }
    )
    return mp.group_keys(frame)


def test_family_aggregates_are_ratios_of_summed_counts_over_members_with_both_counts():
    families = pd.DataFrame(  # SYNTHETIC counts
        {
            "municipality_code": ["901", "902", "903", "904"] * 2,
            "year": [2000] * 4 + [2001] * 4,
            "families_with_children": [1000.0, 100.0, 400.0, 50.0, 1000.0, 100.0, 400.0, np.nan],
            "families_receiving_social_assistance": [100.0, 30.0, 20.0, np.nan, 50.0, 10.0, 40.0, 5.0],
        }
    )
    out = mp.families_aggregates(families, synthetic_keys()).set_index(["series", "year"])
    # Region 01 in 2000: (100 + 30) / (1000 + 100), not the mean of 10 % and 30 %.
    assert out.at[("R01", 2000), "pct"] == pytest.approx(100 * 130 / 1100)
    # Region 02 in 2000: 904's receiving count is suppressed, so 904 is left out entirely.
    assert out.at[("R02", 2000), "pct"] == pytest.approx(100 * 20 / 400)
    assert out.at[("R02", 2000), "n_reporting"] == 1 and out.at[("R02", 2000), "n_members"] == 2
    # Finland in 2001: 904's families count is suppressed: 901–903 only.
    assert out.at[("FI", 2001), "pct"] == pytest.approx(100 * 100 / 1500)
    assert out.at[("FI", 2001), "n_reporting"] == 3
    # Group 2 (902, 903, 904) in 2000: 902 and 903 report.
    assert out.at[("G2", 2000), "pct"] == pytest.approx(100 * 50 / 500)


def test_diak_group_values_are_medians_of_members_and_finland_has_none():
    diak = pd.DataFrame(  # SYNTHETIC indices
        {
            "municipality_code": ["901", "902", "903", "904"],
            "variable": ["v"] * 4,
            "year_mid": [2015] * 4,
            "index_value": [80.0, 120.0, 200.0, np.nan],
        }
    )
    out = mp.diak_group_medians(diak, synthetic_keys()).set_index(["series", "year_mid"])
    assert out.at[("R01", 2015), "median_index"] == pytest.approx(100.0)
    assert out.at[("R02", 2015), "median_index"] == pytest.approx(200.0)  # 904 missing, not zero
    assert out.at[("G2", 2015), "median_index"] == pytest.approx(160.0)
    assert "FI" not in out.index.get_level_values("series")


def test_ranks_count_from_the_highest_value_ties_share_and_missing_values_are_unranked(monkeypatch):
    values = pd.DataFrame(  # SYNTHETIC 2019 values
        {"ind": [5.0, 9.0, 9.0, np.nan, 1.0]}, index=pd.Index(["901", "902", "903", "904", "905"])
    )
    catalogue = pd.DataFrame({"indicator": ["ind"], "indicator_label": ["Synthetic share"], "unit": ["%"]})
    monkeypatch.setattr(mp, "indicator_catalogue", lambda: catalogue)
    (top,) = mp.figures_2019(values, "902", ("ind",))
    (third,) = mp.figures_2019(values, "901", ("ind",))
    (missing,) = mp.figures_2019(values, "904", ("ind",))
    (merged,) = mp.figures_2019(values, None, ("ind",))
    assert (top.rank, top.n_ranked, top.median) == (1, 4, 7.0)
    assert (third.rank, third.value) == (3, 5.0)
    assert missing.rank is None and math.isnan(missing.value) and missing.n_ranked == 4
    assert merged.rank is None and math.isnan(merged.value)


def test_the_years_list_reads_runs_as_ranges():
    assert municipality_text._years_list([1995, 1996, 1997, 2003, 2010, 2011]) == "1995–1997, 2003, 2010, 2011"


# --------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def panel():
    return mp.panel()


def _release() -> Path:
    return Path(os.environ["BOOK_DATA_MIRROR"])


def test_tampere_2019_families_share_is_the_readme_value(panel):
    tampere = mp.profile("837", panel)
    value = tampere.families.set_index("year").at[2019, "municipality"]
    assert value == pytest.approx(100 * 3488 / 21575)  # the release README: 3,488 / 21,575 = 16.2 %
    assert tampere.labels["region"] == "Pirkanmaa"
    assert tampere.pilot is not None and tampere.pilot.years == (2018, 2019)


def test_finland_families_share_equals_the_sum_over_the_release_csv(panel):
    """Computed here from the CSV with the csv module, independently of the loaders and the panel."""
    receiving = families = 0.0
    with open(_release() / "sotkanet" / "families_social_assistance_1990_2021.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            r, f = row["families_with_children_receiving_social_assistance"], row["families_with_children"]
            if row["year"].startswith("2019") and r not in ("", "NA") and f not in ("", "NA"):
                receiving += float(r)
                families += float(f)
    profile = mp.profile("091", panel)
    assert profile.families.set_index("year").at[2019, "finland"] == pytest.approx(100 * receiving / families)


def test_finland_unemployment_is_summed_counts_over_reporting_municipalities(panel):
    raw = pd.read_csv(_release() / "statfin" / "unemployment_monthly_2006_2020.csv", dtype={"municipality_code": str})
    month = raw[(raw["month"] == "2019-12") & raw["unemployed"].notna()]
    expected = 100 * month["unemployed"].sum() / month["labour_force"].sum()
    profile = mp.profile("837", panel)
    assert profile.unemployment.set_index("month").at["2019-12", "finland"] == pytest.approx(expected)


def test_kuopio_lists_both_of_its_mergers_and_its_series_cover_the_merged_area(panel):
    kuopio = mp.profile("297", panel)
    assert [(m.year, m.absorbed) for m in kuopio.mergers] == [(2015, "Maaninka"), (2017, "Juankoski")]
    text = municipality_text.merger_sentences(kuopio)
    assert "On 1 January 2015, Maaninka (code 476) merged into Kuopio." in text
    assert "area of the 2021 division" in text


def test_pertunmaa_reads_as_merged_in_2025_not_as_suppressed(panel):
    pertunmaa = mp.profile("588", panel)
    assert all(math.isnan(f.value) for f in pertunmaa.figures)
    values = municipality_text.glue_values(pertunmaa)
    assert "merged into Mäntyharju on 1 January 2025" in values["standing_sentence"]
    assert "suppressed" not in values["standing_sentence"]
    assert "included in those of Mäntyharju" in values["peers_sentence"]
    assert "merged into Mäntyharju (code 507)" in values["merger_sentence"]
    # Its own trends exist: THL back-casts the families series to the 2021 division.
    assert pertunmaa.families["municipality"].notna().sum() > 20
    mantyharju = mp.profile("507", panel)
    assert "covers Mäntyharju and Pertunmaa" in municipality_text.division_sentence(mantyharju)


def test_an_aland_municipality_with_suppressed_counts_says_so_and_shows_only_its_groups(panel):
    sottunga = mp.profile("766", panel)  # Åland's smallest municipality
    values = municipality_text.glue_values(sottunga)
    assert sottunga.region == "Åland"
    assert sottunga.families["municipality"].isna().all()
    assert "publishes no count of families" in values["families_sentence"]
    assert "suppressed for small numbers" in values["families_sentence"]
    # Its unemployment count is published in some months only: the sentence says in how many it is missing.
    raw = pd.read_csv(_release() / "statfin" / "unemployment_monthly_2006_2020.csv", dtype={"municipality_code": str})
    missing = int(raw.loc[raw["municipality_code"] == "766", "unemployed"].isna().sum())
    months = raw["month"].nunique()
    assert 0 < missing < months
    assert f"Its figure is missing in {missing} of the {months} months." in values["unemployment_sentence"]
    assert "mainland municipalities" in values["diak_sentence"]
    assert sottunga.peers.table.empty and "never filled in" in values["peers_sentence"]
    # Its region line is still drawn from the Åland municipalities that report.
    assert sottunga.families["region"].notna().all()
    table = municipality_text.figures_table(sottunga)
    assert table["Sottunga"].isna().sum() >= 1 and (table["Rank (1 = highest)"] == "–").sum() >= 1


def test_mariehamn_has_no_diak_index_and_no_regional_median(panel):
    profile = mp.profile("478", panel)
    sentence = municipality_text.diak_sentence(profile)
    assert "Diak publishes no disadvantage index for Maarianhamina" in sentence


def test_a_small_municipality_with_some_suppressed_years_names_them(panel):
    profile = mp.profile("435", panel)  # Luhanka: the families count is published in 12 of the 30 years
    frame = profile.families
    gaps = frame.loc[frame["municipality"].isna(), "year"].tolist()
    assert len(gaps) == 18
    sentence = municipality_text.families_sentence(profile)
    assert "suppressed in 18 of the 30 years" in sentence
    last = frame.loc[frame["municipality"].notna(), "year"].max()
    assert sentence.startswith(f"In {last}, ")


# --------------------------------------------------------------------------------- the page


def test_every_family_page_is_the_municipality_page_of_its_code():
    plan = runplan.load_run_plan()
    family = [page for page in plan.pages() if page.family == "municipality-pages"]
    assert len(family) == 309
    from helpers.analysis.municipal_indicators import division_codes

    assert sorted(page.parameters["municipality"] for page in family) == division_codes(2021)
    for page in family:
        assert page.page == municipality_page(page.parameters["municipality"])
        assert page.chapter == "municipality" and page.notebook == "notebooks/municipality.ipynb"
    by_code = {page.parameters["municipality"]: page for page in family}
    assert by_code["837"].page == "municipalities/837" and by_code["837"].title == "Tampere"
    assert by_code["005"].page == "municipalities/005"  # leading zeros kept


@pytest.mark.parametrize(
    ("given", "code"),
    [("Tampere", "837"), ("Tammerfors", "837"), ("Mariehamn", "478"), ("Närpes", "545"), ("091", "091"), (5, "005")],
)
def test_a_finnish_or_swedish_name_or_a_code_resolves(given, code):
    assert municipality.validate({"municipality": given}).municipality == code


def test_a_typo_gets_the_nearest_names():
    with pytest.raises(ParameterError, match=r"parameter 'municipality' = 'Tamprere'.*Nearest names: Tampere"):
        municipality.validate({"municipality": "Tamprere"})


def test_a_municipality_merged_before_2021_points_to_its_successor():
    with pytest.raises(ParameterError, match=r"Valtimo.*merged into Nurmes \(541\)"):
        municipality.validate({"municipality": "Valtimo"})


def test_a_language_that_is_not_an_edition_is_refused_clearly():
    assert municipality.validate({"lang": "sv"}).lang == "sv"
    with pytest.raises(
        ParameterError, match=r"parameter 'lang' = 'de' is not an edition; nearest: .*; valid: fi, sv, en"
    ):
        municipality.validate({"lang": "de"})


def test_peers_link_to_their_own_pages(panel):
    profile = mp.profile("837", panel)
    links = municipality_text.peers_links(profile)
    assert len(links) == 10
    first = profile.peers.table["municipality_code"].iloc[0]
    assert links[0] == f"[{profile.peer_names[first]}](../{municipality_page(first)}.html)"
