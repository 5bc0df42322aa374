"""Member charts: every finished specification is valid Vega-Lite.

Charts are built without Altair's check of each part as it is made (see
:func:`perfkit.charts.unchecked`), so the finished specifications are checked
here, once, against the Vega-Lite schema Altair ships.
"""

from __future__ import annotations

import copy

import jsonschema
import polars as pl
import pytest

from perfkit.charts import ChartOutput, breakdown_chart, import_altair, trend_chart
from perfkit.report import build_report

PERIOD = "2023-24 Q3"


def _validate(spec: dict) -> None:
    import_altair()
    from altair.vegalite.v5.schema.core import Root

    Root.validate(spec)


@pytest.fixture(scope="module")
def report_charts(small_data) -> list[ChartOutput]:
    report = build_report("990", PERIOD, small_data)
    charts = []
    for family in report.families:
        charts += [c for c in (report.family_chart(family.id), report.breakdown_chart(family)) if c is not None]
    assert len(charts) >= 2 * len(report.families) - 1
    return charts


def test_every_chart_of_a_report_is_valid_vega_lite(report_charts):
    for chart in report_charts:
        _validate(chart.spec)


def test_the_schema_check_catches_a_broken_chart(report_charts):
    broken = copy.deepcopy(report_charts[0].spec)
    broken["spec"]["layer"][0]["encoding"]["y"]["type"] = "numeric"
    with pytest.raises(jsonschema.ValidationError, match="numeric"):
        _validate(broken)


def test_charts_are_the_same_as_altair_builds_them_with_its_checks_on():
    """Building without the checks changes nothing in the specification."""
    from altair.utils.schemapi import debug_mode

    series = pl.DataFrame({"title": ["Referrals"] * 3 + ["Re-referrals"] * 3, "period": ["2024-25 Q1", "2024-25 Q2", "2024-25 Q3"] * 2,
                           "value": [10.0, 12.0, 11.0, 20.0, 21.5, None], "shown": ["10", "12", "11", "20.0%", "21.5%", "no figure"],
                           "target": [None, None, None, 22.0, 22.0, 22.0]})
    rows = pl.DataFrame({"choice": ["Referrals by sex"] * 2 + ["Referrals by source"], "group": ["Female", "Male", "Police"],
                         "value": [10.0, None, 7.0], "shown": ["10", "fewer than 5", "7"]})
    quick = [trend_chart(series, "Referrals", ["2024-25 Q1", "2024-25 Q2", "2024-25 Q3"], "2024-25 Q1").spec,
             breakdown_chart(rows, "Referrals").spec]
    import_altair()
    with debug_mode(True):
        from perfkit import charts

        checked = [charts._trend_chart(import_altair(), series, "Referrals", ["2024-25 Q1", "2024-25 Q2", "2024-25 Q3"],
                                       "2024-25 Q1").spec,
                   charts._breakdown_chart(import_altair(), rows, "Referrals").spec]
    assert quick == checked
    for spec in quick:
        _validate(spec)
