"""Money lists at 200 and 20,000 rows (issue 18): the staff donations list (first page, a deep page, a search by donor
name), the ledger (a deep page), an account's postings (first and deep page), Stripe payouts and grant payments.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_moneylists_bench .venv/bin/python bench/money_lists.py
    ... bench/money_lists.py --small 200 --large 20000 --runs 7 --explain

Two throwaway databases are built (migrated once, the second copied from the first as a template), one with SMALL
rows per list, one with LARGE; both are dropped at the end. Each page is asked of the real view with Django's test
client, signed in as a finance officer; the rounds are interleaved (small, large, then large, small, ...) and each
figure is the median of the rounds, after one warm-up. A deep page is the page holding the 60th row from the end,
reached with its keyset cursor (?after=...). The baseline is the same page at SMALL rows in the same run. Each list
PASSes when its queries are the same at both sizes and LARGE takes at most 1.3x the time of SMALL. A page's queries
are the fewest seen over its rounds: the staff idle-timeout middleware (portal.middleware.StaffSessionIdleMiddleware)
saves the session once a minute, a few queries now and then whatever the page. For scale, the old OFFSET page
(Paginator: COUNT(*) and OFFSET) of the donations list is timed at the same depth, queries only.

PostgreSQL only (the search relies on pg_trgm indexes; SQLite has no equivalent).
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from fund import admin_views as ledger_views  # noqa: E402
from fund.donations import selectors  # noqa: E402
from portal.keyset import KeysetPaginator  # noqa: E402

TARGET = 1.3
SURNAMES = ["Garcia", "Nguyen", "Smith", "Johnson", "Kowalski", "Haddad", "Tremblay", "Mensah", "Ivanova", "Chen"]
SEARCH = "okafor"  # ten donors (two gifts each) carry this name at every size: the search's result is the same size


def build(n, staff):
    """n donations (n/4 donors), n ledger transactions (2n entries), n payouts (each with a line), n grant payments."""
    from applicants.models import Neighbourhood, Organisation
    from fund.donations.models import Donation, Donor, StripeBalanceTransaction, StripePayout
    from fund.models import Account, Campaign, Entry, Fund, LedgerTransaction
    from grants.awards.models import Award, Disbursement, Tranche
    from grants.models import Application, FundingRound

    now = timezone.now()
    today = timezone.localdate()
    fund = Fund.objects.create(name="Bench fund", slug="bench-money", currency="USD")
    campaign = Campaign.objects.create(
        fund=fund, title="Bench campaign", slug="bench-campaign", goal=Decimal("1000"), starts_at=now
    )

    donors = [
        Donor(name=f"{SURNAMES[i % 10]} Donor{i}", email=f"donor{i}@example.org") for i in range(max(n // 4, 20) - 10)
    ]
    donors += [Donor(name=f"Marguerite Okafor {i}", email=f"mo{i}@example.net") for i in range(10)]
    donors = Donor.objects.bulk_create(donors, batch_size=5000)
    okafor = donors[-10:]
    gifts = []
    for i in range(n):
        donor = okafor[i % 10] if i < 20 else donors[i % (len(donors) - 10)]
        gifts.append(
            Donation(
                donor=donor,
                fund=fund,
                campaign=campaign if i % 3 == 0 else None,
                amount=Decimal(25 + i % 200),
                net_amount=Decimal(25 + i % 200),
                currency="USD",
                method="cheque",
                status="succeeded",
                reference=f"CHQ-{i:06d}",
                donor_name=donor.name,
                received_at=now - timedelta(minutes=i),
            )
        )
    created = Donation.objects.bulk_create(gifts, batch_size=5000)
    # Spread the entry times (auto_now_add gave them all the same instant): gift i was entered i minutes ago.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE donations_donation SET created_at = received_at WHERE fund_id = %s", [fund.pk])
    assert len(created) == n

    cash = Account.objects.create(fund=fund, kind="cash")
    revenue = Account.objects.create(fund=fund, kind="donations_revenue")
    txns = LedgerTransaction.objects.bulk_create(
        [
            LedgerTransaction(
                fund=fund,
                kind="offline_gift" if i % 2 else "donation",
                memo=f"Gift {i}",
                effective_date=today - timedelta(days=i // 50),
            )
            for i in range(n)
        ],
        batch_size=5000,
    )
    entries = []
    for i, txn in enumerate(txns):
        amount = Decimal(25 + i % 200) + Decimal("0.01")
        entries += [
            Entry(transaction=txn, account=cash, amount=amount),
            Entry(transaction=txn, account=revenue, amount=-amount),
        ]
    Entry.objects.bulk_create(entries, batch_size=5000)

    payouts = StripePayout.objects.bulk_create(
        [
            StripePayout(
                stripe_id=f"po_{i}",
                amount=Decimal("95.00"),
                currency="usd",
                status="paid",
                arrival_date=today - timedelta(days=i // 3),
                created=now,
            )
            for i in range(n)
        ],
        batch_size=5000,
    )
    StripeBalanceTransaction.objects.bulk_create(
        [
            StripeBalanceTransaction(
                stripe_id=f"txn_{i}",
                type="charge",
                amount=Decimal("100.00"),
                fee=Decimal("5.00"),
                net=Decimal("95.00"),
                currency="usd",
                created=now,
                payout=p,
                donation=created[i],
            )
            for i, p in enumerate(payouts)
        ],
        batch_size=5000,
    )

    rnd = FundingRound.objects.create(
        fund=fund,
        title="Bench round",
        slug="bench-round",
        budget=Decimal("5000000"),
        max_request=Decimal("50000"),
        opens_at=now - timedelta(days=400),
        status="closed",
    )
    hood = Neighbourhood.objects.get_or_create(slug="bench-hood", defaults={"name": "Bench hood"})[0]
    org = Organisation.objects.create(
        legal_name="Bench org",
        slug="bench-org",
        org_type=Organisation.Type.choices[0][0],
        neighbourhood=hood,
        annual_budget=Decimal("50000"),
    )
    app = Application.objects.create(
        round=rnd,
        organisation=org,
        title="Bench project",
        status="approved",
        requested_amount=Decimal("20000"),
        reference="BEN-MONEY-1",
    )
    award = Award.objects.create(
        application=app,
        fund=fund,
        round=rnd,
        organisation=org,
        approved_amount=Decimal("20000"),
        amount=Decimal("20000"),
        currency="USD",
        status="accepted",
        offered_at=now,
        offer_expires_on=today,
    )
    tranches = Tranche.objects.bulk_create(
        [Tranche(award=award, sequence=i + 1, amount=Decimal("10.00"), due_date=today) for i in range(n)],
        batch_size=5000,
    )
    Disbursement.objects.bulk_create(
        [
            Disbursement(
                tranche=t,
                amount=Decimal("10.00"),
                currency="USD",
                idempotency_key=f"bench-{i}",
                status="paid",
                prepared_by=staff,
            )
            for i, t in enumerate(tranches)
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE awards_disbursement SET prepared_at = %s - (id * interval '1 minute')", [now]
        )  # spread like the gifts
        cursor.execute("ANALYZE")
    return fund, cash


def deep_cursor(qs, ordering, n):
    """The cursor of the row before the 60th from the end: its page is a deep page (found once, outside the timing)."""
    row = qs.order_by(*ordering)[max(n - 61, 0)]
    return KeysetPaginator(qs, ordering=ordering).cursor_for(row)


def urls_for(n, fund, cash):
    from fund.donations.models import Donation
    from fund.models import Entry, LedgerTransaction
    from grants.awards.models import Disbursement

    donation_cursor = deep_cursor(Donation.objects.all(), selectors.STAFF_DONATIONS_ORDER, n)
    ledger_cursor = deep_cursor(LedgerTransaction.objects.filter(fund=fund), ledger_views.LEDGER_ORDER, n)
    account_cursor = deep_cursor(Entry.objects.filter(account=cash), ledger_views.ACCOUNT_ORDER, n)
    payment_cursor = deep_cursor(Disbursement.objects.filter(status="paid"), ("-prepared_at", "-pk"), n)
    from urllib.parse import urlencode

    return {
        "donations page 1": "/admin/donations/",
        "donations deep page": "/admin/donations/?" + urlencode({"after": donation_cursor}),
        "donations search (donor name)": f"/admin/donations/?q={SEARCH}",
        "ledger deep page": f"/admin/ledger/?{urlencode({'fund': fund.pk, 'after': ledger_cursor})}",
        "account page": f"/admin/ledger/accounts/{cash.pk}/",
        "account deep page": f"/admin/ledger/accounts/{cash.pk}/?" + urlencode({"after": account_cursor}),
        "payouts list": "/admin/donations/payouts/",
        "payments list": "/admin/money/payments/?status=paid",
        "payments deep page": "/admin/money/payments/?" + urlencode({"status": "paid", "after": payment_cursor}),
    }


def use(wrapper):
    """Point the default database alias at one of the two databases (the views and the ORM use "default")."""
    connections["default"] = wrapper


def timed_get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, len(ctx.captured_queries)


def offset_page_ms(n):
    """The old donations deep page (Paginator: COUNT(*) then OFFSET), the queries alone, median of 5."""
    qs = selectors.staff_donations()
    times = []
    for _ in range(5):
        started = time.perf_counter()
        paginator = Paginator(qs, 50)
        list(paginator.page(max(paginator.num_pages - 1, 1)).object_list)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def explain():
    from django.db.models import Q

    from fund.donations.models import Donation, Donor

    print("\nEXPLAIN at the large size")
    donors = Donor.objects.filter(Q(name__icontains=SEARCH) | Q(email__icontains=SEARCH)).values("pk")
    print("-- search, the donors:\n" + donors.order_by().explain())
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
    print(
        "-- search, the donors, sequential scans off (the trigram indexes are usable):\n" + donors.order_by().explain()
    )
    with connection.cursor() as cursor:
        cursor.execute("RESET enable_seqscan")
    print("-- search, their gifts:\n" + selectors.staff_donations(q=SEARCH)[:51].explain())
    print("-- donations page 1:\n" + Donation.objects.order_by(*selectors.STAFF_DONATIONS_ORDER)[:51].explain())


def drop_database(name):
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--large", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--explain", action="store_true", help="print the query plans of the search at the large size")
    parser.add_argument("--keepdb", action="store_true", help="keep the migrated template database for the next run")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL=postgres://.../portal_<name>_bench")

    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth.models import Group

    from portal.models import User
    from tests.conftest import ensure_baseline_data

    # The template: migrated once (kept with --keepdb), with the roles and a finance officer; the small and the large
    # databases are copies of it (no connection to a template may be open while it is copied).
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keepdb)
    template = connection.settings_dict["NAME"]
    names = {"small": f"{template}_small", "large": f"{template}_large"}
    wrappers = {}
    template_wrapper = connections["default"]
    try:
        ensure_baseline_data()
        staff, _created = User.objects.get_or_create(
            email="bench-money@example.org", defaults={"first_name": "Bench", "last_name": "Finance"}
        )
        staff.groups.add(Group.objects.get(name="Finance"))
        if _created:
            TOTP.activate(staff, generate_totp_secret())
        connection.close()
        for label, name in names.items():
            drop_database(name)
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            connections.settings[label] = {**connections.settings["default"], "NAME": name}
            wrappers[label] = connections[label]

        sizes = {}
        for label, n in (("small", args.small), ("large", args.large)):
            wrapper = wrappers[label]
            use(wrapper)
            started = time.perf_counter()
            staff = User.objects.get(email="bench-money@example.org")
            fund, cash = build(n, staff)
            client = Client()
            client.force_login(staff)
            sizes[label] = {
                "n": n,
                "wrapper": wrapper,
                "client": client,
                "urls": urls_for(n, fund, cash),
                "offset_ms": offset_page_ms(n),
                "build_s": time.perf_counter() - started,
            }
            if args.explain and label == "large":
                explain()
        lists = list(sizes["small"]["urls"])
        times = {(label, name): [] for label in sizes for name in lists}
        queries = {}
        for label in sizes:  # warm-up
            use(sizes[label]["wrapper"])
            for name in lists:
                timed_get(sizes[label]["client"], sizes[label]["urls"][name])
        for r in range(args.runs):
            order = ("small", "large") if r % 2 == 0 else ("large", "small")
            for name in lists:
                for label in order:
                    use(sizes[label]["wrapper"])
                    cache.clear()
                    ms, q = timed_get(sizes[label]["client"], sizes[label]["urls"][name])
                    times[(label, name)].append(ms)
                    queries[(label, name)] = min(q, queries.get((label, name), q))
    finally:
        for wrapper in wrappers.values():
            wrapper.close()
        use(template_wrapper)
        connection.close()
        for name in names.values():
            drop_database(name)
        if not args.keepdb:
            connection.creation.destroy_test_db(old_name, verbosity=0)

    s, lg = sizes["small"]["n"], sizes["large"]["n"]
    print(f"database: postgresql; {args.runs} interleaved rounds after 1 warm-up; medians; in-process test client")
    print(f"build: {s} rows {sizes['small']['build_s']:.1f} s, {lg} rows {sizes['large']['build_s']:.1f} s")
    print(f"{'list':<32} {'queries':>9} {f'{s} ms':>10} {f'{lg} ms':>10} {'ratio':>7}  verdict")
    verdicts = []
    for name in lists:
        qs_, ql = queries[("small", name)], queries[("large", name)]
        ms_s, ms_l = statistics.median(times[("small", name)]), statistics.median(times[("large", name)])
        ratio = ms_l / ms_s
        ok = qs_ == ql and ratio <= TARGET
        verdicts.append(ok)
        q_text = f"{qs_}" if qs_ == ql else f"{qs_}->{ql}"
        print(f"{name:<32} {q_text:>9} {ms_s:>10.1f} {ms_l:>10.1f} {ratio:>6.2f}x  {'PASS' if ok else 'FAIL'}")
    print(
        f"for scale, the old OFFSET donations deep page (COUNT + OFFSET, queries only): "
        f"{sizes['small']['offset_ms']:.1f} ms at {s}, {sizes['large']['offset_ms']:.1f} ms at {lg}"
    )
    print(f"overall (same queries, <= {TARGET}x): " + ("PASS" if all(verdicts) else "FAIL"))


if __name__ == "__main__":
    main()
