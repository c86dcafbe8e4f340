"""The shared sidebar of a family's pages: the current mark moves from one sibling to another, nothing else."""

from __future__ import annotations

from unittest.mock import MagicMock

from helpers.book.sphinx_nav import move_current

# SYNTHETIC sidebar markup, as pydata-sphinx-theme renders it for page municipalities/837.
SIDEBAR = (
    '<ul class="nav bd-sidenav"><li class="toctree-l1"><a class="reference internal" href="../chapters/pilot.html">'
    "Pilot</a></li></ul>"
    '<ul class="current nav bd-sidenav">'
    '<li class="toctree-l1"><a class="reference internal" href="005.html">Alajärvi</a></li>'
    '<li class="toctree-l1 current active"><a class="current reference internal" href="#">Tampere</a></li>'
    '<li class="toctree-l1"><a class="reference internal" href="091.html">Helsinki</a></li></ul>'
)


def test_the_current_mark_moves_to_the_sibling():
    moved = move_current(SIDEBAR, "municipalities/837", "municipalities/091")
    assert moved == SIDEBAR.replace(
        '<li class="toctree-l1 current active"><a class="current reference internal" href="#">Tampere',
        '<li class="toctree-l1"><a class="reference internal" href="837.html">Tampere',
    ).replace(
        '<li class="toctree-l1"><a class="reference internal" href="091.html">Helsinki',
        '<li class="toctree-l1 current active"><a class="current reference internal" href="#">Helsinki',
    )
    assert moved.count("current active") == 1 and 'href="../chapters/pilot.html"' in moved


def test_unexpected_markup_falls_back_to_the_themes_own_sidebar():
    assert move_current(SIDEBAR, "municipalities/837", "municipalities/999") is None  # no entry for the page
    assert move_current(SIDEBAR.replace("current active", "active"), "municipalities/837", "municipalities/091") is None
    doubled = SIDEBAR + SIDEBAR
    assert move_current(doubled, "municipalities/837", "municipalities/091") is None


def test_the_search_stemmer_is_memoised_across_pages_and_stems_the_same():
    from sphinx.search import IndexBuilder
    from sphinx.search.en import SearchEnglish

    from helpers.book.sphinx_offline import cache_search_stems

    cache_search_stems()
    cache_search_stems()  # idempotent: one wrapper, not two
    builder = IndexBuilder(MagicMock(), "en", {}, "")
    plain = SearchEnglish({})
    words = ["municipalities", "municipality", "assistance", "assisted", "unemployment", "municipalities"]
    assert [builder.lang.stem(word) for word in words] == [plain.stem(word) for word in words]
    assert builder.lang.stem.cache_info().hits == 1 and builder.lang.stem.cache_info().misses == 5
