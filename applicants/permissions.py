"""Per-object permissions for organisations. Each check returns (allowed, reason)."""

from django.utils.translation import gettext_lazy as _

from .models import Membership
from .selectors import organisation_roles


def _role(user, organisation):
    return organisation_roles(user).get(organisation.pk)


def is_member(user, organisation) -> tuple[bool, str]:
    if _role(user, organisation):
        return True, ""
    return False, _("You are not a member of this organisation.")


def can_manage_members(user, organisation) -> tuple[bool, str]:
    if _role(user, organisation) == Membership.Role.OWNER:
        return True, ""
    return False, _("Only the organisation's owners can manage its members.")
