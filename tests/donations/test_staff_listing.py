"""Staff listings: the received-date filter, exports refuse invalid filters, query budgets for pledges and donor history."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fund.donations.models import Pledge, PledgeInstalment, RecurringDonation
from fund.donations.receipts import receipt_cancel_and_replace, receipt_issue_for_donation
from portal import roles
from tests.factories.donations import DonationFactory, DonorFactory
from tests.factories.fund import CampaignFactory, FundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(mfa_user_factory):
    return mfa_user_factory(roles.FINANCE)


def _csv(response):
    return b"".join(response.streaming_content).decode()


# --- Received-date filter -----------------------------------------------------------------------------------------------


def test_date_filter_uses_the_date_the_gift_was_received_not_when_it_was_entered(client, login, finance):
    today = timezone.localdate()
    two_months_ago = timezone.now() - timedelta(days=60)
    DonationFactory(
        donor=DonorFactory(name="Late Entry"), received_at=two_months_ago
    )  # entered today, received earlier
    DonationFactory(donor=DonorFactory(name="Current Gift"))
    login(finance)
    period = f"received_from={(two_months_ago - timedelta(days=1)).date()}&received_to={(two_months_ago + timedelta(days=1)).date()}"
    page = client.get(f"/admin/donations/?{period}").content.decode()
    assert "Late Entry" in page and "Current Gift" not in page
    this_week = client.get(
        f"/admin/donations/?received_from={today - timedelta(days=7)}&received_to={today}"
    ).content.decode()
    assert "Current Gift" in this_week and "Late Entry" not in this_week
    csv_text = _csv(client.get(f"/admin/donations/export/csv/?{period}"))
    assert "Late Entry" in csv_text and "Current Gift" not in csv_text


def test_date_filter_is_labelled_received(client, login, finance):
    login(finance)
    page = client.get("/admin/donations/").content.decode()
    assert "Received from" in page and "Received to" in page


def test_pending_gift_with_no_received_date_is_not_in_a_received_period(client, login, finance):
    DonationFactory(donor=DonorFactory(name="Still Pending"), status="pending", received_at=None)
    login(finance)
    today = timezone.localdate()
    assert "Still Pending" not in client.get(f"/admin/donations/?received_from={today}").content.decode()
    assert "Still Pending" in client.get("/admin/donations/").content.decode()


# --- Invalid filters ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "query",
    [
        "received_from=notadate",
        "received_to=2026-13-45",
        "status=nonsense",
        "received_from=2026-03-01&received_to=2026-02-01",
    ],
)
def test_export_with_an_invalid_filter_shows_the_errors_instead_of_exporting_everything(
    client, login, finance, fmt, query
):
    DonationFactory(donor=DonorFactory(name="Everyone Exported"))
    login(finance)
    response = client.get(f"/admin/donations/export/{fmt}/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert not response.has_header("Content-Disposition")
    html = response.content.decode()
    assert "There is a problem" in html and 'class="error-message"' in html
    assert "Everyone Exported" not in html


def test_listing_with_an_invalid_filter_says_so_and_lists_nothing(client, login, finance):
    DonationFactory(donor=DonorFactory(name="Not Listed"))
    login(finance)
    response = client.get("/admin/donations/?received_from=notadate")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid date" in html and "Not Listed" not in html


def test_export_with_valid_filters_still_downloads(client, login, finance):
    DonationFactory(donor=DonorFactory(name="Exported"))
    login(finance)
    response = client.get(f"/admin/donations/export/csv/?received_to={timezone.localdate()}")
    assert response.status_code == 200 and "Exported" in _csv(response)


# --- Pledge list ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [2, 20])
def test_pledge_list_query_count_does_not_grow_with_rows(client, login, finance, django_assert_max_num_queries, rows):
    fund = FundFactory()
    today = timezone.localdate()
    for i in range(rows):
        pledge = Pledge.objects.create(
            donor=DonorFactory(),
            fund=fund,
            campaign=CampaignFactory(fund=fund),
            amount=Decimal("300.00"),
            pledged_on=today - timedelta(days=90),
        )
        for seq, due in enumerate(
            [today - timedelta(days=30), today + timedelta(days=30), today + timedelta(days=60)], 1
        ):
            PledgeInstalment.objects.create(
                pledge=pledge,
                sequence=seq,
                due_date=due,
                amount=Decimal("100.00"),
                donation=DonationFactory(fund=fund) if seq == 1 and i % 2 else None,
            )
    login(finance)
    with django_assert_max_num_queries(16):
        response = client.get("/admin/donations/pledges/")
    assert response.status_code == 200
    assert response.content.decode().count("Mark received") >= rows


# --- Donor history --------------------------------------------------------------------------------------------------------


def _donor_with_history(gifts=2):
    fund = FundFactory()
    donor = DonorFactory(name="Harriet History")
    donations = [
        DonationFactory(donor=donor, fund=fund, campaign=CampaignFactory(fund=fund), amount=Decimal("40.00"))
        for _ in range(gifts)
    ]
    receipts = [receipt_issue_for_donation(donation=d, send=False) for d in donations]
    RecurringDonation.objects.create(
        donor=donor, fund=fund, amount=Decimal("15.00"), status="active", stripe_subscription_id=f"sub_{donor.pk}"
    )
    return donor, donations, receipts


def test_donor_history_shows_gifts_receipts_and_monthly_gifts(client, login, finance):
    donor, donations, receipts = _donor_with_history()
    replacement = receipt_cancel_and_replace(receipt=receipts[0], by=finance, reason="Typo")
    DonationFactory(donor=DonorFactory(name="Someone Else"), amount=Decimal("999.00"))
    login(finance)
    response = client.get(f"/admin/donations/donors/{donor.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Harriet History" in html and "Someone Else" not in html
    assert all(f'href="/admin/donations/{d.pk}/"' in html for d in donations)
    assert replacement.serial in html and receipts[1].serial in html and receipts[0].serial in html
    assert "Cancelled" in html
    assert "Monthly gifts" in html and "$15.00" in html and "Active" in html


@pytest.mark.parametrize("rows", [2, 15])
def test_donor_history_query_count_does_not_grow_with_rows(client, login, finance, django_assert_max_num_queries, rows):
    donor, _donations, _receipts = _donor_with_history(gifts=rows)
    for _ in range(rows):
        RecurringDonation.objects.create(
            donor=donor, fund=FundFactory(), campaign=CampaignFactory(), amount=Decimal("5.00"), status="active"
        )
    Pledge.objects.create(donor=donor, fund=FundFactory(), amount=Decimal("10.00"), pledged_on=timezone.localdate())
    login(finance)
    with django_assert_max_num_queries(20):
        assert client.get(f"/admin/donations/donors/{donor.pk}/").status_code == 200


@pytest.mark.parametrize("role", [roles.EDITOR, roles.REVIEWER, roles.APPLICANT])
def test_donor_history_is_refused_to_other_roles(client, login, mfa_user_factory, role):
    donor, _d, _r = _donor_with_history()
    login(mfa_user_factory(role))
    response = client.get(f"/admin/donations/donors/{donor.pk}/")
    assert response.status_code in (302, 403)
    assert "Harriet History" not in response.content.decode()
    if response.status_code == 302:
        assert "login" in response["Location"]


def test_donor_history_sends_an_anonymous_visitor_to_log_in(client):
    donor, _d, _r = _donor_with_history()
    response = client.get(f"/admin/donations/donors/{donor.pk}/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_program_staff_can_read_donor_history(client, login, mfa_user_factory):
    donor, _d, _r = _donor_with_history()
    login(mfa_user_factory(roles.PROGRAM_STAFF))
    assert client.get(f"/admin/donations/donors/{donor.pk}/").status_code == 200
