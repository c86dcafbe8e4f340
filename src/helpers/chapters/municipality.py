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

NAME = "municipality"
FIGURES = ("trends",)
LANGUAGES = ("en",)
MAX_PEERS = 20  # the Finnish and Swedish editions come with their message catalogues


@dataclass(frozen=True)
class Params:
    municipality: str = param("Tampere", "Finnish or Swedish name, or code, of a municipality of the 2021 division")
    lang: str = param("en", "language of the page (en; fi and sv come with the translated editions)")
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
    if values["lang"] not in LANGUAGES:
        raise ParameterError(
            f"parameter 'lang' = {values['lang']!r}: the page is written in {', '.join(LANGUAGES)} so far; "
            "use lang 'en' (the Finnish and Swedish editions come with their translations)."
        )
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
        return {**municipality_text.glue_values(self.profile, self.params.lang), **self.numbering.labels()}


def prepare(params: Params) -> MunicipalityPage:
    return MunicipalityPage(
        params=params,
        numbering=numbering(NAME, FIGURES),
        profile=municipality_profile.profile(params.municipality, n_peers=params.peers),
    )
