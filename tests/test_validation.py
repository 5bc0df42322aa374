"""The validator's messages name file, column, row and value, and say what was expected."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from perfkit.cli import main
from perfkit.errors import ContractError
from perfkit.records.loading import load_dataset

CHILDREN = (
    "la_code,child_id,sex,date_of_birth,ethnicity\n"
    "999,a,F,2010-01-01,WBRI\n"
    "999,b,M,2011-02-03,WBRI\n"
)
REFERRALS_HEADER = "la_code,child_id,referral_id,referral_date,referral_source,nfa,closure_date\n"


def _dataset(tmp_path: Path, **files: str) -> Path:
    for name, text in {"children": CHILDREN, **files}.items():
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    return tmp_path


def _problems(directory: Path) -> list[str]:
    with pytest.raises(ContractError) as caught:
        load_dataset(directory)
    return [str(p) for p in caught.value.problems]


def test_valid_data_loads(tmp_path):
    data = load_dataset(_dataset(tmp_path, referrals=REFERRALS_HEADER + "999,a,r1,2022-07-01,6,N,\n"))
    assert data.table("referrals").height == 1
    assert str(data.table("referrals")["referral_date"].dtype) == "Date"


def test_dd_mm_yyyy_date_is_named_with_the_iso_form_it_should_have(tmp_path):
    problems = _problems(_dataset(tmp_path, referrals=REFERRALS_HEADER + "999,a,r1,2022-07-01,6,N,\n999,b,r2,05/01/2022,6,N,\n"))
    assert len(problems) == 1
    message = problems[0]
    assert "referrals.csv" in message and "'referral_date'" in message and "row 2" in message
    assert "'05/01/2022'" in message and "YYYY-MM-DD" in message and "2022-01-05" in message


def test_end_before_start(tmp_path):
    problems = _problems(_dataset(tmp_path, referrals=REFERRALS_HEADER + "999,a,r1,2022-07-01,6,N,2022-06-30\n"))
    assert problems == [
        f"{tmp_path / 'referrals.csv'}, column 'closure_date', row 1: value '2022-06-30': "
        "closure_date is before referral_date (2022-07-01); expected closure_date on or after referral_date"
    ]


def test_duplicate_ids(tmp_path):
    problems = _problems(_dataset(tmp_path, referrals=REFERRALS_HEADER + "999,a,r1,2022-07-01,6,N,\n999,b,r1,2022-07-02,6,N,\n"))
    assert any("duplicate id" in p and "'referral_id'" in p and "row 2" in p and "'r1'" in p for p in problems)


def test_unknown_code(tmp_path):
    problems = _problems(_dataset(tmp_path, referrals=REFERRALS_HEADER + "999,a,r1,2022-07-01,6,Maybe,\n"))
    assert len(problems) == 1
    assert "'nfa'" in problems[0] and "'Maybe'" in problems[0] and "expected Y or N" in problems[0]


def test_missing_column_and_missing_required_file(tmp_path):
    (tmp_path / "referrals.csv").write_text("la_code,child_id,referral_id,referral_source,nfa\n999,a,r1,6,N\n")
    problems = _problems(tmp_path)
    assert any("children" in p and "required table" in p for p in problems)
    assert any("'referral_date'" in p and "required column is missing" in p for p in problems)


def test_every_problem_in_a_file_is_reported_together(tmp_path):
    rows = "999,a,r1,2022-13-01,6,N,\n999,b,r2,2022-07-01,ZZ,N,\n999,c,r3,2022-07-01,6,N,2022-01-01\n"
    problems = _problems(_dataset(tmp_path, referrals=REFERRALS_HEADER + rows))
    assert len(problems) == 3
    assert [p.split("row ")[1][0] for p in problems] == ["1", "2", "3"]


def test_cli_validate_exits_non_zero_with_the_message_and_no_traceback(tmp_path, capsys):
    directory = _dataset(tmp_path, referrals=REFERRALS_HEADER + "999,b,r2,05/01/2022,6,N,\n")
    assert main(["validate", "--data", str(directory)]) == 2
    err = capsys.readouterr().err
    assert "referral_date" in err and "05/01/2022" in err and "Traceback" not in err


def test_cli_validate_as_a_process(tmp_path):
    directory = _dataset(tmp_path, referrals=REFERRALS_HEADER + "999,b,r2,2022-07-01,6,N,2022-06-01\n")
    result = subprocess.run([sys.executable, "-m", "perfkit.cli", "validate", "--data", str(directory)],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "closure_date is before referral_date" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_measures_prints_tidy_csv(small_data, capsys):
    assert main(["measures", "--data", str(small_data), "--authority", "990", "--period", "2022-23 Q2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "la_code,period,indicator,breakdown,group,numerator,denominator,value,reason"
    indicators = {line.split(",")[2] for line in lines[1:]}
    assert {"referrals", "referral_rate", "rereferral_pct", "assessments_45wd_pct", "cpp_rate", "cpp_repeat_pct",
            "cla_rate", "missing_episodes", "missing_children", "missing_episodes_per_child",
            "rhi_offered_72h_pct"} <= indicators
    assert all(line.startswith("990,2022-23 Q2,") for line in lines[1:])


def test_cli_measures_time_series_windows_and_breakdowns(small_data, capsys):
    assert main(["measures", "--data", str(small_data), "--authority", "990", "--period", "2023-24 Q2",
                 "--periods", "8", "--windows", "quarter,ytd,r12", "--breakdowns"]) == 0
    import io

    import polars as pl

    frame = pl.read_csv(io.StringIO(capsys.readouterr().out), schema_overrides={"la_code": pl.String})
    periods = set(frame["period"].to_list())
    assert len(periods) == 24 and {"2023-24 Q2", "2023-24 Q2 YTD", "2023-24 Q2 R12", "2021-22 Q3"} <= periods
    assert {"district", "sex", "age_band", "ethnicity_group"} <= set(frame["breakdown"].to_list())


TWO_AUTHORITIES = CHILDREN + "998,c,F,2012-03-04,WBRI\n"


def test_an_authoritys_rows_are_checked_alone_and_named_as_in_the_file(tmp_path):
    referrals = REFERRALS_HEADER + "999,a,r1,2022-07-01,6,N,\n998,c,r1,05/01/2022,6,N,\n998,c,r2,2022-07-03,6,N,\n"
    directory = _dataset(tmp_path, children=TWO_AUTHORITIES, referrals=referrals)
    # 999's rows are sound although 998's are not, and r1 is an id of each authority, not a duplicate
    data = load_dataset(directory, authorities=["999"])
    assert data.authorities == ["999"] and data.table("referrals")["referral_id"].to_list() == ["r1"]
    assert "__row" not in data.table("referrals").columns
    with pytest.raises(ContractError) as caught:
        load_dataset(directory, authorities=["998"])
    assert [(p.column, p.row, p.value) for p in caught.value.problems] == [("referral_date", 2, "05/01/2022")]


def test_a_row_without_an_authority_fails_every_authority(tmp_path):
    referrals = REFERRALS_HEADER + "999,a,r1,2022-07-01,6,N,\n,c,r2,2022-07-02,6,N,\n"
    directory = _dataset(tmp_path, children=TWO_AUTHORITIES, referrals=referrals)
    for authority in ("999", "998"):
        with pytest.raises(ContractError) as caught:
            load_dataset(directory, authorities=[authority])
        assert [(p.column, p.row) for p in caught.value.problems] == [("la_code", 2)]


def test_an_authority_without_rows_in_a_table_is_not_an_empty_file(tmp_path):
    directory = _dataset(tmp_path, children=TWO_AUTHORITIES, referrals=REFERRALS_HEADER + "999,a,r1,2022-07-01,6,N,\n")
    assert load_dataset(directory, authorities=["998"]).table("referrals").height == 0
    (tmp_path / "empty").mkdir()
    data = load_dataset(_dataset(tmp_path / "empty", children=TWO_AUTHORITIES, referrals=REFERRALS_HEADER), authorities=["999"])
    assert data.table("referrals").height == 0
    assert any("header but no rows" in str(w) and "empty table" in str(w) for w in data.warnings)


def test_a_column_named_like_perfkits_row_numbers_is_refused(tmp_path):
    referrals = "__row," + REFERRALS_HEADER.replace("\n", "") + "\n1,999,a,r1,2022-07-01,6,N,\n"
    problems = _problems(_dataset(tmp_path, referrals=referrals))
    assert len(problems) == 1 and "'__row'" in problems[0] and "referrals.csv" in problems[0]


CUT_CASES = {  # problems in columns headline figures do not keep, in whole files, and a warning across tables
    "unknown referral source": {"referrals": REFERRALS_HEADER + "999,a,r1,2022-07-01,ZZ,N,\n"},
    "three problems in a file": {"referrals": REFERRALS_HEADER + "999,a,r1,2022-13-01,6,N,\n999,b,r2,2022-07-01,ZZ,N,\n"
                                 "999,c,r3,2022-07-01,6,N,2022-01-01\n"},
    "a duplicate referral id": {"referrals": REFERRALS_HEADER + "999,a,r1,2022-07-01,6,N,\n999,b,r1,2022-07-02,6,N,\n"},
    "a column missing": {"referrals": "la_code,child_id,referral_id,referral_source,nfa\n999,a,r1,6,N\n"},
    "a child not in the children table": {"referrals": REFERRALS_HEADER + "999,z,r1,2022-07-01,6,N,\n"},
    "an unknown code in an optional column": {
        "referrals": "la_code,child_id,referral_id,referral_date,referral_source,nfa,primary_need\n999,a,r1,2022-07-01,6,N,N99\n"},
    "an unknown disability code": {"children": "la_code,child_id,sex,date_of_birth,ethnicity,disability\n999,a,F,2010-01-01,WBRI,Q\n"},
}


@pytest.mark.parametrize("files", CUT_CASES.values(), ids=CUT_CASES.keys())
def test_loading_fewer_columns_still_checks_every_column(tmp_path, files):
    from perfkit.indicators.measure_base import COUNTED_COLUMNS

    directory = _dataset(tmp_path, **files)

    def outcome(**options) -> list[str]:
        try:
            return ["warning: " + str(w) for w in load_dataset(directory, **options).warnings]
        except ContractError as exc:
            return [str(p) for p in exc.problems]

    assert outcome() == outcome(columns=COUNTED_COLUMNS) != []


def test_headlines_from_fewer_columns_are_the_same_and_breakdowns_need_every_column(small_data):
    from perfkit.indicators.engine import compute
    from perfkit.indicators.measure_base import COUNTED_COLUMNS

    cut = load_dataset(small_data, columns=COUNTED_COLUMNS)
    assert cut.table("contacts").columns == ["la_code", "child_id", "contact_date", "outcome"]
    windows = ["2023-24 Q3", "2023-24 Q4 YTD", "2023-24 Q4 R12"]
    assert compute(cut, windows).equals(compute(load_dataset(small_data), windows))
    with pytest.raises(ValueError, match="breakdowns need every column.*without columns="):
        compute(cut, windows, breakdowns=True)


def test_columns_the_contract_does_not_have_are_refused(small_data):
    with pytest.raises(ValueError, match=r"contacts\.contact_dat, which the contract does not have"):
        load_dataset(small_data, columns={"contacts": ("contact_dat",)})


def test_a_table_with_no_rows_loads_and_its_indicators_are_not_available(small_data, tmp_path):
    """An extract with no EHC requests (a header and no rows) runs: the table is empty and says so, and
    its figures are "not available from this data", never 0; every other figure is computed."""
    import shutil

    import polars as pl

    from perfkit.indicators.engine import compute

    directory = tmp_path / "no-ehcp"
    shutil.copytree(small_data, directory)
    ehcp = next(directory.glob("ehcp_requests.*"))
    pl.read_parquet(ehcp).head(0).write_csv(directory / "ehcp_requests.csv")
    ehcp.unlink()
    data = load_dataset(directory)
    assert data.table("ehcp_requests").height == 0
    assert any("ehcp_requests.csv: the file has a header but no rows" in str(w) for w in data.warnings)
    everything = compute(data, ["2023-24 Q3"])
    figures = everything.filter(pl.col("indicator").str.starts_with("ehcp"))
    assert figures.height == 5 * len(data.authorities)  # 20 weeks, open, open over 20 weeks, received, mediation
    assert figures["value"].null_count() == figures.height and figures["numerator"].null_count() == figures.height
    assert set(figures["reason"]) == {
        "not available from this data: needs ehcp_requests.request_date, ehcp_requests.plan_issued_date, "
        "ehcp_requests.exception",
        "not available from this data: needs ehcp_requests.request_date, ehcp_requests.decision_date, "
        "ehcp_requests.plan_issued_date",
        "not available from this data: needs ehcp_requests.request_date",
        "not available from this data: needs ehcp_requests.request_date, ehcp_requests.mediation"}
    assert everything.filter(~pl.col("indicator").str.starts_with("ehcp"))["reason"].null_count() == \
        everything.height - figures.height
