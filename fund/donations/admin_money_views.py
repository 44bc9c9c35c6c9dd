"""Finance screens for money after the gift: the Stripe reconciliation (payouts and what each contains) and
housekeeping (cancel or write off a pledge, void an offline gift or record a bounced cheque, refund through Stripe
with four eyes above a set amount). Reading is for donations staff; every action is Finance only."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.forms import MoneyField
from portal.keyset import KeysetPaginator
from portal.money import format_money

from . import housekeeping, payouts
from .admin_views import finance_only, staff_only
from .models import Donation, Pledge, RefundRequest, StripeBalanceTransaction, StripePayout, StripePayoutShare

PAGE_SIZE = 50
PAYOUTS_ORDER = ("-arrival_date", "-pk")  # matched by the index stripepayout_arrival_desc (keyset pages)
ZERO_DECIMAL = Value(0, output_field=DecimalField(max_digits=14, decimal_places=2))


class ConfirmForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)
    confirm = forms.BooleanField(label=gettext_lazy("I understand this is posted to the ledger and cannot be undone"))


class PledgeCancelForm(ConfirmForm):
    outcome = forms.ChoiceField(
        label=gettext_lazy("What happened"),
        choices=[
            ("cancel", gettext_lazy("Cancelled: the donor withdrew the pledge by agreement")),
            ("write_off", gettext_lazy("Written off: the donor cannot pay")),
        ],
        widget=forms.RadioSelect,
    )


class VoidForm(ConfirmForm):
    outcome = forms.ChoiceField(
        label=gettext_lazy("What happened"),
        choices=[
            ("bounced", gettext_lazy("The bank returned the cheque unpaid")),
            ("void", gettext_lazy("The gift was recorded in error")),
        ],
        widget=forms.RadioSelect,
    )


class RefundForm(forms.Form):
    amount = MoneyField(label=gettext_lazy("Amount to refund"), max_digits=14, decimal_places=2, min_value=0.01)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)
    confirm = forms.BooleanField(label=gettext_lazy("Refund this amount to the donor's card"))


def _payouts_with_totals():
    lines = StripeBalanceTransaction.objects.filter(payout=OuterRef("pk")).exclude(type="payout")
    net = lines.values("payout").annotate(total=Sum("net")).values("total")
    unmatched = lines.filter(donation__isnull=True).values("payout").annotate(n=Count("pk")).values("n")
    shares = StripePayoutShare.objects.filter(payout=OuterRef("pk")).values("payout").annotate(t=Sum("amount"))
    return StripePayout.objects.annotate(
        lines_net=Coalesce(Subquery(net), ZERO_DECIMAL),
        unmatched=Coalesce(Subquery(unmatched), 0),
        posted=Coalesce(Subquery(shares.values("t")), ZERO_DECIMAL),
    ).order_by(*PAYOUTS_ORDER)


@staff_only
def payout_list(request):
    """Newest arrival first, a keyset page at a time; each payout's totals are subqueries over its own lines only."""
    page = KeysetPaginator(_payouts_with_totals(), ordering=PAYOUTS_ORDER, per_page=PAGE_SIZE).page(request.GET)
    for payout in page:
        payout.matches = (
            payout.lines_net == payout.amount
            and payout.unmatched == 0
            and (payout.status != "paid" or payout.posted == payout.amount)
        )
    unassigned = StripeBalanceTransaction.objects.filter(payout__isnull=True).exclude(type="payout")
    return render(
        request,
        "donations/admin/payouts.html",
        {
            "page_obj": page,
            "unassigned": unassigned.aggregate(n=Count("pk"), net=Sum("net")),
            "unmatched_lines": StripeBalanceTransaction.objects.filter(donation__isnull=True)
            .exclude(type="payout")
            .order_by("-created")[:50],
        },
    )


@staff_only
def payout_detail(request, pk):
    payout = get_object_or_404(StripePayout, pk=pk)
    return render(request, "donations/admin/payout_detail.html", {"summary": payouts.payout_summary(payout)})


def _confirm_page(request, form, title, intro, status=200):
    return render(request, "donations/admin/form.html", {"form": form, "title": title, "intro": intro}, status=status)


@finance_only
def pledge_cancel(request, pk):
    pledge = get_object_or_404(Pledge.objects.select_related("donor", "fund"), pk=pk)
    form = PledgeCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            housekeeping.pledge_cancel(
                pledge=pledge,
                by=request.user,
                reason=form.cleaned_data["reason"],
                write_off=form.cleaned_data["outcome"] == "write_off",
            )
        except (housekeeping.HousekeepingError, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The unpaid part of the pledge is reversed out of revenue."))
            return redirect("donations_admin:pledges")
    intro = _("%(donor)s pledged %(amount)s; %(unpaid)s is unpaid and will be taken out of revenue.") % {
        "donor": pledge.donor.name,
        "amount": format_money(pledge.amount, pledge.currency),
        "unpaid": format_money(housekeeping.pledge_unpaid(pledge), pledge.currency),
    }
    return _confirm_page(request, form, _("Cancel or write off pledge #%(id)s") % {"id": pledge.pk}, intro)


@finance_only
def offline_gift_void(request, pk):
    donation = get_object_or_404(Donation.objects.select_related("donor"), pk=pk)
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            housekeeping.offline_gift_void(
                donation=donation,
                by=request.user,
                reason=form.cleaned_data["reason"],
                bounced=form.cleaned_data["outcome"] == "bounced",
            )
        except (housekeeping.HousekeepingError, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Gift #%(id)s is reversed and its receipt cancelled.") % {"id": donation.pk})
            return redirect("donations_admin:detail", donation.pk)
    intro = _("%(method)s gift of %(amount)s from %(donor)s. Its posting is reversed and its receipt cancelled.") % {
        "method": donation.get_method_display(),
        "amount": format_money(donation.amount, donation.currency),
        "donor": donation.donor.name,
    }
    return _confirm_page(request, form, _("Void gift #%(id)s") % {"id": donation.pk}, intro)


@finance_only
def refund_create(request, pk):
    donation = get_object_or_404(Donation.objects.select_related("donor"), pk=pk)
    form = RefundForm(request.POST or None, initial={"amount": housekeeping.refundable(donation)})
    if request.method == "POST" and form.is_valid():
        try:
            refund = housekeeping.refund_request_create(
                donation=donation,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except (housekeeping.HousekeepingError, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            if refund.status == RefundRequest.Status.NEEDS_APPROVAL:
                messages.info(request, _("Refund requested: another finance officer must approve it."))
            elif refund.status == RefundRequest.Status.FAILED:
                messages.error(request, _("Stripe refused the refund: %(error)s") % {"error": refund.error})
            else:
                messages.success(request, _("Refunded through Stripe."))
            return redirect("donations_admin:detail", donation.pk)
    intro = _(
        "Up to %(left)s can be refunded. Refunds above %(limit)s need a second finance officer. Stripe keeps its fee."
    ) % {
        "left": format_money(housekeeping.refundable(donation), donation.currency),
        "limit": format_money(housekeeping.four_eyes_threshold(), donation.currency),
    }
    return _confirm_page(request, form, _("Refund gift #%(id)s") % {"id": donation.pk}, intro)


@staff_only
def refund_requests(request):
    qs = RefundRequest.objects.select_related("donation__donor", "requested_by", "approved_by")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "donations/admin/refunds.html", {"page_obj": page})


@finance_only
@require_POST
def refund_decide(request, pk, decision):
    refund = get_object_or_404(RefundRequest, pk=pk)
    try:
        if decision == "approve":
            refund = housekeeping.refund_request_approve(request=refund, by=request.user)
            if refund.status == RefundRequest.Status.FAILED:
                messages.error(request, _("Stripe refused the refund: %(error)s") % {"error": refund.error})
            else:
                messages.success(request, _("Refund approved and sent to Stripe."))
        else:
            housekeeping.refund_request_reject(request=refund, by=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("Refund rejected."))
    except (housekeeping.HousekeepingError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    return redirect("donations_admin:refunds")
