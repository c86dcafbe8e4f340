"""Template: one municipality's page (notebooks/municipality.ipynb), run for every municipality
of the 2021 division by the run plan's ``municipality-pages`` family."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from helpers.analysis import municipality_profile
from helpers.chapters import municipality_text
from helpers.chapters.model import param, typed_values
from helpers.chapters.numbering import Numbering, numbering
from helpers.data import municipalities as munis
from helpers.errors import ParameterError
from helpers.i18n import checked_edition

NAME = "municipality"
FIGURES = ("trends",)
EDITION_PARAMETER = "lang"  # the build runs every page of the family once per edition
MAX_PEERS = 20


@dataclass(frozen=True)
class Params:
    municipality: str = param("Tampere", "Finnish or Swedish name, or code, of a municipality of the 2021 division")
    lang: str = param("en", "edition language of the page's text, names and number formats: en, fi or sv")
    peers: int = param(10, "how many most similar municipalities to list (1–20)")


def validate(given: Mapping[str, Any]) -> Params:
    """The municipality as a code of the 2021 division (nearest names on a typo), a known language."""
    values = typed_values(Params, given)
    try:
        code = munis.resolve(values["municipality"], year=municipality_profile.DIVISION)
    except ParameterError as error:
        raise ParameterError(f"parameter 'municipality' = {values['municipality']!r}: {error}") from None
    if code not in municipality_profile.map_codes():
        raise ParameterError(
            f"parameter 'municipality' = {values['municipality']!r}: code {code} is not on the "
            f"{municipality_profile.DIVISION} map; use a municipality of that division."
        )
    values["lang"] = checked_edition(values["lang"])
    if not 1 <= values["peers"] <= MAX_PEERS:
        raise ParameterError(
            f"parameter 'peers' = {values['peers']!r}: list between 1 and {MAX_PEERS} most similar municipalities."
        )
    return Params(municipality=code, lang=values["lang"], peers=values["peers"])


@dataclass
class MunicipalityPage:
    params: Params
    numbering: Numbering
    profile: municipality_profile.Profile

    def glue_values(self) -> dict[str, Any]:
        labels = self.numbering.labels()
        return {
            **municipality_text.glue_values(self.profile, self.params.lang, figure=labels["fig_trends"]),
            **labels,
        }


def prepare(params: Params) -> MunicipalityPage:
    return MunicipalityPage(
        params=params,
        numbering=numbering(NAME, FIGURES, lang=params.lang),
        profile=municipality_profile.profile(params.municipality, n_peers=params.peers),
    )
