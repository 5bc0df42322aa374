"""How long the analyst explorer takes to answer a change of each control: at most 150 ms at the 95th percentile.

    python bench/explorer_timing.py [--authority 990] [--rounds 2]

Drives :class:`perfkit.workbench.explorer.Explorer` as an analyst would, on the
embedded data with its 12 quarters: every indicator in turn (with the breakdown
kept where the new indicator has it), then for a few indicators each
breakdown, a district and an age band, the quarter slider, the records' quarter
and group, the second breakdown of the cross-tab and each tab. Each change is
timed from setting the control to the end of its callbacks (the chart, the open
tab and the records drawn, as in JupyterLab; what is displayed goes nowhere).
Prints the 50th, 95th and largest times, and how many computes, record lookups
and redraws each kind of change cost.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import time
from collections import defaultdict

BOUND_MS = 150.0


def changes(explorer):
    """Each change as (kind, control, value), in the order an analyst might make them."""
    yield from (("indicator", explorer.indicator, i.id) for i in explorer.catalogue.indicators)
    for indicator in ("referrals", "rereferral_pct", "missing_episodes", "cla_rate", "assessments_45wd_pct"):
        yield "indicator", explorer.indicator, indicator
        for _, breakdown in list(explorer.breakdown.options)[1:4]:
            yield "breakdown", explorer.breakdown, breakdown
        yield "district", explorer.district, explorer.district.options[1]
        yield "age band", explorer.age, "10-15"
        yield "district", explorer.district, explorer.district.options[0]
        yield "age band", explorer.age, explorer.age.options[0]
        yield "quarters", explorer.periods, (explorer.quarters[4], explorer.quarters[-1])
        yield "quarters", explorer.periods, (explorer.quarters[0], explorer.quarters[-1])
        yield "tab", explorer.tabs, 3
        yield "records' quarter", explorer.record_period, explorer.quarters[-2]
        yield "records' group", explorer.record_group, explorer.record_group.options[-1]
        yield "tab", explorer.tabs, 1
        if len(explorer.second.options) > 1:
            yield "cross-tab by", explorer.second, explorer.second.options[1][1]
        yield "tab", explorer.tabs, 2
        yield "tab", explorer.tabs, 0


def run(authority: str, rounds: int) -> int:
    from perfkit.workbench.explorer import Explorer

    explorer = Explorer(authority, quarters=12)
    with contextlib.redirect_stdout(io.StringIO()):
        explorer.widget()
    times: dict[str, list[float]] = defaultdict(list)
    calls: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for _ in range(rounds):  # the first round meets every indicator for the first time; the next, the cache
        explorer._cache.clear()
        explorer._rows_cache.clear()
        for kind, control, value in changes(explorer):
            trait = "selected_index" if kind == "tab" else "value"
            if getattr(control, trait) == value:
                continue
            explorer.calls.clear()
            with contextlib.redirect_stdout(io.StringIO()):
                start = time.perf_counter()
                setattr(control, trait, value)
                times[kind].append((time.perf_counter() - start) * 1000)
            for step, count in explorer.calls.items():
                calls[kind][step] = max(calls[kind][step], count)
    every = sorted(t for kind in times.values() for t in kind)
    p95 = every[int(0.95 * (len(every) - 1))]
    print(f"explorer {authority}: {len(every)} changes over {rounds} rounds; per change 50th {statistics.median(every):.0f} ms, "
          f"95th {p95:.0f} ms, largest {every[-1]:.0f} ms (bound: 95th at most {BOUND_MS:.0f} ms)")
    for kind, own in times.items():
        steps = ", ".join(f"{step} {count}" for step, count in sorted(calls[kind].items()))
        print(f"  {kind:<16} {len(own):>3} changes, 50th {statistics.median(own):>4.0f} ms, largest {max(own):>4.0f} ms;"
              f" at most per change: {steps}")
    print("PASS" if p95 <= BOUND_MS else "FAIL", f"95th percentile {p95:.0f} ms")
    return 0 if p95 <= BOUND_MS else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--authority", default="990")
    parser.add_argument("--rounds", type=int, default=2)
    arguments = parser.parse_args()
    sys.exit(run(arguments.authority, arguments.rounds))
