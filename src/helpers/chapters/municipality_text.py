"""The municipality page's sentences, captions and display tables (glued into its prose).

Every string the page shows is in ``TEXT`` below (one place, so a message catalogue for the
Finnish and Swedish editions can take them over); numbers go through ``helpers.text`` in the
page's ``lang``. Sentences say only what the numbers show: a missing value is said to be missing,
never described as low or high.
"""

from __future__ import annotations

import math
from typing import Any, cast

import pandas as pd

from helpers.analysis.municipality_profile import DIVISION, FAMILY_YEARS, YEAR, Figure2019, Profile
from helpers.data.municipalities import municipality_page
from helpers.text import format_number, format_percent

TEXT: dict[str, str] = {
    # page head
    "title": "{name}",
    "title_sv": "{name} ({name_sv})",
    "intro": (
        "{name}{sv_part} (municipality code {code}) is in the region of {region} and is one of the "
        "{group_size} {group_lower} in Statistics Finland's urban–rural classification. This page sets its "
        "public statistics beside those of its region ({region_size} municipalities), its urban–rural "
        "group and Finland."
    ),
    "sv_part": " (sv. {name_sv})",
    "pilot": (
        "{name} was one of the municipalities of the participatory social security pilot "
        "(*osallistavan sosiaaliturvan kokeilu*) in {years}; the [pilot chapter]({pilot_link}) describes the pilot "
        "and what municipal statistics can say about it."
    ),
    "pilot_start": " Its own pilot period is dated from {start}.",
    # 2019 figures
    "standing": (
        "In {year}, {name} ranked {rank_phrase} of the municipalities with a published value on "
        "{label_lower} ({value}, against {median} in the median municipality)."
    ),
    "standing_none": "THL publishes no {year} values for {name}: {reason}",
    "standing_partial": " THL publishes no {year} value for {name} on {missing}: {why}",
    "suppressed_reason": "the values are suppressed (withheld for small numbers) or not collected for it.",
    "merged_reason": "it {note}",
    "rank_phrase": "{rank} of {n}",
    "figures_caption": "{name}: figures for {year}, national rank (1 = the highest value) and the median municipality",
    "col_indicator": "Indicator",
    "col_value": "{name}",
    "col_rank": "Rank (1 = highest)",
    "col_median": "Median municipality",
    "rank_cell": "{rank} of {n}",
    "no_rank": "–",
    # peers
    "peers": (
        "On the {n_indicators} indicators of the similarity measure, the municipalities most like {name} in {year} "
        "are {names}."
    ),
    "peers_none": "No most-similar municipalities can be listed for {name}: {why}",
    "peers_why_merged": "its {year} values are included in those of {absorbing} (see the notes below).",
    "peers_why_missing": "THL publishes no {year} value for it on {missing}, and missing values are never filled in.",
    "peers_caption": "{name} and its {n} most similar municipalities, {year} (distance in z-score units)",
    "col_peer_rank": "",
    "col_municipality": "Municipality",
    "col_distance": "Distance",
    "chosen": "this page",
    # trends
    "families": (
        "In {last_year}, {value} of families with children in {name} received social assistance during the year, "
        "against {region_value} in {region}, {group_value} in {group_lower} and {finland_value} in Finland. "
        "In {first_year} the share in {name} was {first_value}."
    ),
    "families_none": (
        "THL publishes no count of families with children receiving social assistance for {name} in any year "
        "from {first} to {last}: the count is suppressed for small numbers. The chart shows its region, "
        "its group and Finland."
    ),
    "families_gaps": " The count of {name} is suppressed in {n_gaps} of the {n_years} years ({gap_years}).",
    "unemployment": (
        "In {month_label}, {value} of the labour force in {name} was unemployed, against {region_value} in "
        "{region}, {group_value} in {group_lower} and {finland_value} in Finland; in {first_label} {name} "
        "had {first_value}."
    ),
    "unemployment_none": (
        "The employment service statistics publish no unemployment figure for {name} in 2006–2020. The chart "
        "shows its region, its group and Finland."
    ),
    "unemployment_gaps": " Its figure is missing in {n_gaps} of the {n_months} months.",
    "diak": (
        "Diak's index of long-term social assistance recipients aged 25–64 in {name} was {value} in the "
        "three years centred on {year} (100 = the median municipality of Finland)."
    ),
    "diak_region": " The median of the indices of the municipalities of {region} was {region_value}.",
    "diak_none": (
        "Diak publishes no disadvantage index for {name}: its panel covers the mainland municipalities of "
        "the 2021 division."
    ),
    "diak_region_none": " Diak's panel holds no municipality of {region}, so there is no regional median.",
    "trends_caption": (
        "{name} against {region}, {group_lower} and Finland. Top: families with children receiving social "
        "assistance, {first}–{last} (% of families with children). Middle: unemployment rate by month, "
        "2006–2020 (% of the labour force). Bottom: Diak's indices, 100 = the median municipality of Finland "
        "(for the region and the group, the median of their municipalities' indices). "
        "Sources: THL, Sotkanet.fi; Ministry of Economic Affairs and Employment; Diak."
    ),
    "trends_alt": (
        "Three line charts for {name}. Families with children receiving social assistance: {families_alt} "
        "Unemployment by month: {unemployment_alt} Diak indices: {diak_alt}"
    ),
    "alt_value_pair": "{first_value} in {first} and {last_value} in {last} for {name}.",
    "alt_none": "no values for {name}.",
    # mergers
    "mergers_none": (
        "{name} was not part of any municipal merger between 2013 and 2026 (Statistics Finland's "
        "classifications; earlier mergers are already inside every series)."
    ),
    "merger_absorbed_others": "On 1 January {year}, {absorbed} (code {absorbed_code}) merged into {name}.",
    "merger_was_absorbed": (
        "On 1 January {year}, {name} merged into {absorbing} (code {absorbing_code}). This page follows the "
        "2021 division, in which {name} still exists."
    ),
    "merger_series_note": (
        " Every series on this page is for the area of the 2021 division: THL back-casts the families "
        "series to it, and the unemployment counts of merged municipalities are added to the municipality "
        "they merged into before the rate is computed."
    ),
    # data handling
    "division_note_merged": (
        "The {year} Sotkanet figures are published in the 2025 division. {note} Its trends come from series "
        "that still hold it separately."
    ),
    "division_note_covers": (
        "The {year} Sotkanet figures are published in the 2025 division: {note} Its rank is that of the combined area."
    ),
    "division_note_plain": (
        "The {year} Sotkanet figures are published in the 2025 division; {name}'s area is the same in the 2021 "
        "division, so its figures are its own."
    ),
    "families_coverage": (
        "The region, group and Finland lines add up the counts of the municipalities whose two counts are both "
        "published: in {year}, {region_n} of {region_size} municipalities of {region}, {group_n} of "
        "{group_size} {group_lower} and {finland_n} of {n_map} in Finland. They are not THL's official "
        "national figure, which also counts the suppressed municipalities."
    ),
}

ROLE_LABELS = {"region": "{region}", "urban_rural": "{group}", "finland": "Finland"}
FINLAND = "Finland"


def say(key: str, **values: Any) -> str:
    return TEXT[key].format(**values)


def _lower_group(group: str) -> str:
    """'Urban municipalities' -> 'urban municipalities' (inside a sentence)."""
    return group[:1].lower() + group[1:]


def _pct(value: float, lang: str) -> str:
    return format_percent(value, 1, lang=lang)


def _joined(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _years_list(years: list[int]) -> str:
    """1995, 1996, 1997, 2003 -> '1995–1997, 2003'."""
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(str(y) for y in r) for r in runs)


def page_title(profile: Profile) -> str:
    if profile.name_sv and profile.name_sv != profile.name_fi:
        return say("title_sv", name=profile.name_fi, name_sv=profile.name_sv)
    return say("title", name=profile.name_fi)


def intro(profile: Profile, lang: str = "en") -> str:
    """Who the municipality is (markdown: the pilot note links to the pilot chapter)."""
    sv_part = say("sv_part", name_sv=profile.name_sv) if profile.name_sv != profile.name_fi else ""
    text = say(
        "intro",
        name=profile.name_fi,
        sv_part=sv_part,
        code=profile.code,
        region=profile.region,
        group_size=format_number(profile.group_size, lang=lang),
        group_lower=_lower_group(profile.urban_rural),
        region_size=format_number(profile.region_size, lang=lang),
    )
    if profile.pilot is not None:
        years = _joined([str(y) for y in profile.pilot.years])
        text += "\n\n" + say("pilot", name=profile.name_fi, years=years, pilot_link="../chapters/pilot.html")
        if "-" in profile.pilot.start_date:
            text += say("pilot_start", start=profile.pilot.start_date)
    return text


def _value_text(figure: Figure2019, value: float, lang: str) -> str:
    if figure.unit.startswith("%"):
        return _pct(value, lang)
    digits = 0 if abs(value) >= 100 else 1
    return f"{format_number(value, digits, lang=lang)} ({figure.unit})" if figure.unit else format_number(value, 1)


def standing(profile: Profile, lang: str = "en") -> str:
    """The first indicator with a value, its rank and the median; missing values named."""
    figures = profile.figures
    present = [f for f in figures if not math.isnan(f.value)]
    missing = [f for f in figures if math.isnan(f.value)]
    name = profile.name_fi
    if not present:
        reason = say("merged_reason", note=_note_clause(profile.data_note)) if profile.data_note else None
        return say("standing_none", year=YEAR, name=name, reason=reason or TEXT["suppressed_reason"])
    first = present[0]
    text = say(
        "standing",
        year=YEAR,
        name=name,
        rank_phrase=say("rank_phrase", rank=first.rank, n=first.n_ranked),
        label_lower=_label_in_sentence(first.label),
        value=_value_text(first, first.value, lang),
        median=_value_text(first, first.median, lang),
    )
    if missing:
        text += say(
            "standing_partial",
            year=YEAR,
            name=name,
            missing=_joined([_label_in_sentence(f.label) for f in missing]),
            why=TEXT["suppressed_reason"],
        )
    return text


def _label_in_sentence(label: str) -> str:
    return label[:1].lower() + label[1:]


def _note_clause(note: str) -> str:
    """'No data: merged into X on ...' -> 'merged into X on ...' (the coverage note, inside a sentence)."""
    return note.removeprefix("No data: ")


def _note_sentence(note: str) -> str:
    clause = _note_clause(note)
    return clause[:1].upper() + clause[1:]


def figures_table(profile: Profile, lang: str = "en") -> pd.DataFrame:
    """One row per 2019 indicator: value, rank of n, median municipality (missing = no data)."""
    rows = []
    for figure in profile.figures:
        has = not math.isnan(figure.value)
        rows.append(
            {
                TEXT["col_indicator"]: figure.label,
                say("col_value", name=profile.name_fi): figure.value if has else None,
                TEXT["col_rank"]: say("rank_cell", rank=figure.rank, n=figure.n_ranked) if has else TEXT["no_rank"],
                TEXT["col_median"]: figure.median,
            }
        )
    return pd.DataFrame(rows)


def figures_caption(profile: Profile) -> str:
    return say("figures_caption", name=profile.name_fi, year=YEAR)


def peers_links(profile: Profile) -> list[str]:
    """Markdown links to the peers' pages, in order of similarity."""
    here = municipality_page(profile.code)
    depth = here.count("/")
    prefix = "../" * depth
    return [
        f"[{profile.peer_names[code]}]({prefix}{municipality_page(code)}.html)"
        for code in profile.peers.table["municipality_code"]
    ]


def peers_sentence(profile: Profile) -> str:
    result = profile.peers
    if result.table.empty:
        merged_into = [m for m in profile.mergers if m.role == "was_absorbed" and m.year > DIVISION]
        if merged_into:
            why = say("peers_why_merged", year=YEAR, absorbing=merged_into[0].absorbing)
        else:
            missing = [f.label for f in profile.figures if f.indicator in result.indicators and math.isnan(f.value)]
            why = say("peers_why_missing", year=YEAR, missing=_joined([_label_in_sentence(m) for m in missing]))
        return say("peers_none", name=profile.name_fi, why=why)
    return say(
        "peers",
        n_indicators=len(result.indicators),
        name=profile.name_fi,
        year=YEAR,
        names=_joined(peers_links(profile)),
    )


def peers_table(profile: Profile) -> pd.DataFrame:
    result = profile.peers
    if result.table.empty:
        return pd.DataFrame(columns=[TEXT["col_municipality"], TEXT["col_distance"]])
    rows: list[dict[str, str | float | None]] = [
        {TEXT["col_municipality"]: f"{profile.name_fi} ({TEXT['chosen']})", TEXT["col_distance"]: TEXT["no_rank"]}
    ]
    for row in result.table.itertuples(index=False):
        rows.append(
            {
                TEXT["col_municipality"]: profile.peer_names[str(row.municipality_code)],
                TEXT["col_distance"]: float(cast(float, row.distance)),
            }
        )
    return pd.DataFrame(rows)


def peers_caption(profile: Profile) -> str:
    return say("peers_caption", name=profile.name_fi, n=len(profile.peers.table), year=YEAR)


def _last_valid(frame: pd.DataFrame, index: str) -> pd.Series | None:
    valid = frame[frame["municipality"].notna()]
    return None if valid.empty else valid.iloc[-1]


def families_sentence(profile: Profile, lang: str = "en") -> str:
    frame = profile.families
    name = profile.name_fi
    group_lower = _lower_group(profile.urban_rural)
    own = frame[frame["municipality"].notna()]
    if own.empty:
        return say("families_none", name=name, first=FAMILY_YEARS[0], last=FAMILY_YEARS[1])
    last, first = own.iloc[-1], own.iloc[0]
    text = say(
        "families",
        last_year=int(last["year"]),
        value=_pct(last["municipality"], lang),
        name=name,
        region_value=_pct(last["region"], lang),
        region=profile.region,
        group_value=_pct(last["urban_rural"], lang),
        group_lower=group_lower,
        finland_value=_pct(last["finland"], lang),
        first_year=int(first["year"]),
        first_value=_pct(first["municipality"], lang),
    )
    gaps = [int(y) for y in frame.loc[frame["municipality"].isna(), "year"]]
    if gaps:
        text += say("families_gaps", name=name, n_gaps=len(gaps), n_years=len(frame), gap_years=_years_list(gaps))
    return text


def families_coverage_sentence(profile: Profile, lang: str = "en") -> str:
    cov = profile.families_coverage.set_index("year")
    year = YEAR

    def reporting(role: str) -> str:
        return format_number(float(cast(float, cov.at[year, role])), lang=lang)

    return say(
        "families_coverage",
        year=year,
        region_n=reporting("region"),
        region_size=profile.region_size,
        region=profile.region,
        group_n=reporting("urban_rural"),
        group_size=profile.group_size,
        group_lower=_lower_group(profile.urban_rural),
        finland_n=reporting("finland"),
        n_map=profile.facts["n_map"],
    )


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def month_label(month: str) -> str:
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def unemployment_sentence(profile: Profile, lang: str = "en") -> str:
    frame = profile.unemployment
    name = profile.name_fi
    own = frame[frame["municipality"].notna()]
    if own.empty:
        return say("unemployment_none", name=name)
    last, first = own.iloc[-1], own.iloc[0]
    text = say(
        "unemployment",
        month_label=month_label(str(last["month"])),
        value=_pct(last["municipality"], lang),
        name=name,
        region_value=_pct(last["region"], lang),
        region=profile.region,
        group_value=_pct(last["urban_rural"], lang),
        group_lower=_lower_group(profile.urban_rural),
        finland_value=_pct(last["finland"], lang),
        first_label=month_label(str(first["month"])),
        first_value=_pct(first["municipality"], lang),
    )
    n_gaps = int(frame["municipality"].isna().sum())
    if n_gaps:
        text += say("unemployment_gaps", n_gaps=n_gaps, n_months=len(frame))
    return text


def diak_sentence(profile: Profile, lang: str = "en") -> str:
    frame = profile.diak[profile.diak["variable"] == "long_term_social_assistance_25_64"]
    own = frame[frame["municipality"].notna()]
    if own.empty:
        return say("diak_none", name=profile.name_fi)
    last = own.iloc[-1]
    text = say(
        "diak", name=profile.name_fi, value=format_number(last["municipality"], 0, lang=lang), year=int(last["year"])
    )
    if pd.isna(last["region"]):
        return text + say("diak_region_none", region=profile.region)
    return text + say("diak_region", region=profile.region, region_value=format_number(last["region"], 0, lang=lang))


def merger_sentences(profile: Profile) -> str:
    if not profile.mergers:
        return say("mergers_none", name=profile.name_fi)
    parts = []
    for event in profile.mergers:
        if event.role == "absorbed_others":
            parts.append(
                say(
                    "merger_absorbed_others",
                    year=event.year,
                    absorbed=event.absorbed,
                    absorbed_code=event.absorbed_code,
                    name=profile.name_fi,
                )
            )
        else:
            parts.append(
                say(
                    "merger_was_absorbed",
                    year=event.year,
                    name=profile.name_fi,
                    absorbing=event.absorbing,
                    absorbing_code=event.absorbing_code,
                )
            )
    if any(e.role == "absorbed_others" and e.year <= DIVISION for e in profile.mergers):
        parts.append(TEXT["merger_series_note"].strip())
    return " ".join(parts)


def division_sentence(profile: Profile) -> str:
    note = profile.data_note
    if note.startswith("No data: "):
        return say("division_note_merged", year=YEAR, note=_note_sentence(note))
    if note:
        return say("division_note_covers", year=YEAR, note=note)
    return say("division_note_plain", year=YEAR, name=profile.name_fi)


def series_labels(profile: Profile) -> dict[str, str]:
    return {
        "municipality": profile.name_fi,
        "region": profile.region,
        "urban_rural": profile.urban_rural,
        "finland": FINLAND,
    }


def trends_caption(profile: Profile) -> str:
    return say(
        "trends_caption",
        name=profile.name_fi,
        region=profile.region,
        group_lower=_lower_group(profile.urban_rural),
        first=FAMILY_YEARS[0],
        last=FAMILY_YEARS[1],
    )


def _alt_pair(frame: pd.DataFrame, index: str, name: str, lang: str, label=str) -> str:
    own = frame[frame["municipality"].notna()]
    if own.empty:
        return say("alt_none", name=name)
    first, last = own.iloc[0], own.iloc[-1]
    return say(
        "alt_value_pair",
        first_value=_pct(first["municipality"], lang),
        first=label(first[index]),
        last_value=_pct(last["municipality"], lang),
        last=label(last[index]),
        name=name,
    )


def trends_alt(profile: Profile, lang: str = "en") -> str:
    diak = profile.diak[profile.diak["variable"] == "long_term_social_assistance_25_64"]
    own = diak[diak["municipality"].notna()]
    if own.empty:
        diak_alt = say("alt_none", name=profile.name_fi)
    else:
        diak_alt = (
            f"{format_number(own.iloc[0]['municipality'], 0, lang=lang)} in {int(own.iloc[0]['year'])} and "
            f"{format_number(own.iloc[-1]['municipality'], 0, lang=lang)} in {int(own.iloc[-1]['year'])} "
            f"for {profile.name_fi} (long-term social assistance, 25–64)."
        )
    return say(
        "trends_alt",
        name=profile.name_fi,
        families_alt=_alt_pair(profile.families, "year", profile.name_fi, lang, lambda y: str(int(y))),
        unemployment_alt=_alt_pair(profile.unemployment, "month", profile.name_fi, lang, month_label),
        diak_alt=diak_alt,
    )


def glue_values(profile: Profile, lang: str = "en") -> dict[str, str]:
    """Every sentence the page glues into its prose (plain text; ``MARKDOWN`` ones hold links)."""
    return {
        "page_title": page_title(profile),
        "name": profile.name_fi,
        "intro": intro(profile, lang),
        "standing_sentence": standing(profile, lang),
        "peers_sentence": peers_sentence(profile),
        "families_sentence": families_sentence(profile, lang),
        "unemployment_sentence": unemployment_sentence(profile, lang),
        "diak_sentence": diak_sentence(profile, lang),
        "families_coverage_sentence": families_coverage_sentence(profile, lang),
        "merger_sentence": merger_sentences(profile),
        "division_sentence": division_sentence(profile),
    }


MARKDOWN = ("intro", "peers_sentence")  # glued as markdown: they hold links
