"""The words members read for a breakdown's groups, and the order they read them in.

The labels are declared once, in ``labels.yaml`` beside this module, in DfE's
words: a legal status reads "Full care order", not ``C2``; a category of need
"Abuse or neglect", not ``N1``. The breakdowns
(:mod:`perfkit.indicators.breakdowns`) put rows in these groups; the report,
the explorer and disclosure control read the same labels.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

UNKNOWN = "Not recorded"
"""The group of a row whose code is missing or not one the breakdown knows."""

AGE_BANDS = ((0, 1, "Under 1"), (1, 5, "1-4"), (5, 10, "5-9"), (10, 16, "10-15"), (16, None, "16 and over"))
"""The age bands (lowest age, age above the band or ``None`` for the open top band, label), by age at the event."""
AGE_GROUPS = (*(label for _, _, label in AGE_BANDS), UNKNOWN)
"""Every group of the age-band breakdown, in order (``Not recorded``: no date of birth, or one after the event)."""

AGE_BANDS_16_17 = (*AGE_BANDS[:-1], (16, 17, "16"), (17, None, "17 and over"))
"""The age bands with the top one split at 17: 16, and 17 and over (open, as the top band is: a record
after the 18th birthday is rare, and a band of its own would be a small number), where the oldest are
most of the children counted (missing children: "the majority are 16 and over, and quite a lot are 17
and 18")."""
AGE_BANDS_UNDER_16 = ((0, 16, "Under 16"), *AGE_BANDS_16_17[-2:])
"""Under 16, 16, and 17 and over: where the law draws its line at 16 (no child under 16 may be placed in
semi-independent living), the younger bands are one."""
AGE_BREAKDOWNS = {"age_band": AGE_BANDS, "age_band_16_17": AGE_BANDS_16_17, "age_under_16": AGE_BANDS_UNDER_16}
"""Each breakdown by the child's age at the event, and its bands."""

NATURAL_ORDER = {**{breakdown: (*(label for _, _, label in bands), UNKNOWN) for breakdown, bands in AGE_BREAKDOWNS.items()},
                 "care_leaver_age_band": ("17-18", "19-21")}
"""Breakdowns whose groups have an order of their own (ages); the others read alphabetically."""


@lru_cache(maxsize=1)
def group_labels() -> dict[str, dict[str, str]]:
    """Each breakdown's codes and their groups, from ``labels.yaml``.

    >>> group_labels()["legal_status"]["C2"]
    'Full care order'
    """
    from perfkit.config.safe_yaml import read_yaml

    document = read_yaml(resources.files("perfkit.indicators").joinpath("labels.yaml"))
    return {breakdown: {str(code): str(label) for code, label in codes.items()}
            for breakdown, codes in document["groups"].items()}


def group_label(breakdown: str, code: object) -> str:
    """The group a code falls in for ``breakdown``, in words; the code itself where the breakdown has no labels.

    >>> group_label("category_of_need", "N1"), group_label("legal_status", "XX"), group_label("team", "Front Door")
    ('Abuse or neglect', 'Not recorded', 'Front Door')
    """
    labels = group_labels().get(breakdown)
    if labels is None:
        return str(code)
    return labels.get(str(code), UNKNOWN)


def in_natural_order(breakdown: str, groups: list[str]) -> list[str]:
    """A breakdown's groups as people read them: ages youngest first, others alphabetically, unknowns last.

    >>> in_natural_order("age_band", ["5-9", "16 and over", "Not recorded", "Under 1", "10-15", "1-4"])
    ['Under 1', '1-4', '5-9', '10-15', '16 and over', 'Not recorded']
    >>> in_natural_order("sex", ["Unknown", "Male", "Female"])
    ['Female', 'Male', 'Unknown']
    """
    order = NATURAL_ORDER.get(breakdown, ())
    last = (UNKNOWN, "Unknown")
    return sorted(groups, key=lambda g: (g in last, order.index(g) if g in order else len(order), g))
