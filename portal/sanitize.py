"""The only module that sanitises user HTML. Nothing else imports bleach or calls mark_safe on user data."""

from functools import partial

import bleach
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
}
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"], "th": ["scope"], "td": ["colspan", "rowspan"]}
ALLOWED_PROTOCOLS = {"http", "https", "mailto", "tel"}


def _set_link_rel(attrs, new=False):
    href_key = (None, "href")
    if href_key in attrs:
        attrs[(None, "rel")] = "nofollow noopener noreferrer"
    return attrs


_rich_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_set_link_rel], skip_tags={"pre", "code"})],
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


def linkify_text(text: str | None) -> str:
    """Escape plain text, keep line breaks, and turn URLs into safe links. Returns safe HTML."""
    if not text:
        return ""
    escaped = escape(str(text)).replace("\n", "<br>")
    return mark_safe(_text_cleaner.clean(escaped))


def render_sanitized(html: str | None) -> str:
    """Mark already-sanitised rich text safe for templates, cleaning it again on the way out (defence in depth)."""
    return mark_safe(sanitize_rich_text(html))
