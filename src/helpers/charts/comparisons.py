"""Charts of the municipality comparisons chapter: linked views that work in a static page.

Page weight is the constraint (the page, Vega included, must load under 2 MB; the theme and Vega
alone take 1.8 MB), so the interactive figure's data are published once, compactly, and shared:

* ``comparisons-municipalities``: the map municipalities as ONE record of parallel columns (no
  key repeated per row; each view starts with a Vega ``flatten`` that turns it into rows):
  ``c`` code, ``n`` Finnish name, ``s`` Swedish name ("" when the same) and ``v``, per municipality the 2019 Sotkanet values in catalogue order as integer
  TENTHS (Sotkanet publishes one decimal, so this is lossless; null = no data). The views read the
  element the dropdowns choose and divide by ten.
* ``comparisons-boundaries-<division>``: the TopoJSON, only the municipality object with each
  geometry's code as ``id``, simplified for display (``SIMPLIFY_KM``, ``GRID_KM``: about two
  pixels of the map, which shows some 2.7 km per pixel).
* the chosen municipality's trend (``comparisons-trend``: monthly and annual arrays of four
  series, tenths) and Diak indices (a few rows).

Ranks and peers are computed in the page with the rules of ``helpers.analysis.municipal_comparisons``:
Vega's ``rank`` (1 = highest; ties share the lowest rank) and z-scores with the sample standard
deviation over the municipalities with every peer indicator.
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass
from typing import cast

import altair as alt
import pandas as pd

from helpers.analysis import municipal_comparisons as cmp
from helpers.charts import comparisons_words as words
from helpers.charts.render import records_json
from helpers.charts.style import CONTEXT_COLOUR, OKABE_ITO, PILOT_GROUP_COLOUR
from helpers.data.municipalities import pilot_codes
from helpers.i18n import N_, _

CHOSEN_COLOUR = OKABE_ITO["black"]
NO_DATA_COLOUR = "#E0E0E0"
ROLE_DOMAIN = [N_("Chosen municipality"), N_("Pilot municipality"), N_("Other municipality")]


def role_domain(lang: str = "en") -> list[str]:
    """The scatter legend's three roles in ``lang`` (chosen, pilot, other municipality)."""
    return [_(role, lang) for role in ROLE_DOMAIN]


ROLE_RANGE = [CHOSEN_COLOUR, PILOT_GROUP_COLOUR, CONTEXT_COLOUR]
TREND_ROLES = ["municipality", "region", "urban_rural", "finland"]
TREND_RANGE = [CHOSEN_COLOUR, OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["grey"]]
DIAK_RANGE = [OKABE_ITO["vermillion"], OKABE_ITO["blue"], OKABE_ITO["bluish_green"]]
MUNICIPALITY_COLUMNS: list[str] = ["c", "n", "s", "v"]
SIMPLIFY_KM = 5.0  # Douglas–Peucker tolerance: about two pixels of the 420-pixel-high map
GRID_KM = 1.2  # quantization grid of the simplified boundaries

# Param names: stable, so specs are deterministic and the browser tests can find the controls
# (Vega gives each bound <select> its param's name: select[name="municipality_pick"]).
MUNICIPALITY_PARAM = "municipality_pick"
INDICATOR_PARAM = "indicator_pick"
SCATTER_X_PARAM = "scatter_x_pick"
SCATTER_Y_PARAM = "scatter_y_pick"
FREQUENCY_PARAM = "trend_frequency"


# ----------------------------------------------------------------------------------- page data


@dataclass
class PageData:
    """The shared data of the interactive figure (each published file once)."""

    municipalities: pd.DataFrame  # one row of parallel columns (see the module docstring)
    notes: dict[str, str]  # division notes by code (only a few municipalities have one)
    topology: dict
    indicators: pd.DataFrame  # catalogue order = order of the ``v`` arrays
    division: int
    lang: str = "en"  # the edition: names in ``n`` are its own, ``s`` the other national language's

    def column(self, key: str) -> list:
        # The cell holds a list; pandas-stubs can only type a cell as some scalar.
        return list(cast(list, self.municipalities.at[0, key]))

    def municipality_options(self) -> tuple[list[str], list[str]]:
        labels = [cmp.display_name(n, s or n) for n, s in zip(self.column("n"), self.column("s"))]
        return self.column("c"), labels

    def chart_data_bytes(self) -> dict[str, int]:
        """Bytes of each file the interactive figure publishes, as the renderer writes them."""
        return {
            "municipalities": len(records_json(self.municipalities).encode()),
            "boundaries": len(
                json.dumps(self.topology, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
            ),
        }


def chapter_chart_data_bytes(page: PageData, chapter: cmp.Comparisons) -> int:
    """Bytes of all the chart data the chapter's figures publish (the page loads each file once)."""
    over_time = [trend_record(chapter.code, chapter.division, page.lang)]
    diak = _diak_frame(chapter.code, chapter.division, page.lang)
    if diak is not None:
        over_time.append(diak)
    return sum(page.chart_data_bytes().values()) + sum(len(records_json(f).encode()) for f in over_time)


def tenths(values) -> list:
    """Numbers as integer tenths (11.23 -> 112); missing -> None."""
    return [None if pd.isna(v) else int(round(float(v) * 10)) for v in values]


def page_data(chapter: cmp.Comparisons, lang: str = "en") -> PageData:
    """The interactive figure's data: municipalities in picker order (alphabetical by the names the
    edition shows: Finnish in fi and en, Swedish where one exists in sv)."""
    table = chapter.table.copy()
    table["shown"] = [words.municipality_name(fi, sv, lang) for fi, sv in zip(table["name_fi"], table["name_sv"])]
    table["other"] = [words.other_name(fi, sv, lang) for fi, sv in zip(table["name_fi"], table["name_sv"])]
    if lang == "sv":
        table = table.sort_values("shown", key=lambda names: names.map(cmp.finnish_sort_key), kind="stable")
    catalogue = cmp.indicator_catalogue()
    indicators = list(catalogue["indicator"])
    record = {
        "c": list(table["municipality_code"]),
        "n": list(table["shown"]),
        "s": list(table["other"]),
        "v": [tenths(values) for values in table[indicators].itertuples(index=False)],
    }
    renamed = dict(zip(table["name_fi"], table["shown"]))
    return PageData(
        municipalities=pd.DataFrame({key: [record[key]] for key in MUNICIPALITY_COLUMNS}),
        notes={
            code: words.division_note(note, lang, renamed)
            for code, note in zip(table["municipality_code"], table["note"])
            if note
        },
        topology=simplify_topology(compact_topology(chapter.division), SIMPLIFY_KM, GRID_KM),
        indicators=catalogue,
        division=chapter.division,
        lang=lang,
    )


# ------------------------------------------------------------------------------ expressions


def short_unit(unit: str) -> str:
    """Unit after each legend label: '%' for shares, '€' for euros, otherwise none (the map title
    gives the full unit)."""
    if unit.startswith("%"):
        return " %"
    if unit.startswith("EUR"):
        return " €"
    return ""


def title_lines(label: str, width: int = 48) -> list[str]:
    """An indicator label in two lines: what is measured, then its denominator ("…, % of …")."""
    head, sep, tail = label.partition(", ")
    if sep and len(head) <= width:
        return [head, tail]
    lines = textwrap.wrap(label, width)
    return [lines[0], " ".join(lines[1:])]


def option_label(label: str, unit: str, lang: str = "en") -> str:
    """Dropdown label: the measure and its unit ("Unemployed (% of labour force)"), in ``lang``."""
    return words.indicator_label(label, unit, lang)


def vega_text(template: str, **expressions: str) -> str:
    """A Vega string expression from a translated ``template``: each ``{name}`` becomes the
    expression given for it, the rest string literals ("rank {rank} of {n}" -> 'rank ' + ...)."""
    parts = re.split(r"\{(\w+)\}", template)
    pieces = [
        json.dumps(part, ensure_ascii=False) if k % 2 == 0 else f"({expressions[part]})" for k, part in enumerate(parts)
    ]
    return " + ".join(piece for piece in pieces if piece != '""') or '""'


# Derived signals: the position of each dropdown's indicator in the ``v`` arrays.
INDEX_SIGNALS = {INDICATOR_PARAM: "indicator_index", SCATTER_X_PARAM: "x_index", SCATTER_Y_PARAM: "y_index"}


def _value(param: str) -> str:
    index = INDEX_SIGNALS[param]
    return f"datum.v && isValid(datum.v[{index}]) ? datum.v[{index}] / 10 : null"


def is_pilot_expression() -> str:
    """Vega expression: true when the datum's municipality code (``datum.c``) is a pilot municipality."""
    return "indexof([" + ",".join(f"'{c}'" for c in pilot_codes()) + "], datum.c) >= 0"


def _constant_params(page: PageData) -> list[alt.Parameter]:
    cat = page.indicators
    return [
        alt.param(name="indicator_ids", value=list(cat["indicator"])),
        alt.param(
            name="indicator_titles", value=[title_lines(words.label(str(x), page.lang)) for x in cat["indicator_label"]]
        ),
        alt.param(name="indicator_units", value=[words.label(str(x), page.lang) for x in cat["unit"]]),
        alt.param(name="indicator_short_units", value=[short_unit(str(x)) for x in cat["unit"]]),
        alt.param(name="division_notes", value=dict(sorted(page.notes.items()))),
        *[alt.param(name=index, expr=f"indexof(indicator_ids, {param})") for param, index in INDEX_SIGNALS.items()],
    ]


def _value_text(lang: str = "en") -> str:
    """Vega expression: "12.3 % of labour force, rank 4 of 292" or "no data (note)" in ``lang``."""
    value = vega_text(
        _("{value} {unit}, rank {rank} of {total}", lang),
        value="format(datum.val, ',.1f')",
        unit="indicator_units[indicator_index]",
        rank="datum.rank",
        total="datum.n_valid",
    )
    no_data = json.dumps(_("no data", lang), ensure_ascii=False)
    return (
        f"isValid(datum.val) ? {value} : {no_data} + "
        "(division_notes[datum.c] ? ' (' + division_notes[datum.c] + ')' : '')"
    )


def _ranked(chart, lang: str = "en"):
    """Add val, n_valid, rank (1 = highest; ties share the lowest rank; null without a value) and
    value_text for the map and ranking's indicator."""
    return (
        chart.transform_calculate(val=_value(INDICATOR_PARAM))
        .transform_calculate(sortval="isValid(datum.val) ? datum.val : -1e12")
        .transform_joinaggregate(n_valid="valid(val)")
        .transform_window(rank_all="rank()", sort=[alt.SortField("sortval", order="descending")])
        .transform_calculate(rank="isValid(datum.val) ? datum.rank_all : null", value_text=_value_text(lang))
    )


# ------------------------------------------------------------------------- captions, alt text


def linked_views_text(chapter: cmp.Comparisons, lang: str = "en") -> dict[str, str]:
    """Caption and alt text of the linked figure (``charts.figure(..., **linked_views_text(c, lang))``)."""
    return {
        "caption": _(
            "Municipalities compared on the {year} Sotkanet indicators: map, national ranking, "
            "scatter of two indicators and the most similar municipalities, linked to the lists under the "
            "figure; a click on a municipality of the map or the ranking opens its page. Source: THL, "
            "Sotkanet.fi (CC BY 4.0); boundaries: Statistics Finland (CC BY 4.0).",
            lang,
            year=chapter.year,
        ),
        "alt_text": _(
            "A map of Finland's municipalities coloured by the chosen indicator (darker is higher, grey is no "
            "data) with the chosen municipality outlined; a ranked bar chart of all municipalities with the "
            "chosen one in black and its value and rank written above; a scatter of two indicators with the "
            "chosen municipality as a large labelled dot and the pilot municipalities as diamonds; and its "
            "ten most similar municipalities. Lists under the figure choose the municipality, the indicator "
            "and the scatter's axes.",
            lang,
        ),
    }


def over_time_text(chapter: cmp.Comparisons, lang: str = "en") -> dict[str, str]:
    """Caption and alt text of the over-time figure."""
    has_diak = not cmp.diak_series(chapter.code, division=chapter.division).empty
    name = words.municipality_name(chapter.name_fi, chapter.name_sv, lang)
    if has_diak:
        caption = _(
            "{name} over time: unemployed job seekers as a share of the labour force against its region, its "
            "urban–rural group and Finland, and Diak's disadvantage indices (median municipality = 100). Sources: "
            "Ministry of Economic Affairs and Employment, employment service statistics (Statistics Finland, "
            "CC BY 4.0); Diak, from THL Sotkanet data.",
            lang,
            name=name,
        )
        alt_text = _(
            "Lines of the unemployment rate 2006–2020 for {name} (black, thicker), its region (blue), its "
            "urban–rural group (orange) and Finland (grey), annual or monthly as chosen in the list under the "
            "figure; below, lines of Diak indices for {name} by centre year 2011–2020 with a dashed line at 100 "
            "for the median municipality.",
            lang,
            name=name,
        )
    else:
        caption = _(
            "{name} over time: unemployed job seekers as a share of the labour force against its region, its "
            "urban–rural group and Finland. Sources: Ministry of Economic Affairs and Employment, employment "
            "service statistics (Statistics Finland, CC BY 4.0).",
            lang,
            name=name,
        )
        alt_text = _(
            "Lines of the unemployment rate 2006–2020 for {name} (black, thicker), its region (blue), its "
            "urban–rural group (orange) and Finland (grey), annual or monthly as chosen in the list under the "
            "figure.",
            lang,
            name=name,
        )
    return {"caption": caption, "alt_text": alt_text}


# The figures of the chosen municipality, the boundaries and the map's table live in their own
# modules; imported last (they build on the names above) and re-exported for the notebook.
from helpers.charts.comparisons_boundaries import compact_topology, simplify_topology  # noqa: E402
from helpers.charts.comparisons_linked_views import linked_views, peer_list_view  # noqa: E402
from helpers.charts.comparisons_map_table import TableAlternative, table_alternative  # noqa: E402
from helpers.charts.comparisons_over_time import _diak_frame, over_time_chart, trend_record  # noqa: E402

__all__ = [
    "CHOSEN_COLOUR",
    "PageData",
    "ROLE_DOMAIN",
    "ROLE_RANGE",
    "role_domain",
    "SIMPLIFY_KM",
    "TableAlternative",
    "chapter_chart_data_bytes",
    "compact_topology",
    "is_pilot_expression",
    "linked_views",
    "peer_list_view",
    "linked_views_text",
    "over_time_chart",
    "over_time_text",
    "page_data",
    "simplify_topology",
    "table_alternative",
    "trend_record",
]
