"""A worker's share of the batch: its authorities' records checked and their aggregates computed, in the worker.

The batch deals each dataset's jobs into shares, one per worker
(:func:`shares_of`); each worker checks its share's records and computes
their aggregated tables in one pass (:func:`aggregate_share`), waiting only
then for the published figures the batch saves meanwhile (:func:`save_published`).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from perfkit.config import paths
from perfkit.pipeline.index_page import _failure_reason, public_reason
from perfkit.pipeline.jobs import Job, Outcome, _failed, worker_kernel
from perfkit.pipeline.safety import tie_to_batch

if TYPE_CHECKING:
    from perfkit.records.loading import Dataset

REPORT_IMPORTS = "import perfkit.pipeline.aggregates"
"""What a report's kernel imports (polars and perfkit's report; charts need no Altair): run as the kernel starts."""

_published_ready = None
"""In a worker: the event the batch sets once the published figures are saved (see :func:`start_worker`)."""


def start_worker(workers: int, published_ready=None, batch: int | None = None) -> None:
    """The pool's initializer: die with the batch (pid ``batch``), share the cores, and keep the event
    that says the published figures are saved."""
    global _published_ready
    tie_to_batch(batch)
    _published_ready = published_ready
    share_the_cores(workers)


def share_the_cores(workers: int) -> None:
    """Give this worker process its share of the machine's cores for polars (see :func:`start_worker`).

    Each of ``workers`` processes computes its figures with polars; one
    worker uses every core, two share them, so that no core is asked to run
    two polars threads at once. A ``POLARS_MAX_THREADS`` already set is kept.
    """
    os.environ.setdefault("POLARS_MAX_THREADS", str(max(1, (os.cpu_count() or 1) // max(1, workers))))


@dataclass(frozen=True)
class Share:
    """Authorities of one dataset whose records one worker checks and aggregates in one pass.

    ``published`` is the folder the batch saves the published figures to,
    once for every worker, while the workers check their records.
    """

    data_dir: str
    jobs: tuple[Job, ...]
    folder: str
    published: str | None = None


def shares_of(jobs: list[Job], scratch: Path, workers: int) -> list[Share]:
    """Each dataset's jobs dealt into at most ``workers`` shares, one per worker."""
    by_data: dict[str, list[Job]] = {}
    for job in jobs:
        by_data.setdefault(dict(job.parameters)["data_dir"], []).append(job)
    shares = []
    for number, (data_dir, group) in enumerate(sorted(by_data.items())):
        count = max(1, min(workers, len(group)))
        shares += [Share(data_dir, tuple(group[part::count]), str(scratch / f"data-{number}-{part}"), str(scratch / "published"))
                   for part in range(count)]
    return shares


def save_published(folder: Path) -> str | None:
    """Save the published DfE figures in ``folder`` for a batch's workers; None without the files.

    They are read once and kept between batches (:meth:`PublishedData.remembered`),
    and saved again here (some 200 KB), so that a batch's workers read its own copy.
    """
    if not paths.published_dfe_dir().exists():
        return None
    from perfkit.published.data import PublishedData

    return str(PublishedData.remembered().save(folder))


def checked_records(data_dir: str | Path, authorities: list[str]) -> tuple["Dataset | None", dict[str, str]]:
    """The validated records of those ``authorities`` whose own rows pass the contract, and why each other fails.

    The files are read once. The authorities are checked together and, only
    if that fails on some rows, each alone: an authority fails exactly when
    its own rows (or the files as a whole) break the contract, whichever
    authorities it is checked with. Returns no records if none passes.
    Files that have all passed the contract before (``perfkit validate``, or
    any whole load, remembers them: :mod:`perfkit.records.checkcache`) are read
    without being checked again.
    """
    data, failures = _checked_records(data_dir, authorities)
    return data, {authority: _failure_reason(exc) for authority, exc in failures.items()}


def _checked_records(data_dir: str | Path, authorities: list[str]) -> tuple["Dataset | None", dict[str, Exception]]:
    """:func:`checked_records`, each failure as its exception (the index page's reason is built from its problems)."""
    from perfkit.records.loading import (
        ContractError,
        check_dataset,
        load_passed,
        read_dataset,
    )

    if (passed := load_passed(data_dir, authorities)) is not None:
        return passed, {}
    try:
        raw = read_dataset(data_dir)
        return check_dataset(raw, authorities), {}
    except ContractError as exc:
        if len(authorities) == 1 or all(p.row is None for p in exc.problems):  # the files themselves are broken
            return None, {authority: exc for authority in authorities}
    failures: dict[str, Exception] = {}
    for authority in authorities:
        try:
            check_dataset(raw, [authority])
        except ContractError as alone:
            failures[authority] = alone
    passing = [a for a in authorities if a not in failures]
    return (check_dataset(raw, passing) if passing else None), failures


def validated_records(share: Share) -> tuple["Dataset | None", list[Job], list[Outcome]]:
    """The share's validated records, the jobs they serve, and an outcome for each job that cannot run.

    A job fails if its authority's rows break the contract (see
    :func:`checked_records`) or if the dataset has no rows for it. A dataset
    that cannot be read at all (a folder where a file should be, a file it
    may not read, any other error while reading or checking it) fails the
    jobs it serves, with the reason, and no others.
    """
    started = time.perf_counter()
    try:
        data, failures = _checked_records(share.data_dir, [j.authority for j in share.jobs])
    except Exception as exc:  # noqa: BLE001 - this dataset's authorities fail, not the batch
        data, failures = None, {j.authority: exc for j in share.jobs}
    failed = [_failed(j, started, _failure_reason(failures[j.authority]), public_reason(failures[j.authority]))
              for j in share.jobs if j.authority in failures]
    jobs = [j for j in share.jobs if j.authority not in failures]
    if data is None:
        return None, [], failed
    present = set(data.authorities)
    failed += [_failed(j, started, f"ValueError: authority {j.authority!r} has no rows in {Path(share.data_dir) / 'children'}")
               for j in jobs if j.authority not in present]
    return data, [j for j in jobs if j.authority in present], failed


@lru_cache(maxsize=1)
def _published(folder: str | None):
    """The published figures saved in ``folder``, read once per worker."""
    if folder is None:
        return None
    from perfkit.published.data import PublishedData

    return PublishedData.from_cache(Path(folder))


def aggregate_share(share: Share, period: str, start_kernel: bool = True) -> tuple[list[Job], list[Outcome]]:
    """Check a share's records, then compute and save its aggregated tables (runs in a worker process).

    Returns the jobs that can run, now reading the aggregates rather than the
    records, and an outcome for each authority that cannot run: its rows break
    the contract, the dataset has no rows for it (see :func:`validated_records`),
    or its figures failed. The authorities are computed together; if that
    fails, each is computed alone so that only the failing authority fails.
    The published figures are waited for only once the records are checked.
    With ``start_kernel``, the worker's kernel starts (and imports the report's
    modules) in its own process meanwhile.
    """
    import polars as pl

    from perfkit.pipeline.aggregates import EARLIER, compute_aggregates, compute_aggregates_for, save_aggregates
    from perfkit.pipeline.ledger import SCHEMA, check_cadence, earlier

    if start_kernel:
        try:
            worker_kernel().start(REPORT_IMPORTS)
        except Exception:  # noqa: BLE001 - the first report starts one instead
            worker_kernel().shut_down()
    started = time.perf_counter()
    data, jobs, failed = validated_records(share)
    if data is None:
        return [], failed
    if _published_ready is not None:  # the batch saves the published figures while the workers check records
        _published_ready.wait()
    published = _published(share.published if share.published and Path(share.published).exists() else None)
    # what each authority's earlier member reports into the same out folder showed and withheld: their
    # figures are context for this report's disclosure control; a ledger that cannot be read fails its authority
    shown_before: dict[str, pl.DataFrame] = {}
    for job in list(jobs):
        if dict(job.parameters).get("audience", "members") != "members":
            continue
        try:
            shown_before[job.authority] = earlier(Path(job.out_dir).parent, job.authority)
            check_cadence(shown_before[job.authority], period, Path(job.out_dir).parent)
        except Exception as exc:  # noqa: BLE001 - this authority fails, not the others
            failed.append(_failed(job, started, _failure_reason(exc), public_reason(exc)))
            jobs.remove(job)
    authorities = [j.authority for j in jobs]
    try:
        figures = compute_aggregates_for(data, authorities, period, published=published,
                                         settings={j.authority: j.settings for j in jobs if j.settings},
                                         earlier=shown_before)
    except Exception:  # noqa: BLE001 - one at a time below
        figures = {}
    for job in jobs:
        if job.authority in figures:
            continue
        try:
            figures[job.authority] = compute_aggregates(data, job.authority, period, published=published,
                                                        settings=job.settings, earlier=shown_before.get(job.authority))
        except Exception as exc:  # noqa: BLE001 - one authority failing must not stop the others
            failed.append(_failed(job, started, _failure_reason(exc), public_reason(exc)))
    if not figures:
        return [], failed
    folder = save_aggregates(figures, Path(share.folder))
    pl.concat([pl.DataFrame(schema=SCHEMA), *(rows for la, rows in shown_before.items() if la in figures)]).write_parquet(
        folder / EARLIER)
    # the reports read the aggregates, and keep their executed notebooks, in the batch's private scratch folder
    ready = [replace(j, parameters=tuple({**dict(j.parameters), "aggregates": str(folder)}.items()),
                     scratch=str(Path(share.folder).parent))
             for j in jobs if j.authority in figures]
    return ready, failed
