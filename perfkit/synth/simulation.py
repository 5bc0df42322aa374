"""Deterministic synthetic record-level data following the input contract.

The default dataset in ``data/`` is made here: one fictional home authority
(990) and fictional statistical neighbours (991-993), with records from April
2018 (and children's care histories from 2008) to 31 March 2025. Volumes and
rates are calibrated to the published England figures: referrals about 530 per
10,000 children a year, re-referrals about 21%, children looked after about 67
per 10,000, assessments about 85% within 45 working days. Seasonal shape
(referrals dip in August and December, rise in September), repeat missing
episodes concentrated on a few children, a few children with many placements.

Every draw comes from one seeded generator per authority, so the same seed
and settings give the same files byte for byte.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import polars as pl

from perfkit.indicators.workdays import bank_holidays

AS_AT = dt.date(2025, 3, 31)
EVENTS_FROM = dt.date(2018, 4, 1)
CARE_FROM = dt.date(2008, 4, 1)


@dataclass(frozen=True)
class AuthorityProfile:
    """A fictional authority's size and character."""

    la_code: str
    name: str
    population_0_17: int
    districts: tuple[str, ...]
    referral_rate: float = 530.0
    rereferral_share: float = 0.215
    assessment_speed: float = 1.0
    cla_start_rate: float = 25.0
    agency_share: float = 0.17
    growth: float = 0.004


DEFAULT_AUTHORITIES: tuple[AuthorityProfile, ...] = (
    AuthorityProfile("990", "Northmoor", 62_000, ("Ashby", "Brackenfield", "Coldwater", "Dunmore", "Eastwick"),
                     referral_rate=520, rereferral_share=0.215, assessment_speed=1.0, cla_start_rate=26.0),
    AuthorityProfile("991", "Westmarsh", 48_000, ("Fallow", "Greyford", "Hatherley"),
                     referral_rate=555, rereferral_share=0.235, assessment_speed=1.15, cla_start_rate=27.0,
                     agency_share=0.22),
    AuthorityProfile("992", "Southdale", 71_000, ("Ivybridge", "Juniper", "Kestrel Vale", "Longmead"),
                     referral_rate=495, rereferral_share=0.205, assessment_speed=0.9, cla_start_rate=22.0,
                     agency_share=0.12),
    AuthorityProfile("993", "Kingsbridge", 39_000, ("Marlow Down", "Netherby"),
                     referral_rate=575, rereferral_share=0.24, assessment_speed=1.25, cla_start_rate=29.0,
                     agency_share=0.26),
)

EVENT_START = {"contacts": "contact_date", "referrals": "referral_date", "assessments": "start_date",
               "section47": "start_date", "cp_plans": "start_date", "cp_visits": "visit_date",
               "cla_episodes": "episode_start", "missing_episodes": "missing_start", "ehcp_requests": "request_date"}
MONTH_FACTOR = {4: 0.95, 5: 1.05, 6: 1.04, 7: 1.0, 8: 0.72, 9: 1.14, 10: 1.08, 11: 1.1, 12: 0.84, 1: 1.02, 2: 1.0, 3: 1.06}
AGE_WEIGHTS = np.array([10, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 7, 7, 7, 6, 4], dtype=float)
ETHNICITY = {"WBRI": 0.70, "WOTH": 0.05, "MWBC": 0.04, "MOTH": 0.03, "ABAN": 0.02, "APKN": 0.03,
             "AOTH": 0.02, "BAFR": 0.04, "BCRB": 0.02, "CHNE": 0.01, "OOTH": 0.02, "WIRI": 0.01, "REFU": 0.005, "NOBT": 0.005}
UASC_ETHNICITY = {"OOTH": 0.4, "AOTH": 0.25, "BAFR": 0.2, "BOTH": 0.15}
SOURCES = {"6": 0.29, "2A": 0.19, "3A": 0.04, "3B": 0.03, "3E": 0.04, "3F": 0.03, "5A": 0.05, "5C": 0.04, "5D": 0.04,
           "1A": 0.05, "1B": 0.02, "1C": 0.01, "4": 0.03, "7": 0.02, "8": 0.06, "9": 0.01, "10": 0.05}
CP_CATEGORY = {"NEG": 0.50, "EMO": 0.36, "PHY": 0.07, "SAB": 0.04, "MUL": 0.03}
PLACEMENTS = {"U1": 0.12, "U3": 0.20, "U4": 0.18, "U5": 0.10, "U6": 0.10, "K2": 0.11, "R1": 0.07, "P1": 0.04, "H5": 0.05, "A5": 0.03}
LEGAL = {"C2": 0.48, "C1": 0.20, "V2": 0.24, "E1": 0.04, "L2": 0.02, "J2": 0.02}
CLA_NEED = {"N1": 0.66, "N2": 0.03, "N3": 0.04, "N4": 0.13, "N5": 0.05, "N6": 0.02, "N7": 0.01, "N8": 0.06}
TEAMS = (("Front Door", "Early Help and Front Door"), ("Assessment North", "Safeguarding"),
         ("Assessment South", "Safeguarding"), ("Child Protection", "Safeguarding"),
         ("Children in Care", "Children in Care"), ("Care Leavers", "Children in Care"),
         ("Disabled Children", "Disabled Children"))


def _pick(rng: np.random.Generator, table: dict[str, float], size: int) -> np.ndarray:
    keys = list(table)
    weights = np.array([table[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=size, p=weights / weights.sum())]


def _days(start: dt.date, end: dt.date) -> np.ndarray:
    return np.arange(np.datetime64(start), np.datetime64(end) + 1, dtype="datetime64[D]")


def _to_dates(values: np.ndarray) -> pl.Series:
    """numpy day dates (NaT for unknown) as a polars Date series."""
    return pl.Series(np.asarray(values, dtype="datetime64[D]")).cast(pl.Date)


NAT = np.datetime64("NaT", "D")


def _d(value) -> dt.date | None:
    """One numpy date as a Python date (None for NaT)."""
    if value is None or np.isnat(value):
        return None
    return np.datetime64(value, "D").astype(dt.date)


def _cap(dates: np.ndarray) -> np.ndarray:
    """Dates after the extract date are not yet known: empty."""
    return np.where(dates > np.datetime64(AS_AT), NAT, dates)


@dataclass
class _Children:
    """The growing register of children of one authority."""

    la_code: str
    ids: list[str] = field(default_factory=list)
    dob: list[np.datetime64] = field(default_factory=list)
    sex: list[str] = field(default_factory=list)
    ethnicity: list[str] = field(default_factory=list)
    district: list[str] = field(default_factory=list)
    uasc: list[str] = field(default_factory=list)
    disability: list[str] = field(default_factory=list)

    def add(self, dob, sex, ethnicity, district, uasc="N", disability="N") -> int:
        self.ids.append(f"C{self.la_code}-{len(self.ids) + 1:06d}")
        self.dob.append(dob)
        self.sex.append(sex)
        self.ethnicity.append(ethnicity)
        self.district.append(district)
        self.uasc.append(uasc)
        self.disability.append(disability)
        return len(self.ids) - 1

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame({
            "la_code": [self.la_code] * len(self.ids), "child_id": self.ids, "sex": self.sex,
            "date_of_birth": _to_dates(np.array(self.dob, dtype="datetime64[D]")),
            "ethnicity": self.ethnicity, "disability": self.disability, "uasc": self.uasc,
            "district": self.district,
        })


class _AuthoritySimulation:
    def __init__(self, profile: AuthorityProfile, rng: np.random.Generator, holidays: np.ndarray):
        self.p = profile
        self.rng = rng
        self.holidays = holidays
        self.children = _Children(profile.la_code)
        self.tables: dict[str, pl.DataFrame] = {}

    # helpers
    def _new_children(self, on: np.ndarray, ages: np.ndarray, uasc: bool = False) -> np.ndarray:
        rng = self.rng
        n = len(on)
        age_days = (ages * 365.25 + rng.integers(0, 365, n)).astype("timedelta64[D]")
        dob = on - age_days
        sex = np.where(rng.random(n) < 0.01, "U", np.where(rng.random(n) < (0.9 if uasc else 0.51), "M", "F"))
        ethnicity = _pick(rng, UASC_ETHNICITY if uasc else ETHNICITY, n)
        districts = np.array(self.p.districts, dtype=object)[rng.integers(0, len(self.p.districts), n)]
        disability = np.where(rng.random(n) < 0.05, "Y", "N")
        return np.array([
            self.children.add(dob[i], sex[i], ethnicity[i], districts[i], "Y" if uasc else "N", disability[i])
            for i in range(n)
        ])

    def _busday(self, start: np.ndarray, working_days: np.ndarray) -> np.ndarray:
        return np.busday_offset(start, working_days, roll="forward", holidays=self.holidays)

    def population(self, year: int) -> int:
        return int(round(self.p.population_0_17 * (1 + self.p.growth * (year - 2018))))

    # tables
    def run(self) -> dict[str, pl.DataFrame]:
        self.referrals_and_front_door()
        self.care()
        self.missing()
        self.care_leavers()
        self.workforce()
        self.ehcp()
        self.tables["population"] = pl.DataFrame({
            "la_code": [self.p.la_code] * 13, "year": list(range(2012, 2025)),
            "population_0_17": [self.population(y) for y in range(2012, 2025)],
        })
        self.tables["children"] = self.children.frame()
        # events that would start after the extract date have not happened yet
        for name, column in EVENT_START.items():
            self.tables[name] = self.tables[name].filter(pl.col(column) <= AS_AT)
        return self.tables

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

    def care(self) -> None:
        rng, p = self.rng, self.p
        days = _days(CARE_FROM, AS_AT)
        fy = np.array([d.year if d.month >= 4 else d.year - 1 for d in days.astype(dt.date)])
        daily = p.cla_start_rate * self.population(2018) / 10_000 / 365.25 * (1 + 0.01 * (fy - 2018))
        starts = np.repeat(days, rng.poisson(daily))
        n = len(starts)
        uasc_share = np.where(starts >= np.datetime64("2021-04-01"), 0.13, 0.06)
        uasc = rng.random(n) < uasc_share
        ages = np.where(uasc, rng.integers(15, 18, n), rng.choice(
            18, size=n, p=np.array([19, 4, 4, 3, 3, 3, 3, 3, 3, 3, 4, 5, 6, 7, 8, 9, 8, 5], float) / 100))
        child = np.empty(n, dtype=np.int64)
        child[uasc] = self._new_children(starts[uasc], ages[uasc], uasc=True)
        # children already known to the front door come into care from the referral register
        from_referrals = np.flatnonzero(~uasc & (starts >= np.datetime64(EVENTS_FROM)) & (rng.random(n) < 0.6))
        dob = np.array(self.children.dob, dtype="datetime64[D]")
        for i in from_referrals:
            window = np.flatnonzero((self.referral_dates <= starts[i]) & (self.referral_dates > starts[i] - 200))
            if len(window):
                candidate = self.referral_children[window[int(rng.integers(0, len(window)))]]
                if starts[i] - dob[candidate] < np.timedelta64(int(17.5 * 365), "D"):
                    child[i] = candidate
                    ages[i] = -1
                    continue
            ages[i] = max(ages[i], 0)
        rest = np.flatnonzero(~uasc & (ages >= 0))
        child[rest] = self._new_children(starts[rest], ages[rest])
        dob = np.array(self.children.dob, dtype="datetime64[D]")
        eighteen = dob[child] + np.timedelta64(int(18 * 365.25), "D")
        short = rng.random(n) < 0.30
        length = np.where(short, rng.lognormal(np.log(120), 0.8, n), rng.lognormal(np.log(1400), 0.7, n))
        end = np.minimum(starts + np.clip(length, 3, 7000).astype(np.int64).astype("timedelta64[D]"), eighteen)
        end = np.maximum(end, starts + 1)

        ids = np.array(self.children.ids, dtype=object)
        rows = []
        instability = rng.gamma(0.6, 1 / 0.6, n)
        for i in range(n):
            legal = _pick(rng, LEGAL, 1)[0]
            need = _pick(rng, CLA_NEED, 1)[0] if not uasc[i] else "N7"
            placement = _pick(rng, PLACEMENTS, 1)[0]
            years_in_care = (end[i] - starts[i]).astype(int) / 365.25
            moves = rng.poisson(0.45 * years_in_care * instability[i] + (0.4 if years_in_care < 1 else 0))
            change_days = np.sort(rng.integers(1, max(2, (end[i] - starts[i]).astype(int)), moves)).astype("timedelta64[D]")
            change_dates = np.unique(starts[i] + change_days)
            change_dates = change_dates[change_dates < end[i]]
            bounds = [starts[i], *change_dates, end[i]]
            for k in range(len(bounds) - 1):
                if k == 0:
                    rne = "S"
                else:
                    rne = _pick(rng, {"P": 0.8, "B": 0.08, "T": 0.12}, 1)[0]
                    if rne in ("T", "B"):
                        legal = "C2" if legal in ("C1", "V2") else legal
                    if rne in ("P", "B"):
                        placement = _pick(rng, PLACEMENTS, 1)[0]
                last = k == len(bounds) - 2
                episode_end = bounds[k + 1]
                ceased = None
                if last and episode_end <= np.datetime64(AS_AT):
                    ceased = "E8" if episode_end >= eighteen[i] - 1 else _pick(rng, {"E4A": 0.4, "E11": 0.15, "E12": 0.15, "E13": 0.1, "E8": 0.2}, 1)[0]
                if episode_end > np.datetime64(AS_AT):
                    episode_end = NAT
                if bounds[k] > np.datetime64(AS_AT):
                    break
                rows.append((ids[child[i]], _d(bounds[k]), _d(episode_end), rne, legal, need, placement, ceased))
        frame = pl.DataFrame(rows, schema=["child_id", "episode_start", "episode_end", "rne", "legal_status",
                                           "category_of_need", "placement_type", "reason_ceased"], orient="row")
        frame = frame.with_columns(
            pl.col("episode_start").cast(pl.Date), pl.col("episode_end").cast(pl.Date),
        ).unique(["child_id", "episode_start"], keep="first", maintain_order=True)
        self.care_periods = frame
        self.tables["cla_episodes"] = frame.with_columns(
            la_code=pl.lit(p.la_code),
            placement_provider=pl.when(pl.col("placement_type").str.starts_with("U")).then(pl.lit("PR1")).otherwise(pl.lit("PR4")),
            placement_la=pl.lit(p.la_code),
            placement_district=pl.lit(None, dtype=pl.String),
            reason_place_change=pl.lit(None, dtype=pl.String),
        ).select("la_code", "child_id", "episode_start", "episode_end", "rne", "legal_status", "category_of_need",
                 "placement_type", "placement_provider", "placement_la", "placement_district", "reason_ceased",
                 "reason_place_change")

    def missing(self) -> None:
        """Missing 'careers': a few children go missing many times over some months."""
        rng, p = self.rng, self.p
        periods = (
            self.care_periods.sort("episode_start")
            .group_by("child_id", maintain_order=True)
            .agg(pl.col("episode_start").first(), pl.col("episode_end").last())
        )
        ids = np.array(self.children.ids, dtype=object)
        index = {c: k for k, c in enumerate(self.children.ids)}
        dob = np.array(self.children.dob, dtype="datetime64[D]")
        district = np.array(self.children.district, dtype=object)
        care_child = np.array([index[c] for c in periods["child_id"]])
        care_start = np.array(periods["episode_start"].to_list(), dtype="datetime64[D]")
        care_end = np.array([e if e else AS_AT for e in periods["episode_end"].to_list()], dtype="datetime64[D]")
        span = _days(EVENTS_FROM, AS_AT)
        careers = rng.poisson(70 * self.population(2018) / 62_000 * len(span) / 365.25)
        career_start = span[rng.integers(0, len(span), careers)]
        rows = []
        for s in career_start:
            from_care = rng.random() < 0.55
            if from_care:
                pool = np.flatnonzero((care_start <= s) & (care_end > s) & (s - dob[care_child] > 13 * 365) & (s - dob[care_child] < int(17.6 * 365)))
                pool = care_child[pool]
            else:
                pool = np.flatnonzero((s - self.referral_dates < 365) & (self.referral_dates <= s))
                pool = self.referral_children[pool]
                pool = pool[(s - dob[pool] > 13 * 365) & (s - dob[pool] < int(17.6 * 365))]
            if len(pool) == 0:
                continue
            child = int(pool[rng.integers(0, len(pool))])
            months = rng.lognormal(np.log(4), 0.6)
            intensity = rng.lognormal(np.log(1.6), 1.1)
            count = max(1, rng.poisson(intensity * months))
            starts = np.unique(s + np.sort(rng.integers(0, int(months * 30.4) + 1, count)).astype("timedelta64[D]"))
            for start in starts:
                if start > np.datetime64(AS_AT):
                    continue
                in_care = bool(np.any((care_child == child) & (care_start <= start) & (care_end > start)))
                end = start + int(rng.choice([0, 1, 1, 1, 2, 2, 3, 5, 9]))
                kind = "M" if rng.random() < 0.86 else "A"
                delay = rng.random()
                offered = None if delay < 0.05 else end + (int(rng.integers(0, 4)) if delay < 0.92 else int(rng.integers(4, 12)))
                accepted = None if offered is None else ("Y" if rng.random() < 0.62 else "N")
                end_known = end if end <= np.datetime64(AS_AT) else NAT
                if offered is not None and (np.isnat(end_known) or offered > np.datetime64(AS_AT)):
                    offered, accepted = None, None
                rows.append((ids[child], _d(start), _d(end_known), kind, "Y" if in_care else "N", _d(offered), accepted, district[child]))
        frame = pl.DataFrame(rows, schema=["child_id", "missing_start", "missing_end", "missing_type", "looked_after",
                                           "rhi_offered_date", "rhi_accepted", "district"], orient="row")
        self.tables["missing_episodes"] = frame.with_columns(
            pl.col("missing_start").cast(pl.Date), pl.col("missing_end").cast(pl.Date),
            pl.col("rhi_offered_date").cast(pl.Date), la_code=pl.lit(p.la_code),
        ).unique(["child_id", "missing_start"], keep="first", maintain_order=True).select(
            "la_code", "child_id", "missing_start", "missing_end", "missing_type", "looked_after",
            "rhi_offered_date", "rhi_accepted", "district")

    def care_leavers(self) -> None:
        rng = self.rng
        index = {c: k for k, c in enumerate(self.children.ids)}
        dob = np.array(self.children.dob, dtype="datetime64[D]")
        leavers = (
            self.care_periods.group_by("child_id").agg(pl.col("episode_end").max(), pl.col("episode_end").null_count().alias("open"))
            .filter((pl.col("open") == 0) & pl.col("episode_end").is_not_null()).sort("child_id")
        )
        rows = []
        for child, ended, _ in leavers.iter_rows():
            born = dob[index[child]].astype(dt.date)
            age_at_end = (ended - born).days / 365.25
            if age_at_end < 17.9:
                continue
            for age in range(18, 22):
                try:
                    birthday = born.replace(year=born.year + age)
                except ValueError:
                    birthday = born.replace(year=born.year + age, day=28)
                if birthday < EVENTS_FROM or birthday > AS_AT:
                    continue
                band = "17-18" if age <= 18 else "19-21"
                in_touch = _pick(rng, {"YES": 0.92, "NO": 0.05, "REFU": 0.02, "NREQ": 0.01}, 1)[0]
                eet = rng.random() < (0.66 if band == "17-18" else 0.56)
                activity = _pick(rng, {"F2": 0.4, "F4": 0.25, "P4": 0.15, "F1": 0.1, "F5": 0.1}, 1)[0] if eet else _pick(rng, {"G4": 0.3, "G5": 0.5, "G6": 0.2}, 1)[0]
                letter = _pick(rng, {"B": 0.15, "C": 0.2, "D": 0.25, "E": 0.2, "S": 0.1, "T": 0.1}, 1)[0]
                suitable = rng.random() < 0.88
                rows.append((child, birthday, band, in_touch, activity if in_touch == "YES" else None,
                             f"{letter}{1 if suitable else 2}" if in_touch == "YES" else None))
        frame = pl.DataFrame(rows, schema=["child_id", "reference_date", "age_band", "in_touch", "activity", "accommodation"], orient="row")
        self.tables["care_leavers"] = frame.with_columns(la_code=pl.lit(self.p.la_code), reference_date=pl.col("reference_date").cast(pl.Date)).select(
            "la_code", "child_id", "reference_date", "age_band", "in_touch", "activity", "accommodation")

    def workforce(self) -> None:
        rng, p = self.rng, self.p
        months = [dt.date(y, m, 1) for y in range(2018, 2026) for m in range(1, 13) if dt.date(2018, 4, 1) <= dt.date(y, m, 1) <= AS_AT]
        scale = p.population_0_17 / 62_000
        rows = []
        for team, department in TEAMS:
            base = rng.uniform(10, 22) * scale
            agency = p.agency_share
            vacancy = rng.uniform(0.08, 0.16)
            for month in months:
                agency = float(np.clip(agency + rng.normal(0, 0.012), 0.02, 0.45))
                vacancy = float(np.clip(vacancy + rng.normal(0, 0.01), 0.0, 0.35))
                posts = base * (1 + rng.normal(0, 0.01))
                agency_fte = round(posts * agency, 1)
                permanent = round(posts - agency_fte, 1)
                vacancy_fte = round(permanent * vacancy, 1)
                leavers = round(max(0.0, rng.normal(permanent * 0.013, 0.15)), 1)
                starters = round(max(0.0, rng.normal(permanent * 0.013, 0.15)), 1)
                holders = round((permanent + agency_fte) * 0.85, 1)
                cases = int(round(holders * rng.normal(16.5, 1.2)))
                rows.append((month, team, department, permanent, agency_fte, vacancy_fte, leavers, starters, holders, float(cases)))
        frame = pl.DataFrame(rows, schema=["month", "team", "department", "permanent_fte", "agency_fte", "vacancy_fte",
                                           "leavers_fte", "starters_fte", "case_holders_fte", "cases"], orient="row")
        self.tables["workforce"] = frame.with_columns(la_code=pl.lit(p.la_code)).select("la_code", *frame.columns)

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


def _simulate(profile: AuthorityProfile, seed: np.random.SeedSequence, scale: float) -> dict[str, pl.DataFrame]:
    holidays = np.array(bank_holidays(CARE_FROM.year, AS_AT.year + 2), dtype="datetime64[D]")
    profile = replace(profile, population_0_17=int(profile.population_0_17 * scale))
    return _AuthoritySimulation(profile, np.random.default_rng(seed), holidays).run()


def generate(
    seed: int = 2025,
    authorities: tuple[AuthorityProfile, ...] = DEFAULT_AUTHORITIES,
    scale: float = 1.0,
    workers: int = 1,
) -> dict[str, pl.DataFrame]:
    """Simulate every table of the contract for ``authorities``.

    Parameters
    ----------
    seed : int
        The same seed gives the same records.
    authorities : tuple of AuthorityProfile
        The fictional authorities.
    scale : float
        Multiplies every authority's child population (and so every volume).
    workers : int
        Processes to simulate authorities in parallel (the records do not
        depend on it: each authority has its own seeded generator).
    """
    seeds = np.random.SeedSequence(seed).spawn(len(authorities))
    if workers > 1 and len(authorities) > 1:
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            results = list(pool.map(_simulate, authorities, seeds, [scale] * len(authorities)))
    else:
        results = [_simulate(profile, child_seed, scale) for profile, child_seed in zip(authorities, seeds)]
    per_table: dict[str, list[pl.DataFrame]] = {}
    for tables in results:
        for name, frame in tables.items():
            per_table.setdefault(name, []).append(frame)
    return {name: pl.concat(frames, how="vertical_relaxed") for name, frames in per_table.items()}


def many_authorities(count: int, seed: int = 2025) -> tuple[AuthorityProfile, ...]:
    """``count`` fictional authorities (990 upward) of varied size and character."""
    rng = np.random.default_rng(seed)
    return tuple(
        AuthorityProfile(
            str(990 + k), f"Synthetic Authority {990 + k}", int(rng.uniform(25_000, 110_000)),
            tuple(f"District {k}-{d}" for d in range(int(rng.integers(2, 6)))),
            referral_rate=float(rng.uniform(420, 650)), rereferral_share=float(rng.uniform(0.17, 0.25)),
            assessment_speed=float(rng.uniform(0.85, 1.3)), cla_start_rate=float(rng.uniform(18, 34)),
            agency_share=float(rng.uniform(0.05, 0.3)),
        )
        for k in range(count)
    )


def write_dataset(tables: dict[str, pl.DataFrame], out: str | Path, file_format: str = "parquet") -> list[Path]:
    """Write each table as ``<table>.parquet`` (or ``.csv``) in ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in sorted(tables):
        path = out / f"{name}.{file_format}"
        frame = tables[name]
        if file_format == "parquet":
            frame.write_parquet(path, compression="zstd", statistics=False)
        else:
            frame.write_csv(path, date_format="%Y-%m-%d")
        written.append(path)
    return written
