"""Statistical process control as NHS England's Making Data Count, after NHSRplotthedots.

An XmR chart of a series of periods: the mean of the baseline points, process
limits 2.66 mean moving ranges either side, and each point labelled by the
special-cause rules (:mod:`perfkit.indicators.spc_rules`): ``common_cause``,
``special_cause_improvement``, ``special_cause_concern``, or
``special_cause_neutral`` where neither direction is better. ``variation`` is
the type of a segment's latest point, ``assurance`` the latest limits against
a target. ``docs/spc.md`` gives the method, the reference and the choices.

>>> chart = xmr(pl.DataFrame({"period": [f"Q{i}" for i in range(1, 13)],
...                           "value": [5.0, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 30]}), "lower", target=11.0)
>>> chart.row(-1)
('Q12', 30.0, 7.5, 4.84, 10.16, 'special_cause_concern', 'special_cause_concern', 'pass')

p and u charts, for small numbers, are in :mod:`perfkit.indicators.spc_attribute`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Callable, Sequence
from fractions import Fraction

import polars as pl

from perfkit.errors import PerfkitError
from perfkit.indicators import spc_rules

IMPROVEMENTS = ("higher", "lower", "neither")
"""Which way is better: the ``--improvement`` of ``perfkit spc``."""

IMPROVEMENT_OF_POLARITY = {"high_is_good": "higher", "low_is_good": "lower", "none": "neither"}
"""The catalogue's ``polarity`` as an improvement direction."""

POINT_TYPES = ("common_cause", "special_cause_improvement", "special_cause_concern", "special_cause_neutral")
ASSURANCES = ("pass", "fail", "hit_and_miss")
COLUMNS = ("period", "value", "mean", "lower_limit", "upper_limit", "point_type", "variation", "assurance")

LIMIT = 2.66
"""Process limits: the mean ± 2.66 mean moving ranges (three sigma, ``ptd_spc_standard``)."""
CLOSE = 2 * (LIMIT / 3)
"""The two-sigma lines, as the reference writes them: ``2 * (limit / 3)``."""
SIGMA = LIMIT / 3
"""One sigma, for the one-sigma lines (drawn, never tested)."""
SCREEN = 3.267
"""A moving range of 3.267 mean moving ranges or more is an outlier, left out of the second mean (``screen_outliers``)."""
MIN_BASELINE = 12
"""Fewest baseline points allowed (``fix_after_n_points >= 12``); a shorter segment has trial limits."""


class SpcInputError(PerfkitError):
    """A series that cannot be charted: the message names the file, the row and the value."""


def _check_improvement(improvement: str) -> str:
    if improvement not in IMPROVEMENTS:
        raise SpcInputError(f"improvement {improvement!r}: expected one of {', '.join(IMPROVEMENTS)}")
    return improvement


def _finite(value: object, what: str) -> float:
    """``value`` as a finite number, or :class:`SpcInputError` saying ``what`` it is ("target 'x'") is not one.

    >>> _finite("2.5", "target '2.5'"), _finite(3, "target 3")
    (2.5, 3.0)
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SpcInputError(f"{what} is not a number") from None
    if not math.isfinite(number):
        raise SpcInputError(f"{what} is not a finite number")
    return number


def _check_target(target: float | None) -> float | None:
    return None if target is None else _finite(target, f"target {target!r}")


def _check_baseline(baseline_points: int | None) -> int | None:
    if baseline_points is None:
        return None
    if isinstance(baseline_points, bool) or not isinstance(baseline_points, int) or baseline_points < MIN_BASELINE:
        raise SpcInputError(f"baseline_points {baseline_points!r}: expected a whole number of at least {MIN_BASELINE} "
                            "(NHSRplotthedots' fix_after_n_points), or none for every point")
    return baseline_points


def _series(frame: pl.DataFrame, columns: Sequence[str], source: str) -> tuple[pl.DataFrame, list[list[float]]]:
    """The frame in period order, and each numeric column as finite floats; errors name the row (1 = first data row)."""
    missing = [c for c in ("period", *columns) if c not in frame.columns]
    if missing:
        raise SpcInputError(f"{source}: no column {', '.join(map(repr, missing))}: expected {', '.join(('period', *columns))}")
    frame = frame.select("period", *columns)
    if frame["period"].dtype.is_temporal() or frame["period"].dtype.is_numeric():
        frame = frame.sort("period", maintain_order=True)  # as ptd_spc_standard arranges by date
    periods = frame["period"].to_list()
    seen: dict = {}
    for row, period in enumerate(periods, 1):
        if period is None or (isinstance(period, str) and not period.strip()):
            raise SpcInputError(f"{source}: row {row}: period is empty")
        if period in seen:
            raise SpcInputError(f"{source}: row {row}: period {period!r} repeats row {seen[period]}")
        seen[period] = row
    out = []
    for name in columns:
        values = []
        for row, (period, value) in enumerate(zip(periods, frame[name].to_list()), 1):
            values.append(_finite(value, f"{source}: row {row}: {name} {value!r} for period {period!r}"))
        out.append(values)
    if len(periods) < 2:
        raise SpcInputError(f"{source}: {len(periods)} period{'s' * (len(periods) != 1)}: a chart needs at least 2")
    return frame, out


def segments(periods: list, rebase_at: Sequence | None, dtype: pl.DataType, source: str = "input") -> list[int]:
    """Each point's segment: a rebase period starts a new one, with limits of its own (``ptd_add_rebase_column``).

    >>> segments(["a", "b", "c", "d"], ["c"], pl.String)
    [0, 0, 1, 1]
    """
    if not rebase_at:
        return [0] * len(periods)
    try:
        given = list(rebase_at)
        if dtype.is_temporal() and all(isinstance(r, str) for r in given):  # ISO dates for date periods
            wanted = pl.Series(given).str.to_datetime().cast(dtype).to_list()
        else:
            wanted = pl.Series(given).cast(dtype).to_list()
    except (pl.exceptions.PolarsError, TypeError, ValueError, OverflowError):
        raise SpcInputError(f"rebase periods {list(rebase_at)!r} are not of the periods' kind ({dtype})") from None
    index = {p: i for i, p in enumerate(periods)}
    starts = set()
    for given, period in zip(rebase_at, wanted):
        if not isinstance(period, str | int | float | dt.date) or period not in index:
            raise SpcInputError(f"rebase period {given!r} is not a period of {source}")
        starts.add(index[period])
    out, segment = [], 0
    for i in range(len(periods)):
        segment += i in starts and i > 0
        out.append(segment)
    for s in range(segment + 1):
        members = [p for p, g in zip(periods, out) if g == s]
        if len(members) < 2:
            raise SpcInputError(f"{source}: the segment from period {members[0]!r} has 1 point: limits need at least 2")
    return out


def _mean(values: Sequence[float]) -> float:
    """The mean, correctly rounded: R's ``mean()`` sums in long double and corrects, to the same float nearly always."""
    return float(sum(map(Fraction, values), Fraction(0)) / len(values)) if values else 0.0


def xmr_limits(values: Sequence[float], screen_outliers: bool = True) -> tuple[float, float]:
    """The mean and the mean moving range of baseline values (``ptd_spc_standard``).

    Moving ranges of 3.267 mean moving ranges or more are screened out and the
    rest averaged again (``screen_outliers = TRUE``, the reference's default).
    A baseline whose moving ranges are all 0 has a mean moving range of 0.

    >>> xmr_limits([1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1])
    (1.9444444444444444, 1.0)
    >>> xmr_limits([1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1], screen_outliers=False)
    (1.9444444444444444, 1.8823529411764706)
    """
    ranges = [abs(values[k] - values[k - 1]) for k in range(1, len(values))]
    average = _mean(ranges)
    if screen_outliers:
        average = _mean([r for r in ranges if r < SCREEN * average])
    return _mean(values), average


def _column(values, dtype=pl.Float64) -> pl.Series:
    return pl.Series(values, dtype=dtype)


def chart_frame(frame: pl.DataFrame, values: list[float], groups: list[int], centre: list[float],
                lines: dict[str, list[float]], improvement: str, target: float | None, baseline: list[bool],
                detail: bool, extra: dict[str, list] | None = None) -> pl.DataFrame:
    """Label every point and assemble the columns; the shared end of :func:`xmr` and the p and u charts.

    ``lines`` holds each point's ``lower``/``upper`` limits, two-sigma lines
    (``lower_2sigma``, ``upper_2sigma``) and one-sigma lines: one value a
    segment for an XmR chart, one a point for a p or u chart.
    """
    lower, upper = lines["lower"], lines["upper"]
    point_type, rule, side, outside, close = [], [], [], [], []
    for g in sorted(set(groups)):
        rows = [i for i, x in enumerate(groups) if x == g]

        def pick(xs: list, rows: list[int] = rows) -> list:
            return [xs[i] for i in rows]

        result = spc_rules.classify(pick(values), pick(centre), pick(lower), pick(upper),
                                    pick(lines["lower_2sigma"]), pick(lines["upper_2sigma"]), improvement)
        for store, part in zip((point_type, rule, side, outside, close), result):
            store += part
    last = {g: i for i, g in enumerate(groups)}
    latest = groups[-1]
    assured = spc_rules.assurance(target, lower[-1], upper[-1], improvement)
    out = pl.DataFrame({
        "period": frame["period"], "value": _column(values), "mean": _column(centre),
        "lower_limit": _column(lower), "upper_limit": _column(upper),
        "point_type": _column(point_type, pl.String),
        "variation": _column([point_type[last[g]] for g in groups], pl.String),
        "assurance": _column([assured if g == latest else None for g in groups], pl.String),
    })
    if not detail:
        return out
    counts = {g: groups.count(g) for g in groups}
    columns = {
        "segment": _column(groups, pl.Int64), "baseline": _column(baseline, pl.Boolean),
        "trial_limits": _column([counts[g] < MIN_BASELINE for g in groups], pl.Boolean),
        **{name: _column(lines[name]) for name in ("lower_2sigma", "upper_2sigma", "lower_1sigma", "upper_1sigma")},
        "relative_to_mean": _column(side, pl.Int64), "outside_limits": _column(outside, pl.Boolean),
        "close_to_limits": _column(close, pl.Boolean), "special_cause_type": _column(rule, pl.String),
    }
    columns.update({name: _column(v) for name, v in (extra or {}).items()})
    return out.with_columns(**columns)


def xmr(frame: pl.DataFrame, improvement: str = "higher", target: float | None = None, *,
        rebase_at: Sequence | None = None, baseline_points: int | None = None, screen_outliers: bool = True,
        detail: bool = False, source: str = "input") -> pl.DataFrame:
    """An XmR chart of ``frame`` (columns ``period``, ``value``), labelled as NHSRplotthedots' ``ptd_spc``.

    Parameters
    ----------
    frame
        One row a period, in time order (sorted first where ``period`` is a
        date or a number, as the reference sorts by date). Periods are unique;
        values finite numbers.
    improvement
        ``higher``, ``lower`` or ``neither`` is better (the reference's
        increase, decrease, neutral; see ``IMPROVEMENT_OF_POLARITY``).
    target
        A target for assurance, in the values' units; none for no assurance.
    rebase_at
        Periods that each start a new segment, whose limits are computed from
        its own points (a change in the process). Each must be a period of the frame.
    baseline_points
        Compute each segment's limits from its first N points only (at least
        12; ``fix_after_n_points``); every point by default.
    screen_outliers
        Leave out moving ranges of 3.267 mean moving ranges or more (the
        reference's default; the Making Data Count spreadsheets do not).
    detail
        Add the working: ``segment``, ``baseline``, ``trial_limits`` (a segment
        of fewer than 12 points), the 1 and 2 sigma lines, ``mean_moving_range``,
        ``relative_to_mean``, ``outside_limits``, ``close_to_limits`` and the
        reference's ``special_cause_type``.
    source
        What the frame was read from, for messages.

    Returns
    -------
    polars.DataFrame
        ``period``, ``value``, ``mean``, ``lower_limit``, ``upper_limit``,
        ``point_type``, ``variation`` (the type of the segment's latest point)
        and ``assurance`` (``pass``, ``fail``, ``hit_and_miss``, or null:
        earlier segments, no target, or ``neither``).

    Examples
    --------
    Seven points in a row above the mean are all special cause, from the first:

    >>> run = xmr(pl.DataFrame({"period": list("abcdefghijklmn"),
    ...                         "value": [2.0, 4, 2, 4, 2, 4, 2, 5, 4, 5, 4, 5, 4, 5]}), "higher")
    >>> run["point_type"].to_list()[6:]
    ['common_cause', 'special_cause_improvement', 'special_cause_improvement', 'special_cause_improvement', 'special_cause_improvement', 'special_cause_improvement', 'special_cause_improvement', 'special_cause_improvement']
    """
    improvement = _check_improvement(improvement)
    target, baseline_points = _check_target(target), _check_baseline(baseline_points)
    frame, (values,) = _series(frame, ["value"], source)
    periods = frame["period"].to_list()
    groups = segments(periods, rebase_at, frame["period"].dtype, source)
    centre, baseline, amr = [], [], []
    for g in sorted(set(groups)):
        rows = [i for i, x in enumerate(groups) if x == g]
        fixed = rows[:baseline_points] if baseline_points else rows
        mean, average = xmr_limits([values[i] for i in fixed], screen_outliers)
        centre += [mean] * len(rows)
        amr += [average] * len(rows)
        baseline += [i in fixed for i in rows]
    # as ptd_spc_standard writes them: mean -/+ 2.66 * amr, and 2 * (2.66 / 3) * amr
    lines = {name: [c + sign * width * a for c, a in zip(centre, amr)]
             for name, sign, width in (("lower", -1, LIMIT), ("upper", 1, LIMIT), ("lower_2sigma", -1, CLOSE),
                                       ("upper_2sigma", 1, CLOSE), ("lower_1sigma", -1, SIGMA),
                                       ("upper_1sigma", 1, SIGMA))}
    return chart_frame(frame, values, groups, centre, lines, improvement, target, baseline, detail,
                       {"mean_moving_range": amr})


def read_series_csv(text: str, source: str = "input") -> pl.DataFrame:
    """A CSV of ``period,value`` (that header, those columns, in that order) as a frame; errors name the row.

    Rows are numbered as lines of the file (the header is row 1); blank lines
    are skipped; periods are kept as text, in the file's order.

    >>> read_series_csv("period,value\\n2024-25 Q1,12\\n2024-25 Q2,14.5\\n").rows()
    [('2024-25 Q1', 12.0), ('2024-25 Q2', 14.5)]
    >>> read_series_csv("period,value\\n2024-25 Q1,n/a\\n", "rates.csv")
    Traceback (most recent call last):
    ...
    perfkit.indicators.spc.SpcInputError: rates.csv: row 2: value 'n/a' for period '2024-25 Q1' is not a number
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise SpcInputError(f"{source}: the file is empty: expected a header row 'period,value'")
        if [h.strip().lower() for h in header] != ["period", "value"]:
            raise SpcInputError(f"{source}: row 1: header {','.join(header)!r}: expected 'period,value'")
        periods, values, seen = [], [], {}
        for fields in reader:
            row = reader.line_num
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != 2:
                raise SpcInputError(f"{source}: row {row}: {len(fields)} values: expected 2 (period,value)")
            period, value = fields[0].strip(), fields[1].strip()
            if not period:
                raise SpcInputError(f"{source}: row {row}: period is empty")
            if period in seen:
                raise SpcInputError(f"{source}: row {row}: period {period!r} repeats row {seen[period]}")
            seen[period] = row
            number = _finite(value, f"{source}: row {row}: value {value!r} for period {period!r}")
            periods.append(period)
            values.append(number)
    except csv.Error as error:
        raise SpcInputError(f"{source}: row {reader.line_num}: not readable as CSV ({error})") from None
    if len(periods) < 2:
        raise SpcInputError(f"{source}: {len(periods)} period{'s' * (len(periods) != 1)}: a chart needs at least 2")
    return pl.DataFrame({"period": _column(periods, pl.String), "value": _column(values)})


def _number(x: float) -> str:
    """Shortest text that reads back as the same float; whole numbers without ``.0``."""
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def write_chart_csv(chart: pl.DataFrame) -> str:
    """The chart's eight columns as CSV text (null assurance as an empty field).

    >>> print(write_chart_csv(xmr(pl.DataFrame({"period": ["a", "b"], "value": [1.0, 3.0]}))), end="")
    period,value,mean,lower_limit,upper_limit,point_type,variation,assurance
    a,1,2,-3.3200000000000003,7.32,common_cause,common_cause,
    b,3,2,-3.3200000000000003,7.32,common_cause,common_cause,
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in chart.select(COLUMNS).iter_rows():
        writer.writerow([_number(x) if isinstance(x, float) else ("" if x is None else x) for x in row])
    return out.getvalue()


def trial_limit_warnings(chart: pl.DataFrame) -> list[str]:
    """A warning for each segment of fewer than 12 points (``ptd_add_short_group_warnings``): its limits are trial limits.

    >>> trial_limit_warnings(xmr(pl.DataFrame({"period": ["a", "b", "c"], "value": [1.0, 3.0, 2.0]})))
    ["3 points from period 'a': fewer than 12, so the limits are trial limits, to be revised as points are added"]
    """
    starts: dict[int, tuple] = {}
    periods = chart["period"].to_list()
    groups = chart["segment"].to_list() if "segment" in chart.columns else [0] * len(periods)
    for period, g in zip(periods, groups):
        starts.setdefault(g, (period, groups.count(g)))
    return [f"{n} points from period {period!r}: fewer than {MIN_BASELINE}, so the limits are trial limits, "
            "to be revised as points are added" for period, n in starts.values() if n < MIN_BASELINE]


def spc_csv(text: str, improvement: str, target: float | None = None, *, source: str = "input",
            rebase_at: Sequence[str] | None = None, baseline_points: int | None = None,
            screen_outliers: bool = True, on_warning: Callable[[str], None] | None = None) -> str:
    """``perfkit spc --input FILE.csv --improvement higher|lower|neither [--target X]``: CSV in, chart CSV out.

    ``text`` is the file's content (``period,value``, see :func:`read_series_csv`)
    and ``source`` its name, for messages; the answer has the columns of
    :func:`xmr`. Segments of fewer than 12 points are passed to ``on_warning``.
    Bad input raises :class:`SpcInputError`, naming the file, the row and the value.

    >>> text = "period,value\\n" + "".join(f"2023-{m:02},{v}\\n" for m, v in enumerate([5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 30], 1))
    >>> print(spc_csv(text, "lower", 11).splitlines()[-1])
    2023-12,30,7.5,4.84,10.16,special_cause_concern,special_cause_concern,pass
    """
    _check_improvement(improvement)
    frame = read_series_csv(text, source)
    chart = xmr(frame, improvement, target, rebase_at=rebase_at, baseline_points=baseline_points,
                screen_outliers=screen_outliers, detail=True, source=source)
    if on_warning is not None:
        for message in trial_limit_warnings(chart):
            on_warning(f"{source}: {message}")
    return write_chart_csv(chart)
