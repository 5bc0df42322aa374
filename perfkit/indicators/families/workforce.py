"""Count the social work workforce: agency and vacancy rates, turnover, permanent staff, starters, newly qualified
social workers and caseloads."""

from __future__ import annotations

import polars as pl

from perfkit.indicators.measure_base import MeasureInput, MeasureRows, measure
from perfkit.indicators.windows import TO, in_window, last_month


def _total(column: str) -> pl.Expr:
    return pl.col(column).sum().cast(pl.Float64)


@measure("sw_agency_rate")
def sw_agency_rate(m: MeasureInput) -> MeasureRows:
    rows = last_month(m.data.table("workforce"), m.windows)
    return MeasureRows(rows, _total("agency_fte"), _total("permanent_fte") + _total("agency_fte"))


@measure("sw_vacancy_rate")
def sw_vacancy_rate(m: MeasureInput) -> MeasureRows:
    rows = last_month(m.data.table("workforce"), m.windows)
    return MeasureRows(rows, _total("vacancy_fte"), _total("permanent_fte") + _total("vacancy_fte"))


@measure("sw_turnover_rate")
def sw_turnover_rate(m: MeasureInput) -> MeasureRows:
    rows = in_window(m.data.table("workforce"), "month", m.windows, "rolling12")
    in_last_month = pl.col("month") == pl.col(TO).dt.month_start()
    return MeasureRows(rows, _total("leavers_fte"), pl.col("permanent_fte").filter(in_last_month).sum().cast(pl.Float64))


@measure("sw_caseload")
def sw_caseload(m: MeasureInput) -> MeasureRows:
    rows = last_month(m.data.table("workforce"), m.windows)
    return MeasureRows(rows, _total("cases"), _total("case_holders_fte"))


@measure("sw_permanent_fte")
def sw_permanent_fte(m: MeasureInput) -> MeasureRows:
    return MeasureRows(last_month(m.data.table("workforce"), m.windows), _total("permanent_fte"))


@measure("sw_starters_fte")
def sw_starters_fte(m: MeasureInput) -> MeasureRows:
    return MeasureRows(in_window(m.data.table("workforce"), "month", m.windows), _total("starters_fte"))


@measure("sw_nqsw_pct")
def sw_nqsw_pct(m: MeasureInput) -> MeasureRows:
    rows = last_month(m.data.table("workforce"), m.windows)
    return MeasureRows(rows, _total("nqsw_fte"), _total("permanent_fte"))
