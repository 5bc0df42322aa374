"""Check raw tables against the contract: each table's columns, rows and keys, and the tables across each other.

Every problem found in a file is reported together, each naming the file, the
column, the row (1 = first data row under the header) and the value, and
saying what was expected.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import polars as pl

from perfkit.records.contract import Column, TableSpec
from perfkit.records.dataset import Dataset, authority_groups, child_key
from perfkit.records.problems import Problem
from perfkit.records.reading import find_table_file

ROW = "__row"
EXAMPLES_PER_CHECK = 5
_DMY = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4}$")


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
        checks.append(_Check(parsed > (dt.date.max if column.planned else today), lambda rows: _examples(
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
    if raw.height == 0 and ROW not in raw.columns:  # a small authority may have nothing to record: valid, and said
        problems.append(Problem(file, "the file has a header but no rows: loaded as an empty table (the indicators "
                                      "counted from it are not available from this data)", severity="warning"))

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
