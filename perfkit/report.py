"""The quarterly authority report, assembled for the notebook.

:func:`build_report` loads and validates the data, computes every indicator
(with its breakdowns) for the reporting quarter and the quarters before it,
applies disclosure control for members, and keeps only the aggregated tables:
the records themselves are not kept, so nothing the notebook shows can publish
a child's record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from perfkit import paths
from perfkit.breakdowns import ALL
from perfkit.catalogue import Catalogue, Family, Indicator, load_catalogue
from perfkit.charts import ChartOutput, breakdown_chart, trend_chart
from perfkit.disclosure import DEFAULT_THRESHOLD, DROPPED_REASON, check_threshold, label as small_label, shown_label, small_counts, suppress
from perfkit.formatting import format_value, markdown_text, round_half_up
from perfkit.html_tables import Cell, HtmlTable
from perfkit.narrative import Benchmarks, Movement, biggest_movements, episodes_and_children, indicator_sentence
from perfkit.periods import Period, latest_complete_period
from perfkit.targets import Target, load_targets, rag

if TYPE_CHECKING:  # the records are read only without prepared aggregates: kernels of a batch never import the engine
    from perfkit.loading import Dataset

TREND_QUARTERS = 12
POLARITY_WORDS = {"high_is_good": "Higher", "low_is_good": "Lower", "none": "Neither"}
AUDIENCES = ("members", "analyst")
BREAKDOWN_NAMES = {
    "district": "district", "sex": "sex", "age_band": "age band", "ethnicity_group": "ethnic group",
    "referral_source": "source", "contact_source": "source", "category": "category of abuse",
    "placement_type": "placement type", "legal_status": "legal status", "category_of_need": "category of need",
    "looked_after": "missing from care or home", "care_leaver_age_band": "age band", "team": "team",
    "department": "department",
}


def data_as_at(data: Dataset) -> dt.date:
    """The latest event date in the dataset: the 'data as at' date of a report."""
    latest: list[dt.date] = []
    for frame in data.tables.values():
        for name, dtype in frame.schema.items():
            if dtype == pl.Date and name not in ("date_of_birth", "recorded_date"):
                value = frame[name].max()
                if value is not None:
                    latest.append(value)
    return max(latest) if latest else dt.date.today()


def _settings_file(name: str) -> dict:
    from perfkit.yamlfiles import read_yaml

    path = paths.parameters_dir() / name
    if not path.exists():
        return {}
    return read_yaml(path)


def authority_settings(authority: str) -> dict:
    """The parameters file of an authority (``parameters/authorities/<la>.yaml``), if any."""
    return _settings_file(f"authorities/{authority}.yaml")


def published_benchmarks(la_code: str, period: Period, published=None) -> tuple[dict[str, Benchmarks], str]:
    """The latest published comparators for ``la_code`` up to ``period``'s financial year.

    Returns the benchmarks by indicator and a note naming the year and the
    authority whose statistical neighbours were used; empty when the published
    files are not available (as on a machine without ``../shared``).
    ``published`` is a loaded :class:`perfkit.benchmark_report.PublishedData`
    (a batch loads the files once for every report).
    """
    from perfkit.published.benchmarks import benchmark_rows

    if published is None:
        if not paths.published_dfe_dir().exists():
            return {}, ""
        from perfkit.benchmark_report import PublishedData

        published = PublishedData.remembered()
    for year in (period.fy_start + 1, period.fy_start):
        table = benchmark_rows(published.values, published.neighbours.get(str(la_code), []), str(la_code), year,
                               published.comparators).filter(pl.col("breakdown") == "all")
        if table.height and table["england"].drop_nulls().len():
            found = {
                r["indicator"]: Benchmarks(str(year), r["england"], r["sn_mean"], int(r["sn_used"] or 0),
                                           r["region"], r["region_name"] or "")
                for r in table.iter_rows(named=True)
            }
            name = table["la_name"].drop_nulls()
            who = f"{name[0]} ({la_code})" if name.len() else la_code
            return found, (f"England and statistical-neighbour figures are the latest published by DfE ({year}); "
                           f"the neighbours are those of {who}.")
    return {}, ""


def disclosure_threshold() -> int:
    """The smallest count members may see (``parameters/disclosure.yaml``; 5 by default, at least 3)."""
    return check_threshold(_settings_file("disclosure.yaml").get("threshold", DEFAULT_THRESHOLD))


def declared_as_at(as_at: str | dt.date | None, settings: dict) -> dt.date | None:
    """The date the data were extracted, as declared: the ``as_at`` parameter, else ``data_as_at`` in the
    authority's parameters file; None where neither says (never the date of the latest record, which is a
    child's event).

    >>> declared_as_at("2025-04-30", {}), declared_as_at(None, {"data_as_at": dt.date(2025, 5, 1)}), declared_as_at(None, {})
    (datetime.date(2025, 4, 30), datetime.date(2025, 5, 1), None)
    """
    chosen = as_at if as_at not in (None, "") else settings.get("data_as_at")
    if chosen is None or isinstance(chosen, dt.date):
        return chosen
    try:
        return dt.date.fromisoformat(str(chosen).strip())
    except ValueError:
        raise ValueError(f"data as at {str(chosen)!r}: expected a date such as 2025-04-30") from None


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
                    columns["group"].append("All groups")
                    columns["value"].append(None)
                    columns["shown"].append("not shown: too few to break down")
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


def resolve_period(period: str | Period | None, as_at: dt.date) -> Period:
    """``None`` or ``"latest"`` means the last complete quarter of the data."""
    if period is None or (isinstance(period, str) and period.strip().lower() == "latest"):
        return latest_complete_period(as_at)
    return period if isinstance(period, Period) else Period.parse(period)


@dataclass
class Aggregates:
    """Everything a report shows for one authority, before disclosure control: no records."""

    period: Period
    as_at: dt.date
    measures: pl.DataFrame
    quality: pl.DataFrame
    benchmarks: dict[str, Benchmarks]
    benchmark_note: str


def report_measures(data: Dataset, authorities: list[str], period: Period, quarters: int = TREND_QUARTERS,
                    closure_days: list[dt.date] | tuple[dt.date, ...] = ()) -> pl.DataFrame:
    """The figures a report shows, for several authorities in one pass over the data.

    Headline figures for the ``quarters`` quarters of the trend (at least 8),
    and breakdowns for ``period`` only: the report shows no breakdown of an
    earlier quarter, and computing breakdowns for every quarter of the trend
    took most of the time. The rows are those, and in the order, that
    :func:`perfkit.engine.compute` gives.

    Parameters
    ----------
    data : Dataset
        Validated records.
    authorities : list of str
        Three-digit LA numbers, all present in ``data``.
    period : Period
        The report's quarter, the last of the trend.
    quarters : int
        How many quarters the trend covers.
    closure_days : sequence of date
        Local closure days shared by these authorities.
    """
    from perfkit.engine import compute

    trend = period.series(max(quarters, 8))
    return compute(data, trend, authorities, closure_days=closure_days, breakdowns=True, breakdown_periods=[period])


def data_as_at_by_authority(data: Dataset) -> dict[str, dt.date]:
    """:func:`data_as_at` of each authority's own records, in one pass over each table."""
    latest: dict[str, list[dt.date]] = {la: [] for la in data.authorities}
    for frame in data.tables.values():
        dates = [name for name, dtype in frame.schema.items()
                 if dtype == pl.Date and name not in ("date_of_birth", "recorded_date")]
        if not dates or "la_code" not in frame.columns:
            continue
        maxima = frame.group_by("la_code").agg(pl.max_horizontal(pl.col(dates).max()).alias("latest"))
        for la, value in maxima.iter_rows():
            if la in latest and value is not None:
                latest[la].append(value)
    return {la: max(found) if found else dt.date.today() for la, found in latest.items()}


def compute_aggregates_for(data: Dataset, authorities: list[str], period: str | Period | None,
                           quarters: int = TREND_QUARTERS, published=None) -> dict[str, Aggregates]:
    """Every authority's aggregated tables from validated records, sharing passes over the data.

    Authorities with the same reporting quarter and the same closure days are
    computed together; the figures are the same as computing each alone.

    Parameters
    ----------
    data : Dataset
        Validated records holding every authority named.
    authorities : list of str
        Three-digit LA numbers.
    period : str or Period, optional
        The quarter; ``None`` or ``"latest"`` for each authority's last complete quarter.
    quarters : int
        How many quarters the trend covers (at least 8).
    published : PublishedData, optional
        Published benchmarks, loaded once for every authority.
    """
    from perfkit.engine import windows_frame
    from perfkit.quality import data_quality

    missing = [la for la in authorities if la not in data.authorities]
    if missing:
        listed = f": column 'la_code' has {', '.join(data.authorities)}" if data.authorities else ""
        raise ValueError(f"authority {missing[0]!r} has no rows in {data.directory / 'children'}{listed}")
    own = data.for_authorities(list(authorities))
    as_at = data_as_at_by_authority(own)
    settings = {la: authority_settings(la) for la in authorities}
    together: dict[tuple[Period, tuple[dt.date, ...]], list[str]] = {}
    for la in authorities:
        closure_days = tuple(dt.date.fromisoformat(str(d)) for d in settings[la].get("closure_days", []))
        together.setdefault((resolve_period(period, as_at[la]), closure_days), []).append(la)
    found: dict[str, Aggregates] = {}
    for (chosen, closure_days), group in together.items():
        subset = own.for_authorities(group) if len(group) < len(authorities) else own
        measures = report_measures(subset, group, chosen, quarters, closure_days)
        quality = data_quality(subset, windows_frame([chosen]))
        for la in group:
            benchmarks, note = published_benchmarks(str(settings[la].get("benchmark_authority", la)), chosen, published)
            found[la] = Aggregates(chosen, as_at[la], measures.filter(pl.col("la_code") == la),
                                   quality.filter(pl.col("la_code") == la), benchmarks, note)
    return {la: found[la] for la in authorities}


def compute_aggregates(data: Dataset, authority: str, period: str | Period | None, quarters: int = TREND_QUARTERS,
                       published=None) -> Aggregates:
    """Compute one authority's aggregated tables from validated records."""
    return compute_aggregates_for(data, [authority], period, quarters, published)[authority]


def save_aggregates(aggregates: dict[str, Aggregates], folder: Path) -> Path:
    """Write aggregated tables of several authorities for a batch's notebooks to read."""
    import json

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pl.concat([a.measures for a in aggregates.values()]).write_parquet(folder / "measures.parquet")
    pl.concat([a.quality for a in aggregates.values()]).write_parquet(folder / "quality.parquet")
    meta = {la: {"period": a.period.label, "as_at": a.as_at.isoformat(), "note": a.benchmark_note,
                 "benchmarks": {k: [b.year, b.england, b.neighbours, b.neighbours_used, b.region, b.region_name]
                                for k, b in a.benchmarks.items()}}
            for la, a in aggregates.items()}
    (folder / "meta.json").write_text(json.dumps(meta, sort_keys=True), encoding="utf-8")
    return folder


def load_aggregates(folder: str | Path, authority: str) -> Aggregates:
    """One authority's aggregated tables from a folder written by :func:`save_aggregates`."""
    import json

    folder = Path(folder)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    if authority not in meta:
        raise ValueError(f"authority {authority!r} is not in the aggregates in {folder}: it has {', '.join(sorted(meta))}")
    own = meta[authority]
    measures = pl.scan_parquet(folder / "measures.parquet").filter(pl.col("la_code") == authority).collect()
    quality = pl.scan_parquet(folder / "quality.parquet").filter(pl.col("la_code") == authority).collect()
    benchmarks = {k: Benchmarks(*v) for k, v in own["benchmarks"].items()}
    return Aggregates(Period.parse(own["period"]), dt.date.fromisoformat(own["as_at"]), measures, quality,
                      benchmarks, own["note"])


def build_report(
    authority: str,
    period: str | Period | None = None,
    data_dir: str | Path | None = None,
    audience: str = "members",
    targets_file: str | Path | None = None,
    quarters: int = TREND_QUARTERS,
    aggregates: str | Path | None = None,
    as_at: str | dt.date | None = None,
) -> AuthorityReport:
    """Load, validate and compute everything the authority report shows.

    Parameters
    ----------
    authority : str
        Three-digit LA number, e.g. ``"990"``.
    period : str, optional
        ``"2024-25 Q2"``; ``None`` or ``"latest"`` for the last complete quarter.
    data_dir : path, optional
        A dataset directory; the embedded synthetic data by default.
    audience : {"members", "analyst"}
        Members see disclosure-controlled figures only; analysts see every count.
    targets_file : path, optional
        ``parameters/targets.yaml`` by default.
    quarters : int
        How many quarters the trend covers (at least 8).
    aggregates : path, optional
        A folder of aggregated tables prepared by ``perfkit batch`` (which
        computes every authority in one pass); the records are then not read.
    as_at : str or date, optional
        The date the data were extracted (``2025-04-30``); ``data_as_at`` in
        the authority's parameters file by default.
    """
    if audience not in AUDIENCES:
        raise ValueError(f"audience {audience!r}: expected one of {', '.join(AUDIENCES)}")
    authority = str(authority)
    if aggregates:
        figures = load_aggregates(aggregates, authority)
    else:
        from perfkit.loading import load_dataset

        # the authority's own rows, checked as the batch checks them: another authority's cannot stop this report
        data = load_dataset(data_dir or paths.default_data_dir(), authorities=[authority])
        figures = compute_aggregates(data, authority, period, quarters)
    settings = authority_settings(authority)
    threshold = disclosure_threshold()
    measures = figures.measures
    if audience == "members":
        measures = suppress(measures, threshold)
    else:
        measures = measures.with_columns(suppressed=pl.lit(False), withheld=pl.col("value").is_null())
    catalogue = load_catalogue()
    targets = load_targets(targets_file or paths.targets_file(), authority, catalogue)
    return AuthorityReport(
        authority=authority, name=settings.get("name", f"Authority {authority}"), period=figures.period,
        audience=audience, as_at=declared_as_at(as_at, settings), measures=measures, targets=targets, quality=figures.quality,
        threshold=threshold, benchmarks=figures.benchmarks, benchmark_note=figures.benchmark_note, catalogue=catalogue,
    )
