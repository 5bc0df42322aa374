"""What a report needs, computed from the records and kept: aggregated tables, never records.

:func:`compute_aggregates_for` computes, for several authorities in shared
passes over their validated records, the figures a report shows (headline
figures over the trend's quarters, breakdowns for the report's quarter), its
data-quality counts and published benchmarks; :func:`save_aggregates` and
:func:`load_aggregates` keep them for a batch's notebooks.
:func:`build_report` makes the members' or analysts' view of one authority
from them, with disclosure control for members.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from perfkit.config import paths
from perfkit.config.settings import (
    AUDIENCES,
    AuthoritySettings,
    authority_settings,
    disclosure_threshold,
)
from perfkit.errors import ContractError, PeriodError, SettingsError
from perfkit.indicators.catalogue import ALL, load_catalogue
from perfkit.indicators.periods import Month, Period, Window, check_period, latest_complete, latest_kind, parse_period
from perfkit.indicators.targets import load_targets
from perfkit.present.authority_report import AuthorityReport
from perfkit.present.by_month import months_to
from perfkit.present.disclosure import suppress
from perfkit.present.disclosure_relations import KEY
from perfkit.present.narrative import BenchmarkSource, Benchmarks, benchmark_key
from perfkit.records.problems import Problem

if TYPE_CHECKING:  # the records are read only without prepared aggregates: kernels of a batch never import the engine
    from perfkit.records.dataset import Dataset

TREND_QUARTERS = 12
"""How many quarters a quarterly report's trend covers."""
TREND_MONTHS = 24
"""How many months a monthly report's trend covers: two years, each month beside the same month a year
before, and enough points for process limits."""


def trend_of(period: Period | Month, quarters: int = TREND_QUARTERS) -> list[Period | Month]:
    """The periods a report's trend covers, oldest first, ending with ``period``: ``quarters`` quarters (at
    least 8) for a quarter, :data:`TREND_MONTHS` months for a month.

    >>> [p.label for p in trend_of(Month.parse("2024-25 M07"))][::23]
    ['2022-23 M08', '2024-25 M07']
    """
    return period.series(TREND_MONTHS if isinstance(period, Month) else max(quarters, 8))




def published_benchmarks(la_code: str, period: Period, published=None
                         ) -> tuple[dict[str, Benchmarks], str, BenchmarkSource]:
    """The latest published comparators for ``la_code`` up to ``period``'s financial year.

    Returns the benchmarks by indicator (with the authority's own published
    figure, band, rank and change, exactly as the benchmark report's
    :func:`perfkit.published.benchmarks.benchmark_rows` gives them), a note
    naming the year and the authority whose statistical neighbours were used,
    and that authority with its neighbours' names; empty when the published
    files are not available (as on a machine without ``../shared``).
    ``published`` is a loaded :class:`perfkit.published.data.PublishedData`
    (a batch loads the files once for every report).
    """
    from perfkit.published.benchmarks import benchmark_rows

    if published is None:
        if not paths.published_dfe_dir().exists():
            return {}, "", BenchmarkSource()
        from perfkit.published.data import PublishedData

        published = PublishedData.remembered()
    la_code = str(la_code)
    neighbours = [str(n) for n in published.neighbours.get(la_code, [])]
    for year in (period.fy_start + 1, period.fy_start):
        table = benchmark_rows(published.values, neighbours, la_code, year, published.comparators)
        if table.filter(pl.col("breakdown") == ALL)["england"].drop_nulls().len():
            names = _latest_names(published.values, neighbours)
            averaged = _neighbours_with_figures(published.values, neighbours)
            found = {
                benchmark_key(r["indicator"], "" if r["breakdown"] == ALL else r["breakdown"]): Benchmarks(
                    str(r["year"]), r["england"], r["sn_mean"], int(r["sn_used"] or 0), r["region"], r["region_name"] or "",
                    value=r["value"], marker=r["marker"], decimals=r["decimals"], band=r["band"], rank=r["rank"],
                    ranked=r["ranked"], previous=r["previous"], change=r["change"], direction=r["direction"],
                    neighbours_missing=tuple(names.get(n, n) for n in neighbours
                                             if (r["indicator"], r["breakdown"], r["year"], n) not in averaged),
                    note=r["note"] or "", group="" if r["breakdown"] == ALL else r["breakdown"],
                )
                for r in table.iter_rows(named=True)
            }
            name = table["la_name"].drop_nulls()
            who = f"{name[0]} ({la_code})" if name.len() else la_code
            source = BenchmarkSource(str(year), la_code, name[0] if name.len() else "",
                                     tuple(names.get(n, n) for n in neighbours))
            return found, (f"England and statistical-neighbour figures are the latest published by DfE ({year}); "
                           f"the neighbours are those of {who}."), source
    return {}, "", BenchmarkSource()


def _latest_names(values: pl.DataFrame, la_codes: list[str]) -> dict[str, str]:
    """Each authority's name as its latest published row gives it."""
    rows = (values.filter(pl.col("la_code").is_in(la_codes) & pl.col("la_name").is_not_null())
            .sort("year", "la_name").select("la_code", "la_name").iter_rows())
    return dict(rows)


def _neighbours_with_figures(values: pl.DataFrame, neighbours: list[str]) -> set[tuple[str, str, int, str]]:
    """(indicator, breakdown, year, LA number) of each neighbour with a figure as ``benchmark_rows`` averages
    them (the others are left out of the mean)."""
    from perfkit.published.benchmarks import authority_figures

    rows = authority_figures(values.filter(pl.col("la_code").is_in(neighbours)))
    return set(rows.select("indicator", "breakdown", "year", "la_code").iter_rows())


def resolve_period(period: str | Period | Month | None, as_at: dt.date) -> Period | Month:
    """A quarter (``"2024-25 Q3"``) or a month (``"2024-25 M07"``: a monthly report); ``None`` or ``"latest"``
    means the last complete quarter of the data, ``"latest month"`` its last complete month."""
    if (kind := latest_kind(period)) is not None:
        return latest_complete(as_at, kind)
    return period if isinstance(period, (Period, Month)) else parse_period(period)


@dataclass
class Aggregates:
    """Everything a report shows for one authority, before disclosure control: no records."""

    period: Period | Month
    as_at: dt.date
    """The latest record's date: how ``latest`` is resolved, never shown (a report shows the declared date)."""
    measures: pl.DataFrame
    quality: pl.DataFrame
    benchmarks: dict[str, Benchmarks]
    benchmark_note: str
    settings: AuthoritySettings
    benchmark_source: BenchmarkSource = field(default_factory=BenchmarkSource)
    """Whose published figures the benchmarks are, the year, and the statistical neighbours' names."""
    context: pl.DataFrame | None = None
    """The figures of the authority's earlier published reports that ``measures`` has not (earlier quarters'
    breakdowns), true values: for disclosure control only, never shown (:func:`earlier_context`)."""


def report_measures(data: Dataset, authorities: list[str], period: Period | Month, quarters: int = TREND_QUARTERS,
                    closure_days: list[dt.date] | tuple[dt.date, ...] = (),
                    data_end: dict[str, dt.date | None] | None = None) -> pl.DataFrame:
    """The figures a report shows, for several authorities in one pass over the data.

    Headline figures for the periods of the trend (:func:`trend_of`: quarters, or a monthly report's
    months), and breakdowns for ``period`` and the one before (which the last
    report showed, and which disclosure control must relate to this one's):
    the report shows no breakdown of an earlier period, and computing
    breakdowns for every period of the trend took most of the time. The rows are those, and in the order, that
    :func:`perfkit.indicators.engine.compute` gives, followed by the groups the report shows beside a year
    earlier (:func:`year_earlier_groups`), a quarterly report's months (:func:`monthly_figures`), then each
    period alone (``"alone"`` windows, annualised) of the figures whose trend is
    ``quarter_alone`` in the catalogue (sums over a rolling 12 months).

    Parameters
    ----------
    data : Dataset
        Validated records.
    authorities : list of str
        Three-digit LA numbers, all present in ``data``.
    period : Period or Month
        The report's quarter (or month), the last of the trend.
    quarters : int
        How many quarters a quarterly report's trend covers.
    closure_days : sequence of date
        Local closure days shared by these authorities.
    data_end : dict of str to date, optional
        Each authority's declared extract date (see ``compute``).
    """
    from perfkit.indicators.catalogue import load_catalogue
    from perfkit.indicators.engine import compute

    trend = trend_of(period, quarters)
    # the quarter before's breakdowns too: the last report showed them, and with this one's they relate
    # (girls looked after now = before + starting - leaving), so disclosure control must see both
    figures = compute(data, trend, authorities, closure_days=closure_days, breakdowns=True,
                      breakdown_periods=[period.previous(), period], data_end=data_end)
    parts = [figures]
    if (groups := year_earlier_groups(data, authorities, period, closure_days, data_end)).height:
        parts.append(groups)
    # a quarter's report shows its 13 months one by one; a month's trend is months already
    if isinstance(period, Period) and (months := monthly_figures(data, authorities, period, closure_days, data_end)).height:
        parts.append(months)
    alone = [i.id for i in load_catalogue().indicators if i.trend == "quarter_alone"]
    if alone:
        # each quarter (month) alone of a figure over a rolling 12 months: what its trend chart and process
        # limits show
        parts.append(compute(data, [Window(q, "alone") for q in trend], authorities, alone, closure_days=closure_days,
                             data_end=data_end))
    return pl.concat(parts) if len(parts) > 1 else figures


def year_earlier_groups(data: Dataset, authorities: list[str], period: Period,
                        closure_days: list[dt.date] | tuple[dt.date, ...] = (),
                        data_end: dict[str, dt.date | None] | None = None) -> pl.DataFrame:
    """The groups of each breakdown the catalogue shows year on year (``year_on_year``), in the same quarter a
    year before ``period``: the member report sets them beside this quarter's. Only those groups: the
    quarter's headline figures are in the trend already.
    """
    from perfkit.indicators.catalogue import load_catalogue
    from perfkit.indicators.engine import compute

    pairs = {(i.id, b) for i in load_catalogue().indicators for b in i.year_on_year}
    if not pairs:
        return pl.DataFrame()
    earlier = period.year_earlier()
    figures = compute(data, [earlier], authorities, sorted({i for i, _ in pairs}), closure_days=closure_days,
                      breakdowns=sorted({b for _, b in pairs}), breakdown_periods=[earlier], data_end=data_end)
    wanted = pl.DataFrame(sorted(pairs), schema=["indicator", "breakdown"], orient="row")
    return figures.join(wanted, on=["indicator", "breakdown"], how="semi", maintain_order="left")


def monthly_figures(data: Dataset, authorities: list[str], period: Period,
                    closure_days: list[dt.date] | tuple[dt.date, ...] = (),
                    data_end: dict[str, dt.date | None] | None = None) -> pl.DataFrame:
    """The figures the catalogue shows month by month (``by_month``: the figure, and a breakdown's groups), for
    the months a quarter's report shows (:func:`perfkit.present.by_month.months_to`): counted for each
    month as for a quarter (events in the month, or at its end).
    """
    from perfkit.indicators.catalogue import load_catalogue
    from perfkit.indicators.engine import compute

    pairs = {(i.id, b) for i in load_catalogue().indicators for b in i.by_month}
    if not pairs:
        return pl.DataFrame()
    months = months_to(period)
    groups = sorted({b for _, b in pairs if b != ALL})
    figures = compute(data, months, authorities, sorted({i for i, _ in pairs}), closure_days=closure_days,
                      breakdowns=groups or False, breakdown_periods=months if groups else None, data_end=data_end)
    wanted = pl.DataFrame(sorted(pairs), schema=["indicator", "breakdown"], orient="row")
    return figures.join(wanted, on=["indicator", "breakdown"], how="semi", maintain_order="left")


def earlier_context(data: Dataset, authorities: list[str], period: Period, measures: pl.DataFrame,
                    earlier: dict[str, pl.DataFrame], closure_days: tuple[dt.date, ...] = (),
                    data_end: dict[str, dt.date | None] | None = None) -> pl.DataFrame:
    """The true figures of what the authorities' earlier published reports named (showed or withheld) that
    ``measures`` has not: the breakdowns of quarters (months) before the last one, and the months an earlier
    report showed that this one's trend has not (the oldest of a quarter's 13 ``by_month``), for disclosure
    control to relate to this report's as a reader of every pack does.

    A report relates its breakdowns to the last quarter's (girls looked after now are those before, plus
    girls starting, less girls leaving); packs read together chain that relation over every quarter they
    cover, so a small number hidden two packs ago can come back through figures this one shows. The
    figures are computed again from the records, for the quarters ``earlier`` names
    (:mod:`perfkit.pipeline.ledger`), and kept where a report named them.

    Returns rows with ``measures``' columns (empty without earlier reports).
    """
    from perfkit.indicators.engine import compute
    from perfkit.pipeline.ledger import is_period

    named = pl.concat([earlier[la].select(KEY) for la in authorities if la in earlier and earlier[la].height]
                      or [pl.DataFrame(schema={c: pl.String for c in KEY})]).unique()
    reported = {period.label, period.previous().label}
    in_measures = set(measures["period"].unique().to_list())
    # the quarters and months whose breakdowns a report named (this report breaks down its period and the one
    # before), and those it named that this report's trend has not (the oldest months of a quarter's 13)
    broken_down = {p for p in named.filter(pl.col("breakdown") != ALL)["period"].unique().to_list()
                   if p not in reported and is_period(p)}
    absent = {p for p in named["period"].unique().to_list() if p not in in_measures and is_period(p)}
    parts = []
    if broken_down | absent:
        def in_order(labels: set[str]) -> list[Period | Month]:
            return sorted((parse_period(p) for p in labels), key=lambda p: (p.end, p.label))

        parts.append(compute(data, in_order(broken_down | absent), authorities, closure_days=closure_days,
                             breakdowns=bool(broken_down), breakdown_periods=in_order(broken_down) or None,
                             data_end=data_end))
    if not parts:
        return measures.clear()
    return (pl.concat([f.select(measures.columns) for f in parts])
            .join(named, on=list(KEY), how="semi")
            .join(measures.select(KEY), on=list(KEY), how="anti"))


def compute_aggregates_for(data: Dataset, authorities: list[str], period: str | Period | None,
                           quarters: int = TREND_QUARTERS, published=None,
                           settings: dict[str, AuthoritySettings] | None = None,
                           earlier: dict[str, pl.DataFrame] | None = None) -> dict[str, Aggregates]:
    """Every authority's aggregated tables from validated records, sharing passes over the data.

    Authorities with the same reporting quarter and the same closure days are
    computed together; the figures are the same as computing each alone.

    Parameters
    ----------
    data : Dataset
        Validated records holding every authority named.
    authorities : list of str
        Three-digit LA numbers.
    period : str or Period, optional
        The quarter; ``None`` or ``"latest"`` for each authority's last complete quarter.
    quarters : int
        How many quarters the trend covers (at least 8).
    published : PublishedData, optional
        Published benchmarks, loaded once for every authority.
    settings : dict of AuthoritySettings, optional
        Each authority's settings (closure days, benchmark authority); read
        from ``parameters/authorities/`` where not given.
    earlier : dict of DataFrame, optional
        What each authority's earlier published reports showed and withheld (:mod:`perfkit.pipeline.ledger`):
        their figures of earlier quarters are computed again as context for disclosure control
        (:func:`earlier_context`).
    """
    from perfkit.indicators.engine import windows_frame
    from perfkit.indicators.quality import data_quality

    missing = [la for la in authorities if la not in data.authorities]
    if missing:
        listed = f": column 'la_code' has {', '.join(data.authorities)}" if data.authorities else ""
        raise ContractError([Problem(str(data.directory / "children"), f"authority {missing[0]!r} has no rows{listed}")])
    own = data.for_authorities(list(authorities))
    span = own.event_span()
    settings = {la: (settings or {}).get(la) or authority_settings(la) for la in authorities}
    as_at: dict[str, dt.date] = {}
    together: dict[tuple[Period, tuple[dt.date, ...]], list[str]] = {}
    for la in authorities:
        if la not in span:
            raise PeriodError(f"authority {la!r} has no dated records: there is no quarter to report on")
        as_at[la] = settings[la].data_end(span[la][1])
        chosen = check_period(resolve_period(period, as_at[la]), span[la][0], as_at[la], f"authority {la}")
        together.setdefault((chosen, settings[la].closure_days), []).append(la)
    found: dict[str, Aggregates] = {}
    for (chosen, closure_days), group in together.items():
        subset = own.for_authorities(group) if len(group) < len(authorities) else own
        measures = report_measures(subset, group, chosen, quarters, closure_days,
                                   {la: settings[la].data_as_at for la in group})
        for la in group:
            _check_some_figure(measures, la, chosen, as_at[la])
        quality = data_quality(subset, windows_frame([chosen]))
        context = earlier_context(subset, group, chosen, measures, earlier or {}, closure_days,
                                  {la: settings[la].data_as_at for la in group})
        for la in group:
            benchmarks, note, source = published_benchmarks(settings[la].benchmark_authority, chosen, published)
            found[la] = Aggregates(chosen, as_at[la], measures.filter(pl.col("la_code") == la),
                                   quality.filter(pl.col("la_code") == la), benchmarks, note, settings[la], source,
                                   context.filter(pl.col("la_code") == la))
    return {la: found[la] for la in authorities}


def _check_some_figure(measures: pl.DataFrame, la: str, period: Period, as_at: dt.date | None) -> None:
    """Refuse a quarter for which the data give no figure at all (records that stop before the extract date)."""
    headlines = measures.filter((pl.col("la_code") == la) & (pl.col("period") == period.label)
                                & (pl.col("breakdown") == ALL))
    if headlines.height and headlines["reason"].null_count() == 0:
        as_at_words = f" (data as at {as_at:%-d %B %Y})" if as_at else ""
        raise PeriodError(f"authority {la!r}: the data give no figure for {period.label}{as_at_words}; for "
                          f"example {headlines['indicator'][0]}: {headlines['reason'][0]}: choose an earlier "
                          "quarter, or check the extract date (data_as_at) in the authority's parameters file")


def compute_aggregates(data: Dataset, authority: str, period: str | Period | None, quarters: int = TREND_QUARTERS,
                       published=None, settings: AuthoritySettings | None = None,
                       earlier: pl.DataFrame | None = None) -> Aggregates:
    """Compute one authority's aggregated tables from validated records (``earlier``: its earlier published
    reports, as :func:`compute_aggregates_for` takes them)."""
    return compute_aggregates_for(data, [authority], period, quarters, published,
                                  {authority: settings} if settings else None,
                                  None if earlier is None else {authority: earlier})[authority]


def save_aggregates(aggregates: dict[str, Aggregates], folder: Path) -> Path:
    """Write aggregated tables of several authorities for a batch's notebooks to read."""
    import json

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pl.concat([a.measures for a in aggregates.values()]).write_parquet(folder / "measures.parquet")
    pl.concat([a.quality for a in aggregates.values()]).write_parquet(folder / "quality.parquet")
    contexts = [a.context for a in aggregates.values() if a.context is not None and a.context.height]
    if contexts:  # earlier published reports' figures, for disclosure control
        pl.concat(contexts).write_parquet(folder / CONTEXT)
    else:
        (folder / CONTEXT).unlink(missing_ok=True)
    meta = {la: {"period": a.period.label, "as_at": a.as_at.isoformat(), "note": a.benchmark_note,
                 "settings": _settings_json(a.settings),
                 "benchmarks": {k: asdict(b) for k, b in a.benchmarks.items()},
                 "benchmark_source": asdict(a.benchmark_source)}
            for la, a in aggregates.items()}
    (folder / "meta.json").write_text(json.dumps(meta, sort_keys=True), encoding="utf-8")
    return folder


CONTEXT = "context.parquet"
"""In a batch's aggregates folder: the true figures of earlier published reports (:func:`earlier_context`)."""

EARLIER = "earlier.parquet"
"""In a batch's aggregates folder: what its authorities' earlier published reports showed and withheld."""


def earlier_published(folder: str | Path | None, authority: str) -> pl.DataFrame | None:
    """What the authority's earlier published reports showed and withheld, as the batch found it in its ``out``
    folder's ledger (:mod:`perfkit.pipeline.ledger`); None without a batch's aggregates."""
    if not folder or not (Path(folder) / EARLIER).exists():
        return None
    return pl.scan_parquet(Path(folder) / EARLIER).filter(pl.col("la_code") == authority).collect()


def load_aggregates(folder: str | Path, authority: str) -> Aggregates:
    """One authority's aggregated tables from a folder written by :func:`save_aggregates`."""
    import json

    folder = Path(folder)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    if authority not in meta:
        raise ValueError(f"authority {authority!r} is not in the aggregates in {folder}: it has {', '.join(sorted(meta))}")
    own = meta[authority]
    measures = pl.scan_parquet(folder / "measures.parquet").filter(pl.col("la_code") == authority).collect()
    quality = pl.scan_parquet(folder / "quality.parquet").filter(pl.col("la_code") == authority).collect()
    context = (pl.scan_parquet(folder / CONTEXT).filter(pl.col("la_code") == authority).collect()
               if (folder / CONTEXT).exists() else None)
    benchmarks = {k: _benchmarks_from_json(v) for k, v in own["benchmarks"].items()}
    source = own.get("benchmark_source") or {}
    return Aggregates(parse_period(own["period"]), dt.date.fromisoformat(own["as_at"]), measures, quality,
                      benchmarks, own["note"], _settings_from_json(own["settings"]),
                      BenchmarkSource(**{**source, "neighbours": tuple(source.get("neighbours", ()))}), context)


def _benchmarks_from_json(saved: list | dict) -> Benchmarks:
    if isinstance(saved, list):  # aggregates saved before published bands, ranks and changes were kept
        return Benchmarks(*saved)
    return Benchmarks(**{**saved, "neighbours_missing": tuple(saved.get("neighbours_missing", ()))})


def _settings_json(settings: AuthoritySettings) -> dict:
    return {"authority": settings.authority, "name": settings.name, "audience": settings.audience,
            "benchmark_authority": settings.benchmark_authority,
            "data_dir": None if settings.data_dir is None else str(settings.data_dir),
            "closure_days": [d.isoformat() for d in settings.closure_days],
            "data_as_at": None if settings.data_as_at is None else settings.data_as_at.isoformat(), "source": settings.source,
            "spc_rebase": {indicator: list(periods) for indicator, periods in settings.spc_rebase}}


def _settings_from_json(saved: dict) -> AuthoritySettings:
    return AuthoritySettings(
        saved["authority"], saved["name"], saved["audience"], saved["benchmark_authority"],
        None if saved["data_dir"] is None else Path(saved["data_dir"]),
        tuple(dt.date.fromisoformat(d) for d in saved["closure_days"]),
        None if saved["data_as_at"] is None else dt.date.fromisoformat(saved["data_as_at"]), saved["source"],
        tuple((indicator, tuple(periods)) for indicator, periods in (saved.get("spc_rebase") or {}).items()))


def check_spc_rebase(settings: AuthoritySettings, catalogue=None) -> None:
    """Refuse declared changes (``spc_rebase``) of an indicator the catalogue does not have, naming the file.

    >>> check_spc_rebase(AuthoritySettings.from_mapping({"spc_rebase": {"referals": ["2023-24 Q1"]}}, "990.yaml"))
    Traceback (most recent call last):
    ...
    perfkit.errors.SettingsError: 990.yaml, key 'spc_rebase', indicator 'referals' (period '2023-24 Q1'): not an indicator in the catalogue
    """
    catalogue = catalogue or load_catalogue()
    for indicator, periods in settings.spc_rebase:
        if indicator not in catalogue.ids:
            raise SettingsError(f"{settings.source or 'the parameters file'}, key 'spc_rebase', indicator {indicator!r} "
                                f"(period {periods[0]!r}): not an indicator in the catalogue")




def suppress_with_quality(measures: pl.DataFrame, quality: pl.DataFrame, period: Period, threshold: int,
                          earlier: pl.DataFrame | None = None,
                          context: pl.DataFrame | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Disclosure control of the figures and the period's data-quality counts at once, as a reader relates them
    (episodes with no interview offer are every episode ending less those offered one).

    Returns the suppressed measures (:func:`perfkit.present.disclosure.suppress`) and the period's data-quality
    rows with ``suppression``: why a count is hidden (``"small"``, ``"complement"``), or null where it is shown.
    """
    from perfkit.indicators.quality_checks import QUALITY, as_measures

    quality = quality.filter(pl.col("period") == period.label).drop("suppression", strict=False)
    both = suppress(pl.concat([measures, as_measures(quality)], how="diagonal_relaxed"), threshold, earlier=earlier,
                    context=context)
    is_quality = pl.col("indicator").str.starts_with(QUALITY)
    hidden = both.filter(is_quality).select("period", "suppression",
                                            check=pl.col("indicator").str.strip_prefix(QUALITY))
    return (both.filter(~is_quality).select(*measures.columns, "suppression", "suppressed", "withheld"),
            quality.join(hidden, on=["period", "check"], how="left"))


def build_report(
    authority: str,
    period: str | Period | None = None,
    data_dir: str | Path | None = None,
    audience: str = "members",
    targets_file: str | Path | None = None,
    quarters: int = TREND_QUARTERS,
    aggregates: str | Path | None = None,
    as_at: str | dt.date | None = None,
) -> AuthorityReport:
    """Load, validate and compute everything the authority report shows.

    Parameters
    ----------
    authority : str
        Three-digit LA number, e.g. ``"990"``.
    period : str, optional
        ``"2024-25 Q2"``; ``None`` or ``"latest"`` for the last complete quarter.
    data_dir : path, optional
        A dataset directory; the embedded synthetic data by default.
    audience : {"members", "analyst"}
        Members see disclosure-controlled figures only; analysts see every count.
    targets_file : path, optional
        ``parameters/targets.yaml`` by default.
    quarters : int
        How many quarters the trend covers (at least 8).
    aggregates : path, optional
        A folder of aggregated tables prepared by ``perfkit batch`` (which
        computes every authority in one pass); the records are then not read.
    as_at : str or date, optional
        The date the data were extracted (``2025-04-30``); ``data_as_at`` in
        the authority's parameters file by default.
    """
    if audience not in AUDIENCES:
        raise SettingsError(f"audience {audience!r}: expected one of {', '.join(AUDIENCES)}")
    authority = str(authority)
    if aggregates:
        figures = load_aggregates(aggregates, authority)
    else:
        from perfkit.records.loading import load_dataset

        # the authority's own rows, checked as the batch checks them: another authority's cannot stop this report
        data = load_dataset(data_dir or paths.default_data_dir(), authorities=[authority])
        settings = authority_settings(authority)
        declared = settings.as_of(as_at)  # a papermill as_at is the extract date for the period too, not only words
        if declared != settings.data_as_at:
            settings = replace(settings, data_as_at=declared)
        figures = compute_aggregates(data, authority, period, quarters, settings=settings)
    settings = figures.settings
    threshold = disclosure_threshold()
    measures, quality = figures.measures, figures.quality.with_columns(suppression=pl.lit(None, pl.String))
    if audience == "members":  # as the authority's earlier published reports bind it (pipeline.ledger)
        measures, quality = suppress_with_quality(measures, quality, figures.period, threshold,
                                                  earlier_published(aggregates, authority), figures.context)
    else:
        measures = measures.with_columns(suppressed=pl.lit(False), withheld=pl.col("value").is_null())
    catalogue = load_catalogue()
    check_spc_rebase(settings, catalogue)
    targets = load_targets(targets_file or paths.targets_file(), authority, catalogue)
    return AuthorityReport(
        authority=authority, name=settings.name, period=figures.period,
        audience=audience, as_at=settings.as_of(as_at), measures=measures, targets=targets, quality=quality,
        threshold=threshold, benchmarks=figures.benchmarks, benchmark_note=figures.benchmark_note,
        benchmark_source=figures.benchmark_source, catalogue=catalogue, rebase=dict(settings.spc_rebase),
    )

