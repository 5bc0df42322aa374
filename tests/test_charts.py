"""Member charts: every finished specification is valid Vega-Lite.

Charts are built without Altair's check of each part as it is made (see
:func:`perfkit.present.charts.unchecked`), so the finished specifications are checked
here, once, against the Vega-Lite schema Altair ships.
"""

from __future__ import annotations

import copy

import jsonschema
import polars as pl
import pytest

from perfkit.pipeline.aggregates import build_report
from perfkit.present.charts import (
    ChartOutput,
    breakdown_chart,
    import_altair,
    trend_chart,
)

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
    """Filling in a chart's form, built without the checks, gives what Altair builds for that chart with them on."""
    from altair.utils.schemapi import debug_mode

    from perfkit.present import charts

    quarters = ["2024-25 Q1", "2024-25 Q2", "2024-25 Q3"]
    series = pl.DataFrame({"title": ["Referrals"] * 3 + ["Re-referrals"] * 3, "period": quarters * 2,
                           "value": [10.0, 12.0, 11.0, 20.0, 21.5, None], "shown": ["10", "12", "11", "20.0%", "21.5%", "no figure"],
                           "target": [None, None, None, 22.0, 22.0, 22.0]})
    rows = pl.DataFrame({"choice": ["Referrals by sex"] * 2 + ["Referrals by source"], "group": ["Female", "Male", "Police"],
                         "value": [10.0, None, 7.0], "shown": ["10", "fewer than 5", "7"]})
    quick = [trend_chart(series, "Referrals", quarters, "2024-25 Q1").spec, breakdown_chart(rows, "Referrals").spec]
    # a second family of the same report reuses the form: nothing of the first is left in it
    other = trend_chart(series.with_columns(title=pl.col("title") + " (other)"), "Other", quarters, None).spec
    alt = import_altair()
    with debug_mode(True):
        trend = charts.trend_form(alt, "Referrals: trend by quarter", quick[0]["description"], ["Referrals", "Re-referrals"], quarters)
        other_trend = charts.trend_form(alt, "Other: trend by quarter", other["description"],
                                        ["Referrals (other)", "Re-referrals (other)"], quarters)
        breakdown = charts.breakdown_form(alt, "Referrals: breakdowns this quarter", quick[1]["description"],
                                          ["Referrals by sex", "Referrals by source"], "Referrals by sex")
    checked = [trend | {"data": quick[0]["data"], "usermeta": quick[0]["usermeta"]},
               breakdown | {"data": quick[1]["data"], "usermeta": quick[1]["usermeta"]}]
    assert quick == checked
    assert other == other_trend | {"data": other["data"], "usermeta": other["usermeta"]}
    assert other["title"]["text"] == "Other: trend by quarter" and not any("Other" in str(spec) for spec in quick)
    assert [row.get("is_year_earlier", False) for row in quick[0]["data"]["values"]] == [True, False, False] * 2
    for spec in quick:
        _validate(spec)


def test_the_stored_chart_forms_are_those_altair_builds():
    """Reports fill in forms kept with the package; they must be what the pinned Altair builds."""
    from perfkit.present import charts

    assert charts.stored_forms() == charts.built_forms(), "Altair builds other forms now: run perfkit.present.charts.write_forms()"


def test_a_report_imports_no_altair(small_data):
    import subprocess
    import sys

    code = (f"from perfkit import build_report; r = build_report('990', {PERIOD!r}, {str(small_data)!r}); "
            "[r.family_chart(f.id) for f in r.families]; [r.breakdown_chart(f) for f in r.families]; "
            "import sys; print('altair' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
