"""The published figures, read once, are kept between runs and read again when a file or the code changes."""

import shutil

import pytest

from perfkit import paths
from perfkit.benchmark_report import PublishedData
from perfkit.published import remembered

pytestmark = pytest.mark.skipif(not paths.published_dfe_dir().exists(), reason="published DfE files not found")


@pytest.fixture
def copies(tmp_path, monkeypatch):
    """Copies of the published folders, and a cache folder of this test's."""
    monkeypatch.setenv("PERFKIT_CACHE", str(tmp_path / "cache"))
    dfe, lait = tmp_path / "dfe", tmp_path / "lait"
    shutil.copytree(paths.published_dfe_dir(), dfe)
    shutil.copytree(paths.published_lait_dir(), lait)
    return dfe, lait


def test_kept_figures_are_those_read_and_are_read_once(copies, monkeypatch):
    dfe, lait = copies
    read = PublishedData.load(dfe, lait)
    folder = PublishedData.remembered(dfe, lait)
    assert folder.parent == paths.cache_dir() / "published"
    kept = PublishedData.from_cache(folder)
    assert kept.values.equals(read.values)
    assert kept.neighbours == read.neighbours
    assert kept.comparators == read.comparators

    def not_again(*args, **kwargs):
        raise AssertionError("the files were read again")

    monkeypatch.setattr(PublishedData, "load", not_again)
    assert PublishedData.remembered(dfe, lait) == folder
    assert [p.name for p in (paths.cache_dir() / "published").iterdir()] == [folder.name]  # nothing half-written left


def test_a_changed_file_or_code_is_read_again(copies, monkeypatch):
    dfe, lait = copies
    first = PublishedData.remembered(dfe, lait)
    csv = sorted(dfe.rglob("*.csv"))[0]
    csv.write_bytes(csv.read_bytes() + b"\n")
    second = PublishedData.remembered(dfe, lait)
    assert second != first
    monkeypatch.setattr(remembered, "READING_CODE", ("published", "benchmark_report.py", "report.py"))
    assert PublishedData.remembered(dfe, lait) not in (first, second)


def test_a_failed_read_keeps_nothing(copies, monkeypatch):
    dfe, lait = copies

    def broken(*args, **kwargs):
        raise OSError("unreadable")

    monkeypatch.setattr(PublishedData, "load", broken)
    with pytest.raises(OSError, match="unreadable"):
        PublishedData.remembered(dfe, lait)
    assert list((paths.cache_dir() / "published").iterdir()) == []
