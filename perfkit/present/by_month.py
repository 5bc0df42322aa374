"""Figures month by month, over the 13 months to the quarter's end.

Members ask about months: "the largest number of referrals in July",
"contacts go down in the summer holidays and rise in September", "children
missing from care at any time in the month", "agency social workers increased
in October". The catalogue names the figures shown this way (``by_month``:
the figure, and at most one breakdown's groups); they are counted for each
month as for a quarter (:func:`perfkit.pipeline.aggregates.monthly_figures`)
and pass through the same disclosure control as every figure, which relates
each month to the quarters and years it makes up (a quarter's referrals are
its three months'), so a small month is hidden, and so is whatever would give
it back.

One table, the months across as in a trend's table, in a section of its own
after the families, on screen and on paper (one table, not one a family: on
paper the three took a page more); the 13th month back is the same month a
year earlier.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import polars as pl

from perfkit.indicators.catalogue import ALL, Indicator
from perfkit.indicators.labels import in_natural_order
from perfkit.indicators.periods import Month, Period, is_month
from perfkit.present.disclosure import DROPPED_REASON, shown_text
from perfkit.present.html_tables import Cell, HtmlTable

READING = ("each month counted as a quarter is: the events in the month, or the figure at its end; a group "
           "left empty: too few that month to break down")
MONTH_BY_MONTH = "Month by month"
"""The section's title, and the start of its table's caption: "Month by month, March 2024 to March 2025"."""
MONTHS = 13
"""How many months the section shows: the quarter's year and the month before it, the same month a year
earlier."""


def months_to(period: Period, count: int = MONTHS) -> list[Month]:
    """The ``count`` months ending with the quarter's last, oldest first: the months the section shows.

    >>> [m.label for m in months_to(Period.parse("2024-25 Q4"), 2)]
    ['2024-25 M11', '2024-25 M12']
    """
    return Month.containing(period.end).series(count)


def a_month() -> pl.Expr:
    """Whether a measures row is a month's (``"2024-25 M07"``), not a quarter's or a window's."""
    return pl.col("period").map_elements(is_month, return_dtype=pl.Boolean)


def month_rows(measures: pl.DataFrame) -> dict[tuple[str, str], pl.DataFrame]:
    """The figures of ``measures`` shown month by month, by (indicator, breakdown)."""
    months = measures.filter(a_month())
    return months.partition_by("indicator", "breakdown", as_dict=True, maintain_order=True) if months.height else {}


def row_name(indicator: Indicator, group: str) -> str:
    """A row's heading: the figure's title, or a group's name alone, in the rows under its figure's.

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> row_name(load_catalogue()["missing_children"], "all"), row_name(load_catalogue()["missing_children"], "Missing from care")
    ('Children who went missing', 'Missing from care')
    """
    return indicator.title if group == ALL else group


@dataclass(frozen=True)
class MonthByMonth:
    """The figures shown month by month, as members may see them.

    ``months`` holds the report's month rows (after disclosure control) by (indicator, breakdown).

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> rows = pl.DataFrame({"period": ["2024-25 M12", "2024-25 M11"], "indicator": ["referrals"] * 2,
    ...                      "breakdown": ["all"] * 2, "group": ["all"] * 2, "value": [31.0, 3.0],
    ...                      "suppressed": [False, True], "suppression": [None, "small"], "reason": [None, None]})
    >>> table = MonthByMonth((load_catalogue()["referrals"],), {("referrals", "all"): rows},
    ...                      Period.parse("2024-25 Q4"), 5).table()
    >>> table.caption  # doctest: +ELLIPSIS
    'Month by month, March 2024 to March 2025 (each month counted as a quarter is: ...)'
    >>> [c.text for c in table.rows[0]][-3:]
    ['', 'fewer than 5', '31']
    """

    indicators: tuple[Indicator, ...]
    months: dict
    period: Period
    threshold: int
    count: int = MONTHS

    @cached_property
    def shown_months(self) -> list[Month]:
        """The months across, oldest first, ending with the quarter's last."""
        return months_to(self.period, self.count)

    def _cell(self, indicator: Indicator, row: dict | None) -> str:
        return "" if row is None else shown_text(indicator, row, self.threshold)

    def _rows(self, indicator: Indicator) -> list[list[Cell]]:
        """The figure's row, then a row for each group of its breakdown (if any). A group with no row in a
        month had none, where that month's figure is shown; a month too small to break down (or whose
        breakdown disclosure control dropped) leaves the groups empty, as its breakdown says who the few are."""
        whole = self.months.get((indicator.id, ALL))
        if whole is None:  # the catalogue's by_month always holds "all": a group's row is read under its figure's
            return []
        totals = {r["period"]: r for r in whole.iter_rows(named=True)}
        found = [[Cell(row_name(indicator, ALL)),
                  *(Cell(self._cell(indicator, totals.get(m.label)), "pk-num") for m in self.shown_months)]]
        for breakdown in (b for b in indicator.by_month if b != ALL):
            groups = self.months.get((indicator.id, breakdown))
            if groups is None or groups.height == 0:
                continue
            by_key = {(r["period"], r["group"]): r for r in groups.iter_rows(named=True)}
            dropped = {period for (period, _), r in by_key.items() if r.get("suppression") == DROPPED_REASON}
            for group in in_natural_order(breakdown, sorted({g for _, g in by_key})):
                cells = []
                for month in self.shown_months:
                    total = totals.get(month.label) or {}
                    row = by_key.get((month.label, group))
                    if month.label in dropped or total.get("suppressed") or total.get("reason") or not total:
                        text = ""
                    elif row is None:
                        text = "0"
                    else:
                        text = self._cell(indicator, row)
                    cells.append(Cell(text, "pk-num"))
                found.append([Cell(row_name(indicator, group), "pk-group"), *cells])
        return found

    def table(self) -> HtmlTable | None:
        """The table, its months across (None where no figure is shown by month)."""
        rows = [row for indicator in self.indicators if indicator.by_month for row in self._rows(indicator)]
        if not rows:
            return None
        first, last = self.shown_months[0], self.shown_months[-1]
        return HtmlTable(f"{MONTH_BY_MONTH}, {first.name} to {last.name} ({READING})",
                         ["Indicator", *(m.short for m in self.shown_months)], rows, "pk-months")

    def html(self) -> str:
        """The section: its title and the table; empty without a table."""
        table = self.table()
        if table is None:
            return ""
        return f'<h2 class="pk-months-title">{MONTH_BY_MONTH}</h2>' + table.html()


def read_month_table(caption: str, headers: list[str], rows: list[list[str]], names) -> Iterator:
    """The figures month by month (:mod:`perfkit.present.by_month`): a row for each figure, and for each group
    under its figure's, a column for each month, headed as members read it ("Oct 2024"), read back as the
    disclosure audit reads every table (:mod:`perfkit.present.disclosure_audit`): the figures it shows, and
    findings where it cannot place one. ``names`` is the page's :class:`perfkit.present.page_names.PageNames`."""
    from perfkit.present.disclosure_audit import Finding, Shown, parse_number

    months = [Month.from_short(h) for h in headers[1:]]
    if headers[:1] != ["Indicator"] or None in months:
        if any(re.search(r"\d", cell) for row in rows for cell in row[1:]):
            yield Finding("a table of months the audit cannot place", caption)
        return
    above = None  # the last figure's title: a group's row is read under it
    for row in rows:
        found = names.month_row(row[0], above) if row else None
        if found is not None and found[1] == ALL:
            above = row[0]
        if found is None:
            if any(parse_number(cell) is not None for cell in row[1:]):
                yield Finding("a figure the audit cannot place", f"{caption}, row '{row[0] if row else ''}'")
            continue
        for month, text in zip(months, row[1:]):
            if text.strip():
                yield Shown(month.label, *found, text, f"{caption}, {row[0]}, {month.short}")
