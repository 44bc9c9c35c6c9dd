"""Benchmark: the year-end statement run for N donors vs a bare reportlab loop drawing a one-page document of the
same size, in the same run; memory sampled as it goes (it must not grow with the number of donors).

    .venv/bin/python bench/statements.py [--donors 10000]

Emails go to the dummy backend; everything else is the real `statement_run_execute`. Target: at least half the bare
loop's rate, memory flat.
"""

import argparse
import io
import os
import sys
import tempfile
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='bench-statements-')}/bench.sqlite3"

import django  # noqa: E402


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def bare_loop(n):
    """The same page as a statement with three gifts (letterhead band, donor block, 4x4 table, total, footnote),
    drawn with no data access, no templates and no email."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import LETTER
    from reportlab.pdfgen import canvas

    start = time.perf_counter()
    width, height = LETTER
    for i in range(n):
        buf = io.BytesIO()
        c = canvas.Canvas(buf, pagesize=LETTER, pageCompression=1)
        c.setFillColor(colors.HexColor("#083f4b"))
        c.rect(0, height - 62, width, 62, stroke=0, fill=1)
        c.setFillColor(colors.white)
        c.setFont("Helvetica-Bold", 13)
        c.drawString(51, height - 34, "Bench fund")
        c.setFont("Helvetica", 8)
        c.drawString(51, height - 48, "100 River Street, Millbrook")
        c.setFillColor(colors.black)
        c.setFont("Helvetica-Bold", 16)
        c.drawString(51, 690, "Giving statement")
        c.setFont("Helvetica", 10)
        for k, line in enumerate([f"Donor {i}", "12 Elm Street", "Millbrook"]):
            c.drawString(51, 665 - 14 * k, line)
        c.drawString(51, 615, "Gifts received from 2026-01-01 to 2026-12-31, net of any refunds.")
        c.setFont("Helvetica-Bold", 9)
        for x, label in zip((51, 128, 369, 482), ("Date", "Designation", "Receipt", "Amount")):
            c.drawString(x, 590, label)
        c.setFont("Helvetica", 9)
        for row in range(3):
            for x, value in zip((51, 128, 369, 482), (f"2026-0{row + 1}-15", "General fund", "", "$100.00")):
                c.drawString(x, 576 - 14 * row, value)
        c.setFont("Helvetica-Bold", 10)
        c.drawString(369, 515, "Total")
        c.drawString(482, 515, "$300.00")
        c.setFont("Helvetica", 8)
        c.drawString(
            51, 51, "This statement summarises your gifts; your individual receipts are the documents for tax purposes."
        )
        c.drawRightString(width - 51, 28, "1/1")
        c.showPage()
        c.save()
        buf.getvalue()
    return n / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--donors", type=int, default=10000)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--no-email", action="store_true", help="Render only (shows what the email step costs).")
    args = parser.parse_args()
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    print("migrating...", flush=True)
    call_command("migrate", verbosity=0)
    from fund.donations import statements
    from fund.donations.models import Donation, Donor, StatementRun
    from fund.models import Fund

    fund, _ = Fund.objects.get_or_create(slug="bench", defaults={"name": "Bench fund", "is_default": True})
    print(f"creating {args.donors} donors with 3 gifts each...", flush=True)
    donors = Donor.objects.bulk_create(
        [
            Donor(name=f"Donor {i}", email=f"d{i}@example.org", address_line1="12 Elm Street", city="Millbrook")
            for i in range(args.donors)
        ],
        batch_size=2000,
    )
    when = [timezone.make_aware(datetime(args.year, m, 15, 12)) for m in (1, 2, 3)]
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

    samples = []
    original = statements.PROGRESS_EVERY
    statements.PROGRESS_EVERY = max(args.donors // 10, 1)
    real_update = StatementRun.objects.filter

    def sampling_filter(*a, **kw):
        samples.append(rss_mb())
        return real_update(*a, **kw)

    StatementRun.objects.filter = sampling_filter
    run = StatementRun.objects.create(year=args.year, send_email=not args.no_email)
    start = time.perf_counter()
    statements.statement_run_execute(run_id=run.pk)
    elapsed = time.perf_counter() - start
    StatementRun.objects.filter = real_update
    statements.PROGRESS_EVERY = original
    run.refresh_from_db()
    ours = run.done / elapsed
    bare = bare_loop(min(args.donors, 3000))
    print(f"statements: {run.done} in {elapsed:.1f}s = {ours:.1f}/s ({run.get_status_display()})")
    print(f"bare reportlab one-page loop: {bare:.1f}/s")
    print(f"ratio: {ours / bare:.2f} of the bare loop (target >= 0.50)")
    print("RSS (MB) at each progress update: " + ", ".join(f"{s:.0f}" for s in samples))
    growth = samples[-1] - samples[1] if len(samples) > 2 else 0
    print(f"memory growth from 10% to the end: {growth:+.1f} MB ({'flat' if abs(growth) < 20 else 'GROWING'})")


if __name__ == "__main__":
    main()
