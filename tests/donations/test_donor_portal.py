"""The donor portal: own gifts only, receipts as attachments, statements for any range, address, monthly gift portal."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from fund.donations.models import RecurringDonation
from fund.donations.receipts import receipt_issue_for_donation
from tests.factories.donations import DonationFactory, DonorFactory
from tests.factories.fund import FundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def donor_user(mfa_user_factory):
    return mfa_user_factory(mfa=False, email="eleanor@example.org")


@pytest.fixture
def donor(donor_user):
    return DonorFactory(email="eleanor@example.org", name="Eleanor Hughes")


def test_signed_in_donor_sees_own_gifts_and_is_linked(client, login, donor_user, donor):
    DonationFactory(donor=donor, amount=Decimal("25.00"))
    DonationFactory(donor=donor, amount=Decimal("75.00"))
    DonationFactory(amount=Decimal("999.00"))  # someone else's
    login(donor_user)
    page = client.get("/donor/").content.decode()
    assert "2 gifts, $100.00 in total" in page  # with the currency sign
    assert "999.00" not in page
    donor.refresh_from_db()
    assert donor.user == donor_user


def test_unverified_email_does_not_reveal_a_donor(client, login, mfa_user_factory):
    from allauth.account.models import EmailAddress

    user = mfa_user_factory(mfa=False, email="claimer@example.org")
    EmailAddress.objects.filter(user=user).update(verified=False)
    DonorFactory(email="claimer@example.org")
    login(user)
    assert "We have no gifts" in client.get("/donor/").content.decode()


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/donor/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_donor_downloads_own_receipt_but_not_anothers(client, login, donor_user, donor):
    mine = receipt_issue_for_donation(donation=DonationFactory(donor=donor))
    theirs = receipt_issue_for_donation(donation=DonationFactory())
    login(donor_user)
    response = client.get(f"/donor/receipts/{mine.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/donor/receipts/{theirs.pk}/").status_code == 404


def test_statement_for_a_date_range_lists_only_gifts_in_range_net_of_refunds(client, login, donor_user, donor):
    now = timezone.now()
    DonationFactory(
        donor=donor,
        amount=Decimal("100.00"),
        refunded_amount=Decimal("30.00"),
        status="partially_refunded",
        received_at=now - timedelta(days=10),
    )
    DonationFactory(donor=donor, amount=Decimal("500.00"), received_at=now - timedelta(days=400))
    login(donor_user)
    start, end = timezone.localdate(now - timedelta(days=30)), timezone.localdate(now)
    response = client.get(f"/donor/statement/?start={start}&end={end}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "$70.00" in text and "$500.00" not in text
    bad = client.get(f"/donor/statement/?start={end}&end={start}")
    assert bad.status_code == 302


def test_donor_updates_address(client, login, donor_user, donor):
    login(donor_user)
    response = client.post(
        "/donor/address/",
        {
            "name": "Eleanor R. Hughes",
            "address_line1": "9 New Road",
            "city": "Millbrook",
            "region": "PA",
            "postal_code": "19001",
            "country": "US",
        },
    )
    assert response.status_code == 302
    donor.refresh_from_db()
    assert (donor.name, donor.address_line1) == ("Eleanor R. Hughes", "9 New Road")


def test_monthly_gift_is_managed_in_the_stripe_customer_portal(client, login, donor_user, donor, fake_stripe):
    donor.stripe_customer_id = "cus_test_42"
    donor.save()
    recurring = RecurringDonation.objects.create(
        donor=donor, fund=FundFactory(), amount=Decimal("20.00"), stripe_subscription_id="sub_1", status="active"
    )
    login(donor_user)
    response = client.post(f"/donor/monthly/{recurring.pk}/manage/")
    assert response.status_code == 302
    assert response["Location"] == f"{fake_stripe.url}/portal/cus_test_42"
    [request] = fake_stripe.captured("POST", "/v1/billing_portal/sessions")
    assert request["params"]["customer"] == "cus_test_42"


def test_donor_cannot_manage_someone_elses_monthly_gift(client, login, donor_user, donor, fake_stripe):
    other = RecurringDonation.objects.create(donor=DonorFactory(), fund=FundFactory(), amount=Decimal("20.00"))
    login(donor_user)
    assert client.post(f"/donor/monthly/{other.pk}/manage/").status_code == 404
    assert fake_stripe.requests == []


@pytest.mark.parametrize("gifts", [2, 8])
def test_portal_statement_lists_live_receipt_serials_without_a_query_per_gift(
    client, login, donor_user, donor, django_assert_max_num_queries, gifts
):
    from fund.donations.receipts import receipt_cancel_and_replace

    now = timezone.now()
    live = [
        receipt_issue_for_donation(
            donation=DonationFactory(donor=donor, received_at=now - timedelta(days=i + 1)), send=False
        )
        for i in range(gifts)
    ]
    voided = live[0]
    live[0] = receipt_cancel_and_replace(receipt=voided, by=None, reason="Wrong address")
    login(donor_user)
    start, end = timezone.localdate(now - timedelta(days=30)), timezone.localdate(now)
    client.get("/donor/")  # links the donor to the user first, so both runs below do the same work
    with django_assert_max_num_queries(8):
        response = client.get(f"/donor/statement/?start={start}&end={end}")
    assert response.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert all(r.serial in text for r in live)
    assert voided.serial not in text


def test_donor_portal_describes_a_us_gift_of_securities_without_a_value(client, login, donor_user, donor):
    DonationFactory(donor=donor, amount=Decimal("25.00"))
    DonationFactory(donor=donor, amount=Decimal("8000.00"), method="stock", description="100 shares of Example Corp")
    page = login(donor_user).get("/donor/").content.decode()
    assert "100 shares of Example Corp" in page
    assert "8000" not in page and "8,000" not in page
    assert "2 gifts, $25.00 in total" in page
