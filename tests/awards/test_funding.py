"""Restricted money funds named grants: funding sources, the campaign guard, releases and the staff screen."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from fund import services as ledger
from fund.ledger import LedgerError
from fund.models import CampaignPosition
from fund.selectors import fund_balances
from grants.awards.errors import InsufficientFunds
from grants.awards.funding import award_funding_set, award_sources
from grants.awards.funding_models import RoundCampaign
from grants.awards.offers import award_offer
from grants.awards.services import award_decline
from tests.factories.awards import ApprovedApplicationFactory, grantee_owner
from tests.factories.fund import CampaignFactory, FundFactory
from tests.factories.grants import FundingRoundFactory
from tests.factories.portal import UserFactory
from tests.fund.conftest import ledger_table

pytestmark = pytest.mark.django_db


def give(fund, amount, campaign=None):
    """A cheque to the fund (restricted to `campaign` if given), posted through the ledger services."""
    ledger.ledger_record_donation(
        fund=fund, campaign=campaign, amount=Decimal(amount), source=UserFactory(), clearing_account="cash"
    )


@pytest.fixture
def money_fund(db):
    return FundFactory(slug="restricted")


@pytest.fixture
def naloxone(money_fund):
    return CampaignFactory(fund=money_fund, slug="naloxone", title="Naloxone in Every Pocket")


@pytest.fixture
def designated_round(money_fund, naloxone):
    funding_round = FundingRoundFactory(fund=money_fund, budget=Decimal("500000.00"))
    RoundCampaign.objects.create(round=funding_round, campaign=naloxone)
    return funding_round


def restricted_balance(campaign):
    return CampaignPosition.objects.get(campaign=campaign).balance


def test_an_award_draws_first_on_its_rounds_designated_campaign(money_fund, naloxone, designated_round, staff):
    give(money_fund, "5000.00", naloxone)
    give(money_fund, "20000.00")

    award = award_offer(
        application=ApprovedApplicationFactory(round=designated_round), amount=Decimal("8000.00"), by=staff
    )

    assert award_sources(award) == {naloxone: Decimal("5000.00"), None: Decimal("3000.00")}
    assert ledger_table(money_fund, transaction__kind__in=["award_committed", "award_funded"]) == [
        ("award_committed", "grants_expense", None, "8000.00"),
        ("award_committed", "grants_payable", None, "-8000.00"),
        ("award_funded", "grants_expense", "naloxone", "5000.00"),
        ("award_funded", "grants_expense", None, "-5000.00"),
    ]
    assert restricted_balance(naloxone) == Decimal("0.00")
    balances = fund_balances(money_fund)
    assert (balances["restricted_unspent"], balances["unrestricted_available"]) == (
        Decimal("0.00"),
        Decimal("17000.00"),
    )


def test_unrestricted_awards_never_spend_donors_restricted_gifts(money_fund, naloxone, staff):
    give(money_fund, "10000.00", naloxone)
    give(money_fund, "1000.00")
    plain_round = FundingRoundFactory(fund=money_fund, budget=Decimal("500000.00"))

    with pytest.raises(InsufficientFunds, match=r"Only \$1,000.00 of unrestricted money is available"):
        award_offer(application=ApprovedApplicationFactory(round=plain_round), amount=Decimal("1500.00"), by=staff)

    assert fund_balances(money_fund)["committed"] == Decimal("0.00")
    assert restricted_balance(naloxone) == Decimal("10000.00")


def test_staff_move_an_award_onto_a_campaign_and_back_to_unrestricted(money_fund, naloxone, staff):
    give(money_fund, "4000.00", naloxone)
    give(money_fund, "6000.00")
    plain_round = FundingRoundFactory(fund=money_fund, budget=Decimal("500000.00"))
    award = award_offer(application=ApprovedApplicationFactory(round=plain_round), amount=Decimal("5000.00"), by=staff)
    assert award_sources(award) == {None: Decimal("5000.00")}

    award_funding_set(award=award, sources={naloxone: "4000.00", None: "1000.00"}, by=staff, reason="Naloxone kits")
    assert restricted_balance(naloxone) == Decimal("0.00")

    with pytest.raises(InsufficientFunds, match="holds only"):
        award_funding_set(award=award, sources={naloxone: "4000.01", None: "999.99"}, by=staff)
    with pytest.raises(Exception, match="add up to"):
        award_funding_set(award=award, sources={naloxone: "4000.00"}, by=staff)

    award_funding_set(award=award, sources={None: "5000.00"}, by=staff)
    assert restricted_balance(naloxone) == Decimal("4000.00")
    assert award_sources(award) == {None: Decimal("5000.00")}


def test_a_declined_award_gives_restricted_money_back_to_its_campaign(money_fund, naloxone, designated_round, staff):
    give(money_fund, "6000.00", naloxone)
    application = ApprovedApplicationFactory(round=designated_round)
    award = award_offer(application=application, amount=Decimal("6000.00"), by=staff)
    assert restricted_balance(naloxone) == Decimal("0.00")

    award_decline(award=award, by=grantee_owner(application.organisation), reason="Merged with another project")

    assert restricted_balance(naloxone) == Decimal("6000.00")
    assert award_sources(award) == {}
    assert ledger_table(money_fund, transaction__kind__in=["award_funded", "award_released"])[-4:] == [
        ("award_funded", "grants_expense", None, "6000.00"),
        ("award_funded", "grants_expense", "naloxone", "-6000.00"),
        ("award_released", "grants_payable", None, "6000.00"),
        ("award_released", "grants_expense", None, "-6000.00"),
    ]


def test_the_database_refuses_spending_more_than_a_campaign_holds(money_fund, naloxone):
    give(money_fund, "100.00", naloxone)
    give(money_fund, "500.00")

    with pytest.raises(LedgerError, match="restricted money"), transaction.atomic():
        ledger.ledger_record_award_funding(
            fund=money_fund, changes={naloxone: Decimal("100.01"), None: Decimal("-100.01")}, source=UserFactory()
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignPosition.objects.filter(campaign=naloxone).update(allocated=Decimal("100.01"))
    assert restricted_balance(naloxone) == Decimal("100.00")


def test_a_refund_after_allocation_is_never_blocked(money_fund, naloxone):
    give(money_fund, "100.00", naloxone)
    ledger.ledger_record_award_funding(
        fund=money_fund, changes={naloxone: Decimal("100.00"), None: Decimal("-100.00")}, source=UserFactory()
    )
    ledger.ledger_record_refund(
        fund=money_fund, campaign=naloxone, amount=Decimal("40.00"), source=UserFactory(), clearing_account="cash"
    )
    assert restricted_balance(naloxone) == Decimal("-40.00")


def test_program_staff_change_funding_on_the_award_screen(client, login, money_fund, naloxone, staff, finance_1):
    give(money_fund, "3000.00", naloxone)
    give(money_fund, "9000.00")
    plain_round = FundingRoundFactory(fund=money_fund, budget=Decimal("500000.00"))
    award = award_offer(application=ApprovedApplicationFactory(round=plain_round), amount=Decimal("5000.00"), by=staff)
    url = f"/admin/money/funding/awards/{award.pk}/funding/"

    login(finance_1)
    page = client.get(url)
    assert page.status_code == 200 and b"Change the funding sources" not in page.content
    client.post(url, {f"campaign_{naloxone.pk}": "3000.00", "unrestricted": "2000.00"})
    assert award_sources(award) == {None: Decimal("5000.00")}

    login(staff)
    refused = client.post(url, {f"campaign_{naloxone.pk}": "3500.00", "unrestricted": "1500.00"})
    assert refused.status_code == 200 and b"holds only" in refused.content
    saved = client.post(url, {f"campaign_{naloxone.pk}": "3000.00", "unrestricted": "2000.00", "reason": "Kits"})
    assert saved.status_code == 302
    assert award_sources(award) == {naloxone: Decimal("3000.00"), None: Decimal("2000.00")}
    assert b"Naloxone in Every Pocket (restricted)" in client.get(url).content
