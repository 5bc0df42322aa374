"""Accessibility of what members and officers open: axe-core (WCAG 2.2 AA) in a real browser.

Councils must publish accessible documents (the Public Sector Bodies Accessibility Regulations, WCAG 2.2
AA). axe-core, from the npm registry (``make axe`` puts the pinned version in ``.venv/node_modules``), is
run inside each finished page in Debian's chromium: the member report, the batch's index page and the
benchmark report. No serious or critical violation is allowed. Where npm or axe-core is missing the tests
are skipped with the reason, except in CI, where they fail.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from helpers import needs_published

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
"""The rules of WCAG 2.0, 2.1 and 2.2 at levels A and AA."""
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="session")
def axe_source() -> str:
    script = Path(sys.prefix) / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file():
        reason = f"axe-core is not installed in {script.parent}: `make axe` installs it with npm (a prerequisite)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return script.read_text(encoding="utf-8")


def violations(browser, page_path: Path, axe_source: str) -> list[dict]:
    """axe-core's violations of WCAG 2.2 AA in the page, once every chart is drawn."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(page_path.as_uri())
    charts = page.locator(".pk-chart").count()
    if charts:
        page.wait_for_function(f"document.querySelectorAll('.pk-chart svg').length >= {charts}", timeout=30_000)
        page.wait_for_timeout(200)  # the hiding of each drawing's marks runs just after it is drawn
    page.add_script_tag(content=axe_source)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    page.close()
    return result["violations"]


def _described(found: list[dict]) -> list[str]:
    return [f"{v['impact']} {v['id']} ({len(v['nodes'])}): {v['help']}; first at {v['nodes'][0]['target']}"
            for v in found]


@pytest.fixture(scope="module")
def batch_pages(tmp_path_factory) -> dict[str, Path]:
    """990's member page and its index, made by ``perfkit report --authority 990`` (the batch for one
    authority) on the embedded data."""
    from perfkit.cli import main

    out = tmp_path_factory.mktemp("accessible")
    assert main(["report", "--authority", "990", "--out", str(out)]) == 0
    (page,) = list(out.glob("*/990.html"))
    assert (out / ".published" / "990.parquet").exists()  # recorded as published, as the batch records it
    return {"report": page, "index": page.parent / "index.html"}


@pytest.mark.parametrize("which", ["report", "index"])
def test_the_member_report_and_its_index_have_no_serious_accessibility_violation(browser, axe_source, batch_pages, which):
    found = violations(browser, batch_pages[which], axe_source)
    blocking = [v for v in found if v["impact"] in BLOCKING]
    assert blocking == [], _described(blocking)


def test_each_chart_is_one_labelled_image_with_its_table_beside_it(browser, batch_pages):
    """A chart's drawing is hidden from screen readers; the figure's label and its table speak for it."""
    page = browser.new_page()
    page.goto(batch_pages["report"].as_uri())
    charts = page.locator(".pk-chart")
    count = charts.count()
    assert count >= 10
    page.wait_for_function(f"document.querySelectorAll('.pk-chart svg[aria-hidden=true]').length >= {count}",
                           timeout=30_000)
    for index in range(count):
        chart = charts.nth(index)
        assert chart.get_attribute("role") in ("img", "graphics-document")  # vega-embed names it a document
        assert len(chart.get_attribute("aria-label") or "") > 40, f"chart {index} has no description"
        figure = page.locator("figure.pk-chart-figure").nth(index)
        assert figure.locator("details.pk-chart-table table caption").count() == 1, f"chart {index} has no table"
    page.close()


@needs_published()
def test_the_benchmark_report_has_no_serious_accessibility_violation(browser, axe_source, tmp_path):
    from perfkit.cli import main

    assert main(["batch", "--benchmark", "--authority", "886", "--out", str(tmp_path), "--workers", "1"]) == 0
    (page,) = [p for p in tmp_path.glob("*/886.html")]
    blocking = [v for v in violations(browser, page, axe_source) if v["impact"] in BLOCKING]
    assert blocking == [], _described(blocking)
