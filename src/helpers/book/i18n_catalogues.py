"""Keep the catalogues in step with the sources, and report what is not yet translated.

- ``python -m helpers i18n update``: the code catalogue (Babel extracts every ``_()``/``N_()`` of
  ``src/helpers`` plus the words that come from committed data: glossary definitions, sources and
  notes, indicator names, the book's title and footer) into ``src/helpers/locales``; the prose
  catalogues (Sphinx's gettext builder over the English edition, then ``sphinx-intl update``) into
  ``book/locales/{fi,sv}/LC_MESSAGES/<page>.po``.
- ``python -m helpers i18n check``: per edition and page, the prose messages without a finished
  translation, plus generated text that fell back to English in the last build's runs. It fails
  (exit 1) when a page the run plan declares ``translated`` in an edition has any; every other
  page's count is printed too, so progress is visible.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from helpers.i18n import DOMAIN, LANGUAGES, LOCALES_DIR, SOURCE_LANGUAGE, catalogue_path
from helpers.paths import BOOK_DIR, CACHE_DIR, REPO_ROOT

PROSE_LOCALES = BOOK_DIR / "locales"
GETTEXT_DIR = CACHE_DIR / "gettext"
RUNS_INDEX = CACHE_DIR / "editions" / "runs.json"  # the last build's run folder per page and edition
TRANSLATIONS = tuple(lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE)
THEME_DOMAIN = "sphinx"  # book/locales/<lang>/LC_MESSAGES/sphinx.po: theme words Sphinx lacks


def data_messages() -> list[tuple[str, str]]:
    """(message, where) of the words that come from committed data and configuration."""
    import yaml

    from helpers.analysis.indicators import INDICATORS
    from helpers.chapters import survey_tables
    from helpers.charts import facts_wording

    messages: list[tuple[str, str]] = []
    terms = survey_tables.glossary_page_table()
    for column in ("Definition", "Source", "Note"):
        messages += [(text, "data/facts/glossary.csv") for text in terms[column] if text]
    messages.append((survey_tables.NO_CONFIRMED_FORM, "helpers/chapters/survey_tables.py"))
    messages += facts_wording.data_messages()  # the background and survey chapters' fact-table words
    messages += [(item.name, "helpers/analysis/indicators.py") for item in INDICATORS if item.name]
    config = yaml.safe_load((BOOK_DIR / "_config.yml").read_text(encoding="utf-8"))
    messages += [
        (config["title"], "book/_config.yml"),
        (config["html"]["extra_footer"], "book/_config.yml"),
        (config["sphinx"]["config"]["html_theme_options"]["search_bar_text"], "book/_config.yml"),
    ]
    return messages


def extract_code_catalogue():
    """The template catalogue of generated text (babel.messages.Catalog)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    template = Catalog(project="social-assistance-book", domain=DOMAIN)
    source = REPO_ROOT / "src" / "helpers"
    for filename, lineno, message, comments, _context in extract_from_dir(
        str(source), method_map=[("**.py", "python")], keywords={"_": None, "N_": None}, comment_tags=("i18n:",)
    ):
        if isinstance(message, str) and message:
            template.add(message, locations=[(f"helpers/{filename}", lineno)], auto_comments=comments)
    for message, where in data_messages():
        template.add(message, locations=[(where, 0)])
    return template


def update_code_catalogues() -> None:
    from babel.messages.pofile import read_po, write_po

    template = extract_code_catalogue()
    with open(LOCALES_DIR / f"{DOMAIN}.pot", "wb") as handle:
        write_po(handle, template, width=100, omit_header=False, sort_output=False)
    for lang in TRANSLATIONS:
        path = catalogue_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with open(path, "rb") as handle:
                catalogue = read_po(handle, locale=lang)
        else:
            from babel.messages.catalog import Catalog

            catalogue = Catalog(locale=lang, domain=DOMAIN, project="social-assistance-book")
        catalogue.update(template, no_fuzzy_matching=True)
        catalogue.obsolete.clear()
        with open(path, "wb") as handle:
            write_po(handle, catalogue, width=100, sort_output=False)
        print(f"{path.relative_to(REPO_ROOT)}: {len(catalogue)} messages")


def build_prose_templates() -> Path:
    """Sphinx's gettext builder over the English edition's sources: one .pot per page."""
    command = [
        str(Path(sys.executable).with_name("jupyter-book")),
        "build",
        str(BOOK_DIR),
        "--path-output",
        str(GETTEXT_DIR),
        "--builder",
        "custom",
        "--custom-builder",
        "gettext",
    ]
    completed = subprocess.run(command, capture_output=True, text=True, cwd=REPO_ROOT)
    if completed.returncode != 0:
        raise SystemExit(f"the gettext build failed:\n{completed.stdout[-2000:]}{completed.stderr[-2000:]}")
    return GETTEXT_DIR / "_build" / "gettext"


def update_prose_catalogues() -> None:
    templates = build_prose_templates()
    command = [
        str(Path(sys.executable).with_name("sphinx-intl")),
        "update",
        "-p",
        str(templates),
        "-d",
        str(PROSE_LOCALES),
    ]
    for lang in TRANSLATIONS:
        command += ["-l", lang]
    subprocess.run(command, check=True, cwd=REPO_ROOT)


# ------------------------------------------------------------------------------------ check


@dataclass
class PageStatus:
    prose_missing: list[str] = field(default_factory=list)
    generated_missing: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.prose_missing) + len(self.generated_missing)


def _finished(path: Path) -> dict[str, bool]:
    """msgid -> has a finished translation, in one .po (absent file: nothing finished)."""
    from babel.messages.pofile import read_po

    if not path.exists():
        return {}
    with open(path, "rb") as handle:
        catalogue = read_po(handle)
    return {str(m.id): bool(m.string) and not m.fuzzy for m in catalogue if m.id and isinstance(m.id, str)}


# A message made only of glue roles (a heading or paragraph whose words the run generates in the
# edition's language, as the municipality pages do) has nothing for a translator to write.
GLUE_ONLY = re.compile(r"^\s*(\{glue(?::\w+)?\}`[^`]*`\s*)+$")


GLUED_MARKDOWN = "application/papermill.record/text/markdown"


def _words(text: str) -> str:
    return " ".join(text.split())


def glued_markdown(page: str) -> list[str]:
    """The Markdown a page's English run glued ({glue:md}), whitespace collapsed: text the code wrote."""
    path = BOOK_DIR / f"{page}.ipynb"
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [
        _words("".join(text) if isinstance(text, list) else str(text))
        for cell in notebook.get("cells", [])
        for output in cell.get("outputs", [])
        if (text := output.get("data", {}).get(GLUED_MARKDOWN)) is not None
    ]


def prose_status(templates: Path, lang: str) -> dict[str, list[str]]:
    """Page -> its prose messages without a finished ``lang`` translation.

    A paragraph of {glue:md} text is not prose: the English run wrote it, the edition's own run writes
    it in ``lang``, and a fallback to English there is counted by ``generated_status``. A message made
    only of glue roles needs no translation either."""
    from babel.messages.pofile import read_po

    status: dict[str, list[str]] = {}
    for pot in sorted(templates.rglob("*.pot")):
        page = pot.relative_to(templates).with_suffix("").as_posix()
        with open(pot, "rb") as handle:
            wanted = [
                str(m.id) for m in read_po(handle) if m.id and isinstance(m.id, str) and not GLUE_ONLY.match(m.id)
            ]
        glued = glued_markdown(page)
        wanted = [message for message in wanted if not any(_words(message) in text for text in glued)]
        finished = _finished(PROSE_LOCALES / lang / "LC_MESSAGES" / f"{page}.po")
        status[page] = [message for message in wanted if not finished.get(message)]
    return status


def generated_status(lang: str) -> dict[str, list[str]]:
    """Page -> generated messages that fell back to English in the last build's run for ``lang``."""
    try:
        index = json.loads(RUNS_INDEX.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    status: dict[str, list[str]] = {}
    for page, folder in index.get(lang, {}).items():
        try:
            meta = json.loads((Path(folder) / "run.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        status[page] = sorted({message for code, message in meta.get("untranslated") or [] if code == lang})
    return status


def code_catalogue_status(lang: str) -> list[str]:
    """Messages of the code catalogue's template without a finished ``lang`` translation."""
    template = extract_code_catalogue()
    finished = _finished(catalogue_path(lang))
    return [str(m.id) for m in template if m.id and not finished.get(str(m.id))]


def check(stream=None) -> int:
    """Print the untranslated strings per edition and page; 1 when a declared page has any."""
    stream = stream or sys.stdout
    from helpers.book.runplan import load_run_plan

    plan = load_run_plan()
    declared = {page.page: set(page.translated) for page in plan.pages()}
    generated = {page.page for page in plan.published_pages() if page.kind == "generated"}
    templates = build_prose_templates()
    failures = 0
    for lang in TRANSLATIONS:
        pages: dict[str, PageStatus] = defaultdict(PageStatus)
        for page, messages in prose_status(templates, lang).items():
            # A generated page (the run record) is written in the edition's language from the code
            # catalogue, which is checked below; the English template's words are not its prose.
            pages[page].prose_missing = [] if page in generated else messages
        for page, messages in generated_status(lang).items():
            pages[page].generated_missing = messages
        print(f"edition {lang}:", file=stream)
        for page in [p.page for p in plan.published_pages()]:  # a sweep's runs are not pages
            status = pages.get(page, PageStatus())
            enforced = lang in declared.get(page, set())
            mark = "translated" if enforced else "in progress"
            verdict = "FAIL" if enforced and status.count else "ok" if enforced else "  "
            print(
                f"  {verdict:4} {page}: {len(status.prose_missing)} prose, {len(status.generated_missing)} generated "
                f"untranslated ({mark})",
                file=stream,
            )
            if enforced and status.count:
                failures += 1
                for message in (status.prose_missing + status.generated_missing)[:10]:
                    print(f"         missing: {message[:100]!r}", file=stream)
        missing_code = code_catalogue_status(lang)
        print(f"  code catalogue: {len(missing_code)} of its messages untranslated", file=stream)
    if failures:
        print(f"{failures} declared page(s) show untranslated English", file=sys.stderr)
        return 1
    return 0
