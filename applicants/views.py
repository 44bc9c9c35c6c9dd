"""Thin views: organisation profile, members, invitations, switcher."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import InvitationForm, MemberRoleForm, MembershipPreferencesForm, OrganisationForm
from .models import Membership
from .permissions import can_manage_members

PENDING_INVITATION_KEY = "pending_invitation_token"


def _organisation_for_member(request, slug):
    """404 unless the user belongs to the organisation (no hint that it exists)."""
    organisation = selectors.organisations_for_user(request.user).filter(slug=slug).first()
    if organisation is None:
        raise Http404
    return organisation


def _apply_errors(form, exc):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            selectors.set_current_organisation(request, organisation)
            messages.success(
                request, _("%(name)s is registered. You can now apply for funding.") % {"name": organisation.name}
            )
            return redirect("applicants:organisation_detail", slug=organisation.slug)
    return render(
        request, "applicants/organisation_form.html", {"form": form, "page_title": _("Register your organisation")}
    )


@login_required
def organisation_edit(request, slug):
    organisation = _organisation_for_member(request, slug)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(organisation=organisation, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, _("Profile saved. Applications you already submitted keep the details they were sent with.")
            )
            return redirect("applicants:organisation_detail", slug=organisation.slug)
    return render(
        request,
        "applicants/organisation_form.html",
        {"form": form, "organisation": organisation, "page_title": _("Edit %(name)s") % {"name": organisation.name}},
    )


@login_required
def organisation_detail(request, slug):
    organisation = _organisation_for_member(request, slug)
    can_manage = can_manage_members(request.user, organisation)[0]
    return render(
        request,
        "applicants/organisation_detail.html",
        {
            "organisation": organisation,
            "members": selectors.members_of(organisation),
            "invitations": selectors.pending_invitations(organisation) if can_manage else [],
            "owner_confirmations": selectors.owner_confirmations(organisation) if can_manage else [],
            "can_manage": can_manage,
            "invite_form": InvitationForm(),
            "role_choices": Membership.Role.choices,
            "preferences_form": MembershipPreferencesForm(
                initial={
                    "decision_emails": Membership.objects.get(
                        user=request.user, organisation=organisation
                    ).decision_emails
                }
            ),
            "page_title": organisation.name,
        },
    )


@login_required
def invitation_create(request, slug):
    organisation = _organisation_for_member(request, slug)
    if not can_manage_members(request.user, organisation)[0]:
        raise PermissionDenied
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(organisation=organisation, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("applicants:organisation_detail", slug=organisation.slug)
    return render(
        request,
        "applicants/invitation_form.html",
        {"form": form, "organisation": organisation, "page_title": _("Invite a colleague")},
    )


@login_required
@require_POST
def invitation_revoke(request, slug, pk):
    organisation = _organisation_for_member(request, slug)
    invitation = get_object_or_404(organisation.invitations, pk=pk)
    services.invitation_revoke(invitation=invitation, by=request.user)
    messages.success(request, _("Invitation withdrawn."))
    return redirect("applicants:organisation_detail", slug=organisation.slug)


def invitation_accept(request, token):
    """Anyone with the link sees what they are invited to; signed-out visitors sign in or register, then it is accepted."""
    invitation = services.invitation_for_token(token)
    if invitation is None:
        raise Http404
    if not request.user.is_authenticated:
        request.session[PENDING_INVITATION_KEY] = token
        return render(
            request,
            "applicants/invitation_accept.html",
            {
                "invitation": invitation,
                "page_title": _("Join %(name)s") % {"name": invitation.organisation.name},
                "next": request.path,
            },
        )
    context = {"invitation": invitation, "page_title": _("Join %(name)s") % {"name": invitation.organisation.name}}
    if request.method == "POST":
        try:
            services.invitation_accept(token=token, by=request.user)
        except services.InvitationForSomeoneElse as exc:
            request.session.pop(PENDING_INVITATION_KEY, None)
            return render(
                request, "applicants/invitation_accept.html", {**context, "wrong_account": exc.messages[0]}, status=403
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect("portal:dashboard")
        request.session.pop(PENDING_INVITATION_KEY, None)
        selectors.set_current_organisation(request, invitation.organisation)
        messages.success(request, _("You have joined %(name)s.") % {"name": invitation.organisation.name})
        if invitation.role == Membership.Role.OWNER:
            messages.info(
                request, _("You are a member until one of the organisation's owners confirms you as an owner.")
            )
        return redirect("applicants:organisation_detail", slug=invitation.organisation.slug)
    if invitation.is_pending and not services.invitation_email_verified(invitation, request.user):
        context["wrong_account"] = services.WRONG_ACCOUNT_MESSAGE
    return render(request, "applicants/invitation_accept.html", context)


@login_required
@require_POST
def invitation_confirm_owner(request, slug, pk):
    organisation = _organisation_for_member(request, slug)
    invitation = get_object_or_404(organisation.invitations, pk=pk)
    try:
        membership = services.invitation_confirm_owner(invitation=invitation, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("%(name)s is now an owner.") % {"name": membership.user.display_name})
    return redirect("applicants:organisation_detail", slug=organisation.slug)


@login_required
@require_POST
def member_change_role(request, slug, pk):
    organisation = _organisation_for_member(request, slug)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "organisation"), organisation=organisation, pk=pk
    )
    form = MemberRoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_change_role(membership=membership, role=form.cleaned_data["role"], by=request.user)
            messages.success(request, _("Role changed."))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, getattr(exc, "messages", [str(exc)])[0])
    return redirect("applicants:organisation_detail", slug=organisation.slug)


@login_required
@require_POST
def member_remove(request, slug, pk):
    organisation = _organisation_for_member(request, slug)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "organisation"), organisation=organisation, pk=pk
    )
    try:
        services.membership_remove(membership=membership, by=request.user)
        messages.success(request, _("Member removed."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "messages", [str(exc)])[0])
        return redirect("applicants:organisation_detail", slug=organisation.slug)
    if membership.user_id == request.user.pk:
        return redirect("portal:dashboard")
    return redirect("applicants:organisation_detail", slug=organisation.slug)


@login_required
@require_POST
def organisation_switch(request):
    organisation = selectors.organisations_for_user(request.user).filter(pk=request.POST.get("organisation")).first()
    if organisation is None:
        raise Http404
    selectors.set_current_organisation(request, organisation)
    messages.success(request, _("You are now working for %(name)s.") % {"name": organisation.name})
    next_url = request.POST.get("next") or reverse("portal:dashboard")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("portal:dashboard")
    return redirect(next_url)


@login_required
@require_POST
def membership_preferences(request, slug):
    organisation = _organisation_for_member(request, slug)
    membership = get_object_or_404(Membership, user=request.user, organisation=organisation)
    form = MembershipPreferencesForm(request.POST)
    if form.is_valid():
        services.membership_set_preferences(
            membership=membership, by=request.user, decision_emails=form.cleaned_data["decision_emails"]
        )
        messages.success(request, _("Your email preferences are saved."))
    return redirect("applicants:organisation_detail", slug=organisation.slug)
