"""Any number of Stripe events consumers: each event is claimed by one of them (FOR UPDATE SKIP LOCKED), so every
event costs one Stripe read and counts one attempt, and every gift is recorded once."""

import threading

import pytest
from django.db import connection

from fund.donations.models import Donation, StripeEvent
from fund.donations.webhooks import stripe_event_receive, stripe_events_claim, stripe_events_process_due
from fund.models import LedgerTransaction
from tests.factories.fund import FundFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def store_completed_gifts(fake_stripe, start_gift, n):
    fund = FundFactory()
    for i in range(n):
        donation, session = start_gift(fund, gift="20.00", email=f"giver{i}@example.org")
        stripe_event_receive(
            event=fake_stripe.event("checkout.session.completed", fake_stripe.complete_session(session["id"]))
        )


def consumer(results, barrier):
    try:
        barrier.wait(timeout=30)
        while True:
            counts = stripe_events_process_due()
            if not counts:
                return
            for result, n in counts.items():
                results[result] = results.get(result, 0) + n
    finally:
        connection.close()


def test_two_consumers_on_200_events_make_200_stripe_reads_and_200_gifts(fake_stripe, start_gift):
    store_completed_gifts(fake_stripe, start_gift, 200)
    reads_before = len(fake_stripe.captured("GET", "/v1/checkout/sessions/"))
    barrier = threading.Barrier(2)
    results = [{}, {}]
    threads = [threading.Thread(target=consumer, args=(results[i], barrier)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert results[0].get("processed", 0) + results[1].get("processed", 0) == 200
    assert results[0].get("processed") and results[1].get("processed")  # both did share the work
    assert len(fake_stripe.captured("GET", "/v1/checkout/sessions/")) - reads_before == 200
    assert Donation.objects.filter(status="succeeded").count() == 200
    assert LedgerTransaction.objects.filter(kind="donation").count() == 200
    assert set(StripeEvent.objects.values_list("attempts", flat=True)) == {1}


def test_consumers_claiming_at_once_take_different_events_and_a_lapsed_claim_is_taken_again(fake_stripe, start_gift):
    from datetime import timedelta

    from django.utils import timezone

    store_completed_gifts(fake_stripe, start_gift, 20)
    barrier = threading.Barrier(4)
    claimed = []

    def claim():
        try:
            barrier.wait(timeout=30)
            claimed.append(stripe_events_claim(limit=5))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    every = [pk for batch in claimed for pk in batch]
    assert len(every) == len(set(every)) == 20
    assert stripe_events_claim() == []  # all held
    # The consumers were killed: their claims lapse and another consumer takes the events.
    later = timezone.now() + timedelta(minutes=3)
    assert len(stripe_events_claim(now=later, limit=100)) == 20
