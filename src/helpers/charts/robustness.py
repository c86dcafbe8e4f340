"""Charts of the robustness chapter: the specification curve with its panel, leave-one-out and the
placebo in time. Frames in, Altair out; the frames come from ``helpers.chapters.robustness``."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from helpers.charts.pilot import GREY, _require, _title
from helpers.charts.style import CHART_HEIGHT, COMPARISON_COLOUR, NATIONAL_COLOUR, OKABE_ITO, layer
from helpers.i18n import N_, _, translated
from helpers.text import format_number

CURVE_COLUMNS = (
    "key",
    "rank",
    "estimate",
    "interval_low",
    "interval_high",
    "placebo_p",
    "placebo",
    "spec_id",
    "unit",
)
PANEL_COLUMNS = ("key", "rank", "dimension", "choice", "placebo")
# Narrower than the book's usual charts: the panel's row labels and the interval charts' labels sit
# beside the plot, and the whole must fit the page's text column.
PLOT_WIDTH = 470
DISTINGUISHABLE = N_("placebo p < 0.1")
NOT_DISTINGUISHABLE = N_("placebo p ≥ 0.1")


def placebo_word(distinguishable: bool, lang: str = "en") -> str:
    """The legend's word for an estimate whose placebo p is (or is not) below 0.1, in ``lang``."""
    return translated(DISTINGUISHABLE if distinguishable else NOT_DISTINGUISHABLE, lang)


def placebo_scale(lang: str = "en") -> alt.Scale:
    """Estimates that stand out from placebo groups in colour, the others grey."""
    return alt.Scale(
        domain=[placebo_word(True, lang), placebo_word(False, lang)], range=[OKABE_ITO["vermillion"], GREY]
    )


def _interval_tooltips(lang: str) -> list[alt.Tooltip]:
    return [
        alt.Tooltip("estimate:Q", title=_("Estimate", lang), format=",.3f"),
        alt.Tooltip("interval_low:Q", title=_("Placebo interval from", lang), format=",.3f"),
        alt.Tooltip("interval_high:Q", title=_("to", lang), format=",.3f"),
        alt.Tooltip("placebo_p:Q", title=_("Placebo p", lang), format=".3f"),
    ]


def specification_curve_chart(
    curve: pd.DataFrame,
    panel: pd.DataFrame,
    options: Sequence[tuple[str, str]],
    choice_order: Sequence[str],
    default_key: str,
    lang: str = "en",
) -> alt.VConcatChart:
    """Estimates sorted within one outcome and scale (chosen in a dropdown), each with its placebo
    interval; below, the choices each specification makes (one row per choice).

    ``options``: (key, label) of every outcome and scale; ``choice_order``: the panel's rows, top down.
    """
    data = _require(curve, CURVE_COLUMNS, "specification_curve_chart")
    rows = _require(panel, PANEL_COLUMNS, "specification_curve_chart")
    keys = [key for key, _label in options]
    if default_key not in keys:
        raise ValueError(f"default_key {default_key!r} is not among the options {keys}")
    pick = alt.param(
        name="curve_outcome",
        value=default_key,
        bind=alt.binding_select(
            options=keys, labels=[label for _key, label in options], name=_("Outcome and scale", lang) + " "
        ),
    )
    chosen = alt.datum.key == pick
    x = alt.X("rank:Q", title=None, axis=alt.Axis(labels=False, ticks=False, grid=False))
    colour = alt.Color("placebo:N", scale=placebo_scale(lang), legend=alt.Legend(title=None, orient="top"))
    tooltip = [
        alt.Tooltip("spec_id:N", title=_("Specification", lang)),
        *_interval_tooltips(lang),
        alt.Tooltip("unit:N", title=_("Unit", lang)),
    ]
    top = layer(
        alt.Chart(data).mark_rule(color=NATIONAL_COLOUR, strokeWidth=1).encode(y=alt.datum(0)),
        alt.Chart(data)
        .mark_rule(strokeWidth=1.5, opacity=0.6)
        .encode(
            x=x,
            y=alt.Y("interval_low:Q", title=_("Estimate (unit: see tooltip)", lang)),
            y2="interval_high:Q",
            color=colour,
        ),
        alt.Chart(data)
        .mark_point(filled=True, size=40, opacity=1)
        .encode(x=x, y=alt.Y("estimate:Q"), color=colour, tooltip=tooltip),
    ).transform_filter(chosen)
    top = top.properties(
        width=PLOT_WIDTH,
        height=CHART_HEIGHT,
        title=_title(
            _("Specification curve: every estimate, sorted, with its placebo interval", lang),
            [
                _("bars: the effects the placebo test does not reject at 0.1;", lang),
                _("below: the choices of each specification", lang),
            ],
        ),
    )
    bottom = (
        alt.Chart(rows)
        .mark_square(size=30)
        .encode(
            x=alt.X("rank:Q", title=_("Specifications, sorted by estimate", lang)),
            y=alt.Y("choice:N", sort=list(choice_order), title=None, axis=alt.Axis(labelLimit=260)),
            color=alt.Color("placebo:N", scale=placebo_scale(lang), legend=None),
            tooltip=[
                alt.Tooltip("dimension:N", title=_("Choice", lang)),
                alt.Tooltip("choice:N", title=_("Value", lang)),
            ],
        )
        .transform_filter(chosen)
        .properties(width=PLOT_WIDTH, height=14 * len(choice_order))
    )
    return alt.vconcat(top, bottom, spacing=6).add_params(pick).properties(background="white")


def specification_curve_alt_text(summary_rows: pd.DataFrame, default_label: str, lang: str = "en") -> str:
    """What the curve shows, with the range of the chosen outcome's estimates."""
    row = summary_rows.iloc[0]
    return _(
        "Dot plot of the {n} estimates for {label}, sorted from the lowest to the highest, each with a vertical "
        "bar for its placebo interval; the estimates run from {low} to {high} (median {median}). Estimates with a "
        "placebo p below {alpha} are coloured. Below, a grid of squares marks which comparison pool, pre-period "
        "and weighting each estimate uses. A dropdown switches to the other outcomes and to the log scale.",
        lang,
        n=format_number(int(row["n"]), 0, lang=lang),
        label=default_label[:1].lower() + default_label[1:],
        low=format_number(row["min_estimate"], 2, signed=True, lang=lang),
        high=format_number(row["max_estimate"], 2, signed=True, lang=lang),
        median=format_number(row["median_estimate"], 2, signed=True, lang=lang),
        alpha=format_number(0.1, 1, lang=lang),
    )


LOO_COLUMNS = ("label", "estimate", "interval_low", "interval_high", "placebo_p", "placebo", "order")


def estimate_interval_chart(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    y_title: str,
    x_title: str,
    reference: float | None = None,
    lang: str = "en",
) -> alt.LayerChart:
    """Horizontal estimates with placebo intervals, one row each (leave-one-out, placebo in time)."""
    data = _require(frame, LOO_COLUMNS, "estimate_interval_chart")
    y = alt.Y("label:N", sort=alt.SortField("order"), title=y_title, axis=alt.Axis(labelLimit=260))
    colour = alt.Color("placebo:N", scale=placebo_scale(lang), legend=alt.Legend(title=None, orient="bottom"))
    layers = [alt.Chart(data).mark_rule(color=NATIONAL_COLOUR, strokeWidth=1).encode(x=alt.datum(0))]
    if reference is not None:
        layers.append(
            alt.Chart(data).mark_rule(color=COMPARISON_COLOUR, strokeDash=[4, 3]).encode(x=alt.datum(reference))
        )
    layers += [
        alt.Chart(data)
        .mark_rule(strokeWidth=2, opacity=0.6)
        .encode(y=y, x=alt.X("interval_low:Q", title=x_title), x2="interval_high:Q", color=colour),
        alt.Chart(data)
        .mark_point(filled=True, size=70, opacity=1)
        .encode(
            y=y,
            x=alt.X("estimate:Q"),
            color=colour,
            tooltip=[alt.Tooltip("label:N", title=y_title or _("Run", lang)), *_interval_tooltips(lang)],
        ),
    ]
    return layer(*layers).properties(
        width=PLOT_WIDTH, height=28 * len(data), background="white", title=_title(title, subtitle)
    )


def estimate_interval_alt_text(frame: pd.DataFrame, what: str, unit: str, lang: str = "en") -> str:
    """One clause per row: label, estimate and interval (``what`` and ``unit`` already in ``lang``)."""
    rows = frame.sort_values("order")
    parts = [
        _(
            "{label}: {estimate} ({low} to {high})",
            lang,
            label=label,
            estimate=format_number(estimate, 2, signed=True, lang=lang),
            low=format_number(low, 2, signed=True, lang=lang),
            high=format_number(high, 2, signed=True, lang=lang),
        )
        for label, estimate, low, high in zip(
            rows["label"],
            rows["estimate"].astype(float),
            rows["interval_low"].astype(float),
            rows["interval_high"].astype(float),
        )
    ]
    return _(
        "Dots with horizontal interval bars, {what}, in {unit}: {rows}.",
        lang,
        what=what,
        unit=unit,
        rows="; ".join(parts),
    )
