"""The quarterly batch: one member report per authority, run in parallel.

Each authority's report notebook is executed by papermill in its own process,
exported to member HTML, written to a temporary file and moved into place, so a
failed run never overwrites an earlier good report. One authority failing is
recorded (in the index page and the exit status) and does not stop the others.

What keeps a batch safe to publish:

- authority codes are three-digit LA numbers (:func:`perfkit.config.la_codes.la_code`),
  checked in every parameters file before anything is written;
- one batch at a time writes into a reports folder: :func:`~perfkit.pipeline.safety.folder_lock`
  holds ``<out>/.perfkit.lock``; a second batch is refused at once (:class:`~perfkit.errors.BatchBusy`);
- the workers, and their kernels, die with the batch, even with ``kill -9``
  (:func:`~perfkit.pipeline.safety.tie_to_batch`);
- figures before suppression (aggregates, executed notebooks) live in a private
  folder inside the output folder, ``<out>/.scratch/run-*`` (mode 0700), removed
  on every way out, SIGTERM included (:func:`~perfkit.pipeline.safety.sigterm_as_exit`),
  and, should the batch be killed, by the next batch (:func:`~perfkit.pipeline.safety.scratch_folder`);
- a dataset that cannot be read fails its own authorities, not the batch;
- the index page shows no record value (:func:`~perfkit.pipeline.index_page.public_reason`,
  :func:`~perfkit.pipeline.index_page.withhold_values`);
- analyst reports (``audience: analyst``) go to ``<out>/analyst/<period>/``,
  never to the member folder ``<out>/<period>/`` (:func:`~perfkit.pipeline.jobs.authority_jobs`).

The batch runs in this module (:func:`run_batch`, :func:`run_benchmark_batch`);
its jobs are in :mod:`perfkit.pipeline.jobs`, each worker's share of the
records and aggregates in :mod:`perfkit.pipeline.shares`, its safety in
:mod:`perfkit.pipeline.safety` and its index page in :mod:`perfkit.pipeline.index_page`.
"""

from __future__ import annotations

import os
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, as_completed, wait
from multiprocessing import get_context
from pathlib import Path

from perfkit.config import paths
from perfkit.config.la_codes import la_code
from perfkit.errors import PeriodError, PublishedDataError, SettingsError
from perfkit.indicators.periods import Month, Period, latest_complete, latest_kind, parse_period
from perfkit.pipeline.index_page import (
    ANALYST_HEADING,
    ANALYST_WARNING,
    _failure_reason,
    index_html,
    public_reason,
)
from perfkit.pipeline.jobs import (
    ANALYST_FOLDER,
    Job,
    Outcome,
    _failed,
    authority_jobs,
    benchmark_jobs,
    run_job,
)
from perfkit.pipeline.safety import (
    atomic_write_text,
    folder_lock,
    private_folder,
    remove_partial_writes,
    scratch_folder,
    sigterm_as_exit,
    stop_workers,
    tie_to_batch,
)
from perfkit.pipeline.shares import (
    aggregate_share,
    checked_records,
    save_published,
    shares_of,
    start_worker,
)


def check_shared_settings(authorities: list[str]) -> None:
    """Read the settings every report reads (the disclosure threshold, the targets), once, before any work.

    A broken or hostile file then stops the batch with one line naming the
    file and line (the command line's exit status 2), instead of failing
    every report one by one.
    """
    from perfkit.config.settings import disclosure_threshold
    from perfkit.indicators.catalogue import load_catalogue
    from perfkit.indicators.targets import load_targets

    disclosure_threshold()
    catalogue = load_catalogue()
    for authority in authorities:
        load_targets(paths.targets_file(), authority, catalogue)


def latest_period(jobs: list[Job], kind: type = Period) -> Period | Month:
    """The last complete quarter (``kind``: or month) of the jobs' authorities' own data: each one's declared
    extract date (``data_as_at``), else the date of its latest record that passes the contract.

    Each authority's own dataset (its job's ``data_dir``) is read. Authorities
    whose data end in different quarters cannot share a batch's period: a
    :class:`perfkit.errors.PeriodError` says which end where. One authority's
    broken rows fail its own report, not the choice of the period.
    """
    from perfkit.records.loading import load_dataset

    sources: dict[str, list[Job]] = {}
    for job in jobs:
        sources.setdefault(dict(job.parameters)["data_dir"], []).append(job)
    found: dict[str, Period | Month] = {}
    for source, group in sources.items():
        data, _ = checked_records(source, [j.authority for j in group])
        span = data.event_span() if data is not None else {}
        for job in group:
            end = job.settings.data_end(span[job.authority][1] if job.authority in span else None)
            if end is not None:
                found[job.authority] = latest_complete(end, kind)
    if not found:  # no authority's rows pass: say why, as loading them says
        source, group = next(iter(sources.items()))
        load_dataset(source, authorities=[j.authority for j in group])
        raise PeriodError(f"no authority among {', '.join(j.authority for j in jobs)} has dated records: "
                          f"there is no {kind.noun} to report on")
    ends = sorted({p.label for p in found.values()})
    if len(ends) > 1:
        which = "; ".join(f"{label}: {', '.join(la for la in sorted(found) if found[la].label == label)}" for label in ends)
        raise PeriodError(f"the authorities' data end in different {kind.noun}s ({which}): give --period, or run them "
                          "in separate batches")
    return next(iter(found.values()))


def run_batch(
    period: str | None = None,
    data_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    workers: int = 2,
    authorities: list[str] | None = None,
    progress: bool = True,
    parameters: str | Path | None = None,
    fresh_kernels: bool = False,
) -> tuple[Path, list[Outcome]]:
    """Run the report for every authority; return the period's folder and the outcomes.

    Each worker runs its reports in one kernel, emptied between reports (see
    :class:`perfkit.pipeline.kernels.WorkerKernel`); ``fresh_kernels`` gives every
    report a kernel of its own instead, at about a second more a report.

    Member reports and their index go to ``<out>/<period>/``; analyst reports
    (``audience: analyst``) and their own index, headed as not for sharing, to
    ``<out>/analyst/<period>/`` (``<out>/analyst`` is made mode 0700); neither
    index links the other's reports. Outcomes are returned for both.

    While it runs the batch holds ``<out>/.perfkit.lock``: a second batch into
    the same ``out`` is refused at once with :class:`~perfkit.errors.BatchBusy`, naming the
    folder and the pid of the batch writing there (it does not wait: a
    scheduler may simply run it again later). Unsuppressed figures are kept
    in ``<out>/.scratch/run-*`` (mode 0700), removed when the batch ends,
    however it ends (SIGTERM is turned into ``SystemExit``, which stops the
    workers); a batch killed outright (``kill -9``) takes its workers and
    kernels with it, and the next batch into ``out`` removes what it left.
    """

    data_path = Path(data_dir) if data_dir else None
    parameters_path = Path(parameters) if parameters else paths.authorities_dir()
    if authorities:
        authorities = [la_code(a, "the authorities asked for (--authority)") for a in authorities]
    root = Path(out_dir or paths.reports_dir())
    # every parameters file is read, and its authority code checked, before anything is written
    preliminary = authority_jobs("latest", data_path, root / "latest", authorities, parameters_path)
    named = [j.authority for j in preliminary]
    if not named:
        raise SettingsError(f"no authorities to report on: no parameters files in {parameters_path}"
                         + (f" for {', '.join(authorities)}" if authorities else ""))
    check_shared_settings(named)
    from perfkit.pipeline.aggregates import check_spc_rebase

    for job in preliminary:
        if job.settings is not None:
            check_spc_rebase(job.settings)
    with sigterm_as_exit(), folder_lock(root), scratch_folder(root) as scratch:
        if (kind := latest_kind(period)) is not None:
            label = latest_period(preliminary, kind).label
        else:
            label = parse_period(period).label
        folder = root / label.replace(" ", "-")
        analyst = root / ANALYST_FOLDER / folder.name
        jobs = authority_jobs(label, data_path, folder, authorities, parameters_path, analyst)
        if not jobs:
            raise SettingsError(f"no authorities to report on: no parameters files in {parameters_path}"
                             + (f" for {', '.join(authorities)}" if authorities else ""))
        if any(j.out_dir != str(folder) for j in jobs):
            private_folder(root / ANALYST_FOLDER)
        try:
            outcomes = run_reports(jobs, label, scratch, workers, f"Reports {label}", progress, fresh_kernels)
        finally:  # the workers are gone: what they were writing when stopped is not a report
            remove_partial_writes(folder, analyst)
        members = [o for o in outcomes if Path(o.path).parent == folder]
        for_analysts = [o for o in outcomes if Path(o.path).parent != folder]
        if members:
            atomic_write_text(folder / "index.html", index_html(label, members))
        if for_analysts:
            atomic_write_text(analyst / "index.html", index_html(label, for_analysts, ANALYST_HEADING, ANALYST_WARNING))
    return folder, outcomes


def run_reports(jobs: list[Job], period: str, scratch: Path, workers: int, description: str,
                progress: bool = True, fresh_kernels: bool = False) -> list[Outcome]:
    """Check, aggregate and run every authority's report; outcomes sorted by authority.

    The workers start at once, each with a share of the authorities: each
    checks its share's records, computes their aggregated tables in one
    pass, and runs their notebooks as soon as the tables are ready. Meanwhile
    this process loads the published figures once for all of them.

    A share or report whose work fails outside the report (a worker that
    dies, say) fails its own authorities, with the reason. The workers die
    with this process (:func:`~perfkit.pipeline.safety.tie_to_batch`); if it stops on an exception
    (``KeyboardInterrupt``, or ``SystemExit`` from SIGTERM) they are killed
    before the exception goes on, so that none writes a report afterwards.
    """
    from tqdm import tqdm

    count = max(1, min(workers, len(jobs)))
    context = get_context("spawn")
    published_ready = context.Event()
    outcomes: list[Outcome] = []
    started = time.perf_counter()
    bar = None
    pool = ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=start_worker,
                               initargs=(count, published_ready, os.getpid()))
    try:
        pending = {pool.submit(aggregate_share, share, period, not fresh_kernels): share.jobs
                   for share in shares_of(jobs, scratch, workers)}
        try:
            save_published(scratch / "published")
        finally:  # the workers wait for it, found or not
            published_ready.set()
        bar = tqdm(total=len(jobs), desc=description, unit="report", disable=not progress)
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                served = pending.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # noqa: BLE001 - the authorities it served fail, not the batch
                    failed = [_failed(j, started, _failure_reason(exc), public_reason(exc)) for j in served]
                    outcomes += failed
                    bar.update(len(failed))
                    continue
                if isinstance(result, Outcome):
                    outcomes.append(result)
                    bar.update(1)
                    continue
                ready, failed = result
                outcomes += failed
                bar.update(len(failed))
                for job in ready:
                    try:
                        pending[pool.submit(run_job, job, fresh_kernels)] = (job,)
                    except Exception as exc:  # noqa: BLE001 - a broken pool takes no more work
                        outcomes.append(_failed(job, started, _failure_reason(exc), public_reason(exc)))
                        bar.update(1)
    except BaseException:
        stop_workers(pool)
        raise
    finally:
        if bar is not None:
            bar.close()
    pool.shutdown(wait=True)
    return sorted(outcomes, key=lambda o: o.authority)


def run_jobs(jobs: list[Job], workers: int, description: str, progress: bool = True) -> list[Outcome]:
    """Run notebook jobs in parallel processes with a progress bar; outcomes sorted by authority.

    The workers die with this process (:func:`~perfkit.pipeline.safety.tie_to_batch`), and are killed if it
    stops on an exception.
    """
    from tqdm import tqdm

    outcomes: list[Outcome] = []
    pool = ProcessPoolExecutor(max_workers=max(1, min(workers, len(jobs))), mp_context=get_context("spawn"),
                               initializer=tie_to_batch, initargs=(os.getpid(),))
    try:
        futures = [pool.submit(run_job, job) for job in jobs]
        for future in tqdm(as_completed(futures), total=len(futures), desc=description, unit="report", disable=not progress):
            outcomes.append(future.result())
    except BaseException:
        stop_workers(pool)
        raise
    pool.shutdown(wait=True)
    return sorted(outcomes, key=lambda o: o.authority)


def run_benchmark_batch(
    year: int,
    out_dir: str | Path | None = None,
    workers: int = 2,
    authorities: list[str] | None = None,
    progress: bool = True,
    dfe_dir: str | Path | None = None,
    lait_dir: str | Path | None = None,
) -> tuple[Path, list[Outcome]]:
    """The benchmark report for every authority with published figures for ``year``, and an index.

    Like :func:`run_batch`, it holds the output folder's lock while it runs
    (:func:`~perfkit.pipeline.safety.folder_lock`) and stops its workers on SIGTERM. Its temporary
    folder holds published figures only.
    """
    from perfkit.published.data import PublishedData

    if authorities:
        authorities = [la_code(a, "the authorities asked for (--authority)") for a in authorities]
    root = Path(out_dir or paths.reports_dir())
    folder = root / f"benchmarks-{year}"
    with sigterm_as_exit(), folder_lock(root), tempfile.TemporaryDirectory(prefix="perfkit-published-") as cache:
        PublishedData.remembered(dfe_dir, lait_dir).save(Path(cache))
        jobs = benchmark_jobs(year, folder, Path(cache), authorities)
        if not jobs:
            raise PublishedDataError(f"no authority has published figures for {year}" + (f" among {', '.join(authorities)}" if authorities else ""))
        try:
            outcomes = run_jobs(jobs, workers, f"Benchmark reports {year}", progress)
        finally:
            remove_partial_writes(folder)
        atomic_write_text(folder / "index.html", index_html(str(year), outcomes, heading="Children's services benchmark reports"))
    return folder, outcomes
