from django.core.management.base import BaseCommand, CommandError

from fund.donations.models import StatementRun
from fund.donations.statements import StatementYearError, statement_run_start, statement_year_check


class Command(BaseCommand):
    help = "Generate and email every donor's giving statement for a year, as a background task with progress."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="The calendar year, e.g. 2025.")
        parser.add_argument("--no-email", action="store_true", help="Generate only (e.g. to check timings).")

    def handle(self, *args, year, no_email, **options):
        from django.db import transaction

        try:
            year = statement_year_check(_as_int(year))
        except StatementYearError as exc:
            raise CommandError(f"--year {year}: {exc}") from None
        with transaction.atomic():
            run = statement_run_start(year=year, send_email_to_donors=not no_email)
        run = StatementRun.objects.get(pk=run.pk)
        self.stdout.write(
            f"Statement run #{run.pk} for {year}: {run.get_status_display()} ({run.done}/{run.total}). "
            "With the database task backend, the worker (manage.py db_worker) does the work; progress shows in the admin."
        )


def _as_int(value: str):
    try:
        return int(value)
    except ValueError:
        return value  # statement_year_check refuses it with the same message as any other impossible year
