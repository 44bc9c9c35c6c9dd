from django.core.management.base import BaseCommand
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME

from portal.models import ProcessHeartbeat
from portal.resilience import Heartbeat, process_id, run_forever, stop_on_signals
from portal.worker import ResilientWorker


class Command(BaseCommand):
    help = (
        "The background task worker (django-tasks database backend) for production: survives database and Redis "
        "outages (retries with backoff), keeps a heartbeat, and puts back in the queue the tasks of workers that died. "
        "Run one or more per machine; stops on SIGTERM/SIGINT after the task in hand."
    )

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default=DEFAULT_TASK_QUEUE_NAME, help="Queues, comma-separated; * for all.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle.")
        parser.add_argument("--backend", default=DEFAULT_TASK_BACKEND_ALIAS, dest="backend_name")

    def handle(self, *args, queue_name, interval, backend_name, **options):
        worker_id = process_id("worker")
        stop = stop_on_signals()
        heartbeat = Heartbeat(kind=ProcessHeartbeat.Kind.WORKER, process_id=worker_id)
        heartbeat.start()
        worker = ResilientWorker(
            heartbeat=heartbeat,
            queue_names=queue_name.split(","),
            interval=interval,
            batch=False,
            backend_name=backend_name,
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        self.stdout.write(f"Task worker {worker_id} on queue(s) {queue_name}.")
        try:
            run_forever(worker.step, stop=stop, name=f"worker {worker_id}", idle=interval, on_error=worker.on_error)
        finally:
            heartbeat.stop()
        self.stdout.write("Stopped.")
