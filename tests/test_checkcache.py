"""Files that passed the contract are not checked again until they (or the checks) change."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import polars as pl
import pytest

import perfkit.records.loading as loading
from perfkit.errors import ContractError
from perfkit.indicators.measure_base import COUNTED_COLUMNS
from perfkit.records import checkcache
from perfkit.records.loading import load_dataset

CHILDREN = "la_code,child_id,sex,date_of_birth,ethnicity\n999,a,F,2010-01-01,WBRI\n999,b,M,2011-02-03,WBRI\n"
REFERRALS = ("la_code,child_id,referral_id,referral_date,referral_source,nfa,closure_date\n"
             "999,a,1.0,2022-07-01,6,N,\n"  # an id a spreadsheet wrote as a decimal: a warning
             "999,z,r2,2022-08-01,6,N,\n")  # a child not in the children table: a warning across tables


@pytest.fixture
def records(tmp_path, monkeypatch) -> Path:
    """A folder of this test's own for the records of passes."""
    folder = tmp_path / "records"
    monkeypatch.setenv("PERFKIT_CHECK_CACHE", str(folder))
    return folder


@pytest.fixture
def checks(monkeypatch) -> list[str]:
    """The files :func:`perfkit.records.loading.check_table` is asked to check, in order."""
    checked: list[str] = []
    check_table = loading.check_table

    def counting(raw, spec, file, *args, **kwargs):
        checked.append(Path(file).name)
        return check_table(raw, spec, file, *args, **kwargs)

    monkeypatch.setattr(loading, "check_table", counting)
    return checked


def _dataset(folder: Path, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {"children": CHILDREN, **files}.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def _same(first: loading.Dataset, second: loading.Dataset) -> bool:
    return list(first.tables) == list(second.tables) and all(
        first.tables[n].columns == second.tables[n].columns and first.tables[n].schema == second.tables[n].schema
        and first.tables[n].equals(second.tables[n]) for n in first.tables)


def test_a_file_that_passed_is_read_not_checked_and_gives_the_same_tables_and_warnings(tmp_path, records, checks):
    directory = _dataset(tmp_path / "data", referrals=REFERRALS)
    first = load_dataset(directory)
    assert checks == ["children.csv", "referrals.csv"]
    warnings = [str(w) for w in first.warnings]
    assert any("decimal number" in w for w in warnings) and any("not in the children table" in w for w in warnings)

    again = load_dataset(directory)
    assert checks == ["children.csv", "referrals.csv"]  # nothing checked the second time
    assert _same(first, again) and [str(w) for w in again.warnings] == warnings
    cut = load_dataset(directory, columns=COUNTED_COLUMNS)
    assert cut.table("referrals").columns == ["la_code", "child_id", "referral_date", "nfa", "closure_date"]
    assert [str(w) for w in cut.warnings] == warnings
    assert len(list(records.glob("*.json"))) == 3  # two files and the two checked together


def test_the_national_synthetic_tables_are_the_same_read_after_a_pass(small_data, records, checks):
    """Parquet files: after a pass only the columns kept are read, typed as the checks leave them."""
    for columns in (None, COUNTED_COLUMNS):
        shutil.rmtree(records, ignore_errors=True)
        checked = load_dataset(small_data, columns=columns)
        remembered = load_dataset(small_data, columns=columns)
        assert _same(checked, remembered) and checked.warnings == remembered.warnings
    assert checks.count("contacts.parquet") == 2  # once for each way of loading, never from a remembered pass


def test_a_changed_file_is_checked_again_and_its_problem_reported(tmp_path, records, checks):
    directory = _dataset(tmp_path / "data", referrals=REFERRALS)
    load_dataset(directory)
    (directory / "referrals.csv").write_text(REFERRALS + "999,b,r3,31/02/2024,6,N,\n", encoding="utf-8")
    with pytest.raises(ContractError, match=r"referrals.csv, column 'referral_date', row 3: value '31/02/2024'"):
        load_dataset(directory)
    assert checks == ["children.csv", "referrals.csv", "referrals.csv"]


def test_a_file_that_fails_is_not_remembered(tmp_path, records, checks):
    directory = _dataset(tmp_path / "data", referrals=REFERRALS + "999,b,r3,2022-07-01,ZZ,N,\n")
    for _ in range(2):
        with pytest.raises(ContractError, match="unknown code"):
            load_dataset(directory)
    assert checks == ["children.csv", "referrals.csv", "referrals.csv"]  # the children file passed the first time
    assert len(list(records.glob("*.json"))) == 1


def test_part_of_a_files_rows_is_always_checked(tmp_path, records, checks):
    directory = _dataset(tmp_path / "data", referrals=REFERRALS)
    load_dataset(directory)
    load_dataset(directory, authorities=["999"])
    assert checks == ["children.csv", "referrals.csv"] * 2


def test_off_checks_every_time_and_writes_nothing(tmp_path, records, checks, monkeypatch):
    monkeypatch.setenv("PERFKIT_CHECK_CACHE", "off")
    directory = _dataset(tmp_path / "data", referrals=REFERRALS)
    load_dataset(directory)
    load_dataset(directory)
    assert checks == ["children.csv", "referrals.csv"] * 2 and not records.exists()


def test_a_change_in_the_checks_a_moved_file_or_a_bad_record_means_checking_again(tmp_path, records, checks, monkeypatch):
    directory = _dataset(tmp_path / "data", referrals=REFERRALS)
    load_dataset(directory)
    moved = shutil.copytree(directory, tmp_path / "elsewhere")  # warnings name the file where it was checked
    assert str(load_dataset(moved).warnings[0]).startswith(f"warning: {moved / 'referrals.csv'}, column 'referral_id'")
    assert checks == ["children.csv", "referrals.csv"] * 2

    code = checkcache.checking_code
    monkeypatch.setattr(checkcache, "checking_code", lambda: "other checks")
    load_dataset(directory)
    assert checks == ["children.csv", "referrals.csv"] * 3
    monkeypatch.setattr(checkcache, "checking_code", code)

    for spoiled in ("{not json", json.dumps({"checked_on": dt.date.today().isoformat(), "warnings": []}),
                    json.dumps({"checked_on": dt.date.today().isoformat(), "warnings": {}})):
        for record in records.glob("*.json"):
            record.write_text(spoiled, encoding="utf-8")
        load_dataset(directory)
    assert checks == ["children.csv", "referrals.csv"] * 6


def test_a_record_from_a_later_date_is_not_trusted(tmp_path, records, checks):
    directory = _dataset(tmp_path / "data")
    load_dataset(directory)
    for record in records.glob("*.json"):
        content = json.loads(record.read_text(encoding="utf-8"))
        content["checked_on"] = (dt.date.today() + dt.timedelta(days=1)).isoformat()
        record.write_text(json.dumps(content), encoding="utf-8")
    load_dataset(directory)
    assert checks == ["children.csv", "children.csv"]


def test_an_unwritable_cache_folder_is_no_error(tmp_path, monkeypatch, checks):
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("PERFKIT_CHECK_CACHE", str(blocked / "records"))
    directory = _dataset(tmp_path / "data")
    assert load_dataset(directory).table("children").height == 2
    assert load_dataset(directory).table("children").height == 2
    assert checks == ["children.csv", "children.csv"]


def test_canonical_equals_the_checked_table_for_parquet_and_text(small_data):
    from perfkit.records.contract import TABLES

    frame = pl.read_parquet(small_data / "cla_episodes.parquet")
    checked, problems = loading.check_table(frame, TABLES["cla_episodes"], "cla_episodes.parquet", typed=True)
    assert not problems and loading.canonical(frame, TABLES["cla_episodes"], typed=True).equals(checked)
    text = frame.with_columns(pl.all().cast(pl.String))
    checked, problems = loading.check_table(text, TABLES["cla_episodes"], "cla_episodes.csv")
    assert not problems and loading.canonical(text, TABLES["cla_episodes"]).equals(checked)


def test_validate_checks_every_file_even_if_it_passed_before(tmp_path, records, checks, capsys):
    from perfkit.cli import main

    directory = _dataset(tmp_path / "data", referrals=REFERRALS)
    load_dataset(directory)
    assert main(["validate", "--data", str(directory)]) == 0
    assert checks == ["children.csv", "referrals.csv"] * 2
    assert "not in the children table" in capsys.readouterr().err


def test_a_batch_reads_files_that_all_passed_before_without_checking_them(small_data, tmp_path, records, checks):
    from perfkit.pipeline.shares import checked_records

    authorities = load_dataset(small_data).authorities[:1]  # remembers every file
    checked = load_dataset(small_data, authorities=authorities)  # some authorities' rows: always checked
    before = len(checks)
    data, failures = checked_records(small_data, authorities)
    assert len(checks) == before and not failures and _same(data, checked)

    changed = shutil.copytree(small_data, tmp_path / "changed")  # another place: never passed there
    data, failures = checked_records(changed, authorities)
    assert len(checks) > before and not failures and _same(data, checked)


def test_a_batch_reads_parquet_files_whose_la_code_is_stored_as_a_number(tmp_path, records, checks):
    from perfkit.pipeline.shares import checked_records

    directory = tmp_path / "data"
    directory.mkdir()
    pl.DataFrame({"la_code": [999, 998], "child_id": ["a", "b"], "sex": ["F", "M"], "date_of_birth": [dt.date(2010, 1, 1)] * 2,
                  "ethnicity": ["WBRI", "WBRI"]}).write_parquet(directory / "children.parquet")
    load_dataset(directory)  # remembers the file
    data, failures = checked_records(directory, ["999"])
    assert not failures and _same(data, load_dataset(directory, authorities=["999"]))
    assert data.table("children")["child_id"].to_list() == ["a"]


def test_a_file_is_checked_as_the_table_it_is_read_as(tmp_path, records, checks):
    directory = _dataset(tmp_path / "data", referrals=REFERRALS)
    load_dataset(directory)
    (directory / "contacts.csv").symlink_to(directory / "referrals.csv")  # the same bytes, another table
    with pytest.raises(ContractError, match=r"contacts.csv, column 'contact_id': required column is missing"):
        load_dataset(directory)


def test_the_bytes_checked_are_the_bytes_read(tmp_path, records, checks, monkeypatch):
    """A file rewritten while it is loaded: what is returned is what was checked, never the new bytes unchecked."""
    directory = _dataset(tmp_path / "data", referrals=REFERRALS)
    first = load_dataset(directory)
    fingerprinted = loading._fingerprinted

    def rewritten_after_reading(path, name):
        read = fingerprinted(path, name)
        if path.name == "referrals.csv":
            path.write_text(REFERRALS + "999,b,r3,31/02/2024,6,N,\n", encoding="utf-8")
        return read

    monkeypatch.setattr(loading, "_fingerprinted", rewritten_after_reading)
    assert _same(load_dataset(directory), first)  # the bytes read passed before
    monkeypatch.setattr(loading, "_fingerprinted", fingerprinted)
    with pytest.raises(ContractError, match="31/02/2024"):
        load_dataset(directory)


def test_warnings_name_the_file_as_it_was_named(tmp_path, records, checks, monkeypatch):
    _dataset(tmp_path / "data", referrals=REFERRALS)
    monkeypatch.chdir(tmp_path)
    relative = [str(w) for w in load_dataset(Path("data")).warnings]
    absolute = [str(w) for w in load_dataset(tmp_path / "data").warnings]
    assert relative[0].startswith("warning: data/referrals.csv") and absolute[0].startswith(f"warning: {tmp_path}/data/referrals.csv")
    assert [str(w) for w in load_dataset(Path("data")).warnings] == relative
