"""What a scheduled job is (the list of them is portal/schedule.py; the process that runs them portal/scheduler.py)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class Job:
    name: str
    cron: dict  # APScheduler CronTrigger fields, in the fund's time zone
    command: str = ""  # a management command; defaults to the job's name
    args: object = ()  # a list, or a function of the slot (in the fund's zone) returning one
    task: str = ""  # or a django-tasks task (dotted path), called with the same arguments
    alert: bool = False  # email staff when it fails
    description: str = ""
    grace: timedelta = field(default=timedelta(hours=1))  # how late a missed slot may still be run

    def trigger(self) -> CronTrigger:
        return CronTrigger(**self.cron, timezone=ZoneInfo(settings.TIME_ZONE))

    def next_slot(self, after: datetime) -> datetime | None:
        return self.trigger().get_next_fire_time(None, after)

    def due_slot(self, now: datetime) -> datetime | None:
        """The latest slot at or before `now` and within the grace period, if any."""
        trigger = self.trigger()
        slot = None
        candidate = trigger.get_next_fire_time(None, now - self.grace)
        while candidate is not None and candidate <= now:
            slot = candidate
            candidate = trigger.get_next_fire_time(slot, slot + timedelta(microseconds=1))
        return slot

    def arguments(self, slot: datetime) -> list[str]:
        value = self.args(timezone.localtime(slot)) if callable(self.args) else self.args
        return [str(a) for a in value]

    def schedule_text(self) -> str:
        return ", ".join(f"{name}={value}" for name, value in self.cron.items())
