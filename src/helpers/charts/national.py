"""Chart of the published national social assistance figures, 2014–2020, with gaps as gaps.

One panel per measure (each measure has one scope: all social assistance, or Kela basic
assistance only), so series of different scope are never joined. Lines are drawn as explicit
segments over consecutive years with a published figure; a year without one breaks the line
and its points are simply absent (never drawn as zero). Each point's tooltip gives the value,
unit, scope and source.
"""

from __future__ import annotations

from typing import cast

import altair as alt
import pandas as pd

from helpers.analysis.facts_common import reader_source
from helpers.analysis.national import MEASURES, SCOPES, YEARS, national_series
from helpers.charts.facts_wording import text_in, value_text
from helpers.charts.style import CONTEXT_COLOUR, NATIONAL_COLOUR, OKABE_ITO, layer
from helpers.i18n import N_, _

SCOPE_COLOURS = {
    "all_social_assistance": NATIONAL_COLOUR,
    "kela_basic": OKABE_ITO["blue"],
    "not_stated": OKABE_ITO["grey"],
}
PANEL_WIDTH = 290
PANEL_HEIGHT = 150

TITLE = N_("Social assistance in Finland, 2014–2020: the published national figures")
SUBTITLE = [
    N_("Each panel is one series; all-assistance and Kela basic-assistance figures are separate series."),
    N_("A break in a line or a missing point is a year with no published figure in the book's sources."),
]


def national_chart_data(measures=None, lang: str = "en") -> pd.DataFrame:
    """Only the columns the chart needs, only published points, with a segment id per run of years."""
    series = national_series(measures)  # ordered by measure (as chosen), then year
    # A new segment starts after every missing year, so lines never bridge a gap.
    run = series.groupby("measure", sort=False)["value"].transform(lambda v: v.isna().cumsum())
    series = series.assign(segment=series["measure"] + "#" + run.astype("int64").astype("str"))
    published = series[series["value"].notna()].copy()
    published["value_label"] = [
        value_text(v, q, u, lang=lang, text=t)
        for v, q, u, t in zip(published["value"], published["qualifier"], published["unit"], published["value_text"])
    ]
    # The tooltip's words in the edition; the source as a reader sees it (no internal seed numbers).
    published["unit"] = [text_in(u, lang) for u in published["unit"]]
    published["scope_label"] = [text_in(x, lang) for x in published["scope_label"]]
    published["source"] = [text_in(reader_source(x), lang) for x in published["source"]]
    columns = ["measure", "year", "value", "value_label", "unit", "scope_label", "source", "segment"]
    return published[columns].reset_index(drop=True)


def _panel(measure_id: str, lang: str) -> alt.LayerChart:
    measure = MEASURES[measure_id]
    colour = SCOPE_COLOURS.get(measure.scope, CONTEXT_COLOUR)
    base = alt.Chart().transform_filter(alt.datum.measure == measure_id)  # data from the concat
    x = alt.X(
        "year:Q",
        title=_("Year", lang),
        # Half a year of room at each end so points at 2014 and 2020 are not cut by the frame.
        scale=alt.Scale(domain=[YEARS[0] - 0.5, YEARS[-1] + 0.5], nice=False, zero=False),
        axis=alt.Axis(values=list(YEARS), format="d", labelAngle=0),
    )
    unit = text_in(measure.unit, lang)
    y = alt.Y("value:Q", title=unit[:1].upper() + unit[1:], scale=alt.Scale(zero=True))
    tooltip = [
        alt.Tooltip("year:Q", title=_("Year", lang), format="d"),
        alt.Tooltip("value_label:N", title=_("Value", lang)),
        alt.Tooltip("unit:N", title=_("Unit", lang)),
        alt.Tooltip("scope_label:N", title=_("Scope", lang)),
        alt.Tooltip("source:N", title=_("Source", lang)),
    ]
    line = base.mark_line(color=colour, strokeWidth=2).encode(x=x, y=y, detail="segment:N")
    points = base.mark_point(color=colour, filled=True, size=70, opacity=1).encode(x=x, y=y, tooltip=tooltip)
    scope = text_in(SCOPES[measure.scope], lang)
    subtitle = scope if measure.area == "Finland" else f"{scope}; {text_in(measure.area, lang)}"
    return layer(line, points).properties(
        width=PANEL_WIDTH,
        height=PANEL_HEIGHT,
        title=alt.TitleParams(text=text_in(measure.label, lang), subtitle=subtitle, anchor="start", fontSize=12),
    )


def national_series_chart(measures=None, lang: str = "en") -> alt.ConcatChart:
    """Panels of published national figures for `measures` (default: the chapter's series)."""
    data = national_chart_data(measures, lang)
    chosen = list(dict.fromkeys(national_series(measures)["measure"]))
    panels = [_panel(m, lang) for m in chosen]
    return alt.concat(*panels, columns=2, data=data).properties(
        title=alt.TitleParams(text=_(TITLE, lang), subtitle=[_(line, lang) for line in SUBTITLE], anchor="start"),
        background="white",
    )


def national_series_alt_text(measures=None, lang: str = "en") -> str:
    """Alt text naming each panel's published figures and the years without one."""
    series = national_series(measures)
    parts = []
    for measure_id, rows in series.groupby("measure", sort=False):
        measure = MEASURES[str(measure_id)]
        published = rows[rows["value"].notna()]
        missing = rows.loc[rows["value"].isna(), "year"].tolist()
        values = "; ".join(
            f"{int(cast(float, r.year))}: "
            f"{value_text(cast(float, r.value), r.qualifier, cast(str, r.unit), lang=lang, text=r.value_text)}"
            for r in published.itertuples()
        )
        gap = (
            " " + _("No published figure for {years}.", lang, years=", ".join(str(y) for y in missing))
            if missing
            else ""
        )
        label, scope = text_in(measure.label, lang), text_in(SCOPES[measure.scope], lang)
        parts.append(f"{label} [{scope}]: {values or _('no published figure', lang)}.{gap}")
    return (
        _(
            "Line charts in {n} panels, years {first} to {last} on the horizontal axis. Lines join only consecutive "
            "years with a published figure, so gaps are years without one.",
            lang,
            n=len(parts),
            first=YEARS[0],
            last=YEARS[-1],
        )
        + " "
        + " ".join(parts)
    )
