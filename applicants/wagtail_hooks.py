from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.search import SearchArea
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from portal.admin_policies import ProgramStaffReadOnlyPolicy
from portal.roles import is_program_staff

from .models import Organisation


@hooks.register("register_log_actions")
def register_applicant_actions(actions):
    for action, label in [
        ("applicants.organisation.create", _("Organisation registered")),
        ("applicants.organisation.update", _("Organisation profile changed")),
        ("applicants.invitation.create", _("Invitation sent")),
        ("applicants.invitation.accept", _("Invitation accepted")),
        ("applicants.invitation.confirm_owner", _("New owner confirmed")),
        ("applicants.invitation.revoke", _("Invitation withdrawn")),
        ("applicants.membership.change_role", _("Member role changed")),
        ("applicants.membership.remove", _("Member removed")),
        ("applicants.membership.preferences", _("Email preferences changed")),
    ]:
        actions.register_action(action, label, label)


register_permission_policy(Organisation, ProgramStaffReadOnlyPolicy(Organisation), exact_class=True)


class OrganisationViewSet(ModelViewSet):
    """Program staff find and read organisations (profile and registration); members change them in the portal."""

    model = Organisation
    icon = "group"
    menu_label = _("Organisations")
    menu_order = 205
    add_to_admin_menu = True
    list_display = ["legal_name", "operating_name", "org_type", "country", "registration_number", "neighbourhood"]
    list_filter = ["org_type", "country"]
    search_fields = ["legal_name", "operating_name", "registration_number", "city"]
    search_backend_name = None  # plain database lookups: organisations are not in the site's search index
    inspect_view_enabled = True
    inspect_view_fields = [
        "legal_name",
        "operating_name",
        "org_type",
        "country",
        "registration_number",
        "fiscal_sponsor",
        "fiscal_sponsor_name",
        "city",
        "region",
        "neighbourhood",
        "staff_size",
        "peer_led",
        "culturally_specific",
        "publicly_named",
        "website",
        "email",
        "phone",
    ]
    copy_view_enabled = False
    form_fields = ["legal_name"]  # never used: the policy refuses adding and editing to everyone


@hooks.register("register_admin_viewset")
def register_organisation_viewset():
    return OrganisationViewSet("organisations")


class OrganisationsSearchArea(SearchArea):
    def is_shown(self, request):
        return is_program_staff(request.user)


@hooks.register("register_admin_search_area")
def register_organisations_search_area():
    return OrganisationsSearchArea(
        _("Organisations"), reverse("organisations:index"), name="organisations", icon_name="group", order=160
    )
