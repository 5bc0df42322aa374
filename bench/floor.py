"""A floor under the engine figure: some headline figures in the fewest polars steps, straight from the files.

``bench/run.py`` times this beside the bare scan and the engine. It computes
10 of the catalogue's 38 headline figures for every authority and 24 quarters,
reading only the columns they need from the Parquet files, as lazy queries
that polars optimises and runs together (``pl.collect_all``):

- ``contacts`` and ``contact_conversion_pct`` (numerator and denominator);
- ``referrals``, ``rereferral_pct`` and ``referral_nfa_pct``;
- ``cin_rate``'s numerator (children with an open referral at the quarter's end);
- ``cla_rate``'s numerator (children looked after at the quarter's end);
- ``assessments_45wd_pct`` and ``assessment_days_median``;
- ``cp_visits_10wd_pct``'s numerator.

Some are simplified, each to a step no costlier than the definition's: a
re-referral is judged against the referral listed before (not the last one
dated earlier), working days ignore bank holidays, and a visit counts if it is
in the last 14 days of the quarter (not the last 10 working days), whoever's
plan it is. Nothing else is done: no contract checks, no other figure, no
tidy table. It is not a proof: another way of writing these steps could be
faster. It is the most direct way we found to compute a quarter of the
figures with polars, and what that costs against the scan.

Usage: ``python bench/floor.py DIR`` prints the seconds the queries took and the rows of each result.
"""

from __future__ import annotations

import datetime as dt
import sys
import time

import polars as pl

QUARTER_ENDS = [dt.date(y + (m > 12), (m - 1) % 12 + 1, 1) - dt.timedelta(days=1)
                for y in range(2019, 2025) for m in (7, 10, 13, 16)]
"""The last days of the 24 quarters 2019-20 Q1 to 2024-25 Q4."""
QUARTER_STARTS = [dt.date(y + (m > 12), (m - 1) % 12 + 1, 1) for y in range(2019, 2025) for m in (4, 7, 10, 13)]


def quarter(column: str) -> pl.Expr:
    """The quarter (0 to 23) holding the date in ``column``, or null outside them."""
    ends, starts = pl.lit(pl.Series(QUARTER_ENDS)), pl.lit(pl.Series(QUARTER_STARTS))
    found = ends.search_sorted(pl.col(column), side="left")
    return pl.when((found < len(QUARTER_ENDS)) & (pl.col(column) >= starts.gather(found.clip(0, len(QUARTER_ENDS) - 1)))).then(found)


def open_at_quarter_ends(frame: pl.LazyFrame, start: str, end: str) -> pl.LazyFrame:
    """Each interval once per quarter on whose last day it is open (``start <= day < end``; no end: open)."""
    ends = pl.lit(pl.Series(QUARTER_ENDS))
    return frame.with_columns(quarter=pl.int_ranges(
        ends.search_sorted(pl.col(start), side="left"),
        ends.search_sorted(pl.col(end).fill_null(dt.date(9999, 12, 31)), side="left"),
    )).explode("quarter")


def queries(folder: str) -> dict[str, pl.LazyFrame]:
    """The floor's queries over the Parquet files in ``folder``, by the figures they give."""
    def scan(table: str, *columns: str) -> pl.LazyFrame:
        return pl.scan_parquet(f"{folder}/{table}.parquet").select(*columns)

    children = pl.col("child_id").n_unique()
    same_child = pl.col("__key") == pl.col("__key").shift(1)
    return {
        "contacts": scan("contacts", "la_code", "contact_date", "outcome")
        .group_by("la_code", quarter("contact_date").alias("quarter"))
        .agg(contacts=pl.len(), referral=(pl.col("outcome") == "referral").sum()),
        "referrals": scan("referrals", "la_code", "child_id", "referral_date", "nfa")
        .with_columns(__key=pl.col("la_code").hash(1).xor(pl.col("child_id").hash(2)))
        .sort("__key", "referral_date")
        .with_columns(rereferral=same_child & (pl.col("referral_date").shift(1) >= pl.col("referral_date").dt.offset_by("-1y")))
        .group_by("la_code", quarter("referral_date").alias("quarter"))
        .agg(referrals=pl.len(), rereferrals=pl.col("rereferral").sum(), nfa=(pl.col("nfa") == "Y").sum()),
        "cin_rate": open_at_quarter_ends(
            scan("referrals", "la_code", "child_id", "referral_date", "closure_date", "nfa").filter(pl.col("nfa") != "Y"),
            "referral_date", "closure_date").group_by("la_code", "quarter").agg(children=children),
        "cla_rate": open_at_quarter_ends(scan("cla_episodes", "la_code", "child_id", "episode_start", "episode_end"),
                                         "episode_start", "episode_end").group_by("la_code", "quarter").agg(children=children),
        "assessments": scan("assessments", "la_code", "start_date", "authorised_date")
        .with_columns(days=pl.business_day_count(pl.col("start_date"), pl.col("authorised_date")))
        .group_by("la_code", quarter("authorised_date").alias("quarter"))
        .agg(within=(pl.col("days") <= 45).sum(), median=pl.col("days").median()),
        "cp_visits": scan("cp_visits", "la_code", "child_id", "visit_date").with_columns(quarter=quarter("visit_date"))
        .filter(pl.col("visit_date") >= pl.lit(pl.Series(QUARTER_ENDS)).gather(pl.col("quarter")) - pl.duration(days=14))
        .group_by("la_code", "quarter").agg(visited=children),
    }


def main(folder: str) -> None:
    started = time.perf_counter()
    results = pl.collect_all(list(queries(folder).values()))
    print(f"{time.perf_counter() - started:.2f} s; rows: {[frame.height for frame in results]}")


if __name__ == "__main__":
    main(sys.argv[1])
