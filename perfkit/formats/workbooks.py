"""Refuse a file that is not a safe ``.xlsx`` workbook before the spreadsheet reader opens it.

A file that is not a zip archive (a CSV renamed ``.xlsx``, an old ``.xls``) is
named as such, and one that would inflate beyond :data:`MAX_WORKBOOK_BYTES`,
or whose parts inflate more than :data:`MAX_INFLATE_RATIO` times (a "zip
bomb"), is refused in a fraction of a second (:func:`check_workbook`).
"""

from __future__ import annotations

import codecs
import struct
import zipfile
import zlib
from pathlib import Path

from perfkit.errors import ContractError
from perfkit.records.problems import Problem

MAX_WORKBOOK_BYTES = 500_000_000
"""The most a workbook may hold once inflated (500 MB, its parts' sizes added up), and the largest file read.

An ``.xlsx`` is a zip of XML parts, and the spreadsheet reader holds every
cell in memory, so a small file of highly compressed cells (a "zip bomb")
can exhaust the machine. A real Annex A is far smaller: the synthetic
62,000-child authority's workbook holds six and a half years of lists in
45 MB, so a year's lists for England's largest authorities (about 5.5 times
as many children) are about 40 MB, and even six years of them about 250 MB.
500 MB passes that with room to spare. What the check costs and saves is in
``bench/RESULTS.md``.
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
