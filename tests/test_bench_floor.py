"""The benchmark's floor (``bench/floor.py``) computes real figures: those it does not simplify are the engine's."""

import importlib.util

import polars as pl
import pytest

import perfkit.config.paths as paths
from perfkit.indicators.engine import compute
from perfkit.indicators.periods import Period, periods_between
from perfkit.records.loading import load_dataset

EXACT = [  # (query, column, indicator, part of the engine's figure)
    ("contacts", "contacts", "contacts", "numerator"),
    ("contacts", "referral", "contact_conversion_pct", "numerator"),
    ("referrals", "referrals", "referrals", "numerator"),
    ("referrals", "nfa", "referral_nfa_pct", "numerator"),
    ("cin_rate", "children", "cin_rate", "numerator"),
    ("cla_rate", "children", "cla_rate", "numerator"),
]


@pytest.fixture(scope="module")
def floor():
    spec = importlib.util.spec_from_file_location("floor", paths.project_root() / "bench" / "floor.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_floor_counts_what_the_engine_counts(floor):
    folder = paths.default_data_dir()
    periods = periods_between(Period.parse("2019-20 Q1"), Period.parse("2024-25 Q4"))
    labels = pl.DataFrame({"quarter": range(len(periods)), "period": [p.label for p in periods]},
                          schema={"quarter": pl.UInt32, "period": pl.String})
    engine = compute(load_dataset(folder), periods).with_columns(pl.col("period").cast(pl.String))
    queries = floor.queries(str(folder))
    compared = 0
    for query, column, indicator, part in EXACT:
        counted = queries[query].collect().filter(pl.col("quarter").is_not_null()).with_columns(pl.col("quarter").cast(pl.UInt32))
        counted = counted.join(labels, on="quarter").select("la_code", "period", pl.col(column).cast(pl.Float64).alias("floor"))
        figures = engine.filter((pl.col("indicator") == indicator) & (pl.col("breakdown") == "all"))
        joined = figures.join(counted, on=["la_code", "period"], how="left").with_columns(pl.col("floor").fill_null(0.0))
        assert joined.height == len(periods) * len(engine["la_code"].unique())
        assert joined.filter(pl.col(part) != pl.col("floor")).height == 0, indicator
        compared += joined.filter(pl.col(part) > 0).height
    assert compared > 0


def test_the_floor_on_hand_made_records(floor, tmp_path):
    """What the embedded data cannot show: an NFA referral left open, a re-referral within a year and one
    after it, a visit inside the quarter's last 14 days and one before them."""
    import datetime as dt

    d = dt.date
    pl.DataFrame({
        "la_code": ["990"] * 5, "child_id": ["a", "b", "c", "c", "c"],
        "referral_date": [d(2022, 7, 1), d(2022, 7, 1), d(2022, 7, 1), d(2023, 5, 1), d(2024, 7, 2)],
        "nfa": ["Y", "N", "N", "N", "N"], "closure_date": [None, None, d(2022, 8, 1), d(2023, 6, 1), d(2024, 8, 1)],
    }).write_parquet(tmp_path / "referrals.parquet")
    pl.DataFrame({"la_code": ["990"] * 3, "child_id": ["a", "b", "b"],
                  "visit_date": [d(2022, 9, 20), d(2022, 9, 10), d(2022, 9, 16)]}).write_parquet(tmp_path / "cp_visits.parquet")
    queries = floor.queries(str(tmp_path))
    q2, q1_next, q2_later = 13, 16, 21  # 2022-23 Q2, 2023-24 Q1, 2024-25 Q2

    def figure(query, column, quarter):
        found = queries[query].collect().filter(pl.col("quarter") == quarter)
        return found[column].item() if found.height else 0

    assert figure("cin_rate", "children", q2) == 1  # b, open; a's referral was NFA; c's closed in August
    assert figure("referrals", "rereferrals", q1_next) == 1  # 2023-05-01 is within a year of 2022-07-01
    assert figure("referrals", "rereferrals", q2_later) == 0  # 2024-07-02 is not within a year of 2023-05-01
    assert figure("cp_visits", "visited", q2) == 2  # a on the 20th, b on the 16th (14 days before the 30th)


def test_the_sql_peer_counts_what_the_floor_counts():
    """``bench/sql_peer.py`` (DuckDB, the ``bench`` extra) gives every figure of the floor, on the embedded data."""
    pytest.importorskip("duckdb")
    spec = importlib.util.spec_from_file_location("sql_peer", paths.project_root() / "bench" / "sql_peer.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.compare(str(paths.default_data_dir()))
