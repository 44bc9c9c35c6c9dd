"""The one formatting helper: dates, times, money and numbers as the active language writes them.

Templates use its filters (`{% load formats %}`: `|fdate`, `|fdatetime`, `|ftime`, `|fmoney`, `|fnumber`); Python code
(PDFs, emails) calls these functions under the recipient's language (portal.i18n). Exports (CSV, JSON, XLSX) stay ISO
and never use them. Styles: "long" (6 December 2026 / 6 de diciembre de 2026), "short" (12/06/2026 / 06/12/2026),
"month" (December 2026).
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.utils import formats, timezone

from .money import format_money

DATE_STYLES = {"long": "DATE_FORMAT", "short": "SHORT_DATE_FORMAT", "month": "YEAR_MONTH_FORMAT"}
DATETIME_STYLES = {"long": "DATETIME_FORMAT", "short": "SHORT_DATETIME_FORMAT"}


def _local(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def fdate(value, style: str = "long") -> str:
    """A date (or the local date of a datetime)."""
    if value in (None, ""):
        return ""
    return formats.date_format(_local(value), DATE_STYLES.get(style, "DATE_FORMAT"), use_l10n=True)


def fdatetime(value, style: str = "long") -> str:
    """A moment in the current time zone, with the zone's abbreviation so nobody wonders whose clock it is."""
    if value in (None, ""):
        return ""
    if not isinstance(value, datetime.datetime):
        return fdate(value, style)
    value = _local(value)
    text = formats.date_format(value, DATETIME_STYLES.get(style, "DATETIME_FORMAT"), use_l10n=True)
    zone = value.tzname() if timezone.is_aware(value) else ""
    return f"{text} {zone}" if zone else text


def ftime(value) -> str:
    if value in (None, ""):
        return ""
    return formats.time_format(_local(value), "TIME_FORMAT", use_l10n=True)


def fmoney(amount, currency: str = "USD") -> str:
    if amount in (None, ""):
        return ""
    return format_money(amount, currency or "USD")


def fnumber(value, decimals: int | None = None) -> str:
    """A number grouped the active language's way ("28,800" / "28.800" / "28 800")."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return formats.number_format(number, decimal_pos=decimals, use_l10n=True, force_grouping=True)
