"""Which figures the data can support: an indicator without its columns, or outside its records, has no figure.

A figure counted from a column nobody filled in is not 0, it is unknown: an
import of SSDA903 files has missing episodes but no return interviews, and
Annex A lists one row per period of care with no placement moves. Each
catalogue indicator names the columns it is counted from (``needs``) and how
far back it reads (``history``); :func:`unavailable` gives, for each
authority, window and indicator the data cannot support, the reason, in the
words every output uses: ``not available from this data: needs <table.column>``.

A figure is not available where:

- a table it needs is absent, or has no row for the authority;
- a column it needs has no value for the authority in the whole table (or,
  where codes are named, no row with one of them);
- its window reads records from before the table's records start (counted
  from the first day of the quarter of the earliest record: an extract that
  starts on 1 April holds that quarter whole), or ends after the declared
  end of the data (the extract date; reports and ``perfkit measures`` refuse
  a quarter after the latest record before they count);
- it is a rate per 10,000 children and there is no population estimate for
  its year or any year before.

A table with rows but none in a window is a true zero (no EHCP request this
quarter), not a missing figure: the records cover the window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import polars as pl

from perfkit.indicators.catalogue import NOT_AVAILABLE, Indicator, Need
from perfkit.records.dataset import Dataset

POPULATION_TABLE = "population"
REASON_SCHEMA = {"la_code": pl.String, "period": pl.String, "indicator": pl.String, "reason": pl.String}


def needs_reason(needs: Sequence[Need | str]) -> str:
    """The reason every output gives for a figure missing these columns.

    >>> needs_reason([Need.parse("missing_episodes.rhi_offered_date")])
    'not available from this data: needs missing_episodes.rhi_offered_date'
    """
    return f"{NOT_AVAILABLE}: needs {', '.join(str(n) for n in needs)}"


def filled_needs(data: Dataset, needs: Sequence[Need], authorities: Sequence[str]) -> dict[tuple[str, Need], bool]:
    """Whether each authority has, for each need, a value in the column (one of the codes, where named).

    >>> data = Dataset(None, {"t": pl.DataFrame({"la_code": ["1", "2"], "x": ["S", None]})})
    >>> found = filled_needs(data, [Need("t", "x"), Need("t", "x", ("P",))], ["1", "2"])
    >>> [found[("1", Need("t", "x"))], found[("2", Need("t", "x"))], found[("1", Need("t", "x", ("P",)))]]
    [True, False, False]
    """
    found = {(la, need): False for la in authorities for need in needs}
    grouped: list[tuple[list[Need], pl.LazyFrame]] = []
    for table in dict.fromkeys(n.table for n in needs):
        if not data.has(table):
            continue
        frame = data.table(table)
        of_table = [n for n in needs if n.table == table and n.column in frame.columns]
        if not of_table or "la_code" not in frame.columns:
            continue
        # grouped whole (counts, which polars aggregates natively), then the authorities wanted picked:
        # no copy of the table's rows
        grouped.append((of_table, frame.lazy().group_by("la_code").agg(
            ((pl.col(n.column).is_in(list(n.codes)).sum() if n.codes else pl.col(n.column).count()) > 0).alias(f"n{k}")
            for k, n in enumerate(of_table)
        ).filter(pl.col("la_code").is_in(list(authorities)))))
    # the tables' groupings run side by side
    for (of_table, _), held in zip(grouped, pl.collect_all([lazy for _, lazy in grouped])):
        for row in held.iter_rows():
            for k, need in enumerate(of_table):
                found[(row[0], need)] = bool(row[k + 1])
    return found


QUIET_DAYS = 14
"""The shortest quiet spell that may mean records stopped (or had not begun): two weeks."""
QUIET_EVENTS = 10
"""A quiet spell of this many of the table's usual gaps between events means the records stopped."""
JUDGED_EVENTS = 20
"""A table with fewer events than this for an authority is too small to tell a quiet spell from records
that stopped: its coverage is not judged (the columns it needs still are)."""


def reads_from(history: str | int) -> pl.Expr:
    """The first day a window's figure reads records from, by the indicator's ``history``: the window's
    start, the start of the 12 months ending on its end (``rolling12``), or a number of months before it."""
    start = pl.col("window_start")
    if history == "rolling12":
        return pl.min_horizontal(start, pl.col("window_r12_start"))
    if isinstance(history, int):
        return start.dt.offset_by(f"-{history}mo")
    return start


def slack(gap: pl.Expr) -> pl.Expr:
    """How long a table may be quiet at either end of its records before a window there is not covered:
    ten of its usual gaps between events, and at least two weeks (a table of a few events a year may be
    quiet for months and still be complete; daily contacts that stop for a month have stopped).

    >>> pl.DataFrame({"gap": [0.1, 30.0]}).select(slack(pl.col("gap"))).to_series().to_list()
    [datetime.timedelta(days=14), datetime.timedelta(days=300)]
    """
    days = pl.max_horizontal(gap * QUIET_EVENTS, pl.lit(float(QUIET_DAYS)))
    return pl.duration(seconds=(days * 86_400).round(0).cast(pl.Int64))


def unavailable(
    data: Dataset,
    windows: pl.DataFrame,
    authorities: Sequence[str],
    indicators: Sequence[Indicator],
    data_end: Mapping[str, dt.date | None] | None = None,
) -> pl.DataFrame:
    """Every (authority, window, indicator) the data cannot support, with the reason.

    Parameters
    ----------
    data : Dataset
        The records, with every column the indicators need.
    windows : DataFrame
        The reporting windows (:func:`perfkit.indicators.engine.windows_frame`).
    authorities : sequence of str
        Three-digit LA numbers.
    indicators : sequence of Indicator
        The catalogue entries wanted.
    data_end : mapping of str to date, optional
        Where each authority's data end (its declared extract date); a
        window ending later has no figure. Not checked where not given.

    Returns
    -------
    DataFrame
        ``la_code``, ``period``, ``indicator``, ``reason``; one row per figure
        with no value.

    Examples
    --------
    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> from perfkit.indicators.engine import windows_frame
    >>> episodes = pl.DataFrame({"la_code": ["990"], "child_id": ["c1"], "missing_start": [dt.date(2024, 5, 1)],
    ...     "missing_end": [dt.date(2024, 5, 2)], "rhi_offered_date": pl.Series([None], dtype=pl.Date)})
    >>> data = Dataset(None, {"missing_episodes": episodes})
    >>> wanted = [load_catalogue()[i] for i in ("missing_episodes", "rhi_offered_72h_pct")]
    >>> found = unavailable(data, windows_frame(["2024-25 Q1"]), ["990"], wanted, {"990": dt.date(2024, 7, 31)})
    >>> found.select("indicator", "reason").rows()
    [('rhi_offered_72h_pct', 'not available from this data: needs missing_episodes.rhi_offered_date')]
    >>> unavailable(data, windows_frame(["2024-25 Q1"]), ["990"], wanted, {"990": dt.date(2024, 5, 2)})["reason"][0]
    'not available from this data: needs records to 30 June 2024 (the data end on 2 May 2024)'
    """
    authorities = list(authorities)
    grid = pl.DataFrame({"la_code": authorities}, schema={"la_code": pl.String}).join(
        windows.select(pl.col("period").cast(pl.String), "window_start", "window_end", "window_r12_start",
                       "population_year"), how="cross")
    found = filled_needs(data, [n for i in indicators for n in i.needs], authorities)
    spans = data.table_spans({t for i in indicators for t in i.tables})
    for table in dict.fromkeys(t for i in indicators for t in i.tables if t in spans):
        grid = grid.join(spans[table].select("la_code", pl.col("first").alias(f"__first_{table}"),
                                             pl.col("last").alias(f"__last_{table}"),
                                             pl.when(pl.col("events") >= JUDGED_EVENTS).then(slack(pl.col("gap")))
                                             .alias(f"__slack_{table}")),
                         on="la_code", how="left")
    frames = []
    for indicator in indicators:
        reasons = [pl.when(pl.col("la_code") == la).then(pl.lit(needs_reason(missing)))
                   for la in authorities if (missing := [n for n in indicator.needs if not found[(la, n)]])]
        start = reads_from(indicator.history)
        for table in indicator.tables:
            if table in spans:
                first, last, quiet = pl.col(f"__first_{table}"), pl.col(f"__last_{table}"), pl.col(f"__slack_{table}")
                column = next(n for n in indicator.needs if n.table == table).column
                reasons.append(pl.when(start < first - quiet).then(pl.format(
                    "{}: needs {}.{} from {} (the records start on {})", pl.lit(NOT_AVAILABLE),
                    pl.lit(table), pl.lit(column), start.dt.strftime("%-d %B %Y"), first.dt.strftime("%-d %B %Y"))))
                reasons.append(pl.when(pl.col("window_end") > last + quiet).then(pl.format(
                    "{}: needs {}.{} to {} (the records stop on {})", pl.lit(NOT_AVAILABLE),
                    pl.lit(table), pl.lit(column), pl.col("window_end").dt.strftime("%-d %B %Y"),
                    last.dt.strftime("%-d %B %Y"))))
        reasons.append(pl.when(pl.col("window_end") > pl.col("__end")).then(pl.format(  # null where not declared
            "{}: needs records to {} (the data end on {})", pl.lit(NOT_AVAILABLE),
            pl.col("window_end").dt.strftime("%-d %B %Y"), pl.col("__end").dt.strftime("%-d %B %Y"))))
        if POPULATION_TABLE in indicator.tables:  # rates, and shares of the population (the UASC threshold)
            reasons.append(pl.when(pl.col("__population_from").is_null()
                                   | (pl.col("population_year") < pl.col("__population_from"))).then(pl.format(
                "{}: needs population.population_0_17 for mid-{} or earlier", pl.lit(NOT_AVAILABLE),
                pl.col("population_year"))))
        frames.append((indicator.id, reasons))
    ends = pl.DataFrame({"la_code": authorities, "__end": [(data_end or {}).get(la) for la in authorities]},
                        schema={"la_code": pl.String, "__end": pl.Date})
    population = _population_years(data, authorities)
    grid = grid.join(ends, on="la_code", how="left").join(population, on="la_code", how="left")
    found_frames = [
        grid.select("la_code", "period", indicator=pl.lit(indicator_id), reason=pl.coalesce(reasons))
        .filter(pl.col("reason").is_not_null())
        for indicator_id, reasons in frames if reasons
    ]
    if not found_frames:
        return pl.DataFrame(schema=REASON_SCHEMA)
    return pl.concat(found_frames).select([pl.col(c).cast(t) for c, t in REASON_SCHEMA.items()])


def _population_years(data: Dataset, authorities: list[str]) -> pl.DataFrame:
    """Each authority's earliest population estimate year (none where it has none)."""
    schema = {"la_code": pl.String, "__population_from": pl.Int64}
    if not data.has("population"):
        return pl.DataFrame({"la_code": authorities}, schema={"la_code": pl.String}).with_columns(
            pl.lit(None, dtype=pl.Int64).alias("__population_from"))
    return (data.table("population").filter(pl.col("population_0_17").is_not_null())
            .group_by("la_code").agg(pl.col("year").cast(pl.Int64).min().alias("__population_from"))
            .select([pl.col(c).cast(t) for c, t in schema.items()]))
