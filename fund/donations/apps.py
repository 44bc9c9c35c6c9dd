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
        from portal.erasure import register_eraser
        from portal.personal_data import register_audit_subjects, register_personal_data
        from portal.views import register_dashboard_panel

        from . import personal_data
        from .erasure import donor_erase

        register_dashboard_panel("donations/dashboard_panel.html", when=_is_donor)
        register_personal_data("donor", _("Your donor record"), personal_data.collect_donor)
        register_personal_data("donations", _("Your gifts and receipts"), personal_data.collect_donations)
        register_personal_data("recurring_donations", _("Your monthly gifts"), personal_data.collect_recurring)
        register_personal_data("pledges", _("Your pledges"), personal_data.collect_pledges)
        register_audit_subjects(personal_data.donor_audit_subjects)
        register_eraser(donor_erase)
