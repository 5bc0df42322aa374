"""How figures are written for members: numbers with their units, and text made safe for Markdown.

The rounding itself (half up on exact decimals) is a rule of the figures, in
:mod:`perfkit.indicators.rounding`.
"""

from __future__ import annotations

from perfkit.indicators.catalogue import MEDIAN_UNITS, Indicator
from perfkit.indicators.rounding import round_half_up

NO_FIGURE = "no figure"
COUNTED = "Number"
"""The column beside a figure that says how many children (or events) it is counted from."""
NOT_AVAILABLE_CELL = "not available"
"""A cell whose figure the data cannot give (the reason is written once, under the headline table)."""


def format_number(value: float | None, decimals: int) -> str:
    """``1234.5`` as ``"1,234.5"``; empty values as ``"no figure"``.

    >>> format_number(1234.449, 1), format_number(None, 0)
    ('1,234.4', 'no figure')
    """
    rounded = round_half_up(value, decimals)
    if rounded is None:
        return NO_FIGURE
    return f"{rounded:,.{decimals}f}"


def _count(value: float) -> str:
    """A count as written beside a figure: whole numbers with thousands commas, FTE to one decimal."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def count_words(indicator: Indicator, numerator: float | None, denominator: float | None) -> str:
    """What a rate, percentage or ratio is counted from, as members read it beside the figure: how many
    children (or episodes, plans, ...). Empty for a count (the figure is the count) and a median.

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> c = load_catalogue()
    >>> count_words(c["cpp_rate"], 300, 63488), count_words(c["ehcp_20wk_pct"], 59, 107)
    ('300 children on a plan', '59 of 107')
    >>> count_words(c["missing_episodes_per_child"], 135, 31), count_words(c["contacts"], 1883, None)
    ('135 over 31', '')
    """
    if numerator is None or indicator.unit in ("count", *MEDIAN_UNITS):
        return ""
    if indicator.unit == "rate_per_10k":
        return f"{_count(numerator)} {indicator.noun}"
    if denominator is None:
        return ""
    return f"{_count(numerator)} {'of' if indicator.unit == 'percent' else 'over'} {_count(denominator)}"


def count_heading(indicator: Indicator) -> str:
    """The heading of a column of a rate's groups written as counts (a rate needs each group's population,
    which no return gives): what the rate counts, and when, without "per 10,000".

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> count_heading(load_catalogue()["cpp_rate"])
    'Children on a plan (at period end), number'
    """
    when = indicator.title[indicator.title.rfind(" ("):] if indicator.title.endswith(")") else ""
    return f"{indicator.noun[:1].upper()}{indicator.noun[1:]}{when}, number"


def format_value(value: float | None, indicator: Indicator) -> str:
    """A value with its unit, as members read it: ``85.2%``, ``512.3 per 10,000``."""
    text = format_number(value, indicator.decimals)
    if text == NO_FIGURE:
        return text
    return text + indicator.unit_suffix


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
