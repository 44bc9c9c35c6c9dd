"""Reads for awards and payments. Hooks other apps fill in: `has_overdue_reports`, `report_approved`."""

from django.apps import apps
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.money import ZERO, money

from .models import Award, Disbursement, RoundCommitment, Tranche


def _impact_report_model():
    try:
        return apps.get_model("impact", "ImpactReport")
    except LookupError:
        return None


def has_overdue_reports(organisation, *, today=None) -> bool:
    """True if the organisation has an impact report past due and not handed in. A grantee with one is not paid.
    Uses the impact app's `ImpactReport.objects.overdue()` when it exists; without the impact app, finds nothing."""
    Report = _impact_report_model()
    if Report is None:
        return False
    qs = Report._default_manager.filter(award__organisation=organisation)
    if hasattr(qs, "overdue"):
        return qs.overdue(today=today).exists()
    today = today or timezone.localdate()
    return qs.filter(Q(status="overdue") | Q(status__in=("due", "draft"), due_date__lt=today)).exists()


def report_approved(award, number: int) -> bool:
    """True if the award's report number `number` is approved (releases an on_report_approval tranche)."""
    Report = _impact_report_model()
    if Report is None:
        return False
    return Report._default_manager.filter(award=award, number=number, status="approved").exists()


def tranche_payable(tranche, *, today=None) -> tuple[bool, str]:
    """(payable, reason): accepted award, tranche scheduled with no live payment, condition met, no overdue report,
    bank details on file. The reason is shown to finance."""
    today = today or timezone.localdate()
    award = tranche.award
    if award.status != Award.Status.ACCEPTED:
        return False, _("The award is not accepted.")
    if tranche.status != Tranche.Status.SCHEDULED:
        return False, _("This tranche is not awaiting payment.")
    if tranche.disbursements.filter(status__in=Disbursement.LIVE_STATUSES).exists():
        return False, _("A payment for this tranche is already in progress.")
    if tranche.condition == Tranche.Condition.ON_DATE and tranche.due_date > today:
        return False, _("This tranche is released on %(date)s.") % {"date": tranche.due_date.isoformat()}
    if tranche.condition == Tranche.Condition.ON_REPORT_APPROVAL and not report_approved(award, tranche.report_number):
        return False, _("Waiting for report %(n)s to be approved.") % {"n": tranche.report_number}
    if has_overdue_reports(award.organisation):
        return False, _("The grantee has an overdue report.")
    if not hasattr(award.organisation, "bank_details"):
        return False, _("The grantee has not given bank details.")
    return True, ""


def tranche_waits_for(tranche, *, today=None) -> str:
    """What a tranche is waiting for, in words, for finance and the grantee (empty once it is paid or cancelled)."""
    award = tranche.award
    if tranche.status != Tranche.Status.SCHEDULED:
        return ""
    if award.status in (Award.Status.PREPARED, Award.Status.OFFERED):
        return _("The grantee accepting the offer.")
    live = next((d for d in tranche.disbursements.all() if d.status in Disbursement.LIVE_STATUSES), None)
    if live is not None:
        return {
            Disbursement.Status.PENDING: _("A second finance officer approving the payment."),
            Disbursement.Status.APPROVED: _("Finance putting the payment in a payment file."),
            Disbursement.Status.EXPORTED: _("The bank: the payment is in a payment file."),
        }.get(live.status, "")
    payable, reason = tranche_payable(tranche, today=today)
    if payable:
        return _("Nothing: ready to pay.")
    return reason


def award_paid_total(award):
    return money(
        Disbursement.objects.filter(tranche__award=award, status=Disbursement.Status.PAID).aggregate(t=Sum("amount"))[
            "t"
        ]
        or 0
    )


def round_budgets(fund) -> list[dict]:
    """Per round of the fund: budget, committed (net of releases), remaining. One query."""
    from grants.models import FundingRound

    rounds = FundingRound.objects.filter(fund=fund).select_related("commitment").order_by("-opens_at")
    result = []
    for rnd in rounds:
        try:
            committed = rnd.commitment.committed
        except RoundCommitment.DoesNotExist:
            committed = ZERO
        result.append(
            {"round": rnd, "budget": rnd.budget, "committed": committed, "remaining": money(rnd.budget - committed)}
        )
    return result


def upcoming_tranches(fund, *, limit=None):
    qs = (
        Tranche.objects.filter(award__fund=fund, award__status=Award.Status.ACCEPTED, status=Tranche.Status.SCHEDULED)
        .select_related("award__organisation", "award__application")
        .order_by("due_date", "pk")
    )
    return qs[:limit] if limit else qs


def awards_for_organisation(organisation):
    return (
        Award.objects.filter(organisation=organisation)
        .select_related("application", "fund")
        .prefetch_related("tranches")
    )


def round_commitment(round_):
    return RoundCommitment.objects.filter(round=round_).first()
