"""The disclosure audit's check of process control on a member page: limits, averages and icons that give
back nothing the page's figures do not (:func:`check_spc`, called by
:func:`perfkit.present.disclosure_audit.audit_page`)."""

from __future__ import annotations

import polars as pl

from perfkit.indicators.catalogue import ALL, Catalogue
from perfkit.indicators.periods import is_alone, parse_period, without_alone
from perfkit.present.disclosure_audit import ICON, Finding, SpcClaim


def _latest_variation(indicator, chart: pl.DataFrame) -> str:
    """The variation icon's words the latest quarter of ``chart`` gives (as the report writes them)."""
    from perfkit.indicators.spc import IMPROVEMENT_OF_POLARITY
    from perfkit.present.process_control import rule_direction
    from perfkit.present.spc_icons import variation_label

    return variation_label(chart["point_type"][-1], IMPROVEMENT_OF_POLARITY[indicator.polarity],
                           rule_direction(chart["special_cause_type"][-1]))


def check_spc(claims: list[SpcClaim], visible: dict[tuple, object], measures: pl.DataFrame,
              catalogue: Catalogue) -> list[Finding]:
    """Findings where a trend's process control is drawn over a figure the page does not show, or is not
    exactly what the figures it is drawn over give (worked out again from the true aggregates).

    Each indicator's claims name the quarters its limits are drawn over. Every
    one of them must show its figure; the XmR, p or u chart of those quarters
    alone, split where the page's average changes (a declared change), must
    give every mean, limit and point type the page shows. Then the page's
    process control is a function of figures it shows, and adds nothing a
    reader could not work out from them.
    """
    from perfkit.present.process_control import recompute

    findings: list[Finding] = []
    icons = [c for c in claims if c.field == ICON]
    by_indicator: dict[str, list[SpcClaim]] = {}
    for claim in claims:
        if claim.field != ICON:
            by_indicator.setdefault(claim.indicator, []).append(claim)
    findings += [Finding("a variation icon where the page draws no process limits", c.place)
                 for c in icons if c.indicator not in by_indicator]
    if not by_indicator:
        return findings
    headline = measures.filter((pl.col("breakdown") == ALL) & (pl.col("group") == ALL)
                               & pl.col("indicator").is_in(list(by_indicator)))
    truth: dict[str, dict[str, dict]] = {}
    for row in headline.iter_rows(named=True):
        truth.setdefault(row["indicator"], {}).setdefault(row["period"], row)
    for indicator_id, own in by_indicator.items():
        indicator = catalogue[indicator_id]
        try:
            periods = sorted({c.period for c in own}, key=lambda label: parse_period(without_alone(label)).index)
            if len({is_alone(p) for p in periods}) > 1:
                raise ValueError("limits drawn over a quarter alone and a 12-month figure at once")
        except ValueError:
            findings.append(Finding("process limits the audit cannot place", indicator.title))
            continue
        hidden = [p for p in periods if (p, indicator_id, ALL, ALL) not in visible]
        if hidden:
            findings += [Finding("process limits or an average are drawn over a figure the page does not show",
                                 f"{indicator.title}, {p}") for p in hidden]
            continue
        means: dict[str, float] = {}
        for claim in own:
            if claim.field == "mean":
                means.setdefault(claim.period, float(claim.value))
        if set(means) != set(periods):
            findings.append(Finding("process limits without an average the audit can read", indicator.title))
            continue
        segments, segment = [], 0
        for k, p in enumerate(periods):
            segment += k > 0 and abs(means[p] - means[periods[k - 1]]) > 1e-3 * max(1.0, abs(means[p]))
            segments.append(segment)
        stated: dict[str, list] = {}
        for claim in own:
            stated.setdefault(claim.period, []).append((claim.field, claim.value, claim.tolerance))
        found = recompute(indicator, periods, truth.get(indicator_id, {}), segments, stated)
        if found.chart is None:
            findings.append(Finding("process limits or an average the audit cannot work out from the figures shown "
                                    "(they may hold a figure that is not shown)", indicator.title))
            continue
        expected = _latest_variation(indicator, found.chart)
        findings += [Finding("a variation icon that is not what the limits give", c.place)
                     for c in icons if c.indicator == indicator_id and c.value != expected]
    return findings
