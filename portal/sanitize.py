"""The only module that sanitises user HTML. Nothing else imports bleach or calls mark_safe on user data.

Rich text comes from the application form's editor (Trix, static/js/rich-text.js), which writes paragraphs as
`<div>` blocks with `<br><br>` between paragraphs, or, without JavaScript, from a plain textarea. Both are stored as the
same small set of tags: paragraphs, line breaks, bold, italic, lists and safe links.
"""

import re
from functools import partial
from html.parser import HTMLParser

import bleach
from bleach.html5lib_shim import Filter
from bleach.linkifier import LinkifyFilter
from django.utils.html import escape
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "a",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "code",
    "pre",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "div",  # only on the way in: ParagraphFilter turns every top-level div into paragraphs
}
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"], "th": ["scope"], "td": ["colspan", "rowspan"]}
ALLOWED_PROTOCOLS = {"http", "https", "mailto", "tel"}


def _set_link_rel(attrs, new=False):
    href_key = (None, "href")
    if href_key in attrs:
        attrs[(None, "rel")] = "nofollow noopener noreferrer"
    return attrs


# Elements that hold blocks of their own: text inside them is never wrapped in a new paragraph.
BLOCK_TAGS = {"p", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "pre", "table", "thead", "tbody", "tr", "th", "td"}


class ParagraphFilter(Filter):
    """Turns the editor's blocks into paragraphs, after the allowlist has been applied.

    A top-level `<div>` becomes a `<p>`; two or more `<br>` in a row inside it end one paragraph and start the next;
    empty paragraphs and trailing line breaks are dropped; a list inside a div ends the paragraph before it. A `div`
    nested in another block (not something the editor writes) is dropped and its content kept."""

    def __iter__(self):
        blocks = []  # the open block elements of the input (not divs)
        in_div = para_open = False
        breaks = []  # <br> tokens waiting to see whether a paragraph ends here

        def close_para():
            nonlocal para_open
            breaks.clear()
            if para_open:
                para_open = False
                return [{"type": "EndTag", "name": "p", "namespace": None}]
            return []

        for token in super().__iter__():
            kind, name = token["type"], token.get("name")
            if name == "div" and kind in ("StartTag", "EndTag"):
                if not blocks:
                    yield from close_para()
                    in_div = kind == "StartTag"
                continue
            if not in_div or blocks:
                if kind == "StartTag" and name in BLOCK_TAGS:
                    blocks.append(name)
                elif kind == "EndTag" and blocks and name == blocks[-1]:
                    blocks.pop()
                yield token
                continue
            # At the top level of a div: building paragraphs.
            if kind == "StartTag" and name in BLOCK_TAGS:
                yield from close_para()
                blocks.append(name)
                yield token
            elif kind == "EmptyTag" and name == "br":
                if para_open:
                    breaks.append(token)
            elif kind == "SpaceCharacters" and (breaks or not para_open):
                continue
            elif kind in ("Characters", "SpaceCharacters", "StartTag", "EndTag", "EmptyTag"):
                if len(breaks) >= 2:
                    yield from close_para()
                else:
                    yield from breaks
                    breaks.clear()
                if not para_open:
                    para_open = True
                    yield {"type": "StartTag", "name": "p", "namespace": None, "data": {}}
                yield token
            else:
                yield token
        yield from close_para()


_rich_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[ParagraphFilter, partial(LinkifyFilter, callbacks=[_set_link_rel], skip_tags={"pre", "code"})],
)
_text_cleaner = bleach.Cleaner(
    tags={"a", "br", "p"},
    attributes={"a": ["href", "rel"]},
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    filters=[partial(LinkifyFilter, callbacks=[_set_link_rel])],
)


def sanitize_rich_text(html: str | None) -> str:
    """Clean user-supplied HTML to the allowlist (scripts, handlers, javascript: and SVG removed). Call on save."""
    if not html:
        return ""
    return _rich_cleaner.clean(str(html))


LOOKS_LIKE_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


def rich_text_from_input(value: str | None) -> str:
    """What a "formatted text" answer stores: the editor's HTML sanitised, or, when the browser sent plain text (no
    JavaScript, so a plain textarea), that text as paragraphs: a blank line between paragraphs, a newline a line break."""
    text = str(value or "").strip()
    if not text:
        return ""
    if not LOOKS_LIKE_HTML.search(text):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
        text = "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return sanitize_rich_text(text)


def linkify_text(text: str | None) -> str:
    """Escape plain text, keep line breaks, and turn URLs into safe links. Returns safe HTML."""
    if not text:
        return ""
    escaped = escape(str(text)).replace("\n", "<br>")
    return mark_safe(_text_cleaner.clean(escaped))


def render_sanitized(html: str | None) -> str:
    """Mark already-sanitised rich text safe for templates, cleaning it again on the way out (defence in depth)."""
    return mark_safe(sanitize_rich_text(html))


class _RichTextReader(HTMLParser):
    """Reads sanitised rich text into blocks, for renderers that are not a browser (PDF, plain text).

    Blocks are ("para", runs) and ("list", ordered, items), an item being a list of blocks; a run is (text, marks)
    with marks a tuple of "b", "i", "u" and ("a", href); a line break is the run ("\\n", ())."""

    PARAGRAPH_TAGS = {"p", "div", "h2", "h3", "h4", "blockquote", "pre", "td", "th"}
    MARKS = {"strong": "b", "b": "b", "em": "i", "i": "i", "u": "u"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = []
        self.containers = [("", self.blocks)]  # (tag, blocks): the document, then open lists and list items
        self.runs = []
        self.marks = []

    def _end_paragraph(self):
        if any(text.strip() for text, _marks in self.runs):
            while self.runs and not self.runs[-1][0].strip():
                self.runs.pop()
            self.containers[-1][1].append(("para", self.runs))
        self.runs = []

    def handle_starttag(self, tag, attrs):
        if tag in self.PARAGRAPH_TAGS:
            self._end_paragraph()
        elif tag in ("ul", "ol"):
            self._end_paragraph()
            items = []
            self.containers[-1][1].append(("list", tag == "ol", items))
            self.containers.append((tag, items))
        elif tag == "li":
            self._end_paragraph()
            if self.containers[-1][0] in ("ul", "ol"):  # a stray item outside a list is just a paragraph
                item = []
                self.containers[-1][1].append(item)
                self.containers.append(("li", item))
        elif tag in self.MARKS:
            self.marks.append(self.MARKS[tag])
        elif tag == "a":
            self.marks.append(("a", dict(attrs).get("href") or ""))
        elif tag == "br":
            self.runs.append(("\n", ()))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in self.PARAGRAPH_TAGS:
            self._end_paragraph()
        elif tag in ("ul", "ol", "li"):
            self._end_paragraph()
            if any(open_tag == tag for open_tag, _blocks in self.containers[1:]):
                while self.containers.pop()[0] != tag:
                    pass
        elif tag in self.MARKS or tag == "a":
            wanted = self.MARKS.get(tag, "a")
            for index in range(len(self.marks) - 1, -1, -1):
                mark = self.marks[index]
                if mark == wanted or (wanted == "a" and isinstance(mark, tuple)):
                    del self.marks[index]
                    break

    def handle_data(self, data):
        text = re.sub(r"\s+", " ", data)
        if not self.runs or self.runs[-1][0] == "\n":
            text = text.lstrip()
        if text:
            self.runs.append((text, tuple(self.marks)))

    def close(self):
        super().close()
        self._end_paragraph()
        return self.blocks


def rich_text_blocks(html: str | None) -> list:
    """Sanitised rich text as blocks of paragraphs and (nested) lists: see _RichTextReader."""
    reader = _RichTextReader()
    reader.feed(sanitize_rich_text(html))
    return reader.close()


def _blocks_as_text(blocks, depth=0) -> list[str]:
    lines = []
    indent = "  " * depth
    for block in blocks:
        if block[0] == "para":
            lines.append(indent + "".join(text for text, _marks in block[1]).strip().replace("\n", "\n" + indent))
            continue
        _kind, ordered, items = block
        for number, item in enumerate(items, start=1):
            bullet = f"{number}. " if ordered else "• "
            item_lines = _blocks_as_text(item, depth + 1) or [indent + "  "]
            lines.append(indent + bullet + item_lines[0].lstrip())
            lines.extend(item_lines[1:])
    return lines


def rich_text_to_text(html: str | None) -> str:
    """Rich text as plain text (diffs, CSV, search): one line per paragraph, list items as "• item" or "1. item"."""
    return "\n".join(_blocks_as_text(rich_text_blocks(html))).strip()
