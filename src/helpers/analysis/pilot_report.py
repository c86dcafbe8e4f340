"""The pilot chapter's glue: the engine's results as tables, captions and sentences.

Nothing here estimates anything. ``helpers.analysis.pilot`` does the analysis; this module

* reads the pilot's fact tables (``data/facts/pilot_*.csv``, each row with its citation) into
  the frames the charts draw (timeline, municipalities);
* writes the sentences that depend on the parameters and the results (one or several
  municipalities, the comparison method, the sign and size of the estimate, the placebo verdict,
  pre-trends, Diak's index caveat) so the notebook glues them instead of typing numbers.

``build_chapter(params)`` returns a :class:`PilotChapter` holding all of it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers.errors import DataError
from helpers.text import format_number

from .indicators import pilot_context_indicators
from .outcomes import OUTCOMES
from .pilot import (
    REFERENCE_YEAR,
    PilotAnalysis,
    analyse,
    context_values_2019,
    ordinal,
    periods_for,
    pilot_context_2019,
    pilot_timing,
)


# Context indicators in the order the chapter shows them (Sotkanet ids) and their labels: the registry's.
def context_order() -> tuple[int, ...]:
    return tuple(item.sotkanet_id for item in pilot_context_indicators())


def context_labels() -> dict[int, str]:
    return {item.sotkanet_id: item.context_label for item in pilot_context_indicators()}


CONTEXT_SOURCE = "THL, Sotkanet.fi (CC BY 4.0), 2019"
OUTCOME_SOURCES = {
    "unemployment_monthly": (
        "Ministry of Economic Affairs and Employment, employment service statistics, via "
        "Statistics Finland's StatFin (CC BY 4.0)"
    ),
    "diak_indices": "Diak, municipal disadvantage indices (karttasovellus), from THL's Sotkanet (CC BY 4.0)",
}
POPULATION_SOURCE = "population 31 Dec 2017 from THL's Sotkanet (CC BY 4.0)"
PILOT_FACTS_SOURCE = "STM/THL press release 202/2018 (Finnish and Swedish versions); City of Raisio"


# --------------------------------------------------------------------------- formatting helpers


def join_names(items: Sequence[str]) -> str:
    items = list(items)
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def span_text(years: Sequence[int]) -> str:
    years = sorted(int(y) for y in years)
    if not years:
        return "none"
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return join_names([str(y) for y in years])


def bilingual(name_fi: str, name_sv: str) -> str:
    """'Tampere (Tammerfors)'; one name when both languages use the same."""
    return name_fi if not name_sv or name_sv == name_fi else f"{name_fi} ({name_sv})"


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _native(value: object) -> object:
    """Python scalars for glue (numpy's reprs, e.g. 'np.float64(1.0)', do not format in myst-nb)."""
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (float, np.floating)):
        # 12 significant digits: the last bits of a weighted sum differ between kernels (summation
        # order), and a glued value is stored in the notebook that nbval compares.
        return float(f"{float(value):.12g}")
    return value


class MarkdownText:
    """Text to glue as Markdown ({glue:md}): a plain repr, so stored outputs hold no addresses."""

    def __init__(self, text: str):
        self.text = text

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text


# --------------------------------------------------------------------------- fact tables


def _load_fact(table_id: str) -> pd.DataFrame:
    from helpers.data import load

    return load(table_id)


def pilot_facts() -> dict[str, dict[str, str]]:
    """``data/facts/pilot_facts.csv`` as {fact_id: row} (value, qualifier, source, bibkey, note)."""
    frame = _load_fact("pilot_facts")
    out = {}
    for row in frame.to_dict(orient="records"):
        out[str(row["fact_id"])] = {k: ("" if pd.isna(v) else str(v)) for k, v in row.items()}
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
    frame = _load_fact("pilot_municipalities")
    chosen = set(pilot_timing() if municipalities is None else municipalities)
    rows = []
    for r in frame.to_dict(orient="records"):
        code = str(r["municipality_code"]).zfill(3)
        start, start_exact = _date_bounds(r["start_date"], end=False)
        end, end_exact = _date_bounds(r["end_date"], end=True)
        first = _readable_day(start) if start_exact else str(start.year)
        last = _readable_day(end) if end_exact else str(end.year)
        if not end_exact and end.year == start.year:
            period = f"{start.year} only (exact end date not published)"
        else:
            period = f"from {first} to {last}"
        rows.append(
            {
                "municipality_code": code,
                "name_fi": str(r["name_fi"]),
                "name_sv": str(r["name_sv"]),
                "label": bilingual(str(r["name_fi"]), str(r["name_sv"])),
                "start": start.strftime("%Y-%m-%d"),
                "end": end.strftime("%Y-%m-%d"),
                "end_exclusive": (end + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
                "period_label": period,
                "in_analysis": code in chosen,
                "note": "" if pd.isna(r["notes"]) else str(r["notes"]),
                "source": str(r["source"]),
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


# --------------------------------------------------------------------------- 2019 context


def context_frames(municipalities: Iterable[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(values, national, per-pilot context) for the 2019 context chart and table.

    ``values``: one row per municipality and indicator (indicator_id, indicator, label,
    municipality, value, pilot, jitter) -- ``pilot`` is the bilingual name of an analysed pilot
    municipality, else ''; ``jitter`` a fixed vertical offset in [-1, 1] derived from the
    municipality code (deterministic, so the chart is the same on every run).
    ``national``: indicator_id, indicator, label, national, national_label (population-weighted,
    computed from the municipal values). ``context``: the engine's ``pilot_context_2019``.
    """
    codes = list(municipalities)
    values = context_values_2019(codes)
    context = pilot_context_2019(codes)
    order = {ind: i for i, ind in enumerate(context_order())}
    values = values[values["indicator_id"].isin(context_order())].copy()
    values["label"] = values["indicator_id"].map(context_labels())
    values["municipality"] = [bilingual(a, b) for a, b in zip(values["name_fi"], values["name_sv"], strict=True)]
    names = pilot_names(c for c in codes if c in pilot_timing())
    values["pilot"] = values["municipality_code"].map(names).fillna("").astype(str)
    values.loc[~values["is_pilot"], "pilot"] = ""
    # deterministic jitter: a fixed pseudo-random offset per municipality code
    code_int = values["municipality_code"].astype(int).to_numpy()
    values["jitter"] = np.round(((code_int * 0.6180339887) % 1.0) * 2.0 - 1.0, 3)
    values["order"] = values["indicator_id"].map(order)
    values = values.sort_values(["order", "municipality_code"], ignore_index=True)
    values = values[["indicator_id", "indicator", "label", "municipality", "value", "pilot", "jitter"]]

    national = (
        context.drop_duplicates("indicator_id")[["indicator_id", "indicator", "unit", "national_population_weighted"]]
        .rename(columns={"national_population_weighted": "national"})
        .reset_index(drop=True)
    )
    national["label"] = national["indicator_id"].map(context_labels())
    national["national_label"] = [
        f"National {format_number(v, 1)}, population-weighted, computed from municipal values"
        for v in national["national"]
    ]
    national["order"] = national["indicator_id"].map(order)
    national = national.sort_values("order", ignore_index=True)[
        ["indicator_id", "indicator", "label", "national", "national_label"]
    ]
    return values, national, context


def context_display_table(context: pd.DataFrame) -> pd.DataFrame:
    """Per indicator and pilot municipality: value, rank, median and the computed national figure."""
    frame = context.copy()
    frame["order"] = frame["indicator_id"].map({ind: i for i, ind in enumerate(context_order())})
    frame = frame.sort_values(["order", "name_fi"], ignore_index=True)
    return pd.DataFrame(
        {
            "Indicator (2019)": frame["indicator_id"].map(context_labels()),
            "Municipality": [bilingual(a, b) for a, b in zip(frame["name_fi"], frame["name_sv"], strict=True)],
            "Value": frame["value"].astype(float),
            "Rank (1 = highest)": [
                f"{int(r)} of {int(n)}" if not pd.isna(r) else "no data"
                for r, n in zip(frame["rank_from_highest"], frame["n_municipalities"], strict=True)
            ],
            "Median municipality": frame["median"].astype(float),
            "National (population-weighted, computed from municipal values)": frame[
                "national_population_weighted"
            ].astype(float),
        }
    )


def context_paragraph(context: pd.DataFrame) -> str:
    """Sentences on where the analysed pilot municipalities stand in 2019 (any number of them)."""
    parts = []
    for ind in context_order():
        g = context[context["indicator_id"] == ind].dropna(subset=["value"]).sort_values("value", ascending=False)
        if g.empty:
            continue
        label = context_labels()[ind].split(" (")[0].lower()
        unit = " €" if ind == 453 else " %"
        median = float(g["median"].iloc[0])
        national = float(g["national_population_weighted"].iloc[0])
        n_all = int(g["n_municipalities"].iloc[0])
        above = int((g["value"] > median).sum())
        top = g.iloc[0]
        if len(g) == 1:
            lead = (
                f"**{label.capitalize()}**: {top['name_fi']} {format_number(top['value'], 1)}{unit}, "
                f"{ordinal(int(top['rank_from_highest']))} highest of {n_all} municipalities"
            )
        else:
            lead = (
                f"**{label.capitalize()}**: {above} of the {len(g)} pilot municipalities were above the "
                f"median municipality; the highest was {top['name_fi']} ({format_number(top['value'], 1)}{unit}, "
                f"{ordinal(int(top['rank_from_highest']))} of {n_all}) and the lowest "
                f"{g.iloc[-1]['name_fi']} ({format_number(g.iloc[-1]['value'], 1)}{unit})"
            )
        parts.append(
            f"{lead}. Median municipality {format_number(median, 1)}{unit}; population-weighted national "
            f"figure computed from the municipal values {format_number(national, 1)}{unit}."
        )
    return "\n".join(f"- {p}" for p in parts)


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
    frame = _load_fact("kela_notifications")
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


def notifications_paragraph(frame: pd.DataFrame | None = None) -> str:
    """The published shares in a sentence per distribution (never completed to 100 %)."""
    frame = notifications_frame() if frame is None else frame
    out = []
    for table, lead in (
        ("all_notifications", "Of Kela's notifications to municipal social work,"),
        ("need_for_social_work", "Of the notifications about a need for social work,"),
    ):
        g = frame[frame["table"] == table]
        if g.empty:
            raise DataError(f"data/facts/kela_notifications.csv has no rows for table {table!r}")
        if table == "need_for_social_work":
            items = [f"{r.share_label} were about {r.category.lower()}" for r in g.itertuples()]
        else:
            items = [f"{r.share_label} {r.category[0].lower() + r.category[1:]}" for r in g.itertuples()]
        total = format_number(float(g["published_total_pct"].iloc[0]), 0)
        out.append(
            f"{lead} {join_names(items)}. The published shares add up to {total} %; the study does not "
            "break down the rest, and the book leaves it as published."
        )
    return " ".join(out)


# --------------------------------------------------------------------------- the chapter


@dataclass
class PilotChapter:
    """Everything the pilot chapter shows for one parameter set."""

    parameters: dict  # the engine's normalised parameters
    analysis: PilotAnalysis
    timeline: pd.DataFrame
    milestones: pd.DataFrame
    context_values: pd.DataFrame
    context_national: pd.DataFrame
    context: pd.DataFrame
    periods_windows: pd.DataFrame  # period rectangles for shading (see period_bands)
    notifications: pd.DataFrame  # the pilot-era study's published shares (notifications_frame)
    numbers: dict[str, object] = field(default_factory=dict)  # glue:text values
    texts: dict[str, str] = field(default_factory=dict)  # glue:md paragraphs (MyST)
    captions: dict[str, str] = field(default_factory=dict)

    @property
    def outcome(self):
        return self.analysis.outcome


def period_bands(windows: pd.DataFrame, outcome) -> pd.DataFrame:
    """Rectangles for the pre- and post-period shading: period, start, end (half a year beyond)."""
    rows = []
    for period, label in (("pre", "Pre-period"), ("post", "Post-period")):
        years = sorted(int(y) for y in windows.loc[windows["used_as"] == period, "year"])
        if not years:
            continue
        rows.append(
            {
                "period": label,
                "start": years[0] - 0.5,
                "end": years[-1] + 0.5,
                "years": span_text(years) if outcome.time_variable == "year" else "year_mid " + span_text(years),
            }
        )
    return pd.DataFrame(rows)


def pilot_series_label(analysis: PilotAnalysis) -> str:
    """The pilot group's name in charts: 'Pilot municipalities' or 'Pilot municipality: Tampere'."""
    if analysis.did.n_treated == 1:
        return f"Pilot municipality: {analysis.treated['name_fi'].iloc[0]}"
    return "Pilot municipalities"


def trend_frame(analysis: PilotAnalysis) -> pd.DataFrame:
    """The engine's trend table with the pilot group named as in :func:`pilot_series_label`."""
    t = analysis.trends[["year", "series", "kind", "value", "n_units"]].copy()
    t["series"] = t["series"].replace({"Pilot municipalities": pilot_series_label(analysis)})
    t["n_units"] = t["n_units"].astype(int)
    return t.reset_index(drop=True)


def pilot_names(codes: Iterable[str]) -> dict[str, str]:
    """{code: 'Tampere (Tammerfors)'} in alphabetical order of the Finnish name."""
    ordered = sorted(codes, key=lambda c: pilot_timing()[c].name_fi)
    return {c: bilingual(pilot_timing()[c].name_fi, pilot_timing()[c].name_sv) for c in ordered}


def did_display_table(analysis: PilotAnalysis) -> pd.DataFrame:
    """The 2×2 table: pre and post means of both groups, their changes, and the difference."""
    d = analysis.did
    n_t = d.n_treated
    pilot_label = "Pilot municipality" if n_t == 1 else f"Pilot municipalities ({n_t})"
    comp_label = f"Comparison group ({d.n_control})"
    return pd.DataFrame(
        {
            "Group": [pilot_label, comp_label, "Difference (pilot − comparison)"],
            f"Pre-period ({span_text(d.pre_years)})": [
                d.treated_pre_mean,
                d.control_pre_mean,
                d.treated_pre_mean - d.control_pre_mean,
            ],
            f"Post-period ({span_text(d.post_years)})": [
                d.treated_post_mean,
                d.control_post_mean,
                d.treated_post_mean - d.control_post_mean,
            ],
            "Change (post − pre)": [d.treated_change, d.control_change, d.estimate],
        }
    )


def treated_display_table(analysis: PilotAnalysis) -> pd.DataFrame:
    """Each analysed pilot municipality: post years used, weight, means and its own estimate."""
    t = analysis.treated.sort_values("name_fi", ignore_index=True)
    return pd.DataFrame(
        {
            "Municipality": [bilingual(a, b) for a, b in zip(t["name_fi"], t["name_sv"], strict=True)],
            "Post years used": [span_text(v) for v in t["post_years_used"]],
            "Weight in the pilot group (%)": 100.0 * t["weight_share"].astype(float),
            "Pre-period mean": t["pre_mean"].astype(float),
            "Post-period mean": t["post_mean"].astype(float),
            "Own difference-in-differences": t["did"].astype(float),
        }
    )


def windows_display_table(analysis: PilotAnalysis) -> pd.DataFrame:
    """Which years (or year_mid windows) enter which period, and why."""
    w = analysis.periods.windows
    label = "Year" if analysis.outcome.time_variable == "year" else "year_mid"
    return pd.DataFrame(
        {
            label: w["year"].astype(str),
            "Calendar years in the value": w["calendar_years"],
            "Pilot years in it": w["pilot_years_in_window"].astype(int).astype(str),
            "Used as": w["used_as"].map({"pre": "pre-period", "post": "post-period", "not used": "not used"}),
            "Why": w["reason"],
        }
    )


def comparison_display_table(analysis: PilotAnalysis) -> pd.DataFrame | None:
    """For matched comparisons: each neighbour with the municipality it was matched to."""
    pool = analysis.comparison
    if pool.method != "matched":
        return None
    t = pool.table.copy()
    names = {r.municipality_code: bilingual(r.name_fi, r.name_sv) for r in analysis.treated.itertuples()}
    return pd.DataFrame(
        {
            "Pilot municipality": t["matched_to"].map(names),
            "Neighbour": [bilingual(a, b) for a, b in zip(t["name_fi"], t["name_sv"], strict=True)],
            "Rank": t["match_rank"].astype(int).astype(str),
            "Distance (standardised)": t["distance"].astype(float),
            "Pre-period mean": t["pre_level"].astype(float),
            "Pre-period trend per year": t["pre_trend"].astype(float),
        }
    )


def _group_phrase(n: int) -> str:
    return "the pilot municipality" if n == 1 else "the pilot municipalities"


def _comparison_sentence(analysis: PilotAnalysis, figures: Mapping[str, str]) -> str:
    pool = analysis.comparison
    p = analysis.parameters
    n = len(pool)
    treated_names = [bilingual(r.name_fi, r.name_sv) for r in analysis.treated.sort_values("name_fi").itertuples()]
    if pool.method == "all":
        text = (
            f"The comparison group is every other municipality with a value in every year of the "
            f"outcome: {n} municipalities"
        )
    elif pool.method in ("same_region", "same_urban_rural_group"):
        col = "region" if pool.method == "same_region" else "urban_rural"
        groups = sorted(set(str(v) for v in pool.table.get(col, pd.Series(dtype=str)).dropna()))
        what = "region" if pool.method == "same_region" else "urban–rural group"
        text = (
            f"The comparison group is the {n} other municipalities in the same {what}"
            f"{'s' if len(groups) > 1 else ''} ({join_names(groups)}) with complete data"
        )
    else:
        k = int(p["n_matched"])
        whom = f"the {k} {_plural(k, 'municipality', 'municipalities')} closest to " + (
            f"{analysis.treated['name_fi'].iloc[0]}" if len(treated_names) == 1 else "each pilot municipality"
        )
        text = (
            f"The comparison group is matched: {whom} before the pilot in level "
            f"and trend of the outcome ({span_text(analysis.periods.pre_years)}) and in population "
            f"({REFERENCE_YEAR}), each neighbour used once ({n} in all; the table after Figure {figures['trends']} lists them)"
        )
    excluded = sorted(set(pilot_timing()) - set(p["municipalities"]))
    if excluded:
        names = sorted(pilot_timing()[c].name_fi for c in excluded)
        text += (
            f". The other pilot {_plural(len(names), 'municipality', 'municipalities')} "
            f"({join_names(names)}) {_plural(len(names), 'is', 'are')} left out of the comparison "
            "group, because the pilot may have affected them too"
        )
    text += "."
    weighting = (
        f"Means are weighted by population ({POPULATION_SOURCE}), so large municipalities count more"
        if p["weighting"] == "population"
        else "Every municipality counts equally in the means (weighting='equal')"
    )
    if p["weighting"] == "population" and len(treated_names) > 1:
        top = analysis.treated.sort_values("weight_share", ascending=False).iloc[0]
        weighting += (
            f"; {top['name_fi']} alone carries {100 * float(top['weight_share']):.0f} % of the pilot group's weight"
        )
    return text + " " + weighting + "."


def _direction(x: float) -> str:
    return "fell" if x < 0 else "rose" if x > 0 else "stayed the same"


def _estimate_paragraph(analysis: PilotAnalysis) -> str:
    d = analysis.did
    o = analysis.outcome
    unit = str(analysis.numbers["unit"])
    n = d.n_treated
    who = _group_phrase(n)
    mean = "mean" if analysis.parameters["weighting"] == "equal" else "population-weighted mean"
    if n == 1:
        own = f"In {analysis.treated['name_fi'].iloc[0]} the {o.label[0].lower() + o.label[1:]}"
    else:
        own = f"In {who} the {mean} of the {o.label[0].lower() + o.label[1:]}"
    t_change, c_change = d.treated_change, d.control_change
    text = (
        f"{own} {_direction(t_change)} by {format_number(abs(t_change), 2)} {unit} between the pre-period "
        f"and the post-period; in the comparison group it {_direction(c_change)} by "
        f"{format_number(abs(c_change), 2)} {unit}. "
    )
    est = d.estimate
    more = "unemployment" if o.id == "unemployment_rate" else "disadvantage on Diak's index"
    if est == 0:
        text += "The difference of the two changes, the difference-in-differences estimate, is zero."
    else:
        way, verdict = ("down", "more favourable") if est < 0 else ("up", "less favourable")
        text += (
            f"The difference of the two changes, the difference-in-differences estimate, is "
            f"**{format_number(est, 2, signed=True)} {unit}**: {who} moved {format_number(abs(est), 2)} {unit} "
            f"further {way} than the comparison group, a {verdict} development relative to it (higher "
            f"values mean more {more})."
        )
    return text


def _pre_trend_paragraph(analysis: PilotAnalysis) -> str:
    nums = analysis.numbers
    slope, proj = float(nums["pre_trend_per_year"]), float(nums["pre_trend_projection"])
    unit = str(nums["unit"])
    est = analysis.did.estimate
    es = analysis.event_study
    pre = analysis.periods.pre_years
    label = "year_mid " if analysis.outcome.time_variable == "year_mid" else ""
    parts = []
    if math.isfinite(slope):
        parts.append(
            f"Before the pilot the gap between {_group_phrase(analysis.did.n_treated)} and the comparison "
            f"group changed by {format_number(slope, 2, signed=True)} {unit} a year ({label}{span_text(pre)}). "
            f"Had that trend simply continued, it would by itself give a difference-in-differences of "
            f"{format_number(proj, 2, signed=True)} {unit}"
        )
        if abs(proj) >= 0.5 * abs(est) and est != 0:
            parts[-1] += (
                ", at least half of the estimate: **the parallel-trends assumption is doubtful here**, "
                "and the event study says more than the single number."
            )
        else:
            parts[-1] += f", small beside the estimate of {format_number(est, 2, signed=True)} {unit}."
    else:
        parts.append("With a single pre-period year there is no pre-period trend to check.")
    if {"placebo_low", "placebo_high"} <= set(es.columns):
        outside = es[(es["relative_to_base"] < es["placebo_low"]) | (es["relative_to_base"] > es["placebo_high"])]
        pre_out = [int(y) for y in outside["year"] if int(y) in pre]
        post_out = [int(y) for y in outside["year"] if int(y) in analysis.periods.post_years]
        other_out = [int(y) for y in outside["year"] if int(y) not in pre and int(y) not in analysis.periods.post_years]
        if pre_out:
            parts.append(
                f"In the event study the pre-period {_plural(len(pre_out), 'value', 'values')} for "
                f"{label}{span_text(pre_out)} {_plural(len(pre_out), 'lies', 'lie')} outside the placebo "
                "band: the gap between the groups was already moving more than it does between random groups "
                "before the pilot began."
            )
        else:
            parts.append(
                "In the event study every pre-period value lies inside the placebo band: before the pilot "
                "the gap moved no more than it does between random groups of municipalities."
            )
        if post_out:
            parts.append(
                f"Post-period {_plural(len(post_out), 'value', 'values')} outside the band: "
                f"{label}{span_text(post_out)}."
            )
        else:
            parts.append("No post-period value lies outside the band.")
        if other_out:
            parts.append(f"Outside the band in years used in neither period: {label}{span_text(other_out)}.")
    return " ".join(parts)


def _placebo_paragraph(analysis: PilotAnalysis) -> str:
    pl = analysis.placebo
    if pl is None:
        return (
            "The placebo check is switched off in this run (n_placebo=0), so the estimate has no "
            "yardstick: it cannot be told apart from ordinary differences between municipalities."
        )
    unit = str(analysis.numbers["unit"])
    k = pl.group_size
    how = f"All {pl.n_placebo:,} possible sets" if pl.exhaustive else f"{pl.n_placebo:,} random sets (seed {pl.seed})"
    text = (
        f"{how} of {k} comparison {_plural(k, 'municipality', 'municipalities')} were treated as if "
        f"{_plural(k, 'it', 'they')} had been in the pilot, with the same timing, and the same "
        f"estimate was computed for each. The pilot's estimate of "
        f"{format_number(pl.pilot_estimate, 2, signed=True)} {unit} ranks **{ordinal(pl.rank)} of "
        f"{pl.n_ranked:,}** by absolute size; {pl.n_as_extreme:,} of the {pl.n_placebo:,} placebo "
        f"estimates (**{100 * pl.share_as_extreme:.1f} %**) are at least as large in absolute value. "
    )
    text += analysis.summary.get("placebo_verdict", "")
    return text


def _caveat_items(analysis: PilotAnalysis, figures: Mapping[str, str]) -> list[str]:
    o = analysis.outcome
    p = analysis.parameters
    items = [
        "**Aggregates, not the pilot's clients.** The outcome covers "
        + (
            "the whole labour force of each municipality"
            if o.id == "unemployment_rate"
            else "all residents the indicator counts in each municipality"
        )
        + ". The pilot's target group, long-term unemployed social assistance clients over 25, is a "
        "small part of it, so even a real effect on the clients could be too small to see here, and a "
        "difference here need not come from the pilot.",
        "**Not a randomised experiment.** The pilot municipalities were selected for the pilot, not "
        "drawn at random; the comparison group shows what happened elsewhere, not what would have "
        "happened in the pilot municipalities without the pilot. Other local changes in 2018–2019 "
        "(the economy, other projects, Kela's new role since 2017) move the same figures.",
        "**COVID-19.** 2020 is the first pandemic year; unemployment jumped everywhere. It is drawn "
        "in the charts but used in neither period"
        + (
            ", except that Diak's year_mid 2019 window (2018–2020) already contains it and is "
            "therefore left out as well."
            if o.time_variable == "year_mid"
            else (". The 2020 unemployment figures cover January–October only." if o.id == "unemployment_rate" else ".")
        ),
        (
            "**Diak values are an index relative to the median municipality** (median = 100), "
            "averaged over three years: a nationwide rise or fall does not show, and each value mixes "
            "pilot and non-pilot years."
            if o.time_variable == "year_mid"
            else "**The Diak outcomes** (the other choices of the `outcome` parameter) are indices "
            "relative to the median municipality, averaged over three years: a nationwide change does "
            "not show in them, and each value mixes pilot and non-pilot years."
        ),
        "**Pre-trends.** The estimate assumes that without the pilot the gap between the groups would "
        f"have stayed as it was; the event study (Figure {figures['event_study']}) shows how far that held "
        "before 2018.",
        "**What the evaluation itself measured is not here.** THL's final report (2020) followed the "
        "clients with AVAIN and drew on statistics from THL, Kela and others; its outcome figures are not "
        "in the public material available to this book, and the book does not estimate them.",
    ]
    if "851" in p["municipalities"]:
        items.append("**Tornio** took part in 2018 only; its estimate uses only post-period values that contain 2018.")
    if "680" in p["municipalities"]:
        items.append(
            "**Raisio** dates its own pilot from 1 Nov 2017, so its last pre-period year contains two pilot months."
        )
    if analysis.placebo is not None and analysis.placebo.n_ranked < 20:
        items.append(
            f"**Few placebo sets.** With a comparison group of {len(analysis.comparison)} the placebo "
            f"check has only {analysis.placebo.n_placebo:,} sets and cannot rank the estimate "
            "meaningfully; use comparison='all' or more matched neighbours."
        )
    return items


def build_chapter(checked: Mapping, figures: Mapping[str, str]) -> PilotChapter:
    """Run the pilot analysis for checked parameters (``helpers.chapters.pilot.validate``) and prepare the page.

    ``figures`` maps the chapter's figure names to their numbers (from the run plan) for cross-references.
    """
    analysis = analyse(checked)
    p = analysis.parameters
    codes = p["municipalities"]
    o = analysis.outcome
    timeline = timeline_table(codes)
    values, national, context = context_frames(codes)
    windows = period_bands(analysis.periods.windows, o)
    d, nums = analysis.did, analysis.numbers
    pl = analysis.placebo
    names = [pilot_timing()[c].name_fi for c in sorted(codes, key=lambda c: pilot_timing()[c].name_fi)]
    names_bi = [
        bilingual(pilot_timing()[c].name_fi, pilot_timing()[c].name_sv)
        for c in sorted(codes, key=lambda c: pilot_timing()[c].name_fi)
    ]
    facts = pilot_facts()
    notifications = notifications_frame()
    unit = str(nums["unit"])
    time_word = "year" if o.time_variable == "year" else "year_mid"

    numbers: dict[str, object] = {
        "n_treated": d.n_treated,
        "n_comparison": d.n_control,
        "treated_names": join_names(names_bi),
        "outcome_label": o.label,
        "outcome_label_lower": o.label[0].lower() + o.label[1:],
        "outcome_unit": o.unit,
        "did_unit": unit,
        "did_estimate": d.estimate,
        "did_estimate_text": format_number(d.estimate, 2, signed=True),
        "treated_change": d.treated_change,
        "comparison_change": d.control_change,
        "pre_span": span_text(d.pre_years),
        "post_span": span_text(d.post_years),
        "base_year": p["base_year"],
        "time_word": time_word,
        "comparison_method": p["comparison"],
        "weighting": p["weighting"],
        "n_placebo": pl.n_placebo if pl is not None else 0,
        "seed": p["seed"],
        "placebo_rank": pl.rank if pl is not None else 0,
        "placebo_rank_text": ordinal(pl.rank) if pl is not None else "not ranked",
        "placebo_n_ranked": pl.n_ranked if pl is not None else 0,
        "placebo_n_as_extreme": pl.n_as_extreme if pl is not None else 0,
        "placebo_share_as_extreme_pct": 100.0 * pl.share_as_extreme if pl is not None else float("nan"),
        "kemijarvi_max_visitors": int(fact_value("kemijarvi_lounge_max_visitors_week", facts)),
        "kemijarvi_days_sv": int(fact_value("kemijarvi_lounge_days_sv", facts)),
        "kemijarvi_days_fi": int(fact_value("kemijarvi_lounge_days_fi", facts)),
        "avain_seinajoki_clients": int(fact_value("avain_earlier_test_clients", facts)),
        "final_report_isbn": fact_value("final_report_isbn", facts),
        "n_municipalities_2018": len(fact_items("municipalities_2018", facts)),
        "n_municipalities_2019": len(fact_items("municipalities_2019", facts)),
    }
    numbers = {k: _native(v) for k, v in numbers.items()}

    period_text = analysis.periods.text
    if o.time_variable == "year":
        diak_example = periods_for("diak_long_term_social_assistance_25_64").text
        period_text += (
            " The Diak outcomes (another choice of the `outcome` parameter) need different periods. " + diak_example
        )

    if d.n_treated == 1:
        design = (
            f"This run analyses **{names_bi[0]}** alone, with the pilot's timing for {names[0]}"
            f" ({span_text(pilot_timing()[codes[0]].pilot_years)})."
        )
    elif d.n_treated == len(pilot_timing()):
        design = f"This run analyses all {d.n_treated} pilot municipalities together as one group."
    else:
        design = (
            f"This run analyses {d.n_treated} of the six pilot municipalities as one group: {join_names(names_bi)}."
        )
    design += " " + _comparison_sentence(analysis, figures)

    texts = {
        "design_paragraph": design,
        "period_paragraph": period_text,
        "estimate_paragraph": _estimate_paragraph(analysis),
        "pre_trend_paragraph": _pre_trend_paragraph(analysis),
        "placebo_paragraph": _placebo_paragraph(analysis),
        "context_paragraph": context_paragraph(context),
        "caveat_list": "\n".join(f"- {item}" for item in _caveat_items(analysis, figures)),
        "technical_notes": "\n".join(f"- {n}" for n in analysis.notes),
        "outcome_description": o.description + " " + o.interpretation,
        "notifications_paragraph": notifications_paragraph(notifications),
    }

    outcome_source = OUTCOME_SOURCES.get(o.source_dataset, o.citation)
    group_word = "the pilot municipality" if d.n_treated == 1 else "the pilot municipalities"
    captions = {
        "timeline": (
            "When each municipality took part in the participatory social security pilot"
            + ("" if len(codes) == len(pilot_timing()) else " (faded: not in this run's analysis)")
            + ". Source: "
            + PILOT_FACTS_SOURCE
            + " (data/facts/pilot_municipalities.csv)."
        ),
        "context": (
            "The analysed pilot municipalities among all municipalities in 2019; choose the indicator "
            "under the chart. The national line is population-weighted and computed from the municipal "
            "values, not THL's published national figure. Source: " + CONTEXT_SOURCE + "."
        ),
        "trends": (
            f"{o.label}: {group_word} and the comparison group ({d.n_control} municipalities), "
            f"{'population-weighted' if p['weighting'] == 'population' else 'unweighted'} means per "
            f"{time_word}, with the pre- and post-periods shaded. Source: {outcome_source}; "
            f"{POPULATION_SOURCE if p['weighting'] == 'population' else 'no weights'}."
        ),
        "event_study": (
            f"Event study: the gap between {group_word} and the comparison group in each {time_word}, "
            f"relative to {time_word} {p['base_year']}"
            + (
                f", with the 5–95 % range of {pl.n_placebo:,} placebo groups (seed {pl.seed})"
                if pl is not None
                else " (no placebo band: n_placebo=0)"
            )
            + f". Source: {outcome_source}; own calculation."
        ),
        "placebo": (
            (
                f"Placebo distribution: the difference-in-differences estimate for {pl.n_placebo:,} "
                f"{'possible' if pl.exhaustive else 'random'} sets of {pl.group_size} comparison "
                f"{_plural(pl.group_size, 'municipality', 'municipalities')} given the pilot's timing"
                f"{'' if pl.exhaustive else f' (seed {pl.seed})'}, with the pilot's estimate marked. "
                f"Source: {outcome_source}; own calculation."
            )
            if pl is not None
            else "Placebo distribution: switched off in this run (n_placebo=0). Source: own calculation."
        ),
        "notifications": (
            "Kela's notifications to municipal social work in the pilot-era study, shares as published "
            "(they do not add up to 100 %). Source: Jokela, Kivipelto & Ylikännö (2019), THL "
            "Työpaperi 26/2019 (data/facts/kela_notifications.csv)."
        ),
    }
    return PilotChapter(
        parameters=p,
        analysis=analysis,
        timeline=timeline,
        milestones=timeline_milestones(),
        context_values=values,
        context_national=national,
        context=context,
        periods_windows=windows,
        notifications=notifications,
        numbers=numbers,
        texts=texts,
        captions=captions,
    )


def parameters_display_table(chapter: PilotChapter, given: Mapping) -> pd.DataFrame:
    """This run's parameters as given and as the engine used them (codes, explicit years)."""
    p = chapter.parameters
    rows = []
    for name in p:
        used = p[name]
        if name == "municipalities":
            used = ", ".join(f"{pilot_timing()[c].name_fi} ({c})" for c in used)
        elif isinstance(used, list):
            used = span_text(used)
        shown = given.get(name)
        shown = ", ".join(str(v) for v in shown) if isinstance(shown, list) else str(shown)
        rows.append({"Parameter": name, "Given": shown if shown else "[] (default)", "Used": str(used)})
    return pd.DataFrame(rows)


__all__ = [
    "OUTCOMES",
    "PilotChapter",
    "build_chapter",
    "context_display_table",
    "context_frames",
    "did_display_table",
    "municipalities_display_table",
    "notifications_frame",
    "parameters_display_table",
    "period_bands",
    "timeline_table",
    "treated_display_table",
    "windows_display_table",
]
