from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicantsConfig(AppConfig):
    name = "applicants"
    label = "applicants"
    verbose_name = _("Applicants")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .signals import accept_pending_invitation

        user_logged_in.connect(accept_pending_invitation, dispatch_uid="applicants_accept_pending_invitation")
