"""Funnel plots of every authority against England, for the benchmark report.

For each benchmarked percentage or rate per 10,000 whose published rows give
a numerator and a denominator (``comparators.yaml``), every authority's
figure is a point at its denominator, and lines around England's published
figure mark the 95% and 99.8% control limits, narrowing as the denominator
grows: binomial (Wilson) for percentages, exact Poisson for rates
(:func:`perfkit.indicators.significance.control_limits`). A point outside the
limits is one whose interval excludes England's figure, so the funnel agrees
with the report's words ("significantly lower than England").

Each point's figure is worked out from its published counts, so that it sits
exactly where the test puts it; the authority's published figure, rounded by
DfE, is shown beside it in the table. Authorities whose counts are suppressed
are left out of the plot (and counted in the table). Workforce counts are
full-time equivalents, treated as if they were counts of people.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import polars as pl

from perfkit.indicators.catalogue import Indicator
from perfkit.indicators.significance import (
    ABOVE,
    ABOVE_CONTROL,
    BELOW,
    BELOW_CONTROL,
    CONFIDENCE,
    CONTROL,
    POSITIONS,
    SCALES,
    WITHIN,
    control_limits,
    funnel_position,
)
from perfkit.present.charts import PALETTE, ChartOutput, _with_table, to_spec, unchecked
from perfkit.present.formatting import format_number, format_value
from perfkit.present.html_tables import Cell, HtmlTable
from perfkit.present.narrative import judgement

GRID_POINTS = 40
"""How many denominators each limit line is drawn through (spaced evenly on a log scale)."""
LIMIT_COLOURS = ["#000000", "#555555", "#555555"]
"""England's line, the 95% limits and the 99.8% limits (told apart by dashes, not colour)."""
THIS_COLOUR = PALETTE["target"]
OTHER_COLOUR = PALETTE["value"]

_WHERE = {
    ABOVE_CONTROL: "above the upper 99.8% limit",
    ABOVE: "above the upper 95% limit, but within the 99.8% limits",
    WITHIN: "within the 95% limits",
    BELOW: "below the lower 95% limit, but within the 99.8% limits",
    BELOW_CONTROL: "below the lower 99.8% limit",
}
_MEANING = {
    ABOVE_CONTROL: "significantly higher than England, far beyond what chance would explain",
    ABOVE: "significantly higher than England",
    WITHIN: "similar to England (the gap is within chance variation)",
    BELOW: "significantly lower than England",
    BELOW_CONTROL: "significantly lower than England, far beyond what chance would explain",
}
_SIDE = {ABOVE_CONTROL: 1, ABOVE: 1, WITHIN: 0, BELOW: -1, BELOW_CONTROL: -1}


@dataclass(frozen=True)
class Funnel:
    """Every authority's figure of one indicator against England's, with the funnel limits.

    ``points`` has one row per authority with published counts: ``la_code``,
    ``la_name``, ``numerator``, ``denominator``, ``value`` (from the counts),
    ``published`` (DfE's rounded figure) and ``position`` (one of
    :data:`perfkit.indicators.significance.POSITIONS`).
    """

    indicator: Indicator
    """The catalogue indicator at the published precision."""
    breakdown: str
    year: int
    england: float
    points: pl.DataFrame
    la_code: str
    without_counts: int = 0
    """Authorities with a published figure but no published counts (suppressed), not plotted."""

    @property
    def label(self) -> str:
        return self.indicator.title + ("" if self.breakdown == "all" else f" ({self.breakdown})")

    @cached_property
    def own(self) -> dict | None:
        """The authority's point, or None where its counts are not published."""
        rows = self.points.filter(pl.col("la_code") == self.la_code)
        return rows.row(0, named=True) if rows.height else None

    def limits(self, denominator: float) -> dict[str, tuple[float, float]]:
        """The 95% and 99.8% limits at ``denominator``."""
        return {"95%": control_limits(self.indicator.unit, self.england, denominator, CONFIDENCE),
                "99.8%": control_limits(self.indicator.unit, self.england, denominator, CONTROL)}

    def tally(self) -> dict[str, int]:
        """How many authorities lie in each position."""
        counts = dict(self.points.group_by("position").len().iter_rows())
        return {p: counts.get(p, 0) for p in POSITIONS}

    def words(self, la_name: str) -> str:
        """Where the authority lies on the funnel, in words, with how many authorities lie outside the limits.

        >>> from perfkit.indicators.catalogue import load_catalogue
        >>> points = funnel_points(pl.DataFrame({"la_code": ["1", "2"], "la_name": ["A", "B"],
        ...     "numerator": [81.0, 60.0], "denominator": [263.0, 263.0], "value": [30.8, 22.8]}), "percent", 22.6)
        >>> f = Funnel(load_catalogue()["rereferral_pct"], "all", 2025, 22.6, points, "1")
        >>> print(f.words("A"))
        Re-referrals within 12 months, 2025: A's 30.8% (81 of 263) lies above the upper 99.8% limit around England's 22.6%: significantly higher than England, far beyond what chance would explain (worse). Of 2 authorities with published counts, 1 lies above the upper 95% limit (1 of them above the 99.8% limit) and 0 below the lower 95% limit (0 of them below the 99.8% limit).
        """
        shown = self.indicator
        tally = self.tally()
        high, low = tally[ABOVE] + tally[ABOVE_CONTROL], tally[BELOW] + tally[BELOW_CONTROL]
        context = (f"Of {self.points.height} authorities with published counts, {high} "
                   f"{'lies' if high == 1 else 'lie'} above the upper 95% limit ({tally[ABOVE_CONTROL]} of them "
                   f"above the 99.8% limit) and {low} below the lower 95% limit ({tally[BELOW_CONTROL]} of them "
                   "below the 99.8% limit).")
        head = f"{self.label}, {self.year}: "
        own = self.own
        if own is None:
            return head + (f"{la_name} has no published counts, so it is not on the funnel (England "
                           f"{format_value(self.england, shown)}). ") + context
        verdict = judgement(_SIDE[own["position"]], shown)
        counts = f"{format_number(own['numerator'], _places(own['numerator']))} of {format_number(own['denominator'], _places(own['denominator']))}"
        figure = own_figure(own["value"], self.england, own["position"], shown)
        return (head + f"{la_name}'s {figure} ({counts}) lies {_WHERE[own['position']]} around "
                f"England's {format_value(self.england, shown)}: {_MEANING[own['position']]}"
                + (f" ({verdict})" if verdict and own["position"] != WITHIN else "") + ". " + context)

    def data(self, panel: int = 0) -> list[dict]:
        """The chart's rows for panel ``panel``: the limits at a grid of denominators (``x``, ``england``,
        ``lower95`` ...), then one row per authority (``x``, ``y``, ``name``, ``where``, and ``own`` for the authority shown).

        Rows are kept short: a report carries a dozen panels of 150 authorities each.
        """
        rows: list[dict] = []
        low, high = self.points["denominator"].min() * 0.9, self.points["denominator"].max() * 1.05
        for k in range(GRID_POINTS):
            n = low * (high / low) ** (k / (GRID_POINTS - 1))
            limits = self.limits(n)
            rows.append({"panel": panel, "x": _short(n), "england": _short(self.england),
                         "lower95": _short(limits["95%"][0]), "upper95": _short(limits["95%"][1]),
                         "lower998": _short(limits["99.8%"][0]), "upper998": _short(limits["99.8%"][1])})
        for p in self.points.iter_rows(named=True):
            row = {"panel": panel, "x": _short(p["denominator"]), "y": _short(p["value"]), "name": p["la_name"],
                   "where": p["position"]}
            rows.append(row | {"own": True} if p["la_code"] == self.la_code else row)
        return rows


def _short(value: float) -> float:
    """``value`` to 5 significant figures: a chart needs no more.

    >>> _short(355390.4), _short(21.61037), _short(0.0)
    (355390.0, 21.61, 0.0)
    """
    return float(f"{value:.5g}")


def own_figure(value: float, england: float, position: str, indicator: Indicator) -> str:
    """The authority's figure as written beside England's: one more decimal place where, outside the limits,
    the two would otherwise read the same (so that "significantly lower" never sits beside equal figures).

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> i = load_catalogue()["rereferral_pct"]
    >>> own_figure(22.58, 22.6, "below 99.8%", i), own_figure(22.58, 22.6, "within", i), own_figure(21.6, 22.6, "below 95%", i)
    ('22.58%', '22.6%', '21.6%')
    """
    from dataclasses import replace

    from perfkit.indicators.rounding import compare

    if position != WITHIN and compare(value, england, indicator.decimals) == 0:
        return format_value(value, replace(indicator, decimals=indicator.decimals + 1))
    return format_value(value, indicator)


def _places(count: float) -> int:
    """Whole counts without decimals; full-time equivalents with one."""
    return 0 if float(count).is_integer() else 1


def funnel_points(rows: pl.DataFrame, unit: str, england: float) -> pl.DataFrame:
    """Each authority's position against the funnel around ``england`` (rows with ``numerator`` and
    ``denominator``; those that cannot be tested are left out).

    >>> rows = pl.DataFrame({"la_code": ["1", "2", "3"], "la_name": ["A", "B", "C"],
    ...     "numerator": [81.0, 60.0, 9.0], "denominator": [263.0, 263.0, 5.0], "value": [30.8, 22.8, None]})
    >>> funnel_points(rows, "percent", 22.6).select("la_code", "position").rows()
    [('1', 'above 99.8%'), ('2', 'within')]
    """
    scale = SCALES[unit]
    records = []
    for r in rows.iter_rows(named=True):
        position = funnel_position(unit, r["numerator"], r["denominator"], england)
        if position is None:
            continue
        records.append({"la_code": r["la_code"], "la_name": r["la_name"] or r["la_code"],
                        "numerator": float(r["numerator"]), "denominator": float(r["denominator"]),
                        "value": r["numerator"] / r["denominator"] * scale, "published": r["value"],
                        "position": position})
    schema = {"la_code": pl.String, "la_name": pl.String, "numerator": pl.Float64, "denominator": pl.Float64,
              "value": pl.Float64, "published": pl.Float64, "position": pl.String}
    return pl.DataFrame(records, schema=schema).sort("denominator", "la_code")


def build_funnels(values: pl.DataFrame, table: pl.DataFrame, la_code: str, indicators: dict[str, Indicator]) -> list[Funnel]:
    """A funnel for each row of the benchmark ``table`` that is a percentage or a rate per 10,000, has England's
    published figure and has published numerators and denominators for its year (``values``:
    :func:`perfkit.published.comparators.all_comparator_values`)."""
    from dataclasses import replace

    funnels = []
    for r in table.iter_rows(named=True):
        indicator = indicators[r["indicator"]]
        if indicator.unit not in SCALES or r["england"] is None:
            continue
        rows = values.filter((pl.col("indicator") == r["indicator"]) & (pl.col("breakdown") == r["breakdown"])
                             & (pl.col("year") == r["year"]) & (pl.col("geographic_level") == "Local authority")
                             & pl.col("la_code").is_not_null())
        rows = rows.unique("la_code", keep="first", maintain_order=True)
        counted = rows.filter(pl.col("numerator").is_not_null() & pl.col("denominator").is_not_null()
                              & (pl.col("denominator") > 0))
        if counted.height == 0:
            continue
        points = funnel_points(counted.select("la_code", "la_name", "numerator", "denominator", "value"),
                               indicator.unit, r["england"])
        if points.height == 0:
            continue
        shown = replace(indicator, decimals=int(r["decimals"]))
        without = rows.filter(pl.col("value").is_not_null()).height - points.height
        funnels.append(Funnel(shown, r["breakdown"], int(r["year"]), float(r["england"]), points, la_code, max(0, without)))
    return funnels


def funnel_table(funnels: list[Funnel], la_name: str) -> HtmlTable:
    """The funnel plot as a table: the authority's figure and counts, England's, the limits at its denominator,
    where it lies, and how many authorities lie outside the limits."""
    rows = []
    for f in funnels:
        own, shown = f.own, f.indicator
        tally = f.tally()
        if own is None:
            figure = counts = limits95 = limits998 = ""
            where = "not on the funnel (no published counts)"
        else:
            limits = f.limits(own["denominator"])
            figure = format_value(own["value"], shown)
            counts = (f"{format_number(own['numerator'], _places(own['numerator']))} of "
                      f"{format_number(own['denominator'], _places(own['denominator']))}")
            limits95, limits998 = (f"{format_number(limits[k][0], shown.decimals + 1)} to "
                                   f"{format_number(limits[k][1], shown.decimals + 1)}" for k in ("95%", "99.8%"))
            where = _WHERE[own["position"]]
        rows.append([
            Cell(f.label), Cell(str(f.year)), Cell(figure, "pk-num"), Cell(counts, "pk-num"),
            Cell(format_value(f.england, shown), "pk-num"), Cell(limits95, "pk-num"), Cell(limits998, "pk-num"),
            Cell(where),
            Cell(f"{tally[ABOVE_CONTROL]} / {tally[ABOVE]} / {tally[WITHIN]} / {tally[BELOW]} / {tally[BELOW_CONTROL]}"
                 + (f" ({f.without_counts} without counts)" if f.without_counts else ""), "pk-num"),
        ])
    return HtmlTable(
        f"{la_name} against England: funnel plot limits",
        ["Indicator", "Year", la_name, "Counts", "England", "95% limits at its count", "99.8% limits at its count",
         "Where it lies", "Authorities: above 99.8% / above 95% only / within 95% / below 95% only / below 99.8%"],
        rows,
    )


def funnel_chart(funnels: list[Funnel], la_name: str) -> ChartOutput | None:
    """The funnel plots, one panel per indicator, with ``la_name`` marked; None without any funnel."""
    if not funnels:
        return None
    from perfkit.present.charts import import_altair

    alt = import_altair()
    import json

    data = [row for panel, f in enumerate(funnels) for row in f.data(panel)]
    labels = [f.label for f in funnels]
    x = alt.X("x:Q", title="Number the figure is counted out of (its denominator)", scale=alt.Scale(zero=False),
              axis=alt.Axis(format=",~f"))
    tooltip = [alt.Tooltip("name:N", title="Authority"), alt.Tooltip("y:Q", title="Figure", format=",.1f"),
               alt.Tooltip("x:Q", title="Out of", format=",.1~f"), alt.Tooltip("where:N", title="Against England's limits")]
    with unchecked():
        lines = [
            alt.Chart().mark_line(strokeWidth=width, color=colour, strokeDash=dash).encode(
                x=x, y=alt.Y(f"{field}:Q", title=None, scale=alt.Scale(zero=False)),
            ).transform_filter("isValid(datum.england)")
            for field, colour, dash, width in (
                ("england", LIMIT_COLOURS[0], [1, 0], 2), ("lower95", LIMIT_COLOURS[1], [6, 3], 1.5),
                ("upper95", LIMIT_COLOURS[1], [6, 3], 1.5), ("lower998", LIMIT_COLOURS[2], [2, 2], 1.5),
                ("upper998", LIMIT_COLOURS[2], [2, 2], 1.5))
        ]
        others = alt.Chart().mark_circle(size=28, opacity=0.55, color=OTHER_COLOUR).encode(
            x=x, y=alt.Y("y:Q"), tooltip=tooltip,
        ).transform_filter("isValid(datum.y) && !datum.own")
        own = alt.Chart().mark_point(shape="diamond", size=160, filled=True, color=THIS_COLOUR, opacity=1,
                                     stroke="#000000", strokeWidth=1).encode(
            x=x, y=alt.Y("y:Q"), tooltip=tooltip,
        ).transform_filter("datum.own")
        name = alt.Chart().mark_text(align="left", dx=9, dy=-9, fontWeight="bold", color="#1a1a1a").encode(
            x=x, y=alt.Y("y:Q"), text="name:N",
        ).transform_filter("datum.own")
        chart = alt.layer(*lines, others, own, name, data=alt.Data(values=data), width=520, height=170).facet(
            row=alt.Row("panel:O", title=None, sort="ascending",
                        header=alt.Header(labelExpr=f"{json.dumps(labels)}[datum.value]", labelAngle=0,
                                          labelAlign="left", labelFontWeight="bold", labelOrient="top", labelLimit=520)),
            resolve=alt.Resolve(scale=alt.ScaleResolveMap(x="independent", y="independent")),
            title=alt.TitleParams(
                f"{la_name} against every authority: funnel plots around England",
                subtitle=[(f"Diamond: {la_name}. Dots: the other authorities. Solid line: England's figure. "
                           "Dashed lines: the 95% limits; dotted lines: the 99.8% limits."),
                          "A dot outside the limits differs from England by more than chance would explain."]),
            description=(f"Funnel plots, one panel per indicator: each authority's figure against the number it is "
                         f"counted out of, with England's figure and its 95% and 99.8% control limits; {la_name} "
                         "is marked with a diamond. The table after the chart gives the same information."),
        )
        spec = to_spec(chart)
    return ChartOutput(_with_table(spec, funnel_table(funnels, la_name)), f"{la_name} funnel plots")
