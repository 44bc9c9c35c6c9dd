"""Shared reportlab set-up: letterhead, footer, styles. Every PDF (application copy, letters, agreements, receipts,
statements, impact reports) is built with `build_pdf`. Text passed in is plain text; `para()` escapes it."""

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

BRAND = colors.HexColor("#083f4b")
_base = getSampleStyleSheet()
STYLES = {
    "body": ParagraphStyle("body", parent=_base["BodyText"], fontName="Helvetica", fontSize=10, leading=14),
    "small": ParagraphStyle(
        "small",
        parent=_base["BodyText"],
        fontName="Helvetica",
        fontSize=8,
        leading=10,
        textColor=colors.HexColor("#4a5560"),
    ),
    "h1": ParagraphStyle(
        "h1", parent=_base["Heading1"], fontName="Helvetica-Bold", fontSize=16, leading=20, textColor=BRAND
    ),
    "h2": ParagraphStyle(
        "h2", parent=_base["Heading2"], fontName="Helvetica-Bold", fontSize=12, leading=16, textColor=BRAND
    ),
    "label": ParagraphStyle("label", parent=_base["BodyText"], fontName="Helvetica-Bold", fontSize=9, leading=12),
}


def para(text, style="body"):
    """A paragraph of plain text (escaped; newlines kept)."""
    safe = escape(str(text if text is not None else "")).replace("\n", "<br/>")
    return Paragraph(safe, STYLES[style])


def spacer(height_mm=4):
    return Spacer(1, height_mm * mm)


def table(rows, col_widths=None, header=True):
    data = [[para(cell) if not hasattr(cell, "wrap") else cell for cell in row] for row in rows]
    t = Table(data, colWidths=col_widths, repeatRows=1 if header else 0)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#c9d2d6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f6f7")))
    t.setStyle(TableStyle(style))
    return t


def _identity_lines(fund):
    if fund is None:
        return ["", ""]
    name = fund.legal_name or fund.name
    details = [line for line in (fund.address or "").splitlines() if line.strip()]
    if fund.charity_number:
        details.append(fund.charity_number)
    return [name, " · ".join(details)]


def build_pdf(story, *, title: str, fund=None, author: str = "", footer_note: str = "") -> bytes:
    """Render flowables to PDF bytes with the fund's letterhead on every page."""
    buffer = io.BytesIO()
    name, details = _identity_lines(fund)

    def on_page(canvas, doc):
        canvas.saveState()
        width, height = LETTER
        canvas.setFillColor(BRAND)
        canvas.rect(0, height - 22 * mm, width, 22 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont("Helvetica-Bold", 13)
        canvas.drawString(18 * mm, height - 12 * mm, name or "")
        canvas.setFont("Helvetica", 8)
        canvas.drawString(18 * mm, height - 17 * mm, details[:140])
        canvas.setFillColor(colors.HexColor("#4a5560"))
        canvas.setFont("Helvetica", 8)
        canvas.drawString(18 * mm, 10 * mm, (footer_note or title)[:150])
        canvas.drawRightString(width - 18 * mm, 10 * mm, f"{doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        title=title,
        author=author or name or "",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=30 * mm,
        bottomMargin=18 * mm,
    )
    doc.build(list(story), onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
