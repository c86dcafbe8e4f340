"""The most similar municipalities (peers) and the explorer's comparison groups.

Peers: Euclidean distance on z-scores (mean and sample standard deviation over the municipalities
with a value on every peer indicator of the registry, ``helpers.analysis.indicators``);
municipalities missing any of them are excluded and listed, never imputed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from helpers.data import municipalities as munis
from helpers.errors import ParameterError
from helpers.text import nearest_names

from .indicators import peer_indicators, peer_labels
from .municipal_indicators import DEFAULT_DIVISION, indicator_values, municipality_frame

N_PEERS = 10

# --------------------------------------------------------------------------------------- peers


@dataclass
class Peers:
    code: str
    indicators: tuple[str, ...]
    table: pd.DataFrame  # the nearest municipalities: code, distance, indicator values
    excluded: list[str]  # municipalities left out for a missing value on a peer indicator
    n_candidates: int  # municipalities with complete data (the chosen one included)
    message: str = ""  # why no peers could be listed (chosen municipality lacks data)


def peers(
    values: pd.DataFrame,
    code: str,
    indicators: Sequence[str] | None = None,
    n: int = N_PEERS,
) -> Peers:
    """The ``n`` municipalities nearest to ``code`` by Euclidean distance on z-scores.

    ``values`` is a wide frame indexed by municipality code. Z-scores use the mean and sample
    standard deviation over municipalities with a value on every indicator; the others are
    excluded (listed in ``excluded``), never imputed. Ties in distance are ordered by code.
    """
    indicators = tuple(peer_indicators() if indicators is None else indicators)
    subset = values[list(indicators)]
    complete_mask = subset.notna().all(axis=1)
    complete = subset[complete_mask].astype("float64")
    excluded = sorted(subset.index[~complete_mask])
    columns = ["municipality_code", "distance", *indicators]
    if code not in complete.index:
        missing = [i for i in indicators if code in subset.index and pd.isna(cast(float, subset.at[code, i]))]
        why = (
            f"no value for {', '.join(peer_labels().get(i, i) for i in missing)}"
            if missing
            else "no 2019 indicator values"
        )
        return Peers(
            code,
            indicators,
            pd.DataFrame(columns=columns),
            excluded,
            len(complete),
            message=f"No peers: {why} for this municipality.",
        )
    spread = complete.std(ddof=1).replace(0.0, np.nan)
    z = (complete - complete.mean()) / spread
    z = z.fillna(0.0)  # an indicator without spread does not separate anyone
    distance = np.sqrt(((z - z.loc[code]) ** 2).sum(axis=1))
    result = pd.DataFrame({"municipality_code": complete.index, "distance": distance.to_numpy()})
    result = result[result["municipality_code"] != code]
    result = result.sort_values(["distance", "municipality_code"]).head(n)
    result = result.join(complete, on="municipality_code").reset_index(drop=True)
    return Peers(code, indicators, result[columns], excluded, len(complete))


# ---------------------------------------------------------------------------- explorer groups

GROUPS: dict[str, str] = {
    "region": "Same region",
    "urban_rural": "Same urban–rural group",
    "peers": "Ten most similar municipalities",
    "pilots": "Pilot municipalities",
    "all": "All municipalities",
}


def group_members(code: str, group: str, division: int = DEFAULT_DIVISION, year: int = 2019) -> list[str]:
    """Codes of the comparison group of ``code`` (the municipality itself included), sorted."""
    if group not in GROUPS:
        nearest = nearest_names(group, GROUPS, cutoff=0.0)
        raise ParameterError(
            f"unknown comparison group {group!r}; nearest: {', '.join(nearest)}; valid: {', '.join(GROUPS)}"
        )
    frame = municipality_frame(division).set_index("municipality_code")
    if code not in frame.index:
        raise ParameterError(f"municipality {code} is not on the {division} map")
    if group == "region":
        members = frame.index[frame["region_code"] == frame.at[code, "region_code"]]
    elif group == "urban_rural":
        members = frame.index[frame["urban_rural_code"] == frame.at[code, "urban_rural_code"]]
    elif group == "peers":
        members = [code, *peers(indicator_values(year), code).table["municipality_code"]]
    elif group == "pilots":
        members = [code, *munis.pilot_codes()]
    else:
        members = frame.index
    return sorted(set(members))
