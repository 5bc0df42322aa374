"""Helpers the tests share (fixtures are in ``conftest.py``): hand-made tables, dates, the browser's path."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import polars as pl

LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def chromium_path() -> str | None:
    return os.environ.get("PERFKIT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def d(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def write_tables(directory: Path, tables: dict[str, pl.DataFrame]) -> Path:
    """Write hand-made tables as CSV, as an analyst's export would be."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.write_csv(directory / f"{name}.csv", date_format="%Y-%m-%d")
    return directory
