"""One indicator registry: one entry puts an indicator in the overview, the pilot context and the peers."""

from __future__ import annotations

import dataclasses

import pytest

from helpers.analysis import indicators, municipal_comparisons, overview, pilot
from helpers.chapters import introduction, pilot_tables

FAMILIES = indicators.Indicator(  # a real Sotkanet indicator of the release, not yet in any of the views
    "families_with_children_pct",
    179,
    name="families with children",
    context_label="Families with children (% of families)",
    peer_label="Families with children, %",
    overview=True,
    pilot_context=True,
    peers=True,
    weight_note="Total population on 31 Dec 2019 as weight.",
)


@pytest.fixture
def one_more_indicator(monkeypatch):
    monkeypatch.setattr(indicators, "INDICATORS", (*indicators.INDICATORS, FAMILIES))


def test_the_views_follow_the_registry_in_its_order():
    assert overview.pilot_indicator_table(2019)["indicator"].unique().tolist() == sorted(
        indicators.overview_indicators()
    )
    context = pilot.pilot_context_2019()
    assert list(context["indicator_id"].unique()) == [
        item.sotkanet_id for item in indicators.pilot_context_indicators()
    ]
    assert municipal_comparisons.peers(municipal_comparisons.indicator_values(), "837").indicators == (
        indicators.peer_indicators()
    )


def test_one_registry_entry_adds_an_indicator_to_every_view(one_more_indicator):
    assert "families_with_children_pct" in set(overview.pilot_indicator_table(2019)["indicator"])
    assert introduction.validate({"indicator": "families_with_children_pct"}).indicator == "families_with_children_pct"
    assert introduction.pilot_chart_alt_text().endswith("long-term unemployment or families with children.")
    context = pilot.pilot_context_2019()
    assert 179 in set(context["indicator_id"])
    assert context.loc[context["indicator_id"] == 179, "weight_note"].eq(FAMILIES.weight_note).all()
    values, national, _ = pilot_tables.context_frames(["837"])
    assert "Families with children (% of families)" in set(values["label"])
    peers = municipal_comparisons.peers(municipal_comparisons.indicator_values(), "837")
    assert "families_with_children_pct" in peers.indicators


def test_every_registry_entry_is_an_indicator_of_the_release():
    catalogue = municipal_comparisons.indicator_catalogue().set_index("indicator")["indicator_id"]
    for item in indicators.INDICATORS:
        assert catalogue[item.id] == item.sotkanet_id, item.id
        assert dataclasses.replace(item) == item
        if item.overview:
            assert item.name, item.id
        if item.pilot_context:
            assert item.context_label and item.weight_note, item.id
        if item.peers:
            assert item.peer_label, item.id
