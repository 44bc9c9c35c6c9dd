from django.core.management.base import BaseCommand, CommandError

from fund.donations.conf import stripe_configured
from fund.donations.reconcile import stripe_reconcile


class Command(BaseCommand):
    help = "List recent Checkout Sessions, events, balance transactions and payouts from Stripe; record anything missed and post actual fees and payouts (exactly once); report discrepancies."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3, help="How far back to look (default 3 days).")

    def handle(self, *args, days, **options):
        if not stripe_configured():
            raise CommandError("Stripe is not configured (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET).")
        report = stripe_reconcile(days=days)
        self.stdout.write(
            f"Checked {report.sessions_seen} sessions and {report.events_seen} events; "
            f"recorded {len(report.recorded)} missed gifts; processed {report.events_processed} missed events."
        )
        self.stdout.write(
            f"Imported {report.payouts.balance_transactions} balance transactions and {report.payouts.payouts} payouts; "
            f"posted {report.payouts.fee_adjustments} fee adjustments and {report.payouts.payouts_posted} payouts."
        )
        for line in report.discrepancies:
            self.stdout.write(self.style.WARNING(f"DISCREPANCY: {line}"))
        if not report.discrepancies:
            self.stdout.write(self.style.SUCCESS("No discrepancies."))
