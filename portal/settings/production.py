"""Production: refuses to start without its secrets; PostgreSQL, Redis, S3-compatible storage, whitenoise."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import STORAGES, env, env_bool, env_list

DEBUG = False
# Never: the demo fund's fictional people, gifts and grants must not reach a real database.
DEMO_ALLOWED = False

_REQUIRED = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL")
_STRIPE = ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET")
_missing = [name for name in _REQUIRED + _STRIPE if not env(name)]
if _missing:
    raise ImproperlyConfigured(f"Production settings need these environment variables: {', '.join(_missing)}")
# Real Stripe keys only: never the development stand-in (no real money) nor a made-up key.
STRIPE_STANDIN = False
if env_bool("STRIPE_STANDIN") or not env("STRIPE_SECRET_KEY").startswith(
    ("sk_live_", "sk_test_", "rk_live_", "rk_test_")
):
    raise ImproperlyConfigured(
        "Production needs real Stripe keys (STRIPE_SECRET_KEY starting sk_live_ or rk_live_, or sk_test_ for a staging "
        "site); the development stand-in is refused."
    )

SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# The load balancer probes over plain HTTP: /healthz answers it instead of redirecting.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if env("AWS_STORAGE_BUCKET_NAME"):
    _s3 = {
        "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
        "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
        "region_name": env("AWS_S3_REGION_NAME") or None,
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**_s3, "location": "public"}}
    STORAGES["private"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**_s3, "location": "private"}}
