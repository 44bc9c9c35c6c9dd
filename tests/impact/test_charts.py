"""The SVG chart helper: accessible markup, escaped text, numbers stated in the description."""

from decimal import Decimal

from grants.impact.charts import bar_chart, line_chart


def test_line_chart_is_an_accessible_image_with_the_numbers_in_words():
    svg = line_chart(
        [("2025 Q1", Decimal("120")), ("2025 Q2", Decimal("80.5"))],
        title="Kits by quarter",
        unit="kits",
        chart_id="kits",
    )
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="kits-title kits-desc"' in svg
    assert '<title id="kits-title">Kits by quarter</title>' in svg
    assert '<desc id="kits-desc">2025 Q1: 120 kits; 2025 Q2: 80.50 kits</desc>' in svg
    assert svg.count("<circle") == 2


def test_chart_text_is_escaped():
    svg = bar_chart([("<script>", 3)], title="<b>x</b>", chart_id="c")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "<b>" not in svg


def test_empty_chart_says_so():
    assert "No data." in line_chart([], title="Nothing")


def test_bar_heights_are_proportional():
    svg = bar_chart([("a", 50), ("b", 100)], title="t")
    heights = [float(part.split('height="')[1].split('"')[0]) for part in svg.split("<rect")[1:]]
    assert heights[1] == 2 * heights[0]
