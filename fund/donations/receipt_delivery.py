"""Emailing receipts: once after issue, and again on a staff request (lost email, new address). Nothing is numbered or
regenerated: the donor gets the very PDF that was issued.

Exactly once: the worker locks the receipt row, skips it if it is already marked emailed, hands the mail to the
backend and marks it emailed in the same transaction, so a second worker (or a retry after a worker died) waits for
the lock and then finds it sent. Only if the process dies between the backend accepting the mail and the commit can
the donor get it twice; a receipt is never marked emailed unless the backend accepted it.
"""

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.audit import audit
from portal.emails import send_email
from portal.i18n import language_for
from portal.money import format_money
from portal.tasks import enqueue_on_commit

from .models import Method, Receipt
from .receipts import ReceiptError
from .tasks import receipt_email_task


def _email_amount(donation) -> str:
    # A gift of securities is named, never valued, in the email (as on the US acknowledgement).
    if donation.method == Method.STOCK:
        return donation.description or _("securities")
    return format_money(donation.kept_amount, donation.currency)


def receipt_email_send(*, receipt_id: int) -> bool:
    """Email an issued receipt's stored PDF to its donor unless it is marked emailed. Returns True if it sent it."""
    with transaction.atomic():
        receipt = (
            Receipt.objects.select_for_update(of=("self",))
            .select_related("donation__donor", "donation__campaign", "donation__fund", "replaces")
            .filter(pk=receipt_id)
            .first()
        )
        if receipt is None or receipt.emailed_at or receipt.status != Receipt.Status.ISSUED or not receipt.pdf:
            return False
        with receipt.pdf.open("rb") as stored:
            content = stored.read()
        donation = receipt.donation
        language = language_for(donation)
        with translation.override(language):  # the amount is written the donor's way too
            amount = _email_amount(donation)
        send_email(
            template="donations/receipt",
            to=[donation.donor.email],
            context={
                "donor_name": donation.donor_name or donation.donor.name,
                "amount": amount,
                "serial": receipt.serial,
                "replaces": receipt.replaces.serial if receipt.replaces_id else "",
                "campaign": donation.campaign.title if donation.campaign_id else "",
            },
            attachments=[(f"receipt-{receipt.serial}.pdf", content, "application/pdf")],
            language=language,
        )
        receipt.emailed_at = timezone.now()
        receipt.save(update_fields=["emailed_at"])
    return True


def receipt_resend(*, receipt: Receipt, by) -> Receipt:
    """Email the live receipt's stored PDF to the donor again, with the receipt email. Only an issued (not cancelled)
    receipt with its PDF can be resent; the request is audited and the worker sends it (marking it emailed then)."""
    with transaction.atomic():
        receipt = Receipt.objects.select_for_update(of=("self",)).select_related("donation__donor").get(pk=receipt.pk)
        if receipt.status != Receipt.Status.ISSUED:
            raise ReceiptError(
                _("Receipt %(serial)s is cancelled; send its replacement instead.") % {"serial": receipt.serial}
            )
        if not receipt.pdf:
            raise ReceiptError(_("Receipt %(serial)s has no PDF to send.") % {"serial": receipt.serial})
        receipt.emailed_at = None
        receipt.save(update_fields=["emailed_at"])
        audit(
            receipt,
            "donations.receipt.resend",
            user=by,
            data={"serial": receipt.serial, "to": receipt.donation.donor.email},
        )
        enqueue_on_commit(receipt_email_task, receipt.pk)
    return receipt
