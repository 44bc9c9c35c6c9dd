"""`manage.py seed_demo` is deterministic and idempotent: a second run changes nothing."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command

PROJECT_APPS = {
    "portal",
    "applicants",
    "grants",
    "review",
    "awards",
    "impact",
    "fund",
    "donations",
    "cms",
    "auth",
    "wagtailcore",
    "wagtailimages",
}


def _row_counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS and not model._meta.proxy
    }


@pytest.mark.slow
@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing_and_prints_the_logins(demo):
    first = _row_counts()
    assert "program@demo.millbrook-fund.example" in demo
    assert "finance2@demo.millbrook-fund.example" in demo
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    assert _row_counts() == first
    assert first["portal.User"] >= 11
    assert first["fund.Campaign"] == 2
