"""Count the front door: contacts, referrals and re-referrals, assessments and children in need."""

from __future__ import annotations

import datetime

import polars as pl

from perfkit.indicators.day_numbers import year_earlier
from perfkit.indicators.measure_base import (
    ROWS,
    Events,
    MeasureInput,
    MeasureRows,
    children_open_at_end,
    count_true,
    events_in,
    measure,
)
from perfkit.indicators.windows import TO, in_window, open_at_end
from perfkit.records.dataset import SAME_CHILD, by_child


def _contacts(m: MeasureInput) -> Events:
    return m.shared("contacts", lambda: events_in(m, m.data.table("contacts"), "contact_date", counted=("outcome",)))


def _referrals(m: MeasureInput) -> Events:
    """Referrals in each window, flagged as re-referrals or not."""
    return m.shared("referrals", lambda: events_in(m, flag_rereferrals(m.data.table("referrals")), "referral_date",
                                                   counted=("is_rereferral", "nfa")))


@measure("contacts")
def contacts(m: MeasureInput) -> MeasureRows:
    events = _contacts(m)
    return MeasureRows(events.rows, events.count())


@measure("early_help_starts")
def early_help_starts(m: MeasureInput) -> MeasureRows:
    return MeasureRows(in_window(m.data.table("early_help"), "eh_start", m.windows), ROWS)


@measure("early_help_open")
def early_help_open(m: MeasureInput) -> MeasureRows:
    return children_open_at_end(m, m.data.table("early_help"), "eh_start", "eh_end")


@measure("contact_conversion_pct")
def contact_conversion_pct(m: MeasureInput) -> MeasureRows:
    events = _contacts(m)
    return MeasureRows(events.rows, events.count(pl.col("outcome") == "referral"), events.count())


@measure("referrals")
def referrals(m: MeasureInput) -> MeasureRows:
    events = _referrals(m)
    return MeasureRows(events.rows, events.count())


@measure("referral_rate")
def referral_rate(m: MeasureInput) -> MeasureRows:
    events = events_in(m, m.data.table("referrals"), "referral_date", "rolling12")
    return MeasureRows(events.rows, events.count())


def flag_rereferrals(referrals: pl.DataFrame) -> pl.DataFrame:
    """Add ``is_rereferral``: the child had an earlier referral within the 12 months before.

    An earlier referral is one dated before this one (a second referral on the
    same day is not a re-referral of the first); the same calendar date a year
    earlier counts as within 12 months. Rows come back with each child's
    referrals together, in date order (counting does not depend on order;
    sorting back would cost a second sort of every referral): see
    :func:`perfkit.records.dataset.by_child`.

    >>> import datetime as dt
    >>> f = pl.DataFrame({"la_code": ["990"] * 3, "child_id": ["a"] * 3,
    ...     "referral_date": [dt.date(2022, 7, 1), dt.date(2023, 7, 1), dt.date(2024, 7, 2)]})
    >>> flag_rereferrals(f)["is_rereferral"].to_list()
    [False, True, False]
    """
    ordered = by_child(referrals, "referral_date")
    same_day = SAME_CHILD & (pl.col("referral_date") == pl.col("referral_date").shift(1))
    # the child's latest referral dated before this one: the row above, unless it is the same
    # day, in which case the first referral of that day already holds the answer
    earliest = pl.lit(datetime.date.min)
    before = pl.when(same_day).then(None).when(SAME_CHILD).then(pl.col("referral_date").shift(1)).otherwise(earliest)
    flagged = ordered.with_columns(__before=before.forward_fill()).with_columns(
        is_rereferral=pl.col("__before") >= year_earlier(ordered, "referral_date")
    )
    return flagged.drop("__before")


@measure("rereferral_pct")
def rereferral_pct(m: MeasureInput) -> MeasureRows:
    events = _referrals(m)
    return MeasureRows(events.rows, events.count(pl.col("is_rereferral")), events.count())


@measure("referral_nfa_pct")
def referral_nfa_pct(m: MeasureInput) -> MeasureRows:
    events = _referrals(m)
    return MeasureRows(events.rows, events.count(pl.col("nfa") == "Y"), events.count())


# --- assessments and children in need ----------------------------------------

def _authorised_assessments(m: MeasureInput) -> pl.DataFrame:
    def build() -> pl.DataFrame:
        authorised = m.data.table("assessments").filter(pl.col("authorised_date").is_not_null())
        timed = authorised.with_columns(working_days=m.calendar.durations(authorised, "start_date", "authorised_date"))
        return in_window(timed, "authorised_date", m.windows)

    return m.shared("authorised_assessments", build)


@measure("assessments_45wd_pct")
def assessments_45wd_pct(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_authorised_assessments(m), count_true(pl.col("working_days") <= 45), ROWS)


@measure("assessments_open_over_45wd")
def assessments_open_over_45wd(m: MeasureInput) -> MeasureRows:
    open_assessments = open_at_end(m.data.table("assessments"), "start_date", "authorised_date", m.windows)
    timed = open_assessments.with_columns(working_days=m.calendar.durations(open_assessments, "start_date", TO))
    return MeasureRows(timed, count_true(pl.col("working_days") > 45))


@measure("assessment_days_median")
def assessment_days_median(m: MeasureInput) -> MeasureRows:
    median = pl.col("working_days").median().cast(pl.Float64)
    return MeasureRows(_authorised_assessments(m), median, ROWS, value=median)


@measure("cin_rate")
def cin_rate(m: MeasureInput) -> MeasureRows:
    referrals = m.data.table("referrals").filter(pl.col("nfa") != "Y")
    return children_open_at_end(m, referrals, "referral_date", "closure_date")
