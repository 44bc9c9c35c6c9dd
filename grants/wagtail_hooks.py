from django.urls import include, path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import ObjectList
from wagtail.admin.search import SearchArea
from wagtail.admin.views.generic import CreateView, DeleteView, EditView, IndexView
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permissions import register_permission_policy

from portal.admin_policies import ProgramStaffPolicy
from portal.roles import is_finance, is_program_staff

from .forms_staff import FundingRoundForm
from .models import FundingRound
from .workqueue import WorkQueuePanel


@hooks.register("register_log_actions")
def register_application_actions(actions):
    from .workflow import TRANSITIONS

    for transition in TRANSITIONS.values():
        actions.register_action(f"grants.application.{transition.action}", transition.label, transition.label)
    actions.register_action("grants.application.extension", _("Extension granted"), _("Deadline extension granted"))
    for action, label in [
        ("grants.application.start", _("Application started")),
        ("grants.attachment.add", _("File uploaded")),
        ("grants.attachment.remove", _("File removed")),
        ("grants.message.post", _("Message posted")),
        ("grants.form.publish", _("Application form published")),
        ("grants.application.retention_clear", _("Answers and files removed (retention)")),
        ("grants.application.retention_delete", _("Old draft deleted (retention)")),
    ]:
        actions.register_action(action, label, label)


register_permission_policy(FundingRound, ProgramStaffPolicy(FundingRound), exact_class=True)


class PublishFormMixin:
    def save_instance(self):
        from .services import form_publish

        instance = super().save_instance()
        version = form_publish(funding_round=instance, by=self.request.user)
        if version is not None:
            from django.contrib import messages

            messages.info(
                self.request,
                _("Application form version %(n)s published. Submitted applications keep the version they answered.")
                % {"n": version.number},
            )
        return instance


class ProgramStaffOnlyMixin:
    """A plain 403 for anyone but program staff (Wagtail's default would redirect with a message)."""

    def dispatch(self, request, *args, **kwargs):
        if not is_program_staff(request.user):
            from django.shortcuts import render

            return render(
                request,
                "grants/admin/forbidden.html",
                {
                    "reason": _("Only program staff can work with funding rounds."),
                    "page_title": _("Not allowed"),
                    "header_title": _("Not allowed"),
                },
                status=403,
            )
        return super().dispatch(request, *args, **kwargs)


class RoundIndexView(ProgramStaffOnlyMixin, IndexView):
    pass


class RoundCreateView(ProgramStaffOnlyMixin, PublishFormMixin, CreateView):
    pass


class RoundEditView(ProgramStaffOnlyMixin, PublishFormMixin, EditView):
    @cached_property
    def header_buttons(self):
        preview = reverse("grants_admin:round_form_preview", args=[self.object.pk])
        return [*super().header_buttons, HeaderButton(_("Preview the form"), url=preview, icon_name="view")]


class RoundDeleteView(ProgramStaffOnlyMixin, DeleteView):
    pass


class RoundHistoryView(ProgramStaffOnlyMixin, HistoryView):
    pass


class FundingRoundViewSet(ModelViewSet):
    model = FundingRound
    icon = "calendar-alt"
    menu_label = _("Funding rounds")
    menu_order = 210
    add_to_admin_menu = True
    index_view_class = RoundIndexView
    add_view_class = RoundCreateView
    edit_view_class = RoundEditView
    delete_view_class = RoundDeleteView
    history_view_class = RoundHistoryView
    copy_view_enabled = False
    edit_handler = ObjectList(FundingRound.panels, base_form_class=FundingRoundForm)
    list_display = ["title", "status", "opens_at", "closes_at", "budget", "max_request"]
    list_filter = ["status"]
    search_fields = ["title"]
    inspect_view_enabled = False


@hooks.register("register_admin_viewset")
def register_round_viewset():
    return FundingRoundViewSet("funding_rounds")


class ProgramStaffMenuItem(MenuItem):
    def is_shown(self, request):
        return is_program_staff(request.user)


@hooks.register("register_admin_menu_item")
def register_applications_menu_item():
    return ProgramStaffMenuItem(
        _("Applications"), reverse("grants_admin:application_list"), icon_name="form", order=200
    )


class ApplicationsSearchArea(SearchArea):
    """The admin's search box also finds applications (reference, title or organisation name), for program staff."""

    def is_shown(self, request):
        return is_program_staff(request.user)


@hooks.register("register_admin_search_area")
def register_applications_search_area():
    return ApplicationsSearchArea(
        _("Applications"),
        reverse("grants_admin:application_list"),
        name="applications",
        icon_name="form",
        order=150,
    )


@hooks.register("register_admin_urls")
def register_grants_admin_urls():
    from . import admin_views

    urls = [
        path("", admin_views.application_list, name="application_list"),
        path("<int:pk>/", admin_views.application_detail, name="application_detail"),
        path("<int:pk>/act/<slug:action>/", admin_views.application_act, name="application_act"),
        path("<int:pk>/messages/", admin_views.message_create, name="message_create"),
        path("<int:pk>/extension/", admin_views.extension_create, name="extension_create"),
        path("<int:pk>/pdf/", admin_views.application_pdf, name="application_pdf"),
        path("<int:pk>/files/<int:attachment_pk>/", admin_views.attachment_download, name="attachment_download"),
        path("rounds/<int:round_pk>/preview/", admin_views.round_form_preview, name="round_form_preview"),
    ]
    return [path("applications/", include((urls, "grants_admin"), namespace="grants_admin"))]


@hooks.register("construct_homepage_panels")
def add_work_queue_panel(request, panels):
    """Program staff and finance open the admin on what needs them (grants.workqueue)."""
    if is_program_staff(request.user) or is_finance(request.user):
        panels.insert(0, WorkQueuePanel(request))
