"""Indicators against a small dataset whose answers were worked out by hand.

Period 2022-23 Q2 (1 July to 30 September 2022), authority 999, population
aged 0-17 of 20,000 at mid-2022 (19,000 at mid-2021 and 21,000 at mid-2023
must not be used).
"""

from __future__ import annotations

import pytest
import polars as pl

from perfkit.engine import compute
from perfkit.loading import load_dataset
from perfkit.periods import Period

from conftest import d, write_tables

LA = "999"
PERIOD = Period.parse("2022-23 Q2")


def _frame(columns: list[str], rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=columns, orient="row")


@pytest.fixture(scope="module")
def hand_data(tmp_path_factory):
    children = _frame(
        ["la_code", "child_id", "sex", "date_of_birth", "ethnicity", "disability", "uasc", "district"],
        [(LA, c, "F", d("2008-05-01"), "WBRI", "N", "N", "North") for c in "abcde"],
    )
    referrals = _frame(
        ["la_code", "child_id", "referral_id", "referral_date", "referral_source", "nfa", "closure_date"],
        [
            (LA, "a", "r1", d("2021-07-01"), "6", "N", d("2021-08-01")),
            (LA, "a", "r2", d("2022-07-01"), "6", "N", None),   # same date a year on: re-referral
            (LA, "b", "r3", d("2021-07-14"), "2A", "N", d("2021-09-01")),
            (LA, "b", "r4", d("2022-07-15"), "2A", "N", None),  # a year and a day: not a re-referral
            (LA, "c", "r5", d("2022-08-10"), "6", "N", None),
            (LA, "c", "r6", d("2022-08-10"), "6", "Y", d("2022-08-10")),  # same day: not a re-referral
            (LA, "d", "r7", d("2022-09-30"), "8", "N", None),   # last day of the quarter
            (LA, "d", "r8", d("2022-10-01"), "8", "N", None),   # next quarter
            (LA, "e", "r9", d("2022-06-30"), "8", "N", None),   # previous quarter, inside rolling 12
        ],
    )
    assessments = _frame(
        ["la_code", "child_id", "assessment_id", "referral_id", "start_date", "authorised_date"],
        [
            # 45 working days because Monday 29 August 2022 is a bank holiday (46 weekdays)
            (LA, "a", "a1", "r2", d("2022-07-01"), d("2022-09-05")),
            (LA, "b", "a2", "r4", d("2022-07-01"), d("2022-09-06")),  # 46 working days
            (LA, "c", "a4", "r5", d("2022-06-01"), None),            # not authorised: excluded
            (LA, "d", "a5", "r7", d("2022-09-20"), d("2022-09-30")),  # 8 working days
            (LA, "e", "a6", "r9", d("2022-06-01"), d("2022-06-30")),  # authorised last quarter
        ],
    )
    cp_plans = _frame(
        ["la_code", "child_id", "plan_id", "start_date", "end_date", "initial_category", "latest_category"],
        [
            (LA, "a", "p1", d("2021-01-01"), d("2021-06-01"), "NEG", "NEG"),
            (LA, "a", "p2", d("2022-08-01"), None, "NEG", "NEG"),            # open, repeat
            (LA, "b", "p3", d("2022-07-10"), d("2022-09-30"), "EMO", "EMO"),  # ended on the period end
            (LA, "c", "p4", d("2022-09-30"), None, "PHY", "PHY"),            # started on the period end
            (LA, "d", "p5", d("2020-01-01"), d("2022-10-05"), "NEG", "NEG"),  # open at the period end
            (LA, "d", "p6", d("2022-10-01"), None, "NEG", "NEG"),            # next quarter
        ],
    )
    cla = _frame(
        ["la_code", "child_id", "episode_start", "episode_end", "rne", "legal_status", "category_of_need", "placement_type"],
        [
            (LA, "a", d("2020-01-01"), d("2021-03-01"), "S", "C2", "N1", "U1"),
            (LA, "a", d("2022-09-01"), None, "S", "V2", "N1", "U1"),
            (LA, "b", d("2022-01-01"), d("2022-05-01"), "S", "C2", "N1", "U1"),
            (LA, "b", d("2022-05-01"), d("2022-09-30"), "P", "C2", "N1", "K2"),  # ceased on the period end
            (LA, "c", d("2022-09-30"), None, "S", "C1", "N1", "U3"),
            (LA, "d", d("2019-01-01"), d("2022-02-01"), "S", "C2", "N1", "U1"),
            (LA, "d", d("2022-02-01"), d("2022-11-01"), "P", "C2", "N1", "U4"),
        ],
    )
    missing = _frame(
        ["la_code", "child_id", "missing_start", "missing_end", "missing_type", "looked_after", "rhi_offered_date", "rhi_accepted"],
        [
            (LA, "a", d("2022-07-01"), d("2022-07-02"), "M", "Y", d("2022-07-05"), "Y"),  # offered in 3 days
            (LA, "a", d("2022-07-10"), d("2022-07-10"), "M", "Y", d("2022-07-14"), "N"),  # 4 days: late
            (LA, "a", d("2022-07-20"), d("2022-07-20"), "A", "Y", None, None),            # away: not missing
            (LA, "b", d("2022-09-30"), d("2022-10-01"), "M", "N", d("2022-10-02"), "Y"),  # ends next quarter
            (LA, "b", d("2022-06-29"), d("2022-07-01"), "M", "N", None, None),            # started last quarter
            (LA, "c", d("2022-08-01"), None, "M", "N", None, None),                       # still missing
        ],
    )
    population = _frame(["la_code", "year", "population_0_17"], [(LA, 2021, 19000), (LA, 2022, 20000), (LA, 2023, 21000)])
    directory = write_tables(tmp_path_factory.mktemp("hand"), {
        "children": children, "referrals": referrals, "assessments": assessments, "cp_plans": cp_plans,
        "cla_episodes": cla, "missing_episodes": missing, "population": population,
    })
    frame = compute(load_dataset(directory), [PERIOD])
    return {row["indicator"]: row for row in frame.iter_rows(named=True)}


@pytest.mark.parametrize(
    "indicator, numerator, denominator, value",
    [
        ("referrals", 5, None, 5),
        ("referral_rate", 6, 20000, 3.0),
        ("rereferral_pct", 1, 5, 20.0),
        ("assessments_45wd_pct", 2, 3, 200 / 3),
        ("cpp_rate", 3, 20000, 1.5),
        ("cpp_repeat_pct", 1, 3, 100 / 3),
        ("cla_rate", 3, 20000, 1.5),
        ("missing_episodes", 4, None, 4),
        ("missing_children", 3, None, 3),
        ("missing_episodes_per_child", 4, 3, 4 / 3),
        ("rhi_offered_72h_pct", 1, 3, 100 / 3),
    ],
)
def test_hand_computed(hand_data, indicator, numerator, denominator, value):
    row = hand_data[indicator]
    assert row["la_code"] == LA and row["period"] == PERIOD.label
    assert row["breakdown"] == "all" and row["group"] == "all"
    assert row["numerator"] == numerator
    assert row["denominator"] == denominator
    assert row["value"] == pytest.approx(value)


def test_zero_denominator_gives_an_empty_value_not_zero(tmp_path):
    children = _frame(["la_code", "child_id", "sex", "date_of_birth", "ethnicity"], [(LA, "a", "M", d("2010-01-01"), "WBRI")])
    referrals = _frame(["la_code", "child_id", "referral_id", "referral_date", "referral_source", "nfa"],
                       [(LA, "a", "r1", d("2020-01-01"), "6", "N")])
    data = load_dataset(write_tables(tmp_path, {"children": children, "referrals": referrals}))
    rows = {r["indicator"]: r for r in compute(data, [PERIOD]).iter_rows(named=True)}
    assert rows["referrals"]["value"] == 0
    assert rows["rereferral_pct"]["denominator"] == 0
    assert rows["rereferral_pct"]["value"] is None
    assert "referral_rate" not in rows  # no population table: rates cannot be computed


def test_many_periods_in_one_call_match_single_period_calls(small_data):
    data = load_dataset(small_data)
    periods = Period.parse("2023-24 Q4").series(6)
    together = compute(data, periods)
    for period in (periods[0], periods[-1]):
        alone = compute(data, [period])
        assert together.filter(pl.col("period") == period.label).equals(alone)
