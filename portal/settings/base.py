"""Settings shared by every environment. Values come from the environment (see .env.example)."""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = env("SECRET_KEY", "dev-insecure-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Project apps first so their templates override third-party ones.
    "portal",
    "applicants",
    "grants",
    "grants.review",
    "grants.awards",
    "grants.impact",
    "fund",
    "fund.donations",
    "cms",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.search_promotions",
    # Translation of pages and snippets (replaces wagtail.locales; see docs/content-languages.md).
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    # Tasks
    "django_tasks",
    "django_tasks_db",
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    # First: answers anonymous GETs of public pages from the cache before any other middleware runs, with the final
    # headers (security headers included) that the whole stack below gave the page when it was rendered and stored
    # (see cms/cache.py).
    "cms.cache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.security_headers.PortalCSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses text bodies for clients that accept gzip (static files: WhiteNoise's own; page-cache hits: cms.cache).
    "portal.compression.TextGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    # After authentication: unprefixed portal screens switch to the person's language (portal.i18n).
    "portal.middleware.PersonLanguageMiddleware",
    "portal.middleware.StaffSessionIdleMiddleware",
    "portal.middleware.MFARequiredMiddleware",
    "portal.middleware.AdminAccessMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "0")),
        # A connection kept across requests is checked before reuse, so the first request after a database restart works.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the task worker read and write side by side.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# How English writes dates (portal/locale_formats/en); portal.formats is the one helper that formats for people.
FORMAT_MODULE_PATH = ["portal.locale_formats"]
TIME_ZONE = env("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static_collected"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "portal.staticbundles.BundleFinder",
]
# One stylesheet per page, concatenated from the sources in static/css (portal/staticbundles.py). The app files share
# selectors (public pages use rules from fund.css, review.css, ...), so public and portal pages load one bundle of all.
STATIC_BUNDLES = {
    "css/site.bundle.css": [
        "css/site.css",
        "css/applicants.css",
        "css/grants.css",
        "css/review.css",
        "css/fund.css",
        "css/donations.css",
        "css/cms.css",
        "css/impact.css",
        "css/rich-text.css",
    ],
}
STATIC_BUNDLES_DIR = VAR_DIR / "static-bundles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", VAR_DIR / "media"))
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Applicant and grantee uploads: never under MEDIA_URL, served only by permission-checked views.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"},
}
if env("REDIS_URL"):
    # Redis is an accelerator: when it is down the cache answers as an empty cache would (portal/redis_cache.py).
    CACHES["default"] = {
        "BACKEND": "portal.redis_cache.FailOpenRedisCache",
        "LOCATION": env("REDIS_URL"),
        "KEY_PREFIX": "portal",
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": float(env("REDIS_CONNECT_TIMEOUT", "0.5")),
            "SOCKET_TIMEOUT": float(env("REDIS_TIMEOUT", "0.5")),
        },
    }

# Seconds each process keeps a page-cache hit it answered (cms/cache.py): a retired page or an old live figure is
# served by another process at most this long after. 0 turns it off (tests; one process with its own local cache).
CMS_PAGE_LOCAL_SECONDS = float(env("CMS_PAGE_LOCAL_SECONDS", "1" if env("REDIS_URL") else "0"))

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# A running task whose worker has not beaten for this long (killed, machine lost) goes back to the queue (portal.worker).
TASK_LEASE_SECONDS = int(env("TASK_LEASE_SECONDS", "30"))
# How often a task is started again after its worker died before it is marked failed for staff.
TASK_MAX_ATTEMPTS = int(env("TASK_MAX_ATTEMPTS", "5"))
BACKUP_DIR = Path(env("BACKUP_DIR", VAR_DIR / "backups"))

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_SSL_CERTFILE = env("EMAIL_SSL_CERTFILE") or None
EMAIL_SSL_KEYFILE = env("EMAIL_SSL_KEYFILE") or None
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "30"))
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))  # the file backend's folder
EMAIL_SUBJECT_PREFIX = env("EMAIL_SUBJECT_PREFIX", "[Millbrook Fund] ")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Millbrook Community Resilience Fund <hello@millbrook-fund.example>")
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
STAFF_NOTIFICATION_EMAIL = env("STAFF_NOTIFICATION_EMAIL", "grants@millbrook-fund.example")

SITE_ID = 1
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")
FUND_NAME = env("FUND_NAME", "Millbrook Community Resilience Fund")

# --- Accounts (django-allauth) ---
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
# A donor who gave online without an account can still sign in by emailed code (fund.donations.account_forms).
ACCOUNT_FORMS = {"request_login_code": "fund.donations.account_forms.DonorLoginCodeForm"}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # Failed sign-ins are limited per account (key: the email typed, 5 in 5 minutes) AND per address (the client from
    # portal.net.client_ip): the address limit is loose enough that one person's mistakes, or an attack on one account,
    # never lock out everyone else behind the same office, NAT or load balancer, yet still stops password spraying.
    "login_failed": env("ACCOUNT_LOGIN_FAILED_RATE", "20/m/ip,100/h/ip,5/5m/key"),
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "request_login_code": "20/m/ip,3/m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Millbrook Fund] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Millbrook Fund"
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
# Every sign-in is listed under /accounts/sessions/, where a user can sign out their other sessions. Activity is not
# tracked per request (it would write on every page view); a session shows when it started and from where.
USERSESSIONS_TRACK_ACTIVITY = False
# Staff roles (program staff, finance, editors, superusers) are signed out after this many minutes without a request
# (portal.middleware.StaffSessionIdleMiddleware). Applicants, donors and reviewers keep Django's session age.
STAFF_SESSION_IDLE_MINUTES = int(env("STAFF_SESSION_IDLE_MINUTES", "30"))

# --- Wagtail ---
WAGTAIL_SITE_NAME = FUND_NAME
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = False
# Pages and translatable snippets exist once per content language; an untranslated page falls back to English
# (cms/translation.py). The content languages are the interface languages.
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# Staff choose the admin's language among the site's (kept in step with User.language, see portal.i18n).
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "portal.search"}}  # the database backend, safe from user input
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILEMBEDS_FINDERS = [{"class": "wagtail.embeds.finders.oembed"}]
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]

# --- Money and payments ---
DEFAULT_CURRENCY = env("DEFAULT_CURRENCY", "USD")
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_VERSION = env("STRIPE_API_VERSION", "2025-10-29.clover")
# Tests and the offline demo point the real `stripe` library at a local fake API.
STRIPE_API_BASE = env("STRIPE_API_BASE", "")
# The Stripe test-mode stand-in (fund/donations/standin; `manage.py run_stripe_standin`): development turns it on when
# no Stripe key is set; production settings refuse it.
STRIPE_STANDIN = False
# Bank details are encrypted with a dedicated key (comma-separated Fernet keys, newest first).
BANK_DETAILS_KEYS = env_list("BANK_DETAILS_KEYS")
# Payment files (grants.awards.payments): the bank that receives NACHA files and the originating bank (ODFI); the
# routing numbers default to the fund's originating bank. CPA-005 (Canada): the bank's destination data centre.
NACHA_DESTINATION_NAME = env("NACHA_DESTINATION_NAME", "")
NACHA_DESTINATION_ROUTING = env("NACHA_DESTINATION_ROUTING", "")
NACHA_ODFI_ROUTING = env("NACHA_ODFI_ROUTING", "")
CPA005_DESTINATION_DATA_CENTRE = env("CPA005_DESTINATION_DATA_CENTRE", "")
# Refunds started by staff above this amount need a second finance officer (fund.donations.housekeeping).
DONATION_REFUND_FOUR_EYES_ABOVE = env("DONATION_REFUND_FOUR_EYES_ABOVE", "250.00")
CLAMD_SOCKET = env("CLAMD_SOCKET", "")
# Online giving: fee the donor may cover, limits, card-testing defence (attempts, seconds).
DONATION_FEE_PERCENT = env("DONATION_FEE_PERCENT", "0.029")
DONATION_FEE_FIXED = env("DONATION_FEE_FIXED", "0.30")
DONATION_MINIMUM_AMOUNT = env("DONATION_MINIMUM_AMOUNT", "5.00")
DONATION_MAXIMUM_AMOUNT = env("DONATION_MAXIMUM_AMOUNT", "100000.00")
DONATION_SUGGESTED_AMOUNTS = [int(a) for a in env_list("DONATION_SUGGESTED_AMOUNTS", "25,50,100,250")]
DONATION_RATE_LIMIT_IP = tuple(int(x) for x in env_list("DONATION_RATE_LIMIT_IP", "10,60"))
DONATION_RATE_LIMIT_EMAIL = tuple(int(x) for x in env_list("DONATION_RATE_LIMIT_EMAIL", "5,600"))
DONATION_RECEIPT_PLACE_OF_ISSUE = env("DONATION_RECEIPT_PLACE_OF_ISSUE", "")

# --- Behind a proxy ---
# How many proxies (load balancer, CDN) in front of the app append to X-Forwarded-For; 0 ignores the header.
# portal.net.client_ip() uses it for allauth's and the donation rate limits.
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# --- Security ---
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp; see README "Security headers"). Public site, portals and sign-in: scripts and
# styles only from our own files, no inline script, no eval, never framed. Forms may post to ourselves and hand over
# to Stripe's hosted checkout and billing portal (a redirect after a POST is checked against form-action).
STRIPE_REDIRECT_ORIGINS = env_list("STRIPE_REDIRECT_ORIGINS", "https://checkout.stripe.com,https://billing.stripe.com")
# Where public media (page images, documents) is served from when it is not this origin (S3, a CDN).
CSP_MEDIA_ORIGINS = env_list("CSP_MEDIA_ORIGINS", "")
CSP_REPORT_URI = "/csp-report/"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # NONCE: only on pages that ask for one (request.csp_nonce), i.e. the application steps with a rich-text
        # editor, whose Trix library inserts a <style> element of its own (it has no option to leave it out).
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:", *CSP_MEDIA_ORIGINS],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", *CSP_MEDIA_ORIGINS],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],  # + STRIPE_REDIRECT_ORIGINS, added per response by PortalCSPMiddleware
        "report-uri": [CSP_REPORT_URI],
    }
}
# The Wagtail admin (and the staff screens inside it): its own scripts still use inline styles, a few inline scripts
# and blob: workers, and it frames its own previews. It stays same-origin for everything else.
CSP_ADMIN_PATH_PREFIX = "/admin/"
# No Gravatar in the admin: it would send a hash of each staff member's email to a third party (and need its origin
# in img-src).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *CSP_MEDIA_ORIGINS],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:", *CSP_MEDIA_ORIGINS],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "report-uri": [CSP_REPORT_URI],
    }
}
# Permissions-Policy (django-permissions-policy): no camera, microphone, location, payment or sensors for anyone;
# passkeys (WebAuthn) and fullscreen only for our own pages.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "browsing-topics": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "serial": [],
    "usb": [],
    "fullscreen": ["self"],
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Years after their last change that declined or withdrawn applications keep their answers and files, and drafts are
# kept (grants/retention.py, `manage.py apply_retention`, run daily).
RETENTION_YEARS = int(env("RETENTION_YEARS", "6"))

# Users in these groups must set up MFA before they can do anything else. Editors publish to the public site (pages,
# site-wide alerts), so they need it as much as staff do.
MFA_REQUIRED_GROUPS = ["Program staff", "Finance", "Reviewer", "Editor"]
# Development only: a TOTP code accepted for the demo accounts. allauth refuses it unless DEBUG.
DEMO_MFA_CODE = "123456"
# `manage.py seed_demo` runs only where this is True: development and test settings turn it on, nothing else does.
DEMO_ALLOWED = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "wagtail": {"level": "WARNING"}},
}
