"""The pilot chapter's tables and chart frames, built from the analysis and the fact tables."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

import numpy as np
import pandas as pd

from helpers.analysis.indicators import pilot_context_indicators
from helpers.analysis.pilot import PilotAnalysis, context_values_2019, pilot_context_2019, pilot_timing
from helpers.chapters.wording import bilingual, span_text
from helpers.text import format_number, format_percent


# Context indicators in the order the chapter shows them (Sotkanet ids) and their labels: the registry's.
def context_order() -> tuple[int, ...]:
    return tuple(item.sotkanet_id for item in pilot_context_indicators())


def context_labels() -> dict[int, str]:
    return {item.sotkanet_id: item.context_label for item in pilot_context_indicators()}


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

    national = context.drop_duplicates("indicator_id")[
        ["indicator_id", "indicator", "unit", "national_population_weighted", "national_from_counts"]
    ].reset_index(drop=True)
    national["national"] = national_figure(national)
    national["label"] = national["indicator_id"].map(context_labels())
    national["national_label"] = [
        f"National {format_number(v, 1)}, {how}"
        for v, how in zip(national["national"], national_method(national), strict=True)
    ]
    national["order"] = national["indicator_id"].map(order)
    national = national.sort_values("order", ignore_index=True)[
        ["indicator_id", "indicator", "label", "national", "national_label"]
    ]
    return values, national, context


def national_figure(context: pd.DataFrame) -> pd.Series:
    """The national figure the chapter shows: from Sotkanet's counts where it gives them (the sum of
    the municipal counts over the sum of the denominators they imply), else population-weighted."""
    return context["national_from_counts"].astype(float).fillna(context["national_population_weighted"].astype(float))


def national_method(context: pd.DataFrame) -> list[str]:
    return [
        "population-weighted mean of the municipal values"
        if pd.isna(v)
        else "computed from the municipal counts (sum of counts / sum of the denominators they imply)"
        for v in context["national_from_counts"]
    ]


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
            "National, computed (from counts where Sotkanet gives them, else population-weighted)": national_figure(
                frame
            ),
        }
    )


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
    names = {
        r.municipality_code: bilingual(cast(str, r.name_fi), cast(str, r.name_sv))
        for r in analysis.treated.itertuples()
    }
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


def parameters_display_table(chapter: Any, given: Mapping) -> pd.DataFrame:
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


# --------------------------------------------------------------------------- checks of the estimate


def _signed_cell(x: object) -> str:
    return format_number(cast(float, x), 2, signed=True) if x is not None else format_number(None)


def _p_cell(x: object) -> str:
    return format_number(cast(float, x), 3) if _present(x) else "no placebo draws"


def outcome_overview_display_table(overview: pd.DataFrame) -> pd.DataFrame:
    """Every outcome's estimate with its checks, one row per outcome (``pilot_checks.outcome_overview``)."""
    rows = []
    for r in overview.to_dict("records"):
        if r["note"]:
            rows.append({"Outcome": r["label"], "Estimate": "not available", "Note": r["note"]})
            continue
        mid = "year_mid " if r["time_variable"] == "year_mid" else ""
        fake_start = r["fake_start"]
        rows.append(
            {
                "Outcome": f"{r['label']} ({r['unit']})",
                "Periods (pre; post)": f"{mid}{span_text(list(r['pre_years']))}; {mid}{span_text(list(r['post_years']))}",
                "Estimate": _signed_cell(r["estimate"]),
                "Placebo p": _p_cell(r["placebo_p"]),
                "Part before the base year": f"{_signed_cell(r['before_base'])} (base {mid}{r['base_year']})",
                "Last pre-period year alone (p)": f"{_signed_cell(r['last_pre_estimate'])} ({_p_cell(r['last_pre_p'])})",
                "Placebo in time (p)": (
                    f"{_signed_cell(r['fake_estimate'])} ({_p_cell(r['fake_p'])}), fake start {mid}{int(fake_start)}"
                    if _present(fake_start)
                    else "no fake start fits"
                ),
                "Largest leave-one-out": (
                    f"without {r['loo_name']}: {_signed_cell(r['loo_estimate'])}"
                    if r["loo_name"]
                    else "one municipality"
                ),
                "Size-band comparison group (p)": (
                    f"{_signed_cell(r['size_band_estimate'])} ({_p_cell(r['size_band_p'])})"
                    if _present(r["size_band_estimate"])
                    else "too small"
                ),
            }
        )
    return pd.DataFrame(rows).fillna("")


def _present(x: object) -> bool:
    return x is not None and not (isinstance(x, float) and np.isnan(x))


def leave_one_out_display_table(analysis: PilotAnalysis, loo: pd.DataFrame) -> pd.DataFrame:
    """``robustness.leave_one_out`` with names: the estimate without each municipality and its own estimate."""
    weights = analysis.treated.set_index("municipality_code")["weight_share"].to_dict()
    rows = []
    for r in loo.to_dict("records"):
        if not _present(r["dropped"]):
            continue
        rows.append(
            {
                "Left out": r["name_fi"],
                "Weight in the pilot group": format_percent(100 * float(weights[r["dropped"]]), 1),
                "Estimate without it": _signed_cell(r["estimate"]),
                "Change from all": _signed_cell(r["change_from_all"]),
                "Its own estimate": _signed_cell(r["own_estimate"]),
            }
        )
    return pd.DataFrame(rows)


def transfer_display_table(transfer: pd.DataFrame) -> pd.DataFrame:
    """``pilot_checks.change_by_size_band``: the 2016-2017 change by size band and the groups' weights."""
    return pd.DataFrame(
        {
            "Population (31 Dec 2017)": transfer["band_label"],
            "Municipalities": [format_number(v, 0) for v in transfer["n_municipalities"]],
            "Change 2016–2017 (percentage points)": [_signed_cell(v) for v in transfer["change"]],
            "Share of the pilot group's weight": [format_percent(100 * v, 0) for v in transfer["treated_weight_share"]],
            "Share of the comparison group's weight": [
                format_percent(100 * v, 0) for v in transfer["control_weight_share"]
            ],
        }
    )
