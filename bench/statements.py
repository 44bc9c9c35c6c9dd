"""Benchmark: the year-end statement run for N donors against a bare reportlab loop drawing the same page, in the same
run; then memory (tracemalloc peak) at two run sizes, which must not grow with the number of donors.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_lists .venv/bin/python bench/statements.py [--donors 10000]

Runs in a throwaway test database (created and dropped; PostgreSQL when DATABASE_URL names it, as the issue asks).
"Ours" is the real `statement_run_execute`, each email built with its PDF: the backend below calls
`message.message().as_bytes()` (the MIME an SMTP backend would send, attachment encoded) and then drops it, so the
timed path includes templates, base64 and MIME, and memory is not held by an outbox. The bare loop draws the same
one-page statement (letterhead band, donor block, 3-gift table, total, footnote) with the same embedded fonts the
statements use (registered once, outside the timing), with no data access, templates or email. Half the bare pages
are drawn before the run and half after it, so load that changes during the run weighs on both sides.
Targets (issue 18): ratio >= 0.50; tracemalloc peak of a run of 5x the donors within 20% (+2 MB) of the smaller one.
"""

import argparse
import io
import os
import sys
import time
import tracemalloc
from contextlib import nullcontext
from datetime import datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402
from django.core.mail.backends.base import BaseEmailBackend  # noqa: E402


class BuildingBackend(BaseEmailBackend):
    """Builds every message's MIME, as SMTP would before writing it to the socket, then forgets it."""

    built = 0

    def send_messages(self, email_messages):
        for message in email_messages:
            message.message().as_bytes()
            BuildingBackend.built += 1
        return len(email_messages)


def bare_loop(n, *, regular, bold):
    """The same page as a statement with three gifts, drawn with no data access, no templates and no email.
    Returns the elapsed seconds."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import LETTER
    from reportlab.pdfgen import canvas

    start = time.perf_counter()
    width, height = LETTER
    for i in range(n):
        buf = io.BytesIO()
        c = canvas.Canvas(buf, pagesize=LETTER, pageCompression=1)
        c.setTitle("Giving statement 2026-01-01 - 2026-12-31")
        c.setFillColor(colors.HexColor("#083f4b"))
        c.rect(0, height - 62, width, 62, stroke=0, fill=1)
        c.setFillColor(colors.white)
        c.setFont(bold, 13)
        c.drawString(51, height - 34, "Bench fund")
        c.setFont(regular, 8)
        c.drawString(51, height - 48, "100 River Street, Millbrook")
        c.setFillColor(colors.black)
        c.setFont(bold, 16)
        c.drawString(51, 690, "Giving statement")
        c.setFont(regular, 10)
        for k, line in enumerate([f"Donor {i}", "12 Elm Street", "Millbrook"]):
            c.drawString(51, 665 - 14 * k, line)
        c.drawString(51, 615, "Gifts received from 2026-01-01 to 2026-12-31, net of any refunds.")
        c.setFont(bold, 9)
        for x, label in zip((51, 128, 369, 482), ("Date", "Designation", "Receipt", "Amount")):
            c.drawString(x, 590, label)
        c.setFont(regular, 9)
        for row in range(3):
            for x, value in zip((51, 128, 369, 482), (f"2026-0{row + 1}-15", "General fund", "", "$100.00")):
                c.drawString(x, 576 - 14 * row, value)
        c.setFont(bold, 10)
        c.drawString(369, 515, "Total")
        c.drawString(482, 515, "$300.00")
        c.setFont(regular, 8)
        c.drawString(
            51, 51, "This statement summarises your gifts; your individual receipts are the documents for tax purposes."
        )
        c.drawRightString(width - 51, 28, "1/1")
        c.showPage()
        c.save()
        buf.getvalue()
    return time.perf_counter() - start


def make_donors(n, *, year, fund, tag):
    from django.utils import timezone

    from fund.donations.models import Donation, Donor

    donors = Donor.objects.bulk_create(
        [
            Donor(
                name=f"Donor {tag}-{i}",
                email=f"d{tag}-{i}@example.org",
                address_line1="12 Elm Street",
                city="Millbrook",
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    when = [timezone.make_aware(datetime(year, m, 15, 12)) for m in (1, 2, 3)]
    Donation.objects.bulk_create(
        [
            Donation(
                donor=d,
                fund=fund,
                amount=Decimal("100.00"),
                net_amount=Decimal("100.00"),
                method="cheque",
                status="succeeded",
                received_at=w,
                donor_name=d.name,
            )
            for d in donors
            for w in when
        ],
        batch_size=5000,
    )


def run_year(year, *, count_queries=True):
    """Run the statements of a year; returns (seconds, run, queries or None)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fund.donations import statements
    from fund.donations.models import StatementRun

    run = StatementRun.objects.create(year=year, send_email=True)
    # Capturing keeps every query in memory: only for the timed run, never for the memory runs.
    with CaptureQueriesContext(connection) if count_queries else nullcontext() as ctx:
        start = time.perf_counter()
        statements.statement_run_execute(run_id=run.pk)
        elapsed = time.perf_counter() - start
    run.refresh_from_db()
    return elapsed, run, len(ctx.captured_queries) if count_queries else None


def traced_peak(year):
    tracemalloc.start()
    tracemalloc.reset_peak()
    run_year(year, count_queries=False)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--donors", type=int, default=10000)
    parser.add_argument(
        "--memory-donors", type=int, default=500, help="the smaller memory run (the larger is 5x); chunks are 500"
    )
    parser.add_argument("--memory-only", action="store_true", help="skip the timed comparison")
    args = parser.parse_args()
    django.setup()
    from django.conf import settings
    from django.db import connection

    from fund.models import Fund

    settings.EMAIL_BACKEND = "__main__.BuildingBackend"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        fund = Fund.objects.create(slug="bench", name="Bench fund", is_default=True)
        year = 2025
        print(f"database: {connection.vendor}; creating {args.donors} donors with 3 gifts each...", flush=True)
        make_donors(0 if args.memory_only else args.donors, year=year, fund=fund, tag="t")
        small, large = args.memory_donors, args.memory_donors * 5
        make_donors(small, year=year - 1, fund=fund, tag="s")
        make_donors(large, year=year - 2, fund=fund, tag="l")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        ratio = 1.0
        run = None
        if not args.memory_only:
            ratio, run = compare(args.donors, year)
        small_peak, large_peak = traced_peak(year - 1), traced_peak(year - 2)
        flat = large_peak <= small_peak * 1.2 + 2
        print(
            f"tracemalloc peak: {small_peak:.1f} MB for {small} donors, {large_peak:.1f} MB for {large}: "
            f"{'PASS (flat)' if flat else 'FAIL (grows)'}"
        )
        complete = run is None or run.done == args.donors
        print("overall: " + ("PASS" if ratio >= 0.5 and flat and complete else "FAIL"))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def compare(donors, year):
    """The timed run against the bare loop (half before, half after); prints and returns (ratio, run)."""
    from portal.pdf import fonts

    names = fonts()
    regular, bold = names["regular"], names["bold"]
    bare_loop(20, regular=regular, bold=bold)  # warm-up (font subsetting caches)
    half = donors // 2
    bare_seconds = bare_loop(half, regular=regular, bold=bold)
    elapsed, run, queries = run_year(year)
    bare_seconds += bare_loop(donors - half, regular=regular, bold=bold)
    ours, bare = run.done / elapsed, donors / bare_seconds
    print(f"statements: {run.done} in {elapsed:.1f}s = {ours:.1f}/s ({run.get_status_display()}), {queries} queries")
    print(f"emails built (MIME with the PDF): {BuildingBackend.built}")
    print(f"bare reportlab loop, same page and fonts ({regular}): {bare:.1f}/s")
    ratio = ours / bare
    print(f"ratio: {ratio:.2f} of the bare loop (target >= 0.50): {'PASS' if ratio >= 0.5 else 'FAIL'}")
    return ratio, run


if __name__ == "__main__":
    main()
