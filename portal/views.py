from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import roles

# Apps add dashboard panels here: (template, callable(user) -> bool). Keeps portal free of imports from other apps.
DASHBOARD_PANELS = []


def register_dashboard_panel(template, when):
    DASHBOARD_PANELS.append((template, when))


def admin_login_redirect(request):
    target = reverse("account_login")
    next_url = request.GET.get("next")
    if next_url:
        target += "?" + urlencode({"next": next_url})
    return redirect(target)


@login_required
def dashboard(request):
    user = request.user
    panels = [template for template, when in DASHBOARD_PANELS if when(user)]
    role_names = [roles.ROLE_LABELS.get(name, name) for name in user.groups.values_list("name", flat=True)]
    return render(
        request,
        "portal/dashboard.html",
        {"panels": panels, "role_names": role_names, "page_title": _("Your dashboard")},
    )
