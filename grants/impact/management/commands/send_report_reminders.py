from django.core.management.base import BaseCommand

from grants.impact.services import report_reminders_send


class Command(BaseCommand):
    help = (
        "Email impact report reminders (14 and 3 days before, on the due date, overdue). Run daily; each goes out once."
    )

    def handle(self, *args, **options):
        sent = report_reminders_send()
        self.stdout.write(f"{sent} reminder(s) sent.")
