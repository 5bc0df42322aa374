"""What a monthly report costs against a quarterly one (#19): the four embedded authorities' aggregates for
October 2024 (``2024-25 M07``: 24 months of trend, each month alone of the 12-month figures) and for
2024-25 Q4 (12 quarters, and its 13 months one by one), computed alternately in one run; then one
authority's member view of each (disclosure control over the figures and the earlier packs' none), and the
ratios of the medians.

Run: ``python bench/monthly_report.py [repeats]``; the figures go to ``bench/RESULTS.md`` by hand.
"""

from __future__ import annotations

import statistics
import sys
import time

PERIODS = {"month (2024-25 M07)": "2024-25 M07", "quarter (2024-25 Q4)": "2024-25 Q4"}


def main(repeats: int = 3) -> int:
    from perfkit.config import paths
    from perfkit.config.settings import disclosure_threshold
    from perfkit.pipeline import aggregates
    from perfkit.records.loading import load_dataset

    data = load_dataset(paths.default_data_dir())
    authorities = list(data.authorities)
    computed: dict[str, list[float]] = {name: [] for name in PERIODS}
    protected: dict[str, list[float]] = {name: [] for name in PERIODS}
    rows: dict[str, int] = {}
    for _ in range(repeats):
        for name, period in PERIODS.items():
            start = time.perf_counter()
            found = aggregates.compute_aggregates_for(data, authorities, period)
            computed[name].append(time.perf_counter() - start)
            own = found[authorities[0]]
            start = time.perf_counter()
            aggregates.suppress_with_quality(own.measures, own.quality, own.period, disclosure_threshold())
            protected[name].append(time.perf_counter() - start)
            rows[name] = own.measures.height
    for title, timings in (("aggregates, four authorities", computed), (f"disclosure control, {authorities[0]}", protected)):
        medians = {name: statistics.median(t) for name, t in timings.items()}
        month, quarter = medians.values()
        print(f"{title} ({repeats} repeats): " + ", ".join(f"{n} {m:.2f} s" for n, m in medians.items())
              + f"; ratio {month / quarter:.2f}")
    print("figures of one authority: " + ", ".join(f"{n} {r:,}" for n, r in rows.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3))
