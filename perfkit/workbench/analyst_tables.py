"""Tables an analyst can read: each group's figure by quarter, rounded to the indicator's places, with the
latest quarter's counts, its change on the last quarter and on a year ago, and small bases flagged; a
cross-tab of two breakdowns; which groups moved the headline between two quarters.

The frames (:func:`figures_frame`, :func:`crosstab_frame`, :func:`contributions_frame`) are what the
explorer exports; :func:`styled` draws any of them with great-tables (HTML with its text escaped, no
script), as JupyterLab shows it.
"""

from __future__ import annotations

import polars as pl

from perfkit.indicators.catalogue import ALL, MEDIAN_UNITS, Indicator
from perfkit.indicators.labels import in_natural_order
from perfkit.indicators.rounding import round_half_up

SMALL_BASE = 20
"""A figure counted from fewer children or events than this is flagged: one more or less moves a percentage
by 5 points or more, and a count of this size moves by a quarter or more quarter to quarter by chance alone."""

HEADLINE = "Whole authority"
"""The headline row's name beside a breakdown's groups."""


def rounded(value: float | None, decimals: int) -> float | None:
    """A figure as the report shows it: rounded half up to the indicator's places.

    >>> rounded(26.282051, 1), rounded(2.5, 0), rounded(None, 1)
    (26.3, 3.0, None)
    """
    found = round_half_up(value, decimals)
    return None if found is None else float(found)


def base_of(indicator: Indicator, numerator: float | None, denominator: float | None) -> float | None:
    """What a figure is counted from: the denominator of a percentage, ratio or median (the items timed), else
    the count itself (a count, or a rate's children)."""
    return denominator if indicator.unit in ("percent", "ratio", *MEDIAN_UNITS) else numerator


def _label(group: str) -> str:
    return HEADLINE if group == ALL else group


def _ordered(frame: pl.DataFrame, breakdown: str, column: str = "group") -> pl.DataFrame:
    groups = frame[column].unique().to_list()
    order = {g: n for n, g in enumerate([g for g in groups if g == ALL] + in_natural_order(
        breakdown, [g for g in groups if g != ALL]))}
    return frame.sort(pl.col(column).replace_strict(order, return_dtype=pl.Int64))


def figures_frame(rows: pl.DataFrame, indicator: Indicator, breakdown: str, quarters: list[str]) -> pl.DataFrame:
    """One row per group (the headline first, as ``Whole authority``): its figure in each of ``quarters``
    (rounded), then the latest quarter's numerator and denominator, its change on the quarter before and on
    the same quarter a year before (differences of the rounded figures: percentage points for a percentage),
    and ``small_base``.

    ``rows`` are the explorer's tidy rows (``period``, ``breakdown``, ``group``, ``numerator``,
    ``denominator``, ``value``), which may hold earlier quarters than those shown: the changes read them.

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> rows = pl.DataFrame({"period": ["2023-24 Q4", "2024-25 Q3", "2024-25 Q4"] * 2,
    ...     "breakdown": ["all"] * 3 + ["sex"] * 3, "group": ["all"] * 3 + ["Female"] * 3,
    ...     "numerator": [30.0, 25.0, 27.0, 10.0, 9.0, 12.0], "denominator": [100.0, 110.0, 104.0, 40.0, 41.0, 38.0],
    ...     "value": [30.0, 22.727, 25.962, 25.0, 21.951, 31.579]})
    >>> figures_frame(rows, load_catalogue()["rereferral_pct"], "sex", ["2024-25 Q3", "2024-25 Q4"]).rows()
    [('Whole authority', 22.7, 26.0, 27.0, 104.0, 3.3, -4.0, False), ('Female', 22.0, 31.6, 12.0, 38.0, 9.6, 6.6, False)]
    """
    decimals = indicator.decimals
    latest = quarters[-1]
    from perfkit.indicators.periods import Period

    before, year_ago = Period.parse(latest).previous().label, Period.parse(latest).year_earlier().label
    out = []
    for group, own in rows.group_by("group", maintain_order=True):
        by_period = {r["period"]: r for r in own.iter_rows(named=True)}
        figure = {q: rounded(by_period.get(q, {}).get("value"), decimals) for q in {*quarters, before, year_ago}}
        now = by_period.get(latest, {})

        def change(earlier: str) -> float | None:
            if figure[latest] is None or figure[earlier] is None:
                return None
            return rounded(figure[latest] - figure[earlier], decimals)

        base = base_of(indicator, now.get("numerator"), now.get("denominator"))
        out.append({"group": group[0], **{q: figure[q] for q in quarters}, "numerator": now.get("numerator"),
                    "denominator": now.get("denominator"), "change_on_quarter": change(before),
                    "change_on_year": change(year_ago), "small_base": base is not None and base < SMALL_BASE})
    schema = {"group": pl.String, **{q: pl.Float64 for q in quarters}, "numerator": pl.Float64, "denominator": pl.Float64,
              "change_on_quarter": pl.Float64, "change_on_year": pl.Float64, "small_base": pl.Boolean}
    frame = _ordered(pl.DataFrame(out, schema=schema), breakdown)
    return frame.with_columns(pl.col("group").map_elements(_label, return_dtype=pl.String))


def crosstab_frame(rows: pl.DataFrame, first: str, second: str, indicator: Indicator) -> pl.DataFrame:
    """One quarter's figures by two breakdowns: ``first``'s groups down, ``second``'s across, each cell the
    figure (rounded), or the count where the figure is over the child population (a rate has no population
    by group). ``rows`` hold ``group`` and ``group2``, ``numerator`` and ``value``.

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> rows = pl.DataFrame({"group": ["Ashby", "Ashby", "Dunmore"], "group2": ["1-4", "Under 1", "1-4"],
    ...                      "numerator": [3.0, 2.0, 4.0], "value": [3.0, 2.0, 4.0]})
    >>> crosstab_frame(rows, "district", "age_band", load_catalogue()["referrals"]).rows()
    [('Ashby', 2.0, 3.0), ('Dunmore', None, 4.0)]
    """
    column = "numerator" if indicator.unit == "rate_per_10k" else "value"
    cells = rows.with_columns(pl.col(column).map_elements(lambda v: rounded(v, indicator.decimals if column == "value" else 1),
                                                          return_dtype=pl.Float64).alias("cell"))
    across = in_natural_order(second, cells["group2"].unique().to_list())
    table = cells.pivot(on="group2", index="group", values="cell")
    for missing in set(across) - set(table.columns):
        table = table.with_columns(pl.lit(None, pl.Float64).alias(missing))
    return _ordered(table.select("group", *across), first)


def contributions_frame(rows: pl.DataFrame, indicator: Indicator, breakdown: str, start: str, end: str) -> pl.DataFrame:
    """Which groups moved the headline between quarters ``start`` and ``end``: each group's count (numerator)
    then and now, its change, and its share of the headline count's change (groups moving against the
    headline have a negative share); for a percentage, each group's figure then and now too, since a group
    can move the headline by its size as much as by its own figure.

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> rows = pl.DataFrame({"period": ["Q1", "Q2"] * 3, "group": ["all", "all", "A", "A", "B", "B"],
    ...                      "numerator": [10.0, 16.0, 6.0, 13.0, 4.0, 3.0], "denominator": [None] * 6,
    ...                      "value": [10.0, 16.0, 6.0, 13.0, 4.0, 3.0]})
    >>> contributions_frame(rows, load_catalogue()["referrals"], "sex", "Q1", "Q2").select("group", "change", "share_of_change").rows()
    [('A', 7.0, 116.7), ('B', -1.0, -16.7), ('Whole authority', 6.0, 100.0)]
    """
    wide = (rows.filter(pl.col("period").is_in([start, end]))
            .pivot(on="period", index="group", values=["numerator", "value"]))
    for column in (f"numerator_{start}", f"numerator_{end}", f"value_{start}", f"value_{end}"):
        if column not in wide.columns:  # one quarter only: a pivot of one names its columns bare
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(column))
    then, now = pl.col(f"numerator_{start}").fill_null(0.0), pl.col(f"numerator_{end}").fill_null(0.0)
    out = wide.select("group", then.alias("count_then"), now.alias("count_now"), (now - then).alias("change"),
                      *([pl.col(f"value_{start}").alias("figure_then"), pl.col(f"value_{end}").alias("figure_now")]
                        if indicator.unit == "percent" else []))
    total = out.filter(pl.col("group") == ALL)["change"]
    whole = total.item() if total.len() else None
    out = out.with_columns(share_of_change=(pl.col("change") / whole * 100).round(1) if whole else pl.lit(None, pl.Float64))
    if indicator.unit == "percent":
        out = out.with_columns(pl.col("figure_then", "figure_now").map_elements(
            lambda v: rounded(v, indicator.decimals), return_dtype=pl.Float64))
    groups = _ordered(out.filter(pl.col("group") != ALL), breakdown).sort("change", descending=True, maintain_order=True)
    headline = out.filter(pl.col("group") == ALL)
    return pl.concat([groups, headline]).with_columns(pl.col("group").map_elements(_label, return_dtype=pl.String))


COLUMN_NAMES = {"group": "Group", "numerator": "Numerator", "denominator": "Denominator",
                "change_on_quarter": "On last quarter", "change_on_year": "On a year ago", "small_base": "Small base",
                "count_then": "Count then", "count_now": "Count now", "change": "Change",
                "share_of_change": "Share of the headline's change (%)", "figure_then": "Figure then",
                "figure_now": "Figure now"}


def styled(frame: pl.DataFrame, title: str, subtitle: str = "", decimals: int = 1):
    """``frame`` as a great-tables table: numbers right-aligned to ``decimals`` places (counts whole, FTE to
    one place), names left-aligned, "no figure" where there is none, small bases flagged in words.

    >>> html = styled(pl.DataFrame({"group": ["<b>A</b>"], "numerator": [3.0], "small_base": [True]}), "T").as_raw_html()
    >>> "&lt;b&gt;A" in html and ">Small base<" in html and ">yes<" in html
    True
    """
    from great_tables import GT, loc, style

    shown = frame.with_columns(pl.when(pl.col("small_base")).then(pl.lit("yes")).otherwise(pl.lit(""))
                               .alias("small_base")) if "small_base" in frame.columns else frame
    counts = [c for c in ("numerator", "denominator", "count_then", "count_now", "change") if c in shown.columns]
    figures = [c for c, t in shown.schema.items() if t == pl.Float64 and c not in counts]
    table = (GT(shown).tab_header(title=title, subtitle=subtitle or None)
             .cols_label(**{c: COLUMN_NAMES.get(c, c) for c in shown.columns})
             .fmt_number(columns=figures, decimals=decimals)
             .fmt_number(columns=counts, decimals=1, drop_trailing_zeros=True)
             .sub_missing(missing_text="no figure")
             .cols_align("left", columns=[c for c, t in shown.schema.items() if t == pl.String])
             .cols_align("right", columns=[*figures, *counts])
             .tab_options(table_font_size="13px", table_margin_left="0")
             .opt_row_striping())
    if "small_base" in shown.columns:
        table = table.tab_style(style.text(color="#9a3412", weight="bold"), loc.body(columns="small_base"))
    return table
