"""Explore Education Statistics (EES) CSVs, read unchanged.

The DfE publishes local-authority open data as CSVs with a common geography
layout (``time_period, time_identifier, geographic_level, country_code,
country_name, region_code, region_name, old_la_code, new_la_code, la_name``)
followed by dimension columns (``category``, ``population_type``,
``cla_group``, ...) and numeric columns. The files are read as published:

- **byte-order marks**: a UTF-8 BOM before the first header is dropped, and
  header names are trimmed, so ``time_period`` is found whatever the file;
- **column order varies** between files (``la_name`` before or after
  ``new_la_code``): columns are always selected by name, never by position;
- **suppression markers** in numeric columns (see :data:`~perfkit.published.markers.MARKERS`)
  load as an *empty* numeric value with the marker kept in a ``<column>_marker``
  column beside it, never as a zero or a negative placeholder. Any other text in
  a numeric column is an error naming the file, column, row and value;
- **the key is the old three-digit LA number** (``old_la_code``, kept as text,
  e.g. ``"886"``) in a column ``la_code``. The ONS codes (``new_la_code``) of
  North Yorkshire (815) and Somerset (933) changed when they became unitary
  authorities on 1 April 2023 (E10000023 to E06000065, E10000027 to
  E06000066; the files use the new codes from 2024, some also for earlier
  years): keyed by the LA number, both stay one series across 2023/2024.
  ``new_la_code`` is kept as published;
- **joint returns**: a few workforce rows are published for two authorities
  together (``old_la_code`` ``"940 / 941"`` for North and West
  Northamptonshire, ``"314 / 318"`` for Kingston upon Thames and Richmond upon
  Thames, which share a children's services trust). Such a row is given to each
  authority (one row per LA number, same values), with the published code kept
  in ``shared_return``; this is what LAIT does (its workforce values for 940
  and 941 are equal). Both then count in ranks and quartiles, as in LAIT.

Boundary changes are in :mod:`perfkit.published.boundaries`; the published
percentages and rates reproduced from their counts in
:mod:`perfkit.published.reproduction`.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import polars as pl

from perfkit.errors import PublishedDataError
from perfkit.published.markers import (
    MARKER_SUFFIX,
    MARKERS,
    NUMBER_PATTERN,
    SOURCE_ROW,
    _where,
    split_value_markers,
)
from perfkit.published.tidy import LOCAL_AUTHORITY, TIDY_SCHEMA

#: The EES geography columns; every EES file has these (in some order).
GEOGRAPHY_COLUMNS: tuple[str, ...] = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("time_period", "geographic_level", "old_la_code", "la_name")
_BOM = b"\xef\xbb\xbf"


def parse_ees(data: bytes, source: str) -> pl.DataFrame:
    """Parse the bytes of an EES CSV: every column as text, header cleaned.

    A UTF-8 byte-order mark is dropped and header names are trimmed. A
    ``source_row`` column numbers the data rows from 1 (the first row under
    the header), for error messages.

    >>> frame = parse_ees(b"\\xef\\xbb\\xbftime_period, geographic_level,old_la_code,la_name,n\\n"
    ...                   b"2025,Local authority,886,Kent,c\\n", "example.csv")
    >>> frame.columns
    ['source_row', 'time_period', 'geographic_level', 'old_la_code', 'la_name', 'n']
    >>> frame.row(0)
    (1, '2025', 'Local authority', '886', 'Kent', 'c')
    """
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        frame = pl.read_csv(BytesIO(data), infer_schema=False, empty_string_is_null=False)
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as error:  # pragma: no cover - malformed file
        raise PublishedDataError(f"{source}: cannot be read as a CSV file: {error}") from error
    names = [name.strip().lstrip("\ufeff") for name in frame.columns]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise PublishedDataError(f"{source}: the header repeats column(s) {', '.join(map(repr, duplicates))}")
    frame.columns = names
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise PublishedDataError(
            f"{source}: no column {', '.join(map(repr, missing))}: expected the EES geography columns "
            f"({', '.join(REQUIRED_COLUMNS)}); the header has {', '.join(names)}"
        )
    return frame.with_row_index(SOURCE_ROW, offset=1).with_columns(pl.col(SOURCE_ROW).cast(pl.Int64))


def read_ees_csv(path: str | Path) -> pl.DataFrame:
    """Read one EES CSV as text (see :func:`parse_ees`)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise PublishedDataError(f"{path}: no such published file") from error
    return parse_ees(data, path.name)


def numeric_columns(frame: pl.DataFrame) -> list[str]:
    """The columns of a text frame that hold figures (as opposed to geography or dimension labels).

    A column is numeric when most of its non-empty cells are numbers; its
    other cells must then be suppression markers (checked by
    :func:`~perfkit.published.markers.split_value_markers`).

    >>> f = pl.DataFrame({"time_period": ["2025"], "category": ["All"], "n": ["c"], "m": ["12"]})
    >>> numeric_columns(f.vstack(pl.DataFrame({"time_period": ["2024"], "category": ["All"], "n": ["3"], "m": ["x"]})))
    ['n', 'm']
    """
    found = []
    for name in frame.columns:
        if name in GEOGRAPHY_COLUMNS or name == SOURCE_ROW or frame.schema[name] != pl.String:
            continue
        text = frame[name].str.strip_chars()
        text = text.filter(text.is_not_null() & (text != ""))
        if text.len() == 0:
            continue
        numbers = text.str.contains(NUMBER_PATTERN).sum()
        markers = text.is_in(list(MARKERS)).sum()
        if numbers > 0 and numbers + markers >= 0.5 * text.len() and numbers >= 0.5 * (text.len() - markers):
            found.append(name)
    return found


def _year() -> pl.Expr:
    period = pl.col("time_period").str.strip_chars()
    return (
        pl.when(period.str.contains(r"^\d{4}$"))
        .then(period.cast(pl.Int32, strict=False))
        .when(period.str.contains(r"^\d{6}$"))  # financial or academic year 202425 -> 2025
        .then(period.str.slice(0, 2).cast(pl.Int32, strict=False) * 100 + period.str.slice(4, 2).cast(pl.Int32, strict=False))
        .otherwise(None)
        .alias("year")
    )


def _split_joint_returns(joint: pl.DataFrame) -> pl.DataFrame:
    """One row per LA number of each joint return, with ``new_la_code`` and ``la_name`` split alike."""
    records = []
    for r in joint.iter_rows(named=True):
        codes = [c.strip() for c in r["old_la_code"].split("/")]
        parts = {}
        for name in ("new_la_code", "la_name"):
            pieces = [p.strip() for p in (r[name] or "").split(" / ")]
            parts[name] = pieces if len(pieces) == len(codes) else [r[name]] * len(codes)
        for i, code in enumerate(codes):
            records.append({**r, "la_code": code, "new_la_code": parts["new_la_code"][i], "la_name": parts["la_name"][i]})
    return pl.DataFrame(records, schema=joint.schema)


def standardise_geography(frame: pl.DataFrame, source: str = "published file") -> pl.DataFrame:
    """Add ``year`` (Int32) and ``la_code`` (the old three-digit LA number) to an EES frame.

    ``la_code`` is empty for national and regional rows. A joint return
    (``"940 / 941"``) becomes one row per LA number, the published code kept
    in ``shared_return``. A local-authority row whose LA number is not three
    digits, or whose period is not a year, is an error naming the row.

    >>> f = pl.DataFrame({"source_row": [1, 2], "time_period": ["2025", "2025"],
    ...     "geographic_level": ["National", "Local authority"], "old_la_code": ["", "940 / 941"],
    ...     "new_la_code": ["", "E06000061 / E06000062"],
    ...     "la_name": ["", "North Northamptonshire / West Northamptonshire"], "n": [1.0, 2.0]})
    >>> standardise_geography(f).select("la_code", "new_la_code", "la_name", "shared_return").rows()
    [(None, None, None, None), ('940', 'E06000061', 'North Northamptonshire', '940 / 941'), ('941', 'E06000062', 'West Northamptonshire', '940 / 941')]
    """
    out = frame.with_columns(_year())
    bad_year = out.filter(pl.col("year").is_null())
    if bad_year.height:
        r = bad_year.row(0, named=True)
        raise PublishedDataError(
            f"{_where(source, 'time_period', r.get(SOURCE_ROW), r['time_period'])}: expected a year such as 2025 (or 202425)"
        )
    for name in ("new_la_code", "region_code", "region_name", "la_name", "old_la_code"):
        if name not in out.columns:
            out = out.with_columns(pl.lit(None, dtype=pl.String).alias(name))
        out = out.with_columns(
            pl.when(pl.col(name).str.strip_chars() == "").then(None).otherwise(pl.col(name).str.strip_chars()).alias(name)
        )
    is_la = pl.col("geographic_level").str.strip_chars() == LOCAL_AUTHORITY
    out = out.with_columns(
        pl.when(is_la & pl.col("old_la_code").str.contains("/")).then(pl.col("old_la_code")).otherwise(None).alias("shared_return"),
        pl.when(is_la).then(pl.col("old_la_code")).otherwise(None).alias("la_code"),
    )
    joint = out.filter(pl.col("shared_return").is_not_null())
    if joint.height:
        out = pl.concat([out.filter(pl.col("shared_return").is_null()), _split_joint_returns(joint)])
        if SOURCE_ROW in out.columns:
            out = out.sort(SOURCE_ROW, maintain_order=True)
    bad_code = out.filter(is_la & ~pl.col("la_code").fill_null("").str.contains(r"^\d{3}$"))
    if bad_code.height:
        r = bad_code.row(0, named=True)
        raise PublishedDataError(
            f"{_where(source, 'old_la_code', r.get(SOURCE_ROW), r['old_la_code'])}: expected a three-digit LA number such as 886"
        )
    return out


def load_ees(path: str | Path) -> pl.DataFrame:
    """Load an EES CSV: numeric columns as ``Float64`` with ``<column>_marker`` beside, plus ``year`` and ``la_code``.

    Dimension columns (``category``, ``cla_group``, ``care_leaver_age``, ...)
    are kept as text, trimmed.
    """
    path = Path(path)
    raw = read_ees_csv(path)
    numbers = numeric_columns(raw)
    dimensions = [c for c in raw.columns if c not in numbers and c != SOURCE_ROW and c not in GEOGRAPHY_COLUMNS]
    frame = raw.with_columns(pl.col(c).str.strip_chars() for c in dimensions + ["geographic_level"])
    frame = split_value_markers(frame, numbers, path.name)
    return standardise_geography(frame, path.name)


def _check_filters(frame: pl.DataFrame, filters: dict[str, str], source: str) -> pl.Expr:
    condition = pl.lit(True)
    for column, wanted in filters.items():
        if column not in frame.columns:
            raise PublishedDataError(f"{_where(source, column)}: no such column to filter on; the file has {', '.join(frame.columns)}")
        present = frame[column].unique().drop_nulls().to_list()
        if wanted not in present:
            raise PublishedDataError(
                f"{_where(source, column, value=wanted)}: no row has this value; the values are {', '.join(map(repr, sorted(present)))}"
            )
        condition = condition & (pl.col(column) == wanted)
    return condition


def tidy_ees(
    frame: pl.DataFrame,
    value: str,
    filters: dict[str, str] | None = None,
    source: str = "published file",
    measure: str | None = None,
) -> pl.DataFrame:
    """The rows of a loaded EES frame matching ``filters``, in the tidy shape :data:`~perfkit.published.tidy.TIDY_SCHEMA`.

    >>> text = (b"time_period,geographic_level,region_code,region_name,old_la_code,la_name,new_la_code,group,n\\n"
    ...         b"2025,National,,,,,,a,67\\n2025,Local authority,E12000008,South East,886,Kent,E10000016,a,z\\n"
    ...         b"2025,Local authority,E12000008,South East,886,Kent,E10000016,b,3\\n")
    >>> loaded = split_value_markers(parse_ees(text, "x.csv"), ["n"], "x.csv")
    >>> tidy_ees(standardise_geography(loaded), "n", {"group": "a"}, "x.csv").select("la_code", "value", "marker").rows()
    [(None, 67.0, None), ('886', None, 'z')]
    """
    if value not in frame.columns:
        raise PublishedDataError(f"{_where(source, value)}: no such value column; the file has {', '.join(frame.columns)}")
    marker = value + MARKER_SUFFIX
    rows = frame.filter(_check_filters(frame, filters or {}, source))
    columns = {
        "source": pl.lit(source),
        "source_row": pl.col(SOURCE_ROW) if SOURCE_ROW in rows.columns else pl.lit(None),
        "measure": pl.lit(measure or value),
        "year": pl.col("year"),
        "time_period": pl.col("time_period"),
        "geographic_level": pl.col("geographic_level"),
        "la_code": pl.col("la_code"),
        "la_name": pl.col("la_name"),
        "new_la_code": pl.col("new_la_code"),
        "region_code": pl.col("region_code"),
        "region_name": pl.col("region_name"),
        "shared_return": pl.col("shared_return") if "shared_return" in rows.columns else pl.lit(None),
        "value": pl.col(value),
        "marker": pl.col(marker) if marker in rows.columns else pl.lit(None),
    }
    return rows.select(expr.cast(TIDY_SCHEMA[name]).alias(name) for name, expr in columns.items())
