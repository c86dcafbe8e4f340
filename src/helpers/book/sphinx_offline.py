"""Sphinx extension: keep published pages free of third-party and duplicated scripts.

Jupyter Book 1 always loads sphinx-thebe, whose configuration script names a CDN and is
added twice (a console error: `THEBE_JS_URL` already declared); the book runs no live
kernels, so those scripts are dropped, and any other script added twice is kept once.
The theme's fontawesome.js (1.5 MB) is dropped too: it only swaps icons for SVGs, and the
theme's stylesheet draws the same icons from its webfonts; so is the search index on pages
other than the search page (search-as-you-type is off), which keeps pages light; and a page's
own script (``_static/page-scripts/NAME.js``) loads only on the pages that hold its element.
"""

from __future__ import annotations

import html
import re
from pathlib import Path


def _script_key(script) -> tuple:
    filename = getattr(script, "filename", script)
    attributes = getattr(script, "attributes", {}) or {}
    return (str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items())))


def _is_thebe(script) -> bool:
    filename = str(getattr(script, "filename", script) or "")
    body = str((getattr(script, "attributes", {}) or {}).get("body", ""))
    return "thebe" in filename or "THEBE_JS_URL" in body


# Widget pages: the saved widget state is in the page, but the 3.6 MB widget manager (installed
# from npm, published under _vendor/) loads only when the reader asks for it, so pages stay light.
WIDGET_LOADER_TEMPLATE = """<script>
(function () {
  function init() {
    var views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
    if (!views.length) { return; }
    var root = document.documentElement.getAttribute("data-content_root") || "";
    var box = document.createElement("div");
    box.className = "admonition note book-widget-loader";
    box.innerHTML = '<p class="admonition-title">' + %(title)s + '</p><p>' + %(text)s + '</p>' +
      '<button type="button" class="btn btn-secondary">' + %(button)s + '</button>';
    var cell = views[0].closest(".cell") || views[0].parentElement;
    cell.parentElement.insertBefore(box, cell);
    var button = box.querySelector("button");
    button.addEventListener("click", function () {
      button.disabled = true;
      button.textContent = %(loading)s;
      var first = document.createElement("script");
      first.src = root + "_vendor/require.min.js";
      first.onload = function () {
        // The widget bundle finds its fonts beside the module it runs as: point those ids at _vendor/.
        window.require.config({paths: {
          "@jupyter-widgets/html-manager/dist": root + "_vendor",
          "@jupyter-widgets/html-manager": root + "_vendor/html-manager"
        }});
        var second = document.createElement("script");
        second.src = root + "_vendor/embed-amd.js";
        second.onload = function () { button.textContent = %(shown)s; };
        document.head.appendChild(second);
      };
      document.head.appendChild(first);
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
</script>"""


# Jupyter Book adds every script under book/_static to every page. A page's own script lives in
# _static/page-scripts/NAME.js and stays only on pages whose body holds data-page-script="NAME".
_PAGE_SCRIPT = re.compile(r"(?:^|/)page-scripts/([\w-]+)\.js(?:\?|$)")


def page_script_name(script) -> str | None:
    """NAME of a page's own script (_static/page-scripts/NAME.js), else None."""
    match = _PAGE_SCRIPT.search(str(getattr(script, "filename", script) or ""))
    return match.group(1) if match else None


def keep_page_scripts(scripts: list, body: str) -> list:
    """The scripts without the page scripts that this page's body does not ask for."""
    return [
        script
        for script in scripts
        if (name := page_script_name(script)) is None or f'data-page-script="{name}"' in body
    ]


def widget_loader(lang: str) -> str:
    import json

    from helpers.i18n import _

    words = {
        "title": _("A live explorer: needs a Jupyter kernel", lang),
        "text": _(
            "This explorer redraws with Python callbacks, so it works only in a running notebook "
            "(download this page as a notebook with the button at the top and run it). Its saved controls "
            "can be shown here without a kernel; that loads 3.6 MB of widget scripts published with the book.",
            lang,
        ),
        "button": _("Show the explorer's saved state", lang),
        "loading": _("Loading widget scripts…", lang),
        "shown": _("Saved state shown below", lang),
    }
    # JSON strings are JavaScript strings; "</" cannot end the script element early.
    return WIDGET_LOADER_TEMPLATE % {
        key: json.dumps(html.escape(value) if key in ("title", "text", "button") else value).replace("</", "<\\/")
        for key, value in words.items()
    }


def clean_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    scripts[:] = keep_page_scripts(list(scripts), context.get("body", "") or "")
    if any("widget-state" in str((getattr(s, "attributes", {}) or {}).get("type", "")) for s in scripts):
        context["body"] = context.get("body", "") + widget_loader(app.config.language or "en")
    seen: set[tuple] = set()
    kept = []
    for script in scripts:
        key = _script_key(script)
        if _is_thebe(script) or key in seen:
            continue
        seen.add(key)
        kept.append(script)
    scripts[:] = kept


_FONTAWESOME_TAG = re.compile(r'\s*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>')
# The theme loads the search index (~50 KB and growing) on every page for search-as-you-type,
# which the book switches off: the search box leads to search.html, which loads it itself.
_SEARCH_TAGS = re.compile(
    r'\s*<script src="[^"]*(?:_static/searchtools\.js|_static/language_data\.js|searchindex\.js)"></script>'
)


def trim_written_pages(app, exception) -> None:
    """The theme's layout names these scripts directly, so they are removed from the written pages."""
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        cleaned = _FONTAWESOME_TAG.sub("", text)
        if page.name != "search.html":
            cleaned = _SEARCH_TAGS.sub("", cleaned)
        if cleaned != text:
            page.write_text(cleaned, encoding="utf-8")


_CHART_DATA_LINK = re.compile(r'\b(href|src)="chart-data/')


def link_figure_downloads(app, pagename, templatename, context, doctree) -> None:
    """Figure downloads and static images name ``chart-data/...`` (right beside a notebook in
    JupyterLab); in the book they are relative to the page, so prefix the path to the root."""
    body = context.get("body")
    if body and "chart-data/" in body:
        root = "../" * pagename.count("/")
        context["body"] = _CHART_DATA_LINK.sub(lambda m: f'{m.group(1)}="{root}chart-data/', body)


def preload_chart_runtime(app, pagename, templatename, context, doctree) -> None:
    """On pages with charts only, fetch the Vega runtime from the head: the first chart's script
    may sit far down the page, and the fetch would otherwise wait for the parser to reach it."""
    from helpers.charts.render import VEGA_BUNDLE_PATH

    if 'class="book-chart"' in context.get("body", ""):
        root = "../" * pagename.count("/")
        context["metatags"] = (
            context.get("metatags", "") + f'\n<link rel="preload" as="script" href="{root}{VEGA_BUNDLE_PATH}">'
        )


def link_pdf_edition(app, pagename, templatename, context, doctree) -> None:
    """The edition switcher (the same page in the other editions) and a "Download PDF" link to the
    edition's PDF (made by the build) on every page."""
    from helpers.book.editions import edition_links
    from helpers.book.pdf import pdf_name
    from helpers.i18n import _

    if "body" in context:
        lang = app.config.language or "en"
        root = "../" * pagename.count("/")
        name = pdf_name(lang)
        link_text = html.escape(_("Download PDF", lang))
        whole = html.escape(_("(the whole book)", lang))
        context["body"] = (
            edition_links(pagename, lang)
            + f'<p class="book-pdf-link"><a href="{root}{name}" download="{name}">{link_text}</a> {whole}</p>'
            + context["body"]
        )


def lighten_theme_assets(app, exception) -> None:
    """Only the CSS rules and icons the pages use; see helpers.book.page_assets."""
    if exception is not None or app.builder.format != "html":
        return
    from helpers.book.page_assets import lighten

    lighten(Path(app.outdir))


def cache_search_stems() -> None:
    """Stem each word once per build, not once per page: Sphinx memoises the search stemmer only
    within a page, and with 309 municipality pages of similar words the snowball stemmer was a
    quarter of the writing time. The stemmer is a pure function of the word, so the index is the same."""
    import functools

    from sphinx.search import IndexBuilder

    if getattr(IndexBuilder, "_book_stem_cache", False):
        return
    original_init = IndexBuilder.__init__

    def init_with_stem_cache(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.lang.stem = functools.lru_cache(maxsize=None)(self.lang.stem)

    IndexBuilder.__init__ = init_with_stem_cache  # type: ignore[method-assign]
    IndexBuilder._book_stem_cache = True  # type: ignore[attr-defined]


def setup(app):
    from helpers.book.page_assets import ICON_STYLESHEET

    cache_search_stems()
    from helpers.book.run_box import add_run_box

    app.connect("doctree-read", add_run_box)  # each chapter's "Run this chapter" box, from the run plan
    app.connect("build-finished", trim_written_pages)
    app.connect("build-finished", lighten_theme_assets, priority=900)
    app.add_css_file(ICON_STYLESHEET)
    app.connect("html-page-context", link_figure_downloads)
    app.connect("html-page-context", link_pdf_edition)
    app.connect("html-page-context", preload_chart_runtime)
    # Runs after the extensions that add scripts during page-context (priority 500 is the default).
    app.connect("html-page-context", clean_scripts, priority=900)
    # env_version: raise it when what this extension writes into pages changes, so every page is rewritten.
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 4}
