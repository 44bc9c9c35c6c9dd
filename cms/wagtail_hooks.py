"""Admin for the public site: the alert snippet (quick to publish) and the site settings menu entry."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
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


@hooks.register("donor_followed_grants")
def donor_followed_grants(campaign_ids):
    """Follow your gift: the public grants that the campaigns a donor gave to have funded (the donor portal asks)."""
    from . import selectors

    return selectors.followed_grants(campaign_ids, limit=20)


@hooks.register("receipt_signature_image")
def receipt_signature_image(fund):
    """The authorised signature uploaded in site settings for this fund's receipts, as a file path or None."""
    from .models import SiteSettings

    site_settings = SiteSettings.objects.filter(fund=fund).exclude(receipt_signature=None).first()
    if site_settings is None:
        return None
    return site_settings.receipt_signature.file
