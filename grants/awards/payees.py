"""Four eyes that see the payee: the approver sees where the money goes, the payment file pays exactly what was
approved, and a change of bank details after approval sends the payment back for approval and tells finance.

A disbursement keeps, from its approval, an encrypted snapshot of the payee's bank details (the same key set as
BankDetails, so `rotate_bank_details_key` rotates both). Payment files are built from the snapshot, never from the
current details, so a change after approval can never slip into a file.
"""

import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from portal import roles
from portal.audit import audit
from portal.emails import send_email_on_commit

from . import crypto
from .models import BankDetails, Disbursement


def finance_emails() -> list[str]:
    emails = list(
        get_user_model()
        .objects.filter(groups__name=roles.FINANCE, is_active=True)
        .values_list("email", flat=True)
        .distinct()
    )
    return emails or [settings.STAFF_NOTIFICATION_EMAIL]


def payee_snapshot_take(disbursement: Disbursement, details: dict, changed_at) -> None:
    """Keep the details the approver saw (already revealed, and audited, by the caller) on the disbursement."""
    disbursement.payee_snapshot_encrypted = crypto.encrypt(json.dumps(details, sort_keys=True))
    disbursement.payee_details_changed_at = changed_at


def payee_snapshot_read(disbursement: Disbursement, *, by, purpose: str) -> dict | None:
    """The approved payee details, decrypted for `purpose` (audited), or None for a payment approved before
    snapshots existed."""
    if not disbursement.payee_snapshot_encrypted:
        return None
    audit(disbursement, "awards.bankdetails.reveal", user=by, data={"purpose": purpose, "snapshot": True})
    return json.loads(crypto.decrypt(disbursement.payee_snapshot_encrypted))


def payee_snapshot_rotate(disbursement: Disbursement) -> bool:
    if not disbursement.payee_snapshot_encrypted:
        return False
    disbursement.payee_snapshot_encrypted = crypto.rotate(disbursement.payee_snapshot_encrypted)
    return True


def payee_details_changed(*, details: BankDetails, by) -> list[Disbursement]:
    """Bank details changed: approved payments of the organisation go back to "needs approval" (the approver must
    see the new account); payments already in a file keep the approved account; finance is told either way."""
    live = list(
        Disbursement.objects.select_for_update()
        .filter(
            tranche__award__organisation=details.organisation,
            status__in=[Disbursement.Status.APPROVED, Disbursement.Status.EXPORTED],
        )
        .select_related("tranche__award__application")
    )
    reopened, in_files = [], []
    for disbursement in live:
        if disbursement.status == Disbursement.Status.APPROVED:
            disbursement.status = Disbursement.Status.PENDING
            disbursement.approved_by, disbursement.approved_at = None, None
            disbursement.payee_snapshot_encrypted, disbursement.payee_details_changed_at = "", None
            disbursement.save(
                update_fields=[
                    "status",
                    "approved_by",
                    "approved_at",
                    "payee_snapshot_encrypted",
                    "payee_details_changed_at",
                ]
            )
            audit(
                disbursement,
                "awards.disbursement.reapproval",
                user=by,
                data={"reason": "bank details changed after approval", "account": details.masked_account},
            )
            reopened.append(disbursement)
        else:
            in_files.append(disbursement)
    if live:
        send_email_on_commit(
            template="awards/payee_changed",
            to=finance_emails(),
            context={
                "organisation": details.organisation,
                "masked": details.masked_account,
                "reopened": [str(d.tranche.award.application) + f" #{d.tranche.sequence}" for d in reopened],
                "in_files": [str(d.tranche.award.application) + f" #{d.tranche.sequence}" for d in in_files],
                "intro": _("A grantee changed its bank details after a payment to it was approved."),
            },
        )
    return reopened
