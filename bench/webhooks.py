"""Benchmark: signed `checkout.session.completed` ingestion vs a bare POST view, under the same server, in one run.

    .venv/bin/python bench/webhooks.py [--events 300] [--threads 4] [--rounds 3]

Uses the test settings, a fresh SQLite file (or DATABASE_URL), persistent database connections as production runs,
the local fake Stripe for the consumer's session re-read, the production task backend (database rows) and a threaded
WSGI server running the whole middleware stack. Every event is delivered twice (Stripe retries).

Three figures, in order:
1. ingestion, consumer stopped: how fast the webhook verifies, stores, commits and answers, against the bare view on
   the same number of requests, in interleaved rounds on fresh events. The median ratio is the figure; the target is
   at least half the bare view's rate;
2. recording: the events consumer (`stripe_process_events`, the same code as production) drains the stored events:
   gifts recorded per second end to end (Stripe re-read, donation, ledger, audit); then the task worker issues the
   receipts (PDFs) the recording queued;
3. ingestion with the consumer and the task worker running beside the server on the same two cores (a second batch).
After each phase the run checks exactly one donation and one ledger posting per session.
"""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("DB_CONN_MAX_AGE", "60")  # persistent connections, as production runs (.env.example)
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='bench-webhooks-')}/bench.sqlite3"

import django  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402


@csrf_exempt
def bare(request):
    _ = request.body  # read it, like the webhook does
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
            conn.request(
                "POST", path_, body=payload, headers={"Content-Type": "application/json", "Stripe-Signature": header}
            )
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
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from django.conf import settings

    # As in production: receipts are queued for the task worker (database task backend). Set before django.setup()
    # so the task backends are built from it.
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
    from fund.donations.models import Donation, Receipt
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

    def signed_events(n, tag):
        bodies = []
        for i in range(n):
            donation = services.donation_create_pending(
                fund=fund,
                gift="25.00",
                cover_fee=False,
                monthly=False,
                email=f"bench-{tag}-{i}@example.org",
                name=f"Bench {i}",
            )
            session = fake.create_session(
                {
                    "mode": "payment",
                    "client_reference_id": str(donation.pk),
                    "line_items": [{"price_data": {"unit_amount": "2500", "currency": "usd"}, "quantity": "1"}],
                }
            )
            Donation.objects.filter(pk=donation.pk).update(stripe_checkout_session_id=session["id"])
            event = fake.event("checkout.session.completed", fake.complete_session(session["id"]))
            payload = json.dumps(event)
            bodies.append((payload, fake.sign(payload)))
        return bodies

    def exactly_once(expected):
        succeeded = Donation.objects.filter(status="succeeded").count()
        postings = LedgerTransaction.objects.filter(kind="donation").count()
        ok = succeeded == postings == expected
        return f"{succeeded} donations succeeded, {postings} ledger postings for {expected} sessions -> {'OK' if ok else 'FAIL'}"

    warm = signed_events(20, "warm")
    post_all(port, "/bench/bare/", warm, 2)
    post_all(port, "/stripe/webhook/", warm, 2)
    rounds = []
    for r in range(args.rounds):
        bodies = signed_events(args.events, f"r{r}")
        deliveries = bodies + bodies  # each event twice, as Stripe retries
        bare_time, bare_statuses = post_all(port, "/bench/bare/", deliveries, args.threads)
        hook_time, hook_statuses = post_all(port, "/stripe/webhook/", deliveries, args.threads)
        n = len(deliveries)
        rounds.append((n / bare_time, n / hook_time, sorted(set(bare_statuses) | set(hook_statuses))))
    queued = Donation.objects.filter(status="pending").count()
    recorded_before = 20  # the warm-up events, recorded by the drain below too
    total_events = args.rounds * args.events + recorded_before

    # 2. The consumer drains the stored events, then the task worker the receipts (separate processes, as in production;
    # the fake Stripe stays up in this one).
    worker_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", "STRIPE_API_BASE": fake.url}
    worker = [sys.executable, str(Path(__file__).resolve().parent / "worker.py")]
    start = time.perf_counter()
    subprocess.run([*worker, "events", "--once"], env=worker_env, check=True)
    drain_time = time.perf_counter() - start
    after_drain = exactly_once(total_events)
    start = time.perf_counter()
    subprocess.run([*worker, "tasks", "--once"], env=worker_env, check=True)
    receipts_time = time.perf_counter() - start
    receipts = Receipt.objects.count()

    # 3. Ingestion again with both running beside the server (two cores shared by all).
    second = signed_events(args.events, "b")
    running = [subprocess.Popen([*worker, kind], env=worker_env) for kind in ("events", "tasks")]
    time.sleep(3)  # let them start and begin polling
    shared_time, shared_statuses = post_all(port, "/stripe/webhook/", second + second, args.threads)
    deadline = time.time() + 300
    while Donation.objects.filter(status="pending").exists() and time.time() < deadline:
        time.sleep(0.2)
    for proc in running:
        proc.terminate()
        proc.wait(timeout=30)
    server.shutdown()
    fake.stop()

    shared_rate = 2 * len(second) / shared_time
    ratios = sorted(hook_rate / bare_rate for bare_rate, hook_rate, _ in rounds)
    median = ratios[len(ratios) // 2]
    bare_median = sorted(bare_rate for bare_rate, _, _ in rounds)[len(rounds) // 2]
    print(
        f"database: {settings.DATABASES['default']['ENGINE']}, threads: {args.threads}, "
        f"{args.rounds} rounds of {2 * args.events} deliveries ({args.events} events x2)"
    )
    for i, (bare_rate, hook_rate, statuses) in enumerate(rounds, 1):
        print(
            f"   round {i}: bare POST view {bare_rate:7.1f} req/s, webhook {hook_rate:7.1f} events/s, "
            f"ratio {hook_rate / bare_rate:.2f} "
            f"(statuses {statuses})"
        )
    print(
        f"1. webhook, consumer stopped: median ratio {median:.2f} of the bare view (target >= 0.50); "
        f"{queued} gifts stored and waiting, none lost"
    )
    print(
        f"2. consumer recording them: {total_events / drain_time:6.1f} gifts/s end to end "
        f"({drain_time:.1f} s for {total_events}); exactly once: {after_drain}"
    )
    print(
        f"   task worker issuing receipts: {receipts / receipts_time:6.1f} receipts/s ({receipts} in {receipts_time:.1f} s)"
    )
    print(
        f"3. webhook, consumer and worker running: {shared_rate:7.1f} events/s, "
        f"ratio {shared_rate / bare_median:.2f} of the median bare rate"
    )
    print(f"   exactly once after everything: {exactly_once(total_events + args.events)}")


if __name__ == "__main__":
    main()
