"""CIN census XML returns (the children in need census every council makes): read into canonical tables.

A return is one XML file, ``Message/Header`` then ``Message/Children/Child``
(read by :mod:`perfkit.formats.cin_census_read`, streaming). Each return is
one authority (``Header/Source/LEA``, the three-digit DfE number, gives
``la_code``) and one collection year, the year ending on
``Header/CollectionDetails/ReferenceDate`` (31 March; ``Year`` is used where
there is no ReferenceDate; where the two disagree the ReferenceDate wins, with
a warning). :func:`perfkit.synth.cin_census.write_cin_census` writes one.

================================================  ==========================================================
CIN census                                        canonical
================================================  ==========================================================
ChildIdentifiers/LAchildID                        ``children.child_id`` (and every table's)
GenderCurrent (1, 2, 0, 9) or Sex (M, F, U)       ``sex``: 1/M is M, 2/F is F, anything else U
PersonBirthDate, else ExpectedPersonBirthDate     ``date_of_birth`` (the expected date for a child unborn at
                                                  the census, with a warning)
ChildCharacteristics/Ethnicity                    ``ethnicity``
Disabilities/Disability                           ``disability``: N if only NONE, Y if any other code
CINdetails (one per episode of need)              ``referrals``: CINreferralDate, ReferralSource,
                                                  ReferralNFA (``nfa``), CINclosureDate, ReasonForClosure,
                                                  PrimaryNeedCode
CINdetails/Assessments                            ``assessments``: AssessmentActualStartDate,
                                                  AssessmentAuthorisationDate; ``referral_id`` its CINdetails'
CINdetails/Section47                              ``section47``: S47ActualStartDate, DateOfInitialCPC,
                                                  ICPCnotRequired
CINdetails/ChildProtectionPlans                   ``cp_plans``: CPPstartDate, CPPendDate, Initial- and
                                                  LatestCategoryOfAbuse; NumberOfPreviousCPP as
                                                  ``previous_plans`` (a repeat plan counts it)
================================================  ==========================================================

Not carried (the contract has no place for them): UPN, FormerUPN,
UPNunknown, PersonDeathDate, the disability codes themselves, CINPlanDates,
AssessmentInternalReviewDate, AssessmentFactors, InitialCPCtarget,
CINdetails/DateOfInitialCPC and CPP review dates. The census has no
``uasc``, ``district``, ``needs_support`` or ``cp_plan`` (left empty), and no
contacts, visits, care episodes or population: figures counted from those are
"not available from this data".

Ids
---
The census numbers nothing but the child, so a record's id is made the way
the XML nests it: its parent's id (the child's for a referral, the
referral's for what a CINdetails holds), a letter for the kind of record,
and its start date::

    referral_id    = LAchildID   + ":R" + CINreferralDate            DfEX0000001:R2022-10-06
    assessment_id  = referral_id + ":A" + AssessmentActualStartDate  DfEX0000001:R2022-10-06:A2022-10-07
    s47_id         = referral_id + ":S" + S47ActualStartDate
    plan_id        = referral_id + ":P" + CPPstartDate

(a section 47 enquiry or plan whose CINdetails has no readable referral
date hangs from the child instead: ``DfEX0000001:S2022-10-09``). The same
record in two returns has the same id, so it is counted once; two of one
child's referrals on the same day, or two records of one kind starting on the
same day in one referral, are one record.

Several returns
---------------
Returns may be given together (several years, several authorities). A record
open across years is in each year's return: it is kept once, each value taken
from the latest return that gives one (by collection year, then the order the
files were given), so a closure recorded in a later year fills it in. Where
two returns give different values a figure is counted from (a birth date,
``ReferralNFA``, a closure, authorisation, conference or plan end date) it is
a warning naming both files; a birth date replaces an expected birth date
without one. A record listed twice in one return is read once, with a warning.

What a bad value does
---------------------
Nothing is all-or-nothing: a record with a value that cannot be read is left
out of the table that needs it and the rest are imported; each decision is a
row of ``import-problems.csv`` (see :mod:`perfkit.formats.import_log`). A
value no indicator is counted from (the catalogue's ``needs``) is blanked
with a warning and the record kept; where the contract requires such a value
it is read as DfE's "unknown" code (``sex`` U, ``ethnicity`` NOBT,
``referral_source`` 10), and a missing category of abuse as the plan's other
category. A start date after the census reference date (or after today) is
left out: that record belongs to a later return. An end date after the
reference date is read as not yet ended then (blanked, with a warning). A
child with no readable birth date is left out of ``children`` only: their
records are kept (and counted without sex, age or ethnicity).

Coverage
--------
A return holds every child in need at any time in its year, so records
starting before the year are only those still open on 1 April. Give every
year's return a figure reads from: re-referrals look back 12 months before
each referral (where the earliest return's year has no year before it, those
figures are not available: see docs/availability.md), while a repeat plan
counts NumberOfPreviousCPP (``previous_plans``) as well as earlier plans in the
returns. Each import says, in a warning per authority, that re-referrals in
the earliest year given need the year before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

import polars as pl

from perfkit.formats.canonical import write_canonical
from perfkit.formats.cin_census_read import ReturnRows, read_return
from perfkit.formats.cin_census_values import COLUMNS, POSITION, problem, row_schema
from perfkit.formats.import_log import ImportLog, ImportResult
from perfkit.records.contract import TABLES

TABLE_ORDER = ("children", "referrals", "assessments", "section47", "cp_plans")
KEYS = {"children": "child_id", "referrals": "referral_id", "assessments": "assessment_id", "section47": "s47_id",
        "cp_plans": "plan_id"}
EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {}
"""Columns written beside the contract's (the contract allows extra columns): none now."""

_ELEMENTS = {
    ("children", "dob_actual"): ("PersonBirthDate", "ChildIdentifiers", "child"),
    ("referrals", "nfa"): ("ReferralNFA", "CINdetails", "referral"),
    ("referrals", "closure_date"): ("CINclosureDate", "CINdetails", "referral"),
    ("assessments", "authorised_date"): ("AssessmentAuthorisationDate", "CINdetails/Assessments", "assessment"),
    ("section47", "icpc_date"): ("DateOfInitialCPC", "CINdetails/Section47", "section 47 enquiry"),
    ("cp_plans", "end_date"): ("CPPendDate", "CINdetails/ChildProtectionPlans", "plan"),
}
"""The values that, given differently by two returns, are a warning: those a figure is counted from."""


def _paths(files: Iterable[str | Path]) -> list[Path]:
    """The files given, a folder standing for the ``.xml`` files in it."""
    paths: list[Path] = []
    for item in files:
        item = Path(item)
        if item.is_dir():
            paths += sorted(p for p in item.iterdir() if p.is_file() and p.suffix.lower() == ".xml")
        else:
            paths.append(item)
    return paths


def _labels(paths: Sequence[Path]) -> list[str]:
    """How problems name each file: its name, or its path where two files share a name."""
    names = [p.name for p in paths]
    return [p.name if names.count(p.name) == 1 else str(p) for p in paths]


def _frames(ordered: list[ReturnRows]) -> dict[str, pl.DataFrame]:
    """Every return's rows, one frame per table, in merge order (``__rank``); each return's rows let go as taken."""
    frames: dict[str, list[pl.DataFrame]] = {name: [] for name in COLUMNS}
    for rank, result in enumerate(ordered):
        for name in COLUMNS:
            frames[name].append(result.table(name).with_columns(__rank=pl.lit(rank, pl.Int32),
                                                                __source=pl.lit(result.source)))
    empty = {"__rank": pl.Int32, "__source": pl.String}
    return {name: pl.concat(parts) if parts else pl.DataFrame(schema={**row_schema(name), **empty})
            for name, parts in frames.items()}


_STARTS = {
    "children": ("LAchildID", "Child", "child", "one Child per LAchildID in a return"),
    "referrals": ("CINreferralDate", "CINdetails", "referral",
                  "one CINdetails per CINreferralDate for a child (two would be overlapping episodes)"),
    "assessments": ("AssessmentActualStartDate", "CINdetails/Assessments", "assessment",
                    "one Assessments per AssessmentActualStartDate in a CINdetails"),
    "section47": ("S47ActualStartDate", "CINdetails/Section47", "section 47 enquiry",
                  "one Section47 per S47ActualStartDate in a CINdetails"),
    "cp_plans": ("CPPstartDate", "CINdetails/ChildProtectionPlans", "plan",
                 "one ChildProtectionPlans per CPPstartDate in a CINdetails"),
}


def _repeats(table: str, frame: pl.DataFrame, log: ImportLog) -> None:
    """A warning for each record one return lists twice (read as one record)."""
    key = KEYS[table]
    twice = frame.filter(pl.len().over("la_code", key, "__rank") > 1)
    if twice.height == 0:
        return
    element, where, noun, expected = _STARTS[table]
    where = "" if table == "children" else "/" + where
    found = twice.group_by("la_code", key, "__rank", maintain_order=True).agg(
        *([pl.col("child_id").first()] if key != "child_id" else []), pl.col("__source").first(), pl.col(POSITION))
    for row in found.iter_rows(named=True):
        log.add(problem(
            row["__source"], f"Children/Child[LAchildID='{row['child_id']}']{where}", row[POSITION][-1], element,
            row[key], expected + f" (here in Child {', '.join(str(p) for p in dict.fromkeys(row[POSITION]))})",
            f"read as one {noun}, each value the later one's where both give one"))


def _conflicts(table: str, frame: pl.DataFrame, log: ImportLog) -> None:
    """A warning for each record two returns give different values of a figure's column (the later kept)."""
    key = KEYS[table]
    repeated = frame.filter(pl.col("__rank").n_unique().over("la_code", key) > 1)
    if repeated.height == 0:
        return
    for (name, column), (element, where, noun) in _ELEMENTS.items():
        if name != table:
            continue
        found = (repeated.filter(pl.col(column).is_not_null())
                 .group_by("la_code", key, maintain_order=True)
                 .agg(*([pl.col("child_id").last()] if key != "child_id" else []), pl.col(column), pl.col("__source"),
                      pl.col(POSITION), pl.col(column).n_unique().alias("__n"))
                 .filter(pl.col("__n") > 1))
        for row in found.iter_rows(named=True):
            values = [v.isoformat() if isinstance(v, dt.date) else str(v) for v in row[column]]
            given = "; ".join(f"{v} ({source}, Child {pos})" for v, source, pos in zip(values, row["__source"], row[POSITION]))
            log.add(problem(
                row["__source"][-1], f"Children/Child[LAchildID='{row['child_id']}']/{where}", row[POSITION][-1],
                element, given, f"one {element} for the {noun} in every return that lists it",
                f"kept {values[-1]}, from {row['__source'][-1]} (the later return)"))


def _merge(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """One row per record: each value the latest given (by return, then position in the file)."""
    key = KEYS[table]
    values = [c for c in COLUMNS[table] if c not in ("child_id", key)]
    return (frame.sort("__rank", POSITION, maintain_order=True)
            .group_by("la_code", key, maintain_order=True)
            .agg(*([pl.col("child_id").last()] if key != "child_id" else []),
                 *[pl.col(c).drop_nulls().last() for c in values], pl.col("__source").last(), pl.col(POSITION).last())
            .sort("la_code", key))


def _children(merged: pl.DataFrame, log: ImportLog) -> pl.DataFrame:
    """The children table: a child with no readable birth date is left out (their records stay)."""
    merged = merged.with_columns(date_of_birth=pl.coalesce("dob_actual", "dob_expected"))
    for row in merged.filter(pl.col("date_of_birth").is_null()).iter_rows(named=True):
        element, _, value = (row["dob_bad"] or "PersonBirthDate").partition(" ")
        log.add(problem(
            row["__source"], f"Children/Child[LAchildID='{row['child_id']}']/ChildIdentifiers", row[POSITION], element,
            value, "a PersonBirthDate, or for a child unborn at the census an ExpectedPersonBirthDate, written "
                   "YYYY-MM-DD and not after today",
            "left out of children (the contract needs a date of birth); the child's records are kept, counted "
            "without sex, age or ethnicity"))
    for row in merged.filter(pl.col("dob_actual").is_null() & pl.col("dob_expected").is_not_null()).iter_rows(named=True):
        log.add(problem(
            row["__source"], f"Children/Child[LAchildID='{row['child_id']}']/ChildIdentifiers", row[POSITION],
            "ExpectedPersonBirthDate", row["dob_expected"].isoformat(), "a PersonBirthDate (the child was unborn at "
            "the census)", "read as date_of_birth; kept in children"))
    return merged.filter(pl.col("date_of_birth").is_not_null()).with_columns(
        uasc=pl.lit(None, pl.String), district=pl.lit(None, pl.String))


def _coverage(tables: dict[str, pl.DataFrame], ordered: list[ReturnRows], log: ImportLog) -> None:
    """Warnings where the returns given hold too little history for a figure: one of each per authority."""
    for la in dict.fromkeys(r.header.la_code for r in ordered):
        mine = [r for r in ordered if r.header.la_code == la]
        first = mine[0]
        if first.header.year is not None and "referrals" in tables:
            year = first.header.year
            log.add(problem(
                first.source, "Message/Header/CollectionDetails", None, "ReferenceDate", str(first.header.reference_date),
                f"also the {year - 2}-{(year - 1) % 100:02d} return (a re-referral is one within 12 months of an "
                "earlier referral)",
                f"kept: the referrals before 1 April {year - 1} are only those still open then, so re-referrals in "
                f"{year - 1}-{year % 100:02d} have no figure (not available from this data) unless the year before is "
                "imported too"))


def _shaped(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The contract's columns in its order (absent ones empty), then this format's extra columns."""
    spec = TABLES[name]
    columns = [pl.col(c) if c in frame.columns
               else pl.lit(None, dtype=pl.Date if spec.column(c).kind == "date" else pl.String).alias(c)
               for c in spec.column_names]
    return frame.select(columns + [pl.col(c) for c in EXTRA_COLUMNS.get(name, ())])


def read_cin_census(files: Iterable[str | Path], today: dt.date | None = None) -> tuple[dict[str, pl.DataFrame], ImportLog]:
    """Read CIN census returns into canonical tables, with what was left out or changed.

    Parameters
    ----------
    files : iterable of path
        CIN census XML files (a folder stands for the ``.xml`` files in it),
        of one or several years and authorities.
    today : date, optional
        Dates after it are left out (the loader refuses future dates).

    Returns
    -------
    tables : dict of str to polars.DataFrame
        ``children``, ``referrals``, ``assessments``, ``section47`` and
        ``cp_plans``, those with rows, dates as ``Date``, in the contract's
        column order (``cp_plans`` with ``previous_plans`` after).
    log : ImportLog
        Every record left out and every value blanked or read otherwise.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "cin.xml"
    >>> _ = path.write_text(
    ...     "<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2024</Year>"
    ...     "<ReferenceDate>2024-03-31</ReferenceDate></CollectionDetails><Source><LEA>990</LEA></Source></Header>"
    ...     "<Children><Child><ChildIdentifiers><LAchildID>A1</LAchildID><PersonBirthDate>2015-06-01</PersonBirthDate>"
    ...     "<Sex>F</Sex></ChildIdentifiers><ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>"
    ...     "<CINdetails><CINreferralDate>2023-05-02</CINreferralDate><ReferralSource>2A</ReferralSource>"
    ...     "<Assessments><AssessmentActualStartDate>2023-05-03</AssessmentActualStartDate>"
    ...     "<AssessmentAuthorisationDate>2023-06-20</AssessmentAuthorisationDate></Assessments>"
    ...     "<ReferralNFA>false</ReferralNFA></CINdetails>"
    ...     "<CINdetails><CINreferralDate>2023-13-01</CINreferralDate><ReferralNFA>true</ReferralNFA></CINdetails>"
    ...     "</Child></Children></Message>")
    >>> tables, log = read_cin_census([path])
    >>> tables["referrals"].select("child_id", "referral_id", "referral_date", "nfa").rows()
    [('A1', 'A1:R2023-05-02', datetime.date(2023, 5, 2), 'N')]
    >>> tables["assessments"].select("assessment_id", "referral_id").rows()
    [('A1:R2023-05-02:A2023-05-03', 'A1:R2023-05-02')]
    >>> print(log.problems[0])
    cin.xml, sheet "Children/Child[LAchildID='A1']/CINdetails[2]", column 'CINreferralDate', row 1: value '2023-13-01': expected a date written YYYY-MM-DD; left out of referrals
    """
    paths = _paths([files] if isinstance(files, (str, Path)) else files)
    log = ImportLog()
    returns = [read_return(path, label, today) for path, label in zip(paths, _labels(paths))]
    for result in returns:
        log.extend(result.problems)
    usable = [r for r in returns if r.usable]
    seen: dict[tuple[str | None, int | None], str] = {}
    for result in usable:
        at = (result.header.la_code, result.header.year)
        if result.header.year is not None and at in seen:
            log.add(problem(result.source, "Message/Header/CollectionDetails", None, "ReferenceDate",
                                  str(result.header.reference_date), f"one return for authority {at[0]} in {at[1]}",
                                  f"merged with {seen[at]}: where both list a record, this file's values are kept"))
        seen.setdefault(at, result.source)
    # later collection years win; a return of unknown year counts as the earliest; then the order given
    ordered = [r for _, r in sorted(enumerate(usable), key=lambda pair: (pair[1].header.year or 0, pair[0]))]
    frames = _frames(ordered)
    tables: dict[str, pl.DataFrame] = {}
    for name in TABLE_ORDER:
        _repeats(name, frames[name], log)
        _conflicts(name, frames[name], log)
        merged = _merge(name, frames.pop(name))
        if name == "children":
            merged = _children(merged, log)
        if merged.height:
            tables[name] = _shaped(name, merged)
    _coverage(tables, ordered, log)
    return tables, log


def import_cin_census(files: Iterable[str | Path], out_dir: str | Path, today: dt.date | None = None) -> ImportResult:
    """Convert CIN census returns into canonical ``<table>.csv`` files, and ``import-problems.csv`` beside them.

    Records with values that cannot be read are left out of the tables that
    need them and the rest written (see the module's notes); where nothing
    usable was found no table is written (``status`` 2).

    Parameters
    ----------
    files : iterable of path
        CIN census XML files, or folders of them: one or several years and authorities.
    out_dir : path
        Where to write; created if needed.
    today : date, optional
        Dates after it are left out.

    Returns
    -------
    ImportResult
        The tables written, the log, the problems file; ``status`` 0 when
        nothing was left out, 1 when records were, 2 when nothing was usable.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "cin.xml").write_text("<Message><Header><Source><LEA>99</LEA></Source></Header><Children/></Message>")
    >>> result = import_cin_census([folder / "cin.xml"], folder / "out")
    >>> result.status, result.written, result.problems_file.name
    (2, [], 'import-problems.csv')
    """
    out_dir = Path(out_dir)
    tables, log = read_cin_census(files, today)
    written = write_canonical(tables, out_dir) if tables else []
    out_dir.mkdir(parents=True, exist_ok=True)
    return ImportResult(written, log, log.write(out_dir))
