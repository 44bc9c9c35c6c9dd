"""Annual (or any date range) giving statements, and the year-end batch that emails them with progress."""

from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit
from portal.emails import send_email
from portal.money import ZERO, format_money
from portal.pdf import build_pdf, para, spacer, table

from .models import RECEIVED_STATUSES, Donation, Donor, StatementRun

PROGRESS_EVERY = 50


def statement_pdf(donor, *, start: date, end: date, gifts) -> bytes:
    gifts = list(gifts)
    fund = gifts[0].fund if gifts else None
    if fund is None:
        from .forms import default_fund

        fund = default_fund()
    currency = gifts[0].currency if gifts else (fund.currency if fund else "USD")
    rows = [[_("Date"), _("Designation"), _("Receipt"), _("Amount")]]
    total = ZERO
    for gift in gifts:
        kept = gift.amount - gift.refunded_amount
        total += kept
        live = [r.serial for r in gift.receipts.all() if r.status == "issued"] if hasattr(gift, "_prefetched_objects_cache") else []
        rows.append([
            timezone.localtime(gift.received_at).date().isoformat(),
            gift.campaign.title if gift.campaign_id else _("General fund"),
            ", ".join(live),
            format_money(kept, gift.currency),
        ])
    rows.append(["", "", _("Total"), format_money(total, currency)])
    story = [
        para(_("Giving statement"), "h1"),
        para(f"{donor.name}\n{donor.address}".strip()),
        spacer(),
        para(_("Gifts received from %(start)s to %(end)s, net of any refunds.") % {"start": start.isoformat(), "end": end.isoformat()}),
        spacer(),
        table(rows, col_widths=[80, 200, 110, 100]) if gifts else para(_("No gifts in this period.")),
        spacer(),
        para(_("This statement summarises your gifts; your individual receipts are the documents for tax purposes."), "small"),
    ]
    return build_pdf(story, title=_("Giving statement %(start)s to %(end)s") % {"start": start, "end": end}, fund=fund)


def statement_run_start(*, year: int, by=None, send_email_to_donors: bool = True) -> StatementRun:
    """Create a run and enqueue it as a background task (the worker, or immediately in tests)."""
    from .tasks import annual_statements_task

    run = StatementRun.objects.create(year=year, created_by=by, send_email=send_email_to_donors)
    audit(run, "donations.statementrun.start", user=by, data={"year": year})
    transaction.on_commit(lambda: annual_statements_task.enqueue(run.pk))
    return run


def donors_for_year(year: int):
    gifts = Donation.objects.filter(donor=OuterRef("pk"), status__in=RECEIVED_STATUSES, received_at__year=year)
    return Donor.objects.filter(Exists(gifts)).order_by("pk")


def statement_run_execute(*, run_id: int, render_only: bool = False):
    """Generate one statement per donor of the year, emailing each; progress saved every few donors. Memory stays flat:
    donors are streamed and each PDF is dropped once sent."""
    run = StatementRun.objects.get(pk=run_id)
    start, end = date(run.year, 1, 1), date(run.year, 12, 31)
    donors = donors_for_year(run.year)
    StatementRun.objects.filter(pk=run.pk).update(status=StatementRun.Status.RUNNING, total=donors.count(), done=0)
    done = 0
    try:
        for donor in donors.iterator(chunk_size=500):
            gifts = (Donation.objects.filter(donor=donor, status__in=RECEIVED_STATUSES, received_at__date__gte=start,
                                             received_at__date__lte=end).select_related("fund", "campaign")
                     .prefetch_related("receipts").order_by("received_at"))
            pdf = statement_pdf(donor, start=start, end=end, gifts=gifts)
            if run.send_email and not render_only:
                send_email(
                    template="donations/statement", to=[donor.email],
                    context={"donor_name": donor.name, "year": run.year},
                    attachments=[(f"giving-statement-{run.year}.pdf", pdf, "application/pdf")],
                )
            done += 1
            if done % PROGRESS_EVERY == 0:
                StatementRun.objects.filter(pk=run.pk).update(done=done)
    except Exception as exc:
        StatementRun.objects.filter(pk=run.pk).update(status=StatementRun.Status.FAILED, done=done, error=str(exc)[:2000])
        raise
    StatementRun.objects.filter(pk=run.pk).update(status=StatementRun.Status.DONE, done=done, finished_at=timezone.now())
