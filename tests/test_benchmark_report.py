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
    assert "lower than England (22.6%; better)" in sentence and "ranked 97th of 153" in sentence
    cla = kent.table.filter(kent.table["indicator"] == "cla_rate").row(0, named=True)
    assert kent.sentence(cla).startswith("Children looked after per 10,000 (at period end): 53 per 10,000 in 2025, lower than England (67 per 10,000)")
    series = kent.series.filter(kent.series["label"] == rereferrals["title"])
    assert set(series["series"]) == {"This authority", "England", "Region", "Statistical neighbours"}
    assert len(set(series["year"])) >= 5


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
    assert "Kent (886): children" in html and 'vegaEmbed("#pk-chart-' in html
    assert "build_benchmark_report(" not in html
