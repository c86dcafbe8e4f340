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

Ranks and peers are computed in the page with the rules of ``helpers.analysis.comparisons``:
Vega's ``rank`` (1 = highest; ties share the lowest rank) and z-scores with the sample standard
deviation over the municipalities with every peer indicator.
"""

from __future__ import annotations

import json
import math
import textwrap
from dataclasses import dataclass

import altair as alt
import pandas as pd

from helpers.analysis import municipal_comparisons as cmp
from helpers.charts.render import named_data, records_json, topojson_data
from helpers.charts.style import CONTEXT_COLOUR, OKABE_ITO, PILOT_GROUP_COLOUR, SEQUENTIAL_SCHEME
from helpers.data.municipalities import pilot_codes

CHOSEN_COLOUR = OKABE_ITO["black"]
NO_DATA_COLOUR = "#E0E0E0"
ROLE_DOMAIN = ["Chosen municipality", "Pilot municipality", "Other municipality"]
ROLE_RANGE = [CHOSEN_COLOUR, PILOT_GROUP_COLOUR, CONTEXT_COLOUR]
TREND_ROLES = ["municipality", "region", "urban_rural", "finland"]
TREND_RANGE = [CHOSEN_COLOUR, OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["grey"]]
DIAK_RANGE = [OKABE_ITO["vermillion"], OKABE_ITO["blue"], OKABE_ITO["bluish_green"]]
MUNICIPALITY_COLUMNS = ["c", "n", "s", "v"]
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

    def column(self, key: str) -> list:
        return list(self.municipalities.at[0, key])

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
    over_time = [trend_record(chapter.code, chapter.division)]
    diak = _diak_frame(chapter.code, chapter.division)
    if diak is not None:
        over_time.append(diak)
    return sum(page.chart_data_bytes().values()) + sum(len(records_json(f).encode()) for f in over_time)


def tenths(values) -> list:
    """Numbers as integer tenths (11.23 -> 112); missing -> None."""
    return [None if pd.isna(v) else int(round(float(v) * 10)) for v in values]


def page_data(chapter: cmp.Comparisons) -> PageData:
    """The interactive figure's data: municipalities in picker order (Finnish alphabetical)."""
    table = chapter.table
    catalogue = cmp.indicator_catalogue()
    indicators = list(catalogue["indicator"])
    record = {
        "c": list(table["municipality_code"]),
        "n": list(table["name_fi"]),
        "s": ["" if sv == fi else sv for fi, sv in zip(table["name_fi"], table["name_sv"])],
        "v": [tenths(values) for values in table[indicators].itertuples(index=False)],
    }
    return PageData(
        municipalities=pd.DataFrame({key: [record[key]] for key in MUNICIPALITY_COLUMNS}),
        notes={code: note for code, note in zip(table["municipality_code"], table["note"]) if note},
        topology=simplify_topology(compact_topology(chapter.division), SIMPLIFY_KM, GRID_KM),
        indicators=catalogue,
        division=chapter.division,
    )


# ----------------------------------------------------------------------------------- boundaries


def compact_topology(division: int) -> dict:
    """The division's TopoJSON with only the municipality object, each geometry's code as ``id``
    (names come from the shared table) and only the arcs those geometries use."""
    dataset_id, obj, prop = cmp.MAP_DIVISIONS[int(division)]
    topo = cmp.data.load_topojson(dataset_id)
    geometries = sorted(topo["objects"][obj]["geometries"], key=lambda g: str(g["properties"][prop]).zfill(3))
    used = sorted({_arc_index(ref) for g in geometries for ref in _arc_refs(g["arcs"])})
    renumber = {old: new for new, old in enumerate(used)}

    def remap(node):
        if isinstance(node, list):
            return [remap(item) for item in node]
        return renumber[node] if node >= 0 else ~renumber[~node]

    return {
        "type": "Topology",
        "transform": topo["transform"],
        "objects": {
            "municipalities": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": g["type"], "id": str(g["properties"][prop]).zfill(3), "arcs": remap(g["arcs"])}
                    for g in geometries
                ],
            }
        },
        "arcs": [topo["arcs"][i] for i in used],
    }


def _arc_index(ref: int) -> int:
    return ref if ref >= 0 else ~ref


def _arc_refs(node) -> list[int]:
    if isinstance(node, list):
        return [ref for item in node for ref in _arc_refs(item)]
    return [node]


def _rings(geometry: dict) -> list[list[int]]:
    if geometry["type"] == "Polygon":
        return list(geometry["arcs"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["arcs"] for ring in polygon]
    return []


def _decode(arc: list[list[int]]) -> list[tuple[int, int]]:
    x = y = 0
    points = []
    for dx, dy in arc:
        x += dx
        y += dy
        points.append((x, y))
    return points


def _encode(points: list[tuple[int, int]]) -> list[list[int]]:
    out, px, py = [], 0, 0
    for x, y in points:
        out.append([x - px, y - py])
        px, py = x, y
    return out


def _douglas_peucker(points, tolerance: float, kx: float, ky: float) -> list:
    """Keep the points further than ``tolerance`` (km) from the simplified line; ends always kept."""
    n = len(points)
    if n < 3:
        return list(points)
    keep = [False] * n
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        ax, ay = points[a][0] * kx, points[a][1] * ky
        bx, by = points[b][0] * kx, points[b][1] * ky
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        best, best_i = -1.0, a
        for i in range(a + 1, b):
            px, py = points[i][0] * kx, points[i][1] * ky
            d = abs(dy * (px - ax) - dx * (py - ay)) / length if length else math.hypot(px - ax, py - ay)
            if d > best:
                best, best_i = d, i
        if best > tolerance:
            keep[best_i] = True
            stack += [(a, best_i), (best_i, b)]
    return [p for p, k in zip(points, keep) if k]


def _simplify_arc(points, tolerance: float, kx: float, ky: float) -> list:
    if len(points) > 4 and points[0] == points[-1]:
        # A closed arc (an island): split at the point furthest from the start, keep >= 4 positions.
        far = max(
            range(len(points)),
            key=lambda i: ((points[i][0] - points[0][0]) * kx) ** 2 + ((points[i][1] - points[0][1]) * ky) ** 2,
        )
        out = _douglas_peucker(points[: far + 1], tolerance, kx, ky)[:-1] + _douglas_peucker(
            points[far:], tolerance, kx, ky
        )
        return out if len(out) >= 4 else list(points)
    return _douglas_peucker(points, tolerance, kx, ky)


def _ring_area(ring: list[int], arcs: list[list[tuple[int, int]]]) -> float:
    points: list[tuple[int, int]] = []
    for ref in ring:
        arc = arcs[ref] if ref >= 0 else arcs[~ref][::-1]
        points.extend(arc if not points else arc[1:])
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]))


def _quantize(points: list[tuple[int, int]], factor: int) -> list[tuple[int, int]]:
    coarse = [(round(x / factor), round(y / factor)) for x, y in points]
    out = [coarse[0]]
    for point in coarse[1:]:
        if point != out[-1]:
            out.append(point)
    if len(out) < 2:
        out = [coarse[0], coarse[-1]]
    return out


def _broken_rings(rings, reference, candidate, scale: float = 1.0) -> list[list[int]]:
    """Rings whose area changed sign or shrank below half between ``reference`` and ``candidate``."""
    broken = []
    for ring in rings:
        before, after = _ring_area(ring, reference), _ring_area(ring, candidate) * scale
        if before * after <= 0 or abs(after) < 0.5 * abs(before):
            broken.append(ring)
    return broken


def simplify_topology(topo: dict, tolerance_km: float, grid_km: float = 0.0) -> dict:
    """Coarser quantization (``grid_km``) and Douglas–Peucker (``tolerance_km``) on each shared arc,
    so neighbours keep one common border.

    A ring whose area would change sign or shrink below half keeps its unsimplified arcs (a flipped
    ring fills the whole map in a spherical renderer); if the coarser grid alone breaks a ring, the
    original grid is kept.
    """
    scale_x, scale_y = topo["transform"]["scale"]
    original = [_decode(arc) for arc in topo["arcs"]]
    latitudes = [p[1] * scale_y + topo["transform"]["translate"][1] for arc in original for p in arc]
    mid_latitude = (min(latitudes) + max(latitudes)) / 2
    kx = scale_x * 111.32 * math.cos(math.radians(mid_latitude))
    ky = scale_y * 110.57
    rings = [ring for g in topo["objects"]["municipalities"]["geometries"] for ring in _rings(g)]
    factor = max(1, int(grid_km / min(kx, ky))) if grid_km else 1
    base = [_quantize(points, factor) for points in original]
    if factor > 1 and _broken_rings(rings, original, base, factor * factor):
        factor, base = 1, original
    simplified = [_simplify_arc(points, tolerance_km, kx * factor, ky * factor) for points in base]
    changed = True
    while changed:
        changed = False
        for ring in _broken_rings(rings, base, simplified):
            for ref in ring:
                index = _arc_index(ref)
                if simplified[index] != base[index]:
                    simplified[index] = base[index]
                    changed = True
    transform = {"scale": [scale_x * factor, scale_y * factor], "translate": topo["transform"]["translate"]}
    return dict(topo, transform=transform, arcs=[_encode(points) for points in simplified])


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


def option_label(label: str, unit: str) -> str:
    """Dropdown label: the measure and its unit ("Unemployed (% of labour force)")."""
    head, sep, _ = label.partition(", ")
    return f"{head if sep else label} ({unit})"


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
        alt.param(name="indicator_titles", value=[title_lines(str(x)) for x in cat["indicator_label"]]),
        alt.param(name="indicator_units", value=[str(x) for x in cat["unit"]]),
        alt.param(name="indicator_short_units", value=[short_unit(str(x)) for x in cat["unit"]]),
        alt.param(name="division_notes", value=dict(sorted(page.notes.items()))),
        *[alt.param(name=index, expr=f"indexof(indicator_ids, {param})") for param, index in INDEX_SIGNALS.items()],
    ]


def _value_text() -> str:
    return (
        "isValid(datum.val) ? format(datum.val, ',.1f') + ' ' + indicator_units[indicator_index] "
        "+ ', rank ' + datum.rank + ' of ' + datum.n_valid : 'no data' + "
        "(division_notes[datum.c] ? ' (' + division_notes[datum.c] + ')' : '')"
    )


def _ranked(chart):
    """Add val, n_valid, rank (1 = highest; ties share the lowest rank; null without a value) and
    value_text for the map and ranking's indicator."""
    return (
        chart.transform_calculate(val=_value(INDICATOR_PARAM))
        .transform_calculate(sortval="isValid(datum.val) ? datum.val : -1e12")
        .transform_joinaggregate(n_valid="valid(val)")
        .transform_window(rank_all="rank()", sort=[alt.SortField("sortval", order="descending")])
        .transform_calculate(rank="isValid(datum.val) ? datum.rank_all : null", value_text=_value_text())
    )


# ------------------------------------------------------------------- Figure: linked 2019 views


def linked_views(page: PageData, chapter: cmp.Comparisons) -> alt.HConcatChart:
    """Map, national ranking, scatter and nearest peers of 2019, driven by one municipality picker
    (``municipality_pick``), the indicator of the map and ranking (``indicator_pick``) and the
    scatter's axes (``scatter_x_pick``, ``scatter_y_pick``). Each panel is a layer whose shared
    transforms sit on the layer (so the spec states them once)."""
    codes, labels = page.municipality_options()
    ids = list(page.indicators["indicator"])
    names = [option_label(str(r.indicator_label), str(r.unit)) for r in page.indicators.itertuples()]
    x_indicator, y_indicator = chapter.indicators
    pick = alt.param(
        name=MUNICIPALITY_PARAM,
        value=chapter.code,
        bind=alt.binding_select(options=codes, labels=labels, name="Municipality: "),
    )
    indicator = alt.param(
        name=INDICATOR_PARAM,
        value=y_indicator,
        bind=alt.binding_select(options=ids, labels=names, name="Indicator (map and ranking): "),
    )
    scatter_x = alt.param(
        name=SCATTER_X_PARAM,
        value=x_indicator,
        bind=alt.binding_select(options=ids, labels=names, name="Scatter x-axis: "),
    )
    scatter_y = alt.param(
        name=SCATTER_Y_PARAM,
        value=y_indicator,
        bind=alt.binding_select(options=ids, labels=names, name="Scatter y-axis: "),
    )
    municipalities = named_data(page.municipalities, "comparisons-municipalities")
    boundaries = topojson_data(page.topology, f"comparisons-boundaries-{page.division}", feature="municipalities")
    chosen = f"datum.c === {MUNICIPALITY_PARAM}"
    base = alt.Chart()
    role = f"{chosen} ? '{ROLE_DOMAIN[0]}' : ({is_pilot_expression()} ? '{ROLE_DOMAIN[1]}' : '{ROLE_DOMAIN[2]}')"

    # ---- map: the municipalities, each with its geometry looked up by code
    fill = alt.condition(
        "isValid(datum.val)",
        alt.Color(
            "val:Q",
            scale=alt.Scale(scheme=SEQUENTIAL_SCHEME, reverse=True, zero=False),
            legend=alt.Legend(
                title="Value (unit in the title)",
                orient="bottom",
                direction="horizontal",
                gradientLength=200,
                labelExpr="datum.label + indicator_short_units[indicator_index]",
            ),
        ),
        alt.value(NO_DATA_COLOUR),
    )
    areas = base.mark_geoshape(stroke="white", strokeWidth=0.3).encode(
        shape="geo:G",
        color=fill,
        tooltip=[
            alt.Tooltip("n:N", title="Municipality"),
            alt.Tooltip("swedish:N", title="In Swedish"),
            alt.Tooltip("value_text:N", title="Value"),
        ],
    )
    outline = (
        base.mark_geoshape(filled=False, stroke=CHOSEN_COLOUR, strokeWidth=2.4)
        .encode(shape="geo:G")
        .transform_filter(chosen)
    )
    map_chart = (
        _ranked(
            alt.layer(areas.properties(name="map_areas"), outline.properties(name="map_chosen"), data=municipalities)
            .transform_flatten(MUNICIPALITY_COLUMNS)
            .transform_lookup(lookup="c", from_=alt.LookupData(boundaries, key="id"), as_="geo")
        )
        .transform_calculate(swedish="datum.s ? datum.s : datum.n")
        .properties(
            name="comparison_map",
            width=240,
            height=420,
            projection=alt.Projection(type="transverseMercator", rotate=[-27, 0, 0]),
            title=alt.TitleParams(
                text=alt.expr(
                    "['Map: ' + indicator_titles[indicator_index][0], indicator_titles[indicator_index][1], "
                    "'Unit: ' + indicator_units[indicator_index] + '. Grey: no data']"
                ),
                fontSize=12,
                anchor="start",
                limit=300,
            ),
        )
    )

    # ---- ranking
    position = dict(pos="row_number()")
    order = [alt.SortField("val", order="descending"), alt.SortField("c")]
    bars = (
        base.mark_bar()
        .encode(
            x=alt.X(
                "pos:O", axis=alt.Axis(labels=False, ticks=False, title="Municipalities, highest value on the left")
            ),
            y=alt.Y("val:Q", title=None),
            color=alt.Color("role:N", scale=alt.Scale(domain=ROLE_DOMAIN, range=ROLE_RANGE), legend=None),
            tooltip=[alt.Tooltip("n:N", title="Municipality"), alt.Tooltip("value_text:N", title="Value")],
        )
        .transform_filter("isValid(datum.val)")
        .transform_window(**position, sort=order)
    )
    marker = (
        base.mark_point(shape="triangle-down", filled=True, size=90, color=CHOSEN_COLOUR, yOffset=-8)
        .encode(x="pos:O", y="val:Q")
        .transform_filter("isValid(datum.val)")
        .transform_window(**position, sort=order)
        .transform_filter(chosen)
    )
    label = (
        base.mark_text(align="left", baseline="top", fontSize=11, fontWeight="bold", limit=340)
        .encode(x=alt.value(0), y=alt.value(-16), text="text:N")
        .transform_filter(chosen)
        .transform_calculate(
            text="datum.n + ': ' + (isValid(datum.val) ? 'rank ' + datum.rank + ' of ' + datum.n_valid + ', ' + "
            "format(datum.val, ',.1f') + ' ' + indicator_units[indicator_index] : datum.value_text)"
        )
    )
    ranking = (
        _ranked(
            alt.layer(
                bars.properties(name="ranking_bars"),
                marker.properties(name="ranking_chosen"),
                label.properties(name="ranking_label"),
                data=municipalities,
            ).transform_flatten(MUNICIPALITY_COLUMNS)
        )
        .transform_calculate(role=role)
        .properties(
            name="comparison_ranking",
            width=340,
            height=120,
            title=alt.TitleParams(
                text=alt.expr("['National ranking (1 = highest)', indicator_titles[indicator_index][0]]"),
                fontSize=12,
                anchor="start",
                offset=24,
                limit=340,
            ),
        )
    )

    # ---- scatter
    points = base.mark_point(filled=True, opacity=0.85).encode(
        x=alt.X("x:Q", title=None, scale=alt.Scale(zero=False)),
        y=alt.Y("y:Q", title=None, scale=alt.Scale(zero=False)),
        color=alt.Color(
            "role:N",
            sort=ROLE_DOMAIN,
            scale=alt.Scale(domain=ROLE_DOMAIN, range=ROLE_RANGE),
            legend=alt.Legend(title=None, orient="bottom", direction="horizontal"),
        ),
        shape=alt.Shape(
            "role:N",
            sort=ROLE_DOMAIN,
            scale=alt.Scale(domain=ROLE_DOMAIN, range=["circle", "diamond", "circle"]),
            legend=alt.Legend(title=None, orient="bottom", direction="horizontal"),
        ),
        size=alt.Size(
            "role:N", sort=ROLE_DOMAIN, scale=alt.Scale(domain=ROLE_DOMAIN, range=[170, 70, 22]), legend=None
        ),
        order=alt.Order("layer:Q"),
        tooltip=[
            alt.Tooltip("n:N", title="Municipality"),
            alt.Tooltip("x:Q", title="x", format=",.1f"),
            alt.Tooltip("y:Q", title="y", format=",.1f"),
        ],
    )
    point_label = (
        base.mark_text(align="left", dx=9, fontSize=11, fontWeight="bold")
        .encode(x="x:Q", y="y:Q", text="n:N")
        .transform_filter(chosen)
    )
    scatter_marks = (
        alt.layer(
            points.properties(name="scatter_points"), point_label.properties(name="scatter_label"), data=municipalities
        )
        .transform_flatten(MUNICIPALITY_COLUMNS)
        .transform_calculate(
            x=_value(SCATTER_X_PARAM),
            y=_value(SCATTER_Y_PARAM),
            role=role,
            layer=f"{chosen} ? 2 : ({is_pilot_expression()} ? 1 : 0)",
        )
        .transform_filter("isValid(datum.x) && isValid(datum.y)")
    )
    # Axis titles follow the dropdowns (Vega-Lite axis titles cannot be expressions).
    one_row = alt.InlineData(values=[{}])
    x_title = (
        alt.Chart(one_row)
        .mark_text(
            text=alt.expr("'x: ' + indicator_titles[x_index][0]"),
            fontSize=10,
            baseline="top",
            limit=340,
        )
        .encode(x=alt.value(170), y=alt.value(184))
    )
    y_title = (
        alt.Chart(one_row)
        .mark_text(
            text=alt.expr("'y: ' + indicator_titles[y_index][0]"),
            fontSize=10,
            angle=270,
            baseline="bottom",
            limit=160,
        )
        .encode(x=alt.value(-32), y=alt.value(80))
    )
    scatter = alt.layer(
        scatter_marks, x_title.properties(name="scatter_x_title"), y_title.properties(name="scatter_y_title")
    ).properties(
        name="comparison_scatter",
        width=340,
        height=160,
        title=alt.TitleParams(text="Two indicators (axes: the last two lists)", fontSize=12, anchor="start"),
    )

    peers = peer_list_view(page, municipalities, chosen)
    return (
        alt.hconcat(map_chart, alt.vconcat(ranking, scatter, peers, spacing=30), spacing=16)
        .add_params(pick, indicator, scatter_x, scatter_y, *_constant_params(page))
        .resolve_scale(color="independent")
        .properties(
            background="white", description="Linked map, ranking, scatter and peers of the 2019 municipal indicators"
        )
        .configure_view(stroke=None)
    )


def peer_list_view(page: PageData, municipalities, chosen: str) -> alt.LayerChart:
    """The chosen municipality's nearest peers, computed in the page as ``analysis.comparisons.peers``."""
    order = list(page.indicators["indicator"])
    fields = [f"p{k}" for k in range(len(cmp.peer_indicators()))]
    calc = {
        f: f"datum.v && isValid(datum.v[{order.index(i)}]) ? datum.v[{order.index(i)}] / 10 : null"
        for f, i in zip(fields, cmp.peer_indicators())
    }
    complete = " && ".join(f"isValid(datum.{f})" for f in fields)
    distance = "sqrt(" + " + ".join(f"pow(datum.z_{f} - datum.c_{f}, 2)" for f in fields) + ")"
    rows_per_column = (cmp.N_PEERS + 1) // 2
    base = alt.Chart()
    listing = (
        base.mark_text(align="left", baseline="top", fontSize=11)
        .encode(
            x=alt.X("column:Q", scale=alt.Scale(domain=[0, 2], range=[0, 340]), axis=None),
            y=alt.Y("line:Q", scale=alt.Scale(domain=[0, rows_per_column], range=[0, 16 * rows_per_column]), axis=None),
            text="text:N",
            tooltip=[
                alt.Tooltip("n:N", title="Municipality"),
                alt.Tooltip("distance:Q", title="Distance (z-scores)", format=".2f"),
            ],
        )
        .transform_filter(complete)
        .transform_joinaggregate(
            **{f"mean_{f}": f"mean({f})" for f in fields}, **{f"sd_{f}": f"stdev({f})" for f in fields}
        )
        .transform_calculate(**{f"z_{f}": f"(datum.{f} - datum.mean_{f}) / datum.sd_{f}" for f in fields})
        .transform_calculate(**{f"sel_{f}": f"{chosen} ? datum.z_{f} : null" for f in fields})
        .transform_joinaggregate(**{f"c_{f}": f"max(sel_{f})" for f in fields})
        .transform_filter(f"isValid(datum.c_{fields[0]}) && !({chosen})")
        .transform_calculate(distance=distance)
        .transform_window(rank="row_number()", sort=[alt.SortField("distance"), alt.SortField("c")])
        .transform_filter(f"datum.rank <= {cmp.N_PEERS}")
        .transform_calculate(
            text="datum.rank + '. ' + datum.n + ' (' + format(datum.distance, '.2f') + ')'",
            column=f"floor((datum.rank - 1) / {rows_per_column})",
            line=f"(datum.rank - 1) % {rows_per_column}",
        )
    )
    missing = (
        base.mark_text(fontSize=11, align="left", baseline="top", limit=340)
        .encode(
            x=alt.value(0),
            y=alt.value(0),
            text="text:N",
        )
        .transform_filter(chosen)
        .transform_filter(f"!({complete})")
        .transform_calculate(
            text="'No peers: ' + (division_notes[datum.c] ? division_notes[datum.c] : datum.n + ' lacks a peer indicator')"
        )
    )
    return (
        alt.layer(listing.properties(name="peer_list"), missing.properties(name="peer_missing"), data=municipalities)
        .transform_flatten(MUNICIPALITY_COLUMNS)
        .transform_calculate(**calc)
        .properties(
            name="comparison_peers",
            width=340,
            height=16 * rows_per_column,
            title=alt.TitleParams(
                text=[
                    "Most similar municipalities (z-score distance",
                    f"on {len(cmp.peer_indicators())} indicators; the peer table lists them)",
                ],
                fontSize=12,
                anchor="start",
                limit=340,
            ),
        )
    )


# -------------------------------------------------------- Figures: the chosen municipality


def trend_record(code: str, division: int) -> pd.DataFrame:
    """The unemployment series of ``code``, its region, urban–rural group and Finland as one record:
    ``m0``…``m3`` monthly and ``a0``…``a3`` annual arrays (tenths; order of ``TREND_ROLES``), and
    ``names``: the four series' names."""
    monthly = cmp.trend_series(code, division, "monthly")
    annual = cmp.trend_series(code, division, "annual")
    months = sorted(monthly["period"].unique())
    years = sorted(annual["period"].unique())
    record: dict[str, list] = {"names": []}
    for k, role in enumerate(TREND_ROLES):
        m = monthly[monthly["role"] == role].set_index("period")["rate"].reindex(months)
        a = annual[annual["role"] == role].set_index("period")["rate"].reindex(years)
        record[f"m{k}"] = tenths(m)
        record[f"a{k}"] = tenths(a)
        names = monthly.loc[monthly["role"] == role, "series"]
        record["names"].append(str(names.iloc[0]) if len(names) else "")
    if not record["names"][0]:  # no series of its own (merged before the data's division)
        record["names"][0] = str(cmp.municipality_frame(division).set_index("municipality_code").at[code, "name_fi"])
    frame = pd.DataFrame({key: [value] for key, value in record.items()})
    frame.attrs.update(first_month=months[0], first_year=int(years[0]), last_month=months[-1])
    return frame


def _trend_panel(code: str, division: int) -> tuple[alt.LayerChart, alt.Parameter, list[str]]:
    """Unemployment rate of ``code`` against its region, urban–rural group and Finland, with the
    annual/monthly dropdown (``trend_frequency``); annual = mean of the months (2020: Jan–Oct)."""
    record = trend_record(code, division)
    names = list(record.at[0, "names"])
    y0, m0 = (int(part) for part in record.attrs["first_month"].split("-"))
    first_year = record.attrs["first_year"]
    last = record.attrs["last_month"]
    frequency = alt.param(
        name=FREQUENCY_PARAM,
        value="annual",
        bind=alt.binding_select(
            options=["annual", "monthly"], labels=["Annual", "Monthly"], name="Unemployment series: "
        ),
    )
    labels = [names[0], f"{names[1]} (region)", names[2], names[3]]
    labels_expr = "[" + ",".join(json.dumps(label, ensure_ascii=False) for label in labels) + "]"
    source = named_data(record, f"comparisons-trend-{code}")
    monthly = (
        alt.Chart(source)
        .transform_filter(f"{FREQUENCY_PARAM} === 'monthly'")
        .transform_flatten(["m0", "m1", "m2", "m3"])
        .transform_window(i="row_number()")
        .transform_calculate(mi=f"datum.i - 1 + {m0 - 1}")
        .transform_calculate(
            date=f"datetime({y0} + floor(datum.mi / 12), datum.mi % 12, 15)",
            period=f"timeFormat(datetime({y0} + floor(datum.mi / 12), datum.mi % 12, 1), '%Y-%m')",
        )
        .transform_fold(["m0", "m1", "m2", "m3"], as_=["key", "tenths"])
    )
    annual = (
        alt.Chart(source)
        .transform_filter(f"{FREQUENCY_PARAM} === 'annual'")
        .transform_flatten(["a0", "a1", "a2", "a3"])
        .transform_window(i="row_number()")
        .transform_calculate(
            date=f"datetime({first_year - 1} + datum.i, 6, 1)", period=f"({first_year - 1} + datum.i) + ''"
        )
        .transform_fold(["a0", "a1", "a2", "a3"], as_=["key", "tenths"])
    )

    def finish(chart: alt.Chart) -> alt.Chart:
        return (
            chart.transform_filter("isValid(datum.tenths)")
            .transform_calculate(rate="datum.tenths / 10", series=f"{labels_expr}[toNumber(slice(datum.key, 1))]")
            .mark_line(point=alt.OverlayMarkDef(size=14))
            .encode(
                x=alt.X("date:T", title=None, axis=alt.Axis(format="%Y", tickCount=8)),
                y=alt.Y("rate:Q", title="Unemployed, % of labour force", scale=alt.Scale(zero=True)),
                color=alt.Color(
                    "series:N",
                    sort=labels,
                    scale=alt.Scale(domain=labels, range=TREND_RANGE),
                    legend=alt.Legend(title=None, orient="bottom", columns=2, labelLimit=280),
                ),
                strokeWidth=alt.condition(
                    f"datum.series === {json.dumps(labels[0], ensure_ascii=False)}", alt.value(2.6), alt.value(1.4)
                ),
                tooltip=[
                    alt.Tooltip("series:N", title="Series"),
                    alt.Tooltip("period:N", title="Period"),
                    alt.Tooltip("rate:Q", title="Unemployed, % of labour force", format=".1f"),
                ],
            )
        )

    panel = alt.layer(
        finish(monthly).properties(name="trend_monthly"), finish(annual).properties(name="trend_annual")
    ).properties(
        name="comparison_trend",
        width=560,
        height=220,
        title=alt.TitleParams(
            text=alt.expr(f"'{names[0]}: unemployment rate, ' + {FREQUENCY_PARAM} + ', {y0}–{last[:4]}'"),
            subtitle=f"Annual values are means of the months; the data end in {_month_name(last)} {last[:4]}.",
            fontSize=12,
            anchor="start",
        ),
    )
    return panel, frequency, labels


def _month_name(month: str) -> str:
    import calendar

    return calendar.month_name[int(month[5:7])]


def _diak_frame(code: str, division: int) -> pd.DataFrame | None:
    series = cmp.diak_series(code, division=division)
    if series.empty:
        return None
    return pd.DataFrame(
        {
            "index": series["label"].astype(str),
            "year": series["year_mid"].astype("int64"),
            "value": series["index_value"].round(1),
        }
    )


def _diak_panel(code: str, division: int) -> alt.LayerChart | None:
    """Diak indices of ``code`` over time (index, median municipality = 100); None without data."""
    frame = _diak_frame(code, division)
    if frame is None:
        return None
    labels = list(cmp.DIAK_VARIABLES.values())
    lines = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="Centre year of the 3-year mean", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title="Index (median municipality = 100)", scale=alt.Scale(zero=False)),
            color=alt.Color(
                "index:N",
                sort=labels,
                scale=alt.Scale(domain=labels, range=DIAK_RANGE[: len(labels)]),
                legend=alt.Legend(title=None, orient="bottom", direction="vertical", labelLimit=400),
            ),
            tooltip=[
                alt.Tooltip("index:N", title="Index"),
                alt.Tooltip("year:O", title="Centre year"),
                alt.Tooltip("value:Q", title="Index (median municipality = 100)", format=".0f"),
            ],
        )
    )
    median = (
        alt.Chart(alt.InlineData(values=[{"y": 100}])).mark_rule(strokeDash=[4, 3], color="#555555").encode(y="y:Q")
    )
    name = cmp.municipality_frame(division).set_index("municipality_code").at[code, "name_fi"]
    return alt.layer(median.properties(name="diak_median"), lines.properties(name="diak_lines")).properties(
        name="comparison_diak",
        width=560,
        height=200,
        title=alt.TitleParams(
            text=f"{name}: Diak disadvantage indices (an index, not a rate)",
            subtitle="Median municipality = 100 (dashed line); 3-year means centred on the year.",
            fontSize=12,
            anchor="start",
        ),
    )


def over_time_chart(code: str, division: int) -> alt.TopLevelMixin:
    """The chosen municipality over time: the unemployment panel and, where Diak covers it, the Diak
    indices below (one figure, so the page carries one embedding)."""
    trend, frequency, _ = _trend_panel(code, division)
    diak = _diak_panel(code, division)
    chart = trend if diak is None else alt.vconcat(trend, diak, spacing=34).resolve_scale(color="independent")
    return (
        chart.add_params(frequency)
        .properties(
            background="white", description="Unemployment and Diak indices of the chosen municipality over time"
        )
        .configure_view(stroke=None)
    )


# ------------------------------------------------------------------------- captions, alt text


def linked_views_text(chapter: cmp.Comparisons) -> dict[str, str]:
    """Caption and alt text of the linked figure (``charts.figure(..., **linked_views_text(c))``)."""
    return {
        "caption": (
            f"Municipalities compared on the {chapter.year} Sotkanet indicators: map, national ranking, "
            "scatter of two indicators and the most similar municipalities, linked to the lists under the "
            "figure. Source: THL, Sotkanet.fi (CC BY 4.0); boundaries: Statistics Finland (CC BY 4.0)."
        ),
        "alt_text": (
            "A map of Finland's municipalities coloured by the chosen indicator (darker is higher, grey is no "
            "data) with the chosen municipality outlined; a ranked bar chart of all municipalities with the "
            "chosen one in black and its value and rank written above; a scatter of two indicators with the "
            "chosen municipality as a large labelled dot and the pilot municipalities as diamonds; and its "
            "ten most similar municipalities. Lists under the figure choose the municipality, the indicator "
            "and the scatter's axes."
        ),
    }


def over_time_text(chapter: cmp.Comparisons) -> dict[str, str]:
    """Caption and alt text of the over-time figure."""
    has_diak = not cmp.diak_series(chapter.code, division=chapter.division).empty
    caption = (
        f"{chapter.name_fi} over time: unemployed job seekers as a share of the labour force against its "
        "region, its urban–rural group and Finland"
        + (", and Diak's disadvantage indices (median municipality = 100)" if has_diak else "")
        + ". Sources: Ministry of Economic Affairs and Employment, employment service statistics (Statistics "
        "Finland, CC BY 4.0)" + ("; Diak, from THL Sotkanet data." if has_diak else ".")
    )
    alt_text = (
        f"Lines of the unemployment rate 2006–2020 for {chapter.name_fi} (black, thicker), its region (blue), "
        "its urban–rural group (orange) and Finland (grey), annual or monthly as chosen in the list under "
        "the figure"
        + (
            f"; below, lines of Diak indices for {chapter.name_fi} by centre year 2011–2020 with a dashed "
            "line at 100 for the median municipality."
            if has_diak
            else "."
        )
    )
    return {"caption": caption, "alt_text": alt_text}


# ------------------------------------------------------------------- the map as a table


_TABLE_SCRIPT = """
(function () {
  var script = document.currentScript;
  if (!script) { return; }
  var table = script.previousElementSibling, body = table.tBodies[0], key = %(key)s, tries = 0;
  function findView() {
    var charts = document.querySelectorAll(".book-chart");
    for (var i = 0; i < charts.length; i++) {
      var v = charts[i].vegaView;
      if (v) { try { v.signal("indicator_index"); return v; } catch (e) { /* another figure */ } }
    }
    return null;
  }
  function cell(row, text, cls) {
    var td = document.createElement("td");
    if (cls) { var span = document.createElement("span"); span.className = cls; span.textContent = text; td.appendChild(span); }
    else { td.textContent = text; }
    row.appendChild(td);
  }
  function draw(view) {
    var record = ((window.%(registry)s || {})[key] || [])[0];
    if (!record) { return; }
    var k = view.signal("indicator_index"), pick = view.signal("%(pick)s");
    var values = record.v.map(function (a) { return a && a[k] !== null && a[k] !== undefined ? a[k] / 10 : null; });
    var ranked = values.filter(function (x) { return x !== null; }).sort(function (a, b) { return b - a; });
    var title = view.signal("indicator_titles")[k], unit = view.signal("indicator_units")[k];
    table.caption.textContent = title[0] + (title[1] ? ", " + title[1] : "") + " (" + unit + "), %(year)s: every municipality " +
      "on the map, ranked 1 = highest. The table follows the Indicator list of Figure %(figure)s; the municipality chosen there is in bold.";
    table.tHead.rows[0].cells[1].textContent = "Value (" + unit + ")";
    var fresh = document.createElement("tbody");
    for (var i = 0; i < record.c.length; i++) {
      var row = document.createElement("tr"), x = values[i];
      if (record.c[i] === pick) { row.style.fontWeight = "bold"; }
      cell(row, record.s[i] ? record.n[i] + " (" + record.s[i] + ")" : record.n[i]);
      if (x === null) { cell(row, "no data", "no-data"); cell(row, "", null); }
      else { cell(row, x.toFixed(1)); cell(row, String(ranked.indexOf(x) + 1)); }
      fresh.appendChild(row);
    }
    table.replaceChild(fresh, body);
    body = fresh;
  }
  function init() {
    var view = findView();
    if (!view || !((window.%(registry)s || {})[key])) { if (++tries < 300) { setTimeout(init, 100); } return; }
    draw(view);
    view.addSignalListener("indicator_index", function () { draw(view); });
    view.addSignalListener("%(pick)s", function () { draw(view); });
  }
  init();
})();
"""


class TableAlternative:
    """The map as an HTML table that follows the figure's Indicator and Municipality lists.

    Its rows are filled in the page from the figure's own data file (already loaded for the map), so
    the page does not carry every value twice; ranks use the same rule as the figure (1 = highest,
    ties share the lowest rank). ``frame`` holds the same table for the chapter's indicator (tests).
    """

    def __init__(self, page: PageData, chapter: cmp.Comparisons, figure_number: str):
        from helpers.charts.render import CHART_DATA_URL_PREFIX, JS_DATA_REGISTRY

        url = named_data(page.municipalities, "comparisons-municipalities").url
        self.key = url[len(CHART_DATA_URL_PREFIX) : -len(".json")]
        self.registry = JS_DATA_REGISTRY
        self.figure_number = figure_number
        self.year = chapter.year
        self.frame = cmp.ranking_table(chapter, chapter.indicators[1])

    def _repr_html_(self) -> str:
        script = _TABLE_SCRIPT % {
            "key": json.dumps(self.key),
            "registry": self.registry,
            "pick": MUNICIPALITY_PARAM,
            "year": self.year,
            "figure": self.figure_number,
        }
        return (
            '<table class="book-table comparisons-map-table"><caption>Every municipality on the map of Figure '
            f"{self.figure_number}, with its value and national rank (1 = highest).</caption>"
            "<thead><tr><th>Municipality</th><th>Value</th><th>Rank (1 = highest)</th></tr></thead>"
            '<tbody><tr><td colspan="3">The rows are drawn by the page from the data of Figure '
            f"{self.figure_number} (this needs JavaScript, like the figure).</td></tr></tbody></table>"
            f"<script>{script}</script>"
        )

    def __repr__(self) -> str:
        return (
            f"Table alternative of Figure {self.figure_number}: {len(self.frame)} municipalities, filled in "
            "the published page from the figure's data"
        )


def table_alternative(page: PageData, chapter: cmp.Comparisons, figure_number: str) -> TableAlternative:
    return TableAlternative(page, chapter, figure_number)
