"""Data-quality figures that sit beside the indicators.

Members asked whether a figure is low because the work was late or because
it was recorded late ("visits were taking place within the timeframe, however
they were sometimes not being recorded within the timeframe"). These checks
count, per authority and window, the records each indicator leaves out and
why, and the items recorded after the period end.
"""

from __future__ import annotations

from typing import Callable

import polars as pl

from perfkit.indicators.availability import filled_needs, needs_reason
from perfkit.indicators.catalogue import Need
from perfkit.indicators.quality_checks import CHECKS, QUALITY_SCHEMA
from perfkit.indicators.windows import TO, in_window, open_at_end
from perfkit.records.dataset import Dataset



def _count(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.group_by("la_code", "period").agg(count=pl.len().cast(pl.Float64))


def _open_assessments(data: Dataset, windows: pl.DataFrame) -> pl.DataFrame:
    return _count(open_at_end(data.table("assessments"), "start_date", "authorised_date", windows))


def _away_episodes(data: Dataset, windows: pl.DataFrame) -> pl.DataFrame:
    away = data.table("missing_episodes").filter(pl.col("missing_type") == "A")
    return _count(in_window(away, "missing_start", windows))


def _no_interview_offer(data: Dataset, windows: pl.DataFrame) -> pl.DataFrame:
    ended = data.table("missing_episodes").filter((pl.col("missing_type") == "M") & pl.col("rhi_offered_date").is_null())
    return _count(in_window(ended, "missing_end", windows))


def _ehcp_exceptions(data: Dataset, windows: pl.DataFrame) -> pl.DataFrame:
    excepted = data.table("ehcp_requests").filter(pl.col("exception") == "Y")
    return _count(in_window(excepted, "plan_issued_date", windows))


def _late_visits(data: Dataset, windows: pl.DataFrame) -> pl.DataFrame:
    visits = data.table("cp_visits")
    if "recorded_date" not in visits.columns:
        return pl.DataFrame(schema={"la_code": pl.String, "period": windows.schema["period"], "count": pl.Float64})
    late = in_window(visits, "visit_date", windows).filter(pl.col("recorded_date") > pl.col(TO))
    return _count(late)


def _leavers_not_in_touch(data: Dataset, windows: pl.DataFrame) -> pl.DataFrame:
    out_of_touch = data.table("care_leavers").filter(pl.col("in_touch") != "YES")
    return _count(in_window(out_of_touch, "reference_date", windows))


def _unknown_children(table: str) -> Callable[[Dataset, pl.DataFrame], pl.DataFrame]:
    def count(data: Dataset, windows: pl.DataFrame) -> pl.DataFrame:
        known = data.table("children").select("la_code", "child_id")
        orphans = data.table(table).join(known, on=["la_code", "child_id"], how="anti")
        return orphans.group_by("la_code").agg(count=pl.len().cast(pl.Float64)).join(windows.select("period"), how="cross")
    return count


COUNTERS: dict[str, Callable[[Dataset, pl.DataFrame], pl.DataFrame]] = {
    "assessments_open": _open_assessments, "missing_away": _away_episodes, "missing_no_offer": _no_interview_offer,
    "ehcp_exceptions": _ehcp_exceptions, "cp_visits_recorded_late": _late_visits,
    "care_leavers_not_in_touch": _leavers_not_in_touch,
    **{check.id: _unknown_children(check.table) for check in CHECKS if check.id.endswith("_unknown_child")},
}
"""How each check of :data:`perfkit.indicators.quality_checks.CHECKS` is counted."""


def data_quality(data: Dataset, windows: pl.DataFrame) -> pl.DataFrame:
    """Every check whose table is present, for every authority and window (zero where none); no count, and
    the reason, where a column the check counts from has no value for the authority (``needs``).

    >>> import datetime as dt
    >>> from perfkit.indicators.engine import windows_frame
    >>> from perfkit.indicators.periods import Period
    >>> visits = pl.DataFrame({"la_code": ["990"], "child_id": ["a"], "visit_date": [dt.date(2024, 5, 1)]})
    >>> data = Dataset(None, {"children": visits.select("la_code", "child_id"), "cp_visits": visits})
    >>> data_quality(data, windows_frame([Period.parse("2024-25 Q1")])).filter(pl.col("check") == "cp_visits_recorded_late").select(
    ...     "check", "count", "reason").rows()
    [('cp_visits_recorded_late', None, 'not available from this data: needs cp_visits.recorded_date')]
    """
    authorities = data.authorities
    grid = pl.DataFrame({"la_code": authorities}, schema={"la_code": pl.String}).join(windows.select("period"), how="cross")
    needs = list(dict.fromkeys(Need.parse(n) for check in CHECKS for n in check.needs))
    filled = filled_needs(data, needs, authorities)
    frames = []
    for check in CHECKS:
        if not data.has(check.table):
            continue
        wanting = {la: [n for n in map(Need.parse, check.needs) if not filled[(la, n)]] for la in authorities}
        reasons = pl.DataFrame({"la_code": authorities, "reason": [needs_reason(w) if w else None for w in wanting.values()]},
                               schema={"la_code": pl.String, "reason": pl.String})
        counted = grid.join(COUNTERS[check.id](data, windows), on=["la_code", "period"], how="left").join(
            reasons, on="la_code", how="left")
        frames.append(counted.with_columns(
            pl.when(pl.col("reason").is_null()).then(pl.col("count").fill_null(0.0)),
            check=pl.lit(check.id), description=pl.lit(check.description)
        ).select([pl.col(c).cast(t) for c, t in QUALITY_SCHEMA.items()]))
    return pl.concat(frames) if frames else pl.DataFrame(schema=QUALITY_SCHEMA)
