"""Figure: the linked 2019 views of the comparisons chapter (map, ranking, scatter, peers), one municipality list."""

from __future__ import annotations

import json

import altair as alt

from helpers.analysis import municipal_comparisons as cmp
from helpers.charts.comparisons import (
    CHOSEN_COLOUR,
    INDICATOR_PARAM,
    MUNICIPALITY_COLUMNS,
    MUNICIPALITY_PARAM,
    NO_DATA_COLOUR,
    ROLE_RANGE,
    SCATTER_X_PARAM,
    SCATTER_Y_PARAM,
    PageData,
    _constant_params,
    _ranked,
    _value,
    is_pilot_expression,
    option_label,
    role_domain,
    vega_text,
)
from helpers.charts.render import named_data, topojson_data
from helpers.charts.style import SEQUENTIAL_SCHEME, layer
from helpers.data.municipalities import municipality_url_parts
from helpers.i18n import _

# transform_flatten takes a list of str | FieldName; a list[str] is not one (lists are invariant).
_FLATTENED: list[str | alt.FieldName] = list(MUNICIPALITY_COLUMNS)


def page_link_expression(book_page: str) -> str:
    """Vega expression: the relative link from ``book_page`` to the datum's municipality page
    (``datum.c`` is its code), e.g. '../municipalities/' + datum.c + '.html'."""
    prefix, suffix = municipality_url_parts(book_page)
    return f"{json.dumps(prefix)} + datum.c + {json.dumps(suffix)}"


def linked_views(page: PageData, chapter: cmp.Comparisons, book_page: str | None = None) -> alt.HConcatChart:
    """Map, national ranking, scatter and nearest peers of 2019, driven by one municipality picker
    (``municipality_pick``), the indicator of the map and ranking (``indicator_pick``) and the
    scatter's axes (``scatter_x_pick``, ``scatter_y_pick``). Each panel is a layer whose shared
    transforms sit on the layer (so the spec states them once). With ``book_page`` (the figure's
    page in the book), a click on a municipality of the map or the ranking opens its page."""
    lang = page.lang
    codes, labels = page.municipality_options()
    ids = list(page.indicators["indicator"])
    names = [option_label(str(r.indicator_label), str(r.unit), lang) for r in page.indicators.itertuples()]
    roles = role_domain(lang)
    x_indicator, y_indicator = chapter.indicators
    pick = alt.param(
        name=MUNICIPALITY_PARAM,
        value=chapter.code,
        bind=alt.binding_select(options=codes, labels=labels, name=_("Municipality: ", lang)),
    )
    indicator = alt.param(
        name=INDICATOR_PARAM,
        value=y_indicator,
        bind=alt.binding_select(options=ids, labels=names, name=_("Indicator (map and ranking): ", lang)),
    )
    scatter_x = alt.param(
        name=SCATTER_X_PARAM,
        value=x_indicator,
        bind=alt.binding_select(options=ids, labels=names, name=_("Scatter x-axis: ", lang)),
    )
    scatter_y = alt.param(
        name=SCATTER_Y_PARAM,
        value=y_indicator,
        bind=alt.binding_select(options=ids, labels=names, name=_("Scatter y-axis: ", lang)),
    )
    municipalities = named_data(page.municipalities, "comparisons-municipalities")
    boundaries = topojson_data(page.topology, f"comparisons-boundaries-{page.division}", feature="municipalities")
    chosen = f"datum.c === {MUNICIPALITY_PARAM}"
    base = alt.Chart()
    # A link per municipality (Vega opens it on a click); without a book page, no links.
    link: dict = {"href": alt.Href("page_link:N")} if book_page else {}

    def with_links(chart):
        return chart.transform_calculate(page_link=page_link_expression(book_page)) if book_page else chart

    quoted = [json.dumps(role, ensure_ascii=False) for role in roles]
    role = f"{chosen} ? {quoted[0]} : ({is_pilot_expression()} ? {quoted[1]} : {quoted[2]})"

    # ---- map: the municipalities, each with its geometry looked up by code
    fill = alt.condition(
        "isValid(datum.val)",
        alt.Color(
            "val:Q",
            scale=alt.Scale(scheme=SEQUENTIAL_SCHEME, reverse=True, zero=False),
            legend=alt.Legend(
                title=_("Value (unit in the title)", lang),
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
        **link,
        tooltip=[
            alt.Tooltip("n:N", title=_("Municipality", lang)),
            alt.Tooltip("other_name:N", title=_("In Finnish", lang) if lang == "sv" else _("In Swedish", lang)),
            alt.Tooltip("value_text:N", title=_("Value", lang)),
        ],
    )
    outline = (
        base.mark_geoshape(filled=False, stroke=CHOSEN_COLOUR, strokeWidth=2.4)
        .encode(shape="geo:G", **link)
        .transform_filter(chosen)
    )
    map_chart = (
        _ranked(
            with_links(
                layer(areas.properties(name="map_areas"), outline.properties(name="map_chosen"), data=municipalities)
                .transform_flatten(_FLATTENED)
                .transform_lookup(lookup="c", from_=alt.LookupData(boundaries, key="id"), as_="geo")
            ),
            lang,
        )
        .transform_calculate(other_name="datum.s ? datum.s : datum.n")
        .properties(
            name="comparison_map",
            width=240,
            height=420,
            projection=alt.Projection(type="transverseMercator", rotate=[-27, 0, 0]),
            title=alt.TitleParams(
                text=alt.expr(
                    "["
                    + vega_text(_("Map: {title}", lang), title="indicator_titles[indicator_index][0]")
                    + ", indicator_titles[indicator_index][1], "
                    + vega_text(_("Unit: {unit}. Grey: no data", lang), unit="indicator_units[indicator_index]")
                    + "]"
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
                "pos:O",
                axis=alt.Axis(labels=False, ticks=False, title=_("Municipalities, highest value on the left", lang)),
            ),
            y=alt.Y("val:Q", title=None),
            color=alt.Color("role:N", scale=alt.Scale(domain=roles, range=ROLE_RANGE), legend=None),
            tooltip=[
                alt.Tooltip("n:N", title=_("Municipality", lang)),
                alt.Tooltip("value_text:N", title=_("Value", lang)),
            ],
            **link,
        )
        .transform_filter("isValid(datum.val)")
        .transform_window(**position, sort=order)
    )
    marker = (
        base.mark_point(shape="triangle-down", filled=True, size=90, color=CHOSEN_COLOUR, yOffset=-8)
        .encode(x="pos:O", y="val:Q", **link)
        .transform_filter("isValid(datum.val)")
        .transform_window(**position, sort=order)
        .transform_filter(chosen)
    )
    label = (
        base.mark_text(align="left", baseline="top", fontSize=11, fontWeight="bold", limit=340)
        .encode(x=alt.value(0), y=alt.value(-16), text="text:N")
        .transform_filter(chosen)
        .transform_calculate(
            text="datum.n + ': ' + (isValid(datum.val) ? "
            + vega_text(
                _("rank {rank} of {total}, {value} {unit}", lang),
                rank="datum.rank",
                total="datum.n_valid",
                value="format(datum.val, ',.1f')",
                unit="indicator_units[indicator_index]",
            )
            + " : datum.value_text)"
        )
    )
    ranking = (
        _ranked(
            with_links(
                layer(
                    bars.properties(name="ranking_bars"),
                    marker.properties(name="ranking_chosen"),
                    label.properties(name="ranking_label"),
                    data=municipalities,
                ).transform_flatten(_FLATTENED)
            ),
            lang,
        )
        .transform_calculate(role=role)
        .properties(
            name="comparison_ranking",
            width=340,
            height=120,
            title=alt.TitleParams(
                text=alt.expr(
                    "["
                    + json.dumps(_("National ranking (1 = highest)", lang), ensure_ascii=False)
                    + ", indicator_titles[indicator_index][0]]"
                ),
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
            sort=roles,
            scale=alt.Scale(domain=roles, range=ROLE_RANGE),
            legend=alt.Legend(title=None, orient="bottom", direction="horizontal"),
        ),
        shape=alt.Shape(
            "role:N",
            sort=roles,
            scale=alt.Scale(domain=roles, range=["circle", "diamond", "circle"]),
            legend=alt.Legend(title=None, orient="bottom", direction="horizontal"),
        ),
        size=alt.Size("role:N", sort=roles, scale=alt.Scale(domain=roles, range=[170, 70, 22]), legend=None),
        order=alt.Order("layer:Q"),
        tooltip=[
            alt.Tooltip("n:N", title=_("Municipality", lang)),
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
        layer(
            points.properties(name="scatter_points"), point_label.properties(name="scatter_label"), data=municipalities
        )
        .transform_flatten(_FLATTENED)
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
            text=alt.expr(vega_text(_("x: {title}", lang), title="indicator_titles[x_index][0]")),
            fontSize=10,
            baseline="top",
            limit=340,
        )
        .encode(x=alt.value(170), y=alt.value(184))
    )
    y_title = (
        alt.Chart(one_row)
        .mark_text(
            text=alt.expr(vega_text(_("y: {title}", lang), title="indicator_titles[y_index][0]")),
            fontSize=10,
            angle=270,
            baseline="bottom",
            limit=160,
        )
        .encode(x=alt.value(-32), y=alt.value(80))
    )
    scatter = layer(
        scatter_marks, x_title.properties(name="scatter_x_title"), y_title.properties(name="scatter_y_title")
    ).properties(
        name="comparison_scatter",
        width=340,
        height=160,
        title=alt.TitleParams(text=_("Two indicators (axes: the last two lists)", lang), fontSize=12, anchor="start"),
    )

    peers = peer_list_view(page, municipalities, chosen)
    return (
        alt.hconcat(map_chart, alt.vconcat(ranking, scatter, peers, spacing=30), spacing=16)
        .add_params(pick, indicator, scatter_x, scatter_y, *_constant_params(page))
        .resolve_scale(color="independent")
        .properties(
            background="white",
            description=_(
                "Linked map, ranking, scatter and peers of the {year} municipal indicators", lang, year=chapter.year
            ),
        )
        .configure_view(stroke=None)
    )


def peer_list_view(page: PageData, municipalities, chosen: str) -> alt.LayerChart:
    """The chosen municipality's nearest peers, computed in the page as ``analysis.peers.peers``."""
    lang = page.lang
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
                alt.Tooltip("n:N", title=_("Municipality", lang)),
                alt.Tooltip("distance:Q", title=_("Distance (z-scores)", lang), format=".2f"),
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
            text=vega_text(
                _("No peers: {reason}", lang),
                reason="division_notes[datum.c] ? division_notes[datum.c] : "
                + vega_text(_("{name} lacks a peer indicator", lang), name="datum.n"),
            )
        )
    )
    return (
        layer(listing.properties(name="peer_list"), missing.properties(name="peer_missing"), data=municipalities)
        .transform_flatten(_FLATTENED)
        .transform_calculate(**calc)
        .properties(
            name="comparison_peers",
            width=340,
            height=16 * rows_per_column,
            title=alt.TitleParams(
                text=[
                    _("Most similar municipalities (z-score distance", lang),
                    _("on {count} indicators; the peer table lists them)", lang, count=len(cmp.peer_indicators())),
                ],
                fontSize=12,
                anchor="start",
                limit=340,
            ),
        )
    )
