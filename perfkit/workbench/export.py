"""The explorer's exports: the tables on screen and the records behind them, as CSV files and one Excel
workbook, written whole into a folder the analyst chooses (never half a file: each is written beside its
name and renamed)."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import polars as pl


def file_stem(*parts: str) -> str:
    """A file name from the choices it holds, with nothing a file system could misread.

    >>> file_stem("990", "rereferral_pct", "age_band", "2023-24 Q1", "2024-25 Q4")
    '990_rereferral_pct_age_band_2023-24-Q1_2024-25-Q4'
    """
    return "_".join(re.sub(r"[^A-Za-z0-9._-]+", "-", p).strip("-") for p in parts if p)


def _written(path: Path, write) -> Path:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def export_tables(tables: dict[str, pl.DataFrame], folder: str | Path, stem: str) -> list[Path]:
    """Each table as ``<stem>_<name>.csv``, and all of them as the sheets of ``<stem>.xlsx``.

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> [p.name for p in export_tables({"figures": pl.DataFrame({"group": ["A"], "value": [1.5]})}, folder, "990_x")]
    ['990_x_figures.csv', '990_x.xlsx']
    """
    import xlsxwriter

    folder = Path(folder).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    written = [_written(folder / f"{stem}_{name}.csv", table.write_csv) for name, table in tables.items()]

    def workbook(path: str) -> None:
        with xlsxwriter.Workbook(path) as book:
            for name, table in tables.items():
                table.write_excel(workbook=book, worksheet=name[:31].capitalize(), autofit=True)

    written.append(_written(folder / f"{stem}.xlsx", workbook))
    return written
