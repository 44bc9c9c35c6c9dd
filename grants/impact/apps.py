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

        from django.db.models.signals import post_delete, post_save

        from applicants.models import Organisation
        from grants.awards.models import Award

        from .models import ImpactReport, MetricValue
        from .rollup import award_changed, organisation_changed, report_changed, value_changed
        from .selectors import figures_changed

        # The rollup first (same transaction as the change), then the cached figures move to a new version.
        for model, receiver in ((ImpactReport, report_changed), (MetricValue, value_changed)):
            post_save.connect(receiver, sender=model, dispatch_uid=f"impact-rollup-{model.__name__}-save")
            post_delete.connect(receiver, sender=model, dispatch_uid=f"impact-rollup-{model.__name__}-delete")
        # An organisation's new type or neighbourhood, an award's new round, fund or organisation: its rows change
        # segment (and the cached figures move to a new version when they did).
        post_save.connect(organisation_changed, sender=Organisation, dispatch_uid="impact-rollup-organisation-save")
        post_save.connect(award_changed, sender=Award, dispatch_uid="impact-rollup-award-save")
        for model in (ImpactReport, MetricValue):
            post_save.connect(figures_changed, sender=model, dispatch_uid=f"impact-figures-{model.__name__}-save")
            post_delete.connect(figures_changed, sender=model, dispatch_uid=f"impact-figures-{model.__name__}-delete")
