"""Disclosure control for member-facing tables and charts.

Counts from 1 to ``threshold - 1`` (1 to 4 by default) are shown as "fewer
than 5"; percentages, rates and ratios built on such a count (numerator or
denominator) are withheld. Secondary suppression: where a breakdown has
exactly one suppressed group, the next smallest group is suppressed too, so
the hidden figure cannot be recovered by subtracting the others from the
total. Figures that are not about children (the workforce) are left alone.
"""

from __future__ import annotations

import polars as pl

from perfkit.catalogue import Catalogue, load_catalogue

DEFAULT_THRESHOLD = 5
SMALL = "fewer than {threshold}"
WITHHELD = "withheld"


def _small(column: str, threshold: int) -> pl.Expr:
    return pl.col(column).is_not_null() & (pl.col(column) > 0) & (pl.col(column) < threshold)


def suppress(frame: pl.DataFrame, threshold: int = DEFAULT_THRESHOLD, catalogue: Catalogue | None = None) -> pl.DataFrame:
    """Mark and blank what members may not see in a tidy measures frame.

    Adds ``suppressed`` (the count is shown as "fewer than N") and ``withheld``
    (the value is not shown); blanks ``numerator``, ``denominator`` and
    ``value`` where they may not be shown.

    Examples
    --------
    >>> f = pl.DataFrame({"la_code": ["990"] * 3, "period": ["p"] * 3, "indicator": ["missing_episodes"] * 3,
    ...     "breakdown": ["all", "sex", "sex"], "group": ["all", "Female", "Male"],
    ...     "numerator": [12.0, 9.0, 3.0], "denominator": [None, None, None], "value": [12.0, 9.0, 3.0]})
    >>> suppress(f).select("group", "value", "suppressed").rows()
    [('all', 12.0, False), ('Female', None, True), ('Male', None, True)]
    """
    catalogue = catalogue or load_catalogue()
    exempt = [i.id for i in catalogue.indicators if not i.disclosive]
    counted = {i.id for i in catalogue.indicators if i.unit != "rate_per_10k" and i.denominator}
    protected = ~pl.col("indicator").is_in(exempt)
    small_denominator = pl.col("indicator").is_in(list(counted)) & _small("denominator", threshold)
    marked = frame.with_columns(
        primary=protected & (_small("numerator", threshold) | small_denominator),
    )
    # secondary: a breakdown with exactly one suppressed group also hides its next smallest group
    cell = ["la_code", "period", "indicator", "breakdown"]
    ranked = marked.with_columns(
        _hidden=pl.col("primary").sum().over(cell),
        _rank=pl.col("numerator").rank("ordinal").over(cell, pl.col("primary")),
    )
    secondary = (
        protected & (pl.col("breakdown") != "all") & (pl.col("_hidden") == 1) & ~pl.col("primary")
        & (pl.col("_rank") == 1) & pl.col("numerator").is_not_null()
    )
    hidden = pl.col("primary") | secondary
    return (
        ranked.with_columns(suppressed=hidden.fill_null(False))
        .with_columns(
            withheld=pl.col("suppressed") | pl.col("value").is_null(),
            numerator=pl.when(pl.col("suppressed")).then(None).otherwise(pl.col("numerator")),
            denominator=pl.when(pl.col("suppressed")).then(None).otherwise(pl.col("denominator")),
            value=pl.when(pl.col("suppressed")).then(None).otherwise(pl.col("value")),
        )
        .drop("primary", "_hidden", "_rank")
    )


def label(threshold: int = DEFAULT_THRESHOLD) -> str:
    """The words shown in place of a small count.

    >>> label()
    'fewer than 5'
    """
    return SMALL.format(threshold=threshold)
