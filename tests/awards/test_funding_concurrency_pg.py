"""40 awards racing for one campaign's restricted money never take it below zero (real row locks: PostgreSQL)."""

from decimal import Decimal

import pytest

from fund import services as ledger
from fund.models import CampaignPosition
from fund.selectors import fund_balances
from grants.awards.errors import InsufficientFunds
from grants.awards.funding_models import RoundCampaign
from grants.awards.models import Award
from grants.awards.offers import award_offer
from tests.awards.test_concurrency_pg import _staff_user, run_concurrently
from tests.factories.awards import ApprovedApplicationFactory
from tests.factories.fund import CampaignFactory, FundFactory
from tests.factories.grants import FundingRoundFactory
from tests.factories.portal import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_forty_concurrent_awards_never_overspend_a_campaigns_restricted_money():
    fund = FundFactory(slug="race-restricted")
    naloxone = CampaignFactory(fund=fund, slug="race-naloxone")
    ledger.ledger_record_donation(
        fund=fund, campaign=naloxone, amount=Decimal("100000.00"), source=UserFactory(), clearing_account="cash"
    )
    funding_round = FundingRoundFactory(fund=fund, budget=Decimal("1000000.00"))
    RoundCampaign.objects.create(round=funding_round, campaign=naloxone)
    applications = [ApprovedApplicationFactory(round=funding_round) for _ in range(40)]
    staff = _staff_user()  # program staff prepare and send offers

    results = run_concurrently(
        [lambda app=app: award_offer(application=app, amount=Decimal("3000.00"), by=staff) for app in applications]
    )

    successes = [r for r in results if isinstance(r, Award)]
    refusals = [r for r in results if isinstance(r, InsufficientFunds)]
    assert len(successes) == 33, [r for r in results if not isinstance(r, (Award, InsufficientFunds))][:3]
    assert len(refusals) == 7, [r for r in results if not isinstance(r, (Award, InsufficientFunds))]
    position = CampaignPosition.objects.get(campaign=naloxone)
    assert (position.restricted, position.allocated, position.balance) == (
        Decimal("100000.00"),
        Decimal("99000.00"),
        Decimal("1000.00"),
    )
    assert fund_balances(fund)["unrestricted_available"] == Decimal("0.00")
