"""The background chapter's sentences on the municipal series (numbers from helpers.analysis.long_run)."""

from __future__ import annotations

import pandas as pd

from helpers.chapters.wording import join_names
from helpers.text import format_number, format_percent


def _pct(x: float, digits: int = 1) -> str:
    return format_percent(x, digits)


def long_run_paragraph(spread: pd.DataFrame, municipalities: pd.DataFrame, euros: pd.DataFrame) -> str:
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
    return (
        f"In the median municipality, the share of residents who received social assistance during the year was "
        f"{_pct(float(s[first]))} in {first}. It rose to {_pct(peak_value)} in {join_names([str(y) for y in peak_years])}, "
        f"fell to {_pct(trough_value)} by {trough_years[0]} and was {_pct(float(s[last]))} in "
        f"{last}, the last year of the series. In {last} the pilot municipalities, in their 2013 borders, ranged from "
        f"{last_year.iloc[0]['name_fi']} ({_pct(float(last_year.iloc[0]['value']))}) to "
        f"{last_year.iloc[-1]['name_fi']} ({_pct(float(last_year.iloc[-1]['value']))}). The older euros-per-resident "
        f"series (indicator 451) gives the median municipality {format_number(float(e[e.index.min()]), 0)} € per "
        f"resident in {int(e.index.min())} and {format_number(float(e[e.index.max()]), 0)} € in {int(e.index.max())}. "
        "Both series end years before 2017: they show where the municipalities stood before the transfer, not the "
        "transfer itself."
    )


def families_paragraph(national: pd.DataFrame, jump: dict[str, float], bands: pd.DataFrame) -> str:
    """The families-with-children share around 2017: the national jump and its size by size band."""
    year = 2017
    first_earlier = int(jump["earlier_first_year"])
    low, high = bands.iloc[0], bands.iloc[-1]
    share = {int(y): float(v) for y, v in zip(national["year"], national["share_pct"], strict=True)}
    return (
        f"The share of families with children that received social assistance, summed over the municipalities "
        f"whose counts are published, was {_pct(jump['share_before'], 2)} in {year - 1} and "
        f"{_pct(jump['share_year'], 2)} in {year}: {format_number(jump['change'], 2, signed=True)} percentage points, "
        f"or {_pct(jump['change_relative_pct'], 0)} more in one year, and the number of families receiving rose by "
        f"{_pct(jump['receiving_change_pct'], 0)}. From {first_earlier} to {year - 1} the share had never moved by "
        f"more than {format_number(abs(jump['largest_earlier_change']), 2)} points from one year to the next. "
        f"It stayed near the new level in {year + 1} ({_pct(share[year + 1], 2)}) and "
        f"{year + 2} ({_pct(share[year + 2], 2)}). The jump was not the same everywhere: "
        f"the population-weighted mean share rose by {format_number(float(low['change']), 2)} points in "
        f"municipalities of under {format_number(5000, 0)} residents and by "
        f"{format_number(float(high['change']), 2)} in those of {format_number(100000, 0)} or more"
        + (", larger with every size band" if bands["change"].is_monotonic_increasing else "")
        + " (table below). The indicator counts families that received social "
        "assistance in total, basic assistance from Kela included; the data show when "
        "the level moved and where, but not why, and the book's sources give no count that would separate the "
        "transfer from anything else that changed in that year."
    )


def caveat_items(
    spread: pd.DataFrame,
    national: pd.DataFrame,
    merged: pd.DataFrame,
    n_municipalities_2013: int,
    pilot_names: dict[str, str],
) -> list[str]:
    """The series' caveats: indicator ids, the 2013 division, suppression and zeros."""
    names = sorted(str(x) for x in merged["name_fi"])
    n_zero = int(spread["n_zero"].sum())
    return [
        "**Different indicators, never joined.** The long-run share (Sotkanet indicator 493) counts persons of "
        "all ages who received social assistance during the year, as a share of all residents; the 2019 figures "
        "elsewhere in the book use indicator 5 (residents aged 25–64) and indicator 453 (euros per resident), "
        "and the long-run euros series is the older indicator 451. The families series counts families with "
        "children (indicators 423 and 179). The book draws each on its own and never splices one onto another.",
        f"**The 2013 division.** The long-run file gives every year in the borders and under the names of the "
        f"{format_number(n_municipalities_2013, 0)} municipalities of 2013. {format_number(len(names), 0)} of them "
        f"have merged into another municipality since ({join_names(names)}), so their 2013 area is not today's"
        + _pilot_mergers(merged, pilot_names)
        + ".",
        f"**Suppression.** Small counts of families receiving social assistance are not published: "
        f"{format_number(int(national['n_municipalities'].min()), 0)} to "
        f"{format_number(int(national['n_municipalities'].max()), 0)} municipalities a year have both counts, "
        f"holding {format_number(float(national['coverage_pct'].min()), 1)}–"
        f"{format_number(float(national['coverage_pct'].max()), 1)} % of all families with children. The national "
        "share is taken over those municipalities; the others are left out, not filled in.",
        f"**Zeros in the long run.** {format_number(n_zero, 0)} municipality-years of the long-run share are "
        "exactly 0, nearly all in the smallest Åland municipalities; the file does not say whether they are true "
        "zeros or small numbers rounded or withheld. They barely move the quartiles drawn.",
    ]


def _pilot_mergers(merged: pd.DataFrame, pilot_names: dict[str, str]) -> str:
    into = merged[merged["successor_2022"].isin(list(pilot_names))]
    if into.empty:
        return ""
    parts = [
        f"{pilot_names[str(code)]}'s line leaves out {join_names(sorted(str(n) for n in g['name_fi']))}, which joined it later"
        for code, g in into.groupby("successor_2022")
    ]
    return "; " + "; ".join(parts)
