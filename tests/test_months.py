"""Months beside quarters (#19: "90% in October", "missing from care at any time in the month").

A month is ``2024-25 M07`` (October 2024; M01 is April). Every figure of the catalogue is counted for a month
as for a quarter, with nothing written for months: a figure at the period end (children looked after, on a
plan, missing) is counted at the month's end, and a count of events in the period counts the month's. So,
on the embedded data, the three months of a quarter add up to it, and the quarter's last month ends where
it does: checked for every indicator, each put in one of three kinds below, so that a new indicator must be
placed too.
"""

from __future__ import annotations

import polars as pl
import pytest

from perfkit.config import paths
from perfkit.indicators.catalogue import load_catalogue
from perfkit.indicators.periods import Month, Period

AT_THE_END = {
    # counted at the period's end: the quarter's last month gives the quarter's figure
    "referral_rate", "early_help_open", "assessments_open_over_45wd", "cin_rate", "s47_rate", "cpp_rate",
    "cpp_looked_after", "cp_visits_10wd_pct", "cla_rate", "cla_uasc", "cla_uasc_threshold_pct", "cla_semi_independent",
    "cla_3plus_placements_pct", "cla_long_term_stability_pct", "missing_repeat_children",
    "missing_exploited_children", "missing_at_end", "sw_agency_rate", "sw_vacancy_rate", "sw_turnover_rate",
    "sw_permanent_fte", "sw_nqsw_pct", "sw_caseload", "ehcp_open", "ehcp_open_over_20wk",
}
IN_THE_PERIOD = {
    # events in the period (and percentages of them): a quarter's three months add up to it
    "contacts", "contact_conversion_pct", "referrals", "rereferral_pct", "referral_nfa_pct", "early_help_starts",
    "assessments_45wd_pct", "icpc_15wd_pct", "cpp_starts", "cpp_repeat_pct", "cpp_2yr_plus_pct", "cla_starts",
    "cla_ceased", "cla_reviews_held", "cla_review_participation_pct", "cla_reviews_on_time_pct", "cla_s20_starts",
    "cla_s20_repeat_starts", "missing_episodes", "missing_over_7d_pct", "rhi_offered_72h_pct", "rhi_accepted_pct",
    "care_leavers_suitable_pct", "care_leavers_recorded", "care_leavers_eet_pct", "sw_starters_fte",
    "ehcp_20wk_pct", "ehcp_requests_received", "ehcp_mediation",
}
NEITHER = {
    # children counted once however many months they went missing in, and medians: no sum holds
    "missing_children", "missing_episodes_per_child", "missing_under16_pct", "assessment_days_median",
    "missing_duration_median",
}


@pytest.fixture(scope="module")
def figures():
    """Every headline figure of 2023-24, by quarter and by month, for two authorities of the embedded data."""
    from perfkit.indicators.engine import compute
    from perfkit.records.loading import load_dataset

    data = load_dataset(paths.default_data_dir(), authorities=["990", "993"])
    quarters, months = [Period(2023, q) for q in range(1, 5)], [Month(2023, m) for m in range(1, 13)]
    found = compute(data, quarters + months).filter(pl.col("breakdown") == "all").with_columns(pl.col("period").cast(pl.String))
    by_quarter = found.filter(pl.col("period").str.contains(" Q"))
    by_month = found.filter(pl.col("period").str.contains(" M")).with_columns(
        quarter=pl.col("period").map_elements(lambda label: Month.parse(label).quarter.label, return_dtype=pl.String),
        last=pl.col("period").map_elements(lambda label: Month.parse(label).month % 3 == 0, return_dtype=pl.Boolean))
    return by_quarter, by_month


def test_every_indicator_is_placed_in_one_kind():
    ids = set(load_catalogue().ids)
    assert AT_THE_END | IN_THE_PERIOD | NEITHER == ids
    assert not (AT_THE_END & IN_THE_PERIOD or AT_THE_END & NEITHER or IN_THE_PERIOD & NEITHER)


def test_a_figure_at_the_period_end_is_the_same_at_the_quarters_last_month(figures):
    by_quarter, by_month = figures
    ends = by_month.filter("last").drop("period").rename({"quarter": "period"})
    joined = by_quarter.join(ends, on=["la_code", "period", "indicator"], suffix="_month")
    assert joined.height == by_quarter.height  # every quarter has its last month
    for row in joined.filter(pl.col("indicator").is_in(list(AT_THE_END))).iter_rows(named=True):
        assert (row["numerator"], row["denominator"], row["value"]) == (
            row["numerator_month"], row["denominator_month"], row["value_month"]), (row["indicator"], row["period"])
    assert joined.filter(pl.col("indicator").is_in(list(AT_THE_END)))["numerator"].sum() > 10_000


def test_a_count_of_events_is_the_sum_of_the_quarters_three_months(figures):
    by_quarter, by_month = figures
    sums = (by_month.group_by("la_code", "quarter", "indicator")
            .agg(pl.len().alias("months"), pl.col("numerator").sum().alias("numerator_months"),
                 pl.col("denominator").sum().alias("denominator_months"))
            .rename({"quarter": "period"}))
    joined = by_quarter.join(sums, on=["la_code", "period", "indicator"]).filter(pl.col("indicator").is_in(list(IN_THE_PERIOD)))
    assert joined.height == 2 * 4 * len(IN_THE_PERIOD) and (joined["months"] == 3).all()
    for row in joined.iter_rows(named=True):
        where = (row["la_code"], row["indicator"], row["period"])
        assert row["numerator_months"] == pytest.approx(row["numerator"] or 0.0, abs=1e-9), where  # FTE: decimals
        assert row["denominator_months"] == pytest.approx(row["denominator"] or 0.0, abs=1e-9), where
    assert joined.filter(pl.col("indicator") == "contacts")["numerator"].sum() > 10_000


def test_a_months_year_to_date_and_rolling_12_months_are_its_months():
    from perfkit.indicators.engine import compute
    from perfkit.records.loading import load_dataset

    data = load_dataset(paths.default_data_dir(), authorities=["990"])
    october = Month.parse("2024-25 M07")
    windows = [*october.series(12), "2024-25 M07 YTD", "2024-25 M07 R12"]
    found = compute(data, windows, indicators=["contacts", "missing_episodes"]).filter(pl.col("breakdown") == "all")
    for indicator in ("contacts", "missing_episodes"):
        counts = dict(found.filter(pl.col("indicator") == indicator).select(pl.col("period").cast(pl.String), "value").iter_rows())
        months = [counts[m.label] for m in october.series(12)]
        assert counts["2024-25 M07 YTD"] == sum(months[-7:])  # April to October
        assert counts["2024-25 M07 R12"] == sum(months)  # November 2023 to October 2024


def test_perfkit_measures_takes_a_month_and_refuses_what_is_not_one(capsys):
    from perfkit.cli import main

    data = str(paths.default_data_dir())
    assert main(["measures", "--data", data, "--authority", "990", "--period", "2024-25 M07", "--periods", "13"]) == 0
    printed = pl.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    assert printed["period"].unique().sort().to_list() == [m.label for m in Month.parse("2024-25 M07").series(13)]
    # the summer holidays: August's contacts are the fewest of the year, as the Assistant Director said (minutes 003)
    contacts = printed.filter(pl.col("indicator") == "contacts").sort("period")
    assert contacts.filter(pl.col("period") == "2024-25 M05")["value"].item() == contacts["value"].min()
    assert main(["measures", "--data", data, "--authority", "990", "--period", "2024-10"]) == 2
    assert "'2024-25 M07' (M01 is April, M12 March)" in capsys.readouterr().err
    assert main(["measures", "--data", data, "--authority", "990", "--period", "2025-26 M01"]) == 2
    assert "expected a month from" in capsys.readouterr().err
