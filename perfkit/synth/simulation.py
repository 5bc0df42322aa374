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

Each service's records are drawn in a module of their own
(:mod:`perfkit.synth.front_door`, :mod:`perfkit.synth.child_protection`,
:mod:`perfkit.synth.looked_after`, :mod:`perfkit.synth.workforce`,
:mod:`perfkit.synth.ehcp`); this module holds the fictional authorities'
profiles and puts the services together, in the order their draws are made.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import polars as pl

from perfkit.indicators.workdays import bank_holidays
from perfkit.synth.draws import AS_AT, CARE_FROM
from perfkit.synth.ehcp import EhcpRequests
from perfkit.synth.front_door import FrontDoor
from perfkit.synth.looked_after import LookedAfter
from perfkit.synth.workforce import Workforce


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
               "cla_episodes": "episode_start", "missing_episodes": "missing_start", "ehcp_requests": "request_date",
               "early_help": "eh_start"}


class _AuthoritySimulation(FrontDoor, LookedAfter, Workforce, EhcpRequests):
    """One authority's simulation: every service's tables, drawn in turn from the authority's one generator."""

    def run(self) -> dict[str, pl.DataFrame]:
        self.referrals_and_front_door()
        self.care()
        self.missing()
        self.care_leavers()
        self.workforce()
        self.ehcp()
        self.cla_reviews()
        self.early_help()
        self.tables["population"] = pl.DataFrame({
            "la_code": [self.p.la_code] * 13, "year": list(range(2012, 2025)),
            "population_0_17": [self.population(y) for y in range(2012, 2025)],
        })
        self.tables["children"] = self.children.frame()
        # events that would start after the extract date have not happened yet
        for name, column in EVENT_START.items():
            self.tables[name] = self.tables[name].filter(pl.col(column) <= AS_AT)
        return self.tables


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
