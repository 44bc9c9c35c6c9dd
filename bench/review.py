"""Benchmark the review ranking table and the reviewer's scoring page.

Builds a round with N applications × 3 submitted reviews from a 9-member panel (bulk_create) in a throwaway test database,
then reports queries and the median server time (Django test client, 1 warm-up, 7 timed runs) of:
- the ranking page sorted by mean score and by normalised score (first page and a page deep in the list),
- the reviewer's scoring page (target: under 20 queries).

    .venv/bin/python bench/review.py                      # 200 and 20,000 applications
    .venv/bin/python bench/review.py --sizes 200 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_review .venv/bin/python bench/review.py

Target (issue 4): the ranking at 20,000 within 1.3× of its time at 200, a fixed number of queries (at most 15).
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
from django.test.utils import CaptureQueriesContext, setup_test_environment, teardown_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

RUNS = 7


def _user(email, *roles_):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth.models import Group

    from portal.models import User

    user = User.objects.create(email=email, first_name="Bench", last_name="User")
    for role in roles_:
        user.groups.add(Group.objects.get(name=role))
    TOTP.activate(user, generate_totp_secret())  # reviewers and staff need MFA to pass the middleware
    return user


def build(n):
    from fund.models import Fund
    from grants.models import Application, FundingRound
    from grants.review.models import Assignment, ConflictDeclaration, Criterion, Panel, PanelMember, Rubric
    from portal import roles
    from tests.factories.review import bulk_reviewed_applications

    fund = Fund.objects.create(name="Bench fund", slug=f"bench-review-{n}", currency="USD")
    funding_round = FundingRound.objects.create(
        fund=fund,
        title=f"Bench round {n}",
        slug=f"bench-review-round-{n}",
        budget=Decimal("1000000"),
        max_request=Decimal("50000"),
        opens_at=timezone.now() - timezone.timedelta(days=30),
        status="review",
        reference_prefix="BRV",
    )
    panel = Panel.objects.create(round=funding_round, name="Bench panel")
    rubric = Rubric.objects.create(round=funding_round, title="Bench rubric")
    for k in range(5):
        Criterion.objects.create(
            rubric=rubric,
            title=f"Criterion {k}",
            weight=Decimal(k + 1),
            allow_na=k == 4,
            order=k,
            labels={"1": "Weak", "5": "Excellent"},
        )
    kinds = [PanelMember.Kind.STAFF, PanelMember.Kind.COMMUNITY, PanelMember.Kind.EXTERNAL]
    members = [
        PanelMember.objects.create(
            panel=panel, user=_user(f"bench-rev-{n}-{k}@example.org", roles.REVIEWER), kind=kinds[k % 3]
        )
        for k in range(9)
    ]
    bulk_reviewed_applications(funding_round, n, members=members)
    staff = _user(f"bench-staff-{n}@example.org", roles.PROGRAM_STAFF)
    # One open assignment for the scoring page, declared "no conflict".
    application = Application.objects.filter(round=funding_round).order_by("pk").first()
    extra = PanelMember.objects.create(
        panel=panel, user=_user(f"bench-scorer-{n}@example.org", roles.REVIEWER), kind="community"
    )
    assignment = Assignment.objects.create(application=application, member=extra)
    ConflictDeclaration.objects.create(
        assignment=assignment, member=extra, organisation=application.organisation, has_conflict=False
    )
    return funding_round, staff, extra.user, assignment


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

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    results = []
    try:
        from tests.conftest import ensure_baseline_data

        ensure_baseline_data()
        for n in args.sizes:
            started = time.perf_counter()
            funding_round, staff, scorer, assignment = build(n)
            build_seconds = time.perf_counter() - started
            client = Client()
            client.force_login(staff)
            url = reverse("review_admin:ranking", args=[funding_round.pk])
            raw = measure(client, f"{url}?sort=raw")
            normalised = measure(client, f"{url}?sort=normalised")
            deep = measure(client, f"{url}?sort=normalised&page={max(1, n // 25 // 2)}")
            reviewer = Client()
            reviewer.force_login(scorer)
            scoring_page = measure(reviewer, reverse("review:score", args=[assignment.pk]))
            results.append((n, build_seconds, raw, normalised, deep, scoring_page))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    print(
        f"database: {connection.vendor}; {RUNS} runs after 1 warm-up; times are medians; 3 submitted reviews per application"
    )
    print(
        f"{'applications':>12} {'build s':>8} | {'raw q':>5} {'raw ms':>8} | {'norm q':>6} {'norm ms':>8} | "
        f"{'deep q':>6} {'deep ms':>8} | {'score q':>7} {'score ms':>8}"
    )
    for n, build_s, (rq, rt), (nq, nt), (dq, dt), (sq, st) in results:
        print(
            f"{n:>12} {build_s:>8.1f} | {rq:>5} {rt:>8.1f} | {nq:>6} {nt:>8.1f} | {dq:>6} {dt:>8.1f} | {sq:>7} {st:>8.1f}"
        )
    if len(results) >= 2:
        first, last = results[0], results[-1]
        for label, index in (("raw", 2), ("normalised", 3)):
            ratio = last[index][1] / first[index][1]
            print(f"ranking ({label}) time ratio {last[0]} vs {first[0]}: {ratio:.2f}x (target <= 1.3x)")


if __name__ == "__main__":
    main()
