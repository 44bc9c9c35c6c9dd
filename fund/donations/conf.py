"""Donation settings, each overridable in Django settings (the names are listed in .env.example by the lead)."""

from decimal import Decimal

from django.conf import settings

from portal.money import money


def fee_percent() -> Decimal:
    """Card processing rate, as a fraction (Stripe's US card rate by default: 2.9%)."""
    return Decimal(str(getattr(settings, "DONATION_FEE_PERCENT", "0.029")))


def fee_fixed() -> Decimal:
    """Fixed processing fee per charge, in the fund's currency."""
    return money(getattr(settings, "DONATION_FEE_FIXED", "0.30"))


def minimum_amount() -> Decimal:
    return money(getattr(settings, "DONATION_MINIMUM_AMOUNT", "5.00"))


def maximum_amount() -> Decimal:
    return money(getattr(settings, "DONATION_MAXIMUM_AMOUNT", "100000.00"))


def default_suggested_amounts() -> list:
    return list(getattr(settings, "DONATION_SUGGESTED_AMOUNTS", [25, 50, 100, 250]))


def rate_limit_ip() -> tuple[int, int]:
    """(attempts, seconds) allowed per IP address for starting a checkout."""
    return tuple(getattr(settings, "DONATION_RATE_LIMIT_IP", (10, 60)))


def rate_limit_email() -> tuple[int, int]:
    return tuple(getattr(settings, "DONATION_RATE_LIMIT_EMAIL", (5, 600)))


def place_of_issue(fund) -> str:
    explicit = getattr(settings, "DONATION_RECEIPT_PLACE_OF_ISSUE", "")
    if explicit:
        return explicit
    lines = [line.strip() for line in (fund.address or "").splitlines() if line.strip()]
    return lines[-1] if lines else ""


def stripe_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)
