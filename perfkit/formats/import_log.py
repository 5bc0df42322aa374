"""What an import left out or changed, row by row: never all-or-nothing.

Every importer (Annex A, SSDA903, CIN census) reads every row it can. A row
with a bad value is left out of the tables that need that value, and the
other rows are imported; a bad value in a field no indicator uses is blanked
and the row kept. Each such decision is an :class:`ImportProblem` naming the
user's own file, sheet (or XML element), row, column and value, what was
expected and what was done. :class:`ImportLog` collects them, writes them to
``DIR/import-problems.csv`` beside the tables and gives the exit status:

- 0: nothing was left out (values may have been blanked or mapped: see the file);
- 1: some rows were left out;
- 2: nothing usable was found (no table written).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import polars as pl

PROBLEMS_FILE = "import-problems.csv"

LEFT_OUT = "left out"
"""The start of ``action`` for a row left out of a table: ``left out of cla_episodes``."""

EXIT_COMPLETE = 0
EXIT_ROWS_LEFT_OUT = 1
EXIT_NOTHING_USABLE = 2


@dataclass(frozen=True)
class ImportProblem:
    """One decision an import made about the user's data.

    ``expected`` says what was expected, without the word (``one of S, P``);
    ``row`` counts rows as the user sees them: the row under the heading in a
    spreadsheet or CSV (1 = first data row), or the position of the element
    in an XML file (the 3rd ``Child``); ``sheet`` is the workbook sheet or the
    XML path (``Children/Child/CINdetails``), empty for a CSV.

    >>> p = ImportProblem("episodes.csv", row=4, column="RNE", value="Z", expected="one of S, P, L, T, U, B",
    ...     action="left out of cla_episodes")
    >>> print(p)
    episodes.csv, column 'RNE', row 4: value 'Z': expected one of S, P, L, T, U, B; left out of cla_episodes
    """

    source: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    expected: str = ""
    action: str = ""

    @property
    def left_out(self) -> bool:
        return self.action.startswith(LEFT_OUT)

    def __str__(self) -> str:
        where = self.source + (f", sheet {self.sheet!r}" if self.sheet else "")
        where += (f", column {self.column!r}" if self.column else "") + (f", row {self.row}" if self.row else "")
        value = f"value {self.value!r}: " if self.value else ""
        return f"{where}: {value}expected {self.expected}" + (f"; {self.action}" if self.action else "")


@dataclass
class ImportLog:
    """The problems of one import, in the order found."""

    problems: list[ImportProblem] = field(default_factory=list)

    def add(self, problem: ImportProblem) -> None:
        self.problems.append(problem)

    def extend(self, problems: list[ImportProblem]) -> None:
        self.problems.extend(problems)

    @property
    def rows_left_out(self) -> int:
        return sum(p.left_out for p in self.problems)

    def exit_status(self, tables_written: int) -> int:
        """0 when nothing was left out, 1 when rows were, 2 when no table could be written.

        >>> ImportLog().exit_status(3), ImportLog([ImportProblem("a.csv", action="left out of contacts")]).exit_status(3)
        (0, 1)
        >>> ImportLog().exit_status(0)
        2
        """
        if tables_written == 0:
            return EXIT_NOTHING_USABLE
        return EXIT_ROWS_LEFT_OUT if self.rows_left_out else EXIT_COMPLETE

    def frame(self) -> pl.DataFrame:
        """The problems as a table (the columns of ``import-problems.csv``)."""
        schema = {f.name: (pl.Int64 if f.name == "row" else pl.String) for f in fields(ImportProblem)}
        return pl.DataFrame([asdict(p) for p in self.problems], schema=schema)

    def write(self, out_dir: Path) -> Path | None:
        """Write ``import-problems.csv`` into ``out_dir`` (removing an earlier one where there is nothing to say)."""
        path = Path(out_dir) / PROBLEMS_FILE
        if not self.problems:
            path.unlink(missing_ok=True)
            return None
        self.frame().write_csv(path)
        return path

    def summary(self, shown: int = 10) -> str:
        """The first problems, one a line, and how many more: for the terminal. A problem of a whole file (no
        row: "expected an LA column naming the authority, or --la") comes first, as it may be why nothing was
        written (and then there is no problems file to read the rest in); then rows left out.

        >>> log = ImportLog([ImportProblem("a.csv", row=2, column="DOB", value="x", expected="a date",
        ...                                action="left out of children"),
        ...                  ImportProblem("b.xml", expected="an LA column naming the authority, or --la")])
        >>> print(log.summary(1))
          - b.xml: expected an LA column naming the authority, or --la
          ... and 1 more
        """
        ordered = sorted(self.problems, key=lambda p: (p.row is not None, not p.left_out))
        lines = [f"  - {p}" for p in ordered[:shown]]
        if len(self.problems) > shown:
            lines.append(f"  ... and {len(self.problems) - shown} more")
        return "\n".join(lines)


def read_problems(out_dir: Path) -> list[ImportProblem]:
    """The problems an earlier import wrote into ``out_dir`` (none where it wrote no file)."""
    path = Path(out_dir) / PROBLEMS_FILE
    if not path.exists():
        return []
    frame = pl.read_csv(path, schema_overrides={"row": pl.Int64}, infer_schema_length=0) \
        .with_columns(pl.col("row").cast(pl.Int64, strict=False))
    return [ImportProblem(**{k: (v if v is not None or k == "row" else "") for k, v in row.items()})
            for row in frame.iter_rows(named=True)]


@dataclass
class ImportResult:
    """What an import wrote and what it left out: the command line prints the log and exits with ``status``."""

    written: list[Path]
    log: ImportLog = field(default_factory=ImportLog)
    problems_file: Path | None = None

    @property
    def status(self) -> int:
        return self.log.exit_status(len(self.written))
