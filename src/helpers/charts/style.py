"""Shared chart style: one colour-blind-safe palette and consistent pilot highlighting.

Okabe & Ito's palette stays distinguishable under the common forms of colour blindness;
every chart in the book takes its colours from here so a pilot municipality looks the
same on every page.
"""

from typing import Final

import altair as alt

OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}

# Pilot municipalities: one fixed colour each, in the order the pilot lists them.
PILOT_COLOURS = {
    "211": OKABE_ITO["orange"],  # Kangasala
    "320": OKABE_ITO["sky_blue"],  # Kemijärvi
    "297": OKABE_ITO["bluish_green"],  # Kuopio
    "680": OKABE_ITO["reddish_purple"],  # Raisio
    "837": OKABE_ITO["vermillion"],  # Tampere
    "851": OKABE_ITO["blue"],  # Tornio
}
PILOT_GROUP_COLOUR = OKABE_ITO["vermillion"]
COMPARISON_COLOUR = OKABE_ITO["blue"]
CONTEXT_COLOUR = "#BBBBBB"  # every other municipality, in the background
NATIONAL_COLOUR = OKABE_ITO["black"]

# Sequential scheme for maps: viridis-family schemes are colour-blind safe and print in grey.
# Final keeps the literal type that Altair checks scheme names against.
SEQUENTIAL_SCHEME: Final = "viridis"

CHART_WIDTH = 640
CHART_HEIGHT = 320


def layer(*charts: alt.Chart | alt.LayerChart, **kwargs: object) -> alt.LayerChart:
    """`alt.layer`, narrowed: Altair returns a FacetChart only when every layer carries the same facet
    encoding, which no chart of the book does; a layered chart that did would fail here, not later."""
    layered = alt.layer(*charts, **kwargs)
    if not isinstance(layered, alt.LayerChart):
        raise TypeError(f"expected a layered chart, Altair made a {type(layered).__name__} (facet encodings?)")
    return layered
