"""Benchmark: the page cache's hit rate on the campaign page while signed gifts arrive at 2 a second.

    .venv/bin/python bench/page_cache_hits.py [--seconds 60] [--rate 2] [--readers 4]

A throwaway SQLite database with the small test site, its OWN Redis (port 6392, as the shared cache), a threaded
server running the whole middleware stack, and the Stripe events consumer (`stripe_process_events --loop`, a separate
process, as in production) recording each gift from the local fake Stripe. Readers fetch the campaign page (and the
home page, which shows the same campaign) as anonymous visitors for the whole run while signed
`checkout.session.completed` webhooks arrive at `--rate` a second.

Prints the hit rate (X-Page-Cache: hit / all cacheable answers; target >= 95 %), how many gifts were recorded, and
checks that the page shows the final total at the end: the figures are fresh although the page stays cached.
"""

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REDIS_PORT = int(os.environ.get("BENCH_REDIS_PORT", "6392"))
TMP = Path(tempfile.mkdtemp(prefix="bench-pagecache-"))
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "portal.settings.base",
        "DATABASE_URL": f"sqlite:///{TMP / 'bench.sqlite3'}",
        "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
        "DB_CONN_MAX_AGE": "60",
        "STRIPE_SECRET_KEY": "sk_test_bench",
        "STRIPE_WEBHOOK_SECRET": "whsec_bench",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }
)


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, response.getheader("X-Page-Cache"), body


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--rate", type=float, default=2.0)
    parser.add_argument("--readers", type=int, default=4)
    args = parser.parse_args()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    consumer = None
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
        from django.core.wsgi import get_wsgi_application

        from fund.donations import services
        from fund.donations.models import Donation
        from tests.factories.cms import make_site
        from tests.fakes.stripe_server import FakeStripe

        call_command("migrate", verbosity=0)
        site = make_site()
        fake = FakeStripe(api_key="sk_test_bench", webhook_secret="whsec_bench").start()
        from django.conf import settings

        settings.STRIPE_API_BASE = fake.url
        n = int(args.seconds * args.rate)
        bodies = []
        for i in range(n):
            donation = services.donation_create_pending(
                fund=site["fund"],
                campaign=site["campaign"],
                gift="25.00",
                cover_fee=False,
                monthly=False,
                email=f"bench-{i}@example.org",
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
            payload = json.dumps(fake.event("checkout.session.completed", fake.complete_session(session["id"])))
            bodies.append((payload, fake.sign(payload)))

        class Quiet(WSGIRequestHandler):
            def log_message(self, *a):
                pass

        server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet, allow_reuse_address=True)
        server.set_app(get_wsgi_application())
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_address[1]
        env = {**os.environ, "STRIPE_API_BASE": fake.url}
        consumer = subprocess.Popen(
            [sys.executable, "manage.py", "stripe_process_events", "--loop", "--interval", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        campaign = site["campaign_page"].url
        for path in (campaign, "/"):
            get(port, path)  # warm: the first visitor fills the cache
        stop = threading.Event()
        answers = Counter()

        def reader():
            while not stop.is_set():
                for path in (campaign, "/"):
                    status, cache, _ = get(port, path)
                    answers[(status, cache)] += 1

        readers = [threading.Thread(target=reader, daemon=True) for _ in range(args.readers)]
        for t in readers:
            t.start()
        start = time.monotonic()
        for i, (payload, signature) in enumerate(bodies):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request(
                "POST",
                "/stripe/webhook/",
                body=payload,
                headers={"Content-Type": "application/json", "Stripe-Signature": signature},
            )
            assert conn.getresponse().status == 200
            conn.close()
            time.sleep(max(0.0, start + (i + 1) / args.rate - time.monotonic()))
        deadline = time.monotonic() + 60
        while Donation.objects.filter(status="succeeded").count() < n and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)
        stop.set()
        for t in readers:
            t.join()
        recorded = Donation.objects.filter(status="succeeded").count()
        time.sleep(5)  # the figures' own lifetime, in case a bump was missed
        _, cache, body = get(port, campaign)
        raised = re.search(rb'class="raised">([^<]+)<', body)
        hits = answers[(200, "hit")]
        misses = answers[(200, "miss")]
        other = sum(v for (status, cache), v in answers.items() if status != 200 or cache not in ("hit", "miss"))
        rate = hits / max(1, hits + misses)
        print(f"{args.seconds} s, gifts at {args.rate}/s: {recorded}/{n} recorded")
        print(f"campaign + home page answers: {hits} hits, {misses} misses, {other} other -> hit rate {rate:.1%}")
        shown = raised.group(1).decode() if raised else "?"
        print(f"campaign page at the end ({cache}): raised {shown} (expected ${recorded * 25:,}.00)")
        print("target >= 95 %:", "OK" if rate >= 0.95 else "MISSED")
        server.shutdown()
        fake.stop()
    finally:
        if consumer:
            consumer.terminate()
            consumer.wait(timeout=30)
        redis.terminate()


if __name__ == "__main__":
    main()
