"""What earlier member reports published, per authority: so that reports read together give nothing away.

Each member report chooses what to withhold over its own quarters; the next
quarter's report, choosing afresh, could show a figure the last one withheld,
or lean on withholding one the last one showed, and two packs read side by
side would then give a small number back (an attacker's pass: the children
looked after in a quarter one report hid and the next showed, with the starts
and ends, gave 2 children leaving care and 3 starting). The batch writes down,
after each member report it publishes, which figures the page showed and which
it did not (the page read back, as the audit reads it), in
``<out>/.published/<authority>.parquet``. A later report into the same ``out``
keeps hidden every figure an earlier one withheld and takes every figure an
earlier one showed as known to its reader (:func:`perfkit.present.disclosure.protect`),
and the audit checks both. Keep the reports folder from quarter to quarter.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from perfkit.errors import LedgerError

LEDGER_FOLDER = ".published"

SCHEMA = {"report": pl.String, "la_code": pl.String, "period": pl.String, "indicator": pl.String,
          "breakdown": pl.String, "group": pl.String, "shown": pl.Boolean}
"""One row per figure of a published report: the report's period, the figure's key, whether the page showed it
(null where the page did not name it at all, such as a breakdown not shown or the 12-month figure of a month
its chart draws alone: its reader knows nothing of it, not even whether it is small)."""


def ledger_path(root: Path, authority: str) -> Path:
    """Where an authority's published figures are written down, under a batch's ``out`` folder."""
    return Path(root) / LEDGER_FOLDER / f"{authority}.parquet"


def earlier(root: Path, authority: str) -> pl.DataFrame:
    """What the authority's earlier member reports into ``root`` showed and withheld (empty before the first).

    The ledger file says it; a member page in ``root`` that the ledger does not record (the ledger deleted,
    emptied, or older than the page) is read back instead, so that a lost ledger never loses the
    protection: what a page shows as a number was shown, what it names in words was withheld.

    >>> import tempfile
    >>> earlier(Path(tempfile.mkdtemp()), "990").height
    0
    """
    rows = recorded(root, authority)
    recorded_reports = set(rows["report"].unique().to_list())
    for page in sorted(Path(root).glob(f"*/{authority}.html")):
        report = page.parent.name.replace("-Q", " Q").replace("-M", " M")
        if report in recorded_reports or not is_period(report):
            continue
        rows = pl.concat([rows, from_page(page.read_text(encoding="utf-8"), report, authority)])
    return rows


def recorded(root: Path, authority: str) -> pl.DataFrame:
    """The ledger file's rows alone (empty where there is none); one that cannot be read is refused, naming it."""
    path = ledger_path(root, authority)
    if not path.exists():
        return pl.DataFrame(schema=SCHEMA)
    try:
        return pl.read_parquet(path).select([pl.col(c).cast(t) for c, t in SCHEMA.items()])
    except Exception as exc:  # noqa: BLE001 - any unreadable ledger is refused, naming it
        raise LedgerError(f"{path}: the record of what earlier reports published cannot be read ({exc}); "
                          "restore it from a backup, or delete it to have it read again from the pages in "
                          f"{Path(root)}") from None


def check_cadence(rows: pl.DataFrame, report: str, root: Path) -> None:
    """Refuse a report whose earlier packs in the folder are of the other cadence (a quarter's among months,
    or a month's among quarters), naming them.

    Disclosure control would relate them (a quarter is its three months), but over the months of every
    monthly pack it solves too long: measured, a quarterly report after four monthly packs had not finished
    in 15 minutes (``docs/disclosure.md``).

    >>> rows = pl.DataFrame({"report": ["2024-25 M05", "2024-25 M06"]})
    >>> check_cadence(rows, "2024-25 M07", Path("reports"))
    >>> check_cadence(rows, "2024-25 Q2", Path("reports"))
    Traceback (most recent call last):
    ...
    perfkit.errors.LedgerError: reports: the earlier reports in this folder are monthly (2024-25 M05 to 2024-25 M06), and a quarterly report is not checked against them (it took over 15 minutes an authority); make quarterly reports into a folder of their own (docs/disclosure.md, 'Monthly and quarterly packs')
    """
    from perfkit.indicators.periods import noun_of

    ours = noun_of(report) + "ly"
    other = sorted({r for r in rows["report"].unique().to_list() if noun_of(r) + "ly" != ours})
    if other:
        raise LedgerError(f"{root}: the earlier reports in this folder are {noun_of(other[0])}ly ({other[0]} to "
                          f"{other[-1]}), and a {ours} report is not checked against them (it took over 15 minutes "
                          f"an authority); make {ours} reports into a folder of their own (docs/disclosure.md, "
                          "'Monthly and quarterly packs')")


def is_period(label: str) -> bool:
    """Whether ``label`` is a quarter's or a month's (a report's period), not a window's.

    >>> is_period("2024-25 Q3"), is_period("2024-25 M07"), is_period("2024-25 Q3 R12"), is_period("analyst")
    (True, True, False, False)
    """
    from perfkit.indicators.periods import PeriodError, parse_period

    try:
        parse_period(label)
    except (PeriodError, ValueError):
        return False
    return True


def from_page(html: str, report: str, authority: str) -> pl.DataFrame:
    """A published page's figures as the ledger holds them, from the page alone: shown where it writes a
    number, withheld where it writes the words of suppression ("fewer than 5", "withheld", "not shown: too
    few to break down"). A figure it does not name is not recorded (its reader knows nothing of it), nor is
    one it names without a figure: a quarter ahead on a trajectory's path (empty), or one the data could
    not give ("no figure", "not available"), which a later report may show.

    >>> page = ('<table class="pk-table"><caption>c</caption><thead><tr><th>Indicator</th><th>2024-25 Q1</th>'
    ...         '<th>2024-25 Q2</th></tr></thead><tbody><tr><td>Referrals</td><td>12</td><td></td></tr>'
    ...         '<tr><td>Contacts</td><td>withheld</td><td>no figure</td></tr></tbody></table>')
    >>> from_page(page, "2024-25 Q1", "990").select("period", "indicator", "shown").rows()
    [('2024-25 Q1', 'referrals', True), ('2024-25 Q1', 'contacts', False)]
    """
    from perfkit.indicators.quality_checks import QUALITY
    from perfkit.present.disclosure import NOT_SHOWN, WITHHELD
    from perfkit.present.disclosure_audit import parse_number, read_page

    shown, _ = read_page(html, report)
    keys: dict[tuple, bool] = {}
    for f in shown:
        if f.indicator.startswith(QUALITY) or f.of not in ("value", "numerator", "denominator"):
            continue
        number = parse_number(f.text) is not None
        words = f.text.strip()
        if not number and not (words in (WITHHELD, NOT_SHOWN) or words.startswith("fewer than ")):
            continue  # no figure here to withhold: empty, "no figure" or "not available"
        key = (f.period, f.indicator, f.breakdown, f.group)
        keys[key] = keys.get(key, False) or number
    return pl.DataFrame([(report, authority, *key, seen) for key, seen in keys.items()], schema=SCHEMA, orient="row")


def published(html: str, report: str, measures: pl.DataFrame) -> pl.DataFrame:
    """Each figure of ``measures`` (one authority's, before suppression) and whether the page shows it
    (:func:`from_page`): shown as a number (true), named in words of suppression (false: later reports
    withhold it too), or not named at all (null: unknown to its reader)."""
    keys = measures.select("la_code", "period", "indicator", "breakdown", "group").unique(maintain_order=True)
    page = from_page(html, report, str(keys["la_code"][0]) if keys.height else "")
    seen = page.select("period", "indicator", "breakdown", "group", "shown")
    return (keys.join(seen, on=["period", "indicator", "breakdown", "group"], how="left")
            .with_columns(report=pl.lit(report)).select(list(SCHEMA)))


def record(root: Path, authority: str, report: str, html: str, measures: pl.DataFrame) -> Path:
    """Add a published page's figures to the authority's ledger (written whole, never half)."""
    import os
    import tempfile

    # the ledger file alone: the page just written is what is being added (earlier() would read it back too)
    rows = pl.concat([recorded(root, authority), published(html, report, measures)])
    path = ledger_path(root, authority)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        rows.write_parquet(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
