"""Load a dataset directory and check it against the contract.

Every problem found in a file is reported together, each naming the file, the
column, the row (1 = first data row under the header) and the value, and
saying what was expected.
"""

from __future__ import annotations

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

    def __str__(self) -> str:
        where = [self.file]
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        text = ", ".join(where)
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
    """Validated tables of one dataset directory, in canonical types."""

    directory: Path
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)

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
        )


def find_table_file(directory: Path, name: str) -> Path | None:
    for suffix in (".parquet", ".csv"):
        candidate = directory / f"{name}{suffix}"
        if candidate.exists():
            return candidate
    return None


def read_raw(path: Path) -> pl.DataFrame:
    """Read a table file with every column as text, as it is in the file."""
    if path.suffix == ".parquet":
        frame = pl.read_parquet(path)
        return frame.with_columns(pl.all().cast(pl.String))
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8", raise_if_empty=False)
    return frame.rename({c: c.lstrip("\ufeff").strip() for c in frame.columns})


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


def _present(column: str) -> pl.Expr:
    return pl.col(column).is_not_null() & (pl.col(column).str.strip_chars() != "")


def _parse_column(column: Column) -> pl.Expr:
    """The canonical-typed expression for a text column."""
    text = pl.col(column.name).str.strip_chars()
    text = pl.when(text == "").then(None).otherwise(text)
    if column.kind == "date":
        return text.str.to_date("%Y-%m-%d", strict=False)
    if column.kind == "number":
        return text.cast(pl.Float64, strict=False)
    if column.kind == "integer":
        return text.cast(pl.Int64, strict=False)
    return text


def _date_message(column: Column, value: str | None) -> str:
    base = f"expected {column.describe()}"
    if value and _DMY.match(value.strip()):
        day, month, year = value.strip().split("/")
        if len(year) == 4:
            return f"{base}; this looks like dd/mm/yyyy, which should be written {year}-{int(month):02d}-{int(day):02d}"
        return f"{base}; this looks like a dd/mm/yy date with a two-digit year, which is ambiguous"
    return base


def check_table(raw: pl.DataFrame, spec: TableSpec, file: str) -> tuple[pl.DataFrame, list[Problem]]:
    """Check one table read as text; return it in canonical types and the problems found."""
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
    parsed = frame.with_columns(
        [_parse_column(c).alias(f"__parsed_{c.name}") for c in spec.columns]
    )
    for column in spec.columns:
        name, parsed_name = column.name, f"__parsed_{column.name}"
        present = _present(name)
        if column.required:
            problems += _examples(file, parsed.filter(~present), name, f"a value is required here: expected {column.describe()}")
        if column.kind in ("date", "number", "integer"):
            bad = parsed.filter(present & pl.col(parsed_name).is_null())
            if column.kind == "date":
                for r in bad.head(EXAMPLES_PER_CHECK).iter_rows(named=True):
                    problems.append(Problem(file, _date_message(column, r[name]), name, int(r[ROW]), r[name]))
                if bad.height > EXAMPLES_PER_CHECK:
                    last = problems[-1]
                    problems[-1] = Problem(last.file, last.message, last.column, last.row, last.value, bad.height - EXAMPLES_PER_CHECK)
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
            raw = read_raw(path)
        except Exception as exc:  # noqa: BLE001 - any reader failure becomes a named problem
            problems.append(Problem(str(path), f"cannot be read as {path.suffix[1:].upper()}: {exc}"))
            continue
        frame, found = check_table(raw, spec, str(path))
        problems += found
        loaded[name] = frame
    if problems:
        raise ContractError(problems)
    return Dataset(directory, loaded)
