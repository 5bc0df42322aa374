"""Count education, health and care plans: requests received, plans issued within 20 weeks, requests open at the
period end (and those open for longer), and requests that went to mediation."""

from __future__ import annotations

import polars as pl

from perfkit.indicators.measure_base import (
    ROWS,
    MeasureInput,
    MeasureRows,
    count_true,
    measure,
)
from perfkit.indicators.windows import TO, in_window, open_at_end

EHCP_WEEKS_DAYS = 140


@measure("ehcp_20wk_pct")
def ehcp_20wk_pct(m: MeasureInput) -> MeasureRows:
    issued = m.data.table("ehcp_requests").filter(pl.col("exception").fill_null("N") != "Y")
    rows = in_window(issued, "plan_issued_date", m.windows)
    within = (pl.col("plan_issued_date") - pl.col("request_date")).dt.total_days() <= EHCP_WEEKS_DAYS
    return MeasureRows(rows, count_true(within), ROWS)


OVER = "over"
"""The ``__ehcp_time_open`` of a request open more than 20 weeks at the period end (labels.yaml: ``ehcp_time_open``)."""


def _open_requests(m: MeasureInput) -> pl.DataFrame:
    """Each request open at a period's end (no plan issued and no decision not to issue by then), once per
    period, with ``__ehcp_time_open``: ``over`` where it was made more than 20 weeks (140 days) before the
    period's end, ``under`` otherwise."""

    def build() -> pl.DataFrame:
        requests = m.data.table("ehcp_requests").with_columns(
            closed=pl.min_horizontal("plan_issued_date", "decision_date"))
        rows = open_at_end(requests, "request_date", "closed", m.windows)
        old = (pl.col(TO) - pl.col("request_date")).dt.total_days() > EHCP_WEEKS_DAYS
        return rows.with_columns(__ehcp_time_open=pl.when(old).then(pl.lit(OVER)).otherwise(pl.lit("under")))

    return m.shared("open_ehcp_requests", build)


@measure("ehcp_open")
def ehcp_open(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_open_requests(m), ROWS)


@measure("ehcp_open_over_20wk")
def ehcp_open_over_20wk(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_open_requests(m), count_true(pl.col("__ehcp_time_open") == OVER))


@measure("ehcp_requests_received")
def ehcp_requests_received(m: MeasureInput) -> MeasureRows:
    return MeasureRows(in_window(m.data.table("ehcp_requests"), "request_date", m.windows), ROWS)


@measure("ehcp_mediation")
def ehcp_mediation(m: MeasureInput) -> MeasureRows:
    closed = m.data.table("ehcp_requests").with_columns(closed=pl.min_horizontal("plan_issued_date", "decision_date"))
    rows = in_window(closed.filter(pl.col("closed").is_not_null()), "closed", m.windows)
    return MeasureRows(rows, count_true(pl.col("mediation") == "Y"))
