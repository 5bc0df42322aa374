"""Financial-year quarters and months: parsing, bounds and comparators.

Councils report by financial year (April to March). A quarter is written
``2022-23 Q2``; Q1 is April-June, Q2 July-September, Q3 October-December and
Q4 January-March. A month is written ``2022-23 M07``: the seventh month of the
financial year, October 2022 (M01 is April, M12 March). A month keeps its
financial year in its label, as a quarter does, so that its year to date
(``2022-23 M07 YTD``) reads as councils count it, and no label is both a
month and a year (``2011-12`` is a financial year; a calendar ``2011-12``
would be December 2011).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import ClassVar, Iterable

from perfkit.errors import PeriodError

_PERIOD_RE = re.compile(r"^\s*(\d{4})\s*-\s*(\d{2})\s*Q([1-4])\s*$", re.IGNORECASE)
LABEL_PATTERN = r"\d{4}-\d{2} (?:Q[1-4]|M(?:0[1-9]|1[0-2]))"
"""A quarter's or a month's label as perfkit writes it (``2024-25 Q3``, ``2024-25 M07``), to find in a text."""




def _financial_year(match: re.Match, text: str) -> int:
    """The first calendar year of a label's financial year (``2022-23``: 2022), which must run over two
    consecutive years."""
    year, short_end = int(match[1]), int(match[2])
    if (year + 1) % 100 != short_end:
        raise PeriodError(
            f"period {text!r}: the financial year {year}-{match[2]} does not run over two "
            f"consecutive years; expected {year}-{(year + 1) % 100:02d}"
        )
    return year


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
    noun: ClassVar[str] = "quarter"
    """What a member calls the period: "the same quarter last year"."""
    per_year: ClassVar[int] = 4

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
        return cls(_financial_year(match, text), int(match[3]))

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


_MONTH_RE = re.compile(r"^\s*(\d{4})\s*-\s*(\d{2})\s*M(\d{2})\s*$", re.IGNORECASE)
MONTH_NAMES = ("April", "May", "June", "July", "August", "September", "October", "November", "December",
               "January", "February", "March")
"""The months of a financial year, in order: M01 is April."""
_SHORT_MONTHS = tuple(name[:3] for name in MONTH_NAMES[9:] + MONTH_NAMES[:9])  # January first
_SHORT_RE = re.compile(rf"({'|'.join(_SHORT_MONTHS)}) (\d{{4}})")


def is_month(label: str) -> bool:
    """Whether a period's label is a month's (``"2024-25 M07"``), not a quarter's or a window's.

    >>> is_month("2024-25 M07"), is_month("2024-25 Q3"), is_month("2024-25 M07 R12")
    (True, False, False)
    """
    return bool(_MONTH_RE.match(str(label)))


def noun_of(label: str) -> str:
    """What members call a period, from its label: ``"month"`` for a month's, ``"quarter"`` otherwise.

    >>> noun_of("2024-25 M07"), noun_of("2024-25 Q3")
    ('month', 'quarter')
    """
    return (Month if is_month(label) else Period).noun


@dataclass(frozen=True, order=True)
class Month:
    """One month of a financial year, with the interface of :class:`Period`.

    Parameters
    ----------
    fy_start : int
        Calendar year in which the financial year starts (2024 for 2024-25).
    month : int
        1 (April) to 12 (March).

    Examples
    --------
    >>> m = Month.parse("2024-25 M07")
    >>> m.start, m.end, m.name
    (datetime.date(2024, 10, 1), datetime.date(2024, 10, 31), 'October 2024')
    >>> str(m.previous()), str(m.year_earlier()), str(Month.parse("2024-25 M01").previous())
    ('2024-25 M06', '2023-24 M07', '2023-24 M12')
    >>> m.rolling12_start, Month.parse("2023-24 M11").end
    (datetime.date(2023, 11, 1), datetime.date(2024, 2, 29))
    >>> [str(x) for x in Month.parse("2024-25 M02").series(3)]
    ['2023-24 M12', '2024-25 M01', '2024-25 M02']
    >>> str(m.quarter)
    '2024-25 Q3'
    """

    fy_start: int
    month: int
    noun: ClassVar[str] = "month"
    """What a member calls the period: "the same month last year"."""
    per_year: ClassVar[int] = 12

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise PeriodError(f"month must be 1 (April) to 12 (March), got {self.month!r}")

    @classmethod
    def parse(cls, text: str) -> "Month":
        """Read a label such as ``"2024-25 M07"`` (October 2024)."""
        match = _MONTH_RE.match(str(text))
        if not match:
            raise PeriodError(f"period {text!r} is not a financial-year month; expected a label like '2024-25 M07' "
                              "(M01 is April, M12 March)")
        year, month = _financial_year(match, text), int(match[3])
        if not 1 <= month <= 12:
            raise PeriodError(f"period {text!r}: a financial year has months M01 (April) to M12 (March)")
        return cls(year, month)

    @classmethod
    def containing(cls, day: dt.date) -> "Month":
        """The month that contains ``day``.

        >>> str(Month.containing(dt.date(2025, 2, 14)))
        '2024-25 M11'
        """
        fy_start = day.year if day.month >= 4 else day.year - 1
        return cls(fy_start, (day.month - 4) % 12 + 1)

    @property
    def label(self) -> str:
        return f"{self.fy_start}-{(self.fy_start + 1) % 100:02d} M{self.month:02d}"

    def __str__(self) -> str:
        return self.label

    @property
    def name(self) -> str:
        """The month as members read it: ``"October 2024"``."""
        return f"{MONTH_NAMES[self.month - 1]} {self.start.year}"

    @property
    def short(self) -> str:
        """The month as a table's heading: ``"Oct 2024"`` (read back by :meth:`from_short`)."""
        return f"{MONTH_NAMES[self.month - 1][:3]} {self.start.year}"

    @classmethod
    def from_short(cls, text: str) -> "Month | None":
        """The month a heading such as ``"Oct 2024"`` names, else None.

        >>> str(Month.from_short("Oct 2024")), str(Month.from_short("Mar 2025")), Month.from_short("2024-25 Q3")
        ('2024-25 M07', '2024-25 M12', None)
        """
        match = _SHORT_RE.fullmatch(str(text).strip())
        if not match:
            return None
        return cls.containing(dt.date(int(match[2]), _SHORT_MONTHS.index(match[1]) + 1, 1))

    @property
    def index(self) -> int:
        """A running month number, so that months can be subtracted."""
        return self.fy_start * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> "Month":
        return cls(index // 12, index % 12 + 1)

    def shift(self, months: int) -> "Month":
        """The month ``months`` later (earlier when negative)."""
        return Month.from_index(self.index + months)

    def previous(self) -> "Month":
        return self.shift(-1)

    def year_earlier(self) -> "Month":
        """The same month a year earlier: the year-on-year comparator."""
        return self.shift(-12)

    @property
    def start(self) -> dt.date:
        month = (self.month + 2) % 12 + 1
        return dt.date(self.fy_start + (1 if month < 4 else 0), month, 1)

    @property
    def end(self) -> dt.date:
        return self.shift(1).start - dt.timedelta(days=1)

    @property
    def rolling12_start(self) -> dt.date:
        """First day of the 12 months ending on the month's end."""
        return self.shift(-11).start

    @property
    def quarter(self) -> Period:
        """The quarter the month is in."""
        return Period(self.fy_start, (self.month - 1) // 3 + 1)

    def series(self, count: int) -> list["Month"]:
        """The ``count`` months ending with this one, oldest first."""
        return [self.shift(-k) for k in range(count - 1, -1, -1)]


def parse_period(text: str) -> Period | Month:
    """A quarter (``"2024-25 Q3"``) or a month (``"2024-25 M07"``) from its label.

    >>> parse_period("2024-25 Q3"), parse_period("2024-25 m07")
    (Period(fy_start=2024, quarter=3), Month(fy_start=2024, month=7))
    >>> parse_period("2024-10")
    Traceback (most recent call last):
    ...
    perfkit.errors.PeriodError: period '2024-10' is not a financial-year quarter or month; expected a label like '2024-25 Q3' or '2024-25 M07' (M01 is April, M12 March)
    """
    if _MONTH_RE.match(str(text)):
        return Month.parse(text)
    if _PERIOD_RE.match(str(text)):
        return Period.parse(text)
    raise PeriodError(f"period {str(text)!r} is not a financial-year quarter or month; expected a label like "
                      "'2024-25 Q3' or '2024-25 M07' (M01 is April, M12 March)")


def periods_between(first: Period, last: Period) -> list[Period]:
    """Every quarter from ``first`` to ``last`` inclusive."""
    return [Period.from_index(i) for i in range(first.index, last.index + 1)]


LATEST, LATEST_MONTH = "latest", "latest month"
"""The words that ask for the last complete quarter of the data, or the last complete month (a monthly report)."""


def latest_kind(text: "str | Period | Month | None") -> type | None:
    """Which period the words ask for the latest of: :class:`Period` for ``None`` or ``"latest"``,
    :class:`Month` for ``"latest month"`` (``"latest-month"`` too); None for a period's own label.

    >>> latest_kind(None), latest_kind(" Latest "), latest_kind("latest-month"), latest_kind("2024-25 M07")
    (<class 'perfkit.indicators.periods.Period'>, <class 'perfkit.indicators.periods.Period'>, <class 'perfkit.indicators.periods.Month'>, None)
    """
    if text is None:
        return Period
    if not isinstance(text, str):
        return None
    words = " ".join(text.strip().lower().replace("-", " ").split())
    return {LATEST: Period, LATEST_MONTH: Month}.get(words)


def latest_complete(as_at: dt.date, kind: type = Period) -> "Period | Month":
    """The last quarter (``kind``: or month) that has ended on or before ``as_at``.

    >>> str(latest_complete(dt.date(2025, 3, 30))), str(latest_complete(dt.date(2025, 3, 30), Month))
    ('2024-25 Q3', '2024-25 M11')
    """
    current = kind.containing(as_at)
    return current if current.end == as_at else current.previous()


def latest_complete_period(as_at: dt.date) -> Period:
    """The last quarter that has ended on or before ``as_at``.

    >>> str(latest_complete_period(dt.date(2025, 3, 31)))
    '2024-25 Q4'
    >>> str(latest_complete_period(dt.date(2025, 3, 30)))
    '2024-25 Q3'
    """
    return latest_complete(as_at, Period)


def check_period(period: "Period | Month", first: dt.date, as_at: dt.date, who: str) -> "Period | Month":
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
    kind = type(period)
    last = latest_complete(as_at, kind)
    earliest = kind.containing(first)
    noun = kind.noun
    if earliest.index > last.index:
        raise PeriodError(f"period {period.label}: the data of {who} cover no complete {noun}")
    if not earliest.index <= period.index <= last.index:
        when = "after the data of {} end" if period.index > last.index else "before the data of {} start"
        raise PeriodError(f"period {period.label} is {when.format(who)}: expected a {noun} from {earliest.label} to {last.label}")
    return period


def labels(periods: Iterable[Period]) -> list[str]:
    return [p.label for p in periods]


WINDOW_KINDS = ("quarter", "ytd", "r12", "alone")
ALONE = " 3M"
"""The end of the label of a window of a quarter alone (``"2024-25 Q4 3M"``)."""
MONTH_ALONE = " 1M"
"""The end of the label of a window of a month alone (``"2024-25 M07 1M"``)."""
_WINDOW_SUFFIX = {"quarter": "", "ytd": " YTD", "r12": " R12"}


def without_alone(label: str) -> str:
    """The period of a window alone's label, any other label as it is.

    >>> without_alone("2024-25 Q4 3M"), without_alone("2024-25 M07 1M"), without_alone("2024-25 Q4")
    ('2024-25 Q4', '2024-25 M07', '2024-25 Q4')
    """
    return label.removesuffix(MONTH_ALONE if label.endswith(MONTH_ALONE) else ALONE)


def alone_label(label: str) -> str:
    """The label of the window alone of the period ``label`` names.

    >>> alone_label("2024-25 Q4"), alone_label("2024-25 M07")
    ('2024-25 Q4 3M', '2024-25 M07 1M')
    """
    return label + (MONTH_ALONE if is_month(label) else ALONE)


def is_alone(label: str) -> bool:
    """Whether a label is a window alone's (a quarter's ``" 3M"``, a month's ``" 1M"``)."""
    return label.endswith((ALONE, MONTH_ALONE))


@dataclass(frozen=True, order=True)
class Window:
    """A reporting window ending on a quarter's (or a month's) last day.

    ``kind`` is ``"quarter"`` (the period itself: the quarter, or the month),
    ``"ytd"`` (the financial year to date), ``"r12"`` (the 12 months ending on
    the period's end, the
    figure that compares with DfE's annual publications) or ``"alone"`` (the
    period alone, even for a figure the catalogue counts over a rolling 12
    months: the points of a process-control chart must not overlap; labelled
    ``" 3M"`` for a quarter, ``" 1M"`` for a month).

    Examples
    --------
    >>> w = Window.parse("2022-23 Q3 YTD")
    >>> w.start, w.end, w.label
    (datetime.date(2022, 4, 1), datetime.date(2022, 12, 31), '2022-23 Q3 YTD')
    >>> Window.parse("2022-23 Q3 R12").start
    datetime.date(2022, 1, 1)
    >>> Window.parse("2022-23 Q3").kind
    'quarter'
    >>> Window.parse("2022-23 Q3 3M").start, Window.parse("2024-25 M07 1M").start
    (datetime.date(2022, 10, 1), datetime.date(2024, 10, 1))
    """

    period: "Period | Month"
    kind: str = "quarter"

    def __post_init__(self) -> None:
        if self.kind not in WINDOW_KINDS:
            raise PeriodError(f"window kind {self.kind!r} is not one of {', '.join(WINDOW_KINDS)}")

    @classmethod
    def parse(cls, text: str) -> "Window":
        """A window from its label: a quarter or a month (``"2024-25 M07 R12"``), with its kind's suffix.

        >>> Window.parse("2024-25 M07 YTD").start, Window.parse("2024-25 M07").end
        (datetime.date(2024, 4, 1), datetime.date(2024, 10, 31))
        """
        words = str(text).strip()
        for suffix, kind in ((ALONE, Period), (MONTH_ALONE, Month)):
            if words.upper().endswith(suffix.strip()):
                period = parse_period(words[: -len(suffix.strip())])
                if not isinstance(period, kind):
                    raise PeriodError(f"window {words!r}: {suffix.strip()!r} ends the label of a {kind.noun} alone")
                return cls(period, "alone")
        for kind, suffix in _WINDOW_SUFFIX.items():
            if suffix and words.upper().endswith(suffix.strip()):
                return cls(parse_period(words[: -len(suffix.strip())]), kind)
        return cls(parse_period(words), "quarter")

    @property
    def label(self) -> str:
        return alone_label(self.period.label) if self.kind == "alone" else self.period.label + _WINDOW_SUFFIX[self.kind]

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


def as_window(value: "Period | Month | Window | str") -> Window:
    """A window from a period, a window or a label."""
    if isinstance(value, Window):
        return value
    if isinstance(value, (Period, Month)):
        return Window(value)
    return Window.parse(value)
