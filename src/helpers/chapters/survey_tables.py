"""The survey, background and glossary chapters' reader-facing tables and glued figures.

Built from the readers of ``helpers.analysis.survey`` and ``helpers.analysis.national`` (one per fact
table); this module only words and orders them for the page.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from helpers.analysis.survey import (
    LANGUAGE_NAMES,
    LANGUAGES,
    _glossary_table,
    decision_growth,
    decision_makers,
    format_date,
    format_period,
    kela_notification_shares,
    qualitative_findings,
    reader_source,
    related_evidence,
    survey_findings,
    survey_response,
    term_label,
    validate_language,
    validate_language_order,
)
from helpers.charts.facts_wording import check_edition, date_text, edition_term, period_text, text_in, value_text
from helpers.i18n import _


def response_table(lang: str = "en") -> pd.DataFrame:
    """Who answered and when, as the chapter's table (coverage, not a sample size), in the edition."""
    response = survey_response()
    findings = survey_findings()
    published = dict(zip(findings["finding_id"], findings["value"].astype("str"), strict=True))  # as transcribed
    figures = []
    for row in response.itertuples(index=False):
        text = published[str(row.finding_id)]
        if row.finding_id == "fieldwork_period":
            figures.append(period_text(text, lang))
        else:
            figures.append(value_text(float(cast(float, row.value)), None, str(row.unit), lang=lang, text=text))
    return pd.DataFrame(
        {
            _("Item", lang): [text_in(label, lang) for label in response["label"]],
            _("Figure", lang): figures,
            _("Source", lang): [text_in(reader_source(x), lang) for x in response["source"]],
            _("Note", lang): [text_in(x, lang) for x in response["note"]],
        }
    )


def key_findings_table(lang: str = "en") -> pd.DataFrame:
    """The survey's published figures on decisions: the change 2017–2018 and who decides.

    Only published shares are rows; the cells the summary does not give are named in the
    chapter's caveats, not listed with an invented value.
    """
    growth = decision_growth().iloc[0]
    rows = [
        {
            "Finding": _(
                "{label}: change, {period}",
                lang,
                label=text_in(growth["label"], lang),
                period=text_in(growth["period"], lang),
            ),
            "Figure": value_text(float(growth["change_pct"]), None, "%", lang=lang, signed=True),
            "Source": text_in(reader_source(growth["source"]), lang),
            "Note": text_in(growth["note"], lang),
        }
    ]
    makers = decision_makers()
    for row in makers[makers["status"] == "published"].itertuples(index=False):
        rows.append(
            {
                "Finding": _(
                    "{assistance}: share of decisions made by {makers}",
                    lang,
                    assistance=text_in(str(row.assistance_label), lang),
                    makers=text_in(str(row.decision_maker_label), lang).lower(),
                ),
                "Figure": value_text(float(cast(float, row.share_pct)), None, "%", lang=lang),
                "Source": text_in(reader_source(row.source), lang),
                "Note": text_in(row.note, lang),
            }
        )
    return pd.DataFrame(rows).rename(columns={key: _(key, lang) for key in ("Finding", "Figure", "Source", "Note")})


def qualitative_table(lang: str = "en") -> pd.DataFrame:
    """The qualitative findings as (theme, finding, source) for the chapter's table, in the edition."""
    findings = qualitative_findings()
    return pd.DataFrame(
        {
            _("Theme", lang): [text_in(x, lang) for x in findings["theme"]],
            _("Finding", lang): [text_in(x, lang) for x in findings["finding"]],
            _("Source", lang): [text_in(reader_source(x), lang) for x in findings["source"]],
        }
    )


def related_evidence_table(lang: str = "en") -> pd.DataFrame:
    """The related evidence timeline as a table: date, study, figure, value, period, source."""
    evidence = related_evidence()
    signed_units = ("% increase", "M€ increase", "change in staff")
    return pd.DataFrame(
        {
            _("Date", lang): [date_text(x, lang) for x in evidence["date"]],
            _("Study or event", lang): [text_in(x, lang) for x in evidence["event"]],
            _("Figure", lang): [text_in(x, lang) for x in evidence["item"]],
            _("Value", lang): [
                value_text(v, q, u if isinstance(u, str) else "", lang=lang, signed=u in signed_units)
                for v, q, u in zip(evidence["value"], evidence["qualifier"], evidence["unit"])
            ],
            _("Period covered", lang): [text_in(x, lang) for x in evidence["period"]],
            _("Source", lang): [text_in(reader_source(x), lang) for x in evidence["source"]],
        }
    )


ASSISTANCE_PART_TERMS = ("perustoimeentulotuki", "taydentava_toimeentulotuki", "ehkaiseva_toimeentulotuki")


def assistance_parts_table(lang: str = "en") -> pd.DataFrame:
    """The three parts of social assistance with the glossary's definitions, in the edition `lang`
    (the term as the edition shows it: Finnish beside English in en, the edition's own in fi and sv)."""
    code = check_edition(lang)
    table = _glossary_table().set_index("term_id")
    return pd.DataFrame(
        {
            _("Part", code): [edition_term(term_id, code) for term_id in ASSISTANCE_PART_TERMS],
            _("What it is and who decides", code): [
                text_in(table.loc[t, "definition_en"], code) for t in ASSISTANCE_PART_TERMS
            ],
            _("Source", code): [text_in(reader_source(table.loc[t, "source"]), code) for t in ASSISTANCE_PART_TERMS],
        }
    )


_NORDIC_ORDER = str.maketrans({"å": "{0", "ä": "{1", "ö": "{2"})  # å, ä, ö sort after z


def _sort_key(text) -> str:
    if not (isinstance(text, str) and text):
        return "\uffff"  # terms without a form in the sorting language go last
    return text.casefold().translate(_NORDIC_ORDER)


NO_CONFIRMED_FORM = "(no confirmed form)"


def glossary_page_table(lang_order=LANGUAGES) -> pd.DataFrame:
    """The glossary page: one row per term, language columns in `lang_order`, sorted by the first.

    Every term of data/facts/glossary.csv is a row. A Swedish cell left empty on purpose reads
    "(no confirmed form)" and the note says why; such terms sort last when Swedish comes first.
    """
    order = validate_language_order(lang_order)
    table = _glossary_table()
    frame = pd.DataFrame({LANGUAGE_NAMES[code]: table[code].fillna(NO_CONFIRMED_FORM) for code in order})
    frame["Definition"] = table["definition_en"]
    frame["Source"] = table["source"].map(reader_source)
    frame["Note"] = table["note"].fillna("")
    frame["_key"] = table[order[0]].map(_sort_key)
    return frame.sort_values("_key", kind="stable").drop(columns="_key").reset_index(drop=True)


def published_figures() -> dict[str, float | str]:
    """Every figure the survey chapter can quote, keyed for `glue` (plain floats; the period as text).

    survey_<finding_id>, evidence_<evidence_id> (rows with a value) and notification_<category_id>;
    survey_fieldwork_period is the readable period ("March–April 2019") and events without a
    value give their date as evidence_<evidence_id>_date ("1 January 2017").
    """
    figures: dict[str, float | str] = {}
    # pandas-stubs type a row's fields as any scalar; the casts name the columns' types.
    for row in survey_findings().itertuples(index=False):
        if row.finding_id == "fieldwork_period":
            figures["survey_fieldwork_period"] = format_period(cast(str, row.value))
        elif not np.isnan(value_num := cast(float, row.value_num)):
            figures[f"survey_{row.finding_id}"] = float(value_num)
    for row in related_evidence().itertuples(index=False):
        if not np.isnan(value := cast(float, row.value)):
            figures[f"evidence_{row.evidence_id}"] = float(value)
        else:  # an event (the transfer to Kela): its date, readable
            figures[f"evidence_{row.evidence_id}_date"] = format_date(row.date)
    for row in kela_notification_shares().itertuples(index=False):
        figures[f"notification_{row.category_id}"] = float(cast(float, row.share_pct))
    return figures


def term_labels(lang: str = "fi") -> dict[str, str]:
    """Every glossary term as `term_label(id, lang)`, keyed "term_<id>" for `glue`."""
    code = validate_language(lang)
    return {f"term_{term_id}": term_label(term_id, code) for term_id in _glossary_table()["term_id"]}


def fieldwork_period() -> str:
    """The survey's fieldwork period as published (an ISO month interval, '2019-03/2019-04')."""
    return str(survey_findings().set_index("finding_id").loc["fieldwork_period", "value"])
