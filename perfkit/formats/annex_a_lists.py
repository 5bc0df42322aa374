"""Ofsted Annex A's lists as perfkit declares them: each list's headings, sheet name and coded answers.

The answers map each DfE code to the text Annex A writes for it (``"a) Yes"``,
``"q) 6: Police"``); :data:`LISTS` declares the columns read from each list
(:class:`perfkit.formats.columns.Field`), decoding those answers back.
"""

from __future__ import annotations

import re

from perfkit.formats.cleaning import (
    ACTIVITY_LEGACY,
    FLAG_EXPECTED,
    code_decoder,
    first_part,
    flag,
    flag_decoder,
    heading_key,
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


# --------------------------------------------------------------------------
# reading answers the ways councils write them (see the notes on templates in perfkit.formats.annex_a)


def _labels(answers: dict[str, str]) -> dict[str, str]:
    """Label text (without option letter or code) -> code, for reading answers by their words.

    A label shared by several codes (``Individual`` is 1A to 1D) is left out: it does not say which.

    >>> _labels({"1A": "a) 1A: Individual", "1B": "b) 1B: Individual", "6": "q) 6: Police"})
    {'1A: Individual': '1A', '1B: Individual': '1B', '6: Police': '6', 'Police': '6'}
    """
    out: dict[str, str] = {}
    shared: set[str] = set()
    for code, answer in answers.items():
        text = strip_option(answer)
        parts = re.split(r"\s*(?::|\s-\s)\s*", text, maxsplit=1)
        for label in ((text, parts[1]) if len(parts) == 2 else (text,)):
            if label in out and out[label] != code:
                shared.add(label)
            out[label] = code
    return {k: v for k, v in out.items() if k not in shared}


_SEX_WORDS = {
    "M": {"m", "male", "1", "man", "boy"},
    "F": {"f", "female", "2", "woman", "girl"},
    "U": {"u", "0", "9", "i", "unknown", "not known", "not recorded", "not stated", "not stated recorded",
          "not stated recorded or unborn", "not recorded unborn", "unborn", "unborn unknown", "not specified",
          "unspecified", "gender unspecified", "withheld", "indeterminate", "indeterminate gender", "neither"},
}


def _sex(value: str) -> str | None:
    """``a) Male``, ``1 - Male``, ``M``, ``Female``, ``c) Not stated/recorded (or unborn)``, ``d) Neither`` ...

    >>> [_sex(v) for v in ("a) Male", "1 - Male", "Female", "c) Not stated / recorded (or unborn)", "Unborn", "x")]
    ['M', 'M', 'F', 'U', 'U', None]
    """
    for text in (heading_key(strip_option(value)), heading_key(first_part(value))):
        for code, words in _SEX_WORDS.items():
            if text in words:
                return code
    return None


ETHNICITY_WORDS = {
    **ETHNICITY_LABELS,
    "British": "WBRI", "English": "WBRI", "White British": "WBRI", "White English": "WBRI", "Irish": "WIRI",
    "Irish Traveller": "WIRT", "Traveller of Irish Heritage": "WIRT", "Gypsy": "WROM", "Roma": "WROM",
    "Gypsy Roma": "WROM", "White Gypsy Roma": "WROM", "White other": "WOTH", "Other White": "WOTH",
    "Other White background": "WOTH", "Any other white": "WOTH",
    "Mixed White and Black Caribbean": "MWBC", "Mixed White and Black African": "MWBA",
    "Mixed White and Asian": "MWAS", "Mixed other": "MOTH", "Other Mixed": "MOTH", "Other mixed background": "MOTH",
    "Any other mixed": "MOTH", "Asian Indian": "AIND", "Asian Pakistani": "APKN", "Asian Bangladeshi": "ABAN",
    "Asian other": "AOTH", "Other Asian": "AOTH", "Other Asian background": "AOTH", "Any other Asian": "AOTH",
    "Black Caribbean": "BCRB", "Black African": "BAFR", "Black other": "BOTH", "Other Black": "BOTH",
    "Other Black background": "BOTH", "Any other Black": "BOTH", "Any other Black African or Caribbean background": "BOTH",
    "Other ethnic group": "OOTH", "Any other ethnic group": "OOTH", "Other": "OOTH", "Declined": "REFU",
    "Refused": "REFU", "Declined to say": "REFU", "Not yet obtained": "NOBT", "Information not yet obtained": "NOBT",
    "Not obtained": "NOBT", "Not known": "NOBT", "Unknown": "NOBT", "Not stated": "NOBT", "Not recorded": "NOBT",
    "Unborn": "NOBT",
}
_ETHNIC_GROUP = re.compile(
    r"^(?:white|mixed(?: multiple(?: ethnic groups?)?)?|asian(?: or)?(?: asian)?(?: british)?|"
    r"black(?: or)?(?: black)?(?: african caribbean)?(?: black)?(?: british)?|chinese or other ethnic groups?|"
    r"other ethnic groups?)\s+")
_ethnicity_codes = code_decoder(ETHNICITY_CODES, ETHNICITY_WORDS, search=True)


def _ethnicity(value: str) -> str | None:
    """``a) WBRI``, ``WBRI - White British``, ``White and Asian [MWAS]``, ``Asian or Asian British - Indian`` ...

    >>> [_ethnicity(v) for v in ("a) WBRI", "BCRB-Caribbean", "Asian or Asian British - Indian", "White - British",
    ...                          "Mixed - White and Black Caribbean", "Declined to say", "Martian")]
    ['WBRI', 'BCRB', 'AIND', 'WBRI', 'MWBC', 'REFU', None]
    """
    code = _ethnicity_codes(value)
    if code is None:
        words = _ETHNIC_GROUP.sub("", heading_key(strip_option(value)), count=1)
        code = _ethnicity_codes(words) if words else None
    return code


SOURCE_WORDS = {
    **_labels(SOURCE),
    "Family member": "1A", "Relative": "1A", "Parent": "1A", "Parent Carer": "1A", "Acquaintance": "1B",
    "Neighbour": "1B", "Self": "1C", "School": "2A", "GP": "3A", "General Practitioner": "3A",
    "Health visitor": "3B", "School nurse": "3C", "A and E": "3E", "Emergency department": "3E",
    "Early help": "5D", "Courts": "7", "Court": "7", "Probation": "7", "CAFCASS": "7", "Prison": "7",
    "Immigration": "7", "Voluntary organisation": "8", "Children's centre": "8", "Anonymous": "9", "Unknown": "10",
    "Not known": "10",
}
_source = code_decoder(REFERRAL_SOURCE_CODES, SOURCE_WORDS, prefixes=True)

_NEED_WORDS = {**_labels(NEED), "Not stated": "N0", "Need code not yet determined": "N0",
               "Cases other than children in need": "N9", "Parental illness or disability": "N3",
               "Parent illness or disability": "N3", "Absent parenting": "N8"}
_need = code_decoder(PRIMARY_NEED_CODES, _NEED_WORDS, prefixes=True, search=True)
_cla_need = code_decoder(CLA_NEED_CODES, {k: v for k, v in _NEED_WORDS.items() if v in CLA_NEED_CODES},
                         prefixes=True, search=True)
_closure = code_decoder(CLOSURE_REASONS, {
    **_labels(CLOSURE), "Died": "RC2", "Deceased": "RC2", "Residence order": "RC3", "Child arrangements order": "RC3",
    "Special guardianship order": "RC4", "Transferred to services of another LA": "RC5",
    "Transferred to another local authority": "RC5", "Transferred to adult social services": "RC6",
    "Transferred to adult social care": "RC6", "Case closed after assessment no further action": "RC8",
    "Case closed after assessment referred to early help": "RC9"}, prefixes=True, search=True)
_legal = code_decoder(LEGAL_STATUS_CODES, {**_labels(LEGAL), "Interim care order": "C1", "Full care order": "C2",
                                           "Care order": "C2", "Placement order": "E1", "Section 20": "V2",
                                           "S20": "V2", "Police protection": "L1",
                                           "Emergency protection order": "L2"}, search=True)
_placement = code_decoder(PLACEMENT_TYPES, _labels(PLACEMENT), search=True)
_provider = code_decoder(PLACEMENT_PROVIDERS, {**_labels(PROVIDER), "Own provision": "PR1", "Private": "PR4",
                                               "Voluntary": "PR5"}, search=True)
_ceased = code_decoder(REASON_CEASED_CODES, _labels(CEASED), search=True)

_ABUSE_WORDS = {"neglect": "NEG", "physical": "PHY", "sexual": "SAB", "emotional": "EMO", "emotion": "EMO"}


def _abuse(value: str) -> str | None:
    """A category of abuse: the code, the words (``Physical abuse``, ``Likelihood of Neglect``), or several: MUL.

    >>> [_abuse(v) for v in ("a) Neglect", "Physical abuse", "PHY", "Emotional abuse; Neglect", "e) Multiple/not recommended",
    ...                      "YNNN", "NNYN", "Something")]
    ['NEG', 'PHY', 'PHY', 'MUL', 'MUL', 'NEG', 'SAB', None]
    """
    text = strip_option(value)
    code = first_part(text).upper()
    if code in ABUSE:
        return code
    if re.fullmatch(r"[YN]{4}", text.strip().upper()) and "Y" in text.upper():  # Y/N for neglect, physical, sexual, emotional
        found = [c for c, yes in zip(("NEG", "PHY", "SAB", "EMO"), text.strip().upper()) if yes == "Y"]
        return found[0] if len(found) == 1 else "MUL"
    words = heading_key(text).split()
    if "multiple" in words:
        return "MUL"
    found = {_ABUSE_WORDS[w] for w in words if w in _ABUSE_WORDS} | {w.upper() for w in words if w.upper() in ABUSE}
    if not found:
        return None
    return found.pop() if len(found) == 1 else "MUL"


def _in_touch(value: str) -> str | None:
    """``a) Yes``, ``YES``, ``Refused``, ``e) NREQ`` ...

    >>> [_in_touch(v) for v in ("a) Yes", "b) No", "c) Died", "d) Refu", "Refused", "Young person no longer requires services")]
    ['YES', 'NO', 'DIED', 'REFU', 'REFU', 'NREQ']
    """
    text = heading_key(strip_option(value))
    words = {"y": "YES", "yes": "YES", "yes in touch": "YES", "in touch": "YES", "n": "NO", "no": "NO",
             "no not in touch": "NO", "not in touch": "NO", "died": "DIED", "refu": "REFU", "refused": "REFU",
             "refuses contact": "REFU", "young person refuses contact": "REFU", "nreq": "NREQ", "rhom": "RHOM"}
    if text in words:
        return words[text]
    if "no longer requires" in text:
        return "NREQ"
    if "returned" in text and "parent" in text:
        return "RHOM"
    return code_decoder(IN_TOUCH_CODES)(value)


def _accommodation_letter(value: str) -> str | None:
    """``B: Parents/relatives``, ``D``, ``Semi-independent ...``.

    >>> [_accommodation_letter(v) for v in ("B: Parents/relatives", "d", "Bed and breakfast", "Castle")]
    ['B', 'D', 'W', None]
    """
    text = strip_option(value)
    match = re.match(r"^([A-Za-z])(?:\s*[:\-–]|$)", text)
    if match and match.group(1).upper() in ACCOMMODATION:
        return match.group(1).upper()
    labels = {heading_key(v): k for k, v in ACCOMMODATION.items()}
    return labels.get(heading_key(text))


def _suitability(value: str) -> str | None:
    """``a) Suitable``, ``b) Unsuitable``, ``1``, ``Not suitable`` ...

    >>> [_suitability(v) for v in ("a) Suitable", "b) Unsuitable", "Not suitable", "1 - Suitable", "c) Unknown")]
    ['1', '2', '2', '1', '']
    """
    for text in (heading_key(strip_option(value)), heading_key(first_part(value))):
        if text in ("suitable", "y", "yes", "1", "accommodation suitable"):
            return "1"
        if text in ("unsuitable", "not suitable", "n", "no", "2", "accommodation unsuitable"):
            return "2"
        if text in ("unknown", "not known", "c unknown"):
            return ""
    return None


def _outcome(value: str) -> str | None:
    text = heading_key(strip_option(value)).replace(" ", "_")
    aliases = {"referral": "referral", "early_help": "early_help", "no_further_action": "nfa", "nfa": "nfa",
               "information_and_advice": "information", "information": "information", "advice": "information"}
    return aliases.get(text)


_DISABILITY_CODES = ("MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT", "DDA")
_disability = flag_decoder(
    yes=(*_DISABILITY_CODES, "Disability", "Disabled", "Autism", "Autism or Asperger syndrome", "Hearing",
         "Vision", "Mobility", "Communication", "Behaviour", "Learning disability"),
    no=("None", "No disability", "Not disabled"),
    unknown=("NOBT", "REFU", "Not obtained", "Refused", "Information not yet obtained"))
_uasc = flag_decoder(yes=("UASC",), no=("Non-UASC", "Not UASC", "Non UASC"))
_nfa = flag_decoder(yes=("NFA", "No further action"), no=("FA", "Further action"))
_seen = flag_decoder(yes=("Seen", "Child seen", "Seen alone", "Child seen alone"),
                     no=("Not seen", "Child not seen", "Not seen alone", "Child not seen alone"))


# --------------------------------------------------------------------------
# the fields of each list

_CHILD_ID = (r"\bchild\b.*\b(id|identifier|ref|reference)\b", r"\b(id|identifier)\b.*\bchild\b",
             r"^(unique )?(child|person|client|case) (id|ref|reference|number|no)$", r"^(id|lcs id|cms id)$")


def _child_fields(disability: bool = False) -> list[Field]:
    fields = [
        Field("child_id", "Child Unique ID", "id", required=True, not_blank=True, aliases=("Child ID", "Unique Child ID"),
              expected="the child's id", patterns=_CHILD_ID),
        Field("sex", "Gender", "code", decoder=_sex, aliases=("Sex",), patterns=(r"^(child s )?(gender|sex)\b",),
              expected="'a) Male', 'b) Female', 'c) Not stated/recorded' or 'd) Neither'"),
        Field("ethnicity", "Ethnicity", "code", decoder=_ethnicity, patterns=(r"\bethnic",),
              expected="a DfE ethnicity code such as 'a) WBRI', or its words ('White British')"),
        Field("date_of_birth", "Date of Birth", "date", aliases=("DOB",), patterns=(r"\b(date of birth|birth date|dob)\b",)),
        Field("age", "Age of Child (Years)", aliases=("Age",)),
    ]
    if disability:
        fields.append(Field("disability", "Does the Child have a Disability", "code", decoder=_disability,
                            patterns=(r"\bdisab",), expected=FLAG_EXPECTED))
    return fields


def _code(key, heading, answers, decoder, required=False, not_blank=False, aliases=(), patterns=(), legacy=()) -> Field:
    expected = "one of " + ", ".join(repr(a) for a in list(answers.values())[:4]) + " ... (or just the code)"
    return Field(key, heading, "code", required=required, not_blank=not_blank, aliases=aliases, decoder=decoder,
                 expected=expected, patterns=patterns, legacy=legacy)


def _flag(key, heading, required=False, not_blank=False, aliases=(), patterns=(), decoder=flag) -> Field:
    return Field(key, heading, "code", required=required, not_blank=not_blank, aliases=aliases, decoder=decoder,
                 expected=FLAG_EXPECTED, patterns=patterns)


def _date(key, heading, required=False, not_blank=False, aliases=(), patterns=()) -> Field:
    return Field(key, heading, "date", required=required, not_blank=not_blank, aliases=aliases,
                 expected="a date written dd/mm/yyyy", patterns=patterns)


def _text(key, heading, aliases=(), patterns=()) -> Field:
    """A column perfkit does not carry (or carries as it is): its heading is known, its value is not read."""
    return Field(key, heading, aliases=aliases, patterns=patterns)


TEAM = [_text("team", "Allocated Team"), _text("worker", "Allocated Worker")]

LISTS: dict[int, list[Field]] = {
    1: _child_fields() + [
        _date("contact_date", "Date of Contact", True, True,
              patterns=(r"\bdate\b.*\bcontact\b", r"\bcontact\b.*\bdate\b")),
        _code("contact_source", "Contact Source", SOURCE, _source, True, True, aliases=("Source of Contact",),
              patterns=(r"\bcontact\b.*\bsource\b", r"\bsource\b.*\bcontact\b", r"^source$")),
        Field("outcome", "Contact Outcome", "code", decoder=_outcome, patterns=(r"\bcontact\b.*\boutcome\b",),
              expected="'a) Referral', 'b) Early help', 'c) No further action' or 'd) Information and advice'"),
    ],
    2: _child_fields() + [
        _date("eh_start", "Assessment start date", True, True,
              patterns=(r"\b(assessment|early help)\b.*\bstart", r"\bstart\b.*\b(assessment|early help)\b")),
        _date("eh_end", "Assessment completion date",
              patterns=(r"\bassessment\b.*\b(complet|end)", r"\b(completion|end) date\b")),
        _text("organisation", "Organisation completing assessment", patterns=(r"\borganisation\b",)),
    ],
    3: _child_fields() + [
        _date("referral_date", "Date of referral", True, True,
              patterns=(r"\bdate\b.*\breferral\b", r"\breferral\b.*\bdate\b")),
        _code("referral_source", "Referral Source", SOURCE, _source, True, True,
              patterns=(r"\breferral\b.*\bsource\b", r"\bsource\b.*\breferral\b", r"^source$")),
        _flag("nfa", "Referral NFA?", True, True, aliases=("Referral NFA",), decoder=_nfa,
              patterns=(r"\bnfa\b", r"\bno further action\b")),
        _text("referrals_12m", "Number of Referrals in Last 12 Months"), *TEAM,
    ],
    4: _child_fields(True) + [
        _date("start_date", "Continuous Assessment Start Date", True, True, aliases=("Assessment Start Date",),
              patterns=(r"\bassessment\b.*\bstart\b", r"\bstart\b.*\bassessment\b")),
        _flag("seen", "Child Seen During Continuous Assessment", decoder=_seen, patterns=(r"\bchild seen\b",)),
        _date("authorised_date", "Continuous Assessment Date of Authorisation", True,
              aliases=("Assessment Date of Authorisation", "Assessment Authorised Date"),
              patterns=(r"\bassessment\b.*\b(authoris|authoriz|complet)", r"\b(authoris|authoriz)")),
        _flag("needs_support", "Was the child assessed as requiring LA children's social care support?",
              patterns=(r"\bassessed as requiring\b", r"\brequir\w*\b.*\bsocial care support\b")), *TEAM,
    ],
    5: _child_fields(True) + [
        _date("start_date", "Strategy discussion initiating Section 47 Enquiry Start Date", True, True,
              aliases=("Section 47 Enquiry Start Date",),
              patterns=(r"\b(section 47|s47|s 47)\b.*\bstart\b", r"\bstart\b.*\b(section 47|s47|s 47)\b",
                        r"\bstrategy discussion\b")),
        _flag("icpc_not_required", "Was an Initial Child Protection Conference deemed unnecessary?",
              patterns=(r"\bdeemed unnecessary\b", r"\b(icpc|conference)\b.*\bnot (required|needed)\b")),
        _date("icpc_date", "Date of Initial Child Protection Conference", True,
              patterns=(r"\bdate\b.*\b(initial child protection conference|icpc)\b",
                        r"\b(initial child protection conference|icpc)\b.*\bdate\b")),
        _flag("cp_plan", "Did the Initial Child Protection Conference Result in a Child Protection Plan",
              patterns=(r"\bresult\w* in a?\s?(child protection|cp) plan\b",)),
        _text("s47_12m", "Number of Section 47 Enquiries in the last 12 months"),
        _text("icpc_12m", "Number of ICPCs in the last 12 months"), *TEAM,
    ],
    6: _child_fields(True) + [
        _date("cin_start", "CIN Start Date", True, True,
              patterns=(r"\b(cin|child in need)\b.*\bstart\b", r"\bstart\b.*\b(cin|child in need)\b")),
        _code("primary_need", "Primary Need Code", NEED, _need, patterns=(r"\bprimary need\b", r"\bneed code\b")),
        _text("last_seen", "Date Child Was Last Seen"),
        _date("closure_date", "CIN Closure Date",
              patterns=(r"\b(cin|child in need)\b.*\b(closure|close|end)\b.*\bdate\b", r"\bclosure date\b",
                        r"\bdate\b.*\bclosed\b")),
        _code("closure_reason", "Reason for Closure", CLOSURE, _closure, patterns=(r"\breason\b.*\bclos",)),
        _text("case_status", "Case Status"), *TEAM,
    ],
    7: _child_fields(True) + [
        _date("start_date", "Child Protection Plan Start Date", True, True,
              patterns=(r"\b(child protection|cp) plan\b.*\bstart\b", r"\bstart\b.*\b(child protection|cp) plan\b")),
        _code("initial_category", "Initial Category of Abuse", ABUSE, _abuse, True, True,
              aliases=("Category of Abuse",), patterns=(r"\binitial\b.*\bcategory\b",)),
        _code("latest_category", "Latest Category of Abuse", ABUSE, _abuse, aliases=("Category of Abuse",),
              patterns=(r"\b(latest|current)\b.*\bcategory\b",)),
        _date("visit_date", "Date of the Last Statutory Visit", aliases=("Date of Last Statutory Visit",),
              patterns=(r"\bstatutory visit\b",)),
        _flag("seen_alone", "Was the Child Seen Alone?", decoder=_seen, patterns=(r"\bseen alone\b",)),
        _text("review_date", "Date of latest review conference"),
        _date("end_date", "Child Protection Plan End Date", True,
              patterns=(r"\b(child protection|cp) plan\b.*\bend\b", r"\bend\b.*\b(child protection|cp) plan\b")),
        _text("epo", "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)"),
        _text("previous_plans", "Number of Previous Child Protection Plans"), *TEAM,
    ],
    8: _child_fields(True) + [
        _flag("uasc", "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
              aliases=("Unaccompanied Asylum Seeking Child (UASC)", "UASC"), decoder=_uasc,
              patterns=(r"\bunaccompanied asylum seeking\b", r"\buasc\b")),
        _date("episode_start", "Date Started to be Looked After", True, True,
              patterns=(r"\bstart\w*\b.*\blooked after\b", r"\blooked after\b.*\bstart", r"\bdate\b.*\b(became|entered)\b.*\b(looked after|care)\b")),
        _code("category_of_need", "Child's Category of Need", NEED, _cla_need, True, True,
              aliases=("Category of Need",), patterns=(r"\bcategory of need\b",)),
        _text("subsequent", "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)"),
        _text("legal_status_start", "Start date of current legal status"),
        _code("legal_status", "Child's Legal Status", LEGAL, _legal, True, True, aliases=("Legal Status",),
              patterns=(r"^(child s )?(current )?legal status$",)),
        _text("review", "Date of Latest Statutory Review"), _text("sw_visit", "Date of Last Social Work Visit"),
        _text("permanence", "What is the permanence plan for this child?"),
        _text("iro", "Date of Last IRO Visit / Contact to the Child"), _text("health", "Date of Last Health Assessment"),
        _text("dental", "Date of Last Dental Check"),
        _text("placements_12m", "Number of Placements in the Last 12 months", patterns=(r"\bnumber of placements\b",)),
        _date("episode_end", "Date Ceased to be Looked After", True,
              patterns=(r"\bceased\b.*\blooked after\b", r"\blooked after\b.*\b(end|ceased)\b")),
        _code("reason_ceased", "Reason Ceased to be Looked After", CEASED, _ceased,
              patterns=(r"\breason\b.*\bceased\b",)),
        _text("placement_start", "Start Date of Most Recent Placement",
              patterns=(r"\bstart\b.*\b(most recent|current|latest) placement\b",)),
        _code("placement_type", "Placement Type", PLACEMENT, _placement, True, True,
              patterns=(r"^(current )?placement type$", r"\btype of placement\b")),
        _code("placement_provider", "Placement Provider", PROVIDER, _provider,
              patterns=(r"^(current )?placement provider$",)),
        _text("placement_postcode", "Placement postcode"), _text("urn", "URN of Placement"),
        _text("placement_location", "Placement Location"),
        Field("placement_la", "LA of Placement", patterns=(r"\b(la|local authority) of placement\b", r"^placement la$")),
        _text("missing_12m", "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months"),
        _text("absent_12m", "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months"),
        _text("rhi_offered", "Was the child offered a Return Interview after their last missing episode (Y/N)?"),
        _text("rhi_accepted", "Did the child accept a Return Interview after their last missing episode (Y/N)?"),
        *TEAM,
    ],
    9: _child_fields(True) + [
        _flag("uasc", "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
              aliases=("Unaccompanied Asylum Seeking Child (UASC)", "UASC"), decoder=_uasc,
              patterns=(r"\bunaccompanied asylum seeking\b", r"\buasc\b")),
        *TEAM, _text("pa", "Allocated Personal Advisor"), _text("eligibility", "Eligibility Category"),
        _text("pathway_review", "Latest Pathway Plan Review Date"),
        Field("in_touch", "LA in Touch", "code", required=True, not_blank=True, decoder=_in_touch,
              patterns=(r"\bin touch\b",),
              expected="'a) Yes', 'b) No', 'c) Died', 'd) Refu', 'e) NREQ' or 'f) Rhom'"),
        _date("reference_date", "Latest Date of Contact", True, True,
              patterns=(r"\b(latest|last|most recent)\b.*\bcontact\b", r"^(date of )?contact date$")),
        Field("accommodation_type", "Type of Accommodation", "code", decoder=_accommodation_letter,
              patterns=(r"\btype of accommodation\b", r"^accommodation( type)?$"),
              expected="an accommodation letter such as 'B: Parents/relatives'"),
        Field("suitable", "Suitability of Accommodation", "code", decoder=_suitability, patterns=(r"\bsuitab",),
              expected="'a) Suitable' or 'b) Unsuitable'"),
        _code("activity", "Activity Status", ACTIVITY, code_decoder(ACTIVITY_CODES, _labels(ACTIVITY)),
              patterns=(r"^(main )?activity( status)?$",), legacy=ACTIVITY_LEGACY),
    ],
    10: [Field("child_id", "Child Unique ID", "id", required=True, patterns=_CHILD_ID), _text("family", "Family identifier"),
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
