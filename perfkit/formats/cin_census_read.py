"""Read one CIN census XML return, streaming, into rows for the canonical tables (see :mod:`perfkit.formats.cin_census`).

The file is read with :func:`xml.etree.ElementTree.iterparse`: each ``Child``
is taken whole when it ends, turned into rows, and cleared from memory, so a
return of any size is read in memory that does not grow with the file (only
the rows kept grow, as they must). A document type declaration (``<!DOCTYPE``,
which no return has and which entity tricks need) is refused before parsing.

Every value is checked as it is read; each decision is an
:class:`~perfkit.formats.import_log.ImportProblem` whose ``sheet`` is the XML
path of the element (``Children/Child[LAchildID='123']/CINdetails[2]/Section47[1]``)
and ``row`` the child's position in the file (the 3rd ``Child`` is row 3).
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from perfkit.formats.cin_census_values import (
    BAD,
    BOOLEAN,
    COLUMNS,
    DATE_EXPECTED,
    DISABILITY_CODES,
    SEX,
    SEX_EXPECTED,
    UNKNOWN_ETHNICITY,
    UNKNOWN_SOURCE,
    YES_NO_EXPECTED,
    Bad,
    needed_columns,
    parse_date,
    problem,
    record_id,
    row_schema,
)
from perfkit.formats.import_log import ImportProblem
from perfkit.records.contract import (
    CLOSURE_REASONS,
    CP_CATEGORIES,
    ETHNICITY_CODES,
    PRIMARY_NEED_CODES,
    REFERRAL_SOURCE_CODES,
)

FLUSH_EVERY = 2_000
"""Children read between moves of their rows into polars frames (which hold them in a fifth of the memory)."""


def _local(tag: str) -> str:
    return tag[tag.index("}") + 1:] if tag[:1] == "{" else tag


def _text(element: ET.Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def _fields(element: ET.Element) -> dict[str, str | None]:
    """The text of each simple sub-element, by its name (the first where one repeats)."""
    found: dict[str, str | None] = {}
    for sub in element:
        name = _local(sub.tag)
        if name not in found:
            found[name] = _text(sub)
    return found


@dataclass
class Header:
    """What a return's Header says: the authority and the collection year."""

    la_code: str | None = None
    year: int | None = None
    reference_date: dt.date | None = None
    collection: str | None = None


@dataclass
class ReturnRows:
    """One return as read: its header, the rows for each table, and the problems found.

    Rows are gathered as tuples in ``rows`` and moved every
    :data:`FLUSH_EVERY` children into polars frames (``frames``); :meth:`table`
    gives them all.
    """

    source: str
    header: Header = field(default_factory=Header)
    rows: dict[str, list[tuple]] = field(default_factory=lambda: {name: [] for name in COLUMNS})
    frames: dict[str, list[pl.DataFrame]] = field(default_factory=lambda: {name: [] for name in COLUMNS})
    problems: list[ImportProblem] = field(default_factory=list)
    children: int = 0
    usable: bool = True

    def flush(self) -> None:
        """Move the rows gathered so far into frames."""
        for name, rows in self.rows.items():
            if rows:
                frame = pl.DataFrame(rows, schema=list(row_schema(name).items())[1:], orient="row")
                self.frames[name].append(frame.with_columns(pl.lit(self.header.la_code, pl.String).alias("la_code")))
                rows.clear()

    def table(self, name: str) -> pl.DataFrame:
        """Every row read for table ``name`` (the frames are let go)."""
        self.flush()
        parts, self.frames[name] = self.frames[name], []
        schema = row_schema(name)
        if not parts:
            return pl.DataFrame(schema=schema)
        return pl.concat(parts).select(list(schema))


class _ReturnReader:
    """Turns each ``Child`` of one return into rows, checking every value."""

    def __init__(self, result: ReturnRows, today: dt.date):
        self.r = result
        self.today = today
        self.needed = needed_columns()

    # -- problems
    def problem(self, path: str, position: int, column: str, value: str | None, expected: str, action: str) -> None:
        self.r.problems.append(problem(self.r.source, path, position, column, value or "", expected, action))

    def check_date(self, text: str | None, path: str, position: int, column: str, what: str,
                   start: dt.date | None = None, start_name: str = "", end: str = "") -> dt.date | None | Bad:
        """A date read, checked against today, the census end and (for an ``end`` date) its start.

        ``what`` names the table the record is left out of. An end date after
        the census reference date is read as not yet ended (blanked), with a
        warning; so is an unusable end date no indicator needs (``end`` names
        its contract column); any other unusable date is ``BAD`` (its problem logged).
        """
        value = parse_date(text)
        if value is None:
            return None
        reference = self.r.header.reference_date
        if end and (what, end) not in self.needed and (value is BAD or value > self.today or value < start):
            expected = DATE_EXPECTED if value is BAD else f"a date on or after {start_name} and not after today"
            self.problem(path, position, column, text, expected, f"blanked; kept in {what}")
            return None
        if value is BAD:
            self.problem(path, position, column, text, DATE_EXPECTED, f"left out of {what}")
        elif value > self.today:
            self.problem(path, position, column, text, f"a date that has happened (on or before {self.today.isoformat()})",
                         f"left out of {what}")
        elif end and start is not None and value < start:
            self.problem(path, position, column, text, f"a date on or after {start_name} ({start.isoformat()})",
                         f"left out of {what}")
        elif reference is not None and value > reference:
            if end:
                self.problem(path, position, column, text,
                             f"a date on or before the census reference date ({reference.isoformat()})",
                             f"blanked: read as not yet ended at the census reference date; kept in {what}")
                return None
            self.problem(path, position, column, text,
                         f"a date on or before the census reference date ({reference.isoformat()})",
                         f"left out of {what}")
        else:
            return value
        return BAD

    def start_date(self, f: dict[str, str | None], column: str, path: str, position: int, what: str) -> dt.date | None:
        """A record's start date, which it cannot do without: None (the record left out, said) where it is
        missing or unusable."""
        start = self.check_date(f.get(column), path, position, column, what)
        if start is None:
            self.problem(path, position, column, None, DATE_EXPECTED, f"left out of {what}")
        return None if start is BAD else start

    def code(self, text: str | None, codes: tuple[str, ...], path: str, position: int, column: str,
             table: str, contract_column: str) -> str | None:
        """An optional code: blanked with a warning when unrecognised (left out where an indicator needs it)."""
        if text is None:
            return None
        upper = text.upper()
        if upper in codes:
            return upper
        if (table, contract_column) in self.needed:
            self.problem(path, position, column, text, "one of " + ", ".join(codes), f"left out of {table}")
            return BAD  # type: ignore[return-value]
        self.problem(path, position, column, text, "one of " + ", ".join(codes), f"blanked; kept in {table}")
        return None

    # -- one child
    def child(self, element: ET.Element, position: int) -> None:
        identifiers = characteristics = None
        details: list[ET.Element] = []
        for part in element:
            name = _local(part.tag)
            if name == "CINdetails":
                details.append(part)
            elif name == "ChildIdentifiers":
                identifiers = part
            elif name == "ChildCharacteristics":
                characteristics = part
        ids = _fields(identifiers) if identifiers is not None else {}
        child_id = ids.get("LAchildID")
        if child_id is None:
            self.problem("Children/Child/ChildIdentifiers", position, "LAchildID", None,
                         "the child's LAchildID", "left out of every table (the child and all their records)")
            return
        base = f"Children/Child[LAchildID='{child_id}']"
        rows = self.r.rows

        # ChildIdentifiers
        path = base + "/ChildIdentifiers"
        sex_element = "Sex" if "Sex" in ids else "GenderCurrent"
        sex_text = ids.get(sex_element)
        sex = SEX.get(sex_text.upper()) if sex_text else "U"
        if sex is None:
            self.problem(path, position, sex_element, sex_text, SEX_EXPECTED, "read as U (not known); kept in children")
            sex = "U"
        born = ids.get("PersonBirthDate")
        expected = ids.get("ExpectedPersonBirthDate")
        dob_actual, dob_expected, dob_bad = parse_date(born), parse_date(expected), None
        if dob_actual is BAD or (dob_actual is not None and dob_actual > self.today):
            dob_actual, dob_bad = None, f"PersonBirthDate {born}"
        if dob_expected is BAD or (dob_expected is not None and dob_expected > self.today):
            dob_expected, dob_bad = None, dob_bad or f"ExpectedPersonBirthDate {expected}"

        # ChildCharacteristics
        path = base + "/ChildCharacteristics"
        ethnicity_text, disability = None, None
        if characteristics is not None:
            for part in characteristics:
                name = _local(part.tag)
                if name == "Ethnicity":
                    ethnicity_text = _text(part)
                elif name == "Disabilities":
                    disability = self.disability(part, path, position)
        ethnicity = ethnicity_text.upper() if ethnicity_text else None
        if ethnicity not in ETHNICITY_CODES:
            self.problem(path, position, "Ethnicity", ethnicity_text, "one of " + ", ".join(ETHNICITY_CODES),
                         f"read as {UNKNOWN_ETHNICITY} (information not yet obtained); kept in children")
            ethnicity = UNKNOWN_ETHNICITY
        rows["children"].append((child_id, sex, dob_actual, dob_expected, dob_bad, ethnicity, disability, position))

        for number, detail in enumerate(details, start=1):
            self.cin_details(detail, child_id, f"{base}/CINdetails[{number}]", position)

    def disability(self, element: ET.Element, path: str, position: int) -> str | None:
        codes = [(_text(d) or "") for d in element if _local(d.tag) == "Disability"]
        known = [c.upper() for c in codes if c.upper() in DISABILITY_CODES]
        for bad in (c for c in codes if c.upper() not in DISABILITY_CODES):
            self.problem(path + "/Disabilities", position, "Disability", bad, "one of " + ", ".join(DISABILITY_CODES),
                         "ignored; kept in children" + (" (disability blank)" if not known else ""))
        if not known:
            return None
        return "N" if all(c == "NONE" for c in known) else "Y"

    def cin_details(self, element: ET.Element, child_id: str, path: str, position: int) -> None:
        simple: dict[str, str | None] = {}
        assessments: list[ET.Element] = []
        enquiries: list[ET.Element] = []
        plans: list[ET.Element] = []
        for part in element:
            name = _local(part.tag)
            if name == "Assessments":
                assessments.append(part)
            elif name == "Section47":
                enquiries.append(part)
            elif name == "ChildProtectionPlans":
                plans.append(part)
            elif name not in simple:
                simple[name] = _text(part)
        referral_id = self.referral(simple, child_id, path, position, len(assessments))
        if referral_id is not None:
            for number, assessment in enumerate(assessments, start=1):
                self.assessment(_fields(assessment), child_id, referral_id, f"{path}/Assessments[{number}]", position)
        parent = referral_id or child_id  # an unreadable referral date: the child's id stands in for the referral's
        for number, enquiry in enumerate(enquiries, start=1):
            self.section47(_fields(enquiry), child_id, parent, f"{path}/Section47[{number}]", position)
        for number, plan in enumerate(plans, start=1):
            self.plan(_fields(plan), child_id, parent, f"{path}/ChildProtectionPlans[{number}]", position)

    def referral(self, f: dict[str, str | None], child_id: str, path: str, position: int, assessments: int) -> str | None:
        """The referral's row (where its values allow); its id where its date can be read, for its assessments."""
        text = f.get("CINreferralDate")
        start = parse_date(text)
        if start is None or start is BAD:
            also = f", and its {assessments} assessment{'s' if assessments > 1 else ''} out of assessments (an " \
                   "assessment's referral_id is made from the referral date)" if assessments else ""
            self.problem(path, position, "CINreferralDate", text, DATE_EXPECTED, f"left out of referrals{also}")
            return None
        referral_id = record_id(child_id, "R", start)
        if self.check_date(text, path, position, "CINreferralDate", "referrals") is BAD:
            return referral_id
        keep = True
        closure = self.check_date(f.get("CINclosureDate"), path, position, "CINclosureDate", "referrals",
                                  start, "CINreferralDate", end="closure_date")
        if closure is BAD:
            keep = False
        source_text = f.get("ReferralSource")
        source = source_text.upper() if source_text else None
        if source not in REFERRAL_SOURCE_CODES:
            self.problem(path, position, "ReferralSource", source_text, "one of " + ", ".join(REFERRAL_SOURCE_CODES),
                         f"read as {UNKNOWN_SOURCE} (unknown); kept in referrals")
            source = UNKNOWN_SOURCE
        nfa_text = f.get("ReferralNFA")
        nfa = BOOLEAN.get(nfa_text.lower()) if nfa_text else None
        if nfa is None:
            self.problem(path, position, "ReferralNFA", nfa_text, YES_NO_EXPECTED, "left out of referrals")
            keep = False
        reason = self.code(f.get("ReasonForClosure"), CLOSURE_REASONS, path, position, "ReasonForClosure",
                           "referrals", "closure_reason")
        if closure is None and reason not in (None, BAD) and f.get("CINclosureDate"):
            reason = None  # the closure is after the census end: not yet closed, so no reason yet
        need = self.code(f.get("PrimaryNeedCode"), PRIMARY_NEED_CODES, path, position, "PrimaryNeedCode",
                         "referrals", "primary_need")
        if keep and reason is not BAD and need is not BAD:
            self.r.rows["referrals"].append((child_id, referral_id, start, source, nfa, closure, reason, need, position))
        return referral_id

    def assessment(self, f: dict[str, str | None], child_id: str, referral_id: str, path: str, position: int) -> None:
        start = self.start_date(f, "AssessmentActualStartDate", path, position, "assessments")
        if start is None:
            return
        authorised = self.check_date(f.get("AssessmentAuthorisationDate"), path, position, "AssessmentAuthorisationDate",
                                     "assessments", start, "AssessmentActualStartDate", end="authorised_date")
        if authorised is BAD:
            return
        self.r.rows["assessments"].append((child_id, record_id(referral_id, "A", start), referral_id, start, authorised, position))

    def section47(self, f: dict[str, str | None], child_id: str, parent: str, path: str, position: int) -> None:
        start = self.start_date(f, "S47ActualStartDate", path, position, "section47")
        if start is None:
            return
        icpc = self.check_date(f.get("DateOfInitialCPC"), path, position, "DateOfInitialCPC", "section47",
                               start, "S47ActualStartDate", end="icpc_date")
        if icpc is BAD:
            return
        not_required_text = f.get("ICPCnotRequired")
        not_required = BOOLEAN.get(not_required_text.lower()) if not_required_text else None
        if not_required_text and not_required is None:
            self.problem(path, position, "ICPCnotRequired", not_required_text, YES_NO_EXPECTED,
                         "blanked; kept in section47")
        self.r.rows["section47"].append((child_id, record_id(parent, "S", start), start, icpc, not_required, position))

    def plan(self, f: dict[str, str | None], child_id: str, parent: str, path: str, position: int) -> None:
        start = self.start_date(f, "CPPstartDate", path, position, "cp_plans")
        if start is None:
            return
        end = self.check_date(f.get("CPPendDate"), path, position, "CPPendDate", "cp_plans", start, "CPPstartDate",
                              end="end_date")
        if end is BAD:
            return
        initial_text, latest_text = f.get("InitialCategoryOfAbuse"), f.get("LatestCategoryOfAbuse")
        initial = initial_text.upper() if initial_text and initial_text.upper() in CP_CATEGORIES else None
        latest = latest_text.upper() if latest_text and latest_text.upper() in CP_CATEGORIES else None
        expected = "one of " + ", ".join(CP_CATEGORIES)
        if initial is None and latest is None:
            self.problem(path, position, "InitialCategoryOfAbuse", initial_text, expected,
                         "left out of cp_plans (neither category of abuse can be read, and the contract needs both)")
            return
        if initial is None:
            self.problem(path, position, "InitialCategoryOfAbuse", initial_text, expected,
                         f"read as the latest category, {latest}; kept in cp_plans")
            initial = latest
        if latest is None:
            self.problem(path, position, "LatestCategoryOfAbuse", latest_text, expected,
                         f"read as the initial category, {initial}; kept in cp_plans")
            latest = initial
        previous_text = f.get("NumberOfPreviousCPP")
        previous = int(previous_text) if previous_text and previous_text.isascii() and previous_text.isdigit() else None
        if previous_text and previous is None:
            self.problem(path, position, "NumberOfPreviousCPP", previous_text, "a whole number of zero or more",
                         "blanked; kept in cp_plans")
        self.r.rows["cp_plans"].append((child_id, record_id(parent, "P", start), start, end, initial, latest,
                                        previous, position))


# --------------------------------------------------------------------------
# the header and the file


def _header(element: ET.Element, result: ReturnRows) -> None:
    header = result.header
    details = source = None
    for part in element:
        name = _local(part.tag)
        if name == "CollectionDetails":
            details = _fields(part)
        elif name == "Source" and source is None:
            source = _fields(part)
    details, source = details or {}, source or {}
    header.collection = details.get("Collection")
    lea = source.get("LEA")
    if lea and re.fullmatch(r"\d{3}", lea):
        header.la_code = lea
    else:
        result.problems.append(problem(result.source, "Message/Header/Source", None, "LEA", lea or "",
                                             "the authority's three-digit DfE number, e.g. 878",
                                             "left out of every table (the whole file: its authority is not known)"))
        result.usable = False
    year_text, reference_text = details.get("Year"), details.get("ReferenceDate")
    reference = parse_date(reference_text)
    year = int(year_text) if year_text and re.fullmatch(r"\d{4}", year_text) else None
    path = "Message/Header/CollectionDetails"
    if isinstance(reference, dt.date):
        header.reference_date = reference
        header.year = reference.year + (1 if reference.month > 3 else 0)
        if year is not None and year != header.year:
            result.problems.append(problem(
                result.source, path, None, "Year", year_text or "",
                f"the year of the ReferenceDate, {reference.isoformat()}, which ends the collection year",
                f"read as the {header.year - 1}-{header.year % 100:02d} return, ending on the ReferenceDate"))
    elif year is not None:
        header.year, header.reference_date = year, dt.date(year, 3, 31)
        if reference_text:
            result.problems.append(problem(
                result.source, path, None, "ReferenceDate", reference_text, DATE_EXPECTED,
                f"read as 31 March {year}, the end of the collection year named by Year"))
    else:
        result.problems.append(problem(
            result.source, path, None, "ReferenceDate", reference_text or year_text or "",
            "the census reference date (e.g. 2024-03-31) or the Year",
            "read without a collection year: dates after the census end are not checked, and where returns repeat "
            "a record this one counts as the earliest"))
    if header.collection and not header.collection.upper().startswith("CIN"):
        result.problems.append(problem(result.source, path, None, "Collection", header.collection,
                                             "CIN (a children in need census return)",
                                             "left out of every table (the whole file is not a CIN census return)"))
        result.usable = False


def _refuses_doctype(path: Path) -> bool:
    """Whether the file declares a document type before its first element (no return does; entity tricks do)."""
    with open(path, "rb") as handle:
        head = handle.read(65536)
    for encoding in ("utf-8", "utf-16"):
        try:
            text = head.decode(encoding, errors="ignore")
        except LookupError:  # pragma: no cover
            continue
        first = re.search(r"<[A-Za-z_]", text)
        prolog = text[:first.start()] if first else text
        if "<!DOCTYPE" in prolog.upper() or "<!ENTITY" in prolog.upper():
            return True
    return False


def read_return(path: Path, source: str, today: dt.date | None = None) -> ReturnRows:
    """Read one CIN census XML file into rows, streaming; never raises for what the file holds.

    A file that cannot be read at all, or whose authority is not known, is
    ``usable = False`` with the reason in ``problems``; a file broken part way
    keeps the children read before the break.
    """
    result = ReturnRows(source)
    today = today or dt.date.today()
    reader = _ReturnReader(result, today)
    if not path.is_file():
        result.problems.append(problem(source, "", None, "", str(path), "a CIN census XML file",
                                             "left out of every table (the file is not there)"))
        result.usable = False
        return result
    if _refuses_doctype(path):
        result.problems.append(problem(source, "", None, "", "<!DOCTYPE", "a CIN census return, which has no "
                                             "document type declaration", "left out of every table (the whole file, unread)"))
        result.usable = False
        return result
    children_element = None
    header_seen = False
    position = 0
    try:
        events = ET.iterparse(path, events=("start", "end"))
        _, root = next(events)
        namespace = root.tag[:root.tag.index("}") + 1] if root.tag[:1] == "{" else ""
        if root.tag != namespace + "Message":
            result.problems.append(problem(source, "", None, "", f"<{_local(root.tag)}>",
                                                 "a CIN census return: <Message> with <Header> and <Children>",
                                                 "left out of every table (the whole file)"))
            result.usable = False
            return result
        child_tag, header_tag, children_tag = namespace + "Child", namespace + "Header", namespace + "Children"
        for event, element in events:
            if event == "end":
                if element.tag == child_tag:
                    position += 1
                    reader.child(element, position)
                    if position % FLUSH_EVERY == 0:
                        result.flush()
                    # the children read so far go: memory stays flat however long the file
                    (children_element if children_element is not None else element).clear()
                elif element.tag == header_tag and not header_seen:
                    header_seen = True
                    _header(element, result)
                    if not result.usable:
                        return result
            elif children_element is None and element.tag == children_tag:
                children_element = element
                if not header_seen:
                    header_seen = True
                    _header(ET.Element("Header"), result)
                    if not result.usable:
                        return result
    except ET.ParseError as exc:
        line, column = exc.position
        read = f"the {position} children before it are kept" if position else "nothing could be read"
        result.problems.append(problem(
            source, "", None, "", str(exc).split(":")[0], "well-formed XML",
            f"left out of every table: the rest of the file from line {line}, column {column} ({read})"))
        if position == 0:
            result.usable = False
    except (OSError, UnicodeError, StopIteration) as exc:
        result.problems.append(problem(source, "", None, "", type(exc).__name__, "a readable XML file",
                                             "left out of every table (the whole file)"))
        result.usable = False
    if not header_seen and result.usable:
        _header(ET.Element("Header"), result)
    result.children = position
    return result
