"""The report notebook, the member HTML and the batch, end to end on small synthetic data."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import papermill
import polars as pl
import datetime as dt

import pytest

from perfkit.cli import main
from perfkit.config import paths
from perfkit.indicators.catalogue import load_catalogue
from perfkit.pipeline.batch import run_batch
from perfkit.present.htmlexport import VEGALITE_MIMETYPE, member_html, vega_bundle

PERIOD = "2023-24 Q3"
MAX_MEMBER_HTML_BYTES = 2_000_000


def _broken_copy(source: Path, target: Path, authority: str) -> Path:
    """The same dataset with one unparseable referral date, on a row of ``authority``."""
    shutil.copytree(source, target)
    referrals = pl.read_parquet(target / "referrals.parquet")
    (target / "referrals.parquet").unlink()
    broken = referrals.with_columns(pl.col("referral_date").cast(pl.String))
    first = (pl.col("la_code") == authority).arg_true().first()
    broken = broken.with_columns(
        pl.when(pl.int_range(pl.len()) == first).then(pl.lit("31/12/2023")).otherwise(pl.col("referral_date")).alias("referral_date")
    )
    broken.write_csv(target / "referrals.csv")
    return target


def _parameters(folder: Path, settings: dict[str, Path]) -> Path:
    folder.mkdir(parents=True)
    for authority, data_dir in settings.items():
        (folder / f"{authority}.yaml").write_text(
            f'authority: "{authority}"\nname: Test {authority}\ndata_dir: "{data_dir}"\n', encoding="utf-8"
        )
    return folder


@pytest.fixture(scope="module")
def executed(small_data, tmp_path_factory) -> nbformat.NotebookNode:
    out = tmp_path_factory.mktemp("nb") / "report.ipynb"
    papermill.execute_notebook(
        str(paths.notebooks_dir() / "authority_report.ipynb"), str(out),
        parameters={"authority": "990", "period": PERIOD, "data_dir": str(small_data)},
        kernel_name="python3", progress_bar=False,
    )
    return nbformat.read(out, as_version=4)


def test_notebook_runs_under_papermill_and_draws_a_chart_per_family(executed):
    outputs = [o for c in executed.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    charts = [o.data[VEGALITE_MIMETYPE] for o in outputs if VEGALITE_MIMETYPE in o.get("data", {})]
    trends = [c for c in charts if c["title"]["text"].endswith("trend by quarter")]
    assert len(trends) == len(load_catalogue().families)
    for chart in trends:
        periods = {row["period"] for row in chart["data"]["values"]}
        assert len(periods) >= 8
    breakdowns = [c for c in charts if c["title"]["text"].endswith("breakdowns this quarter")]
    assert breakdowns and all(c["params"][0]["bind"]["input"] == "select" for c in breakdowns)


def test_member_html_has_no_code_and_loads_nothing_from_the_network(executed):
    html = member_html(executed)
    assert "build_report(" not in html and "authority = " not in html
    assert "Analyst note" not in html
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=", html)
    assert not re.search(r"url\(\s*['\"]?https?:", html)
    assert html.count("window.vegaEmbed=") == 1
    assert vega_bundle() in html  # the inlined libraries exactly as bundled: the export edits only the body
    assert html.count('tabindex="0"') >= 2 * len(load_catalogue().families)  # every output can take focus
    assert html.count('vegaEmbed("#pk-chart-') >= 2 * len(load_catalogue().families) - 1
    assert len(html.encode()) < MAX_MEMBER_HTML_BYTES


def test_member_html_is_the_same_for_the_same_notebook(executed):
    assert member_html(executed) == member_html(executed)


@pytest.fixture(scope="module")
def batch_run(small_data, tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    broken = _broken_copy(small_data, root / "broken-data", "991")
    # 990's rows are sound, 991's are not, in the same files: only 991 fails
    parameters = _parameters(root / "params", {"990": broken, "991": broken, "992": small_data})
    folder, outcomes = run_batch(PERIOD, out_dir=root / "reports", workers=2, progress=False, parameters=parameters)
    return root, folder, {o.authority: o for o in outcomes}, broken


def test_batch_writes_a_report_per_authority_and_an_index(batch_run):
    _, folder, outcomes, _ = batch_run
    assert folder.name == "2023-24-Q3"
    assert outcomes["990"].ok
    assert (folder / "990.html").stat().st_size < MAX_MEMBER_HTML_BYTES
    index = (folder / "index.html").read_text()
    assert 'href="990.html"' in index
    # the settings are those of --parameters, not of parameters/authorities/ (where 990 is Northmoor)
    assert "<h1" in (page := (folder / "990.html").read_text()) and "Test 990: children" in page and "Northmoor" not in page


def test_one_authority_failing_is_reported_and_does_not_stop_the_others(batch_run):
    _, folder, outcomes, broken = batch_run
    failed = outcomes["991"]
    assert not failed.ok
    assert "referral_date" in failed.error and "31/12/2023" in failed.error
    index = (folder / "index.html").read_text()
    assert "Failed" in index and "referral_date" in index
    assert "31/12/2023" not in index and "value withheld" in index  # the index may be shared
    assert not (folder / "991.html").exists()
    absent = outcomes["992"]  # an authority with no rows in its dataset
    assert not absent.ok and "'992' has no rows in" in absent.error


def test_an_authority_fails_alone_whichever_worker_checks_it(batch_run, tmp_path):
    """Outcomes do not depend on how authorities are dealt to workers: one worker gives the same as two."""
    root, _, outcomes, broken = batch_run
    parameters = _parameters(tmp_path / "params", {"990": broken, "991": broken})
    _, alone = run_batch(PERIOD, out_dir=tmp_path / "reports", workers=1, progress=False, parameters=parameters)
    assert [(o.authority, o.ok) for o in alone] == [("990", True), ("991", False)]
    assert alone[1].error == outcomes["991"].error


def test_no_child_identifier_or_record_in_any_report(batch_run, small_data):
    _, folder, _, _ = batch_run
    children = pl.read_parquet(small_data / "children.parquet")
    ids = set(children["child_id"].to_list())
    births = {d.isoformat() for d in children["date_of_birth"].to_list()}
    pattern = re.compile(r"C99\d-\d{6}")
    library = vega_bundle()  # the inlined Vega libraries hold sample dates of their own
    for page in folder.glob("*.html"):
        text = page.read_text().replace(library, "")
        assert not (set(pattern.findall(text)) & ids), page
        assert not [b for b in births if b in text], page
        assert "referral_id" not in text and "child_id" not in text


def test_records_are_checked_once_read_and_fail_by_authority(batch_run):
    from perfkit.pipeline.shares import checked_records

    _, _, _, broken = batch_run  # one of 991's referral dates is broken
    data, failures = checked_records(broken, ["990", "991"])
    assert data.authorities == ["990"] and list(failures) == ["991"]
    assert "referral_date" in failures["991"] and "31/12/2023" in failures["991"]
    assert checked_records(broken, ["991"])[0] is None


def test_the_latest_quarter_is_found_from_the_rows_that_pass(batch_run, tmp_path):
    """Without a period, the batch reports the last complete quarter; a broken authority still fails alone."""
    _, _, _, broken = batch_run
    parameters = _parameters(tmp_path / "params", {"990": broken, "991": broken})
    folder, outcomes = run_batch(None, data_dir=broken, out_dir=tmp_path / "reports", workers=1, progress=False,
                                 parameters=parameters)
    assert [(o.authority, o.ok) for o in outcomes] == [("990", True), ("991", False)]
    assert (folder / "990.html").exists() and folder.name == "2024-25-Q4"


def test_a_report_reads_its_own_authoritys_rows_alone(batch_run):
    """Built outside the batch, a report fails, as in the batch, for its own authority's rows only."""
    from perfkit.errors import ContractError
    from perfkit.pipeline.aggregates import build_report

    _, _, _, broken = batch_run  # one of 991's referral dates is broken
    assert build_report("990", PERIOD, broken).authority == "990"
    with pytest.raises(ContractError, match="31/12/2023"):
        build_report("991", PERIOD, broken)


def test_a_failed_run_never_overwrites_an_earlier_good_report(batch_run, small_data):
    root, folder, _, _ = batch_run
    before = (folder / "990.html").read_bytes()
    broken = _broken_copy(small_data, root / "broken-990", "990")
    parameters = _parameters(root / "params-broken", {"990": broken})
    status = main(["batch", "--period", PERIOD, "--out", str(root / "reports"), "--parameters", str(parameters)])
    assert status == 1
    assert (folder / "990.html").read_bytes() == before
    index = (folder / "index.html").read_text()
    assert "Failed" in index and "earlier report is kept" in index


def test_two_runs_on_the_same_inputs_give_byte_identical_reports(batch_run, small_data):
    root, folder, _, _ = batch_run
    parameters = _parameters(root / "params-again", {"990": small_data})
    again, outcomes = run_batch(PERIOD, out_dir=root / "again", workers=1, progress=False, parameters=parameters)
    assert outcomes[0].ok
    assert (again / "990.html").read_bytes() == (folder / "990.html").read_bytes()


def test_reports_run_one_after_another_in_a_kernel_are_those_of_new_kernels(batch_run, small_data):
    """A worker's kernel keeps nothing of one authority's report for the next: same bytes as new kernels."""
    root, _, _, _ = batch_run
    parameters = _parameters(root / "params-kernels", {"990": small_data, "991": small_data})
    shared, outcomes = run_batch(PERIOD, out_dir=root / "shared-kernel", workers=1, progress=False, parameters=parameters)
    fresh, fresh_outcomes = run_batch(PERIOD, out_dir=root / "fresh-kernels", workers=1, progress=False,
                                      parameters=parameters, fresh_kernels=True)
    assert all(o.ok for o in outcomes + fresh_outcomes)
    for authority in ("990", "991"):  # 991 ran after 990 in the one worker's kernel
        assert (shared / f"{authority}.html").read_bytes() == (fresh / f"{authority}.html").read_bytes(), authority
    assert (shared / "990.html").read_bytes() != (shared / "991.html").read_bytes()


def _chart_specs(html: str) -> list[dict]:
    import json

    decoder = json.JSONDecoder()
    specs = []
    for match in re.finditer(r'vegaEmbed\("#pk-chart-[0-9a-f]+", ', html):
        spec, _ = decoder.raw_decode(html, match.end())
        specs.append(spec)
    return specs


def test_no_count_below_the_threshold_in_member_charts(batch_run):
    _, folder, _, _ = batch_run
    catalogue = load_catalogue()
    counts = {i.title: i for i in catalogue.indicators if i.unit == "count" and i.disclosive}
    checked = 0
    for page in folder.glob("99*.html"):
        for spec in _chart_specs(page.read_text()):
            for row in spec.get("data", {}).get("values", []):
                title = row.get("title") or next((t for t in counts if str(row.get("choice", "")).startswith(t + " by ")), None)
                if title in counts and row.get("value") is not None:
                    checked += 1
                    assert row["value"] == 0 or row["value"] >= 5, (page.name, title, row)
    assert checked > 100


def test_aggregates_of_authorities_computed_together_are_those_of_each_alone(small_data):
    from perfkit.pipeline.aggregates import compute_aggregates, compute_aggregates_for
    from perfkit.records.loading import load_dataset

    data = load_dataset(small_data)
    together = compute_aggregates_for(data, ["990", "991"], PERIOD)
    for authority in ("990", "991"):
        alone = compute_aggregates(data.for_authorities([authority]), authority, PERIOD)
        assert together[authority].measures.equals(alone.measures), authority
        assert together[authority].quality.equals(alone.quality), authority
        assert (together[authority].period, together[authority].as_at) == (alone.period, alone.as_at)
    measures = together["990"].measures
    headlines = measures.filter(pl.col("breakdown") == "all")
    alone = headlines.filter(pl.col("period").str.ends_with(" 3M"))
    from perfkit.present.by_month import a_month

    assert headlines.filter(~pl.col("period").str.ends_with(" 3M") & ~a_month())["period"].n_unique() == 12
    # the figures shown month by month: the 13 months to the quarter's end, of the catalogue's by_month only
    months = headlines.filter(a_month())
    assert months["period"].n_unique() == 13 and set(months["indicator"]) == {"contacts", "referrals",
                                                                             "missing_children", "sw_agency_rate"}
    # each quarter alone of the sums over a rolling 12 months: their trend charts' figures
    assert set(alone["indicator"]) == {"referral_rate", "s47_rate", "sw_turnover_rate"}
    assert alone["period"].n_unique() == 12
    # the report shows this quarter's breakdowns; the last quarter's are there for disclosure control
    # (the last report showed them, and the looked-after stock relates them to this quarter's); of the same
    # quarter a year earlier, only the breakdowns the catalogue shows year on year
    from perfkit.indicators.catalogue import load_catalogue
    from perfkit.indicators.periods import Period

    quarter = Period.parse(PERIOD)
    groups = measures.filter((pl.col("breakdown") != "all") & ~a_month())
    assert set(groups["period"]) == {PERIOD, quarter.previous().label, quarter.year_earlier().label}
    yearly = {(i.id, b) for i in load_catalogue().indicators for b in i.year_on_year}
    assert set(groups.filter(pl.col("period") == quarter.year_earlier().label)
               .select("indicator", "breakdown").unique().iter_rows()) == yearly


def test_a_period_the_data_do_not_cover_is_refused_everywhere(small_data, tmp_path, capsys):
    """A quarter after the data end (or before they start) would be a report full of zeros: the batch, the
    report and perfkit measures refuse it in one line naming the quarters the data cover (#17)."""
    from perfkit import build_report
    from perfkit.cli import main
    from perfkit.errors import PeriodError

    with pytest.raises(PeriodError, match=r"2026-27 Q2 is after the data of authority 990 end: expected a quarter from"):
        build_report("990", "2026-27 Q2", small_data)
    with pytest.raises(PeriodError, match="before the data of authority 990 start"):
        build_report("990", "2012-13 Q1", small_data)
    assert main(["measures", "--data", str(small_data), "--authority", "990", "--period", "2026-27 Q2"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    parameters = _parameters(tmp_path / "params", {"990": small_data})
    assert main(["batch", "--period", "2026-27 Q2", "--parameters", str(parameters), "--out", str(tmp_path / "out")]) == 1
    assert "is after the data of authority 990 end" in (tmp_path / "out" / "2026-27-Q2" / "index.html").read_text()


def test_the_latest_quarter_comes_from_each_authoritys_own_data(small_data, tmp_path):
    """An authority whose own dataset ends earlier than the embedded data gets its own last quarter, not the
    embedded data's (a dataset of another authority gave a report of a later quarter, full of zeros)."""
    import polars as pl

    short = tmp_path / "short"
    short.mkdir()
    for path in small_data.glob("*.parquet"):
        table = pl.read_parquet(path)
        dates = [c for c, t in table.schema.items() if t == pl.Date and c not in ("date_of_birth", "recorded_date")]
        cutoff = dt.date(2023, 9, 30)  # nothing after it: the last complete quarter is 2023-24 Q2
        if dates:
            table = table.filter(pl.min_horizontal(pl.col(dates)) <= cutoff).with_columns(
                [pl.when(pl.col(c) > cutoff).then(None).otherwise(pl.col(c)).alias(c) for c in dates])
        table.write_parquet(short / path.name)
    from perfkit.pipeline.batch import latest_period
    from perfkit.pipeline.jobs import authority_jobs

    parameters = _parameters(tmp_path / "params", {"990": short})
    assert latest_period(authority_jobs("latest", None, tmp_path / "out", None, parameters)).label == "2023-24 Q2"
