"""The pilot's fact tables as the chapter draws them: facts, timeline, milestones, Kela's notifications.

Each table has one reader: ``data/facts/pilot_facts.csv`` here (``pilot_facts``), the pilot
municipalities in ``helpers.data.municipalities.pilot_table`` and Kela's notifications in
``helpers.analysis.survey.kela_notification_shares``; this module shapes them for the pilot's charts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from helpers.analysis.pilot import pilot_timing
from helpers.analysis.survey import kela_notification_shares
from helpers.chapters.wording import bilingual
from helpers.data.municipalities import pilot_table
from helpers.errors import DataError
from helpers.text import format_number

CONTEXT_SOURCE = "THL, Sotkanet.fi (CC BY 4.0), 2019"
OUTCOME_SOURCES = {
    "unemployment_monthly": (
        "Ministry of Economic Affairs and Employment, employment service statistics, via "
        "Statistics Finland's StatFin (CC BY 4.0)"
    ),
    "diak_indices": "Diak, municipal disadvantage indices (karttasovellus), from THL's Sotkanet (CC BY 4.0)",
    "families_social_assistance": (
        "THL, Sotkanet.fi indicators 179 (families with children) and 423 (families with children receiving "
        "social assistance), 2021 municipal division (CC BY 4.0)"
    ),
}
POPULATION_SOURCE = "population 31 Dec 2017 from THL's Sotkanet (CC BY 4.0)"
PILOT_FACTS_SOURCE = "STM/THL press release 202/2018 (Finnish and Swedish versions); City of Raisio"


def _load_fact(table_id: str) -> pd.DataFrame:
    from helpers.data import load

    return load(table_id)


def pilot_facts() -> dict[str, dict[str, str]]:
    """``data/facts/pilot_facts.csv`` as {fact_id: row} (value, qualifier, source, bibkey, note)."""
    frame = _load_fact("pilot_facts")
    out: dict[str, dict[str, str]] = {}
    for row in frame.to_dict(orient="records"):
        out[str(row["fact_id"])] = {str(k): ("" if pd.isna(v) else str(v)) for k, v in row.items()}
    return out


def fact_value(fact_id: str, facts: Mapping[str, Mapping[str, str]] | None = None) -> str:
    facts = pilot_facts() if facts is None else facts
    if fact_id not in facts:
        raise DataError(
            f"data/facts/pilot_facts.csv has no row {fact_id!r}; the pilot chapter needs it. "
            f"Rows present: {sorted(facts)[:8]} ..."
        )
    return facts[fact_id]["value"]


def fact_items(fact_id: str, facts: Mapping[str, Mapping[str, str]] | None = None) -> list[str]:
    """A fact whose value is a ';'-separated list, as a list."""
    return [v.strip() for v in fact_value(fact_id, facts).split(";") if v.strip()]


def _date_bounds(text: str, end: bool) -> tuple[pd.Timestamp, bool]:
    """A published date at its own precision ('2018' or '2017-11-01') as a day; True if exact."""
    text = str(text).strip()
    if len(text) == 4 and text.isdigit():
        year = int(text)
        return (pd.Timestamp(year=year, month=12, day=31) if end else pd.Timestamp(year=year, month=1, day=1)), False
    return pd.Timestamp(text), True


def _readable_day(day: pd.Timestamp) -> str:
    return f"{day.day} {day.strftime('%b')} {day.year}"


def timeline_table(municipalities: Iterable[str] | None = None) -> pd.DataFrame:
    """Each pilot municipality's participation, from ``data/facts/pilot_municipalities.csv``.

    Columns: municipality_code, name_fi, name_sv, label ('Tampere (Tammerfors)'), start, end
    (inclusive days, ISO strings), end_exclusive (the day after ``end``, where a bar stops),
    period_label (at the precision published: 'from 1 Nov 2017 to 31 Dec 2019', 'from 2018 to
    31 Dec 2019', '2018 only (exact end date not published)'), in_analysis (the municipality is among ``municipalities``, codes; default
    all six), note, source. Sorted by Finnish name. A start or end given as a year only is drawn
    from 1 Jan or to 31 Dec and says so in ``period_label``.
    """
    chosen = set(pilot_timing() if municipalities is None else municipalities)
    rows = []
    for row in pilot_table().values():
        code = row.code
        start, start_exact = _date_bounds(row.start_date, end=False)
        end, end_exact = _date_bounds(row.end_date, end=True)
        first = _readable_day(start) if start_exact else str(start.year)
        last = _readable_day(end) if end_exact else str(end.year)
        if not end_exact and end.year == start.year:
            period = f"{start.year} only (exact end date not published)"
        else:
            period = f"from {first} to {last}"
        rows.append(
            {
                "municipality_code": code,
                "name_fi": row.name_fi,
                "name_sv": row.name_sv,
                "label": bilingual(row.name_fi, row.name_sv),
                "start": start.strftime("%Y-%m-%d"),
                "end": end.strftime("%Y-%m-%d"),
                "end_exclusive": (end + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
                "period_label": period,
                "in_analysis": code in chosen,
                "note": row.notes,
                "source": row.source,
            }
        )
    out = pd.DataFrame(rows).sort_values("name_fi", ignore_index=True)
    unknown = sorted(set(out["municipality_code"]) - set(pilot_timing()))
    if unknown:
        raise DataError(
            f"data/facts/pilot_municipalities.csv lists {unknown}, which the pilot engine's "
            "pilot_timing() does not know; the two must name the same six municipalities"
        )
    return out


def timeline_milestones() -> pd.DataFrame:
    """Dated events drawn on the timeline (from pilot_facts.csv): the funding extension."""
    facts = pilot_facts()
    return pd.DataFrame(
        [
            {
                "date": "2018-12-10",
                "event": "10 Dec 2018: STM extends funding to the end of 2019",
                "source": facts["funding_extension"]["source"],
            }
        ]
    )


def municipalities_display_table(timeline: pd.DataFrame) -> pd.DataFrame:
    """The six municipalities as the chapter lists them (Finnish and Swedish names, timing)."""
    return pd.DataFrame(
        {
            "Municipality (Finnish)": timeline["name_fi"],
            "Swedish name": timeline["name_sv"],
            "Code": timeline["municipality_code"],
            "Took part": timeline["period_label"],
            "In this analysis": np.where(timeline["in_analysis"], "yes", "no"),
            "Notes": timeline["note"],
        }
    )


NOTIFICATION_PANELS = {
    "all_notifications": "All of Kela's notifications to municipal social work",
    "need_for_social_work": "Notifications about a need for social work, by subject",
}
NOTIFICATIONS_SOURCE = "Jokela, Kivipelto & Ylikännö (2019), THL Työpaperi 26/2019"


def notifications_frame() -> pd.DataFrame:
    """The pilot-era study's published shares (``data/facts/kela_notifications.csv``).

    Columns: panel (the distribution, in words), category, share_pct, share_label ('51 %'),
    published_total_pct (the sum of the published shares in the panel: below 100, because the
    study does not break down the rest and the book adds nothing), source.
    """
    frame = kela_notification_shares()  # the one reader of data/facts/kela_notifications.csv
    unknown = sorted(set(frame["table"].astype(str)) - set(NOTIFICATION_PANELS))
    if unknown:
        raise DataError(
            f"data/facts/kela_notifications.csv: table value(s) {unknown} unknown; expected {list(NOTIFICATION_PANELS)}"
        )
    out = pd.DataFrame(
        {
            "panel": frame["table"].astype(str).map(NOTIFICATION_PANELS),
            "table": frame["table"].astype(str),
            "category": frame["category"].astype(str),
            "share_pct": frame["share_pct"].astype(float),
            "source": NOTIFICATIONS_SOURCE,
        }
    )
    out["share_label"] = [f"{format_number(v, 0)} %" for v in out["share_pct"]]
    out["published_total_pct"] = out.groupby("table")["share_pct"].transform("sum")
    order = {t: i for i, t in enumerate(NOTIFICATION_PANELS)}
    out = out.assign(order=out["table"].map(order)).sort_values(["order"], kind="stable")
    return out.drop(columns=["order"]).reset_index(drop=True)
