"""A report for a month alone (#19: "90% in October", "missing from care at any time in the month"): the
member report made for ``2024-25 M07`` says month where a quarterly one says quarter, shows the month's own
figures (read back from the page against the engine's), a trend of 24 months, each month alone of a
12-month figure, a trajectory's path month by month; and its disclosure control relates months as a reader
of every monthly pack does: twelve months alone make the rolling year, a stock moves month to month, and
consecutive packs into one folder bind each other.
"""

from __future__ import annotations

import json
import re

import polars as pl
import pytest

from perfkit.indicators.catalogue import load_catalogue
from perfkit.indicators.periods import Month, Window, alone_label, parse_period, without_alone
from perfkit.present.disclosure import Reader, relations_of, suppress

CATALOGUE = load_catalogue()
T = 5
PERIOD = "2024-25 M07"


@pytest.fixture(scope="module")
def monthly_pack(tmp_path_factory):
    """990's member reports for September and October 2024, made one after the other into one folder."""
    from perfkit.pipeline.batch import run_batch

    out = tmp_path_factory.mktemp("monthly")
    for month in ("2024-25 M06", PERIOD):
        folder, outcomes = run_batch(month, out_dir=out, workers=1, authorities=["990"], progress=False)
        assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    return out, folder, (folder / "990.html").read_text(encoding="utf-8")


def _specs(html: str) -> list[dict]:
    decoder = json.JSONDecoder()
    return [decoder.raw_decode(html, m.end())[0] for m in re.finditer(r'vegaEmbed\("#pk-chart-[0-9a-f]+", ', html)]


def _text(html: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    return " ".join(soup.get_text(" ").split())


def test_a_month_alone_is_labelled_counted_and_annualised_as_a_month():
    from perfkit.indicators.engine import annualised

    october = Month.parse(PERIOD)
    assert Window(october, "alone").label == "2024-25 M07 1M" == alone_label(PERIOD)
    assert Window.parse("2024-25 M07 1M") == Window(october, "alone") and Window.parse("2024-25 M07 1M").start == october.start
    assert without_alone("2024-25 M07 1M") == PERIOD and parse_period(PERIOD) == october
    with pytest.raises(ValueError, match="month alone"):
        Window.parse("2024-25 Q3 1M")
    with pytest.raises(ValueError, match="quarter alone"):
        Window.parse("2024-25 M07 3M")
    frame = pl.DataFrame({"period": ["2024-25 M07 1M", "2024-25 Q3 3M"], "indicator": ["r", "r"],
                          "numerator": [30.0, 90.0], "denominator": [1e4, 1e4], "value": [30.0, 90.0]})
    assert annualised(frame, ["2024-25 M07 1M", "2024-25 Q3 3M"], ["r"])["value"].to_list() == [360.0, 360.0]


def test_the_latest_month_is_the_last_complete_one():
    import datetime as dt

    from perfkit.pipeline.aggregates import resolve_period

    assert resolve_period("latest month", dt.date(2025, 3, 31)).label == "2024-25 M12"
    assert resolve_period("Latest-Month", dt.date(2025, 3, 30)).label == "2024-25 M11"
    assert resolve_period("latest", dt.date(2025, 3, 30)).label == "2024-25 Q3"


def test_a_trajectory_is_read_month_by_month():
    from perfkit.indicators.targets import Target

    path = Target(0, 1, ((Month.parse("2024-25 M12").quarter.index, 17.0), (Month.parse("2025-26 M12").quarter.index, 10.0)))
    assert path.value_for("2024-25 M12") == path.value_for("2024-25 Q4") == 17.0
    assert path.value_for("2025-26 M06") == path.value_for("2025-26 Q2") == pytest.approx(13.5)
    assert path.value_for("2025-26 M01") == pytest.approx(17.0 - 7.0 / 12)  # a twelfth of the way, a month in
    assert path.value_for("2024-25 M11") is None  # the path had not begun
    assert [m.label for m in path.ahead(Month.parse("2025-26 M10"))] == ["2025-26 M11", "2025-26 M12"]


def test_twelve_months_alone_make_the_rolling_year_so_a_small_month_stays_hidden():
    """Referrals per 10,000 over the 12 months to October are the twelve months alone: eleven shown and the year
    would give the twelfth."""
    months = [Month.parse(PERIOD).shift(-k) for k in range(11, -1, -1)]
    alone = {alone_label(m.label): float(v) for m, v in zip(months, [30, 28, 31, 25, 27, 29, 33, 26, 24, 30, 28, 3])}
    truth = pl.concat([
        pl.DataFrame({"la_code": "990", "period": [PERIOD], "indicator": "referral_rate", "breakdown": "all",
                      "group": "all", "numerator": [sum(alone.values())], "denominator": [50_000.0],
                      "value": [sum(alone.values()) / 5.0]}),
        pl.DataFrame({"la_code": "990", "period": list(alone), "indicator": "referral_rate", "breakdown": "all",
                      "group": "all", "numerator": list(alone.values()), "denominator": 50_000.0,
                      "value": [v * 12 / 5.0 for v in alone.values()]})])
    model = relations_of(truth)
    assert any(len(r.parts) == 12 for r in model.relations), "the rolling year is the sum of its twelve months"
    out = suppress(truth, T)
    hidden = set(out.filter(pl.col("suppressed"))["period"].to_list())
    assert alone_label(PERIOD) in hidden and len(hidden) >= 2, hidden
    shown = {q for q, row in enumerate(model.row_of) if not out["suppressed"][row]}
    reader = Reader(model, T, set(range(len(model.values))) - shown, set())
    assert not any(reader.pinned(q) for q in range(len(model.values)) if 0 < model.values[q] < T)


def test_a_stock_moves_month_to_month():
    """Girls looked after at October's end are September's, plus girls starting in October, less those leaving:
    the relation holds between months as between quarters."""
    from perfkit.present.disclosure_relations import _stock_relations

    numerators = {("990", "2024-25 M06", "cla_rate", "sex", "Female"): 0, ("990", PERIOD, "cla_rate", "sex", "Female"): 1,
                  ("990", PERIOD, "cla_starts", "sex", "Female"): 2, ("990", PERIOD, "cla_ceased", "sex", "Female"): 3}
    relations = _stock_relations([40.0, 42.0, 3.0, 1.0], numerators, {}, CATALOGUE)
    assert [(r.parts, r.whole, r.minus) for r in relations] == [((0, 2), 1, (3,))]


def test_a_table_too_small_to_break_down_is_dropped_when_an_earlier_pack_showed_its_total():
    """Four age bands of 5, 5, 5 and 1 under a total an earlier pack showed (16): hiding any of the 5s still
    gives the 1 (each hidden 5 is known to be 5 or more), so the table is not shown at all; the reader then
    knows nothing of its groups, and the report is made (it had failed: the reader kept the groups' classes)."""
    groups = {"1-4": 5.0, "5-9": 1.0, "10-15": 5.0, "16 and over": 5.0}
    frame = pl.DataFrame({"la_code": "990", "period": "2023-24 M07", "indicator": "cla_starts",
                          "breakdown": ["all", *(["age_band"] * 4)], "group": ["all", *groups],
                          "numerator": [16.0, *groups.values()], "denominator": None,
                          "value": [16.0, *groups.values()]}, schema_overrides={"denominator": pl.Float64})
    earlier = pl.DataFrame({"report": "2024-25 M06", "la_code": "990", "period": "2023-24 M07",
                            "indicator": "cla_starts", "breakdown": "all", "group": "all", "shown": True}, height=1)
    out = suppress(frame, T, earlier=earlier)
    assert out["suppression"].to_list() == [None, "dropped", "dropped", "dropped", "dropped"]


def test_a_page_that_did_not_name_a_figure_leaves_its_reader_knowing_nothing_of_it():
    """The ledger writes down what a page showed (true), named in words (false), and did not name at all
    (null): later packs withhold all but the first, and only the second tells a reader a figure's class."""
    from perfkit.pipeline.ledger import published
    from perfkit.present.disclosure import never_named

    measures = pl.DataFrame({"la_code": "990", "period": PERIOD, "indicator": ["contacts", "referrals", "cla_starts"],
                             "breakdown": "all", "group": "all"})
    page = ('<table class="pk-table"><caption>c</caption><thead><tr><th>Indicator</th><th>2024-25 M07</th></tr>'
            '</thead><tbody><tr><td>Contacts</td><td>120</td></tr><tr><td>Referrals</td><td>withheld</td></tr>'
            '</tbody></table>')
    rows = published(page, PERIOD, measures)
    assert dict(zip(rows["indicator"], rows["shown"])) == {"contacts": True, "referrals": False, "cla_starts": None}
    assert never_named(rows) == {("990", PERIOD, "cla_starts", "all", "all")}


def test_the_monthly_report_reads_as_a_month(monthly_pack):
    _, folder, html = monthly_pack
    assert folder.name == "2024-25-M07"
    text = _text(html)
    assert "Month 1 October 2024 to 31 October 2024" in text
    assert "Previous month (2024-25 M06)" in text and "Same month last year (2023-24 M07)" in text
    assert "Month by month" not in text  # its trend is months already
    assert "each month alone, annualised" in text and "each quarter alone" not in text
    assert "Each month alone, annualised" in text  # the glossary says what that is
    for words in ("trend by quarter", "breakdowns this quarter", "Previous quarter", "the latest quarter",
                  "same quarter last year", "in some quarters"):
        assert words not in text, words
    trends = [s for s in _specs(html) if s.get("title", {}).get("text", "").endswith("trend by month")]
    assert len(trends) == len({i.family for i in CATALOGUE.indicators})
    contacts = [r for s in trends for r in s["data"]["values"] if r["title"] == "Contacts"]
    assert [r["period"] for r in contacts] == [m.label for m in Month.parse(PERIOD).series(24)]
    assert [r["period"] for r in contacts if r.get("is_year_earlier")] == ["2023-24 M07"]


def test_the_monthly_report_shows_the_months_own_figures(monthly_pack):
    """Every figure the page shows for October is the engine's for October (counts of the month's events, a
    stock at its end, a rolling year to its end), and each month alone of a 12-month figure is that month's."""
    from perfkit.config import paths
    from perfkit.indicators.engine import compute
    from perfkit.present.disclosure_audit import parse_number, read_page
    from perfkit.present.formatting import format_value
    from perfkit.records.loading import load_dataset

    _, _, html = monthly_pack
    data = load_dataset(paths.default_data_dir(), authorities=["990"])
    october = Month.parse(PERIOD)
    truth = compute(data, [october, october.previous(), Window(october, "alone")], ["990"], breakdowns=False)
    truth = {(r["period"], r["indicator"]): r for r in truth.iter_rows(named=True)}
    shown, _ = read_page(html, PERIOD)
    checked = set()
    for figure in shown:
        key = (figure.period, figure.indicator)
        if figure.breakdown != "all" or figure.of != "value" or key not in truth or parse_number(figure.text) is None:
            continue  # a group, a count beside a figure, another month, or words ("fewer than 5")
        assert figure.text == format_value(truth[key]["value"], CATALOGUE[figure.indicator]), (key, figure.text)
        checked.add(key)
    assert ("2024-25 M07", "contacts") in checked and ("2024-25 M07 1M", "referral_rate") in checked
    assert ("2024-25 M07", "cla_rate") in checked and ("2024-25 M06", "referrals") in checked
    assert len({k for k in checked if k[0] == PERIOD}) >= 40, len(checked)


def test_a_trajectory_is_drawn_forward_month_by_month(monthly_pack):
    _, _, html = monthly_pack
    rows = [r for s in _specs(html) for r in s.get("data", {}).get("values", []) if r.get("title") == "Agency social workers"]
    by_period = {r["period"]: r for r in rows}
    ahead = [p for p in by_period if Month.parse(p).index > Month.parse(PERIOD).index]
    assert ahead[0] == "2024-25 M08" and ahead[-1] == "2025-26 M12" and len(ahead) == 17
    assert by_period["2024-25 M12"]["target"] == 17.0 and by_period["2025-26 M12"]["target"] == 10.0
    assert by_period["2025-26 M06"]["target"] == pytest.approx(13.5)
    assert "target" not in by_period[PERIOD]  # the path begins at 2024-25 Q4, after October


def test_consecutive_monthly_packs_bind_each_other(monthly_pack):
    """October's pack is made after September's in the same folder: what September showed is known, what it
    withheld stays withheld; the ledger holds both, and is read again from the pages if it is lost."""
    from perfkit.pipeline.ledger import earlier, ledger_path, recorded

    out, _, html = monthly_pack
    rows = recorded(out, "990")
    assert set(rows["report"].unique().to_list()) == {"2024-25 M06", PERIOD}
    september = rows.filter(pl.col("report") == "2024-25 M06")
    withheld = september.filter(pl.col("shown") == False)  # noqa: E712 - a null is not named
    from perfkit.present.disclosure_audit import parse_number, read_page

    on_page = {(f.period, f.indicator, f.breakdown, f.group) for f in read_page(html, PERIOD)[0]
               if parse_number(f.text) is not None and f.of == "value"}
    again = {(r["period"], r["indicator"], r["breakdown"], r["group"]) for r in withheld.iter_rows(named=True)}
    assert withheld.height and not (again & on_page), sorted(again & on_page)[:3]
    ledger_path(out, "990").unlink()  # lost: the pages are read again, month folders too
    read_again = earlier(out, "990")
    assert set(read_again["report"].unique().to_list()) == {"2024-25 M06", PERIOD}


def test_a_quarterly_report_is_refused_in_a_folder_of_monthly_ones(monthly_pack):
    """A quarter is its three months, but checking a quarter against every monthly pack's months took over 15
    minutes an authority: the report is refused, naming the packs and what to do, and nothing is written."""
    from perfkit.pipeline.batch import run_batch

    out, _, _ = monthly_pack
    folder, outcomes = run_batch("2024-25 Q2", out_dir=out, workers=1, authorities=["990"], progress=False)
    (outcome,) = outcomes
    assert not outcome.ok and "the earlier reports in this folder are monthly (2024-25 M06 to 2024-25 M07)" in outcome.error
    assert "make quarterly reports into a folder of their own" in outcome.error
    assert not (folder / "990.html").exists()


def test_the_monthly_report_prints_in_at_most_twelve_pages(monthly_pack):
    """24 months a chart, on A4: the same at most 12 pages as a quarter's report."""
    import os

    from helpers import chromium_path

    from perfkit.pipeline.printing import MAX_PAGES, print_pdf

    browser = chromium_path()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: the README lists Debian's chromium as a prerequisite")
        pytest.skip("chromium not found: install Debian's chromium package to print the reports")
    _, folder, _ = monthly_pack
    printed = print_pdf(folder / "990.html", str(browser))
    assert not printed.error and 1 <= printed.pages <= MAX_PAGES, (printed.error, printed.pages)
