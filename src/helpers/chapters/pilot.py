"""Chapter: the participatory social security pilot (notebooks/pilot.ipynb).

``validate`` reads the notebook's conventions (an empty year list: the outcome's default period;
``base_year=0``: the last pre-period year) into the engine's terms and runs the engine's checks
once (``helpers.analysis.pilot.validate_pilot_parameters``: municipalities resolved to codes,
years explicit, pool sizes against the data); ``prepare`` analyses the checked values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from helpers.analysis.pilot import validate_pilot_parameters
from helpers.chapters import pilot_report
from helpers.chapters.model import as_values, param, typed_values
from helpers.chapters.numbering import Numbering, numbering
from helpers.errors import ParameterError
from helpers.i18n import checked_edition

NAME = "pilot"
FIGURES = ("timeline", "context", "trends", "event_study", "placebo", "notifications")
EDITION_PARAMETER = "lang"  # the build runs this chapter once per edition
SECTIONS = ("design", "context", "trends", "did", "checks", "notifications", "caveats")


@dataclass(frozen=True)
class Params:
    municipalities: list[str] = param(
        ["Kangasala", "Kemijärvi", "Kuopio", "Raisio", "Tampere", "Tornio"],
        "pilot municipalities analysed as one group (Finnish or Swedish names, or codes)",
    )
    outcome: str = param(
        "diak_long_term_social_assistance_25_64",
        "diak_long_term_social_assistance_25_64 (the default: closest to the pilot's aim), "
        "families_social_assistance_pct, unemployment_rate, diak_supplementary_social_assistance "
        "or diak_long_term_unemployment",
    )
    comparison: str = param("all", "comparison group: all, same_region, same_urban_rural_group or matched")
    n_matched: int = param(5, "neighbours per pilot municipality when comparison is matched")
    pre_years: list[int] = param(
        [], "pre-period years; empty list: the outcome's default (year_mid 2014–2016 for the Diak outcomes)"
    )
    post_years: list[int] = param(
        [], "post-period years; empty list: the outcome's default (year_mid 2018 for the Diak outcomes)"
    )
    base_year: int = param(0, "event-study base year inside the pre-period; 0: the last pre-period year")
    weighting: str = param("population", "population (31 Dec 2017) or equal")
    n_placebo: int = param(1000, "number of placebo groups; 0 switches the placebo check off")
    seed: int = param(2018, "random seed of the placebo draws")
    lang: str = param("en", "edition language of the page's generated text and number formats: en, fi or sv")


def engine_parameters(values: Mapping[str, Any]) -> dict[str, Any]:
    """The notebook's conventions in the engine's terms: ``[]`` years and ``base_year=0`` become None;
    the edition (``lang``) is not the engine's: every edition analyses the same."""
    engine = {name: value for name, value in values.items() if name != EDITION_PARAMETER}
    for name in ("pre_years", "post_years"):
        if isinstance(engine.get(name), (list, tuple)) and len(engine[name]) == 0:
            engine[name] = None
    if engine.get("base_year") == 0 and not isinstance(engine.get("base_year"), bool):
        engine["base_year"] = None
    return engine


def validate(given: Mapping[str, Any]) -> Params:
    """Check ``given`` once: names and types, then the engine's checks against the data."""
    values = typed_values(Params, given)
    lang = checked_edition(values.pop("lang"))
    try:
        checked = validate_pilot_parameters(engine_parameters(values))
    except ParameterError as error:
        message = str(error)
        if message.startswith("base_year="):
            message += (
                " (or base_year=0 for the last pre-period year; the Diak outcomes' pre-period ends at year_mid 2016)"
            )
        raise ParameterError(message) from None
    return Params(**checked, lang=lang)


@dataclass
class PilotPage:
    """The chapter as the notebook shows it: the analysis, its tables, sentences and numbering."""

    params: Params
    numbering: Numbering
    report: pilot_report.PilotChapter

    def glue_values(self) -> dict[str, Any]:
        return {**self.report.numbers, **self.numbering.labels()}


def prepare(params: Params) -> PilotPage:
    numbers = numbering(NAME, FIGURES, SECTIONS, lang=params.lang)
    figures = {name: numbers.figure(name) for name in FIGURES}
    checked = {name: value for name, value in as_values(params).items() if name != "lang"}
    return PilotPage(params=params, numbering=numbers, report=pilot_report.build_chapter(checked, figures, params.lang))
