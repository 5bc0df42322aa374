"""The batch's jobs: one notebook run per authority, who gets one, and running one in a worker process."""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from perfkit.config import paths
from perfkit.config.settings import AuthoritySettings, all_authority_settings
from perfkit.errors import SettingsError
from perfkit.pipeline.index_page import _failure_reason, public_reason, withhold_values
from perfkit.pipeline.safety import atomic_write_text

if TYPE_CHECKING:
    from perfkit.pipeline.aggregates import Aggregates

REPORT_NOTEBOOK = "authority_report.ipynb"
ANALYST_FOLDER = "analyst"
"""In the output folder: ``analyst/<period>/`` holds the analyst reports (mode 0700), apart from the members'."""
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
    warning: str = ""
    """For the analyst, on the terminal: what the report was published with (small numbers earlier packs
    already give away, which it adds nothing to)."""
    first_in_folder: bool = False
    """A member report with no earlier report of its authority in the reports folder: it cannot know what
    packs published elsewhere showed (the batch says so)."""


ONE_THREAD = {"POLARS_MAX_THREADS": "1"}
"""The environment of report kernels: reports run side by side, one polars thread each."""


@lru_cache(maxsize=1)
def worker_kernel():
    """This worker process's kernel (see :class:`perfkit.pipeline.kernels.WorkerKernel`), shut down when the worker exits."""
    import atexit

    from perfkit.pipeline.kernels import WorkerKernel

    kernel = WorkerKernel(env=ONE_THREAD)
    atexit.register(kernel.shut_down)
    return kernel


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

    from perfkit.pipeline.kernels import KERNEL_NAME
    from perfkit.pipeline.aggregates import earlier_published
    from perfkit.pipeline.ledger import record
    from perfkit.present.htmlexport import member_html

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
        # read back before it is published: no small number shown or derivable
        figures, warning = (check_member_report(html, dict(job.parameters)) if job.notebook == REPORT_NOTEBOOK
                            else (None, ""))
        before = None if figures is None else earlier_published(dict(job.parameters)["aggregates"], job.authority)
        first = figures is not None and (before is None or before.height == 0)
        atomic_write_text(target, html)
        if figures is not None:  # what this member page showed and withheld binds the reports after it
            record(Path(job.out_dir).parent, job.authority, figures.period.label, html, figures.measures)
        return Outcome(job.authority, job.name, True, str(target), time.perf_counter() - started, size=len(html.encode()),
                       warning=warning, first_in_folder=first)
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


def _failed(job: Job, started: float, reason: str, public: str = "") -> Outcome:
    """A job that failed: ``reason`` in full, ``public`` as the index page may show it (default: ``reason`` withheld)."""
    return Outcome(job.authority, job.name, False, str(Path(job.out_dir) / f"{job.authority}.html"),
                   time.perf_counter() - started, reason, public_error=public or withhold_values(reason))


def check_member_report(html: str, parameters: dict) -> "tuple[Aggregates | None, str]":
    """The batch's audit of one finished report, before it is moved into place; the aggregates it was
    checked against (None for an analysts' report), and a warning for the analyst (or "").

    ``parameters`` are the report notebook's: a members' report is checked
    against the aggregates it was made from (``aggregates``, the folder the
    batch prepared), with the threshold of ``parameters/disclosure.yaml``.
    Raises :class:`perfkit.errors.DisclosureError` naming every finding
    (places, never values); analysts' reports are not checked (they are
    never published to members). A small number that the authority's earlier
    packs give away by themselves (published before their chain of quarters
    was checked) fails nothing this report can mend: it is the warning, naming
    those figures and the packs to withdraw.
    """
    from perfkit.config.settings import disclosure_threshold
    from perfkit.errors import DisclosureError
    from perfkit.pipeline.aggregates import earlier_published, load_aggregates
    from perfkit.indicators.catalogue import load_catalogue
    from perfkit.indicators.targets import load_targets
    from perfkit.present.disclosure import GIVEN_AWAY_BEFORE
    from perfkit.present.disclosure_audit import audit_page

    if parameters.get("audience", "members") != "members":
        return None, ""
    if not parameters.get("aggregates"):
        raise DisclosureError("the report cannot be audited: the batch prepared no aggregates for it")
    figures = load_aggregates(parameters["aggregates"], str(parameters["authority"]))
    catalogue = load_catalogue()
    targets = load_targets(parameters.get("targets_file") or paths.targets_file(), str(parameters["authority"]), catalogue)
    findings = audit_page(html, figures.measures, figures.quality, figures.period.label, disclosure_threshold(),
                          catalogue, targets, earlier_published(parameters["aggregates"], str(parameters["authority"])),
                          figures.context)
    before = [f for f in findings if f.problem == GIVEN_AWAY_BEFORE]
    findings = [f for f in findings if f.problem != GIVEN_AWAY_BEFORE]
    warning = ""
    if before:
        warning = (f"{GIVEN_AWAY_BEFORE}: {'; '.join(f.where for f in before)}. Packs of those quarters published "
                   "before perfkit checked the chain of quarters let a reader work these out; consider withdrawing "
                   "them and telling the data protection officer")
    if findings:
        listed = "; ".join(str(f) for f in findings[:10]) + (f"; and {len(findings) - 10} more" if len(findings) > 10 else "")
        raise DisclosureError(f"the report failed the disclosure audit and was not published ({len(findings)} "
                              f"finding{'s' if len(findings) != 1 else ''}): {listed}")
    return figures, warning
