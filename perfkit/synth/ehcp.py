"""Requests for an education, health and care (EHC) plan in one simulated authority."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from perfkit.synth.authority import SimulatedAuthority
from perfkit.synth.draws import AS_AT, EVENTS_FROM, NAT, _cap, _days, _to_dates


class EhcpRequests(SimulatedAuthority):
    """Special educational needs: requests for an EHC plan, the decisions and the plans issued."""

    def ehcp(self) -> None:
        rng, p = self.rng, self.p
        days = _days(EVENTS_FROM, AS_AT)
        weekday = np.array([d.weekday() for d in days.astype(dt.date)])
        daily = 110 * self.population(2018) / 10_000 / 261 * (weekday < 5)
        requests = np.repeat(days, rng.poisson(daily))
        n = len(requests)
        ages = rng.choice(18, size=n, p=np.r_[np.full(4, 0.03), np.full(12, 0.07), np.full(2, 0.02)] / 1.0 / np.r_[np.full(4, 0.03), np.full(12, 0.07), np.full(2, 0.02)].sum())
        children = self._new_children(requests, ages)
        issued = rng.random(n) < 0.66
        weeks = np.where(rng.random(n) < 0.55, rng.uniform(12, 20, n), rng.uniform(20.1, 45, n))
        issued_date = np.where(issued, requests + (weeks * 7).astype(np.int64).astype("timedelta64[D]"), NAT)
        decision = np.where(~issued, requests + rng.integers(30, 110, n).astype("timedelta64[D]"), NAT)
        self.tables["ehcp_requests"] = pl.DataFrame({
            "la_code": p.la_code, "child_id": np.array(self.children.ids, dtype=object)[children],
            "request_id": [f"E{p.la_code}-{k + 1:06d}" for k in range(n)],
            "request_date": _to_dates(requests), "decision_date": _to_dates(_cap(decision)),
            "plan_issued_date": _to_dates(_cap(issued_date)),
            "exception": np.where(rng.random(n) < 0.05, "Y", "N"),
            "mediation": np.where(rng.random(n) < 0.03, "Y", "N"),
        })
