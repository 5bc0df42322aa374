"""The benchmark table: an authority's published figures beside England, its region and its neighbours.

For each comparator in ``comparators.yaml`` (one row per indicator, or per
indicator and age band where DfE publishes by age band) and a year:

- ``value``: the authority's published figure (empty, with the ``marker``,
  where suppressed or not applicable);
- ``england`` and ``region``: the published national figure and that of the
  authority's English region (``region_name``); a London borough is compared
  with Inner or Outer London, as the published files and LAIT do, and with
  London only where its part of London has no figure (LAIT's rule);
- ``sn_mean`` and ``sn_used``: the mean of the statistical neighbours'
  published figures, neighbours without a figure left out (LAIT's rule), and
  how many were used. Neighbours come from the 2025 model; an authority not in
  it (a predecessor such as Cumbria) takes its neighbours from the April 2021
  model;
- ``band``: the quartile band A-D over every authority with a figure that
  year, A the best quarter by the catalogue polarity. LAIT's rule: the
  quartiles are the type-7 (linear) quantiles of the authorities' figures;
  for ``low_is_good`` a figure from the minimum to Q1 inclusive is A, above Q1
  to Q2 B, above Q2 to Q3 C, above Q3 D; for ``high_is_good`` the minimum to
  Q1 is D, above Q1 to Q2 C, above Q2 to Q3 B, above Q3 A. No band for
  polarity ``none``;
- ``rank``: 1 best by polarity, tied figures sharing the lowest rank (LAIT's
  ``ties.method = "min"``), out of ``ranked`` authorities; none for polarity
  ``none``;
- ``previous``, ``change`` and ``direction``: last year's figure, the change
  and ``better``, ``worse`` or ``no change`` by polarity (empty for ``none``).

A joint workforce return counts for each authority in it, as in LAIT (see
:mod:`perfkit.published.ees`). Across a boundary change nothing is merged: a
successor's first year has no previous figure, and ``note`` says why.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from perfkit.errors import PublishedDataError
from perfkit.published.boundaries import boundary_note
from perfkit.published.lait import english_region
from perfkit.published.tidy import LOCAL_AUTHORITY, NATIONAL, REGIONAL

if TYPE_CHECKING:
    from perfkit.indicators.catalogue import Catalogue
    from perfkit.published.comparators import Comparator

LONDON_CODE = "E12000007"
_CHANGE_DIGITS = 9  # published figures have at most a few decimals: this removes binary noise only

BENCHMARK_SCHEMA: dict[str, pl.DataType] = {
    "indicator": pl.String(),
    "breakdown": pl.String(),
    "title": pl.String(),
    "polarity": pl.String(),
    "decimals": pl.Int32(),
    "year": pl.Int32(),
    "la_code": pl.String(),
    "la_name": pl.String(),
    "value": pl.Float64(),
    "marker": pl.String(),
    "england": pl.Float64(),
    "region_name": pl.String(),
    "region": pl.Float64(),
    "sn_mean": pl.Float64(),
    "sn_used": pl.Int32(),
    "band": pl.String(),
    "rank": pl.Int32(),
    "ranked": pl.Int32(),
    "previous": pl.Float64(),
    "change": pl.Float64(),
    "direction": pl.String(),
    "source": pl.String(),
    "note": pl.String(),
}


def quartiles(values: list[float]) -> tuple[float, float, float, float, float]:
    """Minimum, Q1, median, Q3 and maximum by linear interpolation (R's default ``quantile``, as LAIT).

    >>> quartiles([1.0, 2.0, 3.0, 4.0])
    (1.0, 1.75, 2.5, 3.25, 4.0)
    """
    series = pl.Series(values, dtype=pl.Float64).drop_nulls()
    return tuple(series.quantile(q, interpolation="linear") for q in (0.0, 0.25, 0.5, 0.75, 1.0))  # type: ignore[return-value]


def quartile_band(value: float | None, values: list[float], polarity: str) -> str | None:
    """LAIT's quartile band (A best) of ``value`` among ``values`` (all authorities' figures).

    >>> figures = [float(v) for v in range(0, 101)]
    >>> [quartile_band(v, figures, "low_is_good") for v in (0, 25, 26, 50, 75, 76, 100)]
    ['A', 'A', 'B', 'B', 'C', 'D', 'D']
    >>> [quartile_band(v, figures, "high_is_good") for v in (0, 25, 26, 75, 76, 100)]
    ['D', 'D', 'C', 'B', 'A', 'A']
    >>> quartile_band(10.0, figures, "none") is None, quartile_band(None, figures, "low_is_good") is None
    (True, True)
    """
    if value is None or polarity == "none" or not values:
        return None
    q0, q1, q2, q3, q4 = quartiles(values)
    if value < q0 or value > q4:
        raise ValueError(f"value {value} lies outside the figures it is banded among ({q0} to {q4})")
    position = 0 if value <= q1 else 1 if value <= q2 else 2 if value <= q3 else 3
    bands = "ABCD" if polarity == "low_is_good" else "DCBA"
    return bands[position]


def rank_of(value: float | None, values: list[float], polarity: str) -> int | None:
    """Rank of ``value`` among ``values``, 1 best by polarity, ties sharing the lowest rank.

    >>> rank_of(3.0, [1.0, 3.0, 3.0, 5.0], "low_is_good"), rank_of(3.0, [1.0, 3.0, 3.0, 5.0], "high_is_good")
    (2, 2)
    >>> rank_of(5.0, [1.0, 3.0, 3.0, 5.0], "high_is_good"), rank_of(5.0, [1.0, 5.0], "none")
    (1, None)
    """
    if value is None or polarity == "none":
        return None
    if polarity == "high_is_good":
        return 1 + sum(1 for v in values if v > value)
    return 1 + sum(1 for v in values if v < value)


def direction(change: float | None, polarity: str) -> str | None:
    """``better``, ``worse`` or ``no change`` for a change, by polarity (empty for ``none``).

    >>> direction(-1.2, "low_is_good"), direction(-1.2, "high_is_good"), direction(0.0, "low_is_good")
    ('better', 'worse', 'no change')
    >>> direction(2.0, "none") is None, direction(None, "low_is_good") is None
    (True, True)
    """
    if change is None or polarity == "none":
        return None
    if change == 0:
        return "no change"
    return "better" if (change > 0) == (polarity == "high_is_good") else "worse"


_SUB_REGIONS = {"E13000001": "Inner London", "E13000002": "Outer London"}
_SUB_REGION_NAMES = {"inner london": "Inner London", "london (inner)": "Inner London",
                     "outer london": "Outer London", "london (outer)": "Outer London"}


def region_label(name: str | None) -> str:
    """A region's name as the published files spell it, made comparable (LAIT writes "London (Inner)").

    >>> region_label("London (Inner)"), region_label(" Outer London "), region_label("South East")
    ('inner london', 'outer london', 'south east')
    """
    text = (name or "").strip()
    return _SUB_REGION_NAMES.get(text.casefold(), text).casefold()


def _region_key(rows: pl.DataFrame, la_code: str) -> tuple[str | None, str | None]:
    """The authority's region (code, name) from its rows, most recent first: Inner or Outer London for a
    London borough."""
    own = rows.filter(pl.col("la_code") == la_code).sort("year", descending=True)
    for code, name in own.select("region_code", "region_name").iter_rows():
        if code in _SUB_REGIONS:
            return code, _SUB_REGIONS[code]
        if name and name.strip().casefold() in _SUB_REGION_NAMES:
            return None, _SUB_REGION_NAMES[name.strip().casefold()]
        if code or name:
            return code, english_region(name)
    return None, None


def _regional(current: pl.DataFrame, code: str | None, name: str | None) -> float | None:
    """The published figure of one region (by code where the file gives codes, else by name)."""
    regional = current.filter(pl.col("geographic_level") == REGIONAL)
    if code and regional.filter(pl.col("region_code") == code).height:
        regional = regional.filter(pl.col("region_code") == code)
    else:
        regional = regional.filter(pl.col("region_name").map_elements(region_label, return_dtype=pl.String)
                                   == region_label(name))
    return _one(regional)[0]


ROUNDS_TO_ZERO = "low"
"""The marker of a figure that rounds to zero but is not zero (workforce tables): LAIT's own table holds it as 0."""


def as_compared(value: float | None, marker: str | None) -> float | None:
    """One figure as LAIT ranks, averages and compares it (:func:`compared_value` for a column).

    >>> as_compared(None, "low"), as_compared(None, "c"), as_compared(2.5, None)
    (0.0, None, 2.5)
    """
    return 0.0 if value is None and marker == ROUNDS_TO_ZERO else value


def compared_value() -> pl.Expr:
    """A figure as LAIT ranks and averages it: published as ``low``, it is 0 (LAIT's table has 0 for Sunderland's
    agency rate, published ``low`` by EES in 2024 and 2025); any other marker is no figure.

    >>> frame = pl.DataFrame({"value": [3.0, None, None], "marker": [None, "low", "c"]})
    >>> frame.select(compared_value())["value"].to_list()
    [3.0, 0.0, None]
    """
    return pl.when(pl.col("value").is_null() & (pl.col("marker") == ROUNDS_TO_ZERO)).then(0.0) \
        .otherwise(pl.col("value")).alias("value")


def authority_figures(rows: pl.DataFrame) -> pl.DataFrame:
    """The local authorities' figures that rank and average (neighbours' means): those with a value, and
    those published ``low`` as 0 (:func:`compared_value`).

    >>> rows = pl.DataFrame({"geographic_level": ["Local authority"] * 3 + ["National"], "la_code": ["1", "2", "3", None],
    ...     "value": [3.0, None, None, 9.0], "marker": [None, "low", "c", None]})
    >>> authority_figures(rows).select("la_code", "value").rows()
    [('1', 3.0), ('2', 0.0)]
    """
    return (rows.filter(pl.col("geographic_level") == LOCAL_AUTHORITY).with_columns(compared_value())
            .filter(pl.col("value").is_not_null()))


def latest_year(rows: pl.DataFrame, year: int) -> int:
    """The year a comparator's figures are taken from for a table of ``year``: its latest with local authority
    figures up to ``year``, as LAIT shows each measure's latest (EHC plans are counted by calendar year and
    published a year behind the children in need figures: the 2025 table takes their 2024). ``year`` itself
    where nothing is published by then.

    >>> rows = pl.DataFrame({"geographic_level": ["Local authority"] * 2, "year": [2023, 2024], "value": [1.0, 2.0]})
    >>> latest_year(rows, 2025), latest_year(rows, 2023), latest_year(rows, 2022)
    (2024, 2023, 2022)
    """
    years = rows.filter((pl.col("geographic_level") == LOCAL_AUTHORITY) & (pl.col("year") <= year)
                        & pl.col("value").is_not_null())["year"]
    return int(years.max()) if years.len() else year


def _has_any_figure(rows: pl.DataFrame, code: str | None, name: str | None) -> bool:
    """Whether a region has a published figure in any year of ``rows``."""
    return any(_regional(rows.filter(pl.col("year") == year), code, name) is not None
               for year in rows["year"].unique().to_list())


def _one(frame: pl.DataFrame) -> tuple[float | None, str | None]:
    if frame.height == 0:
        return None, None
    return frame["value"][0], frame["marker"][0]


def exact_mean(values: list[float]) -> float | None:
    """The mean of published figures worked out in exact decimals, so that rounding it half up is right.

    In binary floating point ten figures adding to exactly 199.5 can average
    19.949999999999996, which rounds to 19.9; their mean is 19.95, which
    rounds half up to 20.0, as LAIT shows it.

    >>> values = [20.1, 20.9, 15.3, 17.4, 23.0, 19.1, 16.7, 20.5, 22.0, 24.5]
    >>> sum(values) / len(values) < 19.95, exact_mean(values)
    (True, 19.95)
    >>> exact_mean([]) is None
    True
    """
    if not values:
        return None
    total = sum(Decimal(repr(float(v))) for v in values)
    return float(total / len(values))


def benchmark_rows(
    values: pl.DataFrame,
    neighbours: list[str],
    la_code: str,
    year: int,
    comparators: tuple[Comparator, ...],
    catalogue: Catalogue | None = None,
) -> pl.DataFrame:
    """The benchmark table from already loaded frames (pure: no file is read).

    ``values`` is :func:`perfkit.published.comparators.all_comparator_values`;
    ``neighbours`` the authority's neighbour LA numbers; ``comparators`` the
    comparators to report, in order.

    >>> from perfkit.published.comparators import Comparator
    >>> rows = [("National", None, None, 2025, 10.0), ("Regional", "E1", None, 2025, 12.0)]
    >>> rows += [("Local authority", "E1", f"{n}", 2025, float(n - 100)) for n in range(101, 121)]
    >>> rows += [("Local authority", "E1", "101", 2024, 3.0)]
    >>> values = pl.DataFrame(rows, schema=["geographic_level", "region_code", "la_code", "year", "value"], orient="row")
    >>> values = values.with_columns(indicator=pl.lit("rereferral_pct"), breakdown=pl.lit("all"), marker=pl.lit(None, pl.String),
    ...     region_name=pl.lit("North"), la_name=pl.lit("An LA"), source=pl.lit("c1.csv"))
    >>> c = Comparator("rereferral_pct", "ees", "c1.csv", "rereferral_percent", 1)
    >>> t = benchmark_rows(values, ["102", "103", "199"], "101", 2025, (c,))
    >>> t.select("value", "england", "region", "sn_mean", "sn_used", "band", "rank", "ranked", "change", "direction").row(0)
    (1.0, 10.0, 12.0, 2.5, 2, 'A', 1, 20, -2.0, 'better')
    """
    if catalogue is None:
        from perfkit.indicators.catalogue import load_catalogue

        catalogue = load_catalogue()
    records = []
    # split once: each comparator then reads its own few rows, not the whole frame
    by_comparator = values.partition_by("indicator", "breakdown", as_dict=True)
    for comparator in comparators:
        indicator = catalogue[comparator.indicator]
        polarity = indicator.polarity
        rows = by_comparator.get((comparator.indicator, comparator.breakdown), values.clear())
        used = latest_year(rows, year)
        current = rows.filter(pl.col("year") == used)
        las = authority_figures(current)
        figures = las["value"].to_list()
        own = current.filter(pl.col("la_code") == la_code)
        value, marker = _one(own)
        compared = as_compared(value, marker)
        la_name = own["la_name"][0] if own.height else (rows.filter(pl.col("la_code") == la_code)["la_name"].drop_nulls().to_list() or [None])[-1]
        england, _ = _one(current.filter(pl.col("geographic_level") == NATIONAL))
        region_code, region_name = _region_key(rows, la_code)
        region = _regional(current, region_code, region_name)
        if region_name in _SUB_REGIONS.values() and not _has_any_figure(rows, region_code, region_name):
            # LAIT's rule: London where the part has no figure in any year
            region_code, region_name = LONDON_CODE, "London"
            region = _regional(current, region_code, region_name)
        neighbour_values = las.filter(pl.col("la_code").is_in(neighbours))["value"]
        previous, previous_marker = _one(rows.filter((pl.col("year") == used - 1) & (pl.col("la_code") == la_code)))
        compared_previous = as_compared(previous, previous_marker)
        change = (None if compared is None or compared_previous is None
                  else round(compared - compared_previous, _CHANGE_DIGITS))
        records.append(
            {
                "indicator": comparator.indicator,
                "breakdown": comparator.breakdown,
                "title": indicator.title,
                "polarity": polarity,
                "decimals": comparator.decimals,
                "year": used,
                "la_code": la_code,
                "la_name": la_name,
                "value": value,
                "marker": marker,
                "england": england,
                "region_name": region_name,
                "region": region,
                "sn_mean": exact_mean(neighbour_values.to_list()),
                "sn_used": neighbour_values.len(),
                "band": quartile_band(compared, figures, polarity),
                "rank": rank_of(compared, figures, polarity),
                "ranked": len(figures) if polarity != "none" else None,
                "previous": previous,
                "change": change,
                "direction": direction(change, polarity),
                "source": comparator.file,
                "note": boundary_note(la_code),
            }
        )
    return pl.DataFrame(records, schema=BENCHMARK_SCHEMA)


def benchmark_table(
    la_code: str,
    year: int,
    dfe_dir: Path | None = None,
    lait_dir: Path | None = None,
    *,
    neighbour_model: str | None = None,
) -> pl.DataFrame:
    """The benchmark table of authority ``la_code`` (old three-digit LA number) for ``year``.

    One row per comparator in ``comparators.yaml``, with the columns of
    :data:`BENCHMARK_SCHEMA` (see the module notes). The published files are
    read from ``dfe_dir`` and ``lait_dir``, by default
    ``perfkit.config.paths.published_dfe_dir()`` and ``published_lait_dir()``.
    """
    from perfkit.config.paths import published_dfe_dir, published_lait_dir
    from perfkit.published.comparators import all_comparator_values, load_comparators
    from perfkit.published.neighbours import (
        MODEL_2021,
        load_neighbours,
        neighbour_lists,
    )

    dfe_dir = published_dfe_dir() if dfe_dir is None else Path(dfe_dir)
    lait_dir = published_lait_dir() if lait_dir is None else Path(lait_dir)
    comparators = load_comparators()
    values = all_comparator_values(comparators, dfe_dir, lait_dir)
    lists = neighbour_lists(load_neighbours(neighbour_model, dfe_dir))
    if la_code not in lists and neighbour_model is None:
        lists = neighbour_lists(load_neighbours(MODEL_2021, dfe_dir))
    if la_code not in lists and not values.filter(pl.col("la_code") == la_code).height:
        raise PublishedDataError(f"no authority with LA number {la_code!r} in the published files or the neighbour models")
    return benchmark_rows(values, lists.get(la_code, []), la_code, year, comparators)


def _figure(value: float | None, decimals: int) -> str:
    if value is None:
        return ""
    from perfkit.indicators.rounding import round_half_up

    rounded = round_half_up(value, decimals)
    return f"{rounded:,.{decimals}f}" if isinstance(rounded, Decimal) else ""


def format_benchmark_table(frame: pl.DataFrame) -> str:
    """A plain-text table of a benchmark frame, figures rounded half up to their published precision.

    >>> row = {"indicator": "cla_rate", "breakdown": "all", "title": "Children looked after", "decimals": 0,
    ...     "year": 2025, "la_code": "886", "la_name": "Kent", "value": 53.0, "marker": None, "england": 67.0,
    ...     "region_name": "South East", "region": 58.0, "sn_mean": 71.44, "sn_used": 9, "band": None,
    ...     "rank": None, "ranked": None, "previous": 52.0, "change": 1.0, "direction": None, "note": None}
    >>> print(format_benchmark_table(pl.DataFrame([row])))
    Kent (886), 2025 (region: South East)
    indicator  breakdown  value  England  region  SN mean (n)  band  rank  previous  change  direction
    ---------  ---------  -----  -------  ------  -----------  ----  ----  --------  ------  ---------
    cla_rate   all           53       67      58       71 (9)                    52      +1
    """
    if frame.height == 0:
        return "(no benchmark rows)"
    first = frame.row(0, named=True)
    heading = f"{first.get('la_name') or 'LA'} ({first['la_code']}), {first['year']}"
    header = ["indicator", "breakdown", "value", "England", "region", "SN mean (n)", "band", "rank", "previous", "change", "direction"]
    lines = []
    for r in frame.iter_rows(named=True):
        d = int(r["decimals"])
        value = _figure(r["value"], d) or (f"[{r['marker']}]" if r.get("marker") else "")
        change = _figure(r["change"], d)
        if change and r["change"] > 0:
            change = "+" + change
        lines.append(
            [
                r["indicator"],
                r["breakdown"],
                value,
                _figure(r["england"], d),
                _figure(r["region"], d),
                f"{_figure(r['sn_mean'], d)} ({r['sn_used']})" if r["sn_mean"] is not None else f"({r['sn_used'] or 0})",
                r["band"] or "",
                f"{r['rank']}/{r['ranked']}" if r["rank"] is not None else "",
                _figure(r["previous"], d),
                change,
                r["direction"] or "",
            ]
        )
    widths = [max(len(str(row[i])) for row in [header, *lines]) for i in range(len(header))]
    left = {0, 1, 6, 10}

    def render(cells: list) -> str:
        return "  ".join(str(c).ljust(w) if i in left else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [heading]
    if first.get("region_name"):
        out[0] += f" (region: {first['region_name']})"
    out += [render(header), render(["-" * w for w in widths])] + [render(line) for line in lines]
    notes = sorted({r["note"] for r in frame.iter_rows(named=True) if r.get("note")})
    out += [f"Note: {n}" for n in notes]
    return "\n".join(out)
