"""One authority being simulated: its seeded generator, its register of children, and the tables each service adds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from perfkit.synth.draws import _pick, _to_dates

if TYPE_CHECKING:
    from perfkit.synth.simulation import AuthorityProfile

ETHNICITY = {"WBRI": 0.70, "WOTH": 0.05, "MWBC": 0.04, "MOTH": 0.03, "ABAN": 0.02, "APKN": 0.03,
             "AOTH": 0.02, "BAFR": 0.04, "BCRB": 0.02, "CHNE": 0.01, "OOTH": 0.02, "WIRI": 0.01, "REFU": 0.005, "NOBT": 0.005}
UASC_ETHNICITY = {"OOTH": 0.4, "AOTH": 0.25, "BAFR": 0.2, "BOTH": 0.15}


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


class SimulatedAuthority:
    """What every service's simulation of one authority shares: its profile ``p``, generator ``rng``, bank holidays,
    register of children and the tables made so far."""

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
