"""HMRC's model Gift Aid declaration (for a single donation plus past 4 years and future gifts)."""

from django.utils.translation import gettext as _


def declaration_text(*, charity_name: str) -> str:
    return _(
        "I want to Gift Aid my donation and any donations I make in the future or have made in the past 4 years to "
        "%(charity)s. I am a UK taxpayer and understand that if I pay less Income Tax and/or Capital Gains Tax than the "
        "amount of Gift Aid claimed on all my donations in that tax year it is my responsibility to pay any difference."
    ) % {"charity": charity_name}


def gift_aid_applies(*, method: str) -> bool:
    """Gift Aid is for gifts of money only. Gifts of shares or securities never carry it (the donor may claim income
    tax relief on them instead), whatever a declaration on file says."""
    from .models import Method

    return method != Method.STOCK
