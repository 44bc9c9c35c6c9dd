#!/usr/bin/env python3
"""Deadline surge: N applicants, already signed in with complete drafts open, all submit within WINDOW seconds.

    .venv/bin/python bench/surge.py                 # 500 applicants within 60 s (the target in issue 18)
    .venv/bin/python bench/surge.py -n 100 --window 15 --keep

Production-like, on loopback only: its OWN PostgreSQL cluster (initdb in a temporary folder, port 5452) and Redis (port
6402), production settings (TLS assumed terminated by a proxy, as in scripts/chaos.py), two gunicorn servers with two
sync workers each. Setup (untimed): migrate, a round with a published form, N users with the real password hasher (the
hash computed once and shared), their organisations and complete drafts made through the services
(applicants.services.organisation_create, grants.services.application_start / application_save_draft), and one
signed-in session each. Sign-in cost is measured on its own: the real hasher in-process and full sign-ins over HTTP.

The load runs in a SEPARATE process (this file with --client): each applicant arrives at its own moment spread evenly
over the window, fetches the submit page (its CSRF token) and POSTs it, alternating between the two servers. No task
worker runs meanwhile; afterwards one `manage.py run_worker` starts and the bench times how long it takes to render and
send every confirmation email with its PDF copy (file email backend: the messages are counted on disk).

Prints errors (target 0), p50/p95/max submit latency (target p95 < 2 s), worker drain time and emails/PDFs (== N).
Exits non-zero when a target is missed.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import chaos  # noqa: E402 - the drill's own PostgreSQL/Redis/process/HTTP helpers, on other ports

PY = sys.executable
chaos.PG_PORT = int(os.environ.get("SURGE_PG_PORT", "5452"))
chaos.REDIS_PORT = int(os.environ.get("SURGE_REDIS_PORT", "6402"))
WEB_PORTS = [8391, 8392]
PASSWORD = "surge-password-2026"
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def log(message):
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))] if ordered else float("nan")


def client_ip(i):
    return f"198.51.100.{i % 250 + 1}" if i < 250 else f"203.0.113.{i % 250 + 1}"


# --- Setup, in this process, against the bench's own database ------------------------------------------------------


def setup_applicants(n):
    """Users, organisations and complete drafts through the services; one session each. Returns the jobs for the
    client and the in-process cost of the real password hasher."""
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import check_password, make_password
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from django.urls import reverse

    from applicants.models import Organisation
    from applicants.services import organisation_create
    from grants.services import application_save_draft, application_start
    from tests.factories.cms import make_site
    from tests.factories.grants_extra import COMPLETE_ANSWERS, round_with_form

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    site = make_site()
    funding_round = round_with_form(fund=site["fund"], reference_prefix="SRG", slug="surge", title="Surge round")

    started = time.perf_counter()
    hashed = make_password(PASSWORD)
    hash_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    assert check_password(PASSWORD, hashed)
    check_ms = (time.perf_counter() - started) * 1000

    user_model = get_user_model()
    jobs = []
    for i in range(n):
        user = user_model(email=f"applicant{i}@surge.example", first_name="Surge", last_name=f"Applicant {i}")
        user.password = hashed  # the real hasher's hash, computed once: N hashes would only slow the setup
        user.save()
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        organisation = organisation_create(
            by=user,
            legal_name=f"Surge Community Group {i}",
            org_type=Organisation.Type.NONPROFIT_CORPORATION,
            country="US",
            registration_number="12-3456789",
            city="Millbrook",
            annual_budget=120000,
            publicly_named=True,
        )
        application = application_start(funding_round=funding_round, organisation=organisation, by=user)
        application_save_draft(
            application=application,
            by=user,
            answers=dict(COMPLETE_ANSWERS),
            basics={"title": f"Night outreach {i}", "summary": "Kits and peers.", "requested_amount": "25000.00"},
        )
        browser = Client()
        browser.force_login(user)
        jobs.append(
            {
                "port": WEB_PORTS[i % len(WEB_PORTS)],
                "ip": client_ip(i),
                "cookies": {settings.SESSION_COOKIE_NAME: browser.cookies[settings.SESSION_COOKIE_NAME].value},
                "path": reverse("grants:application_review", args=[application.pk]),
            }
        )
    connections.close_all()
    return jobs, hash_ms, check_ms


def reuse_applicants(base: Path):
    """The jobs of a kept run (sessions live in its database), if none of its applications was submitted yet."""
    import django

    django.setup()
    from django.contrib.auth.hashers import check_password, make_password
    from django.db import connections
    from django_tasks_db.models import DBTaskResult

    from grants.models import Application, ApplicationSubmission

    # Put the applications of the last run back to complete drafts (their history rows stay; references go on from
    # where the counter is), empty the queue and the outbox.
    applications = Application.objects.filter(round__slug="surge")
    ApplicationSubmission.objects.filter(application__in=applications).delete()
    applications.update(status=Application.Status.DRAFT, reference=None, submitted_at=None)
    DBTaskResult.objects.all().delete()
    for path in (base / "mail").iterdir():
        path.unlink()
    started = time.perf_counter()
    hashed = make_password(PASSWORD)
    hash_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    check_password(PASSWORD, hashed)
    check_ms = (time.perf_counter() - started) * 1000
    connections.close_all()
    jobs = json.loads((base / "jobs.json").read_text())
    for job in jobs:  # (runs kept before the submit path came from reverse())
        job["path"] = re.sub(r"^/grants/applications/", "/applications/", job["path"])
    return jobs, hash_ms, check_ms


def sign_in_cost(count):
    """Full sign-ins over HTTP (login page, then the POST that checks the password with the real hasher)."""
    times = []
    for i in range(count):
        browser = chaos.Browser(WEB_PORTS[i % len(WEB_PORTS)], client_ip(i))
        chaos.PASSWORD = PASSWORD
        started = time.perf_counter()
        status = browser.sign_in(f"applicant{i}@surge.example")
        times.append(time.perf_counter() - started)
        assert status == 302, f"sign-in answered {status}"
    return times


def cpu_seconds(roots, marker: str) -> dict:
    """CPU time (user + system, with reaped children's) used so far by the servers (the given pids and their children)
    and by the bench's own PostgreSQL (the process whose command line names `marker`, and its backends): a measure the
    machine's load does not skew."""
    tick = os.sysconf("SC_CLK_TCK")
    children, cpu, pg_roots = {}, {}, []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)
        cpu[pid] = sum(int(v) for v in fields[11:15]) / tick
        if cmdline.startswith(b"/") and b"postgres" in cmdline and marker.encode() in cmdline:
            pg_roots.append(pid)

    def tree(pids):
        total, pending = 0.0, list(pids)
        while pending:
            pid = pending.pop()
            total += cpu.get(pid, 0.0)
            pending.extend(children.get(pid, []))
        return total

    return {"web": tree(roots), "postgres": tree(pg_roots)}


# --- The load, in its own process ---------------------------------------------------------------------------------


def submit(job, at, t0):
    delay = t0 + at - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    browser = chaos.Browser(job["port"], job["ip"])
    browser.jar.update(job["cookies"])
    started = time.monotonic()
    try:
        status, body = browser.go("GET", job["path"])
        if status != 200:
            return {"error": f"GET {status}", "late": started - t0 - at}
        match = CSRF_FIELD.search(body)
        if not match:
            return {"error": "no CSRF token on the submit page", "late": started - t0 - at}
        page = time.monotonic() - started
        posted = time.monotonic()
        status, _ = browser.go("POST", job["path"], {"csrfmiddlewaretoken": match.group(1).decode()})
        done = time.monotonic()
        if status != 302:
            return {"error": f"POST {status}", "late": started - t0 - at}
        return {"page": page, "submit": done - posted, "total": done - started, "late": started - t0 - at}
    except OSError as exc:
        return {"error": f"{type(exc).__name__}: {exc}", "late": started - t0 - at}


def run_client(jobs_file, out_file, window, concurrency):
    jobs = json.loads(Path(jobs_file).read_text())
    spacing = window / max(1, len(jobs))
    t0 = time.monotonic() + 1
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(lambda pair: submit(pair[1], pair[0] * spacing, t0), enumerate(jobs)))
    Path(out_file).write_text(json.dumps({"results": results, "elapsed": time.monotonic() - t0}))


# --- After: the worker drains the queue ---------------------------------------------------------------------------


def queue_counts():
    from django.db import connections
    from django_tasks_db.models import DBTaskResult

    counts = {
        "waiting": DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count(),
        "failed": DBTaskResult.objects.filter(status="FAILED").count(),
    }
    connections.close_all()
    return counts


def submitted_count():
    from django.db import connections

    from grants.models import ApplicationSubmission

    count = ApplicationSubmission.objects.filter(application__round__slug="surge").count()
    connections.close_all()
    return count


def mail_counts(folder: Path):
    emails = pdfs = 0
    for path in folder.iterdir():
        text = path.read_bytes()
        emails += len(re.findall(rb"^Subject: ", text, flags=re.M))
        pdfs += len(re.findall(rb"^Content-Type: application/pdf\n?", text, flags=re.M))
    return emails, pdfs


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=500, help="Applicants (default 500).")
    parser.add_argument("--window", type=float, default=60.0, help="Seconds over which they arrive (default 60).")
    parser.add_argument("--concurrency", type=int, default=100, help="Client threads (default 100).")
    parser.add_argument("--sign-ins", type=int, default=10, help="Full HTTP sign-ins to time (default 10).")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder (logs, mail) afterwards.")
    parser.add_argument(
        "--reuse",
        metavar="DIR",
        help="Time again on a folder kept by --keep (its cluster, users and sessions; drafts restored).",
    )
    parser.add_argument("--client", nargs=2, metavar=("JOBS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        return run_client(*args.client, args.window, args.concurrency)

    base = Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="surge-"))
    if args.reuse:
        pg = chaos.Postgres.__new__(chaos.Postgres)  # the kept cluster: no initdb
        pg.data, pg.socket_dir = base / "pg", base / "pgsock"
        pg.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    else:
        (base / "mail").mkdir()
        pg = chaos.Postgres(base)
    redis = chaos.Redis(base)
    env = chaos.production_env(base, "http://127.0.0.1:9/")
    env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{chaos.PG_PORT}/surge"
    os.environ.update(env)
    procs = []
    try:
        log(f"Own PostgreSQL on {chaos.PG_PORT}, own Redis on {chaos.REDIS_PORT}, in {base}")
        if args.reuse:
            pg.start()
            redis.start()
            # The code may have moved on since the folder was kept: bring its database up to the code's migrations.
            subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env=env, check=True)
            jobs, hash_ms, check_ms = reuse_applicants(base)
        else:
            pg.init()
            pg.start()
            subprocess.run(
                ["createdb", "-h", "127.0.0.1", "-p", str(chaos.PG_PORT), "-U", "postgres", "surge"], check=True
            )
            redis.start()
            log(f"Migrating; {args.n} applicants with complete drafts and a session each ...")
            started = time.monotonic()
            jobs, hash_ms, check_ms = setup_applicants(args.n)
            log(f"Setup took {time.monotonic() - started:.0f} s")
        for i, port in enumerate(WEB_PORTS):
            server = [PY, "-m", "gunicorn", "portal.wsgi:application", "-c", "bench/gunicorn.conf.py"]
            procs.append(
                chaos.spawn(f"web{i + 1}", [*server, "--bind", f"127.0.0.1:{port}", "--workers", "2"], env, base)
            )
        for port in WEB_PORTS:
            for _ in range(120):
                try:
                    if chaos.request(port, "GET", "/healthz", headers={"X-Forwarded-Proto": "http"})[0] == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.5)
        sign_ins = sign_in_cost(args.sign_ins)
        jobs_file, out_file = base / "jobs.json", base / "results.json"
        jobs_file.write_text(json.dumps(jobs))
        servers = [p.pid for p in procs]
        cpu_before = cpu_seconds(servers, str(base / "pg"))
        log(f"{args.n} submits within {args.window:.0f} s from a separate client process ...")
        client = [PY, __file__, "--client", str(jobs_file), str(out_file)]
        subprocess.run([*client, "--window", str(args.window), "--concurrency", str(args.concurrency)], check=True)
        load = json.loads(out_file.read_text())
        results = load["results"]
        cpu_after = cpu_seconds(servers, str(base / "pg"))
        web_ms = (cpu_after["web"] - cpu_before["web"]) * 1000 / args.n
        pg_ms = (cpu_after["postgres"] - cpu_before["postgres"]) * 1000 / args.n
        queued = queue_counts()
        submitted = submitted_count()

        log(f"Load over ({load['elapsed']:.1f} s); starting one task worker ...")
        drain_started = time.monotonic()
        worker = chaos.spawn("worker", [PY, "manage.py", "run_worker", "--interval", "0.2"], env, base)
        procs.append(worker)
        counts = queue_counts()
        while counts["waiting"] and time.monotonic() - drain_started < 900 and worker.poll() is None:
            time.sleep(1)
            counts = queue_counts()
        drained = time.monotonic() - drain_started
        emails, pdfs = mail_counts(base / "mail")

        errors = [r["error"] for r in results if "error" in r]
        submits = [r["submit"] for r in results if "submit" in r]
        totals = [r["total"] for r in results if "total" in r]
        late = [r["late"] for r in results]
        p95 = percentile(submits, 0.95)
        report = {
            "applicants": args.n,
            "window (s)": args.window,
            "load elapsed (s)": round(load["elapsed"], 1),
            "errors": len(errors),
            "submitted": submitted,
            "submit POST p50 / p95 / max (s)": [
                round(percentile(submits, 0.5), 3),
                round(p95, 3),
                round(max(submits, default=float("nan")), 3),
            ],
            "page + submit p95 (s)": round(percentile(totals, 0.95), 3),
            "client start lateness max (s)": round(max(late, default=0), 2),
            "CPU per applicant, web / PostgreSQL (ms)": [round(web_ms, 1), round(pg_ms, 1)],
            "submits/s two idle cores could serve": round(2000 / (web_ms + pg_ms), 1) if web_ms + pg_ms else None,
            "tasks queued by the load": queued["waiting"],
            "worker drain (s)": round(drained, 1),
            "tasks left / failed": [counts["waiting"], counts["failed"]],
            "emails / PDFs": [emails, pdfs],
            "password hash / check in-process (ms)": [round(hash_ms, 1), round(check_ms, 1)],
            "full sign-in over HTTP p50 / max (s)": [
                round(statistics.median(sign_ins), 3) if sign_ins else None,
                round(max(sign_ins, default=0), 3),
            ],
        }
        width = max(len(k) for k in report)
        print()
        for key, value in report.items():
            print(f"{key:<{width}}  {value}")
        for error in sorted(set(errors))[:10]:
            print(f"  error: {error} ({errors.count(error)}x)")
        ok = not errors and p95 < 2 and submitted == emails == pdfs == args.n and not counts["waiting"]
        print("\nSURGE", "OK" if ok else "MISSED A TARGET")
        return 0 if ok else 1
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        redis.kill()
        pg.stop("immediate")
        if args.keep:
            log(f"Kept {base}")
        else:
            subprocess.run(["rm", "-rf", str(base)], check=False)


if __name__ == "__main__":
    threading.stack_size(512 * 1024)
    sys.exit(main())
