"""Rounding of figures and comparisons as displayed: one rule for reports, benchmarks, targets and words.

Values are stored unrounded. Display rounds half up on exact decimals (DfE's
convention: 57.45 shows as 57.5), to the indicator's declared decimal places,
and every comparison (against a target, last year, England) is made on the
figures as displayed, so words and numbers never disagree.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: float | None, decimals: int) -> Decimal | None:
    """Round the decimal written form of ``value`` half up.

    >>> round_half_up(57.45, 1), round_half_up(2.5, 0), round_half_up(0.125, 2)
    (Decimal('57.5'), Decimal('3'), Decimal('0.13'))
    >>> round_half_up(None, 1) is None
    True
    """
    if value is None or value != value:  # None or NaN
        return None
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)


def compare(a: float | None, b: float | None, decimals: int) -> int | None:
    """Compare two values as displayed: 1 if ``a`` shows higher, -1 lower, 0 the same.

    Comparing the displayed figures keeps words and numbers in step: two
    values that both show as 45.0 are "unchanged".

    >>> compare(45.04, 44.96, 1), compare(45.06, 44.99, 1), compare(None, 1.0, 1)
    (0, 1, None)
    """
    ra, rb = round_half_up(a, decimals), round_half_up(b, decimals)
    if ra is None or rb is None:
        return None
    return (ra > rb) - (ra < rb)
