"""A peer for the engine: the 10 figures of ``bench/floor.py`` in DuckDB SQL, written the ordinary way.

``bench/run.py`` times this beside the bare polars scan and the engine (the
issue's bound: the engine's 38 figures in less time than this takes for 10).
The same simplifications as the floor: a re-referral is judged against the
child's previous referral (``LAG``), working days are weekdays (no bank
holidays; a calendar table with the weekdays before each day), and a visit
counts if it is in the last 14 days of the quarter. Each figure is one SQL
statement over the Parquet files; nothing is checked, no tidy table is made.

DuckDB is a bench-only extra (``pip install -e '.[bench]'``).

Usage:
    python bench/sql_peer.py DIR            # prints the seconds the queries took and the rows of each result
    python bench/sql_peer.py compare DIR    # checks every figure equals bench/floor.py's
"""

from __future__ import annotations

import sys
import time

FIRST_MONTH = 2019 * 12 + 3
"""April 2019 as months since year 0 (months counted from 0): the first month of 2019-20 Q1."""

QUARTER = "((year({d}) * 12 + month({d}) - 1 - " + str(FIRST_MONTH) + ") // 3)"
"""The quarter (0 to 23 for 2019-20 Q1 to 2024-25 Q4) holding date ``{d}``."""

IN_QUARTERS = "{d} BETWEEN DATE '2019-04-01' AND DATE '2025-03-31'"

QUARTER_ENDS = """quarter_ends AS (
    SELECT q AS quarter, (DATE '2019-04-01' + to_months(3 * (q + 1)) - INTERVAL 1 DAY)::DATE AS day
    FROM range(24) t(q))"""


def statements(folder: str) -> dict[str, str]:
    """The peer's SQL over the Parquet files in ``folder``, by the figures they give."""
    def table(name: str) -> str:
        return f"read_parquet('{folder}/{name}.parquet')"

    def quarter(column: str) -> str:
        return QUARTER.format(d=column)

    def in_quarters(column: str) -> str:
        return IN_QUARTERS.format(d=column)

    def open_at_ends(name: str, start: str, end: str, where: str = "TRUE") -> str:
        return f"""
        WITH {QUARTER_ENDS}
        SELECT t.la_code, e.quarter, count(DISTINCT t.child_id) AS children
        FROM {table(name)} t JOIN quarter_ends e
          ON t.{start} <= e.day AND (t.{end} IS NULL OR t.{end} > e.day)
        WHERE {where}
        GROUP BY ALL"""

    return {
        "contacts": f"""
        SELECT la_code, {quarter('contact_date')} AS quarter, count(*) AS contacts,
               count(*) FILTER (WHERE outcome = 'referral') AS referral
        FROM {table('contacts')} WHERE {in_quarters('contact_date')}
        GROUP BY ALL""",
        "referrals": f"""
        WITH flagged AS (
            SELECT la_code, referral_date, nfa,
                   lag(referral_date) OVER (PARTITION BY la_code, child_id ORDER BY referral_date)
                       >= referral_date - INTERVAL 1 YEAR AS rereferral
            FROM {table('referrals')})
        SELECT la_code, {quarter('referral_date')} AS quarter, count(*) AS referrals,
               count(*) FILTER (WHERE rereferral) AS rereferrals, count(*) FILTER (WHERE nfa = 'Y') AS nfa
        FROM flagged WHERE {in_quarters('referral_date')}
        GROUP BY ALL""",
        "cin_rate": open_at_ends("referrals", "referral_date", "closure_date", "t.nfa <> 'Y'"),
        "cla_rate": open_at_ends("cla_episodes", "episode_start", "episode_end"),
        "assessments": f"""
        WITH calendar AS (
            SELECT day::DATE AS day,
                   (count(*) FILTER (WHERE isodow(day) < 6) OVER (ORDER BY day) - (isodow(day) < 6)::INT) AS before
            FROM range(DATE '1990-01-01', DATE '2040-01-01', INTERVAL 1 DAY) t(day)),
        timed AS (
            SELECT a.la_code, a.authorised_date, e.before - s.before AS days
            FROM {table('assessments')} a
            JOIN calendar s ON s.day = a.start_date JOIN calendar e ON e.day = a.authorised_date)
        SELECT la_code, {quarter('authorised_date')} AS quarter,
               count(*) FILTER (WHERE days <= 45) AS within, median(days) AS median
        FROM timed WHERE {in_quarters('authorised_date')}
        GROUP BY ALL""",
        "cp_visits": f"""
        WITH {QUARTER_ENDS}
        SELECT v.la_code, e.quarter, count(DISTINCT v.child_id) AS visited
        FROM {table('cp_visits')} v JOIN quarter_ends e ON e.quarter = {quarter('v.visit_date')}
        WHERE {in_quarters('v.visit_date')} AND v.visit_date >= e.day - INTERVAL 14 DAY
        GROUP BY ALL""",
    }


def run(folder: str) -> dict[str, object]:
    """Every statement's result, as rows."""
    import duckdb

    connection = duckdb.connect()
    return {name: connection.sql(sql).fetchall() for name, sql in statements(folder).items()}


def main(folder: str) -> None:
    started = time.perf_counter()
    results = run(folder)
    print(f"{time.perf_counter() - started:.2f} s; rows: {[len(rows) for rows in results.values()]}")


def compare(folder: str) -> bool:
    """Whether every figure equals ``bench/floor.py``'s (quarters 0 to 23; the floor also groups dates outside them)."""
    import duckdb
    import polars as pl

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
    import floor

    connection = duckdb.connect()
    same = True
    for (name, sql), (_, query) in zip(statements(folder).items(), floor.queries(folder).items()):
        relation = connection.sql(sql)
        ours = pl.DataFrame(relation.fetchall(), schema=relation.columns, orient="row")  # no pyarrow needed
        keys = ["la_code", "quarter"]
        theirs = query.filter(pl.col("quarter").is_not_null()).collect()
        ours = ours.select(keys + [c for c in theirs.columns if c not in keys]).cast(
            {c: theirs.schema[c] for c in theirs.columns}).sort(keys)
        equal = ours.equals(theirs.sort(keys))
        same &= equal
        print(f"{name}: {ours.height} rows, {'equal' if equal else 'DIFFERENT'}")
    return same


if __name__ == "__main__":
    if sys.argv[1:2] == ["compare"] and len(sys.argv) == 3:
        sys.exit(0 if compare(sys.argv[2]) else 1)
    elif len(sys.argv) == 2:
        main(sys.argv[1])
    else:
        sys.exit(__doc__)
