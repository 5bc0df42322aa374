"""Each format's synthetic round trip through the command line: perfkit synth --as FORMAT, perfkit import,
and the same figures as the canonical tables the formats were written from."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import polars as pl
import pytest

from perfkit.cli import main
from perfkit.formats.import_log import read_problems
from perfkit.indicators.engine import compute
from perfkit.records.dataset import Dataset
from perfkit.records.loading import load_dataset

SEED, SCALE, LA = "31", "0.03", "990"
PERIODS = ["2023-24 Q2", "2023-24 Q3", "2023-24 Q4", "2024-25 Q1"]

# what each format holds, counted the same from its import as from the canonical tables
FIGURES = {
    "ssda903": ["cla_starts", "cla_s20_starts", "missing_episodes", "missing_children", "cla_3plus_placements_pct"],
    "ssda903-xml": ["cla_starts", "cla_s20_starts", "missing_episodes", "missing_children", "cla_3plus_placements_pct"],
    "annex-a": ["contacts", "referrals", "assessments_45wd_pct", "cpp_starts", "cla_starts"],
    "cin-census": ["referrals", "referral_nfa_pct", "assessments_45wd_pct", "icpc_15wd_pct", "cpp_starts"],
}


def _run(*args: str) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(list(args))


@pytest.fixture(scope="module")
def canonical(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("canonical")
    assert _run("synth", "--out", str(out), "--seed", SEED, "--scale", SCALE) == 0
    return out


def _figures(data: Dataset, indicators: list[str]) -> pl.DataFrame:
    return compute(data, PERIODS, [LA], indicators=indicators).select(
        "period", "indicator", "numerator", "denominator", "value", "reason")


def _as_the_census_holds_them(data: Dataset) -> Dataset:
    """The simulation now and then refers a child twice on one day; the census holds one episode of need a
    day (two would overlap), and the import reads them as one, saying so."""
    referrals = data.table("referrals").sort("referral_id").unique(["la_code", "child_id", "referral_date"],
                                                                    keep="first", maintain_order=True)
    return Dataset(data.directory, {**data.tables, "referrals": referrals})


@pytest.mark.parametrize("form", list(FIGURES))
def test_a_synthetic_return_imports_with_one_command_and_gives_the_same_figures(form, canonical, tmp_path):
    assert _run("synth", "--out", str(tmp_path / "written"), "--seed", SEED, "--scale", SCALE, "--as", form) == 0
    if form == "annex-a":
        source = ["--annex-a", str(tmp_path / "written" / f"annex_a_{LA}.xlsx")]
    elif form == "cin-census":
        source = ["--cin-census", *sorted(str(p) for p in (tmp_path / "written" / f"cin_census_{LA}").glob("*.xml"))]
    else:
        source = ["--ssda903", str(tmp_path / "written" / f"ssda903_{LA}")]
    status = _run("import", *source, "--out", str(tmp_path / "imported"), "--la", LA)
    assert status in (0, 1), status
    got = _figures(load_dataset(tmp_path / "imported"), FIGURES[form])
    assert got["reason"].null_count() == got.height  # every one of these is a figure
    expected = load_dataset(canonical)
    if form == "cin-census":
        ours = expected.for_authorities([LA])
        merged = ours.table("referrals").height - _as_the_census_holds_them(ours).table("referrals").height
        said = {p.value for p in read_problems(tmp_path / "imported") if "one CINdetails per CINreferralDate" in p.expected}
        assert len(said) == merged  # each child referred twice on one day is said, once
        expected = _as_the_census_holds_them(expected)
    assert got.equals(_figures(expected, FIGURES[form])), form


def test_validate_reports_what_the_import_left_out_in_the_same_words(tmp_path, capsys):
    """perfkit validate on an imported folder lists the import's problems as the import did, and exits as it did."""
    from perfkit.config.paths import shared_dir

    workbook = shared_dir() / "external" / "sf-liia-tools" / "Annex_A.xlsx"
    if not workbook.exists():
        pytest.skip("../shared/external is not beside the project")
    assert main(["import", "--annex-a", str(workbook), "--out", str(tmp_path / "out"), "--la", LA]) == 1
    imported = [line for line in capsys.readouterr().err.splitlines() if line.startswith("  - ")]
    assert main(["validate", "--data", str(tmp_path / "out")]) == 1
    validated = capsys.readouterr().err.splitlines()
    assert imported and all(line in validated for line in imported)
