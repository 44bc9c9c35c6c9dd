from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicantsConfig(AppConfig):
    name = "applicants"
    label = "applicants"
    verbose_name = _("Applicants")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from portal.erasure import register_eraser
        from portal.personal_data import register_personal_data

        from .erasure import member_erase
        from .personal_data import collect_memberships
        from .signals import accept_pending_invitation

        user_logged_in.connect(accept_pending_invitation, dispatch_uid="applicants_accept_pending_invitation")
        register_eraser(member_erase)
        register_personal_data("memberships", _("Your organisations"), collect_memberships)
