"""Sentences of the robustness chapter and the pilot chapter's headline, from SYNTHETIC result records.

The records are made up here (outcome "o", estimates chosen by hand); the expected sentences follow
from those numbers, not from the code under test.
"""

import pandas as pd
import pytest

from helpers.analysis.robustness import summarise_specifications
from helpers.chapters import robustness_text as text


def records(estimates, p_values, outcome="o", scale="level"):
    return [
        {"spec_id": f"{outcome}|{scale}|{i}", "outcome": outcome, "scale": scale, "estimate": e, "placebo_p": p}
        for i, (e, p) in enumerate(zip(estimates, p_values))
    ]


def test_direction_phrase_counts_what_it_says():
    assert text.direction_phrase(5, 0) == "all 5 estimates are negative (the favourable direction)"
    assert text.direction_phrase(0, 3) == "all 3 estimates are positive (the unfavourable direction)"
    assert text.direction_phrase(19, 1) == "19 of 20 estimates are negative (favourable), 1 the other way"
    assert text.direction_phrase(2, 2) == "the estimates split evenly: 2 negative and 2 positive"
    assert text.direction_phrase(3, 7).startswith("the sign depends on the choices: 3 estimates are negative")


def test_headline_says_no_direction_survives_when_signs_are_mixed():
    summary = summarise_specifications(
        records([-0.8, -0.2, 0.1, 0.4, 1.1], [0.05, 0.5, 0.6, 0.3, 0.2])
        + records([-0.05, 0.02, 0.03, 0.01, -0.01], [0.2, 0.5, 0.5, 0.5, 0.9], scale="log")
    )
    headline = text.pilot_headline(summary, "o", "Families with children", "% of families")
    assert "Across 10 specifications for families with children, which vary" in headline
    assert "4 estimates are negative (favourable) and 6 positive (unfavourable)" in headline
    assert "1 have a placebo p below 0.1" in headline
    assert "In levels the estimates run from −0.80 to +1.10 percentage points (median +0.10)" in headline
    assert headline.endswith("No direction survives across the specifications.")


def test_headline_when_the_direction_survives_with_and_without_placebo_support():
    strong = summarise_specifications(records([-1.4, -1.2, -1.0, -0.9], [0.01, 0.02, 0.05, 0.08]))
    headline = text.pilot_headline(strong, "o", "Unemployment rate", "% of labour force")
    assert "all 4 estimates are negative" in headline and "4 have a placebo p below 0.1" in headline
    assert headline.endswith("most estimates stand out from placebo groups.")
    weak = summarise_specifications(records([-1.4, -1.2, -1.0, -0.9], [0.01, 0.5, 0.5, 0.5]))
    assert "do not stand out from placebo groups" in text.pilot_headline(weak, "o", "Index", "index, median = 100")


def test_headline_numbers_follow_the_language():
    summary = summarise_specifications(records([-0.75, -0.5, 0.25], [0.05, 0.5, 0.6]))
    fi = text.pilot_headline(summary, "o", "Label", "%", lang="fi")
    assert "−0,75" in fi and "+0,25" in fi and "0,1" in fi
    with pytest.raises(ValueError, match="no specifications of outcome 'x'"):
        text.pilot_headline(summary, "x", "Label", "%")


def test_leave_one_out_sentence_names_the_municipality_that_moves_it_and_flips_the_sign():
    frame = pd.DataFrame(
        {
            "dropped": [None, "a", "b", "c"],
            "name": ["", "Alpha", "Beta", "Gamma"],
            "estimate": [0.6, 0.65, -0.4, 0.8],
            "change_from_all": [0.0, 0.05, -1.0, 0.2],
        }
    )
    sentence = text.leave_one_out_sentence(frame, "percentage points")
    assert "With all pilot municipalities the estimate is +0.60 percentage points" in sentence
    assert "gives −0.40 to +0.80" in sentence and "leaving out Beta (−1.00)" in sentence
    assert sentence.endswith("Without Beta the sign changes.")
    steady = frame.assign(estimate=[0.6, 0.65, 0.1, 0.8])
    assert text.leave_one_out_sentence(steady, "pp").endswith("No single municipality's removal changes the sign.")


def test_placebo_in_time_sentence_reports_the_step_before_the_start():
    fake = pd.DataFrame(
        {"fake_start": ["2017", "2016", "2015"], "estimate": [-0.7, -0.03, 0.39], "placebo_p": [0.08, 0.9, 0.4]}
    )
    sentence = text.placebo_in_time_sentence(fake, {"start": "2018", "estimate": -1.35, "placebo_p": 0.01}, "pp")
    assert "fake starts from 2015 to 2017" in sentence and "from −0.70 to +0.39 pp" in sentence
    assert "1 of 3 have a placebo p below 0.1 (2017)" in sentence
    assert "The latest fake start, 2017, gives −0.70; the real start, 2018, gives −1.35." in sentence
    windows = fake.assign(fake_start=["2015–2017", "2014–2016", "2013–2015"])
    assert "fake starts from 2013–2015 to 2015–2017" in text.placebo_in_time_sentence(
        windows, {"start": "2017–2019", "estimate": 20.1, "placebo_p": 0.4}, "index points"
    )


def test_interval_and_log_sentences():
    inside = text.interval_sentence({"estimate": 0.58, "interval_low": -0.97, "interval_high": 1.1}, "pp")
    assert "run from −0.97 to +1.10" in inside and "zero lies inside" in inside
    assert "zero lies outside" in text.interval_sentence(
        {"estimate": -1.3, "interval_low": -2.2, "interval_high": -0.3}, "pp"
    )
    pairs = pd.DataFrame({"level": [-1.0, 0.5, 0.2], "log": [-0.1, -0.02, 0.01]})
    sentence = text.log_sentence(
        pairs, "Unemployment rate", {"estimate_relative_pct": -6.75, "relative_low": -13.3, "relative_high": -0.4}
    )
    assert "2 of 3 specifications keep their sign" in sentence
    assert "unemployment rate" in sentence and "−6.8 %" in sentence and "−13.3 % to −0.4 %" in sentence


def test_the_pilot_chapters_headline_reads_the_outcomes_label_and_unit_from_the_registry():
    from helpers.chapters import robustness

    recs = records([-0.5, 0.3], [0.05, 0.6], outcome="families_social_assistance_pct") + records(
        [-9.0], [0.01], outcome="diak_long_term_unemployment"
    )
    headline = robustness.pilot_headline(recs, "families_social_assistance_pct")
    assert headline.startswith("Across 2 specifications for families with children receiving social assistance,")
    assert "percentage points" in headline and "1 have a placebo p below 0.1" in headline


def test_the_introductions_headline_is_about_the_pilot_chapters_default_outcome():
    from helpers.chapters import robustness

    recs = records([12.0, -3.0, 8.0], [0.3, 0.7, 0.04], outcome="diak_long_term_social_assistance_25_64") + records(
        [-0.5], [0.01], outcome="families_social_assistance_pct"
    )
    headline = robustness.default_pilot_headline(recs)
    # chapter 3's default outcome is Diak's long-term social assistance index (not the families share)
    assert headline.startswith("Across 3 specifications for long-term")
    assert "1 have a placebo p below 0.1" in headline


# ---------------------------------------------------------------- Finnish and Swedish editions


@pytest.fixture
def no_fallback():
    from helpers import i18n

    i18n.forget_untranslated()
    yield i18n
    i18n.forget_untranslated()


def headline_records():
    """SYNTHETIC: 3 level estimates (median +5.65) and 2 log ones, 1 placebo p below 0.1."""
    outcome = "diak_long_term_social_assistance_25_64"
    return records([-8.42, 5.65, 26.39], [0.5, 0.04, 0.3], outcome=outcome) + records(
        [-0.05, 0.07], [0.6, 0.2], outcome=outcome, scale="log"
    )


def test_the_headline_reads_right_in_finnish_and_swedish_with_the_same_numbers(no_fallback):
    from helpers.chapters import robustness

    en = robustness.default_pilot_headline(headline_records(), "en")
    fi = robustness.default_pilot_headline(headline_records(), "fi")
    sv = robustness.default_pilot_headline(headline_records(), "sv")
    assert "from −8.42 to +26.39 index points (median +5.65)" in en
    assert fi == (
        "Kun tulosmuuttuja on pitkäaikaisesti toimeentulotukea saaneet 25–64-vuotiaat (Diakin indeksi) ja "
        "vertailujoukkoa, ennakkojaksoa, painotusta ja asteikkoa vaihdellaan (5 spesifikaatiota), etumerkki riippuu "
        "valinnoista: negatiivisia (suotuisa suunta) on 2 estimaattia ja positiivisia (epäsuotuisa suunta) 3; "
        "1 spesifikaatiossa plasebo-p on alle 0,1. Tasoina estimaatit ovat välillä −8,42 ja +26,39 "
        "indeksipistettä (mediaani +5,65). Mikään suunta ei säily spesifikaatiosta toiseen."
    )
    assert sv == (
        "För långvarigt utkomststöd bland 25–64-åringar (Diaks index) gäller i 5 specifikationer, där "
        "jämförelsegruppen, förperioden, viktningen och skalan varierar, att tecknet beror på valen: 2 skattningar "
        "är negativa (gynnsamma) och 3 positiva (ogynnsamma), och 1 av dem har ett placebo-p under 0,1. I nivåer "
        "ligger skattningarna mellan −8,42 och +26,39 indexpoäng (median +5,65). Ingen riktning håller över "
        "specifikationerna."
    )
    assert no_fallback.untranslated() == []


def test_every_sentence_of_the_chapter_has_finnish_and_swedish_words(no_fallback):
    summary = summarise_specifications(headline_records())
    row = summary["by_outcome"].iloc[0].to_dict()
    loo = pd.DataFrame(
        {"dropped": [None, "a", "b"], "name": ["", "Tammerfors", "Reso"], "estimate": [0.6, -0.4, 0.8]}
    ).assign(change_from_all=lambda f: f["estimate"] - 0.6)
    fake = pd.DataFrame({"fake_start": ["2017", "2016"], "estimate": [-0.7, 0.39], "placebo_p": [0.08, 0.9]})
    pairs = pd.DataFrame({"level": [-1.0, 0.5], "log": [-0.1, -0.02]})
    relative = {"estimate_relative_pct": -6.75, "relative_low": -13.3, "relative_high": 2.5}
    for lang in ("fi", "sv"):
        sentences = [
            text.direction_phrase(19, 1, lang),
            text.direction_phrase(2, 2, lang),
            text.direction_phrase(0, 4, lang),
            text.outcome_sentence(row, "Label", "pp", lang),
            text.overall_sentence(summary["overall"], lang),
            text.leave_one_out_sentence(loo, "pp", lang),
            text.placebo_in_time_sentence(fake, {"start": "2018", "estimate": -1.35, "placebo_p": 0.01}, "pp", lang),
            text.log_sentence(pairs, "Label", relative, lang),
            text.interval_sentence({"estimate": 0.58, "interval_low": -0.97, "interval_high": 1.1}, "pp", lang),
        ]
        for sentence in sentences:
            assert not any(word in sentence for word in (" estimates ", " of ", " the ", " placebo p below")), sentence
    assert "Kun pois jätetään Tammerfors, etumerkki vaihtuu." in text.leave_one_out_sentence(loo, "pp", "fi")
    assert "−6,8\u00a0%" in text.log_sentence(pairs, "Label", relative, "sv")
    assert "+0,58 pp" in text.interval_sentence(
        {"estimate": 0.58, "interval_low": -0.97, "interval_high": 1.1}, "pp", "fi"
    )
    assert text.direction_phrase(19, 1, "sv") == "19 av 20 skattningar är negativa (gynnsamma), 1 åt andra hållet"
    assert no_fallback.untranslated() == []


def test_outcome_labels_in_the_catalogue_are_the_registrys_labels():
    from helpers.analysis.outcomes import OUTCOMES

    assert set(text.OUTCOME_LABELS) == set(OUTCOMES)
    for outcome, label in text.OUTCOME_LABELS.items():
        assert label == OUTCOMES[outcome].label == text.outcome_label(outcome, "en")
    assert text.outcome_label("unemployment_rate", "fi") == "Työttömyysaste"
    assert text.outcome_label("families_social_assistance_pct", "sv") == "Barnfamiljer som fått utkomststöd"


def test_the_chapters_source_lines_are_the_pilot_chapters():
    from helpers.chapters import pilot_facts, robustness

    assert robustness.OUTCOME_SOURCES == pilot_facts.OUTCOME_SOURCES


def test_the_chapter_refuses_an_unknown_edition():
    from helpers.chapters import robustness
    from helpers.errors import ParameterError

    with pytest.raises(ParameterError, match="'lang' = 'de' is not an edition"):
        robustness.validate({"lang": "de"})
    assert robustness.validate({"lang": "sv"}).lang == "sv"
