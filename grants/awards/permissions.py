"""Who may do what with awards and payments. Each check returns (allowed, reason); the reason can be shown."""

from django.utils.translation import gettext_lazy as _

from portal.roles import is_finance, is_program_staff


def _is_owner(user, organisation) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    from applicants.models import Membership

    return Membership.objects.filter(user=user, organisation=organisation, role=Membership.Role.OWNER).exists()


def _is_member(user, organisation) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return organisation.memberships.filter(user=user).exists()


def can_view_award(user, award):
    if is_program_staff(user) or is_finance(user) or _is_member(user, award.organisation):
        return True, ""
    return False, _("Only the grantee's members and fund staff can see this award.")


def can_respond_to_offer(user, award):
    if not _is_owner(user, award.organisation):
        return False, _("Only an owner of the organisation can accept or decline the award.")
    return True, ""


def can_manage_awards(user):
    if is_program_staff(user):
        return True, ""
    return False, _("Only program staff can prepare or change awards.")


def can_handle_payments(user):
    if is_finance(user):
        return True, ""
    return False, _("Only finance officers can prepare, approve or export payments.")


def can_view_money(user):
    if is_finance(user) or is_program_staff(user):
        return True, ""
    return False, _("Only finance and program staff can see the fund's money.")


def can_change_bank_details(user, organisation):
    if not _is_owner(user, organisation):
        return False, _("Only an owner of the organisation can enter or change its bank details.")
    return True, ""
