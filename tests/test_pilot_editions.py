"""Chapter 3 (the pilot) in the fi and sv editions, on the REAL data release: the same analysis and
numbers as the English edition, written in the edition's language and number convention, with
nothing falling back to English (``helpers.i18n.untranslated``)."""

import re

import pytest

from helpers import i18n
from helpers.chapters import pilot as pilot_chapter
from helpers.chapters import pilot_report as report
from helpers.charts import pilot as pilot_charts
from helpers.charts import render
from helpers.errors import MirrorNotFound, ParameterError

NBSP = "\u00a0"


@pytest.fixture(scope="module", autouse=True)
def mirror():
    from helpers.data import mirror_path

    try:
        return mirror_path()
    except MirrorNotFound as err:
        pytest.fail(f"real-data tests need the data release (set BOOK_DATA_MIRROR): {err}")


def draw_everything(page) -> None:
    """Every table, chart and alt text the notebook shows, in the page's edition."""
    chapter, analysis, lang = page.report, page.report.analysis, page.params.lang
    report.municipalities_display_table(chapter.timeline, lang)
    pilot_charts.timeline_chart(chapter.timeline, chapter.milestones, lang).to_dict()
    pilot_charts.timeline_alt_text(chapter.timeline, lang)
    summary = pilot_charts.context_summary(chapter.context, chapter.context_national)
    pilots = report.pilot_names(chapter.parameters["municipalities"], lang)
    pilot_charts.context_strip_chart(chapter.context_values, summary, pilots, lang=lang).to_dict()
    pilot_charts.context_alt_text(summary, chapter.context_values, lang=lang)
    report.context_display_table(chapter.context, lang)
    report.windows_display_table(analysis, lang)
    trends = report.trend_frame(analysis, lang)
    label = report.pilot_series_label(analysis, lang)
    numbers = chapter.numbers
    pilot_charts.trend_chart(
        trends,
        chapter.periods_windows,
        outcome_label=numbers["outcome_label"],
        unit=numbers["outcome_unit"],
        time_word=analysis.outcome.time_variable,
        pilot_label=label,
        lang=lang,
    ).to_dict()
    pilot_charts.trend_alt_text(
        trends, outcome_label=numbers["outcome_label"], unit=numbers["outcome_unit"], pilot_label=label, lang=lang
    )
    report.treated_display_table(analysis, lang)
    report.did_display_table(analysis, lang)
    pilot_charts.event_study_chart(
        analysis.event_study,
        chapter.periods_windows,
        base_year=chapter.parameters["base_year"],
        unit=numbers["did_unit"],
        time_word=analysis.outcome.time_variable,
        lang=lang,
    ).to_dict()
    pilot_charts.event_study_alt_text(
        analysis.event_study,
        base_year=chapter.parameters["base_year"],
        unit=numbers["did_unit"],
        pre_years=analysis.periods.pre_years,
        post_years=analysis.periods.post_years,
        lang=lang,
    )
    placebo = pilot_charts.placebo_frame(analysis.placebo.estimates, chapter.placebo_tail())
    pilot_charts.placebo_histogram(placebo, pilot_estimate=analysis.did.estimate, unit=numbers["did_unit"], lang=lang)
    pilot_charts.placebo_alt_text(placebo, pilot_estimate=analysis.did.estimate, unit=numbers["did_unit"], lang=lang)
    pilot_charts.placebo_placeholder(lang)
    report.leave_one_out_display_table(analysis, chapter.checks.leave_one_out, lang)
    report.transfer_display_table(chapter.transfer, lang)
    report.outcome_overview_display_table(chapter.overview, lang)
    pilot_charts.kela_notifications_chart(chapter.notifications, lang).to_dict()
    pilot_charts.kela_notifications_alt_text(chapter.notifications, lang)
    report.parameters_display_table(chapter, {}, lang)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The default run in each edition, with the English fallbacks each edition's run produced (the
    charts' data files go to a temporary folder, not the repository)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(render.CHART_DATA_ENV, str(tmp_path_factory.mktemp("chart-data")))
        return _pages()


def _pages():
    out = {}
    for lang in ("en", "fi", "sv"):
        i18n.forget_untranslated()
        page = pilot_chapter.prepare(pilot_chapter.validate({"lang": lang}))
        draw_everything(page)
        out[lang] = (page, i18n.untranslated())
    return out


def localised(number: str) -> str:
    """'1,000.25' as the fi and sv editions write it: '1 000,25' (no-break space, decimal comma)."""
    return number.replace(",", NBSP).replace(".", ",")


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_nothing_falls_back_to_english(pages, lang):
    _, fallbacks = pages[lang]
    assert fallbacks == [], f"{lang} edition fell back to English for: {[m[:70] for _, m in fallbacks]}"


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_analysis_and_its_numbers_are_the_same_in_every_edition(pages, lang):
    en, other = pages["en"][0].report, pages[lang][0].report
    assert other.analysis.did.estimate == en.analysis.did.estimate
    for name, value in en.numbers.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            assert other.numbers[name] == value, name
    assert other.numbers["did_estimate_text"] == localised(en.numbers["did_estimate_text"])
    assert "," in other.numbers["did_estimate_text"] and "." not in other.numbers["did_estimate_text"]


@pytest.mark.parametrize("lang", ["fi", "sv"])
@pytest.mark.parametrize(
    "key", ["estimate_paragraph", "placebo_paragraph", "leave_one_out_paragraph", "transfer_paragraph"]
)
def test_every_number_of_a_sentence_is_in_the_translation(pages, lang, key):
    """Each decimal number of the English sentence appears, in the edition's format, in the translation."""
    english, translated = pages["en"][0].report.texts[key], pages[lang][0].report.texts[key]
    numbers = re.findall(r"\d{1,3}(?:,\d{3})*\.\d+", english)
    assert numbers, f"{key} holds no decimal number to compare"
    for number in numbers:
        assert localised(number) in translated, f"{number} of the English {key} missing from {lang}"
    assert translated != english


def test_municipality_names_follow_the_edition(pages):
    fi, sv = pages["fi"][0].report, pages["sv"][0].report
    for key in ("leave_one_out_paragraph", "design_paragraph", "context_paragraph"):
        assert "Tampere" in fi.texts[key] and "Tammerfors" not in fi.texts[key], key
        assert "Tammerfors" in sv.texts[key] and "Tampere" not in sv.texts[key], key
    assert fi.numbers["treated_names"] == "Kangasala, Kemijärvi, Kuopio, Raisio, Tampere ja Tornio"
    assert sv.numbers["treated_names"] == "Kangasala, Kemijärvi, Kuopio, Reso, Tammerfors och Torneå"
    assert set(sv.timeline["label"]) == {"Kangasala", "Kemijärvi", "Kuopio", "Reso", "Tammerfors", "Torneå"}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_tables_have_the_edition_headers_and_the_same_values(pages, lang):
    en_page, page = pages["en"][0], pages[lang][0]
    english = report.did_display_table(en_page.report.analysis, "en")
    table = report.did_display_table(page.report.analysis, lang)
    assert not set(table.columns) & set(english.columns)
    assert (table.iloc[:, 1:].to_numpy() == english.iloc[:, 1:].to_numpy()).all()
    overview = report.outcome_overview_display_table(page.report.overview, lang)
    assert overview.iloc[0, 2] == localised(report.outcome_overview_display_table(en_page.report.overview).iloc[0, 2])


def test_the_chart_locale_follows_the_edition(pages):
    assert pages["fi"][0].numbering.lang == "fi" and pages["sv"][0].numbering.lang == "sv"


def test_an_unknown_edition_is_refused_before_any_analysis():
    with pytest.raises(
        ParameterError, match=r"parameter 'lang' = 'se' is not an edition; nearest: .*valid: fi, sv, en"
    ):
        pilot_chapter.validate({"lang": "se"})


def test_validation_is_idempotent_with_the_edition():
    from helpers.chapters.model import as_values

    checked = pilot_chapter.validate({"lang": "sv", "municipalities": ["Tammerfors"]})
    assert checked.lang == "sv" and checked.municipalities == ["837"]
    assert pilot_chapter.validate(as_values(checked)) == checked
    assert "lang" not in pilot_chapter.engine_parameters(as_values(checked)), (
        "the analysis is the same in every edition"
    )
