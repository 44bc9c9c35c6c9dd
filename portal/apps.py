from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.core.signals import request_finished
        from django.db.models.signals import post_migrate, post_save
        from wagtail.users.models import UserProfile

        from . import i18n, middleware, personal_data, roles

        post_migrate.connect(roles.sync_roles_after_migrate, sender=self)
        user_logged_in.connect(middleware.stamp_session_activity, dispatch_uid="portal_stamp_session_activity")
        personal_data.register_portal_sections()
        request_finished.connect(i18n.reset_language, dispatch_uid="portal_reset_language")
        post_save.connect(
            i18n.sync_language_from_admin_profile, sender=UserProfile, dispatch_uid="portal_admin_language"
        )
