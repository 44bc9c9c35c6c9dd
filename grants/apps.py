from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _shows_applicant_panel(user):
    from applicants.models import Membership
    from portal import roles

    if user.is_superuser:
        return False
    return roles.has_role(user, roles.APPLICANT) or Membership.objects.filter(user=user).exists()


class GrantsConfig(AppConfig):
    name = "grants"
    label = "grants"
    verbose_name = _("Grants")

    def ready(self):
        from portal.views import register_dashboard_panel

        register_dashboard_panel("grants/dashboard_panel.html", when=_shows_applicant_panel)
