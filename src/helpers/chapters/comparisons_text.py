"""The comparisons chapter's sentences and display tables (glued into its prose)."""

from __future__ import annotations

from typing import cast

import pandas as pd

from helpers.analysis.indicators import peer_indicators, peer_labels
from helpers.analysis.municipal_comparisons import (
    DIAK_VARIABLES,
    MAP_DIVISIONS,
    SOTKANET,
    Comparisons,
    data_division,
    diak_series,
    display_name,
    indicator_label,
    trend_series,
    unmatched_codes,
)
from helpers.analysis.municipal_indicators import _names


def peers_table(chapter: Comparisons) -> pd.DataFrame:
    """The chosen municipality, then its nearest peers, with the peer indicators' values."""
    result = chapter.peers
    names = chapter.table.set_index("municipality_code")
    rows = []
    if not result.table.empty:
        own = chapter.values.loc[chapter.code, list(result.indicators)]
        rows.append(
            {
                "Rank": "chosen",
                "Municipality": display_name(
                    cast(str, names.at[chapter.code, "name_fi"]), cast(str, names.at[chapter.code, "name_sv"])
                ),
                "Distance": "",
                **{i: float(cast(float, own[i])) for i in result.indicators},
            }
        )
    for k, row in enumerate(result.table.itertuples(index=False), start=1):
        code = row.municipality_code
        rows.append(
            {
                "Rank": str(k),
                "Municipality": display_name(
                    cast(str, names.at[code, "name_fi"]), cast(str, names.at[code, "name_sv"])
                ),
                "Distance": f"{row.distance:.2f}",
                **{i: float(getattr(row, i)) for i in result.indicators},
            }
        )
    frame = pd.DataFrame(rows, columns=["Rank", "Municipality", "Distance", *result.indicators])
    return frame.rename(columns={i: peer_labels().get(i, indicator_label(i)) for i in result.indicators})


def narrative(chapter: Comparisons) -> dict[str, object]:
    """Numbers and sentences the chapter's prose shows (glued; never typed into the text)."""
    f = chapter.facts
    year = chapter.year
    measure = f["y_label"].partition(", ")[0].lower() if ", " in f["y_label"] else f["y_label"].lower()
    if f["y_rank"] is not None:
        standing = (
            f"In {year}, {f['name']} had {f['y_value']:.1f} ({f['y_unit']}) on {measure}: rank {f['y_rank']} "
            f"of the {f['y_ranked']} municipalities with a published value (1 = the highest)."
        )
    else:
        note = cast(str, chapter.table.set_index("municipality_code").at[chapter.code, "note"])
        standing = f"THL publishes no {year} value of {measure} for {f['name']}" + (
            f": it {note.removeprefix('No data: ')}" if note else " (the value is suppressed)."
        )
    peers_result = chapter.peers
    if peers_result.table.empty:
        peers_sentence = f"{peers_result.message} The table below is therefore empty."
    else:
        first = cast(
            str,
            chapter.table.set_index("municipality_code").at[peers_result.table["municipality_code"].iloc[0], "name_fi"],
        )
        peers_sentence = (
            f"The municipality most similar to {f['name']} is {first} "
            f"(distance {peers_result.table['distance'].iloc[0]:.2f} standard deviations)."
        )
    unmatched = unmatched_codes(chapter.division)
    names = chapter.table.set_index("municipality_code")["name_fi"]
    without = ", ".join(f"{names[c]} ({c})" for c in unmatched["map_without_data"]) or "none"
    covering = ", ".join(f"{names[c]} ({c})" for c in unmatched["values_covering_several"]) or "none"
    trend = trend_series(chapter.code, chapter.division, "annual")
    last_full_year = int(trend.loc[trend["year"] < trend["year"].max(), "year"].max())
    at = trend[trend["year"] == last_full_year].set_index("role")["rate"]
    region = trend.loc[trend["role"] == "region", "series"].iloc[0]
    if "municipality" in at.index and pd.notna(at.get("municipality")):
        trend_sentence = (
            f"In {last_full_year}, {at['municipality']:.1f} % of the labour force in {f['name']} was unemployed, "
            f"against {at['region']:.1f} % in {region} and {at['finland']:.1f} % in Finland."
        )
    else:
        trend_sentence = (
            f"The employment statistics hold no {last_full_year} series for {f['name']}; {region} had "
            f"{at['region']:.1f} % unemployed and Finland {at['finland']:.1f} %."
        )
    diak = diak_series(chapter.code, division=chapter.division)
    if diak.empty:
        diak_sentence = (
            f"Diak publishes no index for {f['name']}: its panel covers the mainland municipalities of "
            "the 2021 division."
        )
    else:
        latest = diak[diak["year_mid"] == diak["year_mid"].max()].set_index("variable")["index_value"]
        first_variable = next(v for v in DIAK_VARIABLES if v in latest.index)
        diak_sentence = (
            f"Centred on {int(diak['year_mid'].max())}, the index of "
            f"{DIAK_VARIABLES[first_variable][0].lower()}{DIAK_VARIABLES[first_variable][1:]} in {f['name']} "
            f"was {latest[first_variable]:.0f}."
        )
    other = [d for d in MAP_DIVISIONS if d != chapter.division][0]
    other_missing = unmatched_codes(other)["map_without_data"]
    other_names = _names(range(min(other, chapter.division), data_division(SOTKANET) + 1))
    listed = [other_names[c] for c in other_missing]
    listed_text = " and ".join([", ".join(listed[:-1]), listed[-1]]) if len(listed) > 1 else "".join(listed)
    if len(other_missing) > len(unmatched["map_without_data"]):
        other_sentence = (
            f"On the {other} boundaries {listed_text} would show no data, their values being included in "
            "the municipalities they later merged into."
        )
    else:
        other_sentence = (
            f"The {other} boundaries match the data more closely: only {listed_text or 'none'} without data."
        )
    return {
        "other_division_sentence": other_sentence,
        "peer_indicator_list": ", ".join(indicator_label(i) for i in peer_indicators()),
        "diak_sentence": diak_sentence,
        "name": f["name"],
        "name_sv": f["name_sv"],
        "year": year,
        "division": chapter.division,
        "data_division": f["data_division"],
        "n_map": f["n_map"],
        "n_data": f["n_data"],
        "n_indicators": f["n_indicators"],
        "standing_sentence": standing,
        "peers_sentence": peers_sentence,
        "n_peer_candidates": peers_result.n_candidates,
        "n_peer_excluded": len(peers_result.excluded),
        "unmatched_without_data": without,
        "unmatched_covering": covering,
        "trend_sentence": trend_sentence,
        "x_label": indicator_label(chapter.indicators[0]),
        "y_label": indicator_label(chapter.indicators[1]),
    }
