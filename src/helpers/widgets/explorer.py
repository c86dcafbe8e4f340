"""A live municipality explorer for researchers working in Jupyter (needs a running kernel).

The logic is one pure function, ``explorer_state(municipality, indicator, group, years)``, that
returns the chart and the table for a choice of controls; the widget (``build_explorer``) only
reads its controls, calls it and redraws an ``Output``. Tests call the function and the widget's
``refresh`` directly, without a browser or a kernel.

What it shows: the 2019 value of one Sotkanet indicator for the chosen municipality and its
comparison group (same region or urban–rural group in Statistics Finland's 2020 classification,
the ten most similar municipalities, the pilot municipalities, or all), and the municipality's
annual unemployment rate against the group's weighted rate (100 × Σ unemployed / Σ labour force
over the group's members, the municipality included) over the chosen years. In the published book
only the saved state shows; Python callbacks cannot run without a kernel.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import altair as alt
import ipywidgets as widgets
import pandas as pd

from helpers import charts
from helpers.analysis import comparisons as cmp
from helpers.charts.comparisons import CHOSEN_COLOUR, ROLE_DOMAIN, ROLE_RANGE, is_pilot_expression
from helpers.charts.style import CHART_WIDTH, OKABE_ITO
from helpers.data import municipalities as munis
from helpers.errors import ParameterError

DEFAULT_INDICATOR = "social_assistance_recipients_25_64_pct"
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


class LiveChart:
    """A chart for a live notebook only: the Vega-Lite spec (drawn natively by JupyterLab and Notebook,
    data files next to the notebook) and a line of text where it cannot be drawn, such as the saved
    widget state in the published book (so the page does not carry a second copy of a figure)."""

    def __init__(self, chart: alt.TopLevelMixin, description: str):
        self.chart = chart
        self.description = description

    def _repr_mimebundle_(self, include=None, exclude=None):
        with alt.data_transformers.enable("book"):
            spec = self.chart.to_dict()
        mimetype = f"application/vnd.vegalite.v{alt.SCHEMA_VERSION.lstrip('v').split('.')[0]}+json"
        return {mimetype: spec, "text/plain": f"[{self.description} Drawn when the notebook runs in Jupyter.]"}


class Explorer(widgets.VBox):
    """The explorer widget: labelled controls and an output redrawn by ``refresh``."""

    def __init__(
        self,
        municipality="Tampere",
        indicator: str = DEFAULT_INDICATOR,
        group: str = "region",
        years=(2006, 2020),
        division: int = cmp.DEFAULT_DIVISION,
    ):
        first, last = unemployment_years()
        catalogue = cmp.indicator_catalogue()
        style = {"description_width": "150px"}
        layout = widgets.Layout(width="640px")  # one shared layout model keeps the saved state small
        self.division = int(division)
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
        self.output = widgets.Output(layout=layout)
        self.chart: alt.HConcatChart | None = None
        self.table: pd.DataFrame | None = None
        self.message = ""  # the last problem with the controls, also shown in the output
        super().__init__(
            children=[self.municipality, self.indicator, self.group, self.years, self.output], layout=layout
        )
        for control in (self.municipality, self.indicator, self.group, self.years):
            control.observe(self._on_change, names="value")
        self.refresh()

    def _on_change(self, change) -> None:
        self.refresh()

    def refresh(self) -> bool:
        """Redraw from the controls; on a bad value say what is wrong (nearest valid names) instead."""
        try:
            chart, table = explorer_state(
                self.municipality.value, self.indicator.value, self.group.value, self.years.value, self.division
            )
        except ParameterError as error:
            self.message = str(error)
            self._show(
                {"text/html": f'<p style="color:#B00020">{html.escape(self.message)}</p>', "text/plain": self.message}
            )
            return False
        self.message = ""
        self.chart, self.table = chart, table
        description = (
            f"Chart: {self.municipality.value} and {cmp.GROUPS[self.group.value].lower()}: 2019 values of "
            f"the indicator, unemployment {self.years.value[0]}–{self.years.value[1]}."
        )
        shown = table.drop(columns="code")
        caption = f"{cmp.GROUPS[self.group.value]}: {len(shown)} municipalities. {SOURCE}"
        self._show(
            LiveChart(chart, description)._repr_mimebundle_(),
            {"text/html": charts.table(shown, caption=caption)._repr_html_(), "text/plain": caption},
        )
        return True

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
) -> Explorer:
    """The explorer as an ipywidgets VBox (display it in a live notebook)."""
    return Explorer(municipality, indicator, group, years, division)
