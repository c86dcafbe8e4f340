"""Municipal social-assistance series over the long run and around the Kela transfer of 2017.

Two datasets of data release 2, kept apart because they measure different things:

* ``social_assistance_long_run`` (1990-2012, the 2013 municipal division): Sotkanet indicator 493,
  persons who received social assistance during the year as a % of residents (1990-2011), and 451,
  social assistance in euros per resident (1993-2012, an older series than indicator 453). No
  population in the release covers the 2013 division before 2000, so the long run is shown as the
  spread across municipalities (:func:`long_run_spread`: quartiles, unweighted), never as a
  computed national rate.
* ``families_social_assistance`` (1992-2021, the 2021 division): families with children and
  families with children receiving social assistance (indicators 179 and 423, counts). Counts add
  up, so :func:`families_national` gives a national share from counts over the municipalities whose
  count is published, with the share of families those municipalities hold.

Numbers only; the background chapter's sentences are in ``helpers.chapters.background_text``.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from helpers.errors import DataError, ParameterError

LONG_RUN_RECIPIENTS = 493  # persons who received social assistance during the year, % of residents
LONG_RUN_EUR_PER_RESIDENT = 451  # the older euros-per-resident series (not spliced with 453)
TRANSFER_YEAR = 2017  # basic social assistance moved from the municipalities to Kela on 1 Jan 2017


def _load(dataset_id: str) -> pd.DataFrame:
    from helpers.data import load

    return load(dataset_id)


def long_run_spread(indicator_id: int = LONG_RUN_RECIPIENTS) -> pd.DataFrame:
    """``DataFrame[year, n_municipalities, q1, median, q3, n_zero]`` of one long-run indicator:
    the quartiles over the municipalities with a value (numpy's linear interpolation), and how
    many of those values are exactly 0 (nearly all in the smallest Åland municipalities)."""
    d = _load("social_assistance_long_run")
    rows = d[(d["indicator_id"] == indicator_id) & d["value"].notna()]
    if rows.empty:
        raise ParameterError(
            f"indicator {indicator_id} is not in social_assistance_long_run; "
            f"indicators there: {sorted(d['indicator_id'].unique())}"
        )
    g = rows.groupby("year")["value"]
    out = pd.DataFrame(
        {
            "n_municipalities": g.size(),
            "q1": g.quantile(0.25),
            "median": g.median(),
            "q3": g.quantile(0.75),
            "n_zero": g.apply(lambda v: int((v == 0).sum())),
        }
    ).reset_index()
    out["indicator_id"] = indicator_id
    out["unit"] = str(rows["unit"].iloc[0])
    out["indicator_label"] = str(rows["indicator_label"].iloc[0])
    return out


def long_run_municipalities(codes: Iterable[str], indicator_id: int = LONG_RUN_RECIPIENTS) -> pd.DataFrame:
    """``DataFrame[year, municipality_code, name_fi, value]``: the given municipalities in their 2013
    borders (a DataError names a code that is not in the 2013 division)."""
    codes = [str(c).zfill(3) for c in codes]
    d = _load("social_assistance_long_run")
    rows = d[d["indicator_id"] == indicator_id]
    missing = sorted(set(codes) - set(rows["municipality_code"]))
    if missing:
        raise DataError(f"social_assistance_long_run has no municipality {missing} in the 2013 division")
    rows = rows[rows["municipality_code"].isin(codes) & rows["value"].notna()]
    return (
        rows.rename(columns={"municipality_name_fi": "name_fi"})[["year", "municipality_code", "name_fi", "value"]]
        .sort_values(["municipality_code", "year"])
        .reset_index(drop=True)
    )


def families_national() -> pd.DataFrame:
    """The share of families with children receiving social assistance, whole country, from counts.

    ``DataFrame[year, families, receiving, share_pct, n_municipalities, coverage_pct]``: sums over
    the municipalities whose two counts are both published (``n_municipalities``), ``share_pct`` =
    100 x receiving / families over those, and ``coverage_pct`` = their families as a % of all
    families with children the series counts that year (suppressed small counts leave a few
    municipalities out; they are not filled in).
    """
    d = _load("families_social_assistance")
    d = d[d["year"] >= 1992]  # indicator 423 starts in 1992
    both = d.dropna(subset=["families_with_children", "families_receiving_social_assistance"])
    sums = both.groupby("year")[["families_with_children", "families_receiving_social_assistance"]].sum()
    all_families = d.groupby("year")["families_with_children"].sum()
    out = pd.DataFrame(
        {
            "families": sums["families_with_children"],
            "receiving": sums["families_receiving_social_assistance"],
            "n_municipalities": both.groupby("year").size(),
        }
    )
    out["share_pct"] = 100.0 * out["receiving"] / out["families"]
    out["coverage_pct"] = 100.0 * out["families"] / all_families.reindex(out.index)
    return out.reset_index()[["year", "families", "receiving", "share_pct", "n_municipalities", "coverage_pct"]]


def transfer_jump(national: pd.DataFrame, year: int = TRANSFER_YEAR, before: int = 5) -> dict[str, float]:
    """The national share's change into ``year`` against its yearly changes in the ``before`` years
    before: ``share_before``, ``share_year``, ``change`` (points), ``change_relative_pct``,
    ``largest_earlier_change`` (largest absolute yearly change in the earlier years, signed),
    ``receiving_change_pct`` (change in the number of families receiving)."""
    share: dict[int, float] = {int(y): float(v) for y, v in zip(national["year"], national["share_pct"], strict=True)}
    receiving = {int(y): float(v) for y, v in zip(national["year"], national["receiving"], strict=True)}
    need = list(range(year - before - 1, year + 1))
    missing = [y for y in need if y not in share]
    if missing:
        raise ParameterError(f"years {missing} are not in the families series ({min(share)}–{max(share)})")
    earlier = [share[y] - share[y - 1] for y in range(year - before, year)]
    largest = max(earlier, key=abs)
    return {
        "share_before": share[year - 1],
        "share_year": share[year],
        "change": share[year] - share[year - 1],
        "change_relative_pct": 100.0 * (share[year] / share[year - 1] - 1.0),
        "largest_earlier_change": largest,
        "receiving_change_pct": 100.0 * (receiving[year] / receiving[year - 1] - 1.0),
        "earlier_first_year": float(year - before),
    }


def merged_since_2013() -> pd.DataFrame:
    """``DataFrame[municipality_code, name_fi, successor_2022]``: municipalities of the long-run file
    (2013 division) that have since merged into another, so their 2013 area is not today's."""
    from helpers.data import municipalities as muni

    d = _load("social_assistance_long_run").drop_duplicates("municipality_code")
    d = d.assign(successor_2022=[muni.successor(c, 2022) for c in d["municipality_code"]])
    moved = d[d["successor_2022"] != d["municipality_code"]]
    return moved.rename(columns={"municipality_name_fi": "name_fi"})[
        ["municipality_code", "name_fi", "successor_2022"]
    ].reset_index(drop=True)


def n_municipalities_2013() -> int:
    """Municipalities in the long-run file (the 2013 division)."""
    return int(_load("social_assistance_long_run")["municipality_code"].nunique())
