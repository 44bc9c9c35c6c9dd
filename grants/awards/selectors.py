"""Reads for awards and payments. Hooks other apps fill in: `has_overdue_reports`, `report_approved`."""

from django.apps import apps
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.money import ZERO, money

from .models import Award, BankDetails, Disbursement, RoundCommitment, Tranche


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


def annotate_waiting(tranches, *, today=None) -> list:
    """Set `waits_for` on each tranche: what it is waiting for, in words, for finance and the grantee (empty once it
    is paid or cancelled). The same rules as `tranche_payable`, read for a whole list in four queries."""
    tranches = list(tranches)
    if not tranches:
        return tranches
    today = today or timezone.localdate()
    award_ids = {t.award_id for t in tranches}
    org_ids = {t.award.organisation_id for t in tranches}
    live = dict(
        Disbursement.objects.filter(tranche__in=tranches, status__in=Disbursement.LIVE_STATUSES).values_list(
            "tranche_id", "status"
        )
    )
    approved, overdue = set(), set()
    Report = _impact_report_model()
    if Report is not None:
        approved = set(
            Report._default_manager.filter(award_id__in=award_ids, status="approved").values_list("award_id", "number")
        )
        overdue = set(
            Report._default_manager.filter(award__organisation_id__in=org_ids)
            .overdue(today=today)
            .values_list("award__organisation_id", flat=True)
        )
    with_bank = set(BankDetails.objects.filter(organisation_id__in=org_ids).values_list("organisation_id", flat=True))
    for t in tranches:
        t.waits_for = _waiting_text(t, today, live, approved, overdue, with_bank)
    return tranches


def _waiting_text(t, today, live, approved, overdue, with_bank) -> str:
    award = t.award
    if t.status != Tranche.Status.SCHEDULED:
        return ""
    if award.status in (Award.Status.PREPARED, Award.Status.OFFERED):
        return _("The grantee accepting the offer.")
    if award.status != Award.Status.ACCEPTED:
        return _("Nothing: the award has ended.")
    if t.pk in live:
        return {
            Disbursement.Status.PENDING: _("A second finance officer approving the payment."),
            Disbursement.Status.APPROVED: _("Finance putting the payment in a payment file."),
            Disbursement.Status.EXPORTED: _("The bank: the payment is in a payment file."),
        }.get(live[t.pk], "")
    if t.condition == Tranche.Condition.ON_DATE and t.due_date > today:
        return _("Its date: %(date)s.") % {"date": t.due_date.isoformat()}
    if t.condition == Tranche.Condition.ON_REPORT_APPROVAL and (award.pk, t.report_number) not in approved:
        return _("Report %(n)s to be approved.") % {"n": t.report_number}
    if award.organisation_id in overdue:
        return _("An overdue report to be handed in.")
    if award.organisation_id not in with_bank:
        return _("The grantee's bank details.")
    return _("Nothing: ready to pay.")


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
