"""Declare the columns a reader takes from a grid, extract them, and know every bad value of every row.

Every reader in :mod:`perfkit.formats` goes through :func:`extract`, so the
same rules apply to Annex A workbooks and SSDA903 CSVs:

- **Blank rows** (every cell empty, as Excel leaves after deleted rows) are
  dropped; row numbers still count them, so ``row 7`` is the seventh row under
  the heading in the file as the analyst sees it.
- **Headings** are matched by meaning: as :func:`~perfkit.formats.cleaning.heading_key`
  reduces them (case, punctuation, brackets and spacing ignored), then by the
  field's aliases, then by its patterns (the wordings councils' templates
  use). **Extra columns** are ignored. A heading the reader needs that appears
  twice, or that two columns could be, is a problem of the whole grid: perfkit
  cannot know which copy is right.
- **Ids read as numbers** (``123.0``) become ``"123"``.
- **Dates** are ``dd/mm/yyyy`` (``-`` or ``.`` separators allowed), ISO
  ``YYYY-MM-DD`` (as a real Excel date cell reads, ``2024-01-05 00:00:00``),
  ``5 Jan 2024`` / ``05-Jan-2024``, or an Excel day number (``45296``, a date
  cell saved as a number); a time of day is dropped. **Two-digit years**
  (``05/01/08``) are never guessed: a date of birth of ``05/01/08`` could be
  1908 or 2008, and a wrong century moves a child between every age band.
  A date after today is refused.
- **Codes** are read by the field's decoder; an old code the DfE guidance has
  replaced is read as its successor, or as unknown, and noted (``legacy``).

Nothing here refuses a file for a bad value. :func:`extract` returns the
values it could read (a bad one is empty) with **every bad value of every
row** (:attr:`Extracted.bad`, :meth:`Extracted.flags`). The importer then
decides with :func:`settle`: a row with a bad value in a column a table
needs (the contract requires it, or an indicator counts from it: see
:func:`blocks`) is **left out of that table**; any other bad value is
**blanked** (or recorded as the DfE code for unknown) and the row kept. Each
decision is an :class:`~perfkit.formats.import_log.ImportProblem` naming the
user's own file, sheet, row, heading and value. Problems of the whole grid
(empty, a needed heading missing) are in :attr:`Extracted.problems`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache

import polars as pl

from perfkit.errors import ContractError
from perfkit.formats.cleaning import Decoder, first_part, heading_key
from perfkit.formats.import_log import ImportLog, ImportProblem
from perfkit.records.contract import TABLES
from perfkit.records.problems import Problem

ROW = "__row"
HEADER_SEARCH_ROWS = 10

_TWO_DIGIT_YEAR = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2}$")
BAD_SCHEMA = {ROW: pl.Int64, "key": pl.String, "value": pl.String, "expected": pl.String}
MAPPED_SCHEMA = {ROW: pl.Int64, "key": pl.String, "value": pl.String, "code": pl.String, "note": pl.String}

NOT_READ = "column not read"
DATE_EXPECTED = "a date written dd/mm/yyyy, e.g. 05/01/2024"
EXCEL_DAY_NUMBERS = (10_000, 99_999)
"""Whole numbers in a date column read as Excel day numbers (1927 to 2173): a date cell saved as a number."""

UNKNOWN_CODES: dict[str, tuple[str, str]] = {
    "contact_source": ("10", "10, the DfE code for a source not known"),
    "referral_source": ("10", "10, the DfE code for a source not known"),
    "sex": ("U", "U, not known"),
    "ethnicity": ("NOBT", "NOBT, information not yet obtained"),
}
"""Contract columns that must hold a value, and the DfE code for "not known" written where a value is bad or blank.

The contract requires these columns but no indicator counts from them (they
split figures into groups), so a bad value there costs the row nothing: it is
recorded as not known, and the problem listed."""


@dataclass(frozen=True)
class Field:
    """One column an importer reads.

    ``key`` names it in the extracted frame; ``heading`` is the published
    heading (written by the exporters and named in messages when absent);
    ``aliases`` are other headings accepted for it, and ``patterns`` regular
    expressions matched against the heading's words (:func:`heading_key`) for
    the wordings that vary between templates. ``kind`` is ``text``, ``id``,
    ``date`` or ``code`` (decoded by ``decoder``; an empty result means
    unknown, ``None`` an unrecognised answer). A ``required`` heading must be
    present for the grid to be used at all; a ``not_blank`` column must have a
    value on every row (a blank is a bad value). ``legacy`` lists old codes the
    DfE has replaced: ``(old, successor, why)``, with an empty successor where
    there is none (read as unknown).
    """

    key: str
    heading: str
    kind: str = "text"
    required: bool = False
    not_blank: bool = False
    aliases: tuple[str, ...] = ()
    decoder: Decoder | None = None
    expected: str = ""
    patterns: tuple[str, ...] = ()
    legacy: tuple[tuple[str, str, str], ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The heading and aliases, as :func:`heading_key` reduces them, in order of preference."""
        return tuple(dict.fromkeys(heading_key(h) for h in (self.heading, *self.aliases)))

    def matches(self, heading: str | None) -> bool:
        key = heading_key(heading)
        return bool(key) and (key in self.names or any(re.search(p, key) for p in self.patterns))


@dataclass
class Extracted:
    """The columns read from one grid, every bad value found, and the problems of the grid as a whole.

    ``frame`` has one column per field (a bad value empty) and ``__row``, the
    row under the heading (1 = first data row). ``bad`` has one row per bad
    value (``__row``, ``key``, ``value`` as written, ``expected``); ``mapped``
    one per old code read as its successor. ``problems`` are the grid's own
    (empty, a required heading missing, twice or ambiguous): with any, the
    grid cannot be used and ``frame`` is empty. ``notes`` are problems of
    optional columns, which are then not read. ``structure`` holds
    ``problems`` and ``notes`` as import problems (without an action).
    """

    file: str
    frame: pl.DataFrame
    headings: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    bad: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=BAD_SCHEMA))
    mapped: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=MAPPED_SCHEMA))
    notes: list[Problem] = field(default_factory=list)
    structure: list[ImportProblem] = field(default_factory=list)
    source: str = ""
    sheet: str = ""
    fields: tuple[Field, ...] = ()
    rows: int = 0
    """How many rows (not blank) are under the heading, read or not."""

    @property
    def usable(self) -> bool:
        return not self.problems

    def flags(self) -> pl.DataFrame:
        """One row per data row (``__row``), one boolean column per field: whether its value was bad.

        >>> grid = pl.DataFrame({"a": ["CHILD", "1", "2"], "b": ["DOB", "31/02/2020", "01/01/2020"]})
        >>> out = extract(grid, "h.csv", [Field("child_id", "CHILD", "id"), Field("dob", "DOB", "date")])
        >>> out.flags().rows()
        [(1, False, True), (2, False, False)]
        """
        keys = [f.key for f in self.fields]
        rows = self.frame.select(ROW) if ROW in self.frame.columns else pl.DataFrame(schema={ROW: pl.Int64})
        return rows.with_columns([pl.col(ROW).is_in(self.bad.filter(pl.col("key") == k)[ROW].implode()).alias(k) for k in keys])

    def heading(self, key: str) -> str:
        """The heading of a field as written in the file (the published heading if it was not found)."""
        if key in self.headings:
            return self.headings[key]
        return next((f.heading for f in self.fields if f.key == key), key)


def _header_row(grid: pl.DataFrame, fields: Sequence[Field]) -> int:
    """Index of the heading row: the first of the top rows naming two known columns."""
    for index, row in enumerate(grid.head(HEADER_SEARCH_ROWS).iter_rows()):
        hits = sum(any(f.matches(cell) for f in fields) for cell in row if cell is not None)
        if hits >= 2:
            return index
    for index, row in enumerate(grid.iter_rows()):
        if any(cell is not None and cell.strip() for cell in row):
            return index
    return 0


def _found(names: list[str | None]) -> str:
    return ", ".join(repr(n) for n in names if n and n.strip()) or "(none)"


def _choose(names: list[str | None], fields: Sequence[Field]) -> tuple[dict[str, int], list[tuple[Field, str, str]]]:
    """Which column each field is read from; and (field, problem, expected) for those that cannot be chosen."""
    keys = [heading_key(n) for n in names]
    chosen: dict[str, int] = {}
    trouble: list[tuple[Field, str, str]] = []
    for f in fields:  # by name: the heading, then each alias
        for name in f.names:
            positions = [i for i, k in enumerate(keys) if k and k == name]
            if len(positions) == 1:
                chosen[f.key] = positions[0]
            elif positions:
                trouble.append((f, f"the heading appears twice (columns {positions[0] + 1} and {positions[1] + 1})",
                                (f"each heading once (this one is in columns {positions[0] + 1} and {positions[1] + 1}); "
                                 "delete or rename the copy that is not wanted")))
            if positions:
                break
    taken = set(chosen.values())
    named = {f.key for f, _, _ in trouble}
    for f in fields:  # by pattern, among the columns no field has by name
        if f.key in chosen or f.key in named or not f.patterns:
            continue
        positions = [i for i, k in enumerate(keys) if i not in taken and k and any(re.search(p, k) for p in f.patterns)]
        if len(positions) == 1:
            chosen[f.key] = positions[0]
        elif positions:
            both = " and ".join(repr(names[i]) for i in positions[:2])
            trouble.append((f, f"two columns could be {f.heading!r}: {both}",
                            f"one column that is {f.heading!r} ({both} could both be); rename the other"))
    return chosen, trouble


def extract(grid: pl.DataFrame, file: str, fields: Sequence[Field], *, source: str | None = None, sheet: str = "",
            today: dt.date | None = None) -> Extracted:
    """Read ``fields`` from a text grid, converting ids, dates and codes, and finding every bad value.

    ``file`` names the grid in messages (``990_annex_a.xlsx, sheet 'List 3'``);
    ``source`` and ``sheet`` name it in import problems (the file as the user
    named it, and the sheet).

    Examples
    --------
    >>> grid = pl.DataFrame({"a": ["Child Unique ID ", "12.0", None, "C2"],
    ...                      "b": ["date of contact", "05/01/2024", None, "31/02/2024"]})
    >>> fields = [Field("child_id", "Child Unique ID", "id", required=True),
    ...           Field("contact_date", "Date of Contact", "date", required=True)]
    >>> out = extract(grid, "list1.csv", fields)
    >>> out.frame.select("child_id", "contact_date", "__row").rows()
    [('12', datetime.date(2024, 1, 5), 1), ('C2', None, 3)]
    >>> out.bad.rows()
    [(3, 'contact_date', '31/02/2024', 'a real date written dd/mm/yyyy, e.g. 05/01/2024 (there is no such day)')]
    """
    source = file if source is None else source
    today = today or dt.date.today()
    fields = tuple(fields)

    def trouble(column: str | None, message: str, expected: str) -> tuple[Problem, ImportProblem]:
        plain = re.sub(r" \([^)]*\)", "", expected, count=1)  # the message says what was found
        return (Problem(file, f"{message}: expected {plain}", column),
                ImportProblem(source, sheet, None, column or "", "", expected))

    if grid.width == 0 or grid.height == 0:
        wanted = ", ".join(repr(f.heading) for f in fields if f.required)
        p, ip = trouble(None, "the file or sheet is empty", f"a heading row with {wanted}")
        return Extracted(file, pl.DataFrame(), {}, [p], structure=[ip], source=source, sheet=sheet, fields=fields)
    header = _header_row(grid, fields)
    names = [None if c is None else str(c) for c in grid.row(header)]
    body = grid.slice(header + 1).with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    columns = list(grid.columns)

    chosen, troubles = _choose(names, fields)
    problems: list[Problem] = []
    notes: list[Problem] = []
    structure: list[ImportProblem] = []
    for f, message, expected in troubles:
        p, ip = trouble(f.heading, message, expected)
        (problems if f.required else notes).append(p)
        structure.append(ip if f.required else replace(ip, action=NOT_READ))
    for f in fields:
        if f.required and f.key not in chosen and not any(t[0] is f for t in troubles):
            problems.append(Problem(file, f"required column is missing; expected a heading {f.heading!r}; "
                                          f"the headings found are {_found(names)}", f.heading))
            structure.append(ImportProblem(source, sheet, None, f.heading, "",
                                           f"a heading {f.heading!r} (the headings found are {_found(names)})"))
    headings = {key: names[i] or "" for key, i in chosen.items()}
    blank = pl.all_horizontal([pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in columns])
    body = body.filter(~blank)
    if problems:
        return Extracted(file, pl.DataFrame(), headings, problems, notes=notes, structure=structure,
                         source=source, sheet=sheet, fields=fields, rows=body.height)

    out = body.select(ROW)
    bad: list[pl.DataFrame] = []
    mapped: list[pl.DataFrame] = []
    for f in fields:
        if f.key not in chosen:
            out = out.with_columns(pl.lit(None, dtype=pl.Date if f.kind == "date" else pl.String).alias(f.key))
            continue
        raw = body.select(ROW, pl.col(columns[chosen[f.key]]).str.strip_chars().alias("value"))
        raw = raw.with_columns(pl.when(pl.col("value") == "").then(None).otherwise(pl.col("value")).alias("value"))
        if f.not_blank:
            bad.append(raw.filter(pl.col("value").is_null()).select(
                ROW, pl.lit(f.key).alias("key"), "value", pl.lit(f"a value (the cell is blank): {f.expected or 'a value'}").alias("expected")))
        if f.kind == "date":
            values, found = parse_dates(raw, today)
        elif f.kind == "code":
            values, found, old = decode_values(raw, f)
            mapped.append(old.with_columns(pl.lit(f.key).alias("key")))
            if f.not_blank:  # an answer that says "not known" where a value is required
                unknown = raw.with_columns(values.alias("code")).filter(pl.col("value").is_not_null() & pl.col("code").is_null()
                                                                         & ~pl.col("value").is_in(found["value"].implode())
                                                                         & ~pl.col(ROW).is_in(old.filter(pl.col("code") == "")[ROW].implode()))
                found = pl.concat([found, unknown.select(ROW, "value", pl.lit(f"a known answer (this one says not known): {f.expected}").alias("expected"))])
        elif f.kind == "id":
            values, found = raw.select(pl.col("value").str.replace(r"^(\d+)\.0*$", "$1")).to_series(), raw.clear().with_columns(pl.lit("").alias("expected"))
        else:
            values, found = raw["value"], raw.clear().with_columns(pl.lit("").alias("expected"))
        bad.append(found.select(ROW, pl.lit(f.key).alias("key"), "value", "expected"))
        out = out.with_columns(values.alias(f.key))
    bad_frame = pl.concat([b.cast(BAD_SCHEMA) for b in bad]) if bad else pl.DataFrame(schema=BAD_SCHEMA)
    order = {f.key: n for n, f in enumerate(fields)}
    bad_frame = bad_frame.unique([ROW, "key"], keep="first", maintain_order=True).sort(
        ROW, pl.col("key").replace_strict(order, return_dtype=pl.Int64))
    mapped_frame = (pl.concat([m.select(list(MAPPED_SCHEMA)).cast(MAPPED_SCHEMA) for m in mapped])
                    if mapped else pl.DataFrame(schema=MAPPED_SCHEMA))
    return Extracted(file, out, headings, [], bad_frame, mapped_frame, notes, structure, source, sheet, fields, body.height)


_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


def parse_dates(raw: pl.DataFrame, today: dt.date | None = None) -> tuple[pl.Series, pl.DataFrame]:
    """Parse the ``value`` column of ``raw`` (with ``__row``) as dates; return them and the bad ones.

    Accepts ``dd/mm/yyyy`` (also with ``-`` or ``.``), ISO ``YYYY-MM-DD``,
    ``5 Jan 2024`` or ``05-Jan-2024`` (a month's name or its first three
    letters), any of them optionally followed by a time of day, which is
    dropped; and Excel day numbers. Two-digit years are refused, and so are
    dates after ``today``. The bad rows carry ``expected``.

    >>> raw = pl.DataFrame({"__row": [1, 2, 3, 4, 5], "value": ["05/01/2024", "16-Sep-2020", "45296", "05/01/08", "2999-01-01"]})
    >>> values, bad = parse_dates(raw, dt.date(2025, 1, 1))
    >>> values.to_list()[:3], bad["__row"].to_list()
    ([datetime.date(2024, 1, 5), datetime.date(2020, 9, 16), datetime.date(2024, 1, 5)], [4, 5])
    """
    today = today or dt.date.today()
    text = pl.col("value")
    time = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    dmy = text.str.extract_groups(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})" + time + "$")
    iso = text.str.extract_groups(r"^(\d{4})-(\d{1,2})-(\d{1,2})" + time + "$")
    named = text.str.to_lowercase().str.extract_groups(r"^(\d{1,2})[\s/.-]*([a-z]{3})[a-z]*[\s/.,-]*(\d{4})" + time + "$")
    month = named.struct.field("2").replace_strict(_MONTHS, default=None, return_dtype=pl.String)
    serial = text.str.extract(r"^(\d{5})(?:\.0+)?$", 1).cast(pl.Int64, strict=False)
    in_range = serial.is_between(*EXCEL_DAY_NUMBERS)
    as_iso = pl.coalesce(
        pl.concat_str([dmy.struct.field("3"), dmy.struct.field("2").str.zfill(2), dmy.struct.field("1").str.zfill(2)], separator="-"),
        pl.concat_str([iso.struct.field("1"), iso.struct.field("2").str.zfill(2), iso.struct.field("3").str.zfill(2)], separator="-"),
        pl.concat_str([named.struct.field("3"), month.str.zfill(2), named.struct.field("1").str.zfill(2)], separator="-"),
    )
    from_serial = pl.when(in_range).then(pl.lit(dt.date(1899, 12, 30)) + pl.duration(days=serial))
    parsed = raw.with_columns(pl.coalesce(as_iso.str.to_date("%Y-%m-%d", strict=False), from_serial.cast(pl.Date)).alias("parsed"),
                              pl.coalesce(as_iso, pl.when(in_range).then(text)).alias("shape"))
    two_digit = pl.col("value").str.contains(_TWO_DIGIT_YEAR.pattern)
    expected = (
        pl.when(pl.col("parsed") > today).then(pl.lit(f"a date that has happened (this one is after today, {today:%d/%m/%Y})"))
        .when(pl.col("parsed").is_not_null()).then(None)
        .when(two_digit).then(pl.lit("dd/mm/yyyy with a four-digit year (perfkit does not guess the century: 05/01/08 "
                                     "could be 1908 or 2008); format the column as dd/mm/yyyy in Excel and save again"))
        .when(pl.col("shape").is_not_null()).then(pl.lit("a real date written dd/mm/yyyy, e.g. 05/01/2024 (there is no such day)"))
        .otherwise(pl.lit(DATE_EXPECTED))
    )
    checked = parsed.with_columns(expected.alias("expected"))
    bad = checked.filter(pl.col("value").is_not_null() & pl.col("expected").is_not_null()).select(ROW, "value", "expected")
    values = checked.select(pl.when(pl.col("expected").is_null()).then(pl.col("parsed")).alias("parsed"))["parsed"]
    return values, bad


def decode_values(raw: pl.DataFrame, f: Field) -> tuple[pl.Series, pl.DataFrame, pl.DataFrame]:
    """Decode the ``value`` column of ``raw`` with ``f``'s decoder (once per distinct value).

    Returns the codes (empty where unknown or bad), the bad rows (with
    ``expected``) and the rows read through ``f.legacy`` (``code``, ``note``).
    """
    decoder = f.decoder or (lambda v: v)
    legacy = {old.upper(): (new, why) for old, new, why in f.legacy}
    distinct = [v for v in raw["value"].unique().to_list() if v is not None]
    mapping: dict[str, str] = {}
    old: dict[str, tuple[str, str]] = {}
    unknown: list[str] = []
    for value in distinct:
        code = decoder(value)
        if code is None and legacy:
            hit = next((legacy[c] for c in (value.strip().upper(), _legacy_key(value)) if c in legacy), None)
            if hit is not None:
                old[value] = hit
                code = hit[0]
        if code is None:
            unknown.append(value)
        else:
            mapping[value] = code
    decoded = raw["value"].replace_strict({v: (c or None) for v, c in mapping.items()}, default=None, return_dtype=pl.String)
    bad = raw.filter(pl.col("value").is_in(unknown)).with_columns(
        pl.lit(f"{f.expected or 'a known code'}").alias("expected"))
    notes = raw.filter(pl.col("value").is_in(list(old))).with_columns(
        pl.col("value").replace_strict({v: n for v, (n, _) in old.items()}, return_dtype=pl.String).alias("code"),
        pl.col("value").replace_strict({v: w for v, (_, w) in old.items()}, return_dtype=pl.String).alias("note"))
    return decoded, bad, notes.select(ROW, "value", "code", "note")


def _legacy_key(value: str) -> str:
    return first_part(value).upper()


# --------------------------------------------------------------------------
# what a bad value costs


@cache
def counted_columns(table: str) -> frozenset[str]:
    """The columns of ``table`` the indicators count from: the measures' own list and the catalogue's ``needs``.

    >>> sorted(counted_columns("assessments"))
    ['authorised_date', 'child_id', 'la_code', 'start_date']
    >>> "needs_support" in counted_columns("assessments")
    False
    """
    from perfkit.indicators.catalogue import load_catalogue
    from perfkit.indicators.measure_base import COUNTED_COLUMNS

    needs = {n.column for i in load_catalogue().indicators for n in i.needs if n.table == table}
    return frozenset({"la_code", "child_id", *COUNTED_COLUMNS.get(table, ()), *needs})


def blocks(table: str, column: str) -> bool:
    """Whether a row with a bad or missing ``column`` must be left out of ``table``.

    It must where the contract requires the column (and it has no DfE code
    for "not known", :data:`UNKNOWN_CODES`) or an indicator counts from it:
    blanking it would change a figure (an unreadable end date would keep a
    plan open). Any other column is blanked, and the row kept.

    >>> blocks("cla_episodes", "episode_end"), blocks("cla_episodes", "placement_provider"), blocks("contacts", "contact_source")
    (True, False, False)
    """
    spec = TABLES[table]
    required = column in spec.column_names and spec.column(column).required and column not in UNKNOWN_CODES
    return required or column in counted_columns(table)


def needed_keys(fields: Sequence[Field], table: str, columns: Mapping[str, str] | None = None) -> frozenset[str]:
    """The fields whose bad value leaves a row out of ``table`` (each field is the column of its key, or ``columns[key]``)."""
    columns = columns or {}
    return frozenset(f.key for f in fields if blocks(table, columns.get(f.key, f.key))
                     and columns.get(f.key, f.key) in {*TABLES[table].column_names, *columns.values()})


def _show(value: str | None) -> str:
    return "" if value is None else str(value)


def settle(extracted: Extracted, log: ImportLog, needs: Mapping[str, Collection[str]], *,
           fill: Mapping[str, str] | None = None, quiet: Collection[str] = ()) -> dict[str, pl.DataFrame]:
    """Decide what each bad value costs, log each decision, and return each table's rows.

    Parameters
    ----------
    extracted : Extracted
        A usable grid (see :attr:`Extracted.usable`).
    log : ImportLog
        Where the decisions go.
    needs : mapping of table to field keys
        For each table the grid's rows go to, the fields a row must have good
        values in to be in it (:func:`needed_keys`).
    fill : mapping of field key to code, optional
        The code written for a bad value of a field (default
        :data:`UNKNOWN_CODES` by key).
    quiet : field keys
        Fields whose bad values are not logged here (a child's details, which
        the importer settles once per child).

    Returns
    -------
    dict of table to DataFrame
        ``extracted.frame`` without the rows left out of that table; bad values
        blanked (or filled).

    A row left out of a table gets one problem naming its first bad value
    (and any others), action ``left out of <tables>``; a bad value in a kept
    row gets ``value blanked``; an old code read as its successor
    ``mapped to <code>``.

    Examples
    --------
    >>> grid = pl.DataFrame({"a": ["CHILD", "7", "8", "9"], "b": ["DEC", "01/02/2024", "1/2/24", ""],
    ...                      "c": ["PLACE_PROVIDER", "PR1", "PR1", "Q9"]})
    >>> fields = [Field("child_id", "CHILD", "id", not_blank=True), Field("episode_end", "DEC", "date"),
    ...           Field("placement_provider", "PLACE_PROVIDER", "code", decoder=lambda v: v if v.startswith("PR") else None,
    ...                 expected="a PR code")]
    >>> out, log = extract(grid, "episodes.csv", fields), ImportLog()
    >>> kept = settle(out, log, {"cla_episodes": needed_keys(fields, "cla_episodes")})
    >>> kept["cla_episodes"]["child_id"].to_list(), kept["cla_episodes"]["placement_provider"].to_list()
    (['7', '9'], ['PR1', None])
    >>> for p in log.problems: print(p)
    episodes.csv, column 'DEC', row 2: value '1/2/24': expected dd/mm/yyyy with a four-digit year (perfkit does not guess the century: 05/01/08 could be 1908 or 2008); format the column as dd/mm/yyyy in Excel and save again; left out of cla_episodes
    episodes.csv, column 'PLACE_PROVIDER', row 3: value 'Q9': expected a PR code; value blanked
    """
    fill = {**{k: v[0] for k, v in UNKNOWN_CODES.items()}, **(fill or {})}
    names = {k: v[1] for k, v in UNKNOWN_CODES.items()}
    frame = extracted.frame
    order = [f.key for f in extracted.fields]
    bad_by_row: dict[int, list[dict]] = {}
    for item in extracted.bad.iter_rows(named=True):
        bad_by_row.setdefault(item[ROW], []).append(item)
    left: dict[str, set[int]] = {table: set() for table in needs}
    kept_anywhere: set[int] = set(frame[ROW].to_list()) if ROW in frame.columns else set()
    for row, items in bad_by_row.items():
        keys = {i["key"] for i in items}
        out_of = [t for t, wanted in needs.items() if keys & set(wanted)]
        for t in out_of:
            left[t].add(row)
        blocking = [i for i in items if any(i["key"] in needs[t] for t in out_of)]
        kept = len(out_of) < len(needs)
        if not kept:
            kept_anywhere.discard(row)
        if blocking:
            main, others = blocking[0], [i for i in items if i is not blocking[0] and (not kept or i in blocking)]
            expected = main["expected"] + "".join(
                f"; also column {extracted.heading(o['key'])!r} value {_show(o['value'])!r}: expected {o['expected']}" for o in others)
            log.add(ImportProblem(extracted.source, extracted.sheet, row, extracted.heading(main["key"]), _show(main["value"]),
                                  expected, "left out of " + ", ".join(out_of)))
            items = [i for i in items if i is not main and i not in others]
        if kept:
            for i in items:
                if i["key"] in quiet:
                    continue
                code = fill.get(i["key"])
                action = f"value blanked: recorded as {names.get(i['key'], code)}" if code else "value blanked"
                log.add(ImportProblem(extracted.source, extracted.sheet, row, extracted.heading(i["key"]), _show(i["value"]),
                                      i["expected"], action))
    for item in extracted.mapped.iter_rows(named=True):
        if item[ROW] not in kept_anywhere or item["key"] in quiet:
            continue
        action = f"mapped to {item['code']}" if item["code"] else "value blanked: read as not known"
        log.add(ImportProblem(extracted.source, extracted.sheet, item[ROW], extracted.heading(item["key"]), _show(item["value"]),
                              item["note"], action))
    bad_keys = extracted.bad.filter(pl.col("key").is_in(list(fill))) if extracted.bad.height else extracted.bad
    if bad_keys.height and ROW in frame.columns:
        frame = frame.with_columns([
            pl.when(pl.col(ROW).is_in(bad_keys.filter(pl.col("key") == k)[ROW].implode())).then(pl.lit(code)).otherwise(pl.col(k)).alias(k)
            for k, code in fill.items() if k in frame.columns and k in order and k not in quiet
        ])
    return {table: frame.filter(~pl.col(ROW).is_in(sorted(rows))) if rows else frame for table, rows in left.items()}


def flag_order(extracted: Extracted, start: str, end: str) -> Extracted:
    """Mark ``end`` bad (and empty it) on the rows where it is before ``start``: a plan cannot end before it starts.

    >>> grid = pl.DataFrame({"a": ["Start", "01/02/2024", "01/02/2024"], "b": ["End", "01/01/2024", "02/02/2024"]})
    >>> out = flag_order(extract(grid, "x.csv", [Field("s", "Start", "date"), Field("e", "End", "date")]), "s", "e")
    >>> out.frame["e"].to_list(), out.bad["expected"].to_list()
    ([None, datetime.date(2024, 2, 2)], ["a date on or after the 'Start' (01/02/2024)"])
    """
    if not extracted.usable or extracted.frame.height == 0:
        return extracted
    before = pl.col(end) < pl.col(start)
    rows = extracted.frame.filter(before.fill_null(False))
    if rows.height == 0:
        return extracted
    found = rows.select(ROW, pl.lit(end).alias("key"), pl.col(end).dt.strftime("%d/%m/%Y").alias("value"),
                        pl.format("a date on or after the {} ({})", pl.lit(repr(extracted.heading(start))),
                                  pl.col(start).dt.strftime("%d/%m/%Y")).alias("expected"))
    frame = extracted.frame.with_columns(pl.when(before.fill_null(False)).then(None).otherwise(pl.col(end)).alias(end))
    return replace(extracted, frame=frame, bad=pl.concat([extracted.bad, found.cast(BAD_SCHEMA)]).sort(ROW))


def log_structure(extracted: Extracted, log: ImportLog, action: str) -> None:
    """Log the grid's own problems with ``action`` (what became of it), and the optional columns not read."""
    for p in extracted.structure:
        log.add(p if p.action else replace(p, action=action))


def raise_problems(problems: list[Problem]) -> None:
    """Raise every problem together, if there are any."""
    if problems:
        raise ContractError(problems)
