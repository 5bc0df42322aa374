"""The member page's borrowed styles, cut to what the page uses.

nbconvert's ``lab`` template inlines all of JupyterLab's stylesheet (some
240 kB: toolbars, file browsers, icons as data URIs) and its theme's custom
properties into every page, though a member report has a few dozen
JupyterLab classes. :func:`trim_borrowed_styles` keeps, of the styles the
template adds, the rules whose selectors can match an element of the page
and the custom properties something on the page still refers to; the
report's own stylesheet (``id="pk-styles"``) is never touched. The page
draws exactly as before (``tests/test_page_styles.py`` compares it, drawn
in Chromium, on screen and on paper).

A selector is kept unless it needs a class that no element of the page
has: classes inside a functional pseudo-class (``:not(.x)``, ``:is(.a, .b)``)
never count against it, so a rule is dropped only when it cannot match.
Rules other than style rules (``@page``, ``@font-face``, ``@keyframes``)
are kept as they are; ``@media`` and ``@supports`` are cut inside.
"""

from __future__ import annotations

import re
from functools import lru_cache

OWN_STYLES_ID = "pk-styles"
"""The ``id`` of the report's own ``<style>`` element (``templates/report.css``), which is kept whole."""

_STYLE = re.compile(r'<style type="text/css"( id="[^"]*")?>(.*?)</style>\s*', re.DOTALL)
_CLASS_ATTRIBUTE = re.compile(r'\bclass="([^"]*)"')
_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_PARENTHESES = re.compile(r"\([^()]*\)")
_VARIABLE = re.compile(r"var\(\s*(--[\w-]+)")
_BODY = '<body class="jp-Notebook"'
_CUT_INSIDE = ("media", "supports")


def page_classes(html: str) -> frozenset[str]:
    """Every class of an element in the page's body (from ``<body class="jp-Notebook"``).

    >>> sorted(page_classes('<head></head><body class="jp-Notebook"><div class="a b"><p class="b">'))
    ['a', 'b', 'jp-Notebook']
    """
    body = html[max(html.find(_BODY), 0):]
    return frozenset(name for found in _CLASS_ATTRIBUTE.finditer(body) for name in found[1].split())


def needs(selector: str) -> set[str]:
    """The classes an element must have for ``selector`` to match it (none inside a pseudo-class's parentheses).

    >>> sorted(needs(".jp-Cell:not(.jp-mod-noOutputs) .jp-OutputArea"))
    ['jp-Cell', 'jp-OutputArea']
    >>> needs("[data-jp-theme-light='true'] body")
    set()
    """
    while _PARENTHESES.search(selector):
        selector = _PARENTHESES.sub("", selector)
    return set(_CLASS.findall(selector))


def rules_that_match(css: str, classes: frozenset[str]) -> str:
    """``css`` without the style rules none of whose selectors can match an element with only ``classes``.

    >>> rules_that_match(".a .b { color: red } .c, .a { margin: 0 } @media print { .c { color: blue } } @page { margin: 1cm }",
    ...                  frozenset({"a", "b"}))
    '.a .b { color: red }\\n.c, .a { margin: 0 }\\n@page { margin: 1cm }'
    """
    import tinycss2

    def kept(rules) -> list[str]:
        out = []
        for rule in rules:
            if rule.type == "qualified-rule":
                selectors = _split_selectors(tinycss2.serialize(rule.prelude))
                if any(needs(selector) <= classes for selector in selectors):
                    out.append(rule.serialize())
            elif rule.type == "at-rule" and rule.lower_at_keyword in _CUT_INSIDE and rule.content is not None:
                inside = kept(tinycss2.parse_rule_list(rule.content, skip_whitespace=True, skip_comments=True))
                if inside:
                    out.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{chr(10).join(inside)}}}")
            elif rule.type == "at-rule":
                out.append(rule.serialize())
        return out

    return "\n".join(kept(tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True)))


def _split_selectors(prelude: str) -> list[str]:
    """A selector list split at its top-level commas (a comma inside ``:is(...)`` does not split)."""
    parts, depth, start = [], 0, 0
    for position, character in enumerate(prelude):
        depth += {"(": 1, ")": -1}.get(character, 0)
        if character == "," and depth == 0:
            parts.append(prelude[start:position])
            start = position + 1
    return parts + [prelude[start:]]


def properties_in_use(css: str, elsewhere: str) -> str:
    """``css`` without the custom properties (``--name: ...``) that nothing refers to.

    A custom property is in use when ``elsewhere`` (the rest of the page) or a
    declaration kept in ``css`` refers to it with ``var(--name``; the search
    runs until no more are found, as one property may refer to another. A
    rule left with no declaration goes.

    >>> properties_in_use(":root { --a: 1px; --b: var(--c); --c: 2px; --d: 3px } .x { margin: var(--a) }", "var(--b)")
    ':root{--a:1px;--b:var(--c);--c:2px}\\n.x{margin:var(--a)}'
    """
    import tinycss2

    def declarations(rule):
        return [d for d in tinycss2.parse_declaration_list(rule.content, skip_whitespace=True, skip_comments=True)
                if d.type == "declaration"]

    rules = [(rule, declarations(rule) if rule.type == "qualified-rule" else None)
             for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True)]
    used = set(_VARIABLE.findall(elsewhere))
    while True:
        referring = [rule.serialize() for rule, found in rules if found is None]
        referring += [tinycss2.serialize(d.value) for _, found in rules for d in found or ()
                      if not d.name.startswith("--") or d.name in used]
        more = used | set(_VARIABLE.findall(" ".join(referring)))
        if more == used:
            break
        used = more
    out = []
    for rule, found in rules:
        if found is None:
            out.append(rule.serialize())
            continue
        kept = [d for d in found if not d.name.startswith("--") or d.name in used]
        if kept:
            body = ";".join(f"{d.name}:{tinycss2.serialize(d.value).strip()}" + ("!important" if d.important else "")
                            for d in kept)
            out.append(f"{tinycss2.serialize(rule.prelude).strip()}{{{body}}}")
    return "\n".join(out)


def trim_borrowed_styles(html: str) -> str:
    """``html`` with the styles its template borrowed cut to the rules and properties the page uses.

    Every ``<style type="text/css">`` element after the report's own (``id="pk-styles"``) and before the
    body is cut (:func:`rules_that_match`, then :func:`properties_in_use`) and the cut styles are written,
    in their order, as one element where the first of them was. Nothing before the report's own styles
    is read (the Vega libraries inlined there hold text of every kind).

    >>> page = ('<head><style type="text/css" id="pk-styles">.pk { color: var(--own) }</style>'
    ...         '<style type="text/css">:root { --own: red; --unused: blue } .jp-Toolbar { margin: 0 }</style>'
    ...         '<style type="text/css">.jp-Cell { margin: 0 }</style></head><body class="jp-Notebook"><div class="jp-Cell">')
    >>> print(trim_borrowed_styles(page))
    <head><style type="text/css" id="pk-styles">.pk { color: var(--own) }</style><style type="text/css">:root{--own:red}
    .jp-Cell{margin:0}</style></head><body class="jp-Notebook"><div class="jp-Cell">
    """
    own = html.find(f'<style type="text/css" id="{OWN_STYLES_ID}">')
    body = html.find(_BODY)
    borrowed = [found for found in _STYLE.finditer(html, max(own, 0), body if body >= 0 else len(html))
                if found[1] != f' id="{OWN_STYLES_ID}"']
    if not borrowed:
        return html
    css = "\n".join(_cut(found[2], page_classes(html)) for found in borrowed)
    rest = "".join(html[start:end] for start, end in _gaps(html, borrowed))
    trimmed = properties_in_use(css, rest)
    pieces, position = [], 0
    for number, found in enumerate(borrowed):
        pieces.append(html[position:found.start()])
        if number == 0:
            pieces.append(f'<style type="text/css">{trimmed}</style>')
        position = found.end()
    return "".join(pieces) + html[position:]


@lru_cache(maxsize=16)
def _cut(css: str, classes: frozenset[str]) -> str:
    """:func:`rules_that_match`, kept for the next page: a batch's pages share their styles and classes."""
    return rules_that_match(css, classes)


def _gaps(html: str, found: list[re.Match]) -> list[tuple[int, int]]:
    """The stretches of ``html`` between the matches ``found`` (in order)."""
    starts = [0] + [f.end() for f in found]
    ends = [f.start() for f in found] + [len(html)]
    return list(zip(starts, ends))
