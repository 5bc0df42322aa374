"""What the data-quality checks count, and how each count adds up with the report's figures.

Declarations only (:mod:`perfkit.indicators.quality` counts them): the
views and disclosure control read these, never the counting. A check's count
is a figure about children's records, protected like any other; where the
definitions tie it to figures the report shows (episodes with no interview
offer and those offered one are every episode ending), a :class:`Sum` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from perfkit.indicators.catalogue import ALL
from perfkit.indicators.labels import UNKNOWN

QUALITY_SCHEMA = {"la_code": pl.String, "period": pl.String, "check": pl.String, "count": pl.Float64,
                  "description": pl.String, "reason": pl.String}
QUALITY = "quality."
"""How a check's count is named among the figures (``quality.care_leavers_not_in_touch``), for disclosure control."""


@dataclass(frozen=True)
class Figure:
    """A figure of the report: an indicator's numerator or denominator, in a group of a breakdown, or all."""

    indicator: str
    of: str = "numerator"
    breakdown: str = ALL
    group: str = ALL


COUNT = Figure(QUALITY)
"""The check's own count, in a :class:`Sum`."""


@dataclass(frozen=True)
class Sum:
    """``parts`` less ``minus`` add up to ``whole``, or to more (where a record falls in a part and not in the
    whole): a relation between a check's count and the report's figures that a reader can use, declared by
    what the definitions say, and used where the true figures meet it (exact where they meet it exactly)."""

    parts: tuple[Figure, ...]
    whole: Figure
    minus: tuple[Figure, ...] = ()


@dataclass(frozen=True)
class Check:
    """A data-quality check: what it counts, of which table (:mod:`perfkit.indicators.quality` counts it)."""

    id: str
    table: str
    description: str
    sums: tuple[Sum, ...] = ()
    """How the count adds up with figures the report shows."""
    needs: tuple[str, ...] = ()
    """The columns it counts from: where one has no value for the authority, the count is not available (an
    SSDA903 import records no return interviews: every episode would count as having no offer)."""

    @property
    def heading(self) -> str:
        """The check as the data-quality table names it.

        >>> CHECKS[0].heading[:40]
        'Assessments started and not yet authoris'
        """
        return self.description[:1].upper() + self.description[1:]


CHECKS: tuple[Check, ...] = (
    Check("assessments_open", "assessments",
          "assessments started and not yet authorised at the period end (not in the 45-working-day figure until authorised)",
          (Sum((COUNT,), Figure("assessments_open_over_45wd")),),  # those over 45 working days are among them
          needs=("assessments.authorised_date",)),
    Check("missing_away", "missing_episodes",
          "episodes of absence without authorisation ('away'), left out of the missing counts",
          needs=("missing_episodes.missing_type",)),
    Check("missing_no_offer", "missing_episodes",
          "missing episodes ending in the period with no return home interview offer recorded",
          (  # with those offered an interview, every episode ending: the two interview figures' denominators
              Sum((COUNT, Figure("rhi_accepted_pct", "denominator")), Figure("rhi_offered_72h_pct", "denominator")),
              # every one an episode ending (the 7-day figure's denominator) not offered an interview in 72 hours
              Sum((Figure("rhi_offered_72h_pct", "denominator"),), COUNT, (Figure("rhi_offered_72h_pct"),)),
              Sum((Figure("missing_over_7d_pct", "denominator"),), COUNT),
          ), needs=("missing_episodes.rhi_offered_date",)),
    Check("ehcp_exceptions", "ehcp_requests",
          "EHC plans issued in the period where a timescale exception applies, left out of the 20-week figure",
          needs=("ehcp_requests.exception",)),
    Check("cp_visits_recorded_late", "cp_visits",
          "child protection visits made in the period but recorded after the period end (not counted when the period was run)",
          needs=("cp_visits.recorded_date",)),
    Check("care_leavers_not_in_touch", "care_leavers",
          "care leavers recorded in the period with whom the authority was not in touch (counted as not in suitable accommodation and not in education, employment or training)",
          (  # with no activity or accommodation recorded: in those groups of the care leavers recorded
              *(Sum((Figure("care_leavers_recorded", breakdown=b, group=UNKNOWN),), COUNT)
                for b in ("care_leaver_activity", "care_leaver_accommodation")),
              # and among those not in suitable accommodation, and not in education, employment or training
              *(Sum((Figure(i, "denominator"),), COUNT, (Figure(i),)) for i in ("care_leavers_suitable_pct",
                                                                               "care_leavers_eet_pct")),
          ), needs=("care_leavers.in_touch",)),
    *(Check(f"{table}_unknown_child", table, f"{words} for a child who is not in the list of children")
      for table, words in (("referrals", "referrals"), ("assessments", "assessments"), ("cp_plans", "child protection plans"),
                           ("cla_episodes", "episodes of care"), ("missing_episodes", "missing episodes"))),
)
"""Every check, in the order of the data-quality table."""


def as_measures(quality: pl.DataFrame) -> pl.DataFrame:
    """The checks' counts as rows of a measures frame (``quality.<check>``, every group), for disclosure control to
    protect them with the figures their :class:`Sum` ties them to.

    >>> q = pl.DataFrame({"la_code": ["990"], "period": ["2024-25 Q4"], "check": ["missing_away"], "count": [6.0],
    ...                   "description": ["episodes"]})
    >>> as_measures(q).row(0)
    ('990', '2024-25 Q4', 'quality.missing_away', 'all', 'all', 6.0, None, 6.0)
    """
    return quality.select(
        "la_code", "period", indicator=pl.lit(QUALITY) + pl.col("check"), breakdown=pl.lit(ALL), group=pl.lit(ALL),
        numerator=pl.col("count"), denominator=pl.lit(None, pl.Float64), value=pl.col("count"))
