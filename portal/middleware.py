"""Cross-cutting request rules: MFA is mandatory for staff, finance and reviewers; the admin is for staff roles only."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _

from . import roles
from .i18n import PUBLIC_VIEW_NAMES, preferred_language, supported_language

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


# The session key holding the time (seconds since the epoch) of the user's last request.
LAST_ACTIVITY_KEY = "_portal_last_activity"
# The stored time is refreshed at most this often, so a busy staff member's session is not written on every request.
# The idle limit is therefore exact to within this many seconds.
LAST_ACTIVITY_REFRESH_SECONDS = 60


def stamp_session_activity(sender, request, user, **kwargs):
    """At sign-in (Django's user_logged_in signal) the idle clock starts; saving happens with the login itself."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY_KEY] = int(time.time())


class StaffSessionIdleMiddleware:
    """Staff and finance sessions end after settings.STAFF_SESSION_IDLE_MINUTES without a request; the user signs in
    again and comes back to the page they asked for. Other users' sessions are left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and roles.has_idle_session_timeout(user):
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_KEY)
            idle_limit = settings.STAFF_SESSION_IDLE_MINUTES * 60
            if last is not None and now - last > idle_limit:
                return self._expired(request)
            if last is None or now - last >= LAST_ACTIVITY_REFRESH_SECONDS:
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)

    def _expired(self, request):
        logout(request)
        message = _("You were signed out after a period of inactivity. Please sign in again.")
        if request.headers.get("X-Requested-With") == "fetch" or "application/json" in request.headers.get(
            "Accept", ""
        ):
            return JsonResponse({"error": message}, status=401)
        messages.info(request, message)
        target = reverse("account_login")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)


class PersonLanguageMiddleware(MiddlewareMixin):
    """Portal, account and admin screens speak the person's language (portal.i18n.preferred_language).

    LocaleMiddleware (above) takes the language from the URL prefix, and English for unprefixed URLs, so that URL
    resolution of the prefixed public pages works. After resolution, a screen that is not a public page switches to
    the signed-in person's language whatever the URL says (a link in an email another person's action sent may carry
    their prefix); without an account choice, the prefix if any, else the switcher's cookie, else Accept-Language.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.view_name in PUBLIC_VIEW_NAMES:
            return None
        user = getattr(request, "user", None)
        chosen = user is not None and user.is_authenticated and supported_language(getattr(user, "language", ""))
        if not chosen and translation.get_language_from_path(request.path_info):
            return None  # e.g. /es/donor/ reached from a Spanish page: the prefix is all we know
        language = preferred_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None
