"""The task worker: django-tasks-db's own worker, run inside our resilient loop, with a heartbeat and a lease.

django-tasks-db claims a task (SELECT ... FOR UPDATE SKIP LOCKED, status RUNNING, its worker id appended) and records
the outcome, but a worker killed mid-task leaves the task RUNNING forever and a database error ends the process.
`ResilientWorker` keeps the library's claim and run (`Worker.run_task`) and adds:

- the loop (portal.resilience.run_forever): database or Redis errors are logged and retried with backoff;
- a heartbeat row per worker process; every worker regularly gives back to the queue the RUNNING tasks whose worker
  has not beaten for TASK_LEASE_SECONDS (killed, machine lost), or marks them failed after TASK_MAX_ATTEMPTS starts.
  Every task is idempotent (receipts, statements, emails check what was already done), so running one again is safe.

Run it with `manage.py run_worker` (not `db_worker`: its tasks would be taken for abandoned, having no heartbeat).
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from .models import ProcessHeartbeat
from .resilience import lease_seconds

logger = logging.getLogger("portal.worker")

RUNNING, READY, FAILED = "RUNNING", "READY", "FAILED"


class WorkerDied(Exception):
    """Recorded on a task whose worker stopped TASK_MAX_ATTEMPTS times while running it."""


def tasks_requeue_abandoned(*, backend_name: str = "default", now=None) -> dict:
    """Give back to the queue every RUNNING task whose worker has no heartbeat within the lease; after
    TASK_MAX_ATTEMPTS starts, mark it failed instead. Returns {"requeued": n, "failed": n}."""
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=lease_seconds())
    alive = set(
        ProcessHeartbeat.objects.filter(kind=ProcessHeartbeat.Kind.WORKER, beat_at__gte=stale_before).values_list(
            "process_id", flat=True
        )
    )
    counts = {"requeued": 0, "failed": 0}
    running = DBTaskResult.objects.filter(status=RUNNING, backend_name=backend_name, started_at__lt=stale_before)
    for task_id, worker_ids, started_at, task_path in running.values_list(
        "id", "worker_ids", "started_at", "task_path"
    ):
        if worker_ids and worker_ids[-1] in alive:
            continue
        same_claim = DBTaskResult.objects.filter(id=task_id, status=RUNNING, started_at=started_at)
        if len(worker_ids) >= settings.TASK_MAX_ATTEMPTS:
            updated = same_claim.update(
                status=FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerDied.__module__}.{WorkerDied.__qualname__}",
                traceback=f"The worker running this task stopped {len(worker_ids)} times; not started again.",
            )
            counts["failed"] += updated
            if updated:
                logger.error("Task %s (%s) failed: its worker stopped %s times.", task_id, task_path, len(worker_ids))
        else:
            updated = same_claim.update(status=READY, started_at=None)
            counts["requeued"] += updated
            if updated:
                logger.warning("Task %s (%s): its worker stopped; back in the queue.", task_id, task_path)
    return counts


class ResilientWorker(Worker):
    """One step at a time for portal.resilience.run_forever; the library's Worker does the claiming and running."""

    reap_every = 10.0

    def __init__(self, *, heartbeat, **kwargs):
        super().__init__(**kwargs)
        self.heartbeat = heartbeat
        self.unfinished = None  # a task whose outcome could not be recorded (the database went away)
        self.healthy_since = time.monotonic()
        self.last_reap = 0.0

    def on_error(self, exc):
        self.healthy_since = time.monotonic()

    def step(self) -> bool:
        if self.unfinished is not None:
            # We ran it but could not record how it ended: run it again (tasks are idempotent).
            DBTaskResult.objects.filter(id=self.unfinished, status=RUNNING).update(status=READY, started_at=None)
            self.unfinished = None
        self.maybe_reap()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        if task_result is None:
            return False
        self.unfinished = task_result.id
        self.run_task(task_result)  # records success or failure itself; raises only if it could not
        self.unfinished = None
        return True

    def maybe_reap(self):
        """Reap only after this worker has been healthy for a whole lease, so that after an outage every live worker
        has beaten again before anyone's task is taken for abandoned."""
        now = time.monotonic()
        if now - self.last_reap < self.reap_every or now - self.healthy_since < lease_seconds():
            return
        if now - self.heartbeat.last_ok > lease_seconds() / 2:
            return  # our own heartbeat is not getting through: we are in no position to judge others
        self.last_reap = now
        tasks_requeue_abandoned(backend_name=self.backend_name)
        ProcessHeartbeat.objects.filter(beat_at__lt=timezone.now() - timedelta(days=1)).delete()
