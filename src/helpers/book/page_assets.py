"""Lighter theme assets for the built book: only the CSS rules and icons its pages use.

The theme ships ~0.6 MB of stylesheets (Bootstrap, every Font Awesome icon class, sphinx-design)
and a 156 KB icon font for the 16 icons its header shows. After Sphinx writes the pages, this
keeps each stylesheet's rules whose class names occur in the pages or the scripts they load,
replaces the icon font with those 16 icons as inline SVG masks (drawn from the theme's own
copy of Font Awesome, at build time), and deletes the theme files no page loads.
"""

from __future__ import annotations

import re
import shutil
import urllib.parse
from pathlib import Path

ICON_STYLESHEET = "book-icons.css"
_CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')
_WORD = re.compile(r"[A-Za-z_][\w-]*")
_CLASS_IN_SELECTOR = re.compile(r"\.(-?[A-Za-z_][\w-]*)")
# Theme files that no page loads once the icon font is replaced (with the source maps: the 1.5 MB
# icon script, the fonts, the thebe launcher the book drops).
UNUSED_THEME_FILES = (
    "_static/scripts/fontawesome.js",
    "_static/vendor/fontawesome",
    "_static/sphinx-thebe.js",
)


def used_words(html_dir: Path) -> set[str]:
    """Class names in the built pages plus every word in the scripts (which add classes at run time)."""
    words: set[str] = set()
    for page in html_dir.rglob("*.html"):
        for attribute in _CLASS_ATTRIBUTE.findall(page.read_text(encoding="utf-8", errors="replace")):
            words.update(attribute.split())
    # The theme's and Sphinx's scripts; not the icon script (it names every icon), not the chart and
    # widget bundles under _vendor/ (they style what they draw themselves).
    for script in (html_dir / "_static").rglob("*.js"):
        if script.name == "fontawesome.js":
            continue
        words.update(_WORD.findall(script.read_text(encoding="utf-8", errors="replace")))
    return words


def _split_top_level(text: str, separator: str = ",") -> list[str]:
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def _selector_is_used(selector: str, words: set[str]) -> bool:
    # Classes inside :not(...) do not have to be present for the selector to match.
    positive = re.sub(r":not\([^)]*\)", "", selector)
    return all(name.replace("\\", "") in words for name in _CLASS_IN_SELECTOR.findall(positive))


def _blocks(css: str):
    """Top-level items of a stylesheet: (prelude, body) for blocks, (statement, None) otherwise."""
    index, length = 0, len(css)
    while index < length:
        start = index
        depth = 0
        quote = None
        while index < length:
            char = css[index]
            if quote:
                if char == "\\":
                    index += 1
                elif char == quote:
                    quote = None
            elif css.startswith("/*", index):
                end = css.find("*/", index + 2)
                index = length - 1 if end < 0 else end + 1
            elif char in "\"'":
                quote = char
            elif char == ";" and depth == 0:
                index += 1
                yield css[start:index], None
                break
            elif char == "{":
                if depth == 0:
                    brace = index
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    index += 1
                    yield css[start:brace], css[brace + 1 : index - 1]
                    break
            index += 1
        else:
            tail = css[start:].strip()
            if tail:
                yield tail, None
            return


_COMMENT = re.compile(r"/\*(?!!).*?\*/", re.DOTALL)


def purge_css(css: str, words: set[str], drop_font_families: tuple[str, ...] = ()) -> str:
    """Keep the rules whose selectors can match the book's pages; drop the named @font-face rules."""
    out = []
    for prelude, body in _blocks(css):
        head = _COMMENT.sub("", prelude).strip()
        if body is None:
            if head or prelude.strip().startswith("/*!"):
                out.append(prelude.strip())
            continue
        if head.startswith("@font-face"):
            if any(family in body for family in drop_font_families):
                continue
            out.append(f"{head}{{{body}}}")
        elif head.startswith(("@media", "@supports", "@layer", "@container")):
            inner = purge_css(body, words, drop_font_families)
            if inner.strip():
                out.append(f"{head}{{{inner}}}")
        elif head.startswith("@"):  # @keyframes, @page, @property...: kept whole
            out.append(f"{head}{{{body}}}")
        else:
            kept = [s for s in _split_top_level(head) if _selector_is_used(s.strip(), words)]
            if kept:
                out.append(f"{','.join(s.strip() for s in kept)}{{{body}}}")
    return "\n".join(out)


_ICON = re.compile(r'(?:"([a-z0-9-]+)"|\b([a-z0-9]+)):\[(\d+),(\d+),\[[^\]]*\],"[^"]*","(M[^"]+)"\]')


def icon_paths(fontawesome_js: str, names: set[str]) -> dict[str, tuple[int, int, str]]:
    """(width, height, SVG path) of each named solid icon in the theme's fontawesome.js.

    The script defines the brands, regular and solid sets in that order; the book's icons are all
    solid (`fa-solid`/`fas`), so a name's last definition is the one drawn.
    """
    found: dict[str, tuple[int, int, str]] = {}
    for match in _ICON.finditer(fontawesome_js):
        name = match.group(1) or match.group(2)
        if name in names:
            found[name] = (int(match.group(3)), int(match.group(4)), match.group(5))
    return found


def icon_css(icons: dict[str, tuple[int, int, str]]) -> str:
    """Icon classes drawn as CSS masks in the text colour: the same look as the font, a few KB."""
    rules = [
        ":is(.fa-solid,.fas,.fa)[class]::before{content:'';display:inline-block;height:1em;"
        "width:1em;vertical-align:-0.125em;background-color:currentColor;"
        "-webkit-mask:var(--book-icon) no-repeat center/contain;mask:var(--book-icon) no-repeat center/contain}"
    ]
    for name, (width, height, path) in sorted(icons.items()):
        svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"><path d="{path}"/></svg>'
        uri = "data:image/svg+xml," + urllib.parse.quote(svg, safe=" =:/")
        rules.append(f'.fa-{name}{{--book-icon:url("{uri}")}}.fa-{name}::before{{width:{width / height:.4g}em}}')
    return "\n".join(rules) + "\n"


def used_icons(words: set[str], fontawesome_js: str) -> set[str]:
    known = {match.group(1) or match.group(2) for match in _ICON.finditer(fontawesome_js)}
    return {word[3:] for word in words if word.startswith("fa-") and word[3:] in known}


def lighten(html_dir: Path) -> dict[str, int]:
    """Purge the theme's stylesheets, swap the icon font for inline icons, delete unused theme files.

    Returns the bytes of stylesheets before and after. Safe to run again on an already lightened folder.
    """
    static = html_dir / "_static"
    fontawesome = static / "scripts" / "fontawesome.js"
    icons_file = static / ICON_STYLESHEET
    words = used_words(html_dir)
    if fontawesome.exists():
        source = fontawesome.read_text(encoding="utf-8")
        icons_file.write_text(icon_css(icon_paths(source, used_icons(words, source))), encoding="utf-8")
    before = after = 0
    for sheet in sorted(static.rglob("*.css")):
        if sheet.name in (ICON_STYLESHEET, "book.css"):
            continue
        css = sheet.read_text(encoding="utf-8")
        purged = purge_css(css, words, drop_font_families=("Font Awesome",))
        before += len(css.encode())
        after += len(purged.encode())
        if purged != css:
            sheet.write_text(purged, encoding="utf-8")
    for relative in UNUSED_THEME_FILES:
        target = html_dir / relative
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    for source_map in static.rglob("*.map"):
        source_map.unlink()
    return {"css_bytes_before": before, "css_bytes_after": after}


__all__ = ["ICON_STYLESHEET", "icon_css", "icon_paths", "lighten", "purge_css", "used_words"]
