from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _is_donor(user):
    from .models import Donor

    return Donor.objects.filter(user=user).exists()


class DonationsConfig(AppConfig):
    name = "fund.donations"
    label = "donations"
    verbose_name = _("Donations")

    def ready(self):
        from portal.views import register_dashboard_panel

        register_dashboard_panel("donations/dashboard_panel.html", when=_is_donor)
