#!/usr/bin/env python3
"""`make quality`: Lighthouse and the Nu HTML checker (vnu) on the demo's pages, failing on any shortfall.

Builds a throwaway site: a fresh SQLite database in a temporary directory, migrated and filled by `seed_demo` (the
development settings, which allow the demo), served by `runserver` on a free port. Then:

- Lighthouse (pinned in tools/package.json, Debian's Chromium) scores accessibility and best practices on the home page,
  a campaign, a call for proposals, the impact page and /donate/, with its default mobile emulation and with its desktop
  preset: every score must be 100; the failing audits are printed otherwise.
- vnu checks the HTML of those pages, of the other public indexes, the login, sign-up and eligibility pages, and of
  the signed-in ones (the applicant dashboard, every step of each draft form and its check page, a reviewer's scoring
  page, the donor portal): any error fails (warnings are printed, not counted).

Signed-in pages are fetched with a session made for the demo user in this process (Django's test client `force_login`,
on the same database): this script only ever runs against its own throwaway development database.

Tools: `npm ci --prefix tools` (lighthouse, vnu-jar), Java for vnu, Chromium (`CHROME_PATH`, default /usr/bin/chromium).

    .venv/bin/python scripts/quality_pages.py              # everything, exit 1 on any failure
    .venv/bin/python scripts/quality_pages.py --keep DIR   # reuse (or create) the seeded site in DIR: faster reruns
    .venv/bin/python scripts/quality_pages.py --only vnu   # or --only lighthouse
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools" / "node_modules"
LIGHTHOUSE = TOOLS / "lighthouse" / "cli" / "index.js"
VNU_JAR = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
CATEGORIES = ("accessibility", "best-practices")
# The flags the browser tests use (tests/e2e/conftest.py), headless.
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SETTINGS = "portal.settings.dev"


def log(message):
    print(message, flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_env(var_dir, port):
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL", "STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS,
        VAR_DIR=str(var_dir),
        SITE_URL=f"http://127.0.0.1:{port}",
        EMAIL_FILE_PATH=str(Path(var_dir) / "mail"),
        PYTHONUNBUFFERED="1",
    )
    return env


def prepare_site(var_dir, env):
    if (Path(var_dir) / "db.sqlite3").exists() and (Path(var_dir) / ".seeded").exists():
        log(f"Reusing the seeded demo in {var_dir}")
        return
    log(f"Migrating and seeding the demo in {var_dir} (about a minute)")
    started = time.monotonic()
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "seed_demo", "--quiet-logins"], cwd=ROOT, env=env, check=True)
    (Path(var_dir) / ".seeded").touch()
    log(f"  seeded in {time.monotonic() - started:.0f}s")


def start_server(env, port, var_dir):
    out = open(Path(var_dir) / "server.log", "ab")  # noqa: SIM115 (closed with the process)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"The site did not start: see {var_dir}/server.log")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"The site did not answer within 60 s: see {var_dir}/server.log")


def pages_and_sessions():
    """The pages to check, from the seeded demo: (name, path, session cookie or None, run Lighthouse?)."""
    # Django is configured here, once the environment points at the throwaway site: the imports cannot be at the top.
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from cms.models import (
        CampaignIndexPage,
        CampaignPage,
        FundingIndexPage,
        FundingRoundPage,
        GrantsDirectoryPage,
        ImpactPage,
        StoryIndexPage,
    )
    from fund.donations.models import Donation
    from grants.models import Application
    from grants.review.models import Assignment
    from grants.selectors import steps_for

    def cookie_for(user):
        client = Client()
        client.force_login(user)
        return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    campaign = CampaignPage.objects.live().first()
    funding_round = FundingRoundPage.objects.live().first()
    impact = ImpactPage.objects.live().first()
    public = [
        ("home", "/"),
        ("campaign", campaign.url),
        ("call-for-proposals", funding_round.url),
        ("impact", impact.url),
        ("donate", "/donate/"),
    ]
    # Every step of each draft (one per round's form); an assignment whose reviewer declared no conflict (open ones
    # first); a donor with an account.
    drafts = (
        Application.objects.filter(status=Application.Status.DRAFT).select_related("created_by", "round").order_by("pk")
    )
    assignment = (
        Assignment.objects.filter(conflict_declaration__has_conflict=False)
        .select_related("member__user")
        .order_by("review__status", "pk")
        .first()
    )
    donation = Donation.objects.select_related("donor__user").filter(donor__user__isnull=False).first()
    applicant = drafts[0].created_by
    signed_in = [("applicant-dashboard", "/dashboard/", cookie_for(applicant))]
    seen_rounds = set()
    for draft in drafts:
        if draft.round_id in seen_rounds:
            continue
        seen_rounds.add(draft.round_id)
        cookie = cookie_for(draft.created_by)
        for number in range(len(steps_for(draft))):
            signed_in.append(
                (f"application-{draft.pk}-step-{number}", f"/applications/{draft.pk}/step/{number}/", cookie)
            )
    signed_in += [
        ("application-check", f"/applications/{drafts[0].pk}/submit/", cookie_for(drafts[0].created_by)),
        ("scoring", f"/reviews/{assignment.pk}/", cookie_for(assignment.member.user)),
        ("donor-portal", "/donor/", cookie_for(donation.donor.user)),
    ]
    # More pages through vnu only: the other public indexes, signing in and up, the eligibility check.
    more_public = [
        ("campaigns", CampaignIndexPage.objects.live().first().url),
        ("stories", StoryIndexPage.objects.live().first().url),
        ("funding", FundingIndexPage.objects.live().first().url),
        ("grants-directory", GrantsDirectoryPage.objects.live().first().url),
        ("eligibility", f"/apply/{drafts[0].round.slug}/"),
        ("login", "/accounts/login/"),
        ("signup", "/accounts/signup/"),
    ]
    return (
        [(name, path, None, True) for name, path in public]
        + [(name, path, None, False) for name, path in more_public]
        + [(name, path, cookie, False) for name, path, cookie in signed_in]
    )


def fetch(url, cookie, destination):
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=60) as response:
        final = response.geturl()
        body = response.read()
    if final.split("?")[0] != url.split("?")[0]:
        raise RuntimeError(f"{url} redirected to {final}")
    destination.write_bytes(body)


def vnu_summary(messages, files):
    """(errors, lines to print) for vnu's JSON messages: errors and fatal errors count, warnings are only shown."""
    failures = 0
    lines = []
    for file in files:
        mine = [m for m in messages if m.get("url", "").endswith("/" + file.name)]
        errors = [m for m in mine if m["type"] == "error" or m.get("subType") == "fatal"]
        warnings = [m for m in mine if m["type"] == "info" and m.get("subType") == "warning"]
        status = "ok" if not errors else f"{len(errors)} error(s)"
        lines.append(f"  vnu {file.stem}: {status}, {len(warnings)} warning(s)")
        for message in errors + warnings:
            kind = "ERROR" if message in errors else "warning"
            lines.append(f"    {kind} line {message.get('lastLine', '?')}: {message['message']}")
            if message.get("extract"):
                lines.append(f"      {message['extract'].strip()[:160]}")
        failures += len(errors)
    return failures, lines


def run_vnu(files):
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
    )
    failures, lines = vnu_summary(json.loads(result.stderr or result.stdout)["messages"], files)
    log("\n".join(lines))
    return failures


def lighthouse_summary(label, data):
    """(failures, lines to print) for a Lighthouse JSON report: each category under 100 fails, with its audits."""
    if data.get("runtimeError"):
        return 1, [f"  lighthouse {label}: {data['runtimeError']}"]
    failures = 0
    scores = []
    for key in CATEGORIES:
        score = round((data["categories"][key]["score"] or 0) * 100)
        scores.append(f"{key} {score}")
        failures += score != 100
    lines = [f"  lighthouse {label}: {', '.join(scores)}"]
    for key in CATEGORIES:
        for ref in data["categories"][key]["auditRefs"]:
            audit = data["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                lines.append(f"    FAILED {key}/{audit['id']}: {audit['title']}")
                for item in (audit.get("details") or {}).get("items", [])[:8]:
                    node = item.get("node") or {}
                    detail = node.get("snippet") or item.get("description") or item.get("source") or item
                    lines.append(f"      {str(detail)[:200]}")
    return failures, lines


def run_lighthouse(name, url, out_dir, preset):
    report = out_dir / f"{name}-{preset}.json"
    command = [
        "node",
        str(LIGHTHOUSE),
        url,
        "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        f"--output-path={report}",
        f"--chrome-flags={' '.join(CHROME_FLAGS)}",
        "--max-wait-for-load=30000",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    env = dict(os.environ, CHROME_PATH=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    label = f"{name} ({preset})"
    if result.returncode or not report.exists():
        return 1, [f"  lighthouse {label}: did not run", result.stdout[-2000:] + result.stderr[-2000:]]
    return lighthouse_summary(label, json.loads(report.read_text()))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", metavar="DIR", help="use DIR for the demo database and reports (kept; reused)")
    parser.add_argument("--only", choices=("lighthouse", "vnu"), help="run one tool only")
    parser.add_argument("--no-desktop", action="store_true", help="Lighthouse's mobile emulation only")
    parser.add_argument("--jobs", type=int, default=3, help="Lighthouse runs at once (default 3)")
    args = parser.parse_args()

    missing = [str(p) for p in (LIGHTHOUSE, VNU_JAR) if not p.exists()]
    if missing:
        raise SystemExit(f"Missing {', '.join(missing)}: run `npm ci --prefix tools` first")
    if not shutil.which("java"):
        raise SystemExit("vnu needs Java: apt-get install default-jre-headless")

    var_dir = Path(args.keep).resolve() if args.keep else Path(tempfile.mkdtemp(prefix="portal-quality-"))
    var_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = site_env(var_dir, port)
    prepare_site(var_dir, env)
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "VAR_DIR", "SITE_URL", "EMAIL_FILE_PATH")})
    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    pages = pages_and_sessions()
    base = f"http://127.0.0.1:{port}"
    server = start_server(env, port, var_dir)
    failures = 0
    try:
        html_dir = var_dir / "html"
        reports = var_dir / "lighthouse"
        html_dir.mkdir(exist_ok=True)
        reports.mkdir(exist_ok=True)
        if args.only != "lighthouse":
            log("Nu HTML checker (vnu): errors fail, warnings are shown")
            files = []
            for name, path, cookie, _lh in pages:
                destination = html_dir / f"{name}.html"
                try:
                    fetch(base + path, cookie, destination)
                except (urllib.error.URLError, RuntimeError) as error:
                    log(f"  {name} {path}: could not fetch: {error}")
                    failures += 1
                    continue
                files.append(destination)
            failures += run_vnu(files)
        if args.only != "vnu":
            log("Lighthouse: accessibility and best practices must be 100")
            presets = ["mobile"] if args.no_desktop else ["mobile", "desktop"]
            runs = [(name, base + path, preset) for name, path, _c, lh in pages if lh for preset in presets]
            # Each run is mostly waiting (page load, network and CPU quiet): a few at once keep CI short.
            with ThreadPoolExecutor(max_workers=args.jobs) as pool:
                futures = [pool.submit(run_lighthouse, name, url, reports, preset) for name, url, preset in runs]
                for future in futures:
                    run_failures, lines = future.result()
                    failures += run_failures
                    log("\n".join(lines))
    finally:
        server.terminate()
        server.wait(timeout=10)
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)
    if failures:
        log(f"Quality checks FAILED ({failures} failure(s))")
        return 1
    log("Quality checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
