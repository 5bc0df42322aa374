"""Statistical process control (perfkit.indicators.spc*): the rules of Making Data Count as NHSRplotthedots applies them.

Two kinds of case. Literal ones are NHSRplotthedots' own (nhs-r-community/NHSRplotthedots,
tests/testthat/*), each citing its file. Hand-computed ones put each rule at its threshold
and one point short, for every polarity: they chart a fixed baseline of twelve points
(12, 10, 12, ... 10: mean 11, every moving range 2, so limits 11 ± 5.32, two-sigma lines
11 ± 3.5467 and one-sigma 11 ± 1.7733) and add the points under test after it, with the
limits fixed on the baseline (``baseline_points=12``) so that the points tested do not move them.
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfkit.errors import PerfkitError
from perfkit.indicators import spc_rules
from perfkit.indicators.spc import (
    COLUMNS,
    IMPROVEMENT_OF_POLARITY,
    SpcInputError,
    read_series_csv,
    spc_csv,
    trial_limit_warnings,
    write_chart_csv,
    xmr,
    xmr_limits,
)
from perfkit.indicators.spc_attribute import p_chart, recommended_chart, u_chart

BASE = [12.0, 10.0] * 6
"""Ends below the mean: the points after it start a run above afresh."""
BASE_UP = [10.0, 12.0] * 6
"""Ends above the mean: the points after it start a run below afresh."""
MEAN, AMR = 11.0, 2.0


def frame(values, periods=None) -> pl.DataFrame:
    periods = periods or [f"P{i:02}" for i in range(1, len(values) + 1)]
    return pl.DataFrame({"period": periods, "value": [float(v) for v in values]})


def after(base, tail, improvement="higher", **options) -> pl.DataFrame:
    """The chart of ``base + tail``, limits fixed on the 12 base points; only the tail's rows."""
    chart = xmr(frame(base + tail), improvement, baseline_points=12, detail=True, **options)
    return chart.slice(len(base))


def types(base, tail, improvement="higher") -> list[str]:
    return after(base, tail, improvement)["point_type"].to_list()


UPL = MEAN + 2.66 * AMR
LPL = MEAN - 2.66 * AMR
UPPER_2SIGMA = MEAN + 2 * (2.66 / 3) * AMR
LOWER_2SIGMA = MEAN - 2 * (2.66 / 3) * AMR

# Which type a flagged point of each direction takes under each improvement.
HIGH = {"higher": "special_cause_improvement", "lower": "special_cause_concern", "neither": "special_cause_neutral"}
LOW = {"higher": "special_cause_concern", "lower": "special_cause_improvement", "neither": "special_cause_neutral"}
C = "common_cause"
POLARITIES = ["higher", "lower", "neither"]


# --- the limits ---------------------------------------------------------------------------------------


def test_the_baseline_limits_by_hand():
    chart = xmr(frame(BASE), "higher", detail=True)
    assert chart["mean"].unique().to_list() == [MEAN]
    assert chart["mean_moving_range"].unique().to_list() == [AMR]
    assert chart["lower_limit"][0] == pytest.approx(5.68) and chart["upper_limit"][0] == pytest.approx(16.32)
    assert chart["lower_2sigma"][0] == pytest.approx(11 - 3.546667, abs=1e-6)
    assert chart["upper_2sigma"][0] == pytest.approx(11 + 3.546667, abs=1e-6)
    assert chart["lower_1sigma"][0] == pytest.approx(11 - 1.773333, abs=1e-6)
    assert chart["upper_1sigma"][0] == pytest.approx(11 + 1.773333, abs=1e-6)
    assert chart["point_type"].unique().to_list() == [C]


def test_the_columns_are_exactly_these():
    chart = xmr(frame(BASE), "higher", 20.0)
    assert tuple(chart.columns) == COLUMNS
    assert chart.schema["value"] == pl.Float64 and chart.schema["assurance"] == pl.String


def test_outlying_moving_ranges_are_screened_by_hand():
    """The deviations vignette's series (vignettes/deviations.Rmd): a 10 among 1s and 2s.

    Moving ranges 1, 1, 1, 8, 9 and twelve 1s: mean 32/17; 8 and 9 are beyond 3.267 of it, so the
    second mean is of fifteen 1s. Without screening (the Making Data Count spreadsheets) it stays 32/17.
    """
    values = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    assert xmr_limits(values) == (35 / 18, 1.0)
    assert xmr_limits(values, screen_outliers=False) == (35 / 18, 32 / 17)
    screened, kept = xmr(frame(values)), xmr(frame(values), screen_outliers=False)
    assert screened["upper_limit"][0] == pytest.approx(35 / 18 + 2.66)
    assert kept["upper_limit"][0] == pytest.approx(35 / 18 + 2.66 * 32 / 17)
    assert screened["point_type"][4] == kept["point_type"][4] == "special_cause_improvement"


@pytest.mark.parametrize("jump, screened", [(4.2, False), (4.25, True)])
def test_screening_threshold(jump, screened):
    """Ten moving ranges of 1 and one of ``jump``: screened when ``jump >= 3.267 * (10 + jump) / 11``, at 4.2247."""
    values = [0, 1] * 5 + [0, jump]
    average = (10 + jump) / 11
    assert xmr_limits(values)[1] == pytest.approx(1.0 if screened else average)


def test_a_constant_series_has_limits_on_its_mean():
    """Every moving range 0: none survives screening; perfkit takes 0, not the reference's NaN."""
    chart = xmr(frame([5] * 12), "higher")
    assert chart["lower_limit"].to_list() == chart["upper_limit"].to_list() == [5.0] * 12
    assert chart["point_type"].unique().to_list() == [C]


# --- a point beyond a limit ------------------------------------------------------------------------------


@pytest.mark.parametrize("improvement", POLARITIES)
def test_a_point_beyond_the_upper_limit(improvement):
    above = math.nextafter(UPL, math.inf)
    assert types(BASE, [above], improvement) == [HIGH[improvement]]
    assert after(BASE, [above])["special_cause_type"].to_list() == ["Above UCL"]


@pytest.mark.parametrize("improvement", POLARITIES)
def test_a_point_on_the_upper_limit_is_not_beyond_it(improvement):
    chart = after(BASE, [UPL], improvement)
    assert chart["upper_limit"][0] == UPL
    assert chart["point_type"].to_list() == [C]
    assert chart["close_to_limits"].to_list() == [True]  # beyond two sigma, within the limit


@pytest.mark.parametrize("improvement", POLARITIES)
def test_a_point_beyond_the_lower_limit(improvement):
    assert types(BASE_UP, [math.nextafter(LPL, -math.inf)], improvement) == [LOW[improvement]]
    assert types(BASE_UP, [LPL], improvement) == [C]


# --- seven points on one side of the mean --------------------------------------------------------------


@pytest.mark.parametrize("improvement", POLARITIES)
def test_seven_points_above_the_mean_all_flagged(improvement):
    assert types(BASE, [11.5] * 7, improvement) == [HIGH[improvement]] * 7


@pytest.mark.parametrize("improvement", POLARITIES)
def test_six_points_above_the_mean_are_not_a_run(improvement):
    assert types(BASE, [11.5] * 6, improvement) == [C] * 6


@pytest.mark.parametrize("improvement", POLARITIES)
def test_seven_points_below_the_mean(improvement):
    assert types(BASE_UP, [10.5] * 7, improvement) == [LOW[improvement]] * 7
    assert types(BASE_UP, [10.5] * 6, improvement) == [C] * 6


def test_a_point_on_the_mean_breaks_a_run():
    chart = after(BASE, [11.5] * 3 + [MEAN] + [11.5] * 4)
    assert chart["relative_to_mean"].to_list() == [1, 1, 1, 0, 1, 1, 1, 1]
    assert chart["point_type"].to_list() == [C] * 8


def test_a_run_longer_than_seven_is_flagged_throughout():
    assert types(BASE, [11.5] * 9) == [HIGH["higher"]] * 9


# --- seven points in a trend --------------------------------------------------------------------------


@pytest.mark.parametrize("improvement", POLARITIES)
def test_seven_increasing_points_all_flagged_even_across_the_mean(improvement):
    chart = after(BASE, [8, 9, 10, 11, 12, 13, 14], improvement)
    assert chart["relative_to_mean"].to_list() == [-1, -1, -1, 0, 1, 1, 1]
    assert chart["point_type"].to_list() == [HIGH[improvement]] * 7
    assert set(chart["special_cause_type"]) == {"7 Point Trend (Increasing)"}


@pytest.mark.parametrize("improvement", POLARITIES)
def test_six_increasing_points_are_not_a_trend(improvement):
    assert types(BASE, [8, 9, 10, 11, 12, 13], improvement) == [C] * 6


@pytest.mark.parametrize("improvement", POLARITIES)
def test_seven_decreasing_points(improvement):
    assert types(BASE, [14, 13, 12, 11, 10, 9, 8], improvement) == [LOW[improvement]] * 7
    assert types(BASE, [14, 13, 12, 11, 10, 9], improvement) == [C] * 6


def test_an_equal_neighbour_breaks_a_trend():
    assert types(BASE, [8, 9, 10, 10, 11, 12, 13, 14]) == [C] * 8


# --- two of three beyond two sigma -----------------------------------------------------------------------


@pytest.mark.parametrize("improvement", POLARITIES)
def test_two_of_three_beyond_two_sigma_above(improvement):
    chart = after(BASE, [15, 11.5, 15], improvement)
    assert chart["close_to_limits"].to_list() == [True, False, True]
    # only the two points beyond two sigma are flagged, not the third (ptd_part_of_two_in_three)
    assert chart["point_type"].to_list() == [HIGH[improvement], C, HIGH[improvement]]
    assert chart["special_cause_type"].to_list() == ["2 in 3 Above CL", "Common Cause", "2 in 3 Above CL"]


@pytest.mark.parametrize("improvement", POLARITIES)
def test_one_of_three_beyond_two_sigma_is_not_enough(improvement):
    assert types(BASE, [15, 11.5, 11.5], improvement) == [C] * 3


@pytest.mark.parametrize("improvement", POLARITIES)
def test_two_of_three_beyond_two_sigma_below(improvement):
    assert types(BASE_UP, [7, 10.5, 7], improvement) == [LOW[improvement], C, LOW[improvement]]
    assert types(BASE_UP, [7, 10.5, 10.5], improvement) == [C] * 3


def test_a_point_on_the_two_sigma_line_is_not_beyond_it():
    chart = after(BASE, [UPPER_2SIGMA, 11.5, 15])
    assert chart["upper_2sigma"][0] == UPPER_2SIGMA
    assert chart["point_type"].to_list() == [C] * 3


def test_two_of_three_must_all_be_on_one_side_of_the_mean():
    assert types(BASE, [15, 10.5, 15]) == [C] * 3


def test_a_point_beyond_the_limit_does_not_count_as_beyond_two_sigma():
    """close_to_limits excludes points outside the limits (ptd_spc_standard)."""
    assert types(BASE, [17, 15, 11.5]) == [HIGH["higher"], C, C]


def test_two_beyond_two_sigma_at_the_end_wait_for_a_third_point():
    """The reference pads the series with points on no side: two at the end are not yet flagged."""
    assert types(BASE, [15, 15]) == [C, C]
    assert types(BASE, [15, 15, 11.5]) == [HIGH["higher"], HIGH["higher"], C]


# --- when rules disagree -------------------------------------------------------------------------------------


def test_beyond_a_limit_wins_over_a_trend():
    """A rising trend that starts below the lower limit: that point is a concern, the rest improvement."""
    chart = after(BASE, [5, 7, 8, 9, 10, 11, 12])
    assert chart["special_cause_type"][0] == "Below LCL"
    assert chart["point_type"].to_list() == [LOW["higher"]] + [HIGH["higher"]] * 6


def test_a_trend_wins_over_a_run_and_takes_its_own_direction():
    """Seven points above the mean, falling: a decreasing trend (concern when higher is better)."""
    chart = after(BASE, [14, 13.5, 13, 12.5, 12, 11.5, 11.2])
    assert chart["relative_to_mean"].unique().to_list() == [1]
    assert chart["point_type"].to_list() == [LOW["higher"]] * 7


def test_a_trend_wins_over_two_of_three():
    chart = after(BASE, [8, 9, 10, 11, 12, 14.6, 14.8, 11.5])
    assert chart["close_to_limits"].to_list()[5:7] == [True, True]
    assert chart["special_cause_type"].to_list()[:7] == ["7 Point Trend (Increasing)"] * 7


def test_two_of_three_wins_over_a_run():
    chart = after(BASE, [11.5, 15, 11.5, 15, 11.5, 11.5, 11.5])
    assert chart["special_cause_type"].to_list() == ["7 Points Above CL", "2 in 3 Above CL", "7 Points Above CL",
                                                     "2 in 3 Above CL"] + ["7 Points Above CL"] * 3


def test_the_peak_of_a_rise_and_a_fall_takes_the_fall():
    """A point in two trends takes the step to the next point (ptd_special_cause_type)."""
    chart = after(BASE, [8, 9, 10, 11, 12, 13, 14, 13, 12, 11, 10, 9, 8])
    assert chart["point_type"].to_list() == [HIGH["higher"]] * 6 + [LOW["higher"]] * 7


def test_a_flat_step_between_two_trends_reads_as_decreasing():
    """The reference's quirk, kept: a step of 0 is labelled decreasing."""
    values = [1, 2, 3, 4, 5, 6, 7, 7, 8, 9, 10, 11, 12, 13]
    got = spc_rules.special_cause_types(values, [1] * 14, [0] * 14, [0] * 14)
    assert got[6] == "7 Point Trend (Decreasing)"
    assert got[:6] == ["7 Point Trend (Increasing)"] * 6 and got[7:] == ["7 Point Trend (Increasing)"] * 7


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 20), min_size=2, max_size=40))
def test_lower_is_the_mirror_of_higher(values):
    swap = {"special_cause_improvement": "special_cause_concern", "special_cause_concern": "special_cause_improvement"}
    higher, lower = xmr(frame(values), "higher"), xmr(frame(values), "lower")
    assert [swap.get(t, t) for t in higher["point_type"]] == lower["point_type"].to_list()
    neutral = xmr(frame(values), "neither")["point_type"].to_list()
    assert [t if t == C else "special_cause_neutral" for t in higher["point_type"]] == neutral


# --- variation and assurance -----------------------------------------------------------------------------


def test_variation_is_the_latest_points_type():
    chart = xmr(frame(BASE + [UPL + 1]), "lower", baseline_points=12)
    assert chart["variation"].unique().to_list() == ["special_cause_concern"]
    assert xmr(frame(BASE), "lower")["variation"].unique().to_list() == [C]


@pytest.mark.parametrize("target, higher, lower", [
    (17.0, "fail", "pass"),                          # both limits below the target
    (5.0, "pass", "fail"),                           # both limits above it
    (11.0, "hit_and_miss", "hit_and_miss"),          # between them
    (UPL, "hit_and_miss", "hit_and_miss"),           # on a limit: not beyond it
    (math.nextafter(UPL, math.inf), "fail", "pass"),
    (LPL, "hit_and_miss", "hit_and_miss"),
    (math.nextafter(LPL, -math.inf), "pass", "fail"),
])
def test_assurance(target, higher, lower):
    assert xmr(frame(BASE), "higher", target)["assurance"].unique().to_list() == [higher]
    assert xmr(frame(BASE), "lower", target)["assurance"].unique().to_list() == [lower]


def test_no_assurance_without_a_target_or_a_direction():
    assert xmr(frame(BASE), "higher")["assurance"].null_count() == 12
    assert xmr(frame(BASE), "neither", 17.0)["assurance"].null_count() == 12


def test_assurance_is_of_the_latest_segment_only():
    """test-ptd_calculate_assurance_type.R, 'when rebase': the last row's limits decide; the summary
    (ptd_spc.R, summary.ptd_spc_df) leaves earlier segments' assurance empty."""
    chart = xmr(frame(BASE + [v + 10 for v in BASE]), "higher", 17.0, rebase_at=["P13"])
    assert chart["assurance"].to_list() == [None] * 12 + ["hit_and_miss"] * 12
    assert xmr(frame(BASE + [v + 10 for v in BASE]), "higher", 30.0, rebase_at=["P13"])["assurance"][-1] == "fail"


@pytest.mark.parametrize("improvement, expected", [
    ("higher", ["consistent_fail", "consistent_pass", "inconsistent"]),
    ("lower", ["consistent_pass", "consistent_fail", "inconsistent"]),
    ("neither", [None, None, None]),
])
def test_reference_assurance_cases(improvement, expected):
    """tests/testthat/test-ptd_calculate_assurance_type.R: lpl 1, 5, 1; upl 3, 7, 5; target 4."""
    names = {"consistent_fail": "fail", "consistent_pass": "pass", "inconsistent": "hit_and_miss", None: None}
    got = [spc_rules.assurance(4, lo, up, improvement) for lo, up in [(1, 3), (5, 7), (1, 5)]]
    assert got == [names[e] for e in expected]


# --- baselines, segments and rebasing -----------------------------------------------------------------------


def test_rebasing_recalculates_the_limits_per_segment():
    values = BASE + [v + 10 for v in BASE]
    chart = xmr(frame(values), "higher", rebase_at=["P13"], detail=True)
    assert chart["segment"].to_list() == [0] * 12 + [1] * 12
    assert chart["mean"].to_list() == [11.0] * 12 + [21.0] * 12
    assert chart["upper_limit"].to_list() == pytest.approx([16.32] * 12 + [26.32] * 12)
    assert chart["point_type"].unique().to_list() == [C]
    whole = xmr(frame(values), "higher")
    assert whole["mean"][0] == 16.0 and "special_cause_improvement" in whole["point_type"].to_list()


def test_rules_do_not_run_across_a_rebase():
    """ptd_calculate_point_type groups by rebase_group: four points above one mean and three above the next are no run."""
    values = [10, 12] * 6 + [11.5] * 4 + [20, 22] * 6 + [21.5] * 3
    chart = xmr(frame(values), "higher", rebase_at=["P17"])
    assert chart["point_type"].unique().to_list() == [C]


def test_rebasing_at_the_first_period_changes_nothing():
    assert xmr(frame(BASE), rebase_at=["P01"]).equals(xmr(frame(BASE)))


def test_baseline_points_fix_the_limits():
    values = BASE + [30, 30, 30]
    fixed = xmr(frame(values), "higher", baseline_points=12, detail=True)
    assert fixed["mean"].unique().to_list() == [11.0]
    assert fixed["baseline"].to_list() == [True] * 12 + [False] * 3
    assert xmr(frame(values), "higher")["mean"][0] == pytest.approx(222 / 15)


@pytest.mark.parametrize("bad", [11, 0, -3, 12.0, True, "12"])
def test_baseline_points_must_be_at_least_twelve(bad):
    """ptd_spc_options: 'fix_after_n_points must be a single numeric that is greater than or equal to 12.'"""
    with pytest.raises(SpcInputError, match="baseline_points .*at least 12"):
        xmr(frame(BASE), baseline_points=bad)


def test_trial_limits_under_twelve_points():
    """tests/testthat/test-ptd_add_short_group_warnings.R: 11 points warn, 12 do not; a short
    segment of 5 after 35 warns on those 5 only."""
    assert xmr(frame(BASE[:11]), detail=True)["trial_limits"].to_list() == [True] * 11
    assert xmr(frame(BASE), detail=True)["trial_limits"].to_list() == [False] * 12
    values = [float(i % 3) for i in range(40)]
    chart = xmr(frame(values), rebase_at=["P36"], detail=True)
    assert chart["trial_limits"].to_list() == [False] * 35 + [True] * 5
    assert trial_limit_warnings(chart) == [
        "5 points from period 'P36': fewer than 12, so the limits are trial limits, to be revised as points are added"]


def test_dates_are_sorted_and_rebased_by_date():
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(24)]
    values = BASE + [v + 10 for v in BASE]
    shuffled = pl.DataFrame({"period": days[::-1], "value": values[::-1]})
    chart = xmr(shuffled, rebase_at=[dt.date(2024, 1, 13)])
    assert chart["period"].to_list() == days
    assert chart["mean"].to_list() == [11.0] * 12 + [21.0] * 12
    assert xmr(shuffled, rebase_at=["2024-01-13"]).equals(chart)  # an ISO date names a date period


# --- NHSRplotthedots' own expected outputs ---------------------------------------------------------------------

# set.seed(123); rnorm(20), as the reference's snapshot prints them (tests/testthat/_snaps/ptd_spc_standard.md)
RNORM = [-0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621, -1.26506123,
         -0.68685285, -0.44566197, 1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113, 1.78691314,
         0.49785048, -1.96661716, 0.70135590, -0.47279141]
DAYS = [dt.date(2020, 1, 2) + dt.timedelta(days=i) for i in range(20)]


def rnorm_frame(values=RNORM) -> pl.DataFrame:
    return pl.DataFrame({"period": DAYS[:len(values)], "value": values})


def test_reference_snapshot_ptd_spc_standard():
    """tests/testthat/test-ptd_spc_standard.R 'it returns expected values' and its snapshot
    (_snaps/ptd_spc_standard.md): r1 as is; r2 with y[15] = 10, outliers screened; r3 not screened."""
    r1 = xmr(rnorm_frame(), detail=True)
    assert (r1["mean"][0], r1["lower_limit"][0], r1["upper_limit"][0]) == pytest.approx(
        (0.1416238, -3.01138, 3.294627), abs=5e-7)
    assert r1["relative_to_mean"].to_list()[:15] == [-1, -1, 1, -1, -1, 1, 1, -1, -1, -1, 1, 1, 1, -1, -1]
    assert not any(r1["outside_limits"])
    # the glimpse shows only the first points' close_to_limits (FALSE); by hand, the 18th (-1.967) is beyond
    # the two-sigma line at 0.1416 - 2 * (2.66 / 3) * 1.1853 = -1.960, alone, so common cause
    assert flags(r1["close_to_limits"]) == [18] and r1["point_type"].unique().to_list() == [C]
    with_outlier = RNORM[:14] + [10.0] + RNORM[15:]
    r2 = xmr(rnorm_frame(with_outlier), detail=True)
    r3 = xmr(rnorm_frame(with_outlier), screen_outliers=False, detail=True)
    assert (r2["mean"][0], r2["lower_limit"][0], r2["upper_limit"][0]) == pytest.approx(
        (0.6694159, -2.383666, 3.722497), abs=5e-7)
    assert (r3["mean"][0], r3["lower_limit"][0], r3["upper_limit"][0]) == pytest.approx(
        (0.6694159, -4.596625, 5.935457), abs=5e-7)
    assert r2["relative_to_mean"].to_list()[:14] == [-1, -1, 1, -1, -1, 1, -1, -1, -1, -1, 1, -1, -1, -1]
    # by hand: the 10 is beyond both the screened and the unscreened upper limit
    assert flags(r2["outside_limits"]) == flags(r3["outside_limits"]) == [15]


def test_reference_fix_after_n_points_changes_the_limits():
    """test-ptd_spc_standard.R 'setting fix_after_n_points changes the calculations'."""
    assert xmr(rnorm_frame(), baseline_points=12)["lower_limit"][0] != xmr(rnorm_frame())["lower_limit"][0]


def test_reference_two_of_three_on_opposite_sides():
    """test-ptd_spc_standard.R: symmetrical data, the last two points ±5.5: both common cause."""
    values = [1.0, -1.0] * 8
    values[14], values[15] = 5.5, -5.5
    days = [dt.date(2020, 1, 2) + dt.timedelta(days=i) for i in range(16)]
    chart = xmr(pl.DataFrame({"period": days, "value": values}))
    assert chart["point_type"].to_list()[-2:] == [C, C]


def test_reference_summary_snapshot():
    """tests/testthat/test-ptd_spc.R 'it outputs expected content', _snaps/ptd_spc.md: all 20 points common
    cause; facets of the first and last 10 (each charted alone here) have means 0.0746 and 0.209,
    limits -2.60..2.75 and -3.28..3.70."""
    whole = xmr(rnorm_frame())
    assert whole["point_type"].unique().to_list() == [C] and whole["variation"][-1] == C
    first, second = xmr(rnorm_frame(RNORM[:10])), xmr(pl.DataFrame({"period": DAYS[10:], "value": RNORM[10:]}))
    assert (first["mean"][0], first["lower_limit"][0], first["upper_limit"][0]) == pytest.approx(
        (0.0746, -2.60, 2.75), abs=5e-3)
    assert (second["mean"][0], second["lower_limit"][0], second["upper_limit"][0]) == pytest.approx(
        (0.209, -3.28, 3.70), abs=5e-3)
    assert xmr(rnorm_frame(), "higher", 0.5)["assurance"][-1] == "hit_and_miss"


def test_reference_rule_functions():
    """tests/testthat/test-ptd_calculate_point_type.R, case by case."""
    f = spc_rules
    assert f.seven_point_one_side_mean([]) == []
    assert f.seven_point_one_side_mean([1] * 6) == [0] * 6
    assert f.seven_point_one_side_mean([1] * 6 + [-1]) == [0] * 7
    assert f.seven_point_one_side_mean([1] * 8 + [-1]) == [0] * 6 + [1, 1, 0]
    assert f.seven_point_one_side_mean([-1] * 8 + [1]) == [0] * 6 + [1, 1, 0]
    assert f.part_of_seven([]) == []
    assert f.part_of_seven([0] * 6) == [0] * 6
    assert f.part_of_seven([0] * 6 + [1, 0]) == [1] * 7 + [0]
    assert f.part_of_seven([0] * 7 + [1, 0]) == [0] + [1] * 7 + [0]
    assert f.part_of_seven([0] * 6 + [-1, 0]) == [1] * 7 + [0]
    assert f.part_of_seven([0] * 7 + [-1, 0]) == [0] + [1] * 7 + [0]
    assert f.seven_point_trend([]) == []
    assert f.seven_point_trend([1, 2, 3, 4, 5, 6]) == [0] * 6
    assert f.seven_point_trend([1, 2, 3, 3, 4, 5, 6]) == [0] * 7
    assert f.seven_point_trend([1, 2, 3, 4, 5, 6, 7]) == [0] * 6 + [1]
    assert f.seven_point_trend([2, 1, 2, 3, 4, 5, 6, 7, 3]) == [0] * 7 + [1, 0]
    assert f.seven_point_trend([7, 6, 5, 4, 3, 2, 1]) == [0] * 6 + [-1]
    assert f.seven_point_trend([2, 7, 6, 5, 4, 3, 2, 1, 3]) == [0] * 7 + [-1, 0]
    assert f.two_in_three([], []) == []
    assert f.two_in_three([0, 0, 0], [0, 0, 0]) == [0, 0, 0]
    for close in ([1, 0, 1], [0, 1, 1], [1, 1, 0]):
        assert f.two_in_three(close, [1, 1, 1]) == [1, 1, 1]
        assert f.two_in_three(close, [1, -1, 1]) == [0, 0, 0]
    assert f.two_in_three([0, 0, 1, 0, 1, 0, 0], [1] * 7) == [0, 0, 1, 1, 1, 0, 0]
    assert f.two_in_three([0, 0, 1, 1, 0, 0, 0], [1] * 7) == [0, 1, 1, 1, 1, 0, 0]
    assert f.two_in_three([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1]) == [0] * 7
    assert f.two_in_three([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1]) == [0] * 7
    for close, expected in [([1, 0, 1], [1, 0, 1]), ([0, 1, 1], [0, 1, 1]), ([1, 1, 0], [1, 1, 0]),
                            ([0, 0, 1, 0, 1, 0, 0], [0, 0, 1, 0, 1, 0, 0]), ([1, 0, 0, 1], [0, 0, 0, 0]),
                            ([1, 0, 0, 1, 1], [0, 0, 0, 1, 1])]:
        assert f.part_of_two_in_three(f.two_in_three(close, [1] * len(close)), close) == expected


def test_reference_special_cause_type_with_its_mocks(monkeypatch):
    """test-ptd_calculate_point_type.R 'ptd_special_cause_type works as expected': the same stubs, the same answer."""
    parts = iter([[1, -1, 0, 0, 0, 0, 0, 0], [0, 0, 1, -1, 0, 0, 0, 0]])
    monkeypatch.setattr(spc_rules, "seven_point_one_side_mean", lambda v: "sevenPointOneSideOfMean")
    monkeypatch.setattr(spc_rules, "seven_point_trend", lambda y: "sevenPointTrend")
    monkeypatch.setattr(spc_rules, "part_of_seven", lambda v: next(parts))
    monkeypatch.setattr(spc_rules, "two_in_three", lambda v, r: "twoInThree")
    monkeypatch.setattr(spc_rules, "part_of_two_in_three", lambda v, x: [0, 0, 0, 0, 1, 0, 0, 0])
    got = spc_rules.special_cause_types(list(range(1, 9)), [1] * 4 + [-1] * 4, "relative_to_mean",
                                        [0, 0, 0, 0, 0, 1, -1, 0])
    assert got == ["7 Point Trend (Increasing)", "7 Point Trend (Increasing)", "7 Points Above CL",
                   "7 Points Above CL", "2 in 3 Below CL", "Below LCL", "Below LCL", "Common Cause"]


# ae_attendances summed over England by month, April 2016 to March 2019, as serialised in the reference's
# integration snapshots (tests/testthat/_snaps/integration_tests.md, decoded): attendances and performance.
MONTHS = [dt.date(2016 + (3 + i) // 12, (3 + i) % 12 + 1, 1) for i in range(36)]
ATTENDANCES = [1867781, 2070340, 1958802, 2079034, 1932901, 1952464, 2001816, 1907871, 1944567, 1895272, 1735619,
               2015834, 1949762, 2066789, 1994056, 2073944, 1924663, 1925961, 2044137, 1976971, 2003954, 2000086,
               1820012, 2049785, 1984369, 2164458, 2093942, 2179896, 1997854, 2005695, 2079492, 2037847, 2047518,
               2113413, 1954947, 2167550]
PERFORMANCE = [0.9003512724457525, 0.9027555860390081, 0.9055994429248081, 0.9028524786030435, 0.909763097023593,
               0.9064786853944554, 0.8905308979446662, 0.8837903610883545, 0.8617594559611471, 0.851413411900772,
               0.8753090395991286, 0.9000949482943537, 0.9051525263083392, 0.8970035160821932, 0.9072518525056468,
               0.9034785895858326, 0.9029928875860346, 0.8966609396555797, 0.8994186788850258, 0.8876655246839736,
               0.8498503458662225, 0.8529918213516818, 0.8504476893558943, 0.8462121637147311, 0.8857248828216929,
               0.9039011151983545, 0.9076297242234981, 0.8931949047110505, 0.8972702710007838, 0.8894368286304747,
               0.8900933497219513, 0.8760446687116353, 0.8644632183941728, 0.843525141560121, 0.8422525009629417,
               0.8660427671795345]


def ae(values) -> pl.DataFrame:
    return pl.DataFrame({"period": MONTHS, "value": [float(v) for v in values]})


def flags(column) -> list[int]:
    return [i + 1 for i, x in enumerate(column) if x]


def test_reference_integration_ae_attendances():
    """integration_tests.md 'ae_all attendances spc returns expected values': to the last bit."""
    chart = xmr(ae(ATTENDANCES), "higher", detail=True)
    assert chart["mean"].unique().to_list() == [2000538.9444444445]
    assert chart["lower_limit"].unique().to_list() == [1731844.3644444444]
    assert chart["upper_limit"].unique().to_list() == [2269233.5244444446]
    assert flags(chart["close_to_limits"]) == [11, 23, 28] and flags(chart["outside_limits"]) == []
    assert chart["point_type"].unique().to_list() == [C]


def test_reference_integration_ae_attendances_rebased():
    """integration_tests.md 'ae_all attendances spc with rebase' (rebase = 2017-04-01)."""
    chart = xmr(ae(ATTENDANCES), "higher", rebase_at=[dt.date(2017, 4, 1)], detail=True)
    assert chart["mean"].unique(maintain_order=True).to_list() == [1946858.4166666667, 2027379.2083333333]
    assert chart["lower_limit"].unique(maintain_order=True).to_list() == [1639947.374848485, 1772921.0639855072]
    assert chart["upper_limit"].unique(maintain_order=True).to_list() == [2253769.4584848485, 2281837.3526811595]
    assert chart["relative_to_mean"].to_list() == [
        -1, 1, 1, 1, -1, 1, 1, -1, -1, -1, -1, 1, -1, 1, -1, 1, -1, -1, 1, -1, -1, -1, -1, 1, -1, 1, 1, 1, -1, -1,
        1, 1, 1, 1, -1, 1]
    assert flags(chart["close_to_limits"]) == [11, 23]
    assert chart["point_type"].unique().to_list() == [C]
    assert chart["trial_limits"].unique().to_list() == [False]


def test_reference_integration_ae_performance_fixed_after_12():
    """integration_tests.md 'ae_all performance spc' (fix_after_n_points = 12): limits from the first 12 points,
    and special cause by points below the limit and runs on either side. The snapshot predates the trend
    fix of NHSRplotthedots #180; this series has no trend, so its labels stand."""
    chart = xmr(ae(PERFORMANCE), "higher", baseline_points=12, detail=True)
    assert chart["mean"].unique().to_list() == [0.8908915564349236]
    assert chart["lower_limit"].unique().to_list() == [0.8614049789074258]
    assert chart["upper_limit"].unique().to_list() == [0.9203781339624213]
    assert flags(chart["outside_limits"]) == [10, 21, 22, 23, 24, 34, 35]
    assert flags(chart["close_to_limits"]) == [9, 33, 36]
    improvement, concern = "special_cause_improvement", "special_cause_concern"
    assert chart["point_type"].to_list() == (
        [C] * 9 + [concern, C] + [improvement] * 8 + [C] + [concern] * 4 + [C] * 5 + [concern] * 7)
    assert chart["variation"][-1] == concern


# --- p and u charts ----------------------------------------------------------------------------------------


def test_p_chart_by_hand():
    """p̄ = 60/400 = 0.15; a point of n = 100 has limits 0.15 ± 3√(0.15 × 0.85 / 100) = 0.15 ± 0.10712."""
    data = pl.DataFrame({"period": ["a", "b", "c", "d"], "numerator": [10.0, 10, 10, 30],
                         "denominator": [100.0, 100, 100, 100]})
    chart = p_chart(data, "lower", scale=100, detail=True)
    assert chart["value"].to_list() == pytest.approx([10, 10, 10, 30])
    assert chart["mean"][0] == pytest.approx(15)
    half = 300 * math.sqrt(0.15 * 0.85 / 100)
    assert (chart["lower_limit"][0], chart["upper_limit"][0]) == pytest.approx((15 - half, 15 + half))
    assert chart["point_type"].to_list() == [C, C, C, "special_cause_concern"]
    assert chart["sigma"][0] == pytest.approx(100 * math.sqrt(0.15 * 0.85 / 100))


def test_p_chart_limits_vary_with_the_denominator_and_stay_within_0_and_1():
    data = pl.DataFrame({"period": ["a", "b"], "numerator": [1.0, 10], "denominator": [4.0, 100]})
    chart = p_chart(data)
    p = 11 / 104
    assert chart["upper_limit"].to_list() == pytest.approx([min(1, p + 3 * math.sqrt(p * (1 - p) / 4)),
                                                           p + 3 * math.sqrt(p * (1 - p) / 100)])
    assert chart["lower_limit"].to_list() == pytest.approx([0.0, p - 3 * math.sqrt(p * (1 - p) / 100)])
    assert chart["upper_limit"][0] < 1 and p_chart(data.with_columns(numerator=pl.Series([3.0, 90])))["upper_limit"][0] == 1


def test_u_chart_by_hand():
    """ū = 12 / 30000; limits per 10,000 = 4 ± 3√(4/1) = 4 ± 6, the lower cut at 0."""
    data = pl.DataFrame({"period": ["a", "b", "c"], "numerator": [4.0, 5, 3], "denominator": [10000.0] * 3})
    chart = u_chart(data, "lower", 3.0, scale=10000)
    assert chart["mean"].to_list() == pytest.approx([4.0] * 3)
    assert chart["upper_limit"].to_list() == pytest.approx([10.0] * 3)
    assert chart["lower_limit"].to_list() == [0.0] * 3
    assert chart["assurance"].to_list() == ["hit_and_miss"] * 3
    assert u_chart(data, "lower", 11.0, scale=10000)["assurance"][-1] == "pass"


def test_attribute_charts_reject_impossible_counts():
    with pytest.raises(SpcInputError, match="row 2: numerator 5 for period 'b' is more than its denominator 4"):
        p_chart(pl.DataFrame({"period": ["a", "b"], "numerator": [1.0, 5], "denominator": [4.0, 4]}))
    with pytest.raises(SpcInputError, match="row 1: denominator 0 for period 'a'"):
        u_chart(pl.DataFrame({"period": ["a", "b"], "numerator": [1.0, 5], "denominator": [0.0, 4]}))
    with pytest.raises(SpcInputError, match="scale"):
        u_chart(pl.DataFrame({"period": ["a", "b"], "numerator": [1.0, 5], "denominator": [3.0, 4]}), scale=0)


@pytest.mark.parametrize("numerators, denominators, expected", [
    ([10, 10, 10], [100, 100, 100], "xmr"),          # mean count 10: not small
    ([10, 10, 9.97], [100, 100, 100], "p"),          # mean count just under 10
    ([40, 40, 40], [20, 100, 100], "xmr"),           # smallest denominator 20
    ([40, 40, 19], [19, 100, 100], "p"),             # a denominator under 20
])
def test_recommended_chart_thresholds(numerators, denominators, expected):
    assert recommended_chart(numerators, denominators) == expected
    assert recommended_chart(numerators, denominators, rate=True) == ("u" if expected == "p" else "xmr")


# --- the CSV in and out --------------------------------------------------------------------------------------


def csv_text(values) -> str:
    return "period,value\n" + "".join(f"2023-24 Q{i},{v}\n" for i, v in enumerate(values, 1))


def test_spc_csv_round_trip():
    out = spc_csv(csv_text(BASE + [17]), "higher", 20.0, baseline_points=12)
    lines = out.splitlines()
    assert lines[0] == ",".join(COLUMNS)
    assert lines[1] == "2023-24 Q1,12,11,5.68,16.32,common_cause,special_cause_improvement,fail"
    assert lines[-1].split(",")[5:] == ["special_cause_improvement", "special_cause_improvement", "fail"]
    back = pl.read_csv(out.encode(), schema_overrides={"assurance": pl.String})
    assert back["upper_limit"].to_list() == xmr(frame(BASE + [17]), baseline_points=12)["upper_limit"].to_list()


def test_spc_csv_writes_no_assurance_as_an_empty_field_and_warns_of_trial_limits():
    warnings = []
    out = spc_csv(csv_text([3, 4, 5]), "neither", 4.0, source="short.csv", on_warning=warnings.append)
    assert all(line.endswith(",") for line in out.splitlines()[1:])
    assert warnings == [("short.csv: 3 points from period '2023-24 Q1': fewer than 12, so the limits are trial "
                         "limits, to be revised as points are added")]


def test_read_series_csv_tolerates_a_bom_spaces_and_blank_lines():
    got = read_series_csv("\ufeffPeriod, Value\r\n\r\n a ,1\r\nb, 2.5 \r\n\r\n")
    assert got.rows() == [("a", 1.0), ("b", 2.5)]


@pytest.mark.parametrize("text, message", [
    ("", "f.csv: the file is empty: expected a header row 'period,value'"),
    ("value,period\na,1\nb,2\n", "f.csv: row 1: header 'value,period': expected 'period,value'"),
    ("period,value,extra\na,1,2\n", "f.csv: row 1: header 'period,value,extra': expected 'period,value'"),
    ("period,value\na,1\nb,2,3\n", "f.csv: row 3: 3 values: expected 2 (period,value)"),
    ("period,value\na,1\nb\n", "f.csv: row 3: 1 values: expected 2 (period,value)"),
    ("period,value\na,1\n,2\n", "f.csv: row 3: period is empty"),
    ("period,value\na,1\nb,2\na,3\n", "f.csv: row 4: period 'a' repeats row 2"),
    ("period,value\na,1\nb,twelve\n", "f.csv: row 3: value 'twelve' for period 'b' is not a number"),
    ("period,value\na,1\nb,\n", "f.csv: row 3: value '' for period 'b' is not a number"),
    ("period,value\na,1\nb,nan\n", "f.csv: row 3: value 'nan' for period 'b' is not a finite number"),
    ("period,value\na,1\nb,inf\n", "f.csv: row 3: value 'inf' for period 'b' is not a finite number"),
    ("period,value\na,1\n", "f.csv: 1 period: a chart needs at least 2"),
    ("period,value\n", "f.csv: 0 periods: a chart needs at least 2"),
    ('period,value\n"a,1\n', "f.csv: row 2: 1 values: expected 2 (period,value)"),
])
def test_bad_csv_names_file_row_and_value(text, message):
    with pytest.raises(SpcInputError) as caught:
        spc_csv(text, "higher", source="f.csv")
    assert str(caught.value) == message
    assert isinstance(caught.value, PerfkitError)


@pytest.mark.parametrize("options, message", [
    ({"improvement": "up"}, "improvement 'up': expected one of higher, lower, neither"),
    ({"target": "ten"}, "target 'ten' is not a number"),
    ({"target": math.inf}, "target inf is not a finite number"),
    ({"rebase_at": ["2031-32 Q1"]}, "rebase period '2031-32 Q1' is not a period of f.csv"),
    ({"rebase_at": ["2023-24 Q3"]}, "f.csv: the segment from period '2023-24 Q3' has 1 point: limits need at least 2"),
    ({"baseline_points": 6}, "baseline_points 6: expected a whole number of at least 12"),
])
def test_bad_options_are_named(options, message):
    arguments = {"improvement": "higher", **options}
    with pytest.raises(SpcInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        spc_csv(csv_text([1, 2, 3]), arguments.pop("improvement"), arguments.pop("target", None),
                source="f.csv", **arguments)


def test_frames_with_bad_values_are_named():
    with pytest.raises(SpcInputError, match="input: row 2: value None for period 'b' is not a number"):
        xmr(pl.DataFrame({"period": ["a", "b", "c"], "value": [1.0, None, 3.0]}))
    with pytest.raises(SpcInputError, match="no column 'value'"):
        xmr(pl.DataFrame({"period": ["a", "b"], "count": [1.0, 2.0]}))
    with pytest.raises(SpcInputError, match="row 3: period 'a' repeats row 1"):
        xmr(pl.DataFrame({"period": ["a", "b", "a"], "value": [1.0, 2.0, 3.0]}))


def test_polarity_names_map_to_improvements():
    assert IMPROVEMENT_OF_POLARITY == {"high_is_good": "higher", "low_is_good": "lower", "none": "neither"}


def test_write_chart_csv_keeps_full_precision():
    chart = xmr(ae(PERFORMANCE), "higher", baseline_points=12)
    back = pl.read_csv(write_chart_csv(chart).encode(), schema_overrides={"assurance": pl.String})
    assert back["mean"][0] == 0.8908915564349236


def test_the_command_line_prints_the_chart_csv_and_names_bad_input(tmp_path, capsys):
    from perfkit.cli import main

    values = [5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 30]
    source = tmp_path / "series.csv"
    source.write_text("period,value\n" + "".join(f"2023-{m:02},{v}\n" for m, v in enumerate(values, 1)))
    assert main(["spc", "--input", str(source), "--improvement", "lower", "--target", "11"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "period,value,mean,lower_limit,upper_limit,point_type,variation,assurance"
    assert lines[-1] == "2023-12,30,7.5,4.84,10.16,special_cause_concern,special_cause_concern,pass"
    assert len(lines) == 13
    source.write_text("period,value\n2023-01,5\n2023-02,five\n")
    assert main(["spc", "--input", str(source), "--improvement", "higher"]) == 2
    assert f"{source}: row 3: value 'five' for period '2023-02' is not a number" in capsys.readouterr().err
