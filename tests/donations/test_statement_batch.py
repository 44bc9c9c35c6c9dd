"""The year-end statement batch costs the same per donor whatever the fund's size: a fixed number of queries per donor
(the once-a-year delivery row) on top of a fixed number per chunk, and one mail connection per chunk."""

import gc
import weakref
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fund.donations import statements
from fund.donations.models import Donation, Donor, StatementDelivery, StatementRun
from tests.factories.donations import DonationFactory, DonorFactory
from tests.factories.fund import FundFactory

pytestmark = pytest.mark.django_db
YEAR = 2025


@pytest.fixture(autouse=True)
def no_progress_updates(monkeypatch):
    monkeypatch.setattr(statements, "PROGRESS_EVERY", 10**6)
    monkeypatch.setattr(statements, "PROGRESS_SECONDS", 10**6)


def _donors(n, *, year, fund):
    people = [DonorFactory() for _ in range(n)]
    for donor in people:
        for month in (2, 7):
            DonationFactory(donor=donor, fund=fund, received_at=datetime(year, month, 15, 12, tzinfo=UTC))
    return people


def _run(year):
    run = StatementRun.objects.create(year=year)
    with CaptureQueriesContext(connection) as ctx:
        statements.statement_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == StatementRun.Status.DONE
    return len(ctx.captured_queries)


def test_queries_per_donor_do_not_depend_on_gifts_or_the_number_of_donors(mailoutbox):
    fund = FundFactory()
    _donors(3, year=YEAR - 1, fund=fund)
    _donors(9, year=YEAR, fund=fund)
    small, large = _run(YEAR - 1), _run(YEAR)
    assert len(mailoutbox) == 12
    per_donor = (large - small) / 6
    assert per_donor == 3  # savepoint, the delivery row, release: gifts and receipts are read once per chunk
    assert small - 3 * per_donor == large - 9 * per_donor  # the same fixed part at both sizes
    assert StatementDelivery.objects.count() == 12


def test_a_statement_run_opens_one_mail_connection_per_chunk(monkeypatch, mailoutbox):
    opened = []
    real_init = EmailBackend.__init__

    def counting_init(self, *args, **kwargs):
        opened.append(self)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(EmailBackend, "__init__", counting_init)
    _donors(7, year=YEAR, fund=FundFactory())
    _run(YEAR)
    assert len(mailoutbox) == 7
    assert len(opened) == 1


def _many_donors(n, *, year, fund):
    """n donors with three gifts each, in two queries (the factories would take a second per hundred)."""
    donors = Donor.objects.bulk_create(
        [Donor(name=f"Donor {year}-{i}", email=f"d{year}-{i}@example.org", city="Millbrook") for i in range(n)]
    )
    Donation.objects.bulk_create(
        Donation(
            donor=donor,
            fund=fund,
            amount=Decimal("100.00"),
            net_amount=Decimal("100.00"),
            method="cheque",
            status="succeeded",
            received_at=datetime(year, month, 15, 12, tzinfo=UTC),
            donor_name=donor.name,
        )
        for donor in donors
        for month in (2, 7, 11)
    )


def test_a_statement_run_lets_each_chunk_go_before_reading_the_next(monkeypatch, settings):
    """A run's memory is one chunk's (its donors and gifts, then one PDF and email at a time), whatever the number of
    donors: when the next chunk's gifts are read, none of the previous chunk's are still held. (The loop once kept
    them, which made a run of many chunks peak at two chunks: 13.5 MB instead of 8.5 with chunks of 500.)"""
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"  # an outbox would hold every message
    monkeypatch.setattr(statements, "CHUNK", 4)
    _many_donors(12, year=YEAR, fund=FundFactory())
    read_gifts = statements._gifts_for
    previous, still_held = [], []

    def watching(donors, **kwargs):
        gc.collect()
        still_held.append(sum(ref() is not None for ref in previous))
        by_donor = read_gifts(donors, **kwargs)
        previous[:] = [weakref.ref(gift) for gifts in by_donor.values() for gift in gifts]
        return by_donor

    monkeypatch.setattr(statements, "_gifts_for", watching)
    run = StatementRun.objects.create(year=YEAR)
    statements.statement_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.done == 12 and len(previous) == 12  # three chunks of four donors, three gifts each
    assert still_held == [0, 0, 0]
