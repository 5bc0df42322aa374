"""Disclosure control for member-facing figures: suppression that cannot be undone by arithmetic.

The rules, applied to a tidy measures frame (one row per authority, period,
indicator, breakdown and group) before anything is shown to members:

1. **Primary suppression.** A count from 1 to ``threshold - 1`` is hidden
   (shown as "fewer than 5"), and so is a percentage or ratio whose
   numerator or denominator is such a count, and a rate whose numerator is.
   Zero is shown. Figures that are not about children (the workforce;
   ``disclosive: false`` in the catalogue) are left alone.
2. **Secondary suppression.** A reader knows more than each figure: the
   groups of a breakdown add up to its total, a rolling 12 months is the sum
   of four quarters, one indicator's denominator is another's count, and the
   catalogue declares what definitions make equal or bounded (``same_as``:
   section 20 starts are the V2 group of starts by legal status; ``within``:
   children under 16 who went missing fall in the age bands under 16). Every
   such relation is written down (:class:`Relations`), and for every hidden
   small number the range of
   values the shown figures still allow is worked out by linear programming
   (:func:`feasible_range`). Where that range is a single number, the next
   smallest shown figure of a relation it sits in is hidden too ("withheld"),
   with every figure known to equal it, until no small number can be worked
   out. The reader is assumed to know which hidden figures are small (1 to
   ``threshold - 1``) or large (``threshold`` or more), and a hidden zero's
   value: the strongest reader these rules allow. Zeros are never chosen to
   hide with a small number.
3. **No breakdown of a small total.** Where a total is a small number, its
   breakdowns are not shown at all: the groups present would say who the
   few children are (all girls, all under 1).

:mod:`perfkit.present.disclosure_audit` reads a finished report back and checks the
same property on what the page shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable

import polars as pl

from perfkit.config.settings import DEFAULT_THRESHOLD, check_threshold
from perfkit.errors import DisclosureError
from perfkit.indicators.catalogue import ALL, Catalogue, load_catalogue
from perfkit.indicators.labels import group_label
from perfkit.indicators.periods import ALONE, Period

SMALL = "fewer than {threshold}"
WITHHELD = "withheld"
NOT_SHOWN = "not shown: too few to break down"
"""Written, once, for a breakdown that is not shown (its groups in :data:`ALL_GROUPS`)."""
ALL_GROUPS = "All groups"
KEY = ("la_code", "period", "indicator", "breakdown", "group")
BIG = math.inf

SMALL_REASON = "small"
COMPLEMENT_REASON = "complement"
DROPPED_REASON = "dropped"
"""A breakdown row not shown at all: where even the groups' existence would give a small number away."""


def reader_bounds(value: float, threshold: int) -> tuple[float, float]:
    """What a reader who knows the rules can say of a hidden figure: its class, not its value.

    >>> reader_bounds(3, 5), reader_bounds(0, 5), reader_bounds(12, 5)
    ((1, 4), (0, 0), (5, inf))
    """
    if value <= 0:  # a hidden count that is not "fewer than 5" is 0 or large: assume the reader knows it is 0
        return 0, 0
    if value < threshold:
        return 1, threshold - 1
    return threshold, BIG


def quantity_bounds(q: int, values: list[float], threshold: int, absent: set[int]) -> tuple[float, float]:
    """What the reader knows of hidden quantity ``q``: its class (:func:`reader_bounds`), or, not on the page
    at all (``absent``), only that it is a number from 0 up."""
    return (0, BIG) if q in absent else reader_bounds(values[q], threshold)


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

    def of_quantity(self) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {}
        for number, relation in enumerate(self.relations):
            for q in (*relation.parts, *relation.minus, relation.whole):
                found.setdefault(q, []).append(number)
        return found


def _quantities(frame: pl.DataFrame, catalogue: Catalogue) -> tuple[list[float], list[int], dict[tuple, int], dict[tuple, int]]:
    """Numbered quantities of the protected rows: numerators and (percentages, ratios) denominators."""
    protected = {i.id for i in catalogue.indicators if i.disclosive}
    with_denominator = {i.id for i in catalogue.indicators if i.disclosive and i.unit in ("percent", "ratio") and i.denominator}
    values: list[float] = []
    row_of: list[int] = []
    numerators: dict[tuple, int] = {}
    denominators: dict[tuple, int] = {}
    for row, (key, numerator, denominator) in enumerate(zip(
            frame.select(KEY).iter_rows(), frame["numerator"].to_list(), frame["denominator"].to_list())):
        if key[2] not in protected or numerator is None:
            continue
        numerators[key] = len(values)
        values.append(round(numerator))
        row_of.append(row)
        if key[2] in with_denominator and denominator is not None:
            denominators[key] = len(values)
            values.append(round(denominator))
            row_of.append(row)
    return values, row_of, numerators, denominators


def _sum_relations(values: list[float], quantities: dict[tuple, int]) -> list[Relation]:
    """Each breakdown's groups against its total, for the same authority, period and indicator."""
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
        elif total > values[whole]:  # a child counted in two groups
            relations.append(Relation(tuple(parts), whole, False))
    return relations


def _series(quantities: dict[tuple, int]) -> dict[tuple, dict[tuple, int]]:
    """Quantities by (authority, indicator), keyed by (period, breakdown, group)."""
    found: dict[tuple, dict[tuple, int]] = {}
    for (la, period, indicator, breakdown, group), q in quantities.items():
        found.setdefault((la, indicator), {})[(period, breakdown, group)] = q
    return found


def _rolling_relations(values: list[float], numerators: dict[tuple, int], minimum: int = 1) -> list[Relation]:
    """An indicator's figure that is exactly the sum of four quarters ending with it (a rolling 12 months),
    another indicator's or its own quarters alone (``"3m"`` windows), in every period where both are shown
    (at least ``minimum``): found in the figures themselves. One period is enough (records starting within
    the year: 39 in it, three quarters of 12 shown give the fourth); a relation found by chance is true of
    the values still, and only makes suppression more cautious."""
    series = _series(numerators)
    relations = []
    for (la, rolling), rolled in series.items():
        for (la2, quarterly), quarters in series.items():
            if la2 != la:
                continue
            alone = ALONE if quarterly == rolling else ""  # its own quarters: those of its "3m" windows
            found = []
            for (period, breakdown, group), q in rolled.items():
                try:
                    end = Period.parse(period)
                except ValueError:  # a year to date, rolling or quarter-alone window's own label
                    continue
                parts = [quarters.get((end.shift(-k).label + alone, breakdown, group)) for k in range(4)]
                if any(p is None for p in parts):
                    continue
                if sum(values[p] for p in parts) != values[q]:
                    found = []
                    break
                found.append(Relation(tuple(parts), q, True))
            if len(found) >= minimum:
                relations += found
    return relations


def _twin_relations(values: list[float], quantities: list[dict[tuple, int]], minimum: int = 3) -> list[Relation]:
    """Two indicators' figures (numerators or denominators) equal in every row they share (at least ``minimum``);
    a quarter alone (``"3m"``) of a 12-month figure meets the quarter of another indicator."""
    series: dict[tuple, dict[tuple, int]] = {}
    for kind, table in enumerate(quantities):
        for (la, period, indicator, breakdown, group), q in table.items():
            own = period.removesuffix(ALONE)
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


def _declared_relations(numerators: dict[tuple, int], denominators: dict[tuple, int],
                        catalogue: Catalogue) -> tuple[list[Relation], list[Relation]]:
    """The relations the catalogue declares (``same_as``, ``within``): equal figures, and bounds by groups.

    Returns the equalities (figures hidden together) and the bounds.
    """
    same, bounds = [], []
    for indicator in catalogue.indicators:
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
                inside = {str(g) for g in indicator.within["groups"]}
                groups = [(g, p) for (la2, period2, other, b, g), p in numerators.items()
                          if (la2, period2, other, b) == (la, period, indicator.within["indicator"], indicator.within["breakdown"])]
                whole = denominators.get((la, period, indicator.id, ALL, ALL))
                if groups:  # every child of the numerator is in a group inside, every other child in one outside
                    bounds.append(Relation(tuple(p for g, p in groups if g in inside), q, False))
                    if whole is not None:
                        bounds.append(Relation((*(p for g, p in groups if g not in inside), q), whole, False))
    return same, bounds


def _stock_relations(values: list[float], numerators: dict[tuple, int], denominators: dict[tuple, int],
                     catalogue: Catalogue) -> list[Relation]:
    """Stocks and flows the catalogue declares (``stock``): the children at a quarter's end are those at the
    quarter before's, plus the starts (the ``in`` indicator's numerator), less the ends (the ``out``
    indicator's denominator); a reader who knows three of them knows the fourth. Declared where the true
    figures meet it exactly (a child with two plans at once breaks it).

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> num = {("990", "2024-25 Q1", "cpp_rate", "all", "all"): 0, ("990", "2024-25 Q2", "cpp_rate", "all", "all"): 1,
    ...        ("990", "2024-25 Q2", "cpp_starts", "all", "all"): 2}
    >>> den = {("990", "2024-25 Q2", "cpp_2yr_plus_pct", "all", "all"): 3}
    >>> _stock_relations([50, 49, 3, 4], num, den, load_catalogue())
    [Relation(parts=(0, 2), whole=1, exact=True, minus=(3,))]
    """
    relations = []
    for indicator in catalogue.indicators:
        if not indicator.stock:
            continue
        for (la, period, own, breakdown, group), now in numerators.items():
            if own != indicator.id or breakdown != ALL or period.count(" ") != 1:  # quarters only
                continue
            before = numerators.get((la, Period.parse(period).previous().label, own, ALL, ALL))
            starts = numerators.get((la, period, indicator.stock["in"], ALL, ALL))
            ends = denominators.get((la, period, indicator.stock["out"], ALL, ALL))
            if None in (before, starts, ends):
                continue
            if values[before] + values[starts] - values[ends] == values[now]:
                relations.append(Relation((before, starts), now, True, (ends,)))
    return relations


def relations_of(frame: pl.DataFrame, catalogue: Catalogue | None = None) -> Relations:
    """Every relation a reader can use between the protected figures of ``frame`` (true values)."""
    catalogue = catalogue or load_catalogue()
    values, row_of, numerators, denominators = _quantities(frame, catalogue)
    same, bounds = _declared_relations(numerators, denominators, catalogue)
    twins = _twin_relations(values, [numerators, denominators]) + same
    relations = (_sum_relations(values, numerators) + _sum_relations(values, denominators)
                 + _rolling_relations(values, numerators) + twins + bounds
                 + _stock_relations(values, numerators, denominators, catalogue))
    twin_rows: dict[int, set[int]] = {}
    for relation in twins:
        a, b = row_of[relation.parts[0]], row_of[relation.whole]
        twin_rows.setdefault(a, set()).add(b)
        twin_rows.setdefault(b, set()).add(a)
    return Relations(values, row_of, relations, twin_rows)


class Reader:
    """What a reader can work out of hidden figures from the shown ones, by linear programming.

    ``hidden`` holds quantity numbers; every other quantity is known exactly.
    Of a hidden quantity the reader knows its class (small, zero or large:
    :func:`reader_bounds`), except for those in ``absent``, not on the page
    at all, which can be any number from 0 up.
    """

    def __init__(self, model: Relations, threshold: int, hidden: set[int], absent: set[int] | None = None):
        self.model = model
        self.threshold = threshold
        self.hidden = hidden
        self.absent = absent if absent is not None else set()
        self._by_quantity = model.of_quantity()

    def component(self, quantity: int) -> tuple[list[int], list[Relation]]:
        """The hidden quantities linked to ``quantity`` through relations, and those relations."""
        seen, relations, todo, used = {quantity}, [], [quantity], set()
        while todo:
            q = todo.pop()
            for number in self._by_quantity.get(q, ()):
                if number in used:
                    continue
                used.add(number)
                relation = self.model.relations[number]
                members = [m for m in (*relation.parts, *relation.minus, relation.whole) if m in self.hidden]
                relations.append(relation)
                for m in members:
                    if m not in seen:
                        seen.add(m)
                        todo.append(m)
        return sorted(seen), relations

    def feasible_range(self, quantity: int) -> tuple[float, float]:
        """The least and greatest value ``quantity`` can take, given what is shown (continuous relaxation)."""
        if quantity not in self.hidden:
            value = self.model.values[quantity]
            return value, value
        variables, relations = self.component(quantity)
        if not relations:
            return quantity_bounds(quantity, self.model.values, self.threshold, self.absent)
        if len(relations) == 1:  # most components: one table, solved in closed form
            return one_relation_range(quantity, relations[0], self.model.values, self.hidden, self.threshold, self.absent)
        return feasible_range(quantity, variables, relations, self.model.values, self.hidden, self.threshold, self.absent)

    def pinned(self, quantity: int) -> bool:
        """Whether the shown figures leave a single whole number for ``quantity``."""
        low, high = self.feasible_range(quantity)
        return high != BIG and math.ceil(low - 1e-6) >= math.floor(high + 1e-6)


def one_relation_range(target: int, relation: Relation, values: list[float], hidden: set[int], threshold: int,
                       absent: set[int] = frozenset()) -> tuple[float, float]:
    """:func:`feasible_range` where one relation links the hidden quantities: the same answer, without a solver.

    The relation is ``sum(a_i x_i) = b`` (or ``>=`` for groups that overlap)
    with every ``a_i`` 1 or -1 and each ``x_i`` in a range, so the rest sums
    to anything in the range of its terms, and the target is ``b`` less it.

    >>> one_relation_range(0, Relation((0, 1, 2), 3), [1, 5, 30, 36], {0, 1}, 5)
    (1, 1)
    >>> one_relation_range(0, Relation((0, 1, 2), 3), [2, 7, 30, 39], {0, 1}, 5)
    (1, 4)
    """
    def bounds(q: int) -> tuple[float, float]:
        return quantity_bounds(q, values, threshold, absent)

    terms = [(1, q) for q in relation.parts] + [(-1, q) for q in relation.minus] + [(-1, relation.whole)]
    constant = -sum(a * values[q] for a, q in terms if q not in hidden)  # sum over hidden of a_i x_i == constant
    sign = next(a for a, q in terms if q == target)
    rest_low = sum(a * bounds(q)[0] if a > 0 else -bounds(q)[1] for a, q in terms if q in hidden and q != target)
    rest_high = sum(a * bounds(q)[1] if a > 0 else -bounds(q)[0] for a, q in terms if q in hidden and q != target)
    low, high = bounds(target)
    if relation.exact:  # sign * x = constant - rest
        if sign > 0:
            return max(low, constant - rest_high), min(high, constant - rest_low)
        return max(low, rest_low - constant), min(high, rest_high - constant)
    # sum over hidden of a_i x_i >= constant: sign * x >= constant - rest, with rest at most rest_high
    if sign > 0:
        return max(low, constant - rest_high), high
    return low, min(high, rest_high - constant)


def feasible_range(target: int, variables: list[int], relations: list[Relation], values: list[float],
                   hidden: set[int], threshold: int, absent: set[int] = frozenset()) -> tuple[float, float]:
    """Minimise and maximise one hidden quantity subject to the relations and every hidden quantity's class.

    Examples
    --------
    Groups 2 (hidden, small), 7 (hidden, large) and 30, total 39: the two
    hidden groups add up to 9, so the small one can be anything from 1 to 4.

    >>> r = [Relation((0, 1, 2), 3)]
    >>> feasible_range(0, [0, 1], r, [2, 7, 30, 39], {0, 1}, 5)
    (1.0, 4.0)

    With the large group at exactly 5, the small one must be 1:

    >>> feasible_range(0, [0, 1], r, [1, 5, 30, 36], {0, 1}, 5)
    (1.0, 1.0)
    """
    import numpy as np
    from scipy.optimize import linprog

    index = {q: i for i, q in enumerate(variables)}
    equal_rows, equal_rhs, upper_rows, upper_rhs = [], [], [], []
    for relation in relations:
        row = np.zeros(len(variables))
        constant = 0.0
        for part in relation.parts:
            if part in index:
                row[index[part]] += 1
            else:
                constant += values[part]
        for part in relation.minus:
            if part in index:
                row[index[part]] -= 1
            else:
                constant -= values[part]
        if relation.whole in index:
            row[index[relation.whole]] -= 1
        else:
            constant -= values[relation.whole]
        if relation.exact:  # parts - whole == 0
            equal_rows.append(row)
            equal_rhs.append(-constant)
        else:  # whole - parts <= 0
            upper_rows.append(-row)
            upper_rhs.append(constant)
    bounds = [quantity_bounds(q, values, threshold, absent) for q in variables]
    bounds = [(low, None if high == BIG else high) for low, high in bounds]
    found = []
    for sign in (1, -1):
        objective = np.zeros(len(variables))
        objective[index[target]] = sign
        result = linprog(objective, A_ub=np.array(upper_rows) if upper_rows else None, b_ub=upper_rhs or None,
                         A_eq=np.array(equal_rows) if equal_rows else None, b_eq=equal_rhs or None,
                         bounds=bounds, method="highs")
        if result.status == 3:  # unbounded above
            found.append(BIG if sign == -1 else -BIG)
        elif result.status != 0:
            raise DisclosureError(f"the disclosure check could not solve its relations ({result.message}): the figures "
                                  "contradict each other")
        else:
            found.append(float(result.x[index[target]]))
    return round(found[0], 6), round(found[1], 6)


def _primary(frame: pl.DataFrame, threshold: int, catalogue: Catalogue) -> pl.Series:
    protected = [i.id for i in catalogue.indicators if i.disclosive]
    counted = [i.id for i in catalogue.indicators if i.unit != "rate_per_10k" and i.denominator]

    def small(column: str) -> pl.Expr:
        return pl.col(column).is_not_null() & (pl.col(column) > 0) & (pl.col(column) < threshold)

    return frame.select(
        (pl.col("indicator").is_in(protected) & (small("numerator") | (pl.col("indicator").is_in(counted) & small("denominator"))))
        .fill_null(False)
    ).to_series()


def protect(frame: pl.DataFrame, threshold: int = DEFAULT_THRESHOLD, catalogue: Catalogue | None = None) -> list[str | None]:
    """Why each row of ``frame`` is hidden (``"small"``, ``"complement"`` or ``"dropped"``), or None where it is shown.

    Where hiding every figure related to a small number still pins it (four
    districts each "fewer than 5" under a total "fewer than 5" must each be
    1), the breakdown is not shown at all (``"dropped"``): its groups'
    existence is then unknown too. Raises :class:`DisclosureError` if even
    that leaves a small number to be worked out.
    """
    catalogue = catalogue or load_catalogue()
    threshold = check_threshold(threshold)
    reasons: list[str | None] = [SMALL_REASON if p else None for p in _primary(frame, threshold, catalogue).to_list()]
    model = relations_of(frame, catalogue)
    rows_quantities: dict[int, list[int]] = {}
    for q, row in enumerate(model.row_of):
        rows_quantities.setdefault(row, []).append(q)
    absent: set[int] = set()
    # a breakdown of a small total says who those few children are (all girls, all under 1): not shown at all
    keys = list(frame.select("la_code", "period", "indicator", "breakdown").iter_rows())
    small_totals = {key[:3] for key, reason in zip(keys, reasons) if key[3] == ALL and reason == SMALL_REASON}
    for row, key in enumerate(keys):
        if key[3] != ALL and key[:3] in small_totals:
            reasons[row] = DROPPED_REASON
            absent.update(rows_quantities.get(row, ()))
    hidden = {q for q, row in enumerate(model.row_of) if reasons[row]}
    reader = Reader(model, threshold, hidden, absent)
    small = [q for q in hidden if 0 < model.values[q] < threshold]

    def hide(row: int, with_twins: bool = True) -> list[int]:
        rows, todo = {row}, [row] if with_twins else []
        while todo:  # with every row known to equal it
            for twin in model.twins.get(todo.pop(), ()):
                if twin not in rows and not reasons[twin]:
                    rows.add(twin)
                    todo.append(twin)
        added = [q for r in rows for q in rows_quantities.get(r, ()) if q not in hidden]
        hidden.update(added)
        for r in rows:
            reasons[r] = reasons[r] or COMPLEMENT_REASON
        return added

    def undo(added: list[int], rows_before: dict[int, str | None]) -> None:
        hidden.difference_update(added)
        for r, reason in rows_before.items():
            reasons[r] = reason

    for target in sorted(small):
        while reader.pinned(target):
            _, linked = reader.component(target)
            related = {}  # each shown row of the relations, by the value it adds to them
            for relation in linked:
                for m in (*relation.parts, *relation.minus, relation.whole):
                    if m not in hidden and model.values[m] != 0:  # never a zero: a withheld 0 is known to be 0
                        related[model.row_of[m]] = min(related.get(model.row_of[m], BIG), model.values[m])
            candidates = sorted(related, key=lambda row: (frame["breakdown"][row] == ALL, related[row], row))
            if not candidates:
                tables = sorted((set(r.parts) - absent for r in linked
                                 if len(r.parts) > 1 and frame["breakdown"][model.row_of[r.parts[0]]] != ALL),
                                key=lambda parts: (-len(parts), min(parts, default=0)))
                dropped = next((parts for parts in tables if parts), set())  # the breakdown with most groups first
                for row in {model.row_of[q] for q in dropped}:
                    reasons[row] = DROPPED_REASON
                    absent.update(rows_quantities[row])
                    hidden.update(rows_quantities[row])
                if dropped:
                    continue
                raise DisclosureError(
                    f"{frame['indicator'][model.row_of[target]]} ({frame['breakdown'][model.row_of[target]]}, "
                    f"{frame['period'][model.row_of[target]]}): a small number can be worked out from the other figures "
                    "whatever else is hidden")
            for row, with_twins in ((r, twins) for r in candidates for twins in (False, True)):
                if with_twins and not model.twins.get(row):
                    continue
                before = {r: reasons[r] for r in [row, *model.twins.get(row, ())]}
                added = hide(row, with_twins)  # alone if that is enough, else with the figures equal to it
                if not reader.pinned(target):
                    break
                undo(added, before)
            else:
                hide(candidates[0])
    return reasons


def suppress(frame: pl.DataFrame, threshold: int = DEFAULT_THRESHOLD, catalogue: Catalogue | None = None) -> pl.DataFrame:
    """Mark and blank what members may not see in a tidy measures frame.

    Adds ``suppressed`` (the row is hidden), ``suppression`` (why:
    ``"small"``, shown as "fewer than N" for counts, or ``"complement"``,
    hidden so that a small number cannot be worked out) and ``withheld`` (no
    value is shown); blanks ``numerator``, ``denominator`` and ``value``
    where they may not be shown.

    Examples
    --------
    One small group: the next smallest is withheld with it, so that the
    total less the groups shown does not give it away.

    >>> f = pl.DataFrame({"la_code": ["990"] * 4, "period": ["2024-25 Q1"] * 4,
    ...     "indicator": ["missing_episodes"] * 4, "breakdown": ["all", "sex", "sex", "sex"],
    ...     "group": ["all", "Female", "Male", "Unknown"], "numerator": [30.0, 20.0, 7.0, 3.0],
    ...     "denominator": [None] * 4, "value": [30.0, 20.0, 7.0, 3.0]})
    >>> suppress(f).select("group", "value", "suppression").rows()
    [('all', 30.0, None), ('Female', 20.0, None), ('Male', None, 'complement'), ('Unknown', None, 'small')]
    """
    reasons = protect(frame, threshold, catalogue)
    hidden = pl.Series("suppression", reasons, dtype=pl.String)
    return (
        frame.with_columns(hidden, suppressed=hidden.is_not_null())
        .with_columns(
            withheld=pl.col("suppressed") | pl.col("value").is_null(),
            numerator=pl.when(pl.col("suppressed")).then(None).otherwise(pl.col("numerator")),
            denominator=pl.when(pl.col("suppressed")).then(None).otherwise(pl.col("denominator")),
            value=pl.when(pl.col("suppressed")).then(None).otherwise(pl.col("value")),
        )
    )


def shown_label(unit: str, reason: str | None, threshold: int = DEFAULT_THRESHOLD) -> str:
    """The words members read in place of a hidden figure.

    >>> shown_label("count", "small"), shown_label("count", "complement"), shown_label("percent", "small")
    ('fewer than 5', 'withheld', 'withheld')
    """
    return label(threshold) if unit == "count" and reason == SMALL_REASON else WITHHELD


def label(threshold: int = DEFAULT_THRESHOLD) -> str:
    """The words shown in place of a small count.

    >>> label()
    'fewer than 5'
    """
    return SMALL.format(threshold=threshold)


def small_counts(counts: Iterable[float | None], threshold: int = DEFAULT_THRESHOLD) -> list[bool]:
    """Which of some unrelated counts (the data-quality table's) are from 1 to ``threshold - 1``.

    >>> small_counts([0, 3, 5, None])
    [False, True, False, False]
    """
    return [c is not None and 0 < c < threshold for c in counts]
