"""Rich text from the editor (Trix) or a plain textarea is stored as a small, safe set of tags; renderers that are not
a browser (plain text, PDF) keep its paragraphs and lists."""

import io
import re

import pytest
from pypdf import PdfReader
from reportlab.platypus import ListFlowable, Paragraph

from grants.review.blind import Redactor
from portal.pdf import build_pdf, rich_text_flowables
from portal.sanitize import rich_text_from_input, rich_text_to_text, sanitize_rich_text

TRIX = (
    "<div><!--block-->We meet people <strong>every night</strong>.<br><br>Second paragraph<br>same paragraph</div>"
    "<ul><li><!--block-->Naloxone kits</li><li><!--block--><em>Peer</em> support</li></ul>"
    "<div><!--block--><br></div>"
    '<ol><li><!--block--><a href="https://example.org/plan">Our plan</a></li></ol>'
)


def test_editor_blocks_become_paragraphs_and_lists_keep_their_structure():
    assert sanitize_rich_text(TRIX) == (
        "<p>We meet people <strong>every night</strong>.</p><p>Second paragraph<br>same paragraph</p>"
        "<ul><li>Naloxone kits</li><li><em>Peer</em> support</li></ul>"
        '<ol><li><a href="https://example.org/plan" rel="nofollow noopener noreferrer">Our plan</a></li></ol>'
    )


def test_a_list_inside_an_editor_block_ends_the_paragraph_before_it():
    assert sanitize_rich_text("<div>Before<ul><li>one</li></ul>after</div>") == (
        "<p>Before</p><ul><li>one</li></ul><p>after</p>"
    )


@pytest.mark.parametrize(
    "hostile",
    [
        '<div><a href="javascript:alert(1)">x</a></div>',
        '<div onclick="alert(1)">x<script>alert(1)</script></div>',
        '<div><img src=x onerror="alert(1)"></div>',
        "<div style='background:url(javascript:alert(1))'>x</div>",
    ],
)
def test_editor_html_is_still_sanitised(hostile):
    clean = sanitize_rich_text(hostile)
    for bad in ("javascript:", "onclick", "onerror", "<script", "<img", "style=", "<div"):
        assert bad not in clean


def test_plain_textarea_text_becomes_paragraphs_and_line_breaks():
    typed = "First paragraph\nstill first\r\n\r\nSecond & last <3"
    assert rich_text_from_input(typed) == "<p>First paragraph<br>still first</p><p>Second &amp; last &lt;3</p>"
    assert rich_text_from_input("   ") == ""


def test_rich_text_as_plain_text_keeps_bullets_and_numbers():
    assert rich_text_to_text(TRIX) == (
        "We meet people every night.\nSecond paragraph\nsame paragraph\n• Naloxone kits\n• Peer support\n1. Our plan"
    )


def test_pdf_flowables_are_paragraphs_and_real_lists():
    flowables = rich_text_flowables(TRIX)
    assert [type(f) for f in flowables] == [Paragraph, Paragraph, ListFlowable, ListFlowable]
    assert "<b>every night</b>" in flowables[0].text
    bullets, numbers = flowables[2], flowables[3]
    assert bullets._bulletType == "bullet" and numbers._bulletType == "1"
    assert "<i>Peer</i>" in bullets._flowables[1]._flowables[0].text
    assert 'href="https://example.org/plan"' in numbers._flowables[0]._flowables[0].text


def test_pdf_prints_bullets_and_numbers_in_order():
    pdf = build_pdf(rich_text_flowables(TRIX + "<ol><li>Train</li><li>Hand out</li></ol>"), title="Answers")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert re.findall(r"•\s*(Naloxone kits|Peer support)", text) == ["Naloxone kits", "Peer support"]
    assert re.findall(r"(\d)\.\s*(Train|Hand out)", text) == [("1", "Train"), ("2", "Hand out")]


def test_pdf_escapes_text_that_looks_like_markup():
    flowables = rich_text_flowables("<p>a &lt;b&gt; &amp; c</p>")
    assert flowables[0].text == "a &lt;b&gt; &amp; c"


def test_blind_review_redacts_the_words_of_rich_text_but_keeps_its_markup():
    redact = Redactor({"Northside Peer Collective", "northside-peer.org"})
    html = (
        "<p>We are <strong>Northside Peer Collective</strong> &amp; friends.</p>"
        '<ul><li><a href="https://northside-peer.org" rel="nofollow">our site</a></li></ul>'
    )
    assert redact.html(html) == (
        "<p>We are <strong>[hidden: blind review]</strong> &amp; friends.</p><ul><li><a>our site</a></li></ul>"
    )
