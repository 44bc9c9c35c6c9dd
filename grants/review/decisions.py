"""Staff decisions after review: approve (committing money through the awards service), waitlist or decline.

The application's status moves only through grants.workflow.application_transition; an approval and its award offer
happen in one transaction, so a refusal for lack of money changes nothing.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from grants import workflow
from grants.awards.services import AwardError, award_offer
from portal import roles
from portal.audit import audit
from portal.emails import send_email_on_commit
from portal.money import money

from .models import Decision
from .pdf import decision_letter_pdf
from .selectors import approved_feedback


class DecisionError(Exception):
    """The decision could not be made; the message is shown to staff."""


def _owner_emails(application):
    from applicants.models import Membership

    return list(
        Membership.objects.filter(organisation_id=application.organisation_id, role=Membership.Role.OWNER)
        .values_list("user__email", flat=True)
        .order_by("user__email")
    )


def decision_make(
    *, application, outcome, by, amount=None, conditions="", message="", include_feedback=False
) -> Decision:
    """Decide one application. Approve needs an amount above zero and at most the amount requested."""
    if not roles.is_program_staff(by):
        raise PermissionDenied(_("Only program staff can decide applications."))
    if outcome not in Decision.Outcome.values:
        raise ValidationError({"outcome": _("Choose approve, waitlist or decline.")})
    if outcome == Decision.Outcome.APPROVE:
        if amount in (None, ""):
            raise ValidationError({"amount": _("Enter the amount to award.")})
        amount = money(amount)
        if amount <= Decimal("0"):
            raise ValidationError({"amount": _("The amount must be more than zero.")})
        if application.requested_amount is not None and amount > application.requested_amount:
            raise ValidationError({"amount": _("The amount cannot be more than the amount requested.")})
    else:
        amount = None
    try:
        with transaction.atomic():
            locked = workflow.application_transition(
                application=application, action=outcome, by=by, actor=workflow.STAFF, reason=message
            )
            if outcome == Decision.Outcome.APPROVE:
                award_offer(application=locked, amount=amount, conditions=conditions, by=by)
            decision = Decision.objects.create(
                application=locked,
                outcome=outcome,
                amount=amount,
                conditions=conditions.strip(),
                message=message.strip(),
                include_feedback=include_feedback and outcome == Decision.Outcome.DECLINE,
                decided_by=by,
            )
            audit(
                locked,
                f"review.decision.{outcome}",
                user=by,
                data={"decision": decision.pk, "amount": str(amount) if amount is not None else None},
            )
            feedback = approved_feedback(locked) if decision.include_feedback else []
            letter = decision_letter_pdf(decision, feedback=feedback)
            recipients = _owner_emails(locked)
            if recipients:
                send_email_on_commit(
                    template=f"review/decision_{outcome}",
                    to=recipients,
                    context={
                        "application": locked,
                        "decision": decision,
                        "feedback": feedback,
                        "currency": locked.currency,
                    },
                    attachments=[(f"decision-{locked.reference or locked.pk}.pdf", letter, "application/pdf")],
                )
    except (workflow.TransitionNotAllowed, AwardError) as exc:  # InsufficientFunds among them: nothing was changed
        application.refresh_from_db(fields=["status", "decided_at"])
        raise DecisionError(str(exc)) from exc
    application.status = locked.status
    return decision


def decisions_batch(*, applications, outcome, by, message="", include_feedback=False) -> list[tuple]:
    """Decide several applications the same way (an approval awards the amount requested). Each succeeds or fails
    on its own; returns [(application, decision or None, error message)]."""
    results = []
    for application in applications:
        try:
            decision = decision_make(
                application=application,
                outcome=outcome,
                by=by,
                amount=application.requested_amount,
                message=message,
                include_feedback=include_feedback,
            )
            results.append((application, decision, ""))
        except (DecisionError, ValidationError) as exc:
            text = (
                str(exc)
                if isinstance(exc, DecisionError)
                else "; ".join(str(m) for messages in exc.message_dict.values() for m in messages)
            )
            results.append((application, None, text))
    return results
