"""Consecutive reports read together give nothing away (the ledger of published figures).

An attacker's pass: each quarter's report chose its own suppressions, so the 2024-25 Q3 pack hid the
children looked after in Q2 and the Q4 pack showed them (43); with Q3's 41 and no starts, 2 children had
left care, a figure both packs withheld. The batch now writes down what each member page showed and
withheld (``<out>/.published/<authority>.parquet``) and a later report keeps the one hidden and takes the
other as known. Checked here as a reader holding both packs would: every figure either page shows, every
relation between them, no small number pinned.
"""

from __future__ import annotations

import random
import shutil

import polars as pl
import pytest

from perfkit.config import paths
from perfkit.pipeline.ledger import earlier, from_page, ledger_path
from perfkit.present.disclosure import Reader, relations_of, suppress
from perfkit.present.disclosure_audit import parse_number, read_page

QUARTERS = ("2024-25 Q3", "2024-25 Q4")


def _small_authority(folder, fraction: float = 0.12, seed: int = 2):
    """The embedded data with a random 12% of 990's looked-after and missing children: small numbers."""
    shutil.copytree(paths.default_data_dir(), folder)
    for table in ("cla_episodes", "missing_episodes"):
        frame = pl.read_parquet(folder / f"{table}.parquet")
        ids = sorted(frame.filter(pl.col("la_code") == "990")["child_id"].unique().to_list())
        keep = random.Random(seed).sample(ids, max(1, int(len(ids) * fraction)))
        frame.filter((pl.col("la_code") != "990") | pl.col("child_id").is_in(keep)).write_parquet(folder / f"{table}.parquet")
    return folder


@pytest.fixture(scope="module")
def two_packs(tmp_path_factory):
    from perfkit.cli import main

    base = tmp_path_factory.mktemp("packs")
    data, out = _small_authority(base / "data"), base / "reports"
    for quarter in QUARTERS:
        assert main(["batch", "--data", str(data), "--authority", "990", "--out", str(out), "--period", quarter,
                     "--workers", "1"]) == 0
    return data, out


def _figures(page: str, quarter: str) -> tuple[set, set]:
    """The keys of the figures a page shows as numbers, and of every figure it names."""
    shown, _ = read_page(page, quarter)
    numbers = {(f.period, f.indicator, f.breakdown, f.group) for f in shown
               if not f.indicator.startswith("quality.") and f.of in ("value", "numerator", "denominator")
               and parse_number(f.text) is not None}
    return numbers, {(f.period, f.indicator, f.breakdown, f.group) for f in shown}


def test_two_consecutive_packs_read_together_give_no_small_number_away(two_packs):
    from perfkit.pipeline.aggregates import compute_aggregates
    from perfkit.records.loading import load_dataset

    data, out = two_packs
    records = load_dataset(data, authorities=["990"])
    truths, numbers, named, names = [], {}, set(), {}
    for quarter in QUARTERS:
        truths.append(compute_aggregates(records, "990", quarter).measures)
        page = (out / quarter.replace(" ", "-") / "990.html").read_text(encoding="utf-8")
        numbers[quarter], names[quarter] = _figures(page, quarter)
        named |= names[quarter]
    # what the first page withheld in words stays withheld; what it did not name at all, the second may show
    page = (out / QUARTERS[0].replace(" ", "-") / "990.html").read_text(encoding="utf-8")
    withheld = set(from_page(page, QUARTERS[0], "990").filter(~pl.col("shown"))
                   .select("period", "indicator", "breakdown", "group").iter_rows())
    assert not [k for k in numbers[QUARTERS[1]] if k in withheld], "withheld, then shown"
    first = set(truths[0].select("period", "indicator", "breakdown", "group").iter_rows())
    assert [k for k in numbers[QUARTERS[1]] if k in first - names[QUARTERS[0]]]  # the year-earlier rolling figures
    truth = pl.concat(truths).unique(subset=["la_code", "period", "indicator", "breakdown", "group"], keep="last",
                                     maintain_order=True)
    model = relations_of(truth)
    keys = list(truth.select("period", "indicator", "breakdown", "group").iter_rows())
    visible = numbers[QUARTERS[0]] | numbers[QUARTERS[1]]
    hidden = {q for q, row in enumerate(model.row_of) if keys[row] not in visible}
    absent = {q for q in hidden if keys[model.row_of[q]] not in named}  # on neither page: nothing known
    reader = Reader(model, 5, hidden, absent)
    small = [q for q in hidden - absent if 0 < model.values[q] < 5]
    assert small, "the shrunk authority has no small number to protect"
    assert not [keys[model.row_of[q]] for q in small if reader.pinned(q)]


def test_the_ledger_holds_each_published_page_and_binds_the_next(two_packs):
    data, out = two_packs
    ledger = earlier(out, "990")
    assert ledger_path(out, "990").exists()
    assert set(ledger["report"]) == set(QUARTERS) and ledger["shown"].any() and (~ledger["shown"]).any()
    # a page records no figure of a quarter after its own (a trajectory's path ahead is not a withheld figure)
    assert rebuilt_is_own_quarters(out)
    # the stock relation by group needs both quarters' breakdowns: the report's quarter and the one before
    q4 = ledger.filter(pl.col("report") == QUARTERS[1])
    assert {"2024-25 Q3", "2024-25 Q4"} <= set(q4.filter(pl.col("breakdown") != "all")["period"])


def test_a_figure_withheld_before_is_withheld_again_and_one_shown_before_is_known():
    rows = [("all", "all", 30.0), ("sex", "Female", 20.0), ("sex", "Male", 7.0), ("sex", "Unknown", 3.0)]
    frame = pl.DataFrame({"la_code": ["990"] * 4, "period": ["2024-25 Q1"] * 4, "indicator": ["missing_episodes"] * 4,
                          "breakdown": [r[0] for r in rows], "group": [r[1] for r in rows],
                          "numerator": [r[2] for r in rows], "denominator": [None] * 4, "value": [r[2] for r in rows]},
                         schema_overrides={"denominator": pl.Float64})
    alone = dict(zip(suppress(frame)["group"], suppress(frame)["suppression"]))
    assert alone == {"all": None, "Female": None, "Male": "complement", "Unknown": "small"}

    def ledger(shown: dict[str, bool]) -> pl.DataFrame:
        return pl.DataFrame({"report": ["2023-24 Q4"] * len(shown), "la_code": ["990"] * len(shown),
                             "period": ["2024-25 Q1"] * len(shown), "indicator": ["missing_episodes"] * len(shown),
                             "breakdown": ["all" if g == "all" else "sex" for g in shown], "group": list(shown),
                             "shown": list(shown.values())})

    withheld = suppress(frame, earlier=ledger({"Female": False}))  # an earlier page withheld Female
    assert dict(zip(withheld["group"], withheld["suppressed"]))["Female"]
    known = suppress(frame, earlier=ledger({"Male": True}))  # an earlier page showed Male: hiding it helps nothing
    reasons = dict(zip(known["group"], known["suppression"]))
    assert reasons["Unknown"] == "small" and reasons["Male"] is None and reasons["Female"] == "complement"


def rebuilt_is_own_quarters(out) -> bool:
    """Whether every page's record, read back from the page, names no period (a quarter, a quarter alone, a
    month) ending after the page's own quarter."""
    from perfkit.indicators.periods import Period, Window

    rows = pl.concat([from_page((out / q.replace(" ", "-") / "990.html").read_text(encoding="utf-8"), q, "990")
                      for q in QUARTERS])
    return all(Window.parse(p).end <= Period.parse(r).end for r, p in rows.select("report", "period").iter_rows())


def test_a_lost_ledger_is_read_again_from_the_published_pages(two_packs, tmp_path):
    """An attacker's pass: with the ledger deleted (or emptied), a re-run of Q4 showed a figure the Q3 page
    had withheld, and a small group came back. The pages in the folder are read back in its place."""
    from perfkit.cli import main

    data, out = two_packs
    copy = tmp_path / "reports"
    shutil.copytree(out, copy)
    q3 = (copy / "2024-25-Q3" / "990.html").read_text(encoding="utf-8")
    numbers_q3, named_q3 = _figures(q3, QUARTERS[0])
    ledger_path(copy, "990").unlink()
    rebuilt = earlier(copy, "990")
    assert set(rebuilt["report"]) == set(QUARTERS)
    withheld = set(rebuilt.filter((pl.col("report") == QUARTERS[0]) & ~pl.col("shown"))
                   .select("period", "indicator", "breakdown", "group").iter_rows())
    assert withheld and withheld <= named_q3 - numbers_q3
    assert main(["batch", "--data", str(data), "--authority", "990", "--out", str(copy), "--period", QUARTERS[1],
                 "--workers", "1"]) == 0
    numbers_q4, _ = _figures((copy / "2024-25-Q4" / "990.html").read_text(encoding="utf-8"), QUARTERS[1])
    assert not numbers_q4 & withheld


def test_an_unreadable_ledger_stops_the_report_and_says_which_file(two_packs, tmp_path, capsys):
    from perfkit.cli import main

    data, out = two_packs
    copy = tmp_path / "reports"
    shutil.copytree(out, copy)
    ledger_path(copy, "990").write_bytes(b"not a parquet file")
    assert main(["batch", "--data", str(data), "--authority", "990", "--out", str(copy), "--period", QUARTERS[1],
                 "--workers", "1"]) != 0
    said = capsys.readouterr()
    index = (copy / "2024-25-Q4" / "index.html").read_text(encoding="utf-8")
    assert ".published/990.parquet" in said.out + said.err + index
