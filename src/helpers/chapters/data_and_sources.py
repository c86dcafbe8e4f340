"""Chapter: data and sources (notebooks/data_and_sources.ipynb), generated from the catalogue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from helpers import data
from helpers.chapters.model import param, typed_values
from helpers.chapters.numbering import Numbering, numbering
from helpers.i18n import N_, _, checked_edition, translated

NAME = "data_and_sources"
EDITION_PARAMETER = "lang"  # the build runs this chapter once per edition

# The catalogue's titles and attributions (data/datapackage.json), marked for the message catalogue:
# the table shows them in the edition's language; one the catalogue lacks stays English and is reported.
TITLES = (
    N_("Sotkanet indicators by municipality, 2019"),
    N_("Population on 31 December by municipality, 2000-2022"),
    N_("Unemployed job seekers, labour force and open vacancies by municipality and month, 2006-01 to 2020-10"),
    N_("Families with children and social assistance by municipality, 1990-2021"),
    N_("Social assistance and related municipal series, 1990-2012 (2013 division)"),
    N_("Diak disadvantage index (huono-osaisuus) by municipality, 2011-2020 (index, median municipality = 100)"),
    N_("Diak disadvantage index: variable descriptions (Finnish)"),
    N_("Municipalities and their regional classifications, 2013-2026"),
    N_("Municipalities and their regional classifications, 2018"),
    N_("Municipalities and their regional classifications, 2024"),
    N_("Municipal boundaries, 2017 division (TopoJSON)"),
    N_("Municipal boundaries, 2021 division, with wellbeing services counties (TopoJSON)"),
    N_("Glossary of Finnish social assistance terms"),
    N_("Kela's notifications to municipal social work (pilot-era study)"),
    N_("National social assistance statistics, 2014-2020 (as published)"),
    N_("Facts about the participatory social security pilot"),
    N_("Pilot municipalities of the participatory social security pilot"),
    N_("Related surveys and studies on the 2017 transfer of basic assistance to Kela"),
    N_("Kuntaliitto municipal survey 2019: figures"),
    N_("Kuntaliitto municipal survey 2019: qualitative findings"),
)
ATTRIBUTIONS = (
    N_("Diakonia University of Applied Sciences (Diak)"),
    N_("Diakonia University of Applied Sciences (Diak); underlying values THL, Sotkanet.fi"),
    N_("Publishers as cited in each row"),
    N_("THL, Sotkanet.fi"),
    N_("THL, Sotkanet.fi; population data Tilastokeskus / Statistics Finland"),
    N_(
        "THL, Sotkanet.fi; unemployment rate Tilastokeskus / Statistics Finland and the Ministry of Economic "
        "Affairs and Employment"
    ),
    N_("Tilastokeskus / Statistics Finland"),
    N_("Tilastokeskus / Statistics Finland; Ministry of Economic Affairs and Employment (TEM)"),
    N_("Tilastokeskus / Statistics Finland; compiled by Yleisradio"),
)
HEADERS = {
    "id": N_("Dataset"),
    "title": N_("Title"),
    "attribution": N_("Attribution"),
    "licence": N_("Licence"),
    "rows": N_("Rows"),
    "sha256_short": N_("SHA-256 (start)"),
    "official_source": N_("Official source"),
    "file": N_("File"),
}


@dataclass(frozen=True)
class Params:
    include_samples: bool = param(False, "also list the recorded API responses used by the offline tests")
    lang: str = param("en", "edition language of the page's tables: en, fi or sv")


def validate(given: Mapping[str, Any]) -> Params:
    values = typed_values(Params, given)
    values["lang"] = checked_edition(values["lang"])
    return Params(**values)


def edition_table(catalogue: pd.DataFrame, columns: list[str], lang: str) -> pd.DataFrame:
    """``columns`` of the catalogue with titles, attributions and headers in ``lang`` (ids, licences,
    files, checksums and addresses are the same in every edition)."""
    frame = catalogue[columns].copy()
    for column in ("title", "attribution"):
        if column in frame:
            frame[column] = [translated(str(text), lang) if text else text for text in frame[column]]
    return frame.rename(columns={column: translated(HEADERS[column], lang) for column in columns if column in HEADERS})


@dataclass
class DataAndSourcesPage:
    params: Params
    numbering: Numbering
    catalogue: pd.DataFrame

    def datasets_table(self) -> pd.DataFrame:
        return edition_table(
            self.catalogue, ["id", "title", "attribution", "licence", "rows", "sha256_short"], self.lang
        )

    def sources_table(self) -> pd.DataFrame:
        return edition_table(self.catalogue, ["id", "official_source", "file"], self.lang)

    @property
    def lang(self) -> str:
        return self.params.lang

    @property
    def datasets_caption(self) -> str:
        return _("Datasets of the data release and the fact tables", self.lang)

    @property
    def sources_caption(self) -> str:
        return _("Official source and file of each dataset", self.lang)


def prepare(params: Params) -> DataAndSourcesPage:
    return DataAndSourcesPage(
        params=params,
        numbering=numbering(NAME, lang=params.lang),
        catalogue=data.catalogue_table(include_samples=params.include_samples),
    )
