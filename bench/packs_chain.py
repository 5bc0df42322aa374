"""What relating a report to every earlier pack costs: disclosure control with and without the earlier
packs' figures (``context``), taking turns in one run, after a batch of consecutive quarterly packs.

    python bench/packs_chain.py [--authority 991] [--packs 8] [--rounds 5]

Makes ``--packs`` consecutive quarterly member reports for one authority into a temporary folder (each
bound by the ledger of those before it), then, for the last quarter, times the members' disclosure control
(:func:`perfkit.pipeline.aggregates.suppress_with_quality`) alone and with the context, in turn, and the
computing of the context itself (:func:`perfkit.pipeline.aggregates.earlier_context`) against the
report's own figures. Prints medians and ratios; figures are recorded in ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    from perfkit.cli import main as perfkit
    from perfkit.config import paths
    from perfkit.indicators.periods import Period
    from perfkit.pipeline import aggregates
    from perfkit.pipeline.ledger import recorded
    from perfkit.records.loading import load_dataset

    parser = argparse.ArgumentParser()
    parser.add_argument("--authority", default="991")
    parser.add_argument("--packs", type=int, default=8)
    parser.add_argument("--last", default="2024-25 Q4")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    last = Period.parse(args.last)
    quarters = [last.shift(k - args.packs + 1) for k in range(args.packs)]
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "reports"
        started = time.perf_counter()
        for quarter in quarters[:-1]:
            assert perfkit(["batch", "--authority", args.authority, "--out", str(out), "--period", quarter.label,
                            "--workers", "1"]) == 0
        print(f"{args.packs - 1} earlier packs made in {time.perf_counter() - started:.0f} s")
        ledger = recorded(out, args.authority)
    records = load_dataset(paths.default_data_dir(), authorities=[args.authority])
    own, context = [], []
    for _ in range(args.rounds):  # taking turns: the report's own figures, then the earlier packs' context
        started = time.perf_counter()
        figures = aggregates.compute_aggregates(records, args.authority, last)
        own.append(time.perf_counter() - started)
        started = time.perf_counter()
        extra = aggregates.earlier_context(records, [args.authority], last, figures.measures, {args.authority: ledger})
        context.append(time.perf_counter() - started)
    print(f"figures: {statistics.median(own):.2f} s; context ({extra.height} rows of {len(set(extra['period']))} "
          f"quarters): {statistics.median(context):.2f} s = {statistics.median(context) / statistics.median(own):.2f}x")
    alone, related = [], []
    hidden = {}
    for _ in range(args.rounds):
        for name, times, rows in (("alone", alone, None), ("related", related, extra)):
            started = time.perf_counter()
            measures, _ = aggregates.suppress_with_quality(figures.measures, figures.quality, last, 5, ledger, rows)
            times.append(time.perf_counter() - started)
            hidden[name] = int(measures["suppressed"].sum())
    a, r = statistics.median(alone), statistics.median(related)
    print(f"disclosure control, last pack, bound by the ledger: alone {a:.2f} s, related to every earlier pack "
          f"{r:.2f} s = {r / a:.2f}x; figures hidden: {hidden['alone']} and {hidden['related']}")


if __name__ == "__main__":
    main()
