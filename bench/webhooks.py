"""Benchmark: signed `checkout.session.completed` ingestion vs a bare POST view, under the same server, in one run.

    .venv/bin/python bench/webhooks.py [--events 300] [--threads 4]

Uses the test settings, a fresh SQLite file (or DATABASE_URL), the local fake Stripe for the session re-read, and a
threaded WSGI server running the whole middleware stack. Every event is delivered twice (Stripe retries): the run
checks exactly one donation and one ledger posting per session. Target: at least half the bare view's rate.
"""

import argparse
import http.client
import json
import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='bench-webhooks-')}/bench.sqlite3"

import django  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402


@csrf_exempt
def bare(request):
    request.body  # read it, like the webhook does
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = []  # filled after django.setup(): the bare view next to the whole site


def post_all(port, path_, bodies, threads):
    chunks = [bodies[i::threads] for i in range(threads)]
    statuses = []

    def worker(chunk):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for payload, header in chunk:
            conn.request("POST", path_, body=payload, headers={"Content-Type": "application/json", "Stripe-Signature": header})
            resp = conn.getresponse()
            resp.read()
            statuses.append(resp.status)
        conn.close()

    start = time.perf_counter()
    ts = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return time.perf_counter() - start, statuses


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    from django.conf import settings

    # As in production: receipts are queued for the worker (database task backend), not rendered inside the request.
    # Set before django.setup() so the task backends are built from it.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    django.setup()
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    urlpatterns[:] = [path("bench/bare/", bare), path("", include("portal.urls"))]
    settings.ROOT_URLCONF = __name__
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    settings.DEBUG = False
    print("migrating...", flush=True)
    call_command("migrate", verbosity=0)
    from fund.donations import services
    from fund.donations.models import Donation
    from fund.models import Fund, LedgerTransaction
    from tests.fakes.stripe_server import FakeStripe

    fake = FakeStripe(api_key=settings.STRIPE_SECRET_KEY, webhook_secret=settings.STRIPE_WEBHOOK_SECRET).start()
    settings.STRIPE_API_BASE = fake.url

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *a):
            pass

    class NoDelayServer(ThreadedWSGIServer):
        # Without TCP_NODELAY, Nagle + delayed ACK add ~40 ms to every small response and hide the real cost.
        def get_request(self):
            sock, addr = super().get_request()
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock, addr

    server = NoDelayServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=True)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]

    fund, _ = Fund.objects.get_or_create(slug="bench", defaults={"name": "Bench fund", "is_default": True})
    bodies = []
    for i in range(args.events):
        donation = services.donation_create_pending(fund=fund, gift="25.00", cover_fee=False, monthly=False,
                                                    email=f"bench{i}@example.org", name=f"Bench {i}")
        session = fake.create_session({
            "mode": "payment", "client_reference_id": str(donation.pk),
            "line_items": [{"price_data": {"unit_amount": "2500", "currency": "usd"}, "quantity": "1"}]})
        Donation.objects.filter(pk=donation.pk).update(stripe_checkout_session_id=session["id"])
        event = fake.event("checkout.session.completed", fake.complete_session(session["id"]))
        payload = json.dumps(event)
        bodies.append((payload, fake.sign(payload)))
    deliveries = bodies + bodies  # each event twice, as Stripe retries

    post_all(port, "/bench/bare/", bodies[:20], 2)  # warm up
    bare_time, bare_statuses = post_all(port, "/bench/bare/", deliveries, args.threads)
    hook_time, hook_statuses = post_all(port, "/stripe/webhook/", deliveries, args.threads)
    server.shutdown()
    fake.stop()

    n = len(deliveries)
    bare_rate, hook_rate = n / bare_time, n / hook_time
    succeeded = Donation.objects.filter(status="succeeded").count()
    postings = LedgerTransaction.objects.filter(kind="donation").count()
    print(f"database: {settings.DATABASES['default']['ENGINE']}, threads: {args.threads}, deliveries: {n} ({args.events} events x2)")
    print(f"bare POST view:   {bare_rate:8.1f} req/s  (statuses {sorted(set(bare_statuses))})")
    print(f"Stripe webhook:   {hook_rate:8.1f} events/s (statuses {sorted(set(hook_statuses))})")
    print(f"ratio: {hook_rate / bare_rate:.2f} of the bare view (target >= 0.50)")
    print(f"exactly once: {succeeded} donations succeeded, {postings} ledger postings for {args.events} sessions "
          f"-> {'OK' if succeeded == postings == args.events else 'FAIL'}")


if __name__ == "__main__":
    main()
