"""The records behind a figure, as an analyst reads them: codes with DfE's words beside them, the child's age
and district, whether each record is in the figure's numerator, and (for re-referrals) the earlier referral
that made it one. Analyst only: these rows name children and never reach a member's page.
"""

from __future__ import annotations

import polars as pl

from perfkit.indicators.breakdowns import group_expression
from perfkit.indicators.children import age_on
from perfkit.indicators.measure_base import MeasureRows
from perfkit.indicators.windows import AGE_DATE

DECODED = {"referral_source": "referral_source", "contact_source": "contact_source", "placement_type": "placement_type",
           "legal_status": "legal_status", "category_of_need": "category_of_need", "reason_ceased": "reason_ceased",
           "outcome": "contact_outcome", "activity": "care_leaver_activity", "accommodation": "care_leaver_accommodation",
           "review_code": "review_code"}
"""Each record column holding a code, and the breakdown whose words (labels.yaml) say what it means: the
same rule that puts the record in a breakdown's group."""

IN_NUMERATOR = "in_numerator"


def in_numerator(rows: pl.DataFrame, result: MeasureRows) -> pl.Series:
    """Whether each row counts in the figure's numerator: the measure's own numerator, worked out on the row
    alone (a re-referral, a visit within 10 working days, an episode with an interview accepted).

    >>> rows = pl.DataFrame({"is_rereferral": [True, False, None]})
    >>> from perfkit.indicators.measure_base import count_true
    >>> in_numerator(rows, MeasureRows(rows, count_true(pl.col("is_rereferral")))).to_list()
    [True, False, False]
    """
    if rows.height == 0:
        return pl.Series(IN_NUMERATOR, [], pl.Boolean)
    each = (rows.with_row_index("__row").group_by("__row").agg(__counted=result.numerator.cast(pl.Float64))
            .sort("__row"))
    return (each["__counted"].fill_null(0.0) > 0).alias(IN_NUMERATOR)


def decoded(rows: pl.DataFrame) -> pl.DataFrame:
    """Each code column with its words beside it, ``N1`` as ``N1: Abuse or neglect`` (a code perfkit does not
    know reads ``XX: Not recorded``, as the breakdown counts it).

    >>> decoded(pl.DataFrame({"legal_status": ["C2", None], "la_code": ["990", "990"]}))["legal_status"].to_list()
    ['C2: Full care order', None]
    """
    changes = []
    for column, breakdown in DECODED.items():
        if column in rows.columns and rows.schema[column] == pl.String:
            words = group_expression(breakdown, rows.columns)
            changes.append(pl.when(pl.col(column).is_null()).then(None)
                           .otherwise(pl.col(column) + pl.lit(": ") + words).alias(column))
    return rows.with_columns(changes) if changes else rows


def with_age_and_district(rows: pl.DataFrame) -> pl.DataFrame:
    """The child's age at the event (the age the age-band breakdown takes) and district (the record's own, else
    the child's), where the rows are about children (joined to their details:
    :func:`perfkit.indicators.child_details.with_children`)."""
    added = []
    if AGE_DATE in rows.columns and "date_of_birth" in rows.columns:
        added.append(age_on(pl.col(AGE_DATE), pl.col("date_of_birth")).alias("age"))
    if "__child_district" in rows.columns or "district" in rows.columns:
        added.append(group_expression("district", rows.columns).alias("district_shown"))
    return rows.with_columns(added) if added else rows


def with_earlier_referral(rows: pl.DataFrame, referrals: pl.DataFrame) -> pl.DataFrame:
    """Each referral with the child's latest referral dated before it (``earlier_referral``): for a
    re-referral, the one within 12 months that made it one.

    >>> import datetime as dt
    >>> refs = pl.DataFrame({"la_code": ["990"] * 3, "child_id": ["a"] * 3,
    ...     "referral_date": [dt.date(2023, 7, 1), dt.date(2024, 5, 1), dt.date(2024, 5, 1)]})
    >>> with_earlier_referral(refs.tail(1), refs)["earlier_referral"].to_list()
    [datetime.date(2023, 7, 1)]
    """
    earlier = (referrals.select("la_code", "child_id", earlier_referral="referral_date").unique()
               .sort("earlier_referral"))
    keyed = rows.with_row_index("__order").with_columns(__before=pl.col("referral_date") - pl.duration(days=1)).sort("__before")
    found = keyed.join_asof(earlier, left_on="__before", right_on="earlier_referral", by=["la_code", "child_id"],
                            strategy="backward", check_sortedness=False)  # both sorted by date above
    return found.sort("__order").drop("__order", "__before")


def readable(rows: pl.DataFrame, result: MeasureRows, referrals: pl.DataFrame | None = None) -> pl.DataFrame:
    """The rows an analyst reads: whether each is in the numerator (first), codes decoded, age and district,
    the earlier referral where the rows are referrals (``referrals``: every referral of the authority);
    the working columns (``__``) dropped.

    >>> from perfkit.indicators.measure_base import count_true
    >>> rows = pl.DataFrame({"child_id": ["a", "b"], "legal_status": ["C2", "V2"], "__x": [1, 2]})
    >>> readable(rows, MeasureRows(rows, count_true(pl.col("legal_status") == "V2"))).rows()
    [(False, 'a', 'C2: Full care order'), (True, 'b', 'V2: Single period of accommodation under section 20')]
    """
    counted = in_numerator(rows, result)
    shown = with_age_and_district(rows).with_columns(counted)
    if referrals is not None and "referral_date" in shown.columns:
        shown = with_earlier_referral(shown, referrals)
    shown = decoded(shown)
    if "district_shown" in shown.columns:
        shown = shown.drop("district", strict=False).rename({"district_shown": "district"})
    if "period" in shown.columns:
        shown = shown.with_columns(pl.col("period").cast(pl.String))
    return shown.select(IN_NUMERATOR, *[c for c in shown.columns if c != IN_NUMERATOR and not c.startswith("__")])
