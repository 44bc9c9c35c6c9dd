"""Emails to reviewers. Each names an application only by its reference and round (never the organisation or the
project title, so the same text is safe under blind review) and links through the site's base URL."""

from collections import defaultdict

from django.conf import settings
from django.urls import reverse

from portal.emails import send_email_on_commit


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _item(assignment):
    return {
        "reference": assignment.application.reference or "",
        "due_at": assignment.due_at,
        "link": absolute_url(reverse("review:declare", args=[assignment.pk])),
    }


def notify_assigned(assignments) -> None:
    """One email per reviewer listing the applications just assigned to them."""
    by_member = defaultdict(list)
    for assignment in assignments:
        by_member[assignment.member_id].append(assignment)
    for items in by_member.values():
        member = items[0].member
        send_email_on_commit(
            template="review/assigned",
            to=[member.user.email],
            context={
                "name": member.user.display_name,
                "round": items[0].application.round,
                "items": [_item(a) for a in sorted(items, key=lambda a: a.application.reference or "")],
                "link": absolute_url(reverse("review:my_reviews")),
            },
        )


def notify_unassigned(assignment) -> None:
    user = assignment.member.user
    send_email_on_commit(
        template="review/unassigned",
        to=[user.email],
        context={
            "name": user.display_name,
            "reference": assignment.application.reference or "",
            "round": assignment.application.round,
            "link": absolute_url(reverse("review:my_reviews")),
        },
    )


def notify_member_removed(*, member, released, submitted) -> None:
    send_email_on_commit(
        template="review/member_removed",
        to=[member.user.email],
        context={
            "name": member.user.display_name,
            "panel": member.panel,
            "round": member.panel.round,
            "released": released,
            "submitted": submitted,
        },
    )


def notify_reminder(*, assignment, kind) -> None:
    user = assignment.member.user
    send_email_on_commit(
        template="review/reminder",
        to=[user.email],
        context={
            "name": user.display_name,
            "kind": kind,
            "reference": assignment.application.reference or "",
            "round": assignment.application.round,
            "due_at": assignment.due_at,
            "link": absolute_url(reverse("review:declare", args=[assignment.pk])),
        },
    )
