"""The pilot municipalities among all municipalities in 2019: the context indicators of the registry."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from helpers.data.municipalities import pilot_codes
from helpers.errors import DataError

from .indicators import Indicator, pilot_context_indicators
from .outcomes import population_table
from .overview import national_rate_from_counts
from .pilot_timing import _names, pilot_timing


def _context_indicators() -> dict[int, Indicator]:
    """The pilot context's indicators by Sotkanet number, in the registry's order."""
    return {item.sotkanet_id: item for item in pilot_context_indicators()}


def context_values_2019(municipalities: Iterable[str] | None = None) -> pd.DataFrame:
    """All municipalities' 2019 values of the four context indicators (tidy, for strip charts).

    ``DataFrame[indicator_id, indicator, indicator_label, unit, municipality_code, name_fi,
    name_sv, value, absolute_value, population, is_pilot]``; suppressed values are dropped.
    ``municipalities`` (codes) are flagged ``is_pilot``; default the six pilot municipalities.
    """
    from helpers.data import load

    codes = set(pilot_codes() if municipalities is None else municipalities)
    s = load("sotkanet_2019")
    s = s[s["indicator_id"].isin(list(_context_indicators())) & (s["year"] == 2019)].copy()
    s = s[s["value"].notna()]
    pop = population_table()
    s = s.merge(pop[pop["year"] == 2019][["municipality_code", "population"]], on="municipality_code", how="left")
    names = _names(s["municipality_code"].unique(), 2019)
    s["name_fi"] = s["municipality_code"].map(lambda c: names.get(c, ("", ""))[0])
    s["name_sv"] = s["municipality_code"].map(lambda c: names.get(c, ("", ""))[1])
    s["is_pilot"] = s["municipality_code"].isin(codes)
    cols = [
        "indicator_id",
        "indicator",
        "indicator_label",
        "unit",
        "municipality_code",
        "name_fi",
        "name_sv",
        "value",
        "absolute_value",
        "population",
        "is_pilot",
    ]
    return s[cols].sort_values(["indicator_id", "municipality_code"], ignore_index=True)


def pilot_context_2019(municipalities: Iterable[str] | None = None) -> pd.DataFrame:
    """Each pilot municipality against all municipalities in 2019 (Sotkanet), one row per
    indicator and municipality.

    Columns: indicator_id, indicator, indicator_label, unit, municipality_code, name_fi, name_sv,
    value, rank_from_highest (1 = highest), n_municipalities, percentile (share of municipalities
    with a lower value, ties half, in %), min, q1, median, q3, max (over all municipalities with a
    value), national_population_weighted (weights: total population 31 Dec 2019),
    national_from_counts (sum of Sotkanet's absolute values / sum of the denominators they imply;
    NaN where Sotkanet gives no absolute values), weight_note. These national figures are computed
    from the municipal figures, not THL's published national values. ``attrs['notes']`` repeats
    the weight notes and the coverage.
    """
    vals = context_values_2019(municipalities)
    codes = list(pilot_codes() if municipalities is None else municipalities)
    rows, notes = [], []
    for ind_id, indicator in _context_indicators().items():
        g = vals[vals["indicator_id"] == ind_id]
        if g.empty:
            raise DataError(f"sotkanet_2019 has no 2019 values for indicator {ind_id}; check the data release")
        v = g["value"].to_numpy(float)
        q1, med, q3 = np.quantile(v, [0.25, 0.5, 0.75])
        w = g["population"].to_numpy(float)
        ok = np.isfinite(w)
        weighted = float(np.sum(v[ok] * w[ok]) / np.sum(w[ok]))
        from_counts, _ = national_rate_from_counts(v, g["absolute_value"].to_numpy(float))
        first = g.iloc[0]
        notes.append(
            f"{first['indicator_label']}: {len(v)} municipalities with a value"
            f" ({int((~ok).sum())} without population left out of the weighted figure). " + indicator.weight_note
        )
        for c in codes:
            hit = g[g["municipality_code"] == c]
            x = float(hit["value"].iloc[0]) if len(hit) else np.nan
            rows.append(
                {
                    "indicator_id": int(ind_id),
                    "indicator": first["indicator"],
                    "indicator_label": first["indicator_label"],
                    "unit": first["unit"],
                    "municipality_code": c,
                    "name_fi": pilot_timing()[c].name_fi if c in pilot_timing() else "",
                    "name_sv": pilot_timing()[c].name_sv if c in pilot_timing() else "",
                    "value": x,
                    "rank_from_highest": int(np.sum(v > x) + 1) if np.isfinite(x) else pd.NA,
                    "n_municipalities": len(v),
                    "percentile": 100.0 * (np.sum(v < x) + 0.5 * np.sum(v == x)) / len(v) if np.isfinite(x) else np.nan,
                    "min": float(v.min()),
                    "q1": float(q1),
                    "median": float(med),
                    "q3": float(q3),
                    "max": float(v.max()),
                    "national_population_weighted": weighted,
                    "national_from_counts": from_counts,
                    "weight_note": indicator.weight_note,
                }
            )
    out = pd.DataFrame(rows)
    out.attrs["notes"] = notes + [
        "National figures here are computed from the municipal values (THL, Sotkanet.fi, CC BY 4.0), "
        "not THL's own published national figures.",
        "Quartiles: numpy's linear interpolation over the municipalities with a value.",
    ]
    return out
