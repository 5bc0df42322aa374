"""The dates of the synthetic records, and the random draws every service's simulation makes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

AS_AT = dt.date(2025, 3, 31)
EVENTS_FROM = dt.date(2018, 4, 1)
CARE_FROM = dt.date(2008, 4, 1)


def _pick(rng: np.random.Generator, table: dict[str, float], size: int) -> np.ndarray:
    keys = list(table)
    weights = np.array([table[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=size, p=weights / weights.sum())]


def _days(start: dt.date, end: dt.date) -> np.ndarray:
    return np.arange(np.datetime64(start), np.datetime64(end) + 1, dtype="datetime64[D]")


def _to_dates(values: np.ndarray) -> pl.Series:
    """numpy day dates (NaT for unknown) as a polars Date series."""
    return pl.Series(np.asarray(values, dtype="datetime64[D]")).cast(pl.Date)


NAT = np.datetime64("NaT", "D")


def _d(value) -> dt.date | None:
    """One numpy date as a Python date (None for NaT)."""
    if value is None or np.isnat(value):
        return None
    return np.datetime64(value, "D").astype(dt.date)


def _cap(dates: np.ndarray) -> np.ndarray:
    """Dates after the extract date are not yet known: empty."""
    return np.where(dates > np.datetime64(AS_AT), NAT, dates)
