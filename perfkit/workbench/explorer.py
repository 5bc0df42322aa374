"""The analyst explorer: ipywidgets drill-downs over the council's own records.

For analysts in JupyterLab only. It shows unsuppressed figures and, for a
selected cell, the records behind it (children's identifiers included), so
its output must never be shared with members; the member report is built by
:mod:`perfkit.present.authority_report` from aggregated, suppressed tables instead.

The widget logic lives here, not in the notebook, and every control can be
set from a test: change ``explorer.indicator.value`` (or any other control)
and :meth:`Explorer.table`, :meth:`Explorer.chart` and :meth:`Explorer.records`
follow.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import polars as pl

from perfkit.config import paths
from perfkit.config.settings import authority_settings
from perfkit.errors import PeriodError
from perfkit.indicators.breakdowns import ALL, group_expression
from perfkit.indicators.labels import AGE_GROUPS, in_natural_order
from perfkit.indicators.catalogue import POPULATION, QUARTER_ALONE, Indicator, load_catalogue
from perfkit.indicators.child_details import with_children
from perfkit.indicators.engine import (
    aggregate_breakdowns,
    aggregations,
    annualised,
    compute,
    dataset_calendar,
    finish_values,
    population_for,
    windows_frame,
)
from perfkit.indicators.measure_base import KEYS, MeasureInput
from perfkit.indicators.periods import ALONE, Period, Window, latest_complete_period, periods_between
from perfkit.indicators.targets import load_targets
from perfkit.present.breakdown_tables import BREAKDOWN_NAMES
from perfkit.present.charts import ChartOutput
from perfkit.present.process_control import SeriesSpc
from perfkit.records.dataset import Dataset
from perfkit.records.loading import load_dataset
from perfkit.workbench.analyst_tables import (
    HEADLINE,
    contributions_frame,
    crosstab_frame,
    figures_frame,
)
from perfkit.workbench.explorer_view import TABS, ExplorerView
from perfkit.workbench.records_view import IN_NUMERATOR, readable

EVERYWHERE = "All districts"
EVERY_AGE = "All ages"

NO_SECOND = "(none)"

OWN_AGE_BANDS = {"care_leaver_age_band"}
"""Breakdowns of indicators whose people have age bands of their own, where the children's age bands do not apply."""


def about_children(data: Dataset, indicator_id: str) -> bool:
    """Whether the indicator counts children's records (rows with a ``child_id``), not staff or population."""
    return any(data.has(t) and "child_id" in data.table(t).columns
               for t in load_catalogue()[indicator_id].tables if t != "population")


def per_population(indicator_id: str) -> bool:
    """Whether the indicator's denominator is the authority's child population (a rate, or a share of it)."""
    return "population" in load_catalogue()[indicator_id].tables


def filtered_rows(data: Dataset, indicator_id: str, windows: pl.DataFrame, closure_days=(),
                  filters: dict[str, str] | None = None):
    """The rows an indicator counts in ``windows``, and how it counts them; under ``filters`` (breakdown: group,
    ``{"district": "Coldwater", "age_band": "10-15"}``), joined to their child's details and kept where that
    breakdown puts them in that group: age at the event (``__age_date``), the district of the record, else the child's.

    The rows are those :func:`perfkit.indicators.engine.compute` groups for its breakdowns, so a figure
    counted from them under a filter is the breakdown's figure for that group.
    """
    from perfkit.indicators.measures import REGISTRY

    grid = pl.DataFrame({"la_code": data.authorities}, schema={"la_code": pl.String}).join(windows, how="cross")
    population = (population_for(grid, data.table("population")) if data.has("population")
                  else grid.with_columns(pl.lit(None, dtype=pl.Float64).alias(POPULATION)))
    measure_input = MeasureInput(data, windows, dataset_calendar(data, closure_days),
                                 population.select(*KEYS, POPULATION))
    result = REGISTRY[indicator_id].function(measure_input)
    rows = result.rows
    if filters:
        rows = with_children(rows, data)
        for breakdown, group in filters.items():
            rows = rows.filter(group_expression(breakdown, rows.columns) == group)
    return rows, result


class Explorer(ExplorerView):
    """Drill-downs by indicator, period range, breakdown, district and age band.

    The district and age-band filters apply the rules of the district and
    age-band breakdowns: filtering on a group keeps exactly the rows the
    breakdown puts in that group (age at the event, not at the end of the
    quarters shown), so a filtered figure is the breakdown's figure for the
    group. Where a filter cannot apply (staff are in no district and have no
    age band; care leavers have age bands of their own) it is greyed out and
    ignored. Under a filter, a figure over the child population (a rate per
    10,000) is withheld: the population is the whole authority's, aged 0-17,
    with no district or age band (see :meth:`notes`).

    Parameters
    ----------
    authority : str
        Three-digit LA number.
    data_dir : path, optional
        A dataset directory; the embedded synthetic data by default.
    quarters : int
        How many quarters the period slider offers.
    """

    def __init__(self, authority: str, data_dir: str | Path | None = None, quarters: int = 12):
        import ipywidgets as widgets

        self.catalogue = load_catalogue()
        self.data = load_dataset(data_dir or paths.default_data_dir()).for_authorities([str(authority)])
        self.authority = str(authority)
        self.settings = authority_settings(self.authority)  # the report's closure days: the same working days
        self._targets = load_targets(paths.targets_file(), self.authority, self.catalogue)  # the report's targets
        span = self.data.event_span()
        if self.authority not in span:
            raise PeriodError(f"authority {self.authority!r} has no dated records: there is nothing to explore")
        latest = latest_complete_period(self.settings.data_end(span[self.authority][1]))
        self.quarters = [p.label for p in latest.series(quarters)]
        # every indicator: one the data cannot give says why (notes), as the report and perfkit measures do
        options = [(i.title, i.id) for i in self.catalogue.indicators]
        districts = sorted(d for d in self.data.table("children")["district"].unique().to_list() if d)
        self.indicator = widgets.Dropdown(options=options, description="Indicator")
        self.periods = widgets.SelectionRangeSlider(  # its range in words beside it: the slider's own readout is cut
            options=self.quarters, index=(0, len(self.quarters) - 1), description="Quarters", readout=False,
            layout=widgets.Layout(width="520px"), style={"description_width": "initial"})
        self.periods_words = widgets.HTML()
        self.breakdown = widgets.Dropdown(description="Breakdown")
        self.district = widgets.Dropdown(options=[EVERYWHERE, *districts], description="District")
        self.age = widgets.Dropdown(options=[EVERY_AGE, *AGE_GROUPS], description="Age band")
        self.record_period = widgets.Dropdown(description="Records for")
        self.record_group = widgets.Dropdown(description="Group")
        self.spc_view = widgets.Checkbox(value=False, indent=False, layout=widgets.Layout(width="auto"),
                                         description="Process limits (SPC) for the group chosen under Group")
        self.second = widgets.Dropdown(description="Cross-tab by", style={"description_width": "initial"})
        self.change_from = widgets.Dropdown(description="Change from", style={"description_width": "initial"})
        self.numerator_only = widgets.Checkbox(value=False, indent=False, layout=widgets.Layout(width="auto"),
                                               description="Only the records in the numerator")
        self.note = widgets.HTML()
        self.chart_output = widgets.Output()
        self.tab_outputs = {tab: widgets.Output() for tab in TABS[:3]}
        self.records_note = widgets.HTML()
        from itables.widget import ITable

        # every record in a grid that sorts, searches and filters (itables: DataTables), its text escaped
        self.grid = ITable(pl.DataFrame(), maxBytes=0, maxColumns=0, scrollX=True, scrollY="420px",
                           scrollCollapse=True, paging=False, column_filters="footer", show_dtypes=False)
        self.tabs = widgets.Tab(children=[
            self.tab_outputs["Figures"], widgets.VBox([self.second, self.tab_outputs["Cross-tab"]]),
            widgets.VBox([self.change_from, self.tab_outputs["Change by group"]]),
            widgets.VBox([self.numerator_only, self.records_note, self.grid])], titles=TABS)
        self.export_folder = widgets.Text(value=str(paths.exports_dir()), description="Export to",
                                          layout=widgets.Layout(width="520px"))
        self.export_button = widgets.Button(description="Export CSV and Excel", icon="download")
        self.export_note = widgets.HTML()
        self.calls: Counter = Counter()
        """How often each step ran (computes, record lookups, redraws): a change should draw once."""
        self._cache: dict[tuple, pl.DataFrame] = {}
        self._rows_cache: dict[tuple, tuple] = {}
        self._syncing = 0
        self._drawn: set[str] = set()
        self._snapshot = None
        self._pending = None
        self._sync_breakdowns()
        self._sync_filters()
        self._sync_record_choices()
        for control in (self.indicator, self.periods, self.breakdown, self.district, self.age):
            control.observe(self._on_change, names="value")
        for control in (self.record_period, self.record_group):
            control.observe(self._on_record_change, names="value")
        for control in (self.spc_view, self.second, self.change_from, self.numerator_only):
            control.observe(self._on_view_change, names="value")
        self.tabs.observe(self._on_tab, names="selected_index")
        self.export_button.on_click(self._on_export)

    # -- state ----------------------------------------------------------------
    def _has_tables(self, indicator_id: str) -> bool:
        return all(self.data.has(t) for t in self.catalogue[indicator_id].tables)

    @property
    def _chosen(self) -> Indicator:
        return self.catalogue[self.indicator.value]

    def _sync_breakdowns(self) -> None:
        indicator = self._chosen
        options = [("Headline (no breakdown)", ALL)] + [
            (BREAKDOWN_NAMES.get(b, b).capitalize(), b) for b in indicator.breakdowns
        ]
        current = self.breakdown.value
        self.breakdown.options = options
        self.breakdown.value = current if current in dict(options).values() else ALL

    def applicable(self) -> dict[str, bool]:
        """Whether each filter (``district``, ``age_band``) can apply to the chosen indicator."""
        indicator = self._chosen
        children = about_children(self.data, indicator.id)
        return {"district": children, "age_band": children and not OWN_AGE_BANDS & set(indicator.breakdowns)}

    def _sync_filters(self) -> None:
        """Grey out the filters that cannot apply to the chosen indicator (their choice is kept, and ignored)."""
        applies = self.applicable()
        self.district.disabled = not applies["district"]
        self.age.disabled = not applies["age_band"]

    def filters(self) -> dict[str, str]:
        """The filters that apply, by breakdown: ``{"district": "Coldwater", "age_band": "10-15"}``."""
        applies = self.applicable()
        chosen = {"district": None if self.district.value == EVERYWHERE else self.district.value,
                  "age_band": None if self.age.value == EVERY_AGE else self.age.value}
        return {name: group for name, group in chosen.items() if group and applies[name]}

    def _sync_record_choices(self) -> None:
        """Offer the quarters and groups shown, keeping the ones chosen where they are still there (a new
        list of options would otherwise jump to its first: the oldest quarter)."""
        first, last = self.periods.value
        self.periods_words.value = f"{first} to {last}"
        chosen = [q for q in self.quarters if Period.parse(first).index <= Period.parse(q).index <= Period.parse(last).index]
        period = self.record_period.value
        self.record_period.options = chosen
        self.record_period.value = period if period in chosen else chosen[-1]
        table = self.shown()
        groups = in_natural_order(self.breakdown.value, table["group"].unique().to_list()) if table.height else [ALL]
        group = self.record_group.value
        self.record_group.options = groups
        self.record_group.value = group if group in groups else groups[0]
        seconds = [(NO_SECOND, "")] + [(BREAKDOWN_NAMES.get(b, b).capitalize(), b) for b in self._chosen.breakdowns
                                       if b != self.breakdown.value]
        second = self.second.value
        self.second.options = seconds
        self.second.value = second if second in dict(seconds).values() else ""
        earlier = [p.label for p in self._extended()[:-1]][::-1]  # the quarter before first, then back a year and more
        start = self.change_from.value
        self.change_from.options = earlier
        self.change_from.value = start if start in earlier else earlier[0]

    def _periods(self) -> list[Period]:
        first, last = self.periods.value
        return periods_between(Period.parse(first), Period.parse(last))

    def _where(self, filters: dict[str, str]) -> str:
        return ", ".join(filters.values())

    def notes(self) -> list[str]:
        """Why a filter is ignored or a figure withheld, for the chosen indicator and filters (shown above the chart)."""
        indicator, applies, filters = self._chosen, self.applicable(), self.filters()
        notes = []
        asked = [name for name, value, everything in (("district", self.district.value, EVERYWHERE),
                                                       ("age_band", self.age.value, EVERY_AGE))
                 if value != everything and not applies[name]]
        if asked and not about_children(self.data, indicator.id):
            notes.append(f"The district and age-band filters do not apply to {indicator.title.lower()}: "
                         "it counts staff, not children. The figures are the whole authority's.")
        elif asked:
            notes.append(f"The age-band filter does not apply to {indicator.title.lower()}: care leavers have age "
                         "bands of their own (17-18, 19-21); choose the age band breakdown.")
        if filters and per_population(indicator.id):
            figure = "rate" if indicator.unit == "rate_per_10k" else "figure"
            notes.append(f"No {figure} for {self._where(filters)}: it is worked out over the number of children "
                         "aged 0-17, which the population table gives for the whole authority only (not by district "
                         "or age band), so it would set these children's count against every child in the authority. "
                         f"The count is in the table (numerator); the {figure} is withheld.")
        return notes + self.unavailable_notes()

    def unavailable_notes(self) -> list[str]:
        """Why the data give no figure in some of the quarters shown, the quarters of each reason named.

        The reason is the engine's, word for word as ``perfkit measures`` and the report give it.
        """
        table = self.table()
        if "reason" not in table.columns:
            return []
        missing = table.filter(pl.col("reason").is_not_null()).group_by("reason", maintain_order=True).agg("period")
        notes = []
        for reason, periods in missing.iter_rows():
            shown = periods[0] if len(periods) == 1 else f"{periods[0]} to {periods[-1]} ({len(periods)} quarters)"
            notes.append(f"{self._chosen.title} in {shown}: {reason[:1].upper()}{reason[1:]}.")
        return notes

    # -- what the analyst sees --------------------------------------------------
    def _extended(self) -> list[Period]:
        """The quarters shown and the four before them: a year-ago change of the first quarter shown needs them."""
        periods = self._periods()
        return periods_between(periods[0].shift(-4), periods[-1])

    def _computed(self, alone: bool = False) -> pl.DataFrame:
        """The chosen indicator's rows, headline and breakdown, over :meth:`_extended` (one count for the
        table, the chart's headline and the changes), under the filters."""
        filters = self.filters()
        key = (self.indicator.value, self.periods.value, self.breakdown.value, tuple(filters.items()), alone)
        if key not in self._cache:
            self.calls["compute"] += 1
            periods = self._extended()
            breakdowns = [] if self.breakdown.value == ALL else [self.breakdown.value]
            windows = [Window(p, "alone") for p in periods] if alone else periods
            frame = compute(self.data, windows, [self.authority], indicators=[self.indicator.value],
                            closure_days=self.settings.closure_days, breakdowns=breakdowns,
                            data_end={self.authority: self.settings.data_as_at})
            if alone:
                frame = frame.with_columns(pl.col("period").str.strip_suffix(ALONE))
            if filters:
                frame = pl.concat([self._filtered(frame, filters, alone, b, periods)
                                   for b in dict.fromkeys([ALL, self.breakdown.value])], how="vertical_relaxed")
            self._cache[key] = frame
        return self._cache[key]

    def table(self, alone: bool = False, breakdown: str | None = None) -> pl.DataFrame:
        """Tidy rows for the chosen indicator, breakdown (or ``breakdown``: ``"all"`` for the headline),
        periods and filters (unsuppressed).

        With ``alone``, those of each quarter alone (annualised; labelled by quarter): what the trend of a
        sum over a rolling 12 months shows (the catalogue's ``trend: quarter_alone``).
        """
        chosen = self.breakdown.value if breakdown is None else breakdown
        shown = [p.label for p in self._periods()]
        frame = self._computed(alone).filter(pl.col("period").is_in(shown))
        own = frame.filter(pl.col("breakdown") == chosen)
        # a figure the data cannot give has its reason on the headline row alone: kept for every breakdown
        return frame.filter((pl.col("breakdown") == chosen) | (
            pl.col("reason").is_not_null() & ~pl.col("period").is_in(own["period"].unique().implode())))

    def _rows(self, filters: dict[str, str], alone: bool = False) -> tuple:
        """The rows counted under ``filters`` for the chosen indicator and quarters (each alone, with ``alone``),
        and how they are counted."""
        key = (self.indicator.value, self.periods.value, tuple(filters.items()), alone)
        if key not in self._rows_cache:
            self.calls["rows"] += 1
            periods = self._extended()
            windows = [Window(p, "alone") for p in periods] if alone else periods
            self._rows_cache[key] = filtered_rows(self.data, self.indicator.value, windows_frame(windows),
                                                  self.settings.closure_days, filters)
        return self._rows_cache[key]

    def _filtered(self, unfiltered: pl.DataFrame, filters: dict[str, str], alone: bool, breakdown: str,
                  periods: list[Period]) -> pl.DataFrame:
        """The figures under ``filters``, in the form (and row order) of ``unfiltered``, computed for the same quarters.

        A headline counts 0 in a quarter without rows, as the engine's does; a group without rows has no row,
        as the engine's breakdowns. A quarter the data cannot support keeps the engine's reason and no figure.
        """
        indicator = self._chosen
        if not self._has_tables(indicator.id):  # nothing to filter: the engine's rows say why there is no figure
            return unfiltered.filter(pl.col("breakdown") == breakdown)
        rows, result = self._rows(filters, alone)
        rows = rows.with_columns(pl.col("period").cast(pl.String).str.strip_suffix(ALONE))
        counted = aggregate_breakdowns(rows, result, [breakdown])
        if breakdown == ALL:
            grid = pl.DataFrame({"la_code": [self.authority]}).join(
                pl.DataFrame({"period": [p.label for p in periods]}), how="cross")
            counted = grid.join(counted.drop("breakdown", "group"), on=KEYS, how="left").with_columns(
                breakdown=pl.lit(ALL), group=pl.lit(ALL),
                numerator=pl.col("numerator").fill_null(0.0) if result.value is None else pl.col("numerator"),
                denominator=(pl.col("denominator").fill_null(0.0) if result.denominator is not None
                             else pl.col("denominator")))
        figures = finish_values(counted.with_columns(indicator=pl.lit(indicator.id)), {indicator.id: indicator.unit})
        if alone:
            figures = annualised(figures, [p.label for p in periods], [indicator.id])
        reason = pl.lit(None, dtype=pl.String)
        if per_population(indicator.id):
            figures = figures.with_columns(denominator=pl.lit(None, pl.Float64), value=pl.lit(None, pl.Float64))
            reason = pl.lit(f"withheld: no population of children aged 0-17 for {self._where(filters)}")
        figures = figures.with_columns(reason=reason)
        if "reason" in unfiltered.columns:  # a quarter the data cannot support has no figure, filtered or not
            unsupported = unfiltered.filter(pl.col("reason").is_not_null() & (pl.col("breakdown") == ALL))
            kept = [unsupported.select(figures.columns).with_columns(pl.col("period").cast(pl.String))] if breakdown == ALL else []
            figures = pl.concat([figures.join(unsupported.select("period"), on="period", how="anti"), *kept],
                                how="vertical_relaxed")
        order = {p.label: n for n, p in enumerate(periods)}
        figures = figures.with_columns(_order=pl.col("period").replace_strict(order, return_dtype=pl.Int64))
        columns = unfiltered.columns if set(unfiltered.columns) <= set(figures.columns) else figures.columns
        return figures.sort("_order", "group").select([pl.col(c).cast(unfiltered.schema.get(c, figures.schema[c]))
                                                       for c in columns if c != "_order"])

    def pivot(self) -> pl.DataFrame:
        """Groups by periods: the table shown under the chart."""
        frame = self.shown()
        if frame.height == 0:
            return frame
        pivot = frame.pivot(on="period", index="group", values="value")
        order = {g: n for n, g in enumerate(in_natural_order(self.breakdown.value, pivot["group"].to_list()))}
        return pivot.sort(pl.col("group").replace_strict(order, return_dtype=pl.Int64))

    def shown(self, alone: bool = False) -> pl.DataFrame:
        """The rows of the chosen breakdown (:meth:`table` less the headline rows that only carry a reason)."""
        return self.table(alone).filter(pl.col("breakdown") == self.breakdown.value)

    def title(self, of: str | None = None) -> str:
        """The chart's title: the indicator (or ``of``), and the filters chosen that apply to it (the others
        are ignored)."""
        shown, of = list(self.filters().values()), of or self._chosen.title
        return f"{of} ({', '.join(shown)})" if shown else of

    def spc(self) -> SeriesSpc:
        """The process control (NHS Making Data Count) of the chosen group's trend over the quarters shown,
        as the member report draws it: its target, the authority's declared changes (``spc_rebase``), and
        the same reasons where no limits are drawn (a quarter with no figure). A sum over a rolling 12 months
        is each quarter alone, annualised, as the report charts it."""
        from perfkit.present.process_control import series_spc

        indicator, rows = self._chosen, self._group_rows(self._alone)
        target = self._targets.get(indicator.id)
        goal = None if target is None or not rows else target.value_for(Period.parse(rows[-1]["period"]))
        return series_spc(indicator, rows, goal, self.settings.rebase_at(indicator.id), small_number_charts=True,
                          quarters_alone=self._alone)

    @property
    def _alone(self) -> bool:
        """Whether the chosen indicator's trend is each quarter alone (a sum over a rolling 12 months)."""
        return self._chosen.trend == QUARTER_ALONE

    def spc_chart(self) -> ChartOutput:
        """The chosen group's trend as the member report's process control chart (one chart function for both)."""
        from perfkit.present.charts import trend_chart
        from perfkit.present.formatting import format_value
        from perfkit.present.process_control import chart_columns

        indicator, spc = self._chosen, self.spc()
        limits = chart_columns(spc)
        target = self._targets.get(indicator.id)
        title = self.title(indicator.trend_title)
        title = title if self.record_group.value == ALL else f"{title}: {self.record_group.value}"
        rows = [{"title": title, "period": p, "value": v, "shown": format_value(v, indicator),
                 "target": None if target is None else target.value_for(Period.parse(p)),
                 **limits.get(p, {"mean": None, "lower_limit": None, "upper_limit": None, "point_type": None})}
                for p, v in ((r["period"], r["value"]) for r in self._group_rows(self._alone))]
        series = pl.DataFrame(rows, schema_overrides={"value": pl.Float64, "target": pl.Float64, "mean": pl.Float64,
                                                      "lower_limit": pl.Float64, "upper_limit": pl.Float64,
                                                      "point_type": pl.String})
        return trend_chart(series, indicator.trend_title, list(spc.periods), None, {title: indicator})

    def _group_rows(self, alone: bool = False) -> list[dict]:
        """The chosen group's rows over the quarters shown (each alone, with ``alone``), oldest first."""
        order = {q: n for n, q in enumerate(self.quarters)}
        return sorted(self.shown(alone).filter(pl.col("group") == self.record_group.value).to_dicts(),
                      key=lambda r: order[r["period"]])

    def chart(self) -> ChartOutput:
        """The trend of each group shown against the authority's headline (dashed), the group chosen under
        Group drawn over the others; or, with the SPC view, that group's process control chart."""
        if self.spc_view.value:
            return self.spc_chart()
        from perfkit.workbench.explorer_charts import trend_lines

        self.calls["chart"] += 1
        indicator = self._chosen
        rows = self.shown()
        if self.breakdown.value != ALL:
            rows = pl.concat([self.table(breakdown=ALL).filter(pl.col("breakdown") == ALL), rows])
        rows = rows.with_columns(group=pl.when(pl.col("group") == ALL).then(pl.lit(HEADLINE)).otherwise(pl.col("group")))
        y_title = indicator.title
        if indicator.unit == "rate_per_10k" and self.breakdown.value != ALL:  # no population by group: counts
            rows, y_title = rows.with_columns(value=pl.col("numerator")), f"{indicator.numerator[:1].upper()}{indicator.numerator[1:]} (count)"
        notes = self.notes()
        title = {"text": self.title(), "subtitle": notes} if notes else self.title()
        order = [HEADLINE, *in_natural_order(self.breakdown.value, self.shown()["group"].unique().to_list())]
        return trend_lines(rows, [p.label for p in self._periods()], title, y_title,
                           BREAKDOWN_NAMES.get(self.breakdown.value, ""), self.record_group.value, order)

    # -- tables an analyst reads ------------------------------------------------
    def figures(self) -> pl.DataFrame:
        """Each group's figure by quarter shown (rounded), the last quarter's counts and its change on the
        quarter before and a year before, small bases flagged (:func:`analyst_tables.figures_frame`)."""
        frame = self._computed()  # the indicator's own figures (a rolling 12 months as such), as the report's
        quarters = [p.label for p in self._periods()]
        rows = frame.filter(pl.col("breakdown").is_in([ALL, self.breakdown.value]) & pl.col("reason").is_null())
        return figures_frame(rows, self._chosen, self.breakdown.value, quarters)

    def crosstab(self) -> pl.DataFrame:
        """The quarter under "Records for" by the breakdown and the second breakdown (``second``): the first's
        groups down, the second's across (:func:`analyst_tables.crosstab_frame`); empty with no second."""
        second, first = self.second.value, self.breakdown.value
        if not second or first == ALL or not self._has_tables(self.indicator.value):
            return pl.DataFrame()
        rows, result = self._rows(self.filters())
        rows = rows.with_columns(pl.col("period").cast(pl.String)).filter(pl.col("period") == self.record_period.value)
        if "child_id" in rows.columns:
            rows = with_children(rows, self.data)
        counted = (rows.with_columns(group=group_expression(first, rows.columns), group2=group_expression(second, rows.columns))
                   .group_by("la_code", "period", "group", "group2").agg(**aggregations(result)))
        counted = finish_values(counted.with_columns(indicator=pl.lit(self.indicator.value)),
                                {self.indicator.value: self._chosen.unit})
        return crosstab_frame(counted, first, second, self._chosen)

    def contributions(self) -> pl.DataFrame:
        """Which groups moved the headline from the quarter under "Change from" to the last quarter shown
        (:func:`analyst_tables.contributions_frame`)."""
        if self.breakdown.value == ALL:
            return pl.DataFrame()
        rows = self._computed().filter(pl.col("breakdown").is_in([ALL, self.breakdown.value]))
        return contributions_frame(rows, self._chosen, self.breakdown.value, self.change_from.value,
                                   self._periods()[-1].label)

    def records(self) -> pl.DataFrame:
        """The records behind the selected period and group (analyst only: names children), readable: whether
        each is in the numerator, codes decoded, age and district, the earlier referral of a re-referral;
        only those in the numerator with "Only the numerator" ticked."""
        self.calls["records"] += 1
        if not self._has_tables(self.indicator.value):
            return pl.DataFrame()
        rows, result = self._rows(self.filters())
        rows = rows.with_columns(pl.col("period").cast(pl.String)).filter(pl.col("period") == self.record_period.value)
        if "child_id" in rows.columns:
            rows = with_children(rows, self.data)
        rows = rows.filter(group_expression(self.breakdown.value, rows.columns) == self.record_group.value)
        shown = readable(rows, result, self.data.table("referrals") if self.data.has("referrals") else None)
        return shown.filter(pl.col(IN_NUMERATOR)) if self.numerator_only.value else shown
