"""The member page's borrowed JupyterLab styles, cut to what it uses, draw it exactly as the whole set did.

nbconvert's ``lab`` template inlines some 255 kB of JupyterLab styles into
every page; :mod:`perfkit.present.page_styles` keeps what the page uses. The
proof is the page itself: drawn in Chromium with the whole set and with the
cut set, on screen and as printed, the pixels are the same.
"""

from __future__ import annotations

import nbformat
import pytest

from perfkit.config import paths
from perfkit.present.htmlexport import member_html, rendered_page
from perfkit.present.page_styles import OWN_STYLES_ID, page_classes, rules_that_match


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The stored 990 report as nbconvert renders it (every borrowed style) and as members get it."""
    executed = nbformat.read(paths.project_root() / "tests" / "notebooks" / "authority_report.ipynb", as_version=4)
    folder = tmp_path_factory.mktemp("styles")
    whole, cut = folder / "whole.html", folder / "cut.html"
    whole.write_text(rendered_page(executed), encoding="utf-8")
    cut.write_text(member_html(executed), encoding="utf-8")
    return whole, cut


def _drawn(browser, page_file, media: str) -> bytes:
    page = browser.new_page(viewport={"width": 1100, "height": 1400})
    page.emulate_media(media=media)
    page.goto(page_file.as_uri())
    page.wait_for_function("document.querySelectorAll('.pk-chart').length > 0 && "
                           "document.querySelectorAll('.pk-chart').length === document.querySelectorAll('.pk-chart svg').length",
                           timeout=30_000)
    page.wait_for_timeout(300)
    png = page.screenshot(full_page=True)
    page.close()
    return png


@pytest.mark.parametrize("media", ["screen", "print"])
def test_the_cut_styles_draw_the_page_exactly_as_the_whole_set(browser, pages, media):
    whole, cut = pages
    assert _drawn(browser, cut, media) == _drawn(browser, whole, media), (
        f"the member page is drawn differently ({media}) once the borrowed styles are cut: a rule or property it "
        "uses was dropped")


def test_the_cut_saves_most_of_the_borrowed_styles_and_keeps_the_reports_own(pages):
    whole, cut = pages
    whole_text, cut_text = whole.read_text(encoding="utf-8"), cut.read_text(encoding="utf-8")
    saved = len(whole_text) - len(cut_text)
    assert saved > 200_000, f"only {saved:,} characters saved"
    own = (paths.project_root() / "perfkit" / "present" / "templates" / "report.css").read_text(encoding="utf-8")
    assert f'<style type="text/css" id="{OWN_STYLES_ID}">{own}</style>' in cut_text
    assert "--jp-icon-add-above" in whole_text and "--jp-icon-add-above" not in cut_text  # an icon no page shows
    assert ".jp-RenderedHTMLCommon table" in cut_text  # the tables' JupyterLab look is kept
    assert page_classes(cut_text) == page_classes(whole_text)


def test_a_rule_goes_only_when_no_element_can_match_it():
    css = (".jp-Cell:not(.jp-mod-active) { a: 1 }\n.jp-Toolbar, .jp-Cell { b: 2 }\n:is(.x, .jp-Cell) { c: 3 }\n"
           ".jp-Toolbar .jp-Cell { d: 4 }\n@media print { .jp-Toolbar { e: 5 } }\n@media print { .jp-Cell { f: 6 } }")
    kept = rules_that_match(css, frozenset({"jp-Cell"}))
    assert kept == (".jp-Cell:not(.jp-mod-active) { a: 1 }\n.jp-Toolbar, .jp-Cell { b: 2 }\n:is(.x, .jp-Cell) { c: 3 }\n"
                    "@media print {.jp-Cell { f: 6 }}")
