"""The SSDA903 XML upload (``EXPSSDA903``): read into the same parts as the CSVs, and write.

The DfE's XML holds one ``CHILD`` element per child, each with a ``HEADER``
and the child's ``EPISODE`` elements::

    <EXPSSDA903>
      <CHILD>
        <HEADER>
          <CHILDID/> <UPN/> <SEX/> <DOB/> <ETHNIC/> <UASC/> <DUC/>      (Header; UASC, DUC: the UASC part)
          <IN_TOUCH/> <ACTIV/> <ACCOM/>                                    (OC3)
          <AMISSING><MISSING/><MIS_START/><MIS_END/></AMISSING> ...        (Missing)
          <AREVIEW><REVIEW/><REVIEW_CODE/></AREVIEW> ...                   (Reviews)
          <MOTHER/> <MC_DOB/> <PERMANENCE/> <OC2/> <AD_PLACED/> ...
        </HEADER>
        <EPISODE>
          <DECOM/> <RNE/> <LS/> <CIN/> <PL/> <PL_POST/> <HOME_POST/> <URN/>
          <PLACE_PROVIDER/> <DEC/> <REC/> <REASON_PLACE_CHANGE/>
        </EPISODE> ...
      </CHILD> ...
    </EXPSSDA903>

(the layout the data-to-insight 903 validator reads). Each part is turned
into a text grid with the CSV headings (``CHILDID`` is ``CHILD``, ``PL`` is
``PLACE``), so the XML is checked by exactly the rules of the CSVs; a
row is the element's position in the file (the 3rd ``EPISODE``), and
messages name the element path (``EXPSSDA903/CHILD/EPISODE``). A child is
in the UASC part when ``UASC`` is ``1`` or a ``DUC`` is given. Parts the
canonical tables do not use (OC2, adoption, previous permanence) are
ignored. A file with a ``DOCTYPE`` or entity declaration is refused.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import polars as pl

from perfkit.formats.import_log import ImportProblem

ROOT = "EXPSSDA903"
EPISODE_TAGS = ("DECOM", "RNE", "LS", "CIN", "PL", "PL_POST", "HOME_POST", "URN", "PLACE_PROVIDER", "DEC", "REC",
                "REASON_PLACE_CHANGE")
PATHS = {
    "header": f"{ROOT}/CHILD/HEADER",
    "uasc": f"{ROOT}/CHILD/HEADER",
    "oc3": f"{ROOT}/CHILD/HEADER",
    "missing": f"{ROOT}/CHILD/HEADER/AMISSING",
    "reviews": f"{ROOT}/CHILD/HEADER/AREVIEW",
    "episodes": f"{ROOT}/CHILD/EPISODE",
}
HEADINGS = {
    "header": ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"],
    "uasc": ["CHILD", "SEX", "DOB", "DUC"],
    "oc3": ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"],
    "missing": ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
    "reviews": ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"],
    "episodes": ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE",
                 "HOME_POST", "PL_POST", "URN"],
}
_RENAMED = {"CHILDID": "CHILD", "PL": "PLACE"}


def is_ssda903_xml(path: Path) -> bool:
    """Whether ``path`` starts like an SSDA903 XML file (its root element is ``EXPSSDA903``)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return ROOT.encode() in head


def _text(element: ET.Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    text = element.text.strip()
    return text or None


def _leaves(element: ET.Element) -> dict[str, str | None]:
    return {_RENAMED.get(e.tag, e.tag): _text(e) for e in element if len(e) == 0}


def _grid(kind: str, rows: list[dict[str, str | None]]) -> pl.DataFrame:
    """Rows as a text grid whose first row is the headings, as a CSV reads."""
    headings = HEADINGS[kind]
    columns = {f"column_{i + 1}": [heading, *(row.get(heading) for row in rows)] for i, heading in enumerate(headings)}
    return pl.DataFrame(columns, schema={name: pl.String for name in columns})


def read_ssda903_xml(path: Path, label: str) -> tuple[dict[str, pl.DataFrame], list[ImportProblem]]:
    """The parts of an SSDA903 XML file as text grids (headings in the first row), by kind.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "903.xml"
    >>> _ = path.write_text("<EXPSSDA903><CHILD><HEADER><CHILDID>7</CHILDID><SEX>1</SEX><DOB>01/01/2010</DOB>"
    ...     "<ETHNIC>WBRI</ETHNIC><UASC>1</UASC><DUC>01/01/2028</DUC></HEADER><EPISODE><DECOM>01/05/2023</DECOM>"
    ...     "<RNE>S</RNE><PL>U4</PL></EPISODE></CHILD></EXPSSDA903>")
    >>> grids, problems = read_ssda903_xml(path, "903.xml")
    >>> grids["episodes"].row(1)[:6], grids["uasc"].row(1)
    (('7', '01/05/2023', 'S', None, None, 'U4'), ('7', '1', '01/01/2010', '01/01/2028'))
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return {}, [ImportProblem(label, expected="a readable SSDA903 XML file", action=f"not read: {exc.strerror or exc}")]
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return {}, [ImportProblem(label, expected="an SSDA903 XML file without a DOCTYPE or entity declarations",
                                  action="not read: such declarations can make a file expand without end")]
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return {}, [ImportProblem(label, expected=f"well-formed XML ({exc})", action="not read")]
    if root.tag != ROOT:
        return {}, [ImportProblem(label, value=root.tag, expected=f"the SSDA903 XML root element {ROOT}",
                                  action="ignored: not an SSDA903 file")]
    rows: dict[str, list[dict[str, str | None]]] = {kind: [] for kind in HEADINGS}
    for child in root.iter("CHILD"):
        header = child.find("HEADER")
        details = _leaves(header) if header is not None else {}
        child_id, dob = details.get("CHILD"), details.get("DOB")
        rows["header"].append(details)
        if details.get("UASC") not in (None, "0") or details.get("DUC"):
            rows["uasc"].append(details)
        if details.get("IN_TOUCH"):
            rows["oc3"].append(details)
        if header is not None:
            for missing in header.iter("AMISSING"):
                rows["missing"].append({"CHILD": child_id, "DOB": dob, **_leaves(missing)})
            for review in header.iter("AREVIEW"):
                rows["reviews"].append({"CHILD": child_id, "DOB": dob, **_leaves(review)})
        for episode in child.iter("EPISODE"):
            rows["episodes"].append({"CHILD": child_id, **_leaves(episode)})
    return {kind: _grid(kind, found) for kind, found in rows.items() if found}, []


# --------------------------------------------------------------------------
# writing


def _add(parent: ET.Element, tag: str, value: object) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if value is not None and value != "":
        element.text = str(value)
    return element


def write_ssda903_xml(tables: dict[str, pl.DataFrame], folder: Path, la_code: str) -> list[Path]:
    """Write one authority's canonical tables as SSDA903 XML, one file a collection year (``SSDA903_<year>.xml``).

    The same records as :func:`perfkit.formats.ssda903.write_ssda903` writes
    as CSVs, in the DfE's XML layout (see the module's notes): a ``CHILD``
    for every child in the year's Header, with their UASC flag and ``DUC``,
    OC3 status, missing episodes, reviews and episodes.

    Parameters
    ----------
    tables : dict of str to polars.DataFrame
        Canonical tables (dates as ``Date``); ``children`` and
        ``cla_episodes`` are needed.
    folder : path
        Where to write the files (created if needed).
    la_code : str
        The authority whose records are written.

    Returns
    -------
    list of Path
        The files written, one per collection year.
    """
    from perfkit.formats.ssda903 import ssda903_parts

    folder = Path(folder)
    written: list[Path] = []
    for year, parts in ssda903_parts(tables, la_code, folder).items():
        by_child: dict[str, dict[str, list[dict]]] = {}
        for kind in ("uasc", "oc3", "missing", "reviews", "episodes"):
            for row in parts[kind].iter_rows(named=True):
                by_child.setdefault(row["CHILD"], {}).setdefault(kind, []).append(row)
        root = ET.Element(ROOT)
        for person in parts["header"].iter_rows(named=True):
            own = by_child.get(person["CHILD"], {})
            child = ET.SubElement(root, "CHILD")
            header = ET.SubElement(child, "HEADER")
            for tag, heading in (("CHILDID", "CHILD"), ("UPN", "UPN"), ("SEX", "SEX"), ("DOB", "DOB"), ("ETHNIC", "ETHNIC")):
                _add(header, tag, person[heading])
            uasc = own.get("uasc", [])
            _add(header, "UASC", "1" if uasc else None)
            if uasc:
                _add(header, "DUC", uasc[0]["DUC"])
            for status in own.get("oc3", [])[:1]:
                for tag in ("IN_TOUCH", "ACTIV", "ACCOM"):
                    _add(header, tag, status[tag])
            for missing in own.get("missing", []):
                element = ET.SubElement(header, "AMISSING")
                for tag in ("MISSING", "MIS_START", "MIS_END"):
                    _add(element, tag, missing[tag])
            for review in own.get("reviews", []):
                element = ET.SubElement(header, "AREVIEW")
                for tag in ("REVIEW", "REVIEW_CODE"):
                    _add(element, tag, review[tag])
            _add(header, "MOTHER", person["MOTHER"])
            _add(header, "MC_DOB", person["MC_DOB"])
            for episode in own.get("episodes", []):
                element = ET.SubElement(child, "EPISODE")
                for tag in EPISODE_TAGS:
                    _add(element, tag, episode["PLACE" if tag == "PL" else tag])
        ET.indent(root)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"SSDA903_{year}.xml"
        ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
        written.append(path)
    return written
