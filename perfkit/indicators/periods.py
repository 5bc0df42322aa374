"""Financial-year quarters: parsing, bounds and comparators.

Councils report by financial year (April to March). A period is written
``2022-23 Q2``; Q1 is April-June, Q2 July-September, Q3 October-December and
Q4 January-March.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable

from perfkit.errors import PeriodError

_PERIOD_RE = re.compile(r"^\s*(\d{4})\s*-\s*(\d{2})\s*Q([1-4])\s*$", re.IGNORECASE)




@dataclass(frozen=True, order=True)
class Period:
    """One financial-year quarter.

    Parameters
    ----------
    fy_start : int
        Calendar year in which the financial year starts (2022 for 2022-23).
    quarter : int
        1 to 4.

    Examples
    --------
    >>> p = Period.parse("2022-23 Q2")
    >>> p.start, p.end
    (datetime.date(2022, 7, 1), datetime.date(2022, 9, 30))
    >>> str(p.previous()), str(p.year_earlier())
    ('2022-23 Q1', '2021-22 Q2')
    >>> p.rolling12_start
    datetime.date(2021, 10, 1)
    """

    fy_start: int
    quarter: int

    def __post_init__(self) -> None:
        if self.quarter not in (1, 2, 3, 4):
            raise PeriodError(f"quarter must be 1 to 4, got {self.quarter!r}")

    @classmethod
    def parse(cls, text: str) -> "Period":
        """Read a label such as ``"2022-23 Q2"``."""
        match = _PERIOD_RE.match(str(text))
        if not match:
            raise PeriodError(
                f"period {text!r} is not a financial-year quarter; expected a label like '2022-23 Q2'"
            )
        year, short_end, quarter = int(match[1]), int(match[2]), int(match[3])
        if (year + 1) % 100 != short_end:
            raise PeriodError(
                f"period {text!r}: the financial year {year}-{match[2]} does not run over two "
                f"consecutive years; expected {year}-{(year + 1) % 100:02d}"
            )
        return cls(year, quarter)

    @classmethod
    def containing(cls, day: dt.date) -> "Period":
        """The quarter that contains ``day``.

        >>> str(Period.containing(dt.date(2023, 2, 22)))
        '2022-23 Q4'
        """
        fy_start = day.year if day.month >= 4 else day.year - 1
        quarter = ((day.month - 4) % 12) // 3 + 1
        return cls(fy_start, quarter)

    @property
    def label(self) -> str:
        return f"{self.fy_start}-{(self.fy_start + 1) % 100:02d} Q{self.quarter}"

    def __str__(self) -> str:
        return self.label

    @property
    def index(self) -> int:
        """A running quarter number, so that periods can be subtracted."""
        return self.fy_start * 4 + self.quarter - 1

    @classmethod
    def from_index(cls, index: int) -> "Period":
        return cls(index // 4, index % 4 + 1)

    def shift(self, quarters: int) -> "Period":
        """The period ``quarters`` later (earlier when negative)."""
        return Period.from_index(self.index + quarters)

    def previous(self) -> "Period":
        return self.shift(-1)

    def year_earlier(self) -> "Period":
        """The same quarter a year earlier: the year-on-year comparator."""
        return self.shift(-4)

    @property
    def start(self) -> dt.date:
        month = 4 + 3 * (self.quarter - 1)
        year = self.fy_start
        if month > 12:
            month -= 12
            year += 1
        return dt.date(year, month, 1)

    @property
    def end(self) -> dt.date:
        return self.shift(1).start - dt.timedelta(days=1)

    @property
    def rolling12_start(self) -> dt.date:
        """First day of the 12 months ending on the period end."""
        return self.shift(-3).start

    def series(self, count: int) -> list["Period"]:
        """The ``count`` quarters ending with this one, oldest first.

        >>> [str(p) for p in Period.parse("2023-24 Q1").series(3)]
        ['2022-23 Q3', '2022-23 Q4', '2023-24 Q1']
        """
        return [self.shift(-k) for k in range(count - 1, -1, -1)]


def periods_between(first: Period, last: Period) -> list[Period]:
    """Every quarter from ``first`` to ``last`` inclusive."""
    return [Period.from_index(i) for i in range(first.index, last.index + 1)]


def latest_complete_period(as_at: dt.date) -> Period:
    """The last quarter that has ended on or before ``as_at``.

    >>> str(latest_complete_period(dt.date(2025, 3, 31)))
    '2024-25 Q4'
    >>> str(latest_complete_period(dt.date(2025, 3, 30)))
    '2024-25 Q3'
    """
    current = Period.containing(as_at)
    return current if current.end == as_at else current.previous()


def check_period(period: Period, first: dt.date, as_at: dt.date, who: str) -> Period:
    """``period``, if the data cover it: it ends on or before ``as_at`` and not before the first record.

    A quarter the data do not reach would be reported full of zeros. The
    message names the quarters the data cover (no record's date).

    >>> str(check_period(Period.parse("2024-25 Q4"), dt.date(2019, 4, 2), dt.date(2025, 3, 31), "authority 990"))
    '2024-25 Q4'
    >>> check_period(Period.parse("2026-27 Q2"), dt.date(2019, 4, 2), dt.date(2025, 3, 31), "authority 990")
    Traceback (most recent call last):
    ...
    perfkit.errors.PeriodError: period 2026-27 Q2 is after the data of authority 990 end: expected a quarter from 2019-20 Q1 to 2024-25 Q4
    """
    last = latest_complete_period(as_at)
    earliest = Period.containing(first)
    if earliest.index > last.index:
        raise PeriodError(f"period {period.label}: the data of {who} cover no complete quarter")
    if not earliest.index <= period.index <= last.index:
        when = "after the data of {} end" if period.index > last.index else "before the data of {} start"
        raise PeriodError(f"period {period.label} is {when.format(who)}: expected a quarter from {earliest.label} to {last.label}")
    return period


def labels(periods: Iterable[Period]) -> list[str]:
    return [p.label for p in periods]


WINDOW_KINDS = ("quarter", "ytd", "r12", "3m")
ALONE = " 3M"
"""The end of the label of a window of a quarter alone (``"2024-25 Q4 3M"``)."""
_WINDOW_SUFFIX = {"quarter": "", "ytd": " YTD", "r12": " R12", "3m": ALONE}


@dataclass(frozen=True, order=True)
class Window:
    """A reporting window ending on a quarter's last day.

    ``kind`` is ``"quarter"`` (the quarter itself), ``"ytd"`` (the financial
    year to date), ``"r12"`` (the 12 months ending on the quarter end, the
    figure that compares with DfE's annual publications) or ``"3m"`` (the
    quarter alone, even for a figure the catalogue counts over a rolling 12
    months: the points of a process-control chart must not overlap).

    Examples
    --------
    >>> w = Window.parse("2022-23 Q3 YTD")
    >>> w.start, w.end, w.label
    (datetime.date(2022, 4, 1), datetime.date(2022, 12, 31), '2022-23 Q3 YTD')
    >>> Window.parse("2022-23 Q3 R12").start
    datetime.date(2022, 1, 1)
    >>> Window.parse("2022-23 Q3").kind
    'quarter'
    >>> Window.parse("2022-23 Q3 3M").start
    datetime.date(2022, 10, 1)
    """

    period: Period
    kind: str = "quarter"

    def __post_init__(self) -> None:
        if self.kind not in WINDOW_KINDS:
            raise PeriodError(f"window kind {self.kind!r} is not one of {', '.join(WINDOW_KINDS)}")

    @classmethod
    def parse(cls, text: str) -> "Window":
        words = str(text).strip()
        for kind, suffix in _WINDOW_SUFFIX.items():
            if suffix and words.upper().endswith(suffix.strip()):
                return cls(Period.parse(words[: -len(suffix.strip())]), kind)
        return cls(Period.parse(words), "quarter")

    @property
    def label(self) -> str:
        return self.period.label + _WINDOW_SUFFIX[self.kind]

    def __str__(self) -> str:
        return self.label

    @property
    def start(self) -> dt.date:
        if self.kind == "ytd":
            return Period(self.period.fy_start, 1).start
        if self.kind == "r12":
            return self.period.rolling12_start
        return self.period.start

    @property
    def end(self) -> dt.date:
        return self.period.end


def as_window(value: "Period | Window | str") -> Window:
    """A window from a period, a window or a label."""
    if isinstance(value, Window):
        return value
    if isinstance(value, Period):
        return Window(value)
    return Window.parse(value)
