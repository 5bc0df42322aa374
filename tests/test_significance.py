"""Intervals against reference values, funnel limits against independent computations, and the words.

"Significantly" is written only where the comparator lies outside the
figure's 95% interval; the property tests check it over many random counts
with an independent test of each method (the score test that the Wilson
interval inverts; Poisson tail probabilities for the exact interval).
"""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

from perfkit.indicators.catalogue import load_catalogue
from perfkit.indicators.rounding import compare
from perfkit.indicators.significance import (
    ABOVE,
    ABOVE_CONTROL,
    BELOW,
    BELOW_CONTROL,
    CONFIDENCE,
    CONTROL,
    WITHIN,
    byar_interval,
    control_limits,
    funnel_position,
    interval_for,
    poisson_interval,
    significance,
    wilson_interval,
    z_value,
)
from perfkit.present.narrative import Benchmarks, benchmark_clause, compared_with

CATALOGUE = load_catalogue()
PERCENTS = [i for i in CATALOGUE.indicators if i.unit == "percent"]
RATES = [i for i in CATALOGUE.indicators if i.unit == "rate_per_10k"]


# -- intervals against published values -----------------------------------------------------------

@pytest.mark.parametrize(("x", "n", "lower", "upper"), [
    (81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718),
])
def test_wilson_matches_newcombe_1998_table_ii(x, n, lower, upper):
    interval = wilson_interval(x, n)
    assert (round(interval.lower / 100, 4), round(interval.upper / 100, 4)) == (lower, upper)


@given(n=st.integers(1, 5000), share=st.floats(0, 1), confidence=st.sampled_from([0.9, 0.95, 0.99, 0.998]))
def test_wilson_matches_scipy(n, share, confidence):
    x = round(share * n)
    ours = wilson_interval(x, n, confidence, scale=1)
    theirs = stats.binomtest(x, n).proportion_ci(confidence_level=confidence, method="wilson")
    assert ours.lower == pytest.approx(theirs.low, abs=1e-12) and ours.upper == pytest.approx(theirs.high, abs=1e-12)


@pytest.mark.parametrize(("x", "lower", "upper"), [
    (0, 0.0, 3.689), (1, 0.0253, 5.572), (2, 0.242, 7.225), (5, 1.623, 11.668), (10, 4.795, 18.390),
])
def test_exact_poisson_matches_published_tables(x, lower, upper):
    """Garwood's exact limits for a count, as tabulated (e.g. Breslow and Day 1987, Appendix II)."""
    interval = poisson_interval(x, 1, scale=1)
    assert interval.lower == pytest.approx(lower, abs=5e-4) and interval.upper == pytest.approx(upper, abs=5e-4)


@given(x=st.integers(0, 100_000), confidence=st.sampled_from([0.95, 0.998]))
def test_exact_poisson_is_the_chi_squared_interval(x, confidence):
    alpha = 1 - confidence
    interval = poisson_interval(x, 1, confidence, scale=1)
    lower = stats.chi2.ppf(alpha / 2, 2 * x) / 2 if x else 0.0
    assert interval.lower == pytest.approx(lower, rel=1e-9, abs=1e-12)
    assert interval.upper == pytest.approx(stats.chi2.ppf(1 - alpha / 2, 2 * x + 2) / 2, rel=1e-9)


def test_a_rate_is_the_count_interval_over_the_population():
    count = poisson_interval(1850, 1, scale=1)
    rate = poisson_interval(1850, 350_000)
    assert rate.lower == pytest.approx(count.lower / 350_000 * 10_000) and rate.upper == pytest.approx(count.upper / 35)


@pytest.mark.parametrize("x", [10, 20, 50, 100, 1000, 10_000])
def test_byar_is_within_a_fifth_of_a_percent_of_exact_from_ten_events(x):
    exact, byar = poisson_interval(x, 1, scale=1), byar_interval(x, 1, scale=1)
    assert byar.lower == pytest.approx(exact.lower, rel=2e-3) and byar.upper == pytest.approx(exact.upper, rel=2e-3)


def test_no_interval_from_counts_that_cannot_give_one():
    assert interval_for("percent", 5, 4) is None  # more than the denominator
    assert interval_for("percent", 1, 0) is None and interval_for("rate_per_10k", -1, 100) is None
    assert interval_for("percent", float("nan"), 10) is None and interval_for("ratio", 1, 2) is None
    assert significance("working_days", 10, 20, 5.0) is None and significance("percent", 1, 2, None) is None
    with pytest.raises(ValueError, match="cannot exceed"):
        wilson_interval(5, 4)


# -- significance against independent tests -------------------------------------------------------

@settings(max_examples=500)
@given(n=st.integers(1, 20_000), share=st.floats(0, 1), target=st.floats(0, 100),
       confidence=st.sampled_from([CONFIDENCE, CONTROL]))
def test_wilson_significance_is_the_score_test(n, share, target, confidence):
    """The comparator lies outside the Wilson interval exactly when the score test rejects it."""
    x = round(share * n)
    p, p0, z = x / n, target / 100, z_value(confidence)
    statistic = (p - p0) / math.sqrt(p0 * (1 - p0) / n) if 0 < p0 < 1 else (math.copysign(math.inf, p - p0) if p != p0 else 0.0)
    assume(abs(abs(statistic) - z) > 1e-6)  # not on the boundary itself
    expected = 0 if abs(statistic) <= z else (1 if statistic > 0 else -1)
    assert significance("percent", x, n, target, confidence) == expected


@settings(max_examples=500)
@given(x=st.integers(0, 5000), population=st.integers(1000, 400_000), rate=st.floats(0.01, 1000),
       confidence=st.sampled_from([CONFIDENCE, CONTROL]))
def test_exact_poisson_significance_is_the_poisson_tail(x, population, rate, confidence):
    """Significantly high exactly when so many events are unlikely (P(X >= x) < alpha/2) at the comparator's
    rate, significantly low when so few are (P(X <= x) < alpha/2)."""
    expected_count = rate * population / 10_000
    alpha = 1 - confidence
    high, low = stats.poisson.sf(x - 1, expected_count), stats.poisson.cdf(x, expected_count)
    assume(abs(high - alpha / 2) > 1e-9 and abs(low - alpha / 2) > 1e-9)
    expected = 1 if high < alpha / 2 else (-1 if low < alpha / 2 else 0)
    assert significance("rate_per_10k", x, population, rate, confidence) == expected


# -- funnel limits --------------------------------------------------------------------------------

def _phe_sigma_adjustment(p: float, population: float, average: float, side: str) -> float:
    """PHE's proportion funnel limit (PHEindicatormethods, ``sigma_adjustment`` in R/Funnels.R), written out."""
    z2 = stats.norm.ppf(p) ** 2
    first = average * (population / z2 + 1)
    adj = math.sqrt((-8 * average * (population / z2 + 1)) ** 2 - 64 * (1 / z2 + 1 / population) * average
                    * (population * (average * (population / z2 + 2) - 1) + z2 * (average - 1)))
    last = 1 / z2 + 1 / population
    return ((first - adj / 8) if side == "low" else (first + adj / 8)) / last / population


def test_funnel_limits_for_a_known_proportion():
    assert [tuple(round(v, 2) for v in control_limits("percent", 30.0, 100, c)) for c in (CONFIDENCE, CONTROL)] == [
        (21.02, 38.98), (15.84, 44.16)]


@given(n=st.integers(5, 100_000), target=st.floats(1, 99), confidence=st.sampled_from([CONFIDENCE, CONTROL]))
def test_proportion_limits_are_phes(n, target, confidence):
    p = 1 - (1 - confidence) / 2
    lower, upper = control_limits("percent", target, n, confidence)
    assert lower == pytest.approx(max(0.0, 100 * _phe_sigma_adjustment(p, n, target / 100, "low")), abs=1e-9)
    assert upper == pytest.approx(min(100.0, 100 * _phe_sigma_adjustment(p, n, target / 100, "high")), abs=1e-9)


def test_funnel_limits_for_a_known_rate():
    """20 expected events (20 per 10,000 of 10,000): 11 events lie below the 95% funnel (P(X <= 11) = 0.021),
    12 do not (0.039); 30 lie above it (P(X >= 30) = 0.022), 29 do not (0.034)."""
    lower, upper = control_limits("rate_per_10k", 20.0, 10_000)
    assert (round(lower, 2), round(upper, 2)) == (11.25, 29.71)
    assert [significance("rate_per_10k", x, 10_000, 20.0) for x in (11, 12, 29, 30)] == [-1, 0, 0, 1]


def _phe_poisson_funnel(events: float, p: float, side: str) -> float:
    """PHE's ``poisson_funnel`` (R/utils.R): the expected count at which ``events`` just reach the tail ``p``,
    found here by root-finding on Poisson tail probabilities (continuous in ``events`` through the gamma)."""
    if side == "low":  # the mean for which P(X >= events) = p: the exact lower limit of events
        return optimize.brentq(lambda mu: stats.gamma.cdf(mu, events) - p, 1e-12, 10 * events + 100)
    return optimize.brentq(lambda mu: stats.gamma.sf(mu, events + 1) - p, 1e-12, 10 * events + 100)


@pytest.mark.parametrize("events", [3, 10, 57.5, 400, 2500])
@pytest.mark.parametrize("confidence", [CONFIDENCE, CONTROL])
def test_rate_limits_are_phes_poisson_funnel(events, confidence):
    """PHE draws a rate funnel through, for each count E, the population at which E's exact limit meets the
    average: the limits here, at that population, are E over it."""
    average = 50 / 10_000
    tail = (1 - confidence) / 2
    population = _phe_poisson_funnel(events, tail, "high") / average  # E lies on the lower limit here
    assert control_limits("rate_per_10k", 50.0, population, confidence)[0] == pytest.approx(events / population * 10_000, rel=1e-6)
    population = _phe_poisson_funnel(events, tail, "low") / average  # and on the upper limit here
    assert control_limits("rate_per_10k", 50.0, population, confidence)[1] == pytest.approx(events / population * 10_000, rel=1e-6)


@settings(max_examples=300)
@given(unit=st.sampled_from(["percent", "rate_per_10k"]), denominator=st.integers(1, 50_000), share=st.floats(0, 1),
       target=st.floats(0.5, 99.5))
def test_a_figure_outside_the_limits_is_one_whose_interval_excludes_the_target(unit, denominator, share, target):
    if unit == "percent":
        numerator = round(share * denominator)
        figure = numerator / denominator * 100
    else:
        numerator = round(share * denominator * target / 10_000 * 3)
        figure = numerator / denominator * 10_000
    inner, outer = control_limits(unit, target, denominator, CONFIDENCE), control_limits(unit, target, denominator, CONTROL)
    margin = 1e-7 * max(1.0, figure)
    assume(all(abs(figure - limit) > margin for limit in (*inner, *outer)))
    expected = (BELOW_CONTROL if figure < outer[0] else BELOW if figure < inner[0] else
                ABOVE_CONTROL if figure > outer[1] else ABOVE if figure > inner[1] else WITHIN)
    assert funnel_position(unit, numerator, denominator, target) == expected


# -- the words ------------------------------------------------------------------------------------

SIGNIFICANT = re.compile(r"significantly (higher|lower) than England")
SIMILAR = re.compile(r"similar to England \([^;]*; (higher|lower), but within chance variation\)")


@settings(max_examples=800, deadline=None)
@given(indicator=st.sampled_from(PERCENTS + RATES),
       denominator=st.one_of(st.integers(1, 300), st.integers(1, 400_000)), share=st.floats(0, 1),
       gap=st.one_of(st.floats(-4, 4), st.none()), anywhere=st.floats(0, 100), with_counts=st.booleans())
def test_significant_only_where_the_interval_excludes_the_comparator(indicator, denominator, share, gap, anywhere,
                                                                      with_counts):
    """Over random counts and comparators (near the figure, ``gap`` standard errors away, or anywhere), the
    words say "significantly" exactly where the comparator lies outside the figure's 95% interval, and
    "similar to" exactly where it lies inside and the figures differ as shown."""
    if indicator.unit == "percent":
        numerator, scale = round(share * denominator), 100
        error = math.sqrt(max(numerator, 0.5) * max(denominator - numerator, 0.5) / denominator) / denominator * scale
    else:
        numerator, scale = round(share * min(denominator, 20_000) * 0.05), 10_000
        error = math.sqrt(max(numerator, 0.5)) / denominator * scale
    current = numerator / denominator * scale
    england = round(anywhere * scale / 100 if gap is None else max(0.0, current + gap * error), indicator.decimals + 1)
    counts = {"numerator": numerator, "denominator": denominator} if with_counts else {}
    clause = benchmark_clause(current, Benchmarks("2025", england), indicator, **counts)
    interval = interval_for(indicator.unit, numerator, denominator)
    shown = compare(current, england, indicator.decimals)
    found, similar = SIGNIFICANT.search(clause), SIMILAR.search(clause)
    if not with_counts or shown == 0:
        assert not found and not similar and "chance" not in clause and "significant" not in clause
        return
    words = {1: "higher", -1: "lower"}[shown]
    if interval.against(england) == shown:
        assert found and found.group(1) == words and not similar, clause
    else:
        assert interval.against(england) == 0
        assert not found and "significant" not in clause and similar and similar.group(1) == words, clause


def test_the_words():
    i = CATALOGUE["rereferral_pct"]
    assert compared_with(30.8, 22.6, "England", i, numerator=81, denominator=263) == (
        "significantly higher than England (22.6%; worse)")
    assert compared_with(30.8, 28.0, "England", i, numerator=81, denominator=263) == (
        "similar to England (28.0%; higher, but within chance variation)")
    assert compared_with(30.8, 28.0, "England", i) == "higher than England (28.0%; worse)"  # no counts: no claim
    assert compared_with(30.8, 30.8, "England", i, numerator=81, denominator=263) == "the same as England (30.8%)"
    # counts that do not give the figure shown (80 of 263 is 30.4%): nothing is said about chance
    assert compared_with(30.8, 22.6, "England", i, numerator=80, denominator=263) == "higher than England (22.6%; worse)"
    rate = CATALOGUE["cla_rate"]
    assert compared_with(1850 / 35, 67.0, "England", rate, numerator=1850, denominator=350_000) == (
        "significantly lower than England (67.0 per 10,000)")
    assert compared_with(5, 3.0, "England", CATALOGUE["cla_starts"], numerator=5, denominator=None) == "higher than England (3)"


def test_a_suppressed_figure_says_nothing_about_significance():
    i = CATALOGUE["rereferral_pct"]
    assert benchmark_clause(None, Benchmarks("2025", 22.6, 20.0, 10), i, None, None) == ""
    text = benchmark_clause(30.8, Benchmarks("2025", 22.6, 20.0, 10), i, None, None)
    assert "significant" not in text and "chance" not in text
