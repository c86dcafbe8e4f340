"""The background and survey chapters in three editions: every generated word comes from the message
catalogue (nothing falls back to English in fi or sv), the numbers are the same in every edition,
and the glossary terms and the parameter `lang` follow the edition."""

from __future__ import annotations

import json
import re

import pytest

from helpers import i18n
from helpers.analysis import national, survey
from helpers.chapters import background, survey_tables
from helpers.chapters import survey as survey_chapter
from helpers.charts import facts_wording
from helpers.charts import long_run as long_run_charts
from helpers.charts import national as national_charts
from helpers.charts import survey as survey_charts
from helpers.errors import ParameterError

TRANSLATED = ("fi", "sv")
NBSP = "\u00a0"


@pytest.fixture
def chart_data_dir(tmp_path, monkeypatch):
    """Charts write their data files here, not beside the notebooks."""
    monkeypatch.setenv("BOOK_CHART_DATA_DIR", str(tmp_path / "chart-data"))
    return tmp_path / "chart-data"


def _numbers(text: str) -> list[float]:
    """Every number written in ``text``, read back whatever the edition's convention
    ('1,234.5' in en; '1 234,5' in fi and sv; a real minus sign)."""
    found = []
    for token in re.findall(r"[−+-]?\d[\d,. \u00a0]*\d|[−+-]?\d", text):
        token = token.strip().replace(NBSP, " ").replace("−", "-")
        if " " in token and not re.fullmatch(r"[+-]?\d{1,3}( \d{3})+([.,]\d+)?", token):
            found += _numbers(token.replace(" ", "|").replace("|", " x "))
            continue
        if "," in token and "." in token:  # en: thousands and decimals
            token = token.replace(",", "")
        elif "," in token and not re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+", token):
            token = token.replace(",", ".")  # fi/sv decimal comma
        else:
            token = token.replace(",", "")
        found.append(float(token.replace(" ", "")))
    return found


def _background_words(lang: str) -> list[str]:
    page = background.prepare(background.validate({"lang": lang}))
    texts = [*page.texts.values(), *(str(v) for v in page.glue_values().values())]
    texts += [background.caption(name, lang, sources="S", figure="2.1") for name in background.CAPTIONS]
    for frame in (
        page.national_table,
        survey_tables.assistance_parts_table(lang),
        background.size_band_table(page.families_bands, lang),
    ):
        texts += [str(c) for c in frame.columns] + [str(v) for v in frame.to_numpy().ravel()]
    unit = background.caption("unit_residents", lang)
    charts = [
        national_charts.national_series_chart(page.measures, lang),
        long_run_charts.long_run_chart(page.long_run_spread, page.long_run_pilots, unit=unit, lang=lang),
        long_run_charts.families_chart(page.families, transfer_year=2017, marks={2017: "x"}, lang=lang),
    ]
    texts += [json.dumps(chart.to_dict(), ensure_ascii=False) for chart in charts]
    texts += [
        national_charts.national_series_alt_text(page.measures, lang),
        long_run_charts.long_run_alt_text(page.long_run_spread, page.long_run_pilots, unit=unit, lang=lang),
        long_run_charts.families_alt_text(page.families, transfer_year=2017, lang=lang),
    ]
    return texts


def _survey_words(lang: str, show_related: bool = True) -> list[str]:
    page = survey_chapter.prepare(survey_chapter.validate({"lang": lang, "show_related": show_related}))
    texts = [str(v) for v in page.glue_values().values()]
    texts += [
        survey_chapter.caption(name, lang, source="S", sources="S", figure="5.4") for name in survey_chapter.CAPTIONS
    ]
    frames = (
        survey_tables.response_table(lang),
        survey_tables.key_findings_table(lang),
        survey_tables.qualitative_table(lang),
        survey_tables.related_evidence_table(lang),
    )
    for frame in frames:
        texts += [str(c) for c in frame.columns] + [str(v) for v in frame.to_numpy().ravel()]
    for chart, alt_text in (
        (survey_charts.survey_coverage_chart, survey_charts.survey_coverage_alt_text),
        (survey_charts.decision_growth_chart, survey_charts.decision_growth_alt_text),
        (survey_charts.decision_makers_chart, survey_charts.decision_makers_alt_text),
        (survey_charts.related_evidence_chart, survey_charts.related_evidence_alt_text),
    ):
        texts += [json.dumps(chart(lang).to_dict(), ensure_ascii=False), alt_text(lang)]
    return texts


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("words", [_background_words, _survey_words], ids=["background", "survey"])
def test_nothing_the_chapter_generates_falls_back_to_english(words, lang, chart_data_dir):
    i18n.forget_untranslated()
    words(lang)
    fell_back = [message for code, message in i18n.untranslated() if code == lang]
    i18n.forget_untranslated()
    assert fell_back == []


def test_the_survey_without_the_timeline_says_so_in_the_edition(chart_data_dir):
    i18n.forget_untranslated()
    glued = survey_chapter.prepare(survey_chapter.validate({"lang": "sv", "show_related": False})).glue_values()
    assert i18n.untranslated() == []
    assert "show_related" in glued["related_timeline_sentence"]
    assert "tidslinjen" in glued["related_timeline_sentence"]


def test_the_generated_sentences_carry_the_same_numbers_in_every_edition():
    page = {lang: background.prepare(background.validate({"lang": lang})) for lang in ("en", "fi", "sv")}
    for key in ("long_run_paragraph", "families_paragraph", "caveat_suppression", "caveat_zeros"):
        english = sorted(_numbers(page["en"].texts[key]))  # word order differs between languages
        assert english, key
        for lang in TRANSLATED:
            assert sorted(_numbers(page[lang].texts[key])) == english, (key, lang)


def test_the_national_table_has_the_same_figures_in_every_edition_written_locally():
    tables = {lang: background.national_table(None, lang) for lang in ("en", "fi", "sv")}
    english = [_numbers(text) for text in tables["en"].iloc[:, 3]]
    published = national.national_series(None).dropna(subset=["value"])["value"].tolist()
    assert [numbers[0] for numbers in english] == published
    for lang in TRANSLATED:
        assert [_numbers(text) for text in tables[lang].iloc[:, 3]] == english
        assert not any(re.search(r"\d\.\d", text) for text in tables[lang].iloc[:, 3]), "fi/sv: decimal comma"
    # the thousands of a count: '235,239' in English, '235 239' with a no-break space in fi and sv
    persons = national.published_figures()["recipients_persons_any_assistance_2018"]
    assert f"{persons:,.0f}".replace(",", NBSP) in " ".join(tables["fi"].iloc[:, 3])


def test_the_glued_figures_of_the_translated_prose_are_the_published_ones():
    figures = national.published_figures()
    for lang in TRANSLATED:
        glued = background.prepare(background.validate({"lang": lang})).glue_values()
        for key, (digits, _signed) in background.PROSE_FIGURES.items():
            assert _numbers(glued[f"{key}_text"]) == [round(figures[key], digits)], (lang, key)
    survey_glued = survey_chapter.prepare(survey_chapter.validate({"lang": "fi"})).glue_values()
    assert survey_glued["survey_population_coverage_pct_text"] == "92,0"
    assert survey_glued["survey_fieldwork_period_text"] == "maaliskuu–huhtikuu 2019"


def test_the_terms_follow_the_edition():
    glossary = survey.glossary().set_index("term_id")
    for term_id in ("toimeentulotuki", "perustoimeentulotuki", "kela"):
        assert facts_wording.edition_term(term_id, "fi") == glossary.loc[term_id, "fi"]
        assert facts_wording.edition_term(term_id, "sv") == glossary.loc[term_id, "sv"]
        english = facts_wording.edition_term(term_id, "en")
        assert english.startswith(str(glossary.loc[term_id, "en"]).split(" (")[0])
    assert facts_wording.edition_term("toimeentulotuki", "sv") == "utkomststöd"
    assert facts_wording.edition_term("toimeentulotuki", "en") == "social assistance (toimeentulotuki)"
    no_swedish = glossary[glossary["sv"].isna()].index
    assert len(no_swedish), "the glossary leaves some Swedish forms unconfirmed"
    assert facts_wording.edition_term(no_swedish[0], "sv") == f"{glossary.loc[no_swedish[0], 'fi']} (fi)"
    table = survey_tables.assistance_parts_table("sv")
    assert list(table.iloc[:, 0]) == [glossary.loc[t, "sv"] for t in survey_tables.ASSISTANCE_PART_TERMS]


@pytest.mark.parametrize("module", [background, survey_chapter])
def test_lang_is_the_edition_and_a_bad_value_names_the_valid_ones(module):
    assert module.EDITION_PARAMETER == "lang"
    assert module.validate({}).lang == "en"
    assert module.validate({"lang": "sv"}).lang == "sv"
    with pytest.raises(
        ParameterError, match=r"parameter 'lang' = 'se' is not an edition; nearest: .*valid: fi, sv, en"
    ):
        module.validate({"lang": "se"})


def test_dates_and_periods_in_local_form():
    assert facts_wording.date_text("2017-01-01", "en") == "1 January 2017"
    assert facts_wording.date_text("2017-01-01", "fi") == "1.1.2017"
    assert facts_wording.date_text("2022-03", "sv") == "mars 2022"
    assert facts_wording.period_text("2019-03/2019-04", "sv") == "mars–april 2019"
    assert facts_wording.period_text("2019-03/2019-04", "en") == "March–April 2019"


def test_a_published_figure_keeps_its_decimals_and_words_in_the_edition():
    assert facts_wording.value_text(780.0, "about", "M€", lang="fi") == f"noin 780{NBSP}milj. €"
    assert (
        facts_wording.value_text(92.0, None, "% of population", lang="sv", text="92.0")
        == f"92,0{NBSP}% av befolkningen"
    )
    assert facts_wording.value_text(-657.0, None, "change in staff", lang="fi", signed=True) == "−657"
    assert facts_wording.value_text(651.0, None, "change in staff", lang="sv", signed=True) == "+651"


def test_the_pilot_municipalities_have_their_swedish_names_in_the_swedish_edition():
    page = background.prepare(background.validate({"lang": "sv"}))
    alt_sv = long_run_charts.long_run_alt_text(page.long_run_spread, page.long_run_pilots, unit="%", lang="sv")
    alt_fi = long_run_charts.long_run_alt_text(page.long_run_spread, page.long_run_pilots, unit="%", lang="fi")
    for finnish, swedish in (("Tampere", "Tammerfors"), ("Raisio", "Reso"), ("Tornio", "Torneå")):
        assert swedish in alt_sv and finnish not in alt_sv
        assert finnish in alt_fi
    assert sorted(_numbers(alt_sv)) == sorted(_numbers(alt_fi))
