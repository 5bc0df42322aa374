"""The record-level input contract, declared once.

Each table of ``data-contract.md`` is a :class:`TableSpec`: its columns with
their kind (text, date, flag, code list, pattern, number), whether they are
required, the key that must be unique, and the date pairs whose end may not be
before their start. The loader (:mod:`perfkit.records.loading`) checks data against
these declarations; nothing about the contract is written anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "date", "flag", "code", "pattern", "number", "integer"]

FLAG_CODES = ("Y", "N")
SEX_CODES = ("M", "F", "U")
ETHNICITY_CODES = (
    "WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH",
    "AIND", "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH",
    "REFU", "NOBT",
)
REFERRAL_SOURCE_CODES = (
    "1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F",
    "4", "5A", "5B", "5C", "5D", "6", "7", "8", "9", "10",
)
CONTACT_OUTCOMES = ("referral", "early_help", "nfa", "information")
CLOSURE_REASONS = tuple(f"RC{i}" for i in range(1, 10))
PRIMARY_NEED_CODES = tuple(f"N{i}" for i in range(0, 10))
CP_CATEGORIES = ("NEG", "PHY", "SAB", "EMO", "MUL")
RNE_CODES = ("S", "P", "L", "T", "U", "B")
LEGAL_STATUS_CODES = ("C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4")
CLA_NEED_CODES = tuple(f"N{i}" for i in range(1, 9))
PLACEMENT_TYPES = (
    "A3", "A4", "A5", "A6", "H5", "K1", "K2", "P1", "P2", "P3", "R1", "R2", "R3",
    "R5", "S1", "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1",
    # later SSDA903 years: K3, registered supported accommodation (from 2024-25, for H5 and P2, as
    # supported accommodation for 16- and 17-year-olds must be registered with Ofsted since 28 October
    # 2023); Z11-Z14, other placements split (2025-26). Earlier years' files keep their codes.
    "K3", "Z11", "Z12", "Z13", "Z14",
)
PLACEMENT_PROVIDERS = tuple(f"PR{i}" for i in range(0, 6))
REASON_CEASED_CODES = (
    "E11", "E12", "E13", "E14", "E15", "E16", "E17", "E2", "E3", "E41", "E45",
    "E46", "E47", "E48", "E4A", "E4B", "E5", "E6", "E7", "E8", "E9",
)
MISSING_TYPES = ("M", "A")
EXPLOITATION_RISKS = ("cse", "cce", "county_lines", "trafficking", "none")
"""The main risk of exploitation recorded for a missing episode (at the return home interview or in the
episode's record): sexual, criminal (other than county lines), county lines, trafficking or modern slavery,
or none identified. Blank where none was recorded. No statutory return holds it; councils record it."""
CARE_LEAVER_AGE_BANDS = ("17-18", "19-21")
IN_TOUCH_CODES = ("YES", "NO", "DIED", "REFU", "NREQ", "RHOM")
ACTIVITY_CODES = ("F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5", "G6")
REVIEW_CODES = tuple(f"PN{i}" for i in range(8))
"""SSDA903 REVIEW_CODE: how the child took part in a review (PN0: under 4 at the review)."""


@dataclass(frozen=True)
class Column:
    """One column of a table.

    ``required`` columns must be present and non-empty on every row; optional
    columns may be absent from the file or empty.
    """

    name: str
    kind: Kind = "text"
    required: bool = True
    codes: tuple[str, ...] = ()
    pattern: str = ""
    expected: str = ""
    planned: bool = False
    """A date that may lie ahead (the day a child will stop being UASC, at 18): not refused for being in the future."""

    def describe(self) -> str:
        """Plain words for what a value of this column must be."""
        if self.expected:
            return self.expected
        if self.kind == "date":
            return "a date in ISO form YYYY-MM-DD"
        if self.kind == "flag":
            return "Y or N" + ("" if self.required else " (or blank)")
        if self.kind == "code":
            return "one of " + ", ".join(self.codes)
        if self.kind == "number":
            return "a number of zero or more"
        if self.kind == "integer":
            return "a whole number of zero or more"
        return "a non-empty value"


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    date_order: tuple[tuple[str, str], ...] = ()
    required: bool = False

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _text(name: str, required: bool = True) -> Column:
    return Column(name, "text", required)


def _date(name: str, required: bool = True) -> Column:
    return Column(name, "date", required)


def _flag(name: str, required: bool = True) -> Column:
    return Column(name, "flag", required, FLAG_CODES)


def _code(name: str, codes: tuple[str, ...], required: bool = True) -> Column:
    return Column(name, "code", required, codes)


def _number(name: str) -> Column:
    return Column(name, "number", True)


LA = _text("la_code")
CHILD = _text("child_id")

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "children",
            (LA, CHILD, _code("sex", SEX_CODES), _date("date_of_birth"),
             _code("ethnicity", ETHNICITY_CODES), _flag("disability", False),
             _flag("uasc", False), _text("district", False),
             # the day a child stopped being UASC (SSDA903's DUC, usually the 18th birthday): UASC only before it
             Column("uasc_ceased", "date", False, planned=True)),
            key=("la_code", "child_id"),
            required=True,
        ),
        TableSpec(
            "contacts",
            (LA, CHILD, _text("contact_id"), _date("contact_date"),
             _code("contact_source", REFERRAL_SOURCE_CODES), _code("outcome", CONTACT_OUTCOMES)),
            key=("la_code", "contact_id"),
        ),
        TableSpec(
            # early help: each episode of early help (support short of children's social care), from its start
            # (the early help assessment's start, as Annex A List 2 gives it) to its closure (no return holds
            # the closure: a council's own early help system does); the assessment's completion where recorded
            "early_help",
            (LA, CHILD, _date("eh_start"), _date("eh_end", False), _date("assessment_end", False),
             _text("organisation", False), _text("district", False)),
            key=("la_code", "child_id", "eh_start"),
            date_order=(("eh_start", "eh_end"), ("eh_start", "assessment_end")),
        ),
        TableSpec(
            "referrals",
            (LA, CHILD, _text("referral_id"), _date("referral_date"),
             _code("referral_source", REFERRAL_SOURCE_CODES), _flag("nfa"),
             _date("closure_date", False), _code("closure_reason", CLOSURE_REASONS, False),
             _code("primary_need", PRIMARY_NEED_CODES, False)),
            key=("la_code", "referral_id"),
            date_order=(("referral_date", "closure_date"),),
        ),
        TableSpec(
            "assessments",
            (LA, CHILD, _text("assessment_id"), _text("referral_id"), _date("start_date"),
             _date("authorised_date", False), _flag("needs_support", False)),
            key=("la_code", "assessment_id"),
            date_order=(("start_date", "authorised_date"),),
        ),
        TableSpec(
            "section47",
            (LA, CHILD, _text("s47_id"), _date("start_date"), _date("icpc_date", False),
             _flag("icpc_not_required", False), _flag("cp_plan", False)),
            key=("la_code", "s47_id"),
            date_order=(("start_date", "icpc_date"),),
        ),
        TableSpec(
            "cp_plans",
            (LA, CHILD, _text("plan_id"), _date("start_date"), _date("end_date", False),
             _code("initial_category", CP_CATEGORIES), _code("latest_category", CP_CATEGORIES),
             # the CIN census's NumberOfPreviousCPP: earlier plans the records may not hold
             Column("previous_plans", "integer", False)),
            key=("la_code", "plan_id"),
            date_order=(("start_date", "end_date"),),
        ),
        TableSpec(
            "cp_visits",
            (LA, CHILD, _text("plan_id"), _date("visit_date"), _flag("seen_alone", False),
             _date("recorded_date", False)),
            date_order=(("visit_date", "recorded_date"),),
        ),
        TableSpec(
            "cla_episodes",
            (LA, CHILD, _date("episode_start"), _date("episode_end", False),
             _code("rne", RNE_CODES), _code("legal_status", LEGAL_STATUS_CODES),
             _code("category_of_need", CLA_NEED_CODES), _code("placement_type", PLACEMENT_TYPES),
             _code("placement_provider", PLACEMENT_PROVIDERS, False), _text("placement_la", False),
             _text("placement_district", False), _code("reason_ceased", REASON_CEASED_CODES, False),
             _text("reason_place_change", False)),
            key=("la_code", "child_id", "episode_start"),
            date_order=(("episode_start", "episode_end"),),
        ),
        TableSpec(
            "missing_episodes",
            (LA, CHILD, _date("missing_start"), _date("missing_end", False),
             _code("missing_type", MISSING_TYPES), _flag("looked_after"),
             _date("rhi_offered_date", False), _flag("rhi_accepted", False),
             _text("district", False), _code("risk", EXPLOITATION_RISKS, False)),
            key=("la_code", "child_id", "missing_start"),
            date_order=(("missing_start", "missing_end"),),
        ),
        TableSpec(
            "cla_reviews",
            # SSDA903 Reviews: each review of a looked-after child's care plan, and how the child took part
            (LA, CHILD, _date("review_date"), _code("review_code", REVIEW_CODES, False)),
            key=("la_code", "child_id", "review_date"),
        ),
        TableSpec(
            "care_leavers",
            (LA, CHILD, _date("reference_date"), _code("age_band", CARE_LEAVER_AGE_BANDS),
             _code("in_touch", IN_TOUCH_CODES), _code("activity", ACTIVITY_CODES, False),
             Column("accommodation", "pattern", False, pattern=r"^[A-Z][12]$",
                    expected="an SSDA903 accommodation code: a letter then 1 (suitable) or 2 (unsuitable), e.g. B1")),
            key=("la_code", "child_id", "reference_date"),
        ),
        TableSpec(
            "workforce",
            (LA, Column("month", "date", expected="the first day of a month, YYYY-MM-01"),
             _text("team"), _text("department"), _number("permanent_fte"), _number("agency_fte"),
             _number("vacancy_fte"), _number("leavers_fte"), _number("starters_fte"),
             _number("case_holders_fte"), _number("cases"),
             # newly qualified social workers in their assessed and supported year in employment (ASYE), of the
             # permanent FTE: optional, as the DfE workforce census holds no such field and not every council records it
             Column("nqsw_fte", "number", False)),
            key=("la_code", "month", "team"),
        ),
        TableSpec(
            "ehcp_requests",
            (LA, CHILD, _text("request_id"), _date("request_date"), _date("decision_date", False),
             _date("plan_issued_date", False), _flag("exception", False), _flag("mediation", False)),
            key=("la_code", "request_id"),
            date_order=(("request_date", "decision_date"), ("request_date", "plan_issued_date")),
        ),
        TableSpec(
            "population",
            (LA, Column("year", "integer", expected="a four-digit year, e.g. 2023"),
             Column("population_0_17", "integer")),
            key=("la_code", "year"),
        ),
    )
}
"""Every table of the contract, by name."""
