"""Processing fees, computed from the configured rates. Shown on the form (JS mirrors this) and recorded per gift."""

from decimal import ROUND_FLOOR, Decimal

from portal.money import CENT, money

from . import conf


def processing_fee(charged) -> Decimal:
    """The fee Stripe keeps from a charge of `charged` (percentage + fixed), to the cent."""
    return money(money(charged) * conf.fee_percent() + conf.fee_fixed())


def amount_covering_fee(gift) -> Decimal:
    """What to charge so that, after the fee, the fund receives at least `gift` in full."""
    gift = money(gift)
    charged = ((gift + conf.fee_fixed()) / (Decimal(1) - conf.fee_percent())).quantize(CENT, rounding=ROUND_FLOOR)
    while charged - processing_fee(charged) < gift:
        charged += CENT
    return charged


def checkout_amounts(gift, *, cover_fee: bool) -> dict:
    """amount charged, fee and net for a gift of `gift`, with or without the donor covering the fee."""
    charged = amount_covering_fee(gift) if cover_fee else money(gift)
    fee = processing_fee(charged)
    return {"amount": charged, "fee": fee, "net": charged - fee, "extra": charged - money(gift)}
