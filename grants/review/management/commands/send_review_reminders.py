from django.core.management.base import BaseCommand

from grants.review.reminders import review_reminders_send


class Command(BaseCommand):
    help = "Email reviewers whose review is due within two days or overdue. Run daily; each reminder goes out once."

    def handle(self, *args, **options):
        sent = review_reminders_send()
        self.stdout.write(f"{sent} review reminder(s) sent.")
