"""``perfkit benchmarks --authority LA --year Y --csv`` against LAIT's rules recomputed here from the raw files.

Nothing in ``perfkit.published`` is used to work out an expected figure. The
published files (``shared/dfe`` EES CSVs, ``shared/lait/bds_long_0.parquet`` and
its data dictionary, the DfE statistical neighbour model) are read directly with
polars and the csv module, and LAIT's rules are written out again below, in
exact arithmetic (``Fraction`` / ``Decimal`` from the published strings):

- **statistical neighbours**: the ten neighbours of the DfE May 2025 model
  (``sn_model_2025_wide.csv``: LAIT now ships ``sn_may_2025.xlsx``, and the
  April 2021 model has no Cumberland or Westmorland and Furness, which have
  figures from 2024), one list for every year as LAIT applies it; the mean of
  the neighbours with a figure (LAIT: ``mean(values_num, na.rm = TRUE)``), shown
  rounded half up to the published decimals (dfeR's ``round_five_up``);
- **region**: the authority's region; a London borough is compared with Inner
  or Outer London, and with London only where its part of London has no figure
  for the indicator (LAIT's ``clean_ldn_region``: all the part's figures
  missing);
- **England**: the published national figure;
- **quartile band**: R's default (type 7) quartiles of every authority's figure
  that year; ``Low`` polarity: minimum to Q1 inclusive A, to Q2 B, to Q3 C,
  above D; ``High``: the reverse; none for ``-`` (LAIT's
  ``calculate_quartile_band``), polarity from LAIT's data dictionary;
- **rank**: ``rank(..., ties.method = "min")`` among authorities with a figure,
  1 best by polarity; none for ``-``;
- **change**: this year's figure less last year's, ``better``/``worse``/``no
  change`` by polarity.

A joint workforce return (``"314 / 318"``) is each authority's figure, as LAIT
has it. Suppression markers (``c``, ``low``, ``u``, ``x``, ``z``, LAIT's ``-``)
are shown as no figure, the marker kept beside an empty value (the project's
spec); but a figure published as rounding to zero (``low``, ``k``) is, at the
published precision, 0, and LAIT ranks, bands and averages it as 0 (its table
has 0 for Sunderland's agency rate, which EES publishes as ``low``), so the
recomputation counts it as 0 among the other authorities' figures.

``comparators.yaml`` is read only for which published column or LAIT measure is
each catalogue indicator's twin (an input, not a rule); ``catalogue.yaml`` only
for the title. Every column of the CSV is compared as text, exactly: published
figures as the number their text denotes, the neighbours' mean unrounded (the
CSV keeps it so) and, separately, rounded half up to the published decimals as
LAIT shows it; the text table (without ``--csv``) is compared too for a few
authorities.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cache

import polars as pl
import pytest
import yaml

from perfkit.config.paths import (
    project_root,
    published_dfe_dir,
    published_lait_dir,
    shared_dir,
)

DFE = published_dfe_dir()
LAIT = published_lait_dir()
LAIT_FILE = "bds_long_0.parquet"
DICTIONARY_FILE = "lait_data_dictionary.csv"
SN_2025 = "sn_model_2025_wide.csv"
SN_2021 = "New_Statistical_Neighbour_Groupings_April_2021.csv"

pytestmark = pytest.mark.skipif(
    not (DFE.is_dir() and LAIT.is_dir()),
    reason=f"the published DfE files are not here ({shared_dir()} is absent): they live beside the project, not in it",
)

YEARS = (2024, 2025)
AUTHORITIES = {
    "201": "City of London",            # Inner London; many suppressed figures
    "202": "Camden",                    # Inner London
    "203": "Greenwich",                 # Outer London in the published files (Inner by the 1963 Act)
    "204": "Hackney",                   # Inner London
    "212": "Wandsworth",                # Inner London
    "302": "Barnet",                    # Outer London
    "306": "Croydon",                   # Outer London
    "309": "Haringey",                  # Inner London in the published files (Outer by the 1963 Act)
    "314": "Kingston upon Thames",      # Outer London; joint workforce return with Richmond (318)
    "330": "Birmingham",
    "352": "Manchester",
    "380": "Bradford",
    "420": "Isles of Scilly",           # many z / c figures
    "805": "Hartlepool",                # Sunderland ('low' agency rate) is a neighbour
    "815": "North Yorkshire",           # ONS code changed in 2023
    "839": "Bournemouth, Christchurch and Poole",
    "857": "Rutland",
    "878": "Devon",                     # re-referral neighbours add up to exactly 199.5 in 2025
    "886": "Kent",
    "908": "Cornwall",
    "929": "Northumberland",
    "933": "Somerset",                  # ONS code changed in 2023
    "940": "North Northamptonshire",    # successor (2021); joint workforce return with 941
    "942": "Cumberland",                # successor of Cumbria (2023)
    "943": "Westmorland and Furness",   # successor of Cumbria (2023)
}
TEXT_TABLE_AUTHORITIES = ("878", "202", "302", "201", "420", "942", "314")
#: Boundary changes: a successor's or predecessor's table carries a note naming the predecessor.
BOUNDARY = {"940": ("Northamptonshire", "928"), "941": ("Northamptonshire", "928"),
            "942": ("Cumbria", "909"), "943": ("Cumbria", "909"),
            "909": ("Cumbria", "909"), "928": ("Northamptonshire", "928")}

COLUMNS = ["indicator", "breakdown", "title", "polarity", "decimals", "year", "la_code", "la_name", "value", "marker",
           "england", "region_name", "region", "sn_mean", "sn_used", "band", "rank", "ranked", "previous", "change",
           "direction", "source", "note"]

#: LAIT's twin measure (data dictionary ``Measure_short``) of each EES column compared, for its polarity.
#: Checked against the data: the twin's 2024 and 2025 figures equal the EES figures for (nearly) every authority.
LAIT_TWINS = {
    ("c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", "rereferral_percent"): "ReReferral",
    ("c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", "no_further_action_percent"): "CIN_Refferals_NFA",
    ("d3_cpps_subsequent_plan_2013_to_2025.csv", "CPP_subsequent_percent"): "PrevRegCPR",
    ("cla_number_and_rate_per_10k_children.csv", "rate_per_10000"): "LAC",
    ("la_cla_placement_stability.csv", "children_percent", "With 3 or more placements during the year"): "LACStable_2016on",
    ("la_cla_placement_stability.csv", "children_percent", "Living with the same carer for at least 2 years"): "LAC_LongStable%",
    ("la_care_leavers_accommodation_suitability.csv", "care_leaver_percent"): "CareLeaverAcc",
    ("la_care_leavers_activity.csv", "care_leaver_percent"): "CareLeaverEET",
    ("csww_indicators_2017_to_2025.csv", "agency_rate_fte"): "Work_Force_Agecy_Rate",
    ("csww_indicators_2017_to_2025.csv", "vacancy_rate_fte"): "Work_Force_Vac_Rate",
    ("csww_indicators_2017_to_2025.csv", "turnover_rate_fte"): "Work_Force_TO_Rate",
    ("csww_indicators_2017_to_2025.csv", "caseload_fte"): "Work_Force_AvgNumCase_SW",
}
LAIT_POLARITY = {"High": "high_is_good", "Low": "low_is_good", "-": "none", "NA": "none"}

NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)$")
MARKERS = {"c", "k", "low", "u", "x", "z", ":", "..", "~", "-"}
#: Markers of a figure that is not zero but rounds to zero at the published precision. Sunderland's agency
#: rate (2024, 2025) is published as ``low`` (agency FTE ``low``: under 0.05 of 229.5 FTE); LAIT's table has 0
#: for it, and ranks, bands and averages it as 0.
ROUNDS_TO_ZERO = {"low", "k"}
LONDON_PARTS_EES = {"E13000001": "Inner London", "E13000002": "Outer London"}
LONDON_EES = "E12000007"
LONDON_PARTS_LAIT = {"inner london": "london (inner)", "outer london": "london (outer)"}
ENGLAND_LAIT = 970
REGIONS_LAIT = range(980, 991)


# --------------------------------------------------------------------------- reading the published files


@dataclass
class Figure:
    """One published cell: the exact figure its text denotes, or the marker (or nothing) in its place."""

    value: Fraction | None
    marker: str | None
    text: str | None = None


def figure(text: str | None, where: str) -> Figure:
    cell = (text or "").strip()
    if cell == "":
        return Figure(None, None, cell)
    if NUMBER.match(cell):
        return Figure(Fraction(Decimal(cell)), None, cell)
    assert cell in MARKERS, f"{where}: {cell!r} is neither a number nor a published marker"
    return Figure(None, cell, cell)


def lait_figure(text: str | None, decimals: int, where: str) -> Figure:
    """LAIT stores its figures as doubles written out in full (``258.89999999999998``, and in some older
    years ``77.600000000000009``, a double that is not the nearest to 77.6): the figure is the decimal at
    the published precision that the double stands for (258.9, 77.6), as LAIT shows it."""
    cell = (text or "").strip()
    if NUMBER.match(cell):
        exact = Decimal(repr(float(cell)))
        published = exact.quantize(Decimal(1).scaleb(-decimals))
        assert abs(exact - published) < Decimal("1e-9"), f"{where}: {cell} has more than the published {decimals} decimals"
        return Figure(Fraction(published), None, cell)
    return figure(cell, where)


@dataclass
class Area:
    name: str | None
    figure: Figure
    region_key: str | None = None    # EES region_code, or LAIT's Region casefolded
    region_label: str | None = None  # the region as the authority's row names it


@dataclass
class Series:
    """Every published figure of one comparator, by year."""

    source: str
    decimals: int
    polarity: str
    las: dict[int, dict[str, Area]] = field(default_factory=dict)
    national: dict[int, Figure] = field(default_factory=dict)
    regional: dict[int, dict[str, Figure]] = field(default_factory=dict)

    def la(self, year: int, code: str) -> Area | None:
        return self.las.get(year, {}).get(code)

    def la_values(self, year: int) -> dict[str, Fraction]:
        """Every authority's figure that year, as LAIT ranks, bands and averages them: a figure published
        as rounding to zero (``low``, ``k``) counts as the 0 it rounds to (LAIT's own table has 0 there)."""
        out = {}
        for code, area in self.las.get(year, {}).items():
            if area.figure.value is not None:
                out[code] = area.figure.value
            elif area.figure.marker in ROUNDS_TO_ZERO:
                out[code] = Fraction(0)
        return out

    def region_has_any_value(self, key: str) -> bool:
        return any(r.get(key) is not None and r[key].value is not None for r in self.regional.values())


def _put(table: dict, key, value, where: str) -> None:
    assert key not in table, f"{where}: more than one published row for {key}"
    table[key] = value


@cache
def read_ees(file: str) -> pl.DataFrame:
    frame = pl.read_csv(DFE / file, infer_schema=False)
    frame.columns = [c.strip().lstrip("\ufeff") for c in frame.columns]
    return frame.with_columns(pl.col(c).str.strip_chars() for c in frame.columns)


@cache
def read_lait() -> pl.DataFrame:
    return pl.read_parquet(LAIT / LAIT_FILE)


@cache
def lait_dictionary() -> dict[str, dict]:
    frame = pl.read_csv(LAIT / DICTIONARY_FILE, infer_schema=False)
    return {r["Measure_short"].strip(): r for r in frame.iter_rows(named=True)}


def _decimals(texts: list[str]) -> int:
    return max((len(t.split(".")[1]) if "." in t else 0) for t in texts if t and NUMBER.match(t))


def ees_series(entry: dict, polarity: str) -> Series:
    frame = read_ees(entry["file"])
    for column, wanted in (entry.get("filters") or {}).items():
        frame = frame.filter(pl.col(column) == str(wanted))
    value = entry["value"]
    assert frame.height, f"{entry['file']}: no row for filters {entry.get('filters')}"
    series = Series(entry["file"], 0, polarity)
    for r in frame.iter_rows(named=True):
        assert re.fullmatch(r"\d{4}", r["time_period"]), f"{entry['file']}: period {r['time_period']!r} is not a year"
        year = int(r["time_period"])
        where = f"{entry['file']} {year} {r['geographic_level']} {r['old_la_code'] or r['region_name'] or ''}"
        cell = figure(r[value], where)
        level = r["geographic_level"]
        if level == "National":
            _put(series.national, year, cell, where)
        elif level == "Regional":
            _put(series.regional.setdefault(year, {}), r["region_code"], cell, where)
        elif level == "Local authority":
            codes = [c.strip() for c in r["old_la_code"].split("/")]  # a joint return is each authority's
            names = [n.strip() for n in r["la_name"].split(" / ")]
            names = names if len(names) == len(codes) else [r["la_name"]] * len(codes)
            for code, name in zip(codes, names):
                assert re.fullmatch(r"\d{3}", code), f"{where}: LA number {code!r}"
                _put(series.las.setdefault(year, {}), code, Area(name, cell, r["region_code"], r["region_name"]), where)
    by_year = frame.group_by("time_period").agg(pl.col(value))
    series.decimals = max(_decimals(texts) for _, texts in by_year.iter_rows() if any(NUMBER.match(t or "") for t in texts))
    return series


def lait_series(entry: dict) -> Series:
    measure = entry["value"]
    rows = read_lait().filter(pl.col("Short Desc") == measure)
    assert rows.height, f"{LAIT_FILE}: no measure {measure!r}"
    meta = lait_dictionary()[measure]
    dps = meta["dps"].strip()
    decimals = 1 if dps in ("NA", "") else int(dps)  # LAIT: dps = ifelse(is.na(dps), 1, dps)
    series = Series(LAIT_FILE, decimals, LAIT_POLARITY[meta["Polarity"].strip()])
    for r in rows.iter_rows(named=True):
        period = r["Years"].strip()
        assert re.fullmatch(r"\d{4}", period), f"{measure}: period {period!r} is not a plain year: decide which year it is"
        year = int(period)
        number = int(r["LA Number"])
        name = r["LA and Regions"].strip()
        where = f"{LAIT_FILE} {measure} {year} {name}"
        cell = lait_figure(r["Values"], decimals, where)
        if number == ENGLAND_LAIT:
            _put(series.national, year, cell, where)
        elif number in REGIONS_LAIT:
            _put(series.regional.setdefault(year, {}), name.casefold(), cell, where)
        else:
            region = (r["Region"] or "").strip()
            _put(series.las.setdefault(year, {}), f"{number:03d}", Area(name, cell, region.casefold(), region), where)
    return series


def lait_twin(entry: dict) -> str:
    if entry["source"] == "lait":
        return entry["value"]
    filters = entry.get("filters") or {}
    key = (entry["file"], entry["value"], filters["placement_stability"]) if "placement_stability" in filters else (
        entry["file"], entry["value"])
    assert key in LAIT_TWINS, f"no LAIT twin listed for {key}: add its LAIT measure to LAIT_TWINS (for its polarity)"
    return LAIT_TWINS[key]


@cache
def comparators() -> tuple[tuple[dict, Series], ...]:
    document = yaml.safe_load((project_root() / "perfkit" / "published" / "comparators.yaml").read_text(encoding="utf-8"))
    out = []
    for entry in document["comparators"]:
        twin = lait_twin(entry)
        assert twin in lait_dictionary(), f"{twin!r} is not in LAIT's data dictionary"
        polarity = LAIT_POLARITY[lait_dictionary()[twin]["Polarity"].strip()]
        series = lait_series(entry) if entry["source"] == "lait" else ees_series(entry, polarity)
        out.append((entry, series))
    return tuple(out)


@cache
def catalogue_titles() -> dict[str, str]:
    document = yaml.safe_load((project_root() / "perfkit" / "indicators" / "catalogue.yaml").read_text(encoding="utf-8"))
    return {i["id"]: i["title"] for i in document["indicators"]}


def _neighbour_rows(file: str, code_header: str) -> dict[str, list[str]]:
    text = (DFE / file).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = [h.strip() for h in rows[0]]
    code_at = header.index(code_header)
    sn_at = [i for i, h in enumerate(header) if re.fullmatch(r"SN_?\d{1,2}", h)]
    assert len(sn_at) == 10, f"{file}: {len(sn_at)} neighbour columns"
    out = {}
    for row in rows[1:]:
        code = row[code_at].strip() if len(row) > code_at else ""
        if re.fullmatch(r"\d{3}", code) and code not in out:
            out[code] = [row[i].strip() for i in sn_at]
    return out


@cache
def neighbours_2025() -> dict[str, list[str]]:
    return _neighbour_rows(SN_2025, "old_la_code")


# --------------------------------------------------------------------------- LAIT's rules, again


def quartiles(values: list[Fraction]) -> list[Fraction]:
    """R's ``quantile(x)`` (type 7) at 0, 25, 50, 75 and 100%, exactly."""
    x = sorted(values)
    out = []
    for p in (Fraction(0), Fraction(1, 4), Fraction(1, 2), Fraction(3, 4), Fraction(1)):
        h = (len(x) - 1) * p
        j = int(h)
        out.append(x[j] + (h - j) * (x[j + 1] - x[j]) if j + 1 < len(x) else x[j])
    return out


def band(value: Fraction | None, values: list[Fraction], polarity: str) -> str | None:
    if value is None or polarity == "none" or not values:
        return None
    q = quartiles(values)
    assert q[0] <= value <= q[4]
    position = 0 if value <= q[1] else 1 if value <= q[2] else 2 if value <= q[3] else 3
    return ("ABCD" if polarity == "low_is_good" else "DCBA")[position]


def rank(value: Fraction | None, values: list[Fraction], polarity: str) -> int | None:
    if value is None or polarity == "none":
        return None
    better = [v for v in values if (v > value if polarity == "high_is_good" else v < value)]
    return 1 + len(better)


def region_of(series: Series, year: int, code: str) -> tuple[str | None, Fraction | None]:
    """The region's name and figure for the authority, London parts as LAIT's ``clean_ldn_region``."""
    own = series.la(year, code)
    if own is None:  # no row this year (EHC plans in 2025): the authority's latest row names its region
        latest = max((y for y in series.las if code in series.las[y]), default=None)
        own = series.las[latest][code] if latest is not None else None
    if own is None:
        return None, None
    lait = series.source == LAIT_FILE
    regional = series.regional.get(year, {})
    if lait:
        key = LONDON_PARTS_LAIT.get(own.region_key, own.region_key)
        label = own.region_label
        london_part = own.region_key in LONDON_PARTS_LAIT
        london_key = "london"
    else:
        key, label = own.region_key, own.region_label
        london_part = own.region_key in LONDON_PARTS_EES
        label = LONDON_PARTS_EES.get(own.region_key, label)
        london_key = LONDON_EES
    known = {k for by_key in series.regional.values() for k in by_key}
    assert key in known, f"{series.source}: the region {own.region_label!r} of {code} has no published row"
    if london_part and not series.region_has_any_value(key):
        key, label = london_key, "London"
    cell = regional.get(key)
    return label, (cell.value if cell else None)


def half_up(value: Fraction, decimals: int) -> Decimal:
    """``value`` rounded half up, exactly: a half goes away from zero (dfeR's ``round_five_up``)."""
    scaled = abs(value) * 10**decimals
    whole = (scaled.numerator * 2 + scaled.denominator) // (2 * scaled.denominator)  # floor(|x| + 1/2)
    return Decimal(-whole if value < 0 else whole).scaleb(-decimals)


@dataclass
class Expected:
    csv: dict[str, str]
    shown: dict[str, str]  # the text table's cells, rounded as displayed
    sn_shown: str | None   # the neighbours' mean as LAIT shows it


def number(value: Fraction | None) -> str:
    """A figure as the CSV writes it: the double nearest the exact figure, shortest form."""
    return "" if value is None else repr(float(value))


def shown(value: Fraction | None, decimals: int) -> str:
    return "" if value is None else f"{half_up(value, decimals):,.{decimals}f}"


def expected_row(entry: dict, series: Series, code: str, year: int) -> Expected:
    polarity, decimals = series.polarity, series.decimals
    # LAIT shows each measure's latest year: EHC plans (calendar years) are a year behind the others
    year = max((y for y, las in series.las.items() if y <= year and any(a.figure.value is not None for a in las.values())),
               default=year)
    own = series.la(year, code)
    value = own.figure.value if own else None
    marker = own.figure.marker if own else None
    name = own.name if own else None
    if name is None:
        named = [series.las[y][code].name for y in sorted(series.las) if code in series.las[y]]
        name = named[-1] if named else None
    england = series.national.get(year)
    region_name, region = region_of(series, year, code)
    values = series.la_values(year)
    neighbour_values = [values[n] for n in neighbours_2025()[code] if n in values]
    mean = sum(neighbour_values, Fraction(0)) / len(neighbour_values) if neighbour_values else None
    figures = list(values.values())
    last = series.la(year - 1, code)
    previous = last.figure.value if last else None
    change = value - previous if value is not None and previous is not None else None
    if change is None or polarity == "none":
        direction = None
    elif change == 0:
        direction = "no change"
    else:
        direction = "better" if (change > 0) == (polarity == "high_is_good") else "worse"
    the_band, the_rank = band(value, figures, polarity), rank(value, figures, polarity)
    boundary = BOUNDARY.get(code)
    row = {
        "indicator": entry["indicator"],
        "breakdown": str(entry.get("breakdown", "all")),
        "title": catalogue_titles()[entry["indicator"]],
        "polarity": polarity,
        "decimals": str(decimals),
        "year": str(year),
        "la_code": code,
        "la_name": name or "",
        "value": number(value),
        "marker": marker or "",
        "england": number(england.value if england else None),
        "region_name": region_name or "",
        "region": number(region),
        "sn_mean": number(mean),
        "sn_used": str(len(neighbour_values)),
        "band": the_band or "",
        "rank": "" if the_rank is None else str(the_rank),
        "ranked": "" if polarity == "none" else str(len(figures)),
        "previous": number(previous),
        "change": number(change),
        "direction": direction or "",
        "source": entry["file"],
        "note": f"{boundary[0]} ({boundary[1]})" if boundary else "",  # the note names the predecessor
    }
    change_text = shown(change, decimals)
    if change is not None and change > 0:
        change_text = "+" + change_text
    cells = {
        "indicator": row["indicator"],
        "breakdown": row["breakdown"],
        "value": shown(value, decimals) or (f"[{marker}]" if marker else ""),
        "England": shown(england.value if england else None, decimals),
        "region": shown(region, decimals),
        "SN mean (n)": f"{shown(mean, decimals)} ({len(neighbour_values)})" if mean is not None else f"({len(neighbour_values)})",
        "band": row["band"],
        "rank": f"{the_rank}/{len(figures)}" if the_rank is not None else "",
        "previous": shown(previous, decimals),
        "change": change_text,
        "direction": row["direction"],
    }
    return Expected(row, cells, shown(mean, decimals) if mean is not None else None)


# --------------------------------------------------------------------------- the command


def run(code: str, year: int, *, as_csv: bool) -> str:
    from perfkit.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["benchmarks", "--authority", code, "--year", str(year), *(["--csv"] if as_csv else [])])
    assert status == 0, f"perfkit benchmarks --authority {code} --year {year} exited {status}"
    return out.getvalue()


def compare_csv(code: str, year: int) -> tuple[list[str], int]:
    """The differences between the command's CSV and the recomputation, and how many cells were compared."""
    text = run(code, year, as_csv=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    header = next(csv.reader(io.StringIO(text)))
    assert header == COLUMNS, f"the CSV's columns changed: {header}; compare every new column here too"
    expected = [(entry, expected_row(entry, series, code, year)) for entry, series in comparators()]
    assert [(r["indicator"], r["breakdown"]) for r in rows] == [(e["indicator"], str(e.get("breakdown", "all")))
                                                                for e, _ in expected]
    problems, compared = [], 0
    for got, (entry, want) in zip(rows, expected):
        label = f"{code} {year} {got['indicator']} [{got['breakdown']}]"
        for column in COLUMNS:
            compared += 1
            if column == "note":
                ok = (want.csv["note"] in got["note"]) if want.csv["note"] else got["note"] == ""
                if not ok:
                    problems.append(f"{label} note: printed {got['note']!r}, expected {'a note naming ' + want.csv['note'] if want.csv['note'] else 'none'}")
            elif got[column] != want.csv[column]:
                problems.append(f"{label} {column}: printed {got[column]!r}, recomputed {want.csv[column]!r}")
        if want.sn_shown is not None:  # the mean as LAIT shows it: half up, to the published decimals
            compared += 1
            printed = got["sn_mean"]
            as_shown = shown(Fraction(Decimal(printed)), int(got["decimals"])) if printed else ""
            if as_shown != want.sn_shown:
                problems.append(f"{label} sn_mean shown: {printed!r} shows as {as_shown!r}, LAIT shows {want.sn_shown!r}")
    return problems, compared


def compare_text(code: str, year: int) -> tuple[list[str], int]:
    text = run(code, year, as_csv=False)
    lines = text.rstrip("\n").split("\n")
    expected = [expected_row(entry, series, code, year) for entry, series in comparators()]
    problems, compared = [], 0
    header, rule = lines[1], lines[2]
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", rule)]
    names = [header[s:e].strip() for s, e in spans]
    assert names == ["indicator", "breakdown", "value", "England", "region", "SN mean (n)", "band", "rank", "previous",
                     "change", "direction"], names
    body = lines[3:3 + len(expected)]
    region = next((w.csv["region_name"] for w in expected), "")
    heading = f"{expected[0].csv['la_name']} ({code}), {year}" + (f" (region: {region})" if region else "")
    compared += 1
    if lines[0] != heading:
        problems.append(f"{code} {year} heading: printed {lines[0]!r}, expected {heading!r}")
    notes = [line for line in lines[3 + len(expected):]]
    boundary = BOUNDARY.get(code)
    compared += 1
    if (len(notes) != 1 or f"{boundary[0]} ({boundary[1]})" not in notes[0]) if boundary else notes:
        problems.append(f"{code} {year} notes: printed {notes!r}, expected {'one naming ' + str(boundary) if boundary else 'none'}")
    for line, want in zip(body, expected):
        label = f"{code} {year} {want.csv['indicator']} [{want.csv['breakdown']}] (text table)"
        for name, (s, e) in zip(names, spans):
            cell = line[s:e].strip()
            compared += 1
            if cell != want.shown[name]:
                problems.append(f"{label} {name}: printed {cell!r}, recomputed {want.shown[name]!r}")
    return problems, compared


# --------------------------------------------------------------------------- the data the rules stand on


def test_the_published_files_support_the_rules():
    """What the recomputation assumes of the files, checked: the test authorities are in the 2025 neighbour
    model with ten neighbours each; the 2021 model has no Cumbria successors (so cannot be the model for
    2024-25); each test authority's LA number and name are those of the published files."""
    model = neighbours_2025()
    old = _neighbour_rows(SN_2021, "LA num")
    assert {"942", "943"}.isdisjoint(old) and "909" in old and "909" not in model
    lait = read_lait().filter(pl.col("Years") == "2025", pl.col("Short Desc") == "CIN")
    names = {f"{int(n):03d}": a for n, a in lait.select("LA Number", "LA and Regions").iter_rows()}
    for code, name in AUTHORITIES.items():
        assert len(set(model[code]) - {code}) == 10, code
        assert names[code] == name, (code, names[code])
    assert set(model) == {c for c, a in names.items() if int(c) < 970} - {"909", "928", "835", "836", "837"}
    # an authority's own figure published as rounding to zero would need a rule for its own value: none here
    for _, series in comparators():
        for year in (*YEARS, YEARS[0] - 1):
            for code in AUTHORITIES:
                own = series.la(year, code)
                assert own is None or own.figure.marker not in ROUNDS_TO_ZERO, (series.source, year, code)


def test_devon_rereferral_neighbours_add_up_to_a_half():
    """The exact-decimal case the brief names: Devon's ten re-referral neighbours in 2025 add up to 199.5, so
    the mean is 19.95 and LAIT shows 20.0 (a binary mean of 19.949999999999996 would show 19.9)."""
    entry, series = next((e, s) for e, s in comparators() if e["indicator"] == "rereferral_pct")
    values = series.la_values(2025)
    figures = [values[n] for n in neighbours_2025()["878"]]
    assert sum(figures) == Fraction(3990, 20) and len(figures) == 10
    assert expected_row(entry, series, "878", 2025).sn_shown == "20.0"


# --------------------------------------------------------------------------- the command against them


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("code", list(AUTHORITIES))
def test_benchmarks_csv_matches_lait_rules(code, year):
    problems, compared = compare_csv(code, year)
    assert compared >= len(comparators()) * len(COLUMNS)
    assert not problems, f"{len(problems)} of {compared} figures differ:\n" + "\n".join(problems)


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("code", TEXT_TABLE_AUTHORITIES)
def test_benchmarks_text_table_matches_lait_rules(code, year):
    problems, compared = compare_text(code, year)
    assert not problems, f"{len(problems)} of {compared} cells differ:\n" + "\n".join(problems)
