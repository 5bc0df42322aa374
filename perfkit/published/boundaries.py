"""Boundary changes of children's services authorities, and the words a report gives for them.

Boundary changes (see :data:`BOUNDARY_CHANGES`) are handled explicitly and
never silently merged:

- **Northamptonshire** (928) was replaced on 1 April 2021 by North
  Northamptonshire (940) and West Northamptonshire (941);
- **Cumbria** (909) was replaced on 1 April 2023 by Cumberland (942) and
  Westmorland and Furness (943).

A predecessor keeps its own LA number and has values only for the years it
existed (its rows for later years, where published, load as empty values with
the publisher's marker, usually ``z`` or ``x``); a successor has values only
from its first year. No value is carried from a predecessor to a successor or
summed from successors into a predecessor, so the first year of a successor
has no previous-year value and a change since the previous year is not shown
for it. :func:`boundary_note` gives the words for a report.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BoundaryChange:
    """A local government reorganisation: one authority replaced by others."""

    predecessor: str
    predecessor_name: str
    successors: tuple[tuple[str, str], ...]
    effective: str  # ISO date the successors took over


#: Boundary changes affecting children's services authorities in the published years.
BOUNDARY_CHANGES: tuple[BoundaryChange, ...] = (
    BoundaryChange("928", "Northamptonshire", (("940", "North Northamptonshire"), ("941", "West Northamptonshire")), "2021-04-01"),
    BoundaryChange("909", "Cumbria", (("942", "Cumberland"), ("943", "Westmorland and Furness")), "2023-04-01"),
)


def boundary_note(la_code: str) -> str | None:
    """Words for a report when ``la_code`` is a predecessor or successor authority.

    >>> print(boundary_note("942"))
    Cumberland (942) was formed on 2023-04-01 from Cumbria (909); Cumbria's figures are not carried over, so it has figures only for collections made since then.
    >>> boundary_note("909")
    'Cumbria (909) was replaced on 2023-04-01 by Cumberland (942) and Westmorland and Furness (943); it has no figures for later years, and theirs are not merged into it.'
    >>> boundary_note("886") is None
    True
    """
    for change in BOUNDARY_CHANGES:
        if la_code == change.predecessor:
            names = " and ".join(f"{name} ({code})" for code, name in change.successors)
            return (
                f"{change.predecessor_name} ({change.predecessor}) was replaced on {change.effective} by {names}; "
                "it has no figures for later years, and theirs are not merged into it."
            )
        for code, name in change.successors:
            if la_code == code:
                return (
                    f"{name} ({code}) was formed on {change.effective} from {change.predecessor_name} ({change.predecessor}); "
                    f"{change.predecessor_name}'s figures are not carried over, so it has figures only for collections "
                    "made since then."
                )
    return None
