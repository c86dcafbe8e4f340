"""Charts of the introduction."""

from __future__ import annotations

import altair as alt
import pandas as pd

from helpers.charts.style import CHART_WIDTH, CONTEXT_COLOUR, PILOT_GROUP_COLOUR
from helpers.i18n import N_, _, translated

MEDIAN = "Median municipality"  # as the analysis names the median row
# The overview indicators' labels as Sotkanet gives them in English, and their units.
INDICATOR_LABELS = {
    "Long-term unemployed, % of labour force": N_("Long-term unemployed, % of labour force"),
    "Social assistance, EUR per resident": N_("Social assistance, EUR per resident"),
    "Social assistance recipients aged 25-64, % of population of the same age": N_(
        "Social assistance recipients aged 25-64, % of population of the same age"
    ),
    "Unemployed, % of labour force": N_("Unemployed, % of labour force"),
    "% of labour force": N_("% of labour force"),
    "EUR per resident": N_("EUR per resident"),
    "% of population aged 25-64": N_("% of population aged 25-64"),
    MEDIAN: N_("Median municipality"),
}


def _words(text: str, lang: str) -> str:
    return translated(INDICATOR_LABELS.get(text, text), lang)


def _municipality(name: str, lang: str) -> str:
    """A pilot municipality in the edition's language (Tampere -> Tammerfors in Swedish)."""
    if name == MEDIAN:
        return _words(name, lang)
    if lang != "sv":
        return name
    from helpers.data import municipalities

    return municipalities.name(name, lang="sv")


def pilot_indicator_bars(table: pd.DataFrame, initial_indicator: str, lang: str = "en") -> alt.Chart:
    """Bars of the pilot municipalities and the median municipality, with a dropdown for the indicator."""
    if lang != "en":
        table = table.assign(
            indicator_label=[_words(value, lang) for value in table["indicator_label"]],
            unit=[_words(value, lang) for value in table["unit"]],
            municipality=[_municipality(value, lang) for value in table["municipality"]],
        )
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
        bind=alt.binding_select(options=options, labels=names, name=_("Indicator: ", lang)),
    )
    data = table.assign(label=table["indicator_label"] + " (" + table["unit"] + ")")
    is_median = alt.datum.municipality == _words(MEDIAN, lang)
    return (
        alt.Chart(data[["indicator", "label", "municipality", "value"]])
        .mark_bar()
        .encode(
            x=alt.X("value:Q", title=_("Value (unit in the dropdown)", lang)),
            y=alt.Y("municipality:N", sort="-x", title=None),
            color=alt.condition(is_median, alt.value(CONTEXT_COLOUR), alt.value(PILOT_GROUP_COLOUR)),
            tooltip=[
                alt.Tooltip("municipality:N", title=_("Municipality", lang)),
                alt.Tooltip("label:N", title=_("Indicator", lang)),
                alt.Tooltip("value:Q", title=_("Value", lang), format=",.1f"),
            ],
        )
        .add_params(chosen)
        .transform_filter(alt.datum.indicator == chosen)
        .properties(
            width=CHART_WIDTH - 200,
            height=220,
            title=_("The six pilot municipalities in {year}", lang, year=2019),
            background="white",
        )
    )
