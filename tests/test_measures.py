"""Indicators against a small dataset whose answers were worked out by hand.

Period 2022-23 Q2 (1 July to 30 September 2022), authority 999, population
aged 0-17 of 20,000 at mid-2022 (19,000 at mid-2021 and 21,000 at mid-2023
must not be used).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from helpers import d, write_tables
from polars.testing import assert_frame_equal

from perfkit.indicators.engine import compute
from perfkit.indicators.periods import Period
from perfkit.records.loading import load_dataset

LA = "999"
PERIOD = Period.parse("2022-23 Q2")


def _frame(columns: list[str], rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=columns, orient="row")


@pytest.fixture(scope="module")
def hand_data(tmp_path_factory):
    children = _frame(
        ["la_code", "child_id", "sex", "date_of_birth", "ethnicity", "disability", "uasc", "district"],
        [(LA, c, "F", d("2006-08-01" if c == "b" else "2008-05-01"), "WBRI", "N", "N", "North") for c in "abcde"],
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
            (LA, "e", "p7", d("2020-08-15"), d("2022-08-15"), "EMO", "EMO"),  # ended after exactly 2 years
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
    contacts = _frame(
        ["la_code", "child_id", "contact_id", "contact_date", "contact_source", "outcome"],
        [
            (LA, "a", "k1", d("2022-07-01"), "6", "referral"),
            (LA, "b", "k2", d("2022-07-15"), "2A", "early_help"),
            (LA, "c", "k3", d("2022-09-30"), "6", "referral"),
            (LA, "d", "k4", d("2022-10-01"), "6", "referral"),  # next quarter
            (LA, "e", "k5", d("2022-06-30"), "6", "nfa"),       # last quarter
        ],
    )
    section47 = _frame(
        ["la_code", "child_id", "s47_id", "start_date", "icpc_date"],
        [
            (LA, "a", "s1", d("2022-07-01"), d("2022-07-22")),  # 15 working days
            (LA, "b", "s2", d("2022-07-01"), d("2022-07-25")),  # 16 working days
            (LA, "c", "s3", d("2022-06-20"), None),
            (LA, "d", "s4", d("2021-10-01"), None),             # first day of the rolling 12 months
            (LA, "e", "s5", d("2021-09-30"), None),             # before it
        ],
    )
    cp_visits = _frame(
        ["la_code", "child_id", "plan_id", "visit_date"],
        [
            # the 10 working days ending Friday 30 September 2022 start on Friday 16th,
            # because Monday 19 September 2022 was a bank holiday
            (LA, "a", "p2", d("2022-09-16")),
            (LA, "c", "p4", d("2022-09-15")),
            (LA, "d", "p5", d("2022-09-01")),
            (LA, "d", "p5", d("2022-10-01")),
        ],
    )
    care_leavers = _frame(
        ["la_code", "child_id", "reference_date", "age_band", "in_touch", "activity", "accommodation"],
        [
            (LA, "a", d("2022-07-01"), "17-18", "YES", "F2", "B1"),
            (LA, "b", d("2022-08-01"), "19-21", "YES", "G5", "B2"),
            (LA, "c", d("2022-09-30"), "19-21", "NO", None, None),
            (LA, "d", d("2022-10-01"), "19-21", "YES", "F1", "C1"),  # next quarter
        ],
    )
    workforce = _frame(
        ["la_code", "month", "team", "department", "permanent_fte", "agency_fte", "vacancy_fte", "leavers_fte",
         "starters_fte", "case_holders_fte", "cases", "nqsw_fte"],
        [
            (LA, d("2022-09-01"), "T1", "D1", 10.0, 2.0, 1.0, 1.0, 0.5, 10.0, 150.0, 1.0),
            (LA, d("2022-09-01"), "T2", "D1", 8.0, 0.0, 3.0, 0.0, 0.0, 7.0, 112.0, 2.0),
            (LA, d("2022-08-01"), "T1", "D1", 10.0, 4.0, 1.0, 0.5, 1.5, 12.0, 180.0, 4.0),
            (LA, d("2021-10-01"), "T2", "D1", 8.0, 0.0, 2.0, 1.5, 2.0, 7.0, 100.0, 0.0),  # a start before the quarter
            (LA, d("2021-09-01"), "T1", "D1", 9.0, 3.0, 1.0, 2.0, 0.0, 10.0, 150.0, 5.0),  # before the 12 months
        ],
    )
    ehcp = _frame(
        ["la_code", "child_id", "request_id", "request_date", "decision_date", "plan_issued_date", "exception"],
        [
            (LA, "a", "e1", d("2022-03-01"), None, d("2022-07-19"), "N"),  # 140 days
            (LA, "b", "e2", d("2022-03-01"), None, d("2022-07-20"), "N"),  # 141 days
            (LA, "c", "e3", d("2022-02-01"), None, d("2022-08-01"), "Y"),  # exception: left out
            (LA, "d", "e4", d("2022-05-01"), None, None, None),            # open 152 days at the end
            (LA, "e", "e5", d("2022-05-20"), None, None, None),            # open 133 days
            (LA, "a", "e6", d("2022-01-10"), d("2022-03-01"), None, "N"),  # decided not to issue
            (LA, "b", "e7", d("2022-04-01"), None, d("2022-10-10"), "N"),  # issued after the end: open 182 days
        ],
    )
    population = _frame(["la_code", "year", "population_0_17"], [(LA, 2021, 19000), (LA, 2022, 20000), (LA, 2023, 21000)])
    directory = write_tables(tmp_path_factory.mktemp("hand"), {
        "children": children, "referrals": referrals, "assessments": assessments, "cp_plans": cp_plans,
        "cla_episodes": cla, "missing_episodes": missing, "population": population, "contacts": contacts,
        "section47": section47, "cp_visits": cp_visits, "care_leavers": care_leavers, "workforce": workforce,
        "ehcp_requests": ehcp,
    })
    frame = compute(load_dataset(directory), [PERIOD], breakdowns=True)
    return frame


@pytest.fixture(scope="module")
def hand_rows(hand_data):
    return {row["indicator"]: row for row in hand_data.filter(pl.col("breakdown") == "all").iter_rows(named=True)}


@pytest.mark.parametrize(
    "indicator, numerator, denominator, value",
    [
        ("referrals", 5, None, 5),
        ("referral_rate", 6, 20000, 3.0),
        ("rereferral_pct", 1, 5, 20.0),
        ("assessments_45wd_pct", 2, 3, 200 / 3),
        # a4, started 1 June and not authorised: 83 working days at 30 September (June 19 after the 1st, less the
        # jubilee's 2 and 3 June; July 21; August 22, less the 29th; September 21, less the funeral on the 19th)
        ("assessments_open_over_45wd", 1, None, 1),
        ("cpp_rate", 3, 20000, 1.5),
        ("cpp_repeat_pct", 1, 3, 100 / 3),
        ("cla_rate", 3, 20000, 1.5),
        ("missing_episodes", 4, None, 4),
        ("missing_children", 3, None, 3),
        ("missing_episodes_per_child", 4, 3, 4 / 3),
        ("rhi_offered_72h_pct", 1, 3, 100 / 3),
        ("contacts", 3, None, 3),
        ("contact_conversion_pct", 2, 3, 200 / 3),
        ("referral_nfa_pct", 1, 5, 20.0),
        ("assessment_days_median", 45, 3, 45),
        ("cin_rate", 5, 20000, 2.5),
        ("s47_rate", 4, 20000, 2.0),
        ("icpc_15wd_pct", 1, 2, 50.0),
        ("cpp_starts", 3, None, 3),
        ("cpp_2yr_plus_pct", 1, 2, 50.0),
        ("cp_visits_10wd_pct", 1, 3, 100 / 3),
        ("missing_under16_pct", 2, 3, 200 / 3),
        ("rhi_accepted_pct", 1, 2, 50.0),
        ("care_leavers_suitable_pct", 1, 3, 100 / 3),
        ("care_leavers_eet_pct", 1, 3, 100 / 3),
        ("sw_agency_rate", 2, 20, 10.0),
        ("sw_vacancy_rate", 4, 22, 400 / 22),
        ("sw_turnover_rate", 3, 18, 100 / 6),
        ("sw_caseload", 262, 17, 262 / 17),
        ("sw_permanent_fte", 18, None, 18),  # the quarter's last month, both teams
        ("sw_starters_fte", 2, None, 2),  # September 0.5 and August 1.5; October 2021 is another quarter
        ("sw_nqsw_pct", 3, 18, 100 / 6),  # the last month: 1 + 2 newly qualified of 10 + 8 permanent (not August's 4)
        ("ehcp_20wk_pct", 1, 2, 50.0),
        ("ehcp_open_over_20wk", 2, None, 2),
        ("ehcp_open", 3, None, 3),  # e4 and e5 open, e7 issued after the end; e1, e2, e3 issued, e6 decided
    ],
)
def test_hand_computed(hand_rows, indicator, numerator, denominator, value):
    row = hand_rows[indicator]
    assert row["la_code"] == LA and row["period"] == PERIOD.label
    assert row["breakdown"] == "all" and row["group"] == "all"
    assert row["numerator"] == numerator
    assert row["denominator"] == denominator
    assert row["value"] == pytest.approx(value)


def _groups(frame: pl.DataFrame, indicator: str, breakdown: str) -> dict[str, tuple]:
    rows = frame.filter((pl.col("indicator") == indicator) & (pl.col("breakdown") == breakdown))
    return {r["group"]: (r["numerator"], r["denominator"]) for r in rows.iter_rows(named=True)}


def test_hand_computed_breakdowns(hand_data):
    assert _groups(hand_data, "ehcp_open", "ehcp_time_open") == {  # e4 152 days and e7 182; e5 133
        "Open over 20 weeks": (2, None), "Open 20 weeks or less": (1, None)}
    assert _groups(hand_data, "missing_episodes", "looked_after") == {
        "Missing from care": (2, None), "Missing from home": (2, None)}
    assert _groups(hand_data, "sw_agency_rate", "team") == {"T1": (2, 12), "T2": (0, 8)}
    assert _groups(hand_data, "care_leavers_suitable_pct", "care_leaver_age_band") == {"17-18": (1, 1), "19-21": (0, 2)}
    # ages on the referral date: b is 15 on 15 July 2022 (born 1 August 2006); the others 14
    assert _groups(hand_data, "referrals", "age_band") == {"10-15": (5, None)}
    assert _groups(hand_data, "contacts", "contact_source") == {"Police": (2, None), "Schools and education": (1, None)}
    assert _groups(hand_data, "cpp_starts", "category") == {
        "Neglect": (1, None), "Emotional abuse": (1, None), "Physical abuse": (1, None)}


@pytest.fixture(scope="module")
def care_rows(tmp_path_factory):
    """Children looked after at 30 September 2022 (authority 999, 5,000 children aged 0-17)."""
    children = _frame(
        ["la_code", "child_id", "sex", "date_of_birth", "ethnicity", "uasc"],
        [(LA, "f", "M", d("2010-01-01"), "WBRI", "N"), (LA, "g", "M", d("2006-06-01"), "OOTH", "Y"),
         (LA, "h", "F", d("2012-03-01"), "WBRI", "N"), (LA, "i", "F", d("2008-01-01"), "MWBC", "N"),
         (LA, "j", "M", d("2015-01-01"), "WBRI", "N"), (LA, "k", "F", d("2011-01-01"), "WBRI", "N"),
         (LA, "l", "M", d("2009-01-01"), "WBRI", "N")],
    )
    columns = ["la_code", "child_id", "episode_start", "episode_end", "rne", "legal_status", "category_of_need", "placement_type"]
    episodes = _frame(columns, [
        # f: the placement held on 1 October 2021 plus three moves in the 12 months: 4 placements
        (LA, "f", d("2021-06-01"), d("2021-12-01"), "S", "C2", "N1", "U1"),
        (LA, "f", d("2021-12-01"), d("2022-03-01"), "P", "C2", "N1", "U3"),
        (LA, "f", d("2022-03-01"), d("2022-08-01"), "P", "C2", "N1", "U4"),
        (LA, "f", d("2022-08-01"), None, "P", "C2", "N1", "K2"),
        # g: UASC under section 20, aged 16
        (LA, "g", d("2022-02-01"), None, "S", "V2", "N7", "U1"),
        # h: in care since 2019, legal status changed in 2020 but the same placement: stable
        (LA, "h", d("2019-01-01"), d("2020-06-01"), "S", "C2", "N1", "U1"),
        (LA, "h", d("2020-06-01"), None, "T", "C2", "N1", "U1"),
        # i: in care since 2019, moved in January 2021: under 2 years in this placement
        (LA, "i", d("2019-06-01"), d("2021-01-01"), "S", "C2", "N1", "U1"),
        (LA, "i", d("2021-01-01"), None, "P", "C2", "N1", "U3"),
        # j: a second section 20 period of care
        (LA, "j", d("2020-06-01"), d("2020-12-01"), "S", "V2", "N1", "U1"),
        (LA, "j", d("2022-07-15"), None, "S", "V2", "N1", "U1"),
        # k: in care from 1 April 2020: two days short of 2.5 years
        (LA, "k", d("2020-04-01"), None, "S", "C2", "N1", "U1"),
        # l: starts under section 20 on the last day of the quarter
        (LA, "l", d("2022-09-30"), None, "S", "V2", "N1", "U1"),
    ])
    population = _frame(["la_code", "year", "population_0_17"], [(LA, 2022, 5000)])
    directory = write_tables(tmp_path_factory.mktemp("care"), {"children": children, "cla_episodes": episodes, "population": population})
    frame = compute(load_dataset(directory), [PERIOD])
    return {row["indicator"]: row for row in frame.iter_rows(named=True)}


@pytest.mark.parametrize(
    "indicator, numerator, denominator, value",
    [
        ("cla_rate", 7, 5000, 14.0),
        ("cla_starts", 2, None, 2),
        ("cla_uasc", 1, None, 1),
        ("cla_uasc_threshold_pct", 1, 5, 20.0),
        ("cla_3plus_placements_pct", 1, 7, 100 / 7),
        ("cla_long_term_stability_pct", 1, 2, 50.0),
        ("cla_s20_starts", 2, None, 2),
        ("cla_s20_repeat_starts", 1, None, 1),
    ],
)
def test_hand_computed_looked_after(care_rows, indicator, numerator, denominator, value):
    row = care_rows[indicator]
    assert (row["numerator"], row["denominator"]) == (numerator, denominator)
    assert row["value"] == pytest.approx(value)


def test_a_child_with_overlapping_episodes_is_in_care_once(tmp_path):
    """Headline figures pick a child's current episode only where episodes overlap; the figures are the same."""
    children = _frame(["la_code", "child_id", "sex", "date_of_birth", "ethnicity", "uasc"],
                      [(LA, "m", "M", d("2010-01-01"), "WBRI", "N"), (LA, "n", "F", d("2012-01-01"), "WBRI", "N")])
    columns = ["la_code", "child_id", "episode_start", "episode_end", "rne", "legal_status", "category_of_need", "placement_type"]
    episodes = _frame(columns, [
        (LA, "m", d("2021-01-01"), None, "S", "C2", "N1", "U1"),
        (LA, "m", d("2022-05-01"), d("2022-08-01"), "P", "C2", "N1", "U3"),  # inside the first: both open on 30 June 2022
        (LA, "n", d("2021-03-01"), d("2022-06-01"), "S", "C2", "N1", "U1"),
        (LA, "n", d("2022-06-01"), None, "P", "C2", "N1", "U4"),  # the next starts the day the first ends: no overlap
    ])
    population = _frame(["la_code", "year", "population_0_17"], [(LA, 2022, 5000)])
    data = load_dataset(write_tables(tmp_path, {"children": children, "cla_episodes": episodes, "population": population}))
    windows = ["2022-23 Q1", "2022-23 Q2"]
    cla = ["cla_rate", "cla_3plus_placements_pct", "cla_long_term_stability_pct", "cla_uasc_threshold_pct"]
    headlines = compute(data, windows, indicators=cla)
    assert headlines.filter(pl.col("indicator") == "cla_rate")["numerator"].to_list() == [2, 2]
    assert_frame_equal(headlines, compute(data, windows, indicators=cla, breakdowns=True).filter(pl.col("breakdown") == "all"))


def test_children_looked_after_excluding_uasc_are_those_not_uasc_at_the_period_end(tmp_path):
    """Members asked for children looked after excluding UASC: ``cla_rate`` by UASC on the period's last day.
    A child whose UASC status ceased by then (an 18th birthday, leave to remain) is no longer UASC; one
    whose status ceases after it still is; a child with no flag recorded is "Not recorded". The UASC group
    is ``cla_uasc`` exactly (its ``same_as``), and the groups add up to the children looked after."""
    children = _frame(["la_code", "child_id", "sex", "date_of_birth", "ethnicity", "uasc", "uasc_ceased"], [
        (LA, "a", "M", d("2006-01-01"), "BAFR", "Y", None),
        (LA, "b", "M", d("2004-09-01"), "BAFR", "Y", d("2022-09-01")),  # turned 18 before 30 September 2022
        (LA, "c", "F", d("2010-01-01"), "WBRI", "N", None),
        (LA, "d", "F", d("2011-01-01"), "WBRI", None, None),  # not recorded
        (LA, "e", "M", d("2004-10-05"), "AOTH", "Y", d("2022-10-05")),  # still UASC on 30 September 2022
    ])
    columns = ["la_code", "child_id", "episode_start", "episode_end", "rne", "legal_status", "category_of_need", "placement_type"]
    episodes = _frame(columns, [(LA, c, d("2022-01-10"), None, "S", "C2", "N1", "U1") for c in "abcde"]
                      + [(LA, "c", d("2021-11-01"), d("2022-01-10"), "S", "C2", "N1", "U1")])  # c's earlier episode
    population = _frame(["la_code", "year", "population_0_17"], [(LA, 2022, 5000)])
    data = load_dataset(write_tables(tmp_path, {"children": children, "cla_episodes": episodes, "population": population}))
    rows = compute(data, [PERIOD], indicators=["cla_rate", "cla_uasc"], breakdowns=["uasc_at_end"])
    counted = {(r["indicator"], r["group"]): r["numerator"] for r in rows.iter_rows(named=True)}
    assert counted == {("cla_rate", "all"): 5, ("cla_uasc", "all"): 2, ("cla_rate", "UASC"): 2,
                       ("cla_rate", "Excluding UASC"): 2, ("cla_rate", "Not recorded"): 1}
    from perfkit.indicators.catalogue import load_catalogue

    assert load_catalogue()["cla_uasc"].same_as == {"indicator": "cla_rate", "breakdown": "uasc_at_end", "group": "Y"}


def test_every_group_the_catalogue_relates_is_a_group_its_breakdown_gives():
    """``same_as`` and ``within`` name another indicator's breakdown and groups by code: each must be a
    breakdown that indicator lists, and each code a group the labels know, or disclosure control would
    look for a group that never exists and relate nothing."""
    from perfkit.indicators.catalogue import load_catalogue
    from perfkit.indicators.labels import NATURAL_ORDER, UNKNOWN, group_label, group_labels

    catalogue = load_catalogue()
    related = [(i.id, i.same_as["indicator"], i.same_as["breakdown"], [i.same_as["group"]])
               for i in catalogue.indicators if i.same_as]
    related += [(i.id, i.within["indicator"], i.within["breakdown"], [*i.within["groups"], *i.within.get("rest", [])])
                for i in catalogue.indicators if i.within]
    assert len(related) == 9
    for indicator, other, breakdown, groups in related:
        assert breakdown in catalogue[other].breakdowns, (indicator, other, breakdown)
        # coded groups take their labels' words; age bands are named as the engine names them
        known = set(group_labels()[breakdown].values()) if breakdown in group_labels() else set(NATURAL_ORDER[breakdown])
        for code in groups:
            assert group_label(breakdown, code) in known - {UNKNOWN}, (indicator, breakdown, code)


def test_a_table_holding_another_authority_and_an_authority_asked_twice(tmp_path):
    """A population file that also covers a neighbour (991, with no children here) is read for 990 alone,
    breakdowns too; an authority named twice is counted once."""
    from perfkit.config import paths

    source = paths.default_data_dir()
    for table in ("children", "referrals"):
        pl.read_parquet(source / f"{table}.parquet").filter(pl.col("la_code") == "990").write_parquet(tmp_path / f"{table}.parquet")
    pl.read_parquet(source / "population.parquet").filter(pl.col("la_code").is_in(["990", "991"])).write_parquet(
        tmp_path / "population.parquet")
    data = load_dataset(tmp_path, recall=False)
    assert data.authorities == ["990"] and sorted(data.table("population")["la_code"].unique()) == ["990", "991"]
    for authorities in (None, ["990"], ["990", "990"]):
        figures = compute(data, ["2022-23 Q2"], authorities, indicators=["referrals", "referral_rate"], breakdowns=True)
        assert figures["la_code"].unique().to_list() == ["990"]
        headline = figures.filter(pl.col("breakdown") == "all").select("indicator", "numerator", "denominator").rows()
        assert headline == [("referrals", 773.0, None), ("referral_rate", 3265.0, 62992.0)]


def test_zero_denominator_gives_an_empty_value_not_zero(tmp_path):
    children = _frame(["la_code", "child_id", "sex", "date_of_birth", "ethnicity"], [(LA, "a", "M", d("2010-01-01"), "WBRI")])
    referrals = _frame(["la_code", "child_id", "referral_id", "referral_date", "referral_source", "nfa"],
                       [(LA, "a", "r1", d("2020-01-01"), "6", "N")])
    data = load_dataset(write_tables(tmp_path, {"children": children, "referrals": referrals}))
    rows = {r["indicator"]: r for r in compute(data, [PERIOD]).iter_rows(named=True)}
    assert rows["referrals"]["value"] == 0
    assert rows["rereferral_pct"]["denominator"] == 0
    assert rows["rereferral_pct"]["value"] is None
    # no population table: a rate is not available, with the reason, never 0
    assert rows["referral_rate"]["value"] is None
    assert rows["referral_rate"]["reason"] == "not available from this data: needs population.population_0_17"


def test_many_periods_in_one_call_match_single_period_calls(small_data):
    data = load_dataset(small_data)
    periods = Period.parse("2023-24 Q4").series(6)
    together = compute(data, periods)
    for period in (periods[0], periods[-1]):
        alone = compute(data, [period])
        assert together.filter(pl.col("period") == period.label).equals(alone)


def test_indicators_counted_together_match_each_counted_alone(small_data):
    """Indicators counted from the same rows share one grouping: each keeps its own figures."""
    from perfkit.indicators.measure_base import COUNTED_COLUMNS

    data = load_dataset(small_data, columns=COUNTED_COLUMNS)
    windows = ["2023-24 Q3", "2023-24 Q4 R12"]
    together = compute(data, windows)
    for indicator in ("contacts", "contact_conversion_pct", "referrals", "rereferral_pct", "referral_nfa_pct",
                      "assessment_days_median", "missing_children", "missing_episodes_per_child", "cpp_repeat_pct"):
        alone = compute(data, windows, indicators=[indicator])
        assert together.filter(pl.col("indicator") == indicator).equals(alone), indicator


def test_authorities_counted_a_few_at_a_time_match_all_together(small_data, monkeypatch):
    import perfkit.indicators.engine

    data = load_dataset(small_data)
    assert len(data.authorities) > 1
    windows = ["2023-24 Q3", "2023-24 Q4", "2023-24 Q4 YTD", "2023-24 Q4 R12"]
    together = compute(data, windows, breakdowns=["district", "age_band"])
    monkeypatch.setattr(perfkit.indicators.engine, "AUTHORITIES_PER_PASS", 1)
    apart = compute(data, windows, breakdowns=["district", "age_band"])
    assert apart.equals(together)
    shuffled = load_dataset(small_data)
    shuffled.tables = {name: frame.sample(fraction=1.0, shuffle=True, seed=1) for name, frame in shuffled.tables.items()}
    # the same figures whatever the order of the rows (sums of FTEs may differ in the last bit)
    assert_frame_equal(compute(shuffled, windows, breakdowns=["district", "age_band"]), together, rel_tol=1e-12)


def test_headlines_need_only_the_counted_columns(small_data):
    data = load_dataset(small_data)
    windows = ["2023-24 Q3", "2023-24 Q4 YTD", "2023-24 Q4 R12"]
    headline = compute(data, windows)
    with_breakdowns = compute(data, windows, breakdowns=True).filter(pl.col("breakdown") == "all")
    assert_frame_equal(headline, with_breakdowns)


COUNTED_ROWS = ["contacts", "referrals", "cpp_starts", "cla_starts", "missing_episodes", "cla_s20_starts"]


def test_breakdown_groups_add_up_to_the_headline(small_data):
    frame = compute(load_dataset(small_data), ["2023-24 Q3", "2023-24 Q3 YTD"], ["990"],
                    indicators=COUNTED_ROWS, breakdowns=True)
    for (indicator, period), rows in frame.group_by(["indicator", "period"]):
        headline = rows.filter(pl.col("breakdown") == "all")["numerator"].item()
        for breakdown, groups in rows.filter(pl.col("breakdown") != "all").group_by("breakdown"):
            assert groups["numerator"].sum() == headline, (indicator, period, breakdown)


def test_year_to_date_and_rolling_windows_sum_their_quarters(small_data):
    data = load_dataset(small_data)
    q3 = Period.parse("2023-24 Q3")
    frame = compute(data, [*q3.series(4), "2023-24 Q3 YTD", "2023-24 Q3 R12"], ["990"], indicators=["referrals"])
    values = dict(frame.select("period", "numerator").iter_rows())
    assert values["2023-24 Q3 YTD"] == sum(values[p.label] for p in q3.series(3))
    assert values["2023-24 Q3 R12"] == sum(values[p.label] for p in q3.series(4))


def test_visits_recorded_after_the_period_end_are_not_counted_and_are_reported(tmp_path):
    from perfkit.indicators.engine import windows_frame
    from perfkit.indicators.quality import data_quality

    children = _frame(["la_code", "child_id", "sex", "date_of_birth", "ethnicity"],
                      [(LA, c, "F", d("2015-01-01"), "WBRI") for c in "abc"])
    plans = _frame(["la_code", "child_id", "plan_id", "start_date", "end_date", "initial_category", "latest_category"],
                   [(LA, "a", "p1", d("2022-06-01"), None, "NEG", "NEG"), (LA, "b", "p2", d("2022-06-01"), None, "NEG", "NEG"),
                    (LA, "c", "p3", d("2022-01-10"), d("2022-05-20"), "NEG", "NEG")])  # ended: the records hold ends
    visits = _frame(["la_code", "child_id", "plan_id", "visit_date", "recorded_date"],
                    [(LA, "a", "p1", d("2022-09-28"), d("2022-09-29")),    # on record in time
                     (LA, "b", "p2", d("2022-09-28"), d("2022-10-03"))])   # written up after the quarter ended
    data = load_dataset(write_tables(tmp_path, {"children": children, "cp_plans": plans, "cp_visits": visits}))
    row = compute(data, [PERIOD], indicators=["cp_visits_10wd_pct"]).row(0, named=True)
    assert (row["numerator"], row["denominator"]) == (1, 2)
    quality = data_quality(data, windows_frame([PERIOD]))
    assert quality.filter(pl.col("check") == "cp_visits_recorded_late")["count"].item() == 1


def test_every_catalogue_indicator_has_a_measure_and_every_measure_is_catalogued():
    from perfkit.indicators.catalogue import load_catalogue
    from perfkit.indicators.measures import REGISTRY

    assert set(REGISTRY) == set(load_catalogue().ids)


def test_rereferral_across_a_leap_day(tmp_path):
    children = _frame(["la_code", "child_id", "sex", "date_of_birth", "ethnicity"],
                      [(LA, c, "F", d("2015-01-01"), "WBRI") for c in "ab"])
    referrals = _frame(
        ["la_code", "child_id", "referral_id", "referral_date", "referral_source", "nfa"],
        [
            (LA, "a", "r1", d("2023-02-28"), "6", "N"),
            (LA, "a", "r2", d("2024-02-29"), "6", "N"),  # a year before 29 February 2024 is 28 February 2023: within
            (LA, "b", "r3", d("2023-02-27"), "6", "N"),
            (LA, "b", "r4", d("2024-02-29"), "6", "N"),  # a year and two days: not within
        ],
    )
    data = load_dataset(write_tables(tmp_path, {"children": children, "referrals": referrals}))
    row = compute(data, ["2023-24 Q4"], indicators=["rereferral_pct"]).row(0, named=True)
    assert (row["numerator"], row["denominator"]) == (1, 2)


def test_target_trajectory_gives_each_quarter_its_target():
    from perfkit.indicators.catalogue import load_catalogue
    from perfkit.indicators.targets import parse_targets, rag

    catalogue = load_catalogue()
    document = {"authorities": {"990": {"sw_agency_rate": {"amber": 2, "trajectory": [
        {"period": "2024-25 Q4", "target": 17.0}, {"period": "2025-26 Q4", "target": 10.0}]}}}}
    target = parse_targets(document, "990", catalogue)["sw_agency_rate"]
    assert target.value_for("2025-26 Q2") == pytest.approx(12.0 + 1.5)
    assert target.final == ("2025-26 Q4", 10.0)
    indicator = catalogue["sw_agency_rate"]
    assert rag(16.0, target, indicator, "2024-25 Q4") == "Green"
    assert rag(16.0, target, indicator, "2025-26 Q4") == "Red"
    assert rag(11.5, target, indicator, "2025-26 Q4") == "Amber"


def test_children_are_matched_exactly_even_when_their_keys_collide(small_data, monkeypatch):
    """Rows meet children through a hashed key; a collision falls back to matching the ids: same figures."""
    import perfkit.indicators.child_details
    import perfkit.records.dataset

    data = load_dataset(small_data)
    windows = ["2023-24 Q3", "2023-24 Q4 R12"]
    keyed = compute(data, windows, breakdowns=True)
    headlines = compute(data, windows)
    # the key is made in records.dataset (children's keys, and by_child's sort: re-referrals, sweeps) and for rows
    for module in (perfkit.indicators.child_details, perfkit.records.dataset):  # every child collides
        monkeypatch.setattr(module, "child_key", lambda: pl.lit(7, dtype=pl.UInt64))
    assert compute(load_dataset(small_data), windows, breakdowns=True).equals(keyed)
    assert compute(load_dataset(small_data), windows).equals(headlines)


def test_a_row_whose_key_is_another_childs_gets_no_details(monkeypatch):
    import perfkit.indicators.child_details
    from perfkit.indicators.child_details import with_children
    from perfkit.records.dataset import Dataset

    children = pl.DataFrame({"la_code": ["990", "991"], "child_id": ["a", "b"], "sex": ["F", "M"]})
    rows = pl.DataFrame({"la_code": ["990", "990", "991"], "child_id": ["a", "z", "b"]})
    import perfkit.records.dataset

    for module in (perfkit.indicators.child_details, perfkit.records.dataset):  # z's key is a's
        monkeypatch.setattr(module, "child_key", lambda: pl.col("la_code").hash(1))
    assert with_children(rows, Dataset(Path("."), {"children": children}), ("sex",))["sex"].to_list() == ["F", None, "M"]


def test_rereferrals_are_the_same_when_children_share_a_key(small_data, monkeypatch):
    import perfkit.records.dataset
    from perfkit.indicators.families.front_door import flag_rereferrals

    referrals = load_dataset(small_data, tables=["referrals"]).table("referrals")
    order = ["la_code", "child_id", "referral_date", "referral_id"]
    keyed = flag_rereferrals(referrals).sort(order)
    assert keyed["is_rereferral"].sum() > 0
    monkeypatch.setattr(perfkit.records.dataset, "child_key", lambda: pl.col("la_code").hash(1))  # an authority's children collide
    assert flag_rereferrals(referrals).sort(order).equals(keyed)


def test_one_age_rule_for_a_29_february_birthday_everywhere():
    """Indicators, breakdowns and importers take a child's age from one function: born on 29 February,
    a child is 18 on 28 February of a common year and 19 on 1 March (the importers' own copy said 19 a day early)."""
    import datetime as dt
    import inspect

    import polars as pl

    from perfkit.formats import annex_a, annex_a_write, cleaning, ssda903
    from perfkit.indicators import breakdowns, children
    from perfkit.indicators.families import looked_after, missing

    born = dt.date(2004, 2, 29)
    days = [dt.date(2023, 2, 28), dt.date(2023, 3, 1), dt.date(2024, 2, 28), dt.date(2024, 2, 29)]
    frame = pl.DataFrame({"on": days, "born": [born] * 4})
    assert frame.select(children.age_on(pl.col("on"), pl.col("born"))).to_series().to_list() == [18, 19, 19, 20]
    for module in (annex_a, annex_a_write, ssda903, breakdowns, looked_after, missing):
        assert module.age_on is children.age_on, module.__name__
    assert not hasattr(cleaning, "age_on")
    assert sum("def age_on" in inspect.getsource(m)
               for m in (annex_a, annex_a_write, ssda903, cleaning, breakdowns, looked_after, missing, children)) == 1


def test_missing_children_in_depth_by_hand(tmp_path):
    """Committees asked "frequent absconders?", "how long missing?" and who is missing now (#19): children with
    3 or more episodes in the 12 months (x in the quarter, y over the year), children missing at the quarter's
    end, and episodes lasting more than a week, in days (the returns record dates, not times)."""
    children = _frame(["la_code", "child_id", "sex", "date_of_birth", "ethnicity", "disability", "uasc", "district"],
                      [(LA, c, "F", d("2008-05-01"), "WBRI", "N", "N", "North") for c in "stuvwxy"])
    missing = _frame(
        ["la_code", "child_id", "missing_start", "missing_end", "missing_type", "looked_after", "rhi_offered_date",
         "rhi_accepted"],
        [
            (LA, "x", d("2022-07-01"), d("2022-07-02"), "M", "Y", None, None),  # 1 day
            (LA, "x", d("2022-07-15"), d("2022-07-24"), "M", "Y", None, None),  # 9 days: more than a week
            (LA, "x", d("2022-08-01"), d("2022-08-08"), "M", "Y", None, None),  # 7 days: perhaps not
            (LA, "x", d("2022-08-20"), d("2022-08-20"), "A", "Y", None, None),  # away: not missing, not counted
            (LA, "y", d("2021-11-01"), d("2021-11-02"), "M", "N", None, None),  # last year: y's third in 12 months
            (LA, "y", d("2022-07-05"), d("2022-07-05"), "M", "N", None, None),
            (LA, "y", d("2022-09-01"), d("2022-09-09"), "M", "N", None, None),  # 8 days: more than a week
            (LA, "u", d("2022-09-30"), d("2022-09-30"), "M", "N", None, None),  # back by the quarter's end
            (LA, "w", d("2022-09-20"), None, "M", "N", None, None),             # still missing
            (LA, "v", d("2022-06-20"), d("2022-10-05"), "M", "Y", None, None),  # missing over the quarter's end
            (LA, "s", d("2022-06-01"), d("2022-07-03"), "M", "N", None, None),  # began last quarter: 32 days
            (LA, "t", d("2022-09-25"), d("2022-10-01"), "A", "N", None, None),  # away over the end: not missing
        ],
    )
    population = _frame(["la_code", "year", "population_0_17"], [(LA, 2021, 19000), (LA, 2022, 20000)])
    directory = write_tables(tmp_path / "missing", {"children": children, "missing_episodes": missing,
                                                    "population": population})
    ids = ["missing_repeat_children", "missing_at_end", "missing_over_7d_pct", "missing_duration_median"]
    frame = compute(load_dataset(directory), [PERIOD], indicators=ids, breakdowns=["looked_after"])
    headline = {r["indicator"]: r for r in frame.filter(pl.col("breakdown") == "all").iter_rows(named=True)}
    assert (headline["missing_repeat_children"]["numerator"], headline["missing_at_end"]["numerator"]) == (2, 2)
    over = headline["missing_over_7d_pct"]
    assert (over["numerator"], over["denominator"]) == (3, 7) and over["value"] == pytest.approx(300 / 7)
    # the 7 episodes ending in the quarter lasted 1, 9, 7, 0, 8, 0 and 32 days: the median is 7 days
    median = headline["missing_duration_median"]
    assert (median["value"], median["denominator"]) == (7.0, 7)
    groups = {r["group"]: (r["numerator"], r["denominator"])
              for r in frame.filter(pl.col("breakdown") == "looked_after").iter_rows(named=True)}
    assert groups == {"Missing from care": (1, 3), "Missing from home": (2, 4)}


def test_leaving_care_ehcp_requests_mediation_and_contact_outcomes_by_hand(tmp_path):
    """Children leaving care by reason, EHC requests received and those that went to mediation, and contacts
    by outcome (#19), in one quarter (2022-23 Q2), counted by hand."""
    children = _frame(["la_code", "child_id", "sex", "date_of_birth", "ethnicity", "disability", "uasc", "district"],
                      [(LA, c, "F", d("2010-05-01"), "WBRI", "N", "N", "North") for c in "abcde"])
    cla = _frame(
        ["la_code", "child_id", "episode_start", "episode_end", "rne", "legal_status", "category_of_need",
         "placement_type", "reason_ceased"],
        [
            (LA, "a", d("2021-01-01"), d("2022-07-10"), "S", "C2", "N1", "U1", None),   # a move: care goes on
            (LA, "a", d("2022-07-10"), d("2022-09-01"), "P", "C2", "N1", "A4", "E11"),  # adopted
            (LA, "b", d("2022-02-01"), d("2022-08-15"), "S", "V2", "N4", "U1", "E4A"),  # returned home
            (LA, "c", d("2022-01-01"), d("2022-09-30"), "S", "C2", "N1", "U1", "E45"),  # SGO on the last day
            (LA, "d", d("2022-01-01"), d("2022-10-01"), "S", "C2", "N1", "U1", "E8"),   # next quarter
            (LA, "e", d("2022-03-01"), d("2022-06-30"), "S", "V2", "N4", "U1", "E13"),  # last quarter
        ],
    )
    ehcp = _frame(
        ["la_code", "child_id", "request_id", "request_date", "decision_date", "plan_issued_date", "exception",
         "mediation"],
        [
            (LA, "a", "e1", d("2022-07-01"), None, None, "N", None),                    # received
            (LA, "b", "e2", d("2022-09-30"), None, None, "N", None),                    # received, last day
            (LA, "c", "e3", d("2022-03-01"), None, d("2022-08-01"), "N", "Y"),          # issued: mediation
            (LA, "d", "e4", d("2022-02-01"), d("2022-07-20"), None, "N", "Y"),          # not to issue: mediation
            (LA, "e", "e5", d("2022-02-01"), None, d("2022-07-20"), "N", "N"),
            (LA, "a", "e6", d("2022-01-01"), None, d("2022-10-03"), "N", "Y"),          # closed next quarter
        ],
    )
    contacts = _frame(["la_code", "child_id", "contact_id", "contact_date", "contact_source", "outcome"],
                      [(LA, "a", "k1", d("2022-07-01"), "6", "referral"), (LA, "b", "k2", d("2022-07-02"), "6", "early_help"),
                       (LA, "c", "k3", d("2022-07-03"), "2A", "early_help"), (LA, "d", "k4", d("2022-08-03"), "3A", "nfa"),
                       (LA, "e", "k5", d("2022-08-04"), "1A", "information")])
    population = _frame(["la_code", "year", "population_0_17"], [(LA, 2021, 19000), (LA, 2022, 20000)])
    directory = write_tables(tmp_path / "more", {"children": children, "cla_episodes": cla, "ehcp_requests": ehcp,
                                                 "contacts": contacts, "population": population})
    frame = compute(load_dataset(directory), [PERIOD], indicators=["cla_ceased", "ehcp_requests_received",
                                                                   "ehcp_mediation", "contacts"],
                    breakdowns=["reason_ceased", "contact_outcome"])
    headline = {r["indicator"]: r["numerator"] for r in frame.filter(pl.col("breakdown") == "all").iter_rows(named=True)}
    assert headline == {"cla_ceased": 3, "ehcp_requests_received": 2, "ehcp_mediation": 2, "contacts": 5}
    groups = {(r["breakdown"], r["group"]): r["numerator"] for r in frame.filter(pl.col("breakdown") != "all").iter_rows(named=True)}
    assert groups == {
        ("reason_ceased", "Adopted"): 1, ("reason_ceased", "Returned home to live with parents or relatives"): 1,
        ("reason_ceased", "Special guardianship order"): 1,
        ("contact_outcome", "Referral to children's social care"): 1, ("contact_outcome", "Early help"): 2,
        ("contact_outcome", "No further action"): 1, ("contact_outcome", "Information and advice"): 1,
    }


def test_missing_by_uasc_placement_and_earlier_referral_and_plans_while_looked_after_by_hand(tmp_path):
    """Committees asked whether missing children were unaccompanied asylum seekers, placed by other
    authorities or already known to social care, whether looked-after children are still on plans, and how
    many care leavers are in bed and breakfast (#19): one quarter (2022-23 Q2), counted by hand."""
    children = _frame(["la_code", "child_id", "sex", "date_of_birth", "ethnicity", "disability", "uasc", "district"],
                      [(LA, c, "M", d("2007-05-01"), "WBRI", "N", "Y" if c == "p" else ("N" if c != "r" else None), "North")
                       for c in "pqrs"])
    cla = _frame(
        ["la_code", "child_id", "episode_start", "episode_end", "rne", "legal_status", "category_of_need",
         "placement_type", "placement_la", "reason_ceased"],
        [
            (LA, "p", d("2022-01-10"), None, "S", "V2", "N8", "U1", "998", None),         # placed by 999 in 998
            (LA, "q", d("2021-05-01"), d("2022-08-15"), "S", "C2", "N1", "U1", LA, "E11"),  # at home from 15 Aug
            (LA, "q", d("2022-09-01"), None, "S", "C2", "N1", "U1", LA, None),             # in care again
        ],
    )
    missing = _frame(
        ["la_code", "child_id", "missing_start", "missing_end", "missing_type", "looked_after", "rhi_offered_date",
         "rhi_accepted"],
        [
            (LA, "p", d("2022-07-04"), d("2022-07-05"), "M", "Y", None, None),  # UASC, placed outside the area
            (LA, "p", d("2022-08-04"), d("2022-08-05"), "M", "Y", None, None),
            (LA, "q", d("2022-08-01"), d("2022-08-02"), "M", "Y", None, None),  # in care, placed inside
            (LA, "q", d("2022-08-20"), d("2022-08-21"), "M", "Y", None, None),  # between episodes: not recorded
            (LA, "r", d("2022-09-10"), d("2022-09-11"), "M", "N", None, None),  # from home; UASC not recorded
            (LA, "s", d("2022-07-20"), d("2022-07-21"), "M", "N", None, None),  # referred the same day: not before
        ],
    )
    referrals = _frame(["la_code", "child_id", "referral_id", "referral_date", "referral_source", "nfa", "closure_date"],
                       [(LA, "q", "r1", d("2021-04-01"), "6", "N", None), (LA, "r", "r2", d("2022-09-09"), "6", "N", None),
                        (LA, "s", "r3", d("2022-07-20"), "6", "N", None)])
    cp_plans = _frame(["la_code", "child_id", "plan_id", "start_date", "end_date", "initial_category", "latest_category"],
                      [(LA, "q", "c1", d("2022-03-01"), None, "NEG", "NEG"),    # on a plan, looked after at the end
                       (LA, "p", "c2", d("2022-03-01"), d("2022-09-30"), "NEG", "NEG"),  # ended on the last day
                       (LA, "s", "c3", d("2022-03-01"), None, "NEG", "NEG")])  # on a plan, not looked after
    care_leavers = _frame(["la_code", "child_id", "reference_date", "age_band", "in_touch", "activity", "accommodation"],
                          [(LA, "a", d("2022-07-10"), "19-21", "YES", "G5", "W2"),   # bed and breakfast, unsuitable
                           (LA, "b", d("2022-08-10"), "19-21", "YES", "F1", "W1"),   # bed and breakfast, suitable
                           (LA, "c", d("2022-09-10"), "17-18", "YES", "F4", "Z1"),   # with former foster carers
                           (LA, "e", d("2022-06-10"), "17-18", "YES", "F4", "Z1")])  # last quarter
    population = _frame(["la_code", "year", "population_0_17"], [(LA, 2021, 19000), (LA, 2022, 20000)])
    directory = write_tables(tmp_path / "depth", {
        "children": children, "cla_episodes": cla, "missing_episodes": missing, "referrals": referrals,
        "cp_plans": cp_plans, "care_leavers": care_leavers, "population": population})
    frame = compute(load_dataset(directory), [PERIOD],
                    indicators=["missing_episodes", "missing_children", "cpp_looked_after", "care_leavers_recorded",
                                "cla_rate"],
                    breakdowns=["uasc", "placement_location", "known_before", "care_leaver_accommodation",
                                "care_leaver_activity"])
    assert _groups(frame, "missing_episodes", "uasc") == {
        "Unaccompanied asylum-seeking": (2, None), "Not unaccompanied asylum-seeking": (3, None), "Not recorded": (1, None)}
    assert _groups(frame, "missing_children", "placement_location") == {
        "Placed outside the authority's area": (1, None), "Placed inside the authority's area": (1, None),
        "Not recorded": (1, None), "Missing from home (not looked after)": (2, None)}
    assert _groups(frame, "missing_episodes", "known_before") == {
        "Referred to social care before": (3, None), "Not referred to social care before": (3, None)}
    headline = {r["indicator"]: r["numerator"] for r in frame.filter(pl.col("breakdown") == "all").iter_rows(named=True)}
    assert headline == {"missing_episodes": 6, "missing_children": 4, "cpp_looked_after": 1, "care_leavers_recorded": 3,
                        "cla_rate": 2}
    # where children looked after at the quarter's end are placed: p in 998's area, q in the authority's own
    assert _groups(frame, "cla_rate", "placement_location") == {
        "Placed outside the authority's area": (1, None), "Placed inside the authority's area": (1, None)}
    assert _groups(frame, "care_leavers_recorded", "care_leaver_accommodation") == {
        "Bed and breakfast": (2, None), "With former foster carers": (1, None)}
    assert _groups(frame, "care_leavers_recorded", "care_leaver_activity") == {
        "Not in education, employment or training (other reasons)": (1, None), "Full-time higher education": (1, None),
        "Full-time apprenticeship": (1, None)}


def test_children_missing_at_risk_of_exploitation_by_district_and_risk_by_hand(tmp_path):
    """County lines by district (committee question 18) and the risks in children going missing (42): the
    episodes' optional ``risk``, counted by hand in 2022-23 Q2 and its 12 months (2021-10-01 to 2022-09-30)."""
    children = _frame(["la_code", "child_id", "sex", "date_of_birth", "ethnicity", "disability", "uasc", "district"],
                      [(LA, c, "M", d("2007-05-01"), "WBRI", "N", "N", "North" if c in "ab" else "South") for c in "abcdef"])
    columns = ["la_code", "child_id", "missing_start", "missing_end", "missing_type", "looked_after", "rhi_offered_date",
               "rhi_accepted", "district", "risk"]
    missing = _frame(columns, [
        (LA, "a", d("2022-07-04"), d("2022-07-05"), "M", "Y", None, None, None, "county_lines"),
        (LA, "a", d("2022-08-04"), d("2022-08-05"), "M", "Y", None, None, None, "county_lines"),  # a: once
        (LA, "b", d("2021-11-01"), d("2021-11-02"), "M", "N", None, None, None, "cse"),   # in the 12 months
        (LA, "b", d("2022-09-01"), d("2022-09-02"), "M", "N", None, None, None, "cce"),   # b: under two risks
        (LA, "c", d("2022-08-10"), d("2022-08-11"), "M", "N", None, None, "North", "county_lines"),  # episode's district
        (LA, "d", d("2021-09-30"), d("2021-10-01"), "M", "N", None, None, None, "cse"),   # before the 12 months
        (LA, "e", d("2022-07-20"), d("2022-07-21"), "A", "N", None, None, None, "cce"),   # away, not missing
        (LA, "e", d("2022-07-25"), d("2022-07-26"), "M", "N", None, None, None, "none"),  # missing, no risk found
        (LA, "f", d("2022-09-20"), d("2022-09-21"), "M", "N", None, None, None, None),    # no risk recorded
    ])
    population = _frame(["la_code", "year", "population_0_17"], [(LA, 2021, 19000), (LA, 2022, 20000)])
    directory = write_tables(tmp_path / "risk", {"children": children, "missing_episodes": missing,
                                                 "population": population})
    frame = compute(load_dataset(directory), [PERIOD], indicators=["missing_exploited_children", "missing_episodes"],
                    breakdowns=["district", "risk"])
    headline = {r["indicator"]: r["numerator"] for r in frame.filter(pl.col("breakdown") == "all").iter_rows(named=True)}
    assert headline == {"missing_exploited_children": 3, "missing_episodes": 6}
    assert _groups(frame, "missing_exploited_children", "district") == {"North": (3, None)}  # c's episode was in North
    assert _groups(frame, "missing_exploited_children", "risk") == {
        "County lines": (2, None), "Child sexual exploitation": (1, None),
        "Child criminal exploitation (not county lines)": (1, None)}
    assert _groups(frame, "missing_episodes", "risk") == {
        "County lines": (3, None), "Child criminal exploitation (not county lines)": (1, None),
        "No risk of exploitation identified": (1, None), "Not recorded": (1, None)}
    # a return without the column (SSDA903 has none): not available, never 0
    without = write_tables(tmp_path / "none", {"children": children, "missing_episodes": missing.drop("risk"),
                                               "population": population})
    figure = compute(load_dataset(without), [PERIOD], indicators=["missing_exploited_children"])
    assert figure["value"].to_list() == [None]


def test_early_help_starting_and_open_by_hand(tmp_path):
    """Early help (committee question 73: "the numbers of those going into early intervention"): episodes
    starting in 2022-23 Q2, and children with an episode open on its last day, counted by hand."""
    children = _frame(["la_code", "child_id", "sex", "date_of_birth", "ethnicity", "disability", "uasc", "district"],
                      [(LA, c, "F", d("2015-05-01"), "WBRI", "N", "N", "North") for c in "abcdef"])
    early_help = _frame(["la_code", "child_id", "eh_start", "eh_end", "assessment_end", "organisation", "district"], [
        (LA, "a", d("2022-07-01"), None, d("2022-07-20"), "Family hub", None),          # starts; open at the end
        (LA, "b", d("2022-09-30"), d("2022-12-01"), None, "School", "South"),           # starts on the last day
        (LA, "b", d("2021-01-01"), d("2021-06-01"), None, "School", None),              # long closed
        (LA, "c", d("2022-03-01"), d("2022-09-30"), None, "School", None),              # closed on the last day
        (LA, "d", d("2022-05-01"), d("2022-10-02"), None, "School", None),              # open at the end
        (LA, "d", d("2022-08-01"), None, None, "School", None),                         # d again: counted once open
        (LA, "e", d("2022-10-01"), None, None, "School", None),                         # next quarter
    ])
    population = _frame(["la_code", "year", "population_0_17"], [(LA, 2021, 19000), (LA, 2022, 20000)])
    directory = write_tables(tmp_path / "early_help", {"children": children, "early_help": early_help,
                                                       "population": population})
    frame = compute(load_dataset(directory), [PERIOD], indicators=["early_help_starts", "early_help_open"],
                    breakdowns=["district"])
    headline = {r["indicator"]: r["numerator"] for r in frame.filter(pl.col("breakdown") == "all").iter_rows(named=True)}
    assert headline == {"early_help_starts": 3, "early_help_open": 3}  # a, b, d starting; a, b, d open
    assert _groups(frame, "early_help_starts", "district") == {"North": (2, None), "South": (1, None)}
    # from Annex A alone (no episode's end): children open at the end are not available, never every one ever
    annex = write_tables(tmp_path / "annex", {"children": children, "population": population,
                                              "early_help": early_help.with_columns(pl.lit(None, pl.Date).alias("eh_end"))})
    figures = compute(load_dataset(annex), [PERIOD], indicators=["early_help_starts", "early_help_open"])
    assert dict(figures.select("indicator", "value").iter_rows()) == {"early_help_starts": 3, "early_help_open": None}


def test_reviews_held_on_time_by_hand(tmp_path):
    """Reviews held on time (committee question 22): the first within 20 working days of the start of the
    period of care, the second within 3 months of the first, the rest within 6 months of the one before; in
    2022-23 Q2, counted by hand."""
    children = _frame(["la_code", "child_id", "sex", "date_of_birth", "ethnicity", "disability", "uasc", "district"],
                      [(LA, c, "F", d("2012-05-01"), "WBRI", "N", "N", "North") for c in "abcd"])
    cla = _frame(["la_code", "child_id", "episode_start", "episode_end", "rne", "legal_status", "category_of_need",
                  "placement_type"], [
        (LA, "a", d("2022-07-01"), None, "S", "C2", "N1", "U1"),                # came into care on 1 July
        (LA, "b", d("2021-10-01"), d("2022-03-01"), "S", "C2", "N1", "U1"),
        (LA, "b", d("2022-03-01"), None, "P", "C2", "N1", "U4"),                # a move: the same period of care
        (LA, "c", d("2020-01-06"), None, "S", "C2", "N1", "U1"),                # in care before reviews are recorded
        (LA, "d", d("2022-08-01"), None, "S", "V2", "N1", "U1"),
    ])
    reviews = _frame(["la_code", "child_id", "review_date", "review_code"], [
        (LA, "a", d("2022-07-28"), "PN1"),  # 19 working days after 1 July: on time
        (LA, "b", d("2021-10-20"), "PN1"),  # first (last year)
        (LA, "b", d("2022-01-20"), "PN1"),  # second, within 3 months (last quarter)
        (LA, "b", d("2022-07-21"), "PN1"),  # third, 6 months and a day after the second: late
        (LA, "c", d("2022-08-10"), "PN1"),  # first recorded, period began before the records: not judged
        (LA, "d", d("2022-09-01"), "PN1"),  # 22 working days after 1 August (29 August a bank holiday): late
        (LA, "d", d("2022-09-30"), "PN1"),  # second, within 3 months of the first: on time
    ])
    population = _frame(["la_code", "year", "population_0_17"], [(LA, 2021, 19000), (LA, 2022, 20000)])
    directory = write_tables(tmp_path / "reviews", {"children": children, "cla_episodes": cla, "cla_reviews": reviews,
                                                    "population": population})
    frame = compute(load_dataset(directory), [PERIOD], indicators=["cla_reviews_on_time_pct", "cla_reviews_held"])
    figures = {r["indicator"]: (r["numerator"], r["denominator"]) for r in frame.iter_rows(named=True)}
    assert figures == {"cla_reviews_on_time_pct": (2, 4), "cla_reviews_held": (5, None)}


def test_the_activity_codes_have_words_and_the_eet_ones_are_the_catalogues():
    """The contract's care leaver activities each have DfE's words (labels.yaml), and the activities counted as
    education, employment or training are named once, in the catalogue, where the measure and the disclosure
    model both read them."""
    from perfkit.indicators.catalogue import load_catalogue
    from perfkit.indicators.labels import group_labels
    from perfkit.records.contract import ACTIVITY_CODES

    assert set(group_labels()["care_leaver_activity"]) == set(ACTIVITY_CODES)
    eet = load_catalogue()["care_leavers_eet_pct"].within["groups"]
    assert set(eet) < set(ACTIVITY_CODES) and not any(code.startswith("G") for code in eet)


def test_reviews_and_how_children_took_part_by_hand(tmp_path):
    """Committees asked about children attending their reviews (#19): SSDA903 Reviews, one quarter (2022-23
    Q2), counted by hand. A child under 4 (PN0) is left out of participation; PN7 did not take part."""
    children = _frame(["la_code", "child_id", "sex", "date_of_birth", "ethnicity", "disability", "uasc", "district"],
                      [(LA, c, "F", d("2010-05-01"), "WBRI", "N", "N", "North" if c != "e" else "South") for c in "abcde"])
    reviews = _frame(["la_code", "child_id", "review_date", "review_code"], [
        (LA, "a", d("2022-07-01"), "PN1"),   # attended and spoke
        (LA, "b", d("2022-08-15"), "PN6"),   # did not attend, views conveyed: took part
        (LA, "c", d("2022-09-30"), "PN7"),   # last day of the quarter: did not take part
        (LA, "d", d("2022-09-01"), "PN0"),   # under 4: not in participation, still a review held
        (LA, "e", d("2022-08-01"), None),    # code not recorded: a review held, not in participation
        (LA, "a", d("2022-06-30"), "PN1"),   # last quarter
    ])
    population = _frame(["la_code", "year", "population_0_17"], [(LA, 2021, 19000), (LA, 2022, 20000)])
    directory = write_tables(tmp_path / "reviews", {"children": children, "cla_reviews": reviews, "population": population})
    frame = compute(load_dataset(directory), [PERIOD], indicators=["cla_reviews_held", "cla_review_participation_pct"],
                    breakdowns=True)
    headline = {r["indicator"]: (r["numerator"], r["denominator"])
                for r in frame.filter(pl.col("breakdown") == "all").iter_rows(named=True)}
    assert headline == {"cla_reviews_held": (5, None), "cla_review_participation_pct": (2, 3)}
    assert _groups(frame, "cla_reviews_held", "review_code") == {
        "Attended and spoke for themselves": (1, None), "Did not attend; conveyed their views another way": (1, None),
        "Did not attend; views not conveyed": (1, None), "Under 4 at the review": (1, None), "Not recorded": (1, None)}
    assert _groups(frame, "cla_review_participation_pct", "district") == {"North": (2, 3)}


def test_assessments_open_over_45_working_days_at_the_period_end_by_hand(tmp_path):
    """Assessments open at the end of 2022-23 Q2 (Friday 30 September 2022) counted when more than 45 working
    days old. Counting back from the 30th: September has 21 working days (the 19th a bank holiday), August 22
    (the 29th), so the 45th is Thursday 28 July; an assessment started on 27 July is 45 days old (not over),
    one started on 26 July 46 (over)."""
    starts = {"a": ("2022-07-26", None), "b": ("2022-07-27", None), "c": ("2022-03-01", "2022-09-30"),
              "d": ("2022-03-01", "2022-10-03"), "e": ("2022-10-03", None), "f": ("2022-01-04", None)}
    children = _frame(["la_code", "child_id", "sex", "date_of_birth", "ethnicity", "disability", "uasc", "district"],
                      [(LA, c, "F", d("2010-05-01"), "WBRI", "N", "N", "North") for c in starts])
    referrals = _frame(["la_code", "child_id", "referral_id", "referral_date", "referral_source", "nfa", "closure_date"],
                       [(LA, c, f"r{c}", d("2022-01-03"), "6", "N", None) for c in starts])
    assessments = _frame(
        ["la_code", "child_id", "assessment_id", "referral_id", "start_date", "authorised_date"],
        [(LA, c, f"a{c}", f"r{c}", d(start), None if end is None else d(end)) for c, (start, end) in starts.items()])
    population = _frame(["la_code", "year", "population_0_17"], [(LA, 2021, 19000), (LA, 2022, 20000)])
    directory = write_tables(tmp_path / "open", {"children": children, "referrals": referrals,
                                                 "assessments": assessments, "population": population})
    frame = compute(load_dataset(directory), [PERIOD], indicators=["assessments_open_over_45wd"])
    row = frame.filter(pl.col("breakdown") == "all").row(0, named=True)
    # a (46 days) and f (open since January); b is 45 days old; c was authorised on the last day (closed);
    # d, authorised after the end, is open: started 1 March, well over 45; e starts next quarter
    assert (row["numerator"], row["value"]) == (3, 3)


def test_children_in_semi_independent_living_or_supported_accommodation_by_age(tmp_path):
    """Members asked how many under-16s, and how many older children, are in such settings (minute 002):
    ``cla_semi_independent`` counts children looked after on 30 September 2022 whose placement that day is
    H5 or P2, or K3 (registered supported accommodation: a K code, yet not a children's home), by age on
    that day: under 16, 16, and 17 and over. A child who moved on before the period end is not counted;
    a child under 16 placed there is (where no child may be placed): the under-16 band.
    The headline figure is ``cla_rate``'s placement-type group of that name (its ``same_as``)."""
    born = {"a": "2006-08-01", "b": "2005-09-01", "c": "2005-01-01", "d": "2008-01-01", "e": "2006-03-01", "f": "2004-10-01"}
    children = _frame(["la_code", "child_id", "sex", "date_of_birth", "ethnicity", "uasc"],
                      [(LA, c, "F", d(b), "WBRI", "N") for c, b in born.items()])
    columns = ["la_code", "child_id", "episode_start", "episode_end", "rne", "legal_status", "category_of_need", "placement_type"]
    episodes = _frame(columns, [
        (LA, "a", d("2022-08-01"), None, "S", "C2", "N1", "K3"),   # 16 on 30 September 2022: supported accommodation
        (LA, "b", d("2022-01-01"), None, "S", "V2", "N1", "P2"),   # 17: independent living
        (LA, "c", d("2021-06-01"), d("2022-09-01"), "S", "C2", "N1", "H5"),  # moved on before the period end
        (LA, "c", d("2022-09-01"), None, "P", "C2", "N1", "K2"),   # a children's home on 30 September
        (LA, "d", d("2022-07-01"), None, "S", "C2", "N1", "H5"),   # 14, placed where no under-16 may be
        (LA, "e", d("2022-05-01"), None, "S", "C2", "N1", "U1"),   # fostered
        (LA, "f", d("2022-04-01"), None, "S", "C2", "N1", "H5"),   # 17, 18 on 1 October: 17 and over
    ])
    population = _frame(["la_code", "year", "population_0_17"], [(LA, 2022, 5000)])
    data = load_dataset(write_tables(tmp_path, {"children": children, "cla_episodes": episodes, "population": population}))
    rows = compute(data, [PERIOD], indicators=["cla_semi_independent", "cla_rate"], breakdowns=["age_under_16", "placement_type"])
    counted = {(r["indicator"], r["breakdown"], r["group"]): r["numerator"] for r in rows.iter_rows(named=True)}
    semi = {g: n for (i, b, g), n in counted.items() if i == "cla_semi_independent" and b == "age_under_16"}
    assert counted[("cla_semi_independent", "all", "all")] == 4
    assert semi == {"Under 16": 1, "16": 1, "17 and over": 2}
    from perfkit.indicators.catalogue import load_catalogue
    from perfkit.indicators.labels import group_label

    group = group_label("placement_type", load_catalogue()["cla_semi_independent"].same_as["group"])
    assert counted[("cla_rate", "placement_type", group)] == 4
    assert counted[("cla_rate", "placement_type", "Children's homes")] == 1  # c's K2, not a's K3
    headlines = compute(data, [PERIOD], indicators=["cla_semi_independent"])
    assert headlines["numerator"].to_list() == [4]


def test_children_missing_again_and_again_by_whether_referred_to_social_care_by_the_period_end(tmp_path):
    """"If they went missing repeatedly they would be referred to social care" (minute 000): children with 3
    or more missing episodes in the 12 months to 30 September 2022, by whether they have a referral dated on
    or before that day. A referral after it does not count; a child with 2 episodes is in no group."""
    children = _frame(["la_code", "child_id", "sex", "date_of_birth", "ethnicity"],
                      [(LA, c, "F", d("2008-01-01"), "WBRI") for c in "abcd"])
    columns = ["la_code", "child_id", "missing_start", "missing_end", "missing_type", "looked_after"]
    starts = {"a": ["2022-01-05", "2022-03-01", "2022-09-01"], "b": ["2021-11-01", "2022-02-01", "2022-08-01"],
              "c": ["2022-04-01", "2022-05-01", "2022-06-01"], "d": ["2022-07-01", "2022-08-01"]}
    episodes = _frame(columns, [(LA, c, d(s), d(s), "M", "N") for c, days in starts.items() for s in days])
    referrals = _frame(["la_code", "child_id", "referral_id", "referral_date", "referral_source", "nfa"], [
        (LA, "a", "r1", d("2022-09-30"), "6", "N"),   # on the period's last day: referred
        (LA, "b", "r2", d("2020-05-01"), "6", "N"),   # long before the episodes: referred
        (LA, "c", "r3", d("2022-10-01"), "6", "N"),   # the day after: not yet
        (LA, "d", "r4", d("2022-01-01"), "6", "N"),   # 2 episodes: not counted at all
    ])
    data = load_dataset(write_tables(tmp_path, {"children": children, "missing_episodes": episodes, "referrals": referrals}))
    rows = compute(data, [PERIOD], indicators=["missing_repeat_children"], breakdowns=["referred_by_end"])
    counted = {r["group"]: r["numerator"] for r in rows.iter_rows(named=True)}
    assert counted == {"all": 3, "Referred to social care by the period end": 2,
                       "Not referred to social care by the period end": 1}
