"""Annex A, read row by row: find the lists in a workbook, CSV or folder, and read each list's rows.

What each list's rows become, and the rules behind every decision, are in
:mod:`perfkit.formats.annex_a`; the lists' headings and answers in
:mod:`perfkit.formats.annex_a_lists`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from perfkit.errors import ContractError
from perfkit.formats.annex_a_lists import DISTINCTIVE, LISTS
from perfkit.formats.cleaning import heading_key
from perfkit.formats.columns import (
    ROW,
    Extracted,
    blocks,
    extract,
    flag_order,
    log_structure,
    settle,
)
from perfkit.formats.grids import read_csv_grid, read_xlsx_grids
from perfkit.formats.import_log import LEFT_OUT, ImportLog, ImportProblem
from perfkit.records.problems import Problem

CONVERTED = (1, 2, 3, 4, 5, 6, 7, 8, 9)
_LIST_NAME = re.compile(r"list[\s_-]*(\d{1,2})(?!\d)", re.IGNORECASE)
_LA_IN_NAME = re.compile(r"(?<!\d)(\d{3})(?!\d)")

CHILD_DETAILS = ("sex", "ethnicity", "date_of_birth", "disability", "uasc")
"""A child's details, settled once per child (from every list), not row by row."""

ROUTES: dict[int, dict[str, dict[str, str]]] = {
    1: {"contacts": {"child_id": "child_id", "contact_date": "contact_date", "contact_source": "contact_source",
                     "outcome": "outcome"}},
    2: {"early_help": {"child_id": "child_id", "eh_start": "eh_start", "eh_end": "assessment_end",
                       "organisation": "organisation"}},
    3: {"referrals": {"child_id": "child_id", "referral_date": "referral_date", "referral_source": "referral_source",
                      "nfa": "nfa"}},
    4: {"assessments": {"child_id": "child_id", "start_date": "start_date", "authorised_date": "authorised_date",
                        "needs_support": "needs_support"}},
    5: {"section47": {"child_id": "child_id", "start_date": "start_date", "icpc_date": "icpc_date",
                      "icpc_not_required": "icpc_not_required", "cp_plan": "cp_plan"}},
    6: {"referrals": {"child_id": "child_id", "cin_start": "referral_date", "primary_need": "primary_need",
                      "closure_date": "closure_date", "closure_reason": "closure_reason"}},
    7: {"cp_plans": {"child_id": "child_id", "start_date": "start_date", "end_date": "end_date",
                     "initial_category": "initial_category", "latest_category": "latest_category"},
        "cp_visits": {"child_id": "child_id", "start_date": "plan_id", "visit_date": "visit_date",
                      "seen_alone": "seen_alone"}},
    8: {"cla_episodes": {"child_id": "child_id", "episode_start": "episode_start", "episode_end": "episode_end",
                         "legal_status": "legal_status", "category_of_need": "category_of_need",
                         "placement_type": "placement_type", "placement_provider": "placement_provider",
                         "placement_la": "placement_la", "reason_ceased": "reason_ceased"}},
    9: {"care_leavers": {"child_id": "child_id", "reference_date": "reference_date", "in_touch": "in_touch",
                         "accommodation_type": "accommodation", "suitable": "accommodation", "activity": "activity"}},
}
"""Which tables each list's rows go to, and the table column each field becomes (what a bad value costs)."""

ORDERS: dict[int, tuple[tuple[str, str], ...]] = {
    2: (("eh_start", "eh_end"),),
    4: (("start_date", "authorised_date"),), 5: (("start_date", "icpc_date"),), 6: (("cin_start", "closure_date"),),
    7: (("start_date", "end_date"),), 8: (("episode_start", "episode_end"),),
}
"""Dates that cannot be before another of the same row (the contract's date order)."""

KEYED: dict[int, tuple[str, tuple[str, ...]]] = {2: ("early_help", ("child_id", "eh_start")),
                                                 8: ("cla_episodes", ("child_id", "episode_start")),
                                                 9: ("care_leavers", ("child_id", "reference_date"))}
"""Lists whose rows must be unique by child and date (the table's key)."""


# --------------------------------------------------------------------------
# finding the lists


@dataclass(frozen=True)
class _Grid:
    number: int
    label: str
    source: str
    sheet: str
    grid: pl.DataFrame


def _list_number(name: str, grid: pl.DataFrame) -> int | None:
    match = _LIST_NAME.search(name)
    if match and 1 <= int(match.group(1)) <= 11:
        return int(match.group(1))
    cells = {heading_key(c) for row in grid.head(10).iter_rows() for c in row if c is not None}
    for number, heading in DISTINCTIVE.items():
        if heading_key(heading) in cells:
            return number
    return None


def _file_problem(problem: Problem, source: str) -> ImportProblem:
    """A problem of a whole file (from the readers) as an import problem: the file was not read."""
    found, _, expected = problem.message.rpartition(": expected ")
    if not found:
        found, expected = problem.message, "an Annex A workbook (.xlsx) or a CSV of one list"
    return ImportProblem(source, "", None, "", "", expected, f"{LEFT_OUT} of every table: the file was not read ({found})")


def find_lists(source: Path, log: ImportLog) -> tuple[dict[int, _Grid], list[Problem]]:
    """The lists found in ``source`` (workbook, CSV or folder), by list number; and what stops the import."""
    fatal: list[Problem] = []
    found: dict[int, _Grid] = {}
    if not source.exists():
        return found, [Problem(str(source), "does not exist: expected an Annex A workbook (.xlsx), a CSV of one list or a folder of them")]
    folder = source.is_dir()
    files = sorted(p for p in source.iterdir() if p.suffix.lower() in (".xlsx", ".xlsm", ".csv")) if folder else [source]
    for path in files:
        if path.name.startswith("~$"):
            continue
        try:
            if path.suffix.lower() in (".xlsx", ".xlsm"):
                sheets = [(f"{path.name}, sheet {name!r}", name, grid) for name, grid in read_xlsx_grids(path).items()]
            elif path.suffix.lower() == ".csv":
                sheets = [(path.name, "", read_csv_grid(path))]
            else:
                raise ContractError([Problem(str(path), "is not an Annex A file: expected .xlsx or .csv")])
        except ContractError as exc:
            if not folder:
                return found, list(exc.problems)
            for problem in exc.problems:
                log.add(_file_problem(problem, path.name))
            continue
        for label, sheet, grid in sheets:
            number = _list_number(sheet or path.stem, grid) if grid.height else None
            if number is None:
                if path.suffix.lower() == ".csv":
                    problem = ImportProblem(path.name, "", None, "", "",
                                            "'List <n>' in the file name or the list's headings (e.g. 'Date of Contact' for List 1)",
                                            "file not read: cannot tell which Annex A list it is")
                    if not folder:
                        return found, [Problem(label, "cannot tell which Annex A list this is: expected 'List <n>' in the "
                                                      "file name or the list's headings (e.g. 'Date of Contact' for List 1)")]
                    log.add(problem)
                continue
            if number in found:
                tables = ", ".join(ROUTES.get(number, ())) if number in CONVERTED else ""
                log.add(ImportProblem(path.name, sheet, None, "", "", f"each list once (List {number} is also in {found[number].label})",
                                      f"{LEFT_OUT} of {tables}: a second copy of the list" if tables else "not read: a second copy of the list"))
                continue
            found[number] = _Grid(number, label, path.name, sheet, grid)
    return found, fatal


def la_code_of(source: Path, la_code: str | None) -> tuple[str | None, list[Problem]]:
    """The authority: as given, else a three-digit number in the file's (or folder's) name."""
    if la_code:
        return str(la_code), []
    for part in (source.stem, source.parent.name if source.is_file() else source.name):
        match = _LA_IN_NAME.search(part)
        if match:
            return match.group(1), []
    return None, [Problem(str(source), "Annex A does not say which authority it is for: pass la_code (the three-digit DfE LA number) or put it in the file name, e.g. 990_annex_a.xlsx")]


# --------------------------------------------------------------------------
# reading, row by row


@dataclass
class ListsRead:
    """The lists read: each usable list's extraction, and its rows for each table it feeds."""

    log: ImportLog
    extracted: dict[int, Extracted]
    rows: dict[int, dict[str, pl.DataFrame]]

    def problem(self, number: int, row: int | None, key: str, value: str, expected: str, action: str) -> None:
        ex = self.extracted[number]
        self.log.add(ImportProblem(ex.source, ex.sheet, row, ex.heading(key) if key else "", value, expected, action))


def _needs(number: int) -> dict[str, set[str]]:
    needs = {table: {k for k, column in columns.items() if blocks(table, column)} for table, columns in ROUTES[number].items()}
    if number == 7:  # a visit is of a plan: a row left out of cp_plans is left out of cp_visits
        needs["cp_visits"] |= needs["cp_plans"]
    return needs


def shown(value) -> str:
    """A value as the problems file shows it (a date as dd/mm/yyyy, as the user wrote it)."""
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else str(value)


def _unique_rows(read: ListsRead, number: int) -> None:
    """Rows of one child with the same date in a keyed list: one row if they agree, none if they differ."""
    table, key = KEYED[number]
    frame = read.rows[number][table]
    carried = [c for c in ROUTES[number][table] if c in frame.columns]
    groups = frame.filter(pl.struct(list(key)).is_duplicated())
    if groups.height == 0:
        return
    drop: list[int] = []
    for _, group in groups.group_by(list(key), maintain_order=True):
        group = group.sort(ROW)
        rows = group[ROW].to_list()
        what = ", ".join(read.extracted[number].heading(k) for k in key)
        if group.select(carried).unique().height == 1:
            for row in rows[1:]:
                read.problem(number, row, key[-1], shown(group[key[-1]][0]), f"each {what} once",
                             f"not repeated: the same as row {rows[0]}")
            drop += rows[1:]
        else:
            for row in rows:
                others = [str(r) for r in rows if r != row]
                said = f"row {others[0]} gives" if len(others) == 1 else f"rows {', '.join(others)} give"
                read.problem(number, row, key[-1], shown(group[key[-1]][0]),
                             f"each {what} once ({said} the same, with other details)", f"{LEFT_OUT} of {table}")
            drop += rows
    read.rows[number][table] = frame.filter(~pl.col(ROW).is_in(drop))


def read_lists(grids: dict[int, _Grid], log: ImportLog) -> ListsRead:
    """Read every list row by row: what each bad value costs is decided (and logged) here, list by list."""
    read = ListsRead(log, {}, {})
    for number, g in sorted(grids.items()):
        if number not in CONVERTED:
            continue
        extracted = extract(g.grid, g.label, LISTS[number], source=g.source, sheet=g.sheet)
        if not extracted.usable:
            tables = list(ROUTES[number])
            action = (f"{LEFT_OUT} of {', '.join(tables)}: the whole list ({extracted.rows} row{'s' if extracted.rows != 1 else ''})" if tables
                      else "list not used: contact outcomes are derived without it")
            log_structure(extracted, log, action)
            continue
        log_structure(extracted, log, "")
        for start, end in ORDERS.get(number, ()):
            extracted = flag_order(extracted, start, end)
        read.extracted[number] = extracted
        read.rows[number] = settle(extracted, log, _needs(number), quiet=CHILD_DETAILS) if ROUTES[number] else {}
        if number in KEYED:
            _unique_rows(read, number)
    return read
