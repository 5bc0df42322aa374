"""The data-quality table of a report: what each check counts, as disclosure control left it for members."""

from __future__ import annotations

import polars as pl

from perfkit.config.settings import DEFAULT_THRESHOLD
from perfkit.errors import DisclosureError
from perfkit.indicators.quality_checks import CHECKS
from perfkit.present.disclosure import shown_label
from perfkit.present.formatting import NOT_AVAILABLE_CELL
from perfkit.present.html_tables import Cell, HtmlTable


def quality_table(quality: pl.DataFrame, period: str, audience: str, threshold: int = DEFAULT_THRESHOLD) -> HtmlTable:
    """The period's data-quality counts, each hidden where ``suppression`` says so.

    Members' counts must have been through disclosure control with the figures
    (:func:`perfkit.pipeline.aggregates.suppress_with_quality`): a count of no
    offer of an interview is one denominator less another, and a count of care
    leavers not in touch is a group of a breakdown.

    >>> q = pl.DataFrame({"period": ["2024-25 Q4"] * 3, "check": ["missing_away", "missing_no_offer", "ehcp_exceptions"],
    ...                   "count": [6.0, 3.0, None], "suppression": [None, "small", None]})
    >>> [row[1].text for row in quality_table(q, "2024-25 Q4", "members").rows]
    ['6', 'fewer than 5', 'not available']
    """
    headings = {check.id: check.heading for check in CHECKS}
    rows = quality.filter(pl.col("period") == period)
    if audience == "members" and "suppression" not in rows.columns:
        raise DisclosureError("the data-quality counts have not been through disclosure control")
    if "suppression" not in rows.columns:
        rows = rows.with_columns(suppression=pl.lit(None, pl.String))
    return HtmlTable(
        f"Data quality, {period}: records left out of the figures and why",
        ["Check", "Records"],
        [[Cell(headings[r["check"]]), Cell(_shown(r, threshold), "pk-num")] for r in rows.iter_rows(named=True)],
        "pk-quality",
    )


def _shown(row: dict, threshold: int) -> str:
    if row["count"] is None:  # a column it counts from has no value: not 0, unknown
        return NOT_AVAILABLE_CELL
    return shown_label("count", row["suppression"], threshold) if row["suppression"] else f"{row['count']:,.0f}"
