"""Trend charts drawn from aggregated indicator tables (never from records).

Charts are Vega-Lite specifications built with Altair. In JupyterLab they show
through the Vega-Lite mimetype; in member HTML the export template draws them
with the Vega libraries inlined once in the page (see :mod:`perfkit.htmlexport`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import polars as pl

VEGALITE_MIMETYPE = "application/vnd.vegalite.v5+json"
PALETTE = {"value": "#1f4e79", "target": "#b35806"}


@dataclass(frozen=True)
class ChartOutput:
    """A chart specification that displays in Jupyter and exports to HTML."""

    spec: dict
    title: str

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {VEGALITE_MIMETYPE: self.spec, "text/plain": f"Chart: {self.title}"}

    def to_json(self) -> str:
        return json.dumps(self.spec, sort_keys=True)


def trend_chart(series: pl.DataFrame, title: str, period_order: list[str]) -> ChartOutput:
    """A small-multiple line chart: one panel per indicator, with its target line.

    Parameters
    ----------
    series : DataFrame
        Aggregated rows with ``title``, ``period``, ``value``, ``shown``
        (the value as displayed) and ``target`` (may be empty).
    title : str
        The family's title.
    period_order : list of str
        Periods oldest first, for the x axis.

    Examples
    --------
    >>> frame = pl.DataFrame({"title": ["Referrals"] * 2, "period": ["2024-25 Q1", "2024-25 Q2"],
    ...     "value": [10.0, 12.0], "shown": ["10", "12"], "target": [None, None]})
    >>> chart = trend_chart(frame, "Contacts and referrals", ["2024-25 Q1", "2024-25 Q2"])
    >>> chart.spec["title"]["text"]
    'Contacts and referrals: trend by quarter'
    """
    import altair as alt

    columns = ["title", "period", "value", "shown", "target"]
    data = series.select(columns).with_columns(pl.col("value").round(4), pl.col("target").cast(pl.Float64)).to_dicts()
    base = alt.Chart().encode(
        x=alt.X("period:O", sort=period_order, title="Quarter", axis=alt.Axis(labelAngle=-45)),
    )
    line = base.mark_line(point=True, color=PALETTE["value"]).encode(
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("title:N", title="Indicator"), alt.Tooltip("period:O", title="Quarter"),
                 alt.Tooltip("shown:N", title="Value")],
    )
    target = base.mark_line(strokeDash=[6, 4], color=PALETTE["target"]).encode(
        y=alt.Y("target:Q"),
        tooltip=[alt.Tooltip("target:Q", title="Target")],
    ).transform_filter("isValid(datum.target)")
    chart = (
        alt.layer(line, target, data=alt.Data(values=data))
        .properties(width=520, height=110)
        .facet(row=alt.Row("title:N", title=None, sort=list(dict.fromkeys(series["title"].to_list())), header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight="bold", labelOrient="top")))
        .resolve_scale(y="independent")
        .properties(
            title=alt.TitleParams(f"{title}: trend by quarter", anchor="start"),
            description=f"Line chart of {title.lower()} indicators by quarter; dashed line shows the target where one is set.",
        )
    )
    return ChartOutput(chart.to_dict(validate=False), title)


def breakdown_chart(rows: pl.DataFrame, title: str) -> ChartOutput:
    """Bars by group for one quarter, with a menu to choose the indicator and breakdown.

    Parameters
    ----------
    rows : DataFrame
        Aggregated, disclosure-controlled rows with ``choice`` (indicator and
        breakdown, the menu's entries), ``group``, ``value`` (empty where
        withheld) and ``shown`` (the value as members read it, or "fewer than 5").

    Examples
    --------
    >>> frame = pl.DataFrame({"choice": ["Referrals by sex"] * 2, "group": ["Female", "Male"],
    ...     "value": [10.0, None], "shown": ["10", "fewer than 5"]})
    >>> spec = breakdown_chart(frame, "Contacts and referrals").spec
    >>> spec["params"][0]["bind"]["input"], spec["params"][0]["bind"]["options"]
    ('select', ['Referrals by sex'])
    """
    import altair as alt

    choices = list(dict.fromkeys(rows["choice"].to_list()))
    data = rows.select("choice", "group", pl.col("value").round(4), "shown").to_dicts()
    pick = alt.param(name="breakdown", value=choices[0], bind=alt.binding_select(options=choices, name="Show: "))
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_bar(color=PALETTE["value"])
        .encode(
            y=alt.Y("group:N", title=None, sort=None),
            x=alt.X("value:Q", title="Value (blank where withheld to protect privacy)"),
            tooltip=[alt.Tooltip("group:N", title="Group"), alt.Tooltip("shown:N", title="Value")],
        )
        .add_params(pick)
        .transform_filter(alt.datum.choice == pick)
        .properties(
            width=460,
            title=alt.TitleParams(f"{title}: breakdowns this quarter", anchor="start"),
            description=f"Bar chart of {title.lower()} by group for the chosen indicator and breakdown; "
                        "counts of fewer than 5 are not shown.",
        )
    )
    return ChartOutput(chart.to_dict(validate=False), f"{title} breakdowns")
