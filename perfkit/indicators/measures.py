"""Hold every measure by indicator id: the registry, complete once the family modules are imported.

Importing this module imports each family of :mod:`perfkit.indicators.families`,
whose measures declare themselves (:func:`perfkit.indicators.measure_base.measure`)
as they are imported; :data:`REGISTRY` then holds them all.
"""

from __future__ import annotations

from perfkit.indicators.families import (
                                         care_leavers,
                                         child_protection,
                                         ehcp,
                                         front_door,
                                         looked_after,
                                         missing,
                                         workforce,
)
from perfkit.indicators.measure_base import DECLARED, Measure

FAMILIES = (front_door, child_protection, looked_after, missing, care_leavers, workforce, ehcp)
"""The family modules, each declaring its measures on import."""

REGISTRY: dict[str, Measure] = dict(DECLARED)
"""Every measure, by the id of its catalogue indicator."""
