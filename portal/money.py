"""Money is Decimal with two places and a currency code. Never float. Stripe's integer minor units only at its boundary."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ZERO_DECIMAL_CURRENCIES = {"JPY", "KRW", "VND", "CLP", "ISK", "UGX"}
CURRENCY_CHOICES = [("USD", "USD"), ("GBP", "GBP"), ("CAD", "CAD"), ("EUR", "EUR")]


def money(value) -> Decimal:
    """The one rounding helper: any number-like value to a Decimal rounded half-up to the cent."""
    if isinstance(value, float):
        value = repr(value)
    try:
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"Not an amount of money: {value!r}") from exc


def to_minor_units(amount, currency="USD") -> int:
    amount = money(amount)
    if currency.upper() in ZERO_DECIMAL_CURRENCIES:
        return int(amount.to_integral_value(rounding=ROUND_HALF_UP))
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


def from_minor_units(units: int, currency="USD") -> Decimal:
    if currency.upper() in ZERO_DECIMAL_CURRENCIES:
        return money(units)
    return money(Decimal(int(units)) / 100)


def split_equally(total, parts: int) -> list[Decimal]:
    """Split an amount into `parts` cent-exact shares that sum to the total; earlier shares take the odd cents."""
    total = money(total)
    if parts <= 0:
        raise ValueError("parts must be positive")
    cents = int(total * 100)
    base, remainder = divmod(cents, parts)
    return [money(Decimal(base + (1 if i < remainder else 0)) / 100) for i in range(parts)]


def split_by_percentages(total, percentages) -> list[Decimal]:
    """Split by percentages summing to 100, cent-exact (largest-remainder method)."""
    total = money(total)
    percentages = [Decimal(str(p)) for p in percentages]
    if sum(percentages) != Decimal("100"):
        raise ValueError("Percentages must add up to 100.")
    cents = int(total * 100)
    raw = [Decimal(cents) * p / 100 for p in percentages]
    floors = [int(r) for r in raw]
    leftover = cents - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: raw[i] - floors[i], reverse=True)
    for i in order[:leftover]:
        floors[i] += 1
    return [money(Decimal(c) / 100) for c in floors]


CURRENCY_SYMBOLS = {"USD": "$", "GBP": "£", "CAD": "$", "EUR": "€"}


def format_money(amount, currency="USD") -> str:
    """An amount with its currency, as the active language writes it: "$28,800.00" in English, "28.800,00 $" in
    Spanish, "28 800,00 $" in French (the symbol after the number where the decimal mark is a comma)."""
    amount = money(amount)
    sign = "-" if amount < 0 else ""
    number = formats.number_format(abs(amount), decimal_pos=2, use_l10n=True, force_grouping=True)
    symbol = CURRENCY_SYMBOLS.get(currency, "")
    if formats.get_format("DECIMAL_SEPARATOR") == ",":
        return f"{sign}{number}\u00a0{symbol or currency}"
    return f"{sign}{symbol}{number}"


class MoneyField(models.DecimalField):
    """DecimalField(max_digits=14, decimal_places=2). Pair it with a currency field on the model."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        path = "portal.money.MoneyField"
        return name, path, args, kwargs


# What people type around an amount: currency symbols and codes, any kind of space, and signs.
_CURRENCY_AFFIX = re.compile(
    r"^(?:USD|GBP|CAD|EUR|US\$|CA\$|C\$|[$£€])\s*|\s*(?:USD|GBP|CAD|EUR|[$£€])$", re.IGNORECASE
)
_MINUS = ("-", "\u2212")
_MAX_WHOLE_DIGITS = 20  # far beyond any fund (fields cap at 12), and safely inside Decimal's precision
_TYPED_NUMBER = re.compile(r"[0-9.,\s\u00a0\u202f\u2009']+")
_GROUP_SEPARATORS = re.compile(r"[.,]|[\s\u00a0\u202f\u2009']+")


class MoneyInputError(ValueError):
    """A typed amount we will not guess at. `message` is for the person who typed it; `code` for tests and forms."""

    def __init__(self, message, code="invalid"):
        super().__init__(str(message))
        self.message = message
        self.code = code


def _strip_affixes(text: str) -> tuple[str, bool]:
    negative = False
    text = text.strip()
    for _round in range(3):  # "-$1,200", "$-1,200", "(1,200)", "1,200 USD": peel signs and symbols in any order
        before = text
        if text.startswith(_MINUS) or text.endswith(_MINUS):
            negative = True
            text = text[1:] if text.startswith(_MINUS) else text[:-1]
        if text.startswith("(") and text.endswith(")"):
            negative = True
            text = text[1:-1]
        text = text.lstrip("+")
        text = _CURRENCY_AFFIX.sub("", text.strip()).strip()
        if text == before:
            break
    return text, negative


def _decimal_separator(text: str, locale_decimal: str) -> str | None:
    """Which of "." and "," is the decimal mark in `text` (None: there is none).

    Thousands come in groups of three, so a lone point before one, two or four-plus digits can only be a decimal point;
    a lone comma before exactly three digits ("28,800") groups thousands in every language; a lone point before three
    digits ("28.800"), or a lone comma, is read the way the active language writes numbers. With both marks present, the last one is the decimal mark ("28,800.50", "28.800,50")."""
    marks = [c for c in text if c in ".,"]
    if not marks:
        return None
    if len(set(marks)) == 2:
        last = marks[-1]
        if marks.count(last) > 1:
            raise MoneyInputError(_("Use one decimal mark at most, like %(example)s.") % {"example": _example()})
        return last
    mark = marks[0]
    if len(marks) > 1:
        return None  # "1,000,000" or "1.000.000": the mark repeats, so it groups thousands
    digits_after = len(text) - text.index(mark) - 1
    if digits_after == 3 and mark == ",":
        # Amounts have cents, never three decimals: "28,800" is thousands in every language (issue 15: people in a
        # Spanish or French form write it too).
        return None
    if digits_after == 3 or mark == ",":
        # "28.800" is thousands in Spanish and French; "28,80" is not a number we will guess at unless "," is the
        # decimal mark.
        return mark if mark == locale_decimal else None
    return mark  # "28800.5": a point before one or two digits is always a decimal point


def _example() -> str:
    return format_money_input(Decimal("28800.50"))


def parse_money(value, *, allow_negative: bool = False) -> Decimal:
    """The one reader of typed amounts: "28,800", "$28,800.00", " 28800 ", "28800.5", "28 800" are all 28800(.50).

    Follows the active language's decimal mark ("28.800,50" is 28800.50 in Spanish or French). Never guesses: garbage,
    a negative amount (unless allowed), a misplaced thousands mark or more than two decimals raise MoneyInputError."""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        amount = Decimal(value)
        if not amount.is_finite() or amount.adjusted() > _MAX_WHOLE_DIGITS:
            raise MoneyInputError(_("Enter a smaller amount."), code="too_large")
        if amount != amount.quantize(CENT):
            raise MoneyInputError(_("Use at most two decimal places (cents)."), code="decimals")
        return _check_sign(abs(amount).quantize(CENT), amount < 0, allow_negative)
    text, negative = _strip_affixes(str(value if value is not None else ""))
    if not text:
        raise MoneyInputError(_("Enter an amount, like %(example)s.") % {"example": _example()}, code="empty")
    if not _TYPED_NUMBER.fullmatch(text) or not re.search(r"[0-9]", text):
        raise MoneyInputError(_("Enter an amount in numbers, like %(example)s.") % {"example": _example()})
    locale_decimal = formats.get_format("DECIMAL_SEPARATOR")
    mark = _decimal_separator(text, locale_decimal if locale_decimal in (".", ",") else ".")
    whole, fraction = text.rsplit(mark, 1) if mark else (text, "")
    groups = _GROUP_SEPARATORS.split(whole.strip())
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        raise MoneyInputError(
            _("Check the thousands separators: groups of three digits, like %(example)s.") % {"example": _example()},
            code="grouping",
        )
    whole, fraction = "".join(groups), fraction.strip()
    if not (whole + fraction).isdigit():
        raise MoneyInputError(_("Enter an amount in numbers, like %(example)s.") % {"example": _example()})
    if len(fraction) > 2:
        raise MoneyInputError(_("Use at most two decimal places (cents)."), code="decimals")
    if len(whole.lstrip("0")) > _MAX_WHOLE_DIGITS:
        raise MoneyInputError(_("Enter a smaller amount."), code="too_large")
    amount = Decimal(f"{whole or '0'}.{fraction or '0'}").quantize(CENT)
    return _check_sign(amount, negative, allow_negative)


def _check_sign(amount: Decimal, negative: bool, allow_negative: bool) -> Decimal:
    if negative and amount != 0 and not allow_negative:
        raise MoneyInputError(_("Enter an amount of zero or more, without a minus sign."), code="negative")
    return -amount if negative else amount


def format_money_input(amount) -> str:
    """An amount as the active language writes it, grouped and to the cent ("28,800.00"; "28 800,00" in French)."""
    return formats.number_format(money(amount), decimal_pos=2, use_l10n=True, force_grouping=True)
