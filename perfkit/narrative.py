"""Plain-English commentary whose words always agree with the numbers.

"Up", "down", "above" and "below" come from the displayed figures; "better"
and "worse" come from the indicator's polarity. Neither is ever written by
hand, so the two cannot contradict each other.
"""

from __future__ import annotations

from perfkit.catalogue import Indicator
from perfkit.formatting import compare, format_value
from perfkit.targets import Target, rag


def movement(current: float | None, earlier: float | None, indicator: Indicator) -> str:
    """``"up from"``, ``"down from"`` or ``"unchanged from"``, with better/worse by polarity.

    >>> from perfkit.catalogue import load_catalogue
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
    if indicator.polarity == "none":
        return f"{word} from"
    good = (direction > 0) == (indicator.polarity == "high_is_good")
    return f"{word} ({'better' if good else 'worse'}) from"


def target_clause(current: float | None, target: Target | None, indicator: Indicator) -> str:
    """``"above the target of 85.0% (Green)"`` and the like; empty without a target."""
    status = rag(current, target, indicator)
    if target is None or status is None:
        return ""
    side = compare(current, target.value, indicator.decimals)
    where = {1: "above", -1: "below", 0: "on"}[side]
    return f"{where} the target of {format_value(target.value, indicator)} ({status})"


def indicator_sentence(
    indicator: Indicator,
    period: str,
    current: float | None,
    previous: tuple[str, float | None],
    year_earlier: tuple[str, float | None],
    target: Target | None = None,
) -> str:
    """One sentence on an indicator's latest figure and how it moved.

    >>> from perfkit.catalogue import load_catalogue
    >>> i = load_catalogue()["assessments_45wd_pct"]
    >>> indicator_sentence(i, "2024-25 Q2", 84.96, ("2024-25 Q1", 90.0), ("2023-24 Q2", 80.0), Target(88, 5))
    'Assessments completed within 45 working days: 85.0% in 2024-25 Q2, down (worse) from 90.0% in 2024-25 Q1 and up (better) from 80.0% in the same quarter last year (2023-24 Q2); below the target of 88.0% (Amber).'
    """
    value = format_value(current, indicator)
    if value == "no figure":
        return f"{indicator.title}: no figure for {period} (no {indicator.noun} to count)."
    previous_period, previous_value = previous
    year_period, year_value = year_earlier
    parts = [f"{indicator.title}: {value} in {period}"]
    comparisons = []
    if format_value(previous_value, indicator) != "no figure":
        comparisons.append(f"{movement(current, previous_value, indicator)} {format_value(previous_value, indicator)} in {previous_period}")
    if format_value(year_value, indicator) != "no figure":
        comparisons.append(
            f"{movement(current, year_value, indicator)} {format_value(year_value, indicator)} in the same quarter last year ({year_period})"
        )
    sentence = parts[0]
    if comparisons:
        sentence += ", " + " and ".join(comparisons)
    clause = target_clause(current, target, indicator)
    if clause:
        sentence += f"; {clause}"
    return sentence + "."
