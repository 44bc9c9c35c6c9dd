"""What every donation service shares: its exceptions, the mismatch flag, and what follows a recorded gift."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit import audit
from portal.emails import send_email_on_commit
from portal.tasks import enqueue_on_commit

from ..conf import stripe_configured
from ..models import Donation, DonationStatus, Donor
from ..signals import send_totals_changed_on_commit
from ..stripe_client import invoice_payment_intent_id

logger = logging.getLogger("fund.donations.services")
S = DonationStatus


class DonationError(Exception):
    pass


class UnknownSession(DonationError):
    """A Checkout Session that is not one of our gifts (e.g. another integration on the same Stripe account)."""


class WaitForRecording(Exception):
    """The event refers to a gift not recorded yet; `key` names what to wait for."""

    def __init__(self, key: str):
        super().__init__(f"waiting for {key}")
        self.key = key


def _flag_mismatch(donation: Donation, note: str, by=None):
    donation.amount_mismatch = True
    donation.mismatch_note = note
    donation.save(update_fields=["amount_mismatch", "mismatch_note"])
    audit(donation, "donations.donation.mismatch", user=by, data={"note": note})
    send_email_on_commit(
        template="donations/staff_mismatch",
        to=[settings.STAFF_NOTIFICATION_EMAIL],
        context={"donation_id": donation.pk, "note": note},
    )


def _after_recorded(donation: Donation, keys: list[str]):
    from ..tasks import receipt_issue_task
    from ..webhooks import replay_deferred

    donation_id = donation.pk
    keys = [k for k in keys if k]
    # Parked events (e.g. a refund that arrived early) are replayed right after the commit; a receipt the worker issued
    # before that is then cancelled and replaced for the kept amount (receipt_sync_task), as for any later refund.
    transaction.on_commit(lambda: replay_deferred(keys=keys))
    # Written with the gift itself (database task backend): a process killed right after the commit cannot lose it.
    enqueue_on_commit(receipt_issue_task, donation_id)
    send_totals_changed_on_commit(donation)
    if donation.dedication_type and donation.dedication_notify_email:
        # The person told about a dedication learns who gave (unless anonymous) and in whose name, never the amount.
        send_email_on_commit(
            template="donations/dedication",
            to=[donation.dedication_notify_email],
            context={
                "giver": _("Someone who wishes to stay anonymous")
                if donation.anonymous
                else (donation.donor_name or donation.donor.name),
                "dedication": str(donation.get_dedication_type_display()).lower(),
                "dedicated_to": donation.dedication_name,
                "campaign": donation.campaign.title if donation.campaign_id else "",
            },
        )


def _invoice_intent(invoice_id) -> str | None:
    """The PaymentIntent of a monthly gift's invoice, asked of Stripe (the invoice no longer names it). A lookup that
    fails never stops a gift being recorded: a later refund finds the gift through Stripe instead."""
    if not invoice_id or not stripe_configured():
        return None
    try:
        return invoice_payment_intent_id(invoice_id)
    except Exception:
        logger.warning("Could not look up the PaymentIntent of invoice %s", invoice_id, exc_info=True)
        return None


def _remember_customer(donor_id, customer_id):
    if customer_id and not Donor.objects.filter(stripe_customer_id=customer_id).exists():
        Donor.objects.filter(pk=donor_id, stripe_customer_id__isnull=True).update(stripe_customer_id=customer_id)


def _sync_receipt_on_commit(donation):
    from ..tasks import receipt_sync_task

    enqueue_on_commit(receipt_sync_task, donation.pk)
