"""Catalogue indicators against every published measure: which have a published twin, and why the rest have none.

The LAIT data dictionary (``shared/lait/lait_data_dictionary.csv``, every
measure) and the EES files in ``shared/dfe`` were read for each catalogue
indicator. A comparator is a *twin*: the same numerator, denominator, unit,
point in time or window, age range and scale. A published measure that is
close but differs is not a comparator; it is named in
:data:`NO_COMPARATOR` with the reason, so that adding one later is a deliberate
change to this file as well as to ``comparators.yaml``.

Each comparator added from that review is checked here against its published
file read directly with polars (not through perfkit's loaders): the figure
``perfkit benchmarks`` gives an authority and England must be the published
one, so removing or mis-pointing the entry fails.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import polars as pl
import pytest

from helpers import needs_published

from perfkit.config.paths import published_dfe_dir, published_lait_dir
from perfkit.indicators.catalogue import load_catalogue
from perfkit.published import benchmarks, comparators

pytestmark = needs_published()

C1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
LAIT = "bds_long_0.parquet"
DICTIONARY = "lait_data_dictionary.csv"

#: Catalogue indicators with no published comparator, and why. A "close" measure names the published
#: figure that looks like a twin and the way it differs.
NO_COMPARATOR: dict[str, str] = {
    "contacts": "DfE collects no contacts (the CIN census starts at the referral); nothing in LAIT or EES.",
    "contact_conversion_pct": "No published contacts, so no conversion rate.",
    "referrals": (
        "Close: c1 referral_count / LAIT CPP_Total_NumRef count referrals in the year to 31 March; perfkit counts "
        "referrals in one quarter (a different window), and England's figure is a national total, not a comparable "
        "level. The rate is benchmarked instead (referral_rate)."
    ),
    "assessment_days_median": "DfE publishes no median assessment duration (LAIT has only Continue_Assess_Comp, a %).",
    "assessments_open_over_45wd": "Not published: the CIN census counts assessments completed in the year, not those open at a date.",
    "cpp_starts": (
        "Close: d3 CPP_start / LAIT CPP_Abuse count plans starting in the year; perfkit counts those starting in one "
        "quarter, and England's is a national total. LAIT's CPP_Abuse_Rate (per 10,000) has no catalogue twin: "
        "perfkit computes no rate of plans starting."
    ),
    "cp_visits_10wd_pct": "Not collected by DfE (no visit data in the CIN census publications or LAIT).",
    "cla_starts": (
        "Close: cla_number_and_rate 'Children starting to be looked after each year' / LAIT LACnum_Start count "
        "children (only a child's first start in the year) over a year; perfkit counts periods of care (each "
        "rne = S episode) in one quarter. LAC_Start_Rate is per 10,000, and perfkit has no starts rate."
    ),
    "cla_uasc": (
        "Close: LAIT Unacc_Asylmn_Seek_Childn is UASC looked after at 31 March (the Q4 period end), but it is a "
        "count whose England and region figures are totals of many authorities (the narrative would call an "
        "authority 'lower than England'), and perfkit's uasc flag is 'ever UASC' while DfE counts UASC status. "
        "Unacc_Asylmn_Seek_Childn% is a share of children looked after, not of the threshold."
    ),
    "cla_semi_independent": (
        "Close: LAIT LAC_Ind_SInd_Liv_Arr is the % of children looked after at 31 March in independent and "
        "semi-independent living arrangements or supported accommodation: a share, not a count, and England's "
        "count would be a national total. No file here counts them by age."
    ),
    "cla_uasc_threshold_pct": "The National Transfer Scheme threshold share (0.1% of children 0-17) is not published.",
    "cla_s20_starts": "Starts by legal status are in no file here (neither EES nor LAIT).",
    "cla_s20_repeat_starts": "Not published.",
    "missing_episodes": "No count of missing episodes of all children in LAIT or the EES files here.",
    "missing_children": (
        "Close: LAIT Children_missing is the % of children looked after during the year with a missing incident "
        "(looked-after children only, a percentage, a year, and incidents open on 1 April included); perfkit "
        "counts children missing from home or care in a quarter."
    ),
    "missing_episodes_per_child": "Not published.",
    "cla_reviews_on_time_pct": (
        "Not published: DfE's looked-after statistics count reviews' participation codes, not whether each "
        "review was held by its due date."
    ),
    "early_help_starts": (
        "Not published: early help is in no statutory return (Annex A's List 2 is for inspectors, not "
        "collected), and DfE publishes no early help statistics by local authority."
    ),
    "early_help_open": (
        "Not published: early help is in no statutory return, and DfE publishes no early help statistics by "
        "local authority."
    ),
    "missing_duration_median": (
        "Not published: DfE's looked-after statistics count missing incidents and children, not how long "
        "episodes last."
    ),
    "missing_exploited_children": (
        "Not published: no statutory return records a missing episode's risk of exploitation. The children in "
        "need census counts assessments that identified child sexual or criminal exploitation or gangs, a "
        "different population (children assessed, not children missing)."
    ),
    "missing_repeat_children": (
        "Not published for children missing from home or care; DfE's looked-after statistics count only "
        "looked-after children with a missing incident over a year."
    ),
    "cpp_looked_after": "Not published: DfE publishes children on a plan and children looked after, never both at once.",
    "care_leavers_recorded": "A count of this return's records, no rate: DfE publishes care leavers' accommodation and "
                             "activity as percentages of care leavers of an age, which the suitable and EET rates compare with.",
    "cla_reviews_held": "Not published by authority: DfE collects reviews in SSDA903 but publishes no count of them.",
    "cla_review_participation_pct": "Not in the files here: LAIT and the looked-after statistics in ../shared publish "
                                    "no review participation by authority.",
    "missing_at_end": "Not published: DfE counts missing incidents over a year, not children missing on a day.",
    "missing_over_7d_pct": "Not published: the length of missing episodes is in no DfE table or LAIT.",
    "cla_ceased": (
        "Close: DfE's looked-after statistics count children who ceased to be looked after in the year to 31 "
        "March (a child once); perfkit counts periods of care ending in a quarter (a child who leaves twice, twice)."
    ),
    "ehcp_requests_received": (
        "Close: SEN2 counts initial requests for an EHC needs assessment in a calendar year; perfkit counts "
        "requests in a quarter, and England's is a national total, not a comparable level."
    ),
    "ehcp_mediation": "Not in the files here (SEN2 and LAIT publish no mediation counts by authority).",
    "sw_permanent_fte": (
        "Close: the children's social work workforce census counts FTE social workers at 30 September, "
        "agency included, and England's figure is a national total, not a comparable level."
    ),
    "sw_starters_fte": (
        "Close: the workforce census counts starters over the year to 30 September; perfkit counts a quarter, "
        "and England's figure is a national total."
    ),
    "sw_nqsw_pct": (
        "Not published: the children's social work workforce census counts FTE by role, not newly qualified "
        "social workers, and LAIT has no such measure."
    ),
    "missing_under16_pct": "Not published.",
    "rhi_offered_72h_pct": "Return home interviews are not a DfE collection: not published.",
    "rhi_accepted_pct": "Return home interviews are not a DfE collection: not published.",
    "ehcp_open_over_20wk": (
        "Not published: LAIT's SEN2 measures (SEN_INIT_REQ, SEN_ASSESSMENT, SEN_CASES_JAN ...) count requests, "
        "assessments and plans, not requests open over 20 weeks at a date."
    ),
    "ehcp_open": (
        "Not published: LAIT's SEN2 measures count requests made and plans issued over a calendar year, and "
        "plans in force in January, not requests still open at a date."
    ),
}

#: Published measures close to a catalogue indicator that are deliberately not its comparator
#: (LAIT ``Short Desc`` -> (indicator, how it differs)).
CLOSE_LAIT_MEASURES: dict[str, tuple[str, str]] = {
    "CPP_Total_NumRef": ("referrals", "year count vs quarter count; used as referral_rate's numerator only"),
    "CPP_Abuse": ("cpp_starts", "year count vs quarter count"),
    "CPP_Abuse_Rate": ("cpp_starts", "rate per 10,000 vs count"),
    "LACnum_Start": ("cla_starts", "children (first start) in a year vs periods of care in a quarter"),
    "LAC_Start_Rate": ("cla_starts", "rate per 10,000 vs count"),
    "Unacc_Asylmn_Seek_Childn": ("cla_uasc", "count; England is a national total"),
    "LAC_Ind_SInd_Liv_Arr": ("cla_semi_independent", "% of children looked after vs count"),
    "Unacc_Asylmn_Seek_Childn%": ("cla_uasc_threshold_pct", "% of children looked after vs % of the NTS threshold"),
    "Children_missing": ("missing_children", "% of children looked after in a year vs count of all children in a quarter"),
    "CPPlans2yrsActive": ("cpp_2yr_plus_pct", "plans open at 31 March (point in time) vs plans ending in the year"),
    "SEN_EHC_All_20wks": ("ehcp_20wk_pct", "includes exception cases; perfkit excludes them (SEN_EHC_Excpt_20wks)"),
    "ISCP_Conf": ("icpc_15wd_pct", "ICPCs per 10,000 children, not the % within 15 working days"),
    "Referrals_AssessedNotNeed": ("referral_nfa_pct", "referrals assessed then closed not in need (RC8/RC9), not NFA"),
    "CareLeaverAcc": ("care_leavers_suitable_pct", "19-21 only: the same figures as the EES 19 to 21 comparator"),
    "CareLeaverEET": ("care_leavers_eet_pct", "19-21 only: the same figures as the EES 19 to 21 comparator"),
}


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def kent_2025() -> pl.DataFrame:
    return benchmarks.benchmark_table("886", 2025)


@pytest.fixture(scope="module")
def camden_2024() -> pl.DataFrame:
    return benchmarks.benchmark_table("202", 2024)


def _row(frame: pl.DataFrame, **where) -> dict:
    rows = frame.filter(*[pl.col(k) == v for k, v in where.items()])
    assert rows.height == 1, f"expected one row for {where}, found {rows.height}: is the comparator in comparators.yaml?"
    return rows.row(0, named=True)


def _c1(year: int) -> pl.DataFrame:
    frame = pl.read_csv(published_dfe_dir() / C1, infer_schema=False)
    frame.columns = [c.strip().lstrip("\ufeff") for c in frame.columns]
    return frame.filter((pl.col("time_period") == str(year)) & (pl.col("category") == "Referrals and Re-referrals"))


def _c1_figure(year: int, column: str, *, la: str | None = None, level: str = "Local authority",
               region: str | None = None) -> float:
    rows = _c1(year).filter(pl.col("geographic_level") == level)
    if la is not None:
        rows = rows.filter(pl.col("old_la_code") == la)
    if region is not None:
        rows = rows.filter(pl.col("region_name") == region)
    assert rows.height == 1, (year, column, la, level, region)
    return float(rows[column].item())


def _lait_figure(measure: str, year: int, area: str, decimals: int = 1) -> float:
    rows = pl.read_parquet(published_lait_dir() / LAIT).filter(
        (pl.col("Short Desc") == measure) & (pl.col("Years") == str(year)) & (pl.col("LA and Regions") == area))
    assert rows.height == 1, (measure, year, area)
    return round(float(rows["Values"].item()), decimals)


def _entry(indicator: str, breakdown: str = "all") -> comparators.Comparator:
    found = [c for c in comparators.load_comparators() if (c.indicator, c.breakdown) == (indicator, breakdown)]
    assert len(found) == 1, f"no comparator for {indicator} ({breakdown}) in comparators.yaml"
    return found[0]


# --------------------------------------------------------------------------- the added comparators


def test_referral_nfa_pct_is_c1_no_further_action_percent():
    entry = _entry("referral_nfa_pct")
    assert (entry.source, entry.file, entry.value, entry.decimals) == ("ees", C1, "no_further_action_percent", 1)
    assert entry.filters == {"category": "Referrals and Re-referrals"}
    assert entry.numerator.columns == ("no_further_action_count",) and entry.denominator.columns == ("referral_count",)


@pytest.mark.parametrize("year", [2025, 2024])
def test_referral_nfa_pct_benchmark_is_the_published_figure(kent_2025, year):
    """Kent 0.5% (129 of 24,035 referrals) and England 6.5% in 2025, read from c1 directly."""
    table = kent_2025 if year == 2025 else benchmarks.benchmark_table("886", year)
    row = _row(table, indicator="referral_nfa_pct", breakdown="all")
    assert row["value"] == _c1_figure(year, "no_further_action_percent", la="886")
    assert row["england"] == _c1_figure(year, "no_further_action_percent", level="National")
    assert row["region_name"] == "South East"
    assert row["region"] == _c1_figure(year, "no_further_action_percent", level="Regional", region="South East")
    assert row["previous"] == _c1_figure(year - 1, "no_further_action_percent", la="886")
    assert row["source"] == C1 and row["decimals"] == 1
    assert row["band"] is None and row["rank"] is None  # polarity none in the catalogue
    if year == 2025:
        assert (row["value"], row["england"]) == (0.5, 6.5)


def test_referral_nfa_pct_counts_are_the_published_counts():
    values = comparators.comparator_values(_entry("referral_nfa_pct"))
    kent = _row(values, year=2025, la_code="886")
    assert kent["numerator"] == _c1_figure(2025, "no_further_action_count", la="886") == 129
    assert kent["denominator"] == _c1_figure(2025, "referral_count", la="886") == 24035
    england = _row(values.filter(pl.col("geographic_level") == "National"), year=2025)
    assert england["numerator"] * 100 / england["denominator"] == pytest.approx(england["value"], abs=0.05)


def test_referral_nfa_pct_is_not_the_not_in_need_column(kent_2025):
    """The close column beside it (assessed, then not in need) is a different measure: 27.2% for Kent in 2025."""
    row = _row(kent_2025, indicator="referral_nfa_pct")
    assert row["value"] != _c1_figure(2025, "not_in_need_percent", la="886")


def test_the_lait_nfa_measure_carries_the_same_figures():
    """LAIT's CIN_Refferals_NFA equals c1's no_further_action_percent (its dictionary text is a copy of the
    not-in-need measure's), for Kent and England."""
    for year in (2024, 2025):
        assert _lait_figure("CIN_Refferals_NFA", year, "Kent") == _c1_figure(year, "no_further_action_percent", la="886")
        assert _lait_figure("CIN_Refferals_NFA", year, "England") == _c1_figure(
            year, "no_further_action_percent", level="National")


def test_s47_rate_is_lait_section_47():
    entry = _entry("s47_rate")
    assert (entry.source, entry.file, entry.value, entry.decimals) == ("lait", LAIT, "Section_47", 1)
    assert entry.numerator is None and entry.denominator is None  # c4's counts are not among the files here


@pytest.mark.parametrize("year", [2025, 2024])
def test_s47_rate_benchmark_is_the_published_figure(kent_2025, year):
    """Kent 208.8 and England 189.3 section 47 enquiries per 10,000 children in 2025, read from LAIT directly."""
    table = kent_2025 if year == 2025 else benchmarks.benchmark_table("886", year)
    row = _row(table, indicator="s47_rate", breakdown="all")
    assert row["value"] == _lait_figure("Section_47", year, "Kent")
    assert row["england"] == _lait_figure("Section_47", year, "England")
    assert row["region"] == _lait_figure("Section_47", year, "South East")
    assert row["previous"] == _lait_figure("Section_47", year - 1, "Kent")
    assert row["source"] == LAIT and row["decimals"] == 1
    assert row["band"] is None and row["rank"] is None
    if year == 2025:
        assert (row["value"], row["england"]) == (208.8, 189.3)


def test_a_london_borough_gets_both_added_comparators(camden_2024):
    """Camden (202), in Inner London, against the published figures for 2024."""
    s47 = _row(camden_2024, indicator="s47_rate")
    assert s47["value"] == _lait_figure("Section_47", 2024, "Camden")
    assert s47["england"] == _lait_figure("Section_47", 2024, "England")
    assert s47["region"] == _lait_figure("Section_47", 2024, "London (Inner)")
    nfa = _row(camden_2024, indicator="referral_nfa_pct")
    assert nfa["value"] == _c1_figure(2024, "no_further_action_percent", la="202")
    assert nfa["england"] == _c1_figure(2024, "no_further_action_percent", level="National")


def test_the_command_line_prints_the_added_comparators():
    """``perfkit benchmarks --authority 886 --year 2025 --csv`` shows both, at the published figures."""
    out = subprocess.run([sys.executable, "-m", "perfkit.cli", "benchmarks", "--authority", "886", "--year", "2025", "--csv"],
                         capture_output=True, text=True, check=True, timeout=300).stdout
    rows = {r["indicator"]: r for r in csv.DictReader(io.StringIO(out)) if r["breakdown"] == "all"}
    assert float(rows["s47_rate"]["value"]) == _lait_figure("Section_47", 2025, "Kent")
    assert float(rows["s47_rate"]["england"]) == _lait_figure("Section_47", 2025, "England")
    assert float(rows["referral_nfa_pct"]["value"]) == _c1_figure(2025, "no_further_action_percent", la="886")
    assert float(rows["referral_nfa_pct"]["england"]) == _c1_figure(2025, "no_further_action_percent", level="National")


# --------------------------------------------------------------------------- what has no comparator


def test_the_indicators_without_a_comparator_are_the_documented_ones():
    """Every catalogue indicator either has a comparator or is in NO_COMPARATOR with its reason, never both."""
    catalogue_ids = set(load_catalogue().ids)
    mapped = {c.indicator for c in comparators.load_comparators()}
    assert set(NO_COMPARATOR) <= catalogue_ids, set(NO_COMPARATOR) - catalogue_ids
    assert not mapped & set(NO_COMPARATOR), f"now benchmarked, take out of NO_COMPARATOR: {sorted(mapped & set(NO_COMPARATOR))}"
    without = catalogue_ids - mapped
    assert without == set(NO_COMPARATOR), (
        f"no comparator and no documented reason: {sorted(without - set(NO_COMPARATOR))}; "
        f"documented but mapped: {sorted(set(NO_COMPARATOR) - without)}"
    )
    assert len(catalogue_ids) == 59 and len(mapped) == 20 and len(NO_COMPARATOR) == 39
    assert all(reason.strip() for reason in NO_COMPARATOR.values())


def test_the_close_published_measures_exist_and_are_not_comparators():
    """The near-misses named above are real LAIT measures (in its dictionary and its table), and none is used."""
    dictionary = pl.read_csv(published_lait_dir() / DICTIONARY, infer_schema=False)
    in_table = set(pl.read_parquet(published_lait_dir() / LAIT, columns=["Short Desc"])["Short Desc"].unique())
    catalogue_ids = set(load_catalogue().ids)
    used = {c.value for c in comparators.load_comparators() if c.source == "lait"}
    for measure, (indicator, _why) in CLOSE_LAIT_MEASURES.items():
        assert measure in set(dictionary["Measure_short"]) and measure in in_table, measure
        assert indicator in catalogue_ids, indicator
        assert measure not in used, f"{measure} is documented as close but not the same as {indicator}"
