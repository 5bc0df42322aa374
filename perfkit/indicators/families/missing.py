"""Count children missing from care or home: episodes, children, those missing again and again or still
missing, how long episodes last, those under 16, and return home interviews."""

from __future__ import annotations

import polars as pl

from perfkit.indicators.child_details import with_children
from perfkit.indicators.children import age_on
from perfkit.indicators.measure_base import (
    CHILDREN,
    ROWS,
    MeasureInput,
    MeasureRows,
    count_true,
    measure,
)
from perfkit.indicators.windows import in_window, open_at_end


def _missing(m: MeasureInput) -> pl.DataFrame:
    return m.data.table("missing_episodes").filter(pl.col("missing_type") == "M")


def _missing_starting(m: MeasureInput) -> pl.DataFrame:
    return m.shared("missing_starting", lambda: in_window(_missing(m), "missing_start", m.windows))


@measure("missing_episodes")
def missing_episodes(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_missing_starting(m), ROWS)


@measure("missing_children")
def missing_children(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_missing_starting(m), CHILDREN)


@measure("missing_episodes_per_child")
def missing_episodes_per_child(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_missing_starting(m), ROWS, CHILDREN)


@measure("missing_repeat_children")
def missing_repeat_children(m: MeasureInput) -> MeasureRows:
    episodes = pl.len().over("la_code", "period", "child_id")
    rows = in_window(_missing(m), "missing_start", m.windows, "rolling12").with_columns(__episodes=episodes)
    return MeasureRows(rows, pl.col("child_id").filter(pl.col("__episodes") >= 3).n_unique().cast(pl.Float64))


@measure("missing_at_end")
def missing_at_end(m: MeasureInput) -> MeasureRows:
    return MeasureRows(open_at_end(_missing(m), "missing_start", "missing_end", m.windows), CHILDREN)


@measure("missing_over_7d_pct")
def missing_over_7d_pct(m: MeasureInput) -> MeasureRows:
    ended = in_window(_missing(m), "missing_end", m.windows)
    days = (pl.col("missing_end") - pl.col("missing_start")).dt.total_days()
    return MeasureRows(ended, count_true(days >= 8), ROWS)


@measure("missing_under16_pct")
def missing_under16_pct(m: MeasureInput) -> MeasureRows:
    rows = with_children(_missing_starting(m), m.data, ("date_of_birth",))
    under16 = pl.col("child_id").filter(age_on(pl.col("missing_start"), pl.col("date_of_birth")) < 16).n_unique()
    return MeasureRows(rows, under16.cast(pl.Float64), CHILDREN)


@measure("rhi_offered_72h_pct")
def rhi_offered_72h_pct(m: MeasureInput) -> MeasureRows:
    ended = in_window(_missing(m), "missing_end", m.windows)
    delay = (pl.col("rhi_offered_date") - pl.col("missing_end")).dt.total_days()
    return MeasureRows(ended, count_true(delay.is_between(0, 3)), ROWS)


@measure("rhi_accepted_pct")
def rhi_accepted_pct(m: MeasureInput) -> MeasureRows:
    offered = _missing(m).filter(pl.col("rhi_offered_date").is_not_null())
    return MeasureRows(in_window(offered, "missing_end", m.windows), count_true(pl.col("rhi_accepted") == "Y"), ROWS)
