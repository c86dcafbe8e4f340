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
from helpers.data.municipalities import pilot_table
from helpers.errors import DataError
from helpers.i18n import N_, _, translated
from helpers.text import format_percent

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


# The notes of data/facts/pilot_municipalities.csv, for translation (a new note falls back to
# English and the edition check reports it).
MUNICIPALITY_NOTES = (
    N_(
        "Resident lounge in the town centre: open 5 days a week according to the Swedish release but 4 "
        "according to the Finnish one; at most 117 visitors in a week; a second lounge opened in an outlying village"
    ),
    N_("Concentrated on intensified individual social work (tehostettu yksilötyö)"),
    N_(
        "The city's own page dates its pilot period from 1 Nov 2017 to 31 Dec 2019, two months before the "
        "national pilot year 2018"
    ),
    N_("Took part in 2018 only; not among the municipalities continuing in 2019 (no exact end date is published)"),
)


def _readable_day(day: pd.Timestamp, lang: str = "en") -> str:
    """'1 Nov 2017' in English, '1.11.2017' in Finnish and Swedish (their usual short date)."""
    if lang in ("fi", "sv"):
        return f"{day.day}.{day.month}.{day.year}"
    return f"{day.day} {day.strftime('%b')} {day.year}"


def timeline_table(municipalities: Iterable[str] | None = None, lang: str = "en") -> pd.DataFrame:
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
        first = _readable_day(start, lang) if start_exact else str(start.year)
        last = _readable_day(end, lang) if end_exact else str(end.year)
        if not end_exact and end.year == start.year:
            period = _("{year} only (exact end date not published)", lang, year=start.year)
        else:
            period = _("from {first} to {last}", lang, first=first, last=last)
        rows.append(
            {
                "municipality_code": code,
                "name_fi": row.name_fi,
                "name_sv": row.name_sv,
                "label": _local_name(row.name_fi, row.name_sv, lang),
                "start": start.strftime("%Y-%m-%d"),
                "end": end.strftime("%Y-%m-%d"),
                "end_exclusive": (end + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
                "period_label": period,
                "in_analysis": code in chosen,
                "note": translated(row.notes, lang) if row.notes else row.notes,
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


def _local_name(name_fi: str, name_sv: str, lang: str) -> str:
    from helpers.chapters.pilot_tables import local_name  # pilot_tables imports this module's neighbours

    return local_name(name_fi, name_sv, lang)


def timeline_milestones(lang: str = "en") -> pd.DataFrame:
    """Dated events drawn on the timeline (from pilot_facts.csv): the funding extension."""
    facts = pilot_facts()
    return pd.DataFrame(
        [
            {
                "date": "2018-12-10",
                "event": _(
                    "{day}: STM extends funding to the end of 2019",
                    lang,
                    day=_readable_day(pd.Timestamp("2018-12-10"), lang),
                ),
                "source": facts["funding_extension"]["source"],
            }
        ]
    )


def municipalities_display_table(timeline: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The six municipalities as the chapter lists them (Finnish and Swedish names, timing)."""
    return pd.DataFrame(
        {
            _("Municipality (Finnish)", lang): timeline["name_fi"],
            _("Swedish name", lang): timeline["name_sv"],
            _("Code", lang): timeline["municipality_code"],
            _("Took part", lang): timeline["period_label"],
            _("In this analysis", lang): np.where(timeline["in_analysis"], _("yes", lang), _("no", lang)),
            _("Notes", lang): timeline["note"],
        }
    )


NOTIFICATION_PANELS = {
    "all_notifications": N_("All of Kela's notifications to municipal social work"),
    "need_for_social_work": N_("Notifications about a need for social work, by subject"),
}
# The categories of data/facts/kela_notifications.csv, for translation.
NOTIFICATION_CATEGORIES = (
    N_("Concerned an application for supplementary or preventive assistance"),
    N_("Concerned a reduced basic amount"),
    N_("Concerned a long-term unemployed basic-assistance client over 25"),
    N_("Concerned a need for social work"),
    N_("Managing daily life"),
    N_("Income"),
    N_("Housing"),
    N_("Health"),
)
NOTIFICATIONS_SOURCE = "Jokela, Kivipelto & Ylikännö (2019), THL Työpaperi 26/2019"


def notifications_frame(lang: str = "en") -> pd.DataFrame:
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
            "panel": [translated(NOTIFICATION_PANELS[t], lang) for t in frame["table"].astype(str)],
            "table": frame["table"].astype(str),
            "category": [translated(c, lang) for c in frame["category"].astype(str)],
            "share_pct": frame["share_pct"].astype(float),
            "source": NOTIFICATIONS_SOURCE,
        }
    )
    out["share_label"] = [format_percent(v, 0, lang=lang) for v in out["share_pct"]]
    out["published_total_pct"] = out.groupby("table")["share_pct"].transform("sum")
    order = {t: i for i, t in enumerate(NOTIFICATION_PANELS)}
    out = out.assign(order=out["table"].map(order)).sort_values(["order"], kind="stable")
    return out.drop(columns=["order"]).reset_index(drop=True)
