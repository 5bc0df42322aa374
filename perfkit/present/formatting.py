"""Display rounding and wording of figures.

Values are stored unrounded. Display rounds half up on exact decimals (DfE's
convention: 57.45 shows as 57.5), to the indicator's declared decimal places.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from perfkit.indicators.catalogue import Indicator

NO_FIGURE = "no figure"


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


def format_number(value: float | None, decimals: int) -> str:
    """``1234.5`` as ``"1,234.5"``; empty values as ``"no figure"``.

    >>> format_number(1234.449, 1), format_number(None, 0)
    ('1,234.4', 'no figure')
    """
    rounded = round_half_up(value, decimals)
    if rounded is None:
        return NO_FIGURE
    return f"{rounded:,.{decimals}f}"


def format_value(value: float | None, indicator: Indicator) -> str:
    """A value with its unit, as members read it: ``85.2%``, ``512.3 per 10,000``."""
    text = format_number(value, indicator.decimals)
    if text == NO_FIGURE:
        return text
    return text + indicator.unit_suffix


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


_MARKDOWN_PUNCTUATION = "\\`*_{}[]()#+-.!|~\"'=:$"


def markdown_text(text: object) -> str:
    """Text from parameters or data made safe for Markdown: shown as written, never as markup or HTML.

    Markdown punctuation is escaped with a backslash, ``<``, ``>`` and ``&``
    become HTML entities, and line breaks become spaces (no new heading or
    list can start).

    >>> markdown_text("Zed <img src=x onerror=alert(6)> [z](javascript:alert(7))")
    'Zed &lt;img src\\\\=x onerror\\\\=alert\\\\(6\\\\)&gt; \\\\[z\\\\]\\\\(javascript\\\\:alert\\\\(7\\\\)\\\\)'
    >>> markdown_text("# Heading\\n* item")
    '\\\\# Heading \\\\* item'
    """
    from html import escape

    flat = " ".join(str(text).split())
    return escape("".join(f"\\{c}" if c in _MARKDOWN_PUNCTUATION else c for c in flat), quote=False)
