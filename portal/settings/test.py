"""Tests: fast hasher, local-memory cache and mail, tasks run immediately. DATABASE_URL switches to PostgreSQL."""

import tempfile

from .base import *  # noqa: F401,F403
from .base import STORAGES

DEBUG = False
DEMO_ALLOWED = True
SECRET_KEY = "test-secret-key-not-for-production"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
CMS_PAGE_LOCAL_SECONDS = 0  # tests that want it turn it on (tests/cms/test_page_cache_fastpath.py)
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
_TMP = tempfile.mkdtemp(prefix="portal-tests-")
MEDIA_ROOT = f"{_TMP}/media"
PRIVATE_MEDIA_ROOT = f"{_TMP}/private"
STORAGES = {
    **STORAGES,
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
}
BANK_DETAILS_KEYS = ["y3Jm0a9aN9dQ8oJ2dZ0Yl1o6h7bJxQ0sN2v0g2n0uXA="]
STRIPE_SECRET_KEY = "sk_test_fake"
STRIPE_PUBLISHABLE_KEY = "pk_test_fake"
STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "portal.search"}}  # the database backend, safe from user input
LOGGING = {"version": 1, "disable_existing_loggers": False}
NACHA_DESTINATION_NAME = "FIRST MILLBROOK BANK"
CPA005_DESTINATION_DATA_CENTRE = "00310"
