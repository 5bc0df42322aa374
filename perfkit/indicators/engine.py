"""Compute catalogue indicators for authorities and periods as one tidy table.

The output has one row per authority, period and indicator::

    la_code, period, indicator, breakdown, group, numerator, denominator, value

``breakdown`` and ``group`` are ``all`` for the headline figure. Values are
unrounded; display rounding happens in :mod:`perfkit.present.formatting`.
A figure the data cannot support has one headline row with no numerator,
denominator or value and a ``reason`` (see :mod:`perfkit.indicators.availability`);
``reason`` is empty on every other row.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import polars as pl

from perfkit.errors import ContractError
from perfkit.indicators.availability import unavailable
from perfkit.indicators.breakdowns import ALL, CHILD_BREAKDOWNS, group_expression
from perfkit.indicators.catalogue import (
    MEDIAN_UNITS,
    POPULATION,
    Catalogue,
    Indicator,
    load_catalogue,
)
from perfkit.indicators.child_details import with_children
from perfkit.indicators.measure_base import (
    COUNTED_COLUMNS,
    KEYS,
    MeasureInput,
    MeasureRows,
)
from perfkit.indicators.measures import REGISTRY
from perfkit.indicators.periods import MONTH_ALONE, Month, Period, Window, as_window, check_period, parse_period
from perfkit.indicators.workdays import WorkingDayCalendar, calendar_for
from perfkit.records.checks import is_id_column
from perfkit.records.contract import TABLES
from perfkit.records.dataset import AUTHORITIES_PER_PART, Dataset, authority_groups
from perfkit.records.loading import load_dataset
from perfkit.records.problems import Problem

OUTPUT_SCHEMA = {
    "la_code": pl.String,
    "period": pl.String,
    "indicator": pl.String,
    "breakdown": pl.String,
    "group": pl.String,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "value": pl.Float64,
    "reason": pl.String,
}


def windows_frame(periods: Sequence[Period | Month | Window | str]) -> pl.DataFrame:
    """The reporting windows: bounds, rolling-12 start and population year, one row each.

    >>> windows_frame([Period.parse("2022-23 Q2")]).row(0)
    ('2022-23 Q2', 'quarter', datetime.date(2022, 7, 1), datetime.date(2022, 9, 30), datetime.date(2021, 10, 1), 2022)
    """
    # in order of their last day (quarters and months may be asked for together), then kind
    unique = sorted({as_window(p) for p in periods}, key=lambda w: (w.end, w.kind, w.label))
    labels = [w.label for w in unique]
    # an enumeration: rows carry a small integer per window, not its label, through joins and grouping
    return pl.DataFrame(
        {
            "period": pl.Series(labels, dtype=pl.Enum(labels)),
            "window_kind": [w.kind for w in unique],
            "window_start": [w.start for w in unique],
            "window_end": [w.end for w in unique],
            # a figure over a rolling 12 months reads the quarter (or month) alone in an "alone" window
            "window_r12_start": [w.start if w.kind == "alone" else w.period.rolling12_start for w in unique],
            "population_year": [w.period.fy_start for w in unique],
        },
        schema_overrides={"population_year": pl.Int64},
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


def finish_values(frame: pl.DataFrame, units: dict[str, str]) -> pl.DataFrame:
    """Compute ``value`` from numerator and denominator by each row's indicator's unit (``units``: id to unit).

    A zero denominator gives an empty value, never 0 and never an error. A
    measure that computes its own value (a median, in working days) keeps it.

    >>> frame = pl.DataFrame({"indicator": ["a", "b", "b", "c"], "numerator": [3.0, 1.0, 1.0, 7.0],
    ...     "denominator": [None, 4.0, 0.0, 10.0], "value": [None, None, None, 5.0]})
    >>> finish_values(frame, {"a": "count", "b": "percent", "c": "working_days"})["value"].to_list()
    [3.0, 25.0, None, 5.0]
    """
    numerator, denominator, unit = pl.col("numerator"), pl.col("denominator"), pl.col("indicator").replace_strict(units)
    ratio = pl.when(denominator > 0).then(numerator / denominator)
    value = (
        pl.when(unit.is_in(MEDIAN_UNITS)).then(pl.col("value"))
        .when(unit == "count").then(numerator)
        .when(unit == "percent").then(ratio * 100)
        .when(unit == "rate_per_10k").then(ratio * 10_000)
        .otherwise(ratio)
    )
    return frame.with_columns(value=value.cast(pl.Float64))


def dataset_calendar(data: Dataset, closure_days: Iterable[dt.date] = ()) -> WorkingDayCalendar:
    """A working-day calendar spanning every year of the dataset's referrals and assessments."""
    years: list[dt.date] = []
    for name, column in (("assessments", "start_date"), ("assessments", "authorised_date"), ("referrals", "referral_date")):
        if data.has(name):
            series = data.tables[name][column].drop_nulls()
            if series.len():
                years += [series.min(), series.max()]
    return calendar_for(years, closure_days)


def aggregations(result: MeasureRows) -> dict[str, pl.Expr]:
    return {
        "numerator": result.numerator.cast(pl.Float64),
        "denominator": (result.denominator if result.denominator is not None else pl.lit(None)).cast(pl.Float64),
        "value": (result.value if result.value is not None else pl.lit(None)).cast(pl.Float64),
    }


def aggregate_breakdowns(rows: pl.DataFrame, result: MeasureRows, breakdowns: list[str]) -> pl.DataFrame:
    """Every breakdown of ``rows`` in one grouping: the rows once per breakdown, each with its group.

    The same figures as grouping by each breakdown in turn, in one step instead
    of one per breakdown (a report's breakdowns were some 200 small groupings).

    >>> rows = pl.DataFrame({"la_code": ["990"] * 3, "period": ["Q1"] * 3, "sex": ["F", "M", "F"], "contact_source": ["1A", "6", "6"]})
    >>> counted = aggregate_breakdowns(rows, MeasureRows(rows, pl.len()), ["sex", "contact_source"])
    >>> counted.sort("breakdown", "group").select("breakdown", "group", "numerator").rows()
    [('contact_source', 'Individual', 1.0), ('contact_source', 'Police', 2.0), ('sex', 'Female', 2.0), ('sex', 'Male', 1.0)]
    """
    stacked = pl.concat([
        rows.with_columns(group=group_expression(b, rows.columns).cast(pl.String), breakdown=pl.lit(b, dtype=pl.String))
        for b in breakdowns
    ])
    return stacked.group_by([*KEYS, "breakdown", "group"]).agg(**aggregations(result))


def breakdowns_for(indicator: Indicator, rows: pl.DataFrame, requested: bool | Iterable[str]) -> list[str]:
    """The breakdowns to compute for ``indicator``: those requested that apply to it."""
    if requested is True:
        wanted = list(indicator.breakdowns)
    elif not requested:
        wanted = []
    else:
        wanted = [b for b in requested if b in indicator.breakdowns]
    if "child_id" not in rows.columns:
        wanted = [b for b in wanted if b not in CHILD_BREAKDOWNS]
    return [ALL, *wanted]



AUTHORITIES_PER_PASS = AUTHORITIES_PER_PART
"""How many authorities are counted together (see :func:`compute`)."""
PARTS_AT_ONCE = 2
"""How many parts are counted side by side (threads: polars releases the interpreter lock)."""


def without_record_ids(data: Dataset) -> Dataset:
    """The dataset without the ids of records (contact, referral, plan, ...), which no measure counts by.

    Children are counted by ``child_id``, which stays. Dropping the others
    means the engine never carries them through its joins (and never copies them).

    >>> data = Dataset(Path("."), {"contacts": pl.DataFrame({"la_code": ["990"], "child_id": ["c"], "contact_id": ["k"]})})
    >>> without_record_ids(data).tables["contacts"].columns
    ['la_code', 'child_id']
    """
    return Dataset(
        data.directory,
        {name: frame.drop([c for c in frame.columns if is_id_column(c) and c != "child_id"])
         for name, frame in data.tables.items()},
        data.warnings,
    )


def _check_every_column(data: Dataset) -> None:
    """Breakdowns read columns headline figures do not: a dataset loaded with fewer cannot give them."""
    for name, frame in data.tables.items():
        missing = ([c.name for c in TABLES[name].columns if c.required and c.name not in frame.columns]
                   if name in TABLES else [])
        if missing:
            raise ValueError(f"breakdowns need every column of the tables, but {name} was loaded without "
                             f"{', '.join(missing)}: load the dataset without columns= (see COUNTED_COLUMNS)")


def counted_columns_only(data: Dataset) -> Dataset:
    """The dataset with only the columns measures read (``COUNTED_COLUMNS``): enough for headline figures.

    >>> data = Dataset(Path("."), {"contacts": pl.DataFrame({"la_code": ["990"], "child_id": ["c"], "contact_id": ["k"],
    ...     "contact_date": [None], "contact_source": ["1A"], "outcome": ["nfa"]})})
    >>> counted_columns_only(data).tables["contacts"].columns
    ['la_code', 'child_id', 'contact_date', 'outcome']
    """
    kept = {name: ("la_code", "child_id", *COUNTED_COLUMNS.get(name, ())) for name in data.tables}
    return Dataset(
        data.directory,
        {name: frame.select([c for c in frame.columns if c in kept[name]]) for name, frame in data.tables.items()},
        data.warnings,
    )


def authorities_numbered(data: Dataset, authorities: list[str]) -> tuple[Dataset, pl.Enum]:
    """The dataset's rows of ``authorities``, with ``la_code`` an enumeration of them, and the enumeration:
    each table's rows are then grouped and joined by a small number, not a text, which took a quarter of the
    counting's time at national scale (``bench/RESULTS.md``). Figures come out the same. Rows of another
    authority (a population file covering the neighbours) are left out: no figure of theirs is asked for.

    >>> data = Dataset(Path("."), {"t": pl.DataFrame({"la_code": ["991", "990", "994"], "x": [1, 2, 3]})})
    >>> numbered, codes = authorities_numbered(data, ["990", "991"])
    >>> numbered.tables["t"]["la_code"].to_physical().to_list(), codes.categories.to_list()
    ([1, 0], ['990', '991'])
    """
    codes = pl.Enum(sorted(set(authorities)))
    tables = {}
    for name, frame in data.tables.items():
        if "la_code" in frame.columns:  # the contract requires la_code: empty only for another authority's row
            frame = frame.with_columns(pl.col("la_code").cast(codes, strict=False))
            if frame.get_column("la_code").null_count():
                frame = frame.filter(pl.col("la_code").is_not_null())
        tables[name] = frame
    return Dataset(data.directory, tables, data.warnings), codes


def _compute_part(
    data: Dataset, authorities: list[str], chosen: list[Indicator], windows: pl.DataFrame,
    calendar: WorkingDayCalendar, breakdowns: bool | Iterable[str], breakdown_periods: list[str] | None = None,
) -> list[pl.DataFrame]:
    """The tidy rows of some authorities (not yet in report order).

    The headline figures of indicators counted from the same shared rows
    (contacts and their conversion, the three of referrals) are counted in
    one grouping, and every figure's value is worked out in one step at the end.
    """
    data, codes = authorities_numbered(data, authorities)
    grid = pl.DataFrame({"la_code": authorities}, schema={"la_code": codes}).join(windows, how="cross")
    if data.has("population"):
        grid = population_for(grid, data.table("population"))
    else:
        grid = grid.with_columns(pl.lit(None, dtype=pl.Float64).alias(POPULATION))
    grid = grid.select(*KEYS, POPULATION)
    measure_input = MeasureInput(data, windows, calendar, grid, headlines_only=not breakdowns)

    frames: list[pl.DataFrame] = []
    # headlines counted from rows several measures share (measure_input.shared), by the rows; kept
    # for the part anyway, they are counted together at its end; other rows are counted at once
    together: dict[int, list[tuple[Indicator, MeasureRows]]] = {}
    for indicator in chosen:
        result = REGISTRY[indicator.id].function(measure_input)
        rows = result.rows
        wanted = breakdowns_for(indicator, rows, breakdowns)
        if ALL in wanted:
            if measure_input.is_shared(rows):
                together.setdefault(id(rows), []).append((indicator, result))
            else:
                frames.append(count_headlines([(indicator, result)], grid))
        if groups := [b for b in wanted if b != ALL]:
            if breakdown_periods is not None:
                rows = rows.filter(pl.col("period").cast(pl.String).is_in(breakdown_periods))
            if any(b in CHILD_BREAKDOWNS for b in groups):
                rows = with_children(rows, data)
            frames.append(aggregate_breakdowns(rows, result, groups).with_columns(indicator=pl.lit(indicator.id)))
    frames += [count_headlines(counted, grid) for counted in together.values()]
    if not frames:
        return []
    counted = pl.concat([frame.with_columns(reason=pl.lit(None, pl.String))
                         .select([pl.col(c).cast(t) for c, t in OUTPUT_SCHEMA.items()]) for frame in frames])
    return [finish_values(counted, {i.id: i.unit for i in chosen})]


def count_headlines(together: list[tuple[Indicator, MeasureRows]], grid: pl.DataFrame) -> pl.DataFrame:
    """The headline figures of indicators counted from the same rows, in one grouping by authority and window.

    ``grid`` holds every authority and window (and the population): a window
    without rows counts 0, and rates per 10,000 children take the population
    as their denominator.
    """
    rows = together[0][1].rows
    each = {f"{name}{n}": expression for n, (_, result) in enumerate(together)
            for name, expression in aggregations(result).items()}
    counted = grid.join(rows.group_by(KEYS).agg(**each), on=KEYS, how="left")
    figures = []
    for n, (indicator, result) in enumerate(together):
        numerator, denominator = pl.col(f"numerator{n}"), pl.col(f"denominator{n}")
        figures.append(counted.select(
            *KEYS,
            indicator=pl.lit(indicator.id),
            breakdown=pl.lit(ALL),
            group=pl.lit(ALL),
            numerator=numerator.fill_null(0.0) if result.value is None else numerator,
            denominator=(pl.col(POPULATION) if indicator.denominator == POPULATION
                         else denominator.fill_null(0.0) if result.denominator is not None else denominator),
            value=pl.col(f"value{n}"),
        ))
    return pl.concat(figures)


def compute(
    data: Dataset,
    periods: Sequence[Period | Month | Window | str],
    authorities: Sequence[str] | None = None,
    indicators: Sequence[str] | None = None,
    closure_days: Iterable[dt.date] = (),
    catalogue: Catalogue | None = None,
    breakdowns: bool | Iterable[str] = False,
    breakdown_periods: Sequence[Period | Month | Window | str] | None = None,
    data_end: Mapping[str, dt.date | None] | None = None,
) -> pl.DataFrame:
    """Every requested indicator for every authority, window and breakdown, in one tidy frame.

    Parameters
    ----------
    data : Dataset
        Validated tables (see :func:`perfkit.records.loading.load_dataset`).
    periods : sequence of Period, Month, Window or label
        Quarters (``"2022-23 Q2"``), months (``"2022-23 M07"``, October), years
        to date (``"2022-23 Q2 YTD"``, ``"2022-23 M07 YTD"``) and rolling 12
        months (``"2022-23 Q2 R12"``), all computed together in one pass over
        the data. A count at the period end is counted at the month's end.
    authorities : sequence of str, optional
        Three-digit LA numbers; every authority in ``children`` by default.
    indicators : sequence of str, optional
        Catalogue ids; every indicator of the catalogue by default (those the
        data cannot support with a ``reason`` and no value).
    closure_days : iterable of date
        Local closure days, not counted as working days.
    breakdowns : bool or iterable of str
        ``True`` for every breakdown the catalogue lists for each indicator, or
        the names wanted. Breakdown rows of rates carry the count only (there is
        no population by group).
    breakdown_periods : sequence of Period, Window or label, optional
        The windows whose breakdowns are wanted (a report shows this quarter's
        only); every window by default. Headline figures cover every window.
    data_end : mapping of str to date, optional
        Each authority's declared extract date: a window ending after it has
        no figure. Not checked where not given (callers refuse a period after
        the latest record first).

    Notes
    -----
    Authorities are counted ``AUTHORITIES_PER_PASS`` at a time, ``PARTS_AT_ONCE``
    parts side by side, which keeps memory bounded and time in proportion to
    the number of authorities (the figures at national scale are in
    ``bench/RESULTS.md``).
    Headline figures read only the columns in ``COUNTED_COLUMNS``.

    Examples
    --------
    >>> import perfkit.config.paths as paths
    >>> from perfkit.records.loading import load_dataset
    >>> data = load_dataset(paths.default_data_dir(), tables=["referrals", "population"])
    >>> frame = compute(data, ["2022-23 Q2"], ["990"], indicators=["referrals", "referral_rate"])
    >>> frame.select("indicator", "numerator", "denominator").rows()
    [('referrals', 773.0, None), ('referral_rate', 3265.0, 62992.0)]
    """
    catalogue = catalogue or load_catalogue()
    if breakdowns:
        _check_every_column(data)
    authorities = list(dict.fromkeys(authorities)) if authorities is not None else data.authorities  # each once
    if authorities != data.authorities:
        data = data.for_authorities(authorities)
    chosen = [catalogue[i] for i in indicators] if indicators is not None else list(catalogue.indicators)
    windows = windows_frame(periods)
    counted = [i for i in chosen if all(data.has(t) for t in i.tables)]
    wanted_periods = None if breakdown_periods is None else [as_window(p).label for p in breakdown_periods]
    calendar = dataset_calendar(data, closure_days)
    whole, data = data, without_record_ids(data) if breakdowns else counted_columns_only(data)
    frames = []
    # authorities never meet in a measure, so they are counted a few at a time: memory stays
    # bounded by the part, and time grows in proportion to the number of authorities
    groups = authority_groups(authorities, AUTHORITIES_PER_PASS)
    parts = data.in_parts(groups) if len(groups) > 1 else iter([data])
    # two parts at a time: while one waits on a step polars runs on one thread, the other uses the core;
    # which figures the data cannot support (a pass over every table) is worked out beside them
    with ThreadPoolExecutor(max_workers=1) as judging, ThreadPoolExecutor(max_workers=PARTS_AT_ONCE) as pool:
        reasons_found = judging.submit(unavailable, whole, windows, authorities, chosen, data_end)
        for part in pool.map(lambda job: _compute_part(job[1], job[0], counted, windows, calendar, breakdowns, wanted_periods),
                             zip(groups, parts)):
            frames += part
        reasons = reasons_found.result()
    figures = with_reasons(pl.concat(frames) if frames else pl.DataFrame(schema=OUTPUT_SCHEMA), reasons)
    alone = windows.filter(pl.col("window_kind") == "alone")["period"].cast(pl.String).to_list()
    figures = annualised(figures, alone, [i.id for i in chosen if i.history == "rolling12"])
    return in_report_order(figures, catalogue, windows["period"].to_list())


def annualised(figures: pl.DataFrame, periods_alone: Sequence[str], yearly: Sequence[str]) -> pl.DataFrame:
    """The values of ``yearly`` indicators (counted over a rolling 12 months) in windows of a period alone
    (``periods_alone``, the labels of "alone" windows) times the periods in a year: four for a quarter
    (``" 3M"``), twelve for a month (``" 1M"``): a year's worth, so that the period compares with the 12-month
    figure and its target. Numerators and denominators stay what was counted.

    >>> frame = pl.DataFrame({"period": ["2024-25 Q1 3M", "2024-25 Q1", "2024-25 M01 1M"], "indicator": ["r"] * 3,
    ...     "numerator": [25.0, 100.0, 8.0], "denominator": [1e4] * 3, "value": [25.0, 100.0, 8.0]})
    >>> annualised(frame, ["2024-25 Q1 3M", "2024-25 M01 1M"], ["r"])["value"].to_list()
    [100.0, 100.0, 96.0]
    """
    if not periods_alone or not yearly:
        return figures
    scaled = pl.col("period").is_in(list(periods_alone)) & pl.col("indicator").is_in(list(yearly))
    per_year = pl.when(pl.col("period").str.ends_with(MONTH_ALONE)).then(Month.per_year).otherwise(Period.per_year)
    return figures.with_columns(value=pl.when(scaled).then(pl.col("value") * per_year).otherwise(pl.col("value")))


def with_reasons(figures: pl.DataFrame, reasons: pl.DataFrame) -> pl.DataFrame:
    """``figures`` with each unsupported figure (``reasons``: la_code, period, indicator, reason) as one headline
    row with no value and its reason, in place of whatever was counted for it (0 where nothing was there).

    >>> figures = pl.DataFrame({"la_code": ["990"] * 2, "period": ["Q1"] * 2, "indicator": ["a", "b"],
    ...     "breakdown": ["all"] * 2, "group": ["all"] * 2, "numerator": [0.0, 4.0], "denominator": [9.0, None],
    ...     "value": [0.0, 4.0], "reason": [None, None]}, schema_overrides={"reason": pl.String})
    >>> reasons = pl.DataFrame({"la_code": ["990"], "period": ["Q1"], "indicator": ["a"], "reason": ["needs t.c"]})
    >>> with_reasons(figures, reasons).select("indicator", "value", "reason").rows()
    [('b', 4.0, None), ('a', None, 'needs t.c')]
    """
    keys = ["la_code", "period", "indicator"]
    figures = figures.with_columns(pl.col("period").cast(pl.String))
    if reasons.is_empty():
        return figures
    missing = reasons.select(*keys, breakdown=pl.lit(ALL), group=pl.lit(ALL), numerator=pl.lit(None, pl.Float64),
                             denominator=pl.lit(None, pl.Float64), value=pl.lit(None, pl.Float64), reason="reason")
    return pl.concat([figures.join(reasons.select(keys), on=keys, how="anti"), missing.select(figures.columns)])


def in_report_order(frame: pl.DataFrame, catalogue: Catalogue, periods: Sequence[str]) -> pl.DataFrame:
    """The tidy table sorted as reports read it: authority, catalogue order, headline first, then period.

    ``periods`` lists the period labels in time order.
    """
    order = {i.id: n for n, i in enumerate(catalogue.indicators)}
    period_order = {label: n for n, label in enumerate(periods)}
    return (
        frame.with_columns(
            _order=pl.col("indicator").replace_strict(order, return_dtype=pl.Int64),
            _period=pl.col("period").replace_strict(period_order, return_dtype=pl.Int64),
            _all=pl.col("breakdown") != ALL,
        )
        .sort("la_code", "_order", "_all", "breakdown", "_period", "group")
        .drop("_order", "_period", "_all")
    )


def measures_table(
    data_dir: str | Path,
    authority: str,
    period: str,
    periods: int = 1,
    breakdowns: bool = False,
    kinds: Sequence[str] = ("quarter",),
    closure_days: Iterable[dt.date] = (),
    data_as_at: dt.date | None = None,
) -> pl.DataFrame:
    """The tidy table ``perfkit measures`` prints, from a dataset directory.

    ``periods`` quarters (or months: ``"2024-25 M07"``) ending with ``period`` are computed, each in every
    window kind of ``kinds`` (``quarter``, the period itself; ``ytd``, ``r12``), with the
    authority's local ``closure_days`` (as its report counts working days).
    A period after the declared extract date ``data_as_at`` (else the latest
    record), or before the records start, is refused, as the report refuses it.
    """
    data = load_dataset(data_dir)
    if authority not in data.authorities:
        raise ContractError([Problem(str(Path(data_dir) / "children"), f"authority {authority!r} has no rows: expected "
                                     f"one of {', '.join(data.authorities)}", column="la_code")])
    first, last = data.for_authorities([authority]).event_span()[authority]
    chosen = check_period(parse_period(period), first, data_as_at or last, f"authority {authority} in {data_dir}")
    windows = [Window(p, kind) for p in chosen.series(periods) for kind in kinds]
    return compute(data, windows, [authority], breakdowns=breakdowns, closure_days=closure_days,
                   data_end={authority: data_as_at})


def records_for(
    data: Dataset,
    indicator_id: str,
    period: Period | Month | Window | str,
    breakdown: str = ALL,
    group: str = ALL,
    closure_days: Iterable[dt.date] = (),
) -> pl.DataFrame:
    """The record-level rows behind one cell of the tidy table: for analysts only.

    These rows name children and must never reach member output; the report
    never calls this function.
    """
    window = as_window(period)
    windows = windows_frame([window])
    grid = pl.DataFrame({"la_code": data.authorities}).join(windows, how="cross")
    population = (population_for(grid, data.table("population")) if data.has("population")
                  else grid.with_columns(pl.lit(None, dtype=pl.Float64).alias(POPULATION))).select("la_code", "period", POPULATION)
    rows = REGISTRY[indicator_id].function(MeasureInput(data, windows, dataset_calendar(data, closure_days), population)).rows
    if breakdown != ALL and "child_id" in rows.columns:
        rows = with_children(rows, data)
    if breakdown != ALL:
        rows = rows.filter(group_expression(breakdown, rows.columns) == group)
    return rows.select([pl.col(c).cast(pl.String) if c == "period" else pl.col(c) for c in rows.columns if not c.startswith("__")])
