"""The explorer's widgets at work: what each change draws (once), its tabs, export and the saved notebook's
static copy. :class:`perfkit.workbench.explorer.Explorer` holds the controls and works out what they show."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path


from perfkit.present.breakdown_tables import BREAKDOWN_NAMES
from perfkit.workbench.analyst_tables import SMALL_BASE, styled

TABS = ("Figures", "Cross-tab", "Change by group", "Records")
"""The explorer's tabs under the chart: only the open one is drawn on a change."""
SNAPSHOT_DELAY = 1.0
"""Seconds after the last change before the saved notebook's static copy is drawn again."""


class ExplorerView:
    """The wiring of :class:`perfkit.workbench.explorer.Explorer`'s widgets (a part of it, not used alone)."""

    def export(self) -> list[Path]:
        """The figures, the cross-tab and change by group (where chosen) and the records on screen, as CSV and
        one Excel workbook, in the folder under "Export to" (analyst only: the records name children)."""
        from perfkit.workbench.export import export_tables, file_stem

        first, last = self.periods.value
        tables = {"figures": self.figures(), "records": self.records()}
        for name, table in (("crosstab", self.crosstab()), ("change_by_group", self.contributions())):
            if table.height:
                tables[name] = table
        stem = file_stem(self.authority, self.indicator.value, self.breakdown.value, first, last)
        return export_tables(tables, self.export_folder.value, stem)

    # -- wiring ---------------------------------------------------------------
    @contextmanager
    def _quietly(self):
        """Changes made while syncing one control to another draw nothing: the change that started them
        draws once, at the end."""
        self._syncing += 1
        try:
            yield
        finally:
            self._syncing -= 1

    def _on_change(self, change) -> None:
        if self._syncing:
            return
        with self._quietly():
            if change["owner"] is self.indicator:
                self._sync_breakdowns()
                self._sync_filters()
            self._sync_record_choices()
        self.refresh()

    def _on_record_change(self, change) -> None:
        if self._syncing:
            return
        if change["owner"] is self.record_group:
            self._draw_chart()  # the group chosen is drawn over the others (or its own limits, in the SPC view)
        self._draw_tab(records_only=True)

    def _on_view_change(self, change) -> None:
        if self._syncing:
            return
        if change["owner"] is self.spc_view:
            self._draw_chart()
        else:
            self._draw_tab()

    def refresh(self) -> None:
        """Draw the notes, the chart and the open tab; the others are drawn when opened."""
        from html import escape

        self.calls["refresh"] += 1
        self.note.value = "".join(f"<p><b>Note.</b> {escape(n)}</p>" for n in self.notes())
        self._draw_chart()
        self._drawn.clear()
        self._draw_tab()

    def refresh_records(self) -> None:
        self._draw_tab(records_only=True)

    def _draw_chart(self) -> None:
        from IPython.display import display

        self.chart_output.clear_output(wait=True)
        with self.chart_output:
            display(self.chart())
        self._snapshot_later()

    def _draw_tab(self, records_only: bool = False) -> None:
        """Draw the open tab (records only, where only the records' choices changed)."""
        from IPython.display import HTML, display

        tab = TABS[self.tabs.selected_index or 0]
        if records_only and tab != "Records":
            self._drawn.discard("Records")
            return
        self._drawn.add(tab)
        if tab == "Records":
            records = self.records()
            self.records_note.value = (f"<b>{records.height:,} records</b> (analyst only: never share these). "
                                       "Sort by a column's heading; search, or filter a column, above the grid.")
            self.grid.update(df=records)
            return
        output = self.tab_outputs[tab]
        output.clear_output(wait=True)
        with output:  # wide tables scroll sideways, not cut at the notebook's edge
            display(HTML(f'<div style="overflow-x: auto; max-width: 100%">{self._tab_html(tab)}</div>'))
        self._snapshot_later()

    def _tab_html(self, tab: str) -> str:
        from html import escape

        indicator = self._chosen
        if tab == "Figures":
            return styled(self.figures(), self.title(), f"{indicator.definition} Changes are of the rounded figures"
                          f"{' (percentage points)' if indicator.unit == 'percent' else ''}; a small base is fewer "
                          f"than {SMALL_BASE} children or events.", indicator.decimals).as_raw_html()
        if tab == "Cross-tab":
            table = self.crosstab()
            if not table.height:
                return "<p>Choose a breakdown, then a second breakdown under <b>Cross-tab by</b>.</p>"
            what = "count" if indicator.unit == "rate_per_10k" else "figure"
            table = table.rename({"group": BREAKDOWN_NAMES.get(self.breakdown.value, "group").capitalize()})
            return styled(table, f"{self.title()}, {self.record_period.value}",
                          f"Each cell the {what}: {escape(BREAKDOWN_NAMES.get(self.breakdown.value, ''))} down, "
                          f"{escape(BREAKDOWN_NAMES.get(self.second.value, ''))} across.", indicator.decimals).as_raw_html()
        table = self.contributions()
        if not table.height:
            return "<p>Choose a breakdown to see which groups moved the headline.</p>"
        return styled(table, f"{self.title()}: change by group", f"From {self.change_from.value} to "
                      f"{self._periods()[-1].label}, largest rise first.", indicator.decimals).as_raw_html()

    def _on_tab(self, change) -> None:
        tab = TABS[change["new"] or 0]
        if tab not in self._drawn:
            self._draw_tab()

    def _on_export(self, _button) -> None:
        from html import escape

        try:
            written = self.export()
        except OSError as error:
            self.export_note.value = f"<b>Not exported:</b> {escape(str(error))}"
            return
        self.export_note.value = (f"Exported to <code>{escape(str(written[0].parent))}</code>: "
                                  + ", ".join(f"<code>{escape(p.name)}</code>" for p in written))

    def _snapshot_later(self) -> None:
        """Refresh the static copy of the view (for the saved notebook) a moment after the last change, so
        that changes in quick succession draw it once."""
        if self._snapshot is None:
            return
        try:
            import asyncio

            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a script): draw it now
            self.draw_snapshot()
            return
        if self._pending is not None:
            self._pending.cancel()
        self._pending = loop.call_later(SNAPSHOT_DELAY, self.draw_snapshot)

    def draw_snapshot(self) -> None:
        """The chart (as SVG) and the figures table, as a plain output of the cell: what a saved notebook
        shows where the widgets need a running kernel."""
        from IPython.display import HTML

        from perfkit.present.charts import svg_of

        self._pending = None
        if self._snapshot is None:
            return
        self.calls["snapshot"] += 1
        html = (f"<details><summary>Static copy of this view, kept when the notebook is saved (the controls "
                f"need a running kernel)</summary>{svg_of(self.chart())}{self._tab_html('Figures')}</details>")
        self._snapshot.update(HTML(html))

    def widget(self):
        """The explorer's controls and outputs, ready to display."""
        import ipywidgets as widgets

        self.refresh()
        controls = widgets.VBox([self.indicator, widgets.HBox([self.periods, self.periods_words]),
                                 widgets.HBox([self.breakdown, self.district, self.age])])
        drill = widgets.HBox([self.record_period, self.record_group])
        exporting = widgets.HBox([self.export_folder, self.export_button])
        return widgets.VBox([controls, self.spc_view, self.note, self.chart_output, drill, self.tabs,
                             exporting, self.export_note])

    def show(self) -> None:
        """Display the explorer, and under it a static copy of its view that the saved notebook keeps."""
        from IPython.display import HTML, display

        display(self.widget())
        self._snapshot = display(HTML(""), display_id=True)
        self.draw_snapshot()
