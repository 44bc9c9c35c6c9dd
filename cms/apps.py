from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    label = "cms"
    verbose_name = _("Public site")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.templatetags.portal_tags import SITE_ALERT_PROVIDERS

        from . import signals
        from .alerts import render_alerts

        if render_alerts not in SITE_ALERT_PROVIDERS:
            SITE_ALERT_PROVIDERS.append(render_alerts)
        signals.connect()

        from django.db.models.signals import post_migrate

        from .editors import grant_after_migrate

        post_migrate.connect(grant_after_migrate, sender=self, dispatch_uid="cms.editors.grant_after_migrate")
