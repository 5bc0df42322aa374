"""An audit of a finished member report: can any small number be read or worked out from the page?

The audit does not trust the code that made the page. It reads back every
figure the HTML shows, in its tables and in the data of its charts, maps each
to the indicator, period, breakdown and group it stands for (by the titles
members read), and then, against the true (unsuppressed) aggregates:

- a figure built on a count from 1 to ``threshold - 1`` must not be shown;
- no hidden small number may be pinned to a single value by the figures
  shown, through any relation :func:`perfkit.present.disclosure.relations_of` finds
  (groups adding to a total, a rolling year of four quarters, figures equal
  to another indicator's), for a reader who knows which hidden figures are
  small (see :class:`perfkit.present.disclosure.Reader`), or, for a figure not on
  the page at all, only that it is a number from 0 up;
- no breakdown of a small total is shown (its groups would say who the
  children are);
- the data-quality table's counts are figures like the others (small ones hidden, none worked out: a
  count of episodes with no interview offer is one denominator less another);
- every figure is a number or one of the labels perfkit writes in its place
  (:func:`words`), every table and chart field is of a form the audit knows;
- every number in a figures table or chart can be placed: a number the audit
  cannot place fails the report (the audit fails closed);
- process limits, averages and point types (statistical process control, in
  a trend chart's data and its table) are drawn only over quarters whose
  figures the page shows, and are exactly what those figures give, worked
  out again from the true aggregates (:func:`perfkit.present.process_control.recompute`):
  an average over a series with one hidden figure would give it back;
- the variation and assurance icons beside the figures hold only their own
  fixed words (:mod:`perfkit.present.spc_icons`), and no number.

Findings name places, never values: they go into the batch's index page.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Iterator

import polars as pl

from perfkit.config.settings import DEFAULT_THRESHOLD
from perfkit.indicators.catalogue import ALL, Catalogue, load_catalogue
from perfkit.indicators.periods import LABEL_PATTERN, alone_label
from perfkit.indicators.quality_checks import CHECKS, QUALITY, as_measures
from perfkit.present.disclosure import (
    ALL_GROUPS,
    GIVEN_AWAY_BEFORE,
    NOT_SHOWN,
    WITHHELD,
    Reader,
    earlier_reader,
    known_and_withheld,
    never_named,
    label,
    relations_of,
    with_context,
)
from perfkit.present.disclosure_relations import median_ids, protected_ids
from perfkit.present.formatting import COUNTED, NO_FIGURE, NOT_AVAILABLE_CELL
from perfkit.present.breakdown_tables import BY
from perfkit.present.page_names import PageNames, spc_row
from perfkit.present.year_on_year import A_YEAR_EARLIER, CHANGE, change_text
from perfkit.present.by_month import MONTH_BY_MONTH, read_month_table

PERIOD = re.compile(rf"\b({LABEL_PATTERN})\b")
"""A quarter's or a month's label in a heading."""
_NUMBER = re.compile(r"^(-?[\d,]*\.?\d+)(%| per 10,000| working days| days)?$")
_OF_QUARTER = re.compile(rf"(.+), ({LABEL_PATTERN})")
_EMBED = re.compile(r'vegaEmbed\(\s*"#[^"]+"\s*,\s*')
_OTHER_COLUMNS = re.compile(r"^(Indicator|Target|Status|Better is|.+ \(latest published\))$")
"""Columns of a figures table that hold no figure of the authority's: targets, words, published comparators."""
ICON_COLUMNS = ("Variation", "Assurance")
"""Columns of a figures table that hold a Making Data Count icon: fixed words, never a number."""
SPC_NUMBERS = ("mean", "lower_limit", "upper_limit")
TREND_FIELDS = {"title", "period", "value", "shown", "target", "is_year_earlier", *SPC_NUMBERS, "point_type"}
BREAKDOWN_FIELDS = {"choice", "group", "value", "shown"}


def words(threshold: int) -> set[str]:
    """Everything but a number that a figure may show: each label perfkit writes in place of a figure.

    >>> sorted(words(5))
    ['', 'fewer than 5', 'no figure', 'not available', 'not shown: too few to break down', 'withheld']
    """
    return {"", label(threshold), WITHHELD, NO_FIGURE, NOT_SHOWN, NOT_AVAILABLE_CELL}


@dataclass(frozen=True)
class Finding:
    """One reason a page may not be published: what is wrong and where, without any value."""

    problem: str
    where: str

    def __str__(self) -> str:
        return f"{self.problem}: {self.where}"


def parse_number(text: str) -> float | None:
    """The number a shown figure states, or None for words ("fewer than 5", "withheld", "no figure").

    >>> parse_number("1,883"), parse_number("49.7%"), parse_number("549.6 per 10,000"), parse_number("fewer than 5")
    (1883.0, 49.7, 549.6, None)
    """
    found = _NUMBER.match(text.strip())
    return None if found is None else float(found.group(1).replace(",", ""))


@dataclass(frozen=True)
class SpcClaim:
    """One process-control figure as the page shows it: a mean, a limit or a point type of a quarter."""

    indicator: str
    period: str
    field: str
    value: float | str
    tolerance: float
    place: str


def _tolerance(text: str) -> float:
    """Half a unit of the last decimal a number is written to: how far it may be from what it rounds.

    >>> _tolerance("1,812.4"), _tolerance("12")
    (0.05, 0.5)
    """
    digits = text.split(".")[1] if "." in text else ""
    places = len(re.match(r"\d*", digits).group(0))
    return 0.5 * 10 ** -places


@dataclass(frozen=True)
class Shown:
    """One figure as the page shows it."""

    period: str
    indicator: str
    breakdown: str
    group: str
    text: str
    place: str
    of: str = "value"
    """What the number is of its place's figure: its ``value``, or the ``numerator`` or ``denominator`` it is
    counted from (the count beside a rate, a rate's group shown as a count)."""


def _counts(text: str, indicator, period: str, breakdown: str, group: str, place: str) -> list[Shown]:
    """The numbers of a count written beside (or in place of) a figure (:func:`count_words`): "300 children on
    a plan" (a rate's numerator), "59 of 107" and "135 over 31" (numerator and denominator); none where the
    text is not of that form for the indicator."""
    text = text.strip()
    if indicator.unit == "rate_per_10k" and text.endswith(f" {indicator.noun}"):
        number = text.removesuffix(f" {indicator.noun}")
        return [Shown(period, indicator.id, breakdown, group, number, place, "numerator")] if parse_number(number) is not None else []
    match = re.fullmatch(r"([\d,]*\.?\d+) (?:of|over) ([\d,]*\.?\d+)", text)
    if match and indicator.unit in ("percent", "ratio"):
        return [Shown(period, indicator.id, breakdown, group, match.group(1), place, "numerator"),
                Shown(period, indicator.id, breakdown, group, match.group(2), place, "denominator")]
    return []


def _text(node) -> str:
    """A cell's text as a reader reads it (a tooltip's word inside its sentence: "(FTE)", not "( FTE )")."""
    return " ".join(node.get_text().split())


def _icon(td) -> tuple[str, str]:
    """An icon cell's words (its SVG's ``aria-label``, else its text) and all the text it holds."""
    svg = td.find("svg")
    return (svg.get("aria-label", "") if svg is not None else _text(td)), _text(td)


def _tables(soup, names: PageNames, period: str) -> Iterator[Shown | SpcClaim | Finding]:
    """Figures of every table: by period columns, breakdown rows or data-quality rows.

    A table of another form, or a column of a figures table the audit does
    not know, that holds a number is a finding: the audit fails closed.
    """
    from perfkit.present.charts import POINT_WORDS, TARGET_ROW
    from perfkit.present.spc_icons import ASSURANCE_LABELS, NO_LIMITS, VARIATION_LABELS

    allowed_icons = {"Variation": VARIATION_LABELS, "Assurance": ASSURANCE_LABELS}
    for table in soup.find_all("table"):
        caption = _text(table.caption) if table.caption else "a table without a caption"
        headers = [_text(th) for th in table.select("thead th")]
        cells = [tr.find_all("td") for tr in table.find_all("tr") if tr.find_all("td")]
        rows = [[_text(td) for td in row] for row in cells]
        if "pk-table" not in (table.get("class") or []):
            if any(re.search(r"\d", cell) for row in rows for cell in row):
                yield Finding("a table the audit does not know holds a number", caption)
            continue
        if headers[:2] == ["Check", "Records"]:  # data-quality counts: figures like any other
            for row in rows:
                check = names.checks.get(row[0]) if len(row) == 2 == len(headers) else None
                if check is None:
                    yield Finding("a data-quality count the audit cannot place", f"{caption}, '{row[0]}'")
                else:
                    yield Shown(period, QUALITY + check, ALL, ALL, row[1], f"{caption}, '{row[0]}'")
            continue
        if headers[:3] == ["Indicator and breakdown", "Group", "Value"]:
            for row in rows:
                found = names.choices.get(row[0])
                if found is None:
                    if parse_number(row[2]) is not None:
                        yield Finding("a figure the audit cannot place", f"{caption}, row '{row[0]}'")
                    continue
                place = f"{caption}, {row[0]}, {row[1]}"
                counted = _counts(row[2], names.ids[found[0]], period, found[1], row[1], place)
                yield from counted or [Shown(period, found[0], found[1], row[1], row[2], place)]
            continue
        if caption.endswith(f" {A_YEAR_EARLIER}"):
            yield from _year_on_year(caption, headers, rows, names)
            continue
        if caption.startswith(f"{MONTH_BY_MONTH}, "):
            yield from read_month_table(caption, headers, rows, names)
            continue
        if headers and headers[0].startswith(BY):  # a breakdown for paper: groups down, indicators across
            name = headers[0].removeprefix(BY)
            # a column of another quarter's groups (a year earlier) is headed "Referrals, 2023-24 Q4"
            quarters = {n: (m.group(1), m.group(2)) for n, h in enumerate(headers) if (m := _OF_QUARTER.fullmatch(h))}
            for row in rows:
                for n, text in enumerate(row[1:len(headers)], start=1):
                    if n in quarters:
                        found = names.choices.get(f"{quarters[n][0]} by {name}")
                        if found is None and parse_number(text) is not None:
                            yield Finding("a figure the audit cannot place", f"{caption}, '{headers[n]}'")
                        elif found is not None and text.strip():
                            yield Shown(quarters[n][1], *found, row[0], text, f"{caption}, {headers[n]}, {row[0]}")
                        continue
                    found = names.choices.get(f"{headers[n]} by {name}")
                    counted = names.counted.get(f"{headers[n]} by {name}")
                    if counted is not None and text.strip():  # a rate's group as a count: its numerator
                        place = f"{caption}, {headers[n]}, {row[0]}"
                        yield Shown(period, *counted, row[0], text, place, "numerator" if parse_number(text) is not None else "value")
                        continue
                    if found is None and parse_number(text) is not None:
                        yield Finding("a figure the audit cannot place", f"{caption}, '{headers[n]}'")
                    if found is None or not text.strip():
                        continue
                    place = f"{caption}, {headers[n]}, {row[0]}"
                    counted = _counts(text, names.ids[found[0]], period, found[1], row[0], place)
                    yield from counted or [Shown(period, found[0], found[1], row[0], text, place)]
            continue
        columns = {n: PERIOD.search(h).group(1) for n, h in enumerate(headers) if PERIOD.search(h) and n > 0}
        icons = {n: h for n, h in enumerate(headers) if h in ICON_COLUMNS}
        counts = [n for n, h in enumerate(headers) if h == COUNTED]
        unknown = [n for n, h in enumerate(headers)
                   if n not in columns and n not in icons and n not in counts and not _OTHER_COLUMNS.match(h)]
        if unknown and any(re.search(r"\d", row[n]) for row in rows for n in unknown if n < len(row)):
            yield Finding("a column the audit does not know holds a number", f"{caption}, '{headers[unknown[0]]}'")
        for row, tds in zip(rows, cells):
            for n, header in icons.items():
                if n < len(tds):
                    words, text = _icon(tds[n])
                    if words not in allowed_icons[header] or re.search(r"\d", text):
                        yield Finding(f"a {header.lower()} icon the audit does not know", f"{caption}, row '{row[0]}'")
                    elif header == "Variation" and words != NO_LIMITS and row[0] in names.by_title:
                        # a variation is a claim about the trend's limits: checked against them (check_spc)
                        yield SpcClaim(names.by_title[row[0]].id, period, ICON, words, 0.0,
                                       f"{caption}, row '{row[0]}', variation icon")
            if row[0].endswith(f": {TARGET_ROW}") and row[0].removesuffix(f": {TARGET_ROW}") in names.trends:
                # a target or trajectory: the authority's parameters, checked against them (audit_page)
                indicator, _ = names.trends[row[0].removesuffix(f": {TARGET_ROW}")]
                for n, text in enumerate(row):
                    if n in columns and text.strip():
                        if parse_number(text) is None:
                            yield Finding("a target the audit cannot read", f"{caption}, row '{row[0]}'")
                        else:
                            yield Shown(columns[n], indicator.id, ALL, ALL, text, f"{caption}, {row[0]}, {columns[n]}",
                                        TARGET_ROW)
                continue
            spc = spc_row(row[0], names) if row[0] not in names.trends else None
            if spc is not None:
                (indicator, alone), name = spc
                for n, text in enumerate(row):
                    if n not in columns or not text.strip():
                        continue
                    place = f"{caption}, {row[0]}, {columns[n]}"
                    if name == "point_type" or name == "variation":
                        found = {w: code for code, w in POINT_WORDS.items()}.get(text.strip())
                        if found is None:
                            yield Finding("a process-control word the audit does not know", place)
                        else:
                            yield SpcClaim(indicator.id, _alone(columns[n], alone), "point_type", found, 0.0, place)
                        continue
                    number = parse_number(text)
                    if number is None:
                        yield Finding("a process-control figure the audit cannot read", place)
                        continue
                    tolerance = _tolerance(_NUMBER.match(text.strip()).group(1)) + 0.5e-4  # written from 4 decimals
                    yield SpcClaim(indicator.id, _alone(columns[n], alone), name, number, tolerance, place)
                continue
            indicator, alone = names.trends.get(row[0], (None, False))
            for n in counts:  # the count beside this quarter's figure
                text = row[n] if n < len(row) else ""
                if not text.strip():
                    continue
                place = f"{caption}, {row[0]}, {COUNTED.lower()}"
                counted = _counts(text, indicator, period, ALL, ALL, place) if indicator is not None and not alone else []
                if not counted:
                    yield Finding("a count the audit cannot read", place)
                figure = next((row[k] for k, p in columns.items() if p == period and k < len(row)), "")
                if counted and parse_number(figure) is None:
                    yield Finding("a count beside a figure that is not shown", place)
                yield from counted
            for n, text in enumerate(row):
                if n not in columns:
                    continue
                if indicator is None:
                    if parse_number(text) is not None:
                        yield Finding("a figure the audit cannot place", f"{caption}, row '{row[0]}'")
                    continue
                yield Shown(_alone(columns[n], alone), indicator.id, ALL, ALL, text, f"{caption}, {row[0]}, {columns[n]}")


def _alone(label: str, alone: bool) -> str:
    """A trend's period label, as the figures know it: the period's window alone under a title that shows each
    quarter (month) alone (``alone``: :attr:`PageNames.trends`)."""
    return alone_label(label) if alone else label


def _year_on_year(caption: str, headers: list[str], rows: list[list[str]], names: PageNames
                  ) -> Iterator[Shown | Finding]:
    """A breakdown's groups in two quarters (:mod:`perfkit.present.year_on_year`): groups across, a row for
    each quarter, then the change, which must be the first less the second where both are numbers, and
    empty otherwise (a hidden figure is not given back by a difference)."""
    found = names.choices.get(headers[0]) if headers else None
    periods = [PERIOD.fullmatch(row[0]) if row else None for row in rows[:2]]
    if (found is None or not caption.startswith(f"{headers[0]}: ") or len(rows) != 3 or not all(periods)
            or len(periods) != 2 or rows[2][:1] != [CHANGE] or any(len(row) != len(headers) for row in rows)):
        if any(re.search(r"\d", cell) for row in rows for cell in row[1:]):
            yield Finding("a table of two quarters the audit cannot place", caption)
        return
    for period, row in zip((p.group(0) for p in periods), rows[:2]):
        for group, text in zip(headers[1:], row[1:]):
            yield Shown(period, *found, group, text, f"{caption}, {group}, {period}")
    for group, now, before, change in zip(headers[1:], rows[0][1:], rows[1][1:], rows[2][1:]):
        if change.strip() != change_text(parse_number(now), parse_number(before)):
            yield Finding("a change that is not the difference of the figures shown", f"{caption}, {group}")


def _charts(html: str, names: PageNames, period: str) -> Iterator[Shown | SpcClaim | Finding]:
    """Figures in the data of every chart the page draws."""
    decoder = json.JSONDecoder()
    for number, match in enumerate(_EMBED.finditer(html), start=1):
        try:
            spec, _ = decoder.raw_decode(html, match.end())
        except json.JSONDecodeError:
            yield Finding("a chart whose data the audit cannot read", f"chart {number}")
            continue
        rows = list(spec.get("data", {}).get("values", []))
        for values in spec.get("datasets", {}).values():
            rows += values
        where = spec.get("description") or f"chart {number}"
        for row in rows:
            text = str(row.get("shown", ""))
            fields = set(row)
            if not (fields <= TREND_FIELDS or fields <= BREAKDOWN_FIELDS):
                yield Finding("a chart field the audit does not know", f"{where}, {sorted(fields - TREND_FIELDS - BREAKDOWN_FIELDS)}")
                continue
            if "title" in row and "period" in row:
                indicator, alone = names.trends.get(row["title"], (None, False))
                if indicator is None:
                    yield Finding("a chart figure the audit cannot place", f"{where}, '{row['title']}'")
                    continue
                place = f"{where}, {row['title']}, {row['period']}"
                yield Shown(_alone(row["period"], alone), indicator.id, ALL, ALL, text, place)
                if row.get("value") is not None and parse_number(text) is None:
                    yield Finding("a chart holds a value its label hides", place)
                yield from _chart_claims({**row, "period": _alone(row["period"], alone)}, indicator.id, place)
            elif "choice" in row and "group" in row:
                found = names.choices.get(row["choice"])
                if found is None:
                    yield Finding("a chart figure the audit cannot place", f"{where}, '{row['choice']}'")
                    continue
                place = f"{where}, {row['choice']}, {row['group']}"
                counted = _counts(text, names.ids[found[0]], period, found[1], row["group"], place)
                yield from counted or [Shown(period, found[0], found[1], row["group"], text, place)]
                if counted and row.get("value") is not None and row["value"] != parse_number(counted[0].text):
                    yield Finding("a chart holds a value its label does not say", place)
                elif not counted and row.get("value") is not None and parse_number(text) is None:
                    yield Finding("a chart holds a value its label hides", place)
            elif any(re.search(r"\d", str(v)) for v in row.values() if not isinstance(v, bool)):
                yield Finding("a chart figure the audit cannot place", where)


def _chart_claims(row: dict, indicator: str, place: str) -> Iterator[SpcClaim | Finding]:
    """The process-control fields of one trend chart row: a mean, limits and a point type, or nothing."""
    from perfkit.present.charts import POINT_TYPES

    for name in SPC_NUMBERS:
        value = row.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            yield Finding("a process-control figure the audit cannot read", place)
            continue
        yield SpcClaim(indicator, row["period"], name, float(value), 0.5e-4, place)  # charts carry 4 decimals
    kind = row.get("point_type")
    if kind is not None:
        if kind not in POINT_TYPES:
            yield Finding("a process-control word the audit does not know", place)
        else:
            yield SpcClaim(indicator, row["period"], "point_type", kind, 0.0, place)


def _read(html: str, period: str, catalogue: Catalogue | None = None
          ) -> tuple[list[Shown], list[SpcClaim], list[Finding]]:
    from bs4 import BeautifulSoup

    names = PageNames(catalogue or load_catalogue())
    start = html.find('class="jp-Notebook')
    body = html[start:] if start >= 0 else html
    shown: list[Shown] = []
    claims: list[SpcClaim] = []
    findings: list[Finding] = []
    for item in [*_tables(BeautifulSoup(html, "html.parser"), names, period), *_charts(body, names, period)]:
        (shown if isinstance(item, Shown) else claims if isinstance(item, SpcClaim) else findings).append(item)
    if body.count("vegaEmbed(") != len(_EMBED.findall(body)):
        findings.append(Finding("a chart the audit cannot read", "a vegaEmbed call of another form"))
    return shown, claims, findings


def read_page(html: str, period: str, catalogue: Catalogue | None = None) -> tuple[list[Shown], list[Finding]]:
    """Every figure a member report shows, and what could not be read."""
    shown, _, findings = _read(html, period, catalogue)
    return shown, findings


def read_spc(html: str, period: str, catalogue: Catalogue | None = None) -> list[SpcClaim]:
    """Every process-control figure a member report shows (means, limits, point types), in charts and tables."""
    return _read(html, period, catalogue)[1]


ICON = "variation icon"
"""The field of an :class:`SpcClaim` holding a variation icon's words (of the report's quarter)."""


def misplaced(shown: list[Shown], measures: pl.DataFrame) -> list[Finding]:
    """Findings where a number is not the true figure of what its place says it is (as rounded for the page).

    A figure under the wrong title (a quarter alone under the 12-month figure's, a group under another's)
    would be checked against the wrong figure's suppression: the page must say what each number is.
    """
    truth: dict[tuple, dict] = {}
    for row in measures.iter_rows(named=True):
        truth.setdefault((row["period"], row["indicator"], row["breakdown"], row["group"]), row)
    values = {(f.period, f.indicator, f.breakdown, f.group) for f in shown if f.of == "value" and parse_number(f.text) is not None}
    found = []
    for figure in shown:
        key = (figure.period, figure.indicator, figure.breakdown, figure.group)
        number = parse_number(figure.text)
        if number is None or key not in truth:
            continue
        if figure.of != "value" and figure.breakdown == ALL and key not in values:
            found.append(Finding("a count beside a figure that is not shown", figure.place))
        value = truth[key][figure.of]
        match = _NUMBER.match(figure.text.strip())
        if value is None or abs(number - value) > _tolerance(match.group(1)) + 1e-9 * abs(value):
            found.append(Finding("a number that is not the figure its place names", figure.place))
    return found


def _title(indicator: str, catalogue: Catalogue) -> str:
    """An indicator's title, or a data-quality check's heading (``quality.<check>``)."""
    if indicator.startswith(QUALITY):
        return next(c.heading for c in CHECKS if QUALITY + c.id == indicator)
    return catalogue[indicator].title


def audit_page(html: str, measures: pl.DataFrame, quality: pl.DataFrame | None, period: str,
               threshold: int = DEFAULT_THRESHOLD, catalogue: Catalogue | None = None,
               targets: dict | None = None, earlier: pl.DataFrame | None = None,
               context: pl.DataFrame | None = None) -> list[Finding]:
    """Check a member report against the true figures of its one authority.

    Parameters
    ----------
    html : str
        The finished page.
    measures : DataFrame
        The authority's aggregates before disclosure control (``la_code``,
        ``period``, ``indicator``, ``breakdown``, ``group``, ``numerator``,
        ``denominator``, ``value``).
    quality : DataFrame, optional
        Its data-quality counts (:mod:`perfkit.indicators.quality_checks`), checked as figures: a count is tied to
        figures the page shows (episodes with no interview offer are one denominator less another). Without
        them, a data-quality count on the page cannot be placed, unless ``measures`` holds the counts'
        rows (:func:`perfkit.indicators.quality_checks.as_measures`).
    period : str
        The report's quarter: the period of its breakdowns.
    threshold : int
        The smallest count members may see.
    targets : dict of Target, optional
        The authority's targets (``parameters/targets.yaml``): a trend table's target row must hold them, and
        nothing else (a row named as a target could otherwise carry any figure). By default, those of
        ``parameters/targets.yaml`` for the page's authority.
    earlier : DataFrame, optional
        What the authority's earlier published reports showed and withheld (:mod:`perfkit.pipeline.ledger`):
        a figure one withheld may not be shown, and a reader knows every figure one showed.
    context : DataFrame, optional
        Those reports' figures that ``measures`` has not (earlier quarters' breakdowns, true values:
        :func:`perfkit.pipeline.aggregates.earlier_context`), related to this page's as a reader of every
        pack relates them: a small number of an earlier quarter that this page lets a reader work out is a
        finding too. Each was named by its own page (its class, small or not, is known), but for the
        breakdowns of a small total, which no page shows.

    Returns
    -------
    list of Finding
        Empty when the page is safe to publish.
    """
    catalogue = catalogue or load_catalogue()
    shown, claims, findings = _read(html, period, catalogue)
    from perfkit.present.charts import TARGET_ROW

    if targets is None and measures.height:  # the project's own targets for the page's authority
        from perfkit.config import paths
        from perfkit.indicators.targets import load_targets

        targets = load_targets(paths.targets_file(), str(measures["la_code"][0]), catalogue)
    targets_shown = [f for f in shown if f.of == TARGET_ROW]
    shown = [f for f in shown if f.of != TARGET_ROW]
    findings += [Finding("a target row that is not the authority's target", f.place) for f in targets_shown
                 if targets is None or f.indicator not in targets
                 or targets[f.indicator].value_for(f.period) is None
                 or abs(parse_number(f.text) - targets[f.indicator].value_for(f.period))
                 > _tolerance(_NUMBER.match(f.text.strip()).group(1)) + 1e-9]
    allowed = words(threshold)
    findings += [Finding("a figure the audit cannot read", figure.place) for figure in shown
                 if parse_number(figure.text) is None and figure.text.strip() not in allowed]
    visible: dict[tuple, Shown] = {}
    for figure in shown:
        if parse_number(figure.text) is not None:
            visible.setdefault((figure.period, figure.indicator, figure.breakdown, figure.group), figure)
    if quality is not None:  # the period's data-quality counts, related to the figures as a reader relates them
        measures = pl.concat([measures, as_measures(quality.filter(pl.col("period") == period))], how="diagonal_relaxed")
    own_rows = measures.height
    placed = set(measures.select("period", "indicator", "breakdown", "group").iter_rows())
    measures = with_context(measures, context)  # the earlier packs' figures, after this page's own
    model = relations_of(measures, catalogue, own_rows)
    keys = list(measures.select("period", "indicator", "breakdown", "group").iter_rows())
    # a group with no row had none: a 0 is placed where that quarter's breakdown has rows and the group has
    # a row in some quarter (a group of no quarter, "Martians", is not a group of the data)
    # (or where the figure is 0 in all that period: a month with no child missing has none from care)
    held, groups = {key[:3] for key in placed}, {key[1:] for key in placed}
    nothing = {(p, i) for (p, i, b, _), n in zip(keys, measures["numerator"].to_list()) if b == ALL and n == 0}
    findings += [Finding("a figure the audit cannot place", figure.place) for key, figure in visible.items()
                 if key not in placed and figure.group != ALL_GROUPS
                 and not (parse_number(figure.text) == 0 and key[2] != ALL and key[1:] in groups
                          and (key[:3] in held or key[:2] in nothing))]
    findings += misplaced(shown, measures.head(own_rows))
    protected = protected_ids(catalogue)
    medians = median_ids(catalogue)  # a length, not a count
    small_totals = {(p, i) for (p, i, b, g), n in zip(keys, measures["numerator"].to_list())
                    if b == ALL and i in protected and i not in medians and n is not None and 0 < n < threshold}
    findings += [Finding("a breakdown of a small total is shown (its groups say who the children are)", figure.place)
                 for figure in shown if figure.breakdown != ALL and (figure.period, figure.indicator) in small_totals
                 and figure.group != ALL_GROUPS]
    from perfkit.present.audit_process_control import check_spc

    findings += check_spc(claims, visible, measures.head(own_rows), catalogue)
    on_page = {(f.period, f.indicator, f.breakdown, f.group) for f in shown}
    known_keys, withheld_keys = known_and_withheld(earlier)
    la = str(measures["la_code"][0]) if measures.height else ""
    findings += [Finding("a figure an earlier report withheld is shown", figure.place)
                 for key, figure in visible.items() if (la, *key) in withheld_keys]
    hidden = {q for q, row in enumerate(model.row_of) if keys[row] not in visible or row >= own_rows} | model.unshown
    # an earlier page named its figures, but for the breakdowns of a small total and those it did not show
    unknown = never_named(earlier)
    absent = {q for q in hidden if (keys[model.row_of[q]] not in on_page if model.row_of[q] < own_rows
                                    else keys[model.row_of[q]][:2] in small_totals
                                    or (la, *keys[model.row_of[q]]) in unknown)}
    known = {q for q in hidden if (la, *keys[model.row_of[q]]) in known_keys}
    reader = Reader(model, threshold, hidden, absent - known, known)
    before: Reader | None = None  # the earlier packs' reader alone, where a small number is found
    reported: set[int] = set()
    for q, row in enumerate(model.row_of):
        if not 0 < model.values[q] < threshold or row in reported:
            continue
        if q not in hidden:
            reported.add(row)
            findings.append(Finding("a figure built on a small count is shown", visible[keys[row]].place))
        elif q in model.unshown and reader.pinned(q):
            findings.append(Finding("a count no page shows can be worked out (groups less total, or one less another)",
                                    f"{_title(keys[row][1], catalogue)}, a breakdown, {keys[row][0]}"))
        elif reader.pinned(q):
            reported.add(row)
            period_, indicator, breakdown, group = keys[row]
            title = _title(indicator, catalogue)
            place = title if breakdown == ALL else f"{title}, {breakdown} '{group}'"
            if before is None and known_keys:
                before = earlier_reader(model, threshold, [(la, *key) for key in keys], own_rows, earlier, absent)
            given_before = before is not None and before.pinned(q)
            findings.append(Finding(GIVEN_AWAY_BEFORE if given_before else
                                    "a hidden small number can be worked out from the figures shown", f"{place}, {period_}"))
    return findings

