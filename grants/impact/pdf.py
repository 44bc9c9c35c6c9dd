"""The board-ready annual impact report: money raised, granted and paid (from the ledger), metric totals with charts
(reportlab graphics), compliance and a few consented stories. Built by `tasks.annual_report_build_task`."""

from datetime import date

from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String

from fund.ledger import account_balances
from fund.models import Account
from portal.money import format_money, money
from portal.pdf import BRAND, build_pdf, para, spacer, table

from . import aggregation, selectors
from .charts import _fmt

K = Account.Kind


def money_for_year(fund, year: int) -> dict:
    """Raised (gifts received), granted (committed, net of releases) and paid to grantees during the calendar year."""
    end = account_balances(fund, until=date(year, 12, 31))
    start = account_balances(fund, until=date(year - 1, 12, 31))

    def figures(bal):
        committed = bal[K.GRANTS_EXPENSE]
        return {"raised": -bal[K.DONATIONS_REVENUE], "granted": committed, "paid": committed + bal[K.GRANTS_PAYABLE]}

    a, b = figures(end), figures(start)
    return {key: money(a[key] - b[key]) for key in a}


def _bar_drawing(points, title):
    drawing = Drawing(460, 200)
    drawing.add(String(0, 188, title, fontName="Helvetica-Bold", fontSize=10, fillColor=BRAND))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 50, 40, 390, 130
    chart.data = [[float(v) for _l, v in points] or [0]]
    chart.categoryAxis.categoryNames = [str(label)[:16] for label, _v in points] or [""]
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 20
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = BRAND
    chart.barLabelFormat = "%.0f"
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    drawing.add(chart)
    return drawing


def _line_drawing(series, title):
    drawing = Drawing(460, 200)
    drawing.add(String(0, 188, title, fontName="Helvetica-Bold", fontSize=10, fillColor=BRAND))
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 50, 40, 390, 130
    points = series["points"]
    chart.data = [[float(v) for _l, v in points]]
    chart.categoryAxis.categoryNames = [label for label, _v in points]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.lines[0].strokeColor = BRAND
    chart.lines[0].strokeWidth = 2
    drawing.add(chart)
    return drawing


def annual_report_pdf(*, fund, year: int) -> bytes:
    figures = money_for_year(fund, year)
    totals = aggregation.metric_totals(fund=fund, year=year)
    trend = aggregation.trend(fund=fund, year=year)
    counts = aggregation.compliance(fund=fund, year=year)
    stories = [s for s in selectors.public_stories(limit=50) if s["period_end"].year == year][:3]
    cur = fund.currency

    story = [para(_("Impact report %(year)s") % {"year": year}, "h1"), para(fund.name), spacer()]
    story.append(para(_("Money"), "h2"))
    story.append(
        table(
            [
                [_("Raised"), _("Granted"), _("Paid to grantees")],
                [
                    format_money(figures["raised"], cur),
                    format_money(figures["granted"], cur),
                    format_money(figures["paid"], cur),
                ],
            ]
        )
    )
    story.append(
        _bar_drawing(
            [(_("Raised"), figures["raised"]), (_("Granted"), figures["granted"]), (_("Paid"), figures["paid"])],
            _("Money in %(year)s (%(cur)s)") % {"year": year, "cur": cur},
        )
    )
    story.append(para(_("What grantees achieved"), "h2"))
    story.append(
        para(
            _(
                "From approved reports for periods ending in %(year)s. Headcounts (such as peer workers "
                "employed) use each grant's latest report; other figures add up."
            )
            % {"year": year},
            "small",
        )
    )
    if totals:
        rows = [[_("Metric"), _("Total"), _("Unit"), _("Reports")]]
        rows += [[t["label"], _fmt(t["total"]), t["unit"], str(t["reports"])] for t in totals]
        story.append(table(rows))
        story.append(_bar_drawing([(t["label"], t["total"]) for t in totals], _("Totals by metric")))
        for series in list(trend.values())[:3]:
            if len(series["points"]) > 1:
                story.append(_line_drawing(series, _("%(label)s by quarter") % {"label": series["label"]}))
    else:
        story.append(para(_("No reports were approved for this year.")))
    story.append(para(_("Reporting"), "h2"))
    story.append(
        table(
            [
                [_("Approved"), _("Awaiting review"), _("Changes requested"), _("Overdue")],
                [
                    str(counts["approved"]),
                    str(counts["submitted"]),
                    str(counts["changes_requested"]),
                    str(counts["overdue"]),
                ],
            ]
        )
    )
    if stories:
        story.append(para(_("Stories"), "h2"))
        for item in stories:
            story.append(para(item["title"], "label"))
            story.append(para(item["text"]))
            story.append(para(item["organisation"], "small"))
            story.append(spacer(2))
    return build_pdf(story, title=_("Impact report %(year)s") % {"year": year}, fund=fund)
