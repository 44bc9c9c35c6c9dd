"""Staff screens: finance and program staff only; offline gifts, pledges, exports, replay, query budgets."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fund.donations.models import Donation, Pledge, StripeEvent
from fund.donations.offline import OfflineGiftError, donation_record_offline, pledge_create, pledge_instalment_pay
from fund.donations.selectors import overdue_instalments
from fund.ledger import account_balances
from portal import roles
from tests.factories.donations import DonationFactory, DonorFactory
from tests.factories.fund import CampaignFactory, FundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(mfa_user_factory):
    return mfa_user_factory(roles.FINANCE)


def _user_with(mfa_user_factory, role):
    if role == "superuser":
        return mfa_user_factory(is_superuser=True, is_staff=True)
    return mfa_user_factory(*([role] if role else []))


@pytest.mark.parametrize(
    "role,expected",
    [
        (roles.FINANCE, 200),
        (roles.PROGRAM_STAFF, 200),
        ("superuser", 200),
        (roles.EDITOR, 403),
        (roles.REVIEWER, 403),
        (None, 403),
    ],
)
def test_donations_admin_is_for_finance_and_program_staff_only(client, login, mfa_user_factory, role, expected):
    donation = DonationFactory()
    login(_user_with(mfa_user_factory, role))
    for url in [
        "/admin/donations/",
        "/admin/donations/export/csv/",
        "/admin/donations/pledges/",
        "/admin/donations/events/",
        f"/admin/donations/{donation.pk}/",
        f"/admin/donations/donors/{donation.donor_id}/",
        "/admin/donations/statements/",
    ]:
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize(
    "role,expected",
    [
        (roles.FINANCE, 302),
        ("superuser", 302),
        (roles.PROGRAM_STAFF, 403),
        (roles.EDITOR, 403),
        (roles.REVIEWER, 403),
        (None, 403),
    ],
)
def test_receipt_and_event_actions_are_for_finance_only(client, login, mfa_user_factory, role, expected):
    from fund.donations.receipts import receipt_issue_for_donation

    receipt = receipt_issue_for_donation(donation=DonationFactory(), send=False)
    event = StripeEvent.objects.create(
        event_id="evt_perm", type="customer.created", payload={"data": {"object": {}}}, error="x"
    )
    login(_user_with(mfa_user_factory, role))
    for url, data in [
        (f"/admin/donations/receipts/{receipt.pk}/resend/", {}),
        (f"/admin/donations/events/{event.pk}/replay/", {}),
        (f"/admin/donations/receipts/{receipt.pk}/reissue/", {"reason": "Wrong address"}),
    ]:
        assert client.post(url, data).status_code == expected, url


def test_donation_list_filters_searches_and_exports(client, login, finance):
    fund = FundFactory()
    campaign = CampaignFactory(fund=fund)
    DonationFactory(fund=fund, campaign=campaign, donor=DonorFactory(name="Zed Campaigner"))
    DonationFactory(fund=fund, donor=DonorFactory(name="=HYPERLINK(evil)"), method="bank_transfer")
    login(finance)
    page = client.get(f"/admin/donations/?campaign={campaign.slug}").content.decode()
    assert "Zed Campaigner" in page and "HYPERLINK" not in page
    assert "HYPERLINK" in client.get("/admin/donations/?q=hyperlink").content.decode()
    csv_text = b"".join(client.get("/admin/donations/export/csv/").streaming_content).decode()
    assert "Zed Campaigner" in csv_text and "'=HYPERLINK(evil)" in csv_text
    xlsx = client.get("/admin/donations/export/xlsx/?method=bank_transfer")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


@pytest.mark.parametrize("rows", [3, 30])
def test_donation_list_query_count_does_not_grow_with_rows(client, login, finance, django_assert_max_num_queries, rows):
    fund = FundFactory()
    for _ in range(rows):
        DonationFactory(fund=fund, campaign=CampaignFactory(fund=fund))
    login(finance)
    with django_assert_max_num_queries(18):
        assert client.get("/admin/donations/").status_code == 200


def test_offline_cheque_posts_cash_and_revenue_and_sends_a_receipt(
    client, login, finance, django_capture_on_commit_callbacks, mailoutbox
):
    fund = FundFactory()
    donor = DonorFactory()
    login(finance)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/donations/offline/",
            {
                "donor": donor.pk,
                "fund": fund.pk,
                "method": "cheque",
                "amount": "1250.00",
                "received_on": timezone.localdate().isoformat(),
                "reference": "CHQ 1001",
            },
        )
    assert response.status_code == 302
    donation = Donation.objects.get()
    assert (donation.method, donation.status, donation.recorded_by) == ("cheque", "succeeded", finance)
    balances = account_balances(fund)
    assert balances["cash"] == Decimal("1250.00") and balances["donations_revenue"] == Decimal("-1250.00")
    assert len(mailoutbox) == 1


def test_stock_gift_needs_a_description(finance):
    with pytest.raises(OfflineGiftError):
        donation_record_offline(
            donor=DonorFactory(),
            fund=FundFactory(),
            amount="5000",
            method="stock",
            received_on=timezone.localdate(),
            by=finance,
        )


def test_pledge_with_instalments_posts_receivable_and_fulfilments_settle_it(
    finance, django_capture_on_commit_callbacks
):
    fund = FundFactory()
    today = timezone.localdate()
    pledge = pledge_create(
        donor=DonorFactory(is_organisation=True),
        fund=fund,
        amount="100000.00",
        pledged_on=today - timedelta(days=200),
        schedule=[
            (today - timedelta(days=100), "25000"),
            (today - timedelta(days=10), "25000"),
            (today + timedelta(days=80), "25000"),
            (today + timedelta(days=170), "25000"),
        ],
        by=finance,
    )
    assert account_balances(fund)["pledges_receivable"] == Decimal("100000.00")
    assert [i.sequence for i in overdue_instalments()] == [1, 2]
    first = pledge.instalments.get(sequence=1)
    with django_capture_on_commit_callbacks(execute=True):
        donation = pledge_instalment_pay(instalment=first, method="bank_transfer", received_on=today, by=finance)
    assert pledge_instalment_pay(instalment=first, method="bank_transfer", received_on=today, by=finance) == donation
    balances = account_balances(fund)
    assert balances["pledges_receivable"] == Decimal("75000.00")
    assert balances["cash"] == Decimal("25000.00")
    assert balances["donations_revenue"] == Decimal("-100000.00")  # revenue once, at pledge time
    assert [i.sequence for i in overdue_instalments()] == [2]
    for instalment in pledge.instalments.filter(donation__isnull=True):
        pledge_instalment_pay(instalment=instalment, method="cheque", received_on=today, by=finance)
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.FULFILLED


def test_pledge_instalments_must_add_up(finance):
    with pytest.raises(OfflineGiftError):
        pledge_create(
            donor=DonorFactory(),
            fund=FundFactory(),
            amount="1000",
            pledged_on=timezone.localdate(),
            schedule=[(timezone.localdate(), "400"), (timezone.localdate(), "500")],
            by=finance,
        )


def test_pledge_form_splits_into_equal_instalments(client, login, finance):
    fund = FundFactory()
    login(finance)
    response = client.post(
        "/admin/donations/pledges/new/",
        {
            "new_donor_name": "Hartley Family Foundation",
            "new_donor_email": "grants@hartley.example",
            "fund": fund.pk,
            "amount": "100000.00",
            "pledged_on": "2026-01-15",
            "instalments": "3",
            "first_due": "2026-03-01",
            "interval_months": "3",
        },
    )
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert [str(i.amount) for i in pledge.instalments.all()] == ["33333.34", "33333.33", "33333.33"]
    assert [i.due_date.isoformat() for i in pledge.instalments.all()] == ["2026-03-01", "2026-06-01", "2026-09-01"]


def test_staff_replays_a_failed_event(client, login, finance):
    event = StripeEvent.objects.create(
        event_id="evt_x", type="customer.created", payload={"data": {"object": {}}}, error="boom"
    )
    login(finance)
    response = client.post(f"/admin/donations/events/{event.pk}/replay/")
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.processed_at is not None


def test_editor_cannot_replay_events(client, login, mfa_user_factory):
    event = StripeEvent.objects.create(
        event_id="evt_y", type="customer.created", payload={"data": {"object": {}}}, error="boom"
    )
    login(mfa_user_factory(roles.EDITOR))
    assert client.post(f"/admin/donations/events/{event.pk}/replay/").status_code == 403
    event.refresh_from_db()
    assert event.processed_at is None
