"""The untranslated-prose check skips paragraphs a page's run glued ({glue:md}): SYNTHETIC page and catalogues."""

import json

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from helpers.book import i18n_catalogues


def _write_po(path, messages):
    catalogue = Catalog(locale="fi")
    for message, translation in messages.items():
        catalogue.add(message, translation)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        write_po(handle, catalogue)


def test_glued_paragraphs_are_generated_text_not_prose(tmp_path, monkeypatch):
    book, locales, templates = tmp_path / "book", tmp_path / "locales", tmp_path / "gettext"
    glued = "Across 5 specifications\nfor the outcome, all 5 estimates are negative."
    output = {
        "output_type": "display_data",
        "metadata": {"scrapbook": {"name": "headline", "mime_prefix": "application/papermill.record/"}},
        "data": {i18n_catalogues.GLUED_MARKDOWN: glued},
    }
    (book / "chapters").mkdir(parents=True)
    notebook = {"cells": [{"cell_type": "code", "source": "", "outputs": [output]}]}
    (book / "chapters" / "page.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    prose = "What the estimate comes to."
    _write_po(
        templates / "chapters" / "page.pot",
        {prose: "", "Across 5 specifications for the outcome, all 5 estimates are negative.": ""},
    )
    monkeypatch.setattr(i18n_catalogues, "BOOK_DIR", book)
    monkeypatch.setattr(i18n_catalogues, "PROSE_LOCALES", locales)

    assert i18n_catalogues.prose_status(templates, "fi") == {"chapters/page": [prose]}
    _write_po(locales / "fi" / "LC_MESSAGES" / "chapters" / "page.po", {prose: "Mihin estimaatti päätyy."})
    assert i18n_catalogues.prose_status(templates, "fi") == {"chapters/page": []}
