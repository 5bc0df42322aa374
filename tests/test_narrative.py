"""The commentary's words agree with its numbers, for any values (hypothesis)."""

from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from perfkit.indicators.catalogue import load_catalogue
from perfkit.indicators.targets import Target, rag
from perfkit.present.narrative import (
    Benchmarks,
    Movement,
    biggest_movements,
    episodes_and_children,
    indicator_sentence,
)

CATALOGUE = load_catalogue()
NUMBER = r"(-?[\d,]+(?:\.\d+)?)"
MOVE = re.compile(r"(up|down|unchanged)(?: \((better|worse)\))? from " + NUMBER)
TARGET = re.compile(r"(above|below|on) the target of " + NUMBER + r"[^(]*\((Green|Amber|Red)\)")
RELATION = re.compile(r"(higher than|lower than|the same as) (England|the statistical neighbours' average|the North East average) \(" + NUMBER + r"[^;)]*(?:; (better|worse))?\)")

values = st.one_of(
    st.none(),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.integers(min_value=0, max_value=2000).map(lambda n: n / 20),  # many halves: rounding boundaries
)


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _check_verdict(direction: int, verdict: str | None, polarity: str) -> None:
    if polarity == "none" or direction == 0:
        assert verdict is None
    else:
        good = (direction > 0) == (polarity == "high_is_good")
        assert verdict == ("better" if good else "worse")


@settings(max_examples=400, deadline=None)
@given(
    indicator=st.sampled_from(CATALOGUE.indicators),
    current=values, previous=values, year_earlier=values,
    target=st.one_of(st.none(), st.tuples(values.filter(lambda v: v is not None), st.floats(0, 50))),
    england=values, neighbours=values, region=values,
)
def test_sentence_words_agree_with_its_numbers(indicator, current, previous, year_earlier, target, england, neighbours, region):
    goal = Target(target[0], target[1]) if target and indicator.polarity != "none" else None
    sentence = indicator_sentence(indicator, "2024-25 Q2", current, ("2024-25 Q1", previous), ("2023-24 Q2", year_earlier),
                                  goal, Benchmarks("2024", england, neighbours, 10, region, "North East"))
    rest = sentence[len(indicator.title) + 2:]
    if rest.startswith("no figure"):
        assert current is None
        return
    shown = _number(re.match(NUMBER, rest).group(1))
    moves = MOVE.findall(rest)
    assert len(moves) == (previous is not None) + (year_earlier is not None)
    for word, verdict, other in moves:
        direction = {"up": 1, "down": -1, "unchanged": 0}[word]
        assert (shown > _number(other)) - (shown < _number(other)) == direction
        _check_verdict(direction, verdict or None, indicator.polarity)
    for word, _, other, verdict in RELATION.findall(rest):
        direction = {"higher than": 1, "lower than": -1, "the same as": 0}[word]
        assert (shown > _number(other)) - (shown < _number(other)) == direction
        _check_verdict(direction, verdict or None, indicator.polarity)
    found = TARGET.findall(rest)
    if goal is None:
        assert not found
    else:
        (side, goal_text, status), = found
        goal_shown = _number(goal_text)
        assert {"above": 1, "below": -1, "on": 0}[side] == (shown > goal_shown) - (shown < goal_shown)
        assert status == rag(current, goal, indicator)
        gap = (shown - goal_shown) if indicator.polarity == "high_is_good" else (goal_shown - shown)
        assert (status == "Green") == (gap >= 0)


@given(episodes=st.integers(0, 5000), children=st.integers(0, 500))
def test_episodes_and_children_are_never_confused(episodes, children):
    sentence = episodes_and_children(episodes, children, "2022-23 Q2")
    if episodes and children:
        assert re.search(rf"\b{episodes:,} missing episodes?\b", sentence)
        assert re.search(rf"involving {children:,} child(ren)?:", sentence)
    else:
        assert "no child was reported missing" in sentence


def test_the_minutes_example():
    assert episodes_and_children(218, 28, "2022-23 Q2") == (
        "In 2022-23 Q2 there were 218 missing episodes involving 28 children: 7.8 episodes per child.")


def test_484_per_10000_is_not_below_a_national_465():
    """The narrative that called 484 per 10,000 'below' a national 465, done right."""
    indicator = CATALOGUE["referral_rate"]
    sentence = indicator_sentence(indicator, "2022-23 Q2", 484.0, ("2022-23 Q1", 470.0), ("2021-22 Q2", 480.0),
                                  None, Benchmarks("2021-22", 465.0, 500.0, 10))
    assert "higher than England (465.0 per 10,000)" in sentence
    assert "lower than the statistical neighbours' average (500.0 per 10,000, 10 authorities)" in sentence
    rereferrals = indicator_sentence(CATALOGUE["rereferral_pct"], "2022-23 Q2", 21.6, ("2022-23 Q1", 21.0),
                                     ("2021-22 Q2", 22.0), None, Benchmarks("2022", 22.6, 20.5, 9))
    assert "lower than England (22.6%; better)" in rereferrals
    assert "higher than the statistical neighbours' average (20.5%, 9 authorities; worse)" in rereferrals
    assert "better" not in sentence and "worse" not in sentence  # polarity none: no judgement


def test_biggest_movements_leave_out_unchanged_and_rank_by_relative_change():
    ids = ["referrals", "cla_rate", "rereferral_pct"]
    movements = [Movement(CATALOGUE["referrals"], 110.0, 100.0), Movement(CATALOGUE["cla_rate"], 70.0, 50.0),
                 Movement(CATALOGUE["rereferral_pct"], 20.04, 20.0)]
    sentences = biggest_movements(movements, "2024-25 Q2", "2023-24 Q2")
    assert [s.split(":")[0] for s in sentences] == [CATALOGUE[ids[1]].title, CATALOGUE[ids[0]].title]
