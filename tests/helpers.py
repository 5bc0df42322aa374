"""Helpers the tests share (fixtures are in ``conftest.py``): hand-made tables, dates, the browser's path."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def chromium_path() -> str | None:
    from perfkit.pipeline.printing import find_browser

    return find_browser()


def d(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def write_tables(directory: Path, tables: dict[str, pl.DataFrame]) -> Path:
    """Write hand-made tables as CSV, as an analyst's export would be."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.write_csv(directory / f"{name}.csv", date_format="%Y-%m-%d")
    return directory


def write(path: Path, text: str, encoding: str = "utf-8", bom: bool = False) -> Path:
    """Write a hand-made file (its folders made), in ``encoding``, with a byte-order mark where asked."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def needs_published():
    """Skip where the published DfE and LAIT files are not beside the project (they are never in it)."""
    from perfkit.config.paths import published_dfe_dir, published_lait_dir, shared_dir

    return pytest.mark.skipif(
        not (published_dfe_dir().is_dir() and published_lait_dir().is_dir()),
        reason=f"the published DfE files are not here ({shared_dir()} is absent): they live beside the project, not in it",
    )
