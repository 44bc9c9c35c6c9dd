"""The scheduler: each job of portal/schedule.py once per slot however many schedulers run, run by the worker with its
result kept for staff, staff emailed when the ledger check fails, missed slots caught up within their grace."""

import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from portal import roles, scheduler
from portal.jobs import Job
from portal.models import ScheduledRun
from portal.schedule import JOBS


def local(*args):
    return datetime(*args, tzinfo=ZoneInfo(settings.TIME_ZONE))


def test_every_known_job_is_in_the_table_with_a_command_that_exists():
    from django.core.management import get_commands

    names = {job.name for job in JOBS}
    assert {
        "expire_award_offers",
        "mark_overdue_reports",
        "send_report_reminders",
        "stripe_reconcile",
        "ledger_check",
        "issue_annual_statements",
    } <= names
    commands = get_commands()
    assert all(job.task or (job.command or job.name) in commands for job in JOBS)


def test_a_slot_is_due_from_its_time_until_its_grace_period_ends():
    daily = Job("daily", cron={"hour": 6, "minute": 0})
    assert daily.due_slot(local(2026, 3, 2, 5, 59)) is None
    assert daily.due_slot(local(2026, 3, 2, 6, 0, 1)) == local(2026, 3, 2, 6, 0)
    assert daily.due_slot(local(2026, 3, 2, 6, 59)) == local(2026, 3, 2, 6, 0)
    assert daily.due_slot(local(2026, 3, 2, 7, 1)) is None  # missed for longer than an hour: the next slot will do
    hourly = Job("hourly", cron={"minute": 20})
    assert hourly.due_slot(local(2026, 3, 2, 9, 25)) == local(2026, 3, 2, 9, 20)


def test_annual_statements_in_january_cover_the_year_before():
    job = {job.name: job for job in JOBS}["issue_annual_statements"]
    slot = job.next_slot(local(2026, 6, 1))
    assert (slot.month, slot.year) == (1, 2027)
    assert job.arguments(slot) == ["--year", "2026"]


@pytest.mark.django_db
def test_a_slot_is_run_by_the_worker_and_its_result_kept(django_capture_on_commit_callbacks):
    job = {job.name: job for job in JOBS}["mark_overdue_reports"]
    with django_capture_on_commit_callbacks(execute=True):
        run = scheduler.slot_schedule(job=job, slot=job.due_slot(local(2026, 3, 2, 6, 15)))
    run.refresh_from_db()
    assert run.status == "succeeded" and "report(s) marked overdue" in run.output
    assert scheduler.slot_schedule(job=job, slot=run.slot) is None  # the same slot again: nothing
    assert scheduler.scheduled_job_task.call(run.pk) == "succeeded"  # a retried task does not run it again


@pytest.mark.django_db
def test_a_failing_ledger_check_is_recorded_and_staff_are_emailed(monkeypatch, django_capture_on_commit_callbacks):
    def broken_ledger(name, *args, **kwargs):
        kwargs["stdout"].write("FAIL  transactions balance\n")
        raise CommandError("Ledger check failed: 1 problem(s).")

    monkeypatch.setattr(scheduler, "call_command", broken_ledger)
    job = {job.name: job for job in JOBS}["ledger_check"]
    with django_capture_on_commit_callbacks(execute=True):
        run = scheduler.slot_schedule(job=job, slot=timezone.now().replace(microsecond=0))
    run.refresh_from_db()
    assert run.status == "failed"
    assert "Ledger check failed: 1 problem(s)." in run.output and "FAIL  transactions balance" in run.output
    [alert] = mail.outbox
    assert alert.to == [settings.STAFF_NOTIFICATION_EMAIL]
    assert "ledger_check" in alert.subject and "transactions balance" in alert.body


@pytest.mark.django_db
def test_catch_up_records_each_missed_slot_once(django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(scheduler, "call_command", lambda *a, **k: None)
    now = local(2026, 3, 2, 6, 30)
    with django_capture_on_commit_callbacks(execute=True):
        made = scheduler.catch_up(now=now)
        again = scheduler.catch_up(now=now)
    assert {run.job for run in made} == {"expire_award_offers", "mark_overdue_reports", "stripe_reconcile"}
    assert again == []


@pytest.mark.django_db
def test_staff_see_each_jobs_last_run_result_and_next_run(
    client, login, mfa_user_factory, django_assert_max_num_queries
):
    ScheduledRun.objects.create(job="ledger_check", slot=timezone.now(), status="failed", output="FAIL  balance")
    login(mfa_user_factory(roles.FINANCE))
    with django_assert_max_num_queries(15):
        response = client.get("/admin/scheduled-jobs/")
    html = response.content.decode()
    assert response.status_code == 200
    for job in JOBS:
        assert job.name in html
    assert "Failed" in html and "FAIL  balance" in html and "Never" in html
    login(mfa_user_factory(roles.EDITOR))
    response = client.get("/admin/scheduled-jobs/")
    assert response.status_code in (302, 403) and "ledger_check" not in response.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_running_side_by_side_run_a_job_once_per_slot(monkeypatch, settings):
    """Two real APScheduler schedulers firing the same every-second job for a few seconds, against PostgreSQL."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    from django_tasks_db.models import DBTaskResult

    monkeypatch.setattr(scheduler, "JOBS", [Job("tick", cron={"second": "*"}, grace=timedelta(seconds=30))])
    schedulers = [scheduler.build_scheduler(scheduler_id=f"s{i}") for i in range(2)]
    for s in schedulers:
        s.start()
    time.sleep(4.5)
    for s in schedulers:
        s.shutdown(wait=True)
    runs = list(ScheduledRun.objects.filter(job="tick").values_list("slot", "scheduler"))
    slots = [slot for slot, _ in runs]
    assert len(slots) >= 3 and len(slots) == len(set(slots))  # every slot once
    assert DBTaskResult.objects.filter(task_path="portal.scheduler.scheduled_job_task").count() == len(slots)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_schedulers_catching_up_at_the_same_moment_record_each_slot_once():
    now = local(2026, 3, 2, 6, 30)
    barrier = threading.Barrier(4)
    made = []

    def catch_up():
        try:
            barrier.wait(timeout=30)
            made.extend(scheduler.catch_up(now=now, scheduler="racer"))
        finally:
            connection.close()

    threads = [threading.Thread(target=catch_up) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(run.job for run in made) == ["expire_award_offers", "mark_overdue_reports", "stripe_reconcile"]
    assert ScheduledRun.objects.count() == 3
