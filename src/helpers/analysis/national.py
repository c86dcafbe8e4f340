"""National social assistance statistics, 2014–2020, as published, from the book's fact table.

Only figures that appear in the project's facts sheet are used (table `national_statistics`,
transcribed with a citation on every row). Years without a published figure stay missing
(NaN) so charts show them as gaps; nothing is interpolated or estimated.

Series of different scope are different measures: "all social assistance" (basic,
supplementary and preventive together) and "Kela basic assistance only" must never be joined
into one line, so the registry keeps them apart and every row says its scope.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from helpers import data
from helpers.analysis.facts_common import format_value, reader_source
from helpers.errors import DataError, ParameterError
from helpers.text import nearest_names

NATIONAL_TABLE = "national_statistics"
YEARS: tuple[int, ...] = tuple(range(2014, 2021))

SCOPES: dict[str, str] = {
    "all_social_assistance": "All social assistance (basic, supplementary and preventive)",
    "kela_basic": "Basic social assistance decided by Kela only",
    "not_stated": "Scope not stated in the source",
}


@dataclass(frozen=True)
class Measure:
    """One published series: what it counts, in which unit, and for which part of the system."""

    label: str
    unit: str
    scope: str
    kind: str  # "level" (a stock or flow in a year) or "change" (published change on the year before)
    area: str = "Finland"


MEASURES: dict[str, Measure] = {
    "recipients_persons_any_assistance": Measure(
        "Persons in households receiving social assistance", "persons", "all_social_assistance", "level"
    ),
    "households_any_assistance": Measure(
        "Households receiving social assistance", "households", "all_social_assistance", "level"
    ),
    "expenditure_total_meur": Measure("Total expenditure on social assistance", "M€", "all_social_assistance", "level"),
    "recipients_share_of_population_pct": Measure(
        "Recipients as a share of the population", "% of population", "all_social_assistance", "level"
    ),
    "kela_basic_persons": Measure("Persons receiving Kela basic assistance", "persons", "kela_basic", "level"),
    "kela_basic_households": Measure("Households receiving Kela basic assistance", "households", "kela_basic", "level"),
    "kela_basic_expenditure_meur": Measure("Kela basic assistance paid", "M€", "kela_basic", "level"),
    "kela_basic_applicant_households": Measure(
        "Households applying for Kela basic assistance", "households", "kela_basic", "level"
    ),
    "kela_basic_households_share_of_applicants_pct": Measure(
        "Receiving households as a share of applicant households",
        "% of applicant households",
        "kela_basic",
        "level",
    ),
    "kela_basic_persons_18_24": Measure(
        "Kela basic-assistance recipients aged 18–24", "persons", "kela_basic", "level"
    ),
    "kela_basic_persons_25_plus": Measure(
        "Kela basic-assistance recipients aged 25 or over", "persons", "kela_basic", "level"
    ),
    "kela_basic_expenditure_change_pct": Measure(
        "Change in Kela basic assistance paid", "% change on 2017", "kela_basic", "change"
    ),
    "kela_basic_households_change_pct": Measure(
        "Change in households receiving Kela basic assistance", "% change on 2017", "kela_basic", "change"
    ),
    "kela_basic_persons_change_pct": Measure(
        "Change in persons receiving Kela basic assistance", "% change on 2017", "kela_basic", "change"
    ),
    "kela_basic_persons_18_24_change_pct": Measure(
        "Change in Kela basic-assistance recipients aged 18–24", "% change on 2017", "kela_basic", "change"
    ),
    "kela_basic_persons_25_plus_change_pct": Measure(
        "Change in Kela basic-assistance recipients aged 25 or over", "% change on 2017", "kela_basic", "change"
    ),
    "kela_basic_recipients_change_pct": Measure(
        "Change in Kela basic-assistance recipients", "% change on 2019", "kela_basic", "change"
    ),
    "six_cities_basic_households": Measure(
        "Basic-assistance households in the six largest cities",
        "households",
        "kela_basic",
        "level",
        "Six largest cities (incl. Tampere)",
    ),
    "six_cities_basic_persons": Measure(
        "Persons in basic-assistance households in the six largest cities",
        "persons",
        "kela_basic",
        "level",
        "Six largest cities (incl. Tampere)",
    ),
    "six_cities_gross_cost_meur": Measure(
        "Gross cost of social assistance in the six largest cities",
        "M€",
        "not_stated",
        "level",
        "Six largest cities (incl. Tampere)",
    ),
}

# What the background chapter shows unless a parameter says otherwise: national levels, the
# four "all assistance" series first, then the Kela basic series in their own panels.
DEFAULT_MEASURES: tuple[str, ...] = (
    "recipients_persons_any_assistance",
    "households_any_assistance",
    "expenditure_total_meur",
    "recipients_share_of_population_pct",
    "kela_basic_persons",
    "kela_basic_households",
    "kela_basic_expenditure_meur",
)

NATIONAL_COLUMNS = (
    "measure",
    "label",
    "year",
    "value",
    "value_text",
    "qualifier",
    "unit",
    "scope",
    "scope_label",
    "area",
    "status",
    "source",
    "bibkey",
    "note",
)
PUBLISHED = "published"
NOT_PUBLISHED = "no published figure in the book's sources"


# --- loading ---------------------------------------------------------------------------------


def load_fact_table(table_id: str) -> pd.DataFrame:
    """Return the fact table `table_id` (file stem in data/facts) as a fresh DataFrame.

    Loaded through `helpers.data.load`, which verifies the file against its checksum in
    data/datapackage.json (resources with `x-location: repo`) and raises ParameterError naming
    the nearest ids for an unknown table. Empty text cells become missing values.
    """
    frame = data.load(table_id).copy()
    for column in frame.columns:
        if pd.api.types.is_string_dtype(frame[column]) or frame[column].dtype == object:
            frame[column] = frame[column].replace("", np.nan)
    return frame


def require_columns(frame: pd.DataFrame, table_id: str, columns) -> None:
    """Raise DataError naming the fact table and the missing columns."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"Fact table '{table_id}' (data/facts/{table_id}.csv) lacks column(s) {missing}; "
            f"found {list(frame.columns)}. Fix: add the column(s) to the CSV header."
        )


def published_text(values: pd.Series) -> pd.Series:
    """Figures as written in the fact table ("716.0" keeps its published decimal).

    If a loader has already parsed the column as numbers, the text is rebuilt from them (a
    trailing ".0" is then lost); `raw_column_text` gives the cells exactly as written.
    """
    if pd.api.types.is_string_dtype(values) or values.dtype == object:
        return values.astype("str").where(values.notna(), None)
    return values.map(lambda v: None if pd.isna(v) else f"{v:g}")


def raw_column_text(table_id: str, column: str) -> list[str | None]:
    """The cells of one column exactly as written in data/facts/<table_id>.csv, in row order.

    The loader types numeric columns, so "716.0" arrives as 716.0 and its published decimal
    would be lost in labels; this reads the same checksum-verified file as text.
    """
    from helpers.data.loaders import verified_file  # the file helpers.data.load has just verified

    path, _ = verified_file(table_id)
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows and column not in rows[0]:
        raise DataError(f"data/facts/{table_id}.csv has no column '{column}'. Fix: restore the CSV header.")
    return [row[column] or None for row in rows]


def to_number(frame: pd.DataFrame, column: str, table_id: str) -> pd.Series:
    """Numeric version of a text column; a non-empty cell that is not a number is an error."""
    raw = frame[column]
    numbers = pd.to_numeric(raw, errors="coerce").astype("float64")
    bad = raw.notna() & numbers.isna()
    if bad.any():
        rows = [int(i) + 2 for i in np.flatnonzero(bad.to_numpy())]  # +2: header line, 1-based
        raise DataError(
            f"Fact table '{table_id}', column '{column}': not a number on line(s) {rows} "
            f"(found {raw[bad].tolist()}). Fix: write plain numbers with '.' as decimal point."
        )
    return numbers


# --- the national table ----------------------------------------------------------------------


def national_statistics() -> pd.DataFrame:
    """Every row of the national statistics fact table, typed (year int, value float), checked.

    Checks that each measure is in MEASURES with the same unit and scope, and that no
    (year, measure) appears twice, so a transcription slip fails loudly here.
    """
    table = load_fact_table(NATIONAL_TABLE)
    require_columns(
        table,
        NATIONAL_TABLE,
        ["year", "measure", "value", "qualifier", "unit", "scope", "area", "source", "bibkey", "note"],
    )
    frame = table.copy()
    frame["year"] = to_number(frame, "year", NATIONAL_TABLE).astype("int64")
    frame["value_text"] = published_text(frame["value"])
    frame["value"] = to_number(frame, "value", NATIONAL_TABLE)
    # Keep the published decimals ("716.0") where the file's text is the same number.
    raw_text = raw_column_text(NATIONAL_TABLE, "value")
    if len(raw_text) == len(frame):
        same = [
            text is not None and not np.isnan(value) and float(text) == value
            for text, value in zip(raw_text, frame["value"])
        ]
        frame["value_text"] = [t if ok else old for t, ok, old in zip(raw_text, same, frame["value_text"])]

    unknown = sorted(set(frame["measure"]) - set(MEASURES))
    if unknown:
        raise DataError(
            f"data/facts/{NATIONAL_TABLE}.csv has measure(s) {unknown} that are not in "
            "helpers.analysis.national.MEASURES. Fix: add them to MEASURES (label, unit, scope) "
            "or correct the spelling in the CSV."
        )
    for row in frame.itertuples(index=False):
        measure = MEASURES[str(row.measure)]
        if (row.unit, row.scope, row.area) != (measure.unit, measure.scope, measure.area):
            raise DataError(
                f"data/facts/{NATIONAL_TABLE}.csv, {row.year} {row.measure}: unit/scope/area "
                f"{(row.unit, row.scope, row.area)!r} differ from MEASURES "
                f"{(measure.unit, measure.scope, measure.area)!r}. Fix: make the CSV and the registry agree."
            )
    duplicated = frame.duplicated(["year", "measure"], keep=False)
    if duplicated.any():
        pairs = frame.loc[duplicated, ["year", "measure"]].drop_duplicates().values.tolist()
        raise DataError(
            f"data/facts/{NATIONAL_TABLE}.csv has more than one row for {pairs}. "
            "Fix: keep one figure per year and measure (a second source goes in the note)."
        )
    return frame.reset_index(drop=True)


def validate_series_parameter(value) -> tuple[str, ...]:
    """Check the notebook parameter naming which national series to show; return measure ids.

    Accepts None or "default" (the chapter's default series), "all", one id, a comma-separated
    string of ids, or a list/tuple of ids; inside a list, "default" and "all" stand for their
    series (a notebook's `list[str]` parameter arrives as ["default"]). Unknown ids raise
    ParameterError naming the nearest valid ids.
    """
    if value is None:
        return DEFAULT_MEASURES
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.lower() == "default":
            return DEFAULT_MEASURES
        if stripped.lower() == "all":
            return tuple(MEASURES)
        names = [part.strip() for part in stripped.split(",") if part.strip()]
    elif isinstance(value, (list, tuple)):
        if not all(isinstance(item, str) for item in value):
            raise ParameterError(
                f"series must list measure ids as strings; got {value!r}. "
                f"Fix: e.g. series = {list(DEFAULT_MEASURES[:2])!r}."
            )
        names = [item.strip() for item in value]
    else:
        raise ParameterError(
            f"series must be a measure id, a comma-separated string or a list of ids; got "
            f'{type(value).__name__} {value!r}. Fix: e.g. series = "{DEFAULT_MEASURES[0]}" or "all".'
        )
    if not names:
        raise ParameterError(
            'series is empty. Fix: name at least one measure id, or use "default" or "all". '
            f"Valid ids: {', '.join(MEASURES)}."
        )
    shortcuts = {"default": DEFAULT_MEASURES, "all": tuple(MEASURES)}
    names = [expanded for name in names for expanded in shortcuts.get(name.lower(), (name,))]
    for name in names:
        if name not in MEASURES:
            nearest = nearest_names(name, MEASURES)
            hint = f"Nearest valid ids: {', '.join(nearest)}." if nearest else ""
            raise ParameterError(
                f"Unknown national series '{name}'. {hint} "
                f'Fix: use one of {", ".join(MEASURES)}, or "default" / "all".'
            )
    return tuple(dict.fromkeys(names))  # drop repeats, keep order


def published_figures() -> dict[str, float]:
    """Every national figure of the fact table keyed "<measure>_<year>", as a plain float.

    For `glue` in the chapter prose, so no figure is typed by hand; plain floats (not numpy
    scalars) so the glued text can be formatted ("{glue:text}`key:,.0f`").
    """
    table = national_statistics()
    return {f"{row.measure}_{row.year}": float(cast(float, row.value)) for row in table.itertuples(index=False)}


def published_table(measures=None) -> pd.DataFrame:
    """The chart's published points as the book's table: one row per figure, with its source.

    Years without a published figure are not rows here (the chart shows them as gaps and the
    chapter's caveats name them). `Figure` keeps the published precision and qualifier.
    """
    series = national_series(measures)
    published = series[series["value"].notna()]
    columns = zip(published["value"], published["qualifier"], published["unit"], published["value_text"])
    return pd.DataFrame(
        {
            "Series": published["label"],
            "Scope": published["scope_label"],
            "Year": published["year"].astype("int64"),
            "Figure": [format_value(v, q, u, text=t) for v, q, u, t in columns],
            "Source": published["source"].map(reader_source),
            "Note": published["note"].fillna(""),
        }
    ).reset_index(drop=True)


def national_series(measures=None) -> pd.DataFrame:
    """Published national figures on a full grid of years 2014–2020 for the chosen measures.

    One row per measure and year, in the order of `measures` then year. A year without a
    published figure has value NaN, status "no published figure ..." and no source: the chart
    shows a gap there and the table says why. Published rows carry source and bibkey.
    """
    chosen = validate_series_parameter(measures)
    table = national_statistics()
    table = table[table["measure"].isin(chosen) & table["year"].isin(YEARS)]
    grid = pd.DataFrame([(measure, year) for measure in chosen for year in YEARS], columns=["measure", "year"])
    merged = grid.merge(
        table[["measure", "year", "value", "value_text", "qualifier", "source", "bibkey", "note"]],
        on=["measure", "year"],
        how="left",
        validate="one_to_one",
    )
    merged["label"] = merged["measure"].map(lambda m: MEASURES[m].label)
    merged["unit"] = merged["measure"].map(lambda m: MEASURES[m].unit)
    merged["scope"] = merged["measure"].map(lambda m: MEASURES[m].scope)
    merged["scope_label"] = merged["scope"].map(SCOPES)
    merged["area"] = merged["measure"].map(lambda m: MEASURES[m].area)
    merged["status"] = np.where(merged["value"].notna(), PUBLISHED, NOT_PUBLISHED)
    merged["year"] = merged["year"].astype("int64")
    merged["value"] = merged["value"].astype("float64")
    return merged[list(NATIONAL_COLUMNS)].reset_index(drop=True)


def measure_table() -> pd.DataFrame:
    """The MEASURES registry as a table (id, label, unit, scope, kind, area) for a parameters page."""
    return pd.DataFrame(
        [
            {
                "measure": key,
                "label": m.label,
                "unit": m.unit,
                "scope": m.scope,
                "scope_label": SCOPES[m.scope],
                "kind": m.kind,
                "area": m.area,
                "default": key in DEFAULT_MEASURES,
            }
            for key, m in MEASURES.items()
        ]
    )
