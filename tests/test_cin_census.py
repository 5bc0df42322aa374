"""CIN census XML returns (issue #18): read streaming into canonical tables, never all-or-nothing.

- The three public sample returns import (exit 0 or 1), the problems file
  lists what was left out, and a count made with plain ``xml.etree`` of
  children and of referrals per year matches the tables plus what was left out.
- Synthetic tables written as seven years' returns and imported give the same
  figures as the tables, for every indicator the census can support; the rest
  are "not available from this data", never 0.
- Several returns merge without double counting; conflicts, bad values,
  unborn children and broken files each do what the module says.
"""

from __future__ import annotations

import datetime as dt
import re
import tracemalloc
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from perfkit.config.paths import shared_dir
from perfkit.formats import cin_census_read
from perfkit.formats.cin_census import import_cin_census, read_cin_census
from perfkit.formats.cin_census_read import read_return
from perfkit.formats.import_log import PROBLEMS_FILE, read_problems
from perfkit.indicators.catalogue import NOT_AVAILABLE, load_catalogue
from perfkit.indicators.engine import compute, windows_frame
from perfkit.records.dataset import Dataset
from perfkit.records.loading import load_dataset
from perfkit.synth.cin_census import write_cin_census
from perfkit.synth.draws import AS_AT
from perfkit.synth.simulation import DEFAULT_AUTHORITIES, generate

EXTERNAL = shared_dir() / "external"
SAMPLES = {
    "sf-liia-tools/cin-2022.xml": {"status": 0, "children": 1, "referrals": 1},
    "sf-liia-tools-pipeline/BAR_cin_2022.xml": {"status": 0, "children": 1, "referrals": 1},
    "d2i-cin-validator/CIN_Census_2024.xml": {"status": 1, "children": 2, "referrals": 1},
}
needs_samples = pytest.mark.skipif(not EXTERNAL.exists(), reason=f"the sample returns are not here ({EXTERNAL} is absent)")

CIN_FIGURES = ["referrals", "rereferral_pct", "referral_nfa_pct", "assessments_45wd_pct", "assessments_open_over_45wd",
               "assessment_days_median", "icpc_15wd_pct", "cpp_starts", "cpp_repeat_pct", "cpp_2yr_plus_pct"]
CIN_RATES = ["referral_rate", "cin_rate", "s47_rate", "cpp_rate"]
YEARS = range(2019, 2026)
PERIODS = [f"{y - 1}-{y % 100:02d} Q{q}" for y in YEARS[1:] for q in range(1, 5)]
LAST_YEAR = [f"2024-25 Q{q}" for q in range(1, 5)]
FIRST_DAY = dt.date(YEARS[0] - 1, 4, 1)


# --------------------------------------------------------------------------- the public samples


def independent_count(path: Path) -> tuple[set[str], Counter, dict[tuple[str, int], str]]:
    """Children, referrals by year of CINreferralDate, and each CINdetails' date by (child, position): plain ElementTree."""
    root = ET.parse(path).getroot()
    children: set[str] = set()
    by_year: Counter = Counter()
    dates: dict[tuple[str, int], str] = {}
    for child in root.find("Children").findall("Child"):
        child_id = child.findtext("ChildIdentifiers/LAchildID").strip()
        children.add(child_id)
        for number, details in enumerate(child.findall("CINdetails"), start=1):
            date = details.findtext("CINreferralDate").strip()
            by_year[date[:4]] += 1
            dates[(child_id, number)] = date
    return children, by_year, dates


@needs_samples
@pytest.mark.parametrize("name", list(SAMPLES))
def test_sample_returns_import_and_match_an_independent_count(name, tmp_path):
    path = EXTERNAL / name
    result = import_cin_census([path], tmp_path)
    expected = SAMPLES[name]
    assert result.status == expected["status"]
    assert (result.problems_file is not None) == bool(result.log.problems)
    if result.log.rows_left_out:
        assert read_problems(tmp_path) == result.log.problems
    data = load_dataset(tmp_path)  # the canonical tables meet the contract
    children, by_year, dates = independent_count(path)

    imported_children = set(data.table("children")["child_id"].to_list())
    left_out_children = {re.search(r"LAchildID='([^']*)'", p.sheet).group(1)
                         for p in result.log.problems if p.action.startswith("left out of children")}
    assert imported_children | left_out_children == children
    assert len(imported_children) == expected["children"]

    imported = Counter(str(d.year) for d in data.table("referrals")["referral_date"])
    left_out = Counter()
    for p in result.log.problems:
        if p.action.startswith("left out of referrals"):
            child, number = re.search(r"LAchildID='([^']*)'\]/CINdetails\[(\d+)\]", p.sheet).groups()
            left_out[dates[(child, int(number))][:4]] += 1
    assert imported + left_out == by_year
    assert data.table("referrals").height == expected["referrals"]


@needs_samples
def test_the_d2i_sample_says_what_it_left_out_and_why(tmp_path):
    result = import_cin_census([EXTERNAL / "d2i-cin-validator/CIN_Census_2024.xml"], tmp_path)
    found = {(p.column, p.value): p for p in result.log.problems}
    # Year 2023 beside ReferenceDate 2024-03-31: the ReferenceDate ends the collection year
    assert "read as the 2023-24 return" in found[("Year", "2023")].action
    # an assessment starting in 2028 has not happened
    assert found[("AssessmentActualStartDate", "2028-04-28")].action == "left out of assessments"
    # a referral after the census reference date belongs to a later return
    late = found[("CINreferralDate", "2024-10-24")]
    assert late.action == "left out of referrals" and late.row == 2 and "child_fails_assessments" in late.sheet
    assert result.log.rows_left_out == 2
    # <Sex>1</Sex> (the old GenderCurrent coding in the new element) and <Sex>M</Sex> are both male
    children = pl.read_csv(tmp_path / "children.csv")
    assert children["sex"].to_list() == ["M", "M"]


# --------------------------------------------------------------------------- the round trip


def census_tables(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Authority 990's tables as a council's records could be, for CIN census returns to be written from.

    The simulation makes a few records no return can carry: a second referral
    of a child on the same day (overlapping episodes, refused by the census),
    and plans starting at a child's birth, ended before any referral of the
    child (a plan is held in a CINdetails). Those are taken out; plans ended
    before the first return's year stay (each return counts them in
    NumberOfPreviousCPP), and everything else is as simulated.
    """
    mine = {name: frame.filter(pl.col("la_code") == "990") for name, frame in tables.items() if "la_code" in frame.columns}
    referrals = mine["referrals"].sort("referral_id").unique(["child_id", "referral_date"], keep="first", maintain_order=True)
    assessments = mine["assessments"].filter(pl.col("referral_id").is_in(referrals["referral_id"].implode()))
    first = referrals.group_by("child_id").agg(pl.col("referral_date").min().alias("__first"))
    plans = mine["cp_plans"].join(first, on="child_id", how="left").filter(
        (pl.col("__first") <= pl.coalesce("end_date", pl.lit(AS_AT))) | (pl.col("end_date") < FIRST_DAY)).drop("__first")
    section47 = mine["section47"].join(first, on="child_id", how="left")
    assert section47.filter(pl.col("__first") > pl.coalesce("icpc_date", "start_date")).height == 0
    return {**mine, "referrals": referrals, "assessments": assessments, "cp_plans": plans,
            "section47": section47.drop("__first")}


def held(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """What the returns of 2018-19 to 2024-25 hold: all but the plans ended before 1 April 2018."""
    plans = tables["cp_plans"]
    return {**tables, "cp_plans": plans.filter(pl.col("end_date").is_null() | (pl.col("end_date") >= FIRST_DAY))}


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    raw = generate(seed=11, authorities=DEFAULT_AUTHORITIES[:1], scale=0.25)
    tables = census_tables(raw)
    folder = tmp_path_factory.mktemp("cin-round-trip")
    returns = [write_cin_census(tables, folder / "xml" / f"cin_{year}.xml", "990", year) for year in YEARS]
    result = import_cin_census(returns, folder / "data")
    return raw, tables, result, load_dataset(folder / "data")


def _figures(data: Dataset, periods: list[str], indicators: list[str] | None = None, **kwargs) -> pl.DataFrame:
    return compute(data, periods, ["990"], indicators=indicators, **kwargs).select(
        "period", "indicator", "breakdown", "group", "numerator", "denominator", "value", "reason")


def test_round_trip_imports_everything_written(round_trip):
    _, tables, result, data = round_trip
    assert result.status == 0 and result.log.rows_left_out == 0
    # what the returns cannot hold is said once: the earliest return's re-referrals need the year before
    assert [p.column for p in result.log.problems] == ["ReferenceDate"]
    assert data.warnings == []
    tables = held(tables)
    for name, key in [("referrals", "referral_date"), ("assessments", "start_date"), ("section47", "start_date"),
                      ("cp_plans", "start_date")]:
        assert data.table(name).height == tables[name].height, name
        written = tables[name].select("child_id", key).sort("child_id", key)
        assert data.table(name).select("child_id", key).sort("child_id", key).equals(written), name
    columns = ["child_id", "referral_date", "referral_source", "nfa", "closure_date", "closure_reason", "primary_need"]
    assert data.table("referrals").select(columns).sort(columns[:2]).equals(
        tables["referrals"].select(columns).sort(columns[:2]))
    children = tables["children"].filter(pl.col("child_id").is_in(data.table("children")["child_id"].implode()))
    columns = ["child_id", "sex", "date_of_birth", "ethnicity", "disability"]
    assert data.table("children").select(columns).sort("child_id").equals(children.select(columns).sort("child_id"))


def test_round_trip_gives_the_same_figures(round_trip):
    _, tables, _, data = round_trip
    original = Dataset(Path("."), held(tables))
    wanted = CIN_FIGURES + CIN_RATES
    with_population = Dataset(data.directory, {**data.tables, "population": tables["population"]})
    expected = _figures(original, PERIODS, wanted)
    got = _figures(with_population, PERIODS, wanted)
    # a repeat plan also counts the earlier plans NumberOfPreviousCPP says the child had before the returns
    # began: more repeats than the plans the returns hold alone show, and every other figure the same
    repeat = pl.col("indicator") == "cpp_repeat_pct"
    assert got.filter(~repeat).equals(expected.filter(~repeat))
    assert (got.filter(repeat)["numerator"] >= expected.filter(repeat)["numerator"]).all()
    assert got.filter(repeat)["numerator"].sum() > expected.filter(repeat)["numerator"].sum()
    counted = expected.filter(pl.col("value").is_not_null()).group_by("indicator").len()
    assert counted.height == len(wanted) and counted["len"].min() >= len(PERIODS) // 2  # real figures, mostly
    # breakdowns by the child's sex, age and ethnicity, the referral's source and the plan's category, too
    breakdowns = ["sex", "age_band", "ethnicity_group", "referral_source", "category"]
    assert _figures(data, LAST_YEAR, CIN_FIGURES, breakdowns=breakdowns).filter(~repeat).equals(
        _figures(original, LAST_YEAR, CIN_FIGURES, breakdowns=breakdowns).filter(~repeat))


def test_round_trip_figures_match_the_simulation_in_the_last_census_year(round_trip):
    """Against the simulation itself, 2024-25 differs only by what no return can hold: a plan the simulation
    starts at a child's birth, before any referral, and repeat plans whose only earlier plan was such a one
    (NumberOfPreviousCPP, ``previous_plans``, carries earlier plans that ended before April 2018)."""
    raw, tables, result, data = round_trip
    mine = {name: frame.filter(pl.col("la_code") == "990") for name, frame in raw.items() if "la_code" in frame.columns}
    simulated = _figures(Dataset(Path("."), mine), LAST_YEAR, CIN_FIGURES)
    got = _figures(data, LAST_YEAR, CIN_FIGURES)
    plan_figures = ("cpp_starts", "cpp_2yr_plus_pct", "cpp_repeat_pct")
    same = [i for i in CIN_FIGURES if i not in plan_figures]
    assert got.filter(pl.col("indicator").is_in(same)).equals(simulated.filter(pl.col("indicator").is_in(same)))
    # plans starting and ending: short by exactly the plans no return can hold
    unplaceable = mine["cp_plans"].join(tables["cp_plans"], on="plan_id", how="anti")
    for period, start, end in windows_frame(LAST_YEAR).select("period", "window_start", "window_end").iter_rows():
        def count(frame, indicator, column, period=period):
            return frame.filter((pl.col("indicator") == indicator) & (pl.col("period") == period))[column].item()
        started = unplaceable.filter(pl.col("start_date").is_between(start, end)).height
        ended = unplaceable.filter(pl.col("end_date").is_between(start, end)).height
        assert count(simulated, "cpp_starts", "numerator") - count(got, "cpp_starts", "numerator") == started
        assert count(simulated, "cpp_2yr_plus_pct", "denominator") - count(got, "cpp_2yr_plus_pct", "denominator") == ended
    def repeats(frame):
        return frame.filter(pl.col("indicator") == "cpp_repeat_pct")["numerator"].sum()

    assert repeats(simulated) - len(unplaceable) <= repeats(got) <= repeats(simulated)
    # every plan's repeat status in the records is an earlier plan in the returns or NumberOfPreviousCPP > 0
    plans = data.table("cp_plans").with_columns(
        earlier=pl.col("start_date").min().over("child_id") < pl.col("start_date"))
    simulated_plans = tables["cp_plans"].with_columns(
        simulated_repeat=pl.col("start_date").min().over("child_id") < pl.col("start_date"))
    joined = plans.join(simulated_plans.select("child_id", "start_date", "simulated_repeat"), on=["child_id", "start_date"])
    assert joined.height == plans.height
    assert joined.filter((pl.col("earlier") | (pl.col("previous_plans").cast(pl.Int64) > 0)) != pl.col("simulated_repeat")).height == 0


def test_figures_the_census_cannot_support_are_not_available(round_trip):
    *_, data = round_trip
    figures = _figures(data, LAST_YEAR)
    cin = set(CIN_FIGURES)
    unavailable = figures.filter(~pl.col("indicator").is_in(cin))
    assert unavailable.height == 4 * (len(load_catalogue().indicators) - len(cin))
    assert unavailable["value"].null_count() == unavailable.height
    assert unavailable["reason"].str.starts_with(NOT_AVAILABLE + ": needs ").all()
    assert set(unavailable.filter(pl.col("indicator") == "cin_rate")["reason"]) == {
        "not available from this data: needs population.population_0_17"}
    assert figures.filter(pl.col("indicator").is_in(cin))["reason"].null_count() == 4 * len(cin)


# --------------------------------------------------------------------------- hand-made returns


def census(children: str, year: int = 2024, lea: str = "990", reference: str | None = None, extra_header: str = "") -> str:
    reference = reference or f"{year}-03-31"
    return (f"<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>{year}</Year>"
            f"<ReferenceDate>{reference}</ReferenceDate></CollectionDetails><Source><LEA>{lea}</LEA></Source>"
            f"{extra_header}</Header><Children>{children}</Children></Message>")


def child(child_id: str | None, details: str = "", born: str = "2015-06-01", sex: str = "<Sex>F</Sex>",
          ethnicity: str = "WBRI", extra: str = "") -> str:
    ident = f"<LAchildID>{child_id}</LAchildID>" if child_id is not None else ""
    birth = f"<PersonBirthDate>{born}</PersonBirthDate>" if born else ""
    return (f"<Child><ChildIdentifiers>{ident}{birth}{extra}{sex}</ChildIdentifiers><ChildCharacteristics>"
            f"<Ethnicity>{ethnicity}</Ethnicity></ChildCharacteristics>{details}</Child>")


def referral(date: str, inner: str = "", nfa: str = "false", source: str = "2A", closure: str = "", extra: str = "") -> str:
    closed = f"<CINclosureDate>{closure}</CINclosureDate>" if closure else ""
    return (f"<CINdetails><CINreferralDate>{date}</CINreferralDate><ReferralSource>{source}</ReferralSource>{extra}"
            f"{closed}{inner}<ReferralNFA>{nfa}</ReferralNFA></CINdetails>")


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_several_years_merge_without_double_counting(tmp_path):
    plan = ("<ChildProtectionPlans><CPPstartDate>2023-02-01</CPPstartDate>{end}<InitialCategoryOfAbuse>NEG"
            "</InitialCategoryOfAbuse><LatestCategoryOfAbuse>{latest}</LatestCategoryOfAbuse>"
            "<NumberOfPreviousCPP>0</NumberOfPreviousCPP></ChildProtectionPlans>")
    first = _write(tmp_path, "cin_2023.xml", census(
        child("A1", referral("2022-11-01", plan.format(end="", latest="NEG"))) + child("B2", referral("2023-01-05")),
        year=2023))
    second = _write(tmp_path, "cin_2024.xml", census(
        child("A1", referral("2022-11-01", plan.format(end="<CPPendDate>2023-09-01</CPPendDate>", latest="EMO"),
                             closure="2023-10-01"), born="2015-06-02")
        + child("C3", referral("2023-06-01"))))
    tables, log = read_cin_census([second, first])  # the order given does not matter: the later year wins
    referrals = tables["referrals"].sort("referral_id")
    assert referrals["referral_id"].to_list() == ["A1:R2022-11-01", "B2:R2023-01-05", "C3:R2023-06-01"]
    assert referrals["closure_date"].to_list() == [dt.date(2023, 10, 1), None, None]
    plans = tables["cp_plans"]
    assert plans.select("plan_id", "end_date", "initial_category", "latest_category").rows() == [
        ("A1:R2022-11-01:P2023-02-01", dt.date(2023, 9, 1), "NEG", "EMO")]
    # two birth dates for one child: a warning naming both files; the later return's kept
    conflict = next(p for p in log.problems if p.column == "PersonBirthDate")
    assert conflict.value == "2015-06-01 (cin_2023.xml, Child 1); 2015-06-02 (cin_2024.xml, Child 1)"
    assert conflict.source == "cin_2024.xml" and not conflict.left_out
    assert tables["children"].filter(pl.col("child_id") == "A1")["date_of_birth"].item() == dt.date(2015, 6, 2)
    assert log.rows_left_out == 0


def test_bad_values_leave_out_only_the_records_that_need_them(tmp_path):
    assessment = "<Assessments><AssessmentActualStartDate>{}</AssessmentActualStartDate>{}</Assessments>"
    section47 = ("<Section47><S47ActualStartDate>2023-06-05</S47ActualStartDate><DateOfInitialCPC>2024-05-01"
                 "</DateOfInitialCPC><ICPCnotRequired>perhaps</ICPCnotRequired></Section47>")
    plan = ("<ChildProtectionPlans><CPPstartDate>2023-07-01</CPPstartDate><InitialCategoryOfAbuse>XXX"
            "</InitialCategoryOfAbuse><LatestCategoryOfAbuse>PHY</LatestCategoryOfAbuse>"
            "<NumberOfPreviousCPP>two</NumberOfPreviousCPP></ChildProtectionPlans>")
    text = census(
        child("A1", referral("2023-06-01", assessment.format("2023-06-02", "<AssessmentAuthorisationDate>2023-05-01"
                                                            "</AssessmentAuthorisationDate>")
                             + assessment.format("2023-06-03", "") + section47 + plan,
                             source="ZZ", extra="<PrimaryNeedCode>N12</PrimaryNeedCode>"))
        + child("B2", referral("2023-07-01", nfa="maybe") + referral("2023-08-01", closure="2023-07-01")
                + referral("2023-09-01"), sex="<GenderCurrent>7</GenderCurrent>", ethnicity="")
        + child(None, referral("2023-10-01"))
        + child("U4", referral("2024-01-10"), born="", extra="<ExpectedPersonBirthDate>2024-02-01</ExpectedPersonBirthDate>")
        + child("N5", referral("2024-01-11"), born="")
        + child("L6", referral("2024-04-02")))
    result = import_cin_census([_write(tmp_path, "cin.xml", text)], tmp_path / "out")
    assert result.status == 1
    data = load_dataset(tmp_path / "out")
    problems = {(p.row, p.column): p for p in result.log.problems}
    # ReferralSource ZZ read as 10 (unknown), PrimaryNeedCode blanked: the referral kept
    referrals = data.table("referrals")
    a1 = referrals.filter(pl.col("child_id") == "A1")
    assert a1.select("referral_source", "primary_need").row(0) == ("10", None)
    assert problems[(1, "PrimaryNeedCode")].action == "blanked; kept in referrals"
    # authorised before it started: that assessment is left out, the other kept
    assert data.table("assessments")["start_date"].to_list() == [dt.date(2023, 6, 3)]
    assert problems[(1, "AssessmentAuthorisationDate")].action == "left out of assessments"
    # a conference after the census end: not held yet; ICPCnotRequired blanked
    assert data.table("section47").select("icpc_date", "icpc_not_required").row(0) == (None, None)
    # one category of abuse unreadable: read as the other; NumberOfPreviousCPP blanked
    assert data.table("cp_plans").select("initial_category", "latest_category").row(0) == ("PHY", "PHY")
    assert pl.read_csv(tmp_path / "out" / "cp_plans.csv")["previous_plans"].null_count() == 1
    # B2: ReferralNFA 'maybe' and a closure before the referral leave those two referrals out, not the third
    assert referrals.filter(pl.col("child_id") == "B2")["referral_date"].to_list() == [dt.date(2023, 9, 1)]
    assert problems[(2, "ReferralNFA")].action == "left out of referrals"
    assert problems[(2, "CINclosureDate")].action == "left out of referrals"
    children = data.table("children")
    assert children.filter(pl.col("child_id") == "B2").select("sex", "ethnicity").row(0) == ("U", "NOBT")
    # no LAchildID: that child and everything of theirs is left out
    assert problems[(3, "LAchildID")].action.startswith("left out of every table")
    # unborn at the census: the expected birth date; no birth date at all: left out of children, referral kept
    assert children.filter(pl.col("child_id") == "U4")["date_of_birth"].item() == dt.date(2024, 2, 1)
    assert "N5" not in children["child_id"].to_list() and "N5" in referrals["child_id"].to_list()
    assert problems[(5, "PersonBirthDate")].action.startswith("left out of children")
    # a referral after the census reference date belongs to the next return
    assert "L6" not in referrals["child_id"].to_list()
    assert problems[(6, "CINreferralDate")].expected == "a date on or before the census reference date (2024-03-31)"
    written = read_problems(tmp_path / "out")
    assert written == result.log.problems and all(p.source == "cin.xml" for p in written)
    assert result.log.rows_left_out == sum(p.action.startswith("left out") for p in written)


def test_files_that_are_not_returns_give_nothing(tmp_path):
    broken_header = _write(tmp_path, "no_lea.xml", census(child("A1", referral("2023-06-01")), lea="Kent"))
    not_cin = _write(tmp_path, "school.xml", census(child("A1", referral("2023-06-01"))).replace(
        "<Collection>CIN</Collection>", "<Collection>SCHOOL CENSUS</Collection>"))
    other = _write(tmp_path, "other.xml", "<Workbook><Sheet/></Workbook>")
    entity = _write(tmp_path, "entity.xml", '<?xml version="1.0"?><!DOCTYPE Message [<!ENTITY a "aaaa">]>'
                    + census(child("A1", referral("2023-06-01"))))
    result = import_cin_census([broken_header, not_cin, other, entity, tmp_path / "absent.xml"], tmp_path / "out")
    assert result.status == 2 and result.written == []
    assert [p.source for p in result.log.problems] == ["no_lea.xml", "school.xml", "other.xml", "entity.xml", "absent.xml"]
    assert all(p.left_out for p in result.log.problems)
    assert (tmp_path / "out" / PROBLEMS_FILE).exists() and not (tmp_path / "out" / "children.csv").exists()


def test_a_broken_file_keeps_the_children_before_the_break(tmp_path):
    whole = census(child("A1", referral("2023-06-01")) + child("B2", referral("2023-07-01")))
    cut = whole[:whole.index("<Child>", whole.index("B2") - 60) + 40]
    result = import_cin_census([_write(tmp_path, "cut.xml", cut)], tmp_path / "out")
    assert result.status == 1
    assert pl.read_csv(tmp_path / "out" / "referrals.csv")["child_id"].to_list() == ["A1"]
    broken = next(p for p in result.log.problems if p.expected == "well-formed XML")
    assert "the 1 children before it are kept" in broken.action and broken.left_out


def test_namespaces_dates_and_a_child_listed_twice(tmp_path):
    text = census(child("A1", referral("01/06/2023")) + child("A1", referral("2023-06-01", closure="2023-08-01T00:00:00")))
    text = text.replace("<Message>", '<Message xmlns="http://www.dfe.gov.uk/CIN">')
    tables, log = read_cin_census([_write(tmp_path, "ns.xml", text)])
    assert tables["referrals"].select("referral_id", "closure_date").rows() == [("A1:R2023-06-01", dt.date(2023, 8, 1))]
    assert {p.column for p in log.problems} >= {"LAchildID", "CINreferralDate"}  # each repeat said once
    assert log.rows_left_out == 0


def test_reading_streams_in_memory_that_does_not_grow_with_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(cin_census_read, "FLUSH_EVERY", 200)
    one = child("C{}", referral("2023-06-01", "<Assessments><AssessmentActualStartDate>2023-06-02"
                                              "</AssessmentActualStartDate></Assessments>"))
    peaks = []
    for count in (1_000, 8_000):
        path = _write(tmp_path, f"c{count}.xml", census("".join(one.format(n) for n in range(count))))
        tracemalloc.start()
        result = read_return(path, path.name)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert result.children == count and result.table("referrals").height == count
    assert peaks[1] < 1.5 * peaks[0], peaks  # eight times the file, not eight times the memory
