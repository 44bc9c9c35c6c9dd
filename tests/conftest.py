"""Fixtures shared by every test. App-specific fixtures live in tests/<app>/conftest.py; factories in tests/factories/."""

import os
from datetime import UTC, datetime, time
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection

pytest_plugins = ["tests.dbtemplate"]  # the migrated SQLite test database, built once and copied


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        default=os.environ.get("TEST_CLOCK", ""),
        help="start the whole run's clock at this time, then let it tick: an ISO datetime, or HH:MM for today at that "
        "UTC time (e.g. --clock=02:30 proves no test depends on the UTC date matching the fund's local date)",
    )


def _clock_start(value: str) -> datetime:
    if len(value) <= 5:
        return datetime.combine(datetime.now(UTC).date(), time.fromisoformat(value), tzinfo=UTC)
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def pytest_configure(config):
    value = config.getoption("--clock")
    if value:
        config._clock_traveller = time_machine.travel(_clock_start(value), tick=True)
        config._clock_traveller.start()


def pytest_report_header(config):
    value = config.getoption("--clock")
    return f"clock: starts at {_clock_start(value).isoformat()} (--clock={value})" if value else None


def pytest_unconfigure(config):
    traveller = getattr(config, "_clock_traveller", None)
    if traveller is not None:
        traveller.stop()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in item.keywords and connection.vendor != "postgresql":
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://..."))


@pytest.fixture(scope="session", autouse=True)
def _urlconf_loaded():
    """Load the URLconf before the first test, as a server does at its first request.

    Loading Wagtail's admin URLs registers the admin viewsets, which connects receivers (Wagtail's reference index on
    an organisation's save): without this a save costs a different number of queries depending on whether an earlier
    test happened to resolve a URL."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - evaluated for its side effect


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def mfa_user_factory(db):
    """Make a user with a verified email, the given roles and (optionally) a TOTP authenticator."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth.models import Group

    from tests.factories.portal import UserFactory

    def make(*role_names, mfa=True, **kwargs):
        user = UserFactory(**kwargs)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        for role in role_names:
            user.groups.add(Group.objects.get(name=role))
        if mfa:
            TOTP.activate(user, generate_totp_secret())
        return user

    return make


@pytest.fixture
def ratelimit_clock(monkeypatch):
    """The rate limiter's clock (portal.ratelimit), pinned one second before a minute, and ten minutes, turn.

    A burst test then behaves the same whenever CI runs it; a test moves time by adding seconds to `clock[0]`."""
    now = [1_800_000_000.0 - 1.0]
    monkeypatch.setattr("portal.ratelimit.time", SimpleNamespace(time=lambda: now[0]))
    return now


@pytest.fixture
def fake_stripe(settings):
    """The local fake Stripe HTTP API, with the real `stripe` library pointed at it (tests/fakes/stripe_server.py)."""
    from tests.fakes.stripe_server import FakeStripe

    fake = FakeStripe(api_key=settings.STRIPE_SECRET_KEY, webhook_secret=settings.STRIPE_WEBHOOK_SECRET).start()
    settings.STRIPE_API_BASE = fake.url
    yield fake
    fake.stop()


@pytest.fixture
def login(client):
    """Log a user in on the test client, marking MFA as passed (the MFA flow itself is tested in tests/portal)."""

    def do_login(user, c=None):
        c = c or client
        c.force_login(user)
        return c

    return do_login


def ensure_baseline_data():
    """Re-create what migrations seed (role groups, Wagtail's root page, locale and site) after a transactional flush."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Locale, Page, Site

    from portal.roles import sync_roles

    sync_roles()
    Locale.objects.get_or_create(language_code="en")
    if not Page.objects.filter(depth=1).exists():
        page_ct = ContentType.objects.get_for_model(Page)
        root = Page.add_root(
            instance=Page(title="Root", slug="root", content_type=page_ct, locale=Locale.objects.first())
        )
        home = root.add_child(
            instance=Page(title="Welcome", slug="home", content_type=page_ct, locale=Locale.objects.first())
        )
        Site.objects.get_or_create(hostname="localhost", defaults={"root_page": home, "is_default_site": True})


@pytest.fixture(autouse=True)
def _baseline_after_flush(request):
    # Transactional tests (live server, concurrency) start from a flushed database: put the migration data back.
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        ensure_baseline_data()
    yield


def totp_code_for(user):
    """The current TOTP code for a user's authenticator, computed as an authenticator app would."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    counter = list(yield_hotp_counters_from_time())[0]
    return format_hotp_value(hotp_value(secret, counter))


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_down(settings, backend):
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0"}}


@pytest.fixture
def cache_down(settings):
    """The cache is Redis, configured as production configures it (portal.redis_cache, fail-open), and Redis is down
    (connection refused)."""
    _redis_down(settings, "portal.redis_cache.FailOpenRedisCache")


@pytest.fixture
def cache_raising(settings):
    """Django's own Redis backend with Redis down: every cache call raises. Proves our code tolerant on its own
    (Wagtail's page serving is not: production uses the fail-open backend)."""
    _redis_down(settings, "django.core.cache.backends.redis.RedisCache")
