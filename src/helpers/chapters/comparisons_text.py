"""The comparisons chapter's sentences and display tables (glued into its prose), in the edition's language."""

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
    indicator_catalogue,
    trend_series,
    unmatched_codes,
)
from helpers.analysis.municipal_indicators import _names
from helpers.charts import comparisons_words as words
from helpers.i18n import _
from helpers.text import format_number, format_percent


def indicator_label(indicator: str, lang: str = "en") -> str:
    """'Long-term unemployed (% of labour force)' in ``lang``."""
    row = indicator_catalogue().set_index("indicator").loc[indicator]
    return words.indicator_label(str(row["indicator_label"]), str(row["unit"]), lang)


def _shown_names(chapter: Comparisons, lang: str) -> pd.Series:
    """Map municipality code -> its name in the edition."""
    table = chapter.table.set_index("municipality_code")
    return pd.Series(
        [words.municipality_name(fi, sv, lang) for fi, sv in zip(table["name_fi"], table["name_sv"])],
        index=table.index,
    )


def peers_table(chapter: Comparisons, lang: str = "en") -> pd.DataFrame:
    """The chosen municipality, then its nearest peers, with the peer indicators' values."""
    result = chapter.peers
    names = chapter.table.set_index("municipality_code")

    def name_of(code: str) -> str:
        fi, sv = cast(str, names.at[code, "name_fi"]), cast(str, names.at[code, "name_sv"])
        shown = words.municipality_name(fi, sv, lang)
        return display_name(shown, words.other_name(fi, sv, lang))

    rank, municipality, distance = _("Rank", lang), _("Municipality", lang), _("Distance", lang)
    rows = []
    if not result.table.empty:
        own = chapter.values.loc[chapter.code, list(result.indicators)]
        rows.append(
            {
                rank: _("chosen", lang),
                municipality: name_of(chapter.code),
                distance: "",
                **{i: float(cast(float, own[i])) for i in result.indicators},
            }
        )
    for k, row in enumerate(result.table.itertuples(index=False), start=1):
        rows.append(
            {
                rank: str(k),
                municipality: name_of(cast(str, row.municipality_code)),
                distance: format_number(cast(float, row.distance), 2, lang=lang),
                **{i: float(getattr(row, i)) for i in result.indicators},
            }
        )
    frame = pd.DataFrame(rows, columns=[rank, municipality, distance, *result.indicators])
    labels = peer_labels()
    return frame.rename(
        columns={
            i: words.label(labels[i], lang) if labels.get(i) else indicator_label(i, lang) for i in result.indicators
        }
    )


def peers_caption(chapter: Comparisons, lang: str = "en") -> str:
    name = words.municipality_name(chapter.name_fi, chapter.name_sv, lang)
    return _(
        "{name} and its ten most similar municipalities, {year} (distance in z-score units)",
        lang,
        name=name,
        year=chapter.year,
    )


def narrative(chapter: Comparisons, lang: str = "en") -> dict[str, object]:
    """Numbers and sentences the chapter's prose shows (glued; never typed into the text)."""
    f = chapter.facts
    year = chapter.year
    shown = _shown_names(chapter, lang)
    name = words.municipality_name(chapter.name_fi, chapter.name_sv, lang)
    catalogue = indicator_catalogue().set_index("indicator")
    y_indicator = chapter.indicators[1]
    label = words.label(str(catalogue.at[y_indicator, "indicator_label"]), lang)
    measure = label.partition(", ")[0] if ", " in label else label
    measure = measure[:1].lower() + measure[1:]
    unit = words.label(str(catalogue.at[y_indicator, "unit"]), lang)
    if f["y_rank"] is not None:
        standing = _(
            "In {year}, {name} had {value} ({unit}) on {measure}: rank {rank} of the {ranked} municipalities "
            "with a published value (1 = the highest).",
            lang,
            year=year,
            name=name,
            value=format_number(f["y_value"], 1, lang=lang),
            unit=unit,
            measure=measure,
            rank=f["y_rank"],
            ranked=f["y_ranked"],
        )
    else:
        note = cast(str, chapter.table.set_index("municipality_code").at[chapter.code, "note"])
        if note:
            standing = _(
                "THL publishes no {year} value of {measure} for {name}: {note}",
                lang,
                year=year,
                measure=measure,
                name=name,
                note=words.division_note(note, lang, dict(zip(chapter.table["name_fi"], shown))),
            )
        else:
            standing = _(
                "THL publishes no {year} value of {measure} for {name} (the value is suppressed).",
                lang,
                year=year,
                measure=measure,
                name=name,
            )
    peers_result = chapter.peers
    if peers_result.table.empty:
        labels = peer_labels()
        missing = [
            words.label(labels.get(i, i), lang)
            for i in peers_result.indicators
            if chapter.code in chapter.values.index and pd.isna(cast(float, chapter.values.at[chapter.code, i]))
        ]
        if missing:
            peers_sentence = _(
                "No peers: {name} has no value for {indicators}. The table below is therefore empty.",
                lang,
                name=name,
                indicators=words.listing(missing, lang),
            )
        else:
            peers_sentence = _(
                "No peers: {name} has no {year} indicator values. The table below is therefore empty.",
                lang,
                name=name,
                year=year,
            )
    else:
        first = cast(str, shown[peers_result.table["municipality_code"].iloc[0]])
        peers_sentence = _(
            "The municipality most similar to {name} is {first} (distance {distance} standard deviations).",
            lang,
            name=name,
            first=first,
            distance=format_number(peers_result.table["distance"].iloc[0], 2, lang=lang),
        )
    unmatched = unmatched_codes(chapter.division)
    none = _("none", lang)
    without = ", ".join(f"{shown[c]} ({c})" for c in unmatched["map_without_data"]) or none
    covering = ", ".join(f"{shown[c]} ({c})" for c in unmatched["values_covering_several"]) or none
    trend = trend_series(chapter.code, chapter.division, "annual")
    last_full_year = int(trend.loc[trend["year"] < trend["year"].max(), "year"].max())
    at = trend[trend["year"] == last_full_year].set_index("role")["rate"]
    region = words.label(str(trend.loc[trend["role"] == "region", "series"].iloc[0]), lang)
    if "municipality" in at.index and pd.notna(at.get("municipality")):
        trend_sentence = _(
            "In {year}, {rate} of the labour force in {name} was unemployed, against {region_rate} in {region} "
            "and {finland_rate} in Finland.",
            lang,
            year=last_full_year,
            rate=format_percent(at["municipality"], 1, lang=lang),
            name=name,
            region_rate=format_percent(at["region"], 1, lang=lang),
            region=region,
            finland_rate=format_percent(at["finland"], 1, lang=lang),
        )
    else:
        trend_sentence = _(
            "The employment statistics hold no {year} series for {name}; {region} had {region_rate} unemployed "
            "and Finland {finland_rate}.",
            lang,
            year=last_full_year,
            name=name,
            region=region,
            region_rate=format_percent(at["region"], 1, lang=lang),
            finland_rate=format_percent(at["finland"], 1, lang=lang),
        )
    diak = diak_series(chapter.code, division=chapter.division)
    if diak.empty:
        diak_sentence = _(
            "Diak publishes no index for {name}: its panel covers the mainland municipalities of the 2021 division.",
            lang,
            name=name,
        )
    else:
        latest = diak[diak["year_mid"] == diak["year_mid"].max()].set_index("variable")["index_value"]
        first_variable = next(v for v in DIAK_VARIABLES if v in latest.index)
        index_name = words.label(DIAK_VARIABLES[first_variable], lang)
        diak_sentence = _(
            "Centred on {year}, the index of {index} in {name} was {value}.",
            lang,
            year=int(diak["year_mid"].max()),
            index=index_name[:1].lower() + index_name[1:],
            name=name,
            value=format_number(latest[first_variable], 0, lang=lang),
        )
    other = [d for d in MAP_DIVISIONS if d != chapter.division][0]
    other_missing = unmatched_codes(other)["map_without_data"]
    other_names = _names(range(min(other, chapter.division), data_division(SOTKANET) + 1))
    listed = [words.municipality_name(other_names[c], _names_sv(c, other_names[c], shown), lang) for c in other_missing]
    listed_text = words.listing(listed, lang)
    if len(other_missing) > len(unmatched["map_without_data"]):
        other_sentence = _(
            "On the {division} boundaries {names} would show no data, their values being included in the "
            "municipalities they later merged into.",
            lang,
            division=other,
            names=listed_text,
        )
    else:
        other_sentence = _(
            "The {division} boundaries match the data more closely: only {names} without data.",
            lang,
            division=other,
            names=listed_text or none,
        )
    return {
        "other_division_sentence": other_sentence,
        "peer_indicator_list": ", ".join(indicator_label(i, lang) for i in peer_indicators()),
        "diak_sentence": diak_sentence,
        "name": name,
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
        "x_label": indicator_label(chapter.indicators[0], lang),
        "y_label": indicator_label(chapter.indicators[1], lang),
    }


def _names_sv(code: str, name_fi: str, shown: pd.Series) -> str | None:
    """The Swedish name of a municipality that may no longer be on the chapter's map (merged)."""
    from helpers.data import municipalities as munis
    from helpers.errors import ParameterError

    try:
        return munis.name(code, lang="sv") or None
    except ParameterError:  # a code the key does not know: its Finnish name stands
        return cast("str | None", shown.get(code, name_fi))
