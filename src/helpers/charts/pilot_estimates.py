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
from helpers.i18n import N_, _, translated
from helpers.text import format_number, format_percent

# --------------------------------------------------------------------------- trends


TREND_COLUMNS = ("year", "series", "kind", "value", "n_units")
BAND_COLUMNS = ("period", "start", "end", "years")


def _period_shading(bands: pd.DataFrame, x: alt.X, lang: str = "en") -> list[alt.Chart]:
    """Shaded pre- and post-periods with their names; fixed colours, so no shared colour scale."""
    shade = _require(bands, BAND_COLUMNS, "period bands")
    layers: list[alt.Chart] = []
    for period, colour in ((_("Pre-period", lang), PRE_SHADE), (_("Post-period", lang), POST_SHADE)):
        layers.append(
            alt.Chart(shade)
            .mark_rect(color=colour, opacity=0.14)
            .encode(
                x=x,
                x2="end:Q",
                tooltip=[
                    alt.Tooltip("period:N", title=_("Period", lang)),
                    alt.Tooltip("years:N", title=_("Years", lang)),
                ],
            )
            .transform_filter(alt.datum.period == period)
        )
    layers.append(
        alt.Chart(shade)
        .mark_text(align="left", baseline="top", dx=3, dy=3, fontSize=11, color=NATIONAL_COLOUR)
        .encode(x=alt.X("start:Q"), y=alt.value(0), text="period:N")
    )
    return layers


def _year_axis(years: pd.Series, time_word: str, lang: str = "en") -> tuple[alt.Scale, alt.Axis, str]:
    lo, hi = int(years.min()), int(years.max())
    title = _("Year", lang) if time_word != "year_mid" else _("year_mid (centre of the 3-year window)", lang)
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
    lang: str = "en",
) -> alt.LayerChart:
    """Pilot group vs comparison group per year (thick lines), each pilot municipality (thin grey
    lines, when there are several), the pre- and post-periods shaded.

    ``trends``: year, series, kind ('group' | 'municipality'), value, n_units; the group series
    are ``pilot_label`` and ``COMPARISON_LABEL``. ``bands``: period, start, end, years.
    """
    data = _require(trends, TREND_COLUMNS, "trend_chart")
    scale, axis, x_title = _year_axis(data["year"], time_word, lang)
    x = alt.X("start:Q", scale=scale, axis=axis, title=x_title)
    layers = _period_shading(bands, x, lang)
    comparison_label = _(COMPARISON_LABEL, lang)
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
                    alt.Tooltip("series:N", title=_("Pilot municipality", lang)),
                    alt.Tooltip("year:Q", title=x_title.split(" (")[0], format="d"),
                    alt.Tooltip("value:Q", title=_("Value", lang), format=",.2f"),
                ],
            )
            .transform_filter(alt.datum.kind == "municipality")
        )
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=[pilot_label, comparison_label], range=[PILOT_GROUP_COLOUR, COMPARISON_COLOUR]),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    group_encoding = dict(
        x=alt.X("year:Q", scale=scale, axis=axis, title=x_title),
        y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
        color=colour,
        tooltip=[
            alt.Tooltip("series:N", title=_("Series", lang)),
            alt.Tooltip("year:Q", title=x_title.split(" (")[0], format="d"),
            alt.Tooltip("value:Q", title=_("Mean", lang), format=",.2f"),
            alt.Tooltip("n_units:Q", title=_("Municipalities", lang)),
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
            _("{label}: pilot and comparison groups", lang, label=outcome_label),
            _("Shaded: the pre- and post-periods of the estimate", lang)
            + ("; " + _("thin grey lines: each pilot municipality", lang) if units["series"].nunique() > 1 else ""),
        ),
    )


def trend_alt_text(
    trends: pd.DataFrame, *, outcome_label: str, unit: str, pilot_label: str = PILOT_GROUP_LABEL, lang: str = "en"
) -> str:
    groups = trends[trends["kind"] == "group"].sort_values("year")
    first, last = int(groups["year"].min()), int(groups["year"].max())
    comparison_label = _(COMPARISON_LABEL, lang)

    def path(series: str) -> str:
        g = groups[groups["series"] == series].set_index("year")["value"]
        return _(
            "{first_value} in {first}, {top} at most, {last_value} in {last}",
            lang,
            first_value=format_number(float(g.loc[first]), 1, lang=lang),
            first=first,
            top=format_number(float(g.max()), 1, lang=lang),
            last_value=format_number(float(g.loc[last]), 1, lang=lang),
            last=last,
        )

    n_units = trends[trends["kind"] == "municipality"]["series"].nunique()
    return (
        _(
            "Line chart of {label} ({unit}) from {first} to {last}.",
            lang,
            label=outcome_label.lower(),
            unit=unit,
            first=first,
            last=last,
        )
        + f" {pilot_label}: {path(pilot_label)}. {comparison_label}: {path(comparison_label)}. "
        + _("Shaded areas mark the pre- and post-periods.", lang)
        + (
            " " + _("Thin grey lines show each of the {n} pilot municipalities.", lang, n=n_units)
            if n_units > 1
            else ""
        )
    )


# --------------------------------------------------------------------------- event study


EVENT_COLUMNS = ("year", "relative_to_base")
ESTIMATE_SERIES = N_("Pilot minus comparison, relative to the base year")
BAND_SERIES = N_("Placebo groups, 5–95 % range")


def event_study_chart(
    event: pd.DataFrame,
    bands: pd.DataFrame,
    *,
    base_year: int,
    unit: str,
    time_word: str = "year",
    lang: str = "en",
) -> alt.LayerChart:
    """Yearly gap between the groups relative to ``base_year`` with the placebo 5–95 % band.

    ``event``: year, relative_to_base, and placebo_low / placebo_high when a placebo was run.
    """
    has_band = {"placebo_low", "placebo_high"} <= set(event.columns)
    cols = list(EVENT_COLUMNS) + (["placebo_low", "placebo_high"] if has_band else [])
    data = _require(event, cols, "event_study_chart")
    scale, axis, x_title = _year_axis(data["year"], time_word, lang)
    x = alt.X("start:Q", scale=scale, axis=axis, title=x_title)
    layers = _period_shading(bands, x, lang)
    estimate_series, band_series = translated(ESTIMATE_SERIES, lang), translated(BAND_SERIES, lang)
    domain = [estimate_series] + ([band_series] if has_band else [])
    colours = [PILOT_GROUP_COLOUR] + ([GREY] if has_band else [])
    legend_scale = alt.Scale(domain=domain, range=colours)
    y_title = _("Gap relative to {base} ({unit})", lang, base=base_year, unit=unit)
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
                    alt.Tooltip("placebo_low:Q", title=_("Placebo 5 %", lang), format=",.2f"),
                    alt.Tooltip("placebo_high:Q", title=_("Placebo 95 %", lang), format=",.2f"),
                ],
            )
            .transform_calculate(series=repr(band_series))
        )
    layers.append(alt.Chart(data).mark_rule(color=NATIONAL_COLOUR, strokeWidth=1).encode(y=alt.datum(0)))
    est_encoding = dict(
        x=xq,
        y=alt.Y("relative_to_base:Q", title=y_title),
        color=alt.Color("series:N", scale=legend_scale, legend=alt.Legend(title=None, orient="bottom", labelLimit=400)),
        tooltip=[
            alt.Tooltip("year:Q", title=x_title.split(" (")[0], format="d"),
            alt.Tooltip("relative_to_base:Q", title=_("Gap relative to {base}", lang, base=base_year), format=",.2f"),
        ],
    )
    layers.append(
        alt.Chart(data)
        .mark_line(strokeWidth=2.5)
        .encode(**est_encoding)
        .transform_calculate(series=repr(estimate_series))
    )
    layers.append(
        alt.Chart(data)
        .mark_point(filled=True, size=50)
        .encode(**est_encoding)
        .transform_calculate(series=repr(estimate_series))
    )
    layers.append(
        alt.Chart(data)
        .mark_text(dy=-12, fontSize=11, color=NATIONAL_COLOUR)
        .encode(x=xq, y=alt.Y("relative_to_base:Q"), text=alt.value(_("base", lang)))
        .transform_filter(alt.datum.year == base_year)
    )
    return layer(*layers).properties(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        background="white",
        title=_title(
            _("Event study: the gap between the groups, year by year", lang),
            _("0 = the gap in the base year {base}", lang, base=base_year)
            + ("; " + _("grey band: where 90 % of random placebo groups fall", lang) if has_band else ""),
        ),
    )


def event_study_alt_text(
    event: pd.DataFrame, *, base_year: int, unit: str, pre_years, post_years, lang: str = "en"
) -> str:
    relative = event.set_index("year")["relative_to_base"]
    pre = ", ".join(f"{y}: {format_number(float(relative[y]), 2, signed=True, lang=lang)}" for y in pre_years)
    post = ", ".join(f"{y}: {format_number(float(relative[y]), 2, signed=True, lang=lang)}" for y in post_years)
    text = _(
        "Line chart of the gap between the pilot and comparison groups relative to {base}, in {unit}, "
        "for each year from {first} to {last}. Pre-period values {pre}. Post-period values {post}.",
        lang,
        base=base_year,
        unit=unit,
        first=int(relative.index.min()),
        last=int(relative.index.max()),
        pre=pre,
        post=post,
    )
    if "placebo_low" in event.columns:
        text += " " + _(
            "A grey band shows the 5–95 % range of the same gap for random placebo groups; it widens "
            "with distance from the base year.",
            lang,
        )
    return text


# --------------------------------------------------------------------------- placebo


AS_EXTREME = N_("In the pilot estimate's tail (at or beyond it, same side)")
SMALL_PLACEBO = 50  # below this many placebo sets the chart shows one tick per set
SMALLER = N_("Smaller")


def placebo_frame(estimates: Sequence[float], as_extreme: Sequence[bool]) -> pd.DataFrame:
    """The placebo estimates as the histogram draws them (estimate, size label)."""
    return pd.DataFrame(
        {
            "estimate": [float(v) for v in estimates],
            "size": [AS_EXTREME if flag else SMALLER for flag in as_extreme],
        }
    )


def placebo_histogram(placebo: pd.DataFrame, *, pilot_estimate: float, unit: str, lang: str = "en") -> alt.LayerChart:
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
                _("Pilot estimate {value}", lang, value=format_number(pilot_estimate, 2, signed=True, lang=lang)),
                _("Placebo median {value}", lang, value=format_number(median, 2, signed=True, lang=lang)),
            ],
            "kind": ["pilot", "median"],
        }
    )
    x_title = _("Difference-in-differences estimate ({unit})", lang, unit=unit)
    as_extreme, smaller = translated(AS_EXTREME, lang), translated(SMALLER, lang)
    size = alt.Color(
        "size:N",
        scale=alt.Scale(domain=[smaller, as_extreme], range=[CONTEXT_COLOUR, COMPARISON_COLOUR]),
        legend=alt.Legend(title=_("Placebo estimate", lang), orient="bottom", labelLimit=400),
    )
    reach = max(abs(float(pilot_estimate)), float(data["estimate"].abs().max()) if len(data) else 0.0)
    extent = [-1.05 * reach, 1.05 * reach] if reach > 0 else [-1.0, 1.0]
    if len(data) >= SMALL_PLACEBO:
        bin_ = alt.Bin(maxbins=40, extent=extent)
        bars = (
            alt.Chart(rows)
            .transform_calculate(size=f"datum.as_extreme ? {as_extreme!r} : {smaller!r}")
            .mark_bar()
            .encode(
                x=alt.X("estimate:Q", bin=bin_, title=x_title, scale=alt.Scale(domain=extent)),
                y=alt.Y("count():Q", title=_("Number of placebo sets", lang), stack=True),
                color=size,
                tooltip=[
                    alt.Tooltip("estimate:Q", bin=bin_, title=_("Estimate", lang), format=",.2f"),
                    alt.Tooltip("count():Q", title=_("Placebo sets", lang)),
                    alt.Tooltip("size:N", title=_("Placebo estimate", lang)),
                ],
            )
        )
    else:  # a few placebo sets: one tick each, a histogram would be mostly empty
        bars = (
            alt.Chart(rows)
            .transform_calculate(size=f"datum.as_extreme ? {as_extreme!r} : {smaller!r}")
            .mark_tick(thickness=3, size=60)
            .encode(
                x=alt.X("estimate:Q", title=x_title, scale=alt.Scale(domain=extent)),
                color=size,
                tooltip=[
                    alt.Tooltip("estimate:Q", title=_("Estimate", lang), format=",.2f"),
                    alt.Tooltip("size:N", title=_("Placebo estimate", lang)),
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
            tooltip=[alt.Tooltip("label:N", title=_("Line", lang))],
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
            _("Placebo check: the estimate for groups that were not in the pilot", lang),
            _("Solid line: the pilot's estimate; dashed: the median of the placebo estimates", lang),
        ),
    )


def placebo_placeholder(lang: str = "en") -> alt.Chart:
    """Shown instead of the histogram when the placebo check is switched off (n_placebo=0)."""
    note = pd.DataFrame({"text": [_("Placebo check switched off in this run (n_placebo = 0)", lang)]})
    return (
        alt.Chart(note)
        .mark_text(fontSize=14, color=NATIONAL_COLOUR)
        .encode(text="text:N")
        .properties(width=CHART_WIDTH, height=60, background="white", title=_title(_("Placebo check", lang)))
    )


def placebo_alt_text(placebo: pd.DataFrame, *, pilot_estimate: float, unit: str, lang: str = "en") -> str:
    n = len(placebo)
    n_ext = int((placebo["size"] == AS_EXTREME).sum())
    lo, hi = float(placebo["estimate"].min()), float(placebo["estimate"].max())
    return _(
        "Histogram of {n} placebo difference-in-differences estimates ({unit}), from {low} to {high}. A solid "
        "line marks the pilot's estimate, {estimate}; {n_ext} placebo estimates ({share}) lie at or beyond it "
        "on its side and are drawn in blue; a dashed line marks the placebo median.",
        lang,
        n=format_number(n, 0, lang=lang),
        unit=unit,
        low=format_number(lo, 2, signed=True, lang=lang),
        high=format_number(hi, 2, signed=True, lang=lang),
        estimate=format_number(pilot_estimate, 2, signed=True, lang=lang),
        n_ext=format_number(n_ext, 0, lang=lang),
        share=format_percent(100 * n_ext / n, 1, lang=lang),
    )
