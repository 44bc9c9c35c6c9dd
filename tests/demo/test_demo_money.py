"""The demo shows money that reconciles: Stripe payouts imported, a bank statement matched, one grant funded by the
Naloxone in Every Pocket campaign and shown on its page; ledger_check passes on all of it."""

import pytest
from django.core.management import call_command

from cms.models import CampaignPage
from cms.selectors import grants_funded_by_campaign
from fund import banking
from fund.donations.models import StripePayout
from fund.donations.payouts import payout_summary
from fund.models import BankStatementLine, Campaign, Fund, LedgerTransaction
from fund.selectors import fund_balances

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_the_demo_imports_payouts_matches_a_statement_and_funds_a_grant_from_naloxone(demo, client, capsys):
    fund = Fund.objects.get(slug="millbrook")

    payouts = list(StripePayout.objects.all())
    assert len(payouts) > 20 and all(payout_summary(p)["matches"] for p in payouts)
    assert LedgerTransaction.objects.filter(kind="fee_adjustment").exists()
    balances = fund_balances(fund)
    assert 0 < balances["in_stripe"] < 5000  # only the last few days' gifts wait in Stripe

    lines = BankStatementLine.objects.filter(fund=fund)
    assert lines.filter(matched_at__isnull=False).count() >= 5
    assert list(lines.filter(matched_at__isnull=True).values_list("description", flat=True)) == [
        "MONTHLY ACCOUNT SERVICE FEE"
    ]

    naloxone = Campaign.objects.get(slug="naloxone-in-every-pocket")
    [grant] = grants_funded_by_campaign(naloxone)
    assert grant.amount > 0 and grant.campaign_title == naloxone.title
    page = CampaignPage.objects.get(campaign=naloxone, locale__language_code="en")
    html = client.get(page.url).content.decode()
    assert "What this campaign has funded" in html and grant.title in html

    call_command("ledger_check")
    assert "Ledger check passed" in capsys.readouterr().out
    assert banking.cash_movements(fund).filter(effective_date__lt=lines.earliest("date").date).exists()
