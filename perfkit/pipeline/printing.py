"""Each report printed to a PDF beside its HTML, by headless Chromium (``perfkit batch --pdf``).

Members who read the agenda pack on paper, or as a PDF, get the report's
print layout (A4, at most 12 pages: see ``templates/report.css``), with its
charts drawn: Chromium runs the page's own inlined Vega before it prints.
The page is opened from disk with no network. Each PDF is written to a
temporary file and moved into place; a PDF older than the report beside it
(printed from an earlier run) is removed, never left to be read as the new one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
"""The names headless Chromium goes by, in the order they are looked for on ``PATH``."""
MAX_PAGES = 12
"""The longest a member report should print: a committee's agenda pack has room for about this."""
TIMEOUT_SECONDS = 180
"""The longest one print may take: a report prints in 2 to 4 seconds."""


@dataclass(frozen=True)
class Printed:
    """What became of one report's PDF: its path and pages, or why there is none."""

    html: Path
    pdf: Path | None = None
    pages: int = 0
    error: str = ""


def find_browser() -> str | None:
    """The path of headless Chromium on ``PATH`` (``PERFKIT_CHROMIUM`` overrides), or None."""
    named = os.environ.get("PERFKIT_CHROMIUM")
    if named:
        return shutil.which(named) or (named if Path(named).is_file() else None)
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def page_count(pdf: bytes) -> int:
    """The pages of a PDF Chromium wrote: the largest ``/Count``, its page tree's root's (a branch counts
    fewer pages; Chromium writes no outline).

    >>> page_count(b"<< /Type /Pages /Count 3 /Kids [4 0 R] >> << /Type /Pages /Count 12 >>")
    12
    """
    return max((int(n) for n in re.findall(rb"/Count\s+(\d+)", pdf)), default=0)


def print_pdf(html: Path, browser: str, timeout: float = TIMEOUT_SECONDS) -> Printed:
    """Print ``html`` to ``<same name>.pdf`` beside it with headless Chromium.

    The sandbox is left on except as root, where Chromium refuses to start
    with it; the page is perfkit's own, with no external resource.
    """
    html = Path(html).resolve()
    target = html.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="perfkit-print-") as work:
        temporary = Path(work) / "report.pdf"
        command = [browser, "--headless", "--disable-gpu", "--no-first-run", "--no-pdf-header-footer",
                   "--disable-extensions", f"--user-data-dir={Path(work) / 'profile'}",
                   "--virtual-time-budget=20000",  # the page's scripts draw every chart before it prints
                   f"--print-to-pdf={temporary}", html.as_uri()]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(1, "--no-sandbox")
        try:
            run = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return Printed(html, error=f"{browser} did not finish printing {html} in {timeout:.0f} s")
        except OSError as exc:
            return Printed(html, error=f"{browser} could not be started to print {html}: {exc}")
        data = temporary.read_bytes() if temporary.is_file() else b""
        if run.returncode != 0 or not data.startswith(b"%PDF"):
            said = run.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
            return Printed(html, error=f"{browser} did not print {html} (exit {run.returncode}): {said[0]}")
        partial = target.with_name(f".{target.name}.partial")
        partial.write_bytes(data)
        os.replace(partial, target)
    return Printed(html, target, page_count(data))


def print_reports(pages: list[Path], browser: str | None = None) -> list[Printed]:
    """Print each report to a PDF beside it; each failure is the report's own, and says why.

    Where no Chromium is found, nothing is printed and every report says so.
    """
    browser = browser or find_browser()
    if browser is None:
        reason = ("no PDF written: headless Chromium was not found (install Debian's chromium package, or set "
                  f"PERFKIT_CHROMIUM to its path; looked for {', '.join(BROWSERS)} on PATH)")
        printed = [Printed(Path(p), error=reason) for p in pages]
    else:
        printed = [print_pdf(Path(p), browser) for p in pages]
    # a failed print leaves no PDF of an earlier report beside the new one
    return [p if p.pdf is not None or not remove_stale([p.html]) else
            Printed(p.html, error=f"{p.error}; the PDF of the earlier report beside it was removed") for p in printed]


def remove_stale(pages: list[Path]) -> list[Path]:
    """Remove a PDF left beside a report that has just been written anew without one: it would show the
    figures of an earlier run. Returns the PDFs removed."""
    removed = []
    for page in map(Path, pages):
        pdf = page.with_suffix(".pdf")
        if pdf.is_file() and page.is_file() and pdf.stat().st_mtime < page.stat().st_mtime:
            pdf.unlink()
            removed.append(pdf)
    return removed
