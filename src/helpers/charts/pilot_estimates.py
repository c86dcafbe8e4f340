"""Charts of the pilot chapter's estimates: outcome trends, the event study and the placebo distribution."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from helpers.charts.pilot import (
    COMPARISON_LABEL,
    GREY,
    PILOT_GROUP_LABEL,
    POST_SHADE,
    PRE_SHADE,
    _require,
    _title,
)
from helpers.charts.style import (
    CHART_HEIGHT,
    CHART_WIDTH,
    COMPARISON_COLOUR,
    CONTEXT_COLOUR,
    NATIONAL_COLOUR,
    PILOT_GROUP_COLOUR,
    layer,
)
from helpers.text import format_number, format_percent

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
    return layer(*layers).properties(
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
    return layer(*layers).properties(
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
    relative = event.set_index("year")["relative_to_base"]
    pre = ", ".join(f"{y}: {format_number(float(relative[y]), 2, signed=True)}" for y in pre_years)
    post = ", ".join(f"{y}: {format_number(float(relative[y]), 2, signed=True)}" for y in post_years)
    text = (
        f"Line chart of the gap between the pilot and comparison groups relative to {base_year}, in {unit}, "
        f"for each year from {int(relative.index.min())} to {int(relative.index.max())}. Pre-period values {pre}. "
        f"Post-period values {post}."
    )
    if "placebo_low" in event.columns:
        text += (
            " A grey band shows the 5–95 % range of the same gap for random placebo groups; it widens "
            "with distance from the base year."
        )
    return text


# --------------------------------------------------------------------------- placebo


AS_EXTREME = "In the pilot estimate's tail (at or beyond it, same side)"
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
    """Histogram of placebo estimates, those in the pilot estimate's tail (at or beyond it on its
    side: the count the signed, equal-tailed p-value uses) in another colour, with the pilot's
    estimate and the placebo median marked.

    ``placebo``: estimate, size (``AS_EXTREME`` or ``SMALLER``).
    """
    data = _require(placebo, ("estimate", "size"), "placebo_histogram")
    # 1,000 rows: send a rounded estimate and a 0/1 flag; the label is made in the browser.
    rows = pd.DataFrame({"estimate": data["estimate"].round(4), "as_extreme": (data["size"] == AS_EXTREME).astype(int)})
    # the placebo median, not the mirror image: the p-value counts each tail with its sign
    median = float(data["estimate"].median()) if len(data) else 0.0
    marks = pd.DataFrame(
        {
            "estimate": [float(pilot_estimate), median],
            "label": [
                f"Pilot estimate {format_number(pilot_estimate, 2, signed=True)}",
                f"Placebo median {format_number(median, 2, signed=True)}",
            ],
            "kind": ["pilot", "median"],
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
                    alt.Tooltip("size:N", title="Placebo estimate"),
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
                    alt.Tooltip("size:N", title="Placebo estimate"),
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
                "kind:N", scale=alt.Scale(domain=["pilot", "median"], range=[[1, 0], [4, 3]]), legend=None
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
    return layer(bars, rules, text).properties(
        width=CHART_WIDTH,
        height=CHART_HEIGHT - 60 if len(data) >= SMALL_PLACEBO else 120,
        background="white",
        title=_title(
            "Placebo check: the estimate for groups that were not in the pilot",
            "Solid line: the pilot's estimate; dashed: the median of the placebo estimates",
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
        f"{format_number(n_ext, 0)} placebo estimates ({format_percent(100 * n_ext / n, 1)}) lie at or beyond it "
        "on its side and are drawn in blue; a dashed line marks the placebo median."
    )
