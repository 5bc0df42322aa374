"""Section 47 enquiries, child protection plans and their visits, in one simulated authority."""

from __future__ import annotations

import numpy as np
import polars as pl

from perfkit.synth.authority import SimulatedAuthority
from perfkit.synth.draws import AS_AT, EVENTS_FROM, NAT, _cap, _pick, _to_dates

CP_CATEGORY = {"NEG": 0.50, "EMO": 0.36, "PHY": 0.07, "SAB": 0.04, "MUL": 0.03}


class ChildProtection(SimulatedAuthority):
    """Child protection: the enquiries the front door's assessments lead to, the plans and the visits."""

    def child_protection(self, assessed: np.ndarray, referral_dates: np.ndarray, child_index: np.ndarray,
                         ids: np.ndarray) -> None:
        """Section 47 enquiries for some ``assessed`` referrals, their ICPCs and the plans that follow, with visits.

        ``assessed`` indexes the referrals (dated ``referral_dates``, of the
        children ``child_index`` in the register, whose identifiers are ``ids``)
        that the front door assessed.
        """
        rng, p = self.rng, self.p
        s47_mask = rng.random(len(assessed)) < 0.33
        s47 = assessed[s47_mask]
        s_start = self._busday(referral_dates[s47] + rng.integers(0, 4, len(s47)).astype("timedelta64[D]"), 0)
        held = rng.random(len(s47)) < 0.38
        icpc = self._busday(s_start, np.clip(np.round(rng.lognormal(np.log(11), 0.35, len(s47))), 2, 40).astype(np.int64))
        icpc = np.where(held, icpc, NAT)
        plan = held & (rng.random(len(s47)) < 0.88)
        self.tables["section47"] = pl.DataFrame({
            "la_code": p.la_code, "child_id": ids[child_index[s47]],
            "s47_id": [f"S{p.la_code}-{k + 1:06d}" for k in range(len(s47))],
            "start_date": _to_dates(s_start), "icpc_date": _to_dates(_cap(icpc)),
            "icpc_not_required": np.where(held, "N", "Y"),
            "cp_plan": np.where(icpc > np.datetime64(AS_AT), None, np.where(plan, "Y", "N")),
        })
        plan_rows = s47[plan]
        plan_start = icpc[plan]
        plan_children = child_index[plan_rows]
        plan_length = np.clip(rng.lognormal(np.log(250), 0.6, len(plan_rows)), 20, 1400).astype(np.int64)
        plan_end = plan_start + plan_length.astype("timedelta64[D]")
        # some children had a plan before the records begin: their earlier plans are kept too
        history = rng.random(len(plan_rows)) < 0.17
        old_start = np.array([np.datetime64(EVENTS_FROM)] * int(history.sum()), dtype="datetime64[D]") - rng.integers(400, 3000, int(history.sum())).astype("timedelta64[D]")
        old_end = old_start + rng.integers(90, 360, len(old_start)).astype("timedelta64[D]")
        all_children = np.concatenate([plan_children, plan_children[history]])
        all_start = np.concatenate([plan_start, old_start])
        all_end = np.concatenate([plan_end, old_end])
        dob = np.array(self.children.dob, dtype="datetime64[D]")[all_children]
        all_start = np.maximum(all_start, dob)
        all_end = np.maximum(all_end, all_start + 30)
        categories = _pick(rng, CP_CATEGORY, len(all_children))
        latest = np.where(rng.random(len(all_children)) < 0.9, categories, _pick(rng, CP_CATEGORY, len(all_children)))
        order = np.lexsort((all_start, all_children))
        plans = pl.DataFrame({
            "la_code": p.la_code, "child_id": ids[all_children[order]],
            "plan_id": [f"P{p.la_code}-{k + 1:06d}" for k in range(len(order))],
            "start_date": _to_dates(all_start[order]), "end_date": _to_dates(_cap(all_end[order])),
            "initial_category": categories[order], "latest_category": latest[order],
        })
        self.tables["cp_plans"] = plans
        self.cp_visits(plans)

    def cp_visits(self, plans: pl.DataFrame) -> None:
        rng = self.rng
        rows_child, rows_plan, rows_date = [], [], []
        as_at = np.datetime64(AS_AT)
        for child, plan, start, end in plans.select("child_id", "plan_id", "start_date", "end_date").iter_rows():
            day = np.datetime64(start)
            stop = min(np.datetime64(end) if end else as_at, as_at)
            careful = rng.random() < 0.9
            while True:
                day = day + int(rng.integers(5, 12) if careful else rng.integers(7, 22))
                if day >= stop:
                    break
                rows_child.append(child)
                rows_plan.append(plan)
                rows_date.append(day)
        visit_dates = np.array(rows_date, dtype="datetime64[D]")
        # most visits are written up within days; some weeks later
        delay = np.where(rng.random(len(visit_dates)) < 0.93, rng.integers(0, 4, len(visit_dates)),
                         rng.integers(4, 30, len(visit_dates)))
        self.tables["cp_visits"] = pl.DataFrame({
            "la_code": self.p.la_code, "child_id": rows_child, "plan_id": rows_plan,
            "visit_date": _to_dates(visit_dates),
            "seen_alone": np.where(rng.random(len(rows_date)) < 0.7, "Y", "N"),
            "recorded_date": _to_dates(_cap(visit_dates + delay.astype("timedelta64[D]"))),
        })
