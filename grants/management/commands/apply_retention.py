from django.core.management.base import BaseCommand

from grants.retention import retention_apply


class Command(BaseCommand):
    help = (
        "Delete old drafts, and the attachments and answers of declined or withdrawn applications, once they are older "
        "than settings.RETENTION_YEARS. Run daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=None, help="Override settings.RETENTION_YEARS.")

    def handle(self, *args, **options):
        result = retention_apply(years=options["years"])
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.drafts_deleted} draft(s) deleted, {result.applications_cleared} application(s) cleared, "
                f"{result.attachments_deleted} attachment(s) deleted."
            )
        )
