"""Declare a measure: what its counting function receives and returns, and the building blocks it counts with.

Each measure is a pure function from the dataset and a frame of reporting
windows to :class:`MeasureRows`: the rows it counts (events or children, each
joined to every window it belongs to) and the polars expressions that
aggregate them into a numerator and denominator. The engine groups the rows
by authority and window, and by each breakdown (district, sex, age band, ...),
so every period and breakdown comes from one pass over the data.

The metadata of a measure (title, unit, polarity, definition) lives in
``catalogue.yaml``; the counting of each family lives in
:mod:`perfkit.indicators.families`, and :mod:`perfkit.indicators.measures`
holds every measure declared there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, TypeVar

import polars as pl

from perfkit.indicators import sweeps
from perfkit.indicators.windows import disjoint, in_window, open_at_end, ordered_bounds, window_position
from perfkit.indicators.workdays import WorkingDayCalendar
from perfkit.records.dataset import Dataset

KEYS = ["la_code", "period"]


Shared = TypeVar("Shared")


@dataclass(frozen=True)
class MeasureInput:
    """What a measure function receives.

    ``windows`` has ``period``, ``window_start``, ``window_end``,
    ``window_r12_start``; ``population`` has ``la_code``, ``period`` and
    ``population_0_17``. With ``headlines_only``, the rows are grouped by
    authority and window alone (no breakdowns, no record-level drill-down),
    so a count of events may count them by day first (see :func:`events_in`).
    """

    data: Dataset
    windows: pl.DataFrame
    calendar: WorkingDayCalendar
    population: pl.DataFrame = field(default_factory=pl.DataFrame)
    headlines_only: bool = False
    shared_rows: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    def shared(self, name: str, build: Callable[[], Shared]) -> Shared:
        """Rows that several measures count (say, children in care at each window's end), built once.

        Measures are pure, so rows built from the same input are the same rows:
        the first measure to ask builds them, the others reuse them.
        """
        if name not in self.shared_rows:
            self.shared_rows[name] = build()
        return self.shared_rows[name]

    def is_shared(self, rows: pl.DataFrame) -> bool:
        """Whether other measures may count ``rows`` too: rows :meth:`shared` built (or those of shared
        :class:`Events`), or a table of the dataset itself. Either lives as long as this input."""
        kept = [shared.rows if isinstance(shared, Events) else shared for shared in self.shared_rows.values()]
        return any(rows is other for other in [*kept, *self.data.tables.values()])


@dataclass(frozen=True)
class MeasureRows:
    """Rows to count and how to aggregate them.

    ``rows`` carry ``la_code`` and ``period`` (and ``child_id`` where they are
    about children, and ``__age_date``: the date at which a child's age is
    taken for the age-band breakdown). ``value`` is given only where the value
    is not numerator over denominator (a median).
    """

    rows: pl.DataFrame
    numerator: pl.Expr
    denominator: pl.Expr | None = None
    value: pl.Expr | None = None


MeasureFunction = Callable[[MeasureInput], MeasureRows]

COUNTED_COLUMNS: dict[str, tuple[str, ...]] = {
    "children": ("date_of_birth", "uasc", "uasc_ceased"),
    "contacts": ("contact_date", "outcome"),
    "referrals": ("referral_date", "nfa", "closure_date"),
    "assessments": ("start_date", "authorised_date"),
    "section47": ("start_date", "icpc_date"),
    "cp_plans": ("start_date", "end_date", "initial_category", "latest_category", "previous_plans"),
    "cp_visits": ("visit_date", "recorded_date"),
    "cla_episodes": ("episode_start", "episode_end", "rne", "legal_status", "reason_ceased", "placement_type"),
    "missing_episodes": ("missing_start", "missing_end", "missing_type", "rhi_offered_date", "rhi_accepted",
                         "risk"),
    "early_help": ("eh_start", "eh_end"),
    "care_leavers": ("reference_date", "accommodation", "activity"),
    "cla_reviews": ("review_date", "review_code"),
    "workforce": ("month", "permanent_fte", "agency_fte", "vacancy_fte", "leavers_fte", "starters_fte", "cases",
                  "case_holders_fte", "nqsw_fte"),
    "ehcp_requests": ("request_date", "decision_date", "plan_issued_date", "exception", "mediation"),
    "population": ("year", "population_0_17"),
}
"""The columns of each table that measures read, besides ``la_code`` and ``child_id``.

Headline figures need only these; breakdowns need more (a test checks that
headlines computed from these alone equal those computed from every column).

Headline figures read only these: ``load_dataset(directory, columns=COUNTED_COLUMNS)``
still reads and checks every column but keeps these (with ``la_code``,
``child_id`` and ``district``), which halves the memory of a national run.
Breakdowns and drill-down need the other columns: load every column for them.
"""


@dataclass(frozen=True)
class Measure:
    """A catalogue indicator's counting function (the tables and columns it reads are the catalogue's ``needs``)."""

    id: str
    function: MeasureFunction


DECLARED: dict[str, Measure] = {}
"""Every measure declared so far, by indicator id: the family modules fill it as they are imported.

Read :data:`perfkit.indicators.measures.REGISTRY`, which imports every family first.
"""


def measure(indicator_id: str) -> Callable[[MeasureFunction], MeasureFunction]:
    """Register the counting function of a catalogue indicator."""

    def register(function: MeasureFunction) -> MeasureFunction:
        DECLARED[indicator_id] = Measure(indicator_id, function)
        return function

    return register


# --- building blocks ---------------------------------------------------------

ROWS = pl.len().cast(pl.Float64)
CHILDREN = pl.col("child_id").n_unique().cast(pl.Float64)


def children_open_at_end(m: "MeasureInput", intervals: pl.DataFrame, start_column: str, end_column: str) -> MeasureRows:
    """The children with an interval open at each window's end (:func:`perfkit.indicators.windows.open_at_end`),
    counted once each.

    For headline figures alone (``m.headlines_only``), counted in one sweep over
    the intervals (:func:`perfkit.indicators.sweeps.children_open_at_end`),
    whatever the number of window ends; otherwise each interval stays a row once
    per window whose end it spans, with its child, for breakdowns and drill-down.
    """
    if m.headlines_only:
        counted = sweeps.children_open_at_end(intervals, start_column, end_column, m.windows)
        return MeasureRows(counted, pl.col(sweeps.COUNTED).sum().cast(pl.Float64))
    return MeasureRows(open_at_end(intervals, start_column, end_column, m.windows), CHILDREN)


def count_true(condition: pl.Expr) -> pl.Expr:
    return condition.fill_null(False).sum().cast(pl.Float64)


COUNT = "__count"


@dataclass(frozen=True)
class Events:
    """Events in windows, and how to count them.

    Each row is an event, or (``by_day``) all of an authority's events of one
    day (or, in windows that do not overlap, of one window) with the same
    values of the columns counted, with their number in ``__count``: the same
    counts from far fewer rows.
    """

    rows: pl.DataFrame
    by_day: bool = False

    def count(self, condition: pl.Expr | None = None) -> pl.Expr:
        """The number of events (those meeting ``condition``, if given)."""
        if not self.by_day:
            return ROWS if condition is None else count_true(condition)
        counted = pl.col(COUNT) if condition is None else pl.col(COUNT).filter(condition.fill_null(False))
        return counted.sum().cast(pl.Float64)


def events_in(m: "MeasureInput", events: pl.DataFrame, date_column: str, window: str = "period",
              counted: tuple[str, ...] = ()) -> Events:
    """``events`` in each window (see :func:`in_window`), to be counted.

    For headline figures alone (``m.headlines_only``), the events are first
    counted by authority and the ``counted`` columns (those the counting
    reads), and by window where windows do not overlap (quarters: each event's
    window found by position), else by day (a referral meets four rolling 12
    months): some 2,000 days an authority instead of one row per event meet the
    windows. Otherwise each event stays a row, with its child, for breakdowns
    and drill-down (and an event meeting one window at most costs no more).

    >>> import datetime as dt
    >>> windows = pl.DataFrame({"period": ["Q1", "Q2"], "window_start": [dt.date(2022, 4, 1), dt.date(2022, 7, 1)],
    ...     "window_end": [dt.date(2022, 6, 30), dt.date(2022, 9, 30)],
    ...     "window_r12_start": [dt.date(2021, 7, 1), dt.date(2021, 10, 1)]})
    >>> contacts = pl.DataFrame({"la_code": ["990"] * 3, "day": [dt.date(2022, 5, 2)] * 3, "outcome": ["a", "b", "a"]})
    >>> for headlines_only in (False, True):  # each contact is in both rolling 12 months
    ...     m = MeasureInput(None, windows, None, headlines_only=headlines_only)
    ...     events = events_in(m, contacts, "day", "rolling12", counted=("outcome",))
    ...     counts = events.rows.group_by("period").agg(all=events.count(), a=events.count(pl.col("outcome") == "a"))
    ...     print(events.rows.height, counts.sort("period").rows())
    6 [('Q1', 3.0, 2.0), ('Q2', 3.0, 2.0)]
    4 [('Q1', 3.0, 2.0), ('Q2', 3.0, 2.0)]
    """
    bounds = ordered_bounds(m.windows, window)
    if m.headlines_only and disjoint(bounds):
        # each event in one window at most (quarters): counted straight into its window
        placed = events.select("la_code", *counted, __window=window_position(pl.col(date_column), bounds))
        counts = placed.filter(pl.col("__window").is_not_null()).group_by("la_code", "__window", *counted).agg(
            pl.len().alias(COUNT))
        return Events(counts.with_columns(period=pl.lit(bounds["period"]).gather(pl.col("__window"))).drop("__window"),
                      by_day=True)
    if m.headlines_only:
        days = events.group_by("la_code", date_column, *counted).agg(pl.len().alias(COUNT))
        return Events(in_window(days, date_column, m.windows, window), by_day=True)
    return Events(in_window(events, date_column, m.windows, window))
