"""Charts of the Kuntaliitto 2019 survey, related evidence and Kela's notifications.

Every figure drawn comes from the fact tables through helpers.analysis.survey; no municipality
appears (the survey's municipal answers are not public). Shares are drawn as published: a
cell the source does not give is labelled "not published", never filled in as a complement.
Each builder returns an Altair chart (white background, titled, axis titles with units,
Okabe–Ito colours, tooltips with the source) and has a companion `*_alt_text()`. Tooltips cite
sources as the chapter's tables do (`analysis.reader_source`: without the project's seed numbers).
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from helpers.analysis import survey as analysis
from helpers.charts.facts_wording import date_text, period_text, text_in, value_text
from helpers.charts.style import CHART_WIDTH, CONTEXT_COLOUR, OKABE_ITO, layer
from helpers.i18n import _

BAR_COLOUR = OKABE_ITO["blue"]
DECISION_MAKER_COLOURS = {
    "Benefit handlers": OKABE_ITO["orange"],
    "Social workers and social instructors": OKABE_ITO["blue"],
}
NOTIFICATION_COLOURS = [OKABE_ITO["blue"], OKABE_ITO["bluish_green"]]
EVENT_COLOURS = [
    OKABE_ITO["black"],
    OKABE_ITO["orange"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["sky_blue"],
]
NOT_PUBLISHED_COLOUR = "#555555"  # dark grey text: readable on white, distinct from the bars


def _title(text: str, subtitle) -> alt.TitleParams:
    return alt.TitleParams(text=text, subtitle=subtitle, anchor="start")


# --- response and coverage -------------------------------------------------------------------


def _response(lang: str) -> dict[str, str]:
    """The survey's respondents, coverage and fieldwork period as the edition writes them."""
    findings = {str(row["finding_id"]): row for row in analysis.survey_findings().to_dict("records")}
    respondents, coverage = findings["respondents"], findings["population_coverage_pct"]
    return {
        "respondents": value_text(
            float(respondents["value_num"]), None, str(respondents["unit"]), lang=lang, text=str(respondents["value"])
        ),
        "coverage": value_text(
            float(coverage["value_num"]), None, str(coverage["unit"]), lang=lang, text=str(coverage["value"])
        ),
        "coverage_number": value_text(float(coverage["value_num"]), None, "%", lang=lang, text=str(coverage["value"])),
        "period": period_text(str(findings["fieldwork_period"]["value"]), lang),
        "source": text_in(analysis.reader_source(coverage["source"]), lang),
    }


def survey_coverage_data(lang: str = "en") -> pd.DataFrame:
    response = analysis.survey_response().set_index("finding_id")
    words = _response(lang)
    return pd.DataFrame(
        [
            {
                "label": _("Responding areas ({respondents})", lang, respondents=words["respondents"]),
                "coverage_pct": response.loc["population_coverage_pct", "value"],
                "value_label": words["coverage_number"],
                "source": words["source"],
            }
        ]
    )


def survey_coverage_chart(lang: str = "en") -> alt.LayerChart:
    """How much of Finland's population the responding municipalities and areas cover."""
    data = survey_coverage_data(lang)
    period = _response(lang)["period"]
    x = alt.X(
        "coverage_pct:Q",
        title=_("Share of Finland's population living in the responding areas (%)", lang),
        scale=alt.Scale(domain=[0, 100]),
    )
    y = alt.Y("label:N", title=None, axis=alt.Axis(labelLimit=320))
    tooltip = [
        alt.Tooltip("label:N", title=_("Respondents", lang)),
        alt.Tooltip("value_label:N", title=_("Population covered", lang)),
        alt.Tooltip("source:N", title=_("Source", lang)),
    ]
    whole = alt.Chart().mark_bar(color=CONTEXT_COLOUR, height=28).encode(x=alt.datum(100), y=y)
    covered = alt.Chart().mark_bar(color=BAR_COLOUR, height=28).encode(x=x, y=y, tooltip=tooltip)
    label = (
        alt.Chart()
        .mark_text(align="right", dx=-6, color="white", fontWeight="bold")
        .encode(x=x, y=y, text="value_label:N")
    )
    return layer(whole, covered, label, data=data).properties(
        width=CHART_WIDTH - 260,
        height=60,
        background="white",
        title=_title(
            _("Kuntaliitto's 2019 survey: population covered by the answers", lang),
            [
                _(
                    "Fieldwork {period}. The bar shows coverage of the population (grey = whole population),",
                    lang,
                    period=period,
                ),
                _("not a sample size; municipality-level answers are not public.", lang),
            ],
        ),
    )


def survey_coverage_alt_text(lang: str = "en") -> str:
    words = _response(lang)
    return _(
        "Horizontal bar on a scale of 0 to 100 per cent of Finland's population. The responding areas "
        "({respondents}, surveyed {period}) cover {coverage}; a grey bar behind it marks the whole population. This "
        "is population coverage, not a sample size.",
        lang,
        respondents=words["respondents"],
        period=words["period"],
        coverage=words["coverage"],
    )


# --- growth in decisions ---------------------------------------------------------------------


def _growth(lang: str) -> pd.DataFrame:
    data = analysis.decision_growth()[["label", "change_pct", "period", "source"]].copy()
    data["value_label"] = [value_text(float(v), None, "%", lang=lang, signed=True) for v in data["change_pct"]]
    data["label"] = [text_in(x, lang) for x in data["label"]]
    data["period"] = [text_in(x, lang) for x in data["period"]]
    data["source"] = [text_in(analysis.reader_source(x), lang) for x in data["source"]]
    return data[["label", "change_pct", "value_label", "period", "source"]]


def decision_growth_chart(lang: str = "en") -> alt.LayerChart:
    """The published change in supplementary and preventive decisions, 2018 on 2017."""
    data = _growth(lang)
    top = max(25.0, 5 * math.ceil(float(data["change_pct"].max()) / 5) + 5)
    x = alt.X(
        "change_pct:Q",
        title=_("Change in the number of decisions, 2018 on 2017 (%)", lang),
        scale=alt.Scale(domain=[0, top]),
    )
    y = alt.Y("label:N", title=None, axis=alt.Axis(labelLimit=320))
    tooltip = [
        alt.Tooltip("label:N", title=_("Decisions", lang)),
        alt.Tooltip("value_label:N", title=_("Change", lang)),
        alt.Tooltip("period:N", title=_("Period", lang)),
        alt.Tooltip("source:N", title=_("Source", lang)),
    ]
    bar = alt.Chart().mark_bar(color=BAR_COLOUR, height=28).encode(x=x, y=y, tooltip=tooltip)
    label = alt.Chart().mark_text(align="left", dx=6, fontWeight="bold").encode(x=x, y=y, text="value_label:N")
    return layer(bar, label, data=data).properties(
        width=CHART_WIDTH - 300,
        height=60,
        background="white",
        title=_title(
            _("Supplementary and preventive assistance decisions, 2018 compared with 2017", lang),
            _(
                "Municipalities and cooperation areas answering Kuntaliitto's 2019 survey; the split by type is not "
                "published.",
                lang,
            ),
        ),
    )


def decision_growth_alt_text(lang: str = "en") -> str:
    row = _growth(lang).iloc[0]
    return _(
        "A single horizontal bar: according to the areas answering Kuntaliitto's 2019 survey, the number of "
        "supplementary and preventive social assistance decisions changed by {change} from 2017 to 2018. No split by "
        "type of assistance is published.",
        lang,
        change=row["value_label"],
    )


# --- who makes the decisions -----------------------------------------------------------------


def _makers(lang: str) -> pd.DataFrame:
    grid = analysis.decision_makers()
    data = grid[["assistance_label", "decision_maker_label", "share_pct", "status", "source"]].copy()
    data["value_label"] = [
        value_text(float(v), None, "%", lang=lang) if status == "published" else _("not published", lang)
        for v, status in zip(data["share_pct"], data["status"])
    ]
    data["assistance_label"] = [text_in(x, lang) for x in data["assistance_label"]]
    data["decision_maker_label"] = [text_in(x, lang) for x in data["decision_maker_label"]]
    data["source"] = [text_in(analysis.reader_source(x), lang) for x in data["source"]]
    return data


def decision_makers_chart(lang: str = "en") -> alt.LayerChart:
    """Published shares of decisions by staff group; unpublished cells are labelled, not filled."""
    data = _makers(lang)
    # Text of unpublished cells sits at 0; published labels sit at the end of their bar.
    data["label_x"] = data["share_pct"].fillna(0.0)
    data["text"] = [
        value if status == "published" else f"{maker}: {value}"
        for value, status, maker in zip(data["value_label"], data["status"], data["decision_maker_label"])
    ]
    data = data.drop(columns="value_label")
    assistance_order = [text_in(x, lang) for x in analysis.ASSISTANCE_TYPES.values()]
    maker_order = [text_in(x, lang) for x in analysis.DECISION_MAKERS.values()]
    maker_colours = [DECISION_MAKER_COLOURS[m] for m in analysis.DECISION_MAKERS.values()]
    x = alt.X("share_pct:Q", title=_("Share of the decisions of that type (%)", lang), scale=alt.Scale(domain=[0, 100]))
    y = alt.Y("assistance_label:N", title=None, sort=assistance_order, axis=alt.Axis(labelLimit=240))
    y_offset = alt.YOffset("decision_maker_label:N", sort=maker_order)
    colour = alt.Color(
        "decision_maker_label:N",
        title=_("Decisions made by", lang),
        scale=alt.Scale(domain=maker_order, range=maker_colours),
        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=320),
    )
    tooltip = [
        alt.Tooltip("assistance_label:N", title=_("Type of assistance", lang)),
        alt.Tooltip("decision_maker_label:N", title=_("Decisions made by", lang)),
        alt.Tooltip("text:N", title=_("Share", lang)),
        alt.Tooltip("source:N", title=_("Source", lang)),
    ]
    bars = (
        alt.Chart()
        .transform_filter(alt.datum.status == "published")
        .mark_bar()
        .encode(x=x, y=y, yOffset=y_offset, color=colour, tooltip=tooltip)
    )
    published_labels = (
        alt.Chart()
        .transform_filter(alt.datum.status == "published")
        .mark_text(align="left", dx=4, fontWeight="bold")
        .encode(x=alt.X("label_x:Q"), y=y, yOffset=y_offset, text="text:N")
    )
    # The unpublished text names the group and says "not published", so it reads without colour.
    unpublished_labels = (
        alt.Chart()
        .transform_filter(alt.datum.status != "published")
        .mark_text(align="left", dx=4, fontStyle="italic", color=NOT_PUBLISHED_COLOUR)
        .encode(x=alt.X("label_x:Q"), y=y, yOffset=y_offset, text="text:N")
    )
    return layer(bars, published_labels, unpublished_labels, data=data).properties(
        width=CHART_WIDTH - 260,
        height=alt.Step(22),
        background="white",
        title=_title(
            _("Who makes supplementary and preventive assistance decisions", lang),
            [
                _("Shares as published from Kuntaliitto's 2019 survey. Shares the source does not give are", lang),
                _("marked 'not published' and are not computed from the others.", lang),
            ],
        ),
    )


def decision_makers_alt_text(lang: str = "en") -> str:
    grid = _makers(lang)
    published = grid[grid["status"] == "published"]
    unpublished = grid[grid["status"] != "published"]
    said = "; ".join(
        _(
            "{makers} make {share} of {assistance} decisions",
            lang,
            makers=str(r.decision_maker_label).lower(),
            share=r.value_label,
            assistance=str(r.assistance_label).lower(),
        )
        for r in published.itertuples()
    )
    missing = "; ".join(
        _(
            "{makers} for {assistance}",
            lang,
            makers=str(r.decision_maker_label).lower(),
            assistance=str(r.assistance_label).lower(),
        )
        for r in unpublished.itertuples()
    )
    return _(
        "Grouped horizontal bars on a 0 to 100 per cent scale, by type of assistance and staff group. Published "
        "shares: {said}. Not published: {missing}; the rest of each type is not attributed in the source and is not "
        "shown.",
        lang,
        said=said,
        missing=missing,
    )


# --- related evidence timeline ---------------------------------------------------------------

SIGNED_UNITS = ("% increase", "M€ increase", "change in staff")


def related_evidence_data(lang: str = "en") -> pd.DataFrame:
    evidence = analysis.related_evidence()
    data = evidence[
        ["evidence_id", "year", "event", "item", "kind", "value", "qualifier", "unit", "period", "date", "source"]
    ].copy()
    data["label"] = [
        value_text(v, q, u if isinstance(u, str) else "", lang=lang, signed=u in SIGNED_UNITS)
        if kind == "figure"
        else date_text(date, lang)
        for v, q, u, kind, date in zip(data["value"], data["qualifier"], data["unit"], data["kind"], data["date"])
    ]
    for column in ("event", "item", "period"):
        data[column] = [text_in(x, lang) for x in data[column]]
    data["source"] = [text_in(analysis.reader_source(x), lang) for x in data["source"]]
    return data[["year", "event", "item", "kind", "label", "period", "source"]]


def related_evidence_chart(lang: str = "en") -> alt.LayerChart:
    """Dated timeline of related evidence: one row per published figure, coloured by study."""
    data = related_evidence_data(lang)
    years = sorted(set(int(y) for y in data["year"]))
    events = list(dict.fromkeys(data["event"]))
    x = alt.X(
        "year:Q",
        title=_("Year of publication (the transfer: date it took effect)", lang),
        scale=alt.Scale(domain=[years[0] - 0.5, years[-1] + 0.5], nice=False, zero=False),
        axis=alt.Axis(values=list(range(years[0], years[-1] + 1)), format="d", labelAngle=0),
    )
    y = alt.Y("item:N", title=None, sort=list(data["item"]), axis=alt.Axis(labelLimit=400))
    colour = alt.Color(
        "event:N",
        title=_("Study or event", lang),
        scale=alt.Scale(domain=events, range=EVENT_COLOURS[: len(events)]),
        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=420),
    )
    tooltip = [
        alt.Tooltip("event:N", title=_("Study or event", lang)),
        alt.Tooltip("item:N", title=_("Figure", lang)),
        alt.Tooltip("label:N", title=_("Value", lang)),
        alt.Tooltip("period:N", title=_("Period covered", lang)),
        alt.Tooltip("source:N", title=_("Source", lang)),
    ]
    transfer = (
        alt.Chart()
        .transform_filter(alt.datum.kind == "event")
        .mark_rule(strokeDash=[4, 3], color=OKABE_ITO["grey"])
        .encode(x=x)
    )
    points = alt.Chart().mark_point(filled=True, size=90, opacity=1).encode(x=x, y=y, color=colour, tooltip=tooltip)
    labels = alt.Chart().mark_text(align="left", dx=8).encode(x=x, y=y, text="label:N")
    return layer(transfer, points, labels, data=data).properties(
        width=300,
        height=alt.Step(24),
        background="white",
        title=_title(
            _("Related evidence on social assistance after the 2017 transfer, by date", lang),
            _("Each row is one published figure; hover for the period it covers and the source.", lang),
        ),
    )


def related_evidence_alt_text(lang: str = "en") -> str:
    data = related_evidence_data(lang)
    parts = [f"{r.year}, {r.event}: {str(r.item).rstrip('.')} — {r.label}" for r in data.itertuples()]
    return (
        _(
            "Timeline with {n} rows, one per figure, placed by year from {first} to {last}, coloured by study.",
            lang,
            n=len(data),
            first=data["year"].min(),
            last=data["year"].max(),
        )
        + " "
        + "; ".join(parts)
        + "."
    )


# --- Kela notifications ----------------------------------------------------------------------


def kela_notifications_chart(table=None) -> alt.FacetChart:
    """Published shares of Kela's notifications to municipal social work, one panel per distribution."""
    shares = analysis.kela_notification_shares(table)
    data = shares[["table_label", "category", "share_pct", "value_label", "source"]].copy()
    data["source"] = data["source"].map(analysis.reader_source)
    panels = list(dict.fromkeys(data["table_label"]))
    totals = shares.drop_duplicates("table_label")["published_total_pct"].tolist()
    x = alt.X("share_pct:Q", title="Share of the notifications in the panel (%)", scale=alt.Scale(domain=[0, 100]))
    y = alt.Y("category:N", title=None, sort=list(data["category"]), axis=alt.Axis(labelLimit=360))
    colour = alt.Color(
        "table_label:N",
        scale=alt.Scale(domain=panels, range=NOTIFICATION_COLOURS[: len(panels)]),
        legend=None,
    )
    tooltip = [
        alt.Tooltip("category:N", title="Notification"),
        alt.Tooltip("value_label:N", title="Share"),
        alt.Tooltip("source:N", title="Source"),
    ]
    bars = alt.Chart().mark_bar().encode(x=x, y=y, color=colour, tooltip=tooltip)
    labels = alt.Chart().mark_text(align="left", dx=4).encode(x=x, y=y, text="value_label:N")
    total_text = " and ".join(f"{analysis.format_number(t)} %" for t in totals)
    return (
        layer(bars, labels, data=data)
        .properties(width=CHART_WIDTH - 320, height=alt.Step(22))
        .facet(
            row=alt.Row(
                "table_label:N",
                title=None,
                sort=panels,
                header=alt.Header(
                    labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top", labelFontWeight="bold"
                ),
            )
        )
        .resolve_scale(y="independent")
        .properties(
            background="white",
            title=_title(
                "Kela's notifications to municipal social work (pilot-era study)",
                [
                    f"Published shares add up to {total_text}: the source does not break down the rest,",
                    "so the bars do not and should not sum to 100 %.",
                ],
            ),
        )
    )


def kela_notifications_alt_text(table=None) -> str:
    shares = analysis.kela_notification_shares(table)
    parts = []
    for label, rows in shares.groupby("table_label", sort=False):
        items = ", ".join(f"{str(r.category).lower()} {r.value_label}" for r in rows.itertuples())
        total = analysis.format_number(rows["published_total_pct"].iloc[0])
        parts.append(f"{label}: {items} (published shares add up to {total} %)")
    return "Horizontal bar charts on a 0 to 100 per cent scale. " + "; ".join(parts) + "."
