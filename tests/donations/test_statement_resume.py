"""The year-end statement run is idempotent and resumable: interrupted half-way (the worker killed, or the mail
server refusing), it picks up where it stopped and every donor is emailed exactly once."""

from collections import Counter

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from fund.donations.models import StatementDelivery, StatementRun
from fund.donations.statements import statement_run_execute, statement_run_start
from portal import roles
from tests.factories.donations import DonationFactory, DonorFactory
from tests.factories.fund import FundFactory

pytestmark = pytest.mark.django_db

DONORS = 12


@pytest.fixture
def donors():
    fund = FundFactory()
    people = [DonorFactory() for _ in range(DONORS)]
    for donor in people:
        DonationFactory(donor=donor, fund=fund)
    return people


class WorkerKilled(BaseException):
    """What the task sees of SIGKILL: it stops mid-way, and nothing it had not committed is kept."""


def failing_after(n, exc):
    sent = {"count": 0}
    real = EmailBackend.send_messages

    def send_messages(self, messages):
        if sent["count"] >= n:
            raise exc
        sent["count"] += len(messages)
        return real(self, messages)

    return send_messages


def statement_recipients():
    return Counter(m.to[0] for m in mail.outbox if "statement" in m.subject.lower())


def test_a_run_whose_worker_was_killed_half_way_and_ran_again_emails_every_donor_exactly_once(donors, monkeypatch):
    run = StatementRun.objects.create(year=timezone.now().year)
    monkeypatch.setattr(EmailBackend, "send_messages", failing_after(5, WorkerKilled()))
    with pytest.raises(WorkerKilled):
        statement_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "running"  # as a killed worker leaves it; the task is retried (see tests/portal/test_worker)
    assert len(statement_recipients()) == 5
    monkeypatch.undo()
    statement_run_execute(run_id=run.pk)  # the retry
    run.refresh_from_db()
    assert (run.status, run.done, run.total) == ("done", DONORS, DONORS)
    assert statement_recipients() == Counter({d.email: 1 for d in donors})
    assert StatementDelivery.objects.count() == DONORS


def test_a_failed_run_is_resumed_from_the_staff_screen_and_emails_only_the_rest(
    donors, monkeypatch, client, login, mfa_user_factory, django_capture_on_commit_callbacks
):
    login(mfa_user_factory(roles.FINANCE))
    monkeypatch.setattr(EmailBackend, "send_messages", failing_after(7, ConnectionRefusedError("mail server down")))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/donations/statements/", {"year": str(timezone.now().year)})
    run = StatementRun.objects.get()
    assert (run.status, run.done, run.total) == ("failed", 7, DONORS)
    page = client.get("/admin/donations/statements/").content.decode()
    assert f"/admin/donations/statements/{run.pk}/resume/" in page
    progress = client.get("/admin/donations/statements/progress.json").json()["runs"][0]
    assert (progress["status"], progress["done"], progress["total"]) == ("failed", 7, DONORS)

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/donations/statements/{run.pk}/resume/")
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.done) == ("done", DONORS)
    assert statement_recipients() == Counter({d.email: 1 for d in donors})


def test_running_a_year_again_emails_nobody_twice(donors, django_capture_on_commit_callbacks):
    year = timezone.now().year
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            statement_run_start(year=year)
    assert statement_recipients() == Counter({d.email: 1 for d in donors})
    assert list(StatementRun.objects.values_list("status", "done", "total")) == [("done", DONORS, DONORS)] * 2


def test_only_a_failed_run_can_be_resumed(donors, client, login, mfa_user_factory):
    login(mfa_user_factory(roles.FINANCE))
    run = StatementRun.objects.create(year=timezone.now().year, status="done")
    client.post(f"/admin/donations/statements/{run.pk}/resume/")
    assert "Only a failed run can be resumed" in client.get("/admin/donations/statements/").content.decode()
