"""Compute catalogue indicators for authorities and periods as one tidy table.

The output has one row per authority, period and indicator::

    la_code, period, indicator, breakdown, group, numerator, denominator, value

``breakdown`` and ``group`` are ``all`` for the headline figure. Values are
unrounded; display rounding happens in :mod:`perfkit.formatting`.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Sequence

import polars as pl

from perfkit.catalogue import POPULATION, Catalogue, Indicator, load_catalogue
from perfkit.loading import Dataset
from perfkit.measures import REGISTRY, MeasureInput
from perfkit.periods import Period
from perfkit.workdays import WorkingDayCalendar, calendar_for

OUTPUT_SCHEMA = {
    "la_code": pl.String,
    "period": pl.String,
    "indicator": pl.String,
    "breakdown": pl.String,
    "group": pl.String,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "value": pl.Float64,
}


def windows_frame(periods: Sequence[Period]) -> pl.DataFrame:
    """The reporting windows of ``periods``: quarter bounds, rolling-12 start, population year.

    >>> windows_frame([Period.parse("2022-23 Q2")]).row(0)
    ('2022-23 Q2', 8089, datetime.date(2022, 7, 1), datetime.date(2022, 9, 30), datetime.date(2021, 10, 1), 2022)
    """
    unique = sorted(set(periods))
    return pl.DataFrame(
        {
            "period": [p.label for p in unique],
            "period_index": [p.index for p in unique],
            "window_start": [p.start for p in unique],
            "window_end": [p.end for p in unique],
            "window_r12_start": [p.rolling12_start for p in unique],
            "population_year": [p.fy_start for p in unique],
        },
        schema_overrides={"period_index": pl.Int64, "population_year": pl.Int64},
    )


def population_for(grid: pl.DataFrame, population: pl.DataFrame) -> pl.DataFrame:
    """Attach the 0-17 population for each authority and period.

    A period in financial year Y-1 to Y uses the mid-(Y-1) estimate; where that
    year is missing, the latest earlier one.
    """
    estimates = population.select(
        "la_code", pl.col("year").cast(pl.Int64), pl.col("population_0_17").cast(pl.Float64)
    ).sort("year")
    return grid.sort("population_year").join_asof(
        estimates, left_on="population_year", right_on="year", by="la_code", strategy="backward",
        check_sortedness=False,
    ).drop("year")


def finish_values(frame: pl.DataFrame, indicator: Indicator) -> pl.DataFrame:
    """Compute ``value`` from numerator and denominator by the indicator's unit.

    A zero denominator gives an empty value, never 0 and never an error.
    """
    numerator, denominator = pl.col("numerator"), pl.col("denominator")
    safe = pl.when(denominator > 0)
    if indicator.unit == "count":
        value = numerator
    elif indicator.unit == "percent":
        value = safe.then(numerator / denominator * 100)
    elif indicator.unit == "rate_per_10k":
        value = safe.then(numerator / denominator * 10_000)
    else:
        value = safe.then(numerator / denominator)
    return frame.with_columns(value=value.cast(pl.Float64))


def available(data: Dataset, catalogue: Catalogue | None = None) -> list[Indicator]:
    """Indicators whose tables are all present in ``data``."""
    catalogue = catalogue or load_catalogue()
    return [
        i for i in catalogue.indicators
        if i.id in REGISTRY and all(data.has(t) for t in REGISTRY[i.id].tables)
    ]


def dataset_calendar(data: Dataset, closure_days: Iterable[dt.date] = ()) -> WorkingDayCalendar:
    """A working-day calendar spanning every year of the dataset's referrals and assessments."""
    years: list[dt.date] = []
    for name, column in (("assessments", "start_date"), ("assessments", "authorised_date"), ("referrals", "referral_date")):
        if data.has(name):
            series = data.tables[name][column].drop_nulls()
            if series.len():
                years += [series.min(), series.max()]
    return calendar_for(years, closure_days)


def compute(
    data: Dataset,
    periods: Sequence[Period],
    authorities: Sequence[str] | None = None,
    indicators: Sequence[str] | None = None,
    closure_days: Iterable[dt.date] = (),
    catalogue: Catalogue | None = None,
) -> pl.DataFrame:
    """Every requested indicator for every authority and period, in one tidy frame.

    Parameters
    ----------
    data : Dataset
        Validated tables (see :func:`perfkit.loading.load_dataset`).
    periods : sequence of Period
        Computed together in one pass over the data.
    authorities : sequence of str, optional
        Three-digit LA numbers; every authority in ``children`` by default.
    indicators : sequence of str, optional
        Catalogue ids; every indicator the data's tables allow by default.
    closure_days : iterable of date
        Local closure days, not counted as working days.
    """
    catalogue = catalogue or load_catalogue()
    authorities = list(authorities) if authorities is not None else data.authorities
    if authorities != data.authorities:
        data = data.for_authorities(authorities)
    chosen = [catalogue[i] for i in indicators] if indicators is not None else available(data, catalogue)
    windows = windows_frame(periods)
    grid = pl.DataFrame({"la_code": authorities}, schema={"la_code": pl.String}).join(windows, how="cross")
    if data.has("population"):
        grid = population_for(grid, data.table("population"))
    else:
        grid = grid.with_columns(pl.lit(None, dtype=pl.Float64).alias(POPULATION))
    measure_input = MeasureInput(data, windows, dataset_calendar(data, closure_days))

    frames = []
    for indicator in chosen:
        counted = REGISTRY[indicator.id].function(measure_input)
        if "denominator" not in counted.columns:
            counted = counted.with_columns(denominator=pl.lit(None, dtype=pl.Float64))
        joined = grid.join(counted, on=["la_code", "period"], how="left")
        if indicator.denominator == POPULATION:
            joined = joined.with_columns(denominator=pl.col(POPULATION))
        elif indicator.denominator:
            joined = joined.with_columns(pl.col("denominator").fill_null(0.0))
        joined = joined.with_columns(
            pl.col("numerator").fill_null(0.0),
            indicator=pl.lit(indicator.id),
            breakdown=pl.lit("all"),
            group=pl.lit("all"),
        )
        frames.append(finish_values(joined, indicator).select(list(OUTPUT_SCHEMA)))
    if not frames:
        return pl.DataFrame(schema=OUTPUT_SCHEMA)
    order = {i.id: n for n, i in enumerate(catalogue.indicators)}
    return (
        pl.concat(frames)
        .with_columns(_order=pl.col("indicator").replace_strict(order, return_dtype=pl.Int64))
        .sort("la_code", "_order", "period")
        .drop("_order")
    )
