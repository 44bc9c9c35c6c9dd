from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _shows_applicant_panel(user):
    from applicants.selectors import member_organisation_ids
    from portal import roles

    if user.is_superuser:
        return False
    return roles.has_role(user, roles.APPLICANT) or bool(member_organisation_ids(user))


class GrantsConfig(AppConfig):
    name = "grants"
    label = "grants"
    verbose_name = _("Grants")

    def ready(self):
        from allauth.account.signals import user_signed_up
        from django.contrib.auth.signals import user_logged_in

        from portal.personal_data import register_audit_subjects, register_personal_data
        from portal.views import register_dashboard_panel

        from . import eligibility_session, personal_data

        register_dashboard_panel("grants/dashboard_panel.html", when=_shows_applicant_panel)
        user_signed_up.connect(eligibility_session.claim, dispatch_uid="grants_claim_eligibility_on_signup")
        user_logged_in.connect(eligibility_session.claim, dispatch_uid="grants_claim_eligibility_on_login")
        register_personal_data(
            "applications", _("Applications you started or submitted"), personal_data.collect_applications
        )
        register_personal_data("application_messages", _("Messages you wrote"), personal_data.collect_messages)
        register_personal_data("uploaded_files", _("Files you uploaded"), personal_data.collect_attachments)
        register_audit_subjects(personal_data.application_audit_subjects)
