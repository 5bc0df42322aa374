"""The member report's published comparison: band, rank and change of the authority's latest published figures,
exactly as the benchmark report gives them, and the statistical neighbours named in a note.

The tests of a finished report need the published files in ../shared (as the benchmark report's do); the
tests of the words, the escaping and the saved aggregates do not.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest

from perfkit.config import paths
from perfkit.indicators.catalogue import load_catalogue
from perfkit.indicators.periods import Period
from perfkit.present.formatting import format_number
from perfkit.present.narrative import BenchmarkSource, Benchmarks

CATALOGUE = load_catalogue()
COMPARISON = "How we compare (published data, "
needs_published = pytest.mark.skipif(not paths.published_dfe_dir().exists(),
                                     reason=f"published DfE files not found at {paths.published_dfe_dir()}")


def _tables(html: str) -> dict[str, tuple[list[str], list[list[str]], object]]:
    """Every table of a page by caption: header cells, body cells as members read them, and the table node."""
    from bs4 import BeautifulSoup

    found = {}
    for table in BeautifulSoup(html, "html.parser").find_all("table"):
        caption = " ".join(table.caption.get_text(" ").split()) if table.caption else ""
        headers = [" ".join(th.get_text(" ").split()) for th in table.select("thead th")]
        rows = [[" ".join(td.get_text(" ").split()) for td in tr.find_all("td")] for tr in table.select("tbody tr")]
        found[caption] = (headers, rows, table)
    return found


def _comparison(html: str):
    (caption, (headers, rows, table)), = [(c, t) for c, t in _tables(html).items() if c.startswith(COMPARISON)]
    return caption, headers, rows, table


@pytest.fixture(scope="module")
def northmoor(tmp_path_factory):
    """990 (Northmoor, which borrows Devon 878's benchmarks) for its latest quarter, made and audited by the batch."""
    from perfkit.pipeline.batch import run_batch

    if not paths.published_dfe_dir().exists():
        pytest.skip(f"published DfE files not found at {paths.published_dfe_dir()}")
    folder, outcomes = run_batch(None, out_dir=tmp_path_factory.mktemp("reports"), workers=1, authorities=["990"],
                                 progress=False)
    # the batch publishes a member report only once the disclosure audit has read back every table on it
    assert [(o.authority, o.ok) for o in outcomes] == [("990", True)], [o.error for o in outcomes]
    period = Period.parse(folder.name.replace("-Q", " Q"))
    return period, (folder / "990.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def published():
    from perfkit.published.data import PublishedData

    return PublishedData.remembered()


@needs_published
def test_band_rank_and_change_are_those_of_the_benchmark_report(northmoor, published):
    from perfkit.present.benchmark_report import build_benchmark_report
    from perfkit.published.benchmarks import benchmark_table

    period, html = northmoor
    caption, headers, rows, table = _comparison(html)
    year = int(re.match(r"How we compare \(published data, (\d{4})\)", caption).group(1))
    assert year in (period.fy_start + 1, period.fy_start) and "Devon (878)" in caption
    assert headers == ["Indicator", "Better is", "Figure for Devon (latest published)",
                       "Quartile band, A best (latest published)", "Rank, 1st best (latest published)",
                       f"Change on {year - 1} (latest published)"]
    assert [th.get("scope") for th in table.select("thead th")] == ["col"] * len(headers)
    report = build_benchmark_report("878", year, published=published).table
    direct = benchmark_table("878", year)
    assert report.select("indicator", "breakdown", "band", "rank", "ranked").sort("indicator", "breakdown").equals(
        direct.select("indicator", "breakdown", "band", "rank", "ranked").sort("indicator", "breakdown"))
    # the whole authority's figure by the indicator's title; a published group's (care leavers by age) after it
    # a measure published a year behind (EHC plans, by calendar year) says which year it is
    by_title = {(r["title"] if r["breakdown"] == "all" else f"{r['title']}, {r['breakdown']}")
                + ("" if r["year"] == year else f" ({r['year']}, the latest published)"): r
                for r in report.iter_rows(named=True)}
    headline = [row for headers, rows, node in _tables(html).values() if "pk-family" in node["class"] for row in rows]
    published_titles = [t for t, r in by_title.items()
                        if any(r[k] is not None for k in ("value", "england", "region", "sn_mean"))]
    expected = [t for title in (row[0] for row in headline) for t in published_titles
                if t == title or t.startswith((f"{title}, ", f"{title} ("))]
    assert [row[0] for row in rows] == expected
    assert "Care leavers in education, employment or training, 19 to 21 years" in expected
    polarities = set()
    for title, better, figure, band, rank, change in rows:
        r = by_title[title]
        polarities.add(r["polarity"])
        d = int(r["decimals"])
        indicator = CATALOGUE[r["indicator"]]
        assert better == {"high_is_good": "Higher", "low_is_good": "Lower", "none": "Neither"}[r["polarity"]]
        assert figure == format_number(r["value"], d) + indicator.unit_suffix
        if r["polarity"] == "none":
            assert r["band"] is None and r["rank"] is None
            assert band == "No band (neither is better)"
            assert rank == "Not ranked (neither is better)"
        else:
            assert band[:2] == f"{r['band']}:"
            assert band.startswith({"A": "A: best", "B": "B: second-best", "C": "C: second-worst", "D": "D: worst"}[r["band"]])
            number, ranked = re.fullmatch(r"(\d+)(?:st|nd|rd|th) of (\d+)", rank).groups()
            assert (int(number), int(ranked)) == (r["rank"], r["ranked"])
        if r["change"] == 0:
            assert change.startswith("No change from ")
        else:
            assert change.startswith("Up " if r["change"] > 0 else "Down ")
            assert format_number(abs(r["change"]), d) in change
            assert f"from {format_number(r['previous'], d)}{indicator.unit_suffix}" in change
        verdict = re.findall(r"\((better|worse)\)$", change)
        assert verdict == ([r["direction"]] if r["direction"] in ("better", "worse") else [])
    assert {"none", "low_is_good", "high_is_good"} <= polarities


@needs_published
def test_the_note_names_the_neighbours_and_the_published_year(northmoor, published):
    from bs4 import BeautifulSoup

    _, html = northmoor
    caption, _, _, table = _comparison(html)
    year = re.search(r"(\d{4})", caption).group(1)
    codes = published.neighbours["878"]
    names = dict(published.values.filter(pl.col("la_code").is_in(codes)).sort("year", "la_name")
                 .select("la_code", "la_name").iter_rows())
    assert len(codes) == 10
    note = " ".join(table.find_next("p").get_text(" ").split())
    assert note.startswith("Note. Published figures are DfE's for " + year)
    listed = re.search(r"statistical-neighbour model: (.+?)\.", note).group(1)
    assert listed == ", ".join(names[c] for c in codes[:-1]) + " and " + names[codes[-1]]
    intro = " ".join(table.find_previous("p").get_text(" ").split())
    assert "not this quarter's" in intro and "Northmoor takes its published comparisons from Devon (878)" in intro
    headings = [h.get_text(" ").strip() for h in BeautifulSoup(html, "html.parser").find_all("h2")]
    assert f"{COMPARISON}{year})" in [h.rstrip("¶").strip() for h in headings]


@needs_published
def test_each_familys_table_keeps_its_width(northmoor):
    period, html = northmoor
    families = [headers for headers, rows, node in _tables(html).values() if "pk-family" in node["class"]]
    compared = [headers for headers in families if len(headers) > 10]  # a family with a published figure
    assert len(families) == 8 and len(compared) >= 6 and all(headers == compared[0] for headers in compared)
    assert all(headers == compared[0][:10] for headers in families if len(headers) <= 10)
    headers = compared[0]
    assert len(headers) == 13 and sum(h.endswith("(latest published)") for h in headers) == 3
    assert headers[2] == "Number"  # how many children the figure is counted from (#19)
    assert headers[3:5] == ["Variation", "Assurance"]  # the Making Data Count icons beside the figure (#20)


@needs_published
def test_the_disclosure_audit_reads_the_comparison_table(northmoor):
    """The finished page passes the audit, and the audit does read the new table: a column it cannot place fails."""
    from perfkit.pipeline.aggregates import compute_aggregates
    from perfkit.present.disclosure_audit import audit_page
    from perfkit.records.loading import load_dataset

    period, html = northmoor
    figures = compute_aggregates(load_dataset(paths.default_data_dir(), authorities=["990"]), "990", period)
    assert audit_page(html, figures.measures, figures.quality, period.label) == []
    planted = html.replace("<th scope=\"col\">Rank, 1st best (latest published)</th>", "<th scope=\"col\">Rank</th>", 1)
    assert planted != html
    assert [f.problem for f in audit_page(planted, figures.measures, figures.quality, period.label)] == [
        "a column the audit does not know holds a number"]


@needs_published
def test_neighbours_left_out_of_the_mean_are_those_benchmark_rows_leaves_out(published):
    from perfkit.pipeline.aggregates import published_benchmarks

    found, _, source = published_benchmarks("201", Period.parse("2024-25 Q1"), published)  # City of London
    assert len(source.neighbours) == 10 and source.la_code == "201"
    assert any(b.neighbours_missing for b in found.values())
    for b in found.values():
        assert b.neighbours_used == len(source.neighbours) - len(b.neighbours_missing)
        assert set(b.neighbours_missing) <= set(source.neighbours)


# -- without the published files ----------------------------------------------------------------------------------
def _report(benchmarks: dict[str, Benchmarks], source: BenchmarkSource, name: str = "Northmoor"):
    from perfkit.present.authority_report import AuthorityReport

    period = Period.parse("2024-25 Q4")
    measures = pl.DataFrame({"indicator": list(benchmarks), "period": [period.label] * len(benchmarks),
                             "breakdown": ["all"] * len(benchmarks), "group": ["all"] * len(benchmarks),
                             "value": [20.0] * len(benchmarks), "suppressed": [False] * len(benchmarks)})
    return AuthorityReport("990", name, period, "members", dt.date(2025, 3, 31), measures, {}, pl.DataFrame(),
                           benchmarks=benchmarks, benchmark_source=source, catalogue=CATALOGUE)


def test_text_from_the_published_files_is_escaped():
    hostile = "Zed <img src=x onerror=alert(1)> [z](javascript:alert(2))"
    report = _report(
        {"rereferral_pct": Benchmarks("2025", 22.6, 20.0, 9, 22.1, "South West", value=19.7, decimals=1, band="B",
                                      rank=69, ranked=153, previous=21.9, change=-2.2, direction="better",
                                      neighbours_missing=(hostile,), note="<b>merged</b>")},
        BenchmarkSource("2025", "878", hostile, (hostile, "Dorset")), name="North <moor>")
    table = report.comparison_table().html()
    assert "<img" not in table and "&lt;img src=x" in table
    for markdown in (report.comparison_intro(), report.comparison_note()):
        assert "<img" not in markdown and "<b>" not in markdown and "<moor>" not in markdown
        assert "](" not in markdown.replace("\\](", "")  # no link can form
    assert "&lt;b&gt;merged&lt;/b&gt;" in report.comparison_note()


def test_polarity_none_takes_no_band_or_rank_and_missing_figures_say_so():
    report = _report(
        {"referral_rate": Benchmarks("2025", 519.4, 434.9, 10, 466.4, "South West", value=384.7, decimals=1,
                                     previous=394.5, change=-9.8),
         "rereferral_pct": Benchmarks("2025", 22.6, 20.0, 10, 22.1, "South West", marker="x", decimals=1),
         "ehcp_20wk_pct": Benchmarks("2025")},
        BenchmarkSource("2025", "990", "Northmoor", ()))
    rows = [[c.text for c in row] for row in report.comparison_table().rows]
    assert [r[0] for r in rows] == [CATALOGUE["referral_rate"].title, CATALOGUE["rereferral_pct"].title]
    assert rows[0][2:] == ["384.7 per 10,000", "No band (neither is better)",
                           "Not ranked (neither is better)", "Down 9.8 per 10,000 from 394.5 per 10,000"]
    assert rows[1][2:] == ["not published (x)", "No band (no published figure)", "Not ranked (no published figure)", ""]
    assert "Nothing is published yet for 2025 for" in report.comparison_note()
    assert "takes its published comparisons" not in report.comparison_intro()  # its own figures


def test_no_comparison_without_published_figures():
    report = _report({}, BenchmarkSource())
    assert report.comparison_table() is None


def test_saved_aggregates_keep_band_rank_change_and_neighbours(tmp_path):
    from perfkit.config.settings import AuthoritySettings
    from perfkit.pipeline.aggregates import Aggregates, load_aggregates, save_aggregates

    benchmarks = {"rereferral_pct": Benchmarks("2025", 22.6, 20.0, 9, 22.1, "South West", value=19.7, decimals=1,
                                               band="B", rank=69, ranked=153, previous=21.9, change=-2.2,
                                               direction="better", neighbours_missing=("Dorset",))}
    source = BenchmarkSource("2025", "878", "Devon", ("East Sussex", "Dorset"))
    frame = pl.DataFrame({"la_code": ["990"], "value": [1.0]})
    settings = AuthoritySettings("990", "Northmoor", "members", "878", None, (), None, "test")
    saved = Aggregates(Period.parse("2024-25 Q4"), dt.date(2025, 3, 31), frame, frame, benchmarks, "a note", settings,
                       source)
    loaded = load_aggregates(save_aggregates({"990": saved}, tmp_path), "990")
    assert loaded.benchmarks == benchmarks and loaded.benchmark_source == source
