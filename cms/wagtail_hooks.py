"""Admin for the public site: the alert snippet (quick to publish) and the site settings menu entry."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Alert


class AlertViewSet(SnippetViewSet):
    model = Alert
    icon = "warning"
    menu_label = _("Site alerts")
    menu_name = "site-alerts"
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["message", "severity", "live", "starts_at", "expires_at"]
    list_filter = ["severity", "live"]
    search_fields = ["message"]
    ordering = ["-starts_at"]


register_snippet(AlertViewSet)
