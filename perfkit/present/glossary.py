"""The words members may not know, in plain English: the report's glossary and the tooltips in its tables.

The terms are declared once, in ``templates/glossary.yaml``; a report lists those it uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from importlib import resources


@dataclass(frozen=True)
class Term:
    term: str
    means: str
    abbreviation: str = ""
    matches: tuple[str, ...] = ()

    @property
    def words(self) -> tuple[str, ...]:
        """The words that show a text uses the term: ``matches``, else its name and abbreviation."""
        return self.matches or tuple(w for w in (self.term, self.abbreviation) if w)


@lru_cache(maxsize=1)
def terms() -> tuple[Term, ...]:
    """Every term of the glossary, in its order.

    >>> next(t for t in terms() if t.abbreviation == "UASC").term
    'Unaccompanied asylum-seeking children'
    """
    from perfkit.config.safe_yaml import read_yaml

    document = read_yaml(resources.files("perfkit.present").joinpath("templates/glossary.yaml"))
    found = tuple(Term(**{**entry, "matches": tuple(entry.get("matches", ()))}) for entry in document["terms"])
    for t in found:  # a comma inside an unquoted list item splits it ([per 10,000] is "per 10" and 0)
        if not all(isinstance(w, str) and w for w in (t.term, t.means, *t.words)):
            raise ValueError(f"glossary.yaml, term {t.term!r}: every word must be text, quoted where it holds a comma")
    return found


def _pattern(word: str) -> re.Pattern:
    """The word on its own (a plural too), in any case."""
    return re.compile(rf"(?<![\w-]){re.escape(word)}(?:s|es)?(?![\w-])", re.IGNORECASE)


def used_in(text: str) -> list[Term]:
    """The terms ``text`` uses (by name or abbreviation), in the glossary's order.

    >>> [t.term for t in used_in("Section 47 enquiries per 10,000 and UASC looked after")]
    ['Section 47 enquiry', 'Looked after', 'Unaccompanied asylum-seeking children', 'Per 10,000 children']
    """
    return [t for t in terms() if any(_pattern(w).search(text) for w in t.words)]


def with_tooltips(text: str) -> str:
    """``text`` as escaped HTML, each abbreviation the glossary explains marked with its meaning (``<abbr>``).

    >>> with_tooltips("UASC <looked after>")
    '<abbr title="Unaccompanied asylum-seeking children: Children who have come to the UK alone to seek asylum, looked after by the council.">UASC</abbr> &lt;looked after&gt;'
    """
    html = escape(text)
    for t in terms():
        if t.abbreviation and t.abbreviation.isupper():
            title = escape(f"{t.term}: {t.means}", quote=True)
            html = re.sub(rf"(?<![\w-]){re.escape(t.abbreviation)}(?![\w-])",
                          f'<abbr title="{title}">{escape(t.abbreviation)}</abbr>', html)
    return html


def small_print(html: str) -> str:
    """Reference text (definitions, the glossary) in a block set small, its lists in two columns, on paper."""
    return f'<div class="pk-small-print">{html}</div>'


def glossary_html(used: list[Term]) -> str:
    """The glossary section: each term the report uses, with what it means (escaped HTML).

    >>> html = glossary_html(used_in("UASC <b>"))
    >>> html.startswith('<h2 id="words-used">'), "<strong>Unaccompanied asylum-seeking children (UASC)</strong>" in html
    (True, True)
    """
    items = "".join(f"<li><strong>{escape(f'{t.term} ({t.abbreviation})' if t.abbreviation else t.term)}</strong>: "
                    f"{escape(t.means)}</li>" for t in used)
    return f'<h2 id="words-used">Words used in this report</h2>{small_print(f"<ul>{items}</ul>")}'
