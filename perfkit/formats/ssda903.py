"""SSDA903 (children looked after return) CSVs and XML: read into canonical tables, and write them.

An SSDA903 extract is a set of CSV files, one per part of the return, with
upper-case headings and ``dd/mm/yyyy`` dates, or the DfE's XML upload
(:mod:`perfkit.formats.ssda903_xml`). The CSVs read here are recognised by
their headings (any file name); where they are and which year each holds
is found by :mod:`perfkit.formats.ssda903_layout`, and
:mod:`perfkit.formats.ssda903_import` runs the import:

==========  ===============================================================  =============================
file        headings                                                         canonical table
==========  ===============================================================  =============================
Header      CHILD, SEX, DOB, ETHNIC, UPN, MOTHER, MC_DOB                     ``children``
Episodes    CHILD, DECOM, RNE, LS, CIN, PLACE, PLACE_PROVIDER, DEC, REC,     ``cla_episodes``
            REASON_PLACE_CHANGE, HOME_POST, PL_POST, URN (PL_LA if present)
Missing     CHILD, (DOB), MISSING, MIS_START, MIS_END                        ``missing_episodes``
OC3         CHILD, (DOB), IN_TOUCH, ACTIV, ACCOM                             ``care_leavers``
UASC        CHILD, SEX, DOB, DUC                                             ``children.uasc``
Reviews     CHILD, (DOB), REVIEW, REVIEW_CODE                                ``cla_reviews``
==========  ===============================================================  =============================

Other parts (OC2, AD1, PlacedAdoption, PrevPerm, SocialWorker) are
ignored, as are extra columns.

Columns carried: ``children``: child_id, sex, date_of_birth, ethnicity, uasc
(not disability or district). ``cla_episodes``: every column but
placement_district (placement_la only if the extract has ``PL_LA``).
``missing_episodes``: child_id, missing_start, missing_end, missing_type,
looked_after (no return interview or district). ``care_leavers`` and ``cla_reviews``: every column.

Rules where the 903 lacks a field the contract requires
-------------------------------------------------------
- **Collection years** (the year ending 31 March) come from the file or
  folder names (``2024``, ``903_2023-24``, ``header_2024.csv``), checked
  against the dates, or ``--year`` (see :mod:`perfkit.formats.ssda903_layout`).
  Years are combined: for a child, an episode (CHILD + DECOM) or a missing
  episode (CHILD + MIS_START) in several years, the latest year's row wins
  (it has the end date once known).
- **The authority** is a file's own ``LA`` column, else the one given.
- **SEX**: ``1`` is ``M``, ``2`` is ``F``; blank, ``0`` or ``9`` is ``U``.
- **REC** ``X1`` (episode ended, care continues) is an empty ``reason_ceased``.
- **Missing episodes** are all missing from care: ``looked_after`` = ``Y``.
- **UASC**: a child is UASC at a date only before their ``DUC``: ``uasc`` =
  ``Y`` for a child in the UASC file who was UASC on a day of care (or has no
  episode), ``N`` for one whose ``DUC`` came before care and for every other
  child in the Header (see :func:`perfkit.formats.ssda903_checks.uasc_flags`).
- **OC3**: ``reference_date`` = the child's birthday in the collection year
  (1 April to 31 March; a 29 February birthday is 28 February in a common
  year), so the year must be known; ``age_band`` is ``17-18`` for the 17th
  or 18th birthday, ``19-21`` after (another age: the row is left out). ``ACTIV`` or
  ``ACCOM`` of ``0`` is empty. The date of birth is OC3's ``DOB`` if it has
  one, else the Header's.

A file with headings but no rows (in every year) gives no table.

:func:`write_ssda903` is the inverse: one folder per collection year with
``header.csv``, ``episodes.csv``, ``missing.csv``, ``oc3.csv`` and
``uasc.csv``. An episode appears in every year it is open in, with ``DEC``
and ``REC`` blank in the years before it ended; an episode that ended but not
as the end of care has ``REC`` ``X1``; only missing-from-care episodes are
written; sex ``U`` is written blank; ``DUC`` is the 18th birthday.
:func:`perfkit.formats.ssda903_xml.write_ssda903_xml` writes the same as XML.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import polars as pl

from perfkit.errors import ContractError
from perfkit.formats.canonical import typed_table
from perfkit.formats.cleaning import ACCOMMODATION_LEGACY, ACTIVITY_LEGACY, code_decoder, normalise_heading
from perfkit.formats.columns import Field, extract, log_structure, needed_keys, settle
from perfkit.formats.import_log import ImportLog
from perfkit.formats.ssda903_layout import collection_year  # noqa: F401 - where callers have found it
from perfkit.indicators.children import age_on  # noqa: F401 - the one age rule; the OC3 age bands use it (ssda903_import)
from perfkit.records.contract import (
    ACTIVITY_CODES,
    CLA_NEED_CODES,
    ETHNICITY_CODES,
    IN_TOUCH_CODES,
    LEGAL_STATUS_CODES,
    MISSING_TYPES,
    PLACEMENT_PROVIDERS,
    PLACEMENT_TYPES,
    REASON_CEASED_CODES,
    REVIEW_CODES,
    RNE_CODES,
)
from perfkit.records.problems import Problem

TABLE_OF = {"header": "children", "episodes": "cla_episodes", "missing": "missing_episodes", "oc3": "care_leavers",
            "uasc": "children", "reviews": "cla_reviews"}
"""The canonical table each part goes to (the UASC part sets ``children.uasc``)."""


def _sex(value: str) -> str | None:
    return {"1": "M", "2": "F", "0": "", "9": "", "m": "M", "f": "F", "male": "M", "female": "F"}.get(
        normalise_heading(value).removesuffix(".0"))


def _with_zero(codes) -> object:
    decode = code_decoder(codes)

    def decoder(value: str) -> str | None:
        return "" if value.strip() in ("0", "0.0") else decode(value)

    return decoder


def _accommodation(value: str) -> str | None:
    text = value.strip().upper()
    if text in ("0", "0.0"):
        return ""
    return text if re.fullmatch(r"[A-Z][12]", text) else None


def _rec(value: str) -> str | None:
    return "" if value.strip().upper() == "X1" else code_decoder(REASON_CEASED_CODES)(value)


def _f(key: str, heading: str, kind: str = "text", required: bool = True, not_blank: bool = False,
       codes=None, decoder=None, expected: str = "") -> Field:
    if codes is not None:
        decoder = code_decoder(codes)
        expected = expected or "one of " + ", ".join(codes)
    return Field(key, heading, kind, required, not_blank, decoder=decoder, expected=expected or ("a date written dd/mm/yyyy" if kind == "date" else ""))


CHILD = _f("child_id", "CHILD", "id", not_blank=True, expected="the child's id")
FILES: dict[str, list[Field]] = {
    "header": [CHILD, _f("sex", "SEX", "code", decoder=_sex, expected="1 (male) or 2 (female)"),
               _f("date_of_birth", "DOB", "date", not_blank=True),
               _f("ethnicity", "ETHNIC", "code", codes=ETHNICITY_CODES, not_blank=True),
               _f("upn", "UPN", required=False), _f("mother", "MOTHER", required=False),
               _f("mc_dob", "MC_DOB", "date", required=False)],
    "episodes": [CHILD, _f("episode_start", "DECOM", "date", not_blank=True),
                 _f("rne", "RNE", "code", codes=RNE_CODES, not_blank=True),
                 _f("legal_status", "LS", "code", codes=LEGAL_STATUS_CODES, not_blank=True),
                 _f("category_of_need", "CIN", "code", codes=CLA_NEED_CODES, not_blank=True),
                 _f("placement_type", "PLACE", "code", codes=PLACEMENT_TYPES, not_blank=True),
                 _f("placement_provider", "PLACE_PROVIDER", "code", codes=PLACEMENT_PROVIDERS),
                 _f("episode_end", "DEC", "date"),
                 _f("reason_ceased", "REC", "code", decoder=_rec, expected="X1 or one of " + ", ".join(REASON_CEASED_CODES)),
                 _f("reason_place_change", "REASON_PLACE_CHANGE", required=False),
                 _f("home_post", "HOME_POST", required=False), _f("pl_post", "PL_POST", required=False),
                 _f("urn", "URN", required=False), _f("placement_la", "PL_LA", required=False)],
    "missing": [CHILD, _f("dob", "DOB", "date", required=False),
                _f("missing_type", "MISSING", "code", codes=MISSING_TYPES, not_blank=True,
                   expected="M (missing) or A (away from placement without authorisation)"),
                _f("missing_start", "MIS_START", "date", not_blank=True), _f("missing_end", "MIS_END", "date")],
    "oc3": [CHILD, _f("dob", "DOB", "date", required=False),
            _f("in_touch", "IN_TOUCH", "code", codes=IN_TOUCH_CODES, not_blank=True),
            replace(_f("activity", "ACTIV", "code", decoder=_with_zero(ACTIVITY_CODES), expected="0 or one of " + ", ".join(ACTIVITY_CODES)),
                    legacy=ACTIVITY_LEGACY),  # F3/P3 of older guidance: read as F5/P5, and listed
            replace(_f("accommodation", "ACCOM", "code", decoder=_accommodation,
                       expected="0 or an accommodation code: a letter then 1 (suitable) or 2 (unsuitable), e.g. B1"),
                    legacy=ACCOMMODATION_LEGACY)],  # 01/02 name no accommodation: read as not known, and listed
    "uasc": [CHILD, _f("sex", "SEX", "code", decoder=_sex, required=False, expected="1 (male) or 2 (female)"),
             _f("dob", "DOB", "date", required=False), _f("duc", "DUC", "date")],
    "reviews": [CHILD, _f("dob", "DOB", "date", required=False), _f("review_date", "REVIEW", "date", not_blank=True),
                _f("review_code", "REVIEW_CODE", "code", codes=REVIEW_CODES,
                   expected="PN0 (under 4) to PN7, how the child took part in the review")],
}
WRITE_COLUMNS = {
    "header": ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"],
    "episodes": ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE",
                 "HOME_POST", "PL_POST", "URN"],
    "missing": ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
    "oc3": ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"],
    "uasc": ["CHILD", "SEX", "DOB", "DUC"],
    "reviews": ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"],
}
_SIGNATURE = (("episodes", "DECOM"), ("missing", "MIS_START"), ("oc3", "IN_TOUCH"), ("uasc", "DUC"), ("reviews", "REVIEW"),
              ("header", "ETHNIC"))


def _kind(grid: pl.DataFrame) -> str | None:
    if grid.height == 0:
        return None
    cells = {normalise_heading(c) for row in grid.head(5).iter_rows() for c in row if c is not None}
    for kind, heading in _SIGNATURE:
        if normalise_heading(heading) in cells:
            return kind
    return None


def read_part(grid: pl.DataFrame, label: str, kind: str, log: ImportLog, sheet: str = "") -> pl.DataFrame | None:
    """The rows of one part (``FILES[kind]``, from a CSV or a part of the XML) that its table can take.

    The one place SSDA903 values are read, for every layout (see
    :mod:`perfkit.formats.ssda903_import`): a row with a bad value its table
    needs is left out, any other bad value blanked, each decision logged in
    ``log`` (:func:`~perfkit.formats.columns.settle`). None when the grid
    cannot be used at all (a required heading missing or twice), also logged.
    """
    table = TABLE_OF[kind]
    future = dt.date.max if kind == "uasc" else None  # DUC, the date UASC ceases, is often still to come (the 18th birthday)
    extracted = extract(grid, label, FILES[kind], source=label, sheet=sheet, today=future)
    if not extracted.usable:
        log_structure(extracted, log, f"left out of {table}: the file was not read")
        return None
    log_structure(extracted, log, "")
    return settle(extracted, log, {table: needed_keys(FILES[kind], table)})[table]


def read_ssda903(folder: str | Path | list, la_code: str | None = None, year: int | None = None) -> dict[str, pl.DataFrame]:
    """Read SSDA903 files into canonical tables, strictly: anything left out is an error.

    The same reading as :func:`import_ssda903` (any layout, CSV or XML; see
    :mod:`perfkit.formats.ssda903_layout`), for callers that want all or
    nothing: warnings pass, a row left out raises.

    Parameters
    ----------
    folder : path or list of paths
        A folder of one collection year's files (named by the year ending 31
        March, e.g. ``2024`` or ``2023-24``), a folder of such folders, a
        folder of files named by year, or files.
    la_code : str, optional
        The authority's three-digit DfE number (for files without an ``LA`` column).
    year : int, optional
        The collection year of files whose names name none.

    Returns
    -------
    dict of str to polars.DataFrame
        ``children``, ``cla_episodes``, ``missing_episodes``, ``care_leavers``
        (those whose files are present), dates as ``Date``.

    Raises
    ------
    ContractError
        Every row left out (or what stopped the import), naming file, column, row and value.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> year = pathlib.Path(tempfile.mkdtemp()) / "2024"
    >>> year.mkdir()
    >>> _ = (year / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\\n101.0,2,29/02/2004,WBRI,,,\\n")
    >>> _ = (year / "oc3.csv").write_text("CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\\n101,29/02/2004,YES,F2,D1\\n")
    >>> tables = read_ssda903(year, "990")
    >>> tables["care_leavers"].select("child_id", "reference_date", "age_band", "accommodation").rows()
    [('101', datetime.date(2024, 2, 29), '19-21', 'D1')]
    """
    from perfkit.formats.ssda903_import import read_strict

    return read_strict(folder, la_code, year)


def _birthday_in_year(dob: pl.Expr, year: pl.Expr) -> pl.Expr:
    """The birthday falling between 1 April of ``year - 1`` and 31 March of ``year``."""
    on = pl.when(dob.dt.month() >= 4).then(year - 1).otherwise(year).cast(pl.Int32)
    leap = ((on % 4 == 0) & (on % 100 != 0)) | (on % 400 == 0)
    day = pl.when((dob.dt.month() == 2) & (dob.dt.day() == 29) & ~leap).then(28).otherwise(dob.dt.day())
    return pl.date(on, dob.dt.month(), day)


def import_ssda903(paths, out_dir, la_code=None, year=None, fallback_la=None, la_names=None):
    """Convert SSDA903 files into canonical ``<table>.csv`` files and ``import-problems.csv``: see
    :func:`perfkit.formats.ssda903_import.import_ssda903` (this is it)."""
    from perfkit.formats.ssda903_import import import_ssda903 as run

    return run(paths, out_dir, la_code, year, fallback_la, la_names)


# --------------------------------------------------------------------------
# writing


def _dmy(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime("%d/%m/%Y")


def write_ssda903(tables: dict[str, pl.DataFrame], folder: Path, la_code: str) -> list[Path]:
    """Write one authority's canonical tables as SSDA903 CSVs, one folder per collection year.

    Parameters
    ----------
    tables : dict of str to polars.DataFrame
        Canonical tables (dates as ``Date``); ``children`` and
        ``cla_episodes`` are needed, ``missing_episodes`` and
        ``care_leavers`` are used when present.
    folder : path
        The folder to write ``<year>/header.csv`` ... into.
    la_code : str
        The authority whose records are written.

    Returns
    -------
    list of Path
        Every file written.

    Examples
    --------
    >>> import datetime as dt, tempfile, pathlib
    >>> children = pl.DataFrame({"la_code": ["990"], "child_id": ["A1"], "sex": ["F"], "date_of_birth": [dt.date(2010, 5, 1)],
    ...                          "ethnicity": ["WBRI"], "uasc": ["N"]})
    >>> episodes = pl.DataFrame({"la_code": ["990"], "child_id": ["A1"], "episode_start": [dt.date(2023, 6, 1)],
    ...     "episode_end": [dt.date(2024, 5, 1)], "rne": ["S"], "legal_status": ["V2"], "category_of_need": ["N1"],
    ...     "placement_type": ["U4"], "placement_provider": ["PR1"], "reason_ceased": ["E4A"], "reason_place_change": [None]})
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> [p.relative_to(out).as_posix() for p in write_ssda903({"children": children, "cla_episodes": episodes}, out, "990")][:2]
    ['2024/header.csv', '2024/episodes.csv']
    >>> (out / "2024" / "episodes.csv").read_text().splitlines()[1]
    'A1,01/06/2023,S,V2,N1,U4,PR1,,,,,,'
    """
    folder = Path(folder)
    written: list[Path] = []
    for year, parts in ssda903_parts(tables, la_code, folder).items():
        directory = folder / str(year)
        directory.mkdir(parents=True, exist_ok=True)
        for kind, frame in parts.items():
            path = directory / f"{kind}.csv"
            frame.write_csv(path)
            written.append(path)
    return written


def ssda903_parts(tables: dict[str, pl.DataFrame], la_code: str, folder: Path | str = "") -> dict[int, dict[str, pl.DataFrame]]:
    """Each collection year's SSDA903 parts (``header``, ``episodes``, ``missing``, ``oc3``, ``uasc``) with the CSV
    headings and text values, as :func:`write_ssda903` writes them (and the XML writer too); ``folder`` names the
    destination in a message."""
    mine = {name: typed_table(name, frame.filter(pl.col("la_code") == la_code))
            for name, frame in tables.items() if "la_code" in frame.columns}
    children = mine.get("children")
    episodes = mine.get("cla_episodes")
    if children is None or episodes is None:
        raise ContractError([Problem(str(folder), "writing SSDA903 needs the children and cla_episodes tables")])
    missing = mine.get("missing_episodes")
    missing = missing.filter(pl.col("looked_after") == "Y") if missing is not None else None
    leavers = mine.get("care_leavers")
    reviews = mine.get("cla_reviews", pl.DataFrame(schema={"child_id": pl.String, "review_date": pl.Date,
                                                           "review_code": pl.String}))

    dates = [episodes["episode_start"], episodes["episode_end"]]
    if missing is not None:
        dates.append(missing["missing_start"])
    if leavers is not None:
        dates.append(leavers["reference_date"])
    known = pl.concat([d.drop_nulls() for d in dates])
    if known.len() == 0:
        return {}
    first, last = known.min(), known.max()
    years = range(first.year + (1 if first.month >= 4 else 0), last.year + (1 if last.month >= 4 else 0) + 1)

    out: dict[int, dict[str, pl.DataFrame]] = {}
    for year in years:
        start, end = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
        eps = episodes.filter((pl.col("episode_start") <= end) & (pl.col("episode_end").is_null() | (pl.col("episode_end") >= start)))
        ended = pl.col("episode_end").is_not_null() & (pl.col("episode_end") <= end)
        eps = eps.sort("child_id", "episode_start").select(
            pl.col("child_id").alias("CHILD"), _dmy("episode_start").alias("DECOM"), pl.col("rne").alias("RNE"),
            pl.col("legal_status").alias("LS"), pl.col("category_of_need").alias("CIN"),
            pl.col("placement_type").alias("PLACE"), pl.col("placement_provider").alias("PLACE_PROVIDER"),
            pl.when(ended).then(_dmy("episode_end")).alias("DEC"),
            pl.when(ended).then(pl.coalesce("reason_ceased", pl.lit("X1"))).alias("REC"),
            pl.when(ended).then(pl.col("reason_place_change")).alias("REASON_PLACE_CHANGE"),
            *(pl.lit(None, pl.String).alias(c) for c in ("HOME_POST", "PL_POST", "URN")),
        )
        miss = (missing.filter((pl.col("missing_start") >= start) & (pl.col("missing_start") <= end))
                if missing is not None else pl.DataFrame(schema={"child_id": pl.String, "missing_start": pl.Date, "missing_end": pl.Date, "missing_type": pl.String}))
        oc3 = (leavers.filter((pl.col("reference_date") >= start) & (pl.col("reference_date") <= end))
               if leavers is not None else pl.DataFrame(schema={"child_id": pl.String, "in_touch": pl.String, "activity": pl.String, "accommodation": pl.String, "reference_date": pl.Date}))
        ids = pl.concat([eps["CHILD"], miss["child_id"], oc3["child_id"]]).unique()  # a review is of a child in care
        people = children.filter(pl.col("child_id").is_in(ids.implode())).sort("child_id")
        if people.height == 0 and eps.height == 0:
            continue
        dob = people.select("child_id", "date_of_birth")
        parts = {
            "header": people.select(
                pl.col("child_id").alias("CHILD"),
                pl.col("sex").replace_strict({"M": "1", "F": "2"}, default=None, return_dtype=pl.String).alias("SEX"),
                _dmy("date_of_birth").alias("DOB"), pl.col("ethnicity").alias("ETHNIC"),
                *(pl.lit(None, pl.String).alias(c) for c in ("UPN", "MOTHER", "MC_DOB")),
            ),
            "episodes": eps,
            "missing": miss.sort("child_id", "missing_start").join(dob, on="child_id", how="left", maintain_order="left").select(
                pl.col("child_id").alias("CHILD"), _dmy("date_of_birth").alias("DOB"), pl.col("missing_type").alias("MISSING"),
                _dmy("missing_start").alias("MIS_START"), _dmy("missing_end").alias("MIS_END"),
            ),
            "oc3": oc3.sort("child_id").join(dob, on="child_id", how="left", maintain_order="left").select(
                pl.col("child_id").alias("CHILD"), _dmy("date_of_birth").alias("DOB"), pl.col("in_touch").alias("IN_TOUCH"),
                pl.col("activity").alias("ACTIV"), pl.col("accommodation").alias("ACCOM"),
            ),
            "reviews": reviews.filter((pl.col("review_date") >= start) & (pl.col("review_date") <= end))
            .sort("child_id", "review_date").join(dob, on="child_id", how="left", maintain_order="left").select(
                pl.col("child_id").alias("CHILD"), _dmy("date_of_birth").alias("DOB"), _dmy("review_date").alias("REVIEW"),
                pl.col("review_code").alias("REVIEW_CODE"),
            ),
            "uasc": people.filter(pl.col("uasc") == "Y").select(
                pl.col("child_id").alias("CHILD"),
                pl.col("sex").replace_strict({"M": "1", "F": "2"}, default=None, return_dtype=pl.String).alias("SEX"),
                _dmy("date_of_birth").alias("DOB"), pl.col("date_of_birth").dt.offset_by("18y").dt.strftime("%d/%m/%Y").alias("DUC"),
            ),
        }
        out[year] = {kind: frame.select(WRITE_COLUMNS[kind]) for kind, frame in parts.items()}
    return out
