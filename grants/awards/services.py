"""Award lifecycle after preparation: revise, accept, decline, expire, terminate; grantee bank details.

Preparing and sending offers is `grants.awards.offers`; an accepted award's tranches and closing are
`grants.awards.lifecycle`. Money rule: an award's commitment is posted once (at approval); releases (offer lowered,
declined, expired, terminated, the remainder when it closes) are AWARD_RELEASED postings; the round counter
(RoundCommitment) moves in the same transaction and `ledger_check` compares it with the ledger.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.selectors import decision_email_recipients, owner_emails
from fund.ledger import lock_fund_position
from fund.services import ledger_record_award_released
from grants.impact.schedule import grant_period, report_requirements_from_plan
from portal.audit import audit
from portal.emails import absolute_url, send_email_on_commit
from portal.money import ZERO, format_money, money

from . import crypto, permissions
from .bank_accounts import BankAccountError, aba_routing_valid, bank_account  # noqa: F401 - aba_routing_valid re-exported
from .errors import AwardError, InsufficientFunds  # noqa: F401 - InsufficientFunds re-exported for callers
from .funding import award_funding_release
from .models import Award, BankDetails, Disbursement, RoundCommitment, Tranche
from .payees import payee_details_changed
from .pdf import agreement_pdf, render_agreement_text
from .selectors import award_paid_total


@dataclass(frozen=True)
class TrancheSpec:
    amount: object
    due_date: date
    condition: str = Tranche.Condition.ON_ACCEPTANCE
    report_number: int | None = None


def _require(check):
    allowed, reason = check
    if not allowed:
        raise PermissionDenied(reason)


def _specs(tranches, *, amount, default_due) -> list[TrancheSpec]:
    if not tranches:
        return [TrancheSpec(amount=amount, due_date=default_due)]
    specs = [t if isinstance(t, TrancheSpec) else TrancheSpec(**t) for t in tranches]
    specs = [TrancheSpec(money(s.amount), s.due_date, s.condition, s.report_number) for s in specs]
    for spec in specs:
        if spec.amount <= ZERO:
            raise AwardError(_("Every tranche needs an amount above zero."))
        if spec.condition not in Tranche.Condition.values:
            raise AwardError(_("Unknown release condition."))
        if spec.condition == Tranche.Condition.ON_REPORT_APPROVAL and not spec.report_number:
            raise AwardError(_("A tranche released on a report must say which report."))
    total = sum((s.amount for s in specs), ZERO)
    if total != amount:
        raise AwardError(
            _("The tranches add up to %(total)s but the award is %(amount)s.") % {"total": total, "amount": amount}
        )
    return specs


def lock_round_commitment(round_) -> RoundCommitment:
    RoundCommitment.objects.get_or_create(round=round_, defaults={"budget": round_.budget})
    return RoundCommitment.objects.select_for_update().get(round=round_)


def _write_tranches(award, specs):
    Tranche.objects.bulk_create(
        [
            Tranche(
                award=award,
                sequence=i,
                amount=s.amount,
                due_date=s.due_date,
                condition=s.condition,
                report_number=s.report_number if s.condition == Tranche.Condition.ON_REPORT_APPROVAL else None,
            )
            for i, s in enumerate(specs, start=1)
        ]
    )


def _owner_emails(organisation):
    return owner_emails(organisation.pk)


def _staff_emails(*users) -> list[str]:
    """The fund's staff inbox and the staff members involved, once each."""
    emails = [settings.STAFF_NOTIFICATION_EMAIL] + [u.email for u in users if u is not None and u.email]
    return list(dict.fromkeys(e for e in emails if e))


def _award_context(award, **extra) -> dict:
    return {
        "award": award,
        "organisation": award.organisation,
        "amount": format_money(award.amount, award.currency),
        "grantee_url": absolute_url(reverse("awards:award_detail", args=[award.pk])),
        "staff_url": absolute_url(reverse("awards_admin:award_detail", args=[award.pk])),
        **extra,
    }


def _release(award, amount, *, by, memo):
    """Give `amount` of the award's commitment back to the fund and the round. Caller holds the award lock."""
    amount = money(amount)
    if amount <= ZERO:
        return None
    lock_fund_position(award.fund)
    counter = lock_round_commitment(award.round)
    counter.committed = money(counter.committed - amount)
    counter.save(update_fields=["committed"])
    award_funding_release(award=award, amount=amount, by=by)
    return ledger_record_award_released(fund=award.fund, amount=amount, source=award, created_by=by, memo=memo)


def _locked(award) -> Award:
    return (
        Award.objects.select_for_update()
        .select_related("fund", "round", "organisation", "application")
        .get(pk=award.pk)
    )


@transaction.atomic
def award_revise_offer(
    *,
    award,
    by,
    amount=None,
    tranches=None,
    conditions=None,
    reporting_requirements=None,
    period_start=None,
    period_end=None,
    offer_expires_on=None,
) -> Award:
    """Staff prepare or adjust an offer before the grantee accepts: amount (never above what was committed), schedule,
    conditions, period and expiry. Lowering the amount releases the difference to the fund at once. Once the offer
    has been sent, the grantee's owners are told it changed."""
    _require(permissions.can_manage_awards(by))
    award = _locked(award)
    if award.status not in (Award.Status.PREPARED, Award.Status.OFFERED):
        raise AwardError(_("Only an offer not yet accepted can be changed."))
    if (
        offer_expires_on is not None
        and award.status == Award.Status.OFFERED
        and offer_expires_on < timezone.localdate()
    ):
        raise AwardError(_("The offer cannot expire in the past."))
    new_amount = money(amount) if amount is not None else award.amount
    if new_amount <= ZERO:
        raise AwardError(_("The award amount must be more than zero."))
    if new_amount > award.amount:
        raise AwardError(
            _("The amount can only be lowered: at most %(amount)s was committed.")
            % {"amount": format_money(award.amount, award.currency)}
        )
    if tranches is not None or new_amount != award.amount:
        specs = _specs(tranches, amount=new_amount, default_due=timezone.localdate())
        Tranche.objects.filter(award=award).delete()
        _write_tranches(award, specs)
    old_amount = award.amount
    _release(award, old_amount - new_amount, by=by, memo=f"Award {award.application} lowered")
    award.amount = new_amount
    for field, value in [
        ("conditions", conditions),
        ("reporting_requirements", reporting_requirements),
        ("period_start", period_start),
        ("period_end", period_end),
        ("offer_expires_on", offer_expires_on),
    ]:
        if value is not None:
            setattr(award, field, value)
    award.agreement_text = render_agreement_text(award)
    award.save(
        update_fields=[
            "amount",
            "conditions",
            "reporting_requirements",
            "period_start",
            "period_end",
            "offer_expires_on",
            "agreement_text",
        ]
    )
    audit(award, "awards.award.revise", user=by, data={"old_amount": str(old_amount), "amount": str(new_amount)})
    if award.status == Award.Status.OFFERED:
        send_email_on_commit(
            template="awards/offer_revised",
            to=_owner_emails(award.organisation),
            context=_award_context(award),
            attachments=[(f"grant-agreement-{award.application}.pdf", agreement_pdf(award), "application/pdf")],
        )
    return award


def _normalise_name(value: str) -> str:
    value = unicodedata.normalize("NFKD", value or "").encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z\s'-]", " ", value).split())


def typed_name_matches(typed: str, user) -> bool:
    """The typed signature must be the user's name: first and last name present, any case, accents or spacing."""
    typed_n = _normalise_name(typed)
    first, last = _normalise_name(user.first_name), _normalise_name(user.last_name)
    if not typed_n:
        return False
    if not (first or last):
        return len(typed_n.split()) >= 2
    words = typed_n.split()
    return all(part in words for part in (first + " " + last).split())


@transaction.atomic
def award_accept(*, award, by, typed_name: str, agreed: bool, ip: str | None) -> Award:
    """The grantee's owner signs: typed full name and a ticked agreement, before the offer expires.
    Time and IP are recorded; on-acceptance tranches are released (payable); the grant period starts (if the offer
    set none) and the award's report schedule is made from the round's reporting plan (the hand-over
    `grants.impact.schedule.report_requirements_from_plan`)."""
    _require(permissions.can_respond_to_offer(by, award))
    award = _locked(award)
    if award.status != Award.Status.OFFERED:
        raise AwardError(_("This offer is no longer open."))
    if award.offer_expires_on < timezone.localdate():
        raise AwardError(_("This offer expired on %(date)s.") % {"date": award.offer_expires_on.isoformat()})
    if not agreed:
        raise AwardError(_("Please confirm that you agree to the terms of the grant agreement."))
    if not typed_name_matches(typed_name, by):
        raise AwardError(_("Type your full name as it appears on your account to sign."))
    now = timezone.now()
    award.status = Award.Status.ACCEPTED
    award.accepted_by, award.accepted_at = by, now
    award.accepted_name, award.accepted_ip = typed_name.strip()[:200], ip or None
    award.period_start, award.period_end = grant_period(award, start=timezone.localdate(now))
    award.save(
        update_fields=[
            "status",
            "accepted_by",
            "accepted_at",
            "accepted_name",
            "accepted_ip",
            "period_start",
            "period_end",
        ]
    )
    Tranche.objects.filter(
        award=award, condition=Tranche.Condition.ON_ACCEPTANCE, status=Tranche.Status.SCHEDULED
    ).update(released_at=now)
    audit(award, "awards.award.accept", user=by, data={"typed_name": award.accepted_name, "ip": ip})
    report_requirements_from_plan(award=award, by=by)
    send_email_on_commit(
        template="awards/accepted", to=_owner_emails(award.organisation), context=_award_context(award)
    )
    return award


def _close(award, status, *, by, reason, release, memo, action):
    award.status = status
    award.closed_by, award.closed_at, award.close_reason = by, timezone.now(), reason
    award.save(update_fields=["status", "closed_by", "closed_at", "close_reason"])
    Tranche.objects.filter(award=award, status=Tranche.Status.SCHEDULED).update(status=Tranche.Status.CANCELLED)
    _release(award, release, by=by, memo=memo)
    audit(award, action, user=by, data={"released": str(money(release)), "reason": reason})
    return award


@transaction.atomic
def award_decline(*, award, by, reason: str = "") -> Award:
    """The grantee's owner turns the offer down; the whole commitment goes back to the fund and the round."""
    _require(permissions.can_respond_to_offer(by, award))
    award = _locked(award)
    if award.status != Award.Status.OFFERED:
        raise AwardError(_("This offer is no longer open."))
    _close(
        award,
        Award.Status.DECLINED,
        by=by,
        reason=reason,
        release=award.amount,
        memo=f"Award {award.application} declined",
        action="awards.award.decline",
    )
    send_email_on_commit(
        template="awards/offer_declined",
        to=_staff_emails(award.offered_by),
        context=_award_context(award, reason=reason, declined_by=by.get_full_name() or by.email),
    )
    return award


@transaction.atomic
def award_expire(*, award, by=None, today=None) -> Award | None:
    """An offer not answered by its expiry date lapses and releases its money. Returns None if not due."""
    award = _locked(award)
    today = today or timezone.localdate()
    if award.status != Award.Status.OFFERED or award.offer_expires_on >= today:
        return None
    _close(
        award,
        Award.Status.EXPIRED,
        by=by,
        reason="",
        release=award.amount,
        memo=f"Award {award.application} offer expired",
        action="awards.award.expire",
    )
    send_email_on_commit(
        template="awards/offer_expired",
        to=sorted(set(_owner_emails(award.organisation)) | set(_staff_emails(award.offered_by))),
        context=_award_context(award),
    )
    return award


@transaction.atomic
def award_terminate(*, award, by, reason: str) -> Award:
    """Staff end an award early (or withdraw an offer still being prepared). Unpaid tranches are cancelled and the
    unpaid remainder is released; payments already in a payment file must be settled (paid or returned) first;
    prepared or approved ones are cancelled. A grantee who was sent the offer is told."""
    _require(permissions.can_manage_awards(by))
    if not (reason or "").strip():
        raise AwardError(_("Give a reason for ending the award."))
    award = _locked(award)
    if award.status not in Award.OPEN_STATUSES:
        raise AwardError(_("Only an open award can be terminated."))
    live = Disbursement.objects.select_for_update().filter(
        tranche__award=award, status__in=["pending", "approved", "exported"]
    )
    if any(d.status == Disbursement.Status.EXPORTED for d in live):
        raise AwardError(_("A payment for this award is in a payment file: mark it paid or returned first."))
    for disbursement in live:
        disbursement.status = Disbursement.Status.CANCELLED
        disbursement.save(update_fields=["status"])
    paid = award_paid_total(award)
    _close(
        award,
        Award.Status.TERMINATED,
        by=by,
        reason=reason,
        release=award.amount - paid,
        memo=f"Award {award.application} terminated",
        action="awards.award.terminate",
    )
    if award.is_sent:
        send_email_on_commit(
            template="awards/terminated",
            to=decision_email_recipients(award.organisation_id) or _owner_emails(award.organisation),
            context=_award_context(award, reason=reason, paid=format_money(paid, award.currency)),
        )
    return award


def expire_overdue_offers(*, today=None) -> list[Award]:
    today = today or timezone.localdate()
    expired = []
    for award in Award.objects.filter(status=Award.Status.OFFERED, offer_expires_on__lt=today).order_by("pk"):
        result = award_expire(award=award, today=today)
        if result is not None:
            expired.append(result)
    return expired


# --- Bank details -------------------------------------------------------------------------------------------------


@transaction.atomic
def bank_details_set(
    *,
    organisation,
    by,
    account_name: str,
    account_number: str,
    country: str = BankDetails.Country.US,
    routing_number: str = "",
    sort_code: str = "",
    institution_number: str = "",
    transit_number: str = "",
    account_type: str = BankDetails.AccountType.CHECKING,
) -> BankDetails:
    """The organisation's owner enters or changes where grants are paid (the view re-authenticates first): a US
    (routing + account), UK (sort code + account) or Canadian (institution + transit + account) bank account, checked
    per country (grants.awards.bank_accounts). Numbers are encrypted at rest; every owner is told by email; approved
    payments go back for approval and finance is told (grants.awards.payees)."""
    _require(permissions.can_change_bank_details(by, organisation))
    try:
        account = bank_account(
            country=country,
            account_number=account_number,
            routing_number=routing_number,
            sort_code=sort_code,
            institution_number=institution_number,
            transit_number=transit_number,
        )
    except BankAccountError as exc:
        raise AwardError(str(exc)) from None
    if not (account_name or "").strip():
        raise AwardError(_("Enter the name on the account."))
    existing = BankDetails.objects.select_for_update().filter(organisation=organisation).first()
    details = existing or BankDetails(organisation=organisation)
    details.country = account.country
    details.account_name = account_name.strip()[:120]
    details.account_type = account_type
    details.routing_number_encrypted = crypto.encrypt(account.bank_code)
    details.account_number_encrypted = crypto.encrypt(account.account_number)
    details.account_last4 = account.account_number[-4:]
    details.updated_by = by
    details.changed_at = timezone.now()
    details.save()
    audit(
        details, "awards.bankdetails.change", user=by, data={"account": details.masked_account, "new": existing is None}
    )
    send_email_on_commit(
        template="awards/bank_details_changed",
        to=_owner_emails(organisation),
        context={
            "organisation": organisation,
            "masked": details.masked_account,
            "changed_by": by.get_full_name() or by.email,
        },
    )
    if existing is not None:
        payee_details_changed(details=details, by=by)
    return details


def bank_details_reveal(*, details: BankDetails, by, purpose: str) -> dict:
    """Decrypt bank details for a stated purpose (e.g. "payment file PB-2026-0003"). Every call is audited."""
    if (
        not permissions.can_handle_payments(by)[0]
        and not permissions.can_change_bank_details(by, details.organisation)[0]
    ):
        raise PermissionDenied(_("You may not see these bank details."))
    audit(details, "awards.bankdetails.reveal", user=by, data={"purpose": purpose})
    bank_code = crypto.decrypt(details.routing_number_encrypted)
    return {
        "country": details.country,
        "account_name": details.account_name,
        "account_type": details.account_type,
        # The bank code the file routes by: ABA number (US), sort code (UK), institution + transit (Canada).
        "routing_number": bank_code,
        "account_number": crypto.decrypt(details.account_number_encrypted),
    }
