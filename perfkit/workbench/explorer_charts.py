"""The explorer's trend chart: each group of a breakdown against the authority's headline, in a colour-blind
safe palette, with the group chosen for its records drawn over the others."""

from __future__ import annotations

import polars as pl

from perfkit.indicators.catalogue import ALL
from perfkit.present.charts import ChartOutput, import_altair, to_spec
from perfkit.workbench.analyst_tables import HEADLINE

OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
"""Okabe and Ito's eight colours, told apart with any colour vision: black for the headline, the other seven
for the groups (in their natural order, so a group keeps its colour whatever else is chosen)."""


def colours(groups: list[str]) -> dict[str, str]:
    """Each group's colour: the headline black, the groups the other seven in turn.

    >>> colours(["Whole authority", "Female", "Male"])
    {'Whole authority': '#000000', 'Female': '#E69F00', 'Male': '#56B4E9'}
    """
    others = iter(OKABE_ITO[:-1] * (len(groups) // 7 + 1))
    return {g: OKABE_ITO[-1] if g == HEADLINE else next(others) for g in groups}


def trend_lines(rows: pl.DataFrame, quarters: list[str], title, y_title: str, legend: str,
                chosen: str = ALL, order: list[str] | None = None) -> ChartOutput:
    """Lines by quarter, one a group (``rows``: ``period``, ``group``, ``value``; the headline's group
    ``Whole authority``, dashed), the ``chosen`` group drawn thick and the others faint where one is chosen;
    groups in the legend and the palette by ``order`` (their natural order), else as they come.

    >>> rows = pl.DataFrame({"period": ["Q1", "Q1"], "group": ["Whole authority", "Female"], "value": [3.0, 1.0]})
    >>> spec = trend_lines(rows, ["Q1"], "Referrals", "Referrals", "Sex", "Female").spec
    >>> spec["encoding"]["color"]["scale"]["range"], spec["encoding"]["color"]["field"]
    (['#000000', '#E69F00'], 'group')
    """
    alt = import_altair()
    present = set(rows["group"].to_list())
    groups = [g for g in order if g in present] if order else list(dict.fromkeys(rows["group"].to_list()))
    palette = colours(groups)
    highlight = chosen != ALL and chosen in groups
    data = rows.select("period", "group", "value").with_columns(
        emphasis=(pl.col("group") == chosen) if highlight else pl.lit(True),
        headline=pl.col("group") == HEADLINE).to_dicts()
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_line(point=True)
        .encode(x=alt.X("period:O", sort=quarters, title="Quarter"),
                y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
                color=alt.Color("group:N", title=legend, sort=groups,
                                scale=alt.Scale(domain=groups, range=[palette[g] for g in groups])),
                strokeDash=alt.condition("datum.headline", alt.value([5, 3]), alt.value([1, 0])),
                opacity=alt.condition("datum.emphasis", alt.value(1.0), alt.value(0.3)),
                strokeWidth=alt.condition("datum.emphasis", alt.value(3 if highlight else 2), alt.value(1.5)),
                tooltip=["period:O", "group:N", alt.Tooltip("value:Q", format=",.1f")])
        .properties(width=600, height=260, title=title)
    )
    return ChartOutput(to_spec(chart), y_title)
