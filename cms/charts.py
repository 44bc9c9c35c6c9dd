"""Server-rendered, accessible SVG bar charts. Every chart is paired with a data table in the template."""

from decimal import Decimal

from django.template.loader import render_to_string

BAR_HEIGHT = 28
GAP = 12
LABEL_WIDTH = 220
CHART_WIDTH = 640
VALUE_WIDTH = 110


def bar_chart(rows, *, title_id, currency="USD"):
    """rows: [(label, Decimal)]. Returns SVG markup (escaped by the template), or "" with nothing to draw."""
    if not rows:
        return ""
    rows = [(label, Decimal(str(value or 0))) for label, value in rows]
    largest = max((value for _label, value in rows), default=Decimal(0)) or Decimal(1)
    span = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for index, (label, value) in enumerate(rows):
        y = index * (BAR_HEIGHT + GAP)
        bars.append(
            {
                "label": label,
                "value": value,
                "y": y,
                "text_y": y + BAR_HEIGHT / 2 + 5,
                "width": max(2, int(span * (value / largest))) if value else 0,
                "value_x": LABEL_WIDTH + max(2, int(span * (value / largest))) + 8 if value else LABEL_WIDTH + 8,
            }
        )
    height = len(rows) * (BAR_HEIGHT + GAP)
    return render_to_string(
        "cms/includes/bar_chart.svg",
        {
            "bars": bars,
            "height": height,
            "width": CHART_WIDTH,
            "label_width": LABEL_WIDTH,
            "bar_height": BAR_HEIGHT,
            "title_id": title_id,
            "currency": currency,
        },
    )
