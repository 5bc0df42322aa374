"""Count the children open at every window's end in one sweep, for headline figures.

Counting children on a plan (in need, missing, ...) at each window's end row by
row pairs every interval with every window end it spans, then counts distinct
children per authority and window: by month, three times the pairs of a
quarter. For a headline figure alone, the same number comes from one pass
over the intervals sorted by child, whatever the number of window ends:

1. each interval spans the window ends from the first on or after its start
   to the last before its end (``start <= end of window < end``; no end: still
   open), found by binary search among the few sorted ends: a range of positions;
2. a child's ranges, in order of their first position, are cut to what the
   child's earlier ranges did not already cover, so that the child counts once
   at each end however many of their intervals span it;
3. each piece adds 1 at its first position and takes 1 away after its last,
   and a running total over the positions, by authority, is the number of
   children at each end.

Children are sorted by :func:`perfkit.records.dataset.by_child`: by a 64-bit key,
or by their ids' texts where two children share one, so the count is exact.
"""

from __future__ import annotations

import polars as pl

from perfkit.indicators.windows import spanned
from perfkit.records.dataset import SAME_CHILD, by_child

COUNTED = "__children"
"""The column :func:`children_open_at_end` counts in."""


def children_open_at_end(intervals: pl.DataFrame, start_column: str, end_column: str,
                         windows: pl.DataFrame) -> pl.DataFrame:
    """The number of distinct children with an interval open at each window's end, by authority.

    Open means as :func:`perfkit.indicators.windows.open_at_end` has it: started on
    or before the window's end and not ended by it. Returns ``la_code``,
    ``period`` and ``__children`` (:data:`COUNTED`) for each authority with an
    interval open at some window's end, and every window (0 where none is open).

    >>> import datetime as dt
    >>> d = dt.date
    >>> windows = pl.DataFrame({"period": ["Q1", "Q2"], "window_start": [d(2022, 4, 1), d(2022, 7, 1)],
    ...     "window_end": [d(2022, 6, 30), d(2022, 9, 30)], "window_r12_start": [d(2021, 7, 1)] * 2})
    >>> plans = pl.DataFrame({"la_code": ["990"] * 4, "child_id": ["a", "a", "b", "c"],
    ...     "start": [d(2022, 5, 1), d(2022, 6, 1), d(2022, 5, 1), d(2022, 7, 1)],
    ...     "end": [None, d(2022, 8, 1), d(2022, 6, 30), d(2022, 9, 29)]})
    >>> children_open_at_end(plans, "start", "end", windows).sort("period").rows()  # a twice at Q1's end, once
    [('990', 'Q1', 1), ('990', 'Q2', 1)]
    """
    ends = windows.get_column("window_end").unique().sort()
    positions = ends.len()
    first, after = spanned(ends, start_column, end_column)
    spans = (
        intervals.filter(pl.col(start_column).is_not_null())
        .select("la_code", "child_id", __from=first.cast(pl.Int64), __to=after.cast(pl.Int64))
        .filter(pl.col("__from") < pl.col("__to"))
    )
    ordered, authorities = _by_child(spans)
    # a child's reach so far, the furthest position their earlier intervals cover: a running maximum that
    # starts again with each child (child number * (positions + 1) + position is a running maximum over all)
    scale = positions + 1
    child = pl.col("__new_child").cum_sum().cast(pl.Int64)
    reached = ((child * scale + pl.col("__to")).cum_max() - child * scale).shift(1)
    pieces = ordered.select(
        "__authority", "__to",
        __from=pl.when(pl.col("__new_child")).then(pl.col("__from")).otherwise(pl.max_horizontal("__from", reached)),
    ).filter(pl.col("__from") < pl.col("__to"))
    # +1 where a piece starts, -1 after it ends: authority number * (positions + 1) + position, counted
    at = pl.col("__authority").cast(pl.Int64) * scale
    steps = pl.concat([
        pieces.select(__at=at + pl.col("__from"), __step=pl.lit(1, pl.Int64)),
        pieces.select(__at=at + pl.col("__to"), __step=pl.lit(-1, pl.Int64)),
    ]).group_by("__at").agg(pl.col("__step").sum())
    every = pl.DataFrame({"__at": pl.int_range(0, authorities.len() * scale, dtype=pl.Int64, eager=True)})
    counts = (every.join(steps, on="__at", how="left").sort("__at")
              .with_columns(__authority=pl.col("__at") // scale, __end=pl.col("__at") % scale)
              .with_columns(pl.col("__step").fill_null(0).cum_sum().over("__authority").alias(COUNTED))
              .filter(pl.col("__end") < positions)
              .select(la_code=pl.lit(authorities).gather(pl.col("__authority")),
                      TO=pl.lit(ends).gather(pl.col("__end")), **{COUNTED: COUNTED}))
    return (counts.join(windows.select("period", TO=pl.col("window_end")), on="TO")
            .select("la_code", "period", COUNTED))


def _by_child(spans: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """``spans`` sorted by child, then first position, with ``__new_child`` (the first row of each child) and
    ``__authority`` (the authority's place among the authorities, in order); and the authorities."""
    ordered = by_child(spans, "__from")
    codes = ordered.get_column("la_code")
    if isinstance(codes.dtype, pl.Enum):  # already numbered
        authorities, number = codes.dtype.categories.cast(codes.dtype), pl.col("la_code").to_physical()
    else:
        authorities = codes.unique().sort()
        number = pl.col("la_code").cast(pl.Enum(authorities)).to_physical()
    return ordered.select(
        __new_child=~SAME_CHILD.fill_null(False), __authority=number, __from="__from", __to="__to"), authorities
