"""Children's services statistical neighbours (the DfE model), read from the published files.

Two files are supported, read by header names and not by position:

- ``sn_model_2025_wide.csv`` (the default): ``old_la_code, la_name,
  region_ind, region_name, SN_1, SN_1P, ..., SN_10, SN_10P``, closeness words
  with trailing spaces (``"Close "``);
- ``New_Statistical_Neighbour_Groupings_April_2021.csv``: ``LA num, LA Name,
  LA number, GOInd, GOReg, SN1, SNP, SN2, SNP, ...``, a byte-order mark, a
  closeness header (``SNP``) repeated ten times, a trailing empty column, and
  footer rows: a blank row, an ``Old SNs:`` label and the neighbours of
  authorities that no longer exist (Dorset, Poole and Bournemouth before 2019,
  Northamptonshire before 2021).

Quirks handled: the byte-order mark, trimmed cells, duplicate headers (each
neighbour's closeness is the column right after it), blank and label rows
(skipped), rows after ``Old SNs:`` (kept, flagged ``historic``), closeness
written in either case (``Very Close`` and ``Very close`` are one word), and
authority names spelt differently between files and LAIT (``St Helens`` and
``St. Helens``; see :func:`name_key`). Authorities are keyed by their old
three-digit LA number; each must have exactly ten distinct neighbours, other
than itself, each a three-digit LA number, or the error names the file, row,
column and value.
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import polars as pl

from perfkit.published.ees import PublishedDataError

DEFAULT_MODEL = "sn_model_2025_wide.csv"
MODEL_2021 = "New_Statistical_Neighbour_Groupings_April_2021.csv"
NEIGHBOURS = 10
_CODE_HEADERS = ("old_la_code", "la num", "la number", "la_code", "la code")
_NAME_HEADERS = ("la_name", "la name")
_REGION_HEADERS = ("region_name", "goreg", "region")
_SN = re.compile(r"^sn_?(\d{1,2})$", re.IGNORECASE)
_OLD_SECTION = re.compile(r"old\s+sns", re.IGNORECASE)
_BOM = b"\xef\xbb\xbf"

SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "source_row": pl.Int64(),
    "la_code": pl.String(),
    "la_name": pl.String(),
    "region_name": pl.String(),
    "historic": pl.Boolean(),
    "rank": pl.Int32(),
    "neighbour": pl.String(),
    "closeness": pl.String(),
}


def name_key(name: str) -> str:
    """A spelling-proof key for an authority name: case, full stops, ``&``, commas and spaces ignored.

    >>> name_key("St. Helens") == name_key("St Helens ")
    True
    >>> name_key("Bristol, City of"), name_key("Brighton & Hove")
    ('bristol city of', 'brighton and hove')
    """
    text = name.strip().casefold().replace("&", " and ")
    text = re.sub(r"[.,'’]", " ", text)
    return " ".join(text.split())


def _find(header: list[str], candidates: tuple[str, ...], source: str, what: str) -> int:
    lowered = [h.casefold() for h in header]
    for candidate in candidates:
        if candidate in lowered:
            return lowered.index(candidate)
    raise PublishedDataError(f"{source}: no {what} column (one of {', '.join(candidates)}); the header has {', '.join(header)}")


def parse_neighbours(data: bytes, source: str) -> pl.DataFrame:
    """Parse a statistical neighbour file into one row per authority and neighbour (see :data:`SCHEMA`).

    ``rank`` 1 is the closest neighbour.

    >>> header = "LA num,LA Name,GOReg," + ",".join(f"SN{i},SNP" for i in range(1, 11)) + ",\\n"
    >>> row = "342,St. Helens,North West," + ",".join(f"{800 + i},Very Close " for i in range(1, 11)) + ",\\n"
    >>> frame = parse_neighbours((header + row + ",,,\\n,Old SNs:,\\n").encode(), "sn.csv")
    >>> frame.select("la_code", "rank", "neighbour", "closeness").head(2).rows()
    [('342', 1, '801', 'Very close'), ('342', 2, '802', 'Very close')]
    """
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        raw = pl.read_csv(BytesIO(data), has_header=False, infer_schema=False, truncate_ragged_lines=True)
    except pl.exceptions.PolarsError as error:  # pragma: no cover - malformed file
        raise PublishedDataError(f"{source}: cannot be read as a CSV file: {error}") from error
    rows = raw.rows()
    if not rows:
        raise PublishedDataError(f"{source}: the file is empty")
    header = [(h or "").strip().lstrip("\ufeff") for h in rows[0]]
    code_at = _find(header, _CODE_HEADERS, source, "LA number")
    name_at = _find(header, _NAME_HEADERS, source, "LA name")
    try:
        region_at: int | None = _find(header, _REGION_HEADERS, source, "region")
    except PublishedDataError:
        region_at = None
    sn_at: dict[int, int] = {}
    for i, h in enumerate(header):
        match = _SN.match(h)
        if match and int(match.group(1)) not in sn_at:
            sn_at[int(match.group(1))] = i
    missing = [k for k in range(1, NEIGHBOURS + 1) if k not in sn_at]
    if missing:
        raise PublishedDataError(
            f"{source}: no neighbour column for rank(s) {', '.join(map(str, missing))}; the header has {', '.join(header)}"
        )

    def cell(values: tuple, at: int | None) -> str:
        if at is None or at >= len(values) or values[at] is None:
            return ""
        return values[at].strip()

    records: list[dict] = []
    seen: dict[str, int] = {}
    historic = False
    for number, values in enumerate(rows[1:], start=1):  # number: 1 = first data row
        code, name = cell(values, code_at), cell(values, name_at)
        if not code:
            if any(_OLD_SECTION.search(v or "") for v in values):
                historic = True
            continue  # a blank, label or footer row
        if not re.fullmatch(r"\d{3}", code):
            raise PublishedDataError(f"{source}, column {header[code_at]!r}, row {number}: value {code!r}: expected a three-digit LA number")
        if code in seen:
            raise PublishedDataError(
                f"{source}, column {header[code_at]!r}, row {number}: value {code!r}: the authority already has neighbours in row {seen[code]}"
            )
        seen[code] = number
        neighbours: list[str] = []
        for rank in range(1, NEIGHBOURS + 1):
            at = sn_at[rank]
            neighbour = cell(values, at)
            if not re.fullmatch(r"\d{3}", neighbour) or neighbour == code or neighbour in neighbours:
                why = (
                    "expected a three-digit LA number"
                    if not re.fullmatch(r"\d{3}", neighbour)
                    else "an authority cannot be its own neighbour"
                    if neighbour == code
                    else "this neighbour is already listed"
                )
                raise PublishedDataError(f"{source}, column {header[at]!r}, row {number}: value {neighbour!r}: {why}")
            neighbours.append(neighbour)
            closeness = cell(values, at + 1)
            records.append(
                {
                    "source": source,
                    "source_row": number,
                    "la_code": code,
                    "la_name": name,
                    "region_name": cell(values, region_at) or None,
                    "historic": historic,
                    "rank": rank,
                    "neighbour": neighbour,
                    "closeness": closeness.capitalize() if closeness else None,
                }
            )
    if not records:
        raise PublishedDataError(f"{source}: no authority rows under the header")
    return pl.DataFrame(records, schema=SCHEMA)


def neighbours_path(model: str | Path | None = None, dfe_dir: Path | None = None) -> Path:
    """The neighbour file: ``model`` (a file name in ``dfe_dir`` or a path), by default the 2025 model."""
    path = Path(model or DEFAULT_MODEL)
    if path.exists() and (path.is_absolute() or dfe_dir is None):
        return path
    if dfe_dir is None:
        from perfkit.config.paths import published_dfe_dir

        dfe_dir = published_dfe_dir()
    return Path(dfe_dir) / path.name


def load_neighbours(model: str | Path | None = None, dfe_dir: Path | None = None) -> pl.DataFrame:
    """All authorities' neighbours from a model file (see :func:`parse_neighbours`)."""
    path = neighbours_path(model, dfe_dir)
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise PublishedDataError(f"{path}: no such published file") from error
    return parse_neighbours(data, path.name)


def neighbour_lists(frame: pl.DataFrame) -> dict[str, list[str]]:
    """Each LA number's ten neighbours, closest first.

    >>> f = pl.DataFrame({"la_code": ["886", "886"], "rank": [2, 1], "neighbour": ["850", "881"]})
    >>> neighbour_lists(f)
    {'886': ['881', '850']}
    """
    grouped = frame.sort("la_code", "rank").group_by("la_code", maintain_order=True).agg(pl.col("neighbour"))
    return {code: list(ns) for code, ns in grouped.iter_rows()}


def neighbours_of(la_code: str, model: str | Path | None = None, dfe_dir: Path | None = None) -> list[str]:
    """The ten statistical neighbours (LA numbers) of ``la_code``, closest first.

    An authority that is not in the model is an error naming the file.
    """
    frame = load_neighbours(model, dfe_dir)
    lists = neighbour_lists(frame)
    if la_code not in lists:
        raise PublishedDataError(f"{frame['source'][0]}: no authority with LA number {la_code!r}")
    return lists[la_code]


def code_for_name(name: str, frame: pl.DataFrame) -> str | None:
    """The LA number of the authority called ``name`` in a neighbour frame, whatever its spelling (see :func:`name_key`).

    >>> f = pl.DataFrame({"la_code": ["342"], "la_name": ["St. Helens"]})
    >>> code_for_name("St Helens", f)
    '342'
    """
    key = name_key(name)
    for code, la_name in frame.select("la_code", "la_name").unique(maintain_order=True).iter_rows():
        if la_name and name_key(la_name) == key:
            return code
    return None
