"""Render Altair charts for an offline book: data as published files, one page-global Vega bundle.

Why not Altair's own renderers: they load Vega from a CDN (blank offline) or inline ~900 KB
per chart. Here every chart's rows go to a content-addressed file under ``chart-data/`` in
two forms: ``<name>.json`` (JupyterLab resolves the relative URL next to the notebook) and
``<name>.js`` (a script tag, which also works from ``file://`` where a fetch does not). The
HTML output loads the book's one Vega bundle (``_vendor/vega-bundle.js``, generated at build
time from the installed vl-convert-python) and the data scripts, relative to the page's
Sphinx ``data-content_root``, then embeds the spec. Identical data frames hash to the same
file, so linked views share one copy of their data and committed notebooks stay small.

Pages stay light: the Vega-Lite spec is compiled to Vega when the figure is shown (in the
build's notebook run), so readers load only the Vega runtime (~0.58 MB), not Vega-Lite and
vega-embed as well (~0.9 MB together); the runtime loads only on pages that have a chart. The
output bundle still carries the Vega-Lite spec, which JupyterLab renders natively.
"""

from __future__ import annotations

import copy
import hashlib
import html
import json
import os
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from helpers.charts import downloads
from helpers.charts.downloads import spec_nodes
from helpers.i18n import _

CHART_DATA_URL_PREFIX = "chart-data/"
CHART_DATA_ENV = "BOOK_CHART_DATA_DIR"
VEGA_BUNDLE_PATH = "_vendor/vega-bundle.js"
JS_DATA_REGISTRY = "__bookChartData"


def chart_data_dir() -> Path:
    """Where chart data files are written: the build's run folder, else next to the notebook."""
    configured = os.environ.get(CHART_DATA_ENV)
    return Path(configured) if configured else Path.cwd() / "chart-data"


def records_json(data: pd.DataFrame) -> str:
    """The rows of ``data`` as the compact JSON written to chart-data files (floats to 6 significant digits)."""
    frame = data.copy()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%dT%H:%M:%S")
        elif pd.api.types.is_float_dtype(frame[column]):
            # Six significant digits: far beyond any published precision, and half the bytes.
            frame[column] = frame[column].map(lambda value: float(f"{value:.6g}") if pd.notna(value) else value)
    frame = frame.astype(object).where(frame.notna(), None)
    records = frame.to_dict(orient="records")
    return json.dumps(records, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__} for a chart")


def publish_chart_data(data: pd.DataFrame, name: str | None = None) -> str:
    """Write ``data`` as chart-data files (json + js) and return the spec-relative URL."""
    return _publish_payload(records_json(data), name)


def publish_chart_json(document: Any, name: str) -> str:
    """Write a JSON document (e.g. TopoJSON boundaries) as chart-data files; return its URL."""
    return _publish_payload(json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True), name)


def _publish_payload(payload: str, name: str | None) -> str:
    digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
    stem = f"{name}-{digest}" if name else digest
    folder = chart_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / f"{stem}.json"
    if not json_path.exists():
        _atomic_write(json_path, payload)
        script = f"(window.{JS_DATA_REGISTRY}=window.{JS_DATA_REGISTRY}||{{}})[{json.dumps(stem)}]={payload};\n"
        _atomic_write(folder / f"{stem}.js", script)
    return f"{CHART_DATA_URL_PREFIX}{stem}.json"


def _atomic_write(path: Path, text: str) -> None:
    temporary = path.with_suffix(path.suffix + f".tmp{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def book_data_transformer(data: Any) -> dict:
    """Altair data transformer: a DataFrame becomes a URL to a published file, never inline rows."""
    if isinstance(data, pd.DataFrame):
        return {"url": publish_chart_data(data), "format": {"type": "json"}}
    if isinstance(data, dict) and ("url" in data or "values" in data or "name" in data):
        return data
    raise TypeError(f"charts take pandas DataFrames, got {type(data).__name__}; pass the frame to alt.Chart(...)")


def named_data(data: pd.DataFrame, name: str) -> alt.UrlData:
    """Data for a chart under a readable file name (e.g. shared by linked views)."""
    return alt.UrlData(url=publish_chart_data(data, name=name), format=alt.DataFormat(type="json"))


def topojson_data(document: dict, name: str, feature: str) -> alt.UrlData:
    """Boundaries for a map: the TopoJSON is published as a file beside the pages, never inlined."""
    return alt.UrlData(
        url=publish_chart_json(document, name), format=alt.TopoDataFormat(type="topojson", feature=feature)
    )


def chart_data_urls(spec: dict) -> list[str]:
    """The chart-data files a spec loads, each once, in order of appearance."""
    urls = [
        node["url"]
        for node in spec_nodes(spec)
        if isinstance(node.get("url"), str) and node["url"].startswith(CHART_DATA_URL_PREFIX)
    ]
    return list(dict.fromkeys(urls))


_EMBED_SCRIPT = """
(function () {
  var root = document.documentElement.getAttribute("data-content_root");
  if (root === null) { root = ""; }
  var el = document.getElementById(%(div_id)s);
  var spec = %(spec)s;
  var files = %(files)s;
  function load(src) {
    window.__bookScripts = window.__bookScripts || {};
    if (!window.__bookScripts[src]) {
      window.__bookScripts[src] = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = root + src;
        s.onload = resolve;
        s.onerror = function () { reject(new Error("could not load " + src)); };
        document.head.appendChild(s);
      });
    }
    return window.__bookScripts[src];
  }
  function inline(node) {
    if (Array.isArray(node)) { return node.map(inline); }
    if (node && typeof node === "object") {
      var out = {};
      Object.keys(node).forEach(function (k) { out[k] = inline(node[k]); });
      if (typeof node.url === "string" && node.url.indexOf("%(prefix)s") === 0) {
        var key = node.url.slice(%(prefix_len)d, -5);
        delete out.url;
        out.values = window.%(registry)s[key];
      }
      return out;
    }
    return node;
  }
  // The data scripts only register their rows: fetch them alongside the runtime, not after it.
  Promise.all([load("%(bundle)s")].concat(files.map(function (f) { return load(f.replace(/\\.json$/, ".js")); })))
    .then(function () {
      var view = new vega.View(vega.parse(inline(spec)), {renderer: "svg", container: el, hover: true});
      el.vegaView = view;
      return view.runAsync();
    })
    .then(function () { el.setAttribute("data-rendered", "true"); })
    .catch(function (err) {
      el.setAttribute("data-rendered", "error");
      el.textContent = "This chart could not be drawn: " + err.message;
      console.error(err);
    });
})();
"""


# d3-format and d3-time-format locales (Vega's config.locale) of the Finnish and Swedish editions.
_NBSP = "\u00a0"
VEGA_LOCALES: dict[str, dict] = {
    "fi": {
        "number": {
            "decimal": ",",
            "thousands": _NBSP,
            "grouping": [3],
            "currency": ["", _NBSP + "€"],
            "percent": _NBSP + "%",
        },
        "time": {
            "dateTime": "%A, %-d. %Bta %Y klo %X",
            "date": "%-d.%-m.%Y",
            "time": "%H:%M:%S",
            "periods": ["a.m.", "p.m."],
            "days": ["sunnuntai", "maanantai", "tiistai", "keskiviikko", "torstai", "perjantai", "lauantai"],
            "shortDays": ["Su", "Ma", "Ti", "Ke", "To", "Pe", "La"],
            "months": [
                "tammikuu",
                "helmikuu",
                "maaliskuu",
                "huhtikuu",
                "toukokuu",
                "kesäkuu",
                "heinäkuu",
                "elokuu",
                "syyskuu",
                "lokakuu",
                "marraskuu",
                "joulukuu",
            ],
            "shortMonths": [
                "Tammi",
                "Helmi",
                "Maalis",
                "Huhti",
                "Touko",
                "Kesä",
                "Heinä",
                "Elo",
                "Syys",
                "Loka",
                "Marras",
                "Joulu",
            ],
        },
    },
    "sv": {
        "number": {
            "decimal": ",",
            "thousands": _NBSP,
            "grouping": [3],
            "currency": ["", _NBSP + "€"],
            "percent": _NBSP + "%",
        },
        "time": {
            "dateTime": "%A den %d %B %Y %X",
            "date": "%Y-%m-%d",
            "time": "%H:%M:%S",
            "periods": ["fm", "em"],
            "days": ["söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"],
            "shortDays": ["sön", "mån", "tis", "ons", "tors", "fre", "lör"],
            "months": [
                "januari",
                "februari",
                "mars",
                "april",
                "maj",
                "juni",
                "juli",
                "augusti",
                "september",
                "oktober",
                "november",
                "december",
            ],
            "shortMonths": ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
        },
    },
}


def vega_locale(lang: str) -> dict | None:
    """The edition's Vega number and time locale (None for English: Vega's own default)."""
    return VEGA_LOCALES.get(lang)


def vega_lite_version() -> str:
    """The Vega-Lite version Altair writes, as vl-convert names it ("v6.4")."""
    return alt.SCHEMA_VERSION.rsplit(".", 1)[0]


def vega_spec(spec: dict) -> dict:
    """Compile a Vega-Lite spec to Vega (offline, with vl-convert): the page then needs only Vega."""
    import vl_convert

    try:
        return vl_convert.vegalite_to_vega(spec, vl_version=vega_lite_version())
    except ValueError:  # a vl-convert that does not know Altair's exact minor version
        return vl_convert.vegalite_to_vega(spec)


class PreparedSpec:
    """A Vega-Lite spec written as plain data, for a template run hundreds of times (building and
    validating Altair's object tree can cost more than the rest of such a page). Its data are
    published files like any chart's; its module's tests validate it against the schema."""

    def __init__(self, spec: dict) -> None:
        self.spec = spec

    def to_dict(self, **_: Any) -> dict:
        return copy.deepcopy(self.spec)


# Set in a spec's usermeta by a figure drawn with png=False: the build renders no PNG for it.
NO_PNG_META = {"book": {"png": False}}


class Figure:
    """A chart as the book shows it: a numbered caption, alt text, and the spec."""

    def __init__(
        self,
        chart: alt.TopLevelMixin | PreparedSpec,
        *,
        caption: str,
        alt_text: str,
        number: str,
        source: str | None = None,
        png: bool = True,
        lang: str = "en",
    ):
        self.chart = chart
        self.caption = caption
        self.alt_text = alt_text
        self.number = number
        self.source = source
        self.png = png
        self.lang = lang

    def spec(self) -> dict:
        with alt.data_transformers.enable("book"):
            spec = self.chart.to_dict()
        if not self.png:
            spec["usermeta"] = {**spec.get("usermeta", {}), **NO_PNG_META}
        locale = vega_locale(self.lang)
        if locale:  # the edition's number formats: decimal comma, a no-break space between thousands
            spec.setdefault("config", {})["locale"] = locale
        return spec

    def _repr_mimebundle_(self, include=None, exclude=None):
        spec = self.spec()
        spec_json = json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        div_id = "fig-" + hashlib.sha256((self.number + spec_json).encode("utf-8")).hexdigest()[:12]
        files = chart_data_urls(spec)
        vega = vega_spec(spec)
        vega_json = json.dumps(vega, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        script = _EMBED_SCRIPT % {
            "div_id": json.dumps(div_id),
            "spec": vega_json.replace("</", "<\\/"),
            "files": json.dumps(files),
            "prefix": CHART_DATA_URL_PREFIX,
            "prefix_len": len(CHART_DATA_URL_PREFIX),
            "registry": JS_DATA_REGISTRY,
            "bundle": VEGA_BUNDLE_PATH,
        }
        label = _("Figure {number}.", self.lang, number=self.number)
        caption = html.escape(f"{label} {self.caption}")
        stem = downloads.figure_stem(self.number, div_id)
        written = downloads.write_figure_downloads(
            spec,
            stem=stem,
            folder=chart_data_dir(),
            prefix=CHART_DATA_URL_PREFIX,
            heading=f"{label} {self.caption}",
            source=self.source,
            write=_atomic_write,
        )
        # Relative links: right beside a notebook in JupyterLab; the book's Sphinx extension
        # prefixes them with the page's path to the root.
        lang = self.lang
        links = [
            (name, _("data (CSV)", lang) if len(written["csv"]) == 1 else _("data {index} (CSV)", lang, index=index))
            for index, name in enumerate(written["csv"], start=1)
        ]
        links += [(f"{stem}.svg", _("chart (SVG)", lang))]
        if self.png:
            links += [(f"{stem}.png", _("chart (PNG)", lang))]
        else:
            # Rendered here, in the run (in parallel with the other runs), from the Vega just compiled.
            _atomic_write(chart_data_dir() / f"{stem}.svg", figure_svg(vega, files))
        links += [(written["spec"][0], _("Vega-Lite spec", lang))]
        anchors = " · ".join(
            f'<a class="book-download" href="{CHART_DATA_URL_PREFIX}{name}" download="{name}">{label}</a>'
            for name, label in links
        )
        alt_attribute = html.escape(self.alt_text)
        download = html.escape(_("Download:", lang))
        body = (
            f'<figure class="book-figure" role="group" aria-label="{alt_attribute}">'
            f'<div id="{div_id}" class="book-chart" role="img" aria-label="{alt_attribute}"></div>'
            f'<noscript><img class="book-chart-static" src="{CHART_DATA_URL_PREFIX}{stem}.svg" alt="{alt_attribute}">'
            "</noscript>"
            f"<figcaption>{caption}</figcaption>"
            f'<p class="book-downloads">{download} {anchors}</p>'
            f"<script>{script}</script></figure>"
        )
        mimetype = f"application/vnd.vegalite.v{alt.SCHEMA_VERSION.lstrip('v').split('.')[0]}+json"
        return {"text/html": body, mimetype: spec, "text/plain": f"<Figure {self.number}: {self.caption}>"}


class FigureCounter:
    """Numbers figures within a chapter: 'chapter.n' when a chapter number is set.

    A chapter that names its figures (``helpers.chapters.numbering.Numbering``) gets each named
    figure the number its prose refers to; a figure shown out of the declared order is an error.
    """

    def __init__(self) -> None:
        self.chapter: str | None = None
        self.names: tuple[str, ...] = ()
        self.count = 0
        self.lang = "en"  # the edition: the words around a figure and its number formats

    def _format(self, position: int) -> str:
        return f"{self.chapter}.{position}" if self.chapter else str(position)

    def next_number(self, name: str | None = None) -> str:
        if name is None:
            self.count += 1
            return self._format(self.count)
        if name not in self.names:
            raise ValueError(f"figure {name!r} is not declared by this chapter; declared: {', '.join(self.names)}")
        position = self.names.index(name) + 1
        if position <= self.count:
            raise ValueError(f"figure {name!r} comes after figure {self.count}: show figures in their declared order")
        self.count = position
        return self._format(position)


_counter = FigureCounter()


def set_chapter(chapter: Any) -> None:
    """Start numbering figures for a chapter: a number ('3' gives Figure 3.1, 3.2, ...), None, or a
    ``Numbering`` (its chapter number and figure names)."""
    names = tuple(getattr(chapter, "figures", ()))
    _counter.lang = getattr(chapter, "lang", "en")
    if hasattr(chapter, "figures"):
        chapter = chapter.chapter
    _counter.chapter = None if chapter is None else str(chapter)
    _counter.names = names
    _counter.count = 0


def figure_svg(vega: dict, urls: list[str]) -> str:
    """The SVG of a compiled Vega spec, its published data read from this run's chart-data folder."""
    import vl_convert

    folder = chart_data_dir()
    files = {
        url.removeprefix(CHART_DATA_URL_PREFIX): (folder / url.removeprefix(CHART_DATA_URL_PREFIX)).read_bytes()
        for url in urls
    }
    return vl_convert.vega_to_svg(downloads.inline_data(vega, files, CHART_DATA_URL_PREFIX))


def figure(
    chart: alt.TopLevelMixin | PreparedSpec,
    *,
    caption: str,
    alt_text: str,
    name: str | None = None,
    source: str | None = None,
    png: bool = True,
) -> Figure:
    """Wrap a chart as the next numbered figure (or the one its chapter declared as ``name``).

    ``source`` (optional) names the data's source in the header of the figure's CSV download.
    ``png=False`` (templates run for hundreds of pages): downloads offer the SVG, rendered in the
    run itself, but no PNG, which would cost the build about 0.2 s a page.
    """
    if not caption.strip() or not alt_text.strip():
        raise ValueError("every figure needs a caption and alt text describing what it shows")
    return Figure(
        chart,
        caption=caption,
        alt_text=alt_text,
        number=_counter.next_number(name),
        source=source,
        png=png,
        lang=_counter.lang,
    )


def enable() -> None:
    """Register the book's data transformer (idempotent); called on import of helpers.charts."""
    if "book" not in alt.data_transformers.names():
        alt.data_transformers.register("book", book_data_transformer)
    alt.data_transformers.enable("book")


# vl-convert bundles its own copy of Vega, addressed by this module name (resolved inside
# vl-convert, never fetched). Its `vega` snippet name is broken (a null default import), so the
# snippet imports Vega under other names; naming only View and parse leaves Vega-Lite and
# vega-embed out of the bundle.
VEGA_MODULE = "https://cdn.jsdelivr.net/npm/vega@6.2.0/+esm"
VEGA_RUNTIME_SNIPPET = (
    f'import {{View as BookVegaView, parse as bookVegaParse}} from "{VEGA_MODULE}";\n'
    "window.vega = {View: BookVegaView, parse: bookVegaParse};"
)


def vega_bundle_source() -> str:
    """The Vega runtime alone (specs are compiled to Vega beforehand), wrapped so it adds one page global."""
    import vl_convert

    try:
        bundle = vl_convert.javascript_bundle(VEGA_RUNTIME_SNIPPET)
    except BaseException as error:  # vl-convert raises a Rust panic (not an Exception) on a bad module name
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        raise RuntimeError(
            f"vl-convert {downloads.vl_convert_version()} could not bundle {VEGA_MODULE}: {str(error)[:200]}; "
            "set VEGA_MODULE in helpers/charts/render.py to the Vega version it ships"
        ) from None
    if "window.vega=" not in bundle.replace(" ", ""):
        raise RuntimeError("vl-convert's bundle no longer exports window.vega; check its version")
    # A function scope keeps the bundle's top-level names (e.g. `_`) from colliding with Sphinx's.
    return "/* Vega runtime: generated by vl-convert-python at build time */\n(function(){\n" + bundle + "\n})();\n"
