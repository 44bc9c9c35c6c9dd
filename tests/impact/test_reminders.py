"""Reminders with a frozen clock: 14 and 3 days before, on the due date, overdue; each sent once."""

from datetime import date

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from grants.impact.models import ImpactReport, ReportReminder
from tests.factories.impact import make_report

pytestmark = pytest.mark.django_db(transaction=False)
DUE = date(2026, 3, 31)


@pytest.fixture
def report(award, member):
    return make_report(
        award,
        1,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 2, 28),
        status=ImpactReport.Status.DUE,
        due_date=DUE,
    )


def run_twice(django_capture_on_commit_callbacks):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_report_reminders", stdout=open("/dev/null", "w"))


@pytest.mark.parametrize(
    "today, kind, words",
    [
        ("2026-03-17 09:00", "before_14", "is due on 31 March 2026"),
        ("2026-03-28 09:00", "before_3", "is due on 31 March 2026"),
        ("2026-03-31 09:00", "due", "is due on 31 March 2026"),
        ("2026-04-01 09:00", "overdue", "Payments to your organisation are on hold"),
    ],
)
def test_each_reminder_is_sent_once(report, member, today, kind, words, django_capture_on_commit_callbacks):
    with time_machine.travel(today, tick=False):
        run_twice(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member.email]
    assert words in mail.outbox[0].body
    assert list(ReportReminder.objects.values_list("kind", flat=True)) == [kind]


def test_nothing_is_sent_three_weeks_before(report, django_capture_on_commit_callbacks):
    with time_machine.travel("2026-03-01 09:00", tick=False):
        run_twice(django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_a_whole_cycle_sends_four_emails_and_no_more(report, django_capture_on_commit_callbacks):
    for day in ("2026-03-17", "2026-03-18", "2026-03-28", "2026-03-31", "2026-04-01", "2026-04-15"):
        with time_machine.travel(f"{day} 09:00", tick=False):
            run_twice(django_capture_on_commit_callbacks)
    assert [m.subject for m in mail.outbox] == [
        "Impact report 1 is due in 14 days",
        "Impact report 1 is due in 3 days",
        "Impact report 1 is due today",
        "Impact report 1 is overdue",
    ]


def test_submitted_reports_get_no_reminders(report, django_capture_on_commit_callbacks):
    ImpactReport.objects.filter(pk=report.pk).update(status=ImpactReport.Status.SUBMITTED)
    with time_machine.travel("2026-04-01 09:00", tick=False):
        run_twice(django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_mark_overdue_command(report):
    with time_machine.travel("2026-04-01 09:00", tick=False):
        call_command("mark_overdue_reports", stdout=open("/dev/null", "w"))
    report.refresh_from_db()
    assert report.status == ImpactReport.Status.OVERDUE
