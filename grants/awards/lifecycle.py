"""An accepted award's life until it closes: tranches released by approved reports, tranches staff cancel, and closing.

An award is Active (status `accepted`) while anything is outstanding and Closed only when every report is approved
(the final report included) and every tranche is paid or cancelled, with no payment still in flight. Closing
releases whatever was committed and not paid (cancelled tranches) to the fund through an AWARD_RELEASED posting and
lowers the award to what was paid, so `ledger_check` finds commitment − releases = award, as for every live award.

Hand-overs that call in here: `grants.impact.services.impact_report_approve` (report approved → tranches released,
award closed if that was the last thing outstanding) and `grants.awards.payments.payment_batch_mark_paid` (last
tranche paid → award closed).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants.impact.models import ImpactReport
from portal.audit import audit
from portal.emails import send_email_on_commit
from portal.money import ZERO, format_money, money

from . import permissions
from .models import Award, Disbursement, Tranche
from .selectors import award_paid_total
from .services import AwardError, _award_context, _locked, _owner_emails, _release


def _require(check):
    allowed, reason = check
    if not allowed:
        raise PermissionDenied(reason)


def tranches_release_for_report(*, report, by) -> list[Tranche]:
    """Hand-over when a report is approved: the award's scheduled tranches waiting on that report number are
    released (finance may now pay them). Runs in the approval's transaction; idempotent."""
    tranches = list(
        Tranche.objects.select_for_update().filter(
            award_id=report.award_id,
            condition=Tranche.Condition.ON_REPORT_APPROVAL,
            report_number=report.number,
            status=Tranche.Status.SCHEDULED,
            released_at__isnull=True,
        )
    )
    now = timezone.now()
    for tranche in tranches:
        tranche.released_at = now
        tranche.save(update_fields=["released_at"])
        audit(
            tranche.award,
            "awards.tranche.release",
            user=by,
            data={"tranche": tranche.sequence, "amount": str(tranche.amount), "report": report.number},
        )
    return tranches


@transaction.atomic
def tranche_cancel(*, tranche, by, reason: str) -> Tranche:
    """Staff cancel a tranche of an active award that will not be paid (e.g. the project cost less). Its money stays
    committed until the award closes, when the unpaid remainder goes back to the fund."""
    _require(permissions.can_manage_awards(by))
    if not (reason or "").strip():
        raise AwardError(_("Give a reason for cancelling the payment."))
    award = _locked(tranche.award)
    tranche = Tranche.objects.select_for_update().get(pk=tranche.pk, award=award)
    if award.status != Award.Status.ACCEPTED:
        raise AwardError(_("Only a tranche of an active award can be cancelled."))
    if tranche.status != Tranche.Status.SCHEDULED:
        raise AwardError(_("This tranche is not waiting to be paid."))
    if tranche.disbursements.filter(status__in=Disbursement.LIVE_STATUSES).exists():
        raise AwardError(_("A payment for this tranche is in progress: finance must cancel it first."))
    tranche.status = Tranche.Status.CANCELLED
    tranche.save(update_fields=["status"])
    audit(
        award,
        "awards.tranche.cancel",
        user=by,
        data={"tranche": tranche.sequence, "amount": str(tranche.amount), "reason": reason},
    )
    award_close_if_complete(award=award, by=by)
    return tranche


def outstanding(award) -> list[str]:
    """What keeps an accepted award open, in words for staff; empty when it can close."""
    items = []
    reports = ImpactReport.objects.filter(award=award).exclude(status=ImpactReport.Status.APPROVED)
    for number, final in reports.order_by("number").values_list("number", "final"):
        items.append(
            _("Final report %(n)s is not approved yet.") % {"n": number}
            if final
            else _("Report %(n)s is not approved yet.") % {"n": number}
        )
    for sequence in (
        Tranche.objects.filter(award=award, status=Tranche.Status.SCHEDULED)
        .order_by("sequence")
        .values_list("sequence", flat=True)
    ):
        items.append(_("Tranche %(n)s is not paid yet.") % {"n": sequence})
    if Disbursement.objects.filter(
        tranche__award=award, status__in=("pending", "approved", "exported")
    ).exists():  # a tranche paid and then returned is scheduled again, so this only catches payments in flight
        items.append(_("A payment is in progress."))
    return items


@transaction.atomic
def award_close_if_complete(*, award, by) -> Award | None:
    """Close an active award once nothing is outstanding (see the module docstring). Returns the award if it closed
    now, None if something is still outstanding or nothing was ever paid (staff terminate such an award instead)."""
    award = _locked(award)
    if award.status != Award.Status.ACCEPTED or outstanding(award):
        return None
    paid = award_paid_total(award)
    if paid <= ZERO:
        return None
    remainder = money(award.amount - paid)
    _release(award, remainder, by=by, memo=f"Award {award.application} closed: unpaid remainder released")
    award.amount = paid
    award.status = Award.Status.CLOSED
    award.closed_by, award.closed_at = by, timezone.now()
    award.save(update_fields=["amount", "status", "closed_by", "closed_at"])
    audit(award, "awards.award.close", user=by, data={"paid": str(paid), "released": str(remainder)})
    send_email_on_commit(
        template="awards/closed",
        to=_owner_emails(award.organisation),
        context=_award_context(award, paid=format_money(paid, award.currency)),
    )
    return award
