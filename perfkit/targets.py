"""Targets and red/amber/green status from ``parameters/targets.yaml``.

The file holds targets that apply to every authority (``default``) and per
authority overrides (``authorities: {"990": {...}}``)::

    default:
      assessments_45wd_pct: {target: 85, amber: 5}
    authorities:
      "990":
        assessments_45wd_pct: {target: 88, amber: 4}

``amber`` is the tolerance: within it on the wrong side of the target is
amber, beyond it red. Indicators with polarity ``none`` take no status.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from perfkit.catalogue import Catalogue, Indicator
from perfkit.formatting import round_half_up

GREEN, AMBER, RED = "Green", "Amber", "Red"


@dataclass(frozen=True)
class Target:
    value: float
    amber: float = 0.0


class TargetsError(ValueError):
    pass


def parse_targets(document: dict, authority: str, catalogue: Catalogue, source: str = "targets.yaml") -> dict[str, Target]:
    """The targets that apply to ``authority``: defaults, then its own overrides.

    >>> from perfkit.catalogue import load_catalogue
    >>> doc = {"default": {"rereferral_pct": {"target": 20, "amber": 2}},
    ...        "authorities": {"990": {"rereferral_pct": {"target": 18}}}}
    >>> parse_targets(doc, "990", load_catalogue())["rereferral_pct"]
    Target(value=18.0, amber=0.0)
    """
    merged: dict[str, dict] = {}
    document = document or {}
    for scope, entries in [("default", document.get("default") or {}),
                           (f"authorities.{authority}", (document.get("authorities") or {}).get(str(authority)) or {})]:
        for indicator_id, entry in entries.items():
            if indicator_id not in catalogue.ids:
                raise TargetsError(f"{source}, {scope}: {indicator_id!r} is not an indicator in the catalogue")
            if not isinstance(entry, dict) or "target" not in entry:
                raise TargetsError(f"{source}, {scope}.{indicator_id}: value {entry!r}: expected a mapping with 'target' (and optional 'amber')")
            try:
                merged[indicator_id] = {"value": float(entry["target"]), "amber": float(entry.get("amber", 0))}
            except (TypeError, ValueError):
                raise TargetsError(f"{source}, {scope}.{indicator_id}: value {entry!r}: expected numbers for target and amber") from None
            if catalogue[indicator_id].polarity == "none":
                raise TargetsError(f"{source}, {scope}.{indicator_id}: this indicator has no good direction (polarity none), so a target cannot be judged")
    return {k: Target(**v) for k, v in merged.items()}


def load_targets(path: str | Path, authority: str, catalogue: Catalogue) -> dict[str, Target]:
    import yaml

    path = Path(path)
    if not path.exists():
        return {}
    return parse_targets(yaml.safe_load(path.read_text(encoding="utf-8")), authority, catalogue, str(path))


def rag(value: float | None, target: Target | None, indicator: Indicator) -> str | None:
    """Red, amber or green for a value against a target, judged on displayed figures.

    >>> from perfkit.catalogue import load_catalogue
    >>> i = load_catalogue()["assessments_45wd_pct"]
    >>> rag(86.0, Target(85, 5), i), rag(82.0, Target(85, 5), i), rag(79.9, Target(85, 5), i)
    ('Green', 'Amber', 'Red')
    """
    if target is None or indicator.polarity == "none":
        return None
    shown = round_half_up(value, indicator.decimals)
    if shown is None:
        return None
    goal = round_half_up(target.value, indicator.decimals)
    tolerance = round_half_up(target.amber, indicator.decimals)
    gap = shown - goal if indicator.polarity == "high_is_good" else goal - shown
    if gap >= 0:
        return GREEN
    if -gap <= tolerance:
        return AMBER
    return RED
