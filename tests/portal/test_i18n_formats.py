"""One formatting helper: dates, times, money and numbers as each language writes them (portal.formats)."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from portal.formats import fdate, fdatetime, fmoney, fnumber

DAY = datetime.date(2026, 3, 31)
MOMENT = datetime.datetime(2026, 3, 31, 18, 5, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    "language, long, short, month",
    [
        ("en", "31 March 2026", "31 Mar 2026", "March 2026"),
        ("es", "31 de marzo de 2026", "31/03/2026", "marzo de 2026"),
        ("fr", "31 mars 2026", "31/03/2026", "mars 2026"),
    ],
)
def test_dates_in_each_language(language, long, short, month):
    with translation.override(language):
        assert (fdate(DAY), fdate(DAY, "short"), fdate(DAY, "month")) == (long, short, month)


@pytest.mark.parametrize(
    "language, expected",
    [
        ("en", "31 March 2026, 2:05 p.m. EDT"),
        ("es", "31 de marzo de 2026 a las 14:05 EDT"),
        ("fr", "31 mars 2026 14:05 EDT"),
    ],
)
def test_moments_in_the_current_time_zone_with_its_name(language, expected):
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo("America/New_York")):
        assert fdatetime(MOMENT) == expected


@pytest.mark.parametrize(
    "language, money, number",
    [
        ("en", "$28,800.50", "28,800"),
        ("es", "28\u00a0800,50\u00a0$", "28\u00a0800"),
        ("fr", "28\u00a0800,50\u00a0$", "28\u00a0800"),
    ],
)
def test_money_and_numbers_in_each_language(language, money, number):
    with translation.override(language):
        assert fmoney(Decimal("28800.50"), "CAD") == money
        assert fnumber(28800) == number


def test_empty_values_format_as_nothing():
    assert (fdate(None), fdatetime(""), fmoney(None), fnumber(None)) == ("", "", "", "")


def test_template_filters_use_the_active_language():
    template = Template('{% load formats %}{{ day|fdate }} · {{ day|fdate:"short" }} · {{ amount|fmoney:"EUR" }}')
    with translation.override("es"):
        html = template.render(Context({"day": DAY, "amount": Decimal("1234.5")}))
    assert html == "31 de marzo de 2026 · 31/03/2026 · 1\u00a0234,50\u00a0€"
