"""Template: one specification of the pilot's robustness grid (notebooks/pilot_spec.ipynb).

Not a page of the book: the run plan's family ``pilot-specifications`` (``publish: false``) runs
this template once per specification of
:func:`helpers.analysis.robustness.specification_grid` through the batch engine, and the
robustness chapter collects the result each run recorded (``helpers.book.sweep``). The template is
lean on purpose: one validation, one :func:`~helpers.analysis.robustness.spec_result`, one
recorded output, no charts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from helpers.analysis.robustness import SPEC_DEFAULTS, spec_result, validate_spec
from helpers.chapters.model import as_values, param, typed_values

NAME = "pilot_spec"
# The parameters a run of the sweep is given (the rest of a grid entry follows from them).
TEMPLATE_KEYS = ("outcome", "comparison", "pre_period", "weighting", "scale", "n_placebo", "seed")
# Left out of the recorded result: it differs from run to run while the result does not, and the
# digest of the results (what the robustness chapter's cache key holds) must not.
VOLATILE_KEYS = ("seconds",)


@dataclass(frozen=True)
class Params:
    outcome: str = param("diak_long_term_social_assistance_25_64", "outcome id (helpers.analysis.outcomes.OUTCOMES)")
    comparison: str = param(
        "all", "comparison pool: all, same_urban_rural_group, same_region, size_band or matched_level"
    )
    pre_period: str = param("default", "pre-period variant: long, default, short or last")
    weighting: str = param("population", "population (31 Dec 2017) or equal")
    scale: str = param("level", "level (points) or log (proportional)")
    n_placebo: int = param(SPEC_DEFAULTS["n_placebo"], "number of placebo groups")
    seed: int = param(SPEC_DEFAULTS["seed"], "random seed of the placebo draws")


def validate(given: Mapping[str, Any]) -> Params:
    """Names and types, then the grid's own checks (``validate_spec``: allowed values, years in the data)."""
    values = typed_values(Params, given)
    checked = validate_spec({**values, "pre_years": None})
    return Params(**{key: checked[key] for key in TEMPLATE_KEYS})


def prepare(params: Params) -> dict[str, Any]:
    """The specification's result record, without its timing (see ``VOLATILE_KEYS``)."""
    result = spec_result({**as_values(params), "pre_years": None})
    return {key: value for key, value in result.items() if key not in VOLATILE_KEYS}


def summary(result: Mapping[str, Any]) -> str:
    """One line for the notebook's text output (the record itself is the JSON beside it)."""
    interval = (
        f"[{result['interval_low']:.3f}, {result['interval_high']:.3f}]"
        if result.get("interval_low") is not None and result.get("interval_high") is not None
        else "none"
    )
    return (
        f"{result['spec_id']}: estimate {result['estimate']:.3f} {result['unit']}, placebo p {result['placebo_p']:.3f}, "
        f"placebo interval {interval}"
    )
