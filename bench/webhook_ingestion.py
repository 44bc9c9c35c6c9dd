"""Benchmark: Stripe webhook ingestion against a bare Django project's POST endpoint, load from a separate process.

    .venv/bin/python bench/webhook_ingestion.py --database-url postgres://postgres@127.0.0.1:5432/portal_bench

The method of bench/public_pages.py (docs/benchmarks.md): the database named by `--database-url` is DROPPED and
created again and migrated; a private Redis; our site under production settings and the bare project
(`bench/baseline/`, `POST /post/` reads the body and answers 200) under the same gunicorn configuration (2 sync
workers each); `wrk` as the load generator (a separate process) with a Lua script posting signed
`checkout.session.completed` events from a file, 32 connections, rounds interleaved, medians reported.

Events are signed just before each round (Stripe's 300 s tolerance). wrk's two threads each walk the whole list, so
every event arrives twice, as Stripe's retries do; the second delivery is answered without storing anything. The
webhook only verifies, stores and answers (the consumer records gifts later, `bench/webhooks.py` phase 2), so the
events need no matching donation. Target (issue 18): ratio >= 0.5.
"""

import argparse
import hashlib
import hmac
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.public_pages import BASELINE_SETTINGS, recreate_database, site_env, start_gunicorn, start_redis, stop, wrk  # noqa: E402

LUA = """
local events = {}
for line in io.lines(os.getenv("BENCH_EVENTS")) do
  local signature, body = line:match("^([^\\t]*)\\t(.*)$")
  events[#events + 1] = {signature, body}
end
local i = 0
request = function()
  i = i + 1
  local event = events[(i - 1) % #events + 1]
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Stripe-Signature"] = event[1],
    ["X-Forwarded-Proto"] = "https",
  }, event[2])
end
"""


def signed_events(path, count, tag, secret):
    """A file of `signature<TAB>payload` lines: checkout.session.completed events shaped like Stripe's."""
    now = int(time.time())
    with open(path, "w") as handle:
        for i in range(count):
            session = {
                "id": f"cs_test_bench_{tag}_{i}",
                "object": "checkout.session",
                "amount_total": 2500,
                "currency": "usd",
                "client_reference_id": str(100000 + i),
                "customer_details": {"email": f"donor-{i}@example.org", "name": f"Donor {i}"},
                "mode": "payment",
                "payment_intent": f"pi_bench_{tag}_{i}",
                "payment_status": "paid",
                "status": "complete",
                "metadata": {},
            }
            event = {
                "id": f"evt_bench_{tag}_{i}",
                "object": "event",
                "api_version": "2025-03-31.basil",
                "created": now,
                "livemode": False,
                "type": "checkout.session.completed",
                "data": {"object": session},
            }
            payload = json.dumps(event, separators=(",", ":"))
            mac = hmac.new(secret.encode(), f"{now}.{payload}".encode(), hashlib.sha256).hexdigest()
            handle.write(f"t={now},v1={mac}\t{payload}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench"),
    )
    parser.add_argument("--recreate", action="store_true", help="allow dropping a database whose name lacks 'bench'")
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run (migrate it only)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--events", type=int, default=20000, help="distinct events per round (each sent twice)")
    parser.add_argument("--port", type=int, default=8180)
    parser.add_argument("--redis-port", type=int, default=6393)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers (finally below) when killed
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed (apt-get install wrk)")
    name = urlsplit(args.database_url).path.lstrip("/")
    if "bench" not in name and not args.recreate:
        raise SystemExit(f"refusing to drop database {name!r}: pass --recreate, or a name containing 'bench'")

    workdir = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    env = site_env(args, workdir)
    script, events = workdir / "post.lua", workdir / "events.tsv"
    script.write_text(LUA)
    os.environ["BENCH_EVENTS"] = str(events)
    redis = site = bare = None
    samples = {"ours": [], "bare": []}
    try:
        redis = start_redis(args.redis_port, workdir)
        print(f"Database {name}: {'reusing' if args.reuse else 'recreating'}, migrating…", flush=True)
        if not args.reuse:
            recreate_database(args.database_url)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0", "--noinput"], env=env, cwd=ROOT, check=True)
        site = start_gunicorn("portal.wsgi:application", args.port, env)
        bare = start_gunicorn(
            "bench.baseline.wsgi:application", args.port + 1, {**env, "DJANGO_SETTINGS_MODULE": BASELINE_SETTINGS}
        )
        targets = {
            "ours": f"http://127.0.0.1:{args.port}/stripe/webhook/",
            "bare": f"http://127.0.0.1:{args.port + 1}/post/",
        }
        for url in targets.values():
            deadline = time.time() + 60
            while (
                subprocess.run(["curl", "-s", "-o", "/dev/null", "-X", "POST", url]).returncode
                and time.time() < deadline
            ):
                time.sleep(0.3)
        secret = env["STRIPE_WEBHOOK_SECRET"]
        signed_events(events, 500, "warm", secret)
        for url in targets.values():
            wrk(url, 2, args.connections, body_file=script)
        for round_number in range(args.rounds):
            signed_events(events, args.events, f"r{round_number}", secret)
            order = ("ours", "bare") if round_number % 2 == 0 else ("bare", "ours")
            for target in order:
                samples[target].append(wrk(targets[target], args.duration, args.connections, body_file=script))
            print(f"round {round_number + 1}/{args.rounds} done", flush=True)
        count = (
            subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "shell",
                    "-c",
                    "from fund.donations.models import StripeEvent; print(StripeEvent.objects.count())",
                ],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1:]
        )  # the last line: the shell may print a banner first
    finally:
        for process in (site, bare, redis):
            stop(process)
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"\nwrk, {args.connections} connections, {args.rounds} interleaved rounds of {args.duration}s; gunicorn 2 sync "
        "workers each; production settings, PostgreSQL + Redis; each event delivered twice\n"
    )
    for round_number, (ours, bare_) in enumerate(zip(samples["ours"], samples["bare"], strict=True), 1):
        print(
            f"  round {round_number}: webhook {ours[0]:7.0f} req/s (p99 {ours[1]:.1f} ms, {ours[2]} errors), "
            f"bare POST {bare_[0]:7.0f} req/s (p99 {bare_[1]:.1f} ms, {bare_[2]} errors), ratio {ours[0] / bare_[0]:.2f}"
        )
    ratio = statistics.median(o[0] / b[0] for o, b in zip(samples["ours"], samples["bare"], strict=True))
    print(f"\nmedian ratio {ratio:.2f} (target >= 0.50); events stored: {''.join(count) or '?'}")


if __name__ == "__main__":
    main()
