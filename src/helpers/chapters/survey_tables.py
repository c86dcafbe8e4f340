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


def response_table() -> pd.DataFrame:
    """Who answered and when, as the chapter's table (coverage, not a sample size)."""
    response = survey_response()
    return pd.DataFrame(
        {
            "Item": response["label"],
            "Figure": response["value_label"],
            "Source": response["source"].map(reader_source),
            "Note": response["note"].fillna(""),
        }
    )


def key_findings_table() -> pd.DataFrame:
    """The survey's published figures on decisions: the change 2017–2018 and who decides.

    Only published shares are rows; the cells the summary does not give are named in the
    chapter's caveats, not listed with an invented value.
    """
    growth = decision_growth().iloc[0]
    rows = [
        {
            "Finding": f"{growth['label']}: change, {growth['period']}",
            "Figure": growth["value_label"],
            "Source": reader_source(growth["source"]),
            "Note": growth["note"] if isinstance(growth["note"], str) else "",
        }
    ]
    makers = decision_makers()
    for row in makers[makers["status"] == "published"].itertuples(index=False):
        rows.append(
            {
                "Finding": f"{row.assistance_label}: share of decisions made by {str(row.decision_maker_label).lower()}",
                "Figure": row.value_label,
                "Source": reader_source(row.source),
                "Note": row.note if isinstance(row.note, str) else "",
            }
        )
    return pd.DataFrame(rows)


def qualitative_table() -> pd.DataFrame:
    """The qualitative findings as (theme, finding, source) for the chapter's table."""
    findings = qualitative_findings()
    return pd.DataFrame(
        {"Theme": findings["theme"], "Finding": findings["finding"], "Source": findings["source"].map(reader_source)}
    )


def related_evidence_table() -> pd.DataFrame:
    """The related evidence timeline as a table: date, study, figure, value, period, source."""
    evidence = related_evidence()
    return pd.DataFrame(
        {
            "Date": evidence["date"].map(format_date),
            "Study or event": evidence["event"],
            "Figure": evidence["item"],
            "Value": evidence["value_label"],
            "Period covered": evidence["period"].fillna(""),
            "Source": evidence["source"].map(reader_source),
        }
    )


ASSISTANCE_PART_TERMS = ("perustoimeentulotuki", "taydentava_toimeentulotuki", "ehkaiseva_toimeentulotuki")


def assistance_parts_table(lang: str = "fi") -> pd.DataFrame:
    """The three parts of social assistance with the glossary's definitions, in `lang` beside English."""
    code = validate_language(lang)
    table = _glossary_table().set_index("term_id")
    return pd.DataFrame(
        {
            "Part": [term_label(term_id, code) for term_id in ASSISTANCE_PART_TERMS],
            "What it is and who decides": [table.loc[t, "definition_en"] for t in ASSISTANCE_PART_TERMS],
            "Source": [reader_source(table.loc[t, "source"]) for t in ASSISTANCE_PART_TERMS],
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
