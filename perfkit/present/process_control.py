"""Statistical process control of a report's trends, over figures members may see.

A trend's process limits and mean are worked out from its figures; were one
figure hidden (fewer than 5, withheld, or not available), the mean of the
others would give it back (twelve points with one hidden: the hidden one is
twelve means less the eleven shown). So a trend is charted with limits only
where every figure of its window is shown, and the limits are worked out from
the figures as shown (rounded as members read them) or, for a p or u chart,
from the numerators and denominators of those shown figures. Otherwise it is
drawn without limits and :attr:`SeriesSpc.reason` says why, in words.
:func:`recompute` is how :mod:`perfkit.present.disclosure_audit` checks that
what a page publishes is worked out from the figures it shows, and nothing
else.

A sum over a rolling 12 months never gets limits of its own: each quarter
shares nine of its months with the one before, so its points are not
independent and XmR limits drawn from its moving ranges would flag change that
is not there. Its trend is each quarter alone, annualised (the catalogue's
``trend: quarter_alone``; ``docs/spc.md``).

The statistics are :mod:`perfkit.indicators.spc` (NHSRplotthedots' rules) and
:mod:`perfkit.indicators.spc_attribute` (p and u charts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from perfkit.indicators.catalogue import QUARTER_ALONE, Indicator
from perfkit.indicators.periods import noun_of
from perfkit.indicators.rounding import round_half_up
from perfkit.indicators.spc import IMPROVEMENT_OF_POLARITY, SpcInputError, xmr
from perfkit.indicators.spc_attribute import p_chart, recommended_chart, u_chart

SCALES = {"percent": 100.0, "rate_per_10k": 10_000.0, "ratio": 1.0}
"""What a p or u chart multiplies its proportion or rate by, to be in the indicator's units."""


SPC_FIELDS = ("mean", "lower_limit", "upper_limit", "point_type")
"""The process-control fields of a trend chart's rows (null where a trend has no limits)."""

@dataclass(frozen=True)
class SeriesSpc:
    """One indicator's trend with its process control, or why it has none.

    ``chart`` has :func:`perfkit.indicators.spc.xmr`'s columns with
    ``detail=True`` (one row a quarter of the window, oldest first), or is
    None where no limits are drawn; ``reason`` then says why.
    """

    indicator: Indicator
    periods: tuple[str, ...]
    chart: pl.DataFrame | None = None
    kind: str | None = None
    """``xmr``, ``p`` or ``u``."""
    reason: str | None = None
    rebased: tuple[str, ...] = ()
    """The declared changes within the window: each starts a segment with limits of its own."""
    target: float | None = None
    """The target of the latest quarter, against which assurance is judged."""
    hidden: int = 0
    """Quarters of the window whose figure is not shown."""

    @property
    def improvement(self) -> str:
        return IMPROVEMENT_OF_POLARITY[self.indicator.polarity]

    @property
    def has_limits(self) -> bool:
        return self.chart is not None

    @property
    def variation(self) -> str | None:
        """The latest point's type (``common_cause``, ``special_cause_improvement``, ...), None without limits."""
        return None if self.chart is None else self.chart["point_type"][-1]

    @property
    def assurance(self) -> str | None:
        """``pass``, ``fail`` or ``hit_and_miss`` against the latest target; None without limits or target."""
        return None if self.chart is None else self.chart["assurance"][-1]

    @property
    def rule(self) -> str | None:
        """The rule that decided the latest point, in the reference's words (``7 Points Below CL``)."""
        return None if self.chart is None else self.chart["special_cause_type"][-1]

    @property
    def direction(self) -> int:
        """1 where the latest special cause is high (above, increasing), -1 low, 0 common cause."""
        return rule_direction(self.rule)

    @property
    def trial(self) -> bool:
        """Whether the latest segment has fewer than 12 points (trial limits)."""
        return self.chart is not None and bool(self.chart["trial_limits"][-1])

    def run_length(self) -> int:
        """How many quarters, ending with the latest, the rule that decided it counts.

        A run: quarters in a row on the latest one's side of the mean. A trend:
        quarters in a row each higher (lower) than the one before. Two in three:
        how many of the last three quarters are beyond two sigma. A limit: 1.
        """
        if self.chart is None:
            return 0
        rule = self.rule or ""
        segment = self.chart.filter(pl.col("segment") == self.chart["segment"][-1])
        values = segment["value"].to_list()
        if "Trend" in rule:
            sign = 1 if "Increasing" in rule else -1
            n = 1
            while n < len(values) and (values[-n] - values[-n - 1]) * sign > 0:
                n += 1
            return n
        if "2 in 3" in rule:
            return sum(segment["close_to_limits"].to_list()[-3:])
        if "Points" in rule:
            sides = segment["relative_to_mean"].to_list()
            n = 1
            while n < len(sides) and sides[-n - 1] == sides[-1]:
                n += 1
            return n
        return 1


def rule_direction(rule: str | None) -> int:
    """1 where a special-cause rule (the reference's words) is high (above, increasing), -1 low, 0 none.

    >>> rule_direction("7 Points Below CL"), rule_direction("Increasing Trend"), rule_direction(None)
    (-1, 1, 0)
    """
    rule = rule or ""
    return 1 if ("Above" in rule or "Increasing" in rule) else -1 if ("Below" in rule or "Decreasing" in rule) else 0


def chart_kind(indicator: Indicator, numerators: Sequence[float | None], denominators: Sequence[float | None]) -> str:
    """``p`` or ``u`` where :func:`recommended_chart` says so and the figure is a proportion or a rate of
    whole numbers (children, events); ``xmr`` otherwise (counts, medians, workforce FTE).

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> i = load_catalogue()["cpp_2yr_plus_pct"]
    >>> chart_kind(i, [3, 4, 2], [80, 84, 90]), chart_kind(i, [30, 40, 20], [80, 84, 90])
    ('p', 'xmr')
    """
    if indicator.unit not in SCALES or not indicator.denominator:
        return "xmr"
    if any(v is None or float(v) != int(v) or v < 0 for v in (*numerators, *denominators)):
        return "xmr"
    if any(d <= 0 for d in denominators):
        return "xmr"
    if indicator.unit == "percent" and any(n > d for n, d in zip(numerators, denominators)):
        return "xmr"  # not a proportion of the denominator's children
    return recommended_chart([float(n) for n in numerators], [float(d) for d in denominators],
                             rate=indicator.unit != "percent")


def shown_value(value: float | None, indicator: Indicator) -> float | None:
    """The value as members read it (rounded half up to the indicator's decimals), as a float."""
    rounded = round_half_up(value, indicator.decimals)
    return None if rounded is None else float(rounded)


def _chart(kind: str, indicator: Indicator, periods: list[str], values: list[float], numerators: list,
           denominators: list, target: float | None, rebase_at: Sequence[str]) -> pl.DataFrame:
    improvement = IMPROVEMENT_OF_POLARITY[indicator.polarity]
    if kind == "xmr":
        frame = pl.DataFrame({"period": periods, "value": values}, schema={"period": pl.String, "value": pl.Float64})
        return xmr(frame, improvement, target, rebase_at=list(rebase_at) or None, detail=True, source=indicator.id)
    frame = pl.DataFrame({"period": periods, "numerator": [float(n) for n in numerators],
                          "denominator": [float(d) for d in denominators]},
                         schema={"period": pl.String, "numerator": pl.Float64, "denominator": pl.Float64})
    make = p_chart if kind == "p" else u_chart
    return make(frame, improvement, target, rebase_at=list(rebase_at) or None, scale=SCALES[indicator.unit],
                detail=True, source=indicator.id)


def series_spc(indicator: Indicator, rows: Sequence[dict], target: float | None = None,
               rebase_at: Sequence[str] = (), small_number_charts: bool = False,
               quarters_alone: bool = False) -> SeriesSpc:
    """The process control of one indicator's trend, from its rows as members may see them.

    Parameters
    ----------
    indicator
        The catalogue's declaration: its polarity gives the improvement
        direction, its unit and denominator the kind of chart.
    rows
        The trend's headline rows, oldest first: ``period``, ``value``,
        ``numerator``, ``denominator``, and, after disclosure control,
        ``suppressed``, ``suppression`` and ``reason`` (not available).
    target
        The target of the latest quarter, for assurance.
    rebase_at
        Declared changes (``spc_rebase`` in the authority's parameters file):
        each quarter given that falls after the window's first starts a new
        segment with limits of its own; others are ignored.
    small_number_charts
        Whether a p- or u-chart may be drawn where :func:`recommended_chart`
        says so: for analysts only. Their limits change with each quarter's
        denominator and so publish it (n = 9p(1-p)/(limit-p)^2), which, with
        the stock of children on a plan and the plans starting, gave hidden
        starts exactly; an XmR chart's limits are worked out from the shown
        figures alone and publish nothing more. Members get XmR charts.
    quarters_alone
        Whether ``rows`` are each quarter (or month) alone (``"alone"`` windows, annualised)
        of a figure whose catalogue ``trend`` is ``quarter_alone``: a sum over
        a rolling 12 months gets limits over those only, never over its
        overlapping 12-month figures.

    Examples
    --------
    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> rows = [{"period": f"2022-23 Q{q}", "value": v, "numerator": v, "denominator": None}
    ...         for q, v in zip([1, 2, 3, 4], [30.0, 32.0, 31.0, 29.0])]
    >>> series_spc(load_catalogue()["referrals"], rows).variation
    'common_cause'
    >>> hidden = rows[:1] + [{**rows[1], "value": None, "suppressed": True, "suppression": "small"}] + rows[2:]
    >>> print(series_spc(load_catalogue()["referrals"], hidden).reason)
    the figure for 1 of the 4 quarters is not published, to protect children's privacy, and limits or an average worked out over it could give it away
    """
    periods = tuple(r["period"] for r in rows)
    noun = noun_of(periods[-1]) if periods else "quarter"
    unavailable = sum(1 for r in rows if r.get("reason"))
    hidden = sum(1 for r in rows if not r.get("reason") and r.get("suppressed"))
    empty = sum(1 for r in rows if not r.get("reason") and not r.get("suppressed") and r.get("value") is None)
    n = len(rows)
    if hidden:
        figure = "figure" if hidden == 1 else "figures"
        verb, it = ("is", "it") if hidden == 1 else ("are", "them")
        return SeriesSpc(indicator, periods, target=target, hidden=hidden, reason=(
            f"the {figure} for {hidden} of the {n} {noun}s {verb} not published, to protect children's privacy, and "
            f"limits or an average worked out over {it} could give {it} away"))
    if unavailable or empty:
        missing = unavailable + empty
        return SeriesSpc(indicator, periods, target=target, hidden=missing, reason=(
            f"the data give no figure for {missing} of the {n} {noun}s, and limits need every {noun}"))
    if indicator.trend == QUARTER_ALONE and not quarters_alone:
        return SeriesSpc(indicator, periods, target=target, reason=(
            f"a rolling 12-month figure: each {noun} shares {'nine' if noun == 'quarter' else 'eleven'} of its twelve "
            f"months with the one before, so process limits would flag changes that are not there; they are drawn "
            f"over each {noun} alone"))
    if n < 2:
        return SeriesSpc(indicator, periods, target=target, reason=f"fewer than 2 {noun}s: limits need more")
    changes = tuple(p for p in periods[1:] if p in set(rebase_at))
    values = [shown_value(r["value"], indicator) for r in rows]
    numerators = [r.get("numerator") for r in rows]
    denominators = [r.get("denominator") for r in rows]
    kind = chart_kind(indicator, numerators, denominators) if small_number_charts else "xmr"
    try:
        chart = _chart(kind, indicator, list(periods), values, numerators, denominators, target, changes)
    except SpcInputError:  # a declared change leaving a segment of one quarter
        return SeriesSpc(indicator, periods, target=target, rebased=changes, reason=(
            f"a change in the process was declared in {changes[-1]}, which leaves too few {noun}s to draw limits"))
    return SeriesSpc(indicator, periods, chart=chart, kind=kind, rebased=changes, target=target)


def chart_columns(spc: SeriesSpc, digits: int = 4) -> dict[str, dict[str, object]]:
    """Each quarter's mean, limits and point type as a trend chart's rows carry them (rounded to ``digits``).

    Nothing for a trend without limits: its rows carry nulls.
    """
    if spc.chart is None:
        return {}
    found = {}
    for row in spc.chart.iter_rows(named=True):
        found[row["period"]] = {"mean": round(row["mean"], digits), "lower_limit": round(row["lower_limit"], digits),
                                "upper_limit": round(row["upper_limit"], digits), "point_type": row["point_type"]}
    return found


@dataclass
class Recomputed:
    """What :func:`recompute` found: the chart that reproduces the page's figures, if any."""

    chart: pl.DataFrame | None
    kind: str | None = None
    tried: list[str] = field(default_factory=list)


def recompute(indicator: Indicator, periods: Sequence[str], truth: dict[str, dict], segments: Sequence[int],
              claims: dict[str, list[tuple[str, float | str, float]]]) -> Recomputed:
    """The XmR, p or u chart over ``periods`` alone, from the unsuppressed figures, that agrees with ``claims``.

    ``truth`` holds each period's true row (``value``, ``numerator``,
    ``denominator``); ``segments`` each period's segment, as the page's means
    show them; ``claims`` each period's published fields, each a (field,
    value, tolerance) triple (a point type with tolerance 0). A chart that
    reproduces every claim shows that the page's limits, mean and point
    types are worked out from those periods' figures and nothing else.
    """
    starts = [p for k, p in enumerate(periods) if k and segments[k] != segments[k - 1]]
    rows = [truth.get(p) for p in periods]
    if any(r is None or r.get("value") is None for r in rows):
        return Recomputed(None)
    values = [shown_value(r["value"], indicator) for r in rows]
    numerators = [r.get("numerator") for r in rows]
    denominators = [r.get("denominator") for r in rows]
    tried = []
    for kind in ("xmr",):  # a member page's limits publish nothing but what its figures do (see series_spc)
        if kind != "xmr" and (indicator.unit not in SCALES or any(
                x is None for x in (*numerators, *denominators))):
            continue
        try:
            chart = _chart(kind, indicator, list(periods), values, numerators, denominators, None, starts)
        except (SpcInputError, ValueError, ZeroDivisionError):
            continue
        tried.append(kind)
        if _agrees(chart, claims):
            return Recomputed(chart, kind, tried)
    return Recomputed(None, None, tried)


def _agrees(chart: pl.DataFrame, claims: dict[str, list[tuple[str, float | str, float]]]) -> bool:
    for row in chart.iter_rows(named=True):
        for name, claimed, tolerance in claims.get(row["period"], []):
            if name == "point_type":
                if claimed != row["point_type"]:
                    return False
            elif abs(float(claimed) - row[name]) > tolerance + 1e-9 * abs(row[name]):
                return False
    return True

