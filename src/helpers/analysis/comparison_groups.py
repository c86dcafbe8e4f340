"""Comparison groups for the pilot municipalities.

Methods (``COMPARISON_METHODS``):

* ``all``: every non-pilot municipality with complete data;
* ``same_region``: those in any region (maakunta) of the treated units;
* ``same_urban_rural_group``: those in any urban-rural group (Statistics Finland's
  kuntaryhmitys: urban / semi-urban / rural) of the treated units;
* ``matched``: for EACH treated unit its ``n_matched`` nearest neighbours on three standardised
  features: pre-period mean level of the outcome, pre-period linear trend (OLS slope per year) and
  log population in ``reference_year``. Matching is without replacement: the globally closest
  (treated, candidate) pair is fixed first, then the next closest among units still free, so the
  pool always has exactly ``n_matched * n_treated`` distinct municipalities and no comparison unit
  is silently counted twice. A treated unit whose nearest neighbours were taken by another treated
  unit gets its next nearest: ``table`` shows every match with its distance and rank.

"Complete data" means a value in every year of the panel (so the trend chart and event study are
balanced) and a population in ``reference_year``. The pilot municipalities are always excluded
from the pool (``exclude``), also when only some of them are analysed as treated.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers.data.municipalities import pilot_codes
from helpers.errors import ParameterError

from .did import panel_matrix

COMPARISON_METHODS = {
    "all": "all non-pilot municipalities with complete data",
    "same_region": "non-pilot municipalities in the same region(s) as the treated municipalities",
    "same_urban_rural_group": (
        "non-pilot municipalities in the same urban-rural group(s) as the treated municipalities"
    ),
    "matched": (
        "nearest non-pilot municipalities on pre-period level, pre-period trend and log population "
        "(n_matched per treated municipality, without replacement)"
    ),
}
MATCH_FEATURES = ("pre_level", "pre_trend", "log_population")


@dataclass
class ComparisonPool:
    """The comparison municipalities and how they were chosen. Iterates over the codes."""

    codes: list[str]
    method: str
    description: str
    n_candidates: int  # non-pilot municipalities with complete data (before region/matching)
    incomplete: list[str]  # non-treated municipalities left out for missing data
    table: pd.DataFrame  # one row per pool unit (features; for matched: matched_to, rank, distance)
    notes: list[str] = field(default_factory=list)

    def __iter__(self):
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def __contains__(self, code: object) -> bool:
        return code in self.codes


def complete_units(
    panel: pd.DataFrame, years: Iterable[int] | None = None, reference_year: int | None = None
) -> tuple[list[str], list[str]]:
    """(complete, incomplete) municipality codes: a value in every year (default: every panel
    year) and, if ``reference_year`` is given, a positive population in that year."""
    m = panel_matrix(panel)
    cols = m.cols(years) if years is not None else np.arange(len(m.years))
    ok = np.isfinite(m.values[:, cols]).all(axis=1)
    if reference_year is not None:
        pop = m.population[:, m.cols([reference_year], "reference_year")[0]]
        ok &= np.isfinite(pop) & (pop > 0)
    return list(m.codes[ok]), list(m.codes[~ok])


def matching_features(
    panel: pd.DataFrame, codes: Sequence[str], pre_years: Sequence[int], reference_year: int
) -> pd.DataFrame:
    """Pre-period level, pre-period OLS slope per year and log population for ``codes``."""
    m = panel_matrix(panel)
    rows = m.rows(codes)
    pre = sorted(int(y) for y in pre_years)
    y = m.values[np.ix_(rows, m.cols(pre, "pre_years"))]
    x = np.asarray(pre, dtype=float) - np.mean(pre)
    slope = (y - y.mean(axis=1, keepdims=True)) @ x / (x @ x) if len(pre) > 1 else np.zeros(len(rows))
    pop = m.population[rows, m.cols([reference_year], "reference_year")[0]]
    return pd.DataFrame(
        {
            "municipality_code": list(codes),
            "pre_level": y.mean(axis=1),
            "pre_trend": slope,
            "log_population": np.log(pop),
        }
    )


def _greedy_match(dist: np.ndarray, n_matched: int) -> list[tuple[int, int, int, float]]:
    """Greedy nearest-neighbour matching without replacement.

    dist (k, P). Returns (treated index, candidate index, rank within treated, distance) tuples.
    """
    d = dist.astype(float).copy()
    k, _ = d.shape
    taken = np.zeros(k, dtype=int)
    out = []
    for _ in range(k * n_matched):
        i, j = np.unravel_index(np.argmin(d), d.shape)  # ties: lowest treated, then lowest code
        taken[i] += 1
        out.append((int(i), int(j), int(taken[i]), float(dist[i, j])))
        d[:, j] = np.inf  # candidate used
        if taken[i] == n_matched:
            d[i, :] = np.inf  # treated unit full
    return out


def _load_classification(reference_year: int) -> pd.DataFrame:
    from helpers.data import municipalities as muni

    ref = muni.reference(reference_year)
    return ref.rename(columns={"region_en": "region", "urban_rural_en": "urban_rural"})[
        ["municipality_code", "region_code", "region", "urban_rural_code", "urban_rural"]
    ]


def comparison_pool(
    panel: pd.DataFrame,
    treated: Sequence[str],
    method: str = "all",
    n_matched: int = 5,
    pre_years: Sequence[int] | None = None,
    reference_year: int = 2017,
    seed: int | None = None,
    *,
    exclude: Iterable[str] | None = None,
    classification: pd.DataFrame | None = None,
) -> ComparisonPool:
    """Choose the comparison municipalities for ``treated`` from ``panel``.

    ``n_matched`` (method ``matched`` only) is the number of neighbours PER TREATED UNIT.
    ``pre_years`` (needed for ``matched``) define the level and trend features;
    ``reference_year`` is the year of the population feature and of the region / urban-rural
    classification (``classification``: ``DataFrame[municipality_code, region_code,
    urban_rural_code]``, loaded from ``helpers.data`` when None). ``seed`` is accepted for a
    uniform interface but unused: every method is deterministic (ties go to the lower code).
    Raises ParameterError when the pool would be empty or ``n_matched`` asks for more units than
    there are candidates.
    """
    del seed  # deterministic by design (see docstring)
    if exclude is None:  # the pilot municipalities (data/facts/pilot_municipalities.csv) are never comparison units
        exclude = pilot_codes()
    if method not in COMPARISON_METHODS:
        raise ParameterError(
            f"comparison={method!r} is not a comparison method; choose one of {list(COMPARISON_METHODS)}"
        )
    treated = [str(c) for c in treated]
    if not treated:
        raise ParameterError("no treated municipalities given; give at least one")
    excluded = set(str(c) for c in exclude) | set(treated)
    complete, incomplete = complete_units(panel, reference_year=reference_year)
    missing_treated = [c for c in treated if c not in complete]
    if missing_treated:
        raise ParameterError(
            f"treated municipalities {missing_treated} lack a value in some year of the outcome "
            f"or a population in {reference_year}; this outcome cannot be analysed for them"
        )
    candidates = [c for c in complete if c not in excluded]
    incomplete = [c for c in incomplete if c not in excluded]
    notes = []
    if incomplete:
        notes.append(
            f"{len(incomplete)} municipalities without complete data were left out of the "
            f"comparison pool: {', '.join(incomplete)}."
        )
    table = pd.DataFrame({"municipality_code": candidates})

    if method in ("same_region", "same_urban_rural_group"):
        cls = _load_classification(reference_year) if classification is None else classification
        col = "region_code" if method == "same_region" else "urban_rural_code"
        cls = cls.assign(municipality_code=cls["municipality_code"].astype(str))
        lookup = cls.set_index("municipality_code")
        unknown = [c for c in treated if c not in lookup.index]
        if unknown:
            raise ParameterError(f"treated municipalities {unknown} are not in the {reference_year} classification")
        groups = set(lookup.loc[treated, col].astype(str))
        keep = [c for c in candidates if c in lookup.index and str(lookup.at[c, col]) in groups]
        table = table[table["municipality_code"].isin(keep)].merge(cls, on="municipality_code", how="left")
        if not keep:
            raise ParameterError(
                f"comparison={method!r}: no non-pilot municipality with complete data shares "
                f"{col} {sorted(groups)} with the treated municipalities (0 of {len(candidates)} "
                "candidates); choose comparison='all' or 'matched'"
            )
        codes = keep
    elif method == "matched":
        if pre_years is None or len(list(pre_years)) == 0:
            raise ParameterError("comparison='matched' needs pre_years for the level and trend features")
        if isinstance(n_matched, bool) or not isinstance(n_matched, (int, np.integer)) or n_matched < 1:
            raise ParameterError(f"n_matched={n_matched!r} must be a positive integer")
        need = int(n_matched) * len(treated)
        if need > len(candidates):
            raise ParameterError(
                f"n_matched={n_matched} neighbours for each of {len(treated)} treated municipalities "
                f"needs {need} distinct comparison municipalities, but only {len(candidates)} "
                f"non-pilot municipalities have complete data; use n_matched <= "
                f"{len(candidates) // len(treated)}"
            )
        feats = matching_features(panel, treated + candidates, pre_years, reference_year)
        cols = list(MATCH_FEATURES)
        if len(list(pre_years)) < 2:
            cols.remove("pre_trend")
            notes.append("With one pre-period year there is no trend; matched on level and population.")
        x = feats[cols].to_numpy(dtype=float)
        sd = x.std(axis=0)
        sd[sd == 0] = 1.0
        z = (x - x.mean(axis=0)) / sd  # standardised over treated + candidates
        zt, zc = z[: len(treated)], z[len(treated) :]
        dist = np.sqrt(((zt[:, None, :] - zc[None, :, :]) ** 2).sum(axis=2))
        matches = _greedy_match(dist, int(n_matched))
        rows = [
            {
                "municipality_code": candidates[j],
                "matched_to": treated[i],
                "match_rank": r,
                "distance": d,
            }
            for i, j, r, d in matches
        ]
        table = (
            pd.DataFrame(rows)
            .merge(feats, on="municipality_code", how="left")
            .sort_values(["matched_to", "match_rank"], ignore_index=True)
        )
        codes = sorted(table["municipality_code"])
        notes.append(
            f"Matched on standardised {', '.join(cols)} ({n_matched} per treated municipality, "
            "greedy nearest neighbour without replacement)."
        )
    else:
        codes = candidates
    if not codes:
        raise ParameterError(
            f"comparison={method!r} gives an empty comparison group (0 of {len(candidates)} candidates)"
        )
    return ComparisonPool(
        codes=sorted(codes),
        method=method,
        description=COMPARISON_METHODS[method],
        n_candidates=len(candidates),
        incomplete=incomplete,
        table=table.reset_index(drop=True),
        notes=notes,
    )
