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
from helpers.charts.style import CHART_WIDTH, CONTEXT_COLOUR, OKABE_ITO, layer

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


def survey_coverage_data() -> pd.DataFrame:
    response = analysis.survey_response().set_index("finding_id")
    respondents = response.loc["respondents"]
    coverage = response.loc["population_coverage_pct"]
    return pd.DataFrame(
        [
            {
                "label": f"Responding areas ({respondents['value_label']})",
                "coverage_pct": coverage["value"],
                "value_label": coverage["value_label"],
                "source": analysis.reader_source(coverage["source"]),
            }
        ]
    )


def survey_coverage_chart() -> alt.LayerChart:
    """How much of Finland's population the responding municipalities and areas cover."""
    data = survey_coverage_data()
    period = str(analysis.survey_response().set_index("finding_id").loc["fieldwork_period", "value_label"])
    x = alt.X(
        "coverage_pct:Q",
        title="Share of Finland's population living in the responding areas (%)",
        scale=alt.Scale(domain=[0, 100]),
    )
    y = alt.Y("label:N", title=None, axis=alt.Axis(labelLimit=320))
    tooltip = [
        alt.Tooltip("label:N", title="Respondents"),
        alt.Tooltip("value_label:N", title="Population covered"),
        alt.Tooltip("source:N", title="Source"),
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
            "Kuntaliitto's 2019 survey: population covered by the answers",
            [
                f"Fieldwork {period}. The bar shows coverage of the population (grey = whole population),",
                "not a sample size; municipality-level answers are not public.",
            ],
        ),
    )


def survey_coverage_alt_text() -> str:
    response = analysis.survey_response().set_index("finding_id")
    return (
        "Horizontal bar on a scale of 0 to 100 per cent of Finland's population. "
        f"The responding areas ({str(response.loc['respondents', 'value_label'])}, surveyed "
        f"{str(response.loc['fieldwork_period', 'value_label'])}) cover "
        f"{str(response.loc['population_coverage_pct', 'value_label'])}; a grey bar behind it marks the "
        "whole population. This is population coverage, not a sample size."
    )


# --- growth in decisions ---------------------------------------------------------------------


def decision_growth_chart() -> alt.LayerChart:
    """The published change in supplementary and preventive decisions, 2018 on 2017."""
    data = analysis.decision_growth()[["label", "change_pct", "value_label", "period", "source"]]
    data = data.assign(source=data["source"].map(analysis.reader_source))
    top = max(25.0, 5 * math.ceil(float(data["change_pct"].max()) / 5) + 5)
    x = alt.X(
        "change_pct:Q", title="Change in the number of decisions, 2018 on 2017 (%)", scale=alt.Scale(domain=[0, top])
    )
    y = alt.Y("label:N", title=None, axis=alt.Axis(labelLimit=320))
    tooltip = [
        alt.Tooltip("label:N", title="Decisions"),
        alt.Tooltip("value_label:N", title="Change"),
        alt.Tooltip("period:N", title="Period"),
        alt.Tooltip("source:N", title="Source"),
    ]
    bar = alt.Chart().mark_bar(color=BAR_COLOUR, height=28).encode(x=x, y=y, tooltip=tooltip)
    label = alt.Chart().mark_text(align="left", dx=6, fontWeight="bold").encode(x=x, y=y, text="value_label:N")
    return layer(bar, label, data=data).properties(
        width=CHART_WIDTH - 300,
        height=60,
        background="white",
        title=_title(
            "Supplementary and preventive assistance decisions, 2018 compared with 2017",
            "Municipalities and cooperation areas answering Kuntaliitto's 2019 survey; the split by type is not published.",
        ),
    )


def decision_growth_alt_text() -> str:
    row = analysis.decision_growth().iloc[0]
    return (
        "A single horizontal bar: according to the areas answering Kuntaliitto's 2019 survey, the number "
        f"of supplementary and preventive social assistance decisions changed by {row['value_label']} "
        "from 2017 to 2018. No split by type of assistance is published."
    )


# --- who makes the decisions -----------------------------------------------------------------


def decision_makers_chart() -> alt.LayerChart:
    """Published shares of decisions by staff group; unpublished cells are labelled, not filled."""
    grid = analysis.decision_makers()
    data = grid[["assistance_label", "decision_maker_label", "share_pct", "value_label", "status", "source"]].copy()
    data["source"] = data["source"].map(analysis.reader_source)
    # Text of unpublished cells sits at 0; published labels sit at the end of their bar.
    data["label_x"] = data["share_pct"].fillna(0.0)
    data["text"] = [
        value if status == "published" else f"{maker}: {value}"
        for value, status, maker in zip(data["value_label"], data["status"], data["decision_maker_label"])
    ]
    data = data.drop(columns="value_label")
    assistance_order = list(analysis.ASSISTANCE_TYPES.values())
    maker_order = list(analysis.DECISION_MAKERS.values())
    x = alt.X("share_pct:Q", title="Share of the decisions of that type (%)", scale=alt.Scale(domain=[0, 100]))
    y = alt.Y("assistance_label:N", title=None, sort=assistance_order, axis=alt.Axis(labelLimit=240))
    y_offset = alt.YOffset("decision_maker_label:N", sort=maker_order)
    colour = alt.Color(
        "decision_maker_label:N",
        title="Decisions made by",
        scale=alt.Scale(domain=maker_order, range=[DECISION_MAKER_COLOURS[m] for m in maker_order]),
        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=320),
    )
    tooltip = [
        alt.Tooltip("assistance_label:N", title="Type of assistance"),
        alt.Tooltip("decision_maker_label:N", title="Decisions made by"),
        alt.Tooltip("text:N", title="Share"),
        alt.Tooltip("source:N", title="Source"),
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
            "Who makes supplementary and preventive assistance decisions",
            [
                "Shares as published from Kuntaliitto's 2019 survey. Shares the source does not give are",
                "marked 'not published' and are not computed from the others.",
            ],
        ),
    )


def decision_makers_alt_text() -> str:
    grid = analysis.decision_makers()
    published = grid[grid["status"] == "published"]
    unpublished = grid[grid["status"] != "published"]
    said = "; ".join(
        f"{str(r.decision_maker_label).lower()} make {r.value_label} of {str(r.assistance_label).lower()} decisions"
        for r in published.itertuples()
    )
    missing = "; ".join(
        f"{str(r.decision_maker_label).lower()} for {str(r.assistance_label).lower()}" for r in unpublished.itertuples()
    )
    return (
        "Grouped horizontal bars on a 0 to 100 per cent scale, by type of assistance and staff group. "
        f"Published shares: {said}. Not published: {missing}; the rest of each type is not attributed "
        "in the source and is not shown."
    )


# --- related evidence timeline ---------------------------------------------------------------


def related_evidence_data() -> pd.DataFrame:
    evidence = analysis.related_evidence()
    data = evidence[["evidence_id", "year", "event", "item", "kind", "value_label", "period", "date", "source"]].copy()
    data["source"] = data["source"].map(analysis.reader_source)
    data["label"] = [
        value if kind == "figure" else analysis.format_date(date)
        for value, kind, date in zip(data["value_label"], data["kind"], data["date"])
    ]
    return data[["year", "event", "item", "kind", "label", "period", "source"]]


def related_evidence_chart() -> alt.LayerChart:
    """Dated timeline of related evidence: one row per published figure, coloured by study."""
    data = related_evidence_data()
    years = sorted(set(int(y) for y in data["year"]))
    events = list(dict.fromkeys(data["event"]))
    x = alt.X(
        "year:Q",
        title="Year of publication (the transfer: date it took effect)",
        scale=alt.Scale(domain=[years[0] - 0.5, years[-1] + 0.5], nice=False, zero=False),
        axis=alt.Axis(values=list(range(years[0], years[-1] + 1)), format="d", labelAngle=0),
    )
    y = alt.Y("item:N", title=None, sort=list(data["item"]), axis=alt.Axis(labelLimit=400))
    colour = alt.Color(
        "event:N",
        title="Study or event",
        scale=alt.Scale(domain=events, range=EVENT_COLOURS[: len(events)]),
        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=420),
    )
    tooltip = [
        alt.Tooltip("event:N", title="Study or event"),
        alt.Tooltip("item:N", title="Figure"),
        alt.Tooltip("label:N", title="Value"),
        alt.Tooltip("period:N", title="Period covered"),
        alt.Tooltip("source:N", title="Source"),
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
            "Related evidence on social assistance after the 2017 transfer, by date",
            "Each row is one published figure; hover for the period it covers and the source.",
        ),
    )


def related_evidence_alt_text() -> str:
    data = related_evidence_data()
    parts = [f"{r.year}, {r.event}: {str(r.item).rstrip('.')} — {r.label}" for r in data.itertuples()]
    return (
        f"Timeline with {len(data)} rows, one per figure, placed by year from {data['year'].min()} to "
        f"{data['year'].max()}, coloured by study. " + "; ".join(parts) + "."
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
