"""Banking days for payment files: the clearing systems' holidays in the US (Federal Reserve: ACH), England and
Wales (Bacs) and Canada (Payments Canada). Pure date arithmetic, no data files, so it works on any machine.

A payment asked for on a weekend or a holiday settles on the next banking day. The rules:
- US (Federal Reserve): New Year's Day, Martin Luther King Jr. Day, Presidents Day, Memorial Day, Juneteenth,
  Independence Day, Labor Day, Columbus Day, Veterans Day, Thanksgiving, Christmas. A holiday on a Sunday is observed
  on the Monday; one on a Saturday is not moved (the Federal Reserve is open the Friday before).
- England and Wales (Bacs): New Year's Day, Good Friday, Easter Monday, the early May, spring and summer bank
  holidays, Christmas Day and Boxing Day, with substitute days when they fall on a weekend.
- Canada (Payments Canada): New Year's Day, Good Friday, Victoria Day, Canada Day, Labour Day, National Day for Truth
  and Reconciliation (from 2021), Thanksgiving, Remembrance Day, Christmas Day and Boxing Day, moved off weekends.
"""

from datetime import date, timedelta
from functools import lru_cache


def easter_sunday(year: int) -> date:
    """Gregorian Easter (the anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month = (h + m - 7 * n + 114) // 31
    day = (h + m - 7 * n + 114) % 31 + 1
    return date(year, month, day)


def _nth_weekday(year, month, weekday, n) -> date:
    """The n-th given weekday (0 = Monday) of a month; n = -1 for the last."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _sunday_to_monday(day: date) -> date:
    return day + timedelta(days=1) if day.weekday() == 6 else day


def _off_weekend(days: list[date]) -> set[date]:
    """Holidays that fall on a weekend move to the next free weekday (substitute days), in order."""
    taken: set[date] = set()
    for day in sorted(days):
        while day.weekday() >= 5 or day in taken:
            day += timedelta(days=1)
        taken.add(day)
    return taken


@lru_cache(maxsize=64)
def us_holidays(year: int) -> frozenset[date]:
    fixed = [date(year, 1, 1), date(year, 6, 19), date(year, 7, 4), date(year, 11, 11), date(year, 12, 25)]
    moving = [
        _nth_weekday(year, 1, 0, 3),
        _nth_weekday(year, 2, 0, 3),
        _nth_weekday(year, 5, 0, -1),
        _nth_weekday(year, 9, 0, 1),
        _nth_weekday(year, 10, 0, 2),
        _nth_weekday(year, 11, 3, 4),
    ]
    return frozenset([_sunday_to_monday(d) for d in fixed] + moving)


@lru_cache(maxsize=64)
def uk_holidays(year: int) -> frozenset[date]:
    easter = easter_sunday(year)
    weekday_holidays = [
        easter - timedelta(days=2),
        easter + timedelta(days=1),
        _nth_weekday(year, 5, 0, 1),
        _nth_weekday(year, 5, 0, -1),
        _nth_weekday(year, 8, 0, -1),
    ]
    return frozenset(weekday_holidays) | _off_weekend([date(year, 1, 1), date(year, 12, 25), date(year, 12, 26)])


@lru_cache(maxsize=64)
def ca_holidays(year: int) -> frozenset[date]:
    easter = easter_sunday(year)
    may_24 = date(year, 5, 24)
    victoria = may_24 - timedelta(days=may_24.weekday())
    weekday_holidays = [
        easter - timedelta(days=2),
        victoria,
        _nth_weekday(year, 9, 0, 1),
        _nth_weekday(year, 10, 0, 2),
    ]
    fixed = [date(year, 1, 1), date(year, 7, 1), date(year, 11, 11), date(year, 12, 25), date(year, 12, 26)]
    if year >= 2021:
        fixed.append(date(year, 9, 30))
    return frozenset(weekday_holidays) | _off_weekend(fixed)


HOLIDAYS = {"US": us_holidays, "UK": uk_holidays, "CA": ca_holidays}


def is_banking_day(day: date, country: str) -> bool:
    return day.weekday() < 5 and day not in HOLIDAYS[country](day.year)


def next_banking_day(day: date, country: str) -> date:
    """`day` itself when banks settle that day, else the next day they do."""
    while not is_banking_day(day, country):
        day += timedelta(days=1)
    return day
