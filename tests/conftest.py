"""Shared fixtures: a small synthetic dataset and hand-made tables."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from perfkit.synth import simulation as synth

SMALL_AUTHORITIES = synth.DEFAULT_AUTHORITIES[:2]


def pytest_configure(config):
    """Files that pass the contract (``perfkit.records.checkcache``), and the published figures
    (``perfkit.published.remembered``), are remembered in folders of this run's, not the user's
    cache: no test depends on what an earlier run remembered. Processes the tests start (the
    command line, notebooks) inherit them."""
    import os
    import tempfile

    os.environ["PERFKIT_CHECK_CACHE"] = tempfile.mkdtemp(prefix="perfkit-checks-")
    os.environ["PERFKIT_PUBLISHED_CACHE"] = tempfile.mkdtemp(prefix="perfkit-published-")


@pytest.fixture(scope="session")
def small_data(tmp_path_factory) -> Path:
    """A small synthetic dataset (two authorities, a tenth of the default size)."""
    out = tmp_path_factory.mktemp("small-data")
    synth.write_dataset(synth.generate(seed=7, authorities=SMALL_AUTHORITIES, scale=0.1), out)
    return out


def pytest_collection_modifyitems(config, items):
    """The stored report baseline was made with the published benchmarks in ../shared: without them, skip it."""
    from perfkit.config import paths

    if paths.published_dfe_dir().exists():
        return
    reason = pytest.mark.skip(reason=f"published DfE files not found at {paths.published_dfe_dir()}: the stored "
                                     "report baseline includes England and statistical-neighbour figures")
    for item in items:
        if item.path.name == "authority_report.ipynb" and item.path.parent.name == "notebooks":
            item.add_marker(reason)


@pytest.fixture(scope="module")
def browser():
    from helpers import chromium_path

    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: the README lists Debian's chromium as a prerequisite of the full suite")
        pytest.skip("chromium not found: install Debian's chromium package to run the browser test")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield launched
        launched.close()
