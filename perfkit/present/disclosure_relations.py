"""The relations a reader of a member report can use between its figures, found in the figures and the catalogue.

A reader knows more than each figure: the groups of a breakdown add up to its
total, a rolling 12 months is the sum of four quarters (another indicator's,
or its own quarters alone), a quarter the sum of its months (those shown one
by one), one indicator's count equals another's, the
catalogue declares what definitions make equal or bounded (``same_as``,
``within``), the stocks and flows (``stock``: children at a quarter's end are
those at the last one's plus those starting less those leaving). Each relation
is written over numbered quantities (:class:`Relations`), for
:mod:`perfkit.present.disclosure` to solve.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from perfkit.indicators.catalogue import ALL, MEDIAN_UNITS, Catalogue, load_catalogue
from perfkit.indicators.labels import group_label
from perfkit.indicators.periods import Month, Window, alone_label, is_month, parse_period, without_alone
from perfkit.indicators.quality_checks import CHECKS, COUNT, QUALITY

KEY = ("la_code", "period", "indicator", "breakdown", "group")


def protected_ids(catalogue: Catalogue) -> set[str]:
    """The figures disclosure control protects: every indicator about children (``disclosive``), and the
    data-quality counts (:data:`perfkit.indicators.quality_checks.QUALITY`), which count children's records too.

    >>> sorted(i for i in protected_ids(load_catalogue()) if "touch" in i)
    ['quality.care_leavers_not_in_touch']
    """
    return {i.id for i in catalogue.indicators if i.disclosive} | {QUALITY + check.id for check in CHECKS}


def median_ids(catalogue: Catalogue) -> set[str]:
    """The indicators whose figure is a median length (``MEDIAN_UNITS``): its numerator is no count of children,
    its denominator (the items timed) is.

    >>> sorted(median_ids(load_catalogue()))
    ['assessment_days_median', 'missing_duration_median']
    """
    return {i.id for i in catalogue.indicators if i.unit in MEDIAN_UNITS}


@dataclass(frozen=True)
class Relation:
    """``sum(parts) - sum(minus) == whole`` (``exact``) or ``>= whole`` (groups that overlap), over figure numbers.

    ``minus`` is empty but for stocks and flows: the children on a plan at a
    quarter's end are those at the last one's, plus the plans starting, less those ending.
    """

    parts: tuple[int, ...]
    whole: int
    exact: bool = True
    minus: tuple[int, ...] = ()


@dataclass
class Relations:
    """The figures a reader can relate to each other, as numbered quantities.

    Each row of a measures frame gives one quantity, its numerator, and a
    second, its denominator, for percentages and ratios (whose denominator is
    a count of children or events). ``row_of`` maps each quantity to its row.
    """

    values: list[float]
    row_of: list[int]
    relations: list[Relation]
    twins: dict[int, set[int]] = field(default_factory=dict)
    """Rows whose figures are known to be equal to another row's: hidden together."""
    unshown: set[int] = field(default_factory=set)
    """Quantities no page shows, always hidden: how many children a breakdown counts in two groups
    (:func:`_sum_relations`), and one denominator less another that holds it (``denominator_within``)."""
    derived: set[int] = field(default_factory=set)
    """Of ``unshown``, those a reader knows nothing of but what their relation gives (a number from 0 up): a
    percentage's complement (:func:`_complement_relations`). Of the others the reader is taken to know the
    class (small, zero or large), as of every hidden figure; no page says which class a complement is in."""
    equals: dict[int, set[int]] = field(default_factory=dict)
    """The quantities known to equal each quantity (the twins' figures, one by one)."""

    def of_quantity(self) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {}
        for number, relation in enumerate(self.relations):
            for q in (*relation.parts, *relation.minus, relation.whole):
                found.setdefault(q, []).append(number)
        return found


def _quantities(frame: pl.DataFrame, catalogue: Catalogue) -> tuple[list[float], list[int], dict[tuple, int], dict[tuple, int]]:
    """Numbered quantities of the protected rows: numerators and (percentages, ratios) denominators; of a median
    (``MEDIAN_UNITS``) its denominator alone, the items timed, as its numerator is a length, not a count."""
    protected = protected_ids(catalogue)
    medians = median_ids(catalogue)
    with_denominator = {i.id for i in catalogue.indicators
                        if i.disclosive and i.unit in ("percent", "ratio", *MEDIAN_UNITS) and i.denominator}
    values: list[float] = []
    row_of: list[int] = []
    numerators: dict[tuple, int] = {}
    denominators: dict[tuple, int] = {}
    for row, (key, numerator, denominator) in enumerate(zip(
            frame.select(KEY).iter_rows(), frame["numerator"].to_list(), frame["denominator"].to_list())):
        if key[2] not in protected or numerator is None:
            continue
        if key[2] not in medians:
            numerators[key] = len(values)
            values.append(round(numerator))
            row_of.append(row)
        if key[2] in with_denominator and denominator is not None:
            denominators[key] = len(values)
            values.append(round(denominator))
            row_of.append(row)
    return values, row_of, numerators, denominators


def _sum_relations(values: list[float], row_of: list[int], quantities: dict[tuple, int],
                   unshown: set[int]) -> list[Relation]:
    """Each breakdown's groups against its total, for the same authority, period and indicator.

    Where the groups add up to more than the total (a child missing from care and from home in one
    quarter is in both groups), the difference is how many children are in two groups: a figure no page
    shows, but which the groups less the total give. It becomes a quantity of its own (numbered after the
    figures, in ``unshown``, on its total's row), always hidden, and protected like any small number.
    """
    groups: dict[tuple, list[int]] = {}
    for (la, period, indicator, breakdown, group), q in quantities.items():
        if breakdown != ALL:
            groups.setdefault((la, period, indicator, breakdown), []).append(q)
    relations = []
    for (la, period, indicator, _), parts in groups.items():
        whole = quantities.get((la, period, indicator, ALL, ALL))
        if whole is None:
            continue
        total = sum(values[p] for p in parts)
        if total == values[whole]:
            relations.append(Relation(tuple(parts), whole, True))
        elif total > values[whole]:  # children counted in two groups: the groups less those are the total
            unshown.add(len(values))
            relations.append(Relation(tuple(parts), whole, True, (len(values),)))
            values.append(total - values[whole])
            row_of.append(row_of[whole])
    return relations


def _series(quantities: dict[tuple, int]) -> dict[tuple, dict[tuple, int]]:
    """Quantities by (authority, indicator), keyed by (period, breakdown, group)."""
    found: dict[tuple, dict[tuple, int]] = {}
    for (la, period, indicator, breakdown, group), q in quantities.items():
        found.setdefault((la, indicator), {})[(period, breakdown, group)] = q
    return found


def _rolling_relations(values: list[float], numerators: dict[tuple, int], minimum: int = 1) -> list[Relation]:
    """An indicator's figure that is exactly the sum of four quarters (twelve months) ending with it (a rolling
    12 months), another indicator's or its own quarters (months) alone (``"alone"`` windows), in every period
    where both are shown
    (at least ``minimum``): found in the figures themselves. One period is enough (records starting within
    the year: 39 in it, three quarters of 12 shown give the fourth); a relation found by chance is true of
    the values still, and only makes suppression more cautious."""
    # a data-quality count is no sum of quarters, whatever four quarters it meets by chance
    series = {key: found for key, found in _series(numerators).items() if not key[1].startswith(QUALITY)}
    four: dict[str, list[str] | None] = {}  # each period's year of quarters (months) ending with it (None: neither)
    for found in series.values():
        for period, _, _ in found:
            if period not in four:
                try:
                    end = parse_period(period)
                except ValueError:  # a year to date, rolling or period-alone window's own label
                    four[period] = None
                else:
                    four[period] = [end.shift(-k).label for k in range(end.per_year)]
    relations = []
    for (la, rolling), rolled in series.items():
        for (la2, quarterly), quarters in series.items():
            if la2 != la:
                continue
            own = quarterly == rolling  # its own quarters (months): those of its "alone" windows
            found = []
            for (period, breakdown, group), q in rolled.items():
                labels = four[period]
                if labels is None:
                    continue
                parts = [quarters.get((alone_label(label) if own else label, breakdown, group)) for label in labels]
                if any(p is None for p in parts):
                    continue
                if sum(values[p] for p in parts) != values[q]:
                    found = []
                    break
                found.append(Relation(tuple(parts), q, True))
            if len(found) >= minimum:
                relations += found
    return relations


def _month_relations(values: list[float], quantities: list[dict[tuple, int]]) -> list[Relation]:
    """Months shown one by one (``by_month``) against the longer periods they make up, found in the figures:
    a quarter's events are its three months' (a quarter alone, a year to date, a rolling 12 months: their
    months'), a figure at a quarter's end is its last month's, and a 12 months' figure labelled by its
    quarter (referrals per 10,000) is its twelve months'. Children counted once in a period (those who went
    missing) are at most its months' sum and at least each month's: bounds, of the same indicator only.

    Each way of adding up (a period's own months, the twelve ending with it, its last month) holds for a
    pair of series (an indicator's figures and the months of one, numerators or denominators) where it holds
    in every period both show: a sum found by chance is true of the values still, and only makes suppression
    more cautious.

    >>> num = {("990", "2024-25 Q3", "referrals", "all", "all"): 0, ("990", "2024-25 M07", "referrals", "all", "all"): 1,
    ...        ("990", "2024-25 M08", "referrals", "all", "all"): 2, ("990", "2024-25 M09", "referrals", "all", "all"): 3}
    >>> _month_relations([30, 14, 13, 3], [num, {}])
    [Relation(parts=(1, 2, 3), whole=0, exact=True, minus=())]
    """
    months: dict[tuple, list[tuple[tuple, dict[str, int]]]] = {}  # (la, breakdown, group) -> month series
    by_series: dict[tuple, dict[str, int]] = {}
    for kind, table in enumerate(quantities):
        for (la, period, indicator, breakdown, group), q in table.items():
            if is_month(period):
                by_series.setdefault((la, kind, indicator, breakdown, group), {})[period] = q
    for (la, kind, indicator, breakdown, group), series in by_series.items():
        months.setdefault((la, breakdown, group), []).append(((kind, indicator), series))
    if not months:
        return []
    spans: dict[str, dict[str, list[str]] | None] = {}

    def ways(label: str) -> dict[str, list[str]] | None:
        """The months a period's figure can be the sum of: its own, the twelve ending with it, its last."""
        if label not in spans:
            try:
                window = Window.parse(label)
            except ValueError:
                spans[label] = None
            else:
                last = Month.containing(window.end)
                own = [m.label for m in last.series(last.index - Month.containing(window.start).index + 1)]
                spans[label] = {"own": own, "twelve": [m.label for m in last.series(12)], "last": [last.label]}
        return spans[label]

    found: dict[tuple, list[Relation] | None] = {}  # (whole series, month series, way) -> its relations
    bounds: dict[tuple, list[Relation] | None] = {}
    for kind, table in enumerate(quantities):
        for (la, period, indicator, breakdown, group), whole in table.items():
            if indicator.startswith(QUALITY) or is_month(period) or (la, breakdown, group) not in months:
                continue
            labels = ways(period)
            if labels is None:
                continue
            for (month_kind, month_indicator), series in months[(la, breakdown, group)]:
                for way, wanted in labels.items():
                    parts = [series.get(label) for label in wanted]
                    if None in parts:
                        continue
                    pair = ((kind, indicator), (month_kind, month_indicator), way, breakdown, group)
                    total = sum(values[p] for p in parts)
                    if found.get(pair, []) is not None:
                        found[pair] = (found.get(pair, []) + [Relation(tuple(parts), whole, True)]
                                       if total == values[whole] else None)
                    if way == "own" and (kind, indicator) == (month_kind, month_indicator) and bounds.get(pair, []) is not None:
                        # children counted once in the period: at most the months' sum, at least each month's
                        holds = total >= values[whole] and all(values[p] <= values[whole] for p in parts)
                        bounds[pair] = (bounds.get(pair, []) + [Relation(tuple(parts), whole, False),
                                                                *(Relation((whole,), p, False) for p in parts)]
                                        if holds else None)
    relations = [r for pair, rs in found.items() if rs for r in rs]
    return relations + [r for pair, rs in bounds.items() if rs and not found.get(pair) for r in rs]


def _twin_relations(values: list[float], quantities: list[dict[tuple, int]], minimum: int = 3) -> list[Relation]:
    """Two indicators' figures (numerators or denominators) equal in every row they share (at least ``minimum``);
    a quarter alone (``"3m"``) of a 12-month figure meets the quarter of another indicator."""
    series: dict[tuple, dict[tuple, int]] = {}
    for kind, table in enumerate(quantities):
        for (la, period, indicator, breakdown, group), q in table.items():
            own = without_alone(period)
            series.setdefault((la, indicator, kind, own != period), {})[(own, breakdown, group)] = q
    names = sorted(series)
    relations = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if a[0] != b[0] or a[1] == b[1]:
                continue
            shared = series[a].keys() & series[b].keys()
            if len(shared) < minimum or any(values[series[a][k]] != values[series[b][k]] for k in shared):
                continue
            relations += [Relation((series[a][k],), series[b][k], True) for k in shared]
    return relations


def _declared_relations(values: list[float], row_of: list[int], numerators: dict[tuple, int],
                        denominators: dict[tuple, int], catalogue: Catalogue,
                        unshown: set[int]) -> tuple[list[Relation], list[Relation]]:
    """The relations the catalogue declares (``same_as``, ``within``, ``at_most``): equal figures, and bounds by groups
    (sums, where the true figures meet them exactly: care leavers in education, employment or training are
    those recorded in its eight activities).

    Returns the equalities (figures hidden together) and the bounds.
    """
    same, bounds = [], []
    for indicator in catalogue.indicators:
        if indicator.denominator_within:  # the other's denominator is this one's and a count no page shows
            # (the other's count itself where it is one: reviews held, of which those that can be judged on time)
            held = numerators if catalogue[indicator.denominator_within].unit == "count" else denominators
            for (la, period, own, breakdown, group), q in denominators.items():
                other = held.get((la, period, indicator.denominator_within, breakdown, group))
                if own != indicator.id or other is None or values[other] < values[q]:
                    continue
                rest = ()
                if values[other] > values[q]:
                    rest = (len(values),)
                    unshown.add(len(values))
                    values.append(values[other] - values[q])
                    row_of.append(row_of[q])
                bounds.append(Relation((q, *rest), other, True))
        if indicator.at_most:  # children no more than their events, in every group both show
            for (la, period, own, breakdown, group), q in numerators.items():
                events = numerators.get((la, period, indicator.at_most, breakdown, group))
                if own == indicator.id and events is not None and values[q] <= values[events]:
                    bounds.append(Relation((events,), q, False))
        for (la, period, own, breakdown, group), q in numerators.items():
            if own != indicator.id or breakdown != ALL:
                continue
            if indicator.same_as:
                breakdown = indicator.same_as["breakdown"]
                other = numerators.get((la, period, indicator.same_as["indicator"], breakdown,
                                        group_label(breakdown, indicator.same_as["group"])))
                if other is not None:
                    same.append(Relation((q,), other, True))
            if indicator.within:
                within = indicator.within
                inside = {group_label(within["breakdown"], g) for g in within["groups"]}
                groups = [(g, p) for (la2, period2, other, b, g), p in numerators.items()
                          if (la2, period2, other, b) == (la, period, within["indicator"], within["breakdown"])]
                whole = denominators.get((la, period, indicator.id, ALL, ALL))
                if groups:  # every child of the numerator is in a group inside, every other child in one outside
                    # exact where each is in one group only (a record's one activity), as the true figures say
                    parts = tuple(p for g, p in groups if g in inside)
                    bounds.append(Relation(parts, q, sum(values[p] for p in parts) == values[q]))
                    if whole is not None:  # the denominator's other groups: all the rest, or those named
                        named = {group_label(within["breakdown"], g) for g in within.get("rest", ())}
                        rest = (*(p for g, p in groups if (g in named if named else g not in inside)), q)
                        bounds.append(Relation(rest, whole, sum(values[p] for p in rest) == values[whole]))
    return same, bounds


def _stock_relations(values: list[float], numerators: dict[tuple, int], denominators: dict[tuple, int],
                     catalogue: Catalogue) -> list[Relation]:
    """Stocks and flows the catalogue declares (``stock``): the children at a quarter's end are those at the
    quarter before's, plus the starts (the ``in`` indicator's numerator), less the ends (the ``out``
    indicator's numerator, or its denominator where written ``id.denominator``); a reader who knows three
    of them knows the fourth; in each group of a breakdown too (girls looked after now are those before,
    plus girls starting, less girls leaving), where both quarters' groups are in the figures (the report's
    quarter and the one before: two consecutive reports show both); a group with no row the quarter before
    had no child in it, where that quarter is broken down at all. Declared where the true figures meet
    it exactly (a child with two plans at once, or who moved district, breaks it).

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> num = {("990", "2024-25 Q1", "cpp_rate", "all", "all"): 0, ("990", "2024-25 Q2", "cpp_rate", "all", "all"): 1,
    ...        ("990", "2024-25 Q2", "cpp_starts", "all", "all"): 2}
    >>> den = {("990", "2024-25 Q2", "cpp_2yr_plus_pct", "all", "all"): 3}  # cpp_rate's out: its denominator
    >>> _stock_relations([50, 49, 3, 4], num, den, load_catalogue())
    [Relation(parts=(0, 2), whole=1, exact=True, minus=(3,))]
    """
    relations = []
    broken_down = {key[:4] for key in numerators if key[3] != ALL}
    for indicator in catalogue.indicators:
        if not indicator.stock:
            continue
        out, _, of = str(indicator.stock["out"]).partition(".")
        flows_out = denominators if of == "denominator" else numerators
        for (la, period, own, breakdown, group), now in numerators.items():
            if own != indicator.id or period.count(" ") != 1:  # quarters and months, not windows
                continue
            previous = parse_period(period).previous().label
            before = numerators.get((la, previous, own, breakdown, group))
            starts = numerators.get((la, period, indicator.stock["in"], breakdown, group))
            ends = flows_out.get((la, period, out, breakdown, group))
            if breakdown == ALL and None in (before, starts, ends):
                continue
            # a group with no row last quarter had no child in it, where that quarter was broken down at all:
            # its pack listed the other groups, so a reader counts it as none
            if before is None and ((la, previous, own, breakdown) not in broken_down or starts is None):
                continue
            # a group with no starts (or ends) has no row: none, where the stock holds without them
            parts = (*(() if before is None else (before,)), *(() if starts is None else (starts,)))
            minus = () if ends is None else (ends,)
            if sum(values[q] for q in parts) - sum(values[q] for q in minus) == values[now]:
                relations.append(Relation(parts, now, True, minus))
        # a group that emptied (no row this quarter, which is broken down at all): none now, so the children
        # before and those starting are those who left
        for (la, previous, own, breakdown, group), before in numerators.items():
            if own != indicator.id or breakdown == ALL or previous.count(" ") != 1:
                continue
            period = parse_period(previous).shift(1).label
            if (la, period, own, breakdown, group) in numerators or (la, period, own, breakdown) not in broken_down:
                continue
            starts = numerators.get((la, period, indicator.stock["in"], breakdown, group))
            ends = flows_out.get((la, period, out, breakdown, group))
            parts = (before, *(() if starts is None else (starts,)))
            if ends is not None and sum(values[q] for q in parts) == values[ends]:
                relations.append(Relation(parts, ends, True))
    return relations


def _quality_relations(values: list[float], row_of: list[int], numerators: dict[tuple, int],
                       denominators: dict[tuple, int], unshown: set[int]) -> list[Relation]:
    """How each data-quality count adds up with the figures (:class:`perfkit.indicators.quality_checks.Sum`): episodes
    with no interview offer and those offered are every episode ending; care leavers not in touch are in the
    groups with no activity recorded; assessments open over 45 working days are among the open ones. Exact
    where the true figures meet it; where the parts are more, the rest (open assessments not yet 45 working
    days old) is what a reader who sees both works out by subtraction: a quantity of its own (numbered after
    the figures, in ``unshown``, on the count's row), always hidden, and protected like any small number."""
    relations = []
    for check in CHECKS:
        for (la, period, own, _, _), count in numerators.items():
            if own != QUALITY + check.id:
                continue
            for declared in check.sums:
                def quantity(figure):
                    found = denominators if figure.of == "denominator" else numerators
                    return count if figure == COUNT else found.get((la, period, figure.indicator, figure.breakdown,
                                                                    figure.group))
                parts, whole = [quantity(f) for f in declared.parts], quantity(declared.whole)
                minus = [quantity(f) for f in declared.minus]
                if whole is None or None in parts or None in minus:
                    continue
                total = sum(values[p] for p in parts) - sum(values[m] for m in minus)
                if total == values[whole]:
                    relations.append(Relation(tuple(parts), whole, True, tuple(minus)))
                elif total > values[whole]:  # less would say the records break the definitions: no relation
                    unshown.add(len(values))
                    relations.append(Relation(tuple(parts), whole, True, (*minus, len(values))))
                    values.append(total - values[whole])
                    row_of.append(row_of[count])
    return relations


def _complement_relations(values: list[float], row_of: list[int], numerators: dict[tuple, int],
                          denominators: dict[tuple, int], catalogue: Catalogue, unshown: set[int],
                          derived: set[int]) -> list[Relation]:
    """Each percentage's numerator and the rest of its denominator: "37 of 39 care leavers in suitable
    accommodation" says that 2 were not. The rest (the denominator less the numerator) is a count no page
    shows but a reader works out from the two: a quantity of its own (numbered after the figures, in
    ``unshown`` and ``derived``, on the percentage's row), always hidden, and protected like any small number.
    Of it the reader knows only what the two give: where either is hidden, a range."""
    percentages = {i.id for i in catalogue.indicators if i.unit == "percent"}
    relations = []
    for key, whole in denominators.items():
        part = numerators.get(key)
        if key[2] not in percentages or part is None or values[part] > values[whole]:
            continue
        unshown.add(len(values))
        derived.add(len(values))
        relations.append(Relation((part, len(values)), whole, True))
        values.append(values[whole] - values[part])
        row_of.append(row_of[whole])
    return relations


def relations_of(frame: pl.DataFrame, catalogue: Catalogue | None = None, current: int | None = None) -> Relations:
    """Every relation a reader can use between the protected figures of ``frame`` (true values).

    Rows from ``current`` on are earlier published reports' figures (:func:`perfkit.pipeline.aggregates.earlier_context`),
    related to this report's as a reader of every pack relates them (the chain of stocks and flows over the
    quarters). The relations found in the figures themselves (rolling sums, equal figures) are found among
    this report's rows alone as well as among all: an earlier quarter's figures where two indicators differ
    must not lose the relation that holds on every figure of this report.
    """
    catalogue = catalogue or load_catalogue()
    values, row_of, numerators, denominators = _quantities(frame, catalogue)
    unshown: set[int] = set()  # quantities no page shows, numbered after the figures as they are found
    derived: set[int] = set()  # of those, the ones whose class a reader cannot know (complements)
    same, bounds = _declared_relations(values, row_of, numerators, denominators, catalogue, unshown)
    found_twins = _twin_relations(values, [numerators, denominators])
    rolling = _rolling_relations(values, numerators) + _month_relations(values, [numerators, denominators])
    if current is not None and current < frame.height:
        def own(quantities: dict[tuple, int]) -> dict[tuple, int]:
            return {key: q for key, q in quantities.items() if row_of[q] < current}

        seen = set(found_twins) | set(rolling)
        found_twins += [r for r in _twin_relations(values, [own(numerators), own(denominators)]) if r not in seen]
        rolling += [r for r in _rolling_relations(values, own(numerators)) + _month_relations(
            values, [own(numerators), own(denominators)]) if r not in seen]
    twins = found_twins + same
    relations = (_sum_relations(values, row_of, numerators, unshown) + _sum_relations(values, row_of, denominators, unshown)
                 + rolling + twins + bounds
                 + _stock_relations(values, numerators, denominators, catalogue)
                 + _quality_relations(values, row_of, numerators, denominators, unshown)
                 + _complement_relations(values, row_of, numerators, denominators, catalogue, unshown, derived))
    twin_rows: dict[int, set[int]] = {}
    equals: dict[int, set[int]] = {}
    for relation in twins:
        a, b = row_of[relation.parts[0]], row_of[relation.whole]
        twin_rows.setdefault(a, set()).add(b)
        twin_rows.setdefault(b, set()).add(a)
        equals.setdefault(relation.parts[0], set()).add(relation.whole)
        equals.setdefault(relation.whole, set()).add(relation.parts[0])
    return Relations(values, row_of, relations, twin_rows, unshown, derived, equals)
