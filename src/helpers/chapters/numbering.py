"""Chapter, figure and section numbers from the page's position in the run plan.

The build hands a page its chapter number in ``BOOK_CHAPTER_NUMBER`` (several pages can share one
chapter module); without it (nbval, ``python -m helpers reference``, a live session) the number is
looked up in ``book/runplan.yml`` by the chapter's name. Figures and sections are named by the
chapter module, in page order, so prose refers to ``fig_trends`` and never to a typed number.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

CHAPTER_NUMBER_ENV = "BOOK_CHAPTER_NUMBER"


def chapter_number(chapter: str) -> int | None:
    """This chapter's number: the build's, else its position in the run plan (None: unnumbered)."""
    handed_in = os.environ.get(CHAPTER_NUMBER_ENV)
    if handed_in is not None:
        return int(handed_in) if handed_in.strip() else None
    # The run plan reader is a leaf module (YAML and paths only): no import of the build.
    from helpers.book.runplan import load_run_plan

    return load_run_plan().chapter_numbers_by_chapter().get(chapter)


def chapter_page(chapter: str) -> str | None:
    """The book page the run plan makes with this chapter (e.g. 'chapters/comparisons'), or None when
    the plan has no page or several pages for it; links between pages are computed from it."""
    from helpers.book.runplan import load_run_plan

    return load_run_plan().chapter_pages().get(chapter)


@dataclass(frozen=True)
class Numbering:
    """Numbers of a chapter's figures and sections: ``fig_<name>`` -> "3.2", ``sec_<name>`` -> "3.1"."""

    chapter: int | None
    figures: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    lang: str = "en"  # the edition: "Figure"/"Kuvio"/"Figur" and the charts' number formats

    def _number(self, position: int) -> str:
        return f"{self.chapter}.{position}" if self.chapter is not None else str(position)

    def figure(self, name: str) -> str:
        if name not in self.figures:
            raise KeyError(f"figure {name!r} is not declared; this chapter's figures: {', '.join(self.figures)}")
        return self._number(self.figures.index(name) + 1)

    def section(self, name: str) -> str:
        if name not in self.sections:
            raise KeyError(f"section {name!r} is not declared; this chapter's sections: {', '.join(self.sections)}")
        return self._number(self.sections.index(name) + 1)

    def labels(self) -> dict[str, str]:
        """Every number under its glue name, for the chapter's prose."""
        return {
            **{f"fig_{name}": self.figure(name) for name in self.figures},
            **{f"sec_{name}": self.section(name) for name in self.sections},
        }


def numbering(chapter: str, figures: Sequence[str] = (), sections: Sequence[str] = (), lang: str = "en") -> Numbering:
    return Numbering(chapter_number(chapter), tuple(figures), tuple(sections), lang)
