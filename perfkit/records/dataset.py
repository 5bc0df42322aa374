"""Hold a dataset's checked tables and split them by authority: the :class:`Dataset` and its helpers."""

from __future__ import annotations

import datetime as dt

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import polars as pl

from perfkit.errors import ContractError
from perfkit.records.problems import Problem

AUTHORITIES_PER_PART = 16
"""How many authorities national-scale work takes together: keeps lookups small and memory bounded."""


@dataclass
class Dataset:
    """Validated tables of one dataset directory, in canonical types.

    ``warnings`` lists what was loaded but deserves a look (rows for a child
    missing from the children table, a district unknown to the children table,
    a file decoded as cp1252); errors stop loading instead.
    """

    directory: Path
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    _child_keys: tuple[pl.DataFrame, pl.Series, bool] | None = field(default=None, init=False, repr=False, compare=False)

    def has(self, name: str) -> bool:
        return name in self.tables

    def table(self, name: str) -> pl.DataFrame:
        try:
            return self.tables[name]
        except KeyError:
            raise ContractError(
                [Problem(f"{name}.csv", f"table {name!r} is needed here but the dataset in {self.directory} has no {name}.csv or {name}.parquet")]
            ) from None

    @property
    def authorities(self) -> list[str]:
        return sorted(self.tables["children"]["la_code"].unique().to_list())

    def child_keys(self) -> tuple[pl.Series, bool]:
        """Each child's 64-bit key (:func:`child_key`), in the children table's order, and whether no two
        children share one: worked out once for the dataset (every measure that joins children asks).

        >>> data = Dataset(Path("."), {"children": pl.DataFrame({"la_code": ["990", "990"], "child_id": ["a", "b"]})})
        >>> keys, unique = data.child_keys()
        >>> keys.len(), unique
        (2, True)
        """
        children = self.table("children")
        # a table replaced, or grown in place, is keyed again
        if self._child_keys is None or self._child_keys[0] is not children or self._child_keys[1].len() != children.height:
            keys = children.with_columns(child_key().alias("__key")).get_column("__key")
            self._child_keys = (children, keys, keys.n_unique() == keys.len())
        return self._child_keys[1], self._child_keys[2]

    def table_spans(self, tables: set[str] | None = None) -> dict[str, pl.DataFrame]:
        """What each dated table's records cover, by authority: ``la_code``, ``first``, ``last``, ``gap``, ``events``.

        - ``last`` is the latest event date: the start of each record (a referral,
          an episode, a contact), never an end or closure date, so a mistyped
          closure in 2026 does not move where the data end.
        - ``first`` is where the records start. For records with a start and an
          end (the contract's date pairs) it is the earliest end: an extract of
          "records from April 2022 and cases open then" holds episodes that
          started in 2015 but none that ended before April 2022, so its
          earliest end, not its earliest start, says where it begins. For
          events alone (contacts) it is the earliest event.
        - ``gap`` is the mean number of days between the events from ``first``
          to ``last``: how long a quiet spell may be before it means the
          records stopped (see :mod:`perfkit.indicators.availability`); ``events``
          how many there are.

        Births, recording dates and dates still to come (the day a child will
        stop being UASC) say nothing of when records start or end.

        >>> data = Dataset(Path("."), {"cla_episodes": pl.DataFrame({"la_code": ["1"] * 3,
        ...     "episode_start": [dt.date(2015, 5, 2), dt.date(2022, 6, 1), dt.date(2023, 1, 9)],
        ...     "episode_end": [None, dt.date(2022, 4, 3), dt.date(2024, 7, 1)]})})
        >>> data.table_spans()["cla_episodes"].rows()
        [('1', datetime.date(2022, 4, 3), datetime.date(2023, 1, 9), 281.0, 2)]
        """
        from perfkit.records.contract import TABLES

        spans: dict[str, pl.LazyFrame] = {}
        for name, frame in self.tables.items():
            if tables is not None and name not in tables:
                continue
            planned = {c.name for c in TABLES[name].columns if c.planned} if name in TABLES else set()
            dates = [column for column, dtype in frame.schema.items()
                     if dtype == pl.Date and column not in ("date_of_birth", "recorded_date", *planned)]
            if not dates or "la_code" not in frame.columns:
                continue
            pairs = [pair for pair in (TABLES[name].date_order if name in TABLES else ()) if set(pair) <= set(dates)]
            starts = list(dict.fromkeys(start for start, _ in pairs)) or dates
            ends = list(dict.fromkeys(end for _, end in pairs))
            spans[name] = _spans_of(frame, starts, ends)
        # the tables' groupings run side by side
        return dict(zip(spans, pl.collect_all(spans.values())))

    def event_span(self) -> dict[str, tuple[dt.date, dt.date]]:
        """When each authority's records start and end: the first day by which every table holding its
        dated records has begun (see :meth:`table_spans`), and the last event date.

        An authority with no dated record has no span: no quarter can be reported for it.
        """
        first: dict[str, list[dt.date]] = {}
        last: dict[str, list[dt.date]] = {}
        for ends in self.table_spans().values():
            for la, low, high, *_ in ends.iter_rows():
                first.setdefault(la, []).append(low)
                last.setdefault(la, []).append(high)
        return {la: (max(first[la]), max(last[la])) for la in first}

    def for_authorities(self, la_codes: list[str]) -> "Dataset":
        """The same dataset restricted to some authorities.

        >>> data = Dataset(Path("."), {"t": pl.DataFrame({"la_code": ["1", "2", "1", "3"], "x": [1, 2, 3, 4]})})
        >>> data.for_authorities(["1", "3"]).tables["t"]["x"].to_list()
        [1, 3, 4]
        """
        return Dataset(
            self.directory,
            {name: frame.filter(pl.col("la_code").is_in(la_codes)) for name, frame in self.tables.items()},
            self.warnings,
        )

    def in_parts(self, groups: list[list[str]]) -> Iterator["Dataset"]:
        """The dataset for each group of authorities in turn.

        Where a table keeps each authority's rows together (as exports and
        perfkit's own files do), its parts are slices of it, made without
        copying; otherwise each part is filtered from it.

        >>> data = Dataset(Path("."), {"t": pl.DataFrame({"la_code": ["2", "2", "1", "3"], "x": [1, 2, 3, 4]})})
        >>> [part.tables["t"]["x"].to_list() for part in data.in_parts([["1", "2"], ["3"]])]
        [[1, 2, 3], [4]]
        """
        runs = {name: _authority_runs(frame) for name, frame in self.tables.items()}
        for group in groups:
            tables = {}
            for name, frame in self.tables.items():
                if runs[name] is None:
                    tables[name] = frame.filter(pl.col("la_code").is_in(group))
                else:
                    where = sorted(runs[name][code] for code in group if code in runs[name])  # in the table's order
                    pieces = [frame.slice(offset, length) for offset, length in where]
                    tables[name] = pl.concat(pieces, rechunk=False) if pieces else frame.clear()
            yield Dataset(self.directory, tables, self.warnings)


def _spans_of(frame: pl.DataFrame, starts: list[str], ends: list[str]) -> pl.LazyFrame:
    """:meth:`Dataset.table_spans` of one table, whose events are dated by ``starts`` and, where they are
    records with a start and an end, whose records start with the earliest of ``ends``.

    Each aggregation is one polars computes natively by group (a minimum, a maximum, a count): the events
    on or after ``first`` are the events counted (every dated event, where ``first`` is the earliest
    event), or, for records with an end, counted after ``first`` is joined back to the rows.
    """
    earliest_start = pl.min_horizontal(pl.col(starts).min())
    first = pl.coalesce(pl.min_horizontal(pl.col(ends).min()), earliest_start) if ends else earliest_start
    bounds = (frame.lazy().select("la_code", *dict.fromkeys([*starts, *ends])).group_by("la_code")
              .agg(first.alias("first"), pl.max_horizontal(pl.col(starts).max()).alias("last"),
                   pl.col(starts[0]).count().cast(pl.Int64).alias("events")))
    if ends:  # events before the records start (an episode open since 2015) are not counted
        after = (frame.lazy().select("la_code", starts[0]).join(bounds.select("la_code", "first"), on="la_code")
                 .group_by("la_code").agg((pl.col(starts[0]) >= pl.col("first")).sum().cast(pl.Int64).alias("events")))
        bounds = bounds.drop("events").join(after, on="la_code", how="left")
    # the usual gap between the events the records cover
    gap = ((pl.col("last") - pl.col("first")).dt.total_days().clip(lower_bound=0)
           / pl.max_horizontal(pl.col("events") - 1, 1)).cast(pl.Float64)
    return (bounds.filter(pl.col("first").is_not_null() & pl.col("last").is_not_null())
            .select("la_code", "first", "last", gap.alias("gap"), pl.col("events").fill_null(0))
            .sort("la_code"))


def authority_groups(authorities: list[str], size: int = AUTHORITIES_PER_PART) -> list[list[str]]:
    """The authorities in consecutive groups of ``size`` (the last may be smaller).

    >>> authority_groups(["990", "991", "992"], 2)
    [['990', '991'], ['992']]
    """
    return [authorities[start:start + size] for start in range(0, len(authorities), size)]


def _authority_runs(frame: pl.DataFrame) -> dict[str, tuple[int, int]] | None:
    """Where each authority's rows are, as (offset, length), if each authority's rows are together."""
    runs = frame.select(pl.col("la_code").rle()).unnest("la_code")
    if runs["value"].n_unique() != runs.height:
        return None
    offsets = runs["len"].cum_sum() - runs["len"]
    return {code: (offset, length) for code, offset, length in zip(runs["value"], offsets, runs["len"])}


SAME_CHILD = (pl.col("la_code") == pl.col("la_code").shift(1)) & (pl.col("child_id") == pl.col("child_id").shift(1))
"""Whether a row is the same child's as the row above (its ids' texts): in :func:`by_child`'s order, a child's
rows are neighbours."""


def by_child(frame: pl.DataFrame, *then: str) -> pl.DataFrame:
    """``frame`` with each child's rows together, then in the order of ``then``: sorted by the child's 64-bit
    key (:func:`child_key`), twice as fast as by the ids' texts; if two children share a key (neighbours by
    key that :data:`SAME_CHILD` says are not one child's), by the texts.

    >>> frame = pl.DataFrame({"la_code": ["990", "991", "990"], "child_id": ["a", "a", "a"], "n": [2, 3, 1]})
    >>> ordered = by_child(frame, "n")
    >>> ordered["n"].to_list()[ordered["la_code"].to_list().index("990"):][:2]
    [1, 2]
    """
    ordered = frame.with_columns(__key=child_key()).sort("__key", *then)
    if ordered.select(((pl.col("__key") == pl.col("__key").shift(1)) & ~SAME_CHILD).any()).item():
        ordered = frame.sort("la_code", "child_id", *then)  # two children share a key
    return ordered.drop("__key", strict=False)


def child_key() -> pl.Expr:
    """A 64-bit number for each child of each authority: the same for the same ``la_code`` and ``child_id``.

    Different children get different numbers but for a hash collision, which
    users of the key allow for (see :func:`perfkit.indicators.child_details.with_children`).
    """
    return pl.col("la_code").hash(1).xor(pl.col("child_id").hash(2))
