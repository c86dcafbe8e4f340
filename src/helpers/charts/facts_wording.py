"""Edition wording shared by the background and survey chapters: terms, figures, dates and the
words of the fact tables (labels, units, qualifiers, sources, notes) in the edition's language.

The edition decides which form of a glossary term the page shows (the old ``lang`` switch that
only chose the term beside English): the Finnish edition the Finnish term, the Swedish edition the
Swedish term (the Finnish one, marked, where no Swedish form is confirmed), the English edition the
English term with the Finnish one beside it, as the English book always showed it.
"""

from __future__ import annotations

import re

import numpy as np

from helpers.analysis import survey
from helpers.errors import ParameterError
from helpers.i18n import MONTHS, _, checked_edition, translated
from helpers.text import format_number


def check_edition(value: object) -> str:
    """The edition code (the glossary terms follow it), or the one error of every edition-aware page."""
    return checked_edition(value)


def edition_term(term_id: str, lang: str) -> str:
    """The glossary term as the edition shows it: 'toimeentulotuki' (fi), 'utkomststöd' (sv),
    'social assistance (toimeentulotuki)' (en)."""
    if lang == "en":
        return survey.term_label(term_id, "fi")
    if lang == "sv":
        local = survey.term(term_id, "sv", fallback=None) if _has_form(term_id, "sv") else None
        return local if local else f"{survey.term(term_id, 'fi')} (fi)"
    return survey.term(term_id, "fi")


def _has_form(term_id: str, lang: str) -> bool:
    value = survey._glossary_table().set_index("term_id").loc[term_id, lang]
    return isinstance(value, str) and bool(value)


def edition_terms(lang: str) -> dict[str, str]:
    """Every glossary term as the edition shows it, keyed "term_<id>" for `glue`."""
    return {f"term_{term_id}": edition_term(term_id, lang) for term_id in survey._glossary_table()["term_id"]}


def value_text(value: float, qualifier=None, unit: str = "", *, lang: str, signed: bool = False, text=None) -> str:
    """A published figure with its qualifier and unit in the edition (``survey.format_value`` in
    ``lang``): 'about 780 M€', 'noin 780 M€', 'cirka 780 M€'; the published decimals are kept."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    digits = len(text.rsplit(".", 1)[1]) if isinstance(text, str) and "." in text else None
    number = format_number(value, digits, signed=signed and value > 0, lang=lang)
    unit = unit or ""
    space = " " if lang == "en" else "\u00a0"  # fi and sv keep a number and its unit on one line
    if unit in ("M€", "M€ increase"):
        body = f"{number}{space}{translated('M€', lang)}"
    elif unit in ("change in staff", ""):
        body = number
    elif unit.startswith("times"):
        body = f"{number}× {translated(unit.removeprefix('times').strip(), lang)}".strip()
    elif unit.startswith("%"):
        rest = unit.removeprefix("%").strip()
        rest = "" if rest in ("change", "increase") else rest
        body = f"{number}\u00a0%" if lang != "en" else f"{number} %"
        if rest:
            body = f"{body} {translated(rest, lang)}"
    else:
        body = f"{number} {translated(unit, lang)}"
    qualifier = translated(qualifier, lang) if isinstance(qualifier, str) and qualifier else ""
    return f"{qualifier} {body}".strip()


def date_text(date, lang: str) -> str:
    """'2017-01-01' -> '1 January 2017' (en), '1.1.2017' (fi, sv); '2022-03' -> 'March 2022',
    'maaliskuu 2022', 'mars 2022'; a year stays a year."""
    parts = str(date).split("-")
    if len(parts) == 3:
        year, month, day = int(parts[0]), int(parts[1]), int(parts[2])
        return f"{day} {MONTHS[month - 1]} {year}" if lang == "en" else f"{day}.{month}.{year}"
    if len(parts) == 2:
        return f"{_(MONTHS[int(parts[1]) - 1], lang)} {parts[0]}"
    return parts[0]


def period_text(iso_interval: str, lang: str) -> str:
    """'2019-03/2019-04' -> 'March–April 2019', 'maaliskuu–huhtikuu 2019', 'mars–april 2019'."""
    match = re.fullmatch(r"(\d{4})-(\d{2})/(\d{4})-(\d{2})", str(iso_interval).strip())
    if not match:
        return str(iso_interval)
    y1, m1, y2, m2 = match.groups()
    first, last = _(MONTHS[int(m1) - 1], lang), _(MONTHS[int(m2) - 1], lang)
    return f"{first}–{last} {y2}" if y1 == y2 else f"{first} {y1} – {last} {y2}"


def figure_texts(figures: dict[str, float], formats: dict[str, tuple[int, bool]], lang: str) -> dict[str, str]:
    """``<key>_text`` for each key of ``formats`` (digits, signed): the figure written in the
    edition's convention, for the translated prose (the English prose formats the number itself)."""
    return {
        f"{key}_text": format_number(figures[key], digits, signed=signed, lang=lang)
        for key, (digits, signed) in formats.items()
    }


def text_in(message, lang: str) -> str:
    """A fact table's words (a label, source or note held in data) in the edition; empty stays
    empty, and text without words ('2016–2017', an ISO date) is written in the edition's form."""
    if not isinstance(message, str) or not message:
        return ""
    if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", message):
        return date_text(message, lang)
    if not _has_words(message):
        return message
    return translated(message, lang)


def _has_words(text: str) -> bool:
    return bool(re.search(r"[^\W\d_]", text))


def join_in(items, lang: str) -> str:
    """'A, B and C' / 'A, B ja C' / 'A, B och C'."""
    items = [str(item) for item in items]
    if len(items) < 2:
        return "".join(items)
    return _("{items} and {last}", lang, items=", ".join(items[:-1]), last=items[-1])


def municipality_name(code, name_fi: str, lang: str) -> str:
    """A municipality's name in the edition: the Swedish name in the Swedish edition (Tammerfors),
    the Finnish name otherwise and when the register has no other."""
    if lang != "sv":
        return name_fi
    from helpers.data.municipalities import name

    try:
        return name(str(code), lang=lang) or name_fi
    except (
        KeyError,
        IndexError,
        ValueError,
        ParameterError,
    ):  # a code the register does not know (an old division): the file's own name
        return name_fi


def data_messages() -> list[tuple[str, str]]:
    """(message, where) of the fact tables' words the background and survey chapters show through
    ``text_in``, for the code catalogue (``helpers.book.i18n_catalogues.data_messages``)."""
    from helpers.analysis import national
    from helpers.analysis.facts_common import reader_source

    where = "helpers/analysis/national.py"
    messages: list[tuple[str, str]] = []
    for measure in national.MEASURES.values():
        messages += [(measure.label, where), (measure.area, where), (measure.unit, where)]
        unit = measure.unit  # value_text translates what follows "%" on its own
        if unit.startswith("%"):
            unit = unit.removeprefix("%").strip()
        if unit and unit not in ("M€", "change", "increase"):
            messages.append((unit, where))
    messages += [(scope, where) for scope in national.SCOPES.values()]
    table = national.national_statistics()
    for column in ("source", "note", "qualifier"):
        texts = table[column].map(reader_source) if column == "source" else table[column]
        messages += [(text, "data/facts/national_statistics.csv") for text in texts if isinstance(text, str) and text]
    messages += _survey_messages()
    return list(dict.fromkeys(message for message in messages if _has_words(message[0])))


def _survey_messages() -> list[tuple[str, str]]:
    from helpers.analysis.facts_common import reader_source

    messages: list[tuple[str, str]] = []
    where = "helpers/analysis/survey.py"
    response = survey.survey_response()
    messages += [(text, where) for text in response["label"]]
    messages += [(text, where) for text in response["unit"] if isinstance(text, str)]
    growth = survey.decision_growth()
    messages += [(text, where) for text in (*growth["label"], *growth["period"])]
    messages += [(text, where) for text in (*survey.ASSISTANCE_TYPES.values(), *survey.DECISION_MAKERS.values())]
    messages.append(("The survey's published summary gives no share for this group", where))
    findings = survey.survey_findings()
    for column in ("source", "note"):
        texts = findings[column].map(reader_source) if column == "source" else findings[column]
        messages += [(text, "data/facts/survey_findings.csv") for text in texts if isinstance(text, str) and text]
    qualitative = survey.qualitative_findings()
    for column in ("theme", "finding", "source"):
        texts = qualitative[column].map(reader_source) if column == "source" else qualitative[column]
        messages += [(text, "data/facts/survey_qualitative.csv") for text in texts if isinstance(text, str) and text]
    evidence = survey.related_evidence()
    for column in ("event", "item", "period", "qualifier", "source"):
        texts = evidence[column].map(reader_source) if column == "source" else evidence[column]
        messages += [(text, "data/facts/related_evidence.csv") for text in texts if isinstance(text, str) and text]
    for unit in evidence["unit"]:
        if isinstance(unit, str) and unit:
            rest = unit.removeprefix("times").removeprefix("%").strip()
            if rest and rest not in ("M€", "M€ increase", "change in staff", "change", "increase"):
                messages.append((rest, "data/facts/related_evidence.csv"))
    return messages
