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
   children under 16 who went missing fall in the age bands under 16), and
   the data-quality counts are figures too, tied to those they add up with
   (:mod:`perfkit.indicators.quality_checks`: care leavers not in touch are
   the groups with no activity recorded). Every
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
4. **Packs read together.** What the authority's earlier published reports
   showed and withheld (``earlier``, from :mod:`perfkit.pipeline.ledger`):
   a figure one withheld stays withheld, and one that any showed is known to
   the reader, whether this report hides it or not. Their figures of earlier
   quarters (``context``, true values computed again) join the relations, so
   that a chain over every pack (girls looked after at each quarter's end are
   those at the last one's, plus girls starting, less girls leaving) is
   followed as far back as the packs go, not only to the last quarter.

:mod:`perfkit.present.disclosure_audit` reads a finished report back and checks the
same property on what the page shows.
"""

from __future__ import annotations

import math

import polars as pl

from perfkit.config.settings import DEFAULT_THRESHOLD, check_threshold
from perfkit.errors import DisclosureError
from perfkit.indicators.catalogue import ALL, Catalogue, load_catalogue
from perfkit.present.disclosure_relations import KEY, Relation, Relations, median_ids, protected_ids, relations_of

SMALL = "fewer than {threshold}"
WITHHELD = "withheld"
NOT_SHOWN = "not shown: too few to break down"
"""Written, once, for a breakdown that is not shown (its groups in :data:`ALL_GROUPS`)."""
ALL_GROUPS = "All groups"
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


class Reader:
    """What a reader can work out of hidden figures from the shown ones, by linear programming.

    ``hidden`` holds quantity numbers; every other quantity is known exactly.
    Of a hidden quantity the reader knows its class (small, zero or large:
    :func:`reader_bounds`), except for those in ``absent``, not on the page
    at all, which can be any number from 0 up.
    """

    def __init__(self, model: Relations, threshold: int, hidden: set[int], absent: set[int] | None = None,
                 known: set[int] | None = None):
        self.model = model
        self.threshold = threshold
        self._maybe_hidden = hidden  # the caller's set: protect() hides more in it as it goes
        # how many children two groups share is on no page: always hidden (below), never known, never absent
        self.known = (known or set()) - model.unshown
        """Quantities an earlier report showed: known to the reader whether this page hides them or not."""
        # but of a percentage's complement the reader knows only what its relation gives: no page says its class
        self.absent = ((absent if absent is not None else set()) - model.unshown) | model.derived
        self._by_quantity = model.of_quantity()
        self._seen: dict[int, list[float]] = {}
        """Each quantity's least and greatest value in the solutions found so far: values it can take. They stay
        so while ``hidden`` only grows (a figure hidden more is free at its true value); :meth:`forget` them
        when it shrinks."""

    def forget(self) -> None:
        """Drop the values seen in solutions: ``hidden`` lost a quantity, so they may no longer be possible."""
        self._seen.clear()

    @property
    def hidden(self) -> set[int]:
        """The quantities the reader cannot read: hidden here, and never shown by an earlier report."""
        hidden = self._maybe_hidden | self.model.unshown if self.model.unshown else self._maybe_hidden
        return hidden - self.known if self.known else hidden

    def is_hidden(self, quantity: int) -> bool:
        """``quantity in self.hidden``, without building the set."""
        return (quantity in self._maybe_hidden or quantity in self.model.unshown) and quantity not in self.known

    def component(self, quantity: int) -> tuple[list[int], list[Relation]]:
        """The hidden quantities linked to ``quantity`` through relations, and those relations."""
        seen, relations, todo, used = {quantity}, [], [quantity], set()
        hidden = self.hidden
        while todo:
            q = todo.pop()
            for number in self._by_quantity.get(q, ()):
                if number in used:
                    continue
                used.add(number)
                relation = self.model.relations[number]
                members = [m for m in (*relation.parts, *relation.minus, relation.whole) if m in hidden]
                relations.append(relation)
                for m in members:
                    if m not in seen:
                        seen.add(m)
                        todo.append(m)
        return sorted(seen), relations

    def feasible_range(self, quantity: int) -> tuple[float, float]:
        """The least and greatest value ``quantity`` can take, given what is shown (continuous relaxation)."""
        hidden = self.hidden
        if quantity not in hidden:
            value = self.model.values[quantity]
            return value, value
        variables, relations = self.component(quantity)
        if not relations:
            return quantity_bounds(quantity, self.model.values, self.threshold, self.absent)
        if len(relations) == 1:  # most components: one table, solved in closed form
            return one_relation_range(quantity, relations[0], self.model.values, hidden, self.threshold, self.absent)
        return feasible_range(quantity, variables, relations, self.model.values, hidden, self.threshold, self.absent,
                              self._seen)

    def pinned(self, quantity: int) -> bool:
        """Whether the shown figures leave a single whole number for ``quantity``.

        Two whole numbers between values it took in solutions already found (for other quantities of its
        relations) say it is not, without solving again: a component of the chain of quarters holds
        hundreds of quantities, each of which would otherwise be solved for twice.
        """
        seen = self._seen.get(quantity)
        if seen and self.is_hidden(quantity) and math.floor(seen[1] - 1e-6) - math.ceil(seen[0] + 1e-6) >= 1:
            return False
        low, high = self.feasible_range(quantity)
        return high != BIG and math.ceil(low - 1e-6) >= math.floor(high + 1e-6)


def with_context(frame: pl.DataFrame, context: pl.DataFrame | None) -> pl.DataFrame:
    """``frame`` followed by the earlier packs' figures (``context``, in ``frame``'s columns): the rows from
    ``frame.height`` on are those (:func:`protect`, :func:`perfkit.present.disclosure_audit.audit_page`)."""
    if context is None or not context.height:
        return frame
    return pl.concat([frame, context.select([c for c in context.columns if c in frame.columns])],
                     how="diagonal_relaxed")


def earlier_reader(model: Relations, threshold: int, row_keys: list[tuple], own_rows: int, earlier: pl.DataFrame,
                   absent: set[int]) -> Reader:
    """The reader of the earlier packs alone (``earlier``: the ledger's rows): every figure they showed, the
    class (small or not) of those they withheld, and nothing of this report's new figures (its rows, the
    first ``own_rows``, that no earlier pack named: not even known to exist). ``row_keys`` are the model's
    rows' keys (:data:`KEY`). A small number this reader can work out was given away before this report,
    which can neither give it nor take it back: it is named to the analyst (:data:`GIVEN_AWAY_BEFORE`), not
    protected here.

    >>> model = Relations([2, 3, 5], [0, 1, 2], [Relation((0, 1), 2)])  # Female 2 + Male 3 = 5 in all
    >>> keys = [("990", "2024-25 Q1", "missing_episodes", b, g) for b, g in (("sex", "F"), ("sex", "M"), ("all", "all"))]
    >>> def ledger(shown):
    ...     return pl.DataFrame(keys, schema=list(KEY), orient="row").with_columns(report=pl.lit("2024-25 Q1"), shown=pl.Series(shown))
    >>> earlier_reader(model, 5, keys, 0, ledger([False, True, True]), set()).pinned(0)
    True
    >>> earlier_reader(model, 5, keys, 0, ledger([False, True, False]), set()).pinned(0)  # the total withheld too
    False
    """
    known_keys, withheld_keys = known_and_withheld(earlier)
    unknown = never_named(earlier)
    known = {q for q, row in enumerate(model.row_of) if row_keys[row] in known_keys}
    unnamed = {q for q, row in enumerate(model.row_of) if row_keys[row] in unknown or (
        row < own_rows and row_keys[row] not in known_keys and row_keys[row] not in withheld_keys)}
    return Reader(model, threshold, set(range(len(model.values))) - known, (absent | unnamed) - known, known)


GIVEN_AWAY_BEFORE = "a small number earlier published reports already give away (this report adds nothing to it)"


def one_relation_range(target: int, relation: Relation, values: list[float], hidden: set[int], threshold: int,
                       absent: set[int] = frozenset()) -> tuple[float, float]:
    """:func:`feasible_range` where one relation links the hidden quantities: the same answer, without a solver.

    The relation is ``sum(a_i x_i) = b`` (or ``>=`` for groups that overlap)
    with each ``a_i`` a whole number (how many times ``x_i`` is named, less
    how many times it is taken away) and each ``x_i`` in a range, so the rest
    sums to anything in the range of its terms, and the target is what is left.

    >>> one_relation_range(0, Relation((0, 1, 2), 3), [1, 5, 30, 36], {0, 1}, 5)
    (1, 1.0)
    >>> one_relation_range(0, Relation((0, 1, 2), 3), [2, 7, 30, 39], {0, 1}, 5)
    (1, 4)

    A quantity named twice counts twice: 7 episodes of 5 children leave 2 for the children missing 3 or
    more times, each with 2 more than one: one at most.

    >>> one_relation_range(0, Relation((2,), 1, False, (0, 0)), [1, 5, 7], {0}, 5)
    (1, 1.0)
    """
    def bounds(q: int) -> tuple[float, float]:
        return quantity_bounds(q, values, threshold, absent)

    coefficients: dict[int, int] = {}  # a quantity named twice counts twice (e >= c + 2r)
    for a, q in [(1, q) for q in relation.parts] + [(-1, q) for q in relation.minus] + [(-1, relation.whole)]:
        coefficients[q] = coefficients.get(q, 0) + a
    constant = -sum(a * values[q] for q, a in coefficients.items() if q not in hidden)  # hidden sum == constant
    sign = coefficients[target]
    rest = [(a, q) for q, a in coefficients.items() if q in hidden and q != target and a]
    rest_low = sum(a * bounds(q)[0] if a > 0 else a * bounds(q)[1] for a, q in rest)
    rest_high = sum(a * bounds(q)[1] if a > 0 else a * bounds(q)[0] for a, q in rest)
    low, high = bounds(target)
    if sign == 0:
        return low, high
    if relation.exact:  # sign * x = constant - rest
        ends = sorted(((constant - rest_high) / sign, (constant - rest_low) / sign))
        return max(low, ends[0]), min(high, ends[1])
    # sum over hidden of a_i x_i >= constant: sign * x >= constant - rest, with rest at most rest_high
    if sign > 0:
        return max(low, (constant - rest_high) / sign), high
    return low, min(high, (constant - rest_high) / sign)


def feasible_range(target: int, variables: list[int], relations: list[Relation], values: list[float],
                   hidden: set[int], threshold: int, absent: set[int] = frozenset(),
                   seen: dict[int, list[float]] | None = None) -> tuple[float, float]:
    """Minimise and maximise one hidden quantity subject to the relations and every hidden quantity's class.

    ``seen``, where given, gathers each variable's least and greatest value in the two solutions.

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
            if seen is not None:
                for q, x in zip(variables, result.x.tolist()):
                    if q in seen:
                        pair = seen[q]
                        pair[0], pair[1] = min(pair[0], x), max(pair[1], x)
                    else:
                        seen[q] = [x, x]
    return round(found[0], 6), round(found[1], 6)


def _primary(frame: pl.DataFrame, threshold: int, catalogue: Catalogue) -> pl.Series:
    protected = list(protected_ids(catalogue))
    counted = [i.id for i in catalogue.indicators if i.unit != "rate_per_10k" and i.denominator]
    medians = list(median_ids(catalogue))  # a length, not a count: its items are

    def small(column: str) -> pl.Expr:
        return pl.col(column).is_not_null() & (pl.col(column) > 0) & (pl.col(column) < threshold)

    small_count = small("numerator") & ~pl.col("indicator").is_in(medians)
    return frame.select(
        (pl.col("indicator").is_in(protected) & (small_count | (pl.col("indicator").is_in(counted) & small("denominator"))))
        .fill_null(False)
    ).to_series()


def known_and_withheld(earlier: pl.DataFrame | None) -> tuple[set[tuple], set[tuple]]:
    """The keys (la_code, period, indicator, breakdown, group) an earlier report showed, and those one withheld
    in words ("fewer than 5", "withheld") that none showed (``earlier``: :mod:`perfkit.pipeline.ledger`'s rows).
    A figure no page named (null) is neither: its reader knows nothing of it, and this report may show it
    where its own check allows (with every earlier pack's figures related to it).

    >>> rows = pl.DataFrame({"report": ["Q1", "Q2", "Q2", "Q2"], "la_code": ["990"] * 4, "period": ["Q1"] * 4,
    ...     "indicator": ["a", "a", "b", "c"], "breakdown": ["all"] * 4, "group": ["all"] * 4,
    ...     "shown": [False, True, False, None]})
    >>> known_and_withheld(rows)
    ({('990', 'Q1', 'a', 'all', 'all')}, {('990', 'Q1', 'b', 'all', 'all')})
    """
    if earlier is None or earlier.is_empty():
        return set(), set()
    known = set(earlier.filter(pl.col("shown")).select(KEY).iter_rows())
    return known, set(earlier.filter(pl.col("shown") == False).select(KEY).iter_rows()) - known  # noqa: E712


def never_named(earlier: pl.DataFrame | None) -> set[tuple]:
    """The keys no earlier page named at all (the ledger's null): a reader of those pages knows nothing of
    them, not even whether they are small (a breakdown not shown, where a page said nothing of its groups).

    >>> rows = pl.DataFrame({"report": ["Q1", "Q2", "Q2"], "la_code": ["990"] * 3, "period": ["Q1"] * 3,
    ...     "indicator": ["a", "a", "b"], "breakdown": ["all"] * 3, "group": ["all"] * 3, "shown": [None, False, None]})
    >>> never_named(rows)
    {('990', 'Q1', 'b', 'all', 'all')}
    """
    if earlier is None or earlier.is_empty():
        return set()
    named = set(earlier.filter(pl.col("shown").is_not_null()).select(KEY).iter_rows())
    return set(earlier.filter(pl.col("shown").is_null()).select(KEY).iter_rows()) - named


def protect(frame: pl.DataFrame, threshold: int = DEFAULT_THRESHOLD, catalogue: Catalogue | None = None,
            earlier: pl.DataFrame | None = None, context: pl.DataFrame | None = None,
            given_away: list[tuple] | None = None) -> list[str | None]:
    """Why each row of ``frame`` is hidden (``"small"``, ``"complement"`` or ``"dropped"``), or None where it is shown.

    Where hiding every figure related to a small number still pins it (four
    districts each "fewer than 5" under a total "fewer than 5" must each be
    1), the breakdown is not shown at all (``"dropped"``): its groups'
    existence is then unknown too. Raises :class:`DisclosureError` if even
    that leaves a small number to be worked out.

    ``earlier`` (:mod:`perfkit.pipeline.ledger`) holds what the authority's earlier published reports
    showed and withheld: a figure one withheld stays withheld, and a figure one showed is known to the
    reader, hidden here or not (hiding it again protects nothing). ``context`` holds those reports' figures
    that ``frame`` has not (earlier quarters' breakdowns, true values, each named in ``earlier``): they are
    related to this report's figures as a reader of every pack relates them, and this report hides what
    would let them give a small number away; no reason is returned for them, as this report shows none.
    A small number the earlier packs give away by themselves (published before this protection existed)
    is left alone and its key added to ``given_away`` (:func:`earlier_reader`).
    """
    catalogue = catalogue or load_catalogue()
    threshold = check_threshold(threshold)
    own_rows = frame.height
    frame = with_context(frame, context)  # the earlier packs' figures, after this report's own rows
    reasons: list[str | None] = [SMALL_REASON if p else None for p in _primary(frame, threshold, catalogue).to_list()]
    known_keys, withheld_keys = known_and_withheld(earlier)
    row_keys = list(frame.select(KEY).iter_rows())
    for row, key in enumerate(row_keys):
        if key in withheld_keys and not reasons[row]:  # withheld before: withheld again
            reasons[row] = COMPLEMENT_REASON
        elif row >= own_rows and key not in known_keys:  # an earlier figure no pack showed (context is what one named)
            reasons[row] = reasons[row] or COMPLEMENT_REASON
    model = relations_of(frame, catalogue, own_rows)
    rows_quantities: dict[int, list[int]] = {}
    for q, row in enumerate(model.row_of):
        rows_quantities.setdefault(row, []).append(q)
    # an earlier figure no page named: its reader knows nothing of it, not even its class
    unknown = never_named(earlier)
    absent: set[int] = {q for q, row in enumerate(model.row_of) if row >= own_rows and row_keys[row] in unknown}
    # a breakdown of a small total says who those few children are (all girls, all under 1): not shown at all
    small_totals = {key[:3] for key, reason in zip(row_keys, reasons) if key[3] == ALL and reason == SMALL_REASON}
    for row, key in enumerate(row_keys):
        if key[3] != ALL and key[:3] in small_totals:
            reasons[row] = DROPPED_REASON
            absent.update(rows_quantities.get(row, ()))
    hidden = {q for q, row in enumerate(model.row_of) if reasons[row]} | model.unshown  # shared: never shown
    known = {q for q, row in enumerate(model.row_of) if row_keys[row] in known_keys} - model.unshown
    reader = Reader(model, threshold, hidden, absent, known)
    small = [q for q in hidden if 0 < model.values[q] < threshold and q not in known]

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
        reader.forget()
        for r, reason in rows_before.items():
            reasons[r] = reason

    packs_alone: Reader | None = None
    for target in sorted(small):
        if (known_keys or context is not None) and reader.pinned(target):
            if packs_alone is None:
                packs_alone = earlier_reader(model, threshold, row_keys, own_rows, earlier, absent)
            if packs_alone.pinned(target):  # the earlier packs give it away by themselves: no figure here can help
                if given_away is not None:
                    given_away.append(row_keys[model.row_of[target]])
                continue
        while reader.pinned(target):
            _, linked = reader.component(target)
            related = {}  # each shown row of the relations, by the value it adds to them
            for relation in linked:
                for m in (*relation.parts, *relation.minus, relation.whole):
                    if m not in hidden and m not in known and model.values[m] != 0:  # never a zero, nor a figure
                        # an earlier report showed: a withheld 0 is known to be 0, and a figure shown before is known
                        related[model.row_of[m]] = min(related.get(model.row_of[m], BIG), model.values[m])
            candidates = sorted(related, key=lambda row: (frame["breakdown"][row] == ALL, related[row], row))
            if not candidates:
                tables = sorted((set(r.parts) - absent for r in linked  # this report's own tables, never an earlier's
                                 if len(r.parts) > 1 and frame["breakdown"][model.row_of[r.parts[0]]] != ALL
                                 and model.row_of[r.parts[0]] < own_rows),
                                key=lambda parts: (-len(parts), min(parts, default=0)))
                dropped = next((parts for parts in tables if parts), set())  # the breakdown with most groups first
                for row in {model.row_of[q] for q in dropped}:
                    reasons[row] = DROPPED_REASON
                    absent.update(rows_quantities[row])
                    reader.absent.update(set(rows_quantities[row]) - model.unshown)  # the reader's own copy too
                    hidden.update(rows_quantities[row])
                if dropped:
                    continue
                bound = ("; earlier published reports bind this one (what they showed is known, what they withheld "
                         "stays withheld): the figures may have changed since" if known_keys or withheld_keys else "")
                raise DisclosureError(
                    f"{frame['indicator'][model.row_of[target]]} ({frame['breakdown'][model.row_of[target]]}, "
                    f"{frame['period'][model.row_of[target]]}): a small number can be worked out from the other figures "
                    f"whatever else is hidden{bound}")
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
    show_what_a_twin_shows(reasons, model, rows_quantities, own_rows, row_keys, withheld_keys)
    return reasons[:own_rows]


def show_what_a_twin_shows(reasons: list[str | None], model: Relations, rows_quantities: dict[int, list[int]],
                           own_rows: int, row_keys: list[tuple], withheld_keys: set[tuple]) -> None:
    """Show again each figure hidden to protect another (``complement``) whose every quantity equals one this
    report shows: hiding it protected nothing (a reader knows it from its twin), and a page that says
    "withheld" beside "19 of 413" for the same children is one members cannot trust. A figure an earlier
    pack withheld stays withheld.

    >>> from perfkit.present.disclosure_relations import Relation
    >>> model = Relations([19.0, 19.0, 413.0], [0, 1, 1], [Relation((0,), 1, True)], {0: {1}, 1: {0}}, equals={0: {1}, 1: {0}})
    >>> reasons = [COMPLEMENT_REASON, None]
    >>> show_what_a_twin_shows(reasons, model, {0: [0], 1: [1, 2]}, 2, [("a",), ("b",)], set())
    >>> reasons
    [None, None]
    """
    changed = True
    while changed:  # a figure shown again may be the twin that lets another be shown
        changed = False
        for row in range(own_rows):
            if reasons[row] != COMPLEMENT_REASON or row_keys[row] in withheld_keys:
                continue
            quantities = [q for q in rows_quantities.get(row, ()) if q not in model.unshown]
            if quantities and all(any(model.row_of[e] < own_rows and not reasons[model.row_of[e]]
                                      for e in model.equals.get(q, ())) for q in quantities):
                reasons[row] = None
                changed = True


def suppress(frame: pl.DataFrame, threshold: int = DEFAULT_THRESHOLD, catalogue: Catalogue | None = None,
             earlier: pl.DataFrame | None = None, context: pl.DataFrame | None = None) -> pl.DataFrame:
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
    reasons = protect(frame, threshold, catalogue, earlier, context)
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


def shown_text(indicator, row: dict | None, threshold: int = DEFAULT_THRESHOLD) -> str:
    """A row of a measures frame after disclosure control, as members read it: "not available" where the data
    cannot give it, the words of suppression where hidden, else the figure.

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> referrals = load_catalogue()["referrals"]
    >>> [shown_text(referrals, r) for r in ({"value": 1234.0}, {"suppressed": True, "suppression": "small"},
    ...                                      {"reason": "not available from this data"})]
    ['1,234', 'fewer than 5', 'not available']
    """
    from perfkit.present.formatting import NOT_AVAILABLE_CELL, format_value

    row = row or {}
    if row.get("reason"):
        return NOT_AVAILABLE_CELL
    if row.get("suppressed"):
        return shown_label(indicator.unit, row.get("suppression"), threshold)
    return format_value(row.get("value"), indicator)


def label(threshold: int = DEFAULT_THRESHOLD) -> str:
    """The words shown in place of a small count.

    >>> label()
    'fewer than 5'
    """
    return SMALL.format(threshold=threshold)
