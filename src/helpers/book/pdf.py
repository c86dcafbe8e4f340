"""The PDF edition: the whole book as one PDF, printed from the built HTML by Debian's chromium.

Why this route: Jupyter Book's own PDF builders need LaTeX or pyppeteer downloading a browser,
neither of which works offline here; chromium prints the pages the readers see. The pages'
articles, in the order of the table of contents, go into one print document with a title page
and a contents list; scripts are off, so every figure is its build-time SVG (the page's
<noscript> image), numbered with its caption. Chromium's footer numbers the pages; the contents
get their page numbers from a first printing. The result is cached by a hash of everything
printed, so a build with nothing changed prints nothing.
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from helpers.i18n import _


def pdf_name(lang: str = "en") -> str:
    """Each edition's PDF: social-assistance-in-finland-fi.pdf, -sv.pdf, -en.pdf."""
    return f"social-assistance-in-finland-{lang}.pdf"


PDF_NAME = pdf_name("en")
PRINT_DOCUMENT = "_pdf-edition/book.html"  # one folder deep, like the chapters: their ../ links still resolve
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
_ARTICLE = re.compile(r'<article class="bd-article"[^>]*>(.*?)</article>', re.DOTALL)
_TITLE = re.compile(r"<h1[^>]*>(.*?)</h1>", re.DOTALL)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)

PRINT_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10pt; line-height: 1.45; color: #111; }
h1 { font-size: 20pt; break-before: page; margin-top: 0; }
h2 { font-size: 14pt; break-after: avoid; } h3 { font-size: 12pt; break-after: avoid; }
a { color: #1a4f8b; text-decoration: none; } a.headerlink { display: none; }
table { border-collapse: collapse; font-size: 8.5pt; margin: 0.8em 0; max-width: 100%; }
th, td { border-bottom: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }
table.book-table { display: table; }
figure.book-figure { break-inside: avoid; margin: 1em 0; }
img.book-chart-static { max-width: 100%; max-height: 215mm; height: auto; }
figcaption { font-size: 9pt; color: #333; margin-top: 0.3em; }
pre { white-space: pre-wrap; font-size: 8pt; background: #f6f6f6; padding: 4px; }
.book-downloads, .book-pdf-link, .book-editions, .book-widget-loader { display: none; }
.title-page { height: 240mm; display: flex; flex-direction: column; justify-content: center; }
.title-page h1 { break-before: avoid; font-size: 26pt; }
.contents { break-before: page; } .contents h2 { font-size: 16pt; }
.contents ol { list-style: none; padding: 0; } .contents li { display: flex; margin: 0.25em 0; }
.contents li .dots { flex: 1; border-bottom: 1px dotted #999; margin: 0 0.4em 0.3em; }
"""


# Folders of web-only pages: the 309 municipality pages (and their index) are a reference to look
# up, not chapters to read in order; printed they would be over a thousand pages.
WEB_ONLY_FOLDERS = ("municipalities/",)


def toc_pages(book_dir: Path) -> list[str]:
    """The printed pages in reading order (root, then every chapter of every part, web-only pages left out)."""
    import yaml

    toc = yaml.safe_load((book_dir / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [chapter["file"] for chapter in part.get("chapters", [])]
    return [page + ".html" for page in pages if not page.startswith(WEB_ONLY_FOLDERS)]


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).replace("#", "").split())


def chapters(html_dir: Path, pages: list[str]) -> list[tuple[str, str]]:
    """(title, article HTML without scripts) of each page."""
    found = []
    for page in pages:
        text = (html_dir / page).read_text(encoding="utf-8")
        match = _ARTICLE.search(text)
        if not match:
            raise RuntimeError(f"{page} has no <article class='bd-article'>: the theme's layout changed")
        article = _SCRIPT.sub("", match.group(1))
        title_match = _TITLE.search(article)
        found.append((_plain(title_match.group(1)) if title_match else page, article))
    return found


def print_document(
    title: str, subtitle: str, parts: list[tuple[str, str]], page_numbers: list[int] | None, lang: str = "en"
) -> str:
    """The print document: title page, contents (with page numbers once known), then every page's article."""
    entries = "".join(
        f'<li><span>{index}. {html.escape(name)}</span><span class="dots"></span>'
        f"<span>{page_numbers[index - 1] if page_numbers else ''}</span></li>"
        for index, (name, _article) in enumerate(parts, start=1)
    )
    body = "".join(f'<section class="book-page">{article}</section>' for _name, article in parts)
    contents = html.escape(_("Contents", lang))
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{PRINT_CSS}</style></head><body>"
        f'<section class="title-page"><h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p></section>'
        f'<section class="contents"><h2>{contents}</h2><ol>{entries}</ol></section>{body}</body></html>'
    )


FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#555">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


def _print(browser, url: str, path: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        page.pdf(
            path=str(path),
            format="A4",
            print_background=True,
            display_header_footer=True,
            header_template="<div></div>",
            footer_template=FOOTER,
            margin={"top": "18mm", "bottom": "20mm", "left": "16mm", "right": "16mm"},
        )
    finally:
        context.close()


def chapter_start_pages(pdf_path: Path, titles: list[str], first_content_page: int) -> list[int]:
    """The page (1-based) where each title first appears as a page's opening text, in order."""
    from pypdf import PdfReader

    texts = [" ".join((page.extract_text() or "").split()) for page in PdfReader(str(pdf_path)).pages]
    numbers, start = [], first_content_page
    for title in titles:
        words = " ".join(title.split())
        for index in range(start, len(texts)):
            if texts[index].startswith(words) or words in texts[index][: len(words) + 80]:
                numbers.append(index + 1)
                start = index + 1
                break
        else:
            numbers.append(numbers[-1] if numbers else first_content_page + 1)
    return numbers


def _print_book(html_dir: Path, chromium: str, title: str, subtitle: str, parts, draft: Path, lang: str) -> None:
    """Print twice: the first printing tells the contents on which page each chapter starts."""
    from playwright.sync_api import sync_playwright

    document = html_dir / PRINT_DOCUMENT
    document.parent.mkdir(exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                document.write_text(print_document(title, subtitle, parts, None, lang), encoding="utf-8")
                _print(browser, document.as_uri(), draft)
                numbers = chapter_start_pages(draft, [name for name, _article in parts], first_content_page=2)
                document.write_text(print_document(title, subtitle, parts, numbers, lang), encoding="utf-8")
                _print(browser, document.as_uri(), draft)
            finally:
                browser.close()
    finally:
        shutil.rmtree(document.parent, ignore_errors=True)


def build_pdf(
    html_dir: Path,
    book_dir: Path,
    cache_dir: Path,
    title: str,
    chromium: str | None = None,
    log: Callable[[str], None] = print,
    lang: str = "en",
) -> Path:
    """Make the edition's PDF in ``html_dir`` (from the cache when nothing printed changed); return its path."""
    chromium = chromium or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise RuntimeError("chromium is not installed: `make chromium` installs Debian's (it prints the PDF edition)")
    parts = chapters(html_dir, toc_pages(book_dir))
    subtitle = _(
        "English edition, printed from the HTML edition on {date}", lang, date=time.strftime("%Y-%m-%d", time.gmtime())
    )
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for _name, article in parts:
        digest.update(article.encode("utf-8"))
        for image in sorted(set(re.findall(r'src="\.\./(chart-data/[^"]+)"', article))):
            digest.update((html_dir / image).read_bytes())
    digest.update(title.encode("utf-8"))
    digest.update(lang.encode("utf-8"))
    cached = cache_dir / f"{digest.hexdigest()[:24]}.pdf"
    target = html_dir / pdf_name(lang)
    if not cached.exists():
        started = time.perf_counter()
        cache_dir.mkdir(parents=True, exist_ok=True)
        # Playwright's sync API refuses to run where an asyncio loop is running (a caller's, e.g. a
        # test session driving a browser): a thread of its own has none.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(_print_book, html_dir, chromium, title, subtitle, parts, cache_dir / "draft.pdf", lang).result()
        (cache_dir / "draft.pdf").replace(cached)
        log(f"PDF edition printed by chromium in {time.perf_counter() - started:.1f} s")
    temporary = target.with_name(target.name + ".tmp")
    shutil.copyfile(cached, temporary)
    temporary.replace(target)
    return target
