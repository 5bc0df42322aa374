"""Ofsted Annex A's lists as perfkit declares them: each list's headings, sheet name and coded answers.

The answers map each DfE code to the text Annex A writes for it (``"a) Yes"``,
``"q) 6: Police"``); :data:`LISTS` declares the columns read from each list
(:class:`perfkit.formats.columns.Field`), decoding those answers back.
"""

from __future__ import annotations

import re

from perfkit.formats.cleaning import (
    FLAG_EXPECTED,
    code_decoder,
    flag,
    normalise_heading,
    strip_option,
)
from perfkit.formats.columns import Field
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
)

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
