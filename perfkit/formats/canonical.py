"""The one writer of canonical tables: shaped to the contract, stamped with the authority, written as CSV."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from perfkit.records.contract import TABLES


def write_canonical(tables: dict[str, pl.DataFrame], out_dir: Path) -> list[Path]:
    """Write canonical tables as ``<table>.csv`` with ISO dates; return the paths.

    Nothing is written unless every table is ready (the caller checks first).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in sorted(tables):
        path = out_dir / f"{name}.csv"
        tables[name].write_csv(path, date_format="%Y-%m-%d")
        written.append(path)
    return written


def typed_table(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """A canonical table with its missing contract columns added and all-empty columns typed.

    Examples
    --------
    >>> frame = pl.DataFrame({"la_code": ["990"], "child_id": ["A"], "end_date": [None]})
    >>> typed_table("cp_plans", frame).schema["end_date"], typed_table("cp_plans", frame).width
    (Date, 8)
    """
    spec = TABLES.get(name)
    if spec is None:
        return frame
    exprs = []
    for column in spec.columns:
        dtype = pl.Date if column.kind == "date" else pl.String
        if column.name not in frame.columns:
            exprs.append(pl.lit(None, dtype=dtype).alias(column.name))
        elif frame.schema[column.name] == pl.Null:
            exprs.append(pl.col(column.name).cast(dtype))
    return frame.with_columns(exprs) if exprs else frame


def contract_tables(tables: dict[str, pl.DataFrame], la: str) -> dict[str, pl.DataFrame]:
    """Converted tables in the contract's column order, stamped with ``la_code``.

    A table with headings but no rows is left out (the contract has no empty
    tables); a contract column the format does not carry is added empty.
    """
    from perfkit.records.contract import TABLES

    out = {}
    for name, frame in tables.items():
        if frame.height == 0:
            continue
        spec = TABLES[name]
        frame = frame.with_columns(la_code=pl.lit(la))
        out[name] = frame.select([
            pl.col(c) if c in frame.columns else pl.lit(None, dtype=pl.Date if spec.column(c).kind == "date" else pl.String).alias(c)
            for c in spec.column_names
        ])
    return out
