"""Staff screen: every scheduled job with its schedule, last run (result and output) and next run, and the
background processes with their last heartbeat. Program staff, finance and superusers."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone

from . import roles
from .models import ProcessHeartbeat, ScheduledRun
from .resilience import lease_seconds
from .scheduler import jobs


def can_see_operations(user) -> bool:
    return roles.has_role(user, roles.PROGRAM_STAFF, roles.FINANCE)


def scheduled_jobs(request):
    if not can_see_operations(request.user):
        raise PermissionDenied
    now = timezone.now()
    table = jobs()
    latest_ids = ScheduledRun.objects.filter(job__in=table).values("job").annotate(last=Max("pk")).values("last")
    last_runs = {run.job: run for run in ScheduledRun.objects.filter(pk__in=latest_ids)}
    rows = [
        {"job": job, "last": last_runs.get(name), "next": job.next_slot(now)} for name, job in sorted(table.items())
    ]
    fresh_after = now - timedelta(seconds=lease_seconds())
    processes = [
        {"process": p, "alive": p.beat_at >= fresh_after} for p in ProcessHeartbeat.objects.order_by("kind", "pk")[:100]
    ]
    return render(request, "portal/admin/scheduled_jobs.html", {"rows": rows, "processes": processes})
