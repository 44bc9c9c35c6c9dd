"""Long-running processes (task worker, Stripe events consumer, scheduler) never die on a blip.

`run_forever(step, ...)` calls `step()` until a stop signal: an error (the database restarting, Redis gone, a
network hiccup) is logged, every database connection is dropped, and the step is tried again after an exponential
backoff (1 s, 2 s, 4 s ... at most 30 s); a good step resets it. The process exits only on SIGTERM/SIGINT (finishing
what it has in hand) or a second signal (at once).

`Heartbeat` is a thread that records the process as alive every few seconds (portal.models.ProcessHeartbeat), so a
task whose worker was killed can be recognised and given back to the queue.
"""

import logging
import os
import random
import signal
import socket
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone

from .models import ProcessHeartbeat

logger = logging.getLogger("portal.resilience")

BACKOFF_MAX = 30.0


def lease_seconds() -> float:
    return float(getattr(settings, "TASK_LEASE_SECONDS", 30))


def heartbeat_seconds() -> float:
    return max(0.5, lease_seconds() / 6)


def process_id(kind: str) -> str:
    return f"{kind}-{socket.gethostname()[:30]}-{os.getpid()}-{random.randint(0, 99999):05d}"  # noqa: S311


class Backoff:
    def __init__(self, first=1.0, maximum=BACKOFF_MAX):
        self.first, self.maximum, self.failures = first, maximum, 0

    def next(self) -> float:
        self.failures += 1
        delay = min(self.maximum, self.first * 2 ** (self.failures - 1))
        return delay * random.uniform(0.8, 1.2)  # noqa: S311 - spread the reconnects of many processes

    def reset(self):
        self.failures = 0


def drop_connections():
    """After an error a connection may be broken mid-transaction: throw every one away (the next query reconnects)."""
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except Exception:  # noqa: BLE001 - it is already broken; we only want it gone
            conn.connection = None


def stop_on_signals() -> threading.Event:
    """The first SIGTERM/SIGINT asks the loop to stop after the work in hand; a second one exits at once (a task left
    running is given back to the queue by another worker once this one's heartbeat lapses)."""
    stop = threading.Event()

    def handler(signum, frame):
        if stop.is_set():
            logger.warning("Second %s: exiting now.", signal.strsignal(signum))
            os._exit(1)
        logger.warning("%s: finishing the work in hand, then stopping.", signal.strsignal(signum))
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, handler)
    return stop


def run_forever(step, *, stop: threading.Event, name: str, idle: float = 1.0, on_error=None, backoff=None) -> None:
    """Call `step()` (True when it did some work, so the next call comes at once) until `stop` is set."""
    backoff = backoff or Backoff()
    while not stop.is_set():
        try:
            close_old_connections()
            busy = step()
        except Exception as exc:  # noqa: BLE001 - exit only on a signal: log, back off, try again
            delay = backoff.next()
            logger.warning(
                "%s: %s: %s. Trying again in %.1f s.", name, type(exc).__name__, str(exc).strip()[:300], delay
            )
            if backoff.failures == 1:
                logger.debug("%s: traceback of the first failure", name, exc_info=True)
            drop_connections()
            if on_error:
                on_error(exc)
            stop.wait(delay)
            continue
        if backoff.failures:
            logger.warning("%s: working again after %s failed attempt(s).", name, backoff.failures)
        backoff.reset()
        if not busy:
            stop.wait(idle)


class Heartbeat(threading.Thread):
    """Beat every heartbeat_seconds() until stopped; the row is removed on a clean stop."""

    def __init__(self, *, kind: str, process_id: str):
        super().__init__(name=f"heartbeat-{kind}", daemon=True)
        self.kind, self.process_id = kind, process_id
        self.halt = threading.Event()
        self.last_ok = 0.0  # time.monotonic() of the last beat that reached the database

    def beat(self) -> None:
        now = timezone.now()
        updated = ProcessHeartbeat.objects.filter(process_id=self.process_id).update(beat_at=now)
        if not updated:
            ProcessHeartbeat.objects.create(
                process_id=self.process_id,
                kind=self.kind,
                hostname=socket.gethostname()[:255],
                pid=os.getpid(),
                beat_at=now,
            )
        self.last_ok = time.monotonic()

    def run(self):
        while not self.halt.is_set():
            try:
                self.beat()
            except Exception as exc:  # noqa: BLE001
                logger.warning("Heartbeat of %s not recorded: %s", self.process_id, exc)
                drop_connections()  # this thread's own connections
            self.halt.wait(heartbeat_seconds())
        try:
            ProcessHeartbeat.objects.filter(process_id=self.process_id).delete()
        except Exception:  # noqa: BLE001 - the row lapses by itself
            pass
        finally:
            connections.close_all()

    def stop(self):
        self.halt.set()
        self.join(timeout=10)
