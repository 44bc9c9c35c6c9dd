"""The Stripe events consumer: handles what the webhook stored, new events at once and failed ones with backoff."""

import signal
import threading
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from fund.donations.webhooks import stripe_events_process_due


class Command(BaseCommand):
    help = (
        "Handle stored Stripe events: new ones at once, failed ones again with backoff. With --loop it is the consumer "
        "to supervise beside the task worker; without, one pass (after an outage, or from cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep polling until stopped (SIGTERM or Ctrl-C).")
        parser.add_argument(
            "--interval", type=float, default=0.5, help="Seconds between polls when idle (default 0.5)."
        )

    def handle(self, *args, loop, interval, **options):
        if not loop:
            self.report(self.drain())
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())  # finish the event in hand, then stop
        self.stdout.write(f"Handling Stripe events (polling every {interval} s when idle).")
        while not stop.is_set():
            counts = self.drain(stop)
            if counts:
                self.report(counts)
            close_old_connections()
            stop.wait(interval)
        self.stdout.write("Stopped.")

    def drain(self, stop=None) -> dict:
        """Passes until nothing is due (a burst is handled in batches without waiting between them)."""
        total = {}
        while stop is None or not stop.is_set():
            counts = stripe_events_process_due()
            for result, n in counts.items():
                total[result] = total.get(result, 0) + n
            if sum(counts.values()) < 100:
                return total
            time.sleep(0)  # let a stop signal in between batches
        return total

    def report(self, counts):
        if not counts:
            self.stdout.write("No Stripe events due.")
            return
        summary = ", ".join(f"{n} {result}" for result, n in sorted(counts.items()))
        self.stdout.write(f"Stripe events: {summary}.")
        if counts.get("failed"):
            self.stdout.write(
                self.style.WARNING("Some events failed; they are tried again with backoff (Donations > Stripe events).")
            )
