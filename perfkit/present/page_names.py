"""What the member page's titles and headings stand for: the names members read, back to the catalogue.

The disclosure audit (:mod:`perfkit.present.disclosure_audit`) reads a finished page by what it says, never
by the code that wrote it: a trend's title, a breakdown's "title by breakdown", a printed table's heading,
a data-quality row, each named here once from the catalogue.
"""

from __future__ import annotations

from perfkit.indicators.catalogue import ALL, QUARTER_ALONE, Catalogue
from perfkit.indicators.quality_checks import CHECKS
from perfkit.present.breakdown_tables import BREAKDOWN_NAMES, choice
from perfkit.present.formatting import count_heading


class PageNames:
    """Titles and "title by breakdown" choices back to catalogue ids."""

    def __init__(self, catalogue: Catalogue):
        self.by_title = {i.title: i for i in catalogue.indicators}
        self.ids = {i.id: i for i in catalogue.indicators}
        self.choices = {choice(i, b): (i.id, b)
                        for i in catalogue.indicators for b in i.breakdowns}
        self.trends = {**{i.title: (i, False) for i in catalogue.indicators},
                       **{i.trend_title_for(noun): (i, True) for i in catalogue.indicators
                          if i.trend == QUARTER_ALONE for noun in ("quarter", "month")}}
        """A figure's or trend's title to its indicator and whether its trend shows each quarter (month) alone,
        whose labels are then the window alone's (:func:`perfkit.indicators.periods.alone_label`)."""
        self.counted = {f"{count_heading(i)} by {BREAKDOWN_NAMES.get(b, b)}": (i.id, b)
                        for i in catalogue.indicators if i.unit == "rate_per_10k" for b in i.breakdowns}
        """A printed breakdown's heading of a rate's groups written as counts, "by" the breakdown, to the rate."""
        self.checks = {check.heading: check.id for check in CHECKS}
        """A data-quality table's row heading to its check."""
        self.months = {i.title: i for i in catalogue.indicators if i.by_month}
        """A month-by-month table's figure's title to its indicator (its groups' rows, under it, are named
        by the group alone)."""

    def month_row(self, name: str, above: str | None = None) -> tuple[str, str, str] | None:
        """A month-by-month table's row heading (:func:`perfkit.present.by_month.row_name`) to the
        (indicator, breakdown, group) it shows, else None: a figure's title, or a group's name under the
        row of its figure (``above``: the last figure's title).

        >>> from perfkit.indicators.catalogue import load_catalogue
        >>> names = PageNames(load_catalogue())
        >>> names.month_row("Referrals"), names.month_row("Missing from care", "Children who went missing")
        (('referrals', 'all', 'all'), ('missing_children', 'looked_after', 'Missing from care'))
        >>> names.month_row("Re-referrals within 12 months"), names.month_row("Schools", "Referrals")
        (None, None)
        """
        if name in self.months:
            return self.months[name].id, ALL, ALL
        indicator = self.months.get(above or "")
        breakdowns = [b for b in indicator.by_month if b != ALL] if indicator else []
        return (indicator.id, breakdowns[0], name) if breakdowns else None


def spc_row(label: str, names: PageNames) -> tuple[tuple[object, bool], str] | None:
    """A trend table's process-control row ``<title>: <words>``: the indicator and the field, else None."""
    from perfkit.present.charts import SPC_ROWS

    for name, words in SPC_ROWS.items():
        title = label.removesuffix(f": {words}")
        if title != label and title in names.trends:
            return names.trends[title], name
    return None
