"""Benchmark the staff application listing and detail screens at two data sizes.

Builds N applications (with status history, submissions, messages and, when the review app is installed, panel reviews)
in a throwaway test database, then measures the number of queries and the median server time of the listing and the
detail screen with Django's test client (1 warm-up, 7 timed runs).

    .venv/bin/python bench/applications.py                  # 200 and 20,000 applications
    .venv/bin/python bench/applications.py --sizes 200 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/applications.py

Targets (issue 3): listing at 20,000 within 1.3x of its time at 200 and under 80 ms median; detail under 20 queries.
"""

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

RUNS = 7
BATCH = 2000


def build(n):
    from django.contrib.auth.models import Group

    from applicants.models import Neighbourhood, Organisation
    from fund.models import Fund
    from grants.models import (
        Application,
        ApplicationMessage,
        ApplicationStatusChange,
        ApplicationSubmission,
        FundingRound,
    )
    from portal.models import User

    S = Application.Status
    fund = Fund.objects.create(name="Bench fund", slug=f"bench-{n}", currency="USD")
    funding_round = FundingRound.objects.create(
        fund=fund,
        title=f"Bench round {n}",
        slug=f"bench-round-{n}",
        budget=Decimal("1000000"),
        max_request=Decimal("50000"),
        opens_at=timezone.now() - timezone.timedelta(days=30),
        closes_at=timezone.now() + timezone.timedelta(days=30),
        status="open",
        reference_prefix="BEN",
    )
    staff = User.objects.create(email=f"bench-staff-{n}@example.org", first_name="Bench", last_name="Staff")
    staff.groups.add(Group.objects.get(name="Program staff"))
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(staff, generate_totp_secret())  # program staff must have MFA to get past the middleware
    hoods = [Neighbourhood.objects.get_or_create(slug=f"hood-{i}", defaults={"name": f"Hood {i}"})[0] for i in range(8)]
    types = [t for t, _label in Organisation.Type.choices]
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(
                legal_name=f"Bench org {n}-{i}",
                slug=f"bench-org-{n}-{i}",
                org_type=types[i % len(types)],
                neighbourhood=hoods[i % 8],
            )
            for i in range(max(1, n // 3))
        ],
        batch_size=BATCH,
    )
    statuses = [S.SUBMITTED, S.IN_REVIEW, S.IN_REVIEW, S.MORE_INFO, S.DECLINED, S.APPROVED, S.WAITLISTED]
    now = timezone.now()
    apps = Application.objects.bulk_create(
        [
            Application(
                round=funding_round,
                organisation=orgs[i % len(orgs)],
                reference=f"BEN-{n}-{i + 1:06d}",
                title=f"Project {i}",
                summary="Peer outreach and naloxone.",
                requested_amount=Decimal(1000 + (i * 37) % 49000),
                status=statuses[i % len(statuses)],
                submitted_at=now - timezone.timedelta(minutes=i),
                answers={"need": "word " * 50},
                form_snapshot={
                    "version": 1,
                    "questions": [{"key": "need", "kind": "long_text", "label": "Need", "required": True}],
                },
            )
            for i in range(n)
        ],
        batch_size=BATCH,
    )
    ApplicationStatusChange.objects.bulk_create(
        [
            ApplicationStatusChange(
                application=a, from_status="draft", to_status="submitted", action="submit", by=staff
            )
            for a in apps
        ],
        batch_size=BATCH,
    )
    ApplicationSubmission.objects.bulk_create(
        [
            ApplicationSubmission(
                application=a, number=1, title=a.title, answers=a.answers, form_snapshot=a.form_snapshot
            )
            for a in apps
        ],
        batch_size=BATCH,
    )
    ApplicationMessage.objects.bulk_create(
        [
            ApplicationMessage(application=a, author=staff, from_staff=True, internal=bool(k), body="Thanks, noted.")
            for a in apps
            for k in range(2)
        ],
        batch_size=BATCH,
    )
    reviews = build_reviews(funding_round, apps, n)
    return staff, apps[len(apps) // 2], reviews


def build_reviews(funding_round, apps, n):
    try:
        from grants.review.models import Assignment, Panel, PanelMember, Review
    except ImportError:
        return 0
    from portal.models import User

    panel = Panel.objects.create(round=funding_round, name="Bench panel")
    members = [
        PanelMember.objects.create(
            panel=panel,
            user=User.objects.create(email=f"bench-rev-{n}-{k}@example.org"),
            kind=PanelMember.Kind.choices[k % len(PanelMember.Kind.choices)][0],
        )
        for k in range(3)
    ]
    assignments = Assignment.objects.bulk_create(
        [Assignment(application=a, member=m) for a in apps for m in members], batch_size=BATCH
    )
    Review.objects.bulk_create(
        [
            Review(
                assignment=asg,
                application_id=asg.application_id,
                member=asg.member,
                status="submitted",
                weighted_score=Decimal("3.50"),
                submitted_at=timezone.now(),
            )
            for asg in assignments
        ],
        batch_size=BATCH,
    )
    return len(assignments)


def measure(client, url):
    client.get(url)  # warm-up
    times, queries = [], 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    return queries, statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", type=int, default=[200, 20000])
    args = parser.parse_args()

    # No setup_test_environment(): its instrumented template rendering (context copies per template) would be timed too.
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    results = []
    shell = (0, 0.0)
    try:
        from tests.conftest import ensure_baseline_data

        ensure_baseline_data()
        for n in args.sizes:
            started = time.perf_counter()
            staff, sample, reviews = build(n)
            build_seconds = time.perf_counter() - started
            client = Client()
            client.force_login(staff)
            base = reverse("grants_admin:application_list")
            listing = measure(client, f"{base}?round=&order=-submitted_at")
            filtered = measure(client, f"{base}?status=in_review&order=-requested_amount&q=Project")
            detail = measure(client, reverse("grants_admin:application_detail", args=[sample.pk]))
            results.append((n, reviews, build_seconds, listing, filtered, detail))
            if len(results) == 1:
                # The cost of the Wagtail admin shell alone (menu, sidebar, icons) on this machine, for scale.
                shell = measure(client, reverse("grants_admin:application_list") + "?status=draft&q=nothing-matches")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"database: {connection.vendor}; {RUNS} runs after 1 warm-up; times are medians")
    print(
        f"{'applications':>12} {'reviews':>8} {'build s':>8} | {'list q':>6} {'list ms':>8} | {'filter q':>8} {'filter ms':>9} | {'detail q':>8} {'detail ms':>9}"
    )
    for n, reviews, build_s, (lq, lt), (fq, ft), (dq, dt) in results:
        print(f"{n:>12} {reviews:>8} {build_s:>8.1f} | {lq:>6} {lt:>8.1f} | {fq:>8} {ft:>9.1f} | {dq:>8} {dt:>9.1f}")
    print(f"empty listing (Wagtail admin shell + filters only): {shell[0]} queries, {shell[1]:.1f} ms")
    if len(results) >= 2:
        ratio = results[-1][3][1] / results[0][3][1]
        print(f"listing time ratio {results[-1][0]} vs {results[0][0]}: {ratio:.2f}x (target <= 1.3x, < 80 ms)")


if __name__ == "__main__":
    main()
