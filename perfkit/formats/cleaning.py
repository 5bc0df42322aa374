"""Clean one value of a statutory export: headings, ids, option letters, DfE codes and yes/no flags.

The same rules apply to Annex A workbooks and SSDA903 CSVs:

- **Headings** are matched ignoring case, repeated or surrounding spaces,
  non-breaking spaces and curly apostrophes (:func:`normalise_heading`).
- **Ids read as numbers** (``123.0``, as Excel or pandas writes a numeric id)
  become ``"123"``.
- **Coded answers** lose their option letter (``a) Yes``) and are read by
  their DfE code or a known label (:func:`code_decoder`, :func:`flag`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

_OPTION_PREFIX = re.compile(r"^\s*[a-z]{1,2}\d?\)\s*", re.IGNORECASE)
_CODE_SPLIT = re.compile(r"\s*(?::|\s-\s|\s–\s)\s*")

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
    >>> strip_option("a) Yes"), strip_option("p1) 5D: LA services"), strip_option("C2: FCO")
    ('Yes', '5D: LA services', 'C2: FCO')
    """
    return _OPTION_PREFIX.sub("", value, count=1).strip()


def code_decoder(codes: Iterable[str], labels: dict[str, str] | None = None) -> Decoder:
    """A decoder for coded answers that carry a DfE code or a known label.

    The option letter is dropped, then the text before ``:`` or `` - ``
    is tried as a code, then the whole text as a code, then as a label.

    Examples
    --------
    >>> source = code_decoder(["1A", "2A", "6"])
    >>> source("a) 1A: Individual"), source("6: Police"), source("2a"), source("Police")
    ('1A', '6', '2A', None)
    >>> category = code_decoder(["NEG"], {"neglect": "NEG"})
    >>> category("a) Neglect"), category("NEG")
    ('NEG', 'NEG')
    """
    known = {c.upper(): c for c in codes}
    names = {normalise_heading(k): v for k, v in (labels or {}).items()}

    def decode(value: str) -> str | None:
        text = strip_option(value)
        first = _CODE_SPLIT.split(text, maxsplit=1)[0].strip().upper()
        if first in known:
            return known[first]
        if text.upper() in known:
            return known[text.upper()]
        return names.get(normalise_heading(text)) or names.get(normalise_heading(value))

    return decode


_YES = {"y", "yes", "true", "1"}
_NO = {"n", "no", "false", "0"}
_UNKNOWN = {"unknown", "not known", "u", "c) unknown"}


def flag(value: str) -> str | None:
    """A yes/no answer as ``Y``/``N``; ``""`` for unknown, ``None`` if unrecognised.

    Examples
    --------
    >>> [flag(v) for v in ("a) Yes", "b) No", "Y", "no", "c) Unknown", "maybe")]
    ['Y', 'N', 'Y', 'N', '', None]
    """
    text = normalise_heading(value)
    if text in _UNKNOWN:
        return ""
    text = normalise_heading(strip_option(value))
    if text in _YES:
        return "Y"
    if text in _NO:
        return "N"
    if text in _UNKNOWN:
        return ""
    return None


FLAG_EXPECTED = "a yes/no answer: 'a) Yes', 'b) No', Y, N, Yes or No (or 'c) Unknown' or blank)"
