#!/usr/bin/env python3
"""Chaos drill: the whole production topology on loopback, a short load, PostgreSQL and Redis stopped mid-way.

    .venv/bin/python scripts/chaos.py --short     # CI: ~40 s of load, each outage 5 s (about 2-4 minutes in all)
    .venv/bin/python scripts/chaos.py             # 150 s of load, each outage 10 s

It starts its OWN PostgreSQL cluster (initdb into a temporary folder, port 5441) and its OWN Redis (port 6391), never
touching the machine's; then, with production settings (portal.settings.production, TLS assumed terminated by a proxy:
X-Forwarded-Proto/For, TRUSTED_PROXY_COUNT=1), two gunicorn servers, two task workers (run_worker), two Stripe events
consumers (stripe_process_events --loop) and one scheduler (run_scheduler), with the local fake Stripe API.

The load: signed checkout.session.completed webhooks at about 2 a second (each redelivered until acknowledged, as Stripe
does), anonymous page views, sign-ins and application autosaves. A third of the way in PostgreSQL is stopped (every
connection cut) for OUTAGE seconds; two thirds in, Redis is killed for OUTAGE seconds. Then the drill waits for the
backlog to drain and prints sent / acknowledged / recorded / lost / doubled. It exits non-zero if an acknowledged gift
was lost, anything was recorded, posted, receipted or emailed twice, or any process died.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_PORT = int(os.environ.get("CHAOS_PG_PORT", "5441"))
REDIS_PORT = int(os.environ.get("CHAOS_REDIS_PORT", "6391"))
WEB_PORTS = [8291, 8292]
PASSWORD = "chaos-password-2026"
STATS = Counter()
LOCK = threading.Lock()


def count(key, n=1):
    with LOCK:
        STATS[key] += n


def log(message):
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


# --- Our own PostgreSQL and Redis ---------------------------------------------------------------------------------


class Postgres:
    def __init__(self, base: Path):
        self.data, self.socket_dir = base / "pg", base / "pgsock"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.data.mkdir()
        self.socket_dir.mkdir()
        if self.as_user:
            shutil.chown(self.data, "postgres")
            shutil.chown(self.socket_dir, "postgres")
            shutil.chown(base, "postgres")

    def run(self, *args, check=True):
        return subprocess.run([*self.as_user, *args], check=check, capture_output=True, text=True)

    def init(self):
        self.run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self):
        options = f"-p {PG_PORT} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self.run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.data / "log"), "-w", "start"
        )

    def stop(self, mode="fast"):
        self.run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False)


class Redis:
    def __init__(self, base: Path):
        self.base, self.proc = base, None

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=open(self.base / "redis.log", "a"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        time.sleep(0.5)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


# --- The site's processes -----------------------------------------------------------------------------------------


def production_env(base: Path, stripe_url: str) -> dict:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))},
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "chaos-drill-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/chaos",
        "DB_CONN_MAX_AGE": "60",
        "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
        "TRUSTED_PROXY_COUNT": "1",
        "STRIPE_SECRET_KEY": "sk_test_chaos",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_chaos",
        "STRIPE_WEBHOOK_SECRET": "whsec_chaos",
        "STRIPE_API_BASE": stripe_url,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(base / "mail"),
        "PRIVATE_MEDIA_ROOT": str(base / "private"),
        "MEDIA_ROOT": str(base / "media"),
        "BANK_DETAILS_KEYS": "y3Jm0a9aN9dQ8oJ2dZ0Yl1o6h7bJxQ0sN2v0g2n0uXA=",
        "TASK_LEASE_SECONDS": "15",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def spawn(name, args, env, base):
    logfile = open(base / f"{name}.log", "w")  # noqa: SIM115 - closed at exit
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=logfile, stderr=subprocess.STDOUT)
    proc.name = name
    return proc


# --- HTTP as a proxy would send it --------------------------------------------------------------------------------


def request(port, method, path, *, body=None, headers=None, client_ip="198.51.100.10", timeout=15):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        all_headers = {"Host": f"127.0.0.1:{port}", "X-Forwarded-Proto": "https", "X-Forwarded-For": client_ip}
        all_headers.update(headers or {})
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def cookies_from(headers, jar):
    for name, value in headers:
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            jar[key.strip()] = val.strip()


def cookie_header(jar):
    return "; ".join(f"{k}={v}" for k, v in jar.items())


class Browser:
    """A visitor behind the load balancer, keeping its own cookies (the site's cookies are Secure)."""

    def __init__(self, port, ip):
        self.port, self.ip, self.jar = port, ip, {}

    def go(self, method, path, form=None, extra=None):
        headers = {"Cookie": cookie_header(self.jar), "Referer": f"https://127.0.0.1:{self.port}{path}"}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.jar.get("csrftoken", "")
        headers.update(extra or {})
        status, response_headers, content = request(
            self.port, method, path, body=body, headers=headers, client_ip=self.ip
        )
        cookies_from(response_headers, self.jar)
        return status, content

    def sign_in(self, email):
        self.jar.clear()
        self.go("GET", "/accounts/login/")
        status, _ = self.go(
            "POST",
            "/accounts/login/",
            {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": self.jar.get("csrftoken", "")},
        )
        return status


# --- The drill ----------------------------------------------------------------------------------------------------


def setup_data(n_gifts, fake):
    """Migrate and build: the public site, a verified applicant with a draft application, and `n_gifts` pending gifts
    whose Checkout Sessions the fake Stripe has completed (their webhooks are what the load sends)."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Group

    from fund.donations import services
    from fund.donations.models import Donation
    from grants.models import Application
    from tests.factories.applicants import MembershipFactory
    from tests.factories.cms import make_site
    from tests.factories.grants import ApplicationFactory
    from tests.factories.portal import UserFactory

    site = make_site()
    user = UserFactory(email="applicant@chaos.example")
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    user.groups.add(Group.objects.get(name="Applicant"))
    membership = MembershipFactory(user=user)
    application = ApplicationFactory(
        organisation=membership.organisation,
        round=site["open_round"],
        status=Application.Status.DRAFT,
        submitted_at=None,
        reference=None,
    )
    events = []
    for i in range(n_gifts):
        donation = services.donation_create_pending(
            fund=site["fund"],
            campaign=site["campaign"],
            gift="25.00",
            cover_fee=False,
            monthly=False,
            email=f"chaos-{i}@example.org",
            name=f"Chaos Giver {i}",
        )
        session = fake.create_session(
            {
                "mode": "payment",
                "client_reference_id": str(donation.pk),
                "line_items": [{"price_data": {"unit_amount": "2500", "currency": "usd"}, "quantity": "1"}],
            }
        )
        Donation.objects.filter(pk=donation.pk).update(stripe_checkout_session_id=session["id"])
        events.append((donation.pk, fake.event("checkout.session.completed", fake.complete_session(session["id"]))))
    from django.db import connections

    connections.close_all()
    return events, site["campaign_page"].url, user.email, application.pk


def send_webhooks(events, fake, deadline, rate, acknowledged, stop):
    """Each event once at `rate` a second, then every unacknowledged one again with backoff, like Stripe."""
    pending = {}
    interval = 1.0 / rate
    for i, (donation_id, event) in enumerate(events):
        if stop.is_set():
            break
        pending[event["id"]] = (donation_id, event, 0, 0.0)
        deliver(i, event, pending, acknowledged, fake)
        time.sleep(interval)
    while pending and time.monotonic() < deadline:
        now = time.monotonic()
        for i, (_event_id, (_donation_id, event, _tries, due)) in enumerate(list(pending.items())):
            if due <= now:
                deliver(i, event, pending, acknowledged, fake)
        time.sleep(0.5)
    return pending


def deliver(i, event, pending, acknowledged, fake):
    payload = json.dumps(event)
    port = WEB_PORTS[i % 2]
    count("deliveries")
    try:
        status, _, _ = request(
            port,
            "POST",
            "/stripe/webhook/",
            body=payload,
            headers={"Content-Type": "application/json", "Stripe-Signature": fake.sign(payload)},
            timeout=10,
        )
    except OSError:
        status = 0
    donation_id, _, tries, _ = pending[event["id"]]
    if 200 <= status < 300:
        acknowledged.add(donation_id)
        pending.pop(event["id"])
    else:
        count(f"webhook answered {status or 'no connection'}")
        pending[event["id"]] = (donation_id, event, tries + 1, time.monotonic() + min(8, 2**tries))


def visitor(path, stop, n):
    while not stop.is_set():
        for target in (path, "/", "/about/"):
            try:
                status, _, _ = request(WEB_PORTS[n % 2], "GET", target, client_ip=f"203.0.113.{n}")
            except OSError:
                status = 0
            count(f"page {status or 'no connection'}")
        stop.wait(0.2)


def signer(email, stop, n):
    while not stop.is_set():
        browser = Browser(WEB_PORTS[n % 2], f"192.0.2.{n}")
        try:
            count(f"sign-in {browser.sign_in(email)}")
        except OSError:
            count("sign-in no connection")
        stop.wait(2)


def autosaver(email, application_id, stop):
    browser = Browser(WEB_PORTS[0], "192.0.2.200")
    signed_in = False
    while not stop.is_set():
        try:
            if not signed_in:
                signed_in = browser.sign_in(email) == 302
            status, content = browser.go(
                "POST", f"/applications/{application_id}/step/0/autosave/", {"title": f"Autosaved {time.time():.0f}"}
            )
            ok = status == 200 and b'"saved": true' in content
            count("autosave saved" if ok else f"autosave {status}")
            signed_in = signed_in and status != 401
        except OSError:
            count("autosave no connection")
        stop.wait(1)


def health_probe(stop):
    while not stop.is_set():
        try:
            status, _, body = request(WEB_PORTS[0], "GET", "/healthz", headers={"X-Forwarded-Proto": "http"})
            count(f"healthz {status}")
            if status == 503:
                count("healthz 503 names " + ",".join(json.loads(body).get("unavailable", [])))
        except OSError:
            count("healthz no connection")
        stop.wait(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", action="store_true", help="CI mode: 40 s of load, 5 s outages.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder (logs, mail) afterwards.")
    args = parser.parse_args()
    load_seconds, outage = (40, 5) if args.short else (150, 10)
    rate = 2.0
    n_gifts = int(load_seconds * rate)
    started = time.monotonic()
    base = Path(tempfile.mkdtemp(prefix="chaos-"))
    (base / "mail").mkdir()
    pg, redis = Postgres(base), Redis(base)
    procs = []
    from tests.fakes.stripe_server import FakeStripe

    fake = FakeStripe(api_key="sk_test_chaos", webhook_secret="whsec_chaos").start()
    env = production_env(base, fake.url)
    os.environ.update(env)
    try:
        log(f"Own PostgreSQL on {PG_PORT}, own Redis on {REDIS_PORT}, in {base}")
        pg.init()
        pg.start()
        subprocess.run(["createdb", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "chaos"], check=True)
        redis.start()
        log(f"Migrating and preparing {n_gifts} gifts ...")
        events, campaign_path, email, application_id = setup_data(n_gifts, fake)
        manage = [PY, "manage.py"]
        for i, port in enumerate(WEB_PORTS):
            procs.append(
                spawn(
                    f"web{i + 1}",
                    [
                        PY,
                        "-m",
                        "gunicorn",
                        "portal.wsgi:application",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        "2",
                        "--threads",
                        "4",
                        "--timeout",
                        "30",
                        "--control-socket",
                        str(base / f"gunicorn{i + 1}.ctl"),
                    ],
                    env,
                    base,
                )
            )
        for i in range(2):
            procs.append(spawn(f"worker{i + 1}", [*manage, "run_worker", "--interval", "0.5"], env, base))
            procs.append(
                spawn(f"consumer{i + 1}", [*manage, "stripe_process_events", "--loop", "--interval", "0.5"], env, base)
            )
        procs.append(spawn("scheduler", [*manage, "run_scheduler", "--catch-up-every", "5"], env, base))
        for port in WEB_PORTS:
            for _ in range(120):
                try:
                    if request(port, "GET", "/healthz", headers={"X-Forwarded-Proto": "http"})[0] == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.5)
        log(f"Seven processes up; load for {load_seconds} s: webhooks at {rate}/s, page views, sign-ins, autosaves.")
        stop = threading.Event()
        acknowledged = set()
        deadline = time.monotonic() + load_seconds + 120
        threads = [threading.Thread(target=visitor, args=(campaign_path, stop, n), daemon=True) for n in range(3)]
        threads += [threading.Thread(target=signer, args=(email, stop, n), daemon=True) for n in range(2)]
        if application_id:
            threads.append(threading.Thread(target=autosaver, args=(email, application_id, stop), daemon=True))
        threads.append(threading.Thread(target=health_probe, args=(stop,), daemon=True))
        for t in threads:
            t.start()
        result = {}
        hooks = threading.Thread(
            target=lambda: result.update(
                left=send_webhooks(events, fake, deadline, rate, acknowledged, threading.Event())
            ),
            daemon=True,
        )
        hooks.start()
        time.sleep(load_seconds / 3)
        log(f"Stopping PostgreSQL for {outage} s (every connection cut).")
        pg.stop("fast")
        time.sleep(outage)
        pg.start()
        log("PostgreSQL is back.")
        time.sleep(load_seconds / 3 - outage)
        log(f"Killing Redis for {outage} s.")
        redis.kill()
        time.sleep(outage)
        redis.start()
        log("Redis is back.")
        hooks.join(timeout=load_seconds + 150)
        stop.set()
        log("Load over; waiting for the backlog to drain ...")
        report = drain_and_count(events, acknowledged, base, deadline=time.monotonic() + 180)
        dead = [p.name for p in procs if p.poll() is not None]
        for p in procs:
            p.send_signal(signal.SIGTERM)
        unclean = []
        for p in procs:
            try:
                code = p.wait(timeout=40)
            except subprocess.TimeoutExpired:
                p.kill()
                code = "killed"
            if p.name not in dead and code not in (0,):
                unclean.append(f"{p.name} exited {code}")
        report["processes that died"] = len(dead)
        print_report(report, dead, unclean, time.monotonic() - started)
        failed = report["lost"] or report["doubled"] or dead or result.get("left")
        return 1 if failed else 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        redis.kill()
        pg.stop("immediate")
        fake.stop()
        if args.keep:
            log(f"Kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


def drain_and_count(events, acknowledged, base, deadline):
    from django.db import connections
    from django.db.models import Count

    from fund.donations.models import Donation, Receipt, StripeEvent
    from fund.models import LedgerTransaction

    ours = [donation_id for donation_id, _ in events]
    while time.monotonic() < deadline:
        try:
            recorded = Donation.objects.filter(pk__in=ours, status="succeeded").count()
            emailed = Receipt.objects.filter(donation_id__in=ours, emailed_at__isnull=False).count()
            if recorded >= len(acknowledged) and emailed >= recorded:
                break
        except Exception:  # noqa: BLE001 - still reconnecting
            connections.close_all()
        time.sleep(1)
    recorded_ids = set(Donation.objects.filter(pk__in=ours, status="succeeded").values_list("pk", flat=True))
    postings = Counter(
        int(s)
        for s in LedgerTransaction.objects.filter(kind="donation", source_id__in=[str(i) for i in ours]).values_list(
            "source_id", flat=True
        )
    )
    live_receipts = Counter(
        Receipt.objects.filter(donation_id__in=ours, status="issued").values_list("donation_id", flat=True)
    )
    serials = dict(Receipt.objects.filter(donation_id__in=ours).values_list("serial", "donation_id"))
    mails = Counter()
    for path in (base / "mail").iterdir():
        for serial in re.findall(r"(?m)^Subject: .*?((?:US|CA|UK)-\d{4}-\d{6})", path.read_text(errors="replace")):
            if serial in serials:
                mails[serials[serial]] += 1
    doubled = sum(1 for c in postings.values() if c > 1) + sum(1 for c in live_receipts.values() if c > 1)
    doubled += sum(1 for c in mails.values() if c > 1)
    unreceipted = len([i for i in recorded_ids if mails[i] == 0])
    events_stats = StripeEvent.objects.aggregate(n=Count("pk"))
    return {
        "sent": len(events),
        "acknowledged": len(acknowledged),
        "recorded": len(recorded_ids),
        "lost": len(acknowledged - recorded_ids),
        "doubled": doubled,
        "receipts emailed": sum(1 for i in recorded_ids if mails[i] >= 1),
        "recorded but not yet emailed": unreceipted,
        "events stored": events_stats["n"],
    }


def print_report(report, dead, unclean, elapsed):
    print("\n==== Chaos drill ====")
    for key, value in report.items():
        print(f"{key:>30}: {value}")
    print("\n---- load ----")
    for key, value in sorted(STATS.items()):
        print(f"{key:>30}: {value}")
    if dead:
        print(f"DIED: {', '.join(dead)}")
    if unclean:
        print(f"Did not stop cleanly on SIGTERM: {', '.join(unclean)}")
    verdict = "FAIL" if report["lost"] or report["doubled"] or dead else "OK"
    print(
        f"\n{verdict}: {report['lost']} lost, {report['doubled']} doubled, {len(dead)} process(es) died ({elapsed:.0f} s)"
    )


if __name__ == "__main__":
    sys.exit(main())
