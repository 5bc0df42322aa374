"""Write one authority's canonical tables as a CIN census XML return (the inverse of :mod:`perfkit.formats.cin_census`).

A return for collection year ``year`` (1 April ``year - 1`` to the reference
date, 31 March ``year``) holds every child in need at any time in the year:

- each referral open on some day of the year (referred by its end, not closed
  before its start) is a ``CINdetails``; so is an older referral holding an
  assessment, enquiry or plan open in the year;
- in it, the assessments open in the year (started by its end, not authorised
  before its start), the section 47 enquiries started in the year or whose
  conference was, and the plans open in the year;
- a date after the reference date is not known yet: not written (a closure,
  authorisation, conference or plan end after it leaves the record open).

The canonical tables tie assessments to their referral (``referral_id``)
but not enquiries or plans: each is put in the child's latest referral made
on or before it starts (else the child's first made by the reference date);
one whose child has no referral made by then cannot be in the return (the
census holds it in a CINdetails), and is not written. Sex is
``GenderCurrent`` (1, 2, 0) before the 2023-24 return and ``Sex`` (M, F, U)
from it; a child born after the reference date has an
``ExpectedPersonBirthDate``; disability Y is written as the code DDA (other),
N as NONE; ``NumberOfPreviousCPP`` counts the child's plans that started
before, in the whole table (plans older than any return included). Text is
XML-escaped. The XML is built column by column with polars (a 50,000-child
return in under half a second) and written in slices.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from perfkit.errors import ContractError
from perfkit.formats.canonical import typed_table
from perfkit.records.problems import Problem

SEX_FROM = 2024
"""The first collection year whose return says ``Sex`` (M, F, U) in place of ``GenderCurrent``."""
SLICE = 5_000


def _escaped(value: pl.Expr) -> pl.Expr:
    return value.cast(pl.String).str.replace_all("&", "&amp;", literal=True).str.replace_all(
        "<", "&lt;", literal=True).str.replace_all(">", "&gt;", literal=True)


def _tag(name: str, value: pl.Expr, indent: int) -> pl.Expr:
    """``<name>value</name>`` on a line of its own, or nothing where the value is empty."""
    pad = " " * indent
    return pl.when(value.is_not_null()).then(
        pl.concat_str([pl.lit(f"{pad}<{name}>"), value, pl.lit(f"</{name}>\n")])).otherwise(pl.lit(""))


def _date(column: str, before: dt.date | None = None) -> pl.Expr:
    """A date as ``YYYY-MM-DD``, empty when after ``before`` (not yet known at the reference date)."""
    value = pl.col(column)
    if before is not None:
        value = pl.when(value <= before).then(value)
    return value.dt.strftime("%Y-%m-%d")


def _block(name: str, parts: list[pl.Expr], indent: int) -> pl.Expr:
    pad = " " * indent
    return pl.concat_str([pl.lit(f"{pad}<{name}>\n"), *parts, pl.lit(f"{pad}</{name}>\n")])


def _joined(frame: pl.DataFrame, by: str, order: str, block: str) -> pl.DataFrame:
    """Each ``by``'s blocks, in ``order``, as one text."""
    return frame.sort(by, order).group_by(by, maintain_order=True).agg(pl.col(block).str.join(""))


def _attach(frame: pl.DataFrame, referrals: pl.DataFrame, on: str) -> pl.DataFrame:
    """``frame`` with the ``referral_id`` of the child's latest referral made on or before ``on`` (else the first)."""
    keys = referrals.select("child_id", "referral_id", pl.col("referral_date").alias(on)).sort(on)
    ordered = frame.sort(on)
    # both sides are sorted by ``on`` as a whole, so within each child too
    before = ordered.join_asof(keys, on=on, by="child_id", strategy="backward", check_sortedness=False)
    after = ordered.join_asof(keys, on=on, by="child_id", strategy="forward", check_sortedness=False).select(
        pl.col("referral_id").alias("__next"))
    return before.with_columns(after["__next"]).with_columns(
        referral_id=pl.coalesce("referral_id", "__next")).drop("__next").filter(pl.col("referral_id").is_not_null())


def _header(la_code: str, year: int) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n  <Header>\n    <CollectionDetails>\n'
        f"      <Collection>CIN</Collection>\n      <Year>{year}</Year>\n"
        f"      <ReferenceDate>{year}-03-31</ReferenceDate>\n    </CollectionDetails>\n    <Source>\n"
        f"      <SourceLevel>L</SourceLevel>\n      <LEA>{la_code}</LEA>\n      <SoftwareCode>perfkit synthetic</SoftwareCode>\n"
        f"      <Release>1</Release>\n      <SerialNo>001</SerialNo>\n      <DateTime>{year}-05-01T09:00:00</DateTime>\n"
        "    </Source>\n  </Header>\n  <Children>\n"
    )


def write_cin_census(tables: dict[str, pl.DataFrame], path: str | Path, la_code: str, year: int) -> Path:
    """Write one authority's CIN census return for the collection year ending 31 March ``year``.

    Parameters
    ----------
    tables : dict of str to polars.DataFrame
        Canonical tables (dates as ``Date``): ``referrals`` is needed;
        ``children``, ``assessments``, ``section47`` and ``cp_plans`` are
        used when present.
    path : path
        The XML file to write (its folder is made if needed).
    la_code : str
        The authority whose records are written (its three-digit number is the LEA).
    year : int
        The collection year, named by the year it ends in (2024 is 2023-24).

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile
    >>> referrals = pl.DataFrame({"la_code": ["990"], "child_id": ["C1"], "referral_id": ["R1"],
    ...     "referral_date": [dt.date(2023, 5, 2)], "referral_source": ["2A"], "nfa": ["N"],
    ...     "closure_date": [dt.date(2024, 6, 1)], "closure_reason": ["RC7"], "primary_need": ["N1"]})
    >>> children = pl.DataFrame({"la_code": ["990"], "child_id": ["C1"], "sex": ["F"],
    ...     "date_of_birth": [dt.date(2015, 1, 9)], "ethnicity": ["WBRI"], "disability": ["N"]})
    >>> out = write_cin_census({"referrals": referrals, "children": children}, Path(tempfile.mkdtemp()) / "cin.xml", "990", 2024)
    >>> text = out.read_text()
    >>> "<Sex>F</Sex>" in text, "<CINreferralDate>2023-05-02</CINreferralDate>" in text, "CINclosureDate" in text
    (True, True, False)
    """
    path = Path(path)
    start, end = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
    mine = {name: typed_table(name, frame.filter(pl.col("la_code") == la_code))
            for name, frame in tables.items() if "la_code" in frame.columns}
    if "referrals" not in mine:
        raise ContractError([Problem(str(path), "writing a CIN census return needs the referrals table")])
    referrals = mine["referrals"].filter(pl.col("referral_date") <= end)
    empty = {name: typed_table(name, pl.DataFrame(schema={"la_code": pl.String, "child_id": pl.String}))
             for name in ("assessments", "section47", "cp_plans")}
    assessments = mine.get("assessments", empty["assessments"])
    section47 = mine.get("section47", empty["section47"])
    plans = mine.get("cp_plans", empty["cp_plans"])

    # the modules open in the year, each in its referral
    assessments = assessments.filter((pl.col("start_date") <= end) & (
        pl.col("authorised_date").is_null() | (pl.col("authorised_date") >= start))).with_columns(
        block=_block("Assessments", [_tag("AssessmentActualStartDate", _date("start_date"), 10),
                                     _tag("AssessmentAuthorisationDate", _date("authorised_date", end), 10)], 8))
    section47 = _attach(section47.filter((pl.col("start_date") <= end) & (
        pl.coalesce("icpc_date", "start_date") >= start)), referrals, "start_date")
    target = np.busday_offset(section47["start_date"].to_numpy().astype("datetime64[D]"), 15, roll="forward")
    section47 = section47.with_columns(__target=pl.Series(target).cast(pl.Date)).with_columns(
        block=_block("Section47", [
            _tag("S47ActualStartDate", _date("start_date"), 10), _tag("InitialCPCtarget", _date("__target"), 10),
            _tag("DateOfInitialCPC", _date("icpc_date", end), 10),
            _tag("ICPCnotRequired", pl.when(pl.col("icpc_not_required") == "Y").then(pl.lit("true")).otherwise(pl.lit("false")), 10),
        ], 8))
    plans = plans.with_columns(__previous=(pl.col("start_date").rank("min").over("child_id") - 1).cast(pl.String))
    plans = _attach(plans.filter((pl.col("start_date") <= end) & (
        pl.col("end_date").is_null() | (pl.col("end_date") >= start))), referrals, "start_date").with_columns(
        block=_block("ChildProtectionPlans", [
            _tag("CPPstartDate", _date("start_date"), 10), _tag("CPPendDate", _date("end_date", end), 10),
            _tag("InitialCategoryOfAbuse", pl.col("initial_category"), 10),
            _tag("LatestCategoryOfAbuse", pl.col("latest_category"), 10),
            _tag("NumberOfPreviousCPP", pl.col("__previous"), 10),
        ], 8))
    held = pl.concat([f["referral_id"] for f in (assessments, section47, plans)]).unique()
    referrals = referrals.filter(pl.col("closure_date").is_null() | (pl.col("closure_date") >= start)
                                 | pl.col("referral_id").is_in(held.implode()))

    closed = pl.col("closure_date").is_not_null() & (pl.col("closure_date") <= end)
    details = (referrals
               .join(_joined(assessments, "referral_id", "start_date", "block").rename({"block": "__a"}), on="referral_id", how="left")
               .join(_joined(section47, "referral_id", "start_date", "block").rename({"block": "__s"}), on="referral_id", how="left")
               .join(_joined(plans, "referral_id", "start_date", "block").rename({"block": "__p"}), on="referral_id", how="left")
               .with_columns(block=_block("CINdetails", [
                   _tag("CINreferralDate", _date("referral_date"), 8),
                   _tag("ReferralSource", pl.coalesce("referral_source", pl.lit("10")), 8),
                   _tag("PrimaryNeedCode", pl.col("primary_need"), 8),
                   _tag("CINclosureDate", _date("closure_date", end), 8),
                   _tag("ReasonForClosure", pl.when(closed).then(pl.col("closure_reason")), 8),
                   pl.col("__a").fill_null(""), pl.col("__s").fill_null(""),
                   _tag("ReferralNFA", pl.when(pl.col("nfa") == "Y").then(pl.lit("true")).otherwise(pl.lit("false")), 8),
                   pl.col("__p").fill_null(""),
               ], 6)))
    per_child = _joined(details, "child_id", "referral_date", "block")

    people = mine.get("children")
    if people is None:
        people = typed_table("children", pl.DataFrame(schema={"la_code": pl.String, "child_id": pl.String}))
    unborn = pl.col("date_of_birth") > end
    if year >= SEX_FROM:
        sex = _tag("Sex", pl.coalesce("sex", pl.lit("U")), 8)
    else:
        sex = _tag("GenderCurrent", pl.col("sex").replace_strict({"M": "1", "F": "2"}, default="0", return_dtype=pl.String), 8)
    disability = pl.when(pl.col("disability") == "Y").then(pl.lit("DDA")).when(pl.col("disability") == "N").then(pl.lit("NONE"))
    children = per_child.join(people.select("child_id", "sex", "date_of_birth", "ethnicity", "disability"),
                              on="child_id", how="left").sort("child_id").select(
        _block("Child", [
            _block("ChildIdentifiers", [
                _tag("LAchildID", _escaped(pl.col("child_id")), 8),
                _tag("PersonBirthDate", pl.when(~unborn).then(_date("date_of_birth")), 8),
                _tag("ExpectedPersonBirthDate", pl.when(unborn).then(_date("date_of_birth")), 8),
                sex,
            ], 6),
            _block("ChildCharacteristics", [
                _tag("Ethnicity", pl.coalesce("ethnicity", pl.lit("NOBT")), 8),
                pl.when(disability.is_not_null()).then(_block("Disabilities", [_tag("Disability", disability, 10)], 8))
                .otherwise(pl.lit("")),
            ], 6),
            pl.col("block"),
        ], 4).alias("xml"))["xml"]

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(_header(la_code, year))
        handle.writelines("".join(children.slice(offset, SLICE).to_list()) for offset in range(0, children.len(), SLICE))
        handle.write("  </Children>\n</Message>\n")
    return path
