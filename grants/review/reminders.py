"""Reminders to reviewers: two days before a review is due, and once it is overdue.

`review_reminders_send` is what the daily `send_review_reminders` command runs. Each kind of reminder goes out once per
assignment and due date (ReviewReminder's unique constraint), however often it runs and even when two runs overlap;
a deadline moved later earns fresh reminders. Only open work is reminded: an assignment still to be reviewed, of an
active panel member, on an application still in review.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from grants.models import Application

from .models import Assignment, ReviewReminder
from .notifications import notify_reminder

DUE_SOON = timedelta(days=2)


def reminder_kind_for(assignment, now) -> str | None:
    if assignment.due_at is None:
        return None
    if assignment.due_at <= now:
        return ReviewReminder.Kind.OVERDUE
    if assignment.due_at - now <= DUE_SOON:
        return ReviewReminder.Kind.DUE_SOON
    return None


def review_reminders_send(*, now=None) -> int:
    """Email every reviewer whose review is due within two days or overdue, once per kind. Returns how many were sent."""
    now = now or timezone.now()
    open_work = (
        Assignment.objects.filter(
            status=Assignment.Status.ASSIGNED,
            member__removed_at__isnull=True,
            application__status=Application.Status.IN_REVIEW,
            due_at__isnull=False,
            due_at__lte=now + DUE_SOON,
        )
        .select_related("application__round", "member__user")
        .prefetch_related("reminders")
        .order_by("due_at", "pk")
    )
    sent = 0
    for assignment in open_work:
        kind = reminder_kind_for(assignment, now)
        if kind is None or any(r.kind == kind and r.due_at == assignment.due_at for r in assignment.reminders.all()):
            continue
        try:
            with transaction.atomic():
                ReviewReminder.objects.create(assignment=assignment, kind=kind, due_at=assignment.due_at)
                notify_reminder(assignment=assignment, kind=kind)
        except IntegrityError:
            continue  # another run sent this one a moment ago
        sent += 1
    return sent
