"""What the month-by-month figures cost a report's aggregates (#19): the four embedded authorities' aggregates,
computed together with the catalogue's ``by_month`` figures and without them, alternately in one run, and
the ratio of the medians.

Run: ``python bench/months_cost.py [repeats]``; the figures go to ``bench/RESULTS.md`` by hand.
"""

from __future__ import annotations

import statistics
import sys
import time


def main(repeats: int = 5) -> int:
    import polars as pl

    from perfkit.config import paths
    from perfkit.pipeline import aggregates
    from perfkit.records.loading import load_dataset

    data = load_dataset(paths.default_data_dir())
    authorities = list(data.authorities)
    with_months = aggregates.monthly_figures
    timings: dict[str, list[float]] = {"with months": [], "without": []}
    for _ in range(repeats):
        for name in timings:
            aggregates.monthly_figures = with_months if name == "with months" else (lambda *a, **k: pl.DataFrame())
            start = time.perf_counter()
            aggregates.compute_aggregates_for(data, authorities, "2024-25 Q4")
            timings[name].append(time.perf_counter() - start)
    aggregates.monthly_figures = with_months
    medians = {name: statistics.median(t) for name, t in timings.items()}
    print(f"{len(authorities)} authorities, {repeats} repeats: with months {medians['with months']:.2f} s, "
          f"without {medians['without']:.2f} s, ratio {medians['with months'] / medians['without']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
