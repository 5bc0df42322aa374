"""The indicator catalogue: loaded from ``catalogue.yaml`` beside this module."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

Unit = Literal["count", "percent", "rate_per_10k", "ratio", "working_days", "days"]
Polarity = Literal["high_is_good", "low_is_good", "none"]

HISTORIES = ("window", "rolling12")
QUARTER_ALONE = "quarter_alone"
TRENDS = ("as_counted", QUARTER_ALONE)
ROLLING_WORDS = "(rolling 12 months)"
"""How an indicator's title says it is counted over a rolling 12 months."""
UNITS = ("count", "percent", "rate_per_10k", "ratio", "working_days", "days")
MEDIAN_UNITS = ("working_days", "days")
"""Units of a figure its measure works out itself (a median length), not numerator over denominator: the
denominator is the items timed."""
POLARITIES = ("high_is_good", "low_is_good", "none")
POPULATION = "population_0_17"
NOT_AVAILABLE = "not available from this data"
"""What every output says in place of a figure the records cannot support (see perfkit.indicators.availability)."""
ALL = "all"
"""The breakdown (and group) of headline figures: everyone, not split."""


@dataclass(frozen=True)
class Need:
    """A column a figure is counted from, and (``codes``) the values one of its rows must hold.

    >>> Need.parse("cla_episodes.rne: P, B, T")
    Need(table='cla_episodes', column='rne', codes=('P', 'B', 'T'))
    >>> str(Need.parse("missing_episodes.rhi_offered_date"))
    'missing_episodes.rhi_offered_date'
    """

    table: str
    column: str
    codes: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> "Need":
        name, _, codes = text.partition(":")
        table, dot, column = name.strip().partition(".")
        if not dot or not table or not column:
            raise ValueError(f"need {text!r}: expected table.column, optionally followed by ': code, code'")
        return cls(table, column, tuple(c.strip() for c in codes.split(",") if c.strip()))

    def __str__(self) -> str:
        return f"{self.table}.{self.column}" + (f" ({' or '.join(self.codes)})" if self.codes else "")


@dataclass(frozen=True)
class Indicator:
    """One measure's declaration."""

    id: str
    title: str
    family: str
    unit: Unit
    decimals: int
    polarity: Polarity
    definition: str
    numerator: str
    noun: str
    denominator: str | None = None
    breakdowns: tuple[str, ...] = ()
    disclosive: bool = True
    same_as: dict | None = None
    """``{indicator, breakdown, group}``: another indicator's group counting the same things."""
    within: dict | None = None
    """``{indicator, breakdown, groups}``: the groups that hold every child of the numerator (see catalogue.yaml)."""
    denominator_within: str | None = None
    """Another indicator whose denominator (or, for a count, whose count) holds every one of this one's, the
    rest a count no page shows (episodes with no return interview offer): a reader takes one from the other
    (see catalogue.yaml)."""
    at_most: str | None = None
    """Another indicator counting the events of which this one counts the children (missing episodes, of
    missing children): in every group both show, this figure is at most that one (see catalogue.yaml)."""
    stock: dict | None = None
    """``{in, out}``: the indicators whose numerator starts and whose denominator ends what this one counts at
    each period end (see catalogue.yaml)."""
    needs: tuple[Need, ...] = ()
    """The columns the figure is counted from: without them there is no figure (see catalogue.yaml)."""
    history: str | int = "window"
    """How far before its window the figure reads records: ``window``, ``rolling12``, or a number of months."""
    year_on_year: tuple[str, ...] = ()
    """Breakdowns whose groups the member report shows beside the same quarter a year earlier (a count's
    groups only; see catalogue.yaml)."""
    by_month: tuple[str, ...] = ()
    """What the member report shows month by month over the 13 months to the quarter's end: ``all`` (the
    figure itself) and at most one breakdown's groups, read under it (see catalogue.yaml)."""
    trend: str = "as_counted"
    """What a trend chart and its process limits show: the figure itself (``as_counted``), or, for a sum over
    a rolling 12 months, each quarter alone, annualised (``quarter_alone``; see catalogue.yaml)."""

    @property
    def trend_title(self) -> str:
        """The title of the indicator's trend by quarter: its own, or what each quarter alone is.

        >>> Indicator("r", "Referrals per 10,000 (rolling 12 months)", "f", "rate_per_10k", 1, "high_is_good", "d",
        ...           "n", "referrals", trend="quarter_alone").trend_title
        'Referrals per 10,000 (each quarter alone, annualised)'
        """
        return self.trend_title_for("quarter")

    def trend_title_for(self, noun: str) -> str:
        """The title of the indicator's trend by quarter or by month (``noun``): its own, or what each quarter
        (month) alone is: "Referrals per 10,000 (each month alone, annualised)"."""
        if self.trend == "quarter_alone":
            return self.title.replace(ROLLING_WORDS, f"(each {noun} alone, annualised)")
        return self.title

    @property
    def tables(self) -> tuple[str, ...]:
        """The tables the figure is counted from, in the order of ``needs``."""
        return tuple(dict.fromkeys(need.table for need in self.needs))

    @property
    def unit_suffix(self) -> str:
        return {"percent": "%", "rate_per_10k": " per 10,000", "count": "", "ratio": "", "working_days": " working days",
                "days": " days"}[self.unit]


@dataclass(frozen=True)
class Family:
    id: str
    title: str


@dataclass(frozen=True)
class Catalogue:
    families: tuple[Family, ...]
    indicators: tuple[Indicator, ...]

    def __getitem__(self, indicator_id: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(f"no indicator {indicator_id!r} in the catalogue; known: {', '.join(self.ids)}")

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.indicators]

    def in_family(self, family_id: str) -> list[Indicator]:
        return [i for i in self.indicators if i.family == family_id]


def parse_catalogue(document: dict) -> Catalogue:
    """Build and check a catalogue from its YAML document.

    >>> doc = {"families": [{"id": "f", "title": "F"}], "indicators": [{"id": "x",
    ...   "title": "X", "family": "f", "unit": "count", "decimals": 0, "polarity": "none",
    ...   "definition": "d", "numerator": "n", "noun": "things", "needs": ["contacts.contact_date"]}]}
    >>> parse_catalogue(doc)["x"].unit
    'count'

    A breakdown shown beside a year earlier must be one of the figure's breakdowns:

    >>> entry = {**doc["indicators"][0], "breakdowns": ["sex"], "year_on_year": ["district"]}
    >>> parse_catalogue({**doc, "indicators": [entry]})
    Traceback (most recent call last):
    ...
    ValueError: catalogue entry 'x': year_on_year ['district']: each must be one of its breakdowns ['sex']

    Month by month, the figure (``all``) and at most one breakdown:

    >>> entry = {**doc["indicators"][0], "breakdowns": ["sex", "district"], "by_month": ["all", "sex", "district"]}
    >>> parse_catalogue({**doc, "indicators": [entry]})
    Traceback (most recent call last):
    ...
    ValueError: catalogue entry 'x': by_month ['all', 'sex', 'district']: 'all' and at most one of its breakdowns ['sex', 'district']
    """
    families = tuple(Family(**f) for f in document["families"])
    family_ids = {f.id for f in families}
    indicators = []
    for entry in document["indicators"]:
        problems = []
        try:
            needs = tuple(Need.parse(text) for text in entry.get("needs", ()))
        except ValueError as error:
            raise ValueError(f"catalogue entry {entry.get('id')!r}: {error}") from None
        indicator = Indicator(**{**entry, "breakdowns": tuple(entry.get("breakdowns", ())), "needs": needs,
                                 "year_on_year": tuple(entry.get("year_on_year", ())),
                                 "by_month": tuple(entry.get("by_month", ()))})
        problems += [f"needs {need}: {why}" for need in needs if (why := _unknown_column(need))]
        if not needs:
            problems.append("needs: no column is named (the figure must say what it is counted from)")
        if indicator.history not in HISTORIES and not (isinstance(indicator.history, int) and indicator.history > 0):
            problems.append(f"history {indicator.history!r}: expected one of {HISTORIES} or a number of months")
        if indicator.trend not in TRENDS:
            problems.append(f"trend {indicator.trend!r}: expected one of {TRENDS}")
        if indicator.trend == "quarter_alone" and (indicator.history != "rolling12" or ROLLING_WORDS not in indicator.title):
            problems.append(f"trend quarter_alone is for a figure over a rolling 12 months: history rolling12 and "
                            f"{ROLLING_WORDS!r} in the title")
        if not set(indicator.year_on_year) <= set(indicator.breakdowns):
            problems.append(f"year_on_year {list(indicator.year_on_year)}: each must be one of its breakdowns "
                            f"{list(indicator.breakdowns)}")
        if indicator.year_on_year and indicator.unit != "count":
            problems.append(f"year_on_year is for a count's groups, not a {indicator.unit}'s")
        if (indicator.by_month and ALL not in indicator.by_month or len(set(indicator.by_month) - {ALL}) > 1
                or not set(indicator.by_month) <= {ALL, *indicator.breakdowns}):
            problems.append(f"by_month {list(indicator.by_month)}: 'all' and at most one of its breakdowns "
                            f"{list(indicator.breakdowns)}")
        if indicator.by_month and indicator.history == "rolling12":
            problems.append("by_month is for a figure of the month itself, not one over a rolling 12 months")
        if indicator.unit not in UNITS:
            problems.append(f"unit {indicator.unit!r} is not one of {UNITS}")
        if indicator.polarity not in POLARITIES:
            problems.append(f"polarity {indicator.polarity!r} is not one of {POLARITIES}")
        if indicator.family not in family_ids:
            problems.append(f"family {indicator.family!r} is not declared")
        if indicator.unit in ("percent", "ratio", "rate_per_10k") and not indicator.denominator:
            problems.append(f"a {indicator.unit} needs a denominator")
        if problems:
            raise ValueError(f"catalogue entry {indicator.id!r}: " + "; ".join(problems))
        indicators.append(indicator)
    return Catalogue(families, tuple(indicators))


def _unknown_column(need: Need) -> str | None:
    """Why ``need`` names no column of the data contract, or None where it does."""
    from perfkit.records.contract import TABLES

    if need.table not in TABLES:
        return f"no table {need.table!r} in the data contract"
    if need.column not in [c.name for c in TABLES[need.table].columns]:
        return f"no column {need.column!r} in the contract's {need.table}"
    return None


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """The packaged catalogue."""
    from perfkit.config.safe_yaml import read_yaml

    return parse_catalogue(read_yaml(resources.files("perfkit.indicators").joinpath("catalogue.yaml")))


def markdown_table(catalogue: Catalogue | None = None) -> str:
    """The catalogue as a Markdown table, for the README (generated, never hand-copied).

    >>> markdown_table().splitlines()[0]
    '| id | title | family | unit | better is | definition |'
    """
    catalogue = catalogue or load_catalogue()
    families = {f.id: f.title for f in catalogue.families}
    better = {"high_is_good": "higher", "low_is_good": "lower", "none": "neither"}
    lines = ["| id | title | family | unit | better is | definition |", "| --- | --- | --- | --- | --- | --- |"]
    for i in catalogue.indicators:
        definition = " ".join(i.definition.split()).replace("|", "\\|")
        lines.append(f"| `{i.id}` | {i.title} | {families[i.family]} | {i.unit} | {better[i.polarity]} | {definition} |")
    return "\n".join(lines)


README_START = "<!-- indicators:start -->\n"
README_END = "\n<!-- indicators:end -->"


def with_indicator_table(readme: str, catalogue: Catalogue | None = None) -> str:
    """``readme`` with the text between the indicator markers replaced by :func:`markdown_table`."""
    head, rest = readme.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    return head + README_START + markdown_table(catalogue) + README_END + tail
