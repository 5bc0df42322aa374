"""Data-quality figures that sit beside the indicators.

Members asked whether a figure is low because the work was late or because
it was recorded late ("visits were taking place within the timeframe, however
they were sometimes not being recorded within the timeframe"). These checks
count, per authority and window, the records each indicator leaves out and
why, and the items recorded after the period end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import polars as pl

from perfkit.indicators.windows import TO, in_window, open_at_end
from perfkit.records.dataset import Dataset

QUALITY_SCHEMA = {"la_code": pl.String, "period": pl.String, "check": pl.String, "count": pl.Float64,
                  "description": pl.String}


@dataclass(frozen=True)
class Check:
    id: str
    table: str
    description: str
    count: Callable[[Dataset, pl.DataFrame], pl.DataFrame]


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
        return pl.DataFrame(schema={"la_code": pl.String, "period": pl.String, "count": pl.Float64})
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


CHECKS: tuple[Check, ...] = (
    Check("assessments_open", "assessments",
          "assessments started and not yet authorised at the period end (not in the 45-working-day figure until authorised)",
          _open_assessments),
    Check("missing_away", "missing_episodes",
          "episodes of absence without authorisation ('away'), left out of the missing counts", _away_episodes),
    Check("missing_no_offer", "missing_episodes",
          "missing episodes ending in the period with no return home interview offer recorded", _no_interview_offer),
    Check("ehcp_exceptions", "ehcp_requests",
          "EHC plans issued in the period where a timescale exception applies, left out of the 20-week figure",
          _ehcp_exceptions),
    Check("cp_visits_recorded_late", "cp_visits",
          "child protection visits made in the period but recorded after the period end (not counted when the period was run)",
          _late_visits),
    Check("care_leavers_not_in_touch", "care_leavers",
          "care leavers recorded in the period with whom the authority was not in touch (counted as not in suitable accommodation and not in education, employment or training)",
          _leavers_not_in_touch),
    *(Check(f"{table}_unknown_child", table, f"{words} for a child who is not in the list of children", _unknown_children(table))
      for table, words in (("referrals", "referrals"), ("assessments", "assessments"), ("cp_plans", "child protection plans"),
                           ("cla_episodes", "episodes of care"), ("missing_episodes", "missing episodes"))),
)


def data_quality(data: Dataset, windows: pl.DataFrame) -> pl.DataFrame:
    """Every check whose table is present, for every authority and window (zero where none)."""
    grid = pl.DataFrame({"la_code": data.authorities}).join(windows.select("period"), how="cross")
    frames = []
    for check in CHECKS:
        if not data.has(check.table):
            continue
        counted = grid.join(check.count(data, windows), on=["la_code", "period"], how="left")
        frames.append(counted.with_columns(
            pl.col("count").fill_null(0.0), check=pl.lit(check.id), description=pl.lit(check.description)
        ).select([pl.col(c).cast(t) for c, t in QUALITY_SCHEMA.items()]))
    return pl.concat(frames) if frames else pl.DataFrame(schema=QUALITY_SCHEMA)
