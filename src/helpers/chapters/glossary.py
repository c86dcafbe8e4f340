"""Chapter: the glossary (notebooks/glossary.ipynb), one table from data/facts/glossary.csv."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from helpers.analysis import survey
from helpers.chapters import survey_tables
from helpers.chapters.model import named, param, typed_values
from helpers.chapters.numbering import Numbering, numbering
from helpers.i18n import LANGUAGES, N_, _, checked_edition, language_name, translated

NAME = "glossary"
EDITION_PARAMETER = "lang"  # the build runs this chapter once per edition
COLUMNS = {"Definition": N_("Definition"), "Source": N_("Source"), "Note": N_("Note")}


@dataclass(frozen=True)
class Params:
    lang_order: list[str] = param(
        ["fi", "sv", "en"], "order of the term columns: fi, sv and en, each at most once; the first sorts the table"
    )
    lang: str = param("en", "edition language of the page's headers, definitions and notes: en, fi or sv")


def validate(given: Mapping[str, Any]) -> Params:
    values = typed_values(Params, given)
    values["lang"] = checked_edition(values["lang"])
    return Params(
        lang_order=list(named("lang_order", survey.validate_language_order, values["lang_order"])),
        lang=values["lang"],
    )


def edition_table(terms: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The glossary table in the edition's language: headers, definitions, sources and notes
    (the terms themselves are already in every language)."""
    if lang == "en":
        return terms
    names = {survey.LANGUAGE_NAMES[code]: language_name(code, lang) for code in LANGUAGES}
    frame = terms.copy()
    for column in ("Definition", "Source", "Note"):
        frame[column] = [translated(text, lang) if text else text for text in frame[column]]
    for code in LANGUAGES:
        column = survey.LANGUAGE_NAMES[code]
        if column in frame:
            frame[column] = [
                translated(survey_tables.NO_CONFIRMED_FORM, lang) if text == survey_tables.NO_CONFIRMED_FORM else text
                for text in frame[column]
            ]
    return frame.rename(columns={**names, **{key: translated(value, lang) for key, value in COLUMNS.items()}})


@dataclass
class GlossaryPage:
    params: Params
    numbering: Numbering
    terms: pd.DataFrame

    def glue_values(self) -> dict[str, Any]:
        return {
            "term_count": len(self.terms),
            "first_language": survey.LANGUAGE_NAMES[self.params.lang_order[0]],
            # the sorting column's header in the edition's language, for the translated prose
            "first_language_column": language_name(self.params.lang_order[0], self.params.lang),
        }

    @property
    def caption(self) -> str:
        return _("Terms of Finnish social assistance and social work in Finnish, Swedish and English", self.params.lang)


def prepare(params: Params) -> GlossaryPage:
    terms = survey_tables.glossary_page_table(tuple(params.lang_order))
    return GlossaryPage(
        params=params, numbering=numbering(NAME, lang=params.lang), terms=edition_table(terms, params.lang)
    )
