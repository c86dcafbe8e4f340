"""The map of the comparisons chapter as a table: its text alternative, filled in the page from the figure's data."""

from __future__ import annotations

import html
import json

from helpers.analysis import municipal_comparisons as cmp
from helpers.charts.comparisons import MUNICIPALITY_PARAM, PageData
from helpers.charts.render import named_data
from helpers.i18n import _

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
    table.caption.textContent = title[0] + (title[1] ? ", " + title[1] : "") + " (" + unit + "), " + %(caption)s;
    table.tHead.rows[0].cells[1].textContent = %(value_head)s.replace("{unit}", unit);
    var fresh = document.createElement("tbody");
    for (var i = 0; i < record.c.length; i++) {
      var row = document.createElement("tr"), x = values[i];
      if (record.c[i] === pick) { row.style.fontWeight = "bold"; }
      cell(row, record.s[i] ? record.n[i] + " (" + record.s[i] + ")" : record.n[i]);
      if (x === null) { cell(row, %(no_data)s, "no-data"); cell(row, "", null); }
      else { cell(row, x.toFixed(1).replace("-", "\u2212").replace(".", %(decimal)s)); cell(row, String(ranked.indexOf(x) + 1)); }
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
        self.lang = page.lang
        self.frame = cmp.ranking_table(chapter, chapter.indicators[1])

    def _repr_html_(self) -> str:
        lang = self.lang

        def js(text: str) -> str:  # a JavaScript string literal, safe inside <script>
            return json.dumps(text, ensure_ascii=False).replace("</", "<\\/")

        script = _TABLE_SCRIPT % {
            "key": json.dumps(self.key),
            "registry": self.registry,
            "pick": MUNICIPALITY_PARAM,
            "caption": js(
                _(
                    "{year}: every municipality on the map, ranked 1 = highest. The table follows the Indicator "
                    "list of Figure {figure}; the municipality chosen there is in bold.",
                    lang,
                    year=self.year,
                    figure=self.figure_number,
                )
            ),
            "value_head": js(_("Value ({unit})", lang, unit="{unit}")),
            "no_data": js(_("no data", lang)),
            "decimal": js("." if lang == "en" else ","),
        }
        caption = _(
            "Every municipality on the map of Figure {figure}, with its value and national rank (1 = highest).",
            lang,
            figure=self.figure_number,
        )
        placeholder = _(
            "The rows are drawn by the page from the data of Figure {figure} (this needs JavaScript, like the figure).",
            lang,
            figure=self.figure_number,
        )
        heads = [_("Municipality", lang), _("Value", lang), _("Rank (1 = highest)", lang)]
        return (
            f'<table class="book-table comparisons-map-table"><caption>{html.escape(caption)}</caption>'
            "<thead><tr>" + "".join(f"<th>{html.escape(head)}</th>" for head in heads) + "</tr></thead>"
            f'<tbody><tr><td colspan="3">{html.escape(placeholder)}</td></tr></tbody></table>'
            f"<script>{script}</script>"
        )

    def __repr__(self) -> str:
        return _(
            "Table alternative of Figure {figure}: {count} municipalities, filled in the published page from the "
            "figure's data",
            self.lang,
            figure=self.figure_number,
            count=len(self.frame),
        )


def table_alternative(page: PageData, chapter: cmp.Comparisons, figure_number: str) -> TableAlternative:
    return TableAlternative(page, chapter, figure_number)
