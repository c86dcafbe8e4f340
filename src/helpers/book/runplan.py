"""The run plan: one YAML file saying which notebook makes which page with which parameters.

``book/_toc.yml`` is generated from it (``toc_from_plan``) and a test checks the committed
copy matches, so the table of contents and the executed pages cannot disagree.
"""

from __future__ import annotations

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
        return [self.root] + [page for part in self.parts for page in part.pages]

    def notebook_pages(self) -> list[Page]:
        return [page for page in self.pages() if page.kind == "notebook"]

    def chapter_numbers(self) -> dict[str, int]:
        """Page path -> chapter number: the numbered pages (root first if numbered) counted in order."""
        numbered = ([self.root] if self.root_numbered else []) + [
            page for part in self.parts if part.numbered for page in part.pages
        ]
        return {page.page: index for index, page in enumerate(numbered, start=1)}

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
    allowed = {"page", "notebook", "parameters", "generated", "title", "chapter"}
    unknown = set(raw) - allowed
    if unknown:
        raise ParameterError(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}")
    parameters = raw.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise ParameterError(f"{where} ({raw['page']}): 'parameters' must be a mapping, got {parameters!r}")
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
    )
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


def load_run_plan(path: Path = RUN_PLAN_PATH) -> RunPlan:
    """Read and check the run plan (structure only; parameters are validated per notebook)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ParameterError(f"run plan not found at {path}; it lists the book's pages") from error
    # Read like `-y` parameters: a municipality code such as 075 stays text, not octal 61.
    raw = load_parameter_yaml(text, f"run plan {path}", max_depth=12, max_chars=1_000_000)
    if not isinstance(raw, dict) or "root" not in raw:
        raise ParameterError(f"run plan {path}: needs a 'root' page and 'parts'")
    raw_root = raw["root"]
    root_numbered = bool(isinstance(raw_root, dict) and raw_root.get("numbered", False))
    if isinstance(raw_root, dict):
        raw_root = {key: value for key, value in raw_root.items() if key != "numbered"}
    root = _page(raw_root, f"{path.name}: root")
    parts = []
    for index, part in enumerate(raw.get("parts") or []):
        caption = part.get("caption") if isinstance(part, dict) else None
        if not caption:
            raise ParameterError(f"{path.name}: part {index + 1} needs a 'caption'")
        pages = tuple(_page(entry, f"{path.name}: part '{caption}'") for entry in part.get("pages") or [])
        parts.append(Part(caption=caption, pages=pages, numbered=bool(part.get("numbered", False))))
    plan = RunPlan(root=root, parts=tuple(parts), root_numbered=root_numbered)
    seen: set[str] = set()
    for page in plan.pages():
        if page.page in seen:
            raise ParameterError(f"{path.name}: page {page.page!r} appears twice; each page is made once")
        seen.add(page.page)
    return plan


def toc_from_plan(plan: RunPlan) -> dict:
    """The Jupyter Book table of contents that the run plan implies."""
    return {
        "format": "jb-book",
        "root": plan.root.page,
        "parts": [
            {"caption": part.caption, "chapters": [{"file": page.page} for page in part.pages]} for part in plan.parts
        ],
    }


TOC_HEADER = "# Generated from book/runplan.yml by `python -m helpers toc`; edit the run plan, not this file.\n"


def toc_text(plan: RunPlan) -> str:
    return TOC_HEADER + yaml.safe_dump(toc_from_plan(plan), sort_keys=False, allow_unicode=True)
