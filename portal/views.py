import sys
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import personal_data, roles
from .audit import audit
from .downloads import download_response

# Apps add dashboard panels here: (template, callable(user) -> bool). Keeps portal free of imports from other apps.
DASHBOARD_PANELS = []


def register_dashboard_panel(template, when):
    DASHBOARD_PANELS.append((template, when))


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: send them to the fund's icon (resolved per request, so the
    hashed name of the production static files is read only once they are collected)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


def admin_login_redirect(request):
    target = reverse("account_login")
    next_url = request.GET.get("next")
    if next_url:
        target += "?" + urlencode({"next": next_url})
    return redirect(target)


@never_cache
@require_GET
def csrf_token(request):
    """The CSRF token of the signed-in session, never cached. Signing in (perhaps in another tab, after the session ran
    out mid-edit) gives the browser a new token, so a page opened before must fetch it before it can save again
    (static/js/application-form.js)."""
    if not request.user.is_authenticated:
        return JsonResponse({"authenticated": False}, status=401)
    return JsonResponse({"authenticated": True, "token": get_token(request)})


@login_required
def signed_in_again(request):
    """Where the "sign in again in a new tab" link of a page whose session ran out lands: back to the other tab."""
    return render(request, "portal/signed_in_again.html", {"page_title": _("You are signed in again")})


@login_required
def dashboard(request):
    user = request.user
    panels = [template for template, when in DASHBOARD_PANELS if when(user)]
    role_names = [roles.ROLE_LABELS.get(name, name) for name in sorted(roles.group_names(user))]
    return render(
        request,
        "portal/dashboard.html",
        {"panels": panels, "role_names": role_names, "page_title": _("Your dashboard")},
    )


@login_required
def my_data(request):
    return render(request, "portal/my_data.html", {"page_title": _("Download your data")})


def _personal_data_download(request, kind):
    data = personal_data.personal_data(request.user)
    audit(request.user, "portal.personal_data.download", user=request.user, data={"format": kind})
    filename = f"my-data-{data['generated_at'][:10]}.{kind}"
    if kind == "json":
        return download_response(
            personal_data.personal_data_json(data), filename=filename, content_type="application/json"
        )
    return download_response(personal_data.personal_data_pdf(data), filename=filename, content_type="application/pdf")


@login_required
def my_data_json(request):
    """Everything the portal holds about the signed-in person, machine-readable (data portability)."""
    return _personal_data_download(request, "json")


@login_required
def my_data_pdf(request):
    """The same as my_data_json, for people to read."""
    return _personal_data_download(request, "pdf")


DATABASE_ERRORS = (OperationalError, InterfaceError)


def server_error(request):
    """Django's last resort for an unhandled exception. A database blip (restart, failover, dropped connection) is not
    our bug but a short outage: answer 503 with Retry-After, as JSON for scripts (autosave keeps the text and retries),
    so load balancers and browsers retry. Everything else is the plain 500 page. Renders without touching the database."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS):
        if request.headers.get("X-Requested-With") == "fetch" or "application/json" in request.headers.get(
            "Accept", ""
        ):
            response = JsonResponse({"error": str(_("The portal is briefly unavailable; trying again."))}, status=503)
        else:
            response = HttpResponse(loader.render_to_string("503.html"), status=503)  # no request: no queries
        response["Retry-After"] = "30"
        response["Cache-Control"] = "no-store"
        return response
    return defaults.server_error(request)
