"""The task worker survives outages, and a task whose worker was killed is given back to the queue and run again."""

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from portal.models import ProcessHeartbeat
from portal.resilience import Backoff, run_forever
from portal.worker import tasks_requeue_abandoned

ROOT = Path(__file__).resolve().parents[2]


def running_task(worker_ids, started_ago=120):
    return DBTaskResult.objects.create(
        args_kwargs={"args": [1], "kwargs": {}},
        task_path="fund.donations.tasks.receipt_email_task",
        backend_name="default",
        run_after=timezone.now(),
        status="RUNNING",
        started_at=timezone.now() - timedelta(seconds=started_ago),
        worker_ids=worker_ids,
    )


@pytest.mark.django_db
def test_tasks_of_dead_workers_go_back_to_the_queue_and_fail_after_too_many_starts(settings):
    settings.TASK_LEASE_SECONDS = 30
    settings.TASK_MAX_ATTEMPTS = 3
    ProcessHeartbeat.objects.create(process_id="alive", kind="worker", beat_at=timezone.now())
    ProcessHeartbeat.objects.create(process_id="silent", kind="worker", beat_at=timezone.now() - timedelta(minutes=5))
    of_live_worker = running_task(["alive"])
    of_silent_worker = running_task(["silent"])
    of_vanished_worker = running_task(["gone", "gone-too"])
    just_claimed = running_task(["new-worker-not-beating-yet"], started_ago=1)
    killed_three_times = running_task(["a", "b", "c"])

    assert tasks_requeue_abandoned() == {"requeued": 2, "failed": 1}
    status = {t.pk: t.status for t in DBTaskResult.objects.all()}
    assert status[of_live_worker.pk] == "RUNNING"
    assert status[just_claimed.pk] == "RUNNING"
    assert status[of_silent_worker.pk] == status[of_vanished_worker.pk] == "READY"
    assert status[killed_three_times.pk] == "FAILED"
    assert DBTaskResult.objects.get(pk=killed_three_times.pk).exception_class_path == "portal.worker.WorkerDied"


@pytest.mark.django_db
def test_the_loop_logs_database_errors_backs_off_and_carries_on_until_stopped(caplog):
    stop = threading.Event()
    calls = []

    def step():
        calls.append(time.monotonic())
        if len(calls) <= 3:
            raise OperationalError("server closed the connection unexpectedly")
        stop.set()
        return True

    with caplog.at_level(logging.WARNING):
        run_forever(step, stop=stop, name="test loop", backoff=Backoff(first=0.05))
    assert len(calls) == 4
    assert caplog.text.count("OperationalError: server closed the connection unexpectedly") == 3
    assert "working again after 3 failed attempt(s)" in caplog.text
    gaps = [b - a for a, b in zip(calls, calls[1:])]
    assert gaps[2] > gaps[0]  # the wait grows


@pytest.mark.django_db
def test_the_consumer_survives_a_database_outage_and_stops_only_on_its_signal(monkeypatch, capsys):
    from django.core.management import call_command

    from fund.donations.management.commands import stripe_process_events as command
    from portal import resilience

    calls = {"n": 0}

    def flaky_pass():
        calls["n"] += 1
        if calls["n"] <= 2:
            raise OperationalError("could not connect to server: Connection refused")
        if calls["n"] == 4:
            os.kill(os.getpid(), signal.SIGTERM)
        return {"processed": 1} if calls["n"] == 3 else {}

    monkeypatch.setattr(command, "stripe_events_process_due", flaky_pass)
    monkeypatch.setattr(command, "Heartbeat", _NoHeartbeat)
    monkeypatch.setattr(resilience, "Backoff", lambda: Backoff(first=0.05))
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        call_command("stripe_process_events", loop=True, interval=0.05)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    out = capsys.readouterr().out
    assert "Stripe events: 1 processed." in out and out.rstrip().endswith("Stopped.")
    assert calls["n"] == 4


class _NoHeartbeat:
    def __init__(self, **kwargs):
        pass

    def start(self):
        pass

    def stop(self):
        pass


# --- A real worker process killed in the middle of a task (PostgreSQL: the test's data must be committed) ---------


def _worker(tmp_path, settings, **env):
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.portal.worker_settings",
        "DATABASE_URL": url,
        "TEST_PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        **env,
    }
    log = open(tmp_path / f"worker-{time.monotonic_ns()}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _wait_for(condition, timeout=90, what=""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_task_whose_worker_is_killed_is_retried_and_sends_its_email_exactly_once(tmp_path, settings):
    from fund.donations.models import Receipt
    from fund.donations.receipts import receipt_issue_for_donation
    from fund.donations.tasks import receipt_email_task
    from tests.factories.donations import DonationFactory

    receipt = receipt_issue_for_donation(donation=DonationFactory(), send=False)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    result = receipt_email_task.enqueue(receipt.pk)
    mail_dir, flag = tmp_path / "mail", tmp_path / "sending"
    mail_dir.mkdir()

    first = _worker(
        tmp_path,
        settings,
        TEST_EMAIL_BACKEND="tests.portal.blocking_email.EmailBackend",
        BLOCKING_EMAIL_FLAG=str(flag),
    )
    try:
        _wait_for(flag.exists, what="the first worker to be in the middle of sending")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    assert DBTaskResult.objects.get(pk=result.id).status == "RUNNING"  # as the killed worker left it

    second = _worker(tmp_path, settings, EMAIL_FILE_PATH=str(mail_dir))
    try:
        _wait_for(lambda: DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL", what="the retried task")
    finally:
        second.terminate()
        second.wait(timeout=30)
    task = DBTaskResult.objects.get(pk=result.id)
    assert len(task.worker_ids) == 2  # started twice, by two workers
    sent = list(mail_dir.iterdir())
    assert len(sent) == 1
    assert receipt.serial in sent[0].read_text()
    assert Receipt.objects.get(pk=receipt.pk).emailed_at is not None
    assert second.returncode == 0  # stopped by its signal, cleanly
