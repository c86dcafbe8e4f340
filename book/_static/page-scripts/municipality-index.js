/* The municipality index (municipalities/index): the book's own script, no library.
 *
 * Draws the rows of each .municipality-index element from the chart-data file its data-index
 * names (loaded as a script, so it works from file:// as well as from a web server), with a
 * sparkline per municipality, and filters them by a search (Finnish or Swedish name, or code;
 * case and accents ignored) and by region and urban-rural group. Loaded only on pages holding
 * such an element (helpers.book.sphinx_offline.keep_page_scripts).
 */
(function () {
  "use strict";
  var REGISTRY = "__bookChartData";
  var PREFIX = "chart-data/";
  var SVG = "http://www.w3.org/2000/svg";
  var WIDTH = 120, HEIGHT = 32, PAD = 2;

  // Case, accents and punctuation ignored, as helpers.data.municipalities.normalise_name does.
  function fold(text) {
    return String(text).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^0-9a-z]+/g, " ").trim();
  }

  function loadData(root, url) {
    var key = url.slice(PREFIX.length, -".json".length);
    var registry = window[REGISTRY] = window[REGISTRY] || {};
    if (registry[key]) { return Promise.resolve(registry[key]); }
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = root + url.replace(/\.json$/, ".js");
      script.onload = function () {
        if (window[REGISTRY][key]) { resolve(window[REGISTRY][key]); } else { reject(new Error("no data in " + url)); }
      };
      script.onerror = function () { reject(new Error("could not load " + url)); };
      document.head.appendChild(script);
    });
  }

  // The page's words (data-words, in the edition's language) and its decimal mark.
  var WORDS = {};
  function say(key, values) {
    return String(WORDS[key] || "").replace(/\{(\w+)\}/g, function (all, name) {
      return values && values[name] !== undefined ? values[name] : all;
    });
  }

  function percent(tenths) { return (tenths / 10).toFixed(1).replace(".", WORDS.decimal || "."); }

  // One line per run of published years: a suppressed year is a gap, never bridged.
  function linePath(values, x, y) {
    var d = "", open = false;
    for (var i = 0; i < values.length; i++) {
      if (values[i] === null || values[i] === undefined) { open = false; continue; }
      d += (open ? "L" : "M") + x(i).toFixed(1) + " " + y(values[i]).toFixed(1);
      open = true;
    }
    return d;
  }

  function svgElement(name, attributes) {
    var element = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) { element.setAttribute(key, attributes[key]); });
    return element;
  }

  function sparkline(values, data, label) {
    var n = values.length, top = Math.max(data.max, 1);
    function x(i) { return PAD + (WIDTH - 2 * PAD) * (n > 1 ? i / (n - 1) : 0); }
    function y(v) { return HEIGHT - PAD - (HEIGHT - 2 * PAD) * (v / top); }
    var svg = svgElement("svg", {
      "class": "municipality-sparkline", width: WIDTH, height: HEIGHT,
      viewBox: "0 0 " + WIDTH + " " + HEIGHT, role: "img", "aria-label": label
    });
    var title = svgElement("title", {});
    title.textContent = label;
    svg.appendChild(title);
    svg.appendChild(svgElement("path", { d: linePath(data.median, x, y), "class": "sparkline-median" }));
    svg.appendChild(svgElement("path", { d: linePath(values, x, y), "class": "sparkline-line" }));
    for (var i = n - 1; i >= 0; i--) {
      if (values[i] !== null) {
        svg.appendChild(svgElement("circle", { cx: x(i).toFixed(1), cy: y(values[i]).toFixed(1), r: 1.8, "class": "sparkline-last" }));
        break;
      }
    }
    return svg;
  }

  function describe(values, data, seriesLabel) {
    var first = data.years[0], last = data.years[1], published = [];
    values.forEach(function (v, i) { if (v !== null) { published.push([first + i, v]); } });
    if (!published.length) { return say("no_value", { label: seriesLabel, first: first, last: last }); }
    var start = published[0], end = published[published.length - 1];
    var text = say("values", {
      label: seriesLabel, start: percent(start[1]), start_year: start[0], end: percent(end[1]), end_year: end[0]
    });
    var gaps = values.length - published.length;
    if (gaps) { text += say(gaps === 1 ? "gap_one" : "gap_many", { n: gaps }); }
    return text + say("median", { year: last, value: percent(data.median[data.median.length - 1]) });
  }

  function cell(row, content, className) {
    var td = document.createElement("td");
    if (className) { td.className = className; }
    if (typeof content === "string") { td.textContent = content; } else if (content) { td.appendChild(content); }
    row.appendChild(td);
    return td;
  }

  function fillSelect(select, names) {
    names.forEach(function (name, index) {
      var option = document.createElement("option");
      option.value = String(index);
      option.textContent = name;
      select.appendChild(option);
    });
  }

  function draw(container, data) {
    var table = container.querySelector("table"), body = document.createElement("tbody");
    var prefix = container.getAttribute("data-link-prefix"), suffix = container.getAttribute("data-link-suffix");
    var seriesLabel = container.getAttribute("data-series-label");
    var search = container.querySelector("input[name='municipality-search']");
    var region = container.querySelector("select[name='municipality-region']");
    var group = container.querySelector("select[name='municipality-group']");
    var count = container.querySelector(".municipality-index-count");
    fillSelect(region, data.regions);
    fillSelect(group, data.groups);
    var rows = data.c.map(function (code, i) {
      var row = document.createElement("tr"), link = document.createElement("a");
      row.setAttribute("data-code", code);
      link.href = prefix + code + suffix;
      link.textContent = data.n[i];
      var name = cell(row, link, "municipality-name");
      if (data.s[i]) {
        var swedish = document.createElement("span");
        swedish.className = "municipality-name-sv";
        swedish.lang = WORDS.other_lang || "sv";
        swedish.textContent = data.s[i];
        name.appendChild(document.createTextNode(" "));
        name.appendChild(swedish);
      }
      cell(row, code);
      cell(row, data.regions[data.r[i]]);
      cell(row, data.groups[data.g[i]]);
      var values = data.v[i], last = values[values.length - 1];
      cell(row, sparkline(values, data, data.n[i] + ". " + describe(values, data, seriesLabel)), "municipality-sparkline-cell");
      if (last === null) { cell(row, say("not_published"), "no-data"); } else { cell(row, percent(last)); }
      body.appendChild(row);
      return { row: row, code: code, keys: [fold(data.n[i]), fold(data.s[i] || data.n[i])], region: data.r[i], group: data.g[i] };
    });
    var empty = document.createElement("tr");
    cell(empty, say("no_match"), "no-data").colSpan = 6;
    body.appendChild(empty);
    table.replaceChild(body, table.tBodies[0]);

    function apply() {
      var query = fold(search.value), digits = /^[0-9]+$/.test(query), shown = 0;
      var padded = digits ? ("000" + query).slice(-Math.max(3, query.length)) : "";
      rows.forEach(function (item) {
        var match = !query || (digits
          ? item.code.indexOf(query) === 0 || item.code === padded
          : item.keys[0].indexOf(query) >= 0 || item.keys[1].indexOf(query) >= 0);
        match = match && (region.value === "" || item.region === Number(region.value));
        match = match && (group.value === "" || item.group === Number(group.value));
        item.row.hidden = !match;
        if (match) { shown++; }
      });
      empty.hidden = shown > 0;
      count.textContent = say("showing", { shown: shown, total: rows.length });
    }
    search.addEventListener("input", apply);
    region.addEventListener("change", apply);
    group.addEventListener("change", apply);
    apply();
    container.setAttribute("data-rendered", "true");
  }

  function init() {
    var root = document.documentElement.getAttribute("data-content_root") || "";
    var containers = document.querySelectorAll(".municipality-index[data-index]");
    Array.prototype.forEach.call(containers, function (container) {
      WORDS = JSON.parse(container.getAttribute("data-words") || "{}");
      loadData(root, container.getAttribute("data-index"))
        .then(function (data) { draw(container, data); })
        .catch(function (error) {
          container.setAttribute("data-rendered", "error");
          container.querySelector(".municipality-index-count").textContent = say("failed", { error: error.message });
          console.error(error);
        });
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
