"""Count children looked after: in care at each window's end, starts, UASC, placement stability, section 20."""

from __future__ import annotations

import polars as pl

from perfkit.indicators.breakdowns import group_expression
from perfkit.indicators.catalogue import load_catalogue
from perfkit.indicators.child_details import with_children
from perfkit.indicators.children import age_on, uasc_on
from perfkit.indicators.labels import group_label
from perfkit.indicators.measure_base import (
    CHILDREN,
    ROWS,
    MeasureInput,
    MeasureRows,
    count_true,
    events_in,
    measure,
)
from perfkit.indicators.windows import (
    OPEN_ENDED,
    R12,
    TO,
    in_window,
    open_at_end,
    spanning,
)


def _episodes(m: MeasureInput) -> pl.DataFrame:
    return m.data.table("cla_episodes")


CHILD = "__child"


SEMI_INDEPENDENT = "__semi_independent"
"""Whether an episode's placement is independent or semi-independent living, or supported accommodation."""


def semi_independent(columns: list[str]) -> pl.Expr:
    """Whether a placement is in the placement types' group ``cla_semi_independent`` equals (its ``same_as``:
    H5, P2 and K3, as labels.yaml lists them)."""
    same_as = load_catalogue()["cla_semi_independent"].same_as
    return group_expression(same_as["breakdown"], columns) == group_label(same_as["breakdown"], same_as["group"])


def _numbered_episodes(m: MeasureInput) -> pl.DataFrame:
    """Episodes with their child's date of birth and UASC flag, whether semi-independent, and a number for the
    child (``__child``).

    Details and numbers are attached to episodes once, before episodes are
    paired with windows: the pairs are then matched by number, not by text.
    For headline figures alone, the placement's code is then dropped: the
    flag is all they read of it, and a text carried into every window's rows
    cost a 72-month run a tenth more than a 24-quarter one (``bench/RESULTS.md``).
    """
    def build() -> pl.DataFrame:
        episodes = with_children(_episodes(m), m.data, ("date_of_birth", "__uasc", "__uasc_ceased"))
        episodes = episodes.with_columns(semi_independent(episodes.columns).fill_null(False).alias(SEMI_INDEPENDENT),
                                         pl.struct("la_code", "child_id").rank("dense").alias(CHILD))
        return episodes.drop("placement_type") if m.headlines_only else episodes

    return m.shared("numbered_episodes", build)


def in_care_at_end(m: MeasureInput) -> pl.DataFrame:
    """One row per child looked after at each window's end: their current episode (the latest started).

    For headline figures alone (``m.headlines_only``), the rows of children
    whose episodes never overlap are kept as they are (such a child has one
    episode open at any date), and only the others' are sorted to pick the
    current one; otherwise every row is, keeping the rows in date order.
    """
    def open_rows(episodes: pl.DataFrame) -> pl.DataFrame:
        return open_at_end(episodes, "episode_start", "episode_end", m.windows)

    def build() -> pl.DataFrame:
        episodes = _numbered_episodes(m)
        if not m.headlines_only:
            return _latest_started(open_rows(episodes))
        overlapping = pl.col(CHILD).is_in(children_with_overlaps(episodes, "episode_start", "episode_end").implode())
        return pl.concat([open_rows(episodes.filter(~overlapping)), _latest_started(open_rows(episodes.filter(overlapping)))])

    return m.shared("in_care_at_end", build)


def _latest_started(rows: pl.DataFrame) -> pl.DataFrame:
    """Of a child's episodes open at a window's end, the one started last (of those started the same day, the last listed)."""
    return rows.sort("episode_start").unique([CHILD, "period"], keep="last", maintain_order=True)


def children_with_overlaps(intervals: pl.DataFrame, start_column: str, end_column: str) -> pl.Series:
    """The children (``__child``) with two intervals open on the same day (an empty end: still open).

    Sorted by start, a child's intervals share a day only if one starts
    before the one listed above it has ended, so neighbours are enough.

    >>> import datetime as dt
    >>> d = dt.date
    >>> episodes = pl.DataFrame({CHILD: [1, 1, 2, 2, 3, 3], "start": [d(2022, 1, 1), d(2022, 3, 1), d(2022, 1, 1),
    ...     d(2022, 2, 1), d(2022, 5, 1), d(2022, 1, 1)], "end": [d(2022, 12, 1), d(2022, 4, 1), d(2022, 2, 1), None, None, d(2022, 5, 1)]})
    >>> children_with_overlaps(episodes, "start", "end").to_list()  # child 1's second episode is inside its first
    [1]
    """
    ordered = intervals.select(CHILD, start_column, end_column).sort(CHILD, start_column)
    start, stop = pl.col(start_column), pl.col(end_column).fill_null(OPEN_ENDED)
    overlaps = (pl.col(CHILD) == pl.col(CHILD).shift(1)) & (start < stop.shift(1))
    return ordered.filter(overlaps)[CHILD].unique()


@measure("cla_rate")
def cla_rate(m: MeasureInput) -> MeasureRows:
    return MeasureRows(in_care_at_end(m), CHILDREN)


@measure("cla_starts")
def cla_starts(m: MeasureInput) -> MeasureRows:
    events = events_in(m, _episodes(m).filter(pl.col("rne") == "S"), "episode_start")
    return MeasureRows(events.rows, events.count())


@measure("cla_ceased")
def cla_ceased(m: MeasureInput) -> MeasureRows:
    events = events_in(m, _episodes(m).filter(pl.col("reason_ceased").is_not_null()), "episode_end")
    return MeasureRows(events.rows, events.count())


def _reviews(m: MeasureInput) -> pl.DataFrame:
    return m.shared("cla_reviews", lambda: in_window(m.data.table("cla_reviews"), "review_date", m.windows))


@measure("cla_reviews_held")
def cla_reviews_held(m: MeasureInput) -> MeasureRows:
    return MeasureRows(_reviews(m), ROWS)


@measure("cla_review_participation_pct")
def cla_review_participation_pct(m: MeasureInput) -> MeasureRows:
    # the codes the catalogue names (one list: the disclosure model adds the groups of reviews up to it)
    within = load_catalogue()["cla_review_participation_pct"].within
    took_part, rest = [str(c) for c in within["groups"]], [str(c) for c in within["rest"]]
    rows = _reviews(m).filter(pl.col("review_code").is_in([*took_part, *rest]))
    return MeasureRows(rows, count_true(pl.col("review_code").is_in(took_part)), ROWS)


UASC_AT_END = uasc_on(pl.col(TO))
"""A child looked after at a window's end is UASC then: flagged, and not yet past the day UASC ceased."""


@measure("cla_uasc")
def cla_uasc(m: MeasureInput) -> MeasureRows:
    rows = in_care_at_end(m).filter(UASC_AT_END)
    return MeasureRows(rows, CHILDREN)


@measure("cla_semi_independent")
def cla_semi_independent(m: MeasureInput) -> MeasureRows:
    # a row per child and window: counting rows counts children, and every age group is counted, a 0 where
    # no child of that age is placed there (members asked about under-16s)
    return MeasureRows(in_care_at_end(m), count_true(pl.col(SEMI_INDEPENDENT)))


NTS_THRESHOLD_SHARE = 0.001
"""The National Transfer Scheme threshold: UASC up to 0.1% of the child population."""


@measure("cla_uasc_threshold_pct")
def cla_uasc_threshold_pct(m: MeasureInput) -> MeasureRows:
    in_care = in_care_at_end(m).with_columns(is_uasc=UASC_AT_END)
    rows = in_care.join(m.population, on=["la_code", "period"], how="left")
    uasc = pl.col("child_id").filter(pl.col("is_uasc")).n_unique().cast(pl.Float64)
    return MeasureRows(rows, uasc, pl.col("population_0_17").first() * NTS_THRESHOLD_SHARE)


PLACEMENT_STARTS = ("S", "P", "B")

CHILD_PERIOD = (pl.col(CHILD).cast(pl.Int64) * 2**32
                + pl.col("period").cast(pl.Categorical).to_physical().cast(pl.Int64)).alias("__child_period")
"""A child (``__child``) in a window (``period``) as one number: joined on faster than the two."""


@measure("cla_3plus_placements_pct")
def cla_3plus_placements_pct(m: MeasureInput) -> MeasureRows:
    episodes = _numbered_episodes(m).select(CHILD, "episode_start", "episode_end", "rne")
    starting = (
        in_window(episodes.filter(pl.col("rne").is_in(PLACEMENT_STARTS)), "episode_start", m.windows, "rolling12")
        .group_by(CHILD_PERIOD).agg(started=pl.len())
    )
    # a placement already running when the 12 months began
    held = spanning(episodes, "episode_start", "episode_end", m.windows, R12, started_before=True).select(CHILD_PERIOD)
    rows = (
        in_care_at_end(m).with_columns(CHILD_PERIOD).join(starting, on="__child_period", how="left")
        .with_columns(placements=pl.col("started").fill_null(0)
                      + pl.col("__child_period").is_in(held.to_series().implode()).cast(pl.UInt32))
        .drop("__child_period")
    )
    return MeasureRows(rows, count_true(pl.col("placements") >= 3), ROWS)


def _care_history(m: MeasureInput) -> pl.DataFrame:
    """Each episode's start (``__start``) with the child's latest care and placement starts so far: a period
    of care starts with an episode whose reason for a new episode is S, a placement with S, P or B. A date
    takes them from the child's latest episode started by then (an as-of join on ``__start``)."""
    return m.shared("care_history", lambda: (
        _numbered_episodes(m).select(CHILD, pl.col("episode_start").alias("__start"), pl.col("rne").alias("__rne"))
        .sort(CHILD, "__start")
        .with_columns(
            care_start=pl.when(pl.col("__rne") == "S").then(pl.col("__start")).forward_fill().over(CHILD),
            placement_start=pl.when(pl.col("__rne").is_in(PLACEMENT_STARTS)).then(pl.col("__start")).forward_fill().over(CHILD),
        )
        .drop("__rne")
        .sort("__start")
    ))


FIRST_REVIEW_WORKING_DAYS = 20
"""The first review of a period of care is due within 20 working days of its start (Care Planning, Placement
and Case Review (England) Regulations 2010, regulation 33); the second within 3 months of the first, each
later one within 6 months of the one before."""


def reviews_on_time(reviews: pl.DataFrame, history: pl.DataFrame, calendar) -> pl.DataFrame:
    """Every review with ``__on_time``: held by its due date (:data:`FIRST_REVIEW_WORKING_DAYS`), counted
    from the start of the period of care it was held in and the review before it in that period.

    ``__on_time`` is empty where the review cannot be judged: no period of care had started by its date, or
    it is the first review recorded in a period of care that started before the authority's reviews do (on
    the first day of the quarter of their earliest: the review before it may be missing from the extract).

    >>> import datetime as dt
    >>> from perfkit.indicators.workdays import calendar_for
    >>> d = dt.date
    >>> reviews = pl.DataFrame({"la_code": ["9"] * 4, CHILD: [1, 1, 1, 1],
    ...     "review_date": [d(2023, 1, 27), d(2023, 4, 28), d(2023, 11, 1), d(2024, 2, 1)]})
    >>> history = pl.DataFrame({CHILD: [1], "__start": [d(2023, 1, 2)], "care_start": [d(2023, 1, 2)],
    ...     "placement_start": [d(2023, 1, 2)]})
    >>> reviews_on_time(reviews, history, calendar_for([d(2023, 1, 1)])).get_column("__on_time").to_list()
    [True, False, False, True]
    """
    keys = [CHILD, "care_start"]
    placed = (reviews.sort("review_date")
              .join_asof(history.select(CHILD, "__start", "care_start"), left_on="review_date", right_on="__start",
                         by=CHILD, strategy="backward", check_sortedness=False)
              .sort(*keys, "review_date"))
    # sorted, a period of care's reviews are neighbours: the first is where the period changes, the
    # second follows the first, and the review before is the row above
    same_period = ((pl.col(CHILD) == pl.col(CHILD).shift(1))
                   & (pl.col("care_start") == pl.col("care_start").shift(1))).fill_null(False)
    first, second = ~pl.col("__same"), pl.col("__same") & ~pl.col("__same").shift(1).fill_null(False)
    before = pl.col("review_date").shift(1)
    first_recorded = pl.col("review_date").min().over("la_code").dt.truncate("1q")
    on_time = (pl.when(pl.col("care_start").is_null()).then(None)
               .when(first).then(pl.when(pl.col("care_start") < first_recorded).then(None)
                                 .otherwise(calendar.durations(placed, "care_start", "review_date") <= FIRST_REVIEW_WORKING_DAYS))
               .when(second).then(pl.col("review_date") <= before.dt.offset_by("3mo"))
               .otherwise(pl.col("review_date") <= before.dt.offset_by("6mo")))
    return placed.with_columns(__same=same_period).with_columns(__on_time=on_time).drop("__start", "__same")


@measure("cla_reviews_on_time_pct")
def cla_reviews_on_time_pct(m: MeasureInput) -> MeasureRows:
    children = _numbered_episodes(m).select("la_code", "child_id", CHILD).unique()
    reviews = m.data.table("cla_reviews").join(children, on=["la_code", "child_id"], how="inner")
    judged = reviews_on_time(reviews, _care_history(m), m.calendar).filter(pl.col("__on_time").is_not_null())
    return MeasureRows(in_window(judged, "review_date", m.windows), count_true(pl.col("__on_time")), ROWS)


@measure("cla_long_term_stability_pct")
def cla_long_term_stability_pct(m: MeasureInput) -> MeasureRows:
    # a child in care at a window's end takes their care and placement starts from their latest episode
    # started by then (an as-of join, not every episode)
    history = _care_history(m)
    in_care = in_care_at_end(m).sort(TO)
    cohort = in_care.join_asof(history, left_on=TO, right_on="__start", by=CHILD, strategy="backward",
                               check_sortedness=False).drop("__start").filter(
        (age_on(pl.col(TO), pl.col("date_of_birth")) < 16)
        & (pl.col("care_start") <= pl.col(TO).dt.offset_by("-30mo"))
    )
    stable = pl.col("placement_start") <= pl.col(TO).dt.offset_by("-2y")
    return MeasureRows(cohort, count_true(stable), ROWS)


def _s20_starts(m: MeasureInput) -> pl.DataFrame:
    starts = _episodes(m).filter((pl.col("rne") == "S") & (pl.col("legal_status") == "V2"))
    return starts.with_columns(
        earlier_s20=pl.col("episode_start").min().over("la_code", "child_id") < pl.col("episode_start")
    )


@measure("cla_s20_starts")
def cla_s20_starts(m: MeasureInput) -> MeasureRows:
    return MeasureRows(in_window(_s20_starts(m), "episode_start", m.windows), ROWS)


@measure("cla_s20_repeat_starts")
def cla_s20_repeat_starts(m: MeasureInput) -> MeasureRows:
    rows = in_window(_s20_starts(m), "episode_start", m.windows)
    return MeasureRows(rows, count_true(pl.col("earlier_s20")))
