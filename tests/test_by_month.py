"""Figures month by month in the member report (#19: "the largest number of referrals in July", "children
missing from care at any time in the month"): a small month is not given back by its quarter, its year or
the children counted once over its quarter, checked by disclosure control's reader and by an independent
whole-number count; the audit reads the table and catches figures planted in it.
"""

from __future__ import annotations

import itertools

import polars as pl

from perfkit.present.disclosure import Reader, relations_of, suppress

T = 5


def _rows(indicator: str, figures: dict[str, float], breakdown: str = "all", group: str = "all",
          denominator: float | None = None) -> pl.DataFrame:
    n = len(figures)
    return pl.DataFrame({"la_code": ["990"] * n, "period": list(figures), "indicator": [indicator] * n,
                         "breakdown": [breakdown] * n, "group": [group] * n, "numerator": list(figures.values()),
                         "denominator": [denominator] * n,
                         "value": [v if denominator is None else v / denominator * 10_000 for v in figures.values()]},
                        schema_overrides={"denominator": pl.Float64})


def _nothing_small_pinned(truth: pl.DataFrame, out: pl.DataFrame) -> None:
    model = relations_of(truth)
    shown = {q for q, row in enumerate(model.row_of) if not out["suppressed"][row]}
    reader = Reader(model, T, set(range(len(model.values))) - shown, set())
    small = [q for q in range(len(model.values)) if 0 < model.values[q] < T]
    assert small and not any(reader.pinned(q) for q in small)


def _whole_values(months: dict[str, int], hidden: set[str], quarter: int, exact: bool) -> set[int]:
    """Every whole value the hidden months can take, given the months shown and the quarter (exactly their
    sum, or, for children counted once, at most their sum and at least each): an attacker's own count,
    independent of disclosure control's relations. Each hidden month is small (1-4) or large (5+)."""
    names = sorted(hidden)
    candidates = [range(1, T) if 0 < months[m] < T else range(T, 60) for m in names]
    found = {m: set() for m in names}
    for values in itertools.product(*candidates):
        trial = {**months, **dict(zip(names, values))}
        total = sum(trial.values())
        if (total == quarter) if exact else (total >= quarter and max(trial.values()) <= quarter):
            for m, v in zip(names, values):
                found[m].add(v)
    return found


def test_a_small_month_is_not_given_back_by_its_quarter():
    """Referrals in a quarter are its three months': 30 in the quarter, 14 and 13 shown, give the third (3)."""
    months = {"2024-25 M07": 14.0, "2024-25 M08": 13.0, "2024-25 M09": 3.0}
    truth = pl.concat([_rows("referrals", {"2024-25 Q3": 30.0}), _rows("referrals", months)])
    out = suppress(truth, T)
    hidden = set(out.filter(pl.col("suppressed"))["period"].to_list())
    assert "2024-25 M09" in hidden and len(hidden) >= 2, hidden
    _nothing_small_pinned(truth, out)
    shown = {p: int(v) for p, v in zip(out["period"], truth["numerator"]) if p in months and p not in hidden}
    if "2024-25 Q3" not in hidden:  # the attacker's count: the small month is not one value
        found = _whole_values({**shown, **{m: int(months[m]) for m in hidden & set(months)}}, hidden & set(months),
                              30, True)
        assert len(found["2024-25 M09"]) > 1, found


def test_a_small_month_is_not_given_back_by_the_rolling_year_of_its_rate():
    """Referrals per 10,000 count the 12 months to the quarter's end: the rate's count less eleven months
    shown gives the twelfth."""
    months = {f"2024-25 M{m:02d}": float(20 + m) for m in range(1, 13)}
    months["2024-25 M05"] = 2.0
    truth = pl.concat([_rows("referral_rate", {"2024-25 Q4": sum(months.values())}, denominator=60_000.0),
                       _rows("referrals", months)])
    model = relations_of(truth)
    assert any(len(r.parts) == 12 for r in model.relations), "the year's referrals are its twelve months'"
    out = suppress(truth, T)
    hidden = out.filter(pl.col("suppressed")).select("indicator", "period").rows()
    assert ("referrals", "2024-25 M05") in hidden and len(hidden) >= 2, hidden
    _nothing_small_pinned(truth, out)


def test_children_counted_once_bound_a_small_month():
    """Children who went missing are counted once in a quarter however many months they went missing in:
    the quarter is at most its months' sum and at least each month. 12 and 0 shown under a quarter of 16
    leave the small month at least 4: it is pinned at 4 unless more is hidden (a second quarter, whose
    months add up to more than it, shows the sum is no relation here)."""
    q3 = {"2024-25 M07": 12.0, "2024-25 M08": 4.0, "2024-25 M09": 0.0}
    q4 = {"2024-25 M10": 10.0, "2024-25 M11": 10.0, "2024-25 M12": 10.0}
    truth = pl.concat([_rows("missing_children", {"2024-25 Q3": 16.0, "2024-25 Q4": 20.0}),
                       _rows("missing_children", {**q3, **q4})])
    model = relations_of(truth)
    assert not any(r.exact and len(r.parts) == 3 for r in model.relations), "no sum of months holds in Q4"
    assert any(not r.exact and len(r.parts) == 3 for r in model.relations), "the bounds are related"
    out = suppress(truth, T)
    hidden = set(out.filter(pl.col("suppressed"))["period"].to_list())
    assert "2024-25 M08" in hidden and len(hidden & {"2024-25 Q3", "2024-25 M07"}) >= 1, hidden
    _nothing_small_pinned(truth, out)
    if "2024-25 Q3" not in hidden:
        found = _whole_values({m: int(v) for m, v in q3.items()}, hidden & set(q3), 16, False)
        assert len(found["2024-25 M08"]) > 1, found


def test_a_figure_at_a_quarters_end_is_its_last_months():
    """Children on a plan at a quarter's end are those at its last month's end: a reader relates the two."""
    truth = _rows("cpp_rate", {"2024-25 Q3": 41.0, "2024-25 M07": 44.0, "2024-25 M08": 43.0, "2024-25 M09": 41.0},
                  denominator=60_000.0)
    model = relations_of(truth)
    periods = truth["period"].to_list()
    assert [(periods[model.row_of[r.parts[0]]], periods[model.row_of[r.whole]]) for r in model.relations
            if r.exact and len(r.parts) == 1] == [("2024-25 M09", "2024-25 Q3")]
