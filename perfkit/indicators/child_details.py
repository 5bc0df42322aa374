"""Join the rows a measure counts to their child's details (sex, date of birth, ethnicity, district, UASC)."""

from __future__ import annotations

import polars as pl

from perfkit.records.dataset import Dataset, child_key

CHILD_DETAILS = {"sex": "sex", "date_of_birth": "date_of_birth", "ethnicity": "ethnicity",
                 "__child_district": "district", "__uasc": "uasc", "__uasc_ceased": "uasc_ceased"}
"""Columns :func:`with_children` adds, and the children table's column each comes from."""


def with_children(rows: pl.DataFrame, data: Dataset, details: tuple[str, ...] = tuple(CHILD_DETAILS)) -> pl.DataFrame:
    """Join each row to its child's details: sex, date of birth, ethnicity, district and UASC flag.

    ``details`` names the ones wanted (see ``CHILD_DETAILS``); those the rows
    already have are not joined again. A row whose child is not in the
    children table gets empty details.

    Rows meet children through a 64-bit key made from ``la_code`` and
    ``child_id`` (:func:`child_key`), a third faster than matching the texts.
    The match is exact: if two children share a key, or a row's key is a
    child's but its ids are not, the texts are matched instead.

    >>> from pathlib import Path
    >>> children = pl.DataFrame({"la_code": ["990", "991"], "child_id": ["a", "a"], "sex": ["F", "M"]})
    >>> rows = pl.DataFrame({"la_code": ["991", "990", "990"], "child_id": ["a", "a", "b"]})
    >>> with_children(rows, Dataset(Path("."), {"children": children}), ("sex",))["sex"].to_list()
    ['M', 'F', None]
    """
    wanted = [name for name in details if name not in rows.columns]
    if not wanted:
        return rows
    table = data.table("children")
    children = table.select(  # an optional column the table lacks is empty for every child
        "la_code", "child_id", *[(pl.col(CHILD_DETAILS[name]) if CHILD_DETAILS[name] in table.columns
                                  else pl.lit(None, pl.Date if name == "__uasc_ceased" else pl.String)).alias(name)
                                 for name in wanted]
    )
    keys, unique = data.child_keys()
    if unique:
        keyed = children.with_columns(__key=keys).rename({"la_code": "__la_code", "child_id": "__child_id"})
        rows = rows.with_columns(__key=child_key())
        if rows.height < keyed.height:  # the rows' children first: the join then looks them up among a few
            keyed = keyed.filter(pl.col("__key").is_in(rows["__key"].implode()))
        joined = rows.join(keyed, on="__key", how="left")
        same = pl.col("__child_id").is_null() | (
            (pl.col("__child_id") == pl.col("child_id")) & (pl.col("__la_code") == pl.col("la_code")))
        if joined.select(same.all()).item():
            return joined.drop("__key", "__la_code", "__child_id")
    # two children share a key, or a child missing from the table has a child's key (hash collisions,
    # about one in a million datasets): the texts themselves are matched
    return rows.drop("__key", strict=False).join(children, on=["la_code", "child_id"], how="left")
