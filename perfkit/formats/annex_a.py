"""Ofsted Annex A: read a workbook (or CSVs of its lists) into canonical tables, row by row.

Annex A is the child-level data Ofsted asks for at an inspection of local
authority children's services (ILACS): one list per sheet, with published
headings, ``dd/mm/yyyy`` dates and coded answers such as ``"a) Yes"``,
``"a) 1A: Individual"``, ``"C2: FCO"`` or ``"N1 - Abuse or neglect"``.

Never all or nothing
--------------------
Every row that can be read is imported (:func:`import_annex_a`). A row with
a bad value in a column a table needs (the contract requires it, or an
indicator counts from it) is **left out of that table**, and listed; a bad
value in any other column is **blanked** (or, where the contract needs a
value, recorded as the DfE code for not known: a contact source as ``10``),
and the row kept. A list that cannot be read at all (a needed heading
missing) is listed and the other lists still import. Every decision is a row
of ``import-problems.csv`` naming the workbook (or CSV) as the user named it,
the sheet, the row under the heading (1 = first data row), the heading as
written, the value, what was expected and what was done
(:mod:`perfkit.formats.import_log`). Only a source that cannot be opened at
all (no such file, not a workbook, no Annex A list in it, or no authority
named) is refused as a whole, with :class:`~perfkit.errors.ContractError`.

Templates of any year
---------------------
Headings are matched by meaning (:func:`perfkit.formats.cleaning.heading_key`
and each field's patterns in :mod:`perfkit.formats.annex_a_lists`), so the
2019 template's ``... (Y/N))``, the 2024 template's extra columns (return
interview answers in List 8) and councils' own wordings (``Referral Date``,
``CP Plan Start Date``) are read. Answers are read as councils write them:
``a) Male``, ``Male``, ``1 - Male``; ``q) 6: Police``, ``Police - CAIT``;
``WBRI - White British``, ``Asian or Asian British - Indian``; ``N1 - Abuse
or neglect``, ``Abuse or neglect - Neglect``; ``1 - Yes, resident in the UK``;
``Emotional abuse; Neglect`` (multiple). An older code the DfE has replaced is
read as its successor and listed: a care leaver's activity ``F3``/``P3`` (full
or part time in training or employment) as ``F5``/``P5``.

Children whose details are not known are kept: a contact about an unborn
child (no date of birth), or a child with no ethnicity recorded. Their sex is
recorded as ``U`` and their ethnicity as ``NOBT`` (information not yet
obtained) where no list gives one; a child with no date of birth in any list
is left out of ``children`` while the contract requires one (their contacts,
referrals ... are kept, counted without age), and listed.

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
2 early help               ``early_help``: child_id, eh_start (Assessment start date),
                           assessment_end (Assessment completion date), organisation; eh_end
                           empty (see below); also used to derive contact outcomes
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
                           (lists 4-9), uasc (lists 8-9): the children in the tables written
=========================  ======================================================================

Not carried, so not written: ``missing_episodes`` (List 8 has only counts of
missing and absent episodes, and the 2024 template's answers about the last
return interview, with no dates), ``workforce``, ``ehcp_requests``,
``population``; ``children.district``; ``cla_episodes.placement_district``
and ``reason_place_change``. List 8's ``Number of Placements in the Last 12
months`` and ``Start Date of Most Recent Placement`` are not carried either:
they describe the 12 months before the workbook was made (a date the
workbook does not hold), not a history of placement moves, and the contract
records moves as episodes (``rne`` P, B, T) with their dates, which Annex A
does not give. Turning a count into episodes would invent their dates and
placements; so the placement-stability figures stay "not available" from
Annex A (see ``docs/availability.md``).

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
- **Early help.** Each List 2 row is an early help episode from its
  assessment's start. The completion date is the assessment's, not the end
  of the help, which Annex A does not give: ``eh_end`` is left empty, so
  children receiving early help at a period end are "not available" from
  Annex A alone (episodes starting are counted). Two rows of one child with
  the same start date are one row if they agree, and left out if they do not.
- **Children in need.** A List 6 row is joined to its List 3 referral (same
  child, ``CIN Start Date`` = ``Date of referral``). A row with no such
  referral (a child in need since before List 3's months) is left out and
  listed: the contract's referrals need the referral's source and NFA answer,
  which only List 3 holds. A referral whose List 6 row was left out (its
  closure could not be read) is left out too: it would look open.
- **Periods of care.** List 8 has one row per child looked after, with the
  current legal status and placement. Each becomes one ``cla_episodes`` row:
  ``episode_start`` = Date Started to be Looked After, ``rne`` = S, the
  current legal status, category of need, placement type and provider,
  ``placement_la`` = LA of Placement, ``episode_end`` = Date Ceased and
  ``reason_ceased``. Two rows of one child with the same start date are one
  row if they agree, and left out if they do not.
- **Care leavers.** ``reference_date`` = Latest Date of Contact (required: the
  status fields describe what was known then; templates before 2021 lack the
  column, and List 9 of such a workbook cannot be carried); ``age_band`` from
  the age on that date (18 or under: ``17-18``; else ``19-21``), so a care
  leaver with no date of birth in any list is left out; ``accommodation`` =
  the Type of Accommodation letter plus ``1`` (Suitable) or ``2``
  (Unsuitable).
- **Children.** A child's sex, date of birth and ethnicity come from the
  first list that has them (in list order); ``disability`` and ``uasc`` are
  ``Y`` if any list says Yes, ``N`` if any says No, blank if unknown.

A list with headings but no rows gives no table.

The lists' headings and coded answers are declared in
:mod:`perfkit.formats.annex_a_lists`; :mod:`perfkit.formats.annex_a_write`
writes a workbook.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from perfkit.errors import ContractError
from perfkit.formats.annex_a_read import (
    CHILD_DETAILS,
    CONVERTED,
    ListsRead,
    find_lists,
    la_code_of,
    read_lists,
    shown,
)
from perfkit.formats.canonical import contract_tables, write_canonical
from perfkit.formats.columns import ROW, UNKNOWN_CODES
from perfkit.formats.import_log import LEFT_OUT, ImportLog, ImportProblem, ImportResult
from perfkit.indicators.children import age_on
from perfkit.records.checks import check_table
from perfkit.records.contract import TABLES
from perfkit.records.problems import Problem

OUTCOME_WINDOW_DAYS = 7
_BLANK_EVERYWHERE = {"sex": "a gender (blank in every list)", "ethnicity": "an ethnicity (blank in every list)",
                     "date_of_birth": "a date of birth (blank in every list: an unborn child has none yet)"}
ANNEX_A_TABLES = ("children", "contacts", "early_help", "referrals", "assessments", "section47", "cp_plans",
                  "cp_visits", "cla_episodes", "care_leavers")


def read_annex_a_logged(source: str | Path, la_code: str | None = None) -> tuple[dict[str, pl.DataFrame], ImportLog]:
    """Read an Annex A workbook, CSV or folder into canonical tables, with every decision made about its rows.

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
    tables : dict of str to polars.DataFrame
        The canonical tables Annex A carries (see the module notes), with the
        contract's column order; dates as ``Date``. A table none of whose rows
        could be read is absent.
    log : ImportLog
        Every row left out, value blanked or code mapped, and every list that
        could not be read, each naming the user's file, sheet, row and heading.

    Raises
    ------
    ContractError
        Only where nothing can be read: the source does not exist or is not a
        workbook, no Annex A list is in it, or the authority is not known.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "990 List 3.csv").write_text(
    ...     "Child Unique ID,Gender,Ethnicity,Date of Birth,Date of referral,Referral Source,Referral NFA?\\n"
    ...     "77.0,b) Female,a) WBRI,03/02/2015,05/01/2024,q) 6: Police,b) No\\n"
    ...     "78,a) Male,,03/02/2015,5th Jan,q) 6: Police,b) No\\n")
    >>> tables, log = read_annex_a_logged(folder / "990 List 3.csv")
    >>> tables["referrals"].select("child_id", "referral_id", "referral_date", "referral_source", "nfa").rows()
    [('77', 'REF-77-20240105', datetime.date(2024, 1, 5), '6', 'N')]
    >>> print(log.problems[0])
    990 List 3.csv, column 'Date of referral', row 2: value '5th Jan': expected a date written dd/mm/yyyy, e.g. 05/01/2024; left out of referrals
    """
    source = Path(source)
    log = ImportLog()
    la, fatal = la_code_of(source, la_code)
    grids, found = find_lists(source, log)
    fatal += found
    if not fatal and not any(n in grids for n in CONVERTED if n != 2):
        fatal.append(Problem(str(source), "no Annex A list found: expected sheets or files named 'List 1' ... 'List 9', or with their headings"))
    if fatal:
        raise ContractError(fatal)
    read = read_lists(grids, log)
    return _canonical(read, la), log


def read_annex_a(source: str | Path, la_code: str | None = None) -> dict[str, pl.DataFrame]:
    """The canonical tables of :func:`read_annex_a_logged`, without the log (for tests and notebooks).

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "990 List 3.csv").write_text(
    ...     "Child Unique ID,Gender,Ethnicity,Date of Birth,Date of referral,Referral Source,Referral NFA?\\n"
    ...     "77.0,b) Female,a) WBRI,03/02/2015,05/01/2024,q) 6: Police,b) No\\n")
    >>> tables = read_annex_a(folder / "990 List 3.csv")
    >>> tables["referrals"].select("la_code", "child_id", "referral_id", "referral_date", "referral_source", "nfa").rows()
    [('990', '77', 'REF-77-20240105', datetime.date(2024, 1, 5), '6', 'N')]
    """
    return read_annex_a_logged(source, la_code)[0]


# --------------------------------------------------------------------------
# the canonical tables


def _ids(frame: pl.DataFrame, prefix: str, date: str, name: str) -> pl.DataFrame:
    """Add an id made from the child and a date, numbered for repeats the same day."""
    n = pl.int_range(pl.len()).over("child_id", date) + 1
    return frame.sort(ROW).with_columns(
        pl.concat_str([pl.lit(prefix + "-"), pl.col("child_id"), pl.lit("-"), pl.col(date).dt.strftime("%Y%m%d"),
                       pl.when(n > 1).then(pl.lit("-") + n.cast(pl.String)).otherwise(pl.lit(""))]).alias(name),
    )


def _flag_any(column: str) -> pl.Expr:
    return pl.when((pl.col(column) == "Y").any()).then(pl.lit("Y")).when((pl.col(column) == "N").any()).then(pl.lit("N")).otherwise(None)


def _referrals(read: ListsRead) -> pl.DataFrame | None:
    """List 3's referrals with List 6's CIN details; List 6 rows with no referral, and referrals whose row was left out, listed."""
    if 3 not in read.rows:
        return None
    referrals = _ids(read.rows[3]["referrals"], "REF", "referral_date", "referral_id").with_columns(
        pl.int_range(pl.len()).over("child_id", "referral_date").alias("__n"))
    if 6 not in read.rows:
        return referrals.drop("__n").with_columns(primary_need=pl.lit(None, pl.String), closure_date=pl.lit(None, pl.Date),
                                                  closure_reason=pl.lit(None, pl.String))
    every = read.extracted[6].frame.filter(pl.col("child_id").is_not_null() & pl.col("cin_start").is_not_null()).sort(ROW).with_columns(
        pl.int_range(pl.len()).over("child_id", "cin_start").alias("__n")).select(
        "child_id", pl.col("cin_start").alias("referral_date"), "__n", pl.col(ROW).alias("__cin_row"))
    kept = read.rows[6]["referrals"].select(ROW, "primary_need", "closure_date", "closure_reason")
    cin = every.join(kept, left_on="__cin_row", right_on=ROW, how="left").with_columns(
        pl.col("__cin_row").is_in(kept[ROW].implode()).alias("__kept"))
    joined = referrals.join(cin, on=["child_id", "referral_date", "__n"], how="left")
    lost = joined.filter(pl.col("__cin_row").is_not_null() & ~pl.col("__kept"))
    for r in lost.iter_rows(named=True):
        read.problem(3, r[ROW], "referral_date", shown(r["referral_date"]),
                     f"its children in need row (List 6, row {r['__cin_row']}) to be readable: without it the referral's closure is not known",
                     f"{LEFT_OUT} of referrals")
    matched = set(joined["__cin_row"].drop_nulls().to_list())
    heading = read.extracted[3].heading("referral_date") if 3 in read.extracted else "Date of referral"
    for r in cin.filter(pl.col("__kept") & ~pl.col("__cin_row").is_in(list(matched))).iter_rows(named=True):
        read.problem(6, r["__cin_row"], "cin_start", shown(r["referral_date"]),
                     f"a referral of this child on this date in List 3 ({heading!r}): the contract's referrals need the "
                     "referral's source and NFA answer, which only List 3 holds", f"{LEFT_OUT} of referrals")
    return joined.filter(~(pl.col("__cin_row").is_not_null() & ~pl.col("__kept"))).drop("__n", "__cin_row", "__kept")


def _derived_outcome(contacts: pl.DataFrame, referrals: pl.DataFrame | None, early_help: pl.DataFrame | None) -> pl.Expr:
    """Outcome for contacts without one: referral, else early help, within 7 days; else nfa."""
    window = pl.duration(days=OUTCOME_WINDOW_DAYS)

    def followed(events: pl.DataFrame | None, date: str) -> pl.Series:
        if events is None or events.height == 0:
            return pl.Series([False] * contacts.height, dtype=pl.Boolean)
        later = contacts.select(ROW, "child_id", "contact_date").join(
            events.select("child_id", pl.col(date).alias("__event")), on="child_id", how="inner",
        ).filter((pl.col("__event") >= pl.col("contact_date")) & (pl.col("__event") <= pl.col("contact_date") + window))
        return contacts[ROW].is_in(later[ROW].implode())

    referral = followed(referrals, "referral_date")
    early = followed(early_help, "eh_start")
    return (pl.when(pl.lit(referral)).then(pl.lit("referral"))
            .when(pl.lit(early)).then(pl.lit("early_help")).otherwise(pl.lit("nfa")))


def _child_details(read: ListsRead, tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Every child of the tables, their details from the first list that has them; unknowns recorded and listed."""
    used = []
    for frame in tables.values():
        if "__list" in frame.columns and frame.height:
            used.append(frame.select("__list", ROW).unique())
    if not used:
        return pl.DataFrame()
    rows_used = pl.concat(used).unique()
    ids = pl.concat([frame.select("child_id") for frame in tables.values() if "child_id" in frame.columns])["child_id"].unique()
    people = []
    for number, extracted in sorted(read.extracted.items()):  # every list's rows of these children, List 2's too
        frame = extracted.frame.filter(pl.col("child_id").is_in(ids.implode()))
        people.append(frame.select(
            pl.lit(number).alias("__list"), ROW, "child_id", "sex", "ethnicity", "date_of_birth",
            pl.col("disability") if "disability" in frame.columns else pl.lit(None, pl.String).alias("disability"),
            pl.col("uasc") if "uasc" in frame.columns else pl.lit(None, pl.String).alias("uasc"),
        ))
    everyone = pl.concat(people).filter(pl.col("child_id").is_not_null()).sort("__list", ROW)
    first = (rows_used.join(everyone.select("__list", ROW, "child_id"), on=["__list", ROW]).sort("__list", ROW)
             .unique("child_id", keep="first", maintain_order=True)
             .select("child_id", pl.col("__list").alias("__first_list"), pl.col(ROW).alias("__first_row")))
    children = everyone.group_by("child_id", maintain_order=True).agg(
        pl.col("sex").drop_nulls().first(), pl.col("date_of_birth").drop_nulls().first(),
        pl.col("ethnicity").drop_nulls().first(), _flag_any("disability").alias("disability"),
        _flag_any("uasc").alias("uasc"),
    ).join(first, on="child_id", how="left", maintain_order="left").with_columns(district=pl.lit(None, pl.String))

    # where no list gives a detail: the first bad value seen, else the child's first row
    bad = pl.concat([ex.bad.filter(pl.col("key").is_in(list(CHILD_DETAILS))).with_columns(pl.lit(n).alias("__list"))
                     .join(ex.frame.select(ROW, "child_id"), on=ROW) for n, ex in sorted(read.extracted.items())]
                    ).sort("__list", ROW)
    dob_required = TABLES["children"].column("date_of_birth").required
    unknown = {"sex": UNKNOWN_CODES["sex"], "ethnicity": UNKNOWN_CODES["ethnicity"]}
    leave_out: list[str] = []
    for detail in ("sex", "ethnicity", "date_of_birth", "disability", "uasc"):
        missing = children.filter(pl.col(detail).is_null())
        if missing.height == 0:
            continue
        seen = bad.filter(pl.col("key") == detail).unique("child_id", keep="first", maintain_order=True)
        seen = {r["child_id"]: r for r in seen.iter_rows(named=True)}
        for child in missing.iter_rows(named=True):
            hit = seen.get(child["child_id"])
            if hit is None and detail in ("disability", "uasc"):
                continue  # optional, and simply not recorded
            number, row = (hit["__list"], hit[ROW]) if hit else (child["__first_list"], child["__first_row"])
            value, expected = (hit["value"] or "", hit["expected"]) if hit else ("", _BLANK_EVERYWHERE[detail])
            if detail in unknown:
                action = f"value blanked: recorded as {unknown[detail][1]}"
            elif detail == "date_of_birth" and dob_required:
                action = f"{LEFT_OUT} of children: the contract needs a date of birth (the child's other rows are kept)"
                leave_out.append(child["child_id"])
            else:
                action = "value blanked"
            read.problem(number, row, detail, value, expected, action)
    children = children.with_columns(sex=pl.col("sex").fill_null(unknown["sex"][0]),
                                     ethnicity=pl.col("ethnicity").fill_null(unknown["ethnicity"][0]))
    return children.filter(~pl.col("child_id").is_in(leave_out)).drop("__first_list", "__first_row")


def _canonical(read: ListsRead, la: str) -> dict[str, pl.DataFrame]:
    tables: dict[str, pl.DataFrame] = {}
    rows = read.rows

    def tagged(frame: pl.DataFrame, number: int) -> pl.DataFrame:
        return frame.with_columns(pl.lit(number).alias("__list"))

    referrals = _referrals(read)
    if referrals is not None:
        tables["referrals"] = tagged(referrals, 3)

    if 1 in rows:
        contacts = _ids(rows[1]["contacts"], "CON", "contact_date", "contact_id")
        early_help = read.extracted[2].frame.filter(pl.col("eh_start").is_not_null()) if 2 in read.extracted else None
        contacts = contacts.with_columns(outcome=pl.coalesce(pl.col("outcome"), _derived_outcome(contacts, referrals, early_help)))
        tables["contacts"] = tagged(contacts, 1)

    if 2 in rows:
        # List 2's completion date is the assessment's, not the episode's end, which Annex A does not give
        early_help = rows[2]["early_help"].rename({"eh_end": "assessment_end"})
        tables["early_help"] = tagged(early_help.with_columns(eh_end=pl.lit(None, pl.Date)), 2)

    if 4 in rows:
        assessments = _ids(rows[4]["assessments"], "ASM", "start_date", "assessment_id")
        assessments = assessments.with_columns(referral_id=pl.lit(None, pl.String))
        if referrals is not None and referrals.height:
            # prefer a referral not closed as NFA (those are not assessed), else any
            for candidates in (referrals.filter(pl.col("nfa") != "Y"), referrals):
                links = candidates.select("child_id", pl.col("referral_date").alias("start_date"),
                                          pl.col("referral_id").alias("__link")).sort("start_date")
                assessments = assessments.sort("start_date").join_asof(
                    links, on="start_date", by="child_id", strategy="backward", check_sortedness=False,
                ).with_columns(referral_id=pl.coalesce("referral_id", "__link")).drop("__link")
        tables["assessments"] = tagged(assessments.with_columns(
            referral_id=pl.coalesce(pl.col("referral_id"), pl.concat_str([pl.lit("REF-"), pl.col("child_id"), pl.lit("-unknown")]))
        ).sort(ROW), 4)

    if 5 in rows:
        tables["section47"] = tagged(_ids(rows[5]["section47"], "S47", "start_date", "s47_id"), 5)

    if 7 in rows:
        plans = _ids(rows[7]["cp_plans"], "CPP", "start_date", "plan_id").with_columns(
            latest_category=pl.coalesce("latest_category", "initial_category"))
        tables["cp_plans"] = tagged(plans, 7)
        visits = rows[7]["cp_visits"].filter(pl.col("visit_date").is_not_null()).select(ROW, "visit_date", "seen_alone")
        tables["cp_visits"] = tagged(plans.drop("visit_date", "seen_alone").join(visits, on=ROW, how="inner").sort(ROW), 7)

    if 8 in rows:
        tables["cla_episodes"] = tagged(rows[8]["cla_episodes"].with_columns(
            rne=pl.lit("S"), placement_district=pl.lit(None, pl.String), reason_place_change=pl.lit(None, pl.String),
        ), 8)

    if 9 in rows:
        tables["care_leavers"] = tagged(_care_leavers(read), 9)

    children = _child_details(read, tables)
    if children.height:
        tables["children"] = children
    return contract_tables(tables, la)


def _care_leavers(read: ListsRead) -> pl.DataFrame:
    """List 9's rows with the age band (from the child's date of birth in any list) and the accommodation code."""
    leavers = read.rows[9]["care_leavers"]
    births = pl.concat([ex.frame.select("child_id", "date_of_birth", pl.lit(n).alias("__list"), ROW)
                        for n, ex in sorted(read.extracted.items())]).filter(
        pl.col("date_of_birth").is_not_null()).sort("__list", ROW).unique("child_id", keep="first", maintain_order=True)
    leavers = leavers.join(births.select("child_id", pl.col("date_of_birth").alias("__dob")), on="child_id", how="left").with_columns(
        pl.coalesce("date_of_birth", "__dob").alias("__dob"))
    for r in leavers.filter(pl.col("__dob").is_null()).iter_rows(named=True):
        bad = read.extracted[9].bad.filter((pl.col(ROW) == r[ROW]) & (pl.col("key") == "date_of_birth"))
        read.problem(9, r[ROW], "date_of_birth", bad["value"][0] or "" if bad.height else "",
                     "a date of birth in some list: the age band (17-18 or 19-21) is the age on the Latest Date of Contact",
                     f"{LEFT_OUT} of care_leavers")
    return leavers.filter(pl.col("__dob").is_not_null()).with_columns(
        age_band=pl.when(age_on(pl.col("reference_date"), pl.col("__dob")) <= 18).then(pl.lit("17-18")).otherwise(pl.lit("19-21")),
        accommodation=pl.when(pl.col("accommodation_type").is_not_null() & pl.col("suitable").is_not_null())
        .then(pl.col("accommodation_type") + pl.col("suitable")).otherwise(None),
    ).drop("__dob")


# --------------------------------------------------------------------------
# importing


def _validate(tables: dict[str, pl.DataFrame], source: str) -> None:
    """Check converted tables against the contract before anything is written.

    Every row that breaks it has been left out already, each listed with the
    user's own file and row; a problem found here is perfkit's own mistake,
    and stops the import rather than write tables the loader would refuse.
    """
    problems: list[Problem] = []
    for name, frame in tables.items():
        text = frame.with_columns(pl.col(pl.Date).dt.strftime("%Y-%m-%d")).with_columns(pl.all().cast(pl.String))
        _, found = check_table(text, TABLES[name], f"{name}.csv (converted from {source})")
        problems += [p for p in found if p.severity != "warning"]
    if problems:
        raise ContractError(problems)


def import_annex_a(source: str | Path, out_dir: str | Path, la_code: str | None = None) -> ImportResult:
    """Convert an Annex A workbook, CSV or folder into canonical ``<table>.csv`` files, row by row.

    Every row that can be read is written; the rows left out, values blanked
    and codes mapped are listed in ``out_dir/import-problems.csv`` (removed
    when there is nothing to list), and in the result's log.

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
    ImportResult
        ``written`` (the tables' paths), ``log`` and ``problems_file``;
        ``status`` is 0 when nothing was left out, 1 when rows were, 2 when no
        table could be written.

    Raises
    ------
    ContractError
        When nothing can be read at all (see :func:`read_annex_a_logged`);
        nothing is written then.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from perfkit.records.loading import load_dataset
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "List 1.csv").write_text(
    ...     "Child Unique ID,Gender,Ethnicity,Date of Birth,Date of Contact,Contact Source\\n"
    ...     "K1,a) Male,d) WOTH,30/06/2011,12/02/2024,e) 2A: Schools\\n"
    ...     "K2,a) Male,d) WOTH,30/06/2011,31/02/2024,e) 2A: Schools\\n")
    >>> result = import_annex_a(folder / "List 1.csv", folder / "out", "990")
    >>> [p.name for p in result.written], result.status, result.problems_file.name
    (['children.csv', 'contacts.csv'], 1, 'import-problems.csv')
    >>> load_dataset(folder / "out").table("contacts").select("contact_date", "contact_source", "outcome").row(0)
    (datetime.date(2024, 2, 12), '2A', 'nfa')
    """
    source, out_dir = Path(source), Path(out_dir)
    tables, log = read_annex_a_logged(source, la_code)
    _validate(tables, source.name)
    written = write_canonical(tables, out_dir) if tables else []
    for name in ANNEX_A_TABLES:
        earlier = out_dir / f"{name}.csv"
        if name not in tables and earlier.exists():
            log.add(ImportProblem(earlier.name, "", None, "", "", f"only this import's tables in {out_dir}",
                                  f"kept from an earlier import, not replaced: this import has no {name}; "
                                  "delete it, or import into an empty folder"))
    if log.problems:
        out_dir.mkdir(parents=True, exist_ok=True)
    return ImportResult(written, log, log.write(out_dir) if out_dir.exists() else None)
