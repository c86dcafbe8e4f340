"""The municipality pages and the index in the three editions: the same numbers in every edition,
names in the edition's language, and nothing that falls back to English (real data release)."""

from __future__ import annotations

import json
import re

import pytest

from helpers import i18n
from helpers.analysis import municipality_index as index_analysis
from helpers.analysis import municipality_profile as mp
from helpers.chapters import municipality_index as index_chapter
from helpers.chapters import municipality_text as text
from helpers.charts import municipality as charts
from helpers.charts import municipality_index as index_charts
from helpers.charts import render
from helpers.data import municipalities as munis
from helpers.paths import REPO_ROOT

# Tampere (pilot, Swedish name), Närpes (Swedish-speaking), Kuopio (mergers), Pertunmaa (merged in
# 2025), Mäntyharju (covers it), Sottunga (Åland, suppressed counts), Mariehamn (no Diak index).
CASES = ("837", "545", "297", "588", "507", "766", "478")
NUMERIC = ("intro", "standing_sentence", "families_sentence", "unemployment_sentence", "diak_sentence")
_EN_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_LOCAL_NUMBER = re.compile(r"\d+(?:\u00a0\d{3})*(?:,\d+)?")


@pytest.fixture(scope="module")
def panel():
    return mp.panel()


@pytest.fixture(autouse=True)
def chart_dir(tmp_path, monkeypatch):
    """Chart data the tests publish go to a temporary folder, never into the work tree."""
    monkeypatch.setenv(render.CHART_DATA_ENV, str(tmp_path))
    return tmp_path


_DAY_AND_MONTH = {  # a date's day and month (each edition writes them its own way); its year stays
    "en": re.compile(r"\b\d{1,2} (?=[A-Z][a-z]+ \d{4})"),
    "fi": re.compile(r"\b\d{1,2}\.\d{1,2}\.(?=\d{4})"),
    "sv": re.compile(r"\b\d{1,2} (?=[a-zåäö]+ \d{4})"),
}


def numbers(sentence: str, lang: str) -> list[float]:
    """Every number of a sentence, read in the edition's convention (1,234.5 / 1 234,5)."""
    sentence = _DAY_AND_MONTH[lang].sub("", sentence)
    if lang == "en":
        return sorted(float(n.replace(",", "")) for n in _EN_NUMBER.findall(sentence))
    return sorted(float(n.replace("\u00a0", "").replace(",", ".")) for n in _LOCAL_NUMBER.findall(sentence))


@pytest.mark.parametrize("code", CASES)
def test_every_edition_states_the_same_numbers(panel, code):
    profile = mp.profile(code, panel)
    english = text.glue_values(profile, "en")
    for lang in ("fi", "sv"):
        local = text.glue_values(profile, lang)
        for key in NUMERIC:
            # the pilot's link and dates aside, the numbers of a sentence are the same in every edition
            en_text, local_text = english[key].split("\n\n")[0], local[key].split("\n\n")[0]
            assert numbers(local_text, lang) == numbers(en_text, "en"), (lang, key, local_text)
        table_en, table_local = text.figures_table(profile, "en"), text.figures_table(profile, lang)
        # value and median columns: the same floats (the table formats them per edition)
        assert table_local.iloc[:, [1, 3]].fillna(-1).to_numpy().tolist() == (
            table_en.iloc[:, [1, 3]].fillna(-1).to_numpy().tolist()
        )
        ranks = [re.findall(r"\d+", cell) for cell in table_local.iloc[:, 2]]
        assert ranks == [re.findall(r"\d+", cell) for cell in table_en.iloc[:, 2]]


@pytest.mark.parametrize("code", CASES)
def test_nothing_on_a_page_falls_back_to_english(panel, code):
    profile = mp.profile(code, panel)
    english = text.glue_values(profile, "en")
    i18n.forget_untranslated()
    for lang in ("fi", "sv"):
        values = text.glue_values(profile, lang)
        text.figures_table(profile, lang)
        text.peers_table(profile, lang)
        text.figures_caption(profile, lang)
        text.peers_caption(profile, lang)
        text.trends_caption(profile, lang)
        text.trends_alt(profile, lang)
        charts.trends_spec(profile, lang)
        for key, sentence in values.items():
            if key not in ("name", "page_title"):
                assert sentence != english[key], (lang, key, sentence)
    assert i18n.untranslated() == []


def test_each_edition_uses_its_own_names(panel):
    tampere = mp.profile("837", panel)
    assert text.page_title(tampere, "sv") == "Tammerfors"
    assert text.page_title(tampere, "fi") == "Tampere"
    assert text.page_title(tampere, "en") == "Tampere (Tammerfors)"
    assert "Birkaland" in text.families_sentence(tampere, "sv")
    assert "Pirkanmaa" in text.families_sentence(tampere, "fi")
    assert "(fi. Tampere)" in text.intro(tampere, "sv")
    sv_peers = text.peers_sentence(tampere, "sv")
    assert "[Åbo](../municipalities/853.html)" in sv_peers and "[Helsingfors](../municipalities/091.html)" in sv_peers
    assert "[Turku](../municipalities/853.html)" in text.peers_sentence(tampere, "fi")
    narpes = mp.profile("545", panel)
    assert text.page_title(narpes, "fi") == "Närpiö" and text.page_title(narpes, "sv") == "Närpes"
    kuopio = mp.profile("297", panel)
    assert "1.1.2015" in text.merger_sentences(kuopio, "fi") and "Maaninka" in text.merger_sentences(kuopio, "fi")
    pertunmaa = mp.profile("588", panel)
    assert "gick samman med Mäntyharju den 1 januari 2025" in text.standing(pertunmaa, "sv")


def test_the_chart_reads_the_same_files_in_every_edition_with_its_words_translated(panel):
    tampere = mp.profile("837", panel)
    specs = {lang: charts.trends_spec(tampere, lang) for lang in ("en", "fi", "sv")}
    urls = {lang: re.findall(r'"url": "([^"]+)"', json.dumps(spec)) for lang, spec in specs.items()}
    assert urls["en"] and urls["fi"] == urls["en"] == urls["sv"]
    sv = json.dumps(specs["sv"], ensure_ascii=False)
    assert "Barnfamiljer som fått utkomststöd" in sv and "Tammerfors" in sv and "Birkaland (landskap)" in sv
    assert "Families with children" not in sv and "Series" not in sv


@pytest.fixture(scope="module")
def index():
    return index_analysis.municipality_index(1992, 2021)


def test_the_index_shows_the_editions_names_regions_and_words(index):
    document = index_charts.index_document(index, "sv")
    position = document["c"].index("091")
    assert document["n"][position] == "Helsingfors" and document["s"][position] == "Helsinki"
    assert "Nyland" in document["regions"] and "Uusimaa" not in document["regions"]
    assert index_charts.index_document(index, "fi")["n"][position] == "Helsinki"
    # the same series in every edition
    assert document["v"] == index_charts.index_document(index, "en")["v"]
    i18n.forget_untranslated()
    html = index_charts.index_list(index, "municipalities/index", "x", "sv")._repr_html_()
    words = json.loads(re.search(r'data-words="([^"]+)"', html).group(1).replace("&quot;", '"'))
    assert words["decimal"] == "," and words["showing"] == "Visar {shown} av {total} kommuner."
    assert ">Sök <" in html and "Alla landskap" in html and "Search" not in html
    assert i18n.untranslated() == []


def test_the_index_script_holds_no_words_of_its_own():
    script = (REPO_ROOT / "book" / "_static" / "page-scripts" / "municipality-index.js").read_text(encoding="utf-8")
    used = set(re.findall(r'say\("(\w+)"', script)) | set(re.findall(r'"(gap_\w+)"', script))
    assert {"showing", "no_match", "gap_one", "gap_many"} <= used <= set(index_charts.SCRIPT_WORDS)
    for english in ("Showing", "No municipality", "not published", "Median municipality", "could not be drawn"):
        assert english not in script


def test_the_index_prose_is_translated_with_local_numbers():
    i18n.forget_untranslated()
    page = index_chapter.prepare(index_chapter.validate({"lang": "fi"}))
    values = page.glue_values()
    assert "Kuntahakemisto" == values["heading"]
    assert "mediaani oli 9,1\u00a0% vuonna 1992" in values["lines_text"]
    assert i18n.untranslated() == []
    with pytest.raises(Exception, match="parameter 'lang' = 'de' is not an edition"):
        index_chapter.validate({"lang": "de"})


def test_municipality_names_come_from_the_release():
    assert text.local_name("853", "?", "sv") == munis.name("853", lang="sv") == "Åbo"
