"""The "Run this chapter" box of each chapter page, written from the run plan (never by hand).

For every page the run plan makes from a notebook, the box gives the live path (``make lab``,
then the notebook) and the exact ``python -m helpers run`` line that re-runs the page with the
parameters the book used: scalars as ``-p NAME VALUE`` (the CLI reads them by the parameter's
annotated type, so a code like ``091`` stays text), lists and mappings in one ``-y`` YAML mapping.
The Sphinx hook (``add_run_box``, connected in ``helpers.book.sphinx_offline``) puts the box under
the page title as static HTML: no script, nothing loaded, so it works offline and from ``file://``.
"""

from __future__ import annotations

import html
import shlex
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from helpers.book.runplan import Page, load_run_plan

PYTHON = ".venv/bin/python"  # the venv `make setup` creates, as in the README
BOX_CLASS = "run-this-chapter"


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, bool, int, float))


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def output_path(page: Page) -> str:
    assert page.notebook is not None
    return f"build/{Path(page.notebook).name}"


def run_arguments(page: Page) -> list[str]:
    """The command line (as argv) that re-runs ``page`` with its run-plan parameters."""
    if page.notebook is None:
        raise ValueError(f"page {page.page} is not made from a notebook")
    argv = [PYTHON, "-m", "helpers", "run", page.notebook, "-o", output_path(page)]
    structured = {}
    for name, value in page.parameters.items():
        if _is_scalar(value):
            argv += ["-p", name, _scalar_text(value)]
        else:
            structured[name] = value
    if structured:
        flow = yaml.safe_dump(structured, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10**6)
        argv += ["-y", flow.strip()]
    return argv


def run_command(page: Page) -> str:
    """``run_arguments`` as one line to paste into a POSIX shell (quoted where needed)."""
    return " ".join(shlex.quote(argument) for argument in run_arguments(page))


def box_text(page: Page) -> str:
    """The box as plain text (what the HTML says, for tests and non-HTML builders)."""
    return (
        f"Run this chapter\n"
        f"Live: `make lab` in a clone of the book (BOOK_DATA_MIRROR set), then open {page.notebook}.\n"
        f"This page's run, with the parameters in book/runplan.yml:\n"
        f"{run_command(page)}"
    )


def edition_page(page: Page, lang: str) -> Page:
    """The page as the edition ``lang`` runs it: with ``lang`` among its parameters when its chapter
    takes the edition's language (the English edition's line stays the run plan's)."""
    if lang == "en" or not page.chapter:
        return page
    from dataclasses import replace

    from helpers.chapters import chapter_module

    name = getattr(chapter_module(page.chapter), "EDITION_PARAMETER", None)
    return replace(page, parameters={**page.parameters, name: lang}) if name else page


def box_html(page: Page, lang: str = "en") -> str:
    """The box as static HTML: an admonition with the two paths; every value escaped."""
    from helpers.i18n import _

    notebook = html.escape(str(page.notebook))
    title = html.escape(_("Run this chapter", lang))
    return (
        f'<div class="admonition tip {BOX_CLASS}">'
        f'<p class="admonition-title">{title}</p>'
        "<p>"
        + _(
            "Live: <code>make lab</code> in a clone of the book (with <code>BOOK_DATA_MIRROR</code> set), "
            "then open <code>{notebook}</code>; the README says how. "
            "This page's run, with the parameters in <code>book/runplan.yml</code>:",
            lang,
            notebook=notebook,
        )
        + "</p>"
        '<div class="highlight-bash notranslate"><div class="highlight"><pre>'
        f"{html.escape(run_command(edition_page(page, lang)))}</pre></div></div></div>"
    )


@lru_cache(maxsize=8)
def _boxes(plan_path: str, modified: int, lang: str) -> dict[str, str]:
    return {page.page: box_html(page, lang) for page in load_run_plan(Path(plan_path)).notebook_pages()}


def boxes_for(plan_path: Path, lang: str = "en") -> dict[str, str]:
    """Page name -> box HTML for every notebook page of the plan (re-read when the plan changes)."""
    return _boxes(str(plan_path), plan_path.stat().st_mtime_ns, lang)


def add_run_box(app, doctree) -> None:
    """Sphinx ``doctree-read``: put the page's box right under its title (chapter pages only)."""
    from docutils import nodes

    plan_path = Path(app.srcdir) / "runplan.yml"
    if not plan_path.exists():
        return
    lang = getattr(getattr(app, "config", None), "language", None) or "en"
    box = boxes_for(plan_path, lang).get(app.env.docname)
    if box is None:
        return
    raw = nodes.raw("", box, format="html")
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is not None and section.children and isinstance(section.children[0], nodes.title):
        section.insert(1, raw)
    else:
        doctree.insert(0, raw)
