from datetime import UTC

from django import template
from django.utils.html import format_html

from cms import translation
from cms.live import render_live

register = template.Library()


@register.filter
def utc_iso(value):
    """An aware datetime as an ISO 8601 UTC string for <time datetime>, converted in the browser by cms-localtime.js."""
    if not value:
        return ""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


@register.simple_tag
def og_image_url(request, image):
    """Absolute URL of a social-sharing rendition (1200x630)."""
    if not image:
        return ""
    rendition = image.get_rendition("fill-1200x630")
    return request.build_absolute_uri(rendition.url) if request else rendition.url


@register.simple_tag(takes_context=True)
def donate_form(context, form_context):
    """Render the donations app's embeddable form with the context its `donate_form_context()` built."""
    from django.template.loader import render_to_string

    return render_to_string(
        "donations/includes/donate_form.html", {**context.flatten(), **form_context}, request=context.get("request")
    )


@register.simple_tag
def live(kind, pk, value=None):
    """A live figure (kind "campaign": its progress; "fund": the amount raised) that cached pages refresh per response
    (cms/live.py). `value` is what the view already computed, so a fresh render costs no extra query."""
    return render_live(kind, pk, value)


@register.simple_tag(takes_context=True)
def page_alternates(context, page):
    """[(hreflang, URL)] of the page's live translations and x-default, for <link rel="alternate">."""
    if page is None or not getattr(page, "translation_key", None):
        return []
    return translation.page_alternates(page, context.get("request"))


@register.filter
def lang_attr(page):
    """` lang="en"` on a card or link whose page is not in the visitor's language (an untranslated page listed on a
    Spanish page), else nothing. The page's locale should be select_related (cms.translation.in_active_language)."""
    locale = getattr(page, "locale", None)
    code = (getattr(locale, "language_code", "") or "").split("-")[0]
    if not code or code == translation.active_language():
        return ""
    return format_html(' lang="{}"', code)
