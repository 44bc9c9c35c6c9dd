from django.core.management.base import BaseCommand

from portal import scheduler
from portal.models import ProcessHeartbeat
from portal.resilience import Heartbeat, process_id, run_forever, stop_on_signals


class Command(BaseCommand):
    help = (
        "The scheduler: enqueues each job of portal/schedule.py as a background task once per slot (safe with two or "
        "more running), catches up slots missed while it or the database was down (within each job's grace), and "
        "survives database outages. Stops on SIGTERM/SIGINT."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--catch-up-every",
            type=float,
            default=scheduler.CATCH_UP_SECONDS,
            help="Seconds between catch-up passes (default %(default)s).",
        )

    def handle(self, *args, catch_up_every, **options):
        scheduler_id = process_id("scheduler")
        stop = stop_on_signals()
        heartbeat = Heartbeat(kind=ProcessHeartbeat.Kind.SCHEDULER, process_id=scheduler_id)
        heartbeat.start()
        background = scheduler.build_scheduler(scheduler_id=scheduler_id)
        background.start()
        for job in background.get_jobs():
            self.stdout.write(f"{job.id}: next at {job.next_run_time:%Y-%m-%d %H:%M %Z}")

        def step():
            scheduler.catch_up(scheduler=scheduler_id)
            return False

        try:
            run_forever(step, stop=stop, name=f"scheduler {scheduler_id}", idle=catch_up_every)
        finally:
            background.shutdown(wait=False)
            heartbeat.stop()
        self.stdout.write("Stopped.")
