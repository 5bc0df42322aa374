"""Read a CSV file, or every sheet of a workbook, as a grid of text cells.

- **Byte-order marks** (UTF-8 and UTF-16) are removed.
- **Encoding**: text is read as UTF-8; if it is not valid UTF-8 it is read
  as Windows-1252, which is what Excel's "Save As CSV" writes on English
  Windows. Bytes that are neither give a problem naming the file.
- **Workbooks** are checked before they are opened
  (:func:`perfkit.formats.workbooks.check_workbook`).
"""

from __future__ import annotations

import codecs
from pathlib import Path

import polars as pl

from perfkit.errors import ContractError
from perfkit.formats.workbooks import check_workbook
from perfkit.records.problems import Problem


def decode_text(data: bytes, file: str) -> str:
    """Bytes of a text file as text: BOM removed, UTF-8 else Windows-1252.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    file : str
        The file's name, for the message.

    Raises
    ------
    ContractError
        If the bytes are neither UTF-8 nor Windows-1252.

    Examples
    --------
    >>> decode_text(b"\\xef\\xbb\\xbfChild Unique ID", "a.csv")
    'Child Unique ID'
    >>> decode_text("Zoë".encode("cp1252"), "a.csv")
    'Zoë'
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ContractError([Problem(
            file,
            f"cannot be read as text: byte 0x{data[exc.start]:02x} at position {exc.start} is neither UTF-8 "
            "nor Windows-1252; expected a CSV saved as 'CSV UTF-8' or 'CSV (Comma delimited)'",
        )]) from None


def read_csv_grid(path: Path) -> pl.DataFrame:
    """Every cell of a CSV file as text, heading row included, no inference.

    Raises
    ------
    ContractError
        If the file cannot be read or parsed.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ContractError([Problem(str(path), f"cannot be read: {exc.strerror or exc}")]) from None
    text = decode_text(data, str(path))
    if not text.strip():
        return pl.DataFrame()
    separator = "\t" if "\t" in text.split("\n", 1)[0] and "," not in text.split("\n", 1)[0] else ","
    try:
        return pl.read_csv(
            text.replace("\r\n", "\n").encode("utf-8"), has_header=False, infer_schema=False,
            raise_if_empty=False, truncate_ragged_lines=True, separator=separator,
        )
    except Exception as exc:  # noqa: BLE001 - any parser failure becomes a named problem
        raise ContractError([Problem(str(path), f"cannot be read as CSV: {exc}")]) from None


def read_xlsx_grids(path: Path) -> dict[str, pl.DataFrame]:
    """Every sheet of a workbook as text cells (fastexcel engine), by sheet name.

    Real date cells read as ``YYYY-MM-DD 00:00:00``; whole numbers as ``123``.
    The file is checked first (:func:`check_workbook`).

    Raises
    ------
    ContractError
        If the file is not a workbook, would inflate too far, or cannot be opened.
    """
    check_workbook(Path(path))
    try:
        sheets = pl.read_excel(
            path, sheet_id=0, engine="calamine", has_header=False, infer_schema_length=0,
            drop_empty_rows=False, drop_empty_cols=False, raise_if_empty=False,
        )
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a reader's Rust panic (a BaseException) too: named, no traceback
        message = " ".join((str(exc).strip().splitlines() or [type(exc).__name__])[0].split())
        raise ContractError([Problem(str(path), f"cannot be read as an Excel workbook ({message}): "
                                                "expected an .xlsx workbook saved by Excel")]) from None
    return {name: frame.with_columns(pl.all().cast(pl.String)) for name, frame in sheets.items()}
