"""Shared reportlab set-up: letterhead, footer, styles, fonts. Every PDF (application copy, letters, agreements,
receipts, statements, impact reports) is built with `build_pdf`. Text passed in is plain text; `para()` escapes it.

Fonts are embedded TrueType so every donor's and grantee's name prints: DejaVu Sans for Latin, Greek and Cyrillic
scripts ("Zoë Łukasiewicz") and WenQuanYi Zen Hei for Chinese, Japanese and Korean ("王小明"), switched per run of
characters. Both come from Debian (fonts-dejavu-core, fonts-wqy-zenhei: `.ci/run` installs them; paths in
settings.PDF_FONTS). Without them PDFs fall back to Helvetica, which cannot print such names, and a warning is logged.
Funds in the UK and Canada get A4 pages, US funds Letter.
"""

import io
import logging
import os
import re
from functools import lru_cache
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from portal.sanitize import rich_text_blocks

logger = logging.getLogger(__name__)
BRAND = colors.HexColor("#083f4b")
DEFAULT_FONTS = {
    "regular": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "cjk": "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    # Optional (Debian's fonts-dejavu-extra): italic in rich-text answers; without them italic prints upright.
    "italic": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf",
    "bold_italic": "/usr/share/fonts/truetype/dejavu/DejaVuSans-BoldOblique.ttf",
}
OPTIONAL_FONTS = {"italic", "bold_italic"}
# Chinese, Japanese and Korean characters (and their punctuation and full-width forms) go to the CJK font.
CJK_RUN = re.compile(
    "([\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3200-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0002fa1f]+)"
)


@lru_cache(maxsize=1)
def fonts() -> dict:
    """Register the embedded fonts once: {"regular", "bold", "cjk"} font names (Helvetica when a file is missing)."""
    paths = {**DEFAULT_FONTS, **getattr(settings, "PDF_FONTS", {})}
    names = {"regular": "Helvetica", "bold": "Helvetica-Bold", "cjk": None, "italic": None, "bold_italic": None}
    for key, name in (
        ("regular", "PortalSans"),
        ("bold", "PortalSans-Bold"),
        ("cjk", "PortalCJK"),
        ("italic", "PortalSans-Italic"),
        ("bold_italic", "PortalSans-BoldItalic"),
    ):
        path = paths.get(key)
        if not path or not os.path.exists(path):
            if key in OPTIONAL_FONTS:
                logger.info("PDF font %s not found at %s: italic prints upright", key, path)
            else:
                logger.warning("PDF font %s not found at %s: names in some scripts will not print", key, path)
            continue
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0) if path.endswith(".ttc") else TTFont(name, path))
        names[key] = name
    if names["regular"] != "Helvetica" and names["bold"] != "Helvetica-Bold":
        pdfmetrics.registerFontFamily(
            "PortalSans",
            normal="PortalSans",
            bold="PortalSans-Bold",
            italic=names["italic"] or "PortalSans",
            boldItalic=names["bold_italic"] or "PortalSans-Bold",
        )
    return names


def _style(name, parent, *, bold=False, **kwargs):
    return ParagraphStyle(name, parent=parent, fontName=fonts()["bold" if bold else "regular"], **kwargs)


_base = getSampleStyleSheet()
STYLES = {
    "body": _style("body", _base["BodyText"], fontSize=10, leading=14),
    "small": _style("small", _base["BodyText"], fontSize=8, leading=10, textColor=colors.HexColor("#4a5560")),
    "h1": _style("h1", _base["Heading1"], bold=True, fontSize=16, leading=20, textColor=BRAND),
    "h2": _style("h2", _base["Heading2"], bold=True, fontSize=12, leading=16, textColor=BRAND),
    "label": _style("label", _base["BodyText"], bold=True, fontSize=9, leading=12),
}


def markup(text) -> str:
    """Plain text as Paragraph markup: escaped, newlines kept, CJK runs in the CJK font."""
    safe = escape(str(text if text is not None else ""))
    cjk = fonts()["cjk"]
    if cjk:
        safe = CJK_RUN.sub(lambda m: f'<font face="{cjk}">{m.group(1)}</font>', safe)
    return safe.replace("\n", "<br/>")


def para(text, style="body"):
    """A paragraph of plain text (escaped; newlines kept)."""
    return Paragraph(markup(text), STYLES[style])


def _runs_markup(runs) -> str:
    """Paragraph markup for a rich-text paragraph's runs: bold, italic, underline and links kept, text escaped."""
    out = []
    for text, marks in runs:
        if text == "\n":
            out.append("<br/>")
            continue
        piece = markup(text)
        for mark in reversed(marks):
            if isinstance(mark, tuple):
                href = escape(mark[1], {'"': "&quot;"})
                piece = f'<a href="{href}" color="#083f4b"><u>{piece}</u></a>' if href else piece
            else:
                piece = f"<{mark}>{piece}</{mark}>"
        out.append(piece)
    return "".join(out)


def _rich_flowables(blocks, style):
    flowables = []
    for block in blocks:
        if block[0] == "para":
            flowables.append(Paragraph(_runs_markup(block[1]), style))
            continue
        _kind, ordered, items = block
        list_items = [ListItem(_rich_flowables(item, style) or [Paragraph("", style)]) for item in items]
        flowables.append(
            ListFlowable(
                list_items,
                bulletType="1" if ordered else "bullet",
                start=None if ordered else "\u2022",
                bulletFormat="%s." if ordered else None,
                bulletFontName=fonts()["regular"],
                bulletFontSize=style.fontSize,
                leftIndent=16,
            )
        )
    return flowables


def rich_text_flowables(html, style="body") -> list:
    """Flowables for a rich-text answer (sanitised again here): paragraphs, bulleted and numbered lists (nested lists
    too), bold, italic and links, so the PDF shows the structure the applicant gave it."""
    flowables = _rich_flowables(rich_text_blocks(html), STYLES[style])
    return flowables


def page_size(fund):
    """A4 for funds in the UK and Canada, Letter in the US."""
    return A4 if fund is not None and getattr(fund, "jurisdiction", "US") in ("UK", "CA") else LETTER


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

    regular, bold = fonts()["regular"], fonts()["bold"]
    size = page_size(fund)

    def on_page(canvas, doc):
        canvas.saveState()
        width, height = size
        canvas.setFillColor(BRAND)
        canvas.rect(0, height - 22 * mm, width, 22 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont(bold, 13)
        canvas.drawString(18 * mm, height - 12 * mm, name or "")
        canvas.setFont(regular, 8)
        canvas.drawString(18 * mm, height - 17 * mm, details[:140])
        canvas.setFillColor(colors.HexColor("#4a5560"))
        canvas.setFont(regular, 8)
        canvas.drawString(18 * mm, 10 * mm, (footer_note or title)[:150])
        canvas.drawRightString(width - 18 * mm, 10 * mm, f"{doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=size,
        title=title,
        author=author or name or "",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=30 * mm,
        bottomMargin=18 * mm,
    )
    doc.build(list(story), onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def draw_text(canvas, x, y, text, *, size, bold=False):
    """drawString for text that may mix scripts: each CJK run in the CJK font, the rest in the regular (or bold) one."""
    names = fonts()
    base = names["bold" if bold else "regular"]
    for index, part in enumerate(CJK_RUN.split(str(text or ""))):
        if not part:
            continue
        font = names["cjk"] if index % 2 and names["cjk"] else base
        canvas.setFont(font, size)
        canvas.drawString(x, y, part)
        x += pdfmetrics.stringWidth(part, font, size)
    canvas.setFont(base, size)
