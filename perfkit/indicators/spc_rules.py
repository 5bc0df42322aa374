"""The special-cause rules of Making Data Count, as NHSRplotthedots applies them.

Pure functions over plain lists, one segment (the points between two rebases)
at a time. Each follows a function of NHSRplotthedots'
``R/ptd_calculate_point_type.R`` (named in its docstring) step for step, so a
point is labelled as the R package labels it; ``docs/spc.md`` sets the rules
out in words. :mod:`perfkit.indicators.spc` computes the limits and calls
:func:`classify`.

>>> classify([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], 4.0, 0.0, 8.0, 1.5, 6.5, "higher")[0]
['special_cause_improvement', 'special_cause_improvement', 'special_cause_improvement', 'special_cause_improvement', 'special_cause_improvement', 'special_cause_improvement', 'special_cause_improvement']
"""

from __future__ import annotations

from collections.abc import Sequence

RUN = 7
"""Points in a run on one side of the mean, and in a trend (``ptd_seven_point_*``)."""

COMMON = "Common Cause"
"""The reference's ``special_cause_type`` of a point no rule flags."""

DIRECTION = {"higher": 1, "lower": -1, "neither": 0}
"""``improvement_direction`` as ``ptd_spc`` turns it into a number (increase, decrease, neutral)."""


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def seven_point_one_side_mean(relative_to_mean: Sequence[int]) -> list[int]:
    """1 at a point that ends seven points on one side of the mean (``ptd_seven_point_one_side_mean``).

    A point on the mean (0) is on neither side: it breaks a run and starts none.
    The cases are the reference's (``tests/testthat/test-ptd_calculate_point_type.R``):

    >>> seven_point_one_side_mean([1] * 6)
    [0, 0, 0, 0, 0, 0]
    >>> seven_point_one_side_mean([1] * 8 + [-1])
    [0, 0, 0, 0, 0, 0, 1, 1, 0]
    >>> seven_point_one_side_mean([1, 1, 1, 0, 1, 1, 1, 1])
    [0, 0, 0, 0, 0, 0, 0, 0]
    """
    padded = [0] * (RUN - 1) + list(relative_to_mean)
    return [int(padded[i] != 0 and all(padded[i] == padded[i - k] for k in range(1, RUN)))
            for i in range(RUN - 1, len(padded))]


def part_of_seven(ends: Sequence[int]) -> list[int]:
    """1 at every point of a run or trend whose last point is flagged in ``ends`` (``ptd_part_of_seven_trend``).

    A point is part of one when it, or one of the six points after it, ends one:
    so all seven points are flagged, from the first.

    >>> part_of_seven([0] * 6 + [1, 0])
    [1, 1, 1, 1, 1, 1, 1, 0]
    >>> part_of_seven([0] * 7 + [-1, 0])
    [0, 1, 1, 1, 1, 1, 1, 1, 0]
    """
    padded = list(ends) + [0] * (RUN - 1)
    return [int(any(abs(padded[i + k]) == 1 for k in range(RUN))) for i in range(len(ends))]


def seven_point_trend(values: Sequence[float]) -> list[int]:
    """1 (-1) at a point that ends seven points each higher (lower) than the one before (``ptd_seven_point_trend``).

    Six differences in a row of the same sign: an equal neighbour (a difference
    of 0) breaks a trend.

    >>> seven_point_trend([1, 2, 3, 4, 5, 6])
    [0, 0, 0, 0, 0, 0]
    >>> seven_point_trend([1, 2, 3, 3, 4, 5, 6])
    [0, 0, 0, 0, 0, 0, 0]
    >>> seven_point_trend([2, 1, 2, 3, 4, 5, 6, 7, 3])
    [0, 0, 0, 0, 0, 0, 0, 1, 0]
    >>> seven_point_trend([7, 6, 5, 4, 3, 2, 1])
    [0, 0, 0, 0, 0, 0, -1]
    """
    n = len(values)
    if n < RUN:
        return [0] * n
    out = [0] * (RUN - 1)
    for i in range(RUN - 1, n):
        signs = {_sign(values[k] - values[k - 1]) for k in range(i - RUN + 2, i + 1)}
        out.append(1 if signs == {1} else -1 if signs == {-1} else 0)
    return out


def two_in_three(close: Sequence[int], relative_to_mean: Sequence[int]) -> list[int]:
    """1 at a point in three consecutive points, all on one side of the mean, two or more of them close to a limit (``ptd_two_in_three``).

    ``close`` is 1 where a point is beyond two sigma but within the limits; a
    point beyond a limit is not "close". Each of the three windows that hold
    the point is tried; points beyond either end count as neither close nor on
    a side. The reference's cases:

    >>> two_in_three([1, 0, 1], [1, 1, 1])
    [1, 1, 1]
    >>> two_in_three([0, 0, 1, 1, 0, 0, 0], [1] * 7)
    [0, 1, 1, 1, 1, 0, 0]
    >>> two_in_three([1, 0, 1], [1, -1, 1])
    [0, 0, 0]
    """
    n = len(close)
    c = [0, 0] + [int(bool(x)) for x in close] + [0, 0]
    r = [0, 0] + list(relative_to_mean) + [0, 0]
    return [int(any(sum(c[i + s:i + s + 3]) >= 2 and abs(sum(r[i + s:i + s + 3])) == 3 for s in range(3)))
            for i in range(n)]


def part_of_two_in_three(flags: Sequence[int], close: Sequence[int]) -> list[int]:
    """Of the points in a two-in-three, only those themselves close to a limit (``ptd_part_of_two_in_three``).

    >>> part_of_two_in_three(two_in_three([1, 0, 0, 1, 1], [1] * 5), [1, 0, 0, 1, 1])
    [0, 0, 0, 1, 1]
    """
    return [int(f == 1 and bool(c)) for f, c in zip(flags, close)]


def special_cause_types(values: Sequence[float], relative_to_mean: Sequence[int], close: Sequence[int],
                        outside: Sequence[int]) -> list[str]:
    """The rule that flags each point, in the reference's words and order (``ptd_special_cause_type``).

    First a point beyond a limit, then a trend, then two in three close to a
    limit, then a run on one side of the mean. A point in a trend takes the
    trend's direction even across the mean: where both it and the next point
    are in a trend, the step to the next point; otherwise the step from the one
    before (a step of 0 reads as decreasing, as in the reference).

    >>> special_cause_types([1, 2, 3, 4, 5, 6, 7, 20], [-1, -1, -1, -1, 1, 1, 1, 1], [0] * 8, [0] * 7 + [1])
    ['7 Point Trend (Increasing)', '7 Point Trend (Increasing)', '7 Point Trend (Increasing)', '7 Point Trend (Increasing)', '7 Point Trend (Increasing)', '7 Point Trend (Increasing)', '7 Point Trend (Increasing)', 'Above UCL']
    """
    n = len(values)
    trend = part_of_seven(seven_point_trend(values))
    pair = part_of_two_in_three(two_in_three(close, relative_to_mean), close)
    run = part_of_seven(seven_point_one_side_mean(relative_to_mean))
    steps = [_sign(values[k + 1] - values[k]) for k in range(n - 1)]
    out = []
    for i in range(n):
        side = "Above" if relative_to_mean[i] > 0 else "Below"
        if outside[i]:
            out.append("Above UCL" if relative_to_mean[i] == 1 else "Below LCL")
        elif trend[i]:
            right = i + 1 < n and trend[i + 1]
            step = steps[i] if right else (steps[i - 1] if i > 0 else 0)
            out.append(f"7 Point Trend ({'In' if step == 1 else 'De'}creasing)")
        elif pair[i]:
            out.append(f"2 in 3 {side} CL")
        elif run[i]:
            out.append(f"7 Points {side} CL")
        else:
            out.append(COMMON)
    return out


def point_type(special_cause_type: str, improvement: str) -> str:
    """``common_cause``, ``special_cause_improvement``, ``special_cause_concern`` or ``special_cause_neutral`` (``ptd_point_type``).

    The reference's neutral types say high or low (``special_cause_neutral_high``);
    the direction stays in ``special_cause_type``.

    >>> point_type("7 Point Trend (Decreasing)", "lower"), point_type("2 in 3 Below CL", "higher")
    ('special_cause_improvement', 'special_cause_concern')
    >>> point_type("Above UCL", "neither"), point_type(COMMON, "higher")
    ('special_cause_neutral', 'common_cause')
    """
    v = 1 if ("Above" in special_cause_type or "Increasing" in special_cause_type) else (
        -1 if ("Below" in special_cause_type or "Decreasing" in special_cause_type) else 0)
    if v == 0:
        return "common_cause"
    direction = DIRECTION[improvement]
    if direction == 0:
        return "special_cause_neutral"
    return "special_cause_improvement" if v * direction > 0 else "special_cause_concern"


def assurance(target: float | None, lower: float, upper: float, improvement: str) -> str | None:
    """``pass``, ``fail`` or ``hit_and_miss`` of a target against the latest limits (``ptd_calculate_assurance_type``).

    Consistently passing when both limits are on the good side of the target,
    consistently failing when both are on the bad side, hit and miss when the
    target is between them or on one; none without a target or a direction.
    The reference's cases (``tests/testthat/test-ptd_calculate_assurance_type.R``):

    >>> [assurance(4, lo, up, "higher") for lo, up in [(1, 3), (5, 7), (1, 5)]]
    ['fail', 'pass', 'hit_and_miss']
    >>> [assurance(4, lo, up, "lower") for lo, up in [(1, 3), (5, 7), (1, 5)]]
    ['pass', 'fail', 'hit_and_miss']
    >>> assurance(4, 1, 3, "neither"), assurance(None, 1, 3, "higher")
    (None, None)
    """
    if target is None or improvement == "neither":
        return None
    increasing = improvement == "higher"
    if target > upper:
        return "fail" if increasing else "pass"
    if target < lower:
        return "pass" if increasing else "fail"
    return "hit_and_miss"


def classify(values: Sequence[float], centre: float | Sequence[float], lower: float | Sequence[float],
             upper: float | Sequence[float], lower2: float | Sequence[float], upper2: float | Sequence[float],
             improvement: str) -> tuple[list[str], list[str], list[int], list[bool], list[bool]]:
    """One segment's point types, with what they came from (``ptd_spc_standard`` then ``ptd_calculate_point_type``).

    ``lower``/``upper`` are the process limits and ``lower2``/``upper2`` the
    two-sigma lines, one number for the segment (an XmR chart) or one a point
    (a p or u chart). A point is beyond a limit when strictly beyond it, and
    close to one when strictly beyond a two-sigma line but not beyond the limit.
    Returns (point types, special-cause types, sides of the mean, beyond a limit, close to one).
    """
    n = len(values)

    def at(x, i):
        return x[i] if isinstance(x, Sequence) else x

    side = [_sign(values[i] - at(centre, i)) for i in range(n)]
    outside = [values[i] > at(upper, i) or values[i] < at(lower, i) for i in range(n)]
    close = [not outside[i] and (values[i] < at(lower2, i) or values[i] > at(upper2, i)) for i in range(n)]
    types = special_cause_types(values, side, [int(c) for c in close], [int(o) for o in outside])
    return [point_type(t, improvement) for t in types], types, side, outside, close
