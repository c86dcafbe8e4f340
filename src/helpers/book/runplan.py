"""The run plan: one YAML file saying which notebook makes which page with which parameters.

``book/_toc.yml`` is generated from it (``toc_from_plan``) and a test checks the committed
copy matches, so the table of contents and the executed pages cannot disagree.

Besides single pages, an entry can be a **family**: one template run over many parameter sets,
one page per set. ``over`` gives the sets as an explicit ``list`` of mappings, a ``product`` of
lists, or a named ``generator`` (``GENERATORS``, e.g. every municipality in the release)::

    - family: municipality-pages
      page: municipalities/{code}          # pattern: parameters and the generator's labels
      title: "{name}"
      notebook: notebooks/municipality.ipynb
      parameters: {year: 2019}             # shared by every run
      over: {generator: municipalities_in_release, options: {division: 2021}}

A family expands, when the plan is read, into ordinary pages that carry the family's name.

Any page entry can hold ``sections``: entries (pages or families) that nest under it in the table
of contents, e.g. every municipality page under the municipality index::

    - page: municipalities/index
      notebook: notebooks/municipality_index.ipynb
      chapter: municipality_index
      sections:
        - family: municipality-pages
          ...

The plan's pages stay one flat list in reading order (each section right after its parent page,
``Page.parent`` naming it); only ``toc_from_plan`` builds the tree. Sections are never numbered
chapters, even in a numbered part.

``publish: false`` makes a family of **runs, not pages**: each run is validated, executed and
cached like a page, but it is left out of ``_toc.yml``, the book's sources, the chapter numbers
and the run-record table (a sweep of hundreds of specifications whose results a chapter reads).
A page that reads a family's results says so with ``needs: [family]``: the build executes the
family first and keys the page's run on the digest of the results (``helpers.book.sweep``), so
a changed result re-executes the page and an unchanged sweep leaves it cached.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from helpers.book.yaml_params import load_parameter_yaml
from helpers.errors import ParameterError
from helpers.paths import BOOK_DIR, REPO_ROOT

RUN_PLAN_PATH = BOOK_DIR / "runplan.yml"
GENERATED_PAGES = {"run_record"}


@dataclass(frozen=True)
class Page:
    """One page of the book: an executed notebook, a hand-written file or a generated page."""

    page: str  # path under book/ without suffix, e.g. "chapters/pilot"
    notebook: str | None = None  # path from the repo root, e.g. "notebooks/pilot.ipynb"
    parameters: dict[str, Any] = field(default_factory=dict)
    generated: str | None = None
    title: str | None = None
    chapter: str | None = None  # the chapter module (helpers.chapters) that validates and prepares it
    family: str | None = None  # the family this page was expanded from, if any
    parent: str | None = None  # the page it nests under in the table of contents (``sections``)
    publish: bool = True  # False: executed and cached, but not a page of the book (a sweep's runs)
    needs: tuple[str, ...] = ()  # families whose collected results this page reads
    # Editions in which the page is complete; `python -m helpers i18n check` enforces them.
    translated: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        if self.notebook:
            return "notebook"
        return "generated" if self.generated else "file"

    @property
    def notebook_path(self) -> Path:
        assert self.notebook is not None
        return REPO_ROOT / self.notebook

    @property
    def output_path(self) -> Path:
        suffix = {"notebook": ".ipynb", "generated": ".md"}.get(self.kind, "")
        return BOOK_DIR / (self.page + suffix)


@dataclass(frozen=True)
class Part:
    caption: str
    pages: tuple[Page, ...]
    numbered: bool = False  # its pages are numbered chapters


@dataclass(frozen=True)
class RunPlan:
    root: Page
    parts: tuple[Part, ...]
    root_numbered: bool = False  # the root page is chapter 1

    def pages(self) -> list[Page]:
        """Every entry, the runs of unpublished families included (all of them are executed)."""
        return [self.root] + [page for part in self.parts for page in part.pages]

    def published_pages(self) -> list[Page]:
        """The pages of the book: what ``_toc.yml`` lists and Sphinx builds."""
        return [page for page in self.pages() if page.publish]

    def notebook_pages(self) -> list[Page]:
        return [page for page in self.pages() if page.kind == "notebook"]

    def family_pages(self, name: str) -> list[Page]:
        """The runs of one family, in the order of its parameter sets."""
        pages = [page for page in self.pages() if page.family == name]
        if not pages:
            families = sorted({page.family for page in self.pages() if page.family})
            raise ParameterError(f"no family {name!r} in the run plan; families: {families}")
        return pages

    def chapter_numbers(self) -> dict[str, int]:
        """Page path -> chapter number: the numbered pages (root first if numbered) counted in order."""
        numbered = ([self.root] if self.root_numbered else []) + [
            page for part in self.parts if part.numbered for page in part.pages if page.parent is None and page.publish
        ]
        return {page.page: index for index, page in enumerate(numbered, start=1)}

    def chapter_pages(self) -> dict[str, str]:
        """Chapter module name -> its page, for chapters that make exactly one page (not families)."""
        found: dict[str, list[str]] = {}
        for page in self.pages():
            if page.chapter:
                found.setdefault(page.chapter, []).append(page.page)
        return {chapter: pages[0] for chapter, pages in found.items() if len(pages) == 1}

    def chapter_numbers_by_chapter(self) -> dict[str, int]:
        """Chapter module name -> number, for chapters that make exactly one numbered page."""
        numbers = self.chapter_numbers()
        found: dict[str, list[int]] = {}
        for page in self.pages():
            if page.chapter and page.page in numbers:
                found.setdefault(page.chapter, []).append(numbers[page.page])
        return {chapter: values[0] for chapter, values in found.items() if len(values) == 1}


def _page(raw: Any, where: str) -> Page:
    if not isinstance(raw, dict) or "page" not in raw:
        raise ParameterError(f"{where}: each entry needs a 'page' (path under book/ without suffix); got {raw!r}")
    allowed = {"page", "notebook", "parameters", "generated", "title", "chapter", "sections", "needs", "translated"}
    unknown = set(raw) - allowed
    if unknown:
        raise ParameterError(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}")
    parameters = raw.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise ParameterError(f"{where} ({raw['page']}): 'parameters' must be a mapping, got {parameters!r}")
    needs = raw.get("needs") or []
    if not isinstance(needs, list) or not all(isinstance(name, str) and name for name in needs):
        raise ParameterError(f"{where} ({raw['page']}): 'needs' must be a list of family names, got {needs!r}")
    generated = raw.get("generated")
    if generated is not None and generated not in GENERATED_PAGES:
        raise ParameterError(f"{where}: unknown generated page {generated!r}; known: {sorted(GENERATED_PAGES)}")
    page = Page(
        page=str(raw["page"]),
        notebook=raw.get("notebook"),
        parameters=dict(parameters),
        generated=generated,
        title=raw.get("title"),
        chapter=raw.get("chapter"),
        needs=tuple(needs),
        translated=_translated(raw.get("translated"), where),
    )
    if page.needs and page.kind != "notebook":
        raise ParameterError(f"{where} ({page.page}): only a notebook page can read a family's results ('needs')")
    if page.kind == "notebook" and not page.notebook_path.exists():
        raise ParameterError(f"{where}: notebook {page.notebook} does not exist (path from the repository root)")
    if page.kind == "notebook" and not page.chapter:
        raise ParameterError(
            f"{where} ({page.page}): a notebook page names its chapter module, e.g. `chapter: pilot` "
            "(src/helpers/chapters/pilot.py validates and prepares it)"
        )
    if page.kind == "file":
        matches = list((BOOK_DIR / page.page).parent.glob(Path(page.page).name + ".*"))
        if not matches:
            raise ParameterError(f"{where}: no hand-written file book/{page.page}.md (or .ipynb) for this entry")
    return page


def _translated(raw: Any, where: str) -> tuple[str, ...]:
    """The `translated` list of an entry: editions other than English, each once."""
    from helpers.i18n import LANGUAGES, SOURCE_LANGUAGE

    if raw is None:
        return ()
    others = [code for code in LANGUAGES if code != SOURCE_LANGUAGE]
    if not isinstance(raw, list) or any(code not in others for code in raw) or len(set(raw)) != len(raw):
        raise ParameterError(f"{where}: 'translated' lists editions among {others}, each once; got {raw!r}")
    return tuple(raw)


# ------------------------------------------------------------------------------ families

FAMILY_KEYS = {"family", "page", "notebook", "chapter", "parameters", "title", "over", "publish", "translated"}


def municipalities_in_release(division: int = 2021) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every municipality of the release's ``division`` (the map's 2021 division by default):
    parameters ``{municipality: code}``; labels code, name (Finnish), name_sv, region."""
    from helpers.data import municipalities

    table = municipalities.reference(int(division))
    return [
        (
            {"municipality": row.municipality_code},
            {"code": row.municipality_code, "name": row.name_fi, "name_sv": row.name_sv, "region": row.region_en},
        )
        for row in table.sort_values("municipality_code").itertuples(index=False)
    ]


def pilot_specifications(
    outcomes: list[str] | None = None, n_placebo: int = 1000, seed: int = 2018
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every specification of the pilot's robustness grid
    (``helpers.analysis.robustness.specification_grid``): parameters are what the template
    ``notebooks/pilot_spec.ipynb`` takes (outcome, comparison, pre_period, weighting, scale,
    n_placebo, seed); labels ``spec_id``."""
    from helpers.analysis.robustness import specification_grid
    from helpers.chapters.pilot_spec import TEMPLATE_KEYS

    return [
        ({key: spec[key] for key in TEMPLATE_KEYS}, {"spec_id": spec["spec_id"]})
        for spec in specification_grid(outcomes, n_placebo=n_placebo, seed=seed)
    ]


# A generator returns (parameters, labels) per run; labels only name pages and titles.
GENERATORS: dict[str, Callable[..., list[tuple[dict[str, Any], dict[str, Any]]]]] = {
    "municipalities_in_release": municipalities_in_release,
    "pilot_specifications": pilot_specifications,
}


def slug(value: Any) -> str:
    """A path segment for a page name: 'Närpes' -> 'narpes', 'Koski Tl' -> 'koski-tl'."""
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "x"


def _format(pattern: str, values: dict[str, Any], where: str, slugged: bool) -> str:
    try:
        return pattern.format_map({k: slug(v) if slugged else v for k, v in values.items()})
    except (KeyError, IndexError) as error:
        raise ParameterError(
            f"{where}: pattern {pattern!r} names {error}, which is neither a parameter nor a label; "
            f"available: {sorted(values)}"
        ) from None


def family_runs(over: Any, where: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The (parameters, labels) of each run of a family's ``over`` mapping."""
    kinds = {"list", "product", "generator"}
    if not isinstance(over, dict) or len(kinds & set(over)) != 1:
        raise ParameterError(
            f"{where}: 'over' needs exactly one of {sorted(kinds)}, e.g. "
            "{product: {municipality: [Tampere, Kuopio]}} or {generator: municipalities_in_release}"
        )
    unknown = set(over) - kinds - {"options"}
    if unknown:
        raise ParameterError(
            f"{where}: unknown keys in 'over': {sorted(unknown)}; allowed: list, product, generator, options"
        )
    if "list" in over:
        runs = over["list"]
        if not isinstance(runs, list) or not runs or not all(isinstance(run, dict) for run in runs):
            raise ParameterError(f"{where}: 'over: list' must be a non-empty list of parameter mappings")
        return [(dict(run), {}) for run in runs]
    if "product" in over:
        axes = over["product"]
        if not isinstance(axes, dict) or not axes or not all(isinstance(v, list) and v for v in axes.values()):
            raise ParameterError(f"{where}: 'over: product' must map each parameter to a non-empty list of values")
        names = list(axes)
        return [(dict(zip(names, values)), {}) for values in itertools.product(*axes.values())]
    name = over["generator"]
    if name not in GENERATORS:
        raise ParameterError(f"{where}: unknown generator {name!r}; known: {sorted(GENERATORS)}")
    options = over.get("options") or {}
    if not isinstance(options, dict):
        raise ParameterError(f"{where}: generator options must be a mapping, got {options!r}")
    try:
        return GENERATORS[name](**options)
    except TypeError as error:
        raise ParameterError(f"{where}: generator {name!r} does not take these options: {error}") from None


def expand_family(raw: dict, where: str) -> list[Page]:
    """The pages of one family entry, in the order of its parameter sets."""
    unknown = set(raw) - FAMILY_KEYS
    if unknown:
        raise ParameterError(f"{where}: unknown keys {sorted(unknown)} in a family; allowed: {sorted(FAMILY_KEYS)}")
    for key in ("page", "notebook", "over"):
        if key not in raw:
            raise ParameterError(f"{where}: family {raw.get('family')!r} needs {key!r}")
    name = str(raw["family"])
    where = f"{where} family {name!r}"
    shared = raw.get("parameters") or {}
    if not isinstance(shared, dict):
        raise ParameterError(f"{where}: 'parameters' must be a mapping, got {shared!r}")
    publish = raw.get("publish", True)
    if not isinstance(publish, bool):
        raise ParameterError(f"{where}: 'publish' is true or false, got {publish!r}")
    pages = []
    for parameters, labels in family_runs(raw["over"], where):
        merged = {**shared, **parameters}
        values = {**merged, **labels}
        page = Page(
            page=_format(str(raw["page"]), values, where, slugged=True),
            notebook=str(raw["notebook"]),
            parameters=merged,
            title=_format(str(raw["title"]), values, where, slugged=False) if raw.get("title") else None,
            # A family's template may be a chapter (validated by its module) or a plain
            # template (validated by its annotated parameters cell).
            chapter=raw.get("chapter"),
            family=name,
            publish=publish,
            translated=_translated(raw.get("translated"), where),
        )
        pages.append(page)
    if not pages[0].notebook_path.exists():
        raise ParameterError(f"{where}: notebook {raw['notebook']} does not exist (path from the repository root)")
    return pages


def _entries(raw: Any, where: str, parent: str | None = None) -> list[Page]:
    """One run-plan entry: a page (then its ``sections``, nested under it), or a family expanded into its pages."""
    if isinstance(raw, dict) and "family" in raw:
        return [dataclasses.replace(page, parent=parent) for page in expand_family(raw, where)]
    sections = raw.get("sections") if isinstance(raw, dict) else None
    if isinstance(raw, dict) and "sections" in raw:
        if not isinstance(sections, list) or not sections:
            raise ParameterError(
                f"{where} ({raw.get('page')}): 'sections' must be a non-empty list of entries (pages or families)"
            )
        raw = {key: value for key, value in raw.items() if key != "sections"}
    page = dataclasses.replace(_page(raw, where), parent=parent)
    nested = [
        section
        for entry in sections or []
        for section in _entries(entry, f"{where} > sections of {page.page}", parent=page.page)
    ]
    return [page, *nested]


def load_run_plan(path: Path = RUN_PLAN_PATH) -> RunPlan:
    """Read and check the run plan (structure only; parameters are validated per notebook)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ParameterError(f"run plan not found at {path}; it lists the book's pages") from error
    # Read like `-y` parameters: a municipality code such as 075 stays text, not octal 61.
    raw = load_parameter_yaml(
        text, f"run plan {path}", max_depth=16, max_chars=1_000_000
    )  # sections nest entries two levels each
    if not isinstance(raw, dict) or "root" not in raw:
        raise ParameterError(f"run plan {path}: needs a 'root' page and 'parts'")
    raw_root = raw["root"]
    root_numbered = bool(isinstance(raw_root, dict) and raw_root.get("numbered", False))
    if isinstance(raw_root, dict):
        raw_root = {key: value for key, value in raw_root.items() if key != "numbered"}
    if isinstance(raw_root, dict) and "sections" in raw_root:
        raise ParameterError(f"{path.name}: the root page cannot have sections; put them under a page of a part")
    root = _page(raw_root, f"{path.name}: root")
    parts = []
    for index, part in enumerate(raw.get("parts") or []):
        caption = part.get("caption") if isinstance(part, dict) else None
        if not caption:
            raise ParameterError(f"{path.name}: part {index + 1} needs a 'caption'")
        pages = tuple(
            page for entry in part.get("pages") or [] for page in _entries(entry, f"{path.name}: part '{caption}'")
        )
        parts.append(Part(caption=caption, pages=pages, numbered=bool(part.get("numbered", False))))
    plan = RunPlan(root=root, parts=tuple(parts), root_numbered=root_numbered)
    seen: set[str] = set()
    for page in plan.pages():
        if page.page in seen:
            raise ParameterError(f"{path.name}: page {page.page!r} appears twice; each page is made once")
        seen.add(page.page)
    families = {page.family: page for page in plan.pages() if page.family}
    for page in plan.pages():
        for name in page.needs:
            if name not in families:
                raise ParameterError(
                    f"{path.name}: page {page.page!r} needs family {name!r}, which the plan does not have; "
                    f"families: {sorted(families)}"
                )
            if families[name].needs:
                raise ParameterError(f"{path.name}: family {name!r} needs another family; only one level is supported")
    return plan


def _toc_entries(pages: tuple[Page, ...], parent: str | None) -> list[dict]:
    """The table-of-contents entries of the pages under ``parent``, each with its own sections."""
    entries = []
    for page in pages:
        if page.parent != parent or not page.publish:
            continue
        entry: dict[str, Any] = _toc_entry(page)
        sections = _toc_entries(pages, page.page)
        if sections:
            entry["sections"] = sections
        entries.append(entry)
    return entries


def toc_from_plan(plan: RunPlan) -> dict:
    """The Jupyter Book table of contents that the run plan implies (sections nested under their page;
    every edition's: Sphinx translates the part captions from the root page's prose catalogue)."""
    return {
        "format": "jb-book",
        "root": plan.root.page,
        "parts": [{"caption": part.caption, "chapters": _toc_entries(part.pages, None)} for part in plan.parts],
    }


def _toc_entry(page: Page) -> dict[str, Any]:
    """A page of the table of contents; a family page carries its title (a template's heading is
    glued in at run time, so Sphinx cannot read it for the navigation)."""
    return {"file": page.page, "title": page.title} if page.title else {"file": page.page}


TOC_HEADER = "# Generated from book/runplan.yml by `python -m helpers toc`; edit the run plan, not this file.\n"


def toc_text(plan: RunPlan) -> str:
    return TOC_HEADER + yaml.safe_dump(toc_from_plan(plan), sort_keys=False, allow_unicode=True)
