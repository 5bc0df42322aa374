"""The batch's index page, and why a report failed, told without a record value.

The full reason a report failed is for the analyst, on the terminal; the
index page may be shared, so the reason it shows withholds every value a
record holds (:func:`public_reason`, :func:`withhold_values`).
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from perfkit.pipeline.jobs import Outcome

MAX_REASON_LINES = 25
ANALYST_HEADING = "Analyst reports, not for sharing"
ANALYST_WARNING = ("Not for sharing or publication. These reports are for analysts: they show every count, small numbers "
                   "included, which could identify children. Member reports are in the period's own folder.")


def _failure_reason(exc: BaseException) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}"
    return f"{type(exc).__name__}: {exc}"


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
