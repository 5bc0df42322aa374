"""How each catalogue indicator is counted from the record-level tables.

Each measure is a pure function from the dataset and a frame of reporting
windows to :class:`MeasureRows`: the rows it counts (events or children, each
joined to every window it belongs to) and the polars expressions that
aggregate them into a numerator and denominator. The engine groups the rows
by authority and window, and by each breakdown (district, sex, age band, ...),
so every period and breakdown comes from one pass over the data.

The metadata of a measure (title, unit, polarity, definition) lives in
``catalogue.yaml``; only the counting lives here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Callable, TypeVar

import polars as pl

from perfkit.records.contract import EET_ACTIVITY_CODES
from perfkit.records.loading import Dataset, child_key
from perfkit.indicators.workdays import WorkingDayCalendar
from perfkit.indicators.children import age_on

KEYS = ["la_code", "period"]
AGE_DATE = "__age_date"
FROM = "__from"
TO = "__to"
R12 = "__r12"


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
    "children": ("date_of_birth", "uasc"),
    "contacts": ("contact_date", "outcome"),
    "referrals": ("referral_date", "nfa", "closure_date"),
    "assessments": ("start_date", "authorised_date"),
    "section47": ("start_date", "icpc_date"),
    "cp_plans": ("start_date", "end_date", "initial_category", "latest_category"),
    "cp_visits": ("visit_date", "recorded_date"),
    "cla_episodes": ("episode_start", "episode_end", "rne", "legal_status"),
    "missing_episodes": ("missing_start", "missing_end", "missing_type", "rhi_offered_date", "rhi_accepted"),
    "care_leavers": ("reference_date", "accommodation", "activity"),
    "workforce": ("month", "permanent_fte", "agency_fte", "vacancy_fte", "leavers_fte", "cases", "case_holders_fte"),
    "ehcp_requests": ("request_date", "decision_date", "plan_issued_date", "exception"),
    "population": ("year", "population_0_17"),
}
"""The columns of each table that measures read, besides ``la_code`` and ``child_id``.

Headline figures need only these; breakdowns need more (a test checks that
headlines computed from these alone equal those computed from every column).
"""


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

ROWS = pl.len().cast(pl.Float64)
CHILDREN = pl.col("child_id").n_unique().cast(pl.Float64)


def count_true(condition: pl.Expr) -> pl.Expr:
    return condition.fill_null(False).sum().cast(pl.Float64)


COUNT = "__count"


@dataclass(frozen=True)
class Events:
    """Events in windows, and how to count them.

    Each row is an event, or (``by_day``) all of an authority's events of one
    day with the same values of the columns counted, with their number in
    ``__count``: the same counts from far fewer rows.
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

    Where windows overlap (a referral meets four rolling 12 months), and for
    headline figures alone (``m.headlines_only``), the events are first
    counted by authority, day and the ``counted`` columns (those the counting
    reads): some 2,000 days an authority instead of one row per event meet the
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
    if m.headlines_only and not _disjoint(_ordered_bounds(m.windows, window)):
        days = events.group_by("la_code", date_column, *counted).agg(pl.len().alias(COUNT))
        return Events(in_window(days, date_column, m.windows, window), by_day=True)
    return Events(in_window(events, date_column, m.windows, window))


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
    bounds = _ordered_bounds(windows, window)
    columns = _bounds(windows).columns
    date = pl.col(date_column)
    if _disjoint(bounds):
        # windows that do not overlap (quarters): an event is in at most one, found by binary search
        # the last window starting on or before the date must be the first ending on or after it
        started = pl.lit(bounds["__first"]).search_sorted(date, side="right").cast(pl.Int64) - 1
        ending = pl.lit(bounds[TO]).search_sorted(date, side="left").cast(pl.Int64)
        placed = events.with_columns(__window=ending).filter(date.is_not_null() & (started == pl.col("__window")))
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


FIRST_DAY = {"period": "window_start", "rolling12": "window_r12_start"}
"""The column of ``windows`` holding the first day of each kind of window (see :func:`in_window`)."""


def _ordered_bounds(windows: pl.DataFrame, window: str) -> pl.DataFrame:
    """The windows' bounds by their last day, with the first day of ``window`` (``__first``)."""
    return _bounds(windows).with_columns(__first=windows[FIRST_DAY[window]]).sort(TO, "__first")


def _disjoint(bounds: pl.DataFrame) -> bool:
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
    stop = pl.col(end_column).fill_null(OPEN_ENDED)
    paired = (
        intervals.with_columns(
            __point=pl.when(pl.col(start_column).is_not_null()).then(pl.int_ranges(
                pl.lit(points).search_sorted(pl.col(start_column), side="right" if started_before else "left"),
                pl.lit(points).search_sorted(stop, side="left"),
                dtype=pl.UInt32,
            ))
        )
        .explode("__point", empty_as_null=False, keep_nulls=False)
    )
    if points.len() == bounds.height:  # one window per date (quarters only): look the window up by position
        return _with_window(paired, bounds, "__point")
    at = pl.DataFrame({"__point": pl.Series(range(points.len()), dtype=pl.UInt32), point: points})
    return paired.join(at, on="__point").join(bounds, on=point).drop("__point")


def _with_window(rows: pl.DataFrame, bounds: pl.DataFrame, position: str) -> pl.DataFrame:
    """``rows`` with the columns of the window at row ``position`` of ``bounds``, in place of the position."""
    return rows.with_columns([pl.lit(bounds[c]).gather(pl.col(position)).alias(c) for c in bounds.columns]).drop(position)


def last_month(rows: pl.DataFrame, windows: pl.DataFrame) -> pl.DataFrame:
    """Monthly rows of each window's last month (``month`` is the month's first day)."""
    bounds = _bounds(windows).with_columns(__month=pl.col(TO).dt.month_start())
    return rows.join_where(bounds, pl.col("month") == pl.col("__month")).drop("__month")


CHILD_DETAILS = {"sex": "sex", "date_of_birth": "date_of_birth", "ethnicity": "ethnicity",
                 "__child_district": "district", "__uasc": "uasc"}
"""Columns :func:`with_children` adds, and the children table's column each comes from."""


def with_children(rows: pl.DataFrame, data: Dataset, details: tuple[str, ...] = tuple(CHILD_DETAILS)) -> pl.DataFrame:
    """Join each row to its child's details: sex, date of birth, ethnicity, district and UASC flag.

    ``details`` names the ones wanted (see ``CHILD_DETAILS``); those the rows
    already have are not joined again. A row whose child is not in the
    children table gets empty details.

    Rows meet children through a 64-bit key made from ``la_code`` and
    ``child_id`` (:func:`child_key`), a third faster than matching the texts.
    The match is exact: if two children share a key, or a row's key is a
    child's but its ids are not, the texts are matched instead.

    >>> from pathlib import Path
    >>> children = pl.DataFrame({"la_code": ["990", "991"], "child_id": ["a", "a"], "sex": ["F", "M"]})
    >>> rows = pl.DataFrame({"la_code": ["991", "990", "990"], "child_id": ["a", "a", "b"]})
    >>> with_children(rows, Dataset(Path("."), {"children": children}), ("sex",))["sex"].to_list()
    ['M', 'F', None]
    """
    wanted = [name for name in details if name not in rows.columns]
    if not wanted:
        return rows
    children = data.table("children").select(
        "la_code", "child_id", *[pl.col(CHILD_DETAILS[name]).alias(name) for name in wanted]
    )
    keyed = children.with_columns(__key=child_key()).rename({"la_code": "__la_code", "child_id": "__child_id"})
    if keyed["__key"].n_unique() == keyed.height:
        rows = rows.with_columns(__key=child_key())
        if rows.height < keyed.height:  # the rows' children first: the join then looks them up among a few
            keyed = keyed.filter(pl.col("__key").is_in(rows["__key"].implode()))
        joined = rows.join(keyed, on="__key", how="left")
        same = pl.col("__child_id").is_null() | (
            (pl.col("__child_id") == pl.col("child_id")) & (pl.col("__la_code") == pl.col("la_code")))
        if joined.select(same.all()).item():
            return joined.drop("__key", "__la_code", "__child_id")
    # two children share a key, or a child missing from the table has a child's key (hash collisions,
    # about one in a million datasets): the texts themselves are matched
    return rows.drop("__key", strict=False).join(children, on=["la_code", "child_id"], how="left")


# --- front door --------------------------------------------------------------

def _contacts(m: MeasureInput) -> Events:
    return m.shared("contacts", lambda: events_in(m, m.data.table("contacts"), "contact_date", counted=("outcome",)))


def _referrals(m: MeasureInput) -> Events:
    """Referrals in each window, flagged as re-referrals or not."""
    return m.shared("referrals", lambda: events_in(m, flag_rereferrals(m.data.table("referrals")), "referral_date",
                                                   counted=("is_rereferral", "nfa")))


@measure("contacts", "contacts")
def contacts(m: MeasureInput) -> MeasureRows:
    events = _contacts(m)
    return MeasureRows(events.rows, events.count())


@measure("contact_conversion_pct", "contacts")
def contact_conversion_pct(m: MeasureInput) -> MeasureRows:
    events = _contacts(m)
    return MeasureRows(events.rows, events.count(pl.col("outcome") == "referral"), events.count())


@measure("referrals", "referrals")
def referrals(m: MeasureInput) -> MeasureRows:
    events = _referrals(m)
    return MeasureRows(events.rows, events.count())


@measure("referral_rate", "referrals", "population")
def referral_rate(m: MeasureInput) -> MeasureRows:
    events = events_in(m, m.data.table("referrals"), "referral_date", "rolling12")
    return MeasureRows(events.rows, events.count())


def flag_rereferrals(referrals: pl.DataFrame) -> pl.DataFrame:
    """Add ``is_rereferral``: the child had an earlier referral within the 12 months before.

    An earlier referral is one dated before this one (a second referral on the
    same day is not a re-referral of the first); the same calendar date a year
    earlier counts as within 12 months. Rows come back with each child's
    referrals together, in date order (counting does not depend on order;
    sorting back would cost a second sort of every referral). They are sorted
    by the child's 64-bit key (:func:`child_key`), twice as fast as by the ids'
    texts; if two children share a key, by the texts.

    >>> import datetime as dt
    >>> f = pl.DataFrame({"la_code": ["990"] * 3, "child_id": ["a"] * 3,
    ...     "referral_date": [dt.date(2022, 7, 1), dt.date(2023, 7, 1), dt.date(2024, 7, 2)]})
    >>> flag_rereferrals(f)["is_rereferral"].to_list()
    [False, True, False]
    """
    same_child = (pl.col("la_code") == pl.col("la_code").shift(1)) & (pl.col("child_id") == pl.col("child_id").shift(1))
    ordered = referrals.with_columns(__key=child_key()).sort("__key", "referral_date")
    if ordered.select(((pl.col("__key") == pl.col("__key").shift(1)) & ~same_child).any()).item():
        # two children share a key: neighbours by key are not one child's referrals
        ordered = referrals.sort("la_code", "child_id", "referral_date")
    ordered = ordered.drop("__key", strict=False)
    same_day = same_child & (pl.col("referral_date") == pl.col("referral_date").shift(1))
    # the child's latest referral dated before this one: the row above, unless it is the same
    # day, in which case the first referral of that day already holds the answer
    earliest = pl.lit(datetime.date.min)
    before = pl.when(same_day).then(None).when(same_child).then(pl.col("referral_date").shift(1)).otherwise(earliest)
    flagged = ordered.with_columns(__before=before.forward_fill()).with_columns(
        is_rereferral=pl.col("__before") >= pl.col("referral_date").dt.offset_by("-1y")
    )
    return flagged.drop("__before")


@measure("rereferral_pct", "referrals")
def rereferral_pct(m: MeasureInput) -> MeasureRows:
    events = _referrals(m)
    return MeasureRows(events.rows, events.count(pl.col("is_rereferral")), events.count())


@measure("referral_nfa_pct", "referrals")
def referral_nfa_pct(m: MeasureInput) -> MeasureRows:
    events = _referrals(m)
    return MeasureRows(events.rows, events.count(pl.col("nfa") == "Y"), events.count())


# --- assessments and children in need ----------------------------------------

def _authorised_assessments(m: MeasureInput) -> pl.DataFrame:
    def build() -> pl.DataFrame:
        authorised = m.data.table("assessments").filter(pl.col("authorised_date").is_not_null())
        timed = authorised.with_columns(working_days=m.calendar.duration("start_date", "authorised_date"))
        return in_window(timed, "authorised_date", m.windows)

    return m.shared("authorised_assessments", build)


@measure("assessments_45wd_pct", "assessments")
def assessments_45wd_pct(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_authorised_assessments(m), count_true(pl.col("working_days") <= 45), ROWS)


@measure("assessment_days_median", "assessments")
def assessment_days_median(m: MeasureInput) -> MeasureRows:
    median = pl.col("working_days").median().cast(pl.Float64)
    return MeasureRows(_authorised_assessments(m), median, ROWS, value=median)


@measure("cin_rate", "referrals", "population")
def cin_rate(m: MeasureInput) -> MeasureRows:
    referrals = m.data.table("referrals").filter(pl.col("nfa") != "Y")
    return MeasureRows(open_at_end(referrals, "referral_date", "closure_date", m.windows), CHILDREN)


# --- child protection --------------------------------------------------------

@measure("s47_rate", "section47", "population")
def s47_rate(m: MeasureInput) -> MeasureRows:
    events = events_in(m, m.data.table("section47"), "start_date", "rolling12")
    return MeasureRows(events.rows, events.count())


@measure("icpc_15wd_pct", "section47")
def icpc_15wd_pct(m: MeasureInput) -> MeasureRows:
    held = m.data.table("section47").filter(pl.col("icpc_date").is_not_null())
    timed = held.with_columns(working_days=m.calendar.duration("start_date", "icpc_date"))
    return MeasureRows(in_window(timed, "icpc_date", m.windows), count_true(pl.col("working_days") <= 15), ROWS)


def _plans(m: MeasureInput) -> pl.DataFrame:
    return m.shared("cp_plans", lambda: m.data.table("cp_plans").with_columns(
        is_repeat=pl.col("start_date").min().over("la_code", "child_id") < pl.col("start_date")
    ))


def _plans_starting(m: MeasureInput) -> pl.DataFrame:
    return m.shared("cp_plans_starting", lambda: in_window(_plans(m), "start_date", m.windows).with_columns(
        category=pl.col("initial_category")))


def _on_plan_at_end(m: MeasureInput) -> pl.DataFrame:
    return m.shared("cp_plans_open", lambda: open_at_end(_plans(m), "start_date", "end_date", m.windows).with_columns(
        category=pl.col("latest_category")))


@measure("cpp_rate", "cp_plans", "population")
def cpp_rate(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_on_plan_at_end(m), CHILDREN)


@measure("cpp_starts", "cp_plans")
def cpp_starts(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_plans_starting(m), ROWS)


@measure("cpp_repeat_pct", "cp_plans")
def cpp_repeat_pct(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_plans_starting(m), count_true(pl.col("is_repeat")), ROWS)


@measure("cpp_2yr_plus_pct", "cp_plans")
def cpp_2yr_plus_pct(m: MeasureInput) -> MeasureRows:
    rows = in_window(_plans(m), "end_date", m.windows).with_columns(category=pl.col("latest_category"))
    lasted = pl.col("end_date") >= pl.col("start_date").dt.offset_by("2y")
    return MeasureRows(rows, count_true(lasted), ROWS)


def recorded_by_period_end(visits: pl.DataFrame) -> pl.Expr:
    """A visit counts only if it was on record by the period end (``recorded_date``, where given)."""
    if "recorded_date" not in visits.columns:
        return pl.lit(True)
    return pl.col("recorded_date").is_null() | (pl.col("recorded_date") <= pl.col(TO))


VISIT_WORKING_DAYS = 10


@measure("cp_visits_10wd_pct", "cp_plans", "cp_visits")
def cp_visits_10wd_pct(m: MeasureInput) -> MeasureRows:
    # a child on two plans at a window's end is counted once (for breakdowns, under the first plan listed)
    cohort = _on_plan_at_end(m).unique(["la_code", "child_id", "period"], keep="any" if m.headlines_only else "first",
                                       maintain_order=not m.headlines_only)
    visits = m.data.table("cp_visits")
    # a visit counts from the 10th working day back from the window's end: the windows become
    # those spans, and visits meet them as any event meets its window
    spans = m.windows.with_columns(window_start=pl.Series(
        [m.calendar.counting_back(end, VISIT_WORKING_DAYS) for end in m.windows["window_end"]], dtype=pl.Date))
    recent = (
        in_window(visits, "visit_date", spans)
        .filter(recorded_by_period_end(visits))
        .select("la_code", "child_id", "period").unique().with_columns(visited=pl.lit(True))
    )
    rows = cohort.join(recent, on=["la_code", "child_id", "period"], how="left")
    return MeasureRows(rows, count_true(pl.col("visited")), ROWS)


# --- looked after ------------------------------------------------------------

def _episodes(m: MeasureInput) -> pl.DataFrame:
    return m.data.table("cla_episodes")


CHILD = "__child"


def _numbered_episodes(m: MeasureInput) -> pl.DataFrame:
    """Episodes with their child's date of birth and UASC flag, and a number for the child (``__child``).

    Details and numbers are attached to episodes once, before episodes are
    paired with windows: the pairs are then matched by number, not by text.
    """
    return m.shared("numbered_episodes", lambda: with_children(_episodes(m), m.data, ("date_of_birth", "__uasc")).with_columns(
        pl.struct("la_code", "child_id").rank("dense").alias(CHILD)))


def _in_care_at_end(m: MeasureInput) -> pl.DataFrame:
    """One row per child looked after at each window's end: their current episode (the latest started).

    For headline figures alone (``m.headlines_only``), the rows of children
    whose episodes never overlap are kept as they are (such a child has one
    episode open at any date), and only the others' are sorted to pick the
    current one; otherwise every row is, keeping the rows in date order.
    """
    def open_rows(episodes: pl.DataFrame) -> pl.DataFrame:
        return open_at_end(episodes, "episode_start", "episode_end", m.windows)

    def build() -> pl.DataFrame:
        episodes = _numbered_episodes(m)
        if not m.headlines_only:
            return _latest_started(open_rows(episodes))
        overlapping = pl.col(CHILD).is_in(children_with_overlaps(episodes, "episode_start", "episode_end").implode())
        return pl.concat([open_rows(episodes.filter(~overlapping)), _latest_started(open_rows(episodes.filter(overlapping)))])

    return m.shared("in_care_at_end", build)


def _latest_started(rows: pl.DataFrame) -> pl.DataFrame:
    """Of a child's episodes open at a window's end, the one started last (of those started the same day, the last listed)."""
    return rows.sort("episode_start").unique([CHILD, "period"], keep="last", maintain_order=True)


def children_with_overlaps(intervals: pl.DataFrame, start_column: str, end_column: str) -> pl.Series:
    """The children (``__child``) with two intervals open on the same day (an empty end: still open).

    Sorted by start, a child's intervals share a day only if one starts
    before the one listed above it has ended, so neighbours are enough.

    >>> import datetime as dt
    >>> d = dt.date
    >>> episodes = pl.DataFrame({CHILD: [1, 1, 2, 2, 3, 3], "start": [d(2022, 1, 1), d(2022, 3, 1), d(2022, 1, 1),
    ...     d(2022, 2, 1), d(2022, 5, 1), d(2022, 1, 1)], "end": [d(2022, 12, 1), d(2022, 4, 1), d(2022, 2, 1), None, None, d(2022, 5, 1)]})
    >>> children_with_overlaps(episodes, "start", "end").to_list()  # child 1's second episode is inside its first
    [1]
    """
    ordered = intervals.select(CHILD, start_column, end_column).sort(CHILD, start_column)
    start, stop = pl.col(start_column), pl.col(end_column).fill_null(OPEN_ENDED)
    overlaps = (pl.col(CHILD) == pl.col(CHILD).shift(1)) & (start < stop.shift(1))
    return ordered.filter(overlaps)[CHILD].unique()


@measure("cla_rate", "cla_episodes", "population")
def cla_rate(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_in_care_at_end(m), CHILDREN)


@measure("cla_starts", "cla_episodes")
def cla_starts(m: MeasureInput) -> MeasureRows:
    events = events_in(m, _episodes(m).filter(pl.col("rne") == "S"), "episode_start")
    return MeasureRows(events.rows, events.count())


@measure("cla_uasc", "cla_episodes")
def cla_uasc(m: MeasureInput) -> MeasureRows:
    rows = _in_care_at_end(m).filter(pl.col("__uasc") == "Y")
    return MeasureRows(rows, CHILDREN)


NTS_THRESHOLD_SHARE = 0.001
"""The National Transfer Scheme threshold: UASC up to 0.1% of the child population."""


@measure("cla_uasc_threshold_pct", "cla_episodes", "population")
def cla_uasc_threshold_pct(m: MeasureInput) -> MeasureRows:
    in_care = _in_care_at_end(m).with_columns(is_uasc=pl.col("__uasc") == "Y")
    rows = in_care.join(m.population, on=["la_code", "period"], how="left")
    uasc = pl.col("child_id").filter(pl.col("is_uasc")).n_unique().cast(pl.Float64)
    return MeasureRows(rows, uasc, pl.col("population_0_17").first() * NTS_THRESHOLD_SHARE)


PLACEMENT_STARTS = ("S", "P", "B")


@measure("cla_3plus_placements_pct", "cla_episodes")
def cla_3plus_placements_pct(m: MeasureInput) -> MeasureRows:
    episodes = _numbered_episodes(m).select(CHILD, "episode_start", "episode_end", "rne")
    keys = [CHILD, "period"]
    starting = (
        in_window(episodes.filter(pl.col("rne").is_in(PLACEMENT_STARTS)), "episode_start", m.windows, "rolling12")
        .group_by(keys).agg(started=pl.len())
    )
    held = (  # a placement already running when the 12 months began
        spanning(episodes, "episode_start", "episode_end", m.windows, R12, started_before=True)
        .select(keys).unique().with_columns(held=pl.lit(1, dtype=pl.UInt32))
    )
    rows = (
        _in_care_at_end(m).join(starting, on=keys, how="left").join(held, on=keys, how="left")
        .with_columns(placements=pl.col("started").fill_null(0) + pl.col("held").fill_null(0))
    )
    return MeasureRows(rows, count_true(pl.col("placements") >= 3), ROWS)


@measure("cla_long_term_stability_pct", "cla_episodes")
def cla_long_term_stability_pct(m: MeasureInput) -> MeasureRows:
    # each episode carries the child's latest care and placement starts so far; a child in care at a
    # window's end takes them from their latest episode started by then (an as-of join, not every episode)
    history = (
        _numbered_episodes(m).select(CHILD, pl.col("episode_start").alias("__start"), pl.col("rne").alias("__rne"))
        .sort(CHILD, "__start")
        .with_columns(
            care_start=pl.when(pl.col("__rne") == "S").then(pl.col("__start")).forward_fill().over(CHILD),
            placement_start=pl.when(pl.col("__rne").is_in(PLACEMENT_STARTS)).then(pl.col("__start")).forward_fill().over(CHILD),
        )
        .drop("__rne")
        .sort("__start")
    )
    in_care = _in_care_at_end(m).sort(TO)
    cohort = in_care.join_asof(history, left_on=TO, right_on="__start", by=CHILD, strategy="backward",
                               check_sortedness=False).drop("__start").filter(
        (age_on(pl.col(TO), pl.col("date_of_birth")) < 16)
        & (pl.col("care_start") <= pl.col(TO).dt.offset_by("-30mo"))
    )
    stable = pl.col("placement_start") <= pl.col(TO).dt.offset_by("-2y")
    return MeasureRows(cohort, count_true(stable), ROWS)


def _s20_starts(m: MeasureInput) -> pl.DataFrame:
    starts = _episodes(m).filter((pl.col("rne") == "S") & (pl.col("legal_status") == "V2"))
    return starts.with_columns(
        earlier_s20=pl.col("episode_start").min().over("la_code", "child_id") < pl.col("episode_start")
    )


@measure("cla_s20_starts", "cla_episodes")
def cla_s20_starts(m: MeasureInput) -> MeasureRows:
    return MeasureRows(in_window(_s20_starts(m), "episode_start", m.windows), ROWS)


@measure("cla_s20_repeat_starts", "cla_episodes")
def cla_s20_repeat_starts(m: MeasureInput) -> MeasureRows:
    rows = in_window(_s20_starts(m), "episode_start", m.windows)
    return MeasureRows(rows, count_true(pl.col("earlier_s20")))


# --- missing -----------------------------------------------------------------

def _missing(m: MeasureInput) -> pl.DataFrame:
    return m.data.table("missing_episodes").filter(pl.col("missing_type") == "M")


def _missing_starting(m: MeasureInput) -> pl.DataFrame:
    return m.shared("missing_starting", lambda: in_window(_missing(m), "missing_start", m.windows))


@measure("missing_episodes", "missing_episodes")
def missing_episodes(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_missing_starting(m), ROWS)


@measure("missing_children", "missing_episodes")
def missing_children(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_missing_starting(m), CHILDREN)


@measure("missing_episodes_per_child", "missing_episodes")
def missing_episodes_per_child(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_missing_starting(m), ROWS, CHILDREN)


@measure("missing_under16_pct", "missing_episodes", "children")
def missing_under16_pct(m: MeasureInput) -> MeasureRows:
    rows = with_children(_missing_starting(m), m.data, ("date_of_birth",))
    under16 = pl.col("child_id").filter(age_on(pl.col("missing_start"), pl.col("date_of_birth")) < 16).n_unique()
    return MeasureRows(rows, under16.cast(pl.Float64), CHILDREN)


@measure("rhi_offered_72h_pct", "missing_episodes")
def rhi_offered_72h_pct(m: MeasureInput) -> MeasureRows:
    ended = in_window(_missing(m), "missing_end", m.windows)
    delay = (pl.col("rhi_offered_date") - pl.col("missing_end")).dt.total_days()
    return MeasureRows(ended, count_true(delay.is_between(0, 3)), ROWS)


@measure("rhi_accepted_pct", "missing_episodes")
def rhi_accepted_pct(m: MeasureInput) -> MeasureRows:
    offered = _missing(m).filter(pl.col("rhi_offered_date").is_not_null())
    return MeasureRows(in_window(offered, "missing_end", m.windows), count_true(pl.col("rhi_accepted") == "Y"), ROWS)


# --- care leavers ------------------------------------------------------------

def _care_leavers(m: MeasureInput) -> pl.DataFrame:
    return m.shared("care_leavers", lambda: in_window(m.data.table("care_leavers"), "reference_date", m.windows))


@measure("care_leavers_suitable_pct", "care_leavers")
def care_leavers_suitable_pct(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_care_leavers(m), count_true(pl.col("accommodation").str.ends_with("1")), ROWS)


@measure("care_leavers_eet_pct", "care_leavers")
def care_leavers_eet_pct(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_care_leavers(m), count_true(pl.col("activity").is_in(EET_ACTIVITY_CODES)), ROWS)


# --- workforce ---------------------------------------------------------------

def _total(column: str) -> pl.Expr:
    return pl.col(column).sum().cast(pl.Float64)


@measure("sw_agency_rate", "workforce")
def sw_agency_rate(m: MeasureInput) -> MeasureRows:
    rows = last_month(m.data.table("workforce"), m.windows)
    return MeasureRows(rows, _total("agency_fte"), _total("permanent_fte") + _total("agency_fte"))


@measure("sw_vacancy_rate", "workforce")
def sw_vacancy_rate(m: MeasureInput) -> MeasureRows:
    rows = last_month(m.data.table("workforce"), m.windows)
    return MeasureRows(rows, _total("vacancy_fte"), _total("permanent_fte") + _total("vacancy_fte"))


@measure("sw_turnover_rate", "workforce")
def sw_turnover_rate(m: MeasureInput) -> MeasureRows:
    rows = in_window(m.data.table("workforce"), "month", m.windows, "rolling12")
    in_last_month = pl.col("month") == pl.col(TO).dt.month_start()
    return MeasureRows(rows, _total("leavers_fte"), pl.col("permanent_fte").filter(in_last_month).sum().cast(pl.Float64))


@measure("sw_caseload", "workforce")
def sw_caseload(m: MeasureInput) -> MeasureRows:
    rows = last_month(m.data.table("workforce"), m.windows)
    return MeasureRows(rows, _total("cases"), _total("case_holders_fte"))


# --- EHCP --------------------------------------------------------------------

EHCP_WEEKS_DAYS = 140


@measure("ehcp_20wk_pct", "ehcp_requests")
def ehcp_20wk_pct(m: MeasureInput) -> MeasureRows:
    issued = m.data.table("ehcp_requests").filter(pl.col("exception").fill_null("N") != "Y")
    rows = in_window(issued, "plan_issued_date", m.windows)
    within = (pl.col("plan_issued_date") - pl.col("request_date")).dt.total_days() <= EHCP_WEEKS_DAYS
    return MeasureRows(rows, count_true(within), ROWS)


@measure("ehcp_open_over_20wk", "ehcp_requests")
def ehcp_open_over_20wk(m: MeasureInput) -> MeasureRows:
    requests = m.data.table("ehcp_requests").with_columns(
        closed=pl.min_horizontal("plan_issued_date", "decision_date")
    )
    rows = open_at_end(requests, "request_date", "closed", m.windows)
    old = (pl.col(TO) - pl.col("request_date")).dt.total_days() > EHCP_WEEKS_DAYS
    return MeasureRows(rows, count_true(old))
