import pytest

from tests.factories.fund import CampaignFactory, FundFactory


def ledger_table(fund, **filters):
    """The entries a scenario wrote, oldest first, as (transaction kind, account kind, campaign slug, amount) rows."""
    from fund.models import Entry

    rows = (
        Entry.objects.filter(transaction__fund=fund, **filters)
        .select_related("transaction", "account__campaign")
        .order_by("transaction_id", "-amount")
    )
    return [
        (e.transaction.kind, e.account.kind, e.account.campaign.slug if e.account.campaign_id else None, str(e.amount))
        for e in rows
    ]


@pytest.fixture
def fund(db):
    return FundFactory(slug="golden")


@pytest.fixture
def campaign(fund):
    return CampaignFactory(fund=fund, slug="naloxone")


@pytest.fixture
def make_source(db):
    """A stand-in for a source object (a donation, refund or dispute row of another app): any saved model works."""
    from tests.factories.portal import UserFactory

    return lambda: UserFactory()
