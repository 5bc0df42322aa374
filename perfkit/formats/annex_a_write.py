"""Ofsted Annex A: write the canonical tables of one authority as a workbook.

Writing (:func:`write_annex_a`) is the inverse for one authority: lists 1, 3,
4, 5, 6 (one row per referral), 7, 8 (one row per period of care) and 9 (one
row per care leaver record), plus empty lists 2, 10 and 11 with their
headings. Columns perfkit has no data for (Allocated Team, ...) are blank.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from perfkit.errors import ContractError
from perfkit.formats.annex_a_lists import (
    ABUSE,
    ACCOMMODATION,
    ACTIVITY,
    CEASED,
    CLOSURE,
    ETHNICITY,
    GENDER,
    IN_TOUCH,
    LEGAL,
    LISTS,
    NEED,
    OUTCOME,
    PLACEMENT,
    PROVIDER,
    SHEET_NAMES,
    SOURCE,
    SUITABLE,
    YES_NO,
)
from perfkit.formats.canonical import typed_table
from perfkit.indicators.children import age_on
from perfkit.records.problems import Problem

# --------------------------------------------------------------------------
# writing


def _answer(column: str, answers: dict[str, str]) -> pl.Expr:
    return pl.col(column).replace_strict(answers, default=pl.col(column), return_dtype=pl.String)


def _count_within_year(frame: pl.DataFrame, date: str) -> pl.DataFrame:
    """Add ``__count``: events of the same child in the 12 months up to and including this one."""
    keyed = frame.with_row_index("__i")
    pairs = keyed.select("__i", "child_id", date).join(
        keyed.select("child_id", pl.col(date).alias("__other")), on="child_id",
    ).filter((pl.col("__other") <= pl.col(date)) & (pl.col("__other") > pl.col(date).dt.offset_by("-1y")))
    counts = pairs.group_by("__i").agg(pl.len().cast(pl.Int64).alias("__count"))
    return keyed.join(counts, on="__i", how="left").sort("__i").drop("__i")


def periods_of_care(episodes: pl.DataFrame) -> pl.DataFrame:
    """One row per period of care (an ``S`` episode and those after it), as List 8 carries.

    Columns: child_id, episode_start, episode_end, legal_status (latest),
    category_of_need (latest), placement_type, placement_provider and
    placement_la (latest), reason_ceased (of the last episode),
    legal_status_start, placement_start, and previous_end (the end of the
    child's previous period, if any).

    Examples
    --------
    >>> import datetime as dt
    >>> eps = pl.DataFrame({"child_id": ["a", "a", "a"], "episode_start": [dt.date(2020, 1, 1), dt.date(2020, 6, 1), dt.date(2022, 1, 1)],
    ...     "episode_end": [dt.date(2020, 6, 1), dt.date(2021, 1, 1), None], "rne": ["S", "P", "S"],
    ...     "legal_status": ["V2", "V2", "C2"], "category_of_need": ["N1", "N1", "N4"], "placement_type": ["U4", "K2", "U6"],
    ...     "placement_provider": ["PR1", "PR4", "PR1"], "placement_la": [None, None, None], "reason_ceased": [None, "E4A", None]})
    >>> periods_of_care(eps).select("episode_start", "episode_end", "placement_type", "reason_ceased", "placement_start").rows()
    [(datetime.date(2020, 1, 1), datetime.date(2021, 1, 1), 'K2', 'E4A', datetime.date(2020, 6, 1)), (datetime.date(2022, 1, 1), None, 'U6', None, datetime.date(2022, 1, 1))]
    """
    ordered = episodes.sort("child_id", "episode_start").with_columns(
        __period=(pl.col("rne") == "S").cum_sum().over("child_id"),
    )
    ordered = ordered.with_columns(
        __ls_run=(pl.col("legal_status") != pl.col("legal_status").shift(1)).fill_null(True).cum_sum().over("child_id", "__period"),
        __place=pl.when(pl.col("rne").is_in(["S", "P", "B"])).then(pl.col("episode_start")),
    )
    periods = ordered.group_by("child_id", "__period", maintain_order=True).agg(
        pl.col("episode_start").first(), pl.col("episode_end").last(), pl.col("legal_status").last(),
        pl.col("category_of_need").last(), pl.col("placement_type").last(), pl.col("placement_provider").last(),
        pl.col("placement_la").last(), pl.col("reason_ceased").last(),
        pl.col("episode_start").filter(pl.col("__ls_run") == pl.col("__ls_run").max()).first().alias("legal_status_start"),
        pl.col("__place").drop_nulls().last().alias("placement_start"),
    )
    return periods.with_columns(previous_end=pl.col("episode_end").shift(1).over("child_id")).drop("__period")


def _list_frames(tables: dict[str, pl.DataFrame]) -> dict[int, pl.DataFrame]:
    """The Annex A lists (headings as columns; dates as ``Date``) for one authority."""
    tables = {name: typed_table(name, frame) for name, frame in tables.items()}
    children = tables.get("children", typed_table("children", pl.DataFrame(schema={"child_id": pl.String})))
    people = children.select("child_id", "sex", "ethnicity", "date_of_birth", "disability", "uasc")

    def child_columns(on: str, disability: bool = False) -> list[pl.Expr]:
        exprs = [
            pl.col("child_id").alias("Child Unique ID"), _answer("sex", GENDER).alias("Gender"),
            _answer("ethnicity", ETHNICITY).alias("Ethnicity"), pl.col("date_of_birth").alias("Date of Birth"),
            age_on(pl.col(on), pl.col("date_of_birth")).alias("Age of Child (Years)"),
        ]
        if disability:
            exprs.append(_answer("disability", YES_NO).alias("Does the Child have a Disability"))
        return exprs

    def blank(*headings: str) -> list[pl.Expr]:
        return [pl.lit(None, pl.String).alias(h) for h in headings]

    lists: dict[int, pl.DataFrame] = {}
    if "contacts" in tables:
        frame = tables["contacts"].join(people, on="child_id", how="left").sort("contact_date", "contact_id")
        lists[1] = frame.select(*child_columns("contact_date"), pl.col("contact_date").alias("Date of Contact"),
                                _answer("contact_source", SOURCE).alias("Contact Source"),
                                _answer("outcome", OUTCOME).alias("Contact Outcome"))
    if "early_help" in tables:  # the episode's end is not an Annex A field: only its assessment's completion
        frame = tables["early_help"].sort("eh_start", "child_id").join(people, on="child_id", how="left", maintain_order="left")
        lists[2] = frame.select(*child_columns("eh_start"), pl.col("eh_start").alias("Assessment start date"),
                                pl.col("assessment_end").alias("Assessment completion date"),
                                pl.col("organisation").alias("Organisation completing assessment"))
    if "referrals" in tables:
        frame = _count_within_year(tables["referrals"].sort("referral_date", "referral_id"), "referral_date")
        frame = frame.join(people, on="child_id", how="left", maintain_order="left")
        lists[3] = frame.select(*child_columns("referral_date"), pl.col("referral_date").alias("Date of referral"),
                                _answer("referral_source", SOURCE).alias("Referral Source"),
                                _answer("nfa", YES_NO).alias("Referral NFA?"),
                                pl.col("__count").alias("Number of Referrals in Last 12 Months"),
                                *blank("Allocated Team", "Allocated Worker"))
        status = pl.when(pl.col("closure_date").is_not_null()).then(pl.lit("e) Closed episode")).otherwise(pl.lit("c) Child in need plan"))
        lists[6] = frame.select(*child_columns("referral_date", True), pl.col("referral_date").alias("CIN Start Date"),
                                _answer("primary_need", NEED).alias("Primary Need Code"),
                                *blank("Date Child Was Last Seen"),
                                pl.col("closure_date").alias("CIN Closure Date"),
                                _answer("closure_reason", CLOSURE).alias("Reason for Closure"),
                                status.alias("Case Status"), *blank("Allocated Team", "Allocated Worker"))
    if "assessments" in tables:
        frame = tables["assessments"].sort("start_date", "assessment_id").join(people, on="child_id", how="left", maintain_order="left")
        lists[4] = frame.select(*child_columns("start_date", True),
                                pl.col("start_date").alias("Continuous Assessment Start Date"),
                                *blank("Child Seen During Continuous Assessment"),
                                pl.col("authorised_date").alias("Continuous Assessment Date of Authorisation"),
                                _answer("needs_support", YES_NO).alias("Was the child assessed as requiring LA children's social care support?"),
                                *blank("Allocated Team", "Allocated Worker"))
    if "section47" in tables:
        frame = _count_within_year(tables["section47"].sort("start_date", "s47_id"), "start_date")
        frame = frame.join(people, on="child_id", how="left", maintain_order="left")
        lists[5] = frame.select(*child_columns("start_date", True),
                                pl.col("start_date").alias("Strategy discussion initiating Section 47 Enquiry Start Date"),
                                _answer("icpc_not_required", YES_NO).alias("Was an Initial Child Protection Conference deemed unnecessary?"),
                                pl.col("icpc_date").alias("Date of Initial Child Protection Conference"),
                                _answer("cp_plan", YES_NO).alias("Did the Initial Child Protection Conference Result in a Child Protection Plan"),
                                pl.col("__count").alias("Number of Section 47 Enquiries in the last 12 months"),
                                *blank("Number of ICPCs in the last 12 months", "Allocated Team", "Allocated Worker"))
    if "cp_plans" in tables:
        plans = tables["cp_plans"].sort("start_date", "plan_id").with_columns(
            pl.int_range(pl.len()).over("child_id", order_by="start_date").alias("__previous"))
        if "cp_visits" in tables and tables["cp_visits"].height:
            last = tables["cp_visits"].sort("visit_date").group_by("plan_id").agg(
                pl.col("visit_date").last(), pl.col("seen_alone").last())
            plans = plans.join(last, on="plan_id", how="left", maintain_order="left")
        else:
            plans = plans.with_columns(visit_date=pl.lit(None, pl.Date), seen_alone=pl.lit(None, pl.String))
        frame = plans.join(people, on="child_id", how="left", maintain_order="left")
        lists[7] = frame.select(*child_columns("start_date", True),
                                pl.col("start_date").alias("Child Protection Plan Start Date"),
                                _answer("initial_category", ABUSE).alias("Initial Category of Abuse"),
                                _answer("latest_category", ABUSE).alias("Latest Category of Abuse"),
                                pl.col("visit_date").alias("Date of the Last Statutory Visit"),
                                _answer("seen_alone", YES_NO).alias("Was the Child Seen Alone?"),
                                *blank("Date of latest review conference"),
                                pl.col("end_date").alias("Child Protection Plan End Date"),
                                *blank("Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)"),
                                pl.col("__previous").alias("Number of Previous Child Protection Plans"),
                                *blank("Allocated Team", "Allocated Worker"))
    if "cla_episodes" in tables:
        frame = periods_of_care(tables["cla_episodes"]).join(people, on="child_id", how="left", maintain_order="left")
        frame = frame.sort("episode_start", "child_id")
        subsequent = pl.when(pl.col("previous_end").is_not_null() & (pl.col("previous_end") > pl.col("episode_start").dt.offset_by("-1y"))).then(pl.lit("Y")).otherwise(pl.lit("N"))
        lists[8] = frame.select(
            *child_columns("episode_start")[:5],
            _answer("uasc", YES_NO).alias("Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)"),
            _answer("disability", YES_NO).alias("Does the Child have a Disability"),
            pl.col("episode_start").alias("Date Started to be Looked After"),
            _answer("category_of_need", NEED).alias("Child's Category of Need"),
            subsequent.replace_strict(YES_NO, return_dtype=pl.String).alias(
                "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)"),
            pl.col("legal_status_start").alias("Start date of current legal status"),
            _answer("legal_status", LEGAL).alias("Child's Legal Status"),
            *blank("Date of Latest Statutory Review", "Date of Last Social Work Visit",
                   "What is the permanence plan for this child?", "Date of Last IRO Visit / Contact to the Child",
                   "Date of Last Health Assessment", "Date of Last Dental Check",
                   "Number of Placements in the Last 12 months"),
            pl.col("episode_end").alias("Date Ceased to be Looked After"),
            _answer("reason_ceased", CEASED).alias("Reason Ceased to be Looked After"),
            pl.col("placement_start").alias("Start Date of Most Recent Placement"),
            _answer("placement_type", PLACEMENT).alias("Placement Type"),
            _answer("placement_provider", PROVIDER).alias("Placement Provider"),
            *blank("Placement postcode", "URN of Placement", "Placement Location"),
            pl.col("placement_la").alias("LA of Placement"),
            *blank("Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months",
                   "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
                   "Was the child offered a Return Interview after their last missing episode (Y/N)?",
                   "Did the child accept a Return Interview after their last missing episode (Y/N)?",
                   "Allocated Team", "Allocated Worker"),
        )
    if "care_leavers" in tables:
        frame = tables["care_leavers"].sort("reference_date", "child_id").join(people, on="child_id", how="left", maintain_order="left")
        letter = pl.col("accommodation").str.slice(0, 1)
        lists[9] = frame.select(
            *child_columns("reference_date")[:5],
            _answer("uasc", YES_NO).alias("Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)"),
            _answer("disability", YES_NO).alias("Does the Child have a Disability"),
            *blank("Allocated Team", "Allocated Worker", "Allocated Personal Advisor", "Eligibility Category",
                   "Latest Pathway Plan Review Date"),
            _answer("in_touch", IN_TOUCH).alias("LA in Touch"),
            pl.col("reference_date").alias("Latest Date of Contact"),
            pl.when(letter.is_not_null()).then(pl.concat_str([letter, pl.lit(": "), letter.replace_strict(ACCOMMODATION, default="")]).str.strip_chars(": ")).alias("Type of Accommodation"),
            pl.col("accommodation").str.slice(1, 1).replace_strict(SUITABLE, default=None, return_dtype=pl.String).alias("Suitability of Accommodation"),
            _answer("activity", ACTIVITY).alias("Activity Status"),
        )
    return lists


def write_annex_a(tables: dict[str, pl.DataFrame], path: Path) -> Path:
    """Write canonical tables of one authority as an Annex A workbook.

    One sheet per list (``List 1 - Contacts`` ...), Annex A headings, dates
    as Excel dates shown ``dd/mm/yyyy``, coded answers such as ``a) Yes``.
    List 1 gets the perfkit ``Contact Outcome`` column (see :mod:`perfkit.formats.annex_a`).

    Parameters
    ----------
    tables : dict of str to polars.DataFrame
        Canonical tables (dates as ``Date``) for a single ``la_code``.
    path : path
        The ``.xlsx`` file to write.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ContractError
        If the tables hold more than one authority (Annex A has no LA column).

    Examples
    --------
    >>> import datetime as dt, tempfile, pathlib
    >>> children = pl.DataFrame({"la_code": ["990"], "child_id": ["A1"], "sex": ["F"],
    ...                          "date_of_birth": [dt.date(2012, 4, 3)], "ethnicity": ["WBRI"]})
    >>> referrals = pl.DataFrame({"la_code": ["990"], "child_id": ["A1"], "referral_id": ["R1"],
    ...     "referral_date": [dt.date(2024, 1, 5)], "referral_source": ["6"], "nfa": ["Y"],
    ...     "closure_date": [dt.date(2024, 1, 5)], "closure_reason": ["RC8"], "primary_need": ["N9"]})
    >>> path = write_annex_a({"children": children, "referrals": referrals}, pathlib.Path(tempfile.mkdtemp()) / "a.xlsx")
    >>> sheet = pl.read_excel(path, sheet_name="List 3 - Referrals", infer_schema_length=0)
    >>> sheet.select("Gender", "Date of referral", "Referral Source", "Referral NFA?").row(0)
    ('b) Female', '2024-01-05 00:00:00', 'q) 6: Police', 'a) Yes')
    >>> from perfkit.formats.annex_a import read_annex_a
    >>> read_annex_a(path, "990")["referrals"].select("referral_date", "nfa", "closure_reason").row(0)
    (datetime.date(2024, 1, 5), 'Y', 'RC8')
    """
    import xlsxwriter

    path = Path(path)
    codes = sorted({c for frame in tables.values() if "la_code" in frame.columns for c in frame["la_code"].unique().to_list()})
    if len(codes) > 1:
        raise ContractError([Problem(str(path), f"Annex A holds one authority but the tables hold {', '.join(codes)}: expected tables filtered to one la_code")])
    lists = _list_frames(tables)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path))
    try:
        bold = workbook.add_format({"bold": True, "text_wrap": True})
        date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
        for number in range(1, 12):
            sheet = workbook.add_worksheet(SHEET_NAMES[number])
            frame = lists.get(number)
            if frame is None:
                sheet.write_row(0, 0, [f.heading for f in LISTS[number]], bold)
                continue
            sheet.write_row(0, 0, frame.columns, bold)
            sheet.set_column(0, frame.width - 1, 18)
            for c, column in enumerate(frame.columns):
                dtype = frame.schema[column]
                for r, value in enumerate(frame[column].to_list(), start=1):
                    if value is None:
                        continue
                    if dtype == pl.Date:
                        sheet.write_datetime(r, c, value, date_format)
                    elif dtype.is_numeric():
                        sheet.write_number(r, c, value)
                    else:
                        sheet.write_string(r, c, str(value))
    finally:
        workbook.close()
    return path
