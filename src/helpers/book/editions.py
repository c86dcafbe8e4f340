"""The book's three editions (fi, sv, en) from one source, published side by side.

``book/`` is the English edition's source folder. Each other edition's source folder
(``.cache/editions/<lang>/``) mirrors ``book/``'s hand-written files, holds that edition's executed
notebooks (a chapter that takes the edition's language runs once per edition; any other shares one
run) and a ``_config.yml`` with Sphinx ``language`` set, the theme's words in that language and
``locale_dirs`` pointing at ``book/locales`` (the prose catalogues). The three builds publish
together as ``book/_build/html/{fi,sv,en}/`` under a root ``index.html`` that opens the reader's
browser language, or Finnish (:func:`root_index_html`; plain relative links, so it works from
``file://``). Every page links the same page in the other editions (``helpers.book.sphinx_offline``).
"""

from __future__ import annotations

import html
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import yaml

from helpers.book.filehash import files_under
from helpers.i18n import LANGUAGES, SOURCE_LANGUAGE, _, translated
from helpers.paths import BOOK_DIR, CACHE_DIR

EDITIONS_DIR = CACHE_DIR / "editions"
DEFAULT_EDITION = "fi"  # what the root page opens when the browser asks for none of the editions
PROSE_LOCALES_DIR = BOOK_DIR / "locales"
# Never mirrored into another edition: the English build's own outputs, its configuration and
# table of contents (each edition writes its own), and the catalogues (read in place).
_NOT_MIRRORED = {"_build", "_extra", "locales", "_config.yml", "_toc.yml", ".ipynb_checkpoints"}
# The edition's own name, in its own language, for the switcher and the root page.
EDITION_NAMES = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}


def built_editions() -> tuple[str, ...]:
    """The editions a build makes: all three, or those named in BOOK_EDITIONS (e.g. ``en``, to
    measure what the other two cost)."""
    import os

    named = [code.strip() for code in os.environ.get("BOOK_EDITIONS", "").split(",") if code.strip()]
    unknown = [code for code in named if code not in LANGUAGES]
    if unknown:
        from helpers.errors import ParameterError

        raise ParameterError(f"BOOK_EDITIONS names {unknown}; editions: {', '.join(LANGUAGES)}")
    return tuple(code for code in LANGUAGES if code in named) if named else LANGUAGES


def source_dir(lang: str) -> Path:
    return BOOK_DIR if lang == SOURCE_LANGUAGE else EDITIONS_DIR / lang


def config(lang: str) -> dict:
    """``book/_config.yml`` for the edition ``lang``: language, translated theme words, catalogues."""
    document = yaml.safe_load((BOOK_DIR / "_config.yml").read_text(encoding="utf-8"))
    document["title"] = translated(document["title"], lang)
    document["html"]["extra_footer"] = translated(document["html"]["extra_footer"], lang)
    # The source folder moves: paths that the English configuration gives relative to book/.
    document["bibtex_bibfiles"] = [str((BOOK_DIR / path).resolve()) for path in document["bibtex_bibfiles"]]
    sphinx = document["sphinx"]["config"]
    sphinx["language"] = lang
    sphinx["locale_dirs"] = [str(PROSE_LOCALES_DIR)]
    theme = sphinx["html_theme_options"]
    theme["search_bar_text"] = translated(theme["search_bar_text"], lang)
    sphinx["nb_code_prompt_show"] = _("Show code cell {type}", lang)
    sphinx["nb_code_prompt_hide"] = _("Hide code cell {type}", lang)
    return document


def config_text(lang: str) -> str:
    header = f"# Generated from book/_config.yml for the edition '{lang}' by helpers.book.editions; do not edit.\n"
    return header + yaml.safe_dump(config(lang), sort_keys=False, allow_unicode=True)


def _hand_written(generated: dict[str, bytes | Path]) -> dict[str, Path]:
    """Relative path -> file under book/ that every edition shares (pages, static files, run plan)."""
    files = {}
    for path in files_under(BOOK_DIR, _NOT_MIRRORED):
        relative = path.relative_to(BOOK_DIR)
        if relative.as_posix() not in generated:
            files[relative.as_posix()] = path
    return files


def sync_sources(target: Path, generated: dict[str, bytes | Path], write: Callable[[Path, bytes | Path], bool]) -> int:
    """Make ``target`` hold book/'s hand-written files and ``generated`` (and nothing else outside
    ``_extra`` and ``_build``); unchanged files keep their times, so Sphinx re-reads only what changed."""
    changed = 0
    wanted = set(generated)
    for name, path in _hand_written(generated).items():
        changed += write(target / name, path)
        wanted.add(name)
    for name, data in generated.items():
        changed += write(target / name, data)
    for path in files_under(target, {"_extra", "_build"}):
        if path.relative_to(target).as_posix() not in wanted:
            path.unlink()
            changed += 1
    for root, _dirs, _files in os.walk(target, topdown=False):  # folders left empty, deepest first
        folder = Path(root)
        if folder != target and folder.relative_to(target).parts[0] not in ("_extra", "_build"):
            if not any(folder.iterdir()):
                folder.rmdir()
    return changed


def edition_links(pagename: str, lang: str) -> str:
    """The switcher: the same page in the other editions (relative links, so file:// works too)."""
    root = "../" * (pagename.count("/") + 1)
    items = []
    for other in LANGUAGES:
        name = html.escape(EDITION_NAMES[other])
        if other == lang:
            items.append(f'<span class="book-edition-current" lang="{other}" aria-current="page">{name}</span>')
        else:
            href = html.escape(f"{root}{other}/{pagename}.html")
            items.append(f'<a href="{href}" hreflang="{other}" lang="{other}">{name}</a>')
    label = html.escape(_("Editions of this page", lang))
    return f'<nav class="book-editions" aria-label="{label}">' + " · ".join(items) + "</nav>"


def root_index_html(built: tuple[str, ...] = LANGUAGES) -> str:
    """The root page: opens the edition in the browser's language (first match), else Finnish."""
    default = DEFAULT_EDITION if DEFAULT_EDITION in built else built[0]
    title = html.escape(
        translated(yaml.safe_load((BOOK_DIR / "_config.yml").read_text(encoding="utf-8"))["title"], "fi")
    )
    links = "".join(
        f'<li><a href="{lang}/index.html" hreflang="{lang}" lang="{lang}">{html.escape(EDITION_NAMES[lang])}</a></li>'
        for lang in built
    )
    editions = ", ".join(f'"{lang}"' for lang in built)
    return (
        f'<!DOCTYPE html>\n<html lang="{default}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>'
        '<link rel="icon" href="favicon.ico">'
        "<script>(function () {\n"
        f'  var editions = [{editions}], chosen = "{default}";\n'
        '  var asked = navigator.languages || [navigator.language || ""];\n'
        "  for (var i = 0; i < asked.length; i++) {\n"
        '    var code = String(asked[i]).toLowerCase().split("-")[0];\n'
        "    if (editions.indexOf(code) >= 0) { chosen = code; break; }\n"
        "  }\n"
        '  location.replace(chosen + "/index.html");\n'
        "})();</script>"
        f'<noscript><meta http-equiv="refresh" content="0; url={default}/index.html"></noscript>'
        f"</head><body><h1>{title}</h1><ul>{links}</ul></body></html>\n"
    )


def root_files(built: tuple[str, ...] = LANGUAGES) -> dict[str, bytes]:
    """Files at the root of the published book, beside the editions."""
    return {
        "index.html": root_index_html(built).encode("utf-8"),
        "favicon.ico": (BOOK_DIR / "_static" / "favicon.ico").read_bytes(),
    }


def write_runs_index(index: dict[str, dict[str, str]]) -> None:
    """Which run folder made each page of each edition (read by `python -m helpers i18n check`)."""
    import json

    path = EDITIONS_DIR / "runs.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(index, indent=1, sort_keys=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def clean() -> None:
    shutil.rmtree(EDITIONS_DIR, ignore_errors=True)


__all__ = ["DEFAULT_EDITION", "EDITION_NAMES", "config", "root_files", "source_dir"]
