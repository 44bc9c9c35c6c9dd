"""GET /healthz: is the database, the cache and the task queue reachable? 200 if all are, 503 otherwise (naming which).

It never raises: whatever is down is reported, so a load balancer gets a 503 it can act on, never a 500. It is exempt
from the HTTPS redirect (SECURE_REDIRECT_EXEMPT) and never cached.
"""

import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks import default_task_backend
from django_tasks_db.models import DBTaskResult

from .redis_cache import cache_is_reachable


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    reachable = cache_is_reachable(cache)
    if reachable is False:
        raise ConnectionError("the cache (Redis) is unreachable")
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return the value it was given")
    cache.delete(key)


def check_task_queue():
    backend_path = f"{type(default_task_backend).__module__}.{type(default_task_backend).__name__}"
    if backend_path.startswith("django_tasks_db"):
        DBTaskResult.objects.order_by().values("pk")[:1].exists()
    return backend_path


@never_cache
@require_GET
def healthz(request):
    checks = {"database": check_database, "cache": check_cache, "task_queue": check_task_queue}
    results = {}
    healthy = True
    for name, check in checks.items():
        try:
            check()
            results[name] = {"ok": True}
        except Exception as exc:  # noqa: BLE001 - any failure means unhealthy; say which.
            healthy = False
            results[name] = {"ok": False, "error": type(exc).__name__}
            if name == "database":
                connection.close_if_unusable_or_obsolete()
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "unavailable": [name for name, result in results.items() if not result["ok"]],
            "checks": results,
        },
        status=200 if healthy else 503,
    )
