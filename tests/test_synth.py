"""The synthetic generator: deterministic, and calibrated to published England figures."""

from __future__ import annotations

import polars as pl
import pytest

from perfkit.config import paths
from perfkit.indicators.engine import compute
from perfkit.indicators.periods import Period, periods_between
from perfkit.records.loading import load_dataset
from perfkit.synth import simulation as synth


def test_same_seed_same_files(tmp_path):
    one = synth.generate(seed=11, authorities=synth.DEFAULT_AUTHORITIES[:1], scale=0.05)
    two = synth.generate(seed=11, authorities=synth.DEFAULT_AUTHORITIES[:1], scale=0.05)
    synth.write_dataset(one, tmp_path / "a")
    synth.write_dataset(two, tmp_path / "b")
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_different_seed_different_records():
    one = synth.generate(seed=11, authorities=synth.DEFAULT_AUTHORITIES[:1], scale=0.05)
    two = synth.generate(seed=12, authorities=synth.DEFAULT_AUTHORITIES[:1], scale=0.05)
    assert not one["referrals"].equals(two["referrals"])


@pytest.fixture(scope="module")
def default_data():
    return load_dataset(paths.default_data_dir())


@pytest.fixture(scope="module")
def yearly(default_data):
    """Each financial year's Q4 figures (rolling 12 months) and quarterly figures."""
    periods = periods_between(Period.parse("2019-20 Q1"), Period.parse("2024-25 Q4"))
    return compute(default_data, periods)


def test_embedded_data_is_valid_and_covers_five_financial_years(default_data):
    assert default_data.authorities == ["990", "991", "992", "993"]
    referral_dates = default_data.table("referrals")["referral_date"]
    assert referral_dates.min() <= Period.parse("2019-20 Q1").start
    assert referral_dates.max() == Period.parse("2024-25 Q4").end
    for table in ("contacts", "referrals", "assessments", "section47", "cp_plans", "cp_visits", "cla_episodes",
                  "missing_episodes", "care_leavers", "workforce", "ehcp_requests", "population", "children"):
        assert default_data.table(table).height > 0, table


def _mean(frame: pl.DataFrame, indicator: str, quarter: str | None = None) -> float:
    rows = frame.filter(pl.col("indicator") == indicator)
    if quarter:
        rows = rows.filter(pl.col("period").str.ends_with(quarter))
    return rows["value"].mean()


def test_calibrated_to_published_england_rates(yearly):
    assert 480 <= _mean(yearly, "referral_rate", "Q4") <= 580      # England about 530 per 10,000
    assert 19 <= _mean(yearly, "rereferral_pct") <= 24             # England 20-23%
    assert 55 <= _mean(yearly, "cla_rate") <= 80                   # England about 67-70 per 10,000
    assert 30 <= _mean(yearly, "cpp_rate") <= 55                   # England about 42 per 10,000
    assert 75 <= _mean(yearly, "assessments_45wd_pct") <= 92       # England about 82-85%
    assert 14 <= _mean(yearly, "cpp_repeat_pct") <= 28             # England about 23%


def test_referrals_dip_in_august_and_rise_in_september(default_data):
    monthly = (
        default_data.table("referrals")
        .filter(pl.col("referral_date") >= Period.parse("2019-20 Q1").start)
        .group_by(pl.col("referral_date").dt.year().alias("year"), pl.col("referral_date").dt.month().alias("month"))
        .len()
    )
    for year in range(2019, 2025):
        counts = dict(monthly.filter(pl.col("year") == year).select("month", "len").iter_rows())
        assert counts[8] < counts[7] and counts[8] < counts[9], year


def test_repeat_missing_episodes_are_concentrated_on_few_children(default_data):
    per_child = default_data.table("missing_episodes").group_by("la_code", "child_id").len().sort("len", descending=True)
    top_tenth = per_child.head(per_child.height // 10)["len"].sum()
    assert top_tenth / per_child["len"].sum() > 0.35
    assert per_child["len"].max() >= 20


def test_a_few_children_have_many_placements(default_data):
    placements = (
        default_data.table("cla_episodes").filter(pl.col("rne").is_in(["S", "P", "B"]))
        .group_by("la_code", "child_id").len()
    )
    share_many = placements.filter(pl.col("len") >= 6).height / placements.height
    assert 0.005 < share_many < 0.15


def test_embedded_data_is_exactly_what_perfkit_synth_makes():
    regenerated = synth.generate()
    for name, frame in regenerated.items():
        committed = pl.read_parquet(paths.default_data_dir() / f"{name}.parquet")
        assert committed.equals(frame), f"data/{name}.parquet differs from `perfkit synth --out data`"
