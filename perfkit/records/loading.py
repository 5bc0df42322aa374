"""Load a dataset directory and check it against the contract: read its files, check them, remember passes.

Ties together reading (:mod:`perfkit.records.reading`), checking
(:mod:`perfkit.records.checks`) and remembering files that passed
(:mod:`perfkit.records.checkcache`) into the :class:`~perfkit.records.dataset.Dataset`
that :func:`load_dataset` returns.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from perfkit.errors import ContractError
from perfkit.records import checkcache
from perfkit.records.checks import (
    ROW,
    canonical,
    check_table,
    cross_table_warnings,
    rows_of,
)
from perfkit.records.contract import TABLES, TableSpec
from perfkit.records.dataset import Dataset
from perfkit.records.problems import Problem
from perfkit.records.reading import UnreadableFile, _as_read, find_table_file, read_raw


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
        headline figures (:data:`perfkit.indicators.measure_base.COUNTED_COLUMNS`) need half
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
