"""Real concurrency on PostgreSQL: duplicate deliveries and the webhook racing the success redirect."""

import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from fund.donations.models import Donation, Receipt
from fund.models import LedgerTransaction
from tests.factories.fund import FundFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(*targets):
    barrier = threading.Barrier(len(targets))
    results, errors = [None] * len(targets), []

    def wrap(i, fn):
        try:
            barrier.wait(timeout=10)
            results[i] = fn()
        except Exception as exc:  # surfaced in the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(i, fn)) for i, fn in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


def receipt_emails():
    return [m for m in mail.outbox if "receipt" in m.subject.lower()]


def test_same_event_delivered_five_times_concurrently_records_once(fake_stripe, start_gift, post_event):
    fund = FundFactory()
    donation, session = start_gift(fund, gift="50.00")
    event = fake_stripe.event("checkout.session.completed", fake_stripe.complete_session(session["id"]))
    statuses = run_together(*[lambda: post_event(event, c=Client()).status_code for _ in range(5)])
    assert statuses == [200] * 5
    donation.refresh_from_db()
    assert donation.status == "succeeded"
    assert LedgerTransaction.objects.filter(kind="donation").count() == 1
    assert Receipt.objects.count() == 1
    assert len(receipt_emails()) == 1


def test_webhook_and_redirect_racing_fifty_times_record_one_donation_each(fake_stripe, start_gift, post_event):
    fund = FundFactory()
    for i in range(50):
        donation, session = start_gift(fund, gift="10.00", email=f"racer{i}@example.org")
        completed = fake_stripe.complete_session(session["id"])
        event = fake_stripe.event("checkout.session.completed", completed)
        webhook, redirect = run_together(
            lambda event=event: post_event(event, c=Client()).status_code,
            lambda session=session: Client().get(f"/donate/thanks/?session_id={session['id']}").status_code,
        )
        assert (webhook, redirect) == (200, 200)
    assert Donation.objects.filter(status="succeeded").count() == 50
    assert LedgerTransaction.objects.filter(kind="donation").count() == 50
    assert LedgerTransaction.objects.filter(kind="processing_fee").count() == 50
    assert Receipt.objects.count() == 50
    assert len(receipt_emails()) == 50
    serials = sorted(Receipt.objects.values_list("number", flat=True))
    assert serials == list(range(1, 51))  # never repeated, never skipped


def test_concurrent_receipts_take_consecutive_serials(db):
    from fund.donations.receipts import receipt_issue_for_donation
    from tests.factories.donations import DonationFactory

    fund = FundFactory()
    donations = [DonationFactory(fund=fund, amount=Decimal("5.00")) for _ in range(8)]
    run_together(*[lambda d=d: receipt_issue_for_donation(donation=d) for d in donations])
    assert sorted(Receipt.objects.values_list("number", flat=True)) == list(range(1, 9))
