from django.core.management.base import BaseCommand
from django.db import transaction

from grants.awards import crypto
from grants.awards.models import BankDetails, Disbursement
from grants.awards.payees import payee_snapshot_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every grantee's bank details with the first key in BANK_DETAILS_KEYS. Rotate by putting a new "
        "key first, running this, then removing the old key."
    )

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():
            for details in BankDetails.objects.select_for_update().order_by("pk"):
                details.routing_number_encrypted = crypto.rotate(details.routing_number_encrypted)
                details.account_number_encrypted = crypto.rotate(details.account_number_encrypted)
                details.save(update_fields=["routing_number_encrypted", "account_number_encrypted"])
                count += 1
            # Payments keep the payee details they were approved with (grants.awards.payees): rotate those too.
            snapshots = 0
            for disbursement in (
                Disbursement.objects.select_for_update().exclude(payee_snapshot_encrypted="").order_by("pk")
            ):
                if payee_snapshot_rotate(disbursement):
                    disbursement.save(update_fields=["payee_snapshot_encrypted"])
                    snapshots += 1
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {count} set(s) of bank details and {snapshots} approved payee snapshot(s)."
            )
        )
