"""Clean one value of a statutory export: headings, ids, option letters, DfE codes and yes/no answers.

The same rules apply to Annex A workbooks and SSDA903 CSVs:

- **Headings** are matched by meaning (:func:`heading_key`): case, spaces,
  punctuation, brackets and apostrophes are ignored, so the 2019 template's
  ``... (Y/N))`` (a stray bracket) is the same heading as ``... (Y/N)``. An
  importer may also declare patterns for the wordings councils use
  (:class:`perfkit.formats.columns.Field`).
- **Ids read as numbers** (``123.0``, as Excel or pandas writes a numeric id)
  become ``"123"``.
- **Coded answers** are read the ways councils write them
  (:func:`code_decoder`): with or without the option letter (``a) Yes``,
  ``a. Yes``), the DfE code first (``q) 6: Police``, ``1 - Yes, resident in
  the UK``, ``MWBC - Mixed``), the code in brackets (``White and Asian
  [MWAS]``) or the words alone (``Police``).
- **Yes/no answers** (:func:`flag`, :func:`flag_decoder`) accept ``a) Yes``,
  ``Y``, ``1 - Yes``, ``True``, ``Yes - see notes`` and their noes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

_OPTION_PREFIX = re.compile(r"^\s*[a-z]{1,2}\d?(?:\)|\.(?=\s))\s*", re.IGNORECASE)
_CODE_SPLIT = re.compile(r"\s*(?::|\s[-–]\s|\s[-–](?=\S)|(?<=\S)[-–]\s|(?<=[A-Z0-9])[-–](?=[A-Z][a-z]))\s*")
_TOKEN = re.compile(r"[A-Za-z0-9]+")
_QUOTES = str.maketrans({"\u2019": "", "\u2018": "", "'": "", "`": "", "\u00b4": "", '"': "", "\u201c": "", "\u201d": ""})

Decoder = Callable[[str], "str | None"]


def normalise_heading(text: str | None) -> str:
    """A heading reduced for matching: case, spaces and apostrophes ignored.

    Examples
    --------
    >>> normalise_heading("  Child\\u00a0Unique   ID ")
    'child unique id'
    >>> normalise_heading("\\ufeffChild’s Legal Status")
    "child's legal status"
    """
    if text is None:
        return ""
    text = text.replace("\ufeff", "").replace("\u00a0", " ").replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.split()).casefold()


def heading_key(text: str | None) -> str:
    """A heading (or an answer) reduced to its words: what it means, not how it was typed.

    Case, punctuation, brackets, apostrophes and spacing are dropped and ``&``
    is ``and``, so headings that differ only in those are the same heading.

    Examples
    --------
    >>> heading_key("Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N))")
    'unaccompanied asylum seeking child uasc within the last 12 months y n'
    >>> heading_key("Child’s Category of Need") == heading_key("Childs category of need")
    True
    >>> heading_key("Number of Episodes the Child has been ‘Missing’ from their Placement")
    'number of episodes the child has been missing from their placement'
    """
    if text is None:
        return ""
    text = text.replace("\ufeff", "").replace("&", " and ").translate(_QUOTES).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def clean_id(value: str | None) -> str | None:
    """An id as text: spaces trimmed, ``123.0`` (a number read by Excel) as ``123``.

    Examples
    --------
    >>> clean_id(" 123.0 "), clean_id("C990-000001"), clean_id("")
    ('123', 'C990-000001', None)
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    match = re.fullmatch(r"(\d+)\.0*", value)
    return match.group(1) if match else value


def strip_option(value: str) -> str:
    """A coded answer without its option letter: ``'a) Yes'`` gives ``'Yes'``.

    Examples
    --------
    >>> strip_option("a) Yes"), strip_option("p1) 5D: LA services"), strip_option("C2: FCO"), strip_option("a. Yes")
    ('Yes', '5D: LA services', 'C2: FCO', 'Yes')
    >>> strip_option("A.A1 White - British")
    'A.A1 White - British'
    """
    return _OPTION_PREFIX.sub("", value, count=1).strip()


def first_part(value: str) -> str:
    """The text before the first ``:`` or dash of an answer (its code, where it starts with one).

    >>> first_part("q) 6: Police"), first_part("1 - Yes, resident in the UK"), first_part("BCRB-Caribbean"), first_part("E4A")
    ('6', '1', 'BCRB', 'E4A')
    """
    return _CODE_SPLIT.split(strip_option(value), maxsplit=1)[0].strip()


def _after_code(text: str) -> str:
    """The words of an answer after the codes and numbers in front of them: ``A4.1 White - British`` -> ``white british``."""
    words = heading_key(text).split()
    while words and (any(ch.isdigit() for ch in words[0]) or len(words[0]) == 1):
        words = words[1:]
    return " ".join(words)


def code_decoder(codes: Iterable[str], labels: Mapping[str, str] | None = None, *, prefixes: bool = False,
                 search: bool = False) -> Decoder:
    """A decoder for coded answers that carry a DfE code or a known label.

    In order: the text before ``:`` or a dash, as a code (the option letter
    dropped); the whole text as a code; the words as a known label (after any
    codes in front of them); with ``search``, the one known code among the
    answer's words (``White and Asian [MWAS]``); with ``prefixes``, the
    longest known label the answer starts with (``Police - CAIT``,
    ``Abuse or neglect - neglect``). ``None`` where nothing is known.

    Examples
    --------
    >>> source = code_decoder(["1A", "2A", "6"], {"Police": "6"}, prefixes=True)
    >>> source("a) 1A: Individual"), source("6: Police"), source("2a"), source("Police"), source("Police - CAIT")
    ('1A', '6', '2A', '6', '6')
    >>> source("Schools")
    >>> category = code_decoder(["NEG"], {"neglect": "NEG"})
    >>> category("a) Neglect"), category("NEG")
    ('NEG', 'NEG')
    >>> ethnicity = code_decoder(["WBRI", "MWAS", "AIND"], {"White British": "WBRI"}, search=True)
    >>> ethnicity("White and Asian [MWAS]"), ethnicity("AIN - AIND - Indian"), ethnicity("A4.1 White - British")
    ('MWAS', 'AIND', 'WBRI')
    """
    known = {c.upper(): c for c in codes}
    names = {heading_key(k): v for k, v in (labels or {}).items()}
    by_length = sorted(names, key=len, reverse=True)

    def decode(value: str) -> str | None:
        text = strip_option(value)
        first = first_part(text).upper()
        if first in known:
            return known[first]
        if text.upper() in known:
            return known[text.upper()]
        for words in (heading_key(text), heading_key(value), _after_code(text)):
            if words in names:
                return names[words]
        if search:
            found = {known[t.upper()] for t in _TOKEN.findall(text) if t.upper() in known}
            if len(found) == 1:
                return found.pop()
        if prefixes:
            for words in (heading_key(text), _after_code(text)):
                for name in by_length:
                    if name and words.startswith(name + " "):
                        return names[name]
        return None

    return decode


_YES = {"y", "yes", "true", "1"}
_NO = {"n", "no", "false", "0"}
_UNKNOWN = {"unknown", "not known", "u", "c unknown", "c) unknown"}


def flag(value: str) -> str | None:
    """A yes/no answer as ``Y``/``N``; ``""`` for unknown, ``None`` if unrecognised.

    Examples
    --------
    >>> [flag(v) for v in ("a) Yes", "b) No", "Y", "no", "c) Unknown", "maybe", "1 - Yes", "0 - No", "True", "Yes-See care notes")]
    ['Y', 'N', 'Y', 'N', '', None, 'Y', 'N', 'Y', 'Y']
    >>> flag("1 - Yes, resident in the UK"), flag("a. No")
    ('Y', 'N')
    """
    return flag_decoder()(value)


def flag_decoder(yes: Iterable[str] = (), no: Iterable[str] = (), unknown: Iterable[str] = ()) -> Decoder:
    """A yes/no reader that also knows a field's own words (``NFA`` for yes, ``Non-UASC`` for no).

    The whole answer (and the answer without its option letter) is looked up
    first, then its first part (``1 - Yes, ...``), then its first word
    (``Yes-See care notes``).

    >>> nfa = flag_decoder(yes=["NFA", "No further action"], no=["FA", "Further action"])
    >>> nfa("No further action"), nfa("NFA"), nfa("b) No"), nfa("Further action")
    ('Y', 'Y', 'N', 'N')
    """
    yes_words = _YES | {heading_key(w) for w in yes}
    no_words = _NO | {heading_key(w) for w in no}
    unknown_words = {heading_key(w) for w in (*_UNKNOWN, *unknown)}

    def decode(value: str) -> str | None:
        whole = heading_key(value)
        for text in (whole, heading_key(strip_option(value)), heading_key(first_part(value)),
                     (heading_key(strip_option(value)).split() or [""])[0]):
            if text in unknown_words:
                return ""
            if text in yes_words:
                return "Y"
            if text in no_words:
                return "N"
        return None

    return decode


FLAG_EXPECTED = "a yes/no answer: 'a) Yes', 'b) No', Y, N, Yes or No (or 'c) Unknown' or blank)"


# --------------------------------------------------------------------------
# codes of older guidance that councils still return

_SPLIT_3 = ("a code of the current DfE list: {old} ({time} time in training or employment) is from older guidance, "
            "which newer guidance split into {t}4 (apprenticeship) and {t}5 (training or employment, not "
            "apprenticeship); {t}5 carries {old}'s words, and either counts as in education, employment or training")
ACTIVITY_LEGACY = (
    ("F3", "F5", _SPLIT_3.format(old="F3", time="full", t="F")),
    ("P3", "P5", _SPLIT_3.format(old="P3", time="part", t="P")),
)
"""Care leavers' activity codes of older SSDA903 guidance (OC3 ``ACTIV``, Annex A List 9), read as their successor
(:class:`perfkit.formats.columns.Field` ``legacy``): the current guide's F4/P4 (apprenticeship) and F5/P5
(training or employment, not apprenticeship) replaced F3/P3, and F5/P5 carry their words."""

_NO_ACCOMMODATION = ("0 (not known), or a letter then 1 (suitable) or 2 (unsuitable), e.g. B1: {code} names no "
                     "accommodation, and no DfE code replaced it")
ACCOMMODATION_LEGACY = (
    ("01", "", _NO_ACCOMMODATION.format(code="01")),
    ("02", "", _NO_ACCOMMODATION.format(code="02")),
)
"""OC3 ``ACCOM`` values councils still return that name no accommodation: read as not known (``0``)."""
