"""Grantee side: see an award, download the agreement, accept or decline it, give bank details. Thin views."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applicants.models import Organisation
from grants.impact.models import ImpactReport
from portal.confirm import confirm_page, is_confirmed
from portal.downloads import download_response
from portal.money import format_money
from portal.net import client_ip

from . import permissions, selectors, services
from .forms import AcceptAwardForm, BankDetailsForm, DeclineAwardForm
from .models import Award, BankDetails
from .pdf import agreement_pdf


def _award_for(request, pk) -> Award:
    # An offer staff are still preparing does not exist for the grantee yet.
    award = get_object_or_404(Award.objects.sent().select_related("application", "organisation", "fund"), pk=pk)
    if not permissions.can_view_award(request.user, award)[0]:
        raise Http404  # never confirm that someone else's award exists
    return award


@login_required
def award_list(request):
    awards = (
        Award.objects.for_member(request.user)
        .select_related("application", "organisation")
        .order_by("-offered_at", "-pk")
    )
    page = Paginator(awards, 20).get_page(request.GET.get("page"))
    return render(request, "awards/award_list.html", {"awards": awards, "page": page, "page_title": _("Your awards")})


def _detail_context(request, award, **extra) -> dict:
    is_owner = permissions.can_respond_to_offer(request.user, award)[0]
    tranches = list(award.tranches.all())
    for tranche in tranches:
        tranche.award = award
    selectors.annotate_waiting(tranches)
    return {
        "award": award,
        "tranches": tranches,
        "reports": ImpactReport.objects.filter(award=award).order_by("period_start", "number"),
        "can_respond": is_owner and award.status == Award.Status.OFFERED,
        "is_owner": is_owner,
        "accept_form": AcceptAwardForm(),
        "decline_form": DeclineAwardForm(),
        "page_title": _("Award %(ref)s") % {"ref": award.application},
        **extra,
    }


@login_required
def award_detail(request, pk):
    award = _award_for(request, pk)
    return render(request, "awards/award_detail.html", _detail_context(request, award))


@login_required
def award_agreement(request, pk):
    award = _award_for(request, pk)
    return download_response(
        agreement_pdf(award), filename=f"grant-agreement-{award.application}.pdf", content_type="application/pdf"
    )


def _client_ip(request):
    return client_ip(request)


@login_required
@require_POST
def award_accept(request, pk):
    award = _award_for(request, pk)
    form = AcceptAwardForm(request.POST)
    if form.is_valid():
        try:
            services.award_accept(
                award=award,
                by=request.user,
                typed_name=form.cleaned_data["typed_name"],
                agreed=form.cleaned_data["agree"],
                ip=_client_ip(request),
            )
        except services.AwardError as exc:
            form.add_error(None, str(exc))
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Thank you: the grant agreement is accepted."))
            return redirect("awards:award_detail", pk=award.pk)
    return render(request, "awards/award_detail.html", _detail_context(request, award, accept_form=form), status=400)


@login_required
@require_POST
def award_decline(request, pk):
    """Declining is restated on a confirmation page first: the offer ends and cannot be accepted afterwards."""
    award = _award_for(request, pk)
    detail = reverse("awards:award_detail", args=[award.pk])
    form = DeclineAwardForm(request.POST)
    if not form.is_valid():
        return redirect(detail)
    if not is_confirmed(request):
        return confirm_page(
            request,
            title=_("Decline the grant offer %(ref)s?") % {"ref": award.application},
            consequences=[
                _("The offer of %(amount)s to %(org)s ends now. It cannot be accepted afterwards.")
                % {"amount": format_money(award.amount, award.currency), "org": award.organisation.name},
                _("The money goes back to the fund for other groups."),
                _("The fund's staff are told, with your reason if you gave one."),
            ],
            action=request.path,
            cancel_url=detail,
            confirm_label=_("Decline the offer"),
            danger=True,
        )
    try:
        services.award_decline(award=award, by=request.user, reason=form.cleaned_data["reason"])
    except (services.AwardError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, _("You declined the award. Thank you for letting us know."))
    return redirect(detail)


def _organisation_for_owner(request, slug) -> Organisation:
    organisation = get_object_or_404(Organisation, slug=slug)
    if not permissions.can_change_bank_details(request.user, organisation)[0]:
        raise Http404
    return organisation


@login_required
def bank_details(request, slug):
    organisation = _organisation_for_owner(request, slug)
    details = BankDetails.objects.filter(organisation=organisation).first()
    return render(
        request,
        "awards/bank_details.html",
        {
            "organisation": organisation,
            "details": details,
            "page_title": _("Bank details"),
        },
    )


@login_required
@reauthentication_required
def bank_details_edit(request, slug):
    organisation = _organisation_for_owner(request, slug)
    details = BankDetails.objects.filter(organisation=organisation).first()
    initial = (
        {"account_name": details.account_name, "account_type": details.account_type, "country": details.country}
        if details
        else {"country": organisation.country if organisation.country in BankDetails.Country.values else "US"}
    )
    form = BankDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.bank_details_set(organisation=organisation, by=request.user, **form.cleaned_data)
        except services.AwardError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Bank details saved. Every owner of the organisation has been told by email."))
            return redirect("awards:bank_details", slug=organisation.slug)
    return render(
        request,
        "awards/bank_details_form.html",
        {
            "organisation": organisation,
            "form": form,
            "details": details,
            "page_title": _("Change bank details"),
        },
    )
