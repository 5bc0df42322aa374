"""SSDA903 as councils have it (issue #18): the XML upload, every folder layout, the year and the authority
checked, warnings instead of silence, and the published fixtures of other projects imported in one call."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from helpers import write

from perfkit.config.paths import shared_dir
from perfkit.errors import ContractError
from perfkit.formats.import_log import PROBLEMS_FILE, read_problems
from perfkit.formats.ssda903 import read_ssda903, write_ssda903
from perfkit.formats.ssda903_import import import_ssda903
from perfkit.formats.ssda903_layout import find_sources
from perfkit.formats.ssda903_xml import write_ssda903_xml
from perfkit.indicators.engine import compute
from perfkit.records.dataset import Dataset
from perfkit.records.loading import load_dataset
from perfkit.synth import simulation as synth

LA = "990"
EXTERNAL = shared_dir() / "external"
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
needs_external = pytest.mark.skipif(not EXTERNAL.is_dir(), reason=f"{EXTERNAL} is not beside the project")


def said(result, text: str) -> list[str]:
    return [str(p) for p in result.log.problems if text in str(p)]


@pytest.fixture(scope="module")
def tables() -> dict[str, pl.DataFrame]:
    return synth.generate(seed=11, authorities=synth.DEFAULT_AUTHORITIES[:1], scale=0.05)


@pytest.fixture(scope="module")
def csv_folder(tables, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("csv903") / "903"
    write_ssda903(tables, out, LA)
    return out


def frames(out: Path) -> dict[str, pl.DataFrame]:
    return {p.stem: pl.read_csv(p, infer_schema_length=0).sort(pl.all()) for p in sorted(out.glob("*.csv")) if p.name != PROBLEMS_FILE}


def same_tables(a: Path, b: Path) -> None:
    left, right = frames(a), frames(b)
    assert list(left) == list(right)
    for name in left:
        assert left[name].equals(right[name]), name


# --------------------------------------------------------------------------
# the XML upload, and a synthetic round trip through both formats


def test_xml_round_trip_gives_the_same_tables_and_figures_as_the_csvs(tables, csv_folder, tmp_path):
    xml = write_ssda903_xml(tables, tmp_path / "xml", LA)
    assert xml and all(p.name.startswith("SSDA903_") and p.suffix == ".xml" for p in xml)
    assert ET.parse(xml[-1]).getroot().tag == "EXPSSDA903"
    from_csv = import_ssda903(csv_folder, tmp_path / "from_csv", LA)
    from_xml = import_ssda903(tmp_path / "xml", tmp_path / "from_xml", LA)
    assert (from_csv.status, from_xml.status) == (0, 0), (from_csv.log.summary(), from_xml.log.summary())
    same_tables(tmp_path / "from_csv", tmp_path / "from_xml")

    periods = ["2022-23 Q4", "2023-24 Q4 YTD", "2024-25 Q3 R12"]
    figures = [compute(load_dataset(tmp_path / out), periods).sort("indicator", "period") for out in ("from_csv", "from_xml")]
    assert figures[0].equals(figures[1])
    original = compute(Dataset(Path("."), tables), periods, indicators=["cla_starts", "missing_episodes", "cla_uasc"])
    mine = figures[0].filter(pl.col("indicator").is_in(["cla_starts", "missing_episodes", "cla_uasc"]))
    for one in ("cla_starts", "cla_uasc"):
        assert (original.filter(pl.col("indicator") == one).sort("period")["value"].to_list()
                == mine.filter(pl.col("indicator") == one).sort("period")["value"].to_list()), one


def test_xml_with_a_doctype_is_refused(tmp_path):
    path = write(tmp_path / "903.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><EXPSSDA903>&a;</EXPSSDA903>')
    result = import_ssda903(path, tmp_path / "out", LA)
    assert result.status == 2 and not result.written
    assert said(result, "without a DOCTYPE")


# --------------------------------------------------------------------------
# layouts and the collection year


def test_year_named_in_file_names_reads_as_year_folders(tables, csv_folder, tmp_path):
    flat = tmp_path / "flat"
    flat.mkdir()
    shapes = ("{year}-{kind}.csv", "{kind}_{year}.csv", "SSDA903_{year}_{kind}.csv")
    for n, year_dir in enumerate(sorted(p for p in csv_folder.iterdir() if p.is_dir())):
        for path in year_dir.glob("*.csv"):
            shutil.copy(path, flat / shapes[n % 3].format(year=year_dir.name, kind=path.stem))
    sources, _ = find_sources(flat)
    assert {s.named_year for s in sources} == {int(p.name) for p in csv_folder.iterdir()}
    import_ssda903(csv_folder, tmp_path / "a", LA)
    by_name = import_ssda903(flat, tmp_path / "b", LA)
    assert by_name.status == 0, by_name.log.summary()
    same_tables(tmp_path / "a", tmp_path / "b")


def test_folders_named_by_the_first_half_of_the_year_do_not_shift_care_leavers(tables, csv_folder, tmp_path):
    """The year-shift bug: a folder '2023' holding the 2023-24 return put every OC3 status on the 2022-23 birthday."""
    shifted = tmp_path / "shifted"
    for year_dir in csv_folder.iterdir():
        shutil.copytree(year_dir, shifted / str(int(year_dir.name) - 1))
    import_ssda903(csv_folder, tmp_path / "right", LA)
    result = import_ssda903(shifted, tmp_path / "out", LA)
    assert result.status == 0
    assert frames(tmp_path / "out")["care_leavers"].equals(frames(tmp_path / "right")["care_leavers"])
    same_tables(tmp_path / "out", tmp_path / "right")
    took = said(result, "from the dates")
    assert took and any("the folder name 2023 says 2023" in t and "took 2023-24 (the year ending 31 March 2024)" in t for t in took)


def test_a_single_year_folder_takes_its_year_from_the_dates_or_from_year(tmp_path):
    folder = tmp_path / "extract"
    write(folder / "header.csv", HEADER + "7,1,10/01/2001,WBRI,,,\n8,2,01/06/2005,WBRI,,,\n")
    write(folder / "episodes.csv", EPISODES + "8,01/05/2017,S,V2,N1,U4,PR1,,,,,,\n")
    write(folder / "oc3.csv", "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n7,10/01/2001,YES,F2,B1\n")
    guessed = import_ssda903(folder, tmp_path / "a", LA)
    assert guessed.status == 0
    assert said(guessed, "took 2017-18 (the year ending 31 March 2018), as its dates run to 01/05/2017")
    assert frames(tmp_path / "a")["care_leavers"]["reference_date"].to_list() == ["2018-01-10"]
    given = import_ssda903(folder, tmp_path / "b", LA, year=2019)
    assert frames(tmp_path / "b")["care_leavers"]["reference_date"].to_list() == ["2019-01-10"]
    assert not said(given, "from the dates")


def test_oc3_alone_in_a_year_folder_named_a_year_early(tmp_path):
    folder = tmp_path / "2017"
    write(folder / "header.csv", HEADER + "".join(f"{n},1,{n:02d}/02/2001,WBRI,,,\n" for n in range(1, 6)))
    write(folder / "oc3.csv", "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n" + "".join(f"{n},{n:02d}/02/2001,YES,F2,B1\n" for n in range(1, 6)))
    result = import_ssda903(folder, tmp_path / "out", LA)
    assert result.status == 0, result.log.summary()
    assert said(result, "took 2017-18 (the year ending 31 March 2018), when their birthdays fall at 17 to 21")
    assert set(frames(tmp_path / "out")["care_leavers"]["reference_date"].str.slice(0, 4)) == {"2018"}


# --------------------------------------------------------------------------
# the authority


def test_a_files_own_la_column_is_used_and_a_disagreement_stops_the_import(tmp_path):
    folder = tmp_path / "2024"
    write(folder / "header.csv", "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB,LA\n7,1,01/01/2010,WBRI,,,,886\n7,2,01/01/2011,WBRI,,,,878\n")
    write(folder / "episodes.csv", EPISODES.strip() + ",LA\n7,01/05/2023,S,V2,N1,U4,PR1,,,,,,,886\n7,01/06/2023,S,V2,N1,U4,PR1,,,,,,,878\n")
    result = import_ssda903(folder, tmp_path / "out", None)
    assert result.status == 0, result.log.summary()
    children = frames(tmp_path / "out")["children"]
    assert children.select("la_code", "child_id", "sex").rows() == [("878", "7", "F"), ("886", "7", "M")]
    assert sorted(frames(tmp_path / "out")["cla_episodes"]["la_code"]) == ["878", "886"]

    stopped = import_ssda903(folder, tmp_path / "other", "886")
    assert stopped.status == 2 and not stopped.written and not (tmp_path / "other").exists()
    assert said(stopped, "value '878': expected the authority given with --la (886)")
    unnamed = write(tmp_path / "plain" / "2024" / "header.csv", HEADER + "7,1,01/01/2010,WBRI,,,\n")
    nobody = import_ssda903(unnamed.parent, tmp_path / "x", None)
    assert nobody.status == 2 and said(nobody, "an LA column naming the authority, or --la")
    guessed = import_ssda903([unnamed.parent, folder], tmp_path / "y", None, fallback_la="881")  # a guess never overrules a file
    assert guessed.status == 0
    assert sorted(set(frames(tmp_path / "y")["children"]["la_code"])) == ["878", "881", "886"]


# --------------------------------------------------------------------------
# warnings, not silence


def test_conflicting_header_rows_are_warned_about_and_the_last_kept(tmp_path):
    folder = tmp_path / "2024"
    write(folder / "header.csv", HEADER + "7,1,01/01/2010,WBRI,,,\n7,2,01/01/2010,WBRI,,,\n8,1,01/01/2012,WBRI,,,\n"
                                          "7,2,02/01/2010,WBRI,,,\n8,1,01/01/2012,WBRI,,,\n")
    result = import_ssda903(folder, tmp_path / "out", LA)
    assert result.status == 0
    children = frames(tmp_path / "out")["children"]
    assert children.select("child_id", "sex", "date_of_birth").rows() == [("7", "F", "2010-01-02"), ("8", "M", "2012-01-01")]
    warned = said(result, "CHILD 7 has 3 with different details (rows 1, 2, 4); the last (row 4) was kept")
    assert [w.split(",")[2].strip() for w in warned] == ["row 1: value '1': expected one Header row per child",
                                                          "row 2: value '01/01/2010': expected one Header row per child"]
    assert not said(result, "CHILD 8")  # the same details twice is no conflict
    assert {p.row for p in read_problems(tmp_path / "out")} == {1, 2}


def test_open_episodes_with_a_reason_and_overlapping_episodes_are_warned_about(tmp_path):
    folder = tmp_path / "2024"
    write(folder / "header.csv", HEADER + "7,1,01/01/2010,WBRI,,,\n")
    write(folder / "episodes.csv", EPISODES + "7,01/05/2023,S,V2,N1,U4,PR1,,E11,,,,\n7,01/04/2023,S,V2,N1,U4,PR1,01/06/2023,E3,,,,\n")
    result = import_ssda903(folder, tmp_path / "out", LA)
    assert result.status == 0
    assert said(result, "2024/episodes.csv, column 'REC', row 1: value 'E11': expected no reason ceased while DEC is blank")
    assert said(result, "2024/episodes.csv, column 'DECOM', row 1: value '01/05/2023': expected each episode to start when the one "
                        "before it ended or later, but CHILD 7's episode from 01/04/2023 (2024/episodes.csv, row 2) ran to 01/06/2023")
    episodes = frames(tmp_path / "out")["cla_episodes"]
    assert episodes.select("episode_start", "reason_ceased").rows() == [("2023-04-01", "E3"), ("2023-05-01", None)]


def test_an_import_without_a_header_says_so_and_writes_no_children(tmp_path):
    folder = tmp_path / "2024"
    write(folder / "episodes.csv", EPISODES + "7,01/05/2023,S,V2,N1,U4,PR1,,,,,,\n")
    result = import_ssda903(folder, tmp_path / "out", LA)
    assert result.status == 1
    assert [p.name for p in result.written] == ["cla_episodes.csv"]
    assert said(result, "expected a Header file (CHILD, SEX, DOB, ETHNIC, UPN, MOTHER, MC_DOB) or XML HEADER")
    assert (tmp_path / "out" / PROBLEMS_FILE).exists()
    nothing = import_ssda903(write(tmp_path / "empty" / "notes.csv", "a,b\n1,2\n").parent, tmp_path / "none", LA)
    assert nothing.status == 2 and said(nothing, "nothing imported")


def test_uasc_uses_the_date_uasc_ceased(tmp_path):
    folder = tmp_path / "2024"
    write(folder / "header.csv", HEADER + "7,1,01/01/2008,AOTH,,,\n8,1,01/01/2007,AOTH,,,\n9,1,01/01/2007,AOTH,,,\n"
                                          "10,1,01/01/2006,AOTH,,,\n")
    write(folder / "episodes.csv", EPISODES + "7,01/05/2023,S,V2,N1,U4,PR1,,,,,,\n8,01/05/2023,S,V2,N1,U4,PR1,,,,,,\n"
                                              "10,01/05/2023,S,V2,N1,U4,PR1,,,,,,\n9,01/05/2023,S,V2,N1,U4,PR1,01/06/2023,E11,,,,\n")
    write(folder / "uasc.csv", "CHILD,SEX,DOB,DUC\n7,1,01/01/2008,01/01/2026\n8,1,01/01/2007,01/01/2023\n10,1,01/01/2006,01/01/2024\n")
    result = import_ssda903(folder, tmp_path / "out", LA)
    assert result.status == 0
    children = frames(tmp_path / "out")["children"]
    assert children.select("child_id", "uasc", "uasc_ceased").rows() == [
        ("10", "Y", "2024-01-01"), ("7", "Y", "2026-01-01"), ("8", "N", "2023-01-01"), ("9", "N", None)]
    assert said(result, "value '01/01/2023': expected a date UASC ceased after the child came into care (01/05/2023)")
    assert len(result.log.problems) == 1  # child 7, UASC until a date still to come, is no problem
    # child 10, still looked after, was UASC until 1 January 2024: counted at 31 December 2023, not at 31 March
    from perfkit.indicators.engine import compute
    from perfkit.records.loading import load_dataset

    figures = compute(load_dataset(tmp_path / "out"), ["2023-24 Q3", "2023-24 Q4"], [LA], indicators=["cla_uasc"])
    assert figures.select("period", "numerator").rows() == [("2023-24 Q3", 2.0), ("2023-24 Q4", 1.0)]


# --------------------------------------------------------------------------
# the published files of other projects, each in one call, counted independently


def _date(text: str) -> dt.date | None:
    for shape in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), shape).date()
        except ValueError:
            pass
    return None


def _starts(rows: list[dict]) -> dict[int, int]:
    """Episodes with RNE S by the collection year they start in (one per authority, child and DECOM)."""
    latest = {(r.get("LA", ""), r["CHILD"], r["DECOM"]): r for r in rows}
    found = [_date(r["DECOM"]) for r in latest.values() if r["RNE"] == "S"]
    return dict(Counter(d.year + (d.month >= 4) for d in found if d))


def published_names() -> dict[str, str]:
    """Authorities' names to numbers from the published neighbour list, as the command line gives them."""
    from perfkit.published.neighbours import load_neighbours

    return dict(load_neighbours().select("la_name", "la_code").unique().iter_rows())


def _plain_counts(name: str) -> tuple[dict[int, int], int | None]:
    """cla_starts per year and the number of children, read with csv and xml.etree alone."""
    if name == "fake_903.xml":
        root = ET.parse(EXTERNAL / "d2i-903-validator" / name).getroot()
        rows = [{"CHILD": c.findtext("HEADER/CHILDID"), **{e.tag: e.text or "" for e in ep}} for c in root.iter("CHILD") for ep in c.iter("EPISODE")]
        return _starts(rows), len({c.findtext("HEADER/CHILDID") for c in root.iter("CHILD")})
    if name == "d2i-903-validator":
        with open(EXTERNAL / name / "episodes.csv", newline="") as e, open(EXTERNAL / name / "header.csv", newline="") as h:
            return _starts(list(csv.DictReader(e))), len({r["CHILD"] for r in csv.DictReader(h)})
    with open(EXTERNAL / "sf-liia-tools" / name, newline="") as f:
        return _starts(list(csv.DictReader(f))), None


@needs_external
@pytest.mark.parametrize("name, paths, la", [
    ("d2i-903-validator", [f"d2i-903-validator/{n}.csv" for n in ("header", "episodes", "missing", "oc3", "uasc", "oc2", "ad1",
                                                                  "reviews", "placed_for_adoption", "previous_permanence")], LA),
    ("fake_903.xml", ["d2i-903-validator/fake_903.xml"], LA),
    ("SSDA903_2020_episodes.csv", ["sf-liia-tools/SSDA903_2020_episodes.csv"], LA),
    ("SSDA903_episodes_for_testing_fixes_INPUT.csv", ["sf-liia-tools/SSDA903_episodes_for_testing_fixes_INPUT.csv"], None),
])
def test_other_projects_903_files_import_in_one_call(name, paths, la, tmp_path):
    result = import_ssda903([EXTERNAL / p for p in paths], tmp_path / "out", la, la_names=published_names())
    assert result.status in (0, 1), result.log.summary()
    assert (result.status == 1) == (result.log.rows_left_out > 0)
    if result.log.problems:
        assert result.problems_file is not None and len(read_problems(tmp_path / "out")) == len(result.log.problems)
    starts, children = _plain_counts(name)
    episodes = pl.read_csv(tmp_path / "out" / "cla_episodes.csv", infer_schema_length=0, try_parse_dates=False)
    dates = episodes.filter(pl.col("rne") == "S")["episode_start"].str.to_date()
    assert dict(Counter(d.year + (d.month >= 4) for d in dates.to_list())) == starts
    if children is not None:
        assert pl.read_csv(tmp_path / "out" / "children.csv", infer_schema_length=0).height == children
        assert load_dataset(tmp_path / "out").table("cla_episodes").height == episodes.height
    else:
        assert said(result, "expected a Header file")


@needs_external
def test_the_liia_file_names_its_authorities_and_years_per_row(tmp_path):
    liia = EXTERNAL / "sf-liia-tools" / "SSDA903_episodes_for_testing_fixes_INPUT.csv"
    result = import_ssda903(liia, tmp_path / "out", la_names=published_names())
    episodes = frames(tmp_path / "out")["cla_episodes"]
    assert sorted(set(episodes["la_code"])) == ["301", "316", "319"]  # Barking and Dagenham, Newham, Sutton
    assert said(result, "RULE3_BAD's episode from 23/09/2016") or said(result, "CHILD RULE3_BAD's episode from 23/09/2016")
    named = import_ssda903(liia, tmp_path / "x", "301", la_names=published_names())
    assert named.status == 2 and said(named, "the file says 316")
    unnamed = import_ssda903(liia, tmp_path / "y")  # names without a list to look them up in: every row is left out
    assert unnamed.status == 2 and said(unnamed, "names are looked up only in a list of authorities given")


@needs_external
def test_d2i_files_in_a_folder_named_2017_are_the_2017_18_return(tmp_path):
    folder = tmp_path / "2017"
    folder.mkdir()
    for part in ("header", "episodes", "oc3"):
        shutil.copy(EXTERNAL / "d2i-903-validator" / f"{part}.csv", folder / f"{part}.csv")
    result = import_ssda903(folder, tmp_path / "out", LA)
    assert said(result, "but its dates run to 31/03/2018; took 2017-18 (the year ending 31 March 2018) from the dates")
    leavers = frames(tmp_path / "out")["care_leavers"]
    dates = leavers["reference_date"].str.to_date()
    assert set(dates.dt.year() + (dates.dt.month() >= 4).cast(pl.Int32)) == {2018}
    assert set(leavers["age_band"]) == {"17-18"}
    with pytest.raises(ContractError):
        read_ssda903(folder, LA)  # strictly, the rows left out are errors
