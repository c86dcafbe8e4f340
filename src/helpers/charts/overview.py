"""Charts of the introduction."""

from __future__ import annotations

import altair as alt
import pandas as pd

from helpers.charts.style import CHART_WIDTH, CONTEXT_COLOUR, PILOT_GROUP_COLOUR


def pilot_indicator_bars(table: pd.DataFrame, initial_indicator: str) -> alt.Chart:
    """Bars of the pilot municipalities and the median municipality, with a dropdown for the indicator."""
    labels = (
        table[["indicator", "indicator_label", "unit"]]
        .drop_duplicates()
        .sort_values("indicator")
        .reset_index(drop=True)
    )
    options = list(labels["indicator"])
    names = [f"{row.indicator_label} ({row.unit})" for row in labels.itertuples()]
    chosen = alt.param(
        name="overview_indicator",
        value=initial_indicator,
        bind=alt.binding_select(options=options, labels=names, name="Indicator: "),
    )
    data = table.assign(label=table["indicator_label"] + " (" + table["unit"] + ")")
    is_median = alt.datum.municipality == "Median municipality"
    return (
        alt.Chart(data[["indicator", "label", "municipality", "value"]])
        .mark_bar()
        .encode(
            x=alt.X("value:Q", title="Value (unit in the dropdown)"),
            y=alt.Y("municipality:N", sort="-x", title=None),
            color=alt.condition(is_median, alt.value(CONTEXT_COLOUR), alt.value(PILOT_GROUP_COLOUR)),
            tooltip=[
                alt.Tooltip("municipality:N", title="Municipality"),
                alt.Tooltip("label:N", title="Indicator"),
                alt.Tooltip("value:Q", title="Value", format=",.1f"),
            ],
        )
        .add_params(chosen)
        .transform_filter(alt.datum.indicator == chosen)
        .properties(
            width=CHART_WIDTH - 200, height=220, title="The six pilot municipalities in 2019", background="white"
        )
    )
