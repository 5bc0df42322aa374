"""Published percentages and rates reproduced, in exact decimals, from the published counts in the same file."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from pathlib import Path

import polars as pl

from perfkit.errors import PublishedDataError
from perfkit.published.ees import _check_filters, read_ees_csv, standardise_geography
from perfkit.published.markers import MARKERS, SOURCE_ROW, _where
from perfkit.published.tidy import LOCAL_AUTHORITY


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
    """Recompute ``spec.value`` for every local-authority row of a text frame (see :func:`~perfkit.published.ees.parse_ees`).

    ``status`` is ``match`` or ``mismatch`` where the value and both counts are
    published, ``suppressed`` where any of them is a marker (the marker is
    shown in place of the figure), ``no denominator`` where the denominator is 0.

    >>> from perfkit.published.ees import parse_ees
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
