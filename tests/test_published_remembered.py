"""The published figures, read once, are kept between runs and read again when a file or the code changes."""

import os
import shutil
import tempfile

import pytest

from perfkit.config import paths
from perfkit.published import remembered
from perfkit.published.data import PublishedData

pytestmark = pytest.mark.skipif(not paths.published_dfe_dir().exists(), reason="published DfE files not found")


@pytest.fixture
def copies(tmp_path, monkeypatch):
    """Copies of the published folders, and a folder of this test's to keep figures in."""
    monkeypatch.setenv("PERFKIT_PUBLISHED_CACHE", str(tmp_path / "kept"))
    dfe, lait = tmp_path / "dfe", tmp_path / "lait"
    shutil.copytree(paths.published_dfe_dir(), dfe)
    shutil.copytree(paths.published_lait_dir(), lait)
    return dfe, lait


def not_again(*args, **kwargs):
    raise AssertionError("the files were read again")


def test_kept_figures_are_those_read_and_are_read_once(copies, monkeypatch):
    dfe, lait = copies
    read = PublishedData.load(dfe, lait)
    folder = PublishedData.remembered_folder(dfe, lait)
    assert folder.parent == remembered.kept_dir()
    assert oct(folder.stat().st_mode & 0o777) == oct(0o755)  # readable by whoever shares the cache folder
    kept = PublishedData.remembered(dfe, lait)
    assert kept.values.equals(read.values)
    assert kept.neighbours == read.neighbours
    assert kept.comparators == read.comparators
    monkeypatch.setattr(PublishedData, "load", not_again)
    assert PublishedData.remembered_folder(dfe, lait) == folder
    assert [p.name for p in remembered.kept_dir().iterdir()] == [folder.name]  # nothing half-written left


def test_a_changed_file_or_code_is_read_again(copies, monkeypatch):
    dfe, lait = copies
    first = PublishedData.remembered_folder(dfe, lait)
    csv = sorted(dfe.rglob("*.csv"))[0]
    csv.write_bytes(csv.read_bytes() + b"\n")
    second = PublishedData.remembered_folder(dfe, lait)
    assert second != first
    monkeypatch.setattr(remembered, "READING_CODE", (*remembered.READING_CODE, "perfkit.present.authority_report"))
    assert PublishedData.remembered_folder(dfe, lait) not in (first, second)


def test_a_file_changed_while_read_is_not_kept(copies, monkeypatch):
    dfe, lait = copies
    load = PublishedData.load
    csv = sorted(dfe.rglob("*.csv"))[0]

    def changing(*args, **kwargs):
        found = load(*args, **kwargs)
        csv.write_bytes(csv.read_bytes() + b"\n")
        return found

    monkeypatch.setattr(PublishedData, "load", changing)
    assert PublishedData.remembered_folder(dfe, lait) is None
    assert list(remembered.kept_dir().iterdir()) == []


def test_a_failed_read_keeps_nothing(copies, monkeypatch):
    dfe, lait = copies

    def broken(*args, **kwargs):
        raise OSError("unreadable")

    monkeypatch.setattr(PublishedData, "load", broken)
    with pytest.raises(OSError, match="unreadable"):
        PublishedData.remembered_folder(dfe, lait)
    assert list(remembered.kept_dir().iterdir()) == []


def test_a_cache_folder_that_cannot_be_written_reads_every_time_and_leaves_nothing(copies, tmp_path, monkeypatch):
    dfe, lait = copies
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("PERFKIT_PUBLISHED_CACHE", str(tmp_path / "a-file" / "kept"))
    def saved_anywhere():
        return set(os.listdir(tmp_path)) | {name for name in os.listdir(tempfile.gettempdir()) if "published" in name}

    before = saved_anywhere()
    assert PublishedData.remembered_folder(dfe, lait) is None
    assert PublishedData.remembered(dfe, lait).values.equals(PublishedData.load(dfe, lait).values)
    assert saved_anywhere() == before


def test_half_written_folders_of_killed_runs_are_removed_after_a_day(copies):
    dfe, lait = copies
    kept = remembered.kept_dir()
    old, recent = kept / f"{remembered.SAVING}old", kept / f"{remembered.SAVING}recent"
    for folder in (old, recent):
        folder.mkdir(parents=True)
    os.utime(old, (0, 0))
    PublishedData.remembered_folder(dfe, lait)
    assert not old.exists() and recent.exists()
