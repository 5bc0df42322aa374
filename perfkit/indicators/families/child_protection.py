"""Count child protection: section 47 enquiries, conferences, plans and visits to children on a plan."""

from __future__ import annotations

import polars as pl

from perfkit.indicators.families.looked_after import in_care_at_end
from perfkit.indicators.measure_base import (
    CHILDREN,
    ROWS,
    MeasureInput,
    MeasureRows,
    count_true,
    events_in,
    measure,
)
from perfkit.indicators.windows import TO, disjoint, in_window, open_at_end, ordered_bounds, window_position


@measure("s47_rate")
def s47_rate(m: MeasureInput) -> MeasureRows:
    events = events_in(m, m.data.table("section47"), "start_date", "rolling12")
    return MeasureRows(events.rows, events.count())


@measure("icpc_15wd_pct")
def icpc_15wd_pct(m: MeasureInput) -> MeasureRows:
    held = m.data.table("section47").filter(pl.col("icpc_date").is_not_null())
    timed = held.with_columns(working_days=m.calendar.durations(held, "start_date", "icpc_date"))
    return MeasureRows(in_window(timed, "icpc_date", m.windows), count_true(pl.col("working_days") <= 15), ROWS)


def _plans(m: MeasureInput) -> pl.DataFrame:
    """Child protection plans, each marked a repeat where the child had an earlier plan in the records or,
    where the source says so (the CIN census's NumberOfPreviousCPP), before them."""
    def build() -> pl.DataFrame:
        plans = m.data.table("cp_plans")
        earlier = pl.col("start_date").min().over("la_code", "child_id") < pl.col("start_date")
        if "previous_plans" in plans.columns:
            earlier = earlier | (pl.col("previous_plans").cast(pl.Int64, strict=False) > 0).fill_null(False)
        return plans.with_columns(is_repeat=earlier)

    return m.shared("cp_plans", build)


def _plans_starting(m: MeasureInput) -> pl.DataFrame:
    return m.shared("cp_plans_starting", lambda: in_window(_plans(m), "start_date", m.windows).with_columns(
        category=pl.col("initial_category")))


def _on_plan_at_end(m: MeasureInput) -> pl.DataFrame:
    return m.shared("cp_plans_open", lambda: open_at_end(_plans(m), "start_date", "end_date", m.windows).with_columns(
        category=pl.col("latest_category")))


@measure("cpp_rate")
def cpp_rate(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_on_plan_at_end(m), CHILDREN)


@measure("cpp_looked_after")
def cpp_looked_after(m: MeasureInput) -> MeasureRows:
    """Children on a plan at a window's end who are looked after on that day too."""
    # the children looked after at each window's end, one row each, as the looked-after figures count them
    in_care = in_care_at_end(m).select("la_code", "child_id", "period")
    both = _on_plan_at_end(m).join(in_care, on=["la_code", "child_id", "period"], how="semi")
    return MeasureRows(both, CHILDREN)


@measure("cpp_starts")
def cpp_starts(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_plans_starting(m), ROWS)


@measure("cpp_repeat_pct")
def cpp_repeat_pct(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_plans_starting(m), count_true(pl.col("is_repeat")), ROWS)


@measure("cpp_2yr_plus_pct")
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


def _visited(visits: pl.DataFrame, spans: pl.DataFrame) -> pl.DataFrame:
    """Each child visited in each window of ``spans`` (and on record by its end), once: ``la_code``, ``child_id``, ``period``.

    Where the spans do not overlap (quarters), each visit's span is found by
    its position alone, and only visits in one are kept, before any window's
    columns are attached (the spans hold a fraction of the visits).
    """
    bounds = ordered_bounds(spans, "period")
    if not disjoint(bounds):
        placed = in_window(visits, "visit_date", spans).filter(recorded_by_period_end(visits))
        return placed.select("la_code", "child_id", "period").unique()
    position = pl.col("__window")
    on_record = pl.lit(True)
    if "recorded_date" in visits.columns:
        on_record = pl.col("recorded_date").is_null() | (pl.col("recorded_date") <= pl.lit(bounds[TO]).gather(position))
    placed = visits.select("la_code", "child_id", *(["recorded_date"] if "recorded_date" in visits.columns else []),
                           __window=window_position(pl.col("visit_date"), bounds))
    return (placed.filter(position.is_not_null()).filter(on_record).select("la_code", "child_id", "__window").unique()
            .with_columns(period=pl.lit(bounds["period"]).gather(position)).drop("__window"))


@measure("cp_visits_10wd_pct")
def cp_visits_10wd_pct(m: MeasureInput) -> MeasureRows:
    # a child on two plans at a window's end is counted once (for breakdowns, under the first plan listed)
    cohort = _on_plan_at_end(m).unique(["la_code", "child_id", "period"], keep="any" if m.headlines_only else "first",
                                       maintain_order=not m.headlines_only)
    visits = m.data.table("cp_visits")
    # a visit counts from the 10th working day back from the window's end: the windows become
    # those spans, and visits meet them as any event meets its window
    spans = m.windows.with_columns(window_start=pl.Series(
        [m.calendar.counting_back(end, VISIT_WORKING_DAYS) for end in m.windows["window_end"]], dtype=pl.Date))
    recent = _visited(visits, spans).with_columns(visited=pl.lit(True))
    rows = cohort.join(recent, on=["la_code", "child_id", "period"], how="left")
    return MeasureRows(rows, count_true(pl.col("visited")), ROWS)
