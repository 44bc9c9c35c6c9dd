"""Who may see and change applications. Each check returns (allowed, reason); views turn a refusal into 404 or 403.

Other apps may call these (e.g. the review and awards screens check `can_view_application`)."""

from django.utils.translation import gettext_lazy as _

from applicants.permissions import is_member
from portal.roles import is_program_staff

from .models import Application

EDITABLE_STATUSES = {Application.Status.DRAFT, Application.Status.MORE_INFO}


def can_manage_applications(user) -> tuple[bool, str]:
    """Program staff screen and move applications; nobody else (an Editor or Finance officer included)."""
    if is_program_staff(user):
        return True, ""
    return False, _("Only program staff can work with applications.")


def can_view_application(user, application) -> tuple[bool, str]:
    if is_program_staff(user):
        return True, ""
    if is_member(user, application.organisation)[0]:
        return True, ""
    return False, _("You cannot see this application.")


def can_edit_application(user, application) -> tuple[bool, str]:
    if not is_member(user, application.organisation)[0]:
        return False, _("Only members of the organisation can change its application.")
    if application.status not in EDITABLE_STATUSES:
        return False, _("This application has been submitted and can no longer be changed.")
    return True, ""


def can_download_attachment(user, attachment) -> tuple[bool, str]:
    return can_view_application(user, attachment.application)


def can_see_message(user, message) -> tuple[bool, str]:
    if message.internal and not is_program_staff(user):
        return False, _("Internal notes are for staff only.")
    return can_view_application(user, message.application)
