"""Money out: prepare → approve (a different finance officer, four eyes) → payment batch (CSV / NACHA) → paid | returned.

Never twice: each tranche has one live disbursement (partial unique constraint) found again by its idempotency key on a
double click; every step re-reads its rows under `select_for_update` and returns early if already done; a batch's state
is saved before its file is produced, and the file is rebuilt from that saved state on every download, so a crash
between export and "mark paid" only means downloading the same file again; the ledger's unique (kind, source)
constraint allows one DISBURSEMENT_PAID per disbursement.
"""

import csv
import io

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fund.models import LedgerTransaction
from fund.services import ledger_record_disbursement_paid, ledger_record_disbursement_returned
from portal.audit import audit
from portal.emails import send_email_on_commit
from portal.money import ZERO, format_money, money, to_minor_units
from portal.roles import finance_users
from portal.spreadsheets import safe_row

from . import bacs, cpa005, nacha, permissions
from .banking_days import next_banking_day
from .lifecycle import award_close_if_complete
from .models import Award, BankDetails, Disbursement, PaymentBatch, PaymentFileCounter, Tranche
from .payees import payee_snapshot_read, payee_snapshot_take
from .selectors import tranche_payable
from .services import _award_context, _owner_emails, _release, bank_details_reveal

# The payment file each fund's bank takes, by the fund's jurisdiction; a fund pays accounts in its own country.
FILE_FORMATS = {"US": "nacha", "UK": "bacs", "CA": "cpa005"}
FILE_ID_MODIFIERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


class PaymentError(Exception):
    """The payment cannot move this way. The message is shown to finance."""


def _require_finance(user):
    allowed, reason = permissions.can_handle_payments(user)
    if not allowed:
        raise PermissionDenied(reason)


@transaction.atomic
def disbursement_prepare(*, tranche, by) -> Disbursement:
    """Finance prepares the payment of a payable tranche. A second call (double click) returns the same row."""
    _require_finance(by)
    tranche = Tranche.objects.select_for_update().select_related("award__organisation").get(pk=tranche.pk)
    live = tranche.disbursements.filter(status__in=Disbursement.LIVE_STATUSES).first()
    if live is not None:
        return live
    payable, reason = tranche_payable(tranche)
    if not payable:
        raise PaymentError(reason)
    attempt = tranche.disbursements.count() + 1
    disbursement = Disbursement.objects.create(
        tranche=tranche,
        amount=tranche.amount,
        currency=tranche.award.currency,
        prepared_by=by,
        idempotency_key=f"tranche-{tranche.pk}-{attempt}",
    )
    audit(disbursement, "awards.disbursement.prepare", user=by, data={"amount": str(disbursement.amount)})
    approvers = [u.email for u in finance_users() if u.pk != by.pk and u.email]
    if approvers:
        send_email_on_commit(
            template="awards/payment_awaiting_approval",
            to=approvers,
            context=_payment_context(disbursement, prepared_by=by.get_full_name() or by.email),
        )
    return disbursement


def _payment_context(disbursement, **extra) -> dict:
    award = disbursement.tranche.award
    return _award_context(
        award,
        disbursement=disbursement,
        tranche=disbursement.tranche,
        payment_amount=format_money(disbursement.amount, disbursement.currency),
        **extra,
    )


@transaction.atomic
def disbursement_approve(*, disbursement, by) -> Disbursement:
    """A second finance officer approves (after re-authenticating, in the view). The preparer never can."""
    _require_finance(by)
    disbursement = (
        Disbursement.objects.select_for_update().select_related("tranche__award__organisation").get(pk=disbursement.pk)
    )
    if disbursement.prepared_by_id == by.pk:
        raise PaymentError(_("You prepared this payment, so another finance officer must approve it."))
    if disbursement.status == Disbursement.Status.APPROVED and disbursement.approved_by_id == by.pk:
        return disbursement
    if disbursement.status != Disbursement.Status.PENDING:
        raise PaymentError(
            _("This payment is already %(status)s.") % {"status": disbursement.get_status_display().lower()}
        )
    if has_blocker := _approval_blocker(disbursement):
        raise PaymentError(has_blocker)
    details = BankDetails.objects.select_for_update().get(organisation=disbursement.tranche.award.organisation)
    revealed = bank_details_reveal(details=details, by=by, purpose=f"approval of payment #{disbursement.pk}")
    payee_snapshot_take(disbursement, revealed, details.changed_at)
    disbursement.status = Disbursement.Status.APPROVED
    disbursement.approved_by, disbursement.approved_at = by, timezone.now()
    disbursement.save(
        update_fields=["status", "approved_by", "approved_at", "payee_snapshot_encrypted", "payee_details_changed_at"]
    )
    audit(disbursement, "awards.disbursement.approve", user=by, data={"amount": str(disbursement.amount)})
    return disbursement


def _approval_blocker(disbursement) -> str:
    from .selectors import has_overdue_reports

    award = disbursement.tranche.award
    if award.status != Award.Status.ACCEPTED:
        return _("The award is no longer open.")
    if has_overdue_reports(award.organisation):
        return _("The grantee has an overdue report.")
    details = BankDetails.objects.filter(organisation=award.organisation).first()
    if details is None:
        return _("The grantee has not given bank details yet.")
    if details.country != award.fund.jurisdiction:
        return _("This fund pays accounts in %(country)s only; the grantee's account is elsewhere.") % {
            "country": award.fund.get_jurisdiction_display()
        }
    return ""


@transaction.atomic
def disbursement_cancel(*, disbursement, by, reason: str) -> Disbursement:
    """Withdraw a prepared or approved payment that is not yet in a payment file; the tranche can be prepared again."""
    _require_finance(by)
    disbursement = Disbursement.objects.select_for_update().get(pk=disbursement.pk)
    if disbursement.status not in (Disbursement.Status.PENDING, Disbursement.Status.APPROVED):
        raise PaymentError(_("Only a payment not yet in a payment file can be cancelled."))
    disbursement.status = Disbursement.Status.CANCELLED
    disbursement.return_reason = (reason or "")[:200]
    disbursement.save(update_fields=["status", "return_reason"])
    audit(disbursement, "awards.disbursement.cancel", user=by, data={"reason": reason})
    return disbursement


@transaction.atomic
def payment_batch_create(*, fund, by, effective_date=None) -> PaymentBatch:
    """Put every approved payment of the fund into a new batch, saved as exported before any file is produced."""
    _require_finance(by)
    approved = list(
        Disbursement.objects.select_for_update()
        .filter(tranche__award__fund=fund, status=Disbursement.Status.APPROVED, batch__isnull=True)
        .order_by("pk")
    )
    if not approved:
        raise PaymentError(_("There are no approved payments to put in a batch."))
    today = timezone.localdate()
    # Money settles on a banking day of the fund's country: a weekend or holiday moves to the next one.
    settles = next_banking_day(max(effective_date or today, today), fund.jurisdiction)
    PaymentFileCounter.objects.get_or_create(fund=fund, day=today)
    counter = PaymentFileCounter.objects.select_for_update().get(fund=fund, day=today)
    if counter.files >= len(FILE_ID_MODIFIERS):
        raise PaymentError(_("The bank takes at most 36 payment files a day from the fund; make this one tomorrow."))
    files_before = PaymentBatch.objects.filter(fund=fund).count()
    batch = PaymentBatch.objects.create(
        fund=fund,
        reference=f"tmp-{timezone.now():%H%M%S%f}",
        created_by=by,
        effective_date=settles,
        total=sum((d.amount for d in approved), ZERO),
        file_id_modifier=FILE_ID_MODIFIERS[counter.files],
        file_creation_number=files_before % 9999 + 1,
    )
    batch.reference = f"PB-{batch.created_at:%Y}-{batch.pk:04d}"
    batch.save(update_fields=["reference"])
    odfi = _odfi(fund)[:8]
    for disbursement in approved:
        # Trace numbers are unique per originator per day, across every file of the day.
        counter.traces += 1
        disbursement.status = Disbursement.Status.EXPORTED
        disbursement.batch = batch
        disbursement.trace_number = f"{odfi}{counter.traces:07d}"
        disbursement.save(update_fields=["status", "batch", "trace_number"])
    counter.files += 1
    counter.save(update_fields=["files", "traces"])
    audit(batch, "awards.paymentbatch.create", user=by, data={"count": len(approved), "total": str(batch.total)})
    return batch


def _odfi(fund) -> str:
    """The originating bank (ODFI) routing number: settings.NACHA_ODFI_ROUTING, else the fund's own."""
    return (getattr(settings, "NACHA_ODFI_ROUTING", "") or fund.originating_bank_routing or "000000000").strip()


def _batch_rows(batch, by):
    """Each payment with the payee details that were approved (never details changed since)."""
    disbursements = batch.disbursements.select_related(
        "tranche__award__organisation__bank_details", "tranche__award__application"
    )
    purpose = f"payment file {batch.reference}"
    for d in disbursements.order_by("trace_number"):
        details = payee_snapshot_read(d, by=by, purpose=purpose) or bank_details_reveal(
            details=d.tranche.award.organisation.bank_details, by=by, purpose=purpose
        )
        yield d, details


def payment_batch_csv(*, batch, by) -> str:
    _require_finance(by)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "batch",
            "trace_number",
            "award",
            "grantee",
            "account_name",
            "routing_number",
            "account_number",
            "account_type",
            "amount",
            "currency",
            "idempotency_key",
        ]
    )
    for d, details in _batch_rows(batch, by):
        award = d.tranche.award
        writer.writerow(
            safe_row(
                [
                    batch.reference,
                    d.trace_number,
                    str(award.application),
                    award.organisation.legal_name,
                    details["account_name"],
                    details["routing_number"],
                    details["account_number"],
                    details["account_type"],
                    f"{d.amount:.2f}",
                    d.currency,
                    d.idempotency_key,
                ]
            )
        )
    audit(batch, "awards.paymentbatch.export", user=by, data={"format": "csv"})
    return out.getvalue()


def payment_batch_nacha(*, batch, by) -> str:
    """The batch as an ACH CCD credit file for the fund's bank (US funds in USD only). Created date and time in the
    fund's time zone; destination and ODFI from settings (NACHA_DESTINATION_ROUTING, NACHA_DESTINATION_NAME,
    NACHA_ODFI_ROUTING), falling back to the fund's originating bank for the routing numbers."""
    _require_finance(by)
    fund = batch.fund
    if fund.currency != "USD" or fund.jurisdiction != "US":
        raise PaymentError(_("NACHA files are only for US funds paying in dollars."))
    if not (fund.originating_bank_routing and fund.originator_id):
        raise PaymentError(_("Set the fund's originating bank and originator id first."))
    destination_name = getattr(settings, "NACHA_DESTINATION_NAME", "")
    if not destination_name:
        raise PaymentError(_("Set NACHA_DESTINATION_NAME (the bank that receives the file) first."))
    entries = [
        nacha.AchEntry(
            routing_number=details["routing_number"],
            account_number=details["account_number"],
            account_type=details["account_type"],
            amount_cents=to_minor_units(d.amount, d.currency),
            receiver_id=f"D{d.pk}",
            receiver_name=details["account_name"],
            trace_number=d.trace_number,
        )
        for d, details in _batch_rows(batch, by)
    ]
    content = nacha.build_nacha(
        nacha.AchBatch(
            destination_routing=getattr(settings, "NACHA_DESTINATION_ROUTING", "") or fund.originating_bank_routing,
            destination_name=destination_name,
            odfi_routing=_odfi(fund),
            origin_id=fund.originator_id,
            company_name=fund.originator_name or fund.name,
            entry_description="GRANTS",
            effective_date=batch.effective_date,
            entries=entries,
            file_id_modifier=batch.file_id_modifier or "A",
            batch_number=1,
        ),
        created_at=timezone.localtime(batch.created_at),
    )
    audit(batch, "awards.paymentbatch.export", user=by, data={"format": "nacha"})
    return content


def payment_batch_bacs(*, batch, by) -> str:
    """The batch as a Bacs-style CSV of credits for a UK fund's bank (grants.awards.bacs)."""
    _require_finance(by)
    if batch.fund.jurisdiction != "UK" or batch.fund.currency != "GBP":
        raise PaymentError(_("Bacs files are only for UK funds paying in pounds."))
    credits = [
        bacs.BacsCredit(
            sort_code=details["routing_number"],
            account_number=details["account_number"],
            account_name=details["account_name"],
            amount=d.amount,
            reference=f"GRANT {d.tranche.award.application}"[:18],
        )
        for d, details in _batch_rows(batch, by)
    ]
    content = bacs.build_bacs_csv(credits, processing_date=batch.effective_date)
    audit(batch, "awards.paymentbatch.export", user=by, data={"format": "bacs"})
    return content


def payment_batch_cpa005(*, batch, by) -> str:
    """The batch as a CPA-005 credit file for a Canadian fund's bank (grants.awards.cpa005). The destination data
    centre comes from settings.CPA005_DESTINATION_DATA_CENTRE; returns go to the fund's own account."""
    _require_finance(by)
    fund = batch.fund
    if fund.jurisdiction != "CA" or fund.currency != "CAD":
        raise PaymentError(_("CPA-005 files are only for Canadian funds paying in Canadian dollars."))
    own = (fund.originating_bank_routing or "").strip()
    centre = getattr(settings, "CPA005_DESTINATION_DATA_CENTRE", "")
    if not (fund.originator_id and len(own) == 9 and fund.originating_account and centre):
        raise PaymentError(
            _(
                "Set the fund's originator id, originating bank (0 + institution + transit), its account number and "
                "CPA005_DESTINATION_DATA_CENTRE first."
            )
        )
    credits = [
        cpa005.CpaCredit(
            institution=details["routing_number"][:3],
            transit=details["routing_number"][3:],
            account_number=details["account_number"],
            amount_cents=to_minor_units(d.amount, d.currency),
            payee_name=details["account_name"],
            cross_reference=f"D{d.pk} {d.trace_number}",
        )
        for d, details in _batch_rows(batch, by)
    ]
    content = cpa005.build_cpa005(
        cpa005.CpaFile(
            originator_id=fund.originator_id,
            file_creation_number=batch.file_creation_number or 1,
            destination_data_centre=centre,
            originator_short_name=fund.originator_name or fund.name,
            originator_long_name=fund.legal_name or fund.name,
            return_institution=own[1:4],
            return_transit=own[4:9],
            return_account=fund.originating_account,
            currency="CAD",
            due_date=batch.effective_date,
            credits=credits,
        ),
        created_on=timezone.localtime(batch.created_at).date(),
    )
    audit(batch, "awards.paymentbatch.export", user=by, data={"format": "cpa005"})
    return content


def payment_batch_file(*, batch, by) -> tuple[str, str, str]:
    """(content, content type, file name) of the batch's file in its fund's format: NACHA, Bacs CSV or CPA-005."""
    fmt = FILE_FORMATS.get(batch.fund.jurisdiction, "nacha")
    if fmt == "bacs":
        return payment_batch_bacs(batch=batch, by=by), "text/csv", f"{batch.reference}-bacs.csv"
    if fmt == "cpa005":
        return payment_batch_cpa005(batch=batch, by=by), "text/plain", f"{batch.reference}.cpa005"
    return payment_batch_nacha(batch=batch, by=by), "text/plain", f"{batch.reference}.ach"


@transaction.atomic
def payment_batch_mark_paid(*, batch, by) -> PaymentBatch:
    """The bank confirmed the file: post DISBURSEMENT_PAID (Dr grants payable / Cr cash) per payment, mark tranches
    paid, tell each grantee, and close awards with nothing left outstanding. Marking twice changes nothing."""
    _require_finance(by)
    batch = PaymentBatch.objects.select_for_update().select_related("fund").get(pk=batch.pk)
    if batch.status == PaymentBatch.Status.PAID:
        return batch
    if batch.created_by_id == by.pk:
        raise PaymentError(_("You exported this batch, so another finance officer must mark it paid."))
    _lock_awards(batch.disbursements.values_list("tranche__award_id", flat=True))
    now = timezone.now()
    for d in (
        batch.disbursements.select_for_update()
        .select_related("tranche__award")
        .filter(status=Disbursement.Status.EXPORTED)
    ):
        ledger_record_disbursement_paid(
            fund=batch.fund,
            amount=d.amount,
            source=d,
            created_by=by,
            effective_date=batch.effective_date,
            memo=f"Grant payment {d.tranche.award.application} #{d.tranche.sequence} ({batch.reference})",
        )
        d.status, d.paid_at = Disbursement.Status.PAID, now
        d.save(update_fields=["status", "paid_at"])
        Tranche.objects.filter(pk=d.tranche_id).update(status=Tranche.Status.PAID)
        audit(d, "awards.disbursement.paid", user=by, data={"amount": str(d.amount), "batch": batch.reference})
        send_email_on_commit(
            template="awards/payment_sent",
            to=_owner_emails(d.tranche.award.organisation),
            context=_payment_context(d, effective_date=batch.effective_date),
        )
        award_close_if_complete(award=d.tranche.award, by=by)
    batch.status, batch.paid_by, batch.paid_at = PaymentBatch.Status.PAID, by, now
    batch.save(update_fields=["status", "paid_by", "paid_at"])
    audit(batch, "awards.paymentbatch.paid", user=by, data={"total": str(batch.total)})
    return batch


def _lock_awards(award_ids):
    """Lock order everywhere: awards, then disbursements, then the fund position, then the round counter."""
    return list(
        Award.objects.select_for_update().filter(pk__in=list(award_ids)).order_by("pk").values_list("pk", flat=True)
    )


@transaction.atomic
def disbursement_mark_returned(*, disbursement, by, reason: str) -> Disbursement:
    """The bank sent a paid payment back: reverse its ledger posting (the grantee is owed the money again), reopen the
    tranche so it can be paid again (e.g. after corrected bank details). On a terminated award the money is released."""
    _require_finance(by)
    _lock_awards(Disbursement.objects.filter(pk=disbursement.pk).values_list("tranche__award_id", flat=True))
    disbursement = (
        Disbursement.objects.select_for_update()
        .select_related("tranche__award__organisation", "tranche__award__application")
        .get(pk=disbursement.pk)
    )
    if disbursement.status == Disbursement.Status.RETURNED:
        return disbursement
    if disbursement.status != Disbursement.Status.PAID:
        raise PaymentError(_("Only a paid payment can be returned."))
    paid = LedgerTransaction.objects.get(
        kind=LedgerTransaction.Kind.DISBURSEMENT_PAID,
        source_type="awards.disbursement",
        source_id=str(disbursement.pk),
        reverses__isnull=True,
    )
    ledger_record_disbursement_returned(
        paid=paid, source=disbursement, created_by=by, memo=f"Payment returned: {reason}"[:300]
    )
    disbursement.status, disbursement.returned_at = Disbursement.Status.RETURNED, timezone.now()
    disbursement.return_reason = (reason or "")[:200]
    disbursement.save(update_fields=["status", "returned_at", "return_reason"])
    award = (
        Award.objects.select_for_update()
        .select_related("fund", "round", "application")
        .get(pk=disbursement.tranche.award_id)
    )
    if award.status == Award.Status.TERMINATED:
        Tranche.objects.filter(pk=disbursement.tranche_id).update(status=Tranche.Status.CANCELLED)
        _release(award, disbursement.amount, by=by, memo=f"Award {award.application}: returned payment released")
    else:
        Tranche.objects.filter(pk=disbursement.tranche_id).update(status=Tranche.Status.SCHEDULED)
        if award.status == Award.Status.CLOSED:  # the grantee is owed this payment again: the award is active again
            award.status = Award.Status.ACCEPTED
            award.save(update_fields=["status"])
    audit(
        disbursement,
        "awards.disbursement.returned",
        user=by,
        data={"reason": reason, "amount": str(money(disbursement.amount))},
    )
    send_email_on_commit(
        template="awards/payment_returned",
        to=_owner_emails(award.organisation),
        context=_payment_context(disbursement, reason=reason),
    )
    return disbursement
