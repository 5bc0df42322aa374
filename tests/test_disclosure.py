"""Disclosure control: no hidden small number can be worked out from what a member report shows.

The suppression (``perfkit.present.disclosure``) is checked here against an
independent, exact count of the whole numbers each hidden cell could be,
given the cells shown and the totals (no linear programming), on hand-built
tables and on random ones (hypothesis). The audit of a finished page
(``perfkit.present.disclosure_audit``) is checked to pass the stored report and to
catch figures planted in it.
"""

from __future__ import annotations

import re

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfkit.present.disclosure import DisclosureError, check_threshold, suppress

T = 5
PERIOD = "2024-25 Q4"


def frame(total: int | None, breakdowns: dict[str, list[int]], indicator: str = "cpp_starts",
          period: str = PERIOD) -> pl.DataFrame:
    """A count indicator's total and its breakdowns, as the engine's tidy frame holds them."""
    rows = [("all", "all", total)] + [(b, f"g{n}", v) for b, values in breakdowns.items() for n, v in enumerate(values)]
    return pl.DataFrame({
        "la_code": ["990"] * len(rows), "period": [period] * len(rows), "indicator": [indicator] * len(rows),
        "breakdown": [r[0] for r in rows], "group": [r[1] for r in rows],
        "numerator": [float(r[2]) for r in rows], "denominator": [None] * len(rows),
        "value": [float(r[2]) for r in rows],
    }, schema_overrides={"denominator": pl.Float64})


def classes(value: int, cap: int) -> range:
    """What a reader who knows the rules knows of a hidden count: small, zero, or large."""
    if value == 0:  # a hidden count that is not "fewer than 5" is 0 or large: the reader may know which
        return range(0, 1)
    if value < T:
        return range(1, T)
    return range(T, cap + 1)


def possible_values(table: pl.DataFrame) -> dict[tuple[str, str], set[int]]:
    """Every whole number each hidden cell can take, given the shown cells and that each breakdown adds up.

    A hidden cell's class (small, zero or large) is known to the reader; a
    dropped breakdown's groups (not on the page) can be anything from 0. For
    each value of the total (enumerated when it is hidden), a breakdown's
    hidden cells must add up to the total less its shown cells: a cell can be
    ``v`` exactly when the others' ranges can make up the rest. Exact for one
    equation over whole-number ranges, and independent of the code under test.
    """
    rows = table.rows(named=True)
    truth = {(r["breakdown"], r["group"]): round(r["numerator"]) for r in rows}
    suppressed = {(r["breakdown"], r["group"]): r["suppression"] for r in rows if r["suppressed"]}
    cap = sum(truth.values()) + T
    ranges = {k: range(0, cap + 1) if reason == "dropped" else classes(truth[k], cap) for k, reason in suppressed.items()}
    total_key = ("all", "all")
    totals = ranges[total_key] if total_key in suppressed else [truth[total_key]]
    found: dict[tuple[str, str], set[int]] = {k: set() for k in suppressed}
    breakdowns = sorted({k[0] for k in truth if k[0] != "all"})
    for total in totals:
        fits, values = True, {}
        for b in breakdowns:
            cells = [k for k in truth if k[0] == b]
            hidden = [k for k in cells if k in suppressed]
            rest = total - sum(truth[k] for k in cells if k not in suppressed)
            low, high = sum(ranges[k][0] for k in hidden), sum(ranges[k][-1] for k in hidden)
            if not low <= rest <= high:
                fits = False
                break
            for k in hidden:
                others_low, others_high = low - ranges[k][0], high - ranges[k][-1]
                values[k] = {v for v in ranges[k] if others_low <= rest - v <= others_high}
        if fits:
            if total_key in suppressed:
                found[total_key].add(total)
            for k, v in values.items():
                found[k] |= v
    return found


def assert_nothing_recoverable(table: pl.DataFrame) -> None:
    truth = {(r["breakdown"], r["group"]): round(r["numerator"]) for r in table.rows(named=True)}
    suppressed = set(possible_values(table))
    for key, value in truth.items():
        if 0 < value < T:
            assert key in suppressed, f"small cell {key} = {value} is shown"
    for key, values in possible_values(table).items():
        assert truth[key] in values, f"the true value of {key} is not among those found: the check is wrong"
        if 0 < truth[key] < T:
            assert len(values) >= 2, f"hidden cell {key} can only be {values}"


def protected(total: int | None, breakdowns: dict[str, list[int]]) -> pl.DataFrame:
    original = frame(total, breakdowns)
    return suppress(original, T).with_columns(numerator=original["numerator"])


def test_one_small_cell_takes_a_complement_and_the_complement_is_labelled_withheld():
    # the case: 54, 43, 5, 5 and a hidden 2, total 109
    table = protected(109, {"category": [54, 43, 5, 5, 2]})
    reasons = dict(zip(table["group"], table["suppression"]))
    assert reasons["g4"] == "small"
    assert sum(r == "complement" for r in reasons.values()) >= 1
    assert_nothing_recoverable(table)


def test_a_complement_at_exactly_the_threshold_is_not_enough_for_a_one():
    # 1 and 5 hidden, total 56 with 50 shown: the hidden pair adds to 6, and 5 is the least a large cell can be
    table = protected(56, {"sex": [50, 5, 1]})
    assert table.filter(pl.col("group") == "g2")["suppression"][0] == "small"
    assert table.filter(pl.col("suppressed")).height >= 2
    assert_nothing_recoverable(table)


def test_two_small_cells_that_would_give_each_other_away_get_a_complement():
    # 1 and 1 hidden, 40 shown, total 42: the pair adds to 2, so each is 1
    table = protected(42, {"district": [40, 1, 1]})
    assert table.filter(pl.col("group") == "g0")["suppressed"][0]
    assert_nothing_recoverable(table)


def test_three_small_cells_and_a_second_breakdown_of_the_same_total():
    table = protected(61, {"district": [3, 4, 2, 20, 32], "sex": [30, 28, 3]})
    assert_nothing_recoverable(table)


def test_a_small_total_is_hidden_with_its_groups():
    table = protected(4, {"sex": [3, 1, 0]})
    assert table.filter(pl.col("group") == "all")["suppression"][0] == "small"
    assert_nothing_recoverable(table)


def test_a_percentage_hides_its_small_numerator_and_its_complement():
    rows = {"breakdown": ["all", "district", "district", "district"], "group": ["all", "a", "b", "c"],
            "numerator": [30.0, 2.0, 13.0, 15.0], "denominator": [100.0, 20.0, 40.0, 40.0]}
    f = pl.DataFrame({"la_code": ["990"] * 4, "period": [PERIOD] * 4, "indicator": ["rereferral_pct"] * 4, **rows,
                      "value": [n / d * 100 for n, d in zip(rows["numerator"], rows["denominator"])]})
    reasons = dict(zip(f["group"], suppress(f, T)["suppression"]))
    assert reasons["a"] == "small" and reasons["b"] == "complement" and reasons["c"] is None


def test_a_quarter_hidden_in_a_trend_is_not_given_away_by_the_rolling_year():
    # referral_rate's numerator is the sum of the four quarters of referrals
    quarters = ["2023-24 Q1", "2023-24 Q2", "2023-24 Q3", "2023-24 Q4", "2024-25 Q1", "2024-25 Q2"]
    counts = [10, 12, 9, 11, 3, 14]
    referrals = pl.concat([frame(c, {}, "referrals", q) for q, c in zip(quarters, counts)])
    rolling = [sum(counts[i - 3:i + 1]) for i in range(3, 6)]
    rate = pl.DataFrame({"la_code": ["990"] * 3, "period": quarters[3:], "indicator": ["referral_rate"] * 3,
                         "breakdown": ["all"] * 3, "group": ["all"] * 3, "numerator": [float(r) for r in rolling],
                         "denominator": [60000.0] * 3, "value": [r / 6 for r in rolling]})
    out = suppress(pl.concat([referrals, rate]), T)
    hidden = out.filter(pl.col("suppressed")).select("indicator", "period", "suppression").rows()
    assert ("referrals", "2024-25 Q1", "small") in hidden
    assert len(hidden) >= 2, "the rolling year less the three quarters shown would give the small quarter"


def _s47(quarters: list[str], counts: list[int]) -> pl.DataFrame:
    """s47_rate's 12-month figures and each quarter alone ("3m" windows), as the report's aggregates hold them."""
    rolling = [sum(counts[i - 3:i + 1]) for i in range(3, len(counts))]
    rows = [(q, float(r)) for q, r in zip(quarters[3:], rolling)] + [(f"{q} 3M", float(c)) for q, c in zip(quarters, counts)]
    return pl.DataFrame({"la_code": ["990"] * len(rows), "period": [r[0] for r in rows],
                         "indicator": ["s47_rate"] * len(rows), "breakdown": ["all"] * len(rows),
                         "group": ["all"] * len(rows), "numerator": [r[1] for r in rows],
                         "denominator": [60000.0] * len(rows), "value": [r[1] / 6 for r in rows]})


def test_a_quarter_alone_hidden_in_a_trend_is_not_given_away_by_its_own_rolling_year():
    """A figure over 12 months charted as each quarter alone: the 12 months less three quarters shown gives
    the fourth, so a small quarter alone takes another figure of that relation with it."""
    quarters = ["2023-24 Q1", "2023-24 Q2", "2023-24 Q3", "2023-24 Q4", "2024-25 Q1", "2024-25 Q2"]
    truth = _s47(quarters, [10, 12, 9, 11, 3, 14])
    out = suppress(truth, T)
    hidden = out.filter(pl.col("suppressed")).select("period", "suppression").rows()
    assert ("2024-25 Q1 3M", "small") in hidden
    assert len(hidden) >= 2, hidden
    # and the audit's reader agrees: nothing hidden is pinned
    from perfkit.present.disclosure import Reader, relations_of

    model = relations_of(truth)
    assert any(len(r.parts) == 4 for r in model.relations), "the 12 months are the sum of their quarters alone"
    keys = out["period"].to_list()
    shown = {q for q, row in enumerate(model.row_of) if not out["suppressed"][row]}
    reader = Reader(model, T, set(range(len(model.values))) - shown, set())
    small = [q for q in range(len(model.values)) if 0 < model.values[q] < T]
    assert small and not any(reader.pinned(q) for q in small), [keys[model.row_of[q]] for q in small]


def test_one_year_of_records_is_enough_to_relate_the_year_to_its_quarters():
    """Records that start within the last year: the 12 months have a figure in the report's quarter only.
    That one relation gives a small quarter back (39 in the year, 12 + 12 + 12 shown: the fourth is 3),
    so it is kept though it holds once (an attacker's pass found it dropped: it was kept from two up)."""
    population = 63_488.0
    rows = [("2024-25 Q4", 39)] + [(f"2024-25 Q{q} 3M", n) for q, n in [(1, 12), (2, 3), (3, 12), (4, 12)]]
    truth = pl.DataFrame({"la_code": ["990"] * 5, "period": [p for p, _ in rows], "indicator": ["s47_rate"] * 5,
                          "breakdown": ["all"] * 5, "group": ["all"] * 5, "numerator": [float(n) for _, n in rows],
                          "denominator": [population] * 5,
                          "value": [n / population * 1e4 * (4 if p.endswith("3M") else 1) for p, n in rows]})
    out = suppress(truth, T)
    hidden = out.filter(pl.col("suppressed"))["period"].to_list()
    assert "2024-25 Q2 3M" in hidden and len(hidden) >= 2, hidden


def _nothing_small_pinned(truth: pl.DataFrame, out: pl.DataFrame) -> None:
    """No hidden figure from 1 to 4 of ``truth`` can be worked out from the figures ``out`` shows."""
    from perfkit.present.disclosure import Reader, relations_of

    model = relations_of(truth)
    shown = {q for q, row in enumerate(model.row_of) if not out["suppressed"][row]} - model.unshown
    reader = Reader(model, T, set(range(len(model.values))) - shown, set())
    pinned = [out.row(model.row_of[q], named=True) for q in range(len(model.values))
              if 0 < model.values[q] < T and q not in shown and reader.pinned(q)]
    assert not pinned, pinned


def _tidy(cells: list[tuple[str, str, str, str, float, float | None]]) -> pl.DataFrame:
    """(period, indicator, breakdown, group, numerator, denominator) rows as the report's aggregates hold them,
    each value in its indicator's unit (a rate per 10,000, a percentage)."""
    from perfkit.indicators.catalogue import load_catalogue

    scale = {"rate_per_10k": 10_000, "percent": 100}
    units = load_catalogue()
    return pl.DataFrame({"la_code": ["990"] * len(cells), "period": [c[0] for c in cells],
                         "indicator": [c[1] for c in cells], "breakdown": [c[2] for c in cells],
                         "group": [c[3] for c in cells], "numerator": [c[4] for c in cells],
                         "denominator": [c[5] for c in cells],
                         "value": [c[4] if c[5] is None else c[4] / c[5] * scale.get(units[c[1]].unit, 1) for c in cells]},
                        schema_overrides={"denominator": pl.Float64})


def _counts(cells: list[tuple[str, str, float, float | None]]) -> pl.DataFrame:
    """(period, indicator, numerator, denominator) headline rows (:func:`_tidy`)."""
    return _tidy([(period, indicator, "all", "all", numerator, denominator)
                  for period, indicator, numerator, denominator in cells])


def test_children_starting_care_are_not_given_away_by_the_stock_and_those_leaving():
    """An attacker's pass: 53 looked after now, 59 a quarter before, 8 periods of care ending, so the starts
    'fewer than 5' were 53 - 59 + 8 = 2. The catalogue declares the stock (cla_rate: in cla_starts, out
    cla_ceased), and disclosure control hides one more figure of it."""
    truth = _counts([("2024-25 Q3", "cla_rate", 59.0, 63488.0), ("2024-25 Q4", "cla_rate", 53.0, 63488.0),
                     ("2024-25 Q4", "cla_starts", 2.0, None), ("2024-25 Q4", "cla_ceased", 8.0, None)])
    out = suppress(truth, T)
    assert out.filter(pl.col("suppressed")).height >= 2
    _nothing_small_pinned(truth, out)


def test_a_quarter_alone_is_hidden_with_the_count_it_equals():
    """referral_rate's quarter alone counts the referrals of that quarter: a figure withheld from one is
    withheld from the other, whichever relation asked for it."""
    quarters = ["2023-24 Q1", "2023-24 Q2", "2023-24 Q3", "2023-24 Q4", "2024-25 Q1", "2024-25 Q2"]
    counts = [10, 12, 9, 11, 3, 14]
    alone = _s47(quarters, counts).with_columns(indicator=pl.lit("referral_rate"))
    referrals = pl.concat([frame(c, {}, "referrals", q) for q, c in zip(quarters, counts)])
    out = suppress(pl.concat([referrals, alone]), T)
    hidden = set(out.filter(pl.col("suppressed")).select("indicator", "period").rows())
    for indicator, period in list(hidden):
        twin = ("referral_rate", f"{period} 3M") if indicator == "referrals" else (
            ("referrals", period.removesuffix(" 3M")) if period.endswith(" 3M") else None)
        if twin is not None:
            assert twin in hidden, (indicator, period)


def test_a_threshold_below_three_is_refused():
    with pytest.raises(DisclosureError, match="at least 3"):
        check_threshold(2)
    with pytest.raises(DisclosureError):
        suppress(frame(10, {"sex": [9, 1]}), 2)


@st.composite
def breakdown_tables(draw):
    """A total with one to three breakdowns of it, each of one to five groups, with many small cells."""
    cell = st.integers(0, 12) | st.integers(0, 4)
    first = draw(st.lists(cell, min_size=1, max_size=5))
    total = sum(first)
    breakdowns = {"b0": first}
    for n in range(1, draw(st.integers(1, 3))):
        size = draw(st.integers(1, 4))
        cuts = sorted(draw(st.lists(st.integers(0, total), min_size=size - 1, max_size=size - 1)))
        bounds = [0, *cuts, total]
        breakdowns[f"b{n}"] = [bounds[i + 1] - bounds[i] for i in range(size)]
    return total, breakdowns


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(breakdown_tables())
def test_no_hidden_small_cell_of_random_breakdowns_can_be_recovered(table):
    total, breakdowns = table
    assert_nothing_recoverable(protected(total, breakdowns))


# -- the audit of a finished page ------------------------------------------------


@pytest.fixture(scope="module")
def page_and_truth(tmp_path_factory):
    """The member HTML of the stored, executed 990 report and the true aggregates it was made from."""
    import nbformat

    from perfkit.config import paths
    from perfkit.pipeline.aggregates import build_report
    from perfkit.present.htmlexport import member_html

    executed = nbformat.read(paths.project_root() / "tests" / "notebooks" / "authority_report.ipynb", as_version=4)
    from perfkit.indicators.quality_checks import as_measures

    truth = build_report("990", audience="analyst")
    quality = as_measures(truth.quality.filter(pl.col("period") == truth.period.label))  # its counts are figures too
    return (member_html(executed), pl.concat([truth.measures.drop("suppressed", "withheld"), quality], how="diagonal_relaxed"),
            truth.period.label)


def test_the_stored_report_passes_the_audit(page_and_truth):
    from perfkit.present.disclosure_audit import audit_page, read_page

    html, truth, period = page_and_truth
    shown, unreadable = read_page(html, period)
    assert not unreadable
    assert len(shown) > 1500
    assert audit_page(html, truth, None, period) == []


def _planted(html: str, choice: str, group: str, shown: str, figure: str) -> str:
    row = f"<tr><td>{choice}</td><td>{group}</td><td class=\"pk-num\">{shown}</td></tr>"
    assert row in html
    return html.replace(row, f"<tr><td>{choice}</td><td>{group}</td><td class=\"pk-num\">{figure}</td></tr>")


def test_the_audit_catches_a_small_count_planted_in_the_page(page_and_truth):
    from perfkit.present.disclosure_audit import audit_page

    html, truth, period = page_and_truth
    small = re.findall(r"<tr><td>([^<]+ by [^<]+)</td><td>([^<]+)</td><td class=\"pk-num\">fewer than 5</td></tr>", html)
    assert small, "the stored report has no small breakdown cell"
    for choice, group in small[:5]:
        findings = audit_page(_planted(html, choice, group, "fewer than 5", "3"), truth, None, period)
        assert "a figure built on a small count is shown" in [f.problem for f in findings], (choice, group)


def test_the_audit_catches_a_complement_planted_back_in_the_page(page_and_truth):
    from perfkit.present.disclosure_audit import audit_page

    html, truth, period = page_and_truth
    withheld = re.findall(r"<tr><td>([^<]+ by [^<]+)</td><td>([^<]+)</td><td class=\"pk-num\">withheld</td></tr>", html)
    complements = [(c, g) for c, g in withheld
                   if truth.filter((pl.col("group") == g) & (pl.col("numerator") >= 5)).height]
    assert complements
    caught = next(((c, g) for c, g in complements
                   if any("worked out" in f.problem for f in audit_page(_planted(html, c, g, "withheld", "57"), truth, None, period))),
                  None)
    assert caught, "no complement shown again lets a small number be worked out: the audit misses it"


def test_the_audit_catches_a_small_data_quality_count(page_and_truth):
    from perfkit.present.disclosure_audit import audit_page

    html, truth, period = page_and_truth
    heading = "Care leavers recorded in the period with whom the authority was not in touch"
    true = truth.filter(pl.col("indicator") == "quality.care_leavers_not_in_touch")["value"].item()
    assert 0 < true < 5  # 3 in 990: the page says "fewer than 5"
    planted = re.sub(f"({heading}[^<]*</td><td class=\"pk-num\">)fewer than 5(</td>)", rf"\g<1>{true:.0f}\g<2>", html)
    assert planted != html
    findings = audit_page(planted, truth, None, period)  # and the groups 'Not recorded' it equals are worked out
    assert {f.problem for f in findings} == {"a figure built on a small count is shown",
                                             "a hidden small number can be worked out from the figures shown"}
    # the groups "Not recorded" of care leavers recorded by activity and by accommodation, and of those in
    # suitable accommodation by accommodation (its "Not recorded" care leavers: none suitable)
    assert sum("Not recorded" in f.where for f in findings) == 3, findings
    assert any(f.where.startswith("Care leavers in suitable accommodation, care_leaver_accommodation 'Not recorded'")
               for f in findings), findings
    wrong = re.sub(f"({heading}[^<]*</td><td class=\"pk-num\">)fewer than 5(</td>)", r"\g<1>12\g<2>", html)
    assert "a number that is not the figure its place names" in {f.problem for f in audit_page(wrong, truth, None, period)}


def test_the_audit_fails_closed_on_a_figure_it_cannot_place(page_and_truth):
    from perfkit.present.disclosure_audit import audit_page

    html, truth, period = page_and_truth
    planted = html.replace("<td>Contacts</td>", "<td>Contacts (new)</td>", 1)
    assert any(f.problem == "a figure the audit cannot place" for f in audit_page(planted, truth, None, period))


def _year_table(html: str, caption: str) -> str:
    """The screen's table of a breakdown this quarter and a year earlier (perfkit.present.year_on_year)."""
    found = re.search(f"<table class=\"pk-table\"><caption>{re.escape(caption)}</caption>.*?</table>", html, re.S)
    assert found, caption
    return found.group(0)


def test_the_audit_reads_each_group_a_year_earlier_on_screen_and_on_paper(page_and_truth):
    """The groups of the same quarter a year earlier are figures like any other: on screen in a table of their
    own, on paper in a column headed "Referrals, 2023-24 Q4"; each is placed in that quarter and checked."""
    from perfkit.present.disclosure_audit import read_page

    html, truth, period = page_and_truth
    shown, unreadable = read_page(html, period)
    assert not unreadable
    earlier = [f for f in shown if f.period == "2023-24 Q4" and f.breakdown != "all"]
    places = {(f.indicator, f.breakdown, f.group) for f in earlier}
    assert {("referrals", "referral_source", "Schools and education"), ("cla_starts", "age_band", "Under 1"),
            ("missing_children", "sex", "Female")} <= places
    # each twice: the screen's table and the paper's column
    assert len(earlier) == 2 * len(places)
    assert any(f.place.startswith("Referrals by source: 2024-25 Q4 and a year earlier") for f in earlier)
    assert any("Referrals, 2023-24 Q4" in f.place for f in earlier)


def test_the_audit_fails_a_small_group_a_year_earlier_or_a_change_that_is_not_the_difference(page_and_truth):
    from perfkit.present.disclosure_audit import audit_page

    html, truth, period = page_and_truth
    caption = "Children starting to be looked after by age band: 2024-25 Q4 and a year earlier"
    table = _year_table(html, caption)
    # 990's very young children starting to be looked after a year earlier were fewer than 5
    under_1 = truth.filter((pl.col("period") == "2023-24 Q4") & (pl.col("indicator") == "cla_starts")
                           & (pl.col("breakdown") == "age_band") & (pl.col("group") == "Under 1"))["value"].item()
    assert 0 < under_1 < 5
    row = re.search(r"<tr><td>2023-24 Q4</td><td class=\"pk-num\">fewer than 5</td>", table).group(0)
    planted = html.replace(table, table.replace(row, row.replace("fewer than 5", f"{under_1:.0f}")))
    problems = {f.problem for f in audit_page(planted, truth, None, period)}
    assert "a figure built on a small count is shown" in problems
    # a change is the difference of the two figures shown, and nothing where either is hidden
    changes = re.search(r"<tr><td>Change</td>.*?</tr>", table).group(0)
    wrong = html.replace(table, table.replace(changes, changes.replace('<td class="pk-num"></td>', '<td class="pk-num">+2</td>', 1)))
    assert wrong != html
    assert "a change that is not the difference of the figures shown" in {f.problem for f in audit_page(wrong, truth, None, period)}
    # a year-earlier figure written as another's
    sources = _year_table(html, "Referrals by source: 2024-25 Q4 and a year earlier")
    moved = html.replace(sources, sources.replace("<td>2023-24 Q4</td>", "<td>2022-23 Q4</td>"))
    assert {"a number that is not the figure its place names", "a figure the audit cannot place"} & {
        f.problem for f in audit_page(moved, truth, None, period)}
    # a 0 under a group the data never hold is a figure the audit cannot place (a mislabelled group)
    martians = html.replace(table, table.replace("<th scope=\"col\">Under 1</th>", "<th scope=\"col\">Martians</th>"
                                                 "<th scope=\"col\">Under 1</th>").replace(
        "<tr><td>2024-25 Q4</td>", "<tr><td>2024-25 Q4</td><td class=\"pk-num\">0</td>").replace(
        "<tr><td>2023-24 Q4</td>", "<tr><td>2023-24 Q4</td><td class=\"pk-num\">0</td>").replace(
        "<tr><td>Change</td>", "<tr><td>Change</td><td class=\"pk-num\">0</td>"))
    assert martians != html
    assert "a figure the audit cannot place" in {f.problem for f in audit_page(martians, truth, None, period)}
    unknown = html.replace(sources, sources.replace("<th scope=\"col\">Referrals by source</th>",
                                                    "<th scope=\"col\">Referrals by postcode</th>"))
    assert "a table of two quarters the audit cannot place" in {f.problem for f in audit_page(unknown, truth, None, period)}


def test_the_audit_fails_a_number_under_another_figures_title(page_and_truth):
    """Each quarter alone of a 12-month figure shares its unit: written under the 12-month title it would be
    checked against the wrong figure's suppression. The audit compares every number with the true figure of
    the place it is in (an attacker's pass found a mislabelled series passed)."""
    from perfkit.indicators.catalogue import load_catalogue
    from perfkit.present.disclosure_audit import audit_page

    html, truth, period = page_and_truth
    indicator = load_catalogue()["s47_rate"]
    assert f"<td>{indicator.trend_title}</td>" in html
    relabelled = html.replace(f"<td>{indicator.trend_title}</td>", f"<td>{indicator.title}</td>")
    problems = {f.problem for f in audit_page(relabelled, truth, None, period)}
    assert "a number that is not the figure its place names" in problems


def test_the_audit_checks_the_count_beside_each_figure(page_and_truth):
    """The count beside a rate or percentage ("195 of 941") is the figure's numerator and denominator: a
    count that is not, or a count beside a figure that is not shown, fails the page."""
    from perfkit.present.disclosure_audit import audit_page, read_page

    html, truth, period = page_and_truth
    shown, _ = read_page(html, period)
    counts = [f for f in shown if f.of in ("numerator", "denominator")]
    assert {f.of for f in counts} == {"numerator", "denominator"} and len(counts) > 100
    assert audit_page(html, truth, None, period) == []
    row = re.search(r'<td>Re-referrals within 12 months</td><td class="pk-num">([^<]+)</td><td class="pk-num">'
                    r'([\d,]+) of ([\d,]+)</td>', html)
    assert row, "no count beside the re-referral rate"
    wrong = html.replace(row.group(0), row.group(0).replace(f">{row.group(2)} of", f">{int(row.group(2)) + 1} of"), 1)
    assert "a number that is not the figure its place names" in {f.problem for f in audit_page(wrong, truth, None, period)}
    hidden = html.replace(row.group(0), row.group(0).replace(f">{row.group(1)}<", ">withheld<"), 1)
    assert "a count beside a figure that is not shown" in {f.problem for f in audit_page(hidden, truth, None, period)}


def test_the_audit_fails_a_target_row_that_is_not_the_authoritys_target(page_and_truth):
    """An attacker's pass: a row named '<title>: target' was skipped as parameters whatever it held, so a
    figure's true counts could ride in one. Each target row must hold the authority's target, quarter by quarter."""
    from perfkit.present.disclosure_audit import audit_page

    html, truth, period = page_and_truth
    row = re.search(r"<tr><td>Agency social workers: target</td>(.*?)</tr>", html)
    assert row, "the stored report has no trajectory row"
    moved = html.replace(row.group(0), row.group(0).replace("17.0%", "17.4%", 1), 1)
    assert moved != html
    assert "a target row that is not the authority's target" in {f.problem for f in audit_page(moved, truth, None, period)}
    planted = html.replace(row.group(0), row.group(0).replace("Agency social workers: target", "Missing episodes: target"), 1)
    assert "a target row that is not the authority's target" in {f.problem for f in audit_page(planted, truth, None, period)}


def test_the_batch_does_not_publish_a_report_that_fails_the_audit(page_and_truth, tmp_path, monkeypatch):
    """A report whose page shows a small count is not written; the earlier report is kept; no value is quoted."""
    from perfkit.config import paths
    from perfkit.pipeline import index_page, jobs
    from perfkit.pipeline.aggregates import compute_aggregates, save_aggregates
    from perfkit.present import htmlexport
    from perfkit.records.loading import load_dataset

    html, _, period = page_and_truth
    choice, group = re.findall(r"<tr><td>([^<]+ by [^<]+)</td><td>([^<]+)</td><td class=\"pk-num\">fewer than 5</td></tr>", html)[0]
    leaked = _planted(html, choice, group, "fewer than 5", "3")
    monkeypatch.setattr(htmlexport, "member_html", lambda notebook: leaked)
    data = load_dataset(paths.default_data_dir(), authorities=["990"])
    folder = save_aggregates({"990": compute_aggregates(data, "990", period)}, tmp_path / "aggregates")
    out = tmp_path / "reports"
    out.mkdir()
    (out / "990.html").write_text("the earlier report", encoding="utf-8")
    parameters = {"authority": "990", "period": period, "data_dir": str(paths.default_data_dir()), "audience": "members",
                  "targets_file": None, "aggregates": str(folder)}
    outcome = jobs.run_job(jobs.Job("990", "Northmoor", str(out), tuple(parameters.items())), fresh_kernel=True)
    assert not outcome.ok
    assert "DisclosureError" in outcome.error and "disclosure audit" in outcome.error
    assert "a figure built on a small count is shown" in outcome.error
    assert (out / "990.html").read_text(encoding="utf-8") == "the earlier report"
    index = index_page.index_html(period, [outcome])
    assert "disclosure audit" in index and ">3<" not in index


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 15), min_size=2, max_size=6), st.data())
def test_the_closed_form_for_one_table_agrees_with_the_solver(groups, data):
    from perfkit.present.disclosure import Relation, feasible_range, one_relation_range

    exact = data.draw(st.booleans())
    whole = sum(groups) - (0 if exact else data.draw(st.integers(0, sum(groups))))
    values = [*groups, whole]
    relation = Relation(tuple(range(len(groups))), len(groups), exact)
    hidden = set(data.draw(st.lists(st.sampled_from(range(len(values))), min_size=1, unique=True)))
    absent = set(data.draw(st.lists(st.sampled_from(sorted(hidden)), unique=True)))
    for target in hidden:
        solved = feasible_range(target, sorted(hidden), [relation], values, hidden, T, absent)
        assert one_relation_range(target, relation, values, hidden, T, absent) == pytest.approx(solved)


@pytest.mark.parametrize("setting, expected", [("threshold: 2", "at least 3"), ("threshold: [5", "line 1")])
def test_a_disclosure_setting_that_protects_nothing_stops_the_batch_before_any_report(tmp_path, setting, expected):
    import os
    import subprocess
    import sys

    from perfkit.config import paths

    home = tmp_path / "home"
    (home / "parameters").mkdir(parents=True)
    (home / "parameters" / "authorities").symlink_to(paths.authorities_dir())
    (home / "parameters" / "targets.yaml").write_text(paths.targets_file().read_text())
    (home / "parameters" / "disclosure.yaml").write_text(setting + "\n")
    for name in ("data", "notebooks"):
        (home / name).symlink_to(paths.project_root() / name)
    (home / "pyproject.toml").write_text("")
    result = subprocess.run([sys.executable, "-m", "perfkit.cli", "batch", "--out", str(home / "reports")],
                            env={**os.environ, "PERFKIT_HOME": str(home)}, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and expected in result.stderr, result.stderr
    assert not list((home / "reports").glob("*/*.html"))


def rows(indicator: str, cells: list[tuple[str, str, float | None, float | None]], period: str = PERIOD) -> pl.DataFrame:
    """A hand-made measures frame: (breakdown, group, numerator, denominator) of one indicator."""
    return pl.DataFrame({
        "la_code": ["990"] * len(cells), "period": [period] * len(cells), "indicator": [indicator] * len(cells),
        "breakdown": [c[0] for c in cells], "group": [c[1] for c in cells],
        "numerator": [c[2] for c in cells], "denominator": [c[3] for c in cells],
        "value": [c[2] if c[3] is None else c[2] / c[3] * 100 for c in cells],
    }, schema_overrides={"numerator": pl.Float64, "denominator": pl.Float64, "value": pl.Float64})


def test_section_20_starts_are_hidden_with_the_v2_group_they_equal():
    """The attack that worked: s20 starts (8, shown) equal the V2 group of starts by legal status (withheld), so
    43 - 5 - 27 - 8 left 3 for E1, J2 and L2, each 'fewer than 5': each had to be 1."""
    starts = rows("cla_starts", [("all", "all", 43, None), ("legal_status", "C1", 5, None), ("legal_status", "C2", 27, None),
                                 ("legal_status", "E1", 1, None), ("legal_status", "J2", 1, None),
                                 ("legal_status", "L2", 1, None), ("legal_status", "V2", 8, None)])
    from perfkit.indicators.labels import group_label

    code_of = {group_label("legal_status", c): c for c in ("C1", "C2", "E1", "J2", "L2", "V2")}
    starts = starts.with_columns(pl.col("group").replace({c: g for g, c in code_of.items()}))  # as the report names them
    s20 = rows("cla_s20_starts", [("all", "all", 8, None)])
    out = suppress(pl.concat([starts, s20]), T)
    hidden = {(r["indicator"], code_of.get(r["group"], r["group"])) for r in out.iter_rows(named=True) if r["suppressed"]}
    truth = {"C1": 5, "C2": 27, "E1": 1, "J2": 1, "L2": 1, "V2": 8}
    ranges = {g: (classes(v, 43) if ("cla_starts", g) in hidden else [v]) for g, v in truth.items()}
    s20_hidden = ("cla_s20_starts", "all") in hidden
    possible = {g: set() for g in truth}
    for c1 in ranges["C1"]:
        for c2 in ranges["C2"]:
            for v2 in (ranges["V2"] if s20_hidden else [8]):  # V2 is what the s20 figure shows, when it shows
                rest = 43 - c1 - c2 - v2
                for e1 in ranges["E1"]:
                    for j2 in ranges["J2"]:
                        l2 = rest - e1 - j2
                        if l2 in ranges["L2"]:
                            for g, v in zip(("C1", "C2", "V2", "E1", "J2", "L2"), (c1, c2, v2, e1, j2, l2)):
                                possible[g].add(v)
    for group in ("E1", "J2", "L2"):
        assert len(possible[group]) >= 2, (group, possible[group], hidden)


def test_uasc_looked_after_are_hidden_with_the_group_they_equal():
    """Children looked after by UASC at the period end or not (members asked for CLA excluding UASC): 413, of
    whom 402 excluding UASC, 9 UASC and 2 not recorded. Hiding the 2 needs a second group hidden; if that were
    the UASC group while ``cla_uasc`` (its ``same_as``) still said 9, 413 - 402 - 9 would give the 2 away."""
    looked_after = rows("cla_rate", [("all", "all", 413, 62992), ("uasc_at_end", "Excluding UASC", 402, None),
                                     ("uasc_at_end", "UASC", 9, None), ("uasc_at_end", "Not recorded", 2, None)])
    uasc = rows("cla_uasc", [("all", "all", 9, None)])
    # the share of the National Transfer Scheme threshold prints its numerator too: "9 of 63.0"
    threshold = rows("cla_uasc_threshold_pct", [("all", "all", 9, 63.0)])
    out = suppress(pl.concat([looked_after, uasc, threshold]), T)
    hidden = {(r["indicator"], r["group"]) for r in out.iter_rows(named=True) if r["suppressed"]}
    assert ("cla_rate", "Not recorded") in hidden
    uasc_known = any(figure not in hidden for figure in
                     (("cla_rate", "UASC"), ("cla_uasc", "all"), ("cla_uasc_threshold_pct", "all")))
    excluding_known = ("cla_rate", "Excluding UASC") not in hidden
    assert not (uasc_known and excluding_known), hidden
    assert (("cla_rate", "UASC") in hidden) == (("cla_uasc", "all") in hidden) == (("cla_uasc_threshold_pct", "all") in hidden)


def test_the_under_16_share_cannot_pin_an_age_band_of_missing_children():
    """The other attack that worked: 11 children missing, 63.6% under 16 (7), so 4 were 16 or over at every
    episode, all in the 17 and over band shown as 'fewer than 5': it had to be 4."""
    children = rows("missing_children", [("all", "all", 11, None), ("age_band_16_17", "10-15", 7, None),
                                         ("age_band_16_17", "17 and over", 4, None)])
    under16 = rows("missing_under16_pct", [("all", "all", 7, 11)])
    out = suppress(pl.concat([children, under16]), T)
    hidden = {(r["indicator"], r["group"]) for r in out.iter_rows(named=True) if r["suppressed"]}
    assert ("missing_children", "17 and over") in hidden
    under = range(0, 12) if ("missing_under16_pct", "all") in hidden else [7]
    young = classes(7, 11) if ("missing_children", "10-15") in hidden else [7]
    possible = {v16 for v16 in range(1, T) for u in under for b in young if u <= b and 11 - u <= v16 and b + v16 >= 11}
    assert len(possible) >= 2, (possible, hidden)


def test_a_breakdown_of_a_small_total_is_not_shown():
    """Three section 20 starts, all girls, all under 1: the groups alone would say so."""
    out = suppress(rows("cla_s20_starts", [("all", "all", 3, None), ("sex", "Female", 3, None),
                                           ("age_band", "Under 1", 3, None)]), T)
    assert out["suppression"].to_list() == ["small", "dropped", "dropped"]


def test_a_zero_is_never_the_figure_hidden_with_a_small_one():
    """A withheld count that is not 'fewer than 5' is 0 or at least 5: hiding a 0 protects nothing."""
    out = suppress(frame(52, {"sex": [0, 2, 50]}), T)
    reasons = dict(zip(out["group"], out["suppression"]))
    assert reasons["g1"] == "small" and reasons["g0"] is None and reasons["g2"] == "complement"


@pytest.mark.parametrize("plant", [
    ("fewer than 5</td></tr>", "fewer than 5 (4)</td></tr>"),                       # a number with words
    ('"shown": "fewer than 5"', '"shown": "4 children"'),                            # a chart label with a number
    ('"shown": "fewer than 5"', '"shown": "fewer than 5", "count": 4'),            # a chart field it does not read
    ("</body>", "<table><tr><td>Missing in Ashby: 4</td></tr></table></body>"),    # a table of another form
    ("<th scope=\"col\">Target</th>", "<th scope=\"col\">Earlier</th>"),          # a column it does not know
])
def test_the_audit_fails_closed_on_what_it_cannot_read(page_and_truth, plant):
    """The attacker's plants that the first audit missed: each is now a finding, and no finding quotes the value."""
    from perfkit.present.disclosure_audit import audit_page

    html, truth, period = page_and_truth
    old, new = plant
    assert old in html
    findings = audit_page(new.join(html.rsplit(old, 1)), truth, None, period)  # the last: the page, not a script
    assert findings, plant
    assert not any(text in str(f) for f in findings for text in ("(4)", "4 children", "Ashby: 4"))


def test_a_chart_call_spelt_otherwise_is_still_read(page_and_truth):
    from perfkit.present.disclosure_audit import read_page

    html, _, period = page_and_truth
    shown, unreadable = read_page(html.replace('vegaEmbed("#', 'vegaEmbed( "#'), period)
    assert not unreadable and len(shown) == len(read_page(html, period)[0])
    _, unreadable = read_page(html.replace('vegaEmbed("#', "vegaEmbed(document.getElementById('x'), "), period)
    assert [f.problem for f in unreadable] == ["a chart the audit cannot read"]


def test_the_audit_finds_a_breakdown_of_a_small_total(page_and_truth):
    from perfkit.present.disclosure_audit import audit_page

    html, truth, period = page_and_truth
    small = truth.filter((pl.col("breakdown") == "all") & (pl.col("period") == period)
                         & (pl.col("numerator") > 0) & (pl.col("numerator") < 5)
                         & pl.col("indicator").is_in(["cla_uasc", "cla_s20_starts", "missing_children", "cpp_starts"]))
    grown = truth.with_columns(numerator=pl.when((pl.col("indicator") == "cla_starts") & (pl.col("breakdown") == "all")
                                                 & (pl.col("period") == period)).then(3.0).otherwise(pl.col("numerator")))
    findings = audit_page(html, grown, None, period)
    assert any(f.problem.startswith("a breakdown of a small total") for f in findings) or small.height


def test_a_small_denominator_among_zero_numerators_is_protected():
    """Found importing a synthetic Annex A (no placement moves, so 0% everywhere): three children under 1 were
    the only small figure, a denominator; every complement candidate's numerator was 0, and protection gave up."""
    dens = {"all": 98, "1-4": 19, "10-15": 34, "16-17": 23, "5-9": 19, "Under 1": 3}
    out = suppress(rows("cla_3plus_placements_pct", [("all" if g == "all" else "age_band", g, 0, d) for g, d in dens.items()]), T)
    hidden = {g for g, s in zip(out["group"], out["suppressed"]) if s}
    assert "Under 1" in hidden
    cap = 98
    ranges = {g: (classes(d, cap) if g in hidden else [d]) for g, d in dens.items() if g != "all"}
    total = classes(98, cap) if "all" in hidden else [98]
    possible = {u for u in ranges["Under 1"] for t in total
                if sum(min(r) for g, r in ranges.items() if g != "Under 1") <= t - u <= sum(max(r) for g, r in ranges.items() if g != "Under 1")}
    assert len(possible) >= 2, (possible, hidden)


# -- process limits on the page (#20) -------------------------------------------------------------------------------


def _trend_specs(html: str):
    """Each trend chart's spec on the page, with where its JSON starts and ends."""
    import json

    decoder = json.JSONDecoder()
    for match in re.finditer(r'vegaEmbed\("#pk-chart-[0-9a-f]+", ', html):
        spec, end = decoder.raw_decode(html, match.end())
        if spec.get("title", {}).get("text", "").endswith("trend by quarter"):
            yield spec, match.end(), end


def _with_spec(html: str, start: int, end: int, spec: dict) -> str:
    import json

    payload = json.dumps(spec, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return html[:start] + payload + html[end:]


def _a_trend_with_a_hidden_figure(html: str, truth: pl.DataFrame):
    """A trend panel on the page with a figure not shown, hidden for a small number, and the rest shown."""
    from perfkit.indicators.catalogue import load_catalogue
    from perfkit.present.disclosure_audit import parse_number

    titles = {i.title: i for i in load_catalogue().indicators}
    for spec, start, end in _trend_specs(html):
        rows = spec["data"]["values"]
        for title in dict.fromkeys(r["title"] for r in rows):
            own = [r for r in rows if r["title"] == title]
            hidden = [r for r in own if parse_number(r["shown"]) is None]
            if hidden and len(hidden) < len(own) - 2:
                return spec, start, end, titles[title], own
    raise AssertionError("the stored report has no trend with a hidden figure")


def _limits_over(values: list[float], periods: list[str]) -> dict[str, dict]:
    from perfkit.indicators.spc import xmr

    chart = xmr(pl.DataFrame({"period": periods, "value": values}), "neither")
    return {r["period"]: {"mean": round(r["mean"], 4), "lower_limit": round(r["lower_limit"], 4),
                          "upper_limit": round(r["upper_limit"], 4), "point_type": r["point_type"]}
            for r in chart.iter_rows(named=True)}


def test_the_stored_report_draws_no_limits_over_a_hidden_figure(page_and_truth):
    html, truth, period = page_and_truth
    _, _, _, indicator, own = _a_trend_with_a_hidden_figure(html, truth)
    assert all(r.get("mean") is None and r.get("point_type") is None for r in own)
    assert f"{indicator.title}: upper process limit" not in html


@pytest.mark.parametrize("where", ["every quarter", "the quarters shown"])
def test_the_audit_fails_a_page_whose_limits_were_computed_over_a_suppressed_figure(page_and_truth, where):
    """Limits and a mean worked out over a trend with one figure suppressed would give it back (twelve means
    less the eleven figures shown): drawn on every quarter, or only on those shown, the page fails the audit,
    and no finding quotes a value."""
    from perfkit.present.disclosure_audit import audit_page

    html, truth, period = page_and_truth
    spec, start, end, indicator, own = _a_trend_with_a_hidden_figure(html, truth)
    true = {r["period"]: r["value"] for r in truth.filter((pl.col("indicator") == indicator.id)
                                                         & (pl.col("breakdown") == "all")).iter_rows(named=True)}
    periods = [r["period"] for r in own]
    limits = _limits_over([float(round(true[p], indicator.decimals)) for p in periods], periods)  # hidden ones too
    shown = {r["period"] for r in own if r["value"] is not None}
    for row in spec["data"]["values"]:
        if row["title"] == indicator.title and (where == "every quarter" or row["period"] in shown):
            row.update(limits[row["period"]])
    findings = audit_page(_with_spec(html, start, end, spec), truth, None, period)
    problems = [f.problem for f in findings]
    if where == "every quarter":
        assert "process limits or an average are drawn over a figure the page does not show" in problems
    else:
        assert any(p.startswith("process limits or an average the audit cannot work out") for p in problems), problems
    assert all(indicator.title in f.where for f in findings)
    values = {str(v) for r in limits.values() for v in r.values()}
    assert not any(v in str(f) for f in findings for v in values if re.search(r"\d", v))


def test_the_audit_accepts_limits_worked_out_from_the_figures_shown_alone(page_and_truth):
    """Limits over the shown quarters of that trend, and nothing else, are a function of what the page shows:
    the audit finds nothing (it checks the disclosure property, not the chart's method)."""
    from perfkit.present.disclosure_audit import audit_page

    html, truth, period = page_and_truth
    spec, start, end, indicator, own = _a_trend_with_a_hidden_figure(html, truth)
    shown = [r for r in own if r["value"] is not None]
    limits = _limits_over([r["value"] for r in shown], [r["period"] for r in shown])
    for row in spec["data"]["values"]:
        if row["title"] == indicator.title and row["period"] in limits:
            row.update(limits[row["period"]])
    assert audit_page(_with_spec(html, start, end, spec), truth, None, period) == []


def test_the_audit_fails_limits_or_a_mean_moved_on_the_page(page_and_truth):
    from perfkit.present.disclosure_audit import audit_page

    html, truth, period = page_and_truth
    spec, start, end = next(_trend_specs(html))
    row = next(r for r in spec["data"]["values"] if r.get("mean") is not None)
    title = row["title"]
    for r in spec["data"]["values"]:
        if r["title"] == title:
            r["upper_limit"] = r["upper_limit"] + 1.0
    findings = audit_page(_with_spec(html, start, end, spec), truth, None, period)
    assert [f.where for f in findings] == [title]
    # and in the chart's table: an average written otherwise
    found = re.search(r"<tr><td>([^<]+): average \(mean\)</td><td class=\"pk-num\">([^<]+)</td>", html)
    assert found
    moved = html.replace(found.group(0), found.group(0).replace(found.group(2), "0" + found.group(2)[1:] if found.group(2)[0] != "0" else "9" + found.group(2)[1:]), 1)
    assert moved != html
    assert [f.where for f in audit_page(moved, truth, None, period)] == [found.group(1)]


@pytest.mark.parametrize("plant", [
    ('"point_type": "common_cause"', '"point_type": "special_cause_maybe"'),     # a point type it does not know
    ('"point_type": "common_cause"', '"point_type": "4 children"'),              # a number in a point type
    ("<title>Common cause variation: no significant change</title>",
     "<title>Common cause variation: 4 children</title>"),                          # a number in an icon's words
    ('aria-label="Common cause variation: no significant change"', 'aria-label="3 in Ashby"'),  # an unknown icon
])
def test_the_audit_fails_closed_on_process_control_it_cannot_read(page_and_truth, plant):
    from perfkit.present.disclosure_audit import audit_page

    html, truth, period = page_and_truth
    old, new = plant
    assert old in html
    findings = audit_page(new.join(html.rsplit(old, 1)), truth, None, period)
    assert findings, plant
    assert not any(text in str(f) for f in findings for text in ("4 children", "3 in Ashby"))


def test_the_stock_and_flows_of_plans_cannot_give_back_hidden_starts():
    """An attacker's pass: children on a plan at each quarter's end (the rate times the public population),
    the plans starting and the plans ending (the denominator of 'plans ending after 2 years or more') are
    related: 50 at the end of Q1, 3 starting (hidden: fewer than 5) and 8 ending gave 45 at the end of Q2, so
    the 3 could be worked out. The catalogue declares the stock (cpp_rate's `stock`), and disclosure control
    hides enough that the hidden starts are no longer a single number."""
    from perfkit.present.disclosure import Reader, relations_of

    q1, q2 = "2024-25 Q1", "2024-25 Q2"
    rows = [(q1, "cpp_rate", 50.0, 63_000.0), (q2, "cpp_rate", 45.0, 63_000.0), (q2, "cpp_starts", 3.0, None),
            (q1, "cpp_starts", 12.0, None), (q2, "cpp_2yr_plus_pct", 0.0, 8.0), (q1, "cpp_2yr_plus_pct", 2.0, 9.0)]
    f = pl.DataFrame({"la_code": ["990"] * len(rows), "period": [r[0] for r in rows], "indicator": [r[1] for r in rows],
                      "breakdown": ["all"] * len(rows), "group": ["all"] * len(rows),
                      "numerator": [r[2] for r in rows], "denominator": [r[3] for r in rows],
                      "value": [r[2] for r in rows]})
    model = relations_of(f)
    assert any(r.minus for r in model.relations)  # the stock relation is known
    shown = suppress(f, 5)
    hidden_rows = set(shown.with_row_index().filter(pl.col("suppressed"))["index"].to_list())
    assert 2 in hidden_rows and len(hidden_rows) >= 2  # the starts, and at least one figure that would give them
    hidden = {q for q, row in enumerate(model.row_of) if row in hidden_rows}
    starts = next(q for q, row in enumerate(model.row_of) if row == 2)
    assert not Reader(model, 5, hidden).pinned(starts)
    # without the relation, hiding the starts alone would have left them pinned
    alone = {q for q, row in enumerate(model.row_of) if row == 2}
    assert Reader(model, 5, alone).pinned(starts)


@pytest.mark.parametrize(("before", "after", "finding"), [
    ("Variation not assessed: no process limits (see the commentary)", "Common cause variation: no significant change",
     "a variation icon where the page draws no process limits"),
    ("Common cause variation: no significant change", "Special cause variation: improvement (higher is better)",
     "a variation icon that is not what the limits give"),
])
def test_the_audit_checks_each_variation_icon_against_the_limits(page_and_truth, before, after, finding):
    """An attacker's pass: a variation icon was checked only for its words. A special cause claimed where the
    page draws no limits (a trend with a hidden quarter) would say where the hidden figure lies."""
    from perfkit.present.disclosure_audit import audit_page

    html, truth, period = page_and_truth
    assert before in html
    planted = html.replace(before, after, 2)  # the icon's label and its title, in one cell
    assert finding in [f.problem for f in audit_page(planted, truth, None, period)]


def test_a_group_empty_last_quarter_is_counted_as_none_in_the_stock():
    """An attacker's pass: no child on a plan under sexual abuse at the end of Q3 (the group had no row, so
    last quarter's pack listed no such group), 7 such plans starting in Q4 and 5 ending: the Q4 group is
    0 + 7 - 5 = 2. The stock relation counts an empty group as none, where the quarter before was broken
    down at all, and disclosure control keeps the 2 from being worked out."""
    from perfkit.present.disclosure import Reader, relations_of

    q3, q4 = "2024-25 Q3", "2024-25 Q4"
    cells = [  # (period, indicator, breakdown, group, numerator, denominator)
        (q3, "cpp_rate", "all", "all", 45.0, 63_000.0), (q3, "cpp_rate", "category", "Neglect", 45.0, None),
        (q4, "cpp_rate", "all", "all", 47.0, 63_000.0), (q4, "cpp_rate", "category", "Neglect", 45.0, None),
        (q4, "cpp_rate", "category", "Sexual abuse", 2.0, None),
        (q4, "cpp_starts", "all", "all", 12.0, None), (q4, "cpp_starts", "category", "Neglect", 5.0, None),
        (q4, "cpp_starts", "category", "Sexual abuse", 7.0, None),
        (q4, "cpp_2yr_plus_pct", "all", "all", 0.0, 10.0), (q4, "cpp_2yr_plus_pct", "category", "Neglect", 0.0, 5.0),
        (q4, "cpp_2yr_plus_pct", "category", "Sexual abuse", 0.0, 5.0),
    ]
    truth = _tidy(cells)
    model = relations_of(truth)
    row = {(c[0], c[1], c[3]): n for n, c in enumerate(cells)}
    quantity = {r: q for q, r in enumerate(model.row_of)}
    sexual = quantity[row[(q4, "cpp_rate", "Sexual abuse")]]
    starts = quantity[row[(q4, "cpp_starts", "Sexual abuse")]]
    assert any(r.whole == sexual and starts in r.parts and r.minus and not set(r.parts) - {starts}
               for r in model.relations), "the reader's 0 + 7 - 5 is not in the model"
    # with only the stock figure hidden, the reader would have it: 7 - 5
    assert Reader(model, T, {sexual}).pinned(sexual)
    out = suppress(truth, T)
    _nothing_small_pinned(truth, out)
    shown = {(r["indicator"], r["group"]) for r in out.filter((pl.col("period") == q4) & ~pl.col("suppressed"))
             .iter_rows(named=True)}
    assert ("cpp_rate", "Sexual abuse") not in shown
    assert not {("cpp_starts", "Sexual abuse"), ("cpp_2yr_plus_pct", "Sexual abuse")} <= shown


def test_care_leavers_by_activity_add_up_to_those_in_education_employment_or_training():
    """An attacker's pass: 27 of 56 care leavers were in education, employment or training, so 29 were not;
    the not-EET activities shown were 6 + 11 + 9 = 26, so the activity 'Not recorded' ('fewer than 5') was
    3. Each care leaver has one activity: the catalogue names the EET activities (care_leavers_eet_pct's
    `within`), the model adds the groups up exactly, and disclosure control hides enough."""
    from perfkit.present.disclosure import Reader, relations_of

    q = "2024-25 Q4"
    groups = {"Full-time higher education": 9.0, "Full-time apprenticeship": 8.0,
              "Full-time education other than higher education": 10.0,
              "Not in education, employment or training (illness or disability)": 6.0,
              "Not in education, employment or training (other reasons)": 11.0,
              "Not in education, employment or training (pregnancy or parenting)": 9.0, "Not recorded": 3.0}
    cells = [(q, "care_leavers_recorded", "all", "all", 56.0, None),
             (q, "care_leavers_eet_pct", "all", "all", 27.0, 56.0),
             *[(q, "care_leavers_recorded", "care_leaver_activity", g, n, None) for g, n in groups.items()]]
    truth = _tidy(cells)
    model = relations_of(truth)
    quantity = {r: n for n, r in enumerate(model.row_of)}
    not_recorded = next(n for n, c in enumerate(cells) if c[3] == "Not recorded")
    assert any(r.exact and len(r.parts) == 5 for r in model.relations)  # four groups outside EET, and EET: all
    assert Reader(model, T, {quantity[not_recorded]}).pinned(quantity[not_recorded])
    out = suppress(truth, T)
    _nothing_small_pinned(truth, out)
    hidden = out.filter(pl.col("suppressed"))
    assert hidden.height >= 2 and "Not recorded" in hidden["group"].to_list()


def test_how_many_children_two_groups_share_is_protected_like_a_small_number():
    """An attacker's pass: 11 children went missing from care and 21 from home, 31 in all, so 1 child went
    missing from both. The groups less the total is a figure too (the children counted twice): the model
    numbers it, never shows it, and protects it like any small number."""
    from perfkit.present.disclosure import relations_of
    from perfkit.present.disclosure_audit import Finding  # noqa: F401 - the audit reads the same model

    truth = frame(31, {"looked_after": [11, 21]}, "missing_children")
    truth = truth.with_columns(group=pl.when(pl.col("breakdown") == "looked_after")
                               .then(pl.Series(["all", "Missing from care", "Missing from home"]))
                               .otherwise(pl.col("group")))
    model = relations_of(truth)
    assert [model.values[q] for q in model.unshown] == [1]
    out = suppress(truth, T)
    shown = out.filter(~pl.col("suppressed"))
    assert shown.height < 3, "total and both groups shown give the 1 back"
    _nothing_small_pinned(truth, out)


def test_reviews_in_which_the_child_took_part_add_up_with_those_it_did_not():
    """Reviews of children aged 4 or over are those in which the child took part (PN1 to PN6) and those in
    which it did not (PN7): the catalogue names both (`within`'s groups and `rest`), so a reader's
    'of 205, 189 took part' pins a hidden PN7 of 3 only where the model also knows it."""
    from perfkit.present.disclosure import Reader, relations_of

    q = "2024-25 Q4"
    groups = {"Attended and spoke for themselves": 150.0, "Did not attend; conveyed their views another way": 52.0,
              "Did not attend; views not conveyed": 3.0, "Under 4 at the review": 43.0}
    cells = [(q, "cla_reviews_held", "all", "all", 248.0, None),
             (q, "cla_review_participation_pct", "all", "all", 202.0, 205.0),
             *[(q, "cla_reviews_held", "review_code", g, n, None) for g, n in groups.items()]]
    truth = _tidy(cells)
    model = relations_of(truth)
    quantity = {r: n for n, r in enumerate(model.row_of)}
    pn7 = quantity[next(n for n, c in enumerate(cells) if c[3] == "Did not attend; views not conveyed")]
    assert Reader(model, T, {pn7}).pinned(pn7)  # 205 - 202
    out = suppress(truth, T)
    _nothing_small_pinned(truth, out)


def test_episodes_with_no_interview_offer_are_not_one_denominator_less_the_other():
    """An attacker's pass: 'offered within 72 hours: 50 of 56' (episodes ending) and 'accepted: 34 of 53'
    (episodes ending with an offer) gave the data-quality table's 'fewer than 5' episodes with no offer:
    56 - 53 = 3. The catalogue declares the one denominator within the other (`denominator_within`); the
    rest is a count no page shows, protected like any small number."""
    from perfkit.present.disclosure import Reader, relations_of

    q = "2024-25 Q4"
    truth = _tidy([(q, "rhi_offered_72h_pct", "all", "all", 50.0, 56.0), (q, "rhi_accepted_pct", "all", "all", 34.0, 53.0)])
    model = relations_of(truth)
    # the rest (56 - 53) and each percentage's complement: 56 - 50 not offered within 72 hours, 53 - 34 not accepted
    assert sorted(model.values[q] for q in model.unshown) == [3, 6, 19]
    (rest,) = [q for q in model.unshown if model.values[q] == 3]
    assert Reader(model, T, set()).pinned(rest)  # both shown: 56 - 53
    out = suppress(truth, T)
    assert out["suppressed"].any()
    _nothing_small_pinned(truth, out)


def test_a_percentages_complement_is_protected_like_any_small_number():
    """"37 of 39 care leavers in suitable accommodation" says that 2 were not: the rest of a percentage's
    denominator is a count a reader works out from the two, protected like any small number. Of it the
    reader knows only what the two give (no page says its class), so hiding the percentage frees it."""
    from perfkit.present.disclosure import Reader, relations_of

    q = "2024-25 Q4"
    truth = _tidy([(q, "care_leavers_suitable_pct", "all", "all", 37.0, 39.0)])
    model = relations_of(truth)
    (rest,) = model.unshown
    assert model.values[rest] == 2 and rest in model.derived
    assert Reader(model, T, set()).pinned(rest)  # both shown: 39 - 37
    out = suppress(truth, T)
    assert out["suppression"].to_list() == ["complement"] and out["value"].to_list() == [None]
    assert not Reader(model, T, {0, 1}).pinned(rest)  # hidden: 2 is one of many values
    # 30 of 39: the 9 not in suitable accommodation are no small number; 39 of 39: none is shown, as a zero is
    for suitable in (30.0, 39.0):
        kept = suppress(_tidy([(q, "care_leavers_suitable_pct", "all", "all", suitable, 39.0)]), T)
        assert kept["suppression"].to_list() == [None]


def test_the_audit_finds_a_percentage_whose_complement_is_small(page_and_truth):
    """A percentage withheld because the rest of its denominator is small, written back into the page, lets
    that rest be worked out: the audit finds it."""
    from perfkit.present.disclosure_audit import audit_page

    html, truth, period = page_and_truth
    rows = truth.filter((pl.col("period") == period) & pl.col("indicator").is_in(
        ["cp_visits_10wd_pct", "assessments_45wd_pct", "rereferral_pct", "contact_conversion_pct"])
        & (pl.col("breakdown") != "all") & (pl.col("numerator") >= 5)
        & (pl.col("denominator") - pl.col("numerator")).is_between(1, 4))
    planted = None
    for row in rows.iter_rows(named=True):
        from perfkit.indicators.catalogue import load_catalogue
        from perfkit.present.breakdown_tables import choice

        indicator = load_catalogue()[row["indicator"]]
        cell = f"<tr><td>{choice(indicator, row['breakdown'])}</td><td>{row['group']}</td><td class=\"pk-num\">withheld</td></tr>"
        if cell in html:
            planted = html.replace(cell, cell.replace("withheld", f"{row['value']:.1f}%"))
            break
    assert planted, "the stored report withholds no percentage for its small complement"
    problems = {f.problem for f in audit_page(planted, truth, None, period)}
    assert "a count no page shows can be worked out (groups less total, or one less another)" in problems


def test_a_group_that_empties_this_quarter_relates_its_last_quarter_to_its_flows():
    """An attacker's pass: a group with children last quarter and no row now (none left) holds those
    before and those starting, all of whom left: 3 before + 2 starting = 5 ending. The stock relation says
    so where this quarter is broken down at all."""
    from perfkit.present.disclosure import relations_of

    q3, q4 = "2024-25 Q3", "2024-25 Q4"
    cells = [
        (q3, "cpp_rate", "all", "all", 43.0, 63_000.0), (q3, "cpp_rate", "category", "Neglect", 40.0, None),
        (q3, "cpp_rate", "category", "Sexual abuse", 3.0, None),
        (q4, "cpp_rate", "all", "all", 45.0, 63_000.0), (q4, "cpp_rate", "category", "Neglect", 45.0, None),
        (q4, "cpp_starts", "all", "all", 12.0, None), (q4, "cpp_starts", "category", "Neglect", 10.0, None),
        (q4, "cpp_starts", "category", "Sexual abuse", 2.0, None),
        (q4, "cpp_2yr_plus_pct", "all", "all", 0.0, 10.0), (q4, "cpp_2yr_plus_pct", "category", "Neglect", 0.0, 5.0),
        (q4, "cpp_2yr_plus_pct", "category", "Sexual abuse", 0.0, 5.0),
    ]
    truth = _tidy(cells)
    model = relations_of(truth)
    quantity = {r: n for n, r in enumerate(model.row_of) if n not in model.unshown}
    row = {(c[0], c[1], c[3]): n for n, c in enumerate(cells)}
    before, starts = quantity[row[(q3, "cpp_rate", "Sexual abuse")]], quantity[row[(q4, "cpp_starts", "Sexual abuse")]]
    assert any(set(r.parts) == {before, starts} and r.exact and not r.minus for r in model.relations)
    _nothing_small_pinned(truth, suppress(truth, T))


def test_care_leavers_not_in_touch_are_hidden_with_the_groups_they_equal():
    """A data-quality count is a figure too: care leavers not in touch (5, in the data-quality table) are the
    activity group 'Not recorded'. Withheld there to protect a small group, and shown in the table, it gave the
    small group back: 60 - 30 - 22 - 5 = 3. The model ties the count to its groups (`quality_checks.Sum`), so they are
    shown or withheld together."""
    from perfkit.indicators.quality_checks import as_measures

    q = "2024-25 Q4"
    measures = _tidy([(q, "care_leavers_recorded", "all", "all", 60.0, None),
                      *((q, "care_leavers_recorded", "care_leaver_activity", g, n, None) for g, n in (
                          ("Full-time higher education", 30.0), ("Full-time education other than higher education", 22.0),
                          ("Not in education, employment or training (illness or disability)", 3.0), ("Not recorded", 5.0)))])
    quality = pl.DataFrame({"la_code": ["990"] * 2, "period": [q] * 2, "check": ["care_leavers_not_in_touch", "missing_away"],
                            "count": [5.0, 6.0], "description": ["not in touch", "away"]})
    truth = pl.concat([measures, as_measures(quality)], how="diagonal_relaxed")
    alone = suppress(measures, T)  # as the report did: the table's 5 was not in the model
    assert alone.filter(pl.col("group") == "Not recorded")["suppression"].item() == "complement"
    with pytest.raises(AssertionError):
        _nothing_small_pinned(truth, pl.concat([alone, suppress(as_measures(quality), T)], how="diagonal_relaxed"))
    out = suppress(truth, T)
    hidden = dict(zip(out["indicator"] + " " + out["group"], out["suppression"]))
    # the count and the group it equals are shown or withheld together (here both shown, and another group withheld)
    assert (hidden["quality.care_leavers_not_in_touch all"] is None) == (hidden["care_leavers_recorded Not recorded"] is None)
    assert hidden["quality.missing_away all"] is None  # tied to nothing: a count of 5 or more is shown
    _nothing_small_pinned(truth, out)


def test_episodes_with_no_interview_offer_relate_the_two_denominators():
    """The data-quality count of episodes with no offer, with those offered, is every episode ending: a reader
    who sees 'offered within 72 hours: 50 of 56' and 7 with no offer knows the acceptance rate's denominator
    (49) whether it is shown or not. The model says so; a small count of them is hidden."""
    from perfkit.indicators.quality_checks import as_measures
    from perfkit.present.disclosure import Reader, relations_of

    q = "2024-25 Q4"
    measures = _tidy([(q, "rhi_offered_72h_pct", "all", "all", 50.0, 56.0), (q, "rhi_accepted_pct", "all", "all", 3.0, 49.0)])
    quality = pl.DataFrame({"la_code": ["990"], "period": [q], "check": ["missing_no_offer"], "count": [7.0],
                            "description": ["no offer"]})
    truth = pl.concat([measures, as_measures(quality)], how="diagonal_relaxed")
    model = relations_of(truth)
    count = next(n for n, row in enumerate(model.row_of) if truth["indicator"][row] == "quality.missing_no_offer")
    accepted = [n for n, row in enumerate(model.row_of) if truth["indicator"][row] == "rhi_accepted_pct"][1]
    assert any(set(r.parts) == {count, accepted} and r.exact for r in model.relations)
    assert Reader(model, T, {accepted}).pinned(accepted)  # 56 - 7: the row is hidden, its denominator known
    out = suppress(truth, T)
    assert out.filter(pl.col("indicator") == "rhi_accepted_pct")["suppression"].item() == "small"  # 3 accepted
    _nothing_small_pinned(truth, out)


def _with_quality(measures: pl.DataFrame, counts: dict[str, float], period: str = PERIOD) -> pl.DataFrame:
    from perfkit.indicators.quality_checks import as_measures

    quality = pl.DataFrame({"la_code": ["990"] * len(counts), "period": [period] * len(counts), "check": list(counts),
                            "count": list(counts.values()), "description": list(counts)})
    return pl.concat([measures, as_measures(quality)], how="diagonal_relaxed")


def test_episodes_with_no_offer_are_within_the_episodes_ending_and_those_not_offered_in_time():
    """An attacker's pass: 'offered within 72 hours: 19 of 20' and 'fewer than 5' with no offer pinned the count
    to 1 (an episode with no offer was not offered in 72 hours); and, where the interview figures are not
    available, 6 with no offer beside the 7-day figure's 6 episodes ending gave 6 - 5 = 1 missing from care."""
    q = PERIOD
    truth = _with_quality(_tidy([(q, "rhi_offered_72h_pct", "all", "all", 19.0, 20.0),
                                 (q, "rhi_accepted_pct", "all", "all", 12.0, 19.0)]), {"missing_no_offer": 1.0})
    out = suppress(truth, T)
    assert out.filter(pl.col("indicator") == "rhi_offered_72h_pct")["suppressed"].item()  # else 20 - 19 pins it
    _nothing_small_pinned(truth, out)
    seven = [(q, "missing_over_7d_pct", "all", "all", 0.0, 6.0), (q, "missing_over_7d_pct", "looked_after", "Missing from care", 0.0, 1.0),
             (q, "missing_over_7d_pct", "looked_after", "Missing from home", 0.0, 5.0)]
    truth = _with_quality(_tidy(seven), {"missing_no_offer": 6.0})
    out = suppress(truth, T)
    _nothing_small_pinned(truth, out)
    assert out.filter(pl.col("indicator") == "quality.missing_no_offer")["suppressed"].item()


def test_a_data_quality_count_has_no_figure_where_its_column_was_not_filled_in(small_data):
    """An SSDA903 import records no return interviews: every episode would count as having no offer (and equal
    the episodes ending). The count is not available, as the interview figures are, and shows no number."""
    from perfkit.indicators.engine import windows_frame
    from perfkit.indicators.periods import Period
    from perfkit.indicators.quality import data_quality
    from perfkit.records.loading import load_dataset

    data = load_dataset(small_data)
    episodes = data.table("missing_episodes").with_columns(rhi_offered_date=pl.lit(None, pl.Date))
    data = type(data)(data.directory, {**data.tables, "missing_episodes": episodes})
    quality = data_quality(data, windows_frame([Period.parse("2024-25 Q4")]))
    row = quality.filter(pl.col("check") == "missing_no_offer").row(0, named=True)
    assert row["count"] is None and row["reason"] == "not available from this data: needs missing_episodes.rhi_offered_date"
    assert quality.filter(pl.col("check") == "missing_away")["count"].is_not_null().all()


def test_the_audit_reads_a_data_quality_table_of_its_own_form_only(page_and_truth):
    """An attacker's pass: a third column beside 'Records' held the true small count and passed; a row of one cell
    crashed the audit."""
    from perfkit.present.disclosure_audit import audit_page

    html, truth, period = page_and_truth
    heading = "Care leavers recorded in the period with whom the authority was not in touch"
    row = re.search(f"<tr><td>{heading}[^<]*</td><td class=\"pk-num\">fewer than 5</td></tr>", html).group(0)
    extra = html.replace('<th scope="col">Records</th></tr>', '<th scope="col">Records</th><th scope="col">Then</th></tr>', 1)
    extra = extra.replace(row, row.replace("</td></tr>", "</td><td>3</td></tr>"))
    assert extra != html
    assert "a data-quality count the audit cannot place" in {f.problem for f in audit_page(extra, truth, None, period)}
    alone = html.replace(row, f"<tr><td>{heading}: 3</td></tr>")
    assert "a data-quality count the audit cannot place" in {f.problem for f in audit_page(alone, truth, None, period)}


def _plans_by_category(now: dict[str, list[int]], starts: dict[str, list[int]], totals: list[int],
                       ending: list[int]) -> pl.DataFrame:
    """Children on a plan at three quarters' ends by category (``now``: each group's three counts, and the
    ``totals``), the plans starting in the last two by category (``starts``), and the plans ending in
    each (``ending``, the denominator of 'plans ending after 2 years or more': by no category)."""
    quarters = ["2024-25 Q1", "2024-25 Q2", "2024-25 Q3"]
    cells = []
    for n, quarter in enumerate(quarters):
        cells.append((quarter, "cpp_rate", "all", "all", float(totals[n]), 63_000.0))
        cells += [(quarter, "cpp_rate", "category", g, float(v[n]), None) for g, v in now.items() if v[n]]
        if n:
            cells.append((quarter, "cpp_starts", "all", "all", float(sum(v[n - 1] for v in starts.values())), None))
            cells += [(quarter, "cpp_starts", "category", g, float(v[n - 1]), None) for g, v in starts.items() if v[n - 1]]
            cells.append((quarter, "cpp_2yr_plus_pct", "all", "all", 0.0, float(ending[n - 1])))
    return _tidy(cells)


def _whole_number_range(target: int, constraints: list[tuple[dict[int, int], float, bool]], bounds: list[tuple]) -> tuple:
    """The least and greatest whole value of variable ``target`` (scipy's MILP): each constraint is
    ({variable: coefficient}, constant, exact) for sum(coefficient * variable) == constant (or <= where not exact)."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    rows = np.zeros((len(constraints), len(bounds)))
    for n, (coefficients, _, _) in enumerate(constraints):
        for v, c in coefficients.items():
            rows[n, v] += c
    low = [constant if exact else -np.inf for _, constant, exact in constraints]
    high = [constant for _, constant, _ in constraints]
    box = Bounds([b[0] for b in bounds], [b[1] for b in bounds])
    found = []
    for sign in (1, -1):
        cost = np.zeros(len(bounds))
        cost[target] = sign
        result = milp(cost, constraints=LinearConstraint(rows, low, high), integrality=np.ones(len(bounds)), bounds=box)
        assert result.status == 0, result.message
        found.append(round(result.x[target]))
    return tuple(found)


def test_plans_ending_by_category_0_or_more_give_no_hidden_category_away():
    """An attacker's pass: plans ending are shown in all, never by category, but a reader knows each
    category's plans ending (those on a plan before, plus those starting, less those on a plan now) are 0
    or more. Over three quarters that bounds a hidden category from both sides: 4 sexual abuse plans at
    Q2's end (hidden, fewer than 5) are at least Q3's 9 less Q3's 5 starts. The attacker here is the
    test's own, an integer program over every relation disclosure control knows and, for each category
    and quarter, its plans ending 0 or more: no hidden small figure has a single value."""
    from perfkit.present.disclosure import BIG, quantity_bounds, relations_of

    quarters = ["2024-25 Q1", "2024-25 Q2", "2024-25 Q3"]
    now, starts = {"Neglect": [44, 46, 45], "Sexual abuse": [6, 4, 9]}, {"Neglect": [10, 7], "Sexual abuse": [0, 5]}
    cells = []
    for n, quarter in enumerate(quarters):
        cells.append((quarter, "cpp_rate", "all", "all", float(sum(v[n] for v in now.values())), 63_000.0))
        cells += [(quarter, "cpp_rate", "category", g, float(v[n]), None) for g, v in now.items()]
        if n:
            cells.append((quarter, "cpp_starts", "all", "all", float(sum(v[n - 1] for v in starts.values())), None))
            cells += [(quarter, "cpp_starts", "category", g, float(v[n - 1]), None) for g, v in starts.items() if v[n - 1]]
            ending = sum(now[g][n - 1] + starts[g][n - 1] - now[g][n] for g in now)
            cells.append((quarter, "cpp_2yr_plus_pct", "all", "all", 0.0, float(ending)))
    truth = _tidy(cells)
    out = suppress(truth, T)
    model = relations_of(truth)
    shown = {q for q, row in enumerate(model.row_of) if not out["suppressed"][row]} - model.unshown
    hidden = [q for q in range(len(model.values)) if q not in shown]
    variable = {q: v for v, q in enumerate(hidden)}
    bounds = [quantity_bounds(q, model.values, T, set()) for q in hidden]
    bounds = [(low, np.inf if high == BIG else high) for low, high in bounds]

    def linear(terms: list[tuple[int, int]], constant: float = 0.0) -> tuple[dict[int, int], float]:
        """sum(sign * quantity) as variables and the shown quantities moved to the other side."""
        coefficients: dict[int, int] = {}
        for sign, q in terms:
            if q in variable:
                coefficients[variable[q]] = coefficients.get(variable[q], 0) + sign
            else:
                constant -= sign * model.values[q]
        return coefficients, constant

    constraints = []
    for r in model.relations:
        coefficients, constant = linear([(1, q) for q in r.parts] + [(-1, q) for q in r.minus] + [(-1, r.whole)])
        constraints.append((coefficients, constant, r.exact))
    numerator = {}  # each row's count: the first of its quantities with its value
    for q, row in enumerate(model.row_of):
        if q not in model.unshown and row not in numerator and model.values[q] == cells[row][4]:
            numerator[row] = q
    key = {(c[0], c[1], c[3]): numerator[row] for row, c in enumerate(cells) if row in numerator}
    for n in (1, 2):  # each category's plans ending, 0 or more: now <= before + starts
        for g in now:
            terms = [(1, key[(quarters[n], "cpp_rate", g)]), (-1, key[(quarters[n - 1], "cpp_rate", g)])]
            if (quarters[n], "cpp_starts", g) in key:
                terms.append((-1, key[(quarters[n], "cpp_starts", g)]))
            constraints.append((*linear(terms), False))
    small = [q for q in hidden if 0 < model.values[q] < T]
    assert key[("2024-25 Q2", "cpp_rate", "Sexual abuse")] in small
    given = {q: _whole_number_range(variable[q], constraints, bounds) for q in small}
    assert not [q for q, (least, greatest) in given.items() if least == greatest], given


def test_open_assessments_less_those_over_45_working_days_are_protected():
    """An attacker's pass: the data-quality table counts every open assessment (8) and the scorecard those
    over 45 working days (6), so 2 open assessments are younger: a number no page shows, which the two shown
    give by subtraction. The model numbers it and protects it like any small number."""
    from perfkit.present.disclosure import relations_of

    truth = _with_quality(_counts([(PERIOD, "assessments_open_over_45wd", 6.0, None)]), {"assessments_open": 8.0})
    model = relations_of(truth)
    assert [model.values[q] for q in model.unshown] == [2]
    out = suppress(truth, T)
    assert out["suppressed"].any(), "the open assessments and those over 45 working days both shown give the 2 back"
    _nothing_small_pinned(truth, out)
    # 20 open, 6 over: the 14 younger are no small number, and both figures are shown
    truth = _with_quality(_counts([(PERIOD, "assessments_open_over_45wd", 6.0, None)]), {"assessments_open": 20.0})
    assert not suppress(truth, T)["suppressed"].any()


def test_children_in_a_group_are_no_more_than_their_episodes():
    """The attack a review found (session 22): 16 children missing, 7 aged 10-15, and the 16-year-olds'
    5 episodes shown. Each child has an episode in their band, so at most 5 children were 16; shown as
    "withheld" (5 or more) it had to be 5, and then the 17-and-over band, "fewer than 5", had to be 4
    (16 - 7 - 5). ``missing_children``'s ``at_most: missing_episodes`` tells the reader's model so."""
    children = rows("missing_children", [("all", "all", 16, None), ("age_band_16_17", "10-15", 7, None),
                                         ("age_band_16_17", "16", 5, None), ("age_band_16_17", "17 and over", 4, None)])
    episodes = rows("missing_episodes", [("all", "all", 55, None), ("age_band_16_17", "10-15", 30, None),
                                         ("age_band_16_17", "16", 5, None), ("age_band_16_17", "17 and over", 20, None)])
    out = suppress(pl.concat([children, episodes]), T)
    shown = {(r["indicator"], r["group"]): r["numerator"] for r in out.iter_rows(named=True) if not r["suppressed"]}
    hidden = {(r["indicator"], r["group"]) for r in out.iter_rows(named=True) if r["suppressed"]}
    assert ("missing_children", "17 and over") in hidden
    # every value of the small band the shown figures leave possible, as the reader works it out
    total = shown.get(("missing_children", "all"))
    young = shown.get(("missing_children", "10-15"))
    sixteen_at_most = shown.get(("missing_episodes", "16"), 10**6)
    sixteen = [shown[("missing_children", "16")]] if ("missing_children", "16") in shown else \
        [v for v in range(0, min(sixteen_at_most, 100) + 1) if v == 0 or v >= T]
    possible = {small for small in range(1, T) for s in sixteen
                if total is None or young is None or young + s + small >= total}
    assert len(possible) >= 2, (possible, shown)


def test_figures_declared_equal_are_shown_or_withheld_together_in_every_member_report():
    """A page that says "withheld" for children in semi-independent or supported accommodation beside a
    placement-type group of the same 6 children (993, 2024-25 Q4, before session 22) hides nothing and
    tells members the figures cannot be trusted: each ``same_as`` pair is shown, or withheld, together."""
    from perfkit.indicators.catalogue import load_catalogue
    from perfkit.indicators.labels import group_label
    from perfkit.pipeline.aggregates import build_report

    catalogue = load_catalogue()
    pairs = [(i.id, i.same_as["indicator"], i.same_as["breakdown"], group_label(i.same_as["breakdown"], i.same_as["group"]))
             for i in catalogue.indicators if i.same_as]
    checked = 0
    for la in ("990", "991", "992", "993"):
        measures = build_report(la, "2024-25 Q4", audience="members").measures
        hidden = {(r["period"], r["indicator"], r["breakdown"], r["group"]): r["suppressed"]
                  for r in measures.iter_rows(named=True)}
        for own, other, breakdown, group in pairs:
            for period in measures["period"].unique().to_list():
                mine, theirs = hidden.get((period, own, "all", "all")), hidden.get((period, other, breakdown, group))
                if mine is not None and theirs is not None:
                    assert mine == theirs, (la, period, own, other, group)
                    checked += 1
    assert checked >= 8
