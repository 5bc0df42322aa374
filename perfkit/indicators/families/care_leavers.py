"""Count care leavers recorded (by accommodation and activity), in suitable accommodation and in education,
employment or training."""

from __future__ import annotations

import polars as pl

from perfkit.indicators.measure_base import (
    ROWS,
    MeasureInput,
    MeasureRows,
    count_true,
    measure,
)
from perfkit.indicators.windows import in_window
from perfkit.indicators.catalogue import load_catalogue


def _care_leavers(m: MeasureInput) -> pl.DataFrame:
    return m.shared("care_leavers", lambda: in_window(m.data.table("care_leavers"), "reference_date", m.windows))


@measure("care_leavers_suitable_pct")
def care_leavers_suitable_pct(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_care_leavers(m), count_true(pl.col("accommodation").str.ends_with("1")), ROWS)


@measure("care_leavers_recorded")
def care_leavers_recorded(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_care_leavers(m), ROWS)


@measure("care_leavers_eet_pct")
def care_leavers_eet_pct(m: MeasureInput) -> MeasureRows:
    # the activities the catalogue names (one list: the disclosure model adds the activity groups up to it)
    activities = [str(code) for code in load_catalogue()["care_leavers_eet_pct"].within["groups"]]
    return MeasureRows(_care_leavers(m), count_true(pl.col("activity").is_in(activities)), ROWS)
