"""The demo fund, seeded once for the tests of this package (once per xdist worker that runs any of them).

`seed_demo` takes 10-15 s and these tests only read what it made, or act on it inside their own test transaction,
which pytest-django rolls back to the seeded state (a savepoint inside this package's transaction). The seed itself
is never committed: pytest tears this fixture down, rolling the whole demo back, before it runs a test outside the
package, so no other test ever sees it."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from tests.catalogues import compile_catalogues


@pytest.fixture(scope="package")
def catalogues(tmp_path_factory):
    return compile_catalogues(tmp_path_factory.mktemp("locale"))


@pytest.fixture(scope="package")
def demo_seeded(django_db_setup, django_db_blocker, catalogues):
    """What `seed_demo` printed (logins included); the demo is in the database for each test of the package."""
    out = io.StringIO()
    with django_db_blocker.unblock(), override_settings(LOCALE_PATHS=[catalogues]):
        with transaction.atomic():
            call_command("seed_demo", stdout=out)
            yield out.getvalue()
            transaction.set_rollback(True)


@pytest.fixture
def demo(demo_seeded, db, settings, catalogues):
    """The seeded demo for one test (its changes rolled back after it), with the compiled translations."""
    settings.LOCALE_PATHS = [catalogues]
    return demo_seeded
