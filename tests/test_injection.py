"""Hostile text in parameters and data reaches the member report as text, never as markup or script.

An authority name with an ``onerror`` image and a ``javascript:`` link, and a
district name holding a script tag, go through a real batch; the report is
opened in Chromium (network blocked): no dialog fires, every chart draws, and
the words are shown as written.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from helpers import LOCAL_SCHEMES

from perfkit.config import paths

HOSTILE_NAME = "Zed <img src=x onerror=alert(6)> [z](javascript:alert(7)) *bold* # \"quoted\" 'single'"
HOSTILE_DISTRICT = "Ashby<script>alert(8)</script><img src=y onerror=alert(9)>"


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("hostile-home")
    (home / "notebooks").symlink_to(paths.notebooks_dir())
    (home / "parameters" / "authorities").mkdir(parents=True)
    for name in ("targets.yaml", "disclosure.yaml"):
        (home / "parameters" / name).write_text((paths.parameters_dir() / name).read_text())
    (home / "parameters" / "authorities" / "990.yaml").write_text(
        "authority: '990'\nname: " + json.dumps(HOSTILE_NAME) + "\naudience: members\n"
        "data_as_at: 2025-03-31\n", encoding="utf-8")
    (home / "pyproject.toml").write_text("")
    data = home / "data"
    data.mkdir()
    for source in paths.default_data_dir().glob("*.parquet"):
        table = pl.read_parquet(source)
        for column in ("district", "placement_district"):
            if column in table.columns:
                table = table.with_columns(pl.col(column).replace("Ashby", HOSTILE_DISTRICT))
        table.write_parquet(data / source.name)
    env = {**os.environ, "PERFKIT_HOME": str(home)}
    result = subprocess.run([sys.executable, "-m", "perfkit.cli", "batch", "--out", str(home / "reports"), "--workers", "1"],
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    pages = list((home / "reports").glob("*/990.html"))
    assert len(pages) == 1, result.stdout
    return pages[0]


def test_hostile_text_is_escaped_in_the_page_source(hostile_report):
    html = hostile_report.read_text(encoding="utf-8")
    body = html[html.find('class="jp-Notebook'):]
    assert "<img src=x" not in body and "<img src=y" not in body and "<script>alert" not in body
    assert 'href="javascript:' not in body


def test_no_script_runs_and_every_chart_draws_with_hostile_names(browser, hostile_report):  # noqa: F811
    context = browser.new_context(viewport={"width": 1100, "height": 1400})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(LOCAL_SCHEMES) else route.abort())
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(hostile_report.as_uri())
    count = page.locator(".pk-chart").count()
    assert count >= 10
    page.wait_for_function(f"document.querySelectorAll('.pk-chart svg').length >= {count}", timeout=30_000)
    page.wait_for_timeout(500)
    assert dialogs == [], f"script from parameters or data ran: {dialogs}"
    heading = page.locator("h1").inner_text()
    assert "Zed <img src=x onerror=alert(6)> [z](javascript:alert(7)) *bold*" in heading, heading
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("text=" + HOSTILE_DISTRICT).count() >= 1 or HOSTILE_DISTRICT in page.content().replace("&lt;", "<").replace("&gt;", ">")
    context.close()
