"""Statistical process control in the member report (#20): every trend an SPC chart, icons beside every
headline figure, the summary's significant changes, and the declared changes (rebasing) of the parameters.

The report is read back from the finished HTML of a batch run (``perfkit batch --authority 990``), as a
member gets it: the charts' data, their tables, the headline table's icons and the commentary.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from perfkit.errors import SettingsError
from perfkit.indicators.catalogue import load_catalogue
from perfkit.present.charts import POINT_TYPES, POINT_WORDS
from perfkit.present.spc_icons import ASSURANCE_LABELS, VARIATION_LABELS

CATALOGUE = load_catalogue()
SPC_FIELDS = ("mean", "lower_limit", "upper_limit", "point_type")


@pytest.fixture(scope="module")
def batch_page(tmp_path_factory) -> tuple[str, str]:
    """990's member page from ``perfkit batch --authority 990 --out DIR --workers 1`` on the embedded data."""
    from perfkit.cli import main

    out = tmp_path_factory.mktemp("spc-batch")
    assert main(["batch", "--authority", "990", "--out", str(out), "--workers", "1"]) == 0
    (page,) = list(out.glob("*/990.html"))
    period = page.parent.name.replace("-Q", " Q")
    return page.read_text(encoding="utf-8"), period


def _specs(html: str) -> list[dict]:
    decoder = json.JSONDecoder()
    return [decoder.raw_decode(html, m.end())[0] for m in re.finditer(r'vegaEmbed\("#pk-chart-[0-9a-f]+", ', html)]


def _trend_rows(html: str) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {}
    for spec in _specs(html):
        if spec.get("title", {}).get("text", "").endswith("trend by quarter"):
            for row in spec["data"]["values"]:
                if row["value"] is None and row["shown"] == "":  # a trajectory's path ahead: a target, no figure
                    continue
                rows.setdefault(row["title"], []).append(row)
    return rows


def _soup(html: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def _truth(period: str) -> pl.DataFrame:
    from perfkit.pipeline.aggregates import build_report

    return build_report("990", period, audience="analyst").measures


def test_every_trend_of_990_carries_limits_or_says_why_not(batch_page):
    """Every trend whose quarters are all shown carries its mean, limits and point types on every quarter; the
    others (a figure not published) carry none, and their commentary says why. A sum over a rolling 12 months
    is charted as each quarter alone, annualised, and carries limits over those."""
    from perfkit.present.by_month import a_month

    html, period = batch_page
    members = _truth(period).filter(pl.col("breakdown") == "all")
    from perfkit.pipeline.aggregates import build_report

    report = build_report("990", period)
    trends = _trend_rows(html)
    assert len(trends) == len(report.indicators)
    with_limits, without = [], []
    for title, rows in trends.items():
        indicator = next(i for i in CATALOGUE.indicators if i.trend_title == title)
        alone = indicator.trend == "quarter_alone"
        own = report.measures.filter((pl.col("indicator") == indicator.id) & (pl.col("breakdown") == "all")
                                     & (pl.col("period").str.ends_with(" 3M") == alone) & ~a_month())
        assert own.height == len(rows), title
        fully_shown = not own["suppressed"].any() and own["reason"].null_count() == own.height
        eligible = fully_shown
        carried = [all(row.get(f) is not None for f in SPC_FIELDS) for row in rows]
        if eligible:
            assert all(carried), title
            assert {row["point_type"] for row in rows} <= set(POINT_TYPES)
            assert all(row["lower_limit"] <= row["mean"] <= row["upper_limit"] for row in rows), title
            with_limits.append(indicator)
        else:
            assert not any(row.get(f) is not None for row in rows for f in SPC_FIELDS), title
            without.append(indicator)
    assert len(with_limits) >= 35 and members.height  # every trend 990's figures allow
    alone = {i.id for i in with_limits if i.trend == "quarter_alone"}
    assert alone == {"referral_rate", "s47_rate", "sw_turnover_rate"}, alone
    assert "cla_3plus_placements_pct" in {i.id for i in with_limits}  # a stock at each quarter's end
    text = " ".join(_soup(html).get_text(" ").split())
    for indicator in without:  # the commentary says why there are no limits, in words
        why = re.search(re.escape(indicator.title) + r": [^;]{0,120}?[,;] no process limits \(([^)]*)\)", text)
        assert why, indicator.title
        assert "not published" in why.group(1), why.group(1)
    # the chart's table says the same: a variation, mean and limit row under each indicator with limits
    for indicator in with_limits:
        assert f"<td>{indicator.trend_title}: upper process limit</td>" in html, indicator.title


def test_every_headline_figure_has_a_variation_and_an_assurance_icon_with_words(batch_page):
    html, period = batch_page
    soup = _soup(html)
    tables = soup.select("table.pk-family")
    for table in tables:
        headers = [th.get_text() for th in table.select("thead th")]
        assert all(th.get("scope") == "col" for th in table.select("thead th"))
        assert headers[1:5] == [period, "Number", "Variation", "Assurance"]
    rows = [tr for table in tables for tr in table.select("tbody tr")]
    assert len(rows) >= 30
    for tr in rows:
        cells = tr.find_all("td")
        title = cells[0].get_text()
        variation, assurance = cells[3], cells[4]
        svg = variation.find("svg")
        assert svg is not None, title  # every headline figure has a variation icon, limits or not
        assert svg["role"] == "img" and svg["aria-label"] in VARIATION_LABELS, title
        assert svg.find("title").get_text() == svg["aria-label"], title
        icon = assurance.find("svg")
        if icon is None:
            assert assurance.get_text() == "No target", title
        else:
            assert icon["role"] == "img" and icon["aria-label"] in ASSURANCE_LABELS
            assert icon.find("title").get_text() == icon["aria-label"]
            assert icon["aria-label"].startswith(("Assurance", "Assurance not assessed"))
    every_icon = soup.select("svg.pk-icon")
    assert every_icon and all(i.get("role") == "img" and i.get("aria-label") and i.find("title") for i in every_icon)
    assert not any(re.search(r"\d", i.find("title").get_text()) for i in every_icon)


def test_the_variation_icon_agrees_with_the_chart_and_the_commentary(batch_page):
    """The headline icon shows the latest point's type; the sentence says 'significant' exactly then."""
    html, _ = batch_page
    soup = _soup(html)
    icons = {tr.find_all("td")[0].get_text(): tr.find_all("td")[3].find("svg")["aria-label"]
             for tr in soup.select("table.pk-family tbody tr")}
    scorecard = {tr.find_all("td")[0].get_text(): tr.find_all("td")[4].find("svg")["aria-label"]
                 for tr in soup.select("table.pk-scorecard tbody tr")}
    assert scorecard == icons  # the scorecard and each family's table show the same variation
    text = " ".join(soup.get_text(" ").split())
    for trend_title, rows in _trend_rows(html).items():
        title = next(i.title for i in CATALOGUE.indicators if i.trend_title == trend_title)
        latest = rows[-1].get("point_type")
        label = icons[title]
        if latest is None:
            assert label.startswith("Variation not assessed")
            continue
        assert label.startswith("Common cause") == (latest == "common_cause"), title
        sentence = re.search(re.escape(title) + r": [^;]{0,40}? in \d{4}-\d{2} Q\d, "
                             r"(within normal variation|a significant (improvement|concern|change))", text)
        assert sentence, title
        assert (sentence.group(1) == "within normal variation") == (latest == "common_cause"), title
        if latest != "common_cause":
            assert {"improvement": "special_cause_improvement", "concern": "special_cause_concern",
                    "change": "special_cause_neutral"}[sentence.group(2)] == latest


def test_the_summary_lists_the_significant_changes_not_the_biggest(batch_page):
    html, period = batch_page
    text = " ".join(_soup(html).get_text(" ").split())
    assert "Biggest movements" not in text
    start = text.index(f"Significant changes in {period}")
    summary = text[start:text.index("Red against target", start) if "Red against target" in text[start:] else None]
    significant = {title for title, rows in _trend_rows(html).items()
                   if rows[-1].get("point_type") not in (None, "common_cause")}
    listed = {title for title in _trend_rows(html) if f"{title}: " in summary}
    assert listed == significant
    for title in listed:
        assert re.search(re.escape(title) + r": [^:]+, a significant (improvement|concern|change): ", summary), title


def test_the_batch_page_passes_the_disclosure_audit_with_its_limits(batch_page):
    from perfkit.present.disclosure_audit import audit_page, read_spc

    html, period = batch_page
    from perfkit.pipeline.aggregates import build_report

    truth = build_report("990", period, audience="analyst")
    assert len(read_spc(html, period)) > 1000
    assert audit_page(html, truth.measures.drop("suppressed", "withheld"), truth.quality, period) == []


# -- declared changes: rebasing ---------------------------------------------------------------------------------------


def test_a_declared_change_rebases_the_limits_and_the_words_say_so(tmp_path):
    from dataclasses import replace

    from perfkit.pipeline.aggregates import build_report

    report = build_report("990")
    indicator = CATALOGUE["referrals"]
    change = report.period.shift(-5).label
    rebased = replace(report, rebase={"referrals": (change,)})
    spc = rebased.spc(indicator)
    assert spc.rebased == (change,)
    chart = spc.chart
    assert chart["segment"].n_unique() == 2
    assert chart.filter(pl.col("period") == change)["segment"][0] == 1
    assert chart["mean"].n_unique() == 2
    assert f"provisional limits, from the 6 quarters since the change declared in {change}" in rebased.sentence(indicator)
    assert report.spc(indicator).chart["segment"].n_unique() == 1  # the report without the setting is not changed


def test_the_rebase_setting_is_read_and_checked_naming_the_file_indicator_and_period(tmp_path):
    from perfkit.config.settings import read_authority_settings
    from perfkit.pipeline.aggregates import check_spc_rebase

    path = tmp_path / "990.yaml"
    path.write_text('authority: "990"\nname: Northmoor\nspc_rebase: {referrals: ["2023-24 Q1"]}\n', encoding="utf-8")
    assert read_authority_settings(path).rebase_at("referrals") == ("2023-24 Q1",)
    for text, expected in [
        ('spc_rebase: {referrals: ["2023-24 Q5"]}', r"990\.yaml, key 'spc_rebase', indicator 'referrals': period '2023-24 Q5'"),
        ('spc_rebase: {referrals: ["2023-25 Q1"]}', r"indicator 'referrals': period '2023-25 Q1': expected a quarter"),
        ("spc_rebase: [referrals]", r"key 'spc_rebase': expected a mapping of indicators"),
        ('spc_rebase: {referrals: ["2023-24 Q1", "2023-24 Q1"]}', r"period '2023-24 Q1' is given twice"),
    ]:
        path.write_text(f'authority: "990"\n{text}\n', encoding="utf-8")
        with pytest.raises(SettingsError, match=expected):
            read_authority_settings(path)
    path.write_text('authority: "990"\nspc_rebase: {referals: ["2023-24 Q1"]}\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"990\.yaml, key 'spc_rebase', indicator 'referals' \(period '2023-24 Q1'\): "
                                            "not an indicator in the catalogue"):
        check_spc_rebase(read_authority_settings(path))


def test_the_rebase_setting_reaches_a_batchs_report(tmp_path):
    """Through the batch's saved aggregates (meta.json) to the report's limits."""
    from perfkit.config import paths
    from perfkit.config.settings import AuthoritySettings
    from perfkit.pipeline.aggregates import compute_aggregates, load_aggregates, save_aggregates
    from perfkit.records.loading import load_dataset

    settings = AuthoritySettings.from_mapping({"authority": "990", "spc_rebase": {"contacts": ["2023-24 Q3"]}}, "990.yaml")
    data = load_dataset(paths.default_data_dir(), authorities=["990"])
    folder = save_aggregates({"990": compute_aggregates(data, "990", "2024-25 Q4", settings=settings)}, tmp_path / "agg")
    assert load_aggregates(folder, "990").settings.rebase_at("contacts") == ("2023-24 Q3",)
    from perfkit.pipeline.aggregates import build_report

    report = build_report("990", "2024-25 Q4", aggregates=folder)
    assert report.spc(CATALOGUE["contacts"]).rebased == ("2023-24 Q3",)


def test_a_change_declared_for_the_latest_quarter_draws_no_limits_and_says_why():
    from dataclasses import replace

    from perfkit.pipeline.aggregates import build_report

    report = build_report("990")
    rebased = replace(report, rebase={"contacts": (report.period.label,)})
    spc = rebased.spc(CATALOGUE["contacts"])
    assert not spc.has_limits and "too few quarters" in spc.reason
    assert "no process limits (a change in the process was declared in" in rebased.sentence(CATALOGUE["contacts"])


def test_point_words_of_the_chart_table_are_those_the_audit_reads():
    assert set(POINT_WORDS) == set(POINT_TYPES)
    assert not any(re.search(r"\d", w) for w in [*POINT_WORDS.values(), *VARIATION_LABELS, *ASSURANCE_LABELS])


@pytest.mark.parametrize("path", [Path("docs/spc.md")])
def test_the_method_says_when_a_report_draws_no_limits(path):
    from perfkit.config import paths

    text = (paths.project_root() / path).read_text(encoding="utf-8")
    assert "## In the member report" in text and "rolling 12 months" in text


@pytest.mark.parametrize(("indicator_id", "kind", "numerators", "denominators"), [
    ("cpp_2yr_plus_pct", "p", [5, 6, 7, 5, 8, 6, 9, 5, 6, 7, 5, 9], [80, 84, 90, 85, 82, 88, 86, 81, 83, 90, 87, 85]),
    ("cla_rate", "u", [5, 6, 7, 5, 8, 6, 9, 5, 6, 7, 5, 9], [62_992] * 12),
    ("rereferral_pct", "xmr", [150, 160, 170, 155, 165, 175, 180, 150, 160, 170, 155, 165], [700] * 12),
])
def test_small_numbers_get_a_p_or_u_chart_for_analysts_and_an_xmr_chart_for_members(indicator_id, kind, numerators,
                                                                                   denominators):
    """Where recommended_chart says so, an analyst's percentage gets a p chart and a rate a u chart, from the
    numerators and denominators. Members get an XmR chart of the shown figures: a p or u chart's limits publish
    each quarter's denominator, and the audit refuses a member page with one. The audit's recomputation finds
    the members' chart from the true figures, and not from others."""
    from perfkit.present.process_control import chart_columns, recompute, series_spc

    indicator = CATALOGUE[indicator_id]
    scale = {"percent": 100, "rate_per_10k": 10_000}[indicator.unit]
    periods = [f"20{22 + k // 4}-{23 + k // 4} Q{k % 4 + 1}" for k in range(12)]
    rows = [{"period": p, "numerator": float(n), "denominator": float(d), "value": scale * n / d}
            for p, n, d in zip(periods, numerators, denominators)]
    analysts = series_spc(indicator, rows, small_number_charts=True)
    assert analysts.kind == kind
    if kind != "xmr":
        limits = analysts.chart["upper_limit"].to_list()
        assert len(set(limits)) > 1 or len(set(denominators)) == 1  # a limit a point, from its own denominator
        published = {p: [(name, value, 0.5e-4 if name != "point_type" else 0.0) for name, value in fields.items()]
                     for p, fields in chart_columns(analysts).items()}
        assert recompute(indicator, periods, {r["period"]: r for r in rows}, [0] * 12, published).chart is None
    spc = series_spc(indicator, rows)
    assert spc.kind == "xmr"
    claims = {p: [(name, value, 0.5e-4 if name != "point_type" else 0.0) for name, value in fields.items()]
              for p, fields in chart_columns(spc).items()}
    truth = {r["period"]: r for r in rows}
    assert recompute(indicator, periods, truth, [0] * 12, claims).kind == "xmr"
    other = {**truth, periods[3]: {**truth[periods[3]], "numerator": truth[periods[3]]["numerator"] + 3,
                                   "value": scale * (truth[periods[3]]["numerator"] + 3) / truth[periods[3]]["denominator"]}}
    assert recompute(indicator, periods, other, [0] * 12, claims).chart is None
