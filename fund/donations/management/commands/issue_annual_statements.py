from django.core.management.base import BaseCommand

from fund.donations.models import StatementRun
from fund.donations.statements import statement_run_start


class Command(BaseCommand):
    help = "Generate and email every donor's giving statement for a year, as a background task with progress."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--no-email", action="store_true", help="Generate only (e.g. to check timings).")

    def handle(self, *args, year, no_email, **options):
        from django.db import transaction

        with transaction.atomic():
            run = statement_run_start(year=year, send_email_to_donors=not no_email)
        run = StatementRun.objects.get(pk=run.pk)
        self.stdout.write(
            f"Statement run #{run.pk} for {year}: {run.get_status_display()} ({run.done}/{run.total}). "
            "With the database task backend, the worker (manage.py db_worker) does the work; progress shows in the admin."
        )
