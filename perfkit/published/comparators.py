"""Which published figure each catalogue indicator is compared with (``comparators.yaml``).

Polarity, title and unit come from the catalogue (``perfkit.indicators.catalogue``);
the YAML names only where the published figure lives. See the comment at the
top of ``comparators.yaml`` for its keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import polars as pl

from perfkit.errors import SettingsError
from perfkit.published.ees import PublishedDataError, load_ees, tidy_ees
from perfkit.published.lait import load_lait
from perfkit.published.markers import MARKER_SUFFIX

SOURCES = ("ees", "lait")
_KEYS = {"indicator", "breakdown", "source", "file", "filters", "value", "numerator", "denominator", "decimals", "note"}
_COUNT_KEYS = {"columns", "column", "filters", "measure"}
#: The columns identifying one published figure in the tidy shape.
GEOGRAPHY_KEY = ("year", "geographic_level", "region_code", "region_name", "la_code")


@dataclass(frozen=True)
class Count:
    """A published count: EES ``columns`` summed on the rows picked by the entry's filters
    updated with ``filters``, or a LAIT ``measure``."""

    columns: tuple[str, ...] = ()
    filters: dict[str, str] = field(default_factory=dict)
    measure: str | None = None


@dataclass(frozen=True)
class Comparator:
    """One published comparator of a catalogue indicator."""

    indicator: str
    source: Literal["ees", "lait"]
    file: str
    value: str
    decimals: int
    breakdown: str = "all"
    filters: dict[str, str] = field(default_factory=dict)
    numerator: Count | None = None
    denominator: Count | None = None
    note: str = ""

    @property
    def polarity(self) -> str:
        """From the catalogue, never restated here."""
        from perfkit.indicators.catalogue import load_catalogue

        return load_catalogue()[self.indicator].polarity


def _count(entry: Any, where: str) -> Count | None:
    if entry is None:
        return None
    if not isinstance(entry, dict) or set(entry) - _COUNT_KEYS:
        raise SettingsError(f"{where}: expected a mapping with keys from {sorted(_COUNT_KEYS)}, got {entry!r}")
    columns = entry.get("columns", [entry["column"]] if "column" in entry else [])
    return Count(tuple(str(c) for c in columns), {str(k): str(v) for k, v in (entry.get("filters") or {}).items()}, entry.get("measure"))


def parse_comparators(document: dict, catalogue_ids: list[str] | None = None, source: str = "comparators.yaml") -> tuple[Comparator, ...]:
    """Check and build the comparators from their YAML document.

    >>> doc = {"comparators": [{"indicator": "cla_rate", "source": "ees", "file": "cla.csv",
    ...     "filters": {"population_type": "x"}, "value": "rate_per_10000", "decimals": 0,
    ...     "numerator": {"columns": ["children_count"]}}]}
    >>> c = parse_comparators(doc, ["cla_rate"])[0]
    >>> c.indicator, c.breakdown, c.numerator.columns
    ('cla_rate', 'all', ('children_count',))
    >>> parse_comparators({"comparators": [{**doc["comparators"][0], "polarity": "low_is_good"}]}, ["cla_rate"])
    Traceback (most recent call last):
    ...
    perfkit.errors.SettingsError: comparators.yaml, entry 1 (cla_rate): unknown key(s) polarity; polarity comes from the catalogue, never from here
    """
    comparators = []
    seen: set[tuple[str, str]] = set()
    for number, entry in enumerate(document.get("comparators") or [], start=1):
        where = f"{source}, entry {number} ({entry.get('indicator', '?')})"
        unknown = set(entry) - _KEYS
        if unknown:
            hint = "; polarity comes from the catalogue, never from here" if "polarity" in unknown else ""
            raise SettingsError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}{hint}")
        missing = [k for k in ("indicator", "source", "file", "value", "decimals") if k not in entry]
        if missing:
            raise SettingsError(f"{where}: missing key(s) {', '.join(missing)}")
        if entry["source"] not in SOURCES:
            raise SettingsError(f"{where}: source {entry['source']!r} is not one of {SOURCES}")
        if catalogue_ids is not None and entry["indicator"] not in catalogue_ids:
            raise SettingsError(f"{where}: no indicator {entry['indicator']!r} in the catalogue")
        comparator = Comparator(
            indicator=entry["indicator"],
            source=entry["source"],
            file=entry["file"],
            value=str(entry["value"]),
            decimals=int(entry["decimals"]),
            breakdown=str(entry.get("breakdown", "all")),
            filters={str(k): str(v) for k, v in (entry.get("filters") or {}).items()},
            numerator=_count(entry.get("numerator"), f"{where}, numerator"),
            denominator=_count(entry.get("denominator"), f"{where}, denominator"),
            note=" ".join(str(entry.get("note", "")).split()),
        )
        key = (comparator.indicator, comparator.breakdown)
        if key in seen:
            raise SettingsError(f"{where}: a second comparator for {key}")
        seen.add(key)
        comparators.append(comparator)
    return tuple(comparators)


def load_comparators(path: Path | None = None) -> tuple[Comparator, ...]:
    """The packaged comparators (or those in ``path``), checked against the catalogue."""
    from perfkit.config.safe_yaml import read_yaml
    from perfkit.indicators.catalogue import load_catalogue

    if path is None:
        document, name = read_yaml(resources.files("perfkit.published").joinpath("comparators.yaml")), "comparators.yaml"
    else:
        document, name = read_yaml(Path(path)), Path(path).name
    return parse_comparators(document, load_catalogue().ids, name)


# --------------------------------------------------------------------------- values


def _sum(columns: tuple[str, ...]) -> pl.Expr:
    """The sum of columns, empty if any is empty (a suppressed part leaves no total)."""
    return reduce(lambda a, b: a + b, [pl.col(c) for c in columns])


def _key(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.concat_str([pl.col(c).cast(pl.String).fill_null("") for c in GEOGRAPHY_KEY], separator="|").alias("__key")
    )


def _ees_count(loaded: pl.DataFrame, comparator: Comparator, count: Count, name: str) -> pl.DataFrame:
    filters = {**comparator.filters, **count.filters}
    rows = tidy_ees(loaded.with_columns(_sum(count.columns).alias("__count"),
                                        pl.lit(None, dtype=pl.String).alias("__count" + MARKER_SUFFIX)),
                    "__count", filters, comparator.file)
    return _key(rows).select("__key", pl.col("value").alias(name))


def _unique(frame: pl.DataFrame, comparator: Comparator) -> pl.DataFrame:
    duplicated = frame.filter(pl.col("__key").is_duplicated())
    if duplicated.height:
        r = duplicated.row(0, named=True)
        raise PublishedDataError(
            f"{comparator.file}, row {r.get('source_row')}: more than one {comparator.value!r} for "
            f"{r['geographic_level']} {r['la_code'] or r['region_name'] or ''} in {r['year']} "
            f"(filters {comparator.filters}): the comparator's filters must pick one row per area and year"
        )
    return frame


def comparator_values(
    comparator: Comparator,
    dfe_dir: Path | None = None,
    lait_dir: Path | None = None,
    _cache: dict | None = None,
) -> pl.DataFrame:
    """Every published figure of one comparator: the tidy shape plus ``indicator``,
    ``breakdown``, ``numerator`` and ``denominator`` (empty where not published)."""
    cache = {} if _cache is None else _cache
    if comparator.source == "ees":
        if dfe_dir is None:
            from perfkit.config.paths import published_dfe_dir

            dfe_dir = published_dfe_dir()
        path = Path(dfe_dir) / comparator.file
        if path not in cache:
            cache[path] = load_ees(path)
        loaded = cache[path]
        values = _unique(_key(tidy_ees(loaded, comparator.value, comparator.filters, comparator.file)), comparator)
        for name, count in (("numerator", comparator.numerator), ("denominator", comparator.denominator)):
            if count is None:
                values = values.with_columns(pl.lit(None, dtype=pl.Float64).alias(name))
            else:
                values = values.join(_ees_count(loaded, comparator, count, name), on="__key", how="left")
    else:
        measures = [comparator.value] + [c.measure for c in (comparator.numerator, comparator.denominator) if c and c.measure]
        key = ("lait", lait_dir, tuple(measures))
        if key not in cache:
            cache[key] = load_lait(measures, lait_dir)
        lait = _key(cache[key].filter(pl.col("year").is_not_null()))
        values = _unique(lait.filter(pl.col("measure") == comparator.value), comparator)
        for name, count in (("numerator", comparator.numerator), ("denominator", comparator.denominator)):
            if count is None or count.measure is None:
                values = values.with_columns(pl.lit(None, dtype=pl.Float64).alias(name))
            else:
                counts = lait.filter(pl.col("measure") == count.measure).select("__key", pl.col("value").alias(name))
                values = values.join(counts.unique("__key", keep="first"), on="__key", how="left")
    return values.drop("__key").with_columns(
        pl.lit(comparator.indicator).alias("indicator"), pl.lit(comparator.breakdown).alias("breakdown")
    )


def all_comparator_values(
    comparators: tuple[Comparator, ...] | None = None, dfe_dir: Path | None = None, lait_dir: Path | None = None
) -> pl.DataFrame:
    """:func:`comparator_values` for every comparator, stacked (each file read once)."""
    comparators = load_comparators() if comparators is None else comparators
    cache: dict = {}
    lait_measures = sorted(
        {c.value for c in comparators if c.source == "lait"}
        | {n.measure for c in comparators if c.source == "lait" for n in (c.numerator, c.denominator) if n and n.measure}
    )
    if lait_measures:
        # one read of the LAIT table for all measures; each comparator then filters it
        shared = load_lait(lait_measures, lait_dir)
        for c in comparators:
            if c.source == "lait":
                measures = [c.value] + [n.measure for n in (c.numerator, c.denominator) if n and n.measure]
                cache[("lait", lait_dir, tuple(measures))] = shared
    return pl.concat([comparator_values(c, dfe_dir, lait_dir, cache) for c in comparators], how="vertical")
