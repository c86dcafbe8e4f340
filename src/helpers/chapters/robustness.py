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
from helpers.charts import robustness as charts
from helpers.charts.robustness import placebo_word
from helpers.data.municipalities import name as municipality_name
from helpers.errors import ParameterError
from helpers.i18n import N_, _, checked_edition, translated
from helpers.text import format_number, nearest_names

NAME = "robustness"
EDITION_PARAMETER = "lang"  # the build runs this chapter once per edition
FAMILY = "pilot-specifications"  # the run plan's family whose recorded results this chapter reads
FIGURES = ("curve", "leave_one_out", "placebo_in_time")
SECTIONS = ("grid", "curve", "outcomes", "leave_one_out", "placebo_in_time", "logs", "caveats")
# The grid's default specification of an outcome (what leave-one-out and the placebo in time check).
DEFAULT_CHOICES = {"comparison": "all", "pre_period": "default", "weighting": "population"}

COMPARISON_LABELS = {
    "all": N_("all other municipalities"),
    "same_urban_rural_group": N_("same urban–rural group"),
    "same_region": N_("same region"),
    "size_band": N_("same population size band"),
    "matched_level": N_("matched on level and size"),
}
PRE_PERIOD_LABELS = {
    "long": N_("long (up to 8 years)"),
    "default": N_("the outcome's default"),
    "short": N_("last 2 years"),
    "last": N_("last year only"),
}
WEIGHTING_LABELS = {"population": N_("population-weighted"), "equal": N_("equal weights")}
SCALE_LABELS = {"level": N_("levels (points)"), "log": N_("logs (proportional)")}
DIMENSIONS = (
    ("comparison", N_("Comparison pool"), COMPARISON_LABELS, SPEC_COMPARISONS),
    ("pre_period", N_("Pre-period"), PRE_PERIOD_LABELS, SPEC_PRE_PERIODS),
    ("weighting", N_("Weighting"), WEIGHTING_LABELS, SPEC_WEIGHTINGS),
)
# The outcomes' sources in captions (English text = helpers.chapters.pilot_facts.OUTCOME_SOURCES;
# tests/test_robustness_chapter.py keeps the two in step).
OUTCOME_SOURCES = {
    "unemployment_monthly": N_(
        "Ministry of Economic Affairs and Employment, employment service statistics, via "
        "Statistics Finland's StatFin (CC BY 4.0)"
    ),
    "diak_indices": N_("Diak, municipal disadvantage indices (karttasovellus), from THL's Sotkanet (CC BY 4.0)"),
    "families_social_assistance": N_(
        "THL, Sotkanet.fi indicators 179 (families with children) and 423 (families with children receiving "
        "social assistance), 2021 municipal division (CC BY 4.0)"
    ),
}


@dataclass(frozen=True)
class Params:
    outcome: str = param(
        "diak_long_term_social_assistance_25_64",
        "outcome shown first on the curve and checked by leave-one-out and the placebo in time "
        "(the default: the pilot chapter's, closest to the pilot's aim)",
    )
    n_placebo: int = param(1000, "placebo groups of the leave-one-out and placebo-in-time checks")
    seed: int = param(2018, "random seed of those placebo draws")
    lang: str = param("en", "edition language of the page's generated text and number formats: en, fi or sv")


def validate(given: Mapping[str, Any]) -> Params:
    values = typed_values(Params, given)
    values["lang"] = checked_edition(values["lang"])
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


def scale_unit(outcome: str, scale: str, lang: str = "en") -> str:
    """The unit of an outcome's estimates on a scale: log points, or the level's points."""
    if scale == "log":
        return translated(text.LOG_POINTS, lang)
    return text.unit_points(get_outcome(outcome).unit, lang)


def curve_label(outcome: str, scale: str, lang: str = "en") -> str:
    label, unit = text.outcome_label(outcome, lang), scale_unit(outcome, scale, lang)
    if scale == "log":
        return _("{label}, in logs ({unit})", lang, label=label, unit=unit)
    return _("{label}, in levels ({unit})", lang, label=label, unit=unit)


def _placebo_word(p: pd.Series, alpha: float, lang: str = "en") -> pd.Series:
    return p.astype(float).map(lambda value: placebo_word(value < alpha, lang))


def _choice(title: str, label: str, lang: str) -> str:
    return _("{dimension}: {choice}", lang, dimension=translated(title, lang), choice=translated(label, lang))


def curve_frames(summary: Mapping[str, Any], lang: str = "en") -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The curve (one row per specification) and its panel (one row per specification and choice)."""
    alpha = float(summary["overall"]["alpha"])
    curve = summary["curve"].copy()
    units = {
        (o, s): scale_unit(o, s, lang) for o, s in curve[["outcome", "scale"]].drop_duplicates().itertuples(index=False)
    }
    curve["key"] = [curve_key(o, s) for o, s in zip(curve["outcome"], curve["scale"])]
    curve["unit"] = [units[(o, s)] for o, s in zip(curve["outcome"], curve["scale"])]
    curve["placebo"] = _placebo_word(curve["placebo_p"], alpha, lang)
    panel_rows = []
    order = []
    for column, title, labels, values in DIMENSIONS:
        order += [_choice(title, labels[value], lang) for value in values]
        for row in curve.itertuples(index=False):
            panel_rows.append(
                {
                    "key": row.key,
                    "rank": row.rank,
                    "dimension": translated(title, lang),
                    "choice": _choice(title, labels[getattr(row, column)], lang),
                    "placebo": row.placebo,
                }
            )
    columns = ["key", "rank", "estimate", "interval_low", "interval_high", "placebo_p", "placebo", "spec_id", "unit"]
    return curve[columns], pd.DataFrame(panel_rows), order


def outcome_table(summary: Mapping[str, Any], lang: str = "en") -> pd.DataFrame:
    """Per outcome and scale: count, signs, placebo p below alpha, median and range."""
    rows = summary["by_outcome"]
    alpha = format_number(float(summary["overall"]["alpha"]), 1, lang=lang)
    return pd.DataFrame(
        {
            _("Outcome", lang): [text.outcome_label(o, lang) for o in rows["outcome"]],
            _("Scale", lang): [translated(SCALE_LABELS[s], lang) for s in rows["scale"]],
            _("Specifications", lang): rows["n"],
            _("Negative (%)", lang): 100 * rows["share_negative"],
            _("Positive (%)", lang): 100 * rows["share_positive"],
            _("Placebo p < {alpha} (%)", lang, alpha=alpha): 100 * rows["share_placebo_p_below"],
            _("Median", lang): rows["median_estimate"],
            _("Lowest", lang): rows["min_estimate"],
            _("Highest", lang): rows["max_estimate"],
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


def log_table(records: Sequence[Mapping[str, Any]], lang: str = "en") -> pd.DataFrame:
    """Each outcome's default specification in levels and in logs (as a relative effect)."""

    def interval(low: float, high: float, digits: int) -> str:
        return text.span(
            format_number(low, digits, signed=True, lang=lang),
            format_number(high, digits, signed=True, lang=lang),
            lang,
        )

    rows = []
    for outcome in dict.fromkeys(record["outcome"] for record in records):
        level, log = default_record(records, outcome, "level"), default_record(records, outcome, "log")
        rows.append(
            {
                _("Outcome", lang): text.outcome_label(outcome, lang),
                _("Level estimate", lang): level["estimate"],
                _("Unit", lang): scale_unit(outcome, "level", lang),
                _("Level interval", lang): interval(level["interval_low"], level["interval_high"], 2),
                _("Level placebo p", lang): level["placebo_p"],
                _("Relative effect (%)", lang): relative_effect(log["estimate"]),
                _("Relative interval (%)", lang): interval(
                    relative_effect(log["interval_low"]), relative_effect(log["interval_high"]), 1
                ),
                _("Log placebo p", lang): log["placebo_p"],
            }
        )
    return pd.DataFrame(rows)


def level_log_pairs(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Each specification in levels beside its twin in logs (same outcome, pool, pre-period, weighting)."""
    frame = pd.DataFrame([dict(r) for r in records])
    frame["twin"] = frame["outcome"] + "|" + frame["comparison"] + "|" + frame["pre_period"] + "|" + frame["weighting"]
    wide = frame.pivot(index="twin", columns="scale", values="estimate")
    return wide.dropna().reset_index()


def _interval_frame(frame: pd.DataFrame, labels: list[str], alpha: float, lang: str) -> pd.DataFrame:
    out = frame[["estimate", "interval_low", "interval_high", "placebo_p"]].copy()
    out["label"] = labels
    out["placebo"] = _placebo_word(out["placebo_p"], alpha, lang)
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

    @property
    def lang(self) -> str:
        return self.params.lang

    @property
    def default_label(self) -> str:
        """The label of the curve's first outcome and scale (the dropdown's default)."""
        return dict(self.options)[self.default_key]

    @property
    def curve_caption(self) -> str:
        return _(
            "Specification curve: {label} first; each dot is one specification's difference-in-differences "
            "estimate, each bar its placebo interval. Source: THL Sotkanet, StatFin, Diak; the book's sweep of "
            "notebooks/pilot_spec.ipynb.",
            self.lang,
            label=text.lower_first(self.default_label),
        )

    @property
    def curve_summary_rows(self) -> pd.DataFrame:
        rows = self.summary["by_outcome"]
        return rows[(rows["outcome"] == self.params.outcome) & (rows["scale"] == "level")]

    @property
    def outcomes_caption(self) -> str:
        return _(
            "Specifications by outcome and scale: shares by sign and with placebo p below {alpha} (%), median, "
            "lowest and highest estimate (points in levels, log points in logs).",
            self.lang,
            alpha=self.numbers["alpha"],
        )

    @property
    def logs_caption(self) -> str:
        return _(
            "Each outcome's default specification in levels and in logs (relative effect in per cent), with "
            "placebo intervals and placebo p.",
            self.lang,
        )

    @property
    def estimate_axis_title(self) -> str:
        return _("Estimate ({unit})", self.lang, unit=self.unit)

    @property
    def leave_one_out_caption(self) -> str:
        return _(
            "Leave one out, {outcome}: the default specification's estimate with every pilot municipality and "
            "without each one in turn, with placebo intervals. Source: {source}; the book's calculations.",
            self.lang,
            outcome=self.numbers["outcome_label_lower"],
            source=self.numbers["outcome_source"],
        )

    def curve_chart(self):
        """Figure: the specification curve and its panel, the chosen outcome in levels first."""
        return charts.specification_curve_chart(
            self.curve, self.panel, self.options, self.choice_order, self.default_key, self.lang
        )

    @property
    def curve_alt_text(self) -> str:
        return charts.specification_curve_alt_text(self.curve_summary_rows, self.default_label, self.lang)

    def leave_one_out_chart(self):
        return charts.estimate_interval_chart(
            self.leave_one_out,
            title=_("Leave one out: the estimate without each pilot municipality", self.lang),
            subtitle=_("dashed line: all pilot municipalities; bars: placebo intervals", self.lang),
            y_title="",
            x_title=self.estimate_axis_title,
            reference=float(self.leave_one_out["estimate"].iloc[0]),
            lang=self.lang,
        )

    @property
    def leave_one_out_alt_text(self) -> str:
        what = _("one per left-out municipality", self.lang)
        return charts.estimate_interval_alt_text(self.leave_one_out, what, self.unit, self.lang)

    def placebo_in_time_chart(self):
        return charts.estimate_interval_chart(
            self.placebo_in_time,
            title=_("Placebo in time: the same design with fake start years", self.lang),
            subtitle=_("the real start and every fake one; bars: placebo intervals", self.lang),
            y_title=_("Start year", self.lang),
            x_title=self.estimate_axis_title,
            lang=self.lang,
        )

    @property
    def placebo_in_time_alt_text(self) -> str:
        what = _("one per start", self.lang)
        return charts.estimate_interval_alt_text(self.placebo_in_time, what, self.unit, self.lang)

    @property
    def placebo_in_time_caption(self) -> str:
        return _(
            "Placebo in time, {outcome}: the default specification with the pilot's start moved back, one year at "
            "a time, beside the real start. Source: {source}; the book's calculations.",
            self.lang,
            outcome=self.numbers["outcome_label_lower"],
            source=self.numbers["outcome_source"],
        )


def prepare(params: Params, records: Sequence[Mapping[str, Any]]) -> RobustnessPage:
    """The page from the sweep's recorded results (``records``) and the checks of the chosen outcome."""
    summary = summarise_specifications(records)
    alpha = float(summary["overall"]["alpha"])
    if params.outcome not in set(summary["by_outcome"]["outcome"]):
        raise ParameterError(f"the sweep's results hold no specification of {params.outcome!r}")
    lang = params.lang
    curve, panel, order = curve_frames(summary, lang)
    pairs = summary["by_outcome"][["outcome", "scale"]].itertuples(index=False)
    options = [(curve_key(o, s), curve_label(o, s, lang)) for o, s in pairs]
    outcome = get_outcome(params.outcome)
    label = text.outcome_label(params.outcome, lang)
    unit = scale_unit(params.outcome, "level", lang)
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
    pilot_codes = set(pilot_timing())
    loo = checks["leave_one_out"].copy()
    loo["dropped"] = loo["dropped"].where(loo["dropped"].notna(), None)
    loo["name"] = [
        municipality_name(str(code), lang=lang) if code is not None and str(code) in pilot_codes else ""
        for code in loo["dropped"]
    ]
    loo_labels = [_("All pilot municipalities", lang)] + [
        _("Without {name}", lang, name=name) for name in loo["name"].iloc[1:]
    ]
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
        _("{start} (real start)", lang, start=start_label(outcome, int(year)))
        if int(year) == real_start
        else _("{start} (fake)", lang, start=start_label(outcome, int(year)))
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
        "n_placebo": format_number(int(default["n_placebo"]), 0, lang=lang),
        "seed": int(default["seed"]),
        "alpha": format_number(alpha, 1, lang=lang),
        "outcome_label_lower": text.lower_first(label),
        "did_unit": unit,
        "n_fake_starts": len(pit),
        "outcome_source": translated(OUTCOME_SOURCES[outcome.source_dataset], lang)
        if outcome.source_dataset in OUTCOME_SOURCES
        else outcome.citation,
    }
    texts = {
        "overall_paragraph": text.overall_sentence(overall, lang),
        "outcome_paragraphs": "\n\n".join(
            text.outcome_sentence(row, text.outcome_label(row["outcome"], lang), unit_of(row, lang), lang)
            for row in summary["by_outcome"].to_dict("records")
        ),
        "headline_paragraph": text.pilot_headline(summary, params.outcome, label, outcome.unit, lang),
        "interval_paragraph": text.interval_sentence(default, unit, lang),
        "leave_one_out_paragraph": text.leave_one_out_sentence(loo, unit, lang),
        "placebo_in_time_paragraph": text.placebo_in_time_sentence(
            pit.assign(fake_start=[start_label(outcome, int(year)) for year in pit["fake_start"]]),
            {
                "start": start_label(outcome, real_start),
                "estimate": default["estimate"],
                "placebo_p": default["placebo_p"],
            },
            unit,
            lang,
        ),
        "log_paragraph": text.log_sentence(level_log_pairs(records), label, relative, lang),
    }
    return RobustnessPage(
        params=params,
        numbering=numbering(NAME, FIGURES, SECTIONS, lang=lang),
        summary=summary,
        curve=curve,
        panel=panel,
        choice_order=order,
        options=options,
        default_key=curve_key(params.outcome, "level"),
        outcomes=outcome_table(summary, lang),
        logs=log_table(records, lang),
        leave_one_out=_interval_frame(loo, loo_labels, alpha, lang),
        placebo_in_time=_interval_frame(timeline, time_labels, alpha, lang),
        unit=unit,
        numbers=numbers,
        texts=texts,
    )


def start_label(outcome: Any, t: int) -> str:
    """A start on the outcome's time index: the year, or the window of calendar years (Diak: 2017–2019)."""
    years = outcome.calendar_years(t)
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


def unit_of(row: Mapping[str, Any], lang: str = "en") -> str:
    """The unit of a summary row's estimates."""
    return scale_unit(str(row["outcome"]), str(row["scale"]), lang)


def pilot_headline(records: Sequence[Mapping[str, Any]], outcome: str, lang: str = "en") -> str:
    """The pilot chapter's headline for ``outcome``: what survives across the sweep's specifications
    (``records`` as collected by ``helpers.book.sweep.collect(FAMILY)``), not the chapter's own run."""
    return text.pilot_headline(
        summarise_specifications(records), outcome, text.outcome_label(outcome, lang), get_outcome(outcome).unit, lang
    )


def default_pilot_headline(records: Sequence[Mapping[str, Any]], lang: str = "en") -> str:
    """The headline for chapter 3's default outcome, as the introduction states it."""
    from helpers.chapters import pilot

    return pilot_headline(records, pilot.Params().outcome, lang)
