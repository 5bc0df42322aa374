"""Working days: Monday to Friday, less England and Wales bank holidays and local closures.

The duration from date ``a`` to date ``b`` counts the working days ``d`` with
``a < d <= b``: the start day is not counted.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Iterable

import polars as pl

from perfkit.indicators.day_numbers import by_day, day_span


@functools.lru_cache(maxsize=32)
def bank_holidays(first_year: int, last_year: int) -> tuple[dt.date, ...]:
    """England and Wales bank holidays from the maintained ``holidays`` calendar (worked out once per span).

    >>> dt.date(2022, 12, 27) in bank_holidays(2022, 2022)
    True
    """
    import holidays  # imported here: keeps ``import perfkit`` light

    calendar = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return tuple(sorted(calendar))


@dataclass(frozen=True)
class WorkingDayCalendar:
    """A working-day calendar for one authority.

    Parameters
    ----------
    first_year, last_year : int
        Calendar years the bank holidays cover (pad the data's range by a year).
    closure_days : iterable of date
        Local closure days the authority configures (e.g. a Christmas shutdown).

    Examples
    --------
    The specification's example: start Friday 16 December 2022, authorised
    Wednesday 22 February 2023 is exactly 45 working days.

    >>> cal = WorkingDayCalendar(2022, 2023)
    >>> frame = pl.DataFrame({"a": [dt.date(2022, 12, 16)], "b": [dt.date(2023, 2, 22)]})
    >>> frame.select(cal.duration("a", "b")).item()
    45
    """

    first_year: int
    last_year: int
    closure_days: tuple[dt.date, ...] = field(default_factory=tuple)

    @property
    def holidays(self) -> list[dt.date]:
        return sorted(set(bank_holidays(self.first_year, self.last_year)) | set(self.closure_days))

    def duration(self, start: str | pl.Expr, end: str | pl.Expr) -> pl.Expr:
        """Working days ``d`` with ``start < d <= end``, as a polars expression, row by row; where ``end``
        is before ``start`` (which the contract refuses), minus the working days ``d`` with ``end < d <= start``.

        :meth:`durations` gives the same numbers for the columns of a frame, faster.
        """
        start_expr = pl.col(start) if isinstance(start, str) else start
        end_expr = pl.col(end) if isinstance(end, str) else end
        one_day = pl.duration(days=1)
        forward = pl.business_day_count(start_expr + one_day, end_expr + one_day, holidays=self.holidays)
        backward = -pl.business_day_count(end_expr + one_day, start_expr + one_day, holidays=self.holidays)
        return pl.when(start_expr <= end_expr).then(forward).otherwise(backward)

    def durations(self, frame: pl.DataFrame, start: str, end: str) -> pl.Expr:
        """:meth:`duration` for the columns ``start`` and ``end`` of ``frame``: each day's count of working
        days so far worked out once, and looked up (:mod:`perfkit.indicators.day_numbers`).

        >>> cal = WorkingDayCalendar(2022, 2023)
        >>> frame = pl.DataFrame({"a": [dt.date(2022, 12, 16), dt.date(2023, 1, 3), None],
        ...     "b": [dt.date(2023, 2, 22), dt.date(2022, 12, 28), dt.date(2023, 1, 1)]})
        >>> frame.select(cal.durations(frame, "a", "b")).to_series().to_list()
        [45, -3, None]
        """
        span = day_span([frame[start], frame[end]])
        if span is None:
            return self.duration(start, end)
        closed = self.holidays

        def worked_so_far(days: pl.Series) -> pl.Series:
            working = (days.dt.weekday() <= 5) & ~days.is_in(closed)
            return working.cast(pl.Int32).cum_sum()

        return (by_day(pl.col(end), span, worked_so_far) - by_day(pl.col(start), span, worked_so_far)).cast(pl.Int32)

    def counting_back(self, end: dt.date, working_days: int) -> dt.date:
        """The ``working_days``-th working day counting back from ``end`` (which counts, if it is one).

        A date on or after it is within ``working_days - 1`` working days of ``end``.
        Friday 30 September 2022 counting back 10 skips the bank holiday of 19 September:

        >>> WorkingDayCalendar(2022, 2022).counting_back(dt.date(2022, 9, 30), 10)
        datetime.date(2022, 9, 16)
        """
        closed = set(self.holidays)
        day, found = end, 0
        while True:
            if day.weekday() < 5 and day not in closed:
                found += 1
                if found == working_days:
                    return day
            day -= dt.timedelta(days=1)

    def add(self, start: dt.date, working_days: int) -> dt.date:
        """The date ``working_days`` working days after ``start``.

        >>> WorkingDayCalendar(2022, 2023).add(dt.date(2022, 12, 16), 45)
        datetime.date(2023, 2, 22)
        """
        closed = set(self.holidays)
        day, remaining = start, working_days
        while remaining > 0:
            day += dt.timedelta(days=1)
            if day.weekday() < 5 and day not in closed:
                remaining -= 1
        return day


def calendar_for(dates: Iterable[dt.date], closure_days: Iterable[dt.date] = ()) -> WorkingDayCalendar:
    """A calendar covering every year in ``dates`` with a year's margin either side."""
    years = [d.year for d in dates if d is not None]
    if not years:
        years = [dt.date.today().year]
    return WorkingDayCalendar(min(years) - 1, max(years) + 1, tuple(sorted(closure_days)))
