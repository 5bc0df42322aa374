"""The member report's tables drawn by great-tables instead of perfkit's own ``HtmlTable``: what it costs.

    python bench/member_tables.py [--authority 990] [--out DIR]

Issue #22 asked whether the member report's tables should move to great-tables,
as the analyst's tables did. This script answers with figures, on a real page:
it makes the authority's member report (``perfkit report --authority``), then
rebuilds every ``pk-table`` in it with great-tables, from the same headers and
the same cell contents, in two ways:

- ``great-tables``: its own styles, as an analyst's table is drawn;
- ``great-tables, sized``: ``tab_options`` set to the printed report's sizes
  (7pt type, cells padded 1px), the nearest great-tables comes to the page.

To keep what members and the disclosure audit rely on, each rebuilt table is
given what great-tables does not write: the ``<caption>`` that names the table
to a screen reader, and perfkit's classes (``pk-table`` and the table's kind)
that the print styles and the audit read. Each column's great-tables id is made
unique within the page (great-tables names a header cell by its column, so the
same column name in two tables would give two elements one id).

For each page it prints the size, the elements sharing an id, the style rules
great-tables writes that reach beyond its own table, and the printed A4 pages
(headless Chromium, as ``perfkit batch --pdf`` prints). Results are in
``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from html import escape
from pathlib import Path

PAGE_BOUND = 12
"""At most 12 printed A4 pages (issue #19)."""


def rebuilt(table, index: int, sized: bool) -> str:
    """``table`` (a BeautifulSoup ``pk-table``) drawn by great-tables, with its caption and classes put back."""
    import polars as pl
    from great_tables import GT

    headers = [th.get_text(" ", strip=True) for th in table.thead.find_all("th")]
    columns = [f"t{index}c{n}" for n in range(len(headers))]
    rows = [[td.decode_contents() for td in tr.find_all("td")] for tr in table.tbody.find_all("tr")]
    frame = pl.DataFrame({c: [r[n] if n < len(r) else "" for r in rows] for n, c in enumerate(columns)},
                         schema={c: pl.Utf8 for c in columns})
    gt = GT(frame).cols_label(**dict(zip(columns, headers))).fmt(lambda cell: cell, columns=columns)  # cells are perfkit's escaped HTML
    if sized:
        gt = gt.tab_options(table_font_size="7pt", data_row_padding="1px", column_labels_padding="1px",
                            table_width="100%", container_padding_y="0px", table_margin_left="0px")
    html = gt.as_raw_html(make_page=False)
    kinds = " ".join(table.get("class") or [])
    html = html.replace('class="gt_table"', f'class="gt_table {escape(kinds)}"', 1)
    caption = table.caption.decode_contents() if table.caption else ""
    return re.sub(r"(<table[^>]*>)", lambda m: m.group(1) + f"<caption>{caption}</caption>", html, count=1)


def page_with_great_tables(page: Path, target: Path, sized: bool) -> int:
    """Write ``page`` with every pk-table rebuilt; return how many tables were."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    tables = soup.select("table.pk-table")
    for index, table in enumerate(tables):
        table.replace_with(BeautifulSoup(rebuilt(table, index, sized), "html.parser"))
    target.write_text(str(soup), encoding="utf-8")
    return len(tables)


def leaking_rules(html: str) -> int:
    """Style rules in great-tables' blocks whose selector list has a part not scoped by the table's id."""
    count = 0
    for block in re.findall(r"<style>(.*?)</style>", html, flags=re.S):
        if ".gt_table" not in block:
            continue
        for selector in re.findall(r"([^{}]+)\{", block):
            parts = [p.strip() for p in selector.split(",") if p.strip()]
            if any(not p.startswith("#") and not p.startswith("@") for p in parts):
                count += 1
    return count


def figures(page: Path, browser: str | None) -> dict[str, object]:
    from perfkit.pipeline.printing import print_pdf

    html = page.read_text(encoding="utf-8")
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    printed = print_pdf(page, browser) if browser else None
    return {
        "bytes": len(html.encode("utf-8")),
        "tables": html.count("<table"),
        "captions": html.count("<caption"),
        "elements sharing an id": sum(n for n in ids.values() if n > 1),
        "style rules reaching beyond their table": leaking_rules(html),
        "printed pages": (printed.pages if printed and printed.pdf else (printed.error if printed else "no chromium")),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--authority", default="990")
    parser.add_argument("--out", type=Path, help="where to keep the pages (a temporary folder by default)")
    args = parser.parse_args(argv)

    from perfkit.cli import main as perfkit
    from perfkit.pipeline.printing import find_browser

    with tempfile.TemporaryDirectory(prefix="perfkit-tables-") as work:
        out = args.out or Path(work)
        if perfkit(["report", "--authority", args.authority, "--out", str(out / "reports")]) != 0:
            print("the member report was not made", file=sys.stderr)
            return 1
        (page,) = (out / "reports").glob(f"*/{args.authority}.html")
        pages = {"perfkit's HtmlTable (the report as published)": page}
        for name, sized in (("great-tables", False), ("great-tables, sized", True)):
            target = out / f"{args.authority}-{name.replace(', ', '-').replace(' ', '-')}.html"
            page_with_great_tables(page, target, sized)
            pages[name] = target
        browser = find_browser()
        rows = {name: figures(path, browser) for name, path in pages.items()}
        base = rows["perfkit's HtmlTable (the report as published)"]["bytes"]
        for name, row in rows.items():
            print(f"{name}:")
            for key, value in row.items():
                extra = f" ({value / base:.2f}x)" if key == "bytes" else ""
                bound = f" (bound {PAGE_BOUND})" if key == "printed pages" else ""
                print(f"  {key}: {value}{extra}{bound}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
