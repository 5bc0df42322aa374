"""Three or more consecutive packs read together give nothing away: the chain of quarters.

An attacker's pass on the embedded data: 991's packs for 2024-25 Q1, Q2 and Q3, read together, gave
back children starting care by legal status in Q3 (an emergency protection order 1, a placement order
3). Each report related its breakdowns to the last quarter's only; a reader holding three packs chains
"looked after now = before + starting - leaving" by group over every quarter they cover. Each report now
relates its figures to every earlier pack's (:func:`perfkit.pipeline.aggregates.earlier_context`).

Checked here as that attacker did: the figures every page shows as numbers, the true figures behind
them, every relation between them, and each small hidden figure's least and greatest value as whole
numbers (an integer program, stronger than disclosure control's own linear reader).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from perfkit.config import paths
from perfkit.present.disclosure import BIG, Reader, quantity_bounds, relations_of
from perfkit.present.disclosure_audit import parse_number, read_page

QUARTERS = ("2024-25 Q1", "2024-25 Q2", "2024-25 Q3")
AUTHORITY = "991"
KEY = ["la_code", "period", "indicator", "breakdown", "group"]
CAP = 10_000_000


@pytest.fixture(scope="module")
def three_packs(tmp_path_factory):
    from perfkit.cli import main

    out = tmp_path_factory.mktemp("chain") / "reports"
    for quarter in QUARTERS:
        assert main(["batch", "--authority", AUTHORITY, "--out", str(out), "--period", quarter, "--workers", "1"]) == 0
    return out


def _page_figures(out) -> tuple[set, set]:
    """The keys every page shows as numbers, and those any page names (a number or words)."""
    numbers, named = set(), set()
    for quarter in QUARTERS:
        page = (out / quarter.replace(" ", "-") / f"{AUTHORITY}.html").read_text(encoding="utf-8")
        shown, _ = read_page(page, quarter)
        for f in shown:
            if f.indicator.startswith("quality.") or f.of not in ("value", "numerator", "denominator"):
                continue
            key = (AUTHORITY, f.period, f.indicator, f.breakdown, f.group)
            named.add(key)
            if parse_number(f.text) is not None:
                numbers.add(key)
    return numbers, named


def _whole_number_range(target: int, variables: list[int], relations, values, hidden, absent) -> tuple:
    """The least and greatest whole value of ``target`` the relations allow (scipy's MILP)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    index = {q: i for i, q in enumerate(variables)}
    rows, low, high = [], [], []
    for relation in relations:
        row, constant = np.zeros(len(variables)), 0.0
        for sign, quantities in ((1, relation.parts), (-1, relation.minus), (-1, (relation.whole,))):
            for q in quantities:
                if q in index:
                    row[index[q]] += sign
                else:
                    constant += sign * values[q]
        rows.append(row)
        low.append(-constant)
        high.append(-constant if relation.exact else np.inf)
    bounds = [quantity_bounds(q, values, 5, absent) for q in variables]
    # a figure of which the reader knows only that it is 0 or more (a percentage's complement: no page says
    # its class) has no upper bound; a cap far above any count keeps the program bounded, and a target that
    # reaches it is plainly not pinned
    box = Bounds([b[0] for b in bounds], [CAP if b[1] == BIG else b[1] for b in bounds])
    found = []
    for sign in (1, -1):
        cost = np.zeros(len(variables))
        cost[index[target]] = sign
        result = milp(cost, constraints=LinearConstraint(np.array(rows), low, high),
                      integrality=np.ones(len(variables)), bounds=box)
        assert result.status == 0, result.message
        found.append(round(result.x[index[target]]))
    return tuple(found)


def test_three_consecutive_packs_read_together_give_no_small_number_away(three_packs):
    from perfkit.pipeline.aggregates import compute_aggregates
    from perfkit.records.loading import load_dataset

    records = load_dataset(paths.default_data_dir(), authorities=[AUTHORITY])
    truth = (pl.concat([compute_aggregates(records, AUTHORITY, q).measures for q in QUARTERS])
             .unique(subset=KEY, keep="first", maintain_order=True))
    numbers, named = _page_figures(three_packs)
    model = relations_of(truth)
    keys = list(truth.select(KEY).iter_rows())
    hidden = {q for q, row in enumerate(model.row_of) if keys[row] not in numbers} | model.unshown
    absent = {q for q in hidden if keys[model.row_of[q]] not in named}  # on no page: nothing known of it
    reader = Reader(model, 5, hidden, absent)
    small = [q for q in hidden - absent if 0 < model.values[q] < 5]
    # the chain the attacker followed is in the relations: starts by legal status in each quarter
    chained = [q for q in small if keys[model.row_of[q]][2:4] == ("cla_starts", "legal_status")]
    assert len(chained) >= 6, "the three packs hold no small starts by legal status to protect"
    given = {}
    for q in small:
        variables, relations = reader.component(q)
        if relations:
            least, greatest = _whole_number_range(q, variables, relations, model.values, reader.hidden, reader.absent)
            if least == greatest:
                given[keys[model.row_of[q]]] = least
    assert not given, f"small numbers a reader of the three packs works out: {given}"


def test_each_pack_names_its_earlier_quarters_breakdowns_only_as_context(three_packs):
    """The earlier quarters' breakdowns join disclosure control, never the page: the Q3 pack shows the
    breakdowns of Q3 and Q2, as before, none of Q1; of the same quarter a year earlier, only the groups the
    catalogue shows year on year; of months, only the groups it shows month by month."""
    from perfkit.indicators.catalogue import load_catalogue

    numbers, _ = _page_figures(three_packs)
    q3 = (three_packs / "2024-25-Q3" / f"{AUTHORITY}.html").read_text(encoding="utf-8")
    shown, _ = read_page(q3, "2024-25 Q3")
    from perfkit.indicators.periods import is_month

    monthly = {(i.id, b) for i in load_catalogue().indicators for b in i.by_month}
    periods = {f.period for f in shown if f.breakdown != "all" and not f.indicator.startswith("quality.")
               and not (is_month(f.period) and (f.indicator, f.breakdown) in monthly)}
    assert periods <= {"2024-25 Q2", "2024-25 Q3", "2023-24 Q3"}
    yearly = {(i.id, b) for i in load_catalogue().indicators for b in i.year_on_year}
    assert {(f.indicator, f.breakdown) for f in shown if f.period == "2023-24 Q3" and f.breakdown != "all"} == yearly
    assert any(k[1] == "2024-25 Q1" and k[3] != "all" for k in numbers)  # Q1's own pack showed them


def _rows(period: str, groups: dict[str, float]) -> pl.DataFrame:
    return pl.DataFrame({"la_code": ["990"] * len(groups), "period": [period] * len(groups),
                         "indicator": ["missing_episodes"] * len(groups),
                         "breakdown": ["all" if g == "all" else "sex" for g in groups], "group": list(groups),
                         "numerator": list(groups.values()), "denominator": [None] * len(groups),
                         "value": list(groups.values())}, schema_overrides={"denominator": pl.Float64})


def test_a_small_number_earlier_packs_already_gave_away_is_named_and_does_not_stop_the_report():
    """Packs published before the chain was checked may already give a small number away (Q1's total and
    two of its three groups shown): this report can neither give it nor take it back, so it is named to the
    analyst (``given_away``, the batch's WARNING) and this report is protected as ever."""
    from perfkit.present.disclosure import protect

    frame = _rows("2024-25 Q3", {"all": 30.0, "Female": 20.0, "Male": 7.0, "Unknown": 3.0})
    context = _rows("2024-25 Q1", {"all": 25.0, "Female": 15.0, "Male": 8.0, "Unknown": 2.0})
    ledger = context.select(KEY).with_columns(report=pl.lit("2024-25 Q1"),
                                              shown=pl.col("group") != "Unknown")
    given: list = []
    reasons = protect(frame, 5, earlier=ledger, context=context, given_away=given)
    assert reasons == [None, None, "complement", "small"]  # this quarter's own small group, protected as ever
    assert given == [("990", "2024-25 Q1", "missing_episodes", "sex", "Unknown")]



def test_the_batch_names_what_earlier_packs_gave_away_and_publishes(three_packs, tmp_path, capsys):
    """A ledger whose Q3 pack showed every starts-by-legal-status figure but one small group (as a pack
    made before the chain was checked could): the Q4 report is published, and the batch warns, naming it."""
    import shutil

    from perfkit.cli import main
    from perfkit.pipeline.ledger import ledger_path

    out = tmp_path / "reports"
    shutil.copytree(three_packs, out)
    path = ledger_path(out, AUTHORITY)
    ledger = pl.read_parquet(path)
    starts = ((pl.col("report") == "2024-25 Q3") & (pl.col("period") == "2024-25 Q3")
              & (pl.col("indicator") == "cla_starts") & pl.col("breakdown").is_in(["all", "legal_status"]))
    ledger.with_columns(shown=pl.when(starts).then(pl.col("group") != "Emergency protection order")
                        .otherwise(pl.col("shown"))).write_parquet(path)
    assert main(["batch", "--authority", AUTHORITY, "--out", str(out), "--period", "2024-25 Q4", "--workers", "1"]) == 0
    said = capsys.readouterr().err
    assert "WARNING: a small number earlier published reports already give away" in said
    assert "legal_status 'Emergency protection order', 2024-25 Q3" in said
    assert (out / "2024-25-Q4" / f"{AUTHORITY}.html").exists()
    assert "note: no earlier report" not in said  # the folder holds the earlier packs


def test_a_report_into_a_folder_without_earlier_packs_says_it_cannot_know_them(tmp_path, capsys):
    """An attacker's pass: a report made into an empty folder chooses afresh what to hide of the groups a year
    earlier, and read beside last year's pack (made elsewhere) gave back 990's children under 1 starting to be
    looked after in 2023-24 Q4. Nothing in an empty folder tells the batch of packs published from another, so
    it says so, naming the authorities."""
    from perfkit.cli import main

    assert main(["batch", "--authority", AUTHORITY, "--out", str(tmp_path / "reports"), "--workers", "1"]) == 0
    said = capsys.readouterr().err
    assert f"note: no earlier report of {AUTHORITY} in {tmp_path / 'reports'}" in said
