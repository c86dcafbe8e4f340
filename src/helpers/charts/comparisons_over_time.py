"""The chosen municipality over time: unemployment against its groups and Diak's indices (one figure)."""

from __future__ import annotations

import json
from typing import cast

import altair as alt
import pandas as pd

from helpers.analysis import municipal_comparisons as cmp
from helpers.charts import comparisons_words as words
from helpers.charts.comparisons import (
    DIAK_RANGE,
    FREQUENCY_PARAM,
    TREND_RANGE,
    TREND_ROLES,
    tenths,
    vega_text,
)
from helpers.charts.render import named_data
from helpers.charts.style import layer
from helpers.i18n import MONTHS, _


def _chosen_name(code: str, division: int, lang: str) -> str:
    row = cmp.municipality_frame(division).set_index("municipality_code").loc[code]
    return words.municipality_name(str(row["name_fi"]), str(row["name_sv"]), lang)


def trend_record(code: str, division: int, lang: str = "en") -> pd.DataFrame:
    """The unemployment series of ``code``, its region, urban–rural group and Finland as one record:
    ``m0``…``m3`` monthly and ``a0``…``a3`` annual arrays (tenths; order of ``TREND_ROLES``), and
    ``names``: the four series' names in ``lang``."""
    monthly = cmp.trend_series(code, division, "monthly")
    annual = cmp.trend_series(code, division, "annual")
    months = sorted(monthly["period"].unique())
    years = sorted(annual["period"].unique())
    record: dict[str, list] = {"names": []}
    for k, role in enumerate(TREND_ROLES):
        m = monthly[monthly["role"] == role].set_index("period")["rate"].reindex(months)
        a = annual[annual["role"] == role].set_index("period")["rate"].reindex(years)
        record[f"m{k}"] = tenths(m)
        record[f"a{k}"] = tenths(a)
        names = monthly.loc[monthly["role"] == role, "series"]
        if role == "municipality":
            record["names"].append(_chosen_name(code, division, lang))  # also without a series of its own
        else:
            record["names"].append(words.label(str(names.iloc[0]), lang) if len(names) else "")
    frame = pd.DataFrame({key: [value] for key, value in record.items()})
    frame.attrs.update(first_month=months[0], first_year=int(years[0]), last_month=months[-1])
    return frame


def _trend_panel(code: str, division: int, lang: str = "en") -> tuple[alt.LayerChart, alt.Parameter, list[str]]:
    """Unemployment rate of ``code`` against its region, urban–rural group and Finland, with the
    annual/monthly dropdown (``trend_frequency``); annual = mean of the months (2020: Jan–Oct)."""
    record = trend_record(code, division, lang)
    # A cell holding a list: pandas-stubs can only type a cell as some scalar.
    names = list(cast("list[str]", record.at[0, "names"]))
    y0, m0 = (int(part) for part in record.attrs["first_month"].split("-"))
    first_year = record.attrs["first_year"]
    last = record.attrs["last_month"]
    frequency = alt.param(
        name=FREQUENCY_PARAM,
        value="annual",
        bind=alt.binding_select(
            options=["annual", "monthly"],
            labels=[_("Annual", lang), _("Monthly", lang)],
            name=_("Unemployment series: ", lang),
        ),
    )
    labels = [names[0], _("{name} (region)", lang, name=names[1]), names[2], names[3]]
    labels_expr = "[" + ",".join(json.dumps(label, ensure_ascii=False) for label in labels) + "]"
    source = named_data(record, f"comparisons-trend-{code}")
    monthly = (
        alt.Chart(source)
        .transform_filter(f"{FREQUENCY_PARAM} === 'monthly'")
        .transform_flatten(["m0", "m1", "m2", "m3"])
        .transform_window(i="row_number()")
        .transform_calculate(mi=f"datum.i - 1 + {m0 - 1}")
        .transform_calculate(
            date=f"datetime({y0} + floor(datum.mi / 12), datum.mi % 12, 15)",
            period=f"timeFormat(datetime({y0} + floor(datum.mi / 12), datum.mi % 12, 1), '%Y-%m')",
        )
        .transform_fold(["m0", "m1", "m2", "m3"], as_=["key", "tenths"])
    )
    annual = (
        alt.Chart(source)
        .transform_filter(f"{FREQUENCY_PARAM} === 'annual'")
        .transform_flatten(["a0", "a1", "a2", "a3"])
        .transform_window(i="row_number()")
        .transform_calculate(
            date=f"datetime({first_year - 1} + datum.i, 6, 1)", period=f"({first_year - 1} + datum.i) + ''"
        )
        .transform_fold(["a0", "a1", "a2", "a3"], as_=["key", "tenths"])
    )

    def finish(chart: alt.Chart) -> alt.Chart:
        return (
            chart.transform_filter("isValid(datum.tenths)")
            .transform_calculate(rate="datum.tenths / 10", series=f"{labels_expr}[toNumber(slice(datum.key, 1))]")
            .mark_line(point=alt.OverlayMarkDef(size=14))
            .encode(
                x=alt.X("date:T", title=None, axis=alt.Axis(format="%Y", tickCount=8)),
                y=alt.Y("rate:Q", title=_("Unemployed, % of labour force", lang), scale=alt.Scale(zero=True)),
                color=alt.Color(
                    "series:N",
                    sort=labels,
                    scale=alt.Scale(domain=labels, range=TREND_RANGE),
                    legend=alt.Legend(title=None, orient="bottom", columns=2, labelLimit=280),
                ),
                strokeWidth=alt.condition(
                    f"datum.series === {json.dumps(labels[0], ensure_ascii=False)}", alt.value(2.6), alt.value(1.4)
                ),
                tooltip=[
                    alt.Tooltip("series:N", title=_("Series", lang)),
                    alt.Tooltip("period:N", title=_("Period", lang)),
                    alt.Tooltip("rate:Q", title=_("Unemployed, % of labour force", lang), format=".1f"),
                ],
            )
        )

    panel = layer(
        finish(monthly).properties(name="trend_monthly"), finish(annual).properties(name="trend_annual")
    ).properties(
        name="comparison_trend",
        width=560,
        height=220,
        title=alt.TitleParams(
            text=alt.expr(
                f"{FREQUENCY_PARAM} === 'monthly' ? "
                + vega_text(
                    _("{name}: unemployment rate, monthly, {years}", lang, name=names[0], years=f"{y0}–{last[:4]}")
                )
                + " : "
                + vega_text(
                    _("{name}: unemployment rate, annual, {years}", lang, name=names[0], years=f"{y0}–{last[:4]}")
                )
            ),
            subtitle=_(
                "Annual values are means of the months; the data end in {month} {year}.",
                lang,
                month=_month_name(last, lang),
                year=last[:4],
            ),
            fontSize=12,
            anchor="start",
        ),
    )
    return panel, frequency, labels


def _month_name(month: str, lang: str = "en") -> str:
    """'October' (en), 'lokakuu' (fi), 'oktober' (sv) for a 'YYYY-MM' month."""
    return _(MONTHS[int(month[5:7]) - 1], lang)


def _diak_frame(code: str, division: int, lang: str = "en") -> pd.DataFrame | None:
    series = cmp.diak_series(code, division=division)
    if series.empty:
        return None
    return pd.DataFrame(
        {
            "index": [words.label(str(text), lang) for text in series["label"]],
            "year": series["year_mid"].astype("int64"),
            "value": series["index_value"].round(1),
        }
    )


def _diak_panel(code: str, division: int, lang: str = "en") -> alt.LayerChart | None:
    """Diak indices of ``code`` over time (index, median municipality = 100); None without data."""
    frame = _diak_frame(code, division, lang)
    if frame is None:
        return None
    labels = [words.label(text, lang) for text in cmp.DIAK_VARIABLES.values()]
    lines = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title=_("Centre year of the 3-year mean", lang), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title=_("Index (median municipality = 100)", lang), scale=alt.Scale(zero=False)),
            color=alt.Color(
                "index:N",
                sort=labels,
                scale=alt.Scale(domain=labels, range=DIAK_RANGE[: len(labels)]),
                legend=alt.Legend(title=None, orient="bottom", direction="vertical", labelLimit=400),
            ),
            tooltip=[
                alt.Tooltip("index:N", title=_("Index", lang)),
                alt.Tooltip("year:O", title=_("Centre year", lang)),
                alt.Tooltip("value:Q", title=_("Index (median municipality = 100)", lang), format=".0f"),
            ],
        )
    )
    median = (
        alt.Chart(alt.InlineData(values=[{"y": 100}])).mark_rule(strokeDash=[4, 3], color="#555555").encode(y="y:Q")
    )
    name = _chosen_name(code, division, lang)
    return layer(median.properties(name="diak_median"), lines.properties(name="diak_lines")).properties(
        name="comparison_diak",
        width=560,
        height=200,
        title=alt.TitleParams(
            text=_("{name}: Diak disadvantage indices (an index, not a rate)", lang, name=name),
            subtitle=_("Median municipality = 100 (dashed line); 3-year means centred on the year.", lang),
            fontSize=12,
            anchor="start",
        ),
    )


def over_time_chart(code: str, division: int, lang: str = "en") -> alt.TopLevelMixin:
    """The chosen municipality over time: the unemployment panel and, where Diak covers it, the Diak
    indices below (one figure, so the page carries one embedding)."""
    trend, frequency, _labels = _trend_panel(code, division, lang)
    diak = _diak_panel(code, division, lang)
    chart = trend if diak is None else alt.vconcat(trend, diak, spacing=34).resolve_scale(color="independent")
    return (
        chart.add_params(frequency)
        .properties(
            background="white",
            description=_("Unemployment and Diak indices of the chosen municipality over time", lang),
        )
        .configure_view(stroke=None)
    )
