"""Charts of the municipal social-assistance series: the long run (1990-2011, 2013 division) and the
share of families with children receiving social assistance around the Kela transfer of 2017.

The frames come from :mod:`helpers.analysis.long_run`; Altair publishes them as chart-data files
beside the page (``helpers.charts.render``), so no data row is inlined in a notebook.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

from helpers.charts.facts_wording import municipality_name
from helpers.charts.style import CHART_HEIGHT, CHART_WIDTH, CONTEXT_COLOUR, NATIONAL_COLOUR, PILOT_COLOURS, layer
from helpers.i18n import _
from helpers.text import format_number, format_percent


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> pd.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: the frame lacks columns {missing}")
    return frame


def long_run_chart(
    spread: pd.DataFrame, municipalities: pd.DataFrame, *, unit: str, lang: str = "en"
) -> alt.LayerChart:
    """The interquartile range and median across municipalities (grey), and each given municipality
    in its 2013 borders (pilot colours); words and names in the edition ``lang``, ``unit`` already in it."""
    spread = _require(spread, ("year", "q1", "median", "q3", "n_municipalities"), "long_run_chart")[
        ["year", "q1", "median", "q3", "n_municipalities"]
    ]
    units = _require(municipalities, ("year", "municipality_code", "name_fi", "value"), "long_run_chart")[
        ["year", "municipality_code", "name_fi", "value"]
    ]
    # the name column keeps its field name; its values are the edition's names (Tammerfors in sv)
    units = units.assign(
        name_fi=[municipality_name(c, n, lang) for c, n in zip(units["municipality_code"], units["name_fi"])]
    )
    years = [int(spread["year"].min()), int(spread["year"].max())]
    x = alt.X("year:Q", title=_("Year", lang), scale=alt.Scale(domain=years, nice=False), axis=alt.Axis(format="d"))
    y_title = unit[:1].upper() + unit[1:]
    band = (
        alt.Chart(spread)
        .mark_area(color=CONTEXT_COLOUR, opacity=0.5)
        .encode(
            x=x,
            y=alt.Y("q1:Q", title=y_title),
            y2="q3:Q",
            tooltip=[
                alt.Tooltip("year:Q", title=_("Year", lang), format="d"),
                alt.Tooltip("q1:Q", title=_("Lower quartile", lang), format=".1f"),
                alt.Tooltip("q3:Q", title=_("Upper quartile", lang), format=".1f"),
                alt.Tooltip("n_municipalities:Q", title=_("Municipalities with a value", lang)),
            ],
        )
    )
    median = (
        alt.Chart(spread)
        .mark_line(color=NATIONAL_COLOUR, strokeDash=[4, 3], strokeWidth=2)
        .encode(
            x=x,
            y="median:Q",
            tooltip=[
                alt.Tooltip("year:Q", title=_("Year", lang), format="d"),
                alt.Tooltip("median:Q", title=_("Median municipality", lang), format=".1f"),
            ],
        )
    )
    codes = sorted(units["municipality_code"].unique())
    names = units.drop_duplicates("municipality_code").set_index("municipality_code")["name_fi"]
    colour = alt.Color(
        "name_fi:N",
        title=_("Municipality (2013 borders)", lang),
        scale=alt.Scale(
            domain=[str(names[c]) for c in codes], range=[PILOT_COLOURS.get(c, NATIONAL_COLOUR) for c in codes]
        ),
        legend=alt.Legend(orient="bottom", columns=3),
    )
    lines = (
        alt.Chart(units)
        .mark_line(strokeWidth=2, point=alt.OverlayMarkDef(size=20))
        .encode(
            x=x,
            y="value:Q",
            color=colour,
            detail="municipality_code:N",
            tooltip=[
                alt.Tooltip("name_fi:N", title=_("Municipality", lang)),
                alt.Tooltip("year:Q", title=_("Year", lang), format="d"),
                alt.Tooltip("value:Q", title=_("Value", lang), format=".1f"),
            ],
        )
    )
    return layer(band, median, lines).properties(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        background="white",
        title=alt.TitleParams(
            text=_("Persons who received social assistance during the year, % of residents, 1990–2011", lang),
            subtitle=[
                _(
                    "Grey band: the middle half of the municipalities; dashed: the median municipality; lines: the pilot",
                    lang,
                ),
                _("municipalities in their 2013 borders. Sotkanet indicator 493, the 2013 municipal division.", lang),
            ],
            anchor="start",
        ),
    )


def long_run_alt_text(spread: pd.DataFrame, municipalities: pd.DataFrame, *, unit: str, lang: str = "en") -> str:
    med = {int(y): float(v) for y, v in zip(spread["year"], spread["median"], strict=True)}
    peak = max(med, key=lambda y: med[y])
    first, last = min(med), max(med)
    last_values = municipalities[municipalities["year"] == municipalities["year"].max()]
    listed = "; ".join(
        f"{municipality_name(r.municipality_code, str(r.name_fi), lang)} {format_number(float(r.value), 1, lang=lang)}"
        for r in last_values.itertuples()
    )
    return _(
        "A grey band and a dashed line for the middle half and the median of the municipalities ({unit}), {first} to "
        "{last}, with one line per pilot municipality. The median municipality's value was {first_value} in {first}, "
        "highest in {peak} at {peak_value}, and {last_value} in {last}. Pilot municipalities in {pilot_year}: "
        "{listed}.",
        lang,
        unit=unit,
        first=first,
        last=last,
        first_value=format_number(med[first], 1, lang=lang),
        peak=peak,
        peak_value=format_number(med[peak], 1, lang=lang),
        last_value=format_number(med[last], 1, lang=lang),
        pilot_year=int(municipalities["year"].max()),
        listed=listed,
    )


def families_chart(
    national: pd.DataFrame, *, transfer_year: int, marks: Mapping[int, str], lang: str = "en"
) -> alt.LayerChart:
    """The national share of families with children receiving social assistance (from counts), one
    point per year, with the transfer year and other ``marks`` (year -> label) as rules."""
    data = _require(national, ("year", "share_pct", "n_municipalities", "coverage_pct"), "families_chart")[
        ["year", "share_pct", "n_municipalities", "coverage_pct"]
    ]
    years = [int(data["year"].min()), int(data["year"].max())]
    x = alt.X("year:Q", title=_("Year", lang), scale=alt.Scale(domain=years, nice=False), axis=alt.Axis(format="d"))
    line = (
        alt.Chart(data)
        .mark_line(
            color=NATIONAL_COLOUR, strokeWidth=2, point=alt.OverlayMarkDef(size=30, filled=True, color=NATIONAL_COLOUR)
        )
        .encode(
            x=x,
            y=alt.Y("share_pct:Q", title=_("% of families with children", lang), scale=alt.Scale(zero=True)),
            tooltip=[
                alt.Tooltip("year:Q", title=_("Year", lang), format="d"),
                alt.Tooltip("share_pct:Q", title=_("Share, %", lang), format=".2f"),
                alt.Tooltip("n_municipalities:Q", title=_("Municipalities with both counts", lang)),
                alt.Tooltip("coverage_pct:Q", title=_("Their share of all families, %", lang), format=".1f"),
            ],
        )
    )
    rules_frame = pd.DataFrame({"year": list(marks), "label": list(marks.values())})
    rules = (
        alt.Chart(rules_frame)
        .mark_rule(color=CONTEXT_COLOUR, strokeDash=[4, 3], strokeWidth=2)
        .encode(x=x, tooltip=[alt.Tooltip("label:N", title="")])
    )
    text = (
        alt.Chart(rules_frame)
        .mark_text(align="left", baseline="top", dx=4, dy=4, fontSize=11, color=NATIONAL_COLOUR)
        .encode(x=x, y=alt.value(0), text="label:N")
    )
    return layer(rules, line, text).properties(
        width=CHART_WIDTH,
        height=CHART_HEIGHT - 40,
        background="white",
        title=alt.TitleParams(
            text=_(
                "Families with children receiving social assistance, whole country, {first}–{last}",
                lang,
                first=years[0],
                last=years[1],
            ),
            subtitle=[
                _(
                    "Sum of the families receiving over the sum of families with children, over the municipalities whose",
                    lang,
                ),
                _(
                    "counts are published (Sotkanet indicators 423 and 179). Dashed: {year}, basic assistance to Kela.",
                    lang,
                    year=transfer_year,
                ),
            ],
            anchor="start",
        ),
    )


def families_alt_text(national: pd.DataFrame, *, transfer_year: int, lang: str = "en") -> str:
    s = {int(y): float(v) for y, v in zip(national["year"], national["share_pct"], strict=True)}
    first, last = min(s), max(s)
    peak = max(s, key=lambda y: s[y])
    return _(
        "A line, one point per year from {first} to {last}, of the share of families with children that received "
        "social assistance, computed from municipal counts. {first_value} in {first}; highest in {peak} at "
        "{peak_value}; {before_value} in {before} and {transfer_value} in {transfer}, the year basic assistance moved "
        "to Kela (a dashed line); {last_value} in {last}.",
        lang,
        first=first,
        last=last,
        peak=peak,
        before=transfer_year - 1,
        transfer=transfer_year,
        first_value=format_percent(s[first], 1, lang=lang),
        peak_value=format_percent(s[peak], 1, lang=lang),
        before_value=format_percent(s[transfer_year - 1], 1, lang=lang),
        transfer_value=format_percent(s[transfer_year], 1, lang=lang),
        last_value=format_percent(s[last], 1, lang=lang),
    )
