"""Funds are created and edited in the admin by finance and administrators; nobody deletes one, and a fund with money
on its ledger keeps its currency."""

from decimal import Decimal

import pytest

from fund.models import Fund
from portal import roles
from tests.factories.cms import record_gift
from tests.factories.fund import CampaignFactory, FundFactory

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Riverside Fund",
    "slug": "riverside",
    "currency": "CAD",
    "jurisdiction": "CA",
    "description": "",
    "legal_name": "Riverside Community Foundation",
    "charity_number": "123456789RR0001",
    "address": "",
    "email": "",
    "website": "",
    "signatory_name": "",
    "signatory_title": "",
    "originator_name": "",
    "originator_id": "",
    "originating_bank_routing": "",
    "originating_account": "",
    "agreement_template": "",
    "award_offer_days": "30",
}


def test_finance_creates_a_fund_and_the_history_records_it(client, mfa_user_factory):
    client.force_login(mfa_user_factory(roles.FINANCE))
    response = client.post("/admin/funds/new/", FORM)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    fund = Fund.objects.get(slug="riverside")
    assert (fund.currency, fund.jurisdiction) == ("CAD", "CA")
    from wagtail.models import ModelLogEntry

    assert ModelLogEntry.objects.filter(object_id=str(fund.pk), action="wagtail.create").count() == 1


@pytest.mark.parametrize("role", [roles.PROGRAM_STAFF, roles.EDITOR, roles.REVIEWER])
def test_other_roles_cannot_create_or_edit_funds(client, mfa_user_factory, role):
    fund = FundFactory()
    client.force_login(mfa_user_factory(role))
    assert client.post("/admin/funds/new/", FORM).status_code in (302, 403)
    assert client.post(f"/admin/funds/edit/{fund.pk}/", {**FORM, "slug": fund.slug}).status_code in (302, 403)
    assert not Fund.objects.filter(slug="riverside").exists()
    fund.refresh_from_db()
    assert fund.name != "Riverside Fund"


def test_nobody_deletes_a_fund(client, mfa_user_factory):
    fund = FundFactory()
    client.force_login(mfa_user_factory(roles.FINANCE))
    client.post(f"/admin/funds/delete/{fund.pk}/")
    assert Fund.objects.filter(pk=fund.pk).exists()


def test_a_fund_with_money_keeps_its_currency(client, mfa_user_factory):
    finance = mfa_user_factory(roles.FINANCE)
    campaign = CampaignFactory()
    record_gift(campaign=campaign, amount=Decimal("25.00"), by=finance)
    fund = campaign.fund
    client.force_login(finance)
    response = client.post(f"/admin/funds/edit/{fund.pk}/", {**FORM, "slug": fund.slug, "currency": "GBP"})
    assert response.status_code == 200
    assert "its currency cannot change" in response.content.decode()
    fund.refresh_from_db()
    assert fund.currency != "GBP"
