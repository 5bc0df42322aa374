"""Ofsted Annex A: read a workbook (or CSVs of its lists) into canonical tables, and write one.

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
  column (a perfkit addition, written by :func:`write_annex_a`: ``a) Referral``,
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

Writing (:func:`write_annex_a`) is the inverse for one authority: lists 1, 3,
4, 5, 6 (one row per referral), 7, 8 (one row per period of care) and 9 (one
row per care leaver record), plus empty lists 2, 10 and 11 with their
headings. Columns perfkit has no data for (Allocated Team, ...) are blank.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from perfkit.indicators.children import age_on
from perfkit.records.contract import (
    ACTIVITY_CODES,
    CLA_NEED_CODES,
    CLOSURE_REASONS,
    ETHNICITY_CODES,
    IN_TOUCH_CODES,
    LEGAL_STATUS_CODES,
    PLACEMENT_PROVIDERS,
    PLACEMENT_TYPES,
    PRIMARY_NEED_CODES,
    REASON_CEASED_CODES,
    REFERRAL_SOURCE_CODES,
    TABLES,
)
from perfkit.formats.cleaning import (
    contract_tables,
    FLAG_EXPECTED,
    ROW,
    Field,
    code_decoder,
    extract,
    flag,
    normalise_heading,
    raise_problems,
    read_csv_grid,
    read_xlsx_grids,
    strip_option,
    typed_table,
    write_canonical,
)
from perfkit.records.loading import ContractError, Problem, check_table

# --------------------------------------------------------------------------
# coded answers: code -> the Annex A answer written for it

GENDER = {"M": "a) Male", "F": "b) Female", "U": "c) Not stated/recorded"}
ETHNICITY = {code: f"{letter}) {code}" for letter, code in zip("abcdefghijklmnopqrst", ETHNICITY_CODES)}
ETHNICITY_LABELS = {
    "White British": "WBRI", "White Irish": "WIRI", "Traveller of Irish heritage": "WIRT",
    "Any other White background": "WOTH", "Gypsy/Roma": "WROM", "White and Black Caribbean": "MWBC",
    "White and Black African": "MWBA", "White and Asian": "MWAS", "Any other Mixed background": "MOTH",
    "Indian": "AIND", "Pakistani": "APKN", "Bangladeshi": "ABAN", "Any other Asian background": "AOTH",
    "Caribbean": "BCRB", "African": "BAFR", "Any other Black background": "BOTH", "Chinese": "CHNE",
    "Any other ethnic group": "OOTH", "Refused": "REFU", "Information not yet obtained": "NOBT",
}
_SOURCE_GROUP = {"1": "Individual", "2A": "Schools", "2B": "Education services", "3": "Health services",
                 "4": "Housing", "5": "LA services", "6": "Police", "7": "Other legal agency", "8": "Other",
                 "9": "Anonymous", "10": "Unknown"}
SOURCE = {
    code: f"{letter}) {code}: {_SOURCE_GROUP.get(code, _SOURCE_GROUP.get(code[0], ''))}"
    for letter, code in zip(
        ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "p1", "q", "r", "s", "t", "u"],
        ["1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F", "4", "5A", "5B", "5C", "5D", "6", "7", "8", "9", "10"],
    )
}
YES_NO = {"Y": "a) Yes", "N": "b) No"}
OUTCOME = {"referral": "a) Referral", "early_help": "b) Early help", "nfa": "c) No further action",
           "information": "d) Information and advice"}
NEED = {"N0": "N0 - Not stated", "N1": "N1 - Abuse or neglect", "N2": "N2 - Child's disability",
        "N3": "N3 - Parental disability or illness", "N4": "N4 - Family in acute stress",
        "N5": "N5 - Family dysfunction", "N6": "N6 - Socially unacceptable behaviour", "N7": "N7 - Low income",
        "N8": "N8 - Absent parenting", "N9": "N9 - Cases other than children in need"}
CLOSURE = {"RC1": "RC1 - Adopted", "RC2": "RC2 - Died", "RC3": "RC3 - Child arrangements order",
           "RC4": "RC4 - Special guardianship order",
           "RC5": "RC5 - Transferred to services of another local authority",
           "RC6": "RC6 - Transferred to adult social care services",
           "RC7": "RC7 - Services ceased for any other reason, including child no longer in need",
           "RC8": "RC8 - Case closed after assessment, no further action",
           "RC9": "RC9 - Case closed after assessment, referred to early help"}
ABUSE = {"NEG": "a) Neglect", "PHY": "b) Physical abuse", "SAB": "c) Sexual abuse", "EMO": "d) Emotional abuse",
         "MUL": "e) Multiple/not recommended"}
ABUSE_LABELS = {"neglect": "NEG", "physical abuse": "PHY", "physical": "PHY", "sexual abuse": "SAB", "sexual": "SAB",
                "emotional abuse": "EMO", "emotional": "EMO", "multiple/not recommended": "MUL", "multiple": "MUL"}
LEGAL = {"C1": "C1: ICO", "C2": "C2: FCO", "D1": "D1: Freeing order", "E1": "E1: Placement order",
         "J1": "J1: Remanded to LA or youth detention", "J2": "J2: LA accommodation under PACE",
         "J3": "J3: Youth rehabilitation order", "L1": "L1: Police protection LA accommodation", "L2": "L2: EPO",
         "L3": "L3: Child assessment order LA accommodation", "V2": "V2: Single period under S20",
         "V3": "V3: Short term breaks, episodes recorded", "V4": "V4: Short term breaks, agreements recorded"}
CEASED = {"E11": "a) E11: Adopted - application unopposed", "E12": "b) E12: Adopted - consent dispensed",
          "E2": "c) E2: Died", "E3": "d) E3: Care taken by another LA",
          "E4A": "e) E4A: Returned home to live with parents or relatives - part of planning",
          "E4B": "f) E4B: Returned home to live with parents or relatives - not part of planning",
          "E13": "g) E13: Parents, relatives or other with no parental responsibility",
          "E41": "h) E41: Residence order granted",
          "E45": "i) E45: Special Guardianship Orders - former carer relative/friend",
          "E46": "j) E46: Special Guardianship Orders - former carer other",
          "E47": "k) E47: Special Guardianship Orders - relative/friend",
          "E48": "l) E48: Special Guardianship Orders - other",
          "E5": "m) E5: Moved into independent living - supported",
          "E6": "n) E6: Moved into independent living - no support",
          "E7": "o) E7: Transferred to residential care funded by adult social services",
          "E9": "p) E9: Sentenced to custody", "E14": "q) E14: Accommodation on remand ended",
          "E15": "r) E15: Age assessment determined child was 18 or over", "E16": "s) E16: Child moved abroad",
          "E8": "t) E8: Care ceased for any other reason", "E17": "v) E17: Aged 18+ and remained with current carers"}
PLACEMENT = {"U1": "a) U1: Foster placement - relatives - long term", "U2": "b) U2: Foster placement - relative - FFA",
             "U3": "c) U3: Foster placement - relative - not FFA", "U4": "d) U4: Foster placement - long term",
             "U5": "e) U5: Foster placement - FFA", "U6": "f) U6: Foster placement - not FFA",
             "A3": "g) A3: Placed for adoption - consent - current foster",
             "A4": "h) A4: Placed for adoption - consent - not foster",
             "A5": "i) A5: Placed for adoption - order - foster", "A6": "j) A6: Placed for adoption - order - not foster",
             "P1": "k) P1: Placed with parents", "P2": "l) P2: Independent living", "P3": "m) P3: Residential employment",
             "H5": "n) H5: Residential accommodation", "K1": "o) K1: Secure Children's Homes",
             "K2": "p) K2: Children's Homes", "R1": "q) R1: Residential Care Home", "R2": "r) R2: NHS/Health Trust",
             "R3": "s) R3: Family Centre or Mother and Baby Unit", "R5": "t) R5: Young Offender Institution",
             "S1": "u) S1: Residential school", "Z1": "v) Z1: Other placements", "T0": "w) T0: Temporary placement",
             "T1": "x) T1: Temporary placement - hospital", "T2": "y) T2: Temporary placement - holiday",
             "T3": "z) T3: Temporary placement - carer holiday",
             "T4": "zz) T4: Temporary placement - seven days or less"}
PROVIDER = {"PR0": "a) PR0: Parents/Parental responsibility", "PR1": "b) PR1: Own provision",
            "PR2": "c) PR2: Other LA provision", "PR3": "d) PR3: Other public provision",
            "PR4": "e) PR4: Private provision", "PR5": "f) PR5: Voluntary/third sector"}
IN_TOUCH = {"YES": "a) Yes", "NO": "b) No", "DIED": "c) Died", "REFU": "d) Refu", "NREQ": "e) NREQ", "RHOM": "f) Rhom"}
ACCOMMODATION = {"B": "Parents/relatives", "C": "Community home/residential care",
                 "D": "Semi-independent, transitional accommodation and self-contained accommodation",
                 "E": "Supported lodgings", "G": "Abroad", "H": "Deported", "K": "Ordinary lodgings, without formal support",
                 "R": "Residence not known", "S": "No fixed abode/homeless", "T": "Foyers and similar supported accommodation",
                 "U": "Independent living", "V": "Emergency accommodation", "W": "Bed and breakfast", "X": "In custody",
                 "Y": "Other accommodation", "Z": "With former foster carers"}
SUITABLE = {"1": "a) Suitable", "2": "b) Unsuitable"}
ACTIVITY = {"F1": "F1: Full time in higher education", "P1": "P1: Part time in higher education",
            "F2": "F2: Full time in education other than higher", "P2": "P2: Part time in education other than higher",
            "F4": "F4: Young person engaged full time in an apprenticeship",
            "P4": "P4: Young person engaged part time in an apprenticeship",
            "F5": "F5: Young person engaged full time in training or employment (not apprenticeship)",
            "P5": "P5: Young person engaged part time in training or employment (not apprenticeship)",
            "G4": "G4: Not in education, employment or training - illness or disability",
            "G5": "G5: Not in education, employment or training - other",
            "G6": "G6: Not in education, employment or training - pregnancy or parenting"}


def _labels(answers: dict[str, str]) -> dict[str, str]:
    """Label text (without option letter or code) -> code, for reading answers by their words."""
    out = {}
    for code, answer in answers.items():
        text = strip_option(answer)
        parts = re.split(r"\s*(?::|\s-\s)\s*", text, maxsplit=1)
        out[text] = code
        if len(parts) == 2:
            out[parts[1]] = code
    return out


def _sex(value: str) -> str | None:
    text = normalise_heading(strip_option(value))
    if text in ("male", "m", "1"):
        return "M"
    if text in ("female", "f", "2"):
        return "F"
    if text in ("not stated/recorded", "not stated", "not recorded", "neither", "unknown", "not known",
                "indeterminate", "u", "0", "9"):
        return "U"
    return None


def _in_touch(value: str) -> str | None:
    text = normalise_heading(strip_option(value))
    return {"y": "YES", "yes": "YES", "n": "NO", "no": "NO", "died": "DIED", "refu": "REFU", "refused": "REFU",
            "nreq": "NREQ", "rhom": "RHOM"}.get(text) or code_decoder(IN_TOUCH_CODES)(value)


def _accommodation_letter(value: str) -> str | None:
    text = strip_option(value)
    match = re.match(r"^([A-Za-z])(?:\s*:|$)", text)
    if match:
        return match.group(1).upper()
    return {normalise_heading(v): k for k, v in ACCOMMODATION.items()}.get(normalise_heading(text))


def _suitability(value: str) -> str | None:
    text = normalise_heading(strip_option(value))
    if text in ("suitable", "y", "yes", "1"):
        return "1"
    if text in ("unsuitable", "not suitable", "n", "no", "2"):
        return "2"
    return None


def _outcome(value: str) -> str | None:
    text = normalise_heading(strip_option(value)).replace(" ", "_")
    aliases = {"referral": "referral", "early_help": "early_help", "no_further_action": "nfa", "nfa": "nfa",
               "information_and_advice": "information", "information": "information", "advice": "information"}
    return aliases.get(text)


# --------------------------------------------------------------------------
# the fields of each list

def _child_fields(disability: bool = False) -> list[Field]:
    fields = [
        Field("child_id", "Child Unique ID", "id", required=True, not_blank=True, aliases=("Child ID", "Unique Child ID"),
              expected="the child's id"),
        Field("sex", "Gender", "code", decoder=_sex, aliases=("Sex",),
              expected="'a) Male', 'b) Female', 'c) Not stated/recorded' or 'd) Neither'"),
        Field("ethnicity", "Ethnicity", "code", decoder=code_decoder(ETHNICITY_CODES, ETHNICITY_LABELS),
              expected="a DfE ethnicity code such as 'a) WBRI'"),
        Field("date_of_birth", "Date of Birth", "date", aliases=("DOB",)),
        Field("age", "Age of Child (Years)"),
    ]
    if disability:
        fields.append(Field("disability", "Does the Child have a Disability", "code", decoder=flag, expected=FLAG_EXPECTED))
    return fields


def _code(key, heading, answers, codes, required=False, not_blank=False, aliases=(), labels=None) -> Field:
    expected = "one of " + ", ".join(repr(a) for a in list(answers.values())[:4]) + " ... (or just the code)"
    return Field(key, heading, "code", required=required, not_blank=not_blank, aliases=aliases,
                 decoder=code_decoder(codes, {**_labels(answers), **(labels or {})}), expected=expected)


def _flag(key, heading, required=False, not_blank=False, aliases=()) -> Field:
    return Field(key, heading, "code", required=required, not_blank=not_blank, aliases=aliases, decoder=flag,
                 expected=FLAG_EXPECTED)


def _date(key, heading, required=False, not_blank=False, aliases=()) -> Field:
    return Field(key, heading, "date", required=required, not_blank=not_blank, aliases=aliases,
                 expected="a date written dd/mm/yyyy")


def _text(key, heading) -> Field:
    return Field(key, heading)


TEAM = [_text("team", "Allocated Team"), _text("worker", "Allocated Worker")]

LISTS: dict[int, list[Field]] = {
    1: _child_fields() + [
        _date("contact_date", "Date of Contact", True, True),
        _code("contact_source", "Contact Source", SOURCE, REFERRAL_SOURCE_CODES, True, True, aliases=("Source of Contact",)),
        Field("outcome", "Contact Outcome", "code", decoder=_outcome,
              expected="'a) Referral', 'b) Early help', 'c) No further action' or 'd) Information and advice'"),
    ],
    2: _child_fields() + [
        _date("eh_start", "Assessment start date", True, True), _date("eh_end", "Assessment completion date"),
        _text("organisation", "Organisation completing assessment"),
    ],
    3: _child_fields() + [
        _date("referral_date", "Date of referral", True, True),
        _code("referral_source", "Referral Source", SOURCE, REFERRAL_SOURCE_CODES, True, True),
        _flag("nfa", "Referral NFA?", True, True, aliases=("Referral NFA",)),
        _text("referrals_12m", "Number of Referrals in Last 12 Months"), *TEAM,
    ],
    4: _child_fields(True) + [
        _date("start_date", "Continuous Assessment Start Date", True, True, aliases=("Assessment Start Date",)),
        _flag("seen", "Child Seen During Continuous Assessment"),
        _date("authorised_date", "Continuous Assessment Date of Authorisation", True,
              aliases=("Assessment Date of Authorisation", "Assessment Authorised Date")),
        _flag("needs_support", "Was the child assessed as requiring LA children's social care support?"), *TEAM,
    ],
    5: _child_fields(True) + [
        _date("start_date", "Strategy discussion initiating Section 47 Enquiry Start Date", True, True,
              aliases=("Section 47 Enquiry Start Date",)),
        _flag("icpc_not_required", "Was an Initial Child Protection Conference deemed unnecessary?"),
        _date("icpc_date", "Date of Initial Child Protection Conference", True),
        _flag("cp_plan", "Did the Initial Child Protection Conference Result in a Child Protection Plan"),
        _text("s47_12m", "Number of Section 47 Enquiries in the last 12 months"),
        _text("icpc_12m", "Number of ICPCs in the last 12 months"), *TEAM,
    ],
    6: _child_fields(True) + [
        _date("cin_start", "CIN Start Date", True, True),
        _code("primary_need", "Primary Need Code", NEED, PRIMARY_NEED_CODES),
        _date("last_seen", "Date Child Was Last Seen"),
        _date("closure_date", "CIN Closure Date"),
        _code("closure_reason", "Reason for Closure", CLOSURE, CLOSURE_REASONS),
        _text("case_status", "Case Status"), *TEAM,
    ],
    7: _child_fields(True) + [
        _date("start_date", "Child Protection Plan Start Date", True, True),
        _code("initial_category", "Initial Category of Abuse", ABUSE, ABUSE, True, True,
              aliases=("Category of Abuse",), labels=ABUSE_LABELS),
        _code("latest_category", "Latest Category of Abuse", ABUSE, ABUSE, aliases=("Category of Abuse",),
              labels=ABUSE_LABELS),
        _date("visit_date", "Date of the Last Statutory Visit", aliases=("Date of Last Statutory Visit",)),
        _flag("seen_alone", "Was the Child Seen Alone?"),
        _date("review_date", "Date of latest review conference"),
        _date("end_date", "Child Protection Plan End Date", True),
        _text("epo", "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)"),
        _text("previous_plans", "Number of Previous Child Protection Plans"), *TEAM,
    ],
    8: _child_fields(True) + [
        _flag("uasc", "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
              aliases=("Unaccompanied Asylum Seeking Child (UASC)", "UASC")),
        _date("episode_start", "Date Started to be Looked After", True, True),
        _code("category_of_need", "Child's Category of Need", NEED, CLA_NEED_CODES, True, True,
              aliases=("Category of Need",)),
        _flag("subsequent", "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)"),
        _date("legal_status_start", "Start date of current legal status"),
        _code("legal_status", "Child's Legal Status", LEGAL, LEGAL_STATUS_CODES, True, True, aliases=("Legal Status",)),
        _date("review", "Date of Latest Statutory Review"), _date("sw_visit", "Date of Last Social Work Visit"),
        _text("permanence", "What is the permanence plan for this child?"),
        _date("iro", "Date of Last IRO Visit / Contact to the Child"), _date("health", "Date of Last Health Assessment"),
        _date("dental", "Date of Last Dental Check"), _text("placements_12m", "Number of Placements in the Last 12 months"),
        _date("episode_end", "Date Ceased to be Looked After", True),
        _code("reason_ceased", "Reason Ceased to be Looked After", CEASED, REASON_CEASED_CODES),
        _date("placement_start", "Start Date of Most Recent Placement"),
        _code("placement_type", "Placement Type", PLACEMENT, PLACEMENT_TYPES, True, True),
        _code("placement_provider", "Placement Provider", PROVIDER, PLACEMENT_PROVIDERS),
        _text("placement_postcode", "Placement postcode"), _text("urn", "URN of Placement"),
        _text("placement_location", "Placement Location"), Field("placement_la", "LA of Placement"),
        _text("missing_12m", "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months"),
        _text("absent_12m", "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months"),
        _text("rhi_offered", "Was the child offered a Return Interview after their last missing episode (Y/N)?"),
        _text("rhi_accepted", "Did the child accept a Return Interview after their last missing episode (Y/N)?"),
        *TEAM,
    ],
    9: _child_fields(True) + [
        _flag("uasc", "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
              aliases=("Unaccompanied Asylum Seeking Child (UASC)", "UASC")),
        *TEAM, _text("pa", "Allocated Personal Advisor"), _text("eligibility", "Eligibility Category"),
        _date("pathway_review", "Latest Pathway Plan Review Date"),
        Field("in_touch", "LA in Touch", "code", required=True, not_blank=True, decoder=_in_touch,
              expected="'a) Yes', 'b) No', 'c) Died', 'd) Refu', 'e) NREQ' or 'f) Rhom'"),
        _date("reference_date", "Latest Date of Contact", True, True),
        Field("accommodation_type", "Type of Accommodation", "code", decoder=_accommodation_letter,
              expected="an accommodation letter such as 'B: Parents/relatives'"),
        Field("suitable", "Suitability of Accommodation", "code", decoder=_suitability,
              expected="'a) Suitable' or 'b) Unsuitable'"),
        _code("activity", "Activity Status", ACTIVITY, ACTIVITY_CODES),
    ],
    10: [Field("child_id", "Child Unique ID", "id", required=True), _text("family", "Family identifier"),
         _date("entered_care", "Date the Child Entered Care"),
         _date("adm_decision", "Date of Decision that Child Should be Placed for Adoption", True)],
    11: [_text("adopter", "Individual adopter identifier", ), _text("family", "Family identifier"),
         _date("enquiry", "Date enquiry received", True)],
}

SHEET_NAMES = {1: "List 1 - Contacts", 2: "List 2 - Early help", 3: "List 3 - Referrals", 4: "List 4 - Assessments",
               5: "List 5 - Section 47", 6: "List 6 - Children in need", 7: "List 7 - Child protection",
               8: "List 8 - Children in care", 9: "List 9 - Care leavers", 10: "List 10 - Adoption",
               11: "List 11 - Adopters"}
DISTINCTIVE = {1: "Date of Contact", 2: "Organisation completing assessment", 3: "Date of referral",
               4: "Continuous Assessment Start Date", 5: "Strategy discussion initiating Section 47 Enquiry Start Date",
               6: "CIN Start Date", 7: "Child Protection Plan Start Date", 8: "Date Started to be Looked After",
               9: "LA in Touch", 10: "Date of Decision that Child Should be Placed for Adoption",
               11: "Individual adopter identifier"}
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
    List 1 gets the perfkit ``Contact Outcome`` column (see the module notes).

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
