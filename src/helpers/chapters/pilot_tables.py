"""The pilot chapter's tables and chart frames, built from the analysis and the fact tables."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, cast

import numpy as np
import pandas as pd

from helpers.analysis.indicators import pilot_context_indicators
from helpers.analysis.pilot import PilotAnalysis, context_values_2019, pilot_context_2019, pilot_timing
from helpers.chapters.wording import bilingual, join_names
from helpers.i18n import N_, _, translated
from helpers.text import format_number, format_percent


def local_name(name_fi: str, name_sv: str, lang: str = "en") -> str:
    """A municipality as the edition names it: 'Tampere (Tammerfors)' in English, 'Tampere' in
    Finnish, 'Tammerfors' in Swedish (the Finnish name where there is no Swedish one)."""
    if lang == "fi":
        return name_fi
    if lang == "sv":
        return name_sv or name_fi
    return bilingual(name_fi, name_sv)


def single_name(name_fi: str, name_sv: str, lang: str = "en") -> str:
    """One name in running text: the Finnish name in the English and Finnish editions, else the Swedish."""
    return (name_sv or name_fi) if lang == "sv" else name_fi


def code_name(code: str, lang: str = "en") -> str:
    """A pilot municipality's single name in the edition (``single_name``) from its code."""
    timing = pilot_timing()[code]
    return single_name(timing.name_fi, timing.name_sv, lang)


def join_words(items, lang: str = "en") -> str:
    """'a, b and c' in the edition's language."""
    items = list(items)
    if lang == "en" or len(items) < 2:
        return join_names(items)
    return ", ".join(items[:-1]) + _(" and ", lang) + items[-1]


def years_text(years, lang: str = "en") -> str:
    """``span_text`` in the edition's words ('2014–2016', '2014, 2016 and 2018', 'none')."""
    years = sorted(int(y) for y in years)
    if not years:
        return _("none", lang)
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return join_words([str(y) for y in years], lang)


# Outcome names and units as the chapter shows them (helpers.analysis.outcomes keeps the English).
OUTCOME_LABELS = {
    "Unemployment rate": N_("Unemployment rate"),
    "Long-term social assistance recipients aged 25-64 (Diak index)": N_(
        "Long-term social assistance recipients aged 25-64 (Diak index)"
    ),
    "Supplementary social assistance (Diak index)": N_("Supplementary social assistance (Diak index)"),
    "Long-term unemployment (Diak index)": N_("Long-term unemployment (Diak index)"),
    "Families with children receiving social assistance": N_("Families with children receiving social assistance"),
}
OUTCOME_UNITS = {
    "index, median municipality = 100": N_("index, median municipality = 100"),
    "% of labour force": N_("% of labour force"),
    "% of families with children": N_("% of families with children"),
}


DID_UNITS = {"percentage points": N_("percentage points"), "index points": N_("index points")}


def did_unit(unit: str, lang: str = "en") -> str:
    """The estimate's unit ('percentage points', 'index points') in the edition's words."""
    return translated(DID_UNITS[unit], lang) if unit in DID_UNITS else unit


# The default outcome's description and interpretation (helpers.analysis.outcomes), for translation; the
# other outcomes' texts fall back to English, and the edition check reports them when a run shows them.
OUTCOME_TEXTS = (
    N_(
        "Diak's municipal disadvantage index (huono-osaisuus): the share of 25-64-year-olds who received social assistance for at least 10 months of the year averaged over three years (year_mid - 1 ... year_mid + 1) and divided by the median municipality's value, times 100. Source values from THL's Sotkanet; compiled by Diakonia University of Applied Sciences."
    ),
    N_(
        "An index, not a rate: 100 = the median municipality of the same window, 150 = one and a half times the median. A change over time is a change RELATIVE TO THE MEDIAN MUNICIPALITY, so a nationwide rise or fall does not show. Each value mixes three calendar years, so year_mid 2017 (2016-2018) already contains the first pilot year and year_mid 2019 (2018-2020) the post-pilot, COVID-19 year 2020. Higher = more disadvantage. Closest of the public series to the pilot's aim (less need for social assistance among long-term unemployed people; the target group: long-term unemployed clients over 25). Basic assistance moved to Kela at the start of 2017, the last calendar year of the last default pre-period window (year_mid 2016, 2015-2017); the earlier pre-period windows end before the transfer."
    ),
)


def outcome_label(label: str, lang: str = "en") -> str:
    return translated(OUTCOME_LABELS[label], lang) if label in OUTCOME_LABELS else label


def outcome_unit(unit: str, lang: str = "en") -> str:
    return translated(OUTCOME_UNITS[unit], lang) if unit in OUTCOME_UNITS else unit


def lower_first(text: str) -> str:
    return text[0].lower() + text[1:] if text else text


# Context indicators in the order the chapter shows them (Sotkanet ids) and their labels: the registry's.
def context_order() -> tuple[int, ...]:
    return tuple(item.sotkanet_id for item in pilot_context_indicators())


# The registry's context labels (helpers.analysis.indicators), for translation.
CONTEXT_LABELS = (
    N_("Social assistance recipients aged 25–64 (% of that age group)"),
    N_("Social assistance (€ per resident)"),
    N_("Unemployment (% of labour force)"),
    N_("Long-term unemployment (% of labour force)"),
)


def context_labels(lang: str = "en") -> dict[int, str]:
    return {item.sotkanet_id: translated(item.context_label, lang) for item in pilot_context_indicators()}


# --------------------------------------------------------------------------- 2019 context


def context_frames(municipalities: Iterable[str], lang: str = "en") -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
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
    values["label"] = values["indicator_id"].map(context_labels(lang))
    values["municipality"] = [local_name(a, b, lang) for a, b in zip(values["name_fi"], values["name_sv"], strict=True)]
    names = pilot_names((c for c in codes if c in pilot_timing()), lang)
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
    national["label"] = national["indicator_id"].map(context_labels(lang))
    national["national_label"] = [
        _("National {value}, {how}", lang, value=format_number(v, 1, lang=lang), how=how)
        for v, how in zip(national["national"], national_method(national, lang), strict=True)
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


def national_method(context: pd.DataFrame, lang: str = "en") -> list[str]:
    return [
        _("population-weighted mean of the municipal values", lang)
        if pd.isna(v)
        else _("computed from the municipal counts (sum of counts / sum of the denominators they imply)", lang)
        for v in context["national_from_counts"]
    ]


def context_display_table(context: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Per indicator and pilot municipality: value, rank, median and the computed national figure."""
    frame = context.copy()
    frame["order"] = frame["indicator_id"].map({ind: i for i, ind in enumerate(context_order())})
    frame = frame.sort_values(["order", "name_fi"], ignore_index=True)
    return pd.DataFrame(
        {
            _("Indicator (2019)", lang): frame["indicator_id"].map(context_labels(lang)),
            _("Municipality", lang): [
                local_name(a, b, lang) for a, b in zip(frame["name_fi"], frame["name_sv"], strict=True)
            ],
            _("Value", lang): frame["value"].astype(float),
            _("Rank (1 = highest)", lang): [
                _("{rank} of {n}", lang, rank=int(r), n=int(n)) if not pd.isna(r) else _("no data", lang)
                for r, n in zip(frame["rank_from_highest"], frame["n_municipalities"], strict=True)
            ],
            _("Median municipality", lang): frame["median"].astype(float),
            _(
                "National, computed (from counts where Sotkanet gives them, else population-weighted)", lang
            ): national_figure(frame),
        }
    )


PERIOD_NAMES = {"pre": N_("Pre-period"), "post": N_("Post-period")}


def period_bands(windows: pd.DataFrame, outcome, lang: str = "en") -> pd.DataFrame:
    """Rectangles for the pre- and post-period shading: period (its name in ``lang``), start, end
    (half a year beyond), years."""
    rows = []
    for period in ("pre", "post"):
        label = translated(PERIOD_NAMES[period], lang)
        years = sorted(int(y) for y in windows.loc[windows["used_as"] == period, "year"])
        if not years:
            continue
        rows.append(
            {
                "period": label,
                "start": years[0] - 0.5,
                "end": years[-1] + 0.5,
                "years": years_text(years, lang)
                if outcome.time_variable == "year"
                else "year_mid " + years_text(years, lang),
            }
        )
    return pd.DataFrame(rows)


def pilot_series_label(analysis: PilotAnalysis, lang: str = "en") -> str:
    """The pilot group's name in charts: 'Pilot municipalities' or 'Pilot municipality: Tampere'."""
    if analysis.did.n_treated == 1:
        row = analysis.treated.iloc[0]
        return _("Pilot municipality: {name}", lang, name=single_name(row["name_fi"], row["name_sv"], lang))
    return _("Pilot municipalities", lang)


def trend_frame(analysis: PilotAnalysis, lang: str = "en") -> pd.DataFrame:
    """The engine's trend table with the pilot group named as in :func:`pilot_series_label`, the
    comparison group and the municipalities in the edition's words."""
    t = analysis.trends[["year", "series", "kind", "value", "n_units"]].copy()
    names = {str(r.name_fi): single_name(str(r.name_fi), str(r.name_sv), lang) for r in analysis.treated.itertuples()}
    t["series"] = t["series"].replace(
        {
            "Pilot municipalities": pilot_series_label(analysis, lang),
            "Comparison group": _("Comparison group", lang),
            **names,
        }
    )
    t["n_units"] = t["n_units"].astype(int)
    return t.reset_index(drop=True)


def pilot_names(codes: Iterable[str], lang: str = "en") -> dict[str, str]:
    """{code: 'Tampere (Tammerfors)'} (the edition's name, ``local_name``) in order of the Finnish name."""
    ordered = sorted(codes, key=lambda c: pilot_timing()[c].name_fi)
    return {c: local_name(pilot_timing()[c].name_fi, pilot_timing()[c].name_sv, lang) for c in ordered}


def did_display_table(analysis: PilotAnalysis, lang: str = "en") -> pd.DataFrame:
    """The 2×2 table: pre and post means of both groups, their changes, and the difference."""
    d = analysis.did
    n_t = d.n_treated
    pilot_label = _("Pilot municipality", lang) if n_t == 1 else _("Pilot municipalities ({n})", lang, n=n_t)
    comp_label = _("Comparison group ({n})", lang, n=d.n_control)
    return pd.DataFrame(
        {
            _("Group", lang): [pilot_label, comp_label, _("Difference (pilot − comparison)", lang)],
            _("Pre-period ({years})", lang, years=years_text(d.pre_years, lang)): [
                d.treated_pre_mean,
                d.control_pre_mean,
                d.treated_pre_mean - d.control_pre_mean,
            ],
            _("Post-period ({years})", lang, years=years_text(d.post_years, lang)): [
                d.treated_post_mean,
                d.control_post_mean,
                d.treated_post_mean - d.control_post_mean,
            ],
            _("Change (post − pre)", lang): [d.treated_change, d.control_change, d.estimate],
        }
    )


def treated_display_table(analysis: PilotAnalysis, lang: str = "en") -> pd.DataFrame:
    """Each analysed pilot municipality: post years used, weight, means and its own estimate."""
    t = analysis.treated.sort_values("name_fi", ignore_index=True)
    return pd.DataFrame(
        {
            _("Municipality", lang): [local_name(a, b, lang) for a, b in zip(t["name_fi"], t["name_sv"], strict=True)],
            _("Post years used", lang): [years_text(v, lang) for v in t["post_years_used"]],
            _("Weight in the pilot group (%)", lang): 100.0 * t["weight_share"].astype(float),
            _("Pre-period mean", lang): t["pre_mean"].astype(float),
            _("Post-period mean", lang): t["post_mean"].astype(float),
            _("Own difference-in-differences", lang): t["did"].astype(float),
        }
    )


_REASONS = (  # helpers.analysis.pilot_timing._window_role's English reasons, as patterns
    (re.compile(r"^(?P<span>[\d–]+): before the pilot$"), N_("{span}: before the pilot")),
    (
        re.compile(r"^(?P<span>[\d–]+): after the pilot ended \(2020 is also the COVID-19 year\)$"),
        N_("{span}: after the pilot ended (2020 is also the COVID-19 year)"),
    ),
    (
        re.compile(r"^(?P<span>[\d–]+): (?P<k>\d+) of (?P<n>\d+) years in the pilot$"),
        N_("{span}: {k} of {n} years in the pilot"),
    ),
    (
        re.compile(
            r"^(?P<span>[\d–]+): only (?P<k>\d+) of (?P<n>\d+) years in the pilot, the rest before or after it$"
        ),
        N_("{span}: only {k} of {n} years in the pilot, the rest before or after it"),
    ),
)


def window_reason(reason: str, lang: str = "en") -> str:
    """Why a year enters a period (the engine's English reason) in the edition's language."""
    for pattern, message in _REASONS:
        found = pattern.match(reason)
        if found:
            return translated(message, lang, **found.groupdict())
    return reason


USED_AS = {"pre": N_("pre-period"), "post": N_("post-period"), "not used": N_("not used")}


def windows_display_table(analysis: PilotAnalysis, lang: str = "en") -> pd.DataFrame:
    """Which years (or year_mid windows) enter which period, and why."""
    w = analysis.periods.windows
    label = _("Year", lang) if analysis.outcome.time_variable == "year" else "year_mid"
    return pd.DataFrame(
        {
            label: w["year"].astype(str),
            _("Calendar years in the value", lang): w["calendar_years"],
            _("Pilot years in it", lang): w["pilot_years_in_window"].astype(int).astype(str),
            _("Used as", lang): w["used_as"].map({key: translated(word, lang) for key, word in USED_AS.items()}),
            _("Why", lang): [window_reason(str(r), lang) for r in w["reason"]],
        }
    )


def comparison_display_table(analysis: PilotAnalysis, lang: str = "en") -> pd.DataFrame | None:
    """For matched comparisons: each neighbour with the municipality it was matched to."""
    pool = analysis.comparison
    if pool.method != "matched":
        return None
    t = pool.table.copy()
    names = {
        r.municipality_code: local_name(cast(str, r.name_fi), cast(str, r.name_sv), lang)
        for r in analysis.treated.itertuples()
    }
    return pd.DataFrame(
        {
            _("Pilot municipality", lang): t["matched_to"].map(names),
            _("Neighbour", lang): [local_name(a, b, lang) for a, b in zip(t["name_fi"], t["name_sv"], strict=True)],
            _("Rank", lang): t["match_rank"].astype(int).astype(str),
            _("Distance (standardised)", lang): t["distance"].astype(float),
            _("Pre-period mean", lang): t["pre_level"].astype(float),
            _("Pre-period trend per year", lang): t["pre_trend"].astype(float),
        }
    )


def parameters_display_table(chapter: Any, given: Mapping, lang: str = "en") -> pd.DataFrame:
    """This run's parameters as given and as the engine used them (codes, explicit years)."""
    p = chapter.parameters
    rows = []
    for name in p:
        used = p[name]
        if name == "municipalities":
            used = ", ".join(f"{code_name(c, lang)} ({c})" for c in used)
        elif isinstance(used, list):
            used = years_text(used, lang)
        shown = given.get(name)
        shown = ", ".join(str(v) for v in shown) if isinstance(shown, list) else str(shown)
        rows.append(
            {
                _("Parameter", lang): name,
                _("Given", lang): shown if shown else _("[] (default)", lang),
                _("Used", lang): str(used),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- checks of the estimate


def _signed_cell(x: object, lang: str = "en") -> str:
    return format_number(cast(float, x), 2, signed=True, lang=lang) if x is not None else format_number(None)


def _p_cell(x: object, lang: str = "en") -> str:
    return format_number(cast(float, x), 3, lang=lang) if _present(x) else _("no placebo draws", lang)


def outcome_overview_display_table(overview: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Every outcome's estimate with its checks, one row per outcome (``pilot_checks.outcome_overview``)."""
    rows = []
    for r in overview.to_dict("records"):
        label = outcome_label(str(r["label"]), lang)
        if r["note"]:
            rows.append(
                {_("Outcome", lang): label, _("Estimate", lang): _("not available", lang), _("Note", lang): r["note"]}
            )
            continue
        mid = "year_mid " if r["time_variable"] == "year_mid" else ""
        fake_start = r["fake_start"]
        periods = f"{mid}{years_text(list(r['pre_years']), lang)}; {mid}{years_text(list(r['post_years']), lang)}"
        rows.append(
            {
                _("Outcome", lang): f"{label} ({outcome_unit(str(r['unit']), lang)})",
                _("Periods (pre; post)", lang): periods,
                _("Estimate", lang): _signed_cell(r["estimate"], lang),
                _("Placebo p", lang): _p_cell(r["placebo_p"], lang),
                _("Part before the base year", lang): _(
                    "{value} (base {base})",
                    lang,
                    value=_signed_cell(r["before_base"], lang),
                    base=f"{mid}{r['base_year']}",
                ),
                _("Last pre-period year alone (p)", lang): (
                    f"{_signed_cell(r['last_pre_estimate'], lang)} ({_p_cell(r['last_pre_p'], lang)})"
                ),
                _("Placebo in time (p)", lang): (
                    _(
                        "{value} ({p}), fake start {start}",
                        lang,
                        value=_signed_cell(r["fake_estimate"], lang),
                        p=_p_cell(r["fake_p"], lang),
                        start=f"{mid}{int(fake_start)}",
                    )
                    if _present(fake_start)
                    else _("no fake start fits", lang)
                ),
                _("Largest leave-one-out", lang): (
                    _(
                        "without {name}: {value}",
                        lang,
                        name=_overview_name(str(r["loo_name"]), lang),
                        value=_signed_cell(r["loo_estimate"], lang),
                    )
                    if r["loo_name"]
                    else _("one municipality", lang)
                ),
                _("Size-band comparison group (p)", lang): (
                    f"{_signed_cell(r['size_band_estimate'], lang)} ({_p_cell(r['size_band_p'], lang)})"
                    if _present(r["size_band_estimate"])
                    else _("too small", lang)
                ),
            }
        )
    return pd.DataFrame(rows).fillna("")


def _overview_name(name_fi: str, lang: str) -> str:
    """A pilot municipality named in Finnish by the analysis, in the edition's single name."""
    for timing in pilot_timing().values():
        if timing.name_fi == name_fi:
            return single_name(timing.name_fi, timing.name_sv, lang)
    return name_fi


def _present(x: object) -> bool:
    return x is not None and not (isinstance(x, float) and np.isnan(x))


def leave_one_out_display_table(analysis: PilotAnalysis, loo: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """``robustness.leave_one_out`` with names: the estimate without each municipality and its own estimate."""
    weights = analysis.treated.set_index("municipality_code")["weight_share"].to_dict()
    rows = []
    for r in loo.to_dict("records"):
        if not _present(r["dropped"]):
            continue
        rows.append(
            {
                _("Left out", lang): code_name(str(r["dropped"]), lang)
                if str(r["dropped"]) in pilot_timing()
                else r["name_fi"],
                _("Weight in the pilot group", lang): format_percent(100 * float(weights[r["dropped"]]), 1, lang=lang),
                _("Estimate without it", lang): _signed_cell(r["estimate"], lang),
                _("Change from all", lang): _signed_cell(r["change_from_all"], lang),
                _("Its own estimate", lang): _signed_cell(r["own_estimate"], lang),
            }
        )
    return pd.DataFrame(rows)


def transfer_display_table(transfer: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """``pilot_checks.change_by_size_band``: the 2016-2017 change by size band and the groups' weights."""
    return pd.DataFrame(
        {
            _("Population (31 Dec 2017)", lang): list(transfer["band_label"]),
            _("Municipalities", lang): [format_number(v, 0, lang=lang) for v in transfer["n_municipalities"]],
            _("Change 2016–2017 (percentage points)", lang): [_signed_cell(v, lang) for v in transfer["change"]],
            _("Share of the pilot group's weight", lang): [
                format_percent(100 * v, 0, lang=lang) for v in transfer["treated_weight_share"]
            ],
            _("Share of the comparison group's weight", lang): [
                format_percent(100 * v, 0, lang=lang) for v in transfer["control_weight_share"]
            ],
        }
    )
