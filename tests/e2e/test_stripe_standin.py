"""Giving works out of the box: `manage.py run_stripe_standin` (what `make run` starts without Stripe keys) serves a
checkout labelled "test mode, no real money", and a gift made through it is recorded, receipted and counted."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail

from fund.donations.models import Donation
from fund.donations.selectors import campaign_progress
from tests.factories.cms import make_site

ROOT = Path(__file__).resolve().parents[2]
CAMPAIGN_PATH = "/campaigns/naloxone-in-every-pocket/"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def standin(settings, live_server, tmp_path):
    """The stand-in as `make run` starts it: its own process, under the development settings with no Stripe keys."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRIPE_")}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.dev",
        STRIPE_STANDIN_PORT=str(port),
        SITE_URL=live_server.url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    )
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_stripe_standin"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    # The site under test uses the same development stand-in settings.
    settings.STRIPE_STANDIN = True
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_test_standin", "whsec_standin"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_standin"
    settings.STRIPE_API_BASE = url
    settings.SITE_URL = live_server.url
    yield url
    process.terminate()
    process.wait(timeout=10)


def test_a_newcomer_gives_through_the_standin(browser_page, standin):
    page = browser_page
    pages = make_site()
    campaign = pages["campaign"]
    campaign.goal, campaign.suggested_amounts = Decimal("1000.00"), [25, 50, 100]
    campaign.save(update_fields=["goal", "suggested_amounts"])

    page.goto(f"{page.base_url}{CAMPAIGN_PATH}")
    assert page.get_by_text("Test mode, no real money.").count() == 1
    page.get_by_label("$25.00").check()
    page.get_by_label("Full name").fill("Robin Example")
    page.get_by_role("textbox", name="Email (required)").fill("robin@example.org")
    page.get_by_role("button", name="Continue to secure payment").click()

    page.wait_for_url(f"{standin}/checkout/**")
    assert page.get_by_text("Test mode, no real money.").count() == 1
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url("**/donate/thanks/**")

    donation = Donation.objects.get()
    assert (donation.status, donation.amount) == ("succeeded", Decimal("25.00"))
    assert campaign_progress(campaign)["raised"] == Decimal("25.00")
    assert [m for m in mail.outbox if "robin@example.org" in m.to]  # the thank-you and receipt


def test_the_standin_refuses_to_run_without_the_development_flag(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRIPE_")}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings.test")
    result = subprocess.run(
        [sys.executable, "manage.py", "run_stripe_standin"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and "development only" in result.stderr


def test_the_standin_checkout_page_says_no_real_money():
    from tests.fakes.stripe_server import FakeStripe

    fake = FakeStripe().start()
    try:
        session = fake.create_session(
            {"line_items": [{"price_data": {"unit_amount": "2500", "currency": "usd"}}], "cancel_url": "http://x/"}
        )
        with urllib.request.urlopen(session["url"]) as response:
            body = response.read().decode()
        assert "Test mode, no real money." in body and "Pay 25.00 USD" in body
    finally:
        fake.stop()
