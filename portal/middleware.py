"""Cross-cutting request rules: MFA is mandatory for staff, finance and reviewers; the admin is for staff roles only."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from . import roles

# Paths a user without MFA may still reach: setting it up, signing out, static files, health.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/media/", "/healthz", "/favicon.ico")


def user_has_mfa(user) -> bool:
    from allauth.mfa.models import Authenticator

    cached = getattr(user, "_portal_has_mfa", None)
    if cached is None:
        cached = Authenticator.objects.filter(
            user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        ).exists()
        user._portal_has_mfa = cached
    return cached


class MFARequiredMiddleware:
    """A user in an MFA-required role who has no authenticator is sent to set one up and can reach nothing else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and roles.requires_mfa(user)
            and not user_has_mfa(user)
        ):
            messages.warning(
                request,
                _("Your role needs two-factor authentication. Please set up an authenticator app to continue."),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class AdminAccessMiddleware:
    """Only staff roles enter the Wagtail admin; applicants, donors and reviewers get a clear 403."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = (
            "/" + settings.WAGTAIL_ADMIN_PREFIX.strip("/") + "/"
            if hasattr(settings, "WAGTAIL_ADMIN_PREFIX")
            else "/admin/"
        )

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.path.startswith(self.prefix)
            and user is not None
            and user.is_authenticated
            and not user.is_superuser
            and not roles.has_role(user, *roles.ADMIN_ROLES)
        ):
            html = render_to_string("portal/admin_forbidden.html", request=request)
            return HttpResponseForbidden(html)
        return self.get_response(request)
