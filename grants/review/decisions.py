"""Staff decisions after review: approve (preparing the award and committing its money), waitlist or decline.

The application's status moves only through grants.workflow.application_transition; an approval and the award it
prepares happen in one transaction, so a refusal for lack of money changes nothing. An approval records the decision
and the approved amount only: the offer (tranches, conditions, reporting schedule) is reviewed by staff and sent
later (grants.awards.offers.award_send_offer). Every decision is emailed, with its letter, to the members of the
organisation who want decision emails, and shown on the application page.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from applicants.selectors import decision_email_recipients
from grants import workflow
from grants.awards.offers import award_prepare
from grants.awards.services import AwardError
from portal import roles
from portal.audit import audit
from portal.emails import absolute_url, send_email_on_commit
from portal.money import money

from .models import Decision
from .pdf import decision_letter_pdf
from .selectors import approved_feedback


class DecisionError(Exception):
    """The decision could not be made; the message is shown to staff."""


def clean_amount(application, amount):
    """The approved amount: more than zero and at most the amount requested."""
    if amount in (None, ""):
        raise ValidationError({"amount": _("Enter the amount to award.")})
    try:
        amount = money(amount)
    except (ArithmeticError, ValueError):
        raise ValidationError({"amount": _("Enter the amount as a number.")}) from None
    if amount <= Decimal("0"):
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    if application.requested_amount is not None and amount > application.requested_amount:
        raise ValidationError({"amount": _("The amount cannot be more than the amount requested.")})
    return amount


def decision_make(
    *, application, outcome, by, amount=None, conditions="", message="", include_feedback=False
) -> Decision:
    """Decide one application. Approve needs an amount above zero and at most the amount requested; it prepares the
    award (committing the money) without sending an offer."""
    if not roles.is_program_staff(by):
        raise PermissionDenied(_("Only program staff can decide applications."))
    if outcome not in Decision.Outcome.values:
        raise ValidationError({"outcome": _("Choose approve, waitlist or decline.")})
    amount = clean_amount(application, amount) if outcome == Decision.Outcome.APPROVE else None
    try:
        with transaction.atomic():
            locked = workflow.application_transition(
                application=application, action=outcome, by=by, actor=workflow.STAFF, reason=message
            )
            award = None
            if outcome == Decision.Outcome.APPROVE:
                award = award_prepare(application=locked, amount=amount, conditions=conditions, by=by)
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
                data={
                    "decision": decision.pk,
                    "amount": str(amount) if amount is not None else None,
                    "award": award.pk if award else None,
                },
            )
            _email_decision(locked, decision)
    except (workflow.TransitionNotAllowed, AwardError) as exc:  # InsufficientFunds among them: nothing was changed
        application.refresh_from_db(fields=["status", "decided_at"])
        raise DecisionError(str(exc)) from exc
    application.status = locked.status
    return decision


def _email_decision(application, decision):
    recipients = decision_email_recipients(application.organisation_id)
    if not recipients:
        return
    feedback = approved_feedback(application) if decision.include_feedback else []
    letter = decision_letter_pdf(decision, feedback=feedback)
    send_email_on_commit(
        template=f"review/decision_{decision.outcome}",
        to=recipients,
        context={
            "application": application,
            "decision": decision,
            "feedback": feedback,
            "currency": application.currency,
            "url": absolute_url(reverse("grants:application_detail", args=[application.pk])),
        },
        attachments=[(f"decision-{application.reference or application.pk}.pdf", letter, "application/pdf")],
    )


def decisions_batch(*, applications, outcome, by, amounts=None, message="", include_feedback=False) -> list[tuple]:
    """Decide several applications the same way. An approval awards the amount given for that application in
    `amounts` ({application id: amount}), the amount requested if none is given. Each succeeds or fails on its own;
    returns [(application, decision or None, error message)]."""
    amounts = amounts or {}
    results = []
    for application in applications:
        try:
            decision = decision_make(
                application=application,
                outcome=outcome,
                by=by,
                amount=amounts.get(application.pk, application.requested_amount),
                message=message,
                include_feedback=include_feedback,
            )
            results.append((application, decision, ""))
        except (DecisionError, ValidationError, PermissionDenied) as exc:
            results.append((application, None, _error_text(exc)))
    return results


def _error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "message_dict"):
            return "; ".join(str(m) for messages in exc.message_dict.values() for m in messages)
        return "; ".join(exc.messages)
    return str(exc)
