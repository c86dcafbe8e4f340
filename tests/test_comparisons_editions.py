"""The comparisons chapter and Data and sources in the three editions: the same numbers, formatted
per edition; nothing generated falls back to English; municipality names in the edition's language;
links to the municipality pages in every edition. Real data from the release."""

from __future__ import annotations

import json
import re

import pytest

from helpers import charts, i18n
from helpers.chapters import comparisons as comparisons_chapter
from helpers.chapters import comparisons_text, data_and_sources
from helpers.charts import comparisons as cc
from helpers.charts import comparisons_words as words

EDITIONS = ("en", "fi", "sv")
SENTENCES = ("standing_sentence", "peers_sentence", "trend_sentence", "diak_sentence", "other_division_sentence")


@pytest.fixture(autouse=True)
def chart_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOK_CHART_DATA_DIR", str(tmp_path / "chart-data"))


@pytest.fixture(scope="module")
def prepared():
    return {lang: comparisons_chapter.prepare(comparisons_chapter.validate({"lang": lang})) for lang in EDITIONS}


@pytest.fixture(scope="module")
def glued(prepared):
    return {lang: page.glue_values() for lang, page in prepared.items()}


def numbers_in(text: str, lang: str) -> list[float]:
    """The numbers a sentence shows, read back with the edition's separators."""
    if lang != "en":
        text = text.replace("\u00a0", "").replace(",", ".")
    else:
        text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    return [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text.replace("\u2212", "-"))]


def test_the_glued_counts_are_identical_in_every_edition(glued):
    keys = ("year", "division", "data_division", "n_map", "n_data", "n_indicators", "n_peer_candidates")
    for key in (*keys, "n_peer_excluded"):
        assert glued["fi"][key] == glued["sv"][key] == glued["en"][key], key
    assert glued["en"]["n_map"] == 309 and glued["en"]["n_indicators"] == 15


@pytest.mark.parametrize("key", SENTENCES)
def test_the_sentences_show_the_same_numbers_formatted_per_edition(glued, key):
    english = numbers_in(str(glued["en"][key]), "en")
    assert english, key
    for lang in ("fi", "sv"):
        sentence = str(glued[lang][key])
        assert sorted(numbers_in(sentence, lang)) == sorted(english), (lang, sentence)
        assert sentence != glued["en"][key]


def test_finnish_and_swedish_sentences_use_the_decimal_comma(glued):
    for lang in ("fi", "sv"):
        assert re.search(r"\d,\d", str(glued[lang]["standing_sentence"]))
        assert re.search(r"\d,\d\u00a0%", str(glued[lang]["trend_sentence"]))
    assert re.search(r"\d\.\d %", str(glued["en"]["trend_sentence"]))


def test_the_swedish_edition_names_municipalities_in_swedish(glued, prepared):
    assert glued["sv"]["name"] == "Tammerfors" and glued["fi"]["name"] == glued["en"]["name"] == "Tampere"
    assert "Tammerfors" in str(glued["sv"]["standing_sentence"]) and "Birkaland" in str(glued["sv"]["trend_sentence"])
    assert "Pirkanmaa" in str(glued["fi"]["trend_sentence"])
    sv_page = cc.page_data(prepared["sv"].comparisons, "sv")
    codes, labels = sv_page.municipality_options()
    by_code = dict(zip(codes, labels))
    assert by_code["837"] == "Tammerfors (Tampere)" and by_code["853"] == "Åbo (Turku)"
    assert by_code["851"] == "Torneå (Tornio)" and by_code["680"] == "Reso (Raisio)"
    assert by_code["091"] == "Helsingfors (Helsinki)"
    fi_codes, fi_labels = cc.page_data(prepared["fi"].comparisons, "fi").municipality_options()
    assert dict(zip(fi_codes, fi_labels))["853"] == "Turku (Åbo)"
    # Alphabetical by the names the edition shows: Åbo after every name starting with A–Z.
    shown = sv_page.column("n")
    assert shown.index("Åbo") > shown.index("Ypäjä") and shown.index("Ackas") < shown.index("Tammerfors")
    assert sorted(codes) == sorted(fi_codes)


def test_the_peer_table_has_the_same_values_and_translated_headers(prepared):
    tables = {lang: comparisons_text.peers_table(page.comparisons, lang) for lang, page in prepared.items()}
    assert list(tables["fi"].columns[:3]) == ["Sija", "Kunta", "Etäisyys"]
    assert list(tables["sv"].columns[:3]) == ["Placering", "Kommun", "Avstånd"]  # the book's word for rank
    for lang in ("fi", "sv"):
        assert tables[lang].iloc[:, 3:].equals(tables["en"].iloc[:, 3:].set_axis(tables[lang].columns[3:], axis=1))
        distances = [numbers_in(text, lang) for text in tables[lang].iloc[1:, 2]]
        assert distances == [numbers_in(text, "en") for text in tables["en"].iloc[1:, 2]]
    assert tables["sv"].iloc[0, 1] == "Tammerfors (Tampere)"


def _drawn_in(lang: str, page) -> str:
    """Everything the chapter draws in ``lang``, as text: specs, captions, tables."""
    chapter = page.comparisons
    charts.set_chapter(page.numbering)
    data = cc.page_data(chapter, lang)
    linked = charts.figure(
        cc.linked_views(data, chapter, book_page="chapters/comparisons"), **cc.linked_views_text(chapter, lang)
    )
    over_time = charts.figure(
        cc.over_time_chart(chapter.code, chapter.division, lang), **cc.over_time_text(chapter, lang)
    )
    table = cc.table_alternative(data, chapter, linked.number)
    parts = [
        json.dumps(linked.chart.to_dict(), ensure_ascii=False),
        json.dumps(over_time.chart.to_dict(), ensure_ascii=False),
        linked.caption,
        linked.alt_text,
        over_time.caption,
        over_time.alt_text,
        table._repr_html_(),
        repr(table),
        page.peers_caption,
        comparisons_text.peers_table(chapter, lang).to_string(),
        json.dumps(data.notes, ensure_ascii=False),
    ]
    return "\n".join(parts)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_nothing_the_chapters_draw_falls_back_to_english(prepared, lang):
    i18n.forget_untranslated()
    page = prepared[lang]
    page.glue_values()
    drawn = _drawn_in(lang, page)
    sources = data_and_sources.prepare(data_and_sources.validate({"lang": lang}))
    sources.datasets_table(), sources.sources_table(), sources.datasets_caption, sources.sources_caption
    assert i18n.untranslated() == []
    for english in ("Municipality: ", "Scatter x-axis", "National ranking", "unemployment rate", "no data", "Grey"):
        assert english not in drawn, english


def test_every_edition_links_the_map_and_ranking_to_the_municipality_pages(prepared):
    for lang in EDITIONS:
        page = prepared[lang]
        spec = json.dumps(
            cc.linked_views(cc.page_data(page.comparisons, lang), page.comparisons, "chapters/comparisons").to_dict()
        )
        assert '\\"../municipalities/\\" + datum.c + \\".html\\"' in spec, lang
        assert spec.count('"href"') >= 2


def test_vega_text_quotes_the_words_and_keeps_the_expressions():
    expression = cc.vega_text('sija {rank}/{total} "x"', rank="datum.rank", total="datum.n_valid")
    assert expression == '"sija " + (datum.rank) + "/" + (datum.n_valid) + " \\"x\\""'


def test_division_notes_are_translated_with_the_editions_names():
    note = "No data: merged into Mäntyharju on 1 January 2025; the 2025 data include its area in Mäntyharju's value."
    finnish = words.division_note(note, "fi")
    assert finnish.startswith("Ei tietoa: liitetty kuntaan Mäntyharju 1.1.2025")
    swedish = words.division_note(
        "The value covers Turku and Kaarina (merged later; 2025 division).",
        "sv",
        {"Turku": "Åbo", "Kaarina": "S:t Karins"},
    )
    assert swedish == "Värdet omfattar Åbo och S:t Karins (sammanslagna senare; 2025 års kommunindelning)."
    assert words.division_note(note, "en") == note


def test_data_and_sources_translates_titles_and_headers_and_keeps_the_facts():
    tables = {
        lang: data_and_sources.prepare(data_and_sources.validate({"lang": lang})).datasets_table() for lang in EDITIONS
    }
    assert list(tables["fi"].columns) == ["Aineisto", "Nimi", "Lähdemaininta", "Lisenssi", "Rivejä", "SHA-256 (alku)"]
    assert list(tables["sv"].columns) == ["Datamängd", "Titel", "Källhänvisning", "Licens", "Rader", "SHA-256 (början)"]
    for lang in ("fi", "sv"):
        for position in (0, 3, 4, 5):  # ids, licences, rows and checksums are the same in every edition
            assert list(tables[lang].iloc[:, position]) == list(tables["en"].iloc[:, position])
        assert (tables[lang].iloc[:, 1] != tables["en"].iloc[:, 1]).all()
    assert "Sotkanetin indikaattorit kunnittain 2019" in set(tables["fi"].iloc[:, 1])


def test_an_unknown_edition_is_refused_with_the_valid_ones():
    for module in (comparisons_chapter, data_and_sources):
        with pytest.raises(Exception, match=r"parameter 'lang' = 'se'.*valid: fi, sv, en"):
            module.validate({"lang": "se"})
