"""Is a difference from England real? 95% intervals for percentages and rates, and funnel-plot limits.

An authority's percentage or rate is counted from a finite number of children
or events, so part of any gap between it and England's figure is chance. A
gap is called *significant* only where the comparator (England's figure, the
region's, the statistical neighbours' mean) lies outside the 95% interval
around the authority's own figure. The comparator is taken as a fixed value,
as the published figure members read (England's counts are so large that its
own chance variation is negligible; a neighbours' mean is treated the same
way, as PHE's Fingertips profiles treat every benchmark).

Methods
-------
Percentages (a numerator of a denominator: re-referrals of referrals)
    **Wilson score interval** (Wilson 1927): the proportions :math:`p` with
    :math:`(\\hat p - p)^2 \\le z^2 p (1 - p) / n`, that is

    .. math:: \\frac{\\hat p + z^2/2n \\pm z\\sqrt{\\hat p(1-\\hat p)/n + z^2/4n^2}}{1 + z^2/n}.

    Unlike the textbook :math:`\\hat p \\pm z\\sqrt{\\hat p(1-\\hat p)/n}` it
    never leaves 0-100%, is not zero-width at 0 or 100%, and keeps close to its
    stated coverage for small denominators (Newcombe 1998 compares seven
    methods and recommends it). It is the method of PHE's Fingertips
    (``PHEindicatormethods::phe_proportion``).

Rates per 10,000 (events or children over the population aged 0-17)
    **Exact Poisson interval** (Garwood 1936): for :math:`x` events the lower
    limit of the count is :math:`\\chi^2_{\\alpha/2}(2x)/2` (0 for no events)
    and the upper :math:`\\chi^2_{1-\\alpha/2}(2x+2)/2`, divided by the
    population and multiplied by 10,000. Computed here with
    ``scipy.special.gammaincinv`` (the same quantiles as
    ``scipy.stats.chi2.ppf``, halved). Exact rather than Byar's approximation
    (Breslow and Day 1987, p. 69; :func:`byar_interval`): scipy is a
    dependency, so the exact interval costs nothing, holds for any count down
    to 0 (Byar's is poor below about 10 events, where PHE switches to the
    exact one), and is the interval PHE's funnel plots for rates invert.
    For counts of 10 or more the two agree to within 0.2%.

Funnel limits (:func:`control_limits`)
    For a target (England's figure) and an authority's denominator, the
    figures beyond which the target lies outside the authority's interval:
    for percentages :math:`p_0 \\pm z\\sqrt{p_0(1-p_0)/n}` (the Wilson
    interval inverted; PHE's ``sigma_adjustment`` in
    ``PHEindicatormethods::phe_funnels`` is this formula), for rates the
    counts whose exact Poisson interval just touches :math:`p_0 n`. The
    limits are drawn at 95% (:data:`CONFIDENCE`) and 99.8% (:data:`CONTROL`,
    about three standard errors), Spiegelhalter's (2005) choice. A figure
    lies outside a funnel limit exactly when the comparator lies outside its
    interval at that confidence, so a funnel plot and a sentence never
    disagree.

References
----------
- Wilson EB (1927) Probable inference, the law of succession, and statistical
  inference. *JASA* 22:209-212. doi:10.1080/01621459.1927.10502953
- Newcombe RG (1998) Two-sided confidence intervals for the single
  proportion: comparison of seven methods. *Statistics in Medicine*
  17:857-872 (Table II: 81/263 gives 0.2553 to 0.3662 by the score method).
- Garwood F (1936) Fiducial limits for the Poisson distribution.
  *Biometrika* 28:437-442.
- Breslow NE, Day NE (1987) *Statistical methods in cancer research, vol. II*.
  IARC, p. 69 (Byar's approximation).
- Spiegelhalter DJ (2005) Funnel plots for comparing institutional
  performance. *Statistics in Medicine* 24:1185-1202.
- Public Health England, *Fingertips public health technical guidance*
  (confidence intervals and funnel plots), and the R package
  PHEindicatormethods (``phe_proportion``, ``phe_rate``, ``phe_funnels``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

CONFIDENCE = 0.95
"""The confidence of the intervals behind the words "significantly higher" and "significantly lower"."""
CONTROL = 0.998
"""The outer funnel limits: 99.8%, about three standard errors either side (Spiegelhalter 2005)."""
PERCENT_SCALE = 100
RATE_SCALE = 10_000
SCALES = {"percent": PERCENT_SCALE, "rate_per_10k": RATE_SCALE}
"""The units an interval is computed for, and what a proportion is multiplied by to give the figure."""
WILSON, EXACT_POISSON, BYAR = "Wilson score", "exact Poisson", "Byar"


def z_value(confidence: float = CONFIDENCE) -> float:
    """The standard normal quantile for a two-sided interval of ``confidence``.

    >>> round(z_value(0.95), 4), round(z_value(0.998), 4)
    (1.96, 3.0902)
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie between 0 and 1, not {confidence}")
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


@dataclass(frozen=True)
class Interval:
    """A confidence interval for a figure, on the figure's own scale (percent, or per 10,000)."""

    lower: float
    upper: float
    method: str
    confidence: float = CONFIDENCE

    def against(self, comparator: float | None) -> int | None:
        """1 where the figure is significantly higher than ``comparator`` (the comparator lies below the
        interval), -1 where significantly lower (above it), 0 where the comparator lies inside; None
        without a comparator.

        >>> i = Interval(25.5, 36.6, WILSON)
        >>> i.against(22.6), i.against(40.0), i.against(30.0), i.against(25.5), i.against(None)
        (1, -1, 0, 0, None)
        """
        if comparator is None or math.isnan(comparator):
            return None
        if comparator < self.lower:
            return 1
        if comparator > self.upper:
            return -1
        return 0


def _check_counts(numerator: float, denominator: float) -> None:
    if not (math.isfinite(numerator) and math.isfinite(denominator)):
        raise ValueError(f"counts must be finite numbers, not {numerator!r} of {denominator!r}")
    if numerator < 0 or denominator <= 0:
        raise ValueError(f"a count must be 0 or more and its denominator more than 0, not {numerator!r} of {denominator!r}")


def wilson_interval(numerator: float, denominator: float, confidence: float = CONFIDENCE,
                    scale: float = PERCENT_SCALE) -> Interval:
    """The Wilson score interval of ``numerator`` of ``denominator``, as percentages (``scale`` 100).

    Newcombe (1998, Table II, score method without continuity correction)
    gives 81/263: 0.2553 to 0.3662; 15/148: 0.0624 to 0.1605; 0/20: 0 to
    0.1611; 1/29: 0.0061 to 0.1718.

    >>> i = wilson_interval(81, 263)
    >>> round(i.lower, 2), round(i.upper, 2), i.method
    (25.53, 36.62, 'Wilson score')
    >>> [tuple(round(v / 100, 4) for v in (i.lower, i.upper))
    ...  for i in (wilson_interval(15, 148), wilson_interval(0, 20), wilson_interval(1, 29))]
    [(0.0624, 0.1605), (0.0, 0.1611), (0.0061, 0.1718)]
    >>> wilson_interval(5, 4)
    Traceback (most recent call last):
    ...
    ValueError: a proportion's numerator cannot exceed its denominator: 5 of 4
    """
    _check_counts(numerator, denominator)
    if numerator > denominator:
        raise ValueError(f"a proportion's numerator cannot exceed its denominator: {numerator!r} of {denominator!r}")
    z = z_value(confidence)
    n, p = float(denominator), numerator / denominator
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z * math.sqrt(p * (1 - p) / n + z2n / (4 * n)) / (1 + z2n)
    lower = 0.0 if numerator == 0 else max(0.0, centre - half)
    upper = 1.0 if numerator == denominator else min(1.0, centre + half)
    return Interval(lower * scale, upper * scale, WILSON, confidence)


def poisson_interval(events: float, exposure: float = 1.0, confidence: float = CONFIDENCE,
                     scale: float = RATE_SCALE) -> Interval:
    """The exact (Garwood) interval of a rate: ``events`` over ``exposure`` (a population), times ``scale``.

    For the count itself (``exposure`` 1, ``scale`` 1), the limits are the
    published exact values: 0 events 0 to 3.689; 1: 0.0253 to 5.572; 10:
    4.795 to 18.39 (Garwood 1936; the tables in Breslow and Day 1987,
    Appendix II, and Ulm, *Am J Epidemiol* 1990;131:373-375), equal to
    ``scipy.stats.chi2.ppf(0.025, 2 * x) / 2`` and ``chi2.ppf(0.975, 2 * x + 2) / 2``.

    >>> [tuple(round(v, 4) for v in (i.lower, i.upper)) for i in (poisson_interval(x, 1, scale=1) for x in (0, 1, 10))]
    [(0.0, 3.6889), (0.0253, 5.5716), (4.7954, 18.3904)]

    1,850 children looked after among 350,000 children: 52.9 per 10,000 (50.5 to 55.3).

    >>> i = poisson_interval(1850, 350_000)
    >>> round(1850 / 350_000 * 10_000, 1), round(i.lower, 1), round(i.upper, 1), i.method
    (52.9, 50.5, 55.3, 'exact Poisson')
    """
    from scipy.special import gammaincinv

    _check_counts(events, exposure)
    alpha = 1 - confidence
    z_value(confidence)  # checks it
    lower = 0.0 if events == 0 else float(gammaincinv(events, alpha / 2))
    upper = float(gammaincinv(events + 1, 1 - alpha / 2))
    return Interval(lower / exposure * scale, upper / exposure * scale, EXACT_POISSON, confidence)


def byar_interval(events: float, exposure: float = 1.0, confidence: float = CONFIDENCE,
                  scale: float = RATE_SCALE) -> Interval:
    """Byar's approximation to the exact Poisson interval (Breslow and Day 1987, p. 69), for comparison.

    .. math:: x\\left(1 - \\frac{1}{9x} - \\frac{z}{3\\sqrt{x}}\\right)^3 \\text{ to }
              (x+1)\\left(1 - \\frac{1}{9(x+1)} + \\frac{z}{3\\sqrt{x+1}}\\right)^3

    perfkit uses the exact interval (:func:`poisson_interval`); Byar's is
    here to show how close it is: for 10 events 4.787 to 18.39 against the
    exact 4.795 to 18.39, for 100 events 81.36 to 121.63 against 81.36 to 121.63.

    >>> [tuple(round(v, 2) for v in (i.lower, i.upper)) for i in (byar_interval(x, 1, scale=1) for x in (10, 100))]
    [(4.79, 18.39), (81.36, 121.63)]
    """
    _check_counts(events, exposure)
    z = z_value(confidence)
    if events == 0:
        lower = 0.0
    else:
        lower = events * (1 - 1 / (9 * events) - z / (3 * math.sqrt(events))) ** 3
    after = events + 1
    upper = after * (1 - 1 / (9 * after) + z / (3 * math.sqrt(after))) ** 3
    return Interval(max(0.0, lower) / exposure * scale, upper / exposure * scale, BYAR, confidence)


def interval_for(unit: str, numerator: float | None, denominator: float | None,
                 confidence: float = CONFIDENCE) -> Interval | None:
    """The interval of a figure of ``unit``: Wilson for ``percent``, exact Poisson for ``rate_per_10k``.

    None for any other unit (counts, ratios, working days), and wherever the
    counts cannot give one (missing, negative, no denominator, or a
    percentage's numerator above its denominator): nothing is then said about
    significance.

    >>> round(interval_for("percent", 81, 263).upper, 2), interval_for("count", 81, 263), interval_for("percent", None, 10)
    (36.62, None, None)
    """
    scale = SCALES.get(unit)
    if scale is None or numerator is None or denominator is None:
        return None
    try:
        numerator, denominator = float(numerator), float(denominator)
        if unit == "percent":
            return wilson_interval(numerator, denominator, confidence, scale)
        return poisson_interval(numerator, denominator, confidence, scale)
    except (ValueError, TypeError):
        return None


def significance(unit: str, numerator: float | None, denominator: float | None, comparator: float | None,
                 confidence: float = CONFIDENCE) -> int | None:
    """Whether the figure ``numerator`` of ``denominator`` differs significantly from ``comparator``.

    1 significantly higher, -1 significantly lower (the comparator lies
    outside the figure's interval, :func:`interval_for`), 0 not significantly
    different; None where no interval can be had (so nothing may be said).

    >>> significance("percent", 81, 263, 22.6), significance("percent", 81, 263, 30.0), significance("percent", 81, 263, 40.0)
    (1, 0, -1)
    >>> significance("rate_per_10k", 1850, 350_000, 67.0), significance("ratio", 1, 2, 0.1)
    (-1, None)
    """
    interval = interval_for(unit, numerator, denominator, confidence)
    return None if interval is None else interval.against(comparator)


def significantly_higher(unit: str, numerator: float | None, denominator: float | None, comparator: float | None,
                         confidence: float = CONFIDENCE) -> bool:
    """Whether the comparator lies below the figure's interval (False where none can be had).

    >>> significantly_higher("percent", 81, 263, 22.6), significantly_higher("percent", 81, 263, 30.0)
    (True, False)
    """
    return significance(unit, numerator, denominator, comparator, confidence) == 1


def significantly_lower(unit: str, numerator: float | None, denominator: float | None, comparator: float | None,
                        confidence: float = CONFIDENCE) -> bool:
    """Whether the comparator lies above the figure's interval (False where none can be had).

    >>> significantly_lower("percent", 81, 263, 40.0), significantly_lower("percent", None, 263, 40.0)
    (True, False)
    """
    return significance(unit, numerator, denominator, comparator, confidence) == -1


def control_limits(unit: str, target: float, denominator: float, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The funnel limits (lower, upper) around ``target`` for a figure with ``denominator``.

    A figure below the lower limit has ``target`` above its interval; above
    the upper limit, below it (:func:`significance` at the same confidence).

    Percentages: :math:`p_0 \\pm z\\sqrt{p_0(1-p_0)/n}`, within 0-100%. Around
    30% with a denominator of 100: 21.02% to 38.98% (95%) and 15.84% to 44.16% (99.8%).

    >>> [tuple(round(v, 2) for v in control_limits("percent", 30.0, 100, c)) for c in (0.95, 0.998)]
    [(21.02, 38.98), (15.84, 44.16)]

    Rates: the counts (not only whole ones) whose exact Poisson interval
    just reaches the expected count :math:`\\mu_0 = p_0 n`. Around 20 per
    10,000 in a population of 10,000 (20 expected): 11.25 to 29.71 (95%).
    Between whole counts, as the Poisson distribution has it: 11 events are
    significantly few (:math:`P(X \\le 11) = 0.021`), 12 are not (0.039);
    30 are significantly many (:math:`P(X \\ge 30) = 0.022`), 29 are not (0.034).

    >>> tuple(round(v, 2) for v in control_limits("rate_per_10k", 20.0, 10_000))
    (11.25, 29.71)
    """
    scale = SCALES.get(unit)
    if scale is None:
        raise ValueError(f"funnel limits are for percentages and rates per 10,000, not {unit!r}")
    if not (denominator > 0 and math.isfinite(denominator)):
        raise ValueError(f"a denominator must be more than 0, not {denominator!r}")
    z = z_value(confidence)
    if unit == "percent":
        p0 = min(max(target / scale, 0.0), 1.0)
        half = z * math.sqrt(p0 * (1 - p0) / denominator)
        return max(0.0, p0 - half) * scale, min(1.0, p0 + half) * scale
    from scipy.special import gdtrib

    expected = max(target, 0.0) * denominator / scale
    if expected == 0:
        return 0.0, 0.0
    alpha = 1 - confidence
    # gdtrib(1, q, mu) is the a with gammainc(a, mu) = q: the count x whose upper limit (lower limit) is mu
    # solves gammainc(x + 1, mu) = 1 - alpha/2 (gammainc(x, mu) = alpha/2)
    low_count = max(0.0, float(gdtrib(1.0, 1 - alpha / 2, expected)) - 1)
    high_count = float(gdtrib(1.0, alpha / 2, expected))
    return low_count / denominator * scale, high_count / denominator * scale


ABOVE_CONTROL, ABOVE, WITHIN, BELOW, BELOW_CONTROL = "above 99.8%", "above 95%", "within", "below 95%", "below 99.8%"
POSITIONS = (ABOVE_CONTROL, ABOVE, WITHIN, BELOW, BELOW_CONTROL)
"""Where a figure lies on a funnel plot: beyond the 99.8% limits, beyond the 95% only, or within them."""


def funnel_position(unit: str, numerator: float | None, denominator: float | None, target: float | None) -> str | None:
    """Where a figure lies against the funnel around ``target``: one of :data:`POSITIONS`, None without counts.

    >>> [funnel_position("percent", x, 263, 22.6) for x in (81, 75, 59, 45, 38)]
    ['above 99.8%', 'above 95%', 'within', 'below 95%', 'below 99.8%']
    """
    outer = significance(unit, numerator, denominator, target, CONTROL)
    inner = significance(unit, numerator, denominator, target, CONFIDENCE)
    if outer is None or inner is None:
        return None
    if outer:
        return ABOVE_CONTROL if outer > 0 else BELOW_CONTROL
    if inner:
        return ABOVE if inner > 0 else BELOW
    return WITHIN
