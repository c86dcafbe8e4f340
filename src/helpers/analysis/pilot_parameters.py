"""The pilot engine's checks of a complete parameter set (``helpers.chapters.pilot.validate`` runs them once).

Types, municipality names or codes (Finnish or Swedish; pilot municipalities only), the outcome,
the comparison method, years inside the outcome's data and valid as pre/post, the event study's
base year, n_matched against the candidate pool and the pool against the placebo draw size.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from helpers.errors import ParameterError
from helpers.text import nearest_names, year_span

from .comparison_groups import COMPARISON_METHODS, comparison_pool
from .did import WEIGHTINGS
from .outcomes import OUTCOMES, outcome_panel
from .pilot_timing import REFERENCE_YEAR, periods_for, pilot_timing, unit_post_years

PARAMETER_NAMES = (
    "municipalities",
    "outcome",
    "comparison",
    "n_matched",
    "pre_years",
    "post_years",
    "base_year",
    "weighting",
    "n_placebo",
    "seed",
)
MAX_PLACEBO = 100_000


def _nearest(value: object, choices: Iterable[str]) -> str:
    near = nearest_names(value, choices)
    return f" Did you mean {', '.join(repr(n) for n in near)}?" if near else ""


def _int_param(params: Mapping, name: str, lo: int, hi: int | None = None) -> int:
    value = params[name]
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        else:
            raise ParameterError(
                f"{name}={value!r} ({type(value).__name__}) must be a whole number"
                + (f" in {lo}..{hi}" if hi is not None else f" >= {lo}")
            )
    value = int(value)
    if value < lo or (hi is not None and value > hi):
        rng = f"{lo}..{hi}" if hi is not None else f">= {lo}"
        raise ParameterError(f"{name}={value} is outside the allowed range {rng}")
    return value


def _resolve_municipalities(value: object) -> list[str]:
    if isinstance(value, (str, int, np.integer)) and not isinstance(value, bool):
        value = [v.strip() for v in str(value).split(",")] if isinstance(value, str) else [value]
    if not isinstance(value, Iterable):
        raise ParameterError(f"municipalities={value!r} must be a list of names or codes, e.g. ['Tampere', 'Kuopio']")
    items = [v for v in value if not (isinstance(v, str) and not v.strip())]
    if not items:
        raise ParameterError(
            "municipalities is empty; give at least one pilot municipality, e.g. ['Tampere'] "
            f"(pilot municipalities: {_pilot_names()})"
        )
    from helpers.data import municipalities as muni

    codes: list[str] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int, np.integer)):
            raise ParameterError(f"municipalities contains {item!r} ({type(item).__name__}); give names or codes")
        try:
            code = muni.resolve(str(item).zfill(3) if isinstance(item, (int, np.integer)) else item)
        except ParameterError as err:
            raise ParameterError(f"municipalities: {err}") from None
        if code not in pilot_timing():
            raise ParameterError(
                f"municipalities: {item!r} ({code}) was not a pilot municipality; the analysis "
                f"needs the pilot's timing. Pilot municipalities: {_pilot_names()}"
            )
        if code not in codes:
            codes.append(code)
    return codes


def _pilot_names() -> str:
    return ", ".join(
        f"{t.name_fi}" + (f" ({t.name_sv})" if t.name_sv != t.name_fi else "") + f" {c}"
        for c, t in pilot_timing().items()
    )


def _check_keys(params: Mapping) -> None:
    unknown = [k for k in params if k not in PARAMETER_NAMES]
    if unknown:
        k = unknown[0]
        raise ParameterError(
            f"unknown parameter {k!r}.{_nearest(k, PARAMETER_NAMES)} Parameters: {list(PARAMETER_NAMES)}"
        )
    missing = [k for k in PARAMETER_NAMES if k not in params]
    if missing:  # the defaults live in one place, the chapter's model (helpers.chapters.pilot.Params)
        raise ParameterError(f"missing parameters {missing}; validate through helpers.chapters.pilot.validate")


def validate_pilot_parameters(params: Mapping | None = None, **overrides) -> dict:
    """The engine's checks of a complete parameter set (``helpers.chapters.pilot.validate`` calls it once).

    Checks types, municipality names/codes (Finnish or Swedish, via
    ``helpers.data.municipalities.resolve``; pilot municipalities only), the outcome id (nearest
    ids on a typo), the comparison method, years inside the outcome's data and valid as pre/post
    (``periods_for``), base_year inside the pre-period, n_matched against the candidate pool,
    the pool against the placebo draw size, n_placebo in 0..100000 and the weighting. Raises
    ParameterError naming the parameter, the bad value and the valid choices. Returns a dict with
    every parameter filled in (municipality codes, explicit years); validating it again returns
    the same dict.
    """
    params = dict(params or {})
    params.update(overrides)
    _check_keys(params)
    p = params

    codes = _resolve_municipalities(p["municipalities"])
    outcome_id = p["outcome"]
    if not isinstance(outcome_id, str) or outcome_id not in OUTCOMES:
        raise ParameterError(
            f"outcome={outcome_id!r} is not a known outcome.{_nearest(outcome_id, OUTCOMES)} "
            f"Valid outcomes: {list(OUTCOMES)}"
        )
    outcome = OUTCOMES[outcome_id]
    comparison = p["comparison"]
    if not isinstance(comparison, str) or comparison not in COMPARISON_METHODS:
        raise ParameterError(
            f"comparison={comparison!r} is not allowed.{_nearest(comparison, COMPARISON_METHODS)} "
            f"Choose one of {list(COMPARISON_METHODS)}"
        )
    weighting = p["weighting"]
    if not isinstance(weighting, str) or weighting not in WEIGHTINGS:
        raise ParameterError(
            f"weighting={weighting!r} is not allowed.{_nearest(weighting, WEIGHTINGS)} Choose one of {list(WEIGHTINGS)}"
        )
    n_matched = _int_param(p, "n_matched", 1)
    n_placebo = _int_param(p, "n_placebo", 0, MAX_PLACEBO)
    seed = _int_param(p, "seed", 0, 2**32 - 1)

    periods = periods_for(outcome_id, p["pre_years"], p["post_years"])
    if p["base_year"] is None:
        base_year = periods.pre_years[-1]
    else:
        base_year = _int_param(p, "base_year", 0)
        if base_year not in periods.pre_years:
            where = (
                f"is outside the outcome's data ({outcome.time_variable} {outcome.years[0]}–{outcome.years[-1]}) and "
                if base_year not in outcome.years
                else ""
            )
            raise ParameterError(
                f"base_year={base_year} {where}is not in the pre-period {year_span(periods.pre_years)}; "
                f"the event study is normalised to a pre-pilot year. Choose one of {periods.pre_years}"
            )
    for code in codes:
        if not unit_post_years(code, outcome, periods.post_years):
            t = pilot_timing()[code]
            raise ParameterError(
                f"post_years={periods.post_years} contain none of {t.name_fi}'s pilot years "
                f"{list(t.pilot_years)} ({outcome.id}); choose post years that include them"
            )

    # pool sizes need the data (cached loaders; fast after the first call)
    panel = outcome_panel(outcome_id)
    try:
        pool = comparison_pool(panel, codes, comparison, n_matched, periods.pre_years, REFERENCE_YEAR, seed)
    except ParameterError as err:
        name = "n_matched" if "n_matched" in str(err) else "comparison"
        msg = str(err) if str(err).startswith(name) else f"{name}: {err}"
        raise ParameterError(msg) from None
    if n_placebo > 0 and len(pool) <= len(codes):
        raise ParameterError(
            f"n_placebo={n_placebo}: the comparison group ({comparison!r}) has {len(pool)} "
            f"municipalities, but each placebo draw needs {len(codes)} pseudo-treated plus at least "
            f"one comparison municipality; use a larger comparison group"
            + (" (raise n_matched to at least 2)" if comparison == "matched" else "")
            + " or n_placebo=0"
        )
    return {
        "municipalities": codes,
        "outcome": outcome_id,
        "comparison": comparison,
        "n_matched": n_matched,
        "pre_years": periods.pre_years,
        "post_years": periods.post_years,
        "base_year": base_year,
        "weighting": weighting,
        "n_placebo": n_placebo,
        "seed": seed,
    }
