"""Server-drawn SVG charts for the statistics page.

No script and no style attributes (the CSP allows neither): shapes carry
classes defined in static/css/harbor.css and SVG presentation attributes.
Only counts that the statistics rules let the page show are drawn; a value
shown as "fewer than 5", "not shown" or "–" is never drawn, not even as a
height, so the picture cannot say more than the table beneath it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from casework.stats import Cell

WIDTH = 760
PLOT_LEFT, PLOT_TOP, PLOT_RIGHT, PLOT_BOTTOM = 48, 16, WIDTH - 12, 276
LEGEND_TOP, LEGEND_ROW, LEGEND_COLUMN = PLOT_BOTTOM + 52, 20, 372
PALETTE_SIZE = 10  # .chart-s0 … .chart-s9 in harbor.css


def _nice_ceiling(value: int) -> tuple[int, int]:
    """Return (axis maximum, tick step) with at most five steps: 1, 2 or 5 × 10^k."""
    value = max(value, 5)
    scale = 1
    while True:
        for step in (scale, 2 * scale, 5 * scale):
            if value <= 5 * step:
                return -(-value // step) * step, step
        scale *= 10


def _f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def stacked_bars(
    *, chart_id: str, title: str, description: str, months: Sequence[date], series: Sequence[tuple[str, Sequence[Cell]]]
) -> SafeString:
    """Draw one stacked bar per month; ``series`` are (label, one Cell per month)."""
    n = len(months)
    visible = [[c.value if c.shown and c.value else 0 for c in cells] for _label, cells in series]
    top, step = _nice_ceiling(max((sum(col) for col in zip(*visible, strict=True)), default=0))
    plot_h = PLOT_BOTTOM - PLOT_TOP
    slot = (PLOT_RIGHT - PLOT_LEFT) / max(n, 1)
    bar_w = slot * 0.68

    def y(v: float) -> float:
        return PLOT_BOTTOM - v / top * plot_h

    parts: list[str] = []
    # Grid and the value axis.
    for tick in range(0, top + 1, step):
        parts.append(
            format_html(
                '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="chart-tick" x="{}" y="{}" text-anchor="end">{}</text>',
                PLOT_LEFT,
                PLOT_RIGHT,
                _f(y(tick)),
                _f(y(tick)),
                PLOT_LEFT - 6,
                _f(y(tick) + 4),
                tick,
            )
        )
    # Bars.
    for i, month in enumerate(months):
        x = PLOT_LEFT + i * slot + (slot - bar_w) / 2
        month_label = date_format(month, "F Y")
        base = 0
        for s, (label, _cells) in enumerate(series):
            v = visible[s][i]
            if not v:
                continue
            parts.append(
                format_html(
                    '<rect class="chart-s{}" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
                    s % PALETTE_SIZE,
                    _f(x),
                    _f(y(base + v)),
                    _f(bar_w),
                    _f(y(base) - y(base + v)),
                    f"{label}, {month_label}: {v}",
                )
            )
            base += v
        if any(not cells[i].shown for _label, cells in series):
            parts.append(
                format_html(
                    '<text class="chart-mark" x="{}" y="{}" text-anchor="middle">*<title>{}</title></text>',
                    _f(x + bar_w / 2),
                    _f(y(base) - 4),
                    _("%(month)s: some counts are not drawn (fewer than 5, or not shown)") % {"month": month_label},
                )
            )
        parts.append(
            format_html(
                '<text class="chart-tick" x="{}" y="{}" text-anchor="middle">{}</text>',
                _f(x + bar_w / 2),
                PLOT_BOTTOM + 16,
                date_format(month, "M"),
            )
        )
        if i == 0 or month.month == 1:
            parts.append(
                format_html(
                    '<text class="chart-tick" x="{}" y="{}" text-anchor="middle">{}</text>',
                    _f(x + bar_w / 2),
                    PLOT_BOTTOM + 32,
                    month.year,
                )
            )
    parts.append(
        format_html(
            '<line class="chart-axis" x1="{}" x2="{}" y1="{}" y2="{}"/>',
            PLOT_LEFT,
            PLOT_RIGHT,
            PLOT_BOTTOM,
            PLOT_BOTTOM,
        )
    )
    # Legend, two columns, inside the picture so a screenshot keeps it.
    for s, (label, _cells) in enumerate(series):
        lx = 8 + (s % 2) * LEGEND_COLUMN
        ly = LEGEND_TOP + (s // 2) * LEGEND_ROW
        parts.append(
            format_html(
                '<rect class="chart-s{}" x="{}" y="{}" width="14" height="14"/><text class="chart-legend" x="{}" y="{}">{}</text>',
                s % PALETTE_SIZE,
                lx,
                ly - 11,
                lx + 20,
                ly,
                label,
            )
        )
    rows = (len(series) + 1) // 2
    legend_bottom = LEGEND_TOP + rows * LEGEND_ROW
    parts.append(
        format_html(
            '<text class="chart-legend" x="8" y="{}">{}</text>',
            legend_bottom + 4,
            _("* Some counts of this month are not drawn: see the table."),
        )
    )
    height = legend_bottom + 16
    head = format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc"><title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
        WIDTH,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
    )
    body = mark_safe("".join(parts))  # noqa: S308 - every part was built by format_html, which escapes
    return head + body + mark_safe("</svg>")
