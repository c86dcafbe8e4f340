"""The message catalogue of text the code generates: captions, table headers, labels, sentences.

Prose written in notebooks and pages is translated by Sphinx from ``book/locales`` (gettext
catalogues kept with sphinx-intl); what the code writes into a page is translated here, from
``src/helpers/locales/{fi,sv}/LC_MESSAGES/book.po`` (extracted by Babel from every ``_()`` and
``N_()`` call, see ``helpers.book.i18n_catalogues``). English is the source language: a message
is its own English text.

    from helpers.i18n import _
    _("Key figures, {year}", lang, year=2019)   # 'Keskeiset luvut 2019' in the Finnish edition

A message without a finished translation (missing, empty or fuzzy) falls back to English and is
remembered (``untranslated()``); the batch engine records it with the run, and
``python -m helpers i18n check`` reports it per edition and page.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

LANGUAGES: tuple[str, ...] = ("fi", "sv", "en")  # the editions, in the order the book lists them
SOURCE_LANGUAGE = "en"
DOMAIN = "book"
LOCALES_DIR = Path(__file__).resolve().parent / "locales"

# (lang, message) pairs that fell back to English since the last forget_untranslated().
_untranslated: set[tuple[str, str]] = set()


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}; got {lang!r}")
    return lang


def catalogue_path(lang: str) -> Path:
    return LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=8)
def _catalogue(lang: str, modified: int) -> dict[str, str]:
    """msgid -> msgstr of the finished entries (not fuzzy, not empty) of one language's .po."""
    from babel.messages.pofile import read_po

    with open(catalogue_path(lang), "rb") as handle:
        catalogue = read_po(handle, locale=lang)
    return {
        str(message.id): str(message.string)
        for message in catalogue
        if message.id and isinstance(message.id, str) and message.string and not message.fuzzy
    }


def translations(lang: str) -> dict[str, str]:
    """The finished translations of ``lang`` (empty for English and for a language without a file)."""
    path = catalogue_path(lang)
    if lang == SOURCE_LANGUAGE or not path.exists():
        return {}
    return _catalogue(lang, path.stat().st_mtime_ns)


def _(message: str, lang: str, /, **values: object) -> str:
    """``message`` in ``lang``, then ``str.format(**values)`` when values are given."""
    check_language(lang)
    text = message
    if lang != SOURCE_LANGUAGE:
        found = translations(lang).get(message)
        if found is None:
            _untranslated.add((lang, message))
        else:
            text = found
    return text.format(**values) if values else text


def translated(message: str, lang: str, /, **values: object) -> str:
    """``_`` for a message held in a variable (data, configuration): the same lookup, but not a
    literal for Babel to extract; ``helpers.book.i18n_catalogues.data_messages`` lists such messages."""
    return _(message, lang, **values)


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined; translate it with ``_`` where it is shown."""
    return message


def untranslated() -> list[tuple[str, str]]:
    """(lang, message) pairs that fell back to English in this process, sorted."""
    return sorted(_untranslated)


def forget_untranslated() -> None:
    _untranslated.clear()


def language_name(code: str, lang: str) -> str:
    """'Finnish' / 'suomi' / 'finska': the name of language ``code`` in ``lang``."""
    names = {"fi": N_("Finnish"), "sv": N_("Swedish"), "en": N_("English")}
    return _(names[check_language(code)], lang)


def checked_edition(value: object) -> str:
    """The ``lang`` parameter of an edition-aware page: an edition code, or one error naming the bad
    value, the nearest editions and the valid ones."""
    from helpers.errors import ParameterError
    from helpers.text import nearest_names

    if isinstance(value, str) and value.strip().lower() in LANGUAGES:
        return value.strip().lower()
    nearest = nearest_names(str(value), LANGUAGES, cutoff=0.0)
    raise ParameterError(
        f"parameter 'lang' = {value!r} is not an edition; nearest: {', '.join(nearest)}; valid: {', '.join(LANGUAGES)}"
    )


# The months as the code writes them (English names; each edition's from the catalogue).
MONTHS: tuple[str, ...] = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)
