"""Public giving pages and the donor portal. Thin: each view translates HTTP to a selector or service call."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail import hooks

from fund.models import Campaign
from portal.downloads import download_response

from . import conf, ratelimit, selectors, services
from .forms import DonateForm, DonorAddressForm, StatementRangeForm, donate_form_context
from .models import Donation, DonationStatus, RecurringDonation
from .statements import statement_pdf
from .stripe_client import (
    StripeNotConfigured,
    as_dict,
    billing_portal_session_create,
    checkout_session_retrieve,
)

logger = logging.getLogger(__name__)


def _campaign_from(request):
    slug = request.GET.get("campaign") or request.POST.get("campaign")
    return Campaign.objects.select_related("fund").filter(slug=slug).first() if slug else None


def donate(request):
    campaign = _campaign_from(request)
    context = donate_form_context(request, campaign=campaign)
    status = 200
    if request.method == "POST" and not context.get("donate_unavailable"):
        form = DonateForm(request.POST, fund=context["donate_fund"], campaign=campaign)
        context["donate_form"] = form
        if not context["donate_ready"]:
            messages.error(request, _("Online giving is not set up yet."))
        elif form.is_valid():
            if not ratelimit.checkout_allowed(ip=ratelimit.client_ip(request), email=form.cleaned_data["email"]):
                context["donate_error"] = _(
                    "Too many attempts to give from this connection or email address. Please wait a few minutes and try again."
                )
                status = 429
            else:
                try:
                    _donation, url = services.donation_start_checkout(
                        **form.service_kwargs(), language=get_language(), by=request.user
                    )
                except services.DonationError as exc:
                    context["donate_error"] = str(exc)
                    status = 502
                else:
                    return redirect(url)
        else:
            status = 400
    context.update(
        {
            "campaign": campaign,
            "page_title": _("Donate"),
            "progress": selectors.campaign_progress(campaign) if campaign else None,
        }
    )
    return render(request, "donations/donate.html", context, status=status)


def thanks(request):
    """Shows the gift as soon as it is confirmed: by the webhook, or here by asking Stripe (same service, exactly once)."""
    session_id = (request.GET.get("session_id") or "")[:100]
    donation = (
        Donation.objects.select_related("campaign", "fund").filter(stripe_checkout_session_id=session_id).first()
        if session_id
        else None
    )
    if donation is None:
        raise Http404(_("We could not find that gift."))
    if donation.status == "pending" and not donation.amount_mismatch:
        try:
            session = as_dict(checkout_session_retrieve(session_id))
            if session.get("status") == "complete":
                donation = services.donation_record_from_checkout(session=session)
        except (StripeNotConfigured, services.DonationError):
            logger.warning("Could not confirm session %s on redirect", session_id)
        except Exception:  # Stripe unreachable: the webhook will confirm it; the page says so.
            logger.exception("Stripe retrieve failed on thanks page")
        donation.refresh_from_db()
    progress = selectors.campaign_progress(donation.campaign) if donation.campaign_id else None
    state = _thanks_state(donation)
    attempt = _attempt_from(request)
    refresh_url = None
    if state == "pending" and attempt < THANKS_REFRESH_LIMIT:
        refresh_url = f"{reverse('donations:thanks')}?{urlencode({'session_id': session_id, 'attempt': attempt + 1})}"
    retry_url = reverse("donations:donate")
    if donation.campaign_id:
        retry_url += f"?{urlencode({'campaign': donation.campaign.slug})}"
    return render(
        request,
        "donations/thanks.html",
        {
            "donation": donation,
            "progress": progress,
            "page_title": _("Thank you"),
            "confirmed": state == "confirmed",
            "state": state,
            "refresh_url": refresh_url,
            "refresh_seconds": THANKS_REFRESH_SECONDS,
            "retry_url": retry_url,
        },
    )


# The thank-you page polls while Stripe has not told us yet, for about two minutes; then it says the email will follow.
THANKS_REFRESH_SECONDS = 5
THANKS_REFRESH_LIMIT = 24


def _thanks_state(donation) -> str:
    """confirmed, mismatch (staff check it), failed (card declined), ended (cancelled or expired) or pending."""
    if donation.is_received:
        return "confirmed"
    if donation.amount_mismatch:
        return "mismatch"
    if donation.status == DonationStatus.FAILED:
        return "failed"
    if donation.status == DonationStatus.CANCELED:
        return "ended"
    return "pending"


def _attempt_from(request) -> int:
    value = (request.GET.get("attempt") or "")[:6]
    return int(value) if value.isdigit() else 0


# --- Donor portal -----------------------------------------------------------------------------------------------------


def _donor_or_none(request):
    donor = selectors.donor_for_user(request.user)
    if donor is not None and donor.user_id is None:
        donor = services.donor_link_user(donor=donor, user=request.user)
    return donor


@login_required
def donor_home(request):
    donor = _donor_or_none(request)
    if donor is None:
        return render(request, "donations/donor_empty.html", {"page_title": _("Your giving")})
    page = Paginator(selectors.donor_gifts(donor), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "donations/donor_home.html",
        {
            "donor": donor,
            "page_obj": page,
            "totals": selectors.donor_totals(donor, for_the_donor=True),
            "recurring": RecurringDonation.objects.filter(donor=donor)
            .exclude(status="pending")
            .select_related("campaign"),
            "statement_form": StatementRangeForm(),
            "followed_grants": _followed_grants(donor),
            "page_title": _("Your giving"),
        },
    )


def _followed_grants(donor) -> list:
    """Follow your gift: grants paid for by the campaigns this donor gave to (the public site's apps answer through
    the "donor_followed_grants" hook; fund never imports them)."""
    campaign_ids = selectors.donor_campaign_ids(donor)
    if not campaign_ids:
        return []
    return [grant for fn in hooks.get_hooks("donor_followed_grants") for grant in fn(campaign_ids)]


@login_required
def donor_receipt(request, pk):
    donor = _donor_or_none(request)
    receipt = selectors.receipt_for_donor(donor, pk) if donor else None
    if receipt is None or not receipt.pdf:
        raise Http404
    return download_response(receipt.pdf, filename=f"receipt-{receipt.serial}.pdf", content_type="application/pdf")


@login_required
def donor_statement(request):
    donor = _donor_or_none(request)
    if donor is None:
        raise Http404
    form = StatementRangeForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Choose a valid date range for your statement."))
        return redirect("donations:donor_home")
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    pdf = statement_pdf(donor, start=start, end=end, gifts=selectors.donor_statement_gifts(donor, start=start, end=end))
    return download_response(pdf, filename=f"statement-{start}-{end}.pdf", content_type="application/pdf")


@login_required
def donor_address(request):
    donor = _donor_or_none(request)
    if donor is None:
        raise Http404
    form = DonorAddressForm(request.POST or None, instance=donor)
    if request.method == "POST" and form.is_valid():
        services.donor_update_address(
            donor=donor,
            by=request.user,
            name=form.cleaned_data["name"],
            address={k: form.cleaned_data.get(k, "") for k in services.ADDRESS_FIELDS},
        )
        messages.success(request, _("Your address is updated. New receipts will use it."))
        return redirect("donations:donor_home")
    return render(request, "donations/donor_address.html", {"form": form, "page_title": _("Your address")})


@login_required
@require_POST
def donor_manage_recurring(request, pk):
    donor = _donor_or_none(request)
    recurring = get_object_or_404(RecurringDonation, pk=pk, donor=donor) if donor else None
    if recurring is None:
        raise Http404
    if not donor.stripe_customer_id or not conf.stripe_configured():
        messages.error(request, _("This monthly gift cannot be changed online. Please contact us."))
        return redirect("donations:donor_home")
    try:
        portal = billing_portal_session_create(
            customer_id=donor.stripe_customer_id, return_url=request.build_absolute_uri(reverse("donations:donor_home"))
        )
    except Exception:
        logger.exception("Billing portal session failed")
        messages.error(request, _("We could not reach our payment processor. Please try again later."))
        return redirect("donations:donor_home")
    return redirect(portal["url"])
