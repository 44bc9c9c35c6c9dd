import signal
import threading
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from fund.donations.standin.server import FakeStripe


class Command(BaseCommand):
    help = (
        "Development only: the Stripe test-mode stand-in (no real money), on the port of settings.STRIPE_API_BASE. "
        "Its checkout page pays at once and sends the signed webhook to this site."
    )

    def add_arguments(self, parser):
        parser.add_argument("--webhook-url", help="Where to send webhooks (default: SITE_URL + the webhook path).")

    def handle(self, *args, webhook_url=None, **options):
        if not settings.STRIPE_STANDIN:
            raise CommandError(
                "The Stripe stand-in is for development only: these settings have STRIPE_STANDIN off "
                "(production refuses it; set real Stripe keys instead)."
            )
        api = urlsplit(settings.STRIPE_API_BASE)
        if api.hostname not in ("127.0.0.1", "localhost") or not api.port:
            raise CommandError(
                f"STRIPE_API_BASE must be a local address with a port, not {settings.STRIPE_API_BASE!r}."
            )
        webhook_url = webhook_url or settings.SITE_URL.rstrip("/") + reverse("stripe_webhook")
        standin = FakeStripe(
            api_key=settings.STRIPE_SECRET_KEY, webhook_secret=settings.STRIPE_WEBHOOK_SECRET, webhook_url=webhook_url
        ).start(port=api.port)
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(f"Stripe stand-in (test mode, no real money) on {standin.url}; webhooks to {webhook_url}")
        stop.wait()
        standin.stop()
