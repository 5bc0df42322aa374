"""Plain-English commentary whose words always agree with the numbers.

"Up", "down", "above", "below" and "the same as" come from the displayed
figures; "better" and "worse" come from the indicator's polarity. Neither is
ever written by hand, so the two cannot contradict each other, and a sentence
never says "up" of two figures that display the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfkit.indicators.catalogue import Indicator
from perfkit.indicators.rounding import compare
from perfkit.indicators.targets import Target, rag
from perfkit.present.formatting import NO_FIGURE, format_number, format_value


def judgement(direction: int, indicator: Indicator) -> str | None:
    """``"better"`` or ``"worse"`` for a move in ``direction`` (1 up, -1 down); None without polarity."""
    if indicator.polarity == "none" or direction == 0:
        return None
    return "better" if (direction > 0) == (indicator.polarity == "high_is_good") else "worse"


def movement(current: float | None, earlier: float | None, indicator: Indicator) -> str:
    """``"up from"``, ``"down from"`` or ``"unchanged from"``, with better/worse by polarity.

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> i = load_catalogue()["rereferral_pct"]
    >>> movement(22.0, 20.0, i), movement(18.0, 20.0, i), movement(20.01, 20.0, i)
    ('up (worse) from', 'down (better) from', 'unchanged from')
    """
    direction = compare(current, earlier, indicator.decimals)
    if direction is None:
        return "compared with"
    if direction == 0:
        return "unchanged from"
    word = "up" if direction > 0 else "down"
    verdict = judgement(direction, indicator)
    return f"{word} ({verdict}) from" if verdict else f"{word} from"


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


def compared_with(current: float | None, other: float | None, name: str, indicator: Indicator, extra: str = "") -> str:
    """``"lower than England (22.6%; better)"``; empty when either figure is missing."""
    found = relation(current, other, indicator)
    if found is None:
        return ""
    word, verdict = found
    inside = format_value(other, indicator) + extra + (f"; {verdict}" if verdict else "")
    return f"{word} {name} ({inside})"


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
    return f"{where} the target of {format_value(goal, indicator)} ({status})"


@dataclass(frozen=True)
class Benchmarks:
    """Published comparators for one indicator (annual; any may be missing)."""

    year: str = ""
    england: float | None = None
    neighbours: float | None = None
    neighbours_used: int = 0
    region: float | None = None
    region_name: str = ""


def benchmark_clause(current: float | None, benchmarks: Benchmarks | None, indicator: Indicator) -> str:
    """How the figure compares with England and statistical neighbours (published figures)."""
    if benchmarks is None:
        return ""
    parts = [p for p in (
        compared_with(current, benchmarks.england, "England", indicator),
        compared_with(current, benchmarks.region, f"the {benchmarks.region_name or 'regional'} average", indicator),
        compared_with(current, benchmarks.neighbours, "the statistical neighbours' average", indicator,
                      f", {benchmarks.neighbours_used} authorities"),
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
) -> str:
    """One sentence on an indicator's latest figure and how it moved.

    >>> from perfkit.indicators.catalogue import load_catalogue
    >>> i = load_catalogue()["assessments_45wd_pct"]
    >>> indicator_sentence(i, "2024-25 Q2", 84.96, ("2024-25 Q1", 90.0), ("2023-24 Q2", 80.0), Target(88, 5))
    'Assessments completed within 45 working days: 85.0% in 2024-25 Q2, down (worse) from 90.0% in 2024-25 Q1 and up (better) from 80.0% in the same quarter last year (2023-24 Q2); below the target of 88.0% (Amber).'
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
            f"{movement(current, year_value, indicator)} {format_value(year_value, indicator)} in the same quarter last year ({year_period})"
        )
    sentence = f"{indicator.title}: {value} in {period}"
    if comparisons:
        sentence += ", " + " and ".join(comparisons)
    for clause in (target_clause(current, target, indicator, period), benchmark_clause(current, benchmarks, indicator)):
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
