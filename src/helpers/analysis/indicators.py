"""The indicator registry: which Sotkanet indicators each part of the book shows, in one place.

Every Sotkanet indicator of the data release appears in the comparisons chapter (map, ranking,
scatter lists). This registry says where an indicator appears besides: the introduction's pilot
chart (``overview``), the pilot chapter's 2019 context (``pilot_context``, with the note on how its
national figure is weighted) and the peer comparison (``peers``, with a short column header).
Adding an indicator to all of them is one entry here; the order of the entries is the order
every view shows them in.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    id: str  # the data release's short id, e.g. "unemployment_rate_pct"
    sotkanet_id: int  # THL's indicator number
    name: str = ""  # in a sentence: "long-term unemployment"
    context_label: str = ""  # label in the pilot context chart and table
    peer_label: str = ""  # short column header of the peer table
    overview: bool = False  # the introduction's chart of the pilot municipalities
    pilot_context: bool = False  # the pilot chapter's 2019 context
    peers: bool = False  # the similarity measure of the comparisons chapter
    weight_note: str = ""  # pilot context: how the national figure computed from municipal values is weighted


_LABOUR_FORCE_WEIGHT = (
    "Total population on 31 Dec 2019 as weight (the indicator's denominator is the labour force); the "
    "ratio-of-counts figure uses {counted} and the labour force implied by Sotkanet's absolute values."
)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "social_assistance_recipients_25_64_pct",
        5,
        name="social assistance recipients aged 25–64",
        context_label="Social assistance recipients aged 25–64 (% of that age group)",
        peer_label="Social assistance 25–64, %",
        overview=True,
        pilot_context=True,
        peers=True,
        weight_note=(
            "Population-weighted national figure uses TOTAL population on 31 Dec 2019 as weight: the "
            "population aged 25–64 is not in the data. The ratio-of-counts figure uses the recipients "
            "and the age group implied by Sotkanet's absolute values."
        ),
    ),
    Indicator(
        "social_assistance_eur_per_resident",
        453,
        name="social assistance euros per resident",
        context_label="Social assistance (€ per resident)",
        overview=True,
        pilot_context=True,
        weight_note=(
            "Total population on 31 Dec 2019 as weight: for euros per resident this equals the total "
            "spending of the municipalities with data divided by their population."
        ),
    ),
    Indicator(
        "unemployment_rate_pct",
        181,
        name="unemployment",
        context_label="Unemployment (% of labour force)",
        overview=True,
        pilot_context=True,
        weight_note=_LABOUR_FORCE_WEIGHT.format(counted="unemployed"),
    ),
    Indicator(
        "long_term_unemployment_pct",
        3562,
        name="long-term unemployment",
        context_label="Long-term unemployment (% of labour force)",
        peer_label="Long-term unemployed, %",
        overview=True,
        pilot_context=True,
        peers=True,
        weight_note=_LABOUR_FORCE_WEIGHT.format(counted="the long-term unemployed"),
    ),
    Indicator("low_income_rate_pct", 3099, peer_label="Low income, %", peers=True),
    Indicator("tertiary_education_pct", 3195, peer_label="Tertiary education, %", peers=True),
    Indicator("demographic_dependency_ratio", 761, peer_label="Dependency ratio", peers=True),
)


def overview_indicators() -> tuple[str, ...]:
    return tuple(item.id for item in INDICATORS if item.overview)


def overview_names() -> tuple[str, ...]:
    """The overview's indicators in words, for the alt text of its chart."""
    return tuple(item.name for item in INDICATORS if item.overview)


def pilot_context_indicators() -> tuple[Indicator, ...]:
    return tuple(item for item in INDICATORS if item.pilot_context)


def peer_indicators() -> tuple[str, ...]:
    return tuple(item.id for item in INDICATORS if item.peers)


def peer_labels() -> dict[str, str]:
    return {item.id: item.peer_label for item in INDICATORS if item.peers}
