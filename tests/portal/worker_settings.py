"""Settings for a real task worker process started by a test: the test settings with the database task backend,
emails written to EMAIL_FILE_PATH (or held by a blocking backend), the parent's private files and a short lease."""

import os

from portal.settings.test import *  # noqa: F401,F403
from portal.settings.test import STORAGES

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
EMAIL_BACKEND = os.environ.get("TEST_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", "")
PRIVATE_MEDIA_ROOT = os.environ["TEST_PRIVATE_MEDIA_ROOT"]
STORAGES = {
    **STORAGES,
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
}
TASK_LEASE_SECONDS = 3
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}
