"""A corpus of bad inputs: each gives a clear message naming file, column, row and value,
a non-zero exit status and no traceback; loadable oddities give warnings instead."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from perfkit.cli import main
from perfkit.records.loading import load_dataset

CHILDREN = "la_code,child_id,sex,date_of_birth,ethnicity,district\n999,1,F,2010-01-01,WBRI,North\n999,2,M,2011-02-03,WBRI,South\n"
REFERRALS = "la_code,child_id,referral_id,referral_date,referral_source,nfa,closure_date\n"
WORKFORCE = ("la_code,month,team,department,permanent_fte,agency_fte,vacancy_fte,leavers_fte,starters_fte,"
             "case_holders_fte,cases\n")


def _write(directory: Path, files: dict[str, bytes | str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (directory / name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return directory


ERRORS = {
    "missing_file": ({"referrals.csv": REFERRALS + "999,1,r1,2022-07-01,6,N,\n"},
                     ["children.csv", "required table 'children' is missing"]),
    "missing_column": ({"children.csv": CHILDREN, "referrals.csv": "la_code,child_id,referral_id,referral_source,nfa\n999,1,r1,6,N\n"},
                       ["referrals.csv", "'referral_date'", "required column is missing"]),
    "wrong_type": ({"children.csv": CHILDREN, "workforce.csv": WORKFORCE + "999,2022-09-01,T1,D1,ten,1,1,0,0,9,120\n"},
                   ["workforce.csv", "'permanent_fte'", "row 1", "'ten'", "a number"]),
    "dd_mm_date": ({"children.csv": CHILDREN, "referrals.csv": REFERRALS + "999,1,r1,25/12/2022,6,N,\n"},
                   ["referrals.csv", "'referral_date'", "row 1", "'25/12/2022'", "dd/mm/yyyy", "2022-12-25"]),
    "mm_dd_date": ({"children.csv": CHILDREN, "referrals.csv": REFERRALS + "999,1,r1,12/25/2022,6,N,\n"},
                   ["'12/25/2022'", "mm/dd/yyyy", "2022-12-25"]),
    "two_digit_year": ({"children.csv": CHILDREN, "referrals.csv": REFERRALS + "999,1,r1,05/01/22,6,N,\n"},
                       ["'05/01/22'", "two-digit year"]),
    "end_before_start": ({"children.csv": CHILDREN, "referrals.csv": REFERRALS + "999,1,r1,2022-07-01,6,N,2022-06-01\n"},
                         ["'closure_date'", "row 1", "'2022-06-01'", "before referral_date"]),
    "duplicate_ids": ({"children.csv": CHILDREN + "999,1,F,2012-01-01,WBRI,North\n"},
                      ["children.csv", "'child_id'", "row 3", "'1'", "duplicate id"]),
    "empty_file": ({"children.csv": CHILDREN, "referrals.csv": b""}, ["referrals.csv", "the file is empty"]),
    "future_date": ({"children.csv": CHILDREN, "referrals.csv": REFERRALS + "999,1,r1,2999-01-01,6,N,\n"},
                    ["'referral_date'", "'2999-01-01'", "in the future"]),
    "unknown_code": ({"children.csv": CHILDREN.replace(",F,", ",X,", 1)}, ["children.csv", "'sex'", "'X'", "unknown code"]),
    "binary": ({"children.csv": CHILDREN, "referrals.csv": b"\x00\x01\x02garbage\x00" * 100}, ["referrals.csv", "binary"]),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_bad_input_gives_a_clear_message_and_exit_status(case, tmp_path, capsys):
    files, expected = ERRORS[case]
    directory = _write(tmp_path / case, files)
    assert main(["validate", "--data", str(directory)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for words in expected:
        assert words in err, f"{case}: {words!r} not in {err!r}"


def test_byte_order_mark_is_read(tmp_path):
    data = load_dataset(_write(tmp_path, {"children.csv": b"\xef\xbb\xbf" + CHILDREN.encode()}))
    assert data.table("children").columns[0] == "la_code"
    assert not data.warnings


def test_cp1252_file_is_read_with_a_warning(tmp_path, capsys):
    text = CHILDREN.replace("North", "Saint-Étienne").encode("cp1252")
    directory = _write(tmp_path, {"children.csv": text})
    assert main(["validate", "--data", str(directory)]) == 0
    assert "cp1252" in capsys.readouterr().err
    assert "Saint-Étienne" in load_dataset(directory).table("children")["district"].to_list()


def test_ids_written_as_decimals_are_read_as_whole_numbers_with_a_warning(tmp_path):
    referrals = REFERRALS + "999,1.0,r1,2022-07-01,6,N,\n"
    data = load_dataset(_write(tmp_path, {"children.csv": CHILDREN, "referrals.csv": referrals}))
    assert data.table("referrals")["child_id"].to_list() == ["1"]
    assert any("decimal number" in str(w) and "'1.0'" in str(w) for w in data.warnings)
    assert not any("not in the children table" in str(w) for w in data.warnings)


def test_unknown_children_and_districts_are_warnings_not_errors(tmp_path):
    missing = ("la_code,child_id,missing_start,missing_end,missing_type,looked_after,district\n"
               "999,7,2022-07-01,2022-07-02,M,N,Atlantis\n")
    data = load_dataset(_write(tmp_path, {"children.csv": CHILDREN, "missing_episodes.csv": missing}))
    text = "\n".join(str(w) for w in data.warnings)
    assert "warning: " in text and "'7'" in text and "not in the children table" in text
    assert "'Atlantis'" in text and "unknown district" in text


def test_50_mb_of_garbage_is_refused_quickly_without_a_traceback(tmp_path):
    rng_bytes = os.urandom(1 << 20)
    directory = tmp_path / "garbage"
    directory.mkdir()
    (directory / "children.csv").write_text(CHILDREN)
    with open(directory / "referrals.csv", "wb") as handle:
        for _ in range(50):
            handle.write(rng_bytes)
    result = subprocess.run([sys.executable, "-m", "perfkit.cli", "validate", "--data", str(directory)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "referrals.csv" in result.stderr and "Traceback" not in result.stderr


def test_a_file_with_a_header_and_no_rows_is_an_empty_table_with_a_warning(tmp_path, capsys):
    """A small authority with no EHC requests in its extract can still run (#17): the table is empty, the
    validation passes (exit 0) and says so; a zero-byte file stays an error."""
    directory = _write(tmp_path / "header_only", {"children.csv": CHILDREN, "referrals.csv": REFERRALS})
    assert main(["validate", "--data", str(directory)]) == 0
    captured = capsys.readouterr()
    assert "referrals.csv: the file has a header but no rows: loaded as an empty table" in captured.err
    assert "referrals 0" in captured.out

