"""The scorecard: every indicator on one page, with its trend in a line, its status and its comparators.

It opens the member report, so that a member sees the whole quarter at a
glance before the exceptions and the families. Each row is the indicator's
figure this quarter, a sparkline of its trend (the same quarters its family's
chart draws, so nothing is drawn that the chart does not show), its variation
icon, the target and status, and England's and the statistical neighbours'
latest published figures.
"""

from __future__ import annotations

from collections.abc import Sequence

SPARK_WIDTH, SPARK_HEIGHT = 84, 20
"""The sparkline's size in pixels: about 22 mm by 5 mm on paper."""
TREND = "Trend"
"""The scorecard's sparkline column: a drawing, no figure (members read the figures in the family's chart)."""


def sparkline_svg(values: Sequence[float | None]) -> str:
    """A line of the values, oldest first, with a gap where a quarter is not shown and a dot on the latest.

    The drawing is decorative for a screen reader (``aria-hidden``): its
    figures are written in the family's chart and table, and it is drawn
    only from figures that chart shows.

    Examples
    --------
    >>> svg = sparkline_svg([1.0, 2.0, None, 4.0])
    >>> svg.count("<polyline"), svg.count("<circle"), 'aria-hidden="true"' in svg
    (1, 2, True)
    >>> "<polyline" in sparkline_svg([None, None])
    False
    """
    present = [v for v in values if v is not None]
    shapes = []
    if present:
        low, high = min(present), max(present)
        span = (high - low) or 1.0
        step = (SPARK_WIDTH - 6) / max(len(values) - 1, 1)

        def point(n: int, v: float) -> str:
            y = SPARK_HEIGHT - 3 - (v - low) / span * (SPARK_HEIGHT - 6) if high > low else SPARK_HEIGHT / 2
            return f"{3 + n * step:.1f},{y:.1f}"

        run: list[str] = []
        for n, v in enumerate([*values, None]):
            if v is None:
                if len(run) > 1:
                    shapes.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="#4d4d4d" stroke-width="1.5"/>')
                elif run:
                    x, y = run[0].split(",")
                    shapes.append(f'<circle cx="{x}" cy="{y}" r="1.2" fill="#4d4d4d"/>')
                run = []
            else:
                run.append(point(n, v))
        last = next((n for n in range(len(values) - 1, -1, -1) if values[n] is not None), None)
        if last is not None:
            x, y = point(last, values[last]).split(",")
            shapes.append(f'<circle cx="{x}" cy="{y}" r="2.5" fill="#0072B2"/>')
    return (f'<svg class="pk-spark" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" viewBox="0 0 {SPARK_WIDTH} '
            f'{SPARK_HEIGHT}" aria-hidden="true" focusable="false">{"".join(shapes)}</svg>')
