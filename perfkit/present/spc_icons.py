"""The Making Data Count variation and assurance icons, drawn as inline SVG, each with its words.

Each icon is a small SVG (no image file, no font, no network) with
``role="img"``, an ``aria-label`` and a ``<title>`` holding the same words, so
a screen reader reads them, a mouse shows them, and they print. The words
are fixed (:data:`VARIATION_LABELS`, :data:`ASSURANCE_LABELS`), never made
from data, and hold no digit: the disclosure audit
(:mod:`perfkit.present.disclosure_audit`) accepts exactly these words in the
headline table's "Variation" and "Assurance" columns.

Colours are NHS England's (Making Data Count), darkened for contrast with a
white page: blue improvement, orange concern, purple a special cause where
neither direction is better, grey common cause; each icon carries a letter
(H or L: a high or low special cause; P or F: the target is consistently
passed or failed) besides its colour.
"""

from __future__ import annotations

from html import escape

COLOURS = {
    "common_cause": "#767676",
    "special_cause_improvement": "#0072B2",
    "special_cause_concern": "#C65D00",
    "special_cause_neutral": "#5B2A86",
    "none": "#767676",
}
"""Each point type's colour, on charts and icons (NHS England's Making Data Count, darkened to at least 3:1)."""

ASSURANCE_COLOURS = {"pass": "#0072B2", "fail": "#C65D00", "hit_and_miss": "#767676"}

_BETTER = {"higher": "higher is better", "lower": "lower is better", "neither": "neither higher nor lower is better"}
_WHICH = {"special_cause_improvement": "improvement", "special_cause_concern": "concern"}

NO_LIMITS = "Variation not assessed: no process limits (see the commentary)"
NO_TARGET = "No target"
NOT_ASSESSED = "Assurance not assessed: no process limits"
NO_DIRECTION = "Assurance not assessed: neither higher nor lower is better"


def variation_label(point_type: str | None, improvement: str, direction: int = 0) -> str:
    """The words of a variation icon.

    >>> variation_label("special_cause_improvement", "higher", 1)
    'Special cause variation: improvement (higher is better)'
    >>> variation_label("special_cause_neutral", "neither", -1)
    'Special cause variation: lower values (neither higher nor lower is better)'
    >>> variation_label("common_cause", "lower"), variation_label(None, "lower")
    ('Common cause variation: no significant change', 'Variation not assessed: no process limits (see the commentary)')
    """
    if point_type is None:
        return NO_LIMITS
    if point_type == "common_cause":
        return "Common cause variation: no significant change"
    if point_type == "special_cause_neutral":
        which = "higher values" if direction > 0 else "lower values"
        return f"Special cause variation: {which} ({_BETTER[improvement]})"
    return f"Special cause variation: {_WHICH[point_type]} ({_BETTER[improvement]})"


def assurance_label(assurance: str | None, has_target: bool, has_limits: bool, improvement: str,
                    noun: str = "quarter") -> str:
    """The words of an assurance icon, or of the cell where there is none (``noun``: a quarterly or a monthly
    report's periods).

    >>> assurance_label("pass", True, True, "higher")
    'Assurance: the target is consistently met'
    >>> assurance_label(None, False, True, "higher"), assurance_label(None, True, False, "lower")
    ('No target', 'Assurance not assessed: no process limits')
    """
    if not has_target:
        return NO_TARGET
    if improvement == "neither":
        return NO_DIRECTION
    if not has_limits or assurance is None:
        return NOT_ASSESSED
    return {"pass": "Assurance: the target is consistently met",
            "fail": "Assurance: the target is consistently missed",
            "hit_and_miss": f"Assurance: hit and miss, the target is met in some {noun}s and missed in others"}[assurance]


VARIATION_LABELS = frozenset(
    [variation_label(None, "higher"), variation_label("common_cause", "higher")]
    + [variation_label(t, i, d) for t in ("special_cause_improvement", "special_cause_concern", "special_cause_neutral")
       for i in _BETTER for d in (1, -1)])
ASSURANCE_LABELS = frozenset(
    [NO_TARGET, NOT_ASSESSED, NO_DIRECTION]
    + [assurance_label(a, True, True, "higher", noun) for a in ASSURANCE_COLOURS for noun in ("quarter", "month")])
"""Every text an icon cell may hold (the audit accepts these and nothing else)."""


def _svg(label: str, body: str) -> str:
    words = escape(label, quote=True)
    return (f'<svg class="pk-icon" role="img" aria-label="{words}" viewBox="0 0 40 40" width="32" height="32" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>{body}</svg>')


def _decorative(icon: str) -> str:
    """An icon drawn beside its own words (the key): hidden from assistive technology, which reads the words."""
    body = icon[icon.index("</title>") + len("</title>"):]
    return ('<svg class="pk-key-icon" aria-hidden="true" focusable="false" viewBox="0 0 40 40" width="28" height="28" '
            f'xmlns="http://www.w3.org/2000/svg">{body}')


def _letter(letter: str, colour: str, y: float = 15.5) -> str:
    return (f'<text x="20" y="{y}" text-anchor="middle" font-family="Arial, Helvetica, sans-serif" font-size="11" '
            f'font-weight="bold" fill="{colour}" aria-hidden="true">{letter}</text>')


def _dots(ys: list[float], colours: list[str]) -> str:
    xs = [8.6 + 3.8 * k for k in range(len(ys))]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys))
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{c}"/>' for x, y, c in zip(xs, ys, colours))
    return f'<polyline points="{line}" fill="none" stroke="#767676" stroke-width="1"/>{dots}'


def variation_icon(point_type: str | None, improvement: str, direction: int = 0) -> str:
    """The variation icon of a latest point type, as inline SVG with its words.

    >>> icon = variation_icon("special_cause_improvement", "higher", 1)
    >>> 'aria-label="Special cause variation: improvement (higher is better)"' in icon and 'role="img"' in icon
    True
    """
    label = variation_label(point_type, improvement, direction)
    colour = COLOURS.get(point_type or "none", COLOURS["none"])
    ring = f'<circle cx="20" cy="20" r="17.5" fill="#ffffff" stroke="{colour}" stroke-width="3"/>'
    grey = COLOURS["common_cause"]
    if point_type is None:
        body = ring.replace('stroke-width="3"', 'stroke-width="2" stroke-dasharray="4 3"') + _letter("?", grey, 25)
    elif point_type == "common_cause":
        body = ring + _dots([24, 27, 23, 26, 24, 27, 25], [grey] * 7)
    else:
        high = direction > 0
        ys = [27, 28, 26, 27, 24, 22, 20] if high else [21, 20, 22, 21, 24, 26, 28]
        body = ring + _letter("H" if high else "L", colour, 14) + _dots(ys, [grey] * 4 + [colour] * 3)
    return _svg(label, body)


def assurance_icon(assurance: str | None, has_target: bool, has_limits: bool, improvement: str,
                   noun: str = "quarter") -> str:
    """The assurance icon of a latest segment against its target, as inline SVG with its words; plain words
    (no icon) where there is no target.

    >>> "consistently missed" in assurance_icon("fail", True, True, "lower")
    True
    >>> assurance_icon(None, False, True, "higher")
    'No target'
    """
    label = assurance_label(assurance, has_target, has_limits, improvement, noun)
    if not has_target:
        return escape(label)
    colour = ASSURANCE_COLOURS.get(assurance or "", COLOURS["none"])
    if improvement == "neither" or not has_limits or assurance is None:
        ring = f'<circle cx="20" cy="20" r="17.5" fill="#ffffff" stroke="{colour}" stroke-width="2" stroke-dasharray="4 3"/>'
        return _svg(label, ring + _letter("?", colour, 25))
    ring = f'<circle cx="20" cy="20" r="17.5" fill="#ffffff" stroke="{colour}" stroke-width="3"/>'
    target = '<line x1="7" y1="25" x2="33" y2="25" stroke="#9E1B32" stroke-width="1.5" stroke-dasharray="3 2"/>'
    if assurance == "hit_and_miss":
        wave = ('<polyline points="8,30 12,20 16,29 20,19 24,30 28,20 32,28" fill="none" stroke="#767676" '
                'stroke-width="2"/>')
        return _svg(label, ring + target + wave)
    letter = _letter("P" if assurance == "pass" else "F", colour, 20)
    return _svg(label, ring + target + letter)


KEY = [
    (lambda: variation_icon("common_cause", "higher"),
     "Common cause variation: the latest quarter is within normal variation, no significant change."),
    (lambda: variation_icon("special_cause_improvement", "higher", 1),
     "Special cause variation, improvement: a significant change in the better direction (H higher, L lower)."),
    (lambda: variation_icon("special_cause_concern", "higher", -1),
     "Special cause variation, concern: a significant change in the worse direction (H higher, L lower)."),
    (lambda: variation_icon("special_cause_neutral", "neither", 1),
     "Special cause variation where neither higher nor lower is better (H higher, L lower)."),
    (lambda: variation_icon(None, "higher"),
     "Variation not assessed: no process limits; the commentary says why."),
    (lambda: assurance_icon("pass", True, True, "higher"),
     "Assurance: the process limits are all on the right side of the target, so it is consistently met."),
    (lambda: assurance_icon("fail", True, True, "higher"),
     "Assurance: the process limits are all on the wrong side of the target, so it is consistently missed."),
    (lambda: assurance_icon("hit_and_miss", True, True, "higher"),
     "Assurance: the target lies between the process limits, so it is met in some quarters and missed in others."),
]


def key_html(noun: str = "quarter") -> str:
    """The key to the icons, for under the headline table: each icon beside its words (a list, not a table),
    of a quarterly or a monthly report (``noun``).

    >>> "pk-icon-key" in key_html() and 'role="img"' not in key_html()
    True
    >>> "the latest month is" in key_html("month")
    True
    """
    items = "".join(f"<li>{_decorative(icon())} <span>{escape(words)}</span></li>" for icon, words in KEY)
    return ('<div class="pk-icon-key"><p><strong>Key to the icons</strong> (NHS England\'s Making Data Count). '
            "Variation: whether the latest quarter is a special cause by the rules of statistical process control "
            "(a quarter beyond a process limit; seven quarters in a row on one side of the average; seven in a row "
            "each higher, or each lower, than the one before; two of three quarters near a limit), or within "
            "normal variation. Assurance: whether the process limits say the target will be met.</p>"
            f'<ul class="pk-icon-key-list">{items}</ul>'
            "<p><strong>Reading the trend charts.</strong> Each family's chart has a panel for each indicator. Grey "
            "line: the figure by quarter; solid dark line: its average; dotted lines: its process limits, where drawn "
            "(hollow dots: no limits, and the commentary says why). Dots are coloured as the icons are: grey common "
            "cause, blue improvement, orange concern, purple a special cause where neither direction is better. "
            "Dashed red line: the target, drawn on to a trajectory's end point. Diamond: the same quarter last year. "
            "Each panel's vertical axis is scaled to its own figures and need not start at zero; the table under "
            "each chart gives every figure with its unit.</p></div>").replace("quarter", noun)
