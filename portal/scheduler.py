"""The scheduler: APScheduler's cron triggers fire the jobs of portal/schedule.py; each slot becomes one row
(ScheduledRun, unique per job and slot) and one background task, in one transaction.

Two schedulers (or a restarted one) are safe: the unique row means the first to insert a slot enqueues it and the
others skip it. A slot the scheduler could not record when it fired (the database was down, the process restarting)
is recorded by the catch-up pass that runs every CATCH_UP_SECONDS, as long as the slot is within its job's grace
period; the whole process keeps going through database outages (portal.resilience).

The task (`scheduled_job_task`) runs the command in the worker, keeps its output and result for the staff screen,
and emails staff when an `alert` job fails. A run whose worker died is run again (portal.worker); every job is
idempotent.
"""

import io
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from .emails import send_email_on_commit
from .jobs import Job
from .models import ScheduledRun
from .schedule import JOBS
from .tasks import enqueue_on_commit

logger = logging.getLogger("portal.scheduler")

CATCH_UP_SECONDS = 30


def jobs() -> dict[str, Job]:
    return {job.name: job for job in JOBS}


def slot_schedule(*, job: Job, slot: datetime, scheduler: str = "") -> ScheduledRun | None:
    """Record the slot and enqueue its task, once: None when another scheduler (or an earlier pass) already did."""
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(job=job.name, slot=slot, scheduler=scheduler[:64])
            enqueue_on_commit(scheduled_job_task, run.pk)
    except IntegrityError:
        return None
    logger.info("Scheduled %s for %s.", job.name, slot.isoformat())
    return run


def catch_up(*, now: datetime | None = None, scheduler: str = "") -> list[ScheduledRun]:
    """Record every job's latest due slot that has no run yet (within its grace period)."""
    now = now or timezone.now()
    made = []
    for job in jobs().values():
        slot = job.due_slot(now)
        if slot is not None and not ScheduledRun.objects.filter(job=job.name, slot=slot).exists():
            run = slot_schedule(job=job, slot=slot, scheduler=scheduler)
            if run:
                made.append(run)
    return made


def build_scheduler(*, scheduler_id: str) -> BackgroundScheduler:
    """APScheduler fires each job at its slot; a failure here is left to the catch-up pass."""
    background = BackgroundScheduler(timezone=ZoneInfo(settings.TIME_ZONE))

    def fire(name):
        job = jobs()[name]
        try:
            slot = job.due_slot(timezone.now())
            if slot is not None:
                slot_schedule(job=job, slot=slot, scheduler=scheduler_id)
        except Exception as exc:  # noqa: BLE001 - the catch-up pass records it once the database is back
            logger.warning("Could not schedule %s now (%s); the catch-up pass will.", name, exc)
        finally:
            connection.close()  # this is APScheduler's thread: never keep a connection across slots

    for job in jobs().values():
        background.add_job(
            fire,
            trigger=job.trigger(),
            args=[job.name],
            id=job.name,
            name=job.name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=int(job.grace.total_seconds()),
        )
    return background


@task()
def scheduled_job_task(run_id: int):
    """Run one scheduled slot in the worker. A slot already finished is not run again (a retried task)."""
    run = ScheduledRun.objects.filter(pk=run_id).first()
    if run is None or run.status in (ScheduledRun.Status.SUCCEEDED, ScheduledRun.Status.FAILED):
        return run.status if run else None
    job = jobs().get(run.job)
    ScheduledRun.objects.filter(pk=run.pk).update(status=ScheduledRun.Status.RUNNING, started_at=timezone.now())
    out = io.StringIO()
    try:
        if job is None:
            raise LookupError(f"No job named {run.job!r} in portal/schedule.py")
        if job.task:
            import_string(job.task).call(*job.arguments(run.slot))
        else:
            call_command(job.command or job.name, *job.arguments(run.slot), stdout=out, stderr=out)
    except (Exception, SystemExit) as exc:
        output = f"{out.getvalue()}\n{type(exc).__name__}: {exc}".strip()
        with transaction.atomic():
            ScheduledRun.objects.filter(pk=run.pk).update(
                status=ScheduledRun.Status.FAILED, finished_at=timezone.now(), output=output[-20000:]
            )
            if job is not None and job.alert:
                send_email_on_commit(
                    template="portal/job_failed",
                    to=[settings.STAFF_NOTIFICATION_EMAIL],
                    context={"job": run.job, "slot": timezone.localtime(run.slot), "output": output[-4000:]},
                )
        logger.error("Scheduled job %s (%s) failed: %s", run.job, run.slot, exc)
        return "failed"
    ScheduledRun.objects.filter(pk=run.pk).update(
        status=ScheduledRun.Status.SUCCEEDED, finished_at=timezone.now(), output=out.getvalue()[-20000:]
    )
    return "succeeded"
