"""The values of a CIN census return: what each table's rows hold, and how dates, codes and ids are read.

Used by :mod:`perfkit.formats.cin_census_read` (which reads a return) and
:mod:`perfkit.formats.cin_census` (which merges returns into tables).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import polars as pl

from perfkit.formats.import_log import ImportProblem

# rows kept per table: the columns of each row tuple, in order (the child's position last)
COLUMNS: dict[str, tuple[str, ...]] = {
    "children": ("child_id", "sex", "dob_actual", "dob_expected", "dob_bad", "ethnicity", "disability"),
    "referrals": ("child_id", "referral_id", "referral_date", "referral_source", "nfa", "closure_date",
                  "closure_reason", "primary_need"),
    "assessments": ("child_id", "assessment_id", "referral_id", "start_date", "authorised_date"),
    "section47": ("child_id", "s47_id", "start_date", "icpc_date", "icpc_not_required"),
    "cp_plans": ("child_id", "plan_id", "start_date", "end_date", "initial_category", "latest_category",
                 "previous_plans"),
}
POSITION = "__pos"
_DATES = {"dob_actual", "dob_expected", "referral_date", "closure_date", "start_date", "authorised_date", "icpc_date",
          "end_date"}


def row_schema(table: str) -> dict[str, pl.DataType]:
    """The columns of a table's rows as read: ``la_code``, :data:`COLUMNS`, the child's position."""
    schema: dict[str, pl.DataType] = {"la_code": pl.String}
    for column in COLUMNS[table]:
        schema[column] = pl.Date if column in _DATES else pl.Int64 if column == "previous_plans" else pl.String
    schema[POSITION] = pl.Int64
    return schema


SEX = {"1": "M", "2": "F", "0": "U", "9": "U", "M": "M", "F": "F", "U": "U"}
SEX_EXPECTED = "1 (male), 2 (female), 0 (not recorded or unborn) or 9 (indeterminate); or M, F or U"
DISABILITY_CODES = ("NONE", "MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT", "DDA")
UNKNOWN_SOURCE = "10"
"""The CIN referral source for "unknown": read for a missing or unrecognised ReferralSource."""
UNKNOWN_ETHNICITY = "NOBT"
"""The DfE ethnicity code for "information not yet obtained": read for a missing or unrecognised Ethnicity."""
DATE_EXPECTED = "a date written YYYY-MM-DD"
YES_NO_EXPECTED = "true, false, 1 or 0"
BOOLEAN = {"true": "Y", "1": "Y", "y": "Y", "yes": "Y", "false": "N", "0": "N", "n": "N", "no": "N"}
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}")
_ISO_TAIL = re.compile(r"^(?:T[0-9:.]+)?(?:Z|[+-]\d{2}:\d{2})?$")


class Bad:
    """An unreadable value (distinct from an absent one, ``None``)."""


BAD = Bad()


def parse_date(text: str | None) -> dt.date | None | Bad:
    """A date written ``YYYY-MM-DD`` (as ``xs:date``, a time or zone after it ignored) or ``dd/mm/yyyy``.

    >>> parse_date("2024-03-31"), parse_date("2024-03-31T00:00:00"), parse_date("05/01/2024"), parse_date(None)
    (datetime.date(2024, 3, 31), datetime.date(2024, 3, 31), datetime.date(2024, 1, 5), None)
    >>> parse_date("2023-02-30") is BAD, parse_date("05/01/24") is BAD, parse_date("2024-W01-1") is BAD
    (True, True, True)
    """
    if text is None:
        return None
    try:
        if _ISO.match(text):
            if len(text) == 10:
                return dt.date.fromisoformat(text)
            if _ISO_TAIL.match(text[10:]):
                return dt.date.fromisoformat(text[:10])
            return BAD
        match = _DMY.match(text)
        if match:
            return dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        return BAD
    return BAD


@lru_cache(maxsize=1)
def needed_columns() -> frozenset[tuple[str, str]]:
    """Every ``(table, column)`` some catalogue indicator is counted from (its ``needs``)."""
    from perfkit.indicators.catalogue import load_catalogue

    return frozenset((n.table, n.column) for indicator in load_catalogue().indicators for n in indicator.needs)


def record_id(parent: str, kind: str, start: dt.date) -> str:
    """The id of a CIN record: its parent's id (the child's for a referral, the referral's for what it holds),
    a letter for the kind of record (R, A, S, P) and its start date.

    >>> referral = record_id("DfEX0000001", "R", dt.date(2022, 10, 6))
    >>> referral, record_id(referral, "A", dt.date(2022, 10, 7))
    ('DfEX0000001:R2022-10-06', 'DfEX0000001:R2022-10-06:A2022-10-07')
    """
    return f"{parent}:{kind}{start.isoformat()}"


def problem(source: str, sheet: str, row: int | None, column: str, value: str, expected: str,
            action: str) -> ImportProblem:
    """An :class:`~perfkit.formats.import_log.ImportProblem`, its fields named."""
    return ImportProblem(source=source, sheet=sheet, row=row, column=column, value=value or "", expected=expected,
                         action=action)
