"""A confirmation step for irreversible actions, without JavaScript.

The action's form posts to its view. Until the post carries `confirmed=yes`, the view answers with a page that
restates what will happen (`confirm_page`) and posts the same data back with `confirmed=yes`; only then does the view
call its service. A GET shows the same page, so a link can lead to the confirmation too.
"""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

CONFIRM_FIELD = "confirmed"
_NEVER_CARRIED = {"csrfmiddlewaretoken", CONFIRM_FIELD}


def is_confirmed(request) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "yes"


def carried(data, *, only=None) -> list[tuple[str, str]]:
    """The posted fields (all values of each, in order) to send again from the confirmation page."""
    if data is None:
        return []
    names = [n for n in data if n not in _NEVER_CARRIED and (only is None or n in only)]
    return [(name, value) for name in names for value in data.getlist(name)]


def confirm_page(
    request,
    *,
    title,
    consequences,
    action,
    cancel_url,
    confirm_label=None,
    warnings=(),
    data=None,
    admin=False,
    danger=False,
    details_template=None,
    status=200,
    **extra,
):
    """The page that restates what will happen. `consequences` are plain sentences; `warnings` are shown first."""
    context = {
        "page_title": title,
        "header_title": title,
        "consequences": list(consequences),
        "warnings": list(warnings),
        "action": action,
        "cancel_url": cancel_url,
        "confirm_label": confirm_label or _("Confirm"),
        "carried": carried(request.POST if data is None and request.method == "POST" else data),
        "danger": danger,
        "details_template": details_template,
        **extra,
    }
    template = "portal/admin_confirm.html" if admin else "portal/confirm.html"
    return render(request, template, context, status=status)
