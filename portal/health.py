"""GET /healthz: is the database, the cache and the task queue reachable? 200 if all are, 503 otherwise."""

import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return the value it was given")
    cache.delete(key)


def check_task_queue():
    from django_tasks import default_task_backend

    backend_path = f"{type(default_task_backend).__module__}.{type(default_task_backend).__name__}"
    if backend_path.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

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
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": results}, status=200 if healthy else 503
    )
