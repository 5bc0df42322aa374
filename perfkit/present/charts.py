"""Charts drawn from aggregated, disclosure-controlled tables (never from records).

Charts are Vega-Lite specifications under one registered theme
(:func:`perfkit_theme`): no chart styles itself. Each kind of chart has one
form, built with Altair and kept with the package (:func:`stored_forms`), which
each chart fills in with its own title and rows. In JupyterLab they show
through the Vega-Lite mimetype; in member HTML the export template draws them
with the Vega libraries inlined once in the page (see :mod:`perfkit.present.htmlexport`)
and adds each chart's table alternative, carried in the spec's ``usermeta``.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import cache

import polars as pl

from perfkit.indicators.periods import noun_of
from perfkit.present.formatting import format_number
from perfkit.present.html_tables import Cell, HtmlTable

VEGALITE_MIMETYPE = "application/vnd.vegalite.v5+json"
THEME = "perfkit"
# Okabe-Ito colours: distinguishable with every common colour-vision deficiency
PALETTE = {"value": "#0072B2", "target": "#D55E00", "marker": "#555555"}
TEXT = "#1a1a1a"
TABLE_KEY = "perfkit_table"
SPC_PALETTE = {"line": "#767676", "mean": "#333333", "limit": "#767676", "target": "#9E1B32"}
"""A trend chart's lines: the figure (grey, as Making Data Count draws it), its mean, its process limits, the target."""
POINT_TYPES = ("common_cause", "special_cause_improvement", "special_cause_concern", "special_cause_neutral")
POINT_COLOURS = ("#767676", "#0072B2", "#C65D00", "#5B2A86")
"""Grey common cause, blue improvement, orange concern, purple a special cause where neither direction is better
(the colours of :mod:`perfkit.present.spc_icons`)."""
POINT_WORDS = {"common_cause": "common cause", "special_cause_improvement": "special cause: improvement",
               "special_cause_concern": "special cause: concern",
               "special_cause_neutral": "special cause: neither better nor worse"}
"""Each point type as the chart's legend and its table say it."""
PANEL_WIDTH, PANEL_HEIGHT = 180, 46
"""A trend panel's plotting area in pixels: three panels with their axes fill an A4 page's width."""
TARGET_ROW = "target"
"""The row a trend chart's table adds under an indicator with a target: ``<title>: target``, by quarter."""
SPC_ROWS = {"variation": "variation", "mean": "average (mean)", "lower_limit": "lower process limit",
            "upper_limit": "upper process limit"}
"""The rows a trend chart's table adds under an indicator with process limits: ``<title>: <words>``."""


def perfkit_theme() -> dict:
    """The one theme every perfkit chart uses: readable fonts, AA-contrast text, no chart border."""
    axis = {"labelColor": TEXT, "titleColor": TEXT, "labelFontSize": 11, "titleFontSize": 12,
            "gridColor": "#dddddd", "domainColor": "#666666", "tickColor": "#666666"}
    return {
        "config": {
            "font": "Arial, Helvetica, sans-serif",
            "view": {"stroke": None, "continuousWidth": 520, "continuousHeight": 110},
            "title": {"color": TEXT, "fontSize": 14, "anchor": "start", "subtitleColor": TEXT},
            "axis": axis,
            "header": {"labelColor": TEXT, "labelFontSize": 12, "titleColor": TEXT},
            "legend": {"labelColor": TEXT, "titleColor": TEXT},
            "range": {"category": list(PALETTE.values())},
            "line": {"strokeWidth": 2},
            "point": {"size": 40, "filled": True},
            "bar": {"color": PALETTE["value"]},
        }
    }


def import_altair():
    """Import Altair without the seconds jsonschema spends building an IRI grammar (see :mod:`perfkit.present.imports`)."""
    from perfkit.present.imports import without_iri_grammar

    without_iri_grammar()
    import altair

    return altair


def unchecked() -> AbstractContextManager[None]:
    """A context in which Altair does not validate each part of a chart as it is built.

    By default Altair checks every object against the Vega-Lite JSON schema
    when it is created and again as charts are combined, which takes longer
    than everything else a report does. perfkit's charts are fixed in form, so
    the tests validate every chart's finished specification once instead
    (see ``tests/test_charts.py``).
    """
    import_altair()
    from altair.utils.schemapi import debug_mode

    return debug_mode(False)


@cache
def _register_theme() -> None:
    """Register the perfkit theme with Altair, once per process.

    Asking Altair for its theme names reads every installed package's entry
    points (for every chart), so registration is remembered here.
    """
    alt = import_altair()
    alt.theme.register(THEME, enable=False)(lambda: alt.theme.ThemeConfig(perfkit_theme()))


def to_spec(chart) -> dict:
    """A chart's Vega-Lite specification under the perfkit theme (registered on first use)."""
    alt = import_altair()

    _register_theme()
    with alt.theme.enable(THEME):
        return chart.to_dict(validate=False)


@dataclass(frozen=True)
class ChartOutput:
    """A chart specification that displays in Jupyter and exports to HTML."""

    spec: dict
    title: str

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {VEGALITE_MIMETYPE: self.spec, "text/plain": f"Chart: {self.title}"}

    def to_json(self) -> str:
        return json.dumps(self.spec, sort_keys=True)


def svg_of(chart: ChartOutput) -> str:
    """A chart drawn as SVG, for a page or notebook output that runs no script (a saved notebook's copy)."""
    import vl_convert

    from perfkit.present.htmlexport import VEGALITE_VERSION

    return vl_convert.vegalite_to_svg(chart.spec, vl_version=VEGALITE_VERSION)


def _with_table(spec: dict, table: HtmlTable) -> dict:
    return {**spec, "usermeta": {**spec.get("usermeta", {}), TABLE_KEY: table.html()}}


def trend_chart(series: pl.DataFrame, title: str, period_order: list[str], year_earlier: str | None = None,
                indicators: dict | None = None) -> ChartOutput:
    """A small-multiple statistical process control chart: one panel per indicator, with its target line.

    Each panel draws the figure; where it has process limits, their mean and
    limits, and each point coloured by its variation (Making Data Count:
    grey common cause, blue improvement, orange concern, purple a special
    cause where neither direction is better); points without limits are hollow.

    Parameters
    ----------
    series : DataFrame
        Aggregated rows with ``title``, ``period``, ``value``, ``shown``
        (the value as displayed) and ``target`` (may be empty); and, where
        process limits are drawn, ``mean``, ``lower_limit``, ``upper_limit``
        and ``point_type`` (empty elsewhere; see
        :mod:`perfkit.present.process_control`).
    title : str
        The family's title.
    period_order : list of str
        Periods oldest first, for the x axis.
    year_earlier : str, optional
        The same quarter last year, marked on every panel.
    indicators : dict, optional
        Each panel's indicator by title, for writing its mean and limits in
        the chart's table (its decimals and unit); two decimals without one.

    Examples
    --------
    >>> frame = pl.DataFrame({"title": ["Referrals"] * 2, "period": ["2024-25 Q1", "2024-25 Q2"],
    ...     "value": [10.0, 12.0], "shown": ["10", "12"], "target": [None, None]})
    >>> chart = trend_chart(frame, "Contacts and referrals", ["2024-25 Q1", "2024-25 Q2"], "2024-25 Q1")
    >>> chart.spec["title"]["text"], "<table" in chart.spec["usermeta"]["perfkit_table"]
    ('Contacts and referrals: trend by quarter', True)
    """
    series = series.with_columns(*[pl.lit(None, dtype).alias(name) for name, dtype in
                                   (("mean", pl.Float64), ("lower_limit", pl.Float64), ("upper_limit", pl.Float64),
                                    ("point_type", pl.String)) if name not in series.columns])
    data = series.select("title", "period", "value", "shown", "target", "mean", "lower_limit", "upper_limit",
                         "point_type").with_columns(
        pl.col("value").round(4), pl.col("target").cast(pl.Float64).round(4),
        *[pl.col(name).cast(pl.Float64).round(4) for name in ("mean", "lower_limit", "upper_limit")],
        is_year_earlier=pl.col("period") == (year_earlier or ""),
    ).to_dicts()
    # a target or process-control field that is empty (none set, no limits) or false is left out of its row: the
    # chart reads a missing field as it reads null, and a page of 24 months a panel weighs a tenth less
    data = [{k: v for k, v in row.items() if k in ("value", "shown") or (v is not None and v is not False)}
            for row in data]
    titles = list(dict.fromkeys(series["title"].to_list()))
    noun = noun_of(period_order[-1]) if period_order else "quarter"
    heading, description = f"{title}: trend by {noun}", (
        f"Statistical process control charts of {title.lower()} indicators by {noun}, one panel each: the figure, "
        f"and where process limits are drawn their average and limits, with each {noun} coloured by its variation "
        "(grey common cause, blue improvement, orange concern, purple a special cause where neither direction is "
        f"better); a dashed line shows the target where one is set and a diamond marks the same {noun} last year.")
    values = {HEADING: heading, DESCRIPTION: description, PANELS: titles, PERIODS: list(period_order)}
    spec = with_panels_a_row(filled(stored_forms()["trend"], values) | {"data": {"values": data}}, len(titles))
    table = HtmlTable(f"{title}: the figures in the chart", ["Indicator", *period_order],
                      trend_table_rows(series, titles, period_order, indicators or {}))
    return ChartOutput(_with_table(spec, table), title)


PANELS_A_ROW = (4, 5)
"""How many panels a trend chart may draw in a row: four as a rule, five where that saves a row."""
TITLE_WRAP = 40
"""The characters of a panel's title in a line, at four panels a row (the form's ``labelExpr``)."""
PANEL_MARGIN = 45
"""The room a panel takes beside its width: the facet's spacing (Vega-Lite's 20 px) and its own y axis (about 25 px)."""


def panels_a_row(panels: int) -> int:
    """Panels in a row of a trend chart of ``panels``: the fewest rows, four a row where five save none.

    A family of five indicators drawn four a row leaves one panel on a row of its own, a row of the printed
    page for one chart (docs/printing.md).

    >>> [panels_a_row(n) for n in (3, 4, 5, 7, 8, 9, 10, 11, 12)]
    [4, 4, 5, 4, 4, 5, 5, 4, 4]
    """
    return min(PANELS_A_ROW, key=lambda columns: (-(-panels // columns), columns))


def with_panels_a_row(spec: dict, panels: int) -> dict:
    """The trend chart's ``spec`` drawing :func:`panels_a_row` panels a row in the width of four: each panel
    narrower, and its title wrapped shorter, so that a row is as wide and its text as large as any other's.

    >>> spec = {"columns": 4, "spec": {"width": 180}, "facet": {"header": {"labelExpr": "/(.{1,40})( |$)/g"}}}
    >>> five = with_panels_a_row(spec, 5)
    >>> five["columns"], five["spec"]["width"], five["facet"]["header"]["labelExpr"]
    (5, 135, '/(.{1,30})( |$)/g')
    >>> with_panels_a_row(spec, 8) == spec
    True
    """
    columns = panels_a_row(panels)
    if columns == spec["columns"]:
        return spec
    four = spec["columns"]
    width = round((four * (spec["spec"]["width"] + PANEL_MARGIN) - columns * PANEL_MARGIN) / columns)
    wrap = TITLE_WRAP * width // spec["spec"]["width"]
    header = spec["facet"]["header"] | {"labelExpr": spec["facet"]["header"]["labelExpr"].replace(
        f"{{1,{TITLE_WRAP}}}", f"{{1,{wrap}}}")}
    return spec | {"columns": columns, "spec": spec["spec"] | {"width": width},
                   "facet": spec["facet"] | {"header": header}}


def trend_table_rows(series: pl.DataFrame, titles: list[str], period_order: list[str], indicators: dict) -> list[list[Cell]]:
    """The trend chart's table: each indicator's figures, and under one with process limits its variation,
    mean and limits by quarter (rows named ``<title>: <words>``, :data:`SPC_ROWS`)."""
    by_key = {(row["title"], row["period"]): row for row in series.iter_rows(named=True)}
    rows = []
    for t in titles:
        rows.append([Cell(t), *[Cell(by_key.get((t, p), {}).get("shown") or "", "pk-num") for p in period_order]])
        indicator = indicators.get(t)
        targets = [by_key.get((t, p), {}).get("target") for p in period_order]
        if any(v is not None for v in targets):  # the target, or a trajectory's path to its end point
            rows.append([Cell(f"{t}: {TARGET_ROW}"), *[Cell("" if v is None else format_number(v, 1 if indicator is None
                                                                                             else indicator.decimals)
                                                            + ("" if indicator is None else indicator.unit_suffix), "pk-num")
                                                       for v in targets]])
        if not any(by_key.get((t, p), {}).get("mean") is not None for p in period_order):
            continue
        decimals = 2 if indicator is None else indicator.decimals + 1
        suffix = "" if indicator is None else indicator.unit_suffix

        def number(x: float | None) -> str:
            return "" if x is None else format_number(x, decimals) + suffix

        for name, words in SPC_ROWS.items():
            cells = []
            for p in period_order:
                row = by_key.get((t, p), {})
                if name == "variation":
                    cells.append(Cell(POINT_WORDS.get(row.get("point_type") or "", "")))
                else:
                    cells.append(Cell(number(row.get(name)), "pk-num"))
            rows.append([Cell(f"{t}: {words}"), *cells])
    return rows


HEADING, DESCRIPTION, PANELS, PERIODS = "\x00heading", "\x00description", "\x00panels", "\x00periods"
CHOICES, FIRST = "\x00choices", "\x00first"
"""Placeholders in a chart's form, filled with each chart's own title, description, panels, quarters and menu."""


def filled(form: object, values: dict[str, object]) -> object:
    """A copy of ``form`` with each placeholder replaced by its value.

    A placeholder is a whole string (``HEADING``), or the only item of a list
    (``[PANELS]``), which the value, a list, replaces.

    >>> filled({"title": HEADING, "sort": [PANELS], "n": 1}, {HEADING: "Referrals", PANELS: ["a", "b"]})
    {'title': 'Referrals', 'sort': ['a', 'b'], 'n': 1}
    """
    if isinstance(form, dict):
        return {key: filled(item, values) for key, item in form.items()}
    if isinstance(form, list):
        if len(form) == 1 and isinstance(form[0], str) and isinstance(values.get(form[0]), list):
            return list(values[form[0]])
        return [filled(item, values) for item in form]
    if isinstance(form, str):
        return values.get(form, form)
    return form


FORMS_FILE = "templates/chart_forms.json"
"""The charts' forms as Altair builds them, kept with the package (see :func:`stored_forms`)."""


def built_forms() -> dict[str, dict]:
    """Every chart's form as Altair builds it now, with placeholders for what differs from chart to chart."""
    alt = import_altair()
    with unchecked():
        return {"trend": trend_form(alt, HEADING, DESCRIPTION, [PANELS], [PERIODS]),
                "breakdown": breakdown_form(alt, HEADING, DESCRIPTION, [CHOICES], FIRST)}


@cache
def stored_forms() -> dict[str, dict]:
    """The charts' forms, as :func:`built_forms` gives them, read from the package.

    Altair copies a chart whole at every layer, facet and property, and
    importing it is slow; every chart of a kind has
    the same form, so the forms are built once, kept with the package and
    filled in for each chart (:func:`filled`). A report's kernel never imports
    Altair. A test checks the stored forms against Altair's build; after an
    Altair upgrade, :func:`write_forms` stores them anew.
    """
    from importlib.resources import files

    return json.loads(files("perfkit.present").joinpath(FORMS_FILE).read_text(encoding="utf-8"))


def write_forms() -> None:
    """Store the forms Altair builds now as the package's (``python -c "from perfkit.present.charts import write_forms; write_forms()"``)."""
    from pathlib import Path

    (Path(__file__).parent / FORMS_FILE).write_text(json.dumps(built_forms(), indent=1) + "\n", encoding="utf-8")


def trend_form(alt, heading: str, description: str, panels: list[str], period_order: list[str]) -> dict:
    """The trend chart's specification, without its rows (``data``), built by Altair: an SPC chart a panel."""
    # a tick each quarter (month), and the year under its first quarter (month): short enough to lie flat
    quarter = alt.Axis(labelAngle=0, labelExpr="indexof(['Q1', 'M01'], substring(datum.value, 8)) >= 0 ? "
                                               "substring(datum.value, 0, 7) : ''",
                       labelOverlap=False, labelAlign="left")
    base = alt.Chart().encode(x=alt.X("period:O", sort=period_order, title=None, axis=quarter))
    tooltip = [alt.Tooltip("title:N", title="Indicator"), alt.Tooltip("period:O", title="Period"),
               alt.Tooltip("shown:N", title="Value")]
    spc_tooltip = [*tooltip, alt.Tooltip("point_type:N", title="Variation"),
                   alt.Tooltip("mean:Q", title="Average (mean)"),
                   alt.Tooltip("lower_limit:Q", title="Lower process limit"),
                   alt.Tooltip("upper_limit:Q", title="Upper process limit")]
    limits = [base.mark_line(strokeDash=[2, 3], strokeWidth=1.5, color=SPC_PALETTE["limit"]).encode(
        y=alt.Y(f"{name}:Q", title=None), tooltip=[alt.Tooltip("period:O", title="Period"),
                                                   alt.Tooltip(f"{name}:Q", title=words.capitalize())],
    ).transform_filter(f"isValid(datum.{name})")
        for name, words in (("upper_limit", "upper process limit"), ("lower_limit", "lower process limit"))]
    mean = base.mark_line(strokeWidth=1.5, color=SPC_PALETTE["mean"]).encode(
        y=alt.Y("mean:Q", title=None), tooltip=[alt.Tooltip("period:O", title="Period"),
                                                 alt.Tooltip("mean:Q", title="Average (mean)")],
    ).transform_filter("isValid(datum.mean)")
    target = base.mark_line(strokeDash=[6, 4], strokeWidth=2, color=SPC_PALETTE["target"]).encode(
        y=alt.Y("target:Q", title=None),
        tooltip=[alt.Tooltip("period:O", title="Period"), alt.Tooltip("target:Q", title="Target")],
    ).transform_filter("isValid(datum.target)")
    line = base.mark_line(color=SPC_PALETTE["line"]).encode(
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)), tooltip=tooltip,
    )
    points = base.mark_point(filled=True, size=45, opacity=1).encode(
        y=alt.Y("value:Q", title=None), tooltip=spc_tooltip,
        # no legend: the key under the scorecard says what each colour and line means, once for every chart
        color=alt.Color("point_type:N", title="Variation", scale=alt.Scale(domain=list(POINT_TYPES), range=list(POINT_COLOURS)),
                        legend=None),
    ).transform_filter("isValid(datum.point_type)")
    plain = base.mark_point(filled=False, size=45, strokeWidth=1.5, color=SPC_PALETTE["line"]).encode(
        y=alt.Y("value:Q", title=None), tooltip=tooltip,
    ).transform_filter("!isValid(datum.point_type) && isValid(datum.value)")
    marker = base.mark_point(shape="diamond", size=140, filled=False, strokeWidth=2, color=PALETTE["marker"]).encode(
        y=alt.Y("value:Q", title=None), tooltip=tooltip,
    ).transform_filter("datum.is_year_earlier")
    # every property is given as the chart is made: each chained method would copy the whole chart again
    # four panels a row: the width of a page (the screen's and A4's), each panel with its own quarters;
    # five where that saves a row, each narrower (with_panels_a_row)
    chart = alt.layer(*limits, mean, target, line, points, plain, marker, data=alt.Data(values=[]), width=PANEL_WIDTH,
                      height=PANEL_HEIGHT).facet(
        facet=alt.Facet("title:N", title=None, sort=panels,
                        # each panel's title wrapped into lines of at most TITLE_WRAP characters, never cut short
                        header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelFontWeight="bold",
                                          labelOrient="top", labelLimit=0, labelFontSize=10,
                                          labelExpr="split(trim(replace(datum.value, /(.{1,%d})(\\s+|$)/g, '$1\\n')), '\\n')" % TITLE_WRAP)),
        columns=4,
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(y="independent"), axis=alt.AxisResolveMap(x="independent")),
        title=alt.TitleParams(heading, subtitle=[  # the whole key is once, under the icons' key
            "Dots: grey common cause, blue improvement, orange concern, purple neither. Dotted: process limits; "
            "dashed red: target; diamond: a year earlier. Axes need not start at 0."]),
        description=description,
    )
    return to_spec(chart)


def breakdown_chart(rows: pl.DataFrame, title: str, noun: str = "quarter") -> ChartOutput:
    """Bars by group for one quarter (``noun``: or month), with a menu to choose the indicator and breakdown.

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
    choices = list(dict.fromkeys(rows["choice"].to_list()))
    data = rows.select("choice", "group", pl.col("value").round(4), "shown").to_dicts()
    heading, description = f"{title}: breakdowns this {noun}", (
        f"Bar chart of {title.lower()} by group for the chosen indicator and breakdown; counts of fewer than 5 are not shown.")
    values = {HEADING: heading, DESCRIPTION: description, CHOICES: choices, FIRST: choices[0]}
    spec = filled(stored_forms()["breakdown"], values) | {"data": {"values": data}}
    table = HtmlTable(
        heading,
        ["Indicator and breakdown", "Group", "Value"],
        [[Cell(r["choice"]), Cell(r["group"]), Cell(r["shown"], "pk-num")] for r in rows.iter_rows(named=True)],
    )
    return ChartOutput(_with_table(spec, table), f"{title} breakdowns")


def breakdown_form(alt, heading: str, description: str, choices: list[str], first: str) -> dict:
    """The breakdown chart's specification, without its rows (``data``), built by Altair."""
    pick = alt.param(name="breakdown", value=first, bind=alt.binding_select(options=choices, name="Show: "))
    chart = (
        alt.Chart(alt.Data(values=[]))
        .mark_bar()
        .encode(
            y=alt.Y("group:N", title=None, sort=None),
            x=alt.X("value:Q", title="Value (no bar where withheld to protect privacy)"),
            tooltip=[alt.Tooltip("group:N", title="Group"), alt.Tooltip("shown:N", title="Value")],
        )
        .add_params(pick)
        .transform_filter(alt.datum.choice == pick)
        .properties(width=460, title=alt.TitleParams(heading), description=description)
    )
    return to_spec(chart)
