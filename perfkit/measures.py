"""How each catalogue indicator is counted from the record-level tables.

Each measure is a pure function from the dataset's tables and a frame of
reporting windows to a frame of ``la_code, period, numerator, denominator``
(denominator empty where the catalogue supplies it, as for rates). All periods
are computed together in one pass: events are joined to the windows they fall
in, then counted per authority and period.

The metadata of a measure (title, unit, polarity, definition) lives in
``catalogue.yaml``; only the counting lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import polars as pl

from perfkit.loading import Dataset
from perfkit.workdays import WorkingDayCalendar

KEYS = ["la_code", "period"]


@dataclass(frozen=True)
class MeasureInput:
    """What a measure function receives."""

    data: Dataset
    windows: pl.DataFrame
    calendar: WorkingDayCalendar


MeasureFunction = Callable[[MeasureInput], pl.DataFrame]


@dataclass(frozen=True)
class Measure:
    id: str
    tables: tuple[str, ...]
    function: MeasureFunction


REGISTRY: dict[str, Measure] = {}


def measure(indicator_id: str, *tables: str) -> Callable[[MeasureFunction], MeasureFunction]:
    """Register the counting function of a catalogue indicator."""

    def register(function: MeasureFunction) -> MeasureFunction:
        REGISTRY[indicator_id] = Measure(indicator_id, tables, function)
        return function

    return register


# --- building blocks ---------------------------------------------------------

def in_window(events: pl.DataFrame, date_column: str, windows: pl.DataFrame, window: str = "quarter") -> pl.DataFrame:
    """Each event once per window whose dates contain ``date_column``.

    ``window`` is ``"quarter"`` (the period itself) or ``"rolling12"`` (the 12
    months ending on the period end).
    """
    start = {"quarter": "window_start", "rolling12": "window_r12_start"}[window]
    bounds = windows.select("period", pl.col(start).alias("__from"), pl.col("window_end").alias("__to"))
    return events.filter(pl.col(date_column).is_not_null()).join_where(
        bounds, pl.col(date_column) >= pl.col("__from"), pl.col(date_column) <= pl.col("__to")
    )


def open_at_end(intervals: pl.DataFrame, start_column: str, end_column: str, windows: pl.DataFrame) -> pl.DataFrame:
    """Each interval once per window on whose last day it is open.

    Open means started on or before the period end and not ended by it (an
    interval whose end date is the period end has ended).
    """
    bounds = windows.select("period", pl.col("window_end").alias("__to"))
    return intervals.join_where(bounds, pl.col(start_column) <= pl.col("__to")).filter(
        pl.col(end_column).is_null() | (pl.col(end_column) > pl.col("__to"))
    )


def count_rows(joined: pl.DataFrame) -> pl.DataFrame:
    return joined.group_by(KEYS).agg(numerator=pl.len().cast(pl.Float64))


def count_children(joined: pl.DataFrame) -> pl.DataFrame:
    return joined.group_by(KEYS).agg(numerator=pl.col("child_id").n_unique().cast(pl.Float64))


def share(joined: pl.DataFrame, condition: pl.Expr) -> pl.DataFrame:
    """Rows meeting ``condition`` over all rows, per authority and period."""
    return joined.group_by(KEYS).agg(
        numerator=condition.fill_null(False).sum().cast(pl.Float64),
        denominator=pl.len().cast(pl.Float64),
    )


# --- front door --------------------------------------------------------------

@measure("referrals", "referrals")
def referrals(m: MeasureInput) -> pl.DataFrame:
    return count_rows(in_window(m.data.table("referrals"), "referral_date", m.windows))


@measure("referral_rate", "referrals", "population")
def referral_rate(m: MeasureInput) -> pl.DataFrame:
    return count_rows(in_window(m.data.table("referrals"), "referral_date", m.windows, "rolling12"))


def flag_rereferrals(referrals: pl.DataFrame) -> pl.DataFrame:
    """Add ``is_rereferral``: the child had an earlier referral within the 12 months before.

    An earlier referral is one dated before this one (a second referral on the
    same day is not a re-referral of the first); the same calendar date a year
    earlier counts as within 12 months.

    >>> import datetime as dt
    >>> f = pl.DataFrame({"la_code": ["990"] * 3, "child_id": ["a"] * 3,
    ...     "referral_date": [dt.date(2022, 7, 1), dt.date(2023, 7, 1), dt.date(2024, 7, 2)]})
    >>> flag_rereferrals(f)["is_rereferral"].to_list()
    [False, True, False]
    """
    dates = (
        referrals.select("la_code", "child_id", "referral_date").unique()
        .sort("la_code", "child_id", "referral_date")
        .with_columns(previous_date=pl.col("referral_date").shift(1).over("la_code", "child_id"))
    )
    flagged = dates.with_columns(
        is_rereferral=pl.col("previous_date").is_not_null()
        & (pl.col("previous_date") >= pl.col("referral_date").dt.offset_by("-1y"))
    ).drop("previous_date")
    return referrals.join(flagged, on=["la_code", "child_id", "referral_date"], how="left")


@measure("rereferral_pct", "referrals")
def rereferral_pct(m: MeasureInput) -> pl.DataFrame:
    flagged = flag_rereferrals(m.data.table("referrals"))
    return share(in_window(flagged, "referral_date", m.windows), pl.col("is_rereferral"))


# --- assessments -------------------------------------------------------------

@measure("assessments_45wd_pct", "assessments")
def assessments_45wd_pct(m: MeasureInput) -> pl.DataFrame:
    authorised = m.data.table("assessments").filter(pl.col("authorised_date").is_not_null())
    timed = authorised.with_columns(working_days=m.calendar.duration("start_date", "authorised_date"))
    return share(in_window(timed, "authorised_date", m.windows), pl.col("working_days") <= 45)


# --- child protection --------------------------------------------------------

@measure("cpp_rate", "cp_plans", "population")
def cpp_rate(m: MeasureInput) -> pl.DataFrame:
    return count_children(open_at_end(m.data.table("cp_plans"), "start_date", "end_date", m.windows))


@measure("cpp_repeat_pct", "cp_plans")
def cpp_repeat_pct(m: MeasureInput) -> pl.DataFrame:
    plans = m.data.table("cp_plans").with_columns(
        is_repeat=pl.col("start_date").min().over("la_code", "child_id") < pl.col("start_date")
    )
    return share(in_window(plans, "start_date", m.windows), pl.col("is_repeat"))


# --- looked after ------------------------------------------------------------

@measure("cla_rate", "cla_episodes", "population")
def cla_rate(m: MeasureInput) -> pl.DataFrame:
    return count_children(open_at_end(m.data.table("cla_episodes"), "episode_start", "episode_end", m.windows))


# --- missing -----------------------------------------------------------------

def _missing(m: MeasureInput) -> pl.DataFrame:
    return m.data.table("missing_episodes").filter(pl.col("missing_type") == "M")


@measure("missing_episodes", "missing_episodes")
def missing_episodes(m: MeasureInput) -> pl.DataFrame:
    return count_rows(in_window(_missing(m), "missing_start", m.windows))


@measure("missing_children", "missing_episodes")
def missing_children(m: MeasureInput) -> pl.DataFrame:
    return count_children(in_window(_missing(m), "missing_start", m.windows))


@measure("missing_episodes_per_child", "missing_episodes")
def missing_episodes_per_child(m: MeasureInput) -> pl.DataFrame:
    return in_window(_missing(m), "missing_start", m.windows).group_by(KEYS).agg(
        numerator=pl.len().cast(pl.Float64), denominator=pl.col("child_id").n_unique().cast(pl.Float64)
    )


@measure("rhi_offered_72h_pct", "missing_episodes")
def rhi_offered_72h_pct(m: MeasureInput) -> pl.DataFrame:
    ended = in_window(_missing(m), "missing_end", m.windows)
    delay = (pl.col("rhi_offered_date") - pl.col("missing_end")).dt.total_days()
    return share(ended, delay.is_between(0, 3))
