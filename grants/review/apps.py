from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "grants.review"
    label = "review"
    verbose_name = _("Review")

    def ready(self):
        from portal import roles
        from portal.views import register_dashboard_panel

        register_dashboard_panel("review/dashboard_panel.html", when=roles.is_reviewer)
