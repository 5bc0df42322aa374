"""Breakdowns: how counted rows are split into groups (district, sex, age band, ...).

Each breakdown is an expression over the rows a measure counts, after they
are joined to the child's details (see :func:`perfkit.indicators.child_details.with_children`).
"""

from __future__ import annotations

import polars as pl

from perfkit.indicators.catalogue import ALL
from perfkit.indicators.children import age_on, uasc_on
from perfkit.indicators.labels import AGE_BANDS, AGE_BREAKDOWNS, UNKNOWN, group_labels
from perfkit.indicators.windows import AGE_DATE, TO

CHILD_BREAKDOWNS = {"sex", *AGE_BREAKDOWNS, "ethnicity_group", "district", "uasc", "uasc_at_end"}


def age_band(age: pl.Expr, bands: tuple[tuple[int, int | None, str], ...] = AGE_BANDS) -> pl.Expr:
    """The specification's age bands (under 1, 1-4, 5-9, 10-15, 16-17), the top one open: 16 and over
    (or other ``bands``: those of ``age_band_16_17`` in :data:`perfkit.indicators.labels.AGE_BREAKDOWNS` give 16,
    and 17 and over).

    The top band is open, as DfE's is in its children in need and looked-after
    statistics ("16 and over"): a young person's record can be dated after
    their 18th birthday (a re-referral after turning 18, a case still open),
    and a band of their own would hold only such records (every referral at 18
    or over is a re-referral: a group at 100% by construction). An age below
    0 (a date of birth after the event: an unborn child, or a wrong date) is
    counted with the dates of birth not recorded.

    >>> pl.DataFrame({"a": [0, 4, 15, 16, 17, 19, -1, None]}).select(age_band(pl.col("a"))).to_series().to_list()
    ['Under 1', '1-4', '10-15', '16 and over', '16 and over', '16 and over', 'Not recorded', 'Not recorded']
    >>> pl.DataFrame({"a": [15, 16, 17, 18, 19]}).select(age_band(pl.col("a"), AGE_BREAKDOWNS["age_band_16_17"])).to_series().to_list()
    ['10-15', '16', '17 and over', '17 and over', '17 and over']
    """
    expr = pl.when(age.is_null() | (age < 0)).then(pl.lit(UNKNOWN))
    for low, high, label in bands:
        expr = expr.when((age >= low) if high is None else (age >= low) & (age < high)).then(pl.lit(label))
    return expr.otherwise(pl.lit(UNKNOWN))


def _mapped(column: str, labels: str, key: pl.Expr | None = None) -> pl.Expr:
    """The group of each row's code (or ``key``), by the labels of ``labels`` in labels.yaml."""
    source = key if key is not None else pl.col(column)
    return source.replace_strict(group_labels()[labels], default=UNKNOWN, return_dtype=pl.String).fill_null(UNKNOWN)


def group_expression(breakdown: str, columns: list[str]) -> pl.Expr:
    """The group each row falls in for ``breakdown`` (``all``: one group)."""
    if breakdown == ALL:
        return pl.lit(ALL)
    if breakdown == "district":
        own = [pl.col(c) for c in ("district", "placement_district") if c in columns]
        return pl.coalesce(*own, pl.col("__child_district"), pl.lit(UNKNOWN))
    if breakdown == "sex":
        return _mapped("sex", "sex")
    if breakdown in AGE_BREAKDOWNS:
        return age_band(age_on(pl.col(AGE_DATE), pl.col("date_of_birth")), AGE_BREAKDOWNS[breakdown])
    if breakdown == "ethnicity_group":
        key = pl.when(pl.col("ethnicity").is_in(["REFU", "NOBT"])).then(pl.lit("X")).otherwise(pl.col("ethnicity").str.slice(0, 1))
        return _mapped("ethnicity", "ethnicity_group", key)
    if breakdown in ("referral_source", "contact_source"):
        return _mapped(breakdown, "source", pl.col(breakdown).str.extract(r"^(\d+)", 1))
    if breakdown == "category":
        return _mapped("category", "category")
    if breakdown == "placement_type":
        in_full = [code for code in group_labels()["placement_type"] if len(code) > 1]  # K3: not a children's home
        code = pl.col("placement_type")
        return _mapped("placement_type", "placement_type",
                       pl.when(code.is_in(in_full)).then(code).otherwise(code.str.slice(0, 1)))
    if breakdown == "looked_after":
        return _mapped("looked_after", "looked_after")
    if breakdown == "uasc":  # as the children table records it: "Y" if ever an unaccompanied asylum-seeking child
        return _mapped("__uasc", "uasc")
    if breakdown == "uasc_at_end":  # on the period's last day: cla_uasc's children, and the rest (CLA excluding UASC)
        at_end = uasc_on(pl.col(TO))
        return _mapped("__uasc", breakdown, pl.when(at_end).then(pl.lit("Y")).when(at_end.is_not_null()).then(pl.lit("N")))
    if breakdown == "placement_location" and "__placement_location" not in columns:  # a care episode's own placement
        inside = pl.when(pl.col("placement_la") == pl.col("la_code")).then(pl.lit("inside")).otherwise(pl.lit("outside"))
        return _mapped("placement_la", breakdown, pl.when(pl.col("placement_la").is_not_null()).then(inside))
    if breakdown in ("placement_location", "known_before", "referred_by_end"):  # worked out by the missing family
        return _mapped(f"__{breakdown}", breakdown)
    if breakdown == "ehcp_time_open":  # worked out by the EHCP family at each period's end (families/ehcp.py)
        return _mapped(f"__{breakdown}", breakdown)
    if breakdown == "care_leaver_accommodation":
        return _mapped("accommodation", breakdown, pl.col("accommodation").str.slice(0, 1))
    if breakdown in ("care_leaver_activity", "review_code"):
        return _mapped("activity" if breakdown == "care_leaver_activity" else breakdown, breakdown)
    if breakdown == "care_leaver_age_band":
        return pl.col("age_band").fill_null(UNKNOWN)
    if breakdown == "risk":
        return _mapped("risk", "risk")
    if breakdown == "contact_outcome":
        return _mapped("outcome", breakdown)
    if breakdown in ("legal_status", "category_of_need", "reason_ceased"):
        return _mapped(breakdown, breakdown)
    if breakdown in ("team", "department"):
        return pl.col(breakdown).cast(pl.String).fill_null(UNKNOWN)
    raise KeyError(f"unknown breakdown {breakdown!r}")
