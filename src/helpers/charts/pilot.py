"""Charts of the pilot chapter: timeline, 2019 context and Kela's notifications; the estimates' charts
(trends, event study, placebo) are in ``pilot_estimates`` and re-exported here.

Every builder takes plain DataFrames (the frames ``helpers.chapters.pilot_report`` prepares, or
synthetic frames in tests) with only the columns it draws, and returns an Altair chart with a
white background. Pilot municipalities keep their fixed colours (``style.PILOT_COLOURS``); the
pilot group and the comparison group use ``PILOT_GROUP_COLOUR`` and ``COMPARISON_COLOUR``. Every
param is named, so specs are deterministic. Each builder has an ``*_alt_text`` companion that
says what the chart shows, numbers included.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

import altair as alt
import pandas as pd

from helpers.charts.style import (
    CHART_WIDTH,
    CONTEXT_COLOUR,
    NATIONAL_COLOUR,
    OKABE_ITO,
    PILOT_COLOURS,
    layer,
)
from helpers.i18n import _
from helpers.text import format_number, format_percent

GREY = OKABE_ITO["grey"]
PRE_SHADE = GREY
POST_SHADE = OKABE_ITO["orange"]
PILOT_GROUP_LABEL = "Pilot municipalities"
COMPARISON_LABEL = "Comparison group"
TIMELINE_DOMAIN = ("2017-10-01", "2020-01-31")
CONTEXT_PARAM = "pilot_context_indicator"


def _title(text: str, subtitle: str | Sequence[str] | None = None) -> alt.TitleParams:
    if subtitle:
        return alt.TitleParams(text=text, subtitle=subtitle, anchor="start")
    return alt.TitleParams(text=text, anchor="start")


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> pd.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} needs columns {list(columns)}; missing {missing}")
    return frame[list(columns)].copy()


# --------------------------------------------------------------------------- timeline


TIMELINE_COLUMNS = ("municipality_code", "label", "start", "end", "end_exclusive", "period_label", "in_analysis")


def participation_by_year(
    timeline: pd.DataFrame, years: Sequence[int] = (2018, 2019), lang: str = "en"
) -> pd.DataFrame:
    """How many municipalities took part in each full calendar year (for the year bands)."""
    rows = []
    for year in years:
        inside = (timeline["start"] <= f"{year}-01-01") & (timeline["end"] >= f"{year}-12-31")
        n = int(inside.sum())
        rows.append(
            {
                "start": f"{year}-01-01",
                "end": f"{year + 1}-01-01",
                "text": _("{year}: {n} municipalities", lang, year=year, n=n),
            }
        )
    return pd.DataFrame(rows)


def timeline_chart(timeline: pd.DataFrame, milestones: pd.DataFrame | None = None, lang: str = "en") -> alt.LayerChart:
    """Gantt-style bars: each pilot municipality's participation, Nov 2017 – Dec 2019.

    ``timeline``: municipality_code, label, start, end, end_exclusive (ISO dates), period_label,
    in_analysis (bool: municipalities outside this run's analysis are faded).
    ``milestones``: date, event (vertical rules with a label), optional.
    """
    data = _require(timeline, TIMELINE_COLUMNS, "timeline_chart")
    data["end_label"] = data["end"]
    order = list(data["label"])
    colours = [PILOT_COLOURS.get(c, GREY) for c in data["municipality_code"]]
    data = data.drop(columns=["municipality_code", "end"])
    x_scale = alt.Scale(type="utc", domain=list(TIMELINE_DOMAIN))
    x_axis = alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 3}, labelAngle=0, grid=True)
    years = participation_by_year(timeline, lang=lang)
    bands = (
        alt.Chart(years)
        .mark_rect(opacity=0.08, color=GREY)
        .encode(x=alt.X("start:T", scale=x_scale, axis=x_axis, title=None), x2="end:T")
    )
    band_text = (
        alt.Chart(years)
        .mark_text(align="left", baseline="top", dx=4, dy=-16, fontSize=11, color="#000000")
        .encode(x=alt.X("start:T", scale=x_scale), y=alt.value(0), text="text:N")
    )
    bars = (
        alt.Chart(data)
        .mark_bar(height=18, cornerRadius=2)
        .encode(
            x=alt.X("start:T", scale=x_scale, axis=x_axis, title=None),
            x2="end_exclusive:T",
            y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
            color=alt.Color(
                "label:N",
                scale=alt.Scale(domain=order, range=colours),
                legend=None,
            ),
            opacity=alt.condition(alt.datum.in_analysis, alt.value(1.0), alt.value(0.3)),
            tooltip=[
                alt.Tooltip("label:N", title=_("Municipality", lang)),
                alt.Tooltip("period_label:N", title=_("Took part", lang)),
            ],
        )
    )
    layers = [bands, band_text, bars]
    height = 30 * len(order) + 20
    if milestones is not None and len(milestones):
        events = _require(milestones, ("date", "event"), "timeline_chart milestones")
        layers.append(
            alt.Chart(events)
            .mark_rule(strokeDash=[4, 3], color=NATIONAL_COLOUR)
            .encode(x=alt.X("date:T", scale=x_scale), tooltip=[alt.Tooltip("event:N", title=_("Event", lang))])
        )
        layers.append(
            alt.Chart(events)
            .mark_text(align="center", baseline="top", fontSize=11, color=NATIONAL_COLOUR)
            .encode(x=alt.X("date:T", scale=x_scale), y=alt.value(height + 24), text="event:N")
        )
    return layer(*layers).properties(
        width=CHART_WIDTH - 200,
        height=height,
        background="white",
        title=_title(
            _("Participation in the pilot, November 2017 – December 2019", lang),
            _("Bars: each municipality's pilot period; shaded: the pilot's two calendar years", lang),
        ),
    )


def timeline_alt_text(timeline: pd.DataFrame, lang: str = "en") -> str:
    parts = [f"{r.label}: {r.period_label}" for r in timeline.itertuples()]
    faded = [str(r.label) for r in timeline.itertuples() if not r.in_analysis]
    text = (
        _("Horizontal bars on a time axis from late 2017 to the end of 2019, one per pilot municipality.", lang)
        + " "
        + "; ".join(parts)
        + ". "
        + _("A dashed line marks 10 December 2018, when funding was extended to the end of 2019.", lang)
    )
    if faded:
        text += " " + _("Faded (not in this run's analysis): {names}.", lang, names=", ".join(faded))
    return text


# --------------------------------------------------------------------------- 2019 context


CONTEXT_VALUE_COLUMNS = ("label", "municipality", "value", "pilot", "jitter")
CONTEXT_SUMMARY_COLUMNS = ("label", "min", "q1", "median", "q3", "max", "national", "national_label")


def context_summary(context: pd.DataFrame, national: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator: the spread over all municipalities and the computed national figure."""
    spread = context.drop_duplicates("indicator_id")[["indicator_id", "min", "q1", "median", "q3", "max"]]
    out = national.merge(spread, on="indicator_id", how="left")
    return out[list(CONTEXT_SUMMARY_COLUMNS)].reset_index(drop=True)


def context_strip_chart(
    values: pd.DataFrame,
    summary: pd.DataFrame,
    pilots: Mapping[str, str],
    initial_label: str | None = None,
    lang: str = "en",
) -> alt.LayerChart:
    """All municipalities as grey dots, the pilot municipalities in their colours, one indicator
    at a time (dropdown ``pilot_context_indicator``); a box from the lower to the upper quartile
    with the median, whiskers to the extremes, and the population-weighted national figure.

    ``values``: label, municipality, value, pilot (bilingual name of a highlighted pilot
    municipality, '' otherwise), jitter (vertical offset in [-1, 1]). ``summary``: see
    :func:`context_summary`. ``pilots``: municipality code -> the name used in ``pilot``
    (legend order); each gets its fixed colour from ``style.PILOT_COLOURS``.
    """
    data = _require(values, CONTEXT_VALUE_COLUMNS, "context_strip_chart")
    spread = _require(summary, CONTEXT_SUMMARY_COLUMNS, "context_strip_chart summary")
    labels = list(dict.fromkeys(spread["label"]))
    # Rows carry a small indicator number instead of the long label: ~1,200 rows stay light.
    label_keys = {label: index for index, label in enumerate(labels)}
    # One row per municipality (values of all indicators side by side, folded back in the browser),
    # so a name is sent once, not once per indicator.
    data = data.assign(k=data["label"].map(label_keys))
    jitter = data.groupby("municipality", sort=True)["jitter"].first().round(3)
    wide = data.pivot_table(index=["municipality", "pilot"], columns="k", values="value", aggfunc="first")
    wide.columns = [f"v{key}" for key in wide.columns]
    wide = wide.reset_index()
    wide["jitter"] = wide["municipality"].map(jitter)
    value_columns: list[str | alt.FieldName] = [
        f"v{key}" for key in sorted(label_keys.values()) if f"v{key}" in wide.columns
    ]
    spread = spread.assign(k=spread["label"].map(label_keys))
    chosen = alt.param(
        name=CONTEXT_PARAM,
        value=label_keys[initial_label] if initial_label else 0,
        bind=alt.binding_select(options=list(label_keys.values()), labels=labels, name=_("Indicator (2019): ", lang)),
    )
    keep = alt.datum.k == chosen
    y = alt.Y("jitter:Q", scale=alt.Scale(domain=[-1.6, 1.6]), axis=None, title=None)
    x_title = _("Value in 2019 (unit as in the indicator's name)", lang)
    box = (
        alt.Chart(spread)
        .mark_rect(color=CONTEXT_COLOUR, opacity=0.45)
        .encode(x=alt.X("q1:Q", title=x_title), x2="q3:Q", y=alt.YDatum(-0.45, axis=None), y2=alt.datum(0.45))
        .transform_filter(keep)
    )
    whisker = (
        alt.Chart(spread)
        .mark_rule(color=GREY)
        .encode(x="min:Q", x2="max:Q", y=alt.YDatum(0, axis=None))
        .transform_filter(keep)
    )
    median = (
        alt.Chart(spread)
        .mark_rule(color=NATIONAL_COLOUR, strokeWidth=2)
        .encode(
            x="median:Q",
            y=alt.YDatum(-0.45, axis=None),
            y2=alt.datum(0.45),
            tooltip=[alt.Tooltip("median:Q", title=_("Median municipality", lang), format=",.1f")],
        )
        .transform_filter(keep)
    )

    def folded() -> alt.Chart:
        return (
            alt.Chart(wide)
            .transform_fold(value_columns, as_=["key", "value"])
            .transform_calculate(k="toNumber(substring(datum.key, 1))")
            .transform_filter("isValid(datum.value)")
        )

    others = (
        folded()
        .mark_circle(size=22, color=GREY, opacity=0.55)
        .encode(
            x=alt.X("value:Q", title=x_title),
            y=y,
            tooltip=[
                alt.Tooltip("municipality:N", title=_("Municipality", lang)),
                alt.Tooltip("value:Q", title=_("Value", lang), format=",.1f"),
            ],
        )
        .transform_filter(keep)
        .transform_filter(alt.datum.pilot == "")
    )
    names = list(pilots.values())
    colours = [PILOT_COLOURS.get(code, GREY) for code in pilots]
    pilot_points = (
        folded()
        .mark_point(size=150, filled=True, stroke=NATIONAL_COLOUR, strokeWidth=1, opacity=1)
        .encode(
            x="value:Q",
            y=y,
            color=alt.Color(
                "pilot:N",
                scale=alt.Scale(domain=names, range=colours),
                legend=alt.Legend(title=_("Pilot municipality", lang), orient="bottom", columns=3),
            ),
            shape=alt.Shape("pilot:N", scale=alt.Scale(domain=names), legend=None),
            tooltip=[
                alt.Tooltip("pilot:N", title=_("Pilot municipality", lang)),
                alt.Tooltip("value:Q", title=_("Value", lang), format=",.1f"),
            ],
        )
        .transform_filter(keep)
        .transform_filter(alt.datum.pilot != "")
    )
    national = (
        alt.Chart(spread)
        .mark_rule(color=NATIONAL_COLOUR, strokeDash=[5, 3], strokeWidth=1.5)
        .encode(
            x="national:Q",
            tooltip=[alt.Tooltip("national_label:N", title=_("National figure", lang))],
        )
        .transform_filter(keep)
    )
    national_text = (
        alt.Chart(spread)
        .mark_text(align="right", baseline="top", dx=-4, dy=2, fontSize=11, color=NATIONAL_COLOUR)
        .encode(x="national:Q", y=alt.value(0), text="national_label:N")
        .transform_filter(keep)
    )
    return (
        layer(box, whisker, median, others, national, national_text, pilot_points)
        .add_params(chosen)
        .properties(
            width=CHART_WIDTH - 160,
            height=220,
            background="white",
            title=_title(
                _("The pilot municipalities among all municipalities, 2019", lang),
                [
                    _("Grey dots: every municipality; grey box: the middle half; black tick: the median;", lang),
                    _("dashed line: national figure, population-weighted, computed from municipal values", lang),
                ],
            ),
        )
    )


def context_alt_text(
    summary: pd.DataFrame, values: pd.DataFrame, initial_label: str | None = None, lang: str = "en"
) -> str:
    label = initial_label or str(summary["label"].iloc[0])
    row = summary[summary["label"] == label].iloc[0]
    chosen = values[(values["label"] == label) & (values["pilot"] != "")].sort_values("value", ascending=False)
    n_all = int((values["label"] == label).sum())
    pilots = ", ".join(f"{r.pilot} {format_number(cast(float, r.value), 1, lang=lang)}" for r in chosen.itertuples())
    return _(
        "Dot plot of {n} municipalities for the indicator chosen in a dropdown (shown first: {label}). "
        "Municipal values range from {low} to {high}, median {median}; "
        "the population-weighted national figure computed from municipal values is {national}. "
        "Pilot municipalities, highlighted: {pilots}.",
        lang,
        n=n_all,
        label=label,
        low=format_number(row["min"], 1, lang=lang),
        high=format_number(row["max"], 1, lang=lang),
        median=format_number(row["median"], 1, lang=lang),
        national=format_number(row["national"], 1, lang=lang),
        pilots=pilots,
    )


# --------------------------------------------------------------------------- Kela notifications


NOTIFICATION_COLOURS = (OKABE_ITO["blue"], OKABE_ITO["bluish_green"])


def kela_notifications_chart(notifications: pd.DataFrame, lang: str = "en") -> alt.VConcatChart:
    """Kela's notifications to municipal social work (pilot-era study): the shares as published,
    one panel per distribution, on a 0–100 % axis so the unpublished remainder stays visible.

    ``notifications``: panel, category, share_pct, share_label, published_total_pct, source.
    """
    data = _require(
        notifications,
        ("panel", "category", "share_pct", "share_label", "published_total_pct", "source"),
        "kela_notifications_chart",
    )
    panels = list(dict.fromkeys(data["panel"]))
    x = alt.X(
        "share_pct:Q",
        title=_("Share of the notifications in the panel (%)", lang),
        scale=alt.Scale(domain=[0, 100]),
    )
    rows = []
    for i, panel in enumerate(panels):
        keep = alt.datum.panel == panel
        order = list(data.loc[data["panel"] == panel, "category"])
        total = float(data.loc[data["panel"] == panel, "published_total_pct"].iloc[0])
        y = alt.Y("category:N", sort=order, title=None, axis=alt.Axis(labelLimit=330, minExtent=330))
        bars = (
            alt.Chart(data)
            .mark_bar(color=NOTIFICATION_COLOURS[i % len(NOTIFICATION_COLOURS)])
            .encode(
                x=x,
                y=y,
                tooltip=[
                    alt.Tooltip("category:N", title=_("Notification", lang)),
                    alt.Tooltip("share_label:N", title=_("Share", lang)),
                    alt.Tooltip("source:N", title=_("Source", lang)),
                ],
            )
            .transform_filter(keep)
        )
        labels = (
            alt.Chart(data)
            .mark_text(align="left", dx=4, color=NATIONAL_COLOUR)
            .encode(x=x, y=y, text="share_label:N")
            .transform_filter(keep)
        )
        rows.append(
            layer(bars, labels).properties(
                width=CHART_WIDTH - 340,
                height=alt.Step(22),
                title=alt.TitleParams(
                    text=panel,
                    subtitle=_("Published shares add up to {total}", lang, total=format_percent(total, 0, lang=lang)),
                    anchor="start",
                    fontSize=12,
                ),
            )
        )
    return alt.vconcat(*rows, spacing=18).properties(
        background="white",
        title=_title(
            _("Kela's notifications to municipal social work (pilot-era study)", lang),
            _("Shares as published; the study does not break down the rest, so the bars do not sum to 100 %", lang),
        ),
    )


def kela_notifications_alt_text(notifications: pd.DataFrame, lang: str = "en") -> str:
    parts = []
    for panel, rows in notifications.groupby("panel", sort=False):
        items = ", ".join(f"{str(r.category).lower()} {r.share_label}" for r in rows.itertuples())
        total = format_percent(float(rows["published_total_pct"].iloc[0]), 0, lang=lang)
        parts.append(f"{panel}: {items} " + _("(published shares add up to {total})", lang, total=total))
    return _("Two horizontal bar charts on a 0 to 100 per cent scale.", lang) + " " + "; ".join(parts) + "."


# The estimates' charts build on the helpers above; imported last and re-exported for the notebook.
from helpers.charts.pilot_estimates import (  # noqa: E402
    AS_EXTREME,
    BAND_SERIES,
    ESTIMATE_SERIES,
    event_study_alt_text,
    event_study_chart,
    placebo_alt_text,
    placebo_frame,
    placebo_histogram,
    placebo_placeholder,
    trend_alt_text,
    trend_chart,
)

__all__ = [
    "AS_EXTREME",
    "BAND_SERIES",
    "ESTIMATE_SERIES",
    "context_alt_text",
    "context_strip_chart",
    "context_summary",
    "event_study_alt_text",
    "event_study_chart",
    "kela_notifications_alt_text",
    "kela_notifications_chart",
    "participation_by_year",
    "placebo_alt_text",
    "placebo_frame",
    "placebo_histogram",
    "placebo_placeholder",
    "timeline_alt_text",
    "timeline_chart",
    "trend_alt_text",
    "trend_chart",
]
