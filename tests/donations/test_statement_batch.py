"""The year-end statement batch costs the same per donor whatever the fund's size: a fixed number of queries per donor
(the once-a-year delivery row) on top of a fixed number per chunk, and one mail connection per chunk."""

from datetime import UTC, datetime

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fund.donations import statements
from fund.donations.models import StatementDelivery, StatementRun
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
