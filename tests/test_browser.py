"""The member report in a real browser (Debian's chromium, driven by Playwright), network blocked.

Chromium is a prerequisite of the full suite (the README says how to install
it). Where it is missing the test is skipped with the reason, except in CI,
where it fails.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from helpers import LOCAL_SCHEMES

from perfkit.config import paths
from perfkit.present.htmlexport import member_html


@pytest.fixture(scope="module")
def member_page(tmp_path_factory) -> Path:
    """The member HTML of the stored, executed report notebook (tests/notebooks/)."""
    executed = nbformat.read(paths.project_root() / "tests" / "notebooks" / "authority_report.ipynb", as_version=4)
    page = tmp_path_factory.mktemp("browser") / "990.html"
    page.write_text(member_html(executed), encoding="utf-8")
    return page


def test_report_opens_offline_draws_every_chart_and_the_select_works(browser, member_page):
    context = browser.new_context(viewport={"width": 1100, "height": 1400})
    external: list[str] = []

    def block(route):
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            external.append(url)
            route.abort()

    context.route("**/*", block)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(member_page.as_uri())
    charts = page.locator(".pk-chart")
    count = charts.count()
    assert count >= 10
    page.wait_for_function(f"document.querySelectorAll('.pk-chart svg').length >= {count}", timeout=30_000)
    for index in range(count):
        svg = charts.nth(index).locator("svg").first
        box = svg.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, f"chart {index} is empty"
        assert svg.locator("path, rect, line").count() > 5, f"chart {index} has drawn nothing"
    assert external == [], f"the report asked the network for {external}"
    assert errors == [], errors

    select = page.locator("select").first
    chart = page.locator(".pk-chart", has=page.locator("select")).first
    options = select.locator("option").all_inner_texts()
    assert len(options) >= 2
    before = chart.locator("svg").inner_html()
    select.select_option(index=1)
    page.wait_for_timeout(300)
    assert chart.locator("svg").inner_html() != before, "choosing another breakdown did not change the chart"

    screenshots = paths.reports_dir() / "screenshots"
    screenshots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshots / "authority_report_990.png"), full_page=True)
    assert (screenshots / "authority_report_990.png").stat().st_size > 50_000
    context.close()


def test_report_has_no_code_or_action_menu_and_headings_in_order(browser, member_page):
    page = browser.new_page()
    page.goto(member_page.as_uri())
    page.wait_for_function("document.querySelectorAll('.pk-chart svg').length > 0", timeout=30_000)
    assert page.locator(".jp-InputArea, .vega-actions, details.vega-embed").count() == 0
    levels = [int(tag[1]) for tag in page.eval_on_selector_all("h1, h2, h3, h4", "els => els.map(e => e.tagName)")]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels
    for index in range(page.locator(".pk-chart").count()):
        assert page.locator(".pk-chart").nth(index).get_attribute("aria-label")
    page.close()


def test_every_variation_and_assurance_icon_has_a_text_alternative_and_prints(browser, member_page):
    """Each Making Data Count icon is an image to assistive technology, named by its words; on paper it is
    drawn, in colour, without the network."""
    from perfkit.present.spc_icons import ASSURANCE_LABELS, VARIATION_LABELS

    page = browser.new_page()
    page.goto(member_page.as_uri())
    icons = page.locator("svg.pk-icon")
    count = icons.count()
    assert count >= 2 * 30
    names = page.eval_on_selector_all(
        "svg.pk-icon", "els => els.map(e => [e.getAttribute('role'), e.getAttribute('aria-label'), "
                       "e.querySelector('title') && e.querySelector('title').textContent])")
    for role, label, title in names:
        assert role == "img" and label and label == title
        assert label in VARIATION_LABELS | ASSURANCE_LABELS
    for label in {label for _, label, _ in names}:  # found by its accessible name, as a screen reader names it
        assert page.get_by_role("img", name=label, exact=True).count() >= 1, label
    scorecard = page.locator("table.pk-scorecard").locator("thead th").all_inner_texts()
    assert scorecard[2:5] == ["Number", "Trend", "Variation"]
    header = page.locator("table.pk-family").first.locator("thead th").all_inner_texts()
    assert header[2:5] == ["Number", "Variation", "Assurance"]
    page.emulate_media(media="print")
    box = icons.first.bounding_box()
    assert box and box["width"] > 10 and box["height"] > 10
    assert page.evaluate("getComputedStyle(document.querySelector('svg.pk-icon')).printColorAdjust") == "exact"
    page.close()
