"""The children's social care workforce, month by month and team by team, of one simulated authority."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from perfkit.synth.authority import SimulatedAuthority
from perfkit.synth.draws import AS_AT

TEAMS = (("Front Door", "Early Help and Front Door"), ("Assessment North", "Safeguarding"),
         ("Assessment South", "Safeguarding"), ("Child Protection", "Safeguarding"),
         ("Children in Care", "Children in Care"), ("Care Leavers", "Children in Care"),
         ("Disabled Children", "Disabled Children"))


class Workforce(SimulatedAuthority):
    """The workforce: posts, agency staff, vacancies, leavers, starters and caseloads of each team."""

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
        frame = frame.with_columns(nqsw_fte=self._newly_qualified(frame))
        self.tables["workforce"] = frame.with_columns(la_code=pl.lit(p.la_code)).select("la_code", *frame.columns)

    def _newly_qualified(self, frame: pl.DataFrame) -> pl.Series:
        """Each team's FTE of newly qualified social workers (in their ASYE year), of its permanent FTE: about
        one in eight, drifting month by month. Drawn from a generator of their own, so that adding them changed
        no other column."""
        rng = np.random.default_rng([int(self.p.la_code), 45])
        values = []
        for (_,), team in frame.group_by("team", maintain_order=True):
            share = rng.uniform(0.06, 0.2)
            for permanent in team["permanent_fte"]:
                share = float(np.clip(share + rng.normal(0, 0.008), 0.0, 0.35))
                values.append(round(permanent * share, 1))
        return pl.Series("nqsw_fte", values, dtype=pl.Float64)
