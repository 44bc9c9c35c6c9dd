"""`manage.py seed_demo` refuses to run anywhere but development and test settings."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "SECRET_KEY": "p8Zr!x2Vq#7mK4tL9wN3bH6jD1sF5gA0cE8yU2iO7pR4eT6qW9zX3vB5nM1kJ0hG",
    "ALLOWED_HOSTS": "fund.example.org",
    "DATABASE_URL": "postgres://portal@127.0.0.1:5432/portal_does_not_exist",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "STRIPE_SECRET_KEY": "sk_live_51Example",
    "STRIPE_PUBLISHABLE_KEY": "pk_live_51Example",
    "STRIPE_WEBHOOK_SECRET": "whsec_Example",
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
}


@pytest.mark.django_db
def test_seed_demo_refuses_when_the_demo_is_not_allowed_and_writes_nothing():
    with override_settings(DEMO_ALLOWED=False), pytest.raises(CommandError, match="development or test settings"):
        call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    assert not get_user_model().objects.exists()


def test_seed_demo_refuses_under_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEMO_ALLOWED"}}
    env.update(PRODUCTION_ENV, DEBUG="1", DEMO_ALLOWED="1")  # not even an environment that asks for it
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--quiet-logins"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "seed_demo only runs with development or test settings" in result.stderr
    assert "Demo fund ready" not in result.stdout
