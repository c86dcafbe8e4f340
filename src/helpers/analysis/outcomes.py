"""Outcomes of the pilot chapter: a registry and one long panel per outcome.

``outcome_panel(outcome_id)`` returns ``DataFrame[municipality_code, year, value, population,
complete]`` on the 2022 municipal division (309 municipalities before dropping), where ``year``
is the outcome's time index (the calendar year, or ``year_mid`` for Diak's 3-year centred means)
and ``population`` the population on 31 Dec of that calendar year ("population" dataset,
re-based by THL to the 2022 division). ``complete`` flags municipalities with a value in every
year of the outcome; rows without a value are kept with ``value`` NaN so the gaps can be named.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.errors import DataError, ParameterError
from helpers.text import nearest_names


@dataclass(frozen=True)
class Outcome:
    """One outcome the pilot chapter can analyse."""

    id: str
    label: str
    unit: str
    source_dataset: str
    time_variable: str  # "year" (calendar year) or "year_mid" (centre of a 3-year window)
    years: tuple[int, ...]  # time indices with data
    window: tuple[int, int]  # calendar years covered by index t: t+window[0] .. t+window[1]
    description: str
    interpretation: str
    source_variable: str  # the dataset's variable id (Diak) or column (unemployment)
    source_variable_fi: str = ""  # Diak's Finnish variable name, for the record
    default_pre_years: tuple[int, ...] = ()
    default_post_years: tuple[int, ...] = ()
    citation: str = ""

    def calendar_years(self, t: int) -> tuple[int, ...]:
        """Calendar years whose data enter the value at time index ``t``."""
        return tuple(range(t + self.window[0], t + self.window[1] + 1))

    def describe_index(self, t: int) -> str:
        if self.window == (0, 0):
            return str(t)
        cal = self.calendar_years(t)
        return f"year_mid {t} (mean of {cal[0]}–{cal[-1]})"


_DIAK_COMMON = (
    "Diak's municipal disadvantage index (huono-osaisuus): the {what} averaged over three years "
    "(year_mid - 1 ... year_mid + 1) and divided by the median municipality's value, times 100. "
    "Source values from THL's Sotkanet; compiled by Diakonia University of Applied Sciences."
)
_DIAK_INTERPRETATION = (
    "An index, not a rate: 100 = the median municipality of the same window, 150 = one and a half "
    "times the median. A change over time is a change RELATIVE TO THE MEDIAN MUNICIPALITY, so a "
    "nationwide rise or fall does not show. Each value mixes three calendar years, so year_mid "
    "2017 (2016-2018) already contains the first pilot year and year_mid 2019 (2018-2020) the "
    "post-pilot, COVID-19 year 2020. Higher = more disadvantage."
)
DIAK_CITATION = (
    "Diak, huono-osaisuus municipal panel (DiakGit/karttasovellus, MIT); values from THL Sotkanet (CC BY 4.0)"
)


def _diak_outcome(variable: str, *, label: str, what: str, interpretation: str, variable_fi: str) -> Outcome:
    """A Diak index outcome (id "diak_<variable>"): what it measures and what to read into it
    beyond the common Diak wording; the dataset, window and default periods are the same for all."""
    return Outcome(
        id=f"diak_{variable}",
        label=label,
        unit="index, median municipality = 100",
        source_dataset="diak_indices",
        time_variable="year_mid",
        years=tuple(range(2011, 2021)),
        window=(-1, 1),
        description=_DIAK_COMMON.format(what=what),
        interpretation=_DIAK_INTERPRETATION + interpretation,
        source_variable=variable,
        source_variable_fi=variable_fi,
        default_pre_years=(2014, 2015, 2016),  # windows 2013-2015 ... 2015-2017
        default_post_years=(2018,),
        citation=DIAK_CITATION,
    )


OUTCOMES: dict[str, Outcome] = {
    "unemployment_rate": Outcome(
        id="unemployment_rate",
        label="Unemployment rate",
        unit="% of labour force",
        source_dataset="unemployment_monthly",
        time_variable="year",
        years=tuple(range(2006, 2021)),
        window=(0, 0),
        description=(
            "Annual unemployment rate from the employment service statistics: 100 x the mean of "
            "the monthly counts of unemployed job seekers (at month end) / the year's labour force. "
            "2020 covers January-October only (the series ends in 2020-10)."
        ),
        interpretation=(
            "Registered unemployment of the whole labour force, not of the pilot's target group "
            "(long-term unemployed clients over 25), who are only part of it: "
            "a municipal pilot in social work can move this figure only a little, if at all. "
            "Percentage points; higher = more unemployment. 2020 is the COVID-19 year."
        ),
        source_variable="unemployed / labour_force",
        default_pre_years=tuple(range(2013, 2018)),
        default_post_years=(2018, 2019),
        citation=(
            "Ministry of Economic Affairs and Employment, employment service statistics "
            "(StatFin tyonv 1001), via pttry/statfiLaborMarkets; Statistics Finland CC BY 4.0"
        ),
    ),
    "diak_long_term_social_assistance_25_64": _diak_outcome(
        "long_term_social_assistance_25_64",
        label="Long-term social assistance recipients aged 25-64 (Diak index)",
        what="share of 25-64-year-olds who received social assistance for at least 10 months of the year",
        interpretation=" Closest of the public series to the pilot's aim (less need for social assistance "
        "among long-term unemployed people; the target group: long-term unemployed clients over 25). Basic assistance moved to Kela at "
        "the start of 2017, the last calendar year of the last default pre-period window (year_mid "
        "2016, 2015-2017); the earlier pre-period windows end before the transfer.",
        variable_fi="Toimeentulotukea pitkäaikaisesti saaneet 25–64-vuotiaat",
    ),
    "diak_supplementary_social_assistance": _diak_outcome(
        "supplementary_social_assistance",
        label="Supplementary social assistance (Diak index)",
        what="supplementary social assistance (täydentävä toimeentulotuki, decided and paid by the municipality)",
        interpretation=" Supplementary assistance is the municipality's own decision, so it reflects municipal "
        "practice as well as need. After basic assistance moved to Kela at the start of 2017, "
        "municipal decisions on preventive assistance in May-August 2017 were up to 1.5 times those of "
        "the same months of 2016, and in 2018 supplementary and "
        "preventive decisions together outnumbered those of 2017 (Kuntaliitto's 2017 follow-up "
        "and its 2019 survey; see the chapter {doc}`/chapters/survey`). The transfer falls in the last calendar year "
        "of the last "
        "default pre-period window (year_mid 2016, 2015-2017), so that window already contains it.",
        variable_fi="Täydentävä toimeentulotuki",
    ),
    "diak_long_term_unemployment": _diak_outcome(
        "long_term_unemployment",
        label="Long-term unemployment (Diak index)",
        what="share of the labour force unemployed without interruption for at least a year",
        interpretation=" Long-term unemployed people were the pilot's target group, but the series covers all "
        "of them, not only social assistance clients.",
        variable_fi="Pitkäaikaistyöttömyys",
    ),
    "families_social_assistance_pct": Outcome(
        id="families_social_assistance_pct",
        label="Families with children receiving social assistance",
        unit="% of families with children",
        source_dataset="families_social_assistance",
        time_variable="year",
        years=tuple(range(2006, 2022)),
        window=(0, 0),
        description=(
            "Share of families with children that received social assistance during the year: "
            "100 x families with children receiving social assistance (THL Sotkanet indicator 423, "
            "absolute value) / families with children (indicator 179). A year whose count is "
            "suppressed for small numbers is a gap, not a zero; the municipality then has no "
            "complete series and stays out of the comparison group."
        ),
        interpretation=(
            "The only municipal social-assistance series in the data release that runs through the "
            "pilot years. It counts families with children only, while the pilot's target group was "
            "long-term unemployed clients over 25, with or without children. "
            "Basic social assistance moved from the municipalities to Kela on 1 Jan 2017, inside the "
            "default pre-period (2013-2017); the indicator counts recipients of social assistance in "
            "total, so the transfer can shift the level in 2017. A shift of the same size in every "
            "municipality in a year cancels in the difference-in-differences estimate; a shift "
            "proportional to the level does not (see the log version). Percentage points; higher = "
            "more families receiving social assistance. 2020 and 2021 are after the pilot (and the "
            "COVID-19 years)."
        ),
        source_variable="families_receiving_social_assistance / families_with_children",
        default_pre_years=tuple(range(2013, 2018)),
        default_post_years=(2018, 2019),
        citation="THL, Sotkanet.fi indicators 179 and 423 (CC BY 4.0)",
    ),
}


def get_outcome(outcome_id: str) -> Outcome:
    """The registry entry; ParameterError naming the nearest ids on a typo."""
    if isinstance(outcome_id, str) and outcome_id in OUTCOMES:
        return OUTCOMES[outcome_id]
    near = nearest_names(outcome_id, OUTCOMES)
    hint = f" Did you mean {', '.join(repr(n) for n in near)}?" if near else ""
    raise ParameterError(f"outcome={outcome_id!r} is not a known outcome.{hint} Valid outcomes: {list(OUTCOMES)}")


# --------------------------------------------------------------------------- adapters


def _load(dataset_id: str) -> pd.DataFrame:
    from helpers.data import load

    return load(dataset_id)


def _release_key() -> str:
    """Cache key: the data release in use (a different BOOK_DATA_MIRROR gives fresh panels)."""
    from helpers.data import mirror_path

    return str(mirror_path())


def _population() -> pd.DataFrame:
    return _population_cached(_release_key())


@functools.lru_cache(maxsize=2)
def _population_cached(release: str) -> pd.DataFrame:
    pop = _load("population")[["municipality_code", "year", "population"]].copy()
    pop["municipality_code"] = pop["municipality_code"].astype(str).str.zfill(3)
    pop["year"] = pop["year"].astype(int)
    pop["population"] = pop["population"].astype(float)
    return pop


def population_table() -> pd.DataFrame:
    """``DataFrame[municipality_code, year, population]`` (2022 division, 2000-2022)."""
    return _population().copy()


def _to_division_2022(annual: pd.DataFrame) -> pd.DataFrame:
    """Annual unemployment counts from the 2020 to the 2022 division, summing merged units.

    The only change between the two divisions is Honkajoki (099) joining Kankaanpää (214) on
    1 Jan 2021; the mapping comes from ``helpers.data.municipalities.harmonise`` (mergers.csv).
    Counts are summed BEFORE the rate is computed (a rate is not additive), and a missing year in
    any part makes the merged year missing (no partial sums).
    """
    from helpers.data import municipalities as muni

    # harmonise() checks each output row in Python; pass it only the rows a merger touches
    codes = annual["municipality_code"].unique()
    moved = {c: muni.successor(c, 2022) for c in codes}
    involved = {c for c, t in moved.items() if t != c} | {t for c, t in moved.items() if t != c}
    touched = annual["municipality_code"].isin(involved)
    merged = muni.harmonise(
        annual[touched], to_division_year=2022, value_cols=["unemployed", "labour_force"], how="sum"
    )
    return pd.concat([annual[~touched], merged], ignore_index=True)


def _unemployment_panel() -> pd.DataFrame:
    """Annual unemployment rate per municipality (2022 division).

    value = 100 x mean over the year's months of ``unemployed`` / ``labour_force`` (the annual
    labour force, repeated in each month of the source). A year counts only when every month the
    source publishes for that year has a count (12; January-October for 2020); suppressed small
    counts (Åland municipalities) make the year missing. Annual means of the counts are formed
    on the 2020 division and then summed over merged municipalities (equivalent to summing the
    monthly counts first, since both parts must be complete).
    """
    m = _load("unemployment_monthly")[["month", "year", "municipality_code", "unemployed", "labour_force"]].copy()
    m["municipality_code"] = m["municipality_code"].astype(str).str.zfill(3)
    m["year"] = m["year"].astype(int)
    months_published = m.groupby("year")["month"].nunique()
    g = m.groupby(["municipality_code", "year"])
    annual = g.agg(
        unemployed=("unemployed", "mean"),
        n_months=("unemployed", "count"),
        labour_force=("labour_force", "mean"),
        lf_min=("labour_force", "min"),
        lf_max=("labour_force", "max"),
    ).reset_index()
    varying = annual[(annual["lf_max"] - annual["lf_min"]).abs() > 0.5]
    if len(varying):
        first = varying.iloc[0]
        raise DataError(
            f"unemployment_monthly: labour_force varies within a year for {len(varying)} "
            f"municipality-years (e.g. {first['municipality_code']}/{int(first['year'])}); "
            "the annual rate assumes one labour-force figure per year. Check the data release."
        )
    full = annual["n_months"] == annual["year"].map(months_published)
    annual["unemployed"] = annual["unemployed"].where(full)
    annual = _to_division_2022(annual[["municipality_code", "year", "unemployed", "labour_force"]])
    annual["value"] = np.where(
        annual["labour_force"] > 0, 100.0 * annual["unemployed"] / annual["labour_force"], np.nan
    )
    return annual[["municipality_code", "year", "value"]]


def _diak_panel(outcome: Outcome) -> pd.DataFrame:
    d = _load("diak_indices")
    rows = d[d["variable"].astype(str) == outcome.source_variable]
    if rows.empty:
        raise DataError(
            f"diak_indices has no rows for variable {outcome.source_variable!r} "
            f"({outcome.source_variable_fi}); variables present: "
            f"{sorted(d['variable'].astype(str).unique())[:12]} ... Check helpers.data's Diak ids."
        )
    out = rows.rename(columns={"year_mid": "year", "index_value": "value"})[
        ["municipality_code", "year", "value"]
    ].copy()
    out["municipality_code"] = out["municipality_code"].astype(str).str.zfill(3)
    out["year"] = out["year"].astype(int)
    out["value"] = out["value"].astype(float)
    return out


def _families_panel() -> pd.DataFrame:
    """Share of families with children receiving social assistance (2021 division = 2022 division).

    THL back-casts the series to the 2021 division, which has the same 309 municipalities as the
    2022 division (the last merger, Honkajoki into Kankaanpää, took effect on 1 Jan 2021), so no
    harmonising is needed; a code outside the 2022 division is caught by the caller. The loader
    already leaves the share missing where a count is suppressed.
    """
    d = _load("families_social_assistance")
    out = d.rename(columns={"families_social_assistance_pct": "value"})[["municipality_code", "year", "value"]].copy()
    out["municipality_code"] = out["municipality_code"].astype(str).str.zfill(3)
    out["year"] = out["year"].astype(int)
    out["value"] = out["value"].astype(float)
    return out


@functools.lru_cache(maxsize=16)
def _outcome_panel_cached(outcome_id: str, release: str) -> pd.DataFrame:
    outcome = get_outcome(outcome_id)
    if outcome.source_dataset == "unemployment_monthly":
        values = _unemployment_panel()
    elif outcome.source_dataset == "families_social_assistance":
        values = _families_panel()
    else:
        values = _diak_panel(outcome)
    values = values[values["year"].isin(outcome.years)]
    # a row for every municipality x year, so gaps are explicit NaN rows
    codes = sorted(values["municipality_code"].unique())
    grid = pd.MultiIndex.from_product([codes, list(outcome.years)], names=["municipality_code", "year"])
    panel = (
        values.set_index(["municipality_code", "year"])
        .reindex(grid)
        .reset_index()
        .merge(_population(), on=["municipality_code", "year"], how="left")
    )
    unknown = sorted(set(codes) - set(_population()["municipality_code"]))
    if unknown:
        raise DataError(
            f"{outcome.source_dataset}: municipality codes {unknown} are not in the 2022 division "
            "of the population dataset; harmonise them before analysis"
        )
    has_all = panel.groupby("municipality_code")["value"].transform(lambda v: v.notna().all())
    panel["complete"] = has_all.astype(bool)
    return panel[["municipality_code", "year", "value", "population", "complete"]]


def outcome_panel(outcome_id: str) -> pd.DataFrame:
    """Long panel ``DataFrame[municipality_code, year, value, population, complete]``.

    * ``unemployment_rate``: the monthly series is on the 2020 division (310 municipalities),
      population on the 2022 division (309). Monthly counts of unemployed and the labour force
      are summed to the 2022 division first (Honkajoki 099 -> Kankaanpää 214, merged 2021), then
      the annual rate is 100 x mean monthly unemployed / labour force. A municipality-year without
      all published months (Åland municipalities with suppressed counts) is NaN.
    * ``families_social_assistance_pct``: 100 x families with children receiving social
      assistance / families with children (THL, 2021 division = 2022 division), 2006-2021;
      suppressed counts stay NaN.
    * Diak indices: ``year`` is ``year_mid``; the source is already on the current division.
      Åland's 16 municipalities are not in Diak's panel at all (no rows).
    * ``population`` is the population on 31 Dec of ``year`` (for Diak: of year_mid).
    * ``complete`` is True when the municipality has a value in every year of the outcome;
      the comparison groups use only complete municipalities.
    """
    return _outcome_panel_cached(get_outcome(outcome_id).id, _release_key()).copy()
