"""The pilot engine on the REAL data release (read through BOOK_DATA_MIRROR), and parameter
validation (which resolves names against the real municipality reference).

Structural assertions only: no estimate copied from the code's own output.
"""

import csv
import math
import time

import numpy as np
import pytest

from helpers.analysis.outcomes import OUTCOMES, outcome_panel
from helpers.analysis.pilot import PilotAnalysis, analyse, pilot_context_2019, pilot_timing
from helpers.chapters import pilot as pilot_chapter
from helpers.chapters.model import as_values
from helpers.chapters.pilot_summary import pilot_notes, pilot_summary
from helpers.data.municipalities import pilot_codes
from helpers.errors import MirrorNotFound, ParameterError


def validate_pilot_parameters(given: dict | None = None, **overrides) -> dict:
    """The chapter's one validation (defaults from its model), as the engine receives it."""
    return as_values(pilot_chapter.validate({**(given or {}), **overrides}))


def run_pilot_analysis(**given) -> PilotAnalysis:
    return analyse(validate_pilot_parameters(given))


@pytest.fixture(scope="module", autouse=True)
def mirror():
    from helpers.data import mirror_path

    try:
        return mirror_path()
    except MirrorNotFound as err:
        pytest.fail(f"real-data tests need the data release (set BOOK_DATA_MIRROR): {err}")


@pytest.fixture(scope="module")
def default_runs():
    # base_year=0: the last pre-period year, which differs between the annual and the Diak outcomes
    return {oid: run_pilot_analysis(outcome=oid, base_year=0) for oid in OUTCOMES}


# ------------------------------------------------------------------ outcome panels


def test_unemployment_panel_is_on_the_2022_division_with_honkajoki_merged():
    from helpers.data import load

    panel = outcome_panel("unemployment_rate")
    assert panel["municipality_code"].nunique() == 309
    assert "099" not in set(panel["municipality_code"])  # Honkajoki, merged into Kankaanpää 2021
    m = load("unemployment_monthly")
    y19 = m[m["year"] == 2019]
    parts = y19[y19["municipality_code"].isin(["099", "214"])]
    expected = (
        100
        * parts.groupby("municipality_code")["unemployed"].mean().sum()
        / (parts.groupby("municipality_code")["labour_force"].first().sum())
    )
    got = panel[(panel.municipality_code == "214") & (panel.year == 2019)]["value"].iloc[0]
    assert got == pytest.approx(expected, rel=1e-12)
    tre = y19[y19["municipality_code"] == "837"]
    t19 = panel[(panel.municipality_code == "837") & (panel.year == 2019)]["value"].iloc[0]
    assert t19 == pytest.approx(100 * tre["unemployed"].mean() / tre["labour_force"].iloc[0])
    # municipalities with suppressed months are flagged, not silently averaged
    incomplete = set(panel.loc[~panel["complete"], "municipality_code"])
    assert incomplete and incomplete.isdisjoint(pilot_codes())
    assert panel["population"].notna().all()


def test_diak_panels_use_year_mid_and_cover_the_pilots():
    for oid, outcome in OUTCOMES.items():
        if outcome.source_dataset != "diak_indices":
            continue
        panel = outcome_panel(oid)
        assert sorted(panel["year"].unique()) == list(range(2011, 2021))
        pilots = panel[panel["municipality_code"].isin(pilot_codes())]
        assert pilots["value"].notna().all() and pilots["municipality_code"].nunique() == 6
        # an index relative to the median municipality: the median of each year_mid is ~100
        med = panel.groupby("year")["value"].median()
        assert ((med > 80) & (med < 125)).all()


def test_pilot_timing_matches_the_fact_table_and_data_layer():
    from helpers.data import municipalities as muni
    from helpers.data.paths import repo_root

    with open(repo_root() / "data" / "facts" / "pilot_municipalities.csv", encoding="utf-8") as fh:
        facts = {r["municipality_code"]: r for r in csv.DictReader(fh)}
    assert set(facts) == set(pilot_timing()) == set(muni.pilot_municipalities())
    for code, t in pilot_timing().items():
        years = tuple(int(y) for y in facts[code]["years_participating"].split(";"))
        assert t.pilot_years == years == muni.pilot_table()[code].years
        assert t.name_fi == facts[code]["name_fi"] and t.name_sv == facts[code]["name_sv"]
    assert facts["680"]["start_date"] == pilot_timing()["680"].start


# ------------------------------------------------------------------ the default run


def test_default_run_completes_with_finite_numbers(default_runs):
    for oid, a in default_runs.items():
        assert a.parameters["outcome"] == oid
        assert list(a.treated["municipality_code"]) == ["211", "320", "297", "680", "837", "851"]
        assert a.did.n_treated == 6
        assert set(a.comparison.codes).isdisjoint(pilot_codes())
        assert a.did.n_control == len(a.comparison) >= 250
        for key in ("estimate", "treated_change", "comparison_change", "placebo_share_as_extreme"):
            assert math.isfinite(a.numbers[key]), (oid, key)
        assert np.isfinite(a.event_study[["difference", "relative_to_base"]].to_numpy()).all()
        base = a.parameters["base_year"]
        assert a.event_study.set_index("year").at[base, "relative_to_base"] == 0.0
        assert a.placebo.n_placebo == 1000 and a.placebo.n_ranked == 1001
        assert 1 <= a.placebo.rank <= 1001 and 0 <= a.placebo.share_as_extreme <= 1
        assert "(1,000 + 1)" in pilot_summary(a)["placebo"]
        # the headline number is the population-weighted mean of the per-municipality effects
        ue = a.did.unit_effects
        assert a.did.estimate == pytest.approx(float((ue["weight_share"] * ue["did"]).sum()))
        groups = a.trends[a.trends["kind"] == "group"]
        assert set(groups["series"]) == {"Pilot municipalities", "Comparison group"}
        assert groups["value"].notna().all()
        assert len(a.trends[a.trends["kind"] == "municipality"]) == 6 * len(OUTCOMES[oid].years)
        notes = pilot_notes(a)
        assert notes and all(isinstance(n, str) and n for n in notes)


def test_tornio_post_period_is_handled(default_runs):
    annual = default_runs["unemployment_rate"].treated.set_index("municipality_code")
    assert annual.at["851", "post_years_used"] == [2018]
    assert annual.at["837", "post_years_used"] == [2018, 2019]
    assert annual.at["851", "exposure_share"] == 1.0
    diak = default_runs["diak_long_term_unemployment"].treated.set_index("municipality_code")
    assert diak.at["851", "post_years_used"] == [2018]  # year_mid 2018 = 2017-2019 holds 2018
    assert diak.at["851", "exposure_share"] == pytest.approx(1 / 3)
    assert diak.at["297", "exposure_share"] == pytest.approx(2 / 3)
    placebo = default_runs["unemployment_rate"].placebo
    assert sorted(map(len, placebo.draw_post_years)) == [1, 2, 2, 2, 2, 2]


def test_same_seed_reproduces_the_run():
    a = run_pilot_analysis(n_placebo=300, seed=7)
    b = run_pilot_analysis(n_placebo=300, seed=7)
    c = run_pilot_analysis(n_placebo=300, seed=8)
    assert np.array_equal(a.placebo.estimates, b.placebo.estimates)
    assert pilot_summary(a) == pilot_summary(b)
    assert not np.array_equal(a.placebo.estimates, c.placebo.estimates)
    assert a.numbers["estimate"] == c.numbers["estimate"]  # the seed only moves the placebo


def test_tampere_alone_against_matched_peers_is_coherent():
    a = run_pilot_analysis(municipalities=["Tammerfors"], comparison="matched", n_matched=5)
    assert a.parameters["municipalities"] == ["837"]
    assert len(a.comparison) == 5 and set(a.comparison.table["matched_to"]) == {"837"}
    assert set(a.comparison.codes).isdisjoint(pilot_codes())
    assert a.placebo.exhaustive and a.placebo.n_placebo == 5
    summary = pilot_summary(a)
    assert "cannot say much" in summary["placebo_verdict"]
    assert "Tornio" not in summary["periods"]
    assert math.isfinite(a.numbers["estimate"])
    for method in ("same_region", "same_urban_rural_group"):
        b = run_pilot_analysis(municipalities=["837"], comparison=method, n_placebo=200)
        assert 0 < len(b.comparison) < 300 and "837" not in b.comparison


def test_equal_weighting_changes_the_estimate():
    pop = run_pilot_analysis(n_placebo=0)
    eq = run_pilot_analysis(n_placebo=0, weighting="equal")
    assert pop.placebo is None and "placebo" not in pilot_summary(pop)
    assert pop.numbers["estimate"] != pytest.approx(eq.numbers["estimate"], abs=1e-6)
    assert eq.did.unit_effects["weight_share"].to_numpy() == pytest.approx(np.full(6, 1 / 6))


# ------------------------------------------------------------------ validation


def test_validation_normalises_names_and_is_idempotent_and_fast():
    t = time.perf_counter()
    p = validate_pilot_parameters(
        {"municipalities": ["Tammerfors", "Reso", "TORNEÅ", 211, "kemijarvi"], "outcome": "unemployment_rate"}
    )
    assert time.perf_counter() - t < 1.0
    assert p["municipalities"] == ["837", "680", "851", "211", "320"]
    assert p["pre_years"] == [2013, 2014, 2015, 2016, 2017] and p["base_year"] == 2017
    assert validate_pilot_parameters(p) == p
    d = validate_pilot_parameters(outcome="diak_supplementary_social_assistance", base_year=0)
    assert d["pre_years"] == [2014, 2015, 2016] and d["post_years"] == [2018]


@pytest.mark.parametrize(
    "params, pattern",
    [
        ({"municipalities": ["Tampre"]}, r"municipalities: Unknown municipality 'Tampre'.*Tampere"),
        ({"municipalities": []}, r"municipalities is empty.*Tampere"),
        ({"municipalities": ["Helsinki"]}, r"'Helsinki' \(091\) was not a pilot municipality.*Tornio"),
        (
            {"outcome": "unemployment_rate", "pre_years": [2003, 2004]},
            r"pre_years=\[2003, 2004\].*outside the data.*2006–2020",
        ),
        ({"outcome": "diak_long_term_unemployment", "post_years": [2021]}, r"post_years.*2021.*2011–2020"),
        (
            {"outcome": "unemployment_rate", "comparison": "matched", "n_matched": 60},
            r"^n_matched=60 .* 360 .* only 295",
        ),
        (
            {"outcome": "unemployment_rate", "base_year": 2010},
            r"base_year=2010 is not in the pre-period 2013–2017.*\[2013, 2014",
        ),
        ({"base_year": 2030}, r"base_year=2030 is outside the outcome's data"),
        ({"outcome": "unemployment"}, r"outcome='unemployment'.*Did you mean 'unemployment_rate'"),
        ({"comparison": "region"}, r"comparison='region'.*same_region"),
        ({"weighting": "pop"}, r"weighting='pop'.*'population', 'equal'"),
        ({"n_placebo": 200_000}, r"n_placebo=200000 is outside the allowed range 0..100000"),
        ({"n_placebo": "many"}, r"parameter 'n_placebo' expects int, got 'many'"),
        ({"seed": 1.5}, r"parameter 'seed' expects int, got 1.5"),
        ({"n_placebo": -1}, r"n_placebo=-1 is outside the allowed range 0..100000"),
        (
            {"outcome": "unemployment_rate", "municipalities": ["Tornio"], "post_years": [2019]},
            r"none of Tornio's pilot years \[2018\]",
        ),
        ({"comparison": "matched", "n_matched": 1}, r"n_placebo=1000: .* 6 municipalities.*n_matched"),
        ({"outcome": "diak_long_term_unemployment", "pre_years": [2016, 2017]}, r"year_mid 2017 \(mean of 2016–2018\)"),
        ({"n_placbo": 10}, r"unknown parameter 'n_placbo'; did you mean n_placebo"),
        (
            {"outcome": "diak_long_term_unemployment", "base_year": 2017},
            r"base_year=2017 .*base_year=0 for the last pre-period year",
        ),
    ],
)
def test_invalid_parameters_fail_with_a_useful_message(params, pattern):
    with pytest.raises(ParameterError, match=pattern):
        validate_pilot_parameters(params)


# ------------------------------------------------------------------ context 2019


def test_pilot_context_2019_structure_and_published_values():
    c = pilot_context_2019()
    assert len(c) == 4 * 6
    assert list(c["indicator_id"].unique()) == [5, 453, 181, 3562]
    assert c["percentile"].between(0, 100).all()
    assert (c["rank_from_highest"].astype(int) <= c["n_municipalities"]).all()
    assert (c["min"] <= c["q1"]).all() and (c["q1"] <= c["median"]).all() and (c["q3"] <= c["max"]).all()
    assert c["national_population_weighted"].between(c["min"], c["max"]).all()
    # published Sotkanet 2019 values (THL): Tampere 12.3 % of 25-64-year-olds received social
    # assistance; Kemijärvi's unemployment rate was 13.0 %
    v = c.set_index(["indicator_id", "municipality_code"])["value"]
    assert v[5, "837"] == pytest.approx(12.3) and v[181, "320"] == pytest.approx(13.0)
    # euros per resident have no absolute values in Sotkanet: no counts-based national figure
    assert c[c.indicator_id == 453]["national_from_counts"].isna().all()
    assert c[c.indicator_id == 5]["national_from_counts"].notna().all()
    assert any("population aged 25–64 is not in the data" in n for n in c.attrs["notes"])
    assert c["weight_note"].str.contains("population on 31 Dec 2019").all()
