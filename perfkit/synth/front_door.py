"""Contacts, referrals and assessments: the front door of one simulated authority."""

from __future__ import annotations

import datetime as dt
from collections import deque

import numpy as np
import polars as pl

from perfkit.synth.child_protection import ChildProtection
from perfkit.synth.draws import AS_AT, EVENTS_FROM, NAT, _cap, _days, _pick, _to_dates

MONTH_FACTOR = {4: 0.95, 5: 1.05, 6: 1.04, 7: 1.0, 8: 0.72, 9: 1.14, 10: 1.08, 11: 1.1, 12: 0.84, 1: 1.02, 2: 1.0, 3: 1.06}
AGE_WEIGHTS = np.array([10, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 7, 7, 7, 6, 4], dtype=float)
SOURCES = {"6": 0.29, "2A": 0.19, "3A": 0.04, "3B": 0.03, "3E": 0.04, "3F": 0.03, "5A": 0.05, "5C": 0.04, "5D": 0.04,
           "1A": 0.05, "1B": 0.02, "1C": 0.01, "4": 0.03, "7": 0.02, "8": 0.06, "9": 0.01, "10": 0.05}


class FrontDoor(ChildProtection):
    """The front door: contacts, referrals and their children, assessments and closures; the section 47
    enquiries its assessments lead to are child protection's (:class:`~perfkit.synth.child_protection.ChildProtection`)."""

    def referrals_and_front_door(self) -> None:
        rng, p = self.rng, self.p
        days = _days(EVENTS_FROM, AS_AT)
        dates = days.astype(dt.date)
        weekday = np.array([d.weekday() for d in dates])
        shape = np.array([MONTH_FACTOR[d.month] for d in dates]) * np.where(weekday < 5, 1.0, 0.12)
        years = np.array([d.year if d.month >= 4 else d.year - 1 for d in dates])
        trend = 1 + 0.015 * (years - 2021) + 0.03 * np.sin(years * 1.7 + int(p.la_code))
        annual = p.referral_rate * p.population_0_17 / 10_000
        daily = annual * shape * trend / (shape.sum() / (len(days) / 365.25))
        counts = rng.poisson(daily)
        referral_dates = np.repeat(days, counts)
        n = len(referral_dates)

        # children: a re-referral takes a child referred in the 12 months before
        child_index = np.empty(n, dtype=np.int64)
        recent: deque[tuple[np.datetime64, int]] = deque()
        repeat_draw = rng.random(n)
        new_ages = rng.choice(18, size=n, p=AGE_WEIGHTS / AGE_WEIGHTS.sum())
        fresh = np.flatnonzero(repeat_draw >= p.rereferral_share)
        new_ids = self._new_children(referral_dates[fresh], new_ages[fresh])
        new_lookup = dict(zip(fresh.tolist(), new_ids.tolist()))
        year = np.timedelta64(365, "D")
        for i in range(n):
            day = referral_dates[i]
            while recent and recent[0][0] < day - year:
                recent.popleft()
            eligible = len(recent)
            while eligible and recent[eligible - 1][0] >= day:
                eligible -= 1
            if i in new_lookup or eligible == 0:
                child = new_lookup.get(i)
                if child is None:
                    child = int(self._new_children(referral_dates[i:i + 1], new_ages[i:i + 1])[0])
            else:
                child = recent[int(rng.integers(0, eligible))][1]
            child_index[i] = child
            recent.append((day, child))

        ids = np.array(self.children.ids, dtype=object)
        referral_ids = np.array([f"R{p.la_code}-{k + 1:07d}" for k in range(n)], dtype=object)
        nfa = rng.random(n) < 0.08
        sources = _pick(rng, SOURCES, n)
        need = _pick(rng, {"N1": 0.55, "N2": 0.08, "N3": 0.04, "N4": 0.18, "N5": 0.02, "N6": 0.04, "N8": 0.05, "N9": 0.04}, n)

        # assessments for referrals not closed at the front door
        assessed = np.flatnonzero(~nfa)
        a_start = self._busday(referral_dates[assessed] + rng.integers(0, 3, len(assessed)).astype("timedelta64[D]"), 0)
        fy = np.array([d.year if d.month >= 4 else d.year - 1 for d in referral_dates[assessed].astype(dt.date)])
        speed = p.assessment_speed * (1.12 - 0.04 * (fy - 2018).clip(0, 5))
        duration = np.clip(np.round(rng.lognormal(np.log(27 * speed), 0.5)), 1, 160).astype(np.int64)
        a_auth = self._busday(a_start, duration)
        needs_support = rng.random(len(assessed)) < 0.55
        self.tables["assessments"] = pl.DataFrame({
            "la_code": p.la_code, "child_id": ids[child_index[assessed]],
            "assessment_id": [f"A{p.la_code}-{k + 1:07d}" for k in range(len(assessed))],
            "referral_id": referral_ids[assessed], "start_date": _to_dates(a_start),
            "authorised_date": _to_dates(_cap(a_auth)),
            "needs_support": np.where(a_auth > np.datetime64(AS_AT), None, np.where(needs_support, "Y", "N")),
        })

        # section 47 enquiries, ICPCs and child protection plans
        self.child_protection(assessed, referral_dates, child_index, ids)

        # referral closure: at the front door, after assessment, or after a spell of support
        closure = np.full(n, NAT, dtype="datetime64[D]")
        reason = np.full(n, None, dtype=object)
        closure[nfa] = referral_dates[nfa]
        reason[nfa] = "RC8"
        support_days = rng.exponential(220, len(assessed)).astype(np.int64).astype("timedelta64[D]")
        assessed_close = np.where(needs_support, a_auth + support_days, a_auth)
        closure[assessed] = assessed_close
        reason[assessed] = np.where(needs_support, _pick(rng, {"RC1": 0.1, "RC2": 0.05, "RC3": 0.1, "RC4": 0.05, "RC6": 0.1, "RC7": 0.6}, len(assessed)), np.where(rng.random(len(assessed)) < 0.5, "RC8", "RC9"))
        open_now = closure > np.datetime64(AS_AT)
        reason[open_now] = None
        self.referral_children = child_index
        self.referral_dates = referral_dates
        self.tables["referrals"] = pl.DataFrame({
            "la_code": p.la_code, "child_id": ids[child_index], "referral_id": referral_ids,
            "referral_date": _to_dates(referral_dates), "referral_source": sources,
            "nfa": np.where(nfa, "Y", "N"), "closure_date": _to_dates(_cap(closure)),
            "closure_reason": reason, "primary_need": need,
        })

        # contacts: every referral came from a contact; about as many again went elsewhere
        extra = rng.poisson(daily * 1.05)
        extra_dates = np.repeat(days, extra)
        reuse = rng.random(len(extra_dates)) < 0.55
        known = np.array(self.children.ids, dtype=object)
        extra_children = np.empty(len(extra_dates), dtype=object)
        extra_children[reuse] = known[rng.integers(0, len(known), int(reuse.sum()))]
        fresh_extra = np.flatnonzero(~reuse)
        ages = rng.choice(18, size=len(fresh_extra), p=AGE_WEIGHTS / AGE_WEIGHTS.sum())
        new_extra = self._new_children(extra_dates[fresh_extra], ages)
        extra_children[fresh_extra] = np.array(self.children.ids, dtype=object)[new_extra]
        contact_dates = np.concatenate([referral_dates - rng.integers(0, 2, n).astype("timedelta64[D]"), extra_dates])
        contact_children = np.concatenate([ids[child_index], extra_children])
        outcomes = np.concatenate([np.array(["referral"] * n, dtype=object),
                                   _pick(rng, {"early_help": 0.38, "nfa": 0.34, "information": 0.28}, len(extra_dates))])
        contact_sources = np.concatenate([sources, _pick(rng, SOURCES, len(extra_dates))])
        order = np.argsort(contact_dates, kind="stable")
        self.tables["contacts"] = pl.DataFrame({
            "la_code": p.la_code, "child_id": contact_children[order],
            "contact_id": [f"K{p.la_code}-{k + 1:07d}" for k in range(len(order))],
            "contact_date": _to_dates(contact_dates[order]), "contact_source": contact_sources[order],
            "outcome": outcomes[order],
        })

    def early_help(self) -> None:
        """Early help episodes: most contacts passed to early help start one within three weeks, whose
        assessment is completed within about a month and which closes some months on (still open at the
        extract date where that is later). A child's next contact passed to early help starts no episode while
        one is open. Drawn from a generator of their own, so that adding them changed no other table."""
        rng = np.random.default_rng([int(self.p.la_code), 73])
        district = dict(zip(self.children.ids, self.children.district))
        passed = (self.tables["contacts"].filter(pl.col("outcome") == "early_help")
                  .select("child_id", "contact_date").sort("child_id", "contact_date"))
        organisations = {"Family hub": 0.5, "School": 0.25, "Health visiting": 0.15, "Voluntary sector": 0.1}
        rows, open_until = [], {}
        for child, contact in passed.iter_rows():
            if rng.random() >= 0.8:
                continue  # the family declined, or the need was met without an episode
            start = contact + dt.timedelta(days=int(rng.integers(2, 22)))
            if start > AS_AT or open_until.get(child, dt.date.min) >= start:
                continue
            end = start + dt.timedelta(days=int(rng.lognormal(np.log(150), 0.45)))
            assessed = start + dt.timedelta(days=int(rng.integers(7, 46))) if rng.random() < 0.92 else None
            open_until[child] = end
            rows.append((child, start, end if end <= AS_AT else None, assessed if assessed and assessed <= AS_AT else None,
                         _pick(rng, organisations, 1)[0], district.get(child)))
        frame = pl.DataFrame(rows, orient="row", schema={
            "child_id": pl.String, "eh_start": pl.Date, "eh_end": pl.Date, "assessment_end": pl.Date,
            "organisation": pl.String, "district": pl.String})
        self.tables["early_help"] = frame.select(pl.lit(self.p.la_code).alias("la_code"), *frame.columns)
