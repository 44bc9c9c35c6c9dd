from django import template
from django.template.loader import render_to_string
from django.urls import reverse

from portal.emails import absolute_url as _absolute_url
from portal.money import MoneyInputError, format_money, format_money_input, parse_money
from portal.sanitize import render_sanitized

register = template.Library()

# The cms app registers a callable returning the alert context; portal never imports cms.
SITE_ALERT_PROVIDERS = []


@register.simple_tag(takes_context=True)
def site_alerts(context):
    request = context.get("request")
    html = ""
    for provider in SITE_ALERT_PROVIDERS:
        html += provider(request) or ""
    from django.utils.safestring import mark_safe

    return mark_safe(html)  # providers render templates, which escape their data


@register.filter
def money(amount, currency="USD"):
    if amount is None or amount == "":
        return ""
    return format_money(amount, currency or "USD")


@register.filter
def amount(value):
    """An amount as the active language writes numbers, without a currency: "28,800.00" (the money input's format).

    Text that is not an amount (a draft's half-typed line) is shown as it was typed."""
    if value is None or value == "":
        return ""
    try:
        return format_money_input(parse_money(value, allow_negative=True))
    except MoneyInputError:
        return str(value)


@register.filter
def rich_text(html):
    """Show stored user rich text; it was sanitised on save and is cleaned again here."""
    return render_sanitized(html)


@register.simple_tag
def render_field(field):
    return render_to_string("includes/field.html", {"field": field})


@register.simple_tag
def absolute_url(view_name, *args):
    """`{% absolute_url "awards:award_detail" award.pk %}`: a full link for emails, from settings.SITE_URL."""
    return _absolute_url(reverse(view_name, args=args))


@register.filter
def has_required_fields(form) -> bool:
    """Whether the form shows a required field, so the page explains the required marker once, before the fields."""
    if form is None or not hasattr(form, "visible_fields"):
        return False
    return any(f.field.required or getattr(f.field, "required_to_submit", False) for f in form.visible_fields())
