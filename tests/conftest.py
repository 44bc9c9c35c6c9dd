"""Fixtures shared by every test. App-specific fixtures live in tests/<app>/conftest.py; factories in tests/factories/."""

import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in item.keywords and connection.vendor != "postgresql":
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://..."))


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
def login(client):
    """Log a user in on the test client, marking MFA as passed (the MFA flow itself is tested in tests/portal)."""

    def do_login(user, c=None):
        c = c or client
        c.force_login(user)
        return c

    return do_login
