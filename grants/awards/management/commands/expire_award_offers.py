from django.core.management.base import BaseCommand

from grants.awards.services import expire_overdue_offers


class Command(BaseCommand):
    help = "Expire award offers past their expiry date and release their committed money. Run daily."

    def handle(self, *args, **options):
        expired = expire_overdue_offers()
        for award in expired:
            self.stdout.write(f"Expired {award.application} ({award.amount} {award.currency} released)")
        self.stdout.write(self.style.SUCCESS(f"{len(expired)} offer(s) expired."))
