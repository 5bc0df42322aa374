"""The quarterly batch: one member report per authority, run in parallel.

Each authority's report notebook is executed by papermill in its own process,
exported to member HTML, written to a temporary file and moved into place, so a
failed run never overwrites an earlier good report. One authority failing is
recorded (in the index page and the exit status) and does not stop the others.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, as_completed, wait
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

from perfkit import paths

if TYPE_CHECKING:
    from perfkit.loading import Dataset

REPORT_NOTEBOOK = "authority_report.ipynb"
MAX_REASON_LINES = 25


BENCHMARK_NOTEBOOK = "benchmark_report.ipynb"


@dataclass(frozen=True)
class Job:
    """One notebook run: which notebook, with which parameters, written as ``<authority>.html``."""

    authority: str
    name: str
    out_dir: str
    parameters: tuple[tuple[str, object], ...]
    notebook: str = REPORT_NOTEBOOK


@dataclass(frozen=True)
class Outcome:
    authority: str
    name: str
    ok: bool
    path: str
    seconds: float
    error: str = ""
    size: int = 0


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _failure_reason(exc: BaseException) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}"
    return f"{type(exc).__name__}: {exc}"


ONE_THREAD = {"POLARS_MAX_THREADS": "1"}
"""The environment of report kernels: reports run side by side, one polars thread each."""
REPORT_IMPORTS = "import perfkit.report"
"""What a report's kernel imports (polars and perfkit's report; charts need no Altair): run as the kernel starts."""


@lru_cache(maxsize=1)
def worker_kernel():
    """This worker process's kernel (see :class:`perfkit.kernel.WorkerKernel`), shut down when the worker exits."""
    import atexit

    from perfkit.kernel import WorkerKernel

    kernel = WorkerKernel(env=ONE_THREAD)
    atexit.register(kernel.shut_down)
    return kernel


_published_ready = None
"""In a worker: the event the batch sets once the published figures are saved (see :func:`start_worker`)."""


def start_worker(workers: int, published_ready=None) -> None:
    """The pool's initializer: share the cores, and keep the event that says the published figures are saved."""
    global _published_ready
    _published_ready = published_ready
    share_the_cores(workers)


def share_the_cores(workers: int) -> None:
    """Give this worker process its share of the machine's cores for polars (see :func:`start_worker`).

    Each of ``workers`` processes computes its figures with polars; one
    worker uses every core, two share them, so that no core is asked to run
    two polars threads at once. A ``POLARS_MAX_THREADS`` already set is kept.
    """
    os.environ.setdefault("POLARS_MAX_THREADS", str(max(1, (os.cpu_count() or 1) // max(1, workers))))


def run_job(job: Job, fresh_kernel: bool = False) -> Outcome:
    """Execute one authority's report and write its member HTML (runs in a worker process).

    The report runs in the worker's kernel, emptied after the report before
    it, or with ``fresh_kernel`` in a kernel of its own. A report that fails
    takes its kernel with it: the next starts a new one.
    """
    from perfkit.imports import without_iri_grammar

    without_iri_grammar()  # nbformat imports jsonschema
    import nbformat
    import papermill

    from perfkit.htmlexport import member_html
    from perfkit.kernel import KERNEL_NAME

    started = time.perf_counter()
    target = Path(job.out_dir) / f"{job.authority}.html"
    kernel = None if fresh_kernel else worker_kernel()
    try:
        with tempfile.TemporaryDirectory(prefix="perfkit-run-") as scratch:
            executed = Path(scratch) / f"{job.authority}.ipynb"
            if kernel is None:  # a kernel of its own, which inherits this process's settings
                os.environ.update(ONE_THREAD)
            where = {"cwd": scratch, "kernel_manager_class": "perfkit.kernel.IpcKernelManager"} if kernel is None else {"km": kernel.manager()}
            papermill.execute_notebook(
                str(paths.notebooks_dir() / job.notebook), str(executed), parameters=dict(job.parameters),
                kernel_name=KERNEL_NAME, progress_bar=False, log_output=False,
                # written once when it has run, not after every cell: a failed run is thrown away anyway
                request_save_on_cell_execute=False, **where,
            )
            if kernel is not None:
                kernel.empty()
            html = member_html(nbformat.read(executed, as_version=4))
        atomic_write_text(target, html)
        return Outcome(job.authority, job.name, True, str(target), time.perf_counter() - started, size=len(html.encode()))
    except Exception as exc:  # noqa: BLE001 - one authority's failure must not stop the batch
        if kernel is not None:
            kernel.shut_down()
        return Outcome(job.authority, job.name, False, str(target), time.perf_counter() - started, _failure_reason(exc))


def authority_jobs(
    period: str, data_dir: Path | None, out_dir: Path, authorities: list[str] | None = None,
    parameters: Path | None = None,
) -> list[Job]:
    """A job for every authority with a parameters file (or those named).

    An authority's ``data_dir`` may be absolute or relative to the project root.
    """
    from perfkit.yamlfiles import parse_yaml

    jobs = []
    for path in sorted((parameters or paths.authorities_dir()).glob("*.yaml")):
        settings = parse_yaml(path.read_text(encoding="utf-8")) or {}
        authority = str(settings.get("authority", path.stem))
        if authorities and authority not in authorities:
            continue
        own_data = settings.get("data_dir")
        chosen = data_dir or (paths.project_root() / own_data if own_data else paths.default_data_dir())
        parameters = {"authority": authority, "period": period, "data_dir": str(chosen),
                      "audience": settings.get("audience", "members"), "targets_file": None}
        jobs.append(Job(authority, settings.get("name", authority), str(out_dir), tuple(parameters.items())))
    return jobs


def benchmark_jobs(year: int, out_dir: Path, cache: Path, authorities: list[str] | None = None) -> list[Job]:
    """A benchmark-report job for every authority with published figures for ``year``."""
    from perfkit.benchmark_report import PublishedData

    jobs = []
    for la_code, name in PublishedData.from_cache(cache).authorities(year):
        if authorities and la_code not in authorities:
            continue
        parameters = {"la_code": la_code, "year": year, "published_cache": str(cache)}
        jobs.append(Job(la_code, name, str(out_dir), tuple(parameters.items()), BENCHMARK_NOTEBOOK))
    return jobs


_QUOTED_VALUE = re.compile(r"value '(?:[^'\\]|\\.)*'|written \d{4}-\d{2}-\d{2}|\(\d{4}-\d{2}-\d{2}\)")


def _withheld(match: re.Match) -> str:
    text = match.group()
    if text.startswith("value"):
        return "value withheld"
    return "written YYYY-MM-DD" if text.startswith("written") else "(date withheld)"


def withhold_values(reason: str) -> str:
    """A failure reason without the record values it quotes (they may identify a child).

    The index page may be shared; the full reason is printed for the analyst.

    >>> withhold_values("referrals.csv, column 'child_id', row 3: value 'C990-000001': duplicate id")
    "referrals.csv, column 'child_id', row 3: value withheld: duplicate id"
    """
    return _QUOTED_VALUE.sub(_withheld, reason)


def index_html(period: str, outcomes: list[Outcome], as_at: dt.date | None = None,
               heading: str = "Children's services performance reports") -> str:
    """The index page linking every report of the batch, failures with their reasons."""
    rows = []
    for o in sorted(outcomes, key=lambda o: o.authority):
        name = escape(f"{o.name} ({o.authority})")
        if o.ok:
            status = f'<a href="{escape(Path(o.path).name)}">Report</a>'
        else:
            earlier = Path(o.path).exists()
            kept = f' The earlier report is kept: <a href="{escape(Path(o.path).name)}">earlier report</a>.' if earlier else ""
            lines = withhold_values(o.error or "unknown error").splitlines()[:MAX_REASON_LINES]
            reason = "<br>".join(escape(line) for line in lines)
            status = f'<strong>Failed</strong>: {reason}{kept}'
        rows.append(f"<tr><td>{name}</td><td>{status}</td></tr>")
    failed = sum(not o.ok for o in outcomes)
    note = f"{len(outcomes) - failed} of {len(outcomes)} reports produced."
    as_at_text = f" Data as at {as_at:%-d %B %Y}." if as_at else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(heading)}, {escape(period)}</title>"
        "<style>body{font-family:sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}"
        "table{border-collapse:collapse}td,th{border:1px solid #888;padding:.3rem .6rem;text-align:left}</style>"
        f"</head><body><h1>{escape(heading)}, {escape(period)}</h1>"
        f"<p>{note}{as_at_text}</p><table><thead><tr><th scope=\"col\">Authority</th><th scope=\"col\">Report</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></body></html>\n"
    )


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
    :class:`perfkit.kernel.WorkerKernel`); ``fresh_kernels`` gives every
    report a kernel of its own instead, at about a second more a report.
    """
    from perfkit.loading import load_dataset
    from perfkit.report import data_as_at, resolve_period

    data_path = Path(data_dir) if data_dir else None
    parameters_path = Path(parameters) if parameters else paths.authorities_dir()
    as_at = None
    if period is None or period.strip().lower() == "latest":
        # the last complete quarter of the authorities' rows that pass the contract: one authority's
        # broken rows fail its own report, not the whole batch
        named = [j.authority for j in authority_jobs("latest", data_path, Path("."), authorities, parameters_path)]
        source = data_path or paths.default_data_dir()
        data, _ = checked_records(source, named) if named else (None, {})
        as_at = data_as_at(data if data is not None else load_dataset(source, authorities=named or None))
    label = resolve_period(period, as_at).label
    folder = Path(out_dir or paths.reports_dir()) / label.replace(" ", "-")
    jobs = authority_jobs(label, data_path, folder, authorities, parameters_path)
    if not jobs:
        raise ValueError(f"no authorities to report on: no parameters files in {parameters_path}"
                         + (f" for {', '.join(authorities)}" if authorities else ""))
    with tempfile.TemporaryDirectory(prefix="perfkit-aggregates-") as scratch:
        outcomes = run_reports(jobs, label, Path(scratch), workers, f"Reports {label}", progress, fresh_kernels)
    atomic_write_text(folder / "index.html", index_html(label, outcomes, as_at))
    return folder, outcomes


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
    from perfkit.benchmark_report import PublishedData

    return str(PublishedData.remembered().save(folder))


def checked_records(data_dir: str | Path, authorities: list[str]) -> tuple["Dataset | None", dict[str, str]]:
    """The validated records of those ``authorities`` whose own rows pass the contract, and why each other fails.

    The files are read once. The authorities are checked together and, only
    if that fails on some rows, each alone: an authority fails exactly when
    its own rows (or the files as a whole) break the contract, whichever
    authorities it is checked with. Returns no records if none passes.
    Files that have all passed the contract before (``perfkit validate``, or
    any whole load, remembers them: :mod:`perfkit.checkcache`) are read
    without being checked again.
    """
    from perfkit.loading import ContractError, check_dataset, load_passed, read_dataset

    if (passed := load_passed(data_dir, authorities)) is not None:
        return passed, {}
    try:
        raw = read_dataset(data_dir)
        return check_dataset(raw, authorities), {}
    except ContractError as exc:
        if len(authorities) == 1 or all(p.row is None for p in exc.problems):  # the files themselves are broken
            return None, {authority: f"ContractError: {exc}" for authority in authorities}
    failures: dict[str, str] = {}
    for authority in authorities:
        try:
            check_dataset(raw, [authority])
        except ContractError as alone:
            failures[authority] = f"ContractError: {alone}"
    passing = [a for a in authorities if a not in failures]
    return (check_dataset(raw, passing) if passing else None), failures


def validated_records(share: Share) -> tuple["Dataset | None", list[Job], list[Outcome]]:
    """The share's validated records, the jobs they serve, and an outcome for each job that cannot run.

    A job fails if its authority's rows break the contract (see
    :func:`checked_records`) or if the dataset has no rows for it.
    """
    started = time.perf_counter()
    data, failures = checked_records(share.data_dir, [j.authority for j in share.jobs])
    failed = [_failed(j, started, failures[j.authority]) for j in share.jobs if j.authority in failures]
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
    from perfkit.benchmark_report import PublishedData

    return PublishedData.from_cache(Path(folder))


def _failed(job: Job, started: float, reason: str) -> Outcome:
    return Outcome(job.authority, job.name, False, str(Path(job.out_dir) / f"{job.authority}.html"),
                   time.perf_counter() - started, reason)


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
    from perfkit.report import compute_aggregates, compute_aggregates_for, save_aggregates

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
    authorities = [j.authority for j in jobs]
    try:
        figures = compute_aggregates_for(data, authorities, period, published=published)
    except Exception:  # noqa: BLE001 - one at a time below
        figures = {}
    for job in jobs:
        if job.authority in figures:
            continue
        try:
            figures[job.authority] = compute_aggregates(data, job.authority, period, published=published)
        except Exception as exc:  # noqa: BLE001 - one authority failing must not stop the others
            failed.append(_failed(job, started, _failure_reason(exc)))
    if not figures:
        return [], failed
    folder = save_aggregates(figures, Path(share.folder))
    ready = [Job(j.authority, j.name, j.out_dir, tuple({**dict(j.parameters), "aggregates": str(folder)}.items()), j.notebook)
             for j in jobs if j.authority in figures]
    return ready, failed


def run_reports(jobs: list[Job], period: str, scratch: Path, workers: int, description: str,
                progress: bool = True, fresh_kernels: bool = False) -> list[Outcome]:
    """Check, aggregate and run every authority's report; outcomes sorted by authority.

    The workers start at once, each with a share of the authorities: each
    checks its share's records, computes their aggregated tables in one
    pass, and runs their notebooks as soon as the tables are ready. Meanwhile
    this process loads the published figures once for all of them.
    """
    from tqdm import tqdm

    count = max(1, min(workers, len(jobs)))
    context = get_context("spawn")
    published_ready = context.Event()
    outcomes: list[Outcome] = []
    with ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=start_worker,
                             initargs=(count, published_ready)) as pool:
        pending = {pool.submit(aggregate_share, share, period, not fresh_kernels) for share in shares_of(jobs, scratch, workers)}
        try:
            save_published(scratch / "published")
        finally:  # the workers wait for it, found or not
            published_ready.set()
        bar = tqdm(total=len(jobs), desc=description, unit="report", disable=not progress)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                result = future.result()
                if isinstance(result, Outcome):
                    outcomes.append(result)
                    bar.update(1)
                    continue
                ready, failed = result
                outcomes += failed
                bar.update(len(failed))
                pending |= {pool.submit(run_job, job, fresh_kernels) for job in ready}
    bar.close()
    return sorted(outcomes, key=lambda o: o.authority)


def run_jobs(jobs: list[Job], workers: int, description: str, progress: bool = True) -> list[Outcome]:
    """Run notebook jobs in parallel processes with a progress bar; outcomes sorted by authority."""
    from tqdm import tqdm

    outcomes: list[Outcome] = []
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(jobs))), mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(run_job, job) for job in jobs]
        for future in tqdm(as_completed(futures), total=len(futures), desc=description, unit="report", disable=not progress):
            outcomes.append(future.result())
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
    """The benchmark report for every authority with published figures for ``year``, and an index."""
    from perfkit.benchmark_report import PublishedData

    folder = Path(out_dir or paths.reports_dir()) / f"benchmarks-{year}"
    with tempfile.TemporaryDirectory(prefix="perfkit-published-") as cache:
        PublishedData.remembered(dfe_dir, lait_dir).save(Path(cache))
        jobs = benchmark_jobs(year, folder, Path(cache), authorities)
        if not jobs:
            raise ValueError(f"no authority has published figures for {year}" + (f" among {', '.join(authorities)}" if authorities else ""))
        outcomes = run_jobs(jobs, workers, f"Benchmark reports {year}", progress)
    atomic_write_text(folder / "index.html", index_html(str(year), outcomes, heading="Children's services benchmark reports"))
    return folder, outcomes
