"""Offers: an approval prepares the award and commits its money; staff review the offer and send it.

Contract used by the review decision step:

    award_prepare(*, application, amount, by, conditions="", period_start=None, period_end=None, tranches=None,
                  reporting_requirements="") -> Award

The application must already be approved (the decision step transitions it, then calls this in the same
transaction). The award is prepared, not sent: nothing reaches the grantee until staff review the offer (tranches,
conditions, reporting schedule) and call `award_send_offer`. The money is committed at approval, so the fund can never
promise the same money twice (AWARD_COMMITTED: Dr grants_expense / Cr grants_payable, in the caller's transaction).
Raises `InsufficientFunds` (message fit for staff) if the amount exceeds what the fund holds and has not yet promised,
or the round's remaining budget; `AwardError` for other refusals (wrong state, already awarded, bad schedule).
`tranches` is a list of `TrancheSpec` (or dicts with amount, due_date, condition, report_number); omitted, the
schedule proposed from the round's reporting plan (`proposed_tranches`). Locks, in this order: the application, the
fund position, the round counter.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.selectors import decision_email_recipients
from fund.ledger import lock_fund_position
from fund.services import ledger_record_award_committed
from grants.impact.schedule import add_months
from grants.models import Application
from portal.audit import audit
from portal.emails import send_email_on_commit
from portal.money import ZERO, format_money, money, split_equally

from . import permissions
from .errors import AwardError, InsufficientFunds
from .funding import award_funding_apply_default
from .models import Award, Tranche
from .pdf import agreement_pdf, render_agreement_text
from .services import (
    TrancheSpec,
    _award_context,
    _locked,
    _owner_emails,
    _require,
    _specs,
    _write_tranches,
    lock_round_commitment,
)


def proposed_tranches(round_, amount, *, today=None) -> list[TrancheSpec]:
    """The schedule an approval starts from, for staff to review: with progress reports in the round's plan, half
    on acceptance and half when report 1 is approved; a final report only, all on acceptance."""
    today = today or timezone.localdate()
    if not round_.report_every_months or round_.report_every_months >= round_.grant_months:
        return [TrancheSpec(amount=amount, due_date=today)]
    first, second = split_equally(amount, 2)
    report_1_due = add_months(today, round_.report_every_months) + timedelta(days=round_.report_due_days)
    return [
        TrancheSpec(amount=first, due_date=today),
        TrancheSpec(second, report_1_due, Tranche.Condition.ON_REPORT_APPROVAL, 1),
    ]


def plan_description(round_) -> str:
    """The round's reporting plan in words, for the award's reporting requirements."""
    if round_.report_every_months:
        return _(
            "%(frequency)s over the grant period, the last being the final report; each is due %(days)s days after "
            "the period it covers ends."
        ) % {"frequency": round_.get_report_every_months_display(), "days": round_.report_due_days}
    return _("A final report, due %(days)s days after the grant period ends.") % {"days": round_.report_due_days}


@transaction.atomic
def award_prepare(
    *,
    application,
    amount,
    by,
    conditions="",
    period_start=None,
    period_end=None,
    tranches=None,
    reporting_requirements="",
) -> Award:
    """Prepare the award of an approved application and commit its money. Nothing is sent. See the module docstring."""
    amount = money(amount)
    if amount <= ZERO:
        raise AwardError(_("The award amount must be more than zero."))
    app = Application.objects.select_for_update().select_related("round__fund", "organisation").get(pk=application.pk)
    if app.status != Application.Status.APPROVED:
        raise AwardError(_("Only an approved application can receive an award."))
    if Award.objects.filter(application=app, status__in=Award.ACTIVE_STATUSES).exists():
        raise AwardError(_("This application already has an award."))
    fund, round_ = app.round.fund, app.round
    today = timezone.localdate()
    specs = _specs(tranches or proposed_tranches(round_, amount, today=today), amount=amount, default_due=today)

    position = lock_fund_position(fund)
    counter = lock_round_commitment(round_)
    available = position.available_to_award
    if amount > available:
        raise InsufficientFunds(
            _("Only %(available)s is available to award in this fund.")
            % {"available": format_money(max(available, ZERO), fund.currency)}
        )
    remaining = money(round_.budget - counter.committed)
    if amount > remaining:
        raise InsufficientFunds(
            _("Only %(remaining)s is left in this round's budget.")
            % {"remaining": format_money(max(remaining, ZERO), fund.currency)}
        )
    award = Award.objects.create(
        application=app,
        fund=fund,
        round=round_,
        organisation=app.organisation,
        approved_amount=amount,
        amount=amount,
        currency=fund.currency,
        period_start=period_start,
        period_end=period_end,
        conditions=conditions,
        reporting_requirements=reporting_requirements or plan_description(round_),
        status=Award.Status.PREPARED,
        prepared_by=by,
    )
    _write_tranches(award, specs)
    counter.budget = round_.budget
    counter.committed = money(counter.committed + amount)
    counter.save(update_fields=["budget", "committed"])
    ledger_record_award_committed(fund=fund, amount=amount, source=award, created_by=by, memo=f"Award {app}")
    award_funding_apply_default(award=award, by=by)
    award.agreement_text = render_agreement_text(award)
    award.save(update_fields=["agreement_text"])
    audit(award, "awards.award.prepare", user=by, data={"amount": str(amount), "application": app.pk})
    return award


def offer_problems(award) -> list[str]:
    """What stops this prepared offer being sent."""
    problems = []
    tranches = list(award.tranches.all())
    if not tranches:
        problems.append(_("The offer has no payment schedule."))
    elif sum((t.amount for t in tranches), ZERO) != award.amount:
        problems.append(_("The tranches do not add up to the award."))
    return problems


def offer_warnings(award) -> list[str]:
    """What staff should know before sending: things that do not stop the offer but will hold it up."""
    warnings = []
    if not _owner_emails(award.organisation):
        warnings.append(_("The organisation has no owner yet: nobody can accept the offer until one joins."))
    return warnings


@transaction.atomic
def award_send_offer(*, award, by, offer_expires_on=None) -> Award:
    """Send a prepared offer: the grant agreement is frozen with its expiry date and emailed to the organisation's
    owners (who accept or decline it) and to every member who wants decision emails."""
    _require(permissions.can_manage_awards(by))
    award = _locked(award)
    if award.status != Award.Status.PREPARED:
        raise AwardError(_("This offer has already been sent."))
    problems = offer_problems(award)
    if problems:
        raise AwardError(" ".join(problems))
    expires = offer_expires_on or timezone.localdate() + timedelta(days=award.fund.award_offer_days)
    award.status = Award.Status.OFFERED
    award.offered_by, award.offered_at, award.offer_expires_on = by, timezone.now(), expires
    award.agreement_text = render_agreement_text(award)
    award.save(update_fields=["status", "offered_by", "offered_at", "offer_expires_on", "agreement_text"])
    audit(award, "awards.award.offer", user=by, data={"amount": str(award.amount), "expires": expires.isoformat()})
    recipients = sorted(set(_owner_emails(award.organisation)) | set(decision_email_recipients(award.organisation_id)))
    send_email_on_commit(
        template="awards/offer",
        to=recipients,
        context=_award_context(award),
        attachments=[(f"grant-agreement-{award.application}.pdf", agreement_pdf(award), "application/pdf")],
    )
    return award


def award_send_offers(*, awards, by, offer_expires_on=None) -> list[tuple]:
    """Send several prepared offers; each succeeds or fails on its own. Returns [(award, error message or "")]."""
    results = []
    for award in awards:
        try:
            award_send_offer(award=award, by=by, offer_expires_on=offer_expires_on)
            results.append((award, ""))
        except (AwardError, PermissionDenied) as exc:
            results.append((award, str(exc)))
    return results


def award_offer(*, application, amount, by, offer_expires_on=None, **prepare) -> Award:
    """Prepare and send in one step: for imports and tests. The screens prepare at approval and send after review."""
    with transaction.atomic():
        award = award_prepare(application=application, amount=amount, by=by, **prepare)
        return award_send_offer(award=award, by=by, offer_expires_on=offer_expires_on)
