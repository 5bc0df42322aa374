"""The analyst explorer's drill-downs, driven by setting widget values as an analyst would."""

from __future__ import annotations

import polars as pl
import pytest

from perfkit.config import paths
from perfkit.indicators.catalogue import load_catalogue
from perfkit.workbench.explorer import EVERY_AGE, EVERYWHERE, Explorer


@pytest.fixture(scope="module")
def explorer(small_data):
    return Explorer("990", small_data, quarters=8)


def test_choosing_an_indicator_offers_its_breakdowns(explorer):
    explorer.indicator.value = "missing_episodes"
    values = [v for _, v in explorer.breakdown.options]
    assert values[0] == "all" and {"sex", "district", "looked_after"} <= set(values)
    explorer.indicator.value = "sw_agency_rate"
    assert {"team", "department"} <= {v for _, v in explorer.breakdown.options}


def test_breakdown_and_filters_change_the_table(explorer):
    explorer.indicator.value = "referrals"
    explorer.breakdown.value = "all"
    explorer.district.value = EVERYWHERE
    explorer.age.value = EVERY_AGE
    total = explorer.table()["numerator"].sum()
    explorer.breakdown.value = "sex"
    by_sex = explorer.table()
    assert set(by_sex["group"]) <= {"Female", "Male", "Unknown"}
    assert by_sex["numerator"].sum() == total
    district = explorer.district.options[1]
    explorer.district.value = district
    in_district = explorer.table()["numerator"].sum()
    assert 0 < in_district < total
    explorer.age.value = "10-15"
    assert explorer.table()["numerator"].sum() < in_district
    explorer.district.value = EVERYWHERE
    explorer.age.value = EVERY_AGE


def test_period_range_limits_the_quarters(explorer):
    explorer.indicator.value = "referrals"
    explorer.breakdown.value = "all"
    explorer.periods.value = (explorer.quarters[2], explorer.quarters[5])
    assert explorer.table()["period"].to_list() == explorer.quarters[2:6]
    assert list(explorer.record_period.options) == explorer.quarters[2:6]
    explorer.periods.value = (explorer.quarters[0], explorer.quarters[-1])


def test_records_behind_a_cell_match_its_count(explorer):
    explorer.indicator.value = "missing_episodes"
    explorer.breakdown.value = "looked_after"
    explorer.record_period.value = explorer.quarters[-1]
    explorer.record_group.value = "Missing from care"
    records = explorer.records()
    cell = explorer.table().filter((pl.col("period") == explorer.quarters[-1]) & (pl.col("group") == "Missing from care"))
    assert records.height == cell["numerator"].item()
    assert set(records["looked_after"]) == {"Y"}
    assert "child_id" in records.columns  # analysts see the records; members never do


def test_chart_and_pivot_follow_the_controls(explorer):
    explorer.indicator.value = "cla_rate"
    explorer.breakdown.value = "sex"
    spec = explorer.chart().spec
    assert spec["encoding"]["color"]["field"] == "group"
    assert {row["group"] for row in spec["data"]["values"]} <= {"Whole authority", "Female", "Male", "Unknown"}
    # a rate has no population by group: the groups are drawn as counts, with the headline's count
    values = {(r["period"], r["group"]): r["value"] for r in spec["data"]["values"]}
    last = explorer.quarters[-1]
    assert values[(last, "Whole authority")] == sum(v for (p, g), v in values.items() if p == last and g != "Whole authority")
    assert "count" in spec["encoding"]["y"]["title"]
    assert explorer.pivot().columns[0] == "group"


def _three_ways(capsys, data_dir, period: str | None = None) -> tuple[str, dict, dict, dict]:
    """Every figure of 990 in the report's quarter, headline and breakdown, from the report's aggregates
    (analyst: unsuppressed), ``perfkit measures --breakdowns`` and the explorer; keyed by (indicator,
    breakdown, group), each (numerator, denominator, value, reason)."""
    from perfkit import build_report
    from perfkit.cli import main

    report = build_report("990", period, data_dir, audience="analyst")
    period = report.period.label
    columns = ["numerator", "denominator", "value", "reason"]

    def keyed(frame: pl.DataFrame) -> dict:
        frame = frame.filter(pl.col("period").cast(pl.String) == period)
        return {(r["indicator"], r["breakdown"], r["group"]): tuple(r[c] for c in columns)
                for r in frame.iter_rows(named=True)}

    reported = keyed(report.measures)
    assert main(["measures", "--data", str(data_dir or paths.default_data_dir()), "--authority", "990",
                 "--period", period, "--breakdowns"]) == 0
    printed = pl.read_csv(capsys.readouterr().out.encode(), schema_overrides={"la_code": pl.String, "group": pl.String,
                                                                               "reason": pl.String})
    explorer = Explorer("990", data_dir, quarters=4)
    assert explorer.quarters[-1] == period
    explored = {}
    for indicator in explorer.catalogue.indicators:
        explorer.indicator.value = indicator.id
        for breakdown, _ in [("all", None), *[(b, None) for b in indicator.breakdowns]]:
            if breakdown not in {v for _, v in explorer.breakdown.options}:
                continue
            explorer.breakdown.value = breakdown
            explored.update(keyed(explorer.table()))
    return period, reported, keyed(printed), explored


def _same(left: tuple, right: tuple) -> bool:
    return all((a is None and b is None) or (a is not None and b is not None and a == pytest.approx(b))
               if not isinstance(a, str) and not isinstance(b, str) else a == b for a, b in zip(left, right))


def test_the_explorer_the_command_line_and_the_report_give_the_same_figure_for_every_indicator(capsys):
    """One settings reader and one engine: 990's closure day counts the same in all three (the explorer and
    ``perfkit measures`` used none, and gave 87.9% where the report gave 88.2% for assessments within 45
    working days); every headline and breakdown figure of the report's quarter is equal, numerator,
    denominator and value."""
    _, reported, printed, explored = _three_ways(capsys, None)
    headlines = {k for k in reported if k[1] == "all"}
    assert len(headlines) == len(explorer_ids := {i.id for i in load_catalogue().indicators}) == 59, explorer_ids
    assert len(reported) > 300
    for key, figure in reported.items():
        assert _same(printed[key], figure), (key, printed[key], figure)
        assert _same(explored[key], figure), (key, explored[key], figure)
    assert set(printed) == set(reported) == set(explored)
    assert round(reported[("assessments_45wd_pct", "all", "all")][2], 1) == 88.2


def test_all_three_say_the_same_where_the_data_cannot_give_a_figure(capsys, tmp_path):
    """An SSDA903 import: the same figures, and the same reason where there is none, in all three."""
    from perfkit.formats.ssda903 import import_ssda903, write_ssda903
    from perfkit.synth import simulation as synth

    tables = synth.generate(seed=7, authorities=synth.DEFAULT_AUTHORITIES[:1], scale=0.05)
    write_ssda903(tables, tmp_path / "903", "990")
    import_ssda903(tmp_path / "903", tmp_path / "data", "990")
    _, reported, printed, explored = _three_ways(capsys, tmp_path / "data")
    reasons = {k: f[3] for k, f in reported.items() if f[3]}
    assert reasons[("rhi_offered_72h_pct", "all", "all")] == \
        "not available from this data: needs missing_episodes.rhi_offered_date"
    assert len(reasons) >= 20
    for key, figure in reported.items():
        assert _same(printed[key], figure), (key, printed[key], figure)
        assert _same(explored[key], figure), (key, explored[key], figure)
    assert set(printed) == set(reported) == set(explored)


# -- filters: district and age band, on the embedded data of 990 -------------------------------------------------

@pytest.fixture(scope="module")
def northmoor():
    """990's explorer over the last four quarters of the embedded data."""
    return Explorer("990", quarters=4)


def _reset(explorer: Explorer, indicator: str, breakdown: str = "all") -> None:
    explorer.district.value = EVERYWHERE
    explorer.age.value = EVERY_AGE
    explorer.periods.value = (explorer.quarters[0], explorer.quarters[-1])
    explorer.indicator.value = indicator
    explorer.breakdown.value = breakdown


def test_a_district_filter_withholds_rates_and_says_why(northmoor):
    """The population table has children aged 0-17 for the whole authority only: Coldwater's referrals over
    the authority's children (728 / 63,488 = 114.7 per 10,000) is no rate of Coldwater's, so none is shown."""
    import json

    _reset(northmoor, "referral_rate")
    northmoor.district.value = "Coldwater"
    table = northmoor.table()
    latest = table.filter(pl.col("period") == northmoor.quarters[-1])
    assert latest["numerator"].item() == 728  # Coldwater's referrals in the 12 months: still shown
    assert table["value"].is_null().all() and table["denominator"].is_null().all()
    notes = " ".join(northmoor.notes())
    assert "Coldwater" in notes and "population" in notes
    spec = northmoor.chart().spec
    assert all(row["value"] is None for row in spec["data"]["values"])
    assert "population" in json.dumps(spec["title"])  # the reason is on the figure itself
    northmoor.age.value = "10-15"  # no population by age band either
    assert northmoor.table()["value"].is_null().all()
    _reset(northmoor, "referral_rate")
    assert northmoor.table()["value"].is_not_null().all() and not northmoor.notes()


def test_filters_are_greyed_out_where_they_cannot_apply_and_the_title_names_only_those_applied(northmoor):
    import json

    _reset(northmoor, "referrals")
    unfiltered = {}
    for indicator in ("sw_agency_rate", "care_leavers_eet_pct"):
        northmoor.indicator.value = indicator
        unfiltered[indicator] = northmoor.table()
    northmoor.indicator.value = "referrals"
    northmoor.district.value = "Coldwater"
    northmoor.age.value = "10-15"
    assert not northmoor.district.disabled and not northmoor.age.disabled
    assert "Coldwater" in json.dumps(northmoor.chart().spec["title"])

    northmoor.indicator.value = "sw_agency_rate"  # staff, not children: no district, no age
    assert northmoor.district.disabled and northmoor.age.disabled
    title = json.dumps(northmoor.chart().spec["title"])
    assert "Coldwater" not in title and "10-15" not in title
    assert northmoor.table().equals(unfiltered["sw_agency_rate"])
    assert any("staff" in note for note in northmoor.notes())

    northmoor.indicator.value = "care_leavers_eet_pct"  # young people with age bands of their own
    assert not northmoor.district.disabled and northmoor.age.disabled
    title = json.dumps(northmoor.chart().spec["title"])
    assert "10-15" not in title and "Coldwater" in title
    assert northmoor.table()["numerator"].sum() < unfiltered["care_leavers_eet_pct"]["numerator"].sum()

    northmoor.indicator.value = "referrals"  # the choices come back with the indicator
    assert not northmoor.district.disabled and not northmoor.age.disabled
    _reset(northmoor, "referrals")


def _numerators(frame: pl.DataFrame) -> dict[tuple[str, str], float]:
    return {(r["period"], r["group"]): r["numerator"] for r in frame.iter_rows(named=True)}


def test_the_age_band_filter_selects_exactly_the_rows_of_the_breakdown_group(northmoor):
    """Age at the event (the breakdown's ``__age_date``) everywhere: for every indicator with an age-band
    breakdown, each quarter's filtered figure is the breakdown's figure for that group."""
    offered = {v for _, v in northmoor.indicator.options}
    compared = 0
    for indicator in northmoor.catalogue.indicators:
        if "age_band" not in indicator.breakdowns or indicator.id not in offered:
            continue
        _reset(northmoor, indicator.id, "age_band")
        groups = northmoor.table()
        assert groups.height, indicator.id
        for group in groups["group"].unique().to_list():
            northmoor.age.value = group
            northmoor.breakdown.value = "all"
            filtered = northmoor.table()
            assert filtered["group"].unique().to_list() == ["all"], indicator.id
            for period in northmoor.quarters:
                expected = groups.filter((pl.col("period") == period) & (pl.col("group") == group))["numerator"]
                got = filtered.filter(pl.col("period") == period)["numerator"]
                assert got.to_list() == (expected.to_list() or [0.0]), (indicator.id, group, period)
            northmoor.breakdown.value = "age_band"  # filtered and broken down: that group alone
            assert set(northmoor.table()["group"]) == {group}, (indicator.id, group)
            assert _numerators(northmoor.table()) == _numerators(groups.filter(pl.col("group") == group))
            northmoor.age.value = EVERY_AGE
        compared += 1
    assert compared >= 10
    _reset(northmoor, "referrals")


def test_moving_the_period_slider_does_not_change_who_counts(northmoor):
    _reset(northmoor, "referrals")
    northmoor.age.value = "10-15"
    quarter = northmoor.quarters[1]
    whole = northmoor.table().filter(pl.col("period") == quarter)["numerator"].item()
    northmoor.periods.value = (northmoor.quarters[0], quarter)
    assert northmoor.table().filter(pl.col("period") == quarter)["numerator"].item() == whole
    northmoor.record_period.value = quarter
    assert northmoor.records().height == whole
    _reset(northmoor, "referrals")


def test_records_behind_a_filtered_cell_match_its_count(northmoor):
    _reset(northmoor, "cla_rate", "sex")
    northmoor.district.value = "Coldwater"
    northmoor.age.value = "10-15"
    quarter = northmoor.quarters[-1]
    northmoor.record_period.value = quarter
    northmoor.record_group.value = "Female"
    cell = northmoor.table().filter((pl.col("period") == quarter) & (pl.col("group") == "Female"))
    records = northmoor.records()
    assert records["child_id"].n_unique() == cell["numerator"].item() > 0
    assert not any(c.startswith("__") for c in records.columns)
    _reset(northmoor, "referrals")


def test_the_age_filter_offers_the_groups_of_the_age_band_breakdown(northmoor):
    from perfkit.indicators.labels import AGE_GROUPS

    assert list(northmoor.age.options) == [EVERY_AGE, *AGE_GROUPS]


@pytest.mark.parametrize("indicator", ["referrals", "cla_starts", "missing_episodes"])
def test_the_district_filter_selects_exactly_the_rows_of_the_district_breakdown_group(northmoor, indicator):
    """The district of the record where it has one (a missing episode's, a placement's), else the child's:
    the district breakdown's rule, as the member report shows it."""
    _reset(northmoor, indicator, "district")
    groups = northmoor.table()
    for district in [d for d in northmoor.district.options if d != EVERYWHERE]:
        northmoor.district.value = district
        northmoor.breakdown.value = "all"
        filtered = {r["period"]: r["numerator"] for r in northmoor.table().iter_rows(named=True)}
        expected = {r["period"]: r["numerator"] for r in groups.filter(pl.col("group") == district).iter_rows(named=True)}
        assert filtered == {q: expected.get(q, 0.0) for q in northmoor.quarters}, district
        northmoor.breakdown.value = "district"
    _reset(northmoor, "referrals")


def test_the_reason_a_figure_is_missing_shows_under_any_breakdown(tmp_path):
    """An SSDA903 import has no return interviews: the explorer says so with a breakdown chosen too."""
    from perfkit.formats.ssda903 import import_ssda903, write_ssda903
    from perfkit.synth import simulation as synth

    tables = synth.generate(seed=7, authorities=synth.DEFAULT_AUTHORITIES[:1], scale=0.05)
    write_ssda903(tables, tmp_path / "903", "990")
    import_ssda903(tmp_path / "903", tmp_path / "data", "990")
    explorer = Explorer("990", tmp_path / "data", quarters=4)
    explorer.indicator.value = "rhi_offered_72h_pct"
    for breakdown in ("all", "looked_after"):
        explorer.breakdown.value = breakdown
        notes = " ".join(explorer.notes())
        assert "Not available from this data: needs missing_episodes.rhi_offered_date" in notes, (breakdown, notes)
        assert explorer.pivot().height == (1 if breakdown == "all" else 0)
    assert explorer.title() == "Return home interviews offered within 72 hours"


def test_groups_read_in_their_natural_order_and_choices_hold(northmoor):
    """Age bands youngest first (not 1-4, 10-15, 16 and over, 5-9, Under 1); moving the slider keeps the quarter
    whose records are shown, and the group chosen stays chosen."""
    _reset(northmoor, "contacts", "age_band")
    assert northmoor.pivot()["group"].to_list()[:5] == ["Under 1", "1-4", "5-9", "10-15", "16 and over"]
    assert list(northmoor.record_group.options)[:2] == ["Under 1", "1-4"]
    northmoor.record_period.value = northmoor.quarters[-1]
    northmoor.record_group.value = "10-15"
    northmoor.periods.value = (northmoor.quarters[1], northmoor.quarters[-1])
    assert northmoor.record_period.value == northmoor.quarters[-1]
    assert northmoor.record_group.value == "10-15"
    _reset(northmoor, "contacts")


def test_the_spc_view_draws_the_member_reports_process_control_for_any_group():
    """The explorer's process control of a group's trend is the member report's, by the same functions."""
    from perfkit import build_report

    northmoor = Explorer("990", quarters=12)  # the report's trend: 12 quarters
    northmoor.indicator.value = "assessments_45wd_pct"
    report = build_report("990", audience="analyst")
    expected = report.spc(load_catalogue()["assessments_45wd_pct"])
    got = northmoor.spc()
    assert got.has_limits and got.variation == expected.variation and got.assurance == expected.assurance
    assert got.chart["mean"].to_list() == expected.chart["mean"].to_list()
    northmoor.spc_view.value = True
    spec = northmoor.chart().spec
    assert {r["point_type"] for r in spec["data"]["values"]} <= {
        "common_cause", "special_cause_improvement", "special_cause_concern", "special_cause_neutral"}
    assert all(r["mean"] is not None for r in spec["data"]["values"])
    # a breakdown group: its own limits
    northmoor.breakdown.value = "district"
    northmoor.record_group.value = northmoor.record_group.options[0]
    assert northmoor.spc().has_limits
    # a sum over a rolling 12 months: limits over each quarter alone, annualised, as in the report
    northmoor.indicator.value = "referral_rate"
    northmoor.breakdown.value = "all"
    indicator = load_catalogue()["referral_rate"]
    got, expected = northmoor.spc(), report.spc(indicator)
    assert got.has_limits and got.chart["mean"].to_list() == expected.chart["mean"].to_list()
    assert got.chart["value"].to_list() == [round(r["value"], 1) for r in report.trend_rows(indicator)]
    spec = northmoor.chart().spec
    assert {r["title"] for r in spec["data"]["values"]} == {indicator.trend_title}
    referrals = report.measures.filter((pl.col("indicator") == "referrals") & (pl.col("breakdown") == "all"))
    population = report.measures.filter((pl.col("indicator") == "referral_rate") & (pl.col("breakdown") == "all")
                                        & pl.col("period").str.ends_with(" 3M"))
    for r, alone in zip(referrals.iter_rows(named=True), population.iter_rows(named=True)):
        assert alone["numerator"] == r["numerator"] and alone["period"] == r["period"] + " 3M"
        assert alone["value"] == pytest.approx(r["numerator"] * 4 / alone["denominator"] * 10_000)


# -- the workbench (#22): tables, cross-tabs, change by group, records, export, one draw per change -----------------

def test_the_figures_table_rounds_counts_and_changes_from_the_engines_figures(northmoor):
    """Each group's figure rounded to the indicator's places, the last quarter's numerator and denominator, and
    its change on the quarter and the year, worked out again here from the engine's unrounded rows."""
    from perfkit.indicators.periods import Period

    _reset(northmoor, "rereferral_pct", "age_band")
    table = northmoor.figures()
    last = Period.parse(northmoor.quarters[-1])
    assert table["group"].to_list()[:6] == ["Whole authority", "Under 1", "1-4", "5-9", "10-15", "16 and over"]
    assert table.columns[1:1 + len(northmoor.quarters)] == northmoor.quarters
    rows = northmoor._computed()  # the engine's rows, over the quarters shown and the year before
    for group in ("Whole authority", "10-15"):
        own = rows.filter(pl.col("group") == ("all" if group == "Whole authority" else group))
        value = {r["period"]: r["value"] for r in own.iter_rows(named=True)}
        row = table.filter(pl.col("group") == group).row(0, named=True)
        now, before, year = (round(value[p] + 1e-9, 1) for p in (last.label, last.previous().label, last.year_earlier().label))
        assert row[last.label] == now
        assert row["change_on_quarter"] == pytest.approx(now - before) and row["change_on_year"] == pytest.approx(now - year)
        assert row["numerator"] == own.filter(pl.col("period") == last.label)["numerator"].item()
        assert row["small_base"] == (row["denominator"] < 20)
    html = northmoor._tab_html("Figures")
    assert "On a year ago" in html and "shape:" not in html and "26.282051" not in html
    _reset(northmoor, "referrals")


def test_a_crosstab_of_two_breakdowns_adds_up_to_each_breakdown(northmoor):
    _reset(northmoor, "referrals", "district")
    northmoor.second.value = "age_band"
    quarter = northmoor.record_period.value
    cross = northmoor.crosstab()
    by_district = northmoor.table().filter(pl.col("period") == quarter)
    for district, count in by_district.select("group", "numerator").iter_rows():
        assert sum(v or 0 for v in cross.filter(pl.col("group") == district).row(0)[1:]) == count
    northmoor.breakdown.value = "age_band"
    by_age = dict(northmoor.table().filter(pl.col("period") == quarter).select("group", "numerator").iter_rows())
    northmoor.breakdown.value = "district"
    northmoor.second.value = "age_band"
    assert {c: northmoor.crosstab()[c].fill_null(0).sum() for c in northmoor.crosstab().columns[1:]} == by_age
    northmoor.second.value = ""
    _reset(northmoor, "referrals")


def test_change_by_group_adds_up_to_the_headlines_change(northmoor):
    _reset(northmoor, "contacts", "contact_source")
    assert northmoor.change_from.options[0] == northmoor.quarters[-2]  # the quarter before, then back from there
    northmoor.change_from.value = northmoor.quarters[-2]
    table = northmoor.contributions()
    groups = table.filter(pl.col("group") != "Whole authority")
    headline = table.filter(pl.col("group") == "Whole authority").row(0, named=True)
    assert groups["change"].sum() == headline["change"] and headline["share_of_change"] == 100.0
    assert groups["change"].to_list() == sorted(groups["change"].to_list(), reverse=True)
    _reset(northmoor, "referrals")


def test_records_say_which_are_in_the_numerator_and_the_referral_that_made_each_a_re_referral(northmoor):
    import datetime as dt

    _reset(northmoor, "rereferral_pct")
    northmoor.record_period.value = northmoor.quarters[-1]
    cell = northmoor.table().filter(pl.col("period") == northmoor.quarters[-1]).row(0, named=True)
    records = northmoor.records()
    assert records.height == cell["denominator"] and records["in_numerator"].sum() == cell["numerator"]
    assert {"age", "district", "earlier_referral"} <= set(records.columns)
    assert records["referral_source"].drop_nulls().str.contains(": ").all()  # "1A: Individual", not "1A"
    northmoor.numerator_only.value = True
    rereferrals = northmoor.records()
    assert rereferrals.height == cell["numerator"] and rereferrals["in_numerator"].all()
    for referral, earlier in rereferrals.select("referral_date", "earlier_referral").iter_rows():
        assert earlier < referral and (referral - earlier) <= dt.timedelta(days=366)
    northmoor.numerator_only.value = False
    _reset(northmoor, "referrals")


def test_export_writes_the_tables_on_screen_as_csv_and_excel(northmoor, tmp_path):
    _reset(northmoor, "referrals", "sex")
    northmoor.export_folder.value = str(tmp_path / "out")
    northmoor._on_export(None)
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert "Exported" in northmoor.export_note.value
    stem = f"990_referrals_sex_{northmoor.quarters[0].replace(' ', '-')}_{northmoor.quarters[-1].replace(' ', '-')}"
    assert written == sorted([f"{stem}_figures.csv", f"{stem}_records.csv", f"{stem}_change_by_group.csv", f"{stem}.xlsx"])
    figures = pl.read_csv(tmp_path / "out" / f"{stem}_figures.csv")
    assert figures["group"].to_list() == northmoor.figures()["group"].to_list()
    sheets = pl.read_excel(tmp_path / "out" / f"{stem}.xlsx", sheet_id=0)
    assert set(sheets) == {"Figures", "Records", "Change_by_group"} and sheets["Records"].height == northmoor.records().height
    _reset(northmoor, "referrals")


def test_a_change_draws_once(northmoor):
    """Changing the indicator with a breakdown chosen drew 3 times, looked up records 5 times and computed twice."""
    _reset(northmoor, "referrals", "district")
    northmoor.tabs.selected_index = 3  # records open
    northmoor.calls.clear()
    northmoor.indicator.value = "assessments_45wd_pct"
    assert northmoor.breakdown.value == "district"  # kept: the new indicator has it too
    assert northmoor.calls["refresh"] == 1 and northmoor.calls["chart"] == 1
    assert northmoor.calls["records"] == 1 and northmoor.calls["compute"] == 1
    northmoor.calls.clear()
    northmoor.record_group.value = northmoor.record_group.options[1]
    assert northmoor.calls["refresh"] == 0 and northmoor.calls["records"] == 1 and northmoor.calls["compute"] == 0
    northmoor.tabs.selected_index = 0
    _reset(northmoor, "referrals")
