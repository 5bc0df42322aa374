"""Targets, trajectories and red/amber/green status from ``parameters/targets.yaml``.

The file holds targets that apply to every authority (``default``) and per
authority overrides (``authorities: {"990": {...}}``)::

    default:
      assessments_45wd_pct: {target: 85, amber: 5}
    authorities:
      "990":
        sw_agency_rate:
          amber: 2
          trajectory:            # the path to a future target
            - {period: 2024-25 Q2, target: 20}
            - {period: 2025-26 Q2, target: 12}

``amber`` is the tolerance: within it on the wrong side of the target is
amber, beyond it red. A trajectory's target for a quarter is read off the
straight line between its points, and is the last point's after it. Before
its first point there is no target: the path had not begun, and a quarter
then is judged against nothing (not against the path's first target, drawn
backwards). Indicators with polarity ``none`` take no status.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from perfkit.errors import TargetsError
from perfkit.indicators.catalogue import Catalogue, Indicator
from perfkit.indicators.periods import Month, Period, PeriodError, parse_period, without_alone
from perfkit.indicators.rounding import round_half_up

GREEN, AMBER, RED = "Green", "Amber", "Red"


@dataclass(frozen=True)
class Target:
    """A fixed target, or a trajectory of (period index, target) points.

    >>> t = Target(0, 1, ((Period.parse("2024-25 Q1").index, 20.0), (Period.parse("2025-26 Q1").index, 12.0)))
    >>> t.value_for("2024-25 Q3"), t.value_for("2023-24 Q1"), t.value_for("2026-27 Q1")
    (16.0, None, 12.0)

    A month is on the path where its last day is (a quarter's last month where the quarter is):

    >>> t.value_for("2024-25 M09"), t.value_for("2024-25 M08"), t.value_for("2024-25 M02")
    (16.0, 16.666666666666668, None)
    """

    value: float
    amber: float = 0.0
    trajectory: tuple[tuple[int, float], ...] = ()

    def value_for(self, period: str | Period | Month | None = None) -> float | None:
        """The target of ``period`` (a quarter or a month): the fixed one, or the trajectory's path then (None
        before it begins)."""
        if not self.trajectory or period is None:
            return self.value
        label = period.label if isinstance(period, (Period, Month)) else str(period).split(" YTD")[0].split(" R12")[0]
        when = parse_period(without_alone(label))
        points = self.trajectory
        if isinstance(when, Month):  # the path counted in months: a quarter's point at its last month
            points = [(i * 3 + 2, v) for i, v in points]
        index = when.index
        if index < points[0][0]:
            return None
        if index == points[0][0]:
            return points[0][1]
        for (i0, v0), (i1, v1) in zip(points, points[1:]):
            if index <= i1:
                return v0 + (v1 - v0) * (index - i0) / (i1 - i0)
        return points[-1][1]

    @property
    def final(self) -> tuple[str, float] | None:
        """The trajectory's end point: (period, target)."""
        if not self.trajectory:
            return None
        index, value = self.trajectory[-1]
        return Period.from_index(index).label, value

    def ahead(self, period: Period | Month) -> list[Period | Month]:
        """The quarters (or months) after ``period`` up to the trajectory's end point: where its path is drawn
        forward.

        >>> t = Target(0, 1, ((Period.parse("2024-25 Q4").index, 17.0), (Period.parse("2025-26 Q2").index, 10.0)))
        >>> [q.label for q in t.ahead(Period.parse("2024-25 Q4"))], Target(5).ahead(Period.parse("2024-25 Q4"))
        (['2025-26 Q1', '2025-26 Q2'], [])
        >>> [m.label for m in t.ahead(Month.parse("2025-26 M04"))]
        ['2025-26 M05', '2025-26 M06']
        """
        if not self.trajectory:
            return []
        last = Period.from_index(self.trajectory[-1][0])
        end = Month.containing(last.end) if isinstance(period, Month) else last
        return [type(period).from_index(i) for i in range(period.index + 1, end.index + 1)]


def _number(entry: dict, key: str, where: str, default: float | None = None) -> float:
    if key not in entry and default is not None:
        return default
    try:
        return float(entry[key])
    except (KeyError, TypeError, ValueError):
        raise TargetsError(f"{where}: value {entry.get(key)!r} for {key!r}: expected a number") from None


def _parse_entry(entry, where: str) -> Target:
    if not isinstance(entry, dict) or ("target" not in entry and "trajectory" not in entry):
        raise TargetsError(f"{where}: value {entry!r}: expected a mapping with 'target' or 'trajectory' (and optional 'amber')")
    amber = _number(entry, "amber", where, 0.0)
    if "trajectory" not in entry:
        return Target(_number(entry, "target", where), amber)
    points = []
    for k, point in enumerate(entry["trajectory"] or []):
        if not isinstance(point, dict) or "period" not in point:
            raise TargetsError(f"{where}.trajectory[{k}]: value {point!r}: expected {{period: 2025-26 Q2, target: 12}}")
        try:
            index = Period.parse(str(point["period"])).index
        except PeriodError as exc:
            raise TargetsError(f"{where}.trajectory[{k}]: {exc}") from None
        points.append((index, _number(point, "target", f"{where}.trajectory[{k}]")))
    if not points:
        raise TargetsError(f"{where}: the trajectory has no points")
    points.sort()
    if len({i for i, _ in points}) != len(points):
        raise TargetsError(f"{where}: the trajectory names a quarter twice")
    return Target(points[-1][1], amber, tuple(points))


def parse_targets(document: dict, authority: str, catalogue: Catalogue, source: str = "targets.yaml") -> dict[str, Target]:
    """The targets that apply to ``authority``: defaults, then its own overrides.

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> doc = {"default": {"rereferral_pct": {"target": 20, "amber": 2}},
    ...        "authorities": {"990": {"rereferral_pct": {"target": 18}}}}
    >>> parse_targets(doc, "990", load_catalogue())["rereferral_pct"]
    Target(value=18.0, amber=0.0, trajectory=())
    """
    targets: dict[str, Target] = {}
    document = document or {}
    scopes = [("default", document.get("default") or {}),
              (f"authorities.{authority}", (document.get("authorities") or {}).get(str(authority)) or {})]
    for scope, entries in scopes:
        for indicator_id, entry in entries.items():
            where = f"{source}, {scope}.{indicator_id}"
            if indicator_id not in catalogue.ids:
                raise TargetsError(f"{source}, {scope}: {indicator_id!r} is not an indicator in the catalogue")
            if catalogue[indicator_id].polarity == "none":
                raise TargetsError(f"{where}: this indicator has no good direction (polarity none), so a target cannot be judged")
            targets[indicator_id] = _parse_entry(entry, where)
    return targets


def load_targets(path: str | Path, authority: str, catalogue: Catalogue) -> dict[str, Target]:
    from perfkit.config.safe_yaml import read_yaml

    path = Path(path)
    if not path.exists():
        return {}
    return parse_targets(read_yaml(path), authority, catalogue, str(path))


def rag(value: float | None, target: Target | None, indicator: Indicator, period: str | Period | None = None) -> str | None:
    """Red, amber or green for a value against a target, judged on displayed figures.

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> i = load_catalogue()["assessments_45wd_pct"]
    >>> rag(86.0, Target(85, 5), i), rag(82.0, Target(85, 5), i), rag(79.9, Target(85, 5), i)
    ('Green', 'Amber', 'Red')
    """
    if target is None or indicator.polarity == "none":
        return None
    shown = round_half_up(value, indicator.decimals)
    goal = round_half_up(target.value_for(period), indicator.decimals)
    if shown is None or goal is None:  # no figure, or a trajectory not yet begun
        return None
    tolerance = round_half_up(target.amber, indicator.decimals)
    gap = shown - goal if indicator.polarity == "high_is_good" else goal - shown
    if gap >= 0:
        return GREEN
    if -gap <= tolerance:
        return AMBER
    return RED
