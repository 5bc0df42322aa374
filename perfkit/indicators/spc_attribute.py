"""p and u charts: limits from the binomial or Poisson variation of each point, for small numbers.

An XmR chart (:func:`perfkit.indicators.spc.xmr`) gives every point the same
limits, read from the moving ranges. Where the counts behind a percentage or a
rate are small, or the denominators differ a lot from period to period, each
point's own chance variation is what matters: a p chart (a proportion,
numerator of denominator) or a u chart (a rate, events per unit of exposure)
gives each point limits of three of its own standard errors about the
weighted centre line. The special-cause rules, variation and assurance are
those of the XmR chart. NHSRplotthedots has no p or u chart: these are
perfkit's, on the textbook formulas (Montgomery, *Introduction to Statistical
Quality Control*, ch. 7; Provost and Murray, *The Health Care Data Guide*, ch. 5).
:func:`recommended_chart` says which chart to use; ``docs/spc.md`` explains why.

>>> frame = pl.DataFrame({"period": ["Q1", "Q2", "Q3", "Q4"], "numerator": [3.0, 5, 2, 9],
...                       "denominator": [20.0, 25, 10, 30]})
>>> chart = p_chart(frame, "lower", scale=100)
>>> chart.select("period", "value", "mean", "lower_limit", "upper_limit").rows()[:2]
[('Q1', 15.0, 22.35294117647059, 0.0, 50.299999380935276), ('Q2', 20.0, 22.35294117647059, 0.0, 47.349549943001094)]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

import polars as pl

from perfkit.indicators import spc
from perfkit.indicators.spc import SpcInputError

SMALL_COUNT = 10
"""Below this mean count per period (the numerator's), an XmR chart misleads: use a p or u chart."""
SMALL_DENOMINATOR = 20
"""A denominator below this makes one case move a percentage by 5 points or more: use a p or u chart."""


def recommended_chart(numerators: Sequence[float], denominators: Sequence[float], *, rate: bool = False) -> str:
    """``xmr``, or ``p`` (a proportion) / ``u`` (a rate) where the numbers are small.

    A p or u chart when the mean numerator per period is below 10, or any
    denominator is below 20; an XmR chart otherwise (its limits, read from the
    data, take in the variation between periods that a p or u chart of large
    numbers leaves out, so that it flags nearly every point).

    >>> recommended_chart([4, 6, 3], [40, 55, 38]), recommended_chart([40, 60, 30], [400, 550, 380])
    ('p', 'xmr')
    >>> recommended_chart([40, 60, 30], [15, 550, 380], rate=True)
    'u'
    """
    if not numerators:
        raise SpcInputError("no periods: a chart needs at least 2")
    small = math.fsum(numerators) / len(numerators) < SMALL_COUNT or min(denominators) < SMALL_DENOMINATOR
    return ("u" if rate else "p") if small else "xmr"


def _centre(numerators: Sequence[float], denominators: Sequence[float]) -> float:
    """The weighted centre line: all cases over all denominators, correctly rounded."""
    return float(sum(map(Fraction, numerators), Fraction(0)) / sum(map(Fraction, denominators), Fraction(0)))


def _chart(frame: pl.DataFrame, improvement: str, target: float | None, rebase_at: Sequence | None,
           baseline_points: int | None, scale: float, detail: bool, source: str, proportion: bool) -> pl.DataFrame:
    improvement = spc._check_improvement(improvement)
    target, baseline_points = spc._check_target(target), spc._check_baseline(baseline_points)
    if not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
        raise SpcInputError(f"scale {scale!r}: expected a positive number (100 for a percentage, 10000 for a rate per 10,000)")
    frame, (numerators, denominators) = spc._series(frame, ["numerator", "denominator"], source)
    periods = frame["period"].to_list()
    for row, (period, num, den) in enumerate(zip(periods, numerators, denominators), 1):
        if den <= 0:
            raise SpcInputError(f"{source}: row {row}: denominator {den:g} for period {period!r}: expected more than 0")
        if num < 0:
            raise SpcInputError(f"{source}: row {row}: numerator {num:g} for period {period!r}: expected 0 or more")
        if proportion and num > den:
            raise SpcInputError(f"{source}: row {row}: numerator {num:g} for period {period!r} is more than "
                                f"its denominator {den:g}: a p chart is of a proportion (a u chart takes a rate)")
    groups = spc.segments(periods, rebase_at, frame["period"].dtype, source)
    values = [scale * n / d for n, d in zip(numerators, denominators)]
    centre, sigma, baseline = [], [], []
    for g in sorted(set(groups)):
        rows = [i for i, x in enumerate(groups) if x == g]
        fixed = rows[:baseline_points] if baseline_points else rows
        c = _centre([numerators[i] for i in fixed], [denominators[i] for i in fixed])
        variance = c * (1 - c) if proportion else c
        centre += [scale * c] * len(rows)
        sigma += [scale * math.sqrt(variance / denominators[i]) for i in rows]
        baseline += [i in fixed for i in rows]
    top = scale if proportion else math.inf
    lines = {}
    for name, k in (("", 3), ("_2sigma", 2), ("_1sigma", 1)):
        lines["lower" + name] = [max(0.0, c - k * s) for c, s in zip(centre, sigma)]
        lines["upper" + name] = [min(top, c + k * s) for c, s in zip(centre, sigma)]
    return spc.chart_frame(frame, values, groups, centre, lines, improvement, target, baseline, detail,
                           {"numerator": numerators, "denominator": denominators, "sigma": sigma})


def p_chart(frame: pl.DataFrame, improvement: str = "higher", target: float | None = None, *,
            rebase_at: Sequence | None = None, baseline_points: int | None = None, scale: float = 1.0,
            detail: bool = False, source: str = "input") -> pl.DataFrame:
    """A p chart of ``frame`` (columns ``period``, ``numerator``, ``denominator``): a proportion a period.

    The centre line is the baseline's cases over its denominators (p̄); a
    point's limits are p̄ ± 3 √(p̄(1 − p̄)/n), and its two-sigma lines
    p̄ ± 2 √(…), cut to 0 and ``scale``. ``value`` is ``scale`` × numerator /
    denominator (``scale=100`` for a percentage); ``target`` is in the same
    units. The other arguments and the columns are those of
    :func:`perfkit.indicators.spc.xmr`; ``detail`` adds ``numerator``,
    ``denominator`` and ``sigma``.

    >>> frame = pl.DataFrame({"period": ["a", "b", "c", "d"], "numerator": [10.0, 10, 10, 30],
    ...                       "denominator": [100.0, 100, 100, 100]})
    >>> p_chart(frame, "lower").select("mean", "lower_limit", "upper_limit", "point_type").row(-1)
    (0.15, 0.04287857357185723, 0.25712142642814273, 'special_cause_concern')
    """
    return _chart(frame, improvement, target, rebase_at, baseline_points, scale, detail, source, proportion=True)


def u_chart(frame: pl.DataFrame, improvement: str = "higher", target: float | None = None, *,
            rebase_at: Sequence | None = None, baseline_points: int | None = None, scale: float = 1.0,
            detail: bool = False, source: str = "input") -> pl.DataFrame:
    """A u chart of ``frame`` (columns ``period``, ``numerator``, ``denominator``): a rate a period.

    ``numerator`` counts events and ``denominator`` the exposure (children,
    days). The centre line is the baseline's events over its exposure (ū); a
    point's limits are ū ± 3 √(ū/n), the lower cut at 0. ``value`` is
    ``scale`` × numerator / denominator (``scale=10000`` for a rate per
    10,000). Otherwise as :func:`p_chart`.

    >>> frame = pl.DataFrame({"period": ["a", "b", "c"], "numerator": [4.0, 5, 3],
    ...                       "denominator": [10000.0, 10000, 10000]})
    >>> u_chart(frame, "lower", scale=10000).select("mean", "lower_limit", "upper_limit").row(0)
    (4.0, 0.0, 10.0)
    """
    return _chart(frame, improvement, target, rebase_at, baseline_points, scale, detail, source, proportion=False)
