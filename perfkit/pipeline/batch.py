"""The quarterly batch: one member report per authority, run in parallel.

Each authority's report notebook is executed by papermill in its own process,
exported to member HTML, written to a temporary file and moved into place, so a
failed run never overwrites an earlier good report. One authority failing is
recorded (in the index page and the exit status) and does not stop the others.

What keeps a batch safe to publish from (issue #15):

- authority codes are three-digit LA numbers (:func:`perfkit.config.la_codes.la_code`),
  checked in every parameters file before anything is written;
- one batch at a time writes into a reports folder: :func:`folder_lock` holds
  ``<out>/.perfkit.lock``; a second batch is refused at once (:class:`BatchBusy`);
- the workers, and their kernels, die with the batch, even with ``kill -9``
  (:func:`tie_to_batch`);
- figures before suppression (aggregates, executed notebooks) live in a private
  folder inside the output folder, ``<out>/.scratch/run-*`` (mode 0700), removed
  on every way out, SIGTERM included (:func:`sigterm_as_exit`), and, should the
  batch be killed, by the next batch (:func:`scratch_folder`);
- a dataset that cannot be read fails its own authorities, not the batch;
- the index page shows no record value (:func:`public_reason`, :func:`withhold_values`);
- analyst reports (``audience: analyst``) go to ``<out>/analyst/<period>/``,
  never to the member folder ``<out>/<period>/`` (:func:`authority_jobs`).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import tempfile
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, as_completed, wait
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from html import escape
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

from perfkit.errors import PublishedDataError, SettingsError
from perfkit.config import paths
from perfkit.config.la_codes import la_code
from perfkit.config.settings import AuthoritySettings, all_authority_settings
from perfkit.errors import BatchBusy

if TYPE_CHECKING:
    from perfkit.records.loading import Dataset

REPORT_NOTEBOOK = "authority_report.ipynb"
MAX_REASON_LINES = 25
LOCK_FILE = ".perfkit.lock"
"""In the output folder: held (``flock``) by the batch writing there, and holding its pid."""
SCRATCH_FOLDER = ".scratch"
"""In the output folder: the private folder of the running batch's unsuppressed intermediates."""
ANALYST_FOLDER = "analyst"
"""In the output folder: ``analyst/<period>/`` holds the analyst reports (mode 0700), apart from the members'."""
ANALYST_HEADING = "Analyst reports, not for sharing"
ANALYST_WARNING = ("Not for sharing or publication. These reports are for analysts: they show every count, small numbers "
                   "included, which could identify children. Member reports are in the period's own folder.")


BENCHMARK_NOTEBOOK = "benchmark_report.ipynb"


@dataclass(frozen=True)
class Job:
    """One notebook run: which notebook, with which parameters, written as ``<authority>.html``.

    ``scratch`` is the batch's private folder, where the executed notebook is
    kept while it is exported (None: the system's temporary folder).
    """

    authority: str
    name: str
    out_dir: str
    parameters: tuple[tuple[str, object], ...]
    notebook: str = REPORT_NOTEBOOK
    scratch: str | None = None
    settings: AuthoritySettings | None = None
    """The authority's settings, read once by the batch (from ``--parameters`` where given) for its figures."""


@dataclass(frozen=True)
class Outcome:
    """How one report went. ``error`` is the full reason (for the analyst, on the terminal);
    ``public_error`` the reason the index page may show, without record values ("": withheld from ``error``)."""

    authority: str
    name: str
    ok: bool
    path: str
    seconds: float
    error: str = ""
    size: int = 0
    public_error: str = ""


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
REPORT_IMPORTS = "import perfkit.pipeline.aggregates"
"""What a report's kernel imports (polars and perfkit's report; charts need no Altair): run as the kernel starts."""


@lru_cache(maxsize=1)
def worker_kernel():
    """This worker process's kernel (see :class:`perfkit.pipeline.kernels.WorkerKernel`), shut down when the worker exits."""
    import atexit

    from perfkit.pipeline.kernels import WorkerKernel

    kernel = WorkerKernel(env=ONE_THREAD)
    atexit.register(kernel.shut_down)
    return kernel


_published_ready = None
"""In a worker: the event the batch sets once the published figures are saved (see :func:`start_worker`)."""


def start_worker(workers: int, published_ready=None, batch: int | None = None) -> None:
    """The pool's initializer: die with the batch (pid ``batch``), share the cores, and keep the event
    that says the published figures are saved."""
    global _published_ready
    tie_to_batch(batch)
    _published_ready = published_ready
    share_the_cores(workers)


def tie_to_batch(batch: int | None = None) -> None:
    """A pool's initializer: this worker process dies (SIGKILL) when the batch process ``batch`` does.

    A batch killed with ``kill -9`` runs no clean-up: without this, its workers
    would go on running the reports already handed to them, and write them,
    after the batch is gone. The worker's kernels die with the worker in turn
    (:class:`perfkit.pipeline.kernels.IpcKernelManager`). See :func:`perfkit.pipeline.kernels.die_with_parent`:
    ``prctl(PR_SET_PDEATHSIG)`` on Linux, a thread watching the parent elsewhere.
    """
    from perfkit.pipeline.kernels import die_with_parent

    die_with_parent(batch)


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
    from perfkit.present.imports import without_iri_grammar

    without_iri_grammar()  # nbformat imports jsonschema
    import nbformat
    import papermill

    from perfkit.present.htmlexport import member_html
    from perfkit.pipeline.kernels import KERNEL_NAME

    started = time.perf_counter()
    target = Path(job.out_dir) / f"{job.authority}.html"
    kernel = None if fresh_kernel else worker_kernel()
    try:
        # the executed notebook holds the report's outputs (an analyst report's are not suppressed) and its
        # parameters: it is kept in the batch's private scratch folder, removed whatever happens
        with tempfile.TemporaryDirectory(prefix="perfkit-run-", dir=job.scratch) as scratch:
            executed = Path(scratch) / f"{job.authority}.ipynb"
            if kernel is None:  # a kernel of its own, which inherits this process's settings
                os.environ.update(ONE_THREAD)
            where = {"cwd": scratch, "kernel_manager_class": "perfkit.pipeline.kernels.IpcKernelManager"} if kernel is None else {"km": kernel.manager()}
            papermill.execute_notebook(
                str(paths.notebooks_dir() / job.notebook), str(executed), parameters=dict(job.parameters),
                kernel_name=KERNEL_NAME, progress_bar=False, log_output=False,
                # written once when it has run, not after every cell: a failed run is thrown away anyway
                request_save_on_cell_execute=False, **where,
            )
            if kernel is not None:
                kernel.empty()
            html = member_html(nbformat.read(executed, as_version=4))
        if job.notebook == REPORT_NOTEBOOK:  # read back before it is published: no small number shown or derivable
            check_member_report(html, dict(job.parameters))
        atomic_write_text(target, html)
        return Outcome(job.authority, job.name, True, str(target), time.perf_counter() - started, size=len(html.encode()))
    except Exception as exc:  # noqa: BLE001 - one authority's failure must not stop the batch
        if kernel is not None:
            kernel.shut_down()
        return Outcome(job.authority, job.name, False, str(target), time.perf_counter() - started, _failure_reason(exc),
                       public_error=public_reason(exc))


def authority_jobs(
    period: str, data_dir: Path | None, out_dir: Path, authorities: list[str] | None = None,
    parameters: Path | None = None, analyst_dir: Path | None = None,
) -> list[Job]:
    """A job for every authority with a parameters file (or those named).

    An authority's ``data_dir`` may be absolute or relative to the project root.
    Its code (``authority``, or else the file's name) must be a three-digit LA
    number: any other stops the batch before it writes anything
    (:class:`perfkit.errors.AuthorityCodeError`, naming the file), since it
    names the report's file and appears in its pages.

    A member report (``audience: members``, the default) is written in
    ``out_dir``; any other audience (``analyst``; a misspelt one, which the
    report refuses) in ``analyst_dir`` (default ``<out_dir>/../analyst/<out_dir's
    name>``): nothing but a member report is ever written among the members'.
    Two files for the same authority and folder are refused.
    """
    analyst_dir = analyst_dir or out_dir.parent / ANALYST_FOLDER / out_dir.name
    jobs = []
    written: dict[tuple[str, str], str] = {}
    for settings in all_authority_settings(parameters):
        authority = settings.authority
        if authorities and authority not in authorities:
            continue
        chosen = data_dir or settings.data_dir or paths.default_data_dir()
        folder = str(out_dir if settings.audience == "members" else analyst_dir)
        if (authority, folder) in written:
            raise SettingsError(f"{settings.source}: authority {authority} for {settings.audience!r} is also in "
                                f"{written[authority, folder]}: expected one parameters file per authority and audience")
        written[authority, folder] = str(settings.source)
        parameters = {"authority": authority, "period": period, "data_dir": str(chosen),
                      "audience": settings.audience, "targets_file": None}
        jobs.append(Job(authority, settings.name, folder, tuple(parameters.items()), settings=settings))
    return jobs


def benchmark_jobs(year: int, out_dir: Path, cache: Path, authorities: list[str] | None = None) -> list[Job]:
    """A benchmark-report job for every authority with published figures for ``year``."""
    from perfkit.published.data import PublishedData

    jobs = []
    for la_code, name in PublishedData.from_cache(cache).authorities(year):
        if authorities and la_code not in authorities:
            continue
        parameters = {"la_code": la_code, "year": year, "published_cache": str(cache)}
        jobs.append(Job(la_code, name, str(out_dir), tuple(parameters.items()), BENCHMARK_NOTEBOOK))
    return jobs


_QUOTED = r"""[bB]?(?:'(?:[^'\\\n]|\\.)*(?:'|$)|"(?:[^"\\\n]|\\.)*(?:"|$))"""
"""A quoted text as ``repr`` writes it: single or double quotes, backslash escapes, or one never closed."""
_QUOTED_VALUE = re.compile(rf"value {_QUOTED}|`[^`\n]*(?:`|$)|written \d{{4}}-\d{{2}}-\d{{2}}|\(\d{{4}}-\d{{2}}-\d{{2}}\)",
                           re.MULTILINE)


def _withheld(match: re.Match) -> str:
    text = match.group()
    if text.startswith("value"):
        return "value withheld"
    if text.startswith("`"):
        return "(withheld)"
    return "written YYYY-MM-DD" if text.startswith("written") else "(date withheld)"


def withhold_values(reason: str) -> str:
    """A failure reason without the record values it quotes (they may identify a child).

    The index page may be shared; the full reason is printed for the analyst.
    A value is withheld however ``repr`` quoted it (single or double quotes,
    escaped quotes and backslashes, a ``b''`` prefix, a quote never closed),
    as is any text in backquotes (how polars quotes what it cannot parse) and
    any date a message suggests. :func:`public_reason` does better where the
    exception carries its problems: it never writes the value at all.

    >>> withhold_values("referrals.csv, column 'child_id', row 3: value 'C990-000001': duplicate id")
    "referrals.csv, column 'child_id', row 3: value withheld: duplicate id"
    >>> withhold_values('children.csv, row 3: value "C990-O\\'Neil": duplicate id')
    'children.csv, row 3: value withheld: duplicate id'
    """
    return _QUOTED_VALUE.sub(_withheld, reason)


def public_reason(exc: BaseException) -> str:
    """Why a report failed, as the index page may show it: where and what was expected, no record value.

    Where the exception lists its problems (:class:`perfkit.errors.ContractError`'s
    ``problems``, each with its file, column, row, value and message), the reason
    is built from them and leaves every value out; otherwise it is the reason's
    text with its quoted values withheld (:func:`withhold_values`).

    >>> from perfkit.records.loading import ContractError, Problem
    >>> print(public_reason(ContractError([Problem("children.csv", "duplicate id", "child_id", 3, "C990-O'Neil")])))
    ContractError: 1 problem with the input data:
      - children.csv, column 'child_id', row 3: value withheld: duplicate id
    """
    problems = getattr(exc, "problems", None)
    if not problems or not all(hasattr(p, "file") and hasattr(p, "message") for p in problems):
        return withhold_values(_failure_reason(exc))
    count = len(problems)
    lines = [f"{type(exc).__name__}: {count} problem{'s' if count != 1 else ''} with the input data:"]
    for problem in problems:
        where = [str(problem.file)]
        if getattr(problem, "column", None) is not None:
            where.append(f"column {problem.column!r}")
        if getattr(problem, "row", None) is not None:
            where.append(f"row {problem.row}")
        text = ("warning: " if getattr(problem, "severity", "error") == "warning" else "") + ", ".join(where)
        if getattr(problem, "value", None) is not None:
            text += ": value withheld"
        text += f": {problem.message}"
        if getattr(problem, "more", 0):
            text += f" (and {problem.more} more rows like it)"
        lines.append(f"  - {withhold_values(text)}")
    return "\n".join(lines)


def index_html(period: str, outcomes: list[Outcome],
               heading: str = "Children's services performance reports", warning: str = "") -> str:
    """The index page linking every report of the batch, failures with their reasons (no record value).

    ``warning``, if any, is shown in bold under the heading, and the page asks
    search engines not to index it (the analyst index: :data:`ANALYST_WARNING`).
    """
    rows = []
    for o in sorted(outcomes, key=lambda o: o.authority):
        name = escape(f"{o.name} ({o.authority})")
        if o.ok:
            status = f'<a href="{escape(Path(o.path).name)}">Report</a>'
        else:
            earlier = Path(o.path).exists()
            kept = f' The earlier report is kept: <a href="{escape(Path(o.path).name)}">earlier report</a>.' if earlier else ""
            lines = withhold_values(o.public_error or o.error or "unknown error").splitlines()[:MAX_REASON_LINES]
            reason = "<br>".join(escape(line) for line in lines)
            status = f'<strong>Failed</strong>: {reason}{kept}'
        rows.append(f"<tr><td>{name}</td><td>{status}</td></tr>")
    failed = sum(not o.ok for o in outcomes)
    note = f"{len(outcomes) - failed} of {len(outcomes)} reports produced."
    robots = '<meta name="robots" content="noindex, nofollow">' if warning else ""
    warning_text = f"<p><strong>{escape(warning)}</strong></p>" if warning else ""
    return (
        f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">{robots}"
        f"<title>{escape(heading)}, {escape(period)}</title>"
        "<style>body{font-family:sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}"
        "table{border-collapse:collapse}td,th{border:1px solid #888;padding:.3rem .6rem;text-align:left}</style>"
        f"</head><body><h1>{escape(heading)}, {escape(period)}</h1>{warning_text}"
        f"<p>{note} Each report gives the date of its data.</p><table><thead><tr><th scope=\"col\">Authority</th><th scope=\"col\">Report</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></body></html>\n"
    )




@contextmanager
def folder_lock(folder: Path):
    """Hold ``<folder>/.perfkit.lock`` for as long as the block runs, or refuse at once with :class:`BatchBusy`.

    The lock is ``fcntl.flock`` on the file, exclusive, not waited for: two
    batches writing into one folder would leave a mix of both runs' reports
    and index, so the second is refused, its message naming the folder and
    the pid of the batch that holds the lock (written in the file). The lock
    belongs to the open file, which no worker or kernel inherits: it is
    released when the batch ends, however it ends (``kill -9`` included), and
    the file is left in place (empty) for the next batch. Where ``fcntl`` is
    not available (Windows) nothing is locked.
    """
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Linux or macOS
        yield None
        return
    path = folder / LOCK_FILE
    handle = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 32, 0).decode("ascii", "replace").strip()
            raise BatchBusy(f"{folder}: another perfkit batch (pid {holder if holder.isdigit() else 'unknown'}) is "
                            "writing reports into this folder: wait for it to end, or give another --out") from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode(), 0)
        try:
            yield path
        finally:
            os.ftruncate(handle, 0)
    finally:
        os.close(handle)  # releases the lock


@contextmanager
def sigterm_as_exit():
    """While the block runs, SIGTERM raises ``SystemExit(143)`` in the main thread, so that ``finally`` blocks run.

    By default SIGTERM ends a process at once: the batch's scratch folder of
    unsuppressed figures would be left behind and its workers left running.
    A second SIGTERM while the first is handled is ignored, so that the clean-up
    is not cut short. Outside the main thread (where Python cannot set a
    handler) nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def private_folder(path: Path) -> Path:
    """``path`` as a folder only its owner can enter (mode 0700), made if need be; never a symbolic link."""
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise SettingsError(f"{path}: expected a folder of perfkit's own here, found "
                      f"{'a symbolic link' if stat.S_ISLNK(info.st_mode) else 'a file'}: remove it")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise SettingsError(f"{path}: belongs to another user (uid {info.st_uid}): expected a folder of this user's own")
    os.chmod(path, 0o700)
    return path


@contextmanager
def scratch_folder(out: Path):
    """A new private folder for one batch's unsuppressed figures, ``<out>/.scratch/run-*``, removed when the block ends.

    The aggregates the workers compute (counts before suppression), the
    published figures they read and the executed notebooks are kept there:
    inside the output folder, on the same disk, not in a shared ``/tmp``;
    ``.scratch`` and the run's folder are mode 0700. Call with the folder's
    lock held (:func:`folder_lock`): no other batch is then writing into
    ``out``, so anything already in ``.scratch`` was left by a batch killed
    outright and is removed first (each run's folder holds its pid, in ``pid``,
    for whoever looks).
    """
    area = private_folder(out / SCRATCH_FOLDER)
    for leftover in area.iterdir():  # the lock is ours: no batch still uses these
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="run-", dir=area))  # 0700
    try:
        (scratch / "pid").write_text(f"{os.getpid()}\n", encoding="ascii")
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        try:
            area.rmdir()
        except OSError:
            pass


def remove_partial_writes(*folders: Path) -> None:
    """Remove the temporary files of reports being written when their worker was stopped (:func:`atomic_write_text`)."""
    for folder in folders:
        for partial in folder.glob(".*.tmp") if folder.is_dir() else []:
            partial.unlink(missing_ok=True)


def check_shared_settings(authorities: list[str]) -> None:
    """Read the settings every report reads (the disclosure threshold, the targets), once, before any work.

    A broken or hostile file then stops the batch with one line naming the
    file and line (the command line's exit status 2), instead of failing
    every report one by one.
    """
    from perfkit.indicators.catalogue import load_catalogue
    from perfkit.config.settings import disclosure_threshold
    from perfkit.indicators.targets import load_targets

    disclosure_threshold()
    catalogue = load_catalogue()
    for authority in authorities:
        load_targets(paths.targets_file(), authority, catalogue)


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
    the same ``out`` is refused at once with :class:`BatchBusy`, naming the
    folder and the pid of the batch writing there (it does not wait: a
    scheduler may simply run it again later). Unsuppressed figures are kept
    in ``<out>/.scratch/run-*`` (mode 0700), removed when the batch ends,
    however it ends (SIGTERM is turned into ``SystemExit``, which stops the
    workers); a batch killed outright (``kill -9``) takes its workers and
    kernels with it, and the next batch into ``out`` removes what it left.
    """
    from perfkit.records.loading import load_dataset
    from perfkit.pipeline.aggregates import data_as_at, resolve_period

    data_path = Path(data_dir) if data_dir else None
    parameters_path = Path(parameters) if parameters else paths.authorities_dir()
    if authorities:
        authorities = [la_code(a, "the authorities asked for (--authority)") for a in authorities]
    root = Path(out_dir or paths.reports_dir())
    # every parameters file is read, and its authority code checked, before anything is written
    named = [j.authority for j in authority_jobs("latest", data_path, root / "latest", authorities, parameters_path)]
    if not named:
        raise SettingsError(f"no authorities to report on: no parameters files in {parameters_path}"
                         + (f" for {', '.join(authorities)}" if authorities else ""))
    check_shared_settings(named)
    with sigterm_as_exit(), folder_lock(root), scratch_folder(root) as scratch:
        as_at = None
        if period is None or period.strip().lower() == "latest":
            # the last complete quarter of the authorities' rows that pass the contract: one authority's
            # broken rows fail its own report, not the whole batch
            source = data_path or paths.default_data_dir()
            data, _ = checked_records(source, named)
            as_at = data_as_at(data if data is not None else load_dataset(source, authorities=named))
        label = resolve_period(period, as_at).label
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
    from perfkit.records.loading import ContractError, check_dataset, load_passed, read_dataset

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


def _failed(job: Job, started: float, reason: str, public: str = "") -> Outcome:
    """A job that failed: ``reason`` in full, ``public`` as the index page may show it (default: ``reason`` withheld)."""
    return Outcome(job.authority, job.name, False, str(Path(job.out_dir) / f"{job.authority}.html"),
                   time.perf_counter() - started, reason, public_error=public or withhold_values(reason))


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
    from perfkit.pipeline.aggregates import compute_aggregates, compute_aggregates_for, save_aggregates

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
        figures = compute_aggregates_for(data, authorities, period, published=published,
                                         settings={j.authority: j.settings for j in jobs if j.settings})
    except Exception:  # noqa: BLE001 - one at a time below
        figures = {}
    for job in jobs:
        if job.authority in figures:
            continue
        try:
            figures[job.authority] = compute_aggregates(data, job.authority, period, published=published,
                                                        settings=job.settings)
        except Exception as exc:  # noqa: BLE001 - one authority failing must not stop the others
            failed.append(_failed(job, started, _failure_reason(exc), public_reason(exc)))
    if not figures:
        return [], failed
    folder = save_aggregates(figures, Path(share.folder))
    # the reports read the aggregates, and keep their executed notebooks, in the batch's private scratch folder
    ready = [replace(j, parameters=tuple({**dict(j.parameters), "aggregates": str(folder)}.items()),
                     scratch=str(Path(share.folder).parent))
             for j in jobs if j.authority in figures]
    return ready, failed


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Kill a pool's workers now (their kernels die with them) and drop the work not yet done: the batch is stopping.

    ``shutdown`` alone would wait for every report already handed to the
    workers, which go on writing while the batch is meant to be ending.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        try:
            process.kill()
        except (OSError, ValueError):  # already gone
            pass
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        try:
            process.join(timeout=10)
        except (OSError, ValueError, AssertionError):
            pass


def run_reports(jobs: list[Job], period: str, scratch: Path, workers: int, description: str,
                progress: bool = True, fresh_kernels: bool = False) -> list[Outcome]:
    """Check, aggregate and run every authority's report; outcomes sorted by authority.

    The workers start at once, each with a share of the authorities: each
    checks its share's records, computes their aggregated tables in one
    pass, and runs their notebooks as soon as the tables are ready. Meanwhile
    this process loads the published figures once for all of them.

    A share or report whose work fails outside the report (a worker that
    dies, say) fails its own authorities, with the reason. The workers die
    with this process (:func:`tie_to_batch`); if it stops on an exception
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

    The workers die with this process (:func:`tie_to_batch`), and are killed if it stops on an exception.
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
    (:func:`folder_lock`) and stops its workers on SIGTERM. Its temporary
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


def check_member_report(html: str, parameters: dict) -> None:
    """The batch's audit of one finished report, before it is moved into place.

    ``parameters`` are the report notebook's: a members' report is checked
    against the aggregates it was made from (``aggregates``, the folder the
    batch prepared), with the threshold of ``parameters/disclosure.yaml``.
    Raises :class:`perfkit.errors.DisclosureError` naming every finding
    (places, never values); analysts' reports are not checked (they are
    never published to members).
    """
    from perfkit.config.settings import disclosure_threshold
    from perfkit.errors import DisclosureError
    from perfkit.pipeline.aggregates import load_aggregates
    from perfkit.present.disclosure_audit import audit_page

    if parameters.get("audience", "members") != "members":
        return
    if not parameters.get("aggregates"):
        raise DisclosureError("the report cannot be audited: the batch prepared no aggregates for it")
    figures = load_aggregates(parameters["aggregates"], str(parameters["authority"]))
    findings = audit_page(html, figures.measures, figures.quality, figures.period.label, disclosure_threshold())
    if findings:
        listed = "; ".join(str(f) for f in findings[:10]) + (f"; and {len(findings) - 10} more" if len(findings) > 10 else "")
        raise DisclosureError(f"the report failed the disclosure audit and was not published ({len(findings)} "
                              f"finding{'s' if len(findings) != 1 else ''}): {listed}")
