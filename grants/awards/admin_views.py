"""Staff screens in the Wagtail admin: awards (program staff), payments and the finance dashboard (finance; program
staff may read). Every view checks our own roles, so an Editor with admin access gets a 403."""

from functools import wraps

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fund.models import Fund
from fund.selectors import fund_balances, ledger_transactions
from portal.audit import history_for
from portal.confirm import confirm_page, is_confirmed
from portal.downloads import download_response
from portal.keyset import KeysetPaginator
from portal.money import format_money

from . import payments, permissions, selectors
from .forms import ReturnForm
from .models import Award, BankDetails, Disbursement, PaymentBatch, Tranche

PAGE_SIZE = 25


def requires(check):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            allowed, reason = check(request.user)
            if not allowed:
                return render(
                    request,
                    "awards/admin/forbidden.html",
                    {"reason": reason, "page_title": _("Not allowed"), "header_title": _("Not allowed")},
                    status=403,
                )
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _admin(request, template, context):
    context.setdefault("header_title", context.get("page_title"))
    return render(request, f"awards/admin/{template}", context)


def _award(pk):
    return get_object_or_404(Award.objects.select_related("application", "organisation", "round", "fund"), pk=pk)


@requires(permissions.can_handle_payments)
@require_POST
def tranche_prepare(request, pk):
    tranche = get_object_or_404(Tranche.objects.select_related("award"), pk=pk)
    try:
        payments.disbursement_prepare(tranche=tranche, by=request.user)
        messages.success(request, _("Payment prepared. Another finance officer must approve it."))
    except payments.PaymentError as exc:
        messages.error(request, str(exc))
    return redirect("awards_admin:award_detail", pk=tranche.award_id)


@requires(permissions.can_view_money)
def disbursement_list(request):
    status = request.GET.get("status", "pending")
    qs = Disbursement.objects.select_related(
        "tranche__award__organisation", "tranche__award__application", "prepared_by", "approved_by", "batch"
    )
    if status in Disbursement.Status.values:
        qs = qs.filter(status=status)
    # Keyset pages (portal/keyset.py): the last page costs what the first does, and nothing counts the whole table.
    page = KeysetPaginator(qs, ordering=("-prepared_at", "-pk"), per_page=PAGE_SIZE).page(request.GET)
    return _admin(
        request,
        "disbursement_list.html",
        {
            "page": page,
            "status": status,
            "statuses": Disbursement.Status.choices,
            "is_finance": permissions.can_handle_payments(request.user)[0],
            "page_title": _("Payments"),
        },
    )


@requires(permissions.can_handle_payments)
@reauthentication_required
def disbursement_approve(request, pk):
    """Four eyes: shown after re-authentication; the service refuses the preparer whatever the screen shows."""
    disbursement = get_object_or_404(
        Disbursement.objects.select_related("tranche__award__organisation", "prepared_by"), pk=pk
    )
    if request.method == "POST":
        try:
            payments.disbursement_approve(disbursement=disbursement, by=request.user)
            messages.success(request, _("Payment approved."))
            return redirect("awards_admin:disbursement_list")
        except payments.PaymentError as exc:
            messages.error(request, str(exc))
    return _admin(
        request,
        "disbursement_approve.html",
        {
            "disbursement": disbursement,
            "payee": BankDetails.objects.filter(organisation=disbursement.tranche.award.organisation).first(),
            "own": disbursement.prepared_by_id == request.user.pk,
            "audit_entries": history_for(disbursement),
            "page_title": _("Approve a payment"),
        },
    )


@requires(permissions.can_handle_payments)
@require_POST
def disbursement_cancel(request, pk):
    disbursement = get_object_or_404(Disbursement, pk=pk)
    try:
        payments.disbursement_cancel(disbursement=disbursement, by=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("Payment cancelled."))
    except payments.PaymentError as exc:
        messages.error(request, str(exc))
    return redirect("awards_admin:disbursement_list")


@requires(permissions.can_handle_payments)
@require_POST
def disbursement_return(request, pk):
    disbursement = get_object_or_404(Disbursement.objects.select_related("batch"), pk=pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            payments.disbursement_mark_returned(
                disbursement=disbursement, by=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Payment marked returned; the tranche can be paid again."))
        except payments.PaymentError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Give the bank's return reason."))
    return (
        redirect("awards_admin:batch_detail", pk=disbursement.batch_id)
        if disbursement.batch_id
        else redirect("awards_admin:disbursement_list")
    )


@requires(permissions.can_view_money)
def batch_list(request):
    qs = PaymentBatch.objects.select_related("fund", "created_by").order_by("-created_at", "-pk")
    funds = Fund.objects.order_by("name")
    return _admin(
        request,
        "batch_list.html",
        {
            "page": _page(request, qs),
            "funds": funds,
            "is_finance": permissions.can_handle_payments(request.user)[0],
            "page_title": _("Payment batches"),
        },
    )


@requires(permissions.can_handle_payments)
@require_POST
def batch_create(request):
    fund = get_object_or_404(Fund, pk=request.POST.get("fund"))
    try:
        batch = payments.payment_batch_create(fund=fund, by=request.user)
    except payments.PaymentError as exc:
        messages.error(request, str(exc))
        return redirect("awards_admin:batch_list")
    messages.success(request, _("Batch %(ref)s created. Download its file for the bank.") % {"ref": batch.reference})
    return redirect("awards_admin:batch_detail", pk=batch.pk)


@requires(permissions.can_view_money)
def batch_detail(request, pk):
    batch = get_object_or_404(PaymentBatch.objects.select_related("fund"), pk=pk)
    disbursements = batch.disbursements.select_related(
        "tranche__award__organisation", "tranche__award__application"
    ).order_by("trace_number")
    return _admin(
        request,
        "batch_detail.html",
        {
            "batch": batch,
            "disbursements": disbursements,
            "return_form": ReturnForm(),
            "is_finance": permissions.can_handle_payments(request.user)[0],
            "page_title": _("Payment batch %(ref)s") % {"ref": batch.reference},
        },
    )


@requires(permissions.can_handle_payments)
def batch_download(request, pk, fmt):
    batch = get_object_or_404(PaymentBatch.objects.select_related("fund"), pk=pk)
    if fmt not in ("csv", "bank", "nacha"):  # "nacha": the older name of the US bank file
        raise Http404
    try:
        if fmt in ("bank", "nacha"):
            content, mime, name = payments.payment_batch_file(batch=batch, by=request.user)
        else:
            content, mime, name = (
                payments.payment_batch_csv(batch=batch, by=request.user),
                "text/csv",
                f"{batch.reference}.csv",
            )
    except payments.PaymentError as exc:
        messages.error(request, str(exc))
        return redirect("awards_admin:batch_detail", pk=batch.pk)
    return download_response(content, filename=name, content_type=mime)


@requires(permissions.can_handle_payments)
def batch_mark_paid(request, pk):
    """The bank confirmed the file: restated first (what is posted, who is emailed), then marked paid."""
    batch = get_object_or_404(PaymentBatch.objects.select_related("fund"), pk=pk)
    detail = reverse("awards_admin:batch_detail", args=[batch.pk])
    if batch.status == PaymentBatch.Status.PAID:
        messages.info(request, _("This batch is already marked paid."))
        return redirect(detail)
    if not is_confirmed(request):
        count = batch.disbursements.filter(status=Disbursement.Status.EXPORTED).count()
        return confirm_page(
            request,
            admin=True,
            title=_("Mark %(ref)s paid?") % {"ref": batch.reference},
            consequences=[
                _("The bank confirmed every payment in %(ref)s: %(n)s payments, %(total)s, settling on %(day)s.")
                % {
                    "ref": batch.reference,
                    "n": count,
                    "total": format_money(batch.total, batch.fund.currency),
                    "day": batch.effective_date.isoformat(),
                },
                _(
                    "Each payment is posted to the ledger as paid (grants payable to cash). This cannot be undone: a "
                    "payment the bank sends back is recorded as returned, separately."
                ),
                _("Each grantee's owners are emailed that their payment was sent."),
                _("An award with nothing else outstanding closes."),
            ],
            action=request.path,
            cancel_url=detail,
            confirm_label=_("Mark the batch paid"),
            data={},
        )
    try:
        payments.payment_batch_mark_paid(batch=batch, by=request.user)
    except payments.PaymentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Batch marked paid and posted to the ledger."))
    return redirect(detail)


@requires(permissions.can_view_money)
def finance_dashboard(request):
    funds = list(Fund.objects.order_by("name"))
    fund = next((f for f in funds if str(f.pk) == request.GET.get("fund")), funds[0] if funds else None)
    context = {"funds": funds, "fund": fund, "page_title": _("Finance dashboard")}
    if fund is not None:
        upcoming = list(selectors.upcoming_tranches(fund, limit=20))
        overdue = {}
        for t in upcoming:
            if t.award.organisation_id not in overdue:
                overdue[t.award.organisation_id] = selectors.has_overdue_reports(t.award.organisation)
        selectors.annotate_waiting(upcoming)
        held = [t for t in upcoming if overdue[t.award.organisation_id]]
        context.update(
            {
                "balances": fund_balances(fund),
                "rounds": selectors.round_budgets(fund),
                "upcoming": upcoming,
                "held": held,
                "recent": ledger_transactions(fund)[:15],
                "today": timezone.localdate(),
            }
        )
    return _admin(request, "finance_dashboard.html", context)
