"""Chapter: how robust is the pilot estimate? (notebooks/robustness.ipynb)

The specification curve comes from the results the sweep's runs recorded (the run plan's family
``pilot-specifications``, collected by ``helpers.book.sweep.collect`` in the notebook and handed
to :func:`prepare`): nothing of the curve is recomputed here. Leave-one-out and the placebo in
time are computed for the chosen outcome's default specification
(``helpers.analysis.robustness.pilot_checks``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from helpers.analysis.outcomes import OUTCOMES, get_outcome
from helpers.analysis.pilot_timing import pilot_timing
from helpers.analysis.robustness import (
    SPEC_COMPARISONS,
    SPEC_PRE_PERIODS,
    SPEC_SCALES,
    SPEC_WEIGHTINGS,
    pilot_checks,
    relative_effect,
    summarise_specifications,
)
from helpers.chapters import robustness_text as text
from helpers.chapters.model import param, typed_values
from helpers.chapters.numbering import Numbering, numbering
from helpers.chapters.pilot_facts import OUTCOME_SOURCES
from helpers.charts.robustness import DISTINGUISHABLE, NOT_DISTINGUISHABLE
from helpers.errors import ParameterError
from helpers.text import format_number, nearest_names

NAME = "robustness"
FAMILY = "pilot-specifications"  # the run plan's family whose recorded results this chapter reads
FIGURES = ("curve", "leave_one_out", "placebo_in_time")
SECTIONS = ("grid", "curve", "outcomes", "leave_one_out", "placebo_in_time", "logs", "caveats")
# The grid's default specification of an outcome (what leave-one-out and the placebo in time check).
DEFAULT_CHOICES = {"comparison": "all", "pre_period": "default", "weighting": "population"}

COMPARISON_LABELS = {
    "all": "all other municipalities",
    "same_urban_rural_group": "same urban–rural group",
    "same_region": "same region",
    "size_band": "same population size band",
    "matched_level": "matched on level and size",
}
PRE_PERIOD_LABELS = {
    "long": "long (up to 8 years)",
    "default": "the outcome's default",
    "short": "last 2 years",
    "last": "last year only",
}
WEIGHTING_LABELS = {"population": "population-weighted", "equal": "equal weights"}
SCALE_LABELS = {"level": "levels (points)", "log": "logs (proportional)"}
DIMENSIONS = (
    ("comparison", "Comparison pool", COMPARISON_LABELS, SPEC_COMPARISONS),
    ("pre_period", "Pre-period", PRE_PERIOD_LABELS, SPEC_PRE_PERIODS),
    ("weighting", "Weighting", WEIGHTING_LABELS, SPEC_WEIGHTINGS),
)


@dataclass(frozen=True)
class Params:
    outcome: str = param(
        "diak_long_term_social_assistance_25_64",
        "outcome shown first on the curve and checked by leave-one-out and the placebo in time "
        "(the default: the pilot chapter's, closest to the pilot's aim)",
    )
    n_placebo: int = param(1000, "placebo groups of the leave-one-out and placebo-in-time checks")
    seed: int = param(2018, "random seed of those placebo draws")


def validate(given: Mapping[str, Any]) -> Params:
    values = typed_values(Params, given)
    if values["outcome"] not in OUTCOMES:
        nearest = nearest_names(values["outcome"], OUTCOMES, cutoff=0.3)
        raise ParameterError(
            f"parameter 'outcome' = {values['outcome']!r} is not an outcome; nearest: {', '.join(nearest) or 'none'}; "
            f"valid: {', '.join(OUTCOMES)}"
        )
    if not 100 <= values["n_placebo"] <= 100_000:
        raise ParameterError(f"parameter 'n_placebo' = {values['n_placebo']} must be between 100 and 100000")
    return Params(**values)


def curve_key(outcome: str, scale: str) -> str:
    return f"{outcome}|{scale}"


def curve_label(outcome: str, scale: str) -> str:
    o = get_outcome(outcome)
    unit = "log points" if scale == "log" else text.unit_points(o.unit)
    return f"{o.label}, in {'logs' if scale == 'log' else 'levels'} ({unit})"


def _placebo_word(p: pd.Series, alpha: float) -> pd.Series:
    return p.astype(float).map(lambda value: DISTINGUISHABLE if value < alpha else NOT_DISTINGUISHABLE)


def curve_frames(summary: Mapping[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The curve (one row per specification) and its panel (one row per specification and choice)."""
    alpha = float(summary["overall"]["alpha"])
    curve = summary["curve"].copy()
    units = {
        (o, s): "log points" if s == "log" else text.unit_points(get_outcome(o).unit)
        for o, s in curve[["outcome", "scale"]].drop_duplicates().itertuples(index=False)
    }
    curve["key"] = [curve_key(o, s) for o, s in zip(curve["outcome"], curve["scale"])]
    curve["unit"] = [units[(o, s)] for o, s in zip(curve["outcome"], curve["scale"])]
    curve["placebo"] = _placebo_word(curve["placebo_p"], alpha)
    panel_rows = []
    order = []
    for column, title, labels, values in DIMENSIONS:
        order += [f"{title}: {labels[value]}" for value in values]
        for row in curve.itertuples(index=False):
            panel_rows.append(
                {
                    "key": row.key,
                    "rank": row.rank,
                    "dimension": title,
                    "choice": f"{title}: {labels[getattr(row, column)]}",
                    "placebo": row.placebo,
                }
            )
    columns = ["key", "rank", "estimate", "interval_low", "interval_high", "placebo_p", "placebo", "spec_id", "unit"]
    return curve[columns], pd.DataFrame(panel_rows), order


def outcome_table(summary: Mapping[str, Any]) -> pd.DataFrame:
    """Per outcome and scale: count, signs, placebo p below alpha, median and range."""
    rows = summary["by_outcome"]
    return pd.DataFrame(
        {
            "Outcome": [get_outcome(o).label for o in rows["outcome"]],
            "Scale": [SCALE_LABELS[s] for s in rows["scale"]],
            "Specifications": rows["n"],
            "Negative (%)": 100 * rows["share_negative"],
            "Positive (%)": 100 * rows["share_positive"],
            "Placebo p < 0.1 (%)": 100 * rows["share_placebo_p_below"],
            "Median": rows["median_estimate"],
            "Lowest": rows["min_estimate"],
            "Highest": rows["max_estimate"],
        }
    )


def default_record(records: Sequence[Mapping[str, Any]], outcome: str, scale: str) -> Mapping[str, Any]:
    for record in records:
        if (
            record["outcome"] == outcome
            and record["scale"] == scale
            and all(record[k] == v for k, v in DEFAULT_CHOICES.items())
        ):
            return record
    raise ParameterError(f"the sweep has no default specification of {outcome!r} in {scale}; run the sweep again")


def log_table(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Each outcome's default specification in levels and in logs (as a relative effect)."""
    rows = []
    for outcome in dict.fromkeys(record["outcome"] for record in records):
        level, log = default_record(records, outcome, "level"), default_record(records, outcome, "log")
        o = get_outcome(outcome)
        rows.append(
            {
                "Outcome": o.label,
                "Level estimate": level["estimate"],
                "Unit": text.unit_points(o.unit),
                "Level interval": f"{format_number(level['interval_low'], 2, signed=True)} to "
                f"{format_number(level['interval_high'], 2, signed=True)}",
                "Level placebo p": level["placebo_p"],
                "Relative effect (%)": relative_effect(log["estimate"]),
                "Relative interval (%)": f"{format_number(relative_effect(log['interval_low']), 1, signed=True)} to "
                f"{format_number(relative_effect(log['interval_high']), 1, signed=True)}",
                "Log placebo p": log["placebo_p"],
            }
        )
    return pd.DataFrame(rows)


def level_log_pairs(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Each specification in levels beside its twin in logs (same outcome, pool, pre-period, weighting)."""
    frame = pd.DataFrame([dict(r) for r in records])
    frame["twin"] = frame["outcome"] + "|" + frame["comparison"] + "|" + frame["pre_period"] + "|" + frame["weighting"]
    wide = frame.pivot(index="twin", columns="scale", values="estimate")
    return wide.dropna().reset_index()


def _interval_frame(frame: pd.DataFrame, labels: list[str], alpha: float) -> pd.DataFrame:
    out = frame[["estimate", "interval_low", "interval_high", "placebo_p"]].copy()
    out["label"] = labels
    out["placebo"] = _placebo_word(out["placebo_p"], alpha)
    out["order"] = range(len(out))
    return out.reset_index(drop=True)


@dataclass
class RobustnessPage:
    params: Params
    numbering: Numbering
    summary: dict[str, Any]
    curve: pd.DataFrame
    panel: pd.DataFrame
    choice_order: list[str]
    options: list[tuple[str, str]]
    default_key: str
    outcomes: pd.DataFrame
    logs: pd.DataFrame
    leave_one_out: pd.DataFrame
    placebo_in_time: pd.DataFrame
    unit: str
    numbers: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    def glue_values(self) -> dict[str, Any]:
        return {**self.numbers, **self.numbering.labels()}


def prepare(params: Params, records: Sequence[Mapping[str, Any]]) -> RobustnessPage:
    """The page from the sweep's recorded results (``records``) and the checks of the chosen outcome."""
    summary = summarise_specifications(records)
    alpha = float(summary["overall"]["alpha"])
    if params.outcome not in set(summary["by_outcome"]["outcome"]):
        raise ParameterError(f"the sweep's results hold no specification of {params.outcome!r}")
    curve, panel, order = curve_frames(summary)
    pairs = summary["by_outcome"][["outcome", "scale"]].itertuples(index=False)
    options = [(curve_key(o, s), curve_label(o, s)) for o, s in pairs]
    outcome = get_outcome(params.outcome)
    unit = text.unit_points(outcome.unit)
    default = default_record(records, params.outcome, "level")
    default_log = default_record(records, params.outcome, "log")
    checks = pilot_checks(
        {
            "outcome": params.outcome,
            **DEFAULT_CHOICES,
            "scale": "level",
            "n_placebo": params.n_placebo,
            "seed": params.seed,
        }
    )
    names = {code: timing.name_fi for code, timing in pilot_timing().items()}
    loo = checks["leave_one_out"].copy()
    loo["dropped"] = loo["dropped"].where(loo["dropped"].notna(), None)
    loo["name"] = [names.get(str(code), "") if code is not None else "" for code in loo["dropped"]]
    loo_labels = ["All pilot municipalities"] + [f"Without {name}" for name in loo["name"].iloc[1:]]
    pit = checks["placebo_in_time"]
    real_start = int(default["post_years"][0])
    timeline = pd.concat(
        [
            pd.DataFrame(
                [
                    {
                        "fake_start": real_start,
                        "estimate": default["estimate"],
                        "interval_low": default["interval_low"],
                        "interval_high": default["interval_high"],
                        "placebo_p": default["placebo_p"],
                    }
                ]
            ),
            pit[["fake_start", "estimate", "interval_low", "interval_high", "placebo_p"]],
        ],
        ignore_index=True,
    ).sort_values("fake_start", ignore_index=True)
    time_labels = [
        f"{start_label(outcome, int(year))} ({'real start' if int(year) == real_start else 'fake'})"
        for year in timeline["fake_start"]
    ]
    rows = text.outcome_rows(summary, params.outcome)
    level_row = rows[rows["scale"] == "level"].iloc[0]
    overall = summary["overall"]
    relative = {
        "estimate_relative_pct": relative_effect(default_log["estimate"]),
        "relative_low": relative_effect(default_log["interval_low"]),
        "relative_high": relative_effect(default_log["interval_high"]),
    }
    numbers = {
        "n_specifications": int(overall["n_specifications"]),
        "n_outcomes": int(overall["n_outcomes"]),
        "n_per_outcome": int(level_row["n"]) * len(rows),
        "n_pools": len(SPEC_COMPARISONS),
        "n_pre_periods": len(SPEC_PRE_PERIODS),
        "n_weightings": len(SPEC_WEIGHTINGS),
        "n_scales": len(SPEC_SCALES),
        "n_placebo": format_number(int(default["n_placebo"]), 0),
        "seed": int(default["seed"]),
        "alpha": format_number(alpha, 1),
        "outcome_label_lower": text.lower_first(outcome.label),
        "did_unit": unit,
        "n_fake_starts": len(pit),
        "outcome_source": OUTCOME_SOURCES.get(outcome.source_dataset, outcome.citation),
    }
    texts = {
        "overall_paragraph": text.overall_sentence(overall),
        "outcome_paragraphs": "\n\n".join(
            text.outcome_sentence(row, get_outcome(row["outcome"]).label, unit_of(row))
            for row in summary["by_outcome"].to_dict("records")
        ),
        "headline_paragraph": text.pilot_headline(summary, params.outcome, outcome.label, outcome.unit),
        "interval_paragraph": text.interval_sentence(default, unit),
        "leave_one_out_paragraph": text.leave_one_out_sentence(loo, unit),
        "placebo_in_time_paragraph": text.placebo_in_time_sentence(
            pit.assign(fake_start=[start_label(outcome, int(year)) for year in pit["fake_start"]]),
            {
                "start": start_label(outcome, real_start),
                "estimate": default["estimate"],
                "placebo_p": default["placebo_p"],
            },
            unit,
        ),
        "log_paragraph": text.log_sentence(level_log_pairs(records), outcome.label, relative),
    }
    return RobustnessPage(
        params=params,
        numbering=numbering(NAME, FIGURES, SECTIONS),
        summary=summary,
        curve=curve,
        panel=panel,
        choice_order=order,
        options=options,
        default_key=curve_key(params.outcome, "level"),
        outcomes=outcome_table(summary),
        logs=log_table(records),
        leave_one_out=_interval_frame(loo, loo_labels, alpha),
        placebo_in_time=_interval_frame(timeline, time_labels, alpha),
        unit=unit,
        numbers=numbers,
        texts=texts,
    )


def start_label(outcome: Any, t: int) -> str:
    """A start on the outcome's time index: the year, or the window of calendar years (Diak: 2017–2019)."""
    years = outcome.calendar_years(t)
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


def unit_of(row: Mapping[str, Any]) -> str:
    """The unit of a summary row's estimates."""
    return "log points" if row["scale"] == "log" else text.unit_points(get_outcome(str(row["outcome"])).unit)


def pilot_headline(records: Sequence[Mapping[str, Any]], outcome: str, lang: str = "en") -> str:
    """The pilot chapter's headline for ``outcome``: what survives across the sweep's specifications
    (``records`` as collected by ``helpers.book.sweep.collect(FAMILY)``), not the chapter's own run."""
    o = get_outcome(outcome)
    return text.pilot_headline(summarise_specifications(records), outcome, o.label, o.unit, lang)


def default_pilot_headline(records: Sequence[Mapping[str, Any]], lang: str = "en") -> str:
    """The headline for chapter 3's default outcome, as the introduction states it."""
    from helpers.chapters import pilot

    return pilot_headline(records, pilot.Params().outcome, lang)
