"""Declare the columns a reader takes from a grid and extract them, with a problem for every bad value.

Every reader in :mod:`perfkit.formats` goes through :func:`extract`, so the
same rules apply to Annex A workbooks and SSDA903 CSVs:

- **Blank rows** (every cell empty, as Excel leaves after deleted rows) are
  dropped; row numbers in messages still count them, so ``row 7`` is the
  seventh row under the heading in the file as the analyst sees it.
- **Ids read as numbers** (``123.0``) become ``"123"``.
- **Two-digit years** (``05/01/08``) are **refused**, never guessed: a date
  of birth of ``05/01/08`` could be 1908 or 2008, and a wrong century moves a
  child between every age band. The message says to re-save the column as
  ``dd/mm/yyyy``.
- **Headings** are matched as :func:`perfkit.formats.cleaning.normalise_heading`
  reduces them. **Extra columns** are ignored; a **duplicated heading** (the
  same heading twice after that tidying) is refused, since perfkit cannot know
  which copy is right.
- **Dates** are ``dd/mm/yyyy`` (``-`` or ``.`` separators allowed), or ISO
  ``YYYY-MM-DD`` (as a real Excel date cell reads, ``2024-01-05 00:00:00``);
  a time of day after the date is dropped.

Problems are :class:`perfkit.records.problems.Problem` values collected into one
:class:`perfkit.errors.ContractError`, so the command line prints them all
and no traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from perfkit.errors import ContractError
from perfkit.formats.cleaning import Decoder, normalise_heading
from perfkit.records.problems import Problem

ROW = "__row"
EXAMPLES = 5
HEADER_SEARCH_ROWS = 10

_TWO_DIGIT_YEAR = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2}$")


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
