"""The DfE Local Authority Interactive Tool (LAIT) long table, in the EES tidy shape.

``bds_long_0.parquet`` holds one row per measure, period and area with the
columns ``Short Desc`` (the measure), ``Data item`` (its description, filled
only on the measure's first row), ``Years``, ``LA and Regions`` (the area's
name), ``Values`` (text), ``LA Number`` (a float: 886.0) and ``Region``. It is
read unchanged and turned into :data:`perfkit.published.ees.TIDY_SCHEMA`:

- ``measure`` is the ``Short Desc``; ``source`` is the file name;
- ``la_code`` is the LA number as three-digit text (``"886"``). LAIT numbers
  England 970 and the regions 980-990 (986 London, 987 Inner London, 988 Outer
  London); those rows have ``geographic_level`` ``National`` or ``Regional``
  and no ``la_code``;
- ``value`` is a number, and ``-`` (LAIT's "no figure") loads as an empty value
  with ``marker`` ``-``; the other EES markers are accepted too. Anything else
  is an error naming the file, column, row and value. Values stored with
  binary noise (``11.600000000000001``) are read as the number they denote;
- ``year`` is the year a period ends in: ``2025`` is 2025, a financial year
  ``2024-25`` is 2025 and an academic year ``2015/16`` is 2016. Multi-year
  periods (``2014-16``), revised or provisional duplicates (``2025 (Rev)``,
  ``2025 (prov)``, ``2020 (Final)``) and outturn periods (``2016-17 (OT)``)
  get no ``year``, so one measure never has two values for a year; the
  published ``Years`` is kept in ``time_period``;
- ``region_name`` of a local authority is LAIT's ``Region``, which splits
  London into Inner and Outer London (a borough is compared with its part of
  London: :mod:`perfkit.published.benchmarks`); :func:`english_region` maps
  it to the English region where the whole region is meant.

LAIT keeps predecessor authorities (Cumbria 909, Northamptonshire 928 and the
Dorset authorities before 2019) as rows with ``-`` for the years after they
ceased, and successors as ``-`` before they began: as with the EES files no
value is merged across a boundary change.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from perfkit.published.ees import PublishedDataError
from perfkit.published.markers import MARKERS, NUMBER_PATTERN
from perfkit.published.tidy import LOCAL_AUTHORITY, NATIONAL, REGIONAL, TIDY_SCHEMA

LAIT_FILE = "bds_long_0.parquet"
LAIT_COLUMNS = ("Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number", "Region")
ENGLAND_NUMBER = 970
REGION_NUMBERS = range(980, 991)
_LONDON_PARTS = {"inner london": "London", "outer london": "London", "london (inner)": "London", "london (outer)": "London"}
EXAMPLES = 5


def english_region(name: str | None) -> str | None:
    """The English region for a LAIT or EES region name (Inner and Outer London are London).

    >>> english_region("Inner London"), english_region("London (Outer)"), english_region("South East")
    ('London', 'London', 'South East')
    """
    if name is None:
        return None
    return _LONDON_PARTS.get(name.strip().casefold(), name.strip())


def lait_year(period: str) -> pl.Expr:
    """An expression giving the year a LAIT ``Years`` text ends in, or empty (see the module notes)."""
    text = pl.col(period).str.strip_chars()
    return (
        pl.when(text.str.contains(r"^\d{4}$"))
        .then(text.cast(pl.Int32, strict=False))
        .when(text.str.contains(r"^\d{4}[-/]\d{2}$"))
        .then(text.str.slice(0, 2).cast(pl.Int32, strict=False) * 100 + text.str.slice(5, 2).cast(pl.Int32, strict=False))
        .otherwise(None)
        .cast(pl.Int32)
    )


def tidy_lait(raw: pl.DataFrame, source: str = LAIT_FILE) -> pl.DataFrame:
    """Turn LAIT long rows into the tidy shape (see the module notes).

    >>> raw = pl.DataFrame({"Short Desc": ["CIN", "CIN", "CIN", "CIN"], "Data item": ["CIN rate", None, None, None],
    ...     "Years": ["2025", "2025", "2024-25", "2025 (Rev)"], "LA and Regions": ["Kent", "England", "Cumbria", "Kent"],
    ...     "Values": ["316.5", "330.3", "-", "1"], "LA Number": [886.0, 970.0, 909.0, 886.0],
    ...     "Region": ["South East", "NA", "North West", "South East"]})
    >>> tidy_lait(raw, "bds.parquet").select("year", "geographic_level", "la_code", "value", "marker").rows()
    [(2025, 'Local authority', '886', 316.5, None), (2025, 'National', None, 330.3, None), (2025, 'Local authority', '909', None, '-'), (None, 'Local authority', '886', 1.0, None)]
    """
    missing = [c for c in LAIT_COLUMNS if c not in raw.columns]
    if missing:
        raise PublishedDataError(f"{source}: no column {', '.join(map(repr, missing))}; the file has {', '.join(raw.columns)}")
    frame = raw.with_row_index("source_row", offset=1).with_columns(pl.col("source_row").cast(pl.Int64))
    text = pl.col("Values").cast(pl.String).str.strip_chars()
    marker_list = list(MARKERS)
    bad = frame.filter(text.is_not_null() & (text != "") & ~text.str.contains(NUMBER_PATTERN) & ~text.is_in(marker_list))
    if bad.height:
        examples = "; ".join(
            f"{source}, column 'Values', row {r['source_row']}: value {r['Values']!r}" for r in bad.head(EXAMPLES).iter_rows(named=True)
        )
        raise PublishedDataError(f"{examples}: expected a number or a marker ({', '.join(marker_list)})")
    number = pl.col("LA Number")
    bad_number = frame.filter(number.is_null() | (number != number.round(0)) | (number < 100) | (number > 999))
    if bad_number.height:
        r = bad_number.row(0, named=True)
        raise PublishedDataError(
            f"{source}, column 'LA Number', row {r['source_row']}: value {r['LA Number']!r}: expected a three-digit LA number"
        )
    code = number.cast(pl.Int64)
    level = (
        pl.when(code == ENGLAND_NUMBER)
        .then(pl.lit(NATIONAL))
        .when(code.is_between(REGION_NUMBERS.start, REGION_NUMBERS.stop - 1))
        .then(pl.lit(REGIONAL))
        .otherwise(pl.lit(LOCAL_AUTHORITY))
    )
    name = pl.col("LA and Regions").str.strip_chars()
    region = pl.col("Region").str.strip_chars()
    out = frame.select(
        pl.lit(source).alias("source"),
        pl.col("source_row"),
        pl.col("Short Desc").str.strip_chars().alias("measure"),
        lait_year("Years").alias("year"),
        pl.col("Years").alias("time_period"),
        level.alias("geographic_level"),
        pl.when(level == LOCAL_AUTHORITY).then(code.cast(pl.String).str.zfill(3)).otherwise(None).alias("la_code"),
        pl.when(level == LOCAL_AUTHORITY).then(name).otherwise(None).alias("la_name"),
        pl.lit(None, dtype=pl.String).alias("new_la_code"),
        pl.lit(None, dtype=pl.String).alias("region_code"),
        pl.when(level == REGIONAL).then(name).when(level == LOCAL_AUTHORITY).then(region).otherwise(None).alias("region_name"),
        pl.lit(None, dtype=pl.String).alias("shared_return"),
        pl.when(text.str.contains(NUMBER_PATTERN)).then(text).otherwise(None).cast(pl.Float64).alias("value"),
        pl.when(text.is_in(marker_list)).then(text).otherwise(None).alias("marker"),
    )
    return out.select(pl.col(n).cast(t) for n, t in TIDY_SCHEMA.items())


def lait_path(lait_dir: Path | None = None) -> Path:
    """The LAIT long table in ``lait_dir`` (by default ``perfkit.config.paths.published_lait_dir()``)."""
    if lait_dir is None:
        from perfkit.config.paths import published_lait_dir

        lait_dir = published_lait_dir()
    return Path(lait_dir) / LAIT_FILE


def load_lait(measures: list[str] | None = None, lait_dir: Path | None = None) -> pl.DataFrame:
    """The LAIT long table (only ``measures``, the ``Short Desc`` values, if given) in the tidy shape.

    A measure that is not in the file is an error naming it.
    """
    path = lait_path(lait_dir)
    if not path.exists():
        raise PublishedDataError(f"{path}: no such published file")
    scan = pl.scan_parquet(path)
    if measures is not None:
        scan = scan.filter(pl.col("Short Desc").is_in(measures))
    raw = scan.collect()
    if measures is not None:
        found = set(raw["Short Desc"].unique().to_list())
        absent = [m for m in measures if m not in found]
        if absent:
            raise PublishedDataError(f"{path.name}, column 'Short Desc': no measure {', '.join(map(repr, absent))}")
    return tidy_lait(raw, path.name)


def lait_measures(lait_dir: Path | None = None) -> pl.DataFrame:
    """Each LAIT measure (``Short Desc``) with its description (the first ``Data item`` given for it)."""
    raw = pl.read_parquet(lait_path(lait_dir), columns=["Short Desc", "Data item"])
    return (
        raw.group_by("Short Desc", maintain_order=True)
        .agg(pl.col("Data item").drop_nulls().first().alias("description"))
        .rename({"Short Desc": "measure"})
    )
