"""Children looked after, their missing episodes, and care leavers, in one simulated authority."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from perfkit.synth.authority import SimulatedAuthority
from perfkit.synth.draws import AS_AT, CARE_FROM, EVENTS_FROM, NAT, _d, _days, _pick

SEMI_INDEPENDENT = {"H5"}
FOSTERING_TO_SEMI_INDEPENDENT_AT_16 = {"U5", "U6"}
PLACEMENTS = {"U1": 0.12, "U3": 0.20, "U4": 0.18, "U5": 0.10, "U6": 0.10, "K2": 0.11, "R1": 0.07, "P1": 0.04, "H5": 0.05, "A5": 0.03}
LEGAL = {"C2": 0.48, "C1": 0.20, "V2": 0.24, "E1": 0.04, "L2": 0.02, "J2": 0.02}
CLA_NEED = {"N1": 0.66, "N2": 0.03, "N3": 0.04, "N4": 0.13, "N5": 0.05, "N6": 0.02, "N7": 0.01, "N8": 0.06}


class LookedAfter(SimulatedAuthority):
    """Children in care: their episodes (:meth:`care`), missing episodes (:meth:`missing`) and, once they
    have left care, care leavers' contacts (:meth:`care_leavers`)."""

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
        sixteen = dob[child] + np.timedelta64(int(16 * 365.25), "D")
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
                # no child under 16 is placed in semi-independent living (unlawful since September 2021): a
                # foster placement instead; and a third of 16- and 17-year-olds' foster placements are
                # semi-independent, as nationally. Drawing nothing more: every other figure stays the same
                if bounds[k] < sixteen[i]:
                    placed = "U4" if placement in SEMI_INDEPENDENT else placement
                else:
                    placed = "H5" if placement in FOSTERING_TO_SEMI_INDEPENDENT_AT_16 else placement
                rows.append((ids[child[i]], _d(bounds[k]), _d(episode_end), rne, legal, need, placed, ceased))
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
        self.tables["missing_episodes"] = self.tables["missing_episodes"].with_columns(
            risk=self._exploitation_risks(self.tables["missing_episodes"]["child_id"]))

    def _exploitation_risks(self, children: pl.Series) -> pl.Series:
        """Each missing episode's recorded risk of exploitation. A child who goes missing again and again is
        the more likely to be at risk; each child has one kind of risk, recorded at most of their episodes
        (an episode may find none, and one in twelve records nothing). Drawn from a generator of their own,
        so that adding them changed no other column."""
        rng = np.random.default_rng([int(self.p.la_code), 18])
        episodes = children.value_counts().rows()
        kinds = ["cce", "county_lines", "cse", "trafficking"]
        risk_of = {}
        for child, count in sorted(episodes):
            at_risk = rng.random() < min(0.75, 0.15 + 0.05 * count)
            risk_of[child] = str(rng.choice(kinds, p=[0.4, 0.28, 0.27, 0.05])) if at_risk else "none"
        values = []
        for child in children:
            draw = rng.random()
            values.append(None if draw < 1 / 12 else risk_of[child] if draw < 0.88 else "none")
        return pl.Series("risk", values, dtype=pl.String)

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

    def cla_reviews(self) -> None:
        """Reviews of each period of care (SSDA903 Reviews): the first within 20 working days (28 days), the
        second three months on, then every six months while the child is looked after; how the child took
        part (PN0 under 4). Drawn from a generator of their own, so that adding them changed no other table."""
        rng = np.random.default_rng([int(self.p.la_code), 903])
        index = {c: k for k, c in enumerate(self.children.ids)}
        dob = np.array(self.children.dob, dtype="datetime64[D]")
        codes = {"PN1": 0.42, "PN2": 0.06, "PN3": 0.04, "PN4": 0.08, "PN5": 0.1, "PN6": 0.2, "PN7": 0.1}
        rows = []
        episodes = self.care_periods.sort("child_id", "episode_start")
        new_period = (pl.col("episode_start") != pl.col("episode_end").shift(1).over("child_id")).fill_null(True)
        periods = (episodes.with_columns(period=new_period.cum_sum()).group_by("child_id", "period", maintain_order=True)
                   .agg(pl.col("episode_start").first(), pl.col("episode_end").last()))  # episodes end to end: one period
        for child, _, start, end in periods.iter_rows():
            last = min(end or AS_AT, AS_AT)
            day, gap = start + dt.timedelta(days=int(rng.integers(14, 29))), 91
            while day <= last:
                if day >= EVENTS_FROM:
                    age = (day - dob[index[child]].astype(dt.date)).days / 365.25
                    rows.append((child, day, "PN0" if age < 4 else _pick(rng, codes, 1)[0]))
                day, gap = day + dt.timedelta(days=gap + int(rng.integers(-10, 8))), 182
        frame = pl.DataFrame(rows, schema={"child_id": pl.String, "review_date": pl.Date, "review_code": pl.String},
                             orient="row")
        self.tables["cla_reviews"] = frame.unique(["child_id", "review_date"], keep="first", maintain_order=True).select(
            pl.lit(self.p.la_code).alias("la_code"), "child_id", "review_date", "review_code")
