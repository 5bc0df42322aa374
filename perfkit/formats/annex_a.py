"""Ofsted Annex A: read a workbook (or CSVs of its lists) into canonical tables.

Annex A is the child-level data Ofsted asks for at an inspection of local
authority children's services (ILACS): one list per sheet, with published
headings, ``dd/mm/yyyy`` dates and coded answers such as ``"a) Yes"``,
``"a) 1A: Individual"``, ``"C2: FCO"`` or ``"N1 - Abuse or neglect"``.

Which lists are read, and what they become
------------------------------------------
A sheet (or CSV file) is recognised by ``List <n>`` in its name, else by its
headings. Every list needs ``Child Unique ID``; the authority is not in the
data, so ``la_code`` is given, or read from a three-digit number in the file
or folder name (``990_annex_a.xlsx``).

=========================  ======================================================================
List                       canonical table: columns carried
=========================  ======================================================================
1 contacts                 ``contacts``: child_id, contact_date, contact_source, outcome (see below)
2 early help               not converted (no canonical table); only used to derive contact outcomes
3 referrals                ``referrals``: child_id, referral_date, referral_source, nfa
6 children in need         ``referrals``: primary_need, closure_date, closure_reason (joined on
                           child and ``CIN Start Date`` = ``Date of referral``)
4 assessments              ``assessments``: child_id, start_date, authorised_date, needs_support
5 section 47 enquiries     ``section47``: child_id, start_date, icpc_date, icpc_not_required, cp_plan
7 child protection         ``cp_plans``: child_id, start_date, end_date, initial_category,
                           latest_category; ``cp_visits``: the last statutory visit of each plan
                           (visit_date, seen_alone)
8 children looked after    ``cla_episodes``: one row per period of care (see below)
9 care leavers             ``care_leavers``: reference_date, age_band, in_touch, activity,
                           accommodation
10 adoption, 11 adopters   not converted (no canonical table)
all lists                  ``children``: child_id, sex, date_of_birth, ethnicity; disability
                           (lists 4-9), uasc (lists 8-9)
=========================  ======================================================================

Not carried, so not written: ``missing_episodes`` (List 8 has only counts),
``workforce``, ``ehcp_requests``, ``population``; ``children.district``;
``cla_episodes.placement_district`` and ``reason_place_change``.

Rules where Annex A lacks what the contract needs
-------------------------------------------------
- **Ids.** Annex A has no event ids, so they are made from the child and the
  date: ``REF-<child>-<yyyymmdd>`` (``CON``, ``ASM``, ``S47``, ``CPP`` for the
  others), with ``-2``, ``-3`` ... for a second event the same day. An
  assessment is linked to the child's latest referral on or before its start
  date that was not closed as no further action (else the latest of any);
  with none in List 3 its ``referral_id`` is ``REF-<child>-unknown``. Annex A
  does not record the link, so two referrals of one child a day or two apart
  can be linked the other way round from the case record.
- **Contact outcome.** The published List 1 has none. A ``Contact Outcome``
  column (a perfkit addition, written by
  :func:`~perfkit.formats.annex_a_write.write_annex_a`: ``a) Referral``,
  ``b) Early help``, ``c) No further action``, ``d) Information and advice``)
  is used when present. Otherwise the outcome is derived: ``referral`` if the
  child has a List 3 referral dated from the contact date to 7 days after it,
  else ``early_help`` if List 2 has an early help assessment starting in that
  window, else ``nfa``.
- **Periods of care.** List 8 has one row per child looked after, with the
  current legal status and placement. Each becomes one ``cla_episodes`` row:
  ``episode_start`` = Date Started to be Looked After, ``rne`` = S, the
  current legal status, category of need, placement type and provider,
  ``placement_la`` = LA of Placement, ``episode_end`` = Date Ceased and
  ``reason_ceased``. Placement moves within a period are not in Annex A, so
  the placement-stability indicators need SSDA903 data.
- **Care leavers.** ``reference_date`` = Latest Date of Contact (required: the
  status fields describe what was known then); ``age_band`` from the age on
  that date (18 or under: ``17-18``; else ``19-21``); ``accommodation`` = the
  Type of Accommodation letter plus ``1`` (Suitable) or ``2`` (Unsuitable).
- **Children.** A child's sex, date of birth and ethnicity come from the
  first list that has them (in list order); ``disability`` and ``uasc`` are
  ``Y`` if any list says Yes, ``N`` if any says No, blank if unknown.

A list with headings but no rows gives no table.

The lists' headings and coded answers are declared in
:mod:`perfkit.formats.annex_a_lists`; :mod:`perfkit.formats.annex_a_write`
writes a workbook.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from perfkit.errors import ContractError
from perfkit.formats.annex_a_lists import DISTINCTIVE, LISTS
from perfkit.formats.canonical import contract_tables, write_canonical
from perfkit.formats.cleaning import normalise_heading
from perfkit.formats.columns import ROW, extract, raise_problems
from perfkit.formats.grids import read_csv_grid, read_xlsx_grids
from perfkit.indicators.children import age_on
from perfkit.records.checks import check_table
from perfkit.records.contract import TABLES
from perfkit.records.problems import Problem

CONVERTED = (1, 2, 3, 4, 5, 6, 7, 8, 9)
_LIST_NAME = re.compile(r"list[\s_-]*(\d{1,2})(?!\d)", re.IGNORECASE)
_LA_IN_NAME = re.compile(r"(?<!\d)(\d{3})(?!\d)")
OUTCOME_WINDOW_DAYS = 7


# --------------------------------------------------------------------------
# reading


def _list_number(name: str, grid: pl.DataFrame) -> int | None:
    match = _LIST_NAME.search(name)
    if match and 1 <= int(match.group(1)) <= 11:
        return int(match.group(1))
    cells = {normalise_heading(c) for row in grid.head(10).iter_rows() for c in row if c is not None}
    for number, heading in DISTINCTIVE.items():
        if normalise_heading(heading) in cells:
            return number
    return None


def _grids(source: Path) -> tuple[dict[int, tuple[str, pl.DataFrame]], list[Problem]]:
    """The lists found in ``source`` (workbook, CSV or folder), by list number."""
    problems: list[Problem] = []
    found: dict[int, tuple[str, pl.DataFrame]] = {}
    if not source.exists():
        return found, [Problem(str(source), "does not exist: expected an Annex A workbook (.xlsx), a CSV of one list or a folder of them")]
    files = sorted(p for p in source.iterdir() if p.suffix.lower() in (".xlsx", ".xlsm", ".csv")) if source.is_dir() else [source]
    for path in files:
        if path.name.startswith("~$"):
            continue
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            try:
                sheets = [(f"{path.name}, sheet {name!r}", name, grid) for name, grid in read_xlsx_grids(path).items()]
            except ContractError as exc:
                problems += exc.problems
                continue
        elif path.suffix.lower() == ".csv":
            try:
                sheets = [(path.name, path.stem, read_csv_grid(path))]
            except ContractError as exc:
                problems += exc.problems
                continue
        else:
            problems.append(Problem(path.name, "is not an Annex A file: expected .xlsx or .csv"))
            continue
        for label, name, grid in sheets:
            number = _list_number(name, grid) if grid.height else None
            if number is None:
                if not source.is_dir() and path.suffix.lower() == ".csv":
                    problems.append(Problem(label, "cannot tell which Annex A list this is: expected 'List <n>' in the file name or the list's headings (e.g. 'Date of Contact' for List 1)"))
                continue
            if number in found:
                problems.append(Problem(label, f"List {number} is given twice (also in {found[number][0]}): expected each list once"))
                continue
            found[number] = (label, grid)
    return found, problems


def _la_code(source: Path, la_code: str | None) -> tuple[str | None, list[Problem]]:
    if la_code:
        return str(la_code), []
    for part in (source.stem, source.parent.name if source.is_file() else source.name):
        match = _LA_IN_NAME.search(part)
        if match:
            return match.group(1), []
    return None, [Problem(str(source), "Annex A does not say which authority it is for: pass la_code (the three-digit DfE LA number) or put it in the file name, e.g. 990_annex_a.xlsx")]


def _ids(frame: pl.DataFrame, prefix: str, date: str, name: str) -> pl.DataFrame:
    """Add an id made from the child and a date, numbered for repeats the same day."""
    n = pl.int_range(pl.len()).over("child_id", date) + 1
    return frame.sort(ROW).with_columns(
        pl.concat_str([pl.lit(prefix + "-"), pl.col("child_id"), pl.lit("-"), pl.col(date).dt.strftime("%Y%m%d"),
                       pl.when(n > 1).then(pl.lit("-") + n.cast(pl.String)).otherwise(pl.lit(""))]).alias(name),
    )


def _flag_any(column: str) -> pl.Expr:
    return pl.when((pl.col(column) == "Y").any()).then(pl.lit("Y")).when((pl.col(column) == "N").any()).then(pl.lit("N")).otherwise(None)


def read_annex_a(source: str | Path, la_code: str | None = None) -> dict[str, pl.DataFrame]:
    """Read an Annex A workbook, CSV or folder into canonical tables (dates as ``Date``).

    Parameters
    ----------
    source : path
        An ``.xlsx`` workbook with one sheet per list, a CSV of one list, or a
        folder of such files.
    la_code : str, optional
        The authority's DfE number; if omitted it is read from a three-digit
        number in the file or folder name.

    Returns
    -------
    dict of str to polars.DataFrame
        The canonical tables Annex A carries (see the module notes), with the
        contract's column order.

    Raises
    ------
    ContractError
        Every problem found, each naming file (and sheet), column, row and value.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "990 List 3.csv").write_text(
    ...     "Child Unique ID,Gender,Ethnicity,Date of Birth,Date of referral,Referral Source,Referral NFA?\\n"
    ...     "77.0,b) Female,a) WBRI,03/02/2015,05/01/2024,q) 6: Police,b) No\\n")
    >>> tables = read_annex_a(folder / "990 List 3.csv")
    >>> tables["referrals"].select("la_code", "child_id", "referral_id", "referral_date", "referral_source", "nfa").rows()
    [('990', '77', 'REF-77-20240105', datetime.date(2024, 1, 5), '6', 'N')]
    """
    source = Path(source)
    problems: list[Problem] = []
    la, found = _la_code(source, la_code)
    problems += found
    grids, found = _grids(source)
    problems += found
    lists: dict[int, pl.DataFrame] = {}
    for number, (label, grid) in sorted(grids.items()):
        if number not in CONVERTED:
            continue
        extracted = extract(grid, label, LISTS[number])
        problems += extracted.problems
        lists[number] = extracted.frame
    if not problems and not any(n in lists for n in (1, 3, 4, 5, 6, 7, 8, 9)):
        problems.append(Problem(str(source), "no Annex A list found: expected sheets or files named 'List 1' ... 'List 9', or with their headings"))
    raise_problems(problems)
    return _canonical(lists, la)


def _canonical(lists: dict[int, pl.DataFrame], la: str) -> dict[str, pl.DataFrame]:
    tables: dict[str, pl.DataFrame] = {}
    empty_date = pl.lit(None, dtype=pl.Date)

    referrals = None
    if 3 in lists:
        referrals = _ids(lists[3], "REF", "referral_date", "referral_id")
        if 6 in lists:
            cin = lists[6].sort(ROW).with_columns(
                pl.int_range(pl.len()).over("child_id", "cin_start").alias("__n")
            ).select("child_id", pl.col("cin_start").alias("referral_date"), "__n", "primary_need", "closure_date", "closure_reason")
            referrals = (
                referrals.with_columns(pl.int_range(pl.len()).over("child_id", "referral_date").alias("__n"))
                .join(cin, on=["child_id", "referral_date", "__n"], how="left").drop("__n")
            )
        else:
            referrals = referrals.with_columns(primary_need=pl.lit(None, pl.String), closure_date=empty_date,
                                               closure_reason=pl.lit(None, pl.String))
        tables["referrals"] = referrals

    if 1 in lists:
        contacts = _ids(lists[1], "CON", "contact_date", "contact_id")
        contacts = contacts.with_columns(outcome=pl.coalesce(pl.col("outcome"), _derived_outcome(contacts, lists)))
        tables["contacts"] = contacts

    if 4 in lists:
        assessments = _ids(lists[4], "ASM", "start_date", "assessment_id")
        assessments = assessments.with_columns(referral_id=pl.lit(None, pl.String))
        if referrals is not None and referrals.height:
            # prefer a referral not closed as NFA (those are not assessed), else any
            for candidates in (referrals.filter(pl.col("nfa") != "Y"), referrals):
                links = candidates.select("child_id", pl.col("referral_date").alias("start_date"),
                                          pl.col("referral_id").alias("__link")).sort("start_date")
                assessments = assessments.sort("start_date").join_asof(
                    links, on="start_date", by="child_id", strategy="backward", check_sortedness=False,
                ).with_columns(referral_id=pl.coalesce("referral_id", "__link")).drop("__link")
        tables["assessments"] = assessments.with_columns(
            referral_id=pl.coalesce(pl.col("referral_id"), pl.concat_str([pl.lit("REF-"), pl.col("child_id"), pl.lit("-unknown")]))
        ).sort(ROW)

    if 5 in lists:
        tables["section47"] = _ids(lists[5], "S47", "start_date", "s47_id")

    if 7 in lists:
        plans = _ids(lists[7], "CPP", "start_date", "plan_id").with_columns(
            latest_category=pl.coalesce("latest_category", "initial_category"))
        tables["cp_plans"] = plans
        tables["cp_visits"] = plans.filter(pl.col("visit_date").is_not_null())

    if 8 in lists:
        tables["cla_episodes"] = lists[8].with_columns(
            rne=pl.lit("S"), placement_district=pl.lit(None, pl.String), reason_place_change=pl.lit(None, pl.String),
        )

    if 9 in lists:
        leavers = lists[9].with_columns(
            age_band=pl.when(age_on(pl.col("reference_date"), pl.col("date_of_birth")) <= 18).then(pl.lit("17-18")).otherwise(pl.lit("19-21")),
            accommodation=pl.when(pl.col("accommodation_type").is_not_null() & pl.col("suitable").is_not_null())
            .then(pl.col("accommodation_type") + pl.col("suitable")).otherwise(None),
        )
        tables["care_leavers"] = leavers

    # children: every child on any list
    people = []
    for number in sorted(lists):
        frame = lists[number]
        people.append(frame.select(
            pl.lit(number).alias("__list"), ROW, "child_id", "sex", "ethnicity", "date_of_birth",
            pl.col("disability") if "disability" in frame.columns else pl.lit(None, pl.String).alias("disability"),
            pl.col("uasc") if "uasc" in frame.columns else pl.lit(None, pl.String).alias("uasc"),
        ))
    if people:
        everyone = pl.concat(people).filter(pl.col("child_id").is_not_null()).sort("__list", ROW)
        tables["children"] = everyone.group_by("child_id", maintain_order=True).agg(
            pl.col("sex").drop_nulls().first(), pl.col("date_of_birth").drop_nulls().first(),
            pl.col("ethnicity").drop_nulls().first(), _flag_any("disability").alias("disability"),
            _flag_any("uasc").alias("uasc"),
        ).with_columns(district=pl.lit(None, pl.String))

    return contract_tables(tables, la)


def _derived_outcome(contacts: pl.DataFrame, lists: dict[int, pl.DataFrame]) -> pl.Expr:
    """Outcome for contacts without one: referral, else early help, within 7 days; else nfa."""
    window = pl.duration(days=OUTCOME_WINDOW_DAYS)

    def followed(number: int, date: str) -> pl.Series:
        if number not in lists or lists[number].height == 0:
            return pl.Series([False] * contacts.height, dtype=pl.Boolean)
        later = contacts.select(ROW, "child_id", "contact_date").join(
            lists[number].select("child_id", pl.col(date).alias("__event")), on="child_id", how="inner",
        ).filter((pl.col("__event") >= pl.col("contact_date")) & (pl.col("__event") <= pl.col("contact_date") + window))
        return contacts[ROW].is_in(later[ROW].implode())

    referral = followed(3, "referral_date")
    early_help = followed(2, "eh_start")
    return (pl.when(pl.lit(referral)).then(pl.lit("referral"))
            .when(pl.lit(early_help)).then(pl.lit("early_help")).otherwise(pl.lit("nfa")))


def _validate(tables: dict[str, pl.DataFrame], source: str) -> None:
    """Check converted tables against the contract before anything is written."""
    problems: list[Problem] = []
    for name, frame in tables.items():
        text = frame.with_columns(pl.col(pl.Date).dt.strftime("%Y-%m-%d")).with_columns(pl.all().cast(pl.String))
        _, found = check_table(text, TABLES[name], f"{name}.csv (converted from {source})")
        problems += found
    raise_problems(problems)


def import_annex_a(source: Path, out_dir: Path, la_code: str | None = None) -> list[Path]:
    """Convert an Annex A workbook, CSV or folder into canonical ``<table>.csv`` files.

    The converted tables are checked against the contract first; if anything
    is wrong nothing is written and :class:`~perfkit.errors.ContractError`
    lists every problem.

    Parameters
    ----------
    source : path
        The Annex A workbook, CSV or folder.
    out_dir : path
        Where to write ``<table>.csv`` (ISO dates); created if needed.
    la_code : str, optional
        The authority's DfE number (else read from the file name).

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from perfkit.records.loading import load_dataset
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "List 1.csv").write_text(
    ...     "Child Unique ID,Gender,Ethnicity,Date of Birth,Date of Contact,Contact Source\\n"
    ...     "K1,a) Male,d) WOTH,30/06/2011,12/02/2024,e) 2A: Schools\\n")
    >>> [p.name for p in import_annex_a(folder / "List 1.csv", folder / "out", "990")]
    ['children.csv', 'contacts.csv']
    >>> load_dataset(folder / "out").table("contacts").select("contact_date", "contact_source", "outcome").row(0)
    (datetime.date(2024, 2, 12), '2A', 'nfa')
    """
    source = Path(source)
    tables = read_annex_a(source, la_code)
    _validate(tables, source.name)
    return write_canonical(tables, Path(out_dir))
