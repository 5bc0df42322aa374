"""Plain-English commentary whose words always agree with the numbers.

"Up", "down", "above", "below" and "the same as" come from the displayed
figures; "better" and "worse" come from the indicator's polarity. Neither is
ever written by hand, so the two cannot contradict each other, and a sentence
never says "up" of two figures that display the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfkit.indicators.catalogue import Indicator
from perfkit.indicators.periods import Period, noun_of, parse_period
from perfkit.indicators.rounding import compare, round_half_up
from perfkit.indicators.targets import Target, rag
from perfkit.present.formatting import NO_FIGURE, format_number, format_value


def judgement(direction: int, indicator: Indicator) -> str | None:
    """``"better"`` or ``"worse"`` for a move in ``direction`` (1 up, -1 down); None without polarity."""
    if indicator.polarity == "none" or direction == 0:
        return None
    return "better" if (direction > 0) == (indicator.polarity == "high_is_good") else "worse"


def movement(current: float | None, earlier: float | None, indicator: Indicator) -> str:
    """``"up 13% from"``, ``"down 2.0 percentage points (better) from"`` or ``"unchanged from"``: the change
    between the figures as members read them (rounded), with better or worse by polarity.

    A percentage moves by percentage points; any other figure by a share of the earlier one ("an 11% drop
    in referrals"), none where the earlier one is 0.

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> c = load_catalogue()
    >>> movement(22.0, 20.0, c["rereferral_pct"]), movement(18.0, 20.0, c["rereferral_pct"])
    ('up 2.0 percentage points (worse) from', 'down 2.0 percentage points (better) from')
    >>> movement(20.01, 20.0, c["rereferral_pct"]), movement(941, 830, c["referrals"]), movement(3, 0, c["referrals"])
    ('unchanged from', 'up 13% from', 'up from')
    """
    direction = compare(current, earlier, indicator.decimals)
    if direction is None:
        return "compared with"
    if direction == 0:
        return "unchanged from"
    word = f"{'up' if direction > 0 else 'down'}{change_amount(current, earlier, indicator)}"
    verdict = judgement(direction, indicator)
    return f"{word} ({verdict}) from" if verdict else f"{word} from"


def change_amount(current: float, earlier: float, indicator: Indicator) -> str:
    """How far a figure moved, as members can check it from the two figures shown: percentage points for a
    percentage, else the change as a whole-number share of the earlier figure (" 13%"); empty from 0."""
    now, then = (float(round_half_up(v, indicator.decimals)) for v in (current, earlier))
    if indicator.unit == "percent":
        points = format_number(abs(now - then), indicator.decimals)
        return f" {points} percentage point{'' if points == '1' else 's'}"
    if then == 0:
        return ""
    share = format_number(abs(now - then) / abs(then) * 100, 0)
    return f" {share}%" if share != "0" else " less than 1%"


def relation(current: float | None, other: float | None, indicator: Indicator) -> tuple[str, str | None] | None:
    """(``"higher than"``, ``"lower than"`` or ``"the same as"``; ``"better"``/``"worse"`` by polarity).

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> relation(21.6, 22.6, load_catalogue()["rereferral_pct"])
    ('lower than', 'better')
    """
    direction = compare(current, other, indicator.decimals)
    if direction is None:
        return None
    word = {1: "higher than", -1: "lower than", 0: "the same as"}[direction]
    return word, judgement(direction, indicator)


def significant_gap(current: float | None, other: float | None, indicator: Indicator,
                    numerator: float | None = None, denominator: float | None = None) -> int | None:
    """Whether ``current`` differs from ``other`` by more than chance: 1 significantly higher, -1 lower, 0 not.

    Only for a percentage or a rate per 10,000 whose ``numerator`` and
    ``denominator`` give ``current`` (as displayed) and which displays
    higher or lower than ``other``: ``other`` must lie outside the figure's
    95% interval (Wilson for percentages, exact Poisson for rates; see
    :mod:`perfkit.indicators.significance`). None wherever that cannot be
    said: no counts (a suppressed figure), counts that do not give the
    figure, another unit, or figures that display the same.

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> i = load_catalogue()["rereferral_pct"]
    >>> significant_gap(30.8, 22.6, i, 81, 263), significant_gap(30.8, 28.0, i, 81, 263), significant_gap(30.8, 22.6, i)
    (1, 0, None)
    >>> significant_gap(30.8, 22.6, i, 80, 263) is None  # 80 of 263 is 30.4%, not the 30.8% shown
    True
    """
    from perfkit.indicators.significance import SCALES, significance

    scale = SCALES.get(indicator.unit)
    if scale is None or numerator is None or denominator is None or not denominator or denominator < 0:
        return None
    if compare(numerator / denominator * scale, current, indicator.decimals) != 0:
        return None
    direction = compare(current, other, indicator.decimals)
    if not direction:
        return None
    found = significance(indicator.unit, numerator, denominator, other)
    return found if found in (0, direction) else None


def compared_with(current: float | None, other: float | None, name: str, indicator: Indicator, extra: str = "",
                  shown_as: Indicator | None = None, numerator: float | None = None,
                  denominator: float | None = None) -> str:
    """``"lower than England (22.6%; better)"``; empty when either figure is missing. ``other`` is written
    at the precision of ``shown_as`` where given (a published figure at DfE's).

    Given the figure's ``numerator`` and ``denominator`` (a percentage's or a
    rate's counts), the words say whether the gap is more than chance
    (:func:`significant_gap`): "significantly" only where ``other`` lies
    outside the figure's 95% interval, "similar to" where it lies inside.
    Without counts nothing is said about significance.

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> i = load_catalogue()["rereferral_pct"]
    >>> compared_with(30.8, 22.6, "England", i, numerator=81, denominator=263)
    'significantly higher than England (22.6%; worse)'
    >>> compared_with(30.8, 28.0, "England", i, numerator=81, denominator=263)
    'similar to England (28.0%; higher, but within chance variation)'
    >>> compared_with(30.8, 28.0, "England", i)
    'higher than England (28.0%; worse)'
    """
    found = relation(current, other, indicator)
    if found is None:
        return ""
    word, verdict = found
    figure = format_value(other, shown_as or indicator) + extra
    gap = significant_gap(current, other, indicator, numerator, denominator)
    if gap == 0:
        return f"similar to {name} ({figure}; {word.removesuffix(' than')}, but within chance variation)"
    inside = figure + (f"; {verdict}" if verdict else "")
    return f"{'significantly ' if gap else ''}{word} {name} ({inside})"


def target_clause(current: float | None, target: Target | None, indicator: Indicator, period: str | None = None) -> str:
    """``"above the target of 85.0% (Green)"`` and the like; empty without a target."""
    if target is None:
        return ""
    goal = target.value_for(period)
    status = rag(current, target, indicator, period)
    if goal is None or status is None:
        return ""
    side = compare(current, goal, indicator.decimals)
    where = {1: "above", -1: "below", 0: "on"}[side]
    clause = f"{where} the target of {format_value(goal, indicator)} ({status})"
    final = target.final
    if final is not None and period is not None and Period.parse(final[0]).end > parse_period(period).end:
        clause += f", on a trajectory to {format_value(final[1], indicator)} by {final[0]}"
    return clause


@dataclass(frozen=True)
class Benchmarks:
    """Published comparators for one indicator (annual; any may be missing).

    ``value`` to ``direction`` are the authority's own published figure that
    year (its benchmark authority's, for one that takes another's) and where
    it stands, as :func:`perfkit.published.benchmarks.benchmark_rows` gives
    them to the benchmark report: never this quarter's local figure.
    """

    year: str = ""
    england: float | None = None
    neighbours: float | None = None
    neighbours_used: int = 0
    region: float | None = None
    region_name: str = ""
    value: float | None = None
    marker: str | None = None
    decimals: int | None = None
    """The published precision (the comparator's decimals)."""
    band: str | None = None
    rank: int | None = None
    ranked: int | None = None
    previous: float | None = None
    """The published figure of the year before."""
    change: float | None = None
    direction: str | None = None
    """``better``, ``worse`` or ``no change`` by polarity; None for polarity ``none``."""
    neighbours_missing: tuple[str, ...] = ()
    """The statistical neighbours left out of the mean (no published figure)."""
    note: str = ""
    """Why there is no previous figure (a boundary change), if that is why."""
    group: str = ""
    """The published group these figures are of (care leavers ``19 to 21 years``); empty for the whole authority."""

    @property
    def published(self) -> bool:
        """Whether anything is published for the indicator that year."""
        return any(v is not None for v in (self.value, self.england, self.region, self.neighbours))


@dataclass(frozen=True)
class BenchmarkSource:
    """Whose published figures a report's benchmarks are, for which year, and their statistical neighbours."""

    year: str = ""
    la_code: str = ""
    la_name: str = ""
    neighbours: tuple[str, ...] = ()
    """The neighbours' names, in the model's order."""


def ordinal(number: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``22nd``, ``113th``.

    >>> [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111, 153)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st', '111th', '153rd']
    """
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


NO_POLARITY = "neither is better"
"""Why an indicator without polarity takes no band or rank (its "Better is" says "Neither")."""
_BAND_PLACES = {"A": "best quarter", "B": "second-best quarter", "C": "second-worst quarter", "D": "worst quarter"}


def band_words(band: str | None, polarity: str) -> str:
    """A quartile band as members read it, with what it means by the indicator's polarity.

    >>> band_words("A", "low_is_good"), band_words("D", "low_is_good"), band_words("A", "high_is_good")
    ('A: best quarter (lowest figures)', 'D: worst quarter (highest figures)', 'A: best quarter (highest figures)')
    >>> band_words("B", "high_is_good"), band_words(None, "none"), band_words(None, "low_is_good")
    ('B: second-best quarter', 'No band (neither is better)', 'No band (no published figure)')
    """
    if polarity == "none":
        return f"No band ({NO_POLARITY})"
    if band not in _BAND_PLACES:
        return "No band (no published figure)"
    words = f"{band}: {_BAND_PLACES[band]}"
    if band in "AD":
        low = (band == "A") == (polarity == "low_is_good")
        words += " (lowest figures)" if low else " (highest figures)"
    return words


def rank_words(rank: int | None, ranked: int | None, polarity: str) -> str:
    """A rank among authorities, 1st the best by polarity (tied authorities share the best of their places).

    >>> rank_words(12, 153, "low_is_good"), rank_words(None, None, "none"), rank_words(None, None, "high_is_good")
    ('12th of 153', 'Not ranked (neither is better)', 'Not ranked (no published figure)')
    """
    if polarity == "none":
        return f"Not ranked ({NO_POLARITY})"
    if rank is None or ranked is None:
        return "Not ranked (no published figure)"
    return f"{ordinal(rank)} of {ranked}"


_CHANGE_UNITS = {"percent": ("percentage point", "percentage points"), "rate_per_10k": ("per 10,000", "per 10,000"),
                 "working_days": ("working day", "working days"), "days": ("day", "days"), "count": ("", ""),
                 "ratio": ("", "")}


def benchmark_key(indicator_id: str, group: str = "") -> str:
    """Where a report's benchmarks keep an indicator's figures: its id, or ``id|group`` for a published group.

    >>> benchmark_key("cla_rate"), benchmark_key("care_leavers_eet_pct", "19 to 21 years")
    ('cla_rate', 'care_leavers_eet_pct|19 to 21 years')
    """
    return f"{indicator_id}|{group}" if group else indicator_id


def published_indicator(benchmarks: Benchmarks, indicator: Indicator) -> Indicator:
    """The indicator with the published precision, for writing published figures."""
    from dataclasses import replace

    return indicator if benchmarks.decimals is None else replace(indicator, decimals=int(benchmarks.decimals))


def published_value(benchmarks: Benchmarks, indicator: Indicator) -> str:
    """The authority's published figure, at the published precision, or why there is none.

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> i = load_catalogue()["rereferral_pct"]
    >>> published_value(Benchmarks("2025", value=19.7, decimals=1), i), published_value(Benchmarks("2025", marker="x"), i)
    ('19.7%', 'not published (x)')
    """
    if benchmarks.value is None:
        return f"not published ({benchmarks.marker})" if benchmarks.marker else "not published"
    return format_value(benchmarks.value, published_indicator(benchmarks, indicator))


def change_words(benchmarks: Benchmarks, indicator: Indicator, previous_year: str) -> str:
    """The change in the published figure on the year before: amount, previous figure and better or worse.

    The amount is the published change at the published precision; better or
    worse is the benchmark table's ``direction`` (by polarity), as the
    benchmark report says it.

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> i = load_catalogue()["rereferral_pct"]
    >>> change_words(Benchmarks("2025", value=19.7, decimals=1, previous=21.9, change=-2.2, direction="better"), i, "2024")
    'Down 2.2 percentage points from 21.9% (better)'
    >>> change_words(Benchmarks("2025", value=19.7, decimals=1, previous=19.7, change=0.0, direction="no change"), i, "2024")
    'No change from 19.7%'
    >>> change_words(Benchmarks("2025", value=19.7, decimals=1), i, "2024")
    'No published figure for 2024'
    """
    if benchmarks.value is None:
        return ""
    if benchmarks.previous is None or benchmarks.change is None:
        return f"No published figure for {previous_year}"
    shown = published_indicator(benchmarks, indicator)
    previous = format_value(benchmarks.previous, shown)
    if benchmarks.change == 0:
        return f"No change from {previous}"
    amount = format_number(abs(benchmarks.change), shown.decimals)
    one, many = _CHANGE_UNITS[indicator.unit]
    unit = one if amount == "1" else many
    word = "Up" if benchmarks.change > 0 else "Down"
    verdict = f" ({benchmarks.direction})" if benchmarks.direction in ("better", "worse") else ""
    return f"{word} {amount}{' ' + unit if unit else ''} from {previous}{verdict}"


def benchmark_clause(current: float | None, benchmarks: Benchmarks | None, indicator: Indicator,
                     numerator: float | None = None, denominator: float | None = None) -> str:
    """How the figure compares with England and statistical neighbours (published figures).

    With the figure's ``numerator`` and ``denominator`` (never given for a
    suppressed figure), each comparison says whether the gap is more than
    chance (:func:`compared_with`).

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> i = load_catalogue()["rereferral_pct"]
    >>> benchmark_clause(30.8, Benchmarks("2025", 22.6, 28.0, 10), i, 81, 263)
    "significantly higher than England (22.6%; worse) and similar to the statistical neighbours' average (28.0%, 10 authorities; higher, but within chance variation) in 2025"
    """
    if benchmarks is None:
        return ""
    shown = published_indicator(benchmarks, indicator)
    counts = {"numerator": numerator, "denominator": denominator}
    parts = [p for p in (
        compared_with(current, benchmarks.england, "England", indicator, shown_as=shown, **counts),
        compared_with(current, benchmarks.region, f"the {benchmarks.region_name or 'regional'} average", indicator,
                      shown_as=shown, **counts),
        compared_with(current, benchmarks.neighbours, "the statistical neighbours' average", indicator,
                      f", {benchmarks.neighbours_used} authorities", shown_as=shown, **counts),
    ) if p]
    if not parts:
        return ""
    year = f" in {benchmarks.year}" if benchmarks.year else ""
    return " and ".join(parts) + f"{year}"


def indicator_sentence(
    indicator: Indicator,
    period: str,
    current: float | None,
    previous: tuple[str, float | None],
    year_earlier: tuple[str, float | None],
    target: Target | None = None,
    benchmarks: Benchmarks | None = None,
    variation: str = "",
    numerator: float | None = None,
    denominator: float | None = None,
) -> str:
    """One sentence on an indicator's latest figure and how it moved.

    ``numerator`` and ``denominator``, the counts behind the latest figure, let
    the comparison with England and the neighbours say "significantly" where
    the figure's 95% interval excludes theirs (:func:`benchmark_clause`).

    ``variation`` (:func:`variation_words`), where given, says what the
    process limits make of the latest quarter, before the movements since
    earlier quarters, which are then context only.

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> i = load_catalogue()["assessments_45wd_pct"]
    >>> indicator_sentence(i, "2024-25 Q2", 84.96, ("2024-25 Q1", 90.0), ("2023-24 Q2", 80.0), Target(88, 5))
    'Assessments completed within 45 working days: 85.0% in 2024-25 Q2, down 5.0 percentage points (worse) from 90.0% in 2024-25 Q1 and up 5.0 percentage points (better) from 80.0% in the same quarter last year (2023-24 Q2); below the target of 88.0% (Amber).'
    """
    value = format_value(current, indicator)
    if value == NO_FIGURE:
        return f"{indicator.title}: no figure for {period} (no {indicator.noun} to count)."
    previous_period, previous_value = previous
    year_period, year_value = year_earlier
    comparisons = []
    if format_value(previous_value, indicator) != NO_FIGURE:
        comparisons.append(f"{movement(current, previous_value, indicator)} {format_value(previous_value, indicator)} in {previous_period}")
    if format_value(year_value, indicator) != NO_FIGURE:
        comparisons.append(
            f"{movement(current, year_value, indicator)} {format_value(year_value, indicator)} in the same {noun_of(period)} last year ({year_period})"
        )
    sentence = f"{indicator.title}: {value} in {period}"
    if variation:
        sentence += f", {variation}"
    if comparisons:
        sentence += ("; " if variation else ", ") + " and ".join(comparisons)
    for clause in (target_clause(current, target, indicator, period),
                   benchmark_clause(current, benchmarks, indicator, numerator, denominator)):
        if clause:
            sentence += f"; {clause}"
    return sentence + "."


def episodes_and_children(episodes: float | None, children: float | None, period: str) -> str:
    """Missing episodes and the children they involve, never confused.

    >>> episodes_and_children(218, 28, "2022-23 Q2")
    'In 2022-23 Q2 there were 218 missing episodes involving 28 children: 7.8 episodes per child.'
    >>> episodes_and_children(1, 1, "2022-23 Q2")
    'In 2022-23 Q2 there was 1 missing episode involving 1 child: 1.0 episode per child.'
    >>> episodes_and_children(0, 0, "2022-23 Q2")
    'In 2022-23 Q2 no child was reported missing.'
    """
    if not episodes or not children:
        return f"In {period} no child was reported missing."
    per_child = episodes / children
    was = "was" if episodes == 1 else "were"
    episode_word = "episode" if episodes == 1 else "episodes"
    child_word = "child" if children == 1 else "children"
    rate_word = "episode" if format_number(per_child, 1) == "1.0" else "episodes"
    return (
        f"In {period} there {was} {format_number(episodes, 0)} missing {episode_word} involving "
        f"{format_number(children, 0)} {child_word}: {format_number(per_child, 1)} {rate_word} per child."
    )


def repeats_and_still_missing(repeat: str | None, at_end: str | None, year_to: str, noun: str = "quarter") -> str:
    """Children who went missing again and again, and those still missing, in one sentence after
    :func:`episodes_and_children`: each figure as the page shows it (a number, or "fewer than 5"), and left
    out where the data give none (``None``).

    >>> repeats_and_still_missing("20", "fewer than 5", "31 March 2025")
    "In the 12 months to 31 March 2025, 20 children went missing 3 or more times; fewer than 5 were still missing at the quarter's end."
    >>> repeats_and_still_missing("0", "0", "31 March 2025")
    "In the 12 months to 31 March 2025, no child went missing 3 or more times; none was still missing at the quarter's end."
    >>> repeats_and_still_missing(None, "7", "31 March 2025")
    "7 children were still missing at the quarter's end."
    >>> repeats_and_still_missing(None, None, "31 March 2025")
    ''
    """
    parts = []
    if repeat is not None:
        who = "no child" if repeat == "0" else f"{repeat} children"
        parts.append(f"In the 12 months to {year_to}, {who} went missing 3 or more times")
    if at_end is not None:
        still = "none was" if at_end == "0" else f"{at_end} {'were' if parts else 'children were'}"
        parts.append(f"{still} still missing at the {noun}'s end")
    if not parts:
        return ""
    sentence = "; ".join(parts) + "."
    return sentence[0].upper() + sentence[1:]


def missing_opening(report, period) -> str:
    """The Missing children section's opening words for ``period``, from ``report`` (an
    :class:`perfkit.present.authority_report.AuthorityReport`): the episodes and the children they involve
    (:func:`episodes_and_children`, where neither is withheld), then the frequent absconders and those still
    missing (:func:`repeats_and_still_missing`, minutes 004), each as the page shows it; empty where there
    is none of these."""
    words = []
    if not (report.suppressed("missing_episodes", period) or report.suppressed("missing_children", period)):
        words.append(episodes_and_children(report.value("missing_episodes", period),
                                           report.value("missing_children", period), period.label))
    shown = [None if report.reason(i, period) or (report.value(i, period) is None and not report.suppressed(i, period))
             else report.shown(report.catalogue[i], period) for i in ("missing_repeat_children", "missing_at_end")]
    words.append(repeats_and_still_missing(*shown, f"{period.end:%-d %B %Y}", period.noun))
    return " ".join(w for w in words if w)


@dataclass(frozen=True)
class Movement:
    indicator: Indicator
    current: float | None
    earlier: float | None

    @property
    def relative_change(self) -> float:
        if self.current is None or self.earlier is None or self.earlier == 0:
            return 0.0
        return abs(self.current - self.earlier) / abs(self.earlier)


def biggest_movements(movements: list[Movement], period: str, earlier_period: str, count: int = 5) -> list[str]:
    """Sentences on the indicators that moved most (relative change) since ``earlier_period``.

    Movements that display as unchanged are left out.
    """
    moved = [m for m in movements if compare(m.current, m.earlier, m.indicator.decimals) not in (None, 0)]
    moved.sort(key=lambda m: (-m.relative_change, m.indicator.id))
    sentences = []
    for m in moved[:count]:
        verb = movement(m.current, m.earlier, m.indicator)
        sentences.append(
            f"{m.indicator.title}: {format_value(m.current, m.indicator)} in {period}, {verb} "
            f"{format_value(m.earlier, m.indicator)} in {earlier_period}."
        )
    return sentences


# -- statistical process control: is a movement real? ---------------------------------------------------------------

SPECIAL_CAUSE_WORDS = {"special_cause_improvement": "a significant improvement",
                       "special_cause_concern": "a significant concern",
                       "special_cause_neutral": "a significant change"}
"""How a special cause in the latest quarter is named; "significant" is said of nothing else in a trend."""
COMMON_CAUSE_WORDS = "within normal variation"
ASSURANCE_WORDS = {"pass": "and the target is consistently met",
                   "fail": "and the target is consistently missed",
                   "hit_and_miss": "and the target is met in some quarters and missed in others (hit and miss)"}
_COUNT_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten",
                11: "eleven", 12: "twelve"}


def rule_words(rule: str, count: int, noun: str = "quarter") -> str:
    """The special-cause rule that decided the latest point (NHSRplotthedots' words), as members read it.

    ``count`` is how many quarters (``noun``: or months), ending with the latest, the rule counts:
    the run or trend's length, or how many of the last three are beyond two sigma.

    >>> rule_words("7 Points Below CL", 8), rule_words("Above UCL", 1)
    ('eight quarters in a row below the average', 'the latest quarter is above the upper process limit')
    >>> rule_words("7 Point Trend (Increasing)", 7), rule_words("2 in 3 Below CL", 2)
    ('seven quarters in a row each higher than the one before', 'two of the last three quarters near the lower process limit')
    >>> rule_words("Below LCL", 1, "month")
    'the latest month is below the lower process limit'
    """
    n = _COUNT_WORDS.get(count, str(count))
    if rule == "Above UCL":
        return f"the latest {noun} is above the upper process limit"
    if rule == "Below LCL":
        return f"the latest {noun} is below the lower process limit"
    if rule.startswith("7 Point Trend"):
        return f"{n} {noun}s in a row each {'higher' if 'Increasing' in rule else 'lower'} than the one before"
    if rule.startswith("2 in 3"):
        which = "all" if count == 3 else n
        return f"{which} of the last three {noun}s near the {'upper' if 'Above' in rule else 'lower'} process limit"
    if rule.startswith("7 Points"):
        return f"{n} {noun}s in a row {'above' if 'Above' in rule else 'below'} the average"
    raise ValueError(f"special-cause rule {rule!r} is not one of NHSRplotthedots'")


def variation_words(point_type: str | None, rule: str | None = None, count: int = 0, assurance: str | None = None,
                    reason: str | None = None, provisional: str = "", noun: str = "quarter") -> str:
    """What the process limits say of the latest quarter: the words that stand before any "up" or "down".

    ``point_type`` is the latest point's (``common_cause``,
    ``special_cause_improvement``, ...), ``rule`` the rule that decided it and
    ``count`` the quarters that rule counts (:func:`rule_words`); None with the
    ``reason`` there are no limits. "Significant" is said exactly where the
    latest point is a special cause.

    >>> variation_words("common_cause", "Common Cause", assurance="hit_and_miss")
    'within normal variation, and the target is met in some quarters and missed in others (hit and miss)'
    >>> variation_words("special_cause_improvement", "7 Points Below CL", 7)
    'a significant improvement: seven quarters in a row below the average'
    >>> variation_words(None, reason="a rolling 12-month figure")
    'no process limits (a rolling 12-month figure)'
    """
    if point_type is None:
        return f"no process limits ({reason})" if reason else "no process limits"
    if point_type == "common_cause":
        words = COMMON_CAUSE_WORDS
    else:
        words = f"{SPECIAL_CAUSE_WORDS[point_type]}: {rule_words(rule or '', count, noun)}"
    if provisional:
        words += f" ({provisional})"
    if assurance in ASSURANCE_WORDS:
        words += f", {ASSURANCE_WORDS[assurance].replace('quarters', noun + 's')}"
    return words
