"""Development: DEBUG, SQLite under var/, emails written to var/mail, the database task queue."""

from .base import *  # noqa: F401,F403
from .base import STRIPE_SECRET_KEY, VAR_DIR, env, env_list

DEBUG = True
DEMO_ALLOWED = True
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
# The documented demo code. allauth itself refuses this setting when DEBUG is off.
MFA_TOTP_INSECURE_BYPASS_CODE = env("DEMO_MFA_CODE", "123456")
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
# Development only: a fixed key so the demo can store (fake) grantee bank details. Production must set its own.
BANK_DETAILS_KEYS = env_list("BANK_DETAILS_KEYS") or ["ZGV2LW9ubHktYmFuay1kZXRhaWxzLWtleS0wMDAwMDA="]
NACHA_DESTINATION_NAME = env("NACHA_DESTINATION_NAME", "FIRST MILLBROOK BANK")
CPA005_DESTINATION_DATA_CENTRE = env("CPA005_DESTINATION_DATA_CENTRE", "00310")

# No Stripe keys: giving still works end to end against the local test-mode stand-in (no real money), which `make run`
# starts beside the site. Set real test keys (STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY, STRIPE_WEBHOOK_SECRET) to use
# Stripe's own test mode instead.
if not STRIPE_SECRET_KEY:
    STRIPE_STANDIN = True
    STRIPE_SECRET_KEY = "sk_test_standin"
    STRIPE_PUBLISHABLE_KEY = "pk_test_standin"
    STRIPE_WEBHOOK_SECRET = "whsec_standin"
    STRIPE_API_BASE = f"http://127.0.0.1:{env('STRIPE_STANDIN_PORT', '8111')}"
