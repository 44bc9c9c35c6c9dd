"""Money is Decimal with two places and a currency code. Never float. Stripe's integer minor units only at its boundary."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models

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


def format_money(amount, currency="USD") -> str:
    symbols = {"USD": "$", "GBP": "£", "CAD": "$", "EUR": "€"}
    amount = money(amount)
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbols.get(currency, '')}{abs(amount):,.2f}"


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
