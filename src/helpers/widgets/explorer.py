"""A live municipality explorer for researchers working in Jupyter (needs a running kernel).

The logic is one pure function, ``explorer_state(municipality, indicator, group, years)``, that
returns the chart and the table for a choice of controls; the widget (``build_explorer``) only
reads its controls, calls it and redraws an ``Output``. Tests call the function and the widget's
``refresh`` directly, without a browser or a kernel.

What it shows: the 2019 value of one Sotkanet indicator for the chosen municipality and its
comparison group (same region or urban–rural group in Statistics Finland's 2020 classification,
the ten most similar municipalities, the pilot municipalities, or all), and the municipality's
annual unemployment rate against the group's weighted rate (100 × Σ unemployed / Σ labour force
over the group's members, the municipality included) over the chosen years, with a sentence
saying where the municipality stands. The chart is drawn as SVG by vl-convert in the kernel, so it
shows in any front end (JupyterLab 4 renders Vega-Lite 5 only) and is exactly what "Chart as SVG"
exports. The export buttons write the table shown (CSV) and the chart (SVG, PNG) into ``exports/``
next to the notebook. In the published book only the saved state shows; Python callbacks cannot run
without a kernel.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import ipywidgets as widgets
import pandas as pd
import vl_convert

from helpers import charts
from helpers.analysis import municipal_comparisons as cmp
from helpers.charts.comparisons import CHOSEN_COLOUR, ROLE_DOMAIN, ROLE_RANGE, is_pilot_expression
from helpers.charts.style import CHART_WIDTH, OKABE_ITO
from helpers.data import municipalities as munis
from helpers.errors import ParameterError

DEFAULT_INDICATOR = "social_assistance_recipients_25_64_pct"
EXPORT_FOLDER = "exports"  # next to the notebook: the kernel's working folder
EXPORT_KINDS = ("csv", "svg", "png")
PNG_SCALE = 2.0  # twice the chart's pixel size: sharp on high-density screens and in slides
SOURCE = (
    "Sources: THL, Sotkanet.fi (CC BY 4.0); Ministry of Economic Affairs and Employment, employment "
    "service statistics via Statistics Finland (CC BY 4.0)."
)


@dataclass(frozen=True)
class ExplorerChoice:
    """The explorer's controls, validated: a code, an indicator id, a group key and a year span."""

    code: str
    name: str
    indicator: str
    group: str
    years: tuple[int, int]
    division: int


def unemployment_years() -> tuple[int, int]:
    years = cmp.data.load(cmp.UNEMPLOYMENT)["year"]
    return int(years.min()), int(years.max())


def resolve_choice(municipality, indicator, group, years, division: int = cmp.DEFAULT_DIVISION) -> ExplorerChoice:
    """Validate the controls; ParameterError says what is wrong and lists valid or nearest values."""
    try:
        code = munis.resolve(municipality, year=int(division))
    except ParameterError as error:
        raise ParameterError(f"municipality: {error}") from None
    names = cmp.municipality_frame(division).set_index("municipality_code")
    if code not in names.index:
        raise ParameterError(f"municipality: {code} has no boundary in the {division} division")
    indicator = cmp.resolve_indicator(indicator)
    if group not in cmp.GROUPS:
        cmp.group_members(code, group, division)  # raises with the nearest group names
    first, last = unemployment_years()
    try:
        start, end = (int(y) for y in years)
    except (TypeError, ValueError):
        raise ParameterError(f"years: give (first, last), e.g. ({first}, {last}); found {years!r}") from None
    if not first <= start <= end <= last:
        raise ParameterError(f"years: {start}–{end} is outside the unemployment data {first}–{last} (or reversed)")
    return ExplorerChoice(code, str(names.at[code, "name_fi"]), indicator, group, (start, end), int(division))


def explorer_table(choice: ExplorerChoice) -> pd.DataFrame:
    """The comparison group: 2019 value and national rank of the indicator, and the unemployment rate
    in the last chosen year; sorted by value (highest first; no data last), then name."""
    members = cmp.group_members(choice.code, choice.group, choice.division)
    frame = cmp.comparison_table(2019, choice.division).set_index("municipality_code").loc[members]
    values = cmp.indicator_values(2019)
    ranks = cmp.national_ranks(values[[choice.indicator]])[choice.indicator]
    data_code = cmp.coverage(choice.division, cmp.SOTKANET).set_index("municipality_code")["data_code"]
    annual = cmp.annual_unemployment(choice.division)
    last = annual[annual["year"] == choice.years[1]].set_index("municipality_code")["rate"]
    unit = cmp.indicator_catalogue().set_index("indicator").at[choice.indicator, "unit"]
    table = pd.DataFrame(
        {
            "code": frame.index,
            "Municipality": [cmp.display_name(fi, sv) for fi, sv in zip(frame["name_fi"], frame["name_sv"])],
            f"{cmp.indicator_label(choice.indicator, with_unit=False)} ({unit}), 2019": frame[choice.indicator]
            .astype("float64")
            .to_numpy(),
            "National rank (1 = highest)": [
                None if pd.isna(r) else str(int(r)) for r in data_code.reindex(frame.index).map(ranks)
            ],
            f"Unemployment rate {choice.years[1]} (%)": last.reindex(frame.index).astype("float64").to_numpy(),
        }
    )
    value_column = table.columns[2]
    table["_missing"] = table[value_column].isna()
    table = table.sort_values(["_missing", value_column, "Municipality"], ascending=[True, False, True])
    return table.drop(columns="_missing").reset_index(drop=True)


def explorer_chart(choice: ExplorerChoice, table: pd.DataFrame) -> alt.HConcatChart:
    """Bars of the group's 2019 values (the chosen municipality in black, pilots in vermillion) and
    the unemployment rate of the municipality against the group's weighted rate."""
    value_column = table.columns[2]
    bars_data = table[table[value_column].notna()].assign(
        n=table["Municipality"], value=table[value_column].round(2), c=table["code"]
    )[["c", "n", "value"]]
    group_label = cmp.GROUPS[choice.group].lower()
    bars = (
        alt.Chart(bars_data)
        .transform_calculate(
            role=f"datum.c === '{choice.code}' ? '{ROLE_DOMAIN[0]}' : "
            f"({is_pilot_expression()} ? '{ROLE_DOMAIN[1]}' : '{ROLE_DOMAIN[2]}')"
        )
        .mark_bar()
        .encode(
            y=alt.Y("n:N", sort="-x", title=None, axis=alt.Axis(labelLimit=150)),
            x=alt.X("value:Q", title=value_column),
            color=alt.Color(
                "role:N",
                scale=alt.Scale(domain=ROLE_DOMAIN, range=ROLE_RANGE),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=[alt.Tooltip("n:N", title="Municipality"), alt.Tooltip("value:Q", title="Value", format=",.1f")],
        )
        .properties(width=260, height=alt.Step(12), title=f"{choice.name} and {group_label}, 2019")
    )
    members = cmp.group_members(choice.code, choice.group, choice.division)
    start, end = choice.years
    own = cmp.annual_unemployment(choice.division)
    own = own[(own["municipality_code"] == choice.code) & own["year"].between(start, end)]
    group = cmp.group_unemployment(members, choice.division)
    group = group[group["year"].between(start, end)]
    lines_data = pd.concat(
        [
            pd.DataFrame({"year": own["year"], "rate": own["rate"].round(2), "series": choice.name}),
            pd.DataFrame({"year": group["year"], "rate": group["rate"].round(2), "series": f"Group: {group_label}"}),
        ],
        ignore_index=True,
    )
    series = [choice.name, f"Group: {group_label}"]
    lines = (
        alt.Chart(lines_data)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title=None),
            y=alt.Y("rate:Q", title="Unemployed, % of labour force"),
            color=alt.Color(
                "series:N",
                sort=series,
                scale=alt.Scale(domain=series, range=[CHOSEN_COLOUR, OKABE_ITO["blue"]]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("rate:Q", title="Unemployment rate, %", format=".1f"),
            ],
        )
        .properties(width=CHART_WIDTH - 360, height=220, title=f"Unemployment rate {start}–{end}")
    )
    return (
        alt.hconcat(bars, lines, spacing=30)
        .resolve_scale(color="independent")
        .properties(background="white", title=f"Explorer: {choice.name}, {cmp.indicator_label(choice.indicator)}")
    )


def explorer_state(
    municipality="Tampere",
    indicator: str = DEFAULT_INDICATOR,
    group: str = "region",
    years=(2006, 2020),
    division: int = cmp.DEFAULT_DIVISION,
) -> tuple[alt.HConcatChart, pd.DataFrame]:
    """The explorer's chart and table for a choice of controls (the widget's callback logic)."""
    choice = resolve_choice(municipality, indicator, group, years, division)
    table = explorer_table(choice)
    return explorer_chart(choice, table), table


def shown_table(table: pd.DataFrame) -> pd.DataFrame:
    """The table as the explorer shows and exports it (the code column named for readers)."""
    return table.rename(columns={"code": "Municipality code"})


def explorer_summary(choice: ExplorerChoice, table: pd.DataFrame) -> str:
    """One paragraph saying where the municipality stands: its value and national rank, the
    group's range, and its unemployment rate in the last chosen year against the group's."""
    value_column, rank_column, unemployment_column = table.columns[2], table.columns[3], table.columns[4]
    row = table.set_index("code").loc[choice.code]
    name = row["Municipality"]
    unit = cmp.indicator_catalogue().set_index("indicator").at[choice.indicator, "unit"]
    measure = cmp.indicator_label(choice.indicator, with_unit=False)
    group_label = cmp.GROUPS[choice.group].lower()
    if pd.isna(row[value_column]):
        standing = f"{name} has no 2019 value of {measure} (suppressed or not reported)."
    else:
        n_ranked = int(cmp.indicator_values(2019)[choice.indicator].notna().sum())
        standing = (
            f"{name}: {row[value_column]:,.1f} ({unit}) in 2019, national rank {row[rank_column]} of {n_ranked} "
            "(1 = highest)."
        )
    with_data = table[table[value_column].notna()]
    if with_data.empty:
        spread = f"No municipality of the group ({group_label}) has a 2019 value."
    else:
        high, low = with_data.iloc[0], with_data.iloc[-1]
        spread = (
            f"Comparison group ({group_label}, {len(table)} municipalities, {len(with_data)} with a value): "
            f"from {low[value_column]:,.1f} ({low['Municipality']}) to {high[value_column]:,.1f} "
            f"({high['Municipality']})."
        )
    year = choice.years[1]
    members = cmp.group_members(choice.code, choice.group, choice.division)
    group_rates = cmp.group_unemployment(members, choice.division).set_index("year")["rate"]
    own_rate = row[unemployment_column]
    if pd.isna(own_rate) or year not in group_rates.index:
        unemployment = f"No unemployment rate for {year}."
    else:
        unemployment = (
            f"Unemployment rate {year}: {own_rate:,.1f} % in {choice.name}, {group_rates.at[year]:,.1f} % in the "
            "group (all its unemployed over its whole labour force)."
        )
    return " ".join([standing, spread, unemployment])


def _inline_spec(chart: alt.TopLevelMixin) -> dict:
    # vl-convert renders in-process and cannot read the book's chart-data files: rows go inline.
    with alt.data_transformers.enable("default"):
        return chart.to_dict()


def _vegalite_version() -> str | None:
    """The Vega-Lite version Altair writes, when vl-convert has it (else vl-convert's default)."""
    version = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return version if version in vl_convert.get_vegalite_versions() else None


def chart_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as a standalone SVG document, rendered offline by vl-convert."""
    return vl_convert.vegalite_to_svg(_inline_spec(chart), vl_version=_vegalite_version())


def chart_png(chart: alt.TopLevelMixin, scale: float = PNG_SCALE) -> bytes:
    """The chart as PNG bytes, rendered offline by vl-convert at ``scale`` times its pixel size."""
    return vl_convert.vegalite_to_png(_inline_spec(chart), vl_version=_vegalite_version(), scale=scale)


def table_csv(table: pd.DataFrame) -> str:
    """The table shown, as CSV: same columns and rows in the same order, values unrounded."""
    return shown_table(table).to_csv(index=False)


def export_stem(choice: ExplorerChoice) -> str:
    """A file name that says what was exported: municipality code, indicator, group and years."""
    return f"explorer_{choice.code}_{choice.indicator}_{choice.group}_{choice.years[0]}-{choice.years[1]}"


def write_export(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole or not at all (a failed write leaves any earlier export)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def chart_bundle(svg: str, description: str) -> dict:
    """The chart as the explorer shows it: the SVG, with a line of text where images are not drawn."""
    return {"image/svg+xml": svg, "text/plain": f"[{description}]"}


class Explorer(widgets.VBox):
    """The explorer widget: labelled controls, an output redrawn by ``refresh`` (a sentence, the
    chart, the table) and buttons exporting what is shown into ``export_dir``."""

    def __init__(
        self,
        municipality="Tampere",
        indicator: str = DEFAULT_INDICATOR,
        group: str = "region",
        years=(2006, 2020),
        division: int = cmp.DEFAULT_DIVISION,
        export_dir: str | Path | None = None,
    ):
        first, last = unemployment_years()
        catalogue = cmp.indicator_catalogue()
        style = {"description_width": "150px"}
        layout = widgets.Layout(width="640px")  # one shared layout model keeps the saved state small
        self.division = int(division)
        self.export_dir = Path(export_dir) if export_dir is not None else Path(EXPORT_FOLDER)
        self.municipality = widgets.Text(
            value=str(municipality),
            description="Municipality",
            placeholder="Finnish or Swedish name, or code",
            continuous_update=False,
            style=style,
            layout=layout,
        )
        self.indicator = widgets.Dropdown(
            options=[(f"{r.indicator_label} ({r.unit})", r.indicator) for r in catalogue.itertuples()],
            value=cmp.resolve_indicator(indicator),
            description="Indicator (2019)",
            style=style,
            layout=layout,
        )
        self.group = widgets.Dropdown(
            options=[(label, key) for key, label in cmp.GROUPS.items()],
            value=group,
            description="Comparison group",
            style=style,
            layout=layout,
        )
        self.years = widgets.IntRangeSlider(
            value=tuple(years),
            min=first,
            max=last,
            step=1,
            description="Unemployment years",
            style=style,
            layout=layout,
        )
        self.export_buttons = {
            kind: widgets.Button(description=label, tooltip=f"Write {EXPORT_FOLDER}/….{kind} next to the notebook")
            for kind, label in (("csv", "Table as CSV"), ("svg", "Chart as SVG"), ("png", "Chart as PNG"))
        }
        for kind, button in self.export_buttons.items():
            button.on_click(lambda _button, kind=kind: self.export(kind))
        self.export_status = widgets.HTML(value="")
        self.output = widgets.Output(layout=layout)
        self.choice: ExplorerChoice | None = None
        self.chart: alt.HConcatChart | None = None
        self.table: pd.DataFrame | None = None
        self.summary = ""
        self.svg = ""
        self._view: tuple[dict, ...] = ()  # the output bundles of the last good state
        self.message = ""  # the last problem with the controls, also shown in the output
        exports = widgets.HBox([widgets.Label("Export what is shown:"), *self.export_buttons.values()])
        super().__init__(
            children=[
                self.municipality,
                self.indicator,
                self.group,
                self.years,
                exports,
                self.export_status,
                self.output,
            ],
            layout=layout,
        )
        for control in (self.municipality, self.indicator, self.group, self.years):
            control.observe(self._on_change, names="value")
        self.refresh()

    def _on_change(self, change) -> None:
        self.refresh()

    def refresh(self) -> bool:
        """Redraw from the controls; on a bad value say what is wrong (nearest valid names) instead."""
        try:
            choice = resolve_choice(
                self.municipality.value, self.indicator.value, self.group.value, self.years.value, self.division
            )
        except ParameterError as error:
            # Say what is wrong above the last good view, which stays (and is what the buttons export).
            self.message = str(error)
            problem = {
                "text/html": f'<p style="color:#B00020">{html.escape(self.message)}</p>',
                "text/plain": self.message,
            }
            self._show(problem, *self._view)
            return False
        table = explorer_table(choice)
        chart = explorer_chart(choice, table)
        self.message = ""
        self.choice, self.chart, self.table = choice, chart, table
        self.summary = explorer_summary(choice, table)
        self.svg = chart_svg(chart)
        description = (
            f"Chart: {choice.name} and {cmp.GROUPS[choice.group].lower()}: 2019 values of the indicator, "
            f"unemployment {choice.years[0]}–{choice.years[1]}."
        )
        shown = shown_table(table)
        caption = f"{cmp.GROUPS[choice.group]}: {len(shown)} municipalities. {SOURCE}"
        self._view = (
            {"text/html": f'<p class="explorer-summary">{html.escape(self.summary)}</p>', "text/plain": self.summary},
            chart_bundle(self.svg, description),
            {"text/html": charts.table(shown, caption=caption)._repr_html_(), "text/plain": caption},
        )
        self._show(*self._view)
        return True

    def export(self, kind: str) -> Path | None:
        """Write what is shown (``csv``: the table; ``svg``/``png``: the chart) into ``export_dir``;
        say where in ``export_status``. Returns the path, or None when nothing could be written."""
        if kind not in EXPORT_KINDS:
            raise ParameterError(f"export kind {kind!r} is unknown; valid: {', '.join(EXPORT_KINDS)}")
        if self.choice is None or self.chart is None or self.table is None:
            self._status("Nothing to export yet: fix the controls first.", error=True)
            return None
        if kind == "csv":
            data = table_csv(self.table).encode("utf-8")
        elif kind == "svg":
            data = self.svg.encode("utf-8")
        else:
            data = chart_png(self.chart)
        path = self.export_dir / f"{export_stem(self.choice)}.{kind}"
        try:
            write_export(path, data)
        except OSError as error:
            self._status(
                f"Could not write {path}: {error.strerror or error}. Fix: check the folder can be written.", error=True
            )
            return None
        what = f"the table ({len(self.table)} rows)" if kind == "csv" else f"the chart ({kind.upper()})"
        self._status(f"Wrote {what} to {path}")
        return path

    def _status(self, text: str, error: bool = False) -> None:
        colour = ' style="color:#B00020"' if error else ""
        self.export_status.value = f'<span class="explorer-export-status"{colour}>{html.escape(text)}</span>'

    def _show(self, *bundles: dict) -> None:
        # Set the Output's outputs directly (not `with output: display(...)`): the drawing then
        # lives in the widget's state whether or not a front end is listening, so a kernel run by
        # papermill or nbval never sees it as a cell output.
        self.output.outputs = tuple({"output_type": "display_data", "data": b, "metadata": {}} for b in bundles)

    def __repr__(self) -> str:  # the text shown where widgets cannot be drawn (and compared by nbval)
        return "Municipality explorer (ipywidgets): needs a live Jupyter kernel"


def build_explorer(
    municipality="Tampere",
    indicator: str = DEFAULT_INDICATOR,
    group: str = "region",
    years=(2006, 2020),
    division: int = cmp.DEFAULT_DIVISION,
    export_dir: str | Path | None = None,
) -> Explorer:
    """The explorer as an ipywidgets VBox (display it in a live notebook); exports go to
    ``export_dir`` (default ``exports/`` in the kernel's working folder, i.e. next to the notebook)."""
    return Explorer(municipality, indicator, group, years, division, export_dir)
