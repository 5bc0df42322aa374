"""Read raw table files: a dataset's CSV or Parquet file found and read as it is, every CSV column as text.

A byte-order mark is dropped and a CSV in Windows cp1252 read with a warning;
a file that cannot be read as a table at all raises :class:`UnreadableFile`.
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from perfkit.errors import PerfkitError
from perfkit.records.problems import Problem


def find_table_file(directory: Path, name: str) -> Path | None:
    for suffix in (".parquet", ".csv"):
        candidate = directory / f"{name}{suffix}"
        if candidate.exists():
            return candidate
    return None


class UnreadableFile(PerfkitError):
    """A file that cannot be read as a table at all."""


def read_raw(path: Path, contents: bytes | None = None) -> tuple[pl.DataFrame, list[Problem]]:
    """Read a table file with every column as text, as it is in the file.

    A byte-order mark is dropped; a CSV that is not UTF-8 but decodes as
    Windows cp1252 (Excel's "Save As") is read with a warning. ``contents``:
    the file's bytes, if they have been read already (they are what is parsed).
    """
    if path.suffix == ".parquet":
        try:
            frame = pl.read_parquet(path if contents is None else io.BytesIO(contents))
        except Exception as exc:  # noqa: BLE001 - any reader failure is reported with the file
            raise UnreadableFile(f"cannot be read as Parquet ({type(exc).__name__}): expected a Parquet table") from None
        return _as_read(frame), []
    data = path.read_bytes() if contents is None else contents
    if not data.strip():
        raise UnreadableFile("the file is empty: expected a header row and data rows")
    warnings: list[Problem] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n")
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise UnreadableFile(
                f"line {row + 1} holds bytes that are neither UTF-8 nor Windows cp1252 "
                f"({data[exc.start:exc.start + 4]!r}): expected a UTF-8 CSV"
            ) from None
        warnings.append(Problem(str(path), "the file is not UTF-8; read it as Windows cp1252 (Excel's 'Save As'); "
                                           "save as CSV UTF-8 to be sure", row=max(row, 1), severity="warning"))
    if "\x00" in text[:65536]:
        raise UnreadableFile("the file holds binary data (NUL bytes): expected a CSV text table")
    try:
        frame = pl.read_csv(text.encode("utf-8"), infer_schema=False, raise_if_empty=False, truncate_ragged_lines=False)
    except Exception as exc:  # noqa: BLE001 - reported with the file, never as a traceback
        message = str(exc).splitlines()[0][:300]
        raise UnreadableFile(f"cannot be read as CSV ({message}): expected comma-separated values with one header row") from None
    names = [c.lstrip("\ufeff").strip() for c in frame.columns]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise UnreadableFile(f"the header names {', '.join(repr(d) for d in duplicated)} more than once: expected each column once")
    return frame.rename(dict(zip(frame.columns, names))), warnings


PARQUET_TYPES_KEPT = (pl.Date, pl.Float64, pl.Float32, pl.Int64, pl.Int32, pl.Int16, pl.Int8, pl.UInt32, pl.UInt64, pl.String)


def _as_read(frame: pl.DataFrame) -> pl.DataFrame:
    """A Parquet file's columns as perfkit reads them: typed columns kept (dates stay dates: no
    round trip through text), timestamps as dates, anything else as text."""
    return frame.with_columns(
        [pl.col(n).cast(pl.Date) if dtype == pl.Datetime else pl.col(n) if dtype in PARQUET_TYPES_KEPT else pl.col(n).cast(pl.String)
         for n, dtype in frame.schema.items()]
    )
