"""The ``perfkit`` command line: synth, import, validate, measures, benchmarks, spc, catalogue, batch.

Bad input ends with a message naming the file, column, row and value, and a
non-zero exit status; never a traceback.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

EXIT_BAD_INPUT = 2
EXIT_SOME_FAILED = 1
EXIT_BUSY = 75
"""Another batch is writing into the same output folder (``EX_TEMPFAIL``: try again later)."""


def la_code_argument(option: str):
    """An argparse ``type=`` for an option taking an authority code: three digits, or a one-line refusal (exit 2)."""
    from perfkit.config.la_codes import AuthorityCodeError, la_code

    def parse(text: str) -> str:
        try:
            return la_code(text, option)
        except AuthorityCodeError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from exc

    parse.__name__ = "LA number"
    return parse


class _Parser(argparse.ArgumentParser):
    """The parser of perfkit's commands: a bad authority code is refused on one line, without the usage."""

    def error(self, message: str):
        from perfkit.config.la_codes import EXPECTED

        own = re.fullmatch(r"argument [^:]+: (.*)", message, re.DOTALL)
        if own and EXPECTED in own.group(1):
            self.exit(EXIT_BAD_INPUT, f"{self.prog}: {own.group(1)}\n")
        super().error(message)


def _synth(args: argparse.Namespace) -> int:
    import polars as pl

    from perfkit.synth import simulation as synth

    profiles = synth.many_authorities(args.authorities, args.seed) if args.authorities else synth.DEFAULT_AUTHORITIES
    tables = synth.generate(seed=args.seed, authorities=profiles, scale=args.scale, workers=args.workers)
    if args.as_format == "annex-a":
        from perfkit.formats.annex_a_write import write_annex_a

        args.out.mkdir(parents=True, exist_ok=True)
        for la_code in sorted(tables["children"]["la_code"].unique().to_list()):
            one = {name: frame.filter(pl.col("la_code") == la_code) for name, frame in tables.items()}
            print(f"wrote {write_annex_a(one, args.out / f'annex_a_{la_code}.xlsx')}")
        return 0
    if args.as_format == "cin-census":
        from perfkit.synth.cin_census import write_cin_census

        for la_code in sorted(tables["children"]["la_code"].unique().to_list()):
            one = {name: frame.filter(pl.col("la_code") == la_code) for name, frame in tables.items()}
            dates = one["referrals"]["referral_date"]
            years = range(dates.min().year + (dates.min().month >= 4), dates.max().year + (dates.max().month >= 4) + 1)
            folder = args.out / f"cin_census_{la_code}"
            for year in years:  # one return a collection year (ending 31 March), as councils make them
                write_cin_census(one, folder / f"cin_census_{la_code}_{year}.xml", la_code, year)
            print(f"wrote {len(years)} CIN census returns for {la_code} under {folder}")
        return 0
    if args.as_format in ("ssda903", "ssda903-xml"):
        from perfkit.formats.ssda903 import write_ssda903
        from perfkit.formats.ssda903_xml import write_ssda903_xml

        write = write_ssda903 if args.as_format == "ssda903" else write_ssda903_xml
        for la_code in sorted(tables["children"]["la_code"].unique().to_list()):
            one = {name: frame.filter(pl.col("la_code") == la_code) for name, frame in tables.items()}
            written = write(one, args.out / f"ssda903_{la_code}", la_code)
            print(f"wrote {len(written)} SSDA903 files for {la_code} under {args.out / f'ssda903_{la_code}'}")
        return 0
    written = synth.write_dataset(tables, args.out, args.format)
    rows = sum(t.height for t in tables.values())
    print(f"wrote {len(written)} tables, {rows:,} rows, to {args.out}")
    return 0


def la_from_path(path: Path) -> str | None:
    """The last three-digit number in a folder's name, e.g. ``ssda903_886`` -> ``886``.

    The 903 of "SSDA903" is not an LA number.

    >>> la_from_path(Path("exports/ssda903_886")), la_from_path(Path("ssda903")), la_from_path(Path("extract"))
    ('886', None, None)
    """
    found = [n for n in re.findall(r"(?<![0-9])([0-9]{3})(?![0-9])", path.name) if n != "903"]
    return found[-1] if found else None


def _authority_names() -> dict[str, str] | None:
    """Every English authority's name to its LA number (from the published neighbour model), for files whose
    LA column holds names; None where the published files are not beside the project."""
    from perfkit.errors import PerfkitError
    from perfkit.published.neighbours import load_neighbours

    try:
        return dict(load_neighbours().select("la_name", "la_code").unique().iter_rows())
    except (PerfkitError, OSError):
        return None


def _import(args: argparse.Namespace) -> int:
    if args.annex_a:
        from perfkit.formats.annex_a import import_annex_a

        result = import_annex_a(args.annex_a, args.out, args.la)
    elif args.cin_census:
        from perfkit.formats.cin_census import import_cin_census

        result = import_cin_census(args.cin_census, args.out)
    else:
        from perfkit.formats.ssda903 import import_ssda903

        result = import_ssda903(args.ssda903, args.out, args.la, args.year,
                                fallback_la=None if args.la else la_from_path(args.ssda903[0]),
                                la_names=_authority_names())
    return _report_import(result, args.out)


def _report_import(result, out: Path) -> int:
    """Print what an import wrote and left out; its exit status (0 complete, 1 rows left out, 2 nothing usable)."""
    if result.written:
        print(f"wrote {len(result.written)} canonical tables to {out}: {', '.join(p.name for p in result.written)}")
    if result.log.problems:
        left_out = result.log.rows_left_out
        where = f"; every one is in {result.problems_file}" if result.problems_file else ""
        print(f"perfkit import: {len(result.log.problems)} problem{'s' if len(result.log.problems) != 1 else ''} "
              f"({left_out} row{'s' if left_out != 1 else ''} left out){where}:", file=sys.stderr)
        print(result.log.summary(), file=sys.stderr)
    if not result.written:
        print(f"perfkit import: nothing usable was found; nothing was written to {out}", file=sys.stderr)
    return result.status


def _validate(args: argparse.Namespace) -> int:
    from perfkit.formats.import_log import PROBLEMS_FILE, ImportLog, read_problems
    from perfkit.records.loading import load_dataset

    # what the import that wrote this folder left out or changed, in the import's own words
    imported = ImportLog(read_problems(args.data))
    if imported.problems:
        print(f"perfkit validate: the import that wrote {args.data} reported {len(imported.problems)} problem"
              f"{'s' if len(imported.problems) != 1 else ''} ({imported.rows_left_out} rows left out; every one is in "
              f"{args.data / PROBLEMS_FILE}):", file=sys.stderr)
        print(imported.summary(), file=sys.stderr)
    data = load_dataset(args.data, recall=False)  # asked to check: every file is, passed before or not
    for warning in data.warnings:
        print(f"  - {warning}", file=sys.stderr)
    summary = ", ".join(f"{name} {frame.height:,}" for name, frame in data.tables.items())
    note = f" with {len(data.warnings)} warning{'s' if len(data.warnings) != 1 else ''} (above)" if data.warnings else ""
    left_out = f"; the import left {imported.rows_left_out} rows out (above)" if imported.rows_left_out else ""
    print(f"{args.data}: valid{note}{left_out}. Rows: {summary}. Authorities: {', '.join(data.authorities)}")
    return imported.exit_status(len(data.tables))


def _measures(args: argparse.Namespace) -> int:
    from perfkit.config.settings import authority_settings
    from perfkit.indicators.engine import measures_table

    kinds = [k.strip() for k in args.windows.split(",") if k.strip()]
    settings = authority_settings(args.authority, args.parameters)  # the closure days its report uses
    frame = measures_table(args.data, args.authority, args.period, args.periods, args.breakdowns, kinds,
                           settings.closure_days, settings.data_as_at)
    frame.write_csv(sys.stdout)
    return 0


def _latest_published_year() -> int:
    import polars as pl

    from perfkit.published.data import PublishedData

    values = PublishedData.remembered().values
    return int(values.filter(pl.col("geographic_level") == "Local authority")["year"].drop_nulls().max())


def _batch(args: argparse.Namespace) -> int:
    if args.benchmark and args.year is None:
        args.year = _latest_published_year()
    from perfkit.pipeline.batch import run_batch, run_benchmark_batch
    from perfkit.pipeline.jobs import ANALYST_FOLDER

    if args.benchmark:
        folder, outcomes = run_benchmark_batch(args.year, args.out, args.workers, args.authority or None)
    else:
        folder, outcomes = run_batch(args.period, args.data, args.out, args.workers, args.authority or None,
                                     parameters=args.parameters, fresh_kernels=args.fresh_kernels)
    for o in outcomes:
        if o.ok:
            print(f"{o.authority} {o.name}: {o.path} ({o.size / 1e6:.2f} MB, {o.seconds:.1f} s)")
            if o.warning:
                print(f"{o.authority} {o.name}: WARNING: {o.warning}", file=sys.stderr)
        else:
            print(f"{o.authority} {o.name}: FAILED: {o.error}", file=sys.stderr)
    if first := [o.authority for o in outcomes if o.ok and o.first_in_folder]:
        print(f"note: no earlier report of {', '.join(first)} in {folder.parent}: a report relates its figures to "
              "the packs made into the same folder only; if earlier packs were published from another folder, "
              "make this period's into that one (docs/disclosure.md)", file=sys.stderr)
    if args.pdf:
        _print_pdfs([Path(o.path) for o in outcomes if o.ok])
    else:
        from perfkit.pipeline.printing import remove_stale

        for pdf in remove_stale([Path(o.path) for o in outcomes if o.ok]):
            print(f"removed {pdf}: it was printed from an earlier report (--pdf prints the new one)")
    if (folder / "index.html").exists():
        print(f"index: {folder / 'index.html'}")
    analyst = folder.parent / ANALYST_FOLDER / folder.name / "index.html"
    if not args.benchmark and any(Path(o.path).parent == analyst.parent for o in outcomes):
        print(f"analyst index (not for sharing): {analyst}")
    return EXIT_SOME_FAILED if any(not o.ok for o in outcomes) else 0


def _print_pdfs(pages: list[Path]) -> None:
    """A PDF beside each report, or why not; a PDF is not a report, so its failure fails no authority."""
    from perfkit.pipeline.printing import MAX_PAGES, print_reports

    for printed in print_reports(pages):
        if printed.pdf is None:
            print(f"{printed.html.stem}: {printed.error}", file=sys.stderr)
            continue
        long = f"; longer than the {MAX_PAGES} pages a pack should take" if printed.pages > MAX_PAGES else ""
        print(f"{printed.html.stem} PDF: {printed.pdf} ({printed.pages} pages{long})")


def _benchmarks(args: argparse.Namespace) -> int:
    from perfkit.published.benchmarks import benchmark_table, format_benchmark_table

    frame = benchmark_table(str(args.authority), args.year, args.dfe, args.lait)
    if args.csv:
        frame.write_csv(sys.stdout)
    else:
        print(format_benchmark_table(frame))
    return 0


def _spc(args: argparse.Namespace) -> int:
    from perfkit.indicators.spc import spc_csv

    source = "standard input" if str(args.input) == "-" else str(args.input)
    text = sys.stdin.read() if str(args.input) == "-" else args.input.read_text(encoding="utf-8-sig")
    sys.stdout.write(spc_csv(text, args.improvement, args.target, source=source, rebase_at=args.rebase_at or None,
                             baseline_points=args.baseline_points,
                             on_warning=lambda message: print(f"perfkit spc: {message}", file=sys.stderr)))
    return 0


def _catalogue(args: argparse.Namespace) -> int:
    from perfkit.indicators.catalogue import markdown_table, with_indicator_table

    if args.update_readme:
        args.update_readme.write_text(with_indicator_table(args.update_readme.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"updated the indicator table in {args.update_readme}")
    else:
        print(markdown_table())
    return 0


def parser() -> argparse.ArgumentParser:
    main_parser = _Parser(prog="perfkit", description="Children's services performance indicators and reports.")
    commands = main_parser.add_subparsers(dest="command", required=True)

    spc = commands.add_parser(
        "spc", help="statistical process control (NHS Making Data Count XmR chart) of a series: CSV in, CSV out",
        description="Reads a CSV of period,value in time order and prints period, value, mean, lower_limit, "
                    "upper_limit, point_type, variation, assurance (the rules of NHSRplotthedots; see docs/spc.md).")
    spc.add_argument("--input", type=Path, required=True, help="CSV with columns period,value in time order ('-': standard input)")
    spc.add_argument("--improvement", required=True, choices=["higher", "lower", "neither"],
                     help="which direction is better (neither: no improvement or concern, no assurance)")
    spc.add_argument("--target", type=float, default=None, help="target value: gives the assurance (pass, fail, hit_and_miss)")
    spc.add_argument("--rebase-at", action="append", default=None, metavar="PERIOD",
                     help="recalculate the limits from this period on (a declared change; repeatable)")
    spc.add_argument("--baseline-points", type=int, default=None,
                     help="fix the limits on the first N points of each segment (at least 12); default: all points")
    spc.set_defaults(run=_spc)

    synth = commands.add_parser("synth", help="generate the synthetic record-level dataset")
    synth.add_argument("--out", type=Path, required=True, help="folder to write the tables to")
    synth.add_argument("--seed", type=int, default=2025)
    synth.add_argument("--scale", type=float, default=1.0, help="multiply every authority's population")
    synth.add_argument("--authorities", type=int, default=0, help="make this many authorities instead of the default four")
    synth.add_argument("--format", choices=["parquet", "csv"], default="parquet", help="canonical table format")
    synth.add_argument("--workers", type=int, default=1, help="processes simulating authorities in parallel")
    synth.add_argument("--as", dest="as_format", choices=["canonical", "annex-a", "ssda903", "ssda903-xml", "cin-census"],
                       default="canonical",
                       help="write the canonical tables, or Ofsted Annex A workbooks, SSDA903 CSVs, SSDA903 XML or "
                            "CIN census XML returns (one set per authority)")
    synth.set_defaults(run=_synth)

    importer = commands.add_parser(
        "import", help="convert an Annex A workbook, SSDA903 files or CIN census XML to the canonical dataset",
        description="Writes the canonical tables to --out, and import-problems.csv listing every row left out or "
                    "value changed. Exit status: 0 nothing left out, 1 some rows left out, 2 nothing usable.")
    source = importer.add_mutually_exclusive_group(required=True)
    source.add_argument("--annex-a", type=Path, help="an Ofsted Annex A workbook (.xlsx), CSV list or folder of lists")
    source.add_argument("--ssda903", type=Path, nargs="+",
                        help="SSDA903 files or folders: CSVs (Header, Episodes, Missing, OC3, UASC) or the XML upload; "
                             "a folder per collection year, or the year in each file name")
    source.add_argument("--cin-census", type=Path, nargs="+", metavar="FILE.xml",
                        help="CIN census XML returns (one or several years; records repeated across years are merged)")
    importer.add_argument("--year", type=int, default=None,
                          help="with --ssda903: the collection year (ending 31 March) of files whose names name none")
    importer.add_argument("--out", type=Path, required=True, help="folder to write the canonical tables to")
    importer.add_argument("--la", default=None, type=la_code_argument("--la"), help="three-digit LA number (default: the last three-digit number in the file or folder name)")
    importer.set_defaults(run=_import)

    validate = commands.add_parser("validate", help="check a dataset directory against the contract")
    validate.add_argument("--data", type=Path, required=True)
    validate.set_defaults(run=_validate)

    measures = commands.add_parser("measures", help="print indicators as a tidy CSV")
    measures.add_argument("--data", type=Path, required=True)
    measures.add_argument("--authority", required=True, type=la_code_argument("--authority"), help="three-digit LA number")
    measures.add_argument("--period", required=True, help="a quarter, e.g. '2022-23 Q2', or a month of the financial year, "
                                                           "e.g. '2022-23 M07' (October 2022; M01 is April)")
    measures.add_argument("--periods", type=int, default=1, help="also the quarters (or months) before: a time series of this many")
    measures.add_argument("--breakdowns", action="store_true", help="add every breakdown the catalogue lists (district, sex, age band, ...)")
    measures.add_argument("--windows", default="quarter", help="comma-separated: quarter, ytd (year to date), r12 (rolling 12 months)")
    measures.add_argument("--parameters", type=Path, default=None,
                          help="folder of per-authority parameter files (closure days); default: parameters/authorities/")
    measures.set_defaults(run=_measures)

    benchmarks = commands.add_parser("benchmarks", help="an authority against England, region and statistical neighbours (published data)")
    benchmarks.add_argument("--authority", required=True, type=la_code_argument("--authority"), help="three-digit LA number, e.g. 886")
    benchmarks.add_argument("--year", type=int, required=True, help="publication year, e.g. 2025")
    benchmarks.add_argument("--dfe", type=Path, default=None, help="folder of DfE EES CSVs; default: ../shared/dfe")
    benchmarks.add_argument("--lait", type=Path, default=None, help="folder of the LAIT table; default: ../shared/lait")
    benchmarks.add_argument("--csv", action="store_true", help="print CSV instead of a text table")
    benchmarks.set_defaults(run=_benchmarks)

    catalogue = commands.add_parser("catalogue", help="print the indicator catalogue as a Markdown table")
    catalogue.add_argument("--update-readme", type=Path, default=None, metavar="README", help="rewrite the table in this README")
    catalogue.set_defaults(run=_catalogue)

    batch = commands.add_parser("batch", help="run the quarterly (or monthly) report for every authority")
    batch.add_argument("--period", default=None, help="a quarter, e.g. '2024-25 Q2', or a month for a monthly report, e.g. '2024-25 M07' (October 2024), or 'latest month'; default: last complete quarter of the data")
    batch.add_argument("--data", type=Path, default=None, help="dataset directory; default: the embedded data")
    batch.add_argument("--out", type=Path, default=None, help="reports folder; default: reports/")
    batch.add_argument("--workers", type=int, default=2, help="reports run side by side, each in its own Jupyter kernel (default 2: one a core)")
    batch.add_argument("--authority", action="append", type=la_code_argument("--authority"), help="only this authority (repeatable)")
    batch.add_argument("--pdf", action="store_true",
                       help="also print each report to a PDF beside it (A4), with headless Chromium where it is installed")
    batch.add_argument("--benchmark", action="store_true",
                       help="the benchmark report from published data for every local authority, instead of the quarterly reports")
    batch.add_argument("--year", type=int, default=None, help="with --benchmark: the publication year (default: the latest)")
    batch.add_argument("--parameters", type=Path, default=None,
                       help="folder of per-authority parameter files; default: parameters/authorities/")
    batch.add_argument("--fresh-kernels", action="store_true",
                       help="a new kernel for every report (default: each worker runs its reports in one kernel, emptied between them)")
    batch.set_defaults(run=_batch)

    report = commands.add_parser(
        "report", help="one authority's member report, as the batch makes it (figures, disclosure control and audit, "
                       "the published-reports ledger and the index)")
    report.add_argument("--authority", required=True, type=la_code_argument("--authority"), help="three-digit LA number")
    report.add_argument("--period", default=None, help="a quarter, e.g. '2024-25 Q2', or a month for a monthly report, e.g. '2024-25 M07' (October 2024), or 'latest month'; default: last complete quarter of the data")
    report.add_argument("--data", type=Path, default=None, help="dataset directory; default: the embedded data")
    report.add_argument("--out", type=Path, default=None, help="reports folder; default: reports/")
    report.add_argument("--parameters", type=Path, default=None,
                        help="folder of per-authority parameter files; default: parameters/authorities/")
    report.add_argument("--pdf", action="store_true", help="also print it to a PDF beside it (A4), with headless Chromium")
    report.set_defaults(run=_report)
    return main_parser


def _report(args: argparse.Namespace) -> int:
    """One authority's report: the batch for that authority alone, in one kernel (papermill's parameters cell
    takes only ``authority`` and ``period``; the authority's settings file, the rest)."""
    batch = argparse.Namespace(**vars(args), workers=1, benchmark=False, year=None, fresh_kernels=False)
    batch.authority = [args.authority]
    return _batch(batch)


def main(argv: list[str] | None = None) -> int:
    """Run a command; what the user can put right is said in one line (exit 2), a bug shows as a bug.

    Bad input, settings and published files raise :class:`perfkit.errors.PerfkitError`;
    a file that cannot be opened or written (an ``OSError`` naming it) is the
    user's to put right too. Anything else is a fault of perfkit's and keeps
    its traceback.
    """
    from perfkit.errors import BatchBusy, PerfkitError

    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except BatchBusy as exc:
        print(f"perfkit {args.command}: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except PerfkitError as exc:
        print(f"perfkit {args.command}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        if exc.filename is None:
            raise
        print(f"perfkit {args.command}: {exc.filename}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
