"""Enqueueing background tasks so none is lost, and retrying the ones that meet a passing failure.

`enqueue_on_commit(task, ...)`: with the database task backend the task row is written in the caller's transaction,
so it exists exactly when the change that asked for it was committed (a process killed right after the commit can
no longer lose it, as `transaction.on_commit` could). With any other backend (tests' immediate backend) it is
enqueued after commit.

`retry_later(...)`: a task that failed for a passing reason (SMTP down, Stripe unreachable) enqueues its next attempt
with exponential backoff, up to a limit, then fails for staff to see.
"""

import logging
from datetime import timedelta

from django.db import router, transaction
from django.utils import timezone
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("portal.tasks")


def enqueue_on_commit(task, *args, **kwargs) -> None:
    backend = task.get_backend()
    if isinstance(backend, DatabaseBackend) and router.db_for_write(DBTaskResult) == "default":
        task.enqueue(*args, **kwargs)  # in the caller's transaction: committed (or rolled back) with it
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs))


def retry_delay(attempt: int) -> timedelta:
    """30 s, 1, 2, 4, 8 ... minutes, at most an hour."""
    return timedelta(seconds=min(30 * 2 ** (attempt - 1), 3600))


def retry_later(task, *, attempt: int, max_attempts: int, error: Exception, args=(), kwargs=None) -> bool:
    """Enqueue attempt number attempt+1 after a backoff; False when the attempts are used up or the backend cannot
    defer a task (then the caller raises, and the task shows as failed)."""
    if attempt >= max_attempts or not task.get_backend().supports_defer:
        return False
    logger.warning("%s failed (attempt %s of %s: %s); trying again later.", task.name, attempt, max_attempts, error)
    task.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(
        *args, **{**(kwargs or {}), "attempt": attempt + 1}
    )
    return True
