"""Suppression markers and numbers in the published files: telling one from the other, and splitting them.

A cell of a numeric column holds a number or a marker (:data:`MARKERS`):
:func:`split_value_markers` makes the column a number, empty where the cell
held a marker, with the marker kept beside it; any other text is an error
naming the file, column, row and value.
"""

from __future__ import annotations

import polars as pl

from perfkit.errors import PublishedDataError

#: Suppression and missing-value markers found in DfE (EES, LAIT) files, with their meaning.
MARKERS: dict[str, str] = {
    "c": "confidential: suppressed to protect individuals",
    "k": "rounds to zero, but is not zero",
    "low": "rounds to zero, but is not zero (older workforce tables)",
    "u": "low reliability",
    "x": "not available",
    "z": "not applicable",
    ":": "not available (older tables)",
    "..": "not available or suppressed (older tables)",
    "~": "rounds to zero (older tables)",
    "-": "no figure (LAIT)",
}
SOURCE_ROW = "source_row"
MARKER_SUFFIX = "_marker"
NUMBER_PATTERN = r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"
EXAMPLES = 5


def _where(source: str, column: str | None = None, row: int | None = None, value: str | None = None) -> str:
    text = source
    if column is not None:
        text += f", column {column!r}"
    if row is not None:
        text += f", row {row}"
    if value is not None:
        text += f": value {value!r}"
    return text


def split_value_markers(frame: pl.DataFrame, columns: list[str], source: str = "published file") -> pl.DataFrame:
    """Turn text figures into numbers, keeping suppression markers beside them.

    Each column becomes ``Float64`` (empty where the cell held a marker or was
    blank) with a ``<column>_marker`` text column holding the marker. Any other
    text is an error naming the file, column, row and value.

    >>> f = pl.DataFrame({"source_row": [1, 2, 3], "n": ["12", "c", "low"]})
    >>> split_value_markers(f, ["n"], "example.csv").rows()
    [(1, 12.0, None), (2, None, 'c'), (3, None, 'low')]
    >>> split_value_markers(pl.DataFrame({"source_row": [1], "n": ["twelve"]}), ["n"], "example.csv")
    Traceback (most recent call last):
    ...
    perfkit.errors.PublishedDataError: example.csv, column 'n', row 1: value 'twelve': expected a number or a suppression marker (c, k, low, u, x, z, :, .., ~, -)
    """
    marker_list = list(MARKERS)
    expressions: list[pl.Expr] = []
    for name in columns:
        if name not in frame.columns:
            raise PublishedDataError(f"{_where(source, name)}: no such column; the file has {', '.join(frame.columns)}")
        text = pl.col(name).str.strip_chars()
        bad = frame.filter(
            text.is_not_null() & (text != "") & ~text.str.contains(NUMBER_PATTERN) & ~text.is_in(marker_list)
        )
        if bad.height:
            rows = bad.head(EXAMPLES)
            examples = "; ".join(
                _where(source, name, r[SOURCE_ROW] if SOURCE_ROW in bad.columns else None, r[name])
                for r in rows.iter_rows(named=True)
            )
            more = f" (and {bad.height - EXAMPLES} more)" if bad.height > EXAMPLES else ""
            raise PublishedDataError(
                f"{examples}: expected a number or a suppression marker ({', '.join(marker_list)}){more}"
            )
        expressions.append(pl.when(text.str.contains(NUMBER_PATTERN)).then(text).otherwise(None).cast(pl.Float64).alias(name))
        expressions.append(pl.when(text.is_in(marker_list)).then(text).otherwise(None).alias(name + MARKER_SUFFIX))
    out = frame.with_columns(expressions)
    # keep each marker column right beside its value column
    order: list[str] = []
    for name in frame.columns:
        order.append(name)
        if name in columns:
            order.append(name + MARKER_SUFFIX)
    return out.select(order)
