"""Count children missing from care or home: episodes, children, those missing again and again, at risk of
exploitation or still missing, how long episodes last, those under 16, and return home interviews."""

from __future__ import annotations

import polars as pl

from perfkit.indicators.child_details import with_children
from perfkit.indicators.children import age_on
from perfkit.indicators.measure_base import (
    CHILDREN,
    ROWS,
    MeasureInput,
    MeasureRows,
    children_open_at_end,
    count_true,
    measure,
)
from perfkit.indicators.windows import TO, in_window
from perfkit.records.contract import EXPLOITATION_RISKS


def _missing(m: MeasureInput) -> pl.DataFrame:
    return m.data.table("missing_episodes").filter(pl.col("missing_type") == "M")


def _missing_starting(m: MeasureInput) -> pl.DataFrame:
    return m.shared("missing_starting", lambda: in_window(_missing(m), "missing_start", m.windows))


def in_context(episodes: pl.DataFrame, cla_episodes: pl.DataFrame | None, referrals: pl.DataFrame | None) -> pl.DataFrame:
    """Missing episodes with where the child was placed when each began, and whether they had been referred
    to children's social care before it.

    ``__placement_location`` is ``home`` for an episode missing from home; for one missing from care,
    ``inside`` or ``outside`` as the care episode open on its first day was placed inside the authority
    (``placement_la`` its own code) or not; empty where no care episode was open then, or its placement
    authority is not recorded. ``__known_before`` is ``known`` where the child has a referral dated before
    the episode began, ``new`` where not; empty without a referrals table.

    >>> from datetime import date
    >>> episodes = pl.DataFrame({"la_code": ["990"] * 3, "child_id": ["a", "b", "c"], "looked_after": ["Y", "Y", "N"],
    ...     "missing_start": [date(2025, 2, 1)] * 3})
    >>> cla = pl.DataFrame({"la_code": ["990", "990"], "child_id": ["a", "b"], "episode_start": [date(2024, 1, 1)] * 2,
    ...     "episode_end": [None, date(2025, 1, 1)], "placement_la": ["992", "990"]})
    >>> referrals = pl.DataFrame({"la_code": ["990"], "child_id": ["c"], "referral_date": [date(2025, 1, 5)]})
    >>> in_context(episodes, cla, referrals).select("child_id", "__placement_location", "__known_before").rows()
    [('a', 'outside', 'new'), ('b', None, 'new'), ('c', 'home', 'known')]
    """
    keys = ["la_code", "child_id"]
    rows = episodes.with_row_index("__order")
    # missing from home, not care (where the episodes say which: the column may be left out of a file)
    from_home = pl.col("looked_after") != "Y" if "looked_after" in rows.columns else pl.lit(None, pl.Boolean)
    if cla_episodes is not None and {"placement_la", "episode_start", "episode_end"} <= set(cla_episodes.columns):
        care = (cla_episodes.select(*keys, "episode_start", "episode_end", "placement_la")
                .filter(pl.col("episode_start").is_not_null()).sort("episode_start"))
        rows = rows.sort("missing_start").join_asof(care, left_on="missing_start", right_on="episode_start",
                                                    by=keys, strategy="backward", check_sortedness=False)
        open_then = pl.col("episode_end").is_null() | (pl.col("episode_end") >= pl.col("missing_start"))
        placed = (pl.when(from_home).then(pl.lit("home"))
                  .when(open_then & pl.col("placement_la").is_not_null())
                  .then(pl.when(pl.col("placement_la") == pl.col("la_code")).then(pl.lit("inside")).otherwise(pl.lit("outside"))))
        rows = rows.with_columns(__placement_location=placed).drop("episode_start", "episode_end", "placement_la")
    else:
        rows = rows.with_columns(__placement_location=pl.when(from_home).then(pl.lit("home")))
    rows = with_first_referral(rows, referrals, "__known_before", pl.col("missing_start"), strictly=True, yes="known", no="new")
    return rows.sort("__order").drop("__order")


def with_first_referral(rows: pl.DataFrame, referrals: pl.DataFrame | None, name: str, by: pl.Expr, strictly: bool,
                        yes: str, no: str) -> pl.DataFrame:
    """``rows`` with ``name``: ``yes`` where the child's first referral to children's social care is dated
    before ``by`` (or on it, unless ``strictly``), ``no`` where not (or no referral); empty without a
    referrals table. One rule for "known to social care" at a date.

    >>> from datetime import date
    >>> rows = pl.DataFrame({"la_code": ["990"] * 2, "child_id": ["a", "b"], "day": [date(2025, 3, 31)] * 2})
    >>> referrals = pl.DataFrame({"la_code": ["990"], "child_id": ["a"], "referral_date": [date(2025, 3, 31)]})
    >>> [with_first_referral(rows, referrals, "k", pl.col("day"), s, "y", "n")["k"].to_list() for s in (True, False)]
    [['n', 'n'], ['y', 'n']]
    """
    if referrals is None or "referral_date" not in referrals.columns:
        return rows.with_columns(pl.lit(None, pl.String).alias(name))
    keys = ["la_code", "child_id"]
    first = referrals.group_by(keys).agg(__first_referral=pl.col("referral_date").min())
    referred = pl.col("__first_referral") < by if strictly else pl.col("__first_referral") <= by
    return rows.join(first, on=keys, how="left", maintain_order="left").with_columns(
        pl.when(referred).then(pl.lit(yes)).otherwise(pl.lit(no)).alias(name)).drop("__first_referral")


def _missing_in_context(m: MeasureInput) -> pl.DataFrame:
    """The episodes starting in each window, with their context for the breakdowns (headline figures need
    none, and read no other table)."""
    if m.headlines_only:
        return _missing_starting(m)
    return m.shared("missing_in_context", lambda: in_context(
        _missing_starting(m), *(m.data.table(t) if m.data.has(t) else None for t in ("cla_episodes", "referrals"))))


@measure("missing_episodes")
def missing_episodes(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_missing_in_context(m), ROWS)


@measure("missing_children")
def missing_children(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_missing_in_context(m), CHILDREN)


@measure("missing_episodes_per_child")
def missing_episodes_per_child(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_missing_starting(m), ROWS, CHILDREN)


def referred_by_end(rows: pl.DataFrame, referrals: pl.DataFrame | None) -> pl.DataFrame:
    """``rows`` (in windows) with ``__referred_by_end``: ``referred`` where the child has a referral to
    children's social care dated on or before the window's last day, ``not_referred`` where not; empty
    without a referrals table. "If they went missing repeatedly they would be referred to social care".

    >>> from datetime import date
    >>> rows = pl.DataFrame({"la_code": ["990"] * 3, "child_id": ["a", "b", "c"], TO: [date(2025, 3, 31)] * 3})
    >>> referrals = pl.DataFrame({"la_code": ["990"] * 2, "child_id": ["a", "b"],
    ...     "referral_date": [date(2025, 3, 31), date(2025, 4, 1)]})
    >>> referred_by_end(rows, referrals)["__referred_by_end"].to_list()
    ['referred', 'not_referred', 'not_referred']
    """
    return with_first_referral(rows, referrals, "__referred_by_end", pl.col(TO), strictly=False,
                               yes="referred", no="not_referred")


@measure("missing_repeat_children")
def missing_repeat_children(m: MeasureInput) -> MeasureRows:
    episodes = pl.len().over("la_code", "period", "child_id")
    rows = in_window(_missing(m), "missing_start", m.windows, "rolling12").with_columns(__episodes=episodes)
    if not m.headlines_only:  # the breakdown by referral reads the referrals; headline figures do not
        rows = referred_by_end(rows, m.data.table("referrals") if m.data.has("referrals") else None)
    return MeasureRows(rows, pl.col("child_id").filter(pl.col("__episodes") >= 3).n_unique().cast(pl.Float64))


EXPLOITED = tuple(risk for risk in EXPLOITATION_RISKS if risk != "none")
"""The risks of exploitation a missing episode may record (the contract's ``missing_episodes.risk``), but none."""


@measure("missing_exploited_children")
def missing_exploited_children(m: MeasureInput) -> MeasureRows:
    at_risk = _missing(m).filter(pl.col("risk").is_in(EXPLOITED))
    return MeasureRows(in_window(at_risk, "missing_start", m.windows, "rolling12"), CHILDREN)


@measure("missing_at_end")
def missing_at_end(m: MeasureInput) -> MeasureRows:
    return children_open_at_end(m, _missing(m), "missing_start", "missing_end")


def _missing_ending(m: MeasureInput) -> pl.DataFrame:
    return m.shared("missing_ending", lambda: in_window(_missing(m), "missing_end", m.windows))


DAYS_MISSING = (pl.col("missing_end") - pl.col("missing_start")).dt.total_days()
"""Days from the day an episode began to the day it ended (the returns record dates, not times)."""


@measure("missing_over_7d_pct")
def missing_over_7d_pct(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_missing_ending(m), count_true(DAYS_MISSING >= 8), ROWS)


@measure("missing_duration_median")
def missing_duration_median(m: MeasureInput) -> MeasureRows:
    median = DAYS_MISSING.median().cast(pl.Float64)
    return MeasureRows(_missing_ending(m), median, ROWS, value=median)


@measure("missing_under16_pct")
def missing_under16_pct(m: MeasureInput) -> MeasureRows:
    rows = with_children(_missing_starting(m), m.data, ("date_of_birth",))
    under16 = pl.col("child_id").filter(age_on(pl.col("missing_start"), pl.col("date_of_birth")) < 16).n_unique()
    return MeasureRows(rows, under16.cast(pl.Float64), CHILDREN)


@measure("rhi_offered_72h_pct")
def rhi_offered_72h_pct(m: MeasureInput) -> MeasureRows:
    delay = (pl.col("rhi_offered_date") - pl.col("missing_end")).dt.total_days()
    return MeasureRows(_missing_ending(m), count_true(delay.is_between(0, 3)), ROWS)


@measure("rhi_accepted_pct")
def rhi_accepted_pct(m: MeasureInput) -> MeasureRows:
    offered = _missing(m).filter(pl.col("rhi_offered_date").is_not_null())
    return MeasureRows(in_window(offered, "missing_end", m.windows), count_true(pl.col("rhi_accepted") == "Y"), ROWS)
