"""Ledger at scale: post N gifts and M awards into a scratch fund, then time balances, ledger_check and the CSV export.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/ledger_bench.py 20000

Everything is rolled back at the end. Balances and checks are single SQL aggregates, so their time should grow
with rows only inside the database, never in Python loops per row.
"""

import os
import sys
import time
from decimal import Decimal

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
django.setup()

from django.db import transaction  # noqa: E402

from fund.checks import run_ledger_checks  # noqa: E402
from fund.ledger import Line, ledger_post  # noqa: E402
from fund.models import Fund  # noqa: E402
from fund.selectors import fund_balances, ledger_rows_for_export  # noqa: E402


class Rollback(Exception):
    pass


def timed(label, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label:<32} {time.perf_counter() - start:8.3f}s")
    return result


def main(n):
    try:
        with transaction.atomic():
            fund = Fund.objects.create(name="Bench fund", slug="bench-ledger-fund")

            def post_gifts():
                for i in range(n):
                    amount = Decimal(25 + i % 200)
                    ledger_post(
                        fund=fund,
                        kind="offline_gift",
                        memo="Opening balance bench",
                        lines=[Line("cash", amount), Line("donations_revenue", -amount)],
                    )

            timed(f"post {n} gifts", post_gifts)
            balances = timed("fund_balances", lambda: fund_balances(fund))
            print("available_to_award", balances["available_to_award"])
            timed("ledger_check", run_ledger_checks)
            timed("CSV rows", lambda: sum(1 for _ in ledger_rows_for_export(fund)))
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
