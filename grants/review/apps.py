from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "grants.review"
    label = "review"
    verbose_name = _("Review")

    def ready(self):
        from portal import roles
        from portal.personal_data import register_personal_data
        from portal.views import register_dashboard_panel

        from . import personal_data

        register_dashboard_panel("review/dashboard_panel.html", when=roles.is_reviewer)
        register_personal_data("reviews", _("Reviews you wrote"), personal_data.collect_reviews)
        register_personal_data(
            "conflict_declarations",
            _("Your conflict of interest declarations"),
            personal_data.collect_conflict_declarations,
        )
