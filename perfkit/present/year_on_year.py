"""A count's groups this quarter beside the same quarter a year earlier.

Members ask how a group moves ("fewer very young children coming into care",
"referrals from schools", "girls or boys going missing"), and a breakdown is
otherwise this quarter's only. The catalogue names the breakdowns shown this
way (``year_on_year``); their groups a year earlier are computed with the
report's figures (:func:`perfkit.pipeline.aggregates.year_earlier_groups`) and
pass through the same disclosure control, so a hidden group is hidden in both
quarters as anywhere else, and a change is given only between two figures
shown.

On screen each is a table of its own, the groups across, with a row for each
quarter and one for the change (:meth:`YearOnYear.html`); on paper the
year-earlier figures are a column beside this quarter's in the family's
breakdown table (:meth:`YearOnYear.rows`, read by
:func:`perfkit.present.breakdown_tables.print_tables`), which takes no more
lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import polars as pl

from perfkit.indicators.catalogue import Indicator
from perfkit.indicators.labels import in_natural_order
from perfkit.indicators.periods import Period
from perfkit.present.breakdown_tables import ROWS_SCHEMA, choice, dropped, not_recorded
from perfkit.present.disclosure import shown_text
from perfkit.present.html_tables import Cell, HtmlTable

CHANGE = "Change"
"""The heading of the row that gives this quarter's figure less the year-earlier one."""
A_YEAR_EARLIER = "and a year earlier"
"""The end of such a table's caption: "Referrals by source: 2024-25 Q4 and a year earlier"."""
SCREEN_ONLY = "pk-screen-only"
"""Shown on screen only: on paper the same figures are in the breakdown tables."""


def change_text(now: float | None, before: float | None) -> str:
    """This quarter's count less the year-earlier one, signed; empty unless both are shown.

    >>> change_text(12, 9), change_text(5, 8), change_text(7, 7), change_text(None, 8)
    ('+3', '-3', '0', '')
    """
    if now is None or before is None:
        return ""
    difference = now - before
    return f"{difference:+,.0f}" if difference else "0"


@dataclass(frozen=True)
class Groups:
    """One breakdown's groups in the two quarters, as members may see them."""

    indicator: Indicator
    breakdown: str
    groups: tuple[str, ...]
    shown: tuple[tuple[str, ...], tuple[str, ...]]
    """This quarter's texts and the year-earlier quarter's, a group each: "fewer than 5", "withheld", or "0"
    where a group had no row (none that quarter)."""
    values: tuple[tuple[float | None, ...], tuple[float | None, ...]]
    """The same, as numbers; None where hidden."""


@dataclass(frozen=True)
class YearOnYear:
    """The breakdowns of a family's indicators shown beside a year earlier.

    Parameters
    ----------
    indicators : list of Indicator
        A family's indicators with a figure this quarter.
    split : dict
        Aggregated, disclosure-controlled rows keyed by (indicator, breakdown, whether a quarter alone).
    period : Period
        The report's quarter.
    threshold : int
        The smallest count shown.

    Examples
    --------
    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> rows = pl.DataFrame({"period": ["2024-25 Q4", "2024-25 Q4", "2023-24 Q4", "2023-24 Q4"],
    ...     "group": ["Female", "Male", "Female", "Unknown"], "value": [14.0, None, 9.0, None],
    ...     "suppressed": [False, True, False, True], "suppression": [None, "small", None, "small"]})
    >>> split = {("missing_children", "sex", False): rows}
    >>> both = YearOnYear((load_catalogue()["missing_children"],), split, Period.parse("2024-25 Q4"), 5)
    >>> table, = both.tables()
    >>> table.caption, list(table.headers)
    ('Children who went missing by sex: 2024-25 Q4 and a year earlier', ['Children who went missing by sex', 'Female', 'Male', 'Unknown'])
    >>> [[c.text for c in row] for row in table.rows]
    [['2024-25 Q4', '14', 'fewer than 5', '0'], ['2023-24 Q4', '9', '0', 'fewer than 5'], ['Change', '+5', '', '']]
    >>> both.rows().select("breakdown", "group", "shown").rows()
    [('sex', 'Female', '9'), ('sex', 'Male', '0'), ('sex', 'Unknown', 'fewer than 5')]
    """

    indicators: tuple[Indicator, ...]
    split: dict
    period: Period
    threshold: int

    @property
    def earlier(self) -> Period:
        return self.period.year_earlier()

    @cached_property
    def found(self) -> list[Groups]:
        """Each breakdown shown year on year. None where either quarter's breakdown has no row, is all "Not
        recorded" or is not shown at all (even its groups would give a small number away)."""
        found = []
        for indicator in self.indicators:
            for breakdown in indicator.year_on_year:
                rows = self.split.get((indicator.id, breakdown, False))
                if rows is None:
                    continue
                quarters = [rows.filter(pl.col("period") == p.label) for p in (self.period, self.earlier)]
                if any(q.height == 0 or not_recorded(q) or dropped(q) for q in quarters):
                    continue
                by_group = [{r["group"]: r for r in q.iter_rows(named=True)} for q in quarters]
                groups = tuple(in_natural_order(breakdown, sorted(set(by_group[0]) | set(by_group[1]))))
                shown = tuple(tuple(self._shown(indicator, rows.get(g))[0] for g in groups) for rows in by_group)
                values = tuple(tuple(self._shown(indicator, rows.get(g))[1] for g in groups) for rows in by_group)
                found.append(Groups(indicator, breakdown, groups, shown, values))
        return found

    def _shown(self, indicator: Indicator, row: dict | None) -> tuple[str, float | None]:
        """A group's words as members read them (:func:`perfkit.present.disclosure.shown_text`), and its
        figure (None where hidden)."""
        if row is None:  # no row: none that quarter
            return "0", 0.0
        return shown_text(indicator, row, self.threshold), None if row.get("suppressed") else row["value"]

    def tables(self) -> list[HtmlTable]:
        """One table each, its groups across, with a row for this quarter, one for the year-earlier quarter and
        one for the change."""
        tables = []
        for found in self.found:
            title = choice(found.indicator, found.breakdown)
            changes = [change_text(now, before) for now, before in zip(*found.values)]
            body = [[Cell(label), *(Cell(t, "pk-num") for t in texts)]
                    for label, texts in ((self.period.label, found.shown[0]), (self.earlier.label, found.shown[1]),
                                         (CHANGE, changes))]
            tables.append(HtmlTable(f"{title}: {self.period.label} {A_YEAR_EARLIER}", [title, *found.groups], body))
        return tables

    def html(self) -> str:
        """The tables together, on screen only; empty without one."""
        tables = self.tables()
        return f'<div class="{SCREEN_ONLY}">' + "".join(t.html() for t in tables) + "</div>" if tables else ""

    def rows(self) -> pl.DataFrame:
        """The year-earlier quarter's groups as :func:`perfkit.present.breakdown_tables.breakdown_rows` gives this
        quarter's (``choice``, ``breakdown``, ``indicator``, ``group``, ``value``, ``shown``), for the paper's
        breakdown tables."""
        columns: dict[str, list] = {name: [] for name in ROWS_SCHEMA}
        for found in self.found:
            for group, shown, value in zip(found.groups, found.shown[1], found.values[1]):
                for name, item in (("choice", choice(found.indicator, found.breakdown)), ("breakdown", found.breakdown),
                                   ("indicator", found.indicator.title), ("group", group), ("value", value),
                                   ("shown", shown)):
                    columns[name].append(item)
        return pl.DataFrame(columns, schema=ROWS_SCHEMA)
