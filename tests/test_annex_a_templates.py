"""Annex A of any template year, never all or nothing: a real council-style workbook, headings and answers as
councils write them, bad values left out or blanked row by row, each decision listed."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

import polars as pl
import pytest

from helpers import write

from perfkit.config.paths import shared_dir
from perfkit.formats.annex_a import import_annex_a, read_annex_a, read_annex_a_logged
from perfkit.formats.annex_a_write import write_annex_a
from perfkit.formats.import_log import PROBLEMS_FILE, read_problems
from perfkit.records.loading import load_dataset
from perfkit.synth import simulation as synth

LA = "990"
EXTERNAL = shared_dir() / "external" / "sf-liia-tools" / "Annex_A.xlsx"
needs_external = pytest.mark.skipif(not EXTERNAL.exists(), reason=f"{EXTERNAL} is absent: it lives beside the project, not in it")


# --------------------------------------------------------------------------
# a workbook read cell by cell, in plain Python: independent of perfkit's readers

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
_DATE_FORMATS = set(range(14, 23)) | set(range(45, 48))


def _column_number(reference: str) -> int:
    letters = re.match(r"[A-Z]+", reference).group(0)
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number - 1


def sheets_of(path: Path) -> dict[str, list[dict[str, object]]]:
    """Every sheet of an .xlsx as rows of {heading: value} (the first row the headings), read from its XML.

    Dates (cells whose number format is a date) are ``datetime.date``; numbers are ``float``; text is ``str``.
    """
    with zipfile.ZipFile(path) as book:
        strings = []
        if "xl/sharedStrings.xml" in book.namelist():
            for item in ElementTree.fromstring(book.read("xl/sharedStrings.xml")).findall("m:si", _NS):
                strings.append("".join(t.text or "" for t in item.iter(f"{{{_NS['m']}}}t")))
        styles = ElementTree.fromstring(book.read("xl/styles.xml"))
        custom = {int(f.get("numFmtId")): f.get("formatCode") for f in styles.findall("m:numFmts/m:numFmt", _NS)}
        formats = [int(x.get("numFmtId", 0)) for x in styles.findall("m:cellXfs/m:xf", _NS)]

        def is_date(style: int) -> bool:
            number = formats[style] if style < len(formats) else 0
            code = custom.get(number, "")
            return number in _DATE_FORMATS or bool(re.search(r"[dy]", re.sub(r'"[^"]*"|\[[^]]*]', "", code)))

        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        rels = {r.get("Id"): r.get("Target") for r in ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))}
        out = {}
        for sheet in workbook.findall("m:sheets/m:sheet", _NS):
            target = rels[sheet.get(f"{{{_NS['r']}}}id")].lstrip("/")
            target = target if target.startswith("xl/") else f"xl/{target}"
            grid = []
            for row in ElementTree.fromstring(book.read(target)).findall("m:sheetData/m:row", _NS):
                cells = {}
                for cell in row.findall("m:c", _NS):
                    kind, value = cell.get("t"), cell.find("m:v", _NS)
                    if kind == "inlineStr":
                        text = "".join(t.text or "" for t in cell.iter(f"{{{_NS['m']}}}t"))
                    elif value is None or value.text is None:
                        continue
                    elif kind == "s":
                        text = strings[int(value.text)]
                    elif kind in ("str", "b", "e"):
                        text = value.text
                    elif is_date(int(cell.get("s", 0))):
                        text = dt.date(1899, 12, 30) + dt.timedelta(days=int(float(value.text)))
                    else:
                        text = float(value.text)
                    cells[_column_number(cell.get("r"))] = text
                grid.append(cells)
            if not grid:
                out[sheet.get("name")] = []
                continue
            headings = grid[0]
            out[sheet.get("name")] = [
                {headings[i]: row.get(i) for i in headings} for row in grid[1:]
                if any(v not in (None, "") for v in row.values())
            ]
    return out


def ids(rows: list[dict[str, object]]) -> set[str]:
    return {str(int(r["Child Unique ID"])) if isinstance(r["Child Unique ID"], float) else str(r["Child Unique ID"])
            for r in rows}


# --------------------------------------------------------------------------
# a council's workbook (SocialFinance's liia-tools sample): an older template, local answers


@pytest.fixture(scope="module")
def external(tmp_path_factory):
    out = tmp_path_factory.mktemp("external")
    return import_annex_a(EXTERNAL, out / "canonical", LA), out / "canonical"


@needs_external
def test_external_workbook_imports_and_lists_what_it_left_out(external):
    """It used to fail as a whole on 7 problems; now every readable row is imported (exit status 1: rows were
    left out) and the problems file lists each decision, naming the workbook, the sheet and the row."""
    result, out = external
    assert result.status == 1
    assert {p.name for p in result.written} == {"children.csv", "contacts.csv", "early_help.csv", "referrals.csv",
                                                 "assessments.csv", "section47.csv", "cp_plans.csv", "cp_visits.csv",
                                                 "cla_episodes.csv"}
    assert result.problems_file == out / PROBLEMS_FILE
    assert read_problems(out) == result.log.problems
    problems = result.log.problems
    assert {p.source for p in problems} == {"Annex_A.xlsx"}  # the user's own file, never a derived table
    assert all(p.sheet.startswith("List ") for p in problems)

    def about(sheet, column):
        return [p for p in problems if p.sheet == sheet and p.column == column]

    # 'CS Assessment Updated' is no yes/no answer; no indicator counts from needs_support: blanked, rows kept
    support = about("List 4", "Was the child assessed as requiring LA children's social care support?")
    assert [(p.row, p.value, p.action) for p in support] == [(n, "CS Assessment Updated", "value blanked") for n in range(1, 6)]
    # an adult social care "primary support reason", not a CIN need code: blanked
    (need,) = about("List 6", "Primary Need Code")
    assert (need.row, need.value, need.action) == (1, "PSRMEM - Support with memory and cognition", "value blanked")
    # an older template: List 9 has no 'Latest Date of Contact', so no care leaver can be dated
    (contact,) = about("List 9", "Latest Date of Contact")
    assert contact.row is None and contact.action == "left out of care_leavers: the whole list (6 rows)"
    # List 6's children in need started years before List 3's referrals: the contract's referrals need List 3
    cin = about("List 6", "CIN Start Date")
    assert [(p.row, p.action) for p in cin] == [(n, "left out of referrals") for n in range(1, 6)]
    # a child with no date of birth (an unborn child?) keeps the contact; no ethnicity anywhere: NOBT
    (birth,) = about("List 1", "Date of Birth")
    assert birth.row == 2 and birth.action.startswith("left out of children")
    (ethnicity,) = about("List 8", "Ethnicity")
    assert ethnicity.row == 3 and ethnicity.action == "value blanked: recorded as NOBT, information not yet obtained"
    assert len(problems) == 14
    assert result.log.rows_left_out == 7  # 5 List 6 rows, List 9 as a whole, one child's details


@needs_external
def test_external_workbook_counts_match_the_cells(external):
    """Referrals per year, children, contacts, plans and periods of care counted from the workbook's own cells
    (its XML read here, independently of perfkit) equal the imported tables."""
    _, out = external
    sheets = sheets_of(EXTERNAL)
    data = load_dataset(out)

    referral_years = Counter(r["Date of Referral"].year for r in sheets["List 3"])
    imported = data.table("referrals").group_by(pl.col("referral_date").dt.year()).len()
    assert dict(imported.iter_rows()) == dict(referral_years) and sum(referral_years.values()) == 6
    assert data.table("referrals")["referral_source"].to_list() == [
        {"s) 8: Other": "8", "j) 3D: Health services": "3D", "q) 6: Police": "6", "e) 2A: Schools": "2A"}[r["Referral Source"]]
        for r in sheets["List 3"]]
    assert (data.table("referrals")["nfa"] == "N").all() and all(r["Referral NFA?"] == "No" for r in sheets["List 3"])

    contact_years = Counter(r["Date of Contact"].year for r in sheets["List 1"])
    assert dict(data.table("contacts").group_by(pl.col("contact_date").dt.year()).len().iter_rows()) == dict(contact_years)
    assert data.table("assessments").height == len(sheets["List 4"])
    assert data.table("section47").height == len(sheets["List 5"])
    assert data.table("cp_plans").height == len(sheets["List 7"])
    assert data.table("cla_episodes").height == len(sheets["List 8"])
    assert sorted(data.table("cla_episodes")["episode_start"].to_list()) == sorted(r["Date Started to be Looked After"]
                                                                                   for r in sheets["List 8"])

    early_help = data.table("early_help").sort("child_id", "eh_start")
    assert early_help.select("child_id", "eh_start", "assessment_end").rows() == sorted(
        (str(int(r["Child Unique ID"])), r["Assessment start date"], r["Assessment completion date"]) for r in sheets["List 2"])
    assert early_help["eh_end"].null_count() == early_help.height  # no Annex A field: not the assessment's completion

    # the children of the tables written: lists 1 to 5, 7 and 8 (List 6's rows and List 9 were left out, lists
    # 10 and 11 are not carried), less those with no date of birth in any list
    listed = set().union(*(ids(sheets[f"List {n}"]) for n in (1, 2, 3, 4, 5, 7, 8)))
    born = set().union(*(ids([r for r in sheets[f"List {n}"] if isinstance(r.get("Date of Birth"), dt.date)])
                         for n in range(1, 10)))
    children = data.table("children")
    assert set(children["child_id"].to_list()) == listed & born
    assert len(listed - born) == 1
    uasc = {str(int(r["Child Unique ID"])) for r in sheets["List 8"]
            if r["Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N))"] == "a) Yes"}
    assert set(children.filter(pl.col("uasc") == "Y")["child_id"].to_list()) == uasc  # the stray bracket: still read


def test_the_cell_reader_agrees_with_the_writer(tmp_path):
    """The plain reader above reads what :func:`write_annex_a` wrote (so it can check the external workbook)."""
    children = pl.DataFrame({"la_code": [LA], "child_id": ["A1"], "sex": ["F"], "date_of_birth": [dt.date(2012, 4, 3)],
                             "ethnicity": ["WBRI"]})
    referrals = pl.DataFrame({"la_code": [LA], "child_id": ["A1"], "referral_id": ["R1"], "referral_date": [dt.date(2024, 1, 5)],
                              "referral_source": ["6"], "nfa": ["N"], "closure_date": [None], "closure_reason": [None],
                              "primary_need": ["N1"]}).with_columns(pl.col("closure_date").cast(pl.Date))
    path = write_annex_a({"children": children, "referrals": referrals}, tmp_path / "a.xlsx")
    (row,) = sheets_of(path)["List 3 - Referrals"]
    assert (row["Child Unique ID"], row["Date of referral"], row["Referral Source"]) == ("A1", dt.date(2024, 1, 5), "q) 6: Police")


# --------------------------------------------------------------------------
# templates of other years and councils' own answers: the same tables


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    tables = synth.generate(seed=5, authorities=synth.DEFAULT_AUTHORITIES[:1], scale=0.02)
    workbook = write_annex_a(tables, tmp_path_factory.mktemp("templates") / "annex_a.xlsx")
    sheets = pl.read_excel(workbook, sheet_id=0, engine="calamine", infer_schema_length=0, raise_if_empty=False)
    return read_annex_a(workbook, LA), sheets


def _as_csvs(sheets: dict[str, pl.DataFrame], folder: Path, headings: dict[int, dict[str, str]],
             answers: dict[tuple[int, str], dict[str, str]], extra: dict[int, dict[str, str]] | None = None) -> Path:
    """The workbook's lists as CSVs, headings renamed, answers rewritten and columns added, as a council might send."""
    folder.mkdir(parents=True)
    for name, frame in sheets.items():
        number = int(re.search(r"List (\d+)", name).group(1))
        if frame.height == 0:
            continue
        for column, mapping in ((c, m) for (n, c), m in answers.items() if n == number):
            frame = frame.with_columns(pl.col(column).replace(mapping))
        for column, value in (extra or {}).get(number, {}).items():
            frame = frame.with_columns(pl.lit(value).alias(column))
        frame.rename(headings.get(number, {})).write_csv(folder / f"{name}.csv")
    return folder


def same_tables(left: dict[str, pl.DataFrame], right: dict[str, pl.DataFrame]) -> None:
    assert set(left) == set(right)
    for name, a in left.items():
        b = right[name]
        assert a.columns == b.columns, name
        assert a.sort(a.columns, nulls_last=True).equals(b.sort(b.columns, nulls_last=True)), name


def test_headings_of_other_templates_are_read_by_meaning(synthetic, tmp_path):
    """2019's stray bracket, councils' own wordings, line breaks and case: the same tables as the published headings."""
    expected, sheets = synthetic
    headings = {
        1: {"Date of Contact": "Contact Date", "Child Unique ID": "Child ID", "Contact Source": "Source of contact"},
        3: {"Date of referral": "Referral Date", "Referral NFA?": "Referral NFA", "Gender": "GENDER"},
        4: {"Continuous Assessment Start Date": "Assessment start date",
            "Continuous Assessment Date of Authorisation": "Assessment authorised date"},
        5: {"Strategy discussion initiating Section 47 Enquiry Start Date": "S47 start date"},
        6: {"CIN Start Date": "Child in Need Start Date", "CIN Closure Date": "CIN closure date"},
        7: {"Child Protection Plan Start Date": "CP Plan Start Date", "Child Protection Plan End Date": "CP plan end date",
            "Date of the Last Statutory Visit": "Date of last statutory visit"},
        8: {"Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)":
            "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N))",
            "Date Started to be Looked After": "Date started to be\nlooked after", "Child's Legal Status": "Child’s Legal Status"},
        9: {"Latest Date of Contact": "Date of latest contact", "LA in Touch": "LA in touch?"},
    }
    folder = _as_csvs(sheets, tmp_path / "990 Annex A", headings, {})
    tables, log = read_annex_a_logged(folder, LA)
    assert log.problems == []
    same_tables(expected, tables)


def test_answers_as_councils_write_them(synthetic, tmp_path):
    """Without option letters, with codes first and a dash, by their words: the same codes."""
    expected, sheets = synthetic
    yes_no = {"a) Yes": "1 - Yes", "b) No": "0 - No"}
    answers = {
        (1, "Gender"): {"a) Male": "Male", "b) Female": "2 - Female", "c) Not stated/recorded": "Not stated/recorded (or unborn)"},
        (1, "Contact Source"): {"q) 6: Police": "6 - Police", "e) 2A: Schools": "Schools", "a) 1A: Individual": "1A"},
        (1, "Ethnicity"): {"a) WBRI": "WBRI - White British", "o) BAFR": "Black or Black British - African"},
        (3, "Referral NFA?"): {"a) Yes": "Yes", "b) No": "N"},
        (4, "Was the child assessed as requiring LA children's social care support?"): yes_no,
        (5, "Did the Initial Child Protection Conference Result in a Child Protection Plan"): yes_no,
        (6, "Primary Need Code"): {"N1 - Abuse or neglect": "Abuse or neglect", "N4 - Family in acute stress": "N4"},
        (7, "Initial Category of Abuse"): {"a) Neglect": "Neglect", "d) Emotional abuse": "Emotional abuse"},
        (7, "Was the Child Seen Alone?"): {"a) Yes": "Seen alone", "b) No": "Not seen alone"},
        (8, "Child's Legal Status"): {"C2: FCO": "C2 - Full care order", "V2: Single period under S20": "V2"},
        (8, "Placement Provider"): {"b) PR1: Own provision": "b) PR1 - Own provision"},
        (8, "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)"): {"a) Yes": "UASC", "b) No": "Non-UASC"},
        (9, "LA in Touch"): {"a) Yes": "Yes", "b) No": "No"},
        (9, "Suitability of Accommodation"): {"a) Suitable": "1 - Suitable"},
    }
    folder = _as_csvs(sheets, tmp_path / "990 Annex A", {}, answers)
    tables, log = read_annex_a_logged(folder, LA)
    assert log.problems == []
    same_tables(expected, tables)


def test_2024_template_extra_columns_are_ignored(synthetic, tmp_path):
    extra = {8: {"Date of the child's last missing episode": "01/02/2024", "Is the child's placement registered?": "a) Yes"},
             1: {"Contact Notes": "anything"}}
    folder = _as_csvs(synthetic[1], tmp_path / "990 Annex A", {}, {}, extra)
    tables, log = read_annex_a_logged(folder, LA)
    assert log.problems == []
    same_tables(synthetic[0], tables)


def test_an_older_template_without_latest_date_of_contact_imports_the_other_lists(synthetic, tmp_path):
    expected, sheets = synthetic
    sheets = {**sheets, "List 9 - Care leavers": sheets["List 9 - Care leavers"].drop("Latest Date of Contact")}
    folder = _as_csvs(sheets, tmp_path / "990 Annex A", {}, {})
    result = import_annex_a(folder, tmp_path / "out", LA)
    assert result.status == 1
    (problem,) = result.log.problems
    assert (problem.source, problem.column, problem.action) == (
        "List 9 - Care leavers.csv", "Latest Date of Contact",
        f"left out of care_leavers: the whole list ({sheets['List 9 - Care leavers'].height} rows)")
    assert "care_leavers.csv" not in {p.name for p in result.written}
    data = load_dataset(tmp_path / "out")
    assert data.table("cla_episodes").height == expected["cla_episodes"].height


# --------------------------------------------------------------------------
# bad values: left out of the tables that need them, else blanked; every one listed

HEAD4 = ("Child Unique ID,Gender,Ethnicity,Date of Birth,Does the Child have a Disability,Continuous Assessment Start Date,"
         "Continuous Assessment Date of Authorisation,Was the child assessed as requiring LA children's social care support?\n")


def test_a_bad_value_no_indicator_counts_is_blanked_and_one_it_counts_leaves_the_row_out(tmp_path):
    path = write(tmp_path / "List 4.csv", HEAD4
                 + "A1,a) Male,a) WBRI,01/02/2012,b) No,05/01/2024,20/02/2024,CS Assessment Updated\n"
                 + "A2,a) Male,a) WBRI,01/02/2012,maybe,05/01/2024,30/02/2024,a) Yes\n"
                 + "A3,a) Male,a) WBRI,01/02/2012,b) No,05/01/2024,01/01/2024,a) Yes\n")
    tables, log = read_annex_a_logged(path, LA)
    assert tables["assessments"].select("child_id", "needs_support").rows() == [("A1", None)]
    assert [(p.row, p.column, p.action) for p in log.problems] == [
        (1, "Was the child assessed as requiring LA children's social care support?", "value blanked"),
        (2, "Continuous Assessment Date of Authorisation", "left out of assessments"),
        (3, "Continuous Assessment Date of Authorisation", "left out of assessments"),
    ]
    assert log.problems[2].expected == "a date on or after the 'Continuous Assessment Start Date' (05/01/2024)"
    assert "also column 'Does the Child have a Disability' value 'maybe'" in log.problems[1].expected


def test_a_row_without_what_a_visit_needs_is_kept_as_a_plan(tmp_path):
    """List 7 feeds two tables: an unreadable visit date leaves the row out of cp_visits only."""
    path = write(tmp_path / "List 7.csv",
                 "Child Unique ID,Gender,Ethnicity,Date of Birth,Child Protection Plan Start Date,Initial Category of Abuse,"
                 "Latest Category of Abuse,Date of the Last Statutory Visit,Was the Child Seen Alone?,Child Protection Plan End Date\n"
                 "P1,a) Male,a) WBRI,01/02/2012,05/01/2024,a) Neglect,a) Neglect,sometime,a) Yes,\n"
                 "P2,a) Male,a) WBRI,01/02/2012,05/01/2024,Cruelty,a) Neglect,06/01/2024,a) Yes,\n")
    tables, log = read_annex_a_logged(path, LA)
    assert tables["cp_plans"]["child_id"].to_list() == ["P1"] and "cp_visits" not in tables
    assert [(p.row, p.value, p.action) for p in log.problems] == [(1, "sometime", "left out of cp_visits"),
                                                                  (2, "Cruelty", "left out of cp_plans, cp_visits")]


def test_a_contact_source_not_known_is_recorded_as_10(tmp_path):
    path = write(tmp_path / "List 1.csv", "Child Unique ID,Gender,Ethnicity,Date of Birth,Date of Contact,Contact Source\n"
                                          "K1,a) Male,a) WBRI,01/02/2012,05/01/2024,Carrier pigeon\n")
    tables, log = read_annex_a_logged(path, LA)
    assert tables["contacts"]["contact_source"].to_list() == ["10"]
    assert log.problems[0].action == "value blanked: recorded as 10, the DfE code for a source not known"


def test_children_whose_details_are_not_known_are_kept(tmp_path):
    """An unborn child's contact (no date of birth) and a child with no ethnicity are imported; the unknowns listed."""
    path = write(tmp_path / "List 1.csv", "Child Unique ID,Gender,Ethnicity,Date of Birth,Date of Contact,Contact Source\n"
                                          "U1,c) Not stated/recorded (or unborn),,,05/01/2024,q) 6: Police\n"
                                          "K2,b) Female,,03/03/2015,06/01/2024,q) 6: Police\n")
    result = import_annex_a(path, tmp_path / "out", LA)
    data = load_dataset(tmp_path / "out")
    assert data.table("contacts")["child_id"].to_list() == ["U1", "K2"]
    assert data.table("children").select("child_id", "sex", "ethnicity").rows() == [("K2", "F", "NOBT")]
    assert {(p.row, p.column, p.action.split(":")[0]) for p in result.log.problems} == {
        (1, "Ethnicity", "value blanked"), (2, "Ethnicity", "value blanked"), (1, "Date of Birth", "left out of children")}


def test_rows_given_twice_are_one_row_and_rows_that_disagree_are_left_out(tmp_path):
    head = ("Child Unique ID,Gender,Ethnicity,Date of Birth,Date Started to be Looked After,Child's Category of Need,"
            "Child's Legal Status,Date Ceased to be Looked After,Placement Type\n")
    row = "C1,a) Male,a) WBRI,01/02/2012,05/01/2024,N1 - Abuse or neglect,C2: FCO,,{}\n"
    path = write(tmp_path / "List 8.csv", head + row.format("d) U4: Foster placement - long term") * 2
                 + row.replace("C1", "C2").format("p) K2: Children's Homes") + row.replace("C1", "C2").format("d) U4"))
    tables, log = read_annex_a_logged(path, LA)
    assert tables["cla_episodes"]["child_id"].to_list() == ["C1"]
    assert [(p.row, p.action) for p in log.problems] == [(2, "not repeated: the same as row 1"),
                                                         (3, "left out of cla_episodes"), (4, "left out of cla_episodes")]


def test_older_activity_codes_are_read_as_their_successors(tmp_path):
    path = write(tmp_path / "List 9.csv",
                 "Child Unique ID,Gender,Ethnicity,Date of Birth,LA in Touch,Latest Date of Contact,Type of Accommodation,"
                 "Suitability of Accommodation,Activity Status\n"
                 "L1,a) Male,a) WBRI,01/06/2005,a) Yes,15/01/2024,U: Independent living,a) Suitable,F3: Full time in training or employment\n")
    tables, log = read_annex_a_logged(path, LA)
    assert tables["care_leavers"].select("activity", "accommodation", "age_band").rows() == [("F5", "U1", "17-18")]
    (problem,) = log.problems
    assert (problem.value, problem.action) == ("F3: Full time in training or employment", "mapped to F5")


def test_a_second_import_says_which_tables_are_left_from_an_earlier_one(synthetic, tmp_path):
    folder = _as_csvs(synthetic[1], tmp_path / "990 Annex A", {}, {})
    import_annex_a(folder, tmp_path / "out", LA)
    (folder / "List 8 - Children in care.csv").unlink()
    result = import_annex_a(folder, tmp_path / "out", LA)
    (problem,) = result.log.problems
    assert problem.source == "cla_episodes.csv" and problem.action.startswith("kept from an earlier import")
    assert result.status == 0 and (tmp_path / "out" / PROBLEMS_FILE).exists()


def test_an_unreadable_file_in_a_folder_leaves_the_others_to_import(tmp_path):
    folder = tmp_path / "990 Annex A"
    write(folder / "List 1.csv", "Child Unique ID,Gender,Ethnicity,Date of Birth,Date of Contact,Contact Source\n"
                                 "K1,a) Male,a) WBRI,01/02/2012,05/01/2024,q) 6: Police\n")
    (folder / "List 3.csv").write_bytes(b"Child Unique ID,Date of referral\nC1,\x81\x8d\n")
    result = import_annex_a(folder, tmp_path / "out")
    assert result.status == 1 and {p.stem for p in result.written} == {"children", "contacts"}
    (problem,) = result.log.problems
    assert problem.source == "List 3.csv" and problem.action.startswith("left out of every table: the file was not read")


def test_values_blanked_alone_are_exit_status_0(tmp_path):
    path = write(tmp_path / "List 1.csv", "Child Unique ID,Gender,Ethnicity,Date of Birth,Date of Contact,Contact Source\n"
                                          "K1,a) Male,a) WBRI,01/02/2012,05/01/2024,Carrier pigeon\n")
    result = import_annex_a(path, tmp_path / "out", LA)
    assert (result.status, result.log.rows_left_out, len(result.log.problems)) == (0, 0, 1)
    assert read_problems(tmp_path / "out") == result.log.problems
