"""{% load formats %}: dates, times, money and numbers in the active language (portal.formats)."""

from django import template

from portal import formats

register = template.Library()


@register.filter
def fdate(value, style="long"):
    return formats.fdate(value, style)


@register.filter
def fdatetime(value, style="long"):
    return formats.fdatetime(value, style)


@register.filter
def ftime(value):
    return formats.ftime(value)


@register.filter
def fmoney(amount, currency="USD"):
    return formats.fmoney(amount, currency)


@register.filter
def fnumber(value, decimals=None):
    return formats.fnumber(value, None if decimals in (None, "") else int(decimals))
