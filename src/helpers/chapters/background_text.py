"""The background chapter's sentences on the municipal series (numbers from helpers.analysis.long_run),
in the edition's language and number format."""

from __future__ import annotations

import pandas as pd

from helpers.charts.facts_wording import join_in, municipality_name
from helpers.i18n import _
from helpers.text import format_number, format_percent


def long_run_paragraph(
    spread: pd.DataFrame, municipalities: pd.DataFrame, euros: pd.DataFrame, lang: str = "en"
) -> str:
    """What the long-run series show: the median municipality over time and the pilot municipalities."""
    s = spread.set_index("year")["median"]
    first, last = int(s.index.min()), int(s.index.max())
    peak_value = float(s.max())
    peak_years = [int(y) for y in s.index[s == peak_value]]
    low_after = s.loc[peak_years[-1] :]
    trough_value = float(low_after.min())
    trough_years = [int(y) for y in low_after.index[low_after == trough_value]]
    last_year = municipalities[municipalities["year"] == last].sort_values("value", ascending=False)
    e = euros.set_index("year")["median"]
    top, bottom = last_year.iloc[0], last_year.iloc[-1]
    return _(
        "In the median municipality, the share of residents who received social assistance during the year was "
        "{first_share} in {first}. It rose to {peak_share} in {peak_years}, fell to {trough_share} by {trough_year} "
        "and was {last_share} in {last}, the last year of the series. In {last} the pilot municipalities, in their "
        "2013 borders, ranged from {top} ({top_share}) to {bottom} ({bottom_share}). The older euros-per-resident "
        "series (indicator 451) gives the median municipality {euros_first} € per resident in {euros_first_year} and "
        "{euros_last} € in {euros_last_year}. Both series end years before 2017: they show where the municipalities "
        "stood before the transfer, not the transfer itself.",
        lang,
        first_share=format_percent(float(s[first]), 1, lang=lang),
        first=first,
        peak_share=format_percent(peak_value, 1, lang=lang),
        peak_years=join_in([str(y) for y in peak_years], lang),
        trough_share=format_percent(trough_value, 1, lang=lang),
        trough_year=trough_years[0],
        last_share=format_percent(float(s[last]), 1, lang=lang),
        last=last,
        top=municipality_name(top["municipality_code"], top["name_fi"], lang),
        top_share=format_percent(float(top["value"]), 1, lang=lang),
        bottom=municipality_name(bottom["municipality_code"], bottom["name_fi"], lang),
        bottom_share=format_percent(float(bottom["value"]), 1, lang=lang),
        euros_first=format_number(float(e[e.index.min()]), 0, lang=lang),
        euros_first_year=int(e.index.min()),
        euros_last=format_number(float(e[e.index.max()]), 0, lang=lang),
        euros_last_year=int(e.index.max()),
    )


def families_paragraph(national: pd.DataFrame, jump: dict[str, float], bands: pd.DataFrame, lang: str = "en") -> str:
    """The families-with-children share around 2017: the national jump and its size by size band."""
    year = 2017
    low, high = bands.iloc[0], bands.iloc[-1]
    share = {int(y): float(v) for y, v in zip(national["year"], national["share_pct"], strict=True)}
    values = {
        "before_year": year - 1,
        "year": year,
        "next_year": year + 1,
        "year_after": year + 2,
        "first_earlier": int(jump["earlier_first_year"]),
        "share_before": format_percent(jump["share_before"], 2, lang=lang),
        "share_year": format_percent(jump["share_year"], 2, lang=lang),
        "change": format_number(jump["change"], 2, signed=True, lang=lang),
        "relative": format_percent(jump["change_relative_pct"], 0, lang=lang),
        "receiving": format_percent(jump["receiving_change_pct"], 0, lang=lang),
        "largest_earlier": format_number(abs(jump["largest_earlier_change"]), 2, lang=lang),
        "share_next": format_percent(share[year + 1], 2, lang=lang),
        "share_after": format_percent(share[year + 2], 2, lang=lang),
        "low_change": format_number(float(low["change"]), 2, lang=lang),
        "small": format_number(5000, 0, lang=lang),
        "high_change": format_number(float(high["change"]), 2, lang=lang),
        "large": format_number(100000, 0, lang=lang),
    }
    monotonic = bool(bands["change"].is_monotonic_increasing)
    return (
        _(
            "The share of families with children that received social assistance, summed over the municipalities "
            "whose counts are published, was {share_before} in {before_year} and {share_year} in {year}: {change} "
            "percentage points, or {relative} more in one year, and the number of families receiving rose by "
            "{receiving}. From {first_earlier} to {before_year} the share had never moved by more than "
            "{largest_earlier} points from one year to the next. It stayed near the new level in {next_year} "
            "({share_next}) and {year_after} ({share_after}).",
            lang,
            **values,
        )
        + " "
        + (
            _(
                "The jump was not the same everywhere: the population-weighted mean share rose by {low_change} points "
                "in municipalities of under {small} residents and by {high_change} in those of {large} or more, "
                "larger with every size band (table below).",
                lang,
                **values,
            )
            if monotonic
            else _(
                "The jump was not the same everywhere: the population-weighted mean share rose by {low_change} points "
                "in municipalities of under {small} residents and by {high_change} in those of {large} or more "
                "(table below).",
                lang,
                **values,
            )
        )
        + " "
        + _(
            "The indicator counts families that received social assistance in total, basic assistance from Kela "
            "included; the data show when the level moved and where, but not why, and the book's sources give no "
            "count that would separate the transfer from anything else that changed in that year.",
            lang,
        )
    )


def caveat_items(
    spread: pd.DataFrame,
    national: pd.DataFrame,
    merged: pd.DataFrame,
    n_municipalities_2013: int,
    pilot_names: dict[str, str],
    lang: str = "en",
) -> dict[str, str]:
    """The series' caveats that carry numbers (the 2013 division, suppression, zeros), keyed for
    `glue`; their bold headings and the caveat without numbers are the notebook's prose."""
    names = sorted(
        municipality_name(code, str(name), lang) for code, name in zip(merged["municipality_code"], merged["name_fi"])
    )
    n_zero = int(spread["n_zero"].sum())
    return {
        "caveat_division": _(
            "The long-run file gives every year in the borders and under the names of the {n_2013} municipalities "
            "of 2013. {n_merged} of them have merged into another municipality since ({names}), so their 2013 area "
            "is not today's",
            lang,
            n_2013=format_number(n_municipalities_2013, 0, lang=lang),
            n_merged=format_number(len(names), 0, lang=lang),
            names=join_in(names, lang),
        )
        + _pilot_mergers(merged, pilot_names, lang)
        + ".",
        "caveat_suppression": _(
            "Small counts of families receiving social assistance are not published: {n_min} to {n_max} "
            "municipalities a year have both counts, holding {coverage_min}–{coverage_max} of all families with "
            "children. The national share is taken over those municipalities; the others are left out, not filled in.",
            lang,
            n_min=format_number(int(national["n_municipalities"].min()), 0, lang=lang),
            n_max=format_number(int(national["n_municipalities"].max()), 0, lang=lang),
            coverage_min=format_number(float(national["coverage_pct"].min()), 1, lang=lang),
            coverage_max=format_percent(float(national["coverage_pct"].max()), 1, lang=lang),
        ),
        "caveat_zeros": _(
            "{n_zero} municipality-years of the long-run share are exactly 0, nearly all in the smallest Åland "
            "municipalities; the file does not say whether they are true zeros or small numbers rounded or withheld. "
            "They barely move the quartiles drawn.",
            lang,
            n_zero=format_number(n_zero, 0, lang=lang),
        ),
    }


def _pilot_mergers(merged: pd.DataFrame, pilot_names: dict[str, str], lang: str) -> str:
    into = merged[merged["successor_2022"].isin(list(pilot_names))]
    if into.empty:
        return ""
    parts = [
        _(
            "{pilot}'s line leaves out {merged}, which joined it later",
            lang,
            pilot=municipality_name(code, pilot_names[str(code)], lang),
            merged=join_in(
                sorted(municipality_name(c, str(n), lang) for c, n in zip(g["municipality_code"], g["name_fi"])),
                lang,
            ),
        )
        for code, g in into.groupby("successor_2022")
    ]
    return "; " + "; ".join(parts)
