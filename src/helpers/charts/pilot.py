"""Charts of the pilot chapter (chapter 3): timeline, 2019 context, trends, event study, placebo.

Every builder takes plain DataFrames (the frames ``helpers.chapters.pilot_report`` prepares, or
synthetic frames in tests) with only the columns it draws, and returns an Altair chart with a
white background. Pilot municipalities keep their fixed colours (``style.PILOT_COLOURS``); the
pilot group and the comparison group use ``PILOT_GROUP_COLOUR`` and ``COMPARISON_COLOUR``. Every
param is named, so specs are deterministic. Each builder has an ``*_alt_text`` companion that
says what the chart shows, numbers included.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

from helpers.charts.style import (
    CHART_HEIGHT,
    CHART_WIDTH,
    COMPARISON_COLOUR,
    CONTEXT_COLOUR,
    NATIONAL_COLOUR,
    OKABE_ITO,
    PILOT_COLOURS,
    PILOT_GROUP_COLOUR,
)
from helpers.text import format_number

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


def participation_by_year(timeline: pd.DataFrame, years: Sequence[int] = (2018, 2019)) -> pd.DataFrame:
    """How many municipalities took part in each full calendar year (for the year bands)."""
    rows = []
    for year in years:
        inside = (timeline["start"] <= f"{year}-01-01") & (timeline["end"] >= f"{year}-12-31")
        n = int(inside.sum())
        rows.append({"start": f"{year}-01-01", "end": f"{year + 1}-01-01", "text": f"{year}: {n} municipalities"})
    return pd.DataFrame(rows)


def timeline_chart(timeline: pd.DataFrame, milestones: pd.DataFrame | None = None) -> alt.LayerChart:
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
    years = participation_by_year(timeline)
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
                alt.Tooltip("label:N", title="Municipality"),
                alt.Tooltip("period_label:N", title="Took part"),
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
            .encode(x=alt.X("date:T", scale=x_scale), tooltip=[alt.Tooltip("event:N", title="Event")])
        )
        layers.append(
            alt.Chart(events)
            .mark_text(align="center", baseline="top", fontSize=11, color=NATIONAL_COLOUR)
            .encode(x=alt.X("date:T", scale=x_scale), y=alt.value(height + 24), text="event:N")
        )
    return alt.layer(*layers).properties(
        width=CHART_WIDTH - 200,
        height=height,
        background="white",
        title=_title(
            "Participation in the pilot, November 2017 – December 2019",
            "Bars: each municipality's pilot period; shaded: the pilot's two calendar years",
        ),
    )


def timeline_alt_text(timeline: pd.DataFrame) -> str:
    parts = [f"{r.label}: {r.period_label}" for r in timeline.itertuples()]
    faded = [r.label for r in timeline.itertuples() if not r.in_analysis]
    text = (
        "Horizontal bars on a time axis from late 2017 to the end of 2019, one per pilot municipality. "
        + "; ".join(parts)
        + ". A dashed line marks 10 December 2018, when funding was extended to the end of 2019."
    )
    if faded:
        text += f" Faded (not in this run's analysis): {', '.join(faded)}."
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
    value_columns = [f"v{key}" for key in sorted(label_keys.values()) if f"v{key}" in wide.columns]
    spread = spread.assign(k=spread["label"].map(label_keys))
    chosen = alt.param(
        name=CONTEXT_PARAM,
        value=label_keys[initial_label] if initial_label else 0,
        bind=alt.binding_select(options=list(label_keys.values()), labels=labels, name="Indicator (2019): "),
    )
    keep = alt.datum.k == chosen
    y = alt.Y("jitter:Q", scale=alt.Scale(domain=[-1.6, 1.6]), axis=None, title=None)
    x_title = "Value in 2019 (unit as in the indicator's name)"
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
            tooltip=[alt.Tooltip("median:Q", title="Median municipality", format=",.1f")],
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
                alt.Tooltip("municipality:N", title="Municipality"),
                alt.Tooltip("value:Q", title="Value", format=",.1f"),
            ],
        )
        .transform_filter(keep)
        .transform_filter(alt.datum.pilot == "")
    )
    names = list(pilots.values())
    colours = [PILOT_COLOURS.get(code, GREY) for code in pilots]
    pilots = (
        folded()
        .mark_point(size=150, filled=True, stroke=NATIONAL_COLOUR, strokeWidth=1, opacity=1)
        .encode(
            x="value:Q",
            y=y,
            color=alt.Color(
                "pilot:N",
                scale=alt.Scale(domain=names, range=colours),
                legend=alt.Legend(title="Pilot municipality", orient="bottom", columns=3),
            ),
            shape=alt.Shape("pilot:N", scale=alt.Scale(domain=names), legend=None),
            tooltip=[
                alt.Tooltip("pilot:N", title="Pilot municipality"),
                alt.Tooltip("value:Q", title="Value", format=",.1f"),
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
            tooltip=[alt.Tooltip("national_label:N", title="National figure")],
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
        alt.layer(box, whisker, median, others, national, national_text, pilots)
        .add_params(chosen)
        .properties(
            width=CHART_WIDTH - 160,
            height=220,
            background="white",
            title=_title(
                "The pilot municipalities among all municipalities, 2019",
                [
                    "Grey dots: every municipality; grey box: the middle half; black tick: the median;",
                    "dashed line: national figure, population-weighted, computed from municipal values",
                ],
            ),
        )
    )


def context_alt_text(summary: pd.DataFrame, values: pd.DataFrame, initial_label: str | None = None) -> str:
    label = initial_label or str(summary["label"].iloc[0])
    row = summary[summary["label"] == label].iloc[0]
    chosen = values[(values["label"] == label) & (values["pilot"] != "")].sort_values("value", ascending=False)
    n_all = int((values["label"] == label).sum())
    pilots = ", ".join(f"{r.pilot} {format_number(r.value, 1)}" for r in chosen.itertuples())
    return (
        f"Dot plot of {n_all} municipalities for the indicator chosen in a dropdown (shown first: {label}). "
        f"Municipal values range from {format_number(row['min'], 1)} to {format_number(row['max'], 1)}, median {format_number(row['median'], 1)}; "
        f"the population-weighted national figure computed from municipal values is {format_number(row['national'], 1)}. "
        f"Pilot municipalities, highlighted: {pilots}."
    )


# --------------------------------------------------------------------------- trends


TREND_COLUMNS = ("year", "series", "kind", "value", "n_units")
BAND_COLUMNS = ("period", "start", "end", "years")


def _period_shading(bands: pd.DataFrame, x: alt.X) -> list[alt.Chart]:
    """Shaded pre- and post-periods with their names; fixed colours, so no shared colour scale."""
    shade = _require(bands, BAND_COLUMNS, "period bands")
    layers: list[alt.Chart] = []
    for period, colour in (("Pre-period", PRE_SHADE), ("Post-period", POST_SHADE)):
        layers.append(
            alt.Chart(shade)
            .mark_rect(color=colour, opacity=0.14)
            .encode(
                x=x,
                x2="end:Q",
                tooltip=[alt.Tooltip("period:N", title="Period"), alt.Tooltip("years:N", title="Years")],
            )
            .transform_filter(alt.datum.period == period)
        )
    layers.append(
        alt.Chart(shade)
        .mark_text(align="left", baseline="top", dx=3, dy=3, fontSize=11, color=NATIONAL_COLOUR)
        .encode(x=alt.X("start:Q"), y=alt.value(0), text="period:N")
    )
    return layers


def _year_axis(years: pd.Series, time_word: str) -> tuple[alt.Scale, alt.Axis, str]:
    lo, hi = int(years.min()), int(years.max())
    title = "Year" if time_word == "year" else "year_mid (centre of the 3-year window)"
    return (
        alt.Scale(domain=[lo - 0.5, hi + 0.5], nice=False, zero=False),
        alt.Axis(format="d", values=list(range(lo, hi + 1)), labelAngle=0),
        title,
    )


def trend_chart(
    trends: pd.DataFrame,
    bands: pd.DataFrame,
    *,
    outcome_label: str,
    unit: str,
    time_word: str = "year",
    pilot_label: str = PILOT_GROUP_LABEL,
) -> alt.LayerChart:
    """Pilot group vs comparison group per year (thick lines), each pilot municipality (thin grey
    lines, when there are several), the pre- and post-periods shaded.

    ``trends``: year, series, kind ('group' | 'municipality'), value, n_units; the group series
    are ``pilot_label`` and ``COMPARISON_LABEL``. ``bands``: period, start, end, years.
    """
    data = _require(trends, TREND_COLUMNS, "trend_chart")
    scale, axis, x_title = _year_axis(data["year"], time_word)
    x = alt.X("start:Q", scale=scale, axis=axis, title=x_title)
    layers = _period_shading(bands, x)
    y_title = unit[0].upper() + unit[1:]  # the outcome's name is in the chart title
    units = data[data["kind"] == "municipality"]
    if units["series"].nunique() > 1:
        layers.append(
            alt.Chart(data)
            .mark_line(strokeWidth=1, color=GREY, opacity=0.7)
            .encode(
                x=alt.X("year:Q", scale=scale, axis=axis, title=x_title),
                y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
                detail="series:N",
                tooltip=[
                    alt.Tooltip("series:N", title="Pilot municipality"),
                    alt.Tooltip("year:Q", title=x_title.split(" (")[0], format="d"),
                    alt.Tooltip("value:Q", title="Value", format=",.2f"),
                ],
            )
            .transform_filter(alt.datum.kind == "municipality")
        )
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=[pilot_label, COMPARISON_LABEL], range=[PILOT_GROUP_COLOUR, COMPARISON_COLOUR]),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    group_encoding = dict(
        x=alt.X("year:Q", scale=scale, axis=axis, title=x_title),
        y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
        color=colour,
        tooltip=[
            alt.Tooltip("series:N", title="Series"),
            alt.Tooltip("year:Q", title=x_title.split(" (")[0], format="d"),
            alt.Tooltip("value:Q", title="Mean", format=",.2f"),
            alt.Tooltip("n_units:Q", title="Municipalities"),
        ],
    )
    layers.append(
        alt.Chart(data).mark_line(strokeWidth=3).encode(**group_encoding).transform_filter(alt.datum.kind == "group")
    )
    layers.append(
        alt.Chart(data)
        .mark_point(filled=True, size=45)
        .encode(**group_encoding, shape=alt.Shape("series:N", legend=None))
        .transform_filter(alt.datum.kind == "group")
    )
    return alt.layer(*layers).properties(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        background="white",
        title=_title(
            f"{outcome_label}: pilot and comparison groups",
            "Shaded: the pre- and post-periods of the estimate"
            + ("; thin grey lines: each pilot municipality" if units["series"].nunique() > 1 else ""),
        ),
    )


def trend_alt_text(trends: pd.DataFrame, *, outcome_label: str, unit: str, pilot_label: str = PILOT_GROUP_LABEL) -> str:
    groups = trends[trends["kind"] == "group"].sort_values("year")
    first, last = int(groups["year"].min()), int(groups["year"].max())

    def path(series: str) -> str:
        g = groups[groups["series"] == series].set_index("year")["value"]
        return f"{format_number(float(g.loc[first]), 1)} in {first}, {format_number(float(g.max()), 1)} at most, {format_number(float(g.loc[last]), 1)} in {last}"

    n_units = trends[trends["kind"] == "municipality"]["series"].nunique()
    return (
        f"Line chart of {outcome_label.lower()} ({unit}) from {first} to {last}. {pilot_label}: {path(pilot_label)}. "
        f"{COMPARISON_LABEL}: {path(COMPARISON_LABEL)}. Shaded areas mark the pre- and post-periods."
        + (f" Thin grey lines show each of the {n_units} pilot municipalities." if n_units > 1 else "")
    )


# --------------------------------------------------------------------------- event study


EVENT_COLUMNS = ("year", "relative_to_base")
ESTIMATE_SERIES = "Pilot minus comparison, relative to the base year"
BAND_SERIES = "Placebo groups, 5–95 % range"


def event_study_chart(
    event: pd.DataFrame,
    bands: pd.DataFrame,
    *,
    base_year: int,
    unit: str,
    time_word: str = "year",
) -> alt.LayerChart:
    """Yearly gap between the groups relative to ``base_year`` with the placebo 5–95 % band.

    ``event``: year, relative_to_base, and placebo_low / placebo_high when a placebo was run.
    """
    has_band = {"placebo_low", "placebo_high"} <= set(event.columns)
    cols = list(EVENT_COLUMNS) + (["placebo_low", "placebo_high"] if has_band else [])
    data = _require(event, cols, "event_study_chart")
    scale, axis, x_title = _year_axis(data["year"], time_word)
    x = alt.X("start:Q", scale=scale, axis=axis, title=x_title)
    layers = _period_shading(bands, x)
    domain = [ESTIMATE_SERIES] + ([BAND_SERIES] if has_band else [])
    colours = [PILOT_GROUP_COLOUR] + ([GREY] if has_band else [])
    legend_scale = alt.Scale(domain=domain, range=colours)
    y_title = f"Gap relative to {base_year} ({unit})"
    xq = alt.X("year:Q", scale=scale, axis=axis, title=x_title)
    if has_band:
        layers.append(
            alt.Chart(data)
            .mark_area(opacity=0.3)
            .encode(
                x=xq,
                y=alt.Y("placebo_low:Q", title=y_title),
                y2="placebo_high:Q",
                color=alt.Color(
                    "series:N", scale=legend_scale, legend=alt.Legend(title=None, orient="bottom", labelLimit=400)
                ),
                tooltip=[
                    alt.Tooltip("year:Q", title=x_title.split(" (")[0], format="d"),
                    alt.Tooltip("placebo_low:Q", title="Placebo 5 %", format=",.2f"),
                    alt.Tooltip("placebo_high:Q", title="Placebo 95 %", format=",.2f"),
                ],
            )
            .transform_calculate(series=f"'{BAND_SERIES}'")
        )
    layers.append(alt.Chart(data).mark_rule(color=NATIONAL_COLOUR, strokeWidth=1).encode(y=alt.datum(0)))
    est_encoding = dict(
        x=xq,
        y=alt.Y("relative_to_base:Q", title=y_title),
        color=alt.Color("series:N", scale=legend_scale, legend=alt.Legend(title=None, orient="bottom", labelLimit=400)),
        tooltip=[
            alt.Tooltip("year:Q", title=x_title.split(" (")[0], format="d"),
            alt.Tooltip("relative_to_base:Q", title=f"Gap relative to {base_year}", format=",.2f"),
        ],
    )
    layers.append(
        alt.Chart(data)
        .mark_line(strokeWidth=2.5)
        .encode(**est_encoding)
        .transform_calculate(series=f"'{ESTIMATE_SERIES}'")
    )
    layers.append(
        alt.Chart(data)
        .mark_point(filled=True, size=50)
        .encode(**est_encoding)
        .transform_calculate(series=f"'{ESTIMATE_SERIES}'")
    )
    layers.append(
        alt.Chart(data)
        .mark_text(dy=-12, fontSize=11, color=NATIONAL_COLOUR)
        .encode(x=xq, y=alt.Y("relative_to_base:Q"), text=alt.value("base"))
        .transform_filter(alt.datum.year == base_year)
    )
    return alt.layer(*layers).properties(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        background="white",
        title=_title(
            "Event study: the gap between the groups, year by year",
            f"0 = the gap in the base year {base_year}"
            + ("; grey band: where 90 % of random placebo groups fall" if has_band else ""),
        ),
    )


def event_study_alt_text(event: pd.DataFrame, *, base_year: int, unit: str, pre_years, post_years) -> str:
    e = event.set_index("year")
    pre = ", ".join(f"{y}: {format_number(float(e.at[y, 'relative_to_base']), 2, signed=True)}" for y in pre_years)
    post = ", ".join(f"{y}: {format_number(float(e.at[y, 'relative_to_base']), 2, signed=True)}" for y in post_years)
    text = (
        f"Line chart of the gap between the pilot and comparison groups relative to {base_year}, in {unit}, "
        f"for each year from {int(e.index.min())} to {int(e.index.max())}. Pre-period values {pre}. "
        f"Post-period values {post}."
    )
    if "placebo_low" in event.columns:
        text += (
            " A grey band shows the 5–95 % range of the same gap for random placebo groups; it widens "
            "with distance from the base year."
        )
    return text


# --------------------------------------------------------------------------- placebo


AS_EXTREME = "At least as large as the pilot's (absolute value)"
SMALL_PLACEBO = 50  # below this many placebo sets the chart shows one tick per set
SMALLER = "Smaller"


def placebo_frame(estimates: Sequence[float], as_extreme: Sequence[bool]) -> pd.DataFrame:
    """The placebo estimates as the histogram draws them (estimate, size label)."""
    return pd.DataFrame(
        {
            "estimate": [float(v) for v in estimates],
            "size": [AS_EXTREME if flag else SMALLER for flag in as_extreme],
        }
    )


def placebo_histogram(placebo: pd.DataFrame, *, pilot_estimate: float, unit: str) -> alt.LayerChart:
    """Histogram of placebo estimates, those at least as extreme as the pilot's in another colour,
    with the pilot's estimate (and its mirror image) marked.

    ``placebo``: estimate, size (``AS_EXTREME`` or ``SMALLER``).
    """
    data = _require(placebo, ("estimate", "size"), "placebo_histogram")
    # 1,000 rows: send a rounded estimate and a 0/1 flag; the label is made in the browser.
    rows = pd.DataFrame({"estimate": data["estimate"].round(4), "as_extreme": (data["size"] == AS_EXTREME).astype(int)})
    marks = pd.DataFrame(
        {
            "estimate": [float(pilot_estimate), -float(pilot_estimate)],
            "label": [f"Pilot estimate {format_number(pilot_estimate, 2, signed=True)}", "Same size, opposite sign"],
            "kind": ["pilot", "mirror"],
        }
    )
    x_title = f"Difference-in-differences estimate ({unit})"
    size = alt.Color(
        "size:N",
        scale=alt.Scale(domain=[SMALLER, AS_EXTREME], range=[CONTEXT_COLOUR, COMPARISON_COLOUR]),
        legend=alt.Legend(title="Placebo estimate", orient="bottom", labelLimit=400),
    )
    reach = max(abs(float(pilot_estimate)), float(data["estimate"].abs().max()) if len(data) else 0.0)
    extent = [-1.05 * reach, 1.05 * reach] if reach > 0 else [-1.0, 1.0]
    if len(data) >= SMALL_PLACEBO:
        bin_ = alt.Bin(maxbins=40, extent=extent)
        bars = (
            alt.Chart(rows)
            .transform_calculate(size=f"datum.as_extreme ? {AS_EXTREME!r} : {SMALLER!r}")
            .mark_bar()
            .encode(
                x=alt.X("estimate:Q", bin=bin_, title=x_title, scale=alt.Scale(domain=extent)),
                y=alt.Y("count():Q", title="Number of placebo sets", stack=True),
                color=size,
                tooltip=[
                    alt.Tooltip("estimate:Q", bin=bin_, title="Estimate", format=",.2f"),
                    alt.Tooltip("count():Q", title="Placebo sets"),
                    alt.Tooltip("size:N", title="Size"),
                ],
            )
        )
    else:  # a few placebo sets: one tick each, a histogram would be mostly empty
        bars = (
            alt.Chart(rows)
            .transform_calculate(size=f"datum.as_extreme ? {AS_EXTREME!r} : {SMALLER!r}")
            .mark_tick(thickness=3, size=60)
            .encode(
                x=alt.X("estimate:Q", title=x_title, scale=alt.Scale(domain=extent)),
                color=size,
                tooltip=[
                    alt.Tooltip("estimate:Q", title="Estimate", format=",.2f"),
                    alt.Tooltip("size:N", title="Size"),
                ],
            )
        )
    rules = (
        alt.Chart(marks)
        .mark_rule(strokeWidth=2)
        .encode(
            x="estimate:Q",
            color=alt.value(PILOT_GROUP_COLOUR),
            strokeDash=alt.StrokeDash(
                "kind:N", scale=alt.Scale(domain=["pilot", "mirror"], range=[[1, 0], [4, 3]]), legend=None
            ),
            tooltip=[alt.Tooltip("label:N", title="Line")],
        )
    )
    text = (
        alt.Chart(marks)
        .mark_text(align="left", baseline="top", dx=4, dy=2, fontSize=11, color=NATIONAL_COLOUR)
        .encode(x="estimate:Q", y=alt.value(0), text="label:N")
        .transform_filter(alt.datum.kind == "pilot")
    )
    return alt.layer(bars, rules, text).properties(
        width=CHART_WIDTH,
        height=CHART_HEIGHT - 60 if len(data) >= SMALL_PLACEBO else 120,
        background="white",
        title=_title(
            "Placebo check: the estimate for groups that were not in the pilot",
            "Solid line: the pilot's estimate; dashed: the same size with the opposite sign",
        ),
    )


def placebo_placeholder() -> alt.Chart:
    """Shown instead of the histogram when the placebo check is switched off (n_placebo=0)."""
    note = pd.DataFrame({"text": ["Placebo check switched off in this run (n_placebo = 0)"]})
    return (
        alt.Chart(note)
        .mark_text(fontSize=14, color=NATIONAL_COLOUR)
        .encode(text="text:N")
        .properties(width=CHART_WIDTH, height=60, background="white", title=_title("Placebo check"))
    )


def placebo_alt_text(placebo: pd.DataFrame, *, pilot_estimate: float, unit: str) -> str:
    n = len(placebo)
    n_ext = int((placebo["size"] == AS_EXTREME).sum())
    lo, hi = float(placebo["estimate"].min()), float(placebo["estimate"].max())
    return (
        f"Histogram of {n:,} placebo difference-in-differences estimates ({unit}), from {format_number(lo, 2, signed=True)} to "
        f"{format_number(hi, 2, signed=True)}. A solid line marks the pilot's estimate, {format_number(pilot_estimate, 2, signed=True)}; "
        f"{n_ext:,} placebo estimates ({100 * n_ext / n:.1f} %) are at least as large in absolute value "
        "and drawn in blue."
    )


# --------------------------------------------------------------------------- Kela notifications


NOTIFICATION_COLOURS = (OKABE_ITO["blue"], OKABE_ITO["bluish_green"])


def kela_notifications_chart(notifications: pd.DataFrame) -> alt.VConcatChart:
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
    x = alt.X("share_pct:Q", title="Share of the notifications in the panel (%)", scale=alt.Scale(domain=[0, 100]))
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
                    alt.Tooltip("category:N", title="Notification"),
                    alt.Tooltip("share_label:N", title="Share"),
                    alt.Tooltip("source:N", title="Source"),
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
            alt.layer(bars, labels).properties(
                width=CHART_WIDTH - 340,
                height=alt.Step(22),
                title=alt.TitleParams(
                    text=panel,
                    subtitle=f"Published shares add up to {format_number(total, 0)} %",
                    anchor="start",
                    fontSize=12,
                ),
            )
        )
    return alt.vconcat(*rows, spacing=18).properties(
        background="white",
        title=_title(
            "Kela's notifications to municipal social work (pilot-era study)",
            "Shares as published; the study does not break down the rest, so the bars do not sum to 100 %",
        ),
    )


def kela_notifications_alt_text(notifications: pd.DataFrame) -> str:
    parts = []
    for panel, rows in notifications.groupby("panel", sort=False):
        items = ", ".join(f"{r.category.lower()} {r.share_label}" for r in rows.itertuples())
        parts.append(
            f"{panel}: {items} (published shares add up to {format_number(float(rows['published_total_pct'].iloc[0]), 0)} %)"
        )
    return "Two horizontal bar charts on a 0 to 100 per cent scale. " + "; ".join(parts) + "."
