"""Load a dataset directory and check it against the contract.

Every problem found in a file is reported together, each naming the file, the
column, the row (1 = first data row under the header) and the value, and
saying what was expected.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from perfkit.contract import TABLES, Column, TableSpec

ROW = "__row"
EXAMPLES_PER_CHECK = 5
_DMY = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4}$")


@dataclass(frozen=True)
class Problem:
    """One way in which a file breaks the contract."""

    file: str
    message: str
    column: str | None = None
    row: int | None = None
    value: str | None = None
    more: int = 0
    severity: str = "error"

    def __str__(self) -> str:
        where = [self.file]
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        text = ("warning: " if self.severity == "warning" else "") + ", ".join(where)
        if self.value is not None:
            text += f": value {self.value!r}"
        text += f": {self.message}"
        if self.more:
            text += f" (and {self.more} more rows like it)"
        return text


class ContractError(ValueError):
    """Data that does not meet the contract; ``problems`` lists every finding."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        count = len(problems)
        lines = [f"{count} problem{'s' if count != 1 else ''} with the input data:"]
        lines += [f"  - {p}" for p in problems]
        super().__init__("\n".join(lines))


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
        """The same dataset restricted to some authorities."""
        return Dataset(
            self.directory,
            {name: frame.filter(pl.col("la_code").is_in(la_codes)) for name, frame in self.tables.items()},
            self.warnings,
        )


def find_table_file(directory: Path, name: str) -> Path | None:
    for suffix in (".parquet", ".csv"):
        candidate = directory / f"{name}{suffix}"
        if candidate.exists():
            return candidate
    return None


class UnreadableFile(ValueError):
    """A file that cannot be read as a table at all."""


def read_raw(path: Path) -> tuple[pl.DataFrame, list[Problem]]:
    """Read a table file with every column as text, as it is in the file.

    A byte-order mark is dropped; a CSV that is not UTF-8 but decodes as
    Windows cp1252 (Excel's "Save As") is read with a warning.
    """
    if path.suffix == ".parquet":
        try:
            frame = pl.read_parquet(path)
        except Exception as exc:  # noqa: BLE001 - any reader failure is reported with the file
            raise UnreadableFile(f"cannot be read as Parquet ({type(exc).__name__}): expected a Parquet table") from None
        # typed columns are kept (dates stay dates: no round trip through text); others become text
        keep = (pl.Date, pl.Float64, pl.Float32, pl.Int64, pl.Int32, pl.Int16, pl.Int8, pl.UInt32, pl.UInt64, pl.String)
        return frame.with_columns(
            [pl.col(n).cast(pl.Date) if dtype == pl.Datetime else pl.col(n) if dtype in keep else pl.col(n).cast(pl.String)
             for n, dtype in frame.schema.items()]
        ), []
    data = path.read_bytes()
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


def _examples(file: str, rows: pl.DataFrame, column: str, message: str) -> list[Problem]:
    """Problems for the first few offending rows, counting the rest."""
    if rows.height == 0:
        return []
    shown = rows.head(EXAMPLES_PER_CHECK)
    problems = [
        Problem(file, message, column, int(r[ROW]), None if r[column] is None else str(r[column]))
        for r in shown.iter_rows(named=True)
    ]
    extra = rows.height - shown.height
    if extra:
        last = problems[-1]
        problems[-1] = Problem(last.file, last.message, last.column, last.row, last.value, extra)
    return problems


def _present(column: str, dtype: pl.DataType = pl.String) -> pl.Expr:
    if dtype != pl.String:
        return pl.col(column).is_not_null()
    return pl.col(column).is_not_null() & (pl.col(column).str.strip_chars() != "")


FLOAT_ID = r"^\d+\.0+$"


def is_id_column(name: str) -> bool:
    return name == "child_id" or name.endswith("_id")


def _parse_column(column: Column, dtype: pl.DataType = pl.String) -> pl.Expr:
    """The canonical-typed expression for a column read as text (or already typed, from Parquet)."""
    if dtype != pl.String:
        if column.kind == "date" and dtype == pl.Date:
            return pl.col(column.name)
        if column.kind == "number":
            return pl.col(column.name).cast(pl.Float64, strict=False)
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
    """
    base = f"expected {column.describe()}"
    if not value or not _DMY.match(value.strip()):
        return base
    first, second, year = (int(part) for part in value.strip().split("/"))
    if len(value.strip().split("/")[2]) != 4:
        return f"{base}; this has a two-digit year, which is ambiguous: write the full date as YYYY-MM-DD"
    if first > 12 and second <= 12:
        return f"{base}; this looks like dd/mm/yyyy, which should be written {year}-{second:02d}-{first:02d}"
    if second > 12 and first <= 12:
        return f"{base}; this looks like mm/dd/yyyy (US order), which should be written {year}-{first:02d}-{second:02d}"
    if first <= 12 and second <= 12:
        return (f"{base}; this looks like dd/mm/yyyy, which should be written {year}-{second:02d}-{first:02d} "
                f"(or {year}-{first:02d}-{second:02d} if it was mm/dd/yyyy)")
    return f"{base}; this is not a real date"


def check_table(
    raw: pl.DataFrame, spec: TableSpec, file: str, today: dt.date | None = None
) -> tuple[pl.DataFrame, list[Problem]]:
    """Check one table read as text; return it in canonical types and the problems found.

    Problems with ``severity == "warning"`` do not stop loading.
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
    if raw.height == 0:
        problems.append(Problem(file, "the file has a header but no rows"))
        return raw, problems

    frame = raw.with_row_index(ROW, offset=1)
    for column in spec.columns:
        if column.name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(column.name))
    schema = frame.schema
    parsed = frame.with_columns(
        [_parse_column(c, schema[c.name]).alias(f"__parsed_{c.name}") for c in spec.columns]
    )
    for column in spec.columns:
        name, parsed_name = column.name, f"__parsed_{column.name}"
        present = _present(name, schema[name])
        if column.required:
            problems += _examples(file, parsed.filter(~present), name, f"a value is required here: expected {column.describe()}")
        if column.kind in ("date", "number", "integer"):
            bad = parsed.filter(present & pl.col(parsed_name).is_null())
            if column.kind == "date":
                for r in bad.head(EXAMPLES_PER_CHECK).iter_rows(named=True):
                    problems.append(Problem(file, _date_message(column, str(r[name])), name, int(r[ROW]), str(r[name])))
                if bad.height > EXAMPLES_PER_CHECK:
                    last = problems[-1]
                    problems[-1] = Problem(last.file, last.message, last.column, last.row, last.value, bad.height - EXAMPLES_PER_CHECK)
                future = parsed.filter(pl.col(parsed_name) > today)
                problems += _examples(file, future, name, f"the date is in the future (after {today.isoformat()}): expected a date that has happened")
            else:
                problems += _examples(file, bad, name, f"expected {column.describe()}")
            problems += _examples(
                file, parsed.filter(pl.col(parsed_name) < 0), name, f"expected {column.describe()}"
            ) if column.kind != "date" else []
        elif column.kind in ("code", "flag"):
            bad = parsed.filter(present & ~pl.col(parsed_name).is_in(list(column.codes)))
            problems += _examples(file, bad, name, f"unknown code: expected {column.describe()}")
        elif column.kind == "pattern":
            bad = parsed.filter(present & ~pl.col(parsed_name).str.contains(column.pattern))
            problems += _examples(file, bad, name, f"expected {column.describe()}")

    for column in spec.columns:
        if is_id_column(column.name) and column.name in raw.columns and schema[column.name] == pl.String:
            floats = parsed.filter(pl.col(column.name).str.strip_chars().str.contains(FLOAT_ID))
            problems += [
                Problem(p.file, p.message, p.column, p.row, p.value, p.more, "warning")
                for p in _examples(file, floats, column.name, "an id written as a decimal number (a spreadsheet's doing): read as the whole number")
            ]

    for start, end in spec.date_order:
        bad = parsed.filter(pl.col(f"__parsed_{end}") < pl.col(f"__parsed_{start}"))
        problems += [
            Problem(p.file, f"{end} is before {start} ({bad.filter(pl.col(ROW) == p.row)[start].item()}); expected {end} on or after {start}", p.column, p.row, p.value, p.more)
            for p in _examples(file, bad, end, "")
        ]

    if spec.key:
        duplicated = parsed.filter(pl.struct(list(spec.key)).is_duplicated())
        if duplicated.height:
            key_text = " + ".join(spec.key)
            column = spec.key[-1]
            problems += _examples(
                file, duplicated, column,
                f"duplicate id: {key_text} must be unique, but this value appears on more than one row",
            )

    canonical = parsed.select(
        [pl.col(f"__parsed_{c.name}").alias(c.name) for c in spec.columns]
        + [pl.col(c) for c in raw.columns if c not in spec.column_names]
    )
    return canonical, problems


def load_dataset(directory: str | Path, tables: list[str] | None = None) -> Dataset:
    """Load and validate every table present in ``directory``.

    Parameters
    ----------
    directory : path
        A dataset directory: one ``<table>.csv`` or ``<table>.parquet`` per table.
    tables : list of str, optional
        Load only these tables (required tables are always loaded).

    Raises
    ------
    ContractError
        With every problem found, each naming file, column, row and value.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ContractError([Problem(str(directory), "the data directory does not exist")])
    problems: list[Problem] = []
    warnings: list[Problem] = []
    loaded: dict[str, pl.DataFrame] = {}
    for name, spec in TABLES.items():
        if tables is not None and name not in tables and not spec.required:
            continue
        path = find_table_file(directory, name)
        if path is None:
            if spec.required:
                problems.append(Problem(f"{directory / name}.csv", f"required table {name!r} is missing: expected {name}.csv or {name}.parquet in {directory}"))
            continue
        try:
            raw, read_warnings = read_raw(path)
        except UnreadableFile as exc:
            problems.append(Problem(str(path), str(exc)))
            continue
        warnings += read_warnings
        frame, found = check_table(raw, spec, str(path))
        problems += found
        loaded[name] = frame
    warnings += [p for p in problems if p.severity == "warning"]
    problems = [p for p in problems if p.severity != "warning"]
    if problems:
        raise ContractError(problems)
    warnings += cross_table_warnings(loaded, directory)
    return Dataset(directory, loaded, warnings)


def cross_table_warnings(tables: dict[str, pl.DataFrame], directory: Path) -> list[Problem]:
    """What is loadable but suspicious across tables: unknown children and districts."""
    found: list[Problem] = []
    if "children" not in tables:
        return found
    children = tables["children"]
    known = children.select("la_code", "child_id")
    districts = set(children["district"].drop_nulls().to_list())
    for name, frame in tables.items():
        if name == "children" or "child_id" not in frame.columns:
            continue
        orphans = frame.with_row_index(ROW, offset=1).join(known, on=["la_code", "child_id"], how="anti")
        found += [
            Problem(p.file, p.message, p.column, p.row, p.value, p.more, "warning")
            for p in _examples(str(find_table_file(directory, name)), orphans, "child_id",
                               "this child is not in the children table (counted, but without sex, age or ethnicity)")
        ]
        if "district" in frame.columns and districts:
            unknown = frame.with_row_index(ROW, offset=1).filter(
                pl.col("district").is_not_null() & ~pl.col("district").is_in(list(districts)))
            found += [
                Problem(p.file, p.message, p.column, p.row, p.value, p.more, "warning")
                for p in _examples(str(find_table_file(directory, name)), unknown, "district",
                                   f"unknown district: expected one of the children table's districts ({', '.join(sorted(districts))})")
            ]
    return found
