"""What the committees asked (#19), read back from the finished member page of ``perfkit batch``.

"How many children?": every rate, percentage and ratio shows the count it is worked out from beside it,
and a breakdown of a rate shows each group's count, never "no figure". "Reasons children came into care"
must be readable: codes read in DfE's words. Groups read in their natural order (ages youngest first).
"""

from __future__ import annotations

import re

import polars as pl
import pytest

from perfkit.indicators.catalogue import MEDIAN_UNITS, load_catalogue
from perfkit.indicators.labels import AGE_GROUPS, NATURAL_ORDER, group_labels

CATALOGUE = load_catalogue()


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> tuple[str, str]:
    from perfkit.cli import main

    out = tmp_path_factory.mktemp("questions")
    assert main(["batch", "--authority", "990", "--out", str(out), "--workers", "1"]) == 0
    (html,) = list(out.glob("*/990.html"))
    return html.read_text(encoding="utf-8"), html.parent.name.replace("-Q", " Q")


@pytest.fixture(scope="module")
def truth(page) -> pl.DataFrame:
    from perfkit.pipeline.aggregates import build_report

    return build_report("990", page[1], audience="analyst").measures


def _cells(row_html: str) -> list[str]:
    from html import unescape

    return [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row_html, re.S)]


def _breakdown_rows(html: str) -> list[tuple[str, str, str]]:
    from html import unescape

    found = re.findall(r'<tr><td>([^<]+ by [^<]+)</td><td>([^<]+)</td><td class="pk-num">([^<]*)</td></tr>', html)
    return [(unescape(c), unescape(g), unescape(v)) for c, g, v in found]


def test_every_rate_and_percentage_shows_how_many_children_beside_it(page, truth):
    html, period = page
    families = re.findall(r'<table class="pk-table pk-family">.*?</table>', html, re.S)
    scorecard = re.search(r'<table class="pk-table pk-scorecard">.*?</table>', html, re.S).group(0)
    for table in [*families, scorecard]:
        headers = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]
        assert headers[1:3] == [period, "Number"]
    headline = truth.filter((pl.col("period") == period) & (pl.col("breakdown") == "all"))
    counted = 0
    rows = [row for table in families for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]]
    assert [_cells(r)[:3] for r in rows] == [_cells(r)[:3] for r in re.findall(r"<tr>(.*?)</tr>", scorecard, re.S)[1:]]
    for row in rows:
        title, figure, number = _cells(row)[:3]
        indicator = next(i for i in CATALOGUE.indicators if i.title == title)
        true = headline.filter(pl.col("indicator") == indicator.id).row(0, named=True)
        if indicator.unit in ("count", *MEDIAN_UNITS) or not re.match(r"^[\d,.]+", figure):
            assert number == "", title  # a count is its own number; nothing beside a figure not shown
            continue
        numbers = [float(n.replace(",", "")) for n in re.findall(r"[\d,]*\.?\d+", number)]
        assert numbers[0] == pytest.approx(true["numerator"], abs=0.05), title
        if indicator.unit == "rate_per_10k":
            assert number.endswith(indicator.noun), title  # "300 children on a plan"
        else:
            assert numbers[1] == pytest.approx(true["denominator"], abs=0.05), title  # "59 of 107"
        counted += 1
    assert counted >= 25


def test_a_breakdown_of_a_rate_shows_each_groups_count_never_no_figure(page, truth):
    html, period = page
    rates = {i.title: i for i in CATALOGUE.indicators if i.unit == "rate_per_10k"}
    rows = [r for r in _breakdown_rows(html) if r[0].split(" by ")[0] in rates]
    assert len(rows) >= 40
    assert not [r for r in rows if r[2] == "no figure"]
    shown = [r for r in rows if re.match(r"^[\d,]+ ", r[2])]
    assert len(shown) >= 30
    for choice, group, text in shown:
        indicator = rates[choice.split(" by ")[0]]
        assert text.endswith(" " + indicator.noun), (choice, group, text)
        number = float(text.split(" ")[0].replace(",", ""))
        true = truth.filter((pl.col("period") == period) & (pl.col("indicator") == indicator.id)
                            & (pl.col("group") == group) & (pl.col("breakdown") != "all"))
        assert number in true["numerator"].to_list(), (choice, group, text)


def test_codes_read_in_dfe_words_and_ages_youngest_first(page):
    html, _ = page
    rows = _breakdown_rows(html)
    for breakdown, words in (("legal status", "legal_status"), ("category of need", "category_of_need")):
        groups = {g for c, g, _ in rows if c.endswith(f" by {breakdown}")}
        assert groups, breakdown
        assert groups <= set(group_labels()[words].values()) | {"Not recorded"}, groups
        assert not any(re.fullmatch(r"[A-Z]\d", g) for g in groups)
    assert "Single period of accommodation under section 20" in {g for c, g, _ in rows if c.endswith(" by legal status")}
    for choice in {c for c, _, _ in rows if c.endswith(" by age band")}:
        groups = [g for c, g, _ in rows if c == choice]
        order = AGE_GROUPS if choice.split(" by ")[0] not in {i.title for i in CATALOGUE.in_family("care_leavers")} \
            else ("17-18", "19-21")
        assert groups == [a for a in order if a in groups], (choice, groups)


def test_a_trajectory_is_drawn_forward_to_its_end_point_and_not_backwards(page):
    """Devon asked for "a trajectory of the reductions": 990's agency rate goes from 17.0% in 2024-25 Q4 to
    10.0% in 2025-26 Q4 (parameters/targets.yaml). Its chart draws the path forward to the end point, no
    target before the path began (a flat 17.0 ran back over twelve quarters), and the sentence names the end."""
    import json

    from perfkit.config import paths
    from perfkit.indicators.periods import Period
    from perfkit.indicators.targets import load_targets

    html, period = page
    target = load_targets(paths.targets_file(), "990", CATALOGUE)["sw_agency_rate"]
    assert target.final == ("2025-26 Q4", 10.0)
    decoder = json.JSONDecoder()
    rows = [r for m in re.finditer(r'vegaEmbed\("#pk-chart-[0-9a-f]+", ', html)
            for r in decoder.raw_decode(html, m.end())[0].get("data", {}).get("values", [])
            if r.get("title") == "Agency social workers"]
    by_period = {r["period"]: r for r in rows}
    future = sorted((p for p in by_period if Period.parse(p).index > Period.parse(period).index),
                    key=lambda p: Period.parse(p).index)
    assert future == [q.label for q in target.ahead(Period.parse(period))] and future[-1] == "2025-26 Q4"
    assert all(by_period[p]["value"] is None and by_period[p].get("target") is not None for p in future)
    assert by_period["2025-26 Q4"]["target"] == 10.0 and by_period[period]["target"] == 17.0
    assert by_period["2025-26 Q2"]["target"] == pytest.approx(13.5)  # halfway along the straight line
    past = [p for p in by_period if Period.parse(p).index < Period.parse(period).index]
    assert past and all(by_period[p].get("target") is None for p in past)  # the path had not begun
    assert "on a trajectory to 10.0% by 2025-26 Q4" in re.sub(r"<[^>]+>", "", html)
    assert "<td>Agency social workers: target</td>" in html


def test_jargon_is_explained_in_a_glossary_and_tooltips(page):
    """s47, ICPC, UASC, the National Transfer Scheme threshold, "Better is: neither": each word the report
    uses is explained at its end in plain English, and its abbreviations carry the meaning as a tooltip."""
    from html import unescape

    from perfkit.present.glossary import terms, used_in

    html, _ = page
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    assert "Words used in this report" in text
    glossary = text[text.index("Words used in this report"):]
    for word in ("Section 47 enquiry (s47)", "Initial child protection conference (ICPC)",
                 "Unaccompanied asylum-seeking children (UASC)", "National Transfer Scheme threshold", "Better is",
                 "Process limits", "Statistical neighbours", "Each quarter alone, annualised", "Trajectory"):
        assert word in glossary, word
    abbreviations = re.findall(r'<abbr title="([^"]+)">([^<]+)</abbr>', html)
    assert {a for _, a in abbreviations} >= {"UASC", "FTE"}
    meaning = {t.abbreviation: t for t in terms()}
    for title, abbreviation in abbreviations:
        assert unescape(title).startswith(meaning[abbreviation].term + ": "), abbreviation
    assert all(t.means.strip() and t.words and all(isinstance(w, str) for w in t.words) for t in terms())
    assert [t.term for t in used_in("seven per 10,000")] == ["Per 10,000 children"]
    assert used_in("nothing here") == []


def test_open_ehc_requests_are_counted_with_those_open_over_20_weeks(page, truth):
    """"66 open EHCP assessments, 8 of those were over the 20 week target" (minutes 001): every request open at
    the period end, and how many of them have been open over 20 weeks, read back from the page."""
    html, period = page
    title = CATALOGUE["ehcp_open"].title
    rows = [r for r in _breakdown_rows(html) if r[0] == f"{title} by time open"]
    assert {g for _, g, _ in rows} == {"Open 20 weeks or less", "Open over 20 weeks"}
    truth_now = truth.filter(pl.col("period") == period)

    def true(indicator: str, group: str = "all") -> float:
        return truth_now.filter((pl.col("indicator") == indicator) & (pl.col("group") == group))["numerator"][0]

    over = next(v for _, g, v in rows if g == "Open over 20 weeks")
    assert float(over.split(" ")[0].replace(",", "")) == true("ehcp_open_over_20wk") == true("ehcp_open", "Open over 20 weeks")
    assert f"{true('ehcp_open'):,.0f}" in html and title in html


def test_assessments_still_open_over_45_working_days_are_counted(page, truth):
    """"Why the number of assessments taking more than 45 days had increased" (minutes 000): those already
    over 45 working days and not yet authorised, which the 45-day figure counts only once authorised, read
    back from the scorecard."""
    html, period = page
    scorecard = re.search(r'<table class="pk-table pk-scorecard">.*?</table>', html, re.S).group(0)
    title = CATALOGUE["assessments_open_over_45wd"].title
    (row,) = [_cells(r) for r in re.findall(r"<tr>(.*?)</tr>", scorecard, re.S) if _cells(r)[:1] == [title]]
    true = truth.filter((pl.col("period") == period) & (pl.col("indicator") == "assessments_open_over_45wd")
                        & (pl.col("breakdown") == "all"))["numerator"][0]
    assert true >= 5 and row[1] == f"{true:,.0f}"


def test_the_missing_section_joins_the_frequent_absconders_to_its_sentence(page, truth):
    """"The phrasing of the comments address the above" (minutes 004: how many children, how often, frequent
    absconders, still missing): after the episodes and children, one sentence gives the children missing 3 or
    more times in the 12 months and those still missing, each as the scorecard shows it."""
    from html import unescape

    html, period = page
    scorecard = re.search(r'<table class="pk-table pk-scorecard">.*?</table>', html, re.S).group(0)
    shown = {c[0]: c[1] for c in (_cells(r) for r in re.findall(r"<tr>(.*?)</tr>", scorecard, re.S)) if c}
    repeat, at_end = (shown[CATALOGUE[i].title] for i in ("missing_repeat_children", "missing_at_end"))
    sentence = unescape(re.search(r"<p>In \S+ \S+ there [^<]*? per child\. (In the 12 months to [^<]*)</p>", html).group(1))
    assert sentence == (f"In the 12 months to 31 March 2025, {repeat} children went missing 3 or more times; "
                        f"{at_end} were still missing at the quarter's end.")
    assert truth.filter((pl.col("period") == period) & (pl.col("indicator") == "missing_repeat_children")
                        & (pl.col("breakdown") == "all"))["numerator"][0] == float(repeat.replace(",", ""))


@pytest.mark.parametrize("indicator, breakdown, asked", [
    ("cla_starts", "age_band", "Under 1"),  # "a reduction in the number of very young children being taken into care"
    ("referrals", "referral_source", "Schools and education"),  # "training ... for schools to ensure appropriate referrals"
    ("missing_children", "sex", "Female"),  # "any gender issues, risks or trends in the children missing"
])
def test_a_groups_figure_is_shown_beside_the_same_quarter_a_year_earlier(page, truth, indicator, breakdown, asked):
    """Members asked how a group moves (minutes 000 and 001): the breakdowns the catalogue shows year on year
    give each group this quarter and a year earlier, with the change, read back from the page against the true
    figures. A hidden figure is hidden in its quarter's column, and then no change is given."""
    from html import unescape

    from perfkit.indicators.periods import Period
    from perfkit.present.breakdown_tables import choice

    html, period = page
    earlier = Period.parse(period).year_earlier().label
    title = choice(CATALOGUE[indicator], breakdown)
    table = re.search(f"<caption>{re.escape(title)}: {period} and a year earlier</caption>(.*?)</table>", html, re.S)
    assert table, title
    groups = [unescape(g) for g in re.findall(r'<th scope="col">([^<]*)</th>', table.group(1))][1:]
    rows = {cells[0]: cells[1:] for cells in (_cells(r) for r in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)) if cells}
    assert list(rows) == [period, earlier, "Change"] and asked in groups
    compared = 0
    for k, group in enumerate(groups):
        for quarter in (period, earlier):
            true = truth.filter((pl.col("period") == quarter) & (pl.col("indicator") == indicator)
                                & (pl.col("breakdown") == breakdown) & (pl.col("group") == group))["numerator"]
            value = true[0] if len(true) else 0.0  # a group with no row had none that quarter
            text = rows[quarter][k]
            if text in ("fewer than 5", "withheld"):
                assert text == "withheld" or 0 < value < 5, (group, quarter)
            else:
                assert float(text.replace(",", "")) == value, (group, quarter)
                compared += 1
        now, before = rows[period][k], rows[earlier][k]
        if now[:1].isdigit() and before[:1].isdigit():
            difference = float(now.replace(",", "")) - float(before.replace(",", ""))
            assert rows["Change"][k] == (f"{difference:+,.0f}" if difference else "0")
        else:
            assert rows["Change"][k] == ""
    assert compared >= len(groups)


def test_older_children_are_counted_at_16_and_at_17_and_over(page, truth):
    """"Five under-16s in care in unregistered accommodation … the number for the older age range of 17-18"
    (minute 002) and "the majority [missing] are 16 years old and over and quite a lot are 17 and 18"
    (minute 003): children in independent or semi-independent living, or supported accommodation, and
    children who went missing, by age with 16, and 17 and over, apart, read back from the page: every
    band youngest first, 0 under 16 where no child is placed, each figure the true one or "fewer than 5"."""
    html, period = page
    rows = _breakdown_rows(html)
    for indicator, breakdown, words, order in (
            ("cla_semi_independent", "age_under_16", "under 16, 16, 17 and over", NATURAL_ORDER["age_under_16"]),
            ("missing_children", "age_band_16_17", "16, and 17 and over, apart", NATURAL_ORDER["age_band_16_17"]),
            ("missing_episodes", "age_band_16_17", "16, and 17 and over, apart", NATURAL_ORDER["age_band_16_17"])):
        choice = f"{CATALOGUE[indicator].title} by age ({words})"
        shown = [(g, text) for c, g, text in rows if c == choice]
        groups = [g for g, _ in shown]
        assert {"16", "17 and over"} <= set(groups), (indicator, groups)
        assert groups == [a for a in order if a in groups], (indicator, groups)
        true = truth.filter((pl.col("period") == period) & (pl.col("indicator") == indicator)
                            & (pl.col("breakdown") == breakdown))
        for group, text in shown:
            count = true.filter(pl.col("group") == group)["numerator"].item()
            if text == "fewer than 5":
                assert 0 < count < 5, (indicator, group)
            elif text != "withheld":
                assert float(text.split(" ")[0].replace(",", "")) == count, (indicator, group, text)
        if indicator == "cla_semi_independent":
            assert dict(shown)["Under 16"] == "0", shown


def test_children_missing_again_and_again_are_shown_by_whether_referred(page, truth):
    """"If they went missing repeatedly they would be referred to social care" (minute 000): the children
    with 3 or more missing episodes in 12 months, by whether referred by the quarter's end, read back."""
    html, period = page
    choice = f"{CATALOGUE['missing_repeat_children'].title} by referred to social care by the period end or not"
    shown = {g: text for c, g, text in _breakdown_rows(html) if c == choice}
    assert set(shown) == set(group_labels()["referred_by_end"].values()), shown
    true = truth.filter((pl.col("period") == period) & (pl.col("indicator") == "missing_repeat_children")
                        & (pl.col("breakdown") == "referred_by_end"))
    for group, text in shown.items():
        count = true.filter(pl.col("group") == group)["numerator"].item()
        assert text == "fewer than 5" and 0 < count < 5 or text == f"{count:,.0f}", (group, text, count)


def test_care_leavers_suitable_accommodation_is_broken_down_by_accommodation_type(page, truth):
    """"Concerns about 25% of care leavers in unsuitable accommodation, but welcomes further information"
    (minutes 002): the share in suitable accommodation for each type of accommodation, read back from the page.
    A type whose few care leavers not in suitable accommodation would be worked out is withheld."""
    html, period = page
    title = f"{CATALOGUE['care_leavers_suitable_pct'].title} by accommodation"
    rows = [r for r in _breakdown_rows(html) if r[0] == title]
    assert len(rows) >= 5
    now = truth.filter((pl.col("period") == period) & (pl.col("indicator") == "care_leavers_suitable_pct")
                       & (pl.col("breakdown") == "care_leaver_accommodation"))
    shown = 0
    for _, group, text in rows:
        (numerator, denominator) = now.filter(pl.col("group") == group).select("numerator", "denominator").row(0)
        if text == "withheld":
            continue
        assert text == f"{numerator / denominator * 100:.1f}%", group
        assert min(numerator, denominator) >= 5 and denominator - numerator not in range(1, 5), group
        shown += 1
    assert shown >= 1


def _month_table(html: str) -> tuple[str, list[str], list[list[str]]]:
    from html import unescape

    table = re.search(r"<caption>(Month by month, [^<]*)</caption>(.*?)</table>", html, re.S)
    assert table, "the member page has no month-by-month table"
    months = [unescape(h) for h in re.findall(r'<th scope="col">([^<]*)</th>', table.group(2))][1:]
    return unescape(table.group(1)), months, [_cells(r) for r in re.findall(r"<tr>(.*?)</tr>", table.group(2), re.S) if _cells(r)]


def test_figures_are_shown_month_by_month_over_13_months(page, truth):
    """"Largest number of referrals in July", "contacts go down in the summer holidays and rise in September"
    (minutes 000, 003), "children missing from care at any time in the month" (004), "agency social workers
    increased in October" (002): the 13 months to the quarter's end, read back against the true figures; a
    hidden month is small or withheld; the three months of the quarter add up to the quarter's figure the
    page shows."""
    from perfkit.indicators.periods import Month, Period

    html, period = page
    caption, headers, rows = _month_table(html)
    months = Month.containing(Period.parse(period).end).series(13)
    assert headers == [m.short for m in months] and caption.startswith(f"Month by month, {months[0].name} to {months[-1].name}")
    names = [r[0] for r in rows]
    assert names == ["Contacts", "Referrals", "Children who went missing", "Missing from care", "Missing from home",
                     "Agency social workers"]
    keys = {"Contacts": ("contacts", "all", "all"), "Referrals": ("referrals", "all", "all"),
            "Children who went missing": ("missing_children", "all", "all"),
            "Missing from care": ("missing_children", "looked_after", "Missing from care"),
            "Missing from home": ("missing_children", "looked_after", "Missing from home"),
            "Agency social workers": ("sw_agency_rate", "all", "all")}
    compared = hidden = 0
    for row in rows:
        indicator, breakdown, group = keys[row[0]]
        for month, text in zip(months, row[1:]):
            true = truth.filter((pl.col("period") == month.label) & (pl.col("indicator") == indicator)
                                & (pl.col("breakdown") == breakdown) & (pl.col("group") == group))
            value = true["value"][0] if true.height else 0.0
            if text in ("fewer than 5", "withheld"):
                assert text == "withheld" or 0 < value < 5, (row[0], month.label)
                hidden += 1
            elif indicator == "sw_agency_rate":
                assert text == f"{value:.1f}%", (row[0], month.label)
                compared += 1
            else:
                assert float(text.replace(",", "")) == value, (row[0], month.label)
                compared += 1
    assert compared >= 60 and hidden >= 1
    # the contacts of the summer holidays: August the fewest of the 13 months in the embedded data
    contacts = dict(zip(headers, (float(t.replace(",", "")) for t in rows[0][1:])))
    assert min(contacts, key=contacts.get) == "Aug 2024"
    # the quarter's three months add up to the quarter's contacts as the page's trend table shows them
    trend = re.search(r"<caption>Contacts and referrals: the figures in the chart</caption>(.*?)</table>", html, re.S)
    quarter_headers = re.findall(r'<th scope="col">([^<]*)</th>', trend.group(1))
    contacts_row = next(c for c in (_cells(r) for r in re.findall(r"<tr>(.*?)</tr>", trend.group(1), re.S)) if c and c[0] == "Contacts")
    shown_quarter = float(contacts_row[quarter_headers.index(period)].replace(",", ""))
    assert sum(list(contacts.values())[-3:]) == shown_quarter


def test_the_audit_reads_the_month_table_and_catches_what_is_planted(page, truth):
    """The audit places every cell of the month-by-month table; a withheld month given back, a wrong month,
    or a row it does not know fails the page."""
    from perfkit.present.disclosure_audit import audit_page
    from perfkit.pipeline.aggregates import build_report

    html, period = page
    report = build_report("990", period, audience="analyst")
    assert audit_page(html, truth, report.quality, period) == []
    caption, headers, rows = _month_table(html)
    care = next(r for r in rows if r[0] == "Missing from care")
    k = next(i for i, t in enumerate(care[1:], start=1) if t in ("withheld", "fewer than 5"))
    from perfkit.indicators.periods import Month

    month = Month.from_short(headers[k - 1])
    value = truth.filter((pl.col("period") == month.label) & (pl.col("indicator") == "missing_children")
                         & (pl.col("group") == "Missing from care"))["value"][0]
    table = re.search(r"<caption>Month by month, .*?</table>", html, re.S).group(0)
    cells = re.findall(r'<td class="pk-group">Missing from care</td>(.*?)</tr>', table, re.S)[0]
    tds = re.findall(r"<td[^>]*>[^<]*</td>", cells)
    given_back = table.replace(cells, cells.replace(tds[k - 1], f'<td class="pk-num">{value:.0f}</td>', 1), 1)
    findings = audit_page(html.replace(table, given_back), truth, report.quality, period)
    assert any("small" in f.problem or "worked out" in f.problem for f in findings), findings
    wrong = table.replace("<td>Referrals</td><td class=\"pk-num\">", "<td>Referrals</td><td class=\"pk-num\">9", 1)
    assert any("not the figure its place names" in f.problem for f in audit_page(html.replace(table, wrong), truth, report.quality, period))
    unknown = table.replace("<td>Referrals</td>", "<td>Re-referrals within 12 months</td>", 1)
    assert any("cannot place" in f.problem for f in audit_page(html.replace(table, unknown), truth, report.quality, period))
