"""Hostile and careless files fail cleanly, quickly and in little memory (issue #15, "Safe to publish").

- YAML settings files (parameters, targets, catalogue, comparators): alias
  bombs, tags, syntax errors, deep nesting and oversized files are refused
  with one line naming the file and the line.
- Annex A workbooks: zip bombs (honest or lying about their sizes) and files
  that are not workbooks at all are refused before the spreadsheet reader
  opens them.
- Parquet tables: a whole-number column stored as floats is read only where
  every value is whole; 18377.5 is refused as the CSV path refuses it.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import polars as pl
import pytest

import perfkit
from perfkit.cli import main
from perfkit.records.contract import TABLES

PERFKIT_PARENT = str(Path(perfkit.__file__).resolve().parent.parent)
CHILDREN = "la_code,child_id,sex,date_of_birth,ethnicity,district\n999,1,F,2010-01-01,WBRI,North\n"


def _run(code: str, timeout: float) -> subprocess.CompletedProcess:
    """Python ``code`` run in a fresh process with this perfkit (a crash or a runaway stays there)."""
    env = {**os.environ, "PYTHONPATH": PERFKIT_PARENT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, env=env)


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got {err!r}"
    assert "Traceback" not in err
    return lines[0]


# --------------------------------------------------------------------------- YAML

def merge_bomb(levels: int) -> str:
    """Nested anchors merged (``<<: [*l0, *l0, ...]``): about 500 bytes; each level 9 times the work.

    PyYAML copies every merged key: before the fix, 7 levels took 3 s to load, and 8 levels (510 bytes) 25 s and 0.7 GB.
    """
    lines = ["l0: &l0 {" + ", ".join(f"k{j}: lol" for j in range(9)) + "}"]
    lines += [f"l{i}: &l{i} {{<<: [{', '.join([f'*l{i - 1}'] * 9)}]}}" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def laughs_bomb() -> str:
    """The classic billion laughs: nine lists of nine aliases, 9^9 'lol's to whatever walks the value."""
    lines = ['authority: "990"', 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    return "\n".join(lines + ["audience: *a8"]) + "\n"


def test_project_yaml_files_use_no_anchors_and_are_read_quickly():
    """perfkit's own settings files pass the checks (no anchor, alias or tag), each read in milliseconds."""
    from perfkit.config.safe_yaml import read_yaml

    root = Path(PERFKIT_PARENT)
    files = sorted((root / "parameters").rglob("*.yaml")) + sorted((root / "perfkit").rglob("*.yaml"))
    assert len(files) >= 4
    for path in files:
        started = time.perf_counter()
        assert isinstance(read_yaml(path), dict)
        assert time.perf_counter() - started < 2.0, path  # a few milliseconds on an idle machine


def test_yaml_merge_bomb_in_targets_is_refused_at_once(tmp_path):
    """A 500-byte file of nested anchors (3 s of CPU before the fix, 9 times more per level) is refused
    in milliseconds, naming the file and the line of the first anchor."""
    from perfkit.indicators.catalogue import load_catalogue
    from perfkit.indicators.targets import load_targets

    path = tmp_path / "targets.yaml"
    path.write_text(merge_bomb(7))
    catalogue = load_catalogue()
    started = time.perf_counter()
    with pytest.raises(ValueError) as caught:
        load_targets(path, "990", catalogue)
    assert time.perf_counter() - started < 5.0  # milliseconds; the bomb itself took 25 s
    assert str(caught.value) == (f"{path}, line 1: an anchor (&l0): expected every value written out in full "
                                 "(perfkit's settings files use no YAML anchors or aliases)")


@pytest.mark.parametrize("reader", ["targets", "comparators", "authority parameters", "disclosure"])
def test_every_settings_file_refuses_aliases(reader, tmp_path, monkeypatch):
    """Each reader of a settings file refuses the billion laughs, naming the file and the anchor's line."""
    monkeypatch.setenv("PERFKIT_HOME", str(tmp_path))
    (tmp_path / "parameters" / "authorities").mkdir(parents=True)
    text = laughs_bomb()
    if reader == "targets":
        from perfkit.indicators.catalogue import load_catalogue
        from perfkit.indicators.targets import load_targets

        path = tmp_path / "parameters" / "targets.yaml"
        path.write_text(text)
        call = lambda: load_targets(path, "990", load_catalogue())  # noqa: E731
    elif reader == "comparators":
        from perfkit.published.comparators import load_comparators

        path = tmp_path / "comparators.yaml"
        path.write_text(text)
        call = lambda: load_comparators(path)  # noqa: E731
    elif reader == "authority parameters":
        from perfkit.pipeline.jobs import authority_jobs

        path = tmp_path / "parameters" / "authorities" / "990.yaml"
        path.write_text(text)
        call = lambda: authority_jobs("2024-25 Q4", None, tmp_path / "reports", parameters=path.parent)  # noqa: E731
    else:
        from perfkit.config.settings import disclosure_threshold

        path = tmp_path / "parameters" / "disclosure.yaml"
        path.write_text("threshold: 5\n" + text)
        call = disclosure_threshold
    with pytest.raises(ValueError) as caught:
        call()
    message = str(caught.value)
    assert str(path) in message and ", line " in message and "an anchor (&a0)" in message, message


BROKEN_PARAMETERS = {
    # name: (file text, the line the message must name, words it must hold)
    "syntax error": ('authority: "990"\nname: Northmoor\naudience: members\n# comment\n\n\ndata_dir: data: 2024\n',
                     "line 7", "not valid YAML: mapping values are not allowed"),
    "unclosed list": ('authority: "990"\nclosure_days: [2024-12-27\nname: Northmoor\n', "line 3",
                      "(while parsing a flow sequence, line 2)"),
    "bad indentation": ('authority: "990"\nname: Northmoor\n  audience: members\n', "line 3", "not valid YAML"),
    "python object tag": ('authority: "990"\nname: !!python/object/apply:os.system ["echo pwned"]\n',
                          "line 2", "a tag (!!python/object/apply:os.system)"),
    "local tag": ('authority: "990"\nname: !secret Northmoor\n', "line 2", "a tag (!secret)"),
    "alias": ('authority: &la "990"\nname: *la\n', "line 1", "an anchor (&la)"),
    "not a real date": ('authority: "990"\nclosure_days:\n  - 2024-12-27\n  - 2024-02-30\n', "line 4",
                        "value '2024-02-30' cannot be read"),
    "control character": ('authority: "990"\nname: North\x07moor\n', "line 2", "control characters are not allowed"),
    "not UTF-8": ('authority: "990"\nname: Saint-Étienne\n'.encode("cp1252"), "line 2", "is not UTF-8"),
    "a list": ('- authority: "990"\n- name: Northmoor\n', "line 1", "expected name: value lines"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_PARAMETERS))
def test_broken_parameters_file_gives_one_line_and_exit_status_2(case, tmp_path, capsys):
    """``perfkit batch --parameters DIR`` on a broken or hostile parameters file: one line on stderr naming
    the file and the line, exit status 2, no traceback (no report is run)."""
    text, line, words = BROKEN_PARAMETERS[case]
    folder = tmp_path / "parameters"
    folder.mkdir()
    path = folder / "990.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    status = main(["batch", "--period", "2024-25 Q4", "--parameters", str(folder), "--authority", "000",
                   "--out", str(tmp_path / "reports")])
    err = _one_line(capsys.readouterr().err)
    assert status == 2
    assert err.startswith(f"perfkit batch: {path}, {line}: "), err
    assert words in err, err
    assert not list(tmp_path.rglob("*.html"))


def test_broken_targets_file_through_the_command_line(tmp_path):
    """The installed command: a tagged parameters file is one line on stderr and exit status 2."""
    folder = tmp_path / "parameters"
    folder.mkdir()
    (folder / "990.yaml").write_text('authority: "990"\nname: Northmoor\naudience: !!python/name:os.system\n')
    perfkit_command = Path(sys.executable).parent / "perfkit"
    command = [str(perfkit_command)] if perfkit_command.exists() else [sys.executable, "-m", "perfkit.cli"]
    env = {**os.environ, "PYTHONPATH": PERFKIT_PARENT}
    result = subprocess.run(command + ["batch", "--period", "2024-25 Q4", "--parameters", str(folder),
                                       "--authority", "000", "--out", str(tmp_path / "reports")],
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 2
    assert _one_line(result.stderr) == (f"perfkit batch: {folder / '990.yaml'}, line 3: a tag (!!python/name:os.system): "
                                        "expected plain values (text, numbers, dates, lists and mappings) with no YAML tags")


def test_deeply_nested_yaml_is_refused_not_a_crash(tmp_path):
    """200 KB of ``[[[[...`` crashed the C parser (segmentation fault) before the fix; now it is refused."""
    path = tmp_path / "targets.yaml"
    depth = 100_000
    path.write_text("default: " + "[" * depth + "]" * depth + "\n")
    result = _run("from perfkit.indicators.catalogue import load_catalogue\n"
                  "from perfkit.indicators.targets import load_targets\n"
                  f"load_targets({str(path)!r}, '990', load_catalogue())\n", timeout=60)
    assert result.returncode == 1, result  # the exception raised, not a crash
    assert result.stderr.strip().splitlines()[-1] == (
        f"perfkit.errors.SettingsFileError: {path}, line 1: lists and mappings nested more than 32 deep: "
        "expected a simple settings file")


def test_oversized_yaml_is_refused_before_it_is_parsed(tmp_path):
    """A settings file over the documented limit (1 MB) is refused unread, whatever it holds."""
    from perfkit.indicators.catalogue import load_catalogue
    from perfkit.indicators.targets import load_targets

    path = tmp_path / "targets.yaml"
    path.write_text("# a comment\n" * 90_000)  # 1.08 MB
    with pytest.raises(ValueError, match=r"targets\.yaml: the file is larger than 1,000,000 bytes"):
        load_targets(path, "990", load_catalogue())


def test_read_yaml_raises_settings_file_error_a_value_error(tmp_path):
    from perfkit.config.safe_yaml import SettingsFileError, read_yaml

    path = tmp_path / "x.yaml"
    path.write_text("a: 1\nb: [\n")
    with pytest.raises(SettingsFileError) as caught:
        read_yaml(path)
    assert isinstance(caught.value, ValueError)
    assert str(caught.value).startswith(f"{path}, line 3: not valid YAML: ")
    path.write_text("")
    assert read_yaml(path) == {}


# --------------------------------------------------------------------------- XLSX

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '</Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
             '<sheet name="List 1 - Contacts" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                  'Target="worksheets/sheet1.xml"/></Relationships>')
_SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>'
               b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
_SHEET_TAIL = b"</sheetData></worksheet>"
_ROW = b"<row>" + b"<c><v>1</v></c>" * 60 + b"</row>"
_CHUNK = _ROW * ((16 << 20) // len(_ROW))  # 16 MB of identical rows of 60 cells


def xlsx_bomb(path: Path, inflated: float, declared: int | None = None) -> Path:
    """A workbook whose one sheet is ``inflated`` bytes of identical rows, highly compressible.

    The sheet's deflate stream is 16 MB blocks of rows, each compressed once
    and flushed (so every copy is the same bytes): about 3 KB on disk per MB
    inflated, built in a fraction of a second. ``declared``: the sheet's size
    written in the archive, if it is to lie.
    """
    copies = max(1, round(inflated / len(_CHUNK)))
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = deflate.compress(_SHEET_HEAD) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(_CHUNK) + deflate.flush(zlib.Z_FULL_FLUSH)
    tail = deflate.compress(_SHEET_TAIL) + deflate.flush()
    crc = zlib.crc32(_SHEET_HEAD)
    for _ in range(copies):
        crc = zlib.crc32(_CHUNK, crc)
    crc = zlib.crc32(_SHEET_TAIL, crc)
    size = len(_SHEET_HEAD) + copies * len(_CHUNK) + len(_SHEET_TAIL)
    small = {name: text.encode() for name, text in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS),
                                                      ("xl/workbook.xml", _WORKBOOK), ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS))}
    members = [(name, zlib.compress(data, 9)[2:-4], zlib.crc32(data), len(data)) for name, data in small.items()]
    members.append(("xl/worksheets/sheet1.xml", [head, *[block] * copies, tail], crc, size if declared is None else declared))
    directory = b""
    with open(path, "wb") as out:
        for name, data, crc32, usize in members:
            pieces = data if isinstance(data, list) else [data]
            csize, offset = sum(len(p) for p in pieces), out.tell()
            out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 33, crc32, csize, usize, len(name), 0)
                      + name.encode())
            for piece in pieces:
                out.write(piece)
            directory += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 33, crc32, csize, usize,
                                     len(name), 0, 0, 0, 0, 0, offset) + name.encode()
        start = out.tell()
        out.write(directory + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members),
                                          len(directory), start, 0))
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    """A 4.5 MB workbook of 1.49 GB of cells (100 million of them): 63 s and 7 GB before the fix."""
    return xlsx_bomb(tmp_path_factory.mktemp("bomb") / "990_annex_a.xlsx", 1.49e9)


def test_the_bomb_is_what_it_says(bomb):
    parts = {p.filename: p for p in zipfile.ZipFile(bomb).infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert bomb.stat().st_size < 5_000_000 and sheet.file_size > 1_490_000_000
    assert sheet.file_size / sheet.compress_size > 300


def test_xlsx_bomb_is_refused_quickly_in_little_memory(bomb, tmp_path):
    """``perfkit import`` refuses the bomb from its directory of parts (0.2 s and 52 MB measured on an idle
    machine), with one problem naming the file and the sizes found."""
    code = ("import json, resource, sys, time\n"
            "from perfkit.cli import main\n"
            "started = time.perf_counter()\n"
            f"status = main(['import', '--annex-a', {str(bomb)!r}, '--out', {str(tmp_path / 'out')!r}])\n"
            "print(json.dumps({'status': status, 'seconds': time.perf_counter() - started,\n"
            "                  'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n")
    result = _run(code, timeout=30)
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    assert measured["status"] == 2
    # before the fix: 69 s and 7 GB, then a crash; the bounds leave room for a busy machine, not for reading the sheet
    assert measured["seconds"] < 10.0, measured
    assert measured["peak_mb"] < 1500, measured
    assert "Traceback" not in result.stderr
    inflated = sum(part.file_size for part in zipfile.ZipFile(bomb).infolist())
    assert result.stderr.splitlines() == [
        "perfkit import: 1 problem with the input data:",
        f"  - {bomb}: would inflate to {inflated:,} bytes from {bomb.stat().st_size:,} on disk (a zip bomb, or not a "
        "real workbook): expected at most 500,000,000 bytes inflated"]


def test_xlsx_part_that_inflates_too_many_times_is_refused(tmp_path):
    """Under the total limit, a 48 MB sheet that inflates about 330 times its compressed size is refused."""
    from perfkit.errors import ContractError
    from perfkit.formats.annex_a import read_annex_a

    path = xlsx_bomb(tmp_path / "990_annex_a.xlsx", 48e6)
    with pytest.raises(ContractError) as caught:
        read_annex_a(path)
    (problem,) = caught.value.problems
    assert problem.file == str(path)
    sheet = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    assert 300 < sheet.file_size / sheet.compress_size < 400
    assert problem.message == (f"part 'xl/worksheets/sheet1.xml' would inflate {sheet.file_size / sheet.compress_size:,.0f} "
                               f"times, from {sheet.compress_size:,} to {sheet.file_size:,} bytes (a zip bomb): "
                               "expected at most 100 times")


def test_xlsx_bomb_that_lies_about_its_size_is_refused(tmp_path):
    """A sheet declaring 1,000 bytes but holding 48 MB: the spreadsheet reader would read it all (it ignores
    the declared sizes), so the bytes are counted as they inflate, and refused at the first megabyte."""
    from perfkit.errors import ContractError
    from perfkit.formats.annex_a import read_annex_a

    path = xlsx_bomb(tmp_path / "990_annex_a.xlsx", 48e6, declared=1000)
    started = time.perf_counter()
    with pytest.raises(ContractError) as caught:
        read_annex_a(path)
    assert time.perf_counter() - started < 5.0  # milliseconds; reading the sheet would take seconds
    assert [str(p) for p in caught.value.problems] == [
        f"{path}: part 'xl/worksheets/sheet1.xml' declares 1,000 bytes but inflates to more (a zip bomb, "
        "or a damaged file): expected an .xlsx saved by Excel"]


NOT_WORKBOOKS = {
    "csv renamed": (CHILDREN.encode(), "is a text file, not an Excel workbook (an .xlsx is a zip archive), perhaps a CSV "
                                       "renamed .xlsx: expected an .xlsx saved by Excel, or the CSV named .csv"),
    "old xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "is an Excel 97-2003 (.xls) workbook or a password-protected one"),
    "empty": (b"", "the file is empty: expected an .xlsx workbook saved by Excel"),
    "cut short": (None, "is damaged or cut short: the zip archive has no directory of its parts at its end"),
    "parquet": (None, "is not an Excel workbook: an .xlsx is a zip archive, and this file starts with the bytes 50 41 52 31"),
}


@pytest.mark.parametrize("case", sorted(NOT_WORKBOOKS))
def test_file_that_is_not_a_workbook_gives_a_clear_message(case, tmp_path, capsys):
    """``perfkit import --annex-a`` on a file that is no workbook: one problem naming it, exit status 2."""
    content, words = NOT_WORKBOOKS[case]
    if case == "cut short":
        whole = xlsx_bomb(tmp_path / "whole.xlsx", 1e6).read_bytes()
        content = whole[: len(whole) // 2]
    elif case == "parquet":
        pl.DataFrame({"a": [1]}).write_parquet(tmp_path / "t.parquet")
        content = (tmp_path / "t.parquet").read_bytes()
    path = tmp_path / "990_annex_a.xlsx"
    path.write_bytes(content)
    assert main(["import", "--annex-a", str(path), "--out", str(tmp_path / "out")]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and lines[0] == "perfkit import: 1 problem with the input data:", lines
    assert lines[1].startswith(f"  - {path}: {words}"), lines


# --------------------------------------------------------------------------- Parquet

INTEGER_COLUMNS = [(table, column.name) for table, spec in TABLES.items() for column in spec.columns
                   if column.kind == "integer"]


def test_the_contract_has_integer_columns():
    assert ("population", "population_0_17") in INTEGER_COLUMNS and ("population", "year") in INTEGER_COLUMNS


@pytest.mark.parametrize("table,column", INTEGER_COLUMNS)
def test_parquet_float_in_an_integer_column_is_refused_like_the_csv(table, column, tmp_path, capsys):
    """18377.5 in a Float64 column of a Parquet file was read as 18377; it is refused as in a CSV, naming
    file, column, row, value and what was expected."""
    spec = TABLES[table]
    rows = {"population": {"la_code": "999", "year": 2022.0, "population_0_17": 18377.0},
            "cp_plans": {"la_code": "999", "child_id": "A1", "plan_id": "P1", "start_date": "2022-05-01",
                         "end_date": "2022-09-01", "initial_category": "NEG", "latest_category": "NEG",
                         "previous_plans": 1.0}}
    row = rows[table]
    assert set(row) == set(spec.column_names), "the test's row must fill the table"
    second = {"year": 2023.0} if table == "population" else {"plan_id": "P2", "previous_plans": 2.0}
    good = pl.DataFrame([row, {**row, **second}])
    bad = good.with_columns(pl.Series(column, [good[column][0], good[column][1] + 0.5]))
    value, expected = str(bad[column][1]), spec.column(column).describe()
    text = lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)  # noqa: E731
    csv = ",".join(bad.columns) + "\n" + "".join(",".join(text(v) for v in r) + "\n" for r in bad.iter_rows())
    for form in ("csv", "parquet"):
        folder = tmp_path / form
        folder.mkdir()
        (folder / "children.csv").write_text(CHILDREN)
        if form == "csv":
            (folder / f"{table}.csv").write_text(csv)
        else:
            bad.write_parquet(folder / f"{table}.parquet")
        assert main(["validate", "--data", str(folder)]) == 2, form
        err = capsys.readouterr().err
        assert f"  - {folder / f'{table}.{form}'}, column {column!r}, row 2: value {value!r}: expected {expected}\n" in err, err

    good_dir = tmp_path / "whole"  # whole numbers stored as floats are read, as whole numbers
    good_dir.mkdir()
    (good_dir / "children.csv").write_text(CHILDREN)
    good.write_parquet(good_dir / f"{table}.parquet")
    from perfkit.records.loading import load_dataset

    loaded = load_dataset(good_dir, recall=False).table(table)
    assert loaded[column].dtype == pl.Int64 and loaded[column].to_list() == [int(v) for v in good[column]]
