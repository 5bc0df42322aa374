"""The headline engine's sweeps give the figures the row-level path gives: children open at each window's end.

The sweep (:mod:`perfkit.indicators.sweeps`) counts headline figures only;
breakdowns and drill-down keep the rows. Both must agree on every authority and
window, for intervals that overlap, touch, end on a window's last day, have no
start or no end, and for children whose 64-bit keys collide.
"""

from __future__ import annotations

import datetime as dt
import random

import polars as pl
import pytest

from perfkit.indicators import sweeps
from perfkit.indicators.engine import windows_frame
from perfkit.indicators.measure_base import CHILDREN
from perfkit.indicators.periods import Month, Period
from perfkit.indicators.windows import open_at_end


def _intervals(seed: int, rows: int = 3_000) -> pl.DataFrame:
    """Random intervals of a few children of three authorities: many per child, overlapping and touching,
    some without an end (still open) or a start, some ending on a quarter's or month's last day."""
    rng = random.Random(seed)
    base = dt.date(2019, 1, 1)
    starts, ends = [], []
    for _ in range(rows):
        start = base + dt.timedelta(days=rng.randrange(0, 2_400))
        kind = rng.random()
        if kind < 0.1:
            end = None
        elif kind < 0.25:  # the last day of the month it reaches: open at no end it touches
            reach = start + dt.timedelta(days=rng.randrange(0, 200))
            end = (reach.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        else:
            end = start + dt.timedelta(days=rng.randrange(0, 400))
        starts.append(None if rng.random() < 0.02 else start)
        ends.append(end)
    return pl.DataFrame({
        "la_code": [rng.choice(["990", "991", "992"]) for _ in range(rows)],
        "child_id": [f"c{rng.randrange(0, 400)}" for _ in range(rows)],
        "start": pl.Series(starts, dtype=pl.Date),
        "end": pl.Series(ends, dtype=pl.Date),
    })


def _row_level(intervals: pl.DataFrame, windows: pl.DataFrame) -> pl.DataFrame:
    return open_at_end(intervals, "start", "end", windows).group_by("la_code", "period").agg(n=CHILDREN)


def _compared(intervals: pl.DataFrame, windows: pl.DataFrame) -> pl.DataFrame:
    swept = sweeps.children_open_at_end(intervals, "start", "end", windows)
    rows = _row_level(intervals, windows)
    return swept.join(rows, on=["la_code", "period"], how="full", coalesce=True).with_columns(
        pl.col(sweeps.COUNTED).fill_null(0).cast(pl.Float64), pl.col("n").fill_null(0.0))


QUARTERS = windows_frame(Period.parse("2024-25 Q4").series(24))
MONTHS = windows_frame(Month.parse("2024-25 M12").series(72))
# a quarter's year to date and rolling 12 months end with it: windows sharing their last day
KINDS = windows_frame([f"2023-24 Q{q}{kind}" for q in (1, 2, 3, 4) for kind in ("", " YTD", " R12")])


@pytest.mark.parametrize("windows", [QUARTERS, MONTHS, KINDS], ids=["quarters", "months", "windows sharing an end"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sweep_counts_what_the_rows_count(windows, seed):
    compared = _compared(_intervals(seed), windows)
    assert compared.height == 3 * windows.height
    assert compared.filter(pl.col(sweeps.COUNTED) != pl.col("n")).is_empty()
    assert compared["n"].sum() > 0


def test_children_whose_keys_collide_are_still_told_apart(monkeypatch):
    """Every child given one key: neighbours by key are not one child's, and the texts decide instead."""
    intervals = _intervals(4)
    import perfkit.records.dataset

    monkeypatch.setattr(perfkit.records.dataset, "child_key", lambda: pl.lit(7, dtype=pl.UInt64))  # by_child's key
    compared = _compared(intervals, QUARTERS)
    assert compared.filter(pl.col(sweeps.COUNTED) != pl.col("n")).is_empty()
    assert compared["n"].sum() > 0


def test_no_interval_open_at_any_end_counts_nothing():
    intervals = pl.DataFrame({"la_code": ["990"], "child_id": ["a"], "start": [dt.date(2030, 1, 1)],
                              "end": pl.Series([None], dtype=pl.Date)})
    assert sweeps.children_open_at_end(intervals, "start", "end", QUARTERS).is_empty()
    assert sweeps.children_open_at_end(intervals.clear(), "start", "end", QUARTERS).is_empty()
