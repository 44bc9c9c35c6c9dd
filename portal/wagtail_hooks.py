from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import erasure_views, ops_views
from .erasure import can_erase


class OperationsMenuItem(MenuItem):
    def is_shown(self, request):
        return ops_views.can_see_operations(request.user)


@hooks.register("register_admin_urls")
def register_operations_urls():
    return [
        path("scheduled-jobs/", ops_views.scheduled_jobs, name="portal_scheduled_jobs"),
        path("erase-person/", erasure_views.erase_person, name="portal_erase_person"),
    ]


@hooks.register("register_admin_menu_item")
def register_operations_menu_item():
    return OperationsMenuItem(_("Scheduled jobs"), reverse("portal_scheduled_jobs"), icon_name="time", order=900)


@hooks.register("register_log_actions")
def register_personal_data_actions(actions):
    actions.register_action("portal.personal_data.download", _("Data downloaded"), _("Downloaded their personal data"))
    actions.register_action("portal.person.erase", _("Person erased"), _("Erased a person on their request"))


class ErasePersonMenuItem(MenuItem):
    def is_shown(self, request):
        return can_erase(request.user)[0]


@hooks.register("register_settings_menu_item")
def register_erase_person_menu_item():
    return ErasePersonMenuItem(_("Erase a person"), reverse("portal_erase_person"), icon_name="user", order=950)


@hooks.register("insert_global_admin_css")
def admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin.css"))


@hooks.register("insert_global_admin_js")
def admin_tables_js():
    return format_html('<script src="{}" defer></script>', static("js/admin-tables.js"))
