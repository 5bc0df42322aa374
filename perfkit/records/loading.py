"""Load a dataset directory and check it against the contract.

Every problem found in a file is reported together, each naming the file, the
column, the row (1 = first data row under the header) and the value, and
saying what was expected.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Callable, Iterator
from pathlib import Path

import polars as pl

from perfkit.records import checkcache
from perfkit.records.contract import TABLES, Column, TableSpec
from perfkit.errors import ContractError, PerfkitError
from perfkit.records.problems import Problem

ROW = "__row"
AUTHORITIES_PER_PART = 16
"""How many authorities national-scale work takes together: keeps lookups small and memory bounded."""
EXAMPLES_PER_CHECK = 5
_DMY = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4}$")




@dataclass
class Dataset:
    """Validated tables of one dataset directory, in canonical types.

    ``warnings`` lists what was loaded but deserves a look (rows for a child
    missing from the children table, a district unknown to the children table,
    a file decoded as cp1252); errors stop loading instead.
    """

    directory: Path
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return name in self.tables

    def table(self, name: str) -> pl.DataFrame:
        try:
            return self.tables[name]
        except KeyError:
            raise ContractError(
                [Problem(f"{name}.csv", f"table {name!r} is needed here but the dataset in {self.directory} has no {name}.csv or {name}.parquet")]
            ) from None

    @property
    def authorities(self) -> list[str]:
        return sorted(self.tables["children"]["la_code"].unique().to_list())

    def for_authorities(self, la_codes: list[str]) -> "Dataset":
        """The same dataset restricted to some authorities.

        >>> data = Dataset(Path("."), {"t": pl.DataFrame({"la_code": ["1", "2", "1", "3"], "x": [1, 2, 3, 4]})})
        >>> data.for_authorities(["1", "3"]).tables["t"]["x"].to_list()
        [1, 3, 4]
        """
        return Dataset(
            self.directory,
            {name: frame.filter(pl.col("la_code").is_in(la_codes)) for name, frame in self.tables.items()},
            self.warnings,
        )

    def in_parts(self, groups: list[list[str]]) -> Iterator["Dataset"]:
        """The dataset for each group of authorities in turn.

        Where a table keeps each authority's rows together (as exports and
        perfkit's own files do), its parts are slices of it, made without
        copying; otherwise each part is filtered from it.

        >>> data = Dataset(Path("."), {"t": pl.DataFrame({"la_code": ["2", "2", "1", "3"], "x": [1, 2, 3, 4]})})
        >>> [part.tables["t"]["x"].to_list() for part in data.in_parts([["1", "2"], ["3"]])]
        [[1, 2, 3], [4]]
        """
        runs = {name: _authority_runs(frame) for name, frame in self.tables.items()}
        for group in groups:
            tables = {}
            for name, frame in self.tables.items():
                if runs[name] is None:
                    tables[name] = frame.filter(pl.col("la_code").is_in(group))
                else:
                    where = sorted(runs[name][code] for code in group if code in runs[name])  # in the table's order
                    pieces = [frame.slice(offset, length) for offset, length in where]
                    tables[name] = pl.concat(pieces, rechunk=False) if pieces else frame.clear()
            yield Dataset(self.directory, tables, self.warnings)


def authority_groups(authorities: list[str], size: int = AUTHORITIES_PER_PART) -> list[list[str]]:
    """The authorities in consecutive groups of ``size`` (the last may be smaller).

    >>> authority_groups(["990", "991", "992"], 2)
    [['990', '991'], ['992']]
    """
    return [authorities[start:start + size] for start in range(0, len(authorities), size)]


def _authority_runs(frame: pl.DataFrame) -> dict[str, tuple[int, int]] | None:
    """Where each authority's rows are, as (offset, length), if each authority's rows are together."""
    runs = frame.select(pl.col("la_code").rle()).unnest("la_code")
    if runs["value"].n_unique() != runs.height:
        return None
    offsets = runs["len"].cum_sum() - runs["len"]
    return {code: (offset, length) for code, offset, length in zip(runs["value"], offsets, runs["len"])}


def find_table_file(directory: Path, name: str) -> Path | None:
    for suffix in (".parquet", ".csv"):
        candidate = directory / f"{name}{suffix}"
        if candidate.exists():
            return candidate
    return None


class UnreadableFile(PerfkitError):
    """A file that cannot be read as a table at all."""


def read_raw(path: Path, contents: bytes | None = None) -> tuple[pl.DataFrame, list[Problem]]:
    """Read a table file with every column as text, as it is in the file.

    A byte-order mark is dropped; a CSV that is not UTF-8 but decodes as
    Windows cp1252 (Excel's "Save As") is read with a warning. ``contents``:
    the file's bytes, if they have been read already (they are what is parsed).
    """
    if path.suffix == ".parquet":
        try:
            frame = pl.read_parquet(path if contents is None else io.BytesIO(contents))
        except Exception as exc:  # noqa: BLE001 - any reader failure is reported with the file
            raise UnreadableFile(f"cannot be read as Parquet ({type(exc).__name__}): expected a Parquet table") from None
        return _as_read(frame), []
    data = path.read_bytes() if contents is None else contents
    if not data.strip():
        raise UnreadableFile("the file is empty: expected a header row and data rows")
    warnings: list[Problem] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n")
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise UnreadableFile(
                f"line {row + 1} holds bytes that are neither UTF-8 nor Windows cp1252 "
                f"({data[exc.start:exc.start + 4]!r}): expected a UTF-8 CSV"
            ) from None
        warnings.append(Problem(str(path), "the file is not UTF-8; read it as Windows cp1252 (Excel's 'Save As'); "
                                           "save as CSV UTF-8 to be sure", row=max(row, 1), severity="warning"))
    if "\x00" in text[:65536]:
        raise UnreadableFile("the file holds binary data (NUL bytes): expected a CSV text table")
    try:
        frame = pl.read_csv(text.encode("utf-8"), infer_schema=False, raise_if_empty=False, truncate_ragged_lines=False)
    except Exception as exc:  # noqa: BLE001 - reported with the file, never as a traceback
        message = str(exc).splitlines()[0][:300]
        raise UnreadableFile(f"cannot be read as CSV ({message}): expected comma-separated values with one header row") from None
    names = [c.lstrip("\ufeff").strip() for c in frame.columns]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise UnreadableFile(f"the header names {', '.join(repr(d) for d in duplicated)} more than once: expected each column once")
    return frame.rename(dict(zip(frame.columns, names))), warnings


PARQUET_TYPES_KEPT = (pl.Date, pl.Float64, pl.Float32, pl.Int64, pl.Int32, pl.Int16, pl.Int8, pl.UInt32, pl.UInt64, pl.String)


def _as_read(frame: pl.DataFrame) -> pl.DataFrame:
    """A Parquet file's columns as perfkit reads them: typed columns kept (dates stay dates: no
    round trip through text), timestamps as dates, anything else as text."""
    return frame.with_columns(
        [pl.col(n).cast(pl.Date) if dtype == pl.Datetime else pl.col(n) if dtype in PARQUET_TYPES_KEPT else pl.col(n).cast(pl.String)
         for n, dtype in frame.schema.items()]
    )


def _examples(file: str, rows: pl.DataFrame, column: str, message: str | Callable[[str | None], str]) -> list[Problem]:
    """Problems for the first few offending rows, counting the rest.

    ``message`` is the same for every row, or made from each row's value.
    """
    if rows.height == 0:
        return []
    shown = rows.head(EXAMPLES_PER_CHECK)
    values = [None if r[column] is None else str(r[column]) for r in shown.iter_rows(named=True)]
    problems = [
        Problem(file, message(value) if callable(message) else message, column, int(row), value)
        for row, value in zip(shown[ROW], values)
    ]
    extra = rows.height - shown.height
    if extra:
        last = problems[-1]
        problems[-1] = Problem(last.file, last.message, last.column, last.row, last.value, extra)
    return problems


def _present(column: str, dtype: pl.DataType = pl.String, typed: bool = False) -> pl.Expr:
    """Rows where ``column`` holds a value: not null and, for text, not blank (empty, for typed files)."""
    if dtype != pl.String:
        return pl.col(column).is_not_null()
    if typed:
        return pl.col(column).is_not_null() & (pl.col(column).str.len_bytes() > 0)
    return pl.col(column).is_not_null() & (pl.col(column).str.strip_chars() != "")


FLOAT_ID = r"^\d+\.0+$"


def is_id_column(name: str) -> bool:
    return name == "child_id" or name.endswith("_id")


def _parse_column(column: Column, dtype: pl.DataType = pl.String, typed: bool = False) -> pl.Expr:
    """The canonical-typed expression for a column read as text (or already typed, from Parquet).

    Text in a typed file is taken as it is: trimming blanks and repairing ids
    that a spreadsheet wrote as ``123.0`` are for CSV files.
    """
    if typed and dtype == pl.String and column.kind in ("text", "code", "flag", "pattern"):
        return pl.col(column.name)
    if dtype != pl.String:
        if column.kind == "date" and dtype == pl.Date:
            return pl.col(column.name)
        if column.kind == "number":
            return pl.col(column.name).cast(pl.Float64, strict=False)
        if column.kind == "integer" and dtype.is_float():
            # a whole number stored as a float (18377.0) is read; 18377.5 is no whole number: left empty, and
            # reported as the CSV's "18377.5" is, never cut to 18377 (as a cast would)
            value = pl.col(column.name)
            return pl.when(value == value.floor()).then(value.cast(pl.Int64, strict=False)).otherwise(None)
        if column.kind == "integer":
            return pl.col(column.name).cast(pl.Int64, strict=False)
        if column.kind != "date":
            return pl.col(column.name).cast(pl.String)
        return pl.col(column.name).cast(pl.String).str.to_date("%Y-%m-%d", strict=False)
    text = pl.col(column.name).str.strip_chars()
    text = pl.when(text == "").then(None).otherwise(text)
    if is_id_column(column.name):  # an id that a spreadsheet turned into a number: 123.0 -> 123
        text = pl.when(text.str.contains(FLOAT_ID)).then(text.str.replace(r"\.0+$", "")).otherwise(text)
    if column.kind == "date":
        return text.str.to_date("%Y-%m-%d", strict=False)
    if column.kind == "number":
        return text.cast(pl.Float64, strict=False)
    if column.kind == "integer":
        return text.cast(pl.Int64, strict=False)
    return text


def _date_message(column: Column, value: str | None) -> str:
    """What was expected of a date, with a hint for the usual spreadsheet forms.

    >>> c = Column("referral_date", "date")
    >>> _date_message(c, "25/12/2022").split("; ")[1]
    'this looks like dd/mm/yyyy, which should be written 2022-12-25'
    >>> _date_message(c, "12/25/2022").split("; ")[1]
    'this looks like mm/dd/yyyy (US order), which should be written 2022-12-25'
    >>> _date_message(c, "05/01/2022").split("; ")[1]
    'this looks like dd/mm/yyyy, which should be written 2022-01-05 (or 2022-05-01 if it was mm/dd/yyyy)'
    >>> _date_message(c, "05/01/22").split("; ")[1]
    'this has a two-digit year, which is ambiguous: write the full date as YYYY-MM-DD'
    >>> _date_message(c, "31/02/2023").split("; ")[1]
    'this is not a real date'
    """
    base = f"expected {column.describe()}"
    if not value or not _DMY.match(value.strip()):
        return base
    first, second, year = (int(part) for part in value.strip().split("/"))
    if len(value.strip().split("/")[2]) != 4:
        return f"{base}; this has a two-digit year, which is ambiguous: write the full date as YYYY-MM-DD"

    def real(month: int, day: int) -> bool:
        try:
            dt.date(year, month, day)
        except ValueError:
            return False
        return True

    # only dates that exist are suggested: 31/02/2023 is no date in either order
    as_dmy, as_mdy = real(second, first), real(first, second)
    if as_dmy and not as_mdy:
        return f"{base}; this looks like dd/mm/yyyy, which should be written {year}-{second:02d}-{first:02d}"
    if as_mdy and not as_dmy:
        return f"{base}; this looks like mm/dd/yyyy (US order), which should be written {year}-{first:02d}-{second:02d}"
    if as_dmy and as_mdy:
        return (f"{base}; this looks like dd/mm/yyyy, which should be written {year}-{second:02d}-{first:02d} "
                f"(or {year}-{first:02d}-{second:02d} if it was mm/dd/yyyy)")
    return f"{base}; this is not a real date"


@dataclass(frozen=True)
class _Check:
    """One contract check: the rows that break it, and how to report them.

    ``rows`` marks offending rows. The loader first counts every check's rows
    in one pass over the table; only a check with offending rows is looked at
    again to name them, so a clean table costs one pass.
    """

    rows: pl.Expr
    report: Callable[[pl.DataFrame], list[Problem]]


def _warnings(problems: list[Problem]) -> list[Problem]:
    return [Problem(p.file, p.message, p.column, p.row, p.value, p.more, "warning") for p in problems]


def _order_problems(file: str, start: str, end: str, rows: pl.DataFrame) -> list[Problem]:
    return [
        Problem(p.file, f"{end} is before {start} ({rows.filter(pl.col(ROW) == p.row)[start].item()}); "
                        f"expected {end} on or after {start}", p.column, p.row, p.value, p.more)
        for p in _examples(file, rows, end, "")
    ]


def _column_checks(column: Column, dtype: pl.DataType, file: str, today: dt.date, typed: bool) -> list[_Check]:
    """The checks of one column, in the order their problems are reported."""
    name, parsed = column.name, pl.col(f"__parsed_{column.name}")
    present = _present(name, dtype, typed)
    checks: list[_Check] = []
    if column.required:
        checks.append(_Check(~present, lambda rows: _examples(file, rows, name, f"a value is required here: expected {column.describe()}")))
    if column.kind == "date":
        checks.append(_Check(present & parsed.is_null(), lambda rows: _examples(
            file, rows, name, lambda value: _date_message(column, value))))
        checks.append(_Check(parsed > today, lambda rows: _examples(
            file, rows, name, f"the date is in the future (after {today.isoformat()}): expected a date that has happened")))
    elif column.kind in ("number", "integer"):
        checks.append(_Check(present & parsed.is_null(), lambda rows: _examples(file, rows, name, f"expected {column.describe()}")))
        checks.append(_Check(parsed < 0, lambda rows: _examples(file, rows, name, f"expected {column.describe()}")))
    elif column.kind in ("code", "flag"):
        checks.append(_Check(present & ~parsed.is_in(list(column.codes)), lambda rows: _examples(
            file, rows, name, f"unknown code: expected {column.describe()}")))
    elif column.kind == "pattern":
        checks.append(_Check(present & ~parsed.str.contains(column.pattern), lambda rows: _examples(
            file, rows, name, f"expected {column.describe()}")))
    return checks


def _certainly_unique(frame: pl.DataFrame, key: tuple[str, ...]) -> bool:
    """Whether ``key`` is unique over ``frame``, settled cheaply where it can be.

    Distinct hashes mean distinct keys, so when the key's hashes are all
    different the key is unique; only otherwise (a duplicate, or a hash
    collision) are the keys themselves compared.

    >>> _certainly_unique(pl.DataFrame({"a": ["1", "1"], "b": ["x", "y"]}), ("a", "b"))
    True
    >>> _certainly_unique(pl.DataFrame({"a": ["1", "1"], "b": ["x", "x"]}), ("a", "b"))
    False
    """
    combined = pl.col(key[0]).hash(1)
    for seed, name in enumerate(key[1:], start=2):
        combined = combined.xor(pl.col(name).hash(seed))
    if frame.select(combined.n_unique()).item() == frame.height:
        return True
    return frame.group_by(list(key)).len().height == frame.height


def check_table(
    raw: pl.DataFrame, spec: TableSpec, file: str, today: dt.date | None = None, typed: bool = False
) -> tuple[pl.DataFrame, list[Problem]]:
    """Check one table; return it in canonical types and the problems found.

    ``raw`` is read as text (a CSV), or typed (a Parquet file: ``typed=True``),
    in which case text columns are taken as they are, without the trimming and
    spreadsheet repairs a CSV needs. Problems with ``severity == "warning"`` do
    not stop loading.

    Every check is counted in one pass over the table; rows are named only for
    the checks that fail.

    ``raw`` may be some of a file's rows, carrying their row numbers in the
    file in a ``__row`` column (see :func:`rows_of`): problems then name those
    rows, and an empty part is not an empty file.

    Examples
    --------
    >>> from perfkit.records.contract import TABLES
    >>> raw = pl.DataFrame({"la_code": ["990", "990"], "year": ["2022", "twenty"], "population_0_17": ["100", "200"]})
    >>> _, problems = check_table(raw, TABLES["population"], "population.csv")
    >>> print(problems[0])
    population.csv, column 'year', row 2: value 'twenty': expected a four-digit year, e.g. 2023
    """
    today = today or dt.date.today()
    problems: list[Problem] = []
    missing = [c.name for c in spec.columns if c.required and c.name not in raw.columns]
    for name in missing:
        problems.append(
            Problem(file, f"required column is missing; the file has columns {', '.join(raw.columns) or '(none)'}", name)
        )
    if missing:
        return raw, problems
    if raw.height == 0 and ROW not in raw.columns:
        problems.append(Problem(file, "the file has a header but no rows"))
        return raw, problems

    frame = _with_contract_columns(raw, spec)
    schema = frame.schema
    parsed = frame.with_columns(
        [_parse_column(c, schema[c.name], typed).alias(f"__parsed_{c.name}") for c in spec.columns]
    )
    checks = [check for c in spec.columns for check in _column_checks(c, schema[c.name], file, today, typed)]
    for column in spec.columns:
        if is_id_column(column.name) and column.name in raw.columns and schema[column.name] == pl.String and not typed:
            checks.append(_Check(pl.col(column.name).str.strip_chars().str.contains(FLOAT_ID), lambda rows, name=column.name: _warnings(
                _examples(file, rows, name, "an id written as a decimal number (a spreadsheet's doing): read as the whole number"))))
    for start, end in spec.date_order:
        checks.append(_Check(pl.col(f"__parsed_{end}") < pl.col(f"__parsed_{start}"),
                             lambda rows, start=start, end=end: _order_problems(file, start, end, rows)))

    counts = parsed.select([check.rows.fill_null(False).sum().alias(str(n)) for n, check in enumerate(checks)]).row(0)
    failing = [check for check, count in zip(checks, counts) if count]
    duplicates = bool(spec.key) and not _certainly_unique(parsed, spec.key)
    if failing or duplicates:  # only now are rows numbered, to be named
        rows = numbered(parsed)
        for check in failing:
            problems += check.report(rows.filter(check.rows.fill_null(False)))
        if duplicates:
            problems += _examples(
                file, rows.filter(pl.struct(list(spec.key)).is_duplicated()), spec.key[-1],
                f"duplicate id: {' + '.join(spec.key)} must be unique, but this value appears on more than one row",
            )

    canonical = parsed.select(
        [pl.col(f"__parsed_{c.name}").alias(c.name) for c in spec.columns]
        + [pl.col(c) for c in raw.columns if c not in spec.column_names]
    )
    return canonical, problems


def canonical(raw: pl.DataFrame, spec: TableSpec, typed: bool = False, wanted: set[str] | None = None) -> pl.DataFrame:
    """The table :func:`check_table` returns, without checking it: for a file that passed before.

    The contract's columns come first, in its order, then any others as read;
    a column of the contract that ``raw`` lacks is empty. With ``wanted``,
    only those of the contract's columns the file lacks are added.

    >>> from perfkit.records.contract import TABLES
    >>> raw = pl.DataFrame({"la_code": ["990"], "year": ["2022"], "population_0_17": ["100"]})
    >>> canonical(raw, TABLES["population"]).equals(check_table(raw, TABLES["population"], "population.csv")[0])
    True
    """
    frame = _with_contract_columns(raw, spec, wanted)
    schema = frame.schema
    return frame.select([_parse_column(c, schema[c.name], typed).alias(c.name) for c in spec.columns if c.name in schema]
                        + [pl.col(c) for c in raw.columns if c not in spec.column_names])


def _with_contract_columns(raw: pl.DataFrame, spec: TableSpec, wanted: set[str] | None = None) -> pl.DataFrame:
    """``raw`` with the contract's columns it lacks (those ``wanted``, if given) added, empty."""
    return raw.with_columns([pl.lit(None, dtype=pl.String).alias(c.name) for c in spec.columns
                             if c.name not in raw.columns and (wanted is None or c.name in wanted)])


def rows_of(raw: pl.DataFrame, authorities: list[str], spec: TableSpec, typed: bool = False) -> pl.DataFrame:
    """The rows of ``raw`` (a whole file) that belong to ``authorities``, numbered as in the file (``__row``).

    A row without an authority (``la_code`` empty or missing) belongs to every
    authority's part, so that it fails each of them as it fails the whole file.

    >>> from perfkit.records.contract import TABLES
    >>> raw = pl.DataFrame({"la_code": ["990", "991", " ", "990"], "year": ["2022"] * 4})
    >>> rows_of(raw, ["990"], TABLES["population"])["__row"].to_list()
    [1, 3, 4]
    """
    if "la_code" not in raw.columns or raw.height == 0:
        return raw
    dtype = raw.schema["la_code"]
    la_code = _parse_column(spec.column("la_code"), dtype, typed)
    return raw.with_row_index(ROW, offset=1).filter(la_code.is_in(authorities) | ~_present("la_code", dtype, typed))


@dataclass
class RawDataset:
    """A dataset directory's files as read, before they are checked (see :func:`check_dataset`).

    ``files`` maps each table read to its file and its rows; ``problems``
    lists what stopped a file being read at all (a required table missing,
    an unreadable file); ``warnings`` what was read but deserves a look.
    """

    directory: Path
    files: dict[str, tuple[Path, pl.DataFrame]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def _empty_raw(directory: str | Path) -> RawDataset:
    directory = Path(directory)
    if not directory.is_dir():
        raise ContractError([Problem(str(directory), "the data directory does not exist")])
    return RawDataset(directory)


def _tables_wanted(tables: list[str] | None) -> list[str]:
    """The tables to read: ``tables`` and the required ones, or every table (in the contract's order)."""
    return [name for name, spec in TABLES.items() if tables is None or name in tables or spec.required]


def _read_table(raw: RawDataset, name: str, contents: bytes | None = None) -> None:
    """Read table ``name`` of ``raw.directory`` into ``raw``, or note why it cannot be read.

    ``contents``: the file's bytes, if they have been read already."""
    directory, spec = raw.directory, TABLES[name]
    path = find_table_file(directory, name)
    if path is None:
        if spec.required:
            raw.problems.append(Problem(f"{directory / name}.csv", f"required table {name!r} is missing: expected {name}.csv or {name}.parquet in {directory}"))
        return
    try:
        frame, read_warnings = read_raw(path, contents)
    except UnreadableFile as exc:
        raw.problems.append(Problem(str(path), str(exc)))
        return
    if ROW in frame.columns:
        raw.problems.append(Problem(str(path), f"the column name {ROW!r} is kept for perfkit's row numbers: expected another name", ROW))
        return
    raw.warnings += read_warnings
    raw.files[name] = (path, frame)


def read_dataset(directory: str | Path, tables: list[str] | None = None) -> RawDataset:
    """Read every table file present in ``directory`` (only ``tables``, and the required ones, if given).

    Raises
    ------
    ContractError
        If the directory does not exist. Other problems are kept for
        :func:`check_dataset` to report with the rest.
    """
    raw = _empty_raw(directory)
    for name in _tables_wanted(tables):
        _read_table(raw, name)
    return raw


def _check_file(name: str, path: Path, frame: pl.DataFrame, authorities: list[str] | None) -> tuple[pl.DataFrame, list[Problem]]:
    """One table file's rows (those of ``authorities``, if given) checked: canonical rows and problems."""
    spec, typed = TABLES[name], path.suffix == ".parquet"
    if authorities is not None:
        frame = rows_of(frame, authorities, spec, typed)
    return check_table(frame, spec, str(path), typed=typed)


def _checked_dataset(directory: Path, loaded: dict[str, pl.DataFrame], problems: list[Problem], warnings: list[Problem],
                     keys: dict[str, str] | None = None, recall: bool = True) -> Dataset:
    """The dataset of checked tables, with the warnings across tables; every problem raised together.

    ``keys``: the fingerprint of each table's file (:mod:`perfkit.records.checkcache`);
    when every table has one, the checks across tables are remembered too.
    """
    warnings = warnings + [p for p in problems if p.severity == "warning"]
    problems = [p for p in problems if p.severity != "warning"]
    if problems:
        raise ContractError(problems)
    if keys is not None and set(keys) == set(loaded):
        key = checkcache.together(keys.values())
        if not recall or (recalled := checkcache.recall(key, ("across",))) is None:
            recalled = {"across": cross_table_warnings(loaded, directory)}
            checkcache.remember(key, recalled)
        warnings += recalled["across"]
    else:
        warnings += cross_table_warnings(loaded, directory)
    return Dataset(directory, {name: frame.drop(ROW, strict=False) for name, frame in loaded.items()}, warnings)


def check_dataset(raw: RawDataset, authorities: list[str] | None = None) -> Dataset:
    """Check files read by :func:`read_dataset` against the contract; return them in canonical types.

    ``authorities``: check and keep only these authorities' rows (see
    :func:`load_dataset`). The files are not read again, so a batch can check
    its authorities together and, if that fails, each alone.

    Raises
    ------
    ContractError
        With every problem found, each naming file, column, row and value.
    """
    problems: list[Problem] = []
    loaded: dict[str, pl.DataFrame] = {}
    for name, (path, frame) in raw.files.items():
        loaded[name], found = _check_file(name, path, frame, authorities)
        problems += found
    return _checked_dataset(raw.directory, loaded, raw.problems + problems, list(raw.warnings))


CROSS_TABLE_COLUMNS = ("la_code", "child_id", "district", ROW)
"""Columns the checks across tables read (see :func:`cross_table_warnings`): kept whatever ``columns`` says."""


def load_dataset(
    directory: str | Path, tables: list[str] | None = None, authorities: list[str] | None = None,
    columns: dict[str, tuple[str, ...]] | None = None, recall: bool = True,
) -> Dataset:
    """Load and validate every table present in ``directory``.

    Parameters
    ----------
    directory : path
        A dataset directory: one ``<table>.csv`` or ``<table>.parquet`` per table.
    tables : list of str, optional
        Load only these tables (required tables are always loaded).
    authorities : list of str, optional
        Load and check only these authorities' rows (every row by default).
        Rows are checked within their authority (every key holds
        ``la_code``), so an authority's rows pass alone exactly when they pass
        with the others; problems still name rows as numbered in the file.
    columns : dict of table name to column names, optional
        Keep only these columns of each table named (and ``la_code``,
        ``child_id`` and ``district``, which the checks across tables read).
        Every column is still read and checked. The tables are read one at
        a time, each cut to its columns before the next is read, so the
        memory of the columns let go is used again: at national scale,
        headline figures (:data:`perfkit.indicators.engine.HEADLINE_COLUMNS`) need half
        the memory and about a tenth less time (``bench/RESULTS.md``).
    recall : bool
        Read a file that passed the contract before (the same bytes, path
        and checks: :mod:`perfkit.records.checkcache`) without checking it again,
        with the warnings found then. ``False`` checks every file (passes are
        still remembered). A part of a file's rows (``authorities``) is
        always checked.

    Raises
    ------
    ContractError
        With every problem found, each naming file, column, row and value.

    Examples
    --------
    >>> import perfkit.config.paths as paths
    >>> data = load_dataset(paths.default_data_dir(), columns={"contacts": ("contact_date",)})
    >>> data.table("contacts").columns
    ['la_code', 'child_id', 'contact_date']
    """
    columns = columns or {}
    unknown = [f"{name}.{column}" for name, wanted in columns.items() for column in wanted
               if name not in TABLES or column not in TABLES[name].column_names]
    if unknown:
        raise ValueError(f"columns= names {', '.join(unknown)}, which the contract does not have: "
                         "expected the contract's table and column names")
    raw = _empty_raw(directory)
    problems: list[Problem] = []
    loaded: dict[str, pl.DataFrame] = {}
    # files that passed before are remembered (perfkit.records.checkcache); a part of a file's rows is always checked
    keys: dict[str, str] | None = {} if authorities is None and checkcache.enabled() else None
    for name in _tables_wanted(tables):
        if (cut := _read_and_cut(raw, name, authorities, columns.get(name), keys, recall)) is not None:
            loaded[name], found = cut
            problems += found
    return _checked_dataset(raw.directory, loaded, raw.problems + problems, raw.warnings, keys, recall)


def _read_and_cut(raw: RawDataset, name: str, authorities: list[str] | None,
                  columns: tuple[str, ...] | None, keys: dict[str, str] | None = None,
                  recall: bool = True) -> tuple[pl.DataFrame, list[Problem]] | None:
    """Table ``name`` read into ``raw``, checked, and cut to ``columns`` (every column if None).

    The rows as read and as checked are let go when this returns: only the
    cut table is left (see :func:`load_dataset`). With ``keys``, a file that
    passed before (the same bytes, path and checks) is read without being
    checked (unless not ``recall``), only the columns kept, and its warnings
    are those found then; a
    file that passes now is remembered, and its fingerprint added to ``keys``.
    """
    path = find_table_file(raw.directory, name)
    contents, key = _fingerprinted(path, name) if keys is not None and path is not None else (None, None)
    if key is not None and recall and (passed := checkcache.recall(key, FILE_WARNINGS)) is not None:
        keys[name] = key
        raw.warnings += passed["read"]
        return _passed_before(path, TABLES[name], columns, contents), passed["checked"]
    read_before = len(raw.warnings)
    _read_table(raw, name, contents)
    if name not in raw.files:
        return None
    path, frame = raw.files.pop(name)
    checked, found = _check_file(name, path, frame, authorities)
    if key is not None and all(p.severity == "warning" for p in found):
        keys[name] = key
        checkcache.remember(key, {"read": raw.warnings[read_before:], "checked": found})
    if columns is None:
        return checked, found
    return checked.select([c for c in checked.columns if c in (*CROSS_TABLE_COLUMNS, *columns)]), found


def load_passed(directory: str | Path, authorities: list[str]) -> Dataset | None:
    """Some authorities' rows of a dataset whose every file passed the contract before, as a whole; else None.

    A file that passed as a whole passes for any authorities' rows (every
    check is of a row, or of a key holding ``la_code``), so they are read
    without being checked (:mod:`perfkit.records.checkcache`), every column kept.
    The warnings are those found in the whole files. None if a file is
    missing, changed or never passed: check the rows then (:func:`load_dataset`).
    """
    directory = Path(directory)
    if not checkcache.enabled() or not directory.is_dir():
        return None
    tables: dict[str, pl.DataFrame] = {}
    keys: list[str] = []
    warnings: list[Problem] = []
    found: list[Problem] = []
    for name in _tables_wanted(None):
        path = find_table_file(directory, name)
        if path is None:
            if TABLES[name].required:
                return None
            continue
        contents, key = _fingerprinted(path, name)
        if key is None or (passed := checkcache.recall(key, FILE_WARNINGS)) is None:
            return None
        keys.append(key)
        warnings += passed["read"]
        found += passed["checked"]
        tables[name] = _passed_before(path, TABLES[name], None, contents, authorities)
    across = checkcache.recall(checkcache.together(keys), ("across",))
    if across is None:
        return None
    return Dataset(directory, tables, warnings + found + across["across"])


FILE_WARNINGS = ("read", "checked")
"""What a file's pass remembers: the warnings of reading it, and of checking it."""


def _fingerprinted(path: Path, name: str) -> tuple[bytes | None, str | None]:
    """The bytes of table ``name``'s file and their fingerprint (:func:`perfkit.records.checkcache.fingerprint`),
    or (None, None) if it cannot be read (reading it again will say why).

    The bytes fingerprinted are the bytes then checked, or read as checked before: the file is read once.
    """
    try:
        contents = path.read_bytes()
    except OSError:
        return None, None
    return contents, checkcache.fingerprint(contents, path, name)


def _passed_before(path: Path, spec: TableSpec, columns: tuple[str, ...] | None, contents: bytes,
                   authorities: list[str] | None = None) -> pl.DataFrame:
    """A file that passed the contract before, read in canonical types and cut to ``columns`` (every column
    if None), with only ``authorities``' rows (every row if None).

    ``contents``: the file's bytes, read already (those fingerprinted). Of a
    Parquet file only the columns kept are read, and, where ``la_code`` is
    stored as text, only the rows kept.
    """
    wanted = None if columns is None else {*CROSS_TABLE_COLUMNS, *columns}
    ours = pl.lit(True) if authorities is None else pl.col("la_code").is_in(authorities)
    if path.suffix == ".parquet":
        scan = pl.scan_parquet(io.BytesIO(contents))
        present = scan.collect_schema()
        scan = scan.select([c for c in present if wanted is None or c in wanted])
        frame, typed = _as_read((scan.filter(ours) if present.get("la_code") == pl.String else scan).collect()), True
    else:
        (frame, _), typed = read_raw(path, contents), False
    table = canonical(frame, spec, typed, wanted).filter(ours)  # la_code as the checks read it
    return table if wanted is None else table.select([c for c in table.columns if c in wanted])


def child_key() -> pl.Expr:
    """A 64-bit number for each child of each authority: the same for the same ``la_code`` and ``child_id``.

    Different children get different numbers but for a hash collision, which
    users of the key allow for (see :func:`perfkit.indicators.measures.with_children`).
    """
    return pl.col("la_code").hash(1).xor(pl.col("child_id").hash(2))


def _with_unknown_children(tables: dict[str, pl.DataFrame], directory: Path) -> set[str]:
    """The tables with a row whose child is not in the children table.

    Authorities are looked at a few at a time (a child is known only within
    its authority), which keeps the lookup small however many there are. A row
    whose key hash is not among its authority's children's is certainly
    unknown; a hash collision could only hide an unknown child, with a chance
    of about one in 10^12 per row, and this is a warning, not a count.
    """
    groups = authority_groups(sorted(tables["children"]["la_code"].unique().to_list()))
    names = [name for name, frame in tables.items() if name != "children" and "child_id" in frame.columns]
    flagged: set[str] = set()
    if not names:
        return flagged
    for part in Dataset(directory, tables).in_parts(groups):
        known = part.tables["children"].select(child_key()).to_series().implode()
        # every table's children in one lookup
        rows = pl.concat([part.tables[name].select(__hash=child_key(), __table=pl.lit(n, dtype=pl.UInt8))
                          for n, name in enumerate(names)])
        unknown = rows.filter(~pl.col("__hash").is_in(known))["__table"].unique().to_list()
        flagged.update(names[n] for n in unknown)
    return flagged


def numbered(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its rows' numbers in the file (``__row``): those it carries, or its own order."""
    return frame if ROW in frame.columns else frame.with_row_index(ROW, offset=1)


def cross_table_warnings(tables: dict[str, pl.DataFrame], directory: Path) -> list[Problem]:
    """What is loadable but suspicious across tables: unknown children and districts."""
    found: list[Problem] = []
    if "children" not in tables:
        return found
    children = tables["children"]
    with_unknown = _with_unknown_children(tables, directory)
    districts = set(children["district"].drop_nulls().unique().to_list())
    for name, frame in tables.items():
        if name == "children" or "child_id" not in frame.columns:
            continue
        if name in with_unknown:  # only now are rows numbered and named
            orphans = numbered(frame).join(
                children.select("la_code", "child_id"), on=["la_code", "child_id"], how="anti")
            found += _warnings(_examples(str(find_table_file(directory, name)), orphans, "child_id",
                                         "this child is not in the children table (counted, but without sex, age or ethnicity)"))
        if "district" in frame.columns and districts:
            outside = pl.col("district").is_not_null() & ~pl.col("district").is_in(list(districts))
            if frame.select(outside.sum()).item():
                found += _warnings(_examples(
                    str(find_table_file(directory, name)), numbered(frame).filter(outside), "district",
                    f"unknown district: expected one of the children table's districts ({', '.join(sorted(districts))})"))
    return found
