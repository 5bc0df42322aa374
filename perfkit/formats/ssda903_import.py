"""Import SSDA903 as councils have it: CSVs or the XML upload, in any layout, never all-or-nothing.

:func:`import_ssda903` reads every SSDA903 file under the paths given
(:mod:`perfkit.formats.ssda903_layout` finds them, the collection year of
each and the authority), the XML upload through
:mod:`perfkit.formats.ssda903_xml`, each part's values by the one reader of
:mod:`perfkit.formats.ssda903` (:func:`~perfkit.formats.ssda903.read_part`),
and writes the canonical tables with ``import-problems.csv`` beside them
(:mod:`perfkit.formats.import_log`): a row that cannot go into its table
(a value the table needs is missing or not understood, an episode ending
before it starts, a care leaver not 17 to 21 on their birthday in the
year) is left out and listed; records kept but doubted are warned about
(:mod:`perfkit.formats.ssda903_checks`). The exit status is 0 when nothing
was left out, 1 when rows were, 2 when nothing could be written.

What stops an import (nothing is written, status 2): an ``LA`` column
naming another authority than ``--la``; a file with no ``LA`` column when
no ``--la`` is given; no SSDA903 file at all.

How the 903 maps to the contract is told in :mod:`perfkit.formats.ssda903`;
what this adds:

- **Several years**: a child's Header, an episode (CHILD + DECOM) or a
  missing episode (CHILD + MIS_START) in several years is taken from the
  latest year (within a year, the last row).
- **UASC**: from the dates UASC ceased (``DUC``), see
  :func:`perfkit.formats.ssda903_checks.uasc_flags`; the latest ``DUC`` is
  written as ``children.uasc_ceased`` (a child is UASC only before it).
- **An open episode's reason ceased** is ignored (with a warning).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from perfkit.errors import ContractError
from perfkit.formats import ssda903_checks as checks
from perfkit.formats.canonical import write_canonical
from perfkit.formats.columns import ROW, Field, extract
from perfkit.formats.grids import read_csv_grid
from perfkit.formats.import_log import LEFT_OUT, ImportLog, ImportProblem, ImportResult
from perfkit.formats.ssda903 import (
    FILES,
    TABLE_OF,
    _birthday_in_year,
    _kind,
    age_on,
    read_part,
)
from perfkit.formats.ssda903_layout import (
    LA_HEADINGS,
    OC3_AGES,
    YEAR_HEADINGS,
    Source,
    find_sources,
    la_number,
    settle_year,
    year_label,
)
from perfkit.formats.ssda903_xml import PATHS, read_ssda903_xml
from perfkit.records.checks import check_table
from perfkit.records.contract import TABLES
from perfkit.records.problems import Problem

NEEDED = {
    "header": ("child_id", "date_of_birth", "ethnicity"),
    "episodes": ("child_id", "episode_start", "rne", "legal_status", "category_of_need", "placement_type"),
    "missing": ("child_id", "missing_start", "missing_type"),
    "oc3": ("child_id", "in_touch"),
    "uasc": ("child_id",),
    "reviews": ("child_id", "review_date"),
}
"""The values each part's table cannot do without: a row lacking one (blank, or not understood) is left out."""
ORDER = {"episodes": ("episode_start", "episode_end", "DECOM", "DEC"), "missing": ("missing_start", "missing_end", "MIS_START", "MIS_END")}
EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {}
"""Columns written beyond the contract: none now (the date UASC ceased is the contract's children.uasc_ceased)."""


def _extras(kind: str) -> list[Field]:
    """The file's own authority and year columns, and every field's text as written (for messages)."""
    return [Field("__la_raw", LA_HEADINGS[0], aliases=LA_HEADINGS[1:]), Field("__year_raw", YEAR_HEADINGS[0], aliases=YEAR_HEADINGS[1:]),
            *(Field(f"__raw_{f.key}", f.heading, aliases=f.aliases) for f in FILES[kind])]


def _heading(kind: str, key: str) -> str:
    return next((f.heading for f in FILES[kind] if f.key == key), key)


def _expected(kind: str, key: str) -> str:
    f = next((f for f in FILES[kind] if f.key == key), None)
    return f.expected if f is not None and f.expected else "a value"


@dataclass
class Read:
    """What reading an extract gave: the canonical tables and the log; ``fatal`` when the import must stop."""

    tables: dict[str, pl.DataFrame]
    log: ImportLog = field(default_factory=ImportLog)
    fatal: bool = False


def _grids(source: Source) -> tuple[dict[str, pl.DataFrame], list[ImportProblem]]:
    if source.format == "xml":
        return read_ssda903_xml(source.path, source.label)
    try:
        grid = read_csv_grid(source.path)
    except ContractError as exc:
        return {}, [ImportProblem(source.label, expected="a CSV file that can be read: " + "; ".join(p.message for p in exc.problems),
                                  action="not read")]
    kind = _kind(grid)
    return ({kind: grid} if kind else {}), []


def _read(source: Source, kind: str, grid: pl.DataFrame, read: Read) -> pl.DataFrame | None:
    sheet = PATHS[kind] if source.format == "xml" else ""
    frame = read_part(grid, source.label, kind, read.log, sheet)
    if frame is None:
        return None
    extras = extract(grid, source.label, _extras(kind)).frame
    if ROW in extras.columns:
        frame = frame.join(extras.select(ROW, *(c for c in extras.columns if c.startswith("__") and c != ROW and c not in frame.columns)),
                           on=ROW, how="left")
    return frame.with_columns(pl.lit(source.label).alias("__file"), pl.lit(sheet).alias("__sheet"), pl.lit(source.group).alias("__group"))


def _row_years(frame: pl.DataFrame) -> pl.Expr:
    """A row's own collection year (a ``YEAR`` column, as the LIIA tools write), if any."""
    if "__year_raw" not in frame.columns:
        return pl.lit(None, pl.Int32)
    text = pl.col("__year_raw").str.strip_chars().str.replace(r"\.0*$", "")
    return pl.when(text.str.contains(r"^20\d{2}$")).then(text.cast(pl.Int32, strict=False)).otherwise(None)


def _authority(frame: pl.DataFrame, source: Source, la_code: str | None, read: Read, fallback_la: str | None = None,
               la_names: Mapping[str, str] | None = None) -> pl.DataFrame:
    """Each row's authority (``__la``): the file's own LA column, else ``la_code`` (else ``fallback_la``, a guess that
    never overrules a file); a file naming another authority than ``la_code`` stops the import."""
    if "__la_raw" not in frame.columns:
        frame = frame.with_columns(__la_raw=pl.lit(None, pl.String))
    frame = frame.with_columns(pl.col("__la_raw").str.strip_chars().replace("", None))
    raw = frame["__la_raw"]
    values = raw.drop_nulls().unique().to_list()
    numbers = {v: la_number(v, la_names) for v in values}
    for value, number in numbers.items():
        if number is not None and la_code is not None and number != la_code:
            read.fatal = True
            read.log.add(ImportProblem(source.label, column="LA", value=value, expected=f"the authority given with --la ({la_code})",
                                       action=f"nothing imported: the file says {number}; give the right --la, or none to use the file's"))
    if raw.null_count() and la_code is None and fallback_la is None:
        read.fatal = True
        read.log.add(ImportProblem(source.label, expected="an LA column naming the authority, or --la (e.g. --la 886)",
                                   action="nothing imported: the authority is not known"))
    frame = frame.with_columns(__la=pl.when(pl.col("__la_raw").is_null()).then(pl.lit(la_code or fallback_la, pl.String)).otherwise(
        pl.col("__la_raw").replace_strict(numbers, default=None, return_dtype=pl.String)))
    unknown = frame.filter(pl.col("__la").is_null() & pl.col("__la_raw").is_not_null())
    for row in unknown.iter_rows(named=True):
        read.log.add(ImportProblem(source.label, row["__sheet"], row[ROW], "LA", row["__la_raw"],
                                   "a three-digit DfE LA number" + (", or an authority's name as DfE publishes it" if la_names
                                                                     else " (names are looked up only in a list of authorities given)"),
                                   f"{LEFT_OUT} of its table: the authority is not known"))
    return frame.filter(pl.col("__la").is_not_null())


def _leave_out(frame: pl.DataFrame, kind: str, bad: pl.Expr, column: str, raw: str | None, expected: str, read: Read,
               action: str = "") -> pl.DataFrame:
    """Rows matching ``bad`` left out of the part's table, each listed."""
    out = frame.filter(bad.fill_null(False))
    for row in out.iter_rows(named=True):
        read.log.add(ImportProblem(row["__file"], row["__sheet"] or "", row[ROW], column,
                                   "" if raw is None or row.get(raw) is None else str(row[raw]), expected,
                                   action or f"{LEFT_OUT} of {TABLE_OF[kind]}"))
    return frame.filter(~bad.fill_null(False))


def _complete(frame: pl.DataFrame, kind: str, read: Read) -> pl.DataFrame:
    """Rows with every value their table needs, the others left out and listed; dates in order."""
    for key in NEEDED[kind]:
        frame = _leave_out(frame, kind, pl.col(key).is_null(), _heading(kind, key), f"__raw_{key}",
                           _expected(kind, key) if key != "child_id" else "the child's id", read)
    if kind in ORDER:
        start, end, start_heading, end_heading = ORDER[kind]
        frame = _leave_out(frame, kind, pl.col(end) < pl.col(start), end_heading, f"__raw_{end}",
                           f"{end_heading} on or after {start_heading}", read)
    return frame


def _latest(frame: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    """Per key, the row from the latest collection year (the last row within a year)."""
    return frame.with_columns(pl.col("__year").fill_null(0)).sort("__year", "__order", ROW).unique(key, keep="last", maintain_order=True)


def read_sources(paths: Path | str | Sequence[Path | str], la_code: str | None = None, year: int | None = None,
                 fallback_la: str | None = None, la_names: Mapping[str, str] | None = None) -> Read:
    """Read every SSDA903 file under ``paths`` into canonical tables, with what was left out or doubted.

    See :func:`import_ssda903` for the parameters.
    """
    read = Read({})
    sources, found = find_sources(paths, year)
    read.log.extend(found)
    records: list[tuple[Source, str, pl.DataFrame]] = []
    for order, source in enumerate(sources):
        grids, found = _grids(source)
        read.log.extend(found)
        for kind, grid in grids.items():
            frame = _read(source, kind, grid, read)
            if frame is not None:
                records.append((source, kind, frame.with_columns(pl.lit(order).alias("__order"))))
    if not records:
        where = ", ".join(str(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths))
        read.log.add(ImportProblem(where, expected="SSDA903 files: CSVs with the Header (CHILD, SEX, DOB, ETHNIC ...), Episodes "
                                   "(CHILD, DECOM, RNE ...), Missing, OC3 or UASC headings, or the XML upload (EXPSSDA903)",
                                   action="nothing imported"))
        read.fatal = True
        return read

    # one file of each part per return; then the return's year, its name checked against its dates
    parts: dict[str, list[pl.DataFrame]] = {}
    groups: dict[str, list[tuple[Source, str, pl.DataFrame]]] = {}
    for record in records:
        groups.setdefault(record[0].group, []).append(record)
    for members in groups.values():
        kinds: dict[str, tuple[Source, pl.DataFrame]] = {}
        for source, kind, frame in members:
            if kind in kinds:
                other = kinds[kind][0]
                read.log.add(ImportProblem(source.label, expected=f"one {kind} file per collection year ({other.label} is one too)",
                                           action=f"{LEFT_OUT} of {TABLE_OF[kind]}: the file was not read"))
                continue
            kinds[kind] = (source, frame.with_columns(__year=_row_years(frame)))
        frames = {kind: frame for kind, (_, frame) in kinds.items()}
        own_years = all(f["__year"].null_count() == 0 for f in frames.values())
        settled = settle_year([s for s, _ in kinds.values()], frames) if not own_years else None
        if settled is not None:
            read.log.extend(settled.problems)
        for kind, (source, frame) in kinds.items():
            if settled is not None and settled.year is not None:
                frame = frame.with_columns(pl.col("__year").fill_null(settled.year))
            parts.setdefault(kind, []).append(_authority(frame, source, la_code, read, fallback_la, la_names))
    if read.fatal:
        return read
    combined = {kind: _complete(pl.concat(frames, how="diagonal_relaxed"), kind, read) for kind, frames in parts.items()}
    read.tables = _canonical(combined, read)
    return read


def _canonical(parts: dict[str, pl.DataFrame], read: Read) -> dict[str, pl.DataFrame]:
    tables: dict[str, pl.DataFrame] = {}
    where = ", ".join(sorted({f for frame in parts.values() for f in frame["__file"].unique().to_list()})[:3])
    read.log.extend(checks.children_without_header(parts, where))
    header = None
    if "header" in parts and parts["header"].height:
        read.log.extend(checks.conflicting_children(parts["header"]))
        header = _latest(parts["header"], ["__la", "child_id"])
    episodes = None
    if "episodes" in parts and parts["episodes"].height:
        episodes = _latest(parts["episodes"], ["__la", "child_id", "episode_start"])
        read.log.extend(checks.open_with_reason(episodes.with_columns(__rec=pl.col("__raw_reason_ceased"))))
        read.log.extend(checks.overlapping_episodes(episodes))
        tables["cla_episodes"] = episodes.with_columns(
            reason_ceased=pl.when(pl.col("episode_end").is_null()).then(None).otherwise(pl.col("reason_ceased")),
        ).sort("__la", "child_id", "episode_start")
    if header is not None:
        children = header.with_columns(sex=pl.col("sex").fill_null("U").replace("", "U"))
        if "uasc" in parts and parts["uasc"].height:
            years = [y for f in parts.values() for y in f["__year"].drop_nulls().to_list()]
            data_end = dt.date(max(years), 3, 31) if years else None
            flags, found = checks.uasc_flags(parts["uasc"], header, episodes, data_end)
            read.log.extend(found)
            children = children.join(flags, on=["__la", "child_id"], how="left")
        else:
            children = children.with_columns(uasc=pl.lit(None, pl.String), uasc_ceased=pl.lit(None, pl.Date))
        tables["children"] = children.with_columns(uasc=pl.col("uasc").fill_null("N"))
    if "missing" in parts and parts["missing"].height:
        tables["missing_episodes"] = _latest(parts["missing"], ["__la", "child_id", "missing_start"]).with_columns(
            looked_after=pl.lit("Y")).sort("__la", "child_id", "missing_start")
    if "oc3" in parts and parts["oc3"].height:
        tables["care_leavers"] = _care_leavers(parts["oc3"], header, read)
    if "reviews" in parts and parts["reviews"].height:
        tables["cla_reviews"] = _latest(parts["reviews"], ["__la", "child_id", "review_date"]).sort(
            "__la", "child_id", "review_date")
    return _checked(tables, read)


def _care_leavers(leavers: pl.DataFrame, header: pl.DataFrame | None, read: Read) -> pl.DataFrame:
    """OC3 rows on the birthday in their collection year, aged 17 to 21 then; the others left out."""
    if header is not None:
        leavers = leavers.join(header.select("__la", "child_id", pl.col("date_of_birth").alias("__dob")), on=["__la", "child_id"], how="left")
        leavers = leavers.with_columns(dob=pl.coalesce("dob", "__dob"))
    for file in leavers.filter(pl.col("__year").is_null())["__file"].unique(maintain_order=True).to_list():
        read.log.add(ImportProblem(file, expected="a collection year, which OC3 needs (the status is recorded on the birthday in the "
                                   "year): the file or folder named by the year ending 31 March (e.g. 2024 or 2023-24), or --year",
                                   action=f"{LEFT_OUT} of care_leavers: every row of the file"))
    leavers = leavers.filter(pl.col("__year").is_not_null())
    leavers = _leave_out(leavers, "oc3", pl.col("dob").is_null(), "DOB", "__raw_dob",
                         "a date of birth (in OC3 or the Header), which gives the birthday the status is recorded on", read)
    leavers = leavers.with_columns(reference_date=_birthday_in_year(pl.col("dob"), pl.col("__year")))
    leavers = leavers.with_columns(__age=age_on(pl.col("reference_date"), pl.col("dob")))
    out = leavers.filter(~pl.col("__age").is_between(OC3_AGES.start, OC3_AGES.stop - 1))
    for row in out.iter_rows(named=True):
        read.log.add(ImportProblem(row["__file"], row["__sheet"] or "", row[ROW], "DOB", row["dob"].strftime("%d/%m/%Y"),
                                   f"a care leaver aged 17 to 21 on their birthday in {year_label(row['__year'])}, "
                                   f"but this one is {row['__age']} then",
                                   f"{LEFT_OUT} of care_leavers"))
    leavers = leavers.filter(pl.col("__age").is_between(OC3_AGES.start, OC3_AGES.stop - 1))
    leavers = _latest(leavers, ["__la", "child_id", "reference_date"])
    return leavers.with_columns(
        age_band=pl.when(pl.col("__age") <= 18).then(pl.lit("17-18")).otherwise(pl.lit("19-21")),
    ).sort("__la", "child_id", "reference_date")


def _checked(tables: dict[str, pl.DataFrame], read: Read) -> dict[str, pl.DataFrame]:
    """The tables in the contract's columns (and :data:`EXTRA_COLUMNS`), checked: a table failing the contract is not written."""
    out = {}
    for name, frame in tables.items():
        if frame.height == 0:
            continue
        spec = TABLES[name]
        frame = frame.with_columns(la_code=pl.col("__la"))
        frame = frame.select([
            pl.col(c) if c in frame.columns else pl.lit(None, dtype=pl.Date if spec.column(c).kind == "date" else pl.String).alias(c)
            for c in spec.column_names
        ] + [pl.col(c) for c in EXTRA_COLUMNS.get(name, ()) if c in frame.columns])
        text = frame.with_columns(pl.col(pl.Date).dt.strftime("%Y-%m-%d")).with_columns(pl.all().cast(pl.String))
        errors = [p for p in check_table(text, spec, f"{name}.csv")[1] if p.severity != "warning"]
        if errors:
            read.log.extend(ImportProblem(p.file, column=p.column or "", row=p.row, value=p.value or "", expected=p.message,
                                          action=f"{LEFT_OUT} of {name}: the table was not written") for p in errors)
            continue
        out[name] = frame
    return out


def import_ssda903(paths: Path | str | Sequence[Path | str], out_dir: Path | str, la_code: str | None = None,
                   year: int | None = None, fallback_la: str | None = None,
                   la_names: Mapping[str, str] | None = None) -> ImportResult:
    """Convert SSDA903 files (CSVs, the XML upload, any layout) into canonical ``<table>.csv`` files.

    Parameters
    ----------
    paths : path or sequence of paths
        Folders (a folder per collection year, a folder of files named by
        year, a single year's folder) and files (CSV or XML), read together.
    out_dir : path
        Where to write the tables and ``import-problems.csv``; created if needed.
    la_code : str, optional
        The authority's three-digit DfE number, needed only for files with
        no ``LA`` column; one naming another authority stops the import.
    year : int, optional
        The collection year (ending 31 March) of files whose names and
        folders name none (``--year``).
    fallback_la : str, optional
        An authority guessed elsewhere (from a folder name such as
        ``ssda903_886``), for files with no ``LA`` column when ``la_code`` is
        not given; a file's own ``LA`` column is never overruled by it.
    la_names : mapping of str to str, optional
        Authorities' names to their numbers, for ``LA`` columns holding names
        (``Barking and Dagenham``), e.g. the published neighbour list's
        (``perfkit.published.neighbours``); spelling is forgiven (case, ``&``,
        punctuation). Without it, only numbers are understood.

    Returns
    -------
    ImportResult
        The files written, the log of rows left out and warnings, and the
        problems file; ``status`` is the exit status (0, 1 or 2).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> year = pathlib.Path(tempfile.mkdtemp()) / "2024"
    >>> year.mkdir()
    >>> _ = (year / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\\n7,1,01/01/2010,WBRI,,,\\n8,2,31/02/2011,WBRI,,,\\n")
    >>> _ = (year / "missing.csv").write_text("CHILD,DOB,MISSING,MIS_START,MIS_END\\n7,01/01/2010,M,03/03/2024,04/03/2024\\n")
    >>> result = import_ssda903(year, year.parent / "out", "990")
    >>> [p.name for p in result.written], result.status
    (['children.csv', 'missing_episodes.csv'], 1)
    >>> print(result.log.problems[0])
    2024/header.csv, column 'DOB', row 2: value '31/02/2011': expected a real date written dd/mm/yyyy, e.g. 05/01/2024 (there is no such day); left out of children
    """
    read = read_sources(paths, la_code, year, fallback_la, la_names)
    if read.fatal:
        return ImportResult([], read.log)
    out_dir = Path(out_dir)
    written = write_canonical(read.tables, out_dir) if read.tables else []
    problems_file = None
    if written:
        problems_file = read.log.write(out_dir)
    return ImportResult(written, read.log, problems_file)


def read_strict(paths: Path | str | Sequence[Path | str], la_code: str | None = None, year: int | None = None) -> dict[str, pl.DataFrame]:
    """The canonical tables, or :class:`ContractError` if anything was left out or stopped the import (warnings pass)."""
    read = read_sources(paths, la_code, year)
    serious = [p for p in read.log.problems if p.left_out or p.action.startswith("nothing imported")]
    if read.fatal or serious:
        raise ContractError([Problem(p.source + (f", {p.sheet}" if p.sheet else ""),
                                     f"expected {p.expected}" + (f"; {p.action}" if p.action else ""),
                                     p.column or None, p.row, p.value or None) for p in serious])
    return read.tables
