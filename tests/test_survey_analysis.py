"""Survey, related evidence, Kela notifications and glossary frames: published values only."""

from __future__ import annotations

import math

import pytest
from test_facts_support import read_table, seed_text

from helpers.analysis import survey
from helpers.errors import DataError, ParameterError


def _csv(table_id, key):
    return {row[key]: row for row in read_table(table_id)}


def test_response_shows_coverage_with_its_published_decimal():
    response = survey.survey_response().set_index("finding_id")
    findings = _csv("survey_findings", "finding_id")
    assert response.loc["respondents", "value"] == float(findings["respondents"]["value"])
    assert (
        response.loc["population_coverage_pct", "value_label"]
        == f"{findings['population_coverage_pct']['value']} % of the population"
    )
    assert response.loc["fieldwork_period", "value_label"] == "March–April 2019"
    assert "not a sample size" in response.loc["population_coverage_pct", "note"]


def test_growth_is_the_published_change():
    growth = survey.decision_growth().iloc[0]
    assert growth["change_pct"] == float(_csv("survey_findings", "finding_id")["decisions_growth_pct"]["value"])
    assert growth["value_label"] == "+21 %"
    assert growth["source"] and growth["bibkey"] == "kuntaliitto2019survey"


def test_decision_makers_show_only_published_shares():
    grid = survey.decision_makers()
    assert len(grid) == 4
    published = grid[grid["status"] == "published"]
    findings = _csv("survey_findings", "finding_id")
    assert sorted(published["share_pct"]) == sorted(float(findings[f]["value"]) for f in survey.DECISION_CELLS.values())
    unpublished = grid[grid["status"] != "published"].iloc[0]
    assert (unpublished["assistance_type"], unpublished["decision_maker"]) == (
        "supplementary",
        "social_workers_and_instructors",
    )
    assert math.isnan(unpublished["share_pct"]) and unpublished["value_label"] == "not published"
    # No complement is computed anywhere (100 − 38, 100 − 3, 100 − 92, 100 − 92 − 3).
    assert not {62.0, 97.0, 8.0, 5.0} & set(grid["share_pct"].dropna())


def test_qualitative_findings_are_cited_and_complete():
    table = survey.qualitative_findings()
    assert len(table) == 6 and list(table.columns) == ["theme_id", "theme", "finding", "source", "bibkey"]
    assert table["source"].notna().all() and table["finding"].str.len().min() > 40


def test_related_evidence_is_dated_sorted_and_labelled():
    evidence = survey.related_evidence()
    assert evidence["year"].is_monotonic_increasing
    assert evidence.iloc[0]["evidence_id"] == "transfer_to_kela" and evidence.iloc[0]["kind"] == "event"
    by_id = evidence.set_index("evidence_id")
    assert (
        by_id.loc["fcg_benefit_handlers", "value"] == -657
        and by_id.loc["fcg_benefit_handlers", "value_label"] == "−657"
    )
    assert by_id.loc["fcg_social_workers", "value_label"] == "+651"
    assert by_id.loc["thl2021_time_on_kela_matters", "value_label"] == "about 25 % of social-work time"
    assert by_id.loc["kuntaliitto2018_freed_person_years", "value_label"] == "about 1,560 person-years"
    assert by_id.loc["kuntaliitto2017_preventive_decisions", "value_label"] == "up to 1.5× the 2016 level"
    assert evidence.loc[evidence["kind"] == "figure", "source"].notna().all()


def test_kela_shares_are_published_and_do_not_sum_to_100():
    shares = survey.kela_notification_shares()
    totals = shares.groupby("table")["published_total_pct"].first().to_dict()
    assert totals == {"all_notifications": 90.0, "need_for_social_work": 86.0}
    only = survey.kela_notification_shares("need_for_social_work")
    assert only["category"].tolist() == ["Managing daily life", "Income", "Housing", "Health"]


def test_unknown_notification_table_names_the_nearest():
    with pytest.raises(ParameterError, match="need_for_social_work"):
        survey.kela_notification_shares("need_for_socialwork")


def test_survey_value_returns_numbers_and_rejects_text_and_unknown_ids():
    assert survey.survey_value("respondents") == 133.0
    with pytest.raises(DataError):
        survey.survey_value("fieldwork_period")
    with pytest.raises(ParameterError, match="respondents"):
        survey.survey_value("respondent")


# --- glossary --------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "expected"), [("fi", "fi"), ("SV", "sv"), (" en ", "en")])
def test_language_is_validated(given, expected):
    assert survey.validate_language(given) == expected


@pytest.mark.parametrize(("given", "nearest"), [("se", "sv"), ("swedish", "sv"), ("fin", "fi")])
def test_unknown_language_names_the_nearest(given, nearest):
    with pytest.raises(ParameterError) as info:
        survey.validate_language(given)
    assert f"Nearest valid: {nearest}" in str(info.value)


def test_glossary_has_every_term_in_finnish_and_english():
    for lang in survey.LANGUAGES:
        table = survey.glossary(lang)
        assert (table["lang"] == lang).all()
    full = survey.glossary()
    assert full["fi"].notna().all() and full["en"].notna().all() and full["definition_en"].notna().all()


def test_terms_in_each_language_and_the_swedish_fallback():
    assert survey.term("toimeentulotuki", "fi") == "toimeentulotuki"
    assert survey.term("toimeentulotuki", "sv") == "utkomststöd"
    assert survey.term("asukastupa", "sv") == "invånarstuga"
    assert survey.term("toimeentulotuki", "en") == "social assistance"
    # No confirmed Swedish form: Finnish by default, an error when asked not to fall back.
    assert survey.term("aikuissosiaalityo", "sv") == "aikuissosiaalityö"
    with pytest.raises(DataError):
        survey.term("aikuissosiaalityo", "sv", fallback=None)
    assert survey.term_label("toimeentulotuki", "sv") == "social assistance (utkomststöd)"
    assert survey.term_label("aikuissosiaalityo", "sv") == "adult social work (fi: aikuissosiaalityö)"
    assert survey.term_label("kela", "en") == "Kela (Social Insurance Institution of Finland)"


def test_swedish_terms_from_the_seed_resolve():
    seed = seed_text("000").lower()
    assert survey.term("osallistava_sosiaaliturva", "sv").lower() in seed
    assert survey.term("sosiaaliohjaaja", "sv").lower() in seed


def test_unknown_term_names_the_nearest():
    with pytest.raises(ParameterError, match="toimeentulotuki"):
        survey.term("toimentulotuki", "fi")
