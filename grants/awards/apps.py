from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _has_awards(user):
    from .models import Award

    return Award.objects.for_member(user).exists()


class AwardsConfig(AppConfig):
    name = "grants.awards"
    label = "awards"
    verbose_name = _("Awards")

    def ready(self):
        from portal.views import register_dashboard_panel

        register_dashboard_panel("awards/dashboard_panel.html", when=_has_awards)
