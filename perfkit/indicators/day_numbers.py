"""Work a rule out once per day, not once per row: tables indexed by day number.

A national run asks "the same date a year earlier" of millions of referrals and
"how many working days between" of millions of assessments, but the dates fall
on a few thousand days. :func:`by_day` works the rule out for each day from
the earliest date to the latest once, and each row looks its day up: a
subtraction and a gather, where calendar arithmetic per row costs ten times as
much at national scale (``bench/RESULTS.md``).
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

import polars as pl

MOST_DAYS = 200_000
"""The longest span of days a table is made for (some 550 years); a wider span (a date mistyped as 9999)
is worked out row by row instead."""


def day_span(dates: list[pl.Series]) -> tuple[dt.date, dt.date] | None:
    """The earliest and latest of ``dates``, or None where there is none or they span more than
    :data:`MOST_DAYS` (then a table would be larger than the rows it serves)."""
    known = [d for series in dates for d in (series.min(), series.max()) if d is not None]
    if not known or (max(known) - min(known)).days >= MOST_DAYS:
        return None
    return min(known), max(known)


def by_day(date: pl.Expr, span: tuple[dt.date, dt.date], rule: Callable[[pl.Series], pl.Series]) -> pl.Expr:
    """``rule`` of ``date``, worked out once for each day of ``span`` and looked up by day number; empty where
    ``date`` is, or falls outside the span (:func:`day_span` gives one holding every date of some columns).

    >>> span = (dt.date(2024, 2, 28), dt.date(2024, 3, 1))
    >>> frame = pl.DataFrame({"day": [dt.date(2024, 2, 29), None, dt.date(2024, 3, 1), dt.date(2024, 3, 2)]})
    >>> frame.select(by_day(pl.col("day"), span, lambda days: days.dt.offset_by("-1y"))).to_series().to_list()
    [datetime.date(2023, 2, 28), None, datetime.date(2023, 3, 1), None]
    """
    first, last = span
    table = rule(pl.date_range(first, last, "1d", eager=True))
    offset = date.cast(pl.Int32) - pl.lit(first).cast(pl.Int32)
    inside = (offset >= 0) & (offset < table.len())
    return pl.when(inside).then(pl.lit(table).gather(offset.clip(0, table.len() - 1)))


def year_earlier(frame: pl.DataFrame, column: str) -> pl.Expr:
    """The same calendar date a year before ``column`` (29 February: 28 February), as ``dt.offset_by("-1y")``.

    >>> frame = pl.DataFrame({"day": [dt.date(2024, 2, 29), dt.date(2023, 7, 1)]})
    >>> frame.select(year_earlier(frame, "day")).to_series().to_list()
    [datetime.date(2023, 2, 28), datetime.date(2022, 7, 1)]
    """
    span = day_span([frame[column]])
    if span is None:
        return pl.col(column).dt.offset_by("-1y")
    return by_day(pl.col(column), span, lambda days: days.dt.offset_by("-1y"))
