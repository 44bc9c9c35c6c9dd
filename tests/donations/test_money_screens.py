"""Finance's money screens, through HTTP: the Stripe reconciliation, housekeeping with confirmation, refund approvals;
and the donor's "follow your gift"."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fund.donations import offline, services
from fund.donations.models import Donation, Pledge, RefundRequest
from fund.donations.reconcile import stripe_reconcile
from grants.awards.funding_models import RoundCampaign
from grants.awards.offers import award_offer
from grants.awards.services import award_accept
from portal import roles
from tests.factories.awards import ApprovedApplicationFactory, grantee_owner
from tests.factories.donations import DonorFactory
from tests.factories.fund import CampaignFactory, FundFactory
from tests.factories.grants import FundingRoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund(db):
    return FundFactory(slug="screens")


@pytest.fixture
def finance(mfa_user_factory):
    return mfa_user_factory(roles.FINANCE), mfa_user_factory(roles.FINANCE)


def paid_gift(fake_stripe, start_gift, fund, gift="100.00", campaign=None, email="giver@example.org"):
    donation, session = start_gift(fund, gift=gift, campaign=campaign, email=email)
    return services.donation_record_from_checkout(session=fake_stripe.complete_session(session["id"]))


def test_the_stripe_reconciliation_screen_shows_each_payout_and_whether_it_matches(
    client, login, fund, fake_stripe, start_gift, finance, django_assert_max_num_queries
):
    for i in range(3):
        paid_gift(fake_stripe, start_gift, fund, gift=f"{50 + i}.00", email=f"g{i}@example.org")
    fake_stripe.payout()
    stripe_reconcile(days=1)
    login(finance[0])

    with django_assert_max_num_queries(25):
        listing = client.get("/admin/donations/payouts/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "po_test_" in html and "Yes" in html and "$147.66" in html  # 153.00 less Stripe's fees of 5.34
    detail = client.get(f"/admin/donations/payouts/{listing.context['page_obj'][0].pk}/").content.decode()
    assert detail.count("/admin/donations/") >= 3 and "Stripe fees" in detail


def test_finance_writes_off_a_pledge_after_confirming(client, login, fund, finance):
    today = timezone.localdate()
    pledge = offline.pledge_create(
        donor=DonorFactory(),
        fund=fund,
        amount="3000.00",
        pledged_on=today - timedelta(days=30),
        schedule=[(today, "3000.00")],
        by=finance[0],
    )
    login(finance[0])
    url = f"/admin/donations/pledges/{pledge.pk}/cancel/"
    assert "3,000.00 is unpaid" in client.get(url).content.decode()
    unconfirmed = client.post(url, {"reason": "Donor's company closed", "outcome": "write_off"})
    assert unconfirmed.status_code == 200 and Pledge.objects.get(pk=pledge.pk).status == "open"
    client.post(url, {"reason": "Donor's company closed", "outcome": "write_off", "confirm": "on"})
    assert Pledge.objects.get(pk=pledge.pk).status == "written_off"


def test_program_staff_cannot_void_gifts_or_refund(client, login, fund, mfa_user_factory, finance):
    gift = offline.donation_record_offline(
        donor=DonorFactory(),
        fund=fund,
        amount="80.00",
        method="cheque",
        received_on=timezone.localdate(),
        by=finance[0],
    )
    login(mfa_user_factory(roles.PROGRAM_STAFF))
    assert client.get(f"/admin/donations/{gift.pk}/void/").status_code == 403
    assert client.get(f"/admin/donations/{gift.pk}/refund/").status_code == 403
    login(finance[0])
    client.post(f"/admin/donations/{gift.pk}/void/", {"reason": "Bounced", "outcome": "bounced", "confirm": "on"})
    assert Donation.objects.get(pk=gift.pk).status == "bounced"


def test_a_large_refund_waits_for_a_second_finance_officer_on_screen(
    client, login, fund, fake_stripe, start_gift, finance, settings
):
    settings.DONATION_REFUND_FOUR_EYES_ABOVE = "50.00"
    gift = paid_gift(fake_stripe, start_gift, fund, gift="120.00")
    login(finance[0])
    client.post(f"/admin/donations/{gift.pk}/refund/", {"amount": "120.00", "reason": "Duplicate", "confirm": "on"})
    request = RefundRequest.objects.get()
    assert request.status == "needs_approval" and not fake_stripe.captured("POST", "/v1/refunds")
    client.post(f"/admin/donations/refunds/{request.pk}/approve/")
    assert RefundRequest.objects.get().status == "needs_approval"  # the requester cannot approve

    login(finance[1])
    assert "Approve and refund" in client.get("/admin/donations/refunds/").content.decode()
    client.post(f"/admin/donations/refunds/{request.pk}/approve/")
    assert RefundRequest.objects.get().status == "sent"
    assert Donation.objects.get(pk=gift.pk).status == "refunded"


def test_a_donor_follows_their_gift_to_the_grants_their_campaign_funded(
    client, login, fund, fake_stripe, start_gift, mfa_user_factory
):
    naloxone = CampaignFactory(fund=fund, slug="naloxone", title="Naloxone in Every Pocket")
    user = mfa_user_factory(mfa=False, email="follow@example.org")
    gift = paid_gift(fake_stripe, start_gift, fund, gift="500.00", campaign=naloxone, email="follow@example.org")
    services.donor_link_user(donor=gift.donor, user=user)
    funding_round = FundingRoundFactory(fund=fund, budget=Decimal("10000.00"))
    RoundCampaign.objects.create(round=funding_round, campaign=naloxone)
    application = ApprovedApplicationFactory(round=funding_round, title="Kits for Northside")
    award = award_offer(application=application, amount=Decimal("400.00"), by=mfa_user_factory(roles.PROGRAM_STAFF))
    login(user)
    assert "Follow your gift" not in client.get("/donor/").content.decode()  # offered, not yet public

    owner = grantee_owner(application.organisation, first_name="Rosa", last_name="Delgado")
    award_accept(award=award, by=owner, typed_name="Rosa Delgado", agreed=True, ip="127.0.0.1")
    page = client.get("/donor/").content.decode()
    assert (
        "Follow your gift" in page and "Kits for Northside" in page and "$400.00 from Naloxone in Every Pocket" in page
    )
