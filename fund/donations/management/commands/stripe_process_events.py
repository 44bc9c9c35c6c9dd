"""The Stripe events consumer: handles what the webhook stored, new events at once and failed ones with backoff."""

import time

from django.core.management.base import BaseCommand

from fund.donations.webhooks import stripe_events_process_due
from portal.models import ProcessHeartbeat
from portal.resilience import Heartbeat, process_id, run_forever, stop_on_signals


class Command(BaseCommand):
    help = (
        "Handle stored Stripe events: new ones at once, failed ones again with backoff. With --loop it is the consumer "
        "to supervise beside the task worker (any number of them: each event is claimed by one); it survives database "
        "and Redis outages and stops only on SIGTERM/SIGINT. Without --loop, one pass (after an outage, or from cron)."
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
        stop = stop_on_signals()  # finish the event in hand, then stop
        heartbeat = Heartbeat(kind=ProcessHeartbeat.Kind.CONSUMER, process_id=process_id("consumer"))
        heartbeat.start()
        self.stdout.write(f"Handling Stripe events (polling every {interval} s when idle).")

        def step():
            counts = self.drain(stop)
            if counts:
                self.report(counts)
            return bool(counts)

        try:
            run_forever(step, stop=stop, name="Stripe events consumer", idle=interval)
        finally:
            heartbeat.stop()
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
