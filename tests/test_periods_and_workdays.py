import datetime as dt

import polars as pl
import pytest

from perfkit.indicators.periods import Period, PeriodError, latest_complete_period
from perfkit.indicators.workdays import WorkingDayCalendar


@pytest.mark.parametrize(
    "label, start, end",
    [
        ("2022-23 Q1", dt.date(2022, 4, 1), dt.date(2022, 6, 30)),
        ("2022-23 Q2", dt.date(2022, 7, 1), dt.date(2022, 9, 30)),
        ("2022-23 Q3", dt.date(2022, 10, 1), dt.date(2022, 12, 31)),
        ("2022-23 Q4", dt.date(2023, 1, 1), dt.date(2023, 3, 31)),
        ("2023-24 Q4", dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
    ],
)
def test_quarter_bounds(label, start, end):
    period = Period.parse(label)
    assert (period.start, period.end) == (start, end)
    assert Period.containing(start) == period == Period.containing(end)


def test_comparators_cross_year_boundaries():
    period = Period.parse("2023-24 Q1")
    assert period.previous().label == "2022-23 Q4"
    assert period.year_earlier().label == "2022-23 Q1"
    assert period.rolling12_start == dt.date(2022, 7, 1)


@pytest.mark.parametrize("bad", ["2022-24 Q1", "2022-23 Q5", "Q2 2022", "2022/23 Q2", ""])
def test_bad_period_labels_are_refused_with_the_expected_form(bad):
    with pytest.raises(PeriodError, match="2022-23 Q2|consecutive"):
        Period.parse(bad)


def test_latest_complete_period():
    assert latest_complete_period(dt.date(2024, 9, 30)).label == "2024-25 Q2"
    assert latest_complete_period(dt.date(2024, 10, 15)).label == "2024-25 Q2"


def _duration(start, end, closures=()):
    calendar = WorkingDayCalendar(start.year - 1, end.year + 1, tuple(closures))
    frame = pl.DataFrame({"a": [start], "b": [end]})
    return frame.select(calendar.duration("a", "b")).item()


def test_specification_example_is_exactly_45_working_days():
    # 26, 27 December 2022 and 2 January 2023 are bank holidays; weekdays alone give 48
    assert _duration(dt.date(2022, 12, 16), dt.date(2023, 2, 22)) == 45


def test_start_day_is_not_counted_and_same_day_is_zero():
    assert _duration(dt.date(2023, 3, 6), dt.date(2023, 3, 6)) == 0
    assert _duration(dt.date(2023, 3, 6), dt.date(2023, 3, 7)) == 1
    assert _duration(dt.date(2023, 3, 10), dt.date(2023, 3, 13)) == 1  # Friday to Monday


def test_easter_bank_holidays_are_not_working_days():
    # Good Friday 7 April and Easter Monday 10 April 2023
    assert _duration(dt.date(2023, 4, 6), dt.date(2023, 4, 11)) == 1


def test_local_closure_days_are_not_working_days():
    closure = dt.date(2023, 12, 28)
    assert _duration(dt.date(2023, 12, 22), dt.date(2023, 12, 29)) == 3
    assert _duration(dt.date(2023, 12, 22), dt.date(2023, 12, 29), [closure]) == 2


def _random_days(seed: int, rows: int, first: dt.date, days: int) -> pl.Series:
    import random

    rng = random.Random(seed)
    return pl.Series([None if rng.random() < 0.03 else first + dt.timedelta(days=rng.randrange(days))
                      for _ in range(rows)], dtype=pl.Date)


@pytest.mark.parametrize("first, days", [(dt.date(2018, 6, 1), 3_000), (dt.date(1900, 1, 1), 2_000_000)],
                         ids=["looked up by day", "a span too wide for a table: row by row"])
def test_working_days_looked_up_by_day_are_those_counted_row_by_row(first, days):
    """Durations from a table of days (:meth:`WorkingDayCalendar.durations`) equal the rule row by row
    (:meth:`WorkingDayCalendar.duration`), bank holidays, closure days, empty dates and an end before the
    start included; and a year earlier looked up by day is ``offset_by("-1y")``, 29 February included."""
    from perfkit.indicators.day_numbers import year_earlier

    calendar = WorkingDayCalendar(2019, 2025, (dt.date(2022, 12, 28), dt.date(2023, 12, 27)))
    frame = pl.DataFrame({"a": _random_days(1, 50_000, first, days), "b": _random_days(2, 50_000, first, days)})
    both = frame.select(row=calendar.duration("a", "b"), table=calendar.durations(frame, "a", "b"),
                        offset=pl.col("a").dt.offset_by("-1y"), earlier=year_earlier(frame, "a"))
    assert both.filter(pl.col("row").ne_missing(pl.col("table"))).is_empty()
    assert both.filter(pl.col("offset").ne_missing(pl.col("earlier"))).is_empty()
    assert both["row"].null_count() == frame.select(pl.col("a").is_null() | pl.col("b").is_null()).to_series().sum()
    leap = pl.DataFrame({"a": [dt.date(2024, 2, 29), dt.date(2024, 3, 1)]})
    assert leap.select(year_earlier(leap, "a")).to_series().to_list() == [dt.date(2023, 2, 28), dt.date(2023, 3, 1)]
    # the spec's example: Friday 16 December 2022 to Wednesday 22 February 2023 is 45 working days
    spec = pl.DataFrame({"a": [dt.date(2022, 12, 16)], "b": [dt.date(2023, 2, 22)]})
    assert spec.select(WorkingDayCalendar(2022, 2023).durations(spec, "a", "b")).item() == 45
