"""The published-benchmark layer against the real DfE files in ``shared/``.

These tests read the published files beside the project (``perfkit.config.paths.shared_dir()``)
and assert figures taken from them, so they fail if a loader, a rule or a file
changes. Where the shared folder is absent (a user's machine) they are skipped.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from helpers import needs_published

from perfkit.config.paths import published_dfe_dir
from perfkit.indicators.catalogue import load_catalogue
from perfkit.published import (
    benchmarks,
    comparators,
    ees,
    lait,
    markers,
    neighbours,
    reproduction,
    tidy,
)

pytestmark = needs_published()

CLA = "cla_number_and_rate_per_10k_children.csv"
C1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
D3 = "d3_cpps_subsequent_plan_2013_to_2025.csv"
STABILITY = "la_cla_placement_stability.csv"
CSWW = "csww_indicators_2017_to_2025.csv"
SUITABILITY = "la_care_leavers_accommodation_suitability.csv"
B1 = "b1_children_in_need_2013_to_2025.csv"


@pytest.fixture(scope="module")
def kent_2025() -> pl.DataFrame:
    return benchmarks.benchmark_table("886", 2025)


@pytest.fixture(scope="module")
def values() -> pl.DataFrame:
    """Every comparator's published figures (each file read once for the module)."""
    return comparators.all_comparator_values()


def _row(frame: pl.DataFrame, **where) -> dict:
    rows = frame.filter(*[pl.col(k) == v for k, v in where.items()])
    assert rows.height == 1, f"expected one row for {where}, found {rows.height}"
    return rows.row(0, named=True)


# --------------------------------------------------------------------------- reproduction


# file -> (LA rows with counts, all matching; suppressed rows, counted apart)
EXPECTED_REPRODUCTION = {
    CLA: (2267, 58),
    C1: (1948, 28),
    D3: (1924, 52),
    STABILITY: (4497, 153),
}


@pytest.mark.parametrize("file", list(EXPECTED_REPRODUCTION))
def test_published_values_are_reproduced_from_published_counts(file):
    result = reproduction.reproduce_published(file)
    with_counts, suppressed = EXPECTED_REPRODUCTION[file]
    compared = result.filter(pl.col("match").is_not_null())
    assert compared.height == with_counts
    assert result.filter(pl.col("status") == "suppressed").height == suppressed
    assert result.height == with_counts + suppressed  # every LA row is either compared or suppressed
    mismatches = compared.filter(~pl.col("match"))
    assert mismatches.height == 0, mismatches.head(5)
    assert compared["match"].all()  # 100% of LA rows with counts
    summary = reproduction.reproduction_summary(result)
    assert summary["match_pct"].to_list() == [100.0] * summary.height


@pytest.mark.parametrize(
    ("file", "year", "la_code", "group", "published"),
    [
        # exact ties, where rounding half to even (polars' default) would give 16.2, 6.2 and 52
        (C1, 2016, "800", "all", "16.3"),  # 182 / 1120 = 16.25%
        (D3, 2014, "213", "all", "6.3"),  # 7 / 112 = 6.25%
        (STABILITY, 2021, "866", "Children looked after continuously for at least 2.5 years on 31 March aged "
         "under 16 years | Living with the same carer for at least 2 years", "53"),  # 63 / 120 = 52.5%
    ],
)
def test_reproduction_rounds_exact_ties_half_up(file, year, la_code, group, published):
    row = _row(reproduction.reproduce_published(file), year=year, la_code=la_code, group=group)
    assert row["published"] == published
    assert row["recomputed"] == published
    assert row["match"] is True
    assert pl.Series([float(Decimal(row["numerator"]) * 100 / Decimal(row["denominator"]))]).round(len(published.partition(".")[2]))[0] != float(published)


def test_cla_rate_reproduced_for_kent():
    row = _row(reproduction.reproduce_published(CLA), year=2025, la_code="886", group="Children looked after on 31 March each year")
    assert (row["numerator"], row["denominator"], row["published"], row["recomputed"]) == ("1896", "355390", "53", "53")


# --------------------------------------------------------------------------- EES loading


@pytest.mark.parametrize(
    ("file", "column", "year", "la_code", "where", "marker"),
    [
        (CSWW, "agency_rate_fte", 2025, "394", {}, "low"),  # Sunderland
        (SUITABILITY, "care_leaver_percent", 2025, "344", {"care_leaver_age": "19 to 21 years", "breakdown": "No information"}, "k"),
        (SUITABILITY, "care_leaver_count", 2025, "344", {"care_leaver_age": "17 to 18 years", "breakdown": "Accommodation considered suitable"}, "c"),
        (CLA, "rate_per_10000", 2025, "201", {"population_type": "Children looked after on 31 March each year"}, "c"),
        (CLA, "rate_per_10000", 2025, "909", {"population_type": "Children looked after on 31 March each year"}, "z"),
        (B1, "At31_episodes", 2024, "850", {}, "u"),
        (C1, "rereferral_percent", 2022, "204", {}, "x"),
    ],
)
def test_suppression_markers_load_as_empty_value_with_marker(file, column, year, la_code, where, marker):
    loaded = ees.load_ees(published_dfe_dir() / file)
    row = _row(loaded, year=year, la_code=la_code, **where)
    assert row[column] is None  # never zero, never a negative placeholder
    assert row[column + "_marker"] == marker
    at = loaded.columns.index(column)
    assert loaded.columns[at + 1] == column + "_marker"  # the marker sits beside its value


def test_markers_never_become_zero_or_negative():
    loaded = ees.load_ees(published_dfe_dir() / CSWW)
    marked = loaded.filter(pl.col("agency_rate_fte_marker").is_not_null())
    assert marked.height > 0
    assert marked["agency_rate_fte"].null_count() == marked.height
    assert set(marked["agency_rate_fte_marker"].to_list()) == {"u", "x", "low"}
    assert loaded["agency_rate_fte"].drop_nulls().min() >= 0


def test_numbers_next_to_markers_are_kept():
    row = _row(ees.load_ees(published_dfe_dir() / CSWW), year=2025, la_code="394")
    assert (row["inpost_fte"], row["turnover_rate_fte"], row["caseload_fte"]) == (229.5, 11.8, 17.1)
    assert row["inpost_fte_marker"] is None


@pytest.mark.parametrize("file", [CLA, STABILITY, "la_care_leavers_activity.csv", "la_cla_swcount.csv"])
def test_byte_order_mark_is_dropped(file):
    path = published_dfe_dir() / file
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"  # the file really has one
    raw = ees.read_ees_csv(path)
    assert raw.columns[1] == "time_period"
    assert ees.load_ees(path)["year"].min() >= 2021


def test_column_order_differs_between_files_and_names_are_used():
    cla = ees.read_ees_csv(published_dfe_dir() / CLA).columns
    c1 = ees.read_ees_csv(published_dfe_dir() / C1).columns
    assert cla.index("la_name") < cla.index("new_la_code")
    assert c1.index("la_name") > c1.index("new_la_code")
    row = _row(ees.load_ees(published_dfe_dir() / CLA), year=2025, la_code="886",
               population_type="Children looked after on 31 March each year")
    assert (row["la_name"], row["new_la_code"], row["children_count"]) == ("Kent", "E10000016", 1896.0)


@pytest.mark.parametrize(("la_code", "name", "old", "new", "published"), [
    ("815", "North Yorkshire", "E10000023", "E06000065", (17.0, 19.8)),
    ("933", "Somerset", "E10000027", "E06000066", (21.4, 23.0)),
], ids=["North Yorkshire", "Somerset"])
def test_reorganised_counties_are_one_series_by_old_la_number(la_code, name, old, new, published, values):
    c1 = ees.load_ees(published_dfe_dir() / C1)
    rows = c1.filter(pl.col("la_code") == la_code, pl.col("year").is_in([2023, 2024])).sort("year")
    assert rows["new_la_code"].to_list() == [old, new]  # the ONS code changed
    assert rows["la_name"].to_list() == [name, name]
    assert tuple(rows["rereferral_percent"].to_list()) == published
    table = benchmarks.benchmark_rows(values, [], la_code, 2024, comparators.load_comparators())
    row = _row(table, indicator="rereferral_pct")
    assert (row["previous"], row["value"]) == published


def test_boundary_changes_are_not_merged():
    cla = ees.tidy_ees(
        ees.load_ees(published_dfe_dir() / CLA), "rate_per_10000", {"population_type": "Children looked after on 31 March each year"}, CLA
    ).filter(pl.col("la_code").is_in(["909", "942", "943", "928", "940", "941"]))
    by = {(r["la_code"], r["year"]): (r["value"], r["marker"]) for r in cla.iter_rows(named=True)}
    assert by[("909", 2023)] == (82.0, None) and by[("909", 2024)] == (None, "z")  # Cumbria until March 2023
    assert by[("942", 2023)] == (None, "z") and by[("942", 2024)] == (93.0, None)  # Cumberland from 2024
    assert by[("943", 2024)] == (63.0, None)
    assert by[("928", 2021)] == (67.0, None) and by[("928", 2022)] == (None, "z")  # Northamptonshire
    assert by[("940", 2021)] == (None, "z") and by[("941", 2022)] == (71.0, None)


def test_successor_has_no_previous_year_and_a_note():
    table = benchmarks.benchmark_table("942", 2024)
    cla = _row(table, indicator="cla_rate")
    assert (cla["value"], cla["previous"], cla["change"], cla["direction"]) == (93.0, None, None, None)
    assert "Cumbria (909)" in cla["note"]
    # the workforce census is at 30 September, after the April 2023 split: Cumberland has 2023
    assert _row(table, indicator="sw_turnover_rate")["previous"] == 2.1


def test_joint_workforce_returns_go_to_each_authority():
    csww = ees.load_ees(published_dfe_dir() / CSWW)
    rows = csww.filter(pl.col("year") == 2025, pl.col("shared_return").is_not_null()).sort("la_code")
    assert rows["la_code"].to_list() == ["314", "318", "940", "941"]
    assert rows["shared_return"].to_list() == ["314 / 318", "314 / 318", "940 / 941", "940 / 941"]
    assert rows["la_name"].to_list()[2:] == ["North Northamptonshire", "West Northamptonshire"]
    assert rows["turnover_rate_fte"].to_list() == [28.0, 28.0, 10.4, 10.4]
    # LAIT publishes the same figure for both authorities
    lait_rows = lait.load_lait(["Work_Force_TO_Rate"]).filter(pl.col("year") == 2025, pl.col("la_code").is_in(["940", "941"]))
    assert lait_rows["value"].to_list() == [10.4, 10.4]


def test_errors_name_file_column_row_and_value():
    data = (published_dfe_dir() / C1).read_bytes().replace(b",4899,1156,23.6,", b",4899,1156,23.6%,", 1)
    raw = ees.parse_ees(data, C1)
    with pytest.raises(ees.PublishedDataError) as error:
        markers.split_value_markers(raw, ["rereferral_percent"], C1)
    message = str(error.value)
    assert C1 in message and "'rereferral_percent'" in message and "'23.6%'" in message
    row = raw.filter(pl.col("rereferral_percent") == "23.6%")["source_row"][0]
    assert f"row {row}" in message


# --------------------------------------------------------------------------- LAIT


def test_lait_loads_into_the_tidy_shape():
    cin = lait.load_lait(["CIN"])
    assert cin.schema == pl.Schema(tidy.TIDY_SCHEMA)
    assert _row(cin, year=2025, la_code="886")["value"] == 316.5
    assert _row(cin, year=2025, geographic_level="National")["value"] == 330.3
    cumbria = _row(cin, year=2025, la_code="909")
    assert (cumbria["value"], cumbria["marker"]) == (None, "-")
    assert _row(cin, year=2025, geographic_level="Regional", region_name="South East")["value"] == 313.9
    assert _row(cin, year=2025, la_code="342")["la_name"] == "St. Helens"


def test_lait_rereferrals_agree_with_the_ees_file():
    from_lait = lait.load_lait(["ReReferral"]).filter(pl.col("year") == 2025, pl.col("la_code").is_not_null())
    from_ees = ees.tidy_ees(ees.load_ees(published_dfe_dir() / C1), "rereferral_percent", source=C1).filter(
        pl.col("year") == 2025, pl.col("la_code").is_not_null()
    )
    both = from_lait.join(from_ees, on="la_code", suffix="_ees").filter(pl.col("value").is_not_null())
    assert both.height >= 140
    assert (both["value"] - both["value_ees"]).abs().max() < 1e-9


# --------------------------------------------------------------------------- neighbours


KENT_2025 = ["881", "845", "878", "303", "935", "926", "891", "938", "822", "933"]
KENT_2021 = ["881", "845", "866", "885", "888", "941", "891", "937", "935", "860"]


def test_neighbours_of_kent_in_closeness_order():
    assert neighbours.neighbours_of("886") == KENT_2025
    assert neighbours.neighbours_of("886", neighbours.MODEL_2021) == KENT_2021
    la_codes = set(ees.load_ees(published_dfe_dir() / C1).filter(pl.col("year") == 2025)["la_code"].drop_nulls())
    assert set(KENT_2025) <= la_codes and "886" not in KENT_2025


@pytest.mark.parametrize(("model", "authorities", "historic"), [
    (neighbours.DEFAULT_MODEL, 153, []),
    (neighbours.MODEL_2021, 156, ["835", "836", "837", "928"]),  # the "Old SNs:" footer section
])
def test_neighbour_files_quirks(model, authorities, historic):
    frame = neighbours.load_neighbours(model)
    assert frame["la_code"].n_unique() == authorities
    assert frame.group_by("la_code").len()["len"].unique().to_list() == [10]
    assert sorted(frame.filter(pl.col("historic"))["la_code"].unique().to_list()) == historic
    closeness = set(frame["closeness"].to_list())
    assert closeness <= {"Extremely close", "Very close", "Close", "Somewhat close", "Not close"}  # trimmed, one case
    assert neighbours.code_for_name("St Helens", frame) == neighbours.code_for_name("St. Helens", frame) == "342"


def test_2021_model_duplicate_closeness_headers_are_read_by_position():
    frame = neighbours.load_neighbours(neighbours.MODEL_2021)
    kent = frame.filter(pl.col("la_code") == "886").sort("rank")
    assert kent["closeness"].to_list()[:2] == ["Extremely close", "Very close"]
    assert kent.row(0, named=True)["region_name"] == "South East"


# --------------------------------------------------------------------------- comparators


def test_comparators_cover_the_brief_and_restate_no_polarity():
    mapped = {c.indicator for c in comparators.load_comparators()}
    assert mapped == {
        "referral_rate", "rereferral_pct", "cin_rate", "cpp_repeat_pct", "cpp_rate", "cla_rate",
        "cla_3plus_placements_pct", "cla_long_term_stability_pct", "care_leavers_suitable_pct",
        "care_leavers_eet_pct", "sw_agency_rate", "sw_vacancy_rate", "sw_turnover_rate", "sw_caseload",
        "assessments_45wd_pct", "icpc_15wd_pct", "cpp_2yr_plus_pct", "ehcp_20wk_pct", "referral_nfa_pct", "s47_rate",
    }
    catalogue = load_catalogue()
    for c in comparators.load_comparators():
        assert c.polarity == catalogue[c.indicator].polarity
    import importlib.resources

    text = importlib.resources.files("perfkit.published").joinpath("comparators.yaml").read_text(encoding="utf-8")
    assert "polarity:" not in text


def test_comparator_counts_are_the_published_counts(values):
    kent = values.filter(pl.col("year") == 2025, pl.col("la_code") == "886")
    stability = _row(kent, indicator="cla_3plus_placements_pct")
    assert (stability["value"], stability["numerator"], stability["denominator"]) == (12.0, 221.0, 1896.0)
    agency = _row(kent, indicator="sw_agency_rate")
    assert agency["numerator"] * 100 / agency["denominator"] == pytest.approx(13.16, abs=0.01)
    assert agency["value"] == 13.2
    eet = _row(kent, indicator="care_leavers_eet_pct", breakdown="17 to 18 years")
    assert (eet["value"], eet["numerator"], eet["denominator"]) == (51.0, 264.0, 520.0)


# --------------------------------------------------------------------------- benchmark table


def test_benchmark_table_for_kent_2025(kent_2025):
    table = kent_2025
    assert table.height == len(comparators.load_comparators()) == 22
    cla = _row(table, indicator="cla_rate")
    assert (cla["value"], cla["england"], cla["region_name"], cla["region"]) == (53.0, 67.0, "South East", 55.0)
    assert cla["band"] is None and cla["rank"] is None and cla["direction"] is None  # polarity none
    assert cla["previous"] == 56.0 and cla["change"] == -3.0
    rereferral = _row(table, indicator="rereferral_pct")
    assert (rereferral["value"], rereferral["england"], rereferral["region"]) == (21.6, 22.6, 28.4)
    assert (rereferral["previous"], rereferral["change"], rereferral["direction"]) == (23.3, -1.7, "better")
    assert (rereferral["band"], rereferral["rank"], rereferral["ranked"]) == ("C", 97, 153)
    catalogue = load_catalogue()
    for row in table.iter_rows(named=True):
        assert 0 <= row["sn_used"] <= 10
        polarity = catalogue[row["indicator"]].polarity
        if row["value"] is None:  # EHC plans: LAIT has calendar years to 2024
            assert row["indicator"] == "ehcp_20wk_pct" and row["band"] is None
        elif polarity == "none":
            assert row["band"] is None and row["rank"] is None and row["direction"] is None
        else:
            assert row["band"] in ("A", "B", "C", "D")
            assert 1 <= row["rank"] <= row["ranked"] <= 155
            assert row["direction"] in ("better", "worse", "no change")


def test_sn_mean_leaves_out_neighbours_without_a_value(kent_2025, values):
    cla = values.filter(pl.col("indicator") == "cla_rate", pl.col("year") == 2025, pl.col("la_code").is_in(KENT_2025))
    row = _row(kent_2025, indicator="cla_rate")
    assert row["sn_used"] == cla["value"].drop_nulls().len() == 10
    assert row["sn_mean"] == pytest.approx(cla["value"].mean())
    # Kent's 2021-model neighbour 941 (West Northamptonshire) has no CLA figure for 2021 (marker z): left out, not zero
    old = benchmarks.benchmark_rows(values, KENT_2021, "886", 2021, comparators.load_comparators())
    row_2021 = _row(old, indicator="cla_rate")
    in_2021 = values.filter(pl.col("indicator") == "cla_rate", pl.col("year") == 2021, pl.col("la_code").is_in(KENT_2021))
    assert _row(in_2021, la_code="941")["marker"] == "z"
    assert row_2021["sn_used"] == 9
    assert row_2021["sn_mean"] == pytest.approx(in_2021["value"].drop_nulls().sum() / 9)


def test_the_neighbours_mean_is_exact_before_it_is_rounded_half_up():
    """Devon's (878) ten neighbours' re-referral percentages in 2025 add up to exactly 199.5: the mean is 19.95
    and shows as 20.0, as LAIT shows it (in binary floating point it was 19.949999999999996, shown 19.9). The
    mean of every authority's neighbours, for every comparator in 2024 and 2025, is the exact decimal mean."""
    from perfkit.indicators.rounding import round_half_up
    from perfkit.published.data import PublishedData

    published = PublishedData.remembered()
    devon = benchmarks.benchmark_rows(published.values, published.neighbours["878"], "878", 2025, published.comparators)
    row = devon.filter(pl.col("indicator") == "rereferral_pct").row(0, named=True)
    assert row["sn_used"] == 10 and str(round_half_up(row["sn_mean"], 1)) == "20.0"
    values = published.values.filter(pl.col("geographic_level") == "Local authority")
    checked = 0
    for la in ("878", "886", "201", "909", "942"):
        for year in (2024, 2025):
            table = benchmarks.benchmark_rows(published.values, published.neighbours.get(la, []), la, year, published.comparators)
            for r in table.filter(pl.col("sn_used") > 0).iter_rows(named=True):
                figures = values.filter((pl.col("year") == r["year"]) & (pl.col("indicator") == r["indicator"])
                                        & (pl.col("breakdown") == r["breakdown"])
                                        & pl.col("la_code").is_in(published.neighbours.get(la, [])))["value"].drop_nulls()
                exact = sum(Decimal(repr(v)) for v in figures.to_list()) / len(figures)
                assert round_half_up(r["sn_mean"], r["decimals"]) == exact.quantize(Decimal(1).scaleb(-r["decimals"]), rounding="ROUND_HALF_UP")
                checked += 1
    assert checked > 100


@pytest.mark.parametrize("indicator, measure", [
    ("assessments_45wd_pct", "Continue_Assess_Comp"), ("icpc_15wd_pct", "CP_conf_15days"),
    ("cpp_2yr_plus_pct", "CPPlans2yrs"), ("ehcp_20wk_pct", "SEN_EHC_Excpt_20wks"),
])
def test_the_indicators_lait_publishes_are_benchmarked_from_lait(indicator, measure):
    """Four catalogue indicators with a published twin were not benchmarked (#17); each now reads LAIT's
    figure, checked against the LAIT table read directly (England's EHC plans within 20 weeks: 46.4% in 2024)."""
    from perfkit.config.paths import published_lait_dir

    lait = pl.read_parquet(published_lait_dir() / "bds_long_0.parquet").filter(
        (pl.col("Short Desc") == measure) & (pl.col("Years") == "2024"))
    def published(area: str) -> float:
        return round(float(lait.filter(pl.col("LA and Regions") == area)["Values"].item()), 1)

    row = _row(benchmarks.benchmark_table("886", 2024), indicator=indicator)
    assert row["value"] == published("Kent") and row["england"] == published("England")
    assert row["sn_used"] > 0 and row["band"] in ("A", "B", "C", "D")
    if indicator == "ehcp_20wk_pct":
        assert row["england"] == 46.4



@pytest.mark.parametrize("la_code, borough, part", [("202", "Camden", "London (Inner)"), ("302", "Barnet", "London (Outer)"),
                                                    ("201", "City of London", "London (Inner)")])
def test_a_london_borough_is_compared_with_inner_or_outer_london(la_code, borough, part):
    """As the published files and LAIT do (#17): Camden's referral rate in 2024 against Inner London's 600.4,
    not London's 552.9, read from the LAIT table directly; London only where the part has no figure."""
    from perfkit.config.paths import published_lait_dir

    lait = pl.read_parquet(published_lait_dir() / "bds_long_0.parquet").filter(
        (pl.col("Short Desc") == "CPP_Total_Rateper10,000") & (pl.col("Years") == "2024"))
    row = _row(benchmarks.benchmark_table(la_code, 2024), indicator="referral_rate")
    expected = round(float(lait.filter(pl.col("LA and Regions") == part)["Values"].item()), 1)
    assert row["region"] == expected and row["region_name"] == part.replace("London (Inner)", "Inner London").replace(
        "London (Outer)", "Outer London")
    assert row["region"] != round(float(lait.filter(pl.col("LA and Regions") == "London")["Values"].item()), 1)
