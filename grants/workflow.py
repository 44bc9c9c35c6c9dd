"""The application workflow as one declarative table, and the single function that moves an application along it.

draft → submitted → (more_info ⇄ submitted) → in_review → (approved | waitlisted | declined);
withdrawn from any state before a decision; declined also from screening (submitted / more_info).
Service functions (application_submit, application_request_more_info, ...) call `application_transition` and add
their own guards and side effects (emails via on_commit).
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.audit import audit

from .models import Application, ApplicationStatusChange

S = Application.Status
APPLICANT = "applicant"  # a member of the application's organisation
STAFF = "staff"  # program staff


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset
    target: str
    actor: str
    label: str
    needs_reason: bool = False


TRANSITIONS = {
    t.action: t
    for t in [
        Transition("submit", frozenset({S.DRAFT}), S.SUBMITTED, APPLICANT, _("Submit")),
        Transition("resubmit", frozenset({S.MORE_INFO}), S.SUBMITTED, APPLICANT, _("Resubmit")),
        Transition(
            "request_more_info", frozenset({S.SUBMITTED}), S.MORE_INFO, STAFF, _("Request more information"), True
        ),
        Transition(
            "mark_ineligible", frozenset({S.SUBMITTED, S.MORE_INFO}), S.DECLINED, STAFF, _("Mark ineligible"), True
        ),
        Transition("move_to_review", frozenset({S.SUBMITTED}), S.IN_REVIEW, STAFF, _("Move to review")),
        Transition("approve", frozenset({S.IN_REVIEW, S.WAITLISTED}), S.APPROVED, STAFF, _("Approve")),
        Transition("waitlist", frozenset({S.IN_REVIEW}), S.WAITLISTED, STAFF, _("Waitlist")),
        Transition("decline", frozenset({S.IN_REVIEW, S.WAITLISTED}), S.DECLINED, STAFF, _("Decline")),
        Transition(
            "withdraw",
            frozenset({S.DRAFT, S.SUBMITTED, S.MORE_INFO, S.IN_REVIEW, S.WAITLISTED}),
            S.WITHDRAWN,
            APPLICANT,
            _("Withdraw"),
        ),
    ]
}
DECIDED_STATUSES = {S.APPROVED, S.DECLINED, S.WAITLISTED}


class TransitionNotAllowed(Exception):
    """The application is not in a state where this action is possible. The message is shown to the user."""


def available_actions(application, actor: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if t.actor == actor and application.status in t.sources]


def application_transition(*, application: Application, action: str, by, actor: str, reason: str = "") -> Application:
    """Move an application by `action`, re-reading it under a row lock so two clicks cannot both apply.

    `actor` is what the caller has already verified the user to be (APPLICANT or STAFF); the table says who may act.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionNotAllowed(_("Unknown action."))
    if transition.actor != actor:
        raise PermissionDenied(_("You cannot take this action."))
    if transition.needs_reason and not reason.strip():
        raise TransitionNotAllowed(_("Please give a reason."))
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status not in transition.sources:
            raise TransitionNotAllowed(
                _("This application is %(status)s, so it cannot be changed that way.")
                % {"status": locked.get_status_display().lower()}
            )
        previous = locked.status
        locked.status = transition.target
        fields = ["status", "updated_at"]
        now = timezone.now()
        if transition.target == S.SUBMITTED and not locked.submitted_at:
            locked.submitted_at = now
            fields.append("submitted_at")
        if transition.target in DECIDED_STATUSES:
            locked.decided_at = now
            fields.append("decided_at")
        locked.save(update_fields=fields)
        ApplicationStatusChange.objects.create(
            application=locked,
            from_status=previous,
            to_status=locked.status,
            action=action,
            by=by,
            reason=reason,
            at=now,
        )
        audit(
            locked,
            f"grants.application.{action}",
            user=by,
            data={"from": previous, "to": locked.status, "reason": reason},
        )
    # Keep the caller's object in step.
    application.status = locked.status
    application.submitted_at = locked.submitted_at
    application.decided_at = locked.decided_at
    return locked
