"""Every figure perfkit computes, saved and compared: proof that moving code changed no figure.

    python bench/figures.py save DIR       # with the code as it is
    python bench/figures.py compare A B    # every table of A against B's, exactly

It saves, for the embedded data: every indicator, window (quarter, year to
date, rolling 12 months) and breakdown of the 12 quarters to 2024-25 Q4 for
every authority, with and without a closure day; each member report's
aggregates after disclosure control and its data-quality table; and, where
the published DfE files are beside the project, the benchmarks of every
authority in 2024 and 2025. Saved with one version of the code and compared
with another's, each table must be identical.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import polars as pl


def save(out: Path) -> None:
    from perfkit import build_report, compute, load_dataset
    from perfkit.config import paths
    from perfkit.indicators.periods import Period

    out.mkdir(parents=True, exist_ok=True)
    data = load_dataset(paths.default_data_dir())
    labels = [p.label for p in Period.parse("2024-25 Q4").series(12)]
    windows = labels + [f"{label} YTD" for label in labels] + [f"{label} R12" for label in labels]
    compute(data, windows, breakdowns=True).write_parquet(out / "engine.parquet")
    compute(data, windows, breakdowns=True, closure_days=[dt.date(2024, 12, 24)]).write_parquet(out / "engine_closure.parquet")
    reports = []
    for la in data.authorities:
        report = build_report(la, audience="members")
        reports.append(report.measures)
        report.quality.write_parquet(out / f"quality_{la}.parquet")
    pl.concat(reports, how="diagonal_relaxed").write_parquet(out / "report_measures.parquet")
    if paths.published_dfe_dir().exists():
        from perfkit.published.benchmarks import benchmark_rows
        from perfkit.published.data import PublishedData

        published = PublishedData.remembered()
        rows = [benchmark_rows(published.values, published.neighbours.get(la, []), la, year, published.comparators)
                for year in (2024, 2025) for la, _ in published.authorities(year)]
        pl.concat(rows, how="diagonal_relaxed").write_parquet(out / "benchmarks.parquet")


def compare(first: Path, second: Path) -> bool:
    same = True
    for path in sorted(first.glob("*.parquet")):
        other = second / path.name
        equal = other.exists() and pl.read_parquet(path).equals(pl.read_parquet(other))
        same &= equal
        print(f"{path.name}: {pl.read_parquet(path).height:,} rows, {'identical' if equal else 'DIFFERENT'}")
    return same


if __name__ == "__main__":
    if sys.argv[1:2] == ["save"] and len(sys.argv) == 3:
        save(Path(sys.argv[2]))
    elif sys.argv[1:2] == ["compare"] and len(sys.argv) == 4:
        sys.exit(0 if compare(Path(sys.argv[2]), Path(sys.argv[3])) else 1)
    else:
        sys.exit(__doc__)
