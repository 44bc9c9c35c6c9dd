from django.core.management.base import BaseCommand

from grants.impact.services import reports_mark_overdue


class Command(BaseCommand):
    help = "Mark impact reports past their due date and not handed in as overdue (they hold payments). Run daily."

    def handle(self, *args, **options):
        count = reports_mark_overdue()
        self.stdout.write(f"{count} report(s) marked overdue.")
