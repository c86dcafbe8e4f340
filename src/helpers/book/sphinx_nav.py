"""Sphinx extension: one sidebar for a family's pages instead of one each.

The theme (pydata-sphinx-theme under sphinx-book-theme) builds every page's sidebar from the whole
table of contents and re-parses it with BeautifulSoup: with the 309 municipality pages in the
book that is O(pages) work per page, O(pages²) per build, and measured as most of Sphinx's writing
time. Sibling pages of one folder have the same sidebar except which entry is marked current, so
the sidebar of the first page of a family folder is kept and, for each sibling, the "current"
mark is moved from that page's entry to the sibling's. When the expected markup is not found
exactly once (a theme upgrade), the page gets the theme's own sidebar: slower, never wrong.
"""

from __future__ import annotations

import re
from typing import Any

# Folders whose pages share one sidebar (the run plan's municipality family writes municipalities/CODE).
SHARED_SIDEBAR_FOLDERS = ("municipalities/",)

_CURRENT = re.compile(r'<li class="(toctree-l\d+) current active"><a class="current reference internal" href="#">')
_cache: dict[tuple, tuple[str, str]] = {}


def _entry(level_class: str, href: str) -> str:
    return f'<li class="{level_class}"><a class="reference internal" href="{href}">'


def move_current(html: str, owner: str, page: str) -> str | None:
    """The sidebar rendered for ``owner`` with ``page`` marked current instead (same folder), or None."""
    found = _CURRENT.findall(html)
    if len(found) != 1:
        return None
    (level,) = found
    owner_href = owner.rsplit("/", 1)[-1] + ".html"
    page_href = page.rsplit("/", 1)[-1] + ".html"
    unmarked = _CURRENT.sub(lambda _: _entry(level, owner_href), html)
    target = _entry(level, page_href)
    if unmarked.count(target) != 1:
        return None
    marked = f'<li class="{level} current active"><a class="current reference internal" href="#">'
    return unmarked.replace(target, marked)


def share_family_sidebar(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    if not pagename.startswith(SHARED_SIDEBAR_FOLDERS) or pagename.endswith("/index"):
        return
    original = context.get("generate_toctree_html")
    if original is None:
        return
    folder = pagename.rsplit("/", 1)[0]

    def shared(kind: str, startdepth: int = 1, show_nav_level: int = 1, **kwargs: Any) -> Any:
        if kind != "sidebar":
            return original(kind, startdepth, show_nav_level, **kwargs)
        key = (id(app), folder, startdepth, show_nav_level, tuple(sorted(kwargs.items())))
        if key in _cache:
            owner, html = _cache[key]
            moved = move_current(html, owner, pagename)
            if moved is not None:
                return moved
            return original(kind, startdepth, show_nav_level, **kwargs)
        html = str(original(kind, startdepth, show_nav_level, **kwargs))
        if len(_CURRENT.findall(html)) == 1:
            _cache[key] = (pagename, html)
        return html

    context["generate_toctree_html"] = shared


def install(app: Any) -> None:
    """Run right after the theme puts ``generate_toctree_html`` into a page's context, before the theme
    pre-renders its sidebar templates with it (both are theme handlers of one priority, so no priority
    of ours falls between them): wrap the theme's handler. Without it, pages keep the theme's sidebar."""
    _cache.clear()
    try:
        from pydata_sphinx_theme import toctree  # type: ignore[import-untyped]
    except ImportError:
        return
    listeners = app.events.listeners.get("html-page-context", [])
    for index, listener in enumerate(listeners):
        if listener.handler is toctree.add_toctree_functions:

            def with_shared_sidebar(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
                toctree.add_toctree_functions(app, pagename, templatename, context, doctree)
                share_family_sidebar(app, pagename, templatename, context, doctree)

            listeners[index] = listener._replace(handler=with_shared_sidebar)
            return


def setup(app: Any) -> dict:
    app.connect("builder-inited", install)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
