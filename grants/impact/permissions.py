"""Who may do what with impact reports. Each check returns (allowed, reason); default deny."""

from django.utils.translation import gettext as _

from portal.roles import is_finance, is_program_staff


def is_member(user, organisation_id) -> bool:
    from applicants.models import Membership

    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(user=user, organisation_id=organisation_id).exists()


def can_view_report(user, report) -> tuple[bool, str]:
    """Only members of the grantee organisation see a report on the portal (staff use the admin)."""
    if is_member(user, report.award.organisation_id):
        return True, ""
    return False, _("Only members of the grantee organisation can see this report.")


def can_edit_report(user, report) -> tuple[bool, str]:
    allowed, reason = can_view_report(user, report)
    if not allowed:
        return allowed, reason
    if not report.is_editable:
        return False, _("This report has been submitted and cannot be changed now.")
    return True, ""


def can_review_reports(user) -> tuple[bool, str]:
    if is_program_staff(user):
        return True, ""
    return False, _("Only program staff review impact reports.")


def can_view_impact_dashboard(user) -> tuple[bool, str]:
    if is_program_staff(user) or is_finance(user):
        return True, ""
    return False, _("Only program staff and finance see the impact dashboard.")
