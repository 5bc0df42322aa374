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
- **suppression markers** in numeric columns (see :data:`MARKERS`) load as an
  *empty* numeric value with the marker kept in a ``<column>_marker`` column
  beside it, never as a zero or a negative placeholder. Any other text in a
  numeric column is an error naming the file, column, row and value;
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

Boundary changes (see :data:`BOUNDARY_CHANGES`) are handled explicitly and
never silently merged:

- **Northamptonshire** (928) was replaced on 1 April 2021 by North
  Northamptonshire (940) and West Northamptonshire (941);
- **Cumbria** (909) was replaced on 1 April 2023 by Cumberland (942) and
  Westmorland and Furness (943).

A predecessor keeps its own LA number and has values only for the years it
existed (its rows for later years, where published, load as empty values with
the publisher's marker, usually ``z`` or ``x``); a successor has values only
from its first year. No value is carried from a predecessor to a successor or
summed from successors into a predecessor, so the first year of a successor
has no previous-year value and a change since the previous year is not shown
for it. :func:`boundary_note` gives the words for a report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from io import BytesIO
from pathlib import Path

import polars as pl
from perfkit.errors import PublishedDataError

#: Suppression and missing-value markers found in DfE (EES, LAIT) files, with their meaning.
MARKERS: dict[str, str] = {
    "c": "confidential: suppressed to protect individuals",
    "k": "rounds to zero, but is not zero",
    "low": "rounds to zero, but is not zero (older workforce tables)",
    "u": "low reliability",
    "x": "not available",
    "z": "not applicable",
    ":": "not available (older tables)",
    "..": "not available or suppressed (older tables)",
    "~": "rounds to zero (older tables)",
    "-": "no figure (LAIT)",
}

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

NATIONAL = "National"
REGIONAL = "Regional"
LOCAL_AUTHORITY = "Local authority"

#: The tidy shape shared by the EES and LAIT loaders (one published figure per row).
TIDY_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "source_row": pl.Int64(),
    "measure": pl.String(),
    "year": pl.Int32(),
    "time_period": pl.String(),
    "geographic_level": pl.String(),
    "la_code": pl.String(),
    "la_name": pl.String(),
    "new_la_code": pl.String(),
    "region_code": pl.String(),
    "region_name": pl.String(),
    "shared_return": pl.String(),
    "value": pl.Float64(),
    "marker": pl.String(),
}

SOURCE_ROW = "source_row"
MARKER_SUFFIX = "_marker"
NUMBER_PATTERN = r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"
_BOM = b"\xef\xbb\xbf"
EXAMPLES = 5




def _where(source: str, column: str | None = None, row: int | None = None, value: str | None = None) -> str:
    text = source
    if column is not None:
        text += f", column {column!r}"
    if row is not None:
        text += f", row {row}"
    if value is not None:
        text += f": value {value!r}"
    return text


@dataclass(frozen=True)
class BoundaryChange:
    """A local government reorganisation: one authority replaced by others."""

    predecessor: str
    predecessor_name: str
    successors: tuple[tuple[str, str], ...]
    effective: str  # ISO date the successors took over

    @property
    def successor_codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.successors)


#: Boundary changes affecting children's services authorities in the published years.
BOUNDARY_CHANGES: tuple[BoundaryChange, ...] = (
    BoundaryChange("928", "Northamptonshire", (("940", "North Northamptonshire"), ("941", "West Northamptonshire")), "2021-04-01"),
    BoundaryChange("909", "Cumbria", (("942", "Cumberland"), ("943", "Westmorland and Furness")), "2023-04-01"),
)


def boundary_note(la_code: str) -> str | None:
    """Words for a report when ``la_code`` is a predecessor or successor authority.

    >>> print(boundary_note("942"))
    Cumberland (942) was formed on 2023-04-01 from Cumbria (909); Cumbria's figures are not carried over, so earlier years have no value.
    >>> boundary_note("909")
    'Cumbria (909) was replaced on 2023-04-01 by Cumberland (942) and Westmorland and Furness (943); it has no figures for later years, and theirs are not merged into it.'
    >>> boundary_note("886") is None
    True
    """
    for change in BOUNDARY_CHANGES:
        if la_code == change.predecessor:
            names = " and ".join(f"{name} ({code})" for code, name in change.successors)
            return (
                f"{change.predecessor_name} ({change.predecessor}) was replaced on {change.effective} by {names}; "
                "it has no figures for later years, and theirs are not merged into it."
            )
        for code, name in change.successors:
            if la_code == code:
                return (
                    f"{name} ({code}) was formed on {change.effective} from {change.predecessor_name} ({change.predecessor}); "
                    f"{change.predecessor_name}'s figures are not carried over, so earlier years have no value."
                )
    return None


# --------------------------------------------------------------------------- reading


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
    :func:`split_value_markers`).

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


def split_value_markers(frame: pl.DataFrame, columns: list[str], source: str = "published file") -> pl.DataFrame:
    """Turn text figures into numbers, keeping suppression markers beside them.

    Each column becomes ``Float64`` (empty where the cell held a marker or was
    blank) with a ``<column>_marker`` text column holding the marker. Any other
    text is an error naming the file, column, row and value.

    >>> f = pl.DataFrame({"source_row": [1, 2, 3], "n": ["12", "c", "low"]})
    >>> split_value_markers(f, ["n"], "example.csv").rows()
    [(1, 12.0, None), (2, None, 'c'), (3, None, 'low')]
    >>> split_value_markers(pl.DataFrame({"source_row": [1], "n": ["twelve"]}), ["n"], "example.csv")
    Traceback (most recent call last):
    ...
    perfkit.errors.PublishedDataError: example.csv, column 'n', row 1: value 'twelve': expected a number or a suppression marker (c, k, low, u, x, z, :, .., ~, -)
    """
    marker_list = list(MARKERS)
    expressions: list[pl.Expr] = []
    for name in columns:
        if name not in frame.columns:
            raise PublishedDataError(f"{_where(source, name)}: no such column; the file has {', '.join(frame.columns)}")
        text = pl.col(name).str.strip_chars()
        bad = frame.filter(
            text.is_not_null() & (text != "") & ~text.str.contains(NUMBER_PATTERN) & ~text.is_in(marker_list)
        )
        if bad.height:
            rows = bad.head(EXAMPLES)
            examples = "; ".join(
                _where(source, name, r[SOURCE_ROW] if SOURCE_ROW in bad.columns else None, r[name])
                for r in rows.iter_rows(named=True)
            )
            more = f" (and {bad.height - EXAMPLES} more)" if bad.height > EXAMPLES else ""
            raise PublishedDataError(
                f"{examples}: expected a number or a suppression marker ({', '.join(marker_list)}){more}"
            )
        expressions.append(pl.when(text.str.contains(NUMBER_PATTERN)).then(text).otherwise(None).cast(pl.Float64).alias(name))
        expressions.append(pl.when(text.is_in(marker_list)).then(text).otherwise(None).alias(name + MARKER_SUFFIX))
    out = frame.with_columns(expressions)
    # keep each marker column right beside its value column
    order: list[str] = []
    for name in frame.columns:
        order.append(name)
        if name in columns:
            order.append(name + MARKER_SUFFIX)
    return out.select(order)


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
    """The rows of a loaded EES frame matching ``filters``, in the tidy shape :data:`TIDY_SCHEMA`.

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


def empty_tidy() -> pl.DataFrame:
    """An empty frame in the tidy shape."""
    return pl.DataFrame(schema=TIDY_SCHEMA)


# --------------------------------------------------------------------------- reproduction


@dataclass(frozen=True)
class Reproduction:
    """How a published percentage or rate follows from published counts in the same file.

    ``value = numerator * scale / denominator``, rounded half up to ``decimals``.
    When ``denominator_row`` is given, the denominator count is read from the
    sibling row (same year, LA and other ``group`` labels) whose labels match it.
    """

    file: str
    value: str
    numerator: str
    denominator: str
    scale: int
    decimals: int
    group: tuple[str, ...] = ()
    denominator_row: dict[str, str] = field(default_factory=dict)


#: The published files whose LA values are reproduced from their counts.
REPRODUCIBLE: dict[str, Reproduction] = {
    r.file: r
    for r in (
        Reproduction(
            "cla_number_and_rate_per_10k_children.csv", "rate_per_10000", "children_count", "population_estimate",
            10_000, 0, group=("population_type",),
        ),
        Reproduction(
            "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", "rereferral_percent",
            "rereferral_count", "referral_count", 100, 1,
        ),
        Reproduction("d3_cpps_subsequent_plan_2013_to_2025.csv", "CPP_subsequent_percent", "CPP_subsequent", "CPP_start", 100, 1),
        Reproduction(
            "la_cla_placement_stability.csv", "children_percent", "children_count", "children_count", 100, 0,
            group=("cla_group", "placement_stability"), denominator_row={"placement_stability": "Total children"},
        ),
    )
}

REPRODUCTION_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "source_row": pl.Int64(),
    "year": pl.Int32(),
    "la_code": pl.String(),
    "la_name": pl.String(),
    "group": pl.String(),
    "numerator": pl.String(),
    "denominator": pl.String(),
    "published": pl.String(),
    "recomputed": pl.String(),
    "status": pl.String(),
    "match": pl.Boolean(),
}


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        return None


def recompute(numerator: str, denominator: str, scale: int, decimals: int) -> Decimal | None:
    """``numerator * scale / denominator`` in exact decimal arithmetic, rounded half up.

    Built from the count strings, so no binary floating point is involved.

    >>> recompute("1", "8", 100, 1), recompute("2375", "10000", 100, 1), recompute("5", "0", 100, 1)
    (Decimal('12.5'), Decimal('23.8'), None)
    >>> recompute("740", "90547", 10000, 0)
    Decimal('82')
    """
    num, den = Decimal(numerator.strip()), Decimal(denominator.strip())
    if den == 0:
        return None
    with localcontext() as context:
        context.prec = 60  # far more digits than any count has: the quotient is exact to the rounding step
        quotient = num * scale / den
        return quotient.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def reproduce_frame(raw: pl.DataFrame, spec: Reproduction, source: str | None = None) -> pl.DataFrame:
    """Recompute ``spec.value`` for every local-authority row of a text frame (see :func:`parse_ees`).

    ``status`` is ``match`` or ``mismatch`` where the value and both counts are
    published, ``suppressed`` where any of them is a marker (the marker is
    shown in place of the figure), ``no denominator`` where the denominator is 0.

    >>> text = (b"time_period,geographic_level,old_la_code,la_name,referral_count,rereferral_count,rereferral_percent\\n"
    ...         b"2025,Local authority,886,Kent,24035,5188,21.6\\n2025,Local authority,201,City of London,c,c,c\\n")
    >>> spec = Reproduction("c1.csv", "rereferral_percent", "rereferral_count", "referral_count", 100, 1)
    >>> reproduce_frame(parse_ees(text, "c1.csv"), spec).select("la_code", "published", "recomputed", "status").rows()
    [('886', '21.6', '21.6', 'match'), ('201', 'c', None, 'suppressed')]
    """
    source = source or spec.file
    frame = standardise_geography(raw, source).filter(pl.col("geographic_level").str.strip_chars() == LOCAL_AUTHORITY)
    used = list(dict.fromkeys((spec.value, spec.numerator, spec.denominator, *spec.group)))
    for column in used:
        if column not in frame.columns:
            raise PublishedDataError(f"{_where(source, column)}: no such column; the file has {', '.join(frame.columns)}")
    frame = frame.with_columns(pl.col(c).str.strip_chars() for c in used)
    if spec.denominator_row:
        keys = ["year", "la_code", *[g for g in spec.group if g not in spec.denominator_row]]
        denominators = frame.filter(_check_filters(frame, spec.denominator_row, source)).select(
            *keys, pl.col(spec.denominator).alias("__denominator")
        )
        duplicated = denominators.filter(pl.struct(keys).is_duplicated())
        if duplicated.height:
            raise PublishedDataError(f"{source}: more than one denominator row for {duplicated.row(0, named=True)}")
        frame = frame.join(denominators, on=keys, how="left")
    else:
        frame = frame.with_columns(pl.col(spec.denominator).alias("__denominator"))
    group = (
        pl.concat_str([pl.col(g) for g in spec.group], separator=" | ") if spec.group else pl.lit("all")
    ).alias("group")
    frame = frame.with_columns(group)

    records = []
    for r in frame.iter_rows(named=True):
        published, num, den = r[spec.value], r[spec.numerator], r["__denominator"]
        row = r[SOURCE_ROW]
        for column, text in ((spec.value, published), (spec.numerator, num), (spec.denominator, den)):
            if text is not None and text not in MARKERS and _decimal(text) is None and text != "":
                raise PublishedDataError(
                    f"{_where(source, column, row, text)}: expected a number or a suppression marker ({', '.join(MARKERS)})"
                )
        recomputed: Decimal | None = None
        if any(t is None or t == "" or t in MARKERS for t in (published, num, den)):
            status = "suppressed"
        else:
            recomputed = recompute(num, den, spec.scale, spec.decimals)
            if recomputed is None:
                status = "no denominator"
            else:
                status = "match" if recomputed == Decimal(published) else "mismatch"
        records.append(
            {
                "source": source,
                "source_row": row,
                "year": r["year"],
                "la_code": r["la_code"],
                "la_name": r["la_name"],
                "group": r["group"],
                "numerator": num,
                "denominator": den,
                "published": published,
                "recomputed": None if recomputed is None else str(recomputed),
                "status": status,
                "match": None if status not in ("match", "mismatch") else status == "match",
            }
        )
    return pl.DataFrame(records, schema=REPRODUCTION_SCHEMA)


def reproduce_published(file: str | Path, dfe_dir: Path | None = None) -> pl.DataFrame:
    """Recompute a published file's LA percentages or rates from its counts (see :data:`REPRODUCIBLE`).

    ``file`` is a file name known to :data:`REPRODUCIBLE` (looked up in
    ``dfe_dir``, by default ``perfkit.config.paths.published_dfe_dir()``) or a path
    to such a file. Returns one row per local-authority row with the columns
    of :data:`REPRODUCTION_SCHEMA`; ``match`` is true where the recomputed
    value equals the published one, empty for suppressed rows.
    """
    path = Path(file)
    if path.name not in REPRODUCIBLE:
        raise PublishedDataError(f"{path.name}: no reproduction rule; known files: {', '.join(REPRODUCIBLE)}")
    if not path.is_absolute() and not path.exists():
        if dfe_dir is None:
            from perfkit.config.paths import published_dfe_dir

            dfe_dir = published_dfe_dir()
        path = Path(dfe_dir) / path.name
    return reproduce_frame(read_ees_csv(path), REPRODUCIBLE[path.name], path.name)


def reproduction_summary(frame: pl.DataFrame) -> pl.DataFrame:
    """Counts per source and group: rows, rows with counts, matched, mismatched, suppressed.

    >>> f = pl.DataFrame({"source": ["a", "a", "a"], "group": ["all"] * 3,
    ...     "status": ["match", "match", "suppressed"], "match": [True, True, None]})
    >>> reproduction_summary(f).row(0)
    ('a', 'all', 3, 2, 2, 0, 1, 100.0)
    """
    return (
        frame.group_by("source", "group", maintain_order=True)
        .agg(
            pl.len().alias("rows"),
            pl.col("match").is_not_null().sum().alias("with_counts"),
            (pl.col("status") == "match").sum().alias("matched"),
            (pl.col("status") == "mismatch").sum().alias("mismatched"),
            (pl.col("status") != "match").and_(pl.col("status") != "mismatch").sum().alias("suppressed"),
        )
        .with_columns((pl.col("matched") * 100 / pl.col("with_counts")).alias("match_pct"))
    )
