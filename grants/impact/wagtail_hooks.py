from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from portal.admin_policies import ProgramStaffPolicy

from .models import Metric, RoundMetric, RoundReportQuestion
from .permissions import can_review_reports, can_view_impact_dashboard

LOG_ACTIONS = [
    ("impact.requirements.generate", _("Impact report schedule created")),
    ("impact.schedule.add", _("Report added to an award's schedule")),
    ("impact.schedule.move", _("Report moved in an award's schedule")),
    ("impact.schedule.remove", _("Report removed from an award's schedule")),
    ("impact.report.save", _("Impact report draft saved")),
    ("impact.report.submit", _("Impact report submitted")),
    ("impact.report.approve", _("Impact report approved")),
    ("impact.report.request_changes", _("Changes requested to an impact report")),
    ("impact.report.overdue", _("Impact report overdue")),
    ("impact.story.add", _("Story added to an impact report")),
    ("impact.attachment.add", _("File added to an impact report")),
    ("impact.attachment.remove", _("File removed from an impact report")),
    ("impact.annual_report.request", _("Annual impact report requested")),
]


@hooks.register("register_log_actions")
def register_impact_actions(actions):
    for action, label in LOG_ACTIONS:
        actions.register_action(action, label, label)


class DashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_impact_dashboard(request.user)[0]


class ReviewMenuItem(MenuItem):
    def is_shown(self, request):
        return can_review_reports(request.user)[0]


@hooks.register("register_admin_menu_item")
def register_impact_dashboard_menu_item():
    return DashboardMenuItem(_("Impact"), reverse("impact_admin:dashboard"), icon_name="view", order=240)


@hooks.register("register_admin_menu_item")
def register_impact_reports_menu_item():
    return ReviewMenuItem(_("Impact reports"), reverse("impact_admin:report_list"), icon_name="doc-full", order=241)


@hooks.register("register_admin_urls")
def register_impact_admin_urls():
    from . import admin_views

    urls = [
        path("", admin_views.dashboard, name="dashboard"),
        path("export/", admin_views.export, name="export"),
        path("annual/", admin_views.annual_report_list, name="annual_list"),
        path("annual/new/", admin_views.annual_report_request_view, name="annual_request"),
        path("annual/<int:pk>/download/", admin_views.annual_report_download, name="annual_download"),
        path("reports/", admin_views.report_list, name="report_list"),
        path("reports/<int:pk>/", admin_views.report_detail, name="report_detail"),
        path("reports/<int:pk>/review/", admin_views.report_review, name="report_review"),
        path(
            "reports/<int:pk>/files/<int:attachment_pk>/", admin_views.attachment_download, name="attachment_download"
        ),
        path("reports/<int:pk>/stories/<int:story_pk>/photo/", admin_views.story_photo, name="story_photo"),
    ]
    return [path("impact/", include((urls, "impact_admin"), namespace="impact_admin"))]


for _model in (Metric, RoundMetric, RoundReportQuestion):
    register_permission_policy(_model, ProgramStaffPolicy(_model), exact_class=True)


class MetricViewSet(ModelViewSet):
    model = Metric
    icon = "list-ul"
    menu_label = _("Impact metrics")
    menu_order = 242
    add_to_admin_menu = True
    form_fields = ["key", "label", "unit", "kind", "aggregation", "help_text", "order", "active"]
    list_display = ["label", "key", "unit", "kind", "aggregation", "active"]
    list_filter = ["kind", "aggregation", "active"]
    search_fields = ["label", "key"]
    inspect_view_enabled = False


class RoundMetricViewSet(ModelViewSet):
    model = RoundMetric
    icon = "list-ol"
    menu_label = _("Round metrics")
    menu_order = 243
    add_to_admin_menu = True
    form_fields = ["round", "metric", "order", "required"]
    list_display = ["round", "metric", "order", "required"]
    list_filter = ["round"]
    inspect_view_enabled = False


class RoundReportQuestionViewSet(ModelViewSet):
    model = RoundReportQuestion
    icon = "help"
    menu_label = _("Report questions")
    menu_order = 244
    add_to_admin_menu = True
    form_fields = ["round", "key", "text", "help_text", "required", "order"]
    list_display = ["text", "round", "key", "required"]
    list_filter = ["round"]
    inspect_view_enabled = False


@hooks.register("register_admin_viewset")
def register_metric_viewsets():
    return [
        MetricViewSet("impact_metrics"),
        RoundMetricViewSet("impact_round_metrics"),
        RoundReportQuestionViewSet("impact_round_questions"),
    ]
