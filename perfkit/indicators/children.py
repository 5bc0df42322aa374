"""Facts about a child that every indicator and importer works out the same way: age, and UASC on a date."""

from __future__ import annotations

import polars as pl


def age_on(date: pl.Expr, birth: pl.Expr) -> pl.Expr:
    """Age in whole years on ``date`` of a child born on ``birth``: the one rule for every age perfkit works out.

    A child born on 29 February turns a year older on 1 March in common years
    (the anniversary of a 29 February birth falls after 28 February), as in
    English law (Family Law Reform Act 1969, section 9).

    >>> import datetime as dt
    >>> f = pl.DataFrame({"d": [dt.date(2024, 2, 28), dt.date(2024, 2, 29), dt.date(2022, 9, 30)],
    ...                   "b": [dt.date(2008, 2, 29), dt.date(2008, 2, 29), dt.date(2006, 8, 1)]})
    >>> f.select(age_on(pl.col("d"), pl.col("b"))).to_series().to_list()
    [15, 16, 16]
    """
    def month_day(value: pl.Expr) -> pl.Expr:
        return value.dt.month().cast(pl.Int32) * 100 + value.dt.day().cast(pl.Int32)

    before_birthday = month_day(date) < month_day(birth)
    return date.dt.year().cast(pl.Int32) - birth.dt.year().cast(pl.Int32) - before_birthday.cast(pl.Int32)


def uasc_on(date: pl.Expr, uasc: pl.Expr = pl.col("__uasc"), ceased: pl.Expr = pl.col("__uasc_ceased")) -> pl.Expr:
    """Whether a child is an unaccompanied asylum-seeking child on ``date``: flagged (the children table's
    ``uasc``, "Y" if ever), and not yet past the day UASC ceased (``uasc_ceased``: an 18th birthday, or
    leave to remain). Empty where the flag is not recorded.

    >>> import datetime as dt
    >>> f = pl.DataFrame({"u": ["Y", "Y", "N", None], "c": [None, dt.date(2024, 5, 1), None, None]},
    ...                  schema_overrides={"c": pl.Date})
    >>> f.select(uasc_on(pl.lit(dt.date(2024, 6, 30)), pl.col("u"), pl.col("c"))).to_series().to_list()
    [True, False, False, None]
    """
    return (uasc == "Y") & (ceased.is_null() | (ceased > date))
