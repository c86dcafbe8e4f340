"""The Kuntaliitto 2019 municipal survey, related evidence, Kela notifications and the glossary.

Tidy frames for the survey chapter, built only from the book's fact tables (data/facts), each
row with its source and bibkey. Published shares are shown as published: where the source
gives a share for one staff group only, the rest is "not published", never a complement.
No municipality-level answers of the survey are public, so nothing here is per municipality.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from helpers.analysis.facts_common import (  # re-exported: notebooks and charts use survey.<name>
    LANGUAGE_NAMES,
    LANGUAGES,
    format_number,
    format_value,
    reader_source,  # noqa: F401  (re-exported: charts use survey.reader_source)
    validate_language,
)
from helpers.analysis.national import load_fact_table, require_columns, to_number
from helpers.errors import DataError, ParameterError
from helpers.text import nearest_names

SURVEY_TABLE = "survey_findings"
QUALITATIVE_TABLE = "survey_qualitative"
EVIDENCE_TABLE = "related_evidence"
NOTIFICATIONS_TABLE = "kela_notifications"
GLOSSARY_TABLE = "glossary"

NOT_PUBLISHED = "not published"

# Which survey finding fills which cell of "who makes the decisions" (type x staff group).
# The cells without a finding are shown as not published.
ASSISTANCE_TYPES = {"supplementary": "Supplementary assistance", "preventive": "Preventive assistance"}
DECISION_MAKERS = {
    "benefit_handlers": "Benefit handlers",
    "social_workers_and_instructors": "Social workers and social instructors",
}
DECISION_CELLS = {
    ("supplementary", "benefit_handlers"): "supplementary_by_benefit_handlers_pct",
    ("preventive", "benefit_handlers"): "preventive_by_benefit_handlers_pct",
    ("preventive", "social_workers_and_instructors"): "preventive_by_social_workers_instructors_pct",
}

NOTIFICATION_TABLES = {
    "all_notifications": "Kela's notifications to municipal social work",
    "need_for_social_work": "Notifications of a need for social work, by subject",
}

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


# --- shared helpers --------------------------------------------------------------------------


def _nearest(name: str, valid) -> str:
    nearest = nearest_names(name, valid)
    return f" Nearest valid: {', '.join(nearest)}." if nearest else ""


def format_period(iso_interval: str) -> str:
    """'2019-03/2019-04' -> 'March–April 2019' (ISO month interval as published)."""
    match = re.fullmatch(r"(\d{4})-(\d{2})/(\d{4})-(\d{2})", str(iso_interval).strip())
    if not match:
        return str(iso_interval)
    y1, m1, y2, m2 = match.groups()
    first, last = MONTHS[int(m1) - 1], MONTHS[int(m2) - 1]
    return f"{first}–{last} {y2}" if y1 == y2 else f"{first} {y1} – {last} {y2}"


# --- the survey ------------------------------------------------------------------------------


def survey_findings() -> pd.DataFrame:
    """All survey figures: the value as published (text) and, where numeric, value_num."""
    table = load_fact_table(SURVEY_TABLE)
    require_columns(
        table, SURVEY_TABLE, ["finding_id", "measure", "value", "unit", "qualifier", "source", "bibkey", "note"]
    )
    frame = table.copy()
    frame["value"] = frame["value"].astype("str")
    frame["value_num"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    return frame[
        ["finding_id", "measure", "value", "value_num", "unit", "qualifier", "source", "bibkey", "note"]
    ].reset_index(drop=True)


def survey_value(finding_id: str) -> float:
    """One numeric survey figure by id (for prose and captions), e.g. survey_value('respondents')."""
    findings = survey_findings()
    row = findings[findings["finding_id"] == finding_id]
    if row.empty:
        raise ParameterError(
            f"Unknown survey finding '{finding_id}'.{_nearest(finding_id, findings['finding_id'])} "
            f"Valid ids: {', '.join(findings['finding_id'])}."
        )
    value = row["value_num"].iloc[0]
    if np.isnan(value):
        raise DataError(
            f"Survey finding '{finding_id}' is not a number (value {row['value'].iloc[0]!r}). "
            "Fix: use survey_findings() for text findings such as the fieldwork period."
        )
    return float(value)


def _finding_row(findings: pd.DataFrame, finding_id: str) -> pd.Series:
    rows = findings[findings["finding_id"] == finding_id]
    if len(rows) != 1:
        raise DataError(
            f"data/facts/{SURVEY_TABLE}.csv must have exactly one row with finding_id '{finding_id}'; "
            f"found {len(rows)}. Fix: restore the row as transcribed from the facts sheet."
        )
    return rows.iloc[0]


def survey_response() -> pd.DataFrame:
    """Who answered and when: fieldwork period, respondents, and population coverage.

    Coverage is the share of Finland's population living in the responding municipalities or
    cooperation areas; it is not a sample size and not a response rate among municipalities.
    """
    findings = survey_findings()
    rows: list[dict[str, object]] = []
    for finding_id, label in (
        ("fieldwork_period", "Fieldwork"),
        ("respondents", "Respondents"),
        ("population_coverage_pct", "Population covered by the respondents"),
    ):
        row = _finding_row(findings, finding_id)
        if finding_id == "fieldwork_period":
            value_label = format_period(row["value"])
        elif finding_id == "respondents":
            value_label = f"{format_number(row['value_num'])} {row['unit']}"
        else:
            # Keep the published decimal ("92.0"), which float formatting would drop.
            value_label = f"{row['value']} % of the population"
        rows.append(
            {
                "finding_id": finding_id,
                "label": label,
                "value": row["value_num"],
                "value_label": value_label,
                "unit": row["unit"],
                "source": row["source"],
                "bibkey": row["bibkey"],
                "note": row["note"],
            }
        )
    return pd.DataFrame(rows)


def decision_growth() -> pd.DataFrame:
    """The published change in supplementary and preventive decisions, 2018 on 2017 (one row)."""
    row = _finding_row(survey_findings(), "decisions_growth_pct")
    return pd.DataFrame(
        [
            {
                "finding_id": row["finding_id"],
                "label": "Supplementary and preventive decisions",
                "change_pct": row["value_num"],
                "value_label": format_value(row["value_num"], row["qualifier"], "%", signed=True),
                "period": "2018 compared with 2017",
                "source": row["source"],
                "bibkey": row["bibkey"],
                "note": row["note"],
            }
        ]
    )


def decision_makers() -> pd.DataFrame:
    """Who makes supplementary and preventive decisions: a 2 x 2 grid of published shares.

    Three cells are published; the fourth (supplementary decisions by social workers and
    instructors) and every remainder are not. Unpublished cells have share_pct NaN and status
    "not published" — they are not computed as complements.
    """
    findings = survey_findings()
    rows: list[dict[str, object]] = []
    for assistance, assistance_label in ASSISTANCE_TYPES.items():
        for maker, maker_label in DECISION_MAKERS.items():
            finding_id = DECISION_CELLS.get((assistance, maker))
            base = {
                "assistance_type": assistance,
                "assistance_label": assistance_label,
                "decision_maker": maker,
                "decision_maker_label": maker_label,
            }
            if finding_id is None:
                rows.append(
                    base
                    | {
                        "share_pct": np.nan,
                        "value_label": NOT_PUBLISHED,
                        "status": NOT_PUBLISHED,
                        "finding_id": None,
                        "source": None,
                        "bibkey": None,
                        "note": "The survey's published summary gives no share for this group",
                    }
                )
                continue
            row = _finding_row(findings, finding_id)
            rows.append(
                base
                | {
                    "share_pct": row["value_num"],
                    "value_label": format_value(row["value_num"], row["qualifier"], "%"),
                    "status": "published",
                    "finding_id": finding_id,
                    "source": row["source"],
                    "bibkey": row["bibkey"],
                    "note": row["note"],
                }
            )
    frame = pd.DataFrame(rows)
    frame["share_pct"] = frame["share_pct"].astype("float64")
    return frame


def qualitative_findings() -> pd.DataFrame:
    """The survey's qualitative findings as (theme, finding) in the book's own words, cited."""
    table = load_fact_table(QUALITATIVE_TABLE)
    require_columns(table, QUALITATIVE_TABLE, ["theme_id", "theme", "finding", "source", "bibkey"])
    return table[["theme_id", "theme", "finding", "source", "bibkey"]].reset_index(drop=True)


# --- related evidence ------------------------------------------------------------------------


def related_evidence() -> pd.DataFrame:
    """Related surveys and studies as a dated timeline, one row per published figure.

    `date` is as precise as the source (a year or an ISO date); `year` is its year for the
    timeline axis. Rows without a value are events (the transfer of basic assistance to Kela).
    """
    table = load_fact_table(EVIDENCE_TABLE)
    require_columns(
        table,
        EVIDENCE_TABLE,
        ["evidence_id", "date", "period", "event", "item", "value", "qualifier", "unit", "source", "bibkey", "note"],
    )
    frame = table.copy()
    frame["value"] = to_number(frame, "value", EVIDENCE_TABLE)
    dates = frame["date"].astype("str")
    bad = ~dates.str.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?")
    if bad.any():
        raise DataError(
            f"data/facts/{EVIDENCE_TABLE}.csv: date(s) {dates[bad].tolist()} are not ISO 8601 "
            "(YYYY, YYYY-MM or YYYY-MM-DD). Fix: write the date as precisely as the source gives it."
        )
    frame["year"] = dates.str.slice(0, 4).astype("int64")
    frame["kind"] = np.where(frame["value"].isna(), "event", "figure")
    signed_units = ("% increase", "M€ increase", "change in staff")
    frame["value_label"] = [
        format_value(v, q, u, signed=u in signed_units)
        for v, q, u in zip(frame["value"], frame["qualifier"], frame["unit"].fillna(""))
    ]
    # Within a year an event (the transfer on 1 January) comes before the figures of that year.
    frame["_event_first"] = np.where(frame["kind"] == "event", 0, 1)
    frame["_order"] = range(len(frame))
    frame = frame.sort_values(["year", "_event_first", "date", "_order"], kind="stable")
    frame = frame.drop(columns=["_event_first", "_order"])
    columns = [
        "evidence_id", "date", "year", "period", "event", "item", "kind", "value", "qualifier",
        "unit", "value_label", "source", "bibkey", "note",
    ]  # fmt: skip
    return frame[columns].reset_index(drop=True)


# --- Kela notifications ----------------------------------------------------------------------


def validate_notification_table(table) -> tuple[str, ...]:
    """None -> both distributions; otherwise one of NOTIFICATION_TABLES (ParameterError if not)."""
    if table is None:
        return tuple(NOTIFICATION_TABLES)
    if not isinstance(table, str) or table not in NOTIFICATION_TABLES:
        raise ParameterError(
            f"Unknown notification table {table!r}.{_nearest(table, NOTIFICATION_TABLES)} "
            f"Fix: use one of {', '.join(NOTIFICATION_TABLES)} or None for both."
        )
    return (table,)


def kela_notification_shares(table=None) -> pd.DataFrame:
    """Published shares of Kela's notifications to municipal social work (pilot-era study).

    `published_total_pct` is the sum of the published shares of each distribution; it is
    below 100 because the source does not break down the rest, and no remainder is invented.
    """
    chosen = validate_notification_table(table)
    frame = load_fact_table(NOTIFICATIONS_TABLE)
    require_columns(
        frame, NOTIFICATIONS_TABLE, ["table", "category_id", "category", "share_pct", "source", "bibkey", "note"]
    )
    frame = frame.copy()
    unknown = sorted(set(frame["table"]) - set(NOTIFICATION_TABLES))
    if unknown:
        raise DataError(
            f"data/facts/{NOTIFICATIONS_TABLE}.csv has table value(s) {unknown}. "
            f"Fix: use {', '.join(NOTIFICATION_TABLES)}."
        )
    frame["share_pct"] = to_number(frame, "share_pct", NOTIFICATIONS_TABLE)
    frame = frame[frame["table"].isin(chosen)]
    frame["table_label"] = frame["table"].map(NOTIFICATION_TABLES)
    frame["published_total_pct"] = frame.groupby("table")["share_pct"].transform("sum")
    frame["value_label"] = [format_value(v, None, "%") for v in frame["share_pct"]]
    columns = [
        "table", "table_label", "category_id", "category", "share_pct", "value_label",
        "published_total_pct", "source", "bibkey", "note",
    ]  # fmt: skip
    return frame[columns].reset_index(drop=True)


# --- glossary --------------------------------------------------------------------------------


def _glossary_table() -> pd.DataFrame:
    table = load_fact_table(GLOSSARY_TABLE)
    require_columns(table, GLOSSARY_TABLE, ["term_id", "fi", "sv", "en", "definition_en", "source", "bibkey", "note"])
    if table["term_id"].duplicated().any():
        raise DataError(
            f"data/facts/{GLOSSARY_TABLE}.csv repeats term_id(s) "
            f"{sorted(table.loc[table['term_id'].duplicated(), 'term_id'])}. Fix: one row per term."
        )
    return table.copy()


def glossary(lang=None) -> pd.DataFrame:
    """The glossary; with `lang`, a `term` column in that language beside the English term.

    lang=None returns every language column (the glossary page). A Swedish cell is empty where
    no Swedish form could be confirmed; `term` is then missing rather than guessed.
    """
    table = _glossary_table()
    if lang is None:
        return table[["term_id", "fi", "sv", "en", "definition_en", "source", "bibkey", "note"]].reset_index(drop=True)
    code = validate_language(lang)
    frame = table.assign(term=table[code], lang=code)
    return frame[["term_id", "lang", "term", "en", "definition_en", "source", "bibkey"]].reset_index(drop=True)


def validate_term_id(term_id) -> str:
    """Return the term id if it is in the glossary; ParameterError with the nearest ids if not."""
    ids = list(_glossary_table()["term_id"])
    if isinstance(term_id, str) and term_id in ids:
        return term_id
    raise ParameterError(
        f"Unknown glossary term {term_id!r}.{_nearest(term_id, ids)} "
        f"Fix: use a term_id from data/facts/{GLOSSARY_TABLE}.csv."
    )


def term(term_id: str, lang: str = "en", fallback: str | None = "fi") -> str:
    """The term in `lang`; if that cell is empty, the term in `fallback` (None: raise DataError)."""
    term_id = validate_term_id(term_id)
    code = validate_language(lang)
    row = _glossary_table().set_index("term_id").loc[term_id]
    value = row[code]
    if isinstance(value, str) and value:
        return value
    if fallback is None:
        raise DataError(
            f"Glossary term '{term_id}' has no {LANGUAGE_NAMES[code]} form (left empty on purpose: "
            "not confirmed). Fix: pass fallback='fi', or add a confirmed form with its source."
        )
    return term(term_id, validate_language(fallback), fallback=None)


_TRAILING_PARENTHESIS = re.compile(r"^(?P<head>.+?) \((?P<inner>[^()]*)\)$")


def _split_parenthesis(text: str) -> tuple[str, str | None]:
    """'Kela (Kansaneläkelaitos)' -> ('Kela', 'Kansaneläkelaitos'); no trailing '(...)' -> (text, None)."""
    match = _TRAILING_PARENTHESIS.match(text.strip())
    return (match["head"], match["inner"]) if match else (text.strip(), None)


def term_label(term_id: str, lang: str = "fi") -> str:
    """English term with the term in `lang` beside it, e.g. 'social assistance (toimeentulotuki)'.

    With lang='en' only the English term (in full). Otherwise brackets never nest: a trailing
    explanation of the English term is left out ('social care (sosiaalihuolto)'), and a local
    name with its own expansion is written 'Ministry of Social Affairs and Health (STM,
    sosiaali- ja terveysministeriö)', or 'Kela (Kansaneläkelaitos)' when the short names agree.
    If the `lang` cell is empty, the Finnish form is shown with its language marked, e.g.
    'adult social work (fi: aikuissosiaalityö)'.
    """
    code = validate_language(lang)
    english = term(term_id, "en", fallback=None)
    if code == "en":
        return english
    head, _ = _split_parenthesis(english)
    row = _glossary_table().set_index("term_id").loc[term_id]
    local = row[code]
    marker = ""
    if not (isinstance(local, str) and local):
        local, marker = term(term_id, "fi", fallback=None), "fi: "
    local_head, local_inner = _split_parenthesis(local)
    if local_inner is None:
        inside = local
    elif local_head.casefold() == head.casefold():
        inside = local_inner
    else:
        inside = f"{local_head}, {local_inner}"
    if not marker and inside.casefold() == head.casefold():
        return head
    return f"{head} ({marker}{inside})"


# --- formatting shared with the charts, and the glossary parameter's check ------------------


def format_date(date) -> str:
    """'2017-01-01' -> '1 January 2017', '2022-03' -> 'March 2022', '2017' -> '2017'."""
    parts = str(date).split("-")
    if len(parts) == 3:
        return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return parts[0]


def validate_language_order(lang_order) -> tuple[str, ...]:
    """A non-empty list of distinct languages among fi, sv, en (ParameterError naming the bad one)."""
    if isinstance(lang_order, str):
        lang_order = [lang_order]
    if not isinstance(lang_order, (list, tuple)) or not lang_order:
        raise ParameterError(
            f"lang_order must list one or more of {', '.join(LANGUAGES)}; got {lang_order!r}. "
            'Fix: e.g. lang_order = ["fi", "sv", "en"].'
        )
    codes = tuple(validate_language(code) for code in lang_order)
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise ParameterError(
            f"lang_order repeats {', '.join(repeated)}: {list(lang_order)!r}. Fix: name each language once."
        )
    return codes
