"""Importers and exporters: Annex A and SSDA903 round trips, real-world mess, hand-written snippets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from helpers import write

from perfkit.errors import ContractError
from perfkit.formats.annex_a import import_annex_a, read_annex_a, read_annex_a_logged
from perfkit.formats.annex_a_write import write_annex_a
from perfkit.formats.import_log import PROBLEMS_FILE, read_problems
from perfkit.formats.ssda903 import import_ssda903, read_ssda903, write_ssda903
from perfkit.records.loading import load_dataset
from perfkit.synth import simulation as synth

LA = "990"


@pytest.fixture(scope="module")
def tables() -> dict[str, pl.DataFrame]:
    return synth.generate(seed=11, authorities=synth.DEFAULT_AUTHORITIES[:1], scale=0.05)


@pytest.fixture(scope="module")
def workbook(tables, tmp_path_factory) -> Path:
    return write_annex_a(tables, tmp_path_factory.mktemp("annex") / "annex_a.xlsx")


@pytest.fixture(scope="module")
def annex(workbook) -> dict[str, pl.DataFrame]:
    return read_annex_a(workbook, LA)


@pytest.fixture(scope="module")
def folder903(tables, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ssda903")
    write_ssda903(tables, out, LA)
    return out


@pytest.fixture(scope="module")
def s903(folder903) -> dict[str, pl.DataFrame]:
    return read_ssda903(folder903, LA)


def same(left: pl.DataFrame, right: pl.DataFrame, columns: list[str]) -> None:
    """Equal as multisets of rows over ``columns`` (frames sorted first)."""
    a = left.select(columns).sort(columns, nulls_last=True)
    b = right.select(columns).sort(columns, nulls_last=True)
    assert a.schema == b.schema
    assert a.height == b.height
    diff = pl.concat([a.join(b, on=columns, how="anti", nulls_equal=True), b.join(a, on=columns, how="anti", nulls_equal=True)])
    assert diff.height == 0, diff
    assert a.equals(b)


def problems_text(excinfo) -> str:
    return str(excinfo.value)


# --------------------------------------------------------------------------
# Annex A round trip


def test_annex_a_workbook_has_one_sheet_per_list_with_annex_a_headings(workbook):
    sheets = pl.read_excel(workbook, sheet_id=0, engine="calamine", infer_schema_length=0, raise_if_empty=False)
    assert [name.split(" - ")[0] for name in sheets] == [f"List {n}" for n in range(1, 12)]
    list3 = sheets["List 3 - Referrals"]
    assert {"Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Date of referral", "Referral Source",
            "Referral NFA?"} <= set(list3.columns)
    assert set(list3["Referral NFA?"].unique()) <= {"a) Yes", "b) No"}
    assert list3["Referral Source"].str.contains(r"^[a-z]{1,2}\d?\) \w+: ").all()
    assert {"Date Started to be Looked After", "Date Ceased to be Looked After", "Child's Legal Status",
            "Placement Type"} <= set(sheets["List 8 - Children in care"].columns)


def test_annex_a_dates_are_dd_mm_yyyy_cells(workbook):
    import zipfile

    with zipfile.ZipFile(workbook) as archive:
        styles = archive.read("xl/styles.xml").decode()
    assert "dd/mm/yyyy" in styles


def test_annex_a_round_trip_contacts_referrals(tables, annex):
    same(tables["contacts"], annex["contacts"], ["la_code", "child_id", "contact_date", "contact_source", "outcome"])
    same(tables["referrals"], annex["referrals"],
         ["la_code", "child_id", "referral_date", "referral_source", "nfa", "closure_date", "closure_reason", "primary_need"])


def test_annex_a_round_trip_assessments_and_their_referral(tables, annex):
    same(tables["assessments"], annex["assessments"], ["la_code", "child_id", "start_date", "authorised_date", "needs_support"])

    # Annex A does not carry the assessment's referral: it is derived (the child's latest
    # referral on or before the start, preferring one not closed as NFA)
    def linked(frames):
        return frames["assessments"].join(
            frames["referrals"].select("referral_id", pl.col("child_id").alias("referral_child"), "referral_date"),
            on="referral_id", how="left")

    derived = linked(annex)
    assert (derived["referral_child"] == derived["child_id"]).all()
    assert (derived["referral_date"] <= derived["start_date"]).all()
    columns = ["child_id", "start_date", "authorised_date", "referral_date"]
    agree = linked(tables).select(columns).join(derived.select(columns), on=columns, how="semi", nulls_equal=True).height
    assert agree >= 0.98 * derived.height


def test_annex_a_round_trip_child_protection(tables, annex):
    same(tables["section47"], annex["section47"],
         ["la_code", "child_id", "start_date", "icpc_date", "icpc_not_required", "cp_plan"])
    same(tables["cp_plans"], annex["cp_plans"],
         ["la_code", "child_id", "start_date", "end_date", "initial_category", "latest_category"])

    def last_visits(frames):
        visits = frames["cp_visits"].sort("visit_date").group_by("plan_id").agg(pl.col("visit_date").last(), pl.col("seen_alone").last())
        return visits.join(frames["cp_plans"].select("plan_id", "child_id", "start_date"), on="plan_id")

    same(last_visits(tables), last_visits(annex), ["child_id", "start_date", "visit_date", "seen_alone"])


def test_annex_a_round_trip_periods_of_care(tables, annex):
    episodes = tables["cla_episodes"].sort("child_id", "episode_start").with_columns(
        period=(pl.col("rne") == "S").cum_sum().over("child_id"))
    expected = episodes.group_by("la_code", "child_id", "period").agg(
        pl.col("episode_start").first(), pl.col("episode_end").last(), pl.col("legal_status").last(),
        pl.col("category_of_need").last(), pl.col("placement_type").last(), pl.col("placement_provider").last(),
        pl.col("placement_la").last(), pl.col("reason_ceased").last(),
    ).with_columns(rne=pl.lit("S"))
    same(expected, annex["cla_episodes"],
         ["la_code", "child_id", "episode_start", "episode_end", "rne", "legal_status", "category_of_need",
          "placement_type", "placement_provider", "placement_la", "reason_ceased"])


def test_annex_a_round_trip_care_leavers(tables, annex):
    same(tables["care_leavers"], annex["care_leavers"], TABLES_CARE_LEAVERS)


TABLES_CARE_LEAVERS = ["la_code", "child_id", "reference_date", "age_band", "in_touch", "activity", "accommodation"]


def test_annex_a_round_trip_children(tables, annex):
    listed = pl.concat([tables[name]["child_id"] for name in
                        ("contacts", "early_help", "referrals", "assessments", "section47", "cp_plans", "cla_episodes",
                         "care_leavers")]).unique()
    expected = tables["children"].filter(pl.col("child_id").is_in(listed.implode()))
    same(expected, annex["children"], ["la_code", "child_id", "sex", "date_of_birth", "ethnicity"])
    known = annex["children"].join(tables["children"], on="child_id", suffix="_synth")
    for column in ("disability", "uasc"):
        recorded = known.filter(pl.col(column).is_not_null())
        assert recorded.height > 0
        assert (recorded[column] == recorded[f"{column}_synth"]).all()


def test_annex_a_round_trip_early_help(tables, annex):
    """List 2 carries each episode's start, its assessment's completion and who completed it; the episode's
    end is no Annex A field, so it comes back empty (children receiving early help: not available)."""
    assert tables["early_help"].height > 0
    same(tables["early_help"].with_columns(eh_end=pl.lit(None, pl.Date), district=pl.lit(None, pl.String)),
         annex["early_help"], ["la_code", "child_id", "eh_start", "eh_end", "assessment_end", "organisation", "district"])


def test_annex_a_import_writes_csv_that_loads(workbook, tmp_path):
    named = tmp_path / "990_annex_a.xlsx"
    named.write_bytes(workbook.read_bytes())
    result = import_annex_a(named, tmp_path / "out")  # la_code read from the file name
    assert (result.status, result.log.problems, result.problems_file) == (0, [], None)
    assert not (tmp_path / "out" / PROBLEMS_FILE).exists()
    assert {p.name for p in result.written} == {"children.csv", "contacts.csv", "early_help.csv", "referrals.csv",
                                         "assessments.csv", "section47.csv", "cp_plans.csv", "cp_visits.csv",
                                         "cla_episodes.csv", "care_leavers.csv"}
    assert "-" in (tmp_path / "out" / "referrals.csv").read_text().splitlines()[1].split(",")[3]  # ISO date
    dataset = load_dataset(tmp_path / "out")
    assert dataset.authorities == [LA]
    assert dataset.table("referrals").schema["referral_date"] == pl.Date


def test_annex_a_refuses_several_authorities(tmp_path):
    two = synth.generate(seed=3, authorities=synth.DEFAULT_AUTHORITIES[:2], scale=0.02)
    with pytest.raises(ContractError, match="one authority"):
        write_annex_a(two, tmp_path / "x.xlsx")


def test_annex_a_without_la_code_says_how_to_give_it(workbook):
    with pytest.raises(ContractError, match="pass la_code"):
        read_annex_a(workbook)


# --------------------------------------------------------------------------
# SSDA903 round trip


def test_ssda903_files_have_the_published_headings(folder903):
    year = sorted(p for p in folder903.iterdir() if p.is_dir())[-1]
    assert (year / "header.csv").read_text().splitlines()[0] == "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
    assert (year / "episodes.csv").read_text().splitlines()[0] == (
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN")
    assert (year / "missing.csv").read_text().splitlines()[0] == "CHILD,DOB,MISSING,MIS_START,MIS_END"
    assert (year / "oc3.csv").read_text().splitlines()[0] == "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM"
    assert (year / "uasc.csv").read_text().splitlines()[0] == "CHILD,SEX,DOB,DUC"
    second = (year / "episodes.csv").read_text().splitlines()[1].split(",")
    assert len(second[1].split("/")) == 3 and len(second[1].split("/")[2]) == 4


def test_ssda903_round_trip(tables, s903):
    episodes = [c for c in tables["cla_episodes"].columns if c not in ("placement_la", "placement_district")]
    same(tables["cla_episodes"], s903["cla_episodes"], episodes)
    from_care = tables["missing_episodes"].filter(pl.col("looked_after") == "Y")
    same(from_care, s903["missing_episodes"],
         ["la_code", "child_id", "missing_start", "missing_end", "missing_type", "looked_after"])
    same(tables["care_leavers"], s903["care_leavers"], TABLES_CARE_LEAVERS)
    in_header = s903["children"]["child_id"]
    assert set(in_header) == set(tables["cla_episodes"]["child_id"]) | set(from_care["child_id"]) | set(tables["care_leavers"]["child_id"])
    same(tables["children"].filter(pl.col("child_id").is_in(in_header.implode())), s903["children"],
         ["la_code", "child_id", "sex", "date_of_birth", "ethnicity", "uasc"])
    assert (s903["children"]["uasc"] == "Y").any()


def test_ssda903_import_writes_csv_that_loads(folder903, tmp_path):
    result = import_ssda903(folder903, tmp_path / "out", LA)
    assert result.status == 0
    assert {p.name for p in result.written} == {"children.csv", "cla_episodes.csv", "missing_episodes.csv", "care_leavers.csv", "cla_reviews.csv"}
    dataset = load_dataset(tmp_path / "out")
    assert dataset.table("cla_episodes").height > 0


def test_ssda903_oc3_needs_a_collection_year(folder903, tmp_path):
    year = sorted(p for p in folder903.iterdir() if p.is_dir())[-1]
    flat = tmp_path / "extract"
    flat.mkdir()
    for name in ("header.csv", "oc3.csv"):
        (flat / name).write_bytes((year / name).read_bytes())
    with pytest.raises(ContractError) as excinfo:
        read_ssda903(flat, LA)
    assert "extract/oc3.csv" in problems_text(excinfo)
    assert "collection year" in problems_text(excinfo)


def test_ssda903_x1_and_latest_year_wins(tmp_path):
    for year, dec, rec in (("2023", "", ""), ("2024", "10/10/2023", "X1")):
        folder = tmp_path / "903" / year
        folder.mkdir(parents=True)
        (folder / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n7,1,01/01/2010,WBRI,,,\n")
        (folder / "episodes.csv").write_text(
            "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
            f"7,01/03/2023,S,V2,N1,U4,PR1,{dec},{rec},,,,\n")
    episodes = read_ssda903(tmp_path / "903", LA)["cla_episodes"]
    assert episodes.select("episode_end", "reason_ceased").rows() == [(dt.date(2023, 10, 10), None)]


# --------------------------------------------------------------------------
# real-world mess, each with a clear message


LIST3_HEADING = "Child Unique ID,Gender,Ethnicity,Date of Birth,Date of referral,Referral Source,Referral NFA?\n"


def test_byte_order_mark_is_ignored(tmp_path):
    path = write(tmp_path / "List 3.csv", LIST3_HEADING + "C1,a) Male,a) WBRI,01/02/2012,05/01/2024,q) 6: Police,b) No\n", bom=True)
    referrals = read_annex_a(path, LA)["referrals"]
    assert referrals["child_id"].to_list() == ["C1"]


def test_excel_cp1252_save_as_is_decoded(tmp_path):
    text = ("Child Unique ID,Gender,Ethnicity,Date of Birth,Date Started to be Looked After,Child’s Category of Need,"
            "Child’s Legal Status,Date Ceased to be Looked After,Placement Type,Placement Provider,LA of Placement,Allocated Worker\n"
            "C1,b) Female,a) WBRI,01/02/2012,05/01/2024,N1 - Abuse or neglect,C2: FCO,,p) K2: Children’s Homes,e) PR4: Private provision,Gwynedd,Zoë Brontë\n")
    path = write(tmp_path / "List 8.csv", text, encoding="cp1252")
    episodes = read_annex_a(path, LA)["cla_episodes"]
    assert episodes.select("legal_status", "category_of_need", "placement_type", "placement_provider").row(0) == ("C2", "N1", "K2", "PR4")


def test_bytes_that_are_no_encoding_are_named(tmp_path):
    path = tmp_path / "List 3.csv"
    path.write_bytes(LIST3_HEADING.encode() + b"C1,a) Male,a) WBRI,01/02/2012,05/01/2024,q) 6: Police,\x81\n")
    with pytest.raises(ContractError) as excinfo:
        read_annex_a(path, LA)
    text = problems_text(excinfo)
    assert "List 3.csv" in text and "0x81" in text and "Windows-1252" in text


def test_blank_rows_are_skipped_but_counted_in_row_numbers(tmp_path):
    path = write(tmp_path / "List 3.csv", LIST3_HEADING
                 + "C1,a) Male,a) WBRI,01/02/2012,05/01/2024,q) 6: Police,b) No\n"
                 + ",,,,,,\n\n"
                 + "C2,a) Male,a) WBRI,01/02/2012,5th Jan,q) 6: Police,b) No\n")
    tables, log = read_annex_a_logged(path, LA)
    assert tables["referrals"]["child_id"].to_list() == ["C1"]  # the bad row left out, the others kept
    assert [str(p) for p in log.problems] == [
        ("List 3.csv, column 'Date of referral', row 4: value '5th Jan': expected a date written dd/mm/yyyy, e.g. 05/01/2024; "
        "left out of referrals")]
    fixed = write(tmp_path / "ok" / "List 3.csv", LIST3_HEADING
                  + "C1,a) Male,a) WBRI,01/02/2012,05/01/2024,q) 6: Police,b) No\n,,,,,,\n\n"
                  + "C2,a) Male,a) WBRI,01/02/2012,06/01/2024,q) 6: Police,a) Yes\n")
    assert read_annex_a(fixed, LA)["referrals"]["child_id"].to_list() == ["C1", "C2"]


def test_ids_read_as_numbers_lose_the_point_zero(tmp_path):
    path = write(tmp_path / "List 3.csv", LIST3_HEADING + "123.0,a) Male,a) WBRI,01/02/2012,05/01/2024,q) 6: Police,b) No\n")
    tables = read_annex_a(path, LA)
    assert tables["referrals"]["child_id"].to_list() == ["123"]
    assert tables["children"]["child_id"].to_list() == ["123"]


def test_two_digit_years_are_refused_with_a_message(tmp_path):
    """A date of birth of 01/02/12 is never guessed: the referral is kept, the child's age is unknown (and while
    the contract needs a date of birth, the child is left out of ``children``)."""
    path = write(tmp_path / "List 3.csv", LIST3_HEADING + "C1,a) Male,a) WBRI,01/02/12,05/01/2024,q) 6: Police,b) No\n")
    tables, log = read_annex_a_logged(path, LA)
    assert tables["referrals"]["child_id"].to_list() == ["C1"]
    (problem,) = log.problems
    assert str(problem).startswith("List 3.csv, column 'Date of Birth', row 1: value '01/02/12': expected dd/mm/yyyy "
                                   "with a four-digit year (perfkit does not guess the century")
    assert problem.action.startswith("left out of children")


def test_extra_columns_are_ignored_and_headings_tidied(tmp_path):
    path = write(tmp_path / "List 3.csv",
                 "  child unique ID ,GENDER,Ethnicity,Date  of  Birth,Local notes,DATE OF REFERRAL,referral source,Referral NFA?\n"
                 "C1,a) Male,a) WBRI,01/02/2012,anything,05/01/2024,q) 6: Police,a) Yes\n")
    referrals = read_annex_a(path, LA)["referrals"]
    assert referrals.select("child_id", "referral_date", "referral_source", "nfa").row(0) == ("C1", dt.date(2024, 1, 5), "6", "Y")


def test_duplicated_columns_are_refused(tmp_path):
    path = write(tmp_path / "List 3.csv",
                 "Child Unique ID,Gender,Ethnicity,Date of Birth,Date of referral,date of referral ,Referral Source,Referral NFA?\n"
                 "C1,a) Male,a) WBRI,01/02/2012,05/01/2024,06/01/2024,q) 6: Police,a) Yes\n")
    tables, log = read_annex_a_logged(path, LA)
    assert tables == {}
    assert [str(p) for p in log.problems] == [
        ("List 3.csv, column 'Date of referral': expected each heading once (this one is in columns 5 and 6); delete or "
        "rename the copy that is not wanted; left out of referrals: the whole list (1 row)")]
    result = import_annex_a(path, tmp_path / "out", LA)
    assert (result.status, result.written) == (2, [])
    assert read_problems(tmp_path / "out") == log.problems


def test_missing_heading_and_unknown_answer_are_named(tmp_path):
    missing = write(tmp_path / "a" / "List 3.csv", "Child Unique ID,Gender,Date of referral,Referral Source\nC1,a) Male,05/01/2024,q) 6: Police\n")
    _, log = read_annex_a_logged(missing, LA)
    (problem,) = log.problems
    assert str(problem) == ("List 3.csv, column 'Referral NFA?': expected a heading 'Referral NFA?' (the headings found are "
                            "'Child Unique ID', 'Gender', 'Date of referral', 'Referral Source'); left out of referrals: the "
                            "whole list (1 row)")
    unknown = write(tmp_path / "b" / "List 3.csv", LIST3_HEADING + "C1,a) Male,a) WBRI,01/02/2012,05/01/2024,q) 6: Police,perhaps\n")
    _, log = read_annex_a_logged(unknown, LA)
    assert str(log.problems[0]) == ("List 3.csv, column 'Referral NFA?', row 1: value 'perhaps': expected a yes/no answer: "
                                    "'a) Yes', 'b) No', Y, N, Yes or No (or 'c) Unknown' or blank); left out of referrals")


def test_impossible_dates_and_blank_required_values(tmp_path):
    path = write(tmp_path / "List 3.csv", LIST3_HEADING + "C1,a) Male,a) WBRI,01/02/2012,31/02/2024,q) 6: Police,b) No\n,a) Male,a) WBRI,01/02/2012,01/02/2024,q) 6: Police,b) No\n")
    tables, log = read_annex_a_logged(path, LA)
    assert tables == {}
    assert [str(p) for p in log.problems] == [
        ("List 3.csv, column 'Date of referral', row 1: value '31/02/2024': expected a real date written dd/mm/yyyy, "
        "e.g. 05/01/2024 (there is no such day); left out of referrals"),
        "List 3.csv, column 'Child Unique ID', row 2: expected a value (the cell is blank): the child's id; left out of referrals"]


def test_ssda903_mess(tmp_path):
    year = tmp_path / "2023-24"
    write(year / "Header.csv", " child ,Sex,DOB,ETHNIC,UPN,MOTHER,MC_DOB,LOCAL\n101.0,2,05/06/2008,WBRI,,,,x\n,,,,,,,\n", bom=True)
    write(year / "Episodes.csv",
          "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
          "101,05/06/23,S,V2,N1,U4,PR1,,,,,,\n", encoding="cp1252")
    with pytest.raises(ContractError) as excinfo:
        read_ssda903(year, LA)
    assert ("2023-24/Episodes.csv, column 'DECOM', row 1: value '05/06/23': expected dd/mm/yyyy with a four-digit year"
            in problems_text(excinfo))
    write(year / "Episodes.csv",
          "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
          "101.0,05/06/2023,S,V2,N1,U4,PR1,,,,,,\n")
    tables = read_ssda903(year, LA)
    assert tables["children"].select("child_id", "sex", "uasc").rows() == [("101", "F", "N")]
    assert tables["cla_episodes"].select("child_id", "episode_start").rows() == [("101", dt.date(2023, 6, 5))]


def test_ssda903_duplicated_heading_and_bad_code(tmp_path):
    year = tmp_path / "2024"
    write(year / "episodes.csv",
          "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE,PLACE_PROVIDER,DEC,REC\n101,05/06/2023,S,V2,N1,U4,U4,PR1,,\n")
    write(year / "missing.csv", "CHILD,MISSING,MIS_START,MIS_END\n101,Q,01/07/2023,\n")
    with pytest.raises(ContractError) as excinfo:
        read_ssda903(year, LA)
    text = problems_text(excinfo)
    assert "2024/episodes.csv, column 'PLACE': expected each heading once (this one is in columns 6 and 7)" in text
    assert "2024/missing.csv, column 'MISSING', row 1: value 'Q': expected M (missing) or A" in text


# --------------------------------------------------------------------------
# hand-written Annex A, as an analyst would have it


def test_hand_written_annex_a_csv_folder_imports_and_loads(tmp_path):
    source = tmp_path / "Northmoor 990 Annex A"
    write(source / "List 1 - Contacts.csv",
          "Child Unique ID,Gender,Ethnicity,Date of Birth,Age of Child (Years),Date of Contact,Contact Source\n"
          "A100,a) Male,a) WBRI,14/03/2015,8,02/01/2024,q) 6: Police\n"
          "A101,b) Female,o) BAFR,01/09/2010,13,03/01/2024,e) 2A: Schools\n"
          "A102,c) Not stated/recorded,s) REFU,20/11/2020,3,04/01/2024,a) 1A: Individual\n")
    write(source / "List 2 - Early help.csv",
          "Child Unique ID,Gender,Ethnicity,Date of Birth,Age of Child (Years),Assessment start date,Assessment completion date,Organisation completing assessment\n"
          "A101,b) Female,o) BAFR,01/09/2010,13,08/01/2024,,Family Hub\n")
    write(source / "List 3 - Referrals.csv",
          "Child Unique ID,Gender,Ethnicity,Date of Birth,Age of Child (Years),Date of referral,Referral Source,Referral NFA?,"
          "Number of Referrals in Last 12 Months,Allocated Team,Allocated Worker\n"
          "A100,a) Male,a) WBRI,14/03/2015,8,03/01/2024,q) 6: Police,b) No,1,Assessment North,J Smith\n")
    write(source / "List 4 - Assessments.csv",
          "Child Unique ID,Gender,Ethnicity,Date of Birth,Age of Child (Years),Does the Child have a Disability,"
          "Continuous Assessment Start Date,Child Seen During Continuous Assessment,Continuous Assessment Date of Authorisation,"
          "Was the child assessed as requiring LA children's social care support?,Allocated Team,Allocated Worker\n"
          "A100,a) Male,a) WBRI,14/03/2015,8,b) No,04/01/2024,a) Yes,20/02/2024,a) Yes,Assessment North,J Smith\n")
    write(source / "List 6 - CIN.csv",
          "Child Unique ID,Gender,Ethnicity,Date of Birth,Age of Child (Years),Does the Child have a Disability,CIN Start Date,"
          "Primary Need Code,Date Child Was Last Seen,CIN Closure Date,Reason for Closure,Case Status,Allocated Team,Allocated Worker\n"
          "A100,a) Male,a) WBRI,14/03/2015,8,b) No,03/01/2024,N1 - Abuse or neglect,01/03/2024,,,c) Child in need plan,Assessment North,J Smith\n")
    result = import_annex_a(source, tmp_path / "canonical")
    dataset = load_dataset(tmp_path / "canonical")
    assert (result.status, result.log.problems) == (0, [])
    assert {p.stem for p in result.written} == {"children", "contacts", "early_help", "referrals", "assessments"}
    assert dataset.table("early_help").select("child_id", "eh_start", "eh_end", "assessment_end", "organisation").rows() == [
        ("A101", dt.date(2024, 1, 8), None, None, "Family Hub")]
    contacts = dataset.table("contacts").sort("contact_date")
    assert contacts.select("la_code", "child_id", "contact_date", "contact_source", "outcome").rows() == [
        ("990", "A100", dt.date(2024, 1, 2), "6", "referral"),
        ("990", "A101", dt.date(2024, 1, 3), "2A", "early_help"),
        ("990", "A102", dt.date(2024, 1, 4), "1A", "nfa"),
    ]
    referral = dataset.table("referrals").row(0, named=True)
    assert (referral["referral_id"], referral["nfa"], referral["primary_need"], referral["closure_date"]) == (
        "REF-A100-20240103", "N", "N1", None)
    assessment = dataset.table("assessments").row(0, named=True)
    assert (assessment["referral_id"], assessment["authorised_date"], assessment["needs_support"]) == (
        "REF-A100-20240103", dt.date(2024, 2, 20), "Y")
    children = dataset.table("children").sort("child_id")
    assert children.select("child_id", "sex", "ethnicity", "disability").rows() == [
        ("A100", "M", "WBRI", "N"), ("A101", "F", "BAFR", None), ("A102", "U", "REFU", None)]


def test_hand_written_annex_a_workbook_with_text_dates(tmp_path):
    path = tmp_path / "annex_a_990.xlsx"
    book = xlsxwriter.Workbook(str(path))
    cover = book.add_worksheet("Cover")
    cover.write(0, 0, "Annex A - Northmoor")
    cp = book.add_worksheet("List 7 CP")
    cp.write_row(0, 0, ["Annex A: List 7 - children subject to a child protection plan"])
    cp.write_row(2, 0, ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
                        "Does the Child have a Disability", "Child Protection Plan Start Date", "Initial Category of Abuse",
                        "Latest Category of Abuse", "Date of the Last Statutory Visit", "Was the Child Seen Alone?",
                        "Date of latest review conference", "Child Protection Plan End Date"])
    cp.write_row(3, 0, [4512, "b) Female", "f) MWBC", "02/05/2019", 4, "c) Unknown", "10/01/2024", "a) Neglect",
                        "d) Emotional abuse", "12/03/2024", "a) Yes", "", ""])
    cp.write_number(4, 0, 4513)
    cp.write_row(4, 1, ["a) Male", "a) WBRI", "07/07/2016", 7, "a) Yes"])
    cp.write_datetime(4, 6, dt.datetime(2023, 11, 1, 13, 45), book.add_format({"num_format": "dd/mm/yyyy"}))
    cp.write_row(4, 7, ["MUL", "MUL", "", "", "", "15/02/2024"])
    leavers = book.add_worksheet("List 9")
    leavers.write_row(0, 0, ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
                             "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
                             "Does the Child have a Disability", "LA in Touch", "Latest Date of Contact",
                             "Type of Accommodation", "Suitability of Accommodation", "Activity Status"])
    leavers.write_row(1, 0, ["L9", "a) Male", "r) OOTH", "01/06/2005", 18, "a) Yes", "b) No", "a) Yes", "15/01/2024",
                             "D: Semi-independent, transitional accommodation and self-contained accommodation",
                             "a) Suitable", "F2: Full time in education other than higher"])
    book.close()

    result = import_annex_a(path, tmp_path / "out")
    dataset = load_dataset(tmp_path / "out")
    assert (result.status, result.log.problems) == (0, [])
    assert {p.stem for p in result.written} == {"children", "cp_plans", "cp_visits", "care_leavers"}
    plans = dataset.table("cp_plans").sort("start_date")
    assert plans.select("la_code", "child_id", "start_date", "end_date", "initial_category", "latest_category").rows() == [
        ("990", "4513", dt.date(2023, 11, 1), dt.date(2024, 2, 15), "MUL", "MUL"),
        ("990", "4512", dt.date(2024, 1, 10), None, "NEG", "EMO"),
    ]
    assert dataset.table("cp_visits").select("child_id", "visit_date", "seen_alone").rows() == [("4512", dt.date(2024, 3, 12), "Y")]
    leaver = dataset.table("care_leavers").row(0, named=True)
    assert (leaver["reference_date"], leaver["age_band"], leaver["in_touch"], leaver["activity"], leaver["accommodation"]) == (
        dt.date(2024, 1, 15), "17-18", "YES", "F2", "D1")
    children = dataset.table("children").sort("child_id")
    assert children.select("child_id", "disability", "uasc").rows() == [("4512", None, None), ("4513", "Y", None), ("L9", "N", "Y")]


def test_a_source_that_cannot_be_read_writes_nothing(tmp_path):
    with pytest.raises(ContractError, match="does not exist"):
        import_annex_a(tmp_path / "990_annex_a.xlsx", tmp_path / "out")
    not_a_workbook = write(tmp_path / "990_annex_a.xlsx", LIST3_HEADING)
    with pytest.raises(ContractError, match="is a text file, not an Excel workbook"):
        import_annex_a(not_a_workbook, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_nothing_usable_is_status_2_with_the_problems_listed(tmp_path):
    source = write(tmp_path / "List 3.csv", LIST3_HEADING + "C1,a) Male,a) WBRI,01/02/2012,05/01/24,q) 6: Police,b) No\n")
    result = import_annex_a(source, tmp_path / "out", LA)
    assert (result.status, result.written, result.log.rows_left_out) == (2, [], 1)
    assert result.problems_file == tmp_path / "out" / PROBLEMS_FILE
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [PROBLEMS_FILE]


def test_lists_with_headings_only_give_no_table(tmp_path):
    children = pl.DataFrame({"la_code": [LA], "child_id": ["A1"], "sex": ["F"], "date_of_birth": [dt.date(2012, 4, 3)],
                             "ethnicity": ["WBRI"], "disability": ["N"], "uasc": ["N"], "district": [None]})
    referrals = pl.DataFrame({"la_code": [LA], "child_id": ["A1"], "referral_id": ["R1"], "referral_date": [dt.date(2024, 1, 5)],
                              "referral_source": ["6"], "nfa": ["N"], "closure_date": [None], "closure_reason": [None],
                              "primary_need": ["N1"]}).with_columns(pl.col("closure_date").cast(pl.Date))
    path = write_annex_a({"children": children, "referrals": referrals}, tmp_path / "a.xlsx")
    result = import_annex_a(path, tmp_path / "out", LA)
    assert {p.stem for p in result.written} == {"children", "referrals"}
    assert load_dataset(tmp_path / "out").table("referrals")["referral_id"].to_list() == ["REF-A1-20240105"]
