"""The benchmark report from published data, and its batch (needs ../shared)."""

from __future__ import annotations

import pytest

from perfkit.config import paths

pytestmark = pytest.mark.skipif(not paths.published_dfe_dir().exists(),
                                reason=f"published DfE files not found at {paths.published_dfe_dir()} (as on a user's machine)")


@pytest.fixture(scope="module")
def published():
    from perfkit.published.data import PublishedData

    return PublishedData.load()


def test_every_real_authority_can_be_reported(published):
    from perfkit.present.benchmark_report import build_benchmark_report

    authorities = published.authorities(2025)
    assert 150 <= len(authorities) <= 155
    kent = build_benchmark_report("886", 2025, published=published)
    assert kent.la_name == "Kent"
    rereferrals = kent.table.filter(kent.table["indicator"] == "rereferral_pct").row(0, named=True)
    assert (rereferrals["value"], rereferrals["england"], rereferrals["band"]) == (21.6, 22.6, "C")
    sentence = kent.sentence(rereferrals)
    assert "significantly lower than England (22.6%; better)" in sentence and "ranked 97th of 153" in sentence
    cla = kent.table.filter(kent.table["indicator"] == "cla_rate").row(0, named=True)
    assert kent.sentence(cla).startswith("Children looked after per 10,000 (at period end): 53 per 10,000 in 2025, "
                                         "significantly lower than England (67 per 10,000)")
    series = kent.series.filter(kent.series["label"] == rereferrals["title"])
    assert set(series["series"]) == {"This authority", "England", "Region", "Statistical neighbours"}
    assert len(set(series["year"])) >= 5


@pytest.fixture(scope="module")
def kent(published):
    from perfkit.present.benchmark_report import build_benchmark_report

    return build_benchmark_report("886", 2025, published=published)


def test_a_funnel_for_every_percentage_and_rate_with_published_counts(kent, published):
    from perfkit.indicators.catalogue import load_catalogue

    catalogue = load_catalogue()
    expected = [(c.indicator, c.breakdown) for c in published.comparators
                if c.numerator and c.denominator and catalogue[c.indicator].unit in ("percent", "rate_per_10k")]
    assert sorted((f.indicator.id, f.breakdown) for f in kent.funnels) == sorted(expected)
    assert len(expected) == 13  # sw_caseload, a ratio, and the rates LAIT publishes without a population, have none
    rereferrals = next(f for f in kent.funnels if f.indicator.id == "rereferral_pct")
    assert rereferrals.points.height == 153 and rereferrals.england == 22.6
    own = rereferrals.own
    assert (own["numerator"], own["denominator"], own["position"]) == (5194, 24035, "below 99.8%")
    half = 1.959963984540054 * (0.226 * 0.774 / 24035) ** 0.5 * 100
    assert rereferrals.limits(24035)["95%"] == pytest.approx((22.6 - half, 22.6 + half))
    assert own["value"] < rereferrals.limits(24035)["99.8%"][0]
    words = rereferrals.words("Kent")
    assert words.startswith("Re-referrals within 12 months, 2025: Kent's 21.6% (5,194 of 24,035) lies below the lower "
                            "99.8% limit around England's 22.6%: significantly lower than England")
    assert "Of 153 authorities with published counts" in words


def test_the_funnels_and_the_sentences_agree(kent):
    """Where a sentence says how the figure stands against England with its counts, the funnel says the same."""
    checked = 0
    for f in kent.funnels:
        row = kent.table.filter((kent.table["indicator"] == f.indicator.id) & (kent.table["breakdown"] == f.breakdown))
        sentence = kent.sentence(row.row(0, named=True))
        position = f.own["position"]
        if "significantly higher than England" in sentence:
            assert position in ("above 95%", "above 99.8%"), sentence
        elif "significantly lower than England" in sentence:
            assert position in ("below 95%", "below 99.8%"), sentence
        elif "similar to England" in sentence:
            assert position == "within", sentence
        else:
            continue
        checked += 1
    assert checked >= 12


def test_the_funnel_chart_is_valid_vega_lite_with_a_table(kent):
    from altair.vegalite.v5.schema.core import Root

    from perfkit.present.charts import TABLE_KEY, import_altair

    import_altair()
    chart = kent.funnel_chart()
    Root.validate(chart.spec)
    rows = chart.spec["data"]["values"]
    assert sorted({r["panel"] for r in rows if r.get("own")}) == list(range(len(kent.funnels)))
    assert all(r["name"] == "Kent" for r in rows if r.get("own"))
    table = chart.spec["usermeta"][TABLE_KEY]
    assert "Kent against England: funnel plot limits" in table and "below the lower 99.8% limit" in table
    assert "funnel plots" in kent.funnel_markdown().data


def test_unknown_authority_is_refused_with_a_message(published):
    from perfkit.present.benchmark_report import build_benchmark_report

    with pytest.raises(ValueError, match="no published figures for LA number '999' in 2025"):
        build_benchmark_report("999", 2025, published=published)


def test_benchmark_batch_writes_reports_and_an_index(tmp_path):
    from perfkit.pipeline.batch import run_benchmark_batch

    folder, outcomes = run_benchmark_batch(2025, tmp_path, workers=2, authorities=["886", "878"], progress=False)
    assert [o.authority for o in outcomes] == ["878", "886"] and all(o.ok for o in outcomes)
    index = (folder / "index.html").read_text()
    assert 'href="886.html"' in index and "Kent" in index
    html = (folder / "886.html").read_text()
    assert "Kent (886): children" in html and html.count('vegaEmbed("#pk-chart-') == 2
    assert "Kent against every authority: funnel plots" in html and "funnel plot limits" in html
    assert "build_benchmark_report(" not in html
