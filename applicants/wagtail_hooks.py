from django.utils.translation import gettext_lazy as _
from wagtail import hooks


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
