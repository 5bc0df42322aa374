"""The quarterly authority report, assembled for the notebook.

:func:`build_report` loads and validates the data, computes every indicator for
the reporting quarter and the quarters before it, and keeps only the aggregated
table: the records themselves are not kept, so nothing the notebook shows can
publish a child's record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from perfkit import paths
from perfkit.catalogue import Catalogue, Indicator, load_catalogue
from perfkit.charts import ChartOutput, trend_chart
from perfkit.engine import compute
from perfkit.formatting import format_value, round_half_up
from perfkit.html_tables import Cell, HtmlTable
from perfkit.loading import Dataset, load_dataset
from perfkit.narrative import indicator_sentence
from perfkit.periods import Period, latest_complete_period
from perfkit.targets import Target, load_targets, rag

TREND_QUARTERS = 12
POLARITY_WORDS = {"high_is_good": "Higher", "low_is_good": "Lower", "none": "Neither"}


def data_as_at(data: Dataset) -> dt.date:
    """The latest event date in the dataset: the 'data as at' date of a report."""
    latest: list[dt.date] = []
    for frame in data.tables.values():
        for name, dtype in frame.schema.items():
            if dtype == pl.Date and name != "date_of_birth":
                value = frame[name].max()
                if value is not None:
                    latest.append(value)
    return max(latest) if latest else dt.date.today()


def authority_settings(authority: str) -> dict:
    """The parameters file of an authority (``parameters/authorities/<la>.yaml``), if any."""
    import yaml

    path = paths.authorities_dir() / f"{authority}.yaml"
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


@dataclass
class AuthorityReport:
    """Aggregated figures and commentary for one authority and quarter."""

    authority: str
    name: str
    period: Period
    audience: str
    as_at: dt.date
    measures: pl.DataFrame
    targets: dict[str, Target]
    catalogue: Catalogue = field(default_factory=load_catalogue)

    # -- figures --------------------------------------------------------------
    def value(self, indicator_id: str, period: Period) -> float | None:
        row = self.measures.filter((pl.col("indicator") == indicator_id) & (pl.col("period") == period.label))
        return row["value"].item() if row.height else None

    @property
    def indicators(self) -> list[Indicator]:
        present = set(self.measures["indicator"].unique().to_list())
        return [i for i in self.catalogue.indicators if i.id in present]

    def sentence(self, indicator: Indicator) -> str:
        p = self.period
        return indicator_sentence(
            indicator, p.label, self.value(indicator.id, p),
            (p.previous().label, self.value(indicator.id, p.previous())),
            (p.year_earlier().label, self.value(indicator.id, p.year_earlier())),
            self.targets.get(indicator.id),
        )

    def headline_frame(self) -> pl.DataFrame:
        """One row per indicator: this quarter, previous, a year earlier, target and status."""
        p = self.period
        rows = []
        for indicator in self.indicators:
            target = self.targets.get(indicator.id)
            current = self.value(indicator.id, p)
            rows.append({
                "indicator": indicator.id,
                "title": indicator.title,
                "family": indicator.family,
                "current": current,
                "previous": self.value(indicator.id, p.previous()),
                "year_earlier": self.value(indicator.id, p.year_earlier()),
                "target": None if target is None else target.value,
                "status": rag(current, target, indicator),
                "polarity": indicator.polarity,
            })
        return pl.DataFrame(rows, schema_overrides={"current": pl.Float64, "previous": pl.Float64,
                                                    "year_earlier": pl.Float64, "target": pl.Float64,
                                                    "status": pl.String})

    # -- display --------------------------------------------------------------
    def title_markdown(self):
        from IPython.display import Markdown

        return Markdown(
            f"# {self.name}: children's services performance, {self.period.label}\n\n"
            f"Quarter {self.period.start:%-d %B %Y} to {self.period.end:%-d %B %Y}. "
            f"Data as at {self.as_at:%-d %B %Y}. Authority {self.authority}. "
            "Figures are computed from the council's own records with the definitions in the indicator catalogue; "
            "rates are per 10,000 children aged 0-17."
        )

    def headline_table(self) -> HtmlTable:
        p = self.period
        frame = self.headline_frame()
        rows = []
        for record, indicator in zip(frame.iter_rows(named=True), self.indicators):
            status = record["status"]
            rows.append([
                Cell(indicator.title),
                Cell(format_value(record["current"], indicator), "pk-num"),
                Cell(format_value(record["previous"], indicator), "pk-num"),
                Cell(format_value(record["year_earlier"], indicator), "pk-num"),
                Cell("" if record["target"] is None else format_value(record["target"], indicator), "pk-num"),
                Cell(status or "", f"pk-rag pk-rag-{status.lower()}" if status else ""),
                Cell(POLARITY_WORDS[indicator.polarity]),
            ])
        return HtmlTable(
            f"Headline indicators, {p.label}",
            ["Indicator", p.label, f"Previous quarter ({p.previous().label})",
             f"Same quarter last year ({p.year_earlier().label})", "Target", "Status", "Better is"],
            rows,
        )

    def summary_markdown(self):
        from IPython.display import Markdown

        frame = self.headline_frame()
        counts = {s: frame.filter(pl.col("status") == s).height for s in ("Green", "Amber", "Red")}
        judged = sum(counts.values())
        lines = [f"**Summary.** Of {judged} indicators with a target, {counts['Green']} are green, "
                 f"{counts['Amber']} amber and {counts['Red']} red."]
        lines += [f"- {self.sentence(i)}" for i in self.indicators if i.id in self.targets]
        return Markdown("\n".join(lines))

    def family_series(self, family_id: str) -> pl.DataFrame:
        """Aggregated trend rows of one family, with display values and targets."""
        members = self.catalogue.in_family(family_id)
        frames = []
        for indicator in members:
            rows = self.measures.filter(pl.col("indicator") == indicator.id)
            if rows.height == 0:
                continue
            target = self.targets.get(indicator.id)
            shown = [format_value(v, indicator) for v in rows["value"].to_list()]
            values = [None if v is None else float(round_half_up(v, indicator.decimals)) for v in rows["value"].to_list()]
            frames.append(pl.DataFrame({
                "title": indicator.title, "period": rows["period"], "value": values, "shown": shown,
                "target": None if target is None else target.value,
            }, schema_overrides={"value": pl.Float64, "target": pl.Float64}))
        return pl.concat(frames) if frames else pl.DataFrame()

    def family_chart(self, family_id: str) -> ChartOutput | None:
        series = self.family_series(family_id)
        if series.height == 0:
            return None
        title = next(f.title for f in self.catalogue.families if f.id == family_id)
        order = sorted(series["period"].unique().to_list(), key=lambda label: Period.parse(label).index)
        return trend_chart(series, title, order)

    def show_families(self) -> None:
        """Display, for each family: heading, trend chart, commentary and definitions."""
        from IPython.display import Markdown, display

        for family in self.catalogue.families:
            members = [i for i in self.indicators if i.family == family.id]
            if not members:
                continue
            display(Markdown(f"## {family.title}"))
            chart = self.family_chart(family.id)
            if chart is not None:
                display(chart)
            display(Markdown("\n".join(f"- {self.sentence(i)}" for i in members)))
            display(Markdown("**Definitions.** " + " ".join(f"*{i.title}*: {i.definition}" for i in members)))


def resolve_period(period: str | Period | None, as_at: dt.date) -> Period:
    """``None`` or ``"latest"`` means the last complete quarter of the data."""
    if period is None or (isinstance(period, str) and period.strip().lower() == "latest"):
        return latest_complete_period(as_at)
    return period if isinstance(period, Period) else Period.parse(period)


def build_report(
    authority: str,
    period: str | Period | None = None,
    data_dir: str | Path | None = None,
    audience: str = "members",
    targets_file: str | Path | None = None,
    quarters: int = TREND_QUARTERS,
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
    targets_file : path, optional
        ``parameters/targets.yaml`` by default.
    quarters : int
        How many quarters the trend covers (at least 8 are shown to members).
    """
    authority = str(authority)
    data = load_dataset(data_dir or paths.default_data_dir())
    if authority not in data.authorities:
        raise ValueError(
            f"authority {authority!r} is not in {data.directory / 'children'}: column 'la_code' has "
            f"{', '.join(data.authorities)}"
        )
    data = data.for_authorities([authority])
    as_at = data_as_at(data)
    chosen = resolve_period(period, as_at)
    settings = authority_settings(authority)
    closure_days = [dt.date.fromisoformat(str(d)) for d in settings.get("closure_days", [])]
    measures = compute(data, chosen.series(max(quarters, 8)), [authority], closure_days=closure_days)
    catalogue = load_catalogue()
    targets = load_targets(targets_file or paths.targets_file(), authority, catalogue)
    return AuthorityReport(
        authority=authority, name=settings.get("name", f"Authority {authority}"), period=chosen,
        audience=audience, as_at=as_at, measures=measures, targets=targets, catalogue=catalogue,
    )
