"""The three editions: the message catalogue, the untranslated-string check, and the built book
(layout, languages, switcher, numbers identical across editions)."""

from __future__ import annotations

import ast
import json
import re

import nbformat
import pytest

from helpers import i18n
from helpers.book import editions, i18n_catalogues
from helpers.book.runplan import load_run_plan
from helpers.paths import BOOK_DIR

SITE = BOOK_DIR / "_build" / "html"


# ------------------------------------------------------------------------ the message catalogue


def test_a_message_is_translated_in_fi_and_sv_and_filled_in_after():
    assert i18n._("Key figures, {year}", "fi", year=2019) == "Keskeiset luvut 2019"
    assert i18n._("Key figures, {year}", "sv", year=2019) == "Nyckeltal 2019"
    assert i18n._("Key figures, {year}", "en", year=2019) == "Key figures, 2019"


def test_a_message_without_translation_falls_back_to_english_and_is_recorded():
    i18n.forget_untranslated()
    message = "A synthetic message no catalogue holds"
    assert i18n._(message, "fi") == message
    assert i18n._(message, "en") == message
    assert i18n.untranslated() == [("fi", message)]
    i18n.forget_untranslated()


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="lang must be one of fi, sv, en"):
        i18n._("Value", "de")


def test_every_message_of_the_code_catalogue_is_translated_in_fi_and_sv():
    for lang in ("fi", "sv"):
        assert i18n_catalogues.code_catalogue_status(lang) == [], lang


def test_the_edition_config_sets_the_language_and_the_prose_catalogues():
    config = editions.config("sv")
    assert config["sphinx"]["config"]["language"] == "sv"
    assert config["sphinx"]["config"]["locale_dirs"] == [str(BOOK_DIR / "locales")]
    assert config["title"].startswith("Utkomststöd i Finland")
    assert config["sphinx"]["config"]["html_theme_options"]["search_bar_text"] == "Sök i boken…"


def test_book_editions_names_the_editions_to_build(monkeypatch):
    monkeypatch.setenv("BOOK_EDITIONS", "en")
    assert editions.built_editions() == ("en",)
    monkeypatch.setenv("BOOK_EDITIONS", "de")
    with pytest.raises(Exception, match="BOOK_EDITIONS names"):
        editions.built_editions()


# --------------------------------------------------------------------- the untranslated check


@pytest.fixture(scope="module")
def prose_templates():
    return i18n_catalogues.build_prose_templates()


def test_the_check_passes_and_reports_every_page_of_both_editions(prose_templates, monkeypatch, capsys):
    monkeypatch.setattr(i18n_catalogues, "build_prose_templates", lambda: prose_templates)
    assert i18n_catalogues.check() == 0
    output = capsys.readouterr().out
    for lang in ("fi", "sv"):
        section = output.split(f"edition {lang}:")[1].split("edition ")[0]
        for page in load_run_plan().published_pages():  # a sweep's runs are not pages and are not listed
            line = rf"\s{re.escape(page.page)}: \d+ prose, \d+ generated"
            assert re.search(line, section), (lang, page.page)
            # every page of the book is declared complete in both editions, and is
            assert re.search(
                rf"ok   {re.escape(page.page)}: 0 prose, 0 generated untranslated \(translated\)", section
            ), (
                lang,
                page.page,
            )
        assert "specifications/" not in section


def test_the_check_fails_on_a_declared_page_with_a_missing_translation(prose_templates, monkeypatch, capsys):
    monkeypatch.setattr(i18n_catalogues, "build_prose_templates", lambda: prose_templates)
    real = i18n_catalogues._finished

    def without_key_figures_heading(path):
        finished = dict(real(path))
        if path.name == "introduction.po" and "/sv/" in str(path):
            finished["Key figures at a glance"] = False
        return finished

    monkeypatch.setattr(i18n_catalogues, "_finished", without_key_figures_heading)
    assert i18n_catalogues.check() == 1
    output = capsys.readouterr().out
    assert "FAIL chapters/introduction: 1 prose" in output.split("edition sv:")[1]
    assert "'Key figures at a glance'" in output
    assert "FAIL" not in output.split("edition sv:")[0], "the Finnish edition is complete"


def test_the_check_fails_when_generated_text_fell_back_to_english(prose_templates, monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(i18n_catalogues, "build_prose_templates", lambda: prose_templates)
    run = tmp_path / "run"
    run.mkdir()
    (run / "run.json").write_text(json.dumps({"untranslated": [["fi", "A caption in English"]]}))
    index = tmp_path / "runs.json"
    index.write_text(json.dumps({"fi": {"chapters/glossary": str(run)}}))
    monkeypatch.setattr(i18n_catalogues, "RUNS_INDEX", index)
    assert i18n_catalogues.check() == 1
    assert "FAIL chapters/glossary: 0 prose, 1 generated" in capsys.readouterr().out


# ---------------------------------------------------------------------------- the built book


@pytest.fixture(scope="module")
def site():
    if not (SITE / "index.html").exists():
        pytest.fail(f"no built book at {SITE}: run `make book` first (`make test` does)")
    return SITE


def test_the_editions_are_published_side_by_side_with_their_language(site):
    for lang in i18n.LANGUAGES:
        page = (site / lang / "chapters" / "introduction.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}"' in page
        assert (site / lang / "searchindex.js").exists(), f"{lang} has its own search index"
        assert (site / lang / f"social-assistance-in-finland-{lang}.pdf").exists()
    assert "toimeentulotuki" in (site / "fi" / "searchindex.js").read_text(encoding="utf-8")
    assert "Keskeiset luvut" in (site / "fi" / "chapters" / "introduction.html").read_text(encoding="utf-8")
    assert "Nyckeltal i korthet" in (site / "sv" / "chapters" / "introduction.html").read_text(encoding="utf-8")


def test_every_page_links_the_same_page_in_the_other_editions(site):
    pages = [page.page + ".html" for page in load_run_plan().published_pages()]
    for lang in i18n.LANGUAGES:
        for page in pages:
            text = (site / lang / page).read_text(encoding="utf-8")
            nav = re.search(r'<nav class="book-editions".*?</nav>', text, re.DOTALL)
            assert nav, f"{lang}/{page} has no edition switcher"
            links = re.findall(r'href="([^"]+)"', nav.group(0))
            assert len(links) == 2, (lang, page, links)
            for link in links:
                target = (site / lang / page).parent / link
                assert target.resolve().is_file(), f"{lang}/{page} links {link}, which is not built"
                assert target.resolve().relative_to(site.resolve()).parts[1:] == tuple(page.split("/"))


def test_the_root_page_opens_the_browser_language_or_finnish(site):
    text = (site / "index.html").read_text(encoding="utf-8")
    assert 'var editions = ["fi", "sv", "en"], chosen = "fi"' in text
    for lang in i18n.LANGUAGES:
        assert f'href="{lang}/index.html"' in text


def _run_notebook(lang: str, page: str) -> nbformat.NotebookNode:
    index = json.loads((BOOK_DIR.parent / ".cache" / "editions" / "runs.json").read_text(encoding="utf-8"))
    return nbformat.read(f"{index[lang][page]}/notebook.ipynb", as_version=4)


def _glued(notebook) -> dict[str, str]:
    values = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            key = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if key:
                values[key] = output["data"]["application/papermill.record/text/plain"]
    return values


def test_numbers_are_identical_across_editions_and_only_formatted_differently(site):
    glued = {lang: _glued(_run_notebook(lang, "chapters/introduction")) for lang in i18n.LANGUAGES}
    numbers = [key for key, value in glued["en"].items() if re.fullmatch(r"-?\d+(\.\d+)?", value)]
    assert len(numbers) >= 8
    for key in numbers:
        assert glued["fi"][key] == glued["sv"][key] == glued["en"][key], key
    for key in numbers:
        if f"{key}_text" not in glued["en"]:
            continue
        english = float(glued["en"][key])
        for lang in ("fi", "sv"):
            shown = ast.literal_eval(glued[lang][f"{key}_text"])  # the stored repr of the glued string
            text = shown.replace("\u00a0%", "").replace("\u00a0", "")
            assert float(text.replace(",", ".")) == pytest.approx(english, abs=0.05), (lang, key, text)
            if abs(english) >= 1000:
                assert "\u00a0" in shown, "thousands separated by a no-break space"


def test_charts_of_the_finnish_edition_use_the_decimal_comma(site):
    notebook = _run_notebook("fi", "chapters/introduction")
    specs = [
        output["data"][mime]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        for mime in output.get("data", {})
        if mime.startswith("application/vnd.vegalite")
    ]
    assert specs and all(spec["config"]["locale"]["number"]["decimal"] == "," for spec in specs)
    html = (site / "fi" / "chapters" / "introduction.html").read_text(encoding="utf-8")
    assert "Kuvio 1.1." in html and "Mediaanikunta" in html
    swedish = (site / "sv" / "chapters" / "introduction.html").read_text(encoding="utf-8")
    assert "Tammerfors" in swedish and "Torneå" in swedish and "Reso" in swedish


def test_the_run_plan_refuses_a_translated_list_naming_an_unknown_edition(tmp_path):
    from helpers.errors import ParameterError

    plan = tmp_path / "runplan.yml"
    plan.write_text("root:\n  page: pages/how-to-cite\n  translated: [fi, de]\nparts: []\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"'translated' lists editions among \['fi', 'sv'\]"):
        load_run_plan(plan)
    plan.write_text("root:\n  page: pages/how-to-cite\n  translated: [sv]\nparts: []\n", encoding="utf-8")
    assert load_run_plan(plan).root.translated == ("sv",)
