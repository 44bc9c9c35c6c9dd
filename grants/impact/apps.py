from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _has_reports(user):
    from .selectors import reports_for_user

    return getattr(user, "is_authenticated", False) and reports_for_user(user).exists()


class ImpactConfig(AppConfig):
    name = "grants.impact"
    label = "impact"
    verbose_name = _("Impact")

    def ready(self):
        from portal.views import register_dashboard_panel

        register_dashboard_panel("impact/dashboard_panel.html", when=_has_reports)
