"""The background processes for the benchmarks, exactly as production runs them, under the test settings with the
database task backend, the benchmark's database (DATABASE_URL), its fake Stripe (STRIPE_API_BASE) and the dummy email
backend:

    DATABASE_URL=... STRIPE_API_BASE=... .venv/bin/python bench/worker.py events [--once]   # stripe_process_events
    DATABASE_URL=... STRIPE_API_BASE=... .venv/bin/python bench/worker.py tasks [--once]    # db_worker (receipts)
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402
from django.conf import settings  # noqa: E402


def main():
    which, once = sys.argv[1], "--once" in sys.argv
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    django.setup()
    from django.core.management import call_command

    settings.STRIPE_API_BASE = os.environ["STRIPE_API_BASE"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    settings.DEBUG = False
    if which == "events":
        call_command("stripe_process_events", loop=not once, interval=0.2, verbosity=0)
    else:
        call_command("db_worker", batch=once, startup_delay=False, reload=False, interval=0.2, verbosity=0)


if __name__ == "__main__":
    main()
