"""The quarterly authority report as members (or analysts) read it, for the notebook.

:class:`AuthorityReport` holds one authority's aggregated figures for a
quarter and the quarters before it, after disclosure control for members,
with its targets and published benchmarks, and turns them into the report's
headings, tables, charts and commentary. It reads aggregates only: it never
sees a record (:func:`perfkit.pipeline.aggregates.build_report` makes it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from html import escape

import polars as pl

from perfkit.config.settings import DEFAULT_THRESHOLD
from perfkit.indicators.catalogue import (
    ALL,
    NOT_AVAILABLE,
    QUARTER_ALONE,
    Catalogue,
    Family,
    Indicator,
    load_catalogue,
)
from perfkit.indicators.periods import Month, Period, is_alone, parse_period, without_alone
from perfkit.indicators.rounding import round_half_up
from perfkit.indicators.targets import Target, rag
from perfkit.present.breakdown_tables import breakdown_rows, print_tables
from perfkit.present.charts import ChartOutput, breakdown_chart, trend_chart
from perfkit.present.by_month import MonthByMonth, a_month, month_rows
from perfkit.present.year_on_year import YearOnYear
from perfkit.present.disclosure import label as small_label, shown_text
from perfkit.present.quality_table import quality_table
from perfkit.present.formatting import COUNTED, count_words, format_value, markdown_text
from perfkit.present.glossary import glossary_html, small_print, used_in, with_tooltips
from perfkit.present.html_tables import Cell, HtmlTable
from perfkit.present.narrative import (
    Benchmarks,
    BenchmarkSource,
    band_words,
    change_words,
    missing_opening,
    indicator_sentence,
    published_indicator,
    published_value,
    rank_words,
    variation_words,
)
from perfkit.present.process_control import SPC_FIELDS, SeriesSpc, chart_columns, series_spc
from perfkit.present.scorecard import TREND, sparkline_svg
from perfkit.present.spc_icons import assurance_icon, assurance_label, key_html, variation_icon, variation_label

POLARITY_WORDS = {"high_is_good": "Higher", "low_is_good": "Lower", "none": "Neither"}


@dataclass
class AuthorityReport:
    """Aggregated, disclosure-controlled figures and commentary for one authority and quarter (or month)."""

    authority: str
    name: str
    period: Period | Month
    audience: str
    as_at: dt.date | None
    measures: pl.DataFrame
    targets: dict[str, Target]
    quality: pl.DataFrame
    threshold: int = DEFAULT_THRESHOLD
    benchmarks: dict[str, Benchmarks] = field(default_factory=dict)
    benchmark_note: str = ""
    catalogue: Catalogue = field(default_factory=load_catalogue)
    benchmark_source: BenchmarkSource = field(default_factory=BenchmarkSource)
    """Whose published figures the benchmarks are (the authority's, or those of the authority it takes its
    benchmarks from), the year, and the statistical neighbours' names."""
    rebase: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Declared changes in the process, by indicator (``spc_rebase`` in the authority's parameters file): the
    quarters from which its process limits are worked out afresh."""

    # -- figures --------------------------------------------------------------
    @cached_property
    def _rows(self) -> dict[tuple[str, str, str, str], dict]:
        """Every row of ``measures`` by (indicator, period, breakdown, group), the first where repeated.

        A report looks up a few thousand figures; one pass over the table
        answers them all instead of a filter of the whole table for each.
        """
        index: dict[tuple[str, str, str, str], dict] = {}
        for row in self.measures.iter_rows(named=True):
            index.setdefault((row["indicator"], row["period"], row["breakdown"], row["group"]), row)
        return index

    def _row(self, indicator_id: str, period: Period, breakdown: str = ALL, group: str = ALL) -> dict | None:
        return self._rows.get((indicator_id, period.label, breakdown, group))

    def value(self, indicator_id: str, period: Period) -> float | None:
        row = self._row(indicator_id, period)
        return None if row is None else row["value"]

    def suppressed(self, indicator_id: str, period: Period) -> bool:
        row = self._row(indicator_id, period)
        return bool(row and row.get("suppressed"))

    def shown(self, indicator: Indicator, period: Period) -> str:
        """The figure as members read it (``fewer than 5`` where suppressed, ``not available`` where the data
        cannot give it)."""
        return self.shown_row(indicator, self._row(indicator.id, period))

    def shown_row(self, indicator: Indicator, row: dict | None) -> str:
        """A row of ``measures`` as members read it (see :meth:`shown`)."""
        return shown_text(indicator, row, self.threshold)

    def counted(self, indicator: Indicator, period: Period) -> str:
        """How many children (or events) a shown rate, percentage or ratio is counted from: "300 children on
        a plan", "59 of 107" (:func:`count_words`); empty beside a count, and beside a figure not shown."""
        row = self._row(indicator.id, period) or {}
        if row.get("reason") or row.get("suppressed") or row.get("value") is None:
            return ""
        return count_words(indicator, row.get("numerator"), row.get("denominator"))

    def reason(self, indicator_id: str, period: Period) -> str | None:
        """Why the data give no figure for the indicator in ``period`` ("not available from this data: needs ...")."""
        row = self._row(indicator_id, period)
        return None if row is None else row.get("reason")

    @cached_property
    def indicators(self) -> list[Indicator]:
        """The catalogue's indicators that have a figure this quarter, in catalogue order."""
        present = set(self.measures["indicator"].unique().to_list())
        return [i for i in self.catalogue.indicators if i.id in present and not self.reason(i.id, self.period)]

    @cached_property
    def unavailable(self) -> list[tuple[Indicator, str]]:
        """The indicators the data cannot give this quarter, each with the reason, in catalogue order."""
        return [(i, reason) for i in self.catalogue.indicators if (reason := self.reason(i.id, self.period))]

    def unavailable_markdown(self):
        """One line for each indicator the data cannot give this quarter (nothing where every one is there)."""
        from IPython.display import Markdown

        if not self.unavailable:
            return None
        lines = [f"- **{markdown_text(i.title)}**: {markdown_text(reason.removeprefix(NOT_AVAILABLE + ': '))}"
                 for i, reason in self.unavailable]
        return Markdown(f"**Not available from this data ({len(lines)} of {len(self.unavailable) + len(self.indicators)} "
                        "indicators).** The council's records used for this report do not hold what these figures "
                        "are counted from, so they are left out rather than shown as 0:\n\n" + "\n".join(lines))

    def family_indicators(self, family: Family) -> list[Indicator]:
        return [i for i in self.indicators if i.family == family.id]

    @property
    def families(self) -> list[Family]:
        return [f for f in self.catalogue.families if self.family_indicators(f)]

    # -- statistical process control --------------------------------------------
    @cached_property
    def _spc(self) -> dict[str, SeriesSpc]:
        return {}

    def spc(self, indicator: Indicator) -> SeriesSpc:
        """The indicator's trend under process control (:func:`perfkit.present.process_control.series_spc`):
        limits only where every quarter of the trend is shown."""
        if indicator.id not in self._spc:
            rows = self.trend_rows(indicator)
            target = self.targets.get(indicator.id)
            self._spc[indicator.id] = series_spc(
                indicator, rows, None if target is None else target.value_for(self.period),
                self.rebase.get(indicator.id, ()), quarters_alone=indicator.trend == QUARTER_ALONE)
        return self._spc[indicator.id]

    def trend_rows(self, indicator: Indicator) -> list[dict]:
        """The headline rows a trend chart shows, oldest first, labelled by quarter: the figure's own, or,
        for a sum over a rolling 12 months (``trend: quarter_alone``), each quarter alone, annualised."""
        if indicator.trend == QUARTER_ALONE:
            found = self._split.get((indicator.id, ALL, True))
            rows = [] if found is None else [{**r, "period": without_alone(r["period"])} for r in found.iter_rows(named=True)]
        else:
            found = self._split.get((indicator.id, ALL, False))
            rows = [] if found is None else list(found.iter_rows(named=True))
        return sorted(rows, key=lambda r: parse_period(r["period"]).index)

    def variation(self, indicator: Indicator) -> str:
        """What the process limits say of the latest quarter, in words (:func:`variation_words`)."""
        spc = self.spc(indicator)
        if not spc.has_limits:
            return variation_words(None, reason=spc.reason)
        notes = []
        if indicator.trend == QUARTER_ALONE:
            notes.append(f"each {self.period.noun} alone, annualised")
        if spc.trial:
            n = spc.chart.filter(pl.col("segment") == spc.chart["segment"][-1]).height
            since = f" since the change declared in {spc.rebased[-1]}" if spc.rebased else ""
            notes.append(f"provisional limits, from the {n} {self.period.noun}s{since}")
        return variation_words(spc.variation, spc.rule, spc.run_length(), spc.assurance, provisional="; ".join(notes),
                               noun=self.period.noun)

    def icons(self, indicator: Indicator) -> tuple[Cell, Cell]:
        """The variation and assurance icons of the indicator's latest quarter, as table cells."""
        spc = self.spc(indicator)
        has_target = spc.target is not None
        variation = Cell(variation_label(spc.variation, spc.improvement, spc.direction), "pk-icon-cell",
                         variation_icon(spc.variation, spc.improvement, spc.direction))
        words = (spc.assurance, has_target, spc.has_limits, spc.improvement, self.period.noun)
        assurance = Cell(assurance_label(*words), "pk-icon-cell", assurance_icon(*words))
        return variation, assurance

    def sentence(self, indicator: Indicator) -> str:
        p = self.period
        if self.suppressed(indicator.id, p):
            return (f"{indicator.title}: {self.shown(indicator, p)} in {p.label} "
                    f"(small numbers are not published, to protect children's privacy); {self.variation(indicator)}.")
        row = self._row(indicator.id, p) or {}
        return indicator_sentence(
            indicator, p.label, self.value(indicator.id, p),
            (p.previous().label, self.value(indicator.id, p.previous())),
            (p.year_earlier().label, self.value(indicator.id, p.year_earlier())),
            self.targets.get(indicator.id), self.benchmarks.get(indicator.id),
            variation=self.variation(indicator),
            numerator=row.get("numerator"), denominator=row.get("denominator"),  # shown figure: not small
        )

    # -- display --------------------------------------------------------------
    def title_markdown(self):
        from IPython.display import Markdown

        audience = "" if self.audience == "members" else " Analyst version: not for publication."
        as_at = (f"Data as at {self.as_at:%-d %B %Y}." if self.as_at else
                 "The date of the data extract is not stated (set data_as_at in the authority's parameters file).")
        return Markdown(
            f"# {markdown_text(self.name)}: children's services performance, {self.period.label}\n\n"
            f"{self.period.noun.capitalize()} {self.period.start:%-d %B %Y} to {self.period.end:%-d %B %Y}. "
            f"{as_at} Authority {markdown_text(self.authority)}.{audience}"
        )

    def about(self) -> str:
        """How the figures are made and protected, in words (Markdown), for the top of the summary."""
        return (
            "Figures are computed from the council's own records with the definitions given in each section; "
            f"rates are per 10,000 children aged 0-17. Counts from 1 to {self.threshold - 1} are shown as "
            f"'{small_label(self.threshold)}' and figures built on them are withheld; where a small number could "
            "otherwise be worked out from the figures beside it (a total less its other groups), another figure is "
            f"'withheld' too. {markdown_text(self.benchmark_note)}"
        )

    def target_shown(self, indicator: Indicator) -> str:
        """This quarter's target as written (empty without one, or before a trajectory's first point)."""
        target = self.targets.get(indicator.id)
        value = None if target is None else target.value_for(self.period)
        return "" if value is None else format_value(value, indicator)

    def _table(self, indicators: list[Indicator], caption: str) -> HtmlTable:
        p = self.period
        with_benchmarks = any(self.benchmarks.get(i.id) for i in indicators)
        rows = []
        for indicator in indicators:
            target = self.targets.get(indicator.id)
            status = rag(self.value(indicator.id, p), target, indicator, p)
            row = [
                Cell(indicator.title, markup=with_tooltips(indicator.title)),
                Cell(self.shown(indicator, p), "pk-num"),
                Cell(self.counted(indicator, p), "pk-num"),
                *self.icons(indicator),
                Cell(self.shown(indicator, p.previous()), "pk-num"),
                Cell(self.shown(indicator, p.year_earlier()), "pk-num"),
                Cell(self.target_shown(indicator), "pk-num"),
                Cell(status or "", f"pk-rag pk-rag-{status.lower()}" if status else ""),
                Cell(POLARITY_WORDS[indicator.polarity]),
            ]
            if with_benchmarks:
                b = self.benchmarks.get(indicator.id) or Benchmarks()
                shown = published_indicator(b, indicator)  # at DfE's published precision, as everywhere else
                row += [Cell(format_value(b.england, shown) if b.england is not None else "", "pk-num"),
                        Cell(format_value(b.region, shown) if b.region is not None else "", "pk-num"),
                        Cell(format_value(b.neighbours, shown) if b.neighbours is not None else "", "pk-num")]
            rows.append(row)
        headers = ["Indicator", p.label, COUNTED, "Variation", "Assurance", f"Previous {p.noun} ({p.previous().label})",
                   f"Same {p.noun} last year ({p.year_earlier().label})", "Target", "Status", "Better is"]
        if with_benchmarks:
            region = next((b.region_name for b in self.benchmarks.values() if b.region_name), "Region")
            headers += ["England (latest published)", f"{region} (latest published)",
                        "Statistical neighbours (latest published)"]
        return HtmlTable(caption, headers, rows, kind="pk-family")

    def scorecard(self) -> HtmlTable:
        """Every indicator in a line: this quarter's figure, a sparkline of its trend (the quarters its chart
        draws), its variation, target and status, and England's and the neighbours' latest published figures."""
        p = self.period
        rows = []
        for indicator in self.indicators:
            target = self.targets.get(indicator.id)
            status = rag(self.value(indicator.id, p), target, indicator, p)
            trend = [None if r.get("suppressed") else r["value"] for r in self.trend_rows(indicator)]
            b = self.benchmarks.get(indicator.id) or Benchmarks()
            shown = published_indicator(b, indicator)
            rows.append([
                Cell(indicator.title, markup=with_tooltips(indicator.title)),
                Cell(self.shown(indicator, p), "pk-num"),
                Cell(self.counted(indicator, p), "pk-num"),
                Cell("", "pk-spark-cell", sparkline_svg([None if v is None else float(round_half_up(v, indicator.decimals))
                                                         for v in trend])),
                self.icons(indicator)[0],
                Cell(self.target_shown(indicator), "pk-num"),
                Cell(status or "", f"pk-rag pk-rag-{status.lower()}" if status else ""),
                *[Cell("" if v is None else format_value(v, shown), "pk-num") for v in (b.england, b.neighbours)],
            ])
        return HtmlTable(f"Scorecard, {p.label}: every indicator at a glance (the commentary in each section)",
                         ["Indicator", p.label, COUNTED, TREND, "Variation", "Target", "Status", "England (latest published)",
                          "Neighbours (latest published)"], rows, kind="pk-scorecard")

    def icon_key(self):
        """The key to the variation and assurance icons, for under the headline table."""
        from IPython.display import HTML

        return HTML(key_html(self.period.noun))

    # -- published comparison --------------------------------------------------
    def comparisons(self) -> list[tuple[Indicator, str, Benchmarks]]:
        """The report's indicators with anything published in the benchmark year, in catalogue order, each with
        its label and published figures: the whole authority's, then each published group's (care leavers
        aged 17 to 18 and 19 to 21, which DfE publishes apart and never together)."""
        found = []
        for indicator in self.catalogue.indicators:  # published whether or not this quarter's records give a figure
            for key, b in self.benchmarks.items():
                if key.split("|")[0] == indicator.id and b.published:
                    label = f"{indicator.title}, {b.group}" if b.group else indicator.title
                    if b.year and b.year != self.published_year:
                        label += f" ({b.year}, the latest published)"
                    found.append((indicator, label, b))
        return found

    @property
    def published_year(self) -> str:
        """The year of the published figures (``"2025"``), empty without benchmarks."""
        return self.benchmark_source.year or next((b.year for b in self.benchmarks.values() if b.year), "")

    @property
    def _previous_year(self) -> str:
        year = self.published_year
        return str(int(year) - 1) if year.isdigit() else "the year before"

    @property
    def _published_name(self) -> str:
        """Whose published figures these are: the authority's own, or those of its benchmark authority."""
        return self.benchmark_source.la_name or self.name

    @property
    def _borrowed(self) -> bool:
        return bool(self.benchmark_source.la_code) and self.benchmark_source.la_code != self.authority

    def _published_who(self) -> str:
        code = self.benchmark_source.la_code or self.authority
        return f"{self._published_name} ({code})"

    def comparison_table(self) -> HtmlTable | None:
        """How the authority's latest published figures stand among all authorities: band, rank and change.

        Every figure here is DfE's published annual figure for :attr:`published_year`,
        never this quarter's local figure; band, rank and change are those of
        the benchmark table (:func:`perfkit.published.benchmarks.benchmark_rows`),
        as the benchmark report shows them. None without published figures.
        """
        comparisons = self.comparisons()
        if not comparisons:
            return None
        previous = self._previous_year
        rows = []
        for indicator, label, b in comparisons:
            rows.append([
                Cell(label),
                Cell(POLARITY_WORDS[indicator.polarity]),
                Cell(published_value(b, indicator), "pk-num"),
                Cell(band_words(b.band, indicator.polarity)),
                Cell(rank_words(b.rank, b.ranked, indicator.polarity)),
                Cell(change_words(b, indicator, previous)),
            ])
        headers = ["Indicator", "Better is", f"Figure for {self._published_name} (latest published)",
                   "Quartile band, A best (latest published)", "Rank, 1st best (latest published)",
                   f"Change on {previous} (latest published)"]
        caption = (f"How we compare (published data, {self.published_year}): {self._published_who()} among "
                   "the English authorities with a published figure")
        return HtmlTable(caption, headers, rows, kind="pk-compare")

    def comparison_intro(self) -> str:
        """Markdown above the comparison table: what its figures are, and are not."""
        year = self.published_year
        text = (f"Where {self._published_who()} stood among English local authorities in the figures DfE "
                f"published for {year}, the latest published: each figure, its quartile band and rank among the "
                f"authorities with a figure, and its change on {self._previous_year}. These are annual published "
                f"figures, not this {self.period.noun}'s ({self.period.label}) figures from the council's own records.")
        if self._borrowed:
            text += (f" {self.name} takes its published comparisons from {self._published_who()}: the figures, "
                     f"bands, ranks and changes in this table are {self._published_name}'s.")
        return markdown_text(text)

    def comparison_note(self) -> str:
        """Markdown under the comparison table: the year, how bands and ranks work, and the neighbours by name."""
        year = self.published_year
        parts = [f"Published figures are DfE's for {year}, the latest published; changes are on {self._previous_year}, "
                 "at the precision DfE publishes. Quartile bands split the authorities with a figure into four "
                 "quarters by their figures: A is the best quarter and D the worst, by whether higher or lower is "
                 "better for the indicator. Rank 1st is the best figure; authorities with the same figure share a "
                 "rank. Indicators where neither higher nor lower is better take no band or rank."]
        neighbours = self.benchmark_source.neighbours
        if neighbours:
            listed = ", ".join(neighbours[:-1]) + (" and " if len(neighbours) > 1 else "") + neighbours[-1]
            parts.append(f"The statistical neighbours of {self._published_who()}, whose mean is shown as "
                         f"'Statistical neighbours' in the figures tables, are the {len(neighbours)} authorities most "
                         f"like it in DfE's statistical-neighbour model: {listed}.")
        compared = self.comparisons()
        fewer = [(label, b) for _, label, b in compared if b.neighbours_missing]
        if fewer:
            parts.append("A neighbour without a published figure is left out of the mean: " + "; ".join(
                f"{label}, {b.neighbours_used} used (no figure for {', '.join(b.neighbours_missing)})"
                for label, b in fewer) + ".")
        notes = sorted({b.note for _, _, b in compared if b.note})
        parts += notes
        unpublished = [i.title for i in self.indicators
                       if (b := self.benchmarks.get(i.id)) is not None and not b.published]
        if unpublished:
            parts.append(f"Nothing is published yet for {year} for: {'; '.join(unpublished)}.")
        return "**Note.** " + markdown_text(" ".join(parts))

    def show_comparison(self) -> None:
        """Display the published comparison: heading, what it is, the table and its note (nothing without one)."""
        from IPython.display import Markdown, display

        table = self.comparison_table()
        if table is None:
            return
        display(Markdown(f"## How we compare (published data, {markdown_text(self.published_year)})"))
        display(Markdown(self.comparison_intro()))
        display(table)
        display(Markdown(self.comparison_note()))

    def summary_markdown(self):
        from IPython.display import Markdown

        p = self.period
        statuses = [rag(self.value(i.id, p), self.targets.get(i.id), i, p) for i in self.indicators]
        counts = {s: statuses.count(s) for s in ("Green", "Amber", "Red")}
        judged = sum(counts.values())
        lines = ["## Summary", "", self.about(), "",
                 f"Of {judged} indicators with a target, **{counts['Green']} are green, {counts['Amber']} amber "
                 f"and {counts['Red']} red**."]
        lines += ["", *self.significant_lines()]
        for status in ("Red", "Amber"):  # the exceptions, after the significant changes
            found = [i for i, s in zip(self.indicators, statuses) if s == status]
            if found:
                lines += ["", f"**{status} against target:**", ""] + [f"- {markdown_text(self._exception_sentence(i))}"
                                                                      for i in found]
        return Markdown("\n".join(lines))

    def significant(self) -> list[Indicator]:
        """The indicators whose latest quarter is a special cause: concerns first, then improvements, then
        changes where neither direction is better, each in catalogue order."""
        order = {"special_cause_concern": 0, "special_cause_improvement": 1, "special_cause_neutral": 2}
        found = [i for i in self.indicators if self.spc(i).variation in order]
        return sorted(found, key=lambda i: order[self.spc(i).variation])

    def significant_lines(self) -> list[str]:
        """Markdown lines of the summary: the significant changes in the latest quarter (special cause), not
        the biggest movements; and how many trends have no limits, and why."""
        p = self.period
        found = self.significant()
        assessed = [i for i in self.indicators if self.spc(i).has_limits]
        lines = [f"**Significant changes in {p.label}** (special cause variation in the latest {p.noun}, by the NHS "
                 "Making Data Count rules; each indicator's section explains its chart):", ""]
        if found:
            lines += [f"- {markdown_text(self._significant_sentence(i))}" for i in found]
        else:
            lines.append(f"- None: each of the {len(assessed)} indicators with process limits is within normal "
                         f"variation in the latest {p.noun}.")
        unassessed = [i for i in self.indicators if not self.spc(i).has_limits]
        if unassessed:
            lines += ["", markdown_text(
                f"Process limits are not drawn for {len(unassessed)} of the {len(self.indicators)} indicators (their "
                f"commentary says why: a {p.noun} whose figure is not published, or for which the data give none): "
                + "; ".join(i.title for i in unassessed) + ".")]
        return lines

    def _significant_sentence(self, indicator: Indicator) -> str:
        p = self.period
        return f"{indicator.title}: {self.shown(indicator, p)} in {p.label}, {self.variation(indicator)}."

    def _exception_sentence(self, indicator: Indicator) -> str:
        """An indicator red or amber against its target, in a line (its section says the rest)."""
        p = self.period
        return (f"{indicator.title}: {self.shown(indicator, p)} in {p.label} against a target of "
                f"{self.target_shown(indicator)}; {self.variation(indicator)}.")

    @cached_property
    def _split(self) -> dict[tuple[str, str, bool], pl.DataFrame]:
        """``measures`` but a quarter's months, split once by (indicator, breakdown, whether a period alone), rows
        in their order (a lookup, not a filter, per chart)."""
        own = self.measures.filter(~a_month()) if isinstance(self.period, Period) else self.measures
        return (own.with_columns(_alone=pl.col("period").map_elements(is_alone, return_dtype=pl.Boolean))
                .partition_by("indicator", "breakdown", "_alone", as_dict=True, maintain_order=True))

    def month_by_month(self) -> MonthByMonth:
        """The figures shown month by month, over the 13 months to the quarter's end, in the catalogue's order."""
        return MonthByMonth(tuple(self.indicators), month_rows(self.measures), self.period, self.threshold)

    def family_series(self, family_id: str) -> pl.DataFrame:
        """Aggregated trend rows of one family, with display values and targets."""
        columns: dict[str, list] = {"title": [], "period": [], "value": [], "shown": [], "target": [],
                                    **{name: [] for name in SPC_FIELDS}}
        for indicator in [i for i in self.indicators if i.family == family_id]:  # those with a figure this period
            rows = self.trend_rows(indicator)
            if not rows:
                continue
            target = self.targets.get(indicator.id)
            ahead = [] if target is None else target.ahead(self.period)  # a trajectory's path, drawn to its end
            labels = [r["period"] for r in rows] + [q.label for q in ahead]
            columns["title"] += [indicator.trend_title_for(self.period.noun)] * len(labels)
            columns["period"] += labels
            columns["value"] += [None if r["value"] is None else float(round_half_up(r["value"], indicator.decimals))
                                 for r in rows] + [None] * len(ahead)
            columns["shown"] += [self.shown_row(indicator, r) for r in rows] + [""] * len(ahead)
            columns["target"] += [None if target is None else target.value_for(label) for label in labels]
            limits = chart_columns(self.spc(indicator))  # empty where the trend has no limits
            for name in SPC_FIELDS:
                columns[name] += [limits.get(label, {}).get(name) for label in labels]
        if not columns["title"]:
            return pl.DataFrame()
        return pl.DataFrame(columns, schema={"title": pl.String, "period": pl.String, "value": pl.Float64,
                                             "shown": pl.String, "target": pl.Float64, "mean": pl.Float64,
                                             "lower_limit": pl.Float64, "upper_limit": pl.Float64,
                                             "point_type": pl.String})

    def family_chart(self, family_id: str) -> ChartOutput | None:
        series = self.family_series(family_id)
        if series.height == 0:
            return None
        title = next(f.title for f in self.catalogue.families if f.id == family_id)
        order = sorted(series["period"].unique().to_list(), key=lambda label: parse_period(label).index)
        indicators = {i.trend_title_for(self.period.noun): i for i in self.indicators if i.family == family_id}
        return trend_chart(series, title, order, self.period.year_earlier().label, indicators)

    def breakdown_rows(self, family: Family) -> pl.DataFrame:
        """This quarter's breakdown rows of a family's indicators, as members may see them."""
        return breakdown_rows(self.family_indicators(family), self._split, self.period, self.threshold)

    def breakdown_chart(self, family: Family) -> ChartOutput | None:
        rows = self.breakdown_rows(family)
        return breakdown_chart(rows, family.title, self.period.noun) if rows.height else None

    def quality_table(self) -> HtmlTable:
        return quality_table(self.quality, self.period.label, self.audience, self.threshold)

    def notebook_style(self):
        """The report's styles for JupyterLab (RAG colours, alignment); the member page has them already."""
        from perfkit.present.htmlexport import NotebookStyle

        return NotebookStyle()

    def show_families(self) -> None:
        """Display for each family: heading, figures, commentary, trend, breakdowns and definitions; then data
        quality. Each family is four outputs at most (its text and tables together, and each chart), so that
        JupyterLab shows the whole report (it folds a cell's outputs past 50)."""
        from IPython.display import HTML, display

        p = self.period
        for family in self.families:
            members = self.family_indicators(family)
            head = [f"<h2>{escape(family.title)}</h2>", self._table(members, f"{family.title}, {p.label}").html()]
            if family.id == "missing" and (opening := missing_opening(self, p)):
                head.append(f"<p>{escape(opening)}</p>")
            # the commentary first, in words, then the charts: on paper, text can fill the foot of a page that a
            # chart, kept whole, would leave empty
            head.append("<ul>" + "".join(f"<li>{escape(self.sentence(i))}</li>" for i in members) + "</ul>")
            display(HTML("".join(head)))
            chart = self.family_chart(family.id)
            if chart is not None:
                display(chart)
            rows, earlier = self.breakdown_rows(family), YearOnYear(tuple(members), self._split, p, self.threshold)
            tail = []
            if rows.height:
                display(breakdown_chart(rows, family.title, p.noun))  # on screen, with its menu
                # on paper, every breakdown in full, and beside a year earlier where the catalogue says
                tail.append(print_tables(rows, family.title, p.label, members, earlier.rows(), earlier.earlier.label).html())
            tail.append(earlier.html())  # on screen, the groups beside a year earlier
            tail.append(small_print("<p><strong>Definitions.</strong> " + " ".join(
                f"<em>{escape(i.title)}</em>: {escape(i.definition)}" for i in members) + "</p>"))
            display(HTML("".join(tail)))
        months = self.month_by_month().html() if isinstance(p, Period) else ""  # a month's trend is months
        display(HTML(months + "<h2>Data quality</h2>" + self.quality_table().html() + glossary_html(used_in(self.words()))))

    def words(self) -> str:
        """Everything the report writes in words (titles, definitions, sentences, the tables' headings), for
        its glossary to list the terms it uses."""
        fixed = ("Better is; variation: common cause, special cause, process limits; assurance; fewer than 5, "
                 "withheld")
        return " ".join([fixed, *(f"{i.title}. {i.definition}. {self.sentence(i)}" for i in self.indicators)])
