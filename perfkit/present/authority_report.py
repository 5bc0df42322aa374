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

import polars as pl

from perfkit.config.settings import DEFAULT_THRESHOLD
from perfkit.indicators.catalogue import (
    ALL,
    Catalogue,
    Family,
    Indicator,
    load_catalogue,
)
from perfkit.indicators.periods import Period
from perfkit.indicators.rounding import round_half_up
from perfkit.indicators.targets import Target, rag
from perfkit.present.charts import ChartOutput, breakdown_chart, trend_chart
from perfkit.present.disclosure import ALL_GROUPS, DROPPED_REASON, NOT_SHOWN, shown_label, small_counts
from perfkit.present.disclosure import label as small_label
from perfkit.present.formatting import format_value, markdown_text
from perfkit.present.html_tables import Cell, HtmlTable
from perfkit.present.narrative import (
    Benchmarks,
    Movement,
    biggest_movements,
    episodes_and_children,
    indicator_sentence,
)

POLARITY_WORDS = {"high_is_good": "Higher", "low_is_good": "Lower", "none": "Neither"}
BREAKDOWN_NAMES = {
    "district": "district", "sex": "sex", "age_band": "age band", "ethnicity_group": "ethnic group",
    "referral_source": "source", "contact_source": "source", "category": "category of abuse",
    "placement_type": "placement type", "legal_status": "legal status", "category_of_need": "category of need",
    "looked_after": "missing from care or home", "care_leaver_age_band": "age band", "team": "team",
    "department": "department",
}


@dataclass
class AuthorityReport:
    """Aggregated, disclosure-controlled figures and commentary for one authority and quarter."""

    authority: str
    name: str
    period: Period
    audience: str
    as_at: dt.date | None
    measures: pl.DataFrame
    targets: dict[str, Target]
    quality: pl.DataFrame
    threshold: int = DEFAULT_THRESHOLD
    benchmarks: dict[str, Benchmarks] = field(default_factory=dict)
    benchmark_note: str = ""
    catalogue: Catalogue = field(default_factory=load_catalogue)

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
        """The figure as members read it (``fewer than 5`` where suppressed)."""
        if self.suppressed(indicator.id, period):
            row = self._row(indicator.id, period) or {}
            return shown_label(indicator.unit, row.get("suppression"), self.threshold)
        return format_value(self.value(indicator.id, period), indicator)

    @cached_property
    def indicators(self) -> list[Indicator]:
        """The catalogue's indicators that have figures, in catalogue order."""
        present = set(self.measures["indicator"].unique().to_list())
        return [i for i in self.catalogue.indicators if i.id in present]

    def family_indicators(self, family: Family) -> list[Indicator]:
        return [i for i in self.indicators if i.family == family.id]

    @property
    def families(self) -> list[Family]:
        return [f for f in self.catalogue.families if self.family_indicators(f)]

    def sentence(self, indicator: Indicator) -> str:
        p = self.period
        if self.suppressed(indicator.id, p):
            return (f"{indicator.title}: {self.shown(indicator, p)} in {p.label} "
                    f"(small numbers are not published, to protect children's privacy).")
        return indicator_sentence(
            indicator, p.label, self.value(indicator.id, p),
            (p.previous().label, self.value(indicator.id, p.previous())),
            (p.year_earlier().label, self.value(indicator.id, p.year_earlier())),
            self.targets.get(indicator.id), self.benchmarks.get(indicator.id),
        )

    def headline_frame(self) -> pl.DataFrame:
        """One row per indicator: this quarter, previous, a year earlier, target and status."""
        p = self.period
        rows = []
        for indicator in self.indicators:
            target = self.targets.get(indicator.id)
            current = self.value(indicator.id, p)
            rows.append({
                "indicator": indicator.id, "title": indicator.title, "family": indicator.family,
                "current": current, "previous": self.value(indicator.id, p.previous()),
                "year_earlier": self.value(indicator.id, p.year_earlier()),
                "target": None if target is None else target.value_for(p),
                "status": rag(current, target, indicator, p), "polarity": indicator.polarity,
            })
        return pl.DataFrame(rows, schema_overrides={"current": pl.Float64, "previous": pl.Float64,
                                                    "year_earlier": pl.Float64, "target": pl.Float64,
                                                    "status": pl.String})

    # -- display --------------------------------------------------------------
    def title_markdown(self):
        from IPython.display import Markdown

        audience = "" if self.audience == "members" else " Analyst version: not for publication."
        as_at = (f"Data as at {self.as_at:%-d %B %Y}." if self.as_at else
                 "The date of the data extract is not stated (set data_as_at in the authority's parameters file).")
        return Markdown(
            f"# {markdown_text(self.name)}: children's services performance, {self.period.label}\n\n"
            f"Quarter {self.period.start:%-d %B %Y} to {self.period.end:%-d %B %Y}. "
            f"{as_at} Authority {markdown_text(self.authority)}. "
            "Figures are computed from the council's own records with the definitions given in each section; "
            f"rates are per 10,000 children aged 0-17. Counts from 1 to {self.threshold - 1} are shown as "
            f"'{small_label(self.threshold)}' and figures built on them are withheld; where a small number could "
            "otherwise be worked out from the figures beside it (a total less its other groups), another figure is "
            f"'withheld' too. {markdown_text(self.benchmark_note)}{audience}"
        )

    def _table(self, indicators: list[Indicator], caption: str) -> HtmlTable:
        p = self.period
        with_benchmarks = any(self.benchmarks.get(i.id) for i in indicators)
        rows = []
        for indicator in indicators:
            target = self.targets.get(indicator.id)
            status = rag(self.value(indicator.id, p), target, indicator, p)
            row = [
                Cell(indicator.title),
                Cell(self.shown(indicator, p), "pk-num"),
                Cell(self.shown(indicator, p.previous()), "pk-num"),
                Cell(self.shown(indicator, p.year_earlier()), "pk-num"),
                Cell("" if target is None else format_value(target.value_for(p), indicator), "pk-num"),
                Cell(status or "", f"pk-rag pk-rag-{status.lower()}" if status else ""),
                Cell(POLARITY_WORDS[indicator.polarity]),
            ]
            if with_benchmarks:
                b = self.benchmarks.get(indicator.id) or Benchmarks()
                row += [Cell(format_value(b.england, indicator) if b.england is not None else "", "pk-num"),
                        Cell(format_value(b.region, indicator) if b.region is not None else "", "pk-num"),
                        Cell(format_value(b.neighbours, indicator) if b.neighbours is not None else "", "pk-num")]
            rows.append(row)
        headers = ["Indicator", p.label, f"Previous quarter ({p.previous().label})",
                   f"Same quarter last year ({p.year_earlier().label})", "Target", "Status", "Better is"]
        if with_benchmarks:
            region = next((b.region_name for b in self.benchmarks.values() if b.region_name), "Region")
            headers += ["England (latest published)", f"{region} (latest published)",
                        "Statistical neighbours (latest published)"]
        return HtmlTable(caption, headers, rows)

    def headline_table(self) -> HtmlTable:
        return self._table(self.indicators, f"Headline indicators, {self.period.label}")

    def summary_markdown(self):
        from IPython.display import Markdown

        p = self.period
        frame = self.headline_frame()
        counts = {s: frame.filter(pl.col("status") == s).height for s in ("Green", "Amber", "Red")}
        judged = sum(counts.values())
        lines = ["## Summary", "",
                 f"Of {judged} indicators with a target, **{counts['Green']} are green, {counts['Amber']} amber "
                 f"and {counts['Red']} red**."]
        movements = [Movement(i, self.value(i.id, p), self.value(i.id, p.year_earlier()))
                     for i in self.indicators if not self.suppressed(i.id, p) and not self.suppressed(i.id, p.year_earlier())]
        biggest = biggest_movements(movements, p.label, p.year_earlier().label)
        if biggest:
            lines += ["", f"**Biggest movements since the same quarter last year ({p.year_earlier().label}):**", ""]
            lines += [f"- {markdown_text(s)}" for s in biggest]
        red = [i for i in self.indicators if rag(self.value(i.id, p), self.targets.get(i.id), i, p) == "Red"]
        if red:
            lines += ["", "**Red against target:**", ""] + [f"- {markdown_text(self.sentence(i))}" for i in red]
        return Markdown("\n".join(lines))

    @cached_property
    def _split(self) -> dict[tuple[str, str], pl.DataFrame]:
        """``measures`` split once by (indicator, breakdown), rows in their order (a lookup, not a filter, per chart)."""
        return self.measures.partition_by("indicator", "breakdown", as_dict=True, maintain_order=True)

    def family_series(self, family_id: str) -> pl.DataFrame:
        """Aggregated trend rows of one family, with display values and targets."""
        columns: dict[str, list] = {"title": [], "period": [], "value": [], "shown": [], "target": []}
        for indicator in self.catalogue.in_family(family_id):
            rows = self._split.get((indicator.id, ALL))
            if rows is None:  # the split holds no empty frames
                continue
            target = self.targets.get(indicator.id)
            labels = rows["period"].to_list()
            periods = [Period.parse(label) for label in labels]
            columns["title"] += [indicator.title] * len(labels)
            columns["period"] += labels
            columns["value"] += [None if v is None else float(round_half_up(v, indicator.decimals)) for v in rows["value"].to_list()]
            columns["shown"] += [self.shown(indicator, q) for q in periods]
            columns["target"] += [None if target is None else target.value_for(q) for q in periods]
        if not columns["title"]:
            return pl.DataFrame()
        return pl.DataFrame(columns, schema={"title": pl.String, "period": pl.String, "value": pl.Float64,
                                             "shown": pl.String, "target": pl.Float64})

    def family_chart(self, family_id: str) -> ChartOutput | None:
        series = self.family_series(family_id)
        if series.height == 0:
            return None
        title = next(f.title for f in self.catalogue.families if f.id == family_id)
        order = sorted(series["period"].unique().to_list(), key=lambda label: Period.parse(label).index)
        return trend_chart(series, title, order, self.period.year_earlier().label)

    def breakdown_rows(self, family: Family) -> pl.DataFrame:
        """This quarter's breakdown rows of a family's indicators, as members may see them."""
        columns: dict[str, list] = {"choice": [], "group": [], "value": [], "shown": []}
        for indicator in self.family_indicators(family):
            for breakdown in indicator.breakdowns:
                rows = self._split.get((indicator.id, breakdown))
                if rows is None:
                    continue
                groups = rows.filter(pl.col("period") == self.period.label).sort("group")
                choice = f"{indicator.title} by {BREAKDOWN_NAMES.get(breakdown, breakdown)}"
                if "suppression" in groups.columns and (groups["suppression"] == DROPPED_REASON).any():
                    # not even the groups are shown: their existence would give a small number away
                    columns["choice"].append(choice)
                    columns["group"].append(ALL_GROUPS)
                    columns["value"].append(None)
                    columns["shown"].append(NOT_SHOWN)
                    continue
                for r in groups.iter_rows(named=True):
                    columns["choice"].append(choice)
                    columns["group"].append(r["group"])
                    columns["value"].append(r["value"])
                    columns["shown"].append(shown_label(indicator.unit, r.get("suppression"), self.threshold)
                                            if r["suppressed"] else format_value(r["value"], indicator))
        if not columns["choice"]:
            return pl.DataFrame()
        return pl.DataFrame(columns, schema={"choice": pl.String, "group": pl.String, "value": pl.Float64, "shown": pl.String})

    def breakdown_chart(self, family: Family) -> ChartOutput | None:
        rows = self.breakdown_rows(family)
        return breakdown_chart(rows, family.title) if rows.height else None

    def quality_table(self) -> HtmlTable:
        rows = self.quality.filter(pl.col("period") == self.period.label)
        small = small_counts(rows["count"].to_list(), self.threshold) if self.audience == "members" else [False] * rows.height
        return HtmlTable(
            f"Data quality, {self.period.label}: records left out of the figures and why",
            ["Check", "Records"],
            [[Cell(r["description"][:1].upper() + r["description"][1:]),
              Cell(small_label(self.threshold) if hidden else f"{r['count']:,.0f}", "pk-num")]
             for r, hidden in zip(rows.iter_rows(named=True), small)],
        )

    def show_families(self) -> None:
        """Display, for each family: heading, figures, trend, breakdowns, commentary and definitions."""
        from IPython.display import Markdown, display

        p = self.period
        for family in self.families:
            members = self.family_indicators(family)
            display(Markdown(f"## {markdown_text(family.title)}"))
            display(self._table(members, f"{family.title}, {p.label}"))
            if family.id == "missing":
                if not (self.suppressed("missing_episodes", p) or self.suppressed("missing_children", p)):
                    display(Markdown(markdown_text(episodes_and_children(self.value("missing_episodes", p),
                                                                         self.value("missing_children", p), p.label))))
            chart = self.family_chart(family.id)
            if chart is not None:
                display(chart)
            chart = self.breakdown_chart(family)
            if chart is not None:
                display(chart)
            display(Markdown("\n".join(f"- {markdown_text(self.sentence(i))}" for i in members)))
            display(Markdown("**Definitions.** " + " ".join(f"*{markdown_text(i.title)}*: {markdown_text(i.definition)}"
                                                             for i in members)))
        display(Markdown("## Data quality"))
        display(self.quality_table())
