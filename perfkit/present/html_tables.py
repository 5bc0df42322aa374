"""Small, escaped HTML tables for member reports (no scripts, no external CSS).

The analyst's tables are drawn by great-tables; these are not, since its styles outrank the report's
print rules and reach other tables, and it writes no caption (measured in docs/tables.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Sequence


@dataclass(frozen=True)
class Cell:
    """A table cell: ``text`` is escaped. ``markup``, where given, is shown instead, as it is: only for
    HTML perfkit writes from fixed parts (the variation and assurance icons), never from data."""

    text: str
    css_class: str = ""
    markup: str | None = None

    def inner(self) -> str:
        return self.markup if self.markup is not None else escape(self.text)


@dataclass(frozen=True)
class HtmlTable:
    """A table that displays in Jupyter and in exported HTML.

    >>> HtmlTable("Caption", ["A"], [[Cell("<b>")]]).html()
    '<table class="pk-table"><caption>Caption</caption><thead><tr><th scope="col">A</th></tr></thead><tbody><tr><td>&lt;b&gt;</td></tr></tbody></table>'
    """

    caption: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    kind: str = ""
    """A further class of the table, for its styles (``pk-scorecard``): never from data."""

    def html(self) -> str:
        head = "".join(f'<th scope="col">{escape(h)}</th>' for h in self.headers)
        body = "".join(
            "<tr>" + "".join(
                f'<td class="{escape(c.css_class)}">{c.inner()}</td>' if c.css_class else f"<td>{c.inner()}</td>"
                for c in row
            ) + "</tr>"
            for row in self.rows
        )
        return (
            f'<table class="{escape(" ".join(["pk-table", *self.kind.split()]))}"><caption>{escape(self.caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )

    def _repr_html_(self) -> str:
        return self.html()
