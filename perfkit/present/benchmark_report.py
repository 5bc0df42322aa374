"""A LAIT-style benchmark report for any local authority, from published data alone.

Everything here comes from the DfE's published files (Explore Education
Statistics CSVs and the LAIT table): already aggregated and suppressed by the
publisher, so nothing record-level is involved.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from perfkit.errors import PublishedDataError
from perfkit.indicators.catalogue import Catalogue, load_catalogue
from perfkit.present.charts import PALETTE, ChartOutput, _with_table, to_spec
from perfkit.present.formatting import format_number, format_value, markdown_text
from perfkit.present.funnel import Funnel, build_funnels, funnel_chart
from perfkit.present.html_tables import Cell, HtmlTable
from perfkit.present.narrative import compared_with, movement, ordinal
from perfkit.published.data import PublishedData

SERIES = ("This authority", "England", "Region", "Statistical neighbours")
SERIES_COLOURS = [PALETTE["value"], "#000000", "#009E73", PALETTE["target"]]


@dataclass
class BenchmarkReport:
    la_code: str
    la_name: str
    year: int
    table: pl.DataFrame
    series: pl.DataFrame
    catalogue: Catalogue = field(default_factory=load_catalogue)
    funnels: list[Funnel] = field(default_factory=list)
    """The funnel plots against England (percentages and rates with published counts)."""
    counts: dict[tuple[str, str], tuple[float | None, float | None]] = field(default_factory=dict)
    """The authority's published numerator and denominator by (indicator, breakdown), for significance."""

    def title_markdown(self):
        from IPython.display import Markdown

        region = self.table["region_name"].drop_nulls()
        name, code = markdown_text(self.la_name), markdown_text(self.la_code)
        return Markdown(
            f"# {name} ({code}): children's services benchmarks, {self.year}\n\n"
            f"Published DfE figures for {name}"
            + (f" ({markdown_text(region[0])})" if region.len() else "")
            + " against England, the region and the authority's statistical neighbours (the mean of the 10 "
            "neighbours' published values, neighbours without a value left out). Quartile bands A-D run from best "
            "to worst by each indicator's polarity (A best); rank 1 is best. Indicators where neither direction is "
            "better take no band or rank. Where DfE publishes the counts behind a percentage or a rate, "
            "\"significantly higher\" or \"significantly lower\" means the gap is more than chance would explain "
            "(the comparator lies outside the 95% confidence interval of the authority's figure: Wilson's for "
            "percentages, the exact Poisson interval for rates); \"similar to\" means it is within chance variation."
        )

    def _label(self, row: dict) -> str:
        breakdown = row["breakdown"]
        return row["title"] + ("" if breakdown == "all" else f" ({breakdown})")

    def summary_table(self) -> HtmlTable:
        rows = []
        for r in self.table.iter_rows(named=True):
            indicator = self.catalogue[r["indicator"]]
            fmt = (lambda v: "" if v is None else format_number(v, r["decimals"]))
            rank = f"{ordinal(r['rank'])} of {r['ranked']}" if r["rank"] else ""
            rows.append([
                Cell(self._label(r)),
                Cell(fmt(r["value"]) or (f"not published ({r['marker']})" if r["marker"] else "not published"), "pk-num"),
                Cell(fmt(r["england"]), "pk-num"), Cell(fmt(r["region"]), "pk-num"),
                Cell(f"{fmt(r['sn_mean'])} ({r['sn_used']})" if r["sn_mean"] is not None else "", "pk-num"),
                Cell(r["band"] or ""), Cell(rank, "pk-num"),
                Cell("" if r["change"] is None else f"{r['change']:+.{r['decimals']}f}", "pk-num"),
                Cell(r["direction"] or ("" if indicator.polarity != "none" else "n/a")),
            ])
        return HtmlTable(
            f"{self.la_name}: published indicators, {self.year}",
            ["Indicator", self.la_name, "England", "Region", "Statistical neighbours (number used)", "Band",
             "Rank", f"Change since {self.year - 1}", "Better or worse"],
            rows,
        )

    def sentence(self, r: dict) -> str:
        indicator = replace(self.catalogue[r["indicator"]], decimals=r["decimals"])  # the published precision
        label = self._label(r)
        if r["value"] is None:
            return f"{label}: not published for {self.la_name} in {self.year}."
        shown = format_value(r["value"], indicator)
        numerator, denominator = self.counts.get((r["indicator"], r["breakdown"]), (None, None))
        counts = {"numerator": numerator, "denominator": denominator}
        comparisons = [c for c in (
            compared_with(r["value"], r["england"], "England", indicator, **counts),
            compared_with(r["value"], r["region"], f"the {r['region_name'] or 'regional'} average", indicator,
                          **counts),
            compared_with(r["value"], r["sn_mean"], "the statistical neighbours' average", indicator,
                          f", {r['sn_used']} authorities", **counts),
        ) if c]
        text = f"{label}: {shown} in {self.year}" + (", " + ", ".join(comparisons[:-1]) + (" and " if len(comparisons) > 1 else "") + comparisons[-1] if comparisons else "")
        if r["band"]:
            text += f"; quartile band {r['band']}, ranked {ordinal(r['rank'])} of {r['ranked']}"
        if r["previous"] is not None:
            text += f"; {movement(r['value'], r['previous'], indicator)} {format_value(r['previous'], indicator)} in {self.year - 1}"
        return text + "."

    def commentary_markdown(self):
        from IPython.display import Markdown

        return Markdown("\n".join(f"- {markdown_text(self.sentence(r))}" for r in self.table.iter_rows(named=True)))

    def funnel_markdown(self):
        """Where the authority lies on each funnel plot, in words, with what the limits mean."""
        from IPython.display import Markdown

        if not self.funnels:
            return Markdown("No funnel plots: no indicator has published counts for every authority this year.")
        intro = (
            f"## {markdown_text(self.la_name)} against every authority: funnel plots\n\n"
            "Each dot is one authority's figure, placed by the number it is counted out of (its denominator: "
            "referrals, care leavers, children aged 0-17). The lines around England's figure are the 95% and 99.8% "
            "control limits: a figure outside them differs from England by more than chance would explain (binomial "
            "limits for percentages, Poisson limits for rates). The limits narrow as the numbers grow, so a large "
            "authority can be outside them with a small gap and a small one inside them with a large gap. Where many "
            "authorities lie outside the limits, authorities really do differ: the limits show which gaps are "
            "beyond chance, not which are unusual among authorities."
        )
        return Markdown(intro + "\n\n" + "\n".join(f"- {markdown_text(f.words(self.la_name))}" for f in self.funnels))

    def funnel_chart(self) -> ChartOutput | None:
        """The funnel plots (one panel per indicator) with this authority marked, and their table."""
        return funnel_chart(self.funnels, self.la_name)

    def trend_chart(self) -> ChartOutput:
        from perfkit.present.charts import import_altair

        alt = import_altair()

        data = self.series.to_dicts()
        titles = [self._label(r) for r in self.table.iter_rows(named=True)]
        chart = (
            alt.Chart(alt.Data(values=data))
            .mark_line(point=True)
            .encode(
                x=alt.X("year:O", title="Year"),
                y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
                color=alt.Color("series:N", title=None, scale=alt.Scale(domain=list(SERIES), range=SERIES_COLOURS)),
                strokeDash=alt.StrokeDash("series:N", legend=None),
                tooltip=["label:N", "year:O", "series:N", alt.Tooltip("value:Q", format=",.1f")],
            )
            .properties(width=420, height=110)
            .facet(row=alt.Row("label:N", title=None, sort=titles,
                               header=alt.Header(labelAngle=0, labelAlign="left", labelOrient="top", labelFontWeight="bold")))
            .resolve_scale(y="independent")
            .properties(title=alt.TitleParams(f"{self.la_name}: published trend"),
                        description=f"Line charts of each published indicator by year for {self.la_name}, England, "
                                    "its region and the mean of its statistical neighbours.")
        )
        years = sorted(self.series["year"].unique().to_list())
        table = HtmlTable(
            f"{self.la_name}: published figures by year",
            ["Indicator", "Series", *[str(y) for y in years]],
            [[Cell(label), Cell(series), *[Cell(_pick(self.series, label, series, y), "pk-num") for y in years]]
             for label in titles for series in SERIES],
        )
        return ChartOutput(_with_table(to_spec(chart), table), f"{self.la_name} trend")


def _pick(series: pl.DataFrame, label: str, name: str, year: int) -> str:
    match = series.filter((pl.col("label") == label) & (pl.col("series") == name) & (pl.col("year") == year))
    return "" if match.height == 0 or match["value"][0] is None else format_number(match["value"][0], 1)


def trend_series(published: PublishedData, la_code: str, table: pl.DataFrame, years: int = 6) -> pl.DataFrame:
    """This authority, England, its region and its neighbours' mean, by year, per indicator."""
    neighbours = published.neighbours.get(la_code, [])
    last = int(table["year"][0])
    frames = []
    for r in table.iter_rows(named=True):
        rows = published.values.filter(
            (pl.col("indicator") == r["indicator"]) & (pl.col("breakdown") == r["breakdown"])
            & pl.col("year").is_between(last - years + 1, last)
        )
        label = r["title"] + ("" if r["breakdown"] == "all" else f" ({r['breakdown']})")
        la = rows.filter(pl.col("la_code") == la_code).select("year", "value").with_columns(series=pl.lit(SERIES[0]))
        england = rows.filter(pl.col("geographic_level") == "National").select("year", "value").with_columns(series=pl.lit(SERIES[1]))
        region = rows.filter((pl.col("geographic_level") == "Regional") & (pl.col("region_name") == r["region_name"]))
        region = region.select("year", "value").with_columns(series=pl.lit(SERIES[2]))
        sn = (rows.filter((pl.col("geographic_level") == "Local authority") & pl.col("la_code").is_in(neighbours))
              .group_by("year").agg(pl.col("value").mean()).with_columns(series=pl.lit(SERIES[3])))
        for part in (la, england, region, sn):
            frames.append(part.select(pl.lit(label).alias("label"), pl.col("year").cast(pl.Int64),
                                      pl.col("series"), pl.col("value").cast(pl.Float64).round(4)))
    return pl.concat(frames).unique(["label", "year", "series"], keep="first").sort("label", "series", "year")


def build_benchmark_report(la_code: str, year: int, dfe_dir: str | Path | None = None,
                           lait_dir: str | Path | None = None, published: PublishedData | None = None,
                           cache: str | Path | None = None) -> BenchmarkReport:
    """The benchmark report of one authority (old three-digit LA number) for a publication year.

    ``cache`` is a folder written by :meth:`PublishedData.save` (batch runs load the files once).
    """
    from perfkit.published.benchmarks import benchmark_rows

    if published is None:
        published = PublishedData.from_cache(Path(cache)) if cache else PublishedData.load(dfe_dir, lait_dir)
    la_code = str(la_code)
    table = benchmark_rows(published.values, published.neighbours.get(la_code, []), la_code, int(year), published.comparators)
    names = table["la_name"].drop_nulls()
    if not names.len():
        raise PublishedDataError(f"no published figures for LA number {la_code!r} in {year}: expected one of the "
                         f"{len(published.authorities(int(year)))} authorities in the published files")
    catalogue = load_catalogue()
    order = {i: n for n, i in enumerate(catalogue.ids)}
    table = table.with_columns(_o=pl.col("indicator").replace_strict(order, default=999)).sort("_o", "breakdown").drop("_o")
    indicators = {i: catalogue[i] for i in table["indicator"].unique().to_list()}
    return BenchmarkReport(la_code, names[0], int(year), table, trend_series(published, la_code, table), catalogue,
                           build_funnels(published.values, table, la_code, indicators),
                           own_counts(published.values, table, la_code))


def own_counts(values: pl.DataFrame, table: pl.DataFrame, la_code: str) -> dict[tuple[str, str], tuple[float | None, float | None]]:
    """The authority's published numerator and denominator of each row of the benchmark ``table`` (its year)."""
    counts = {}
    for r in table.iter_rows(named=True):
        own = values.filter((pl.col("indicator") == r["indicator"]) & (pl.col("breakdown") == r["breakdown"])
                            & (pl.col("year") == r["year"]) & (pl.col("la_code") == la_code))
        if own.height:
            counts[(r["indicator"], r["breakdown"])] = (own["numerator"][0], own["denominator"][0])
    return counts
