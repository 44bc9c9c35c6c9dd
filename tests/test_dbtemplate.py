"""The saved migrated test database (tests/dbtemplate.py): its key changes with anything the database is made of, and
the copy a test runs on is the fully migrated database."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import dbtemplate


@pytest.fixture
def migration_copy(tmp_path, monkeypatch):
    """The real migration files plus one extra, writable migration file."""
    real = dbtemplate._migration_files()
    extra = tmp_path / "0099_extra.py"
    extra.write_text("operations = []\n")
    monkeypatch.setattr(dbtemplate, "_migration_files", lambda: [*real, extra])
    return extra


def test_key_changes_when_a_migration_file_changes(migration_copy):
    before = dbtemplate.template_key()
    assert dbtemplate.template_key() == before  # stable
    migration_copy.write_text("operations = []  # edited\n")
    assert dbtemplate.template_key() != before


def test_key_changes_when_a_module_the_migrations_use_changes(monkeypatch, tmp_path):
    sources = dbtemplate._project_sources(dbtemplate._migration_files())
    names = {str(p.relative_to(dbtemplate.ROOT)) for p in sources}
    # what migrations import (the append-only triggers) and what runs after migrating (roles and their permissions)
    assert {"portal/db/append_only.py", "portal/roles.py", "cms/editors.py", "portal/money.py"} <= names
    before = dbtemplate.template_key()
    edited = tmp_path / "roles.py"
    edited.write_text(dbtemplate.ROOT.joinpath("portal/roles.py").read_text() + "\n# edited\n")
    monkeypatch.setattr(
        dbtemplate, "_project_sources", lambda files: [edited if p.name == "roles.py" else p for p in sources]
    )
    assert dbtemplate.template_key() != before


def test_key_follows_settings_but_not_per_run_paths(settings):
    before = dbtemplate.template_key()
    settings.MEDIA_ROOT = "/tmp/portal-tests-abc123/media"  # each run's temporary folder
    assert dbtemplate.template_key() == before
    settings.LANGUAGES = [*settings.LANGUAGES, ("de", "German")]
    assert dbtemplate.template_key() != before


@pytest.mark.django_db
def test_the_test_database_is_fully_migrated_and_seeded():
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    from django.contrib.auth.models import Group
    from wagtail.models import Page

    from portal import roles

    assert set(roles.ROLES) <= set(Group.objects.values_list("name", flat=True))
    assert Group.objects.get(name=roles.EDITOR).permissions.filter(codename="change_alert").exists()
    assert Page.objects.filter(depth=1).count() == 1
