"""Where an SSDA903 extract's files are, which collection year each holds, and which authority.

Councils keep their 903 returns in several layouts; all of these are read:

- **a folder per collection year**: ``903/2023/header.csv``, ``903/2024/...``
  (``2024``, ``903_2024`` or ``2023-24``);
- **one folder, the year in each file name**: ``2017-header.csv``,
  ``header_2017.csv``, ``SSDA903_2020_episodes.csv``;
- **one folder for a single year** with the year given (``--year``);
- **the DfE's XML upload** (``EXPSSDA903``, one file a year), alone or beside CSVs;
- any mix of files and folders given together.

The **collection year** is the year ending 31 March (``2024`` is 2023-24),
taken from the file name, else the nearest folder name, else ``--year``. A
name is a claim the dates are checked against (:func:`settle_year`): a
return's episodes and missing episodes cannot start after its year ended,
so a file called ``2017`` whose episodes run to 31/03/2018 is the 2017-18
return (many people name a year by its first half). The year is taken from
the dates then, with a warning saying which was taken; with no year named
anywhere, the dates give it (with a note). A file's own ``YEAR`` column (as
the LIIA tools write) gives each row its year.

The **authority** is a file's own ``LA`` column where it has one (a DfE
number, or an authority's name looked up in the names given, such as the
published neighbour list's);
``--la`` is needed only where a file has none, and an ``LA`` column naming
another authority than ``--la`` is an error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from perfkit.formats.import_log import ImportProblem

SUFFIXES = (".csv", ".txt", ".xml")
_YEAR_RANGE = re.compile(r"(?<!\d)(20\d{2})\s*[-_/]\s*(\d{2})(?!\d)")
_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")

SHARE_FOR_EVIDENCE = 0.01
"""A collection year is shown by the dates when at least this share of them (and at least two) fall in it: one
mistyped date is not a year."""
OC3_AGES = range(17, 22)
"""OC3 records the status of care leavers on their 17th to 21st birthday in the year."""


def collection_year(name: str) -> int | None:
    """The collection year (the year ending 31 March) named in a file or folder name.

    Examples
    --------
    >>> [collection_year(n) for n in ("2024", "903_2023-24", "ssda903", "2019_20", "header_2017", "SSDA903_2020_episodes")]
    [2024, 2024, None, 2020, 2017, 2020]
    """
    match = _YEAR_RANGE.search(name)
    if match and (int(match.group(1)) + 1) % 100 == int(match.group(2)):
        return int(match.group(1)) + 1
    match = _YEAR.search(name)
    return int(match.group(1)) if match else None


def year_label(year: int) -> str:
    """``2018`` as ``2017-18``.

    >>> year_label(2018)
    '2017-18'
    """
    return f"{year - 1}-{year % 100:02d}"


def year_of(date: dt.date) -> int:
    """The collection year (ending 31 March) a date falls in.

    >>> year_of(dt.date(2018, 3, 31)), year_of(dt.date(2018, 4, 1))
    (2018, 2019)
    """
    return date.year + (1 if date.month >= 4 else 0)


@dataclass(frozen=True)
class Source:
    """One file of an extract: where it is, how it is named in messages, and the year its name claims."""

    path: Path
    label: str
    format: str
    named_year: int | None
    named_from: str
    group: str

    @property
    def claim(self) -> str:
        """The year claimed and by what, for messages: ``the file name says 2017``."""
        if self.named_year is None:
            return "no year is named"
        return f"{self.named_from} says {self.named_year} (the year ending 31 March {self.named_year})"


def _files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                  and not any(part.startswith(".") for part in p.relative_to(root).parts))


def find_sources(paths: Path | str | Sequence[Path | str], year: int | None = None) -> tuple[list[Source], list[ImportProblem]]:
    """Every SSDA903 candidate file under ``paths`` (files or folders), with the year its name claims.

    ``year`` (``--year``) is the year of files whose names and folders name
    none; a name naming another year is warned about, and ``year`` taken.
    Files are grouped into returns (``group``): one per folder and year named.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp()) / "903"
    >>> for name in ("2023/header.csv", "2024/header.csv", "flat/SSDA903_2020_episodes.csv", "flat/header_2020.csv"):
    ...     (root / name).parent.mkdir(parents=True, exist_ok=True)
    ...     _ = (root / name).write_text("CHILD\\n")
    >>> sources, problems = find_sources(root)
    >>> [(s.label, s.named_year, s.named_from) for s in sources]  # doctest: +NORMALIZE_WHITESPACE
    [('903/2023/header.csv', 2023, 'the folder name 2023'), ('903/2024/header.csv', 2024, 'the folder name 2024'),
     ('903/flat/SSDA903_2020_episodes.csv', 2020, 'the file name SSDA903_2020_episodes.csv'),
     ('903/flat/header_2020.csv', 2020, 'the file name header_2020.csv')]
    >>> len({s.group for s in sources})
    3
    """
    roots = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    sources: list[Source] = []
    problems: list[ImportProblem] = []
    seen: set[Path] = set()
    for root in roots:
        if not root.exists():
            problems.append(ImportProblem(str(root), expected="a folder of SSDA903 CSV files, or an SSDA903 CSV or XML file",
                                          action="not found: nothing read from it"))
            continue
        base = root.parent
        for path in _files(root):
            if path.resolve() in seen:
                continue
            seen.add(path.resolve())
            label = path.relative_to(base).as_posix() if root.is_dir() else path.name
            named, named_from = collection_year(path.stem), f"the file name {path.name}"
            if named is None:
                folders = [path.parent, *path.parent.parents]
                stop = root if root.is_dir() else path.parent
                for folder in folders:
                    if collection_year(folder.name):
                        named, named_from = collection_year(folder.name), f"the folder name {folder.name}"
                        break
                    if folder == stop:
                        break
            if year is not None and named is not None and named != year:
                problems.append(ImportProblem(label, value=str(named), expected=f"the year given with --year ({year}), as {named_from} is not",
                                              action=f"took --year {year} (the year ending 31 March {year})"))
            if year is not None:
                named, named_from = year, "--year"
            fmt = "xml" if path.suffix.lower() == ".xml" else "csv"
            group = f"{path.parent.as_posix()}|{named}" + (f"|{path.name}" if fmt == "xml" else "")
            sources.append(Source(path, label, fmt, named, named_from, group))
    return sources, problems


# --------------------------------------------------------------------------
# the year: the name checked against the dates


def _dates(frames: Iterable[pl.DataFrame], columns: Sequence[str]) -> pl.Series:
    found = [f[c].drop_nulls() for f in frames for c in columns if c in f.columns and f.schema[c] == pl.Date]
    return pl.concat(found) if found else pl.Series([], dtype=pl.Date)


def dates_year(dates: pl.Series) -> tuple[int, dt.date] | None:
    """The latest collection year holding enough of ``dates`` to be more than a typing slip, and its latest date.

    >>> d = [dt.date(2017, 6, 1)] * 300 + [dt.date(2018, 3, 31)] * 2 + [dt.date(2018, 4, 1)]
    >>> dates_year(pl.Series(d))
    (2018, datetime.date(2018, 3, 31))
    """
    if dates.len() == 0:
        return None
    years = pl.DataFrame({"date": dates}).with_columns(
        year=pl.col("date").dt.year() + (pl.col("date").dt.month() >= 4).cast(pl.Int32))
    counts = years.group_by("year").agg(n=pl.len(), last=pl.col("date").max()).sort("year")
    enough = max(2, int(SHARE_FOR_EVIDENCE * dates.len())) if dates.len() > 1 else 1
    shown = counts.filter(pl.col("n") >= enough)
    row = (shown if shown.height else counts).row(-1, named=True)
    return int(row["year"]), row["last"]


def _oc3_fit(dob: pl.Series, year: int) -> float:
    """The share of care leavers whose birthday in ``year`` is their 17th to 21st."""
    if dob.len() == 0:
        return 1.0
    on = pl.when(dob.dt.month() >= 4).then(year - 1).otherwise(year)
    ages = pl.select(on - dob.dt.year()).to_series()
    return float(ages.is_between(OC3_AGES.start, OC3_AGES.stop - 1).mean())


@dataclass(frozen=True)
class Settled:
    year: int | None
    problems: list[ImportProblem]


def settle_year(sources: list[Source], parts: dict[str, pl.DataFrame]) -> Settled:
    """The collection year of one return (files of one group), its name checked against its dates.

    ``parts`` are the return's extracted files by kind (``episodes``,
    ``missing``, ``oc3`` ...). The latest episode or missing-episode date
    that is more than a slip (:func:`dates_year`) shows the year: a name
    claiming an earlier year is overruled, with a warning saying which was
    taken; so is a later one when the return has no open episode (an open
    episode may have started years before). With no dates, OC3's birthdays
    decide between the name and the year either side of it (the name is
    kept unless it makes most care leavers younger than 17 or older than
    21 and the other fits). Nothing named and no dates: no year.
    """
    first = sources[0]
    labels = list(dict.fromkeys(s.label for s in sources))
    label = ", ".join(labels[:3]) + (f" and {len(labels) - 3} more" if len(labels) > 3 else "")
    named = first.named_year
    evidence = dates_year(_dates([parts[k] for k in ("episodes", "missing") if k in parts],
                                 ("episode_start", "episode_end", "missing_start", "missing_end")))
    open_episodes = "episodes" in parts and parts["episodes"]["episode_end"].null_count() > 0
    if evidence is not None:
        shown, last = evidence
        what = f"its dates run to {last:%d/%m/%Y}"
        if named is None:
            return Settled(shown, [ImportProblem(label, expected="a collection year in the file or folder name, or --year",
                                                 action=f"took {year_label(shown)} (the year ending 31 March {shown}), as {what}")])
        if shown > named or (shown < named and not open_episodes):
            return Settled(shown, [ImportProblem(
                label, value=str(named),
                expected=f"dates within the year named ({first.claim}), but {what}",
                action=f"took {year_label(shown)} (the year ending 31 March {shown}) from the dates; give --year to choose another")])
        return Settled(named, [])
    if "oc3" in parts and parts["oc3"].height:
        dob = parts["oc3"]["dob"].drop_nulls() if "dob" in parts["oc3"].columns else pl.Series([], dtype=pl.Date)
        if named is None:
            return Settled(None, [])
        here = _oc3_fit(dob, named)
        if here < 0.5:
            for other in (named + 1, named - 1):
                if _oc3_fit(dob, other) >= 0.5 > here:
                    return Settled(other, [ImportProblem(
                        label, value=str(named),
                        expected=f"care leavers aged 17 to 21 on their birthday in the year named ({first.claim}), "
                                 f"but most would be {'younger' if other > named else 'older'}",
                        action=f"took {year_label(other)} (the year ending 31 March {other}), when their birthdays fall at 17 to 21; "
                               "give --year to choose another")])
    return Settled(named, [])


# --------------------------------------------------------------------------
# the authority


LA_HEADINGS = ("LA", "LA_CODE", "LA CODE", "LA_NUMBER", "LA NUMBER", "LOCAL AUTHORITY", "LA_NAME", "LA NAME", "AUTHORITY")
YEAR_HEADINGS = ("YEAR", "COLLECTION_YEAR", "COLLECTION YEAR")

def name_key(name: str) -> str:
    """An authority's name reduced for matching: case, ``&``, punctuation and spacing ignored.

    >>> name_key("St. Helens") == name_key("st helens"), name_key("Brighton & Hove")
    (True, 'brighton and hove')
    """
    text = re.sub(r"[^0-9a-z]+", " ", name.casefold().replace("&", " and "))
    return " ".join(text.split())


def la_number(value: str, names: Mapping[str, str] | None = None) -> str | None:
    """A file's LA value as a DfE number: three digits as they are, a name looked up in ``names`` (None if unknown).

    ``names`` maps authorities' names (any spelling :func:`name_key` reduces
    alike) to their numbers: the command line gives the published neighbour
    list's (:mod:`perfkit.published.neighbours`).

    >>> la_number("886"), la_number(" 301.0 "), la_number("Barking & Dagenham", {"Barking and Dagenham": "301"}), la_number("Nowhere")
    ('886', '301', '301', None)
    """
    text = value.strip()
    match = re.fullmatch(r"(\d{3})(?:\.0*)?", text)
    if match:
        return match.group(1)
    keyed = {name_key(k): v for k, v in (names or {}).items()}
    return keyed.get(name_key(text))
