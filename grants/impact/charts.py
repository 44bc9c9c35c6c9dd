"""Small, tested helpers that draw accessible charts as inline SVG on the server.

Each chart has role="img", a <title> and a <desc> that states the figures in words, and is meant to sit next to a real
<table> with the same numbers. Every piece of text is escaped; the returned string is safe to include.
"""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 640, 260
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 16, 16, 44


def _fmt(value) -> str:
    value = Decimal(value or 0)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _scale_max(values) -> Decimal:
    top = max([Decimal(v or 0) for v in values] + [Decimal(0)])
    if top <= 0:
        return Decimal(1)
    # Round the axis up to a "nice" number so gridlines read well.
    magnitude = Decimal(10) ** (len(str(int(top))) - 1)
    for step in (1, 2, 5, 10):
        if top <= step * magnitude:
            return Decimal(step) * magnitude
    return top


def _frame(chart_id, title, desc, body):
    return mark_safe(
        f'<svg class="impact-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


def _axes(top):
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    parts = []
    for i in range(5):
        value = top * i / 4
        y = PAD_TOP + plot_h - plot_h * i / 4
        parts.append(f'<line class="grid" x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="axis" x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(_fmt(value))}</text>'
        )
    return "".join(parts)


def describe(points, unit="") -> str:
    return "; ".join(f"{label}: {_fmt(value)}{(' ' + unit) if unit else ''}" for label, value in points)


def line_chart(points, *, title: str, unit: str = "", chart_id: str = "chart"):
    """points: [(label, value)] in order. A line with a marker and value label per point."""
    if not points:
        return _frame(chart_id, title, "No data.", "")
    top = _scale_max(v for _l, v in points)
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = plot_w / max(len(points) - 1, 1)
    coords = []
    for i, (_label, value) in enumerate(points):
        x = PAD_LEFT + (step * i if len(points) > 1 else plot_w / 2)
        y = PAD_TOP + plot_h - float(Decimal(value or 0) / top) * plot_h
        coords.append((x, y))
    parts = [_axes(top)]
    parts.append(
        '<polyline class="line" fill="none" points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in coords) + '"/>'
    )
    for (x, y), (label, _value) in zip(coords, points):
        parts.append(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3.5"/>')
        parts.append(
            f'<text class="label" x="{x:.1f}" y="{HEIGHT - PAD_BOTTOM + 16}" text-anchor="middle">{escape(label)}</text>'
        )
    return _frame(chart_id, title, describe(points, unit), "".join(parts))


def bar_chart(points, *, title: str, unit: str = "", chart_id: str = "chart"):
    """points: [(label, value)]. Vertical bars with the value written above each (meaning never by colour alone)."""
    if not points:
        return _frame(chart_id, title, "No data.", "")
    top = _scale_max(v for _l, v in points)
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / len(points)
    bar_w = slot * 0.6
    parts = [_axes(top)]
    for i, (label, value) in enumerate(points):
        h = float(Decimal(value or 0) / top) * plot_h
        x = PAD_LEFT + slot * i + (slot - bar_w) / 2
        y = PAD_TOP + plot_h - h
        parts.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}"/>')
        parts.append(
            f'<text class="value" x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">{escape(_fmt(value))}</text>'
        )
        parts.append(
            f'<text class="label" x="{x + bar_w / 2:.1f}" y="{HEIGHT - PAD_BOTTOM + 16}" text-anchor="middle">{escape(str(label)[:18])}</text>'
        )
    return _frame(chart_id, title, describe(points, unit), "".join(parts))
