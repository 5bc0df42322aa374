"""A family's breakdowns this quarter, as members may see them: rows for the chart, and tables for paper.

On screen a family's breakdowns are one bar chart with a menu ("Show: ...");
on paper a menu cannot be used, so every breakdown prints in full as a small
table: one table for each way of breaking down (district, age band, ...), its
groups down the side and the family's indicators broken down that way across
(:func:`print_tables`). Both are built from the same rows
(:func:`breakdown_rows`), made from aggregated, disclosure-controlled figures;
the disclosure audit reads both.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import polars as pl

from perfkit.indicators.catalogue import Indicator
from perfkit.indicators.labels import UNKNOWN, in_natural_order
from perfkit.indicators.periods import Period
from perfkit.present.disclosure import ALL_GROUPS, DROPPED_REASON, NOT_SHOWN, shown_text
from perfkit.present.formatting import count_heading, count_words
from perfkit.present.html_tables import Cell, HtmlTable

BREAKDOWN_NAMES = {
    "district": "district", "sex": "sex", "age_band": "age band",
    "age_band_16_17": "age (16, and 17 and over, apart)", "age_under_16": "age (under 16, 16, 17 and over)", "ethnicity_group": "ethnic group",
    "referral_source": "source", "contact_source": "source", "category": "category of abuse",
    "placement_type": "placement type", "legal_status": "legal status", "category_of_need": "category of need",
    "looked_after": "missing from care or home", "care_leaver_age_band": "age band", "team": "team",
    "department": "department", "reason_ceased": "reason", "contact_outcome": "outcome",
    "uasc": "unaccompanied asylum-seeking or not", "placement_location": "where placed",
    "uasc_at_end": "UASC at the period end or not",
    "known_before": "referred to social care before or not",
    "referred_by_end": "referred to social care by the period end or not", "care_leaver_accommodation": "accommodation",
    "care_leaver_activity": "activity", "review_code": "how the child took part",
    "risk": "risk of exploitation", "ehcp_time_open": "time open",
}
"""Each breakdown as members read it, after "by": "Referrals by source"."""
BY = "By "
"""The first heading of a printed breakdown table: "By district" (its groups are the rows)."""
NARROW = "pk-narrow-table"
"""A breakdown table of one or two indicators: on paper, three side by side."""
HALF = "pk-half-table"
"""A breakdown table of three indicators: on paper, two side by side."""
ROWS_SCHEMA = {"choice": pl.String, "breakdown": pl.String, "indicator": pl.String, "group": pl.String,
               "value": pl.Float64, "shown": pl.String}


def choice(indicator: Indicator, breakdown: str) -> str:
    """An indicator broken down one way, as members read it (the chart's menu, the tables' headings).

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> choice(load_catalogue()["referrals"], "referral_source")
    'Referrals by source'
    """
    return f"{indicator.title} by {BREAKDOWN_NAMES.get(breakdown, breakdown)}"


def not_recorded(groups: pl.DataFrame) -> bool:
    """Whether every group of a breakdown is "Not recorded": the data do not hold it (a return without the
    column), and the groups tell nothing."""
    return groups.height > 0 and (groups["group"] == UNKNOWN).all()


def dropped(groups: pl.DataFrame) -> bool:
    """Whether disclosure control shows not even a breakdown's groups: their existence would give a small
    number away."""
    return "suppression" in groups.columns and (groups["suppression"] == DROPPED_REASON).any()


def breakdown_rows(indicators: list[Indicator], split: dict, period: Period, threshold: int) -> pl.DataFrame:
    """This quarter's breakdown rows of ``indicators``, as members may see them.

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

    Returns
    -------
    DataFrame
        ``choice`` (:func:`choice`), ``breakdown``, ``indicator`` (its title), ``group``, ``value`` (empty
        where withheld) and ``shown``: the value as written, "fewer than 5", or, where a rate has no
        population by group, the group's count in words. Where even the groups would give a small number
        away, one row of group "All groups" says the breakdown is not shown. A breakdown whose every group
        is "Not recorded" (the data do not hold it: a missing episode's risk in an SSDA903 import) is left out.

    Examples
    --------
    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> rows = pl.DataFrame({"period": ["2024-25 Q4"] * 3, "group": ["Not recorded", "Female", "Male"],
    ...     "value": [50.0, 30.0, 20.0], "numerator": [50.0, 30.0, 20.0], "suppressed": [False] * 3})
    >>> split = {("missing_episodes", "risk", False): rows[:1], ("missing_episodes", "sex", False): rows[1:]}
    >>> found = breakdown_rows([load_catalogue()["missing_episodes"]], split, Period.parse("2024-25 Q4"), 5)
    >>> found.select("breakdown", "group", "shown").rows()
    [('sex', 'Female', '30'), ('sex', 'Male', '20')]
    """
    columns: dict[str, list] = {name: [] for name in ROWS_SCHEMA}
    for indicator in indicators:
        for breakdown in indicator.breakdowns:
            rows = split.get((indicator.id, breakdown, False))
            if rows is None:
                continue
            groups = rows.filter(pl.col("period") == period.label).sort("group")
            if not_recorded(groups):
                continue
            by_count = indicator.unit == "rate_per_10k"
            if dropped(groups):
                found = [(ALL_GROUPS, None, NOT_SHOWN)]
            else:
                order = in_natural_order(breakdown, groups["group"].to_list())
                found = []
                for r in sorted(groups.iter_rows(named=True), key=lambda r: order.index(r["group"])):
                    if by_count and not r["suppressed"] and r["value"] is None and r["numerator"] is not None:
                        # a rate has no population by group: the group's count is shown, with what it counts
                        found.append((r["group"], r["numerator"], count_words(indicator, r["numerator"], None)))
                    else:
                        found.append((r["group"], r["value"], shown_text(indicator, r, threshold)))
            for group, value, shown in found:
                for name, item in (("choice", choice(indicator, breakdown)), ("breakdown", breakdown),
                                   ("indicator", indicator.title), ("group", group), ("value", value),
                                   ("shown", shown)):
                    columns[name].append(item)
    return pl.DataFrame(columns, schema=ROWS_SCHEMA)


@dataclass(frozen=True)
class PrintTables:
    """A family's breakdown tables, shown on paper only (on screen the chart and its menu show them)."""

    tables: tuple[HtmlTable, ...]
    not_shown: tuple[str, ...] = ()

    def html(self) -> str:
        """The wide tables (four or more indicators) first, then those of three indicators two side by side,
        then the narrow ones (one or two) three side by side, on paper."""
        note = ("" if not self.not_shown else
                '<p class="pk-note">Not shown, as even the groups would give a small number away: '
                + "; ".join(escape(c) for c in self.not_shown) + ".</p>")
        wide = "".join(t.html() for t in self.tables if t.kind not in (NARROW, HALF))
        half = "".join(t.html() for t in self.tables if t.kind == HALF)
        narrow = "".join(t.html() for t in self.tables if t.kind == NARROW)
        return (f'<div class="pk-print-only pk-breakdowns">{wide}'
                + (f'<div class="pk-half">{half}</div>' if half else "")
                + (f'<div class="pk-narrow">{narrow}</div>' if narrow else "") + f"{note}</div>")

    def _repr_html_(self) -> str:
        return self.html()


def _as_counts(indicator: Indicator | None, cells: list[str]) -> list[str] | None:
    """A rate's column whose groups are all written as counts ("31 children looked after"), as bare numbers
    under :func:`count_heading`; None where the column is not one (some group is a rate, or none a count)."""
    if indicator is None or indicator.unit != "rate_per_10k":
        return None
    suffix = f" {indicator.noun}"
    counts = [c.removesuffix(suffix) if c.endswith(suffix) else None for c in cells]
    if not any(counts) or any(n is None and any(ch.isdigit() for ch in c) for n, c in zip(counts, cells)):
        return None
    return [c if n is None else n for n, c in zip(counts, cells)]


def print_tables(rows: pl.DataFrame, title: str, period_label: str, indicators: list[Indicator] = (),
                 year_earlier: pl.DataFrame | None = None, earlier_label: str = "") -> PrintTables:
    """Every breakdown in ``rows`` (of :func:`breakdown_rows`) as a table for paper: one for each way of
    breaking down, its groups down the side, each indicator broken down that way across.

    ``year_earlier`` holds the groups of the same quarter a year earlier (``earlier_label``) of the breakdowns
    shown year on year (:meth:`perfkit.present.year_on_year.YearOnYear.rows`): each is a column beside its
    indicator's, headed "Referrals, 2023-24 Q4", which on paper takes no more lines.

    A rate of ``indicators`` whose groups are counts (no return gives each group's population) is headed by
    what it counts (:func:`count_heading`), its cells bare numbers: "Children looked after (at period end),
    number" over "31", not "31 children looked after" in every cell.

    Examples
    --------
    >>> rows = pl.DataFrame({"choice": ["Referrals by sex"] * 2, "breakdown": ["sex"] * 2,
    ...     "indicator": ["Referrals"] * 2, "group": ["Female", "Male"], "value": [10.0, None],
    ...     "shown": ["10", "fewer than 5"]}, schema=ROWS_SCHEMA)
    >>> table = print_tables(rows, "Contacts and referrals", "2024-25 Q4").tables[0]
    >>> table.caption, list(table.headers), [[c.text for c in row] for row in table.rows]
    ('Contacts and referrals by sex, 2024-25 Q4', ['By sex', 'Referrals'], [['Female', '10'], ['Male', 'fewer than 5']])
    """
    tables, not_shown = [], []
    for (breakdown,), part in rows.partition_by("breakdown", as_dict=True, maintain_order=True).items():
        dropped = part.filter(pl.col("group") == ALL_GROUPS)["choice"].unique(maintain_order=True).to_list()
        not_shown += dropped
        part = part.filter(~pl.col("choice").is_in(dropped))
        if part.height == 0:
            continue
        titles = part["indicator"].unique(maintain_order=True).to_list()
        earlier = (year_earlier.filter(pl.col("breakdown") == breakdown, pl.col("indicator").is_in(titles))
                   if year_earlier is not None else part.clear())
        groups = in_natural_order(breakdown, pl.concat([part["group"], earlier["group"]]).unique(maintain_order=True).to_list())
        shown = {(r["indicator"], r["group"]): r["shown"] for r in part.iter_rows(named=True)}
        before = {(r["indicator"], r["group"]): r["shown"] for r in earlier.iter_rows(named=True)}
        by_title = {i.title: i for i in indicators}
        headings, columns = [], []
        for t in titles:
            cells = [shown.get((t, g), "") for g in groups]
            counts = _as_counts(by_title.get(t), cells)
            headings.append(t if counts is None else count_heading(by_title[t]))
            columns.append(cells if counts is None else counts)
            if any(indicator == t for indicator, _ in before):  # the same groups a year earlier, beside
                headings.append(f"{t}, {earlier_label}")
                columns.append([before.get((t, g), "") for g in groups])
        name = BREAKDOWN_NAMES.get(breakdown, breakdown)
        tables.append(HtmlTable(
            f"{title} by {name}, {period_label}", [f"{BY}{name}", *headings],
            [[Cell(g), *[Cell(column[k], "pk-num") for column in columns]] for k, g in enumerate(groups)],
            kind=NARROW if len(titles) <= 2 else HALF if len(titles) == 3 else "pk-wide"))
    return PrintTables(tuple(tables), tuple(not_shown))
