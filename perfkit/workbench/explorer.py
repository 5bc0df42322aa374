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

import datetime as dt
from pathlib import Path

import polars as pl

from perfkit.config import paths
from perfkit.config.settings import authority_settings
from perfkit.errors import PeriodError
from perfkit.indicators.breakdowns import AGE_BANDS, ALL, age_band
from perfkit.indicators.catalogue import load_catalogue
from perfkit.indicators.children import age_on
from perfkit.indicators.engine import compute, records_for
from perfkit.indicators.periods import Period, latest_complete_period, periods_between

from perfkit.present.authority_report import BREAKDOWN_NAMES
from perfkit.present.charts import ChartOutput, to_spec
from perfkit.records.dataset import Dataset
from perfkit.records.loading import load_dataset

EVERYWHERE = "All districts"
EVERY_AGE = "All ages"


def restrict_children(data: Dataset, district: str | None = None, band: str | None = None, on: dt.date | None = None) -> Dataset:
    """The dataset limited to children of one district and/or age band (age on ``on``).

    Tables without children (workforce, population) are kept whole, so rates
    still use the whole authority's population.
    """
    children = data.table("children")
    if district:
        children = children.filter(pl.col("district") == district)
    if band:
        on = on or dt.date.today()
        children = children.filter(age_band(age_on(pl.lit(on), pl.col("date_of_birth"))) == band)
    keys = children.select("la_code", "child_id")
    tables = {}
    for name, frame in data.tables.items():
        if name == "children":
            tables[name] = children
        elif "child_id" in frame.columns:
            tables[name] = frame.join(keys, on=["la_code", "child_id"], how="semi")
        else:
            tables[name] = frame
    return Dataset(data.directory, tables)


class Explorer:
    """Drill-downs by indicator, period range, breakdown, district and age band.

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
        span = self.data.event_span()
        if self.authority not in span:
            raise PeriodError(f"authority {self.authority!r} has no dated records: there is nothing to explore")
        latest = latest_complete_period(self.settings.data_end(span[self.authority][1]))
        self.quarters = [p.label for p in latest.series(quarters)]
        available = {i for i in self.catalogue.ids if self._has_tables(i)}
        options = [(i.title, i.id) for i in self.catalogue.indicators if i.id in available]
        districts = sorted(d for d in self.data.table("children")["district"].unique().to_list() if d)
        self.indicator = widgets.Dropdown(options=options, description="Indicator")
        self.periods = widgets.SelectionRangeSlider(options=self.quarters, index=(0, len(self.quarters) - 1), description="Quarters")
        self.breakdown = widgets.Dropdown(description="Breakdown")
        self.district = widgets.Dropdown(options=[EVERYWHERE, *districts], description="District")
        self.age = widgets.Dropdown(options=[EVERY_AGE, *[label for _, _, label in AGE_BANDS]], description="Age band")
        self.record_period = widgets.Dropdown(description="Records for")
        self.record_group = widgets.Dropdown(description="Group")
        self.chart_output = widgets.Output()
        self.table_output = widgets.Output()
        self.records_output = widgets.Output()
        self._cache: dict[tuple, pl.DataFrame] = {}
        self._sync_breakdowns()
        self._sync_record_choices()
        for control in (self.indicator, self.periods, self.breakdown, self.district, self.age):
            control.observe(self._on_change, names="value")
        for control in (self.record_period, self.record_group):
            control.observe(self._on_record_change, names="value")

    # -- state ----------------------------------------------------------------
    def _has_tables(self, indicator_id: str) -> bool:
        from perfkit.indicators.measures import REGISTRY

        return all(self.data.has(t) for t in REGISTRY[indicator_id].tables)

    def _sync_breakdowns(self) -> None:
        indicator = self.catalogue[self.indicator.value]
        options = [("Headline (no breakdown)", ALL)] + [
            (BREAKDOWN_NAMES.get(b, b).capitalize(), b) for b in indicator.breakdowns
        ]
        current = self.breakdown.value
        self.breakdown.options = options
        self.breakdown.value = current if current in dict(options).values() else ALL

    def _sync_record_choices(self) -> None:
        first, last = self.periods.value
        chosen = [q for q in self.quarters if Period.parse(first).index <= Period.parse(q).index <= Period.parse(last).index]
        self.record_period.options = chosen
        if self.record_period.value not in chosen:
            self.record_period.value = chosen[-1]
        groups = self.table()["group"].unique().sort().to_list() if self.table().height else [ALL]
        self.record_group.options = groups
        if self.record_group.value not in groups:
            self.record_group.value = groups[0]

    @property
    def selected_data(self) -> Dataset:
        district = None if self.district.value == EVERYWHERE else self.district.value
        band = None if self.age.value == EVERY_AGE else self.age.value
        if not district and not band:
            return self.data
        return restrict_children(self.data, district, band, Period.parse(self.periods.value[1]).end)

    def _periods(self) -> list[Period]:
        first, last = self.periods.value
        return periods_between(Period.parse(first), Period.parse(last))

    # -- what the analyst sees --------------------------------------------------
    def table(self) -> pl.DataFrame:
        """Tidy rows for the chosen indicator, breakdown, periods and filters (unsuppressed)."""
        key = (self.indicator.value, self.periods.value, self.breakdown.value, self.district.value, self.age.value)
        if key not in self._cache:
            breakdowns = [] if self.breakdown.value == ALL else [self.breakdown.value]
            frame = compute(self.selected_data, self._periods(), [self.authority], indicators=[self.indicator.value],
                            closure_days=self.settings.closure_days,
                            breakdowns=breakdowns)
            self._cache[key] = frame.filter(pl.col("breakdown") == self.breakdown.value)
        return self._cache[key]

    def pivot(self) -> pl.DataFrame:
        """Groups by periods: the table shown under the chart."""
        frame = self.table()
        if frame.height == 0:
            return frame
        return frame.pivot(on="period", index="group", values="value")

    def chart(self) -> ChartOutput:
        from perfkit.present.charts import import_altair

        alt = import_altair()

        indicator = self.catalogue[self.indicator.value]
        data = self.table().select("period", "group", "value").to_dicts()
        chart = (
            alt.Chart(alt.Data(values=data))
            .mark_line(point=True)
            .encode(x=alt.X("period:O", sort=[p.label for p in self._periods()], title="Quarter"),
                    y=alt.Y("value:Q", title=indicator.title, scale=alt.Scale(zero=False)),
                    color=alt.Color("group:N", title=BREAKDOWN_NAMES.get(self.breakdown.value, "")),
                    tooltip=["period:O", "group:N", alt.Tooltip("value:Q", format=",.1f")])
            .properties(width=600, height=260, title=f"{indicator.title} ({self.district.value}, {self.age.value})")
        )
        return ChartOutput(to_spec(chart), indicator.title)

    def records(self) -> pl.DataFrame:
        """The records behind the selected period and group (analyst only: names children)."""
        return records_for(self.selected_data, self.indicator.value, self.record_period.value,
                           self.breakdown.value, self.record_group.value, self.settings.closure_days)

    # -- wiring ---------------------------------------------------------------
    def _on_change(self, change) -> None:
        if change["owner"] is self.indicator:
            self._sync_breakdowns()
        self._sync_record_choices()
        self.refresh()

    def _on_record_change(self, change) -> None:
        self.refresh_records()

    def refresh(self) -> None:
        from IPython.display import display

        self.chart_output.clear_output(wait=True)
        with self.chart_output:
            display(self.chart())
        self.table_output.clear_output(wait=True)
        with self.table_output:
            display(self.pivot())
        self.refresh_records()

    def refresh_records(self) -> None:
        from IPython.display import display

        self.records_output.clear_output(wait=True)
        with self.records_output:
            records = self.records()
            print(f"{records.height} records (analyst only: never share these)")
            display(records.head(200))

    def widget(self):
        """The explorer's controls and outputs, ready to display."""
        import ipywidgets as widgets

        self.refresh()
        controls = widgets.VBox([self.indicator, self.periods, widgets.HBox([self.breakdown, self.district, self.age])])
        drill = widgets.HBox([self.record_period, self.record_group])
        return widgets.VBox([controls, self.chart_output, self.table_output,
                             widgets.HTML("<b>Records behind a cell (analyst only)</b>"), drill, self.records_output])
