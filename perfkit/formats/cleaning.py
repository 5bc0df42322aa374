"""Shared handling of the mess real exports carry, each with a clear message.

Every reader in :mod:`perfkit.formats` goes through these functions, so the
same rules apply to Annex A workbooks and SSDA903 CSVs:

- **Byte-order marks** (UTF-8 and UTF-16) are removed.
- **Encoding**: text is read as UTF-8; if it is not valid UTF-8 it is read
  as Windows-1252, which is what Excel's "Save As CSV" writes on English
  Windows. Bytes that are neither give a problem naming the file.
- **Blank rows** (every cell empty, as Excel leaves after deleted rows) are
  dropped; row numbers in messages still count them, so ``row 7`` is the
  seventh row under the heading in the file as the analyst sees it.
- **Ids read as numbers** (``123.0``, as Excel or pandas writes a numeric id)
  become ``"123"``.
- **Two-digit years** (``05/01/08``) are **refused**, never guessed: a date
  of birth of ``05/01/08`` could be 1908 or 2008, and a wrong century moves a
  child between every age band. The message says to re-save the column as
  ``dd/mm/yyyy``.
- **Headings** are matched ignoring case, repeated or surrounding spaces,
  non-breaking spaces and curly apostrophes. **Extra columns** are ignored;
  a **duplicated heading** (the same heading twice after that tidying) is
  refused, since perfkit cannot know which copy is right.
- **Dates** are ``dd/mm/yyyy`` (``-`` or ``.`` separators allowed), or ISO
  ``YYYY-MM-DD`` (as a real Excel date cell reads, ``2024-01-05 00:00:00``);
  a time of day after the date is dropped.
- **Workbooks** are checked before they are opened (:func:`check_workbook`):
  a file that is not a zip archive (a CSV renamed ``.xlsx``, an old ``.xls``)
  is named as such, and one that would inflate beyond
  :data:`MAX_WORKBOOK_BYTES`, or whose parts inflate more than
  :data:`MAX_INFLATE_RATIO` times (a "zip bomb"), is refused in a fraction
  of a second, before the spreadsheet reader sees it.

Problems are :class:`perfkit.records.loading.Problem` values collected into one
:class:`perfkit.errors.ContractError`, so the command line prints them all
and no traceback.
"""

from __future__ import annotations

import codecs
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from perfkit.records.contract import TABLES
from perfkit.records.loading import ContractError, Problem

ROW = "__row"
EXAMPLES = 5
HEADER_SEARCH_ROWS = 10

MAX_WORKBOOK_BYTES = 500_000_000
"""The most a workbook may hold once inflated (500 MB, its parts' sizes added up), and the largest file read.

An ``.xlsx`` is a zip of XML parts, and the spreadsheet reader holds every
cell in memory: a 4.5 MB "zip bomb" of 1.49 GB of small cells took about
65 s and 7 GB before this check (now 0.2 s and 50 MB, the whole command). A
real Annex A is far smaller: the synthetic 62,000-child authority's workbook
holds six and a half years of lists in 45 MB (about 7 MB a year; read in
0.7 s and 75 MB), so a year's lists for England's largest authorities (about
5.5 times as many children) are about 40 MB, and even six years of them about
250 MB. 500 MB passes that with room to spare; a workbook at the limit made
of nothing but small cells would read in about 2.5 GB.
"""

MAX_INFLATE_RATIO = 100
"""How many times larger than its compressed bytes a part of a workbook may inflate (checked above
:data:`INFLATE_RATIO_FROM` bytes).

Workbooks' parts inflate 2 to 10 times (the synthetic Annex A's sheets 8 to
9 times); even a sheet formatted down to Excel's last row (a million empty
formatted rows) about 30 times; identical rows of a bomb 300 to 1,000 times.
100 is the limit Apache POI, the Java spreadsheet library, applies by default
(``ZipSecureFile`` minimum inflate ratio 0.01).
"""

INFLATE_RATIO_FROM = 1_000_000
"""Parts smaller than this (1 MB) are not held to :data:`MAX_INFLATE_RATIO` (POI spares parts under 100 KB):
a small part that compresses well (styles, an empty sheet) is harmless, and every part counts towards
:data:`MAX_WORKBOOK_BYTES`."""

MAX_WORKBOOK_PARTS = 10_000
"""The most parts (zip members) a workbook may have: Excel writes a few dozen; the count is read from the
archive's last bytes, before its directory of parts is."""

_TWO_DIGIT_YEAR = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2}$")
_OPTION_PREFIX = re.compile(r"^\s*[a-z]{1,2}\d?\)\s*", re.IGNORECASE)
_CODE_SPLIT = re.compile(r"\s*(?::|\s-\s|\s–\s)\s*")

Decoder = Callable[[str], "str | None"]


# --------------------------------------------------------------------------
# reading bytes and grids


def decode_text(data: bytes, file: str) -> str:
    """Bytes of a text file as text: BOM removed, UTF-8 else Windows-1252.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    file : str
        The file's name, for the message.

    Raises
    ------
    ContractError
        If the bytes are neither UTF-8 nor Windows-1252.

    Examples
    --------
    >>> decode_text(b"\\xef\\xbb\\xbfChild Unique ID", "a.csv")
    'Child Unique ID'
    >>> decode_text("Zoë".encode("cp1252"), "a.csv")
    'Zoë'
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ContractError([Problem(
            file,
            f"cannot be read as text: byte 0x{data[exc.start]:02x} at position {exc.start} is neither UTF-8 "
            "nor Windows-1252; expected a CSV saved as 'CSV UTF-8' or 'CSV (Comma delimited)'",
        )]) from None


def read_csv_grid(path: Path) -> pl.DataFrame:
    """Every cell of a CSV file as text, heading row included, no inference.

    Raises
    ------
    ContractError
        If the file cannot be read or parsed.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ContractError([Problem(str(path), f"cannot be read: {exc.strerror or exc}")]) from None
    text = decode_text(data, str(path))
    if not text.strip():
        return pl.DataFrame()
    separator = "\t" if "\t" in text.split("\n", 1)[0] and "," not in text.split("\n", 1)[0] else ","
    try:
        return pl.read_csv(
            text.replace("\r\n", "\n").encode("utf-8"), has_header=False, infer_schema=False,
            raise_if_empty=False, truncate_ragged_lines=True, separator=separator,
        )
    except Exception as exc:  # noqa: BLE001 - any parser failure becomes a named problem
        raise ContractError([Problem(str(path), f"cannot be read as CSV: {exc}")]) from None


def read_xlsx_grids(path: Path) -> dict[str, pl.DataFrame]:
    """Every sheet of a workbook as text cells (fastexcel engine), by sheet name.

    Real date cells read as ``YYYY-MM-DD 00:00:00``; whole numbers as ``123``.
    The file is checked first (:func:`check_workbook`).

    Raises
    ------
    ContractError
        If the file is not a workbook, would inflate too far, or cannot be opened.
    """
    check_workbook(Path(path))
    try:
        sheets = pl.read_excel(
            path, sheet_id=0, engine="calamine", has_header=False, infer_schema_length=0,
            drop_empty_rows=False, drop_empty_cols=False, raise_if_empty=False,
        )
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a reader's Rust panic (a BaseException) too: named, no traceback
        message = " ".join((str(exc).strip().splitlines() or [type(exc).__name__])[0].split())
        raise ContractError([Problem(str(path), f"cannot be read as an Excel workbook ({message}): "
                                                "expected an .xlsx workbook saved by Excel")]) from None
    return {name: frame.with_columns(pl.all().cast(pl.String)) for name, frame in sheets.items()}


def _refuse(path: Path, message: str) -> ContractError:
    return ContractError([Problem(str(path), message)])


def _not_a_zip(path: Path, head: bytes) -> ContractError:
    """What a file that is not a zip archive seems to be, as a problem."""
    if not head:
        return _refuse(path, "the file is empty: expected an .xlsx workbook saved by Excel")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _refuse(path, "is an Excel 97-2003 (.xls) workbook or a password-protected one, not an .xlsx: "
                             "expected an .xlsx; in Excel, Save As 'Excel Workbook (.xlsx)' without a password")
    sample = head.lstrip(codecs.BOM_UTF8)
    if b"\x00" not in sample and all(32 <= b < 127 or b in b"\t\r\n" or b >= 128 for b in sample):
        return _refuse(path, "is a text file, not an Excel workbook (an .xlsx is a zip archive), perhaps a CSV "
                             f"renamed {path.suffix}: expected an .xlsx saved by Excel, or the CSV named .csv")
    return _refuse(path, f"is not an Excel workbook: an .xlsx is a zip archive, and this file starts with the bytes "
                         f"{head[:4].hex(' ')}: expected an .xlsx saved by Excel")


def _parts_declared(file, size: int) -> tuple[int, int] | None:
    """The number of parts a zip archive declares and the size of its directory of them, from its last bytes
    (the end of central directory record, or its zip64 form); None if there is no such record."""
    tail_size = min(size, 22 + 65_535)
    file.seek(size - tail_size)
    tail = file.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    entries, directory = struct.unpack_from("<HI", tail, at + 10)
    if entries == 0xFFFF or directory == 0xFFFFFFFF:  # zip64: the counts are in the zip64 record
        locator = at - 20
        if locator < 0 or tail[locator:locator + 4] != b"PK\x06\x07":
            return None
        (record,) = struct.unpack_from("<Q", tail, locator + 8)
        if record + 56 > size:
            return None
        file.seek(record)
        zip64 = file.read(56)
        if zip64[:4] != b"PK\x06\x06":
            return None
        entries, directory = struct.unpack_from("<QQ", zip64, 32)
    return entries, directory


def _inflate(file, info: zipfile.ZipInfo, path: Path) -> None:
    """Inflate one part of a workbook, keeping none of it, and refuse it if it holds more than it declares.

    The spreadsheet reader inflates a part to its end whatever size the archive
    declares, so a bomb could declare small sizes: the declared sizes are
    checked against the limits, and here the bytes against the declared sizes
    (at most a megabyte held at a time).
    """
    file.seek(info.header_offset)
    header = file.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise _refuse(path, f"is damaged: part {info.filename!r} is not where the archive says: expected an .xlsx saved by Excel")
    name_length, extra_length = struct.unpack_from("<HH", header, 26)
    file.seek(info.header_offset + 30 + name_length + extra_length)
    left, inflated = info.compress_size, 0
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    while left > 0 and not inflater.eof:
        data = file.read(min(left, 1 << 18))
        if not data:
            break
        left -= len(data)
        while data and not inflater.eof:
            inflated += len(inflater.decompress(data, 1 << 20))
            data = inflater.unconsumed_tail
            if inflated > info.file_size:
                raise _refuse(path, f"part {info.filename!r} declares {info.file_size:,} bytes but inflates to more "
                                    "(a zip bomb, or a damaged file): expected an .xlsx saved by Excel")
    if not inflater.eof or inflated != info.file_size:
        raise _refuse(path, f"is damaged: part {info.filename!r} inflates to {inflated:,} bytes, not the "
                            f"{info.file_size:,} it declares: expected an .xlsx saved by Excel")


def check_workbook(path: Path) -> None:
    """Refuse a file that is not an ``.xlsx`` workbook, or that would inflate too far, before it is opened.

    The checks read the archive's directory of parts and inflate each part
    once, holding none of it: a file that is not a zip archive; more than
    :data:`MAX_WORKBOOK_PARTS` parts; more than :data:`MAX_WORKBOOK_BYTES`
    bytes on disk or inflated; a part over :data:`INFLATE_RATIO_FROM` bytes
    that inflates more than :data:`MAX_INFLATE_RATIO` times; an encrypted
    part or an unknown compression; or a part whose bytes are not the size it
    declares. The synthetic 45 MB Annex A is checked in about a tenth of a
    second; a bomb is refused from its directory alone.

    Raises
    ------
    ContractError
        Naming the file and what was found.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "990_annex_a.xlsx"
    >>> _ = path.write_text("Child Unique ID,Gender\\n77,b) Female\\n")
    >>> check_workbook(path)
    Traceback (most recent call last):
    ...
    perfkit.errors.ContractError: 1 problem with the input data:
      - .../990_annex_a.xlsx: is a text file, not an Excel workbook (an .xlsx is a zip archive), perhaps a CSV renamed .xlsx: expected an .xlsx saved by Excel, or the CSV named .csv
    """
    try:
        size = path.stat().st_size
        file = path.open("rb")
    except OSError as exc:
        raise _refuse(path, f"cannot be read: {exc.strerror or exc}") from None
    with file:
        head = file.read(2048)
        if not head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            raise _not_a_zip(path, head)
        if size > MAX_WORKBOOK_BYTES:
            raise _refuse(path, f"the file is {size:,} bytes: expected a workbook of at most {MAX_WORKBOOK_BYTES:,} bytes")
        declared = _parts_declared(file, size)
        if declared is None:
            raise _refuse(path, "is damaged or cut short: the zip archive has no directory of its parts at its end: "
                                "expected an .xlsx saved by Excel")
        if declared[0] > MAX_WORKBOOK_PARTS or declared[1] > size:
            raise _refuse(path, f"the zip archive declares {declared[0]:,} parts in a directory of {declared[1]:,} bytes: "
                                f"expected a workbook of at most {MAX_WORKBOOK_PARTS:,} parts")
        try:
            parts = zipfile.ZipFile(file).infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
            raise _refuse(path, f"is damaged: the zip archive cannot be read ({exc}): expected an .xlsx saved by Excel") from None
        total = sum(part.file_size for part in parts)
        if total > MAX_WORKBOOK_BYTES:
            raise _refuse(path, f"would inflate to {total:,} bytes from {size:,} on disk (a zip bomb, or not a real "
                                f"workbook): expected at most {MAX_WORKBOOK_BYTES:,} bytes inflated")
        for part in parts:
            ratio = part.file_size / max(part.compress_size, 1)
            if part.file_size > INFLATE_RATIO_FROM and ratio > MAX_INFLATE_RATIO:
                raise _refuse(path, f"part {part.filename!r} would inflate {ratio:,.0f} times, from {part.compress_size:,} "
                                    f"to {part.file_size:,} bytes (a zip bomb): expected at most {MAX_INFLATE_RATIO} times")
            if part.flag_bits & 0x1:
                raise _refuse(path, f"part {part.filename!r} is encrypted: expected a workbook saved without a password")
            if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise _refuse(path, f"part {part.filename!r} is compressed with method {part.compress_type}: "
                                    "expected an .xlsx saved by Excel (stored or deflated parts)")
        for part in parts:
            if part.compress_type == zipfile.ZIP_DEFLATED:
                _inflate(file, part, path)
            elif part.compress_size != part.file_size:
                raise _refuse(path, f"is damaged: stored part {part.filename!r} declares {part.file_size:,} bytes in "
                                    f"{part.compress_size:,}: expected an .xlsx saved by Excel")


# --------------------------------------------------------------------------
# headings and values


def normalise_heading(text: str | None) -> str:
    """A heading reduced for matching: case, spaces and apostrophes ignored.

    Examples
    --------
    >>> normalise_heading("  Child\\u00a0Unique   ID ")
    'child unique id'
    >>> normalise_heading("\\ufeffChild’s Legal Status")
    "child's legal status"
    """
    if text is None:
        return ""
    text = text.replace("\ufeff", "").replace("\u00a0", " ").replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.split()).casefold()


def clean_id(value: str | None) -> str | None:
    """An id as text: spaces trimmed, ``123.0`` (a number read by Excel) as ``123``.

    Examples
    --------
    >>> clean_id(" 123.0 "), clean_id("C990-000001"), clean_id("")
    ('123', 'C990-000001', None)
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    match = re.fullmatch(r"(\d+)\.0*", value)
    return match.group(1) if match else value


def strip_option(value: str) -> str:
    """A coded answer without its option letter: ``'a) Yes'`` gives ``'Yes'``.

    Examples
    --------
    >>> strip_option("a) Yes"), strip_option("p1) 5D: LA services"), strip_option("C2: FCO")
    ('Yes', '5D: LA services', 'C2: FCO')
    """
    return _OPTION_PREFIX.sub("", value, count=1).strip()


def code_decoder(codes: Iterable[str], labels: dict[str, str] | None = None) -> Decoder:
    """A decoder for coded answers that carry a DfE code or a known label.

    The option letter is dropped, then the text before ``:`` or `` - ``
    is tried as a code, then the whole text as a code, then as a label.

    Examples
    --------
    >>> source = code_decoder(["1A", "2A", "6"])
    >>> source("a) 1A: Individual"), source("6: Police"), source("2a"), source("Police")
    ('1A', '6', '2A', None)
    >>> category = code_decoder(["NEG"], {"neglect": "NEG"})
    >>> category("a) Neglect"), category("NEG")
    ('NEG', 'NEG')
    """
    known = {c.upper(): c for c in codes}
    names = {normalise_heading(k): v for k, v in (labels or {}).items()}

    def decode(value: str) -> str | None:
        text = strip_option(value)
        first = _CODE_SPLIT.split(text, maxsplit=1)[0].strip().upper()
        if first in known:
            return known[first]
        if text.upper() in known:
            return known[text.upper()]
        return names.get(normalise_heading(text)) or names.get(normalise_heading(value))

    return decode


_YES = {"y", "yes", "true", "1"}
_NO = {"n", "no", "false", "0"}
_UNKNOWN = {"unknown", "not known", "u", "c) unknown"}


def flag(value: str) -> str | None:
    """A yes/no answer as ``Y``/``N``; ``""`` for unknown, ``None`` if unrecognised.

    Examples
    --------
    >>> [flag(v) for v in ("a) Yes", "b) No", "Y", "no", "c) Unknown", "maybe")]
    ['Y', 'N', 'Y', 'N', '', None]
    """
    text = normalise_heading(value)
    if text in _UNKNOWN:
        return ""
    text = normalise_heading(strip_option(value))
    if text in _YES:
        return "Y"
    if text in _NO:
        return "N"
    if text in _UNKNOWN:
        return ""
    return None


FLAG_EXPECTED = "a yes/no answer: 'a) Yes', 'b) No', Y, N, Yes or No (or 'c) Unknown' or blank)"


# --------------------------------------------------------------------------
# declaring and extracting the columns of one list or file


@dataclass(frozen=True)
class Field:
    """One column an importer reads.

    ``key`` names it in the extracted frame; ``heading`` is the published
    heading (written by the exporters and named in messages when absent);
    ``aliases`` are other headings accepted for it. ``kind`` is ``text``,
    ``id``, ``date`` or ``code`` (decoded by ``decoder``; an empty result means
    unknown, ``None`` an unrecognised answer). A ``required`` heading must be
    present; a ``not_blank`` column must have a value on every row.
    """

    key: str
    heading: str
    kind: str = "text"
    required: bool = False
    not_blank: bool = False
    aliases: tuple[str, ...] = ()
    decoder: Decoder | None = None
    expected: str = ""

    def matches(self, heading: str) -> bool:
        wanted = {normalise_heading(self.heading), *(normalise_heading(a) for a in self.aliases)}
        return normalise_heading(heading) in wanted


@dataclass
class Extracted:
    """The columns read from one grid, with the headings as they were written."""

    file: str
    frame: pl.DataFrame
    headings: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _examples(file: str, rows: pl.DataFrame, column: str, value: str, message: str) -> list[Problem]:
    shown = rows.head(EXAMPLES)
    problems = [
        Problem(file, message, column, int(r[ROW]), None if r[value] is None else str(r[value]))
        for r in shown.iter_rows(named=True)
    ]
    if rows.height > shown.height:
        last = problems[-1]
        problems[-1] = Problem(last.file, last.message, last.column, last.row, last.value, rows.height - shown.height)
    return problems


def _header_row(grid: pl.DataFrame, fields: list[Field]) -> int:
    """Index of the heading row: the first of the top rows naming two known columns."""
    for index, row in enumerate(grid.head(HEADER_SEARCH_ROWS).iter_rows()):
        hits = sum(any(f.matches(cell) for f in fields) for cell in row if cell is not None)
        if hits >= 2:
            return index
    for index, row in enumerate(grid.iter_rows()):
        if any(cell is not None and cell.strip() for cell in row):
            return index
    return 0


def extract(grid: pl.DataFrame, file: str, fields: list[Field]) -> Extracted:
    """Read ``fields`` from a text grid, converting ids, dates and codes.

    The result frame has one column per field key (text, or ``Date`` for
    dates; absent optional fields are empty) and ``__row``, the row number
    under the heading (1 = first data row). Problems name the file, the
    heading as written, the row and the value.

    Examples
    --------
    >>> grid = pl.DataFrame({"a": ["Child Unique ID ", "12.0", None, "C2"],
    ...                      "b": ["date of contact", "05/01/2024", None, "31/02/2024"]})
    >>> fields = [Field("child_id", "Child Unique ID", "id", required=True),
    ...           Field("contact_date", "Date of Contact", "date", required=True)]
    >>> out = extract(grid, "list1.csv", fields)
    >>> out.frame.select("child_id", "contact_date", "__row").rows()
    [('12', datetime.date(2024, 1, 5), 1), ('C2', None, 3)]
    >>> print(out.problems[0])
    list1.csv, column 'date of contact', row 3: value '31/02/2024': not a real date: expected a date written dd/mm/yyyy, e.g. 05/01/2024
    """
    problems: list[Problem] = []
    if grid.width == 0 or grid.height == 0:
        missing = [f.heading for f in fields if f.required]
        return Extracted(file, pl.DataFrame(), {}, [Problem(file, "the file or sheet is empty: expected a heading row with " + ", ".join(repr(m) for m in missing))])
    header = _header_row(grid, fields)
    names = [None if c is None else str(c) for c in grid.row(header)]
    body = grid.slice(header + 1).with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    columns = [c for c in grid.columns]

    # duplicated headings (after tidying) are refused
    seen: dict[str, int] = {}
    for position, name in enumerate(names):
        if name is None or not name.strip():
            continue
        key = normalise_heading(name)
        if key in seen:
            problems.append(Problem(
                file,
                f"the heading appears twice (columns {seen[key] + 1} and {position + 1}): expected each heading once; "
                "delete or rename the copy that is not wanted",
                name,
            ))
        else:
            seen[key] = position

    chosen: dict[str, int] = {}
    headings: dict[str, str] = {}
    tidy = [normalise_heading(n) for n in names]
    for f in fields:
        for candidate in (f.heading, *f.aliases):
            wanted = normalise_heading(candidate)
            if wanted in tidy:
                position = tidy.index(wanted)
                chosen[f.key] = position
                headings[f.key] = names[position]
                break
        else:
            if f.required:
                present = ", ".join(repr(n) for n in names if n and n.strip()) or "(none)"
                problems.append(Problem(file, f"required column is missing; expected a heading {f.heading!r}; the headings found are {present}", f.heading))
    if problems:
        return Extracted(file, pl.DataFrame(), headings, problems)

    # blank rows: every cell empty
    blank = pl.all_horizontal([pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in columns])
    body = body.filter(~blank)

    out = body.select(ROW)
    for f in fields:
        heading = headings.get(f.key, f.heading)
        if f.key not in chosen:
            dtype = pl.Date if f.kind == "date" else pl.String
            out = out.with_columns(pl.lit(None, dtype=dtype).alias(f.key))
            continue
        raw = body.select(ROW, pl.col(columns[chosen[f.key]]).str.strip_chars().alias("value"))
        raw = raw.with_columns(pl.when(pl.col("value") == "").then(None).otherwise(pl.col("value")).alias("value"))
        if f.not_blank:
            problems += _examples(file, raw.filter(pl.col("value").is_null()), heading, "value",
                                  f"a value is required here: expected {f.expected or 'a non-empty value'}")
        if f.kind == "date":
            values, found = parse_dates(raw, file, heading)
        elif f.kind == "code":
            values, found = decode_values(raw, file, heading, f.decoder or (lambda v: v), f.expected)
        elif f.kind == "id":
            values, found = raw.select(pl.col("value").str.replace(r"^(\d+)\.0*$", "$1")).to_series(), []
        else:
            values, found = raw["value"], []
        problems += found
        out = out.with_columns(values.alias(f.key))
    return Extracted(file, out, headings, problems)


def parse_dates(raw: pl.DataFrame, file: str, heading: str) -> tuple[pl.Series, list[Problem]]:
    """Parse the ``value`` column of ``raw`` (with ``__row``) as dates.

    Accepts ``dd/mm/yyyy`` (also with ``-`` or ``.``) and ISO ``YYYY-MM-DD``,
    either optionally followed by a time of day, which is dropped (Excel date
    cells read as ``2024-01-05 00:00:00``). Two-digit years are refused.
    """
    text = pl.col("value")
    time = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    dmy = text.str.extract_groups(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})" + time + "$")
    iso = text.str.extract_groups(r"^(\d{4})-(\d{1,2})-(\d{1,2})" + time + "$")
    as_iso = pl.coalesce(
        pl.concat_str([dmy.struct.field("3"), dmy.struct.field("2").str.zfill(2), dmy.struct.field("1").str.zfill(2)], separator="-"),
        pl.concat_str([iso.struct.field("1"), iso.struct.field("2").str.zfill(2), iso.struct.field("3").str.zfill(2)], separator="-"),
    )
    parsed = raw.with_columns(as_iso.str.to_date("%Y-%m-%d", strict=False).alias("parsed"), as_iso.alias("shape"))
    bad = parsed.filter(pl.col("value").is_not_null() & pl.col("parsed").is_null())
    two_digit = bad.filter(pl.col("value").str.contains(_TWO_DIGIT_YEAR.pattern))
    not_real = bad.filter(pl.col("shape").is_not_null())
    other = bad.filter(pl.col("shape").is_null() & ~pl.col("value").str.contains(_TWO_DIGIT_YEAR.pattern))
    problems = _examples(
        file, two_digit, heading, "value",
        "two-digit year: perfkit does not guess the century (05/01/08 could be 1908 or 2008); "
        "expected dd/mm/yyyy with a four-digit year: format the column as dd/mm/yyyy in Excel and save again",
    )
    problems += _examples(file, not_real, heading, "value", "not a real date: expected a date written dd/mm/yyyy, e.g. 05/01/2024")
    problems += _examples(file, other, heading, "value", "expected a date written dd/mm/yyyy, e.g. 05/01/2024")
    return parsed["parsed"], problems


def decode_values(raw: pl.DataFrame, file: str, heading: str, decoder: Decoder, expected: str) -> tuple[pl.Series, list[Problem]]:
    """Decode the ``value`` column of ``raw`` with ``decoder`` (once per distinct value)."""
    distinct = [v for v in raw["value"].unique().to_list() if v is not None]
    mapping = {v: decoder(v) for v in distinct}
    unknown = [v for v, code in mapping.items() if code is None]
    decoded = raw["value"].replace_strict(
        {v: (c or None) for v, c in mapping.items() if c is not None}, default=None, return_dtype=pl.String,
    )
    problems = _examples(file, raw.filter(pl.col("value").is_in(unknown)), heading, "value",
                         f"unknown answer: expected {expected or 'a known code'}")
    return decoded, problems


def raise_problems(problems: list[Problem]) -> None:
    """Raise every problem together, if there are any."""
    if problems:
        raise ContractError(problems)


def write_canonical(tables: dict[str, pl.DataFrame], out_dir: Path) -> list[Path]:
    """Write canonical tables as ``<table>.csv`` with ISO dates; return the paths.

    Nothing is written unless every table is ready (the caller checks first).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in sorted(tables):
        path = out_dir / f"{name}.csv"
        tables[name].write_csv(path, date_format="%Y-%m-%d")
        written.append(path)
    return written


def typed_table(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """A canonical table with its missing contract columns added and all-empty columns typed.

    Examples
    --------
    >>> frame = pl.DataFrame({"la_code": ["990"], "child_id": ["A"], "end_date": [None]})
    >>> typed_table("cp_plans", frame).schema["end_date"], typed_table("cp_plans", frame).width
    (Date, 7)
    """
    spec = TABLES.get(name)
    if spec is None:
        return frame
    exprs = []
    for column in spec.columns:
        dtype = pl.Date if column.kind == "date" else pl.String
        if column.name not in frame.columns:
            exprs.append(pl.lit(None, dtype=dtype).alias(column.name))
        elif frame.schema[column.name] == pl.Null:
            exprs.append(pl.col(column.name).cast(dtype))
    return frame.with_columns(exprs) if exprs else frame


def contract_tables(tables: dict[str, pl.DataFrame], la: str) -> dict[str, pl.DataFrame]:
    """Converted tables in the contract's column order, stamped with ``la_code``.

    A table with headings but no rows is left out (the contract has no empty
    tables); a contract column the format does not carry is added empty.
    """
    from perfkit.records.contract import TABLES

    out = {}
    for name, frame in tables.items():
        if frame.height == 0:
            continue
        spec = TABLES[name]
        frame = frame.with_columns(la_code=pl.lit(la))
        out[name] = frame.select([
            pl.col(c) if c in frame.columns else pl.lit(None, dtype=pl.Date if spec.column(c).kind == "date" else pl.String).alias(c)
            for c in spec.column_names
        ])
    return out
