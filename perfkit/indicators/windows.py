"""Place rows in the reporting windows they belong to: events by date, intervals open at a window's end.

A frame of windows has ``period``, ``window_start``, ``window_end`` and
``window_r12_start``. Rows placed in a window carry its bounds (``__from``,
``__to``, ``__r12``) and ``__age_date``, the date at which a child's age is
taken for the age-band breakdown.
"""

from __future__ import annotations

import datetime

import polars as pl

from perfkit.indicators.day_numbers import by_day

AGE_DATE = "__age_date"
FROM = "__from"
TO = "__to"
R12 = "__r12"


def _bounds(windows: pl.DataFrame) -> pl.DataFrame:
    return windows.select(
        "period", pl.col("window_start").alias(FROM), pl.col("window_end").alias(TO),
        pl.col("window_r12_start").alias(R12),
    )


def _window_months(windows: pl.DataFrame, start: str) -> pl.DataFrame:
    """Each window's months, one row each: windows are whole months, so membership is an equi-join."""
    return windows.select(
        "period", pl.col(start).alias(FROM), pl.col("window_end").alias(TO), pl.col("window_r12_start").alias(R12),
        pl.date_ranges(pl.col(start), pl.col("window_end"), "1mo").alias("__month"),
    ).explode("__month")


def in_window(events: pl.DataFrame, date_column: str, windows: pl.DataFrame, window: str = "period") -> pl.DataFrame:
    """Each event once per window whose dates contain ``date_column``.

    ``window`` is ``"period"`` (the window itself: a quarter, year to date or
    12 months) or ``"rolling12"`` (the 12 months ending on the window's end,
    whatever the window). Windows that do not overlap (quarters) are found by
    binary search over their sorted starts: each event lands in one window or
    none. Overlapping windows (a quarter's year to date beside its rolling 12
    months) are whole months, so events meet them through their month (a hash
    join), never an inequality join.

    >>> import datetime as dt
    >>> windows = pl.DataFrame({"period": ["Q1", "Q2"], "window_start": [dt.date(2022, 4, 1), dt.date(2022, 7, 1)],
    ...     "window_end": [dt.date(2022, 6, 30), dt.date(2022, 9, 30)],
    ...     "window_r12_start": [dt.date(2021, 7, 1), dt.date(2021, 10, 1)]})
    >>> events = pl.DataFrame({"id": [1, 2, 3], "day": [dt.date(2022, 3, 31), dt.date(2022, 6, 30), dt.date(2022, 7, 1)]})
    >>> in_window(events, "day", windows).select("id", "period").rows()
    [(2, 'Q1'), (3, 'Q2')]
    >>> in_window(events, "day", windows, "rolling12").select("id", "period").sort("id", "period").rows()
    [(1, 'Q1'), (1, 'Q2'), (2, 'Q1'), (2, 'Q2'), (3, 'Q2')]
    """
    bounds = ordered_bounds(windows, window)
    columns = _bounds(windows).columns
    date = pl.col(date_column)
    if disjoint(bounds):
        # windows that do not overlap (quarters): an event is in at most one, found by binary search
        placed = events.with_columns(__window=window_position(date, bounds)).filter(pl.col("__window").is_not_null())
        return _with_window(placed, bounds.select(columns), "__window").with_columns(date.alias(AGE_DATE))
    if bounds["__first"].is_sorted():
        # windows in order of both their first and last days (rolling 12 months of successive
        # quarters): those holding a date are consecutive, from the first ending on or after it
        # to the last starting on or before it
        placed = events.with_columns(__window=pl.when(date.is_not_null()).then(pl.int_ranges(
            pl.lit(bounds[TO]).search_sorted(date, side="left"),
            pl.lit(bounds["__first"]).search_sorted(date, side="right"),
            dtype=pl.UInt32,
        ))).explode("__window", empty_as_null=False, keep_nulls=False)
        return _with_window(placed, bounds.select(columns), "__window").with_columns(date.alias(AGE_DATE))
    months = _window_months(windows, FIRST_DAY[window])
    return (
        events.filter(pl.col(date_column).is_not_null())
        .with_columns(__month=pl.col(date_column).dt.month_start())
        .join(months, on="__month", how="inner")
        .drop("__month")
        .with_columns(pl.col(date_column).alias(AGE_DATE))
    )


def window_position(date: pl.Expr, bounds: pl.DataFrame) -> pl.Expr:
    """The row of ``bounds`` (:func:`ordered_bounds` of :func:`disjoint` windows) holding ``date``, or null.

    The last window starting on or before the date must be the first ending on or after it.

    >>> import datetime as dt
    >>> windows = pl.DataFrame({"period": ["Q1", "Q2"], "window_start": [dt.date(2022, 4, 1), dt.date(2022, 7, 1)],
    ...     "window_end": [dt.date(2022, 6, 30), dt.date(2022, 9, 30)],
    ...     "window_r12_start": [dt.date(2021, 7, 1), dt.date(2021, 10, 1)]})
    >>> days = pl.DataFrame({"day": [dt.date(2022, 3, 31), dt.date(2022, 6, 30), dt.date(2022, 7, 1), None]})
    >>> days.select(window_position(pl.col("day"), ordered_bounds(windows, "period"))).to_series().to_list()
    [None, 0, 1, None]
    """
    def row_of(days: pl.Series) -> pl.Series:  # each day's window (the first ending on or after it), if it has begun
        ending = pl.lit(bounds[TO]).search_sorted(days, side="left").cast(pl.UInt32)
        return pl.select(pl.when(pl.lit(days) >= pl.lit(bounds["__first"]).gather(ending)).then(ending)).to_series()

    # worked out for each day from the first window's first to the last one's last, and looked up: a date's
    # window is one subtraction and one look-up, not two binary searches
    return by_day(date, (bounds["__first"].min(), bounds[TO].max()), row_of)


FIRST_DAY = {"period": "window_start", "rolling12": "window_r12_start"}
"""The column of ``windows`` holding the first day of each kind of window (see :func:`in_window`)."""


def ordered_bounds(windows: pl.DataFrame, window: str) -> pl.DataFrame:
    """The windows' bounds by their last day, with the first day of ``window`` (``__first``)."""
    return _bounds(windows).with_columns(__first=windows[FIRST_DAY[window]]).sort(TO, "__first")


def disjoint(bounds: pl.DataFrame) -> bool:
    """Whether no two windows share a day (quarters), so that a date is in one window at most."""
    return bounds.height > 0 and bool((bounds["__first"].shift(-1) > bounds[TO]).drop_nulls().all())


OPEN_ENDED = datetime.date(9999, 12, 31)


def open_at_end(intervals: pl.DataFrame, start_column: str, end_column: str, windows: pl.DataFrame) -> pl.DataFrame:
    """Each interval once per window on whose last day it is open.

    Open means started on or before the window's end and not ended by it (an
    interval whose end date is the window's end has ended). Window ends are
    sorted, so the ends an interval spans are found by binary search and only
    those pairs are made (no join of every interval to every window).

    >>> import datetime as dt
    >>> windows = pl.DataFrame({"period": ["Q1", "Q2"], "window_start": [dt.date(2022, 4, 1), dt.date(2022, 7, 1)],
    ...     "window_end": [dt.date(2022, 6, 30), dt.date(2022, 9, 30)], "window_r12_start": [dt.date(2021, 7, 1)] * 2})
    >>> plans = pl.DataFrame({"id": [1, 2, 3], "start": [dt.date(2022, 5, 1), dt.date(2022, 5, 1), dt.date(2022, 7, 1)],
    ...     "end": [dt.date(2022, 6, 30), None, dt.date(2022, 9, 29)]})
    >>> open_at_end(plans, "start", "end", windows).select("id", "period").rows()
    [(2, 'Q1'), (2, 'Q2')]
    """
    return spanning(intervals, start_column, end_column, windows, TO).with_columns(pl.col(TO).alias(AGE_DATE))


def spanning(
    intervals: pl.DataFrame, start_column: str, end_column: str, windows: pl.DataFrame, point: str,
    started_before: bool = False,
) -> pl.DataFrame:
    """Each interval once per window whose date ``point`` (``TO`` or ``R12``) it spans.

    An interval spans a date it started on or before (strictly before, with
    ``started_before``) and had not ended by: ``start <= date < end``, with an
    empty end meaning still open. The window dates are sorted, so the dates an
    interval spans are found by binary search and only those pairs are made.
    """
    bounds = _bounds(windows).sort(point)
    points = bounds.select(pl.col(point).unique().sort()).to_series()
    first, after = spanned(points, start_column, end_column, started_before)
    paired = (
        intervals.with_columns(__point=pl.when(pl.col(start_column).is_not_null()).then(pl.int_ranges(first, after, dtype=pl.UInt32)))
        .explode("__point", empty_as_null=False, keep_nulls=False)
    )
    if points.len() == bounds.height:  # one window per date (quarters only): look the window up by position
        return _with_window(paired, bounds, "__point")
    at = pl.DataFrame({"__point": pl.Series(range(points.len()), dtype=pl.UInt32), point: points})
    return paired.join(at, on="__point").join(bounds, on=point).drop("__point")


def spanned(points: pl.Series, start_column: str, end_column: str, started_before: bool = False) -> tuple[pl.Expr, pl.Expr]:
    """The positions among the sorted dates ``points`` that each interval spans (see :func:`spanning`): from
    the first to just before the second, found by binary search.

    >>> import datetime as dt
    >>> ends = pl.Series([dt.date(2022, 6, 30), dt.date(2022, 9, 30)])
    >>> plans = pl.DataFrame({"start": [dt.date(2022, 5, 1), dt.date(2022, 5, 1)], "end": [dt.date(2022, 6, 30), None]})
    >>> first, after = spanned(ends, "start", "end")
    >>> plans.select(first.alias("first"), after.alias("after")).rows()  # the first ended on 30 June: open at no end
    [(0, 0), (0, 2)]
    """
    lookup = pl.lit(points)
    return (lookup.search_sorted(pl.col(start_column), side="right" if started_before else "left"),
            lookup.search_sorted(pl.col(end_column).fill_null(OPEN_ENDED), side="left"))


def _with_window(rows: pl.DataFrame, bounds: pl.DataFrame, position: str) -> pl.DataFrame:
    """``rows`` with the columns of the window at row ``position`` of ``bounds``, in place of the position."""
    return rows.with_columns([pl.lit(bounds[c]).gather(pl.col(position)).alias(c) for c in bounds.columns]).drop(position)


def last_month(rows: pl.DataFrame, windows: pl.DataFrame) -> pl.DataFrame:
    """Monthly rows of each window's last month (``month`` is the month's first day)."""
    bounds = _bounds(windows).with_columns(__month=pl.col(TO).dt.month_start())
    return rows.join_where(bounds, pl.col("month") == pl.col("__month")).drop("__month")
