"""Staff screens in the Wagtail admin. Each checks our roles (finance or program staff); everyone else gets 403.
Finance actions (void, reissue or resend a receipt, replay a Stripe event) are for Finance only."""

import csv
import io
from functools import wraps

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import roles
from portal.audit import history_for
from portal.downloads import download_response
from portal.keyset import KeysetPaginator
from portal.money import format_money, split_equally
from portal.spreadsheets import safe_row

from . import accounting, offline, receipt_delivery, receipts, selectors, services
from .admin_forms import (
    DonationFilterForm,
    InstalmentPaymentForm,
    OfflineGiftForm,
    OfflineGiftSaleForm,
    PledgeForm,
    ReissueForm,
)
from .forms import StatementRunForm
from .models import (
    Donation,
    Donor,
    Pledge,
    PledgeInstalment,
    Receipt,
    StatementRun,
    StripeEvent,
)
from .statements import StatementYearError, statement_run_resume, statement_run_start
from .wagtail_hooks import can_see_donations
from .webhooks import RETRY_LIMIT, stripe_event_replay

PAGE_SIZE = 50
EXPORT_COLUMNS = [
    "id",
    "created",
    "received",
    "donor",
    "email",
    "fund",
    "campaign",
    "method",
    "status",
    "amount",
    "fee",
    "net",
    "refunded",
    "currency",
    "anonymous",
    "reference",
    "stripe_checkout_session",
]


def allowed_if(check):
    """A view decorator answering an explicit 403 unless check(user) (Wagtail would turn PermissionDenied into a
    redirect to the dashboard)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not check(request.user):
                return render(request, "403.html", status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def can_act_on_money(user):
    """Voiding, reissuing and resending receipts, replaying Stripe events and recording sales are finance actions:
    Finance (and superusers). Program staff read the same screens."""
    return roles.is_finance(user)


staff_only = allowed_if(can_see_donations)
finance_only = allowed_if(can_act_on_money)


def _donor_from(form):
    data = form.cleaned_data
    return data["donor"] or services.donor_get_or_create(email=data["new_donor_email"], name=data["new_donor_name"])


def _filtered_donations(request):
    """The filter form and its donations; None instead of the donations when a filter is invalid."""
    form = DonationFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, None
    return form, selectors.staff_donations(**form.filters())


def _donation_list_response(request, form, qs):
    """Newest first, a keyset page at a time (?after= / ?before=): the same cost on the last page as on the first,
    and no count of the whole table."""
    status = 200 if qs is not None else 400
    page = KeysetPaginator(
        qs if qs is not None else Donation.objects.none(), ordering=selectors.STAFF_DONATIONS_ORDER, per_page=PAGE_SIZE
    ).page(request.GET)
    query = request.GET.copy()
    for key in ("page", "after", "before"):
        query.pop(key, None)
    return render(
        request,
        "donations/admin/list.html",
        {
            "form": form,
            "page_obj": page,
            "query": query.urlencode(),
            "overdue_count": selectors.overdue_instalments().count(),
            "mismatches": Donation.objects.filter(amount_mismatch=True).count(),
        },
        status=status,
    )


@staff_only
def donation_list(request):
    form, qs = _filtered_donations(request)
    return _donation_list_response(request, form, qs)


def _export_rows(qs):
    for d in qs.iterator(chunk_size=1000):
        yield [
            d.pk,
            d.created_at.isoformat(),
            d.received_at.isoformat() if d.received_at else "",
            d.donor.name,
            d.donor.email,
            d.fund.name,
            d.campaign.title if d.campaign_id else "",
            d.method,
            d.status,
            d.amount,
            d.fee_amount,
            d.net_amount,
            d.refunded_amount,
            d.currency,
            d.anonymous,
            d.reference,
            d.stripe_checkout_session_id or "",
        ]


class _Echo:
    def write(self, value):
        return value


@staff_only
def donation_export(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form, qs = _filtered_donations(request)
    if qs is None:
        # Never fall back to exporting every donation: show the listing with what is wrong.
        return _donation_list_response(request, form, None)
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def rows():
            yield writer.writerow(EXPORT_COLUMNS)
            for row in _export_rows(qs):
                yield writer.writerow(safe_row(row))

        response = StreamingHttpResponse(rows(), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="donations.csv"'
        return response
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Donations")
        ws.append(EXPORT_COLUMNS)
        for row in _export_rows(qs):
            ws.append(safe_row(row))
        buffer = io.BytesIO()
        wb.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="donations.xlsx"'
        return response
    raise Http404


@staff_only
def donation_detail(request, pk):
    donation = get_object_or_404(Donation.objects.select_related("donor", "fund", "campaign", "recurring"), pk=pk)
    return render(
        request,
        "donations/admin/detail.html",
        {
            "donation": donation,
            "receipts": donation.receipts.select_related("replaces").order_by("issued_at"),
            "adjustments": donation.adjustments.all(),
            "audit_entries": history_for(donation),
            "reissue_form": ReissueForm(),
            "can_act_on_money": can_act_on_money(request.user),
            "noncash": accounting.is_noncash(donation),
            "noncash_held": accounting.noncash_held(donation) if accounting.is_noncash(donation) else None,
            "noncash_sale": accounting.noncash_sale(donation) if accounting.is_noncash(donation) else None,
        },
    )


@staff_only
def donor_detail(request, pk):
    donor = get_object_or_404(Donor, pk=pk)
    page = Paginator(selectors.staff_donor_gifts(donor), PAGE_SIZE)
    return render(
        request,
        "donations/admin/donor.html",
        {
            "donor": donor,
            "page_obj": page.get_page(request.GET.get("page")),
            "totals": selectors.donor_totals(donor),
            "pledges": donor.pledges.prefetch_related("instalments"),
            "recurring": selectors.staff_donor_recurring(donor),
        },
    )


@staff_only
def offline_gift_create(request):
    form = OfflineGiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            donation = offline.donation_record_offline(
                donor=_donor_from(form), by=request.user, **form.service_kwargs()
            )
        except offline.OfflineGiftError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Gift #%(id)s recorded; the receipt is on its way.") % {"id": donation.pk})
            return redirect("donations_admin:detail", donation.pk)
    return render(request, "donations/admin/form.html", {"form": form, "title": _("Record an offline gift")})


@staff_only
def pledge_list(request):
    pledges = Pledge.objects.select_related("donor", "campaign").prefetch_related("instalments").order_by("-pledged_on")
    page = Paginator(pledges, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "donations/admin/pledges.html",
        {
            "page_obj": page,
            "overdue": selectors.overdue_instalments()[:100],
            "payment_form": InstalmentPaymentForm(),
        },
    )


@staff_only
def pledge_create(request):
    form = PledgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        shares = split_equally(data["amount"], data["instalments"])
        schedule = [
            (data["first_due"] + relativedelta(months=i * data["interval_months"]), share)
            for i, share in enumerate(shares)
        ]
        try:
            offline.pledge_create(
                donor=_donor_from(form),
                fund=data["fund"],
                campaign=data["campaign"],
                amount=data["amount"],
                pledged_on=data["pledged_on"],
                schedule=schedule,
                note=data["note"],
                by=request.user,
            )
        except offline.OfflineGiftError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Pledge recorded."))
            return redirect("donations_admin:pledges")
    return render(request, "donations/admin/form.html", {"form": form, "title": _("Record a pledge")})


@staff_only
@require_POST
def instalment_pay(request, pk):
    instalment = get_object_or_404(PledgeInstalment, pk=pk)
    form = InstalmentPaymentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the payment method and date."))
        return redirect("donations_admin:pledges")
    try:
        offline.pledge_instalment_pay(instalment=instalment, by=request.user, **form.cleaned_data)
    except offline.OfflineGiftError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Instalment recorded."))
    return redirect("donations_admin:pledges")


@finance_only
def offline_gift_sale(request, pk):
    """Record what a gift of securities fetched when it was sold (it moves money in the ledger: finance only)."""
    donation = get_object_or_404(Donation.objects.select_related("fund", "donor"), pk=pk)
    if not accounting.is_noncash(donation):
        messages.error(request, _("Only gifts of securities are sold; this gift was money."))
        return redirect("donations_admin:detail", donation.pk)
    form = OfflineGiftSaleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            offline.offline_gift_record_sale(donation=donation, by=request.user, **form.cleaned_data)
        except offline.OfflineGiftError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Sale of gift #%(id)s recorded.") % {"id": donation.pk})
            return redirect("donations_admin:detail", donation.pk)
    sale = accounting.noncash_sale(donation)
    intro = (
        _("The sale of this gift is already recorded.")
        if sale is not None
        else _(
            "%(description)s, booked at %(value)s when given. The proceeds go to cash; the difference is a gain or loss "
            "on sale."
        )
        % {
            "description": donation.description or _("securities"),
            "value": format_money(accounting.noncash_held(donation), donation.currency),
        }
    )
    return render(
        request,
        "donations/admin/form.html",
        {
            "form": form,
            "intro": intro,
            "title": _("Record the sale of gift #%(id)s") % {"id": donation.pk},
        },
    )


@finance_only
@require_POST
def receipt_reissue(request, pk):
    receipt = get_object_or_404(Receipt, pk=pk)
    form = ReissueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for cancelling the receipt."))
    else:
        try:
            new = receipts.receipt_cancel_and_replace(
                receipt=receipt, by=request.user, reason=form.cleaned_data["reason"]
            )
        except receipts.ReceiptError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Receipt %(old)s cancelled and replaced by %(new)s.") % {"old": receipt.serial, "new": new.serial},
            )
    return redirect("donations_admin:detail", receipt.donation_id)


@finance_only
@require_POST
def receipt_resend(request, pk):
    receipt = get_object_or_404(Receipt.objects.select_related("donation__donor"), pk=pk)
    try:
        receipt_delivery.receipt_resend(receipt=receipt, by=request.user)
    except receipts.ReceiptError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Receipt %(serial)s sent again to %(email)s.")
            % {"serial": receipt.serial, "email": receipt.donation.donor.email},
        )
    return redirect("donations_admin:detail", receipt.donation_id)


@staff_only
def receipt_download(request, pk):
    receipt = get_object_or_404(Receipt, pk=pk)
    if not receipt.pdf:
        raise Http404
    return download_response(receipt.pdf, filename=f"receipt-{receipt.serial}.pdf", content_type="application/pdf")


@staff_only
def event_list(request):
    qs = StripeEvent.objects.defer("payload").order_by("-received_at", "-pk")
    state = request.GET.get("state", "")
    if state == "failed":
        qs = qs.filter(processed_at__isnull=True).exclude(error="")
    elif state == "deferred":
        qs = qs.filter(processed_at__isnull=True).exclude(deferred_key="")
    elif state == "queued":
        qs = qs.filter(processed_at__isnull=True, deferred_key="", error="")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page:
        event.retries_left = event.state in ("failed", "received") and event.attempts < RETRY_LIMIT
    return render(
        request,
        "donations/admin/events.html",
        {
            "page_obj": page,
            "state": state,
            "query": f"state={state}",
            "can_act_on_money": can_act_on_money(request.user),
        },
    )


@finance_only
@require_POST
def event_replay(request, pk):
    event = get_object_or_404(StripeEvent, pk=pk)
    result = stripe_event_replay(event=event, by=request.user)
    level = messages.SUCCESS if result in ("processed", "duplicate", "ignored") else messages.WARNING
    messages.add_message(request, level, _("Event %(id)s: %(result)s") % {"id": event.event_id, "result": result})
    return redirect("donations_admin:events")


@staff_only
def statement_runs(request):
    form = StatementRunForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            year = form.cleaned_data["year"]
            statement_run_start(year=year, by=request.user)
            messages.success(request, _("Statements for %(year)s are being generated.") % {"year": year})
            return redirect("donations_admin:statements")
        status = 400
    else:
        status = 200
    return render(
        request,
        "donations/admin/statements.html",
        {"form": form, "runs": StatementRun.objects.all()[:20]},
        status=status,
    )


@staff_only
def statement_progress(request):
    """The recent runs' progress, polled by static/js/statement-progress.js while a run is going."""
    runs = StatementRun.objects.all()[:20]
    return JsonResponse(
        {
            "runs": [
                {
                    "id": run.pk,
                    "status": run.status,
                    "status_label": str(run.get_status_display()),
                    "done": run.done,
                    "total": run.total,
                    "percent": run.percent,
                }
                for run in runs
            ]
        }
    )


@staff_only
@require_POST
def statement_resume(request, pk):
    run = get_object_or_404(StatementRun, pk=pk)
    try:
        statement_run_resume(run=run, by=request.user)
    except StatementYearError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Statements for %(year)s are resuming: donors already emailed are skipped.") % {"year": run.year},
        )
    return redirect("donations_admin:statements")
