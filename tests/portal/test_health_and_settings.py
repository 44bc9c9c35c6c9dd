import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_health_reports_database_cache_and_task_queue(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "cache": True,
        "task_queue": True,
    }


@pytest.mark.django_db
def test_health_is_503_when_the_database_is_down(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert body["checks"]["cache"]["ok"] is True


@pytest.mark.django_db
def test_health_is_503_when_the_cache_is_down(client, monkeypatch):
    from django.core.cache import cache

    monkeypatch.setattr(cache, "set", lambda *a, **k: (_ for _ in ()).throw(ConnectionError("redis down")))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False


def _run_production(args, **env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    # (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright in this process; a real deployment never has it)
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.production"
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_its_secrets():
    result = _run_production(["check"])
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "ALLOWED_HOSTS" in result.stderr and "DATABASE_URL" in result.stderr
    assert "STRIPE_WEBHOOK_SECRET" in result.stderr


@pytest.mark.parametrize(
    "override", [{"STRIPE_STANDIN": "1"}, {"STRIPE_SECRET_KEY": "sk_standin_fake"}], ids=["stand-in", "made-up key"]
)
def test_production_refuses_the_stripe_standin_and_made_up_keys(override):
    result = _run_production(["check"], **{**PRODUCTION_ENV, **override})
    assert result.returncode != 0
    assert "real Stripe keys" in result.stderr


PRODUCTION_ENV = {
    "SECRET_KEY": "p8Zr!x2Vq#7mK4tL9wN3bH6jD1sF5gA0cE8yU2iO7pR4eT6qW9zX3vB5nM1kJ0hG",
    "ALLOWED_HOSTS": "fund.example.org",
    "DATABASE_URL": "postgres://portal@127.0.0.1:5432/portal",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "STRIPE_SECRET_KEY": "sk_live_51Example",
    "STRIPE_PUBLISHABLE_KEY": "pk_live_51Example",
    "STRIPE_WEBHOOK_SECRET": "whsec_Example",
}


def test_production_settings_pass_check_deploy_at_warning_level():
    result = _run_production(["check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_never_accepts_the_demo_mfa_code():
    code = "from django.conf import settings; print(getattr(settings, 'MFA_TOTP_INSECURE_BYPASS_CODE', None), settings.DEBUG)"
    result = _run_production(["shell", "-c", code], DEMO_MFA_CODE="123456", DEBUG="1", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "None False"
