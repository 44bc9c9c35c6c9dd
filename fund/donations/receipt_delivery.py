"""Sending an existing receipt to the donor again (lost email, new address). Nothing is numbered or regenerated: the
donor gets the very PDF that was issued."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit
from portal.emails import send_email_on_commit
from portal.money import format_money

from .models import Method, Receipt
from .receipts import ReceiptError


def _email_amount(donation) -> str:
    # A gift of securities is named, never valued, in the email (as on the US acknowledgement).
    if donation.method == Method.STOCK:
        return donation.description or _("securities")
    return format_money(donation.kept_amount, donation.currency)


def receipt_resend(*, receipt: Receipt, by) -> Receipt:
    """Email the live receipt's stored PDF to the donor again, with the receipt email. Only an issued (not cancelled)
    receipt with its PDF can be resent; the send is recorded (`emailed_at`, audit) and happens after commit."""
    with transaction.atomic():
        receipt = (
            Receipt.objects.select_for_update(of=("self",))
            .select_related("donation__donor", "donation__campaign", "replaces")
            .get(pk=receipt.pk)
        )
        if receipt.status != Receipt.Status.ISSUED:
            raise ReceiptError(
                _("Receipt %(serial)s is cancelled; send its replacement instead.") % {"serial": receipt.serial}
            )
        if not receipt.pdf:
            raise ReceiptError(_("Receipt %(serial)s has no PDF to send.") % {"serial": receipt.serial})
        with receipt.pdf.open("rb") as stored:
            content = stored.read()
        donation = receipt.donation
        receipt.emailed_at = timezone.now()
        receipt.save(update_fields=["emailed_at"])
        audit(receipt, "donations.receipt.resend", user=by, data={"serial": receipt.serial, "to": donation.donor.email})
        send_email_on_commit(
            template="donations/receipt",
            to=[donation.donor.email],
            context={
                "donor_name": donation.donor_name or donation.donor.name,
                "amount": _email_amount(donation),
                "serial": receipt.serial,
                "replaces": receipt.replaces.serial if receipt.replaces_id else "",
                "campaign": donation.campaign.title if donation.campaign_id else "",
            },
            attachments=[(f"receipt-{receipt.serial}.pdf", content, "application/pdf")],
        )
    return receipt
