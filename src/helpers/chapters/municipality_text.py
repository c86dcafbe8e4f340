"""The municipality page's sentences, captions and display tables (glued into its prose).

Every string the page shows is a message of the code catalogue (``TEXT`` below, through
``helpers.i18n``), so the Finnish and Swedish editions read it from ``src/helpers/locales``;
numbers go through ``helpers.text`` in the page's ``lang``; municipality and region names are the
edition's (Tammerfors, Birkaland in Swedish; the English edition uses the Finnish names). Sentences
say only what the numbers show: a missing value is said to be missing, never described as low or high.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd

from helpers.analysis.municipality_profile import DIVISION, FAMILY_YEARS, YEAR, Figure2019, MergerEvent, Profile
from helpers.data import municipalities as munis
from helpers.data.municipalities import municipality_page
from helpers.i18n import MONTHS, N_, translated
from helpers.text import format_number, format_percent

TEXT: dict[str, str] = {
    # page head
    "title": N_("{name}"),
    "title_sv": N_("{name} ({name_sv})"),
    "intro": N_(
        "{name}{sv_part} (municipality code {code}) is in the region of {region} and is one of the "
        "{group_size} {group_lower} in Statistics Finland's urban–rural classification. This page sets its "
        "public statistics beside those of its region ({region_size} municipalities), its urban–rural "
        "group and Finland."
    ),
    "sv_part": N_(" (sv. {name_sv})"),
    "pilot": N_(
        "{name} was one of the municipalities of the participatory social security pilot "
        "(*osallistavan sosiaaliturvan kokeilu*) in {years}; the [pilot chapter]({pilot_link}) describes the pilot "
        "and what municipal statistics can say about it."
    ),
    "pilot_start": N_(" Its own pilot period is dated from {start}."),
    # the figures of 2019
    "standing": N_(
        "In {year}, {name} ranked {rank_phrase} of the municipalities with a published value on "
        "{label_lower} ({value}, against {median} in the median municipality)."
    ),
    "standing_none": N_("THL publishes no {year} values for {name}: {reason}"),
    "standing_partial": N_(" THL publishes no {year} value for {name} on {missing}: {why}"),
    "suppressed_reason": N_("the values are suppressed (withheld for small numbers) or not collected for it."),
    "merged_reason": N_("it {note}"),
    "rank_phrase": N_("{rank} of {n}"),
    "figures_caption": N_(
        "{name}: figures for {year}, national rank (1 = the highest value) and the median municipality"
    ),
    "col_indicator": N_("Indicator"),
    "col_value": N_("{name}"),
    "col_rank": N_("Rank (1 = highest)"),
    "col_median": N_("Median municipality"),
    "rank_cell": N_("{rank} of {n}"),
    "no_rank": "–",
    # peers
    "peers": N_(
        "On the {n_indicators} indicators of the similarity measure, the municipalities most like {name} in {year} "
        "are {names}."
    ),
    "peers_none": N_("No most-similar municipalities can be listed for {name}: {why}"),
    "peers_why_merged": N_("its {year} values are included in those of {absorbing} (see the notes below)."),
    "peers_why_missing": N_(
        "THL publishes no {year} value for it on {missing}, and missing values are never filled in."
    ),
    "peers_caption": N_("{name} and its {n} most similar municipalities, {year} (distance in z-score units)"),
    "col_municipality": N_("Municipality"),
    "col_distance": N_("Distance"),
    "chosen": N_("this page"),
    # trends
    "families": N_(
        "In {last_year}, {value} of families with children in {name} received social assistance during the year, "
        "against {region_value} in {region}, {group_value} in {group_lower} and {finland_value} in Finland. "
        "In {first_year} the share in {name} was {first_value}."
    ),
    "families_none": N_(
        "THL publishes no count of families with children receiving social assistance for {name} in any year "
        "from {first} to {last}: the count is suppressed for small numbers. The chart shows its region, "
        "its group and Finland."
    ),
    "families_gaps": N_(" The count of {name} is suppressed in {n_gaps} of the {n_years} years ({gap_years})."),
    "unemployment": N_(
        "In {month_label}, {value} of the labour force in {name} was unemployed, against {region_value} in "
        "{region}, {group_value} in {group_lower} and {finland_value} in Finland; in {first_label} {name} "
        "had {first_value}."
    ),
    "unemployment_none": N_(
        "The employment service statistics publish no unemployment figure for {name} in 2006–2020. The chart "
        "shows its region, its group and Finland."
    ),
    "unemployment_gaps": N_(" Its figure is missing in {n_gaps} of the {n_months} months."),
    "diak": N_(
        "Diak's index of long-term social assistance recipients aged 25–64 in {name} was {value} in the "
        "three years centred on {year} (100 = the median municipality of Finland)."
    ),
    "diak_region": N_(" The median of the indices of the municipalities of {region} was {region_value}."),
    "diak_none": N_(
        "Diak publishes no disadvantage index for {name}: its panel covers the mainland municipalities of "
        "the 2021 division."
    ),
    "diak_region_none": N_(" Diak's panel holds no municipality of {region}, so there is no regional median."),
    "trends_caption": N_(
        "{name} against {region}, {group_lower} and Finland. Top: families with children receiving social "
        "assistance, {first}–{last} (% of families with children). Middle: unemployment rate by month, "
        "2006–2020 (% of the labour force). Bottom: Diak's indices, 100 = the median municipality of Finland "
        "(for the region and the group, the median of their municipalities' indices). "
        "Sources: THL, Sotkanet.fi; Ministry of Economic Affairs and Employment; Diak."
    ),
    "trends_alt": N_(
        "Three line charts for {name}. Families with children receiving social assistance: {families_alt} "
        "Unemployment by month: {unemployment_alt} Diak indices: {diak_alt}"
    ),
    "alt_value_pair": N_("{first_value} in {first} and {last_value} in {last} for {name}."),
    "alt_diak_pair": N_(
        "{first_value} in {first} and {last_value} in {last} for {name} (long-term social assistance, 25–64)."
    ),
    "alt_none": N_("no values for {name}."),
    # mergers
    "mergers_none": N_(
        "{name} was not part of any municipal merger between 2013 and 2026 (Statistics Finland's "
        "classifications; earlier mergers are already inside every series)."
    ),
    "merger_absorbed_others": N_("On 1 January {year}, {absorbed} (code {absorbed_code}) merged into {name}."),
    "merger_was_absorbed": N_(
        "On 1 January {year}, {name} merged into {absorbing} (code {absorbing_code}). This page follows the "
        "2021 division, in which {name} still exists."
    ),
    "merger_series_note": N_(
        "Every series on this page is for the area of the 2021 division: THL back-casts the families "
        "series to it, and the unemployment counts of merged municipalities are added to the municipality "
        "they merged into before the rate is computed."
    ),
    # data handling
    "division_note_merged": N_(
        "The {year} Sotkanet figures are published in the 2025 division. {note} Its trends come from series "
        "that still hold it separately."
    ),
    "division_note_covers": N_(
        "The {year} Sotkanet figures are published in the 2025 division: {note} Its rank is that of the combined area."
    ),
    "division_note_plain": N_(
        "The {year} Sotkanet figures are published in the 2025 division; {name}'s area is the same in the 2021 "
        "division, so its figures are its own."
    ),
    # the coverage notes of helpers.analysis.municipal_indicators.coverage, in the edition's words
    "note_merged_into": N_(
        "No data: merged into {absorbing} on 1 January {year}; the 2025 data include its area in {absorbing}'s value."
    ),
    "note_covers": N_("The value covers {name} and {others} (merged later; 2025 division)."),
    "families_coverage": N_(
        "The region, group and Finland lines add up the counts of the municipalities whose two counts are both "
        "published: in {year}, {region_n} of {region_size} municipalities of {region}, {group_n} of "
        "{group_size} {group_lower} and {finland_n} of {n_map} in Finland. They are not THL's official "
        "national figure, which also counts the suppressed municipalities."
    ),
    "and": N_("{items} and {last}"),
    "month": N_("{month} {year}"),
}

# Statistics Finland's urban–rural groups (English in the data) and the indicator labels of the
# table of 2019 (Sotkanet's English labels in the data), as messages.
GROUPS = {
    "Urban municipalities": N_("Urban municipalities"),
    "Semi-urban municipalities": N_("Semi-urban municipalities"),
    "Rural municipalities": N_("Rural municipalities"),
}
GROUPS_IN_SENTENCE = {
    "Urban municipalities": N_("urban municipalities"),
    "Semi-urban municipalities": N_("semi-urban municipalities"),
    "Rural municipalities": N_("rural municipalities"),
}
INDICATOR_LABELS = {
    "social_assistance_recipients_25_64_pct": N_(
        "Social assistance recipients aged 25-64, % of population of the same age"
    ),
    "social_assistance_eur_per_resident": N_("Social assistance, EUR per resident"),
    "unemployment_rate_pct": N_("Unemployed, % of labour force"),
    "long_term_unemployment_pct": N_("Long-term unemployed, % of labour force"),
    "low_income_rate_pct": N_("Municipal low-income rate (at-risk-of-poverty rate)"),
    "tertiary_education_pct": N_("Residents with tertiary education, % of those aged 20+"),
    "demographic_dependency_ratio": N_("Demographic dependency ratio (aged 0-14 and 65+ per 100 aged 15-64)"),
}
UNITS = {
    "EUR per resident": N_("EUR per resident"),
    "persons per 100 aged 15-64": N_("persons per 100 aged 15-64"),
}
FINLAND = N_("Finland")


def say(key: str, lang: str = "en", /, **values: Any) -> str:
    return translated(TEXT[key], lang, **values)


# ------------------------------------------------------------------------------------ names


@functools.lru_cache(maxsize=4)
def _names_by_code(sha: str) -> dict[str, tuple[str, str]]:
    """code -> (Finnish name, Swedish name), the latest division holding the code (merged ones too)."""
    table = munis.reference().sort_values("year")
    return {str(row.municipality_code): (str(row.name_fi), str(row.name_sv)) for row in table.itertuples()}


@functools.lru_cache(maxsize=4)
def _regions_by_code(sha: str) -> dict[str, dict[str, str]]:
    table = munis.reference(DIVISION).drop_duplicates("region_code")
    return {
        str(row.region_code): {"fi": str(row.region_fi), "sv": str(row.region_sv), "en": str(row.region_en)}
        for row in table.itertuples()
    }


def _release_key() -> str:
    from helpers.data.loaders import verified_file

    return str(verified_file("municipalities")[1])


# The name tables of the profile last asked about: checking the release's file for every name
# would cost more than the rest of a page (a page asks some thirty times).
_last_tables: list[Any] = [None, None]


def _tables(profile: Profile | None) -> tuple[dict[str, tuple[str, str]], dict[str, dict[str, str]]]:
    if profile is None or _last_tables[0] is not profile:
        key = _release_key()
        tables = (_names_by_code(key), _regions_by_code(key))
        if profile is None:
            return tables
        _last_tables[:] = [profile, tables]
    return _last_tables[1]


def local_name(code: str, fallback: str, lang: str, profile: Profile | None = None) -> str:
    """A municipality's name in the edition: Swedish in sv, Finnish otherwise (the English edition
    uses the Finnish names, as the rest of the book does)."""
    names = _tables(profile)[0].get(str(code))
    if names is None:
        return fallback
    return names[1] if lang == "sv" and names[1] else names[0]


@dataclass(frozen=True)
class Names:
    """The names a page uses, in its edition."""

    name: str  # the municipality
    other: str  # its name in the other national language ("" when the same)
    region: str
    group: str  # "Urban municipalities"
    group_lower: str  # inside a sentence
    finland: str


def names(profile: Profile, lang: str = "en") -> Names:
    other = profile.name_fi if lang == "sv" else profile.name_sv
    name = profile.name_sv if lang == "sv" and profile.name_sv else profile.name_fi
    regions = _tables(profile)[1].get(profile.region_code, {})
    return Names(
        name=name,
        other="" if not other or other == name else other,
        region=regions.get(lang, profile.region) if lang != "en" else profile.region,
        group=translated(GROUPS.get(profile.urban_rural, profile.urban_rural), lang),
        group_lower=translated(GROUPS_IN_SENTENCE.get(profile.urban_rural, _lower_group(profile.urban_rural)), lang),
        finland=translated(FINLAND, lang),
    )


def _lower_group(group: str) -> str:
    """'Urban municipalities' -> 'urban municipalities' (inside a sentence)."""
    return group[:1].lower() + group[1:]


def _pct(value: float, lang: str) -> str:
    return format_percent(value, 1, lang=lang)


def _joined(items: list[str], lang: str = "en") -> str:
    if len(items) <= 1:
        return "".join(items)
    return say("and", lang, items=", ".join(items[:-1]), last=items[-1])


def _years_list(years: list[int]) -> str:
    """1995, 1996, 1997, 2003 -> '1995–1997, 2003'."""
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(str(y) for y in r) for r in runs)


def _date(text: str, lang: str) -> str:
    """'2018-05-01' -> '1.5.2018' in fi and sv (a year alone stays as it is)."""
    parts = text.split("-")
    if lang == "en" or len(parts) != 3:
        return text
    year, month, day = parts
    return f"{int(day)}.{int(month)}.{year}"


def page_title(profile: Profile, lang: str = "en") -> str:
    """The edition's name (Tammerfors in sv); the English edition adds the Swedish name."""
    if lang != "en":
        return say("title", lang, name=names(profile, lang).name)
    if profile.name_sv and profile.name_sv != profile.name_fi:
        return say("title_sv", lang, name=profile.name_fi, name_sv=profile.name_sv)
    return say("title", lang, name=profile.name_fi)


def intro(profile: Profile, lang: str = "en") -> str:
    """Who the municipality is (markdown: the pilot note links to the pilot chapter)."""
    n = names(profile, lang)
    sv_part = say("sv_part", lang, name_sv=n.other) if n.other else ""
    text = say(
        "intro",
        lang,
        name=n.name,
        sv_part=sv_part,
        code=profile.code,
        region=n.region,
        group_size=format_number(profile.group_size, lang=lang),
        group_lower=n.group_lower,
        region_size=format_number(profile.region_size, lang=lang),
    )
    if profile.pilot is not None:
        years = _joined([str(y) for y in profile.pilot.years], lang)
        text += "\n\n" + say("pilot", lang, name=n.name, years=years, pilot_link="../chapters/pilot.html")
        if "-" in profile.pilot.start_date:
            text += say("pilot_start", lang, start=_date(profile.pilot.start_date, lang))
    return text


def indicator_label(figure: Figure2019, lang: str) -> str:
    """The indicator's label in the edition (the data's English label in en)."""
    if lang == "en":
        return figure.label
    return translated(INDICATOR_LABELS.get(figure.indicator, figure.label), lang)


def _value_text(figure: Figure2019, value: float, lang: str) -> str:
    if figure.unit.startswith("%"):
        return _pct(value, lang)
    digits = 0 if abs(value) >= 100 else 1
    unit = translated(UNITS[figure.unit], lang) if figure.unit in UNITS else figure.unit
    return f"{format_number(value, digits, lang=lang)} ({unit})" if figure.unit else format_number(value, 1, lang=lang)


def _merged_into(profile: Profile) -> MergerEvent | None:
    later = [m for m in profile.mergers if m.role == "was_absorbed" and m.year > DIVISION]
    return later[0] if later else None


def data_note(profile: Profile, lang: str = "en") -> str:
    """Why the 2019 values are not the municipality's own, in the edition ("" when they are)."""
    note = profile.data_note
    if lang == "en" or not note:
        return note
    merged = _merged_into(profile)
    if note.startswith("No data: ") and merged is not None:
        absorbing = local_name(merged.absorbing_code, merged.absorbing, lang, profile)
        return say("note_merged_into", lang, absorbing=absorbing, year=merged.year)
    others = [
        local_name(m.absorbed_code, m.absorbed, lang, profile)
        for m in profile.mergers
        if m.role == "absorbed_others" and m.year > DIVISION
    ]
    return say("note_covers", lang, name=names(profile, lang).name, others=", ".join(others))


def standing(profile: Profile, lang: str = "en") -> str:
    """The first indicator with a value, its rank and the median; missing values named."""
    figures = profile.figures
    present = [f for f in figures if not math.isnan(f.value)]
    missing = [f for f in figures if math.isnan(f.value)]
    name = names(profile, lang).name
    if not present:
        note = data_note(profile, lang)
        reason = say("merged_reason", lang, note=_note_clause(note)) if note else None
        return say("standing_none", lang, year=YEAR, name=name, reason=reason or say("suppressed_reason", lang))
    first = present[0]
    text = say(
        "standing",
        lang,
        year=YEAR,
        name=name,
        rank_phrase=say("rank_phrase", lang, rank=first.rank, n=first.n_ranked),
        label_lower=_label_in_sentence(indicator_label(first, lang)),
        value=_value_text(first, first.value, lang),
        median=_value_text(first, first.median, lang),
    )
    if missing:
        text += say(
            "standing_partial",
            lang,
            year=YEAR,
            name=name,
            missing=_joined([_label_in_sentence(indicator_label(f, lang)) for f in missing], lang),
            why=say("suppressed_reason", lang),
        )
    return text


def _label_in_sentence(label: str) -> str:
    return label[:1].lower() + label[1:]


def _note_clause(note: str) -> str:
    """'No data: merged into X on ...' -> 'merged into X on ...' (the coverage note, inside a sentence)."""
    for prefix in ("No data: ", "Ei tietoja: ", "Uppgifter saknas: "):
        note = note.removeprefix(prefix)
    return note


def _note_sentence(note: str) -> str:
    clause = _note_clause(note)
    return clause[:1].upper() + clause[1:]


def figures_table(profile: Profile, lang: str = "en") -> pd.DataFrame:
    """One row per 2019 indicator: value, rank of n, median municipality (missing = no data)."""
    rows = []
    name = names(profile, lang).name
    for figure in profile.figures:
        has = not math.isnan(figure.value)
        rows.append(
            {
                say("col_indicator", lang): indicator_label(figure, lang),
                say("col_value", lang, name=name): figure.value if has else None,
                say("col_rank", lang): say("rank_cell", lang, rank=figure.rank, n=figure.n_ranked)
                if has
                else TEXT["no_rank"],
                say("col_median", lang): figure.median,
            }
        )
    return pd.DataFrame(rows)


def figures_caption(profile: Profile, lang: str = "en") -> str:
    return say("figures_caption", lang, name=names(profile, lang).name, year=YEAR)


def peers_links(profile: Profile, lang: str = "en") -> list[str]:
    """Markdown links to the peers' pages, in order of similarity."""
    here = municipality_page(profile.code)
    depth = here.count("/")
    prefix = "../" * depth
    return [
        f"[{local_name(code, profile.peer_names[code], lang, profile)}]({prefix}{municipality_page(code)}.html)"
        for code in profile.peers.table["municipality_code"]
    ]


def peers_sentence(profile: Profile, lang: str = "en") -> str:
    result = profile.peers
    name = names(profile, lang).name
    if result.table.empty:
        merged_into = _merged_into(profile)
        if merged_into is not None:
            absorbing = local_name(merged_into.absorbing_code, merged_into.absorbing, lang, profile)
            why = say("peers_why_merged", lang, year=YEAR, absorbing=absorbing)
        else:
            missing = [
                indicator_label(f, lang)
                for f in profile.figures
                if f.indicator in result.indicators and math.isnan(f.value)
            ]
            why = say(
                "peers_why_missing", lang, year=YEAR, missing=_joined([_label_in_sentence(m) for m in missing], lang)
            )
        return say("peers_none", lang, name=name, why=why)
    return say(
        "peers",
        lang,
        n_indicators=len(result.indicators),
        name=name,
        year=YEAR,
        names=_joined(peers_links(profile, lang), lang),
    )


def peers_table(profile: Profile, lang: str = "en") -> pd.DataFrame:
    result = profile.peers
    municipality, distance = say("col_municipality", lang), say("col_distance", lang)
    if result.table.empty:
        return pd.DataFrame(columns=[municipality, distance])
    name = names(profile, lang).name
    rows: list[dict[str, str | float | None]] = [
        {municipality: f"{name} ({say('chosen', lang)})", distance: TEXT["no_rank"]}
    ]
    for row in result.table.itertuples(index=False):
        code = str(row.municipality_code)
        rows.append(
            {
                municipality: local_name(code, profile.peer_names[code], lang, profile),
                distance: float(cast(float, row.distance)),
            }
        )
    return pd.DataFrame(rows)


def peers_caption(profile: Profile, lang: str = "en") -> str:
    return say("peers_caption", lang, name=names(profile, lang).name, n=len(profile.peers.table), year=YEAR)


def families_sentence(profile: Profile, lang: str = "en") -> str:
    frame = profile.families
    n = names(profile, lang)
    own = frame[frame["municipality"].notna()]
    if own.empty:
        return say("families_none", lang, name=n.name, first=FAMILY_YEARS[0], last=FAMILY_YEARS[1])
    last, first = own.iloc[-1], own.iloc[0]
    text = say(
        "families",
        lang,
        last_year=int(last["year"]),
        value=_pct(last["municipality"], lang),
        name=n.name,
        region_value=_pct(last["region"], lang),
        region=n.region,
        group_value=_pct(last["urban_rural"], lang),
        group_lower=n.group_lower,
        finland_value=_pct(last["finland"], lang),
        first_year=int(first["year"]),
        first_value=_pct(first["municipality"], lang),
    )
    gaps = [int(y) for y in frame.loc[frame["municipality"].isna(), "year"]]
    if gaps:
        text += say(
            "families_gaps", lang, name=n.name, n_gaps=len(gaps), n_years=len(frame), gap_years=_years_list(gaps)
        )
    return text


def families_coverage_sentence(profile: Profile, lang: str = "en") -> str:
    cov = profile.families_coverage.set_index("year")
    year = YEAR
    n = names(profile, lang)

    def reporting(role: str) -> str:
        return format_number(float(cast(float, cov.at[year, role])), lang=lang)

    return say(
        "families_coverage",
        lang,
        year=year,
        region_n=reporting("region"),
        region_size=profile.region_size,
        region=n.region,
        group_n=reporting("urban_rural"),
        group_size=profile.group_size,
        group_lower=n.group_lower,
        finland_n=reporting("finland"),
        n_map=profile.facts["n_map"],
    )


def month_label(month: str, lang: str = "en") -> str:
    year, number = month.split("-")
    return say("month", lang, month=translated(MONTHS[int(number) - 1], lang), year=year)


def unemployment_sentence(profile: Profile, lang: str = "en") -> str:
    frame = profile.unemployment
    n = names(profile, lang)
    own = frame[frame["municipality"].notna()]
    if own.empty:
        return say("unemployment_none", lang, name=n.name)
    last, first = own.iloc[-1], own.iloc[0]
    text = say(
        "unemployment",
        lang,
        month_label=month_label(str(last["month"]), lang),
        value=_pct(last["municipality"], lang),
        name=n.name,
        region_value=_pct(last["region"], lang),
        region=n.region,
        group_value=_pct(last["urban_rural"], lang),
        group_lower=n.group_lower,
        finland_value=_pct(last["finland"], lang),
        first_label=month_label(str(first["month"]), lang),
        first_value=_pct(first["municipality"], lang),
    )
    n_gaps = int(frame["municipality"].isna().sum())
    if n_gaps:
        text += say("unemployment_gaps", lang, n_gaps=n_gaps, n_months=len(frame))
    return text


def diak_sentence(profile: Profile, lang: str = "en") -> str:
    frame = profile.diak[profile.diak["variable"] == "long_term_social_assistance_25_64"]
    own = frame[frame["municipality"].notna()]
    n = names(profile, lang)
    if own.empty:
        return say("diak_none", lang, name=n.name)
    last = own.iloc[-1]
    text = say(
        "diak", lang, name=n.name, value=format_number(last["municipality"], 0, lang=lang), year=int(last["year"])
    )
    if pd.isna(last["region"]):
        return text + say("diak_region_none", lang, region=n.region)
    return text + say("diak_region", lang, region=n.region, region_value=format_number(last["region"], 0, lang=lang))


def merger_sentences(profile: Profile, lang: str = "en") -> str:
    name = names(profile, lang).name
    if not profile.mergers:
        return say("mergers_none", lang, name=name)
    parts = []
    for event in profile.mergers:
        if event.role == "absorbed_others":
            parts.append(
                say(
                    "merger_absorbed_others",
                    lang,
                    year=event.year,
                    absorbed=local_name(event.absorbed_code, event.absorbed, lang, profile),
                    absorbed_code=event.absorbed_code,
                    name=name,
                )
            )
        else:
            parts.append(
                say(
                    "merger_was_absorbed",
                    lang,
                    year=event.year,
                    name=name,
                    absorbing=local_name(event.absorbing_code, event.absorbing, lang, profile),
                    absorbing_code=event.absorbing_code,
                )
            )
    if any(e.role == "absorbed_others" and e.year <= DIVISION for e in profile.mergers):
        parts.append(say("merger_series_note", lang))
    return " ".join(parts)


def division_sentence(profile: Profile, lang: str = "en") -> str:
    note = data_note(profile, lang)
    if profile.data_note.startswith("No data: "):
        return say("division_note_merged", lang, year=YEAR, note=_note_sentence(note))
    if note:
        return say("division_note_covers", lang, year=YEAR, note=note)
    return say("division_note_plain", lang, year=YEAR, name=names(profile, lang).name)


def series_labels(profile: Profile, lang: str = "en") -> dict[str, str]:
    n = names(profile, lang)
    return {"municipality": n.name, "region": n.region, "urban_rural": n.group, "finland": n.finland}


def trends_caption(profile: Profile, lang: str = "en") -> str:
    n = names(profile, lang)
    return say(
        "trends_caption",
        lang,
        name=n.name,
        region=n.region,
        group_lower=n.group_lower,
        first=FAMILY_YEARS[0],
        last=FAMILY_YEARS[1],
    )


def _alt_pair(frame: pd.DataFrame, index: str, name: str, lang: str, label=str) -> str:
    own = frame[frame["municipality"].notna()]
    if own.empty:
        return say("alt_none", lang, name=name)
    first, last = own.iloc[0], own.iloc[-1]
    return say(
        "alt_value_pair",
        lang,
        first_value=_pct(first["municipality"], lang),
        first=label(first[index]),
        last_value=_pct(last["municipality"], lang),
        last=label(last[index]),
        name=name,
    )


def trends_alt(profile: Profile, lang: str = "en") -> str:
    name = names(profile, lang).name
    diak = profile.diak[profile.diak["variable"] == "long_term_social_assistance_25_64"]
    own = diak[diak["municipality"].notna()]
    if own.empty:
        diak_alt = say("alt_none", lang, name=name)
    else:
        diak_alt = say(
            "alt_diak_pair",
            lang,
            first_value=format_number(own.iloc[0]["municipality"], 0, lang=lang),
            first=int(own.iloc[0]["year"]),
            last_value=format_number(own.iloc[-1]["municipality"], 0, lang=lang),
            last=int(own.iloc[-1]["year"]),
            name=name,
        )
    return say(
        "trends_alt",
        lang,
        name=name,
        families_alt=_alt_pair(profile.families, "year", name, lang, lambda y: str(int(y))),
        unemployment_alt=_alt_pair(profile.unemployment, "month", name, lang, lambda m: month_label(str(m), lang)),
        diak_alt=diak_alt,
    )


# The page's own paragraphs and headings: the template's markdown only places them, so all
# the family's 309 pages share one translation here instead of one prose catalogue per page.
PROSE: dict[str, str] = {
    "heading_figures": N_("Figures for {year}"),
    "figures_explainer": N_(
        "The table lists the {year} indicators that the book follows throughout, as THL publishes them in "
        "Sotkanet. The rank is the national rank among the municipalities with a published value (1 = the "
        "highest value; tied values share the best rank), and the median municipality is the middle one of "
        "those municipalities. A missing value is shown as *no data* and never counted as zero."
    ),
    "heading_peers": N_("The most similar municipalities"),
    "peers_explainer": N_(
        "Similarity is measured as in the comparisons chapter: each of five {year} indicators (social assistance "
        "recipients aged 25–64, long-term unemployment, low income, tertiary education and the demographic "
        "dependency ratio) is turned into a z-score, and the distance between two municipalities is the "
        "straight-line distance between their z-scores. Municipalities without a value on all five are left "
        "out rather than filled in."
    ),
    "heading_trends": N_("Trends"),
    "trends_explainer": N_(
        "Figure {figure} follows {name} against its region, its urban–rural group and Finland. The region, "
        "group and national lines are computed from counts wherever the data hold them: the families in all "
        "their municipalities receiving social assistance divided by all their families with children, the "
        "unemployed divided by the labour force, never an average of municipal rates."
    ),
    "diak_explainer": N_(
        "Diak's figures are **indices, not rates**: each is the three-year mean of a Sotkanet indicator divided "
        "by the value of the median municipality, times 100 (Diakonia University of Applied Sciences, published "
        "in its repository DiakGit/karttasovellus). They carry no counts, so no index of a region or of Finland "
        "can be computed from them; the chart shows the median of the indices of the region's and of the "
        "group's municipalities, and Finland's median municipality is the dashed line at 100."
    ),
    "heading_mergers": N_("Merger history"),
    "heading_handling": N_("How the data are handled"),
    "handling_division": N_(
        "**Municipal division.** The pages follow the 2021 division used by the book's map ({n_map} "
        "municipalities); a municipality's page is at `municipalities/` followed by its code. {division_sentence} "
        "Rows of the 2025 division are matched to the 2021 map by code: the one municipality of the 2021 map "
        "that no longer exists in 2025 ({pertunmaa}) shows *no data* for {year}, and {mantyharju}'s {year} value "
        "covers both. Rates are never split or added up across a merger."
    ),
    "handling_suppressed": N_(
        "**Suppressed and missing values.** THL withholds counts and rates for small numbers, and some "
        "statistics are not collected for the municipalities of Åland (Diak's panel and several "
        "social-assistance figures cover mainland Finland). Such values are missing: shown as *no data* or as a "
        "gap in a line, left out of ranks, medians and sums, and never treated as zero."
    ),
    "handling_families": N_(
        "**Families with children receiving social assistance** (THL, Sotkanet indicators 423 and 179): "
        "families that received social assistance during the year, as a share of families with children, "
        "1992–2021, back-cast by THL to the 2021 division. Basic social assistance moved from the "
        "municipalities to Kela on 1 January 2017; the indicator counts recipients of social assistance in "
        "total, so a level shift in 2017 would be the same in every municipality. {coverage_sentence}"
    ),
    "handling_unemployment": N_(
        "**Unemployment** (employment service statistics): unemployed job seekers at the end of each month "
        "divided by the year's labour force, January 2006 to October 2020, in the 2020 division; on the 2021 "
        "map {honkajoki}'s counts are added to {kankaanpaa}'s before the rate is computed. Region and group are "
        "Statistics Finland's 2020 classification."
    ),
    "handling_associations": N_(
        "**Associations, not effects.** The page describes; a municipality differing from its region does not say why."
    ),
    "heading_sources": N_("Sources"),
    "sources": N_(
        "Sotkanet indicators and the families series: THL, Sotkanet.fi (CC BY 4.0). Employment service "
        "statistics: Ministry of Economic Affairs and Employment, published by Statistics Finland (CC BY 4.0). "
        "Municipal classifications, boundaries and the record of mergers: Statistics Finland (CC BY 4.0). "
        "Disadvantage indices: Diakonia University of Applied Sciences (Diak), repository "
        "DiakGit/karttasovellus. The pilot municipalities: the press release of the Ministry of Social Affairs "
        "and Health and THL of 10 December 2018 (see [References]({references_link})). Every file, its checksum "
        "and its official source is listed under *Data and sources*; the comparisons chapter puts every "
        "municipality on one map."
    ),
}

# Municipalities the data-handling notes name (by code, so each edition writes its own name).
PERTUNMAA, MANTYHARJU, HONKAJOKI, KANKAANPAA = "588", "507", "099", "214"


def prose(profile: Profile, lang: str = "en", figure: str = "") -> dict[str, str]:
    """The page's headings and paragraphs in the edition (markdown)."""
    n = names(profile, lang)

    def named(code: str) -> str:
        return local_name(code, code, lang, profile)

    values = {
        "year": YEAR,
        "figure": figure,
        "name": n.name,
        "n_map": profile.facts["n_map"],
        "division_sentence": division_sentence(profile, lang),
        "pertunmaa": named(PERTUNMAA),
        "mantyharju": named(MANTYHARJU),
        "coverage_sentence": families_coverage_sentence(profile, lang),
        "honkajoki": named(HONKAJOKI),
        "kankaanpaa": named(KANKAANPAA),
        "references_link": "../pages/references.html",
    }
    return {key: translated(message, lang).format(**values) for key, message in PROSE.items()}


def glue_values(profile: Profile, lang: str = "en", figure: str = "") -> dict[str, str]:
    """Every sentence the page glues into its prose (plain text; ``MARKDOWN`` ones hold links or emphasis)."""
    return {
        "page_title": page_title(profile, lang),
        "name": names(profile, lang).name,
        "intro": intro(profile, lang),
        "standing_sentence": standing(profile, lang),
        "peers_sentence": peers_sentence(profile, lang),
        "families_sentence": families_sentence(profile, lang),
        "unemployment_sentence": unemployment_sentence(profile, lang),
        "diak_sentence": diak_sentence(profile, lang),
        "families_coverage_sentence": families_coverage_sentence(profile, lang),
        "merger_sentence": merger_sentences(profile, lang),
        "division_sentence": division_sentence(profile, lang),
        **prose(profile, lang, figure),
    }


# glued as markdown (links, emphasis); headings are glued as text
MARKDOWN = ("intro", "peers_sentence", *(key for key in PROSE if not key.startswith("heading")))
