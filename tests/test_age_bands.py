"""Age bands: the one rule for a child's age (``age_on``, at the event) and the bands it falls in.

Every referral of someone aged 18 or over in the embedded data is a re-referral (481 of 481 in the four
authorities): a young person first referred at 15-17 and referred again, within 12 months, after turning 18.
A band of its own for them was 100% re-referrals every quarter, by construction, and reached the member
report. The specification's bands stop at 16-17; the top band is open, as DfE's is ("16 and over").
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
from helpers import d, write_tables

from perfkit.indicators.breakdowns import age_band
from perfkit.indicators.labels import AGE_GROUPS, UNKNOWN
from perfkit.indicators.engine import compute
from perfkit.records.loading import load_dataset

PACKAGE = Path(__file__).resolve().parent.parent / "perfkit"


def test_the_bands_and_the_open_top_band():
    ages = [None, -1, 0, 1, 4, 5, 9, 10, 15, 16, 17, 18, 24]
    bands = pl.DataFrame({"a": ages}, schema={"a": pl.Int32}).select(age_band(pl.col("a"))).to_series().to_list()
    assert bands == [UNKNOWN, UNKNOWN, "Under 1", "1-4", "1-4", "5-9", "5-9", "10-15", "10-15",
                     "16 and over", "16 and over", "16 and over", "16 and over"]
    assert AGE_GROUPS == ("Under 1", "1-4", "5-9", "10-15", "16 and over", UNKNOWN)


def test_a_referral_after_the_18th_birthday_falls_in_the_top_band(tmp_path):
    """Born 1 August 2004: 17 at the first referral, 18 at the second (a re-referral within 12 months).
    The records start in 2021 (re-referrals read the 12 months before the quarter)."""
    children = pl.DataFrame({"la_code": ["999"] * 2, "child_id": ["a", "b"], "sex": ["F", "M"],
                             "date_of_birth": [d("2004-08-01"), d("2012-01-01")], "ethnicity": ["WBRI"] * 2})
    referrals = pl.DataFrame({
        "la_code": ["999"] * 4, "child_id": ["a", "a", "b", "b"], "referral_id": ["r1", "r2", "r3", "r4"],
        "referral_date": [d("2022-07-01"), d("2022-08-15"), d("2022-08-01"), d("2021-06-15")],
        "referral_source": ["6"] * 4, "nfa": ["N"] * 4, "closure_date": [None] * 4})
    data = load_dataset(write_tables(tmp_path / "data", {"children": children, "referrals": referrals}))
    frame = compute(data, ["2022-23 Q2"], ["999"], indicators=["rereferral_pct"], breakdowns=["age_band"])
    groups = {r["group"]: (r["numerator"], r["denominator"])
              for r in frame.filter(pl.col("breakdown") == "age_band").iter_rows(named=True)}
    assert groups == {"16 and over": (1.0, 2.0), "10-15": (0.0, 1.0)}


def test_no_age_group_of_the_member_report_is_a_re_referral_by_construction():
    from perfkit.config import paths

    authority = "990"
    data = load_dataset(paths.default_data_dir(), authorities=[authority])
    frame = compute(data, ["2024-25 Q1", "2024-25 Q2", "2024-25 Q3", "2024-25 Q4"], [authority],
                    breakdowns=["age_band"])
    groups = frame.filter(pl.col("breakdown") == "age_band")
    assert set(groups["group"]) <= set(AGE_GROUPS)
    rereferrals = groups.filter(pl.col("indicator") == "rereferral_pct")
    assert (rereferrals["value"] < 100).all(), rereferrals  # before: "18 and over" 5/5, 6/6, 8/8, 5/5
    headline = frame.filter((pl.col("breakdown") == "all") & pl.col("indicator").is_in(["contacts", "referrals", "cpp_starts"]))
    totals = groups.group_by("indicator", "period").agg(pl.col("numerator").sum())
    for row in headline.iter_rows(named=True):
        counted = totals.filter((pl.col("indicator") == row["indicator"]) & (pl.col("period") == row["period"]))
        assert counted["numerator"].item() == row["numerator"]  # every counted event has a band


def test_an_age_is_worked_out_by_age_on_alone():
    """No second rule for a child's age where figures are counted or explored (``children.age_on`` is the one)."""
    second_rule = re.compile(r"(date_of_birth|dob|birth)\W.*(offset_by|\.dt\.year\(\)|365|total_days)"
                             r"|(offset_by|\.dt\.year\(\)|365|total_days).*\W(date_of_birth|dob)\b", re.IGNORECASE)
    found = []
    for room in ("indicators", "workbench"):
        for path in sorted((PACKAGE / room).rglob("*.py")):
            if path.name == "children.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if second_rule.search(line):
                    found.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert not found, found
