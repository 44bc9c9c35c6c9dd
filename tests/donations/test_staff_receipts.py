"""Finance actions on receipts and Stripe events: resend a receipt, cancel and reissue, replay an event. Finance and
superusers only; program staff keep read access."""

import pytest
from django.core import mail
from wagtail.models import ModelLogEntry

from fund.donations.models import Receipt, ReceiptCounter, StripeEvent
from fund.donations.receipts import receipt_cancel_and_replace, receipt_issue_for_donation
from portal import roles
from tests.factories.donations import DonationFactory, DonorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(mfa_user_factory):
    return mfa_user_factory(roles.FINANCE)


@pytest.fixture
def receipt():
    return receipt_issue_for_donation(
        donation=DonationFactory(donor=DonorFactory(email="rita@example.org")), send=False
    )


def test_finance_resends_the_existing_receipt_pdf_and_nothing_new_is_numbered(
    client, login, finance, receipt, django_capture_on_commit_callbacks
):
    stored = receipt.pdf.open("rb").read()
    receipt.pdf.close()
    counters = list(ReceiptCounter.objects.values_list("jurisdiction", "year", "last_number"))
    login(finance)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/donations/receipts/{receipt.pk}/resend/", follow=True)
    assert response.status_code == 200
    assert f"Receipt {receipt.serial} sent again to rita@example.org" in response.content.decode()
    [message] = mail.outbox
    assert message.to == ["rita@example.org"]
    assert receipt.serial in message.subject
    [(name, content, mimetype)] = message.attachments
    assert (name, content, mimetype) == (f"receipt-{receipt.serial}.pdf", stored, "application/pdf")
    assert Receipt.objects.count() == 1
    assert list(ReceiptCounter.objects.values_list("jurisdiction", "year", "last_number")) == counters
    entry = ModelLogEntry.objects.get(action="donations.receipt.resend")
    assert (entry.object_id, entry.user_id) == (str(receipt.pk), finance.pk)
    receipt.refresh_from_db()
    assert receipt.emailed_at is not None


def test_resend_button_is_on_the_donation_screen_for_finance(client, login, finance, receipt):
    login(finance)
    html = client.get(f"/admin/donations/{receipt.donation_id}/").content.decode()
    assert f'action="/admin/donations/receipts/{receipt.pk}/resend/"' in html
    assert "Resend receipt" in html and "csrfmiddlewaretoken" in html


def test_a_cancelled_receipt_is_not_resent(client, login, finance, receipt, django_capture_on_commit_callbacks):
    receipt_cancel_and_replace(receipt=receipt, by=finance, reason="Wrong name")
    login(finance)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/donations/receipts/{receipt.pk}/resend/", follow=True)
    assert "is cancelled" in response.content.decode()
    assert [m for m in mail.outbox if receipt.serial in m.subject and "corrected" not in m.subject.lower()] == []
    assert not ModelLogEntry.objects.filter(action="donations.receipt.resend").exists()


def test_resend_needs_post(client, login, finance, receipt):
    login(finance)
    assert client.get(f"/admin/donations/receipts/{receipt.pk}/resend/").status_code == 405


def test_resend_of_an_unknown_receipt_is_404(client, login, finance):
    login(finance)
    assert client.post("/admin/donations/receipts/999999/resend/").status_code == 404


# --- Who may do finance actions -------------------------------------------------------------------------------------------


def _superuser(mfa_user_factory):
    return mfa_user_factory(is_superuser=True, is_staff=True)


@pytest.mark.parametrize(
    "role,allowed",
    [
        (roles.FINANCE, True),
        ("superuser", True),
        (roles.PROGRAM_STAFF, False),
        (roles.EDITOR, False),
        (roles.REVIEWER, False),
    ],
)
def test_only_finance_resends_receipts(
    client, login, mfa_user_factory, receipt, django_capture_on_commit_callbacks, role, allowed
):
    login(_superuser(mfa_user_factory) if role == "superuser" else mfa_user_factory(role))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/donations/receipts/{receipt.pk}/resend/")
    assert response.status_code == (302 if allowed else 403)
    assert len(mail.outbox) == (1 if allowed else 0)


@pytest.mark.parametrize(
    "role,allowed",
    [
        (roles.FINANCE, True),
        ("superuser", True),
        (roles.PROGRAM_STAFF, False),
        (roles.EDITOR, False),
        (roles.REVIEWER, False),
    ],
)
def test_only_finance_cancels_and_reissues_receipts(client, login, mfa_user_factory, receipt, role, allowed):
    login(_superuser(mfa_user_factory) if role == "superuser" else mfa_user_factory(role))
    response = client.post(f"/admin/donations/receipts/{receipt.pk}/reissue/", {"reason": "Wrong address"})
    assert response.status_code == (302 if allowed else 403)
    receipt.refresh_from_db()
    assert receipt.status == ("cancelled" if allowed else "issued")
    assert Receipt.objects.count() == (2 if allowed else 1)


@pytest.mark.parametrize(
    "role,allowed",
    [
        (roles.FINANCE, True),
        ("superuser", True),
        (roles.PROGRAM_STAFF, False),
        (roles.EDITOR, False),
        (roles.REVIEWER, False),
    ],
)
def test_only_finance_replays_stripe_events(client, login, mfa_user_factory, role, allowed):
    event = StripeEvent.objects.create(
        event_id="evt_roles", type="customer.created", payload={"data": {"object": {}}}, error="boom"
    )
    login(_superuser(mfa_user_factory) if role == "superuser" else mfa_user_factory(role))
    response = client.post(f"/admin/donations/events/{event.pk}/replay/")
    assert response.status_code == (302 if allowed else 403)
    event.refresh_from_db()
    assert (event.processed_at is not None) == allowed


def test_program_staff_see_receipts_and_events_without_finance_buttons(client, login, mfa_user_factory, receipt):
    StripeEvent.objects.create(
        event_id="evt_ro", type="customer.created", payload={"data": {"object": {}}}, error="boom"
    )
    login(mfa_user_factory(roles.PROGRAM_STAFF))
    detail = client.get(f"/admin/donations/{receipt.donation_id}/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert receipt.serial in html
    assert "/resend/" not in html and "/reissue/" not in html
    assert client.get(f"/admin/donations/receipts/{receipt.pk}/download/").status_code == 200
    events = client.get("/admin/donations/events/")
    assert events.status_code == 200 and "evt_ro" in events.content.decode()
    assert "/replay/" not in events.content.decode()


def test_finance_sees_the_finance_buttons(client, login, finance, receipt):
    StripeEvent.objects.create(
        event_id="evt_fin", type="customer.created", payload={"data": {"object": {}}}, error="boom"
    )
    login(finance)
    assert "/reissue/" in client.get(f"/admin/donations/{receipt.donation_id}/").content.decode()
    assert "/replay/" in client.get("/admin/donations/events/").content.decode()
