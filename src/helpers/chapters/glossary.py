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

NAME = "glossary"


@dataclass(frozen=True)
class Params:
    lang_order: list[str] = param(
        ["fi", "sv", "en"], "order of the term columns: fi, sv and en, each at most once; the first sorts the table"
    )


def validate(given: Mapping[str, Any]) -> Params:
    values = typed_values(Params, given)
    return Params(lang_order=list(named("lang_order", survey.validate_language_order, values["lang_order"])))


@dataclass
class GlossaryPage:
    params: Params
    numbering: Numbering
    terms: pd.DataFrame

    def glue_values(self) -> dict[str, Any]:
        return {"term_count": len(self.terms), "first_language": survey.LANGUAGE_NAMES[self.params.lang_order[0]]}


def prepare(params: Params) -> GlossaryPage:
    return GlossaryPage(
        params=params, numbering=numbering(NAME), terms=survey_tables.glossary_page_table(tuple(params.lang_order))
    )
