"""Annual (or any date range) giving statements, and the year-end batch that emails them with progress."""

import io
import time
from collections import defaultdict
from contextlib import nullcontext
from datetime import date

from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from portal.audit import audit
from portal.emails import send_email
from portal.i18n import language_for, written_for
from portal.money import ZERO, format_money
from portal.pdf import BRAND, _identity_lines, draw_text, fonts, page_size
from portal.tasks import enqueue_on_commit

from .models import RECEIVED_STATUSES, Donation, Donor, StatementDelivery, StatementRun
from .tasks import annual_statements_task

PROGRESS_EVERY = 10  # the staff screen polls the run's progress
PROGRESS_SECONDS = 2


ROWS_PER_PAGE = 38
FIRST_PAGE_ROWS = 30


@written_for(lambda donor, **_kwargs: donor)
def statement_pdf(donor, *, start: date, end: date, gifts, fund=None) -> bytes:
    """A giving statement drawn straight onto a reportlab canvas (letterhead, donor, one row per gift, total): the
    year-end batch renders thousands, so it skips platypus layout. Long statements continue on further pages."""
    gifts = list(gifts)
    fund = fund or (gifts[0].fund if gifts else None)
    if fund is None:
        from .forms import default_fund

        fund = default_fund()
    # One total per currency, in order of first appearance: gifts in different currencies are never added together.
    totals = {}
    mixed = len({gift.currency for gift in gifts}) > 1
    rows = []
    unvalued = False
    for gift in gifts:
        kept = gift.amount - gift.refunded_amount
        # A US gift of securities is described, never valued, to the donor (as on its IRS acknowledgement): it is
        # listed without an amount and left out of the total.
        not_valued = gift.shown_without_value
        unvalued = unvalued or not_valued
        if not not_valued:
            totals[gift.currency] = totals.get(gift.currency, ZERO) + kept
        receipts = getattr(gift, "_statement_receipts", None)
        if (
            receipts is None
            and hasattr(gift, "_prefetched_objects_cache")
            and "receipts" in gift._prefetched_objects_cache
        ):
            receipts = [r.serial for r in gift.receipts.all() if r.status == "issued"]
        rows.append(
            (
                timezone.localtime(gift.received_at).date().isoformat(),
                (gift.campaign.title if gift.campaign_id else str(_("General fund")))[:48],
                ", ".join(receipts or []),
                str(_("Securities"))
                if not_valued
                else f"{format_money(kept, gift.currency)} {gift.currency}"
                if mixed
                else format_money(kept, gift.currency),
            )
        )
    if not totals:
        totals[fund.currency if fund else "USD"] = ZERO
    buffer = io.BytesIO()
    size = page_size(fund)
    c = canvas.Canvas(buffer, pagesize=size, pageCompression=1)
    title = str(_("Giving statement"))
    c.setTitle(f"{title} {start} - {end}")
    width, height = size
    regular, bold = fonts()["regular"], fonts()["bold"]
    # The first page also carries the title and the donor's address, so it holds fewer rows.
    pages = [rows[:FIRST_PAGE_ROWS]] + [
        rows[i : i + ROWS_PER_PAGE] for i in range(FIRST_PAGE_ROWS, len(rows), ROWS_PER_PAGE)
    ]
    name, details = _identity_lines(fund)
    for number, page_rows in enumerate(pages, 1):
        c.setFillColor(BRAND)
        c.rect(0, height - 22 * mm, width, 22 * mm, stroke=0, fill=1)
        c.setFillColor(colors.white)
        c.setFont(bold, 13)
        c.drawString(18 * mm, height - 12 * mm, name or "")
        c.setFont(regular, 8)
        c.drawString(18 * mm, height - 17 * mm, details[:140])
        c.setFillColor(colors.black)
        y = height - 34 * mm
        if number == 1:
            c.setFont(bold, 16)
            c.drawString(18 * mm, y, title)
            y -= 9 * mm
            c.setFont(regular, 10)
            for line in [donor.name, *donor.address.splitlines()]:
                draw_text(c, 18 * mm, y, line[:90], size=10)
                y -= 5 * mm
            y -= 3 * mm
            c.drawString(
                18 * mm,
                y,
                str(
                    _("Gifts received from %(start)s to %(end)s, net of any refunds.")
                    % {"start": start.isoformat(), "end": end.isoformat()}
                ),
            )
            y -= 9 * mm
        c.setFont(bold, 9)
        for x, label in zip(COLUMNS, [_("Date"), _("Designation"), _("Receipt"), _("Amount")]):
            c.drawString(x, y, str(label))
        c.setFont(regular, 9)
        for row in page_rows:
            y -= 5 * mm
            for x, value in zip(COLUMNS, row):
                c.drawString(x, y, value)
        if number == len(pages):
            y -= 8 * mm
            c.setFont(bold, 10)
            for index, (currency, total) in enumerate(totals.items()):
                if index:
                    y -= 5 * mm
                c.drawString(
                    COLUMNS[2], y, str(_("Total (%(currency)s)") % {"currency": currency} if mixed else _("Total"))
                )
                c.drawString(COLUMNS[3], y, format_money(total, currency))
            if not rows:
                y -= 8 * mm
                c.setFont(regular, 10)
                c.drawString(18 * mm, y, str(_("No gifts in this period.")))
            c.setFont(regular, 8)
            c.drawString(
                18 * mm,
                18 * mm,
                str(
                    _(
                        "This statement summarises your gifts; your individual receipts are the "
                        "documents for tax purposes."
                    )
                ),
            )
            if unvalued:
                c.drawString(
                    18 * mm,
                    14 * mm,
                    str(
                        _(
                            "Gifts of securities are listed without a value and are not in the "
                            "total; their acknowledgement describes them."
                        )
                    ),
                )
        c.setFont(regular, 8)
        c.drawRightString(width - 18 * mm, 10 * mm, f"{number}/{len(pages)}")
        c.showPage()
    c.save()
    return buffer.getvalue()


COLUMNS = [18 * mm, 45 * mm, 130 * mm, 170 * mm]


FIRST_STATEMENT_YEAR = 2000


class StatementYearError(ValueError):
    pass


def statement_year_bounds() -> tuple[int, int]:
    """Statements cover a past or the current calendar year, from the first year the fund could have gifts."""
    return FIRST_STATEMENT_YEAR, timezone.localdate().year


def statement_year_check(year) -> int:
    """The year as an int, or StatementYearError with a message for the person who asked."""
    first, last = statement_year_bounds()
    if isinstance(year, bool) or not isinstance(year, int) or not first <= year <= last:
        raise StatementYearError(_("Choose a year between %(first)s and %(last)s.") % {"first": first, "last": last})
    return year


def statement_run_start(*, year: int, by=None, send_email_to_donors: bool = True) -> StatementRun:
    """Create a run and enqueue it as a background task (the worker, or immediately in tests). The year must be
    between FIRST_STATEMENT_YEAR and the current year."""
    year = statement_year_check(year)
    run = StatementRun.objects.create(year=year, created_by=by, send_email=send_email_to_donors)
    audit(run, "donations.statementrun.start", user=by, data={"year": year})
    enqueue_on_commit(annual_statements_task, run.pk)
    return run


def donors_for_year(year: int):
    gifts = Donation.objects.filter(donor=OuterRef("pk"), status__in=RECEIVED_STATUSES, received_at__year=year)
    return Donor.objects.filter(Exists(gifts)).order_by("pk")


CHUNK = 500


def _donor_chunks(donors):
    chunk = []
    for donor in donors.iterator(chunk_size=CHUNK):
        chunk.append(donor)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _gifts_for(donors, *, start, end) -> dict:
    """Every received gift of a chunk of donors in the period, with live receipt serials: two queries per chunk."""
    from .models import Receipt

    gifts = list(
        Donation.objects.filter(
            donor__in=[d.pk for d in donors],
            status__in=RECEIVED_STATUSES,
            received_at__date__gte=start,
            received_at__date__lte=end,
        )
        .select_related("fund", "campaign")
        .order_by("received_at", "pk")
    )
    serials = defaultdict(list)
    for donation_id, serial in Receipt.objects.filter(donation__in=[g.pk for g in gifts], status="issued").values_list(
        "donation_id", "serial"
    ):
        serials[donation_id].append(serial)
    by_donor = defaultdict(list)
    for gift in gifts:
        gift._statement_receipts = serials.get(gift.pk, [])
        by_donor[gift.donor_id].append(gift)
    return by_donor


def _send_statement(*, run, donor, pdf, connection) -> bool:
    """Email one donor's statement once per year: the delivery row is inserted first (a concurrent sender waits on the
    unique key, then finds it), the mail handed to the backend, and both commit together. A failed send rolls the
    row back, so the donor is tried again by the next attempt."""
    try:
        with transaction.atomic():
            StatementDelivery.objects.create(year=run.year, donor=donor, run=run)
            send_email(
                template="donations/statement",
                to=[donor.email],
                context={"donor_name": donor.name, "year": run.year},
                attachments=[(f"giving-statement-{run.year}.pdf", pdf, "application/pdf")],
                language=language_for(donor),
                connection=connection,
            )
    except IntegrityError:  # another run sent it meanwhile
        return False
    return True


def _emailed_this_year(year):
    return StatementDelivery.objects.filter(year=year, donor=OuterRef("pk"))


def statement_run_execute(*, run_id: int, render_only: bool = False):
    """Generate one statement per donor of the year and email each donor once per year, with live progress.

    Idempotent and resumable: donors already emailed for the year (by this run before it was interrupted, or by an
    earlier run) are counted as done and skipped, so running it again (the worker retrying a task whose worker died,
    or staff pressing "Resume") emails only those not yet emailed. Memory stays flat: donors are streamed in chunks
    (two queries per chunk) and each PDF is dropped once sent."""
    run = StatementRun.objects.get(pk=run_id)
    start, end = date(run.year, 1, 1), date(run.year, 12, 31)
    donors = donors_for_year(run.year)
    emailing = run.send_email and not render_only
    done = donors.filter(Exists(_emailed_this_year(run.year))).count() if emailing else 0
    StatementRun.objects.filter(pk=run.pk).update(
        status=StatementRun.Status.RUNNING, total=donors.count(), done=done, error=""
    )
    if emailing:
        donors = donors.exclude(Exists(_emailed_this_year(run.year)))
    saved_at = time.monotonic()
    try:
        for chunk in _donor_chunks(donors):
            gifts_by_donor = _gifts_for(chunk, start=start, end=end)
            # One mail session per chunk (with SMTP: one connection and login per 500 donors, not one per donor).
            with get_connection() if emailing else nullcontext() as connection:
                for donor in chunk:
                    pdf = statement_pdf(donor, start=start, end=end, gifts=gifts_by_donor.get(donor.pk, []))
                    if emailing:
                        _send_statement(run=run, donor=donor, pdf=pdf, connection=connection)
                    done += 1
                    if done % PROGRESS_EVERY == 0 or time.monotonic() - saved_at > PROGRESS_SECONDS:
                        StatementRun.objects.filter(pk=run.pk).update(done=done)
                        saved_at = time.monotonic()
            # Let this chunk go before the next is read: otherwise the loop variables keep it alive while the next
            # chunk and its gifts load, and the peak holds two chunks (about 5 MB more) instead of one.
            del chunk, gifts_by_donor
    except Exception as exc:
        StatementRun.objects.filter(pk=run.pk).update(
            status=StatementRun.Status.FAILED, done=done, error=str(exc)[:2000]
        )
        raise
    StatementRun.objects.filter(pk=run.pk).update(
        status=StatementRun.Status.DONE, done=done, finished_at=timezone.now()
    )


def statement_run_resume(*, run: StatementRun, by) -> StatementRun:
    """Staff: carry on a run that failed (e.g. the mail server refused for too long). Donors already emailed are
    skipped; the run picks up where it stopped."""
    with transaction.atomic():
        run = StatementRun.objects.select_for_update().get(pk=run.pk)
        if not run.can_resume:
            raise StatementYearError(_("Only a failed run can be resumed."))
        run.status = StatementRun.Status.QUEUED
        run.error = ""
        run.save(update_fields=["status", "error"])
        audit(run, "donations.statementrun.resume", user=by, data={"year": run.year, "done": run.done})
        enqueue_on_commit(annual_statements_task, run.pk)
    return run
