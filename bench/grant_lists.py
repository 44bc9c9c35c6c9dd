"""Benchmark the grant-side staff lists at two data sizes, rounds interleaved (issue 18).

Each size lives in its own child process with its own throwaway test database (created and dropped), so the small and
the large data set are measured in alternation, round after round, under the same machine load:

- ranking: the review ranking of a round (page 1, mean score) and its last page,
- search by organisation name and search by reference (the staff application list's search box),
- page 1 of the staff application list, and its last page reached the way the list links to it,
- the staff work queue (the Wagtail admin home for program staff).

Per list: queries (asserted equal at both sizes), median server time over the rounds (Django test client, in-process,
1 warm-up), the ratio large/small and PASS/FAIL against the target (ratio <= 1.3x, same query count).

    .venv/bin/python bench/grant_lists.py                      # 200 and 20,000 applications
    .venv/bin/python bench/grant_lists.py --sizes 200 2000 --rounds 5
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_grantlists_bench .venv/bin/python bench/grant_lists.py

On PostgreSQL the children's databases are test_<name>_<size> (e.g. test_portal_grantlists_bench_20000); --keep
leaves them in place afterwards (for EXPLAIN ANALYZE; drop them yourself).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

TARGET = 1.3
LISTS = [
    "ranking",
    "ranking_last",
    "search_org",
    "search_ref",
    "list_page1",
    "list_last",
    "work_queue",
]


# --- child: one data size -------------------------------------------------------------------------------------------


def _user(email, *roles_):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth.models import Group

    from portal.models import User

    user = User.objects.create(email=email, first_name="Bench", last_name="User")
    for role in roles_:
        user.groups.add(Group.objects.get(name=role))
    TOTP.activate(user, generate_totp_secret())  # staff and reviewers need MFA to pass the middleware
    return user


def build(n):
    """A round in review with n applications × 3 submitted reviews (ranked), their statuses spread over the grant
    cycle, organisations with names, operating names and registration numbers to search."""
    from django.db import connection
    from django.utils import timezone

    from applicants.models import Organisation
    from fund.models import Fund
    from grants.models import Application, FundingRound
    from grants.review.models import Panel, PanelMember, Rubric
    from portal import roles
    from tests.factories.review import bulk_reviewed_applications

    fund = Fund.objects.create(name="Bench fund", slug="bench-lists", currency="USD")
    funding_round = FundingRound.objects.create(
        fund=fund,
        title="Bench round",
        slug="bench-lists-round",
        budget=Decimal("1000000"),
        max_request=Decimal("50000"),
        opens_at=timezone.now() - timezone.timedelta(days=30),
        status="review",
        reference_prefix="BGL",
    )
    panel = Panel.objects.create(round=funding_round, name="Bench panel")
    Rubric.objects.create(round=funding_round, title="Bench rubric")
    kinds = [PanelMember.Kind.STAFF, PanelMember.Kind.COMMUNITY, PanelMember.Kind.EXTERNAL]
    members = [
        PanelMember.objects.create(
            panel=panel, user=_user(f"bench-rev-{k}@example.org", roles.REVIEWER), kind=kinds[k % 3]
        )
        for k in range(9)
    ]
    apps = bulk_reviewed_applications(funding_round, n, members=members)
    # Spread statuses and submission times as a real round has them; give the organisations searchable names.
    S = Application.Status
    cycle = [S.IN_REVIEW, S.IN_REVIEW, S.SUBMITTED, S.APPROVED, S.DECLINED, S.WAITLISTED, S.MORE_INFO]
    now = timezone.now()
    for i, a in enumerate(apps):
        a.status = cycle[i % len(cycle)]
        a.submitted_at = now - timezone.timedelta(minutes=i)
    Application.objects.bulk_update(apps, ["status", "submitted_at"], batch_size=2000)
    orgs = list(Organisation.objects.filter(applications__round=funding_round).order_by("pk"))
    words = ["Harbour", "Mutual", "Aid", "Tenants", "Youth", "Kitchen", "Recovery", "Garden", "Elders", "Cycle"]
    for i, org in enumerate(orgs):
        org.legal_name = f"{words[i % 10]} {words[(i // 10) % 10]} Society {i}"
        org.operating_name = f"{words[(i // 100) % 10]} Collective {i}" if i % 3 == 0 else ""
        org.registration_number = f"RN{i:07d}"
    Organisation.objects.bulk_update(orgs, ["legal_name", "operating_name", "registration_number"], batch_size=2000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics, as a live database has them (autovacuum may lag)
    staff = _user("bench-staff@example.org", roles.PROGRAM_STAFF)
    middle = apps[n // 2]
    middle.refresh_from_db()
    return funding_round, staff, middle


def child(n, keep=False):
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    if connection.vendor == "postgresql":
        connection.settings_dict["TEST"]["NAME"] = f"test_{connection.settings_dict['NAME']}_{n}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from tests.conftest import ensure_baseline_data

        ensure_baseline_data()
        started = time.perf_counter()
        funding_round, staff, middle = build(n)
        build_seconds = time.perf_counter() - started
        client = Client()
        client.force_login(staff)
        ranking = reverse("review_admin:ranking", args=[funding_round.pk])
        listing = reverse("grants_admin:application_list")
        urls = {
            "ranking": f"{ranking}?sort=raw",
            "ranking_last": last_page_url(client, f"{ranking}?sort=raw"),
            "search_org": f"{listing}?q={middle.organisation.legal_name.replace(' ', '+')}",
            "search_ref": f"{listing}?q={middle.reference}",
            "list_page1": listing,
            "list_last": last_page_url(client, listing),
            "work_queue": reverse("wagtailadmin_home"),
        }
        for url in urls.values():
            response = client.get(url)  # warm-up
            assert response.status_code == 200, (url, response.status_code)
        print(json.dumps({"ready": True, "build_seconds": build_seconds, "urls": urls}), flush=True)
        for line in sys.stdin:
            if line.strip() != "round":
                break
            result = {}
            for key, url in urls.items():
                with CaptureQueriesContext(connection) as ctx:
                    start = time.perf_counter()
                    response = client.get(url)
                    elapsed = (time.perf_counter() - start) * 1000
                assert response.status_code == 200, (url, response.status_code)
                result[key] = [len(ctx.captured_queries), elapsed]
            print(json.dumps(result), flush=True)
    finally:
        if keep:
            connection.close()
            print(f"kept database {connection.settings_dict['NAME']}", file=sys.stderr, flush=True)
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def last_page_url(client, url):
    """The URL of the list's last page as its own navigation links to it: the "Last" link if the page has one, else
    ?page=<number of pages> (Django's Paginator)."""
    import re
    from html import unescape

    response = client.get(url)
    html = response.content.decode()
    match = re.search(r'<a [^>]*href="([^"]*)"[^>]*rel="last"', html) or re.search(
        r'<a [^>]*rel="last"[^>]*href="([^"]*)"', html
    )
    path = url.split("?")[0]
    if match:
        return path + unescape(match.group(1))
    pages = re.search(r"Page \d+ of ([\d,]+)", html)
    pages = int(pages.group(1).replace(",", "")) if pages else 1
    return f"{url}{'&' if '?' in url else '?'}page={pages}"


# --- parent: interleave the sizes ------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs=2, type=int, default=[200, 20000])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument(
        "--keep", action="store_true", help="keep the children's databases (PostgreSQL) for EXPLAIN; drop them yourself"
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, keep=args.keep)

    children = {
        n: subprocess.Popen(
            [sys.executable, __file__, "--child", str(n)] + (["--keep"] if args.keep else []),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for n in args.sizes
    }
    ready = {}
    for n, proc in children.items():
        line = proc.stdout.readline()
        if not line:
            raise SystemExit(f"child {n} failed to start")
        ready[n] = json.loads(line)
    samples = {n: {key: [] for key in LISTS} for n in args.sizes}
    queries = {n: {} for n in args.sizes}  # every count seen; the usual one (the mode) is compared
    for r in range(args.rounds):
        order = args.sizes if r % 2 == 0 else list(reversed(args.sizes))
        for n in order:
            proc = children[n]
            proc.stdin.write("round\n")
            proc.stdin.flush()
            result = json.loads(proc.stdout.readline())
            for key, (q, ms) in result.items():
                samples[n][key].append(ms)
                queries[n].setdefault(key, []).append(q)
    for proc in children.values():
        proc.stdin.write("stop\n")
        proc.stdin.flush()
        proc.wait()

    from django.conf import settings

    small, large = args.sizes
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"database: {vendor}; {args.rounds} interleaved rounds after 1 warm-up; medians; in-process test client")
    for n in args.sizes:
        print(
            f"  {n} applications built in {ready[n]['build_seconds']:.1f} s; last list page: {ready[n]['urls']['list_last']}"
        )
    print(
        f"{'list':<14} | {'q ' + str(small):>8} {'ms ' + str(small):>10} | {'q ' + str(large):>8} {'ms ' + str(large):>10} | ratio  | result"
    )
    failures = 0
    for key in LISTS:
        qs, ql = queries[small][key], queries[large][key]
        ts, tl = statistics.median(samples[small][key]), statistics.median(samples[large][key])
        ratio = tl / ts
        # An occasional extra query in one round (a per-process cache refilling) is noise; the usual count must match.
        constant = statistics.mode(qs) == statistics.mode(ql)
        ok = constant and ratio <= TARGET
        failures += not ok
        print(
            f"{key:<14} | {'/'.join(map(str, sorted(set(qs)))):>8} {ts:>10.1f} | {'/'.join(map(str, sorted(set(ql)))):>8} {tl:>10.1f} "
            f"| {ratio:4.2f}x | {'PASS' if ok else 'FAIL'}{'' if constant else ' (query count differs)'}"
        )
    print(
        f"target: 20,000 within {TARGET}x of 200 and the same number of queries: {'PASS' if not failures else 'FAIL'}"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
