"""A figure only where there is data: "not available from this data: needs <table.column>", never 0."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from perfkit.cli import main
from perfkit.config.paths import shared_dir
from perfkit.formats.annex_a import import_annex_a
from perfkit.formats.annex_a_write import write_annex_a
from perfkit.formats.ssda903 import import_ssda903, write_ssda903
from perfkit.indicators.availability import NOT_AVAILABLE, unavailable
from perfkit.indicators.catalogue import load_catalogue
from perfkit.indicators.engine import compute, windows_frame
from perfkit.records.dataset import Dataset
from perfkit.records.loading import load_dataset
from perfkit.synth import simulation as synth

LA = "990"
EXTERNAL_903 = shared_dir() / "external" / "d2i-903-validator"


@pytest.fixture(scope="module")
def tables() -> dict[str, pl.DataFrame]:
    return synth.generate(seed=5, authorities=synth.DEFAULT_AUTHORITIES[:1], scale=0.05)


@pytest.fixture(scope="module")
def small_tables(tables, tmp_path_factory) -> dict[str, pl.DataFrame]:
    """The synthetic tables, checked and typed as a dataset loads them."""
    folder = tmp_path_factory.mktemp("small")
    for name, frame in tables.items():
        frame.write_parquet(folder / f"{name}.parquet")
    return load_dataset(folder).tables


def headline(frame: pl.DataFrame, indicator: str) -> dict:
    rows = frame.filter((pl.col("indicator") == indicator) & (pl.col("breakdown") == "all")).to_dicts()
    assert len(rows) == 1, rows
    return rows[0]


def test_every_catalogue_indicator_names_the_columns_it_is_counted_from():
    catalogue = load_catalogue()
    assert all(i.needs for i in catalogue.indicators)
    assert catalogue["referral_rate"].tables == ("referrals", "population")


def test_a_measure_reads_only_the_tables_its_catalogue_entry_needs(small_tables):
    """Each measure runs on a dataset holding only the tables its ``needs`` name (the catalogue is the one
    declaration of what a figure is counted from)."""
    from perfkit.indicators.measures import REGISTRY

    catalogue = load_catalogue()
    for indicator in catalogue.indicators:
        data = Dataset(Path("."), {t: small_tables[t] for t in (*indicator.tables, "children")})
        figures = compute(data, ["2022-23 Q3"], indicators=[indicator.id])
        assert figures.height == 1 and figures["reason"][0] is None, (indicator.id, figures)
    assert set(REGISTRY) == set(catalogue.ids)


def test_ssda903_import_gives_no_return_interview_figure(tables, tmp_path):
    """SSDA903 has no return-interview fields: the figures are not available, not 0% (0 of 9)."""
    write_ssda903(tables, tmp_path / "903", LA)
    import_ssda903(tmp_path / "903", tmp_path / "out", LA)
    data = load_dataset(tmp_path / "out")
    figures = compute(data, ["2022-23 Q3"])
    for indicator, needs in (("rhi_offered_72h_pct", "missing_episodes.rhi_offered_date"),
                             ("rhi_accepted_pct", "missing_episodes.rhi_offered_date, missing_episodes.rhi_accepted")):
        row = headline(figures, indicator)
        assert row["value"] is None and row["numerator"] is None and row["denominator"] is None
        assert row["reason"] == f"{NOT_AVAILABLE}: needs {needs}"
    assert headline(figures, "missing_episodes")["value"] > 0  # what 903 holds is counted
    assert headline(figures, "missing_episodes")["reason"] is None


@pytest.mark.skipif(not EXTERNAL_903.is_dir(), reason="../shared/external is not beside the project")
def test_another_projects_903_files_give_no_figure_their_source_cannot_support(tmp_path, capsys):
    """The data-to-insight validator's fake 903 files, the whole folder in one command, then perfkit measures:
    only what 903 holds has a figure (no return interviews: 0% of 9 before), every gap says why."""
    assert main(["import", "--ssda903", str(EXTERNAL_903), "--out", str(tmp_path / "out"), "--la", LA]) == 1
    capsys.readouterr()
    assert main(["measures", "--data", str(tmp_path / "out"), "--authority", LA, "--period", "2017-18 Q4"]) == 0
    figures = pl.read_csv(capsys.readouterr().out.encode(), schema_overrides={"la_code": pl.String, "reason": pl.String})
    shown = set(figures.filter(pl.col("value").is_not_null())["indicator"].to_list())
    # what episodes, missing episodes and care leavers hold, without a population (no rates)
    assert shown <= {"cla_starts", "cla_ceased", "cla_uasc", "cla_semi_independent", "cla_3plus_placements_pct", "cla_long_term_stability_pct",
                     "cla_s20_starts", "cla_s20_repeat_starts", "missing_episodes", "missing_children",
                     "missing_episodes_per_child", "missing_under16_pct", "missing_repeat_children",
                     "missing_at_end", "missing_over_7d_pct", "care_leavers_suitable_pct", "care_leavers_eet_pct",
                     "care_leavers_recorded", "cla_reviews_held", "cla_review_participation_pct",
                     "cla_reviews_on_time_pct", "missing_duration_median"}, shown
    assert {"cla_starts", "missing_episodes"} <= shown
    rhi = figures.filter(pl.col("indicator") == "rhi_offered_72h_pct").row(0, named=True)
    assert rhi["value"] is None and rhi["reason"] == f"{NOT_AVAILABLE}: needs missing_episodes.rhi_offered_date"
    assert figures.filter(pl.col("value").is_null())["reason"].null_count() == 0  # every gap says why


@pytest.mark.skipif(not EXTERNAL_903.is_dir(), reason="../shared/external is not beside the project")
def test_another_projects_annex_a_workbook_gives_no_figure_its_source_cannot_support(tmp_path, capsys):
    """The liia-tools Annex A sample: no placement moves, missing episodes, workforce or EHC requests, and
    (this template) no care leavers' list: none of these has a figure, in any quarter the records cover."""
    from perfkit.indicators.periods import latest_complete_period

    workbook = shared_dir() / "external" / "sf-liia-tools" / "Annex_A.xlsx"
    assert main(["import", "--annex-a", str(workbook), "--out", str(tmp_path / "out"), "--la", LA]) == 1
    data = load_dataset(tmp_path / "out")
    first, last = data.event_span()[LA]
    period = latest_complete_period(last)
    figures = compute(data, period.series(4), [LA])
    unsupported = {"cla_3plus_placements_pct", "cla_long_term_stability_pct", "missing_episodes",
                   "rhi_offered_72h_pct", "sw_caseload", "ehcp_20wk_pct", "care_leavers_eet_pct", "referral_rate"}
    rows = figures.filter(pl.col("indicator").is_in(list(unsupported)))
    assert rows.height == 4 * len(unsupported)
    assert rows["value"].null_count() == rows.height and rows["reason"].null_count() == 0
    assert "needs cla_episodes.rne (P or B)" in rows.filter(pl.col("indicator") == "cla_3plus_placements_pct")["reason"][-1]


def test_annex_a_import_gives_no_placement_stability_figure(tables, tmp_path):
    """Annex A lists one row per period of care, without placement moves: no 3+ placements (0%) and no
    long-term stability (100%), where the figures counted only periods of care."""
    workbook = write_annex_a(tables, tmp_path / f"{LA}_annex_a.xlsx")
    import_annex_a(workbook, tmp_path / "out")
    data = load_dataset(tmp_path / "out")
    figures = compute(data, ["2022-23 Q4"])
    for indicator in ("cla_3plus_placements_pct", "cla_long_term_stability_pct"):
        row = headline(figures, indicator)
        assert row["value"] is None
        assert "needs cla_episodes.rne (P or B)" in row["reason"], row["reason"]
    assert headline(figures, "cla_starts")["value"] is not None  # periods of care are there


def _daily(first: dt.date, last: dt.date, step: int = 1) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range(0, (last - first).days + 1, step)]


def test_a_column_nobody_filled_in_is_not_available_but_a_quarter_without_events_is_zero():
    days = _daily(dt.date(2023, 4, 3), dt.date(2023, 9, 28), 7)
    episodes = pl.DataFrame({
        "la_code": [LA] * len(days) + ["991"] * len(days), "child_id": [f"c{n}" for n in range(2 * len(days))],
        "missing_start": days * 2, "missing_end": [d + dt.timedelta(days=1) for d in days] * 2,
        "rhi_offered_date": [None] * len(days) + [d + dt.timedelta(days=2) for d in days],
    })
    data = Dataset(Path("."), {"missing_episodes": episodes})
    wanted = [load_catalogue()["rhi_offered_72h_pct"], load_catalogue()["missing_episodes"]]
    found = unavailable(data, windows_frame(["2023-24 Q1", "2023-24 Q2"]), [LA, "991"], wanted)
    # 990 never filled the column: no figure in any quarter; 991 did, and has none of 990's reasons
    assert sorted(found.select("la_code", "period", "indicator").rows()) == [
        (LA, "2023-24 Q1", "rhi_offered_72h_pct"), (LA, "2023-24 Q2", "rhi_offered_72h_pct")]
    # a quiet spell of the usual length is a true zero, not a gap: a table of an episode a month
    sparse = Dataset(Path("."), {"missing_episodes": episodes.filter(pl.col("la_code") == "991").gather_every(4)})
    assert unavailable(sparse, windows_frame(["2023-24 Q2"]), ["991"], wanted).is_empty()


def test_a_window_outside_the_records_has_no_figure():
    """Records from 3 April 2023 to 28 March 2024, a referral a day: re-referrals look back 12 months before
    their quarter and have no figure in 2023-24; the records stop before 2024-25 Q1 ends."""
    days = _daily(dt.date(2023, 4, 3), dt.date(2024, 3, 28))
    referrals = pl.DataFrame({"la_code": [LA] * len(days), "child_id": [f"c{n}" for n in range(len(days))],
                              "referral_date": days})
    data = Dataset(Path("."), {"referrals": referrals})
    catalogue = load_catalogue()
    windows = windows_frame(["2023-24 Q1", "2023-24 Q2", "2023-24 Q4", "2024-25 Q1"])
    found = unavailable(data, windows, [LA], [catalogue["referrals"], catalogue["rereferral_pct"]])
    reasons = {(r["period"], r["indicator"]): r["reason"] for r in found.iter_rows(named=True)}
    assert ("2023-24 Q1", "referrals") not in reasons and ("2023-24 Q4", "referrals") not in reasons
    assert reasons[("2023-24 Q1", "rereferral_pct")] == (
        f"{NOT_AVAILABLE}: needs referrals.referral_date from 1 April 2022 (the records start on 3 April 2023)")
    assert ("2023-24 Q4", "rereferral_pct") in reasons
    assert reasons[("2024-25 Q1", "referrals")] == (
        f"{NOT_AVAILABLE}: needs referrals.referral_date to 30 June 2024 (the records stop on 28 March 2024)")
    # a declared extract date before the window's end refuses it too
    declared = unavailable(data.for_authorities([LA]), windows_frame(["2024-25 Q1"]), [LA], [catalogue["referrals"]],
                           data_end={LA: dt.date(2024, 3, 31)})
    assert declared["reason"].to_list()[0].startswith(f"{NOT_AVAILABLE}: needs referrals.referral_date to 30 June")


def test_an_extract_of_open_cases_starts_where_its_closed_records_do():
    """Episodes from April 2022 and those open then: a 2015 episode still open does not make the records
    reach back to 2015 (the earliest end, 3 April 2022, says where they start)."""
    starts = [dt.date(2015, 5, 2), *_daily(dt.date(2022, 4, 1), dt.date(2024, 3, 1), 10)]
    ends = [None, dt.date(2022, 4, 3), *[d + dt.timedelta(days=200) for d in starts[2:]]]
    episodes = pl.DataFrame({"la_code": [LA] * len(starts), "child_id": [f"c{n}" for n in range(len(starts))],
                             "episode_start": starts, "episode_end": ends,
                             "rne": ["S", "P", *["P" if n % 3 else "S" for n in range(len(starts) - 2)]]})
    data = Dataset(Path("."), {"cla_episodes": episodes})
    catalogue = load_catalogue()
    found = unavailable(data, windows_frame(["2022-23 Q1", "2023-24 Q1"]), [LA],
                        [catalogue["cla_3plus_placements_pct"], catalogue["cla_starts"]])
    reasons = {(r["period"], r["indicator"]): r["reason"] for r in found.iter_rows(named=True)}
    assert reasons[("2022-23 Q1", "cla_3plus_placements_pct")].endswith("(the records start on 3 April 2022)")
    assert ("2022-23 Q1", "cla_starts") not in reasons and ("2023-24 Q1", "cla_3plus_placements_pct") not in reasons


def test_a_rate_without_a_population_estimate_for_its_year_has_no_figure():
    days = _daily(dt.date(2019, 4, 1), dt.date(2021, 6, 30))
    referrals = pl.DataFrame({"la_code": [LA] * len(days), "child_id": [f"c{n}" for n in range(len(days))],
                              "referral_date": days})
    population = pl.DataFrame({"la_code": [LA], "year": [2021], "population_0_17": [5000]})
    data = Dataset(Path("."), {"referrals": referrals, "population": population})
    found = unavailable(data, windows_frame(["2020-21 Q4", "2021-22 Q1"]), [LA], [load_catalogue()["referral_rate"]])
    assert found.select("period", "reason").rows() == [
        ("2020-21 Q4", f"{NOT_AVAILABLE}: needs population.population_0_17 for mid-2020 or earlier")]


def test_the_placement_moves_a_figure_needs_are_the_moves_it_counts():
    from perfkit.indicators.families.looked_after import PLACEMENT_STARTS

    for indicator in ("cla_3plus_placements_pct", "cla_long_term_stability_pct"):
        coded = [n for n in load_catalogue()[indicator].needs if n.codes]
        assert [set(n.codes) for n in coded] == [set(PLACEMENT_STARTS) - {"S"}]


def test_the_member_report_lists_what_the_data_cannot_give_and_shows_none_of_it(tables, tmp_path):
    """A report from an SSDA903 import: one line per figure the data cannot give, none of them in a table."""
    import re
    from html import unescape

    from perfkit.pipeline.batch import run_batch

    write_ssda903(tables, tmp_path / "903", LA)
    import_ssda903(tmp_path / "903", tmp_path / "data", LA)
    folder, outcomes = run_batch(period="2022-23 Q4", data_dir=tmp_path / "data", out_dir=tmp_path / "reports",
                                 authorities=[LA], workers=1, progress=False)
    assert [(o.ok, o.error) for o in outcomes] == [(True, "")], outcomes
    page = (folder / f"{LA}.html").read_text(encoding="utf-8")
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style).*?</\1>", "", page, flags=re.DOTALL))).split())
    assert "Not available from this data" in text
    assert "Return home interviews offered within 72 hours: needs missing_episodes.rhi_offered_date" in text.replace(" :", ":")
    # no table row of the page names an indicator the data cannot give
    rows = [" ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in re.findall(r"<tr.*?</tr>", page, flags=re.DOTALL)]
    for title in ("Return home interviews offered within 72 hours", "Contacts that became referrals"):
        assert not [row for row in rows if row.startswith(title)], title
