"""The report on paper: ``perfkit batch --pdf`` prints every authority's report to A4 in Chromium, and the
PDF is read back.

Members read the agenda pack printed or as a PDF, where nothing can be clicked: the report must print in
at most 12 pages, open with its one-page scorecard, draw its charts, and print every breakdown in full
(the screen's "Show:" menu cannot work on paper).
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest
from helpers import chromium_path

pypdf = pytest.importorskip("pypdf")


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """Each authority's member page and its PDF, from one batch with ``--pdf`` on the embedded data."""
    if chromium_path() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: the README lists Debian's chromium as a prerequisite")
        pytest.skip("chromium not found: install Debian's chromium package to print the reports")
    from perfkit.cli import main

    out = tmp_path_factory.mktemp("printed")
    assert main(["batch", "--out", str(out), "--workers", "2", "--pdf"]) == 0
    pages = sorted(out.glob("*/[0-9][0-9][0-9].html"))
    assert len(pages) == 4
    return {page.stem: (page, page.with_suffix(".pdf")) for page in pages}


def _text(pdf: Path) -> list[str]:
    """Each page's text, ligatures ("ﬀ") spelt out."""
    return [" ".join(unicodedata.normalize("NFKC", page.extract_text() or "").split())
            for page in pypdf.PdfReader(pdf).pages]


def test_every_report_prints_in_at_most_twelve_a4_pages(printed):
    from perfkit.pipeline.printing import MAX_PAGES, page_count

    for authority, (_, pdf) in printed.items():
        reader = pypdf.PdfReader(pdf)
        assert 1 <= len(reader.pages) <= MAX_PAGES, f"{authority}: {len(reader.pages)} pages"
        assert page_count(pdf.read_bytes()) == len(reader.pages)  # what the batch says is what was printed
        for page in reader.pages:  # A4 portrait: 210 x 297 mm in points
            assert float(page.mediabox.width) == pytest.approx(595.3, abs=1.5)
            assert float(page.mediabox.height) == pytest.approx(841.9, abs=1.5)


def test_the_scorecard_is_the_first_page_and_holds_every_indicator(printed):
    from bs4 import BeautifulSoup

    for authority, (html, pdf) in printed.items():
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        titles = [tr.find("td").get_text() for tr in soup.select("table.pk-scorecard tbody tr")]
        first = _text(pdf)[0]
        assert first.startswith(soup.find("h1").get_text().rstrip("¶")[:30]), authority
        assert "Scorecard" in first and len(titles) >= 40
        squeezed = first.replace(" ", "")
        for title in titles:  # every indicator's line on page 1 (text may wrap, so compared without spaces)
            assert title.replace(" ", "") in squeezed, f"{authority}: {title} is not on the first page"
        assert "Summary" not in first.split("Key to the icons")[0]


def test_every_breakdown_prints_in_full_and_no_menu_does(printed):
    """Each group's figure in the page's breakdown data is printed in a table on paper."""
    from bs4 import BeautifulSoup

    html, pdf = printed["990"]
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    text = " ".join(_text(pdf))
    assert "Show:" not in text  # the screen's menu is not printed
    tables = soup.select(".pk-breakdowns table.pk-table")
    assert len(tables) >= 25
    squeezed = text.replace(" ", "")
    for table in tables:
        for tr in table.select("tbody tr"):
            cells = [td.get_text() for td in tr.find_all("td")]
            line = "".join(c for c in cells if c).replace(" ", "")
            assert line in squeezed, f"{table.caption.get_text()}: row {cells} is not printed whole"
    # and the screen's breakdowns are the same figures: the chart's table has every printed cell
    long_form = {(tr.find_all("td")[0].get_text(), tr.find_all("td")[1].get_text()): tr.find_all("td")[2].get_text()
                 for details in soup.select("details.pk-chart-table")
                 for tr in details.select("tbody tr") if len(tr.find_all("td")) == 3}
    # a rate's groups are counts: on paper a bare number under what it counts, on screen "31 children looked after"
    from perfkit.indicators.catalogue import load_catalogue
    from perfkit.present.formatting import count_heading

    counted = {count_heading(i): i for i in load_catalogue().indicators if i.unit == "rate_per_10k"}
    # a group a year earlier: on paper a column beside this quarter's, on screen a table of its own
    screen_years = {}
    for table in soup.select(".pk-screen-only table.pk-table"):
        groups = [th.get_text() for th in table.select("thead th")]
        for tr in table.select("tbody tr"):
            cells = [td.get_text() for td in tr.find_all("td")]
            screen_years.update({(groups[0], group, cells[0]): cell for group, cell in zip(groups[1:], cells[1:])})
    printed_cells = as_counts = year_cells = 0
    for table in tables:
        headers = [th.get_text() for th in table.select("thead th")]
        by = headers[0].removeprefix("By ")
        for tr in table.select("tbody tr"):
            cells = [td.get_text() for td in tr.find_all("td")]
            for title, cell in zip(headers[1:], cells[1:]):
                if year := re.fullmatch(r"(.+), (\d{4}-\d{2} Q[1-4])", title):
                    assert year[2] == "2023-24 Q4"
                    if cell:
                        assert screen_years[(f"{year[1]} by {by}", cells[0], year[2])] == cell
                        year_cells += 1
                    continue
                if cell and title in counted:
                    rate = counted[title]
                    assert long_form[(f"{rate.title} by {by}", cells[0])] in (cell, f"{cell} {rate.noun}")
                    as_counts += cell[:1].isdigit()
                    printed_cells += 1
                elif cell:
                    assert long_form[(f"{title} by {by}", cells[0])] == cell
                    printed_cells += 1
    assert as_counts >= 20  # children in need, on a plan and looked after, by district, sex, age band ...
    # referrals by source, children starting to be looked after by age band, children missing by sex
    assert year_cells == sum(1 for (_, _, quarter) in screen_years if quarter == "2023-24 Q4") >= 3 + 5 + 2
    assert printed_cells == sum(1 for v in long_form.values() if v) - sum(
        1 for (choice, group) in long_form if group == "All groups")


def test_every_trend_chart_is_drawn_on_paper(printed):
    """Chromium ran the page's charts before printing: each family's chart title is in the PDF."""
    from bs4 import BeautifulSoup

    html, pdf = printed["990"]
    text = " ".join(_text(pdf))
    families = [h.get_text().rstrip("¶") for h in BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser").find_all("h2")]
    drawn = re.findall(r"([A-Z][a-z ,]+): trend by quarter", text)
    expected = [f for f in families if f not in ("Summary", "Month by month", "Data quality", "Words used in this report")
                and not f.startswith("How we compare")]
    assert [d.strip() for d in drawn] == expected
    assert text.count("2023-24") >= 40  # the quarters' axis under every panel


def test_a_report_written_without_pdf_leaves_no_pdf_of_an_earlier_run(tmp_path):
    from perfkit.pipeline.printing import print_reports, remove_stale

    page = tmp_path / "990.html"
    pdf = tmp_path / "990.pdf"
    pdf.write_bytes(b"%PDF-1.4 an earlier report")
    os.utime(pdf, (1_000_000, 1_000_000))
    page.write_text("<html><body>new</body></html>", encoding="utf-8")
    assert remove_stale([page]) == [pdf] and not pdf.exists()
    pdf.write_bytes(b"%PDF-1.4 an earlier report")
    os.utime(pdf, (1_000_000, 1_000_000))
    (result,) = print_reports([page], browser=str(tmp_path / "no-such-browser"))
    assert result.pdf is None and "could not be started" in result.error and "earlier report" in result.error
    assert not pdf.exists()


def test_without_chromium_the_batch_says_so_and_fails_no_report(tmp_path, monkeypatch, capsys):
    from perfkit.cli import main

    monkeypatch.setenv("PERFKIT_CHROMIUM", str(tmp_path / "absent"))
    assert main(["batch", "--authority", "993", "--out", str(tmp_path), "--workers", "1", "--pdf"]) == 0
    said = capsys.readouterr()
    assert "993: no PDF written: headless Chromium was not found" in said.err
    assert list(tmp_path.glob("*/993.html")) and not list(tmp_path.glob("*/993.pdf"))
